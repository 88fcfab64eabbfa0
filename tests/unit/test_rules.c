/* The rules table (data/rules), contributions, the record summary and the command line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "rulesfix.h"

/* ---- the table ---- */

static void test_real_data_loads(void **state)
{
	(void)state;
	struct rules *r = real_rules();
	int values, params = rules_count(r, &values);
	assert_true(params >= 40);
	assert_true(values >= params);
	struct rules_value v;
	struct err e;
	assert_int_equal(rules_value(r, "contribution.insured.bp", J(1403, 7, 1), &v, &e), 0);
	assert_int_equal(v.value, 700);
	assert_string_equal(v.unit, "bp");
	assert_non_null(strstr(v.reference, "Art. 28"));
	assert_jdate(v.since, J(1354, 4, 3));
	assert_int_equal(rules_value(r, "contribution.employer.bp", J(1403, 7, 1), &v, &e), 0);
	assert_int_equal(v.value, 2000);
	assert_int_equal(rules_value(r, "contribution.unemployment.bp", J(1403, 7, 1), &v, &e), 0);
	assert_int_equal(v.value, 300);
	assert_int_equal(
	    rules_value(r, "retirement.hard_job.credit.per_mille", J(1403, 7, 1), &v, &e), 0);
	assert_int_equal(v.value, 1500);
	/* every year's minimum wage, and the ceiling as 7 times it (1403: 501,632,880 a month) */
	int64_t monthly;
	assert_int_equal(rules_minimum_wage(r, J(1403, 12, 30), &monthly, &e), 0);
	assert_int_equal(monthly, 71661840);
	assert_int_equal(rules_minimum_wage(r, J(1404, 1, 1), &monthly, &e), 0);
	assert_int_equal(monthly, 103990680);
	rules_free(r);
}

/* A value that changes within a year: the minimum wage of 1399 was revised. */
static void test_value_changes_mid_year(void **state)
{
	(void)state;
	struct rules *r = real_rules();
	struct rules_value v;
	struct err e;
	assert_int_equal(rules_value(r, "wage.minimum.daily", J(1399, 3, 31), &v, &e), 0);
	assert_int_equal(v.value, 611809);
	assert_jdate(v.since, J(1399, 1, 1));
	assert_int_equal(rules_value(r, "wage.minimum.daily", J(1399, 4, 1), &v, &e), 0);
	assert_int_equal(v.value, 636809);
	assert_jdate(v.since, J(1399, 4, 1));
	/* the retirement age of men, before and after the reform's first day */
	assert_int_equal(rules_value(r, "retirement.age.men", J(1404, 12, 29), &v, &e), 0);
	assert_int_equal(v.value, 60);
	assert_int_equal(rules_value(r, "retirement.age.men", J(1405, 1, 1), &v, &e), 0);
	assert_int_equal(v.value, 62);
	/* and a contribution row takes its month's value */
	struct rules_contribution c;
	struct rules_worker_row row = {1399, 3, 30, 0, 0, RULES_EMPLOYEE};
	assert_int_equal(rules_contribution_row(r, &row, &c, NULL, &e), 0);
	assert_int_equal(c.insurable, 611809 * 30);
	row.month = 4;
	assert_int_equal(rules_contribution_row(r, &row, &c, NULL, &e), 0);
	assert_int_equal(c.insurable, 636809 * 30);
	rules_free(r);
}

static void test_missing_parameters(void **state)
{
	(void)state;
	struct rules *r = real_rules();
	struct rules_value v;
	struct err e;
	err_clear(&e);
	assert_int_equal(rules_value(r, "no.such.parameter", J(1403, 1, 1), &v, &e), -1);
	assert_int_equal(e.status, 500);
	assert_string_equal(e.code, "rule_unknown");
	assert_string_equal(e.field, "no.such.parameter");
	/* before the first value */
	err_clear(&e);
	assert_int_equal(rules_value(r, "wage.minimum.daily", J(1390, 6, 1), &v, &e), -1);
	assert_int_equal(e.status, 422);
	assert_string_equal(e.code, "rule_missing");
	assert_string_equal(e.field, "wage.minimum.daily");
	assert_non_null(strstr(e.message, "1390/06/01"));
	/* not a date */
	err_clear(&e);
	assert_int_equal(rules_value(r, "wage.minimum.daily", J(1403, 13, 1), &v, &e), -1);
	assert_int_equal(e.status, 400);
	/* a computation reports it, not crash: a contribution for 1390, an increase for 1399 */
	struct rules_contribution c;
	struct rules_worker_row row = {1390, 1, 30, 10000000, 0, RULES_EMPLOYEE};
	err_clear(&e);
	assert_int_equal(rules_contribution_row(r, &row, &c, NULL, &e), -1);
	assert_string_equal(e.code, "rule_missing");
	assert_string_equal(e.field, "wage.minimum.daily");
	struct rules_increase inc;
	err_clear(&e);
	assert_int_equal(rules_increase_for(r, J(1399, 6, 1), &inc, &e), -1);
	assert_string_equal(e.code, "rule_missing");
	assert_string_equal(e.field, "pension.increase.bp");
	struct rules_equalisation q;
	err_clear(&e);
	assert_int_equal(rules_equalisation_for(r, J(1403, 7, 30), &q, &e), -1);
	assert_string_equal(e.field, "equalisation.step");
	rules_free(r);
}

