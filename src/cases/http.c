/* The HTTP handlers of the case desk. */
#include "app.h"
#include "audit/audit.h"

#include "base/fields.h"
#include "base/jalali.h"
#include "base/natid.h"
#include "base/text.h"
#include "calls/calls.h"
#include "cases/internal.h"
#include "http/http.h"
#include "lists/rows.h"
#include "live/live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const priorities[] = {"low", "normal", "high", "urgent", NULL};
static const char *const methods[] = {"call", "sms", "portal", "letter", "in_person", NULL};

static int one_of(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(v, *set) == 0)
			return 1;
	return 0;
}

/* ---- POST /api/v1/cases ---- */

struct create_ctx {
	struct req *r;
	struct case_new c;
	const char *call_id, *call_queue; /* the call it is opened on (calls/); NULL: none */
	struct write_job job;
};

static int create_run(struct db *db, void *arg, struct err *e)
{
	struct create_ctx *x = arg;
	if (case_create_run(db, &x->c, e) < 0)
		return -1;
	return x->call_id ? calls_link(db, x->call_id, x->call_queue, x->c.case_id, "opened",
				       x->c.who.user_id, x->c.now, e)
			  : 0;
}

/* The case's version as its ETag: "<id>-<version>" (If-Match on an event names it). */
static void case_set_etag(struct req *r, const struct case_row *c)
{
	req_set_header(r, "ETag",
		       arena_printf(&r->arena, "\"%lld-%lld\"", (long long)c->id,
				    (long long)c->version));
}

/* Possible duplicates of case c: the same person's other open cases on its topic. */
static void write_duplicates(struct req *r, struct jw *w, const struct case_row *c)
{
	struct db_stmt *s = db_prepare(req_db(r), CASE_SELECT " WHERE c.person_id = $1"
					" AND c.topic_id = $2 AND c.status <> 'closed' AND c.id <> $3"
					" ORDER BY c.id DESC LIMIT 20");
	db_bind_int(s, 1, c->person_id);
	db_bind_int(s, 2, c->topic_id);
	db_bind_int(s, 3, c->id);
	jw_array(w, "duplicates");
	while (db_step(s) == 1) {
		struct case_row d;
		case_read_row(s, &d, &r->arena);
		jw_object(w, NULL);
		case_write_brief(w, &d, &r->who);
		jw_end(w);
	}
	db_done(s);
	jw_end(w);
}

/* After a write: reads the case back, tells live/ who is concerned by event `type`
 * (was: the case before, NULL for a new one), and answers 201 with it in full; a new
 * case with its possible duplicates. */
static void reply_written(struct req *r, int64_t case_id, int rc, const struct err *e,
			  const char *type, const struct case_row *was)
{
	if (rc < 0) {
		reply_error(r, e);
		return;
	}
	struct case_row c;
	if (case_load(req_db(r), case_id, &c, &r->arena) != 1) {
		/* the write committed, and the connection that reads it back was lost since */
		if (db_is_unavailable(req_db(r)))
			reply_errorf(r, 503, "db_unavailable", "",
				     "the case %lld was saved but cannot be read back: the database "
				     "cannot be reached; look again in a moment",
				     (long long)case_id);
		else
			reply_errorf(r, 500, "internal", "", "the case cannot be read back");
		return;
	}
	live_case(r->app->live,
		  &(struct live_case){.type = type,
				      .case_id = c.id,
				      .number = c.number,
				      .status = c.status,
				      .waiting_on = c.waiting_on,
				      .department_id = c.department_id,
				      .assignee_id = c.assignee_id,
				      .created_by = c.created_by,
				      .person_id = c.person_id,
				      .was_department_id = was ? was->department_id : 0,
				      .was_assignee_id = was ? was->assignee_id : 0,
				      .actor_id = r->who.user_id});
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	case_write_fields(req_db(r), &w, &c, &r->who, req_now());
	if (!was)
		write_duplicates(r, &w, &c);
	jw_end(&w);
	case_set_etag(r, &c);
	reply_jw(r, 201, &w);
}

static void create_done(void *arg, int rc, const struct err *e)
{
	struct create_ctx *x = arg;
	reply_written(x->r, x->c.case_id, rc, e, "create", NULL);
}

/* Staff file a case for someone on record, whose name they see before filing (the
 * caller card); for a national id no one is on record with, they type the name. */
