/* The CSV form (listfile/csv.h): quoting, blank lines, the byte-order mark, and every way a
 * text is refused; what it gives is a dBase file the list reader reads, from files or
 * from memory alike (listfile/input.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "listfile/csv.h"
#include "listfile/dbf.h"
#include "listfile/input.h"

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

static void refused_n(const char *csv, size_t n, const char *why)
{
	unsigned char *b = (unsigned char *)"untouched";
	size_t len = 7;
	struct err e = {0};
	assert_int_equal(list_csv_to_dbf(csv, n, "csv.kar", &b, &len, &e), -1);
	assert_null(b);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.code, "csv_invalid");
	assert_string_equal(e.field, "csv.kar");
	assert_non_null(strstr(e.message, why));
}

static void refused(const char *csv, const char *why)
{
	refused_n(csv, strlen(csv), why);
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
	/* a name the dBase file cannot hold: a NUL ended it there, and the reader then
	 * refused the bytes made ("a field without a name"), or found two columns named
	 * alike (found by fuzz_csv) */
	refused_n("A\0B,A\0C\r\n1,2\r\n", 12, "1 to 10 letters");
	refused_n("\0,B\r\n1,2\r\n", 9, "1 to 10 letters");
	refused("A B\r\n1\r\n", "1 to 10 letters");
	refused("\u0646\u0627\u0645\r\n1\r\n", "1 to 10 letters");
	char big[400] = "A\r\n";
	memset(big + 3, 'x', 300);
	big[303] = 0;
	refused(big, "over 254 bytes");
}

static const char kar_csv[] = "DSK_ID,DSK_YY,DSK_MM,DSK_NUM\r\n1234567890,05,7,1\r\n";
static const char wor_csv[] = "DSW_ID,DSW_FNAME,PER_NATCOD\r\n1234567890,علی,0012345679\r\n";

/* What a list_input reads: its header's workshop and month, its first worker's name. */
static void reads(struct list_input *in)
{
	struct list_header h;
	struct list_worker w;
	assert_string_equal(in->source, "csv");
	assert_int_equal(in->r.enc, CODEC_UTF8);
	assert_int_equal(list_reader_header(&in->r, &h, NULL), 0);
	assert_string_equal(h.workshop, "1234567890");
	assert_int_equal(h.month, 7);
	assert_int_equal(list_reader_next(&in->r, &w, NULL, NULL), 1);
	assert_string_equal(w.first_name, "علی");
	assert_int_equal(list_reader_next(&in->r, &w, NULL, NULL), 0);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	fclose(f);
}

/* The two texts read the same from two .csv paths as from memory; errors name the path
 * or the caller's field. */
static void test_input(void **state)
{
	(void)state;
	char dir[] = "/tmp/tamin-input-XXXXXX", kar[64], wor[64], bad[64];
	assert_non_null(mkdtemp(dir));
	snprintf(kar, sizeof kar, "%s/KAR.CSV", dir);
	snprintf(wor, sizeof wor, "%s/wor.csv", dir);
	snprintf(bad, sizeof bad, "%s/bad.csv", dir);
	write_text(kar, kar_csv);
	write_text(wor, wor_csv);
	write_text(bad, "A,\"x\r\n");
	struct list_input in;
	struct err e = {0};
	assert_int_equal(list_input_open(&in, kar, wor, NULL, &e), 0);
	reads(&in);
	list_input_close(&in);
	assert_int_equal(list_input_open_mem(&in, LIST_FORM_CSV, kar_csv, strlen(kar_csv), "csv.kar",
					     wor_csv, strlen(wor_csv), "csv.wor", NULL, &e),
			 0);
	reads(&in);
	list_input_close(&in);
	assert_int_equal(list_input_open(&in, kar, bad, NULL, &e), -1);
	assert_string_equal(e.field, bad);
	assert_non_null(strstr(e.message, "never closed"));
	list_input_close(&in);
	assert_int_equal(list_input_open_mem(&in, LIST_FORM_CSV, kar_csv, strlen(kar_csv), "csv.kar",
					     "A,\"x", 4, "csv.wor", NULL, &e),
			 -1);
	assert_string_equal(e.field, "csv.wor");
	list_input_close(&in);
	/* one name not .csv: the dBase pair, which a CSV text is not */
	char dbf[64];
	snprintf(dbf, sizeof dbf, "%s/DSKWOR00.DBF", dir);
	assert_int_equal(list_input_open(&in, kar, dbf, NULL, &e), -1);
	assert_string_equal(e.code, "dbf_invalid");
	list_input_close(&in);
	snprintf(dbf, sizeof dbf, "%s/none.csv", dir);
	assert_int_equal(list_input_open(&in, kar, dbf, NULL, &e), -1);
	assert_int_equal(e.status, 404);
	list_input_close(&in);
	unlink(kar);
	unlink(wor);
	unlink(bad);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
