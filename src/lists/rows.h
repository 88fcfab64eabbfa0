/* rows: a list's worker rows as the database keeps them (migration 010).
 *
 * The rows themselves go into list_blocks: LIST_BLOCK_ROWS rows a block, one row a line of
 * tab-separated fields, in the order they were declared. The insurance record gets one
 * small entry per worker (lists/entries.h: work_months for a closed year, open_months for
 * an open one), written in national-id order. A worker is a
 * row of people only once the organisation deals with them; until then lists_person
 * gives their names and birth date from their latest row. */
#ifndef TAMIN_LISTS_ROWS_H
#define TAMIN_LISTS_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "listfile/listfile.h"
#include "people/people.h"
#include "rules/rules.h"
#include "store/store.h"

#define LIST_BLOCK_ROWS 1024
#define LIST_ZSTD_LEVEL 1 /* blocks' zstd level, with a dictionary too */

/* ---- one row as a line ---- */

/* Growable bytes. */
struct list_text {
	char *data;
	size_t len, cap;
};
void list_text_release(struct list_text *t);

/* Appends w as a line (no newline) numbered row_no: row number, national id, insurance
 * number, first, last and father's names, sex (m, f or empty), birth date, id number,
 * its place and date, nationality, job title, job code, start and end dates, days,
 * daily wage, monthly wage, benefits, insurable wage, total, the insured's share and
 * DSW_PRATE. Dates are Jalali (1405/07/01); tabs and newlines inside a text become
 * spaces. -1 when out of memory. */
int list_line_encode(struct list_text *t, uint32_t row_no, const struct list_worker *w);
/* The fields of one line (len bytes, no newline) into *w (the rest of *w zeroed) and its
 * row number; a birth date may also be Gregorian ISO (2024-01-31, from migration 010).
 * -1 when the line does not have every field. */
int list_line_decode(const char *line, size_t len, struct list_worker *w, uint32_t *row_no);

/* ---- storing a list's rows ---- */

/* A block of LIST_BLOCK_ROWS lines (fewer in a list's last), stored compressed with
 * zstd. Blocks from migration 010 are plain text; readers tell them apart by zstd's magic
 * number. */
struct list_block {
	uint32_t no, rows;
	uint32_t text; /* its lines: texts[text], from start, text_len bytes */
	size_t start, text_len;
	void *data; /* compressed, NULL until list_rows_compress */
	size_t len;
};

/* A list's rows on their way to the database: the lines, in blocks, and one entry per
 * row for work_months. Several of these can be filled at once, by threads, over
 * consecutive runs of the list's rows, then appended into one; its blocks can then be
 * compressed by several threads too. */
struct list_rows_out {
	uint32_t first;		 /* rows are numbered from first + 1 */
	uint32_t rows;		 /* added */
	struct list_text *texts; /* the lines; the last one takes the lines added */
	size_t ntexts;
	size_t block_start; /* where the block being filled starts in the last text */
	struct list_block *blocks;
	size_t nblocks, blocks_cap;
	int lines_dropped; /* list_rows_add was told not to keep a line */
	int finished;	   /* list_rows_finish closed the last block */
	int sorted;	   /* list_rows_sort ran after the last row came in */
	struct list_entry {
		uint64_t national_id; /* 0: not a valid national id */
		uint32_t row_no;      /* the row in the list, from 1 */
		uint32_t rec;	      /* its record in the file (deleted ones counted) */
		int32_t days;
		int64_t insurable;
	} * entries;
	size_t entries_cap;
};
/* first: the rows before these ones, a multiple of LIST_BLOCK_ROWS. */
void list_rows_init(struct list_rows_out *o, uint32_t first);
void list_rows_release(struct list_rows_out *o);
/* Adds the next row, read from record rec; its line is kept only if keep_line (a list
 * already refused needs only the entries, which find repeated workers). -1 out of
 * memory. */
int list_rows_add(struct list_rows_out *o, const struct list_worker *w, uint32_t rec,
		  int keep_line);
/* Closes the last, partial block (again: nothing). -1 out of memory. */
int list_rows_finish(struct list_rows_out *o);
/* Compresses blocks [from, to) that are not yet; threads may compress disjoint ranges of
 * one list at once. -1 out of memory. */
int list_rows_compress(struct list_rows_out *o, size_t from, size_t to);
/* The same with a compressor kept from list to list by one thread (a fresh one costs more
 * than compressing a small list); list_compressor_release it, {0} to begin. */
struct list_compressor {
	void *zstd;	  /* ZSTD_CCtx */
	const void *dict; /* a ZSTD_CDict to compress with (lists/dict.h), or NULL */
	struct list_text buf;
};
int list_rows_compress_using(struct list_rows_out *o, size_t from, size_t to,
			     struct list_compressor *c);
void list_compressor_release(struct list_compressor *c);
/* Moves src's blocks and entries after dst's (src followed dst's rows and is finished);
 * src is left empty. -1 out of memory. */
int list_rows_append(struct list_rows_out *dst, struct list_rows_out *src);
/* Sorts the entries by national id, rows of one id in their order. -1 out of memory. */
int list_rows_sort(struct list_rows_out *o);
/* Which list the rows are: its id, its workshop and its month. */
struct list_key {
	int64_t list_id, workshop_id;
	int year, month;
};
/* Writes the rows of a list: its blocks (list_rows_store_blocks: closed and compressed if
 * that is still to do) and its entries (list_rows_store_entries: sorted if that is still
 * to do; lists/entries.h says where they go: a list of LIST_RUN_ROWS workers or more is
 * a run of its own, packed as a batch's are). Each 0, or -1 with e. */
#define LIST_RUN_ROWS 100000
int list_rows_store(struct db *db, const struct list_key *k, struct list_rows_out *o,
		    struct err *e);
int list_rows_store_blocks(struct db *db, const struct list_key *k, struct list_rows_out *o,
			   struct err *e);
int list_rows_store_entries(struct db *db, const struct list_key *k, struct list_rows_out *o,
			    struct err *e);

/* ---- reading them back ---- */

/* Calls fn for each row of the list in order; fn returns 0 to go on, anything else stops
 * and is returned. 0 at the end, -1 with e on a database error or a damaged block. */
int list_rows_each(struct db *db, int64_t list_id,
		   int (*fn)(void *arg, const struct list_worker *w, uint32_t row_no), void *arg,
		   struct err *e);

/* The person as their latest list row names them (national id, names, sex, birth date in
 * Gregorian ISO), strings in the arena, p->id 0: 1 found, 0 in no list, -1 error. */
int lists_person(struct db *db, const char *national_id, struct person *p, struct arena *a);

/* Fills what p lacks (names, sex, birth date) from the person's latest list row. */
void lists_person_complete(struct db *db, struct person *p, struct arena *a);

/* The person as the case desk and the records read them: the row of people, completed from
 * the lists, or a worker known only from the lists (p->id 0). *enrol is the national id to
 * make a row of people (or to give the lists' names) with the read's audit entry
 * (audit_entry.enrol_national_id), NULL when there is nothing to write. 1 found, 0 on no
 * record, -1 error. */
int lists_find_person(struct db *db, const char *national_id, struct person *p, struct arena *a,
		      const char **enrol);

/* A person's insurance record as the rules read it: one line per list row (a month in a
 * workshop), oldest first, from the lists no correction superseded; *n lines in the
 * arena. 0, or -1 with e. */
int lists_person_record(struct db *db, const char *national_id, struct arena *a,
			struct rules_record **out, int *n, struct err *e);

#endif
