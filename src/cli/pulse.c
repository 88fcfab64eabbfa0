/* `tamin pulse refresh`: the pulse's counts of a range made again (pulse/pulse.h).
 * `tamin pulse detect`: the anomalies of a count series read from CSV (pulse/detect.h),
 * one JSON line each. The holidays are day types of their own: read from a file of dates
 * (Jalali YYYY/MM/DD as in data/holidays, or YYYY-MM-DD) or a folder of such .tsv files. */
#include "cli/cli.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/jalali.h"
#include "app.h"
#include "demo/demo.h"
#include "pulse/detect.h"
#include "pulse/pulse.h"
#include "store/store.h"

#define FILE_MAX ((size_t)1 << 31) /* a series larger than 2 GiB is refused, not read */

/* The whole of path, malloc'd, its size in *len; NULL after printing why. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		cli_fail("%s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap || cap >= FILE_MAX)
			break;
		char *nb = realloc(buf, cap * 2);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	int failed = !buf || ferror(f) || n >= FILE_MAX;
	fclose(f);
	if (failed) {
		cli_fail("%s: %s", path, !buf ? "out of memory" : "cannot be read whole");
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

struct days {
	int64_t *day;
	size_t n, cap;
};

static int days_add(struct days *d, int64_t day)
{
	if (d->n == d->cap) {
		size_t nc = d->cap ? d->cap * 2 : 64;
		int64_t *nd = realloc(d->day, nc * sizeof *nd);
		if (!nd)
			return -1;
		d->day = nd;
		d->cap = nc;
	}
	d->day[d->n++] = day;
	return 0;
}

/* A date at the start of s: YYYY/MM/DD (Jalali) or YYYY-MM-DD, then a TAB or the end. */
static int date_parse(const char *s, size_t len, int64_t *day)
{
	int v[3] = {0, 0, 0};
	if (len < 10 || (len > 10 && s[10] != '\t') || (s[4] != s[7]) ||
	    (s[4] != '/' && s[4] != '-'))
		return -1;
	static const int at[3] = {0, 5, 8}, width[3] = {4, 2, 2};
	for (int f = 0; f < 3; f++)
		for (int i = 0; i < width[f]; i++) {
			char ch = s[at[f] + i];
			if (ch < '0' || ch > '9')
				return -1;
			v[f] = v[f] * 10 + (ch - '0');
		}
	if (s[4] == '/') {
		if (!jalali_valid(v[0], v[1], v[2]))
			return -1;
		int gy, gm, gd;
		jalali_to_gregorian((struct jdate){v[0], v[1], v[2]}, &gy, &gm, &gd);
		*day = civil_to_days(gy, gm, gd);
		return 0;
	}
	int64_t t;
	char stamp[20];
	snprintf(stamp, sizeof stamp, "%.10s 00:00:00", s);
	if (pulse_time_parse(stamp, 19, &t) < 0)
		return -1;
	*day = t / 86400;
	return 0;
}

static int holidays_file(const char *path, struct days *d)
{
	size_t len;
	char *text = slurp(path, &len);
	if (!text)
		return -1;
	size_t pos = 0, line = 0;
	int rc = 0;
	while (pos < len && rc == 0) {
		const char *p = text + pos;
		const char *nl = memchr(p, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - p) : len - pos;
		pos += n + (nl != NULL);
		line++;
		if (n && p[n - 1] == '\r')
			n--;
		if (n == 0 || p[0] == '#')
			continue;
		int64_t day;
		if (date_parse(p, n, &day) < 0) {
			cli_fail(
			    "%s: line %zu: not a date (YYYY/MM/DD Jalali or YYYY-MM-DD, then a "
			    "TAB and a name or nothing)",
			    path, line);
			rc = -1;
		} else if (days_add(d, day) < 0) {
			cli_fail("%s", "out of memory");
			rc = -1;
		}
	}
	free(text);
	return rc;
}

/* path: a file, or a folder whose *.tsv files are read. */
static int holidays_load(const char *path, struct days *d)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		cli_fail("%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return holidays_file(path, d);
	DIR *dir = opendir(path);
	if (!dir) {
		cli_fail("%s: %s", path, strerror(errno));
		return -1;
	}
	struct dirent *ent;
	int rc = 0;
	while (rc == 0 && (ent = readdir(dir))) {
		size_t n = strlen(ent->d_name);
		if (n < 5 || strcmp(ent->d_name + n - 4, ".tsv") || ent->d_name[0] == '.')
			continue;
		char file[8192];
		if ((size_t)snprintf(file, sizeof file, "%s/%s", path, ent->d_name) >= sizeof file)
			continue;
		rc = holidays_file(file, d);
	}
	closedir(dir);
	return rc;
}

