/* Retirement eligibility: Article 76's conditions, the Seventh Development Plan's reform, and
 * the earliest day each condition will be met if contributions go on.
 *
 * The record on a day counts the months that ended before it. From the date's month on,
 * months past the end of the record are assumed worked in full (as hard work when the
 * caller says so); months of the record after the date count as they are. A condition's
 * earliest day is the later of the day its age is reached and the first day of the month
 * after the one in which its record is complete.
 *
 * The reform. retirement.reform.applies turns 1 on the reform's first day S. A condition
 * already met on S under the earlier rules stays met (an acquired right). Otherwise the
 * rules in force after S apply (men's age 62), and the conditions counted in years of
 * record need extra months, by the band of the credited record on S: a flat number of
 * months (below 15 years) or some months per year still missing on S (15-28 years). The
 * reduced pension's record, the hard-job condition, veterans and disabled people
 * (in->exempt) keep the earlier rules. This is the project's reading of DOMAIN.md, all of
 * it data (retirement.reform.*), unverified. */
#include "rules/internal.h"

#include <stddef.h>
#include <string.h>

#define HORIZON_MONTHS 720 /* 60 years of projection */
#define NEVER INT64_MAX

struct proj {
	const struct rules_history *h;
	int m0;	   /* the date's month: from it on, months past the record are assumed */
	int first; /* the record's first month, last month */
	int last;
	int future_hard;
	int64_t credit; /* per mille */
};

static int mindex(int y, int m)
{
	return y * 12 + m - 1;
}
static int64_t month_start(int mi)
{
	return rules_day((struct jdate){mi / 12, mi % 12 + 1, 1});
}

/* The days and hard days month mi adds. */
static void month_value(const struct proj *p, int mi, int64_t *days, int64_t *hard)
{
	*days = *hard = 0;
	if (p->h->nmonths && mi <= p->last) {
		int lo = 0, hi = p->h->nmonths - 1;
		while (lo <= hi) {
			int mid = (lo + hi) / 2;
			const struct rules_history_month *m = &p->h->months[mid];
			int k = mindex(m->year, m->month);
			if (k == mi) {
				*days = m->days;
				*hard = m->hard_days;
				return;
			}
			if (k < mi)
				lo = mid + 1;
			else
				hi = mid - 1;
		}
		return;
	}
	if (mi >= p->m0) {
		*days = jalali_month_days(mi / 12, mi % 12 + 1);
		*hard = p->future_hard ? *days : 0;
	}
}

struct acc {
	int64_t milli; /* credited record, thousandths of a day */
	int64_t days, hard, run, best_run;
};

static void add_month(const struct proj *p, int mi, struct acc *a)
{
	int64_t d, hd;
	month_value(p, mi, &d, &hd);
	a->days += d;
	a->hard += hd;
	a->milli += d * 1000 + hd * (p->credit - 1000);
	a->run = hd > 0 ? a->run + hd : 0;
	if (a->run > a->best_run)
		a->best_run = a->run;
}

/* The record of the months before mi. */
static struct acc acc_before(const struct proj *p, int mi)
{
	struct acc a = {0, 0, 0, 0, 0};
	for (int k = p->first; k < mi; k++)
		add_month(p, k, &a);
	return a;
}

/* The first day on which the record holds: credited >= need_milli, or for hard work
 * best_run >= need_cont or hard >= need_total. NEVER when not within the horizon. */
static int64_t record_day(const struct proj *p, int hard, int64_t need_milli, int64_t need_cont,
			  int64_t need_total)
{
	struct acc a = {0, 0, 0, 0, 0};
	int start = p->first < p->m0 ? p->first : p->m0;
	for (int k = start; k <= p->m0 + HORIZON_MONTHS; k++) {
		int ok = hard ? (a.best_run >= need_cont || a.hard >= need_total)
			      : a.milli >= need_milli;
		if (ok)
			return k == start ? INT64_MIN : month_start(k);
		add_month(p, k, &a);
	}
	return NEVER;
}

