/* text: Persian-first text handling. Everything the API stores or searches goes
 * through text_normalize first, so «علي» typed on an Arabic keyboard finds «علی»,
 * and «۰۹۱۲» or «٠٩١٢» is the same as "0912". */
#ifndef TAMIN_BASE_TEXT_H
#define TAMIN_BASE_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"

/* 1 if s[0..len) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
int text_utf8_valid(const char *s, size_t len);

/* Replaces in place each byte of s that is not part of well-formed UTF-8 with '?', for
 * text whose bytes came unchecked (a request's path) or were cut inside a character (a
 * message cut to fit its buffer). Returns s. */
char *text_utf8_scrub(char *s);

/* The value of the hexadecimal digit c (0-9, a-f, A-F), or -1. */
int text_hex_digit(int c);

/* Number of code points in a valid UTF-8 string. */
size_t text_utf8_len(const char *s);

/* The code point at *pp, in valid UTF-8 (text_utf8_valid), and *pp moved past it. */
uint32_t text_decode(const unsigned char **pp);

/* Normalised copy of `in` in the arena, or NULL when `in` is not valid UTF-8.
 * - Arabic letter variants to Persian: ي (U+064A) and ى (U+0649) → ی (U+06CC),
 *   ك (U+0643) → ک (U+06A9), ة (U+0629) → ه (U+0647), أ إ ٱ → ا; Arabic
 *   diacritics (U+064B..U+065F, U+0670) and tatweel (U+0640) are removed;
 * - Persian (U+06F0..U+06F9) and Arabic-Indic (U+0660..U+0669) digits → ASCII;
 * - control characters other than \n and \t are dropped; runs of white space
 *   (ASCII space, tab, NBSP U+00A0) fold to one space; leading and trailing
 *   white space is trimmed. ZWNJ (U+200C) is kept (it is part of Persian spelling)
 *   but a ZWNJ next to a space or at either end is removed.
 * Also (decided here): \n is kept, but white space and ZWNJ next to it are removed and
 * leading/trailing \n are trimmed like white space; a run of ZWNJ counts as one; C1
 * controls (U+0080..U+009F) and \r are dropped as control characters; invisible bidi
 * marks (U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) and BOM U+FEFF are dropped,
 * since copy-paste from phones and Word puts them around ids and numbers. */
char *text_normalize(struct arena *a, const char *in);

/* text_normalize without an arena: normalises the valid UTF-8 in[0..len) into out,
 * which must hold len + 1 bytes and may be `in` itself (in place). Returns the length
 * written before the terminating NUL. The caller checks validity (text_utf8_valid). */
size_t text_normalize_buf(const char *in, size_t len, char *out);

/* Normalise then require only ASCII digits, with length between min and max (inclusive).
 * No separators are allowed between the digits.
 * Returns the digits (arena) or NULL. Used for national ids, mobiles, numbers. */
char *text_digits(struct arena *a, const char *in, size_t min, size_t max);

/* An Iranian mobile number in any common form ("+98 912 123 4567", "0098912...",
 * "912...", "۰۹۱۲...") as "09XXXXXXXXX" (11 digits), or NULL when not one.
 * Spaces, '-' and parentheses between digits are ignored; '+' is allowed only as
 * "+98"; a bare "98" is taken as the country code only in front of ten more digits.
 * Only the "09" prefix is checked, not the operator codes (they keep changing). */
char *text_mobile(struct arena *a, const char *in);

/* Writes v in decimal ASCII at p (at most 20 bytes, no NUL); returns the byte after it.
 * For line formats written at speed (the lists' blocks, the audit spool). */
char *text_put_int(char *p, int64_t v);

#endif
