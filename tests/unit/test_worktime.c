#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/worktime.h"

/* 1405/09/01 is Sunday 2026-11-22, so in that week: 09/04 Wednesday, 09/05 Thursday,
 * 09/06 Friday, 09/07 Saturday, 09/08 Sunday. */
static int64_t at(int y, int m, int d, int hh, int mm)
{
	return tehran_to_unix((struct jdate){y, m, d}, hh * 60 + mm);
}

#define WEEK_MIN (5 * 420 + 300) /* office working minutes in a week without holidays */

static void assert_instant(int64_t got, int64_t want)
{
	if (got != want) {
		struct tehran_time g = tehran_from_unix(got), w = tehran_from_unix(want);
		fail_msg("got %d/%02d/%02d %02d:%02d (+%llds), want %d/%02d/%02d %02d:%02d",
			 g.date.y, g.date.m, g.date.d, g.minute / 60, g.minute % 60,
			 (long long)(((got % 60) + 60) % 60), w.date.y, w.date.m, w.date.d,
			 w.minute / 60, w.minute % 60);
	}
}

static uint64_t rng = 0x9E3779B97F4A7C15u; /* xorshift64 with a fixed seed */
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}
static int64_t rand_range(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(next_rand() % (uint64_t)(hi - lo));
}

/* The reference: the office hours spelled out, one minute at a time. */
static int ref_working(const struct worktime *w, int64_t t)
{
	struct tehran_time l = tehran_from_unix(t);
	int open = 450, close = l.weekday == 5 ? 750 : l.weekday == 6 ? 450 : 870;
	return l.minute >= open && l.minute < close && !worktime_is_holiday(w, l.date);
}

static int64_t ref_add(const struct worktime *w, int64_t t, int64_t minutes)
{
	if (minutes == 0) {
		while (!ref_working(w, t))
			t += 60;
		return t;
	}
	for (int64_t n = 0;; t += 60)
		if (ref_working(w, t) && ++n == minutes)
			return t + 60;
}

static int64_t ref_between(const struct worktime *w, int64_t a, int64_t b)
{
	int64_t n = 0;
	for (int64_t t = a; t < b; t += 60)
		n += ref_working(w, t);
	return n;
}

static const struct jdate nowruz_holidays[] = {
    {1404, 12, 29}, {1405, 1, 1},  {1405, 1, 2},  {1405, 1, 3}, {1405, 1, 4},  {1405, 1, 12},
    {1405, 1, 13},  {1405, 3, 14}, {1405, 3, 15}, {1405, 9, 7}, {1405, 9, 10},
};

static struct worktime *office_with_holidays(void)
{
	struct worktime *w = worktime_new_office();
	for (size_t i = 0; i < sizeof nowruz_holidays / sizeof nowruz_holidays[0]; i++)
		worktime_add_holiday(w, nowruz_holidays[i]);
	return w;
}

static void test_add_examples(void **state)
{
	(void)state;
	struct worktime *w = worktime_new_office();
	/* Wednesday 14:00 + 60: 30 minutes to closing, 30 on Thursday morning. */
	assert_instant(worktime_add(w, at(1405, 9, 4, 14, 0), 60), at(1405, 9, 5, 8, 0));
	/* Thursday closes at 12:30 and Friday is off. */
	assert_instant(worktime_add(w, at(1405, 9, 5, 12, 0), 60), at(1405, 9, 7, 8, 0));
	/* Landing exactly on closing time stays on that day. */
	assert_instant(worktime_add(w, at(1405, 9, 4, 13, 30), 60), at(1405, 9, 4, 14, 30));
	assert_instant(worktime_add(w, at(1405, 9, 4, 7, 30), 420), at(1405, 9, 4, 14, 30));
	assert_instant(worktime_add(w, at(1405, 9, 4, 7, 30), 421), at(1405, 9, 5, 7, 31));
	/* Seconds are carried: 29.5 minutes on Wednesday, 30.5 on Thursday. */
	assert_instant(worktime_add(w, at(1405, 9, 4, 14, 0) + 30, 60), at(1405, 9, 5, 8, 0) + 30);
	/* A whole week from Saturday opening ends at Thursday closing. */
	assert_instant(worktime_add(w, at(1405, 9, 7, 7, 30), WEEK_MIN), at(1405, 9, 12, 12, 30));
	worktime_free(w);
}

