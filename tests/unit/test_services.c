/* The e-services' field checks (services/services.h): each type's values as people type
 * them (any digit set, spaces) kept in one canonical form, and bad ones refused naming
 * the field; the whole form's rules (unknown field, attachment, required, blank). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "services/services.h"

/* IR + check digits + 22 digits; the check digits worked by ISO 13616's rule: the
 * digits, then "1827" (I, R) and "00", mod 97 = r, check = 98 - r. */
static const char *const good_sheba[] = {"IR050170000000123456789012",
					 "IR150120000000004567891234"};

static void test_sheba(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++)
		assert_true(services_sheba_valid(good_sheba[i]));
	/* any one digit changed breaks the check */
	char s[27];
	for (int i = 2; i < 26; i++) {
		strcpy(s, good_sheba[0]);
		s[i] = s[i] == '9' ? '0' : (char)(s[i] + 1);
		assert_false(services_sheba_valid(s));
	}
	/* two neighbours swapped too */
	strcpy(s, good_sheba[0]);
	char t = s[14];
	s[14] = s[15];
	s[15] = t;
	assert_false(services_sheba_valid(s));
	assert_false(services_sheba_valid("IR05017000000012345678901"));   /* 25 */
	assert_false(services_sheba_valid("DE050170000000123456789012"));  /* not Iran's */
	assert_false(services_sheba_valid("IR05017000000012345678901x"));
	assert_false(services_sheba_valid(""));
	assert_false(services_sheba_valid(NULL));
}

static struct service_field field(enum service_type t, int64_t max)
{
	struct service_field f;
	memset(&f, 0, sizeof f);
	strcpy(f.name, "x");
	strcpy(f.label, "خانه");
	f.type = t;
	f.max = max;
	return f;
}

/* the value kept for a string typed, or NULL with e naming the field */
static const char *check(struct service_field f, const char *typed, struct arena *a,
			 struct err *e)
{
	json_t *v = json_string(typed);
	const char *out = services_field_check(&f, v, a, e);
	json_decref(v);
	if (!out) {
		assert_int_equal(e->status, 400);
		assert_string_equal(e->field, "x");
		assert_non_null(strstr(e->message, "خانه")); /* the label, in Persian */
	}
	return out;
}

