/* pulse/detect: anomalies in a count series, pure (no database, no clock, no file): the
 * rises and falls of contacts that "the pulse" reports. Usable on any series of counts at
 * a regular step: `tamin pulse detect` reads one from CSV (pulse_csv_read).
 *
 * The method (docs/DECISIONS.md, "The pulse's detector"), chosen for contact counts:
 * Poisson-like counts with daily and weekly cycles, holidays, a trend and level shifts.
 *  1. Baseline: a point's expected value is the median of the same slot (weekday and time
 *     of day) in the last `weeks` weeks (default 5), skipping holidays; a holiday is a day
 *     type of its own, its baseline the same time of day on the last holidays of the past
 *     year, or the last Fridays (the Iranian weekend) when fewer than two are known. The
 *     seasonal-median baseline is S-H-ESD's (Hochenbaum et al. 2017) idea, a median rather
 *     than a fitted trend, so that past anomalies do not pull it.
 *  2. Trend: the median lags a growing series by the mean age of its weeks; the growth,
 *     the median over the ordinary points of the last 8 weeks of log(value / baseline) /
 *     age (a holiday week such as Nowruz is no fall, an incident no trend), scales it
 *     forward, clamped to x0.5..x2.
 *  3. Score: the residual on the Anscombe scale, 2(sqrt(x+3/8) - sqrt(e+3/8)) (variance 1
 *     for Poisson counts at any level), over sqrt(1 + pi/2/weeks + phi e): the Poisson's
 *     variance, the median's own error, and an over-dispersion phi (whole days busier or
 *     quieter, which weighs more at busy hours) chosen so that the median of score^2 over
 *     the last 4 weeks is chi-square(1)'s. A few anomalies do not move a median.
 *  4. Intervals: a point at |score| >= threshold (default 4) is a core; the run of
 *     same-sign points at |score| >= threshold/2 around it joins it, and intervals of one
 *     direction less than 36 hours apart merge, so a multi-day incident whose nights are
 *     quiet, or a level shift (flagged until the median takes it in), is reported once,
 *     from where it began.
 * A series shorter than 3 weeks uses the day as its cycle (no weekday, no holidays), one
 * shorter than 3 days no cycle (the last `weeks` points). Points without two past slots
 * to compare with, or without 8 past residuals for the spread, are not scored: the first
 * two weeks of a weekly series (three for the spread) report nothing.
 *
 * Times are "civil seconds": the timestamp as written, counted from 1970-01-01 00:00:00
 * with no time zone (a series in Tehran time stays in Tehran time). */
#ifndef TAMIN_PULSE_DETECT_H
#define TAMIN_PULSE_DETECT_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct pulse_series {
	double *value; /* n counts, >= 0 */
	size_t n;
	int64_t start, step; /* civil seconds of value[0]; seconds between points, > 0 */
	size_t line0;	     /* the line of value[0] in the CSV read (for messages), else 0 */
};

/* Reads `timestamp,value` rows after a header line (CRLF or LF; `YYYY-MM-DD HH:MM:SS`,
 * a count >= 0) at a regular step found from the first two rows. 0, or -1 with e (400
 * "invalid_series", a message naming the line) for a missing header, a malformed row, a
 * negative or non-finite count, fewer than two rows, or a row off the step (a gap, a
 * duplicate or a reordering). text need not end in NUL. pulse_series_release frees it. */
int pulse_csv_read(const char *text, size_t len, struct pulse_series *s, struct err *e);
void pulse_series_release(struct pulse_series *s);

/* "YYYY-MM-DD HH:MM:SS" as civil seconds: 0, or -1 (years 1900 to 2200). */
int pulse_time_parse(const char *s, size_t len, int64_t *out);
void pulse_time_format(int64_t t, char out[20]);

struct pulse_params {
	double threshold; /* |score| that makes a point a core; 4 */
	int weeks;	  /* past weeks (or days, or points) whose median is the baseline; 5 */
	int merge_hours;  /* same-direction intervals less apart than this merge; 36 */
};
void pulse_params_default(struct pulse_params *p);

struct pulse_anomaly {
	size_t first, last; /* the interval's points, inclusive */
	int direction;	    /* +1 rise, -1 fall */
	double value;	    /* the sum of the interval's counts */
	double expected;    /* the sum of their baselines */
	double score;	    /* the largest |score| in it */
};

/* The anomalies of s in time order into *out (malloc'd, free() it), their number in
 * *nout. holidays: civil day numbers (civil_to_days, base/jalali.h) in any order, may be
 * NULL. expected, if not NULL, gets each point's baseline (NaN where not scored). 0, or
 * -1 when memory ran out. */
int pulse_detect(const struct pulse_series *s, const int64_t *holidays, size_t nholidays,
		 const struct pulse_params *p, struct pulse_anomaly **out, size_t *nout,
		 double *expected);
/* pulse_detect, and if score is not NULL each point's robust score, if spread is not NULL
 * its divisor (the residual's standard deviation on the Anscombe scale); NaN where not
 * scored: what the pulse's series shows beside its baseline (and its band). */
int pulse_detect_points(const struct pulse_series *s, const int64_t *holidays, size_t nholidays,
			const struct pulse_params *p, struct pulse_anomaly **out, size_t *nout,
			double *expected, double *score, double *spread);

#endif
