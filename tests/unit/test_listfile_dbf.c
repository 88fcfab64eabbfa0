#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <shapefil.h>
#include <unistd.h>

#include "listfile/dbf.h"
#include "listgen.h"

static const struct lg_field small_fields[] = {
    {"NAME", 'C', 10},
    {"AMOUNT", 'N', 12},
    {"DAYS", 'N', 2},
};

/* A three-field table of n rows, the second deleted. */
static void small_table(struct lg *g, unsigned rows)
{
	lg_start(g, small_fields, 3, 0x7E);
	for (unsigned i = 0; i < rows; i++) {
		char amount[16];
		snprintf(amount, sizeof amount, "%u", 1000000 * (i + 1));
		const char *v[3] = {i % 2 ? "beta" : "alpha", amount, "30"};
		lg_row(g, v, i == 1 ? '*' : ' ');
	}
	lg_finish(g);
}

static void test_header(void **state)
{
	(void)state;
	struct lg kar, wor;
	lg_sample(LG_CP1256, 3, &kar, &wor);
	struct dbf d;
	struct err e = {0};
	assert_int_equal(dbf_open_mem(&d, wor.buf, wor.len, &e), 0);
	assert_int_equal(d.version, 0x03);
	assert_int_equal(d.language, DBF_LANG_CP1256);
	assert_int_equal(d.year, 2024);
	assert_int_equal(d.month, 7);
	assert_int_equal(d.day, 15);
	assert_int_equal(d.nrecords, 3);
	assert_int_equal(d.nfields, LG_NWOR);
	assert_int_equal(d.header_len, 32 + 32 * LG_NWOR + 1);
	unsigned off = 1;
	for (unsigned i = 0; i < LG_NWOR; i++) {
		assert_string_equal(d.fields[i].name, lg_wor_fields[i].name);
		assert_int_equal(d.fields[i].type, lg_wor_fields[i].type);
		assert_int_equal(d.fields[i].width, lg_wor_fields[i].width);
		assert_int_equal(d.fields[i].offset, off);
		off += lg_wor_fields[i].width;
	}
	assert_int_equal(d.record_len, off);
	assert_int_equal(d.max_width, 60);
	assert_int_equal(dbf_field_index(&d, "PER_NATCOD"), LG_NWOR - 1);
	assert_int_equal(dbf_field_index(&d, "per_natcod"), LG_NWOR - 1);
	assert_int_equal(dbf_field_index(&d, "DSW_INC"), -1);
	/* A record's bytes: the flag, then each field where the header says. */
	const unsigned char *r = dbf_record(&d, 2);
	assert_false(dbf_deleted(r));
	assert_memory_equal(r + d.fields[4].offset, "34567890", 8);
	assert_memory_equal(r + d.fields[26].offset, "1234567891", 10);
	dbf_close(&d);
	free(kar.buf);
	free(wor.buf);
}

static void test_deleted(void **state)
{
	(void)state;
	struct lg g;
	small_table(&g, 3);
	struct dbf d;
	assert_int_equal(dbf_open_mem(&d, g.buf, g.len, NULL), 0);
	assert_false(dbf_deleted(dbf_record(&d, 0)));
	assert_true(dbf_deleted(dbf_record(&d, 1)));
	assert_false(dbf_deleted(dbf_record(&d, 2)));
	dbf_close(&d);
	free(g.buf);
}

static void expect_invalid(const unsigned char *buf, size_t len, const char *why)
{
	struct dbf d;
	struct err e = {0};
	assert_int_equal(dbf_open_mem(&d, buf, len, &e), -1);
	assert_string_equal(e.code, "dbf_invalid");
	assert_int_equal(e.status, 422);
	if (!strstr(e.message, why))
		fail_msg("message \"%s\" lacks \"%s\"", e.message, why);
	dbf_close(&d);
}

