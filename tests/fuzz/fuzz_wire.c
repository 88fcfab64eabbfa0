/* The HTTP/1.1 request parser (http/wire.h) on the bytes a client sends: the head's end,
 * the head parsed in place and its headers looked up, the parsed headers written back
 * as a reply's head into a buffer that may be too small, and a chunked body (after a
 * chunked head, or the whole input when there is none) decoded at once and again as it
 * arrives in two parts, which must give the same result. Every buffer is allocated to
 * its exact size, so that a read past it is ASan's. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "http/wire.h"

#define MAX_BODY 1024 /* small, so that the fuzzer meets the limit */

/* data[0..n) in exactly n bytes (no NUL after it, as the bytes lie in a connection's
 * buffer) */
static char *copy(const uint8_t *data, size_t n)
{
	char *p = malloc(n ? n : 1);
	if (!p)
		abort();
	memcpy(p, data, n);
	return p;
}

static int inside(const char *p, const char *buf, size_t len)
{
	return p >= buf && p < buf + len && memchr(p, 0, (size_t)(buf + len - p));
}

static void head(const uint8_t *data, size_t end)
{
	char *buf = copy(data, end);
	struct wire_req q;
	if (wire_parse(buf, end, &q) == 0) {
		FUZZ_CHECK(inside(q.method, buf, end) && inside(q.target, buf, end));
		FUZZ_CHECK(q.nh >= 0 && q.nh <= WIRE_HEADERS && (q.minor == 0 || q.minor == 1));
		FUZZ_CHECK(!(q.chunked && q.content_length >= 0));
		const char *names[WIRE_HEADERS], *values[WIRE_HEADERS];
		for (int i = 0; i < q.nh; i++) {
			FUZZ_CHECK(inside(q.h[i].name, buf, end) && inside(q.h[i].value, buf, end));
			FUZZ_CHECK(wire_header(&q, q.h[i].name) != NULL);
			names[i] = q.h[i].name;
			values[i] = q.h[i].value;
		}
		(void)wire_header(&q, "Host");
		/* the parsed headers reflected into a reply's head, in a room the input sizes */
		size_t cap = end % 600;
		char *out = malloc(cap ? cap : 1);
		struct wire_reply r = {.status = 200 + (int)(end % 400),
				       .reason = q.method,
				       .names = names,
				       .values = values,
				       .n = q.nh,
				       .date = q.target,
				       .content_length = q.content_length,
				       .close = !q.keep_alive,
				       .keep_alive_10 = q.keep_alive && q.minor == 0};
		size_t n = out ? wire_reply_head(out, cap, &r) : 0;
		FUZZ_CHECK(n <= cap);
		free(out);
	}
	free(buf);
}

/* The body decoded at once; then again with its first `split` bytes first (an incomplete
 * body must not be decoded yet), and the two must agree. */
static void chunked(const uint8_t *data, size_t len, size_t split)
{
	char *whole = copy(data, len);
	size_t scan = 0, n1 = 0, used1 = 0;
	int rc1 = wire_chunked(whole, len, MAX_BODY, &scan, &n1, &used1);
	FUZZ_CHECK(rc1 != 1 || (n1 <= MAX_BODY && used1 <= len && n1 <= used1));

	char *parts = copy(data, len);
	size_t scan2 = 0, n2 = 0, used2 = 0;
	int rc2 = wire_chunked(parts, split, MAX_BODY, &scan2, &n2, &used2);
	if (rc2 == 0) {
		FUZZ_CHECK(scan2 <= split);
		rc2 = wire_chunked(parts, len, MAX_BODY, &scan2, &n2, &used2);
		FUZZ_CHECK(rc2 == rc1);
		FUZZ_CHECK(rc1 != 1 || (n1 == n2 && used1 == used2 && !memcmp(whole, parts, n1)));
	} else { /* what a prefix settles, the whole settles the same way */
		FUZZ_CHECK(rc2 == rc1);
		FUZZ_CHECK(rc1 != 1 || (n1 == n2 && used1 == used2));
	}
	free(whole);
	free(parts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t end = wire_head_end((const char *)data, size);
	FUZZ_CHECK(end <= size);
	int is_chunked = 0;
	if (end) {
		head(data, end);
		/* only a head that parses says whether its body is chunked */
		char *buf = copy(data, end);
		struct wire_req q;
		is_chunked = wire_parse(buf, end, &q) == 0 && q.chunked;
		free(buf);
	}
	const uint8_t *body = is_chunked ? data + end : data;
	size_t len = is_chunked ? size - end : size;
	chunked(body, len, len ? (size_t)data[0] * len / 255 : 0); /* a split anywhere */
	return 0;
}
