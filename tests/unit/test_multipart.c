#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "http/multipart.h"

static struct arena A;

static int setup(void **state)
{
	(void)state;
	arena_init(&A);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	arena_release(&A);
	return 0;
}

static int parse(const char *body, size_t len, struct multipart_part *p, int max, struct err *e)
{
	return multipart_parse(body, len, "XyZ", p, max, &A, e);
}
#define PARSE(s, p, max, e) parse(s, sizeof(s) - 1, p, max, e)

static void test_boundary(void **state)
{
	(void)state;
	struct err e = {0};
	assert_string_equal(multipart_boundary("multipart/form-data; boundary=abc", &A, &e), "abc");
	assert_string_equal(multipart_boundary("Multipart/Form-Data;BOUNDARY=\"a b:c\"", &A, &e),
			    "a b:c");
	assert_string_equal(
	    multipart_boundary("multipart/form-data; charset=utf-8; boundary=----WebKitFormBoundaryX",
			       &A, &e),
	    "----WebKitFormBoundaryX");
	/* not multipart: 415 */
	assert_null(multipart_boundary("application/json", &A, &e));
	assert_int_equal(e.status, 415);
	assert_string_equal(e.field, "Content-Type");
	assert_null(multipart_boundary(NULL, &A, &e));
	assert_int_equal(e.status, 415);
	assert_null(multipart_boundary("multipart/form-dataX; boundary=a", &A, &e));
	assert_int_equal(e.status, 415);
	/* no boundary, an empty one, one too long, a bad character, two of them: 400 */
	const char *bad[] = {
	    "multipart/form-data",
	    "multipart/form-data; boundary=",
	    "multipart/form-data; boundary=\"\"",
	    "multipart/form-data; boundary="
	    "12345678901234567890123456789012345678901234567890123456789012345678901",
	    "multipart/form-data; boundary=a<b",
	    "multipart/form-data; boundary=\"ends in space \"",
	    "multipart/form-data; boundary=a; boundary=b",
	    "multipart/form-data; boundary=\"unclosed",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		if (multipart_boundary(bad[i], &A, &e))
			fail_msg("taken: %s", bad[i]);
		assert_int_equal(e.status, 400);
		assert_string_equal(e.field, "Content-Type");
	}
}

static void test_one_file(void **state)
{
	(void)state;
	struct multipart_part p[4];
	struct err e = {0};
	static const char body[] = "--XyZ\r\n"
				   "Content-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n"
				   "Content-Type: application/pdf\r\n"
				   "\r\n"
				   "%PDF-1.4\r\n--not the boundary\r\n\0binary"
				   "\r\n--XyZ--\r\n";
	int n = PARSE(body, p, 4, &e);
	assert_int_equal(n, 1);
	assert_string_equal(p[0].name, "file");
	assert_string_equal(p[0].filename, "a.pdf");
	assert_int_equal(p[0].filename_len, 5);
	assert_string_equal(p[0].type, "application/pdf");
	static const char data[] = "%PDF-1.4\r\n--not the boundary\r\n\0binary";
	assert_int_equal(p[0].len, sizeof data - 1);
	assert_memory_equal(p[0].data, data, sizeof data - 1);
}

static void test_preamble_padding_epilogue(void **state)
{
	(void)state;
	struct multipart_part p[4];
	struct err e = {0};
	static const char body[] = "a preamble\r\n--XyZ \t\r\n"
				   "content-disposition: FORM-DATA; name=text\r\n"
				   "\r\n"
				   "hello\r\n--XyZ\r\n"
				   "Content-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n"
				   "\r\n"
				   "\r\n--XyZ--and an epilogue";
	int n = PARSE(body, p, 4, &e);
	assert_int_equal(n, 2);
	assert_string_equal(p[0].name, "text");
	assert_null(p[0].filename);
	assert_null(p[0].type);
	assert_int_equal(p[0].len, 5);
	assert_memory_equal(p[0].data, "hello", 5);
	assert_string_equal(p[1].name, "f");
	assert_int_equal(p[1].len, 0); /* an empty file */
}

