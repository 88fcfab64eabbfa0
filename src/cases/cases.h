/* cases: the 1420 case desk. Every contact becomes a case that a department follows
 * until it is solved and the outcome is reported back to the citizen.
 *
 * A case's history is its append-only events (case_events); the row in `cases` is the
 * current state derived from them. The state machine:
 *
 *   new -> assigned -> in_progress <-> waiting -> answered -> reported_back -> closed
 *
 * `answer` records the department's outcome; `report_back` records how the citizen was
 * told. A case closes only after report_back, or after failed contact attempts spread
 * over days and hours (CASE_CONTACT_ATTEMPTS); such a close sends the outcome in writing
 * and is counted apart (unreached). `solve_on_call` is answer, report back by the same
 * call and close in one action (first contact resolution). A `note` is internal to
 * staff; a `reply` is addressed to the citizen. `merge` closes a duplicate into another
 * case of the same person, both timelines kept. A closed case may be reopened within
 * 30 days. */
#ifndef TAMIN_CASES_CASES_H
#define TAMIN_CASES_CASES_H

#include <stdint.h>

#include "base/err.h"
#include "base/worktime.h"
#include "base/principal.h"
#include "store/store.h"

struct arena;
struct req;
struct jw;
struct app;

#define CASE_REOPEN_DAYS 30
/* A case closes without reaching the citizen only after this many failed contact
 * attempts at different hours of the day, over at least CASE_CONTACT_DAYS Tehran days
 * (the defaults; a topic may ask for others in data/topics.tsv). Attempts made within
 * the same hour of the day count once: three attempts entered within seconds are one. */
#define CASE_CONTACT_ATTEMPTS 3
#define CASE_CONTACT_DAYS 2

/* What the state machine needs to know about a case. */
struct case_facts {
	const char *status;
	int failed_contacts; /* every attempt recorded */
	int64_t closed_at;   /* 0 if never */
	int64_t reported_at; /* 0 if never */
	int contact_hours;   /* a bit per Tehran hour of the day the attempts were made at */
	int contact_days;    /* the Tehran days they fell on */
	int need_attempts, need_days; /* the topic's rule (0: the defaults) */
};

/* Attempts that count: the distinct hours of the day of the failed contacts. */
int case_contact_counted(const struct case_facts *f);

/* Checks event `type` by a principal of `role` on a case in `f` at `now`.
 * Returns 0 and sets *to (the new status), or -1 with e (409 invalid_transition with
 * the reason, 403 forbidden, 400 invalid_event_type). */
int case_transition(const char *type, int role, const struct case_facts *f, int64_t now,
		    const char **to, struct err *e);

/* Event types a role may try on a case in a given status (for the UI's buttons):
 * writes up to max names into out, returns the count. */
int case_allowed_events(int role, const struct case_facts *f, int64_t now, const char **out,
			int max);

/* SLA: due dates in the department's calendar. */
const struct worktime *case_calendar(const struct app *app, int64_t department_id);

/* Writer-side sweep: marks open cases past a due date overdue and escalates each once
 * to its department's supervisors with an event. Returns how many were escalated. */
int cases_sweep(struct db *db, int64_t now, struct err *e);
/* A case the sweep escalated, told to live/ once the sweep committed. */
#define CASES_SWEEP_MAX 2000
struct case_swept {
	int64_t id, department_id, assignee_id, created_by, person_id;
	char number[24], status[16];
};
/* cases_sweep, with each case escalated in out[0..n) (room for CASES_SWEEP_MAX). */
int cases_sweep_into(struct db *db, int64_t now, struct case_swept *out, struct err *e);

/* The sweep as a writer job (cases/sweep.c), each sweep that escalates a case said in a
 * line on stderr and told to lv (live/live.h; NULL: no one). cases_sweeper_start submits
 * one to w at once and then every minute (`tamin serve`), on a thread of its own;
 * cases_sweeper_stop waits for a sweep under way, then stops it (before w stops). NULL
 * with e when the thread cannot start. */
struct writer;
struct cases_sweeper;
struct live;
struct cases_sweeper *cases_sweeper_start(struct writer *w, struct live *lv, struct err *e);
void cases_sweeper_stop(struct cases_sweeper *s);
/* One sweep now on db, in a transaction of its own (`tamin sweep`): 0, or -1 with e. */
int cases_sweep_now(struct db *db, struct err *e);

