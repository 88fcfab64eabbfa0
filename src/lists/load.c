/* A stored list read back whole, as its header and rows (lists_load, for `tamin list
 * export`). */
#include "lists/lists.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct load {
	struct list_array *out;
	const struct list_header *h;
	size_t cap;
};

static int load_row(void *arg, const struct list_worker *x, uint32_t row_no)
{
	(void)row_no;
	struct load *l = arg;
	struct list_array *out = l->out;
	if (out->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		struct list_worker *r = realloc(out->rows, l->cap * sizeof *r);
		if (!r)
			return -1;
		out->rows = r;
	}
	struct list_worker *w = &out->rows[out->n++];
	*w = *x;
	snprintf(w->workshop, sizeof w->workshop, "%s", l->h->workshop);
	w->year = l->h->year;
	w->month = l->h->month;
	snprintf(w->list_no, sizeof w->list_no, "%s", l->h->list_no);
	if (!w->nationality[0])
		snprintf(w->nationality, sizeof w->nationality, "ایرانی");
	return 0;
}

int lists_load(struct db *db, int64_t list_id, struct list_array *out, struct err *e)
{
	memset(out, 0, sizeof *out);
	struct list_header *h = &out->header;
	struct db_stmt *s = db_prepare(
	    db, "SELECT w.code, w.name, w.employer_name, w.address, l.year, l.month, l.list_no,"
		" l.workers, l.days, l.daily_wages, l.monthly_wages, l.benefits, l.insurable,"
		" l.total, l.worker_share, l.employer_share, l.unemployment, l.hard_job_share,"
		" l.rate FROM lists l JOIN workshops w ON w.id = l.workshop_id WHERE l.id = $1");
	if (!s)
		return db_fail(db, e);
	db_bind_int(s, 1, list_id);
	if (db_step(s) != 1) {
		db_done(s);
		return err_set(e, 404, "not_found", "list", "no list %lld", (long long)list_id);
	}
	snprintf(h->workshop, sizeof h->workshop, "%s", db_col_text(s, 0));
	snprintf(h->name, sizeof h->name, "%s", db_col_text(s, 1));
	snprintf(h->employer, sizeof h->employer, "%s", db_col_text(s, 2));
	snprintf(h->address, sizeof h->address, "%s", db_col_text(s, 3));
	h->year = (int)db_col_int(s, 4);
	h->month = (int)db_col_int(s, 5);
	snprintf(h->list_no, sizeof h->list_no, "%s", db_col_text(s, 6));
	int64_t *totals[] = {&h->workers,	&h->days,	   &h->daily_wages,
			     &h->monthly_wages, &h->benefits,	   &h->insurable,
			     &h->total,		&h->worker_share,  &h->employer_share,
			     &h->unemployment,	&h->hard_job_share};
	for (int i = 0; i < 11; i++)
		*totals[i] = db_col_int(s, 7 + i);
	h->rate = (int)db_col_int(s, 18);
	snprintf(h->contract_row, sizeof h->contract_row, "000");
	db_done(s);
	struct load l = {out, h, 0};
	if (list_rows_each(db, list_id, load_row, &l, e) < 0) {
		if (!e->status)
			err_set(e, 500, "internal", "", "out of memory");
		free(out->rows);
		out->rows = NULL;
		out->n = 0;
		return -1;
	}
	return 0;
}
