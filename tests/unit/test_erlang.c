/* staffing/erlang.h: Erlang C against published worked examples, an independent
 * evaluation of the textbook formula, and the properties a planner relies on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>

#include "staffing/erlang.h"

#define near(x, want, tol) assert_true(fabs((x) - (want)) <= (tol))

/* Call Centre Helper, "Erlang C Formula – Example"
 * (https://www.callcentrehelper.com/erlang-c-formula-example-121281.htm), whose figures
 * pyworkforce's README reproduces (github.com/rodrigo-arenas/pyworkforce, ErlangC with
 * transactions=100, aht=3 min, interval=30 min, asa=20/60 min, service_level=0.8):
 * 100 calls in 30 minutes, AHT 180 s, 80% answered in 20 s -> 10 Erlangs, 14 agents,
 * waiting probability 0.1741, service level 0.8884, occupancy 0.7143. */
static void test_call_centre_helper(void **state)
{
	(void)state;
	struct erlang_in in = {100, 1800, 180, 0.8, 20};
	struct erlang_out o;
	assert_int_equal(erlang_agents(&in, &o), 0);
	assert_int_equal(o.agents, 14);
	near(o.traffic, 10, 1e-12);
	near(o.wait_prob, 0.1741, 1e-4);
	near(o.service_level, 0.8884, 1e-4);
	near(o.occupancy, 0.7143, 1e-4);
	assert_true(o.stable);
	/* one fewer misses the target: 13 agents answer 79.6% in 20 s */
	erlang_at(&in, 13, &o);
	assert_true(o.service_level < 0.8);
	near(o.service_level, 0.7956, 1e-4);
}

/* The step-by-step example of Mitan's "The Erlang-C Formula" (PhoneCalc's authors):
 * 360 calls per half hour, 4-minute calls, 55 agents, 15-second target -> A = 48
 * Erlangs, occupancy 48/55. The figures asserted are the formula's, checked here
 * against the direct evaluation below: P(W>0) 0.2387, ASA 8.18 s, 84.6% within 15 s.
 * 55 is the fewest agents for 80% in 15 s (54 give 79.3%); for 80% in 20 s, 54 do
 * (81.7%). */
static void test_mitan_360_calls(void **state)
{
	(void)state;
	struct erlang_in in = {360, 1800, 240, 0.8, 15};
	struct erlang_out o;
	erlang_at(&in, 55, &o);
	near(o.traffic, 48, 1e-12);
	near(o.occupancy, 48.0 / 55, 1e-12);
	near(o.wait_prob, 0.2387, 1e-4);
	near(o.asa_s, 8.184, 1e-3);
	near(o.service_level, 0.8459, 1e-4);
	assert_int_equal(erlang_agents(&in, &o), 0);
	assert_int_equal(o.agents, 55);
	in.target_s = 20;
	assert_int_equal(erlang_agents(&in, &o), 0);
	assert_int_equal(o.agents, 54);
	near(o.service_level, 0.8172, 1e-4);
}

/* The textbook formula, A^n/n! n/(n-A) / (sum_{k<n} A^k/k! + A^n/n! n/(n-A)), in logs
 * (lgamma) so that it does not overflow either: an evaluation independent of the
 * recursion. */
static double direct_c(double a, int n)
{
	double top = n * log(a) - lgamma(n + 1.0) + log(n / (n - a));
	double max = top;
	for (int k = 0; k < n; k++) {
		double t = k * log(a) - lgamma(k + 1.0);
		if (t > max)
			max = t;
	}
	double sum = exp(top - max);
	for (int k = 0; k < n; k++)
		sum += exp(k * log(a) - lgamma(k + 1.0) - max);
	return exp(top - max) / sum;
}

static void test_matches_direct_formula(void **state)
{
	(void)state;
	const double loads[] = {0.5, 2, 10, 48, 200, 1000, 5000};
	for (size_t i = 0; i < sizeof loads / sizeof *loads; i++) {
		double a = loads[i];
		for (int n = (int)floor(a) + 1; n <= (int)(a * 1.2) + 5; n += 1 + (int)(a / 50)) {
			double want = direct_c(a, n);
			assert_true(fabs(erlang_c(a, n) - want) <= 1e-9 * (1 + want));
		}
	}
	/* thousands of Erlangs: 5000 need 5016 agents for 80/20 at AHT 240 s */
	struct erlang_in in = {37500, 1800, 240, 0.8, 20};
	struct erlang_out o;
	assert_int_equal(erlang_agents(&in, &o), 0);
	near(o.traffic, 5000, 1e-9);
	assert_int_equal(o.agents, 5016);
	near(o.wait_prob, 0.7455, 1e-4);
}

