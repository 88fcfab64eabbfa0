/* Workshops and the employer accounts that act for them. */
#include "workshops/workshops.h"

#include "http/http.h"

#include <string.h>

#include "audit/audit.h"
#include "base/fields.h"
#include "base/jw.h"
#include "base/natid.h"
#include "base/text.h"
#include "catalog/catalog.h"

/* staff whose work touches employers' records */
#define WORKSHOP_STAFF (ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_SPECIALIST | ROLE_AGENT)

int64_t workshop_find(struct db *db, const char *code, int *hard_job)
{
	struct db_stmt *s = db_prepare(db, "SELECT id, hard_job FROM workshops WHERE code = $1");
	if (!s)
		return -1;
	db_bind_text(s, 1, code);
	int rc = db_step(s);
	int64_t id = rc == 1 ? db_col_int(s, 0) : rc == 0 ? 0 : -1;
	if (hard_job)
		*hard_job = rc == 1 && db_col_int(s, 1);
	db_done(s);
	return id;
}

int64_t workshop_id(struct db *db, const char *code)
{
	return workshop_find(db, code, NULL);
}

const char *workshop_name(struct db *db, const char *code, struct arena *a)
{
	struct db_stmt *s = db_prepare(db, "SELECT name FROM workshops WHERE code = $1");
	if (!s)
		return NULL;
	db_bind_text(s, 1, code);
	const char *name = db_step(s) == 1 ? arena_strdup(a, db_col_text(s, 0)) : NULL;
	db_done(s);
	return name;
}

const char *workshop_province(struct db *db, const char *code, struct arena *a)
{
	struct db_stmt *s = db_prepare(db, "SELECT province FROM workshops WHERE code = $1");
	if (!s)
		return NULL;
	db_bind_text(s, 1, code);
	const char *p = db_step(s) == 1 && db_col_text(s, 0) ? arena_strdup(a, db_col_text(s, 0))
							      : NULL;
	db_done(s);
	return p;
}

int workshop_may_act(struct db *db, const struct principal *who, int64_t workshop_id)
{
	if (who->role & WORKSHOP_STAFF)
		return 1;
	if (!(who->role & ROLE_EMPLOYER))
		return 0;
	struct db_stmt *s =
	    db_prepare(db, "SELECT 1 FROM workshop_users WHERE user_id = $1 AND workshop_id = $2");
	if (!s)
		return 0;
	db_bind_int(s, 1, who->user_id);
	db_bind_int(s, 2, workshop_id);
	int ok = db_step(s) == 1;
	db_done(s);
	return ok;
}

int workshop_link_employer(struct db *db, int64_t workshop_id, const char *login, struct err *e)
{
	struct db_stmt *s = db_prepare(db, "SELECT id, role FROM users WHERE login = $1");
	if (!s)
		return db_fail(db, e);
	db_bind_text(s, 1, login);
	int64_t uid = 0;
	int employer = 0;
	if (db_step(s) == 1) {
		uid = db_col_int(s, 0);
		employer = strcmp(db_col_text(s, 1), "employer") == 0;
	}
	db_done(s);
	if (!uid)
		return err_set(e, 400, "unknown_login", "login", "no such account: %s", login);
	if (!employer)
		return err_set(e, 400, "invalid_role", "login",
			       "only an employer account can act for a workshop");
	s = db_prepare(db, "INSERT INTO workshop_users(user_id, workshop_id)"
			   " VALUES ($1, $2) ON CONFLICT DO NOTHING");
	if (!s)
		return db_fail(db, e);
	db_bind_int(s, 1, uid);
	db_bind_int(s, 2, workshop_id);
	int rc = db_step(s);
	db_done(s);
	return rc < 0 ? db_fail(db, e) : 0;
}

/* What the workshop's lists not superseded owe and what it paid: 0, or -1. */
static int account_of(struct db *db, int64_t id, int64_t *due, int64_t *paid)
{
	struct db_stmt *d = db_prepare(
	    db, "SELECT (SELECT coalesce(sum(worker_share + employer_share + unemployment +"
		" hard_job_share), 0) FROM lists l WHERE l.workshop_id = $1 AND NOT EXISTS"
		" (SELECT 1 FROM lists c WHERE c.supersedes = l.id)),"
		" (SELECT coalesce(sum(amount), 0) FROM payments WHERE workshop_id = $1)");
	if (!d)
		return -1;
	db_bind_int(d, 1, id);
	int rc = db_step(d);
	if (rc == 1) {
		*due = db_col_int(d, 0);
		*paid = db_col_int(d, 1);
	}
	db_done(d);
	return rc < 0 ? -1 : 0;
}

