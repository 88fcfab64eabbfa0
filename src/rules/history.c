/* The insurance record: a person's monthly lines summed by month, workshop and year, with
 * gaps and the hard-job credit. */
#include "rules/internal.h"

#include <stdlib.h>
#include <string.h>

struct rules_ymd rules_ymd_of(int64_t days, int days_per_month, int months_per_year)
{
	struct rules_ymd y = {0, 0, 0};
	if (days <= 0 || days_per_month <= 0 || months_per_year <= 0)
		return y;
	int64_t per_year = (int64_t)days_per_month * months_per_year;
	y.years = (int)(days / per_year);
	y.months = (int)(days % per_year / days_per_month);
	y.days = (int)(days % days_per_month);
	return y;
}

static int month_index(int y, int m)
{
	return y * 12 + m - 1;
}

static int check_record(const struct rules_record *x, int i, struct err *e)
{
	char f[64];
#define FIELD(name) (snprintf(f, sizeof f, "records[%d].%s", i, (name)), f)
	if (!jalali_valid(x->year, x->month, 1))
		return err_set(e, 400, "invalid_month", FIELD("month"),
			       "line %d: not a Jalali year and month: %d/%d", i + 1, x->year,
			       x->month);
	int len = jalali_month_days(x->year, x->month);
	if (x->days < 0 || x->days > len)
		return err_set(e, 400, "invalid_days", FIELD("days"),
			       "line %d: days must be 0 to %d in %d/%02d, not %d", i + 1, len,
			       x->year, x->month, x->days);
	if (x->wage < 0 || x->wage > RULES_MAX_MONEY)
		return err_set(e, 400, "invalid_wage", FIELD("wage"),
			       "line %d: the wage must be 0 to 10^15 rials", i + 1);
	if (x->hard_job != 0 && x->hard_job != 1)
		return err_set(e, 400, "invalid_hard_job", FIELD("hard_job"),
			       "line %d: hard_job is 0 or 1", i + 1);
	size_t n = strnlen(x->workshop, sizeof x->workshop);
	if (n > 10)
		return err_set(e, 400, "invalid_workshop", FIELD("workshop"),
			       "line %d: a workshop code has at most 10 digits", i + 1);
	for (size_t k = 0; k < n; k++)
		if (x->workshop[k] < '0' || x->workshop[k] > '9')
			return err_set(e, 400, "invalid_workshop", FIELD("workshop"),
				       "line %d: a workshop code is digits only", i + 1);
#undef FIELD
	return 0;
}

static int by_month(const void *a, const void *b)
{
	const struct rules_record *x = a, *y = b;
	int d = month_index(x->year, x->month) - month_index(y->year, y->month);
	return d ? d : strcmp(x->workshop, y->workshop);
}

static int by_workshop(const void *a, const void *b)
{
	const struct rules_record *x = a, *y = b;
	int c = strcmp(x->workshop, y->workshop);
	return c ? c : month_index(x->year, x->month) - month_index(y->year, y->month);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		abort();
	return p;
}

/* days × 1000 + hard × (credit − 1000): the record in thousandths of a day. */
static int64_t milli(int64_t days, int64_t hard, int64_t credit)
{
	return days * 1000 + hard * (credit - 1000);
}

/* The record's units on the day, with their sources for the steps. */
struct units {
	struct rules_value dpm, mpy, credit;
};

static int history_units(const struct rules *r, struct jdate on, struct units *u,
			 struct rules_history *out, struct err *e)
{
	if (rules_value(r, "record.days_per_month", on, &u->dpm, e) < 0 ||
	    rules_value(r, "record.months_per_year", on, &u->mpy, e) < 0 ||
	    rules_value(r, "retirement.hard_job.credit.per_mille", on, &u->credit, e) < 0)
		return -1;
	if (u->dpm.value < 1 || u->dpm.value > 31 || u->mpy.value < 1 || u->mpy.value > 12 ||
	    u->credit.value < 1000 || u->credit.value > 10000)
		return err_set(e, 500, "data", "record.days_per_month",
			       "the record's units are out of range in the rules data");
	out->days_per_month = (int)u->dpm.value;
	out->months_per_year = (int)u->mpy.value;
	out->credit_per_mille = u->credit.value;
	return 0;
}

