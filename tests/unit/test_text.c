#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/text.h"

/* Persian words are written with \u escapes so the exact code points are visible. */
#define ALI_ARABIC "\u0639\u0644\u064A"	 /* علي with Arabic yeh */
#define ALI_PERSIAN "\u0639\u0644\u06CC" /* علی */
#define ZWNJ "\u200C"

static int setup(void **state)
{
	static struct arena a;
	arena_init(&a);
	*state = &a;
	return 0;
}

static int teardown(void **state)
{
	arena_release(*state);
	return 0;
}

static int valid(const char *s)
{
	return text_utf8_valid(s, strlen(s));
}

static void test_utf8_valid(void **state)
{
	(void)state;
	assert_true(valid(""));
	assert_true(valid("hello"));
	assert_true(valid(ALI_PERSIAN));
	assert_true(valid("\xF0\x9F\x98\x80"));	 /* U+1F600, four bytes */
	assert_true(valid("\xF4\x8F\xBF\xBF"));	 /* U+10FFFF, the last code point */
	assert_true(valid("\xED\x9F\xBF"));	 /* U+D7FF, just below the surrogates */
	assert_true(valid("\xEE\x80\x80"));	 /* U+E000, just above them */
	assert_true(text_utf8_valid("a\0b", 3)); /* NUL is a code point like any other */

	assert_false(valid("\xC0\xAF"));	 /* overlong '/' */
	assert_false(valid("\xC1\xBF"));	 /* overlong */
	assert_false(valid("\xE0\x80\xAF"));	 /* overlong, three bytes */
	assert_false(valid("\xF0\x80\x80\xAF")); /* overlong, four bytes */
	assert_false(valid("\x80"));		 /* lone continuation byte */
	assert_false(valid("a\xBF"
			   "b"));
	assert_false(valid("\xED\xA0\x80")); /* U+D800 encoded: a surrogate */
	assert_false(valid("\xED\xBF\xBF")); /* U+DFFF */
	assert_false(valid("\xE2\x82"));     /* truncated euro sign */
	assert_false(valid("\xF0\x9F\x98"));
	assert_false(valid("\xD9"));
	assert_false(valid("\xD9"
			   "a"));		 /* lead byte followed by ASCII */
	assert_false(valid("\xF4\x90\x80\x80")); /* U+110000 */
	assert_false(valid("\xF5\x80\x80\x80"));
	assert_false(valid("\xFF"));
	/* The length bounds the check: a sequence cut by len is truncated. */
	assert_false(text_utf8_valid("\xE2\x82\xAC", 2));
	assert_true(text_utf8_valid("\xE2\x82\xAC", 3));
}

/* An error that quotes a path's raw bytes, or a field name cut inside a letter, became an
 * empty reply: JSON takes UTF-8 only (found by fuzz_api and fuzz_server). */
static void test_utf8_scrub(void **state)
{
	(void)state;
	char path[] = "/api/v1/\xb4x";
	assert_string_equal(text_utf8_scrub(path), "/api/v1/?x");
	char cut[] = ALI_PERSIAN "\xd9"; /* the first byte of a two-byte letter */
	assert_string_equal(text_utf8_scrub(cut), ALI_PERSIAN "?");
	char mixed[] = "a\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80" ALI_ARABIC "\xf0\x9f\x98\x80";
	assert_string_equal(text_utf8_scrub(mixed), "a?????????" ALI_ARABIC "\xf0\x9f\x98\x80");
	char fine[] = ALI_PERSIAN ZWNJ "1";
	assert_string_equal(text_utf8_scrub(fine), ALI_PERSIAN ZWNJ "1");
	assert_true(valid(text_utf8_scrub(mixed)));
}

static void test_utf8_len(void **state)
{
	(void)state;
	assert_int_equal(text_utf8_len(""), 0);
	assert_int_equal(text_utf8_len("abc"), 3);
	assert_int_equal(text_utf8_len(ALI_PERSIAN), 3);
	assert_int_equal(text_utf8_len("a\xF0\x9F\x98\x80"
				       "b"),
			 3);
}

