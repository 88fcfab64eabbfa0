/* The supervisor's figures on a small database whose every case is known: open, overdue,
 * waiting and reopened by department and topic; created and closed per Tehran day, at
 * the day's edges; the scope of department, topic and creation range. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/jalali.h"
#include "base/worktime.h"
#include "cases/cases.h"
#include "cases/internal.h"
#include "catalog/catalog.h"
#include "store/store.h"
#include "store/writer.h"

#include "dbfixture.h"

static void event(struct fx *f, int64_t id, int role, const char *type, int64_t at)
{
	struct case_event ev = {.who = {.role = role},
				.app = &f->app,
				.ip = "test",
				.case_id = id,
				.now = at,
				.type = type,
				.text = "متن",
				.method = "call",
				.on = "citizen"};
	struct write_job job = {.run = case_event_run, .arg = &ev};
	assert_int_equal(writer_run_now(f->db, &job), 0);
}

static json_t *figures(struct fx *f, const struct stats_query *q)
{
	struct jw w;
	jw_init(&w);
	struct err e;
	assert_int_equal(cases_stats_write(f->db, q, &w, &e), 0);
	json_error_t je;
	json_t *j = json_loads(w.buf, 0, &je);
	jw_release(&w);
	assert_non_null(j);
	return j;
}

static int64_t num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static json_t *item(json_t *j, const char *list, const char *key, const char *code)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(j, list), i, v)
	{
		if (strcmp(json_string_value(json_object_get(v, key)), code) == 0)
			return v;
	}
	return NULL;
}

static void test_tehran_day(void **state)
{
	(void)state;
	int64_t m = tehran_to_unix((struct jdate){1405, 9, 1}, 0); /* 2026-11-22 00:00 Tehran */
	int64_t d = civil_to_days(2026, 11, 22);
	assert_int_equal(cases_tehran_day(m), d);
	assert_int_equal(cases_tehran_day(m - 1), d - 1);
	assert_int_equal(cases_tehran_day(m + 86399), d);
	assert_int_equal(cases_tehran_day(m + 86400), d + 1);
	assert_int_equal(cases_tehran_day(0), 0); /* 03:30 on 1970-01-01 */
	assert_int_equal(cases_tehran_day(-TEHRAN_UTC_OFFSET - 1), -1);
}

