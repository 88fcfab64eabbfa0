/* Contributions due: one list row, or a workshop's list for a month. */
#include "rules/internal.h"

#include <string.h>

/* The parameters of one month and scheme, read once. */
struct rates {
	struct jdate on;
	enum rules_scheme scheme;
	struct rules_value minday, times;
	struct rules_value insured, employer, unemployment, government, hard; /* employees */
	struct rules_value self; /* the whole rate of a self-employed or voluntary contract */
	int64_t ceilday;	 /* daily ceiling: times × minimum */
};

static const char *const self_param[] = {
    [RULES_SELF_12] = "contribution.self_employed_12.bp",
    [RULES_SELF_14] = "contribution.self_employed_14.bp",
    [RULES_SELF_18] = "contribution.self_employed_18.bp",
    [RULES_VOLUNTARY] = "contribution.voluntary.bp",
};
static const char *const scheme_fa[] = {
    [RULES_EMPLOYEE] = "کارگر مشمول فهرست کارفرما",
    [RULES_SELF_12] = "بیمه خویش‌فرما ۱۲ درصد",
    [RULES_SELF_14] = "بیمه خویش‌فرما ۱۴ درصد",
    [RULES_SELF_18] = "بیمه خویش‌فرما ۱۸ درصد",
    [RULES_VOLUNTARY] = "بیمه اختیاری",
};
static const char *const scheme_en[] = {
    [RULES_EMPLOYEE] = "a worker on an employer's list",
    [RULES_SELF_12] = "self-employed at 12% (pension)",
    [RULES_SELF_14] = "self-employed at 14% (pension and death)",
    [RULES_SELF_18] = "self-employed at 18% (pension, disability and death)",
    [RULES_VOLUNTARY] = "voluntary insurance",
};

static int rates_for(const struct rules *r, int year, int month, enum rules_scheme scheme,
		     int need_hard, struct rates *k, struct err *e)
{
	memset(k, 0, sizeof *k);
	k->on = (struct jdate){year, month, 1};
	k->scheme = scheme;
	if (rules_value(r, "wage.minimum.daily", k->on, &k->minday, e) < 0 ||
	    rules_value(r, "contribution.ceiling.times", k->on, &k->times, e) < 0)
		return -1;
	k->ceilday = k->minday.value * k->times.value;
	if (scheme != RULES_EMPLOYEE)
		return rules_value(r, self_param[scheme], k->on, &k->self, e);
	if (rules_value(r, "contribution.insured.bp", k->on, &k->insured, e) < 0 ||
	    rules_value(r, "contribution.employer.bp", k->on, &k->employer, e) < 0 ||
	    rules_value(r, "contribution.unemployment.bp", k->on, &k->unemployment, e) < 0 ||
	    rules_value(r, "contribution.government.bp", k->on, &k->government, e) < 0)
		return -1;
	if (need_hard && rules_value(r, "contribution.hard_job.bp", k->on, &k->hard, e) < 0)
		return -1;
	return 0;
}

static int check_row(const struct rules_worker_row *w, int i, struct err *e)
{
	char f[64];
#define FIELD(name) (i < 0 ? (name) : (snprintf(f, sizeof f, "rows[%d].%s", i, (name)), f))
	if (!jalali_valid(w->year, w->month, 1))
		return err_set(e, 400, "invalid_month", FIELD("month"),
			       "not a Jalali year and month: %d/%d", w->year, w->month);
	int len = jalali_month_days(w->year, w->month);
	if (w->days < 0 || w->days > len)
		return err_set(e, 400, "invalid_days", FIELD("days"),
			       "days must be 0 to %d in %d/%02d, not %d", len, w->year, w->month,
			       w->days);
	if (w->wage < 0 || w->wage > RULES_MAX_MONEY)
		return err_set(e, 400, "invalid_wage", FIELD("wage"),
			       "the wage must be 0 to 10^15 rials");
	if ((int)w->scheme < RULES_EMPLOYEE || w->scheme > RULES_VOLUNTARY)
		return err_set(e, 400, "invalid_scheme", FIELD("scheme"), "unknown scheme");
	if (w->hard_job && w->scheme != RULES_EMPLOYEE)
		return err_set(e, 400, "invalid_hard_job", FIELD("hard_job"),
			       "the hard-job share is an employer's: not for a self-employed or "
			       "voluntary contract");
#undef FIELD
	return 0;
}

