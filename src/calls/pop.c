/* The screen pop and calls linked to cases (calls.h): the call on each agent's screen
 * (call_screens), the cases opened or touched on a call (call_cases), the call with its
 * caller's card (GET /api/v1/calls/{callid}) and a case's calls. */
#include "calls/calls.h"

#include <string.h>

#include "app.h"
#include "audit/audit.h"
#include "base/jw.h"
#include "base/text.h"
#include "calls/queuelog.h"
#include "cases/cases.h"
#include "http/http.h"
#include "people/people.h"
#include "store/store.h"
#include "users/users.h"

/* The agent field as the log wrote it, trimmed, is the account's phone_agent. */
static int same_agent(const char *logged, const char *mine)
{
	if (!logged || !mine)
		return 0;
	while (*logged == ' ' || *logged == '\t')
		logged++;
	size_t n = strlen(logged), k = strlen(mine);
	while (n && (logged[n - 1] == ' ' || logged[n - 1] == '\t'))
		n--;
	return n == k && !memcmp(logged, mine, n);
}

static char *trimmed(struct arena *a, const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return arena_strndup(a, s, n);
}

/* ---- in the import's transaction ---- */

struct ended_q {
	const char *queue;
	int ended;
};

static int ended_fn(void *ctx, const struct calls_call *c, struct err *e)
{
	(void)e;
	struct ended_q *q = ctx;
	if (!strcmp(c->queue, q->queue) && c->ended >= 0)
		q->ended = 1;
	return 0;
}

static int is_end(enum ql_event ev)
{
	switch (ev) {
	case QL_COMPLETEAGENT:
	case QL_COMPLETECALLER:
	case QL_TRANSFER:
	case QL_BLINDTRANSFER:
	case QL_ATTENDEDTRANSFER:
	case QL_ABANDON:
	case QL_EXITWITHTIMEOUT:
	case QL_EXITWITHKEY:
	case QL_EXITEMPTY:
	case QL_WITHDRAW:
		return 1;
	default:
		return 0;
	}
}

/* A CONNECT: the call on the agent's screen, when an account has the agent and the call
 * is on now. *user_id: the account to pop, or 0. */
static int screen_on(struct db *db, const struct ql_line *l, int64_t now, struct arena *a,
		     int64_t *user_id, struct err *e)
{
	*user_id = 0;
	if (l->epoch < now - CALLS_POP_MAX_AGE)
		return 0; /* history, not a call on now */
	int64_t uid = users_by_phone_agent(db, trimmed(a, l->agent));
	if (uid < 0)
		return db_fail(db, e);
	if (!uid)
		return 0;
	struct ended_q q = {l->queue, 0};
	if (calls_find(db, l->callid, l->epoch, ended_fn, &q, e) < 0)
		return -1;
	if (q.ended)
		return 0; /* its end came first (lines out of order): nothing to pop */
	/* a later call already on the screen stays */
	struct db_stmt *s = db_prepare(
	    db, "INSERT INTO call_screens (user_id, callid, queue, connected) VALUES ($1, $2, $3, "
		"$4) ON CONFLICT (user_id) DO UPDATE SET callid = excluded.callid, queue = "
		"excluded.queue, connected = excluded.connected WHERE excluded.connected >= "
		"call_screens.connected");
	if (!s)
		return db_fail(db, e);
	db_bind_int(s, 1, uid);
	db_bind_text(s, 2, l->callid);
	db_bind_text(s, 3, l->queue);
	db_bind_int(s, 4, l->epoch);
	int rc = db_step(s);
	db_done(s);
	if (rc < 0)
		return db_fail(db, e);
	if (db_changes(db))
		*user_id = uid;
	return 0;
}

static int screen_off(struct db *db, const struct ql_line *l, struct err *e)
{
	struct db_stmt *s =
	    db_prepare(db, "DELETE FROM call_screens WHERE callid = $1 AND queue = $2");
	if (!s)
		return db_fail(db, e);
	db_bind_text(s, 1, l->callid);
	db_bind_text(s, 2, l->queue);
	int rc = db_step(s);
	db_done(s);
	return rc < 0 ? db_fail(db, e) : 0;
}

