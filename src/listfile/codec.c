#include "listfile/codec.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"

#define ZWNJ 0x200Cu

const char *codec_name(enum codec_enc enc)
{
	switch (enc) {
	case CODEC_CP1256:
		return "windows-1256";
	case CODEC_IRANSYS:
		return "iran-system";
	case CODEC_UTF8:
		return "utf-8";
	default:
		return "unknown";
	}
}

static void report(struct codec_report *rep, uint32_t what)
{
	if (!rep)
		return;
	if (rep->bad++ == 0)
		rep->first = what;
}

static char *put_utf8(char *o, uint32_t c)
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

/* Length of the valid UTF-8 sequence at p[0..n), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *p, size_t n, uint32_t *cp)
{
	size_t len = p[0] < 0x80 ? 1 : p[0] < 0xE0 ? 2 : p[0] < 0xF0 ? 3 : 4;
	if (len > n || !text_utf8_valid((const char *)p, len))
		return 0;
	if (len == 1)
		*cp = p[0];
	else if (len == 2)
		*cp = (p[0] & 0x1Fu) << 6 | (p[1] & 0x3Fu);
	else if (len == 3)
		*cp = (p[0] & 0x0Fu) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu);
	else
		*cp = (p[0] & 0x07u) << 18 | (p[1] & 0x3Fu) << 12 | (p[2] & 0x3Fu) << 6 |
		      (p[3] & 0x3Fu);
	return len;
}

/* ---- Windows-1256 ----------------------------------------------------------------
 * Bytes 0x80-0xFF as Microsoft defines them (the Unicode Consortium's published
 * MAPPINGS/VENDORS/MICSFT/WINDOWS/CP1256.TXT; checked against Python's cp1256 codec).
 * Every byte has a character; 0x00-0x7F is ASCII. */
static const uint16_t cp1256_high[128] = {
    0x20AC, 0x067E, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0679, 0x2039,
    0x0152, 0x0686, 0x0698, 0x0688, 0x06AF, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x06A9, 0x2122, 0x0691, 0x203A, 0x0153, 0x200C, 0x200D, 0x06BA, 0x00A0, 0x060C, 0x00A2, 0x00A3,
    0x00A4, 0x00A5, 0x00A6, 0x00A7, 0x00A8, 0x00A9, 0x06BE, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x00AF,
    0x00B0, 0x00B1, 0x00B2, 0x00B3, 0x00B4, 0x00B5, 0x00B6, 0x00B7, 0x00B8, 0x00B9, 0x061B, 0x00BB,
    0x00BC, 0x00BD, 0x00BE, 0x061F, 0x06C1, 0x0621, 0x0622, 0x0623, 0x0624, 0x0625, 0x0626, 0x0627,
    0x0628, 0x0629, 0x062A, 0x062B, 0x062C, 0x062D, 0x062E, 0x062F, 0x0630, 0x0631, 0x0632, 0x0633,
    0x0634, 0x0635, 0x0636, 0x00D7, 0x0637, 0x0638, 0x0639, 0x063A, 0x0640, 0x0641, 0x0642, 0x0643,
    0x00E0, 0x0644, 0x00E2, 0x0645, 0x0646, 0x0647, 0x0648, 0x00E7, 0x00E8, 0x00E9, 0x00EA, 0x00EB,
    0x0649, 0x064A, 0x00EE, 0x00EF, 0x064B, 0x064C, 0x064D, 0x064E, 0x00F4, 0x064F, 0x0650, 0x00F7,
    0x0651, 0x00F9, 0x0652, 0x00FB, 0x00FC, 0x200E, 0x200F, 0x06D2,
};

/* The byte for c, or -1. Normalised text never holds ي ك ة or Persian digits; ی is
 * written as ي (0xED) because Windows-1256 has no U+06CC. */
static int cp1256_byte(uint32_t c)
{
	if (c < 0x80)
		return (int)c;
	if (c == 0x06CC)
		return 0xED;
	for (int i = 0; i < 128; i++)
		if (cp1256_high[i] == c)
			return 0x80 + i;
	return -1;
}

/* ---- Iran System -----------------------------------------------------------------
 * Sources, which agree on every byte below:
 * - the code page as tabulated for Iran System (ایران سیستم) DOS software, and
 *   mohsen-d/IranSystemConvertor (C#, ConvertTo.cs: byte → Windows-1256 letter);
 * - amirfahmideh/InsuranceToDbf (C#, ConvertWindowsPersianToDos.cs), which writes the
 *   SSO list files DSKKAR00/DSKWOR00 in this code page: a letter's four forms;
 * - an Iran System C converter (iran_system.c, ported as Python in
 *   movtigroup/Iran-System-encoding): letter forms and the visual reordering.
 * The same sources differ on a few points; what we follow:
 * - 0xFB, the initial ه: IranSystemConvertor gives ھ (U+06BE, the glyph's shape); we
 *   read every ه form as ه (U+0647), as InsuranceToDbf writes it.
 * - 0xFC/0xFD/0xFE, ی: 0xFC is the final form (after a joining letter), 0xFD the
 *   isolated one, 0xFE initial and medial, in all three sources.
 * - ئ: 0x8E is its initial/medial form; at a word's end InsuranceToDbf writes the
 *   final ی 0xFC and the C converter ء 0x8F. We write ی's forms (closer to the glyph),
 *   and report it as approximate; 0x8E reads as ئ, 0x8F as ء.
 * - ل then ا is the ligature 0xF2 (InsuranceToDbf; the C converter writes them apart,
 *   which we read as well).
 * - 0xB0-0xDF are box drawing as in code page 437; no source puts letters there.
 * Digits 0x80-0x89 are ۰-۹ (read as ASCII), 0xFF is a no-break space. */

