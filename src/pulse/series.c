/* The pulse's reads (pulse.h): a series with its baseline, and the movers. The baseline,
 * the scores and the anomalies are the detector's (detect.h), never computed here. */
#include "pulse/pulse.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jalali.h"
#include "base/worktime.h"
#include "catalog/catalog.h"
#include "cases/cases.h"
#include "pulse/detect.h"
#include "store/store.h"

#define WEEK (7 * PULSE_DAY)
#define HISTORY_WEEKS 12 /* read before a range: the baseline's weeks, its holidays, the spread */
#define SHARE_DAYS 28	 /* the days before a window whose shares say what "where" expects */
#define MOVER_MIN 2.0	 /* a window's score beyond which a series moved */

int64_t *pulse_holidays(const struct worktime *cal, int64_t from, int64_t to, size_t *n)
{
	*n = 0;
	size_t cap = (size_t)((to - from) / PULSE_DAY) + 1;
	int64_t *out = malloc(cap * sizeof *out);
	if (!out || !cal)
		return out;
	for (int64_t d = pulse_bucket(from, PULSE_DAY); d < to && *n < cap; d += PULSE_DAY) {
		struct tehran_time tt = tehran_from_unix(d + 3600);
		if (worktime_is_holiday(cal, tt.date))
			out[(*n)++] = (d + TEHRAN_UTC_OFFSET) / PULSE_DAY;
	}
	return out;
}

/* The start of the store's first count at span (INT64_MAX when none): where counting
 * began. pulse_counts_at serves it. */
static int64_t store_first(struct db *db, int64_t span)
{
	struct db_stmt *s = db_prepare(db, "SELECT min(at) FROM pulse_counts WHERE span = $1");
	int64_t at = INT64_MAX;
	if (!s)
		return at;
	db_bind_int(s, 1, span);
	if (db_step(s) == 1 && !db_col_is_null(s, 0))
		at = db_col_int(s, 0);
	db_done(s);
	return at;
}

/* Runs the detector on v[0..n) (counts from `start` at `span`): expected and score per
 * point, the anomalies in *an. 0, or -1 with e. */
struct holidays {
	int64_t *day;
	size_t n;
};

static int detect(double *v, size_t n, int64_t start, int64_t span, const struct holidays *h,
		  double *expected, double *score, double *spread, struct pulse_anomaly **an,
		  size_t *nan, struct err *e)
{
	struct pulse_series s = {
	    .value = v, .n = n, .start = start + TEHRAN_UTC_OFFSET, .step = span};
	struct pulse_params p;
	pulse_params_default(&p);
	int rc = pulse_detect_points(&s, h->day, h->n, &p, an, nan, expected, score, spread);
	return rc < 0 ? err_set(e, 500, "no_memory", "", "out of memory") : 0;
}

