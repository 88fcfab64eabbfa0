/* Pension batches and a pensioner's view. */
#include "pensions/pensions.h"

#include "app.h"
#include "http/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "base/fields.h"
#include "catalog/catalog.h"

static int sqlerr(struct db *db, struct err *e)
{
	return db_fail(db, e);
}

static int batch_totals(struct db *db, struct pension_batch *b, struct err *e)
{
	struct db_stmt *s = db_prepare(db, "SELECT count(*), coalesce(sum(before), 0),"
					   " coalesce(sum(after), 0) FROM pension_changes"
					   " WHERE batch_id = $1");
	if (!s)
		return sqlerr(db, e);
	db_bind_int(s, 1, b->id);
	if (db_step(s) == 1) {
		b->pensioners = db_col_int(s, 0);
		b->before = db_col_int(s, 1);
		b->after = db_col_int(s, 2);
	}
	db_done(s);
	return 0;
}

/* The yearly increase is once a year (Article 96 raises pensions at the year's start): 1
 * and e set (409 already_applied, naming "date") when an increase batch of `year` other
 * than `except` was applied, 0 when none was, -1 with e on a database error. */
static int increase_applied(struct db *db, int year, int64_t except, struct err *e)
{
	struct db_stmt *s = db_prepare(db, "SELECT id FROM pension_batches WHERE kind = 'increase'"
					   " AND year = $1 AND status = 'applied' AND id <> $2");
	if (!s)
		return sqlerr(db, e);
	db_bind_int(s, 1, year);
	db_bind_int(s, 2, except);
	int rc = db_step(s);
	int64_t id = rc == 1 ? db_col_int(s, 0) : 0;
	db_done(s);
	if (rc < 0)
		return sqlerr(db, e);
	if (!id)
		return 0;
	err_set(e, 409, "already_applied", "date",
		"the increase of %d was applied already (batch %lld); it is applied once a year",
		year, (long long)id);
	return 1;
}

int pensions_preview_increase(struct db *db, const struct rules *r, struct jdate on,
			      int64_t user_id, int64_t now, struct pension_batch *out,
			      struct err *e)
{
	memset(out, 0, sizeof *out);
	out->on = on;
	struct rules_increase inc;
	if (rules_increase_for(r, on, &inc, e) < 0)
		return -1;
	if (increase_applied(db, on.y, 0, e))
		return -1;
	char params[512], d[11];
	jalali_format(on, d);
	snprintf(params, sizeof params,
		 "{\"on\":\"%s\",\"percent_bp\":%lld,\"fixed\":%lld,\"minimum\":%lld}", d,
		 (long long)inc.percent_bp, (long long)inc.fixed, (long long)inc.minimum);
	struct db_stmt *s = db_prepare(db, "INSERT INTO pension_batches(kind, year, params, status,"
					   " created, created_by) VALUES ('increase', $1, $2,"
					   " 'preview', $3, $4)");
	if (!s)
		return sqlerr(db, e);
	db_bind_int(s, 1, on.y);
	db_bind_text(s, 2, params);
	db_bind_int(s, 3, now);
	if (user_id)
		db_bind_int(s, 4, user_id);
	else
		db_bind_null(s, 4);
	int rc = db_step(s);
	db_done(s);
	if (rc < 0)
		return sqlerr(db, e);
	out->id = db_last_id(db);
	/* every pension through the rules' arithmetic, in id order, one insert each */
	struct db_stmt *q = db_prepare(db, "SELECT id, amount, type FROM pensioners ORDER BY id");
	struct db_stmt *ins = db_prepare(db, "INSERT INTO pension_changes(batch_id, pensioner_id,"
					     " before, after) VALUES ($1, $2, $3, $4)");
	if (!q || !ins)
		return sqlerr(db, e);
	while ((rc = db_step(q)) == 1) {
		int64_t id = db_col_int(q, 0), before = db_col_int(q, 1);
		int full = strcmp(db_col_text(q, 2), "survivors") != 0;
		int64_t after = rules_increase_apply(&inc, before, full);
		if (after < 0) { /* past RULES_MAX_MONEY: no rule of ours reaches that */
			db_done(q);
			return err_set(e, 422, "amount_out_of_range", "date",
				       "pensioner %lld: the increased pension would pass the largest "
				       "amount the rules take; check that pension's record",
				       (long long)id);
		}
		db_bind_int(ins, 1, out->id);
		db_bind_int(ins, 2, id);
		db_bind_int(ins, 3, before);
		db_bind_int(ins, 4, after);
		if (db_step(ins) < 0) {
			db_done(q);
			return sqlerr(db, e);
		}
		db_done(ins);
		out->pensioners++;
		out->before += before;
		out->after += after;
	}
	db_done(q);
	return rc < 0 ? sqlerr(db, e) : 0;
}

