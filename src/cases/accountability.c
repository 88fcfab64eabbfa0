/* Department accountability: per department and Jalali month, what it received and how
 * it answered (cases.h, cases_accountability; docs/openapi.yaml, GET
 * /api/v1/stats/departments). The supervisor's route and its Excel download; the public
 * figures (public/) read the same counts.
 *
 * One statement reads every case that counts in the range, from the covering index of
 * the outcome figures (cases_outcomes, migration 017: department, created, status,
 * answered_at, resolution_due, first_contact, reopen_count): the cases received in the
 * range, and the older ones still unanswered at the first month's end (the only ones
 * that can be overdue at a month's end). Each is put in its months here. */
#include "cases/internal.h"

#include "base/jalali.h"
#include "base/text.h"
#include "http/http.h"
#include "xlsx/xlsx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int month_index(struct jdate m)
{
	return m.y * 12 + m.m - 1;
}
static struct jdate month_at(int i)
{
	return (struct jdate){i / 12, i % 12 + 1, 1};
}

void cases_acc_month_name(struct jdate m, char out[8])
{
	snprintf(out, 8, "%04u-%02u", (unsigned)m.y % 10000u, (unsigned)m.m % 100u);
}

/* A month: "1405-01", "1405/1", or a date (Jalali or ISO) whose Tehran month it is. */
static int month_parse(const char *s, struct jdate *out)
{
	/* four digits, - or /, one or two digits, nothing else */
	size_t n = strlen(s);
	if ((n == 6 || n == 7) && (s[4] == '-' || s[4] == '/') && strspn(s, "0123456789") == 4 &&
	    strspn(s + 5, "0123456789") == n - 5) {
		int y = atoi(s), m = atoi(s + 5);
		if (y < 1300 || y >= 1700 || m < 1 || m > 12)
			return -1;
		*out = (struct jdate){y, m, 1};
		return 0;
	}
	struct jdate j;
	int64_t t;
	if (jalali_parse(s, &j) == 0 && j.y < 1700) {
		*out = (struct jdate){j.y, j.m, 1};
		return 0;
	}
	if (iso_parse(s, &t) == 0) {
		j = tehran_from_unix(t).date;
		if (j.y < 1300 || j.y >= 1700)
			return -1;
		*out = (struct jdate){j.y, j.m, 1};
		return 0;
	}
	return -1;
}

int cases_acc_months(const char *from, const char *to, int64_t now, struct cases_acc_query *q,
		     struct err *e)
{
	struct jdate f, t = tehran_from_unix(now).date;
	t.d = 1;
	if (to && month_parse(to, &t) < 0)
		return err_set(e, 400, "invalid_field", "to",
			       "to must be a Jalali month (1405-01) or a date");
	if (from) {
		if (month_parse(from, &f) < 0)
			return err_set(e, 400, "invalid_field", "from",
				       "from must be a Jalali month (1405-01) or a date");
	} else {
		f = month_at(month_index(t) - 11);
	}
	int n = month_index(t) - month_index(f) + 1;
	if (n < 1)
		return to ? err_set(e, 400, "invalid_field", "to", "to must not be before from")
			  : err_set(e, 400, "invalid_field", "from",
				    "from must not be after this month");
	if (n > CASES_ACC_MONTHS_MAX)
		return err_set(e, 400, "invalid_field", "from", "at most %d months at once",
			       CASES_ACC_MONTHS_MAX);
	q->from = f;
	q->to = t;
	q->now = now;
	return 0;
}

void cases_acc_release(struct cases_acc *a)
{
	free(a->cells);
	a->cells = NULL;
}