int workshop_account(struct db *db, int64_t id, struct arena *a, struct workshop_account *out)
{
	memset(out, 0, sizeof *out);
	struct db_stmt *s =
	    db_prepare(db, "SELECT code, name, employer_name FROM workshops WHERE id = $1");
	if (!s)
		return -1;
	db_bind_int(s, 1, id);
	int rc = db_step(s);
	if (rc == 1) {
		out->code = arena_strdup(a, db_col_text(s, 0));
		out->name = arena_strdup(a, db_col_text(s, 1));
		out->employer_name = arena_strdup(a, db_col_text(s, 2));
	}
	db_done(s);
	if (rc != 1)
		return rc;
	if (account_of(db, id, &out->due, &out->paid) < 0)
		return -1;
	out->debt = out->due - out->paid;
	return 1;
}

/* ---- the workshop as JSON ---- */

#define WORKSHOP_COLS                                                                              \
	"w.id, w.code, w.name, w.employer_name, w.employer_national_id, w.province, w.branch,"     \
	" w.activity, w.hard_job, w.address, w.created"

static void write_workshop(struct db *db, struct jw *w, struct db_stmt *s, int staff)
{
	int64_t id = db_col_int(s, 0);
	const struct province *p = catalog_province_by_code(db_col_text(s, 5));
	jw_str(w, "code", db_col_text(s, 1));
	jw_str(w, "name", db_col_text(s, 2));
	jw_str(w, "employer_name", db_col_text(s, 3));
	jw_str(w, "employer_national_id", db_col_text(s, 4));
	jw_str(w, "province", db_col_text(s, 5));
	jw_str(w, "province_name", p ? p->name : NULL);
	jw_str(w, "branch", db_col_text(s, 6));
	jw_str(w, "activity", db_col_text(s, 7));
	jw_bool(w, "hard_job", (int)db_col_int(s, 8));
	jw_str(w, "address", db_col_text(s, 9));
	jw_time(w, "created", db_col_int(s, 10));
	if (staff) {
		struct db_stmt *u =
		    db_prepare(db, "SELECT u.login FROM workshop_users wu JOIN users u"
				   " ON u.id = wu.user_id WHERE wu.workshop_id = $1"
				   " ORDER BY u.login");
		jw_array(w, "employers");
		db_bind_int(u, 1, id);
		while (db_step(u) == 1)
			jw_str(w, NULL, db_col_text(u, 0));
		db_done(u);
		jw_end(w);
	}
	/* what the workshop declared (lists not superseded by a later correction), what it
	 * owes on them, and what it paid */
	struct db_stmt *l = db_prepare(
	    db,
	    "SELECT l.id, l.year, l.month, l.list_no, l.workers, l.insurable, l.worker_share,"
	    " l.employer_share, l.unemployment, l.hard_job_share, l.submitted_at, l.source"
	    " FROM lists l WHERE l.workshop_id = $1 AND NOT EXISTS (SELECT 1 FROM lists c"
	    " WHERE c.supersedes = l.id) ORDER BY l.year DESC, l.month DESC, l.id DESC LIMIT 24");
	db_bind_int(l, 1, id);
	jw_array(w, "lists");
	while (db_step(l) == 1) {
		jw_object(w, NULL);
		jw_int(w, "id", db_col_int(l, 0));
		jw_int(w, "year", db_col_int(l, 1));
		jw_int(w, "month", db_col_int(l, 2));
		jw_str(w, "list_no", db_col_text(l, 3));
		jw_int(w, "workers", db_col_int(l, 4));
		jw_int(w, "insurable", db_col_int(l, 5));
		jw_int(w, "worker_share", db_col_int(l, 6));
		jw_int(w, "employer_share", db_col_int(l, 7));
		jw_int(w, "unemployment", db_col_int(l, 8));
		jw_int(w, "hard_job_share", db_col_int(l, 9));
		jw_time(w, "submitted_at", db_col_int(l, 10));
		jw_str(w, "source", db_col_text(l, 11));
		jw_end(w);
	}
	db_done(l);
	jw_end(w);
	int64_t due = 0, paid = 0;
	account_of(db, id, &due, &paid);
	jw_object(w, "account");
	jw_int(w, "due", due);
	jw_int(w, "paid", paid);
	jw_int(w, "debt", due - paid);
	jw_end(w);
	struct db_stmt *pay =
	    db_prepare(db, "SELECT id, year, month, amount, paid_at, reference"
			   " FROM payments WHERE workshop_id = $1 ORDER BY id DESC"
			   " LIMIT 24");
	db_bind_int(pay, 1, id);
	jw_array(w, "payments");
	while (db_step(pay) == 1) {
		jw_object(w, NULL);
		jw_int(w, "id", db_col_int(pay, 0));
		if (db_col_text(pay, 1)) {
			jw_int(w, "year", db_col_int(pay, 1));
			jw_int(w, "month", db_col_int(pay, 2));
		} else {
			jw_null(w, "year");
			jw_null(w, "month");
		}
		jw_int(w, "amount", db_col_int(pay, 3));
		jw_time(w, "paid_at", db_col_int(pay, 4));
		jw_str(w, "reference", db_col_text(pay, 5));
		jw_end(w);
	}
	db_done(pay);
	jw_end(w);
}