enum {
	IS_R = 1 << 0,	     /* a right-to-left character */
	IS_LETTER = 1 << 1,  /* a letter, so it takes part in joining */
	IS_JNEXT = 1 << 2,   /* the form joins the letter after it (initial, medial) */
	IS_JPREV = 1 << 3,   /* a form of its own that joins the letter before (final, medial) */
	IS_ALONE = 1 << 4,   /* a dual-joining letter's form that does not join the next */
	IS_ISO = 1 << 5,     /* an isolated form of its own: it follows no joining form */
	IS_DIGIT = 1 << 6,   /* 0x80-0x89 */
	IS_BOX = 1 << 7,     /* box drawing, 0xB0-0xDF */
	IS_LAMALEF = 1 << 8, /* 0xF2: ل and ا */
};

#define L_ (IS_R | IS_LETTER)
struct is_byte {
	uint16_t cp;
	uint16_t flags;
};

static const struct is_byte is_high[128] = {
    /* 0x80 */ {'0', IS_DIGIT},
    {'1', IS_DIGIT},
    {'2', IS_DIGIT},
    {'3', IS_DIGIT},
    {'4', IS_DIGIT},
    {'5', IS_DIGIT},
    {'6', IS_DIGIT},
    {'7', IS_DIGIT},
    {'8', IS_DIGIT},
    {'9', IS_DIGIT},
    /* 0x8A */ {0x060C, IS_R},
    {0x0640, L_ | IS_JNEXT | IS_JPREV}, /* tatweel */
    {0x061F, IS_R},
    {0x0622, L_},		      /* آ */
    {0x0626, L_ | IS_JNEXT},	      /* ئ initial, medial */
    {0x0621, L_},		      /* ء */
    /* 0x90 */ {0x0627, L_ | IS_ISO}, /* ا */
    {0x0627, L_ | IS_JPREV},
    {0x0628, L_ | IS_ALONE}, /* ب */
    {0x0628, L_ | IS_JNEXT},
    {0x067E, L_ | IS_ALONE}, /* پ */
    {0x067E, L_ | IS_JNEXT},
    {0x062A, L_ | IS_ALONE}, /* ت */
    {0x062A, L_ | IS_JNEXT},
    {0x062B, L_ | IS_ALONE}, /* ث */
    {0x062B, L_ | IS_JNEXT},
    {0x062C, L_ | IS_ALONE}, /* ج */
    {0x062C, L_ | IS_JNEXT},
    {0x0686, L_ | IS_ALONE}, /* چ */
    {0x0686, L_ | IS_JNEXT},
    {0x062D, L_ | IS_ALONE}, /* ح */
    {0x062D, L_ | IS_JNEXT},
    /* 0xA0 */ {0x062E, L_ | IS_ALONE}, /* خ */
    {0x062E, L_ | IS_JNEXT},
    {0x062F, L_},	     /* د */
    {0x0630, L_},	     /* ذ */
    {0x0631, L_},	     /* ر */
    {0x0632, L_},	     /* ز */
    {0x0698, L_},	     /* ژ */
    {0x0633, L_ | IS_ALONE}, /* س */
    {0x0633, L_ | IS_JNEXT},
    {0x0634, L_ | IS_ALONE}, /* ش */
    {0x0634, L_ | IS_JNEXT},
    {0x0635, L_ | IS_ALONE}, /* ص */
    {0x0635, L_ | IS_JNEXT},
    {0x0636, L_ | IS_ALONE}, /* ض */
    {0x0636, L_ | IS_JNEXT},
    {0x0637, L_}, /* ط, one byte for every form */
    /* 0xB0 */ {0x2591, IS_BOX},
    {0x2592, IS_BOX},
    {0x2593, IS_BOX},
    {0x2502, IS_BOX},
    {0x2524, IS_BOX},
    {0x2561, IS_BOX},
    {0x2562, IS_BOX},
    {0x2556, IS_BOX},
    {0x2555, IS_BOX},
    {0x2563, IS_BOX},
    {0x2551, IS_BOX},
    {0x2557, IS_BOX},
    {0x255D, IS_BOX},
    {0x255C, IS_BOX},
    {0x255B, IS_BOX},
    {0x2510, IS_BOX},
    /* 0xC0 */ {0x2514, IS_BOX},
    {0x2534, IS_BOX},
    {0x252C, IS_BOX},
    {0x251C, IS_BOX},
    {0x2500, IS_BOX},
    {0x253C, IS_BOX},
    {0x255E, IS_BOX},
    {0x255F, IS_BOX},
    {0x255A, IS_BOX},
    {0x2554, IS_BOX},
    {0x2569, IS_BOX},
    {0x2566, IS_BOX},
    {0x2560, IS_BOX},
    {0x2550, IS_BOX},
    {0x256C, IS_BOX},
    {0x2567, IS_BOX},
    /* 0xD0 */ {0x2568, IS_BOX},
    {0x2564, IS_BOX},
    {0x2565, IS_BOX},
    {0x2559, IS_BOX},
    {0x2558, IS_BOX},
    {0x2552, IS_BOX},
    {0x2553, IS_BOX},
    {0x256B, IS_BOX},
    {0x256A, IS_BOX},
    {0x2518, IS_BOX},
    {0x250C, IS_BOX},
    {0x2588, IS_BOX},
    {0x2584, IS_BOX},
    {0x258C, IS_BOX},
    {0x2590, IS_BOX},
    {0x2580, IS_BOX},
    /* 0xE0 */ {0x0638, L_},	      /* ظ, one byte for every form */
    {0x0639, L_ | IS_ALONE | IS_ISO}, /* ع isolated, final, medial, initial */
    {0x0639, L_ | IS_ALONE | IS_JPREV},
    {0x0639, L_ | IS_JNEXT | IS_JPREV},
    {0x0639, L_ | IS_JNEXT},
    {0x063A, L_ | IS_ALONE | IS_ISO}, /* غ likewise */
    {0x063A, L_ | IS_ALONE | IS_JPREV},
    {0x063A, L_ | IS_JNEXT | IS_JPREV},
    {0x063A, L_ | IS_JNEXT},
    {0x0641, L_ | IS_ALONE}, /* ف */
    {0x0641, L_ | IS_JNEXT},
    {0x0642, L_ | IS_ALONE}, /* ق */
    {0x0642, L_ | IS_JNEXT},
    {0x06A9, L_ | IS_ALONE}, /* ک */
    {0x06A9, L_ | IS_JNEXT},
    {0x06AF, L_ | IS_ALONE}, /* گ */
    /* 0xF0 */ {0x06AF, L_ | IS_JNEXT},
    {0x0644, L_ | IS_ALONE}, /* ل */
    {0x0644, L_ | IS_LAMALEF},
    {0x0644, L_ | IS_JNEXT},
    {0x0645, L_ | IS_ALONE}, /* م */
    {0x0645, L_ | IS_JNEXT},
    {0x0646, L_ | IS_ALONE}, /* ن */
    {0x0646, L_ | IS_JNEXT},
    {0x0648, L_},	     /* و */
    {0x0647, L_ | IS_ALONE}, /* ه isolated and final, medial, initial */
    {0x0647, L_ | IS_JNEXT | IS_JPREV},
    {0x0647, L_ | IS_JNEXT},
    {0x06CC, L_ | IS_ALONE | IS_JPREV}, /* ی final, isolated, initial and medial */
    {0x06CC, L_ | IS_ALONE | IS_ISO},
    {0x06CC, L_ | IS_JNEXT},
    {0x00A0, 0},
};