/* The monthly minimum wage of a grant's month, from a cache by month: a few dozen distinct
 * months for millions of pensioners. */
struct wage_cache {
	int64_t wage[200 * 12];
};
static int64_t grant_wage(const struct rules *r, struct wage_cache *c, int y, int m)
{
	if (y < 1350 || y >= 1550 || m < 1 || m > 12)
		return -1;
	int64_t *w = &c->wage[(y - 1350) * 12 + m - 1];
	if (!*w) {
		struct err e;
		struct jdate d = {y, m, 1};
		if (rules_minimum_wage(r, d, w, &e) < 0)
			*w = -1;
	}
	return *w;
}

int pensions_preview_equalisation(struct db *db, const struct rules *r, struct jdate on,
				  int64_t user_id, int64_t now, struct pension_batch *out,
				  struct err *e)
{
	memset(out, 0, sizeof *out);
	out->on = on;
	struct rules_equalisation q;
	if (rules_equalisation_for(r, on, &q, e) < 0)
		return -1;
	struct db_stmt *s = db_prepare(db, "INSERT INTO pension_batches(kind, year, params, status,"
					   " created, created_by) VALUES ('equalisation', $1, '{}',"
					   " 'preview', $2, $3)");
	if (!s)
		return sqlerr(db, e);
	db_bind_int(s, 1, on.y);
	db_bind_int(s, 2, now);
	if (user_id)
		db_bind_int(s, 3, user_id);
	else
		db_bind_null(s, 3);
	int rc = db_step(s);
	db_done(s);
	if (rc < 0)
		return sqlerr(db, e);
	out->id = db_last_id(db);
	/* each pension as it would be without the equalisation paid so far (the applied
	 * equalisation batches' changes), then with the step in force */
	struct db_stmt *sel = db_prepare(
	    db, "SELECT p.id, p.amount, p.granted, p.start_year, p.start_month, coalesce(x.paid, 0)"
		" FROM pensioners p LEFT JOIN (SELECT c.pensioner_id AS id,"
		" sum(c.after - c.before) AS paid FROM pension_changes c JOIN pension_batches b"
		" ON b.id = c.batch_id WHERE b.kind = 'equalisation' AND b.status = 'applied'"
		" GROUP BY c.pensioner_id) x ON x.id = p.id ORDER BY p.id");
	struct db_stmt *ins = db_prepare(db, "INSERT INTO pension_changes(batch_id, pensioner_id,"
					     " before, after) VALUES ($1, $2, $3, $4)");
	struct wage_cache *wages = calloc(1, sizeof *wages);
	if (!sel || !ins || !wages) {
		free(wages);
		db_done(sel);
		return sqlerr(db, e);
	}
	while ((rc = db_step(sel)) == 1) {
		int64_t id = db_col_int(sel, 0), before = db_col_int(sel, 1);
		int64_t gw = db_col_is_null(sel, 2) ? -1
						    : grant_wage(r, wages, (int)db_col_int(sel, 3),
								 (int)db_col_int(sel, 4));
		if (gw <= 0) { /* no granted pension on record, or no minimum wage then */
			out->skipped++;
			continue;
		}
		int64_t after = rules_equalisation_apply(&q, db_col_int(sel, 2), gw,
							 before - db_col_int(sel, 5));
		if (after < before) /* what was paid is never taken back */
			after = before;
		db_bind_int(ins, 1, out->id);
		db_bind_int(ins, 2, id);
		db_bind_int(ins, 3, before);
		db_bind_int(ins, 4, after);
		if (db_step(ins) < 0) {
			rc = -1;
			break;
		}
		db_done(ins);
		out->pensioners++;
		out->before += before;
		out->after += after;
	}
	db_done(sel);
	db_done(ins);
	free(wages);
	if (rc < 0)
		return sqlerr(db, e);
	char params[512], d[11];
	jalali_format(on, d);
	snprintf(params, sizeof params,
		 "{\"on\":\"%s\",\"step\":%d,\"cumulative_bp\":%lld,\"target_bp\":%lld,"
		 "\"minimum_wage\":%lld,\"left_out\":%lld}",
		 d, q.step, (long long)q.cumulative_bp, (long long)q.target_bp,
		 (long long)q.minimum_wage, (long long)out->skipped);
	s = db_prepare(db, "UPDATE pension_batches SET params = $2 WHERE id = $1");
	db_bind_int(s, 1, out->id);
	db_bind_text(s, 2, params);
	rc = db_step(s);
	db_done(s);
	return rc < 0 ? sqlerr(db, e) : 0;
}