static void test_add_holiday_skipped(void **state)
{
	(void)state;
	struct worktime *w = worktime_new_office();
	worktime_add_holiday(w, (struct jdate){1405, 9, 7}); /* a Saturday */
	assert_true(worktime_is_holiday(w, (struct jdate){1405, 9, 7}));
	assert_false(worktime_is_holiday(w, (struct jdate){1405, 9, 8}));
	assert_instant(worktime_add(w, at(1405, 9, 5, 12, 0), 60), at(1405, 9, 8, 8, 0));
	/* Starting on the holiday itself moves to the next working day. */
	assert_instant(worktime_add(w, at(1405, 9, 7, 10, 0), 0), at(1405, 9, 8, 7, 30));
	/* Adding twice is harmless; invalid dates are ignored. */
	worktime_add_holiday(w, (struct jdate){1405, 9, 7});
	worktime_add_holiday(w, (struct jdate){1404, 12, 30});
	worktime_add_holiday(w, (struct jdate){1405, 13, 1});
	assert_false(worktime_is_holiday(w, (struct jdate){1404, 12, 30}));
	assert_false(worktime_is_holiday(w, (struct jdate){1405, 13, 1}));
	assert_instant(worktime_add(w, at(1405, 9, 5, 12, 0), 60), at(1405, 9, 8, 8, 0));
	/* Holidays added out of order are all found. */
	worktime_add_holiday(w, (struct jdate){1405, 9, 8});
	worktime_add_holiday(w, (struct jdate){1403, 1, 1});
	worktime_add_holiday(w, (struct jdate){1405, 9, 9});
	assert_true(worktime_is_holiday(w, (struct jdate){1403, 1, 1}));
	assert_true(worktime_is_holiday(w, (struct jdate){1405, 9, 8}));
	assert_instant(worktime_add(w, at(1405, 9, 5, 12, 0), 60), at(1405, 9, 10, 8, 0));
	worktime_free(w);
}

static void test_add_outside_hours(void **state)
{
	(void)state;
	struct worktime *w = worktime_new_office();
	/* minutes == 0 moves to the next working minute, or stays when inside. */
	assert_instant(worktime_add(w, at(1405, 9, 4, 14, 30), 0), at(1405, 9, 5, 7, 30));
	assert_instant(worktime_add(w, at(1405, 9, 6, 10, 0), 0), at(1405, 9, 7, 7, 30));
	assert_instant(worktime_add(w, at(1405, 9, 7, 6, 0), 0), at(1405, 9, 7, 7, 30));
	assert_instant(worktime_add(w, at(1405, 9, 4, 10, 0) + 17, 0), at(1405, 9, 4, 10, 0) + 17);
	/* Starting on Friday or before opening counts from the next opening. */
	assert_instant(worktime_add(w, at(1405, 9, 6, 10, 0), 30), at(1405, 9, 7, 8, 0));
	assert_instant(worktime_add(w, at(1405, 9, 7, 3, 0), 30), at(1405, 9, 7, 8, 0));
	assert_instant(worktime_add(w, at(1405, 9, 4, 23, 59), 30), at(1405, 9, 5, 8, 0));
	/* Negative amounts count as zero. */
	assert_instant(worktime_add(w, at(1405, 9, 6, 10, 0), -5), at(1405, 9, 7, 7, 30));
	worktime_free(w);
}

static void test_add_many_weeks(void **state)
{
	(void)state;
	struct worktime *w = worktime_new_office();
	int64_t sat = at(1405, 9, 7, 7, 30);
	/* k weeks of work from Saturday opening end on the k-th Thursday at 12:30. */
	static const int64_t ks[] = {1, 2, 5, 52, 1000};
	for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
		int64_t want = at(1405, 9, 12, 12, 30) + (ks[i] - 1) * 7 * 86400;
		assert_instant(worktime_add(w, sat, ks[i] * WEEK_MIN), want);
		assert_int_equal(worktime_between(w, sat, want), ks[i] * WEEK_MIN);
	}
	/* Whole weeks from closing time (Saturday 14:30, or Friday) end at the same closing
	 * time: the answer is the first instant that reaches the amount. */
	int64_t sat_close = at(1405, 9, 7, 14, 30);
	for (int64_t k = 1; k <= 100; k += 33) {
		assert_instant(worktime_add(w, sat_close, k * WEEK_MIN), sat_close + k * 7 * 86400);
		assert_instant(worktime_add(w, at(1405, 9, 6, 10, 0), k * WEEK_MIN),
			       at(1405, 9, 12, 12, 30) + (k - 1) * 7 * 86400);
	}
	/* 10,000 minutes: four weeks (9600) and 400 minutes into the fifth Saturday. */
	assert_instant(worktime_add(w, sat, 10000), sat + 28 * 86400 + 400 * 60);
	worktime_free(w);
}

