/* The writer side of cases: opening a case, applying an event, the overdue sweep.
 * Each runs inside the writer's transaction. */
#include "cases/internal.h"

#include "app.h"
#include "audit/audit.h"
#include "base/jalali.h"
#include "calls/calls.h"
#include "catalog/catalog.h"
#include "sms/sms.h"

#include <stdio.h>
#include <string.h>

const struct worktime *case_calendar(const struct app *app, int64_t department_id)
{
	const struct department *d = catalog_department_by_id(department_id);
	return d && d->always ? app->always : app->office;
}

void case_new_schedule(struct case_new *c, const struct app *app)
{
	c->jyear = tehran_from_unix(c->now).date.y;
	const struct worktime *cal = case_calendar(app, c->topic->department_id);
	c->first_response_due = worktime_add(cal, c->now, c->topic->first_response_min);
	c->resolution_due = worktime_add(cal, c->now, c->topic->resolution_min);
}

/* Appends the event, as the API shows it, to the case's timeline (migration 005). */
static int append_timeline(struct db *db, int64_t case_id, int64_t id, int64_t at,
			   int64_t actor, const char *type, const char *from, const char *to,
			   const char *text, const char *data, struct err *e)
{
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	jw_int(&w, "id", id);
	jw_time(&w, "at", at);
	jw_str(&w, "type", type);
	jw_str(&w, "from_status", from);
	jw_str(&w, "to_status", to);
	jw_str(&w, "text", text ? text : "");
	jw_raw(&w, "data", data ? data : "{}");
	struct db_stmt *u = NULL;
	if (actor) {
		u = db_prepare(db, "SELECT login, name, role FROM users WHERE id = $1");
		db_bind_int(u, 1, actor);
	}
	int found = u && db_step(u) == 1;
	jw_str(&w, "actor", found ? db_col_text(u, 0) : NULL);
	jw_str(&w, "actor_name", found ? db_col_text(u, 1) : NULL);
	jw_str(&w, "actor_role", found ? db_col_text(u, 2) : NULL);
	db_done(u);
	jw_end(&w);
	struct db_stmt *s = db_prepare(
		db, "INSERT INTO case_timeline(case_id, events) VALUES ($1, '[' || $2 || ']')"
		    " ON CONFLICT(case_id) DO UPDATE SET"
		    " events = substr(case_timeline.events, 1, length(case_timeline.events) - 1)"
		    " || ',' || $2 || ']'");
	db_bind_int(s, 1, case_id);
	db_bind_text(s, 2, w.buf);
	int rc = db_step(s);
	db_done(s);
	jw_release(&w);
	return rc < 0 ? db_fail(db, e) : 0;
}