/* The row's wage between days × minimum and days × ceiling. */
static void clamp(const struct rates *k, const struct rules_worker_row *w,
		  struct rules_contribution *c)
{
	c->rows = 1;
	c->declared = w->wage;
	c->minimum = k->minday.value * w->days;
	c->ceiling = k->ceilday * w->days;
	c->insurable = w->wage;
	if (c->insurable < c->minimum) {
		c->insurable = c->minimum;
		c->raised = 1;
	} else if (c->insurable > c->ceiling) {
		c->insurable = c->ceiling;
		c->cut = 1;
	}
}

/* The shares of an insurable amount (hard: the part of it in hard work). */
static void shares(const struct rates *k, int64_t insurable, int64_t hard,
		   struct rules_contribution *c)
{
	if (k->scheme != RULES_EMPLOYEE) {
		c->worker = rules_muldiv(insurable, k->self.value, 10000);
		c->remit = c->worker;
		return;
	}
	c->employer = rules_muldiv(insurable, k->employer.value, 10000);
	c->unemployment = rules_muldiv(insurable, k->unemployment.value, 10000);
	c->hard_job = hard ? rules_muldiv(hard, k->hard.value, 10000) : 0;
	c->government = rules_muldiv(insurable, k->government.value, 10000);
	c->rate_percent = (int)((k->employer.value + k->unemployment.value) / 100);
	c->remit = c->worker + c->employer + c->unemployment + c->hard_job;
}

/* The minimum and the ceiling; for `days` >= 0 also those of the row's days. */
static void step_limits(struct rules_steps *s, const struct rates *k, int days)
{
	char a[32], b[32], c[32], d[11];
	struct rules_step *st = rules_step_add(s, &k->minday);
	rules_money(a, k->minday.value);
	rules_date(d, k->minday.since);
	if (days >= 0) {
		rules_money(b, k->minday.value * days);
		rules_step_fa(st, "حداقل دستمزد روزانه از %s: %s ریال؛ برای %d روز: %s ریال.", d, a,
			      days, b);
		rules_step_en(st, "The minimum daily wage since %s is %s rials; for %d days: %s.",
			      d, a, days, b);
	} else {
		rules_step_fa(st, "حداقل دستمزد روزانه از %s: %s ریال.", d, a);
		rules_step_en(st, "The minimum daily wage since %s is %s rials.", d, a);
	}
	rules_step_num(st, "minimum_daily", k->minday.value, "rial");
	if (days >= 0) {
		rules_step_num(st, "days", days, "days");
		rules_step_num(st, "minimum", k->minday.value * days, "rial");
	}
	st = rules_step_add(s, &k->times);
	rules_money(a, k->ceilday);
	if (days >= 0) {
		rules_money(c, k->ceilday * days);
		rules_step_fa(st,
			      "سقف دستمزد مشمول کسر حق بیمه %lld برابر حداقل دستمزد است: روزانه %s "
			      "ریال؛ برای %d روز: %s ریال.",
			      (long long)k->times.value, a, days, c);
		rules_step_en(st,
			      "The contribution ceiling is %lld times the minimum wage: %s rials a "
			      "day; for %d days: %s.",
			      (long long)k->times.value, a, days, c);
	} else {
		rules_step_fa(st,
			      "سقف دستمزد مشمول کسر حق بیمه %lld برابر حداقل دستمزد است: روزانه %s "
			      "ریال.",
			      (long long)k->times.value, a);
		rules_step_en(st,
			      "The contribution ceiling is %lld times the minimum wage: %s rials a "
			      "day.",
			      (long long)k->times.value, a);
	}
	rules_step_num(st, "times", k->times.value, "times");
	rules_step_num(st, "ceiling_daily", k->ceilday, "rial");
	if (days >= 0)
		rules_step_num(st, "ceiling", k->ceilday * days, "rial");
}

