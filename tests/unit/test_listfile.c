#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <shapefil.h>
#include <unistd.h>

#include "listfile/listfile.h"
#include "listgen.h"

static char tmpdir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/tamin-lists-XXXXXX");
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

/* The sample list (listgen.h) as the typed view should read it. */
static void sample_header(struct list_header *h)
{
	memset(h, 0, sizeof *h);
	strcpy(h->workshop, "1234567890");
	strcpy(h->name, "کارگاه نمونه");
	strcpy(h->employer, "رضا احمدی");
	strcpy(h->address, "تهران");
	h->year = 1403;
	h->month = 7;
	strcpy(h->list_no, "01");
	strcpy(h->description, "لیست مهر");
	h->workers = 3;
	h->days = 90;
	h->daily_wages = 6900000;
	h->monthly_wages = 207000000;
	h->benefits = 30000000;
	h->insurable = 237000000;
	h->total = 237000000;
	h->worker_share = 16590000;
	h->employer_share = 47400000;
	h->unemployment = 7110000;
	h->rate = 23;
	strcpy(h->contract_row, "000");
}

static void sample_worker(int k, struct list_worker *w)
{
	static const char *const fname[] = {"علی", "محمدحسین", "زهرا"};
	static const char *const lname[] = {"سرخرود", "میرزاعلی", "حسین\u200Cزاده"};
	static const char *const dname[] = {"حسن", "محمد", "علی"};
	static const char *const id1[] = {"12345678", "23456789", "34567890"};
	static const char *const natid[] = {"0499370899", "0012345679", "1234567891"};
	memset(w, 0, sizeof *w);
	strcpy(w->workshop, "1234567890");
	w->year = 1403;
	w->month = 7;
	strcpy(w->list_no, "01");
	strcpy(w->insurance_no, id1[k]);
	strcpy(w->first_name, fname[k]);
	strcpy(w->last_name, lname[k]);
	strcpy(w->father_name, dname[k]);
	strcpy(w->id_no, k == 2 ? "" : "1234");
	strcpy(w->id_place, "تهران");
	if (k != 2)
		w->id_date = (struct jdate){1370, 5, 12};
	w->birth_date = (struct jdate){1360, 1, 1};
	w->sex = k == 2 ? LIST_SEX_FEMALE : LIST_SEX_MALE;
	strcpy(w->nationality, "ایرانی");
	strcpy(w->job_title, "کارگر");
	w->start_date = (struct jdate){1400, 1, 1};
	if (k == 1)
		w->end_date = (struct jdate){1403, 7, 20};
	w->days = 30;
	w->daily_wage = 2300000;
	w->monthly_wage = 69000000;
	w->benefits = 10000000;
	w->insurable = 79000000;
	w->total = 79000000;
	w->worker_share = 5530000;
	strcpy(w->job_code, "931290");
	strcpy(w->national_id, natid[k]);
}

static void dump_issues(const struct list_issues *iss)
{
	for (size_t i = 0; i < iss->n; i++)
		print_message("issue: file %d row %u %s %s: %s\n", iss->items[i].file,
			      iss->items[i].row, iss->items[i].field, iss->items[i].code,
			      iss->items[i].message_en);
}

/* Reads a whole pair and compares it with the sample. */
static void check_sample(struct list_reader *r, uint32_t rows)
{
	struct list_issues iss;
	list_issues_init(&iss, 0);
	struct list_header h, want_h;
	assert_int_equal(list_reader_header(r, &h, &iss), 0);
	sample_header(&want_h);
	assert_string_equal(h.name, want_h.name);
	assert_memory_equal(&h, &want_h, sizeof h);
	struct list_worker w, want;
	uint32_t n = 0, row;
	memset(&w, 0, sizeof w);
	while (list_reader_next(r, &w, &row, &iss)) {
		sample_worker((int)(n % 3), &want);
		assert_int_equal(row, n + 1);
		assert_string_equal(w.last_name, want.last_name);
		assert_memory_equal(&w, &want, sizeof w);
		memset(&w, 0, sizeof w);
		n++;
	}
	assert_int_equal(n, rows);
	dump_issues(&iss);
	assert_int_equal(list_issues_count(&iss), 0);
	list_issues_release(&iss);
}

