#include "listfile/listfile.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/text.h"

/* ---- the columns ------------------------------------------------------------------ */

enum kind {
	K_TEXT,	 /* Persian text: char[LIST_TEXT] */
	K_CODE,	 /* a code or a number kept as text: char[LIST_CODE], written in ASCII */
	K_INT,	 /* int64_t */
	K_SMALL, /* int */
	K_YEAR,	 /* int, two digits in the file */
	K_DATE,	 /* struct jdate, 8 characters YYYYMMDD */
	K_SEX,	 /* enum list_sex, «مرد» or «زن» */
};

struct column {
	const char *name;
	size_t off, size;
	unsigned width; /* the template's width */
	char type;	/* as the template writes it */
	unsigned char kind;
};

#define KAR(name, type, width, kind, member)                                                       \
	{                                                                                          \
		name, offsetof(struct list_header, member),                                        \
		    sizeof(((struct list_header *)0)->member), width, type, kind                   \
	}
#define WOR(name, type, width, kind, member)                                                       \
	{                                                                                          \
		name, offsetof(struct list_worker, member),                                        \
		    sizeof(((struct list_worker *)0)->member), width, type, kind                   \
	}

/* The official template (ListDisk v2.7), in its order. */
static const struct column kar_cols[] = {
    KAR("DSK_ID", 'C', 10, K_CODE, workshop),
    KAR("DSK_NAME", 'C', 30, K_TEXT, name),
    KAR("DSK_FARM", 'C', 30, K_TEXT, employer),
    KAR("DSK_ADRS", 'C', 40, K_TEXT, address),
    KAR("DSK_KIND", 'N', 1, K_SMALL, kind),
    KAR("DSK_YY", 'N', 2, K_YEAR, year),
    KAR("DSK_MM", 'N', 2, K_SMALL, month),
    KAR("DSK_LISTNO", 'C', 12, K_CODE, list_no),
    KAR("DSK_DISC", 'C', 30, K_TEXT, description),
    KAR("DSK_NUM", 'N', 5, K_INT, workers),
    KAR("DSK_TDD", 'N', 6, K_INT, days),
    KAR("DSK_TROOZ", 'N', 12, K_INT, daily_wages),
    KAR("DSK_TMAH", 'N', 12, K_INT, monthly_wages),
    KAR("DSK_TMAZ", 'N', 12, K_INT, benefits),
    KAR("DSK_TMASH", 'N', 12, K_INT, insurable),
    KAR("DSK_TTOTL", 'N', 12, K_INT, total),
    KAR("DSK_TBIME", 'N', 12, K_INT, worker_share),
    KAR("DSK_TKOSO", 'N', 12, K_INT, employer_share),
    KAR("DSK_BIC", 'N', 12, K_INT, unemployment),
    KAR("DSK_RATE", 'N', 5, K_SMALL, rate),
    KAR("DSK_PRATE", 'N', 2, K_SMALL, prate),
    KAR("DSK_BIMH", 'N', 12, K_INT, hard_job_share),
    KAR("MON_PYM", 'C', 3, K_CODE, contract_row),
};

static const struct column wor_cols[] = {
    WOR("DSW_ID", 'C', 10, K_CODE, workshop),
    WOR("DSW_YY", 'N', 2, K_YEAR, year),
    WOR("DSW_MM", 'N', 2, K_SMALL, month),
    WOR("DSW_LISTNO", 'C', 12, K_CODE, list_no),
    WOR("DSW_ID1", 'C', 8, K_CODE, insurance_no),
    WOR("DSW_FNAME", 'C', 60, K_TEXT, first_name),
    WOR("DSW_LNAME", 'C', 60, K_TEXT, last_name),
    WOR("DSW_DNAME", 'C', 60, K_TEXT, father_name),
    WOR("DSW_IDNO", 'C', 15, K_CODE, id_no),
    WOR("DSW_IDPLC", 'C', 30, K_TEXT, id_place),
    WOR("DSW_IDATE", 'C', 8, K_DATE, id_date),
    WOR("DSW_BDATE", 'C', 8, K_DATE, birth_date),
    WOR("DSW_SEX", 'C', 3, K_SEX, sex),
    WOR("DSW_NAT", 'C', 10, K_TEXT, nationality),
    WOR("DSW_OCP", 'C', 50, K_TEXT, job_title),
    WOR("DSW_SDATE", 'C', 8, K_DATE, start_date),
    WOR("DSW_EDATE", 'C', 8, K_DATE, end_date),
    WOR("DSW_DD", 'N', 2, K_SMALL, days),
    WOR("DSW_ROOZ", 'N', 12, K_INT, daily_wage),
    WOR("DSW_MAH", 'N', 12, K_INT, monthly_wage),
    WOR("DSW_MAZ", 'N', 12, K_INT, benefits),
    WOR("DSW_MASH", 'N', 12, K_INT, insurable),
    WOR("DSW_TOTL", 'N', 12, K_INT, total),
    WOR("DSW_BIME", 'N', 12, K_INT, worker_share),
    WOR("DSW_PRATE", 'N', 2, K_SMALL, prate),
    WOR("DSW_JOB", 'C', 6, K_CODE, job_code),
    WOR("PER_NATCOD", 'C', 10, K_CODE, national_id),
};

