/* radix: a stable sort of structs by an unsigned 64-bit key, for the big arrays of the
 * lists (a million rows a list, 42 million record entries a national month).
 *
 * RADIX_SORT(name, type, key) defines `static int name(type *v, size_t n, int bits)`, which
 * sorts v by key(&v[i]) (an expression of `x`, a `const type *`) on its low `bits` bits:
 * least significant digit first, 12 bits a pass, a pass skipped when every element has
 * the same digit; under 64 elements, an insertion sort (the counts cost more). Elements
 * with equal keys keep their order. -1 when out of memory, v unchanged. */
#ifndef TAMIN_BASE_RADIX_H
#define TAMIN_BASE_RADIX_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RADIX_BITS 12

#define RADIX_SORT(name, type, key)                                                           \
	static inline uint64_t name##_key(const type *x) { return (key); }                    \
	static int name(type *v, size_t n, int bits)                                          \
	{                                                                                     \
		if (n < 64) {                                                                 \
			for (size_t i = 1; i < n; i++) {                                      \
				type t = v[i];                                                \
				uint64_t k = name##_key(&t);                                  \
				size_t j = i;                                                 \
				for (; j > 0 && name##_key(&v[j - 1]) > k; j--)               \
					v[j] = v[j - 1];                                      \
				v[j] = t;                                                     \
			}                                                                     \
			return 0;                                                             \
		}                                                                             \
		enum { SIZE = 1 << RADIX_BITS };                                              \
		type *tmp = malloc(n * sizeof *tmp);                                          \
		size_t *count = malloc((SIZE + 1) * sizeof *count);                           \
		if (!tmp || !count) {                                                         \
			free(tmp);                                                            \
			free(count);                                                          \
			return -1;                                                            \
		}                                                                             \
		type *src = v, *dst = tmp;                                                    \
		for (int shift = 0; shift < bits; shift += RADIX_BITS) {                      \
			memset(count, 0, (SIZE + 1) * sizeof *count);                         \
			for (size_t i = 0; i < n; i++)                                        \
				count[((name##_key(&src[i]) >> shift) & (SIZE - 1)) + 1]++;   \
			if (count[((name##_key(&src[0]) >> shift) & (SIZE - 1)) + 1] == n)    \
				continue; /* one digit for all: in order on it already */     \
			for (size_t i = 1; i <= SIZE; i++)                                    \
				count[i] += count[i - 1];                                     \
			for (size_t i = 0; i < n; i++)                                        \
				dst[count[(name##_key(&src[i]) >> shift) & (SIZE - 1)]++] =   \
				    src[i];                                                   \
			type *t = src;                                                        \
			src = dst;                                                            \
			dst = t;                                                              \
		}                                                                             \
		if (src != v)                                                                 \
			memcpy(v, src, n * sizeof *v);                                        \
		free(count);                                                                  \
		free(tmp);                                                                    \
		return 0;                                                                     \
	}

#endif