#define COLS "# columns: name\tstart_jalali\tstart_gregorian\tvalue\tunit\treference\tsource\n"

/* A value "-" ends a parameter; a Gregorian start alone is taken; both must agree. */
static void test_end_and_gregorian(void **state)
{
	const char *dir = *state;
	write_file(dir, "a.tsv",
		   "# fixture\n" COLS "x.rate\t1400-01-01\t-\t100\tbp\tlaw 1\tsource\n"
		   "x.rate\t-\t2022-03-21\t200\tbp\tlaw 2\tsource\n" /* 1401/01/01 */
		   "x.rate\t1402-01-01\t2023-03-21\t-\tbp\tlaw 3\tended\n");
	struct err e;
	err_clear(&e);
	struct rules *r = rules_load(dir, &e);
	assert_non_null(r);
	struct rules_value v;
	assert_int_equal(rules_value(r, "x.rate", J(1400, 12, 29), &v, &e), 0);
	assert_int_equal(v.value, 100);
	assert_int_equal(rules_value(r, "x.rate", J(1401, 1, 1), &v, &e), 0);
	assert_int_equal(v.value, 200);
	assert_string_equal(v.reference, "law 2");
	assert_int_equal(rules_value(r, "x.rate", J(1402, 1, 1), &v, &e), -1);
	assert_string_equal(e.code, "rule_missing");
	assert_non_null(strstr(e.message, "ended"));
	/* the table as JSON: the end is null */
	struct jw w;
	jw_init(&w);
	rules_table_json(&w, NULL, r, "x.");
	json_t *j = json_loads(w.buf, 0, NULL);
	assert_non_null(j);
	json_t *vals =
	    json_object_get(json_array_get(json_object_get(j, "parameters"), 0), "values");
	assert_int_equal(json_array_size(vals), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(vals, 1), "since")),
			    "1401/01/01");
	assert_true(json_is_null(json_object_get(json_array_get(vals, 2), "value")));
	json_decref(j);
	jw_release(&w);
	rules_free(r);
}

