/* Cases on a real database: opening, the event jobs, SLA pause, the overdue sweep,
 * append-only history; and the store and writer beneath them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <event2/event.h>
#include <event2/thread.h>
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

/* Sunday 2026-11-22 09:00 Tehran */
static int64_t sunday_9(void) { return tehran_to_unix((struct jdate){1405, 9, 1}, 9 * 60); }

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

static int64_t col(struct fx *f, const char *sql, int64_t id)
{
	struct db_stmt *s = db_prepare(f->db, sql);
	db_bind_int(s, 1, id);
	int64_t v = db_step(s) == 1 ? db_col_int(s, 0) : -1;
	db_done(s);
	return v;
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
	int64_t due = col(f, "SELECT resolution_due FROM cases WHERE id = $1", a);
	assert_int_equal(worktime_between(f->app.office, t, due), tp->resolution_min);
	assert_true(due - t > (int64_t)tp->resolution_min * 60); /* nights do not count */
	assert_int_equal(col(f, "SELECT count(*) FROM case_events WHERE case_id = $1", a), 1);
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
	assert_int_equal(col(f, "SELECT resolution_due FROM cases WHERE id = $1", id),
			 friday_night + (int64_t)tp->resolution_min * 60);
}

static void test_full_life_and_timeline(void **state)
{
	struct fx *f = *state;
	int64_t t = sunday_9();
	int64_t id = open_case(f, "pension_not_paid", t, NULL);
	struct err e;
	assert_int_equal(event(f, id, ROLE_SPECIALIST, "start", t + 60, &e), 0);
	assert_int_equal(col(f, "SELECT first_response_at FROM cases WHERE id = $1", id), t + 60);
	assert_int_equal(event(f, id, ROLE_SPECIALIST, "answer", t + 120, &e), 0);
	assert_true(col(f, "SELECT report_back_due FROM cases WHERE id = $1", id) > t + 120);
	/* closing before the citizen was told is refused, and nothing changes */
	assert_int_equal(event(f, id, ROLE_AGENT, "close", t + 130, &e), -1);
	assert_int_equal(e.status, 409);
	assert_int_equal(col(f, "SELECT count(*) FROM case_events WHERE case_id = $1", id), 3);
	assert_int_equal(event(f, id, ROLE_AGENT, "report_back", t + 180, &e), 0);
	assert_int_equal(event(f, id, ROLE_AGENT, "close", t + 240, &e), 0);
	assert_int_equal(col(f, "SELECT closed_at FROM cases WHERE id = $1", id), t + 240);
	assert_int_equal(event(f, id, ROLE_CITIZEN, "rate", t + 300, &e), 0);
	assert_int_equal(col(f, "SELECT rating FROM cases WHERE id = $1", id), 4);
	/* reopen within 30 days starts a new resolution clock */
	assert_int_equal(event(f, id, ROLE_CITIZEN, "reopen", t + 86400, &e), 0);
	assert_int_equal(col(f, "SELECT reopen_count FROM cases WHERE id = $1", id), 1);
	assert_int_equal(col(f, "SELECT closed_at IS NULL FROM cases WHERE id = $1", id), 1);
	assert_int_equal(col(f, "SELECT count(*) FROM case_events WHERE case_id = $1", id), 7);
	/* the timeline the API shows is kept on the row, in order, with every event */
	assert_int_equal(col(f, "SELECT json_array_length(events) FROM case_timeline"
				" WHERE case_id = $1", id), 7);
	assert_int_equal(col(f, "SELECT json_extract(events, '$[6].type') = 'reopen'"
				" AND json_extract(events, '$[0].type') = 'create'"
				" AND json_extract(events, '$[2].to_status') = 'answered'"
				" FROM case_timeline WHERE case_id = $1", id),
			 1);
	/* the timeline is append-only */
	assert_int_equal(db_exec(f->db, "UPDATE case_events SET text = 'x'"), -1);
	assert_int_equal(db_exec(f->db, "DELETE FROM case_events"), -1);
	assert_int_equal(db_exec(f->db, "DELETE FROM audit"), -1);
	assert_int_equal(db_exec(f->db, "UPDATE journal.audit SET reason = 'x'"), -1);
	/* the audit rows of the agent's events are in the journal file, not the main one */
	assert_true(col(f, "SELECT count(*) FROM journal.audit WHERE case_id = $1", id) >= 2);
	assert_int_equal(col(f, "SELECT count(*) FROM main.sqlite_master WHERE name = 'audit'"
				" AND $1", 1), 0);
}