static int known_or_named(struct req *r, struct case_new *c, struct err *e)
{
	struct person p;
	const char *enrol;
	int rc = lists_find_person(req_db(r), c->national_id, &p, &r->arena, &enrol);
	if (rc < 0) /* reply_error makes it a 503 when the database was out of reach */
		return err_set(e, 500, "internal", "", "the record cannot be read");
	if (rc == 1) {
		c->first_name = c->last_name = NULL; /* the record's names stand */
		return 0;
	}
	if (!c->first_name || !*c->first_name)
		return err_set(e, 400, "missing_field", "first_name",
			       "no one is on record with this national id: type the person's name");
	if (!c->last_name || !*c->last_name)
		return err_set(e, 400, "missing_field", "last_name",
			       "no one is on record with this national id: type the person's name");
	return 0;
}

void cases_h_create(struct req *r)
{
	static const char *const known[] = {"national_id", "channel",	 "topic",     "subject",
					    "description", "mobile",	 "priority",  "first_name",
					    "last_name",   "call_id",	 NULL};
	struct err e;
	json_t *b = req_json(r, &e);
	if (!b) {
		reply_error(r, &e);
		return;
	}
	struct create_ctx *x = arena_alloc(&r->arena, sizeof *x);
	memset(x, 0, sizeof *x);
	struct case_new *c = &x->c;
	const char *nid = NULL, *topic = NULL, *mobile = NULL;
	if (field_only(b, known, &e) < 0 ||
	    field_key(b, "national_id", r->who.role != ROLE_CITIZEN, 20, &r->arena, &nid, &e) < 0 ||
	    field_key(b, "channel", r->who.role != ROLE_CITIZEN, 32, &r->arena, &c->channel, &e) < 0 ||
	    field_key(b, "topic", 1, 64, &r->arena, &topic, &e) < 0 ||
	    field_text(b, "subject", 1, 200, &r->arena, &c->subject, &e) < 0 ||
	    field_text(b, "description", 0, 4000, &r->arena, &c->description, &e) < 0 ||
	    field_key(b, "mobile", 0, 24, &r->arena, &mobile, &e) < 0 ||
	    field_key(b, "priority", 0, 16, &r->arena, &c->priority, &e) < 0 ||
	    field_text(b, "first_name", 0, 60, &r->arena, &c->first_name, &e) < 0 ||
	    field_text(b, "last_name", 0, 80, &r->arena, &c->last_name, &e) < 0 ||
	    field_text(b, "call_id", 0, 64, &r->arena, &x->call_id, &e) < 0)
		goto bad;
	/* opened on a call: one the account's telephone agent answered (the screen pop) */
	if (x->call_id && (r->who.role == ROLE_CITIZEN
			       ? err_set(&e, 400, "invalid_field", "call_id",
					 "a citizen's case is not opened on a call")
			       : calls_check_mine(req_db(r), x->call_id, r->who.user_id, req_now(),
						  &r->arena, &x->call_queue, &e)) < 0)
		goto bad;
	if (r->who.role == ROLE_CITIZEN) {
		struct person me;
		if (people_get(req_db(r), r->who.person_id, &me, &r->arena) != 1) {
			err_set(&e, 403, "forbidden", "", "your account has no person linked");
			goto bad;
		}
		const char *mine = nid ? text_digits(&r->arena, nid, 10, 10) : NULL;
		if (nid && (!mine || strcmp(mine, me.national_id) != 0)) {
			err_set(&e, 403, "forbidden", "national_id",
				"a citizen opens cases for themselves only");
			goto bad;
		}
		c->national_id = me.national_id;
		if (!c->channel)
			c->channel = "web";
	} else if (!(c->national_id = field_natid(&r->arena, nid, "national_id", &e)) ||
		   known_or_named(r, c, &e) < 0) {
		goto bad;
	}
	if (!catalog_channel_by_code(c->channel)) {
		err_set(&e, 400, "unknown_channel", "channel", "unknown channel: %s", c->channel);
		goto bad;
	}
	if (!(c->topic = catalog_topic_by_code(topic))) {
		err_set(&e, 400, "unknown_topic", "topic", "unknown topic: %s", topic);
		goto bad;
	}
	if (mobile && !(c->mobile = text_mobile(&r->arena, mobile))) {
		err_set(&e, 400, "invalid_mobile", "mobile", "not an Iranian mobile number");
		goto bad;
	}
	if (!c->priority)
		c->priority = "normal";
	else if (!one_of(c->priority, priorities)) {
		err_set(&e, 400, "invalid_field", "priority",
			"priority is low, normal, high or urgent");
		goto bad;
	}
	c->who = r->who;
	c->ip = r->ip;
	c->now = req_now();
	case_new_schedule(c, r->app);
	x->r = r;
	x->job.run = create_run;
	x->job.done = create_done;
	x->job.arg = x;
	req_write(r, &x->job);
	return;
bad:
	reply_error(r, &e);
}

/* ---- GET /api/v1/cases/{id} ---- */

