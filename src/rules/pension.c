/* The pension (Article 77), the yearly increase (Article 96) and the equalisation. */
#include "rules/internal.h"

#include <string.h>

static int mindex(int y, int m)
{
	return y * 12 + m - 1;
}

int rules_pension_estimate(const struct rules *r, const struct rules_pension_in *in,
			   struct rules_pension *out, struct rules_steps *steps, struct err *e)
{
	memset(out, 0, sizeof *out);
	const struct rules_history *h = in->history;
	if (!h || h->days_per_month <= 0)
		return err_set(e, 400, "invalid_history", "history", "a record summary is needed");
	if (!jalali_valid(in->on.y, in->on.m, in->on.d))
		return err_set(e, 400, "invalid_date", "on", "not a Jalali date");
	struct rules_value months, divisor, max_years, min_pm, minday;
	if (rules_value(r, "pension.average.months", in->on, &months, e) < 0 ||
	    rules_value(r, "pension.divisor.years", in->on, &divisor, e) < 0 ||
	    rules_value(r, "pension.max.years", in->on, &max_years, e) < 0 ||
	    rules_value(r, "pension.minimum.per_mille", in->on, &min_pm, e) < 0 ||
	    rules_value(r, "wage.minimum.daily", in->on, &minday, e) < 0)
		return -1;
	if (months.value < 1 || divisor.value < 1 || max_years.value < 1)
		return err_set(e, 500, "data", "pension.average.months",
			       "the pension's parameters are out of range in the rules data");

	/* the last months with days that ended before the date, and the credited record */
	int m0 = mindex(in->on.y, in->on.m);
	int64_t milli = 0;
	for (int i = h->nmonths - 1; i >= 0; i--) {
		const struct rules_history_month *m = &h->months[i];
		if (mindex(m->year, m->month) >= m0 || m->days == 0)
			continue;
		milli +=
		    (int64_t)m->days * 1000 + (int64_t)m->hard_days * (h->credit_per_mille - 1000);
		if (out->months_used < months.value) {
			if (!out->months_used) {
				out->to_year = m->year;
				out->to_month = m->month;
			}
			out->from_year = m->year;
			out->from_month = m->month;
			out->months_used++;
			out->wages += m->wage;
		}
	}
	if (!out->months_used)
		return err_set(e, 422, "no_wages", "history",
			       "no month with days before %d/%02d to average", in->on.y, in->on.m);
	int64_t per_year = (int64_t)h->days_per_month * h->months_per_year;
	int64_t divide = out->months_used < months.value ? out->months_used : months.value;
	out->average = rules_muldiv(out->wages, 1, divide);
	out->record_days = milli / 1000;
	out->counted_days = out->record_days;
	if (out->counted_days > max_years.value * per_year) {
		out->counted_days = max_years.value * per_year;
		out->capped = 1;
	}
	int64_t full_days = divisor.value * per_year;
	out->formula = rules_muldiv(out->average, out->counted_days, full_days);
	out->minimum_wage = minday.value * 30;
	out->floor = in->reduced ? rules_muldiv(out->minimum_wage, out->counted_days, full_days)
				 : rules_muldiv(out->minimum_wage, min_pm.value, 1000);
	out->floored = out->floor > out->formula;
	out->amount = out->floored ? out->floor : out->formula;

