/* Cases on a real database: opening, the event jobs, SLA pause, the overdue sweep,
 * append-only history. The store and writer beneath them: test_store.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "base/jalali.h"
#include "base/worktime.h"
#include "cases/cases.h"
#include "catalog/catalog.h"
#include "store/store.h"
#include "store/writer.h"

#include "dbfixture.h"

static int event(struct fx *f, int64_t id, int role, const char *type, int64_t at,
		 struct err *e)
{
	struct case_event ev = {.who = {.user_id = 0, .role = role, .department_id = 0},
				.app = &f->app,
				.ip = "test",
				.case_id = id,
				.now = at,
				.type = type,
				.text = "متن",
				.method = "call",
				.on = "citizen",
				.rating = 4};
	struct write_job job = {.run = case_event_run, .arg = &ev};
	int rc = writer_run_now(f->db, &job);
	if (e)
		*e = job.err;
	return rc;
}

static void test_open_numbers_and_sla(void **state)
{
	struct fx *f = *state;
	char n1[24], n2[24];
	int64_t t = sunday_9();
	int64_t a = open_case(f, "pension_not_paid", t, n1);
	int64_t b = open_case(f, "pension_not_paid", t + 60, n2);
	assert_string_equal(n1, "1405-0000001");
	assert_string_equal(n2, "1405-0000002");
	assert_true(b > a);
	const struct topic *tp = catalog_topic_by_code("pension_not_paid");
	/* due dates count office minutes: checked against the calendar itself */
	int64_t due = val(f, "SELECT resolution_due FROM cases WHERE id = $1", a);
	assert_int_equal(worktime_between(f->app.office, t, due), tp->resolution_min);
	assert_true(due - t > (int64_t)tp->resolution_min * 60); /* nights do not count */
	assert_int_equal(val(f, "SELECT count(*) FROM case_events WHERE case_id = $1", a), 1);
}

static void test_always_calendar(void **state)
{
	struct fx *f = *state;
	/* a 1420 topic is counted in calendar minutes: the line is 24/7 */
	const struct topic *tp = catalog_topic_by_code("general_info");
	const struct department *d = catalog_department_by_id(tp->department_id);
	assert_true(d->always);
	int64_t friday_night = tehran_to_unix((struct jdate){1405, 9, 6}, 23 * 60);
	int64_t id = open_case(f, "general_info", friday_night, NULL);
	assert_int_equal(val(f, "SELECT resolution_due FROM cases WHERE id = $1", id),
			 friday_night + (int64_t)tp->resolution_min * 60);
}

/* The JSON text one row holds (sql: one column, $1 the id), parsed; the caller frees it.
 * Read in C, not with the store's JSON functions, which SQLite and PostgreSQL name apart. */
static json_t *json_val(struct fx *f, const char *sql, int64_t id)
{
	struct db_stmt *s = db_prepare(f->db, sql);
	db_bind_int(s, 1, id);
	assert_int_equal(db_step(s), 1);
	json_t *j = json_loads(db_col_text(s, 0), 0, NULL);
	db_done(s);
	assert_non_null(j);
	return j;
}

static const char *json_at(const json_t *a, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(a, i), key));
}

