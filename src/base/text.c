#include "base/text.h"

#include <stdint.h>
#include <string.h>

/* The length of the well-formed UTF-8 sequence at p[0..len) (len > 0), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t len)
{
	unsigned c = p[0];
	if (c < 0x80)
		return 1;
	/* The narrowed second-byte ranges reject overlongs (E0, F0), surrogates (ED) and
	 * code points above U+10FFFF (F4); C0, C1 and F5..FF never start one. */
	size_t n;
	unsigned lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 1;
	} else if (c == 0xE0) {
		n = 2;
		lo = 0xA0;
	} else if (c == 0xED) {
		n = 2;
		hi = 0x9F;
	} else if (c >= 0xE1 && c <= 0xEF) {
		n = 2;
	} else if (c == 0xF0) {
		n = 3;
		lo = 0x90;
	} else if (c >= 0xF1 && c <= 0xF3) {
		n = 3;
	} else if (c == 0xF4) {
		n = 3;
		hi = 0x8F;
	} else {
		return 0;
	}
	if (len <= n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t k = 2; k <= n; k++)
		if ((p[k] & 0xC0) != 0x80)
			return 0;
	return n + 1;
}

int text_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0, n; i < len; i += n)
		if (!(n = utf8_seq(p + i, len - i)))
			return 0;
	return 1;
}

char *text_utf8_scrub(char *s)
{
	unsigned char *p = (unsigned char *)s;
	for (size_t i = 0, len = strlen(s), n; i < len; i += n)
		if (!(n = utf8_seq(p + i, len - i))) {
			p[i] = '?';
			n = 1;
		}
	return s;
}

size_t text_utf8_len(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xC0) != 0x80)
			n++;
	return n;
}

uint32_t text_decode(const unsigned char **pp)
{
	const unsigned char *p = *pp;
	uint32_t c = p[0];
	if (c < 0x80) {
		*pp = p + 1;
		return c;
	}
	if (c < 0xE0) {
		*pp = p + 2;
		return (c & 0x1F) << 6 | (p[1] & 0x3Fu);
	}
	if (c < 0xF0) {
		*pp = p + 3;
		return (c & 0x0F) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu);
	}
	*pp = p + 4;
	return (c & 0x07) << 18 | (p[1] & 0x3Fu) << 12 | (p[2] & 0x3Fu) << 6 | (p[3] & 0x3Fu);
}

static char *text_encode(char *o, uint32_t c)
{
	if (c < 0x80) {
		*o++ = (char)c;
	} else if (c < 0x800) {
		*o++ = (char)(0xC0 | c >> 6);
		*o++ = (char)(0x80 | (c & 0x3F));
	} else if (c < 0x10000) {
		*o++ = (char)(0xE0 | c >> 12);
		*o++ = (char)(0x80 | (c >> 6 & 0x3F));
		*o++ = (char)(0x80 | (c & 0x3F));
	} else {
		*o++ = (char)(0xF0 | c >> 18);
		*o++ = (char)(0x80 | (c >> 12 & 0x3F));
		*o++ = (char)(0x80 | (c >> 6 & 0x3F));
		*o++ = (char)(0x80 | (c & 0x3F));
	}
	return o;
}

enum text_class { TEXT_DROP, TEXT_CHAR, TEXT_SPACE, TEXT_ZWNJ, TEXT_NL };

#define TEXT_ZWNJ_CP 0x200Cu

/* Classifies c and rewrites it (*c) to its normal form when it is kept as a character. */
static enum text_class text_classify(uint32_t *c)
{
	uint32_t v = *c;
	if (v == ' ' || v == '\t' || v == 0xA0)
		return TEXT_SPACE;
	if (v == '\n')
		return TEXT_NL;
	if (v < 0x20 || (v >= 0x7F && v <= 0x9F))
		return TEXT_DROP;
	if (v == TEXT_ZWNJ_CP)
		return TEXT_ZWNJ;
	/* Invisible bidi marks and BOM come with copy-paste (phone contacts, Word) and
	 * would make equal ids and numbers compare different. */
	if (v == 0x200E || v == 0x200F || (v >= 0x202A && v <= 0x202E) ||
	    (v >= 0x2066 && v <= 0x2069) || v == 0xFEFF)
		return TEXT_DROP;
	if ((v >= 0x064B && v <= 0x065F) || v == 0x0670 || v == 0x0640)
		return TEXT_DROP;
	if (v >= 0x06F0 && v <= 0x06F9)
		*c = '0' + (v - 0x06F0);
	else if (v >= 0x0660 && v <= 0x0669)
		*c = '0' + (v - 0x0660);
	else if (v == 0x064A || v == 0x0649)
		*c = 0x06CC;
	else if (v == 0x0643)
		*c = 0x06A9;
	else if (v == 0x0629)
		*c = 0x0647;
	else if (v == 0x0623 || v == 0x0625 || v == 0x0671)
		*c = 0x0627;
	return TEXT_CHAR;
}