static int64_t age_day(struct jdate birth, int years)
{
	struct jdate d = {birth.y + years, birth.m, birth.d};
	if (!jalali_valid(d.y, d.m, d.d)) /* born on 30 Esfand of a leap year */
		d = (struct jdate){d.y + 1, 1, 1};
	return rules_day(d);
}

static struct rules_ymd age_at(struct jdate b, struct jdate on)
{
	int y = on.y - b.y, m = on.m - b.m, d = on.d - b.d;
	if (d < 0) {
		m--;
		int pm = on.m == 1 ? 12 : on.m - 1, py = on.m == 1 ? on.y - 1 : on.y;
		d += jalali_month_days(py, pm);
	}
	if (m < 0) {
		y--;
		m += 12;
	}
	return (struct rules_ymd){y, m, d};
}

/* The parameters of the conditions on one day. */
struct cparams {
	struct rules_value age_men, age_women, age_years, reduced_years, early_years, early_men,
	    early_women, any_years, women_years, women_age, hard_cont, hard_total;
};

static int cparams_at(const struct rules *r, struct jdate d, struct cparams *c, struct err *e)
{
	static const struct {
		const char *name;
		size_t off;
	} list[] = {
	    {"retirement.age.men", offsetof(struct cparams, age_men)},
	    {"retirement.age.women", offsetof(struct cparams, age_women)},
	    {"retirement.age.full_years", offsetof(struct cparams, age_years)},
	    {"retirement.age.reduced_years", offsetof(struct cparams, reduced_years)},
	    {"retirement.early.years", offsetof(struct cparams, early_years)},
	    {"retirement.early.age.men", offsetof(struct cparams, early_men)},
	    {"retirement.early.age.women", offsetof(struct cparams, early_women)},
	    {"retirement.any_age.years", offsetof(struct cparams, any_years)},
	    {"retirement.women.years", offsetof(struct cparams, women_years)},
	    {"retirement.women.age", offsetof(struct cparams, women_age)},
	    {"retirement.hard_job.continuous_years", offsetof(struct cparams, hard_cont)},
	    {"retirement.hard_job.total_years", offsetof(struct cparams, hard_total)},
	};
	for (size_t i = 0; i < sizeof list / sizeof *list; i++)
		if (rules_value(r, list[i].name, d, (struct rules_value *)((char *)c + list[i].off),
				e) < 0)
			return -1;
	return 0;
}

/* A condition's requirement under one set of parameters. */
struct req {
	int age;			/* years, 0 none */
	int years;			/* record years (hard job: continuous years) */
	int years2;			/* hard job: total years */
	const struct rules_value *main; /* for the reference */
};

static int requirement(enum rules_condition_kind k, const struct cparams *c, enum rules_sex sex,
		       struct req *q)
{
	memset(q, 0, sizeof *q);
	int male = sex == RULES_MALE;
	switch (k) {
	case RULES_COND_AGE:
		q->age = (int)(male ? c->age_men.value : c->age_women.value);
		q->years = (int)c->age_years.value;
		q->main = &c->age_years;
		break;
	case RULES_COND_AGE_REDUCED:
		q->age = (int)(male ? c->age_men.value : c->age_women.value);
		q->years = (int)c->reduced_years.value;
		q->main = &c->reduced_years;
		break;
	case RULES_COND_EARLY:
		q->age = (int)(male ? c->early_men.value : c->early_women.value);
		q->years = (int)c->early_years.value;
		q->main = &c->early_years;
		break;
	case RULES_COND_ANY_AGE:
		q->years = (int)c->any_years.value;
		q->main = &c->any_years;
		break;
	case RULES_COND_WOMEN:
		if (male)
			return 0;
		q->age = (int)c->women_age.value;
		q->years = (int)c->women_years.value;
		q->main = &c->women_years;
		break;
	case RULES_COND_HARD_JOB:
		q->years = (int)c->hard_cont.value;
		q->years2 = (int)c->hard_total.value;
		q->main = &c->hard_cont;
		break;
	default:
		return 0;
	}
	return 1;
}

