#include "base/natid.h"

#include <string.h>

/* Check digit of the nine ASCII digits d[0..8]. */
static char natid_check(const char *d)
{
	int sum = 0;
	for (int i = 0; i < 9; i++)
		sum += (d[i] - '0') * (10 - i);
	int r = sum % 11;
	return (char)('0' + (r < 2 ? r : 11 - r));
}

static int natid_all_same(const char *s)
{
	for (int i = 1; i < 10; i++)
		if (s[i] != s[0])
			return 0;
	return 1;
}

int natid_valid(const char *s)
{
	if (!s || strlen(s) != 10)
		return 0;
	for (int i = 0; i < 10; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return !natid_all_same(s) && natid_check(s) == s[9];
}

void natid_make(uint32_t prefix, char out[11])
{
	prefix %= 1000000000u;
	for (;;) {
		uint32_t v = prefix;
		for (int i = 8; i >= 0; i--) {
			out[i] = (char)('0' + v % 10);
			v /= 10;
		}
		out[9] = natid_check(out);
		out[10] = 0;
		if (!natid_all_same(out))
			return;
		/* ddddddddd always checks to d, so the next prefix (never all-same) is valid. */
		prefix = (prefix + 1) % 1000000000u;
	}
}
