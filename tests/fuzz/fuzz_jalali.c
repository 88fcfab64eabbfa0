/* Jalali dates and ISO times (base/jalali.h) as the API reads them from a person
 * (text_normalize first, so any digit set): a date parsed must be a real date that
 * formats and parses back to itself, converts to Gregorian and back, and to a Tehran
 * instant and back; an ISO time must format and parse back. The input's first bytes are
 * also taken as numbers for the conversions, whose arithmetic UBSan watches. */
#include <stdint.h>

#include "base/arena.h"
#include "base/jalali.h"
#include "base/text.h"
#include "fuzz.h"

static int same(struct jdate a, struct jdate b)
{
	return a.y == b.y && a.m == b.m && a.d == b.d;
}

static void date_text(const char *s, int minute)
{
	struct jdate d = {-1, -1, -1}, back;
	if (jalali_parse(s, &d) < 0) {
		FUZZ_CHECK(d.y == -1 && d.m == -1 && d.d == -1); /* untouched on failure */
		return;
	}
	FUZZ_CHECK(jalali_valid(d.y, d.m, d.d));
	char out[11];
	jalali_format(d, out);
	FUZZ_CHECK(jalali_parse(out, &back) == 0 && same(back, d));
	int gy, gm, gd;
	jalali_to_gregorian(d, &gy, &gm, &gd);
	FUZZ_CHECK(same(jalali_from_gregorian(gy, gm, gd), d));
	struct tehran_time t = tehran_from_unix(tehran_to_unix(d, minute));
	FUZZ_CHECK(same(t.date, d) && t.minute == minute && t.weekday >= 0 && t.weekday <= 6);
}

static void iso_text(const char *s)
{
	int64_t t = INT64_MIN, back;
	if (iso_parse(s, &t) < 0) {
		FUZZ_CHECK(t == INT64_MIN);
		return;
	}
	char out[21];
	iso_format(t, out);
	FUZZ_CHECK(iso_parse(out, &back) == 0 && back == t);
}

/* Numbers from the input: whatever they are, nothing overflows (UBSan), and a
 * Gregorian date that is real converts to Jalali and back. */
static void numbers(const uint8_t *data, size_t size)
{
	int32_t v[4] = {0, 0, 0, 0};
	int64_t t = 0;
	memcpy(v, data, size < sizeof v ? size : sizeof v);
	if (size > sizeof v)
		memcpy(&t, data + sizeof v, size - sizeof v < sizeof t ? size - sizeof v : sizeof t);
	(void)jalali_is_leap(v[0]);
	(void)jalali_month_days(v[0], v[1]);
	(void)jalali_valid(v[0], v[1], v[2]);
	struct tehran_time tt = tehran_from_unix(t);
	(void)tt;
	char iso[21];
	iso_format(t, iso);
	int gy, gm, gd;
	civil_from_days(t, &gy, &gm, &gd);
	int y = v[0] % 4000, m = v[1] % 13, d = v[2] % 32;
	if (y > 621 && y < 3700 && m >= 1 && d >= 1 && d <= 28) {
		struct jdate j = jalali_from_gregorian(y, m, d);
		if (j.y >= 1 && j.y <= 3177) {
			jalali_to_gregorian(j, &gy, &gm, &gd);
			FUZZ_CHECK(gy == y && gm == m && gd == d);
		}
		civil_from_days(civil_to_days(y, m, d), &gy, &gm, &gd);
		FUZZ_CHECK(gy == y && gm == m && gd == d);
	}
	if (y >= 1 && y <= 3177 && m >= 1 && d >= 1) {
		jalali_to_gregorian((struct jdate){y, m, d}, &gy, &gm, &gd);
		(void)tehran_to_unix((struct jdate){y, m, d}, v[3] % 1440);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	struct arena a;
	arena_init(&a);
	const char *n = text_normalize(&a, s);
	if (n) {
		date_text(n, (int)(size * 7 % 1440));
		iso_text(n);
	}
	date_text(s, 0);
	iso_text(s);
	numbers(data, size);
	arena_release(&a);
	free(s);
	return 0;
}