/* The day-walking calendar agrees with the minute-by-minute reference. */
static void test_add_matches_reference(void **state)
{
	(void)state;
	struct worktime *w = office_with_holidays();
	int64_t lo = at(1404, 12, 1, 0, 0), hi = at(1405, 3, 1, 0, 0);
	for (int i = 0; i < 300; i++) {
		int64_t start = lo + rand_range(0, (hi - lo) / 60) * 60;
		int64_t m = i % 10 == 0 ? 0 : rand_range(1, 3000);
		assert_instant(worktime_add(w, start, m), ref_add(w, start, m));
	}
	worktime_free(w);
}

static void test_between_matches_reference(void **state)
{
	(void)state;
	struct worktime *w = office_with_holidays();
	int64_t lo = at(1404, 12, 1, 0, 0), hi = at(1405, 3, 1, 0, 0);
	for (int i = 0; i < 300; i++) {
		int64_t a = lo + rand_range(0, (hi - lo) / 60) * 60;
		int64_t b = a + rand_range(0, 20 * 1440) * 60;
		assert_int_equal(worktime_between(w, a, b), ref_between(w, a, b));
	}
	worktime_free(w);
}

static void test_between_examples(void **state)
{
	(void)state;
	struct worktime *w = worktime_new_office();
	assert_int_equal(worktime_between(w, at(1405, 9, 4, 14, 0), at(1405, 9, 5, 8, 0)), 60);
	assert_int_equal(worktime_between(w, at(1405, 9, 5, 12, 0), at(1405, 9, 7, 8, 0)), 60);
	assert_int_equal(worktime_between(w, at(1405, 9, 6, 0, 0), at(1405, 9, 7, 0, 0)), 0);
	assert_int_equal(worktime_between(w, at(1405, 9, 7, 0, 0), at(1405, 9, 14, 0, 0)),
			 WEEK_MIN);
	/* Empty and reversed ranges; partial minutes round down. */
	assert_int_equal(worktime_between(w, at(1405, 9, 4, 9, 0), at(1405, 9, 4, 9, 0)), 0);
	assert_int_equal(worktime_between(w, at(1405, 9, 5, 9, 0), at(1405, 9, 4, 9, 0)), 0);
	assert_int_equal(worktime_between(w, at(1405, 9, 4, 9, 0), at(1405, 9, 4, 9, 0) + 59), 0);
	assert_int_equal(worktime_between(w, at(1405, 9, 4, 9, 0), at(1405, 9, 4, 9, 0) + 60), 1);
	worktime_add_holiday(w, (struct jdate){1405, 9, 8});
	assert_int_equal(worktime_between(w, at(1405, 9, 7, 0, 0), at(1405, 9, 14, 0, 0)),
			 WEEK_MIN - 420);
	worktime_free(w);
}

/* between(s, add(s, m)) == m for any start (to the second) and amount. */
static void test_between_inverts_add(void **state)
{
	(void)state;
	struct worktime *w = office_with_holidays();
	/* Holidays spread over years so the week-skipping meets them. */
	for (int y = 1404; y <= 1420; y++) {
		worktime_add_holiday(w, (struct jdate){y, 1, 1});
		worktime_add_holiday(w, (struct jdate){y, 6, 15});
		worktime_add_holiday(w, (struct jdate){y, 11, 22});
	}
	int64_t lo = at(1404, 10, 1, 0, 0), hi = at(1406, 10, 1, 0, 0);
	for (int i = 0; i < 3000; i++) {
		int64_t s = rand_range(lo, hi);
		int64_t m = i % 3 == 0	 ? rand_range(0, 600)
			    : i % 3 == 1 ? rand_range(0, 30000)
					 : rand_range(0, 2000000);
		int64_t e = worktime_add(w, s, m);
		assert_true(e >= s);
		if (worktime_between(w, s, e) != m)
			fail_msg("between(s, add(s, %lld)) = %lld", (long long)m,
				 (long long)worktime_between(w, s, e));
		/* And e is the first instant that reaches m: a second earlier falls short. */
		if (m > 0)
			assert_int_equal(worktime_between(w, s, e - 1), m - 1);
	}
	/* A huge amount stays exact and finishes (no minute-by-minute walk). */
	int64_t s = at(1405, 9, 4, 9, 13);
	int64_t e = worktime_add(w, s, 1000000000);
	assert_int_equal(worktime_between(w, s, e), 1000000000);
	worktime_free(w);
}