static void test_contact_failed_three_times(void **state)
{
	struct fx *f = *state;
	int64_t t = sunday_9();
	int64_t id = open_case(f, "pension_not_paid", t, NULL);
	struct err e;
	assert_int_equal(event(f, id, ROLE_SPECIALIST, "answer", t + 60, &e), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(event(f, id, ROLE_AGENT, "close", t + 100 + i, &e), -1);
		assert_int_equal(event(f, id, ROLE_AGENT, "contact_failed", t + 200 + i, &e), 0);
	}
	assert_int_equal(event(f, id, ROLE_AGENT, "close", t + 300, &e), 0);
}

static void test_wait_on_citizen_pauses_sla(void **state)
{
	struct fx *f = *state;
	int64_t t = sunday_9();
	int64_t id = open_case(f, "pension_not_paid", t, NULL);
	int64_t due0 = col(f, "SELECT resolution_due FROM cases WHERE id = $1", id);
	struct err e;
	assert_int_equal(event(f, id, ROLE_SPECIALIST, "start", t + 600, &e), 0);
	assert_int_equal(event(f, id, ROLE_SPECIALIST, "wait", t + 3600, &e), 0);
	/* two days later (Tuesday 09:00) the citizen brings the papers */
	int64_t back = tehran_to_unix((struct jdate){1405, 9, 3}, 9 * 60);
	assert_int_equal(event(f, id, ROLE_SPECIALIST, "resume", back, &e), 0);
	int64_t due1 = col(f, "SELECT resolution_due FROM cases WHERE id = $1", id);
	int64_t paused = worktime_between(f->app.office, t + 3600, back);
	assert_true(paused > 0);
	assert_int_equal(worktime_between(f->app.office, due0, due1), paused);
}

static void test_sweep_escalates_once(void **state)
{
	struct fx *f = *state;
	int64_t t = sunday_9();
	int64_t id = open_case(f, "pension_not_paid", t, NULL);
	int64_t due = col(f, "SELECT resolution_due FROM cases WHERE id = $1", id);
	struct err e;
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(cases_sweep(f->db, t + 60, &e), 0); /* not yet due */
	assert_int_equal(cases_sweep(f->db, due + 1, &e), 1);
	assert_int_equal(cases_sweep(f->db, due + 100, &e), 0); /* once */
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(col(f, "SELECT overdue FROM cases WHERE id = $1", id), 1);
	assert_int_equal(col(f, "SELECT count(*) FROM case_events WHERE case_id = $1 AND"
				" type = 'escalate'", id), 1);
}

static void test_text_query(void **state)
{
	(void)state;
	char buf[128];
	assert_string_equal(db_text_query(buf, sizeof buf, "مستمری مهر"), "\"مستمری\" \"مهر\"*");
	assert_string_equal(db_text_query(buf, sizeof buf, "a\"b"), "\"a\"\"b\"*");
	assert_null(db_text_query(buf, sizeof buf, "   "));
}

static void test_text_search(void **state)
{
	struct fx *f = *state;
	int64_t id = open_case(f, "pension_not_paid", sunday_9(), NULL);
	char q[128], cond[160], sql[300];
	db_text_query(q, sizeof q, "واریز");
	snprintf(sql, sizeof sql, "SELECT count(*) FROM cases WHERE id %s",
		 db_text_match(cond, sizeof cond, 1, 2));
	struct db_stmt *s = db_prepare(f->db, sql);
	db_bind_text(s, 1, q);
	db_bind_text(s, 2, "case");
	assert_int_equal(db_step(s), 1);
	assert_int_equal(db_col_int(s, 0), 1);
	db_done(s);
	db_text_query(q, sizeof q, "ناموجود");
	db_bind_text(s, 1, q);
	db_bind_text(s, 2, "case");
	assert_int_equal(db_step(s), 1);
	assert_int_equal(db_col_int(s, 0), 0);
	db_done(s);
	(void)id;
}

/* Text queued inside a savepoint that rolls back is not indexed; the rest is, once the
 * group commits. */
static int job_text(struct db *db, void *arg, struct err *e)
{
	int64_t v = *(int64_t *)arg;
	if (db_text_put(db, "case", v, v % 2 ? "فرد" : "زوج") < 0)
		return err_set(e, 500, "internal", "", "%s", db_errmsg(db));
	return v % 2 ? err_set(e, 409, "conflict", "", "odd jobs fail") : 0;
}

static int64_t text_hits(struct fx *f, const char *word)
{
	char q[64], sql[128];
	db_text_query(q, sizeof q, word);
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM text_index WHERE text_index MATCH $1 AND kind = $2");
	struct db_stmt *s = db_prepare(f->db, sql);
	db_bind_text(s, 1, q);
	db_bind_text(s, 2, "case");
	int64_t n = db_step(s) == 1 ? db_col_int(s, 0) : -1;
	db_done(s);
	return n;
}

