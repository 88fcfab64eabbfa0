/* rules: the law as dated parameters (the TSV files of data/rules/), and the computations on them:
 * contributions, the insurance record, retirement eligibility, the pension, the yearly
 * increase and the equalisation. No database: every function here is pure, given the
 * table and its inputs, so the HTTP layer, the command line and a batch over millions
 * of pensions can all call it.
 *
 * The table. Each parameter (a dotted name such as contribution.insured.bp) has values,
 * each from a start date on, with its unit, its legal reference and the source of the
 * figure (OpenFisca style). A value stays in force until the parameter's next start; a
 * value "-" ends the parameter. Changing a rate for next year is a new line in a file.
 * The loaded table is immutable: any thread may read it without a lock; the strings it
 * hands out (names, units, references) live as long as the table.
 *
 * Units. Rates are basis points ("bp": 700 = 7%), ratios per mille ("per_mille": 1500 =
 * 1.5), money is int64 rials ("rial"; 1 toman = 10 rials), durations "years", "months" or
 * "days", plain numbers "times" or "count". No float anywhere.
 *
 * Rounding. Every division of money rounds to the nearest rial, halves up (all amounts are
 * non-negative). Products are formed in 128 bits first, so no intermediate overflows. A
 * record's hard-job extra is kept in thousandths of a day and shown rounded down (a
 * record never claims a day not earned).
 *
 * The record's units (record.days_per_month, record.months_per_year: 30 and 12). A record
 * is counted in days; 30 days make a month and 12 months a year, so a year of record is
 * 360 days. A calendar month counts the days worked in it, at most its own length (31 in
 * the first six Jalali months), so a full calendar year gives 365 or 366 days, a little
 * over a year of record, and 30 years of record are 10,800 days. This is the SSO's way of
 * counting as the issue and public guides describe it ("30 years = 10,800 days");
 * unverified against an SSO circular, and kept as data.
 *
 * Explanations. Every computation takes an optional struct rules_steps (NULL: none, the
 * fast path): each step is a short Persian sentence, an English one, the numbers it used
 * and the legal reference of the parameter it read, so that an agent can explain the
 * result. Sentences use ASCII digits (the API sends ASCII digits; the web app shows
 * Persian ones).
 *
 * Errors. Functions return 0 or -1 and fill a struct err: a missing parameter on a date is
 * 422 "rule_missing" (field: the parameter's name), an unknown parameter 500
 * "rule_unknown", an input out of range 400 naming the field, a data file's fault 500
 * "data" naming the file and line. Nothing here aborts on data or input. */
#ifndef TAMIN_RULES_RULES_H
#define TAMIN_RULES_RULES_H

#include "base/err.h"
#include "base/jalali.h"
#include "base/jw.h"

#include <stdint.h>
#include <stdio.h>

/* ---- the table ---- */

struct rules;

/* Reads every *.tsv file of dir (in name order; see data/README.md for the columns).
 * NULL with e on any fault: the message names the file and line. */
struct rules *rules_load(const char *dir, struct err *e);
void rules_free(struct rules *r); /* NULL is ignored */

struct rules_value {
	const char *name;
	int64_t value;
	const char *unit;
	struct jdate since;    /* the first day this value is in force */
	const char *reference; /* the legal reference */
	const char *source;    /* where the figure comes from (ESTIMATE / unverified marks) */
};

/* The value of `name` in force on `date` (a Jalali calendar date). 0, or -1 with e:
 * 500 "rule_unknown" when no such parameter exists, 422 "rule_missing" when it has no
 * value in force on that date (before its first start, or after a "-"), 400 "date" for
 * a date that is not a real Jalali date. */
int rules_value(const struct rules *r, const char *name, struct jdate date, struct rules_value *out,
		struct err *e);
/* The monthly minimum wage on a date: 30 × wage.minimum.daily (the Supreme Labour
 * Council states a daily wage; a month is 30 days of it). */
