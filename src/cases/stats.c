/* GET /api/v1/stats/cases: the supervisor's figures, each the count of a list query
 * (docs/openapi.yaml, GET /api/v1/stats/cases).
 *
 * Every figure is counted from an index alone (migration 006; tests/unit/test_stats.c
 * checks each statement's plan): the open cases' figures from the partial index of the
 * open cases, grouped by department and topic in its order; all the cases of the scope
 * from the index its conditions seek; each day of the series by a range count in the
 * index by creation or by closing time. On a million cases (134,000 open), the whole
 * organisation's figures with 30 days took 40 ms here, with 366 days 110 ms. */
#include "cases/internal.h"

#include "base/jalali.h"
#include "http/http.h"
#include "xlsx/xlsx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A statement and its scope conditions' parameters, numbered after `reserved` ones
 * that the caller binds. */
struct scope_sql {
	char text[2048];
	size_t len;
	int reserved, n;
	int64_t val[6];
};

static void scope_add(struct scope_sql *s, const char *frag, int64_t v)
{
	s->val[s->n++] = v;
	s->len += (size_t)snprintf(s->text + s->len, sizeof s->text - s->len, " AND %s $%d", frag,
				   s->reserved + s->n);
}

enum { PLAIN_DEPARTMENT = 1, PLAIN_TOPIC = 2, PLAIN_CREATED = 4 };

/* The scope's conditions. A PLAIN_ one is written with a unary plus, which keeps the
 * planner from seeking an index by that column: the statement then reads the index it
 * is meant to (each choice below checked with EXPLAIN QUERY PLAN on a million cases). */
static void scope_of(struct scope_sql *s, const struct stats_query *q, const char *prefix,
		     int plain, int reserved)
{
	memset(s, 0, sizeof *s);
	s->reserved = reserved;
	s->len = (size_t)snprintf(s->text, sizeof s->text, "%s", prefix);
	if (q->topic_id)
		scope_add(s, plain & PLAIN_TOPIC ? "+topic_id =" : "topic_id =", q->topic_id);
	if (q->department_id)
		scope_add(s, plain & PLAIN_DEPARTMENT ? "+department_id =" : "department_id =",
			  q->department_id);
	if (q->has_from)
		scope_add(s, plain & PLAIN_CREATED ? "+created >=" : "created >=", q->from);
	if (q->has_to)
		scope_add(s, plain & PLAIN_CREATED ? "+created <" : "created <", q->to);
}

/* Every case in scope, counted from one index alone: the whole table by its pages; a
 * topic from cases_topic; a department from cases_department_due; a creation range, or
 * a topic in a department, from cases_created (a whole scan of that small index costs
 * half of seeking the topic and reading each of its rows for its department). */
static void count_sql(struct scope_sql *s, const struct stats_query *q)
{
	int range = q->has_from || q->has_to;
	if (!q->department_id && !q->topic_id && !range) {
		memset(s, 0, sizeof *s);
		s->len = (size_t)snprintf(s->text, sizeof s->text, "SELECT count(*) FROM cases");
		return;
	}
	int one = !range && !(q->department_id && q->topic_id); /* a topic or a department */
	scope_of(s, q, "SELECT count(*) FROM cases WHERE 1 = 1",
		 one ? 0 : PLAIN_DEPARTMENT | PLAIN_TOPIC, 0);
}

/* A count of the rows where cond holds, written for SQLite and PostgreSQL alike (the
 * latter sums no booleans). */
#define ONE(cond) "sum(CASE WHEN " cond " THEN 1 ELSE 0 END)"