static void test_normalize_letters(void **state)
{
	struct arena *a = *state;
	assert_string_equal(text_normalize(a, ALI_ARABIC), ALI_PERSIAN);
	/* Alef maksura is another yeh look-alike. */
	assert_string_equal(text_normalize(a, "\u0639\u0644\u0649"), ALI_PERSIAN);
	/* كتاب (Arabic kaf) -> کتاب */
	assert_string_equal(text_normalize(a, "\u0643\u062A\u0627\u0628"),
			    "\u06A9\u062A\u0627\u0628");
	/* فاطمة -> فاطمه */
	assert_string_equal(text_normalize(a, "\u0641\u0627\u0637\u0645\u0629"),
			    "\u0641\u0627\u0637\u0645\u0647");
	/* أحمد, إيران, ٱ -> plain alef; آ (U+0622) is a Persian letter and stays */
	assert_string_equal(text_normalize(a, "\u0623\u062D\u0645\u062F"),
			    "\u0627\u062D\u0645\u062F");
	assert_string_equal(text_normalize(a, "\u0625\u064A\u0631\u0627\u0646"),
			    "\u0627\u06CC\u0631\u0627\u0646");
	assert_string_equal(text_normalize(a, "\u0671"), "\u0627");
	assert_string_equal(text_normalize(a, "\u0622\u0628"), "\u0622\u0628");
	/* مُحَمَّد with diacritics -> محمد; tatweel in کـــتاب is removed */
	assert_string_equal(text_normalize(a, "\u0645\u064F\u062D\u064E\u0645\u0651\u064E\u062F"),
			    "\u0645\u062D\u0645\u062F");
	assert_string_equal(text_normalize(a, "\u06A9\u0640\u0640\u0640\u062A\u0627\u0628"),
			    "\u06A9\u062A\u0627\u0628");
	assert_string_equal(text_normalize(a, "\u0627\u0670"), "\u0627");
	/* Latin text passes through untouched. */
	assert_string_equal(text_normalize(a, "Hello, World!"), "Hello, World!");
	assert_string_equal(text_normalize(a, ""), "");
}

static void test_normalize_digits(void **state)
{
	struct arena *a = *state;
	/* Persian ۰۹۱۲ then Arabic-Indic ٣٤٥ */
	assert_string_equal(text_normalize(a, "\u06F0\u06F9\u06F1\u06F2\u0663\u0664\u0665"),
			    "0912345");
	assert_string_equal(text_normalize(a, "\u06F0\u06F1\u06F2\u06F3\u06F4\u06F5\u06F6\u06F7"
					      "\u06F8\u06F9"),
			    "0123456789");
	assert_string_equal(text_normalize(a, "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667"
					      "\u0668\u0669"),
			    "0123456789");
	assert_string_equal(text_normalize(a, "\u067E\u0644\u0627\u06A9 \u06F1\u06F2"),
			    "\u067E\u0644\u0627\u06A9 12");
}

static void test_normalize_space(void **state)
{
	struct arena *a = *state;
	assert_string_equal(text_normalize(a, "  a  \t b\xC2\xA0\xC2\xA0"
					      "c \t "),
			    "a b c");
	assert_string_equal(text_normalize(a, "\t\xC2\xA0 "), "");
	assert_string_equal(text_normalize(a, "a\tb"), "a b");
	/* Controls other than \n and \t disappear, C1 controls too. */
	assert_string_equal(text_normalize(a, "a\x01"
					      "b\x7F"
					      "c\x1B"
					      "d"),
			    "abcd");
	assert_string_equal(text_normalize(a, "a\xC2\x85"
					      "b"),
			    "ab");
	assert_string_equal(text_normalize(a, "a\r\nb"), "a\nb");
	/* Line breaks are kept; white space around them and at the ends is trimmed. */
	assert_string_equal(text_normalize(a, "\n  line one  \n\n  line two \n"),
			    "line one\n\nline two");
	/* Bidi marks and BOM from copy-paste vanish. */
	assert_string_equal(text_normalize(a, "\xEF\xBB\xBF\u202A09121234567\u202C"),
			    "09121234567");
	assert_string_equal(text_normalize(a, "\u200F\u0639\u0644\u06CC\u200E"), ALI_PERSIAN);
}

static void test_normalize_zwnj(void **state)
{
	struct arena *a = *state;
	/* می‌خواهم keeps its ZWNJ */
	const char *mikhaham = "\u0645\u06CC" ZWNJ "\u062E\u0648\u0627\u0647\u0645";
	assert_string_equal(text_normalize(a, mikhaham), mikhaham);
	/* ... but not next to a space or at either end. */
	assert_string_equal(text_normalize(a, ZWNJ "\u0645\u06CC" ZWNJ), "\u0645\u06CC");
	assert_string_equal(text_normalize(a, "\u0645\u06CC" ZWNJ " \u0628"),
			    "\u0645\u06CC \u0628");
	assert_string_equal(text_normalize(a, "\u0645\u06CC " ZWNJ "\u0628"),
			    "\u0645\u06CC \u0628");
	assert_string_equal(text_normalize(a, "\u0645\u06CC" ZWNJ "\n\u0628"),
			    "\u0645\u06CC\n\u0628");
	/* A doubled ZWNJ is one. */
	assert_string_equal(text_normalize(a, "\u0645\u06CC" ZWNJ ZWNJ "\u0628"),
			    "\u0645\u06CC" ZWNJ "\u0628");
	assert_string_equal(text_normalize(a, " " ZWNJ " "), "");
}