/* Opening a case and applying an event: writer jobs (run inside a transaction), used by
 * the HTTP handlers and by the demo generator alike. */
#include "catalog/catalog.h"

struct case_new {
	struct principal who;
	const char *ip;
	const char *national_id, *mobile, *channel, *priority, *subject, *description;
	/* typed by staff for a national id no one is on record with (else NULL) */
	const char *first_name, *last_name;
	const struct topic *topic;
	int jyear;
	int64_t now, first_response_due, resolution_due;
	/* results */
	int64_t person_id, case_id;
	char number[24];
};
int case_create_run(struct db *db, void *arg, struct err *e);

struct case_event {
	struct principal who;
	const struct app *app;
	const char *ip;
	int64_t case_id, now;
	const char *type, *text, *method, *on, *assignee, *department;
	int rating;
	int64_t into;	  /* merge: the case this one is merged into */
	int64_t if_match; /* the version the sender saw (If-Match); 0: not sent */
};
int case_event_run(struct db *db, void *arg, struct err *e);

/* What another module that hangs things on a case (attachments/) knows of it. */
struct case_ref {
	int64_t id, person_id;
	const char *number, *status;
};
/* The case named by the route's first {} part, when r->who may read it: 0 and *c (in
 * r's arena). Otherwise it replies and returns -1: 404 for a path that is no id, or an
 * id no case has for one who may read every case; else the audited 403 of a case read,
 * with `action` as the audit's action. */
int cases_readable(struct req *r, const char *action, struct case_ref *c);

/* A file added to a case (attachments/), in the writer's transaction: an `attachment`
 * event on the timeline (data: the attachment's id and name), and, when the citizen adds
 * it to a case that waits on them, a `resume` as theirs (the state machine's rule
 * for resume is the staff's; here the citizen's file is the answer the case waited for).
 * *resumed says whether it did. Added while a call is on the adder's screen, the case is
 * linked to the call as touched (calls_touch). */
struct case_attached {
	struct principal who;
	const struct app *app;
	const char *ip;
	int64_t case_id, now, attachment_id;
	const char *name;
	int resumed; /* result */
};
int case_attached_run(struct db *db, struct case_attached *a, struct err *e);

/* Sets the case number's year and the SLA due dates of a new case from c->now. */
void case_new_schedule(struct case_new *c, const struct app *app);

/* The supervisor's figures (stats.c): GET /api/v1/stats/cases. Every figure is the count
 * of a list query (docs/openapi.yaml, GET /api/v1/stats/cases); open is not closed, as the
 * list's open=1. */
#define STATS_DAYS_MAX 366
struct stats_query {
	int64_t department_id; /* 0: every department */
	int64_t topic_id;      /* 0: every topic */
	int64_t from, to;      /* cases created in [from, to), where has_from / has_to */
	int has_from, has_to;
	int days; /* the series: this many Tehran days, the last one today */
	int64_t now;
};
/* Writes the figures' JSON object ({"totals","by_department","by_topic","by_person",
 * "series","generated_at"}) into w: 0, or -1 with e. Reads through db only. */
int cases_stats_write(struct db *db, const struct stats_query *q, struct jw *w, struct err *e);
/* The same tables as an Excel workbook (xlsx/xlsx.h): *data malloc'd. 0, or -1 with e. */
int cases_stats_xlsx(struct db *db, const struct stats_query *q, char **data, size_t *len,
		     struct err *e);
/* The SQL of each statement cases_stats_write runs for q, into out: for the test that
 * checks with EXPLAIN QUERY PLAN that each reads one index alone. */
enum {
	STATS_OPEN,
	STATS_COUNT,
	STATS_CREATED,
	STATS_CLOSED,
	STATS_OUTCOMES,
	STATS_PEOPLE,
	STATS_STATEMENTS
};
void cases_stats_sql(const struct stats_query *q, int which, char *out, size_t cap);
/* Department accountability (accountability.c): GET /api/v1/stats/departments. Per
 * department and Jalali month (Tehran time), of the cases received that month (created;
 * counted in the department that holds the case now): answered within their resolution
 * due, answered after it, reopened since, solved on first contact; and overdue: the
 * department's cases still unanswered past their resolution due at the month's end (or
 * now, for the month under way), whenever they were received. Read from each row's
 * current state: a reopened case counts by its last answer and its last due. */
