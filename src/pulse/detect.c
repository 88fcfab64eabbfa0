/* pulse/detect: the method is described in detect.h; the reasons and the papers are in
 * docs/DECISIONS.md ("The pulse's detector"). */
#include "pulse/detect.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jalali.h"

#define DAY 86400
#define WEEK (7 * DAY)
#define TREND_BLOCKS 8	/* past blocks (weeks, or days) whose ratios give the trend */
#define SPREAD_BLOCKS 4 /* past blocks whose residuals give the spread */
#define SPREAD_MIN 8	/* residuals needed for a spread */
#define LINE_MAX 256

/* ---- reading ---- */

int pulse_time_parse(const char *s, size_t len, int64_t *out)
{
	char t[20];
	int64_t v;
	if (len != 19 || s[10] != ' ')
		return -1;
	memcpy(t, s, 19);
	t[19] = 0;
	if (civil_datetime_parse(t, &v) < 0 || v < civil_to_days(1900, 1, 1) * DAY ||
	    v >= civil_to_days(2201, 1, 1) * DAY)
		return -1;
	*out = v;
	return 0;
}

static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void pulse_time_format(int64_t t, char out[20])
{
	int64_t days = floordiv(t, DAY), sec = t - days * DAY;
	int y, m, d;
	civil_from_days(days, &y, &m, &d);
	unsigned us = (unsigned)sec;
	snprintf(out, 20, "%04u-%02u-%02u %02u:%02u:%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
		 (unsigned)d % 100u, us / 3600u % 100u, us / 60u % 60u, us % 60u);
}

/* A count: digits with at most one '.', no sign, no exponent. */
static int count_parse(const char *s, size_t len, double *out)
{
	char buf[64];
	int dots = 0;
	if (len == 0 || len >= sizeof buf)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.')
			dots++;
		else if (s[i] < '0' || s[i] > '9')
			return -1;
	}
	if (dots > 1 || s[0] == '.' || s[len - 1] == '.')
		return -1;
	memcpy(buf, s, len);
	buf[len] = 0;
	*out = strtod(buf, NULL);
	return isfinite(*out) ? 0 : -1;
}

void pulse_series_release(struct pulse_series *s)
{
	free(s->value);
	memset(s, 0, sizeof *s);
}

static int bad(struct err *e, struct pulse_series *s, size_t line, const char *why)
{
	pulse_series_release(s);
	return err_set(e, 400, "invalid_series", "series", "line %zu: %s", line, why);
}

int pulse_csv_read(const char *text, size_t len, struct pulse_series *s, struct err *e)
{
	memset(s, 0, sizeof *s);
	size_t cap = 0, line = 0, pos = 0, step_line = 0;
	int64_t prev = 0;
	char msg[200];
	while (pos < len) {
		const char *p = text + pos;
		const char *nl = memchr(p, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - p) : len - pos;
		pos += n + (nl != NULL);
		line++;
		if (n && p[n - 1] == '\r')
			n--;
		if (line == 1) {
			/* The header: anything but a row. */
			if (n >= 4 && p[0] >= '0' && p[0] <= '9')
				return bad(e, s, line,
					   "the first line must be the header (timestamp,value)");
			continue;
		}
		if (n == 0) {
			if (pos >= len)
				break; /* the file's last newline */
			return bad(e, s, line, "an empty line");
		}
		if (n > LINE_MAX)
			return bad(e, s, line, "the line is too long for `timestamp,value`");
		const char *comma = memchr(p, ',', n);
		if (!comma)
			return bad(e, s, line, "expected `timestamp,value`, found no comma");
		int64_t t;
		if (pulse_time_parse(p, (size_t)(comma - p), &t) < 0)
			return bad(e, s, line,
				   "the timestamp is not a date and time "
				   "YYYY-MM-DD HH:MM:SS (years 1900 to 2200)");
		double v;
		if (count_parse(comma + 1, n - (size_t)(comma + 1 - p), &v) < 0)
			return bad(e, s, line,
				   "the value is not a count (digits, a '.' at most; "
				   "no sign, no other column)");
		if (s->n == 1) {
			if (t <= prev)
				return bad(e, s, line, "the timestamps must increase");
			s->step = t - prev;
			step_line = line;
		} else if (s->n > 1 && t - prev != s->step) {
			snprintf(
			    msg, sizeof msg,
			    "the step from the previous row is %lld s, but the series' step is "
			    "%lld s (lines %zu-%zu): rows must follow at a regular step, with no "
			    "gap, duplicate or reordering",
			    (long long)(t - prev), (long long)s->step, step_line - 1, step_line);
			return bad(e, s, line, msg);
		}
		if (s->n == cap) {
			cap = cap ? cap * 2 : 1024;
			double *nv = realloc(s->value, cap * sizeof *nv);
			if (!nv) {
				pulse_series_release(s);
				return err_set(e, 500, "no_memory", "", "out of memory");
			}
			s->value = nv;
		}
		if (s->n == 0) {
			s->start = t;
			s->line0 = line;
		}
		s->value[s->n++] = v;
		prev = t;
	}
	if (line == 0)
		return bad(e, s, 1, "the file is empty: a header line and rows are expected");
	if (s->n < 2)
		return bad(e, s, line, "at least two rows are needed to know the step");
	return 0;
}

