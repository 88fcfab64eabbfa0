#include "base/worktime.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WT_DAY 86400
/* Clamps that keep every day * 86400 and minute * 60 product far from overflow:
 * 10^10 minutes is 19,000 years of round-the-clock time. */
#define WT_MAX_MINUTES INT64_C(10000000000)
#define WT_MAX_T (INT64_C(1) << 46)

struct worktime {
	int open[7], close[7]; /* Tehran minute of day, 0 = Saturday; open == close: closed */
	int always;	       /* every minute counts, holidays included */
	int32_t *hol;	       /* holidays as Tehran day numbers, sorted and unique */
	size_t nhol, cap;
};

static void *wt_xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p)
		abort(); /* same policy as the arena: no error path for out of memory */
	return p;
}

static struct worktime *wt_new(void)
{
	struct worktime *w = wt_xrealloc(NULL, sizeof *w);
	memset(w, 0, sizeof *w);
	return w;
}

struct worktime *worktime_new_office(void)
{
	struct worktime *w = wt_new();
	for (int d = 0; d <= 4; d++) {
		w->open[d] = 7 * 60 + 30;
		w->close[d] = 14 * 60 + 30;
	}
	w->open[5] = 7 * 60 + 30; /* Thursday */
	w->close[5] = 12 * 60 + 30;
	return w;
}

struct worktime *worktime_new_always(void)
{
	struct worktime *w = wt_new();
	for (int d = 0; d < 7; d++)
		w->close[d] = 24 * 60;
	w->always = 1;
	return w;
}

void worktime_free(struct worktime *w)
{
	if (!w)
		return;
	free(w->hol);
	free(w);
}

static int wt_clamp_minute(int m)
{
	return m < 0 ? 0 : m > 24 * 60 ? 24 * 60 : m;
}

void worktime_set_hours(struct worktime *w, int weekday, int start_minute, int end_minute)
{
	if (weekday < 0 || weekday > 6)
		return;
	int s = wt_clamp_minute(start_minute), e = wt_clamp_minute(end_minute);
	if (e < s)
		e = s;
	w->open[weekday] = s;
	w->close[weekday] = e;
	w->always = 0; /* explicit hours (and with them holidays) now apply */
}

/* Tehran day number (days since 1970-01-01) of a Jalali date; -1 with *ok = 0 if invalid. */
static int32_t wt_day_of(struct jdate d, int *ok)
{
	*ok = jalali_valid(d.y, d.m, d.d);
	if (!*ok)
		return -1;
	int gy, gm, gd;
	jalali_to_gregorian(d, &gy, &gm, &gd);
	return (int32_t)civil_to_days(gy, gm, gd);
}