/* by month, all workshops together (sorts x) */
static void history_by_month(struct rules_record *x, int n, struct rules_history *out)
{
	qsort(x, (size_t)n, sizeof *x, by_month);
	out->months = xcalloc((size_t)n, sizeof *out->months);
	for (int i = 0; i < n;) {
		struct rules_history_month *m = &out->months[out->nmonths++];
		m->year = x[i].year;
		m->month = x[i].month;
		int64_t days = 0, hard = 0;
		for (; i < n && x[i].year == m->year && x[i].month == m->month; i++) {
			days += x[i].days;
			hard += x[i].hard_job ? x[i].days : 0;
			m->wage += x[i].wage;
			m->workshops++;
		}
		/* two workshops in one month: a day counts once for the record */
		int len = jalali_month_days(m->year, m->month);
		m->days = days > len ? len : (int)days;
		m->hard_days = hard > m->days ? m->days : (int)hard;
	}
}

/* by workshop and year (sorts x) */
static void history_by_workshop(struct rules_record *x, int n, struct rules_history *out)
{
	qsort(x, (size_t)n, sizeof *x, by_workshop);
	out->rows = xcalloc((size_t)n, sizeof *out->rows);
	for (int i = 0; i < n;) {
		struct rules_history_row *w = &out->rows[out->nrows++];
		snprintf(w->workshop, sizeof w->workshop, "%s", x[i].workshop);
		w->year = x[i].year;
		int last = -1;
		for (; i < n && strcmp(x[i].workshop, w->workshop) == 0 && x[i].year == w->year;
		     i++) {
			if (x[i].days > 0 && x[i].month != last) {
				w->months++;
				last = x[i].month;
			}
			w->days += x[i].days;
			w->hard_days += x[i].hard_job ? x[i].days : 0;
			w->wage += x[i].wage;
		}
	}
}

/* years, totals, gaps and the longest run of hard months, from the months */
static void history_totals(struct rules_history *out, int64_t credit)
{
	out->years = xcalloc((size_t)out->nmonths, sizeof *out->years);
	out->gaps = xcalloc((size_t)out->nmonths, sizeof *out->gaps);
	int64_t total_milli = 0, run = 0;
	int prev = -1; /* index of the previous month with days */
	for (int i = 0; i < out->nmonths; i++) {
		const struct rules_history_month *m = &out->months[i];
		out->wages += m->wage;
		if (m->days == 0)
			continue;
		struct rules_history_year *y =
		    out->nyears && out->years[out->nyears - 1].year == m->year
			? &out->years[out->nyears - 1]
			: &out->years[out->nyears++];
		y->year = m->year;
		y->months++;
		y->days += m->days;
		y->hard_days += m->hard_days;
		out->days += m->days;
		out->hard_days += m->hard_days;
		total_milli += milli(m->days, m->hard_days, credit);
		int mi = month_index(m->year, m->month);
		if (prev >= 0 && mi - prev > 1) {
			struct rules_history_gap *g = &out->gaps[out->ngaps++];
			g->from_year = (prev + 1) / 12;
			g->from_month = (prev + 1) % 12 + 1;
			g->to_year = (mi - 1) / 12;
			g->to_month = (mi - 1) % 12 + 1;
			g->months = mi - prev - 1;
		}
		/* a hard run goes on through consecutive months with hard days */
		if (m->hard_days > 0)
			run = (prev >= 0 && mi - prev == 1 ? run : 0) + m->hard_days;
		else
			run = 0;
		if (run > out->hard_continuous_days)
			out->hard_continuous_days = run;
		prev = mi;
	}
	for (int i = 0; i < out->nyears; i++) {
		struct rules_history_year *y = &out->years[i];
		y->credited_days = milli(y->days, y->hard_days, credit) / 1000;
	}
	out->credited_days = total_milli / 1000;
	int d = out->days_per_month, mo = out->months_per_year;
	out->record = rules_ymd_of(out->days, d, mo);
	out->hard = rules_ymd_of(out->hard_days, d, mo);
	out->hard_continuous = rules_ymd_of(out->hard_continuous_days, d, mo);
	out->credited = rules_ymd_of(out->credited_days, d, mo);
}

