/* The web app's paths (web/web.h): a request's path as the key of its file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "web/web.h"

/* out, filled with 'x' first so that a key left unterminated is seen */
static int key_of(const char *raw, char out[WEB_PATH_MAX + 1])
{
	memset(out, 'x', WEB_PATH_MAX + 1);
	return web_clean_path(raw, out, WEB_PATH_MAX + 1);
}

static void test_keys(void **state)
{
	(void)state;
	char k[WEB_PATH_MAX + 1];
	assert_int_equal(key_of("/", k), 0);
	assert_string_equal(k, "");
	assert_int_equal(key_of("/assets/app-1a2b.js", k), 0);
	assert_string_equal(k, "assets/app-1a2b.js");
	assert_int_equal(key_of("/notes%20v1.txt", k), 0);
	assert_string_equal(k, "notes v1.txt");
	assert_int_equal(key_of("/cases/12/", k), 0); /* a route of the app's own */
	assert_string_equal(k, "cases/12/");
	static const char *const refused[] = {"assets", "/../x",  "/a/./b", "/a//b", "/%2fetc",
					      "/a\\b",	"/ab%zz", "/%1b",   "/%00"};
	for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
		assert_int_equal(key_of(refused[i], k), -1);
		assert_non_null(memchr(k, 0, sizeof k));
	}
}

/* The longest key is WEB_PATH_MAX bytes; a longer path is -2 with the key still a string
 * (it was once left unterminated, and web_h_serve read past it). */
static void test_too_long(void **state)
{
	(void)state;
	char raw[3 * WEB_PATH_MAX + 8], k[WEB_PATH_MAX + 1];
	raw[0] = '/';
	memset(raw + 1, 'a', WEB_PATH_MAX);
	raw[WEB_PATH_MAX + 1] = 0;
	assert_int_equal(key_of(raw, k), 0);
	assert_int_equal(strlen(k), WEB_PATH_MAX);
	strcat(raw, "b");
	assert_int_equal(key_of(raw, k), -2);
	assert_non_null(memchr(k, 0, sizeof k));
	/* the length is the decoded one: %61 is one byte of the key */
	raw[0] = '/';
	for (int i = 0; i < WEB_PATH_MAX + 1; i++)
		memcpy(raw + 1 + 3 * i, "%61", 4);
	assert_int_equal(key_of(raw, k), -2);
	assert_non_null(memchr(k, 0, sizeof k));
	raw[1 + 3 * WEB_PATH_MAX] = 0;
	assert_int_equal(key_of(raw, k), 0);
	assert_int_equal(strlen(k), WEB_PATH_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keys),
	    cmocka_unit_test(test_too_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