static void test_invalid(void **state)
{
	(void)state;
	struct lg g;
	small_table(&g, 3);
	unsigned char *b = malloc(g.len + 200);
	const size_t hl = 32 + 3 * 32 + 1, rl = 1 + 10 + 12 + 2;

	expect_invalid(g.buf, 20, "shorter than a header");
	memcpy(b, g.buf, g.len);
	b[8] = 0xFF, b[9] = 0x7F; /* header length beyond the file */
	expect_invalid(b, g.len, "header length");
	memcpy(b, g.buf, g.len);
	b[10] = (unsigned char)(rl + 1); /* record length the fields do not add up to */
	expect_invalid(b, g.len, "add up to 25 bytes a record, the header says 26");
	memcpy(b, g.buf, g.len);
	b[hl - 1] = ' '; /* no end mark */
	expect_invalid(b, g.len, "end mark");
	/* Records missing at the end, or one more than counted. */
	expect_invalid(g.buf, g.len - 1 - rl, "counts 3 records, the file holds 2");
	memcpy(b, g.buf, g.len);
	b[4] = 2;
	expect_invalid(b, g.len, "counts 2 records, the file holds 3");
	/* A field twice, a field without width or name, no fields. */
	memcpy(b, g.buf, g.len);
	memcpy(b + 64, "NAME\0\0", 6);
	expect_invalid(b, g.len, "NAME appears twice");
	memcpy(b, g.buf, g.len);
	b[64 + 16] = 0;
	expect_invalid(b, g.len, "width 0");
	memcpy(b, g.buf, g.len);
	b[32] = 0;
	expect_invalid(b, g.len, "without a name");
	memcpy(b, g.buf, g.len);
	b[32] = 0x0D;
	expect_invalid(b, g.len, "no fields");
	/* Without the end-of-file byte, or with padding after it, the file is fine. */
	struct dbf d;
	assert_int_equal(dbf_open_mem(&d, g.buf, g.len - 1, NULL), 0);
	dbf_close(&d);
	memcpy(b, g.buf, g.len);
	memset(b + g.len, 0x1A, 100);
	assert_int_equal(dbf_open_mem(&d, b, g.len + 100, NULL), 0);
	assert_int_equal(d.nrecords, 3);
	dbf_close(&d);
	free(b);
	free(g.buf);
}

/* Clipper and FoxPro keep a character field's width above 255 in the decimals byte. */
static void test_wide_text_field(void **state)
{
	(void)state;
	unsigned char h[32 + 32 + 1 + 1 + 300] = {0x03};
	unsigned rl = 301, hl = 65;
	h[8] = (unsigned char)hl;
	h[10] = (unsigned char)(rl & 0xFF);
	h[11] = (unsigned char)(rl >> 8);
	h[4] = 1;
	memcpy(h + 32, "NOTE", 4);
	h[32 + 11] = 'C';
	h[32 + 16] = 300 & 0xFF;
	h[32 + 17] = 300 >> 8;
	h[64] = 0x0D;
	memset(h + 65, 'x', 301);
	h[65] = ' ';
	struct dbf d;
	assert_int_equal(dbf_open_mem(&d, h, sizeof h, NULL), 0);
	assert_int_equal(d.fields[0].width, 300);
	assert_int_equal(d.fields[0].decimals, 0);
	dbf_close(&d);
}

static void test_parse_int(void **state)
{
	(void)state;
	int64_t v = 99;
	assert_int_equal(dbf_parse_int("   2300000", 10, &v), DBF_NUM_OK);
	assert_int_equal(v, 2300000);
	assert_int_equal(dbf_parse_int("-17", 3, &v), DBF_NUM_OK);
	assert_int_equal(v, -17);
	assert_int_equal(dbf_parse_int(" +5 ", 4, &v), DBF_NUM_OK);
	assert_int_equal(v, 5);
	assert_int_equal(dbf_parse_int("  1200.00", 9, &v), DBF_NUM_OK);
	assert_int_equal(v, 1200);
	assert_int_equal(dbf_parse_int("12.", 3, &v), DBF_NUM_OK);
	assert_int_equal(v, 12);
	assert_int_equal(dbf_parse_int("9223372036854775807", 19, &v), DBF_NUM_OK);
	assert_true(v == INT64_MAX);
	assert_int_equal(dbf_parse_int("-9223372036854775808", 20, &v), DBF_NUM_OK);
	assert_true(v == INT64_MIN);
	assert_int_equal(dbf_parse_int("      ", 6, &v), DBF_NUM_BLANK);
	assert_int_equal(v, 0);
	assert_int_equal(dbf_parse_int("\0\0", 2, &v), DBF_NUM_BLANK);
	v = 7;
	assert_int_equal(dbf_parse_int("9223372036854775808", 19, &v), DBF_NUM_RANGE);
	assert_int_equal(dbf_parse_int("99999999999999999999", 20, &v), DBF_NUM_RANGE);
	assert_int_equal(dbf_parse_int("12.50", 5, &v), DBF_NUM_FRACTION);
	assert_int_equal(dbf_parse_int("12a", 3, &v), DBF_NUM_BAD);
	assert_int_equal(dbf_parse_int("1 2", 3, &v), DBF_NUM_BAD);
	assert_int_equal(dbf_parse_int("****", 4, &v), DBF_NUM_BAD);
	assert_int_equal(dbf_parse_int("-", 1, &v), DBF_NUM_BAD);
	assert_int_equal(dbf_parse_int("- 5", 3, &v), DBF_NUM_BAD);
	assert_int_equal(dbf_parse_int(".5", 2, &v), DBF_NUM_BAD);
	assert_int_equal(dbf_parse_int("1e5", 3, &v), DBF_NUM_BAD);
	assert_int_equal(dbf_parse_int("\xDB\xB1", 2, &v), DBF_NUM_BAD); /* ۱ in UTF-8 */
	assert_int_equal(v, 7);
}

