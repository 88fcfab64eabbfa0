/* What the fuzz targets share: the input as a string of its own, and a property that must
 * hold, said when it does not (the fuzzer then saves the input as a crash). */
#ifndef TAMIN_TESTS_FUZZ_H
#define TAMIN_TESTS_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* data[0..n) in a buffer of exactly n + 1 bytes, NUL-terminated (an inner NUL ends the
 * string early, as it would in a field): a read past it is ASan's. */
static inline char *fuzz_str(const uint8_t *data, size_t n)
{
	char *s = malloc(n + 1);
	if (!s)
		abort();
	memcpy(s, data, n);
	s[n] = 0;
	return s;
}

#define FUZZ_CHECK(cond)                                                                       \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			fprintf(stderr, "%s:%d: property broken: %s\n", __FILE__, __LINE__,   \
				#cond);                                                        \
			abort();                                                               \
		}                                                                              \
	} while (0)

#endif