int rules_minimum_wage(const struct rules *r, struct jdate date, int64_t *monthly, struct err *e);

/* Every parameter whose name starts with prefix ("" for all), with all its dated values:
 * {"parameters":[{"name","unit","values":[{"since","since_gregorian","value"|null,
 * "reference","source"}]}]}. */
void rules_table_json(struct jw *w, const char *key, const struct rules *r, const char *prefix);
void rules_value_json(struct jw *w, const char *key, const struct rules_value *v);
int rules_count(const struct rules *r, int *values); /* parameters, and values in *values */

/* ---- explanations ---- */

#define RULES_STEP_NUMS 6
struct rules_num {
	const char *name; /* e.g. "wage", "rate" */
	int64_t value;
	const char *unit; /* as the table's units */
};
struct rules_step {
	char fa[448];
	char en[320];
	struct rules_num num[RULES_STEP_NUMS];
	int nnum;
	const char *param;     /* the parameter it read, or NULL for arithmetic */
	struct jdate since;    /* that value's start */
	const char *reference; /* its legal reference, or NULL */
};
struct rules_steps {
	struct rules_step *v;
	int n, cap;
};
void rules_steps_init(struct rules_steps *s);
void rules_steps_release(struct rules_steps *s);
/* [{"fa","en","numbers":[{"name","value","unit"}],"parameter","since","reference"}] */
void rules_steps_json(struct jw *w, const char *key, const struct rules_steps *s);

/* ---- contributions (Social Security Law Art. 28; Unemployment Insurance Law Art. 5) ---- */

enum rules_scheme {
	RULES_EMPLOYEE = 0, /* a worker on an employer's list */
	RULES_SELF_12,	    /* self-employed, pension only: contribution.self_employed_12.bp */
	RULES_SELF_14,	    /* pension and death */
	RULES_SELF_18,	    /* pension, disability and death */
	RULES_VOLUNTARY,    /* voluntary continuation: contribution.voluntary.bp */
};

/* One row of a monthly list (DSKWOR00), or one month of a self-employed contract. */
struct rules_worker_row {
	int year, month; /* the Jalali month the row is for: parameters of its first day */
	int days;	 /* days worked (DSW_DD), 0 .. the month's length */
	int64_t wage;	 /* insurable wage declared for those days (DSW_MASH), rials */
	int hard_job;	 /* 1: hard and harmful work (employer +4%) */
	enum rules_scheme scheme;
};

struct rules_contribution {
	int rows;		  /* rows counted (1 for a row) */
	int64_t declared;	  /* wages as declared */
	int64_t minimum, ceiling; /* days × daily minimum wage, and × the daily ceiling */
	int64_t insurable;	  /* declared, clamped to [minimum, ceiling] row by row */
	int raised, cut;	  /* rows raised to the minimum, rows cut to the ceiling */
	int64_t worker;		  /* the insured's share (the whole rate when self-employed) */
	int64_t employer;	  /* the employer's 20% */
	int64_t unemployment;	  /* the employer's 3% */
	int64_t hard_job;	  /* the employer's 4% on hard-job rows */
	int64_t government;	  /* the state's 3%: owed by the government, not remitted */
	int64_t remit;		  /* what is paid in: worker + employer + unemployment + hard_job */
	int rate_percent;	  /* DSK_RATE: (employer + unemployment) in percent, 23 */
};

/* One row. out's shares are each rounded (halves up) from the row's insurable wage. */
int rules_contribution_row(const struct rules *r, const struct rules_worker_row *row,
			   struct rules_contribution *out, struct rules_steps *steps,
			   struct err *e);
/* A workshop's list for one month (every row the same year and month; 400 "month"
 * otherwise): the worker's share is summed row by row (DSW_BIME → DSK_TBIME), the
 * employer's shares are taken on the total insurable wage (DSK_TMASH → DSK_TKOSO, DSK_BIC;
 * DSK_BIMH on the hard-job rows' total). each (n entries, may be NULL) gets every row's
 * own result. Steps: the parameters once, each clamped row (the first 50), the totals. */