	if (!steps)
		return 0;
	char a[32], b[32], c[32];
	struct rules_step *st = rules_step_add(steps, &months);
	rules_step_fa(st,
		      "دستمزد مشمول %d ماه آخر پرداخت حق بیمه (%d/%02d تا %d/%02d): جمع %s ریال؛ "
		      "متوسط = %s ÷ %lld = %s ریال.",
		      out->months_used, out->from_year, out->from_month, out->to_year,
		      out->to_month, rules_money(a, out->wages), a, (long long)divide,
		      rules_money(b, out->average));
	rules_step_en(st,
		      "Insurable wages of the last %d months with contributions (%d/%02d to "
		      "%d/%02d): %s rials in all; average = %s / %lld = %s rials.",
		      out->months_used, out->from_year, out->from_month, out->to_year,
		      out->to_month, a, a, (long long)divide, b);
	rules_step_num(st, "months", out->months_used, "months");
	rules_step_num(st, "wages", out->wages, "rial");
	rules_step_num(st, "divisor", divide, "months");
	rules_step_num(st, "average", out->average, "rial");
	st = rules_step_add(steps, &max_years);
	struct rules_ymd y = rules_ymd_of(out->record_days, h->days_per_month, h->months_per_year);
	if (out->capped) {
		rules_step_fa(st,
			      "سابقه %lld روز (%d سال و %d ماه و %d روز) بیش از %lld سال است؛ %lld "
			      "روز حساب می‌شود.",
			      (long long)out->record_days, y.years, y.months, y.days,
			      (long long)max_years.value, (long long)out->counted_days);
		rules_step_en(st,
			      "The record of %lld days (%d years, %d months, %d days) is over %lld "
			      "years; %lld days count.",
			      (long long)out->record_days, y.years, y.months, y.days,
			      (long long)max_years.value, (long long)out->counted_days);
	} else {
		rules_step_fa(st, "سابقه قابل احتساب: %lld روز (%d سال و %d ماه و %d روز).",
			      (long long)out->record_days, y.years, y.months, y.days);
		rules_step_en(st, "The record counted: %lld days (%d years, %d months, %d days).",
			      (long long)out->record_days, y.years, y.months, y.days);
	}
	rules_step_num(st, "record_days", out->record_days, "days");
	rules_step_num(st, "counted_days", out->counted_days, "days");
	rules_step_num(st, "max_years", max_years.value, "years");
	st = rules_step_add(steps, &divisor);
	rules_step_fa(st, "مستمری = متوسط × سابقه ÷ %lld سال = %s × %lld ÷ %lld = %s ریال.",
		      (long long)divisor.value, rules_money(a, out->average),
		      (long long)out->counted_days, (long long)full_days,
		      rules_money(b, out->formula));
	rules_step_en(st, "Pension = average × record / %lld years = %s × %lld / %lld = %s rials.",
		      (long long)divisor.value, a, (long long)out->counted_days,
		      (long long)full_days, b);
	rules_step_num(st, "average", out->average, "rial");
	rules_step_num(st, "counted_days", out->counted_days, "days");
	rules_step_num(st, "full_days", full_days, "days");
	rules_step_num(st, "formula", out->formula, "rial");
	st = rules_step_add(steps, in->reduced ? &minday : &min_pm);
	rules_money(a, out->minimum_wage);
	rules_money(b, out->floor);
	rules_money(c, out->amount);
	if (in->reduced) {
		rules_step_fa(
		    st,
		    "مستمری نسبی: حداقل آن سابقه ÷ %lld سال × حداقل دستمزد ماهانه %s = %s "
		    "ریال؛ مستمری %s ریال.",
		    (long long)divisor.value, a, b, c);
		rules_step_en(st,
			      "Reduced pension: at least record / %lld years × the monthly minimum "
			      "wage %s = %s rials; the pension is %s rials.",
			      (long long)divisor.value, a, b, c);
	} else {
		rules_step_fa(st,
			      "حداقل مستمری: %lld در هزار حداقل دستمزد ماهانه %s = %s ریال؛ "
			      "مستمری %s ریال%s.",
			      (long long)min_pm.value, a, b, c,
			      out->floored ? " (به حداقل رسانده شد)" : "");
		rules_step_en(st,
			      "Minimum pension: %lld per mille of the monthly minimum wage %s = %s "
			      "rials; the pension is %s rials%s.",
			      (long long)min_pm.value, a, b, c,
			      out->floored ? " (raised to the minimum)" : "");
	}
	rules_step_num(st, "minimum_wage", out->minimum_wage, "rial");
	rules_step_num(st, "floor", out->floor, "rial");
	rules_step_num(st, "amount", out->amount, "rial");
	return 0;
}

void rules_pension_json(struct jw *w, const char *key, const struct rules_pension *p,
			const struct rules_steps *steps)
{
	char f[16], t[16];
	snprintf(f, sizeof f, "%04d/%02d", p->from_year, p->from_month);
	snprintf(t, sizeof t, "%04d/%02d", p->to_year, p->to_month);
	jw_object(w, key);
	jw_int(w, "months_used", p->months_used);
	jw_str(w, "from", f);
	jw_str(w, "to", t);
	jw_int(w, "wages", p->wages);
	jw_int(w, "average", p->average);
	jw_int(w, "record_days", p->record_days);
	jw_int(w, "counted_days", p->counted_days);
	jw_bool(w, "capped", p->capped);
	jw_int(w, "formula", p->formula);
	jw_int(w, "minimum_wage", p->minimum_wage);
	jw_int(w, "floor", p->floor);
	jw_bool(w, "floored", p->floored);
	jw_int(w, "amount", p->amount);
	if (steps)
		rules_steps_json(w, "steps", steps);
	jw_end(w);
}