static void test_read_sample(void **state)
{
	(void)state;
	for (int enc = LG_CP1256; enc <= LG_IRANSYS; enc++) {
		struct lg kar, wor;
		lg_sample(enc, 3, &kar, &wor);
		struct list_reader r;
		struct list_issues iss;
		list_issues_init(&iss, 0);
		struct err e = {0};
		assert_int_equal(list_reader_open_mem(&r, kar.buf, kar.len, wor.buf, wor.len,
						      CODEC_UNKNOWN, &iss, &e),
				 0);
		assert_int_equal(iss.n, 0);
		assert_int_equal(r.enc, enc == LG_CP1256 ? CODEC_CP1256 : CODEC_IRANSYS);
		assert_true(r.guess.confident);
		assert_int_equal(enc == LG_CP1256 ? r.guess.sex_cp1256 : r.guess.sex_iransys, 3);
		check_sample(&r, 3);
		list_reader_close(&r);
		list_issues_release(&iss);
		free(kar.buf);
		free(wor.buf);
	}
}

static void test_read_files(void **state)
{
	(void)state;
	struct lg kar, wor;
	lg_sample(LG_IRANSYS, 300, &kar, &wor);
	char kp[128], wp[128];
	snprintf(kp, sizeof kp, "%s/DSKKAR00.DBF", tmpdir);
	snprintf(wp, sizeof wp, "%s/DSKWOR00.DBF", tmpdir);
	lg_save(&kar, kp);
	lg_save(&wor, wp);
	struct list_reader r;
	struct err e = {0};
	assert_int_equal(list_reader_open(&r, kp, wp, CODEC_UNKNOWN, NULL, &e), 0);
	assert_int_equal(r.enc, CODEC_IRANSYS);
	check_sample(&r, 300);
	list_reader_close(&r);
	/* Forcing the wrong encoding is obeyed (and reads garbage, not a crash). */
	assert_int_equal(list_reader_open(&r, kp, wp, CODEC_CP1256, NULL, &e), 0);
	assert_int_equal(r.enc, CODEC_CP1256);
	assert_non_null(strstr(r.guess.why, "as the caller said"));
	struct list_worker w;
	assert_int_equal(list_reader_next(&r, &w, NULL, NULL), 1);
	assert_string_not_equal(w.first_name, "علی");
	list_reader_close(&r);
	/* A missing or broken file names which one. */
	snprintf(wp, sizeof wp, "%s/NONE.DBF", tmpdir);
	assert_int_equal(list_reader_open(&r, kp, wp, CODEC_UNKNOWN, NULL, &e), -1);
	assert_int_equal(e.status, 404);
	assert_non_null(strstr(e.message, "DSKWOR00"));
	list_reader_close(&r);
	free(kar.buf);
	free(wor.buf);
}

static const struct list_issue *find_issue(const struct list_issues *iss, uint32_t row,
					   const char *field, const char *code)
{
	for (size_t i = 0; i < iss->n; i++)
		if (iss->items[i].row == row && strcmp(iss->items[i].field, field) == 0 &&
		    strcmp(iss->items[i].code, code) == 0)
			return &iss->items[i];
	dump_issues(iss);
	fail_msg("no issue %s at row %u, %s", code, (unsigned)row, field);
	return NULL;
}

/* A producer with its own columns: reordered, other widths, one added, one missing,
 * and bad values, all reported per row and column without stopping. */