/* A letter's forms for writing: isolated, final, initial, medial. */
enum { JOIN_NONE, JOIN_RIGHT, JOIN_DUAL };
struct is_letter {
	uint16_t cp;
	uint8_t join;
	uint8_t form[4];
};

static const struct is_letter is_letters[] = {
    {0x0621, JOIN_NONE, {0x8F, 0x8F, 0x8F, 0x8F}},  {0x0622, JOIN_RIGHT, {0x8D, 0x8D, 0x8D, 0x8D}},
    {0x0626, JOIN_DUAL, {0xFD, 0xFC, 0x8E, 0x8E}},  {0x0627, JOIN_RIGHT, {0x90, 0x91, 0x90, 0x91}},
    {0x0628, JOIN_DUAL, {0x92, 0x92, 0x93, 0x93}},  {0x067E, JOIN_DUAL, {0x94, 0x94, 0x95, 0x95}},
    {0x062A, JOIN_DUAL, {0x96, 0x96, 0x97, 0x97}},  {0x062B, JOIN_DUAL, {0x98, 0x98, 0x99, 0x99}},
    {0x062C, JOIN_DUAL, {0x9A, 0x9A, 0x9B, 0x9B}},  {0x0686, JOIN_DUAL, {0x9C, 0x9C, 0x9D, 0x9D}},
    {0x062D, JOIN_DUAL, {0x9E, 0x9E, 0x9F, 0x9F}},  {0x062E, JOIN_DUAL, {0xA0, 0xA0, 0xA1, 0xA1}},
    {0x062F, JOIN_RIGHT, {0xA2, 0xA2, 0xA2, 0xA2}}, {0x0630, JOIN_RIGHT, {0xA3, 0xA3, 0xA3, 0xA3}},
    {0x0631, JOIN_RIGHT, {0xA4, 0xA4, 0xA4, 0xA4}}, {0x0632, JOIN_RIGHT, {0xA5, 0xA5, 0xA5, 0xA5}},
    {0x0698, JOIN_RIGHT, {0xA6, 0xA6, 0xA6, 0xA6}}, {0x0633, JOIN_DUAL, {0xA7, 0xA7, 0xA8, 0xA8}},
    {0x0634, JOIN_DUAL, {0xA9, 0xA9, 0xAA, 0xAA}},  {0x0635, JOIN_DUAL, {0xAB, 0xAB, 0xAC, 0xAC}},
    {0x0636, JOIN_DUAL, {0xAD, 0xAD, 0xAE, 0xAE}},  {0x0637, JOIN_DUAL, {0xAF, 0xAF, 0xAF, 0xAF}},
    {0x0638, JOIN_DUAL, {0xE0, 0xE0, 0xE0, 0xE0}},  {0x0639, JOIN_DUAL, {0xE1, 0xE2, 0xE4, 0xE3}},
    {0x063A, JOIN_DUAL, {0xE5, 0xE6, 0xE8, 0xE7}},  {0x0641, JOIN_DUAL, {0xE9, 0xE9, 0xEA, 0xEA}},
    {0x0642, JOIN_DUAL, {0xEB, 0xEB, 0xEC, 0xEC}},  {0x06A9, JOIN_DUAL, {0xED, 0xED, 0xEE, 0xEE}},
    {0x06AF, JOIN_DUAL, {0xEF, 0xEF, 0xF0, 0xF0}},  {0x0644, JOIN_DUAL, {0xF1, 0xF1, 0xF3, 0xF3}},
    {0x0645, JOIN_DUAL, {0xF4, 0xF4, 0xF5, 0xF5}},  {0x0646, JOIN_DUAL, {0xF6, 0xF6, 0xF7, 0xF7}},
    {0x0648, JOIN_RIGHT, {0xF8, 0xF8, 0xF8, 0xF8}}, {0x0647, JOIN_DUAL, {0xF9, 0xF9, 0xFB, 0xFA}},
    {0x06CC, JOIN_DUAL, {0xFD, 0xFC, 0xFE, 0xFE}},
};

