/* The public figures' small-group suppression (public/suppress.c) and the months of the
 * department accountability (cases_acc_months). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cases/cases.h"
#include "public/public.h"

static void test_primary(void **state)
{
	(void)state;
	struct public_cell c[] = {{0, 0}, {1, 0}, {9, 0}, {10, 0}, {250, 0}};
	public_suppress_line(c, 5, NULL);
	assert_int_equal(c[0].withheld, 0); /* 0 singles no one out */
	assert_int_equal(c[1].withheld, 1);
	assert_int_equal(c[2].withheld, 1);
	assert_int_equal(c[3].withheld, 0);
	assert_int_equal(c[4].withheld, 0);
}

static void test_one_withheld_takes_another(void **state)
{
	(void)state;
	/* 4 alone withheld under a total of 4 + 13 + 40 would be 57 - 53: the smallest other
	 * one (13) goes too */
	struct public_cell c[] = {{4, 0}, {13, 0}, {40, 0}, {0, 0}}, t = {57, 0};
	public_suppress_line(c, 4, &t);
	assert_int_equal(c[0].withheld, 1);
	assert_int_equal(c[1].withheld, 1);
	assert_int_equal(c[2].withheld, 0);
	assert_int_equal(c[3].withheld, 0);
	assert_int_equal(t.withheld, 0);
}

static void test_two_small_make_too_little(void **state)
{
	(void)state;
	/* 3 and 4 withheld add up to 7, a small group: a third cell goes */
	struct public_cell c[] = {{3, 0}, {4, 0}, {20, 0}, {30, 0}}, t = {57, 0};
	public_suppress_line(c, 4, &t);
	assert_int_equal(c[2].withheld, 1);
	assert_int_equal(c[3].withheld, 0);
	assert_int_equal(t.withheld, 0);
}

static void test_nothing_left_withholds_the_total(void **state)
{
	(void)state;
	struct public_cell c[] = {{5, 0}, {0, 0}}, t = {5, 0};
	public_suppress_line(c, 2, &t);
	assert_int_equal(c[0].withheld, 1);
	assert_int_equal(t.withheld, 1);
}

static void test_complement(void **state)
{
	(void)state;
	struct public_cell r = {40, 0}, p = {35, 0}; /* 5 not in time */
	public_suppress_pair(&r, &p);
	assert_int_equal(r.withheld, 0);
	assert_int_equal(p.withheld, 1);
	r = (struct public_cell){40, 0}, p = (struct public_cell){30, 0};
	public_suppress_pair(&r, &p);
	assert_int_equal(p.withheld, 0);
	r = (struct public_cell){40, 0}, p = (struct public_cell){40, 0}; /* all in time */
	public_suppress_pair(&r, &p);
	assert_int_equal(p.withheld, 0);
	r = (struct public_cell){6, 0}, p = (struct public_cell){0, 0}; /* a small group's 0 */
	public_suppress_pair(&r, &p);
	assert_int_equal(r.withheld, 1);
	assert_int_equal(p.withheld, 1);
}

static int small(int64_t v)
{
	return v > 0 && v < PUBLIC_MIN_COUNT;
}

/* What a reader can do with one published month: nothing gives a small count back. */
static void check_month(const struct public_cell *r, const struct public_cell *p, int n,
			const struct public_cell *tr, const struct public_cell *tp)
{
	const struct public_cell *lines[2] = {r, p}, *totals[2] = {tr, tp};
	for (int l = 0; l < 2; l++) {
		int hidden = 0;
		int64_t sum = 0;
		for (int i = 0; i < n; i++) {
			if (!lines[l][i].withheld && small(lines[l][i].v))
				fail_msg("a published count of %lld", (long long)lines[l][i].v);
			if (lines[l][i].withheld) {
				hidden++;
				sum += lines[l][i].v;
			}
		}
		if (!totals[l]->withheld && small(totals[l]->v))
			fail_msg("a published total of %lld", (long long)totals[l]->v);
		if (!totals[l]->withheld && hidden && (hidden < 2 || sum < PUBLIC_MIN_COUNT))
			fail_msg("line %d: %d withheld worth %lld in all", l, hidden,
				 (long long)sum);
	}
	int64_t rest = tr->v - tp->v;
	for (int i = 0; i < n; i++) {
		if (!r[i].withheld && !p[i].withheld) {
			if (small(r[i].v - p[i].v))
				fail_msg("a published complement of %lld",
					 (long long)(r[i].v - p[i].v));
			rest -= r[i].v - p[i].v;
		}
		if (r[i].withheld && !p[i].withheld && p[i].v > 0 && p[i].v < PUBLIC_MIN_COUNT)
			fail_msg("a small part of a withheld whole");
	}
	if (!tr->withheld && !tp->withheld && small(rest))
		fail_msg("the totals give %lld not in time among the withheld", (long long)rest);
}

static void test_random_months(void **state)
{
	(void)state;
	srand(1405);
	for (int round = 0; round < 20000; round++) {
		int n = 1 + rand() % 8;
		struct public_cell r[8], p[8], tr = {0, 0}, tp = {0, 0};
		for (int i = 0; i < n; i++) {
			int64_t v = rand() % 4 == 0   ? 0
				    : rand() % 3 == 0 ? rand() % 12
						      : rand() % 60;
			r[i] = (struct public_cell){v, 0};
			p[i] = (struct public_cell){v ? rand() % (v + 1) : 0, 0};
			tr.v += r[i].v;
			tp.v += p[i].v;
		}
		public_suppress_month(r, p, n, &tr, &tp);
		check_month(r, p, n, &tr, &tp);
	}
}

static void test_months(void **state)
{
	(void)state;
	struct err e;
	struct cases_acc_query q;
	int64_t now = 1796000000; /* 1405/09 in Tehran */
	assert_int_equal(cases_acc_months(NULL, NULL, now, &q, &e), 0);
	assert_int_equal(q.to.y * 12 + q.to.m - (q.from.y * 12 + q.from.m), 11);
	assert_int_equal(cases_acc_months("1404/1", "1404-12", now, &q, &e), 0);
	assert_int_equal(q.from.y, 1404);
	assert_int_equal(q.from.m, 1);
	assert_int_equal(q.to.m, 12);
	assert_int_equal(cases_acc_months("1404-01-20", "2025-06-01", now, &q, &e), 0);
	assert_int_equal(q.to.m, 3); /* 1 June 2025 is 11 Khordad 1404 */
	const char *bad[][2] = {
	    {"1404-13", NULL}, {"1404-0", NULL},   {"14-01", NULL},	   {"1404-01x", NULL},
	    {"", NULL},	       {NULL, "tomorrow"}, {"1405-06", "1405-01"}, {"1400-01", "1405-01"}};
	assert_int_equal(cases_acc_months("1406-01", NULL, now, &q, &e), -1);
	assert_string_equal(e.field, "from"); /* after this month, with no to */
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_int_equal(cases_acc_months(bad[i][0], bad[i][1], now, &q, &e), -1);
		assert_int_equal(e.status, 400);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_primary),
	    cmocka_unit_test(test_one_withheld_takes_another),
	    cmocka_unit_test(test_two_small_make_too_little),
	    cmocka_unit_test(test_nothing_left_withholds_the_total),
	    cmocka_unit_test(test_complement),
	    cmocka_unit_test(test_random_months),
	    cmocka_unit_test(test_months),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