int pensions_apply(struct db *db, int64_t batch_id, int64_t now, struct pension_batch *out,
		   struct err *e)
{
	memset(out, 0, sizeof *out);
	out->id = batch_id;
	struct db_stmt *s = db_prepare(db, "SELECT status FROM pension_batches WHERE id = $1");
	if (!s)
		return sqlerr(db, e);
	db_bind_int(s, 1, batch_id);
	int found = db_step(s) == 1;
	int applied = found && !strcmp(db_col_text(s, 0), "applied");
	db_done(s);
	if (!found)
		return err_set(e, 404, "not_found", "id", "no such batch");
	if (applied)
		return err_set(e, 409, "already_applied", "id", "the batch was applied already");
	/* a second preview of the same year's increase, made before the first was applied */
	s = db_prepare(db, "SELECT kind, year FROM pension_batches WHERE id = $1");
	if (!s)
		return sqlerr(db, e);
	db_bind_int(s, 1, batch_id);
	int again = db_step(s) == 1 && !strcmp(db_col_text(s, 0), "increase") &&
		    increase_applied(db, (int)db_col_int(s, 1), batch_id, e);
	db_done(s);
	if (again)
		return -1;
	/* one pass: a pension still at its previewed "before" takes its "after"; if any
	 * changed since the preview, fewer rows change and the whole batch is refused (the
	 * writer rolls the job back) */
	s = db_prepare(db, "UPDATE pensioners SET amount = c.after FROM pension_changes c"
			   " WHERE c.batch_id = $1 AND c.pensioner_id = pensioners.id"
			   " AND pensioners.amount = c.before");
	if (!s)
		return sqlerr(db, e);
	db_bind_int(s, 1, batch_id);
	int rc = db_step(s);
	db_done(s);
	if (rc < 0)
		return sqlerr(db, e);
	int64_t updated = db_changes(db);
	if (batch_totals(db, out, e) < 0)
		return -1;
	if (updated != out->pensioners)
		return err_set(e, 409, "stale_batch", "id",
			       "%lld pensions changed since the preview: preview again",
			       (long long)(out->pensioners - updated));
	s = db_prepare(db, "UPDATE pension_batches SET status = 'applied', applied_at = $2"
			   " WHERE id = $1");
	db_bind_int(s, 1, batch_id);
	db_bind_int(s, 2, now);
	rc = db_step(s);
	db_done(s);
	return rc < 0 ? sqlerr(db, e) : 0;
}

/* ---- HTTP ---- */

static void write_batch(struct jw *w, struct db *db, int64_t id)
{
	struct db_stmt *s = db_prepare(db, "SELECT kind, year, params, status, created, applied_at"
					   " FROM pension_batches WHERE id = $1");
	db_bind_int(s, 1, id);
	if (db_step(s) == 1) {
		jw_int(w, "id", id);
		jw_str(w, "kind", db_col_text(s, 0));
		jw_int(w, "year", db_col_int(s, 1));
		jw_raw(w, "params", db_col_text(s, 2));
		jw_str(w, "status", db_col_text(s, 3));
		jw_time(w, "created", db_col_int(s, 4));
		if (db_col_text(s, 5))
			jw_time(w, "applied_at", db_col_int(s, 5));
		else
			jw_null(w, "applied_at");
	}
	db_done(s);
	struct pension_batch b = {.id = id};
	struct err e;
	batch_totals(db, &b, &e);
	jw_int(w, "pensioners", b.pensioners);
	jw_int(w, "before", b.before);
	jw_int(w, "after", b.after);
	jw_int(w, "increase", b.after - b.before);
	s = db_prepare(
	    db, "SELECT p.national_id, c.before, c.after FROM pension_changes c"
		" JOIN pensioners x ON x.id = c.pensioner_id JOIN people p"
		" ON p.id = x.person_id WHERE c.batch_id = $1 ORDER BY c.pensioner_id LIMIT 10");
	db_bind_int(s, 1, id);
	jw_array(w, "sample");
	while (db_step(s) == 1) {
		jw_object(w, NULL);
		jw_str(w, "national_id", db_col_text(s, 0));
		jw_int(w, "before", db_col_int(s, 1));
		jw_int(w, "after", db_col_int(s, 2));
		jw_end(w);
	}
	db_done(s);
	jw_end(w);
}