static void test_read_problems(void **state)
{
	(void)state;
	static const struct lg_field fields[] = {
	    {"PER_NATCOD", 'C', 10}, {"DSW_FNAME", 'C', 100}, {"DSW_LNAME", 'C', 100},
	    {"DSW_INC", 'N', 12},    {"DSW_ID", 'C', 10},     {"DSW_YY", 'N', 4},
	    {"DSW_MM", 'N', 2},	     {"DSW_SEX", 'C', 3},     {"DSW_BDATE", 'C', 8},
	    {"DSW_DD", 'N', 3},	     {"DSW_ROOZ", 'N', 14},   {"DSW_MAH", 'N', 14},
	    {"DSW_MAZ", 'N', 20},    {"DSW_OCP", 'C', 60},
	};
	const size_t nf = sizeof fields / sizeof fields[0];
	struct lg kar, wor, unused;
	lg_sample(LG_CP1256, 0, &kar, &unused);
	free(unused.buf);
	lg_start(&wor, fields, (unsigned)nf, 0x7E);
	const char *good[] = {"0499370899",
			      "\xDA\xE1\xED",
			      "\xD3\xD1\xCE\xD1\xE6\xCF",
			      "5",
			      "1234567890",
			      "1403",
			      "7",
			      "\xE3\xD1\xCF",
			      "13600101",
			      "31",
			      "2300000",
			      "71300000",
			      "0",
			      "\x98\xC7\xD1\x90\xD1"};
	lg_row(&wor, good, ' ');
	const char *bad[] = {"0499370899",
			     "\xDA\xE1\xED",
			     "",
			     "x",
			     "1234567890",
			     "1277",
			     "7",
			     "\xDA\xE1\xED",
			     "14031345",
			     "3a",
			     "2300000.50",
			     "   ***",
			     "99999999999999999999",
			     "\x98\xC7\xD1\x90\xD1"};
	lg_row(&wor, bad, ' ');
	lg_row(&wor, good, '*');
	lg_row(&wor, good, ' ');
	lg_finish(&wor);

	struct list_reader r;
	struct list_issues iss;
	list_issues_init(&iss, 0);
	assert_int_equal(
	    list_reader_open_mem(&r, kar.buf, kar.len, wor.buf, wor.len, CODEC_UNKNOWN, &iss, NULL),
	    0);
	assert_int_equal(r.enc, CODEC_CP1256);
	/* Thirteen template columns are missing from this DSKWOR00, each named once. */
	assert_int_equal(iss.n, 27 - 13);
	const struct list_issue *it = find_issue(&iss, 0, "DSW_DNAME", "missing_field");
	assert_int_equal(it->file, LIST_FILE_WOR);
	assert_string_equal(it->message_en, "column DSW_DNAME is missing");
	assert_string_equal(it->message_fa, "ستون DSW_DNAME در فایل نیست");
	find_issue(&iss, 0, "DSW_JOB", "missing_field");
	list_issues_release(&iss);

	struct list_worker w;
	uint32_t row;
	assert_int_equal(list_reader_next(&r, &w, &row, &iss), 1);
	assert_int_equal(row, 1);
	assert_int_equal(iss.n, 0);
	assert_string_equal(w.first_name, "علی");
	assert_string_equal(w.job_title, "کارگر");
	assert_int_equal(w.year, 1403);
	assert_int_equal(w.days, 31);
	assert_true(w.monthly_wage == 71300000);
	assert_int_equal(w.sex, LIST_SEX_MALE);
	assert_string_equal(w.father_name, ""); /* missing column: empty */
	assert_int_equal(w.id_date.y, 0);

	assert_int_equal(list_reader_next(&r, &w, &row, &iss), 1);
	assert_int_equal(row, 2);
	find_issue(&iss, 2, "DSW_YY", "number_range");
	it = find_issue(&iss, 2, "DSW_SEX", "bad_sex");
	assert_int_equal(it->file, LIST_FILE_WOR);
	assert_non_null(strstr(it->message_fa, "«علی»"));
	it = find_issue(&iss, 2, "DSW_BDATE", "bad_date");
	assert_non_null(strstr(it->message_en, "14031345"));
	find_issue(&iss, 2, "DSW_DD", "bad_number");
	find_issue(&iss, 2, "DSW_ROOZ", "fraction");
	find_issue(&iss, 2, "DSW_MAH", "bad_number");
	find_issue(&iss, 2, "DSW_MAZ", "number_range");
	assert_int_equal(iss.n, 7);
	assert_int_equal(w.sex, LIST_SEX_UNKNOWN);
	assert_int_equal(w.year, 0);
	assert_int_equal(w.days, 0);
	assert_true(w.daily_wage == 0);
	assert_string_equal(w.last_name, "");
	for (size_t i = 0; i < iss.n; i++) {
		assert_true(strlen(iss.items[i].message_fa) > 0);
		assert_non_null(strstr(iss.items[i].message_en, iss.items[i].field));
	}

	/* The deleted third record is skipped; the fourth keeps its number. */
	assert_int_equal(list_reader_next(&r, &w, &row, &iss), 1);
	assert_int_equal(row, 4);
	assert_int_equal(r.deleted, 1);
	assert_int_equal(list_reader_next(&r, &w, &row, &iss), 0);
	assert_int_equal(iss.n, 7);

	/* DSKKAR00 has its one row. */
	struct list_header h;
	assert_int_equal(list_reader_header(&r, &h, &iss), 0);
	assert_string_equal(h.name, "کارگاه نمونه");
	assert_int_equal(iss.n, 7);
	list_reader_close(&r);
	list_issues_release(&iss);
	free(kar.buf);
	free(wor.buf);
}

