/* Retirement eligibility (Article 76 and the reform), the pension (Article 77), the yearly
 * increase and the equalisation, on the real data, each by a worked example.
 *
 * Most examples ask on 1404/07/01, before the reform (data: from 1405/01/01), with a record
 * that ends in Shahrivar 1404 and holds an exact number of days (30 a month). Months from
 * Mehr 1404 on are assumed worked in full: Mehr to Bahman 30 days each. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "rulesfix.h"

#define MAXREC 1200

struct fixture {
	struct rules *r;
	struct rules_record rec[MAXREC];
	int n;
	struct rules_history h;
	struct rules_eligibility el;
	struct rules_steps steps;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	if (!f)
		return -1;
	f->r = real_rules();
	rules_steps_init(&f->steps);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	rules_history_release(&f->h);
	rules_steps_release(&f->steps);
	rules_free(f->r);
	free(f);
	return 0;
}

static void reset(struct fixture *f)
{
	rules_history_release(&f->h);
	rules_steps_release(&f->steps);
	f->n = 0;
}

/* Summarises f->rec and asks about eligibility on `on`. */
static const struct rules_eligibility *ask(struct fixture *f, struct jdate birth,
					   enum rules_sex sex, struct jdate on, int exempt,
					   int future_hard)
{
	struct err e;
	err_clear(&e);
	rules_history_release(&f->h);
	rules_steps_release(&f->steps);
	if (rules_history_summarise(f->r, f->rec, f->n, on, &f->h, NULL, &e) < 0)
		fail_msg("history: %s", e.message);
	struct rules_eligibility_in in = {birth, sex, on, &f->h, exempt, future_hard};
	if (rules_eligibility(f->r, &in, &f->el, &f->steps, &e) < 0)
		fail_msg("eligibility: %s", e.message);
	assert_steps_ok(&f->steps);
	return &f->el;
}

/* A record of `days` days ending in 1404/06. */
static void record(struct fixture *f, int64_t days, int hard)
{
	reset(f);
	record_back(f->rec, &f->n, 1404, 6, days, 100000000, hard);
}

#define D0 J(1404, 7, 1)

/* Men 60 with 20 years: the full pension's condition. */
static void test_age_full(void **state)
{
	struct fixture *f = *state;
	record(f, 7500, 0);
	const struct rules_eligibility *el = ask(f, J(1344, 1, 10), RULES_MALE, D0, 0, -1);
	assert_int_equal(el->record_days, 7500);
	assert_int_equal(el->age.years, 60);
	assert_true(el->eligible);
	assert_int_equal(el->best, RULES_COND_AGE);
	assert_true(el->cond[RULES_COND_AGE].met);
	assert_int_equal(el->cond[RULES_COND_AGE].age, 60);
	assert_int_equal(el->cond[RULES_COND_AGE].need_days, 7200);
	assert_false(el->cond[RULES_COND_AGE].reduced);
	assert_true(el->cond[RULES_COND_AGE_REDUCED].met);
	assert_false(el->cond[RULES_COND_EARLY].met);
	assert_false(el->cond[RULES_COND_WOMEN].applies);
	assert_jdate(el->earliest, D0);
	/* women 55 */
	const struct rules_eligibility *w = ask(f, J(1349, 1, 10), RULES_FEMALE, D0, 0, -1);
	assert_true(w->cond[RULES_COND_AGE].met);
	assert_int_equal(w->cond[RULES_COND_AGE].age, 55);
}

