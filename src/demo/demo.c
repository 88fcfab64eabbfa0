#include "demo/demo.h"

#include "demo/internal.h"
#include "app.h"
#include "workshops/workshops.h"

#include "base/jalali.h"
#include "base/natid.h"
#include "cases/cases.h"
#include "catalog/catalog.h"
#include "people/people.h"
#include "services/services.h"
#include "users/users.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 5000

struct lines {
	char **v;
	int n;
};

struct texts {
	char topic[48];
	char *subject, *description;
};

struct gen {
	const struct demo_options *o;
	uint64_t rng;
	struct lines male, female, last;
	struct texts *texts;
	int ntexts;
	int64_t *people;
	long npeople;
	struct principal agents[2], desk, admin, supervisor;
	struct principal *specialists; /* by department index */
	int ndeps;
};

static uint64_t rnd(struct gen *g)
{
	uint64_t x = g->rng; /* xorshift64* */
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	g->rng = x;
	return x * 2685821657736338717ull;
}

static long pick(struct gen *g, long n) { return (long)(rnd(g) % (uint64_t)n); }

static int read_lines(const char *path, struct lines *l, struct err *e)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return err_set(e, 500, "data", "", "cannot read %s", path);
	char buf[256];
	while (fgets(buf, sizeof buf, f)) {
		buf[strcspn(buf, "\r\n")] = 0;
		if (!buf[0] || buf[0] == '#')
			continue;
		if ((l->n & (l->n - 1)) == 0 || !l->v)
			l->v = realloc(l->v, sizeof *l->v * (size_t)(l->n ? l->n * 2 : 16));
		l->v[l->n++] = strdup(buf);
	}
	fclose(f);
	return l->n ? 0 : err_set(e, 500, "data", "", "%s is empty", path);
}

