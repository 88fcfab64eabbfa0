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
	int64_t a = open_case(f, "pension_not_paid", m - 1, NULL);	  /* the day before */
	int64_t b = open_case(f, "pension_not_paid", m, NULL);	  /* the first second */
	int64_t c = open_case(f, "pension_not_paid", m + 3600, NULL);	  /* waiting */
	int64_t d = open_case(f, "general_info", m + 7200, NULL);	  /* closed, reopened */
	int64_t g = open_case(f, "general_info", m + 7300, NULL);	  /* closed */
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

/* Every statement of the figures, in every scope, reads one index alone (a covering
 * index: no row of the table is read), and seeks it wherever the scope allows. The
 * planner decides without statistics (no ANALYZE), so an empty database plans as a
 * million-case one does. */
static void test_plans_read_indexes_alone(void **state)
{
	struct fx *f = *state;
	static const char *const want[STATS_STATEMENTS] = {"cases_open_stats", NULL,
							   "cases_created", "cases_closed"};
	static const char *const count_want[16] = {"", "cases_department", "cases_topic",
						   "cases_created"}; /* then cases_created */
	for (int scope = 0; scope < 16; scope++) {
		struct stats_query q = {.days = 30, .now = 1800000000};
		q.department_id = scope & 1 ? catalog_department_by_code("pensions")->id : 0;
		q.topic_id = scope & 2 ? catalog_topic_by_code("pension_not_paid")->id : 0;
		q.has_from = (scope & 4) != 0;
		q.has_to = (scope & 8) != 0;
		for (int which = 0; which < STATS_STATEMENTS; which++) {
			char sql[700], explain[720], plan[1024] = "";
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
			int must_seek = which >= STATS_CREATED ||
					(which == STATS_OPEN && q.department_id) ||
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
	    cmocka_unit_test_setup_teardown(test_plans_read_indexes_alone, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