/* Men 60 with 12 years: only the reduced pension; the full one after the reform. */
static void test_age_reduced(void **state)
{
	struct fixture *f = *state;
	record(f, 4320, 0);
	const struct rules_eligibility *el = ask(f, J(1344, 1, 10), RULES_MALE, D0, 0, -1);
	assert_true(el->eligible);
	assert_int_equal(el->best, RULES_COND_AGE_REDUCED);
	assert_true(el->cond[RULES_COND_AGE_REDUCED].reduced);
	assert_int_equal(el->cond[RULES_COND_AGE_REDUCED].need_days, 3600);
	assert_false(el->cond[RULES_COND_AGE].met);
	/* the 2,880 days missing today take past the reform's first day, where his record is
	 * 12 years (4,320 + Mehr to Esfand 1404), below 15: 60 months more, and the men's age
	 * is 62 then. What is missing is said against the rules that will apply. */
	const struct rules_condition *c = &el->cond[RULES_COND_AGE];
	assert_int_equal(c->missing_days, 9000 - 4320);
	assert_true(c->reform);
	assert_int_equal(c->extra_months, 60);
	assert_int_equal(c->need_days, 7200 + 60 * 30);
	assert_int_equal(c->age, 62);
	/* the earliest full pension: the first of a month when the projected record reaches
	 * 9,000 days (the 62nd birthday comes long before) */
	assert_true(el->has_earliest_full);
	assert_int_equal(el->earliest_full.d, 1);
	int64_t have = 4320;
	struct jdate m = {1404, 7, 1};
	while (have < 9000) {
		have += jalali_month_days(m.y, m.m);
		m = m.m == 12 ? J(m.y + 1, 1, 1) : J(m.y, m.m + 1, 1);
	}
	assert_jdate(el->earliest_full, m);
	assert_jdate(c->earliest, m);
	/* the reduced pension was met before the reform: it stays under the earlier rules */
	assert_false(el->cond[RULES_COND_AGE_REDUCED].reform);
	assert_int_equal(el->cond[RULES_COND_AGE_REDUCED].age, 60);
}

/* Not yet 60: the earliest day is the birthday, before the reform; after it, 62. */
static void test_age_not_yet(void **state)
{
	struct fixture *f = *state;
	record(f, 7500, 0);
	const struct rules_eligibility *el = ask(f, J(1344, 9, 10), RULES_MALE, D0, 0, -1);
	assert_false(el->eligible);
	assert_int_equal(el->age.years, 59);
	assert_int_equal(el->cond[RULES_COND_AGE].missing_days, 0);
	assert_jdate(el->cond[RULES_COND_AGE].earliest, J(1404, 9, 10));
	assert_jdate(el->earliest, J(1404, 9, 10));
	assert_false(el->cond[RULES_COND_AGE].reform);
	/* born four months later, he turns 60 after the reform began: 62 applies; with 21
	 * years on its first day (band 20-25) nothing is missing from the 20 years */
	el = ask(f, J(1345, 1, 10), RULES_MALE, D0, 0, -1);
	const struct rules_condition *c = &el->cond[RULES_COND_AGE];
	assert_true(c->reform);
	assert_int_equal(c->age, 62);
	assert_int_equal(c->extra_months, 0);
	assert_jdate(c->earliest, J(1407, 1, 10));
	assert_jdate(c->age_on, J(1407, 1, 10));
	/* a veteran or disabled person keeps 60 */
	el = ask(f, J(1345, 1, 10), RULES_MALE, D0, 1, -1);
	assert_false(el->cond[RULES_COND_AGE].reform);
	assert_jdate(el->cond[RULES_COND_AGE].earliest, J(1405, 1, 10));
}