static void test_always(void **state)
{
	(void)state;
	struct worktime *w = worktime_new_always();
	int64_t t = at(1405, 9, 6, 23, 59) + 7; /* Friday night */
	assert_int_equal(worktime_add(w, t, 0), t);
	assert_int_equal(worktime_add(w, t, 1), t + 60);
	assert_int_equal(worktime_add(w, t, 10000), t + 600000);
	assert_int_equal(worktime_between(w, t, t + 3600), 60);
	assert_int_equal(worktime_between(w, t, t + 59), 0);
	assert_int_equal(worktime_between(w, t + 10, t), 0);
	/* Holidays are recorded but do not stop a 24/7 line (see worktime.h). */
	worktime_add_holiday(w, (struct jdate){1405, 9, 7});
	assert_true(worktime_is_holiday(w, (struct jdate){1405, 9, 7}));
	assert_int_equal(worktime_add(w, t, 1440), t + 86400);
	for (int i = 0; i < 1000; i++) {
		int64_t s = rand_range(-1000000000, 4000000000);
		int64_t m = rand_range(0, 1000000);
		assert_int_equal(worktime_add(w, s, m), s + m * 60);
		assert_int_equal(worktime_between(w, s, s + m * 60), m);
	}
	/* Setting hours makes it an ordinary calendar: Friday closed, holiday honoured. */
	worktime_set_hours(w, 6, 0, 0);
	int64_t fri = at(1405, 9, 6, 10, 0);
	assert_instant(worktime_add(w, fri, 0), at(1405, 9, 8, 0, 0));
	worktime_free(w);
}

static void test_set_hours(void **state)
{
	(void)state;
	struct worktime *w = worktime_new_office();
	/* Friday morning shift 08:00-12:00. */
	worktime_set_hours(w, 6, 8 * 60, 12 * 60);
	assert_instant(worktime_add(w, at(1405, 9, 5, 12, 0), 60), at(1405, 9, 6, 8, 30));
	/* Out-of-range weekdays are ignored; reversed hours close the day. */
	worktime_set_hours(w, 7, 0, 1440);
	worktime_set_hours(w, -1, 0, 1440);
	worktime_set_hours(w, 6, 12 * 60, 8 * 60);
	assert_instant(worktime_add(w, at(1405, 9, 5, 12, 0), 60), at(1405, 9, 7, 8, 0));
	/* Minutes are clamped to the day. */
	worktime_set_hours(w, 6, -100, 5000);
	assert_instant(worktime_add(w, at(1405, 9, 5, 12, 30), 60), at(1405, 9, 6, 1, 0));
	/* With no hours at all nothing is ever due. */
	for (int d = 0; d < 7; d++)
		worktime_set_hours(w, d, 600, 600);
	assert_int_equal(worktime_add(w, at(1405, 9, 5, 12, 0), 1), INT64_MAX);
	assert_int_equal(worktime_between(w, at(1405, 9, 5, 12, 0), at(1405, 9, 25, 12, 0)), 0);
	worktime_free(w);
	worktime_free(NULL);
}

/* --- holiday files --- */

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Removes the files in dir (the tests write no subdirectories). */
static void empty_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	char path[512];
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
}

/* A fresh temporary directory per test, removed by the teardown even when an assertion
 * fails half-way. */
