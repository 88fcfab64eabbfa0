/* `tamin rules ...`: each computation from the command line, answering the API's JSON. A
 * table names the sub-commands, each with its arguments, the options it takes
 * (base/opts.h) and a function of its own. */
#include "rules/internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/opts.h"

static int usage(struct err *e, const char *cmd, const char *what)
{
	return err_set(e, 400, "usage", "", "tamin rules%s%s: %s (see tamin rules%s%s --help)",
		       cmd ? " " : "", cmd ? cmd : "", what, cmd ? " " : "", cmd ? cmd : "");
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

/* A sub-command's arguments and options, as parsed. */
struct args {
	const char *arg[3]; /* the positional arguments */
	int nargs;
	const char *on_text, *birth, *sex, *scheme, *data;
	long future_hard; /* -1: not given */
	int hard, exempt, reduced;
	struct jdate on; /* --on, or today in Tehran */
};

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

/* ---- the sub-commands: each writes its answer into w ---- */

#define SUB(name)                                                                                  \
	static int name(const struct rules *r, struct args *a, struct jw *w,                       \
			struct rules_steps *steps, struct err *e)

SUB(sub_check)
{
	(void)a, (void)steps, (void)e;
	int nv, np = rules_count(r, &nv);
	jw_object(w, NULL);
	jw_int(w, "parameters", np);
	jw_int(w, "values", nv);
	jw_end(w);
	return 0;
}

SUB(sub_value)
{
	(void)steps;
	struct jdate on = a->on;
	if (a->nargs > 1 && parse_date(a->arg[1], &on, "date", e) < 0)
		return -1;
	if (a->on_text) /* --on wins over DATE */
		on = a->on;
	struct rules_value v;
	if (rules_value(r, a->arg[0], on, &v, e) < 0)
		return -1;
	rules_value_json(w, NULL, &v);
	return 0;
}

SUB(sub_table)
{
	(void)steps, (void)e;
	rules_table_json(w, NULL, r, a->nargs > 0 ? a->arg[0] : "");
	return 0;
}

SUB(sub_contribution)
{
	int y, m;
	char tail;
	int64_t days, wage;
	if (sscanf(a->arg[0], "%d/%d%c", &y, &m, &tail) != 2 ||
	    parse_int(a->arg[1], 0, 31, &days) < 0 ||
	    parse_int(a->arg[2], 0, RULES_MAX_MONEY, &wage) < 0)
		return usage(e, "contribution", "YEAR/MONTH DAYS WAGE are numbers");
	struct rules_worker_row row = {y, m, (int)days, wage, a->hard, RULES_EMPLOYEE};
	if (a->scheme) {
		static const char *const names[] = {"employee", "self12", "self14", "self18",
						    "voluntary"};
		int found = -1;
		for (int i = 0; i < 5; i++)
			if (strcmp(a->scheme, names[i]) == 0)
				found = i;
		if (found < 0)
			return usage(e, "contribution",
				     "--scheme is employee, self12, self14, self18 or voluntary");
		row.scheme = (enum rules_scheme)found;
	}
	struct rules_contribution c;
	if (rules_contribution_row(r, &row, &c, steps, e) < 0)
		return -1;
	rules_contribution_json(w, NULL, &c, steps);
	return 0;
}

SUB(sub_list)
{
	struct rows rs = {NULL, 0, 0, a->arg[0]};
	struct rules_contribution total;
	int rc = read_lines(a->arg[0], 5, row_line, &rs, e);
	if (rc == 0)
		rc = rules_contribution_list(r, rs.v, rs.n, &total, NULL, steps, e);
	free(rs.v);
	if (rc == 0)
		rules_contribution_json(w, NULL, &total, steps);
	return rc;
}

SUB(sub_history)
{
	struct rules_history h;
	int rc = history_of(r, a->arg[0], a->on, &h, steps, e);
	if (rc == 0)
		rules_history_json(w, NULL, &h, steps);
	rules_history_release(&h);
	return rc;
}

SUB(sub_eligibility)
{
	struct rules_eligibility_in in = {.on = a->on, .exempt = a->exempt,
					  .future_hard = (int)a->future_hard};
	if (parse_date(a->birth, &in.birth, "birth", e) < 0)
		return -1;
	if (strcmp(a->sex, "male") && strcmp(a->sex, "female"))
		return usage(e, "eligibility", "--sex is male or female");
	in.sex = strcmp(a->sex, "male") == 0 ? RULES_MALE : RULES_FEMALE;
	struct rules_history h;
	struct rules_eligibility el;
	int rc = history_of(r, a->arg[0], a->on, &h, NULL, e);
	in.history = &h;
	if (rc == 0)
		rc = rules_eligibility(r, &in, &el, steps, e);
	if (rc == 0)
		rules_eligibility_json(w, NULL, &el, steps);
	rules_history_release(&h);
	return rc;
}

SUB(sub_pension)
{
	struct rules_history h;
	struct rules_pension p;
	int rc = history_of(r, a->arg[0], a->on, &h, NULL, e);
	struct rules_pension_in in = {&h, a->on, a->reduced};
	if (rc == 0)
		rc = rules_pension_estimate(r, &in, &p, steps, e);
	if (rc == 0)
		rules_pension_json(w, NULL, &p, steps);
	rules_history_release(&h);
	return rc;
}

SUB(sub_increase)
{
	int64_t pension;
	if (parse_int(a->arg[0], 0, RULES_MAX_MONEY, &pension) < 0)
		return usage(e, "increase", "PENSION is rials");
	struct rules_increase inc;
	if (rules_increase_for(r, a->on, &inc, e) < 0)
		return -1;
	int64_t after = rules_increase_explain(&inc, pension, !a->reduced, steps);
	if (after < 0)
		return err_set(e, 422, "amount_out_of_range", "PENSION",
			       "the increased pension would pass 10^15 rials, the largest the "
			       "rules take");
	jw_object(w, NULL);
	jw_int(w, "pension", pension);
	jw_int(w, "increased", after);
	rules_steps_json(w, "steps", steps);
	jw_end(w);
	return 0;
}

SUB(sub_equalise)
{
	int64_t granted, current, grant_mw;
	struct jdate gon = {0, 0, 0};
	if (parse_int(a->arg[0], 0, RULES_MAX_MONEY, &granted) < 0 ||
	    parse_int(a->arg[2], 0, RULES_MAX_MONEY, &current) < 0)
		return usage(e, "equalise", "GRANTED and CURRENT are rials");
	if (parse_date(a->arg[1], &gon, "granted_on", e) < 0 ||
	    rules_minimum_wage(r, gon, &grant_mw, e) < 0)
		return -1;
	struct rules_equalisation q;
	if (rules_equalisation_for(r, a->on, &q, e) < 0)
		return -1;
	int64_t after = rules_equalisation_explain(&q, granted, grant_mw, current, steps);
	jw_object(w, NULL);
	jw_int(w, "granted", granted);
	jw_int(w, "grant_minimum_wage", grant_mw);
	jw_int(w, "pension", current);
	jw_int(w, "equalised", after);
	jw_int(w, "step", q.step);
	rules_steps_json(w, "steps", steps);
	jw_end(w);
	return 0;
}

/* ---- the table ---- */

/* The options a sub-command may take: each takes those its `opts` bits name, and --data. */
enum {
	O_ON = 1 << 0,
	O_HARD = 1 << 1,
	O_SCHEME = 1 << 2,
	O_BIRTH = 1 << 3,
	O_SEX = 1 << 4,
	O_EXEMPT = 1 << 5,
	O_FUTURE_HARD = 1 << 6,
	O_REDUCED = 1 << 7,
	O_DATA = 1 << 8,
};

static const struct sub {
	const char *name, *args;
	int min_args, max_args;
	unsigned opts;
	const char *about;
	int (*run)(const struct rules *r, struct args *a, struct jw *w, struct rules_steps *steps,
		   struct err *e);
} subs[] = {
    {"check", NULL, 0, 0, 0, "The rules load: the number of parameters and of values.",
     sub_check},
    {"value", "NAME [DATE]", 1, 2, O_ON,
     "The value of NAME in force on DATE (or --on; default today), its reference and source.",
     sub_value},
    {"table", "[PREFIX]", 0, 1, 0, "Every parameter (or those that start with PREFIX) and its "
     "dated values.", sub_table},
    {"contribution", "YEAR/MONTH DAYS WAGE", 3, 3, O_HARD | O_SCHEME,
     "The contributions due on one worker's month.", sub_contribution},
    {"list", "FILE", 1, 1, 0,
     "A monthly list's contributions; FILE's lines: year month days wage hard(0|1).",
     sub_list},
    {"history", "FILE", 1, 1, O_ON,
     "A record's summary; FILE's lines: year month workshop days wage hard(0|1).",
     sub_history},
    {"eligibility", "FILE", 1, 1, O_ON | O_BIRTH | O_SEX | O_EXEMPT | O_FUTURE_HARD,
     "Retirement eligibility on the date (Article 76 and the reform), from a record FILE.",
     sub_eligibility},
    {"pension", "FILE", 1, 1, O_ON | O_REDUCED, "Article 77's pension estimate, from a record "
     "FILE.", sub_pension},
    {"increase", "PENSION", 1, 1, O_ON | O_REDUCED,
     "The yearly increase of a pension of PENSION rials.", sub_increase},
    {"equalise", "GRANTED GRANTED_ON CURRENT", 3, 3, O_ON,
     "The equalisation step in force: a pension granted at GRANTED on GRANTED_ON, now CURRENT.",
     sub_equalise},
};
#define NSUBS (sizeof subs / sizeof subs[0])

/* s's options, pointing into a, into out (room for 10); its name as typed into name. */
static void sub_options(const struct sub *s, struct args *a, struct opt *out, char *name,
			size_t cap)
{
	const struct opt all[] = {
	    OPT_STRING("--on", "DATE", &a->on_text, "the date (Jalali; default today in Tehran)"),
	    OPT_FLAG("--hard", &a->hard, "a hard and harmful job"),
	    OPT_STRING("--scheme", "employee|self12|self14|self18|voluntary", &a->scheme,
		       "who pays (default employee)"),
	    OPT_REQUIRED_STRING("--birth", "DATE", &a->birth, "the date of birth (Jalali)"),
	    OPT_REQUIRED_STRING("--sex", "male|female", &a->sex, "the insured's sex"),
	    OPT_FLAG("--exempt", &a->exempt, "a veteran or disabled person: the reform does not apply"),
	    OPT_NUMBER("--future-hard", "0|1", &a->future_hard, 0, 1,
		       "the months after the record: 1 a hard job, 0 not (default: as its last)"),
	    OPT_FLAG("--reduced", &a->reduced, "a reduced pension (10 to 20 years at the age), not a full one"),
	    OPT_STRING("--data", "DIR", &a->data,
		       "the data folder holding rules/ (default $TAMIN_DATA or ./data)"),
	};
	size_t n = 0;
	for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
		if ((s->opts | O_DATA) & 1u << k)
			out[n++] = all[k];
	out[n] = (struct opt)OPT_END;
	snprintf(name, cap, "tamin rules %s", s->name);
}

static void help(FILE *out)
{
	fputs("usage: tamin rules COMMAND [ARGUMENTS] [OPTIONS]\n"
	      "Each answers one JSON object, as the API does; dates are Jalali (1403/07/15).\n"
	      "tamin rules COMMAND --help: the command's options.\n\n",
	      out);
	for (size_t i = 0; i < NSUBS; i++) {
		struct args a;
		struct opt opts[10];
		char name[64];
		sub_options(&subs[i], &a, opts, name, sizeof name);
		const struct opts_cmd c = {name, subs[i].args, 0, 0, NULL, opts};
		opts_synopsis(&c, out);
		fprintf(out, "    %s\n", subs[i].about);
	}
}

int rules_cli(int argc, char **argv, const char *data_dir, FILE *out, struct err *e)
{
	if (argc < 1)
		return usage(e, NULL, "a command is needed");
	if (!strcmp(argv[0], "help") || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
		help(out);
		return 0;
	}
	const struct sub *s = subs;
	while (s < subs + NSUBS && strcmp(s->name, argv[0]))
		s++;
	if (s == subs + NSUBS) {
		char what[96];
		snprintf(what, sizeof what, "unknown command %.64s", argv[0]);
		return usage(e, NULL, what);
	}
	struct args a = {.data = data_dir ? data_dir : "data", .future_hard = -1};
	struct opt opts[10];
	char name[64];
	sub_options(s, &a, opts, name, sizeof name);
	const struct opts_cmd c = {name, s->args, s->min_args, s->max_args, s->about, opts};
	int rc = opts_parse(&c, argc - 1, argv + 1, a.arg, &a.nargs, e);
	if (rc == OPTS_HELP) {
		opts_usage(&c, out);
		return 0;
	}
	a.on = tehran_from_unix((int64_t)time(NULL)).date;
	if (rc < 0 || (a.on_text && parse_date(a.on_text, &a.on, "on", e) < 0))
		return -1;
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/rules", a.data);
	struct rules *r = rules_load(dir, e);
	if (!r)
		return -1;
	struct jw w;
	jw_init(&w);
	struct rules_steps steps;
	rules_steps_init(&steps);
	rc = s->run(r, &a, &w, &steps, e);
	if (rc == 0)
		emit(&w, out);
	jw_release(&w);
	rules_steps_release(&steps);
	rules_free(r);
	return rc;
}