/* ---- the writes: each context starts with this head, which their reply reads ---- */

struct ws_head {
	struct req *r;
	const char *code; /* the workshop */
	int status;	  /* of the reply with the workshop */
};

static void reply_workshop(struct req *r, int status, const char *code);

/* The write's reply: the error, or the workshop as it is now. */
static void ws_done(void *arg, int rc, const struct err *e)
{
	struct ws_head *h = arg; /* every context's first member */
	if (rc < 0)
		reply_error(h->r, e);
	else
		reply_workshop(h->r, h->status, h->code);
}

/* ---- POST /api/v1/workshops ---- */

struct create_ctx {
	struct ws_head h;
	const char *name, *employer_name, *employer_nid, *province, *branch, *activity, *address;
	int hard_job;
	int64_t now;
	struct write_job job;
};

static int create_run(struct db *db, void *arg, struct err *e)
{
	struct create_ctx *x = arg;
	int64_t have = workshop_id(db, x->h.code);
	if (have < 0)
		return db_fail(db, e);
	if (have)
		return err_set(e, 409, "code_taken", "code", "workshop %s exists already",
			       x->h.code);
	struct db_stmt *s = db_prepare(
	    db, "INSERT INTO workshops(code, name, employer_name, employer_national_id, province,"
		" branch, activity, hard_job, address, created, created_by)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)");
	if (!s)
		return db_fail(db, e);
	db_bind_text(s, 1, x->h.code);
	db_bind_text(s, 2, x->name);
	db_bind_text(s, 3, x->employer_name);
	db_bind_text(s, 4, x->employer_nid);
	db_bind_text(s, 5, x->province);
	db_bind_text(s, 6, x->branch ? x->branch : "");
	db_bind_text(s, 7, x->activity ? x->activity : "");
	db_bind_int(s, 8, x->hard_job);
	db_bind_text(s, 9, x->address ? x->address : "");
	db_bind_int(s, 10, x->now);
	db_bind_int(s, 11, x->h.r->who.user_id);
	int rc = db_step(s);
	db_done(s);
	if (rc < 0)
		return db_fail(db, e);
	struct audit_entry a = {.action = "workshop_create", .reason = x->h.code};
	return audit_insert(db, &x->h.r->who, x->h.r->ip, x->now, &a, e);
}

static void reply_workshop(struct req *r, int status, const char *code)
{
	struct db *db = req_db(r);
	struct db_stmt *s =
	    db_prepare(db, "SELECT " WORKSHOP_COLS " FROM workshops w WHERE w.code = $1");
	db_bind_text(s, 1, code);
	if (db_step(s) != 1) {
		db_done(s);
		reply_errorf(r, 404, "not_found", "code", "no such workshop");
		return;
	}
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	write_workshop(db, &w, s, (r->who.role & WORKSHOP_STAFF) != 0);
	jw_end(&w);
	db_done(s);
	reply_jw(r, status, &w);
}

/* A one-line text field of 1..max characters (when given). A workshop's registry fields
 * and a payment's reference are the register's keys, matched against lists and bank
 * slips: kept normalised (field_key), unlike people's words on a case. */
static int line_field(json_t *b, const char *name, int required, size_t max, struct arena *a,
		      const char **out, struct err *e)
{
	if (field_key(b, name, required, max, a, out, e) < 0)
		return -1;
	if (*out && (!**out || strchr(*out, '\n')))
		return err_set(e, 400, "invalid_field", name,
			       "%s must be 1-%zu characters on one line", name, max);
	return 0;
}