static void reply_batch(struct req *r, int status, int64_t id)
{
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	write_batch(&w, req_db(r), id);
	jw_end(&w);
	reply_jw(r, status, &w);
}

struct batch_ctx {
	struct req *r;
	struct jdate on;
	int64_t id;
	int apply, equalisation;
	struct pension_batch b;
	struct write_job job;
};

static int batch_run(struct db *db, void *arg, struct err *e)
{
	struct batch_ctx *x = arg;
	int64_t now = req_now();
	int rc = x->apply	  ? pensions_apply(db, x->id, now, &x->b, e)
		 : x->equalisation ? pensions_preview_equalisation(db, x->r->app->rules, x->on,
								   x->r->who.user_id, now, &x->b, e)
				   : pensions_preview_increase(db, x->r->app->rules, x->on,
							       x->r->who.user_id, now, &x->b, e);
	if (rc < 0)
		return -1;
	char *reason = arena_printf(&x->r->arena, "batch %lld: %lld pensions", (long long)x->b.id,
				    (long long)x->b.pensioners);
	struct audit_entry a = {
	    .action = x->apply ? "pension_batch_apply" : "pension_batch_preview", .reason = reason};
	return audit_insert(db, &x->r->who, x->r->ip, now, &a, e);
}

static void batch_done(void *arg, int rc, const struct err *e)
{
	struct batch_ctx *x = arg;
	if (rc < 0)
		reply_error(x->r, e);
	else
		reply_batch(x->r, x->apply ? 200 : 201, x->b.id);
}

/* the admin, a supervisor of every department, or the pensions department's */
static int may_run(struct req *r)
{
	if (r->who.role != ROLE_SUPERVISOR || !r->who.department_id)
		return 1;
	const struct department *d = catalog_department_by_code("pensions");
	if (d && d->id == r->who.department_id)
		return 1;
	reply_errorf(r, 403, "forbidden", "", "pension batches are the pensions department's");
	return 0;
}

static void submit(struct req *r, struct batch_ctx *x)
{
	x->r = r;
	req_write_job(r, &x->job, batch_run, batch_done, x);
}

void pensions_h_preview(struct req *r)
{
	static const char *const known[] = {"kind", "date", NULL};
	if (!may_run(r))
		return;
	struct err e;
	json_t *b = req_json(r, &e);
	const char *kind = NULL, *date = NULL;
	struct batch_ctx *x = arena_alloc(&r->arena, sizeof *x);
	memset(x, 0, sizeof *x);
	if (!b || field_only(b, known, &e) < 0 ||
	    field_key(b, "kind", 1, 16, &r->arena, &kind, &e) < 0 ||
	    field_key(b, "date", 0, 16, &r->arena, &date, &e) < 0)
		goto bad;
	if (strcmp(kind, "increase") && strcmp(kind, "equalisation")) {
		err_set(&e, 400, "invalid_field", "kind", "kind is increase or equalisation");
		goto bad;
	}
	x->equalisation = !strcmp(kind, "equalisation");
	x->on = tehran_from_unix(req_now()).date;
	if (date && jalali_parse(date, &x->on) < 0) {
		err_set(&e, 400, "invalid_field", "date", "date is a Jalali date, e.g. 1405/01/01");
		goto bad;
	}
	submit(r, x);
	return;
bad:
	reply_error(r, &e);
}

void pensions_h_apply(struct req *r)
{
	struct batch_ctx *x = arena_alloc(&r->arena, sizeof *x);
	memset(x, 0, sizeof *x);
	if (!(x->id = req_path_id(r))) {
		reply_errorf(r, 400, "invalid_field", "id", "a batch id is a positive number");
		return;
	}
	if (!may_run(r))
		return;
	x->apply = 1;
	submit(r, x);
}

void pensions_h_batch(struct req *r)
{
	int64_t id = req_path_id(r);
	if (!id) {
		reply_errorf(r, 400, "invalid_field", "id", "a batch id is a positive number");
		return;
	}
	struct db_stmt *s = db_prepare(req_db(r), "SELECT 1 FROM pension_batches WHERE id = $1");
	db_bind_int(s, 1, id);
	int found = db_step(s) == 1;
	db_done(s);
	if (!found) {
		reply_errorf(r, 404, "not_found", "id", "no such batch");
		return;
	}
	reply_batch(r, 200, id);
}