static char tmpdir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/tamin-dbf-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int remove_dir(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	return system(cmd);
}

static void test_open_file(void **state)
{
	(void)state;
	struct lg g;
	small_table(&g, 3);
	char path[128];
	snprintf(path, sizeof path, "%s/small.dbf", tmpdir);
	lg_save(&g, path);
	struct dbf d;
	struct err e = {0};
	assert_int_equal(dbf_open(&d, path, &e), 0);
	assert_true(d.mapped);
	assert_int_equal(d.nrecords, 3);
	assert_memory_equal(dbf_record(&d, 2) + 1, "alpha", 5);
	dbf_close(&d);
	snprintf(path, sizeof path, "%s/missing.dbf", tmpdir);
	assert_int_equal(dbf_open(&d, path, &e), -1);
	assert_int_equal(e.status, 404);
	dbf_close(&d);
	snprintf(path, sizeof path, "%s/empty.dbf", tmpdir);
	FILE *f = fopen(path, "wb");
	fclose(f);
	assert_int_equal(dbf_open(&d, path, &e), -1);
	assert_string_equal(e.code, "dbf_invalid");
	dbf_close(&d);
	free(g.buf);
}

/* Our writer's files read by shapelib, the reference, and by our reader. */
static void test_writer(void **state)
{
	(void)state;
	static const struct dbf_spec spec[] = {
	    {"DSW_FNAME", 'C', 60, 0}, {"DSW_ROOZ", 'N', 12, 0}, {"RATE", 'N', 6, 2},
	    {"BORN", 'D', 8, 0},       {"OK", 'L', 1, 0},
	};
	char path[128];
	snprintf(path, sizeof path, "%s/w.dbf", tmpdir);
	struct dbf_writer w;
	struct err e = {0};
	assert_int_equal(dbf_writer_open(&w, path, spec, 5, DBF_LANG_CP1256, &e), 0);
	for (int i = 0; i < 100; i++) {
		char name[32];
		int n = snprintf(name, sizeof name, "\xDA\xE1\xED %d", i);
		assert_int_equal(dbf_writer_text(&w, 0, name, (size_t)n), 0);
		assert_int_equal(dbf_writer_int(&w, 1, 2300000LL * i), 0);
		assert_int_equal(dbf_writer_int(&w, 2, i % 3 ? 23 : -7), 0);
		assert_int_equal(dbf_writer_text(&w, 3, "20240715", 8), 0);
		assert_int_equal(dbf_writer_text(&w, 4, i % 2 ? "T" : "F", 1), 0);
		assert_int_equal(dbf_writer_add(&w, &e), 0);
	}
	/* Too long and too wide: refused, and the number's field filled with '*'. */
	char long_name[61];
	memset(long_name, 'a', sizeof long_name);
	assert_int_equal(dbf_writer_text(&w, 0, long_name, 61), -1);
	assert_int_equal(dbf_writer_int(&w, 1, 1000000000000LL), -1);
	assert_int_equal(dbf_writer_int(&w, 1, 999999999999LL), 0);
	assert_int_equal(dbf_writer_int(&w, 2, 1000), -1);
	assert_int_equal(dbf_writer_add(&w, &e), 0);
	assert_int_equal(dbf_writer_close(&w, &e), 0);

	DBFHandle h = DBFOpen(path, "rb");
	assert_non_null(h);
	assert_int_equal(DBFGetRecordCount(h), 101);
	assert_int_equal(DBFGetFieldCount(h), 5);
	assert_string_equal(DBFGetCodePage(h), "LDID/126");
	for (int f = 0; f < 5; f++) {
		char name[12];
		int width, decimals;
		DBFGetFieldInfo(h, f, name, &width, &decimals);
		assert_string_equal(name, spec[f].name);
		assert_int_equal(width, spec[f].width);
		assert_int_equal(decimals, spec[f].decimals);
		assert_int_equal(DBFGetNativeFieldType(h, f), spec[f].type);
	}
	for (int i = 0; i < 100; i++) {
		char name[32];
		snprintf(name, sizeof name, "\xDA\xE1\xED %d", i);
		assert_string_equal(DBFReadStringAttribute(h, i, 0), name);
		assert_true(DBFReadDoubleAttribute(h, i, 1) == 2300000.0 * i);
		assert_true(DBFReadDoubleAttribute(h, i, 2) == (i % 3 ? 23.0 : -7.0));
		assert_string_equal(DBFReadStringAttribute(h, i, 2), i % 3 ? "23.00" : "-7.00");
		assert_string_equal(DBFReadStringAttribute(h, i, 3), "20240715");
		assert_string_equal(DBFReadLogicalAttribute(h, i, 4), i % 2 ? "T" : "F");
		assert_false(DBFIsRecordDeleted(h, i));
	}
	assert_true(DBFReadDoubleAttribute(h, 100, 1) == 999999999999.0);
	assert_string_equal(DBFReadStringAttribute(h, 100, 2), "******");
	assert_string_equal(DBFReadStringAttribute(h, 100, 0), "");
	DBFClose(h);

	struct dbf d;
	assert_int_equal(dbf_open(&d, path, &e), 0);
	assert_int_equal(d.nrecords, 101);
	assert_int_equal(d.language, DBF_LANG_CP1256);
	int64_t v;
	const unsigned char *r = dbf_record(&d, 42);
	assert_int_equal(dbf_parse_int(r + d.fields[1].offset, d.fields[1].width, &v), DBF_NUM_OK);
	assert_true(v == 2300000LL * 42);
	assert_int_equal(dbf_parse_int(r + d.fields[2].offset, d.fields[2].width, &v), DBF_NUM_OK);
	assert_int_equal(v, -7);
	dbf_close(&d);
}

