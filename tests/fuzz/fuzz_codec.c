/* The list files' code pages (listfile/codec.h). The input is a file's text fields,
 * split at each 0x00 byte: detection scores them (the last one as a DSW_SEX value) and
 * must give a guess in its bounds; each field decodes under every code page into
 * normalised UTF-8 no longer than CODEC_DECODE_MAX says; that text encodes into
 * Windows-1256 and Iran System, with a room too small and then with the room it asked
 * for, and what was encoded with nothing to report decodes back to the same text (in Iran
 * System: but for its ZWNJs, and when it holds no Latin letter; see latin()). */
#include <stdint.h>

#include "base/text.h"
#include "fuzz.h"
#include "listfile/codec.h"

static const enum codec_enc encs[] = {CODEC_UNKNOWN, CODEC_CP1256, CODEC_IRANSYS, CODEC_UTF8};

/* Iran System has no byte for ZWNJ: it writes the letters' shapes, and decoding puts a
 * ZWNJ back between two letters that could have joined and did not. One that stood
 * anywhere else (after ر, before a digit) leaves no trace, and is not a loss. */
static void strip_zwnj(char *s)
{
	char *o = s;
	for (const char *p = s; *p; p++)
		if (!strncmp(p, "\u200C", 3))
			p += 2;
		else
			*o++ = *p;
	*o = 0;
}

/* Iran System keeps text in visual order, and codec.c's reordering is its own inverse for
 * right-to-left text with numbers, but not always once a Latin word stands in it: in
 * «%R-J5 س» the % sits beside the R, and once reversed beside the 5, which it then joins
 * (UAX #9's W5), so «R-J5% س» comes back. A known limit (tests/fuzz/README.md), not
 * checked here. */
static int latin(const char *s)
{
	for (; *s; s++)
		if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'))
			return 1;
	return 0;
}

static void encode(enum codec_enc enc, const char *text, size_t small)
{
	unsigned char *room = malloc(small ? small : 1);
	struct codec_report rep = {0};
	long need = codec_encode(enc, text, room, small, &rep);
	FUZZ_CHECK(need >= 0);
	free(room);
	if ((size_t)need <= small)
		return;
	room = malloc((size_t)need);
	memset(&rep, 0, sizeof rep);
	FUZZ_CHECK(room && codec_encode(enc, text, room, (size_t)need, &rep) == need);
	if (!rep.bad && (enc != CODEC_IRANSYS || !latin(text))) {
		size_t cap = CODEC_DECODE_MAX((size_t)need);
		char *back = malloc(cap);
		FUZZ_CHECK(back && codec_decode(enc, room, (size_t)need, back, cap, NULL) >= 0);
		char *want = fuzz_str((const uint8_t *)text, strlen(text));
		if (enc == CODEC_IRANSYS) { /* it has no ZWNJ: see strip_zwnj */
			strip_zwnj(want);
			strip_zwnj(back);
		}
		if (strcmp(back, want) != 0) {
			fprintf(stderr, "%s: \"%s\" decodes back as \"%s\"\n", codec_name(enc), text,
				back);
			FUZZ_CHECK(!"an encoded text decodes back to itself");
		}
		free(want);
		free(back);
	}
	free(room);
}

static void field(const uint8_t *p, size_t n, size_t small)
{
	size_t cap = CODEC_DECODE_MAX(n);
	char *out = malloc(cap);
	FUZZ_CHECK(out && codec_decode(CODEC_CP1256, p, n, out, cap - 1, NULL) == -1);
	for (size_t i = 0; i < sizeof encs / sizeof encs[0]; i++) {
		struct codec_report rep = {0};
		long len = codec_decode(encs[i], p, n, out, cap, &rep);
		FUZZ_CHECK(len >= 0 && (size_t)len < cap && strlen(out) == (size_t)len);
		FUZZ_CHECK(text_utf8_valid(out, (size_t)len) && rep.bad <= n);
		char *norm = fuzz_str((const uint8_t *)out, (size_t)len);
		FUZZ_CHECK(text_normalize_buf(norm, (size_t)len, norm) == (size_t)len &&
			   !strcmp(norm, out));
		free(norm);
		if (encs[i] == CODEC_CP1256 || encs[i] == CODEC_IRANSYS)
			encode(encs[i], out, small);
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct codec_detector d;
	codec_detect_init(&d);
	size_t small = size ? data[0] % 64 : 0;
	const uint8_t *p = data, *end = data + size;
	while (p < end) {
		const uint8_t *z = memchr(p, 0, (size_t)(end - p));
		size_t n = z ? (size_t)(z - p) : (size_t)(end - p);
		if (z)
			codec_detect_add(&d, p, n);
		else
			codec_detect_add_sex(&d, p, n);
		field(p, n, small);
		p += n + 1;
	}
	struct codec_guess g;
	enum codec_enc enc = codec_detect_finish(&d, size ? (data[size - 1] & 1 ? 0x7E : -1) : -1, &g);
	FUZZ_CHECK(enc == g.enc && enc >= CODEC_UNKNOWN && enc <= CODEC_UTF8);
	FUZZ_CHECK(g.score_cp1256 >= 0 && g.score_cp1256 <= 100 && g.score_iransys >= 0 &&
		   g.score_iransys <= 100 && memchr(g.why, 0, sizeof g.why));
	return 0;
}
