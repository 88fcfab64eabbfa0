/* entries: the insurance record's entries, one per worker and list (migrations 010, 013).
 * The record is every month a worker was declared on a list; this header keeps its
 * entries in the database (records/ reads a person's record over HTTP; lists/load.c
 * reads a stored list back).
 *
 * An entry says a worker was on a list: the list's month and workshop, the row, the days
 * and the insurable wage. A closed year's entries (record_years) are in work_months,
 * keyed (year, national id, month, list). An open year's are kept month first: a single
 * list's in open_months, keyed (year, month, national id, list); a batch's (batch.h), and
 * a list of LIST_RUN_ROWS workers or more (rows.h), in open_runs, a run per batch (or big
 * list) and month, sorted by national id and packed RUN_ENTRIES to a row. open_periods
 * lists the open months and their runs. Entries are stored in key order: a month's
 * entries sorted together are one append. lists/rows.h reads them. */
#ifndef TAMIN_LISTS_ENTRIES_H
#define TAMIN_LISTS_ENTRIES_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

/* The lists the entries belong to. */
struct record_list {
	int64_t list_id, workshop_id;
	int year, month;
};

/* One entry: `key` is record_entry_key(year, month, national id) of its list's month. */
struct record_entry {
	uint64_t key;
	int64_t insurable;
	uint32_t list; /* index into the caller's record_list array */
	uint32_t row_no;
	int32_t days;
};

/* A month and a national id (34 bits) as one number that sorts in open_months' order. */
static inline uint64_t record_entry_key(int year, int month, uint64_t national_id)
{
	return ((uint64_t)((year - 1300) * 12 + month - 1) << 34) | national_id;
}
static inline uint64_t record_entry_national_id(uint64_t key)
{
	return key & ((1ull << 34) - 1);
}

/* Sorts by key, stable (entries of one worker and month keep their order: put them in
 * list order). Least significant digit first, 12 bits a pass; a pass whose digit is the
 * same for every entry is skipped. -1 out of memory. */
int record_entries_sort(struct record_entry *v, size_t n);

/* Writes n entries sorted by record_entries_sort (one worker's lists of a month in list id
 * order): a closed year's into work_months; an open year's into open_months (run 0), or
 * packed into open_runs as run `run` (a batch's first list id: its lists' ids follow it),
 * with their months in open_periods. A month with an entry the packed form cannot hold
 * goes to open_months. 0, or -1 with e. */
int record_entries_store(struct db *db, const struct record_list *lists,
			 const struct record_entry *v, size_t n, int64_t run, struct err *e);

/* Entries a row of open_runs: 936 bytes, under the ~1000 bytes a WITHOUT ROWID row keeps
 * on its page before it spills to an overflow page (4 KB pages). */
#define RUN_ENTRIES 52

/* One entry of a worker in the open runs. */
struct record_hit {
	int year, month, days;
	uint32_t row_no;
	int64_t list_id, insurable; /* the workshop is the list's */
};
/* A worker's entries in the open runs, by month then run (*out: free it). 0, or -1 with
 * e. */
int record_runs_find(struct db *db, uint64_t national_id, struct record_hit **out, size_t *n,
		     struct err *e);

/* Closes a year: moves its entries from open_months into work_months in work_months' key
 * order, adds it to record_years, and drops its months from open_periods, in one
 * transaction. *moved is the number of entries moved. An already closed year: 409
 * year_closed; an earlier year still open: 409 earlier_year_open (years close in order,
 * so that every open month comes after every closed year). 0, or -1 with e. */
int record_close_year(struct db *db, int year, int64_t *moved, struct err *e);

#endif