static void test_figures(void **state)
{
	struct fx *f = *state;
	/* 1405/09/01 00:00 Tehran, a Saturday; the cases are opened around it */
	int64_t m = tehran_to_unix((struct jdate){1405, 9, 1}, 0);
	int64_t a = open_case(f, "pension_not_paid", m - 1, NULL);	/* the day before */
	int64_t b = open_case(f, "pension_not_paid", m, NULL);		/* the first second */
	int64_t c = open_case(f, "pension_not_paid", m + 3600, NULL);	/* waiting */
	int64_t d = open_case(f, "general_info", m + 7200, NULL);	/* closed, reopened */
	int64_t g = open_case(f, "general_info", m + 7300, NULL);	/* closed */
	int64_t h = open_case(f, "record_missing_months", m + 1, NULL); /* overdue */
	(void)a;
	(void)b;
	event(f, c, ROLE_SPECIALIST, "start", m + 3700);
	event(f, c, ROLE_SPECIALIST, "wait", m + 3800);
	const int64_t done[] = {d, g};
	for (int i = 0; i < 2; i++) {
		event(f, done[i], ROLE_AGENT, "answer", m + 7400);
		event(f, done[i], ROLE_AGENT, "report_back", m + 7500);
		event(f, done[i], ROLE_AGENT, "close", m + 86400 - 1); /* the day's last second */
	}
	event(f, d, ROLE_AGENT, "reopen", m + 86400 + 5);
	event(f, g, ROLE_AGENT, "rate", m + 86400 + 6); /* g stays closed */
	struct db_stmt *s = db_prepare(f->db, "UPDATE cases SET overdue = 1 WHERE id = $1");
	db_bind_int(s, 1, h);
	assert_int_equal(db_step(s), 0);
	db_done(s);

	struct stats_query q = {.days = 3, .now = m + 86400 + 60};
	json_t *j = figures(f, &q);
	json_t *t = json_object_get(j, "totals");
	assert_int_equal(num(t, "open"), 5);
	assert_int_equal(num(t, "overdue"), 1);
	assert_int_equal(num(t, "waiting"), 1);
	assert_int_equal(num(t, "reopened"), 1);
	assert_int_equal(num(t, "closed"), 1);
	assert_int_equal(num(t, "created"), 6);
	json_t *p = item(j, "by_department", "department", "pensions");
	assert_int_equal(num(p, "open"), 3);
	assert_int_equal(num(p, "waiting"), 1);
	json_t *cc = item(j, "by_department", "department", "contact_center");
	assert_int_equal(num(cc, "open"), 1);
	assert_int_equal(num(cc, "reopened"), 1);
	json_t *rec = item(j, "by_topic", "topic", "record_missing_months");
	assert_int_equal(num(rec, "overdue"), 1);
	assert_string_equal(json_string_value(json_object_get(rec, "department")), "records");
	int nd = catalog_departments(&(const struct department *){NULL});
	assert_int_equal(json_array_size(json_object_get(j, "by_department")), nd);
	/* the series: the day before, the day, today */
	json_t *series = json_object_get(j, "series");
	assert_int_equal(json_array_size(series), 3);
	json_t *d0 = json_array_get(series, 0), *d1 = json_array_get(series, 1),
	       *d2 = json_array_get(series, 2);
	assert_string_equal(json_string_value(json_object_get(d0, "day")), "2026-11-21");
	assert_string_equal(json_string_value(json_object_get(d1, "jalali")), "1405/09/01");
	assert_string_equal(json_string_value(json_object_get(d2, "day")), "2026-11-23");
	assert_int_equal(num(d0, "created"), 1);
	assert_int_equal(num(d1, "created"), 5);
	assert_int_equal(num(d2, "created"), 0);
	assert_int_equal(num(d0, "closed"), 0);
	assert_int_equal(num(d1, "closed"), 1); /* g; d was reopened: no longer closed */
	assert_int_equal(num(d2, "closed"), 0);
	json_decref(j);

	/* a department's scope */
	q.department_id = catalog_department_by_code("pensions")->id;
	j = figures(f, &q);
	t = json_object_get(j, "totals");
	assert_int_equal(num(t, "open"), 3);
	assert_int_equal(num(t, "created"), 3);
	assert_int_equal(num(t, "closed"), 0);
	assert_int_equal(json_array_size(json_object_get(j, "by_department")), 1);
	assert_null(item(j, "by_topic", "topic", "general_info"));
	assert_non_null(item(j, "by_topic", "topic", "pension_increase")); /* its own, at 0 */
	assert_int_equal(num(json_array_get(json_object_get(j, "series"), 0), "created"), 1);
	json_decref(j);

	/* a topic and a creation range: [m, m + 7250) */
	q.department_id = 0;
	q.topic_id = catalog_topic_by_code("general_info")->id;
	q.has_from = q.has_to = 1;
	q.from = m;
	q.to = m + 7250;
	j = figures(f, &q);
	t = json_object_get(j, "totals");
	assert_int_equal(num(t, "created"), 1);
	assert_int_equal(num(t, "open"), 1);
	assert_int_equal(num(t, "reopened"), 1);
	assert_int_equal(json_array_size(json_object_get(j, "by_topic")), 1);
	json_decref(j);
}

static void exec1(struct fx *f, const char *sql, int64_t a, int64_t b)
{
	struct db_stmt *s = db_prepare(f->db, sql);
	assert_non_null(s);
	db_bind_int(s, 1, a);
	db_bind_int(s, 2, b);
	assert_int_equal(db_step(s), 0);
	db_done(s);
}

/* The outcomes: closed, solved (answered), solved within the resolution due, solved at
 * the first contact (solve_on_call), closed without reaching the citizen, ratings, the
 * reopen rate, and per person. */