int pulse_series_get(struct db *db, const struct pulse_query *q, const struct worktime *cal,
		     struct arena *a, struct pulse_result *out, struct err *e)
{
	memset(out, 0, sizeof *out);
	int64_t start = q->from - HISTORY_WEEKS * WEEK;
	size_t n = (size_t)((q->to - start) / q->span),
	       skip = (size_t)((q->from - start) / q->span);
	double *v = calloc(n, sizeof *v), *ex = malloc(n * sizeof *ex), *z = malloc(n * sizeof *z);
	double *sd = malloc(n * sizeof *sd);
	struct pulse_anomaly *an = NULL;
	size_t nan = 0;
	int rc = -1;
	if (!v || !ex || !z || !sd) {
		err_set(e, 500, "no_memory", "", "out of memory");
		goto out;
	}
	/* the primary key's one range */
	struct db_stmt *s = db_prepare(db, "SELECT at, n FROM pulse_counts WHERE source = $1 AND "
					   "dim = $2 AND key = $3 AND span = $4 AND at >= $5 AND "
					   "at < $6 ORDER BY at");
	if (!s) {
		db_fail(db, e);
		goto out;
	}
	db_bind_text(s, 1, pulse_source_names[q->source]);
	db_bind_text(s, 2, pulse_dim_names[q->dim]);
	db_bind_text(s, 3, q->dim == PULSE_ALL ? "" : q->key);
	db_bind_int(s, 4, q->span);
	db_bind_int(s, 5, start);
	db_bind_int(s, 6, q->to);
	int step;
	while ((step = db_step(s)) == 1) {
		int64_t i = (db_col_int(s, 0) - start) / q->span;
		if (i >= 0 && (size_t)i < n)
			v[i] = (double)db_col_int(s, 1);
	}
	db_done(s);
	if (step < 0) {
		db_fail(db, e);
		goto out;
	}
	struct holidays h = {NULL, 0};
	h.day = pulse_holidays(cal, start, q->to, &h.n);
	if (!h.day) {
		err_set(e, 500, "no_memory", "", "out of memory");
		goto out;
	}
	/* before the store's first count nothing was counted, not nothing happened: the
	 * detector starts there (no baseline, no score before its weeks) */
	int64_t first = store_first(db, q->span);
	size_t off = first > start ? (size_t)((first - start) / q->span) : 0;
	if (off > n)
		off = n;
	for (size_t i = 0; i < off; i++)
		ex[i] = z[i] = sd[i] = NAN;
	rc = off + 1 < n ? detect(v + off, n - off, start + (int64_t)off * q->span, q->span, &h,
				  ex + off, z + off, sd + off, &an, &nan, e)
			 : 0;
	free(h.day);
	if (rc < 0)
		goto out;
	if (off + 1 >= n)
		for (size_t i = off; i < n; i++)
			ex[i] = z[i] = sd[i] = NAN;
	for (size_t k = 0; k < nan; k++) {
		an[k].first += off;
		an[k].last += off;
	}
	out->n = n - skip;
	out->points = arena_alloc(a, (out->n ? out->n : 1) * sizeof *out->points);
	for (size_t i = skip; i < n; i++) {
		/* the band: the counts whose score would be within 2 either way */
		double ae = 2 * sqrt((isnan(ex[i]) ? 0 : ex[i]) + 0.375), lo = ae - 2 * sd[i],
		       hi = ae + 2 * sd[i];
		lo = lo > 0 ? lo * lo / 4 - 0.375 : 0;
		out->points[i - skip] =
		    (struct pulse_point){start + (int64_t)i * q->span,
					 v[i],
					 ex[i],
					 z[i],
					 0,
					 isnan(sd[i]) ? NAN : (lo > 0 ? lo : 0),
					 isnan(sd[i]) ? NAN : hi * hi / 4 - 0.375};
	}
	out->found = arena_alloc(a, (nan ? nan : 1) * sizeof *out->found);
	for (size_t k = 0; k < nan; k++) {
		if (an[k].last < skip)
			continue;
		for (size_t i = an[k].first > skip ? an[k].first : skip; i <= an[k].last; i++)
			out->points[i - skip].anomaly = an[k].direction;
		out->found[out->nfound++] =
		    (struct pulse_found){start + (int64_t)an[k].first * q->span,
					 start + (int64_t)an[k].last * q->span,
					 an[k].direction,
					 an[k].value,
					 an[k].expected,
					 an[k].score};
	}
	rc = 0;
out:
	free(v);
	free(ex);
	free(z);
	free(sd);
	free(an);
	return rc;
}

/* ---- the movers ---- */

struct mseries {
	int source, dim;
	char *key;
	double *v; /* days */
};

struct mmap {
	struct mseries *s;
	size_t n, cap;
	int *slot;
	size_t nslot;
	size_t days;
};

static int name_index(const char *const *names, int n, const char *s)
{
	for (int i = 0; s && i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

static uint64_t hash3(int source, int dim, const char *key)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)(source * 31 + dim);
	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ull;
	return h * 0x9E3779B97F4A7C15ull;
}