/* Index of the first holiday >= day. */
static size_t wt_lower_bound(const struct worktime *w, int64_t day)
{
	size_t lo = 0, hi = w->nhol;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->hol[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int wt_holiday_day(const struct worktime *w, int64_t day)
{
	size_t i = wt_lower_bound(w, day);
	return i < w->nhol && w->hol[i] == day;
}

static void wt_reserve(struct worktime *w, size_t n)
{
	if (n <= w->cap)
		return;
	size_t cap = w->cap ? w->cap : 32;
	while (cap < n)
		cap *= 2;
	w->hol = wt_xrealloc(w->hol, cap * sizeof *w->hol);
	w->cap = cap;
}

void worktime_add_holiday(struct worktime *w, struct jdate d)
{
	int ok;
	int32_t day = wt_day_of(d, &ok);
	if (!ok)
		return;
	size_t i = wt_lower_bound(w, day);
	if (i < w->nhol && w->hol[i] == day)
		return;
	wt_reserve(w, w->nhol + 1);
	memmove(w->hol + i + 1, w->hol + i, (w->nhol - i) * sizeof *w->hol);
	w->hol[i] = day;
	w->nhol++;
}

int worktime_is_holiday(const struct worktime *w, struct jdate d)
{
	int ok;
	int32_t day = wt_day_of(d, &ok);
	return ok && wt_holiday_day(w, day);
}

static int wt_cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

static int wt_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "<four digits>.tsv": the only files read, so a README or editor backup is ignored. */
static int wt_holiday_file_year(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (name[i] < '0' || name[i] > '9')
			return -1;
	if (strcmp(name + 4, ".tsv") != 0)
		return -1;
	return atoi(name);
}

struct wt_days {
	int32_t *v;
	size_t n, cap;
};

static void wt_days_push(struct wt_days *ds, int32_t day)
{
	if (ds->n == ds->cap) {
		ds->cap = ds->cap ? ds->cap * 2 : 64;
		ds->v = wt_xrealloc(ds->v, ds->cap * sizeof *ds->v);
	}
	ds->v[ds->n++] = day;
}

#define WT_ERR(e, ...) err_set(e, 500, "invalid_holidays", "", __VA_ARGS__)

/* Reads one holiday file into ds; -1 with e filled on the first bad line. */
static int wt_read_file(const char *path, int year, struct wt_days *ds, struct err *e)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return WT_ERR(e, "%s: %s", path, strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0, rc = 0;
	errno = 0;
	while ((len = getline(&line, &cap, f)) != -1) {
		lineno++;
		char *s = line;
		while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
			s[--len] = 0;
		if (lineno == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
			s += 3; /* a BOM left by Windows editors */
		if (s[strspn(s, " \t")] == 0 || s[0] == '#')
			continue;
		char *tab = strchr(s, '\t');
		struct jdate d;
		if (!tab || tab[1] == 0) {
			rc = WT_ERR(e, "%s:%d: expected \"YYYY/MM/DD<TAB>name\"", path, lineno);
			break;
		}
		*tab = 0;
		if (jalali_parse(s, &d) != 0) {
			rc = WT_ERR(e, "%s:%d: \"%s\" is not a Jalali date", path, lineno, s);
			break;
		}
		if (d.y != year) {
			rc = WT_ERR(e, "%s:%d: %s is not in %d", path, lineno, s, year);
			break;
		}
		int ok;
		wt_days_push(ds, wt_day_of(d, &ok));
	}
	if (rc == 0 && ferror(f))
		rc = WT_ERR(e, "%s: %s", path, strerror(errno ? errno : EIO));
	free(line);
	fclose(f);
	return rc;
}

int worktime_load_holidays(struct worktime *w, const char *dir, struct err *e)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return WT_ERR(e, "%s: %s", dir, strerror(errno));
	char **names = NULL;
	size_t nn = 0, ncap = 0;
	struct dirent *de;
	while ((de = readdir(dp)) != NULL) {
		if (wt_holiday_file_year(de->d_name) < 0)
			continue;
		if (nn == ncap) {
			ncap = ncap ? ncap * 2 : 16;
			names = wt_xrealloc(names, ncap * sizeof *names);
		}
		size_t l = strlen(de->d_name) + 1;
		names[nn] = wt_xrealloc(NULL, l);
		memcpy(names[nn++], de->d_name, l);
	}
	closedir(dp);
	/* Sorted so the first error reported does not depend on directory order. */
	if (nn)
		qsort(names, nn, sizeof *names, wt_cmp_str);

	struct wt_days ds = {NULL, 0, 0};
	int rc = 0;
	for (size_t i = 0; i < nn && rc == 0; i++) {
		size_t l = strlen(dir) + strlen(names[i]) + 2;
		char *path = wt_xrealloc(NULL, l);
		snprintf(path, l, "%s/%s", dir, names[i]);
		rc = wt_read_file(path, wt_holiday_file_year(names[i]), &ds, e);
		free(path);
	}
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);

	/* All or nothing: a bad file leaves the calendar as it was. */
	if (rc == 0 && ds.n) {
		wt_reserve(w, w->nhol + ds.n);
		memcpy(w->hol + w->nhol, ds.v, ds.n * sizeof *ds.v);
		size_t n = w->nhol + ds.n, u = 0;
		qsort(w->hol, n, sizeof *w->hol, wt_cmp_i32);
		for (size_t i = 0; i < n; i++)
			if (u == 0 || w->hol[u - 1] != w->hol[i])
				w->hol[u++] = w->hol[i];
		w->nhol = u;
	}
	free(ds.v);
	return rc ? -1 : (int)ds.n;
}

static int64_t wt_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t wt_clamp(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static int wt_weekday(int64_t day)
{
	return (int)((day % 7 + 7 + 5) % 7); /* 1970-01-01: Thu */
}

/* Working seconds in a whole week without holidays. */
static int64_t wt_week_secs(const struct worktime *w)
{
	int64_t s = 0;
	for (int d = 0; d < 7; d++)
		s += (int64_t)(w->close[d] - w->open[d]) * 60;
	return s;
}

/* The working interval of a Tehran day as local seconds of day; 0 when not working. */
static int wt_hours(const struct worktime *w, int64_t day, int64_t *o, int64_t *c)
{
	int wd = wt_weekday(day);
	if (w->open[wd] >= w->close[wd] || wt_holiday_day(w, day))
		return 0;
	*o = (int64_t)w->open[wd] * 60;
	*c = (int64_t)w->close[wd] * 60;
	return 1;
}

/* How many whole weeks from `day` are free of holidays, capped at `max`. */
static int64_t wt_free_weeks(const struct worktime *w, int64_t day, int64_t max)
{
	size_t i = wt_lower_bound(w, day);
	if (i < w->nhol && (w->hol[i] - day) / 7 < max)
		return (w->hol[i] - day) / 7;
	return max;
}

int64_t worktime_add(const struct worktime *w, int64_t start, int64_t minutes)
{
	start = wt_clamp(start, -WT_MAX_T, WT_MAX_T);
	int64_t rem = wt_clamp(minutes, 0, WT_MAX_MINUTES) * 60;
	if (w->always)
		return start + rem;
	int64_t week = wt_week_secs(w);
	if (week == 0)
		return INT64_MAX;
	int64_t local = start + TEHRAN_UTC_OFFSET;
	int64_t day = wt_floor_div(local, WT_DAY);
	int64_t sod = local - day * WT_DAY;
	for (;;) {
		int64_t o, c;
		if (wt_hours(w, day, &o, &c)) {
			int64_t s = sod > o ? sod : o;
			if (s < c) {
				/* <= so the due time may be the closing minute itself. */
				if (rem <= c - s)
					return day * WT_DAY + s + rem - TEHRAN_UTC_OFFSET;
				rem -= c - s;
			}
		}
		day++;
		sod = 0;
		/* Skip whole weeks at once, keeping rem > 0 so the answer is walked to. */
		if (rem > week) {
			int64_t k = wt_free_weeks(w, day, (rem - 1) / week);
			day += 7 * k;
			rem -= k * week;
		}
	}
}

int64_t worktime_between(const struct worktime *w, int64_t a, int64_t b)
{
	a = wt_clamp(a, -WT_MAX_T, WT_MAX_T);
	b = wt_clamp(b, -WT_MAX_T, WT_MAX_T);
	if (b <= a)
		return 0;
	if (w->always)
		return (b - a) / 60;
	int64_t week = wt_week_secs(w);
	if (week == 0)
		return 0;
	int64_t la = a + TEHRAN_UTC_OFFSET, lb = b + TEHRAN_UTC_OFFSET;
	int64_t da = wt_floor_div(la, WT_DAY), db = wt_floor_div(lb, WT_DAY);
	int64_t total = 0;
	for (int64_t day = da; day <= db;) {
		/* Days strictly between da and db are wholly inside [a, b). */
		if (day > da && day + 7 <= db) {
			int64_t k = wt_free_weeks(w, day, (db - day) / 7);
			if (k > 0) {
				total += k * week;
				day += 7 * k;
				continue;
			}
		}
		int64_t o, c;
		if (wt_hours(w, day, &o, &c)) {
			int64_t base = day * WT_DAY;
			int64_t lo = base + o > la ? base + o : la;
			int64_t hi = base + c < lb ? base + c : lb;
			if (lo < hi)
				total += hi - lo;
		}
		day++;
	}
	return total / 60;
}
