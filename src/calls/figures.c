/* The phone line's figures per period in Tehran time: each figure is defined once, in
 * calls_figure_add (what a call adds) and calls_figure_write (the ratios and means). */
#include "calls/calls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jalali.h"
#include "base/jw.h"
#include "store/store.h"

#define CALLS_PERIODS_MAX 40000 /* a year and more by 15 minutes */

/* A way of leaving the queue without an agent: hung up (abandoned), the queue's timeout,
 * a key pressed, the queue emptied of agents, withdrawn by the system. */
static int left_unanswered(const char *outcome)
{
	static const char *const ways[] = {"abandoned", "timeout", "key", "empty", "withdraw"};
	for (size_t i = 0; outcome && i < sizeof ways / sizeof ways[0]; i++)
		if (!strcmp(outcome, ways[i]))
			return 1;
	return 0;
}

/* How long the caller waited: what Asterisk said (holdtime, waittime), else what the
 * times say; -1 while still waiting. */
static int64_t wait_of(const struct calls_row *c)
{
	if (c->wait_s >= 0)
		return c->wait_s;
	if (c->entered >= 0 && c->connected >= c->entered)
		return c->connected - c->entered;
	if (c->entered >= 0 && c->ended >= c->entered)
		return c->ended - c->entered;
	return -1;
}

void calls_figure_add(struct calls_figure *f, const struct calls_row *c,
		      const struct calls_figures_query *q)
{
	int64_t wait = wait_of(c);
	int answered = c->connected >= 0;
	f->offered++; /* entered the queue in the period */
	if (wait > f->longest_wait)
		f->longest_wait = wait;
	if (answered) {
		f->answered++;
		if (wait >= 0) {
			f->wait_answered_sum += wait;
			/* as app_queue's QUEUESRVLEVEL: answered within T seconds, T included */
			if (wait <= q->sl_seconds)
				f->answered_in_sl++;
		}
		if (c->talk_s >= 0) { /* completed (or transferred): its talk time is known */
			f->talk_sum += c->talk_s;
			f->talked++;
		}
	} else if (left_unanswered(c->outcome)) {
		f->abandoned++;
		if (wait >= 0 && wait <= q->short_seconds)
			f->abandoned_short++;
	}
}

static void ratio(struct jw *w, const char *key, int64_t num, int64_t den, const char *fmt)
{
	if (!den) {
		jw_null(w, key);
		return;
	}
	char b[32];
	snprintf(b, sizeof b, fmt, (double)num / (double)den);
	jw_raw(w, key, b);
}

static void label(const struct calls_figure *f, const struct calls_figures_query *q, char *out,
		  size_t n)
{
	int64_t local = f->start + TEHRAN_UTC_OFFSET;
	int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
	int y, m, d;
	civil_from_days(days, &y, &m, &d);
	int minute = (int)((local - days * 86400) / 60);
	if (q->by == CALLS_BY_DAY || q->by == CALLS_BY_MONTH)
		snprintf(out, n, "%04d-%02d-%02d", y, m, d);
	else
		snprintf(out, n, "%04d-%02d-%02d %02d:%02d", y, m, d, minute / 60, minute % 60);
}

void calls_figure_write(const struct calls_figure *f, const struct calls_figures_query *q,
			struct jw *w)
{
	char period[64];
	label(f, q, period, sizeof period);
	jw_object(w, NULL);
	jw_str(w, "period", period);
	jw_str(w, "queue", q->queue);
	jw_int(w, "offered", f->offered);
	jw_int(w, "answered", f->answered);
	jw_int(w, "abandoned", f->abandoned);
	jw_int(w, "abandoned_short", f->abandoned_short);
	/* answered within T over offered; and over answered, Asterisk's own QUEUESRVLEVELPERF */
	ratio(w, "service_level", f->answered_in_sl, f->offered, "%.4f");
	ratio(w, "service_level_answered", f->answered_in_sl, f->answered, "%.4f");
	ratio(w, "asa_s", f->wait_answered_sum, f->answered, "%.1f"); /* mean wait, answered */
	ratio(w, "aht_s", f->talk_sum, f->talked, "%.1f");	       /* mean talk, completed */
	if (f->offered && f->longest_wait >= 0)
		jw_int(w, "longest_wait_s", f->longest_wait);
	else
		jw_null(w, "longest_wait_s");
	jw_int(w, "agents", f->agents);
	jw_end(w);
}