/* The series (source, dim, key), added when new; NULL when memory ran out. */
static struct mseries *mmap_get(struct mmap *m, int source, int dim, const char *key)
{
	if ((m->n + 1) * 2 > m->nslot) {
		size_t ns = m->nslot ? m->nslot * 2 : 512;
		int *slot = calloc(ns, sizeof *slot);
		if (!slot)
			return NULL;
		for (size_t i = 0; i < m->n; i++) {
			size_t h = hash3(m->s[i].source, m->s[i].dim, m->s[i].key) & (ns - 1);
			while (slot[h])
				h = (h + 1) & (ns - 1);
			slot[h] = (int)i + 1;
		}
		free(m->slot);
		m->slot = slot;
		m->nslot = ns;
	}
	size_t h = hash3(source, dim, key) & (m->nslot - 1);
	while (m->slot[h]) {
		struct mseries *x = &m->s[m->slot[h] - 1];
		if (x->source == source && x->dim == dim && !strcmp(x->key, key))
			return x;
		h = (h + 1) & (m->nslot - 1);
	}
	if (m->n == m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 256;
		struct mseries *ns = realloc(m->s, nc * sizeof *ns);
		if (!ns)
			return NULL;
		m->s = ns;
		m->cap = nc;
	}
	struct mseries *x = &m->s[m->n];
	x->source = source;
	x->dim = dim;
	x->key = strdup(key);
	x->v = calloc(m->days, sizeof *x->v);
	if (!x->key || !x->v) {
		free(x->key);
		free(x->v);
		return NULL;
	}
	m->slot[h] = (int)m->n + 1;
	m->n++;
	return x;
}

static void mmap_release(struct mmap *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->s[i].key);
		free(m->s[i].v);
	}
	free(m->s);
	free(m->slot);
}

static int by_score_desc(const void *a, const void *b)
{
	double x = ((const struct pulse_mover *)a)->score,
	       y = ((const struct pulse_mover *)b)->score;
	return (x < y) - (x > y);
}

/* Where mover m came from: each sub's window total beside its share, over the SHARE_DAYS
 * before the window, of the series' baseline. */
static int mover_where(struct db *db, struct pulse_mover *m, int64_t wstart, int64_t end,
		       struct arena *a, struct err *e)
{
	struct db_stmt *s = db_prepare(db, "SELECT at, sub, n FROM pulse_where WHERE source = $1 "
					   "AND dim = $2 AND key = $3 AND at >= $4 AND at < $5");
	if (!s)
		return db_fail(db, e);
	db_bind_text(s, 1, pulse_source_names[m->source]);
	db_bind_text(s, 2, pulse_dim_names[m->dim]);
	db_bind_text(s, 3, m->key);
	db_bind_int(s, 4, wstart - SHARE_DAYS * PULSE_DAY);
	db_bind_int(s, 5, end);
	struct sub {
		char name[64];
		double base, now;
	} subs[64] = {{{0}, 0, 0}};
	int nsub = 0, step, guess = -1;
	double base_total = 0;
	while ((step = db_step(s)) == 1) {
		const char *name = db_col_text(s, 1);
		double n = (double)db_col_int(s, 2);
		/* rows come by day and sub: the next sub is most often the one after the last */
		int k = nsub && guess + 1 < nsub ? guess + 1 : 0;
		if (k >= nsub || strcmp(subs[k].name, name ? name : "")) {
			k = 0;
			while (k < nsub && strcmp(subs[k].name, name ? name : ""))
				k++;
		}
		guess = k;
		if (k == nsub) {
			if (nsub == 64)
				continue;
			snprintf(subs[k].name, sizeof subs[k].name, "%s", name ? name : "");
			subs[k].base = subs[k].now = 0;
			nsub++;
		}
		if (db_col_int(s, 0) < wstart) {
			subs[k].base += n;
			base_total += n;
		} else {
			subs[k].now += n;
		}
	}
	db_done(s);
	if (step < 0)
		return db_fail(db, e);
	/* the largest contributions in the mover's direction, by selection; none under a
	 * tenth of the move (or one contact) */
	double floor = fabs(m->value - m->expected) / 10;
	if (floor < 1)
		floor = 1;
	for (int w = 0; w < PULSE_WHERE_MAX; w++) {
		int best = -1;
		double bestc = 0;
		for (int k = 0; k < nsub; k++) {
			double ex = base_total > 0 ? m->expected * subs[k].base / base_total : 0;
			double c = (subs[k].now - ex) * m->direction;
			if (subs[k].name[0] && c > bestc && c >= floor) {
				best = k;
				bestc = c;
			}
		}
		if (best < 0)
			break;
		double ex = base_total > 0 ? m->expected * subs[best].base / base_total : 0;
		m->where[m->nwhere++] =
		    (struct pulse_share){arena_strdup(a, subs[best].name), subs[best].now, ex};
		subs[best].name[0] = 0;
	}
	return 0;
}