static void test_outcomes(void **state)
{
	struct fx *f = *state;
	int64_t m = tehran_to_unix((struct jdate){1405, 9, 1}, 9 * 60);
	exec1(f,
	      "INSERT INTO users(id, login, pw_hash, role, name, created) VALUES ($1,"
	      " 'agent7', 'x', 'agent', 'کارشناس هفت', $2)",
	      7, m);
	int64_t fast = open_case(f, "general_info", m, NULL);	       /* solved on the call */
	int64_t flag = open_case(f, "general_info", m + 10, NULL);     /* closed as first contact */
	int64_t late = open_case(f, "pension_not_paid", m + 20, NULL); /* answered late, rated */
	int64_t back = open_case(f, "general_info", m + 30, NULL);     /* closed, reopened */
	int64_t open = open_case(f, "general_info", m + 40, NULL);     /* never answered */
	(void)open;
	exec1(f, "UPDATE cases SET created_by = $1 WHERE id <= $2", 7, back);
	struct case_event solve = {.who = {.role = ROLE_AGENT, .user_id = 7},
				   .app = &f->app,
				   .ip = "test",
				   .case_id = fast,
				   .now = m + 20,
				   .type = "solve_on_call",
				   .text = "پاسخ در تماس"};
	struct write_job sj = {.run = case_event_run, .arg = &solve};
	assert_int_equal(writer_run_now(f->db, &sj), 0);
	event(f, flag, ROLE_AGENT, "answer", m + 600);
	event(f, flag, ROLE_AGENT, "report_back", m + 610);
	event(f, flag, ROLE_AGENT, "close", m + 620);
	/* as a close after failed contacts marks it (cases.h): counted apart */
	exec1(f, "UPDATE cases SET unreached = 1 WHERE id = $1 AND $2 = 1", flag, 1);
	event(f, late, ROLE_AGENT, "answer", m + 40 * 86400);
	event(f, late, ROLE_AGENT, "report_back", m + 40 * 86400 + 100);
	struct case_event rate = {.who = {.role = ROLE_CITIZEN},
				  .app = &f->app,
				  .ip = "test",
				  .case_id = late,
				  .now = m + 40 * 86400 + 200,
				  .type = "rate",
				  .text = "",
				  .rating = 2};
	struct write_job job = {.run = case_event_run, .arg = &rate};
	assert_int_equal(writer_run_now(f->db, &job), 0);
	event(f, back, ROLE_AGENT, "answer", m + 3600);
	event(f, back, ROLE_AGENT, "report_back", m + 3700);
	event(f, back, ROLE_AGENT, "close", m + 3800);
	event(f, back, ROLE_AGENT, "reopen", m + 3900);

	struct stats_query q = {.days = 1, .now = m + 41 * 86400};
	json_t *j = figures(f, &q);
	json_t *t = json_object_get(j, "totals");
	assert_int_equal(num(t, "created"), 5);
	assert_int_equal(num(t, "closed"), 2);	       /* fast, flag */
	assert_int_equal(num(t, "solved"), 3);	       /* fast, flag, late */
	assert_int_equal(num(t, "solved_in_time"), 2); /* late is 40 days late */
	assert_int_equal(num(t, "first_contact"), 1);  /* fast, solved on the call */
	assert_int_equal(num(t, "unreached"), 1);      /* flag */
	assert_int_equal(num(t, "rated"), 1);
	assert_true(json_real_value(json_object_get(t, "rating_average")) == 2.0);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(t, "ratings"), 1)), 1);
	assert_int_equal(num(t, "ever_reopened"), 1); /* back */
	assert_int_equal(num(t, "resolved"), 4);      /* fast, flag, late, back */
	assert_true(json_real_value(json_object_get(t, "reopen_rate")) == 0.25);
	json_t *gi = item(j, "by_topic", "topic", "general_info");
	assert_int_equal(num(gi, "first_contact"), 1);
	assert_int_equal(num(gi, "solved_in_time"), 2);
	json_t *people = json_object_get(j, "by_person");
	assert_int_equal(json_array_size(people), 1); /* the citizen's own case: no one's */
	json_t *p = json_array_get(people, 0);
	assert_string_equal(json_string_value(json_object_get(p, "user")), "agent7");
	assert_int_equal(num(p, "handled"), 4);
	assert_int_equal(num(p, "solved"), 3);
	assert_int_equal(num(p, "solved_in_time"), 2);
	/* (20 + 590 + 40 days - 20) / 3, rounded */
	assert_int_equal(num(p, "answer_seconds_average"), (20 + 590 + 40 * 86400 - 20 + 1) / 3);
	json_decref(j);
}