/* Loads the case named in the path and checks that r->who may read it. On failure it
 * replies and returns -1. The right is decided before whether the id is on record is
 * told: one who may not read every case gets the same audited 403 for an id no case has
 * as for a case not theirs, so that the answer does not tell which ids exist; a path
 * that is no id (0, "abc") names no case whoever asks: 404. */
static int load_readable_as(struct req *r, struct case_row *c, const char *action)
{
	int64_t id = req_path_id(r);
	int rc = id ? case_load(req_db(r), id, c, &r->arena) : 0;
	if (rc < 0) {
		reply_errorf(r, 500, "internal", "", "the case cannot be read");
		return -1;
	}
	/* the case, if it is theirs to read; else, for an id no case has, all cases */
	int may = rc ? case_may_read(req_db(r), &r->who, c, req_now())
		     : !id || case_may_read_any(&r->who);
	if (may && rc)
		return 0;
	if (may) {
		reply_errorf(r, 404, "not_found", "id", "no such case");
		return -1;
	}
	struct audit_entry *a = arena_alloc(&r->arena, sizeof *a);
	memset(a, 0, sizeof *a);
	a->action = action;
	a->person_id = rc ? c->person_id : 0;
	a->case_id = rc ? c->id : 0;
	/* the case number, or the id asked for that no case has */
	a->reason =
	    rc ? c->number : arena_printf(&r->arena, "id %lld, no such case", (long long)id);
	audit_refuse(r, a, "id", "this case is not yours to see");
	return -1;
}

static int load_readable(struct req *r, struct case_row *c)
{
	return load_readable_as(r, c, "case_read");
}

int cases_readable(struct req *r, const char *action, struct case_ref *ref)
{
	struct case_row c;
	if (load_readable_as(r, &c, action) < 0)
		return -1;
	*ref = (struct case_ref){
	    .id = c.id, .person_id = c.person_id, .number = c.number, .status = c.status};
	return 0;
}

void cases_h_get(struct req *r)
{
	struct case_row c;
	if (load_readable(r, &c) < 0)
		return;
	struct audit_entry *a = arena_alloc(&r->arena, sizeof *a);
	a->action = "case_read";
	a->person_id = c.person_id;
	a->case_id = c.id;
	a->reason = c.number;
	struct jw w;
	jw_init(&w);
	case_write_full(req_db(r), &w, &c, &r->who, req_now());
	case_set_etag(r, &c);
	audit_reply(r, 200, &w, a, 1);
}

/* ---- POST /api/v1/cases/{id}/events ---- */

/* If-Match: the case's ETag as GET gave it ("<id>-<version>"), or absent: 0 and *version
 * set (0 when absent), or -1 with e naming the header. */
static int if_match(struct req *r, int64_t *version, struct err *e)
{
	const char *v = req_header(r, "If-Match");
	*version = 0;
	if (!v || !strcmp(v, "*"))
		return 0;
	long long id, ver;
	int n = 0;
	if (sscanf(v, "\"%lld-%lld\"%n", &id, &ver, &n) != 2 || v[n] || id < 1 || ver < 1 ||
	    id != req_path_id(r))
		return err_set(e, 400, "invalid_field", "If-Match",
			       "If-Match is the case's ETag, as GET gave it");
	*version = ver;
	return 0;
}

struct event_ctx {
	struct req *r;
	struct case_row was; /* before the event: who hears that it left (live/) */
	struct case_event ev;
	struct write_job job;
};

static int event_run(struct db *db, void *arg, struct err *e)
{
	struct case_event *ev = &((struct event_ctx *)arg)->ev;
	if (case_event_run(db, ev, e) < 0)
		return -1;
	/* written to while a call is on the writer's screen: linked to it as touched */
	return calls_touch(db, ev->who.user_id, ev->case_id, ev->now, e);
}

static void event_done(void *arg, int rc, const struct err *e)
{
	struct event_ctx *x = arg;
	reply_written(x->r, x->ev.case_id, rc, e, x->ev.type, &x->was);
}

