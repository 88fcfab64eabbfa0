/* GET /api/v1/public/figures: the organisation's figures for everyone (public.h).
 *
 * The figures of the longest range the route serves (PUBLIC_DAYS_MAX days,
 * PUBLIC_MONTHS_MAX months) are computed at most once every PUBLIC_CACHE_S seconds, with
 * the small groups already withheld (suppress.c), and kept in memory; each request
 * writes the slice it asks for from them. While one request computes them again, the
 * others are answered from the previous ones. */
#include "public/public.h"
#include "services/services.h"

#include "base/jalali.h"
#include "base/jw.h"
#include "calls/calls.h"
#include "cases/cases.h"
#include "catalog/catalog.h"
#include "http/http.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pub_day {
	int64_t day; /* Tehran days since 1970-01-01 */
	struct public_cell offered, answered;
	double service_level; /* -1: none (no call offered, or too few to tell) */
};

struct pub_month {
	struct jdate month;
	struct public_cell total_received, total_in_time;
	struct public_cell *received, *in_time; /* [ndeps] */
	struct public_cell eservices; /* e-service uses (answered or opened), services.h */
};

struct pub_figures {
	int64_t at;
	int ndays, nmonths, ndeps;
	int eservices_any; /* some month has an e-service use */
	struct pub_day days[PUBLIC_DAYS_MAX];
	struct pub_month months[PUBLIC_MONTHS_MAX];
	struct department *deps;   /* a copy: the catalogue may change meanwhile */
	struct public_cell *cells; /* the months' received and in time */
};

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct pub_figures *cache; /* the last figures computed, or NULL */
static int computing;

static void pub_free(struct pub_figures *f)
{
	if (!f)
		return;
	free(f->deps);
	free(f->cells);
	free(f);
}

static void day_name(int64_t day, char out[11])
{
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
		 (unsigned)d % 100u);
}

/* The calls of the last PUBLIC_DAYS_MAX days through calls_figures (the phone line's
 * figures as the calls module defines them; its tables are its own). */
static int days_read(struct db *db, struct pub_figures *f, int64_t now, struct err *e)
{
	int64_t today = cases_tehran_day(now);
	char from[11], to[11];
	day_name(today - PUBLIC_DAYS_MAX, from);
	day_name(today - 1, to);
	struct calls_figures_query q;
	if (calls_figures_parse(from, to, "day", NULL, NULL, NULL, &q, e) < 0)
		return -1;
	struct jw w;
	jw_init(&w);
	if (calls_figures(db, &q, &w, e) < 0) {
		jw_release(&w);
		return -1;
	}
	json_t *rows = json_loadb(w.buf, w.len, 0, NULL);
	jw_release(&w);
	if (!json_is_array(rows)) {
		json_decref(rows);
		return err_set(e, 500, "internal", "", "the calls' figures cannot be read");
	}
	for (int i = 0; i < PUBLIC_DAYS_MAX; i++) {
		struct pub_day *d = &f->days[i];
		memset(d, 0, sizeof *d);
		d->day = today - PUBLIC_DAYS_MAX + i;
		d->service_level = -1;
		char name[11];
		day_name(d->day, name);
		size_t k;
		json_t *row;
		json_array_foreach(rows, k, row)
		{
			const char *period = json_string_value(json_object_get(row, "period"));
			if (!period || strcmp(period, name) != 0)
				continue;
			d->offered.v = json_integer_value(json_object_get(row, "offered"));
			d->answered.v = json_integer_value(json_object_get(row, "answered"));
			json_t *sl = json_object_get(row, "service_level");
			if (json_is_number(sl))
				d->service_level = json_number_value(sl);
		}
		public_suppress_line(&d->offered, 1, NULL);
		public_suppress_line(&d->answered, 1, NULL);
		/* a share of fewer than PUBLIC_MIN_COUNT calls tells of too few callers */
		if (d->offered.v < PUBLIC_MIN_COUNT)
			d->service_level = -1;
	}
	f->ndays = PUBLIC_DAYS_MAX;
	json_decref(rows);
	return 0;
}