static void test_header_rows(void **state)
{
	(void)state;
	struct lg kar, wor;
	lg_sample(LG_CP1256, 1, &kar, &wor);
	struct lg two, none;
	const char *v[LG_NKAR];
	lg_kar_values(LG_CP1256, v);
	lg_start(&two, lg_kar_fields, LG_NKAR, 0x7E);
	lg_row(&two, v, '*');
	lg_row(&two, v, ' ');
	lg_row(&two, v, ' ');
	lg_finish(&two);
	lg_start(&none, lg_kar_fields, LG_NKAR, 0x7E);
	lg_finish(&none);

	struct list_reader r;
	struct list_issues iss;
	list_issues_init(&iss, 0);
	struct list_header h;
	assert_int_equal(
	    list_reader_open_mem(&r, two.buf, two.len, wor.buf, wor.len, CODEC_UNKNOWN, &iss, NULL),
	    0);
	assert_int_equal(list_reader_header(&r, &h, &iss), 0);
	assert_string_equal(h.workshop, "1234567890");
	const struct list_issue *it = find_issue(&iss, 0, "", "header_rows");
	assert_int_equal(it->file, LIST_FILE_KAR);
	assert_string_equal(it->message_en, "DSKKAR00 must hold exactly one row; it holds 2");
	list_reader_close(&r);
	list_issues_release(&iss);

	assert_int_equal(list_reader_open_mem(&r, none.buf, none.len, wor.buf, wor.len,
					      CODEC_UNKNOWN, &iss, NULL),
			 0);
	assert_int_equal(list_reader_header(&r, &h, &iss), -1);
	find_issue(&iss, 0, "", "header_rows");
	list_reader_close(&r);
	list_issues_release(&iss);
	free(two.buf);
	free(none.buf);
	free(kar.buf);
	free(wor.buf);
}