static int insert_event(struct db *db, int64_t case_id, int64_t at, int64_t actor,
			const char *type, const char *from, const char *to, const char *text,
			const char *data, struct err *e)
{
	struct db_stmt *s = db_prepare(
		db, "INSERT INTO case_events(case_id, at, actor_id, type, from_status, to_status,"
		    " text, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
	db_bind_int(s, 1, case_id);
	db_bind_int(s, 2, at);
	if (actor)
		db_bind_int(s, 3, actor);
	db_bind_text(s, 4, type);
	db_bind_text(s, 5, from);
	db_bind_text(s, 6, to);
	db_bind_text(s, 7, text ? text : "");
	db_bind_text(s, 8, data ? data : "{}");
	int rc = db_step(s);
	db_done(s);
	if (rc < 0)
		return db_fail(db, e);
	return append_timeline(db, case_id, db_last_id(db), at, actor, type, from, to, text,
			       data, e);
}

int case_create_run(struct db *db, void *arg, struct err *e)
{
	struct case_new *c = arg;
	if (people_ensure(db, c->national_id, c->mobile, c->now, &c->person_id, e) < 0)
		return -1;
	if (c->first_name) {
		/* the names typed for one no one had on record, unless the record has names */
		struct db_stmt *u = db_prepare(
			db, "UPDATE people SET first_name = $2, last_name = $3 WHERE id = $1"
			    " AND first_name = '' AND last_name = ''");
		db_bind_int(u, 1, c->person_id);
		db_bind_text(u, 2, c->first_name);
		db_bind_text(u, 3, c->last_name ? c->last_name : "");
		int rc = db_step(u);
		db_done(u);
		if (rc < 0)
			return db_fail(db, e);
	}
	struct db_stmt *s = db_prepare(
		db, "INSERT INTO case_numbers(year, last) VALUES ($1, 1) ON CONFLICT(year)"
		    " DO UPDATE SET last = case_numbers.last + 1 RETURNING last");
	db_bind_int(s, 1, c->jyear);
	int64_t seq = db_step(s) == 1 ? db_col_int(s, 0) : 0;
	db_done(s);
	if (!seq)
		return db_fail(db, e);
	snprintf(c->number, sizeof c->number, "%d-%07lld", c->jyear, (long long)seq);
	s = db_prepare(db,
		       "INSERT INTO cases(number, person_id, channel, topic_id, department_id,"
		       " priority, subject, description, mobile, status, created_by, created, updated,"
		       " first_response_due, resolution_due) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,"
		       " 'new',$10,$11,$11,$12,$13)");
	db_bind_text(s, 1, c->number);
	db_bind_int(s, 2, c->person_id);
	db_bind_text(s, 3, c->channel);
	db_bind_int(s, 4, c->topic->id);
	db_bind_int(s, 5, c->topic->department_id);
	db_bind_text(s, 6, c->priority);
	db_bind_text(s, 7, c->subject);
	db_bind_text(s, 8, c->description ? c->description : "");
	db_bind_text(s, 9, c->mobile);
	if (c->who.user_id)
		db_bind_int(s, 10, c->who.user_id);
	db_bind_int(s, 11, c->now);
	db_bind_int(s, 12, c->first_response_due);
	db_bind_int(s, 13, c->resolution_due);
	int rc = db_step(s);
	db_done(s);
	if (rc < 0)
		return db_fail(db, e);
	c->case_id = db_last_id(db);
	/* the person's earlier cases on the topic in the last 7 days were not resolved the
	 * first time (migration 028: the figures' repeat_7d) */
	s = db_prepare(db, CASE_REPEAT_SQL);
	db_bind_int(s, 1, c->person_id);
	db_bind_int(s, 2, c->topic->id);
	db_bind_int(s, 3, c->case_id);
	db_bind_int(s, 4, c->now - CASE_REPEAT_SECONDS);
	db_bind_int(s, 5, c->now); /* earlier ones only (the demo opens cases of any time) */
	rc = db_step(s);
	db_done(s);
	if (rc < 0)
		return db_fail(db, e);
	char data[160];
	snprintf(data, sizeof data, "{\"channel\":\"%s\",\"topic\":\"%s\"}", c->channel,
		 c->topic->code);
	if (insert_event(db, c->case_id, c->now, c->who.user_id, "create", NULL, "new",
			 c->subject, data, e) < 0)
		return -1;
	/* the index holds what people search by: subject and description */
	size_t n = strlen(c->subject) + (c->description ? strlen(c->description) : 0) + 2;
	char text[8192];
	if (n < sizeof text) {
		snprintf(text, sizeof text, "%s %s", c->subject, c->description ? c->description : "");
		if (db_text_put(db, "case", c->case_id, text) < 0)
			return db_fail(db, e);
	}
	struct audit_entry a = {.action = "case_create",
				.person_id = c->person_id,
				.case_id = c->case_id,
				.reason = c->number,
				.grant_context = c->who.role == ROLE_AGENT || c->who.role == ROLE_DESK};
	if (c->who.user_id && c->who.role != ROLE_CITIZEN &&
	    audit_insert(db, &c->who, c->ip, c->now, &a, e) < 0)
		return -1;
	return 0;
}

/* A due date that fell after the wait began moves by the working time spent waiting. */
static int64_t shift_due(const struct worktime *cal, int64_t due, int64_t since, int64_t now)
{
	if (!due || due <= since)
		return due;
	return worktime_add(cal, now, worktime_between(cal, since, due));
}

static int64_t user_in_department(struct db *db, const char *login, int64_t dept)
{
	struct db_stmt *s = db_prepare(db, "SELECT id FROM users WHERE login = $1 AND disabled = 0"
					   " AND role IN ('specialist', 'supervisor')"
					   " AND (department_id = $2 OR department_id IS NULL)");
	db_bind_text(s, 1, login);
	db_bind_int(s, 2, dept);
	int64_t id = db_step(s) == 1 ? db_col_int(s, 0) : 0;
	db_done(s);
	return id;
}

/* The fields of a case row that an event may change, and the event's data for the
 * timeline. */
struct case_change {
	const char *to; /* the status after the event */
	int64_t dept, assignee, fr_due, res_due, rb_due, fr_at, answered, reported, closed;
	int64_t wait_since;
	const char *wait_on;
	int failed, reopens, rating, overdue, escalated;
	int contact_hours, contact_days, first_contact, unreached;
	int64_t last_contact_day, merged_into;
	char data[4096]; /* an assignment's names: two departments' and a person's */
};

/* assign: to a department (the case is then new there) and or to one of its specialists.
 * The event's data names both by code and by name, as they were when it happened, and,
 * for a transfer, the department the case left. */
static int event_assign(struct db *db, const struct case_event *ev, struct case_change *ch,
			struct err *e)
{
	const struct department *from = catalog_department_by_id(ch->dept);
	if (ev->department) {
		const struct department *d = catalog_department_by_code(ev->department);
		if (!d)
			return err_set(e, 400, "unknown_department", "department",
				       "unknown department: %s", ev->department);
		if (d->id != ch->dept) {
			ch->dept = d->id;
			ch->assignee = 0;
			ch->to = "new";
		}
	}
	const char *assignee_name = NULL;
	struct db_stmt *u = NULL;
	if (ev->assignee) {
		ch->assignee = user_in_department(db, ev->assignee, ch->dept);
		if (!ch->assignee)
			return err_set(e, 400, "unknown_assignee", "assignee",
				       "%s is not a specialist of the case's department",
				       ev->assignee);
		ch->to = "assigned";
		u = db_prepare(db, "SELECT name FROM users WHERE id = $1");
		db_bind_int(u, 1, ch->assignee);
		if (db_step(u) == 1)
			assignee_name = db_col_text(u, 0);
	}
	const struct department *to = catalog_department_by_id(ch->dept);
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	jw_str(&w, "department", to->code);
	jw_str(&w, "department_name", to->name);
	jw_str(&w, "assignee", ev->assignee ? ev->assignee : "");
	jw_str(&w, "assignee_name", assignee_name ? assignee_name : "");
	if (from && from->id != to->id) {
		jw_str(&w, "from_department", from->code);
		jw_str(&w, "from_department_name", from->name);
	}
	jw_end(&w);
	db_done(u);
	if (w.len < sizeof ch->data)
		memcpy(ch->data, w.buf, w.len + 1);
	else /* names longer than any the catalogue and accounts allow: the codes alone */
		snprintf(ch->data, sizeof ch->data, "{\"department\":\"%s\",\"assignee\":\"%s\"}",
			 to->code, ev->assignee ? ev->assignee : "");
	jw_release(&w);
	return 0;
}

/* What the event changes in the case's row c. */
static int event_apply(struct db *db, const struct case_event *ev, const struct case_row *c,
		       struct case_change *ch, struct err *e)
{
	const struct topic *t = catalog_topic_by_id(c->topic_id);
	const struct worktime *cal = case_calendar(ev->app, c->department_id);
	const char *type = ev->type;
	if (strcmp(type, "assign") == 0) {
		if (event_assign(db, ev, ch, e) < 0)
			return -1;
	} else if (strcmp(type, "start") == 0) {
		if (!ch->assignee)
			ch->assignee = ev->who.user_id;
	} else if (strcmp(type, "wait") == 0) {
		ch->wait_since = ev->now;
		ch->wait_on = ev->on;
		snprintf(ch->data, sizeof ch->data, "{\"on\":\"%s\"}", ev->on);
	} else if (strcmp(type, "resume") == 0 ||
		   (strcmp(type, "reply") == 0 && ev->who.role == ROLE_CITIZEN &&
		    strcmp(c->status, "waiting") == 0 && ch->wait_on &&
		    strcmp(ch->wait_on, "citizen") == 0)) {
		/* the SLA clock stops while the case waits on the citizen; the citizen's reply
		 * to such a case resumes it */
		if (ch->wait_on && strcmp(ch->wait_on, "citizen") == 0) {
			if (!ch->fr_at)
				ch->fr_due = shift_due(cal, ch->fr_due, ch->wait_since, ev->now);
			ch->res_due = shift_due(cal, ch->res_due, ch->wait_since, ev->now);
		}
		ch->wait_since = 0;
		ch->wait_on = NULL;
		ch->to = "in_progress";
	} else if (strcmp(type, "answer") == 0) {
		ch->answered = ev->now;
		ch->rb_due = worktime_add(cal, ev->now, t ? t->report_back_min : 420);
		ch->overdue = 0;
	} else if (strcmp(type, "report_back") == 0 || strcmp(type, "contact_failed") == 0) {
		snprintf(ch->data, sizeof ch->data, "{\"method\":\"%s\"}", ev->method);
		if (type[0] == 'r') {
			ch->reported = ev->now;
		} else {
			/* attempts count by hour of the day and by day (cases.h) */
			int64_t day = cases_tehran_day(ev->now);
			ch->failed++;
			ch->contact_hours |= 1 << (tehran_from_unix(ev->now).minute / 60);
			if (day != ch->last_contact_day) {
				ch->contact_days++;
				ch->last_contact_day = day;
			}
		}
	} else if (strcmp(type, "close") == 0) {
		ch->closed = ev->now;
		/* closed after failed attempts: the outcome goes to them in writing (their
		 * page shows the answer) and the close is counted apart */
		if (strcmp(c->status, "answered") == 0) {
			ch->unreached = 1;
			snprintf(ch->data, sizeof ch->data, "{\"unreached\":true}");
		}
	} else if (strcmp(type, "reopen") == 0) {
		ch->reopens++;
		ch->closed = ch->reported = ch->answered = 0;
		ch->rb_due = 0;
		ch->failed = 0;
		ch->contact_hours = ch->contact_days = 0;
		ch->last_contact_day = 0;
		ch->first_contact = ch->unreached = 0;
		ch->overdue = ch->escalated = 0;
		ch->res_due = worktime_add(cal, ev->now, t ? t->resolution_min : 2520);
		ch->to = ch->assignee ? "in_progress" : "new";
	} else if (strcmp(type, "rate") == 0) {
		ch->rating = ev->rating;
		snprintf(ch->data, sizeof ch->data, "{\"rating\":%d}", ev->rating);
	}
	/* the department's first act on the case is its first response */
	if (!ch->fr_at &&
	    (ev->who.role == ROLE_SPECIALIST || ev->who.role == ROLE_SUPERVISOR ||
	     strcmp(type, "answer") == 0) &&
	    strcmp(type, "assign") != 0)
		ch->fr_at = ev->now;
	return 0;
}

/* The UPDATE of case id's row to ch, bound and ready to step. */
static struct db_stmt *change_update(struct db *db, int64_t id, const struct case_change *ch,
				     int64_t now)
{
	struct db_stmt *s = db_prepare(
		db, "UPDATE cases SET status = $2, department_id = $3, assignee_id = $4,"
		    " first_response_due = $5, resolution_due = $6, report_back_due = $7,"
		    " first_response_at = $8, answered_at = $9, reported_at = $10, closed_at = $11,"
		    " waiting_since = $12, waiting_on = $13, failed_contacts = $14,"
		    " reopen_count = $15, rating = $16, overdue = $17, escalated = $18, updated = $19,"
		    " contact_hours = $20, contact_days = $21, last_contact_day = $22,"
		    " first_contact = $23, unreached = $24, merged_into = $25, version = version + 1"
		    " WHERE id = $1");
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, ch->to);
	db_bind_int(s, 3, ch->dept);
#define BIND_OPT(i, v)                                                                         \
	do {                                                                                   \
		if (v)                                                                         \
			db_bind_int(s, i, v);                                                  \
	} while (0)
	BIND_OPT(4, ch->assignee);
	BIND_OPT(5, ch->fr_due);
	BIND_OPT(6, ch->res_due);
	BIND_OPT(7, ch->rb_due);
	BIND_OPT(8, ch->fr_at);
	BIND_OPT(9, ch->answered);
	BIND_OPT(10, ch->reported);
	BIND_OPT(11, ch->closed);
	BIND_OPT(12, ch->wait_since);
	db_bind_text(s, 13, ch->wait_on);
	db_bind_int(s, 14, ch->failed);
	db_bind_int(s, 15, ch->reopens);
	BIND_OPT(16, ch->rating);
	db_bind_int(s, 17, ch->overdue);
	db_bind_int(s, 18, ch->escalated);
	db_bind_int(s, 19, now);
	db_bind_int(s, 20, ch->contact_hours);
	db_bind_int(s, 21, ch->contact_days);
	BIND_OPT(22, ch->last_contact_day);
	db_bind_int(s, 23, ch->first_contact);
	db_bind_int(s, 24, ch->unreached);
	BIND_OPT(25, ch->merged_into);
#undef BIND_OPT
	return s;
}