static void test_writer_spec(void **state)
{
	(void)state;
	char path[128];
	snprintf(path, sizeof path, "%s/bad.dbf", tmpdir);
	struct dbf_writer w;
	struct err e = {0};
	static const struct dbf_spec longname[] = {{"ELEVEN_CHAR", 'C', 5, 0}};
	assert_int_equal(dbf_writer_open(&w, path, longname, 1, 0, &e), -1);
	assert_string_equal(e.code, "dbf_spec");
	static const struct dbf_spec wide[] = {{"A", 'C', 255, 0}};
	assert_int_equal(dbf_writer_open(&w, path, wide, 1, 0, &e), -1);
	static const struct dbf_spec type[] = {{"A", 'M', 10, 0}};
	assert_int_equal(dbf_writer_open(&w, path, type, 1, 0, &e), -1);
	assert_int_equal(dbf_writer_open(&w, path, type, 0, 0, &e), -1);
	static const struct dbf_spec ok[] = {{"A", 'C', 5, 0}};
	assert_int_equal(dbf_writer_open(&w, "/nonexistent/dir/x.dbf", ok, 1, 0, &e), -1);
	assert_string_equal(e.code, "io");
	/* An empty table is a valid one. */
	assert_int_equal(dbf_writer_open(&w, path, ok, 1, 0, &e), 0);
	assert_int_equal(dbf_writer_close(&w, &e), 0);
	struct dbf d;
	assert_int_equal(dbf_open(&d, path, &e), 0);
	assert_int_equal(d.nrecords, 0);
	dbf_close(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_header),    cmocka_unit_test(test_deleted),
	    cmocka_unit_test(test_invalid),   cmocka_unit_test(test_wide_text_field),
	    cmocka_unit_test(test_parse_int), cmocka_unit_test(test_open_file),
	    cmocka_unit_test(test_writer),    cmocka_unit_test(test_writer_spec),
	};
	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