/* The month of instant t among a's, or -1. */
static int month_of(const struct cases_acc *a, int64_t t)
{
	if (t < a->start[0] || t >= a->start[a->nmonths])
		return -1;
	int lo = 0, hi = a->nmonths - 1;
	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;
		if (a->start[mid] <= t)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

int cases_accountability(struct db *db, const struct cases_acc_query *q, struct cases_acc *a,
			 struct err *e)
{
	memset(a, 0, sizeof *a);
	a->ndeps = catalog_departments(&a->deps);
	a->nmonths = month_index(q->to) - month_index(q->from) + 1;
	if (a->nmonths < 1 || a->nmonths > CASES_ACC_MONTHS_MAX)
		return err_set(e, 400, "invalid_field", "from", "at most %d months at once",
			       CASES_ACC_MONTHS_MAX);
	for (int i = 0; i <= a->nmonths; i++) {
		struct jdate m = month_at(month_index(q->from) + i);
		if (i < a->nmonths)
			a->month[i] = m;
		a->start[i] = tehran_to_unix(m, 0);
	}
	a->cells = calloc((size_t)a->nmonths * (size_t)(a->ndeps ? a->ndeps : 1), sizeof *a->cells);
	if (!a->cells)
		abort();

	/* created with a unary plus: the planner then reads cases_outcomes whole (it holds
	 * every column) rather than seeking cases_created and reading each row; a
	 * department is a seek in it. The CASE keeps a merged case (closed, never
	 * answered) out of the open and overdue ones. */
	struct db_stmt *st = db_prepare(
	    db, q->department_id
		    ? "SELECT department_id, created, answered_at, resolution_due, reopen_count,"
		      " first_contact, CASE WHEN status = 'closed' THEN 1 ELSE 0 END FROM cases"
		      " WHERE +created < $1 AND (+created >= $2 OR answered_at IS NULL"
		      " OR answered_at >= $3) AND department_id = $4"
		    : "SELECT department_id, created, answered_at, resolution_due, reopen_count,"
		      " first_contact, CASE WHEN status = 'closed' THEN 1 ELSE 0 END FROM cases"
		      " WHERE +created < $1 AND (+created >= $2 OR answered_at IS NULL"
		      " OR answered_at >= $3)");
	if (!st)
		return db_fail(db, e);
	db_bind_int(st, 1, a->start[a->nmonths]);
	db_bind_int(st, 2, a->start[0]);
	db_bind_int(st, 3, a->start[1]);
	if (q->department_id)
		db_bind_int(st, 4, q->department_id);
	int step;
	while ((step = db_step(st)) == 1) {
		int64_t dep = db_col_int(st, 0), created = db_col_int(st, 1);
		int answered = !db_col_is_null(st, 2);
		int64_t answered_at = db_col_int(st, 2), due = db_col_int(st, 3);
		int reopened = db_col_int(st, 4) > 0, first = db_col_int(st, 5) == 1;
		int merged = !answered && db_col_int(st, 6);
		int d = 0;
		while (d < a->ndeps && a->deps[d].id != dep)
			d++;
		if (d == a->ndeps)
			continue; /* a department no longer in the catalogue */
		int i = month_of(a, created);
		if (i >= 0) {
			struct cases_acc_cell *c = &a->cells[i * a->ndeps + d];
			c->received++;
			if (answered && answered_at <= due)
				c->in_time++;
			else if (answered)
				c->late++;
			else if (!merged)
				c->open++;
			c->reopened += reopened;
			c->first_contact += first;
		}
		if (merged || db_col_is_null(st, 3))
			continue;
		/* overdue at each month's end (or now, for the month under way) */
		for (int j = i < 0 ? 0 : i; j < a->nmonths; j++) {
			int64_t end = a->start[j + 1] < q->now ? a->start[j + 1] : q->now;
			if (created < end && due < end && (!answered || answered_at >= end))
				a->cells[j * a->ndeps + d].overdue++;
		}
	}
	db_done(st);
	if (step < 0)
		return db_fail(db, e);
	return 0;
}

/* ---- the supervisor's route ---- */

static double share(int64_t part, int64_t whole)
{
	return whole ? (double)part / whole : -1;
}

static void acc_cell_json(struct jw *w, const struct cases_acc_cell *c)
{
	jw_int(w, "received", c->received);
	jw_int(w, "answered_in_time", c->in_time);
	jw_int(w, "answered_late", c->late);
	jw_int(w, "open", c->open);
	jw_int(w, "overdue", c->overdue);
	jw_int(w, "reopened", c->reopened);
	jw_int(w, "first_contact", c->first_contact);
	double s = share(c->in_time, c->in_time + c->late);
	if (s < 0) {
		jw_null(w, "in_time_share");
	} else {
		char t[32];
		snprintf(t, sizeof t, "%.4f", s);
		jw_raw(w, "in_time_share", t);
	}
}

static void cell_add(struct cases_acc_cell *to, const struct cases_acc_cell *c)
{
	to->received += c->received;
	to->in_time += c->in_time;
	to->late += c->late;
	to->open += c->open;
	to->overdue += c->overdue;
	to->reopened += c->reopened;
	to->first_contact += c->first_contact;
}

static int dep_shown(const struct cases_acc *a, const struct cases_acc_query *q, int d)
{
	return !q->department_id || a->deps[d].id == q->department_id;
}

static void acc_json(const struct cases_acc *a, const struct cases_acc_query *q, struct jw *w)
{
	char name[8];
	jw_object(w, NULL);
	jw_array(w, "months");
	for (int i = 0; i < a->nmonths; i++) {
		cases_acc_month_name(a->month[i], name);
		jw_object(w, NULL);
		jw_str(w, "month", name);
		jw_time(w, "start", a->start[i]);
		jw_time(w, "end", a->start[i + 1]);
		struct cases_acc_cell total = {0};
		for (int d = 0; d < a->ndeps; d++)
			if (dep_shown(a, q, d))
				cell_add(&total, &a->cells[i * a->ndeps + d]);
		jw_object(w, "totals");
		acc_cell_json(w, &total);
		jw_end(w);
		jw_end(w);
	}
	jw_end(w);
	jw_array(w, "rows");
	for (int i = 0; i < a->nmonths; i++) {
		cases_acc_month_name(a->month[i], name);
		for (int d = 0; d < a->ndeps; d++) {
			if (!dep_shown(a, q, d))
				continue;
			jw_object(w, NULL);
			jw_str(w, "month", name);
			jw_str(w, "department", a->deps[d].code);
			jw_str(w, "name", a->deps[d].name);
			acc_cell_json(w, &a->cells[i * a->ndeps + d]);
			jw_end(w);
		}
	}
	jw_end(w);
	jw_time(w, "generated_at", q->now);
	jw_end(w);
}

static int acc_xlsx(const struct cases_acc *a, const struct cases_acc_query *q, char **data,
		    size_t *len, struct err *e)
{
	static const char *const heads[] = {"ماه",
					    "کد واحد",
					    "واحد",
					    "دریافتی",
					    "پاسخ در مهلت",
					    "پاسخ پس از مهلت",
					    "بی‌پاسخ و باز",
					    "دیرکرد در پایان ماه",
					    "بازگشایی‌شده",
					    "حل در تماس اول",
					    "سهم پاسخ در مهلت"};
	struct xlsx *xb = xlsx_new(e);
	if (!xb)
		return -1;
	xlsx_sheet(xb, "پاسخگویی واحدها", heads, (int)(sizeof heads / sizeof *heads));
	for (int i = 0; i < a->nmonths; i++) {
		char name[8];
		cases_acc_month_name(a->month[i], name);
		name[4] = '/';
		for (int d = 0; d < a->ndeps; d++) {
			if (!dep_shown(a, q, d))
				continue;
			const struct cases_acc_cell *c = &a->cells[i * a->ndeps + d];
			xlsx_row(xb);
			xlsx_text(xb, name);
			xlsx_text(xb, a->deps[d].code);
			xlsx_text(xb, a->deps[d].name);
			const int64_t n[] = {c->received, c->in_time,  c->late,		c->open,
					     c->overdue,  c->reopened, c->first_contact};
			for (size_t k = 0; k < sizeof n / sizeof *n; k++)
				xlsx_num(xb, (double)n[k]);
			double s = share(c->in_time, c->in_time + c->late);
			if (s < 0)
				xlsx_skip(xb);
			else
				xlsx_num(xb, s);
		}
	}
	return xlsx_finish(xb, data, len, e);
}

/* The route's query: 0, or -1 having replied 400 or 403. */
static int acc_query_of(struct req *r, struct cases_acc_query *q)
{
	struct err e;
	memset(q, 0, sizeof *q);
	const char *from = req_query(r, "from"), *to = req_query(r, "to");
	if (from)
		from = text_normalize(&r->arena, from);
	if (to)
		to = text_normalize(&r->arena, to);
	if (cases_acc_months(from, to, req_now(), q, &e) < 0 ||
	    cases_query_department(r, &q->department_id, &e) < 0) {
		reply_error(r, &e);
		return -1;
	}
	return 0;
}

void cases_h_accountability(struct req *r)
{
	struct cases_acc_query q;
	if (acc_query_of(r, &q) < 0)
		return;
	struct err e;
	struct cases_acc a;
	if (cases_accountability(req_db(r), &q, &a, &e) < 0) {
		cases_acc_release(&a);
		reply_error(r, &e);
		return;
	}
	struct jw w;
	jw_init(&w);
	acc_json(&a, &q, &w);
	cases_acc_release(&a);
	reply_jw(r, 200, &w);
}

void cases_h_accountability_xlsx(struct req *r)
{
	struct cases_acc_query q;
	if (acc_query_of(r, &q) < 0)
		return;
	struct err e;
	struct cases_acc a;
	char *data = NULL;
	size_t len = 0;
	int rc = cases_accountability(req_db(r), &q, &a, &e);
	if (rc == 0)
		rc = acc_xlsx(&a, &q, &data, &len, &e);
	cases_acc_release(&a);
	if (rc < 0) {
		reply_error(r, &e);
		return;
	}
	char from[8], to[8];
	cases_acc_month_name(q.from, from);
	cases_acc_month_name(q.to, to);
	req_set_header(r, "Content-Disposition",
		       arena_printf(&r->arena,
				    "attachment; filename=\"tamin-departments-%s-%s.xlsx\"", from,
				    to));
	reply_bytes(r, 200, XLSX_TYPE, data, len);
}
