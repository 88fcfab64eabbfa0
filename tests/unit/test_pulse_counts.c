/* pulse: the counts (pulse_tally, written twice the same), a series' baseline and the
 * movers on hand-made counts whose answers are known, and a refresh from calls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>

#include "calls/calls.h"
#include "dbfixture.h"
#include "pulse/pulse.h"

#define DAY 86400
/* 2026-01-03 00:00 Tehran (a Saturday), as UTC */
#define T0 ((int64_t)1767385800)

static int64_t count_rows(struct db *db, const char *sql)
{
	struct db_stmt *s = db_prepare(db, sql);
	int64_t n = db_step(s) == 1 ? db_col_int(s, 0) : -1;
	db_done(s);
	return n;
}

static void test_bucket(void **state)
{
	(void)state;
	/* 2026-01-03 00:00 Tehran is 2026-01-02 20:30 UTC */
	assert_int_equal(pulse_bucket(T0, DAY), T0);
	assert_int_equal(pulse_bucket(T0 + DAY - 1, DAY), T0);
	assert_int_equal(pulse_bucket(T0 - 1, DAY), T0 - DAY);
	assert_int_equal(pulse_bucket(T0 + 3600 + 59, 3600), T0 + 3600);
}

/* Counts each day of [0, days) by f(day) into (case, topic, key), all in province prov. */
static void fill(struct pulse_tally *t, const char *key, const char *prov, int days,
		 int64_t (*f)(int))
{
	int s[3] = {pulse_tally_series(t, 1, PULSE_TOPIC, key),
		    pulse_tally_series(t, 1, PULSE_PROVINCE, prov),
		    pulse_tally_series(t, 1, PULSE_ALL, NULL)};
	int w[1] = {pulse_tally_where(t, 1, PULSE_TOPIC, key, prov)};
	for (int d = 0; d < days; d++)
		pulse_tally_add_ids(t, T0 + (int64_t)d * DAY + 10 * 3600, s, 3, w, 1, f(d));
}

#define DAYS 84 /* twelve weeks; the last seven are the window */
static int64_t flat(int d)
{
	return 40 + d % 7;
}
static int64_t rise(int d)
{
	return d >= DAYS - 7 ? 3 * (40 + d % 7) : 40 + d % 7;
}
static int64_t fall(int d)
{
	return d >= DAYS - 7 ? 8 : 40 + d % 7;
}
static int64_t other(int d)
{
	return 20 + d % 7 / 3;
}

static void test_write_idempotent(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	for (int round = 0; round < 2; round++) {
		struct pulse_tally *t = pulse_tally_new(T0, T0 + 3 * DAY);
		struct pulse_contact c = {.source = 1, .at = T0 + 5000};
		c.key[PULSE_TOPIC] = "pension_increase";
		c.key[PULSE_PROVINCE] = "05";
		c.key[PULSE_CHANNEL] = "phone";
		for (int i = 0; i < 3; i++)
			assert_int_equal(pulse_tally_add(t, &c), 0);
		c.at = T0 + DAY + 7200;
		c.key[PULSE_PROVINCE] = NULL; /* not known: not counted by province */
		assert_int_equal(pulse_tally_add(t, &c), 0);
		c.at = T0 + 10 * DAY; /* outside the range: ignored */
		assert_int_equal(pulse_tally_add(t, &c), 0);
		assert_int_equal(db_begin(f->db), 0);
		assert_int_equal(pulse_tally_write(t, f->db, &e), 0);
		assert_int_equal(db_commit(f->db), 0);
		pulse_tally_free(t);
		assert_int_equal(count_rows(f->db, "SELECT sum(n) FROM pulse_counts WHERE dim = "
						   "'topic' AND span = 86400"),
				 4);
		assert_int_equal(count_rows(f->db, "SELECT sum(n) FROM pulse_counts WHERE dim = "
						   "'province' AND span = 3600"),
				 3);
		assert_int_equal(count_rows(f->db, "SELECT n FROM pulse_counts WHERE dim = 'all' "
						   "AND span = 3600 AND at = 1767385800 + 3600"),
				 3);
		assert_int_equal(count_rows(f->db,
					    "SELECT sum(n) FROM pulse_where WHERE dim = "
					    "'topic' AND key = 'pension_increase' AND sub = '05'"),
				 3);
	}
}

