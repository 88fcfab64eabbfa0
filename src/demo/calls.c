/* The demo's phone line (demo.h, demo_calls): queue_log lines of the 1420 line's days up
 * to now, generated and imported through the real import (calls/calls.h), so that every
 * figure, the pulse and the wallboard read them as they would read Asterisk's.
 *
 * The model (every number a modelling estimate, not an SSO figure): calls a workday at
 * the year's start, growing linearly to 48% more at its end; the Iranian week (Saturday
 * to Wednesday alike, Thursday lighter, Friday lowest) and the official holidays of
 * data/holidays (a third of a workday); the day's cycle (night low, late-morning peak);
 * queues by their demo share in data/queues.tsv; waits short enough for a service level
 * near 99% (20 s), 0.8% abandoned; callers are the demo people's mobiles (three calls in
 * four) or numbers no one has on record; agents SIP/8001.. log in and off in three
 * shifts, each serving one queue. The incidents of data/demo/call_incidents.tsv are
 * injected on their days, for the pulse to find on its own. */
#include "demo/demo.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "base/jalali.h"
#include "base/worktime.h"
#include "calls/calls.h"
#include "catalog/catalog.h"

#define QUEUES_MAX 16
#define INCIDENTS_MAX 32
#define SHIFTS 3

struct queue {
	char name[64];
	double share;
};

struct incident {
	char kind[16], queue[64], province[8], what[256];
	long start, days; /* days before the last day, and how many */
	double factor;
};

struct caller {
	char mobile[16];
	char province[4];
};

struct cgen {
	uint64_t rng;
	struct queue q[QUEUES_MAX];
	int nq;
	struct incident inc[INCIDENTS_MAX];
	int ninc;
	struct caller *people;
	long npeople;
	long **by_prov; /* people by province index (catalog order) */
	long *nby_prov;
	int nprov;
	char *buf;
	size_t len, cap;
	long long calls, answered;
	int agents[SHIFTS][QUEUES_MAX]; /* agents per shift and queue */
	int first_agent[SHIFTS][QUEUES_MAX];
};

static uint64_t rnd(struct cgen *g)
{
	uint64_t x = g->rng; /* xorshift64* */
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	g->rng = x;
	return x * 2685821657736338717ull;
}
static double unit(struct cgen *g) { return (double)(rnd(g) >> 11) / 9007199254740992.0; }
static long pick(struct cgen *g, long n) { return n > 0 ? (long)(rnd(g) % (uint64_t)n) : 0; }

static int queue_row(char **f, int n, void *arg, struct err *e)
{
	struct cgen *g = arg;
	if (n < 6)
		return err_set(e, 500, "data", "", "queues.tsv: a row needs 6 fields");
	if (g->nq == QUEUES_MAX)
		return 0;
	struct queue *q = &g->q[g->nq++];
	snprintf(q->name, sizeof q->name, "%s", f[0]);
	q->share = atof(f[5]);
	return 0;
}

static int incident_row(char **f, int n, void *arg, struct err *e)
{
	struct cgen *g = arg;
	if (n < 7)
		return err_set(e, 500, "data", "", "demo/call_incidents.tsv: a row needs 7 fields");
	if (g->ninc == INCIDENTS_MAX)
		return 0;
	struct incident *c = &g->inc[g->ninc++];
	snprintf(c->kind, sizeof c->kind, "%s", f[0]);
	c->start = atol(f[1]);
	c->days = atol(f[2]);
	snprintf(c->queue, sizeof c->queue, "%s", f[3]);
	snprintf(c->province, sizeof c->province, "%s", f[4]);
	c->factor = atof(f[5]);
	snprintf(c->what, sizeof c->what, "%s", f[6]);
	return 0;
}