size_t text_normalize_buf(const char *in, size_t len, char *out)
{
	char *o = out;
	/* Separators are held back until the next kept character, which both folds runs
	 * and trims the ends without a second pass. Every mapping keeps or shrinks the
	 * encoded length and a held-back separator is never longer than what it stands
	 * for, so the output never overtakes the input (out may be in). */
	int space = 0, zwnj = 0, nl = 0;
	const unsigned char *p = (const unsigned char *)in, *end = p + len;
	while (p < end) {
		uint32_t c = text_decode(&p);
		switch (text_classify(&c)) {
		case TEXT_DROP:
			break;
		case TEXT_SPACE:
			space = 1;
			break;
		case TEXT_ZWNJ:
			zwnj = 1;
			break;
		case TEXT_NL:
			nl++;
			break;
		case TEXT_CHAR:
			/* A line break wins over white space, white space over a ZWNJ: so
			 * spaces around a break and a ZWNJ next to either disappear. */
			if (o > out) {
				if (nl)
					for (; nl > 0; nl--)
						*o++ = '\n';
				else if (space)
					*o++ = ' ';
				else if (zwnj)
					o = text_encode(o, TEXT_ZWNJ_CP);
			}
			space = zwnj = nl = 0;
			o = text_encode(o, c);
			break;
		}
	}
	*o = 0;
	return (size_t)(o - out);
}

char *text_normalize(struct arena *a, const char *in)
{
	if (!in)
		return NULL;
	size_t len = strlen(in);
	if (!text_utf8_valid(in, len))
		return NULL;
	char *out = arena_alloc(a, len + 1);
	text_normalize_buf(in, len, out);
	return out;
}

char *text_digits(struct arena *a, const char *in, size_t min, size_t max)
{
	char *s = text_normalize(a, in);
	if (!s)
		return NULL;
	size_t n = 0;
	for (; s[n]; n++)
		if (s[n] < '0' || s[n] > '9')
			return NULL;
	return n >= min && n <= max ? s : NULL;
}

char *text_mobile(struct arena *a, const char *in)
{
	char *s = text_normalize(a, in);
	if (!s)
		return NULL;
	/* Keep the digits; spaces, dashes and parentheses are how people group numbers. */
	char d[32];
	size_t n = 0;
	int plus = 0;
	for (const char *p = s; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n == sizeof d - 1)
				return NULL;
			d[n++] = *p;
		} else if (*p == '+' && n == 0 && !plus) {
			plus = 1;
		} else if (*p != ' ' && *p != '-' && *p != '(' && *p != ')') {
			return NULL;
		}
	}
	d[n] = 0;
	/* Drop the country code: "+98" must have it, "0098" always is it, and a bare
	 * "98" is one only in front of ten more digits. */
	size_t skip = 0;
	if (plus) {
		if (n < 2 || memcmp(d, "98", 2) != 0)
			return NULL;
		skip = 2;
	} else if (n >= 4 && memcmp(d, "0098", 4) == 0) {
		skip = 4;
	} else if (n == 12 && memcmp(d, "98", 2) == 0) {
		skip = 2;
	}
	const char *r = d + skip;
	size_t rn = n - skip;
	if (rn == 10 && r[0] == '9')
		return arena_printf(a, "0%s", r);
	if (rn == 11 && r[0] == '0' && r[1] == '9')
		return arena_strdup(a, r);
	return NULL;
}

char *text_put_int(char *p, int64_t v)
{
	char tmp[24];
	int n = 0;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do
		tmp[n++] = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*p++ = '-';
	while (n)
		*p++ = tmp[--n];
	return p;
}

int text_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