static void free_lines(struct lines *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static int text_row(char **f, int n, void *arg, struct err *e)
{
	struct gen *g = arg;
	if (n < 3)
		return err_set(e, 500, "data", "", "expected 3 fields");
	if ((g->ntexts & (g->ntexts - 1)) == 0)
		g->texts = realloc(g->texts, sizeof *g->texts * (size_t)(g->ntexts ? g->ntexts * 2 : 16));
	struct texts *t = &g->texts[g->ntexts++];
	snprintf(t->topic, sizeof t->topic, "%s", f[0]);
	t->subject = strdup(f[1]);
	t->description = strdup(f[2]);
	return 0;
}

/* Picks an index with probability proportional to weight(i). */
#define WEIGHTED(g, n, weight_expr, out)                                                       \
	do {                                                                                   \
		long total_ = 0;                                                               \
		for (int i = 0; i < (n); i++)                                                  \
			total_ += (weight_expr);                                               \
		long r_ = pick((g), total_ > 0 ? total_ : 1);                                  \
		(out) = 0;                                                                     \
		for (int i = 0; i < (n); i++) {                                                \
			r_ -= (weight_expr);                                                   \
			if (r_ < 0) {                                                          \
				(out) = i;                                                     \
				break;                                                         \
			}                                                                      \
		}                                                                              \
	} while (0)

static int add_user(struct db *db, const char *hash, const char *login, const char *role,
		    const char *dept, const char *nid, const char *name, struct principal *who,
		    struct err *e)
{
	/* the demo's 1420 agents answer calls as SIP/8001, SIP/8002 (the screen pop) */
	const char *phone = !strncmp(login, "agent", 5) && !strcmp(role, "agent")
				? (login[5] == '1' ? "SIP/8001" : login[5] == '2' ? "SIP/8002" : NULL)
				: NULL;
	struct user_new u = {.login = login,
			     .role = role,
			     .department = dept,
			     .national_id = nid,
			     .name = name,
			     .pw_hash = hash,
			     .phone_agent = phone};
	if (users_add(db, &u, e) < 0)
		return -1;
	if (who) {
		struct db_stmt *s = db_prepare(db, "SELECT id, coalesce(department_id, 0),"
						   " coalesce(person_id, 0) FROM users WHERE login = $1");
		db_bind_text(s, 1, login);
		if (db_step(s) == 1) {
			who->user_id = db_col_int(s, 0);
			who->department_id = db_col_int(s, 1);
			who->person_id = db_col_int(s, 2);
		}
		db_done(s);
		who->role = role_from_name(role);
		snprintf(who->login, sizeof who->login, "%s", login);
	}
	return 0;
}

static int make_people(struct db *db, struct gen *g, int64_t now, struct err *e)
{
	const struct province *provs;
	int nprov = catalog_provinces(&provs);
	g->people = calloc((size_t)g->o->people, sizeof *g->people);
	for (long k = 0; k < g->o->people; k++) {
		if (k % BATCH == 0 && db_begin(db) < 0)
			return db_fail(db, e);
		char nid[11], mobile[12], birth[11];
		natid_make((uint32_t)(1000000 + pick(g, 998000000)), nid);
		int female = pick(g, 100) < 48;
		struct lines *first = female ? &g->female : &g->male;
		int prov;
		WEIGHTED(g, nprov, provs[i].population, prov);
		static const char *const prefixes[] = {"0912", "0935", "0919", "0915", "0936",
						       "0901", "0991", "0917", "0938", "0913"};
		snprintf(mobile, sizeof mobile, "%s%07ld", prefixes[pick(g, 10)], pick(g, 10000000));
		snprintf(birth, sizeof birth, "%04ld-%02ld-%02ld", 1945 + pick(g, 60),
			 1 + pick(g, 12), 1 + pick(g, 28));
		struct person p = {.national_id = nid,
				   .first_name = first->v[pick(g, first->n)],
				   .last_name = g->last.v[pick(g, g->last.n)],
				   .father_name = g->male.v[pick(g, g->male.n)],
				   .gender = female ? "f" : "m",
				   .birth_date = birth,
				   .mobile = mobile,
				   .province = provs[prov].code};
		if (people_insert(db, &p, now - 400 * 86400, &g->people[g->npeople], e) < 0) {
			if (e->status != 409) {
				db_rollback(db);
				return -1;
			}
		} else {
			g->npeople++;
		}
		if ((k % BATCH == BATCH - 1 || k == g->o->people - 1) && db_commit(db) < 0)
			return db_fail(db, e);
	}
	return 0;
}

static int ev(struct db *db, struct gen *g, int64_t case_id, int64_t at,
	      const struct principal *who, const char *type, const char *text, const char *method,
	      struct err *e)
{
	struct case_event x = {.who = *who,
			       .app = g->o->app,
			       .ip = "demo",
			       .case_id = case_id,
			       .now = at,
			       .type = type,
			       .text = text,
			       .method = method,
			       .on = "citizen",
			       .rating = 3 + (int)pick(g, 3)};
	return case_event_run(db, &x, e);
}

static const char *const answers[] = {
	"موضوع بررسی شد و سابقه اصلاح گردید.",
	"مبلغ معوق در فهرست پرداخت ماه جاری قرار گرفت.",
	"مدارک تکمیلی دریافت و درخواست تأیید شد.",
	"پاسخ کارشناسی به همراه راهنمای ثبت درخواست در سامانه ارائه شد.",
	"پرونده به شعبه ارجاع و نتیجه پیگیری ثبت شد.",
};

/* One case, carried to a state that fits its age; of topic `force` and a person of
 * province `prov` when given (an incident's, data/demo/pulse_incidents.tsv). */
static int make_case_of(struct db *db, struct gen *g, int64_t created, int64_t now,
			const struct topic *force, const char *prov, struct err *e)
{
	const struct topic *topics;
	const struct channel *chans;
	int ntop = catalog_topics(&topics), nch = catalog_channels(&chans);
	int ti, ci;
	WEIGHTED(g, ntop, topics[i].demo_weight, ti);
	WEIGHTED(g, nch, chans[i].demo_weight, ci);
	const struct topic *t = force ? force : &topics[ti];
	const struct texts *tx = NULL;
	int first = -1, count = 0;
	for (int i = 0; i < g->ntexts; i++)
		if (!strcmp(g->texts[i].topic, t->code)) {
			if (first < 0)
				first = i;
			count++;
		}
	if (count)
		tx = &g->texts[first + pick(g, count)];
	struct principal citizen = {.role = ROLE_CITIZEN};
	const struct principal *creator = &g->agents[pick(g, 2)];
	if (!strcmp(chans[ci].code, "service_desk"))
		creator = &g->desk;
	else if (!strcmp(chans[ci].code, "web"))
		creator = &citizen;
	char nid[11];
	struct person p;
	struct arena a;
	arena_init(&a);
	/* a few people call often: squaring skews the pick towards the first ones */
	int found = 0;
	for (int tries = 0; !found && tries < 2000; tries++) {
		long pi = pick(g, g->npeople);
		pi = (long)((double)pi * (double)pi / (double)g->npeople);
		if (people_get(db, g->people[pi], &p, &a) != 1) {
			arena_release(&a);
			return err_set(e, 500, "internal", "", "demo person missing");
		}
		found = !prov || (p.province && !strcmp(p.province, prov));
	}
	snprintf(nid, sizeof nid, "%s", p.national_id);
	struct case_new c = {.who = *creator,
			     .ip = "demo",
			     .national_id = nid,
			     .mobile = NULL,
			     .channel = chans[ci].code,
			     .priority = pick(g, 10) == 0 ? "high" : "normal",
			     .subject = tx ? tx->subject : t->name,
			     .description = tx ? tx->description : "",
			     .topic = t,
			     .now = created};
	case_new_schedule(&c, g->o->app);
	int rc = case_create_run(db, &c, e);
	arena_release(&a);
	if (rc < 0)
		return -1;
	const struct department *d = catalog_department_by_id(t->department_id);
	const struct department *deps;
	int nd = catalog_departments(&deps);
	int di = 0;
	for (int i = 0; i < nd; i++)
		if (deps[i].id == d->id)
			di = i;
	const struct principal *sp = &g->specialists[di];
	const struct principal *front = creator->role == ROLE_CITIZEN ? &g->agents[0] : creator;
	int64_t age = now - created, at = created;
	const char *answer = answers[pick(g, 5)];
	/* how far the case has come: older cases are mostly closed */
	int stage; /* 0 new, 1 in progress, 2 answered, 3 reported, 4 closed */
	long roll = pick(g, 100);
	if (d->always)
		stage = age > 3600 ? 4 : (int)pick(g, 5);
	else if (age > 30 * 86400)
		stage = roll < 90 ? 4 : roll < 95 ? 3 : roll < 98 ? 2 : 1;
	else if (age > 7 * 86400)
		stage = roll < 50 ? 4 : roll < 65 ? 3 : roll < 80 ? 2 : 1;
	else
		stage = roll < 15 ? 4 : roll < 25 ? 3 : roll < 40 ? 2 : roll < 75 ? 1 : 0;
	if (d->always) {
		/* answered on the line itself: solved on the call (first contact resolution) */
		if (stage >= 4 && front->role != ROLE_CITIZEN)
			return ev(db, g, c.case_id, at + 120, front, "solve_on_call", answer, "call", e);
		if (stage >= 2 && ev(db, g, c.case_id, at += 120, front, "answer", answer, NULL, e) < 0)
			return -1;
		if (stage >= 3 &&
		    ev(db, g, c.case_id, at += 30, front, "report_back", "", "call", e) < 0)
			return -1;
		if (stage >= 4 && ev(db, g, c.case_id, at + 10, front, "close", "", NULL, e) < 0)
			return -1;
		return 0;
	}
	int64_t step = 3600 + pick(g, 2 * 86400);
	if (stage >= 1 && ev(db, g, c.case_id, at += step, sp, "start", "", NULL, e) < 0)
		return -1;
	if (stage >= 2 && pick(g, 5) == 0) {
		if (ev(db, g, c.case_id, at += 1800, sp, "wait",
		       "مدارک تکمیلی از بیمه‌شده درخواست شد.", NULL, e) < 0 ||
		    ev(db, g, c.case_id, at += 86400 + pick(g, 3 * 86400), sp, "resume", "", NULL,
		       e) < 0)
			return -1;
	}
	if (stage >= 2 &&
	    ev(db, g, c.case_id, at += 3600 + pick(g, 5 * 86400), sp, "answer", answer, NULL, e) < 0)
		return -1;
	if (stage >= 4 && age > 10 * 86400 && pick(g, 30) == 0) {
		/* the citizen could not be reached: three attempts at different hours over three
		 * days, then a close that sends the outcome in writing */
		for (int i = 0; i < 3; i++)
			if (ev(db, g, c.case_id, at += 86400 + 3 * 3600, front, "contact_failed", "",
			       "call", e) < 0)
				return -1;
		return ev(db, g, c.case_id, at + 600, front, "close", "", NULL, e);
	}
	if (stage >= 3) {
		if (pick(g, 8) == 0 &&
		    ev(db, g, c.case_id, at += 3600, front, "contact_failed", "", "call", e) < 0)
			return -1;
		if (ev(db, g, c.case_id, at += 3600 + pick(g, 86400), front, "report_back",
		       "نتیجه به بیمه‌شده اعلام شد.", pick(g, 3) ? "call" : "sms", e) < 0)
			return -1;
	}
	if (stage >= 4 && ev(db, g, c.case_id, at += 600, front, "close", "", NULL, e) < 0)
		return -1;
	if (stage >= 4 && pick(g, 4) == 0 &&
	    ev(db, g, c.case_id, at + 60, &citizen, "rate", "", NULL, e) < 0)
		return -1;
	return 0;
}

static int make_case(struct db *db, struct gen *g, int64_t created, int64_t now, struct err *e)
{
	return make_case_of(db, g, created, now, NULL, NULL, e);
}

/* ---- the pulse's incidents (data/demo/pulse_incidents.tsv, whose header says how) ---- */

struct incidents {
	struct gen *g;
	struct db *db;
	int64_t now;
	long made;
};

static int incident_row(char **f, int n, void *arg, struct err *e)
{
	struct incidents *x = arg;
	struct gen *g = x->g;
	if (n < 6)
		return err_set(e, 500, "data", "", "pulse_incidents.tsv: expected 7 fields");
	long ago = atol(f[1]), days = atol(f[2]);
	double factor = atof(f[5]);
	const char *prov = strcmp(f[3], "*") ? f[3] : NULL;
	if (ago < 1 || days < 1 || days > ago || factor <= 1 ||
	    (prov && !catalog_province_by_code(prov)))
		return err_set(e, 500, "data", "", "pulse_incidents.tsv: %s: a bad row", f[0]);
	const struct topic *topics, *picked[16];
	int ntop = catalog_topics(&topics), np = 0;
	long all = 0, theirs = 0;
	for (int i = 0; i < ntop; i++)
		all += topics[i].demo_weight;
	char list[512];
	snprintf(list, sizeof list, "%s", f[4]);
	for (char *save, *c = strtok_r(list, ",", &save); c && np < 16; c = strtok_r(NULL, ",", &save)) {
		const struct topic *t = catalog_topic_by_code(c);
		if (!t)
			return err_set(e, 500, "data", "", "pulse_incidents.tsv: %s: no topic %s", f[0], c);
		picked[np++] = t;
		theirs += t->demo_weight;
	}
	if (!np || !all)
		return 0;
	/* the listed topics' usual cases a day in the whole country, times factor - 1 */
	double usual = (double)g->o->cases / 365.0 * (double)theirs / (double)all;
	long extra = (long)((factor - 1) * usual + 0.5);
	int64_t today = cases_tehran_day(x->now) * 86400 - TEHRAN_UTC_OFFSET;
	if (db_begin(x->db) < 0)
		return db_fail(x->db, e);
	for (long d = 0; d < days; d++) {
		int64_t day = today - (ago - d) * 86400;
		for (long k = 0; k < extra; k++) {
			const struct topic *t;
			int ti;
			WEIGHTED(g, np, picked[i]->demo_weight, ti);
			t = picked[ti];
			if (make_case_of(x->db, g, day + pick(g, 86400), x->now, t, prov, e) < 0) {
				db_rollback(x->db);
				return -1;
			}
			x->made++;
		}
	}
	return db_commit(x->db) < 0 ? db_fail(x->db, e) : 0;
}

static int make_incidents(struct db *db, struct gen *g, int64_t now, struct err *e)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/demo/pulse_incidents.tsv", g->o->data_dir);
	struct incidents x = {g, db, now, 0};
	if (g->o->cases < 365) /* too few cases a day for an incident to stand out */
		return 0;
	if (tsv_read(path, incident_row, &x, e) < 0)
		return -1;
	if (!g->o->quiet)
		printf("pulse incidents: %ld cases added (%s)\n", x.made, path);
	return 0;
}