/* 30 years at men 50 / women 45. */
static void test_early(void **state)
{
	struct fixture *f = *state;
	record(f, 10800, 0);
	const struct rules_eligibility *el = ask(f, J(1354, 1, 1), RULES_MALE, D0, 0, -1);
	assert_true(el->eligible);
	assert_int_equal(el->best, RULES_COND_EARLY);
	assert_int_equal(el->cond[RULES_COND_EARLY].age, 50);
	assert_int_equal(el->cond[RULES_COND_EARLY].need_days, 10800);
	assert_false(el->cond[RULES_COND_AGE].met);
	/* 49: met on the 50th birthday */
	el = ask(f, J(1354, 8, 1), RULES_MALE, D0, 0, -1);
	assert_false(el->eligible);
	assert_jdate(el->cond[RULES_COND_EARLY].earliest, J(1404, 8, 1));
	assert_jdate(el->earliest, J(1404, 8, 1));
	/* one day short of 30 years at 50: the end of Mehr completes it */
	record(f, 10799, 0);
	el = ask(f, J(1354, 1, 1), RULES_MALE, D0, 0, -1);
	assert_false(el->cond[RULES_COND_EARLY].met);
	assert_int_equal(el->cond[RULES_COND_EARLY].missing_days, 1);
	assert_jdate(el->cond[RULES_COND_EARLY].earliest, J(1404, 8, 1));
	/* women at 45 */
	record(f, 10800, 0);
	el = ask(f, J(1359, 1, 1), RULES_FEMALE, D0, 0, -1);
	assert_true(el->cond[RULES_COND_EARLY].met);
	assert_int_equal(el->cond[RULES_COND_EARLY].age, 45);
	/* 44: not by the early condition, but by the women's (42 and 20 years) */
	el = ask(f, J(1359, 9, 1), RULES_FEMALE, D0, 0, -1);
	assert_false(el->cond[RULES_COND_EARLY].met);
	assert_jdate(el->cond[RULES_COND_EARLY].earliest, J(1404, 9, 1));
	assert_true(el->eligible);
	assert_int_equal(el->best, RULES_COND_WOMEN);
}

/* 35 years at any age; the earliest day if contributions go on. */
static void test_any_age(void **state)
{
	struct fixture *f = *state;
	record(f, 12600, 0);
	const struct rules_eligibility *el = ask(f, J(1360, 1, 1), RULES_MALE, D0, 0, -1);
	assert_true(el->eligible);
	assert_int_equal(el->best, RULES_COND_ANY_AGE);
	assert_int_equal(el->cond[RULES_COND_ANY_AGE].age, 0);
	assert_int_equal(el->age.years, 44);
	/* 60 days short: Mehr and Aban (30 each) complete it, so from 1 Azar */
	record(f, 12540, 0);
	el = ask(f, J(1360, 1, 1), RULES_MALE, D0, 0, -1);
	assert_false(el->eligible);
	assert_int_equal(el->cond[RULES_COND_ANY_AGE].missing_days, 60);
	assert_jdate(el->cond[RULES_COND_ANY_AGE].earliest, J(1404, 9, 1));
	assert_jdate(el->earliest, J(1404, 9, 1));
	/* asked in the middle of Mehr: Mehr has not ended, the answer is the same */
	el = ask(f, J(1360, 1, 1), RULES_MALE, J(1404, 7, 15), 0, -1);
	assert_jdate(el->earliest, J(1404, 9, 1));
	/* a gap before the date is not filled: asked on 1404/09/01 with no Mehr or Aban */
	el = ask(f, J(1360, 1, 1), RULES_MALE, J(1404, 9, 1), 0, -1);
	assert_false(el->eligible);
	assert_int_equal(el->record_days, 12540);
	assert_jdate(el->earliest, J(1404, 11, 1));
}

/* Women 42 with 20 years. */
static void test_women(void **state)
{
	struct fixture *f = *state;
	record(f, 7200, 0);
	const struct rules_eligibility *el = ask(f, J(1362, 1, 1), RULES_FEMALE, D0, 0, -1);
	assert_true(el->eligible);
	assert_int_equal(el->best, RULES_COND_WOMEN);
	assert_int_equal(el->cond[RULES_COND_WOMEN].age, 42);
	assert_int_equal(el->cond[RULES_COND_WOMEN].need_days, 7200);
	/* 41 */
	el = ask(f, J(1362, 8, 1), RULES_FEMALE, D0, 0, -1);
	assert_false(el->eligible);
	assert_jdate(el->cond[RULES_COND_WOMEN].earliest, J(1404, 8, 1));
	/* 19 years and 11 months at 42: from 1 Aban */
	record(f, 7170, 0);
	el = ask(f, J(1362, 1, 1), RULES_FEMALE, D0, 0, -1);
	assert_false(el->eligible);
	assert_jdate(el->cond[RULES_COND_WOMEN].earliest, J(1404, 8, 1));
	/* a man of 42 with 20 years: the condition is not his */
	record(f, 7200, 0);
	el = ask(f, J(1362, 1, 1), RULES_MALE, D0, 0, -1);
	assert_false(el->cond[RULES_COND_WOMEN].applies);
	assert_false(el->eligible);
}