/* The reform's band for a credited record of `years` completed years on its start. */
struct band {
	struct rules_value from, flat, per_year;
	int found;
};

static int band_for(const struct rules *r, struct jdate on, int years, struct band *b,
		    struct err *e)
{
	memset(b, 0, sizeof *b);
	for (int i = 1; i < 10; i++) {
		char n1[64], n2[64], n3[64];
		snprintf(n1, sizeof n1, "retirement.reform.band.%d.from_years", i);
		snprintf(n2, sizeof n2, "retirement.reform.band.%d.months_flat", i);
		snprintf(n3, sizeof n3, "retirement.reform.band.%d.months_per_year", i);
		struct rules_value from, flat, per;
		struct err le;
		err_clear(&le);
		if (rules_value(r, n1, on, &from, &le) < 0) {
			if (strcmp(le.code, "rule_unknown") == 0)
				break;
			if (e)
				*e = le;
			return -1;
		}
		if (rules_value(r, n2, on, &flat, e) < 0 || rules_value(r, n3, on, &per, e) < 0)
			return -1;
		if (from.value <= years && (!b->found || from.value >= b->from.value)) {
			b->from = from;
			b->flat = flat;
			b->per_year = per;
			b->found = 1;
		}
	}
	if (!b->found)
		return err_set(e, 422, "rule_missing", "retirement.reform.band.1.from_years",
			       "the reform has no band for %d years of record", years);
	return 0;
}

static const char *const cond_code[] = {"age",	   "age_reduced", "early",
					"any_age", "women",	  "hard_job"};
static const char *const cond_fa[] = {
    "سن بازنشستگی با سابقه کامل",     "سن بازنشستگی با حداقل سابقه (مستمری نسبی)",
    "سی سال سابقه با حداقل سن",	      "سی‌وپنج سال سابقه بدون شرط سن",
    "زنان با بیست سال سابقه و سن ۴۲", "مشاغل سخت و زیان‌آور"};
static const char *const cond_en[] = {"retirement age with a full record",
				      "retirement age with the minimum record (reduced pension)",
				      "30 years of record at the minimum age",
				      "35 years of record at any age",
				      "women with 20 years of record at 42",
				      "hard and harmful work"};

/* Evaluates one condition with one set of parameters: fills the record need and the
 * earliest day (NEVER when not within the horizon). */
static void evaluate(const struct proj *p, const struct rules_eligibility_in *in,
		     const struct req *q, int extra_months, struct rules_condition *c,
		     int64_t *earliest)
{
	int64_t per_year = (int64_t)p->h->days_per_month * p->h->months_per_year;
	c->age = q->age;
	c->extra_months = extra_months;
	c->reference = q->main->reference;
	int64_t aday = q->age ? age_day(in->birth, q->age) : rules_day(in->birth);
	c->age_on = rules_jdate(aday);
	int64_t rday;
	if (c->kind == RULES_COND_HARD_JOB) {
		c->need_days = q->years * per_year;
		c->need2_days = q->years2 * per_year;
		rday = record_day(p, 1, 0, c->need_days, c->need2_days);
	} else {
		c->need_days = q->years * per_year + (int64_t)extra_months * p->h->days_per_month;
		rday = record_day(p, 0, c->need_days * 1000, 0, 0);
	}
	*earliest = rday == NEVER ? NEVER : (rday > aday ? rday : aday);
}

/* What the phases of rules_eligibility share: the projection, the record on the date,
 * the reform and the two sets of parameters. */
