/* Test fixtures for the monthly list files: builds DSKKAR00/DSKWOR00 pairs byte by byte,
 * without src/lists, in Windows-1256 or Iran System, so the reader is tested against
 * files it did not write. Nothing binary is kept in git: every test makes its own.
 *
 * The text bytes are spelt out below. Windows-1256 ones come from Python's cp1256 codec.
 * Iran System ones are the published byte strings where there is one (علی FC F3 E4,
 * محمدحسین and حسن from a real SSO list file, in jalaliamirreza/abap-mdf-sso's
 * docs/ENCODING_VERIFIED.md; محمد, سرخرود, میرزاعلی from mohsen-d/IranSystemConvertor's
 * tests; مرد A2 A4 F5 from DOMAIN.md) and otherwise worked out by hand from the forms
 * table (codec.c) and checked letter by letter. */
#ifndef TAMIN_TESTS_LISTGEN_H
#define TAMIN_TESTS_LISTGEN_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lg_field {
	const char *name;
	char type;
	unsigned width;
};

/* The official template's columns (ListDisk v2.7). */
static const struct lg_field lg_kar_fields[] = {
    {"DSK_ID", 'C', 10},    {"DSK_NAME", 'C', 30},  {"DSK_FARM", 'C', 30},  {"DSK_ADRS", 'C', 40},
    {"DSK_KIND", 'N', 1},   {"DSK_YY", 'N', 2},	    {"DSK_MM", 'N', 2},	    {"DSK_LISTNO", 'C', 12},
    {"DSK_DISC", 'C', 30},  {"DSK_NUM", 'N', 5},    {"DSK_TDD", 'N', 6},    {"DSK_TROOZ", 'N', 12},
    {"DSK_TMAH", 'N', 12},  {"DSK_TMAZ", 'N', 12},  {"DSK_TMASH", 'N', 12}, {"DSK_TTOTL", 'N', 12},
    {"DSK_TBIME", 'N', 12}, {"DSK_TKOSO", 'N', 12}, {"DSK_BIC", 'N', 12},   {"DSK_RATE", 'N', 5},
    {"DSK_PRATE", 'N', 2},  {"DSK_BIMH", 'N', 12},  {"MON_PYM", 'C', 3},
};
#define LG_NKAR (sizeof lg_kar_fields / sizeof lg_kar_fields[0])

static const struct lg_field lg_wor_fields[] = {
    {"DSW_ID", 'C', 10},   {"DSW_YY", 'N', 2},	   {"DSW_MM", 'N', 2},	    {"DSW_LISTNO", 'C', 12},
    {"DSW_ID1", 'C', 8},   {"DSW_FNAME", 'C', 60}, {"DSW_LNAME", 'C', 60},  {"DSW_DNAME", 'C', 60},
    {"DSW_IDNO", 'C', 15}, {"DSW_IDPLC", 'C', 30}, {"DSW_IDATE", 'C', 8},   {"DSW_BDATE", 'C', 8},
    {"DSW_SEX", 'C', 3},   {"DSW_NAT", 'C', 10},   {"DSW_OCP", 'C', 50},    {"DSW_SDATE", 'C', 8},
    {"DSW_EDATE", 'C', 8}, {"DSW_DD", 'N', 2},	   {"DSW_ROOZ", 'N', 12},   {"DSW_MAH", 'N', 12},
    {"DSW_MAZ", 'N', 12},  {"DSW_MASH", 'N', 12},  {"DSW_TOTL", 'N', 12},   {"DSW_BIME", 'N', 12},
    {"DSW_PRATE", 'N', 2}, {"DSW_JOB", 'C', 6},	   {"PER_NATCOD", 'C', 10},
};
#define LG_NWOR (sizeof lg_wor_fields / sizeof lg_wor_fields[0])

/* A table being built in memory. */
struct lg {
	unsigned char *buf;
	size_t len, cap;
	const struct lg_field *f;
	unsigned n, reclen;
	uint32_t count;
};

static inline void lg_put(struct lg *g, const void *p, size_t n)
{
	if (g->len + n > g->cap) {
		g->cap = (g->len + n) * 2 + 4096;
		g->buf = realloc(g->buf, g->cap);
	}
	memcpy(g->buf + g->len, p, n);
	g->len += n;
}