static int mover_examples(struct db *db, struct pulse_mover *m, const struct pulse_movers_query *q,
			  int64_t wstart, int64_t end, struct arena *a, struct err *e)
{
	int64_t topic = 0, dep = q->department_id;
	const char *channel = NULL, *prov = NULL;
	if (m->dim == PULSE_TOPIC) {
		const struct topic *t = catalog_topic_by_code(m->key);
		topic = t ? t->id : -1;
	} else if (m->dim == PULSE_DEPARTMENT) {
		const struct department *d = catalog_department_by_code(m->key);
		if (!d || (dep && d->id != dep))
			return 0;
		dep = d->id;
	} else if (m->dim == PULSE_CHANNEL) {
		channel = m->key;
	} else if (m->dim == PULSE_PROVINCE) {
		prov = m->key;
	} else if (m->dim == PULSE_BRANCH) {
		return 0; /* cases know no branch */
	}
	if (!prov && m->nwhere)
		prov = m->where[0].sub;
	int n = cases_contacts_examples(db, wstart, end, topic, dep, channel, prov,
					PULSE_EXAMPLES_MAX, a, m->examples, e);
	if (n < 0)
		return -1;
	m->nexamples = n;
	return 0;
}

int pulse_movers(struct db *db, const struct pulse_movers_query *q, const struct worktime *cal,
		 struct arena *a, struct pulse_mover **out, int *nout, struct err *e)
{
	*out = NULL;
	*nout = 0;
	int64_t end = q->at + PULSE_DAY, wstart = end - (int64_t)q->days * PULSE_DAY;
	int64_t start = wstart - HISTORY_WEEKS * WEEK, first = store_first(db, PULSE_DAY);
	if (first > start) /* counting began later: no baseline from before it */
		start = first < wstart ? first : wstart;
	struct mmap m = {.days = (size_t)((end - start) / PULSE_DAY)};
	struct pulse_mover *cand = NULL;
	size_t ncand = 0;
	double *ex = malloc(m.days * sizeof *ex), *z = malloc(m.days * sizeof *z);
	struct holidays h = {NULL, 0};
	h.day = pulse_holidays(cal, start, end, &h.n);
	int rc = -1;
	if (!ex || !z || !h.day) {
		err_set(e, 500, "no_memory", "", "out of memory");
		goto out;
	}
	/* every daily row of the weeks read: pulse_counts_at's one range */
	struct db_stmt *s = db_prepare(db, "SELECT source, dim, key, at, n FROM pulse_counts "
					   "WHERE span = $1 AND at >= $2 AND at < $3");
	if (!s) {
		db_fail(db, e);
		goto out;
	}
	db_bind_int(s, 1, PULSE_DAY);
	db_bind_int(s, 2, start);
	db_bind_int(s, 3, end);
	int step;
	while ((step = db_step(s)) == 1) {
		int src = name_index(pulse_source_names, PULSE_NSOURCES, db_col_text(s, 0));
		int dim = name_index(pulse_dim_names, PULSE_NDIMS, db_col_text(s, 1));
		const char *key = db_col_text(s, 2);
		if (src < 0 || dim < 0 || !key)
			continue;
		struct mseries *x = mmap_get(&m, src, dim, key);
		if (!x) {
			db_done(s);
			err_set(e, 500, "no_memory", "", "out of memory");
			goto out;
		}
		int64_t i = (db_col_int(s, 3) - start) / PULSE_DAY;
		if (i >= 0 && (size_t)i < m.days)
			x->v[i] = (double)db_col_int(s, 4);
	}
	db_done(s);
	if (step < 0) {
		db_fail(db, e);
		goto out;
	}
	cand = calloc(m.n ? m.n : 1, sizeof *cand);
	if (!cand) {
		err_set(e, 500, "no_memory", "", "out of memory");
		goto out;
	}
	size_t w0 = m.days - (size_t)q->days;
	for (size_t k = 0; k < m.n; k++) {
		struct mseries *x = &m.s[k];
		struct pulse_anomaly *an;
		size_t nan;
		if (detect(x->v, m.days, start, PULSE_DAY, &h, ex, z, NULL, &an, &nan, e) < 0)
			goto out;
		struct pulse_mover mv = {.source = x->source, .dim = x->dim, .key = x->key};
		double zs = 0;
		int scored = 1;
		for (size_t i = w0; i < m.days; i++) {
			if (isnan(ex[i]) || isnan(z[i]))
				scored = 0;
			mv.value += x->v[i];
			mv.expected += ex[i];
			zs += z[i];
		}
		mv.score = zs / sqrt((double)q->days); /* the window's days' scores, as one */
		if (!scored || fabs(mv.score) < MOVER_MIN) {
			free(an);
			continue;
		}
		mv.direction = mv.score > 0 ? 1 : -1;
		mv.ratio = mv.expected > 0 ? mv.value / mv.expected : NAN;
		for (size_t i = 0; i < nan; i++)
			if (an[i].last >= w0 && an[i].direction == mv.direction) {
				mv.since = start + (int64_t)an[i].first * PULSE_DAY;
				break;
			}
		/* or, when earlier (small counts are rarely flagged day by day), the first day
		 * of the run reaching to the window's end whose days' scores, taken as one, are
		 * the largest (up to 4 weeks back) */
		double sum = 0, best = 0;
		int64_t run = 0;
		for (size_t i = m.days, len = 1; i-- > 0 && len <= 28 && !isnan(z[i]); len++) {
			sum += z[i] * mv.direction;
			if (sum / sqrt((double)len) > best) {
				best = sum / sqrt((double)len);
				run = start + (int64_t)i * PULSE_DAY;
			}
		}
		if (run && (!mv.since || run < mv.since))
			mv.since = run;
		free(an);
		cand[ncand++] = mv;
	}
	qsort(cand, ncand, sizeof *cand, by_score_desc);
	int limit = q->limit > 0 ? q->limit : 10, rises = 0, falls = 0;
	for (size_t i = 0; i < ncand; i++)
		rises += cand[i].direction > 0 && rises < limit;
	for (size_t i = ncand; i-- > 0;)
		falls += cand[i].direction < 0 && falls < limit;
	*out = arena_alloc(a, (size_t)(rises + falls + 1) * sizeof **out);
	for (int i = 0; i < rises; i++)
		(*out)[(*nout)++] = cand[i];
	for (int i = 0; i < falls; i++)
		(*out)[(*nout)++] = cand[ncand - 1 - (size_t)i];
	for (int i = 0; i < *nout; i++) {
		struct pulse_mover *mv = &(*out)[i];
		mv->key = arena_strdup(a, mv->key); /* the map's copy goes */
		if (mv->dim != PULSE_BRANCH && mover_where(db, mv, wstart, end, a, e) < 0)
			goto out;
		if (q->examples && mover_examples(db, mv, q, wstart, end, a, e) < 0)
			goto out;
	}
	rc = 0;
out:
	if (rc < 0) {
		*out = NULL;
		*nout = 0;
	}
	free(cand);
	free(ex);
	free(z);
	free(h.day);
	mmap_release(&m);
	return rc;
}