/* Each malformed line is refused, naming the file and the line. */
static void test_malformed_lines(void **state)
{
	const char *dir = *state;
	static const struct {
		const char *text, *want;
	} cases[] = {
	    {"x.a\t1400-01-01\t-\t1\tbp\tref\n", "line 3: expected 7 fields, found 6"},
	    {"x.a\t1400-01-01\t-\t1\tbp\tref\tsrc\textra\n", "line 3: expected 7 fields"},
	    {"X.A\t1400-01-01\t-\t1\tbp\tref\tsrc\n", "line 3: not a parameter name"},
	    {"x.a\t1400/01/01\t-\t1\tbp\tref\tsrc\n", "line 3: not a Jalali date"},
	    {"x.a\t1400-12-31\t-\t1\tbp\tref\tsrc\n", "line 3: not a Jalali date"},
	    {"x.a\t-\t-\t1\tbp\tref\tsrc\n", "line 3: a start date is needed"},
	    {"x.a\t-\t2023-02-29\t1\tbp\tref\tsrc\n", "line 3: not a Gregorian date"},
	    {"x.a\t1400-01-01\t2021-03-22\t1\tbp\tref\tsrc\n", "are not the same day"},
	    {"x.a\t1400-01-01\t-\t7%\tbp\tref\tsrc\n", "line 3: not an integer"},
	    {"x.a\t1400-01-01\t-\t\xDB\xB7\tbp\tref\tsrc\n", "line 3: not an integer"},
	    {"x.a\t1400-01-01\t-\t1.5\tper_mille\tref\tsrc\n", "line 3: not an integer"},
	    {"x.a\t1400-01-01\t-\t1\tpercent\tref\tsrc\n", "line 3: unknown unit percent"},
	    {"x.a\t1400-01-01\t-\t1\tbp\t\tsrc\n", "line 3: x.a: the reference and the source"},
	    {"x.a\t1400-01-01\t-\t1\tbp\tref\tsrc\n# note\nx.a\t1401-01-01\t-\t1\trial\tref\tsrc\n",
	     "line 5: x.a is in rial here but in bp at"},
	    {"x.a\t1400-01-01\t-\t1\tbp\tref\tsrc\nx.a\t1400-01-01\t-\t2\tbp\tref\tsrc\n",
	     "line 4: x.a starts twice on this day (also"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char text[512];
		snprintf(text, sizeof text, "# fixture\n" COLS "%s", cases[i].text);
		write_file(dir, "bad.tsv", text);
		struct err e;
		err_clear(&e);
		struct rules *r = rules_load(dir, &e);
		if (r)
			fail_msg("case %zu loaded", i);
		if (!strstr(e.message, "bad.tsv") || !strstr(e.message, cases[i].want))
			fail_msg("case %zu: %s", i, e.message);
		assert_string_equal(e.code, "data");
	}
	/* the line a unit was first given is named too */
	write_file(dir, "bad.tsv",
		   "# fixture\n" COLS "x.a\t1400-01-01\t-\t1\tbp\tref\tsrc\nx.a\t1401-01-01\t-\t1\t"
		   "rial\tref\tsrc\n");
	struct err e;
	err_clear(&e);
	assert_null(rules_load(dir, &e));
	assert_non_null(strstr(e.message, "bad.tsv line 3"));
	assert_non_null(strstr(e.message, "bad.tsv line 4"));
}

static void test_missing_folder(void **state)
{
	const char *dir = *state;
	struct err e;
	err_clear(&e);
	assert_null(rules_load("/nonexistent/tamin-rules", &e));
	assert_non_null(strstr(e.message, "/nonexistent/tamin-rules"));
	err_clear(&e);
	assert_null(rules_load(dir, &e)); /* empty */
	assert_non_null(strstr(e.message, "no parameters"));
	write_file(dir, "README.md", "not read\n");
	write_file(dir, "a.tsv", "# only comments\n\n");
	assert_null(rules_load(dir, &e));
	rules_free(NULL);
}

/* ---- contributions ---- */

/* DOMAIN.md's worked sample: insurable 700,000 → worker 49,000, employer 140,000,
 * unemployment 21,000, DSK_RATE 23. The real rates, with a fixture minimum wage low enough
 * for that wage (today's is far above it). */
static void test_domain_sample(void **state)
{
	const char *dir = *state;
	copy_real(dir, "contributions.tsv");
	write_file(dir, "wages.tsv",
		   COLS "wage.minimum.daily\t1394-01-01\t-\t20000\trial\tfixture\tfixture\n");
	struct err e;
	err_clear(&e);
	struct rules *r = rules_load(dir, &e);
	assert_non_null(r);
	struct rules_worker_row row = {1400, 7, 30, 700000, 0, RULES_EMPLOYEE};
	struct rules_contribution c;
	struct rules_steps s;
	rules_steps_init(&s);
	assert_int_equal(rules_contribution_row(r, &row, &c, &s, &e), 0);
	assert_int_equal(c.insurable, 700000);
	assert_int_equal(c.worker, 49000);
	assert_int_equal(c.employer, 140000);
	assert_int_equal(c.unemployment, 21000);
	assert_int_equal(c.rate_percent, 23);
	assert_int_equal(c.government, 21000);
	assert_int_equal(c.hard_job, 0);
	assert_int_equal(c.remit, 49000 + 140000 + 21000);
	assert_steps_ok(&s);
	/* the same as a one-row list */
	struct rules_contribution t;
	assert_int_equal(rules_contribution_list(r, &row, 1, &t, NULL, NULL, &e), 0);
	assert_int_equal(t.worker, 49000);
	assert_int_equal(t.employer, 140000);
	assert_int_equal(t.unemployment, 21000);
	assert_int_equal(t.rate_percent, 23);
	/* halves round up: 700,050 × 7% = 49,003.5 */
	row.wage = 700050;
	assert_int_equal(rules_contribution_row(r, &row, &c, NULL, &e), 0);
	assert_int_equal(c.worker, 49004);
	assert_int_equal(c.employer, 140010);
	assert_int_equal(c.unemployment, 21002);
	rules_steps_release(&s);
	rules_free(r);
}

static void test_contribution_clamped(void **state)
{
	(void)state;
	struct rules *r = real_rules();
	struct err e;
	struct rules_contribution c;
	struct rules_steps s;
	rules_steps_init(&s);
	/* 1403, 30 days: minimum 71,661,840, ceiling 501,632,880 */
	struct rules_worker_row row = {1403, 7, 30, 50000000, 0, RULES_EMPLOYEE};
	assert_int_equal(rules_contribution_row(r, &row, &c, &s, &e), 0);
	assert_int_equal(c.minimum, 71661840);
	assert_int_equal(c.ceiling, 501632880);
	assert_int_equal(c.insurable, 71661840);
	assert_int_equal(c.raised, 1);
	assert_int_equal(c.worker, 5016329); /* 5,016,328.8 */
	assert_int_equal(c.employer, 14332368);
	assert_int_equal(c.unemployment, 2149855); /* 2,149,855.2 */
	assert_steps_ok(&s);
	int found = 0;
	for (int i = 0; i < s.n; i++)
		found |= strstr(s.v[i].en, "below the minimum for 30 days") != NULL;
	assert_true(found);
	rules_steps_release(&s);
	/* above the ceiling, for 10 days */
	row = (struct rules_worker_row){1403, 7, 10, 900000000, 0, RULES_EMPLOYEE};
	assert_int_equal(rules_contribution_row(r, &row, &c, NULL, &e), 0);
	assert_int_equal(c.ceiling, 167210960);
	assert_int_equal(c.insurable, 167210960);
	assert_int_equal(c.cut, 1);
	/* hard and harmful work: the employer pays 4% more */
	row = (struct rules_worker_row){1403, 7, 30, 100000000, 1, RULES_EMPLOYEE};
	assert_int_equal(rules_contribution_row(r, &row, &c, NULL, &e), 0);
	assert_int_equal(c.worker, 7000000);
	assert_int_equal(c.employer, 20000000);
	assert_int_equal(c.unemployment, 3000000);
	assert_int_equal(c.hard_job, 4000000);
	assert_int_equal(c.government, 3000000);
	assert_int_equal(c.remit, 34000000);
	/* the self-employed pay the whole rate, no employer's share */
	row = (struct rules_worker_row){1403, 7, 30, 100000000, 0, RULES_SELF_18};
	assert_int_equal(rules_contribution_row(r, &row, &c, NULL, &e), 0);
	assert_int_equal(c.worker, 18000000);
	assert_int_equal(c.employer, 0);
	assert_int_equal(c.remit, 18000000);
	row.scheme = RULES_VOLUNTARY;
	assert_int_equal(rules_contribution_row(r, &row, &c, NULL, &e), 0);
	assert_int_equal(c.worker, 26000000);
	/* zero days: nothing due */
	row = (struct rules_worker_row){1403, 7, 0, 0, 0, RULES_EMPLOYEE};
	assert_int_equal(rules_contribution_row(r, &row, &c, NULL, &e), 0);
	assert_int_equal(c.remit, 0);
	/* inputs out of range */
	row = (struct rules_worker_row){1403, 7, 31, 100000000, 0, RULES_EMPLOYEE};
	err_clear(&e);
	assert_int_equal(rules_contribution_row(r, &row, &c, NULL, &e), -1);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.field, "days");
	row = (struct rules_worker_row){1403, 13, 30, 100000000, 0, RULES_EMPLOYEE};
	assert_int_equal(rules_contribution_row(r, &row, &c, NULL, &e), -1);
	assert_string_equal(e.field, "month");
	row = (struct rules_worker_row){1403, 7, 30, -1, 0, RULES_EMPLOYEE};
	assert_int_equal(rules_contribution_row(r, &row, &c, NULL, &e), -1);
	assert_string_equal(e.field, "wage");
	row = (struct rules_worker_row){1403, 7, 30, 100000000, 1, RULES_SELF_12};
	assert_int_equal(rules_contribution_row(r, &row, &c, NULL, &e), -1);
	assert_string_equal(e.field, "hard_job");
	rules_free(r);
}