int pensions_is_pensioner(struct db *db, int64_t person_id)
{
	struct db_stmt *s = db_prepare(db, "SELECT 1 FROM pensioners WHERE person_id = $1");
	if (!s)
		return -1;
	db_bind_int(s, 1, person_id);
	int rc = db_step(s);
	db_done(s);
	return rc;
}

void pensions_person_json(struct db *db, int64_t person_id, struct jw *w, const char *key)
{
	struct db_stmt *s = db_prepare(db, "SELECT id, type, start_year, start_month, amount"
					   " FROM pensioners WHERE person_id = $1");
	db_bind_int(s, 1, person_id);
	if (db_step(s) != 1) {
		db_done(s);
		jw_null(w, key);
		return;
	}
	int64_t id = db_col_int(s, 0);
	jw_object(w, key);
	jw_str(w, "type", db_col_text(s, 1));
	char start[8];
	snprintf(start, sizeof start, "%04d/%02d", (int)db_col_int(s, 2), (int)db_col_int(s, 3));
	jw_str(w, "start", start);
	jw_int(w, "amount", db_col_int(s, 4));
	db_done(s);
	/* batch by batch through pension_changes' primary key (migration 009) */
	s = db_prepare(db, "SELECT b.id, b.kind, b.year, b.status, b.applied_at, c.before, c.after"
			   " FROM pension_batches b JOIN pension_changes c ON c.batch_id = b.id"
			   " AND c.pensioner_id = $1 WHERE b.status = 'applied' ORDER BY b.id");
	db_bind_int(s, 1, id);
	jw_array(w, "changes");
	while (db_step(s) == 1) {
		jw_object(w, NULL);
		jw_int(w, "batch", db_col_int(s, 0));
		jw_str(w, "kind", db_col_text(s, 1));
		jw_int(w, "year", db_col_int(s, 2));
		jw_time(w, "applied_at", db_col_int(s, 4));
		jw_int(w, "before", db_col_int(s, 5));
		jw_int(w, "after", db_col_int(s, 6));
		jw_end(w);
	}
	db_done(s);
	jw_end(w);
	s = db_prepare(db,
		       "SELECT year, month, amount FROM pension_payments WHERE pensioner_id = $1"
		       " ORDER BY year DESC, month DESC LIMIT 24");
	db_bind_int(s, 1, id);
	jw_array(w, "payments");
	while (db_step(s) == 1) {
		jw_object(w, NULL);
		char m[8];
		snprintf(m, sizeof m, "%04d/%02d", (int)db_col_int(s, 0), (int)db_col_int(s, 1));
		jw_str(w, "month", m);
		jw_int(w, "amount", db_col_int(s, 2));
		jw_end(w);
	}
	db_done(s);
	jw_end(w);
	jw_end(w);
}

int pensions_of_person(struct db *db, int64_t person_id, struct pensioner *out)
{
	struct db_stmt *s = db_prepare(db, "SELECT id, type, start_year, start_month, amount"
					   " FROM pensioners WHERE person_id = $1");
	if (!s)
		return -1;
	db_bind_int(s, 1, person_id);
	int rc = db_step(s);
	if (rc == 1) {
		memset(out, 0, sizeof *out);
		out->id = db_col_int(s, 0);
		snprintf(out->type, sizeof out->type, "%s", db_col_text(s, 1));
		out->start_year = (int)db_col_int(s, 2);
		out->start_month = (int)db_col_int(s, 3);
		out->amount = db_col_int(s, 4);
	}
	db_done(s);
	return rc;
}

int pensions_payment(struct db *db, int64_t pensioner_id, int *year, int *month,
		     int64_t *amount)
{
	struct db_stmt *s =
	    *year ? db_prepare(db, "SELECT year, month, amount FROM pension_payments"
				   " WHERE pensioner_id = $1 AND year = $2 AND month = $3")
		  : db_prepare(db, "SELECT year, month, amount FROM pension_payments"
				   " WHERE pensioner_id = $1 ORDER BY year DESC, month DESC LIMIT 1");
	if (!s)
		return -1;
	db_bind_int(s, 1, pensioner_id);
	if (*year) {
		db_bind_int(s, 2, *year);
		db_bind_int(s, 3, *month);
	}
	int rc = db_step(s);
	if (rc == 1) {
		*year = (int)db_col_int(s, 0);
		*month = (int)db_col_int(s, 1);
		*amount = db_col_int(s, 2);
	}
	db_done(s);
	return rc;
}
