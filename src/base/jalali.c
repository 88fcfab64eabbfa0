#include "base/jalali.h"

#include <string.h>

/* Jalali years where the 33-year leap cycle shifts (jalaali-js); valid for jy in
 * [breaks[0], breaks[last]). The public functions accept only 1..3177. */
static const int jalali_breaks[] = {-61,  9,	38,   199,  426,  686,	756,  818,  1111, 1181,
				    1210, 1635, 2060, 2097, 2192, 2262, 2324, 2394, 2456, 3178};
#define JALALI_NBREAKS ((int)(sizeof jalali_breaks / sizeof jalali_breaks[0]))
#define JALALI_MIN_YEAR 1
#define JALALI_MAX_YEAR 3177

static int jalali_in_range(int jy)
{
	return jy >= JALALI_MIN_YEAR && jy <= JALALI_MAX_YEAR;
}

/* jalaali-js jalCal: the Gregorian year gy in which jy starts, the day of March of
 * 1 Farvardin, and `leap` = years since the last leap year (0: jy itself is leap).
 * Integer division truncates in C as ~~(a / b) does in the original. */
static void jalali_cal(int jy, int *gy, int *march, int *leap)
{
	int jp = jalali_breaks[0], jump = 0, leap_j = -14;
	for (int i = 1; i < JALALI_NBREAKS; i++) {
		int jm = jalali_breaks[i];
		jump = jm - jp;
		if (jy < jm)
			break;
		leap_j += jump / 33 * 8 + jump % 33 / 4;
		jp = jm;
	}
	int n = jy - jp;
	leap_j += n / 33 * 8 + (n % 33 + 3) / 4;
	if (jump % 33 == 4 && jump - n == 4)
		leap_j++;
	int g = jy + 621;
	int leap_g = g / 4 - (g / 100 + 1) * 3 / 4 - 150;
	*gy = g;
	*march = 20 + leap_j - leap_g;
	if (jump - n < 6)
		n = n - jump + (jump + 4) / 33 * 33;
	int l = ((n + 1) % 33 - 1) % 4;
	*leap = l == -1 ? 4 : l;
}

int jalali_is_leap(int jy)
{
	if (!jalali_in_range(jy))
		return 0;
	int gy, march, leap;
	jalali_cal(jy, &gy, &march, &leap);
	return leap == 0;
}

int jalali_month_days(int jy, int jm)
{
	if (jm >= 1 && jm <= 6)
		return 31;
	if (jm >= 7 && jm <= 11)
		return 30;
	if (jm == 12)
		return jalali_is_leap(jy) ? 30 : 29;
	return 0;
}

int jalali_valid(int jy, int jm, int jd)
{
	return jalali_in_range(jy) && jm >= 1 && jm <= 12 && jd >= 1 &&
	       jd <= jalali_month_days(jy, jm);
}