/* ---- the yearly increase ---- */

int rules_increase_for(const struct rules *r, struct jdate on, struct rules_increase *inc,
		       struct err *e)
{
	memset(inc, 0, sizeof *inc);
	inc->on = on;
	struct rules_value pm;
	if (rules_value(r, "pension.increase.bp", on, &inc->pct, e) < 0 ||
	    rules_value(r, "pension.increase.fixed", on, &inc->fix, e) < 0 ||
	    rules_value(r, "wage.minimum.daily", on, &inc->minwage, e) < 0 ||
	    rules_value(r, "pension.minimum.per_mille", on, &pm, e) < 0)
		return -1;
	if (inc->pct.value < 0 || inc->pct.value > 100000 || inc->fix.value < 0 ||
	    inc->fix.value > RULES_MAX_MONEY)
		return err_set(e, 500, "data", "pension.increase.bp",
			       "the increase of %d is out of range in the rules data", on.y);
	inc->percent_bp = inc->pct.value;
	inc->fixed = inc->fix.value;
	inc->minimum = rules_muldiv(inc->minwage.value * 30, pm.value, 1000);
	return 0;
}

int64_t rules_increase_apply(const struct rules_increase *inc, int64_t pension, int full)
{
	if (pension < 0 || pension > RULES_MAX_MONEY)
		return -1;
	int64_t raised = pension + rules_muldiv(pension, inc->percent_bp, 10000) + inc->fixed;
	if (raised > RULES_MAX_MONEY) /* stored, it could be raised no more (every later preview) */
		return -1;
	return full && raised < inc->minimum ? inc->minimum : raised;
}

int64_t rules_increase_explain(const struct rules_increase *inc, int64_t pension, int full,
			       struct rules_steps *steps)
{
	int64_t raised = rules_increase_apply(inc, pension, full);
	if (raised < 0 || !steps)
		return raised;
	char a[32], b[32], c[32], p[32];
	int64_t pct = rules_muldiv(pension, inc->percent_bp, 10000);
	struct rules_step *st = rules_step_add(steps, &inc->pct);
	rules_step_fa(st, "افزایش سالانه: %s × %s = %s ریال.", rules_money(a, pension),
		      rules_pct(p, inc->percent_bp), rules_money(b, pct));
	rules_step_en(st, "The yearly increase: %s × %s = %s rials.", a, p, b);
	rules_step_num(st, "pension", pension, "rial");
	rules_step_num(st, "rate", inc->percent_bp, "bp");
	rules_step_num(st, "increase", pct, "rial");
	st = rules_step_add(steps, &inc->fix);
	rules_step_fa(st, "مبلغ ثابت افزایش: %s ریال؛ جمع %s ریال.", rules_money(a, inc->fixed),
		      rules_money(b, pension + pct + inc->fixed));
	rules_step_en(st, "The fixed sum added: %s rials; %s rials in all.", a, b);
	rules_step_num(st, "fixed", inc->fixed, "rial");
	rules_step_num(st, "sum", pension + pct + inc->fixed, "rial");
	st = rules_step_add(steps, &inc->minwage);
	rules_money(a, inc->minimum);
	rules_money(c, raised);
	if (!full) {
		rules_step_fa(st,
			      "مستمری نسبی است و حداقل مستمری (%s ریال) شامل آن "
			      "نمی‌شود: "
			      "%s "
			      "ریال.",
			      a, c);
		rules_step_en(
		    st,
		    "A reduced pension: the minimum pension (%s rials) does not apply; %s "
		    "rials.",
		    a, c);
	} else if (raised == inc->minimum && pension + pct + inc->fixed < inc->minimum) {
		rules_step_fa(st, "کمتر از حداقل مستمری سال است؛ به %s ریال رسانده شد.", a);
		rules_step_en(st, "Below the year's minimum pension; raised to %s rials.", a);
	} else {
		rules_step_fa(st, "حداقل مستمری سال %s ریال است؛ مستمری جدید %s ریال.", a, c);
		rules_step_en(st, "The year's minimum pension is %s rials; the new pension is %s.",
			      a, c);
	}
	rules_step_num(st, "minimum", inc->minimum, "rial");
	rules_step_num(st, "pension", raised, "rial");
	return raised;
}

/* ---- the equalisation ---- */

