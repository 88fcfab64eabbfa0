/* The records part of the demo: workshops, careers and their monthly lists, pensioners. */
#include "demo/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jalali.h"
#include "catalog/catalog.h"
#include "lists/entries.h"
#include "lists/rows.h"

#define LIST_BATCH 2000
#define FIRST_YEAR 1360 /* no career in the demo starts earlier */

struct rng {
	uint64_t s;
};
static uint64_t next(struct rng *g)
{
	uint64_t x = g->s; /* xorshift64* */
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	g->s = x;
	return x * 2685821657736338717ull;
}
static int pick(struct rng *g, int n)
{
	return (int)(next(g) % (uint64_t)n);
}

static const struct {
	const char *name;
	int hard;
} activities[] = {
    {"نساجی", 0},
    {"خودروسازی", 0},
    {"پتروشیمی", 1},
    {"فروشگاه زنجیره‌ای", 0},
    {"رستوران", 0},
    {"ساختمانی", 0},
    {"نانوایی", 0},
    {"داروسازی", 0},
    {"معدن", 1},
    {"کشاورزی", 0},
    {"ریخته‌گری", 1},
    {"نرم‌افزار", 0},
};
#define NACT ((int)(sizeof activities / sizeof activities[0]))

/* one month of one person in one workshop */
struct line {
	int32_t workshop, person;
	int16_t year;
	int8_t month, days;
	int64_t wage;
};

static int by_list(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	if (x->workshop != y->workshop)
		return x->workshop < y->workshop ? -1 : 1;
	if (x->year != y->year)
		return x->year < y->year ? -1 : 1;
	if (x->month != y->month)
		return x->month < y->month ? -1 : 1;
	return (x->person > y->person) - (x->person < y->person);
}

/* The monthly minimum wage of a year; before the first year the rules know, going back
 * a fifth a year (close to the raises of the 1380s and 1390s). */
static int64_t minimum_wage(const struct rules *r, int year, int64_t *cache)
{
	int64_t *c = &cache[year - FIRST_YEAR];
	if (*c == 0) {
		struct err e;
		struct jdate d = {year, 6, 1};
		if (rules_minimum_wage(r, d, c, &e) < 0)
			*c = minimum_wage(r, year + 1, cache) * 4 / 5;
	}
	return *c;
}

/* rate (basis points) × amount, rounded half up, as the rules round */
static int64_t share(int64_t amount, int64_t bp)
{
	return (amount * bp + 5000) / 10000;
}

struct rates {
	int64_t insured, employer, unemployment, hard;
};
static int rates_of(const struct rules *r, int year, int month, struct rates *out, struct err *e)
{
	struct jdate d = {year, month, 1};
	struct rules_value v;
	if (rules_value(r, "contribution.insured.bp", d, &v, e) < 0)
		return -1;
	out->insured = v.value;
	if (rules_value(r, "contribution.employer.bp", d, &v, e) < 0)
		return -1;
	out->employer = v.value;
	/* unemployment insurance began in 1369: before, no such share */
	struct err none;
	out->unemployment =
	    rules_value(r, "contribution.unemployment.bp", d, &v, &none) < 0 ? 0 : v.value;
	out->hard = rules_value(r, "contribution.hard_job.bp", d, &v, &none) < 0 ? 0 : v.value;
	return 0;
}