static void write_movers_fixture(struct fx *f)
{
	struct err e = {0};
	struct pulse_tally *t = pulse_tally_new(T0, T0 + DAYS * (int64_t)DAY);
	fill(t, "general_info", "01", DAYS, flat);
	fill(t, "pension_increase", "05", DAYS, rise);
	fill(t, "eservices_account", "02", DAYS, fall);
	fill(t, "pension_increase", "03", DAYS, other); /* a province where nothing moved */
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(pulse_tally_write(t, f->db, &e), 0);
	assert_int_equal(db_commit(f->db), 0);
	pulse_tally_free(t);
}

static void test_series_baseline(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	write_movers_fixture(f);
	struct arena a;
	arena_init(&a);
	struct pulse_query q = {.source = 1,
				.dim = PULSE_TOPIC,
				.key = "pension_increase",
				.from = T0 + 56 * (int64_t)DAY,
				.to = T0 + DAYS * (int64_t)DAY,
				.span = PULSE_DAY};
	struct pulse_result r;
	assert_int_equal(pulse_series_get(f->db, &q, NULL, &a, &r, &e), 0);
	assert_int_equal(r.n, 28);
	/* before the rise: the value is its own baseline (the same weekday in past weeks) */
	for (size_t i = 0; i < 21; i++) {
		assert_false(isnan(r.points[i].expected));
		assert_true(fabs(r.points[i].expected - r.points[i].value) < 1e-9);
		assert_int_equal(r.points[i].anomaly, 0);
	}
	/* the last seven days: three times it, flagged as one rise from its first day */
	for (size_t i = 21; i < 28; i++) {
		assert_true(r.points[i].value >
			    2 * r.points[i].expected); /* 3x of 40 beside 20 flat */
		assert_int_equal(r.points[i].anomaly, 1);
	}
	assert_int_equal(r.nfound, 1);
	assert_int_equal(r.found[0].direction, 1);
	assert_int_equal(r.found[0].start, T0 + (DAYS - 7) * (int64_t)DAY);
	/* from the store's first day: no baseline before it (nothing counted is not nothing
	 * happened), so no rise at its start */
	q.from = T0;
	q.to = T0 + 28 * (int64_t)DAY;
	assert_int_equal(pulse_series_get(f->db, &q, NULL, &a, &r, &e), 0);
	assert_int_equal(r.n, 28);
	assert_int_equal(r.nfound, 0);
	assert_true(isnan(r.points[0].expected) && isnan(r.points[0].score));
	assert_true(r.points[0].value > 0);
	/* hourly: the counts are all at 10:00, and the hours read back as they were written */
	q.to = T0 + DAYS * (int64_t)DAY;
	q.span = PULSE_HOUR;
	q.from = T0 + (DAYS - 1) * (int64_t)DAY;
	assert_int_equal(pulse_series_get(f->db, &q, NULL, &a, &r, &e), 0);
	assert_int_equal(r.n, 24);
	assert_true(r.points[10].value == (double)rise(DAYS - 1) + (double)other(DAYS - 1));
	assert_true(r.points[9].value == 0);
	arena_release(&a);
}

