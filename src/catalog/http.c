/* The admin's edits of the catalogue over HTTP: a topic's name, default department and
 * SLA targets, a department's name. Each is a writer job, audited in its transaction;
 * the new snapshot is published (catalog.h) once the group committed, before the reply. */
#include "audit/audit.h"
#include "base/fields.h"
#include "catalog/catalog.h"
#include "http/http.h"

#include <string.h>

struct edit_ctx {
	struct req *r;
	enum catalog_list which;
	struct catalog_edit edit;
	struct write_job job;
};

static int edit_run(struct db *db, void *arg, struct err *e)
{
	struct edit_ctx *x = arg;
	int rc = x->which == CATALOG_TOPICS ? catalog_topic_edit(db, &x->edit, e)
					    : catalog_department_edit(db, &x->edit, e);
	if (rc < 0)
		return -1;
	struct audit_entry a = {.action = x->which == CATALOG_TOPICS ? "topic_update"
								     : "department_update",
				.reason = x->edit.change};
	if (audit_insert(db, &x->r->who, x->r->ip, x->edit.now, &a, e) < 0) {
		catalog_discard(x->edit.next);
		x->edit.next = NULL;
		return -1;
	}
	return 0;
}

static void edit_done(void *arg, int rc, const struct err *e)
{
	struct edit_ctx *x = arg;
	if (rc < 0) {
		catalog_discard(x->edit.next); /* built, but its transaction did not commit */
		reply_error(x->r, e);
		return;
	}
	json_t *item = catalog_snapshot_item(x->edit.next, x->which, x->edit.code);
	catalog_publish(x->edit.next);
	reply_json(x->r, 200, item);
}

/* The name field: 1-160 characters of one line. A topic's or department's name is the
 * organisation's own label, which agents pick by typing a part of it: it is kept
 * normalised (field_key), unlike people's words, which are kept as typed. */
static int name_field(json_t *b, struct arena *a, const char **out, struct err *e)
{
	if (field_key(b, "name", 0, CATALOG_NAME_CHARS, a, out, e) < 0)
		return -1;
	if (*out && (!**out || strchr(*out, '\n')))
		return err_set(e, 400, "invalid_field", "name",
			       "name must be 1-%d characters on one line", CATALOG_NAME_CHARS);
	return 0;
}

static void submit(struct req *r, struct edit_ctx *x)
{
	x->r = r;
	x->edit.user_id = r->who.user_id;
	x->edit.now = req_now();
	req_write_job(r, &x->job, edit_run, edit_done, x);
}

void catalog_h_topic_edit(struct req *r)
{
	static const char *const known[] = {"name",	      "department",	 "first_response_min",
					    "resolution_min", "report_back_min", NULL};
	static const char *const minutes[] = {"first_response_min", "resolution_min",
					      "report_back_min"};
	if (!catalog_topic_by_code(r->param[0])) {
		reply_errorf(r, 404, "not_found", "code", "no such topic");
		return;
	}
	struct err e;
	json_t *b = req_json(r, &e);
	if (!b) {
		reply_error(r, &e);
		return;
	}
	struct edit_ctx *x = arena_alloc(&r->arena, sizeof *x);
	x->which = CATALOG_TOPICS;
	x->edit.code = arena_strdup(&r->arena, r->param[0]);
	const char *dep = NULL;
	int64_t v[3] = {0, 0, 0};
	int given[3] = {0, 0, 0};
	if (field_only(b, known, &e) < 0 || name_field(b, &r->arena, &x->edit.name, &e) < 0 ||
	    field_key(b, "department", 0, 32, &r->arena, &dep, &e) < 0)
		goto bad;
	for (int i = 0; i < 3; i++)
		if (field_int(b, minutes[i], 0, 1, CATALOG_MINUTES_MAX, &v[i], &given[i], &e) < 0)
			goto bad;
	if (dep) {
		const struct department *d = catalog_department_by_code(dep);
		if (!d) {
			err_set(&e, 400, "unknown_department", "department",
				"unknown department: %s", dep);
			goto bad;
		}
		x->edit.department_id = d->id;
	}
	if (!x->edit.name && !dep && !given[0] && !given[1] && !given[2]) {
		err_set(&e, 400, "missing_field", "body",
			"nothing to change: give name, department, first_response_min,"
			" resolution_min or report_back_min");
		goto bad;
	}
	x->edit.first_response_min = (int)v[0];
	x->edit.resolution_min = (int)v[1];
	x->edit.report_back_min = (int)v[2];
	submit(r, x);
	return;
bad:
	reply_error(r, &e);
}

void catalog_h_department_edit(struct req *r)
{
	static const char *const known[] = {"name", NULL};
	if (!catalog_department_by_code(r->param[0])) {
		reply_errorf(r, 404, "not_found", "code", "no such department");
		return;
	}
	struct err e;
	json_t *b = req_json(r, &e);
	if (!b) {
		reply_error(r, &e);
		return;
	}
	struct edit_ctx *x = arena_alloc(&r->arena, sizeof *x);
	x->which = CATALOG_DEPARTMENTS;
	x->edit.code = arena_strdup(&r->arena, r->param[0]);
	if (field_only(b, known, &e) < 0 || name_field(b, &r->arena, &x->edit.name, &e) < 0)
		goto bad;
	if (!x->edit.name) {
		err_set(&e, 400, "missing_field", "name", "name is required");
		goto bad;
	}
	submit(r, x);
	return;
bad:
	reply_error(r, &e);
}