void cases_h_event(struct req *r)
{
	static const char *const known[] = {"type",	  "text",   "method", "on", "assignee",
					    "department", "rating", "into",   NULL};
	struct err e;
	struct case_row c;
	json_t *b = req_json(r, &e);
	if (!b) {
		reply_error(r, &e);
		return;
	}
	struct event_ctx *x = arena_alloc(&r->arena, sizeof *x);
	struct case_event *ev = &x->ev;
	const char *type;
	int64_t rating = 0;
	int has_rating = 0;
	if (field_only(b, known, &e) < 0 || field_key(b, "type", 1, 32, &r->arena, &type, &e) < 0)
		goto bad;
	ev->type = type;
	int needs_text = !strcmp(type, "note") || !strcmp(type, "reply") ||
			 !strcmp(type, "answer") || !strcmp(type, "solve_on_call") ||
			 !strcmp(type, "reopen") || !strcmp(type, "wait");
	int64_t into = 0;
	int has_into = 0;
	int needs_method = !strcmp(type, "report_back") || !strcmp(type, "contact_failed");
	if (field_text(b, "text", needs_text, 4000, &r->arena, &ev->text, &e) < 0 ||
	    field_key(b, "method", needs_method, 16, &r->arena, &ev->method, &e) < 0 ||
	    field_key(b, "on", !strcmp(type, "wait"), 16, &r->arena, &ev->on, &e) < 0 ||
	    field_key(b, "assignee", 0, 64, &r->arena, &ev->assignee, &e) < 0 ||
	    field_key(b, "department", 0, 32, &r->arena, &ev->department, &e) < 0 ||
	    field_int(b, "rating", !strcmp(type, "rate"), 1, 5, &rating, &has_rating, &e) < 0 ||
	    field_int(b, "into", !strcmp(type, "merge"), 1, INT64_MAX, &into, &has_into, &e) < 0 ||
	    if_match(r, &ev->if_match, &e) < 0)
		goto bad;
	ev->into = into;
	if (ev->method && !one_of(ev->method, methods)) {
		err_set(&e, 400, "invalid_field", "method",
			"method is call, sms, portal, letter or in_person");
		goto bad;
	}
	if (ev->on && strcmp(ev->on, "citizen") && strcmp(ev->on, "department")) {
		err_set(&e, 400, "invalid_field", "on", "on is citizen or department");
		goto bad;
	}
	if (!strcmp(type, "assign") && !ev->assignee && !ev->department) {
		err_set(&e, 400, "missing_field", "assignee",
			"assign needs assignee or department");
		goto bad;
	}
	if (load_readable(r, &c) < 0)
		return;
	/* Refuse early what the state machine refuses; the writer checks again in its
	 * transaction, where the state cannot change underneath. */
	struct case_facts f = case_facts_of(&c);
	const char *to;
	if (case_transition(type, r->who.role, &f, req_now(), &to, &e) < 0)
		goto bad;
	ev->rating = (int)rating;
	ev->who = r->who;
	ev->app = r->app;
	ev->ip = r->ip;
	ev->case_id = c.id;
	ev->now = req_now();
	x->was = c;
	x->r = r;
	x->job.run = event_run;
	x->job.done = event_done;
	x->job.arg = x;
	req_write(r, &x->job);
	return;
bad:
	reply_error(r, &e);
}

/* ---- GET /api/v1/cases ---- */

struct sql {
	char text[3072];
	size_t len;
	int nparam;
	const char *sval[24];
	int64_t ival[24];
	int is_int[24];
};

static void sql_add(struct sql *q, const char *s)
{
	q->len += (size_t)snprintf(q->text + q->len, sizeof q->text - q->len, "%s", s);
}

static int sql_param(struct sql *q, const char *sv, int64_t iv, int is_int)
{
	int n = ++q->nparam;
	q->sval[n - 1] = sv;
	q->ival[n - 1] = iv;
	q->is_int[n - 1] = is_int;
	return n;
}

/* Appends a condition with one parameter: the fragment contains "$?" once. */
static void sql_cond(struct sql *q, const char *frag, const char *sv, int64_t iv, int is_int)
{
	int n = sql_param(q, sv, iv, is_int);
	const char *p = strstr(frag, "$?");
	q->len += (size_t)snprintf(q->text + q->len, sizeof q->text - q->len, " AND %.*s$%d%s",
				   (int)(p - frag), frag, n, p + 2);
}

int cases_query_department(struct req *r, int64_t *department_id, struct err *e)
{
	const char *v = req_query(r, "department");
	if (!v) {
		*department_id = r->who.department_id;
		return 0;
	}
	const struct department *d = catalog_department_by_code(v);
	if (!d)
		return err_set(e, 400, "unknown_department", "department", "unknown department");
	if (r->who.department_id && d->id != r->who.department_id)
		return err_set(e, 403, "forbidden", "department",
			       "a department's supervisor sees only that department's figures");
	*department_id = d->id;
	return 0;
}

int cases_query_time(struct req *r, const char *key, int64_t *out, struct err *e)
{
	const char *raw = req_query(r, key);
	if (!raw)
		return 0;
	const char *v = text_normalize(&r->arena, raw);
	struct jdate j;
	if (v && jalali_parse(v, &j) == 0 && j.y < 1700) {
		*out = tehran_to_unix(j, 0);
		return 1;
	}
	if (v && iso_parse(v, out) == 0)
		return 1;
	return err_set(e, 400, "invalid_field", key, "%s must be a date (ISO or Jalali)", key);
}