/* Every statement of the figures, in every scope, reads one index alone (a covering
 * index: no row of the table is read), and seeks it wherever the scope allows. The
 * planner decides without statistics (no ANALYZE), so an empty database plans as a
 * million-case one does. */
/* A create's repeat flag reads the person's cases alone, by their index, not every case
 * of the topic (the plan SQLite had chosen: each create then read them all). */
static void test_repeat_flag_reads_by_person(void **state)
{
	struct fx *f = *state;
	if (strcmp(db_backend(f->db), "sqlite") != 0)
		skip(); /* SQLite's EXPLAIN QUERY PLAN */
	struct db_stmt *s = db_prepare(f->db, "EXPLAIN QUERY PLAN " CASE_REPEAT_SQL);
	assert_non_null(s);
	char plan[512] = "";
	size_t n = 0;
	while (db_step(s) == 1 && n < sizeof plan - 200)
		n += (size_t)snprintf(plan + n, sizeof plan - n, "%s; ", db_col_text(s, 3));
	db_done(s);
	if (!strstr(plan, "INDEX cases_person ") || strstr(plan, "SCAN"))
		fail_msg("the repeat flag's plan: %s", plan);
}

static void test_plans_read_indexes_alone(void **state)
{
	struct fx *f = *state;
	if (strcmp(db_backend(f->db), "sqlite") != 0)
		skip(); /* SQLite's planner and its EXPLAIN QUERY PLAN; PostgreSQL plans its own */
	static const char *const want[STATS_STATEMENTS] = {"cases_open_stats", NULL,
							   "cases_created",    "cases_closed",
							   "cases_outcomes",   "cases_handlers"};
	static const char *const count_want[16] = {"", "cases_department", "cases_topic",
						   "cases_created"}; /* then cases_created */
	for (int scope = 0; scope < 16; scope++) {
		struct stats_query q = {.days = 30, .now = 1800000000};
		q.department_id = scope & 1 ? catalog_department_by_code("pensions")->id : 0;
		q.topic_id = scope & 2 ? catalog_topic_by_code("pension_not_paid")->id : 0;
		q.has_from = (scope & 4) != 0;
		q.has_to = (scope & 8) != 0;
		for (int which = 0; which < STATS_STATEMENTS; which++) {
			char sql[2100], explain[2140], plan[1024] = "";
			cases_stats_sql(&q, which, sql, sizeof sql);
			snprintf(explain, sizeof explain, "EXPLAIN QUERY PLAN %s", sql);
			struct db_stmt *s = db_prepare(f->db, explain);
			assert_non_null(s);
			size_t n = 0;
			while (db_step(s) == 1 && n < sizeof plan - 200)
				n += (size_t)snprintf(plan + n, sizeof plan - n, "%s; ",
						      db_col_text(s, 3));
			db_done(s);
			int alone = strstr(plan, "USING COVERING INDEX") &&
				    !strstr(plan, "TEMP B-TREE") && !strstr(plan, "USING INDEX");
			int seeks = !strstr(plan, "SCAN");
			const char *idx = want[which] ? want[which]
					  : scope < 4 ? count_want[scope]
						      : "cases_created";
			int index_ok = strstr(plan, idx) != NULL;
			/* the count of a topic in a department, over all time, scans cases_created
			 */
			int must_seek =
			    which == STATS_CREATED || which == STATS_CLOSED ||
			    ((which == STATS_OPEN || which == STATS_OUTCOMES) && q.department_id) ||
			    (which == STATS_COUNT && scope && scope != 3);
			if (!alone || !index_ok || (must_seek && !seeks))
				fail_msg("scope %d statement %d: %s\n  plan: %s", scope, which, sql,
					 plan);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tehran_day),
	    cmocka_unit_test_setup_teardown(test_figures, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_outcomes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_plans_read_indexes_alone, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_repeat_flag_reads_by_person, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
