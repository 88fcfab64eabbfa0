/* documents: the verification code (drawn, shown, read back as people type it), the month
 * parameter, the masked national id, and a paper's content from records built here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "dbfixture.h"
#include "documents/internal.h"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static void test_code_new(void **state)
{
	(void)state;
	char seen[200][DOC_CODE_LEN + 1];
	for (int i = 0; i < 200; i++) {
		doc_code_new(seen[i]);
		assert_int_equal(strlen(seen[i]), DOC_CODE_LEN);
		for (int k = 0; k < DOC_CODE_LEN; k++)
			assert_non_null(strchr(alphabet, seen[i][k]));
		for (int j = 0; j < i; j++)
			assert_string_not_equal(seen[i], seen[j]);
	}
	/* every symbol turns up: the 5-bit groups are not stuck */
	for (const char *a = alphabet; *a; a++) {
		int found = 0;
		for (int i = 0; i < 200 && !found; i++)
			found = strchr(seen[i], *a) != NULL;
		assert_true(found);
	}
}

static void test_code_shown_and_read_back(void **state)
{
	(void)state;
	char shown[DOC_CODE_SHOWN + 1], back[DOC_CODE_LEN + 1];
	doc_code_show("7K2M9QXD4R8TB3VN", shown);
	assert_string_equal(shown, "7K2M-9QXD-4R8T-B3VN");
	static const char *const typed[] = {
	    "7K2M-9QXD-4R8T-B3VN", "7k2m9qxd4r8tb3vn", " 7K2M 9QXD 4R8T B3VN ",
	    "۷K۲M-۹QXD-۴R۸T-B۳VN",			/* Persian digits */
	    "٧K٢M٩QXD٤R٨TB٣VN",				/* Arabic-Indic digits */
	    "\xe2\x80\x8e" "7K2M-9QXD-4R8T-B3VN\xe2\x80\x8f", /* bidi marks pasted around */
	};
	for (size_t i = 0; i < sizeof typed / sizeof *typed; i++) {
		assert_int_equal(doc_code_normalize(typed[i], strlen(typed[i]), back), 0);
		assert_string_equal(back, "7K2M9QXD4R8TB3VN");
	}
	/* Crockford's reading: O is 0, I and L are 1 */
	assert_int_equal(doc_code_normalize("OOOO-IIII-LLLL-oil0", 19, back), 0);
	assert_string_equal(back, "0000111111110110");
	static const char *const bad[] = {
	    "", "7K2M-9QXD-4R8T-B3V", "7K2M-9QXD-4R8T-B3VNN", "7K2M-9QXD-4R8T-B3VU", /* U is none */
	    "7K2M_9QXD_4R8T_B3VN", "7K2M/9QXD/4R8T/B3VN", "7K2M-9QXD-4R8T-B3V\xff",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_int_equal(doc_code_normalize(bad[i], strlen(bad[i]), back), -1);
	char longer[200];
	memset(longer, ' ', sizeof longer);
	memcpy(longer + 150, "7K2M9QXD4R8TB3VN", 16);
	assert_int_equal(doc_code_normalize(longer, sizeof longer, back), -1); /* over 128 bytes */
}

static void test_month(void **state)
{
	(void)state;
	int y = 0, m = 0;
	assert_int_equal(doc_month_parse("1404/07", 7, &y, &m), 0);
	assert_int_equal(y * 100 + m, 140407);
	assert_int_equal(doc_month_parse("1404-7", 6, &y, &m), 0);
	assert_int_equal(y * 100 + m, 140407);
	const char *fa = "۱۴۰۵/۱۲";
	assert_int_equal(doc_month_parse(fa, strlen(fa), &y, &m), 0);
	assert_int_equal(y * 100 + m, 140512);
	static const char *const bad[] = {"",	     "1404",	 "1404/",    "1404/13", "1404/00",
					  "1404/123", "07/1404",  "140407",  "1404/07/01",
					  "1299/01",  "1501/01",  "1404 /07", "1404.07", "x404/07"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_int_equal(doc_month_parse(bad[i], strlen(bad[i]), &y, &m), -1);
}

static void test_mask(void **state)
{
	(void)state;
	char out[11];
	doc_mask_natid("0012345678", out);
	assert_string_equal(out, "******5678");
	doc_mask_natid(NULL, out);
	assert_string_equal(out, "**********");
}

static void test_canonical_and_digest(void **state)
{
	(void)state;
	json_t *o = json_pack("{s:i,s:s,s:{s:i,s:i}}", "z", 1, "a", "فیش", "m", "y", 2, "b", 3);
	char *t = doc_canonical(o);
	assert_string_equal(t, "{\"a\":\"فیش\",\"m\":{\"b\":3,\"y\":2},\"z\":1}");
	char hex[65];
	doc_digest("abc", 3, hex); /* FIPS 180-2's first example */
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	free(t);
	json_decref(o);
}

/* ---- a paper's content from the records ---- */

static void exec(struct db *db, const char *sql)
{
	if (db_exec_script(db, sql) < 0)
		fail_msg("%s: %s", sql, db_errmsg(db));
}

static void seed(struct db *db)
{
	exec(db, "INSERT INTO people(id, national_id, first_name, last_name, created)"
		 " VALUES (7, '0012345678', 'مریم', 'کاظمی', 0);"
		 "INSERT INTO pensioners(id, person_id, type, start_year, start_month, amount, created)"
		 " VALUES (3, 7, 'disability', 1400, 2, 90000000, 0);"
		 "INSERT INTO pension_payments VALUES (3, 1405, 6, 80000000), (3, 1405, 7, 90000000);"
		 "INSERT INTO people(id, national_id, created) VALUES (8, '0023456789', 0);"
		 "INSERT INTO workshops(id, code, name, employer_name, created)"
		 " VALUES (5, '1234567890', 'کارگاه', 'کارفرما', 0);");
}

static json_t *build(struct fx *f, struct doc_subject s, struct err *e)
{
	struct arena a;
	arena_init(&a);
	s.issued = (struct jdate){1405, 9, 16};
	json_t *out = NULL;
	int rc = doc_build(f->db, NULL, &s, &a, &out, e);
	arena_release(&a);
	return rc < 0 ? NULL : out;
}

static void test_payslip_and_salary(void **state)
{
	struct fx *f = *state;
	seed(f->db);
	struct err e = {0};
	json_t *p = build(f, (struct doc_subject){.kind = DOC_PAYSLIP, .person_id = 7}, &e);
	assert_non_null(p);
	char *t = doc_canonical(p);
	assert_string_equal(t, "{\"issued\":\"1405/09/16\",\"items\":[{\"amount\":90000000,\"item\":"
			       "\"pension\"}],\"kind\":\"payslip\",\"month\":\"1405/07\",\"pension_"
			       "type\":\"disability\",\"person\":{\"name\":\"مریم کاظمی\",\"national_"
			       "id\":\"******5678\"},\"total\":90000000}");
	free(t);
	json_decref(p);
	p = build(f, (struct doc_subject){.kind = DOC_PAYSLIP, .person_id = 7, .year = 1405, .month = 6},
		  &e);
	assert_int_equal(json_integer_value(json_object_get(p, "total")), 80000000);
	json_decref(p);
	/* a month with no payment, a person with no pension: 404 naming why */
	assert_null(build(f, (struct doc_subject){.kind = DOC_PAYSLIP, .person_id = 7, .year = 1405, .month = 8}, &e));
	assert_int_equal(e.status, 404);
	assert_string_equal(e.field, "month");
	assert_null(build(f, (struct doc_subject){.kind = DOC_SALARY, .person_id = 8}, &e));
	assert_int_equal(e.status, 404);
	assert_string_equal(e.field, "kind");
	json_t *s = build(f, (struct doc_subject){.kind = DOC_SALARY, .person_id = 7}, &e);
	assert_string_equal(json_string_value(json_object_get(s, "since")), "1400/02");
	assert_int_equal(json_integer_value(json_object_get(s, "amount")), 90000000);
	json_decref(s);
}

static void test_clearance(void **state)
{
	struct fx *f = *state;
	seed(f->db);
	struct err e = {0};
	json_t *c = build(f, (struct doc_subject){.kind = DOC_CLEARANCE, .workshop_id = 5}, &e);
	assert_non_null(c);
	assert_int_equal(json_integer_value(json_object_get(c, "debt")), 0);
	json_decref(c);
	/* a list owing 1,000 rials, 400 paid: 409 naming the debt of 600 */
	exec(f->db, "INSERT INTO lists(workshop_id, year, month, source, workers, days, daily_wages,"
		    " monthly_wages, benefits, insurable, total, worker_share, employer_share,"
		    " unemployment, rate, submitted_at) VALUES (5, 1405, 1, 'json', 1, 30, 1, 1, 0,"
		    " 1, 1, 300, 600, 100, 23, 0);"
		    "INSERT INTO payments(workshop_id, amount, paid_at) VALUES (5, 400, 0);");
	assert_null(build(f, (struct doc_subject){.kind = DOC_CLEARANCE, .workshop_id = 5}, &e));
	assert_int_equal(e.status, 409);
	assert_string_equal(e.code, "debt_outstanding");
	assert_string_equal(e.field, "debt");
	assert_non_null(strstr(e.message, "owes 600 rials"));
	exec(f->db, "INSERT INTO payments(workshop_id, amount, paid_at) VALUES (5, 600, 0);");
	c = build(f, (struct doc_subject){.kind = DOC_CLEARANCE, .workshop_id = 5}, &e);
	assert_int_equal(json_integer_value(json_object_get(c, "paid")), 1000);
	json_decref(c);
}

static void test_pdf(void **state)
{
	(void)state;
	struct err e = {0};
	assert_int_equal(documents_fonts_init(&e), 0);
	const char *content = "{\"amount\":90000000,\"issued\":\"1405/09/16\",\"kind\":\"salary\","
			      "\"pension_type\":\"old_age\",\"person\":{\"name\":\"مریم کاظمی\","
			      "\"national_id\":\"******5678\"},\"since\":\"1400/02\"}";
	char *pdf;
	size_t len;
	assert_int_equal(documents_pdf(content, "7K2M9QXD4R8TB3VN",
				       "https://tamin.example/verify/7K2M-9QXD-4R8T-B3VN", &pdf, &len, &e),
			 0);
	assert_true(len > 1000);
	assert_memory_equal(pdf, "%PDF-", 5);
	assert_non_null(memmem(pdf, len, "%%EOF", 5));
	free(pdf);
	/* a stored paper that is not one: refused, never drawn */
	assert_int_equal(documents_pdf("{\"kind\":\"passport\"}", "7K2M9QXD4R8TB3VN", "x", &pdf, &len, &e), -1);
	assert_int_equal(documents_pdf("not json", "7K2M9QXD4R8TB3VN", "x", &pdf, &len, &e), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_code_new),
	    cmocka_unit_test(test_code_shown_and_read_back),
	    cmocka_unit_test(test_month),
	    cmocka_unit_test(test_mask),
	    cmocka_unit_test(test_canonical_and_digest),
	    cmocka_unit_test_setup_teardown(test_payslip_and_salary, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_clearance, setup, teardown),
	    cmocka_unit_test(test_pdf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
