/* A list's rows as stored (lists/rows.h): one row as a line and back, a list's rows read
 * by several threads' parts, stored in compressed blocks and read back, a person found by
 * their latest row, and blocks written as plain text by migration 010. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "dbfixture.h"
#include "listgen.h"
#include "lists/dict.h"
#include "lists/entries.h"
#include "lists/rows.h"

static void worker(int k, struct list_worker *w)
{
	memset(w, 0, sizeof *w);
	snprintf(w->national_id, sizeof w->national_id, "%010d", 0);
	/* valid national ids: 9 digits and their check digit */
	char nine[10];
	snprintf(nine, sizeof nine, "%09d", 100000000 + k * 7);
	int sum = 0;
	for (int i = 0; i < 9; i++)
		sum += (nine[i] - '0') * (10 - i);
	int r = sum % 11;
	snprintf(w->national_id, sizeof w->national_id, "%s%d", nine, r < 2 ? r : 11 - r);
	snprintf(w->insurance_no, sizeof w->insurance_no, "%08d", k);
	snprintf(w->first_name, sizeof w->first_name, "علی %d", k);
	snprintf(w->last_name, sizeof w->last_name, "رضایی");
	snprintf(w->father_name, sizeof w->father_name, "حسن");
	snprintf(w->id_no, sizeof w->id_no, "1234");
	snprintf(w->id_place, sizeof w->id_place, "تهران");
	snprintf(w->nationality, sizeof w->nationality, "ایرانی");
	snprintf(w->job_title, sizeof w->job_title, "کارگر\tساده"); /* a tab, made a space */
	snprintf(w->job_code, sizeof w->job_code, "931290");
	w->sex = k % 2 ? LIST_SEX_FEMALE : LIST_SEX_MALE;
	w->birth_date = (struct jdate){1360 + k % 30, 1 + k % 12, 1 + k % 28};
	w->id_date = (struct jdate){1370, 5, 12};
	w->start_date = (struct jdate){1400, 1, 1};
	w->end_date = k % 5 ? (struct jdate){0, 0, 0} : (struct jdate){1405, 6, 31};
	w->days = 1 + k % 31;
	w->daily_wage = 2300000 + k;
	w->monthly_wage = 69000000 + k;
	w->benefits = k % 3 ? 0 : 10000000;
	w->insurable = 79000000 + k;
	w->total = w->monthly_wage + w->benefits;
	w->worker_share = -5; /* signs survive, whatever a row says */
	w->prate = 2;
}

static void same_worker(const struct list_worker *a, const struct list_worker *b)
{
	assert_string_equal(a->national_id, b->national_id);
	assert_string_equal(a->insurance_no, b->insurance_no);
	assert_string_equal(a->first_name, b->first_name);
	assert_string_equal(a->last_name, b->last_name);
	assert_string_equal(a->father_name, b->father_name);
	assert_string_equal(a->id_no, b->id_no);
	assert_string_equal(a->id_place, b->id_place);
	assert_string_equal(a->nationality, b->nationality);
	assert_string_equal(a->job_code, b->job_code);
	assert_int_equal(a->sex, b->sex);
	assert_memory_equal(&a->birth_date, &b->birth_date, sizeof a->birth_date);
	assert_memory_equal(&a->id_date, &b->id_date, sizeof a->id_date);
	assert_memory_equal(&a->start_date, &b->start_date, sizeof a->start_date);
	assert_memory_equal(&a->end_date, &b->end_date, sizeof a->end_date);
	assert_int_equal(a->days, b->days);
	assert_int_equal(a->daily_wage, b->daily_wage);
	assert_int_equal(a->monthly_wage, b->monthly_wage);
	assert_int_equal(a->benefits, b->benefits);
	assert_int_equal(a->insurable, b->insurable);
	assert_int_equal(a->total, b->total);
	assert_int_equal(a->worker_share, b->worker_share);
	assert_int_equal(a->prate, b->prate);
}