struct elig {
	const struct rules_eligibility_in *in;
	int64_t D; /* the date, as a day */
	struct proj p;
	struct acc now;		    /* the record of the months before the date's */
	struct rules_value applies; /* retirement.reform.applies on the date */
	int has_reform;		    /* in force on the date, or to come */
	struct jdate S;		    /* the reform's first day */
	int64_t Sday;
	int s_years;		   /* full years of credited record on S */
	struct cparams old, now_p; /* the earlier rules; the reform's */
	struct band band;
};

static int eligibility_check(const struct rules_eligibility_in *in, struct err *e)
{
	const struct rules_history *h = in->history;
	if (!h || h->days_per_month <= 0)
		return err_set(e, 400, "invalid_history", "history", "a record summary is needed");
	if (!jalali_valid(in->on.y, in->on.m, in->on.d))
		return err_set(e, 400, "invalid_date", "on", "not a Jalali date");
	if (!jalali_valid(in->birth.y, in->birth.m, in->birth.d) ||
	    rules_day(in->birth) >= rules_day(in->on))
		return err_set(e, 400, "invalid_birth", "birth",
			       "not a Jalali date before the date asked about");
	if (in->sex != RULES_MALE && in->sex != RULES_FEMALE)
		return err_set(e, 400, "invalid_sex", "sex", "sex is male or female");
	if (in->future_hard < -1 || in->future_hard > 1)
		return err_set(e, 400, "invalid_future_hard", "future_hard", "-1, 0 or 1");
	return 0;
}

/* The projection of the record, and the record and age on the date. */
static void eligibility_record(struct elig *x, struct rules_eligibility *out)
{
	const struct rules_eligibility_in *in = x->in;
	const struct rules_history *h = in->history;
	struct proj *p = &x->p;
	*p = (struct proj){
	    h, mindex(in->on.y, in->on.m), 0, -1, in->future_hard, h->credit_per_mille};
	if (h->nmonths) {
		p->first = mindex(h->months[0].year, h->months[0].month);
		p->last = mindex(h->months[h->nmonths - 1].year, h->months[h->nmonths - 1].month);
	} else {
		p->first = p->m0;
	}
	if (p->future_hard < 0) {
		int64_t d, hd;
		month_value(p, p->last, &d, &hd);
		p->future_hard = h->nmonths && hd > 0;
	}
	x->now = acc_before(p, p->m0);
	out->age = age_at(in->birth, in->on);
	out->record_days = x->now.days;
	out->credited_days = x->now.milli / 1000;
	out->hard_days = x->now.hard;
	out->hard_continuous_days = x->now.best_run;
}

/* The reform: in force on the date, to come, or not in the data. Then the parameters of
 * the earlier rules and, for those it concerns, the reform's and its band. */
static int eligibility_reform(const struct rules *r, struct elig *x, struct rules_eligibility *out,
			      struct err *e)
{
	const struct rules_eligibility_in *in = x->in;
	if (rules_value(r, "retirement.reform.applies", in->on, &x->applies, e) < 0)
		return -1;
	int64_t next_value = 0;
	if (x->applies.value) {
		x->has_reform = 1;
		x->S = x->applies.since;
	} else if (rules_next_start(r, "retirement.reform.applies", x->D, &x->S, &next_value) &&
		   next_value) {
		x->has_reform = 1;
	}
	x->Sday = x->has_reform ? rules_day(x->S) : 0;
	out->reform_since = x->S;
	/* the earlier rules: those of the date, or of the reform's eve once it began */
	struct jdate old_on = x->has_reform && x->Sday <= x->D ? rules_jdate(x->Sday - 1) : in->on;
	out->reform = x->has_reform && !in->exempt && x->Sday <= x->D;
	if (cparams_at(r, old_on, &x->old, e) < 0)
		return -1;
	if (!x->has_reform || in->exempt)
		return 0;
	const struct rules_history *h = in->history;
	int64_t per_year = (int64_t)h->days_per_month * h->months_per_year;
	struct acc at_s = acc_before(&x->p, mindex(x->S.y, x->S.m));
	out->reform_credited_days = at_s.milli / 1000;
	x->s_years = (int)(out->reform_credited_days / per_year);
	struct jdate pon = x->Sday > x->D ? x->S : in->on;
	if (cparams_at(r, pon, &x->now_p, e) < 0 || band_for(r, pon, x->s_years, &x->band, e) < 0)
		return -1;
	return 0;
}

