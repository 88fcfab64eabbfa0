/* A person's record from the stored lists. */
#include "lists/lists.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lists_person_record(struct db *db, int64_t person_id, struct arena *a,
			struct rules_record **out, int *n, struct err *e)
{
	*out = NULL;
	*n = 0;
	struct db_stmt *s =
	    db_prepare(db, "SELECT l.year, l.month, w.code, r.days, r.insurable, w.hard_job"
			   " FROM list_rows r JOIN lists l ON l.id = r.list_id"
			   " JOIN workshops w ON w.id = l.workshop_id WHERE r.person_id = $1"
			   " AND NOT EXISTS (SELECT 1 FROM lists c WHERE c.supersedes = l.id)"
			   " ORDER BY l.year, l.month, w.code");
	if (!s)
		return err_set(e, 500, "internal", "", "%s", db_errmsg(db));
	db_bind_int(s, 1, person_id);
	int cap = 0, rc;
	while ((rc = db_step(s)) == 1) {
		if (*n == cap) {
			int ncap = cap ? cap * 2 : 64;
			struct rules_record *m = arena_alloc(a, sizeof *m * (size_t)ncap);
			for (int i = 0; i < *n; i++)
				m[i] = (*out)[i];
			*out = m;
			cap = ncap;
		}
		struct rules_record *x = &(*out)[(*n)++];
		x->year = (int)db_col_int(s, 0);
		x->month = (int)db_col_int(s, 1);
		snprintf(x->workshop, sizeof x->workshop, "%s", db_col_text(s, 2));
		x->days = (int)db_col_int(s, 3);
		x->wage = db_col_int(s, 4);
		x->hard_job = (int)db_col_int(s, 5);
	}
	db_done(s);
	return rc < 0 ? err_set(e, 500, "internal", "", "%s", db_errmsg(db)) : 0;
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
		return err_set(e, 500, "internal", "", "%s", db_errmsg(db));
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
	s = db_prepare(
	    db, "SELECT r.insurance_no, p.first_name, p.last_name, p.father_name,"
		" p.birth_date, p.gender, r.job_title, r.start_date, r.end_date, r.days,"
		" r.daily_wage, r.monthly_wage, r.benefits, r.insurable, r.total,"
		" r.worker_share, r.job_code, p.national_id FROM list_rows r"
		" JOIN people p ON p.id = r.person_id WHERE r.list_id = $1 ORDER BY r.row_no");
	if (!s)
		return err_set(e, 500, "internal", "", "%s", db_errmsg(db));
	db_bind_int(s, 1, list_id);
	size_t cap = 0;
	int rc;
	while ((rc = db_step(s)) == 1) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 64;
			struct list_worker *r = realloc(out->rows, cap * sizeof *r);
			if (!r) {
				db_done(s);
				return err_set(e, 500, "internal", "", "out of memory");
			}
			out->rows = r;
		}
		struct list_worker *w = &out->rows[out->n++];
		memset(w, 0, sizeof *w);
		snprintf(w->workshop, sizeof w->workshop, "%s", h->workshop);
		w->year = h->year;
		w->month = h->month;
		snprintf(w->list_no, sizeof w->list_no, "%s", h->list_no);
		snprintf(w->insurance_no, sizeof w->insurance_no, "%s", db_col_text(s, 0));
		snprintf(w->first_name, sizeof w->first_name, "%s", db_col_text(s, 1));
		snprintf(w->last_name, sizeof w->last_name, "%s", db_col_text(s, 2));
		snprintf(w->father_name, sizeof w->father_name, "%s", db_col_text(s, 3));
		int gy, gm, gd;
		const char *b = db_col_text(s, 4);
		if (b && sscanf(b, "%d-%d-%d", &gy, &gm, &gd) == 3)
			w->birth_date = jalali_from_gregorian(gy, gm, gd);
		const char *g = db_col_text(s, 5);
		w->sex = !g ? LIST_SEX_UNKNOWN : g[0] == 'f' ? LIST_SEX_FEMALE : LIST_SEX_MALE;
		snprintf(w->nationality, sizeof w->nationality, "ایرانی");
		snprintf(w->job_title, sizeof w->job_title, "%s", db_col_text(s, 6));
		if (db_col_text(s, 7))
			jalali_parse(db_col_text(s, 7), &w->start_date);
		if (db_col_text(s, 8))
			jalali_parse(db_col_text(s, 8), &w->end_date);
		w->days = (int)db_col_int(s, 9);
		w->daily_wage = db_col_int(s, 10);
		w->monthly_wage = db_col_int(s, 11);
		w->benefits = db_col_int(s, 12);
		w->insurable = db_col_int(s, 13);
		w->total = db_col_int(s, 14);
		w->worker_share = db_col_int(s, 15);
		snprintf(w->job_code, sizeof w->job_code, "%s", db_col_text(s, 16));
		snprintf(w->national_id, sizeof w->national_id, "%s", db_col_text(s, 17));
	}
	db_done(s);
	if (rc < 0) {
		free(out->rows);
		out->rows = NULL;
		return err_set(e, 500, "internal", "", "%s", db_errmsg(db));
	}
	return 0;
}