/* The cases of the last PUBLIC_MONTHS_MAX months through cases_accountability. */
static int months_read(struct db *db, struct pub_figures *f, int64_t now, struct err *e)
{
	struct cases_acc_query q = {.now = now};
	struct jdate to = tehran_from_unix(now).date;
	int last = to.y * 12 + to.m - 1, first = last - PUBLIC_MONTHS_MAX + 1;
	q.from = (struct jdate){first / 12, first % 12 + 1, 1};
	q.to = (struct jdate){last / 12, last % 12 + 1, 1};
	struct cases_acc a;
	if (cases_accountability(db, &q, &a, e) < 0) {
		cases_acc_release(&a);
		return -1;
	}
	f->ndeps = a.ndeps;
	f->nmonths = a.nmonths;
	f->deps = malloc(sizeof *f->deps * (size_t)(a.ndeps ? a.ndeps : 1));
	f->cells =
	    calloc((size_t)a.nmonths * (size_t)(a.ndeps ? a.ndeps : 1) * 2, sizeof *f->cells);
	if (!f->deps || !f->cells)
		abort();
	if (a.ndeps)
		memcpy(f->deps, a.deps, sizeof *f->deps * (size_t)a.ndeps);
	for (int i = 0; i < a.nmonths; i++) {
		struct pub_month *m = &f->months[i];
		m->month = a.month[i];
		m->received = f->cells + (size_t)i * (size_t)a.ndeps * 2;
		m->in_time = m->received + a.ndeps;
		m->total_received = m->total_in_time = (struct public_cell){0, 0};
		for (int d = 0; d < a.ndeps; d++) {
			const struct cases_acc_cell *c = &a.cells[i * a.ndeps + d];
			m->received[d].v = c->received;
			m->in_time[d].v = c->in_time;
			m->total_received.v += c->received;
			m->total_in_time.v += c->in_time;
		}
		public_suppress_month(m->received, m->in_time, a.ndeps, &m->total_received,
				      &m->total_in_time);
	}
	cases_acc_release(&a);
	return 0;
}

static struct pub_figures *pub_compute(struct db *db, int64_t now, struct err *e)
{
	struct pub_figures *f = calloc(1, sizeof *f);
	if (!f)
		abort();
	f->at = now;
	if (days_read(db, f, now, e) < 0 || months_read(db, f, now, e) < 0) {
		pub_free(f);
		return NULL;
	}
	/* e-service uses per Jalali month (Tehran time), a small count withheld */
	for (int i = 0; i < f->nmonths; i++) {
		struct jdate m = f->months[i].month, next = m;
		m.d = next.d = 1;
		if (++next.m > 12) {
			next.m = 1;
			next.y++;
		}
		int64_t n = services_uses_between(db, tehran_to_unix(m, 0), tehran_to_unix(next, 0));
		if (n < 0) {
			err_set(e, 500, "internal", "", "the e-service uses cannot be read");
			pub_free(f);
			return NULL;
		}
		f->months[i].eservices = (struct public_cell){n, n > 0 && n < PUBLIC_MIN_COUNT};
		f->eservices_any |= n > 0;
	}
	return f;
}

/* A count, or null with its name in the suppressed list that follows. */
static void cell_write(struct jw *w, const char *key, const struct public_cell *c)
{
	if (c->withheld)
		jw_null(w, key);
	else
		jw_int(w, key, c->v);
}

static void withheld_write(struct jw *w, const char *const *keys,
			   const struct public_cell *const *cells, int n)
{
	jw_array(w, "suppressed");
	for (int i = 0; i < n; i++)
		if (cells[i]->withheld)
			jw_str(w, NULL, keys[i]);
	jw_end(w);
}

static void pair_write(struct jw *w, const struct public_cell *received,
		       const struct public_cell *in_time)
{
	cell_write(w, "received", received);
	cell_write(w, "solved_in_time", in_time);
	withheld_write(w, (const char *const[]){"received", "solved_in_time"},
		       (const struct public_cell *const[]){received, in_time}, 2);
}