/* An Iran System file with box-drawing bytes in a name: reported, still read. */
static void test_read_bad_text(void **state)
{
	(void)state;
	struct lg kar, wor, unused;
	lg_sample(LG_IRANSYS, 0, &kar, &unused);
	free(unused.buf);
	const char *v[LG_NWOR];
	lg_start(&wor, lg_wor_fields, LG_NWOR, 0);
	for (int k = 0; k < 3; k++) {
		lg_wor_values(LG_IRANSYS, k, v);
		lg_row(&wor, v, ' ');
	}
	lg_wor_values(LG_IRANSYS, 0, v);
	v[5] = "\xFC\xF3\xC4\xE4"; /* علی with a box-drawing ─ inside */
	lg_row(&wor, v, ' ');
	lg_finish(&wor);
	struct list_reader r;
	struct list_issues iss;
	list_issues_init(&iss, 1);
	assert_int_equal(
	    list_reader_open_mem(&r, kar.buf, kar.len, wor.buf, wor.len, CODEC_UNKNOWN, &iss, NULL),
	    0);
	assert_int_equal(r.enc, CODEC_IRANSYS);
	struct list_worker w;
	uint32_t row = 0;
	while (list_reader_next(&r, &w, &row, &iss))
		;
	assert_int_equal(iss.n, 1);
	assert_int_equal(iss.items[0].row, 4);
	assert_string_equal(iss.items[0].field, "DSW_FNAME");
	assert_string_equal(iss.items[0].code, "bad_text");
	/* With room for one issue, a second is only counted. */
	r.next = 3;
	assert_int_equal(list_reader_next(&r, &w, &row, &iss), 1);
	assert_int_equal(iss.n, 1);
	assert_int_equal(iss.dropped, 1);
	assert_int_equal(list_issues_count(&iss), 2);
	list_reader_close(&r);
	list_issues_release(&iss);
	free(kar.buf);
	free(wor.buf);
}

/* ---- writing ---- */

static void paths(const char *tag, char *kp, char *wp)
{
	snprintf(kp, 128, "%s/%s-DSKKAR00.DBF", tmpdir, tag);
	snprintf(wp, 128, "%s/%s-DSKWOR00.DBF", tmpdir, tag);
}

static const char *shp_text(DBFHandle h, int row, const char *field, enum codec_enc enc)
{
	static char buf[2048];
	int f = DBFGetFieldIndex(h, field);
	assert_true(f >= 0);
	const char *s = DBFReadStringAttribute(h, row, f);
	assert_true(codec_decode(enc, s, strlen(s), buf, sizeof buf, NULL) >= 0);
	return buf;
}

static int64_t shp_int(DBFHandle h, int row, const char *field)
{
	int f = DBFGetFieldIndex(h, field);
	assert_true(f >= 0);
	double d = DBFReadDoubleAttribute(h, row, f);
	return (int64_t)d;
}

static const char *date_text(struct jdate j)
{
	static char buf[16];
	if (!j.y)
		return "";
	snprintf(buf, sizeof buf, "%04d%02d%02d", j.y, j.m, j.d);
	return buf;
}

/* Written in each encoding, read back by shapelib (every column compared) and by our
 * reader (the same structs). */
