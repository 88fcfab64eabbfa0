/* A command's options, declared as a table (opts.h). */
#include "base/opts.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH 88 /* the usage line wraps before this column */

/* One line that names the command and the option, and where to read more. */
static int refuse(const struct opts_cmd *c, const char *option, struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int refuse(const struct opts_cmd *c, const char *option, struct err *e, const char *fmt, ...)
{
	char why[192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	return err_set(e, 400, "usage", option, "%s: %s (see %s --help)", c->name, why, c->name);
}

int opts_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int opts_parse(const struct opts_cmd *c, int argc, char **argv, const char **args, int *nargs,
	       struct err *e)
{
	unsigned long long seen = 0; /* bit k: opts[k] was given */
	int n = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			return OPTS_HELP;
		if (a[0] != '-' || !a[1]) { /* positional ("-" alone too) */
			if (n == c->max_args)
				return refuse(c, "", e, "unexpected argument %s", a);
			args[n++] = a;
			continue;
		}
		int k = 0;
		while (c->opts[k].name && strcmp(c->opts[k].name, a))
			k++;
		const struct opt *o = &c->opts[k];
		if (!o->name || k >= OPTS_MAX)
			return refuse(c, a, e, "unknown option %s", a);
		seen |= 1ull << k;
		if (o->kind == OPT_KIND_FLAG) {
			*(int *)o->value = 1;
			continue;
		}
		if (i + 1 >= argc)
			return refuse(c, a, e, "%s needs a value: %s %s", a, a, o->arg);
		const char *v = argv[++i];
		if (o->kind == OPT_KIND_STRING)
			*(const char **)o->value = v;
		else if (opts_long(v, o->min, o->max, o->value) < 0)
			return refuse(c, a, e, "%s takes a number from %ld to %ld, not %s", a,
				      o->min, o->max, v);
	}
	if (n < c->min_args)
		return refuse(c, "", e, "too few arguments: it wants %s", c->args);
	for (int k = 0; k < OPTS_MAX && c->opts[k].name; k++)
		if (c->opts[k].required && !(seen & 1ull << k))
			return refuse(c, c->opts[k].name, e, "%s %s is required", c->opts[k].name,
				      c->opts[k].arg);
	if (nargs)
		*nargs = n;
	return 0;
}

/* Writes " word" after col columns of the line, first breaking the line when the word
 * would pass WIDTH (the word then starts at column indent). Returns the new column. */
static int put_word(FILE *out, const char *word, int col, int indent)
{
	int len = (int)strlen(word);
	if (col + 1 + len > WIDTH && col > indent) {
		fprintf(out, "\n%*s", indent - 1, "");
		col = indent - 1;
	}
	fprintf(out, " %s", word);
	return col + 1 + len;
}

/* The name, the arguments, then each option (in brackets unless required), wrapped; col:
 * what the line holds already. */
static void synopsis(const struct opts_cmd *c, FILE *out, int col)
{
	fputs(c->name, out);
	col += (int)strlen(c->name);
	int indent = col + 1;
	if (c->args)
		col = put_word(out, c->args, col, indent);
	for (const struct opt *o = c->opts; o->name; o++) {
		char word[96];
		if (o->kind == OPT_KIND_FLAG)
			snprintf(word, sizeof word, "[%s]", o->name);
		else if (o->required)
			snprintf(word, sizeof word, "%s %s", o->name, o->arg);
		else
			snprintf(word, sizeof word, "[%s %s]", o->name, o->arg);
		col = put_word(out, word, col, indent);
	}
	fputc('\n', out);
}

void opts_synopsis(const struct opts_cmd *c, FILE *out)
{
	synopsis(c, out, 0);
}

void opts_usage(const struct opts_cmd *c, FILE *out)
{
	fputs("usage: ", out);
	synopsis(c, out, (int)strlen("usage: "));
	if (c->about)
		fprintf(out, "%s\n", c->about);
	fputc('\n', out);
	int w = (int)strlen("--help");
	for (const struct opt *o = c->opts; o->name; o++) {
		int len = (int)strlen(o->name) + (o->arg ? 1 + (int)strlen(o->arg) : 0);
		w = len > w ? len : w;
	}
	for (const struct opt *o = c->opts; o->name; o++) {
		char left[96], help[320], *save = NULL;
		snprintf(left, sizeof left, "%s%s%s", o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
		if (o->kind == OPT_KIND_NUMBER)
			snprintf(help, sizeof help, "%s; %ld to %ld", o->help, o->min, o->max);
		else
			snprintf(help, sizeof help, "%s", o->help);
		int col = fprintf(out, "  %-*s ", w, left);
		for (char *t = strtok_r(help, " ", &save); t; t = strtok_r(NULL, " ", &save))
			col = put_word(out, t, col, w + 4);
		fputc('\n', out);
	}
	fprintf(out, "  %-*s  %s\n", w, "--help", "this text");
}
