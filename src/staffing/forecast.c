/* Next week's calls per interval and the agents Erlang C needs for them (staffing.h). */
#include "staffing/staffing.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jalali.h"
#include "base/worktime.h"
#include "base/jw.h"
#include "calls/calls.h"
#include "app.h"
#include "http/http.h"
#include "staffing/erlang.h"
#include "xlsx/xlsx.h"

#define WEEK (7 * 86400)
#define SLOTS_MAX (WEEK / 900)

static int64_t day_start(int64_t t)
{
	int64_t local = t + TEHRAN_UTC_OFFSET;
	int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
	return days * 86400 - TEHRAN_UTC_OFFSET;
}

/* 0 Saturday .. 6 Friday: the Iranian week */
static int weekday(int64_t day)
{
	int64_t days = (day + TEHRAN_UTC_OFFSET) / 86400; /* 1970-01-01 was a Thursday (5) */
	return (int)(((days + 5) % 7 + 7) % 7);
}

static void label(int64_t t, int with_time, char *out, size_t n)
{
	int64_t local = t + TEHRAN_UTC_OFFSET;
	int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
	int y, m, d;
	civil_from_days(days, &y, &m, &d);
	int minute = (int)((local - days * 86400) / 60);
	if (with_time)
		snprintf(out, n, "%04d-%02d-%02d %02d:%02d", y, m, d, minute / 60, minute % 60);
	else
		snprintf(out, n, "%04d-%02d-%02d", y, m, d);
}

int staffing_forecast_parse(const char *from, const char *weeks, const char *interval,
			    const char *target_sl, const char *target_s, const char *aht,
			    const char *queue, int64_t now, struct staffing_forecast_query *q,
			    struct err *e)
{
	memset(q, 0, sizeof *q);
	int64_t today = day_start(now);
	if (from) {
		int64_t t;
		if (strlen(from) != 10 || iso_parse(from, &t) < 0 ||
		    t < civil_to_days(2000, 1, 1) * 86400 || t >= civil_to_days(2100, 1, 1) * 86400)
			return err_set(e, 400, "invalid_date", "from",
				       "from must be a date YYYY-MM-DD");
		q->from = t - TEHRAN_UTC_OFFSET;
	} else {
		q->from = today + (7 - weekday(today)) * 86400; /* the next Saturday */
	}
	double v;
	q->weeks = 4;
	if (weeks) {
		if (staffing_number(weeks, "weeks", 1, 12, 1, &v, e) < 0)
			return -1;
		q->weeks = (int)v;
	}
	q->interval_s = 1800;
	if (interval) {
		if (staffing_number(interval, "interval_s", 900, 3600, 1, &v, e) < 0 ||
		    (v != 900 && v != 1800 && v != 3600))
			return err_set(e, 400, "invalid_field", "interval_s",
				       "interval_s must be 900, 1800 or 3600");
		q->interval_s = (int)v;
	}
	q->target_sl = 0.8;
	if (target_sl) {
		if (staffing_number(target_sl, "target_sl", 0, 1, 0, &q->target_sl, e) < 0)
			return -1;
		if (!(q->target_sl > 0 && q->target_sl < 1))
			return err_set(
			    e, 400, "invalid_field", "target_sl",
			    "target_sl must be a fraction above 0 and below 1 (0.8 for 80%%)");
	}
	q->target_s = 20;
	if (target_s && staffing_number(target_s, "target_s", 1, 3600, 0, &q->target_s, e) < 0)
		return -1;
	if (aht && staffing_number(aht, "aht_s", 1, 36000, 0, &q->aht_s, e) < 0)
		return -1;
	if (queue && (!queue[0] || strlen(queue) > 255))
		return err_set(e, 400, "invalid_field", "queue", "queue must be 1 to 255 bytes");
	q->queue = queue;
	q->today = today;
	return 0;
}

struct history {
	const struct staffing_forecast_query *q;
	int64_t end;	/* the history's end: the target's start, or today */
	int nslots;	/* slots a week */
	double *counts; /* [week][slot], week 0 the latest */
	double talk_sum;
	int64_t talked;
};