static void test_write_read(void **state)
{
	(void)state;
	struct list_header h;
	sample_header(&h);
	struct list_worker ws[6];
	for (int i = 0; i < 6; i++)
		sample_worker(i % 3, &ws[i]);
	strcpy(ws[3].job_title, "گچ‌کار (ساختمان) 2");
	strcpy(ws[4].last_name, "عبدالله‌زاده لطفعلی");
	strcpy(h.address, "تهران، خیابان آزادی، پلاک 12");
	for (int enc = CODEC_CP1256; enc <= CODEC_IRANSYS; enc++) {
		char kp[128], wp[128];
		paths(codec_name(enc), kp, wp);
		struct list_issues iss;
		list_issues_init(&iss, 0);
		struct err e = {0};
		assert_int_equal(list_write_files(kp, wp, enc, &h, ws, 6, &iss, &e), 0);
		dump_issues(&iss);
		assert_int_equal(list_issues_count(&iss), 0);

		DBFHandle k = DBFOpen(kp, "rb"), w = DBFOpen(wp, "rb");
		assert_non_null(k);
		assert_non_null(w);
		assert_int_equal(DBFGetRecordCount(k), 1);
		assert_int_equal(DBFGetRecordCount(w), 6);
		assert_int_equal(DBFGetFieldCount(k), LG_NKAR);
		assert_int_equal(DBFGetFieldCount(w), LG_NWOR);
		if (enc == CODEC_CP1256) {
			assert_string_equal(DBFGetCodePage(w), "LDID/126");
			assert_string_equal(DBFGetCodePage(k), "LDID/126");
		}
		for (int i = 0; i < (int)LG_NWOR; i++) {
			char name[12];
			int width, dec;
			DBFGetFieldInfo(w, i, name, &width, &dec);
			assert_string_equal(name, lg_wor_fields[i].name);
			assert_int_equal(width, lg_wor_fields[i].width);
			assert_int_equal(DBFGetNativeFieldType(w, i), lg_wor_fields[i].type);
		}
		for (int i = 0; i < (int)LG_NKAR; i++) {
			char name[12];
			int width, dec;
			DBFGetFieldInfo(k, i, name, &width, &dec);
			assert_string_equal(name, lg_kar_fields[i].name);
			assert_int_equal(width, lg_kar_fields[i].width);
		}
		assert_string_equal(shp_text(k, 0, "DSK_ID", enc), h.workshop);
		assert_string_equal(shp_text(k, 0, "DSK_NAME", enc), h.name);
		assert_string_equal(shp_text(k, 0, "DSK_FARM", enc), h.employer);
		assert_string_equal(shp_text(k, 0, "DSK_ADRS", enc), h.address);
		assert_int_equal(shp_int(k, 0, "DSK_KIND"), h.kind);
		assert_int_equal(shp_int(k, 0, "DSK_YY"), 3);
		assert_int_equal(shp_int(k, 0, "DSK_MM"), h.month);
		assert_string_equal(shp_text(k, 0, "DSK_LISTNO", enc), h.list_no);
		assert_string_equal(shp_text(k, 0, "DSK_DISC", enc), h.description);
		assert_true(shp_int(k, 0, "DSK_NUM") == h.workers);
		assert_true(shp_int(k, 0, "DSK_TDD") == h.days);
		assert_true(shp_int(k, 0, "DSK_TROOZ") == h.daily_wages);
		assert_true(shp_int(k, 0, "DSK_TMAH") == h.monthly_wages);
		assert_true(shp_int(k, 0, "DSK_TMAZ") == h.benefits);
		assert_true(shp_int(k, 0, "DSK_TMASH") == h.insurable);
		assert_true(shp_int(k, 0, "DSK_TTOTL") == h.total);
		assert_true(shp_int(k, 0, "DSK_TBIME") == h.worker_share);
		assert_true(shp_int(k, 0, "DSK_TKOSO") == h.employer_share);
		assert_true(shp_int(k, 0, "DSK_BIC") == h.unemployment);
		assert_int_equal(shp_int(k, 0, "DSK_RATE"), h.rate);
		assert_int_equal(shp_int(k, 0, "DSK_PRATE"), h.prate);
		assert_true(shp_int(k, 0, "DSK_BIMH") == h.hard_job_share);
		assert_string_equal(shp_text(k, 0, "MON_PYM", enc), h.contract_row);
		for (int i = 0; i < 6; i++) {
			const struct list_worker *x = &ws[i];
			assert_string_equal(shp_text(w, i, "DSW_ID", enc), x->workshop);
			assert_int_equal(shp_int(w, i, "DSW_YY"), x->year % 100);
			assert_int_equal(shp_int(w, i, "DSW_MM"), x->month);
			assert_string_equal(shp_text(w, i, "DSW_LISTNO", enc), x->list_no);
			assert_string_equal(shp_text(w, i, "DSW_ID1", enc), x->insurance_no);
			assert_string_equal(shp_text(w, i, "DSW_FNAME", enc), x->first_name);
			assert_string_equal(shp_text(w, i, "DSW_LNAME", enc), x->last_name);
			assert_string_equal(shp_text(w, i, "DSW_DNAME", enc), x->father_name);
			assert_string_equal(shp_text(w, i, "DSW_IDNO", enc), x->id_no);
			assert_string_equal(shp_text(w, i, "DSW_IDPLC", enc), x->id_place);
			assert_string_equal(shp_text(w, i, "DSW_IDATE", enc),
					    date_text(x->id_date));
			assert_string_equal(shp_text(w, i, "DSW_BDATE", enc),
					    date_text(x->birth_date));
			assert_string_equal(shp_text(w, i, "DSW_SEX", enc),
					    x->sex == LIST_SEX_MALE ? "مرد" : "زن");
			assert_string_equal(shp_text(w, i, "DSW_NAT", enc), x->nationality);
			assert_string_equal(shp_text(w, i, "DSW_OCP", enc), x->job_title);
			assert_string_equal(shp_text(w, i, "DSW_SDATE", enc),
					    date_text(x->start_date));
			assert_string_equal(shp_text(w, i, "DSW_EDATE", enc),
					    date_text(x->end_date));
			assert_int_equal(shp_int(w, i, "DSW_DD"), x->days);
			assert_true(shp_int(w, i, "DSW_ROOZ") == x->daily_wage);
			assert_true(shp_int(w, i, "DSW_MAH") == x->monthly_wage);
			assert_true(shp_int(w, i, "DSW_MAZ") == x->benefits);
			assert_true(shp_int(w, i, "DSW_MASH") == x->insurable);
			assert_true(shp_int(w, i, "DSW_TOTL") == x->total);
			assert_true(shp_int(w, i, "DSW_BIME") == x->worker_share);
			assert_int_equal(shp_int(w, i, "DSW_PRATE"), x->prate);
			assert_string_equal(shp_text(w, i, "DSW_JOB", enc), x->job_code);
			assert_string_equal(shp_text(w, i, "PER_NATCOD", enc), x->national_id);
			/* Codes and dates are ASCII in either encoding. */
			int f = DBFGetFieldIndex(w, "PER_NATCOD");
			assert_string_equal(DBFReadStringAttribute(w, i, f), x->national_id);
		}
		DBFClose(k);
		DBFClose(w);

		/* Our reader: the encoding is found again and every struct comes back. */
		struct list_reader r;
		assert_int_equal(list_reader_open(&r, kp, wp, CODEC_UNKNOWN, &iss, &e), 0);
		assert_int_equal(r.enc, enc);
		assert_true(r.guess.confident);
		struct list_header hh;
		assert_int_equal(list_reader_header(&r, &hh, &iss), 0);
		assert_memory_equal(&hh, &h, sizeof h);
		struct list_worker x;
		for (int i = 0; i < 6; i++) {
			memset(&x, 0, sizeof x);
			assert_int_equal(list_reader_next(&r, &x, NULL, &iss), 1);
			assert_string_equal(x.job_title, ws[i].job_title);
			assert_string_equal(x.last_name, ws[i].last_name);
			assert_memory_equal(&x, &ws[i], sizeof x);
		}
		assert_int_equal(list_reader_next(&r, &x, NULL, &iss), 0);
		assert_int_equal(list_issues_count(&iss), 0);
		list_reader_close(&r);
		list_issues_release(&iss);
	}
}