/* The statements of the figures, each with its parameters (see cases.h). */
static void stats_sql(const struct stats_query *q, int which, struct scope_sql *s)
{
	/* the series ignore from and to; their $1 and $2 are each day's bounds */
	struct stats_query unranged = *q;
	unranged.has_from = unranged.has_to = 0;
	switch (which) {
	case STATS_OPEN: /* cases_open_stats, by department and topic in its order */
		scope_of(s, q,
			 "SELECT department_id, topic_id, count(*), sum(overdue), " ONE(
			     "status = 'waiting'") ", " ONE("reopen_count > 0") " FROM cases"
			 " WHERE status <> 'closed'",
			 PLAIN_CREATED | (q->department_id ? 0 : PLAIN_TOPIC), 0);
		s->len += (size_t)snprintf(s->text + s->len, sizeof s->text - s->len,
					   " GROUP BY department_id, topic_id");
		break;
	case STATS_COUNT:
		count_sql(s, q);
		break;
	case STATS_CREATED: /* cases_created */
		scope_of(s, &unranged,
			 "SELECT count(*) FROM cases WHERE created >= $1 AND created < $2",
			 PLAIN_DEPARTMENT | PLAIN_TOPIC, 2);
		break;
	case STATS_CLOSED: /* cases_closed */
		scope_of(s, &unranged,
			 "SELECT count(*) FROM cases WHERE closed_at >= $1 AND closed_at < $2",
			 PLAIN_DEPARTMENT | PLAIN_TOPIC, 2);
		break;
	case STATS_OUTCOMES: /* cases_outcomes, by department and topic in its order */
		scope_of(s, q,
			 "SELECT department_id, topic_id, " ONE("status = 'closed'") ", " ONE(
			     "answered_"
			     "at IS "
			     "NOT NULL") ", " ONE("answered_at <= resolution_due") ", " ONE(CASE_FIRST_CONTACT("cases.")) ", " ONE("rating = 1") ", " ONE("rating = 2") ", " ONE("rati"
																						 "ng "
																						 "= 3") ", " ONE("rating = 4") ", " ONE("rating = 5") ", " ONE("reopen_count > 0") ", " ONE("status IN ('reported_back', 'closed') OR reopen_count > 0") ", " ONE(CASE_UNREACHED("cases.")) ", count(*), " ONE(CASE_REPEATED("cases.")) " FROM cases WHERE 1 = 1",
			 PLAIN_CREATED | (q->department_id ? 0 : PLAIN_TOPIC), 0);
		s->len += (size_t)snprintf(s->text + s->len, sizeof s->text - s->len,
					   " GROUP BY department_id, topic_id");
		break;
	default: /* STATS_PEOPLE: cases_handlers, by assignee and creator in its order */
		scope_of(
		    s, q,
		    "SELECT assignee_id, created_by, count(*), " ONE(
			"answered_at IS NOT NULL") ", " ONE("answered_at <= resolution_due") ", "
											     "sum("
											     "CASE "
											     "WHEN "
											     "answe"
											     "red_"
											     "at IS"
											     " NOT "
											     "NULL "
											     "THEN "
											     "answe"
											     "red_"
											     "at - "
											     "creat"
											     "ed "
											     "ELSE "
											     "0 "
											     "END) "
											     "FROM "
											     "cases"
											     " WHER"
											     "E 1 "
											     "= 1",
		    PLAIN_DEPARTMENT | PLAIN_TOPIC | PLAIN_CREATED, 0);
		s->len += (size_t)snprintf(s->text + s->len, sizeof s->text - s->len,
					   " GROUP BY assignee_id, created_by");
	}
}

void cases_stats_sql(const struct stats_query *q, int which, char *out, size_t cap)
{
	struct scope_sql s;
	stats_sql(q, which, &s);
	snprintf(out, cap, "%s", s.text);
}

static struct db_stmt *prepare(struct db *db, const struct scope_sql *s)
{
	struct db_stmt *st = db_prepare(db, s->text);
	for (int i = 0; st && i < s->n; i++)
		db_bind_int(st, s->reserved + i + 1, s->val[i]);
	return st;
}

