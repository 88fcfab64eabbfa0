/* tally: counts per key over a window, bounded (tally.h).
 *
 * The entries sit in one array, named by index + 1 so that 0 is none and a zeroed
 * allocation is an empty map (calloc'd pages cost nothing until used). A bucket holds
 * its first entry; a chain goes on through `next`. The entries in use also form a list
 * by the start of their window, oldest first, so that those whose window is over are at
 * its head and every call drops them before it looks at anything else.
 *
 * Why a full map refuses a new key rather than evicting one. When the map is full after
 * the expired entries are gone, every entry holds a live count above 0 (a count back at
 * 0 frees its entry). Forgetting one hands whoever made the map forget it that many
 * guesses back, as often as they can fill the map again: the old limiter's table, where
 * a colliding key took a slot over, was exactly that. Evicting only the smallest counts
 * is no safer: with the rest of the map kept at two, a victim's count of one is the one
 * evicted, after every guess. Refusing costs availability for
 * keys not counted yet, for as long as someone keeps every entry live: capacity counts
 * within one window, sent from enough addresses that the per-address limit does not stop
 * them first. The keys counted already keep their counts, and each window that ends
 * frees its entries again. Failing closed is the side a lockout must err on. */
#include "base/tally.h"

#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	uint32_t next;	       /* the next entry in its bucket; 0: the last */
	uint32_t older, newer; /* its neighbours in the list by window start */
	int count;
	int64_t since; /* the window's start */
	char key[TALLY_KEY_MAX];
};

struct tally {
	pthread_mutex_t mu;
	int64_t window;
	uint32_t capacity, used;
	uint32_t fresh;		 /* entries ever handed out: those past it were never touched */
	uint32_t free;		 /* entries given back, chained through next */
	uint32_t oldest, newest; /* the list by window start */
	size_t mask;		 /* buckets - 1 (a power of two) */
	uint32_t *bucket;
	struct entry *e;
	unsigned char secret[crypto_shorthash_KEYBYTES];
};

#define AT(t, i) (&(t)->e[(i)-1])

struct tally *tally_new(size_t capacity, int64_t window)
{
	if (capacity < 1 || capacity > ((size_t)1 << 30))
		return NULL;
	struct tally *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	pthread_mutex_init(&t->mu, NULL);
	size_t buckets = 1;
	while (buckets < capacity * 2) /* chains of one entry or two on average */
		buckets <<= 1;
	t->mask = buckets - 1;
	t->window = window;
	t->capacity = (uint32_t)capacity;
	t->bucket = calloc(buckets, sizeof *t->bucket);
	t->e = calloc(capacity, sizeof *t->e);
	if (!t->bucket || !t->e) {
		tally_free(t);
		return NULL;
	}
	randombytes_buf(t->secret, sizeof t->secret);
	return t;
}

void tally_free(struct tally *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->mu);
	free(t->bucket);
	free(t->e);
	free(t);
}

/* The link (a bucket, or the entry before in its chain) that holds key's entry, or the
 * chain's last link, which holds 0, when key has none. */
static uint32_t *find(struct tally *t, const char *key)
{
	unsigned char h[crypto_shorthash_BYTES];
	crypto_shorthash(h, (const unsigned char *)key, strlen(key), t->secret);
	uint64_t v;
	memcpy(&v, h, sizeof v);
	uint32_t *link = &t->bucket[v & t->mask];
	while (*link && strcmp(AT(t, *link)->key, key) != 0)
		link = &AT(t, *link)->next;
	return link;
}

static void list_unlink(struct tally *t, uint32_t i)
{
	struct entry *x = AT(t, i);
	if (x->older)
		AT(t, x->older)->newer = x->newer;
	else
		t->oldest = x->newer;
	if (x->newer)
		AT(t, x->newer)->older = x->older;
	else
		t->newest = x->older;
	x->older = x->newer = 0;
}

static void list_append(struct tally *t, uint32_t i)
{
	struct entry *x = AT(t, i);
	x->older = t->newest;
	x->newer = 0;
	if (t->newest)
		AT(t, t->newest)->newer = i;
	else
		t->oldest = i;
	t->newest = i;
}

/* Frees the entry link holds. */
static void drop(struct tally *t, uint32_t *link)
{
	uint32_t i = *link;
	struct entry *x = AT(t, i);
	*link = x->next;
	list_unlink(t, i);
	x->key[0] = 0;
	x->next = t->free;
	t->free = i;
	t->used--;
}

static int over(const struct tally *t, const struct entry *x, int64_t now)
{
	return now - x->since > t->window;
}

/* Drops the entries whose window is over: the list's head, while it is one. */
static void expire(struct tally *t, int64_t now)
{
	while (t->oldest && over(t, AT(t, t->oldest), now))
		drop(t, find(t, AT(t, t->oldest)->key));
}

/* key in out, cut at TALLY_KEY_MAX - 1 bytes; its length. */
static size_t cut(const char *key, char out[TALLY_KEY_MAX])
{
	size_t n = strnlen(key, TALLY_KEY_MAX - 1);
	memcpy(out, key, n);
	out[n] = 0;
	return n;
}

int tally_add(struct tally *t, const char *key, int delta, int64_t now)
{
	char k[TALLY_KEY_MAX];
	size_t n = cut(key, k);
	pthread_mutex_lock(&t->mu);
	expire(t, now);
	uint32_t *link = find(t, k);
	int count;
	if (*link) {
		struct entry *x = AT(t, *link);
		if (over(t, x, now)) { /* the clock stepped back once: the list's order was off */
			x->count = 0;
			x->since = now;
			list_unlink(t, *link);
			list_append(t, *link);
		}
		long long c = (long long)x->count + delta;
		x->count = c < 0 ? 0 : c > INT_MAX ? INT_MAX : (int)c;
		count = x->count;
		if (!count)
			drop(t, link);
	} else if (delta <= 0) {
		count = 0;
	} else if (t->used == t->capacity) {
		count = TALLY_FULL;
	} else {
		uint32_t i;
		if (t->free) {
			i = t->free;
			t->free = AT(t, i)->next;
		} else {
			i = ++t->fresh;
		}
		struct entry *x = AT(t, i);
		memcpy(x->key, k, n + 1);
		x->count = delta;
		x->since = now;
		x->next = 0;
		*link = i;
		list_append(t, i);
		t->used++;
		count = delta;
	}
	pthread_mutex_unlock(&t->mu);
	return count;
}

void tally_clear(struct tally *t, const char *key)
{
	char k[TALLY_KEY_MAX];
	cut(key, k);
	pthread_mutex_lock(&t->mu);
	uint32_t *link = find(t, k);
	if (*link)
		drop(t, link);
	pthread_mutex_unlock(&t->mu);
}

size_t tally_size(struct tally *t, int64_t now)
{
	pthread_mutex_lock(&t->mu);
	expire(t, now);
	size_t n = t->used;
	pthread_mutex_unlock(&t->mu);
	return n;
}