static void test_each_type(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct err e;
	struct service_field sheba = field(FIELD_SHEBA, 0);
	assert_string_equal(check(sheba, "ir05 0170 0000 0012 3456 7890 12", &a, &e), good_sheba[0]);
	assert_string_equal(check(sheba, "۰۵۰۱۷۰۰۰۰۰۰۰۱۲۳۴۵۶۷۸۹۰۱۲", &a, &e), good_sheba[0]);
	assert_null(check(sheba, "IR060170000000123456789012", &a, &e));

	struct service_field month = field(FIELD_MONTH, 0);
	assert_string_equal(check(month, "۱۴۰۳/۷", &a, &e), "1403/07");
	assert_string_equal(check(month, "1403/12", &a, &e), "1403/12");
	assert_null(check(month, "1403/13", &a, &e));
	assert_null(check(month, "1403/00", &a, &e));
	assert_null(check(month, "1403-07", &a, &e));
	assert_null(check(month, "1403/07/01", &a, &e));

	struct service_field date = field(FIELD_DATE, 0);
	assert_string_equal(check(date, "۱۴۰۳/۱۲/۳۰", &a, &e), "1403/12/30"); /* 1403 is leap */
	assert_null(check(date, "1404/12/30", &a, &e));
	assert_null(check(date, "1404/07/32", &a, &e));

	struct service_field nid = field(FIELD_NATIONAL_ID, 0);
	assert_string_equal(check(nid, "۰۴۹۹۳۷۰۸۹۹", &a, &e), "0499370899");
	assert_null(check(nid, "0499370898", &a, &e));
	assert_null(check(nid, "1111111111", &a, &e));

	struct service_field mobile = field(FIELD_MOBILE, 0);
	assert_string_equal(check(mobile, "+98 912 123 4567", &a, &e), "09121234567");
	assert_null(check(mobile, "02188776655", &a, &e));

	struct service_field amount = field(FIELD_AMOUNT, 1000000000);
	assert_string_equal(check(amount, "۳۰۰٬۰۰۰٬۰۰۰", &a, &e), "300000000");
	assert_string_equal(check(amount, "0", &a, &e), "0");
	assert_null(check(amount, "1000000001", &a, &e));
	assert_null(check(amount, "-5", &a, &e));
	assert_null(check(amount, "12.5", &a, &e));

	struct service_field number = field(FIELD_NUMBER, 31);
	json_t *i = json_integer(31);
	assert_string_equal(services_field_check(&number, i, &a, &e), "31");
	json_decref(i);
	assert_null(check(number, "0", &a, &e));
	assert_null(check(number, "32", &a, &e));

	struct service_field text = field(FIELD_TEXT, 5);
	assert_string_equal(check(text, "  سلام  ", &a, &e), "سلام");
	/* people's words as typed: the Arabic kaf and a Persian digit stay */
	assert_string_equal(check(text, "كار ۲", &a, &e), "كار ۲");
	assert_null(check(text, "سلام دنیا", &a, &e));
	assert_string_equal(e.code, "field_too_long");

	struct service_field choice = field(FIELD_CHOICE, 0);
	strcpy(choice.options[0].value, "12");
	strcpy(choice.options[1].value, "24");
	choice.noptions = 2;
	assert_string_equal(check(choice, "۲۴", &a, &e), "24");
	assert_null(check(choice, "36", &a, &e));

	struct service_field workshop = field(FIELD_WORKSHOP, 0);
	assert_string_equal(check(workshop, "۱۲۳۴۵۶۷۸۹۰", &a, &e), "1234567890");
	assert_null(check(workshop, "123456789", &a, &e));

	/* a JSON number where a string is meant */
	json_t *n = json_integer(1403);
	assert_null(services_field_check(&month, n, &a, &e));
	assert_string_equal(e.field, "x");
	json_decref(n);
	arena_release(&a);
}

static void test_form(void **state)
{
	(void)state;
	struct service s;
	memset(&s, 0, sizeof s);
	strcpy(s.code, "t");
	s.kind = SERVICE_REQUEST;
	s.fields[0] = field(FIELD_MONTH, 0);
	strcpy(s.fields[0].name, "month");
	s.fields[0].required = 1;
	s.fields[1] = field(FIELD_TEXT, 100);
	strcpy(s.fields[1].name, "note");
	s.fields[2] = field(FIELD_ATTACHMENT, 0);
	strcpy(s.fields[2].name, "scan");
	s.fields[2].required = 1;
	s.nfields = 3;
	struct arena a;
	arena_init(&a);
	struct err e;
	json_t *clean;
	json_t *b = json_pack("{s:s}", "month", "1403/7");
	assert_int_equal(services_form_check(&s, b, &a, &clean, &e), 0);
	assert_string_equal(json_string_value(json_object_get(clean, "month")), "1403/07");
	assert_int_equal(json_object_size(clean), 1); /* an optional field left out stays out */
	json_decref(clean);
	json_decref(b);

	const struct {
		const char *json, *code, *field;
	} bad[] = {
	    {"{}", "missing_field", "month"},
	    {"{\"month\": \" \\u200c \"}", "missing_field", "month"},
	    {"{\"month\": null}", "missing_field", "month"},
	    {"{\"month\": \"1403/07\", \"other\": 1}", "unknown_field", "other"},
	    {"{\"month\": \"1403/07\", \"scan\": \"a.png\"}", "invalid_field", "scan"},
	    {"[]", "invalid_body", ""},
	};
	for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
		json_t *j = json_loads(bad[k].json, 0, NULL);
		assert_non_null(j);
		assert_int_equal(services_form_check(&s, j, &a, &clean, &e), -1);
		assert_null(clean);
		assert_int_equal(e.status, 400);
		assert_string_equal(e.code, bad[k].code);
		assert_string_equal(e.field, bad[k].field);
		json_decref(j);
	}
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sheba),
	    cmocka_unit_test(test_each_type),
	    cmocka_unit_test(test_form),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