/* The steps of the record on the date and of the reform. */
static int steps_start(const struct rules *r, const struct elig *x,
		       const struct rules_eligibility *out, struct rules_steps *steps,
		       struct err *e)
{
	const struct rules_eligibility_in *in = x->in;
	if (!steps)
		return 0;
	char a[11], b[11];
	struct rules_step *st = rules_step_add(steps, NULL);
	rules_step_fa(st,
		      "در تاریخ %s: سن %d سال و %d ماه؛ سابقه تا پایان ماه پیش %lld روز، با "
		      "احتساب کار سخت %lld روز.",
		      rules_date(a, in->on), out->age.years, out->age.months,
		      (long long)out->record_days, (long long)out->credited_days);
	rules_step_en(st,
		      "On %s: aged %d years and %d months; a record of %lld days to the end of "
		      "last month, %lld with the hard-job credit.",
		      a, out->age.years, out->age.months, (long long)out->record_days,
		      (long long)out->credited_days);
	rules_step_num(st, "age_years", out->age.years, "years");
	rules_step_num(st, "record_days", out->record_days, "days");
	rules_step_num(st, "credited_days", out->credited_days, "days");
	if (!x->has_reform)
		return 0;
	struct rules_value from_s = x->applies;
	if (!x->applies.value && rules_value(r, "retirement.reform.applies", x->S, &from_s, e) < 0)
		return -1;
	st = rules_step_add(steps, &from_s);
	rules_date(b, x->S);
	if (in->exempt) {
		rules_step_fa(st,
			      "اصلاحات قانون برنامه هفتم از %s؛ ایثارگران و افراد دارای "
			      "معلولیت مستثنا هستند: شرایط پیشین.",
			      b);
		rules_step_en(st,
			      "The Seventh Plan's reform starts %s; veterans and disabled "
			      "people are exempt: the earlier conditions apply.",
			      b);
	} else {
		rules_step_fa(st,
			      "اصلاحات قانون برنامه هفتم از %s؛ سابقه در آن روز %lld روز "
			      "(%d سال کامل): افزایش سابقه لازم %lld ماه ثابت و %lld ماه به "
			      "ازای هر سال باقی‌مانده.",
			      b, (long long)out->reform_credited_days, x->s_years,
			      (long long)x->band.flat.value, (long long)x->band.per_year.value);
		rules_step_en(st,
			      "The Seventh Plan's reform starts %s; the record then is %lld "
			      "days (%d full years): %lld extra months flat and %lld per "
			      "year still missing.",
			      b, (long long)out->reform_credited_days, x->s_years,
			      (long long)x->band.flat.value, (long long)x->band.per_year.value);
		rules_step_num(st, "record_at_start_days", out->reform_credited_days, "days");
		rules_step_num(st, "months_flat", x->band.flat.value, "months");
		rules_step_num(st, "months_per_year", x->band.per_year.value, "months");
	}
	return 0;
}

/* One condition under the earlier rules, or under the reform's when it is not met by the
 * reform's first day: fills c and returns its earliest day (NEVER when it does not apply
 * or is not met within the horizon). */
