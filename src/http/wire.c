/* HTTP/1.1 requests parsed and replies written as bytes (wire.h). */
#include "http/wire.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

size_t wire_head_end(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		p++;
		if (p < end && *p == '\n')
			return (size_t)(p + 1 - buf);
		if (p + 1 < end && p[0] == '\r' && p[1] == '\n')
			return (size_t)(p + 2 - buf);
	}
	return 0;
}

/* Does p[0..n) hold a control character other than HTAB (0x00-0x1f, 0x7f)? Eight bytes
 * at a time (a head's lines are most of a request's parse): a word is looked at byte by
 * byte only when it may hold one, a HTAB included. */
static int has_ctl(const unsigned char *p, size_t n)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t x, del;
		memcpy(&x, p + i, 8);
		del = x ^ (0x7f * ones);
		/* a byte under 0x20, or a byte equal to 0x7f (bytes over 0x7f are never flagged) */
		if (((x - 0x20 * ones) & ~x & highs) || ((del - ones) & ~del & highs))
			break;
	}
	for (; i < n; i++)
		if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
			return 1;
	return 0;
}

/* The line at *at (up to '\n', a '\r' before it dropped), NUL-terminated in place; *at
 * moves past it. NULL at the end of the buffer. *bad is set when the line holds a control
 * character other than HTAB (a NUL, a bare CR, DEL): RFC 9110 5.5 allows none in a field
 * value, and a NUL would otherwise end the value early ("chunked\0junk"). */
static char *line(char **at, char *end, int *bad)
{
	char *s = *at;
	if (s >= end)
		return NULL;
	char *nl = memchr(s, '\n', (size_t)(end - s));
	if (!nl)
		nl = end;
	*at = nl < end ? nl + 1 : end;
	if (nl > s && nl[-1] == '\r')
		nl--;
	if (has_ctl((const unsigned char *)s, (size_t)(nl - s)))
		*bad = 1;
	*nl = 0;
	return s;
}

static int is_tchar(unsigned char c)
{
	return c > 0x20 && c < 0x7f && !strchr("\"(),/:;<=>?@[\\]{}", c);
}

/* Does the comma-separated list v hold the token t (any case)? */
static int has_token(const char *v, const char *t)
{
	size_t n = strlen(t);
	while (*v) {
		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		size_t k = strcspn(v, ",");
		size_t m = k;
		while (m && (v[m - 1] == ' ' || v[m - 1] == '\t'))
			m--;
		if (m == n && strncasecmp(v, t, n) == 0)
			return 1;
		v += k;
	}
	return 0;
}

static int request_line(char *s, struct wire_req *q)
{
	char *sp1 = strchr(s, ' ');
	char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp1 || !sp2 || sp1 == s || sp2 == sp1 + 1 || strchr(sp2 + 1, ' '))
		return 400;
	*sp1 = *sp2 = 0;
	for (const char *m = s; *m; m++)
		if (*m < 'A' || *m > 'Z')
			return 400;
	for (const unsigned char *t = (const unsigned char *)sp1 + 1; *t; t++)
		if (*t <= 0x20 || *t == 0x7f)
			return 400;
	const char *v = sp2 + 1;
	if (strncmp(v, "HTTP/", 5) != 0)
		return 400;
	if (strcmp(v + 5, "1.1") == 0)
		q->minor = 1;
	else if (strcmp(v + 5, "1.0") == 0)
		q->minor = 0;
	else
		return 505;
	q->method = s;
	q->target = sp1 + 1;
	return 0;
}