/* "YYYY-MM-DD" (2000-2099) as the UTC instant its Tehran day starts: 0, or -1 */
static int tehran_day(const char *s, int64_t *out)
{
	int64_t t;
	if (!s || strlen(s) != 10 || iso_parse(s, &t) < 0 ||
	    t < civil_to_days(2000, 1, 1) * 86400 || t >= civil_to_days(2100, 1, 1) * 86400)
		return -1;
	*out = t - TEHRAN_UTC_OFFSET;
	return 0;
}

static int seconds(const char *s, const char *field, int def, int *out, struct err *e)
{
	*out = def;
	if (!s)
		return 0;
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || s[0] == '-' || s[0] == '+' || s[0] == ' ' || v < 0 || v > 86400)
		return err_set(e, 400, "invalid_seconds", field,
			       "%s must be a whole number of seconds from 0 to 86400", field);
	*out = (int)v;
	return 0;
}

int calls_figures_parse(const char *from, const char *to, const char *by, const char *queue,
			const char *sl, const char *shrt, struct calls_figures_query *q,
			struct err *e)
{
	memset(q, 0, sizeof *q);
	if (!from)
		return err_set(e, 400, "required", "from", "from (YYYY-MM-DD) is required");
	if (tehran_day(from, &q->from))
		return err_set(e, 400, "invalid_date", "from", "from must be a date YYYY-MM-DD");
	if (!to)
		return err_set(e, 400, "required", "to", "to (YYYY-MM-DD) is required");
	if (tehran_day(to, &q->to))
		return err_set(e, 400, "invalid_date", "to", "to must be a date YYYY-MM-DD");
	q->to += 86400; /* the last day whole */
	if (q->to <= q->from)
		return err_set(e, 400, "invalid_range", "to", "to must not be before from");
	static const char *const bys[] = {"15m", "hour", "day", "month"};
	q->by = CALLS_BY_DAY;
	if (by) {
		size_t i = 0;
		while (i < 4 && strcmp(by, bys[i]))
			i++;
		if (i == 4)
			return err_set(e, 400, "invalid_by", "by", "by must be 15m, hour, day or month");
		q->by = (enum calls_by)i;
	}
	if (queue && (!queue[0] || strlen(queue) > 255))
		return err_set(e, 400, "invalid_queue", "queue", "queue must be 1 to 255 bytes");
	q->queue = queue;
	if (seconds(sl, "sl_seconds", 20, &q->sl_seconds, e) ||
	    seconds(shrt, "short_seconds", 5, &q->short_seconds, e))
		return -1;
	int64_t step = q->by == CALLS_BY_15M ? 900 : q->by == CALLS_BY_HOUR ? 3600 : 86400;
	if ((q->to - q->from) / step > CALLS_PERIODS_MAX)
		return err_set(e, 400, "range_too_long", "to",
			       "at most %d periods at once: a shorter range, or a longer by",
			       CALLS_PERIODS_MAX);
	return 0;
}

/* The start (UTC) of each period of q, into starts; how many. */
static int periods(const struct calls_figures_query *q, int64_t *starts)
{
	int n = 0;
	if (q->by != CALLS_BY_MONTH) {
		int64_t step = q->by == CALLS_BY_15M ? 900 : q->by == CALLS_BY_HOUR ? 3600 : 86400;
		for (int64_t t = q->from; t < q->to && n < CALLS_PERIODS_MAX; t += step)
			starts[n++] = t;
		return n;
	}
	int y, m, d;
	civil_from_days((q->from + TEHRAN_UTC_OFFSET) / 86400, &y, &m, &d);
	starts[n++] = q->from; /* the first month from the first day asked */
	for (;;) {
		if (++m > 12)
			m = 1, y++;
		int64_t t = civil_to_days(y, m, 1) * 86400 - TEHRAN_UTC_OFFSET;
		if (t >= q->to || n >= CALLS_PERIODS_MAX)
			return n;
		starts[n++] = t;
	}
}