static void test_full_life_and_timeline(void **state)
{
	struct fx *f = *state;
	int64_t t = sunday_9();
	int64_t id = open_case(f, "pension_not_paid", t, NULL);
	struct err e;
	assert_int_equal(event(f, id, ROLE_SPECIALIST, "start", t + 60, &e), 0);
	assert_int_equal(val(f, "SELECT first_response_at FROM cases WHERE id = $1", id), t + 60);
	assert_int_equal(event(f, id, ROLE_SPECIALIST, "answer", t + 120, &e), 0);
	assert_true(val(f, "SELECT report_back_due FROM cases WHERE id = $1", id) > t + 120);
	/* closing before the citizen was told is refused, and nothing changes */
	assert_int_equal(event(f, id, ROLE_AGENT, "close", t + 130, &e), -1);
	assert_int_equal(e.status, 409);
	assert_int_equal(val(f, "SELECT count(*) FROM case_events WHERE case_id = $1", id), 3);
	assert_int_equal(event(f, id, ROLE_AGENT, "report_back", t + 180, &e), 0);
	assert_int_equal(event(f, id, ROLE_AGENT, "close", t + 240, &e), 0);
	assert_int_equal(val(f, "SELECT closed_at FROM cases WHERE id = $1", id), t + 240);
	assert_int_equal(event(f, id, ROLE_CITIZEN, "rate", t + 300, &e), 0);
	assert_int_equal(val(f, "SELECT rating FROM cases WHERE id = $1", id), 4);
	/* reopen within 30 days starts a new resolution clock */
	assert_int_equal(event(f, id, ROLE_CITIZEN, "reopen", t + 86400, &e), 0);
	assert_int_equal(val(f, "SELECT reopen_count FROM cases WHERE id = $1", id), 1);
	assert_int_equal(val(f, "SELECT closed_at IS NULL FROM cases WHERE id = $1", id), 1);
	assert_int_equal(val(f, "SELECT count(*) FROM case_events WHERE case_id = $1", id), 7);
	/* the timeline the API shows is kept on the row, in order, with every event */
	json_t *tl = json_val(f, "SELECT events FROM case_timeline WHERE case_id = $1", id);
	assert_int_equal(json_array_size(tl), 7);
	assert_string_equal(json_at(tl, 6, "type"), "reopen");
	assert_string_equal(json_at(tl, 0, "type"), "create");
	assert_string_equal(json_at(tl, 2, "to_status"), "answered");
	json_decref(tl);
	/* the timeline is append-only */
	assert_int_equal(db_exec(f->db, "UPDATE case_events SET text = 'x'"), -1);
	assert_int_equal(db_exec(f->db, "DELETE FROM case_events"), -1);
	assert_int_equal(db_exec(f->db, "DELETE FROM audit"), -1);
	assert_int_equal(db_exec(f->db, "UPDATE journal.audit SET reason = 'x'"), -1);
	/* the audit rows of the agent's events are in the journal file, not the main one */
	assert_true(val(f, "SELECT count(*) FROM journal.audit WHERE case_id = $1", id) >= 2);
	if (!strcmp(db_backend(f->db), "sqlite"))
		assert_int_equal(val(f, "SELECT count(*) FROM main.sqlite_master WHERE name = 'audit'"
					" AND $1 = 1", 1), 0);
}

/* Failed attempts count when spread over hours and days: three entered within seconds
 * are one (the report-back rule could be emptied by three clicks); three at different
 * hours over two days let the case close, counted apart as not reaching the citizen. */