/* The row's fields an event may change, as they are before it. */
static struct case_change change_of(const struct case_row *c)
{
	return (struct case_change){.dept = c->department_id,
				    .assignee = c->assignee_id,
				    .fr_due = c->first_response_due,
				    .res_due = c->resolution_due,
				    .rb_due = c->report_back_due,
				    .fr_at = c->first_response_at,
				    .answered = c->answered_at,
				    .reported = c->reported_at,
				    .closed = c->closed_at,
				    .wait_since = c->waiting_since,
				    .wait_on = c->waiting_on,
				    .failed = c->failed_contacts,
				    .reopens = c->reopen_count,
				    .rating = c->rating,
				    .overdue = c->overdue,
				    .escalated = c->escalated,
				    .contact_hours = c->contact_hours,
				    .contact_days = c->contact_days,
				    .last_contact_day = c->last_contact_day,
				    .first_contact = c->first_contact,
				    .unreached = c->unreached,
				    .merged_into = c->merged_into,
				    .data = "{}"};
}

/* Writes ch into case c's row and appends the event: 0, or -1 with e. */
static int change_write(struct db *db, const struct case_event *ev, const struct case_row *c,
			const char *type, const char *text, const struct case_change *ch,
			struct err *e)
{
	struct db_stmt *s = change_update(db, c->id, ch, ev->now);
	int st = db_step(s);
	db_done(s);
	if (st < 0)
		return db_fail(db, e);
	return insert_event(db, c->id, ev->now, ev->who.user_id, type, c->status, ch->to, text,
			    ch->data, e);
}

