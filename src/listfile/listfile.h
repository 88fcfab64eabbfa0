/* listfile: the monthly list's two dBase files as typed rows. DSKKAR00.DBF holds one
 * row, the workshop's header and totals (struct list_header); DSKWOR00.DBF a row per
 * worker (struct list_worker). Columns are found by name (a file may add columns or
 * order them otherwise, and their widths are the file's); every text is normalised
 * UTF-8 (codec.h), amounts are int64 rials, dates Jalali.
 *
 * Reading never stops at a bad value: each problem becomes a struct list_issue (file,
 * row, column, code, a Persian and an English message) and the value is left empty or
 * 0; checking the values against the rules is the caller's. No database here.
 * Rows are read one at a time into the caller's struct, with no allocation per row, so
 * a million workers stream through in a fraction of a second.
 *
 * This folder holds the list's file formats and nothing that touches a database (it
 * includes only base/): codec.h (the text encodings), dbf.h (dBase III), csv.h (the CSV
 * form), this header, and input.h (the two files as given, either form, from paths or
 * memory). The lists kept in the database are lists/. */
#ifndef TAMIN_LISTFILE_LISTFILE_H
#define TAMIN_LISTFILE_LISTFILE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/jalali.h"
#include "listfile/codec.h"
#include "listfile/dbf.h"

#define LIST_TEXT 320 /* names, address, job title: 100 bytes of any Windows-1256 text */
#define LIST_CODE 64  /* codes, numbers kept as text, nationality */

enum list_sex { LIST_SEX_UNKNOWN = 0, LIST_SEX_MALE, LIST_SEX_FEMALE }; /* «مرد», «زن» */

/* Two-digit years (DSK_YY, DSW_YY) read as 1380..1399 for 80..99 and 1400..1479 for
 * 00..79; a four-digit year is taken as it is. Written back as the last two digits. */
struct list_header {
	char workshop[LIST_CODE];     /* DSK_ID, workshop code */
	char name[LIST_TEXT];	      /* DSK_NAME, workshop name */
	char employer[LIST_TEXT];     /* DSK_FARM */
	char address[LIST_TEXT];      /* DSK_ADRS */
	int kind;		      /* DSK_KIND, 0 */
	int year;		      /* DSK_YY */
	int month;		      /* DSK_MM */
	char list_no[LIST_CODE];      /* DSK_LISTNO */
	char description[LIST_TEXT];  /* DSK_DISC */
	int64_t workers;	      /* DSK_NUM */
	int64_t days;		      /* DSK_TDD, days worked, all workers */
	int64_t daily_wages;	      /* DSK_TROOZ */
	int64_t monthly_wages;	      /* DSK_TMAH */
	int64_t benefits;	      /* DSK_TMAZ */
	int64_t insurable;	      /* DSK_TMASH, wages and benefits subject to contribution */
	int64_t total;		      /* DSK_TTOTL, wages and benefits, all */
	int64_t worker_share;	      /* DSK_TBIME, 7% */
	int64_t employer_share;	      /* DSK_TKOSO, 20% */
	int64_t unemployment;	      /* DSK_BIC, 3% */
	int rate;		      /* DSK_RATE, 23 */
	int prate;		      /* DSK_PRATE */
	int64_t hard_job_share;	      /* DSK_BIMH, hard and harmful jobs' 4% */
	char contract_row[LIST_CODE]; /* MON_PYM, "000" */
};