/* What does not fit is reported per row and column and the rest is written. */
static void test_write_problems(void **state)
{
	(void)state;
	struct list_header h;
	sample_header(&h);
	h.workers = 123456; /* N5 */
	struct list_worker ws[2];
	sample_worker(0, &ws[0]);
	sample_worker(1, &ws[1]);
	/* 61 letters for a 60-byte column; a character neither code page has; 3 digits in N2. */
	char longname[200] = "";
	for (int i = 0; i < 61; i++)
		strcat(longname, "ب");
	strcpy(ws[1].first_name, longname);
	strcpy(ws[1].job_title, "کارگر \xF0\x9F\x98\x80");
	ws[1].days = 123;
	strcpy(ws[1].national_id, "04993708991");
	for (int enc = CODEC_CP1256; enc <= CODEC_IRANSYS; enc++) {
		char kp[128], wp[128];
		paths("bad", kp, wp);
		struct list_issues iss;
		list_issues_init(&iss, 0);
		assert_int_equal(list_write_files(kp, wp, enc, &h, ws, 2, &iss, NULL), 0);
		find_issue(&iss, 2, "DSW_FNAME", "text_too_long");
		const struct list_issue *it = find_issue(&iss, 2, "DSW_OCP", "unmapped_char");
		assert_non_null(strstr(it->message_en, "U+1F600"));
		find_issue(&iss, 2, "DSW_DD", "number_too_wide");
		find_issue(&iss, 2, "PER_NATCOD", "text_too_long");
		it = find_issue(&iss, 1, "DSK_NUM", "number_too_wide");
		assert_int_equal(it->file, LIST_FILE_KAR);
		assert_int_equal(iss.n, 5);
		list_issues_release(&iss);

		struct list_reader r;
		assert_int_equal(list_reader_open(&r, kp, wp, CODEC_UNKNOWN, &iss, NULL), 0);
		assert_int_equal(r.enc, enc);
		struct list_worker x;
		assert_int_equal(list_reader_next(&r, &x, NULL, &iss), 1);
		assert_string_equal(x.first_name, "علی");
		assert_int_equal(list_reader_next(&r, &x, NULL, &iss), 1);
		assert_int_equal(strlen(x.first_name), 120); /* cut at 60 letters */
		assert_string_equal(x.job_title, "کارگر ?");
		assert_string_equal(x.national_id, "0499370899");
		find_issue(&iss, 2, "DSW_DD", "bad_number"); /* "**" as written */
		list_reader_close(&r);
		list_issues_release(&iss);
	}
}