/* ---- detecting ---- */

void pulse_params_default(struct pulse_params *p)
{
	p->threshold = 4.0;
	p->weeks = 5;
	p->merge_hours = 36;
}

/* The k-th smallest of v[0..n) (v reordered): Hoare's selection, linear on average;
 * the spread's bisection takes a median 40 times a chunk, which sorting made the cost of
 * an hourly year (pulse/series.c). */
static double select_kth(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;
	while (lo < hi) {
		double pivot = v[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				double t = v[i];
				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return v[k];
	}
	return v[k];
}

static double median(double *v, size_t n)
{
	if (n <= 16) { /* the baseline's few weeks: an insertion sort */
		for (size_t i = 1; i < n; i++) {
			double x = v[i];
			size_t j = i;
			for (; j > 0 && v[j - 1] > x; j--)
				v[j] = v[j - 1];
			v[j] = x;
		}
		return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	}
	double hi = select_kth(v, n, n / 2);
	if (n % 2)
		return hi;
	/* the lower middle: the largest of the part select_kth left below n / 2 */
	double lo = v[0];
	for (size_t i = 1; i < n / 2; i++)
		if (v[i] > lo)
			lo = v[i];
	return (lo + hi) / 2;
}

static double anscombe(double x)
{
	return 2 * sqrt(x + 0.375);
}

struct ctx {
	const struct pulse_series *s;
	const struct pulse_params *p;
	size_t period; /* points in a cycle: a week, a day, or 1 */
	size_t day;    /* points in a day when the cycle is a week, else 0 */
	int weekly;
	int64_t day0;	    /* civil day of value[0] */
	unsigned char *hol; /* per civil day from day0: a holiday */
	size_t ndays;
	double *cand;  /* room for the candidates */
	double *slope; /* per block: the trend's log slope per block */
};

static int64_t day_of(const struct ctx *c, size_t i)
{
	return floordiv(c->s->start + (int64_t)i * c->s->step, DAY);
}

static int is_holiday(const struct ctx *c, size_t i)
{
	if (!c->hol)
		return 0;
	int64_t d = day_of(c, i) - c->day0;
	return d >= 0 && (size_t)d < c->ndays && c->hol[d];
}

static int is_friday(const struct ctx *c, size_t i)
{
	int64_t d = day_of(c, i);
	return ((d % 7) + 7 + 4) % 7 == 5; /* 1970-01-01 was a Thursday (4; Sunday 0) */
}

/* The baseline of point i before the trend: the median of its candidates, and their
 * mean age in blocks (*age). NAN when fewer than two. */
static double baseline(const struct ctx *c, size_t i, double *age)
{
	size_t k = (size_t)c->p->weeks, n = 0;
	double ages = 0;
	const double *v = c->s->value;
	if (c->weekly && is_holiday(c, i)) {
		/* The same time of day on the last holidays of the past year. */
		for (size_t m = 1; m <= 366 && m * c->day <= i && n < k; m++)
			if (is_holiday(c, i - m * c->day)) {
				c->cand[n++] = v[i - m * c->day];
				ages += (double)(m * c->day) / (double)c->period;
			}
		/* Or on the last Fridays (the Iranian weekend) that were not holidays. */
		int fridays = n < 2;
		for (size_t m = 1; fridays && n < k && m <= 7 * (k + 2) && m * c->day <= i; m++) {
			size_t j = i - m * c->day;
			if (is_friday(c, j) && !is_holiday(c, j)) {
				c->cand[n++] = v[j];
				ages += (double)(i - j) / (double)c->period;
			}
		}
	} else {
		size_t limit = k + 4; /* holidays skipped: look a little further back */
		for (size_t m = 1; m <= limit && m * c->period <= i && n < k; m++) {
			size_t j = i - m * c->period;
			if (c->weekly && is_holiday(c, j))
				continue;
			c->cand[n++] = v[j];
			ages += (double)m;
		}
	}
	if (n < 2)
		return NAN;
	*age = ages / (double)n;
	return median(c->cand, n);
}

/* Per block of `period` points (from value[0]): the growth per block, the median over
 * the ordinary points of the TREND_BLOCKS blocks before it of log(value / baseline) / the
 * baseline's age. Ratios to each point's own baseline rather than weekly totals, so that
 * a week with holidays (Nowruz) is no fall; a median, so that an incident is no trend.
 * Points whose baseline is under 10 are left out (the log of small counts is biased);
 * 0 without a day's worth of points. raw and age: each point's baseline before the trend
 * and its age in blocks. */
static int trend(struct ctx *c, const double *raw, const double *age, size_t nblocks)
{
	size_t room = TREND_BLOCKS * c->period < c->s->n ? TREND_BLOCKS * c->period : c->s->n;
	double *r = malloc((room + 1) * sizeof *r);
	if (!r)
		return -1;
	const double *v = c->s->value;
	size_t enough = c->day ? c->day : c->period;
	for (size_t b = 0; b < nblocks; b++) {
		size_t m = 0, from = b > TREND_BLOCKS ? (b - TREND_BLOCKS) * c->period : 0;
		for (size_t j = from; j < b * c->period && j < c->s->n; j++)
			if (!isnan(raw[j]) && raw[j] >= 10 && age[j] > 0 && !is_holiday(c, j))
				r[m++] = log((v[j] + 0.5) / (raw[j] + 0.5)) / age[j];
		c->slope[b] = m >= enough ? median(r, m) : 0;
	}
	free(r);
	return 0;
}

#define CHI2_MEDIAN 0.45494 /* the median of chi-square with one degree of freedom */

/* The median of r^2 / (c0 + phi e) over m residuals r and their baselines e. */
static double spread_median(const double *r, const double *e, size_t m, double c0, double phi,
			    double *tmp)
{
	for (size_t j = 0; j < m; j++)
		tmp[j] = r[j] * r[j] / (c0 + phi * e[j]);
	return median(tmp, m);
}

/* Appends [first, last] with the direction and sums to *out. */
static int push(struct pulse_anomaly **out, size_t *n, size_t *cap, struct pulse_anomaly a)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct pulse_anomaly *na = realloc(*out, nc * sizeof *na);
		if (!na)
			return -1;
		*out = na;
		*cap = nc;
	}
	(*out)[(*n)++] = a;
	return 0;
}

