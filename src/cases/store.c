/* Reading cases and turning them into JSON. */
#include "cases/internal.h"

#include "audit/audit.h"
#include "base/jalali.h"
#include "catalog/catalog.h"

#include <jansson.h>
#include <string.h>

static const char *dup(struct db_stmt *s, int c, struct arena *a)
{
	const char *v = db_col_text(s, c);
	return v ? arena_strdup(a, v) : NULL;
}

void case_read_row(struct db_stmt *s, struct case_row *c, struct arena *a)
{
	c->id = db_col_int(s, 0);
	c->number = dup(s, 1, a);
	c->person_id = db_col_int(s, 2);
	c->channel = dup(s, 3, a);
	c->topic_id = db_col_int(s, 4);
	c->department_id = db_col_int(s, 5);
	c->priority = dup(s, 6, a);
	c->subject = dup(s, 7, a);
	c->description = dup(s, 8, a);
	c->mobile = dup(s, 9, a);
	c->status = dup(s, 10, a);
	c->assignee_id = db_col_int(s, 11);
	c->created_by = db_col_int(s, 12);
	c->created = db_col_int(s, 13);
	c->updated = db_col_int(s, 14);
	c->first_response_due = db_col_int(s, 15);
	c->resolution_due = db_col_int(s, 16);
	c->report_back_due = db_col_int(s, 17);
	c->first_response_at = db_col_int(s, 18);
	c->answered_at = db_col_int(s, 19);
	c->reported_at = db_col_int(s, 20);
	c->closed_at = db_col_int(s, 21);
	c->waiting_since = db_col_int(s, 22);
	c->waiting_on = dup(s, 23, a);
	c->failed_contacts = (int)db_col_int(s, 24);
	c->reopen_count = (int)db_col_int(s, 25);
	c->overdue = (int)db_col_int(s, 26);
	c->escalated = (int)db_col_int(s, 27);
	c->rating = (int)db_col_int(s, 28);
	c->assignee_login = dup(s, 29, a);
	c->assignee_name = dup(s, 30, a);
	c->person_name = dup(s, 31, a);
	c->national_id = dup(s, 32, a);
	c->person.id = c->person_id;
	c->person.national_id = c->national_id;
	c->person.first_name = dup(s, 33, a);
	c->person.last_name = dup(s, 34, a);
	c->person.father_name = dup(s, 35, a);
	c->person.gender = dup(s, 36, a);
	c->person.birth_date = dup(s, 37, a);
	c->person.mobile = dup(s, 38, a);
	c->person.province = dup(s, 39, a);
	c->version = db_col_int(s, 40);
	c->contact_hours = (int)db_col_int(s, 41);
	c->contact_days = (int)db_col_int(s, 42);
	c->last_contact_day = db_col_int(s, 43);
	c->first_contact = (int)db_col_int(s, 44);
	c->unreached = (int)db_col_int(s, 45);
	c->merged_into = db_col_int(s, 46);
}

struct case_facts case_facts_of(const struct case_row *c)
{
	const struct topic *t = catalog_topic_by_id(c->topic_id);
	return (struct case_facts){.status = c->status,
				   .failed_contacts = c->failed_contacts,
				   .closed_at = c->closed_at,
				   .reported_at = c->reported_at,
				   .contact_hours = c->contact_hours,
				   .contact_days = c->contact_days,
				   .need_attempts = t ? t->contact_attempts : CASE_CONTACT_ATTEMPTS,
				   .need_days = t ? t->contact_days : CASE_CONTACT_DAYS};
}

int case_load(struct db *db, int64_t id, struct case_row *c, struct arena *a)
{
	struct db_stmt *s =
		db_prepare(db, "SELECT " CASE_COLS ", t.events" CASE_FROM
			       " LEFT JOIN case_timeline t ON t.case_id = c.id WHERE c.id = $1");
	if (!s)
		return -1;
	db_bind_int(s, 1, id);
	int rc = db_step(s);
	if (rc == 1) {
		case_read_row(s, c, a);
		c->events_json = dup(s, 47, a);
	}
	db_done(s);
	return rc;
}

int case_may_read_any(const struct principal *who)
{
	return who->role == ROLE_SUPERVISOR && !who->department_id;
}

