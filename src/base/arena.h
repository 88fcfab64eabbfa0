/* arena: per-request memory, freed at once when the response is sent (as nginx pools).
 * Blocks grow geometrically; nothing is freed one by one. What the arena cannot hold
 * (a parsed JSON body) is handed to it with arena_defer and freed with it. */
#ifndef TAMIN_BASE_ARENA_H
#define TAMIN_BASE_ARENA_H

#include <stddef.h>

struct arena_block;
struct arena_cleanup;
struct arena {
	struct arena_block *head;
	struct arena_cleanup *cleanups;
};

void arena_init(struct arena *a);
/* Runs the deferred cleanups, newest first, then frees every block; the arena may be
 * reused. */
void arena_release(struct arena *a);
void *arena_alloc(struct arena *a, size_t n); /* zeroed, 16-byte aligned; aborts on OOM */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* fn(arg) when the arena is released (as nginx's pool cleanups): the arena then owns
 * what arg points to. */
void arena_defer(struct arena *a, void (*fn)(void *), void *arg);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