#define NKAR (sizeof kar_cols / sizeof kar_cols[0])
#define NWOR (sizeof wor_cols / sizeof wor_cols[0])
_Static_assert(NKAR <= sizeof((struct list_reader *)0)->kar_col / sizeof(int), "kar_col");
_Static_assert(NWOR <= sizeof((struct list_reader *)0)->wor_col / sizeof(int), "wor_col");

/* ---- issues ------------------------------------------------------------------------ */

struct message {
	const char *code, *fa, *en; /* each with %s for the column, then %s for the value */
};

static const struct message messages[] = {
    {"missing_field", "ستون %s در فایل نیست%s", "column %s is missing%s"},
    {"bad_number", "مقدار ستون %s عدد درستی نیست: «%s»", "%s is not a whole number: \"%s\""},
    {"number_range", "عدد ستون %s بیرون از اندازهٔ مجاز است: «%s»", "%s is out of range: \"%s\""},
    {"fraction", "ستون %s کسر دارد؛ مبلغ‌ها ریال درست‌اند: «%s»",
     "%s has a fraction; amounts are whole rials: \"%s\""},
    {"bad_date",
     "تاریخ ستون %s به شکل ۸ رقم سال‌ماه‌روز (مانند 14030715) "
     "نیست: "
     "«%s»",
     "%s is not a Jalali date YYYYMMDD (like 14030715): \"%s\""},
    {"bad_sex", "جنسیت (ستون %s) باید «مرد» یا «زن» باشد، نه «%s»",
     "%s must be «مرد» (male) or «زن» (female), not \"%s\""},
    {"bad_text",
     "ستون %s نویسه‌هایی دارد که در کدگذاری فایل معنا "
     "ندارند: "
     "«%s»",
     "%s holds bytes that are no text in the file's encoding: \"%s\""},
    {"text_too_long", "متن ستون %s بلندتر از جای آن است و بریده شد: «%s»",
     "%s is too long and was cut: \"%s\""},
    {"header_rows", "فایل DSKKAR00 باید درست یک ردیف داشته باشد%s؛ %s ردیف دارد",
     "DSKKAR00 must hold exactly one row%s; it holds %s"},
    {"unmapped_char",
     "ستون %s نویسه‌ای دارد که در این کدگذاری نیست و «?» "
     "نوشته "
     "شد: "
     "%s",
     "%s holds a character the encoding lacks, written as '?': %s"},
    {"number_too_wide", "عدد ستون %s در پهنای آن جا نمی‌شود: «%s»",
     "%s does not fit its width: \"%s\""},
};

void list_issues_init(struct list_issues *li, size_t max)
{
	memset(li, 0, sizeof *li);
	li->max = max ? max : 10000;
}

void list_issues_release(struct list_issues *li)
{
	free(li->items);
	li->items = NULL;
	li->n = li->cap = li->dropped = 0;
}

/* Copies at most n bytes of UTF-8 text, cut at a character. */
static void copy_cut(char *dst, size_t size, const char *src, size_t n)
{
	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = 0;
}