/* The limits hold at the rial: a wage at the minimum or at the ceiling stands as declared;
 * a rial below the minimum is raised to it, a rial over the ceiling is cut to it. */
static void test_contribution_limits_to_the_rial(void **state)
{
	(void)state;
	struct rules *r = real_rules();
	struct err e;
	struct rules_contribution at, past;
	/* 1403, 30 days: minimum 71,661,840, ceiling 501,632,880 */
	struct rules_worker_row row = {1403, 7, 30, 71661840, 0, RULES_EMPLOYEE};
	assert_int_equal(rules_contribution_row(r, &row, &at, NULL, &e), 0);
	assert_int_equal(at.insurable, 71661840);
	assert_int_equal(at.raised + at.cut, 0);
	row.wage = 71661839;
	assert_int_equal(rules_contribution_row(r, &row, &past, NULL, &e), 0);
	assert_int_equal(past.insurable, 71661840);
	assert_int_equal(past.raised, 1);
	assert_int_equal(past.remit, at.remit);
	row.wage = 501632880;
	assert_int_equal(rules_contribution_row(r, &row, &at, NULL, &e), 0);
	assert_int_equal(at.insurable, 501632880);
	assert_int_equal(at.raised + at.cut, 0);
	row.wage = 501632881;
	assert_int_equal(rules_contribution_row(r, &row, &past, NULL, &e), 0);
	assert_int_equal(past.insurable, 501632880);
	assert_int_equal(past.cut, 1);
	assert_int_equal(past.remit, at.remit);
	rules_free(r);
}

