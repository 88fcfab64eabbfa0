/* tally: a count per key over a time window (failed logins per login and per address), in
 * a bounded map that a client cannot make forget a count. Keys are hashed with SipHash
 * under a secret drawn at tally_new, so which keys share a bucket cannot be computed from
 * outside, and they are compared whole: a key never takes another's entry. An entry
 * leaves only when its window is over or its count is back at 0; when every entry holds a
 * live count, a new key is refused (TALLY_FULL) rather than an old count forgotten (why:
 * tally.c). Safe to share between threads. */
#ifndef TAMIN_BASE_TALLY_H
#define TAMIN_BASE_TALLY_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of a key that count: longer keys are cut there, so two of them that agree that
 * far share a count (stricter, never looser). */
#define TALLY_KEY_MAX 96

#define TALLY_FULL (-1)

struct tally;

/* A map of at most capacity keys (1 to 2^30), each counted over window seconds from its
 * first count. NULL: out of memory. */
struct tally *tally_new(size_t capacity, int64_t window);
void tally_free(struct tally *t);

/* Adds delta (which may be negative) to key's count and returns the count after it, never
 * below 0. A key not counted, or whose window is over, starts from 0 in a window opened
 * at now; a count back at 0 frees its entry. TALLY_FULL, counting nothing, when the key is
 * new, delta is positive and all capacity entries hold live counts. */
int tally_add(struct tally *t, const char *key, int delta, int64_t now);
/* Forgets key's count. */
void tally_clear(struct tally *t, const char *key);
/* The keys counted now, their windows not yet over (for tests and figures). */
size_t tally_size(struct tally *t, int64_t now);

#endif