int rules_contribution_list(const struct rules *r, const struct rules_worker_row *rows, int n,
			    struct rules_contribution *total, struct rules_contribution *each,
			    struct rules_steps *steps, struct err *e);
void rules_contribution_json(struct jw *w, const char *key, const struct rules_contribution *c,
			     const struct rules_steps *steps);

/* ---- the insurance record ---- */

/* One line of a person's record: a month in a workshop (or a contract: workshop ""). */
struct rules_record {
	int year, month;
	char workshop[16]; /* up to 10 digits, or "" */
	int days;	   /* 0 .. the month's length */
	int64_t wage;	   /* insurable wage of the month, rials */
	int hard_job;
};

struct rules_ymd {
	int years, months, days;
};

/* A calendar month, all workshops together. */
struct rules_history_month {
	int year, month;
	int days;      /* worked, at most the month's length */
	int hard_days; /* of which in hard work */
	int64_t wage;  /* insurable wages of every workshop */
	int workshops; /* lines merged */
};
/* A workshop's year. */
struct rules_history_row {
	char workshop[16];
	int year;
	int months; /* months with days */
	int days, hard_days;
	int64_t wage;
};
/* A year, all workshops together: its days, hard days and credited record. */
struct rules_history_year {
	int year;
	int months, days, hard_days;
	int64_t credited_days; /* days + the hard-job extra, rounded down */
};
/* Months with no days between the first and the last month of the record. */
struct rules_history_gap {
	int from_year, from_month, to_year, to_month;
	int months;
};

struct rules_history {
	struct jdate on;		     /* the date whose parameters were used */
	int days_per_month, months_per_year; /* the record's units (30, 12) */
	int64_t credit_per_mille;	     /* a hard day counts this much (1500) */
	struct rules_history_month *months;  /* by date, only months with a line */
	int nmonths;
	struct rules_history_row *rows; /* by workshop, then year */
	int nrows;
	struct rules_history_year *years;
	int nyears;
	struct rules_history_gap *gaps;
	int ngaps;
	int64_t days;		      /* the record, in days */
	int64_t hard_days;	      /* of which in hard work */
	int64_t hard_continuous_days; /* the longest run of consecutive hard months, in days */
	int64_t credited_days;	      /* days + hard_days × (credit − 1), rounded down */
	struct rules_ymd record, hard, hard_continuous, credited; /* the same as y/m/d */
	int64_t wages;						  /* every insurable wage */
};

/* Summarises n record lines (any order). Parameters: those in force on `on`. Lines are
 * checked (400 naming "records[i].field"). Release out with rules_history_release, also
 * after a failure. */
int rules_history_summarise(const struct rules *r, const struct rules_record *in, int n,
			    struct jdate on, struct rules_history *out, struct rules_steps *steps,
			    struct err *e);
void rules_history_release(struct rules_history *h);
void rules_history_json(struct jw *w, const char *key, const struct rules_history *h,
			const struct rules_steps *steps);
/* days as years, months and days in the history's units. */
struct rules_ymd rules_ymd_of(int64_t days, int days_per_month, int months_per_year);

/* ---- retirement (Art. 76 and the Seventh Development Plan's reform) ---- */

enum rules_sex { RULES_MALE = 1, RULES_FEMALE = 2 };

enum rules_condition_kind {
	RULES_COND_AGE = 0,	/* men 60 (62 under the reform) / women 55, 20 years: full */
	RULES_COND_AGE_REDUCED, /* the same ages with 10 years: a reduced pension */
	RULES_COND_EARLY,	/* 30 years at men 50 / women 45 */
	RULES_COND_ANY_AGE,	/* 35 years at any age */
	RULES_COND_WOMEN,	/* women 42 with 20 years */
	RULES_COND_HARD_JOB,	/* 20 continuous or 25 non-continuous years of hard work */
	RULES_COND_N
};