static void test_line_roundtrip(void **state)
{
	(void)state;
	struct list_text t = {0};
	struct list_worker a, b;
	uint32_t row = 0;
	for (int k = 0; k < 40; k++) {
		worker(k, &a);
		t.len = 0;
		assert_int_equal(list_line_encode(&t, (uint32_t)k + 1, &a), 0);
		assert_null(memchr(t.data, '\n', t.len));
		assert_int_equal(list_line_decode(t.data, t.len, &b, &row), 0);
		assert_int_equal(row, k + 1);
		snprintf(a.job_title, sizeof a.job_title, "کارگر ساده");
		assert_string_equal(b.job_title, a.job_title);
		same_worker(&a, &b);
	}
	/* a line cut short is damage, not a row of zeros */
	assert_int_equal(list_line_decode(t.data, t.len / 2, &b, &row), -1);
	assert_int_equal(list_line_decode("", 0, &b, &row), -1);
	list_text_release(&t);
}

/* The parts list_reader_split makes cover every live row once, in order, and each run
 * but the last ends on a block. */
static void test_split(void **state)
{
	(void)state;
	struct lg kar, wor;
	const char *v[LG_NWOR];
	lg_start(&kar, lg_kar_fields, LG_NKAR, 0x7E);
	lg_kar_values(LG_CP1256, v);
	lg_row(&kar, v, ' ');
	lg_finish(&kar);
	lg_start(&wor, lg_wor_fields, LG_NWOR, 0x7E);
	uint32_t live = 0;
	for (uint32_t i = 0; i < 20000; i++) {
		char id1[16];
		lg_wor_values(LG_CP1256, (int)(i % 3), v);
		snprintf(id1, sizeof id1, "%08u", i);
		v[4] = id1;
		int deleted = i % 7 == 3;
		lg_row(&wor, v, deleted ? '*' : ' ');
		live += !deleted;
	}
	lg_finish(&wor);
	struct list_reader r;
	assert_int_equal(
	    list_reader_open_mem(&r, kar.buf, kar.len, wor.buf, wor.len, CODEC_UNKNOWN, NULL, NULL),
	    0);
	struct list_reader parts[4];
	uint32_t first[4];
	int n = list_reader_split(&r, parts, first, 3, 1024);
	assert_int_equal(n, 3);
	assert_int_equal(first[0], 0);
	uint32_t seen = 0, expect_rec = 0;
	struct list_worker w;
	uint32_t rec;
	for (int k = 0; k < n; k++) {
		assert_int_equal(first[k], seen);
		if (k)
			assert_int_equal(first[k] % 1024, 0);
		while (list_reader_next(&parts[k], &w, &rec, NULL) == 1) {
			/* the next live record, whichever part reads it */
			while (expect_rec % 7 == 3)
				expect_rec++;
			assert_int_equal(rec, expect_rec + 1);
			char id1[16];
			snprintf(id1, sizeof id1, "%08u", expect_rec);
			assert_string_equal(w.insurance_no, id1);
			expect_rec++;
			seen++;
		}
	}
	assert_int_equal(seen, live);
	for (int k = 0; k < n; k++)
		list_reader_close(&parts[k]);
	/* a small list is not shared */
	assert_int_equal(list_reader_split(&r, parts, first, 3, 4096), 1);
	list_reader_close(&r);
	free(kar.buf);
	free(wor.buf);
}

static int64_t new_list(struct db *db, int year, int month)
{
	assert_int_equal(db_exec(db, "INSERT INTO workshops(code, name, employer_name, created)"
				     " VALUES ('1234567890', 'w', 'e', 0) ON CONFLICT DO NOTHING"),
			 0);
	struct db_stmt *s = db_prepare(
	    db, "INSERT INTO lists(workshop_id, year, month, source, workers, days, daily_wages,"
		" monthly_wages, benefits, insurable, total, worker_share, employer_share,"
		" unemployment, rate, submitted_at) SELECT id, $1, $2, 'demo', 0, 0, 0, 0, 0, 0,"
		" 0, 0, 0, 0, 23, 0 FROM workshops WHERE code = '1234567890'");
	db_bind_int(s, 1, year);
	db_bind_int(s, 2, month);
	assert_int_equal(db_step(s), 0);
	db_done(s);
	return db_last_id(db);
}

