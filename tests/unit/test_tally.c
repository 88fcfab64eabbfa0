/* tally: counts per key over a window, in a bounded map that never forgets a live count
 * to make room (the failed-login limits rest on it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/tally.h"

#define WINDOW 900

static void test_counts_add_up_per_key(void **state)
{
	(void)state;
	struct tally *t = tally_new(16, WINDOW);
	assert_non_null(t);
	assert_int_equal(tally_add(t, "l:agent1", 1, 1000), 1);
	assert_int_equal(tally_add(t, "l:agent1", 1, 1001), 2);
	assert_int_equal(tally_add(t, "l:agent2", 1, 1001), 1);
	assert_int_equal(tally_add(t, "i:127.0.0.1", 3, 1002), 3);
	assert_int_equal(tally_add(t, "l:agent1", 0, 1003), 2);
	assert_int_equal(tally_size(t, 1003), 3);
	/* a count taken back to 0 (or below: it stays 0) frees its entry */
	assert_int_equal(tally_add(t, "i:127.0.0.1", -5, 1004), 0);
	assert_int_equal(tally_size(t, 1004), 2);
	/* a key not counted is not made by a take-back */
	assert_int_equal(tally_add(t, "l:nobody", -1, 1004), 0);
	assert_int_equal(tally_size(t, 1004), 2);
	tally_clear(t, "l:agent1");
	tally_clear(t, "l:never-counted");
	assert_int_equal(tally_add(t, "l:agent1", 1, 1005), 1);
	assert_int_equal(tally_add(t, "l:agent2", 1, 1005), 2);
	tally_free(t);
}

static void test_a_window_ends_its_count(void **state)
{
	(void)state;
	struct tally *t = tally_new(16, WINDOW);
	assert_int_equal(tally_add(t, "l:a", 4, 1000), 4);
	assert_int_equal(tally_add(t, "l:b", 1, 1500), 1);
	/* the window is counted from the first count, whole seconds, its last one in */
	assert_int_equal(tally_add(t, "l:a", 1, 1000 + WINDOW), 5);
	assert_int_equal(tally_size(t, 1000 + WINDOW + 1), 1);
	assert_int_equal(tally_add(t, "l:a", 1, 1000 + WINDOW + 1), 1);
	assert_int_equal(tally_add(t, "l:b", 1, 1500 + WINDOW), 2);
	tally_free(t);
}

/* The attack on the old limiter: keys sent to take the victim's entry. Whatever keys
 * come, and however many, the victim's count stays until its window ends. */
static void test_a_flood_of_keys_never_evicts_a_live_count(void **state)
{
	(void)state;
	struct tally *t = tally_new(64, WINDOW);
	assert_int_equal(tally_add(t, "l:sp_pensions", 9, 1000), 9);
	int refused = 0;
	char key[32];
	for (int i = 0; i < 100000; i++) {
		snprintf(key, sizeof key, "l:zz%d", i);
		refused += tally_add(t, key, 1, 1000 + i % WINDOW) == TALLY_FULL;
	}
	assert_int_equal(refused, 100000 - 63);
	assert_int_equal(tally_size(t, 1000 + WINDOW), 64);
	assert_int_equal(tally_add(t, "l:sp_pensions", 1, 1000 + WINDOW), 10);
	/* the keys counted already go on counting while the map is full */
	assert_int_equal(tally_add(t, "l:zz0", 1, 1000 + WINDOW), 2);
	assert_int_equal(tally_add(t, "l:brand-new", 1, 1000 + WINDOW), TALLY_FULL);
	tally_free(t);
}