/* Hard and harmful work: 20 continuous or 25 non-continuous years, any age; each such
 * year counts 1.5. */
static void test_hard_job(void **state)
{
	struct fixture *f = *state;
	record(f, 7200, 1);
	const struct rules_eligibility *el = ask(f, J(1370, 1, 1), RULES_MALE, D0, 0, -1);
	assert_int_equal(el->credited_days, 10800);
	assert_int_equal(el->hard_continuous_days, 7200);
	assert_true(el->eligible);
	assert_int_equal(el->best, RULES_COND_HARD_JOB);
	assert_int_equal(el->cond[RULES_COND_HARD_JOB].need_days, 7200);
	assert_int_equal(el->cond[RULES_COND_HARD_JOB].need2_days, 9000);
	assert_false(el->cond[RULES_COND_EARLY].met); /* 30 credited years, but 34 years old */
	/* 25 years in two spells with a gap: non-continuous */
	reset(f);
	record_back(f->rec, &f->n, 1404, 6, 4500, 100000000, 1); /* 150 months: from 1392/01 */
	record_back(f->rec, &f->n, 1391, 10, 4500, 100000000, 1);
	el = ask(f, J(1370, 1, 1), RULES_MALE, D0, 0, -1);
	assert_int_equal(el->hard_days, 9000);
	assert_int_equal(el->hard_continuous_days, 4500);
	assert_true(el->cond[RULES_COND_HARD_JOB].met);
	/* 19 continuous years: not met; going on in hard work, 360 days more (Mehr 1404 to
	 * Shahrivar 1405), from 1405/07/01; the reform does not apply to hard work */
	record(f, 6840, 1);
	el = ask(f, J(1370, 1, 1), RULES_MALE, D0, 0, -1);
	assert_false(el->cond[RULES_COND_HARD_JOB].met);
	assert_int_equal(el->cond[RULES_COND_HARD_JOB].missing_days, 360);
	assert_jdate(el->cond[RULES_COND_HARD_JOB].earliest, J(1405, 7, 1));
	assert_false(el->cond[RULES_COND_HARD_JOB].reform);
	/* going on in ordinary work: never */
	el = ask(f, J(1370, 1, 1), RULES_MALE, D0, 0, 0);
	assert_false(el->cond[RULES_COND_HARD_JOB].has_earliest);
}

/* The reform, asked on 1406/01/01: extra months by the band of the record on 1405/01/01. */
static void reform_case(struct fixture *f, int64_t days_at_start, int exempt, int early_need,
			int extra)
{
	reset(f);
	record_back(f->rec, &f->n, 1404, 12, days_at_start, 100000000, 0);
	record_forward(f->rec, &f->n, 1405, 1, 12, 100000000, 0);
	const struct rules_eligibility *el =
	    ask(f, J(1360, 1, 1), RULES_MALE, J(1406, 1, 1), exempt, -1);
	assert_int_equal(el->reform, !exempt);
	if (!exempt)
		assert_int_equal(el->reform_credited_days, days_at_start);
	const struct rules_condition *c = &el->cond[RULES_COND_EARLY];
	if (c->need_days != early_need || c->extra_months != extra)
		fail_msg("%lld days at the start: need %lld (want %d), extra %d (want %d)",
			 (long long)days_at_start, (long long)c->need_days, early_need,
			 c->extra_months, extra);
	assert_int_equal(c->reform, !exempt);
}

