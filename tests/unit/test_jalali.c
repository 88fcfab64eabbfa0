#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/jalali.h"

static void assert_jdate(struct jdate j, int y, int m, int d)
{
	if (j.y != y || j.m != m || j.d != d)
		fail_msg("got %d/%d/%d, want %d/%d/%d", j.y, j.m, j.d, y, m, d);
}

static void assert_greg(struct jdate j, int y, int m, int d)
{
	int gy, gm, gd;
	jalali_to_gregorian(j, &gy, &gm, &gd);
	if (gy != y || gm != m || gd != d)
		fail_msg("%d/%d/%d -> %d-%d-%d, want %d-%d-%d", j.y, j.m, j.d, gy, gm, gd, y, m, d);
}

static void test_nowruz(void **state)
{
	(void)state;
	assert_jdate(jalali_from_gregorian(2024, 3, 20), 1403, 1, 1);
	assert_jdate(jalali_from_gregorian(2025, 3, 21), 1404, 1, 1);
	assert_jdate(jalali_from_gregorian(2026, 3, 21), 1405, 1, 1);
	assert_greg((struct jdate){1403, 1, 1}, 2024, 3, 20);
	assert_greg((struct jdate){1404, 1, 1}, 2025, 3, 21);
	assert_greg((struct jdate){1405, 1, 1}, 2026, 3, 21);
	/* Older anchors: 1 Farvardin 1300, 1354, 1399. */
	assert_greg((struct jdate){1300, 1, 1}, 1921, 3, 21);
	assert_greg((struct jdate){1354, 1, 1}, 1975, 3, 21);
	assert_greg((struct jdate){1399, 1, 1}, 2020, 3, 20);
	/* The day before Nowruz 1403 closes the common year 1402. */
	assert_jdate(jalali_from_gregorian(2024, 3, 19), 1402, 12, 29);
	/* The day before Nowruz 1404 is 30 Esfand of the leap year 1403. */
	assert_jdate(jalali_from_gregorian(2025, 3, 20), 1403, 12, 30);
}

static void test_known_dates(void **state)
{
	(void)state;
	assert_jdate(jalali_from_gregorian(2026, 11, 22), 1405, 9, 1);
	assert_greg((struct jdate){1405, 9, 1}, 2026, 11, 22);
	assert_jdate(jalali_from_gregorian(1970, 1, 1), 1348, 10, 11);
	assert_jdate(jalali_from_gregorian(1979, 2, 11), 1357, 11, 22);
	assert_jdate(jalali_from_gregorian(2024, 10, 6), 1403, 7, 15);
	/* First day of the second half (Mehr) and the last of the first (31 Shahrivar). */
	assert_greg((struct jdate){1403, 7, 1}, 2024, 9, 22);
	assert_greg((struct jdate){1403, 6, 31}, 2024, 9, 21);
}

/* Years where a 33-year cycle is cut short (jump % 33 == 4 in jalaali-js) get a one-day
 * correction; values from jalaali-js itself, outside the 1300..1500 round trip. */
static void test_cycle_breaks(void **state)
{
	(void)state;
	assert_true(jalali_is_leap(1176));
	assert_false(jalali_is_leap(1177));
	assert_jdate(jalali_from_gregorian(1798, 3, 20), 1176, 12, 30);
	assert_jdate(jalali_from_gregorian(1798, 3, 21), 1177, 1, 1);
	assert_greg((struct jdate){1177, 1, 1}, 1798, 3, 21);
	assert_true(jalali_is_leap(2092));
	assert_jdate(jalali_from_gregorian(2714, 3, 21), 2092, 12, 30);
	assert_greg((struct jdate){2093, 1, 1}, 2714, 3, 22);
	assert_greg((struct jdate){2259, 1, 1}, 2880, 3, 20);
}