/* Letters Iran System lacks, written as the nearest one it has (and reported). */
static uint32_t is_approx(uint32_t c)
{
	switch (c) {
	case 0x0624: /* ؤ */
		return 0x0648;
	case 0x06BE: /* ھ */
	case 0x06C1: /* ہ */
		return 0x0647;
	default:
		return c;
	}
}

static const struct is_letter *is_letter_of(uint32_t c)
{
	if (c < 0x0621 || c > 0x06CC)
		return NULL;
	for (size_t i = 0; i < sizeof is_letters / sizeof is_letters[0]; i++)
		if (is_letters[i].cp == c)
			return &is_letters[i];
	return NULL;
}

/* Bidirectional classes, a small part of the Unicode algorithm (UAX #9) that is enough
 * for one line of Persian with numbers and some Latin in a right-to-left paragraph. */
enum { B_L, B_EN, B_R, B_CS, B_ES, B_ET, B_WS, B_ON };

static int is_class(unsigned char b)
{
	if (b >= 0x80) {
		uint16_t f = is_high[b - 0x80].flags;
		if (f & IS_DIGIT)
			return B_EN;
		if (f & IS_R)
			return B_R;
		return b == 0xFF ? B_WS : B_ON;
	}
	if (b >= '0' && b <= '9')
		return B_EN;
	if ((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z'))
		return B_L;
	switch (b) {
	case ' ':
		return B_WS;
	case ',':
	case '.':
	case '/':
	case ':':
		return B_CS;
	case '+':
	case '-':
		return B_ES;
	case '#':
	case '$':
	case '%':
		return B_ET;
	default:
		return B_ON;
	}
}

static unsigned char mirror(unsigned char b)
{
	switch (b) {
	case '(':
		return ')';
	case ')':
		return '(';
	case '[':
		return ']';
	case ']':
		return '[';
	case '{':
		return '}';
	case '}':
		return '{';
	case '<':
		return '>';
	case '>':
		return '<';
	default:
		return b;
	}
}

static void reverse(unsigned char *s, size_t n)
{
	for (size_t i = 0, j = n; i + 1 < j; i++, j--) {
		unsigned char t = s[i];
		s[i] = s[j - 1];
		s[j - 1] = t;
	}
}

/* Turns visual order into logical order and back (the same steps do both): a line
 * with no right-to-left character is left alone; otherwise the paragraph is
 * right-to-left, numbers and Latin words keep their own order, and brackets between
 * right-to-left text are mirrored. Classes are resolved as UAX #9 does for a single
 * level: a separator between two digits and a terminator next to one join the number
 * (W4, W5), and neutrals take the direction on both their sides when it agrees,
 * numbers counting as right-to-left, else right-to-left (N1, N2). */
static void is_reorder(unsigned char *s, size_t n)
{
	unsigned char small[256];
	unsigned char *cls = n <= sizeof small ? small : malloc(n);
	if (!cls)
		abort();
	int any_r = 0;
	for (size_t i = 0; i < n; i++) {
		cls[i] = (unsigned char)is_class(s[i]);
		any_r |= cls[i] == B_R;
	}
	if (!any_r)
		goto out;
	for (size_t i = 1; i + 1 < n; i++)
		if ((cls[i] == B_CS || cls[i] == B_ES) && cls[i - 1] == B_EN && cls[i + 1] == B_EN)
			cls[i] = B_EN;
	for (size_t i = 0; i < n;) {
		if (cls[i] != B_ET) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && cls[j] == B_ET)
			j++;
		if ((i > 0 && cls[i - 1] == B_EN) || (j < n && cls[j] == B_EN))
			memset(cls + i, B_EN, j - i);
		i = j;
	}
	for (size_t i = 0; i < n;) {
		if (cls[i] == B_L || cls[i] == B_EN || cls[i] == B_R) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && cls[j] != B_L && cls[j] != B_EN && cls[j] != B_R)
			j++;
		int left = i > 0 ? cls[i - 1] : B_R, right = j < n ? cls[j] : B_R;
		memset(cls + i, left == B_L && right == B_L ? B_L : B_R, j - i);
		i = j;
	}
	reverse(s, n);
	reverse(cls, n);
	for (size_t i = 0; i < n;) {
		if (cls[i] == B_R) {
			s[i] = mirror(s[i]);
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && cls[j] != B_R)
			j++;
		reverse(s + i, j - i);
		i = j;
	}
out:
	if (cls != small)
		free(cls);
}