static void test_reform_bands(void **state)
{
	struct fixture *f = *state;
	reform_case(f, 10 * 360, 0, 10800 + 60 * 30, 60); /* below 15: 5 years */
	reform_case(f, 18 * 360, 0, 10800 + 48 * 30, 48); /* 15-20: 4 × 12 missing years */
	reform_case(f, 22 * 360, 0, 10800 + 24 * 30, 24); /* 20-25: 3 × 8 */
	reform_case(f, 26 * 360, 0, 10800 + 8 * 30, 8);	  /* 25-28: 2 × 4 */
	reform_case(f, 29 * 360, 0, 10800, 0);		  /* above 28: none */
	/* a band's first year is its own: exactly 20 and 25 years take the band they start */
	reform_case(f, 20 * 360, 0, 10800 + 30 * 30, 30); /* 20-25: 3 × 10 */
	reform_case(f, 25 * 360, 0, 10800 + 10 * 30, 10); /* 25-28: 2 × 5 */
	reform_case(f, 22 * 360, 1, 10800, 0);		  /* exempt */
	/* the other conditions of the 22-year case */
	reform_case(f, 22 * 360, 0, 10800 + 24 * 30, 24);
	const struct rules_eligibility *el = &f->el;
	assert_int_equal(el->cond[RULES_COND_ANY_AGE].extra_months, 39); /* 3 × 13 */
	assert_int_equal(el->cond[RULES_COND_ANY_AGE].need_days, 12600 + 39 * 30);
	assert_int_equal(el->cond[RULES_COND_AGE].extra_months, 0); /* 20 years: none missing */
	assert_int_equal(el->cond[RULES_COND_AGE].age, 62);
	assert_int_equal(el->cond[RULES_COND_AGE_REDUCED].extra_months, 0);
	assert_jdate(el->reform_since, J(1405, 1, 1));
}

/* A condition met before the reform began stays met under the earlier rules. */
static void test_reform_acquired_right(void **state)
{
	struct fixture *f = *state;
	reset(f);
	record_back(f->rec, &f->n, 1404, 12, 7500, 100000000, 0);
	const struct rules_eligibility *el =
	    ask(f, J(1344, 1, 10), RULES_MALE, J(1406, 1, 1), 0, -1);
	assert_int_equal(el->age.years, 61);
	assert_true(el->eligible);
	assert_int_equal(el->best, RULES_COND_AGE);
	assert_false(el->cond[RULES_COND_AGE].reform);
	assert_int_equal(el->cond[RULES_COND_AGE].age, 60);
	/* met since the record reached 20 years (1404/03/01), at 60 (since 1404/01/10) */
	assert_jdate(el->cond[RULES_COND_AGE].earliest, J(1404, 3, 1));
}

static void test_eligibility_invalid_and_json(void **state)
{
	struct fixture *f = *state;
	record(f, 7500, 0);
	struct err e;
	err_clear(&e);
	assert_int_equal(rules_history_summarise(f->r, f->rec, f->n, D0, &f->h, NULL, &e), 0);
	struct rules_eligibility_in in = {J(1344, 1, 10), RULES_MALE, D0, &f->h, 0, -1};
	struct rules_eligibility el;
	in.sex = 3;
	assert_int_equal(rules_eligibility(f->r, &in, &el, NULL, &e), -1);
	assert_string_equal(e.field, "sex");
	in.sex = RULES_MALE;
	in.birth = J(1405, 1, 1);
	assert_int_equal(rules_eligibility(f->r, &in, &el, NULL, &e), -1);
	assert_string_equal(e.field, "birth");
	in.birth = J(1344, 1, 10);
	in.on = J(1404, 7, 32);
	assert_int_equal(rules_eligibility(f->r, &in, &el, NULL, &e), -1);
	assert_string_equal(e.field, "on");
	in.on = J(1300, 1, 1); /* before any rule */
	in.birth = J(1250, 1, 1);
	assert_int_equal(rules_eligibility(f->r, &in, &el, NULL, &e), -1);
	assert_string_equal(e.code, "rule_missing");
	/* JSON */
	const struct rules_eligibility *x = ask(f, J(1344, 1, 10), RULES_MALE, D0, 0, -1);
	struct jw w;
	jw_init(&w);
	rules_eligibility_json(&w, NULL, x, &f->steps);
	json_error_t je;
	json_t *j = json_loads(w.buf, 0, &je);
	if (!j)
		fail_msg("%s", je.text);
	assert_true(json_is_true(json_object_get(j, "eligible")));
	assert_string_equal(json_string_value(json_object_get(j, "condition")), "age");
	assert_int_equal(json_array_size(json_object_get(j, "conditions")), 5); /* no women's */
	assert_string_equal(json_string_value(json_object_get(j, "reform_since")), "1405/01/01");
	assert_true(json_array_size(json_object_get(j, "steps")) >= 7);
	json_decref(j);
	jw_release(&w);
}