static int make_users(struct db *db, struct gen *g, const char *hash, struct err *e)
{
	const struct department *deps;
	g->ndeps = catalog_departments(&deps);
	g->specialists = calloc((size_t)g->ndeps, sizeof *g->specialists);
	if (db_begin(db) < 0)
		return db_fail(db, e);
	int rc = add_user(db, hash, "admin", "admin", NULL, NULL, "مدیر سامانه", &g->admin, e);
	rc = rc ? rc : add_user(db, hash, "auditor", "auditor", NULL, NULL, "حسابرس", NULL, e);
	rc = rc ? rc : add_user(db, hash, "pbx", "telephony", NULL, NULL, "سامانه تلفن", NULL, e);
	rc = rc ? rc : add_user(db, hash, "supervisor", "supervisor", NULL, NULL,
				"ناظر مرکز ۱۴۲۰", &g->supervisor, e);
	rc = rc ? rc : add_user(db, hash, "agent1", "agent", "contact_center", NULL,
				"مریم احمدی", &g->agents[0], e);
	rc = rc ? rc : add_user(db, hash, "agent2", "agent", "contact_center", NULL,
				"رضا کریمی", &g->agents[1], e);
	rc = rc ? rc : add_user(db, hash, "desk1", "desk", NULL, NULL, "میز خدمت دفتر پیشخوان",
				&g->desk, e);
	for (int i = 0; !rc && i < g->ndeps; i++) {
		char login[64], name[sizeof deps->name + 32];
		snprintf(login, sizeof login, "sp_%s", deps[i].code);
		snprintf(name, sizeof name, "کارشناس %s", deps[i].name);
		rc = add_user(db, hash, login, "specialist", deps[i].code, NULL, name,
			      &g->specialists[i], e);
		snprintf(login, sizeof login, "sv_%s", deps[i].code);
		snprintf(name, sizeof name, "سرپرست %s", deps[i].name);
		rc = rc ? rc : add_user(db, hash, login, "supervisor", deps[i].code, NULL, name, NULL, e);
	}
	if (rc < 0) {
		db_rollback(db);
		return -1;
	}
	return db_commit(db) < 0 ? db_fail(db, e) : 0;
}

