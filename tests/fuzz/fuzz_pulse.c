/* The pulse's series (pulse/detect.h): CSV text read by pulse_csv_read, refused with a 400
 * that names a line, or a series at a positive step whose every value is a finite count;
 * then the detector on it, with holidays taken from the input's first bytes: intervals in
 * time order, inside the series, each a rise or a fall with a score at the threshold. */
#include <math.h>
#include <stdint.h>

#include "fuzz.h"
#include "pulse/detect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 20)
		return 0;
	char *text = malloc(size ? size : 1); /* exact: the text is not NUL-terminated */
	FUZZ_CHECK(text);
	memcpy(text, data, size);
	struct pulse_series s;
	struct err e = {0};
	if (pulse_csv_read(text, size, &s, &e) < 0) {
		FUZZ_CHECK(e.status == 400 && !strncmp(e.message, "line ", 5));
		free(text);
		return 0;
	}
	FUZZ_CHECK(s.n >= 2 && s.step > 0);
	for (size_t i = 0; i < s.n; i++)
		FUZZ_CHECK(isfinite(s.value[i]) && s.value[i] >= 0);
	int64_t hol[4];
	size_t nhol = size >= 4 ? 4 : 0;
	int64_t day0 = s.start / 86400;
	for (size_t h = 0; h < nhol; h++)
		hol[h] = day0 + data[h] % 64;
	struct pulse_params p;
	pulse_params_default(&p);
	if (size)
		p.weeks = 2 + data[size - 1] % 8;
	struct pulse_anomaly *an;
	size_t nan;
	double *expected = malloc(s.n * sizeof *expected);
	FUZZ_CHECK(expected);
	FUZZ_CHECK(pulse_detect(&s, hol, nhol, &p, &an, &nan, expected) == 0);
	for (size_t i = 0; i < nan; i++) {
		FUZZ_CHECK(an[i].first <= an[i].last && an[i].last < s.n);
		FUZZ_CHECK(i == 0 || an[i].first > an[i - 1].last);
		FUZZ_CHECK(an[i].direction == 1 || an[i].direction == -1);
		FUZZ_CHECK(an[i].score >= p.threshold && isfinite(an[i].score));
		FUZZ_CHECK(isfinite(an[i].value) && isfinite(an[i].expected));
	}
	char stamp[20];
	pulse_time_format(s.start + (int64_t)(s.n - 1) * s.step, stamp);
	int64_t back;
	FUZZ_CHECK(pulse_time_parse(stamp, 19, &back) < 0 ||
		   back == s.start + (int64_t)(s.n - 1) * s.step);
	free(an);
	free(expected);
	pulse_series_release(&s);
	free(text);
	return 0;
}
