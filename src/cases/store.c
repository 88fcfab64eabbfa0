/* Reading cases and turning them into JSON. */
#include "cases/internal.h"

#include "audit/audit.h"
#include "base/jalali.h"
#include "catalog/catalog.h"

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
}

int case_load(struct db *db, int64_t id, struct case_row *c, struct arena *a)
{
	struct db_stmt *s = db_prepare(db, CASE_SELECT " WHERE c.id = $1");
	if (!s)
		return -1;
	db_bind_int(s, 1, id);
	int rc = db_step(s);
	if (rc == 1)
		case_read_row(s, c, a);
	db_done(s);
	return rc;
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
		return !who->department_id || c->department_id == who->department_id;
	case ROLE_AGENT:
	case ROLE_DESK:
		return c->created_by == who->user_id || c->assignee_id == who->user_id ||
		       audit_has_context(db, who, c->person_id, now);
	default:
		return 0;
	}
}

static json_t *time_or_null(int64_t t)
{
	if (!t)
		return json_null();
	char buf[21];
	iso_format(t, buf);
	return json_string(buf);
}

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

json_t *case_json_brief(const struct case_row *c)
{
	const struct topic *t = catalog_topic_by_id(c->topic_id);
	const struct department *d = catalog_department_by_id(c->department_id);
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(c->id));
	json_object_set_new(o, "number", json_string(c->number));
	json_object_set_new(o, "status", json_string(c->status));
	json_object_set_new(o, "channel", json_string(c->channel));
	json_object_set_new(o, "topic", json_string(t ? t->code : ""));
	json_object_set_new(o, "topic_name", json_string(t ? t->name : ""));
	json_object_set_new(o, "department", json_string(d ? d->code : ""));
	json_object_set_new(o, "priority", json_string(c->priority));
	json_object_set_new(o, "subject", json_string(c->subject));
	json_object_set_new(o, "national_id", str_or_null(c->national_id));
	json_object_set_new(o, "person_name", str_or_null(c->person_name));
	json_object_set_new(o, "assignee", str_or_null(c->assignee_login));
	json_object_set_new(o, "created", time_or_null(c->created));
	json_object_set_new(o, "updated", time_or_null(c->updated));
	json_object_set_new(o, "first_response_due", time_or_null(c->first_response_due));
	json_object_set_new(o, "resolution_due", time_or_null(c->resolution_due));
	json_object_set_new(o, "report_back_due", time_or_null(c->report_back_due));
	json_object_set_new(o, "overdue", json_boolean(c->overdue));
	json_object_set_new(o, "reopen_count", json_integer(c->reopen_count));
	return o;
}

static json_t *events_json(struct db *db, int64_t case_id)
{
	json_t *a = json_array();
	struct db_stmt *s = db_prepare(
		db, "SELECT e.id, e.at, e.type, e.from_status, e.to_status, e.text, e.data,"
		    " u.login, u.name, u.role FROM case_events e LEFT JOIN users u ON u.id = e.actor_id"
		    " WHERE e.case_id = $1 ORDER BY e.id");
	db_bind_int(s, 1, case_id);
	while (db_step(s) == 1) {
		json_t *data = json_loads(db_col_text(s, 6), 0, NULL);
		json_t *ev = json_object();
		json_object_set_new(ev, "id", json_integer(db_col_int(s, 0)));
		json_object_set_new(ev, "at", time_or_null(db_col_int(s, 1)));
		json_object_set_new(ev, "type", json_string(db_col_text(s, 2)));
		json_object_set_new(ev, "from_status", str_or_null(db_col_text(s, 3)));
		json_object_set_new(ev, "to_status", str_or_null(db_col_text(s, 4)));
		json_object_set_new(ev, "text", json_string(db_col_text(s, 5)));
		json_object_set_new(ev, "data", data ? data : json_object());
		json_object_set_new(ev, "actor", str_or_null(db_col_text(s, 7)));
		json_object_set_new(ev, "actor_name", str_or_null(db_col_text(s, 8)));
		json_object_set_new(ev, "actor_role", str_or_null(db_col_text(s, 9)));
		json_array_append_new(a, ev);
	}
	db_done(s);
	return a;
}

json_t *case_json_full(struct db *db, const struct case_row *c, const struct person *p,
		       const struct principal *who, int64_t now)
{
	json_t *o = case_json_brief(c);
	json_object_set_new(o, "description", json_string(c->description));
	json_object_set_new(o, "mobile", str_or_null(c->mobile));
	json_object_set_new(o, "first_response_at", time_or_null(c->first_response_at));
	json_object_set_new(o, "answered_at", time_or_null(c->answered_at));
	json_object_set_new(o, "reported_at", time_or_null(c->reported_at));
	json_object_set_new(o, "closed_at", time_or_null(c->closed_at));
	json_object_set_new(o, "waiting_since", time_or_null(c->waiting_since));
	json_object_set_new(o, "waiting_on", str_or_null(c->waiting_on));
	json_object_set_new(o, "failed_contacts", json_integer(c->failed_contacts));
	json_object_set_new(o, "escalated", json_boolean(c->escalated));
	json_object_set_new(o, "rating", c->rating ? json_integer(c->rating) : json_null());
	json_object_set_new(o, "assignee_name", str_or_null(c->assignee_name));
	if (p)
		json_object_set_new(o, "person", people_json(p));
	json_object_set_new(o, "events", events_json(db, c->id));
	struct case_facts f = {c->status, c->failed_contacts, c->closed_at, c->reported_at};
	const char *allowed[16];
	int n = case_allowed_events(who->role, &f, now, allowed, 16);
	json_t *al = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(al, json_string(allowed[i]));
	json_object_set_new(o, "allowed_events", al);
	return o;
}