static void step_clamp(struct rules_steps *s, const struct rules_contribution *c, int days, int row)
{
	char a[32], b[32], rf[48] = "", re[48] = "";
	if (row >= 0) {
		snprintf(rf, sizeof rf, "ردیف %d: ", row + 1);
		snprintf(re, sizeof re, "Row %d: ", row + 1);
	}
	struct rules_step *st = rules_step_add(s, NULL);
	rules_money(a, c->declared);
	rules_money(b, c->insurable);
	if (c->raised) {
		rules_step_fa(st,
			      "%sدستمزد اعلام‌شده %s ریال کمتر از حداقل %d روز است؛ "
			      "مبنای "
			      "حق "
			      "بیمه "
			      "%s ریال است.",
			      rf, a, days, b);
		rules_step_en(st,
			      "%sThe declared wage of %s rials is below the minimum for %d days; "
			      "contributions are due on %s rials.",
			      re, a, days, b);
	} else if (c->cut) {
		rules_step_fa(st,
			      "%sدستمزد اعلام‌شده %s ریال بیش از سقف %d روز است؛ مبنای "
			      "حق "
			      "بیمه "
			      "%s "
			      "ریال است.",
			      rf, a, days, b);
		rules_step_en(st,
			      "%sThe declared wage of %s rials is above the ceiling for %d days; "
			      "contributions are due on %s rials.",
			      re, a, days, b);
	} else {
		rules_step_fa(st, "%sدستمزد مشمول کسر حق بیمه: %s ریال (بین حداقل و سقف).", rf, a);
		rules_step_en(
		    st, "%sThe insurable wage is %s rials, between the minimum and the ceiling.",
		    re, a);
	}
	rules_step_num(st, "declared", c->declared, "rial");
	rules_step_num(st, "insurable", c->insurable, "rial");
}

static void step_share(struct rules_steps *s, const struct rules_value *rate, int64_t base,
		       int64_t share, const char *who_fa, const char *who_en)
{
	char a[32], b[32], p[32];
	struct rules_step *st = rules_step_add(s, rate);
	rules_money(a, base);
	rules_money(b, share);
	rules_pct(p, rate->value);
	rules_step_fa(st, "سهم %s: %s × %s = %s ریال.", who_fa, a, p, b);
	rules_step_en(st, "The %s share: %s × %s = %s rials.", who_en, a, p, b);
	rules_step_num(st, "base", base, "rial");
	rules_step_num(st, "rate", rate->value, "bp");
	rules_step_num(st, "share", share, "rial");
}

static void step_total(struct rules_steps *s, const struct rules_contribution *c, int scheme)
{
	char a[32];
	struct rules_step *st = rules_step_add(s, NULL);
	rules_money(a, c->remit);
	if (scheme != RULES_EMPLOYEE) {
		rules_step_fa(st, "مبلغ قابل پرداخت بیمه‌شده: %s ریال.",
			      a);
		rules_step_en(st, "The insured pays %s rials.", a);
	} else {
		rules_step_fa(st,
			      "جمع قابل پرداخت کارفرما (سهم بیمه‌شده، کارفرما، بیکاری "
			      "و "
			      "مشاغل "
			      "سخت): "
			      "%s ریال؛ نرخ فهرست (DSK_RATE) %d.",
			      a, c->rate_percent);
		rules_step_en(
		    st,
		    "The employer remits %s rials (the worker's, employer's, unemployment "
		    "and hard-job shares); the list's rate (DSK_RATE) is %d.",
		    a, c->rate_percent);
		rules_step_num(st, "rate_percent", c->rate_percent, "count");
	}
	rules_step_num(st, "remit", c->remit, "rial");
}