static int count(void *ctx, const struct calls_call *c, struct err *e)
{
	(void)e;
	struct history *h = ctx;
	if (h->q->queue && (!c->queue || strcmp(c->queue, h->q->queue)))
		return 0;
	if (c->entered < 0 || c->entered >= h->end)
		return 0;
	int64_t j = (h->end - 1 - c->entered) / WEEK;
	if (j >= h->q->weeks)
		return 0;
	int64_t start = h->end - (j + 1) * WEEK;
	int64_t slot = (c->entered - start) / h->q->interval_s;
	h->counts[j * h->nslots + slot] += 1;
	/* the handle time as the figures' aht_s: the talk of calls answered and completed */
	if (c->connected >= 0 && c->talk_s >= 0) {
		h->talk_sum += (double)c->talk_s;
		h->talked++;
	}
	return 0;
}

int staffing_forecast(struct db *db, const struct staffing_forecast_query *q,
		      struct staffing_forecast *f, struct err *e)
{
	memset(f, 0, sizeof *f);
	if (q->interval_s < 900 || q->interval_s > 3600 || q->weeks < 1 || q->weeks > 12)
		return err_set(e, 400, "invalid_field", "interval_s",
			       "a forecast by 900, 1800 or 3600 s over 1 to 12 weeks");
	struct history h = {.q = q};
	h.end = q->from < q->today ? q->from : q->today;
	h.nslots = WEEK / q->interval_s;
	h.counts = calloc((size_t)q->weeks * (size_t)h.nslots, sizeof *h.counts);
	f->calls = calloc((size_t)h.nslots, sizeof *f->calls);
	f->agents = calloc((size_t)h.nslots, sizeof *f->agents);
	f->service_level = calloc((size_t)h.nslots, sizeof *f->service_level);
	if (!h.counts || !f->calls || !f->agents || !f->service_level) {
		free(h.counts);
		staffing_forecast_release(f);
		return err_set(e, 500, "internal", "", "out of memory");
	}
	if (calls_each(db, h.end - (int64_t)q->weeks * WEEK, h.end, count, &h, e) < 0) {
		free(h.counts);
		staffing_forecast_release(f);
		return -1;
	}
	f->nslots = h.nslots;
	f->history_from = h.end - (int64_t)q->weeks * WEEK;
	f->history_to = h.end;
	int per_day = h.nslots / 7;
	/* the history's holidays: left out of their weekday's mean and their week's total */
	unsigned char hol[12][7] = {{0}};
	for (int j = 0; j < q->weeks; j++)
		for (int d = 0; d < 7; d++)
			if (q->cal && worktime_is_holiday(
					  q->cal, tehran_from_unix(h.end - (int64_t)(j + 1) * WEEK +
								   d * 86400 + 43200)
						      .date)) {
				hol[j][d] = 1;
				f->holidays_left_out++;
			}
	for (int d = 0; d < 7; d++)
		f->holiday[d] =
		    q->cal &&
		    worktime_is_holiday(q->cal, tehran_from_unix(q->from + d * 86400 + 43200).date);
	/* the weeks with calls; a week without one is a gap in the history, not a zero. The
	 * weeks are compared on the weekdays that were a holiday in none of them */
	int common[7], ncommon = 0;
	for (int d = 0; d < 7; d++) {
		common[d] = 1;
		for (int j = 0; j < q->weeks; j++)
			common[d] &= !hol[j][d];
		ncommon += common[d];
	}
	double x[12], total[12], week[12][2] = {{0}}; /* [common days, working days] */
	int on_common = 0;
	for (int j = 0; j < q->weeks; j++)
		for (int d = 0; d < 7; d++)
			for (int s = d * per_day; s < (d + 1) * per_day; s++) {
				double c = h.counts[j * h.nslots + s];
				week[j][0] += common[d] || !ncommon ? c : 0;
				week[j][1] += hol[j][d] ? 0 : c;
				on_common |= (common[d] || !ncommon) && c > 0;
			}
	int used = 0, used_week[12] = {0};
	for (int j = 0; j < q->weeks; j++) {
		/* the calls on the holidays' weekdays only (a small queue): its working days */
		double t = week[j][on_common ? 0 : 1];
		if (t > 0) {
			x[used] = -(double)(j + 1);
			total[used++] = t;
			used_week[j] = 1;
		}
	}
	f->weeks_used = used;
	/* the trend: a straight line through the weekly totals, read at the target week over
	 * its value at the history's middle (the weeks' mean): the growth the means miss */
	f->trend = 1;
	if (used >= 2) {
		double mx = 0, mt = 0, sxx = 0, sxt = 0;
		for (int i = 0; i < used; i++)
			mx += x[i] / used, mt += total[i] / used;
		for (int i = 0; i < used; i++) {
			sxx += (x[i] - mx) * (x[i] - mx);
			sxt += (x[i] - mx) * (total[i] - mt);
		}
		double b = sxx > 0 ? sxt / sxx : 0;
		double xt = (double)(q->from - h.end) / WEEK;
		f->trend = mt > 0 ? 1 + b * (xt - mx) / mt : 1;
		/* two or three noisy weeks can draw a steep line: at most x4, at least x0.25 */
		if (f->trend < 0.25)
			f->trend = 0.25;
		if (f->trend > 4)
			f->trend = 4;
	}
	f->aht_s = q->aht_s;
	f->aht_source = "given";
	if (!f->aht_s) {
		f->aht_s = h.talked ? h.talk_sum / (double)h.talked : 180;
		f->aht_source = h.talked ? "history" : "default";
	}
	/* the target week's slot s falls on the same weekday and time as history slot s+off */
	int64_t off = (((q->from - h.end) % WEEK) + WEEK) % WEEK / q->interval_s;
	for (int s = 0; s < h.nslots; s++) {
		int hs = (int)((s + off) % h.nslots), n = 0;
		double level = 0;
		for (int j = 0; j < q->weeks; j++)
			if (used_week[j] && !hol[j][hs / per_day]) {
				level += h.counts[j * h.nslots + hs];
				n++;
			}
		level = n ? level / n * f->trend : 0;
		f->calls[s] = round(level * 10) / 10;
		struct erlang_in in = {f->calls[s], q->interval_s, f->aht_s, q->target_sl,
				       q->target_s};
		struct erlang_out o = {0};
		if (erlang_agents(&in, &o) < 0) {
			f->agents[s] = -1;
			f->service_level[s] = 0;
		} else {
			f->agents[s] = o.agents;
			f->service_level[s] = f->calls[s] > 0 ? o.service_level : 1;
		}
	}
	free(h.counts);
	return 0;
}