/* A case's SMS stays worth sending this long: an answer told days late is still news,
 * and the page shows it meanwhile. */
#define CASE_SMS_VALID (3 * 86400)

/* The citizen's SMS when their case is answered or reported back, if they gave a mobile
 * on it: queued in the event's transaction (sms.h), so sent exactly when the event
 * commits. Not on a case solved on the call: they heard it on the call. The case number
 * in Persian digits, isolated left to right (LRI ... PDI) so that its dash stays put in
 * the right-to-left text. */
static int case_sms(struct db *db, const struct case_event *ev, const struct case_row *c,
		    const char *type, struct err *e)
{
	if (!c->mobile || strcmp(ev->type, "solve_on_call") == 0)
		return 0;
	char number[80], *p = number;
	for (const char *q = c->number; *q && p < number + sizeof number - 3; q++) {
		if (*q >= '0' && *q <= '9') { /* U+06F0.. in UTF-8 */
			*p++ = (char)0xDB;
			*p++ = (char)(0xB0 + (*q - '0'));
		} else {
			*p++ = *q;
		}
	}
	*p = 0;
	char text[400];
	snprintf(text, sizeof text,
		 strcmp(type, "answer") == 0
		     ? "سازمان تأمین اجتماعی: درخواست شما به شماره \u2066%s\u2069 پاسخ داده شد. "
		       "پاسخ را در صفحه پرونده ببینید."
		     : "سازمان تأمین اجتماعی: نتیجه درخواست شما به شماره \u2066%s\u2069 به شما "
		       "اعلام شد. پاسخ در صفحه پرونده است.",
		 number);
	return sms_send(db, c->mobile, text,
			strcmp(type, "answer") == 0 ? "case_answered" : "case_reported", ev->now,
			ev->now + CASE_SMS_VALID, e);
}

