/* wire: HTTP/1.1 as bytes, with no sockets and no allocation: a request's head parsed in
 * place, a chunked body decoded in place, a reply's head written into a buffer. The
 * server (server.c, conn.c) reads and writes the sockets around it. evhttp did this
 * before; it formatted every reply header with a printf and allocated three times per
 * header, a sixth of a case read's instructions. */
#ifndef TAMIN_HTTP_WIRE_H
#define TAMIN_HTTP_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define WIRE_HEADERS 64 /* a request with more header lines is refused (431) */

struct wire_header {
	const char *name, *value; /* NUL-terminated, inside the parsed head */
};

/* A request head. method is the token as sent ("GET"); minor is 0 or 1 (HTTP/1.x). */
struct wire_req {
	const char *method, *target;
	int minor;
	struct wire_header h[WIRE_HEADERS];
	int nh;
	int64_t content_length; /* -1: none */
	int chunked;		/* Transfer-Encoding: chunked */
	int keep_alive;		/* the connection stays open after the reply */
	int expect_continue;	/* Expect: 100-continue */
};

/* The length of the head at buf[0..len) up to and including its blank line, or 0 when
 * it is not complete yet. Leading blank lines (allowed before a request) are part of it. */
size_t wire_head_end(const char *buf, size_t len);

/* Parses the head at buf[0..len) (as found by wire_head_end), writing NULs into it.
 * 0, or the status to refuse it with: 400 (malformed), 431 (too many headers), 501
 * (a Transfer-Encoding other than chunked), 505 (not HTTP/1.x). */
int wire_parse(char *buf, size_t len, struct wire_req *q);

/* The first header called name (any case), or NULL. */
const char *wire_header(const struct wire_req *q, const char *name);

/* A chunked body at buf[0..len): 1 when it is complete, with the data moved to the front
 * (*data_len bytes) and *used the bytes it took, trailers included; 0 when more must
 * come; -1 when it is malformed or its data would pass max. *scan keeps the progress
 * between calls over the same growing buffer: set it to 0 before the first. */
int wire_chunked(char *buf, size_t len, size_t max, size_t *scan, size_t *data_len, size_t *used);

/* The head of a reply, written into out (cap bytes): status line, the given headers
 * (names[i]: values[i]), Date when date is set, Content-Length when content_length is
 * not -1, then "Connection: close" when close, else "Connection: keep-alive" when
 * keep_alive_10. The bytes written, or 0 when cap is too small. */
struct wire_reply {
	int status;
	const char *reason;
	const char *const *names, *const *values;
	int n;
	const char *date;
	int64_t content_length; /* -1: no Content-Length (204, 304) */
	int close;
	int keep_alive_10; /* an HTTP/1.0 client asked to keep the connection */
};
size_t wire_reply_head(char *out, size_t cap, const struct wire_reply *r);

#endif