void staffing_forecast_release(struct staffing_forecast *f)
{
	free(f->calls);
	free(f->agents);
	free(f->service_level);
	memset(f, 0, sizeof *f);
}

static void fixed(struct jw *w, const char *key, double v, const char *fmt)
{
	char b[48];
	snprintf(b, sizeof b, fmt, v);
	jw_raw(w, key, b);
}

void staffing_forecast_write(const struct staffing_forecast_query *q,
			     const struct staffing_forecast *f, struct jw *w)
{
	char b[32];
	jw_object(w, NULL);
	label(q->from, 0, b, sizeof b);
	jw_str(w, "from", b);
	label(q->from + WEEK - 86400, 0, b, sizeof b);
	jw_str(w, "to", b);
	jw_str(w, "queue", q->queue);
	jw_int(w, "interval_s", q->interval_s);
	jw_int(w, "weeks", q->weeks);
	jw_int(w, "weeks_used", f->weeks_used);
	label(f->history_from, 0, b, sizeof b);
	jw_str(w, "history_from", b);
	label(f->history_to - 86400, 0, b, sizeof b);
	jw_str(w, "history_to", b);
	fixed(w, "trend", f->trend, "%.4f");
	fixed(w, "aht_s", f->aht_s, "%.1f");
	jw_str(w, "aht_source", f->aht_source);
	fixed(w, "target_sl", q->target_sl, "%.4f");
	fixed(w, "target_s", q->target_s, "%g");
	jw_int(w, "holidays_left_out", f->holidays_left_out);
	int per_day = f->nslots / 7; /* intervals a day */
	double week_calls = 0;
	int peak = 0;
	jw_array(w, "days");
	for (int d = 0; d < 7; d++) {
		int64_t day = q->from + d * 86400;
		double calls = 0;
		int most = 0;
		for (int s = d * per_day; s < (d + 1) * per_day; s++) {
			calls += f->calls[s];
			if (f->agents[s] > most)
				most = f->agents[s];
		}
		week_calls += calls;
		if (most > peak)
			peak = most;
		jw_object(w, NULL);
		label(day, 0, b, sizeof b);
		jw_str(w, "day", b);
		jw_bool(w, "holiday", f->holiday[d]);
		fixed(w, "calls", calls, "%.1f");
		jw_int(w, "peak_agents", most);
		jw_array(w, "intervals");
		for (int s = d * per_day; s < (d + 1) * per_day; s++) {
			jw_object(w, NULL);
			label(q->from + (int64_t)s * q->interval_s, 1, b, sizeof b);
			jw_str(w, "start", b);
			fixed(w, "calls", f->calls[s], "%.1f");
			if (f->agents[s] < 0)
				jw_null(w, "agents");
			else
				jw_int(w, "agents", f->agents[s]);
			fixed(w, "service_level", f->service_level[s], "%.4f");
			jw_end(w);
		}
		jw_end(w);
		jw_end(w);
	}
	jw_end(w);
	fixed(w, "calls", week_calls, "%.1f");
	jw_int(w, "peak_agents", peak);
	jw_end(w);
}