void workshops_h_create(struct req *r)
{
	static const char *const known[] = {
	    "code",	"name",	  "employer_name", "employer_national_id",
	    "province", "branch", "activity",	   "hard_job",
	    "address",	NULL};
	struct err e;
	json_t *b = req_json(r, &e);
	if (!b) {
		reply_error(r, &e);
		return;
	}
	struct create_ctx *x = arena_alloc(&r->arena, sizeof *x);
	memset(x, 0, sizeof *x);
	const char *code = NULL;
	if (field_only(b, known, &e) < 0 ||
	    field_key(b, "code", 1, 32, &r->arena, &code, &e) < 0 ||
	    line_field(b, "name", 1, 160, &r->arena, &x->name, &e) < 0 ||
	    line_field(b, "employer_name", 1, 160, &r->arena, &x->employer_name, &e) < 0 ||
	    field_key(b, "employer_national_id", 0, 16, &r->arena, &x->employer_nid, &e) < 0 ||
	    field_key(b, "province", 0, 4, &r->arena, &x->province, &e) < 0 ||
	    line_field(b, "branch", 0, 80, &r->arena, &x->branch, &e) < 0 ||
	    line_field(b, "activity", 0, 160, &r->arena, &x->activity, &e) < 0 ||
	    line_field(b, "address", 0, 300, &r->arena, &x->address, &e) < 0)
		goto bad;
	x->h.code = text_digits(&r->arena, code, WORKSHOP_CODE_LEN, WORKSHOP_CODE_LEN);
	if (!x->h.code) {
		err_set(&e, 400, "invalid_field", "code", "a workshop code is 10 digits");
		goto bad;
	}
	if (x->employer_nid && !natid_valid(x->employer_nid)) {
		err_set(&e, 400, "invalid_national_id", "employer_national_id",
			"not a valid national id");
		goto bad;
	}
	if (x->province && !catalog_province_by_code(x->province)) {
		err_set(&e, 400, "unknown_province", "province", "unknown province: %s",
			x->province);
		goto bad;
	}
	json_t *hj = json_object_get(b, "hard_job");
	if (hj && !json_is_null(hj) && !json_is_boolean(hj)) {
		err_set(&e, 400, "invalid_field", "hard_job", "hard_job is true or false");
		goto bad;
	}
	x->hard_job = hj && json_is_true(hj);
	x->h.r = r;
	x->h.status = 201;
	x->now = req_now();
	req_write_job(r, &x->job, create_run, ws_done, x);
	return;
bad:
	reply_error(r, &e);
}

/* ---- GET /api/v1/workshops/{code} ---- */

int64_t workshops_path(struct req *r, const char *action, const char *what, char **code)
{
	*code = text_digits(&r->arena, r->param[0], WORKSHOP_CODE_LEN, WORKSHOP_CODE_LEN);
	if (!*code) {
		reply_errorf(r, 400, "invalid_field", "code", "a workshop code is 10 digits");
		return 0;
	}
	int64_t id = workshop_id(req_db(r), *code);
	if (id < 0) {
		reply_errorf(r, 500, "internal", "code", "the workshop cannot be read");
		return 0;
	}
	/* the right first: id 0 (no such workshop) is one no account acts for */
	if (!workshop_may_act(req_db(r), &r->who, id)) {
		struct audit_entry *a = arena_alloc(&r->arena, sizeof *a);
		*a = (struct audit_entry){
		    .action = action,
		    .reason = what ? arena_printf(&r->arena, "%s %s", what, *code) : *code};
		audit_refuse(r, a, "code", "you do not act for this workshop");
		return 0;
	}
	if (!id)
		reply_errorf(r, 404, "not_found", "code", "no such workshop");
	return id;
}

void workshops_h_get(struct req *r)
{
	char *code;
	if (workshops_path(r, "workshop_read", NULL, &code))
		reply_workshop(r, 200, code);
}

/* ---- GET /api/v1/workshops ---- */

void workshops_h_mine(struct req *r)
{
	struct db *db = req_db(r);
	int staff = (r->who.role & WORKSHOP_STAFF) != 0;
	struct db_stmt *s = db_prepare(
	    db, staff ? "SELECT " WORKSHOP_COLS " FROM workshops w ORDER BY w.code LIMIT 200"
		      : "SELECT " WORKSHOP_COLS " FROM workshops w JOIN workshop_users wu"
			" ON wu.workshop_id = w.id WHERE wu.user_id = $1 ORDER BY w.code");
	if (!staff)
		db_bind_int(s, 1, r->who.user_id);
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	jw_array(&w, "items");
	while (db_step(s) == 1) {
		jw_object(&w, NULL);
		write_workshop(db, &w, s, staff);
		jw_end(&w);
	}
	db_done(s);
	jw_end(&w);
	jw_end(&w);
	reply_jw(r, 200, &w);
}

/* ---- POST /api/v1/workshops/{code}/employers ---- */