/* One event on case c (loaded in a), checked by the state machine and applied; c is
 * read again after it, for the next step of an action of several. */
static int event_step(struct db *db, const struct case_event *ev, int role, const char *type,
		      const char *text, struct case_row *c, struct arena *a, struct err *e)
{
	struct case_facts f = case_facts_of(c);
	struct case_change ch = change_of(c);
	struct case_event step = *ev;
	step.type = type;
	if (case_transition(type, role, &f, ev->now, &ch.to, e) < 0 ||
	    event_apply(db, &step, c, &ch, e) < 0 || change_write(db, ev, c, type, text, &ch, e) < 0)
		return -1;
	if ((strcmp(type, "answer") == 0 || strcmp(type, "report_back") == 0) &&
	    case_sms(db, ev, c, type, e) < 0)
		return -1;
	return case_load(db, c->id, c, a) == 1 ? 0 : db_fail(db, e);
}

/* solve_on_call: the answer, the report back by the same call, the close; the close
 * says it was the first contact (first contact resolution). */
static int event_solve(struct db *db, struct case_event *ev, struct case_row *c, struct arena *a,
		       struct err *e)
{
	const char *to;
	struct case_facts f = case_facts_of(c);
	if (case_transition("solve_on_call", ev->who.role, &f, ev->now, &to, e) < 0)
		return -1;
	if (!ev->method)
		ev->method = "call";
	if (event_step(db, ev, ev->who.role, "answer", ev->text, c, a, e) < 0 ||
	    event_step(db, ev, ev->who.role, "report_back", NULL, c, a, e) < 0)
		return -1;
	struct case_change ch = change_of(c);
	ch.to = "closed";
	ch.closed = ev->now;
	ch.first_contact = 1;
	snprintf(ch.data, sizeof ch.data, "{\"first_contact\":true}");
	return change_write(db, ev, c, "close", NULL, &ch, e);
}