/* The steps of the units, the record and its gaps. */
static void steps_record(const struct rules_history *out, const struct rules_value *dpm,
			 struct rules_steps *steps)
{
	int d = out->days_per_month, mo = out->months_per_year;
	struct rules_step *st = rules_step_add(steps, dpm);
	rules_step_fa(st,
		      "سابقه به روز شمرده می‌شود: هر %d روز یک ماه و هر %d ماه یک "
		      "سال؛ "
		      "روزهای "
		      "هر "
		      "ماه تقویمی، از همه کارگاه‌ها، حداکثر به "
		      "اندازه "
		      "همان "
		      "ماه.",
		      d, mo);
	rules_step_en(st,
		      "The record is counted in days: %d days make a month and %d months a year; "
		      "a calendar month counts its days in every workshop, at most its length.",
		      d, mo);
	rules_step_num(st, "days_per_month", d, "days");
	rules_step_num(st, "months_per_year", mo, "months");
	st = rules_step_add(steps, NULL);
	rules_step_fa(st,
		      "سابقه پرداخت حق بیمه: %lld روز، یعنی %d سال و %d ماه و %d روز، در %d ماه.",
		      (long long)out->days, out->record.years, out->record.months, out->record.days,
		      out->nmonths);
	rules_step_en(st,
		      "The contribution record: %lld days, that is %d years, %d months and %d "
		      "days, in %d months.",
		      (long long)out->days, out->record.years, out->record.months, out->record.days,
		      out->nmonths);
	rules_step_num(st, "days", out->days, "days");
	if (out->ngaps) {
		int gm = 0;
		for (int i = 0; i < out->ngaps; i++)
			gm += out->gaps[i].months;
		st = rules_step_add(steps, NULL);
		rules_step_fa(st, "%d ماه بدون سابقه در %d بازه بین اولین و آخرین ماه.", gm,
			      out->ngaps);
		rules_step_en(st,
			      "%d months without days in %d gaps between the first and the last "
			      "month.",
			      gm, out->ngaps);
		rules_step_num(st, "gap_months", gm, "months");
	}
}

/* The steps of the hard-job credit: each year's, then the record with it. */
static void steps_hard(const struct rules_history *out, const struct rules_value *credit,
		       struct rules_steps *steps)
{
	struct rules_step *st;
	for (int i = 0; i < out->nyears; i++) {
		const struct rules_history_year *y = &out->years[i];
		if (!y->hard_days)
			continue;
		st = rules_step_add(steps, credit);
		int64_t extra = y->credited_days - y->days;
		rules_step_fa(st,
			      "سال %d: %d روز کار سخت و زیان‌آور، هر روز %lld.%03lld "
			      "روز: "
			      "%lld "
			      "روز "
			      "سابقه افزوده؛ سابقه آن سال %lld روز.",
			      y->year, y->hard_days, (long long)(credit->value / 1000),
			      (long long)(credit->value % 1000), (long long)extra,
			      (long long)y->credited_days);
		rules_step_en(
		    st,
		    "%d: %d days of hard and harmful work, each counting %lld.%03lld days: "
		    "%lld days added; the year's record is %lld days.",
		    y->year, y->hard_days, (long long)(credit->value / 1000),
		    (long long)(credit->value % 1000), (long long)extra,
		    (long long)y->credited_days);
		rules_step_num(st, "hard_days", y->hard_days, "days");
		rules_step_num(st, "credit", credit->value, "per_mille");
		rules_step_num(st, "credited_days", y->credited_days, "days");
	}
	if (out->hard_days) {
		st = rules_step_add(steps, credit);
		rules_step_fa(
		    st,
		    "سابقه با احتساب کار سخت: %lld روز (%d سال و %d ماه و %d روز)؛ "
		    "طولانی‌ترین دوره پیوسته کار سخت %lld روز.",
		    (long long)out->credited_days, out->credited.years, out->credited.months,
		    out->credited.days, (long long)out->hard_continuous_days);
		rules_step_en(
		    st,
		    "The record with the hard-job credit: %lld days (%d years, %d months, "
		    "%d days); the longest continuous hard work: %lld days.",
		    (long long)out->credited_days, out->credited.years, out->credited.months,
		    out->credited.days, (long long)out->hard_continuous_days);
		rules_step_num(st, "credited_days", out->credited_days, "days");
		rules_step_num(st, "hard_days", out->hard_days, "days");
		rules_step_num(st, "hard_continuous_days", out->hard_continuous_days, "days");
	}
}

