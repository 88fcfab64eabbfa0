/* The table of dated parameters: loading data/rules/ (TSV files), and the value in force on a date.
 */
#include "rules/internal.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

struct rvalue {
	int64_t day;	    /* start, days since 1970-01-01 */
	struct jdate start; /* the same, Jalali */
	int none;	    /* "-": the parameter ends here */
	int64_t value;
	char *reference, *source;
	const char *file; /* for errors after sorting */
	int line;
};

struct rparam {
	char *name, *unit;
	const char *file; /* where its unit was first given */
	int line;
	struct rvalue *v; /* by start */
	int n, cap;
};

struct rules {
	struct rparam *p; /* by name */
	int n, cap;
	char **files;
	int nfiles;
};

static const char *const units[] = {"bp",   "per_mille", "rial",  "years", "months",
				    "days", "times",	 "count", "flag"};

/* ---- dates ---- */

int64_t rules_day(struct jdate d)
{
	int gy, gm, gd;
	jalali_to_gregorian(d, &gy, &gm, &gd);
	return civil_to_days(gy, gm, gd);
}

struct jdate rules_jdate(int64_t day)
{
	int gy, gm, gd;
	civil_from_days(day, &gy, &gm, &gd);
	return jalali_from_gregorian(gy, gm, gd);
}

struct jdate rules_next_month(int y, int m)
{
	return m == 12 ? (struct jdate){y + 1, 1, 1} : (struct jdate){y, m + 1, 1};
}

int64_t rules_muldiv(int64_t a, int64_t b, int64_t c)
{
	if (a <= 0 || b <= 0 || c <= 0)
		return 0;
	__int128 q = ((__int128)a * b + c / 2) / c;
	return q > INT64_MAX ? INT64_MAX : (int64_t)q;
}

/* ---- parsing ---- */

static int valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' ||
		      *p == '_'))
			return 0;
	return 1;
}

/* "YYYY-MM-DD", exactly. */
static int parse_ymd(const char *s, int *y, int *m, int *d)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	*y = atoi(s);
	*m = atoi(s + 5);
	*d = atoi(s + 8);
	return 0;
}

static int gregorian_valid(int y, int m, int d)
{
	static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1 || m < 1 || m > 12 || d < 1)
		return 0;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= len[m - 1] + (m == 2 && leap);
}

/* The start: a Jalali date, a Gregorian one, or both (then they must be the same day). */
static int parse_start(const char *jal, const char *greg, int64_t *day, struct err *e)
{
	int have_j = strcmp(jal, "-") != 0 && *jal, have_g = strcmp(greg, "-") != 0 && *greg;
	int64_t dj = 0, dg = 0;
	int y, m, d;
	if (!have_j && !have_g)
		return err_set(e, 500, "data", "", "a start date is needed (Jalali or Gregorian)");
	if (have_j) {
		if (parse_ymd(jal, &y, &m, &d) < 0 || !jalali_valid(y, m, d))
			return err_set(e, 500, "data", "", "not a Jalali date YYYY-MM-DD: %s", jal);
		dj = rules_day((struct jdate){y, m, d});
	}
	if (have_g) {
		if (parse_ymd(greg, &y, &m, &d) < 0 || !gregorian_valid(y, m, d) || y < 1700)
			return err_set(e, 500, "data", "", "not a Gregorian date YYYY-MM-DD: %s",
				       greg);
		dg = civil_to_days(y, m, d);
	}
	if (have_j && have_g && dj != dg) {
		char b[11];
		return err_set(e, 500, "data", "", "%s and %s are not the same day (%s is %s)", jal,
			       greg, greg, rules_date(b, rules_jdate(dg)));
	}
	*day = have_j ? dj : dg;
	return 0;
}

static int parse_value(const char *s, int64_t *v, int *none, struct err *e)
{
	*none = 0;
	if (strcmp(s, "-") == 0) {
		*none = 1;
		*v = 0;
		return 0;
	}
	const char *p = s;
	if (*p == '-')
		p++;
	if (!*p || strlen(p) > 18)
		return err_set(e, 500, "data", "", "not an integer: %s", s);
	for (const char *q = p; *q; q++)
		if (*q < '0' || *q > '9')
			return err_set(e, 500, "data", "", "not an integer (ASCII digits only): %s",
				       s);
	*v = strtoll(s, NULL, 10);
	return 0;
}

static void *grow(void *arr, int *cap, int n, size_t size)
{
	if (n < *cap)
		return arr;
	*cap = *cap ? *cap * 2 : 16;
	void *a = realloc(arr, (size_t)*cap * size);
	if (!a)
		abort();
	return a;
}

static char *dup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

