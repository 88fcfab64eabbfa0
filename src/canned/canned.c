/* Canned answers over HTTP (canned.h): the list, and the supervisor's writes, each a
 * writer job that checks the right to manage the answer's department inside the
 * transaction (the row read there cannot move under the check) and is audited in it. */
#include "canned/canned.h"

#include "audit/audit.h"
#include "base/fields.h"
#include "catalog/catalog.h"
#include "http/http.h"

#include <stdio.h>
#include <string.h>

static const char *const placeholders[] = {"name", "number", "today", "due", NULL};

int canned_check_body(const char *body, struct err *e)
{
	for (const char *p = strchr(body, '{'); p; p = strchr(p + 1, '{')) {
		size_t n = strcspn(p + 1, "{} \t\r\n");
		if (p[1 + n] != '}' || n == 0 || n > 32)
			continue; /* a brace of the text, not a placeholder */
		int known = 0;
		for (const char *const *k = placeholders; *k && !known; k++)
			known = strlen(*k) == n && !memcmp(*k, p + 1, n);
		if (!known)
			return err_set(
			    e, 400, "unknown_placeholder", "body",
			    "unknown placeholder {%.*s}: the body may hold {name}, {number},"
			    " {today} and {due}",
			    (int)n, p + 1);
	}
	return 0;
}

/* May who write the answers of department dept (0: the organisation's)? */
static int may_manage(const struct principal *who, int64_t dept)
{
	if (who->role == ROLE_ADMIN || (who->role == ROLE_SUPERVISOR && !who->department_id))
		return 1;
	return who->role == ROLE_SUPERVISOR && dept && dept == who->department_id;
}

static int refuse_manage(struct err *e)
{
	return err_set(e, 403, "forbidden", "department",
		       "a department's canned answers are its supervisor's to manage");
}

static void write_item(struct jw *w, struct db_stmt *s)
{
	const struct department *d = catalog_department_by_id(db_col_int(s, 1));
	jw_object(w, NULL);
	jw_int(w, "id", db_col_int(s, 0));
	jw_str(w, "department", d ? d->code : NULL);
	jw_str(w, "department_name", d ? d->name : NULL);
	jw_str(w, "title", db_col_text(s, 2));
	jw_str(w, "body", db_col_text(s, 3));
	jw_time(w, "updated", db_col_int(s, 4));
	jw_end(w);
}

#define ITEM_COLUMNS "id, department_id, title, body, updated"

/* GET /api/v1/canned?department=CODE: that department's and the organisation's; without
 * it, every one (a specialist: their department's and the organisation's). */
void canned_h_list(struct req *r)
{
	const char *code = req_query(r, "department");
	int64_t dept = 0;
	if (code && *code) {
		const struct department *d = catalog_department_by_code(code);
		if (!d) {
			reply_errorf(r, 400, "unknown_department", "department",
				     "unknown department: %s", code);
			return;
		}
		dept = d->id;
	}
	if (r->who.role == ROLE_SPECIALIST) {
		if (dept && dept != r->who.department_id) {
			reply_errorf(r, 403, "forbidden", "department",
				     "a specialist reads their own department's canned answers");
			return;
		}
		dept = r->who.department_id ? r->who.department_id : -1;
	}
	/* the department's first, then the organisation's, each by title */
	struct db_stmt *s =
	    dept ? db_prepare(req_db(r), "SELECT " ITEM_COLUMNS " FROM canned"
					 " WHERE department_id = $1 OR department_id IS NULL"
					 " ORDER BY department_id IS NULL, title, id LIMIT $2")
		 : db_prepare(req_db(r), "SELECT " ITEM_COLUMNS " FROM canned"
					 " ORDER BY department_id IS NULL, department_id, title, id"
					 " LIMIT $1");
	if (dept)
		db_bind_int(s, 1, dept);
	db_bind_int(s, dept ? 2 : 1, CANNED_LIST_MAX);
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	jw_array(&w, "items");
	int rc;
	while ((rc = db_step(s)) == 1)
		write_item(&w, s);
	db_done(s);
	jw_end(&w);
	jw_end(&w);
	if (rc < 0) {
		jw_release(&w);
		reply_errorf(r, 500, "internal", "", "the canned answers cannot be read");
		return;
	}
	reply_jw(r, 200, &w);
}