/* Full, the map makes room only from the counts whose window is over, oldest first. */
static void test_a_full_map_takes_new_keys_as_windows_end(void **state)
{
	(void)state;
	struct tally *t = tally_new(3, WINDOW);
	assert_int_equal(tally_add(t, "k1", 1, 1000), 1);
	assert_int_equal(tally_add(t, "k2", 1, 1100), 1);
	assert_int_equal(tally_add(t, "k3", 1, 1200), 1);
	assert_int_equal(tally_add(t, "k4", 1, 1900), TALLY_FULL);
	assert_int_equal(tally_add(t, "k4", 1, 1000 + WINDOW + 1), 1); /* k1's window is over */
	assert_int_equal(tally_add(t, "k5", 1, 1000 + WINDOW + 1), TALLY_FULL);
	assert_int_equal(tally_add(t, "k2", 1, 1000 + WINDOW + 1), 2); /* k2 and k3 kept */
	assert_int_equal(tally_add(t, "k3", 1, 1000 + WINDOW + 1), 2);
	/* a count back at 0 makes room at once */
	assert_int_equal(tally_add(t, "k2", -2, 1000 + WINDOW + 2), 0);
	assert_int_equal(tally_add(t, "k5", 1, 1000 + WINDOW + 2), 1);
	assert_int_equal(tally_add(t, "k1", 1, 1000 + WINDOW + 2), TALLY_FULL);
	tally_free(t);
}

/* Many keys sharing buckets: each keeps its own count through adds and removals in the
 * middle of their chains. */
static void test_many_keys_keep_their_own_counts(void **state)
{
	(void)state;
	enum { N = 5000 };
	struct tally *t = tally_new(N, WINDOW);
	char key[32];
	for (int round = 1; round <= 3; round++)
		for (int i = 0; i < N; i++) {
			snprintf(key, sizeof key, "i:10.0.%d.%d", i / 256, i % 256);
			assert_int_equal(tally_add(t, key, i % 7 + 1, 1000), round * (i % 7 + 1));
		}
	for (int i = 0; i < N; i += 2) {
		snprintf(key, sizeof key, "i:10.0.%d.%d", i / 256, i % 256);
		tally_clear(t, key);
	}
	assert_int_equal(tally_size(t, 1000), N / 2);
	for (int i = 0; i < N; i++) {
		snprintf(key, sizeof key, "i:10.0.%d.%d", i / 256, i % 256);
		assert_int_equal(tally_add(t, key, 1, 1001), i % 2 ? 3 * (i % 7 + 1) + 1 : 1);
	}
	assert_int_equal(tally_size(t, 1001), N);
	tally_free(t);
}

static void test_long_keys_are_cut_and_share_a_count(void **state)
{
	(void)state;
	struct tally *t = tally_new(4, WINDOW);
	char a[200], b[200];
	memset(a, 'x', sizeof a - 1);
	a[sizeof a - 1] = 0;
	memcpy(b, a, sizeof b);
	b[150] = 'y';
	assert_int_equal(tally_add(t, a, 1, 1000), 1);
	assert_int_equal(tally_add(t, b, 1, 1000), 2);
	b[TALLY_KEY_MAX - 2] = 'y';
	assert_int_equal(tally_add(t, b, 1, 1000), 1);
	tally_free(t);
}

static void test_bad_capacities_are_refused(void **state)
{
	(void)state;
	assert_null(tally_new(0, WINDOW));
	assert_null(tally_new(((size_t)1 << 30) + 1, WINDOW));
	struct tally *t = tally_new(1, WINDOW);
	assert_int_equal(tally_add(t, "only", 1, 1000), 1);
	assert_int_equal(tally_add(t, "other", 1, 1000), TALLY_FULL);
	tally_free(t);
	tally_free(NULL);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_counts_add_up_per_key),
	    cmocka_unit_test(test_a_window_ends_its_count),
	    cmocka_unit_test(test_a_flood_of_keys_never_evicts_a_live_count),
	    cmocka_unit_test(test_a_full_map_takes_new_keys_as_windows_end),
	    cmocka_unit_test(test_many_keys_keep_their_own_counts),
	    cmocka_unit_test(test_long_keys_are_cut_and_share_a_count),
	    cmocka_unit_test(test_bad_capacities_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
