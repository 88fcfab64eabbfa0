/* `tamin rules ...`: each computation from the command line, answering the API's JSON. */
#include "rules/internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage_text[] =
    "tamin rules COMMAND (answers JSON; dates Jalali, default today in Tehran)\n"
    "  check                                  load data/rules: the number of parameters\n"
    "  value NAME [DATE]                      the value in force, its reference and source\n"
    "  table [PREFIX]                         every parameter and its dated values\n"
    "  contribution YEAR/MONTH DAYS WAGE [--hard] [--scheme employee|self12|self14|self18|"
    "voluntary]\n"
    "  list FILE                              a monthly list: lines year month days wage hard\n"
    "  history FILE [--on DATE]               a record: lines year month workshop days wage "
    "hard\n"
    "  eligibility FILE --birth DATE --sex male|female [--on DATE] [--exempt] "
    "[--future-hard 0|1]\n"
    "  pension FILE [--on DATE] [--reduced]   Article 77's estimate\n"
    "  increase PENSION [--on DATE] [--reduced]\n"
    "  equalise GRANTED GRANTED_ON CURRENT [--on DATE]\n";

static int usage(struct err *e, const char *what)
{
	return err_set(e, 400, "usage", "", "%s (tamin rules help lists the commands)", what);
}

static int parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	if (!s || !*s)
		return -1;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int parse_date(const char *s, struct jdate *d, const char *what, struct err *e)
{
	if (!s || jalali_parse(s, d) < 0)
		return err_set(e, 400, "invalid_date", what,
			       "%s: not a Jalali date (1403/07/15): %s", what, s ? s : "(missing)");
	return 0;
}

static struct jdate today(void)
{
	return tehran_from_unix((int64_t)time(NULL)).date;
}

/* The options after the positional arguments: --name VALUE or --flag. */
struct opts {
	const char *on, *birth, *sex, *scheme, *future_hard;
	int hard, exempt, reduced;
};

static int parse_opts(int argc, char **argv, int from, struct opts *o, struct err *e)
{
	memset(o, 0, sizeof *o);
	for (int i = from; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = strcmp(a, "--on") == 0	      ? &o->on
				    : strcmp(a, "--birth") == 0	      ? &o->birth
				    : strcmp(a, "--sex") == 0	      ? &o->sex
				    : strcmp(a, "--scheme") == 0      ? &o->scheme
				    : strcmp(a, "--future-hard") == 0 ? &o->future_hard
								      : NULL;
		if (slot) {
			if (i + 1 >= argc)
				return usage(e, "an option needs a value");
			*slot = argv[++i];
		} else if (strcmp(a, "--hard") == 0) {
			o->hard = 1;
		} else if (strcmp(a, "--exempt") == 0) {
			o->exempt = 1;
		} else if (strcmp(a, "--reduced") == 0) {
			o->reduced = 1;
		} else {
			char what[96];
			snprintf(what, sizeof what, "unknown argument %.64s", a);
			return usage(e, what);
		}
	}
	return 0;
}

/* Splits a data line on TABs (or runs of spaces) into at most max fields. */
static int split(char *line, char **f, int max)
{
	int n = 0;
	char *save = NULL;
	for (char *t = strtok_r(line, "\t ", &save); t; t = strtok_r(NULL, "\t ", &save)) {
		if (n == max)
			return max + 1;
		f[n++] = t;
	}
	return n;
}

/* Reads FILE's lines (skipping '#' comments and empty lines) with want fields each. */
static int read_lines(const char *path, int want,
		      int (*each)(char **f, void *arg, int line, struct err *e), void *arg,
		      struct err *e)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return err_set(e, 400, "invalid_file", "file", "cannot read %s", path);
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, rc = 0;
	while (rc == 0 && getline(&line, &cap, fp) >= 0) {
		lineno++;
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		char *f[8];
		int n = split(line, f, 7);
		if (n == 0)
			continue;
		if (n != want)
			rc = err_set(e, 400, "invalid_file", "file",
				     "%s line %d: expected %d fields, found %d", path, lineno, want,
				     n);
		else
			rc = each(f, arg, lineno, e);
	}
	free(line);
	fclose(fp);
	return rc;
}

