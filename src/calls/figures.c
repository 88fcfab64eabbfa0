/* The phone line's figures per period in Tehran time: each figure is defined once, in
 * calls_figure_add (what a call adds) and calls_figure_write (the ratios and means). */
#include "calls/calls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jalali.h"
#include "base/jw.h"
#include "calls/blocks.h"
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

/* num / den with `digits` decimals, rounded half away from zero (as "%.4f" prints the
 * same ratio but for halves it cannot hold exactly), in integers: a month by 15 minutes
 * prints 11,520 of them */
static void ratio(struct jw *w, const char *key, int64_t num, int64_t den, int digits)
{
	if (!den) {
		jw_null(w, key);
		return;
	}
	int64_t scale = digits == 4 ? 10000 : 10;
	int64_t v = (2 * num * scale + den) / (2 * den); /* num, den >= 0 */
	char b[32];
	snprintf(b, sizeof b, "%lld.%0*lld", (long long)(v / scale), digits, (long long)(v % scale));
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
	ratio(w, "service_level", f->answered_in_sl, f->offered, 4);
	ratio(w, "service_level_answered", f->answered_in_sl, f->answered, 4);
	ratio(w, "asa_s", f->wait_answered_sum, f->answered, 1); /* mean wait, answered */
	ratio(w, "aht_s", f->talk_sum, f->talked, 1);	       /* mean talk, completed */
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

/* What one figures query gathers. */
struct gathering {
	const struct calls_figures_query *q;
	const int64_t *starts;
	int n;
	struct calls_figure *f;
	/* agents: each name an id; each (period, id) once */
	struct agent_name {
		uint64_t h;
		const char *name;
		uint32_t id;
	} *names;
	size_t ncap, nused;
	const char **names_by_id;
	struct arena arena;
	uint64_t *pairs;
	size_t pcap, pused;
	uint64_t *bits; /* (period, agent) for the first AGENT_BITS agents: a bit each */
	struct {
		const char *p;
		uint32_t id;
	} cache[256]; /* the segment's names seen, by place (its names are interned) */
};
#define AGENT_BITS 1024

static uint64_t name_hash(const char *a)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (; *a; a++)
		h = (h ^ (unsigned char)*a) * 0x100000001b3ull;
	return h | 1;
}

static uint32_t agent_lookup(struct gathering *g, const char *a);
static uint32_t agent_id(struct gathering *g, const char *a)
{
	size_t c = ((uintptr_t)a >> 3) & 255;
	if (g->cache[c].p == a) /* the same segment: its names are interned */
		return g->cache[c].id;
	uint32_t id = agent_lookup(g, a);
	g->cache[c].p = a;
	g->cache[c].id = id;
	return id;
}

static uint32_t agent_lookup(struct gathering *g, const char *a)
{
	if (g->nused * 2 >= g->ncap) {
		size_t cap = g->ncap ? g->ncap * 2 : 256;
		struct agent_name *t = calloc(cap, sizeof *t);
		if (!t)
			abort();
		for (size_t i = 0; i < g->ncap; i++)
			if (g->names[i].h) {
				size_t j = g->names[i].h & (cap - 1);
				while (t[j].h)
					j = (j + 1) & (cap - 1);
				t[j] = g->names[i];
			}
		free(g->names);
		g->names = t;
		g->ncap = cap;
	}
	uint64_t h = name_hash(a);
	size_t j = h & (g->ncap - 1);
	for (; g->names[j].h; j = (j + 1) & (g->ncap - 1))
		if (g->names[j].h == h && !strcmp(g->names[j].name, a))
			return g->names[j].id;
	g->names[j] = (struct agent_name){h, arena_strdup(&g->arena, a), (uint32_t)g->nused++};
	g->names_by_id = realloc(g->names_by_id, g->nused * sizeof *g->names_by_id);
	if (!g->names_by_id)
		abort();
	g->names_by_id[g->nused - 1] = g->names[j].name;
	return g->names[j].id;
}