/* ---- writes ---- */

enum op { OP_CREATE, OP_EDIT, OP_DELETE };

struct write_ctx {
	struct req *r;
	enum op op;
	int64_t id, now;
	int64_t dept; /* the answer's department after the write; 0 the organisation's */
	int move;     /* an edit that names the department */
	const char *title, *body;
	char stored[CANNED_TITLE_CHARS * 4 + 1];  /* the title before the write (edit, delete) */
	char reason[CANNED_TITLE_CHARS * 4 + 80]; /* the audit row's: "id department: title" */
	struct write_job job;
};

/* The department of answer x->id (and its title into x->stored, for the audit of a write
 * that does not name it), or -1 with e (404) when there is none. */
static int64_t row_department(struct db *db, struct write_ctx *x, struct err *e)
{
	struct db_stmt *s = db_prepare(db, "SELECT department_id, title FROM canned WHERE id = $1");
	db_bind_int(s, 1, x->id);
	int rc = db_step(s);
	int64_t dept = rc == 1 ? db_col_int(s, 0) : -1;
	if (rc == 1)
		snprintf(x->stored, sizeof x->stored, "%s", db_col_text(s, 1));
	db_done(s);
	if (rc < 0)
		return db_fail(db, e);
	if (rc == 0)
		return err_set(e, 404, "not_found", "id", "no such canned answer");
	return dept;
}

static void bind_opt_id(struct db_stmt *s, int i, int64_t v)
{
	if (v)
		db_bind_int(s, i, v);
	else
		db_bind_null(s, i);
}

static int write_run(struct db *db, void *arg, struct err *e)
{
	struct write_ctx *x = arg;
	const struct principal *who = &x->r->who;
	struct db_stmt *s;
	const char *action;
	if (x->op == OP_CREATE) {
		if (!may_manage(who, x->dept))
			return refuse_manage(e);
		s = db_prepare(db,
			       "INSERT INTO canned(department_id, title, body, created_by, created,"
			       " updated_by, updated) VALUES ($1, $2, $3, $4, $5, $4, $5)");
		bind_opt_id(s, 1, x->dept);
		db_bind_text(s, 2, x->title);
		db_bind_text(s, 3, x->body);
		db_bind_int(s, 4, who->user_id);
		db_bind_int(s, 5, x->now);
		action = "canned_create";
	} else {
		int64_t was = row_department(db, x, e);
		if (was < 0)
			return -1;
		if (!may_manage(who, was) || (x->move && !may_manage(who, x->dept)))
			return refuse_manage(e);
		if (!x->move)
			x->dept = was;
		if (x->op == OP_DELETE) {
			s = db_prepare(db, "DELETE FROM canned WHERE id = $1");
			action = "canned_delete";
		} else {
			s = db_prepare(
			    db, "UPDATE canned SET department_id = $2, title = COALESCE($3, title),"
				" body = COALESCE($4, body), updated_by = $5, updated = $6"
				" WHERE id = $1");
			bind_opt_id(s, 2, x->dept);
			if (x->title)
				db_bind_text(s, 3, x->title);
			if (x->body)
				db_bind_text(s, 4, x->body);
			db_bind_int(s, 5, who->user_id);
			db_bind_int(s, 6, x->now);
			action = "canned_update";
		}
		db_bind_int(s, 1, x->id);
	}
	int rc = db_step(s);
	db_done(s);
	if (rc < 0)
		return db_fail(db, e);
	if (x->op == OP_CREATE)
		x->id = db_last_id(db);
	const struct department *d = catalog_department_by_id(x->dept);
	snprintf(x->reason, sizeof x->reason, "%lld %s: %.480s", (long long)x->id,
		 d ? d->code : "all", x->title ? x->title : x->stored);
	struct audit_entry a = {.action = action, .reason = x->reason};
	return audit_insert(db, who, x->r->ip, x->now, &a, e);
}