static void test_text_index_follows_savepoints(void **state)
{
	struct fx *f = *state;
	struct err e;
	struct writer *w = writer_start(f->path, &e);
	assert_non_null(w);
	static int64_t vals[40];
	static struct write_job jobs[40];
	for (int i = 0; i < 40; i++) {
		vals[i] = 900000 + i;
		jobs[i] = (struct write_job){.run = job_text, .arg = &vals[i]};
		writer_submit(w, &jobs[i]);
	}
	writer_stop(w);
	assert_int_equal(text_hits(f, "زوج"), 20);
	assert_int_equal(text_hits(f, "فرد"), 0);
	assert_int_equal(col(f, "SELECT count(*) FROM text_pending WHERE id > $1", 0), 0);
}

/* ---- the writer: group commit, a failing job rolls back alone ---- */

static int job_insert(struct db *db, void *arg, struct err *e)
{
	int64_t v = *(int64_t *)arg;
	struct db_stmt *s = db_prepare(db, "INSERT INTO case_numbers(year, last) VALUES ($1, 0)");
	db_bind_int(s, 1, v);
	int rc = db_step(s);
	db_done(s);
	if (v % 10 == 7) /* every job ending in 7 fails after writing */
		return err_set(e, 409, "conflict", "", "job %lld refuses", (long long)v);
	return rc < 0 ? err_set(e, 500, "internal", "", "%s", db_errmsg(db)) : 0;
}

static void test_writer_group_commit(void **state)
{
	struct fx *f = *state;
	struct err e;
	struct writer *w = writer_start(f->path, &e);
	assert_non_null(w);
	enum { N = 500 };
	static int64_t vals[N];
	static struct write_job jobs[N];
	for (int i = 0; i < N; i++) {
		vals[i] = 10000 + i;
		jobs[i] = (struct write_job){.run = job_insert, .arg = &vals[i]};
		writer_submit(w, &jobs[i]);
	}
	writer_stop(w); /* commits everything submitted */
	int failed = 0;
	for (int i = 0; i < N; i++)
		failed += jobs[i].rc < 0;
	assert_int_equal(failed, N / 10);
	assert_int_equal(col(f, "SELECT count(*) FROM case_numbers WHERE year >= $1", 10000),
			 N - N / 10);
	assert_int_equal(col(f, "SELECT count(*) FROM case_numbers WHERE year % 10 = $1", 7), 0);
}

static void test_statement_cache_and_params(void **state)
{
	struct fx *f = *state;
	/* $2 before $1, a '$1' inside a literal stays text */
	struct db_stmt *s = db_prepare(f->db, "SELECT $2 || '$1' || $1");
	db_bind_text(s, 1, "a");
	db_bind_text(s, 2, "b");
	assert_int_equal(db_step(s), 1);
	assert_string_equal(db_col_text(s, 0), "b$1a");
	db_done(s);
	assert_ptr_equal(db_prepare(f->db, "SELECT $2 || '$1' || $1"), s);
	assert_null(db_prepare(f->db, "SELEC nonsense"));
}

/* A database whose journal file was lost is refused at start, not at the first audit
 * row (a bench once moved the database without it, and the server crashed). */
static void test_lost_journal_is_refused(void **state)
{
	struct fx *f = *state;
	db_close(f->db);
	f->db = NULL;
	char j[96];
	snprintf(j, sizeof j, "%s-journal.db", f->path);
	assert_int_equal(unlink(j), 0);
	strcat(j, "-wal");
	unlink(j);
	struct err e = {0};
	/* without DB_CREATE the journal cannot even be attached */
	assert_int_equal(db_open(&f->db, f->path, 0, &e), -1);
	assert_non_null(strstr(e.message, "-journal.db"));
	f->db = NULL;
	/* with it (as every command opens), an empty journal is made and refused */
	assert_int_equal(db_open(&f->db, f->path, DB_CREATE, &e), 0);
	assert_int_equal(db_migrate(f->db, &e), -1);
	assert_string_equal(e.code, "db_journal");
	/* and a statement that could not be prepared steps to an error, not a crash */
	struct db_stmt *s = db_prepare(f->db, "INSERT INTO audit(at) VALUES ($1)");
	assert_null(s);
	db_bind_int(s, 1, 1);
	db_bind_text(s, 2, "x");
	assert_int_equal(db_step(s), -1);
	db_done(s);
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
		cmocka_unit_test(test_text_query),
		cmocka_unit_test_setup_teardown(test_text_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_group_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_index_follows_savepoints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statement_cache_and_params, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_journal_is_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