static int64_t eligibility_condition(const struct elig *x, struct rules_condition *c)
{
	const struct rules_eligibility_in *in = x->in;
	struct req q;
	c->applies = requirement(c->kind, &x->old, in->sex, &q);
	if (!c->applies)
		return NEVER;
	int64_t when;
	int exempt_kind = c->kind == RULES_COND_HARD_JOB || c->kind == RULES_COND_AGE_REDUCED;
	evaluate(&x->p, in, &q, 0, c, &when);
	if (x->has_reform && !in->exempt && !(when <= x->Sday)) {
		/* not met by the reform's first day: its rules */
		struct req nq;
		requirement(c->kind, &x->now_p, in->sex, &nq);
		int extra = 0;
		if (!exempt_kind) {
			int remaining = nq.years - x->s_years;
			extra = (int)x->band.flat.value +
				(remaining > 0 ? remaining * (int)x->band.per_year.value : 0);
		}
		evaluate(&x->p, in, &nq, extra, c, &when);
		c->reform = !exempt_kind || nq.age != q.age || nq.years != q.years;
		if (when != NEVER && when < x->Sday)
			when = x->Sday;
	}
	const struct acc *now = &x->now;
	if (c->kind == RULES_COND_HARD_JOB) {
		c->have_days = now->best_run;
		c->have2_days = now->hard;
		c->missing_days = 0;
		if (now->best_run < c->need_days && now->hard < c->need2_days) {
			int64_t m1 = c->need_days - now->best_run, m2 = c->need2_days - now->hard;
			c->missing_days = m1 < m2 ? m1 : m2;
		}
	} else {
		c->have_days = now->milli / 1000;
		c->missing_days = c->have_days < c->need_days ? c->need_days - c->have_days : 0;
	}
	c->met = when <= x->D;
	c->has_earliest = when != NEVER;
	if (c->has_earliest)
		c->earliest = rules_jdate(when == INT64_MIN ? x->D : when);
	return when;
}

/* Every condition, then the result: the first met in the order of preference, the
 * earliest day of any condition and of one with a full pension. */
static void eligibility_result(const struct elig *x, struct rules_eligibility *out)
{
	static const enum rules_condition_kind prefer[] = {
	    RULES_COND_ANY_AGE,	 RULES_COND_EARLY, RULES_COND_WOMEN,
	    RULES_COND_HARD_JOB, RULES_COND_AGE,   RULES_COND_AGE_REDUCED};
	int64_t earliest_any = NEVER, earliest_full = NEVER, D = x->D;
	int best = -1;
	for (int k = 0; k < RULES_COND_N; k++) {
		struct rules_condition *c = &out->cond[k];
		c->kind = (enum rules_condition_kind)k;
		c->code = cond_code[k];
		c->reduced = k == RULES_COND_AGE_REDUCED;
		int64_t when = eligibility_condition(x, c);
		if (when < earliest_any)
			earliest_any = when;
		if (!c->reduced && when < earliest_full)
			earliest_full = when;
	}
	for (size_t i = 0; i < sizeof prefer / sizeof *prefer && best < 0; i++)
		if (out->cond[prefer[i]].applies && out->cond[prefer[i]].met)
			best = prefer[i];
	out->eligible = best >= 0;
	out->best = best >= 0 ? (enum rules_condition_kind)best : RULES_COND_AGE;
	out->has_earliest = earliest_any != NEVER;
	if (out->has_earliest)
		out->earliest = rules_jdate(earliest_any > D ? earliest_any : D);
	out->has_earliest_full = earliest_full != NEVER;
	if (out->has_earliest_full)
		out->earliest_full = rules_jdate(earliest_full > D ? earliest_full : D);
}