static void out(struct cgen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out(struct cgen *g, const char *fmt, ...)
{
	if (g->cap - g->len < 512) {
		g->cap = g->cap ? g->cap * 2 : 1 << 22;
		g->buf = realloc(g->buf, g->cap);
		if (!g->buf)
			abort();
	}
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(g->buf + g->len, g->cap - g->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		g->len += (size_t)n;
}

/* The people's mobiles and provinces, and the people of each province. */
static int load_people(struct db *db, struct cgen *g, struct err *e)
{
	const struct province *provs;
	g->nprov = catalog_provinces(&provs);
	struct db_stmt *s = db_prepare(db, "SELECT mobile, province FROM people WHERE mobile IS "
					   "NOT NULL ORDER BY id");
	if (!s)
		return db_fail(db, e);
	size_t cap = 0;
	while (db_step(s) == 1) {
		if ((size_t)g->npeople == cap) {
			cap = cap ? cap * 2 : 1024;
			g->people = realloc(g->people, cap * sizeof *g->people);
			if (!g->people)
				abort();
		}
		struct caller *c = &g->people[g->npeople++];
		snprintf(c->mobile, sizeof c->mobile, "%s", db_col_text(s, 0));
		const char *p = db_col_text(s, 1);
		snprintf(c->province, sizeof c->province, "%s", p ? p : "");
	}
	db_done(s);
	g->by_prov = calloc((size_t)g->nprov + 1, sizeof *g->by_prov);
	g->nby_prov = calloc((size_t)g->nprov + 1, sizeof *g->nby_prov);
	if (!g->by_prov || !g->nby_prov)
		abort();
	for (int k = 0; k < g->nprov; k++) {
		g->by_prov[k] = malloc(((size_t)g->npeople + 1) * sizeof **g->by_prov);
		if (!g->by_prov[k])
			abort();
		for (long i = 0; i < g->npeople; i++)
			if (!strcmp(g->people[i].province, provs[k].code))
				g->by_prov[k][g->nby_prov[k]++] = i;
	}
	return 0;
}

static int province_index(const char *code)
{
	const struct province *provs;
	int n = catalog_provinces(&provs);
	for (int k = 0; k < n; k++)
		if (!strcmp(provs[k].code, code))
			return k;
	return -1;
}

/* The incident of kind on queue q covering day (days before the last), or NULL. */
static const struct incident *incident(const struct cgen *g, const char *kind, int q, long ago)
{
	for (int i = 0; i < g->ninc; i++) {
		const struct incident *c = &g->inc[i];
		if (!strcmp(c->kind, kind) && !strcmp(c->queue, g->q[q].name) && ago <= c->start &&
		    ago > c->start - c->days)
			return c;
	}
	return NULL;
}

static int shift_of(int minute)
{
	return minute >= 7 * 60 && minute < 15 * 60 ? 0 : minute >= 15 * 60 && minute < 23 * 60 ? 1 : 2;
}

/* One call entering queue q at t from caller: its lines. */
static void one_call(struct cgen *g, int q, int64_t t, const char *caller, int minute,
		     const struct incident *abandon)
{
	long long id = ++g->calls;
	const char *qn = g->q[q].name;
	out(g, "%lld|%lld.%lld|%s|NONE|ENTERQUEUE||%s|1\n", (long long)t, (long long)t, id, qn,
	    caller);
	double p_abandon = abandon ? abandon->factor : 0.008;
	if (unit(g) < p_abandon) {
		int wait = abandon ? 5 + (int)pick(g, 120) : 1 + (int)pick(g, 40);
		out(g, "%lld|%lld.%lld|%s|NONE|ABANDON|1|1|%d\n", (long long)t + wait, (long long)t,
		    id, qn, wait);
		return;
	}
	int wait = (int)(-log(1.0 - unit(g)) * 3.0);
	if (abandon)
		wait = (int)(-log(1.0 - unit(g)) * 45.0);
	int talk = 60 + (int)(-log(1.0 - unit(g)) * 150.0);
	int s = shift_of((minute + wait / 60) % 1440);
	int agent = g->first_agent[s][q] + (int)pick(g, g->agents[s][q]);
	out(g, "%lld|%lld.%lld|%s|SIP/%d|CONNECT|%d|%lld.%lld.1|2\n", (long long)t + wait,
	    (long long)t, id, qn, agent, wait, (long long)t, id);
	out(g, "%lld|%lld.%lld|%s|SIP/%d|%s|%d|%d|1\n", (long long)t + wait + talk, (long long)t,
	    id, qn, agent, pick(g, 2) ? "COMPLETECALLER" : "COMPLETEAGENT", wait, talk);
	g->answered++;
}

/* The agents of each shift and queue: enough for the busiest hour of the last day. */
static void plan_agents(struct cgen *g, long per_day)
{
	/* shares of a day's calls a shift takes, and agents per 100 calls an hour in it */
	static const double load[SHIFTS] = {0.62, 0.32, 0.06};
	int next = 8001;
	for (int s = 0; s < SHIFTS; s++)
		for (int q = 0; q < g->nq; q++) {
			double calls_hour = (double)per_day * 1.5 * load[s] * g->q[q].share / 8.0;
			int n = (int)ceil(calls_hour * 240.0 / 3600.0 / 0.8);
			g->agents[s][q] = n < 1 ? 1 : n;
			g->first_agent[s][q] = next;
			next += g->agents[s][q];
		}
}

/* The shifts' log in and log off lines of a day starting at day0 (Tehran midnight). */
static void shifts(struct cgen *g, int64_t day0)
{
	static const int starts[SHIFTS] = {7 * 60, 15 * 60, 23 * 60};
	for (int s = 0; s < SHIFTS; s++)
		for (int q = 0; q < g->nq; q++)
			for (int a = 0; a < g->agents[s][q]; a++) {
				int agent = g->first_agent[s][q] + a;
				int64_t in = day0 + starts[s] * 60 - 300 + pick(g, 240);
				int64_t off = day0 + starts[s] * 60 + 8 * 3600 + pick(g, 600);
				out(g, "%lld|NONE|%s|SIP/%d|ADDMEMBER|\n", (long long)in, g->q[q].name,
				    agent);
				out(g, "%lld|%lld.%d|NONE|SIP/%d|AGENTLOGIN|SIP/%d\n", (long long)in,
				    (long long)in, agent, agent, agent);
				out(g, "%lld|%lld.%d|NONE|SIP/%d|AGENTLOGOFF|SIP/%d|%lld\n",
				    (long long)off, (long long)in, agent, agent, agent,
				    (long long)(off - in));
				out(g, "%lld|NONE|%s|SIP/%d|REMOVEMEMBER|\n", (long long)off,
				    g->q[q].name, agent);
			}
}

/* The daily cycle: the share of a day's calls in each hour, Tehran time. */
static const double hourly[24] = {1.0, 0.6, 0.4, 0.3, 0.3, 0.5, 1.2, 3.0, 6.5, 9.0, 10.0, 9.6,
				  8.5, 7.8, 7.6, 7.0, 6.2, 5.0, 4.0, 3.2, 2.8, 2.2, 1.7, 1.3};
/* Saturday .. Friday */
static const double weekly[7] = {1.10, 1.06, 1.04, 1.02, 1.00, 0.70, 0.35};

int demo_calls(struct db *db, const struct demo_calls *o, struct demo_calls_out *res,
	       struct err *e)
{
	memset(res, 0, sizeof *res);
	if (o->days <= 0)
		return 0;
	struct cgen g = {.rng = 0x2545F4914F6CDD1Dull ^ o->seed};
	char path[1024];
	snprintf(path, sizeof path, "%s/queues.tsv", o->data_dir);
	if (tsv_read(path, queue_row, &g, e) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/demo/call_incidents.tsv", o->data_dir);
	if (tsv_read(path, incident_row, &g, e) < 0)
		return -1;
	if (!g.nq)
		return err_set(e, 500, "data", "", "queues.tsv has no queue");
	int rc = load_people(db, &g, e);
	struct calls_import *im = malloc(sizeof *im);
	if (!im)
		abort();
	calls_import_init(im, db);
	im->file = "demo";
	plan_agents(&g, o->per_day);
	long unknown = g.npeople > 2500 ? g.npeople * 2 : 5000;
	int64_t now = o->now;
	struct tehran_time tt = tehran_from_unix(now);
	int64_t last0 = tehran_to_unix(tt.date, 0);
	int64_t first0 = last0 - (int64_t)(o->days - 1) * 86400;
	clock_t c0 = clock();
	if (rc == 0 && db_begin(db))
		rc = db_fail(db, e);
	for (long d = 0; d < o->days && rc == 0; d++) {
		int64_t day0 = first0 + d * 86400;
		long ago = o->days - 1 - d;
		struct tehran_time lt = tehran_from_unix(day0 + 43200);
		/* the year's growth: +48% from its first day to its last */
		double pos = (double)(365 - o->days + d) / 364.0;
		double level = (double)o->per_day / 1.24 / 0.99 * (1.0 + 0.48 * (pos < 0 ? 0 : pos));
		int holiday = o->holidays && worktime_is_holiday(o->holidays, lt.date);
		level *= holiday && weekly[lt.weekday] > 0.3 ? 0.3 : weekly[lt.weekday];
		level *= 0.95 + 0.1 * unit(&g);
		g.len = 0;
		shifts(&g, day0);
		for (int h = 0; h < 24; h++)
			for (int q = 0; q < g.nq; q++) {
				double mean = level * hourly[h] / 100.0 * g.q[q].share;
				long n = (long)mean + (unit(&g) < mean - floor(mean));
				const struct incident *surge = incident(&g, "surge", q, ago);
				const struct incident *ab = incident(&g, "abandon", q, ago);
				int sp = surge && strcmp(surge->province, "-") ? province_index(surge->province) : -1;
				for (long i = 0; i < n; i++) {
					int64_t t = day0 + h * 3600 + pick(&g, 3600);
					if (t > now - 900)
						continue;
					int minute = (int)((t - day0) / 60);
					long who = pick(&g, 4) ? pick(&g, g.npeople) : -1;
					char number[32];
					if (who < 0 || !g.npeople)
						snprintf(number, sizeof number, "0930%07ld", 1000000 + pick(&g, unknown));
					one_call(&g, q, t, who >= 0 && g.npeople ? g.people[who].mobile : number,
						 minute, ab);
					/* a surge: the province's people (or everyone) call factor times */
					if (!surge || (sp >= 0 && (who < 0 || !g.npeople ||
								   strcmp(g.people[who].province,
									  surge->province))))
						continue;
					double extra = surge->factor - 1.0;
					long k = (long)extra + (unit(&g) < extra - floor(extra));
					for (long j = 0; j < k; j++) {
						int64_t t2 = day0 + h * 3600 + pick(&g, 3600);
						if (t2 > now - 900)
							continue;
						const char *m = number;
						if (sp >= 0 && g.nby_prov[sp])
							m = g.people[g.by_prov[sp][pick(&g, g.nby_prov[sp])]].mobile;
						else if (who >= 0 && g.npeople)
							m = g.people[pick(&g, g.npeople)].mobile;
						one_call(&g, q, t2, m, (int)((t2 - day0) / 60), ab);
					}
				}
			}
		if (calls_import_text(im, g.buf, g.len, e) < 0) {
			rc = -1;
			break;
		}
		/* a week a transaction */
		if (d % 7 == 6 || d == o->days - 1) {
			if (calls_import_flush(im, e) < 0 || db_commit(db) ||
			    (d < o->days - 1 && db_begin(db))) {
				if (!e->message[0])
					db_fail(db, e);
				rc = -1;
				break;
			}
			if (!o->quiet && d % 28 == 27)
				fprintf(stderr, "demo: %ld days of calls\n", d + 1);
		}
	}
	if (rc < 0)
		db_rollback(db);
	res->days = o->days;
	res->calls = g.calls;
	res->answered = g.answered;
	res->lines = im->lines;
	res->malformed = im->malformed;
	res->seconds = (double)(clock() - c0) / CLOCKS_PER_SEC;
	res->first_day = first0;
	calls_import_release(im);
	free(im);
	free(g.buf);
	for (int k = 0; k < g.nprov; k++)
		free(g.by_prov[k]);
	free(g.by_prov);
	free(g.nby_prov);
	free(g.people);
	return rc;
}