/* ---- the pension ---- */

/* A record of `days` ending 1404/06 at 10 million a month, the last 24 months at `last`. */
static void pension_record(struct fixture *f, int64_t days, int64_t last, int hard)
{
	reset(f);
	record_back(f->rec, &f->n, 1404, 6, days, 10000000, hard);
	for (int i = 0; i < 24 && i < f->n; i++)
		f->rec[i].wage = last; /* record_back writes the latest month first */
	struct err e;
	err_clear(&e);
	if (rules_history_summarise(f->r, f->rec, f->n, D0, &f->h, NULL, &e) < 0)
		fail_msg("%s", e.message);
}

static struct rules_pension pension(struct fixture *f, struct jdate on, int reduced)
{
	struct rules_pension p;
	struct err e;
	err_clear(&e);
	struct rules_pension_in in = {&f->h, on, reduced};
	if (rules_pension_estimate(f->r, &in, &p, &f->steps, &e) < 0)
		fail_msg("%s", e.message);
	assert_steps_ok(&f->steps);
	return p;
}

/* By hand: average 200,000,000; 20 years; 200,000,000 × 7,200 / 10,800 = 133,333,333.3. */
static void test_pension_by_hand(void **state)
{
	struct fixture *f = *state;
	pension_record(f, 7200, 200000000, 0);
	struct rules_pension p = pension(f, D0, 0);
	assert_int_equal(p.months_used, 24);
	assert_int_equal(p.from_year, 1402);
	assert_int_equal(p.from_month, 7);
	assert_int_equal(p.to_year, 1404);
	assert_int_equal(p.to_month, 6);
	assert_int_equal(p.wages, 24 * 200000000LL);
	assert_int_equal(p.average, 200000000);
	assert_int_equal(p.record_days, 7200);
	assert_false(p.capped);
	assert_int_equal(p.formula, 133333333);
	assert_int_equal(p.minimum_wage, 103990680);
	assert_false(p.floored);
	assert_int_equal(p.amount, 133333333);
	/* the month of the date has not ended: asked on 1404/06/15, Shahrivar is left out */
	p = pension(f, J(1404, 6, 15), 0);
	assert_int_equal(p.to_month, 5);
	assert_int_equal(p.wages, 23 * 200000000LL + 10000000);
	assert_int_equal(p.average, 192083333); /* 4,610,000,000 / 24 = 192,083,333.3 */
	/* JSON */
	struct jw w;
	jw_init(&w);
	rules_pension_json(&w, NULL, &p, &f->steps);
	json_t *j = json_loads(w.buf, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "average")), 192083333);
	assert_string_equal(json_string_value(json_object_get(j, "from")), "1402/06");
	json_decref(j);
	jw_release(&w);
}

