/* staffing: how many agents a queue needs, by Erlang C (erlang.h), over HTTP.
 * GET /api/v1/calls/staffing?calls=N&interval_s=S&aht_s=A&target_sl=P&target_s=T
 * [&agents=K] answers what K agents would give, or without K the fewest agents that
 * reach P answered within T seconds: {agents, service_level, asa_s (null when the
 * queue grows without end), occupancy, traffic_erlangs, wait_probability}. No
 * database, no personal data. */
#ifndef TAMIN_STAFFING_STAFFING_H
#define TAMIN_STAFFING_STAFFING_H

#include <stdint.h>

#include "base/err.h"

struct db;
struct jw;
struct worktime;
struct req;

/* One query value as a number in [min, max] (an integer when integer is set): ASCII
 * digits with at most one decimal point, at most 20 characters, no sign, exponent or
 * space. 0, or -1 with e (400 naming field: missing_field when text is NULL,
 * invalid_field otherwise). Pure. */
int staffing_number(const char *text, const char *field, double min, double max, int integer,
		    double *out, struct err *e);

/* GET /api/v1/calls/staffing */
void staffing_h_get(struct req *r);

/* ---- next week's need (forecast.c) ----
 * Calls per interval of the target week from the same weekday and interval in the last
 * `weeks` whole weeks before it (or before today, when it starts later): their mean,
 * times a trend, a straight line through the weekly totals read at the target week over
 * its value at the history's middle (a week without a call is a gap, not a zero); then
 * for each interval the fewest agents Erlang C gives the target with the handle time of
 * the history (the figures' aht_s), or the one asked. The history is read with calls_each
 * (calls.h). An official holiday of cal in the history is left out (its weekday's mean
 * is of the other weeks, the trend's weekly totals are of the weekdays that were a holiday
 * in none of them); a holiday in the target week is marked, and forecast as the
 * ordinary weekday it falls on. */
struct staffing_forecast_query {
	int64_t from;	/* the target week's first day (a Tehran midnight, UTC seconds) */
	int64_t today;	/* the Tehran day of now */
	int weeks;	/* of history, 1..12 (4) */
	int interval_s; /* 900, 1800 (default) or 3600 */
	double target_sl, target_s; /* 0.8, 20 */
	double aht_s;		    /* 0: from the history */
	const char *queue;	    /* NULL: every queue */
	const struct worktime *cal; /* official holidays (base/worktime.h); NULL: none */
};
/* The query's fields as text (NULL: the default; from: the next Saturday after now's
 * Tehran day). 0, or -1 with e (400 naming "from", "weeks", "interval_s", "target_sl",
 * "target_s", "aht_s" or "queue"). */
int staffing_forecast_parse(const char *from, const char *weeks, const char *interval,
			    const char *target_sl, const char *target_s, const char *aht,
			    const char *queue, int64_t now, struct staffing_forecast_query *q,
			    struct err *e);
struct staffing_forecast {
	int nslots;	       /* a week of intervals from the query's from */
	double *calls;	       /* forecast, one decimal */
	int *agents;	       /* -1: more than ERLANG_MAX_AGENTS */
	double *service_level; /* what those agents give */
	int weeks_used;	       /* history weeks with calls */
	double trend, aht_s;
	const char *aht_source;		  /* "history", "given" or "default" (180 s, no history) */
	int64_t history_from, history_to; /* [from, to) */
	int holidays_left_out;		  /* history days */
	int holiday[7];			  /* the target week's days */
};
int staffing_forecast(struct db *db, const struct staffing_forecast_query *q,
		      struct staffing_forecast *f, struct err *e);
void staffing_forecast_release(struct staffing_forecast *f);
/* {from, to, queue, interval_s, weeks, weeks_used, history_from, history_to, trend, aht_s,
 * aht_source, target_sl, target_s, holidays_left_out, days: [{day, holiday, calls,
 * peak_agents, intervals: [{start,
 * calls, agents, service_level}]}], calls, peak_agents}; dates in Tehran time. */
void staffing_forecast_write(const struct staffing_forecast_query *q,
			     const struct staffing_forecast *f, struct jw *w);

/* GET /api/v1/calls/staffing/forecast and its .xlsx (supervisor) */
void staffing_h_forecast(struct req *r);
void staffing_h_forecast_xlsx(struct req *r);

#endif