int cli_pulse_detect(int argc, char **argv)
{
	const char *series = NULL, *hol_path = NULL;
	const char *threshold = NULL;
	long weeks = 5;
	const struct opt options[] = {
	    OPT_REQUIRED_STRING("--series", "FILE", &series,
				"the series: `timestamp,value` rows after a header line"),
	    OPT_STRING("--holidays", "PATH", &hol_path,
		       "holidays: a file of dates (YYYY/MM/DD Jalali or YYYY-MM-DD, one a "
		       "line) or a folder of *.tsv (default DATA/holidays; 'none': none)"),
	    OPT_STRING("--threshold", "Z", &threshold,
		       "the robust score that makes a point an anomaly (default 4; 2 to 50)"),
	    OPT_NUMBER("--weeks", "K", &weeks, 2, 52, "past weeks whose median is the baseline"),
	    OPT_END};
	const struct opts_cmd cmd = {
	    .name = "tamin pulse detect",
	    .about =
		"Prints the anomalies of a count series, one JSON line each: start, end (as the\n"
		"input writes them), direction (rise or fall), value and expected (the interval's\n"
		"sums), score (its largest robust score). Timestamps are YYYY-MM-DD HH:MM:SS at\n"
		"any regular step. The baseline is the same weekday and time of day in the past\n"
		"weeks, holidays a day type of their own, with the trend (src/pulse/detect.h).",
	    .opts = options};
	int status;
	if (cli_parse(&cmd, argc, argv, NULL, &status) < 0)
		return status;
	struct pulse_params p;
	pulse_params_default(&p);
	p.weeks = (int)weeks;
	if (threshold) {
		char *end;
		errno = 0;
		double t = strtod(threshold, &end);
		if (errno || end == threshold || *end || !(t >= 2 && t <= 50))
			return cli_fail(
			    "tamin pulse detect: --threshold must be a number from 2 to 50 "
			    "(see tamin pulse detect --help)");
		p.threshold = t;
	}
	struct days hol = {0};
	char dflt[4096];
	if (!hol_path) {
		snprintf(dflt, sizeof dflt, "%s/holidays", cli_data_default());
		struct stat st;
		if (stat(dflt, &st) == 0)
			hol_path = dflt;
	}
	if (hol_path && strcmp(hol_path, "none") && holidays_load(hol_path, &hol) < 0) {
		free(hol.day);
		return 2;
	}
	size_t len;
	char *text = slurp(series, &len);
	if (!text) {
		free(hol.day);
		return 2;
	}
	struct pulse_series s;
	struct err e = {0};
	int rc = pulse_csv_read(text, len, &s, &e);
	free(text);
	if (rc < 0) {
		free(hol.day);
		return cli_fail("%s: %s", series, e.message);
	}
	struct pulse_anomaly *an;
	size_t nan;
	rc = pulse_detect(&s, hol.day, hol.n, &p, &an, &nan, NULL);
	free(hol.day);
	if (rc < 0) {
		pulse_series_release(&s);
		return cli_fail("%s", "out of memory");
	}
	for (size_t i = 0; i < nan; i++) {
		char a[20], b[20];
		pulse_time_format(s.start + (int64_t)an[i].first * s.step, a);
		pulse_time_format(s.start + (int64_t)an[i].last * s.step, b);
		printf("{\"start\":\"%s\",\"end\":\"%s\",\"direction\":\"%s\",\"value\":%.15g,"
		       "\"expected\":%.1f,\"score\":%.2f}\n",
		       a, b, an[i].direction > 0 ? "rise" : "fall", an[i].value, an[i].expected,
		       an[i].score);
	}
	free(an);
	pulse_series_release(&s);
	return fflush(stdout) == 0 ? 0 : cli_fail("%s", "standard output cannot be written");
}

/* A Tehran day YYYY-MM-DD as the UTC second it begins: 0, or -1. */
static int tehran_day(const char *s, int64_t *out)
{
	char t[20];
	int64_t v;
	if (strlen(s) != 10)
		return -1;
	snprintf(t, sizeof t, "%s 00:00:00", s);
	if (civil_datetime_parse(t, &v) < 0)
		return -1;
	*out = v - TEHRAN_UTC_OFFSET;
	return 0;
}