static void pub_json(const struct pub_figures *f, int days, int months, struct jw *w)
{
	jw_object(w, NULL);
	jw_time(w, "generated_at", f->at);
	jw_int(w, "min_count", PUBLIC_MIN_COUNT);
	jw_array(w, "calls");
	for (int i = f->ndays - days; i < f->ndays; i++) {
		const struct pub_day *d = &f->days[i];
		char name[11], jday[11];
		int y, m, dd;
		day_name(d->day, name);
		civil_from_days(d->day, &y, &m, &dd);
		jalali_format(jalali_from_gregorian(y, m, dd), jday);
		jw_object(w, NULL);
		jw_str(w, "day", name);
		jw_str(w, "jalali", jday);
		cell_write(w, "offered", &d->offered);
		cell_write(w, "answered", &d->answered);
		if (d->service_level < 0) {
			jw_null(w, "service_level");
		} else {
			char t[32];
			snprintf(t, sizeof t, "%.4f", d->service_level);
			jw_raw(w, "service_level", t);
		}
		struct public_cell sl = {0, d->offered.v > 0 && d->service_level < 0};
		withheld_write(w, (const char *const[]){"offered", "answered", "service_level"},
			       (const struct public_cell *const[]){&d->offered, &d->answered, &sl},
			       3);
		jw_end(w);
	}
	jw_end(w);
	jw_array(w, "cases");
	for (int i = f->nmonths - months; i < f->nmonths; i++) {
		const struct pub_month *m = &f->months[i];
		char name[8];
		cases_acc_month_name(m->month, name);
		jw_object(w, NULL);
		jw_str(w, "month", name);
		jw_object(w, "total");
		pair_write(w, &m->total_received, &m->total_in_time);
		jw_end(w);
		jw_array(w, "departments");
		for (int d = 0; d < f->ndeps; d++) {
			jw_object(w, NULL);
			jw_str(w, "department", f->deps[d].code);
			jw_str(w, "name", f->deps[d].name);
			pair_write(w, &m->received[d], &m->in_time[d]);
			jw_end(w);
		}
		jw_end(w);
		jw_end(w);
	}
	jw_end(w);
	/* e-service uses per month once any is recorded: said, not left out, before */
	jw_object(w, "eservices");
	jw_bool(w, "available", f->eservices_any);
	jw_array(w, "months");
	for (int i = f->nmonths - months; f->eservices_any && i < f->nmonths; i++) {
		char name[8];
		cases_acc_month_name(f->months[i].month, name);
		jw_object(w, NULL);
		jw_str(w, "month", name);
		cell_write(w, "uses", &f->months[i].eservices);
		withheld_write(w, (const char *const[]){"uses"},
			       (const struct public_cell *const[]){&f->months[i].eservices}, 1);
		jw_end(w);
	}
	jw_end(w);
	jw_end(w);
	jw_end(w);
}

/* A whole number from 1 to max in the query at key (default when absent): 0, or -1
 * having replied 400. */
static int query_count(struct req *r, const char *key, int def, int max, int *out)
{
	const char *v = req_query(r, key);
	*out = def;
	if (!v)
		return 0;
	size_t n = strlen(v);
	if (n < 1 || n > 3 || strspn(v, "0123456789") != n || atoi(v) < 1 || atoi(v) > max) {
		reply_errorf(r, 400, "invalid_field", key, "%s must be a whole number from 1 to %d",
			     key, max);
		return -1;
	}
	*out = atoi(v);
	return 0;
}

void public_h_figures(struct req *r)
{
	int days, months;
	if (query_count(r, "days", 30, PUBLIC_DAYS_MAX, &days) < 0 ||
	    query_count(r, "months", 12, PUBLIC_MONTHS_MAX, &months) < 0)
		return;
	int64_t now = req_now();
	struct err e;
	pthread_mutex_lock(&cache_mu);
	int fresh = cache && now >= cache->at && now - cache->at < PUBLIC_CACHE_S;
	if (!fresh && !(computing && cache)) {
		/* this request computes them; the others meanwhile take the last ones */
		computing++;
		pthread_mutex_unlock(&cache_mu);
		struct pub_figures *f = pub_compute(req_db(r), now, &e);
		pthread_mutex_lock(&cache_mu);
		computing--;
		if (!f) {
			pthread_mutex_unlock(&cache_mu);
			reply_error(r, &e);
			return;
		}
		if (!cache || cache->at <= f->at) {
			pub_free(cache);
			cache = f;
		} else {
			pub_free(f);
		}
	}
	struct jw w;
	jw_init(&w);
	pub_json(cache, days, months, &w);
	pthread_mutex_unlock(&cache_mu);
	reply_jw(r, 200, &w);
}