static void test_contribution_list(void **state)
{
	(void)state;
	struct rules *r = real_rules();
	struct err e;
	struct rules_worker_row rows[] = {
	    {1403, 7, 30, 100000000, 0, RULES_EMPLOYEE}, /* as is */
	    {1403, 7, 30, 100000001, 0, RULES_EMPLOYEE}, /* worker 7,000,000.07 */
	    {1403, 7, 15, 1000000, 0, RULES_EMPLOYEE},	 /* raised: 15 × 2,388,728 */
	    {1403, 7, 30, 200000000, 1, RULES_EMPLOYEE}, /* hard */
	};
	struct rules_contribution t, each[4];
	struct rules_steps s;
	rules_steps_init(&s);
	assert_int_equal(rules_contribution_list(r, rows, 4, &t, each, &s, &e), 0);
	int64_t ins = 100000000 + 100000001 + 35830920 + 200000000;
	assert_int_equal(t.rows, 4);
	assert_int_equal(t.insurable, ins);
	assert_int_equal(t.raised, 1);
	assert_int_equal(t.worker, 7000000 + 7000000 + 2508164 + 14000000);
	assert_int_equal(t.employer, 87166184); /* 20% of 435,830,921 = 87,166,184.2 */
	assert_int_equal(t.unemployment, 13074928);
	assert_int_equal(t.hard_job, 8000000);
	assert_int_equal(t.remit, t.worker + t.employer + t.unemployment + t.hard_job);
	assert_int_equal(each[2].insurable, 35830920);
	assert_int_equal(each[3].hard_job, 8000000);
	assert_steps_ok(&s);
	rules_steps_release(&s);
	/* one month per list */
	rows[1].month = 8;
	err_clear(&e);
	assert_int_equal(rules_contribution_list(r, rows, 4, &t, NULL, NULL, &e), -1);
	assert_string_equal(e.field, "rows[1].month");
	rows[1].month = 7;
	rows[2].days = 32;
	assert_int_equal(rules_contribution_list(r, rows, 4, &t, NULL, NULL, &e), -1);
	assert_string_equal(e.field, "rows[2].days");
	assert_int_equal(rules_contribution_list(r, rows, 0, &t, NULL, NULL, &e), -1);
	rules_free(r);
}

static void test_contribution_json(void **state)
{
	(void)state;
	struct rules *r = real_rules();
	struct err e;
	struct rules_worker_row row = {1403, 7, 30, 100000000, 1, RULES_EMPLOYEE};
	struct rules_contribution c;
	struct rules_steps s;
	rules_steps_init(&s);
	assert_int_equal(rules_contribution_row(r, &row, &c, &s, &e), 0);
	struct jw w;
	jw_init(&w);
	rules_contribution_json(&w, NULL, &c, &s);
	json_error_t je;
	json_t *j = json_loads(w.buf, 0, &je);
	if (!j)
		fail_msg("%s", je.text);
	assert_int_equal(json_integer_value(json_object_get(j, "worker")), 7000000);
	assert_int_equal(json_integer_value(json_object_get(j, "rate_percent")), 23);
	json_t *steps = json_object_get(j, "steps");
	assert_int_equal(json_array_size(steps), (size_t)s.n);
	int refs = 0;
	size_t i;
	json_t *st;
	json_array_foreach(steps, i, st)
	{
		assert_true(json_is_string(json_object_get(st, "fa")));
		assert_true(json_is_string(json_object_get(st, "en")));
		assert_true(json_is_array(json_object_get(st, "numbers")));
		refs += json_is_string(json_object_get(st, "reference"));
	}
	assert_true(refs >= 6);
	json_decref(j);
	jw_release(&w);
	rules_steps_release(&s);
	rules_free(r);
}