static int make_workshops(struct db *db, struct rng *g, int nw, int64_t now, int64_t *ids,
			  int *hard, struct demo_records_out *out, struct err *e)
{
	const struct province *provs;
	int nprov = catalog_provinces(&provs);
	struct db_stmt *s = db_prepare(
	    db, "INSERT INTO workshops(code, name, employer_name, province, branch, activity,"
		" hard_job, address, created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
	if (!s)
		return db_fail(db, e);
	for (int k = 0; k < nw; k++) {
		char code[11], name[200], employer[200], address[200];
		snprintf(code, sizeof code, "%010llu",
			 1000000000ull +
			     (unsigned long long)(k + 1) * 104729ull * 7919ull % 8999999999ull);
		int a = pick(g, NACT);
		const struct province *p = &provs[pick(g, nprov)];
		snprintf(name, sizeof name, "کارگاه %s %s %d", activities[a].name, p->name, k + 1);
		snprintf(employer, sizeof employer, "شرکت %s %s", activities[a].name, p->name);
		snprintf(address, sizeof address, "%s، خیابان %d", p->name, 1 + pick(g, 90));
		char branch[64] = "";
		sscanf(p->branches, "%63[^,]", branch);
		db_bind_text(s, 1, code);
		db_bind_text(s, 2, name);
		db_bind_text(s, 3, employer);
		db_bind_text(s, 4, p->code);
		db_bind_text(s, 5, branch);
		db_bind_text(s, 6, activities[a].name);
		db_bind_int(s, 7, activities[a].hard);
		db_bind_text(s, 8, address);
		db_bind_int(s, 9, now - 400 * 86400);
		if (db_step(s) < 0) {
			db_done(s);
			return db_fail(db, e);
		}
		db_done(s);
		ids[k] = db_last_id(db);
		hard[k] = activities[a].hard;
		if (k == 0)
			snprintf(out->first_workshop, sizeof out->first_workshop, "%s", code);
	}
	out->workshops = nw;
	return 0;
}

/* A career: jobs one after another in random workshops, some gaps, to the last month or
 * to an earlier end. Lines are appended to *v; -1 when out of memory. */
static int career(struct rng *g, int person, int birth_year, int last_year, int last_month, int nw,
		  int64_t *wcache, const struct rules *rules, struct line **v, long *n, long *cap,
		  int always)
{
	if (!always && pick(g, 100) >= 85)
		return 0;
	int y = birth_year + 20 + pick(g, 9), m = 1 + pick(g, 12);
	if (y < FIRST_YEAR)
		y = FIRST_YEAR;
	if (y > last_year || (y == last_year && m > last_month))
		return 0;
	int end_y = last_year, end_m = last_month;
	if (!always && pick(g, 100) < 20) { /* left work earlier */
		end_y = y + 2 + pick(g, last_year - y + 1);
		if (end_y > last_year)
			end_y = last_year;
		end_m = 1 + pick(g, 12);
	}
	int factor = 100 + pick(g, 150); /* percent of the minimum wage */
	while (y < end_y || (y == end_y && m <= end_m)) {
		int ws = pick(g, nw);
		int months = 24 + pick(g, 120);
		for (int k = 0; k < months && (y < end_y || (y == end_y && m <= end_m)); k++) {
			if (*n == *cap) {
				long ncap = *cap ? *cap * 2 : 4096;
				struct line *nv = realloc(*v, sizeof **v * (size_t)ncap);
				if (!nv)
					return -1;
				*v = nv;
				*cap = ncap;
			}
			int len = jalali_month_days(y, m);
			int days = pick(g, 100) < 8 ? 10 + pick(g, len - 10) : len;
			int64_t wage = minimum_wage(rules, y, wcache) * factor / 100 * days / 30;
			(*v)[(*n)++] =
			    (struct line){ws, person, (int16_t)y, (int8_t)m, (int8_t)days, wage};
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
		if (pick(g, 100) < 35) { /* a gap between jobs */
			for (int k = 1 + pick(g, 18); k > 0; k--)
				if (++m > 12) {
					m = 1;
					y++;
				}
		}
		if (pick(g, 100) < 20)
			factor += 10 + pick(g, 40); /* a better job */
	}
	return 0;
}

/* what a list row says of a demo person */
struct worker_id {
	char national_id[11];
	const char *first, *last, *father;
	enum list_sex sex;
	struct jdate birth;
};

static int insert_lists(struct db *db, const struct rules *rules, const struct line *v, long n,
			const struct worker_id *who, const int64_t *wids, const int *hard,
			int64_t now, struct demo_records_out *out, struct err *e)
{
	struct db_stmt *ls = db_prepare(
	    db, "INSERT INTO lists(workshop_id, year, month, list_no, source, encoding, workers,"
		" days, daily_wages, monthly_wages, benefits, insurable, total, worker_share,"
		" employer_share, unemployment, hard_job_share, rate, submitted_at)"
		" VALUES ($1, $2, $3, '1', 'demo', 'utf-8', $4, $5, $6, $7, 0, $7, $7, $8, $9, $10,"
		" $11, $12, $13)");
	struct list_worker *w = calloc(1, sizeof *w);
	struct list_rows_out rows;
	list_rows_init(&rows, 0);
	if (!ls || !w) {
		free(w);
		return db_fail(db, e);
	}
	long lists = 0;
	if (db_begin(db) < 0)
		goto sqlfail;
	for (long i = 0; i < n;) {
		long j = i;
		int64_t days = 0, daily = 0, wages = 0, worker = 0;
		struct rates rt;
		if (rates_of(rules, v[i].year, v[i].month, &rt, e) < 0)
			goto fail;
		list_rows_release(&rows);
		for (; j < n && v[j].workshop == v[i].workshop && v[j].year == v[i].year &&
		       v[j].month == v[i].month;
		     j++) {
			const struct worker_id *p = &who[v[j].person];
			snprintf(w->national_id, sizeof w->national_id, "%s", p->national_id);
			snprintf(w->insurance_no, sizeof w->insurance_no, "%.8s", p->national_id + 2);
			snprintf(w->first_name, sizeof w->first_name, "%s", p->first);
			snprintf(w->last_name, sizeof w->last_name, "%s", p->last);
			snprintf(w->father_name, sizeof w->father_name, "%s", p->father);
			w->sex = p->sex;
			w->birth_date = p->birth;
			w->days = (int)(uint8_t)v[j].days;
			w->daily_wage = v[j].wage / v[j].days;
			w->monthly_wage = w->insurable = w->total = v[j].wage;
			w->worker_share = share(v[j].wage, rt.insured);
			if (list_rows_add(&rows, w, (uint32_t)(j - i + 1), 1) < 0) {
				err_set(e, 500, "internal", "", "out of memory for the demo's lists");
				goto fail;
			}
			days += v[j].days;
			daily += w->daily_wage;
			wages += v[j].wage;
			worker += w->worker_share;
		}
		int h = hard[v[i].workshop];
		db_bind_int(ls, 1, wids[v[i].workshop]);
		db_bind_int(ls, 2, v[i].year);
		db_bind_int(ls, 3, v[i].month);
		db_bind_int(ls, 4, j - i);
		db_bind_int(ls, 5, days);
		db_bind_int(ls, 6, daily);
		db_bind_int(ls, 7, wages);
		db_bind_int(ls, 8, worker);
		db_bind_int(ls, 9, share(wages, rt.employer));
		db_bind_int(ls, 10, share(wages, rt.unemployment));
		db_bind_int(ls, 11, h ? share(wages, rt.hard) : 0);
		db_bind_int(ls, 12, (rt.employer + rt.unemployment) / 100);
		db_bind_int(ls, 13, now - 86400);
		if (db_step(ls) < 0)
			goto sqlfail;
		db_done(ls);
		struct list_key key = {db_last_id(db), wids[v[i].workshop], v[i].year, v[i].month};
		if (list_rows_store(db, &key, &rows, e) < 0)
			goto fail;
		out->rows += j - i;
		i = j;
		if (++lists % LIST_BATCH == 0 && (db_commit(db) < 0 || db_begin(db) < 0))
			goto sqlfail;
	}
	out->lists = lists;
	if (db_commit(db) < 0)
		goto sqlfail;
	list_rows_release(&rows);
	free(w);
	return 0;
sqlfail:
	db_fail(db, e);
fail:
	db_done(ls);
	db_rollback(db);
	list_rows_release(&rows);
	free(w);
	return -1;
}

static int make_pensioners(struct db *db, const struct rules *rules, struct rng *g,
			   const int64_t *people, const int *birth_years, long n, int year,
			   int month, int64_t now, int64_t *wcache, struct demo_records_out *out,
			   struct err *e)
{
	struct db_stmt *ps = db_prepare(db, "INSERT INTO pensioners(person_id, type, start_year,"
					    " start_month, amount, granted, created) VALUES ($1, $2,"
					    " $3, $4, $5, $6, $7)");
	struct db_stmt *pay = db_prepare(db, "INSERT INTO pension_payments(pensioner_id, year,"
					     " month, amount) VALUES ($1, $2, $3, $4)");
	if (!ps || !pay || db_begin(db) < 0)
		return db_fail(db, e);
	for (long i = 3; i < n; i++) { /* the demo citizens stay at work */
		if (!birth_years[i] || year - birth_years[i] < 62)
			continue;
		int start = birth_years[i] + 60 + pick(g, 2);
		if (start > year)
			start = year;
		if (start < FIRST_YEAR)
			start = FIRST_YEAR;
		/* granted at a coefficient of the minimum wage then; the yearly increases have
		 * since kept the pension at 80-100% of that coefficient of today's (the gap the
		 * equalisation closes) */
		int coefficient = 100 + pick(g, 120);
		int64_t granted = minimum_wage(rules, start, wcache) * coefficient / 100;
		int64_t amount =
		    minimum_wage(rules, year, wcache) * coefficient / 100 * (80 + pick(g, 21)) / 100;
		db_bind_int(ps, 1, people[i]);
		db_bind_text(ps, 2, pick(g, 100) < 90 ? "old_age" : "disability");
		db_bind_int(ps, 3, start);
		db_bind_int(ps, 4, 1 + pick(g, 12));
		db_bind_int(ps, 5, amount);
		db_bind_int(ps, 6, granted);
		db_bind_int(ps, 7, now - 400 * 86400);
		if (db_step(ps) < 0)
			goto fail;
		db_done(ps);
		int64_t pid = db_last_id(db);
		/* the last 24 months; the year's increase came in Farvardin */
		for (int k = 23; k >= 0; k--) {
			int y = year, m = month - k;
			while (m < 1) {
				m += 12;
				y--;
			}
			db_bind_int(pay, 1, pid);
			db_bind_int(pay, 2, y);
			db_bind_int(pay, 3, m);
			db_bind_int(pay, 4, y == year ? amount : amount * 100 / 145);
			if (db_step(pay) < 0)
				goto fail;
			db_done(pay);
		}
		out->pensioners++;
	}
	return db_commit(db) < 0 ? db_fail(db, e) : 0;
fail:
	db_done(ps);
	db_done(pay);
	db_rollback(db);
	return db_fail(db, e);
}

/* Closes every year before `year`, as the organisation does once a year is over
 * (lists/entries.h): the demo's past years are in work_months, its current one open. */
static int close_past_years(struct db *db, int year, struct err *e)
{
	for (;;) {
		struct db_stmt *s = db_prepare(db, "SELECT min(year) FROM open_periods");
		int y = s && db_step(s) == 1 && !db_col_is_null(s, 0) ? (int)db_col_int(s, 0) : 0;
		db_done(s);
		int64_t moved;
		if (!y || y >= year)
			return 0;
		if (record_close_year(db, y, &moved, e) < 0)
			return -1;
	}
}

int demo_records(struct db *db, const struct rules *rules, const int64_t *people, long n,
		 uint64_t seed, int64_t now, struct demo_records_out *out, struct err *e)
{
	memset(out, 0, sizeof *out);
	struct rng g = {seed ^ 0xD1B54A32D192ED03ull};
	struct jdate today = tehran_from_unix(now).date;
	int last_year = today.y, last_month = today.m - 1; /* the last month that ended */
	if (last_month < 1) {
		last_month = 12;
		last_year--;
	}
	int nw = n / 20 < 8 ? 8 : (int)(n / 20);
	int64_t *wids = calloc((size_t)nw, sizeof *wids);
	int *hard = calloc((size_t)nw, sizeof *hard);
	int *births = calloc((size_t)n, sizeof *births);
	int64_t wcache[200] = {0};
	struct line *v = NULL;
	struct worker_id *who = NULL;
	struct arena names; /* the workers' names, as their list rows give them */
	arena_init(&names);
	long nv = 0, cap = 0;
	int rc = -1;
	if (db_begin(db) < 0 || make_workshops(db, &g, nw, now, wids, hard, out, e) < 0) {
		db_rollback(db);
		goto out;
	}
	who = calloc((size_t)n, sizeof *who);
	if (!who) {
		db_rollback(db);
		err_set(e, 500, "internal", "", "out of memory for the demo's careers");
		goto out;
	}
	struct db_stmt *bd =
	    db_prepare(db, "SELECT birth_date, national_id, first_name, last_name, father_name,"
			   " gender FROM people WHERE id = $1");
	for (long i = 0; i < n; i++) {
		int gy = 0, gm = 0, gd = 0;
		db_bind_int(bd, 1, people[i]);
		if (db_step(bd) == 1 && db_col_text(bd, 0)) {
			sscanf(db_col_text(bd, 0), "%d-%d-%d", &gy, &gm, &gd);
			struct worker_id *p = &who[i];
			snprintf(p->national_id, sizeof p->national_id, "%s", db_col_text(bd, 1));
			p->first = arena_strdup(&names, db_col_text(bd, 2));
			p->last = arena_strdup(&names, db_col_text(bd, 3));
			p->father = arena_strdup(&names, db_col_text(bd, 4));
			const char *sex = db_col_text(bd, 5);
			p->sex = !sex ? LIST_SEX_UNKNOWN
				 : *sex == 'f' ? LIST_SEX_FEMALE
					       : LIST_SEX_MALE;
		}
		db_done(bd);
		if (!gy)
			continue;
		who[i].birth = jalali_from_gregorian(gy, gm, gd);
		births[i] = who[i].birth.y;
		long before = nv;
		if (career(&g, (int)i, births[i], last_year, last_month, nw, wcache, rules, &v, &nv,
			   &cap, i < 3) < 0) {
			db_rollback(db);
			err_set(e, 500, "internal", "", "out of memory for the demo's careers");
			goto out;
		}
		out->insured += nv > before;
	}
	if (db_commit(db) < 0) {
		db_fail(db, e);
		goto out;
	}
	if (nv)
		qsort(v, (size_t)nv, sizeof *v, by_list);
	if (insert_lists(db, rules, v, nv, who, wids, hard, now, out, e) < 0 ||
	    close_past_years(db, last_year, e) < 0 ||
	    make_pensioners(db, rules, &g, people, births, n, today.y, last_month, now, wcache, out,
			    e) < 0)
		goto out;
	rc = 0;
out:
	arena_release(&names);
	free(v);
	free(who);
	free(wids);
	free(hard);
	free(births);
	return rc;
}