/* A case list's query as its phases build it, and what one phase tells those after it. */
struct list_query {
	struct sql *sql;
	char reason[256]; /* the audit's reason: "list" and what named the caller */
	size_t rl;
	int limit;
	int by_due;	 /* sort=due */
	int identifying; /* a national id, mobile or case number names the caller */
};

/* sort=due: the department's work queue, soonest resolution due first; the cursor is then
 * "due.id". The default is newest first, the cursor an id. */
static int list_paging(struct req *r, struct list_query *lq, struct err *e)
{
	struct sql *q = lq->sql;
	const char *sort = req_query(r, "sort");
	lq->by_due = sort && strcmp(sort, "due") == 0;
	if (sort && !lq->by_due && strcmp(sort, "new") != 0)
		return err_set(e, 400, "invalid_field", "sort", "sort is new or due");
	const char *v = req_query(r, "cursor");
	if (!v)
		return 0;
	char *end;
	long long cur = strtoll(v, &end, 10), due = 0;
	if (lq->by_due && *end == '.') {
		due = cur;
		cur = strtoll(end + 1, &end, 10);
	}
	if (*end || cur < 1 || (lq->by_due && due < 1))
		return err_set(e, 400, "invalid_field", "cursor", "cursor is not one we gave");
	if (lq->by_due) {
		int d = sql_param(q, NULL, due, 1), i = sql_param(q, NULL, cur, 1);
		q->len += (size_t)snprintf(q->text + q->len, sizeof q->text - q->len,
					   " AND (c.resolution_due > $%d OR (c.resolution_due"
					   " = $%d AND c.id > $%d))",
					   d, d, i);
	} else {
		sql_cond(q, "c.id < $?", NULL, cur, 1);
	}
	return 0;
}

/* A condition that names the caller; fmt: the reason's words for it, %s the value. */
__attribute__((format(printf, 3, 0))) static void
list_identified(struct list_query *lq, const char *cond, const char *fmt, const char *value)
{
	sql_cond(lq->sql, cond, value, 0, 0);
	lq->rl += (size_t)snprintf(lq->reason + lq->rl, sizeof lq->reason - lq->rl, fmt, value);
	lq->identifying = 1;
}

/* national_id, mobile, number: the caller, named in the audit's reason */
static int list_identify(struct req *r, struct list_query *lq, struct err *e)
{
	const char *v;
	if ((v = req_query(r, "national_id"))) {
		const char *nid = field_natid(&r->arena, v, "national_id", e);
		if (!nid)
			return -1;
		list_identified(lq, "c.person_id = (SELECT id FROM people WHERE national_id = $?)",
				" national_id=%s", nid);
	}
	if ((v = req_query(r, "mobile"))) {
		const char *m = text_mobile(&r->arena, v);
		if (!m)
			return err_set(e, 400, "invalid_mobile", "mobile",
				       "not an Iranian mobile number");
		/* the person's mobile on record, or the follow-up mobile given on a case */
		int n = sql_param(lq->sql, m, 0, 0);
		lq->sql->len += (size_t)snprintf(
		    lq->sql->text + lq->sql->len, sizeof lq->sql->text - lq->sql->len,
		    " AND (c.mobile = $%d OR c.person_id IN (SELECT id FROM people WHERE mobile = $%d))",
		    n, n);
		lq->rl += (size_t)snprintf(lq->reason + lq->rl, sizeof lq->reason - lq->rl,
					   " mobile=%s", m);
		lq->identifying = 1;
	}
	if ((v = req_query(r, "number"))) {
		const char *n = text_normalize(&r->arena, v);
		if (!n || strlen(n) > 20)
			return err_set(e, 400, "invalid_field", "number", "not a case number");
		list_identified(lq, "c.number = $?", " number=%s", n);
	}
	return 0;
}

/* what each role may see */
static void list_scope(struct list_query *lq, const struct principal *who, int64_t now)
{
	struct sql *q = lq->sql;
	switch (who->role) {
	case ROLE_CITIZEN:
		sql_cond(q, "c.person_id = $?", NULL, who->person_id, 1);
		break;
	case ROLE_SPECIALIST:
		sql_cond(q, "c.department_id = $?", NULL, who->department_id, 1);
		break;
	case ROLE_SUPERVISOR:
		if (who->department_id)
			sql_cond(q, "c.department_id = $?", NULL, who->department_id, 1);
		break;
	default: /* agent, desk: their own cases, unless they identify a caller */
		if (!lq->identifying) {
			int me = sql_param(q, NULL, who->user_id, 1);
			int at = sql_param(q, NULL, now, 1);
			q->len += (size_t)snprintf(
			    q->text + q->len, sizeof q->text - q->len,
			    " AND (c.created_by = $%d OR c.assignee_id = $%d OR c.person_id IN"
			    " (SELECT person_id FROM caller_contexts WHERE user_id = $%d"
			    " AND until > $%d))",
			    me, me, me, at);
		}
	}
}

