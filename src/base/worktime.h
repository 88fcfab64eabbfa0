/* worktime: a department's working calendar, used for SLA due dates.
 * Office hours per weekday (Saturday..Friday) in Tehran local minutes, and official
 * holidays as Jalali dates loaded from data/holidays/<year>.tsv. A calendar may also
 * be 24/7 (the 1420 line itself). */
#ifndef TAMIN_BASE_WORKTIME_H
#define TAMIN_BASE_WORKTIME_H

#include <stdint.h>

#include "base/err.h"
#include "base/jalali.h"

struct worktime;

/* The office calendar: Saturday-Wednesday 07:30-14:30, Thursday 07:30-12:30, Friday off,
 * no holidays yet. (Allocation failure aborts here and below, as in the arena.) */
struct worktime *worktime_new_office(void);
/* A calendar where every minute is working time. Holidays added to it are recorded
 * (worktime_is_holiday) but do not stop it; worktime_set_hours makes it an ordinary
 * calendar (its other days stay 00:00-24:00), where holidays then count. */
struct worktime *worktime_new_always(void);
void worktime_free(struct worktime *w);

/* Sets the hours of one weekday (0 = Saturday .. 6 = Friday); start == end means closed.
 * Minutes are clamped to 0..1440, end < start closes the day, other weekdays are ignored. */
void worktime_set_hours(struct worktime *w, int weekday, int start_minute, int end_minute);
void worktime_add_holiday(struct worktime *w, struct jdate d); /* invalid dates ignored */
int worktime_is_holiday(const struct worktime *w, struct jdate d);

/* Loads every <jalali-year>.tsv in dir. A line is "YYYY/MM/DD<TAB>name" (name in
 * Persian); lines starting with # and blank lines are skipped. Returns the number of
 * holidays loaded, or -1 with e filled (file and line named in the message).
 * Only names of exactly four digits + ".tsv" are read, in name order. The date is read
 * by jalali_parse, must be in the file's year, and the name must not be empty; CRLF and a
 * UTF-8 BOM are tolerated. All or nothing: on -1 the calendar is unchanged. The count is
 * of lines read (a date already present counts again). e: status 500,
 * code "invalid_holidays". */
int worktime_load_holidays(struct worktime *w, const char *dir, struct err *e);

/* The instant that is `minutes` working minutes after `start`. minutes == 0 returns
 * start moved forward to the next working minute if it falls outside working time.
 * It is the first instant that reaches the amount, so it may be a closing time
 * (Wednesday 13:30 + 60 is Wednesday 14:30, not Thursday 07:30). Time is counted in
 * seconds, so a start between minutes keeps its seconds. minutes < 0 counts as 0 and
 * is capped at 10^10; a calendar with no working hours at all gives INT64_MAX. */
int64_t worktime_add(const struct worktime *w, int64_t start, int64_t minutes);
/* Working minutes in [a, b); 0 if b <= a. A partial minute is rounded down, so
 * worktime_between(w, s, worktime_add(w, s, m)) == m. */
int64_t worktime_between(const struct worktime *w, int64_t a, int64_t b);

#endif