static void step_shares(struct rules_steps *s, const struct rates *k,
			const struct rules_contribution *c, int64_t hard_base)
{
	if (!s)
		return;
	if (k->scheme != RULES_EMPLOYEE) {
		step_share(s, &k->self, c->insurable, c->worker, scheme_fa[k->scheme],
			   scheme_en[k->scheme]);
		step_total(s, c, k->scheme);
		return;
	}
	step_share(s, &k->insured, c->insurable, c->worker, "بیمه‌شده", "insured's");
	step_share(s, &k->employer, c->insurable, c->employer, "کارفرما", "employer's");
	step_share(s, &k->unemployment, c->insurable, c->unemployment, "بیمه بیکاری (با کارفرما)",
		   "unemployment (paid by the employer)");
	if (hard_base)
		step_share(s, &k->hard, hard_base, c->hard_job,
			   "مشاغل سخت و زیان‌آور (با کارفرما)",
			   "hard and harmful work (paid by the employer)");
	step_share(s, &k->government, c->insurable, c->government,
		   "دولت (پرداخت نمی‌شود با فهرست)",
		   "government's (owed by the state, not remitted with the list)");
	step_total(s, c, k->scheme);
}

int rules_contribution_row(const struct rules *r, const struct rules_worker_row *row,
			   struct rules_contribution *out, struct rules_steps *steps, struct err *e)
{
	memset(out, 0, sizeof *out);
	struct rates k;
	if (check_row(row, -1, e) < 0 ||
	    rates_for(r, row->year, row->month, row->scheme, row->hard_job, &k, e) < 0)
		return -1;
	struct rules_step *st = rules_step_add(steps, NULL);
	rules_step_fa(st, "%s، %s %d، %d روز.", scheme_fa[row->scheme], rules_month_fa[row->month],
		      row->year, row->days);
	rules_step_en(st, "For %s: %d/%02d, %d days.", scheme_en[row->scheme], row->year,
		      row->month, row->days);
	step_limits(steps, &k, row->days);
	clamp(&k, row, out);
	step_clamp(steps, out, row->days, -1);
	out->worker = row->scheme == RULES_EMPLOYEE
			  ? rules_muldiv(out->insurable, k.insured.value, 10000)
			  : 0;
	shares(&k, out->insurable, row->hard_job ? out->insurable : 0, out);
	step_shares(steps, &k, out, row->hard_job ? out->insurable : 0);
	return 0;
}