struct list_issue *list_issue_new(struct list_issues *iss, enum list_file_id file, uint32_t row,
				  const char *field, const char *code)
{
	if (!iss)
		return NULL;
	if (iss->n >= iss->max) {
		iss->dropped++;
		return NULL;
	}
	if (iss->n == iss->cap) {
		size_t cap = iss->cap ? iss->cap * 2 : 16;
		struct list_issue *items = realloc(iss->items, cap * sizeof *items);
		if (!items) {
			iss->dropped++;
			return NULL;
		}
		iss->items = items;
		iss->cap = cap;
	}
	struct list_issue *it = &iss->items[iss->n++];
	memset(it, 0, sizeof *it);
	it->file = file;
	it->row = row;
	snprintf(it->field, sizeof it->field, "%s", field);
	snprintf(it->code, sizeof it->code, "%s", code);
	return it;
}

void list_issue_add(struct list_issues *iss, enum list_file_id file, uint32_t row,
		    const char *field, const char *code, const char *fa, const char *en)
{
	struct list_issue *it = list_issue_new(iss, file, row, field, code);
	if (!it)
		return;
	snprintf(it->message_fa, sizeof it->message_fa, "%.250s", fa);
	snprintf(it->message_en, sizeof it->message_en, "%.190s", en);
}

static void issue(struct list_issues *iss, enum list_file_id file, uint32_t row, const char *field,
		  const char *code, const char *value)
{
	struct list_issue *it = list_issue_new(iss, file, row, field, code);
	if (!it)
		return;
	char v[80];
	copy_cut(v, sizeof v, value, strlen(value));
	for (size_t i = 0; i < sizeof messages / sizeof messages[0]; i++)
		if (strcmp(messages[i].code, code) == 0) {
			snprintf(it->message_fa, sizeof it->message_fa, messages[i].fa, field, v);
			snprintf(it->message_en, sizeof it->message_en, messages[i].en, field, v);
			return;
		}
	snprintf(it->message_en, sizeof it->message_en, "%s: %s", field, code);
	snprintf(it->message_fa, sizeof it->message_fa, "%s: %s", field, code);
}

/* Raw bytes for a message: printable ASCII kept, anything else as '?'. */
static void raw_text(char *out, size_t size, const unsigned char *p, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 1 < size; i++)
		out[k++] = p[i] >= 0x20 && p[i] < 0x7F ? (char)p[i] : '?';
	out[k] = 0;
}

/* ---- reading ----------------------------------------------------------------------- */

static void trim(const unsigned char **p, size_t *n)
{
	const unsigned char *s = *p, *end = s + *n;
	/* Text columns are wide and mostly padding: skip it eight bytes at a time. */
	static const uint64_t spaces = 0x2020202020202020u;
	while (end - s >= 8) {
		uint64_t w;
		memcpy(&w, end - 8, 8);
		if (w != spaces)
			break;
		end -= 8;
	}
	while (end > s && (end[-1] == ' ' || end[-1] == 0))
		end--;
	while (s < end && (*s == ' ' || *s == 0))
		s++;
	*p = s;
	*n = (size_t)(end - s);
}

/* Eight ASCII digits as a date, the common case, without jalali_parse's generality. */
static int parse_date(const char *s, size_t len, struct jdate *j)
{
	if (len == 8) {
		int v[8], ok = 1;
		for (int i = 0; i < 8 && ok; i++) {
			v[i] = s[i] - '0';
			ok = v[i] >= 0 && v[i] <= 9;
		}
		if (ok) {
			int y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3];
			int m = v[4] * 10 + v[5], d = v[6] * 10 + v[7];
			if (!jalali_valid(y, m, d))
				return -1;
			*j = (struct jdate){y, m, d};
			return 0;
		}
	}
	return jalali_parse(s, j);
}

/* Decodes a cell into dst[size], straight when it surely fits, else through the
 * reader's scratch buffer and cut at a character (reported). Returns the length. */
