/* jalali: the Solar Hijri (Jalali) calendar and Tehran local time, by arithmetic
 * (the 33-year-cycle algorithm used by jalaali-js), exact for Jalali years 1..3177.
 * Tehran time is taken as a fixed UTC+03:30: Iran abolished daylight saving in 2022,
 * and every instant this system computes a due date for is after that. */
#ifndef TAMIN_BASE_JALALI_H
#define TAMIN_BASE_JALALI_H

#include <stdint.h>

#define TEHRAN_UTC_OFFSET 12600 /* seconds, +03:30 */

struct jdate {
	int y, m, d; /* month 1..12, day 1..31 */
};

/* Outside years 1..3177: jalali_is_leap and jalali_valid give 0, a computed date is
 * {0, 0, 0} (jalali_from_gregorian, tehran_from_unix's date), jalali_to_gregorian gives
 * 0/0/0 and tehran_to_unix gives INT64_MIN. Within range, jalali_to_gregorian and
 * tehran_to_unix do not check month and day: they extend arithmetically. */

int jalali_is_leap(int jy);
int jalali_month_days(int jy, int jm);		   /* 31, 30 or 29/30 for Esfand */
int jalali_valid(int jy, int jm, int jd);	   /* 1 if a real date */
struct jdate jalali_from_gregorian(int gy, int gm, int gd);
void jalali_to_gregorian(struct jdate j, int *gy, int *gm, int *gd);

/* Days since 1970-01-01 of a Gregorian date, and back (proleptic Gregorian).
 * civil_from_days clamps days to +-7e11 (about 1.9 billion years) so the year fits. */
int64_t civil_to_days(int gy, int gm, int gd);
void civil_from_days(int64_t days, int *gy, int *gm, int *gd);

/* Local Tehran view of a UTC instant (seconds since the epoch). */
struct tehran_time {
	struct jdate date;
	int weekday; /* 0 = Saturday (شنبه) .. 6 = Friday (جمعه) */
	int minute;  /* minute of the local day, 0..1439 */
};
struct tehran_time tehran_from_unix(int64_t t);
/* UTC instant of a Tehran local Jalali date at minute-of-day `minute`. */
int64_t tehran_to_unix(struct jdate d, int minute);

/* Parses "1403/07/15", "1403-07-15", "14030715" (any digit set already normalised
 * to ASCII). Returns 0 and fills *out, or -1 if malformed or not a real date.
 * With separators, month and day may have one digit ("1404/1/1", as people type them);
 * the year always has four, both separators must be the same, and nothing may precede
 * or follow. The compact form is exactly eight digits. *out is untouched on failure. */
int jalali_parse(const char *s, struct jdate *out);
/* Writes "1403/07/15" into out[11]. */
void jalali_format(struct jdate d, char out[11]);

/* ISO-8601 UTC "2024-10-06T08:30:00Z" into out[21], and parsing of the same form
 * (also "2024-10-06" as midnight UTC). iso_format clamps to years 0000..9999.
 * iso_parse also takes 1-9 fraction digits ("...08:30:00.123Z", as JavaScript's
 * toISOString() sends) and drops them; other offsets than Z, leap seconds (:60) and
 * anything trailing are rejected; *out is untouched on failure. */
void iso_format(int64_t t, char out[21]);
int iso_parse(const char *s, int64_t *out);
/* "YYYY-MM-DD HH:MM:SS" (or a T between date and time), the 19 bytes at s, as UTC
 * seconds (a log's or a series' timestamp): 0, -1 when s is not in that form, -2 when
 * it names no such moment (month 13, 30 February, 24:00, :60). *out is untouched on
 * failure. */
int civil_datetime_parse(const char *s, int64_t *out);

#endif