static void test_movers(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	write_movers_fixture(f);
	struct arena a;
	arena_init(&a);
	struct pulse_movers_query q = {
	    .at = T0 + (DAYS - 1) * (int64_t)DAY, .days = 7, .limit = 10};
	struct pulse_mover *m;
	int n;
	assert_int_equal(pulse_movers(f->db, &q, NULL, &a, &m, &n, &e), 0);
	assert_true(n >= 2);
	/* the first rise is the topic that tripled, all of it from province 05 */
	int rises = 0, falls = 0, saw_rise = 0, saw_fall = 0;
	for (int i = 0; i < n; i++) {
		if (m[i].direction > 0)
			rises++;
		else
			falls++;
		if (m[i].dim == PULSE_TOPIC && !strcmp(m[i].key, "pension_increase")) {
			saw_rise = 1;
			assert_int_equal(m[i].direction, 1);
			assert_true(m[i].ratio > 1.8 &&
				    m[i].ratio < 2.5); /* 3x of 40 beside 20 flat */
			assert_int_equal(m[i].since, T0 + (DAYS - 7) * (int64_t)DAY);
			assert_true(m[i].nwhere >= 1);
			assert_string_equal(m[i].where[0].sub, "05");
			for (int k = 0; k < m[i].nwhere; k++)
				assert_string_not_equal(m[i].where[k].sub, "03");
		}
		if (m[i].dim == PULSE_TOPIC && !strcmp(m[i].key, "eservices_account")) {
			saw_fall = 1;
			assert_int_equal(m[i].direction, -1);
			assert_true(m[i].value == 7 * 8);
			assert_string_equal(m[i].where[0].sub, "02");
		}
		/* the flat topic never moves */
		assert_false(m[i].dim == PULSE_TOPIC && !strcmp(m[i].key, "general_info"));
		assert_false(m[i].dim == PULSE_PROVINCE && !strcmp(m[i].key, "01"));
	}
	assert_true(saw_rise && saw_fall && rises >= 1 && falls >= 1);
	/* rises first, by size; then falls */
	assert_int_equal(m[0].direction, 1);
	for (int i = 1; i < n; i++)
		if (m[i].direction == m[i - 1].direction)
			assert_true(fabs(m[i].score) <= fabs(m[i - 1].score));
	/* a week before the incident, nothing moved */
	q.at -= 7 * DAY;
	assert_int_equal(pulse_movers(f->db, &q, NULL, &a, &m, &n, &e), 0);
	assert_int_equal(n, 0);
	arena_release(&a);
}

/* Calls in a queue of data/queues.tsv are counted in its department and default topic. */
static void test_refresh_calls(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	static const char LOG[] = "1767400000|c1|pensions|NONE|ENTERQUEUE||09120000001|1\n"
				  "1767400100|c1|pensions|NONE|ABANDON|1|1|100\n"
				  "1767400200|c2|general|NONE|ENTERQUEUE||09120000002|1\n";
	struct calls_import im;
	calls_import_init(&im, f->db);
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(calls_import_text(&im, LOG, sizeof LOG - 1, &e), 0);
	assert_int_equal(calls_import_finish(&im, &e), 0);
	assert_int_equal(db_commit(f->db), 0);
	calls_import_release(&im);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(db_begin(f->db), 0);
		assert_int_equal(pulse_refresh(f->db, T0, T0 + DAY, data_dir(), &e), 0);
		assert_int_equal(db_commit(f->db), 0);
		assert_int_equal(count_rows(f->db, "SELECT n FROM pulse_counts WHERE source = "
						   "'call' AND dim = 'all' AND span = 86400"),
				 2);
		assert_int_equal(count_rows(f->db, "SELECT n FROM pulse_counts WHERE source = "
						   "'call' AND dim = 'department' AND key = "
						   "'pensions' AND span = 86400"),
				 1);
		assert_int_equal(count_rows(f->db, "SELECT n FROM pulse_counts WHERE source = "
						   "'call' AND dim = 'topic' AND key = "
						   "'general_info' AND span = 86400"),
				 1);
		assert_int_equal(count_rows(f->db,
					    "SELECT n FROM pulse_counts WHERE source = "
					    "'call' AND dim = 'channel' AND key = 'phone' AND "
					    "span = 86400"),
				 2);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bucket),
	    cmocka_unit_test_setup_teardown(test_write_idempotent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_series_baseline, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_movers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refresh_calls, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