int pulse_detect(const struct pulse_series *s, const int64_t *holidays, size_t nholidays,
		 const struct pulse_params *p, struct pulse_anomaly **out, size_t *nout,
		 double *expected)
{
	return pulse_detect_points(s, holidays, nholidays, p, out, nout, expected, NULL, NULL);
}

int pulse_detect_points(const struct pulse_series *s, const int64_t *holidays, size_t nholidays,
			const struct pulse_params *p, struct pulse_anomaly **out, size_t *nout,
			double *expected, double *score, double *spread)
{
	*out = NULL;
	*nout = 0;
	size_t n = s->n;
	int64_t step = s->step > 0 ? s->step : 1;
	struct ctx c = {.s = s, .p = p, .period = 1};
	if (WEEK % step == 0 && WEEK / step >= 7 && n / (size_t)(WEEK / step) >= 3) {
		c.period = (size_t)(WEEK / step);
		c.day = (size_t)(DAY / step);
		c.weekly = 1;
	} else if (DAY % step == 0 && DAY / step >= 4 && n / (size_t)(DAY / step) >= 3) {
		c.period = (size_t)(DAY / step);
	}
	size_t k = p->weeks > 0 ? (size_t)p->weeks : 1;
	size_t nblocks = n / c.period + 1, cap = 0, chunk = c.period > 16 ? c.period : 16;
	double *e = calloc(n, sizeof *e),
	       *z = calloc(n, sizeof *z); /* zeroed for clang-analyzer, which cannot see every point
					     written first */
	double *res = malloc((SPREAD_BLOCKS * chunk + 1) * sizeof *res);
	double *ex = malloc((SPREAD_BLOCKS * chunk + 1) * sizeof *ex);
	double *tmp = malloc((SPREAD_BLOCKS * chunk + 1) * sizeof *tmp);
	c.cand = malloc((k + 2) * sizeof *c.cand);
	c.slope = calloc(nblocks, sizeof *c.slope);
	int rc = -1;
	if (!e || !z || !res || !ex || !tmp || !c.cand || !c.slope)
		goto out;
	if (c.weekly && holidays && nholidays) {
		c.day0 = day_of(&c, 0);
		c.ndays = (size_t)(day_of(&c, n - 1) - c.day0) + 1;
		c.hol = calloc(c.ndays, 1);
		if (!c.hol)
			goto out;
		for (size_t h = 0; h < nholidays; h++)
			if (holidays[h] >= c.day0 && holidays[h] - c.day0 < (int64_t)c.ndays)
				c.hol[holidays[h] - c.day0] = 1;
	}
	for (size_t i = 0; i < n; i++) {
		z[i] = 0; /* the age, until the scores */
		e[i] = baseline(&c, i, &z[i]);
	}
	if (c.period > 1 && trend(&c, e, z, nblocks) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		double b = e[i];
		if (!isnan(b)) {
			double f = exp(c.slope[i / c.period] * z[i]);
			b *= f < 0.5 ? 0.5 : f > 2 ? 2 : f;
		}
		e[i] = b;
		z[i] = isnan(b) ? NAN : anscombe(s->value[i]) - anscombe(b);
	}
	/* The spread per chunk, from the residuals of the chunks before it (every chunk's is
	 * known before any residual becomes a score): var = c0 + phi e, c0 the Poisson's 1
	 * plus the median's own error (pi/2 / weeks), phi the over-dispersion (a day busier or
	 * quieter as a whole), found so that the median of r^2 / var is chi-square(1)'s. */
	size_t nchunks = (n + chunk - 1) / chunk;
	double *sp = malloc(nchunks * sizeof *sp), c0 = 1 + 1.5708 / (double)k;
	if (!sp)
		goto out;
	size_t stride = SPREAD_BLOCKS * chunk / 4096 + 1; /* a sample, for long cycles */
	for (size_t ch = 0; ch < nchunks; ch++) {
		size_t i = ch * chunk, m = 0;
		size_t from = i > SPREAD_BLOCKS * chunk ? i - SPREAD_BLOCKS * chunk : 0;
		for (size_t j = from; j < i; j += stride)
			if (!isnan(z[j])) {
				res[m] = z[j];
				ex[m++] = e[j];
			}
		sp[ch] = NAN;
		if (m < SPREAD_MIN)
			continue;
		double lo_phi = 0, hi_phi = 0;
		if (spread_median(res, ex, m, c0, 0, tmp) > CHI2_MEDIAN) {
			hi_phi = 1e-4;
			while (hi_phi < 1e3 &&
			       spread_median(res, ex, m, c0, hi_phi, tmp) > CHI2_MEDIAN)
				hi_phi *= 2;
			for (int it = 0; it < 40; it++) {
				double mid = (lo_phi + hi_phi) / 2;
				if (spread_median(res, ex, m, c0, mid, tmp) > CHI2_MEDIAN)
					lo_phi = mid;
				else
					hi_phi = mid;
			}
		}
		sp[ch] = hi_phi;
	}
	for (size_t i = 0; i < n; i++) {
		double sd =
		    isnan(sp[i / chunk]) || isnan(e[i]) ? NAN : sqrt(c0 + sp[i / chunk] * e[i]);
		z[i] = isnan(sd) ? NAN : z[i] / sd;
		if (spread)
			spread[i] = sd;
	}
	free(sp);

	/* Intervals: cores at |z| >= T grown over same-sign |z| >= T/2, then merged. */
	double t = p->threshold > 0 ? p->threshold : 4, lo = t / 2;
	size_t gap = (size_t)((int64_t)(p->merge_hours > 0 ? p->merge_hours : 0) * 3600 / step);
	for (size_t i = 0; i < n; i++) {
		if (isnan(z[i]) || fabs(z[i]) < t)
			continue;
		int dir = z[i] > 0 ? 1 : -1;
		size_t a = i, b = i;
		while (a > 0 && !isnan(z[a - 1]) && z[a - 1] * dir >= lo)
			a--;
		while (b + 1 < n && !isnan(z[b + 1]) && z[b + 1] * dir >= lo)
			b++;
		struct pulse_anomaly an = {a, b, dir, 0, 0, 0};
		for (size_t j = a; j <= b; j++) {
			an.value += s->value[j];
			an.expected += e[j];
			if (fabs(z[j]) > an.score)
				an.score = fabs(z[j]);
		}
		struct pulse_anomaly *last = *nout ? &(*out)[*nout - 1] : NULL;
		if (last && last->direction == dir && a <= last->last + gap + 1) {
			for (size_t j = last->last + 1; j < a; j++) { /* the gap's points join */
				an.value += s->value[j];
				an.expected += e[j];
			}
			last->last = b;
			last->value += an.value;
			last->expected += an.expected;
			if (an.score > last->score)
				last->score = an.score;
		} else if (push(out, nout, &cap, an) < 0) {
			goto out;
		}
		i = b;
	}
	if (expected)
		memcpy(expected, e, n * sizeof *e);
	if (score)
		memcpy(score, z, n * sizeof *z);
	rc = 0;
out:
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*nout = 0;
	}
	free(e);
	free(z);
	free(res);
	free(ex);
	free(tmp);
	free(c.cand);
	free(c.slope);
	free(c.hol);
	return rc;
}
