/* arena: per-request memory, freed at once when the response is sent (as nginx pools).
 * Blocks grow geometrically; nothing is freed one by one. */
#ifndef TAMIN_BASE_ARENA_H
#define TAMIN_BASE_ARENA_H

#include <stddef.h>

struct arena_block;
struct arena {
	struct arena_block *head;
};

void arena_init(struct arena *a);
void arena_release(struct arena *a); /* frees every block; the arena may be reused */
void *arena_alloc(struct arena *a, size_t n); /* zeroed, 16-byte aligned; aborts on OOM */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
