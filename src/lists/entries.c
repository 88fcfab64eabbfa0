/* The insurance record's entries: sorted, stored, and moved when their year closes. */
#include "lists/entries.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/radix.h"

RADIX_SORT(sort_by_key, struct record_entry, x->key)

int record_entries_sort(struct record_entry *v, size_t n)
{
	return sort_by_key(v, n, 48); /* a month (14 bits) and a national id (34) */
}

/* Entries per INSERT: one statement of 50 rows cost about half as much as 50 statements
 * of one (a probe of 1,000,000 sorted rows: 0.51 s against 1.22 s). */
#define ENTRY_BATCH 50

/* The INSERT of n entries into work_months (closed) or open_months. */
static struct db_stmt *entry_insert(struct db *db, int closed, int n)
{
	static _Thread_local char full[2][ENTRY_BATCH * 64 + 128];
	char part[ENTRY_BATCH * 64 + 128];
	char *sql = n == ENTRY_BATCH ? full[closed] : part;
	if (n != ENTRY_BATCH || !sql[0]) {
		int len = snprintf(sql, sizeof part,
				   "INSERT INTO %s(year, month, national_id, list_id, workshop_id,"
				   " row_no, days, insurable) VALUES ",
				   closed ? "work_months" : "open_months");
		for (int i = 0, p = 1; i < n; i++, p += 8)
			len += snprintf(sql + len, sizeof part - (size_t)len,
					"%s($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", i ? ", " : "",
					p, p + 1, p + 2, p + 3, p + 4, p + 5, p + 6, p + 7);
	}
	return db_prepare(db, sql);
}

/* 1 when the year is closed, 0 open, -1 error. */
static int year_closed(struct db *db, int year)
{
	return db_run_ints(db, "SELECT 1 FROM record_years WHERE year = $1", 1, (int64_t[]){year});
}

static int add_period(struct db *db, int year, int month, int64_t run)
{
	return db_run_ints(
		   db, "INSERT INTO open_periods(year, month, run) VALUES ($1, $2, $3)"
		   " ON CONFLICT DO NOTHING",
		   3, (int64_t[]){year, month, run}) < 0
		   ? -1
		   : 0;
}

/* ---- the packed form: 18 bytes an entry, little-endian ---- */

/* national id 5 bytes, the list as its distance from the run's first list 4, insurable
 * wage 5 (a DBF N12 fits in 40 bits), row 3, days 1. The workshop is the list's. */
enum { PACKED = 18 };