int rules_history_summarise(const struct rules *r, const struct rules_record *in, int n,
			    struct jdate on, struct rules_history *out, struct rules_steps *steps,
			    struct err *e)
{
	memset(out, 0, sizeof *out);
	out->on = on;
	struct units u;
	if (history_units(r, on, &u, out, e) < 0)
		return -1;
	if (n < 0)
		return err_set(e, 400, "invalid_records", "records", "a negative count");
	for (int i = 0; i < n; i++)
		if (check_record(&in[i], i, e) < 0)
			return -1;

	struct rules_record *x = xcalloc((size_t)n, sizeof *x);
	if (n)
		memcpy(x, in, (size_t)n * sizeof *x);
	for (int i = 0; i < n; i++)
		x[i].workshop[sizeof x[i].workshop - 1] = 0;
	history_by_month(x, n, out);
	history_by_workshop(x, n, out);
	free(x);
	history_totals(out, u.credit.value);
	if (steps) {
		steps_record(out, &u.dpm, steps);
		steps_hard(out, &u.credit, steps);
	}
	return 0;
}

void rules_history_release(struct rules_history *h)
{
	free(h->months);
	free(h->rows);
	free(h->years);
	free(h->gaps);
	memset(h, 0, sizeof *h);
}

static void ymd_json(struct jw *w, const char *key, int64_t days, struct rules_ymd y)
{
	jw_object(w, key);
	jw_int(w, "total_days", days);
	jw_int(w, "years", y.years);
	jw_int(w, "months", y.months);
	jw_int(w, "days", y.days);
	jw_end(w);
}

void rules_history_json(struct jw *w, const char *key, const struct rules_history *h,
			const struct rules_steps *steps)
{
	char b[11];
	jw_object(w, key);
	jw_str(w, "on", rules_date(b, h->on));
	jw_int(w, "days_per_month", h->days_per_month);
	jw_int(w, "months_per_year", h->months_per_year);
	jw_int(w, "hard_job_credit_per_mille", h->credit_per_mille);
	ymd_json(w, "record", h->days, h->record);
	ymd_json(w, "hard_job", h->hard_days, h->hard);
	ymd_json(w, "hard_job_continuous", h->hard_continuous_days, h->hard_continuous);
	ymd_json(w, "credited", h->credited_days, h->credited);
	jw_int(w, "wages", h->wages);
	jw_array(w, "by_workshop");
	for (int i = 0; i < h->nrows; i++) {
		const struct rules_history_row *x = &h->rows[i];
		jw_object(w, NULL);
		jw_str(w, "workshop", x->workshop);
		jw_int(w, "year", x->year);
		jw_int(w, "months", x->months);
		jw_int(w, "days", x->days);
		jw_int(w, "hard_days", x->hard_days);
		jw_int(w, "wage", x->wage);
		jw_end(w);
	}
	jw_end(w);
	jw_array(w, "years");
	for (int i = 0; i < h->nyears; i++) {
		const struct rules_history_year *y = &h->years[i];
		jw_object(w, NULL);
		jw_int(w, "year", y->year);
		jw_int(w, "months", y->months);
		jw_int(w, "days", y->days);
		jw_int(w, "hard_days", y->hard_days);
		jw_int(w, "credited_days", y->credited_days);
		jw_end(w);
	}
	jw_end(w);
	jw_array(w, "gaps");
	for (int i = 0; i < h->ngaps; i++) {
		const struct rules_history_gap *g = &h->gaps[i];
		char f[16], t[16];
		snprintf(f, sizeof f, "%04d/%02d", g->from_year, g->from_month);
		snprintf(t, sizeof t, "%04d/%02d", g->to_year, g->to_month);
		jw_object(w, NULL);
		jw_str(w, "from", f);
		jw_str(w, "to", t);
		jw_int(w, "months", g->months);
		jw_end(w);
	}
	jw_end(w);
	jw_array(w, "months");
	for (int i = 0; i < h->nmonths; i++) {
		const struct rules_history_month *m = &h->months[i];
		char ym[16];
		snprintf(ym, sizeof ym, "%04d/%02d", m->year, m->month);
		jw_object(w, NULL);
		jw_str(w, "month", ym);
		jw_int(w, "days", m->days);
		jw_int(w, "hard_days", m->hard_days);
		jw_int(w, "wage", m->wage);
		jw_int(w, "workshops", m->workshops);
		jw_end(w);
	}
	jw_end(w);
	if (steps)
		rules_steps_json(w, "steps", steps);
	jw_end(w);
}