int case_may_read(struct db *db, const struct principal *who, const struct case_row *c,
		  int64_t now)
{
	switch (who->role) {
	case ROLE_CITIZEN:
		return who->person_id && c->person_id == who->person_id;
	case ROLE_SPECIALIST:
		return who->department_id && c->department_id == who->department_id;
	case ROLE_SUPERVISOR:
		return case_may_read_any(who) || c->department_id == who->department_id;
	case ROLE_AGENT:
	case ROLE_DESK:
		return c->created_by == who->user_id || c->assignee_id == who->user_id ||
		       audit_has_context(db, who, c->person_id, now);
	default:
		return 0;
	}
}

void case_write_brief(struct jw *w, const struct case_row *c, const struct principal *who)
{
	const struct topic *t = catalog_topic_by_id(c->topic_id);
	const struct department *d = catalog_department_by_id(c->department_id);
	jw_int(w, "id", c->id);
	jw_str(w, "number", c->number);
	jw_str(w, "status", c->status);
	jw_str(w, "channel", c->channel);
	jw_str(w, "topic", t ? t->code : "");
	jw_str(w, "topic_name", t ? t->name : "");
	jw_str(w, "department", d ? d->code : "");
	jw_str(w, "priority", c->priority);
	jw_str(w, "subject", c->subject);
	jw_str(w, "national_id", c->national_id);
	jw_str(w, "person_name", c->person_name);
	jw_time(w, "created", c->created);
	jw_time(w, "updated", c->updated);
	jw_time(w, "resolution_due", c->resolution_due);
	if (who->role != ROLE_CITIZEN) { /* who holds it, and the internal targets */
		jw_str(w, "assignee", c->assignee_login);
		jw_time(w, "first_response_due", c->first_response_due);
		jw_time(w, "report_back_due", c->report_back_due);
	}
	jw_bool(w, "overdue", c->overdue);
	jw_int(w, "reopen_count", c->reopen_count);
}

static void write_allowed(struct jw *w, const struct case_row *c, const struct principal *who,
			  int64_t now)
{
	struct case_facts f = case_facts_of(c);
	const char *allowed[16];
	int n = case_allowed_events(who->role, &f, now, allowed, 16);
	jw_array(w, "allowed_events");
	for (int i = 0; i < n; i++)
		jw_str(w, NULL, allowed[i]);
	jw_end(w);
}

/* The event types a citizen sees on their case, and what of each: its text (the words
 * addressed to them or their own), and the keys of its data. Everything else (notes,
 * escalations, who holds the case, a wait's reason inside the organisation) is not on
 * the list and so never written. A `note` by the citizen themselves is theirs: before
 * replies existed, a citizen's word on their case was filed as a note. */
static const struct citizen_event {
	const char *type;
	int text; /* 1: shown; 2: shown when the citizen wrote it or it waits on them */
	const char *data[3];
} citizen_events[] = {
	{"create", 1, {"channel", "topic"}},
	{"assign", 0, {"department"}},
	{"start", 0, {0}},
	{"wait", 2, {"on"}},
	{"resume", 0, {0}},
	{"reply", 1, {0}},
	{"answer", 1, {0}},
	{"report_back", 0, {"method"}},
	{"contact_failed", 0, {"method"}},
	{"close", 2, {"first_contact", "unreached"}},
	{"reopen", 2, {0}},
	{"rate", 0, {"rating"}},
	{"attachment", 0, {"attachment_id", "name"}},
	{"merge", 0, {"into", "number"}},
	{"merged", 0, {"from", "number"}},
	{"note", 2, {0}},
};

static const struct citizen_event *citizen_event(const char *type)
{
	for (size_t i = 0; i < sizeof citizen_events / sizeof *citizen_events; i++)
		if (!strcmp(citizen_events[i].type, type))
			return &citizen_events[i];
	return NULL;
}

/* The citizen's timeline, read from the events themselves (a citizen reads a case far
 * less often than staff do, and the list decides per event what is shown). */