/* The figures of one department, one topic or the whole scope: the open cases' (from
 * cases_open_stats) and the outcomes of every case in scope (from cases_outcomes). */
struct figures {
	int64_t open, overdue, waiting, reopened;
	int64_t closed, solved, in_time, first_contact, ratings[5], ever_reopened, resolved;
	int64_t unreached; /* closed without reaching the citizen */
	/* contacts (cases in scope), and those whose person came back on the same topic
	 * within 7 days (CASE_REPEAT_SECONDS) */
	int64_t contacts, repeated;
};

static void figures_add(struct figures *to, const struct figures *f)
{
	int64_t *a = &to->open;
	const int64_t *b = &f->open;
	for (size_t i = 0; i < sizeof *f / sizeof(int64_t); i++)
		a[i] += b[i];
}

static int64_t rated(const struct figures *f)
{
	int64_t n = 0;
	for (int i = 0; i < 5; i++)
		n += f->ratings[i];
	return n;
}

/* part / whole, 0..1, or -1 when there is no whole */
static double share(int64_t part, int64_t whole)
{
	return whole ? (double)part / whole : -1;
}

static double rating_average(const struct figures *f)
{
	int64_t sum = 0, n = rated(f);
	for (int i = 0; i < 5; i++)
		sum += (i + 1) * f->ratings[i];
	return n ? (double)sum / n : -1;
}

static void jw_share(struct jw *w, const char *key, double v)
{
	if (v < 0) {
		jw_null(w, key);
		return;
	}
	char t[32];
	snprintf(t, sizeof t, "%.4f", v);
	jw_raw(w, key, t);
}

static void figures_write(struct jw *w, const struct figures *f)
{
	jw_int(w, "open", f->open);
	jw_int(w, "overdue", f->overdue);
	jw_int(w, "waiting", f->waiting);
	jw_int(w, "reopened", f->reopened);
	jw_int(w, "closed", f->closed);
	jw_int(w, "solved", f->solved);
	jw_int(w, "solved_in_time", f->in_time);
	jw_share(w, "solved_in_time_share", share(f->in_time, f->solved));
	jw_int(w, "first_contact", f->first_contact);
	jw_share(w, "first_contact_share", share(f->first_contact, f->solved));
	jw_int(w, "rated", rated(f));
	jw_share(w, "rating_average", rating_average(f));
	jw_array(w, "ratings");
	for (int i = 0; i < 5; i++)
		jw_int(w, NULL, f->ratings[i]);
	jw_end(w);
	jw_int(w, "ever_reopened", f->ever_reopened);
	jw_int(w, "resolved", f->resolved);
	jw_share(w, "reopen_rate", share(f->ever_reopened, f->resolved));
	jw_int(w, "unreached", f->unreached);
	jw_int(w, "repeat_7d", f->repeated);
	jw_share(w, "first_time_7d_share", share(f->contacts - f->repeated, f->contacts));
}

int64_t cases_tehran_day(int64_t t)
{
	int64_t local = t + TEHRAN_UTC_OFFSET;
	return local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
}

/* One count per Tehran day from `first`: the statement's $1 and $2 are the day's start
 * and end. A range count walks the index without reading its entries: a year of a
 * million cases takes 40 ms this way, five times less than grouping by an expression. */
static int series_read(struct db *db, const struct scope_sql *s, int64_t first, int days,
		       int64_t *out, struct err *e)
{
	for (int i = 0; i < days; i++) {
		struct db_stmt *st = prepare(db, s);
		if (!st)
			return err_set(e, 500, "internal", "", "the figures cannot be read");
		int64_t start = (first + i) * 86400 - TEHRAN_UTC_OFFSET;
		db_bind_int(st, 1, start);
		db_bind_int(st, 2, start + 86400);
		int rc = db_step(st);
		out[i] = rc == 1 ? db_col_int(st, 0) : 0;
		db_done(st);
		if (rc != 1)
			return err_set(e, 500, "internal", "", "the figures cannot be read");
	}
	return 0;
}