static void test_filenames(void **state)
{
	(void)state;
	struct multipart_part p[2];
	struct err e = {0};
	/* quoted pairs; a backslash before anything else is kept (a Windows path) */
	static const char quoted[] = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
				     "filename=\"C:\\dir\\a \\\"q\\\" \\\\.pdf\"\r\n\r\nx\r\n--XyZ--";
	assert_int_equal(PARSE(quoted, p, 2, &e), 1);
	assert_string_equal(p[0].filename, "C:\\dir\\a \"q\" \\.pdf");
	/* filename* wins, whichever comes first, and may hold any byte */
	static const char star[] = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
				   "filename*=UTF-8''%D9%86%D8%A7%D9%85%00%0A.png; filename=\"n.png\""
				   "\r\n\r\nx\r\n--XyZ--";
	assert_int_equal(PARSE(star, p, 2, &e), 1);
	assert_int_equal(p[0].filename_len, 12);
	assert_memory_equal(p[0].filename, "\xd9\x86\xd8\xa7\xd9\x85\0\n.png", 12);
	static const char latin1[] = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
				     "filename*=iso-8859-1'en'%E9t%E9.pdf\r\n\r\nx\r\n--XyZ--";
	assert_int_equal(PARSE(latin1, p, 2, &e), 1);
	assert_string_equal(p[0].filename, "\xc3\xa9t\xc3\xa9.pdf");
	/* filename* that is not UTF-8, or of another charset, or badly encoded */
	static const char *const bad[] = {
	    "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''%FF\r\n\r\nx\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename*=KOI8-R''a\r\n\r\nx\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''%4\r\n\r\nx\r\n--XyZ--",
	    "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename*=a.pdf\r\n\r\nx\r\n--XyZ--",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_int_equal(parse(bad[i], strlen(bad[i]), p, 2, &e), -1);
		assert_int_equal(e.status, 400);
		assert_string_equal(e.field, "file");
	}
}

/* Each malformed body: 400 invalid_multipart naming the field given. */
static void test_refused(void **state)
{
	(void)state;
	static const struct {
		const char *body, *field;
	} cases[] = {
	    {"", "body"},
	    {"no boundary at all", "body"},
	    {"--XyZ--", "body"}, /* no part */
	    /* cut short inside the data: the part is named */
	    {"--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n%PDF-1.4 and no end",
	     "file"},
	    {"--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n%PDF\r\n--XyZ", "file"},
	    {"--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n%PDF\r\n--XyZ\r\n",
	     "body"}, /* a part that never comes */
	    {"--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n%PDF\r\n--XyZjunk", "file"},
	    {"--XyZ\r\nContent-Disposition: form-data; name=\"file\"", "body"},
	    {"--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n", "body"},
	    {"--XyZ\r\n\r\nx\r\n--XyZ--", "body"},				     /* no headers */
	    {"--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--", "body"}, /* no disposition */
	    {"--XyZ\r\nContent-Disposition: attachment; name=\"file\"\r\n\r\nx\r\n--XyZ--", "body"},
	    {"--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--", "body"}, /* no name */
	    {"--XyZ\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nx\r\n--XyZ--", "body"},
	    {"--XyZ\r\nContent-Disposition: form-data; name=\"a\"; name=\"b\"\r\n\r\nx\r\n--XyZ--",
	     "a"},
	    {"--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=a; filename=b\r\n\r\nx\r\n--XyZ--",
	     "f"},
	    {"--XyZ\r\nContent-Disposition: form-data; name=\"f\r\n\r\nx\r\n--XyZ--", "body"},
	    {"--XyZ\r\nContent-Disposition: form-data;\r\n name=\"f\"\r\n\r\nx\r\n--XyZ--", "body"},
	    {"--XyZ\r\nContent-Disposition: form-data; name=\"f\"\nX: y\r\n\r\nx\r\n--XyZ--", "f"},
	    {"--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n"
	     "Content-Transfer-Encoding: base64\r\n\r\neA==\r\n--XyZ--",
	     "f"},
	    {"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--XyZ\r\n"
	     "Content-Disposition: form-data; name=\"b\"\r\n\r\n2\r\n--XyZ\r\n"
	     "Content-Disposition: form-data; name=\"c\"\r\n\r\n3\r\n--XyZ--",
	     "body"}, /* more parts than taken */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct multipart_part p[2];
		struct err e = {0};
		int n = parse(cases[i].body, strlen(cases[i].body), p, 2, &e);
		if (n != -1 || e.status != 400 || strcmp(e.field, cases[i].field) != 0)
			fail_msg("case %zu: n %d status %d field '%s' (%s)", i, n, e.status, e.field,
				 e.message);
		assert_string_equal(e.code, "invalid_multipart");
	}
}

static void test_headers_too_long(void **state)
{
	(void)state;
	static char body[MULTIPART_HEAD_MAX + 200];
	size_t n = (size_t)snprintf(body, sizeof body, "--XyZ\r\nX-Pad: ");
	memset(body + n, 'a', MULTIPART_HEAD_MAX);
	n += MULTIPART_HEAD_MAX;
	n += (size_t)snprintf(body + n, sizeof body - n,
			      "\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n--XyZ--");
	struct multipart_part p[1];
	struct err e = {0};
	assert_int_equal(parse(body, n, p, 1, &e), -1);
	assert_int_equal(e.status, 400);
	assert_non_null(strstr(e.message, "over"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_boundary),
	    cmocka_unit_test(test_one_file),
	    cmocka_unit_test(test_preamble_padding_epilogue),
	    cmocka_unit_test(test_filenames),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_headers_too_long),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