/* The step of one condition that applies: its age, its record, and when it is met. */
static void steps_condition(const struct elig *x, const struct rules_condition *c,
			    struct rules_steps *steps)
{
	char a[11], b[11];
	struct req q;
	requirement(c->kind, c->reform ? &x->now_p : &x->old, x->in->sex, &q);
	struct rules_step *st = rules_step_add(steps, q.main);
	char age_fa[96] = "", age_en[96] = "", need_fa[160], need_en[160], when_fa[96], when_en[96];
	if (c->age) {
		snprintf(age_fa, sizeof age_fa, "سن %d سال (از %s)", c->age,
			 rules_date(a, c->age_on));
		snprintf(age_en, sizeof age_en, "age %d (reached %s)", c->age, a);
	} else {
		snprintf(age_fa, sizeof age_fa, "بدون شرط سن");
		snprintf(age_en, sizeof age_en, "no age condition");
	}
	if (c->kind == RULES_COND_HARD_JOB) {
		snprintf(need_fa, sizeof need_fa,
			 "%lld روز کار سخت پیوسته یا %lld روز غیرپیوسته (دارد: %lld و %lld)",
			 (long long)c->need_days, (long long)c->need2_days, (long long)c->have_days,
			 (long long)c->have2_days);
		snprintf(need_en, sizeof need_en,
			 "%lld days of continuous or %lld of non-continuous hard work (has "
			 "%lld and %lld)",
			 (long long)c->need_days, (long long)c->need2_days, (long long)c->have_days,
			 (long long)c->have2_days);
	} else {
		snprintf(need_fa, sizeof need_fa, "سابقه %lld روز%s (دارد: %lld)",
			 (long long)c->need_days,
			 c->extra_months ? " با افزایش قانون برنامه هفتم" : "",
			 (long long)c->have_days);
		snprintf(need_en, sizeof need_en, "a record of %lld days%s (has %lld)",
			 (long long)c->need_days,
			 c->extra_months ? ", the reform's extra included" : "",
			 (long long)c->have_days);
	}
	if (c->met) {
		snprintf(when_fa, sizeof when_fa, "احراز شده، از %s", rules_date(b, c->earliest));
		snprintf(when_en, sizeof when_en, "met, since %s", b);
	} else if (c->has_earliest) {
		snprintf(when_fa, sizeof when_fa,
			 "احراز نشده؛ %lld روز سابقه کم است؛ با ادامه پرداخت از %s",
			 (long long)c->missing_days, rules_date(b, c->earliest));
		snprintf(when_en, sizeof when_en,
			 "not met; %lld days of record missing; if contributions go on, "
			 "from %s",
			 (long long)c->missing_days, b);
	} else {
		snprintf(when_fa, sizeof when_fa,
			 "احراز نشده و تا ۶۰ سال دیگر نیز "
			 "نمی‌شود");
		snprintf(when_en, sizeof when_en, "not met, nor within 60 years");
	}
	rules_step_fa(st, "%s: %s، %s: %s.", cond_fa[c->kind], age_fa, need_fa, when_fa);
	rules_step_en(st, "%s: %s, %s: %s.", cond_en[c->kind], age_en, need_en, when_en);
	rules_step_num(st, "age", c->age, "years");
	rules_step_num(st, "need_days", c->need_days, "days");
	rules_step_num(st, "have_days", c->have_days, "days");
	rules_step_num(st, "missing_days", c->missing_days, "days");
	if (c->extra_months)
		rules_step_num(st, "extra_months", c->extra_months, "months");
	if (c->kind == RULES_COND_HARD_JOB)
		rules_step_num(st, "need2_days", c->need2_days, "days");
}

/* The step of the result. */
static void steps_result(const struct rules_eligibility *out, struct rules_steps *steps)
{
	char a[11];
	struct rules_step *st = rules_step_add(steps, NULL);
	if (out->eligible) {
		rules_step_fa(st, "نتیجه: واجد شرایط بازنشستگی از راه «%s»%s.", cond_fa[out->best],
			      out->cond[out->best].reduced ? " با مستمری نسبی" : "");
		rules_step_en(st, "Result: entitled to retire by \"%s\"%s.", cond_en[out->best],
			      out->cond[out->best].reduced ? ", with a reduced pension" : "");
	} else if (out->has_earliest) {
		rules_step_fa(st, "نتیجه: هنوز واجد شرایط نیست؛ زودترین تاریخ با ادامه پرداخت %s.",
			      rules_date(a, out->earliest));
		rules_step_en(st,
			      "Result: not yet entitled; the earliest date if contributions go on "
			      "is %s.",
			      a);
	} else {
		rules_step_fa(st, "نتیجه: واجد شرایط نیست.");
		rules_step_en(st, "Result: not entitled.");
	}
}