/* One person's figures: the cases they handle (assigned to them, or opened by them and
 * assigned to no one), those answered, answered within the resolution due, and the
 * seconds from opening to answer summed over the answered ones. */
struct person_figures {
	int64_t id, handled, solved, in_time, answer_seconds;
	char login[64], name[128], role[16];
};

struct stats {
	const struct department *deps;
	const struct topic *topics;
	int nd, nt, np;
	struct figures total, *by_dep, *by_topic;
	struct person_figures *people;
	int64_t all, first, *created, *closed;
};

static void stats_release(struct stats *x)
{
	free(x->by_dep);
	free(x->by_topic);
	free(x->people);
	free(x->created);
	free(x->closed);
}

static void figures_spread(struct stats *x, int64_t dep, int64_t top, const struct figures *f)
{
	figures_add(&x->total, f);
	for (int i = 0; i < x->nd; i++)
		if (x->deps[i].id == dep)
			figures_add(&x->by_dep[i], f);
	for (int i = 0; i < x->nt; i++)
		if (x->topics[i].id == top)
			figures_add(&x->by_topic[i], f);
}

static int person_cmp(const void *a, const void *b)
{
	const struct person_figures *x = a, *y = b;
	return x->handled != y->handled ? (x->handled < y->handled ? 1 : -1)
					: (x->id > y->id) - (x->id < y->id);
}

/* Per person, merged from the groups by (assignee, creator), then named; the handler of
 * a case opened by a citizen and assigned to no one is no staff member: left out. */
static int people_read(struct db *db, const struct stats_query *q, struct stats *x, struct err *e)
{
	struct scope_sql s;
	stats_sql(q, STATS_PEOPLE, &s);
	struct db_stmt *st = prepare(db, &s);
	if (!st)
		return err_set(e, 500, "internal", "", "the figures cannot be read");
	int cap = 0, step;
	while ((step = db_step(st)) == 1) {
		int64_t id = db_col_int(st, 0) ? db_col_int(st, 0) : db_col_int(st, 1);
		if (!id)
			continue;
		int i = 0;
		while (i < x->np && x->people[i].id != id)
			i++;
		if (i == x->np) {
			if (x->np == cap) {
				cap = cap ? cap * 2 : 32;
				struct person_figures *more =
				    realloc(x->people, (size_t)cap * sizeof *x->people);
				if (!more)
					abort();
				x->people = more;
			}
			memset(&x->people[i], 0, sizeof x->people[i]);
			x->people[i].id = id;
			x->np++;
		}
		struct person_figures *p = &x->people[i];
		p->handled += db_col_int(st, 2);
		p->solved += db_col_int(st, 3);
		p->in_time += db_col_int(st, 4);
		p->answer_seconds += db_col_int(st, 5);
	}
	db_done(st);
	if (step < 0)
		return err_set(e, 500, "internal", "", "the figures cannot be read");
	int kept = 0;
	for (int i = 0; i < x->np; i++) {
		struct person_figures *p = &x->people[i];
		st = db_prepare(db, "SELECT login, name, role FROM users WHERE id = $1");
		db_bind_int(st, 1, p->id);
		if (db_step(st) == 1 && strcmp(db_col_text(st, 2), "citizen") != 0) {
			snprintf(p->login, sizeof p->login, "%s", db_col_text(st, 0));
			snprintf(p->name, sizeof p->name, "%s", db_col_text(st, 1));
			snprintf(p->role, sizeof p->role, "%s", db_col_text(st, 2));
			x->people[kept++] = *p;
		}
		db_done(st);
	}
	x->np = kept;
	if (x->np)
		qsort(x->people, (size_t)x->np, sizeof *x->people, person_cmp);
	return 0;
}