struct rules_condition {
	enum rules_condition_kind kind;
	const char *code;      /* "age", "age_reduced", "early", "any_age", "women", "hard_job" */
	int applies;	       /* 0: not for this person (the women's condition for a man) */
	int met;	       /* met on the date */
	int reduced;	       /* its pension is the reduced one */
	int reform;	       /* judged by the reform's rules (0: the earlier rules, or an acquired
				  right: met under them before the reform began) */
	int age;	       /* the age required, in years (0: none) */
	int64_t need_days;     /* the record required, in days (hard job: continuous hard days) */
	int64_t need2_days;    /* hard job: non-continuous hard days; else 0 */
	int extra_months;      /* the reform's extra record, included in need_days */
	int64_t have_days;     /* what the condition counts on the date */
	int64_t have2_days;    /* hard job: all hard days */
	int64_t missing_days;  /* record still missing on the date (0 when enough) */
	struct jdate age_on;   /* the day the age is reached (or birth when no age) */
	int has_earliest;      /* earliest is known within 60 years */
	struct jdate earliest; /* the first day it is met, contributions continuing */
	const char *reference; /* the legal reference of its main parameter */
};

struct rules_eligibility_in {
	struct jdate birth;
	enum rules_sex sex;
	struct jdate on; /* the date asked about */
	const struct rules_history *history;
	int exempt;	 /* a veteran or disabled person: the reform does not apply */
	int future_hard; /* months after the record: -1 as its last month, 0 ordinary, 1 hard */
};

struct rules_eligibility {
	struct jdate on;
	struct rules_ymd age;  /* completed, on the date */
	int64_t record_days;   /* months that ended before the date */
	int64_t credited_days; /* with the hard-job extra */
	int64_t hard_days, hard_continuous_days;
	int reform;		      /* the reform applies to this person on the date */
	struct jdate reform_since;    /* its start, when in the data */
	int64_t reform_credited_days; /* the credited record when it began */
	int eligible;
	enum rules_condition_kind best; /* when eligible: a full condition before the reduced */
	int has_earliest, has_earliest_full;
	struct jdate earliest, earliest_full; /* when not eligible: the first day any condition
						 (a full one) is met, contributions continuing */
	struct rules_condition cond[RULES_COND_N];
};

/* Which condition is met on in->on, or what is missing and the earliest day each will be
 * met if contributions go on every month from the date (a month's full length, as hard
 * work when future_hard says so). Only months that ended before the date count. */
int rules_eligibility(const struct rules *r, const struct rules_eligibility_in *in,
		      struct rules_eligibility *out, struct rules_steps *steps, struct err *e);
void rules_eligibility_json(struct jw *w, const char *key, const struct rules_eligibility *el,
			    const struct rules_steps *steps);

/* ---- the pension (Art. 77) ---- */

struct rules_pension_in {
	const struct rules_history *history;
	struct jdate on; /* the pension's first day; months ended before it count */
	int reduced;	 /* the reduced pension (10 to 20 years at the age) */
};

struct rules_pension {
	int months_used; /* the last months with days, at most pension.average.months (24) */
	int from_year, from_month, to_year, to_month;
	int64_t wages;	      /* their insurable wages */
	int64_t average;      /* wages / 24 (or / months_used when fewer) */
	int64_t record_days;  /* credited record */
	int64_t counted_days; /* at most 35 years */
	int capped;
	int64_t formula;      /* average × counted years / 30 */
	int64_t minimum_wage; /* monthly, on the date */
	int64_t floor;	      /* full: the minimum pension; reduced: years / 30 × minimum wage */
	int floored;
	int64_t amount; /* max(formula, floor) */
};

int rules_pension_estimate(const struct rules *r, const struct rules_pension_in *in,
			   struct rules_pension *out, struct rules_steps *steps, struct err *e);
void rules_pension_json(struct jw *w, const char *key, const struct rules_pension *p,
			const struct rules_steps *steps);

/* ---- the yearly increase (Art. 96) and the equalisation ---- */