/* Visual order is not always read back as it was written: a number broken by a
 * separator next to a terminator between right-to-left text («ع 8.#9 ع») reads back as
 * «ع #9.8 ع» (UAX #9 joins "9.8" in the visual order but not "8.#" in the logical). Puts
 * the shaped logical bytes b[0..n) in visual order; a text that would not read back as
 * itself counts as one character the encoding cannot carry (U+FFFD), so that the caller
 * is told. */
static void iransys_to_visual(unsigned char *b, size_t n, struct codec_report *rep)
{
	unsigned char small[256];
	unsigned char *logical = n <= sizeof small ? small : malloc(n ? n : 1);
	if (!logical)
		abort();
	memcpy(logical, b, n);
	is_reorder(b, n);
	unsigned char small2[256];
	unsigned char *back = n <= sizeof small2 ? small2 : malloc(n ? n : 1);
	if (!back)
		abort();
	memcpy(back, b, n);
	is_reorder(back, n); /* as a reader turns it back */
	if (memcmp(back, logical, n) != 0)
		report(rep, 0xFFFD);
	if (logical != small)
		free(logical);
	if (back != small2)
		free(back);
}

/* ---- decoding with normalisation -------------------------------------------------
 * Each byte of both code pages is looked up once, at first use, in what text_normalize
 * makes of it (its class and its normal UTF-8), so decoding a field is one table look-up
 * per byte and the separators' state machine of text_normalize_buf, with no UTF-8
 * decoding and encoding in between. The tables are built by text_normalize_buf itself,
 * so the two cannot drift apart. */

enum { N_DROP, N_CHAR, N_SPACE, N_ZWNJ, N_NL };

struct ncell {
	uint8_t cls, len;
	char s[4];
};

static struct ncell cp1256_norm[256], iransys_norm[256];
static const struct ncell zwnj_cell = {N_ZWNJ, 3, "\xE2\x80\x8C"};
static pthread_once_t norm_once = PTHREAD_ONCE_INIT;

/* What text_normalize makes of c (and c2, for the lam-alef ligature) between letters. */
static void norm_cell(uint32_t c, uint32_t c2, struct ncell *n)
{
	char in[16], out[16];
	char *o = in;
	*o++ = 'a';
	o = put_utf8(o, c);
	if (c2)
		o = put_utf8(o, c2);
	*o++ = 'b';
	size_t len = text_normalize_buf(in, (size_t)(o - in), out) - 2;
	const char *x = out + 1;
	memset(n, 0, sizeof *n);
	if (len == 0)
		n->cls = N_DROP;
	else if (len == 1 && x[0] == ' ')
		n->cls = N_SPACE;
	else if (len == 1 && x[0] == '\n')
		n->cls = N_NL;
	else if (len == 3 && memcmp(x, zwnj_cell.s, 3) == 0)
		n->cls = N_ZWNJ;
	else {
		n->cls = N_CHAR;
		n->len = (uint8_t)len;
		memcpy(n->s, x, len);
	}
}

static void norm_build(void)
{
	for (int b = 0; b < 256; b++) {
		norm_cell(b < 0x80 ? (uint32_t)b : cp1256_high[b - 0x80], 0, &cp1256_norm[b]);
		if (b < 0x80)
			iransys_norm[b] = cp1256_norm[b];
		else
			norm_cell(is_high[b - 0x80].cp,
				  (is_high[b - 0x80].flags & IS_LAMALEF) ? 0x0627 : 0,
				  &iransys_norm[b]);
	}
}

/* text_normalize_buf's separators, held back until the next kept character. */
struct nout {
	char *o, *start;
	int space, zwnj, nl;
};