static void test_contact_failed_three_times(void **state)
{
	struct fx *f = *state;
	int64_t t = sunday_9();
	int64_t id = open_case(f, "pension_not_paid", t, NULL);
	struct err e;
	assert_int_equal(event(f, id, ROLE_SPECIALIST, "answer", t + 60, &e), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(event(f, id, ROLE_AGENT, "contact_failed", t + 200 + i, &e), 0);
	assert_int_equal(val(f, "SELECT failed_contacts FROM cases WHERE id = $1", id), 3);
	assert_int_equal(event(f, id, ROLE_AGENT, "close", t + 300, &e), -1);
	assert_int_equal(e.status, 409);
	assert_non_null(strstr(e.message, "1 of 3"));
	/* the same day, three hours later: two hours, one day */
	assert_int_equal(event(f, id, ROLE_AGENT, "contact_failed", t + 3 * 3600, &e), 0);
	assert_int_equal(event(f, id, ROLE_AGENT, "close", t + 3 * 3600 + 60, &e), -1);
	assert_non_null(strstr(e.message, "2 of 3"));
	/* the next day at yet another hour */
	assert_int_equal(event(f, id, ROLE_AGENT, "contact_failed", t + 86400 + 5 * 3600, &e), 0);
	assert_int_equal(val(f, "SELECT contact_days FROM cases WHERE id = $1", id), 2);
	assert_int_equal(event(f, id, ROLE_AGENT, "close", t + 86400 + 5 * 3600 + 60, &e), 0);
	assert_int_equal(val(f, "SELECT unreached FROM cases WHERE id = $1", id), 1);
	json_t *data = json_val(f, "SELECT data FROM case_events WHERE case_id = $1 AND"
				   " type = 'close'", id);
	assert_true(json_is_true(json_object_get(data, "unreached")) ||
		    json_integer_value(json_object_get(data, "unreached")) == 1);
	json_decref(data);
}

static void test_wait_on_citizen_pauses_sla(void **state)
{
	struct fx *f = *state;
	int64_t t = sunday_9();
	int64_t id = open_case(f, "pension_not_paid", t, NULL);
	int64_t due0 = val(f, "SELECT resolution_due FROM cases WHERE id = $1", id);
	struct err e;
	assert_int_equal(event(f, id, ROLE_SPECIALIST, "start", t + 600, &e), 0);
	assert_int_equal(event(f, id, ROLE_SPECIALIST, "wait", t + 3600, &e), 0);
	/* two days later (Tuesday 09:00) the citizen brings the papers */
	int64_t back = tehran_to_unix((struct jdate){1405, 9, 3}, 9 * 60);
	assert_int_equal(event(f, id, ROLE_SPECIALIST, "resume", back, &e), 0);
	int64_t due1 = val(f, "SELECT resolution_due FROM cases WHERE id = $1", id);
	int64_t paused = worktime_between(f->app.office, t + 3600, back);
	assert_true(paused > 0);
	assert_int_equal(worktime_between(f->app.office, due0, due1), paused);
}

static void test_sweep_escalates_once(void **state)
{
	struct fx *f = *state;
	int64_t t = sunday_9();
	int64_t id = open_case(f, "pension_not_paid", t, NULL);
	int64_t due = val(f, "SELECT resolution_due FROM cases WHERE id = $1", id);
	struct err e;
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(cases_sweep(f->db, t + 60, &e), 0); /* not yet due */
	/* the case escalated, with who is concerned, for live/ to tell them */
	static struct case_swept swept[CASES_SWEEP_MAX];
	assert_int_equal(cases_sweep_into(f->db, due + 1, swept, &e), 1);
	assert_int_equal(swept[0].id, id);
	assert_int_equal(swept[0].department_id,
			 val(f, "SELECT department_id FROM cases WHERE id = $1", id));
	assert_string_equal(swept[0].number, "1405-0000001");
	assert_int_equal(cases_sweep(f->db, due + 100, &e), 0); /* once */
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(val(f, "SELECT overdue FROM cases WHERE id = $1", id), 1);
	assert_int_equal(val(f, "SELECT count(*) FROM case_events WHERE case_id = $1 AND"
				" type = 'escalate'", id), 1);
}

/* A case waiting on the citizen is paused: swept a month past its due dates it gets no
 * overdue flag and no escalation. One waiting on the department is escalated, so that
 * the sweep is seen to reach waiting cases at all. */
static void test_sweep_skips_waiting_on_citizen(void **state)
{
	struct fx *f = *state;
	int64_t t = sunday_9();
	int64_t on_citizen = open_case(f, "pension_not_paid", t, NULL);
	int64_t on_department = open_case(f, "pension_not_paid", t, NULL);
	struct err e;
	for (int i = 0; i < 2; i++) {
		int64_t id = i ? on_department : on_citizen;
		assert_int_equal(event(f, id, ROLE_SPECIALIST, "start", t + 60, &e), 0);
		struct case_event ev = {.who = {.role = ROLE_SPECIALIST},
					.app = &f->app,
					.ip = "test",
					.case_id = id,
					.now = t + 120,
					.type = "wait",
					.text = "مدارک",
					.on = i ? "department" : "citizen"};
		struct write_job job = {.run = case_event_run, .arg = &ev};
		assert_int_equal(writer_run_now(f->db, &job), 0);
	}
	assert_int_equal(val(f, "SELECT count(*) FROM cases WHERE status = 'waiting' AND"
				" waiting_on = 'citizen' AND id = $1", on_citizen), 1);
	int64_t due = val(f, "SELECT CASE WHEN resolution_due > first_response_due THEN"
			     " resolution_due ELSE first_response_due END FROM cases WHERE id = $1",
			  on_citizen);
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(cases_sweep(f->db, due + 30 * 86400, &e), 1);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(val(f, "SELECT overdue + escalated FROM cases WHERE id = $1", on_citizen), 0);
	assert_int_equal(val(f, "SELECT count(*) FROM case_events WHERE case_id = $1 AND"
				" type = 'escalate'", on_citizen), 0);
	assert_int_equal(val(f, "SELECT overdue FROM cases WHERE id = $1", on_department), 1);
	assert_int_equal(val(f, "SELECT count(*) FROM case_events WHERE case_id = $1 AND"
				" type = 'escalate'", on_department), 1);
}

/* A case nobody has answered is escalated once its first-response due date passes, long
 * before its resolution is due; one a specialist has taken up is not. */
static void test_sweep_first_response_due(void **state)
{
	struct fx *f = *state;
	int64_t t = sunday_9();
	int64_t untouched = open_case(f, "pension_not_paid", t, NULL);
	int64_t started = open_case(f, "pension_not_paid", t, NULL);
	struct err e;
	assert_int_equal(event(f, started, ROLE_SPECIALIST, "start", t + 60, &e), 0);
	int64_t fr_due = val(f, "SELECT first_response_due FROM cases WHERE id = $1", untouched);
	assert_true(fr_due < val(f, "SELECT resolution_due FROM cases WHERE id = $1", untouched));
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(cases_sweep(f->db, fr_due - 1, &e), 0);
	assert_int_equal(cases_sweep(f->db, fr_due + 1, &e), 1);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(val(f, "SELECT overdue FROM cases WHERE id = $1", untouched), 1);
	assert_int_equal(val(f, "SELECT count(*) FROM case_events WHERE case_id = $1 AND"
				" type = 'escalate'", untouched), 1);
	assert_int_equal(val(f, "SELECT overdue FROM cases WHERE id = $1", started), 0);
}

/* Three failed contacts let an answered case close; once reopened and answered again, the
 * case needs its outcome reported back (or three new failed contacts) to close again. */
static void test_reopen_forgets_failed_contacts(void **state)
{
	struct fx *f = *state;
	int64_t t = sunday_9();
	int64_t id = open_case(f, "pension_not_paid", t, NULL);
	struct err e;
	assert_int_equal(event(f, id, ROLE_SPECIALIST, "answer", t + 60, &e), 0);
	for (int i = 0; i < 3; i++) /* 9, 13 and 17 o'clock of three days */
		assert_int_equal(event(f, id, ROLE_AGENT, "contact_failed",
				       t + 100 + i * (86400 + 4 * 3600), &e),
				 0);
	int64_t u = t + 3 * 86400;
	assert_int_equal(event(f, id, ROLE_AGENT, "close", u + 200, &e), 0);
	assert_int_equal(event(f, id, ROLE_AGENT, "reopen", u + 300, &e), 0);
	assert_int_equal(val(f, "SELECT failed_contacts + contact_hours + contact_days + unreached"
				" FROM cases WHERE id = $1", id), 0);
	assert_int_equal(event(f, id, ROLE_SPECIALIST, "answer", u + 400, &e), 0);
	assert_int_equal(event(f, id, ROLE_AGENT, "close", u + 500, &e), -1);
	assert_int_equal(e.status, 409);
	assert_int_equal(event(f, id, ROLE_AGENT, "report_back", u + 600, &e), 0);
	assert_int_equal(event(f, id, ROLE_AGENT, "close", u + 700, &e), 0);
	assert_int_equal(val(f, "SELECT unreached FROM cases WHERE id = $1", id), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_numbers_and_sla, setup, teardown),
		cmocka_unit_test_setup_teardown(test_always_calendar, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_life_and_timeline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contact_failed_three_times, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_on_citizen_pauses_sla, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep_escalates_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep_skips_waiting_on_citizen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep_first_response_due, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_forgets_failed_contacts, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