/* ---- the record ---- */

static void test_ymd(void **state)
{
	(void)state;
	struct rules_ymd y = rules_ymd_of(10800, 30, 12);
	assert_int_equal(y.years, 30);
	assert_int_equal(y.months, 0);
	assert_int_equal(y.days, 0);
	y = rules_ymd_of(400, 30, 12);
	assert_int_equal(y.years, 1);
	assert_int_equal(y.months, 1);
	assert_int_equal(y.days, 10);
	y = rules_ymd_of(365, 30, 12); /* a full calendar year */
	assert_int_equal(y.years, 1);
	assert_int_equal(y.months, 0);
	assert_int_equal(y.days, 5);
	y = rules_ymd_of(-5, 30, 12);
	assert_int_equal(y.years + y.months + y.days, 0);
}

static void test_history_summary(void **state)
{
	(void)state;
	struct rules *r = real_rules();
	struct err e;
	struct rules_record in[] = {
	    /* workshop A, 1402: Esfand (29 days), then 1403 Farvardin and Ordibehesht */
	    {1402, 12, "1000000001", 29, 60000000, 0},
	    {1403, 1, "1000000001", 31, 80000000, 0},
	    {1403, 2, "1000000001", 20, 50000000, 0},
	    /* workshop B the same Ordibehesht: 20 + 15 days, but a month counts at most 31 */
	    {1403, 2, "1000000002", 15, 40000000, 0},
	    /* a gap: Khordad to Mordad; then hard work in Shahrivar and Mehr at B */
	    {1403, 6, "1000000002", 31, 90000000, 1},
	    {1403, 7, "1000000002", 30, 90000000, 1},
	    /* a line with no days (a correction) makes no month */
	    {1403, 8, "1000000002", 0, 0, 0},
	};
	struct rules_history h;
	struct rules_steps s;
	rules_steps_init(&s);
	assert_int_equal(rules_history_summarise(r, in, 7, J(1403, 9, 1), &h, &s, &e), 0);
	assert_int_equal(h.days_per_month, 30);
	assert_int_equal(h.months_per_year, 12);
	assert_int_equal(h.nmonths, 6);
	assert_int_equal(h.months[2].days, 31); /* 1403/02 capped */
	assert_int_equal(h.months[2].workshops, 2);
	assert_int_equal(h.months[2].wage, 90000000);
	assert_int_equal(h.days, 29 + 31 + 31 + 31 + 30);
	assert_int_equal(h.hard_days, 61);
	assert_int_equal(h.hard_continuous_days, 61);
	/* 152 days + 61 × 0.5 = 182.5 → 182 (rounded down) */
	assert_int_equal(h.credited_days, 182);
	assert_int_equal(h.credited.years, 0);
	assert_int_equal(h.credited.months, 6);
	assert_int_equal(h.credited.days, 2);
	assert_int_equal(h.record.months, 5);
	assert_int_equal(h.record.days, 2);
	/* by workshop and year */
	assert_int_equal(h.nrows, 3);
	assert_string_equal(h.rows[0].workshop, "1000000001");
	assert_int_equal(h.rows[0].year, 1402);
	assert_int_equal(h.rows[1].year, 1403);
	assert_int_equal(h.rows[1].months, 2);
	assert_int_equal(h.rows[1].days, 51);
	assert_string_equal(h.rows[2].workshop, "1000000002");
	assert_int_equal(h.rows[2].months, 3);
	assert_int_equal(h.rows[2].days, 76);
	assert_int_equal(h.rows[2].hard_days, 61);
	/* years: the hard-job credit per year */
	assert_int_equal(h.nyears, 2);
	assert_int_equal(h.years[1].year, 1403);
	assert_int_equal(h.years[1].hard_days, 61);
	assert_int_equal(h.years[1].credited_days, 123 + 30);
	/* the gap */
	assert_int_equal(h.ngaps, 1);
	assert_int_equal(h.gaps[0].from_year, 1403);
	assert_int_equal(h.gaps[0].from_month, 3);
	assert_int_equal(h.gaps[0].to_month, 5);
	assert_int_equal(h.gaps[0].months, 3);
	assert_steps_ok(&s);
	/* as JSON */
	struct jw w;
	jw_init(&w);
	rules_history_json(&w, NULL, &h, &s);
	json_t *j = json_loads(w.buf, 0, NULL);
	assert_non_null(j);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(j, "credited"), "total_days")), 182);
	assert_int_equal(json_array_size(json_object_get(j, "gaps")), 1);
	json_decref(j);
	jw_release(&w);
	rules_steps_release(&s);
	rules_history_release(&h);
	rules_free(r);
}