struct records {
	struct rules_record *v;
	int n, cap;
	const char *path;
};

static int bad_field(struct err *e, const char *path, int line, const char *what)
{
	return err_set(e, 400, "invalid_file", "file", "%s line %d: %s", path, line, what);
}

static int record_line(char **f, void *arg, int line, struct err *e)
{
	struct records *rs = arg;
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 64;
		rs->v = realloc(rs->v, (size_t)rs->cap * sizeof *rs->v);
		if (!rs->v)
			abort();
	}
	struct rules_record *x = &rs->v[rs->n];
	memset(x, 0, sizeof *x);
	int64_t y, m, d, w, h;
	if (parse_int(f[0], 1, 3177, &y) < 0 || parse_int(f[1], 1, 12, &m) < 0)
		return bad_field(e, rs->path, line, "year and month are numbers");
	if (strlen(f[2]) >= sizeof x->workshop)
		return bad_field(e, rs->path, line, "the workshop code is too long");
	if (parse_int(f[3], 0, 31, &d) < 0 || parse_int(f[4], 0, RULES_MAX_MONEY, &w) < 0 ||
	    parse_int(f[5], 0, 1, &h) < 0)
		return bad_field(e, rs->path, line, "days, wage and hard (0 or 1) are numbers");
	x->year = (int)y;
	x->month = (int)m;
	snprintf(x->workshop, sizeof x->workshop, "%s", strcmp(f[2], "-") ? f[2] : "");
	x->days = (int)d;
	x->wage = w;
	x->hard_job = (int)h;
	rs->n++;
	return 0;
}

struct rows {
	struct rules_worker_row *v;
	int n, cap;
	const char *path;
};

static int row_line(char **f, void *arg, int line, struct err *e)
{
	struct rows *rs = arg;
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 64;
		rs->v = realloc(rs->v, (size_t)rs->cap * sizeof *rs->v);
		if (!rs->v)
			abort();
	}
	struct rules_worker_row *x = &rs->v[rs->n];
	memset(x, 0, sizeof *x);
	int64_t y, m, d, w, h;
	if (parse_int(f[0], 1, 3177, &y) < 0 || parse_int(f[1], 1, 12, &m) < 0 ||
	    parse_int(f[2], 0, 31, &d) < 0 || parse_int(f[3], 0, RULES_MAX_MONEY, &w) < 0 ||
	    parse_int(f[4], 0, 1, &h) < 0)
		return bad_field(e, rs->path, line, "year, month, days, wage and hard are numbers");
	*x = (struct rules_worker_row){(int)y, (int)m, (int)d, w, (int)h, RULES_EMPLOYEE};
	rs->n++;
	return 0;
}

static int history_of(const struct rules *r, const char *path, struct jdate on,
		      struct rules_history *h, struct rules_steps *steps, struct err *e)
{
	memset(h, 0, sizeof *h);
	struct records rs = {NULL, 0, 0, path};
	int rc = read_lines(path, 6, record_line, &rs, e);
	if (rc == 0)
		rc = rules_history_summarise(r, rs.v, rs.n, on, h, steps, e);
	free(rs.v);
	return rc;
}

static void emit(struct jw *w, FILE *out)
{
	size_t len;
	char *s = jw_take(w, &len);
	fwrite(s, 1, len, out);
	fputc('\n', out);
	free(s);
}