struct list_worker {
	char workshop[LIST_CODE];     /* DSW_ID */
	int year;		      /* DSW_YY */
	int month;		      /* DSW_MM */
	char list_no[LIST_CODE];      /* DSW_LISTNO */
	char insurance_no[LIST_CODE]; /* DSW_ID1 */
	char first_name[LIST_TEXT];   /* DSW_FNAME */
	char last_name[LIST_TEXT];    /* DSW_LNAME */
	char father_name[LIST_TEXT];  /* DSW_DNAME */
	char id_no[LIST_CODE];	      /* DSW_IDNO, birth certificate number */
	char id_place[LIST_TEXT];     /* DSW_IDPLC, where it was issued */
	struct jdate id_date;	      /* DSW_IDATE; {0, 0, 0} when blank */
	struct jdate birth_date;      /* DSW_BDATE */
	enum list_sex sex;	      /* DSW_SEX */
	char nationality[LIST_CODE];  /* DSW_NAT, «ایرانی» */
	char job_title[LIST_TEXT];    /* DSW_OCP */
	struct jdate start_date;      /* DSW_SDATE */
	struct jdate end_date;	      /* DSW_EDATE */
	int days;		      /* DSW_DD */
	int64_t daily_wage;	      /* DSW_ROOZ */
	int64_t monthly_wage;	      /* DSW_MAH */
	int64_t benefits;	      /* DSW_MAZ */
	int64_t insurable;	      /* DSW_MASH */
	int64_t total;		      /* DSW_TOTL */
	int64_t worker_share;	      /* DSW_BIME */
	int prate;		      /* DSW_PRATE */
	char job_code[LIST_CODE];     /* DSW_JOB */
	char national_id[LIST_CODE];  /* PER_NATCOD */
};

/* ---- problems, per row and column ---- */

enum list_file_id { LIST_FILE_NONE = 0, LIST_FILE_KAR, LIST_FILE_WOR };

/* Codes: missing_field (row 0), bad_number, number_range, fraction, bad_date, bad_sex,
 * bad_text (bytes that are no text in the file's encoding), text_too_long, header_rows
 * (DSKKAR00 must hold exactly one live row); when writing also unmapped_char (written
 * as '?') and number_too_wide (written as '*'). */
struct list_issue {
	enum list_file_id file;
	uint32_t row;	/* 1-based record number in that file, deleted ones counted; 0: the file */
	char field[12]; /* the column, "" for the row or the file */
	char code[24];
	char message_fa[256];
	char message_en[200];
};

struct list_issues {
	struct list_issue *items;
	size_t n, cap;
	size_t max;	/* kept at most; the rest only counted */
	size_t dropped; /* problems beyond max */
};

/* max 0 keeps up to 10,000. */
void list_issues_init(struct list_issues *li, size_t max);
void list_issues_release(struct list_issues *li);
/* A new problem, its messages left for the caller to write; NULL when iss is NULL or
 * holds max already (then it is counted in dropped). */
struct list_issue *list_issue_new(struct list_issues *iss, enum list_file_id file, uint32_t row,
				  const char *field, const char *code);
/* A new problem with its messages (cut to fit). */
void list_issue_add(struct list_issues *iss, enum list_file_id file, uint32_t row,
		    const char *field, const char *code, const char *fa, const char *en);
/* Problems found, kept or not. */
static inline size_t list_issues_count(const struct list_issues *li)
{
	return li->n + li->dropped;
}

/* ---- reading ---- */

struct list_reader {
	struct dbf kar, wor;
	enum codec_enc enc;	  /* the encoding in use */
	struct codec_guess guess; /* how it was found (enc given: guess.why says so) */
	int kar_col[24], wor_col[28];
	uint32_t next;	  /* the next DSKWOR00 record */
	uint32_t end;	  /* the record after the last one to read */
	uint32_t deleted; /* DSKWOR00 records marked deleted, skipped so far */
	char *scratch;
	int slice; /* a list_reader_split part: the files are its parent's */
};

/* Opens both files (memory-mapped) and finds the columns; a required column that is
 * missing is an issue (row 0) and reads as empty. enc CODEC_UNKNOWN detects the
 * encoding from the text columns of DSKKAR00 and of DSKWOR00's first rows (until 4096
 * bytes above 0x7F or 20,000 rows; codec.h); another value is used as given. Fails
 * (err: dbf.h's codes) only when a file cannot be read as dBase at all. r is ready
 * for list_reader_close either way. */
int list_reader_open(struct list_reader *r, const char *kar_path, const char *wor_path,
		     enum codec_enc enc, struct list_issues *iss, struct err *e);
/* The same over bytes in memory, which must outlive r. */
int list_reader_open_mem(struct list_reader *r, const void *kar, size_t kar_len, const void *wor,
			 size_t wor_len, enum codec_enc enc, struct list_issues *iss,
			 struct err *e);