/* Reads every figure of q into x (released by stats_release, whatever the outcome). */
static int stats_read(struct db *db, const struct stats_query *q, struct stats *x, struct err *e)
{
	memset(x, 0, sizeof *x);
	x->nd = catalog_departments(&x->deps);
	x->nt = catalog_topics(&x->topics);
	x->by_dep = calloc((size_t)x->nd + 1, sizeof *x->by_dep);
	x->by_topic = calloc((size_t)x->nt + 1, sizeof *x->by_topic);
	x->created = calloc((size_t)q->days + 1, sizeof *x->created);
	x->closed = calloc((size_t)q->days + 1, sizeof *x->closed);
	if (!x->by_dep || !x->by_topic || !x->created || !x->closed)
		abort();

	/* 1. The open cases, by department and topic: the partial index in its order. */
	struct scope_sql s;
	stats_sql(q, STATS_OPEN, &s);
	struct db_stmt *st = prepare(db, &s);
	if (!st)
		return err_set(e, 500, "internal", "", "the figures cannot be read");
	int step;
	while ((step = db_step(st)) == 1) {
		struct figures f = {.open = db_col_int(st, 2),
				    .overdue = db_col_int(st, 3),
				    .waiting = db_col_int(st, 4),
				    .reopened = db_col_int(st, 5)};
		figures_spread(x, db_col_int(st, 0), db_col_int(st, 1), &f);
	}
	db_done(st);
	if (step < 0)
		return err_set(e, 500, "internal", "", "the figures cannot be read");

	/* 2. Every case in scope; closed ones are the rest after the open ones. */
	stats_sql(q, STATS_COUNT, &s);
	st = prepare(db, &s);
	if (!st || db_step(st) != 1) {
		db_done(st);
		return err_set(e, 500, "internal", "", "the figures cannot be read");
	}
	x->all = db_col_int(st, 0);
	db_done(st);

	/* 3. The outcomes of every case in scope, by department and topic. */
	stats_sql(q, STATS_OUTCOMES, &s);
	if (!(st = prepare(db, &s)))
		return err_set(e, 500, "internal", "", "the figures cannot be read");
	while ((step = db_step(st)) == 1) {
		struct figures f = {.closed = db_col_int(st, 2),
				    .solved = db_col_int(st, 3),
				    .in_time = db_col_int(st, 4),
				    .first_contact = db_col_int(st, 5),
				    .ever_reopened = db_col_int(st, 11),
				    .resolved = db_col_int(st, 12),
				    .unreached = db_col_int(st, 13),
				    .contacts = db_col_int(st, 14),
				    .repeated = db_col_int(st, 15)};
		for (int i = 0; i < 5; i++)
			f.ratings[i] = db_col_int(st, 6 + i);
		figures_spread(x, db_col_int(st, 0), db_col_int(st, 1), &f);
	}
	db_done(st);
	if (step < 0)
		return err_set(e, 500, "internal", "", "the figures cannot be read");

	/* 4. Per person. */
	if (people_read(db, q, x, e) < 0)
		return -1;

	/* 5. The series: the last q->days Tehran days, today included, each counted in
	 * cases_created and cases_closed (the scope's conditions read in the index). */
	x->first = cases_tehran_day(q->now) - q->days + 1;
	stats_sql(q, STATS_CREATED, &s);
	if (series_read(db, &s, x->first, q->days, x->created, e) < 0)
		return -1;
	stats_sql(q, STATS_CLOSED, &s);
	return series_read(db, &s, x->first, q->days, x->closed, e);
}

/* by_topic lists the topic of the scope, or every topic when the scope has no
 * department, else the department's own and any other with open cases there */
static int topic_shown(const struct stats *x, const struct stats_query *q, int i)
{
	const struct topic *t = &x->topics[i];
	int any = x->by_topic[i].open > 0;
	return q->topic_id ? t->id == q->topic_id
			   : any || !q->department_id || t->department_id == q->department_id;
}

