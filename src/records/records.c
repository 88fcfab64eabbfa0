/* A person's record, eligibility and pension estimate: the shared part of the three
 * reads (who, whose record, on which date, the audit) and each one's computation. */
#include "records/records.h"

#include "app.h"
#include "http/http.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "base/fields.h"
#include "base/jalali.h"
#include "base/jw.h"
#include "lists/lists.h"
#include "pensions/pensions.h"
#include "people/people.h"
#include "rules/rules.h"
#include "workshops/workshops.h"

enum what { HISTORY, ELIGIBILITY, PENSION, PENSIONER, AVERAGE_WAGE, TREATMENT };
static const char *const reasons[] = {"insurance history", "retirement eligibility",
				      "pension estimate", "pension", "average wage",
				      "treatment eligibility"};

struct read {
	struct person p;
	struct jdate on;
	struct rules_record *lines;
	int n;
	struct rules_history h;
	struct rules_steps steps;
};

/* person_id 0: an id not on record, which only those who may read any record may ask of */
static int may_read(struct req *r, int64_t person_id)
{
	switch (r->who.role) {
	case ROLE_CITIZEN:
		return r->who.person_id && r->who.person_id == person_id;
	case ROLE_SPECIALIST:
	case ROLE_SUPERVISOR:
		return 1;
	case ROLE_AGENT:
	case ROLE_DESK:
		return person_id && audit_has_context(req_db(r), &r->who, person_id, req_now());
	default:
		return 0;
	}
}

/* date=: a Gregorian ISO date (2026-11-22), or a Jalali one (1405-09-01, 1405/09/01);
 * absent: today in Tehran. */
static int date_of(struct req *r, struct jdate *on, struct err *e)
{
	const char *v = req_query(r, "date");
	if (!v) {
		*on = tehran_from_unix(req_now()).date;
		return 0;
	}
	int y = 0, m = 0, d = 0, len = 0;
	if (sscanf(v, "%4d-%2d-%2d%n", &y, &m, &d, &len) == 3 && len == 10 && v[len] == 0 &&
	    y >= 1700) {
		/* a real Gregorian date survives the round trip through a day count */
		int gy, gm, gd;
		civil_from_days(civil_to_days(y, m, d), &gy, &gm, &gd);
		if (gy == y && gm == m && gd == d && m >= 1 && m <= 12) {
			*on = jalali_from_gregorian(y, m, d);
			return 0;
		}
	} else if (jalali_parse(v, on) == 0) {
		return 0;
	}
	return err_set(e, 400, "invalid_field", "date",
		       "date is YYYY-MM-DD (Gregorian) or a Jalali date such as 1405/09/01");
}

/* The person, the right to read and the date; replies itself and returns -1 when any of
 * them fails. The right is decided before whether the id is on record is told: one who
 * may not read this id's record (a citizen asking for another's, an agent who has not
 * identified the caller) gets the same audited 403 whether or not it is on record, so
 * that the answer does not tell which ids are; only those who may read any record
 * (specialists, supervisors) get a 404. */
static int open_person(struct req *r, enum what what, struct read *x, struct audit_entry **ap)
{
	struct err e = {0};
	memset(x, 0, sizeof *x);
	const char *nid = field_natid(&r->arena, r->param[0], "national_id", &e);
	if (!nid || date_of(r, &x->on, &e) < 0) {
		reply_error(r, &e);
		return -1;
	}
	const char *enrol;
	int rc = lists_find_person(req_db(r), nid, &x->p, &r->arena, &enrol);
	if (rc < 0) { /* reply_error makes it a 503 when the database was out of reach */
		reply_errorf(r, 500, "internal", "national_id", "the record cannot be read");
		return -1;
	}
	struct audit_entry *a = arena_alloc(&r->arena, sizeof *a);
	memset(a, 0, sizeof *a);
	a->action = "record_read";
	a->person_id = rc ? x->p.id : 0;
	a->enrol_national_id = rc ? enrol : NULL;
	/* an id not on record names no person: the reason names the id */
	a->reason = rc ? reasons[what]
		       : arena_printf(&r->arena, "%s of %s, not on record", reasons[what], nid);
	*ap = a;
	if (!may_read(r, a->person_id)) {
		audit_refuse(r, a, "national_id",
			     r->who.role & (ROLE_AGENT | ROLE_DESK)
				 ? "identify the caller first (look them up by national id)"
				 : "this record is not yours to see");
		return -1;
	}
	if (rc == 0) {
		reply_errorf(r, 404, "not_found", "national_id",
			     "no person with this national id is on record");
		return -1;
	}
	rules_steps_init(&x->steps);
	return 0;
}

/* open_person, then the record summarised by the rules. */
static int open_read(struct req *r, enum what what, struct read *x, struct audit_entry **ap)
{
	struct err e = {0};
	if (open_person(r, what, x, ap) < 0)
		return -1;
	if (lists_person_record(req_db(r), x->p.national_id, &r->arena, &x->lines, &x->n, &e) < 0 ||
	    rules_history_summarise(r->app->rules, x->lines, x->n, x->on, &x->h,
				    what == HISTORY ? &x->steps : NULL, &e) < 0) {
		rules_history_release(&x->h);
		rules_steps_release(&x->steps);
		reply_error(r, &e);
		return -1;
	}
	return 0;
}

