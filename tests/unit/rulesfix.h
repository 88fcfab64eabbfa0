/* Shared by the rules tests: the real data, a scratch folder for fixture data, and records
 * built to a known number of days. */
#ifndef TAMIN_TESTS_RULESFIX_H
#define TAMIN_TESTS_RULESFIX_H

#include "rules/rules.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline struct rules *real_rules(void)
{
	const char *data = getenv("TAMIN_DATA");
	char dir[512];
	snprintf(dir, sizeof dir, "%s/rules", data ? data : "data");
	struct err e;
	err_clear(&e);
	struct rules *r = rules_load(dir, &e);
	if (!r)
		fail_msg("loading %s: %s", dir, e.message);
	return r;
}

static inline int tmpdir_setup(void **state)
{
	static char dir[64];
	snprintf(dir, sizeof dir, "/tmp/tamin-rules-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	*state = dir;
	return 0;
}

static inline int tmpdir_teardown(void **state)
{
	const char *dir = *state;
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			char p[512];
			snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
			unlink(p);
		}
		closedir(d);
	}
	return rmdir(dir);
}

static inline void write_file(const char *dir, const char *name, const char *text)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Copies data/rules/NAME into dir. */
static inline void copy_real(const char *dir, const char *name)
{
	const char *data = getenv("TAMIN_DATA");
	char p[512];
	snprintf(p, sizeof p, "%s/rules/%s", data ? data : "data", name);
	FILE *f = fopen(p, "r");
	assert_non_null(f);
	char *text = NULL;
	size_t cap = 0;
	ssize_t n = getdelim(&text, &cap, 0, f);
	fclose(f);
	assert_true(n > 0);
	write_file(dir, name, text);
	free(text);
}

/* Record lines ending with month (y, m) and going back, each month min(30, its length)
 * days, the first (earliest) month partial, so that they hold exactly `total` days. Lines
 * are appended at v[*n], latest first; v must have room. */
static inline void record_back(struct rules_record *v, int *n, int y, int m, int64_t total,
			       int64_t wage, int hard)
{
	while (total > 0) {
		int len = jalali_month_days(y, m), d = len < 30 ? len : 30;
		if (d > total)
			d = (int)total;
		struct rules_record *x = &v[(*n)++];
		memset(x, 0, sizeof *x);
		x->year = y;
		x->month = m;
		snprintf(x->workshop, sizeof x->workshop, "1111111111");
		x->days = d;
		x->wage = wage;
		x->hard_job = hard;
		total -= d;
		if (--m == 0) {
			m = 12;
			y--;
		}
	}
}

/* Full months (each its length) from (y, m), count of them. */
static inline void record_forward(struct rules_record *v, int *n, int y, int m, int count,
				  int64_t wage, int hard)
{
	for (int i = 0; i < count; i++) {
		struct rules_record *x = &v[(*n)++];
		memset(x, 0, sizeof *x);
		x->year = y;
		x->month = m;
		snprintf(x->workshop, sizeof x->workshop, "2222222222");
		x->days = jalali_month_days(y, m);
		x->wage = wage;
		x->hard_job = hard;
		if (++m == 13) {
			m = 1;
			y++;
		}
	}
}

#define J(y, m, d) ((struct jdate){(y), (m), (d)})

static inline void assert_jdate(struct jdate got, struct jdate want)
{
	if (got.y != want.y || got.m != want.m || got.d != want.d)
		fail_msg("got %d/%02d/%02d, want %d/%02d/%02d", got.y, got.m, got.d, want.y, want.m,
			 want.d);
}

/* Every step says something in both languages; a step that read a parameter names it and
 * its reference. */
static inline void assert_steps_ok(const struct rules_steps *s)
{
	assert_true(s->n > 0);
	for (int i = 0; i < s->n; i++) {
		assert_true(strlen(s->v[i].fa) > 0);
		assert_true(strlen(s->v[i].en) > 0);
		if (s->v[i].param)
			assert_non_null(s->v[i].reference);
	}
}

#endif