static struct rparam *find(const struct rules *r, const char *name)
{
	int lo = 0, hi = r->n - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2, c = strcmp(r->p[mid].name, name);
		if (c == 0)
			return &r->p[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

struct load {
	struct rules *r;
	const char *file;
	int line;
};

/* While loading, parameters are appended unsorted; a linear search finds a name (a few
 * hundred rows, once at start). */
static struct rparam *find_unsorted(struct rules *r, const char *name)
{
	for (int i = 0; i < r->n; i++)
		if (strcmp(r->p[i].name, name) == 0)
			return &r->p[i];
	return NULL;
}

static int row(struct load *l, char **f, int n, struct err *e)
{
	if (n != 7)
		return err_set(e, 500, "data", "", "expected 7 fields, found %d", n);
	const char *name = f[0], *unit = f[4];
	if (!valid_name(name))
		return err_set(e, 500, "data", "",
			       "not a parameter name (a-z 0-9 . _, at most 63): %s", name);
	int64_t day = 0, value = 0;
	int none = 0;
	if (parse_start(f[1], f[2], &day, e) < 0 || parse_value(f[3], &value, &none, e) < 0)
		return -1;
	int known = 0;
	for (size_t i = 0; i < sizeof units / sizeof *units; i++)
		known |= strcmp(unit, units[i]) == 0;
	if (!known)
		return err_set(e, 500, "data", "",
			       "unknown unit %s (bp, per_mille, rial, years, months, days, times, "
			       "count, flag)",
			       unit);
	if (!*f[5] || !*f[6])
		return err_set(e, 500, "data", "", "%s: the reference and the source are needed",
			       name);
	struct rparam *p = find_unsorted(l->r, name);
	if (!p) {
		l->r->p = grow(l->r->p, &l->r->cap, l->r->n, sizeof *l->r->p);
		p = &l->r->p[l->r->n++];
		memset(p, 0, sizeof *p);
		p->name = dup(name);
		p->unit = dup(unit);
		p->file = l->file;
		p->line = l->line;
	} else if (strcmp(p->unit, unit) != 0) {
		return err_set(e, 500, "data", "", "%s is in %s here but in %s at %s line %d", name,
			       unit, p->unit, p->file, p->line);
	}
	for (int i = 0; i < p->n; i++)
		if (p->v[i].day == day)
			return err_set(e, 500, "data", "",
				       "%s starts twice on this day (also %s line %d)", name,
				       p->v[i].file, p->v[i].line);
	p->v = grow(p->v, &p->cap, p->n, sizeof *p->v);
	struct rvalue *v = &p->v[p->n++];
	v->day = day;
	v->start = rules_jdate(day);
	v->none = none;
	v->value = value;
	v->reference = dup(f[5]);
	v->source = dup(f[6]);
	v->file = l->file;
	v->line = l->line;
	return 0;
}

/* The format of every data/ file (catalog.h's tsv_read: TAB-separated, '#' comments, empty
 * lines skipped, CR LF accepted), read here with the line numbers kept, so that an error
 * found against another line (a start given twice, a unit changed) names both. */
static int read_file(struct load *l, struct err *e)
{
	FILE *fp = fopen(l->file, "r");
	if (!fp)
		return err_set(e, 500, "data", "", "cannot read %s", l->file);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0;
	while (rc == 0 && (len = getline(&line, &cap, fp)) >= 0) {
		l->line++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		if (len == 0 || line[0] == '#')
			continue;
		char *f[8];
		int n = 0;
		for (char *p = line;;) {
			char *tab = strchr(p, '\t');
			if (n < 8)
				f[n] = p;
			n++;
			if (!tab)
				break;
			*tab = 0;
			p = tab + 1;
		}
		if (row(l, f, n, e) < 0) {
			char msg[sizeof e->message];
			snprintf(msg, sizeof msg, "%s", e->message);
			rc = err_set(e, 500, "data", "", "%s line %d: %s", l->file, l->line, msg);
		}
	}
	free(line);
	fclose(fp);
	return rc;
}

static int cmp_param(const void *a, const void *b)
{
	return strcmp(((const struct rparam *)a)->name, ((const struct rparam *)b)->name);
}

static int cmp_value(const void *a, const void *b)
{
	int64_t x = ((const struct rvalue *)a)->day, y = ((const struct rvalue *)b)->day;
	return (x > y) - (x < y);
}

static int tsv_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return d->d_name[0] != '.' && n > 4 && strcmp(d->d_name + n - 4, ".tsv") == 0;
}

struct rules *rules_load(const char *dir, struct err *e)
{
	struct dirent **names = NULL;
	int nn = scandir(dir, &names, tsv_file, alphasort);
	if (nn < 0) {
		err_set(e, 500, "data", "", "cannot read the rules folder %s", dir);
		return NULL;
	}
	struct rules *r = calloc(1, sizeof *r);
	if (!r)
		abort();
	r->files = calloc((size_t)(nn ? nn : 1), sizeof *r->files);
	if (!r->files)
		abort();
	int rc = 0;
	for (int i = 0; i < nn; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
		r->files[r->nfiles++] = dup(path);
		struct load l = {r, r->files[r->nfiles - 1], 0};
		if (rc == 0 && read_file(&l, e) < 0)
			rc = -1;
	}
	for (int i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	if (rc == 0 && (r->n == 0 || !r->p)) {
		err_set(e, 500, "data", "", "no parameters in %s (*.tsv)", dir);
		rc = -1;
	}
	if (rc != 0 || !r->p) {
		rules_free(r);
		return NULL;
	}
	qsort(r->p, (size_t)r->n, sizeof *r->p, cmp_param);
	for (int i = 0; i < r->n; i++)
		qsort(r->p[i].v, (size_t)r->p[i].n, sizeof *r->p[i].v, cmp_value);
	return r;
}

void rules_free(struct rules *r)
{
	if (!r)
		return;
	for (int i = 0; r->p && i < r->n; i++) {
		for (int j = 0; j < r->p[i].n; j++) {
			free(r->p[i].v[j].reference);
			free(r->p[i].v[j].source);
		}
		free(r->p[i].v);
		free(r->p[i].name);
		free(r->p[i].unit);
	}
	free(r->p);
	for (int i = 0; i < r->nfiles; i++)
		free(r->files[i]);
	free(r->files);
	free(r);
}

/* ---- lookup ---- */

/* The last value starting on or before day, or NULL. */
static const struct rvalue *at(const struct rparam *p, int64_t day)
{
	int lo = 0, hi = p->n - 1, found = -1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		if (p->v[mid].day <= day) {
			found = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return found < 0 ? NULL : &p->v[found];
}

static void fill(const struct rparam *p, const struct rvalue *v, struct rules_value *out)
{
	out->name = p->name;
	out->value = v->value;
	out->unit = p->unit;
	out->since = v->start;
	out->reference = v->reference;
	out->source = v->source;
}

int rules_value(const struct rules *r, const char *name, struct jdate date, struct rules_value *out,
		struct err *e)
{
	memset(out, 0, sizeof *out);
	if (!jalali_valid(date.y, date.m, date.d))
		return err_set(e, 400, "date", "date", "not a Jalali date: %d/%d/%d", date.y,
			       date.m, date.d);
	const struct rparam *p = r ? find(r, name) : NULL;
	if (!p)
		return err_set(e, 500, "rule_unknown", name, "the rules data has no parameter %s",
			       name);
	const struct rvalue *v = at(p, rules_day(date));
	if (!v || v->none) {
		char b[11];
		return err_set(e, 422, "rule_missing", name, "%s has no value in force on %s%s",
			       name, rules_date(b, date), v ? " (it ended)" : " (it starts later)");
	}
	fill(p, v, out);
	return 0;
}

int rules_next_start(const struct rules *r, const char *name, int64_t day, struct jdate *start,
		     int64_t *value)
{
	const struct rparam *p = r ? find(r, name) : NULL;
	for (int i = 0; p && i < p->n; i++)
		if (p->v[i].day > day) {
			*start = p->v[i].start;
			if (value)
				*value = p->v[i].none ? 0 : p->v[i].value;
			return 1;
		}
	return 0;
}

int rules_minimum_wage(const struct rules *r, struct jdate date, int64_t *monthly, struct err *e)
{
	struct rules_value v;
	if (rules_value(r, "wage.minimum.daily", date, &v, e) < 0)
		return -1;
	*monthly = v.value * 30;
	return 0;
}

int rules_count(const struct rules *r, int *values)
{
	int nv = 0;
	for (int i = 0; r && i < r->n; i++)
		nv += r->p[i].n;
	if (values)
		*values = nv;
	return r ? r->n : 0;
}

/* ---- JSON ---- */

static void gregorian_str(int64_t day, char out[16])
{
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	snprintf(out, 16, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
}

void rules_table_json(struct jw *w, const char *key, const struct rules *r, const char *prefix)
{
	size_t pl = prefix ? strlen(prefix) : 0;
	jw_object(w, key);
	jw_array(w, "parameters");
	for (int i = 0; r && i < r->n; i++) {
		const struct rparam *p = &r->p[i];
		if (pl && strncmp(p->name, prefix, pl) != 0)
			continue;
		jw_object(w, NULL);
		jw_str(w, "name", p->name);
		jw_str(w, "unit", p->unit);
		jw_array(w, "values");
		for (int j = 0; j < p->n; j++) {
			const struct rvalue *v = &p->v[j];
			char b[11], g[16];
			jw_object(w, NULL);
			jw_str(w, "since", rules_date(b, v->start));
			gregorian_str(v->day, g);
			jw_str(w, "since_gregorian", g);
			if (v->none)
				jw_null(w, "value");
			else
				jw_int(w, "value", v->value);
			jw_str(w, "reference", v->reference);
			jw_str(w, "source", v->source);
			jw_end(w);
		}
		jw_end(w);
		jw_end(w);
	}
	jw_end(w);
	jw_end(w);
}

void rules_value_json(struct jw *w, const char *key, const struct rules_value *v)
{
	char b[11], g[16];
	jw_object(w, key);
	jw_str(w, "name", v->name);
	jw_int(w, "value", v->value);
	jw_str(w, "unit", v->unit);
	jw_str(w, "since", rules_date(b, v->since));
	gregorian_str(rules_day(v->since), g);
	jw_str(w, "since_gregorian", g);
	jw_str(w, "reference", v->reference);
	jw_str(w, "source", v->source);
	jw_end(w);
}
