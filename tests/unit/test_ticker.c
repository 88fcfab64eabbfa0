/* base/ticker.h: the work called at once, again at once while it says so, then at its
 * period; a stop wakes the wait at once, waits for the work under way, and the work is
 * never called after it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "base/ticker.h"

struct work {
	atomic_int calls;
	atomic_int busy;
	int again; /* calls that ask for the next at once */
	int sleep_ms;
};

static int64_t tick(void *arg)
{
	struct work *w = arg;
	atomic_store(&w->busy, 1);
	if (w->sleep_ms)
		usleep((useconds_t)w->sleep_ms * 1000);
	int n = atomic_fetch_add(&w->calls, 1) + 1;
	atomic_store(&w->busy, 0);
	return n <= w->again ? 0 : -1;
}

static int64_t ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)(t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void test_at_once_then_again_while_asked(void **state)
{
	(void)state;
	struct work w = {.again = 4};
	struct err e = {0};
	/* a period far longer than the test: only the calls asked "at once" can happen */
	struct ticker *t = ticker_start(tick, &w, 3600 * 1000, "a test", &e);
	assert_non_null(t);
	for (int i = 0; i < 2000 && atomic_load(&w.calls) < 5; i++)
		usleep(1000);
	usleep(50 * 1000);
	assert_int_equal(atomic_load(&w.calls), 5); /* the first, four asked again, then waits */
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ticker_stop(t);
	/* the stop wakes the wait: it does not wait out the hour (a behaviour, not a speed: the
	 * bound is a minute) */
	assert_true(ms_since(&t0) < 60000);
	assert_int_equal(atomic_load(&w.calls), 5);
}

static void test_stop_waits_for_the_work_under_way(void **state)
{
	(void)state;
	struct work w = {.sleep_ms = 200};
	struct err e = {0};
	struct ticker *t = ticker_start(tick, &w, 3600 * 1000, "a test", &e);
	assert_non_null(t);
	while (!atomic_load(&w.busy) && !atomic_load(&w.calls))
		usleep(1000);
	ticker_stop(t);
	assert_int_equal(atomic_load(&w.busy), 0);
	int n = atomic_load(&w.calls);
	assert_int_equal(n, 1);
	usleep(50 * 1000);
	assert_int_equal(atomic_load(&w.calls), n); /* never called after the stop */
	ticker_stop(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_at_once_then_again_while_asked),
	    cmocka_unit_test(test_stop_waits_for_the_work_under_way),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
