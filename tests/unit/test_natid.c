#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/natid.h"

/* Check digits worked by hand from the rule in natid.h:
 * 0499370899: 0*10+4*9+9*8+9*7+3*6+7*5+0*4+8*3+9*2 = 266, 266 mod 11 = 2, 11-2 = 9
 * 0010350829: 1*8+3*6+5*5+8*3+2*2 = 79, mod 11 = 2, check 9
 * 0000000061: 6*2 = 12, mod 11 = 1 (< 2), check 1
 * 0000010030: 1*5+3*2 = 11, mod 11 = 0, check 0
 * 1000000001: 1*10 = 10, mod 11 = 10, check 1 */
static void test_valid_ids(void **state)
{
	(void)state;
	assert_true(natid_valid("0499370899"));
	assert_true(natid_valid("0010350829"));
	assert_true(natid_valid("0000000061"));
	assert_true(natid_valid("0000010030"));
	assert_true(natid_valid("1000000001"));
}

static void test_wrong_check_digit(void **state)
{
	(void)state;
	assert_false(natid_valid("0499370898"));
	assert_false(natid_valid("0499370890"));
	assert_false(natid_valid("0010350828"));
	assert_false(natid_valid("0000000060"));
	/* A swapped pair changes the weighted sum. */
	assert_false(natid_valid("4099370899"));
	/* Every other last digit of a valid id is wrong. */
	char id[] = "0499370899";
	for (char c = '0'; c <= '9'; c++) {
		id[9] = c;
		assert_int_equal(natid_valid(id), c == '9');
	}
}

static void test_bad_shape(void **state)
{
	(void)state;
	assert_false(natid_valid(NULL));
	assert_false(natid_valid(""));
	assert_false(natid_valid("049937089"));	  /* nine digits */
	assert_false(natid_valid("04993708990")); /* eleven */
	assert_false(natid_valid("499370899"));	  /* leading zero dropped */
	assert_false(natid_valid("04993708a9"));
	assert_false(natid_valid(" 499370899"));
	assert_false(natid_valid("0499370899 "));
	assert_false(natid_valid("049-937089-9"));
	/* Persian digits must be normalised first (text_digits). */
	assert_false(natid_valid("\u06F0\u06F4\u06F9\u06F9\u06F3\u06F7\u06F0\u06F8\u06F9\u06F9"));
}

/* A character that is no digit, in any of the nine places, even where the weighted sum
 * it makes (its code minus '0') happens to give the check digit that follows. */
static void test_non_digit_that_sums_right(void **state)
{
	(void)state;
	static const char odd[] = {'a', 'O', ':', '/', ' ', '.', '+', '~'};
	for (int at = 0; at < 9; at++)
		for (size_t k = 0; k < sizeof odd; k++) {
			char id[11] = "049937089";
			id[at] = odd[k];
			int sum = 0;
			for (int i = 0; i < 9; i++)
				sum += (id[i] - '0') * (10 - i);
			int r = ((sum % 11) + 11) % 11;
			id[9] = (char)('0' + (r < 2 ? r : 11 - r));
			id[10] = 0;
			assert_false(natid_valid(id));
		}
}

static void test_all_same(void **state)
{
	(void)state;
	/* ddddddddd always checks to d, so these pass the sum yet are invalid. */
	char id[11];
	for (char c = '0'; c <= '9'; c++) {
		memset(id, c, 10);
		id[10] = 0;
		assert_false(natid_valid(id));
	}
	assert_false(natid_valid("1111111111"));
}

static void test_make_known(void **state)
{
	(void)state;
	char out[11];
	natid_make(49937089, out);
	assert_string_equal(out, "0499370899");
	natid_make(1035082, out);
	assert_string_equal(out, "0010350829");
	natid_make(6, out);
	assert_string_equal(out, "0000000061");
	natid_make(1003, out);
	assert_string_equal(out, "0000010030");
	/* All-same prefixes move on to the next one. */
	natid_make(111111111, out);
	assert_string_equal(out, "1111111121");
	natid_make(0, out);
	assert_string_equal(out, "0000000019");
	/* 999999999 wraps to 000000000, itself all-same, so 000000001. */
	natid_make(999999999, out);
	assert_string_equal(out, "0000000019");
	/* Prefixes above nine digits are taken modulo 10^9. */
	natid_make(1049937089u, out);
	assert_string_equal(out, "0499370899");
}

static int all_same9(const char *s)
{
	for (int i = 1; i < 9; i++)
		if (s[i] != s[0])
			return 0;
	return 1;
}

static void test_make_many(void **state)
{
	(void)state;
	char out[11], want[10];
	/* 100000 prefixes: a dense run and a spread over the whole range. */
	for (uint32_t i = 0; i < 100000; i++) {
		uint32_t prefix = i < 50000 ? i : (uint32_t)(((uint64_t)i * 19997u) % 1000000000u);
		natid_make(prefix, out);
		if (!natid_valid(out))
			fail_msg("natid_make(%u) = %s is not valid", (unsigned)prefix, out);
		snprintf(want, sizeof want, "%09u", (unsigned)prefix);
		if (!all_same9(want))
			assert_memory_equal(out, want, 9);
	}
	for (char c = '0'; c <= '9'; c++) {
		char p[10];
		memset(p, c, 9);
		p[9] = 0;
		uint32_t prefix = (uint32_t)strtoul(p, NULL, 10);
		natid_make(prefix, out);
		assert_true(natid_valid(out));
		snprintf(want, sizeof want, "%09u", (unsigned)((prefix + 1) % 1000000000u));
		if (c != '9')
			assert_memory_equal(out, want, 9);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_ids),
	    cmocka_unit_test(test_wrong_check_digit),
	    cmocka_unit_test(test_bad_shape),
	    cmocka_unit_test(test_all_same),
	    cmocka_unit_test(test_non_digit_that_sums_right),
	    cmocka_unit_test(test_make_known),
	    cmocka_unit_test(test_make_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