/* The period t falls in (starts sorted), or -1. */
static int period_of(const int64_t *starts, int n, int64_t t, const struct calls_figures_query *q)
{
	if (t < q->from || t >= q->to)
		return -1;
	int lo = 0, hi = n - 1;
	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;
		if (starts[mid] <= t)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

struct agent_seen {
	int period;
	uint64_t h;
};
static int agent_cmp(const void *a, const void *b)
{
	const struct agent_seen *x = a, *y = b;
	if (x->period != y->period)
		return x->period < y->period ? -1 : 1;
	return x->h < y->h ? -1 : x->h > y->h;
}

static int64_t col_time(struct db_stmt *s, int i) { return db_col_is_null(s, i) ? -1 : db_col_int(s, i); }

/* sql (its range as $1 and $2), with by_queue ($3) appended when q names a queue, bound
 * to q's range and queue; NULL when it cannot be prepared. */
static struct db_stmt *range_query(struct db *db, const struct calls_figures_query *q,
				   const char *sql, const char *by_queue)
{
	char text[512];
	snprintf(text, sizeof text, "%s%s", sql, q->queue ? by_queue : "");
	struct db_stmt *s = db_prepare(db, text);
	if (!s)
		return NULL;
	db_bind_int(s, 1, q->from);
	db_bind_int(s, 2, q->to);
	if (q->queue)
		db_bind_text(s, 3, q->queue);
	return s;
}

int calls_figures(struct db *db, const struct calls_figures_query *q, struct jw *w, struct err *e)
{
	int64_t *starts = malloc(sizeof *starts * CALLS_PERIODS_MAX);
	struct calls_figure *f = calloc(CALLS_PERIODS_MAX, sizeof *f);
	struct agent_seen *seen = NULL;
	size_t nseen = 0, capseen = 0;
	int rc = -1;
	if (!starts || !f)
		abort();
	int n = periods(q, starts);
	for (int i = 0; i < n; i++) {
		f[i].start = starts[i];
		f[i].longest_wait = -1;
	}

	struct db_stmt *s = range_query(
	    db, q,
	    "SELECT entered, connected, ended, wait_s, talk_s, outcome FROM calls "
	    "WHERE entered >= $1 AND entered < $2",
	    " AND queue = $3");
	if (!s) {
		db_fail(db, e);
		goto out;
	}
	int step;
	while ((step = db_step(s)) == 1) {
		struct calls_row c = {col_time(s, 0), col_time(s, 1), col_time(s, 2), col_time(s, 3),
				      col_time(s, 4), db_col_text(s, 5)};
		int p = period_of(starts, n, c.entered, q);
		if (p >= 0)
			calls_figure_add(&f[p], &c, q);
	}
	db_done(s);
	if (step < 0) {
		db_fail(db, e);
		goto out;
	}

	/* agents: those the log shows at work in the period (logged in, a member, paused,
	 * rung or on a call) */
	s = range_query(db, q,
			"SELECT epoch, agent FROM call_events WHERE epoch >= $1 AND epoch < $2"
			" AND agent <> 'NONE'",
			" AND queue = $3");
	if (!s) {
		db_fail(db, e);
		goto out;
	}
	while ((step = db_step(s)) == 1) {
		int p = period_of(starts, n, db_col_int(s, 0), q);
		const char *a = db_col_text(s, 1);
		if (p < 0 || !a || !a[0])
			continue;
		if (nseen == capseen) {
			capseen = capseen ? capseen * 2 : 1024;
			seen = realloc(seen, capseen * sizeof *seen);
			if (!seen)
				abort();
		}
		uint64_t h = 0xcbf29ce484222325ull;
		for (; *a; a++)
			h = (h ^ (unsigned char)*a) * 0x100000001b3ull;
		seen[nseen++] = (struct agent_seen){p, h};
	}
	db_done(s);
	if (step < 0) {
		db_fail(db, e);
		goto out;
	}
	if (nseen)
		qsort(seen, nseen, sizeof *seen, agent_cmp);
	for (size_t i = 0; i < nseen; i++)
		if (!i || agent_cmp(&seen[i], &seen[i - 1]))
			f[seen[i].period].agents++;

	jw_array(w, NULL);
	for (int i = 0; i < n; i++)
		calls_figure_write(&f[i], q, w);
	jw_end(w);
	rc = 0;
out:
	free(starts);
	free(f);
	free(seen);
	return rc;
}
