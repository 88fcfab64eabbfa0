/* Private to the cases module: the case row and its storage. */
#ifndef TAMIN_CASES_INTERNAL_H
#define TAMIN_CASES_INTERNAL_H

#include "base/jw.h"

#include "cases/cases.h"
#include "people/people.h"

struct case_row {
	int64_t id;
	const char *number;
	int64_t person_id;
	const char *channel;
	int64_t topic_id, department_id;
	const char *priority, *subject, *description, *mobile, *status;
	int64_t assignee_id, created_by, created, updated;
	int64_t first_response_due, resolution_due, report_back_due;
	int64_t first_response_at, answered_at, reported_at, closed_at, waiting_since;
	const char *waiting_on;
	int failed_contacts, reopen_count, overdue, escalated, rating;
	const char *assignee_login, *assignee_name;
	const char *person_name; /* first + last, for lists */
	const char *national_id;
	struct person person; /* read in the same query: a case read is one query fewer */
	int64_t version;      /* one more with each change: the ETag (migration 015) */
	int contact_hours, contact_days; /* the spread of failed contacts since the answer */
	int64_t last_contact_day;
	int first_contact, unreached; /* solved on the call; closed without reaching them */
	int64_t merged_into;
	const char *events_json; /* the timeline (case_timeline), only from case_load */
};

/* 1 found, 0 not found, -1 error. */
int case_load(struct db *db, int64_t id, struct case_row *c, struct arena *a);
/* The whole case for GET /cases/{id}: the row, the person, the events, allowed events.
 * A citizen gets their case from an allow-list of fields and of event types (store.c):
 * no internal note, no staff login, no wait's internal reason ever reaches them. */
void case_write_full(struct db *db, struct jw *w, const struct case_row *c,
		     const struct principal *who, int64_t now);
/* The same fields, written into an open object (to add more after them). */
void case_write_fields(struct db *db, struct jw *w, const struct case_row *c,
		       const struct principal *who, int64_t now);
/* The compact form used in lists: the fields of the object, written into an open one
 * (a citizen's without the assignee and the internal due dates). */
void case_write_brief(struct jw *w, const struct case_row *c, const struct principal *who);
/* Columns and joins that case_read_row expects (47 columns, the person's included). */
#define CASE_COLS                                                                              \
	"c.id, c.number, c.person_id, c.channel, c.topic_id, c.department_id,"                 \
	" c.priority, c.subject, c.description, c.mobile, c.status, c.assignee_id,"            \
	" c.created_by, c.created, c.updated, c.first_response_due, c.resolution_due,"         \
	" c.report_back_due, c.first_response_at, c.answered_at, c.reported_at, c.closed_at,"  \
	" c.waiting_since, c.waiting_on, c.failed_contacts, c.reopen_count, c.overdue,"        \
	" c.escalated, c.rating, u.login, u.name, p.first_name || ' ' || p.last_name,"         \
	" p.national_id, p.first_name, p.last_name, p.father_name, p.gender, p.birth_date,"    \
	" p.mobile, p.province, c.version, c.contact_hours, c.contact_days,"                   \
	" c.last_contact_day, c.first_contact, c.unreached, c.merged_into"
#define CASE_FROM                                                                              \
	" FROM cases c LEFT JOIN users u ON u.id = c.assignee_id"                              \
	" JOIN people p ON p.id = c.person_id"
#define CASE_SELECT "SELECT " CASE_COLS CASE_FROM
/* A new case marks the person's earlier cases on its topic of the last 7 days as repeated
 * ($1 person, $2 topic, $3 the new case, $4..$5 the window). By the person's index alone (a
 * person has a few cases): `+ 0` keeps topic_id and created out of any index's reach,
 * where the planners had chosen cases_topic (SQLite) and cases_created (PostgreSQL's
 * generic plan) and each create read every case of its topic, or of the week: creates
 * went from about 6,500 to 20,000-25,000 in 8 s on SQLite, 5,100 to 7,300-9,250 on
 * PostgreSQL (a database of 10,000 cases, every create on one topic). */
#define CASE_REPEAT_SQL                                                                        \
	"UPDATE cases SET repeated = 1 WHERE person_id = $1 AND topic_id + 0 = $2 AND id <> $3" \
	" AND created + 0 >= $4 AND created + 0 <= $5 AND repeated = 0"
void case_read_row(struct db_stmt *s, struct case_row *c, struct arena *a);
/* What the state machine needs to know of case c (its topic's contact rule included). */
struct case_facts case_facts_of(const struct case_row *c);

/* The figures' department from the query's `department` (a code): a department's
 * supervisor may ask for their own only; none asked, the reader's own (0: a supervisor of
 * every department, every department). 0, or -1 with e (400 unknown_department, 403). */
int cases_query_department(struct req *r, int64_t *department_id, struct err *e);
/* A date in the query at `key`: Jalali (1405/01/01, 1405-01-01, 14050101, any digit set)
 * at Tehran midnight, or ISO-8601; a year below 1700 is read as Jalali. 1 and *out set,
 * 0 when absent, -1 with e (400 naming key) when not a date. */
int cases_query_time(struct req *r, const char *key, int64_t *out, struct err *e);

/* First contact resolution: the case was solved on the call that opened it
 * (solve_on_call sets the row's first_contact, migration 015). One condition for the
 * figures and the list behind them; never NULL, so that NOT of it is the rest. */
#define CASE_FIRST_CONTACT(P) "(" P "first_contact = 1)"
/* First-contact resolution as the phone line reports it: the same person did not come
 * back on the same topic within this many seconds (7 days; the case's `repeated`,
 * migration 028, set as the later case is created). */
#define CASE_REPEAT_SECONDS (7 * 86400)
#define CASE_REPEATED(P) "(" P "repeated = 1)"
/* Closed after failed contact attempts, the outcome sent in writing. */
#define CASE_UNREACHED(P) "(" P "unreached = 1)"


/* May `who` read this case? 1 yes, 0 no. */
int case_may_read(struct db *db, const struct principal *who, const struct case_row *c,
		  int64_t now);
/* May `who` read every case (a supervisor of all departments)? 1 yes, 0 no. */
int case_may_read_any(const struct principal *who);

#endif
