/* calls/blocks.c: the calls blobs of a block (blocks.h), as read from the database. Any
 * bytes are read or refused without reading outside them; and calls and agents made of
 * the input's bytes, written by cb_encode, read back as the same calls. */
#include <stdint.h>

#include "base/arena.h"
#include "calls/blocks.h"
#include "fuzz.h"

/* the next string of the input: up to a NUL or 40 bytes, never empty */
static const char *next(struct arena *a, const uint8_t **p, const uint8_t *end, const char *dflt)
{
	size_t n = 0;
	while (*p + n < end && n < 40 && (*p)[n])
		n++;
	const char *s = n ? arena_strndup(a, (const char *)*p, n) : dflt;
	*p += n < (size_t)(end - *p) ? n + 1 : n;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t nc, ns;
	/* as they are: the first byte splits the calls blob from the text */
	if (size) {
		size_t cut = (size_t)data[0] * size / 256;
		uint8_t *calls = malloc(size), *text = malloc(size);
		if (!calls || !text)
			abort();
		memcpy(calls, data + 1, cut ? cut - 1 : 0);
		memcpy(text, data + cut, size - cut);
		if (cb_blobs_check(calls, cut ? cut - 1 : 0, text, size - cut, 1774058400, &nc, &ns) == 0)
			FUZZ_CHECK(nc * 40 + ns * 12 < size);
		free(calls);
		free(text);
	}
	/* made of the input: written, then read back */
	struct arena a;
	arena_init(&a);
	struct cb_call *c[16];
	struct cb_seen *s[16];
	size_t n = 0, m = 0;
	const uint8_t *p = data, *end = data + size;
	while (p < end && n < 16) {
		struct cb_call *x = arena_alloc(&a, sizeof *x);
		x->callid = next(&a, &p, end, "id");
		x->queue = next(&a, &p, end, "q");
		x->caller = p < end && *p % 2 ? next(&a, &p, end, "c") : NULL;
		x->agent = p < end && *p % 3 ? next(&a, &p, end, "a") : NULL;
		x->key = cb_key(x->callid, x->queue);
		x->entered = p < end ? 1774058400 + *p++ * 7 : -1;
		x->connected = p < end && *p % 2 ? 1774058400 + *p++ * 11 : -1;
		x->ended = -1;
		x->first_at = x->entered;
		x->wait_s = p < end ? *p++ : -1;
		x->talk_s = -1;
		x->rank = p < end ? *p++ % 8 : 0;
		x->first = (int)(n % 2);
		x->person_id = (int64_t)n * 1000;
		c[n++] = x;
		if (m < 16) {
			struct cb_seen *y = arena_alloc(&a, sizeof *y);
			y->slot = 1774058400 + 900 * (int64_t)(m % 4);
			y->queue = x->queue;
			y->agent = x->agent ? x->agent : "SIP/1";
			s[m++] = y;
		}
	}
	struct cb_blobs b;
	cb_encode(c, n, s, m, 1774058400, &b);
	FUZZ_CHECK(cb_blobs_check(b.calls, b.calls_len, b.text, b.text_len, 1774058400, &nc, &ns) == 0);
	FUZZ_CHECK(nc == n && ns == m);
	/* cut short anywhere, neither reads outside it */
	if (b.calls_len > 1)
		(void)cb_blobs_check(b.calls, b.calls_len - 1, b.text, b.text_len, 1774058400, &nc, &ns);
	if (b.text_len > 1)
		FUZZ_CHECK(cb_blobs_check(b.calls, b.calls_len, b.text, b.text_len - 1, 1774058400,
					  &nc, &ns) < 0);
	cb_blobs_free(&b);
	arena_release(&a);
	return 0;
}