static int content_length(const char *v, int64_t *out)
{
	int64_t n = 0;
	if (!*v)
		return -1;
	for (; *v; v++) {
		if (*v < '0' || *v > '9' || n > (INT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (*v - '0');
	}
	*out = n;
	return 0;
}

int wire_parse(char *buf, size_t len, struct wire_req *q)
{
	memset(q, 0, sizeof *q);
	q->content_length = -1;
	char *at = buf, *end = buf + len;
	while (at < end && (*at == '\r' || *at == '\n'))
		at++;
	int bad = 0;
	char *s = line(&at, end, &bad);
	if (!s || bad)
		return 400;
	int rc = request_line(s, q);
	if (rc)
		return rc;
	int close = 0, keep = 0;
	while ((s = line(&at, end, &bad)) != NULL && *s) {
		if (bad)
			return 400;
		char *colon = strchr(s, ':');
		if (!colon || colon == s)
			return 400;
		for (char *n = s; n < colon; n++)
			if (!is_tchar((unsigned char)*n))
				return 400; /* also a folded line, which starts with a space */
		*colon = 0;
		char *v = colon + 1, *ve = v + strlen(v);
		while (*v == ' ' || *v == '\t')
			v++;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		*ve = 0;
		if (q->nh == WIRE_HEADERS)
			return 431;
		q->h[q->nh].name = s;
		q->h[q->nh++].value = v;
		if (strcasecmp(s, "Content-Length") == 0) {
			int64_t n;
			if (content_length(v, &n) < 0 ||
			    (q->content_length >= 0 && q->content_length != n))
				return 400;
			q->content_length = n;
		} else if (strcasecmp(s, "Transfer-Encoding") == 0) {
			if (strcasecmp(v, "chunked") != 0)
				return 501;
			q->chunked = 1;
		} else if (strcasecmp(s, "Connection") == 0) {
			close |= has_token(v, "close");
			keep |= has_token(v, "keep-alive");
		} else if (strcasecmp(s, "Expect") == 0) {
			q->expect_continue = strcasecmp(v, "100-continue") == 0;
		}
	}
	if (bad) /* a line of a NUL alone ended the loop as if it were the blank line */
		return 400;
	if (q->chunked) { /* a length beside chunked may be a smuggling attempt: trust neither */
		if (q->content_length >= 0)
			return 400;
	}
	q->keep_alive = q->minor == 1 ? !close : keep && !close;
	return 0;
}

const char *wire_header(const struct wire_req *q, const char *name)
{
	for (int i = 0; i < q->nh; i++)
		if (strcasecmp(q->h[i].name, name) == 0)
			return q->h[i].value;
	return NULL;
}

#define CHUNK_LINE_MAX 1024	/* a chunk-size line, extensions included, before its '\n' */
#define TRAILER_LINE_MAX 8192 /* a trailer line */

/* The chunk-size line at buf[at..len): 1 with *size and *next (past its newline), 0 when
 * incomplete, -1 when malformed. */
static int size_line(const char *buf, size_t len, size_t at, size_t *size, size_t *next)
{
	const char *nl = memchr(buf + at, '\n', len - at);
	/* the limit holds however the bytes arrive: a whole line over it is refused too */
	if (!nl)
		return len - at > CHUNK_LINE_MAX ? -1 : 0;
	if ((size_t)(nl - (buf + at)) > CHUNK_LINE_MAX)
		return -1;
	size_t n = 0;
	int digits = 0;
	const char *p = buf + at;
	for (;; p++, digits++) {
		int d = *p >= '0' && *p <= '9'	 ? *p - '0'
			: *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
			: *p >= 'A' && *p <= 'F' ? *p - 'A' + 10
						 : -1;
		if (d < 0)
			break;
		if (n > ((size_t)-1 >> 5))
			return -1;
		n = n * 16 + (size_t)d;
	}
	if (!digits || (*p != ';' && *p != '\r' && *p != '\n'))
		return -1;
	*size = n;
	*next = (size_t)(nl - buf) + 1;
	return 1;
}

/* The line break after a chunk's data at buf[at..len): its length (1 or 2), 0 when
 * incomplete, -1 when something else is there. */
static int data_end(const char *buf, size_t len, size_t at)
{
	if (at >= len)
		return 0;
	if (buf[at] == '\n')
		return 1;
	if (buf[at] != '\r')
		return -1;
	if (at + 1 >= len)
		return 0;
	return buf[at + 1] == '\n' ? 2 : -1;
}

int wire_chunked(char *buf, size_t len, size_t max, size_t *scan, size_t *data_len, size_t *used)
{
	/* First check that the whole body is here (from where the last call stopped)... */
	size_t at = *scan, size, next, total = 0;
	for (;;) {
		int rc = size_line(buf, len, at, &size, &next);
		if (rc <= 0)
			return rc;
		if (size == 0)
			break;
		if (size > max)
			return -1;
		if (next + size > len)
			return 0;
		int e = data_end(buf, len, next + size);
		if (e <= 0)
			return e;
		at = next + size + (size_t)e;
		*scan = at;
	}
	/* ...the trailers up to their blank line... */
	size_t t = next;
	for (;;) {
		const char *nl = memchr(buf + t, '\n', len - t);
		if (!nl)
			return len - t > TRAILER_LINE_MAX ? -1 : 0;
		size_t n = (size_t)(nl - (buf + t));
		if (n > TRAILER_LINE_MAX)
			return -1;
		t = (size_t)(nl - buf) + 1;
		if (n == 0 || (n == 1 && buf[t - 2] == '\r'))
			break;
	}
	/* ...then move the data to the front, checking the total against max. */
	at = 0;
	for (;;) {
		size_line(buf, len, at, &size, &next);
		if (size == 0)
			break;
		if (size > max - total)
			return -1;
		memmove(buf + total, buf + next, size);
		total += size;
		at = next + size + (size_t)data_end(buf, len, next + size);
	}
	*data_len = total;
	*used = t;
	return 1;
}

struct out {
	char *p, *end;
	int full;
};

static void put(struct out *o, const char *s, size_t n)
{
	if ((size_t)(o->end - o->p) < n) {
		o->full = 1;
		return;
	}
	memcpy(o->p, s, n);
	o->p += n;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_uint(struct out *o, uint64_t v)
{
	char d[24];
	int n = 0;
	do
		d[sizeof d - 1 - n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	put(o, d + sizeof d - n, (size_t)n);
}

size_t wire_reply_head(char *out, size_t cap, const struct wire_reply *r)
{
	struct out o = {out, out + cap, 0};
	puts_(&o, "HTTP/1.1 ");
	put_uint(&o, (uint64_t)r->status);
	put(&o, " ", 1);
	puts_(&o, r->reason);
	put(&o, "\r\n", 2);
	for (int i = 0; i < r->n; i++) {
		puts_(&o, r->names[i]);
		put(&o, ": ", 2);
		puts_(&o, r->values[i]);
		put(&o, "\r\n", 2);
	}
	if (r->date) {
		puts_(&o, "Date: ");
		puts_(&o, r->date);
		put(&o, "\r\n", 2);
	}
	if (r->content_length >= 0) {
		puts_(&o, "Content-Length: ");
		put_uint(&o, (uint64_t)r->content_length);
		put(&o, "\r\n", 2);
	}
	if (r->close)
		puts_(&o, "Connection: close\r\n");
	else if (r->keep_alive_10)
		puts_(&o, "Connection: keep-alive\r\n");
	put(&o, "\r\n", 2);
	return o.full ? 0 : (size_t)(o.p - out);
}
