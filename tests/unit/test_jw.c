/* The JSON writer and the request-field readers: what they produce must parse back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/fields.h"
#include "base/jw.h"

static void test_nesting_and_types(void **state)
{
	(void)state;
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	jw_int(&w, "id", -42);
	jw_int(&w, "zero", 0);
	jw_int(&w, "min", INT64_MIN);
	jw_int(&w, "max", INT64_MAX);
	jw_str(&w, "name", "علی");
	jw_null(&w, "none");
	jw_str(&w, "nothing", NULL);
	jw_bool(&w, "yes", 1);
	jw_time(&w, "at", 1700000000);
	jw_time(&w, "never", 0);
	jw_array(&w, "list");
	jw_int(&w, NULL, 1);
	jw_object(&w, NULL);
	jw_raw(&w, "data", "{\"k\":[1,2]}");
	jw_end(&w);
	jw_array(&w, NULL);
	jw_end(&w);
	jw_end(&w);
	jw_end(&w);
	size_t len;
	char *text = jw_take(&w, &len);
	assert_int_equal(len, strlen(text));
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "id")), -42);
	assert_non_null(strstr(text, "\"zero\":0,"));
	assert_non_null(strstr(text, "\"min\":-9223372036854775808,"));
	assert_non_null(strstr(text, "\"max\":9223372036854775807,"));
	assert_string_equal(json_string_value(json_object_get(j, "name")), "علی");
	assert_true(json_is_null(json_object_get(j, "none")));
	assert_true(json_is_null(json_object_get(j, "nothing")));
	assert_true(json_is_true(json_object_get(j, "yes")));
	assert_string_equal(json_string_value(json_object_get(j, "at")), "2023-11-14T22:13:20Z");
	assert_true(json_is_null(json_object_get(j, "never")));
	json_t *list = json_object_get(j, "list");
	assert_int_equal(json_array_size(list), 3);
	json_t *k = json_object_get(json_object_get(json_array_get(list, 1), "data"), "k");
	assert_int_equal(json_array_size(k), 2);
	assert_int_equal(json_array_size(json_array_get(list, 2)), 0);
	json_decref(j);
	free(text);
}

static void test_escaping(void **state)
{
	(void)state;
	const char *nasty = "quote \" backslash \\ newline \n tab \t bell \x07 end";
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	jw_str(&w, "k\"ey", nasty);
	jw_end(&w);
	char *text = jw_take(&w, NULL);
	assert_non_null(strstr(text, "\\u0007"));
	json_t *j = json_loads(text, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "k\"ey")), nasty);
	json_decref(j);
	free(text);
}

/* Strings are copied 8 bytes at a time until a byte to escape: each such byte, and
 * Persian text around it, at every offset within the 8 and at the end of the string. */
static void test_escaping_at_every_offset(void **state)
{
	(void)state;
	static const char specials[] = {'"', '\\', '\n', '\t', '\r', 0x01, 0x1f};
	for (size_t k = 0; k < sizeof specials; k++)
		for (int at = 0; at < 20; at++)
			for (int tail = 0; tail < 10; tail++) {
				char s[64];
				int n = 0;
				for (int i = 0; i < at; i++)
					s[n++] = i % 3 ? 'a' : ' ';
				s[n++] = specials[k];
				memcpy(s + n, "\xd8\xb9\xd9\x84\xdb\x8c", 6); /* علی */
				n += 6;
				for (int i = 0; i < tail; i++)
					s[n++] = (char)('0' + i);
				s[n] = 0;
				struct jw w;
				jw_init(&w);
				jw_array(&w, NULL);
				jw_str(&w, NULL, s);
				jw_end(&w);
				char *text = jw_take(&w, NULL);
				json_t *j = json_loads(text, 0, NULL);
				assert_non_null(j);
				assert_string_equal(json_string_value(json_array_get(j, 0)), s);
				json_decref(j);
				free(text);
				/* and as a key, which is checked 8 bytes at a time too */
				jw_init(&w);
				jw_object(&w, NULL);
				jw_int(&w, "before", 1);
				jw_int(&w, s, 2);
				jw_end(&w);
				text = jw_take(&w, NULL);
				j = json_loads(text, 0, NULL);
				assert_non_null(j);
				assert_int_equal(json_integer_value(json_object_get(j, s)), 2);
				json_decref(j);
				free(text);
			}
}

static void test_fields(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct err e;
	json_t *b = json_pack("{s:s,s:i,s:s,s:n,s:s,s:s}", "subject", "  كتاب  علي\u00a0\n",
			      "n", 7, "long", "ابجدهوزحطی", "gone", "bell", "a\ab", "code",
			      " ۰۹۱۲ ");
	const char *out;
	/* people's words: as typed, trimmed at both ends only */
	assert_int_equal(field_text(b, "subject", 1, 20, &a, &out, &e), 0);
	assert_string_equal(out, "كتاب  علي");
	/* keys: normalised */
	assert_int_equal(field_key(b, "subject", 1, 20, &a, &out, &e), 0);
	assert_string_equal(out, "کتاب علی");
	assert_int_equal(field_key(b, "code", 1, 20, &a, &out, &e), 0);
	assert_string_equal(out, "0912");
	/* a control character is refused, naming the field */
	assert_int_equal(field_text(b, "bell", 1, 20, &a, &out, &e), -1);
	assert_string_equal(e.code, "invalid_field");
	assert_string_equal(e.field, "bell");
	assert_int_equal(field_text(b, "missing", 0, 20, &a, &out, &e), 0);
	assert_null(out);
	assert_int_equal(field_text(b, "gone", 1, 20, &a, &out, &e), -1);
	assert_string_equal(e.code, "missing_field");
	assert_string_equal(e.field, "gone");
	assert_int_equal(field_text(b, "n", 1, 20, &a, &out, &e), -1);
	assert_string_equal(e.code, "invalid_field");
	assert_string_equal(e.field, "n");
	/* length counts characters, not bytes */
	assert_int_equal(field_text(b, "long", 1, 10, &a, &out, &e), 0);
	assert_int_equal(field_text(b, "long", 1, 9, &a, &out, &e), -1);
	assert_string_equal(e.code, "field_too_long");
	int64_t v;
	int present;
	assert_int_equal(field_int(b, "n", 1, 1, 5, &v, &present, &e), -1);
	assert_int_equal(e.status, 400);
	assert_int_equal(field_int(b, "n", 1, 1, 9, &v, &present, &e), 0);
	assert_int_equal(v, 7);
	assert_int_equal(field_int(b, "subject", 1, 1, 9, &v, &present, &e), -1);
	static const char *const known[] = {"subject", "n", "long", NULL};
	assert_int_equal(field_only(b, known, &e), -1);
	assert_string_equal(e.code, "unknown_field");
	assert_string_equal(e.field, "gone");
	json_decref(b);
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nesting_and_types),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_escaping_at_every_offset),
		cmocka_unit_test(test_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