static void test_leap(void **state)
{
	(void)state;
	assert_true(jalali_is_leap(1403));
	assert_false(jalali_is_leap(1404));
	assert_int_equal(jalali_month_days(1403, 12), 30);
	assert_int_equal(jalali_month_days(1404, 12), 29);
	/* The leap years around now (33-year cycle: every 4th, one 5-year gap). */
	static const int leaps[] = {1370, 1375, 1379, 1383, 1387, 1391, 1395, 1399, 1403, 1408};
	int li = 0;
	for (int y = 1370; y <= 1408; y++) {
		int want = li < 10 && leaps[li] == y;
		assert_int_equal(jalali_is_leap(y), want);
		li += want;
	}
	/* A 33-year cycle holds 8 leap years. */
	int n = 0;
	for (int y = 1376; y < 1376 + 33; y++)
		n += jalali_is_leap(y);
	assert_int_equal(n, 8);
	assert_false(jalali_is_leap(0));
	assert_false(jalali_is_leap(3178));
}

static void test_month_days(void **state)
{
	(void)state;
	for (int m = 1; m <= 6; m++)
		assert_int_equal(jalali_month_days(1404, m), 31);
	for (int m = 7; m <= 11; m++)
		assert_int_equal(jalali_month_days(1404, m), 30);
	assert_int_equal(jalali_month_days(1404, 0), 0);
	assert_int_equal(jalali_month_days(1404, 13), 0);
}

static void test_valid(void **state)
{
	(void)state;
	assert_true(jalali_valid(1404, 1, 1));
	assert_true(jalali_valid(1404, 6, 31));
	assert_true(jalali_valid(1404, 12, 29));
	assert_true(jalali_valid(1403, 12, 30));
	assert_false(jalali_valid(1404, 12, 30));
	assert_false(jalali_valid(1404, 13, 1));
	assert_false(jalali_valid(1404, 0, 1));
	assert_false(jalali_valid(1404, 1, 0));
	assert_false(jalali_valid(1404, 1, 32));
	for (int m = 7; m <= 11; m++)
		assert_false(jalali_valid(1404, m, 31));
	assert_false(jalali_valid(0, 1, 1));
	assert_false(jalali_valid(3178, 1, 1));
	assert_true(jalali_valid(1, 1, 1));
	assert_true(jalali_valid(3177, 1, 1));
}

/* Every day of 1300..1500 goes to Gregorian and back, and consecutive Jalali days are
 * consecutive Gregorian days. */
static void test_round_trip(void **state)
{
	(void)state;
	int64_t prev = 0;
	int first = 1, count = 0;
	for (int y = 1300; y <= 1500; y++) {
		for (int m = 1; m <= 12; m++) {
			for (int d = 1; d <= jalali_month_days(y, m); d++) {
				struct jdate j = {y, m, d};
				int gy, gm, gd;
				jalali_to_gregorian(j, &gy, &gm, &gd);
				assert_jdate(jalali_from_gregorian(gy, gm, gd), y, m, d);
				int64_t days = civil_to_days(gy, gm, gd);
				if (!first && days != prev + 1)
					fail_msg("%d/%d/%d is not the day after the previous", y, m,
						 d);
				prev = days;
				first = 0;
				count++;
			}
		}
	}
	/* 201 years: 201 * 365 plus one day per leap year. */
	int leaps = 0;
	for (int y = 1300; y <= 1500; y++)
		leaps += jalali_is_leap(y);
	assert_int_equal(count, 201 * 365 + leaps);
}

static void test_range_edges(void **state)
{
	(void)state;
	int gy, gm, gd;
	jalali_to_gregorian((struct jdate){1, 1, 1}, &gy, &gm, &gd);
	assert_jdate(jalali_from_gregorian(gy, gm, gd), 1, 1, 1);
	/* The day before 1/1/1 and years past 3177 are out of range. */
	assert_jdate(jalali_from_gregorian(gy, gm, gd - 1), 0, 0, 0);
	struct jdate last = {3177, 12, jalali_month_days(3177, 12)};
	jalali_to_gregorian(last, &gy, &gm, &gd);
	assert_jdate(jalali_from_gregorian(gy, gm, gd), 3177, 12, last.d);
	assert_jdate(jalali_from_gregorian(gy, gm, gd + 1), 0, 0, 0);
	jalali_to_gregorian((struct jdate){3178, 1, 1}, &gy, &gm, &gd);
	assert_int_equal(gy, 0);
	assert_int_equal(tehran_to_unix((struct jdate){0, 1, 1}, 0), INT64_MIN);
}