/* The cap: 40 years count as 35, 35/30 of the average. */
static void test_pension_cap(void **state)
{
	struct fixture *f = *state;
	pension_record(f, 40 * 360, 200000000, 0);
	struct rules_pension p = pension(f, D0, 0);
	assert_true(p.capped);
	assert_int_equal(p.record_days, 14400);
	assert_int_equal(p.counted_days, 12600);
	assert_int_equal(p.formula, 233333333);
}

/* The minimum pension: the minimum wage of 1404 (103,990,680 a month). */
static void test_pension_floor(void **state)
{
	struct fixture *f = *state;
	pension_record(f, 7200, 50000000, 0);
	struct rules_pension p = pension(f, D0, 0);
	assert_int_equal(p.formula, 33333333);
	assert_true(p.floored);
	assert_int_equal(p.floor, 103990680);
	assert_int_equal(p.amount, 103990680);
}

/* The reduced pension with 12 years: at least 12/30 of the minimum wage. */
static void test_pension_reduced(void **state)
{
	struct fixture *f = *state;
	pension_record(f, 4320, 50000000, 0);
	struct rules_pension p = pension(f, D0, 1);
	assert_int_equal(p.formula, 20000000);
	assert_int_equal(p.floor, 41596272); /* 103,990,680 × 4,320 / 10,800 */
	assert_true(p.floored);
	assert_int_equal(p.amount, 41596272);
	/* with a higher average, the formula itself */
	pension_record(f, 4320, 300000000, 0);
	p = pension(f, D0, 1);
	assert_int_equal(p.formula, 120000000);
	assert_false(p.floored);
	assert_int_equal(p.amount, 120000000);
}

/* Hard work counts 1.5 in the pension too; a short record averages what it has. */
static void test_pension_hard_and_short(void **state)
{
	struct fixture *f = *state;
	pension_record(f, 7200, 200000000, 1);
	struct rules_pension p = pension(f, D0, 0);
	assert_int_equal(p.record_days, 10800);
	assert_int_equal(p.formula, 200000000);
	pension_record(f, 360, 100000000, 0); /* 12 months */
	p = pension(f, D0, 0);
	assert_int_equal(p.months_used, 12);
	assert_int_equal(p.average, 100000000);
	/* nothing to average */
	reset(f);
	struct err e;
	err_clear(&e);
	assert_int_equal(rules_history_summarise(f->r, NULL, 0, D0, &f->h, NULL, &e), 0);
	struct rules_pension_in in = {&f->h, D0, 0};
	assert_int_equal(rules_pension_estimate(f->r, &in, &p, NULL, &e), -1);
	assert_string_equal(e.code, "no_wages");
	assert_int_equal(e.status, 422);
}

/* ---- the yearly increase and the equalisation ---- */

static void test_increase(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct rules_increase inc;
	/* 1404: 32% and 9,316,500 rials; the minimum pension is the minimum wage */
	assert_int_equal(rules_increase_for(f->r, J(1404, 2, 1), &inc, &e), 0);
	assert_int_equal(inc.percent_bp, 3200);
	assert_int_equal(inc.fixed, 9316500);
	assert_int_equal(inc.minimum, 103990680);
	assert_int_equal(rules_increase_apply(&inc, 80000000, 1), 114916500);
	/* 60,000,000 → 88,516,500, below the minimum pension: raised to it, unless reduced */
	assert_int_equal(rules_increase_apply(&inc, 60000000, 1), 103990680);
	assert_int_equal(rules_increase_apply(&inc, 60000000, 0), 88516500);
	/* rounding: 33 × 32% = 10.56 → 11 */
	assert_int_equal(rules_increase_apply(&inc, 33, 0), 33 + 11 + 9316500);
	assert_int_equal(rules_increase_apply(&inc, -1, 1), -1);
	assert_int_equal(rules_increase_explain(&inc, 60000000, 1, &f->steps), 103990680);
	assert_int_equal(f->steps.n, 3);
	assert_steps_ok(&f->steps);
	assert_non_null(strstr(f->steps.v[2].en, "raised to 103,990,680"));
	/* 1403: 22%, no fixed sum */
	assert_int_equal(rules_increase_for(f->r, J(1403, 12, 30), &inc, &e), 0);
	assert_int_equal(rules_increase_apply(&inc, 100000000, 1), 122000000);
	assert_int_equal(inc.minimum, 71661840);
	/* a batch: resolved once, then a loop with no allocation and no lookup */
	assert_int_equal(rules_increase_for(f->r, J(1404, 1, 1), &inc, &e), 0);
	int64_t sum = 0;
	for (int64_t p = 100000000; p < 100000000 + 1000000; p++)
		sum += rules_increase_apply(&inc, p, 1) - p;
	assert_true(sum > 0);
	int64_t one = rules_increase_apply(&inc, 100000000, 1) - 100000000;
	assert_true(sum >= one * 1000000);
}