static int query_of(struct req *r, struct staffing_forecast_query *q)
{
	struct err e = {0};
	if (staffing_forecast_parse(req_query(r, "from"), req_query(r, "weeks"),
				    req_query(r, "interval_s"), req_query(r, "target_sl"),
				    req_query(r, "target_s"), req_query(r, "aht_s"),
				    req_query(r, "queue"), req_now(), q, &e) < 0) {
		reply_error(r, &e);
		return -1;
	}
	return 0;
}

/* The request's forecast into q and f: 0, or -1 having replied. */
static int forecast_of(struct req *r, struct staffing_forecast_query *q,
		       struct staffing_forecast *f)
{
	if (query_of(r, q) < 0)
		return -1;
	q->cal = r->app->office;
	struct err e = {0};
	if (staffing_forecast(req_db(r), q, f, &e) < 0) {
		reply_error(r, &e);
		return -1;
	}
	return 0;
}

void staffing_h_forecast(struct req *r)
{
	struct staffing_forecast_query q;
	struct staffing_forecast f;
	if (forecast_of(r, &q, &f) < 0)
		return;
	struct jw w;
	jw_init(&w);
	staffing_forecast_write(&q, &f, &w);
	staffing_forecast_release(&f);
	reply_jw(r, 200, &w);
}

void staffing_h_forecast_xlsx(struct req *r)
{
	struct staffing_forecast_query q;
	struct staffing_forecast f;
	if (forecast_of(r, &q, &f) < 0)
		return;
	struct err e = {0};
	struct xlsx *x = xlsx_new(&e);
	if (!x) {
		staffing_forecast_release(&f);
		reply_error(r, &e);
		return;
	}
	static const char *const heads[] = {"روز",	    "تاریخ",
					    "آغاز بازه",    "تماس پیش‌بینی‌شده",
					    "کارشناس لازم", "سطح خدمت"};
	xlsx_sheet(x, "پیش‌بینی هفته", heads, 6);
	for (int s = 0; s < f.nslots; s++) {
		int64_t t = q.from + (int64_t)s * q.interval_s;
		char jday[11], hm[8];
		jalali_format(tehran_from_unix(t).date, jday);
		int64_t local = (t + TEHRAN_UTC_OFFSET) % 86400;
		snprintf(hm, sizeof hm, "%02d:%02d", (int)(local / 3600), (int)(local / 60 % 60));
		static const char *const names[] = {
		    "شنبه", "یکشنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه"};
		xlsx_row(x);
		int d = s / (f.nslots / 7);
		xlsx_text(x, f.holiday[d] ? arena_printf(&r->arena, "%s (تعطیل)",
							 names[weekday(day_start(t))])
					  : names[weekday(day_start(t))]);
		xlsx_text(x, jday);
		xlsx_text(x, hm);
		xlsx_num(x, f.calls[s]);
		if (f.agents[s] >= 0)
			xlsx_num(x, f.agents[s]);
		else
			xlsx_skip(x);
		xlsx_num(x, round(f.service_level[s] * 1e4) / 1e4);
	}
	staffing_forecast_release(&f);
	char *data = NULL;
	size_t len = 0;
	if (xlsx_finish(x, &data, &len, &e) < 0) {
		reply_error(r, &e);
		return;
	}
	char day[32];
	label(q.from, 0, day, sizeof day);
	req_set_header(
	    r, "Content-Disposition",
	    arena_printf(&r->arena, "attachment; filename=\"tamin-staffing-%s.xlsx\"", day));
	reply_bytes(r, 200, XLSX_TYPE, data, len);
}