/* merge: case c, a duplicate, closes into ev->into, a case of the same person still open;
 * each timeline says so. A supervisor, or whoever holds or opened c, may merge it. */
static int event_merge(struct db *db, const struct case_event *ev, struct case_row *c,
		       struct arena *a, struct err *e)
{
	const char *to;
	struct case_facts f = case_facts_of(c);
	if (case_transition("merge", ev->who.role, &f, ev->now, &to, e) < 0)
		return -1;
	if (ev->who.role != ROLE_SUPERVISOR && c->assignee_id != ev->who.user_id &&
	    c->created_by != ev->who.user_id)
		return err_set(e, 403, "forbidden", "type",
			       "only a supervisor or the case's owner may merge it");
	struct case_row into;
	int rc = case_load(db, ev->into, &into, a);
	if (rc < 0)
		return db_fail(db, e);
	if (rc == 0 || into.id == c->id || into.person_id != c->person_id)
		return err_set(e, 400, "invalid_field", "into",
			       "into must name another case of the same person");
	if (strcmp(into.status, "closed") == 0)
		return err_set(e, 409, "invalid_transition", "into",
			       "a case cannot be merged into a closed one");
	struct case_change ch = change_of(c);
	ch.to = "closed";
	ch.closed = ev->now;
	ch.merged_into = into.id;
	snprintf(ch.data, sizeof ch.data, "{\"into\":%lld,\"number\":\"%s\"}",
		 (long long)into.id, into.number);
	if (change_write(db, ev, c, "merge", ev->text, &ch, e) < 0)
		return -1;
	struct case_change other = change_of(&into);
	other.to = into.status;
	snprintf(other.data, sizeof other.data, "{\"from\":%lld,\"number\":\"%s\"}",
		 (long long)c->id, c->number);
	return change_write(db, ev, &into, "merged", ev->text, &other, e);
}