static int run(const struct rules *r, int argc, char **argv, FILE *out, struct err *e)
{
	const char *cmd = argv[0];
	struct jw w;
	jw_init(&w);
	struct rules_steps steps;
	rules_steps_init(&steps);
	struct opts o;
	int rc = -1;
	struct jdate on = today();

#define NEED(n)                                                                                    \
	do {                                                                                       \
		if (argc < (n) + 1) {                                                              \
			rc = usage(e, "missing arguments");                                        \
			goto out;                                                                  \
		}                                                                                  \
	} while (0)
#define OPTS(from)                                                                                 \
	do {                                                                                       \
		if (parse_opts(argc, argv, (from), &o, e) < 0)                                     \
			goto out;                                                                  \
		if (o.on && parse_date(o.on, &on, "on", e) < 0)                                    \
			goto out;                                                                  \
	} while (0)

	if (strcmp(cmd, "check") == 0) {
		OPTS(1);
		int nv, np = rules_count(r, &nv);
		jw_object(&w, NULL);
		jw_int(&w, "parameters", np);
		jw_int(&w, "values", nv);
		jw_end(&w);
		rc = 0;
	} else if (strcmp(cmd, "value") == 0) {
		NEED(1);
		if (argc > 2 && parse_date(argv[2], &on, "date", e) < 0)
			goto out;
		OPTS(argc > 2 ? 3 : 2);
		struct rules_value v;
		if (rules_value(r, argv[1], on, &v, e) < 0)
			goto out;
		rules_value_json(&w, NULL, &v);
		rc = 0;
	} else if (strcmp(cmd, "table") == 0) {
		OPTS(argc > 1 ? 2 : 1);
		rules_table_json(&w, NULL, r, argc > 1 ? argv[1] : "");
		rc = 0;
	} else if (strcmp(cmd, "contribution") == 0) {
		NEED(3);
		OPTS(4);
		struct rules_worker_row row;
		memset(&row, 0, sizeof row);
		int y, m;
		char tail;
		int64_t days, wage;
		if (sscanf(argv[1], "%d/%d%c", &y, &m, &tail) != 2 ||
		    parse_int(argv[2], 0, 31, &days) < 0 ||
		    parse_int(argv[3], 0, RULES_MAX_MONEY, &wage) < 0) {
			rc = usage(e, "YEAR/MONTH DAYS WAGE are numbers");
			goto out;
		}
		row = (struct rules_worker_row){y, m, (int)days, wage, o.hard, RULES_EMPLOYEE};
		if (o.scheme) {
			static const char *const names[] = {"employee", "self12", "self14",
							    "self18", "voluntary"};
			int found = -1;
			for (int i = 0; i < 5; i++)
				if (strcmp(o.scheme, names[i]) == 0)
					found = i;
			if (found < 0) {
				rc = usage(e, "--scheme is employee, self12, self14, self18 or "
					      "voluntary");
				goto out;
			}
			row.scheme = (enum rules_scheme)found;
		}
		struct rules_contribution c;
		if (rules_contribution_row(r, &row, &c, &steps, e) < 0)
			goto out;
		rules_contribution_json(&w, NULL, &c, &steps);
		rc = 0;
	} else if (strcmp(cmd, "list") == 0) {
		NEED(1);
		OPTS(2);
		struct rows rs = {NULL, 0, 0, argv[1]};
		struct rules_contribution total;
		rc = read_lines(argv[1], 5, row_line, &rs, e);
		if (rc == 0)
			rc = rules_contribution_list(r, rs.v, rs.n, &total, NULL, &steps, e);
		free(rs.v);
		if (rc == 0)
			rules_contribution_json(&w, NULL, &total, &steps);
	} else if (strcmp(cmd, "history") == 0) {
		NEED(1);
		OPTS(2);
		struct rules_history h;
		rc = history_of(r, argv[1], on, &h, &steps, e);
		if (rc == 0)
			rules_history_json(&w, NULL, &h, &steps);
		rules_history_release(&h);
	} else if (strcmp(cmd, "eligibility") == 0) {
		NEED(1);
		OPTS(2);
		struct rules_eligibility_in in = {.on = on, .exempt = o.exempt, .future_hard = -1};
		int64_t fh;
		if (parse_date(o.birth, &in.birth, "birth", e) < 0)
			goto out;
		if (!o.sex || (strcmp(o.sex, "male") && strcmp(o.sex, "female"))) {
			rc = usage(e, "--sex is male or female");
			goto out;
		}
		in.sex = strcmp(o.sex, "male") == 0 ? RULES_MALE : RULES_FEMALE;
		if (o.future_hard) {
			if (parse_int(o.future_hard, 0, 1, &fh) < 0) {
				rc = usage(e, "--future-hard is 0 or 1");
				goto out;
			}
			in.future_hard = (int)fh;
		}
		struct rules_history h;
		struct rules_eligibility el;
		rc = history_of(r, argv[1], on, &h, NULL, e);
		in.history = &h;
		if (rc == 0)
			rc = rules_eligibility(r, &in, &el, &steps, e);
		if (rc == 0)
			rules_eligibility_json(&w, NULL, &el, &steps);
		rules_history_release(&h);
	} else if (strcmp(cmd, "pension") == 0) {
		NEED(1);
		OPTS(2);
		struct rules_history h;
		struct rules_pension p;
		rc = history_of(r, argv[1], on, &h, NULL, e);
		struct rules_pension_in in = {&h, on, o.reduced};
		if (rc == 0)
			rc = rules_pension_estimate(r, &in, &p, &steps, e);
		if (rc == 0)
			rules_pension_json(&w, NULL, &p, &steps);
		rules_history_release(&h);
	} else if (strcmp(cmd, "increase") == 0) {
		NEED(1);
		OPTS(2);
		int64_t pension;
		if (parse_int(argv[1], 0, RULES_MAX_MONEY, &pension) < 0) {
			rc = usage(e, "PENSION is rials");
			goto out;
		}
		struct rules_increase inc;
		if (rules_increase_for(r, on, &inc, e) < 0)
			goto out;
		int64_t after = rules_increase_explain(&inc, pension, !o.reduced, &steps);
		jw_object(&w, NULL);
		jw_int(&w, "pension", pension);
		jw_int(&w, "increased", after);
		rules_steps_json(&w, "steps", &steps);
		jw_end(&w);
		rc = 0;
	} else if (strcmp(cmd, "equalise") == 0) {
		NEED(3);
		OPTS(4);
		int64_t granted, current, grant_mw;
		struct jdate gon = {0, 0, 0};
		if (parse_int(argv[1], 0, RULES_MAX_MONEY, &granted) < 0 ||
		    parse_int(argv[3], 0, RULES_MAX_MONEY, &current) < 0) {
			rc = usage(e, "GRANTED and CURRENT are rials");
			goto out;
		}
		if (parse_date(argv[2], &gon, "granted_on", e) < 0 ||
		    rules_minimum_wage(r, gon, &grant_mw, e) < 0)
			goto out;
		struct rules_equalisation q;
		if (rules_equalisation_for(r, on, &q, e) < 0)
			goto out;
		int64_t after = rules_equalisation_explain(&q, granted, grant_mw, current, &steps);
		jw_object(&w, NULL);
		jw_int(&w, "granted", granted);
		jw_int(&w, "grant_minimum_wage", grant_mw);
		jw_int(&w, "pension", current);
		jw_int(&w, "equalised", after);
		jw_int(&w, "step", q.step);
		rules_steps_json(&w, "steps", &steps);
		jw_end(&w);
		rc = 0;
	} else {
		char what[96];
		snprintf(what, sizeof what, "unknown command %.64s", cmd);
		rc = usage(e, what);
	}
#undef NEED
#undef OPTS
out:
	if (rc == 0)
		emit(&w, out);
	jw_release(&w);
	rules_steps_release(&steps);
	return rc;
}

int rules_cli(int argc, char **argv, const char *data_dir, FILE *out, struct err *e)
{
	if (argc < 1)
		return usage(e, "a command is needed");
	if (strcmp(argv[0], "help") == 0) {
		fputs(usage_text, out);
		return 0;
	}
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/rules", data_dir ? data_dir : "data");
	struct rules *r = rules_load(dir, e);
	if (!r)
		return -1;
	int rc = run(r, argc, argv, out, e);
	rules_free(r);
	return rc;
}