static int make_citizens(struct db *db, struct gen *g, const char *hash, char nids[3][11],
			 struct err *e)
{
	if (db_begin(db) < 0)
		return db_fail(db, e);
	for (int i = 0; i < 3 && i < g->npeople; i++) {
		struct person p;
		struct arena a;
		arena_init(&a);
		people_get(db, g->people[i], &p, &a);
		snprintf(nids[i], 11, "%s", p.national_id);
		char name[256];
		snprintf(name, sizeof name, "%s %s", p.first_name, p.last_name);
		int rc = add_user(db, hash, nids[i], "citizen", NULL, nids[i], name, NULL, e);
		arena_release(&a);
		if (rc < 0) {
			db_rollback(db);
			return -1;
		}
	}
	return db_commit(db) < 0 ? db_fail(db, e) : 0;
}

/* The first pensioner with a mobile on record gets a citizen's account (nid: theirs, or
 * empty when the demo has none). */
static int make_pensioner(struct db *db, const char *hash, char nid[11], struct err *e)
{
	struct db_stmt *s = db_prepare(
	    db, "SELECT p.national_id, p.first_name, p.last_name FROM pensioners pe JOIN people p "
		"ON p.id = pe.person_id WHERE p.mobile IS NOT NULL AND p.mobile <> '' AND "
		"p.national_id NOT IN (SELECT login FROM users) ORDER BY pe.id LIMIT 1");
	if (!s)
		return db_fail(db, e);
	int rc = db_step(s);
	char name[256] = "";
	if (rc == 1) {
		snprintf(nid, 11, "%s", db_col_text(s, 0));
		snprintf(name, sizeof name, "%s %s", db_col_text(s, 1), db_col_text(s, 2));
	}
	db_done(s);
	if (rc < 0)
		return db_fail(db, e);
	if (rc == 0)
		return 0;
	if (db_begin(db) < 0)
		return db_fail(db, e);
	if (add_user(db, hash, nid, "citizen", NULL, nid, name, NULL, e) < 0) {
		db_rollback(db);
		return -1;
	}
	return db_commit(db) < 0 ? db_fail(db, e) : 0;
}