static inline void nput(struct nout *st, const struct ncell *n)
{
	switch (n->cls) {
	case N_DROP:
		return;
	case N_SPACE:
		st->space = 1;
		return;
	case N_ZWNJ:
		st->zwnj = 1;
		return;
	case N_NL:
		st->nl++;
		return;
	default:
		if (st->o > st->start) {
			if (st->nl)
				for (; st->nl > 0; st->nl--)
					*st->o++ = '\n';
			else if (st->space)
				*st->o++ = ' ';
			else if (st->zwnj) {
				memcpy(st->o, zwnj_cell.s, 3);
				st->o += 3;
			}
		}
		st->space = st->zwnj = st->nl = 0;
		memcpy(st->o, n->s, 4); /* CODEC_DECODE_MAX leaves room for the 4 */
		st->o += n->len;
	}
}

/* Whether byte b of an Iran System line may take the short way: right-to-left letters
 * and spaces only, so the line is simply reversed. */
static int is_simple(unsigned char b)
{
	return b == ' ' || (b >= 0x80 && (is_high[b - 0x80].flags & IS_R));
}

/* Iran System byte s[i] of a line in logical order, followed by `next` (0 at the end).
 * A dual-joining letter written in a form that does not join the next (isolated,
 * final) followed by a letter had a ZWNJ between them (می‌خواهم): one is put back. */
static inline void iransys_put(struct nout *st, unsigned char b, unsigned char next,
			       struct codec_report *rep)
{
	nput(st, &iransys_norm[b]);
	if (b < 0x80)
		return;
	uint16_t f = is_high[b - 0x80].flags;
	if (f & IS_BOX)
		report(rep, b);
	if ((f & IS_ALONE) && next >= 0x80 && next != 0x8F &&
	    (is_high[next - 0x80].flags & IS_LETTER))
		nput(st, &zwnj_cell);
}

static void iransys_decode(const unsigned char *in, size_t n, struct nout *st,
			   struct codec_report *rep)
{
	int simple = 1;
	for (size_t i = 0; i < n && simple; i++)
		simple = is_simple(in[i]);
	if (simple) { /* the common case: Persian words and spaces */
		for (size_t i = n; i-- > 0;)
			iransys_put(st, in[i], i > 0 ? in[i - 1] : 0, rep);
		return;
	}
	unsigned char small[256];
	unsigned char *s = n <= sizeof small ? small : malloc(n);
	if (!s)
		abort();
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (in[i])
			s[m++] = in[i];
	is_reorder(s, m);
	for (size_t i = 0; i < m; i++)
		iransys_put(st, s[i], i + 1 < m ? s[i + 1] : 0, rep);
	if (s != small)
		free(s);
}

long codec_decode(enum codec_enc enc, const void *in, size_t n, char *out, size_t cap,
		  struct codec_report *rep)
{
	if (cap < CODEC_DECODE_MAX(n))
		return -1;
	pthread_once(&norm_once, norm_build);
	const unsigned char *p = in;
	struct nout st = {out, out, 0, 0, 0};
	switch (enc) {
	case CODEC_IRANSYS:
		iransys_decode(p, n, &st, rep);
		break;
	case CODEC_UTF8: {
		char *o = out;
		for (size_t i = 0; i < n;) {
			uint32_t c;
			size_t len = utf8_seq(p + i, n - i, &c);
			if (!len) {
				report(rep, p[i]);
				o = put_utf8(o, 0xFFFD);
				i++;
				continue;
			}
			if (c)
				o = put_utf8(o, c);
			i += len;
		}
		return (long)text_normalize_buf(out, (size_t)(o - out), out);
	}
	default: /* Windows-1256, and the ASCII that every one of them shares */
		for (size_t i = 0; i < n; i++)
			nput(&st, &cp1256_norm[p[i]]);
		break;
	}
	*st.o = 0;
	return (long)(st.o - out);
}