/* Resolved once for a batch: then rules_increase_apply is a few integer operations, with
 * no allocation and no lookup, for each of millions of pensions. */
struct rules_increase {
	struct jdate on;
	int64_t percent_bp;		      /* pension.increase.bp */
	int64_t fixed;			      /* pension.increase.fixed, rials */
	int64_t minimum;		      /* the minimum pension on the date */
	struct rules_value pct, fix, minwage; /* what they came from */
};
int rules_increase_for(const struct rules *r, struct jdate on, struct rules_increase *inc,
		       struct err *e);
/* pension + pension × percent (rounded) + fixed, and for a full pension at least the
 * minimum pension. -1 when pension, or the increased pension, is outside 0 .. 10^15. */
int64_t rules_increase_apply(const struct rules_increase *inc, int64_t pension, int full);
/* The same with its steps. */
int64_t rules_increase_explain(const struct rules_increase *inc, int64_t pension, int full,
			       struct rules_steps *steps);

/* The equalisation (متناسب‌سازی, Seventh Development Plan): the pension a pensioner's
 * coefficient at grant (pension / minimum wage then) would give today, granted ×
 * minimum wage now / minimum wage at grant; the gap to the current pension; target
 * (90%) of it, paid by steps (40%, then 70%, then 100% cumulated). */
struct rules_equalisation {
	struct jdate on;
	int step;	       /* equalisation.step in force */
	int64_t cumulative_bp; /* share of the target gap paid by this step, all steps so far */
	int64_t target_bp;     /* share of the gap aimed at (9000) */
	int64_t minimum_wage;  /* monthly, on the date */
	struct rules_value stepv, cumv, targetv, minwage;
};
int rules_equalisation_for(const struct rules *r, struct jdate on, struct rules_equalisation *q,
			   struct err *e);
/* current + the equalisation amount in force. granted: the pension when granted;
 * grant_minimum_wage: the monthly minimum wage then (rules_minimum_wage); current: the
 * pension now before equalisation. -1 when an amount is outside 0 .. 10^15 or
 * grant_minimum_wage is not positive. */
int64_t rules_equalisation_apply(const struct rules_equalisation *q, int64_t granted,
				 int64_t grant_minimum_wage, int64_t current);
int64_t rules_equalisation_explain(const struct rules_equalisation *q, int64_t granted,
				   int64_t grant_minimum_wage, int64_t current,
				   struct rules_steps *steps);

/* ---- the command line (rules/cli.c) ----
 * For `tamin rules ...` (cli/rules.c: `rules_cli(argc, argv, data_dir, stdout, &e)`,
 * data_dir holding rules/ unless --data says otherwise). argv[0] is the subcommand; every
 * answer is one JSON object on out, the same the API returns. Records files are TSV lines
 * `year month workshop days wage hard(0|1)`; list files `year month days wage hard`.
 *   help (or --help)                        the commands (text, needs no data)
 *   check                                   load the data: {"parameters","values"}
 *   value NAME [DATE]                       the value in force (DATE: Jalali, default today)
 *   table [PREFIX]                          the parameters and all their values
 *   contribution YEAR/MONTH DAYS WAGE [--hard] [--scheme employee|self12|self14|self18|voluntary]
 *   list FILE                               a workshop's monthly list
 *   history FILE [--on DATE]                the record summary
 *   eligibility FILE --birth DATE --sex male|female [--on DATE] [--exempt] [--future-hard 0|1]
 *   pension FILE [--on DATE] [--reduced]
 *   increase PENSION [--on DATE] [--reduced]
 *   equalise GRANTED GRANTED_ON CURRENT [--on DATE]
 * Each takes --data DIR and --help (its usage and options, on out). 0, or -1 with e (400
 * "usage" for bad arguments, its message naming the subcommand: "tamin rules value: ..."). */
int rules_cli(int argc, char **argv, const char *data_dir, FILE *out, struct err *e);

#endif
