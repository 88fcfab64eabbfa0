/* codec: the text encodings of the monthly list files (DSKKAR00.DBF, DSKWOR00.DBF),
 * table-driven: iconv has no Iran System, and the hot path of an import decodes every
 * text field of a million rows.
 *
 * - Windows-1256, what the official template declares (language byte 0x7E). Logical
 *   order, one byte per letter. It has no ی (U+06CC), no Persian digits: files carry
 *   ي and ASCII digits. Every byte has a character.
 * - Iran System, a DOS code page that many payroll programs still write: *visual*
 *   order (the bytes as the letters stood on a left-to-right screen) and separate
 *   bytes for a letter's joined and unjoined forms; «مرد» is A2 A4 F5 (د, ر, initial م).
 *   The table and where it comes from: codec.c.
 * - UTF-8, which a few newer producers write; detected and read, never written.
 *
 * Decoding gives text as text_normalize leaves it (base/text.h): Persian letters (ي→ی,
 * ك→ک), ASCII digits, one space between words, no padding. Encoding normalises first. */
#ifndef TAMIN_LISTFILE_CODEC_H
#define TAMIN_LISTFILE_CODEC_H

#include <stddef.h>
#include <stdint.h>

enum codec_enc { CODEC_UNKNOWN = 0, CODEC_CP1256, CODEC_IRANSYS, CODEC_UTF8 };

/* "windows-1256", "iran-system", "utf-8" or "unknown". */
const char *codec_name(enum codec_enc enc);

/* What a conversion could not carry over: decoding counts bytes that are no text
 * (an invalid UTF-8 byte, an Iran System box-drawing byte); encoding counts characters
 * that have no byte in the target (written as '?') or only an approximate one (ئ at a
 * word's end in Iran System, ؤ, ھ, and a ZWNJ after ط or ظ), and an Iran System text
 * whose visual order would not read back as the text (one, as U+FFFD). `first` is the
 * first such byte or code point. */
struct codec_report {
	size_t bad;
	uint32_t first;
};

/* Room that codec_decode needs for n input bytes, whatever they are. */
#define CODEC_DECODE_MAX(n) ((n)*5 + 1)

/* Decodes one field's bytes in[0..n) into normalised UTF-8 in out (NUL-terminated).
 * NUL bytes (padding) are skipped. Returns the length, or -1 when cap is less than
 * CODEC_DECODE_MAX(n). rep may be NULL; it is added to, not cleared. */
long codec_decode(enum codec_enc enc, const void *in, size_t n, char *out, size_t cap,
		  struct codec_report *rep);

/* Encodes the UTF-8 text `in` (normalised first) for a field: Windows-1256 writes ی as
 * ي (0xED), ک as 0x98, ZWNJ as 0x9D; Iran System shapes each letter from its neighbours
 * (a ZWNJ ends a join and writes no byte, ل then ا is the ligature 0xF2), writes digits
 * as its own digits 0x80-0x89, and puts the result in visual order. Writes at most cap
 * bytes (no NUL) and returns the number of bytes the whole text needs, which is more
 * than cap when it does not fit (out then holds no usable prefix: cut the text and
 * encode again). Returns -1 when `in` is not valid UTF-8 or enc is not CP1256 or
 * IRANSYS. */
long codec_encode(enum codec_enc enc, const char *in, void *out, size_t cap,
		  struct codec_report *rep);

/* Detection: which encoding a file's text is in, from the bytes of its text fields.
 * Every byte at or above 0x80 is scored under both code pages: as Windows-1256 it
 * should be a Persian or Arabic letter (0xC1-0xED with the Latin-1 and diacritic holes,
 * 0x81 پ, 0x8D چ, 0x8E ژ, 0x90 گ, 0x98 ک), ، ؟ ZWNJ or NBSP; as Iran System a digit
 * (0x80-0x89) or a letter form (0x8A-0xAF, 0xE0-0xFE) that agrees with its neighbours
 * (an initial or medial form needs a letter after it, a final one a joining letter
 * before it), never a box-drawing byte (0xB0-0xDF). The common Windows-1256 letters
 * ا ب ت ج د ر س (0xC7-0xD3) are box drawing in Iran System and the common Iran System
 * forms are Latin letters, symbols or diacritics in Windows-1256, so real text scores
 * near 100 under its own code page and far lower under the other. Values of DSW_SEX fed
 * with codec_detect_add_sex vote by matching «مرد» or «زن» exactly under one of the
 * two. Text that is valid UTF-8 with nine in ten of its multi-byte characters Persian
 * letters, digits or punctuation is UTF-8. The header's language byte (0x7E: Windows-1256) only
 * breaks a near tie. */
struct codec_detector {
	size_t fields, high, good_cp1256, good_iransys;
	size_t utf8_chars, utf8_arabic, utf8_bad;
	size_t sex_cp1256, sex_iransys, sex_seen;
};

struct codec_guess {
	enum codec_enc enc;
	int confident;			 /* 0: a near tie, settled by the language byte */
	int score_cp1256, score_iransys; /* percent of high bytes that fit, 0..100 */
	size_t high_bytes;		 /* bytes >= 0x80 seen */
	size_t sex_cp1256, sex_iransys;	 /* DSW_SEX values that read «مرد»/«زن» */
	char why[200];			 /* one English line, for logs and reports */
};

void codec_detect_init(struct codec_detector *d);
void codec_detect_add(struct codec_detector *d, const void *field, size_t n);
/* A DSW_SEX value: scored as text and voted with. */
void codec_detect_add_sex(struct codec_detector *d, const void *field, size_t n);
/* language: the DBF header's byte 29 (0x7E for Windows-1256), -1 when unknown. */
enum codec_enc codec_detect_finish(const struct codec_detector *d, int language,
				   struct codec_guess *g);

#endif
