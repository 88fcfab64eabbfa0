/* batch: many workshops' lists in one pair of files (`tamin list batch`), as a national
 * month comes in bulk: about 2 million lists and 42 million worker rows.
 *
 * DSKKAR00 holds one header row per list; DSKWOR00 holds every list's rows, each list's
 * rows together, the lists in any order. A header and its rows are matched by what both
 * carry: workshop code, year, month and list number (list_reader_list_key).
 *
 * One thread reads DSKWOR00 once, from start to end, and hands each group of rows to the
 * checking threads (one per core) as the group ends; they find its pages still in memory.
 * Each list is checked as `tamin list import` checks one (lists.h: list_check) and is
 * accepted or refused whole, on its own: a refused list does not stop the others. Besides
 * a single list's problems, a batch refuses rows with no header (no_header), rows of a
 * list that came apart from its earlier rows (rows_apart: the list is judged on the rows
 * that came first, which must then match its header's totals), a header given a second
 * time (header_twice) and a header with no rows (no_rows).
 *
 * The accepted lists are stored in one transaction, in the order of their rows in
 * DSKWOR00 (a later list of a workshop's month supersedes an earlier one, as one by one):
 * each list's row and compressed blocks as its check ends, and every record entry at the
 * end, sorted together, so that a month's entries are one packed run (lists/entries.h). */
#ifndef TAMIN_LISTS_BATCH_H
#define TAMIN_LISTS_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "lists/lists.h"
#include "rules/rules.h"
#include "store/store.h"

struct list_batch {
	size_t lists;	/* headers, and groups of rows with none */
	size_t stored;	/* lists accepted and stored */
	size_t refused; /* lists refused */
	uint64_t rows;	/* live worker rows in DSKWOR00 */
	uint64_t stored_rows;
	/* seconds: reading the headers; matching rows to them and checking the lists, and
	 * storing them and their blocks; sorting and storing the entries; the commit (and the
	 * WAL checkpoint SQLite runs in it) */
	double match_s, check_s, entries_s, commit_s;
};

/* Told of each refused list, on the calling thread, in the order of their rows (headers
 * with none last): its problems in im->issues, its header in im->header (zeroed when it
 * has none), and the list's key ("workshop/year/month/list number"). */
typedef void (*list_batch_refused)(void *arg, const struct list_import *im, const char *key);

/* Imports every list of r's files into db (at db_path: each checking thread opens its own
 * connection there to read workshops), in one transaction of its own, by the rules, with
 * `now` as the lists' time. 0 when every list was read and each one stored or refused
 * (*out counts them); -1 with e when the batch could not be done, and then nothing is
 * stored. */
int list_batch_import(struct db *db, const char *db_path, const struct rules *rules,
		      struct list_reader *r, int64_t now, list_batch_refused refused, void *arg,
		      struct list_batch *out, struct err *e);

#endif