/* Shapes code points (logical order) into Iran System bytes, still in logical order. */
static size_t iransys_shape(const uint32_t *cp, size_t m, unsigned char *o,
			    struct codec_report *rep)
{
	unsigned char *start = o;
	for (size_t i = 0; i < m; i++) {
		uint32_t c = cp[i];
		if (c == ZWNJ)
			continue;
		if (c >= '0' && c <= '9') {
			*o++ = (unsigned char)(0x80 + (c - '0'));
			continue;
		}
		if (c < 0x80) {
			*o++ = (unsigned char)c;
			continue;
		}
		uint32_t a = is_approx(c);
		const struct is_letter *l = is_letter_of(a);
		if (!l) {
			int b = -1;
			if (c == 0x060C)
				b = 0x8A;
			else if (c == 0x061F)
				b = 0x8C;
			else if (c == 0x0640)
				b = 0x8B;
			else if (c == 0x00A0)
				b = 0xFF;
			else
				for (int k = 0xB0; k <= 0xDF; k++)
					if (is_high[k - 0x80].cp == c)
						b = k;
			if (b < 0)
				report(rep, c);
			*o++ = (unsigned char)(b < 0 ? '?' : b);
			continue;
		}
		if (a != c)
			report(rep, c);
		const struct is_letter *prev = i > 0 ? is_letter_of(is_approx(cp[i - 1])) : NULL;
		const struct is_letter *next =
		    i + 1 < m ? is_letter_of(is_approx(cp[i + 1])) : NULL;
		int jprev = l->join != JOIN_NONE && prev && prev->join == JOIN_DUAL;
		if (a == 0x0644 && next && next->cp == 0x0627) {
			*o++ = 0xF2;
			i++;
			continue;
		}
		int jnext = l->join == JOIN_DUAL && next && next->join != JOIN_NONE;
		int form = jprev ? (jnext ? 3 : 1) : (jnext ? 2 : 0);
		if (a == 0x0626 && !jnext)
			report(rep, c); /* ئ has no final or isolated form of its own */
		if ((a == 0x0637 || a == 0x0638) && i + 2 < m && cp[i + 1] == ZWNJ &&
		    is_letter_of(is_approx(cp[i + 2])))
			report(rep, ZWNJ); /* one byte for every form: the break is lost */
		*o++ = l->form[form];
	}
	return (size_t)(o - start);
}

long codec_encode(enum codec_enc enc, const char *in, void *out, size_t cap,
		  struct codec_report *rep)
{
	if (!in || (enc != CODEC_CP1256 && enc != CODEC_IRANSYS))
		return -1;
	size_t len = strlen(in);
	if (!text_utf8_valid(in, len))
		return -1;
	char small[512];
	uint32_t small_cp[512];
	unsigned char small_b[512];
	char *norm = len + 1 <= sizeof small ? small : malloc(len + 1);
	uint32_t *cp = len <= 512 ? small_cp : malloc(len * sizeof *cp);
	unsigned char *b = len <= sizeof small_b ? small_b : malloc(len);
	if (!norm || !cp || !b)
		abort();
	size_t nl = text_normalize_buf(in, len, norm);
	size_t m = 0;
	for (size_t i = 0; i < nl;) {
		size_t k = utf8_seq((const unsigned char *)norm + i, nl - i, &cp[m]);
		i += k;
		m++;
	}
	/* Each code point gives at most one byte (ZWNJ and the alef of ل‌ا give none). */
	size_t nb = 0;
	if (enc == CODEC_CP1256) {
		for (size_t i = 0; i < m; i++) {
			int v = cp1256_byte(cp[i]);
			if (v < 0)
				report(rep, cp[i]);
			b[nb++] = (unsigned char)(v < 0 ? '?' : v);
		}
	} else {
		nb = iransys_shape(cp, m, b, rep);
		iransys_to_visual(b, nb, rep);
	}
	if (nb <= cap)
		memcpy(out, b, nb);
	if (norm != small)
		free(norm);
	if (cp != small_cp)
		free(cp);
	if (b != small_b)
		free(b);
	return (long)nb;
}

/* ---- detection ------------------------------------------------------------------- */

static int cp1256_good(unsigned char b)
{
	switch (b) {
	case 0x81: /* پ */
	case 0x8D: /* چ */
	case 0x8E: /* ژ */
	case 0x90: /* گ */
	case 0x98: /* ک */
	case 0x9D: /* ZWNJ */
	case 0xA0: /* no-break space */
	case 0xA1: /* ، */
	case 0xBA: /* ؛ */
	case 0xBF: /* ؟ */
	case 0xE1: /* ل */
	case 0xEC: /* ى */
	case 0xED: /* ي */
		return 1;
	default:
		return (b >= 0xC1 && b <= 0xD6) || (b >= 0xD8 && b <= 0xDF) ||
		       (b >= 0xE3 && b <= 0xE6);
	}
}

static uint16_t is_flags(const unsigned char *s, size_t n, size_t i)
{
	return i < n && s[i] >= 0x80 ? is_high[s[i] - 0x80].flags : 0;
}

/* Whether the Iran System byte s[i] (visual order: the next letter is on its left) is a
 * digit or a letter form that fits its neighbours. */
static int iransys_good(const unsigned char *s, size_t n, size_t i)
{
	unsigned char b = s[i];
	uint16_t f = is_high[b - 0x80].flags;
	if (b == 0xFF || (f & IS_DIGIT))
		return 1;
	if (!(f & IS_R))
		return 0;
	uint16_t before = is_flags(s, n, i + 1), after = i > 0 ? is_flags(s, n, i - 1) : 0;
	if ((f & IS_JNEXT) && !(after & IS_LETTER))
		return 0;
	/* ط and ظ have one byte for all forms, so they may join either way. */
	int before_joins =
	    (before & IS_JNEXT) || (i + 1 < n && (s[i + 1] == 0xAF || s[i + 1] == 0xE0));
	if ((f & IS_JPREV) && !before_joins)
		return 0;
	if ((f & IS_ISO) && (before & IS_JNEXT))
		return 0;
	return 1;
}

void codec_detect_init(struct codec_detector *d)
{
	memset(d, 0, sizeof *d);
}