static inline void lg_start(struct lg *g, const struct lg_field *f, unsigned n, unsigned lang)
{
	memset(g, 0, sizeof *g);
	g->f = f;
	g->n = n;
	g->reclen = 1;
	for (unsigned i = 0; i < n; i++)
		g->reclen += f[i].width;
	unsigned hl = 32 + 32 * n + 1;
	unsigned char h[32] = {0x03, 124, 7, 15};
	h[8] = (unsigned char)(hl & 0xFF);
	h[9] = (unsigned char)(hl >> 8);
	h[10] = (unsigned char)(g->reclen & 0xFF);
	h[11] = (unsigned char)(g->reclen >> 8);
	h[29] = (unsigned char)lang;
	lg_put(g, h, 32);
	for (unsigned i = 0; i < n; i++) {
		unsigned char d[32] = {0};
		memcpy(d, f[i].name, strlen(f[i].name));
		d[11] = (unsigned char)f[i].type;
		d[16] = (unsigned char)f[i].width;
		lg_put(g, d, 32);
	}
	lg_put(g, "\r", 1);
}

/* One record: values[i] are field i's raw bytes (C strings), text left-aligned and
 * numbers right-aligned, padded with spaces; flag ' ' or '*'. */
static inline void lg_row(struct lg *g, const char *const *values, char flag)
{
	lg_put(g, &flag, 1);
	for (unsigned i = 0; i < g->n; i++) {
		char cell[256];
		size_t w = g->f[i].width, v = strlen(values[i]);
		if (v > w)
			v = w;
		memset(cell, ' ', w);
		if (g->f[i].type == 'N')
			memcpy(cell + w - v, values[i], v);
		else
			memcpy(cell, values[i], v);
		lg_put(g, cell, w);
	}
	g->count++;
}

static inline void lg_finish(struct lg *g)
{
	lg_put(g, "\x1A", 1);
	for (int i = 0; i < 4; i++)
		g->buf[4 + i] = (unsigned char)(g->count >> (8 * i) & 0xFF);
}

static inline void lg_save(const struct lg *g, const char *path)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(g->buf, 1, g->len, f) != g->len)
		abort();
	fclose(f);
}

/* ---- the sample list: a header and three workers, in both encodings ---- */

enum { LG_CP1256 = 0, LG_IRANSYS = 1 };

struct lg_text {
	const char *utf8, *bytes[2]; /* the text, and its bytes in Windows-1256 and Iran System */
};

static const struct lg_text lg_words[] = {
#define LG_ALI 0
    {"علی", {"\xDA\xE1\xED", "\xFC\xF3\xE4"}},
#define LG_SORKHROUD 1
    {"سرخرود", {"\xD3\xD1\xCE\xD1\xE6\xCF", "\xA2\xF8\xA4\xA1\xA4\xA8"}},
#define LG_HASAN 2
    {"حسن", {"\xCD\xD3\xE4", "\xF6\xA8\x9F"}},
#define LG_TEHRAN 3
    {"تهران", {"\xCA\xE5\xD1\xC7\xE4", "\xF6\x90\xA4\xFA\x97"}},
#define LG_MARD 4
    {"مرد", {"\xE3\xD1\xCF", "\xA2\xA4\xF5"}},
#define LG_ZAN 5
    {"زن", {"\xD2\xE4", "\xF6\xA5"}},
#define LG_IRANI 6
    {"ایرانی", {"\xC7\xED\xD1\xC7\xE4\xED", "\xFC\xF7\x90\xA4\xFE\x90"}},
#define LG_KARGAR 7
    {"کارگر", {"\x98\xC7\xD1\x90\xD1", "\xA4\xF0\xA4\x91\xEE"}},
#define LG_MOHAMMADHOSEIN 8
    {"محمدحسین", {"\xE3\xCD\xE3\xCF\xCD\xD3\xED\xE4", "\xF6\xFE\xA8\x9F\xA2\xF5\x9F\xF5"}},
#define LG_MIRZAALI 9
    {"میرزاعلی", {"\xE3\xED\xD1\xD2\xC7\xDA\xE1\xED", "\xFC\xF3\xE4\x90\xA5\xA4\xFE\xF5"}},
#define LG_MOHAMMAD 10
    {"محمد", {"\xE3\xCD\xE3\xCF", "\xA2\xF5\x9F\xF5"}},
#define LG_ZAHRA 11
    {"زهرا", {"\xD2\xE5\xD1\xC7", "\x90\xA4\xFB\xA5"}},
#define LG_HASANI 12
    {"حسنی", {"\xCD\xD3\xE4\xED", "\xFC\xF7\xA8\x9F"}},
#define LG_HOSEINZADEH 13
    {"حسین\u200Cزاده",
     {"\xCD\xD3\xED\xE4\x9D\xD2\xC7\xCF\xE5", "\xF9\xA2\x90\xA5\xF6\xFE\xA8\x9F"}},
#define LG_KARGAHNEMOONE 14
    {"کارگاه نمونه",
     {"\x98\xC7\xD1\x90\xC7\xE5\x20\xE4\xE3\xE6\xE4\xE5",
      "\xF9\xF7\xF8\xF5\xF7\x20\xF9\x91\xF0\xA4\x91\xEE"}},
#define LG_REZAAHMADI 15
    {"رضا احمدی", {"\xD1\xD6\xC7\x20\xC7\xCD\xE3\xCF\xED", "\xFD\xA2\xF5\x9F\x90\x20\x91\xAE\xA4"}},
#define LG_LISTMEHR 16
    {"لیست مهر", {"\xE1\xED\xD3\xCA\x20\xE3\xE5\xD1", "\xA4\xFA\xF5\x20\x96\xA8\xFE\xF3"}},
};