static void close_read(struct read *x)
{
	rules_history_release(&x->h);
	rules_steps_release(&x->steps);
}

static void write_person(struct jw *w, const struct read *x)
{
	char on[11];
	jalali_format(x->on, on);
	jw_str(w, "national_id", x->p.national_id);
	jw_str(w, "first_name", x->p.first_name);
	jw_str(w, "last_name", x->p.last_name);
	jw_str(w, "date", on);
}

/* year=: the Jalali year whose monthly entries the history lists; absent: the last year
 * on record. 0, or -1 with e. */
static int year_of(struct req *r, int *year, struct err *e)
{
	const char *v = req_query(r, "year");
	*year = 0;
	if (!v)
		return 0;
	int y = 0, len = 0;
	if (sscanf(v, "%4d%n", &y, &len) == 1 && len == 4 && !v[len] && y >= 1300 && y <= 1500) {
		*year = y;
		return 0;
	}
	return err_set(e, 400, "invalid_field", "year", "year is a Jalali year such as 1404");
}

/* The record month by month and workshop by workshop for one year (the lines the rules
 * read, oldest first), with each workshop's name: what a person checks their record
 * against, a payslip at a time. */
static void write_entries(struct req *r, struct jw *w, const struct read *x, int year)
{
	if (!year && x->n)
		year = x->lines[x->n - 1].year;
	jw_int(w, "entries_year", year);
	jw_array(w, "entries");
	const char *last_code = NULL, *last_name = NULL;
	for (int i = 0; i < x->n; i++) {
		const struct rules_record *l = &x->lines[i];
		if (l->year != year)
			continue;
		char ym[16];
		snprintf(ym, sizeof ym, "%04d/%02d", l->year, l->month);
		if (!last_code || strcmp(last_code, l->workshop)) {
			last_code = l->workshop;
			last_name = *l->workshop ? workshop_name(req_db(r), l->workshop, &r->arena)
						 : NULL;
		}
		jw_object(w, NULL);
		jw_str(w, "month", ym);
		jw_str(w, "workshop", *l->workshop ? l->workshop : NULL);
		jw_str(w, "workshop_name", last_name);
		jw_int(w, "days", l->days);
		jw_int(w, "wage", l->wage);
		jw_bool(w, "hard_job", l->hard_job);
		jw_end(w);
	}
	jw_end(w);
}

void records_h_history(struct req *r)
{
	struct read x;
	struct audit_entry *a = NULL;
	struct err e = {0};
	int year;
	if (year_of(r, &year, &e) < 0) {
		reply_error(r, &e);
		return;
	}
	if (open_read(r, HISTORY, &x, &a) < 0)
		return;
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	write_person(&w, &x);
	rules_history_json(&w, "history", &x.h, &x.steps);
	write_entries(r, &w, &x, year);
	jw_end(&w);
	close_read(&x);
	audit_reply(r, 200, &w, a, 1);
}

static struct rules_eligibility_in eligibility_in(const struct read *x)
{
	struct rules_eligibility_in in = {.on = x->on, .history = &x->h, .future_hard = -1};
	int gy = 0, gm = 0, gd = 0;
	if (x->p.birth_date && sscanf(x->p.birth_date, "%4d-%2d-%2d", &gy, &gm, &gd) == 3)
		in.birth = jalali_from_gregorian(gy, gm, gd);
	in.sex = x->p.gender && !strcmp(x->p.gender, "f") ? RULES_FEMALE : RULES_MALE;
	return in;
}

/* The birth date and sex the rules need; a refusal naming what is missing otherwise. */
static int person_complete(struct req *r, const struct read *x)
{
	if (x->p.birth_date && x->p.gender)
		return 0;
	reply_errorf(r, 422, "record_incomplete", x->p.birth_date ? "gender" : "birth_date",
		     "the person's %s is not on record", x->p.birth_date ? "sex" : "birth date");
	return -1;
}

/* open_read, the birth date and sex, and eligibility on the date; replies itself and
 * returns -1 when any of them fails. */
static int open_eligibility(struct req *r, enum what what, struct read *x, struct audit_entry **a,
			    struct rules_eligibility *el, struct rules_steps *steps)
{
	if (open_read(r, what, x, a) < 0)
		return -1;
	struct err e = {0};
	struct rules_eligibility_in in = eligibility_in(x);
	if (person_complete(r, x) < 0)
		goto fail;
	if (rules_eligibility(r->app->rules, &in, el, steps, &e) < 0) {
		reply_error(r, &e);
		goto fail;
	}
	return 0;
fail:
	close_read(x);
	return -1;
}

