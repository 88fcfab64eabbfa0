/* Private to the rules module: dates as day numbers, integer arithmetic, building steps. */
#ifndef TAMIN_RULES_INTERNAL_H
#define TAMIN_RULES_INTERNAL_H

#include "rules/rules.h"

#define RULES_MAX_MONEY 1000000000000000LL /* 10^15 rials: far above any wage or pension */

/* Days since 1970-01-01 of a Jalali date (not checked), and back. */
int64_t rules_day(struct jdate d);
struct jdate rules_jdate(int64_t day);
/* The first day of the month after (y, m). */
struct jdate rules_next_month(int y, int m);

/* round(a × b / c), halves up, for a, b >= 0 and c > 0, in 128 bits; saturates at
 * INT64_MAX. */
int64_t rules_muldiv(int64_t a, int64_t b, int64_t c);

/* The first start of `name` after `day` (e.g. the reform's start when it is still to come),
 * or 0 and *start untouched when none. */
int rules_next_start(const struct rules *r, const char *name, int64_t day, struct jdate *start,
		     int64_t *value);

/* Steps: each returns NULL (and does nothing) when s is NULL. */
struct rules_step *rules_step_add(struct rules_steps *s, const struct rules_value *v);
void rules_step_fa(struct rules_step *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void rules_step_en(struct rules_step *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void rules_step_num(struct rules_step *st, const char *name, int64_t value, const char *unit);
/* "49,000" into b; returns b. */
const char *rules_money(char b[32], int64_t v);
/* "7%" or "7.25%" from basis points; returns b. */
const char *rules_pct(char b[32], int64_t bp);
/* "1403/08/01"; returns b. */
const char *rules_date(char b[11], struct jdate d);

/* Jalali month names, 1..12, Persian. */
extern const char *const rules_month_fa[13];

#endif
