/* The pulse's routes (pulse.h): a series with its baseline, the movers; each as JSON or as
 * an Excel workbook. Every parameter is checked here, a 400 naming it. */
#include "pulse/pulse.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "base/jalali.h"
#include "base/jw.h"
#include "catalog/catalog.h"
#include "http/http.h"
#include "pulse/detect.h"
#include "xlsx/xlsx.h"

#define SERIES_HOURS_MAX (366 * 24) /* points of an hourly series at once */
#define SERIES_DAYS_MAX (3 * 366)
#define KEY_MAX 100

/* A Tehran day, "YYYY-MM-DD" (Gregorian) or "YYYY/MM/DD" (Jalali), as the UTC second it
 * begins: 0, or -1. */
static int day_parse(const char *s, int64_t *out)
{
	if (!s || strlen(s) != 10)
		return -1;
	if (s[4] == '/') {
		struct jdate d;
		if (jalali_parse(s, &d) < 0)
			return -1;
		*out = tehran_to_unix(d, 0);
		return 0;
	}
	char t[20];
	int64_t v;
	snprintf(t, sizeof t, "%s 00:00:00", s);
	if (s[4] != '-' || civil_datetime_parse(t, &v) < 0 ||
	    v < civil_to_days(2000, 1, 1) * 86400 || v >= civil_to_days(2100, 1, 1) * 86400)
		return -1;
	*out = v - TEHRAN_UTC_OFFSET;
	return 0;
}

/* "YYYY-MM-DD" (Tehran) of the UTC instant t. */
static void day_format(int64_t t, char out[11])
{
	char b[20];
	pulse_time_format(t + TEHRAN_UTC_OFFSET, b);
	memcpy(out, b, 10);
	out[10] = 0;
}

/* Writes v's n digits ending at p (backwards); returns the first. */
static char *digits(char *p, unsigned v, int n)
{
	while (n-- > 0) {
		*--p = (char)('0' + v % 10);
		v /= 10;
	}
	return p;
}

/* "YYYY-MM-DD HH:MM" (Tehran) of the UTC instant t: by hand, as an hourly year writes
 * 8,760 of them (snprintf was a tenth of the reply's time). */
static void period_format(int64_t t, char out[17])
{
	int64_t c = t + TEHRAN_UTC_OFFSET, days = c / 86400, sec = c % 86400;
	if (sec < 0) {
		sec += 86400;
		days--;
	}
	int y, m, d;
	civil_from_days(days, &y, &m, &d);
	char *end = out + 16;
	*end = 0;
	digits(end, (unsigned)(sec / 60 % 60), 2);
	out[13] = ':';
	digits(out + 13, (unsigned)(sec / 3600), 2);
	out[10] = ' ';
	digits(out + 10, (unsigned)d, 2);
	out[7] = '-';
	digits(out + 7, (unsigned)m, 2);
	out[4] = '-';
	digits(out + 4, (unsigned)y % 10000u, 4);
}

/* A number with at most two decimals (counts whole), or null: by hand, not printf's
 * floating point, which was half an hourly year's reply. */
static void jw_num(struct jw *w, const char *key, double v)
{
	if (!isfinite(v) || fabs(v) >= 1e15) {
		jw_null(w, key);
		return;
	}
	long long c = llround(v * 100);
	unsigned long long u = c < 0 ? (unsigned long long)-c : (unsigned long long)c;
	unsigned long long ip = u / 100, fp = u % 100;
	char b[32], *p = b + sizeof b - 1;
	*p = 0;
	if (fp % 10)
		*--p = (char)('0' + fp % 10);
	if (fp) {
		*--p = (char)('0' + fp / 10);
		*--p = '.';
	}
	do {
		*--p = (char)('0' + ip % 10);
		ip /= 10;
	} while (ip);
	if (c < 0)
		*--p = '-';
	jw_raw(w, key, p);
}