int calls_feed_resolve(struct calls_feed *f, struct db *db, int64_t now, struct err *e)
{
	char line[QL_LINE_MAX + 1];
	struct arena a;
	arena_init(&a);
	int rc = 0;
	for (size_t i = 0; i < f->n && rc == 0; i++) {
		struct ql_line l;
		if (!calls_feed_line(f, i, line, &l))
			continue;
		if (l.event == QL_CONNECT)
			rc = screen_on(db, &l, now, &a, &f->items[i].user_id, e);
		else if (is_end(l.event))
			rc = screen_off(db, &l, e);
	}
	arena_release(&a);
	return rc;
}

/* ---- calls and cases ---- */

struct mine_q {
	const char *agent;
	struct arena *a;
	const char *queue; /* the row answered by agent */
	int any;
};

static int mine_fn(void *ctx, const struct calls_call *c, struct err *e)
{
	(void)e;
	struct mine_q *q = ctx;
	q->any = 1;
	if (same_agent(c->agent, q->agent))
		q->queue = arena_strdup(q->a, c->queue);
	return 0;
}

int calls_check_mine(struct db *db, const char *callid, int64_t user_id, int64_t now,
		     struct arena *a, const char **queue, struct err *e)
{
	struct mine_q q = {users_phone_agent(db, user_id, a), a, NULL, 0};
	if (calls_find(db, callid, now, mine_fn, &q, e) < 0)
		return -1;
	if (!q.any)
		return err_set(e, 400, "unknown_call", "call_id", "no call has this id");
	if (!q.queue)
		return err_set(e, 403, "not_your_call", "call_id",
			       "this call was not answered by your telephone agent");
	*queue = q.queue;
	return 0;
}

int calls_link(struct db *db, const char *callid, const char *queue, int64_t case_id,
	       const char *how, int64_t user_id, int64_t now, struct err *e)
{
	struct db_stmt *s = db_prepare(
	    db, "INSERT INTO call_cases (callid, queue, case_id, how, user_id, at) VALUES ($1, "
		"$2, $3, $4, $5, $6) ON CONFLICT DO NOTHING");
	if (!s)
		return db_fail(db, e);
	db_bind_text(s, 1, callid);
	db_bind_text(s, 2, queue);
	db_bind_int(s, 3, case_id);
	db_bind_text(s, 4, how);
	db_bind_int(s, 5, user_id);
	db_bind_int(s, 6, now);
	int rc = db_step(s);
	db_done(s);
	return rc < 0 ? db_fail(db, e) : 0;
}

int calls_touch(struct db *db, int64_t user_id, int64_t case_id, int64_t now, struct err *e)
{
	struct db_stmt *s = db_prepare(
	    db, "INSERT INTO call_cases (callid, queue, case_id, how, user_id, at) SELECT callid, "
		"queue, $2, 'touched', user_id, $3 FROM call_screens WHERE user_id = $1 ON "
		"CONFLICT DO NOTHING");
	if (!s)
		return db_fail(db, e);
	db_bind_int(s, 1, user_id);
	db_bind_int(s, 2, case_id);
	db_bind_int(s, 3, now);
	int rc = db_step(s);
	db_done(s);
	return rc < 0 ? db_fail(db, e) : 0;
}

/* ---- GET /api/v1/calls/{callid} ---- */

static void write_time(struct jw *w, const char *key, int64_t t)
{
	if (t < 0)
		jw_null(w, key);
	else
		jw_time(w, key, t);
}

static void write_secs(struct jw *w, const char *key, int64_t v)
{
	if (v < 0)
		jw_null(w, key);
	else
		jw_int(w, key, v);
}

/* A call's own fields, into the object open in w; with_caller adds the number. */
static void write_call(struct jw *w, const struct calls_call *c, int with_caller)
{
	jw_str(w, "callid", c->callid);
	jw_str(w, "queue", c->queue);
	if (with_caller)
		jw_str(w, "caller", c->caller);
	jw_str(w, "agent", c->agent);
	jw_str(w, "outcome", c->outcome);
	write_time(w, "entered", c->entered);
	write_time(w, "connected", c->connected);
	write_time(w, "ended", c->ended);
	write_secs(w, "wait_s", c->wait_s);
	write_secs(w, "talk_s", c->talk_s);
}