void records_h_eligibility(struct req *r)
{
	struct read x;
	struct audit_entry *a = NULL;
	struct rules_eligibility el;
	if (open_eligibility(r, ELIGIBILITY, &x, &a, &el, &x.steps) < 0)
		return;
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	write_person(&w, &x);
	rules_eligibility_json(&w, "eligibility", &el, &x.steps);
	jw_end(&w);
	close_read(&x);
	audit_reply(r, 200, &w, a, 1);
}

void records_h_pension(struct req *r)
{
	struct read x;
	struct audit_entry *a = NULL;
	struct rules_eligibility el;
	if (open_eligibility(r, PENSION, &x, &a, &el, NULL) < 0)
		return;
	/* a reduced pension when the only condition met on the date is the reduced one */
	struct rules_pension_in pin = {
	    .history = &x.h, .on = x.on, .reduced = el.eligible && el.cond[el.best].reduced};
	struct rules_pension p;
	struct err e = {0};
	if (rules_pension_estimate(r->app->rules, &pin, &p, &x.steps, &e) < 0) {
		close_read(&x);
		reply_error(r, &e);
		return;
	}
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	write_person(&w, &x);
	jw_bool(&w, "eligible", el.eligible);
	jw_bool(&w, "reduced", pin.reduced);
	rules_pension_json(&w, "pension", &p, &x.steps);
	jw_end(&w);
	close_read(&x);
	audit_reply(r, 200, &w, a, 1);
}

void records_h_pensioner(struct req *r)
{
	struct read x;
	struct audit_entry *a = NULL;
	if (open_person(r, PENSIONER, &x, &a) < 0)
		return;
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	write_person(&w, &x);
	pensions_person_json(req_db(r), x.p.id, &w, "pension");
	jw_end(&w);
	close_read(&x);
	audit_reply(r, 200, &w, a, 1);
}

/* Article 77: the average wage is the insured wages of the last 24 months with days on
 * record / 24 (fewer months: their number), the rules' own computation of the pension
 * estimate, asked on its own (no birth date or sex needed). */
void records_h_average_wage(struct req *r)
{
	struct read x;
	struct audit_entry *a = NULL;
	if (open_read(r, AVERAGE_WAGE, &x, &a) < 0)
		return;
	struct rules_pension_in pin = {.history = &x.h, .on = x.on};
	struct rules_pension p;
	struct err e = {0};
	if (rules_pension_estimate(r->app->rules, &pin, &p, &x.steps, &e) < 0) {
		close_read(&x);
		reply_error(r, &e);
		return;
	}
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	write_person(&w, &x);
	jw_object(&w, "average_wage");
	jw_int(&w, "months", p.months_used);
	char ym[16];
	snprintf(ym, sizeof ym, "%04d/%02d", p.from_year, p.from_month);
	jw_str(&w, "from", p.months_used ? ym : NULL);
	snprintf(ym, sizeof ym, "%04d/%02d", p.to_year, p.to_month);
	jw_str(&w, "to", p.months_used ? ym : NULL);
	jw_int(&w, "wages", p.wages);
	jw_int(&w, "average", p.average);
	jw_str(&w, "reference", "ماده ۷۷ قانون تأمین اجتماعی");
	jw_end(&w);
	jw_end(&w);
	close_read(&x);
	audit_reply(r, 200, &w, a, 1);
}

/* Treatment eligibility (استحقاق درمان): a pensioner is covered; an insured person when
 * the record holds at least RECORDS_TREATMENT_DAYS days in the 12 months before the
 * month of the date (the month under way has no list yet). The threshold is the SSO's
 * published condition (docs/DECISIONS.md: unverified article). */
#define RECORDS_TREATMENT_DAYS 30
void records_h_treatment(struct req *r)
{
	struct read x;
	struct audit_entry *a = NULL;
	if (open_read(r, TREATMENT, &x, &a) < 0)
		return;
	int to = x.on.y * 12 + (x.on.m - 1) - 1, from = to - 11; /* months since year 0 */
	int64_t days = 0;
	for (int i = 0; i < x.n; i++) {
		int k = x.lines[i].year * 12 + x.lines[i].month - 1;
		if (k >= from && k <= to)
			days += x.lines[i].days;
	}
	int pensioner = pensions_is_pensioner(req_db(r), x.p.id) == 1;
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	write_person(&w, &x);
	jw_object(&w, "treatment");
	jw_bool(&w, "eligible", pensioner || days >= RECORDS_TREATMENT_DAYS);
	jw_str(&w, "basis", pensioner ? "pensioner"
				      : days >= RECORDS_TREATMENT_DAYS ? "record" : "none");
	jw_bool(&w, "pensioner", pensioner);
	jw_int(&w, "days", days);
	jw_int(&w, "days_needed", RECORDS_TREATMENT_DAYS);
	char ym[16];
	snprintf(ym, sizeof ym, "%04d/%02d", from / 12, from % 12 + 1);
	jw_str(&w, "from", ym);
	snprintf(ym, sizeof ym, "%04d/%02d", to / 12, to % 12 + 1);
	jw_str(&w, "to", ym);
	jw_end(&w);
	jw_end(&w);
	close_read(&x);
	audit_reply(r, 200, &w, a, 1);
}