static size_t cell_into(struct list_reader *r, const unsigned char *p, size_t n, char *dst,
			size_t size, enum list_file_id file, uint32_t row, const char *field,
			struct list_issues *iss)
{
	if (n)
		trim(&p, &n);
	if (n == 0) {
		dst[0] = 0;
		return 0;
	}
	int ascii = 1;
	for (size_t i = 0; i < n && ascii; i++)
		ascii = p[i] >= 0x21 && p[i] < 0x7F;
	char *out = dst;
	size_t len;
	if (ascii) { /* the common case for codes and dates: already normal */
		if (n < size) {
			memcpy(dst, p, n);
			dst[n] = 0;
			return n;
		}
		out = r->scratch;
		memcpy(out, p, n);
		out[n] = 0;
		len = n;
	} else {
		size_t cap = size;
		if (CODEC_DECODE_MAX(n) > size) {
			out = r->scratch;
			cap = CODEC_DECODE_MAX(n);
		}
		struct codec_report rep = {0};
		long m = codec_decode(r->enc, p, n, out, cap, &rep);
		len = m < 0 ? 0 : (size_t)m;
		if (m < 0)
			out[0] = 0;
		if (rep.bad)
			issue(iss, file, row, field, "bad_text", out);
		if (out == dst)
			return len;
	}
	if (len >= size) {
		issue(iss, file, row, field, "text_too_long", out);
		len = size - 1;
		while (len > 0 && ((unsigned char)out[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(dst, out, len);
	dst[len] = 0;
	return len;
}

static void read_cell(struct list_reader *r, const struct column *c, int col,
		      const unsigned char *rec, const struct dbf *d, void *base,
		      enum list_file_id file, uint32_t row, struct list_issues *iss)
{
	char *dst = (char *)base + c->off;
	const unsigned char *p = NULL;
	size_t n = 0;
	if (col >= 0) {
		p = rec + d->fields[col].offset;
		n = d->fields[col].width;
	}
	switch (c->kind) {
	case K_TEXT:
	case K_CODE:
		cell_into(r, p, n, dst, c->size, file, row, c->name, iss);
		break;
	case K_INT:
	case K_SMALL:
	case K_YEAR: {
		int64_t v = 0;
		int rc = n ? dbf_parse_int(p, n, &v) : DBF_NUM_BLANK;
		if (rc < 0) {
			char raw[64];
			raw_text(raw, sizeof raw, p, n);
			issue(iss, file, row, c->name,
			      rc == DBF_NUM_RANGE      ? "number_range"
			      : rc == DBF_NUM_FRACTION ? "fraction"
						       : "bad_number",
			      raw);
			v = 0;
		}
		if (c->kind == K_INT) {
			memcpy(dst, &v, sizeof v);
			break;
		}
		if (c->kind == K_YEAR && rc == DBF_NUM_OK) {
			if (v >= 0 && v < 80)
				v += 1400;
			else if (v >= 80 && v < 100)
				v += 1300;
			else if (v < 1300 || v > 1499) {
				char raw[64];
				raw_text(raw, sizeof raw, p, n);
				issue(iss, file, row, c->name, "number_range", raw);
				v = 0;
			}
		}
		if (v < INT32_MIN || v > INT32_MAX) {
			char raw[64];
			raw_text(raw, sizeof raw, p, n);
			issue(iss, file, row, c->name, "number_range", raw);
			v = 0;
		}
		int iv = (int)v;
		memcpy(dst, &iv, sizeof iv);
		break;
	}
	case K_DATE: {
		char s[64];
		size_t len = cell_into(r, p, n, s, sizeof s, file, row, c->name, iss);
		struct jdate j = {0, 0, 0};
		if (len && parse_date(s, len, &j) != 0) {
			issue(iss, file, row, c->name, "bad_date", s);
			memset(&j, 0, sizeof j);
		}
		memcpy(dst, &j, sizeof j);
		break;
	}
	case K_SEX: {
		char s[64];
		cell_into(r, p, n, s, sizeof s, file, row, c->name, iss);
		enum list_sex sex = LIST_SEX_UNKNOWN;
		if (strcmp(s, "\u0645\u0631\u062F") == 0)
			sex = LIST_SEX_MALE;
		else if (strcmp(s, "\u0632\u0646") == 0)
			sex = LIST_SEX_FEMALE;
		else if (col >= 0)
			issue(iss, file, row, c->name, "bad_sex", s);
		memcpy(dst, &sex, sizeof sex);
		break;
	}
	}
}

static void find_columns(const struct dbf *d, const struct column *cols, size_t n, int *idx,
			 enum list_file_id file, struct list_issues *iss)
{
	for (size_t i = 0; i < n; i++) {
		idx[i] = dbf_field_index(d, cols[i].name);
		if (idx[i] < 0)
			issue(iss, file, 0, cols[i].name, "missing_field", "");
	}
}

/* Feeds the text columns of up to `rows` live records to the detector. */
static void detect_feed(struct codec_detector *det, const struct dbf *d, const struct column *cols,
			size_t ncols, const int *idx, uint32_t rows)
{
	for (uint32_t i = 0; i < d->nrecords && i < rows && det->high < 4096; i++) {
		const unsigned char *rec = dbf_record(d, i);
		if (dbf_deleted(rec))
			continue;
		for (size_t c = 0; c < ncols; c++) {
			if (idx[c] < 0 || cols[c].kind == K_INT || cols[c].kind == K_SMALL ||
			    cols[c].kind == K_YEAR)
				continue;
			const struct dbf_field *f = &d->fields[idx[c]];
			if (cols[c].kind == K_SEX)
				codec_detect_add_sex(det, rec + f->offset, f->width);
			else
				codec_detect_add(det, rec + f->offset, f->width);
		}
	}
}

static int reader_start(struct list_reader *r, enum codec_enc enc, struct list_issues *iss,
			struct err *e)
{
	find_columns(&r->kar, kar_cols, NKAR, r->kar_col, LIST_FILE_KAR, iss);
	find_columns(&r->wor, wor_cols, NWOR, r->wor_col, LIST_FILE_WOR, iss);
	unsigned widest = r->kar.max_width > r->wor.max_width ? r->kar.max_width : r->wor.max_width;
	r->scratch = malloc(CODEC_DECODE_MAX((size_t)widest));
	if (!r->scratch)
		return err_set(e, 500, "io", "", "out of memory");
	if (enc != CODEC_UNKNOWN) {
		r->enc = enc;
		r->guess.enc = enc;
		r->guess.confident = 1;
		snprintf(r->guess.why, sizeof r->guess.why, "%s, as the caller said",
			 codec_name(enc));
		return 0;
	}
	struct codec_detector det;
	codec_detect_init(&det);
	detect_feed(&det, &r->kar, kar_cols, NKAR, r->kar_col, 1);
	detect_feed(&det, &r->wor, wor_cols, NWOR, r->wor_col, 20000);
	int language = r->kar.language == DBF_LANG_CP1256 || r->wor.language == DBF_LANG_CP1256
			   ? DBF_LANG_CP1256
			   : (int)r->wor.language;
	r->enc = codec_detect_finish(&det, language, &r->guess);
	return 0;
}

int list_reader_open_mem(struct list_reader *r, const void *kar, size_t kar_len, const void *wor,
			 size_t wor_len, enum codec_enc enc, struct list_issues *iss, struct err *e)
{
	memset(r, 0, sizeof *r);
	if (dbf_open_mem(&r->kar, kar, kar_len, e) != 0)
		return -1;
	if (dbf_open_mem(&r->wor, wor, wor_len, e) != 0)
		return -1;
	return reader_start(r, enc, iss, e);
}

static int prefix_err(struct err *e, const char *name)
{
	if (e) {
		char m[sizeof e->message + 32];
		snprintf(m, sizeof m, "%s: %s", name, e->message);
		copy_cut(e->message, sizeof e->message, m, strlen(m));
	}
	return -1;
}

int list_reader_open(struct list_reader *r, const char *kar_path, const char *wor_path,
		     enum codec_enc enc, struct list_issues *iss, struct err *e)
{
	memset(r, 0, sizeof *r);
	if (dbf_open(&r->kar, kar_path, e) != 0)
		return prefix_err(e, "DSKKAR00");
	if (dbf_open(&r->wor, wor_path, e) != 0)
		return prefix_err(e, "DSKWOR00");
	return reader_start(r, enc, iss, e);
}

void list_reader_header_at(struct list_reader *r, uint32_t rec, struct list_header *h,
			   struct list_issues *iss)
{
	memset(h, 0, sizeof *h);
	const unsigned char *p = dbf_record(&r->kar, rec);
	for (size_t c = 0; c < NKAR; c++)
		read_cell(r, &kar_cols[c], r->kar_col[c], p, &r->kar, h, LIST_FILE_KAR, rec + 1,
			  iss);
}

int list_reader_header(struct list_reader *r, struct list_header *h, struct list_issues *iss)
{
	memset(h, 0, sizeof *h);
	uint32_t live = 0, first = 0;
	for (uint32_t i = 0; i < r->kar.nrecords; i++)
		if (!dbf_deleted(dbf_record(&r->kar, i)) && live++ == 0)
			first = i;
	if (live != 1) {
		char n[16];
		snprintf(n, sizeof n, "%u", (unsigned)live);
		issue(iss, LIST_FILE_KAR, 0, "", "header_rows", n);
	}
	if (live == 0)
		return -1;
	list_reader_header_at(r, first, h, iss);
	return 0;
}

int list_reader_next(struct list_reader *r, struct list_worker *w, uint32_t *row,
		     struct list_issues *iss)
{
	uint32_t end = r->end ? r->end : r->wor.nrecords;
	while (r->next < end) {
		uint32_t i = r->next++;
		const unsigned char *rec = dbf_record(&r->wor, i);
		if (dbf_deleted(rec)) {
			r->deleted++;
			continue;
		}
		for (size_t c = 0; c < NWOR; c++)
			read_cell(r, &wor_cols[c], r->wor_col[c], rec, &r->wor, w, LIST_FILE_WOR,
				  i + 1, iss);
		if (row)
			*row = i + 1;
		return 1;
	}
	return 0;
}

void list_reader_rewind(struct list_reader *r)
{
	r->next = 0;
	r->deleted = 0;
}

void list_reader_close(struct list_reader *r)
{
	if (!r->slice) {
		dbf_close(&r->kar);
		dbf_close(&r->wor);
	}
	free(r->scratch);
	memset(r, 0, sizeof *r);
}

int list_reader_part(const struct list_reader *r, struct list_reader *part)
{
	*part = *r;
	part->slice = 1;
	part->deleted = 0;
	part->scratch = malloc(CODEC_DECODE_MAX(
	    (size_t)(r->kar.max_width > r->wor.max_width ? r->kar.max_width : r->wor.max_width)));
	list_reader_range(part, 0, 0);
	return part->scratch ? 0 : -1;
}

void list_reader_range(struct list_reader *part, uint32_t from, uint32_t to)
{
	if (from >= to) /* nothing: the end of the file, which end 0 would also mean */
		from = to = part->wor.nrecords;
	part->next = from;
	part->end = to;
	part->deleted = 0;
}

/* Field f's bytes trimmed (a number: its value) after a '/', at out + at. */
static size_t key_field(const struct dbf *d, const unsigned char *rec, int f, int number,
			char *out, size_t at, size_t cap)
{
	if (at + 1 < cap && at)
		out[at++] = '/';
	if (f < 0)
		return at;
	const unsigned char *p = rec + d->fields[f].offset;
	size_t n = d->fields[f].width;
	int64_t v;
	if (number && dbf_parse_int(p, n, &v) == DBF_NUM_OK) {
		snprintf(out + at, cap - at, "%lld", (long long)v);
		return at + strlen(out + at);
	}
	while (n && (*p == ' ' || *p == 0))
		p++, n--;
	while (n && (p[n - 1] == ' ' || p[n - 1] == 0))
		n--;
	if (n > cap - 1 - at)
		n = cap - 1 - at;
	memcpy(out + at, p, n);
	return at + n;
}

size_t list_reader_list_key(const struct list_reader *r, int kar, uint32_t rec, char *out,
			    size_t cap)
{
	/* the workshop, year, month and list number: the first columns of both tables */
	static const int kar_key[] = {0, 5, 6, 7}, wor_key[] = {0, 1, 2, 3};
	const struct dbf *d = kar ? &r->kar : &r->wor;
	const int *cols = kar ? r->kar_col : r->wor_col;
	const int *key = kar ? kar_key : wor_key;
	const unsigned char *p = dbf_record(d, rec);
	size_t at = 0;
	for (int i = 0; i < 4; i++)
		at = key_field(d, p, cols[key[i]], i == 1 || i == 2, out, at, cap);
	out[at] = 0;
	return at;
}

int list_reader_split(const struct list_reader *r, struct list_reader *parts, uint32_t *first,
		      int n, uint32_t align)
{
	if (n < 2)
		return 1;
	uint32_t nrec = r->wor.nrecords, live = 0;
	for (uint32_t i = 0; i < nrec; i++)
		live += !dbf_deleted(dbf_record(&r->wor, i));
	/* a run of at least 4 blocks each, or no split */
	uint32_t per = live / (uint32_t)n / align * align;
	if (per < 4 * align)
		return 1; /* too small to share: no parts made */
	uint32_t rec = 0, seen = 0;
	for (int k = 0; k < n; k++) {
		if (list_reader_part(r, &parts[k]) < 0) {
			for (int j = 0; j <= k; j++)
				list_reader_close(&parts[j]);
			return 0;
		}
		first[k] = seen;
		parts[k].next = rec;
		if (k == n - 1) {
			parts[k].end = nrec;
			break;
		}
		/* the record after the run's last live row */
		for (uint32_t want = seen + per; rec < nrec && seen < want; rec++)
			seen += !dbf_deleted(dbf_record(&r->wor, rec));
		parts[k].end = rec;
	}
	return n;
}

/* ---- writing ----------------------------------------------------------------------- */

static int spec_of(const struct column *cols, size_t n, struct dbf_spec *spec)
{
	for (size_t i = 0; i < n; i++) {
		spec[i].name = cols[i].name;
		spec[i].type = cols[i].type;
		spec[i].width = cols[i].width;
		spec[i].decimals = 0;
	}
	return (int)n;
}

static int is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/* Encodes text for field f, cutting it at a character until it fits. */
static void write_text(struct dbf_writer *dw, unsigned f, const struct column *c, const char *s,
		       enum codec_enc enc, enum list_file_id file, uint32_t row,
		       struct list_issues *iss)
{
	unsigned char buf[256];
	unsigned width = dw->fields[f].width;
	if (c->kind == K_CODE && is_ascii(s)) {
		/* Codes stay ASCII in either encoding; normalised only of surrounding space. */
		const unsigned char *p = (const unsigned char *)s;
		size_t n = strlen(s);
		trim(&p, &n);
		if (n > width) {
			issue(iss, file, row, c->name, "text_too_long", s);
			n = width;
		}
		dbf_writer_text(dw, f, p, n);
		return;
	}
	char cut[LIST_TEXT];
	size_t len = strnlen(s, sizeof cut - 1);
	memcpy(cut, s, len);
	cut[len] = 0;
	struct codec_report rep = {0};
	long n = codec_encode(enc, cut, buf, width, &rep);
	if (n > (long)width) {
		issue(iss, file, row, c->name, "text_too_long", s);
		while (n > (long)width && len > 0) {
			do
				len--;
			while (len > 0 && ((unsigned char)cut[len] & 0xC0) == 0x80);
			cut[len] = 0;
			memset(&rep, 0, sizeof rep);
			n = codec_encode(enc, cut, buf, width, &rep);
		}
	}
	if (n < 0) {
		issue(iss, file, row, c->name, "bad_text", "");
		n = 0;
	}
	if (rep.bad) {
		char cp[16];
		snprintf(cp, sizeof cp, "U+%04X", (unsigned)rep.first);
		issue(iss, file, row, c->name, "unmapped_char", cp);
	}
	dbf_writer_text(dw, f, buf, (size_t)n);
}

static void write_row(struct dbf_writer *dw, const struct column *cols, size_t ncols,
		      const void *base, enum codec_enc enc, enum list_file_id file, uint32_t row,
		      struct list_issues *iss)
{
	for (unsigned f = 0; f < ncols; f++) {
		const struct column *c = &cols[f];
		const char *src = (const char *)base + c->off;
		switch (c->kind) {
		case K_TEXT:
		case K_CODE: {
			char s[LIST_TEXT];
			size_t len = strnlen(src, c->size);
			copy_cut(s, sizeof s, src, len);
			write_text(dw, f, c, s, enc, file, row, iss);
			break;
		}
		case K_INT:
		case K_SMALL:
		case K_YEAR: {
			int64_t v;
			if (c->kind == K_INT) {
				memcpy(&v, src, sizeof v);
			} else {
				int iv;
				memcpy(&iv, src, sizeof iv);
				v = c->kind == K_YEAR && iv >= 100 ? iv % 100 : iv;
			}
			if (dbf_writer_int(dw, f, v) != 0) {
				char num[32];
				snprintf(num, sizeof num, "%lld", (long long)v);
				issue(iss, file, row, c->name, "number_too_wide", num);
			}
			break;
		}
		case K_DATE: {
			struct jdate j;
			memcpy(&j, src, sizeof j);
			char d[16] = "";
			int n = 0;
			if (j.y || j.m || j.d)
				n = snprintf(d, sizeof d, "%04d%02d%02d", j.y, j.m, j.d);
			if (n > 8) {
				issue(iss, file, row, c->name, "bad_date", d);
				n = 0;
			}
			dbf_writer_text(dw, f, d, (size_t)n);
			break;
		}
		case K_SEX: {
			enum list_sex sex;
			memcpy(&sex, src, sizeof sex);
			const char *word = sex == LIST_SEX_MALE	    ? "\u0645\u0631\u062F"
					   : sex == LIST_SEX_FEMALE ? "\u0632\u0646"
								    : "";
			write_text(dw, f, c, word, enc, file, row, iss);
			break;
		}
		}
	}
}

int list_writer_open(struct list_writer *w, const char *kar_path, const char *wor_path,
		     enum codec_enc enc, struct err *e)
{
	memset(w, 0, sizeof *w);
	/* Each error returns -1 itself, not err_set's value: the analyser cannot see it. */
	if (enc != CODEC_CP1256 && enc != CODEC_IRANSYS) {
		err_set(e, 400, "bad_encoding", "",
			"lists are written in Windows-1256 or Iran System, not %s",
			codec_name(enc));
		return -1;
	}
	w->enc = enc;
	w->kar_path = strdup(kar_path);
	w->wor_path = strdup(wor_path);
	if (!w->kar_path || !w->wor_path) {
		list_writer_abort(w);
		err_set(e, 500, "io", "", "out of memory");
		return -1;
	}
	struct dbf_spec kspec[NKAR], wspec[NWOR];
	unsigned lang = enc == CODEC_CP1256 ? DBF_LANG_CP1256 : 0;
	if (dbf_writer_open(&w->kar, kar_path, kspec, (unsigned)spec_of(kar_cols, NKAR, kspec),
			    lang, e) != 0 ||
	    dbf_writer_open(&w->wor, wor_path, wspec, (unsigned)spec_of(wor_cols, NWOR, wspec),
			    lang, e) != 0) {
		list_writer_abort(w);
		return -1;
	}
	return 0;
}

int list_writer_add(struct list_writer *w, const struct list_worker *x, struct list_issues *iss,
		    struct err *e)
{
	write_row(&w->wor, wor_cols, NWOR, x, w->enc, LIST_FILE_WOR, w->rows + 1, iss);
	if (dbf_writer_add(&w->wor, e) != 0)
		return -1;
	w->rows++;
	return 0;
}

void list_writer_abort(struct list_writer *w)
{
	dbf_writer_close(&w->kar, NULL);
	dbf_writer_close(&w->wor, NULL);
	if (w->kar_path)
		unlink(w->kar_path);
	if (w->wor_path)
		unlink(w->wor_path);
	free(w->kar_path);
	free(w->wor_path);
	memset(w, 0, sizeof *w);
}

int list_writer_header(struct list_writer *w, const struct list_header *h,
		       struct list_issues *iss, struct err *e)
{
	write_row(&w->kar, kar_cols, NKAR, h, w->enc, LIST_FILE_KAR, w->headers + 1, iss);
	if (dbf_writer_add(&w->kar, e) != 0)
		return -1;
	w->headers++;
	return 0;
}

int list_writer_close(struct list_writer *w, struct err *e)
{
	if (dbf_writer_close(&w->kar, e) != 0 || dbf_writer_close(&w->wor, e) != 0) {
		list_writer_abort(w);
		return -1;
	}
	free(w->kar_path);
	free(w->wor_path);
	memset(w, 0, sizeof *w);
	return 0;
}

int list_writer_finish(struct list_writer *w, const struct list_header *h, struct list_issues *iss,
		       struct err *e)
{
	if (list_writer_header(w, h, iss, e) != 0) {
		list_writer_abort(w);
		return -1;
	}
	return list_writer_close(w, e);
}

int list_write_files(const char *kar_path, const char *wor_path, enum codec_enc enc,
		     const struct list_header *h, const struct list_worker *workers, size_t n,
		     struct list_issues *iss, struct err *e)
{
	struct list_writer w;
	if (list_writer_open(&w, kar_path, wor_path, enc, e) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (list_writer_add(&w, &workers[i], iss, e) != 0) {
			list_writer_abort(&w);
			return -1;
		}
	return list_writer_finish(&w, h, iss, e);
}
