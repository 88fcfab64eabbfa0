/* pulse/detect: the CSV reader's refusals and the detector on small series whose
 * anomalies are known: a spike, a dip, a level shift reported once from where it began,
 * a holiday that is no anomaly when it is on the list, and a quiet series with none. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/jalali.h"
#include "pulse/detect.h"

/* A week-cycled hourly series of `weeks` weeks from Saturday 2025-01-04: `level` an hour
 * by day, a fifth at night, Fridays half, with a deterministic +-small wobble. */
static struct pulse_series hourly(int weeks, double level)
{
	struct pulse_series s = {0};
	s.n = (size_t)weeks * 168;
	s.step = 3600;
	s.start = civil_to_days(2025, 1, 4) * 86400;
	s.value = malloc(s.n * sizeof *s.value);
	unsigned x = 12345;
	for (size_t i = 0; i < s.n; i++) {
		int h = (int)(i % 24), fri = (i / 24) % 7 == 6;
		double v = level * (h >= 8 && h < 20 ? 1 : 0.2) * (fri ? 0.5 : 1);
		x = x * 1103515245u + 12345u;
		s.value[i] = (double)(long)(v + (double)((x >> 16) % 7) - 3 + 0.5);
		if (s.value[i] < 0)
			s.value[i] = 0;
	}
	return s;
}

static size_t detect(const struct pulse_series *s, const int64_t *hol, size_t nhol,
		     struct pulse_anomaly **an)
{
	struct pulse_params p;
	pulse_params_default(&p);
	size_t n;
	assert_int_equal(pulse_detect(s, hol, nhol, &p, an, &n, NULL), 0);
	return n;
}

static void test_quiet(void **state)
{
	(void)state;
	struct pulse_series s = hourly(10, 200);
	struct pulse_anomaly *an;
	assert_int_equal(detect(&s, NULL, 0, &an), 0);
	free(an);
	pulse_series_release(&s);
}

static void test_spike_and_dip(void **state)
{
	(void)state;
	struct pulse_series s = hourly(10, 200);
	size_t spike = 6 * 168 + 2 * 24 + 10, dip = 8 * 168 + 3 * 24 + 9;
	s.value[spike] *= 2;
	s.value[dip] = 20;
	s.value[dip + 1] = 15;
	struct pulse_anomaly *an;
	size_t n = detect(&s, NULL, 0, &an);
	assert_int_equal(n, 2);
	assert_int_equal(an[0].first, spike);
	assert_int_equal(an[0].direction, 1);
	assert_true(an[0].score >= 4);
	assert_int_equal(an[1].first, dip);
	assert_int_equal(an[1].last, dip + 1);
	assert_int_equal(an[1].direction, -1);
	assert_true(an[1].value == 35 && an[1].expected > 350);
	free(an);
	pulse_series_release(&s);
}

static void test_level_shift_once(void **state)
{
	(void)state;
	struct pulse_series s = hourly(14, 200);
	size_t from = 7 * 168 + 8; /* a Saturday morning */
	for (size_t i = from; i < s.n; i++)
		s.value[i] *= 1.5;
	struct pulse_anomaly *an;
	size_t n = detect(&s, NULL, 0, &an);
	assert_int_equal(n, 1);
	assert_int_equal(an[0].direction, 1);
	assert_true(an[0].first >= from && an[0].first <= from + 2);
	free(an);
	pulse_series_release(&s);
}

static void test_holiday(void **state)
{
	(void)state;
	struct pulse_series s = hourly(10, 200);
	size_t day = 6 * 7 + 2; /* a Monday, as quiet as a Friday */
	for (size_t i = day * 24; i < day * 24 + 24; i++)
		s.value[i] = s.value[i - 2 * 24 - 0] * 0.5; /* from Saturday, halved */
	struct pulse_anomaly *an;
	assert_true(detect(&s, NULL, 0, &an) >= 1); /* unknown: a fall */
	assert_int_equal(an[0].direction, -1);
	free(an);
	int64_t hol = s.start / 86400 + (int64_t)day;
	assert_int_equal(detect(&s, &hol, 1, &an), 0); /* listed: a day like a Friday */
	free(an);
	pulse_series_release(&s);
}

static void refused(const char *text, const char *want)
{
	struct pulse_series s;
	struct err e = {0};
	assert_int_equal(pulse_csv_read(text, strlen(text), &s, &e), -1);
	assert_int_equal(e.status, 400);
	if (!strstr(e.message, want))
		fail_msg("%s: got \"%s\", want \"%s\"", text, e.message, want);
}

static void test_csv(void **state)
{
	(void)state;
	const char *ok = "timestamp,value\r\n2025-03-21 00:00:00,3\r\n2025-03-21 00:15:00,4.5\r\n"
			 "2025-03-21 00:30:00,0";
	struct pulse_series s;
	struct err e = {0};
	assert_int_equal(pulse_csv_read(ok, strlen(ok), &s, &e), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.step, 900);
	assert_true(s.value[1] == 4.5 && s.value[2] == 0);
	char t[20];
	pulse_time_format(s.start + 2 * s.step, t);
	assert_string_equal(t, "2025-03-21 00:30:00");
	pulse_series_release(&s);
	refused("", "line 1: the file is empty");
	refused("h\n2025-03-21 00:00:00,1\n2025-03-21 00:10:00,1\n2025-03-21 00:30:00,1\n",
		"line 4: the step from the previous row is 1200 s");
	refused("h\n2025-03-21 00:00:00,1\n2025-03-21 00:10:00,1\n2025-03-21 00:10:00,1\n",
		"line 4");
	refused("h\n2025-02-29 00:00:00,1\n", "line 2: the timestamp");
	refused("h\n2025-03-21 24:00:00,1\n", "line 2: the timestamp");
	refused("h\n2025-03-21 00:00:00,+1\n", "line 2: the value");
	refused("h\n2025-03-21 00:00:00,1.\n", "line 2: the value");
	refused("h\n2025-03-21 00:00:00,1\n", "line 2: at least two rows");
	refused("2025-03-21 00:00:00,1\n", "line 1: the first line must be the header");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_quiet),
	    cmocka_unit_test(test_spike_and_dip),
	    cmocka_unit_test(test_level_shift_once),
	    cmocka_unit_test(test_holiday),
	    cmocka_unit_test(test_csv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