/* A year of e-service uses (service_uses) for the pulse and the public figures: `per_day`
 * (--service-uses) a day at the year's start and 60% more at its end (the e-services grew),
 * Fridays a third of a weekday, by the hour of a day's profile, provinces by population,
 * services evenly; an instant service answered, a request opened (one in twenty refused).
 * Estimates for the demo, not a recorded figure. */
static int make_service_uses(struct db *db, struct gen *g, int64_t now, long per_day,
			     long *made, struct err *e)
{
	const struct service *sv;
	int nsv = services_all(&sv);
	const struct province *provs;
	int nprov = catalog_provinces(&provs);
	static const int hour_w[24] = {1, 1, 1, 1, 1, 2,  4,  8,  12, 14, 14, 13,
				       11, 10, 10, 10, 9, 9, 9, 9, 8, 6, 4, 2};
	*made = 0;
	if (nsv <= 0 || nprov <= 0 || per_day <= 0)
		return 0;
	int64_t today = (now + 12600) / 86400; /* Tehran's day number (UTC+3:30) */
	if (db_begin(db) < 0)
		return db_fail(db, e);
	for (int d = 365; d >= 1; d--) {
		int64_t day = today - d, start = day * 86400 - 12600;
		int friday = day % 7 == 1; /* day 0, 1970-01-01, was a Thursday */
		long n = (long)((double)per_day * (1.0 + 0.6 * (365 - d) / 364.0) *
				(friday ? 0.33 : 1.0));
		for (long k = 0; k < n; k++) {
			const struct service *s = &sv[pick(g, nsv)];
			int prov, h;
			WEIGHTED(g, nprov, provs[i].population, prov);
			WEIGHTED(g, 24, hour_w[i], h);
			const char *outcome = s->kind == SERVICE_INSTANT ? "answered"
					      : pick(g, 20) == 0       ? "refused"
								       : "opened";
			if (services_use_add(db, s->code, provs[prov].code, "web", outcome,
					     start + h * 3600 + pick(g, 3600), e) < 0) {
				db_rollback(db);
				return -1;
			}
			(*made)++;
		}
	}
	return db_commit(db) < 0 ? db_fail(db, e) : 0;
}