/* More agents: the service level rises, the wait and its probability fall. */
static void test_more_agents_serve_better(void **state)
{
	(void)state;
	const double calls[] = {1, 37, 360, 5000};
	for (size_t i = 0; i < sizeof calls / sizeof *calls; i++) {
		struct erlang_in in = {calls[i], 900, 300, 0.8, 20};
		struct erlang_out prev, o;
		double a = erlang_traffic(in.calls, in.interval_s, in.aht_s);
		erlang_at(&in, (int)floor(a) + 1, &prev);
		for (int n = (int)floor(a) + 2; n < (int)floor(a) + 60; n++) {
			erlang_at(&in, n, &o);
			assert_true(o.service_level >= prev.service_level);
			assert_true(o.asa_s <= prev.asa_s);
			assert_true(o.wait_prob <= prev.wait_prob);
			assert_true(o.occupancy < prev.occupancy);
			assert_true(o.service_level >= 0 && o.service_level <= 1);
			prev = o;
		}
	}
}

/* The answer is the fewest: it meets the target and one fewer does not. */
static void test_fewest_agents(void **state)
{
	(void)state;
	for (double calls = 1; calls < 3000; calls *= 1.7) {
		for (double sl = 0.5; sl < 0.99; sl += 0.15) {
			struct erlang_in in = {calls, 1800, 200, sl, 30};
			struct erlang_out o, less;
			assert_int_equal(erlang_agents(&in, &o), 0);
			assert_true(o.stable);
			assert_true(o.service_level >= sl);
			erlang_at(&in, o.agents - 1, &less);
			assert_true(less.service_level < sl);
		}
	}
}

static void test_edges(void **state)
{
	(void)state;
	struct erlang_out o;
	/* no call: no agent needed; any agent answers every call at once */
	struct erlang_in none = {0, 1800, 180, 0.8, 20};
	assert_int_equal(erlang_agents(&none, &o), 0);
	assert_int_equal(o.agents, 0);
	assert_true(o.stable);
	near(o.service_level, 1, 0);
	erlang_at(&none, 3, &o);
	near(o.wait_prob, 0, 0);
	near(o.asa_s, 0, 0);
	near(o.occupancy, 0, 0);
	/* as many agents as Erlangs, or fewer: the queue grows without end */
	struct erlang_in in = {100, 1800, 180, 0.8, 20}; /* 10 Erlangs */
	for (int n = 0; n <= 10; n++) {
		erlang_at(&in, n, &o);
		assert_false(o.stable);
		near(o.service_level, 0, 0);
		near(o.wait_prob, 1, 0);
		near(o.occupancy, 1, 0);
		assert_true(isinf(o.asa_s));
	}
	erlang_at(&in, 11, &o);
	assert_true(o.stable);
	near(erlang_c(10, 10), 1, 0);
	near(erlang_c(0, 1), 0, 0);
	/* more than ERLANG_MAX_AGENTS would be needed: refused, at once */
	struct erlang_in huge = {1e7, 60, 36000, 0.8, 20}; /* 6e9 Erlangs */
	assert_int_equal(erlang_agents(&huge, &o), -1);
	struct erlang_in edge = {ERLANG_MAX_AGENTS - 1, 3600, 3600, 0.99, 1};
	assert_int_equal(erlang_agents(&edge, &o), -1);
	erlang_at(&huge, ERLANG_MAX_AGENTS, &o);
	assert_false(o.stable);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_call_centre_helper),
	    cmocka_unit_test(test_mitan_360_calls),
	    cmocka_unit_test(test_matches_direct_formula),
	    cmocka_unit_test(test_more_agents_serve_better),
	    cmocka_unit_test(test_fewest_agents),
	    cmocka_unit_test(test_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