static void test_equalisation(void **state)
{
	struct fixture *f = *state;
	struct err e;
	struct rules_equalisation q;
	int64_t grant_mw;
	/* granted 20,000,000 in Mordad 1396, when the minimum wage was 9,299,310 a month */
	assert_int_equal(rules_minimum_wage(f->r, J(1396, 5, 1), &grant_mw, &e), 0);
	assert_int_equal(grant_mw, 9299310);
	/* step 1 (Azar 1403): today's minimum 71,661,840 makes it 154,122,919; the gap to
	 * 80,000,000 is 74,122,919; 90% × 40% of it = 26,684,251 */
	assert_int_equal(rules_equalisation_for(f->r, J(1403, 9, 1), &q, &e), 0);
	assert_int_equal(q.step, 1);
	assert_int_equal(q.cumulative_bp, 4000);
	assert_int_equal(rules_equalisation_apply(&q, 20000000, grant_mw, 80000000), 106684251);
	/* step 2 (1404): 223,652,465; gap 143,652,465; 90% × 70% = 90,501,053 */
	assert_int_equal(rules_equalisation_for(f->r, J(1404, 3, 1), &q, &e), 0);
	assert_int_equal(q.step, 2);
	assert_int_equal(rules_equalisation_explain(&q, 20000000, grant_mw, 80000000, &f->steps),
			 170501053);
	assert_steps_ok(&f->steps);
	/* no gap: unchanged, and the explanation says the gap is none, not less than none */
	assert_int_equal(rules_equalisation_apply(&q, 20000000, grant_mw, 300000000), 300000000);
	rules_steps_release(&f->steps);
	rules_steps_init(&f->steps);
	assert_int_equal(rules_equalisation_explain(&q, 20000000, grant_mw, 300000000, &f->steps),
			 300000000);
	int gaps = 0;
	for (int i = 0; i < f->steps.n; i++)
		for (int k = 0; k < f->steps.v[i].nnum; k++)
			if (!strcmp(f->steps.v[i].num[k].name, "gap")) {
				assert_int_equal(f->steps.v[i].num[k].value, 0);
				gaps++;
			}
	assert_int_equal(gaps, 1);
	assert_int_equal(rules_equalisation_apply(&q, 20000000, 0, 80000000), -1);
	/* the third step, 1405 */
	assert_int_equal(rules_equalisation_for(f->r, J(1405, 1, 1), &q, &e), 0);
	assert_int_equal(q.step, 3);
	assert_int_equal(q.cumulative_bp, 10000);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_age_full),
	    T(test_age_reduced),
	    T(test_age_not_yet),
	    T(test_early),
	    T(test_any_age),
	    T(test_women),
	    T(test_hard_job),
	    T(test_reform_bands),
	    T(test_reform_acquired_right),
	    T(test_eligibility_invalid_and_json),
	    T(test_pension_by_hand),
	    T(test_pension_cap),
	    T(test_pension_floor),
	    T(test_pension_reduced),
	    T(test_pension_hard_and_short),
	    T(test_increase),
	    T(test_equalisation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