int demo_generate(struct db *db, const struct demo_options *o, struct err *e)
{
	struct gen g = {.o = o, .rng = 0x9E3779B97F4A7C15ull ^ o->seed};
	int rc = -1;
	char path[1024];
	struct db_stmt *s = db_prepare(db, "SELECT count(*) FROM users");
	int64_t existing = s && db_step(s) == 1 ? db_col_int(s, 0) : 0;
	db_done(s);
	if (existing) {
		err_set(e, 409, "not_empty", "db", "the database has users already; demo wants an empty one");
		return -1;
	}
#define LOAD(file, l)                                                                          \
	snprintf(path, sizeof path, "%s/names/%s", o->data_dir, file);                         \
	if (read_lines(path, l, e) < 0)                                                        \
		goto out;
	LOAD("male.txt", &g.male);
	LOAD("female.txt", &g.female);
	LOAD("last.txt", &g.last);
#undef LOAD
	snprintf(path, sizeof path, "%s/demo/cases.tsv", o->data_dir);
	if (tsv_read(path, text_row, &g, e) < 0)
		goto out;
	/* One Argon2id hash serves every demo account: they share the demo password. */
	char hash[crypto_pwhash_STRBYTES];
	if (crypto_pwhash_str(hash, DEMO_PASSWORD, strlen(DEMO_PASSWORD),
			      USERS_PW_OPSLIMIT,
			      USERS_PW_MEMLIMIT) != 0) {
		err_set(e, 500, "internal", "", "cannot hash the demo password");
		goto out;
	}
	int64_t now = (int64_t)time(NULL);
	char nids[3][11] = {{0}}, pensioner[11] = {0};
	if (make_users(db, &g, hash, e) < 0 || make_people(db, &g, now, e) < 0 ||
	    make_citizens(db, &g, hash, nids, e) < 0)
		goto out;
	struct demo_records_out ro = {0};
	if (o->rules) {
		if (demo_records(db, o->rules, g.people, g.npeople, o->seed, now, &ro, e) < 0)
			goto out;
		/* an employer account for the first workshop */
		if (db_begin(db) < 0 ||
		    add_user(db, hash, "emp1", "employer", NULL, NULL, "کارفرمای نمونه", NULL, e) < 0 ||
		    workshop_link_employer(db, workshop_id(db, ro.first_workshop), "emp1", e) < 0 ||
		    db_commit(db) < 0) {
			db_rollback(db);
			goto out;
		}
		/* a pensioner's own account (a citizen with a mobile on record): the pay slip, the
		 * salary certificate, the login by a code sent by SMS */
		if (make_pensioner(db, hash, pensioner, e) < 0)
			goto out;
	}
	long uses = 0;
	if (make_service_uses(db, &g, now, o->service_uses, &uses, e) < 0)
		goto out;
	int64_t span = 365 * 86400;
	for (long i = 0; i < o->cases; i++) {
		if (i % BATCH == 0 && db_begin(db) < 0) {
			db_fail(db, e);
			goto out;
		}
		int64_t created = now - span + (int64_t)((double)span * (double)i / (double)o->cases);
		created += pick(&g, 600);
		if (make_case(db, &g, created, now, e) < 0) {
			db_rollback(db);
			goto out;
		}
		if ((i % BATCH == BATCH - 1 || i == o->cases - 1) && db_commit(db) < 0) {
			db_fail(db, e);
			goto out;
		}
		if (!o->quiet && i % 100000 == 99999)
			fprintf(stderr, "demo: %ld cases\n", i + 1);
	}
	if (make_incidents(db, &g, now, e) < 0)
		goto out;
	/* escalate everything overdue now, as a server running all year would have */
	for (int n = 1; n > 0;) {
		if (db_begin(db) < 0 || (n = cases_sweep(db, now, e)) < 0 || db_commit(db) < 0) {
			db_rollback(db);
			goto out;
		}
	}
	struct demo_calls dc = {o->calls_days, o->calls_per_day, o->data_dir,
				o->app ? o->app->office : NULL, o->seed, now, o->quiet};
	struct demo_calls_out co;
	if (demo_calls(db, &dc, &co, e) < 0)
		goto out;
	printf("demo data: %ld people, %ld cases\n", g.npeople, o->cases);
	if (co.days) {
		char first[11];
		jalali_format(tehran_from_unix(co.first_day + 43200).date, first);
		printf("calls: %ld days from %s, %lld calls (%lld answered), %lld queue_log lines"
		       " imported in %.1f s; incidents: data/demo/call_incidents.tsv\n",
		       co.days, first, co.calls, co.answered, co.lines, co.seconds);
	}
	if (uses)
		printf("e-services: %ld uses over the last year (data/services/)\n", uses);
	printf("logins (password %s):\n", DEMO_PASSWORD);
	printf("  agent1, agent2        1420 agents (telephone agents SIP/8001, SIP/8002)\n");
	printf("  desk1                 service-desk officer\n");
	printf("  sp_<department>       specialist, e.g. sp_pensions, sp_records\n");
	printf("  sv_<department>       department supervisor, e.g. sv_pensions\n");
	printf("  supervisor            supervisor of every department\n");
	printf("  admin, auditor\n");
	if (o->rules) {
		printf("  emp1                  employer of workshop %s\n", ro.first_workshop);
		printf("records: %ld workshops, %ld lists, %ld list rows, %ld insured, %ld pensioners\n",
		       ro.workshops, ro.lists, ro.rows, ro.insured, ro.pensioners);
	}
	/* the citizens' line stays the last: scripts and tests read the national ids from it */
	if (pensioner[0])
		printf("  %s            a pensioner (citizen: a pay slip each month)\n", pensioner);
	printf("  %s, %s, %s   citizens (national id)\n", nids[0], nids[1], nids[2]);
	rc = 0;
out:
	free_lines(&g.male);
	free_lines(&g.female);
	free_lines(&g.last);
	for (int i = 0; i < g.ntexts; i++) {
		free(g.texts[i].subject);
		free(g.texts[i].description);
	}
	free(g.texts);
	free(g.people);
	free(g.specialists);
	return rc;
}