struct collect {
	struct list_worker *rows;
	uint32_t n;
};

static int collect(void *arg, const struct list_worker *w, uint32_t row_no)
{
	struct collect *c = arg;
	assert_int_equal(row_no, c->n + 1);
	c->rows[c->n++] = *w;
	return 0;
}

static int64_t count(struct db *db, const char *sql)
{
	struct db_stmt *s = db_prepare(db, sql);
	assert_int_equal(db_step(s), 1);
	int64_t v = db_col_int(s, 0);
	db_done(s);
	return v;
}

/* A new list of the test's workshop for the month, as the key its rows are stored by. */
static struct list_key new_key(struct fx *f, int year, int month)
{
	int64_t id = new_list(f->db, year, month);
	return (struct list_key){
	    id, count(f->db, "SELECT id FROM workshops WHERE code = '1234567890'"), year, month};
}

/* Two parts filled apart (as two threads do), appended, half compressed by one call and
 * the rest by the store, then read back whole, row by row. */
static void test_store_read(void **state)
{
	struct fx *f = *state;
	enum { A = 2048, B = 1500 };
	struct list_worker *w = calloc(A + B, sizeof *w);
	for (int k = 0; k < A + B; k++)
		worker(k, &w[k]);
	struct list_rows_out one, two;
	list_rows_init(&one, 0);
	list_rows_init(&two, A);
	for (uint32_t k = 0; k < A + B; k++)
		assert_int_equal(list_rows_add(k < A ? &one : &two, &w[k], k + 1, 1), 0);
	assert_int_equal(list_rows_finish(&one), 0);
	assert_int_equal(list_rows_finish(&two), 0);
	assert_int_equal(list_rows_append(&one, &two), 0);
	assert_int_equal(one.rows, A + B);
	assert_int_equal(one.nblocks, 4); /* 1024, 1024, 1024, 476 */
	assert_int_equal(list_rows_compress(&one, 0, 2), 0);
	assert_int_equal(db_begin(f->db), 0);
	struct list_key key = new_key(f, 1405, 6);
	int64_t id = key.list_id;
	struct err e = {0};
	assert_int_equal(list_rows_store(f->db, &key, &one, &e), 0);
	assert_int_equal(db_commit(f->db), 0);
	list_rows_release(&one);
	/* 1405 is an open year: its entries are kept month first */
	assert_int_equal(count(f->db, "SELECT count(*) FROM open_months"), A + B);
	assert_int_equal(count(f->db, "SELECT count(*) FROM work_months"), 0);
	assert_int_equal(count(f->db, "SELECT count(*) FROM open_periods"), 1);
	assert_int_equal(count(f->db, "SELECT sum(rows) FROM list_blocks"), A + B);
	/* compressed: well under the text's size */
	assert_true(count(f->db, "SELECT sum(length(data)) FROM list_blocks") < (A + B) * 60);
	struct collect c = {calloc(A + B, sizeof *c.rows), 0};
	assert_int_equal(list_rows_each(f->db, id, collect, &c, &e), 0);
	assert_int_equal(c.n, A + B);
	for (int k = 0; k < A + B; k++) {
		snprintf(w[k].job_title, sizeof w[k].job_title, "کارگر ساده");
		same_worker(&w[k], &c.rows[k]);
	}
	free(c.rows);

	/* the person as their latest row names them: a later month's list wins */
	struct arena a;
	arena_init(&a);
	struct person p;
	assert_int_equal(lists_person(f->db, w[2100].national_id, &p, &a), 1);
	assert_string_equal(p.first_name, "علی 2100");
	assert_string_equal(p.gender, "m");
	assert_non_null(p.birth_date);
	list_rows_init(&one, 0);
	struct list_worker later = w[2100];
	snprintf(later.first_name, sizeof later.first_name, "علی‌رضا");
	later.birth_date = (struct jdate){1370, 5, 12};
	assert_int_equal(list_rows_add(&one, &later, 1, 1), 0);
	assert_int_equal(db_begin(f->db), 0);
	key = new_key(f, 1405, 7);
	assert_int_equal(list_rows_store(f->db, &key, &one, &e), 0);
	assert_int_equal(db_commit(f->db), 0);
	list_rows_release(&one);
	assert_int_equal(lists_person(f->db, w[2100].national_id, &p, &a), 1);
	assert_string_equal(p.first_name, "علی‌رضا");
	assert_string_equal(p.birth_date, "1991-08-03");
	assert_int_equal(lists_person(f->db, "0012345679", &p, &a), 0);
	/* the record: both months, oldest first */
	struct rules_record *lines;
	int n;
	assert_int_equal(lists_person_record(f->db, w[2100].national_id, &a, &lines, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(lines[0].year * 100 + lines[0].month, 140506);
	assert_int_equal(lines[1].month, 7);
	assert_int_equal(lines[0].days, w[2100].days);
	assert_int_equal(lines[0].wage, w[2100].insurable);
	assert_string_equal(lines[0].workshop, "1234567890");
	/* closing the year moves its entries into work_months; the reads do not change */
	int64_t moved = 0;
	assert_int_equal(record_close_year(f->db, 1405, &moved, &e), 0);
	assert_int_equal(moved, A + B + 1);
	assert_int_equal(count(f->db, "SELECT count(*) FROM open_months"), 0);
	assert_int_equal(count(f->db, "SELECT count(*) FROM open_periods"), 0);
	assert_int_equal(count(f->db, "SELECT count(*) FROM work_months"), A + B + 1);
	assert_int_equal(lists_person_record(f->db, w[2100].national_id, &a, &lines, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(lines[1].year * 100 + lines[1].month, 140507);
	assert_int_equal(lines[0].wage, w[2100].insurable);
	assert_int_equal(lists_person(f->db, w[2100].national_id, &p, &a), 1);
	assert_string_equal(p.first_name, "علی‌رضا");
	assert_int_equal(record_close_year(f->db, 1405, &moved, &e), -1);
	assert_int_equal(e.status, 409);
	assert_string_equal(e.code, "year_closed");
	/* a late list of the closed year goes straight to work_months, the next year's is
	 * open; the latest row is the open month's */
	later.birth_date = (struct jdate){1371, 1, 1};
	for (int k = 0; k < 3; k++) {
		static const int ym[][2] = {{1405, 8}, {1406, 1}, {1407, 2}};
		list_rows_init(&one, 0);
		snprintf(later.first_name, sizeof later.first_name, "نام %d", k);
		assert_int_equal(list_rows_add(&one, &later, 1, 1), 0);
		assert_int_equal(db_begin(f->db), 0);
		key = new_key(f, ym[k][0], ym[k][1]);
		assert_int_equal(list_rows_store(f->db, &key, &one, &e), 0);
		assert_int_equal(db_commit(f->db), 0);
		list_rows_release(&one);
	}
	assert_int_equal(count(f->db, "SELECT count(*) FROM work_months"), A + B + 2);
	assert_int_equal(count(f->db, "SELECT count(*) FROM open_months"), 2);
	assert_int_equal(count(f->db, "SELECT count(*) FROM record_entries"), A + B + 4);
	assert_int_equal(lists_person(f->db, w[2100].national_id, &p, &a), 1);
	assert_string_equal(p.first_name, "نام 2");
	assert_int_equal(lists_person_record(f->db, w[2100].national_id, &a, &lines, &n, &e), 0);
	assert_int_equal(n, 5);
	assert_int_equal(lines[2].year * 100 + lines[2].month, 140508);
	assert_int_equal(lines[4].year * 100 + lines[4].month, 140702);
	/* years close in order */
	assert_int_equal(record_close_year(f->db, 1407, &moved, &e), -1);
	assert_string_equal(e.code, "earlier_year_open");
	assert_int_equal(count(f->db, "SELECT count(*) FROM open_months"), 2);
	/* the record cannot be changed, and an open entry leaves only for work_months */
	assert_int_not_equal(db_exec(f->db, "DELETE FROM open_months WHERE year = 1406"), 0);
	assert_int_not_equal(db_exec(f->db, "UPDATE open_months SET days = 1"), 0);
	assert_int_equal(count(f->db, "SELECT count(*) FROM open_months"), 2);
	/* a batch's month is a run (lists/batch.h): packed, and read with the rest */
	list_rows_init(&one, 0);
	snprintf(later.first_name, sizeof later.first_name, "نام 3");
	later.insurable = 123456789;
	assert_int_equal(list_rows_add(&one, &later, 1, 1), 0);
	assert_int_equal(list_rows_add(&one, &w[7], 2, 1), 0);
	assert_int_equal(db_begin(f->db), 0);
	key = new_key(f, 1407, 5);
	assert_int_equal(list_rows_store_blocks(f->db, &key, &one, &e), 0);
	struct record_list rl = {key.list_id, key.workshop_id, 1407, 5};
	struct record_entry run[2];
	for (int k = 0; k < 2; k++)
		run[k] = (struct record_entry){
		    record_entry_key(1407, 5, one.entries[k].national_id), one.entries[k].insurable,
		    0, one.entries[k].row_no, one.entries[k].days};
	assert_int_equal(record_entries_sort(run, 2), 0);
	assert_int_equal(record_entries_store(f->db, &rl, run, 2, key.list_id, &e), 0);
	assert_int_equal(db_commit(f->db), 0);
	list_rows_release(&one);
	assert_int_equal(count(f->db, "SELECT sum(entries) FROM open_runs"), 2);
	assert_int_equal(count(f->db, "SELECT count(*) FROM open_periods WHERE run > 0"), 1);
	assert_int_equal(lists_person(f->db, w[2100].national_id, &p, &a), 1);
	assert_string_equal(p.first_name, "نام 3");
	assert_int_equal(lists_person_record(f->db, w[2100].national_id, &a, &lines, &n, &e), 0);
	assert_int_equal(n, 6);
	assert_int_equal(lines[5].year * 100 + lines[5].month, 140705);
	assert_int_equal(lines[5].wage, 123456789);
	assert_string_equal(lines[5].workshop, "1234567890");
	struct record_hit *hits;
	size_t nh;
	assert_int_equal(record_runs_find(f->db, strtoull(w[7].national_id, NULL, 10), &hits, &nh, &e),
			 0);
	assert_int_equal(nh, 1);
	assert_int_equal(hits[0].row_no, 2);
	assert_int_equal(hits[0].days, w[7].days);
	free(hits);
	assert_int_equal(record_runs_find(f->db, 12345678, &hits, &nh, &e), 0);
	assert_int_equal(nh, 0);
	assert_int_not_equal(db_exec(f->db, "DELETE FROM open_runs"), 0);
	/* closing the years moves the runs too; the record reads the same */
	assert_int_equal(record_close_year(f->db, 1406, &moved, &e), 0);
	assert_int_equal(moved, 1);
	assert_int_equal(record_close_year(f->db, 1407, &moved, &e), 0);
	assert_int_equal(moved, 3);
	assert_int_equal(count(f->db, "SELECT count(*) FROM open_runs"), 0);
	assert_int_equal(count(f->db, "SELECT count(*) FROM open_periods"), 0);
	assert_int_equal(lists_person_record(f->db, w[2100].national_id, &a, &lines, &n, &e), 0);
	assert_int_equal(n, 6);
	assert_int_equal(lines[5].wage, 123456789);
	assert_int_equal(lists_person(f->db, w[2100].national_id, &p, &a), 1);
	assert_string_equal(p.first_name, "نام 3");

	/* what the person lacks is completed from the lists, what they have is kept */
	struct person known = {.national_id = w[5].national_id, .first_name = "", .last_name = ""};
	lists_person_complete(f->db, &known, &a);
	assert_string_equal(known.first_name, "علی 5");
	assert_string_equal(known.gender, "f");
	struct person named = {.national_id = w[5].national_id,
			       .first_name = "زهرا",
			       .last_name = "احمدی",
			       .gender = "f",
			       .birth_date = "1980-01-01"};
	lists_person_complete(f->db, &named, &a);
	assert_string_equal(named.first_name, "زهرا");
	assert_string_equal(named.birth_date, "1980-01-01");
	arena_release(&a);
	free(w);
}

/* The entries sort by month, then national id, stable: one worker's lists of a month keep
 * the order they came in. */
static void test_entries_sort(void **state)
{
	(void)state;
	enum { N = 20000 };
	struct record_entry *v = calloc(N, sizeof *v);
	uint64_t x = 88172645463325252ull;
	for (uint32_t i = 0; i < N; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		int month = 1 + (int)(x % 3) * 5; /* 1, 6, 11 */
		uint64_t nid = 1000000000ull + (x >> 20) % 5000 * 1999999;
		v[i] = (struct record_entry){record_entry_key(1405 - (int)(x >> 60) % 2, month, nid),
					     0, i, 0, 0};
	}
	assert_int_equal(record_entries_sort(v, N), 0);
	for (uint32_t i = 1; i < N; i++) {
		assert_true(v[i - 1].key <= v[i].key);
		if (v[i - 1].key == v[i].key)
			assert_true(v[i - 1].list < v[i].list);
	}
	assert_true(record_entry_national_id(v[0].key) >= 1000000000ull);
	assert_true(record_entry_key(1404, 12, 9999999999ull) < record_entry_key(1405, 1, 0));
	free(v);
}

/* A batch's month goes in as a packed run, unless an entry does not fit the packed form
 * (an insurable wage past 40 bits): then the month's entries go in row by row, and read
 * the same. */
static void test_run_or_rows(void **state)
{
	struct fx *f = *state;
	assert_int_equal(db_begin(f->db), 0);
	int64_t a = new_list(f->db, 1405, 8), b = new_list(f->db, 1405, 9);
	int64_t ws = count(f->db, "SELECT id FROM workshops WHERE code = '1234567890'");
	struct record_list lists[] = {{a, ws, 1405, 8}, {b, ws, 1405, 9}};
	struct record_entry v[] = {
	    {record_entry_key(1405, 8, 499370899), 5000000, 0, 1, 30},
	    {record_entry_key(1405, 9, 499370899), 1ll << 41, 1, 1, 30},
	};
	struct err e = {0};
	assert_int_equal(record_entries_store(f->db, lists, v, 2, a, &e), 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(count(f->db, "SELECT count(*) FROM open_runs WHERE month = 8"), 1);
	assert_int_equal(count(f->db, "SELECT count(*) FROM open_months WHERE month = 9"), 1);
	assert_int_equal(count(f->db, "SELECT count(*) FROM open_periods"), 2);
	assert_int_equal(count(f->db, "SELECT run FROM open_periods WHERE month = 9"), 0);
	struct record_hit *h;
	size_t n;
	assert_int_equal(record_runs_find(f->db, 499370899, &h, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].list_id, a);
	assert_int_equal(h[0].insurable, 5000000);
	assert_int_equal(h[0].month, 8);
	free(h);
}

/* A list of LIST_RUN_ROWS workers is stored as a run of its own (packed in open_runs, as a
 * batch's), a smaller one row by row (test_store_read); the record reads the same, and
 * closing the year moves the run's entries into work_months. */
static void test_big_list_is_a_run(void **state)
{
	struct fx *f = *state;
	enum { N = LIST_RUN_ROWS };
	struct list_rows_out o;
	list_rows_init(&o, 0);
	struct list_worker w, probe;
	for (int k = 0; k < N; k++) {
		worker(k, &w);
		if (k == 77777)
			probe = w;
		assert_int_equal(list_rows_add(&o, &w, (uint32_t)k + 1, 1), 0);
	}
	assert_int_equal(list_rows_finish(&o), 0);
	assert_int_equal(db_begin(f->db), 0);
	struct list_key key = new_key(f, 1405, 4);
	int64_t id = key.list_id;
	struct err e = {0};
	assert_int_equal(list_rows_store_entries(f->db, &key, &o, &e), 0);
	assert_int_equal(db_commit(f->db), 0);
	list_rows_release(&o);
	assert_int_equal(count(f->db, "SELECT count(*) FROM open_months"), 0);
	assert_int_equal(count(f->db, "SELECT sum(entries) FROM open_runs"), N);
	char sql[96];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM open_periods WHERE run = %lld", (long long)id);
	assert_int_equal(count(f->db, sql), 1);
	struct arena a;
	arena_init(&a);
	struct rules_record *lines;
	int n;
	assert_int_equal(lists_person_record(f->db, probe.national_id, &a, &lines, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(lines[0].year * 100 + lines[0].month, 140504);
	assert_int_equal(lines[0].wage, probe.insurable);
	assert_int_equal(lines[0].days, probe.days);
	int64_t moved = 0;
	assert_int_equal(record_close_year(f->db, 1405, &moved, &e), 0);
	assert_int_equal(moved, N);
	assert_int_equal(count(f->db, "SELECT count(*) FROM open_runs"), 0);
	assert_int_equal(count(f->db, "SELECT count(*) FROM work_months"), N);
	assert_int_equal(lists_person_record(f->db, probe.national_id, &a, &lines, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(lines[0].wage, probe.insurable);
	arena_release(&a);
}

/* A batch's blocks are compressed with a dictionary trained on its rows (lists/dict.h),
 * which the database keeps and reading finds by the id in each block. Too few samples:
 * no dictionary, and the blocks go without. */
static void test_dictionary(void **state)
{
	struct fx *f = *state;
	enum { N = 3000 };
	struct list_worker *w = calloc(N, sizeof *w);
	struct list_text lines = {0};
	size_t *sizes = calloc(N, sizeof *sizes);
	for (int k = 0; k < N; k++) {
		worker(k, &w[k]);
		size_t before = lines.len;
		assert_int_equal(list_line_encode(&lines, (uint32_t)k + 1, &w[k]), 0);
		sizes[k] = lines.len - before;
	}
	struct err e = {0};
	assert_int_equal(db_begin(f->db), 0);
	assert_null(list_dict_train(f->db, lines.data, sizes, 999, LIST_ZSTD_LEVEL, &e));
	assert_int_equal(e.status, 0);
	void *dict = list_dict_train(f->db, lines.data, sizes, N, LIST_ZSTD_LEVEL, &e);
	assert_non_null(dict);
	assert_int_equal(count(f->db, "SELECT count(*) FROM zstd_dicts"), 1);
	/* a list of 21 rows, compressed with it and without */
	struct list_rows_out with, without;
	list_rows_init(&with, 0);
	list_rows_init(&without, 0);
	for (int k = 0; k < 21; k++) {
		assert_int_equal(list_rows_add(&with, &w[100 + k], (uint32_t)k + 1, 1), 0);
		assert_int_equal(list_rows_add(&without, &w[100 + k], (uint32_t)k + 1, 1), 0);
	}
	assert_int_equal(list_rows_finish(&with), 0);
	assert_int_equal(list_rows_finish(&without), 0);
	struct list_compressor z = {.dict = dict};
	assert_int_equal(list_rows_compress_using(&with, 0, with.nblocks, &z), 0);
	list_compressor_release(&z);
	assert_int_equal(list_rows_compress(&without, 0, 1), 0);
	assert_true(with.blocks[0].len < without.blocks[0].len);
	struct list_key key = new_key(f, 1405, 8);
	int64_t id = key.list_id;
	assert_int_equal(list_rows_store_blocks(f->db, &key, &with, &e), 0);
	assert_int_equal(db_commit(f->db), 0);
	list_dict_free(dict);
	struct collect c = {calloc(21, sizeof *c.rows), 0};
	assert_int_equal(list_rows_each(f->db, id, collect, &c, &e), 0);
	assert_int_equal(c.n, 21);
	for (int k = 0; k < 21; k++) {
		snprintf(w[100 + k].job_title, sizeof w[100 + k].job_title, "کارگر ساده");
		same_worker(&w[100 + k], &c.rows[k]);
	}
	free(c.rows);
	list_rows_release(&with);
	list_rows_release(&without);
	list_text_release(&lines);
	free(sizes);
	free(w);
}

/* Migration 010 moved the rows of 008 as plain text lines, with Gregorian birth dates:
 * they read like the import's compressed blocks. */
static void test_plain_text_block(void **state)
{
	struct fx *f = *state;
	assert_int_equal(db_begin(f->db), 0);
	int64_t id = new_list(f->db, 1404, 1);
	/* the text's bytes as a blob (bound as one: a cast's type name is not the same on
	 * both stores) */
	static const char text[] =
	    "1\t0499370899\t12345678\tعلی\tرضایی\tحسن\tm\t1991-08-03\t\t\t\t\tکارگر\t931290"
	    "\t\t\t30\t2300000\t69000000\t0\t69000000\t69000000\t4830000\t0\n"
	    "2\t0012345679\t23456789\tزهرا\tاحمدی\t\tf\t\t\t\t\t\t\t\t1400/01/01\t\t12\t1"
	    "\t2\t3\t4\t5\t6\t0";
	struct db_stmt *s = db_prepare(
	    f->db, "INSERT INTO list_blocks(list_id, block, rows, data) VALUES ($1, 0, 2, $2)");
	db_bind_int(s, 1, id);
	db_bind_blob(s, 2, text, sizeof text - 1);
	assert_int_equal(db_step(s), 0);
	db_done(s);
	assert_int_equal(db_commit(f->db), 0);
	struct collect c = {calloc(2, sizeof *c.rows), 0};
	struct err e = {0};
	assert_int_equal(list_rows_each(f->db, id, collect, &c, &e), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.rows[0].first_name, "علی");
	assert_int_equal(c.rows[0].birth_date.y, 1370);
	assert_int_equal(c.rows[0].birth_date.m, 5);
	assert_int_equal(c.rows[0].birth_date.d, 12);
	assert_int_equal(c.rows[0].worker_share, 4830000);
	assert_int_equal(c.rows[1].sex, LIST_SEX_FEMALE);
	assert_int_equal(c.rows[1].start_date.y, 1400);
	assert_int_equal(c.rows[1].total, 5);
	free(c.rows);
	/* a damaged block is an error, not rows */
	assert_int_equal(db_begin(f->db), 0);
	s = db_prepare(f->db, "INSERT INTO list_blocks(list_id, block, rows, data) VALUES ($1, 1,"
			      " 1, $2)");
	db_bind_int(s, 1, id);
	db_bind_blob(s, 2, "3\tcut short", 11);
	assert_int_equal(db_step(s), 0);
	db_done(s);
	assert_int_equal(db_commit(f->db), 0);
	c = (struct collect){calloc(3, sizeof *c.rows), 0};
	assert_int_equal(list_rows_each(f->db, id, collect, &c, &e), -1);
	assert_string_equal(e.code, "internal");
	free(c.rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_line_roundtrip),
	    cmocka_unit_test(test_split),
	    cmocka_unit_test(test_entries_sort),
	    cmocka_unit_test_setup_teardown(test_store_read, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_run_or_rows, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_big_list_is_a_run, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dictionary, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_plain_text_block, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