static void test_civil(void **state)
{
	(void)state;
	assert_int_equal(civil_to_days(1970, 1, 1), 0);
	assert_int_equal(civil_to_days(1969, 12, 31), -1);
	assert_int_equal(civil_to_days(2000, 3, 1), 11017);
	assert_int_equal(civil_to_days(2026, 11, 22), 20779);
	int y, m, d;
	civil_from_days(11016, &y, &m, &d);
	assert_true(y == 2000 && m == 2 && d == 29);
	civil_from_days(-719468, &y, &m, &d); /* 0000-03-01 */
	assert_true(y == 0 && m == 3 && d == 1);
	for (int64_t n = -800000; n <= 800000; n += 37) {
		civil_from_days(n, &y, &m, &d);
		assert_int_equal(civil_to_days(y, m, d), n);
	}
	/* Absurd day counts are clamped, not undefined behaviour. */
	civil_from_days(INT64_MAX, &y, &m, &d);
	civil_from_days(INT64_MIN, &y, &m, &d);
}

static void test_weekday(void **state)
{
	(void)state;
	/* 2026-11-22 (1405/09/01) is a Sunday: 04:00 UTC is 07:30 in Tehran. */
	struct tehran_time t = tehran_from_unix(1795320000);
	assert_jdate(t.date, 1405, 9, 1);
	assert_int_equal(t.weekday, 1);
	assert_int_equal(t.minute, 7 * 60 + 30);
	/* 2026-03-21 was a Saturday (0), 2024-03-20 a Wednesday (4), 1970-01-01 a Thursday. */
	assert_int_equal(tehran_from_unix(civil_to_days(2026, 3, 21) * 86400).weekday, 0);
	assert_int_equal(tehran_from_unix(civil_to_days(2024, 3, 20) * 86400).weekday, 4);
	assert_int_equal(tehran_from_unix(0).weekday, 5);
	/* A week of days walks the weekdays in order, negative instants too. */
	for (int64_t day = -30; day < 30; day++) {
		int want = (int)(((day + 5) % 7 + 7) % 7);
		assert_int_equal(tehran_from_unix(day * 86400).weekday, want);
	}
}

static void test_tehran_midnight(void **state)
{
	(void)state;
	/* 2024-03-19T20:30:00Z is midnight starting 1403/01/01 in Tehran. */
	int64_t t = 1710880200;
	struct tehran_time a = tehran_from_unix(t);
	assert_jdate(a.date, 1403, 1, 1);
	assert_int_equal(a.minute, 0);
	assert_int_equal(a.weekday, 4);
	struct tehran_time b = tehran_from_unix(t - 1);
	assert_jdate(b.date, 1402, 12, 29);
	assert_int_equal(b.minute, 1439);
	assert_int_equal(b.weekday, 3);
	/* UTC midnight is 03:30 in Tehran, same date. */
	struct tehran_time c = tehran_from_unix(civil_to_days(2024, 3, 20) * 86400);
	assert_jdate(c.date, 1403, 1, 1);
	assert_int_equal(c.minute, 210);
	/* One second before the epoch: 1970-01-01 03:29:59 in Tehran. */
	struct tehran_time d = tehran_from_unix(-1);
	assert_jdate(d.date, 1348, 10, 11);
	assert_int_equal(d.minute, 209);
	assert_int_equal(d.weekday, 5);
	/* Extreme instants neither overflow nor crash. */
	struct tehran_time e = tehran_from_unix(INT64_MAX);
	assert_int_equal(e.date.y, 0);
	assert_true(e.minute >= 0 && e.minute < 1440);
	e = tehran_from_unix(INT64_MIN);
	assert_int_equal(e.date.y, 0);
	assert_true(e.weekday >= 0 && e.weekday < 7);
}