static const char *department_code(const struct stats *x, int64_t id)
{
	for (int j = 0; j < x->nd; j++)
		if (x->deps[j].id == id)
			return x->deps[j].code;
	return "";
}

static void stats_json(const struct stats *x, const struct stats_query *q, struct jw *w)
{
	jw_object(w, NULL);
	jw_object(w, "totals");
	figures_write(w, &x->total);
	jw_int(w, "created", x->all);
	jw_end(w);
	jw_array(w, "by_department");
	for (int i = 0; i < x->nd; i++) {
		if (q->department_id && x->deps[i].id != q->department_id)
			continue;
		jw_object(w, NULL);
		jw_str(w, "department", x->deps[i].code);
		jw_str(w, "name", x->deps[i].name);
		figures_write(w, &x->by_dep[i]);
		jw_end(w);
	}
	jw_end(w);
	jw_array(w, "by_topic");
	for (int i = 0; i < x->nt; i++) {
		if (!topic_shown(x, q, i))
			continue;
		jw_object(w, NULL);
		jw_str(w, "topic", x->topics[i].code);
		jw_str(w, "name", x->topics[i].name);
		jw_str(w, "department", department_code(x, x->topics[i].department_id));
		figures_write(w, &x->by_topic[i]);
		jw_end(w);
	}
	jw_end(w);
	jw_array(w, "by_person");
	for (int i = 0; i < x->np; i++) {
		const struct person_figures *p = &x->people[i];
		jw_object(w, NULL);
		jw_str(w, "user", p->login);
		jw_str(w, "name", p->name);
		jw_str(w, "role", p->role);
		jw_int(w, "handled", p->handled);
		jw_int(w, "solved", p->solved);
		jw_int(w, "solved_in_time", p->in_time);
		if (p->solved)
			jw_int(w, "answer_seconds_average",
			       (p->answer_seconds + p->solved / 2) / p->solved);
		else
			jw_null(w, "answer_seconds_average");
		jw_end(w);
	}
	jw_end(w);
	jw_array(w, "series");
	for (int i = 0; i < q->days; i++) {
		int y, m, d;
		civil_from_days(x->first + i, &y, &m, &d);
		char day[16], jday[11];
		snprintf(day, sizeof day, "%04d-%02d-%02d", y, m, d);
		jalali_format(jalali_from_gregorian(y, m, d), jday);
		jw_object(w, NULL);
		jw_str(w, "day", day);
		jw_str(w, "jalali", jday);
		jw_int(w, "created", x->created[i]);
		jw_int(w, "closed", x->closed[i]);
		jw_end(w);
	}
	jw_end(w);
	jw_time(w, "generated_at", q->now);
	jw_end(w);
}

int cases_stats_write(struct db *db, const struct stats_query *q, struct jw *w, struct err *e)
{
	struct stats x;
	int rc = stats_read(db, q, &x, e);
	if (rc == 0)
		stats_json(&x, q, w);
	stats_release(&x);
	return rc;
}

/* ---- the same tables as an Excel workbook ---- */

static const char *const figure_heads[] = {"باز",
					   "دیرکرد",
					   "در انتظار",
					   "بازگشایی‌شده و باز",
					   "بسته",
					   "حل‌شده",
					   "حل‌شده در مهلت",
					   "سهم حل در مهلت",
					   "حل در تماس اول",
					   "سهم حل در تماس اول",
					   "امتیازها",
					   "میانگین امتیاز",
					   "امتیاز ۱",
					   "امتیاز ۲",
					   "امتیاز ۳",
					   "امتیاز ۴",
					   "امتیاز ۵",
					   "بازگشایی‌شده (همه)",
					   "نتیجه‌اعلام‌شده",
					   "نرخ بازگشایی",
					   "بسته بی‌آنکه شهروند در دسترس باشد",
					   "بازگشت همان فرد با همان موضوع تا ۷ روز",
					   "سهم حل در نخستین مراجعه (۷ روز)"};
