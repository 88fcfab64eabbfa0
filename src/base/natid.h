/* natid: Iranian national id (کد ملی). 10 digits; check digit c = r if r < 2 else 11 - r,
 * with r = (sum of digit[i] * (10 - i), i = 0..8) mod 11. All-same-digit ids are invalid. */
#ifndef TAMIN_BASE_NATID_H
#define TAMIN_BASE_NATID_H

#include <stdint.h>

/* 1 if s is exactly 10 ASCII digits with a correct check digit, not all the same. */
int natid_valid(const char *s);

/* Writes into out[11] the valid id whose first nine digits are `prefix` (0..999999999,
 * zero-padded). If that id would be all-same-digit, the next prefix is used.
 * (A prefix above 999999999 is taken modulo 10^9; 999999999 wraps to 000000000, itself
 * all-same, so it gives 0000000019.) */
void natid_make(uint32_t prefix, char out[11]);

#endif
