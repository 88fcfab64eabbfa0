/* The request's arena: memory freed at once, and what it owns (arena_defer) released
 * with it, newest first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <string.h>

#include "base/arena.h"

static char order[8];
static int norder;

static void mark(void *arg) { order[norder++] = *(const char *)arg; }

static void test_defer_runs_newest_first_once(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	norder = 0;
	static const char x = 'x', y = 'y';
	arena_defer(&a, mark, (void *)&x);
	arena_alloc(&a, 1 << 16); /* a second block: the cleanups live in the first */
	arena_defer(&a, mark, (void *)&y);
	assert_int_equal(norder, 0);
	arena_release(&a);
	assert_int_equal(norder, 2);
	assert_memory_equal(order, "yx", 2);
	arena_release(&a); /* released twice (a reused arena): nothing runs again */
	assert_int_equal(norder, 2);
}

static void json_free(void *j) { json_decref(j); }

/* A parsed body handed to the arena is freed with it (valgrind and ASan see a leak
 * otherwise). */
static void test_defer_frees_a_json_body(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	json_t *j = json_loads("{\"topic\":\"pension_not_paid\",\"rows\":[1,2,3]}", 0, NULL);
	assert_non_null(j);
	arena_defer(&a, json_free, j);
	assert_string_equal(json_string_value(json_object_get(j, "topic")), "pension_not_paid");
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defer_runs_newest_first_once),
		cmocka_unit_test(test_defer_frees_a_json_body),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