#define FIGURE_COLS ((int)(sizeof figure_heads / sizeof *figure_heads))

static void xlsx_share(struct xlsx *xb, double v)
{
	if (v < 0)
		xlsx_skip(xb);
	else
		xlsx_num(xb, v);
}

static void figures_cells(struct xlsx *xb, const struct figures *f)
{
	const int64_t counts[] = {f->open,   f->overdue, f->waiting, f->reopened,
				  f->closed, f->solved,	 f->in_time};
	for (size_t i = 0; i < sizeof counts / sizeof *counts; i++)
		xlsx_num(xb, (double)counts[i]);
	xlsx_share(xb, share(f->in_time, f->solved));
	xlsx_num(xb, (double)f->first_contact);
	xlsx_share(xb, share(f->first_contact, f->solved));
	xlsx_num(xb, (double)rated(f));
	xlsx_share(xb, rating_average(f));
	for (int i = 0; i < 5; i++)
		xlsx_num(xb, (double)f->ratings[i]);
	xlsx_num(xb, (double)f->ever_reopened);
	xlsx_num(xb, (double)f->resolved);
	xlsx_share(xb, share(f->ever_reopened, f->resolved));
	xlsx_num(xb, (double)f->unreached);
	xlsx_num(xb, (double)f->repeated);
	xlsx_share(xb, share(f->contacts - f->repeated, f->contacts));
}

/* A sheet of figures whose first columns name the row. */
static void figures_sheet(struct xlsx *xb, const char *name, const char *const *first, int nfirst)
{
	const char *heads[4 + FIGURE_COLS];
	int n = 0;
	for (int i = 0; i < nfirst; i++)
		heads[n++] = first[i];
	for (int i = 0; i < FIGURE_COLS; i++)
		heads[n++] = figure_heads[i];
	xlsx_sheet(xb, name, heads, n);
}

static int stats_xlsx(const struct stats *x, const struct stats_query *q, char **data, size_t *len,
		      struct err *e)
{
	struct xlsx *xb = xlsx_new(e);
	if (!xb)
		return -1;
	figures_sheet(xb, "کل", (const char *const[]){"ایجادشده"}, 1);
	xlsx_row(xb);
	xlsx_num(xb, (double)x->all);
	figures_cells(xb, &x->total);

	figures_sheet(xb, "واحدها", (const char *const[]){"کد واحد", "واحد"}, 2);
	for (int i = 0; i < x->nd; i++) {
		if (q->department_id && x->deps[i].id != q->department_id)
			continue;
		xlsx_row(xb);
		xlsx_text(xb, x->deps[i].code);
		xlsx_text(xb, x->deps[i].name);
		figures_cells(xb, &x->by_dep[i]);
	}

	figures_sheet(xb, "موضوع‌ها",
		      (const char *const[]){"کد موضوع", "موضوع", "کد واحد"}, 3);
	for (int i = 0; i < x->nt; i++) {
		if (!topic_shown(x, q, i))
			continue;
		xlsx_row(xb);
		xlsx_text(xb, x->topics[i].code);
		xlsx_text(xb, x->topics[i].name);
		xlsx_text(xb, department_code(x, x->topics[i].department_id));
		figures_cells(xb, &x->by_topic[i]);
	}

	static const char *const person_heads[] = {"نام کاربری",
						   "نام",
						   "نقش",
						   "پرونده‌ها",
						   "حل‌شده",
						   "حل‌شده در مهلت",
						   "میانگین زمان تا پاسخ (دقیقه)"};
	xlsx_sheet(xb, "کارشناسان", person_heads, 7);
	for (int i = 0; i < x->np; i++) {
		const struct person_figures *p = &x->people[i];
		xlsx_row(xb);
		xlsx_text(xb, p->login);
		xlsx_text(xb, p->name);
		xlsx_text(xb, p->role);
		xlsx_num(xb, (double)p->handled);
		xlsx_num(xb, (double)p->solved);
		xlsx_num(xb, (double)p->in_time);
		if (p->solved)
			xlsx_num(xb, (double)p->answer_seconds / (double)p->solved / 60.0);
		else
			xlsx_skip(xb);
	}