static int tmpdir_setup(void **state)
{
	static char dir[64];
	snprintf(dir, sizeof dir, "/tmp/tamin-holidays-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	*state = dir;
	return 0;
}

static int tmpdir_teardown(void **state)
{
	empty_dir(*state);
	return rmdir(*state);
}

static void test_load_holidays(void **state)
{
	const char *dir = *state;
	write_file(dir, "1404.tsv",
		   "# \u062A\u0639\u0637\u06CC\u0644\u0627\u062A \u0631\u0633\u0645\u06CC 1404\n"
		   "1404/01/01\t\u0639\u06CC\u062F \u0646\u0648\u0631\u0648\u0632\n"
		   "1404/01/02\t\u0639\u06CC\u062F \u0646\u0648\u0631\u0648\u0632\r\n"
		   "\n"
		   "   \t \n"
		   "1404/01/12\t\u0631\u0648\u0632 \u062C\u0645\u0647\u0648\u0631\u06CC\n"
		   "1404/12/29\t\u0645\u0644\u06CC \u0634\u062F\u0646 \u0635\u0646\u0639\u062A "
		   "\u0646\u0641\u062A\n");
	/* No trailing newline, and a BOM as Windows editors write it. */
	write_file(dir, "1405.tsv",
		   "\xEF\xBB\xBF"
		   "1405/09/07\ttest");
	/* Not holiday files: ignored whatever they hold. */
	write_file(dir, "README.txt", "not a holiday file\n");
	write_file(dir, "14055.tsv", "garbage\n");
	write_file(dir, "1404.tsv~", "garbage\n");

	struct worktime *w = worktime_new_office();
	struct err e;
	err_clear(&e);
	assert_int_equal(worktime_load_holidays(w, dir, &e), 5);
	assert_true(worktime_is_holiday(w, (struct jdate){1404, 1, 1}));
	assert_true(worktime_is_holiday(w, (struct jdate){1404, 1, 2}));
	assert_true(worktime_is_holiday(w, (struct jdate){1404, 1, 12}));
	assert_true(worktime_is_holiday(w, (struct jdate){1404, 12, 29}));
	assert_true(worktime_is_holiday(w, (struct jdate){1405, 9, 7}));
	assert_false(worktime_is_holiday(w, (struct jdate){1404, 1, 3}));
	/* The loaded Saturday holiday is skipped like an added one. */
	assert_instant(worktime_add(w, at(1405, 9, 5, 12, 0), 60), at(1405, 9, 8, 8, 0));
	/* Loading again adds nothing new and keeps lookups right. */
	assert_int_equal(worktime_load_holidays(w, dir, &e), 5);
	assert_true(worktime_is_holiday(w, (struct jdate){1404, 1, 12}));
	worktime_free(w);
}

/* Each malformed file is refused with its name and line, and changes nothing. */
static void test_load_holidays_malformed(void **state)
{
	const char *dir = *state;
	static const struct {
		const char *text;
		const char *where;
	} cases[] = {
	    {"1404/01/01\tx\n1404/01/02\tx\n1404/13/01\tbad month\n", "1404.tsv:3"},
	    {"# c\n1404/01/01 no tab\n", "1404.tsv:2"},
	    {"1404/01/01\t\n", "1404.tsv:1"},
	    {"1404/01/01\n", "1404.tsv:1"},
	    {"\n\n\n1404/12/30\tnot a leap year\n", "1404.tsv:4"},
	    {"1403/01/01\twrong year\n", "1404.tsv:1"},
	    {"hello\tworld\n", "1404.tsv:1"},
	    {"1404/01/01x\tname\n", "1404.tsv:1"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		empty_dir(dir);
		write_file(dir, "1403.tsv", "1403/05/05\tfine\n");
		write_file(dir, "1404.tsv", cases[i].text);
		struct worktime *w = worktime_new_office();
		struct err e;
		err_clear(&e);
		assert_int_equal(worktime_load_holidays(w, dir, &e), -1);
		if (!strstr(e.message, cases[i].where))
			fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, e.message,
				 cases[i].where);
		assert_true(strstr(e.message, dir) != NULL);
		assert_int_equal(e.status, 500);
		/* All or nothing: the good file loaded first left no trace. */
		assert_false(worktime_is_holiday(w, (struct jdate){1403, 5, 5}));
		assert_false(worktime_is_holiday(w, (struct jdate){1404, 1, 1}));
		/* A NULL err is allowed. */
		assert_int_equal(worktime_load_holidays(w, dir, NULL), -1);
		worktime_free(w);
	}
}

static void test_load_holidays_dirs(void **state)
{
	const char *dir = *state;
	struct worktime *w = worktime_new_office();
	struct err e;
	err_clear(&e);
	assert_int_equal(worktime_load_holidays(w, "/nonexistent/tamin-holidays", &e), -1);
	assert_non_null(strstr(e.message, "/nonexistent/tamin-holidays"));
	assert_int_equal(worktime_load_holidays(w, dir, &e), 0);
	worktime_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_add_examples),
	    cmocka_unit_test(test_add_holiday_skipped),
	    cmocka_unit_test(test_add_outside_hours),
	    cmocka_unit_test(test_add_many_weeks),
	    cmocka_unit_test(test_add_matches_reference),
	    cmocka_unit_test(test_between_matches_reference),
	    cmocka_unit_test(test_between_examples),
	    cmocka_unit_test(test_between_inverts_add),
	    cmocka_unit_test(test_always),
	    cmocka_unit_test(test_set_hours),
	    cmocka_unit_test_setup_teardown(test_load_holidays, tmpdir_setup, tmpdir_teardown),
	    cmocka_unit_test_setup_teardown(test_load_holidays_malformed, tmpdir_setup,
					    tmpdir_teardown),
	    cmocka_unit_test_setup_teardown(test_load_holidays_dirs, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