int64_t civil_to_days(int gy, int gm, int gd)
{
	/* Howard Hinnant's days_from_civil: years start in March so Feb 29 is last. */
	int64_t y = (int64_t)gy - (gm <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (int64_t)(gm > 2 ? gm - 3 : gm + 9) + 2) / 5 + gd - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Keeps the year within int; far beyond any date the system meets. */
#define CIVIL_MAX_DAYS INT64_C(700000000000)

void civil_from_days(int64_t days, int *gy, int *gm, int *gd)
{
	if (days > CIVIL_MAX_DAYS)
		days = CIVIL_MAX_DAYS;
	if (days < -CIVIL_MAX_DAYS)
		days = -CIVIL_MAX_DAYS;
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	*gd = (int)(doy - (153 * mp + 2) / 5 + 1);
	*gm = (int)m;
	*gy = (int)(yoe + era * 400 + (m <= 2));
}

/* Days since 1970-01-01 of a Jalali date; the year must be in range. Month and day
 * are not checked, so out-of-range ones extend arithmetically (jalaali-js j2d). */
static int64_t jalali_to_days(int jy, int jm, int jd)
{
	int gy, march, leap;
	jalali_cal(jy, &gy, &march, &leap);
	return civil_to_days(gy, 3, march) + (jm - 1) * 31 - jm / 7 * (jm - 7) + jd - 1;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Jalali date of a day number, or {0,0,0} outside years 1..3177. Finding the year by
 * its own 1 Farvardin (rather than the next year's, as jalaali-js d2j does) keeps the
 * last days of 3177 reachable. */
static struct jdate jalali_from_days(int64_t days)
{
	struct jdate zero = {0, 0, 0};
	int gy, gm, gd;
	civil_from_days(days, &gy, &gm, &gd);
	int jy = gy - 621;
	if (jy > JALALI_MAX_YEAR)
		jy = JALALI_MAX_YEAR;
	if (!jalali_in_range(jy))
		return zero;
	int64_t k = days - jalali_to_days(jy, 1, 1);
	if (k < 0) {
		jy--;
		if (!jalali_in_range(jy))
			return zero;
		k = days - jalali_to_days(jy, 1, 1);
	}
	if (k >= 365 + jalali_is_leap(jy))
		return zero;
	struct jdate r = {jy, 0, 0};
	if (k < 186) {
		r.m = (int)(1 + k / 31);
		r.d = (int)(k % 31 + 1);
	} else {
		k -= 186;
		r.m = (int)(7 + k / 30);
		r.d = (int)(k % 30 + 1);
	}
	return r;
}

struct jdate jalali_from_gregorian(int gy, int gm, int gd)
{
	return jalali_from_days(civil_to_days(gy, gm, gd));
}

void jalali_to_gregorian(struct jdate j, int *gy, int *gm, int *gd)
{
	if (!jalali_in_range(j.y)) {
		*gy = *gm = *gd = 0;
		return;
	}
	civil_from_days(jalali_to_days(j.y, j.m, j.d), gy, gm, gd);
}

struct tehran_time tehran_from_unix(int64_t t)
{
	/* Split before adding the offset, and without day * 86400, so that no instant near
	 * INT64_MIN or INT64_MAX can overflow. */
	int64_t day = t / 86400, sec = t % 86400;
	if (sec < 0) {
		sec += 86400;
		day--;
	}
	sec += TEHRAN_UTC_OFFSET;
	if (sec >= 86400) {
		sec -= 86400;
		day++;
	}
	struct tehran_time r;
	r.date = jalali_from_days(day);
	r.weekday = (int)((day % 7 + 7 + 5) % 7); /* 1970-01-01 was a Thursday (5) */
	r.minute = (int)(sec / 60);
	return r;
}

int64_t tehran_to_unix(struct jdate d, int minute)
{
	if (!jalali_in_range(d.y))
		return INT64_MIN;
	return jalali_to_days(d.y, d.m, d.d) * 86400 + (int64_t)minute * 60 - TEHRAN_UTC_OFFSET;
}

/* Reads between min and max ASCII digits from *p; -1 if fewer than min. */
static int jalali_num(const char **p, int min, int max, int *v)
{
	int n = 0, x = 0;
	while (n < max && **p >= '0' && **p <= '9') {
		x = x * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	if (n < min)
		return -1;
	*v = x;
	return 0;
}

int jalali_parse(const char *s, struct jdate *out)
{
	if (!s)
		return -1;
	int y, m, d;
	const char *p = s;
	/* "1404/1/1" is 8 characters too: compact only when the fifth one is a digit. */
	if (strlen(s) == 8 && s[4] >= '0' && s[4] <= '9') {
		if (jalali_num(&p, 4, 4, &y) || jalali_num(&p, 2, 2, &m) ||
		    jalali_num(&p, 2, 2, &d))
			return -1;
	} else {
		if (jalali_num(&p, 4, 4, &y))
			return -1;
		char sep = *p;
		if (sep != '/' && sep != '-')
			return -1;
		p++;
		if (jalali_num(&p, 1, 2, &m) || *p++ != sep || jalali_num(&p, 1, 2, &d))
			return -1;
	}
	if (*p || !jalali_valid(y, m, d))
		return -1;
	out->y = y;
	out->m = m;
	out->d = d;
	return 0;
}

/* Writes v as exactly `width` digits (v already clamped to fit). */
static char *jalali_put(char *o, int v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		o[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return o + width;
}

static int jalali_clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void jalali_format(struct jdate d, char out[11])
{
	char *o = jalali_put(out, jalali_clamp(d.y, 0, 9999), 4);
	*o++ = '/';
	o = jalali_put(o, jalali_clamp(d.m, 0, 99), 2);
	*o++ = '/';
	o = jalali_put(o, jalali_clamp(d.d, 0, 99), 2);
	*o = 0;
}

/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: what four year digits can hold. */
#define ISO_MIN INT64_C(-62167219200)
#define ISO_MAX INT64_C(253402300799)

void iso_format(int64_t t, char out[21])
{
	if (t < ISO_MIN)
		t = ISO_MIN;
	if (t > ISO_MAX)
		t = ISO_MAX;
	int64_t day = floor_div(t, 86400);
	int sec = (int)(t - day * 86400);
	int gy, gm, gd;
	civil_from_days(day, &gy, &gm, &gd);
	char *o = jalali_put(out, gy, 4);
	*o++ = '-';
	o = jalali_put(o, gm, 2);
	*o++ = '-';
	o = jalali_put(o, gd, 2);
	*o++ = 'T';
	o = jalali_put(o, sec / 3600, 2);
	*o++ = ':';
	o = jalali_put(o, sec / 60 % 60, 2);
	*o++ = ':';
	o = jalali_put(o, sec % 60, 2);
	*o++ = 'Z';
	*o = 0;
}

static int iso_month_days(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

int iso_parse(const char *s, int64_t *out)
{
	if (!s)
		return -1;
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, se = 0;
	if (jalali_num(&p, 4, 4, &y) || *p++ != '-' || jalali_num(&p, 2, 2, &mo) || *p++ != '-' ||
	    jalali_num(&p, 2, 2, &d))
		return -1;
	if (*p == 'T') {
		p++;
		if (jalali_num(&p, 2, 2, &h) || *p++ != ':' || jalali_num(&p, 2, 2, &mi) ||
		    *p++ != ':' || jalali_num(&p, 2, 2, &se))
			return -1;
		/* JavaScript's toISOString() sends milliseconds; the fraction is dropped. */
		if (*p == '.') {
			p++;
			int n = 0;
			while (*p >= '0' && *p <= '9' && n < 9) {
				p++;
				n++;
			}
			if (n == 0)
				return -1;
		}
		if (*p++ != 'Z')
			return -1;
	}
	if (*p)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > iso_month_days(y, mo) || h > 23 || mi > 59 || se > 59)
		return -1;
	*out = civil_to_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	return 0;
}

int civil_datetime_parse(const char *s, int64_t *out)
{
	const char *p = s;
	int y, mo, d, h, mi, se;
	if (jalali_num(&p, 4, 4, &y) || *p++ != '-' || jalali_num(&p, 2, 2, &mo) || *p++ != '-' ||
	    jalali_num(&p, 2, 2, &d) || (*p != ' ' && *p != 'T') || (p++, jalali_num(&p, 2, 2, &h)) ||
	    *p++ != ':' || jalali_num(&p, 2, 2, &mi) || *p++ != ':' || jalali_num(&p, 2, 2, &se))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > iso_month_days(y, mo) || h > 23 || mi > 59 || se > 59)
		return -2;
	*out = civil_to_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	return 0;
}