#define LG_W(i, enc) (lg_words[i].bytes[enc])

static inline void lg_kar_values(int enc, const char *v[LG_NKAR])
{
	const char *x[LG_NKAR] = {"1234567890",
				  LG_W(LG_KARGAHNEMOONE, enc),
				  LG_W(LG_REZAAHMADI, enc),
				  LG_W(LG_TEHRAN, enc),
				  "0",
				  "3",
				  "7",
				  "01",
				  LG_W(LG_LISTMEHR, enc),
				  "3",
				  "90",
				  "6900000",
				  "207000000",
				  "30000000",
				  "237000000",
				  "237000000",
				  "16590000",
				  "47400000",
				  "7110000",
				  "23",
				  "0",
				  "0",
				  "000"};
	memcpy(v, x, sizeof x);
}

/* Worker k (0..2), in the file's encoding. */
static inline void lg_wor_values(int enc, int k, const char *v[LG_NWOR])
{
	static const int fname[] = {LG_ALI, LG_MOHAMMADHOSEIN, LG_ZAHRA};
	static const int lname[] = {LG_SORKHROUD, LG_MIRZAALI, LG_HOSEINZADEH};
	static const int dname[] = {LG_HASAN, LG_MOHAMMAD, LG_ALI};
	static const char *const id1[] = {"12345678", "23456789", "34567890"};
	static const char *const natid[] = {"0499370899", "0012345679", "1234567891"};
	const char *x[LG_NWOR] = {"1234567890",
				  "03",
				  "07",
				  "01",
				  id1[k],
				  LG_W(fname[k], enc),
				  LG_W(lname[k], enc),
				  LG_W(dname[k], enc),
				  k == 2 ? "" : "1234",
				  LG_W(LG_TEHRAN, enc),
				  k == 2 ? "" : "13700512",
				  "13600101",
				  LG_W(k == 2 ? LG_ZAN : LG_MARD, enc),
				  LG_W(LG_IRANI, enc),
				  LG_W(LG_KARGAR, enc),
				  "14000101",
				  k == 1 ? "14030720" : "",
				  "30",
				  "2300000",
				  "69000000",
				  "10000000",
				  "79000000",
				  "79000000",
				  "5530000",
				  "0",
				  "931290",
				  natid[k]};
	memcpy(v, x, sizeof x);
}

/* Builds the sample pair: the header and `rows` workers (cycling through the three). */
static inline void lg_sample(int enc, uint32_t rows, struct lg *kar, struct lg *wor)
{
	unsigned lang = enc == LG_CP1256 ? 0x7E : 0;
	const char *v[LG_NWOR];
	lg_start(kar, lg_kar_fields, LG_NKAR, lang);
	lg_kar_values(enc, v);
	lg_row(kar, v, ' ');
	lg_finish(kar);
	lg_start(wor, lg_wor_fields, LG_NWOR, lang);
	for (uint32_t i = 0; i < rows; i++) {
		lg_wor_values(enc, (int)(i % 3), v);
		lg_row(wor, v, ' ');
	}
	lg_finish(wor);
}

#endif