/* (period, agent) new: 1 */
static int pair_add(struct gathering *g, uint64_t k)
{
	k = k * 2 + 1; /* never 0 */
	if (g->pused * 2 >= g->pcap) {
		size_t cap = g->pcap ? g->pcap * 2 : 4096;
		uint64_t *t = calloc(cap, sizeof *t);
		if (!t)
			abort();
		for (size_t i = 0; i < g->pcap; i++)
			if (g->pairs[i]) {
				size_t j = (g->pairs[i] * 0x9e3779b97f4a7c15ull >> 17) & (cap - 1);
				while (t[j])
					j = (j + 1) & (cap - 1);
				t[j] = g->pairs[i];
			}
		free(g->pairs);
		g->pairs = t;
		g->pcap = cap;
	}
	size_t j = (k * 0x9e3779b97f4a7c15ull >> 17) & (g->pcap - 1);
	for (; g->pairs[j]; j = (j + 1) & (g->pcap - 1))
		if (g->pairs[j] == k)
			return 0;
	g->pairs[j] = k;
	g->pused++;
	return 1;
}

/* The period of t: by arithmetic but for months. */
static int period_fast(const struct gathering *g, int64_t t)
{
	const struct calls_figures_query *q = g->q;
	if (t < q->from || t >= q->to)
		return -1;
	if (q->by == CALLS_BY_MONTH)
		return period_of(g->starts, g->n, t, q);
	int64_t step = q->by == CALLS_BY_15M ? 900 : q->by == CALLS_BY_HOUR ? 3600 : 86400;
	return (int)((t - q->from) / step);
}

/* agents: those the log shows at work in the period (logged in, a member, paused, rung
 * or on a call), in the queue asked */
static void seen_agent(void *ctx, const struct cb_seen *s)
{
	struct gathering *g = ctx;
	if (!s) { /* another segment: its names at other places */
		memset(g->cache, 0, sizeof g->cache);
		return;
	}
	int p = period_fast(g, s->slot);
	if (p < 0 || (g->q->queue && strcmp(g->q->queue, s->queue)))
		return;
	uint32_t id = agent_id(g, s->agent);
	if (id < AGENT_BITS) {
		uint64_t *w = &g->bits[(size_t)p * (AGENT_BITS / 64) + id / 64], bit = 1ull << (id % 64);
		if (!(*w & bit)) {
			*w |= bit;
			g->f[p].agents++;
		}
	} else if (pair_add(g, (uint64_t)p << 32 | id)) {
		g->f[p].agents++;
	}
}

static int add_call(void *ctx, const struct cb_call *c, struct err *e)
{
	(void)e;
	struct gathering *g = ctx;
	if (g->q->queue && strcmp(g->q->queue, c->queue))
		return 0;
	struct calls_row row = {c->entered, c->connected, c->ended,
				c->wait_s,  c->talk_s,	  cb_outcome(c->rank)};
	int p = period_fast(g, c->entered);
	if (p >= 0)
		calls_figure_add(&g->f[p], &row, g->q);
	return 0;
}

int calls_figures(struct db *db, const struct calls_figures_query *q, struct jw *w, struct err *e)
{
	int64_t *starts = malloc(sizeof *starts * CALLS_PERIODS_MAX);
	struct calls_figure *f = calloc(CALLS_PERIODS_MAX, sizeof *f);
	if (!starts || !f)
		abort();
	int n = periods(q, starts);
	for (int i = 0; i < n; i++) {
		f[i].start = starts[i];
		f[i].longest_wait = -1;
	}
	struct gathering g = {.q = q, .starts = starts, .n = n, .f = f};
	g.bits = calloc((size_t)n * (AGENT_BITS / 64) + 1, sizeof *g.bits);
	if (!g.bits)
		abort();
	arena_init(&g.arena);
	/* four days at a time: their fragments stay in a few MiB used again (a month at once
	 * took 60 MiB, and its page faults were a tenth of the time), for an eighth more
	 * read at the chunks' margins */
	int rc = cb_calls(db, q->from, q->to, 4 * 86400, 0, 0, add_call, seen_agent, &g, e);
	if (rc == 0) {
		jw_array(w, NULL);
		for (int i = 0; i < n; i++)
			calls_figure_write(&f[i], q, w);
		jw_end(w);
	}
	free(g.names);
	free(g.names_by_id);
	free(g.pairs);
	free(g.bits);
	arena_release(&g.arena);
	free(starts);
	free(f);
	return rc;
}