static void test_tehran_to_unix(void **state)
{
	(void)state;
	assert_int_equal(tehran_to_unix((struct jdate){1405, 9, 1}, 450), 1795320000);
	assert_int_equal(tehran_to_unix((struct jdate){1403, 1, 1}, 0), 1710880200);
	/* Round trip over a few days of minutes. */
	for (int64_t t = 1710880200 - 3 * 86400; t < 1710880200 + 3 * 86400; t += 60 * 17) {
		struct tehran_time l = tehran_from_unix(t);
		assert_int_equal(tehran_to_unix(l.date, l.minute), t);
	}
}

static void test_parse(void **state)
{
	(void)state;
	struct jdate d;
	assert_int_equal(jalali_parse("1403/07/15", &d), 0);
	assert_jdate(d, 1403, 7, 15);
	assert_int_equal(jalali_parse("1403-07-15", &d), 0);
	assert_jdate(d, 1403, 7, 15);
	assert_int_equal(jalali_parse("14030715", &d), 0);
	assert_jdate(d, 1403, 7, 15);
	/* One-digit month and day are accepted (see jalali.h). */
	assert_int_equal(jalali_parse("1404/1/1", &d), 0);
	assert_jdate(d, 1404, 1, 1);
	assert_int_equal(jalali_parse("1404-12-9", &d), 0);
	assert_jdate(d, 1404, 12, 9);
	assert_int_equal(jalali_parse("1403/12/30", &d), 0);

	const char *bad[] = {
	    "",
	    "14a4/01/01",
	    "1404/00/10",
	    "1404/01/00",
	    "1404/13/01",
	    "1404/12/30",
	    "1404/07/31",
	    "1404/01/32",
	    "14041230",
	    "14040001",
	    "1404/01-10",
	    "1404.01.10",
	    "1404/01/10 ",
	    " 1404/01/10",
	    "404/01/10",
	    "01404/01/10",
	    "1404/001/10",
	    "1404/01/010",
	    "1404//10",
	    "1404/01/",
	    "1404/01",
	    "1404",
	    "1404011",
	    "140401101",
	    "+404/01/10",
	    "1404/-1/10",
	    "0000/01/01",
	    "abcd/ef/gh",
	    "\xDB\xB1\xDB\xB4\xDB\xB0\xDB\xB4/01/01",
	};
	d = (struct jdate){7, 7, 7};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (jalali_parse(bad[i], &d) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_jdate(d, 7, 7, 7); /* untouched on failure */
	assert_int_equal(jalali_parse(NULL, &d), -1);
}

static void test_format(void **state)
{
	(void)state;
	char out[11];
	jalali_format((struct jdate){1403, 7, 15}, out);
	assert_string_equal(out, "1403/07/15");
	jalali_format((struct jdate){1404, 1, 1}, out);
	assert_string_equal(out, "1404/01/01");
	jalali_format((struct jdate){99, 1, 1}, out);
	assert_string_equal(out, "0099/01/01");
	/* Nonsense is clamped to the width rather than overflowing out. */
	jalali_format((struct jdate){123456, -5, 300}, out);
	assert_int_equal(strlen(out), 10);
	/* format then parse is the identity for every day of 1403. */
	for (int m = 1; m <= 12; m++)
		for (int dd = 1; dd <= jalali_month_days(1403, m); dd++) {
			struct jdate d;
			jalali_format((struct jdate){1403, m, dd}, out);
			assert_int_equal(jalali_parse(out, &d), 0);
			assert_jdate(d, 1403, m, dd);
		}
}

static void test_iso_format(void **state)
{
	(void)state;
	char out[21];
	iso_format(0, out);
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	iso_format(1728203400, out);
	assert_string_equal(out, "2024-10-06T08:30:00Z");
	iso_format(951868740, out);
	assert_string_equal(out, "2000-02-29T23:59:00Z");
	iso_format(-1, out);
	assert_string_equal(out, "1969-12-31T23:59:59Z");
	/* Out of four-digit years: clamped. */
	iso_format(INT64_MAX, out);
	assert_string_equal(out, "9999-12-31T23:59:59Z");
	iso_format(INT64_MIN, out);
	assert_string_equal(out, "0000-01-01T00:00:00Z");
}

/* A log's or a series' timestamp (calls/queuelog.c, pulse/detect.c read theirs with it). */
static void test_civil_datetime_parse(void **state)
{
	(void)state;
	int64_t t = 7;
	assert_int_equal(civil_datetime_parse("2024-10-06 08:30:00", &t), 0);
	assert_int_equal(t, 1728203400);
	assert_int_equal(civil_datetime_parse("2024-10-06T08:30:00", &t), 0);
	assert_int_equal(civil_datetime_parse("2024-02-29 00:00:00", &t), 0);
	t = 7;
	assert_int_equal(civil_datetime_parse("2023-02-29 00:00:00", &t), -2);
	assert_int_equal(civil_datetime_parse("2024-13-01 00:00:00", &t), -2);
	assert_int_equal(civil_datetime_parse("2024-10-06 24:00:00", &t), -2);
	assert_int_equal(civil_datetime_parse("2024-10-06 08:30:60", &t), -2);
	assert_int_equal(civil_datetime_parse("2024-10-06 8:30:00", &t), -1);
	assert_int_equal(civil_datetime_parse("2024/10/06 08:30:00", &t), -1);
	assert_int_equal(civil_datetime_parse("2024-10-06_08:30:00", &t), -1);
	assert_int_equal(civil_datetime_parse("", &t), -1);
	assert_int_equal(t, 7); /* untouched on failure */
}

static void test_iso_parse(void **state)
{
	(void)state;
	int64_t t;
	assert_int_equal(iso_parse("2024-10-06T08:30:00Z", &t), 0);
	assert_int_equal(t, 1728203400);
	assert_int_equal(iso_parse("2024-10-06", &t), 0);
	assert_int_equal(t, 1728203400 - 8 * 3600 - 30 * 60);
	assert_int_equal(iso_parse("2000-02-29T23:59:00Z", &t), 0);
	assert_int_equal(t, 951868740);
	assert_int_equal(iso_parse("1969-12-31T23:59:59Z", &t), 0);
	assert_int_equal(t, -1);
	/* JavaScript's toISOString() milliseconds are accepted and dropped. */
	assert_int_equal(iso_parse("2024-10-06T08:30:00.999Z", &t), 0);
	assert_int_equal(t, 1728203400);

	const char *bad[] = {
	    "2024-13-01",
	    "2024-00-10",
	    "2024-02-30T00:00:00Z",
	    "2023-02-29",
	    "2024-04-31",
	    "2024-10-06T24:00:00Z",
	    "2024-10-06T08:60:00Z",
	    "2024-10-06T08:30:60Z",
	    "2024-10-06T08:30:00Zjunk",
	    "2024-10-06T08:30:00",
	    "2024-10-06T08:30:00+03:30",
	    "2024-10-06T08:30Z",
	    "2024-10-06T08:30:00.Z",
	    "2024-10-06T08:30:00.1234567890Z",
	    "2024-10-06 08:30:00Z",
	    "2024-10-06x",
	    "2024-10-06T",
	    "2024-1-06",
	    "24-10-06",
	    "2024/10/06",
	    "",
	    "now",
	};
	t = 42;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (iso_parse(bad[i], &t) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(t, 42);
	assert_int_equal(iso_parse(NULL, &t), -1);
}

static void test_iso_round_trip(void **state)
{
	(void)state;
	char out[21];
	uint64_t x = 88172645463325252u; /* xorshift64, fixed seed */
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* Instants from 1900 to 2100. */
		int64_t t = -2208988800 + (int64_t)(x % UINT64_C(6311433600));
		int64_t back;
		iso_format(t, out);
		assert_int_equal(iso_parse(out, &back), 0);
		assert_int_equal(back, t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nowruz),
	    cmocka_unit_test(test_known_dates),
	    cmocka_unit_test(test_leap),
	    cmocka_unit_test(test_cycle_breaks),
	    cmocka_unit_test(test_month_days),
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_range_edges),
	    cmocka_unit_test(test_civil),
	    cmocka_unit_test(test_weekday),
	    cmocka_unit_test(test_tehran_midnight),
	    cmocka_unit_test(test_tehran_to_unix),
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_iso_format),
	    cmocka_unit_test(test_iso_parse), cmocka_unit_test(test_civil_datetime_parse),
	    cmocka_unit_test(test_iso_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