static void write_citizen_events(struct db *db, struct jw *w, int64_t case_id)
{
	struct db_stmt *s = db_prepare(
		db, "SELECT e.id, e.at, e.type, e.from_status, e.to_status, e.text, e.data, u.role,"
		    " u.name FROM case_events e LEFT JOIN users u ON u.id = e.actor_id"
		    " WHERE e.case_id = $1 ORDER BY e.id");
	db_bind_int(s, 1, case_id);
	jw_array(w, "events");
	while (db_step(s) == 1) {
		const char *type = db_col_text(s, 2), *role = db_col_text(s, 7);
		const struct citizen_event *ce = citizen_event(type);
		int by_citizen = role && !strcmp(role, "citizen");
		if (!ce || (!strcmp(type, "note") && !by_citizen))
			continue;
		json_t *data = json_loads(db_col_text(s, 6), 0, NULL);
		const char *on = json_string_value(json_object_get(data, "on"));
		int text = ce->text == 1 || (ce->text == 2 && (by_citizen || (on && !strcmp(on, "citizen"))));
		jw_object(w, NULL);
		jw_int(w, "id", db_col_int(s, 0));
		jw_time(w, "at", db_col_int(s, 1));
		jw_str(w, "type", !strcmp(type, "note") ? "reply" : type);
		jw_str(w, "from_status", db_col_text(s, 3));
		jw_str(w, "to_status", db_col_text(s, 4));
		jw_str(w, "text", text ? db_col_text(s, 5) : "");
		jw_object(w, "data");
		for (int i = 0; i < 3 && ce->data[i]; i++) {
			json_t *v = json_object_get(data, ce->data[i]);
			if (json_is_string(v))
				jw_str(w, ce->data[i], json_string_value(v));
			else if (json_is_integer(v))
				jw_int(w, ce->data[i], json_integer_value(v));
			else if (json_is_boolean(v))
				jw_bool(w, ce->data[i], json_is_true(v));
		}
		jw_end(w);
		jw_str(w, "actor_role", role);
		jw_str(w, "actor_name", by_citizen ? NULL : db_col_text(s, 8));
		jw_end(w);
		json_decref(data);
	}
	db_done(s);
	jw_end(w);
}

void case_write_full(struct db *db, struct jw *w, const struct case_row *c,
		     const struct principal *who, int64_t now)
{
	jw_object(w, NULL);
	case_write_fields(db, w, c, who, now);
	jw_end(w);
}

/* The case's fields. The first block is what a citizen may see of their own case (an
 * allow-list: a field added below it is staff's alone); the citizen's timeline is read
 * through citizen_events. Staff get the rest. */
void case_write_fields(struct db *db, struct jw *w, const struct case_row *c,
		       const struct principal *who, int64_t now)
{
	case_write_brief(w, c, who);
	jw_int(w, "version", c->version);
	jw_str(w, "description", c->description);
	jw_str(w, "mobile", c->mobile);
	jw_time(w, "answered_at", c->answered_at);
	jw_time(w, "reported_at", c->reported_at);
	jw_time(w, "closed_at", c->closed_at);
	jw_time(w, "waiting_since", c->waiting_since);
	jw_str(w, "waiting_on", c->waiting_on);
	jw_bool(w, "first_contact", c->first_contact);
	jw_bool(w, "unreached", c->unreached);
	if (c->rating)
		jw_int(w, "rating", c->rating);
	else
		jw_null(w, "rating");
	if (who->role == ROLE_CITIZEN) {
		write_citizen_events(db, w, c->id);
		write_allowed(w, c, who, now);
		return;
	}
	if (c->merged_into)
		jw_int(w, "merged_into", c->merged_into);
	else
		jw_null(w, "merged_into");
	struct case_facts f = case_facts_of(c);
	jw_int(w, "contact_attempts_counted", case_contact_counted(&f));
	jw_int(w, "contact_days", c->contact_days);
	jw_time(w, "first_response_at", c->first_response_at);
	jw_int(w, "failed_contacts", c->failed_contacts);
	jw_bool(w, "escalated", c->escalated);
	jw_str(w, "assignee_name", c->assignee_name);
	people_write(w, "person", &c->person);
	jw_raw(w, "events", c->events_json ? c->events_json : "[]");
	write_allowed(w, c, who, now);
}

int64_t cases_open_count(struct db *db, int64_t department_id, int64_t user_id)
{
	/* the statuses written out, so that cases_department(department_id, status, id)
	 * serves the count as a few seeks */
	struct db_stmt *s = db_prepare(
	    db, "SELECT count(*) FROM cases WHERE department_id = $1 AND assignee_id = $2 AND"
		" status IN ('new', 'assigned', 'in_progress', 'waiting', 'answered',"
		" 'reported_back')");
	db_bind_int(s, 1, department_id);
	db_bind_int(s, 2, user_id);
	int64_t n = db_step(s) == 1 ? db_col_int(s, 0) : -1;
	db_done(s);
	return n;
}
