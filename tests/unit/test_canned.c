#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "canned/canned.h"

/* The four placeholders pass wherever they stand, as often as they stand there. */
static void test_known_placeholders(void **state)
{
	(void)state;
	struct err e = {0};
	assert_int_equal(canned_check_body("", &e), 0);
	assert_int_equal(canned_check_body("سلام {name}، پرونده {number}", &e), 0);
	assert_int_equal(canned_check_body("{today}{due}{name}{name}", &e), 0);
	assert_int_equal(canned_check_body("تا {due}.", &e), 0);
}

/* A brace that frames no run of 1-32 characters without space or brace is text. */
static void test_braces_of_the_text(void **state)
{
	(void)state;
	struct err e = {0};
	assert_int_equal(canned_check_body("{ } {} { name} {name } {", &e), 0);
	assert_int_equal(canned_check_body("}{ {{name}} {\n}", &e), 0);
	/* 33 characters: too long to be a placeholder */
	assert_int_equal(canned_check_body("{abcdefghijklmnopqrstuvwxyz0123456}", &e), 0);
}

static void refused(const char *body, const char *named)
{
	struct err e = {0};
	assert_int_equal(canned_check_body(body, &e), -1);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.code, "unknown_placeholder");
	assert_string_equal(e.field, "body");
	assert_non_null(strstr(e.message, named));
}

/* Any other placeholder is refused, named in the message: a typo, another case, Persian. */
static void test_unknown_placeholders(void **state)
{
	(void)state;
	refused("سلام {nam}", "{nam}");
	refused("{Name}", "{Name}");
	refused("ok {name} then {case_no}", "{case_no}");
	refused("سلام {نام}", "{نام}");
	refused("{abcdefghijklmnopqrstuvwxyz012345}", "{abcdefghijklmnopqrstuvwxyz012345}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_known_placeholders),
	    cmocka_unit_test(test_braces_of_the_text),
	    cmocka_unit_test(test_unknown_placeholders),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