/* A query parameter that is 1 or 0: *flag is then 1 or 0, and -1 when it is absent. */
static int list_flag(struct req *r, const char *key, int *flag, struct err *e)
{
	const char *v = req_query(r, key);
	*flag = -1;
	if (!v)
		return 0;
	if (strcmp(v, "1") && strcmp(v, "0"))
		return err_set(e, 400, "invalid_field", key, "%s is 1 or 0", key);
	*flag = v[0] == '1';
	return 0;
}

/* status, open, pending: the conditions on the status */
static int list_status(struct req *r, struct sql *q, struct err *e)
{
	const char *v;
	int f;
	if ((v = req_query(r, "status"))) {
		static const char *const st[] = {"new",	    "assigned", "in_progress",
						 "waiting", "answered", "reported_back",
						 "closed",  NULL};
		/* written out rather than bound (the value is one of these seven): only a
		 * literal condition lets a partial index serve it (cases_waiting, migration 006) */
		static const char *const st_sql[] = {
		    " AND c.status = 'new'",	     " AND c.status = 'assigned'",
		    " AND c.status = 'in_progress'", " AND c.status = 'waiting'",
		    " AND c.status = 'answered'",    " AND c.status = 'reported_back'",
		    " AND c.status = 'closed'"};
		int si = 0;
		while (st[si] && strcmp(st[si], v) != 0)
			si++;
		if (!st[si])
			return err_set(e, 400, "invalid_field", "status", "unknown status: %s", v);
		sql_add(q, st_sql[si]);
	}
	/* open: not closed; the condition is word for word the one of the partial index
	 * cases_open_stats (migration 006) and of the figures (stats.c) */
	if (list_flag(r, "open", &f, e) < 0)
		return -1;
	if (f >= 0)
		sql_add(q, f ? " AND c.status <> 'closed'" : " AND c.status = 'closed'");
	/* pending: still the department's to do (not yet answered): its work queue */
	if (list_flag(r, "pending", &f, e) < 0)
		return -1;
	if (f >= 0)
		sql_add(q,
			f ? " AND c.status IN ('new', 'assigned', 'in_progress', 'waiting')"
			  : " AND c.status NOT IN ('new', 'assigned', 'in_progress', 'waiting')");
	return 0;
}

/* department, topic, channel, overdue, reopened, assignee */
static int list_filters(struct req *r, struct sql *q, struct err *e)
{
	const char *v;
	int f;
	if ((v = req_query(r, "department"))) {
		const struct department *d = catalog_department_by_code(v);
		if (!d)
			return err_set(e, 400, "unknown_department", "department",
				       "unknown department");
		sql_cond(q, "c.department_id = $?", NULL, d->id, 1);
	}
	if ((v = req_query(r, "topic"))) {
		const struct topic *t = catalog_topic_by_code(v);
		if (!t)
			return err_set(e, 400, "unknown_topic", "topic", "unknown topic");
		sql_cond(q, "c.topic_id = $?", NULL, t->id, 1);
	}
	if ((v = req_query(r, "channel"))) {
		if (!catalog_channel_by_code(v))
			return err_set(e, 400, "unknown_channel", "channel", "unknown channel");
		sql_cond(q, "c.channel = $?", v, 0, 0);
	}
	if (list_flag(r, "overdue", &f, e) < 0)
		return -1;
	if (f >= 0)
		sql_cond(q, "c.overdue = $?", NULL, f, 1);
	if (list_flag(r, "reopened", &f, e) < 0)
		return -1;
	if (f >= 0)
		sql_add(q, f ? " AND c.reopen_count > 0" : " AND c.reopen_count = 0");
	if ((v = req_query(r, "assignee"))) {
		if (strcmp(v, "me") == 0)
			sql_cond(q, "c.assignee_id = $?", NULL, r->who.user_id, 1);
		else
			sql_cond(q, "c.assignee_id = (SELECT id FROM users WHERE login = $?)", v, 0,
				 0);
	}
	return 0;
}

/* solved, in_time, first_contact, unreached, repeated, rating, handler: the lists behind the outcome figures
 * (stats.c), each condition word for word the figure's */
