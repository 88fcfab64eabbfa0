/* The CSV form (listfile/csv.h): quoting, blank lines, the byte-order mark, and every way a
 * text is refused; what it gives is a dBase file the list reader reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "listfile/csv.h"
#include "listfile/dbf.h"

/* The dBase file made of csv, opened; the caller frees *bytes and closes d. */
static void to_dbf(const char *csv, unsigned char **bytes, struct dbf *d)
{
	size_t len = 0;
	struct err e = {0};
	int rc = list_csv_to_dbf(csv, strlen(csv), "csv.wor", bytes, &len, &e);
	if (rc)
		print_message("%s\n", e.message);
	assert_int_equal(rc, 0);
	assert_int_equal(dbf_open_mem(d, *bytes, len, &e), 0);
}

static void cell(const struct dbf *d, uint32_t row, const char *name, const char *want)
{
	int f = dbf_field_index(d, name);
	assert_true(f >= 0);
	const unsigned char *p = dbf_record(d, row) + d->fields[f].offset;
	size_t n = d->fields[f].width;
	while (n && p[n - 1] == ' ')
		n--;
	assert_int_equal(n, strlen(want));
	assert_memory_equal(p, want, n);
}

static void test_values(void **state)
{
	(void)state;
	unsigned char *b;
	struct dbf d;
	to_dbf("\xEF\xBB\xBF"
	       "dsw_fname,DSW_OCP,DSW_DD\r\n"
	       "علی,\"کارگر، \"\"ماهر\"\"\",30\r\n"
	       "\r\n"
	       "زهرا,\"دو\nخطی\",\n"
	       "\"\",ساده,31",
	       &b, &d);
	assert_int_equal(d.nrecords, 3);
	assert_int_equal(d.nfields, 3);
	assert_string_equal(d.fields[0].name, "DSW_FNAME"); /* names in upper case */
	assert_int_equal(d.fields[0].type, 'C');
	cell(&d, 0, "DSW_FNAME", "علی");
	cell(&d, 0, "DSW_OCP", "کارگر، \"ماهر\"");
	cell(&d, 0, "DSW_DD", "30");
	cell(&d, 1, "DSW_OCP", "دو\nخطی");
	cell(&d, 1, "DSW_DD", "");
	cell(&d, 2, "DSW_FNAME", "");
	cell(&d, 2, "DSW_DD", "31");
	dbf_close(&d);
	free(b);
	/* only the names: a list with no rows, which the import then refuses */
	to_dbf("DSK_ID,DSK_YY", &b, &d);
	assert_int_equal(d.nrecords, 0);
	dbf_close(&d);
	free(b);
}

static void refused(const char *csv, const char *why)
{
	unsigned char *b = (unsigned char *)"untouched";
	size_t len = 7;
	struct err e = {0};
	assert_int_equal(list_csv_to_dbf(csv, strlen(csv), "csv.kar", &b, &len, &e), -1);
	assert_null(b);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.code, "csv_invalid");
	assert_string_equal(e.field, "csv.kar");
	assert_non_null(strstr(e.message, why));
}

static void test_refused(void **state)
{
	(void)state;
	refused("", "first line names the columns");
	refused("A,B\r\n1,2,3\r\n", "line 2 has 3 values, the first line names 2");
	refused("A,B\r\n1\r\n", "line 2 has 1 values");
	refused("A,B\r\n\"1,2\r\n", "never closed");
	refused("A,B\r\n\"1\"x,2\r\n", "text after a closing quote");
	refused("A,A\r\n1,2\r\n", "named twice");
	refused("A,a\r\n1,2\r\n", "named twice");
	refused("ABCDEFGHIJK\r\n1\r\n", "1 to 10 letters");
	refused(",B\r\n1,2\r\n", "1 to 10 letters");
	char big[400] = "A\r\n";
	memset(big + 3, 'x', 300);
	big[303] = 0;
	refused(big, "over 254 bytes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