/* A run of hard months breaks at a month without hard work. */
static void test_history_hard_runs(void **state)
{
	(void)state;
	struct rules *r = real_rules();
	struct err e;
	struct rules_record in[64];
	int n = 0;
	record_forward(in, &n, 1390, 1, 24, 1000000, 1); /* 2 hard years */
	record_forward(in, &n, 1392, 1, 1, 1000000, 0);	 /* an ordinary month */
	record_forward(in, &n, 1392, 2, 12, 1000000, 1); /* 1 hard year */
	struct rules_history h;
	assert_int_equal(rules_history_summarise(r, in, n, J(1404, 1, 1), &h, NULL, &e), 0);
	int64_t first = 0, second = 0;
	for (int i = 0; i < 24; i++)
		first += in[i].days;
	for (int i = 25; i < n; i++)
		second += in[i].days;
	assert_int_equal(h.hard_days, first + second);
	assert_int_equal(h.hard_continuous_days, first);
	assert_int_equal(h.credited_days, h.days + (first + second) / 2);
	rules_history_release(&h);
	rules_free(r);
}

static void test_history_invalid(void **state)
{
	(void)state;
	struct rules *r = real_rules();
	struct err e;
	struct rules_history h;
	struct rules_record in[] = {
	    {1403, 1, "1", 31, 1, 0}, {1403, 7, "1", 31, 1, 0}, /* Mehr has 30 days */
	};
	err_clear(&e);
	assert_int_equal(rules_history_summarise(r, in, 2, J(1404, 1, 1), &h, NULL, &e), -1);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.field, "records[1].days");
	rules_history_release(&h);
	struct rules_record bad_ws[] = {{1403, 1, "12a", 31, 1, 0}};
	assert_int_equal(rules_history_summarise(r, bad_ws, 1, J(1404, 1, 1), &h, NULL, &e), -1);
	assert_string_equal(e.field, "records[0].workshop");
	rules_history_release(&h);
	struct rules_record bad_hard[] = {{1403, 1, "", 31, 1, 2}};
	assert_int_equal(rules_history_summarise(r, bad_hard, 1, J(1404, 1, 1), &h, NULL, &e), -1);
	assert_string_equal(e.field, "records[0].hard_job");
	rules_history_release(&h);
	/* an empty record is a record of nothing */
	assert_int_equal(rules_history_summarise(r, NULL, 0, J(1404, 1, 1), &h, NULL, &e), 0);
	assert_int_equal(h.days, 0);
	rules_history_release(&h);
	rules_free(r);
}

/* ---- the command line ---- */

static int cli(char *out, size_t cap, struct err *e, int argc, ...)
{
	char *argv[16];
	va_list ap;
	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *data = getenv("TAMIN_DATA");
	err_clear(e);
	int rc = rules_cli(argc, argv, data ? data : "data", f, e);
	fclose(f);
	snprintf(out, cap, "%s", buf ? buf : "");
	free(buf);
	return rc;
}