static int list_outcomes(struct req *r, struct sql *q, struct err *e)
{
	static const struct {
		const char *key, *yes, *no;
	} flags[] = {
	    {"solved", " AND c.answered_at IS NOT NULL", " AND c.answered_at IS NULL"},
	    {"in_time", " AND c.answered_at <= c.resolution_due",
	     " AND NOT (c.answered_at IS NOT NULL AND c.answered_at <= c.resolution_due)"},
	    {"first_contact", " AND " CASE_FIRST_CONTACT("c."),
	     " AND NOT " CASE_FIRST_CONTACT("c.")},
	    {"unreached", " AND " CASE_UNREACHED("c."), " AND NOT " CASE_UNREACHED("c.")},
	    {"repeated", " AND " CASE_REPEATED("c."), " AND NOT " CASE_REPEATED("c.")},
	};
	int f;
	for (size_t i = 0; i < sizeof flags / sizeof *flags; i++) {
		if (list_flag(r, flags[i].key, &f, e) < 0)
			return -1;
		if (f >= 0)
			sql_add(q, f ? flags[i].yes : flags[i].no);
	}
	const char *v = req_query(r, "rating");
	if (v) {
		if (!v[0] || v[1] || v[0] < '1' || v[0] > '5')
			return err_set(e, 400, "invalid_field", "rating", "rating is 1 to 5");
		sql_cond(q, "c.rating = $?", NULL, v[0] - '0', 1);
	}
	if ((v = req_query(r, "handler")))
		sql_cond(q,
			 "coalesce(c.assignee_id, c.created_by) = (SELECT id FROM users WHERE"
			 " login = $?)",
			 v, 0, 0);
	return 0;
}

/* from, to: created in the range; closed_from, closed_to: the closed cases of a day of the
 * figures' series */
static int list_dates(struct req *r, struct sql *q, struct err *e)
{
	static const struct {
		const char *key, *cond;
	} dates[] = {{"from", "c.created >= $?"},
		     {"to", "c.created < $?"},
		     {"closed_from", "c.closed_at >= $?"},
		     {"closed_to", "c.closed_at < $?"}};
	for (size_t i = 0; i < sizeof dates / sizeof *dates; i++) {
		int64_t t = 0;
		int got = cases_query_time(r, dates[i].key, &t, e);
		if (got < 0)
			return -1;
		if (got)
			sql_cond(q, dates[i].cond, NULL, t, 1);
	}
	return 0;
}

/* q: the full-text search; the reason says there was one, not its words */
static int list_text(struct req *r, struct list_query *lq, struct err *e)
{
	struct sql *q = lq->sql;
	const char *v = req_query(r, "q");
	if (!v)
		return 0;
	const char *norm = text_normalize(&r->arena, v);
	char fts[2048], cond[160];
	if (!norm || strlen(norm) > 200 || !db_text_query(req_db(r), fts, sizeof fts, norm))
		return err_set(e, 400, "invalid_field", "q", "q must be 1-200 characters of text");
	db_text_match(req_db(r), cond, sizeof cond, q->nparam + 1, q->nparam + 2);
	q->len += (size_t)snprintf(q->text + q->len, sizeof q->text - q->len, " AND c.id %s", cond);
	sql_param(q, arena_strdup(&r->arena, fts), 0, 0);
	sql_param(q, "case", 0, 0);
	snprintf(lq->reason + lq->rl, sizeof lq->reason - lq->rl, " q");
	return 0;
}

/* Runs the query for one row more than the page (there is then a next page) and replies
 * with the page; the audit gets one entry for each person listed. */
static void list_reply(struct req *r, const struct list_query *lq)
{
	struct sql *q = lq->sql;
	int limit = lq->limit;
	q->len += (size_t)snprintf(q->text + q->len, sizeof q->text - q->len,
				   lq->by_due ? " ORDER BY c.resolution_due, c.id LIMIT %d"
					      : " ORDER BY c.id DESC LIMIT %d",
				   limit + 1);
	struct db_stmt *s = db_prepare(req_db(r), q->text);
	if (!s) {
		reply_errorf(r, 500, "internal", "", "the list query failed");
		return;
	}
	for (int i = 0; i < q->nparam; i++) {
		if (q->is_int[i])
			db_bind_int(s, i + 1, q->ival[i]);
		else
			db_bind_text(s, i + 1, q->sval[i]);
	}
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	jw_array(&w, "items");
	struct audit_entry *rows = arena_alloc(&r->arena, sizeof *rows * (size_t)limit);
	int n = 0, nrows = 0, more = 0;
	int64_t last = 0, last_due = 0;
	const char *why = arena_strdup(&r->arena, lq->reason); /* the entries outlive lq */
	int grant = lq->identifying && (r->who.role == ROLE_AGENT || r->who.role == ROLE_DESK);
	while (db_step(s) == 1) {
		if (n == limit) {
			more = 1;
			break;
		}
		struct case_row c;
		case_read_row(s, &c, &r->arena);
		jw_object(&w, NULL);
		case_write_brief(&w, &c, &r->who);
		jw_end(&w);
		last = c.id;
		last_due = c.resolution_due;
		n++;
		int seen = 0;
		for (int i = 0; i < nrows && !seen; i++)
			seen = rows[i].person_id == c.person_id;
		if (!seen)
			rows[nrows++] = (struct audit_entry){.action = "case_list",
							     .person_id = c.person_id,
							     .reason = why,
							     .grant_context = grant};
	}
	db_done(s);
	jw_end(&w);
	const char *next = !more	? NULL
			   : lq->by_due ? arena_printf(&r->arena, "%lld.%lld", (long long)last_due,
						       (long long)last)
					: arena_printf(&r->arena, "%lld", (long long)last);
	jw_str(&w, "next", next);
	jw_end(&w);
	audit_reply(r, 200, &w, rows, nrows);
}