static void write_done(void *arg, int rc, const struct err *e)
{
	struct write_ctx *x = arg;
	struct req *r = x->r;
	if (rc < 0) {
		reply_error(r, e);
		return;
	}
	if (x->op == OP_DELETE) {
		reply_json(r, 200, json_pack("{s:I,s:b}", "id", (json_int_t)x->id, "deleted", 1));
		return;
	}
	struct db_stmt *s =
	    db_prepare(req_db(r), "SELECT " ITEM_COLUMNS " FROM canned WHERE id = $1");
	db_bind_int(s, 1, x->id);
	struct jw w;
	jw_init(&w);
	int found = db_step(s) == 1;
	if (found)
		write_item(&w, s);
	db_done(s);
	if (!found) {
		jw_release(&w);
		reply_errorf(r, 500, "internal", "", "the canned answer cannot be read back");
		return;
	}
	reply_jw(r, x->op == OP_CREATE ? 201 : 200, &w);
}

static void submit(struct req *r, struct write_ctx *x)
{
	x->r = r;
	x->now = req_now();
	req_write_job(r, &x->job, write_run, write_done, x);
}

/* The fields of a create or an edit into x: title one line, body with known
 * placeholders, department a code or null (the organisation's). 0 or -1 with e. */
static int read_fields(struct req *r, json_t *b, int create, struct write_ctx *x, struct err *e)
{
	static const char *const known[] = {"department", "title", "body", NULL};
	const char *code = NULL;
	if (field_only(b, known, e) < 0 ||
	    field_key(b, "department", 0, 32, &r->arena, &code, e) < 0 ||
	    field_text(b, "title", create, CANNED_TITLE_CHARS, &r->arena, &x->title, e) < 0 ||
	    field_text(b, "body", create, CANNED_BODY_CHARS, &r->arena, &x->body, e) < 0)
		return -1;
	if (x->title && (!*x->title || strpbrk(x->title, "\r\n")))
		return err_set(e, 400, "invalid_field", "title",
			       "title must be 1-%d characters on one line", CANNED_TITLE_CHARS);
	if (x->body && !*x->body)
		return err_set(e, 400, "invalid_field", "body", "body must not be empty");
	if (x->body && canned_check_body(x->body, e) < 0)
		return -1;
	x->move = json_object_get(b, "department") != NULL;
	if (code && *code) {
		const struct department *d = catalog_department_by_code(code);
		if (!d)
			return err_set(e, 400, "unknown_department", "department",
				       "unknown department: %s", code);
		x->dept = d->id;
	} else if (!x->move && create && r->who.role == ROLE_SUPERVISOR) {
		x->dept = r->who.department_id; /* absent: the supervisor's own department */
	}
	return 0;
}

void canned_h_create(struct req *r)
{
	struct err e;
	json_t *b = req_json(r, &e);
	struct write_ctx *x = arena_alloc(&r->arena, sizeof *x);
	x->op = OP_CREATE;
	if (!b || read_fields(r, b, 1, x, &e) < 0) {
		reply_error(r, &e);
		return;
	}
	submit(r, x);
}

/* The answer named in the path, or a 404 (a path that is no id names none): -1 once it
 * replied, after which neither r nor x, in r's arena, may be touched. */
static int path_id(struct req *r, struct write_ctx *x)
{
	x->id = req_path_id(r);
	if (x->id)
		return 0;
	reply_errorf(r, 404, "not_found", "id", "no such canned answer");
	return -1;
}

void canned_h_edit(struct req *r)
{
	struct err e;
	struct write_ctx *x = arena_alloc(&r->arena, sizeof *x);
	x->op = OP_EDIT;
	if (path_id(r, x) < 0)
		return;
	json_t *b = req_json(r, &e);
	if (!b || read_fields(r, b, 0, x, &e) < 0) {
		reply_error(r, &e);
		return;
	}
	if (!x->title && !x->body && !x->move) {
		reply_errorf(r, 400, "missing_field", "title",
			     "nothing to change: give title, body or department");
		return;
	}
	submit(r, x);
}

void canned_h_delete(struct req *r)
{
	struct write_ctx *x = arena_alloc(&r->arena, sizeof *x);
	x->op = OP_DELETE;
	if (path_id(r, x) < 0)
		return;
	submit(r, x);
}