struct link_ctx {
	struct ws_head h;
	int64_t id;
	const char *login;
	struct write_job job;
};

static int link_run(struct db *db, void *arg, struct err *e)
{
	struct link_ctx *x = arg;
	if (workshop_link_employer(db, x->id, x->login, e) < 0)
		return -1;
	char *reason = arena_printf(&x->h.r->arena, "%s -> %s", x->login, x->h.code);
	struct audit_entry a = {.action = "workshop_link", .reason = reason};
	return audit_insert(db, &x->h.r->who, x->h.r->ip, req_now(), &a, e);
}

void workshops_h_link(struct req *r)
{
	static const char *const known[] = {"login", NULL};
	struct link_ctx *x = arena_alloc(&r->arena, sizeof *x);
	memset(x, 0, sizeof *x);
	x->h.code = text_digits(&r->arena, r->param[0], WORKSHOP_CODE_LEN, WORKSHOP_CODE_LEN);
	if (!x->h.code || (x->id = workshop_id(req_db(r), x->h.code)) <= 0) {
		reply_errorf(r, 404, "not_found", "code", "no such workshop");
		return;
	}
	struct err e;
	json_t *b = req_json(r, &e);
	if (!b || field_only(b, known, &e) < 0 ||
	    field_key(b, "login", 1, 64, &r->arena, &x->login, &e) < 0) {
		reply_error(r, &e);
		return;
	}
	x->h.r = r;
	x->h.status = 200;
	req_write_job(r, &x->job, link_run, ws_done, x);
}

/* ---- POST /api/v1/workshops/{code}/payments ---- */

struct pay_ctx {
	struct ws_head h;
	int64_t id, amount, year, month, now;
	int has_month;
	const char *reference;
	struct write_job job;
};

static int pay_run(struct db *db, void *arg, struct err *e)
{
	struct pay_ctx *x = arg;
	struct db_stmt *s = db_prepare(db, "INSERT INTO payments(workshop_id, year, month, amount,"
					   " paid_at, reference, recorded_by)"
					   " VALUES ($1, $2, $3, $4, $5, $6, $7)");
	if (!s)
		return db_fail(db, e);
	db_bind_int(s, 1, x->id);
	if (x->has_month) {
		db_bind_int(s, 2, x->year);
		db_bind_int(s, 3, x->month);
	} else {
		db_bind_null(s, 2);
		db_bind_null(s, 3);
	}
	db_bind_int(s, 4, x->amount);
	db_bind_int(s, 5, x->now);
	db_bind_text(s, 6, x->reference ? x->reference : "");
	db_bind_int(s, 7, x->h.r->who.user_id);
	int rc = db_step(s);
	db_done(s);
	if (rc < 0)
		return db_fail(db, e);
	char *reason =
	    arena_printf(&x->h.r->arena, "%s: %lld rials", x->h.code, (long long)x->amount);
	struct audit_entry a = {.action = "payment_record", .reason = reason};
	return audit_insert(db, &x->h.r->who, x->h.r->ip, x->now, &a, e);
}

void workshops_h_payment(struct req *r)
{
	static const char *const known[] = {"amount", "year", "month", "reference", NULL};
	struct pay_ctx *x = arena_alloc(&r->arena, sizeof *x);
	memset(x, 0, sizeof *x);
	x->h.code = text_digits(&r->arena, r->param[0], WORKSHOP_CODE_LEN, WORKSHOP_CODE_LEN);
	if (!x->h.code || (x->id = workshop_id(req_db(r), x->h.code)) <= 0) {
		reply_errorf(r, 404, "not_found", "code", "no such workshop");
		return;
	}
	struct err e;
	int has_amount, has_year;
	json_t *b = req_json(r, &e);
	if (!b || field_only(b, known, &e) < 0 ||
	    field_int(b, "amount", 1, 1, INT64_C(1000000000000000), &x->amount, &has_amount, &e) <
		0 ||
	    field_int(b, "year", 0, 1300, 1500, &x->year, &has_year, &e) < 0 ||
	    field_int(b, "month", 0, 1, 12, &x->month, &x->has_month, &e) < 0 ||
	    line_field(b, "reference", 0, 64, &r->arena, &x->reference, &e) < 0)
		goto bad;
	if (has_year != x->has_month) {
		err_set(&e, 400, "missing_field", has_year ? "month" : "year",
			"a payment for a month names both year and month");
		goto bad;
	}
	x->h.r = r;
	x->h.status = 201;
	x->now = req_now();
	req_write_job(r, &x->job, pay_run, ws_done, x);
	return;
bad:
	reply_error(r, &e);
}