int cli_pulse_refresh(int argc, char **argv)
{
	const char *db_path = NULL, *data = cli_data_default(), *from = NULL, *to = NULL;
	const struct opt options[] = {
	    CLI_DB_OPTS(&db_path, &data),
	    OPT_STRING("--from", "YYYY-MM-DD", &from,
		       "the first Tehran day counted again (default: a year before --to)"),
	    OPT_STRING("--to", "YYYY-MM-DD", &to, "the last Tehran day (default: today)"), OPT_END};
	const struct opts_cmd cmd = {
	    .name = "tamin pulse refresh",
	    .about = "Counts the cases, calls and e-service uses of the days from --from to --to\n"
		     "again for the pulse (per Tehran hour and day, by topic, province, channel,\n"
		     "department) and replaces their counts; running it twice changes nothing.\n"
		     "Prints the range and the seconds it took as JSON.",
	    .opts = options};
	int status;
	if (cli_parse(&cmd, argc, argv, NULL, &status) < 0)
		return status;
	int64_t a, b = pulse_bucket((int64_t)time(NULL), PULSE_DAY);
	if (to && tehran_day(to, &b) < 0)
		return cli_fail("--to is a day YYYY-MM-DD, not %s", to);
	a = b - 365 * (int64_t)PULSE_DAY;
	if (from && tehran_day(from, &a) < 0)
		return cli_fail("--from is a day YYYY-MM-DD, not %s", from);
	if (a > b)
		return cli_fail("--from is after --to");
	struct db *db = NULL;
	if (cli_open(db_path, data, &db) < 0)
		return 2;
	struct err e = {0};
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = db_begin(db) < 0 ? db_fail(db, &e) : 0;
	if (rc == 0)
		rc = pulse_refresh(db, a, b + PULSE_DAY, data, &e);
	if (rc == 0 && db_commit(db) < 0)
		rc = db_fail(db, &e);
	if (rc < 0)
		db_rollback(db);
	cli_close(db);
	if (rc < 0)
		return cli_fail("%s", e.message);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	char f[20], t[20];
	pulse_time_format(a + TEHRAN_UTC_OFFSET, f);
	pulse_time_format(b + TEHRAN_UTC_OFFSET, t);
	printf("{\"from\":\"%.10s\",\"to\":\"%.10s\",\"seconds\":%.3f}\n", f, t,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}

int cli_pulse_national(int argc, char **argv)
{
	const char *db_path = NULL, *data = cli_data_default(), *end = NULL;
	long calls = 5000000, contacts = 100000000, seed = 1420;
	const struct opt options[] = {
	    CLI_DB_OPTS(&db_path, &data),
	    OPT_NUMBER("--calls", "N", &calls, 0, 1000000000,
		       "calls in the year (default 5,000,000)"),
	    OPT_NUMBER("--contacts", "N", &contacts, 0, 10000000000,
		       "other contacts in the year (default 100,000,000)"),
	    OPT_NUMBER("--seed", "N", &seed, 1, 2147483647, "the random numbers' seed"),
	    OPT_STRING("--end", "YYYY-MM-DD", &end,
		       "the year's last Tehran day (default: yesterday)"),
	    OPT_END};
	const struct opts_cmd cmd = {
	    .name = "tamin pulse national",
	    .about =
		"Adds a year of the pulse's counts at national scale for the benchmarks: each\n"
		"synthetic contact counted by the pulse's own code (src/demo/pulse.c says how),\n"
		"with an incident in the last 7 days. Stores no case and no call.",
	    .opts = options};
	int status;
	if (cli_parse(&cmd, argc, argv, NULL, &status) < 0)
		return status;
	int64_t last = pulse_bucket((int64_t)time(NULL), PULSE_DAY) - PULSE_DAY;
	if (end && tehran_day(end, &last) < 0)
		return cli_fail("--end is a day YYYY-MM-DD, not %s", end);
	struct db *db = NULL;
	if (cli_open(db_path, data, &db) < 0)
		return 2;
	struct app app = {0};
	if (cli_calendars(&app, data) < 0) {
		cli_close(db);
		return 2;
	}
	struct demo_pulse o = {calls, contacts, (uint64_t)seed, last + PULSE_DAY, app.office};
	struct err e = {0};
	int rc = demo_pulse_national(db, &o, &e);
	cli_calendars_free(&app);
	cli_close(db);
	return rc < 0 ? cli_fail("%s", e.message) : 0;
}