void cases_h_list(struct req *r)
{
	struct err e;
	struct list_query lq = {.sql = arena_alloc(&r->arena, sizeof *lq.sql)};
	if (req_limit(r, &lq.limit) < 0)
		return;
	lq.rl = (size_t)snprintf(lq.reason, sizeof lq.reason, "list");
	sql_add(lq.sql, CASE_SELECT " WHERE 1 = 1");
	if (list_paging(r, &lq, &e) < 0 || list_identify(r, &lq, &e) < 0)
		goto bad;
	list_scope(&lq, &r->who, req_now());
	if (list_status(r, lq.sql, &e) < 0 || list_filters(r, lq.sql, &e) < 0 ||
	    list_outcomes(r, lq.sql, &e) < 0 || list_dates(r, lq.sql, &e) < 0 ||
	    list_text(r, &lq, &e) < 0)
		goto bad;
	list_reply(r, &lq);
	return;
bad:
	reply_error(r, &e);
}

/* ---- GET /api/v1/people/{national_id}: the caller's card ---- */

void cases_card_write(struct db *db, struct jw *w, int64_t person_id,
		      const struct principal *who, struct arena *a)
{
	jw_array(w, "cases");
	struct db_stmt *s = db_prepare(db, CASE_SELECT " WHERE c.person_id = $1"
							      " ORDER BY c.id DESC LIMIT 50");
	db_bind_int(s, 1, person_id);
	int open = 0;
	/* an agent or desk officer identifies the caller here and may see all their cases;
	 * a department supervisor only those of the department */
	int all = who->role != ROLE_SUPERVISOR || !who->department_id;
	while (db_step(s) == 1) {
		struct case_row c;
		case_read_row(s, &c, a);
		if (!all && c.department_id != who->department_id)
			continue;
		open += strcmp(c.status, "closed") != 0;
		jw_object(w, NULL);
		case_write_brief(w, &c, who);
		jw_end(w);
	}
	db_done(s);
	jw_end(w);
	jw_int(w, "open_cases", open);
	/* the card shows the latest 50; the list (GET /cases?national_id=) pages through all */
	s = db_prepare(db, all ? "SELECT count(*) FROM cases WHERE person_id = $1"
				      : "SELECT count(*) FROM cases WHERE person_id = $1"
					" AND department_id = $2");
	db_bind_int(s, 1, person_id);
	if (!all)
		db_bind_int(s, 2, who->department_id);
	jw_int(w, "cases_total", db_step(s) == 1 ? db_col_int(s, 0) : 0);
	db_done(s);
}

int cases_brief_write(struct db *db, int64_t case_id, const struct principal *who,
		      struct arena *a, struct jw *w, const char *key)
{
	struct case_row c;
	int rc = case_load(db, case_id, &c, a);
	if (rc == 1) {
		jw_object(w, key);
		case_write_brief(w, &c, who);
		jw_end(w);
	}
	return rc;
}

void cases_h_person(struct req *r)
{
	struct err e;
	const char *nid = field_natid(&r->arena, r->param[0], "national_id", &e);
	if (!nid) {
		reply_error(r, &e);
		return;
	}
	struct person p;
	const char *enrol;
	int rc = lists_find_person(req_db(r), nid, &p, &r->arena, &enrol);
	if (rc <= 0) {
		reply_errorf(r, rc < 0 ? 500 : 404, rc < 0 ? "internal" : "not_found",
			     "national_id", "no person with this national id is on record");
		return;
	}
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	people_write_fields(&w, &p);
	cases_card_write(req_db(r), &w, p.id, &r->who, &r->arena);
	jw_end(&w);
	struct audit_entry *a = arena_alloc(&r->arena, sizeof *a);
	a->action = "person_read";
	a->person_id = p.id;
	a->enrol_national_id = enrol;
	a->reason = "caller lookup";
	a->grant_context = r->who.role == ROLE_AGENT || r->who.role == ROLE_DESK;
	audit_reply(r, 200, &w, a, 1);
}