void codec_detect_add(struct codec_detector *d, const void *field, size_t n)
{
	const unsigned char *s = field;
	d->fields++;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x80)
			continue;
		d->high++;
		d->good_cp1256 += (size_t)cp1256_good(s[i]);
		d->good_iransys += (size_t)iransys_good(s, n, i);
	}
	for (size_t i = 0; i < n;) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		uint32_t c;
		size_t len = utf8_seq(s + i, n - i, &c);
		if (!len) {
			d->utf8_bad++;
			i++;
			continue;
		}
		d->utf8_chars++;
		/* Letters, digits and punctuation that Persian text is made of; not the marks,
		 * which Windows-1256 letter pairs can spell by chance (طک is U+0618). */
		if ((c >= 0x0621 && c <= 0x063A) || (c >= 0x0641 && c <= 0x064A) || c == 0x067E ||
		    c == 0x0686 || c == 0x0698 || c == 0x06A9 || c == 0x06AF || c == 0x06CC ||
		    (c >= 0x06F0 && c <= 0x06F9) || (c >= 0x0660 && c <= 0x0669) || c == 0x060C ||
		    c == 0x061F || c == ZWNJ)
			d->utf8_arabic++;
		i += len;
	}
}

void codec_detect_add_sex(struct codec_detector *d, const void *field, size_t n)
{
	const unsigned char *s = field;
	codec_detect_add(d, s, n);
	while (n > 0 && (s[0] == ' ' || s[0] == 0)) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == 0))
		n--;
	if (n == 0)
		return;
	d->sex_seen++;
	/* «مرد» and «زن» in Windows-1256 (logical order) and in Iran System (visual). */
	if ((n == 3 && memcmp(s, "\xE3\xD1\xCF", 3) == 0) ||
	    (n == 2 && memcmp(s, "\xD2\xE4", 2) == 0))
		d->sex_cp1256++;
	if ((n == 3 && memcmp(s, "\xA2\xA4\xF5", 3) == 0) ||
	    (n == 2 && memcmp(s, "\xF6\xA5", 2) == 0))
		d->sex_iransys++;
}

enum codec_enc codec_detect_finish(const struct codec_detector *d, int language,
				   struct codec_guess *g)
{
	struct codec_guess tmp;
	if (!g)
		g = &tmp;
	memset(g, 0, sizeof *g);
	g->high_bytes = d->high;
	g->sex_cp1256 = d->sex_cp1256;
	g->sex_iransys = d->sex_iransys;
	g->score_cp1256 = d->high ? (int)(d->good_cp1256 * 100 / d->high) : 100;
	g->score_iransys = d->high ? (int)(d->good_iransys * 100 / d->high) : 100;
	int diff = g->score_cp1256 - g->score_iransys;
	if (d->high == 0) {
		g->enc = CODEC_CP1256;
		g->confident = 1;
		snprintf(g->why, sizeof g->why,
			 "no byte above 0x7F: plain ASCII, the same in every encoding");
	} else if (d->utf8_bad == 0 && d->utf8_chars > 0 &&
		   d->utf8_arabic * 10 >= d->utf8_chars * 9) {
		g->enc = CODEC_UTF8;
		g->confident = 1;
		snprintf(g->why, sizeof g->why,
			 "all %zu bytes above 0x7F form UTF-8, %zu of %zu characters Arabic script",
			 d->high, d->utf8_arabic, d->utf8_chars);
	} else if (d->sex_cp1256 != d->sex_iransys) {
		int cp = d->sex_cp1256 > d->sex_iransys;
		g->enc = cp ? CODEC_CP1256 : CODEC_IRANSYS;
		g->confident = cp ? diff > -10 : diff < 10;
		snprintf(g->why, sizeof g->why,
			 "DSW_SEX reads «مرد»/«زن» in %zu of %zu rows as %s (%zu as %s); letters "
			 "fit %d%% as Windows-1256, %d%% as Iran System",
			 cp ? d->sex_cp1256 : d->sex_iransys, d->sex_seen, codec_name(g->enc),
			 cp ? d->sex_iransys : d->sex_cp1256,
			 codec_name(cp ? CODEC_IRANSYS : CODEC_CP1256), g->score_cp1256,
			 g->score_iransys);
	} else if (diff >= 20 || diff <= -20) {
		g->enc = diff > 0 ? CODEC_CP1256 : CODEC_IRANSYS;
		g->confident = 1;
		snprintf(g->why, sizeof g->why,
			 "of %zu bytes above 0x7F, %d%% fit Windows-1256 and %d%% Iran System",
			 d->high, g->score_cp1256, g->score_iransys);
	} else {
		g->enc = language == 0x7E || diff >= 0 ? CODEC_CP1256 : CODEC_IRANSYS;
		snprintf(g->why, sizeof g->why,
			 "near tie (%d%% Windows-1256, %d%% Iran System of %zu bytes); %s",
			 g->score_cp1256, g->score_iransys, d->high,
			 language == 0x7E ? "the header's language byte 0x7E says Windows-1256"
					  : "taken by the higher score");
	}
	return g->enc;
}