/* Applies ev, checked by the state machine's rules for `role` (the sender's, or the
 * desk's for a citizen's file that resumes a case: case_attached_run). */
static int event_run_as(struct db *db, struct case_event *ev, int role, struct err *e)
{
	struct arena a;
	arena_init(&a);
	struct case_row c;
	int rc = -1;
	int found = case_load(db, ev->case_id, &c, &a);
	if (found != 1) {
		err_set(e, found == 0 ? 404 : 500, "not_found", "id", "no such case");
		goto out;
	}
	/* the check of If-Match that counts: in the transaction, where no one else writes */
	if (ev->if_match && ev->if_match != c.version) {
		err_set(e, 409, "stale_version", "If-Match",
			"the case changed since you read it (version %lld, now %lld): read it again",
			(long long)ev->if_match, (long long)c.version);
		goto out;
	}
	const char *type = ev->type;
	int64_t person = c.person_id, id = c.id;
	if (strcmp(type, "solve_on_call") == 0)
		rc = event_solve(db, ev, &c, &a, e);
	else if (strcmp(type, "merge") == 0)
		rc = event_merge(db, ev, &c, &a, e);
	else
		rc = event_step(db, ev, role, type, ev->text, &c, &a, e);
	if (rc < 0)
		goto out;
	struct audit_entry au = {.action = "case_event",
				 .person_id = person,
				 .case_id = id,
				 .reason = type};
	if (ev->who.role != ROLE_CITIZEN && audit_insert(db, &ev->who, ev->ip, ev->now, &au, e) < 0)
		rc = -1;
out:
	arena_release(&a);
	return rc;
}

/* Who is concerned by each case of ids (live/): its row's people, number and status. */
static int sweep_who(struct db *db, const int64_t *ids, int n, struct case_swept *out,
		     struct err *e)
{
	for (int i = 0; i < n; i++) {
		struct db_stmt *s = db_prepare(db, "SELECT department_id, assignee_id, created_by,"
						   " person_id, number, status FROM cases WHERE id = $1");
		if (!s)
			return db_fail(db, e);
		db_bind_int(s, 1, ids[i]);
		struct case_swept *o = &out[i];
		memset(o, 0, sizeof *o);
		o->id = ids[i];
		if (db_step(s) == 1) {
			o->department_id = db_col_int(s, 0);
			o->assignee_id = db_col_int(s, 1);
			o->created_by = db_col_int(s, 2);
			o->person_id = db_col_int(s, 3);
			snprintf(o->number, sizeof o->number, "%s", db_col_text(s, 4));
			snprintf(o->status, sizeof o->status, "%s", db_col_text(s, 5));
		}
		db_done(s);
	}
	return 0;
}

int case_event_run(struct db *db, void *arg, struct err *e)
{
	struct case_event *ev = arg;
	return event_run_as(db, ev, ev->who.role, e);
}

