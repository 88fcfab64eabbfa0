/* The password policy, after NIST SP 800-63B 5.1.1.2: at least 8 characters counted as
 * code points, any Unicode, long passphrases welcome, no rules of composition; refused are
 * what a guesser tries first: breached and common passwords (data/passwords/), repetitive
 * or sequential characters, and the account's own login, national id and name. Each is
 * compared folded as logins are (case, digit sets, Arabic letter forms, white space), so
 * that «Password» or «۱۲۳۴۵۶۷۸» is no way around the list; the password itself is hashed
 * as typed. */
#include "users/internal.h"
#include "users/users.h"

#include "base/text.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PW_MIN_CHARS 8
#define PW_MAX_BYTES 256

struct users_pwlist {
	struct arena a; /* the folded words */
	char **word;	/* sorted */
	size_t n, cap;
};

static int by_text(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Adds the lines of path to l, folded; comments and what the length rule refuses anyway
 * are left out. */
static int read_list(struct users_pwlist *l, const char *path, struct err *e)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return err_set(e, 500, "internal", "", "cannot read %s", path);
	char *line = NULL;
	size_t size = 0;
	int rc = 0;
	while (getline(&line, &size, f) >= 0) {
		line[strcspn(line, "\r\n")] = 0;
		char *w = line[0] == '#' ? NULL : users_login_normalize(&l->a, line);
		if (!w || text_utf8_len(w) < PW_MIN_CHARS)
			continue;
		if (l->n == l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 4096;
			char **grown = realloc(l->word, cap * sizeof *grown);
			if (!grown) {
				rc = err_set(e, 500, "internal", "", "out of memory reading %s",
					     path);
				break;
			}
			l->word = grown;
			l->cap = cap;
		}
		l->word[l->n++] = w;
	}
	free(line);
	fclose(f);
	return rc;
}

struct users_pwlist *users_pwlist_load(const char *dir, struct err *e)
{
	struct users_pwlist *l = calloc(1, sizeof *l);
	DIR *d = NULL;
	if (!l)
		abort(); /* as arena_alloc does */
	arena_init(&l->a);
	if (!(d = opendir(dir))) {
		err_set(e, 500, "internal", "", "cannot read the refused passwords in %s", dir);
		goto fail;
	}
	const struct dirent *de;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 5 || strcmp(de->d_name + len - 4, ".txt") != 0)
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (read_list(l, path, e) < 0)
			goto fail;
	}
	if (!l->n) {
		err_set(e, 500, "internal", "", "no refused passwords in %s (*.txt)", dir);
		goto fail;
	}
	closedir(d);
	qsort(l->word, l->n, sizeof *l->word, by_text);
	return l;
fail:
	if (d)
		closedir(d);
	users_pwlist_free(l);
	return NULL;
}

void users_pwlist_free(struct users_pwlist *l)
{
	if (!l)
		return;
	arena_release(&l->a);
	free(l->word);
	free(l);
}

/* Space, or a character that shows nothing: what text_normalize keeps of them. */
static int invisible(uint32_t c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == 0x1680 || (c >= 0x2000 && c <= 0x200D) ||
	       c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x2060 ||
	       c == 0x3000;
}

/* 1 if s is spaces and invisible characters alone. */
static int blank(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;)
		if (!invisible(text_decode(&p)))
			return 0;
	return 1;
}

/* 1 if s is one character repeated, or a run of consecutive characters up or down
 * ("aaaaaaaa", "12345678", "hgfedcba", «ابپتثجچح» is not: ا and ب are not neighbours). */
static int repetitive(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t prev = text_decode(&p), c;
	int step = 2; /* not known yet */
	for (; *p; prev = c) {
		c = text_decode(&p);
		int d = c == prev ? 0 : c == prev + 1 ? 1 : prev == c + 1 ? -1 : 2;
		if (d == 2 || (step != 2 && d != step))
			return 0;
		step = d;
	}
	return 1;
}

/* 400 weak_password naming password, with why. */
static int weak(struct err *e, const char *why)
{
	return err_set(e, 400, "weak_password", "password", "%s", why);
}

int users_password_check(const char *password, const char *const *own, size_t nown,
			 const struct users_pwlist *refused, struct arena *a, struct err *e)
{
	size_t bytes = strlen(password);
	if (!text_utf8_valid(password, bytes))
		return err_set(e, 400, "invalid_field", "password",
			       "the password is not valid UTF-8 text");
	if (bytes > PW_MAX_BYTES)
		return weak(e,
			    "a password may be at most 256 bytes long (about 128 Persian letters)");
	if (text_utf8_len(password) < PW_MIN_CHARS)
		return weak(e,
			    "a password needs at least 8 characters; a few words together make a "
			    "good one");
	char *folded = users_login_normalize(a, password);
	if (!folded || blank(folded))
		return weak(e, "a password of spaces or invisible characters alone is not allowed");
	for (size_t i = 0; i < nown; i++) {
		const char *o = own[i] ? users_login_normalize(a, own[i]) : NULL;
		if (o && *o && strcmp(folded, o) == 0)
			return weak(e,
				    "the password must not be the account's login, national id or "
				    "name");
	}
	if (repetitive(folded))
		return weak(e, "the password must not be one character repeated or a run such as "
			       "12345678 or abcdefgh");
	if (!refused)
		return err_set(e, 500, "internal", "",
			       "the list of refused passwords is not loaded");
	if (bsearch(&folded, refused->word, refused->n, sizeof *refused->word, by_text))
		return weak(e, "this password is one of the most common ones, which attackers try "
			       "first; choose another (a few words together are easy to remember)");
	return 0;
}