static void test_cli(void **state)
{
	const char *dir = *state;
	static char out[1 << 20];
	struct err e;
	assert_int_equal(cli(out, sizeof out, &e, 1, "help"), 0);
	assert_non_null(strstr(out, "eligibility FILE"));
	assert_int_equal(cli(out, sizeof out, &e, 1, "check"), 0);
	json_t *j = json_loads(out, 0, NULL);
	assert_non_null(j);
	assert_true(json_integer_value(json_object_get(j, "parameters")) >= 40);
	json_decref(j);
	assert_int_equal(cli(out, sizeof out, &e, 3, "value", "wage.minimum.daily", "1403/05/01"),
			 0);
	assert_non_null(strstr(out, "\"value\":2388728"));
	assert_int_equal(cli(out, sizeof out, &e, 2, "table", "equalisation."), 0);
	assert_non_null(strstr(out, "equalisation.step"));
	assert_null(strstr(out, "wage.minimum"));
	assert_int_equal(
	    cli(out, sizeof out, &e, 5, "contribution", "1403/07", "30", "100000000", "--hard"), 0);
	assert_non_null(strstr(out, "\"hard_job\":4000000"));
	assert_int_equal(cli(out, sizeof out, &e, 6, "contribution", "1403/07", "30", "100000000",
			     "--scheme", "self12"),
			 0);
	assert_non_null(strstr(out, "\"worker\":12000000"));
	assert_int_equal(cli(out, sizeof out, &e, 3, "increase", "80000000", "--on"), -1);
	assert_string_equal(e.code, "usage");
	assert_int_equal(cli(out, sizeof out, &e, 4, "increase", "80000000", "--on", "1404/02/01"),
			 0);
	assert_non_null(strstr(out, "\"increased\":114916500"));
	/* an increase that would pass 10^15 rials is refused, never stored past what the rules
	 * take (where every later preview failed) */
	assert_int_equal(cli(out, sizeof out, &e, 4, "increase", "999999999999999", "--on",
			     "1404/02/01"),
			 -1);
	assert_string_equal(e.code, "amount_out_of_range");
	assert_int_equal(cli(out, sizeof out, &e, 4, "increase", "100000000000000", "--on",
			     "1404/02/01"),
			 0);
	assert_int_equal(cli(out, sizeof out, &e, 6, "equalise", "20000000", "1396/05/01",
			     "80000000", "--on", "1404/02/01"),
			 0);
	assert_non_null(strstr(out, "\"equalised\":170501053"));
	/* files */
	write_file(dir, "list.tsv",
		   "# year month days wage hard\n1403 7 30 100000000 0\n"
		   "1403\t7\t30\t100000000\t1\n");
	char path[256];
	snprintf(path, sizeof path, "%s/list.tsv", dir);
	assert_int_equal(cli(out, sizeof out, &e, 2, "list", path), 0);
	assert_non_null(strstr(out, "\"employer\":40000000"));
	write_file(dir, "rec.tsv", "1403 1 1000000001 31 80000000 0\n1403 2 - 31 80000000 1\n");
	snprintf(path, sizeof path, "%s/rec.tsv", dir);
	assert_int_equal(cli(out, sizeof out, &e, 4, "history", path, "--on", "1403/09/01"), 0);
	assert_non_null(strstr(out, "\"credited\":{\"total_days\":77"));
	assert_int_equal(cli(out, sizeof out, &e, 8, "eligibility", path, "--birth", "1340/01/01",
			     "--sex", "male", "--on", "1403/09/01"),
			 0);
	assert_non_null(strstr(out, "\"eligible\":false"));
	assert_int_equal(cli(out, sizeof out, &e, 4, "pension", path, "--on", "1403/09/01"), 0);
	assert_non_null(strstr(out, "\"average\":80000000"));
	write_file(dir, "rec.tsv", "1403 1 1000000001 31\n");
	assert_int_equal(cli(out, sizeof out, &e, 2, "history", path), -1);
	assert_non_null(strstr(e.message, "rec.tsv line 1: expected 6 fields"));
	/* errors */
	assert_int_equal(cli(out, sizeof out, &e, 1, "nonsense"), -1);
	assert_int_equal(e.status, 400);
	assert_int_equal(cli(out, sizeof out, &e, 2, "value", "no.such"), -1);
	assert_string_equal(e.code, "rule_unknown");
	assert_int_equal(cli(out, sizeof out, &e, 0), -1);
	assert_int_equal(
	    cli(out, sizeof out, &e, 6, "eligibility", path, "--birth", "1340/01/01", "--sex", "x"),
	    -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_real_data_loads),
	    cmocka_unit_test(test_value_changes_mid_year),
	    cmocka_unit_test(test_missing_parameters),
	    cmocka_unit_test_setup_teardown(test_end_and_gregorian, tmpdir_setup, tmpdir_teardown),
	    cmocka_unit_test_setup_teardown(test_malformed_lines, tmpdir_setup, tmpdir_teardown),
	    cmocka_unit_test_setup_teardown(test_missing_folder, tmpdir_setup, tmpdir_teardown),
	    cmocka_unit_test_setup_teardown(test_domain_sample, tmpdir_setup, tmpdir_teardown),
	    cmocka_unit_test(test_contribution_clamped),
	    cmocka_unit_test(test_contribution_limits_to_the_rial),
	    cmocka_unit_test(test_contribution_list),
	    cmocka_unit_test(test_contribution_json),
	    cmocka_unit_test(test_ymd),
	    cmocka_unit_test(test_history_summary),
	    cmocka_unit_test(test_history_hard_runs),
	    cmocka_unit_test(test_history_invalid),
	    cmocka_unit_test_setup_teardown(test_cli, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
