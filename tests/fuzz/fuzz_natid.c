/* National ids (base/natid.h, and base/fields.h's field_natid that reads one from a
 * request in any digit set): natid_valid against the rule written out again here,
 * field_natid's answer against natid_valid of its digits, and natid_make's ids, which
 * must all be valid and keep their prefix. */
#include <stdint.h>

#include "base/fields.h"
#include "base/natid.h"
#include "base/text.h"
#include "fuzz.h"

/* The rule of natid.h, written independently. */
static int reference_valid(const char *s)
{
	if (strlen(s) != 10 || strspn(s, "0123456789") != 10)
		return 0;
	if (strspn(s, (char[]){s[0], 0}) == 10)
		return 0;
	int sum = 0;
	for (int i = 0; i < 9; i++)
		sum += (s[i] - '0') * (10 - i);
	int r = sum % 11;
	return s[9] - '0' == (r < 2 ? r : 11 - r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	FUZZ_CHECK(natid_valid(s) == reference_valid(s));

	struct arena a;
	arena_init(&a);
	struct err e = {0};
	const char *d = field_natid(&a, s, "national_id", &e);
	const char *digits = text_digits(&a, s, 10, 10);
	FUZZ_CHECK(d ? natid_valid(d) && digits && !strcmp(d, digits)
		     : e.status == 400 && !strcmp(e.field, "national_id") &&
			   (!digits || !natid_valid(digits)));
	arena_release(&a);

	if (size >= 4) {
		uint32_t prefix;
		memcpy(&prefix, data, 4);
		char id[11];
		natid_make(prefix, id);
		char want[10];
		snprintf(want, sizeof want, "%09u", prefix % 1000000000u);
		FUZZ_CHECK(natid_valid(id));
		/* the prefix is kept, unless it was all one digit (then it is the next one) */
		FUZZ_CHECK(!memcmp(id, want, 9) || strspn(want, (char[]){want[0], 0}) == 9);
	}
	free(s);
	return 0;
}