int rules_contribution_list(const struct rules *r, const struct rules_worker_row *rows, int n,
			    struct rules_contribution *total, struct rules_contribution *each,
			    struct rules_steps *steps, struct err *e)
{
	memset(total, 0, sizeof *total);
	if (n < 1)
		return err_set(e, 400, "empty_list", "rows", "a list has at least one row");
	int need_hard = 0;
	for (int i = 0; i < n; i++) {
		if (check_row(&rows[i], i, e) < 0)
			return -1;
		if (rows[i].year != rows[0].year || rows[i].month != rows[0].month) {
			char f[64];
			snprintf(f, sizeof f, "rows[%d].month", i);
			return err_set(e, 400, "invalid_month", f,
				       "a list is for one month: row %d is for %d/%02d, row 1 for "
				       "%d/%02d",
				       i + 1, rows[i].year, rows[i].month, rows[0].year,
				       rows[0].month);
		}
		if (rows[i].scheme != RULES_EMPLOYEE) {
			char f[64];
			snprintf(f, sizeof f, "rows[%d].scheme", i);
			return err_set(e, 400, "invalid_scheme", f,
				       "an employer's list holds workers only");
		}
		need_hard |= rows[i].hard_job;
	}
	struct rates k;
	if (rates_for(r, rows[0].year, rows[0].month, RULES_EMPLOYEE, need_hard, &k, e) < 0)
		return -1;
	struct rules_step *st = rules_step_add(steps, NULL);
	rules_step_fa(st, "فهرست %s %d با %d ردیف.", rules_month_fa[rows[0].month], rows[0].year,
		      n);
	rules_step_en(st, "The list of %d/%02d with %d rows.", rows[0].year, rows[0].month, n);
	step_limits(steps, &k, -1);
	int64_t hard_base = 0;
	int shown = 0;
	for (int i = 0; i < n; i++) {
		struct rules_contribution c;
		memset(&c, 0, sizeof c);
		clamp(&k, &rows[i], &c);
		c.worker = rules_muldiv(c.insurable, k.insured.value, 10000);
		if ((c.raised || c.cut) && shown < 50) {
			step_clamp(steps, &c, rows[i].days, i);
			shown++;
		}
		total->declared += c.declared;
		total->minimum += c.minimum;
		total->ceiling += c.ceiling;
		total->insurable += c.insurable;
		total->raised += c.raised;
		total->cut += c.cut;
		total->worker += c.worker;
		if (rows[i].hard_job)
			hard_base += c.insurable;
		if (each) {
			shares(&k, c.insurable, rows[i].hard_job ? c.insurable : 0, &c);
			each[i] = c;
		}
	}
	total->rows = n;
	if (shown < total->raised + total->cut) {
		st = rules_step_add(steps, NULL);
		rules_step_fa(st, "و %d ردیف دیگر به حداقل یا سقف رسانده شد.",
			      total->raised + total->cut - shown);
		rules_step_en(st, "And %d more rows were brought to the minimum or the ceiling.",
			      total->raised + total->cut - shown);
	}
	char a[32], b[32];
	st = rules_step_add(steps, NULL);
	rules_step_fa(st,
		      "جمع دستمزد مشمول (DSK_TMASH): %s ریال؛ جمع سهم بیمه‌شده، "
		      "ردیف "
		      "به "
		      "ردیف "
		      "(DSK_TBIME): %s ریال.",
		      rules_money(a, total->insurable), rules_money(b, total->worker));
	rules_step_en(st,
		      "Total insurable wages (DSK_TMASH): %s rials; the insured's shares, row by "
		      "row (DSK_TBIME): %s rials.",
		      a, b);
	rules_step_num(st, "insurable", total->insurable, "rial");
	rules_step_num(st, "worker", total->worker, "rial");
	rules_step_num(st, "raised", total->raised, "count");
	rules_step_num(st, "cut", total->cut, "count");
	shares(&k, total->insurable, hard_base, total);
	if (steps) {
		step_share(steps, &k.employer, total->insurable, total->employer, "کارفرما",
			   "employer's");
		step_share(steps, &k.unemployment, total->insurable, total->unemployment,
			   "بیمه بیکاری (با کارفرما)", "unemployment (paid by the employer)");
		if (hard_base)
			step_share(steps, &k.hard, hard_base, total->hard_job,
				   "مشاغل سخت و زیان‌آور (با کارفرما)",
				   "hard and harmful work (paid by the employer)");
		step_share(steps, &k.government, total->insurable, total->government,
			   "دولت (پرداخت نمی‌شود با فهرست)",
			   "government's (owed by the state, not remitted with the list)");
		step_total(steps, total, RULES_EMPLOYEE);
	}
	return 0;
}

void rules_contribution_json(struct jw *w, const char *key, const struct rules_contribution *c,
			     const struct rules_steps *steps)
{
	jw_object(w, key);
	jw_int(w, "rows", c->rows);
	jw_int(w, "declared", c->declared);
	jw_int(w, "minimum", c->minimum);
	jw_int(w, "ceiling", c->ceiling);
	jw_int(w, "insurable", c->insurable);
	jw_int(w, "raised", c->raised);
	jw_int(w, "cut", c->cut);
	jw_int(w, "worker", c->worker);
	jw_int(w, "employer", c->employer);
	jw_int(w, "unemployment", c->unemployment);
	jw_int(w, "hard_job", c->hard_job);
	jw_int(w, "government", c->government);
	jw_int(w, "remit", c->remit);
	jw_int(w, "rate_percent", c->rate_percent);
	if (steps)
		rules_steps_json(w, "steps", steps);
	jw_end(w);
}