	static const char *const day_heads[] = {"روز", "تاریخ میلادی", "ایجادشده",
						"بسته‌شده"};
	xlsx_sheet(xb, "روزها", day_heads, 4);
	for (int i = 0; i < q->days; i++) {
		int y, m, d;
		civil_from_days(x->first + i, &y, &m, &d);
		char jday[11];
		jalali_format(jalali_from_gregorian(y, m, d), jday);
		xlsx_row(xb);
		xlsx_text(xb, jday);
		xlsx_time(xb, (x->first + i) * 86400 - TEHRAN_UTC_OFFSET);
		xlsx_num(xb, (double)x->created[i]);
		xlsx_num(xb, (double)x->closed[i]);
	}
	return xlsx_finish(xb, data, len, e);
}

int cases_stats_xlsx(struct db *db, const struct stats_query *q, char **data, size_t *len,
		     struct err *e)
{
	struct stats x;
	int rc = stats_read(db, q, &x, e);
	if (rc == 0)
		rc = stats_xlsx(&x, q, data, len, e);
	stats_release(&x);
	return rc;
}

/* The figures' query from the request: 0, or -1 having replied 400 or 403. */
static int stats_query_of(struct req *r, struct stats_query *qp)
{
	struct err e;
	struct stats_query q = {.now = req_now(), .days = 30};
	const char *v;
	if (cases_query_department(r, &q.department_id, &e) < 0) {
		reply_error(r, &e);
		return -1;
	}
	if ((v = req_query(r, "topic"))) {
		const struct topic *t = catalog_topic_by_code(v);
		if (!t) {
			reply_errorf(r, 400, "unknown_topic", "topic", "unknown topic");
			return -1;
		}
		q.topic_id = t->id;
	}
	if ((q.has_from = cases_query_time(r, "from", &q.from, &e)) < 0 ||
	    (q.has_to = cases_query_time(r, "to", &q.to, &e)) < 0) {
		reply_error(r, &e);
		return -1;
	}
	if ((v = req_query(r, "days"))) {
		char *end;
		long n = strtol(v, &end, 10);
		if (!*v || *end || n < 1 || n > STATS_DAYS_MAX) {
			reply_errorf(r, 400, "invalid_field", "days", "days must be 1-%d",
				     STATS_DAYS_MAX);
			return -1;
		}
		q.days = (int)n;
	}
	*qp = q;
	return 0;
}

void cases_h_stats(struct req *r)
{
	struct err e;
	struct stats_query q;
	if (stats_query_of(r, &q) < 0)
		return;
	struct jw w;
	jw_init(&w);
	if (cases_stats_write(req_db(r), &q, &w, &e) < 0) {
		jw_release(&w);
		reply_error(r, &e);
		return;
	}
	reply_jw(r, 200, &w);
}

void cases_h_stats_xlsx(struct req *r)
{
	struct err e;
	struct stats_query q;
	if (stats_query_of(r, &q) < 0)
		return;
	char *data = NULL;
	size_t len = 0;
	if (cases_stats_xlsx(req_db(r), &q, &data, &len, &e) < 0) {
		reply_error(r, &e);
		return;
	}
	char day[11];
	jalali_format(tehran_from_unix(q.now).date, day);
	for (char *p = day; *p; p++)
		if (*p == '/')
			*p = '-';
	req_set_header(
	    r, "Content-Disposition",
	    arena_printf(&r->arena, "attachment; filename=\"tamin-figures-%s.xlsx\"", day));
	reply_bytes(r, 200, XLSX_TYPE, data, len);
}
