/* opts: a command's options, declared as a table and parsed from its arguments (as git's
 * parse-options). Each command declares only the options it takes, so another command's
 * option is refused by name, and --help prints the command's usage from the same table:
 *
 *	const char *db = NULL;
 *	long year = 0;
 *	const struct opt options[] = {
 *		OPT_REQUIRED_STRING("--db", "FILE", &db, "the database"),
 *		OPT_NUMBER("--year", "Y", &year, 1300, 1500, "the Jalali year"),
 *		OPT_END,
 *	};
 *	const struct opts_cmd cmd = {"tamin record close-year", NULL, 0, 0, NULL, options};
 *
 * An option is `--name VALUE` (a flag stands alone), anywhere among the command's other
 * arguments; an argument that starts with '-' is an option, the others are positional. */
#ifndef TAMIN_BASE_OPTS_H
#define TAMIN_BASE_OPTS_H

#include <stdio.h>

#include "base/err.h"

enum opt_kind { OPT_KIND_END = 0, OPT_KIND_STRING, OPT_KIND_NUMBER, OPT_KIND_FLAG };

struct opt {
	const char *name; /* "--db" */
	enum opt_kind kind;
	const char *arg;  /* the value's placeholder in the usage: "FILE", "N"; NULL: a flag */
	const char *help; /* one line */
	void *value;	  /* where it goes: a const char *, a long, or an int (a flag: 1) */
	long min, max;	  /* a number's range */
	int required;
};

/* Each macro checks the type of where the value goes (a mismatch is a compile error). */
#define OPT_PTR_(type, var) ((void *)(1 ? (var) : (type *)0))
#define OPT_STRING(name, arg, var, help)                                                           \
	{                                                                                          \
		(name), OPT_KIND_STRING, (arg), (help), OPT_PTR_(const char *, var), 0, 0, 0       \
	}
#define OPT_REQUIRED_STRING(name, arg, var, help)                                                  \
	{                                                                                          \
		(name), OPT_KIND_STRING, (arg), (help), OPT_PTR_(const char *, var), 0, 0, 1       \
	}
#define OPT_NUMBER(name, arg, var, min, max, help)                                                 \
	{                                                                                          \
		(name), OPT_KIND_NUMBER, (arg), (help), OPT_PTR_(long, var), (min), (max), 0       \
	}
#define OPT_REQUIRED_NUMBER(name, arg, var, min, max, help)                                        \
	{                                                                                          \
		(name), OPT_KIND_NUMBER, (arg), (help), OPT_PTR_(long, var), (min), (max), 1       \
	}
#define OPT_FLAG(name, var, help)                                                                  \
	{                                                                                          \
		(name), OPT_KIND_FLAG, NULL, (help), OPT_PTR_(int, var), 0, 0, 0                   \
	}
#define OPT_END                                                                                    \
	{                                                                                          \
		NULL, OPT_KIND_END, NULL, NULL, NULL, 0, 0, 0                                      \
	}

#define OPTS_MAX 64 /* options a command may declare */

/* A command: its name as typed (every message names it), its positional arguments, what
 * it does, and its options. */
struct opts_cmd {
	const char *name;	/* "tamin list import" */
	const char *args;	/* the positional arguments as the usage shows them; NULL: none */
	int min_args, max_args; /* how many it takes */
	const char *about;	/* what it does, printed under the usage line; NULL: nothing */
	const struct opt *opts; /* ended by OPT_END */
};

#define OPTS_HELP 1

/* Parses argv[0..argc) (what follows the command's name), storing each option's value
 * where it says (a string is argv's, not a copy) and the positional arguments in
 * args[0..max_args) (NULL when the command takes none), their number in *nargs (may be
 * NULL). Returns OPTS_HELP at "--help" or "-h", parsing no further (print opts_usage);
 * 0 when parsed; -1 with e (400 "usage", the option as e->field) for an option the
 * command does not take, a value missing, a number out of its range, a required option
 * missing, or too few or too many positional arguments: one line that names the command
 * and the option and ends "(see NAME --help)". */
int opts_parse(const struct opts_cmd *c, int argc, char **argv, const char **args, int *nargs,
	       struct err *e);

/* s as a whole number from min to max into *out: 0, or -1 (*out untouched). */
int opts_long(const char *s, long min, long max, long *out);

/* The usage line alone, without "usage: " (for a list of commands). */
void opts_synopsis(const struct opts_cmd *c, FILE *out);
/* What --help prints: the usage line, `about`, and each option with its placeholder, its
 * help and a number's range ("event loops; 1 to 64"). */
void opts_usage(const struct opts_cmd *c, FILE *out);

#endif