int case_attached_run(struct db *db, struct case_attached *at, struct err *e)
{
	struct arena a;
	arena_init(&a);
	struct case_row c;
	int rc = -1, found = case_load(db, at->case_id, &c, &a);
	if (found != 1) {
		err_set(e, found == 0 ? 404 : 500, "not_found", "id", "no such case");
		goto out;
	}
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	jw_int(&w, "attachment_id", at->attachment_id);
	jw_str(&w, "name", at->name);
	jw_end(&w);
	struct db_stmt *s =
		db_prepare(db, "UPDATE cases SET updated = $2, version = version + 1 WHERE id = $1");
	db_bind_int(s, 1, c.id);
	db_bind_int(s, 2, at->now);
	int st = db_step(s);
	db_done(s);
	if (st < 0 || insert_event(db, c.id, at->now, at->who.user_id, "attachment", c.status,
				   c.status, NULL, w.buf, e) < 0) {
		jw_release(&w);
		if (st < 0)
			db_fail(db, e);
		goto out;
	}
	jw_release(&w);
	at->resumed = at->who.role == ROLE_CITIZEN && strcmp(c.status, "waiting") == 0 &&
		      c.waiting_on && strcmp(c.waiting_on, "citizen") == 0;
	if (at->resumed) {
		struct case_event ev = {.who = at->who,
					.app = at->app,
					.ip = at->ip,
					.case_id = c.id,
					.now = at->now,
					.type = "resume"};
		/* the desk's rule: the citizen's file is the answer the case waited for */
		if (event_run_as(db, &ev, ROLE_DESK, e) < 0)
			goto out;
	}
	/* a file added while a call is on the adder's screen: the case is linked to the call
	 * as touched, as by any other write (cases/http.c's event_run) */
	rc = calls_touch(db, at->who.user_id, c.id, at->now, e);
out:
	arena_release(&a);
	return rc;
}

int cases_sweep(struct db *db, int64_t now, struct err *e)
{
	return cases_sweep_into(db, now, NULL, e);
}

int cases_sweep_into(struct db *db, int64_t now, struct case_swept *out, struct err *e)
{
	/* Open cases past a due date; a case waiting on the citizen is paused. */
	/* Each arm matches one partial index (migration 002) word for word, so that the
	 * sweep reads only cases it may still escalate. */
	struct db_stmt *s = db_prepare(
		db, "SELECT id, status, department_id FROM cases WHERE overdue = 0 AND status IN"
		    " ('new', 'assigned', 'in_progress', 'waiting') AND resolution_due < $1"
		    " AND (status <> 'waiting' OR waiting_on = 'department')"
		    " UNION SELECT id, status, department_id FROM cases WHERE overdue = 0"
		    " AND first_response_at IS NULL AND status IN ('new', 'assigned')"
		    " AND first_response_due < $1"
		    " UNION SELECT id, status, department_id FROM cases WHERE overdue = 0"
		    " AND status = 'answered' AND report_back_due < $1 LIMIT 2000");
	if (!s)
		return db_fail(db, e);
	db_bind_int(s, 1, now);
	int64_t ids[2000], depts[2000];
	char statuses[2000][16];
	int n = 0;
	while (n < 2000 && db_step(s) == 1) {
		ids[n] = db_col_int(s, 0);
		snprintf(statuses[n], sizeof statuses[n], "%s", db_col_text(s, 1));
		depts[n] = db_col_int(s, 2);
		n++;
	}
	db_done(s);
	if (out && sweep_who(db, ids, n, out, e) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		struct db_stmt *u = db_prepare(db, "UPDATE cases SET overdue = 1, escalated = 1,"
						   " updated = $2, version = version + 1 WHERE id = $1");
		db_bind_int(u, 1, ids[i]);
		db_bind_int(u, 2, now);
		int rc = db_step(u);
		db_done(u);
		if (rc < 0)
			return db_fail(db, e);
		/* the escalation names the department's supervisors */
		char sup[512] = "";
		size_t len = 0;
		struct db_stmt *q = db_prepare(db, "SELECT login FROM users WHERE role = 'supervisor'"
						   " AND department_id = $1 AND disabled = 0");
		db_bind_int(q, 1, depts[i]);
		while (db_step(q) == 1 && len < sizeof sup - 70)
			len += (size_t)snprintf(sup + len, sizeof sup - len, "%s\"%s\"",
						len ? "," : "", db_col_text(q, 0));
		db_done(q);
		char data[600];
		snprintf(data, sizeof data, "{\"supervisors\":[%s]}", sup);
		if (insert_event(db, ids[i], now, 0, "escalate", statuses[i], statuses[i],
				 "overdue: escalated to the department's supervisor", data, e) < 0)
			return -1;
	}
	return n;
}