static void test_normalize_invalid(void **state)
{
	struct arena *a = *state;
	assert_null(text_normalize(a, NULL));
	assert_null(text_normalize(a, "\xC0\xAF"));
	assert_null(text_normalize(a, "abc\x80"));
	assert_null(text_normalize(a, "\xED\xA0\x80"));
	assert_null(text_normalize(a, ALI_PERSIAN "\xD9"));
	assert_null(text_normalize(a, "\xF4\x90\x80\x80"));
}

static void test_digits(void **state)
{
	struct arena *a = *state;
	assert_string_equal(text_digits(a, "0499370899", 10, 10), "0499370899");
	assert_string_equal(text_digits(a,
					"  \u06F0\u06F4\u06F9\u06F9\u06F3\u06F7\u06F0\u06F8\u06F9"
					"\u06F9 ",
					10, 10),
			    "0499370899");
	assert_string_equal(text_digits(a, "\u202A123\u202C", 1, 5), "123");
	/* Bounds are inclusive. */
	assert_string_equal(text_digits(a, "12", 2, 4), "12");
	assert_string_equal(text_digits(a, "1234", 2, 4), "1234");
	assert_null(text_digits(a, "1", 2, 4));
	assert_null(text_digits(a, "12345", 2, 4));
	assert_null(text_digits(a, "", 1, 4));
	assert_string_equal(text_digits(a, "", 0, 4), "");
	/* Anything but digits is refused, including inner spaces and signs. */
	assert_null(text_digits(a, "12 34", 1, 10));
	assert_null(text_digits(a, "-12", 1, 10));
	assert_null(text_digits(a, "12a", 1, 10));
	assert_null(text_digits(a, "\u0661\u0662x", 1, 10));
	assert_null(text_digits(a, "12\x80", 1, 10));
	assert_null(text_digits(a, NULL, 0, 10));
}

static void test_mobile(void **state)
{
	struct arena *a = *state;
	const char *ok[] = {
	    "09121234567",
	    "+98 912 123 4567",
	    "+989121234567",
	    "00989121234567",
	    "0098 912 123 4567",
	    "989121234567",
	    "9121234567",
	    "0912-123-4567",
	    "(0912) 123 4567",
	    "+98 (0) 912 123 4567",
	    "\u06F0\u06F9\u06F1\u06F2\u06F1\u06F2\u06F3\u06F4\u06F5\u06F6\u06F7",
	    "\u0660\u0669\u0661\u0662\u0661\u0662\u0663\u0664\u0665\u0666\u0667",
	    "  \u202A+98 912 123 4567\u202C ",
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		const char *m = text_mobile(a, ok[i]);
		if (!m)
			fail_msg("rejected: %s", ok[i]);
		assert_string_equal(m, "09121234567");
	}
	assert_string_equal(text_mobile(a, "09991234567"), "09991234567");

	const char *bad[] = {
	    "08112345678", /* a landline (Hamedan) */
	    "02188776655", /* a Tehran landline */
	    "+98 21 8877 6655",
	    "0912123456",   /* too short */
	    "091212345678", /* too long */
	    "912123456",
	    "+9809121234567x",
	    "+0912 123 4567", /* + without the country code */
	    "+1 912 123 4567",
	    "0912+1234567",
	    "0912.123.4567",
	    "۰۹۱۲abc۴۵۶۷",
	    "",
	    "   ",
	    "0912123456789012345678901234567890123",
	    "\xC0\xAF",
	    NULL,
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (text_mobile(a, bad[i]))
			fail_msg("accepted: %s", bad[i] ? bad[i] : "(null)");
}

/* Decimal ASCII at speed, with no NUL: the lists' lines and the audit spool use it. */
static void test_put_int(void **state)
{
	(void)state;
	static const struct {
		int64_t v;
		const char *want;
	} cases[] = {{0, "0"},
		     {7, "7"},
		     {-7, "-7"},
		     {1405, "1405"},
		     {9999999999LL, "9999999999"},
		     {INT64_MAX, "9223372036854775807"},
		     {INT64_MIN, "-9223372036854775808"}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[32];
		memset(buf, 'x', sizeof buf);
		char *end = text_put_int(buf, cases[i].v);
		assert_int_equal(end - buf, strlen(cases[i].want));
		assert_memory_equal(buf, cases[i].want, strlen(cases[i].want));
		assert_int_equal(*end, 'x'); /* nothing written past it */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_utf8_valid),
	    cmocka_unit_test(test_utf8_scrub),
	    cmocka_unit_test(test_utf8_len),
	    cmocka_unit_test(test_put_int),
	    cmocka_unit_test_setup_teardown(test_normalize_letters, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_normalize_digits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_normalize_space, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_normalize_zwnj, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_normalize_invalid, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_digits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mobile, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