#define CASES_ACC_MONTHS_MAX 36
struct cases_acc_query {
	struct jdate from, to; /* months (d ignored), from <= to, at most CASES_ACC_MONTHS_MAX */
	int64_t department_id; /* 0: every department */
	int64_t now;
};
struct cases_acc_cell {
	int64_t received, in_time, late, open, overdue, reopened, first_contact;
};
struct cases_acc {
	int nmonths, ndeps;
	struct jdate month[CASES_ACC_MONTHS_MAX];
	int64_t start[CASES_ACC_MONTHS_MAX + 1]; /* each month's start, UTC; then the end */
	const struct department *deps;		 /* the catalogue's, ndeps of them */
	struct cases_acc_cell *cells;		 /* [month * ndeps + department] */
};
/* The months of q from the request's from and to (a Jalali month 1405-01 or 1405/01, or
 * a date as cases_query_time reads it; default: the last 12 months, this one included).
 * 0, or -1 with e (400 naming "from" or "to"). */
int cases_acc_months(const char *from, const char *to, int64_t now, struct cases_acc_query *q,
		     struct err *e);
/* Counts q into a (cases_acc_release frees it, whatever the outcome): 0, or -1 with e. */
int cases_accountability(struct db *db, const struct cases_acc_query *q, struct cases_acc *a,
			 struct err *e);
void cases_acc_release(struct cases_acc *a);
/* "1405-01": a month as the API writes it, into out[8]. */
void cases_acc_month_name(struct jdate m, char out[8]);
void cases_h_accountability(struct req *r);	 /* GET /api/v1/stats/departments */
void cases_h_accountability_xlsx(struct req *r); /* GET /api/v1/stats/departments.xlsx */

/* The Tehran calendar day of instant t, as days since 1970-01-01 (UTC+03:30). */
int64_t cases_tehran_day(int64_t t);

/* How many cases of department_id not closed are assigned to user_id (the list's open=1),
 * for the department's people list (users/); -1 when the count fails. */
int64_t cases_open_count(struct db *db, int64_t department_id, int64_t user_id);

/* ---- contacts (contacts.c): what the pulse counts and shows of the cases ---- */

/* One case as a contact: its creation, channel, topic and department ids, and its
 * person's province (NULL when not on record); strings valid until the callback returns. */
struct arena;
struct case_contact {
	int64_t created, topic_id, department_id;
	const char *channel, *province;
};
typedef int (*case_contact_fn)(void *ctx, const struct case_contact *c, struct err *e);
/* Each case created in [from, to) in creation order; fn returning -1 stops with its
 * error. 0, or -1 with e. */
int cases_contacts_each(struct db *db, int64_t from, int64_t to, case_contact_fn fn, void *ctx,
			struct err *e);
/* The numbers of up to `max` cases created in [from, to), newest first, of the topic,
 * department, channel and province given (0 or NULL: any), into out[i] (arena). Their
 * count, or -1 with e. */
int cases_contacts_examples(struct db *db, int64_t from, int64_t to, int64_t topic_id,
			    int64_t department_id, const char *channel, const char *province,
			    int max, struct arena *a, const char **out, struct err *e);

/* The caller card's cases of person_id as who may see them (cases_h_person, the screen
 * pop of calls/): "cases" (the latest 50), "open_cases", "cases_total", into the object
 * open in w. */
void cases_card_write(struct db *db, struct jw *w, int64_t person_id,
		      const struct principal *who, struct arena *a);
/* A case as a list shows it (its brief object, under key in an object, NULL in an array)
 * into w: 1, 0 no such case (nothing written), -1 error. */
int cases_brief_write(struct db *db, int64_t case_id, const struct principal *who,
		      struct arena *a, struct jw *w, const char *key);

/* The routes. */
void cases_h_create(struct req *r);
void cases_h_get(struct req *r);
void cases_h_list(struct req *r);
void cases_h_event(struct req *r);
void cases_h_person(struct req *r);	/* GET /api/v1/people/{national_id} : caller card */
void cases_h_stats(struct req *r);	/* GET /api/v1/stats/cases : the supervisor's figures */
void cases_h_stats_xlsx(struct req *r); /* GET /api/v1/stats/cases.xlsx : the same, to download */

#endif