/* The header row; an issue when DSKKAR00 does not hold exactly one live row. Returns 0,
 * or -1 with *h zeroed when it holds none. */
int list_reader_header(struct list_reader *r, struct list_header *h, struct list_issues *iss);
/* The next live worker row into *w (every member set) and its record number into *row
 * (may be NULL). Returns 1, or 0 at the end. */
int list_reader_next(struct list_reader *r, struct list_worker *w, uint32_t *row,
		     struct list_issues *iss);
/* Back to the first worker row, for a second pass. */
void list_reader_rewind(struct list_reader *r);
/* Closes the files, or only the buffer of a part made by list_reader_split. */
void list_reader_close(struct list_reader *r);

/* Splits r's worker rows into up to n consecutive runs that can be read at once by as many
 * threads: parts[k] reads run k (close each before r); each run but the last holds a
 * multiple of `align` live rows, and first[k] is how many live rows come before run k.
 * Returns the number of parts made; 1 for a list too small to share, and then no part
 * is made (read it with r itself); 0 when out of memory. */
int list_reader_split(const struct list_reader *r, struct list_reader *parts, uint32_t *first,
		      int n, uint32_t align);

/* ---- many lists in one pair (lists/batch.h) ---- */

/* The header row at DSKKAR00 record rec (0-based, live or not), problems numbered rec + 1. */
void list_reader_header_at(struct list_reader *r, uint32_t rec, struct list_header *h,
			   struct list_issues *iss);
/* A reader over r's files with a buffer of its own (for a thread), reading nothing until
 * list_reader_range; close it before r. -1 out of memory. */
int list_reader_part(const struct list_reader *r, struct list_reader *part);
/* part reads DSKWOR00 records [from, to) next (from >= to: none). */
void list_reader_range(struct list_reader *part, uint32_t from, uint32_t to);
/* Which list record rec of DSKKAR00 (kar 1) or DSKWOR00 (kar 0) belongs to, as
 * "workshop/year/month/list number": texts trimmed, numbers as their value, so a header
 * and its rows give the same key. Returns its length (cut to cap - 1). */
size_t list_reader_list_key(const struct list_reader *r, int kar, uint32_t rec, char *out,
			    size_t cap);

/* ---- writing ---- */

/* Writes the pair with the official template's columns and widths (ListDisk v2.7:
 * DSK_NAME 30, DSK_FARM 30, DSK_ADRS 40, DSK_DISC 30, DSW_FNAME/LNAME/DNAME 60,
 * DSW_IDPLC 30, DSW_OCP 50, DSW_ID1 C8, amounts N12), in CODEC_CP1256 (language byte
 * 0x7E) or CODEC_IRANSYS (language byte 0; text in Iran System, codes and dates in
 * ASCII). A value that does not fit is an issue (text cut at a character, a number
 * written as '*'), as is a character the encoding lacks (written '?'). */
struct list_writer {
	struct dbf_writer kar, wor;
	enum codec_enc enc;
	uint32_t rows, headers;
	char *kar_path, *wor_path;
};

int list_writer_open(struct list_writer *w, const char *kar_path, const char *wor_path,
		     enum codec_enc enc, struct err *e);
int list_writer_add(struct list_writer *w, const struct list_worker *x, struct list_issues *iss,
		    struct err *e);
/* Writes the header row and closes both files; on failure both files are removed.
 * After a failed list_writer_add, call list_writer_abort instead. */
int list_writer_finish(struct list_writer *w, const struct list_header *h, struct list_issues *iss,
		       struct err *e);
/* Many lists in one pair (lists/batch.h): after each list's rows, its header row; then
 * list_writer_close. Both -1 with e (after a failed close both files are removed). */
int list_writer_header(struct list_writer *w, const struct list_header *h,
		       struct list_issues *iss, struct err *e);
int list_writer_close(struct list_writer *w, struct err *e);
/* Closes and removes both files (after an error, or to give up). */
void list_writer_abort(struct list_writer *w);

/* The whole pair at once. */
int list_write_files(const char *kar_path, const char *wor_path, enum codec_enc enc,
		     const struct list_header *h, const struct list_worker *workers, size_t n,
		     struct list_issues *iss, struct err *e);

#endif
