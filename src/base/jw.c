#include "base/jw.h"

#include "base/jalali.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jw_init(struct jw *w) { memset(w, 0, sizeof *w); }

void jw_release(struct jw *w)
{
	free(w->buf);
	jw_init(w);
}

char *jw_take(struct jw *w, size_t *len)
{
	char *b = w->buf;
	if (len)
		*len = w->len;
	jw_init(w);
	return b;
}

static void reserve(struct jw *w, size_t n)
{
	if (w->len + n + 1 <= w->cap)
		return;
	size_t cap = w->cap ? w->cap * 2 : 4096; /* a case is 2-4 KiB: one allocation */
	while (cap < w->len + n + 1)
		cap *= 2;
	char *b = realloc(w->buf, cap);
	if (!b)
		abort();
	w->buf = b;
	w->cap = cap;
}

static void put(struct jw *w, const char *s, size_t n)
{
	reserve(w, n);
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = 0;
}

/* 1 if one of the 8 bytes in x is below 0x20, '"' or '\\' (bytes from 0x80 up are
 * UTF-8 and pass): strings are copied 8 bytes at a time until such a byte, which was
 * most of a case's JSON time byte by byte. */
static int needs_escape(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
	uint64_t below = (x - ones * 0x20) & ~x, quote = (q - ones) & ~q, slash = (b - ones) & ~b;
	return ((below | quote | slash) & high) != 0;
}

static void put_escaped(struct jw *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(s);
	reserve(w, n * 6 + 2); /* the worst case: every byte a \u00XX */
	char *o = w->buf + w->len;
	*o++ = '"';
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		uint64_t x;
		if (end - p >= 8 && (memcpy(&x, p, 8), !needs_escape(x))) {
			memcpy(o, p, 8);
			o += 8;
			p += 8;
			continue;
		}
		unsigned char c = *p++;
		if (c >= 0x20 && c != '"' && c != '\\') {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		switch (c) {
		case '"':
		case '\\':
			*o++ = (char)c;
			break;
		case '\n':
			*o++ = 'n';
			break;
		case '\t':
			*o++ = 't';
			break;
		case '\r':
			*o++ = 'r';
			break;
		default:
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o++ = '"';
	*o = 0;
	w->len = (size_t)(o - w->buf);
}

/* 1 if s[0..n) holds a byte to escape: 8 bytes at a time, as put_escaped. */
static int any_escape(const char *s, size_t n)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t x;
		memcpy(&x, s + i, 8);
		if (needs_escape(x))
			return 1;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == '"' || c == '\\')
			return 1;
	}
	return 0;
}

/* The comma and "key": before a value at the current depth. Keys are this program's own
 * names, copied whole unless one holds a byte to escape. */
static void prefix(struct jw *w, const char *key)
{
	size_t n = key ? strlen(key) : 0;
	reserve(w, n + 4);
	char *o = w->buf + w->len;
	if (w->comma[w->depth])
		*o++ = ',';
	w->comma[w->depth] = 1;
	w->len = (size_t)(o - w->buf);
	if (!key)
		return;
	if (any_escape(key, n)) {
		put_escaped(w, key);
		put(w, ":", 1);
		return;
	}
	*o++ = '"';
	memcpy(o, key, n);
	o += n;
	*o++ = '"';
	*o++ = ':';
	*o = 0;
	w->len = (size_t)(o - w->buf);
}

static void open_(struct jw *w, const char *key, char c)
{
	prefix(w, key);
	put(w, &c, 1);
	if (w->depth < JW_DEPTH - 1) /* deeper nesting is not written by this program */
		w->depth++;
	w->comma[w->depth] = 0;
	w->open[w->depth] = c;
}

void jw_object(struct jw *w, const char *key) { open_(w, key, '{'); }
void jw_array(struct jw *w, const char *key) { open_(w, key, '['); }

void jw_end(struct jw *w)
{
	if (w->depth == 0)
		return;
	put(w, w->open[w->depth] == '[' ? "]" : "}", 1);
	w->depth--;
}

void jw_str(struct jw *w, const char *key, const char *v)
{
	prefix(w, key);
	if (v)
		put_escaped(w, v);
	else
		put(w, "null", 4);
}

void jw_int(struct jw *w, const char *key, int64_t v)
{
	char b[24], *end = b + sizeof b, *p = end;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	prefix(w, key);
	put(w, p, (size_t)(end - p));
}

void jw_bool(struct jw *w, const char *key, int v)
{
	prefix(w, key);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(struct jw *w, const char *key)
{
	prefix(w, key);
	put(w, "null", 4);
}

void jw_time(struct jw *w, const char *key, int64_t t)
{
	if (!t) {
		jw_null(w, key);
		return;
	}
	char b[23]; /* the quoted ISO form: nothing in it to escape */
	iso_format(t, b + 1);
	b[0] = b[21] = '"';
	prefix(w, key);
	put(w, b, 22);
}

void jw_raw(struct jw *w, const char *key, const char *json)
{
	prefix(w, key);
	if (json)
		put(w, json, strlen(json));
	else
		put(w, "null", 4);
}