/* The row to show: the one answered by `agent` (NULL: any), the latest connected. */
struct pick_q {
	const char *agent;
	struct arena *a;
	struct calls_call c;
	int found, any;
	int64_t person_id; /* any row's, for a refusal's audit */
};

static const char *dup(struct arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

static int pick_fn(void *ctx, const struct calls_call *c, struct err *e)
{
	(void)e;
	struct pick_q *q = ctx;
	q->any = 1;
	if (c->person_id)
		q->person_id = c->person_id;
	if (q->agent && !same_agent(c->agent, q->agent))
		return 0;
	if (q->found && c->connected < q->c.connected)
		return 0;
	q->c = *c;
	q->c.callid = dup(q->a, c->callid);
	q->c.queue = dup(q->a, c->queue);
	q->c.caller = dup(q->a, c->caller);
	q->c.agent = dup(q->a, c->agent);
	q->c.outcome = dup(q->a, c->outcome);
	q->found = 1;
	return 0;
}

static int person_call_fn(void *ctx, const struct calls_call *c, struct err *e)
{
	(void)e;
	struct jw *w = ctx;
	jw_object(w, NULL);
	write_call(w, c, 0);
	jw_end(w);
	return 0;
}

/* The cases linked to callid: [{"how", "case": {brief}}]. */
static void write_linked(struct req *r, struct jw *w, const char *callid)
{
	jw_array(w, "cases");
	struct db_stmt *s = db_prepare(req_db(r), "SELECT case_id, how FROM call_cases WHERE "
						  "callid = $1 ORDER BY at, case_id");
	if (s) {
		db_bind_text(s, 1, callid);
		int64_t ids[64];
		const char *hows[64];
		int n = 0;
		while (n < 64 && db_step(s) == 1) {
			ids[n] = db_col_int(s, 0);
			hows[n++] = arena_strdup(&r->arena, db_col_text(s, 1));
		}
		db_done(s);
		for (int i = 0; i < n; i++) {
			jw_object(w, NULL);
			jw_str(w, "how", hows[i]);
			if (cases_brief_write(req_db(r), ids[i], &r->who, &r->arena, w, "case") !=
			    1)
				jw_null(w, "case");
			jw_end(w);
		}
	}
	jw_end(w);
}

void calls_h_get(struct req *r)
{
	const char *callid = r->param[0];
	int bad = !text_utf8_valid(callid, strlen(callid));
	for (const unsigned char *p = (const unsigned char *)callid; *p && !bad; p++)
		bad = *p < 0x20 || *p == 0x7f || *p == '|'; /* no queue_log field holds these */
	if (bad) {
		reply_errorf(r, 400, "invalid_field", "callid", "not a call id");
		return;
	}
	struct db *db = req_db(r);
	struct pick_q q = {.a = &r->arena};
	struct err e = {0};
	int agent = r->who.role == ROLE_AGENT;
	if (agent)
		q.agent = users_phone_agent(db, r->who.user_id, &r->arena);
	if ((!agent || q.agent) && calls_find(db, callid, req_now(), pick_fn, &q, &e) < 0) {
		reply_error(r, &e);
		return;
	}
	if (!q.found && !agent) {
		reply_errorf(r, 404, "not_found", "callid", "no such call");
		return;
	}
	if (!q.found) {
		/* the same audited answer for a call that is not theirs as for no call, so that
		 * the answer does not tell which calls exist */
		struct audit_entry *a = arena_alloc(&r->arena, sizeof *a);
		memset(a, 0, sizeof *a);
		a->action = "call_read";
		a->person_id = q.person_id;
		a->reason = arena_printf(&r->arena, "call %s", callid);
		audit_refuse(r, a, "callid",
			     q.agent ? "this call was not answered by your telephone agent"
				     : "your account has no telephone agent");
		return;
	}
	struct person p;
	int known = q.c.person_id && people_get(db, q.c.person_id, &p, &r->arena) == 1;
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	write_call(&w, &q.c, 1);
	jw_object(&w, "card");
	jw_bool(&w, "found", known);
	jw_str(&w, "number", q.c.caller);
	if (known) {
		people_write_fields(&w, &p);
		cases_card_write(db, &w, p.id, &r->who, &r->arena);
		jw_array(&w, "calls");
		calls_of_person(db, p.id, 10, req_now(), person_call_fn, &w, &e);
		jw_end(&w);
	}
	jw_end(&w);
	write_linked(r, &w, q.c.callid);
	jw_end(&w);
	struct audit_entry *a = arena_alloc(&r->arena, sizeof *a);
	memset(a, 0, sizeof *a);
	a->action = "call_read";
	a->person_id = known ? p.id : 0;
	a->reason = arena_printf(
	    &r->arena, known ? "screen pop, call %s" : "call %s, number not on record", callid);
	/* the caller is identified by their number: the agent may read their cases, as
	 * after a lookup (cases_h_person) */
	a->grant_context = known && (agent || r->who.role == ROLE_DESK);
	audit_reply(r, 200, &w, a, 1);
}

/* ---- GET /api/v1/me/call ---- */

void calls_h_mine(struct req *r)
{
	struct db *db = req_db(r);
	struct db_stmt *s = db_prepare(db, "SELECT callid, queue, connected FROM call_screens "
					   "WHERE user_id = $1 AND connected >= $2");
	if (!s) {
		struct err e = {0};
		db_fail(db, &e);
		reply_error(r, &e);
		return;
	}
	db_bind_int(s, 1, r->who.user_id);
	db_bind_int(s, 2, req_now() - CALLS_SCREEN_HOURS * 3600);
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	int rc = db_step(s);
	if (rc == 1) {
		jw_object(&w, "call");
		jw_str(&w, "callid", db_col_text(s, 0));
		jw_str(&w, "queue", db_col_text(s, 1));
		jw_time(&w, "at", db_col_int(s, 2));
		jw_end(&w);
	} else {
		jw_null(&w, "call");
	}
	db_done(s);
	jw_end(&w);
	if (rc < 0) {
		jw_release(&w);
		struct err e = {0};
		db_fail(db, &e);
		reply_error(r, &e);
		return;
	}
	reply_jw(r, 200, &w);
}

/* ---- GET /api/v1/cases/{id}/calls ---- */

struct case_calls_q {
	struct jw *w;
	const char *queue, *how;
	int64_t at;
};

static int case_call_fn(void *ctx, const struct calls_call *c, struct err *e)
{
	(void)e;
	struct case_calls_q *q = ctx;
	if (strcmp(c->queue, q->queue))
		return 0;
	jw_object(q->w, NULL);
	write_call(q->w, c, 0);
	jw_str(q->w, "how", q->how);
	jw_time(q->w, "linked", q->at);
	jw_end(q->w);
	return 0;
}

void calls_h_case_calls(struct req *r)
{
	struct case_ref c;
	if (cases_readable(r, "case_read", &c) < 0)
		return;
	struct db *db = req_db(r);
	struct db_stmt *s = db_prepare(db, "SELECT callid, queue, how, at FROM call_cases WHERE "
					   "case_id = $1 ORDER BY at LIMIT 100");
	if (!s) {
		reply_errorf(r, 500, "internal", "", "the calls cannot be read");
		return;
	}
	db_bind_int(s, 1, c.id);
	struct {
		const char *callid, *queue, *how;
		int64_t at;
	} rows[100];
	int n = 0;
	while (n < 100 && db_step(s) == 1) {
		rows[n].callid = arena_strdup(&r->arena, db_col_text(s, 0));
		rows[n].queue = arena_strdup(&r->arena, db_col_text(s, 1));
		rows[n].how = arena_strdup(&r->arena, db_col_text(s, 2));
		rows[n].at = db_col_int(s, 3);
		n++;
	}
	db_done(s);
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	jw_array(&w, "items");
	struct err e = {0};
	for (int i = 0; i < n; i++) {
		struct case_calls_q q = {&w, rows[i].queue, rows[i].how, rows[i].at};
		if (calls_find(db, rows[i].callid, rows[i].at, case_call_fn, &q, &e) < 0) {
			jw_release(&w);
			reply_error(r, &e);
			return;
		}
	}
	jw_end(&w);
	jw_end(&w);
	reply_jw(r, 200, &w);
}