int rules_equalisation_for(const struct rules *r, struct jdate on, struct rules_equalisation *q,
			   struct err *e)
{
	memset(q, 0, sizeof *q);
	q->on = on;
	if (rules_value(r, "equalisation.step", on, &q->stepv, e) < 0 ||
	    rules_value(r, "equalisation.cumulative.bp", on, &q->cumv, e) < 0 ||
	    rules_value(r, "equalisation.target.bp", on, &q->targetv, e) < 0 ||
	    rules_value(r, "wage.minimum.daily", on, &q->minwage, e) < 0)
		return -1;
	if (q->cumv.value < 0 || q->cumv.value > 10000 || q->targetv.value < 0 ||
	    q->targetv.value > 10000)
		return err_set(e, 500, "data", "equalisation.cumulative.bp",
			       "the equalisation's shares are out of range in the rules data");
	q->step = (int)q->stepv.value;
	q->cumulative_bp = q->cumv.value;
	q->target_bp = q->targetv.value;
	q->minimum_wage = q->minwage.value * 30;
	return 0;
}

static int64_t gap_of(const struct rules_equalisation *q, int64_t granted, int64_t grant_mw,
		      int64_t current, int64_t *equiv)
{
	*equiv = rules_muldiv(granted, q->minimum_wage, grant_mw);
	return *equiv > current ? *equiv - current : 0;
}

int64_t rules_equalisation_apply(const struct rules_equalisation *q, int64_t granted,
				 int64_t grant_minimum_wage, int64_t current)
{
	if (granted < 0 || granted > RULES_MAX_MONEY || current < 0 || current > RULES_MAX_MONEY ||
	    grant_minimum_wage <= 0 || grant_minimum_wage > RULES_MAX_MONEY)
		return -1;
	int64_t equiv, gap = gap_of(q, granted, grant_minimum_wage, current, &equiv);
	return current + rules_muldiv(gap, q->target_bp * q->cumulative_bp, 100000000);
}

int64_t rules_equalisation_explain(const struct rules_equalisation *q, int64_t granted,
				   int64_t grant_minimum_wage, int64_t current,
				   struct rules_steps *steps)
{
	int64_t after = rules_equalisation_apply(q, granted, grant_minimum_wage, current);
	if (after < 0 || !steps)
		return after;
	int64_t equiv, gap = gap_of(q, granted, grant_minimum_wage, current, &equiv);
	char a[32], b[32], c[32], d[32], p[32], p2[32];
	struct rules_step *st = rules_step_add(steps, &q->minwage);
	rules_step_fa(st,
		      "مستمری برقراری %s ریال با حداقل دستمزد آن زمان %s ریال؛ با حداقل دستمزد "
		      "امروز %s ریال برابر %s ریال است.",
		      rules_money(a, granted), rules_money(b, grant_minimum_wage),
		      rules_money(c, q->minimum_wage), rules_money(d, equiv));
	rules_step_en(st,
		      "A pension granted at %s rials when the minimum wage was %s is, at today's "
		      "minimum wage of %s, worth %s rials.",
		      a, b, c, d);
	rules_step_num(st, "granted", granted, "rial");
	rules_step_num(st, "grant_minimum_wage", grant_minimum_wage, "rial");
	rules_step_num(st, "minimum_wage", q->minimum_wage, "rial");
	rules_step_num(st, "equivalent", equiv, "rial");
	st = rules_step_add(steps, &q->targetv);
	rules_step_fa(st, "فاصله با مستمری فعلی %s ریال: %s ریال؛ هدف %s فاصله.",
		      rules_money(a, current), rules_money(b, gap), rules_pct(p, q->target_bp));
	rules_step_en(st,
		      "The gap to the current pension of %s rials: %s rials; %s of it is aimed at.",
		      a, b, p);
	rules_step_num(st, "current", current, "rial");
	rules_step_num(st, "gap", gap, "rial");
	rules_step_num(st, "target", q->target_bp, "bp");
	st = rules_step_add(steps, &q->cumv);
	rules_step_fa(st,
		      "مرحله %d متناسب‌سازی: %s از هدف تا این مرحله؛ %s ریال "
		      "افزوده؛ "
		      "مستمری "
		      "%s "
		      "ریال.",
		      q->step, rules_pct(p2, q->cumulative_bp), rules_money(a, after - current),
		      rules_money(b, after));
	rules_step_en(st,
		      "Equalisation step %d: %s of the target by this step; %s rials added; the "
		      "pension is %s rials.",
		      q->step, p2, a, b);
	rules_step_num(st, "step", q->step, "count");
	rules_step_num(st, "cumulative", q->cumulative_bp, "bp");
	rules_step_num(st, "added", after - current, "rial");
	rules_step_num(st, "pension", after, "rial");
	return after;
}