static void test_writer_errors(void **state)
{
	(void)state;
	struct list_writer w;
	struct err e = {0};
	char kp[128], wp[128];
	paths("err", kp, wp);
	assert_int_equal(list_writer_open(&w, kp, wp, CODEC_UTF8, &e), -1);
	assert_string_equal(e.code, "bad_encoding");
	assert_int_equal(list_writer_open(&w, kp, "/nonexistent/x/DSKWOR00.DBF", CODEC_CP1256, &e),
			 -1);
	assert_int_equal(access(kp, F_OK), -1); /* the first file is removed again */
	/* Given up: both removed. */
	assert_int_equal(list_writer_open(&w, kp, wp, CODEC_IRANSYS, &e), 0);
	struct list_worker x;
	sample_worker(0, &x);
	assert_int_equal(list_writer_add(&w, &x, NULL, &e), 0);
	list_writer_abort(&w);
	assert_int_equal(access(kp, F_OK), -1);
	assert_int_equal(access(wp, F_OK), -1);
}

/* Many rows through the typed reader, as an import streams them. */
static void test_many_rows(void **state)
{
	(void)state;
	struct lg kar, wor;
	lg_sample(LG_CP1256, 30000, &kar, &wor);
	struct list_reader r;
	assert_int_equal(
	    list_reader_open_mem(&r, kar.buf, kar.len, wor.buf, wor.len, CODEC_UNKNOWN, NULL, NULL),
	    0);
	struct list_worker w;
	uint32_t n = 0;
	int64_t sum = 0;
	while (list_reader_next(&r, &w, NULL, NULL)) {
		sum += w.insurable;
		n++;
	}
	assert_int_equal(n, 30000);
	assert_true(sum == 30000LL * 79000000);
	list_reader_close(&r);
	free(kar.buf);
	free(wor.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_read_sample),	   cmocka_unit_test(test_read_files),
	    cmocka_unit_test(test_read_problems),  cmocka_unit_test(test_header_rows),
	    cmocka_unit_test(test_read_bad_text),  cmocka_unit_test(test_write_read),
	    cmocka_unit_test(test_write_problems), cmocka_unit_test(test_writer_errors),
	    cmocka_unit_test(test_many_rows),
	};
	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