int rules_eligibility(const struct rules *r, const struct rules_eligibility_in *in,
		      struct rules_eligibility *out, struct rules_steps *steps, struct err *e)
{
	memset(out, 0, sizeof *out);
	if (eligibility_check(in, e) < 0)
		return -1;
	out->on = in->on;
	struct elig x = {.in = in, .D = rules_day(in->on)};
	eligibility_record(&x, out);
	if (eligibility_reform(r, &x, out, e) < 0 || steps_start(r, &x, out, steps, e) < 0)
		return -1;
	eligibility_result(&x, out);
	if (!steps)
		return 0;
	for (int k = 0; k < RULES_COND_N; k++)
		if (out->cond[k].applies)
			steps_condition(&x, &out->cond[k], steps);
	steps_result(out, steps);
	return 0;
}

static void jdate_json(struct jw *w, const char *key, int has, struct jdate d)
{
	char b[11];
	if (has)
		jw_str(w, key, rules_date(b, d));
	else
		jw_null(w, key);
}

void rules_eligibility_json(struct jw *w, const char *key, const struct rules_eligibility *el,
			    const struct rules_steps *steps)
{
	jw_object(w, key);
	jdate_json(w, "on", 1, el->on);
	jw_object(w, "age");
	jw_int(w, "years", el->age.years);
	jw_int(w, "months", el->age.months);
	jw_int(w, "days", el->age.days);
	jw_end(w);
	jw_int(w, "record_days", el->record_days);
	jw_int(w, "credited_days", el->credited_days);
	jw_int(w, "hard_days", el->hard_days);
	jw_int(w, "hard_continuous_days", el->hard_continuous_days);
	jw_bool(w, "reform", el->reform);
	jdate_json(w, "reform_since", el->reform_since.y != 0, el->reform_since);
	jw_int(w, "reform_credited_days", el->reform_credited_days);
	jw_bool(w, "eligible", el->eligible);
	if (el->eligible) {
		jw_str(w, "condition", el->cond[el->best].code);
		jw_bool(w, "reduced", el->cond[el->best].reduced);
	} else {
		jw_null(w, "condition");
		jw_bool(w, "reduced", 0);
	}
	jdate_json(w, "earliest", el->has_earliest, el->earliest);
	jdate_json(w, "earliest_full", el->has_earliest_full, el->earliest_full);
	jw_array(w, "conditions");
	for (int k = 0; k < RULES_COND_N; k++) {
		const struct rules_condition *c = &el->cond[k];
		if (!c->applies)
			continue;
		jw_object(w, NULL);
		jw_str(w, "code", c->code);
		jw_bool(w, "met", c->met);
		jw_bool(w, "reduced", c->reduced);
		jw_bool(w, "reform", c->reform);
		if (c->age)
			jw_int(w, "age", c->age);
		else
			jw_null(w, "age");
		jdate_json(w, "age_on", c->age != 0, c->age_on);
		jw_int(w, "need_days", c->need_days);
		if (c->kind == RULES_COND_HARD_JOB)
			jw_int(w, "need_total_days", c->need2_days);
		jw_int(w, "extra_months", c->extra_months);
		jw_int(w, "have_days", c->have_days);
		if (c->kind == RULES_COND_HARD_JOB)
			jw_int(w, "have_total_days", c->have2_days);
		jw_int(w, "missing_days", c->missing_days);
		jdate_json(w, "earliest", c->has_earliest, c->earliest);
		jw_str(w, "reference", c->reference);
		jw_end(w);
	}
	jw_end(w);
	if (steps)
		rules_steps_json(w, "steps", steps);
	jw_end(w);
}