static int index_of(const char *const *names, int n, const char *s)
{
	for (int i = 0; s && i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

/* The Persian name of a series' key, or the key itself. */
static const char *key_name(int dim, const char *key)
{
	if (dim == PULSE_ALL)
		return "همه";
	if (dim == PULSE_TOPIC) {
		const struct topic *t = catalog_topic_by_code(key);
		return t ? t->name : key;
	}
	if (dim == PULSE_PROVINCE) {
		const struct province *p = catalog_province_by_code(key);
		return p ? p->name : key;
	}
	if (dim == PULSE_CHANNEL) {
		const struct channel *c = catalog_channel_by_code(key);
		return c ? c->name : key;
	}
	if (dim == PULSE_DEPARTMENT) {
		const struct department *d = catalog_department_by_code(key);
		return d ? d->name : key;
	}
	return key;
}

/* The series' query from the request: 0, or -1 having replied 400. */
static int series_query(struct req *r, struct pulse_query *q)
{
	const char *source = req_query(r, "source"), *dim = req_query(r, "dim"),
		   *key = req_query(r, "key"), *by = req_query(r, "by");
	memset(q, 0, sizeof *q);
	q->source = source ? index_of(pulse_source_names, PULSE_NSOURCES, source) : 1;
	if (q->source < 0) {
		reply_errorf(r, 400, "invalid_field", "source", "source is call, case or service");
		return -1;
	}
	q->dim = dim ? index_of(pulse_dim_names, PULSE_NDIMS, dim) : PULSE_ALL;
	if (q->dim < 0) {
		reply_errorf(r, 400, "invalid_field", "dim",
			     "dim is all, topic, province, branch, channel or department");
		return -1;
	}
	int ok = 1;
	if (q->dim == PULSE_ALL)
		ok = !key || !*key;
	else if (!key || !*key || strlen(key) > KEY_MAX)
		ok = 0;
	else if (q->dim == PULSE_TOPIC)
		ok = catalog_topic_by_code(key) != NULL;
	else if (q->dim == PULSE_PROVINCE)
		ok = catalog_province_by_code(key) != NULL;
	else if (q->dim == PULSE_CHANNEL)
		ok = catalog_channel_by_code(key) != NULL;
	else if (q->dim == PULSE_DEPARTMENT)
		ok = catalog_department_by_code(key) != NULL;
	if (!ok) {
		reply_errorf(r, 400, "invalid_field", "key",
			     q->dim == PULSE_ALL ? "dim all takes no key"
						 : "key must be a code of the dimension (a topic, "
						   "province, channel or department code)");
		return -1;
	}
	q->key = q->dim == PULSE_ALL ? "" : key;
	q->span = PULSE_HOUR;
	if (by && !strcmp(by, "day"))
		q->span = PULSE_DAY;
	else if (by && strcmp(by, "hour")) {
		reply_errorf(r, 400, "invalid_field", "by", "by is hour or day");
		return -1;
	}
	int64_t today = pulse_bucket(req_now(), PULSE_DAY);
	const char *from = req_query(r, "from"), *to = req_query(r, "to");
	int64_t t = today;
	if (to && day_parse(to, &t) < 0) {
		reply_errorf(r, 400, "invalid_field", "to",
			     "to is a day, YYYY-MM-DD or Jalali YYYY/MM/DD");
		return -1;
	}
	q->to = t + PULSE_DAY; /* to is inclusive */
	q->from = q->to - (q->span == PULSE_HOUR ? 28 : 182) * (int64_t)PULSE_DAY;
	if (from && day_parse(from, &q->from) < 0) {
		reply_errorf(r, 400, "invalid_field", "from",
			     "from is a day, YYYY-MM-DD or Jalali YYYY/MM/DD");
		return -1;
	}
	if (q->from >= q->to) {
		reply_errorf(r, 400, "invalid_field", "to", "to must not be before from");
		return -1;
	}
	if ((q->to - q->from) / q->span >
	    (q->span == PULSE_HOUR ? SERIES_HOURS_MAX : SERIES_DAYS_MAX)) {
		reply_errorf(r, 400, "invalid_field", "to",
			     "at most %d %s at once: a shorter range, or by=day",
			     q->span == PULSE_HOUR ? SERIES_HOURS_MAX : SERIES_DAYS_MAX,
			     q->span == PULSE_HOUR ? "hours" : "days");
		return -1;
	}
	return 0;
}

static int series_read(struct req *r, struct pulse_query *q, struct pulse_result *res)
{
	struct err e = {0};
	if (series_query(r, q) < 0)
		return -1;
	if (pulse_series_get(req_db(r), q, r->app ? r->app->office : NULL, &r->arena, res, &e) <
	    0) {
		reply_error(r, &e);
		return -1;
	}
	return 0;
}

void pulse_h_series(struct req *r)
{
	struct pulse_query q;
	struct pulse_result res;
	if (series_read(r, &q, &res) < 0)
		return;
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	jw_str(&w, "source", pulse_source_names[q.source]);
	jw_str(&w, "dim", pulse_dim_names[q.dim]);
	jw_str(&w, "key", q.key);
	jw_str(&w, "name", key_name(q.dim, q.key));
	jw_str(&w, "by", q.span == PULSE_HOUR ? "hour" : "day");
	char d[11], p[17];
	day_format(q.from, d);
	jw_str(&w, "from", d);
	day_format(q.to - 1, d);
	jw_str(&w, "to", d);
	jw_array(&w, "points");
	for (size_t i = 0; i < res.n; i++) {
		const struct pulse_point *pt = &res.points[i];
		jw_object(&w, NULL);
		period_format(pt->at, p);
		jw_str(&w, "period", p);
		jw_int(&w, "t", pt->at);
		jw_num(&w, "value", pt->value);
		jw_num(&w, "expected", pt->expected);
		jw_num(&w, "deviation", pt->value - pt->expected);
		jw_num(&w, "score", pt->score);
		jw_num(&w, "low", pt->low);
		jw_num(&w, "high", pt->high);
		jw_bool(&w, "anomaly", pt->anomaly != 0);
		jw_end(&w);
	}
	jw_end(&w);
	jw_array(&w, "anomalies");
	for (size_t i = 0; i < res.nfound; i++) {
		const struct pulse_found *f = &res.found[i];
		jw_object(&w, NULL);
		period_format(f->start, p);
		jw_str(&w, "start", p);
		period_format(f->end, p);
		jw_str(&w, "end", p);
		jw_str(&w, "direction", f->direction > 0 ? "rise" : "fall");
		jw_num(&w, "value", f->value);
		jw_num(&w, "expected", f->expected);
		jw_num(&w, "score", f->score);
		jw_end(&w);
	}
	jw_end(&w);
	jw_end(&w);
	reply_jw(r, 200, &w);
}

static void reply_xlsx(struct req *r, struct xlsx *x, const char *file)
{
	struct err e = {0};
	char *data;
	size_t len;
	if (xlsx_finish(x, &data, &len, &e) < 0) {
		reply_error(r, &e);
		return;
	}
	req_set_header(r, "Content-Disposition",
		       arena_printf(&r->arena, "attachment; filename=\"%s\"", file));
	reply_bytes(r, 200, XLSX_TYPE, data, len);
}

static void xlsx_maybe(struct xlsx *x, double v)
{
	if (isfinite(v))
		xlsx_num(x, v);
	else
		xlsx_skip(x);
}

void pulse_h_series_xlsx(struct req *r)
{
	struct pulse_query q;
	struct pulse_result res;
	if (series_read(r, &q, &res) < 0)
		return;
	struct err e = {0};
	struct xlsx *x = xlsx_new(&e);
	if (!x) {
		reply_error(r, &e);
		return;
	}
	static const char *const heads[] = {"زمان",   "شمار",	"مورد انتظار",
					    "انحراف", "امتیاز", "ناهنجاری"};
	xlsx_sheet(x, "سری", heads, 6);
	for (size_t i = 0; i < res.n; i++) {
		const struct pulse_point *pt = &res.points[i];
		xlsx_row(x);
		xlsx_time(x, pt->at);
		xlsx_num(x, pt->value);
		xlsx_maybe(x, pt->expected);
		xlsx_maybe(x, pt->value - pt->expected);
		xlsx_maybe(x, pt->score);
		xlsx_text(x, pt->anomaly > 0 ? "افزایش" : pt->anomaly < 0 ? "کاهش" : NULL);
	}
	reply_xlsx(r, x, "tamin-pulse-series.xlsx");
}

/* The movers' query from the request: 0, or -1 having replied 400. */
static int movers_query(struct req *r, struct pulse_movers_query *q)
{
	const char *window = req_query(r, "window"), *at = req_query(r, "at"),
		   *limit = req_query(r, "limit");
	memset(q, 0, sizeof *q);
	q->days = 7;
	if (window && !strcmp(window, "day"))
		q->days = 1;
	else if (window && strcmp(window, "week")) {
		reply_errorf(r, 400, "invalid_field", "window", "window is day or week");
		return -1;
	}
	/* the last whole Tehran day unless told */
	q->at = pulse_bucket(req_now(), PULSE_DAY) - PULSE_DAY;
	if (at && day_parse(at, &q->at) < 0) {
		reply_errorf(r, 400, "invalid_field", "at",
			     "at is the window's last day, YYYY-MM-DD or Jalali YYYY/MM/DD");
		return -1;
	}
	q->limit = 10;
	if (limit) {
		char *end;
		long n = strtol(limit, &end, 10);
		if (!*limit || *end || n < 1 || n > 50) {
			reply_errorf(r, 400, "invalid_field", "limit", "limit is 1 to 50");
			return -1;
		}
		q->limit = (int)n;
	}
	q->department_id = r->who.department_id; /* a department's supervisor: its cases only */
	q->examples = 1;
	return 0;
}

static int movers_read(struct req *r, struct pulse_movers_query *q, struct pulse_mover **m, int *n)
{
	struct err e = {0};
	if (movers_query(r, q) < 0)
		return -1;
	if (pulse_movers(req_db(r), q, r->app ? r->app->office : NULL, &r->arena, m, n, &e) < 0) {
		reply_error(r, &e);
		return -1;
	}
	return 0;
}

static const char *sub_name(int dim, const char *sub)
{
	if (dim == PULSE_PROVINCE)
		return sub; /* a branch */
	const struct province *p = catalog_province_by_code(sub);
	return p ? p->name : sub;
}

void pulse_h_movers(struct req *r)
{
	struct pulse_movers_query q;
	struct pulse_mover *m;
	int n;
	if (movers_read(r, &q, &m, &n) < 0)
		return;
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	char d[11];
	jw_str(&w, "window", q.days == 1 ? "day" : "week");
	day_format(q.at - (int64_t)(q.days - 1) * PULSE_DAY, d);
	jw_str(&w, "from", d);
	day_format(q.at, d);
	jw_str(&w, "to", d);
	jw_array(&w, "movers");
	for (int i = 0; i < n; i++) {
		const struct pulse_mover *x = &m[i];
		jw_object(&w, NULL);
		jw_str(&w, "source", pulse_source_names[x->source]);
		jw_str(&w, "dim", pulse_dim_names[x->dim]);
		jw_str(&w, "key", x->key);
		jw_str(&w, "name", key_name(x->dim, x->key));
		jw_str(&w, "direction", x->direction > 0 ? "rise" : "fall");
		jw_num(&w, "value", x->value);
		jw_num(&w, "expected", x->expected);
		jw_num(&w, "ratio", x->ratio);
		jw_num(&w, "score", x->score);
		if (x->since) {
			day_format(x->since, d);
			jw_str(&w, "since", d);
		} else {
			jw_null(&w, "since");
		}
		jw_array(&w, "where");
		for (int k = 0; k < x->nwhere; k++) {
			jw_object(&w, NULL);
			jw_str(&w, x->dim == PULSE_PROVINCE ? "branch" : "province",
			       x->where[k].sub);
			jw_str(&w, "name", sub_name(x->dim, x->where[k].sub));
			jw_num(&w, "value", x->where[k].value);
			jw_num(&w, "expected", x->where[k].expected);
			jw_end(&w);
		}
		jw_end(&w);
		jw_array(&w, "examples");
		for (int k = 0; k < x->nexamples; k++)
			jw_str(&w, NULL, x->examples[k]);
		jw_end(&w);
		jw_end(&w);
	}
	jw_end(&w);
	jw_end(&w);
	reply_jw(r, 200, &w);
}

void pulse_h_movers_xlsx(struct req *r)
{
	struct pulse_movers_query q;
	struct pulse_mover *m;
	int n;
	if (movers_read(r, &q, &m, &n) < 0)
		return;
	struct err e = {0};
	struct xlsx *x = xlsx_new(&e);
	if (!x) {
		reply_error(r, &e);
		return;
	}
	static const char *const heads[] = {
	    "منبع",	   "بُعد",  "کد",     "نام",    "جهت", "شمار",
	    "مورد انتظار", "نسبت", "امتیاز", "از روز", "کجا", "نمونه پرونده‌ها"};
	xlsx_sheet(x, "جابه‌جایی‌ها", heads, 12);
	for (int i = 0; i < n; i++) {
		const struct pulse_mover *v = &m[i];
		xlsx_row(x);
		xlsx_text(x, pulse_source_names[v->source]);
		xlsx_text(x, pulse_dim_names[v->dim]);
		xlsx_text(x, v->key);
		xlsx_text(x, key_name(v->dim, v->key));
		xlsx_text(x, v->direction > 0 ? "افزایش" : "کاهش");
		xlsx_num(x, v->value);
		xlsx_maybe(x, v->expected);
		xlsx_maybe(x, v->ratio);
		xlsx_maybe(x, v->score);
		xlsx_time(x, v->since);
		char where[512] = "", ex[256] = "";
		size_t at = 0;
		for (int k = 0; k < v->nwhere && at < sizeof where; k++)
			at += (size_t)snprintf(where + at, sizeof where - at, "%s%s (%.0f)",
					       k ? "، " : "", sub_name(v->dim, v->where[k].sub),
					       v->where[k].value);
		at = 0;
		for (int k = 0; k < v->nexamples && at < sizeof ex; k++)
			at += (size_t)snprintf(ex + at, sizeof ex - at, "%s%s", k ? " " : "",
					       v->examples[k]);
		xlsx_text(x, where);
		xlsx_text(x, ex);
	}
	reply_xlsx(r, x, "tamin-pulse-movers.xlsx");
}
