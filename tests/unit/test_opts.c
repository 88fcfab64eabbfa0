/* base/opts.h: options parsed by a command's own table; what it refuses, and its usage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/opts.h"

struct vals {
	const char *db, *out;
	long year;
	int hard;
	const char *args[2];
	int nargs;
};

static int parse(struct vals *v, struct err *e, int argc, ...)
{
	char *argv[16];
	va_list ap;
	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	memset(v, 0, sizeof *v);
	const struct opt options[] = {
	    OPT_REQUIRED_STRING("--db", "FILE", &v->db, "the database"),
	    OPT_STRING("--out", "DIR", &v->out, "where to write"),
	    OPT_NUMBER("--year", "Y", &v->year, 1300, 1500, "a Jalali year"),
	    OPT_FLAG("--hard", &v->hard, "hard and harmful"),
	    OPT_END,
	};
	const struct opts_cmd c = {"tamin thing do", "KAR [WOR]", 1, 2, "Does the thing.", options};
	err_clear(e);
	return opts_parse(&c, argc, argv, v->args, &v->nargs, e);
}

static void refused(int rc, const struct err *e, const char *want)
{
	assert_int_equal(rc, -1);
	assert_int_equal(e->status, 400);
	assert_string_equal(e->code, "usage");
	if (!strstr(e->message, want))
		fail_msg("%s: wanted %s", e->message, want);
	assert_non_null(strstr(e->message, "(see tamin thing do --help)"));
}

static void test_parse(void **state)
{
	(void)state;
	struct vals v;
	struct err e;
	/* options anywhere among the arguments, a flag alone */
	assert_int_equal(parse(&v, &e, 6, "k.dbf", "--db", "x.db", "--hard", "--year", "1405"), 0);
	assert_string_equal(v.db, "x.db");
	assert_int_equal(v.year, 1405);
	assert_int_equal(v.hard, 1);
	assert_null(v.out);
	assert_int_equal(v.nargs, 1);
	assert_string_equal(v.args[0], "k.dbf");
	assert_int_equal(parse(&v, &e, 4, "--db", "-", "k", "w"), 0); /* "-" is a value */
	assert_int_equal(v.nargs, 2);
	/* what it refuses */
	refused(parse(&v, &e, 4, "k", "--db", "x", "--people"), &e,
		"tamin thing do: unknown option --people");
	assert_string_equal(e.field, "--people");
	refused(parse(&v, &e, 4, "k", "--db", "x", "--year"), &e, "--year needs a value: --year Y");
	refused(parse(&v, &e, 5, "k", "--db", "x", "--year", "1600"), &e,
		"--year takes a number from 1300 to 1500, not 1600");
	refused(parse(&v, &e, 5, "k", "--db", "x", "--year", "14o5"), &e, "--year takes a number");
	refused(parse(&v, &e, 1, "k"), &e, "--db FILE is required");
	refused(parse(&v, &e, 2, "--db", "x"), &e, "too few arguments: it wants KAR [WOR]");
	refused(parse(&v, &e, 5, "--db", "x", "a", "b", "c"), &e, "unexpected argument c");
	refused(parse(&v, &e, 4, "k", "--db", "x", "-y"), &e, "unknown option -y");
	/* --help wins over what is missing, but not over what came wrong before it */
	assert_int_equal(parse(&v, &e, 1, "--help"), OPTS_HELP);
	assert_int_equal(parse(&v, &e, 2, "k", "-h"), OPTS_HELP);
	assert_int_equal(parse(&v, &e, 2, "--bogus", "--help"), -1);
}

static void test_usage(void **state)
{
	(void)state;
	const char *s = NULL;
	long n = 0;
	int f = 0;
	const struct opt options[] = {
	    OPT_REQUIRED_STRING("--db", "FILE", &s, "the database"),
	    OPT_NUMBER("--threads", "N", &n, 1, 64, "event loops"),
	    OPT_FLAG("--apply", &f, "apply it"),
	    OPT_END,
	};
	const struct opts_cmd c = {"tamin serve", NULL, 0, 0, "Serves.", options};
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	opts_usage(&c, out);
	fclose(out);
	assert_string_equal(buf, "usage: tamin serve --db FILE [--threads N] [--apply]\n"
				 "Serves.\n"
				 "\n"
				 "  --db FILE    the database\n"
				 "  --threads N  event loops; 1 to 64\n"
				 "  --apply      apply it\n"
				 "  --help       this text\n");
	free(buf);
	/* a long usage line wraps under the first argument */
	const struct opt many[] = {
	    OPT_STRING("--aaaaaaaaaa", "VALUE", &s, "a"),
	    OPT_STRING("--bbbbbbbbbb", "VALUE", &s, "b"),
	    OPT_STRING("--cccccccccc", "VALUE", &s, "c"),
	    OPT_STRING("--dddddddddd", "VALUE", &s, "d"),
	    OPT_STRING("--eeeeeeeeee", "VALUE", &s, "e"),
	    OPT_END,
	};
	const struct opts_cmd w = {"tamin wide", "FILE", 1, 1, NULL, many};
	out = open_memstream(&buf, &len);
	opts_synopsis(&w, out);
	fclose(out);
	assert_string_equal(buf, "tamin wide FILE [--aaaaaaaaaa VALUE] [--bbbbbbbbbb VALUE]"
				 " [--cccccccccc VALUE]\n"
				 "           [--dddddddddd VALUE] [--eeeeeeeeee VALUE]\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_usage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