static void put(unsigned char *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++, v >>= 8)
		p[i] = (unsigned char)v;
}
static uint64_t get(const unsigned char *p, int bytes)
{
	uint64_t v = 0;
	for (int i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static int packable(const struct record_entry *x, const struct record_list *l, int64_t run)
{
	return l->list_id >= run && l->list_id - run < (1ll << 32) && x->insurable >= 0 &&
	       x->insurable < (1ll << 40) && x->row_no < (1u << 24) && x->days >= 0 &&
	       x->days < 256;
}
static void pack(unsigned char *p, const struct record_entry *x, const struct record_list *l,
		 int64_t run)
{
	put(p, record_entry_national_id(x->key), 5);
	put(p + 5, (uint64_t)(l->list_id - run), 4);
	put(p + 9, (uint64_t)x->insurable, 5);
	put(p + 14, x->row_no, 3);
	p[17] = (unsigned char)x->days;
}
static uint64_t unpack(const unsigned char *p, int64_t run, struct record_hit *h)
{
	h->list_id = run + (int64_t)get(p + 5, 4);
	h->insurable = (int64_t)get(p + 9, 5);
	h->row_no = (uint32_t)get(p + 14, 3);
	h->days = p[17];
	return get(p, 5);
}

/* Writes a month's entries v[0..n) as run `run`: rows of RUN_ENTRIES or a few more, so
 * that one worker's entries share a row; all of them in one db_bulk (COPY on PostgreSQL,
 * where an INSERT a row cost a round trip each: a national month's 80,000 rows were 9.6 s
 * of a tenth of it). */
static int store_run(struct db *db, const struct record_list *lists, const struct record_entry *v,
		     size_t n, int64_t run)
{
	unsigned char *buf = malloc((RUN_ENTRIES + 64) * PACKED);
	struct db_bulk *b =
	    buf ? db_bulk_begin(db, "open_runs", "year, month, run, first_id, entries, data", 6)
		: NULL;
	if (!b) {
		free(buf);
		return -1;
	}
	for (size_t i = 0; i < n;) {
		size_t j = i, k = 0;
		while (j < n && (j - i < RUN_ENTRIES ||
				 (j - i < RUN_ENTRIES + 64 && v[j].key == v[j - 1].key))) {
			pack(buf + k * PACKED, &v[j], &lists[v[j].list], run);
			j++, k++;
		}
		const struct record_list *l = &lists[v[i].list];
		db_bulk_int(b, l->year);
		db_bulk_int(b, l->month);
		db_bulk_int(b, run);
		db_bulk_int(b, (int64_t)record_entry_national_id(v[i].key));
		db_bulk_int(b, (int64_t)k);
		db_bulk_blob(b, buf, k * PACKED);
		i = j;
	}
	free(buf);
	return db_bulk_end(b);
}

/* The entries row by row in one COPY (db_bulk): on PostgreSQL a statement of 50 rows
 * still costs a round trip to the server each, which COPY streams past. */
static int store_copy(struct db *db, int closed, const struct record_list *lists,
		      const struct record_entry *v, size_t n)
{
	struct db_bulk *b = db_bulk_begin(db, closed ? "work_months" : "open_months",
					  "year, month, national_id, list_id, workshop_id, row_no,"
					  " days, insurable",
					  8);
	if (!b)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct record_entry *x = &v[i];
		const struct record_list *l = &lists[x->list];
		db_bulk_int(b, l->year);
		db_bulk_int(b, l->month);
		db_bulk_int(b, (int64_t)record_entry_national_id(x->key));
		db_bulk_int(b, l->list_id);
		db_bulk_int(b, l->workshop_id);
		db_bulk_int(b, x->row_no);
		db_bulk_int(b, x->days);
		db_bulk_int(b, x->insurable);
	}
	return db_bulk_end(b);
}

/* Writes v[0..n), all of one month, where it belongs. */
static int store_month(struct db *db, const struct record_list *lists, const struct record_entry *v,
		       size_t n, int64_t run)
{
	const struct record_list *first = &lists[v[0].list];
	int closed = year_closed(db, first->year);
	if (closed < 0)
		return -1;
	/* a run, unless an entry does not fit the packed form: then row by row */
	for (size_t i = 0; run && i < n; i++)
		if (!packable(&v[i], &lists[v[i].list], run))
			run = 0;
	if (!closed && add_period(db, first->year, first->month, run) < 0)
		return -1;
	if (!closed && run)
		return store_run(db, lists, v, n, run);
	if (!strcmp(db_backend(db), "postgres"))
		return store_copy(db, closed, lists, v, n);
	for (size_t i = 0; i < n;) {
		int k = n - i < ENTRY_BATCH ? (int)(n - i) : ENTRY_BATCH;
		struct db_stmt *s = entry_insert(db, closed, k);
		if (!s)
			return -1;
		for (int j = 0, p = 1; j < k; j++, i++, p += 8) {
			const struct record_entry *x = &v[i];
			const struct record_list *l = &lists[x->list];
			db_bind_int(s, p, l->year);
			db_bind_int(s, p + 1, l->month);
			db_bind_int(s, p + 2, (int64_t)record_entry_national_id(x->key));
			db_bind_int(s, p + 3, l->list_id);
			db_bind_int(s, p + 4, l->workshop_id);
			db_bind_int(s, p + 5, x->row_no);
			db_bind_int(s, p + 6, x->days);
			db_bind_int(s, p + 7, x->insurable);
		}
		int rc = db_step(s);
		db_done(s);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int record_entries_store(struct db *db, const struct record_list *lists,
			 const struct record_entry *v, size_t n, int64_t run, struct err *e)
{
	for (size_t i = 0; i < n;) {
		uint64_t month = v[i].key >> 34;
		size_t j = i + 1;
		while (j < n && v[j].key >> 34 == month)
			j++;
		if (store_month(db, lists, v + i, j - i, run) < 0)
			return err_set(e, 500, "internal", "", "storing the record: %s",
				       db_errmsg(db));
		i = j;
	}
	return 0;
}

int record_runs_find(struct db *db, uint64_t national_id, struct record_hit **out, size_t *n,
		     struct err *e)
{
	*out = NULL;
	*n = 0;
	struct db_stmt *s = db_prepare(
	    db, "SELECT p.year, p.month, p.run, (SELECT r.data FROM open_runs r WHERE r.year ="
		" p.year AND r.month = p.month AND r.run = p.run AND r.first_id <= $1"
		" ORDER BY r.first_id DESC LIMIT 1) FROM open_periods p WHERE p.run > 0"
		" ORDER BY p.year, p.month, p.run");
	if (!s)
		return db_fail(db, e);
	db_bind_int(s, 1, (int64_t)national_id);
	size_t cap = 0;
	int rc;
	while ((rc = db_step(s)) == 1) {
		size_t len;
		const unsigned char *data = db_col_blob(s, 3, &len);
		int64_t run = db_col_int(s, 2);
		for (size_t at = 0; data && at + PACKED <= len; at += PACKED) {
			struct record_hit h;
			uint64_t id = unpack(data + at, run, &h);
			if (id > national_id)
				break;
			if (id < national_id)
				continue;
			h.year = (int)db_col_int(s, 0);
			h.month = (int)db_col_int(s, 1);
			if (*n == cap) {
				cap = cap ? cap * 2 : 16;
				struct record_hit *m = realloc(*out, cap * sizeof *m);
				if (!m) {
					rc = -1;
					break;
				}
				*out = m;
			}
			(*out)[(*n)++] = h;
		}
		if (rc < 0)
			break;
	}
	db_done(s);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
		return err_set(e, 500, "internal", "", "reading the record: %s", db_errmsg(db));
	}
	return 0;
}

/* The entries of year's runs into run_entries, for the move. -1 on error. */
static int unpack_runs(struct db *db, int year)
{
	if (db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS run_entries(year BIGINT, national_id BIGINT,"
			" month BIGINT, list_id BIGINT, workshop_id BIGINT, row_no BIGINT,"
			" days BIGINT, insurable BIGINT)") != 0 ||
	    db_exec(db, "DELETE FROM run_entries") != 0)
		return -1;
	struct db_stmt *s = db_prepare(db, "SELECT month, run, data FROM open_runs WHERE year = $1"
					   " ORDER BY month");
	if (!s)
		return -1;
	db_bind_int(s, 1, year);
	int rc, bad = 0;
	while (!bad && (rc = db_step(s)) == 1) {
		int month = (int)db_col_int(s, 0);
		int64_t run = db_col_int(s, 1);
		size_t len;
		const unsigned char *data = db_col_blob(s, 2, &len);
		for (size_t at = 0; !bad && data && at + PACKED <= len; at += PACKED) {
			struct record_hit h;
			uint64_t id = unpack(data + at, run, &h);
			struct db_stmt *ins = db_prepare(
			    db, "INSERT INTO run_entries VALUES ($1, $2, $3, $4, (SELECT"
				" workshop_id FROM lists WHERE id = $4), $5, $6, $7)");
			if (!ins) {
				bad = 1;
				break;
			}
			int64_t vals[] = {year,	    (int64_t)id, month,	     h.list_id,
					  h.row_no, h.days,	 h.insurable};
			for (int k = 0; k < 7; k++)
				db_bind_int(ins, k + 1, vals[k]);
			bad = db_step(ins) < 0;
			db_done(ins);
		}
	}
	db_done(s);
	return bad || rc < 0 ? -1 : 0;
}

static int close_year(struct db *db, int year, int64_t *moved, struct err *e);

int record_close_year(struct db *db, int year, int64_t *moved, struct err *e)
{
	*moved = 0;
	/* a national year is half a billion entries to sort: on disk, not in memory */
	if (db_exec(db, "PRAGMA temp_store=FILE") != 0)
		return db_fail(db, e);
	int rc = close_year(db, year, moved, e);
	db_exec(db, "PRAGMA temp_store=MEMORY");
	return rc;
}

static int close_year(struct db *db, int year, int64_t *moved, struct err *e)
{
	if (db_begin(db) < 0)
		return db_fail(db, e);
	int closed = year_closed(db, year);
	if (closed != 0) {
		db_rollback(db);
		if (closed > 0)
			return err_set(e, 409, "year_closed", "year", "%d is closed already", year);
		return db_fail(db, e);
	}
	/* years close in order, so that every open month comes after every closed year */
	struct db_stmt *q = db_prepare(db, "SELECT min(year) FROM open_periods");
	int earliest = q && db_step(q) == 1 && !db_col_is_null(q, 0) ? (int)db_col_int(q, 0) : 0;
	db_done(q);
	if (earliest && earliest < year) {
		db_rollback(db);
		return err_set(e, 409, "earlier_year_open", "year",
			       "%d is still open: close it first", earliest);
	}
	/* closed first: the open entries may leave once their year is (the triggers) */
	static const char move[] =
	    "INSERT INTO work_months(year, national_id, month, list_id, workshop_id, row_no, days,"
	    " insurable) SELECT * FROM (SELECT year, national_id, month, list_id, workshop_id,"
	    " row_no, days, insurable FROM open_months WHERE year = $1 UNION ALL"
	    " SELECT * FROM run_entries) AS e ORDER BY national_id, month, list_id";
	static const char *const steps[] = {
	    "INSERT INTO record_years(year) VALUES ($1)", move,
	    "DELETE FROM open_months WHERE year = $1",	  "DELETE FROM open_runs WHERE year = $1",
	    "DELETE FROM open_periods WHERE year = $1",
	};
	if (unpack_runs(db, year) < 0)
		goto fail;
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		if (db_run_ints(db, steps[i], 1, (int64_t[]){year}) < 0)
			goto fail;
		if (i == 1)
			*moved = db_changes(db);
	}
	if (db_exec(db, "DROP TABLE run_entries") != 0 || db_commit(db) < 0)
		goto fail;
	return 0;
fail:
	err_set(e, 500, "internal", "", "closing %d: %s", year, db_errmsg(db));
	db_rollback(db);
	return -1;
}
