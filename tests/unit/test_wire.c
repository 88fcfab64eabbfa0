/* HTTP/1.1 on the wire (http/wire.h): request heads, chunked bodies, reply heads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/wire.h"

/* Parses text (a copy: the parser writes into it); the copy is kept in buf. */
static int parse(const char *text, char *buf, size_t cap, struct wire_req *q)
{
	size_t n = strlen(text);
	assert_true(n < cap);
	memcpy(buf, text, n + 1);
	size_t end = wire_head_end(buf, n);
	assert_true(end > 0);
	return wire_parse(buf, end, q);
}

/* The same with bytes that may hold a NUL. */
static int parse_bytes(const char *text, size_t n, char *buf, size_t cap, struct wire_req *q)
{
	assert_true(n < cap);
	memcpy(buf, text, n);
	size_t end = wire_head_end(buf, n);
	assert_true(end > 0);
	return wire_parse(buf, end, q);
}

/* RFC 9110 5.5: a field value holds no control character but HTAB; RFC 9112 2.2: a bare
 * CR is refused. A NUL used to end the value early ("chunked\0junk" read as chunked). */
static void test_control_bytes_refused(void **state)
{
	(void)state;
	char buf[256];
	struct wire_req q;
	static const char nul_te[] = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\0junk\r\n\r\n";
	assert_int_equal(parse_bytes(nul_te, sizeof nul_te - 1, buf, sizeof buf, &q), 400);
	static const char nul_cl[] = "POST / HTTP/1.1\r\nContent-Length: 5\0 9\r\n\r\n";
	assert_int_equal(parse_bytes(nul_cl, sizeof nul_cl - 1, buf, sizeof buf, &q), 400);
	static const char nul_line[] = "GET / HTTP/1.1\0x\r\nHost: a\r\n\r\n";
	assert_int_equal(parse_bytes(nul_line, sizeof nul_line - 1, buf, sizeof buf, &q), 400);
	static const char nul_alone[] = "GET / HTTP/1.1\r\n\0\r\nContent-Length: 5\r\n\r\n";
	assert_int_equal(parse_bytes(nul_alone, sizeof nul_alone - 1, buf, sizeof buf, &q), 400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nX-A: a\rb\r\n\r\n", buf, sizeof buf, &q), 400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nX-A: a\x01b\r\n\r\n", buf, sizeof buf, &q), 400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nX-A: a\x7f\r\n\r\n", buf, sizeof buf, &q), 400);
	/* HTAB inside a value, and bytes over 0x7f (obs-text: UTF-8 in a header), stay */
	assert_int_equal(parse("GET / HTTP/1.1\r\nX-A: a\tb \xd8\xb3\r\n\r\n", buf, sizeof buf, &q), 0);
	assert_string_equal(wire_header(&q, "x-a"), "a\tb \xd8\xb3");
	/* at every place of a long value (the check reads eight bytes at a time) */
	static const char bytes[] = {0, 1, 0x1f, 0x7f, '\r', '\t', ' ', (char)0x80, (char)0xff};
	for (size_t at = 0; at < 48; at++)
		for (size_t k = 0; k < sizeof bytes; k++) {
			char text[128];
			int n = snprintf(text, sizeof text, "GET / HTTP/1.1\r\nX-Long: %s\r\n\r\n",
					 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX");
			text[26 + at] = bytes[k]; /* "GET / HTTP/1.1\r\nX-Long: " is 26 bytes */
			int want = (unsigned char)bytes[k] < 0x20 && bytes[k] != '\t' ? 400
				   : bytes[k] == 0x7f			       ? 400
									       : 0;
			assert_int_equal(parse_bytes(text, (size_t)n, buf, sizeof buf, &q), want);
		}
}

static void test_head_end(void **state)
{
	(void)state;
	const char *a = "GET / HTTP/1.1\r\nHost: x\r\n\r\nNEXT";
	assert_int_equal(wire_head_end(a, strlen(a)), strlen(a) - 4);
	const char *b = "GET / HTTP/1.1\nHost: x\n\nbody";
	assert_int_equal(wire_head_end(b, strlen(b)), strlen(b) - 4);
	const char *c = "GET / HTTP/1.1\r\nHost: x\r\n";
	assert_int_equal(wire_head_end(c, strlen(c)), 0);
	/* every split of a head: complete only at its end */
	for (size_t i = 0; i < strlen(a) - 4; i++)
		assert_int_equal(wire_head_end(a, i), 0);
}

static void test_request(void **state)
{
	(void)state;
	char buf[1024];
	struct wire_req q;
	assert_int_equal(parse("\r\nGET /api/v1/cases/7?x=1 HTTP/1.1\r\nHost: t\r\n"
			       "authorization:   Bearer abc  \r\nX-Empty:\r\n\r\n",
			       buf, sizeof buf, &q),
			 0);
	assert_string_equal(q.method, "GET");
	assert_string_equal(q.target, "/api/v1/cases/7?x=1");
	assert_int_equal(q.minor, 1);
	assert_int_equal(q.nh, 3);
	assert_string_equal(wire_header(&q, "Authorization"), "Bearer abc");
	assert_string_equal(wire_header(&q, "x-empty"), "");
	assert_null(wire_header(&q, "Cookie"));
	assert_int_equal(q.content_length, -1);
	assert_true(q.keep_alive);
	assert_false(q.chunked);
	assert_false(q.expect_continue);

	assert_int_equal(parse("POST /x HTTP/1.1\r\nContent-Length: 12\r\nConnection: Close\r\n"
			       "Expect: 100-continue\r\n\r\n",
			       buf, sizeof buf, &q),
			 0);
	assert_int_equal(q.content_length, 12);
	assert_false(q.keep_alive);
	assert_true(q.expect_continue);

	/* HTTP/1.0 closes unless asked to keep the connection */
	assert_int_equal(parse("GET / HTTP/1.0\r\n\r\n", buf, sizeof buf, &q), 0);
	assert_int_equal(q.minor, 0);
	assert_false(q.keep_alive);
	assert_int_equal(
	    parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", buf, sizeof buf, &q), 0);
	assert_true(q.keep_alive);
	assert_int_equal(
	    parse("GET / HTTP/1.1\r\nConnection: upgrade, close\r\n\r\n", buf, sizeof buf, &q), 0);
	assert_false(q.keep_alive);

	assert_int_equal(
	    parse("PUT /y HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n", buf, sizeof buf, &q), 0);
	assert_true(q.chunked);
}

static void test_refused(void **state)
{
	(void)state;
	char buf[8192];
	struct wire_req q;
	static const struct {
		const char *text;
		int status;
	} cases[] = {
	    {"GET /\r\n\r\n", 400},
	    {"GET  / HTTP/1.1\r\n\r\n", 400},
	    {"GET / HTTP/1.1 x\r\n\r\n", 400},
	    {"get / HTTP/1.1\r\n\r\n", 400},
	    {"GET / FTP/1.1\r\n\r\n", 400},
	    {"GET / HTTP/2.0\r\n\r\n", 505},
	    {"GET / HTTP/1.1\r\nNo colon\r\n\r\n", 400},
	    {"GET / HTTP/1.1\r\n: empty name\r\n\r\n", 400},
	    {"GET / HTTP/1.1\r\nBad Name: v\r\n\r\n", 400},
	    {"GET / HTTP/1.1\r\nA: 1\r\n folded\r\n\r\n", 400},
	    {"POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", 400},
	    {"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
	    {"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400},
	    {"POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n", 400},
	    {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
	    {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(parse(cases[i].text, buf, sizeof buf, &q), cases[i].status);
	/* the same length twice is one length */
	assert_int_equal(parse("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n",
			       buf, sizeof buf, &q),
			 0);
	/* more header lines than WIRE_HEADERS */
	char many[8000];
	int at = snprintf(many, sizeof many, "GET / HTTP/1.1\r\n");
	for (int i = 0; i <= WIRE_HEADERS; i++)
		at += snprintf(many + at, sizeof many - (size_t)at, "H%d: v\r\n", i);
	snprintf(many + at, sizeof many - (size_t)at, "\r\n");
	assert_int_equal(parse(many, buf, sizeof buf, &q), 431);
}

static void test_chunked(void **state)
{
	(void)state;
	const char *body = "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer: x\r\n\r\nGET /next";
	size_t whole = strlen(body) - strlen("GET /next");
	char buf[256];
	/* every prefix short of the whole is incomplete, fed as it would arrive */
	size_t scan = 0, len = 0, used = 0;
	for (size_t n = 0; n < whole; n++) {
		memcpy(buf, body, n);
		assert_int_equal(wire_chunked(buf, n, 100, &scan, &len, &used), 0);
	}
	memcpy(buf, body, strlen(body));
	assert_int_equal(wire_chunked(buf, strlen(body), 100, &scan, &len, &used), 1);
	assert_int_equal(len, 12);
	assert_memory_equal(buf, "hello, world", 12);
	assert_int_equal(used, whole);

	/* bare LFs, no trailers, upper-case hex */
	strcpy(buf, "A\nabcdefghij\n0\n\n");
	scan = 0;
	assert_int_equal(wire_chunked(buf, strlen(buf), 100, &scan, &len, &used), 1);
	assert_int_equal(len, 10);
	assert_memory_equal(buf, "abcdefghij", 10);

	/* malformed: no size, data not followed by a line break, over max */
	static const char *const bad[] = {"\r\nx\r\n0\r\n\r\n", "zz\r\n", "3\r\nabcX\r\n0\r\n\r\n",
					  "65\r\n"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		strcpy(buf, bad[i]);
		scan = 0;
		assert_int_equal(wire_chunked(buf, strlen(buf), 100, &scan, &len, &used), -1);
	}
	/* over max across chunks */
	strcpy(buf, "40\r\n");
	memset(buf + 4, 'a', 64);
	strcpy(buf + 68, "\r\n40\r\n");
	memset(buf + 74, 'b', 64);
	strcpy(buf + 138, "\r\n0\r\n\r\n");
	scan = 0;
	assert_int_equal(wire_chunked(buf, strlen(buf), 100, &scan, &len, &used), -1);
}

/* A chunk-size line or a trailer over its limit was refused when it arrived in parts and
 * accepted when it arrived whole (found by fuzz_wire, whose two ways must agree). */
static void refused_in_parts_and_whole(const char *body, size_t part)
{
	size_t n = strlen(body), len = 0, used = 0, scan = 0;
	char *buf = malloc(n);
	memcpy(buf, body, n);
	assert_int_equal(wire_chunked(buf, part, 100, &scan, &len, &used), -1);
	scan = 0;
	assert_int_equal(wire_chunked(buf, n, 100, &scan, &len, &used), -1);
	free(buf);
}

static void test_chunked_long_lines(void **state)
{
	(void)state;
	char body[12000];
	int n = snprintf(body, sizeof body, "1;%01100d\r\nx\r\n0\r\n\r\n", 0);
	assert_true(n > 1100);
	refused_in_parts_and_whole(body, 1030);
	n = snprintf(body, sizeof body, "1\r\nx\r\n0\r\nX-T: %09000d\r\n\r\n", 0);
	assert_true(n > 9000);
	refused_in_parts_and_whole(body, 8192 + 20);
	/* at the limits, both ways accept */
	n = snprintf(body, sizeof body, "1;%01021d\r\nx\r\n0\r\n\r\n", 0);
	size_t scan = 0, len = 0, used = 0;
	assert_int_equal(wire_chunked(body, (size_t)n, 100, &scan, &len, &used), 1);
}

static void test_reply(void **state)
{
	(void)state;
	const char *names[] = {"Content-Type", "X-A"}, *values[] = {"application/json", "1"};
	struct wire_reply r = {.status = 200,
			       .reason = "OK",
			       .names = names,
			       .values = values,
			       .n = 2,
			       .date = "Sun, 22 Nov 2026 17:40:28 GMT",
			       .content_length = 2594};
	char out[512];
	size_t n = wire_reply_head(out, sizeof out, &r);
	const char *want = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-A: 1\r\n"
			   "Date: Sun, 22 Nov 2026 17:40:28 GMT\r\nContent-Length: 2594\r\n\r\n";
	assert_int_equal(n, strlen(want));
	assert_memory_equal(out, want, n);

	r.status = 304;
	r.reason = "Not Modified";
	r.n = 0;
	r.date = NULL;
	r.content_length = -1;
	r.close = 1;
	n = wire_reply_head(out, sizeof out, &r);
	want = "HTTP/1.1 304 Not Modified\r\nConnection: close\r\n\r\n";
	assert_int_equal(n, strlen(want));
	assert_memory_equal(out, want, n);

	r.close = 0;
	r.keep_alive_10 = 1;
	r.content_length = 0;
	n = wire_reply_head(out, sizeof out, &r);
	want = "HTTP/1.1 304 Not Modified\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n";
	assert_memory_equal(out, want, n);

	/* too small a buffer: 0, never a cut head */
	for (size_t cap = 0; cap < strlen(want); cap++)
		assert_int_equal(wire_reply_head(out, cap, &r), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_head_end), cmocka_unit_test(test_request),
	    cmocka_unit_test(test_refused),  cmocka_unit_test(test_chunked),
	    cmocka_unit_test(test_chunked_long_lines), cmocka_unit_test(test_reply),
	    cmocka_unit_test(test_control_bytes_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
