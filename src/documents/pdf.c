/* A paper as an A4 PDF: cairo draws, pango shapes the Persian text (HarfBuzz) and orders
 * it (FriBidi) in right-to-left paragraphs; every number is in Persian digits and set in
 * a left-to-right isolate (U+2066 .. U+2069), as the web app's `num` does, so that a
 * number beside Persian words never swaps places with them; the verification code and
 * the URL are isolates too. The QR code (libqrencode) points to the paper's page.
 *
 * Threads: each request's loop renders on its own thread. Pango's default font map is
 * per thread since 1.32.6 ("In this way, PangoCairo can be used safely from multiple
 * threads", pango_cairo_font_map_get_default), and every layout here comes from a
 * context of that map made for the one render; cairo guards its shared font caches
 * itself; libqrencode is thread-safe when built with pthreads (Debian's is). So renders
 * run side by side without a lock of ours. fontconfig's configuration is global: it is
 * loaded once at start (documents_fonts_init), not by the first request. */
#include "documents/internal.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <jansson.h>
#include <pango/pangocairo.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Debian's fonts-noto-core: Persian letters and digits; Noto Sans for the Latin code */
#define FONT_FAMILY "Noto Sans Arabic, Noto Sans"
#define ORGANISATION "سازمان تأمین اجتماعی"

#define PAGE_W 595.276 /* A4 in points */
#define PAGE_H 841.890
#define MARGIN 48.0
#define FOOTER 150.0 /* the code, the URL and the QR code at the foot of each page */

/* Nothing smaller than 11 pt: at 10 pt, poppler (pdftotext, what a screen reader or a
 * copy reads) split words of Noto Sans Arabic in two ("مب لغ", "ماها نه"); at 11 and
 * above it read them whole (measured with Debian 12's poppler 22.12) */
#define MIN_PT 11

#define LRI "\xe2\x81\xa6" /* U+2066 */
#define PDI "\xe2\x81\xa9" /* U+2069 */

/* ---- text: Persian digits and isolates ---- */

struct buf {
	char *p;
	size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			abort(); /* as jansson and glib do when memory is gone */
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

/* ASCII digits of s as Persian digits (U+06F0..U+06F9) into out (at most 3 bytes each) */
static char *fa(const char *s, char *out, size_t cap)
{
	size_t o = 0;
	for (; *s && o + 4 < cap; s++) {
		if (*s >= '0' && *s <= '9') {
			out[o++] = (char)0xdb;
			out[o++] = (char)(0xb0 + (*s - '0'));
		} else {
			out[o++] = *s;
		}
	}
	out[o] = 0;
	return out;
}

/* A number in Persian text: Persian digits, thousands set apart by U+066C, isolated. */
static char *num(int64_t v, char *out, size_t cap)
{
	char d[32], g[48], f[96];
	snprintf(d, sizeof d, "%lld", (long long)(v < 0 ? -v : v));
	size_t n = strlen(d), o = 0;
	if (v < 0)
		g[o++] = '-';
	for (size_t i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			g[o++] = ',';
		g[o++] = d[i];
	}
	g[o] = 0;
	fa(g, f, sizeof f);
	/* the comma as the Arabic thousands separator */
	struct buf b = {0};
	for (const char *p = f; *p; p++) {
		if (*p == ',')
			put(&b, "\xd9\xac", 2);
		else
			put(&b, p, 1);
	}
	snprintf(out, cap, LRI "%s" PDI, b.p ? b.p : "");
	free(b.p);
	return out;
}

/* A date or month ("1404/07") or any digits in Persian text: Persian digits, isolated */
static char *ltr_fa(const char *s, char *out, size_t cap)
{
	char f[128];
	snprintf(out, cap, LRI "%s" PDI, fa(s ? s : "", f, sizeof f));
	return out;
}

/* ---- drawing ---- */

struct page {
	cairo_t *cr;
	PangoContext *ctx;
	PangoFontDescription *font;
	double y; /* the next line's top */
	const char *code, *url;
	int pages;
};

/* Text in a box of width w whose right edge is at x: right-to-left paragraph, aligned as
 * asked, at size pt; returns its height. */
static double text_box(struct page *pg, double x, double y, double w, const char *s, double pt,
		       int bold, PangoAlignment align, int draw)
{
	PangoLayout *l = pango_layout_new(pg->ctx);
	PangoFontDescription *f = pango_font_description_copy(pg->font);
	pango_font_description_set_size(f, (gint)(pt * PANGO_SCALE));
	pango_font_description_set_weight(f, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(l, f);
	pango_layout_set_auto_dir(l, FALSE); /* the context's base direction: RTL */
	pango_layout_set_width(l, (int)(w * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(l, align);
	pango_layout_set_text(l, s, -1);
	int lw, lh;
	pango_layout_get_size(l, &lw, &lh);
	if (draw) {
		cairo_move_to(pg->cr, x - w, y);
		pango_cairo_show_layout(pg->cr, l);
	}
	pango_font_description_free(f);
	g_object_unref(l);
	return (double)lh / PANGO_SCALE;
}

static double text_at(struct page *pg, double x, double y, double w, const char *s, double pt,
		      int bold, PangoAlignment align)
{
	return text_box(pg, x, y, w, s, pt, bold, align, 1);
}

/* The height a table's row of these cells takes (row() draws it). */
static double row_height(struct page *pg, const char *const *cells, const double *w, int n,
			 int bold)
{
	double h = 0;
	for (int i = 0; i < n; i++) {
		double ch = text_box(pg, 0, 0, w[i] - 6, cells[i], MIN_PT, bold, PANGO_ALIGN_CENTER, 0);
		if (ch > h)
			h = ch;
	}
	return h + 6;
}

/* A line of the paper: "label: value", right-aligned across the page. */
static void line(struct page *pg, const char *label, const char *value)
{
	char s[1024];
	snprintf(s, sizeof s, "%s: %s", label, value);
	pg->y += text_at(pg, PAGE_W - MARGIN, pg->y, PAGE_W - 2 * MARGIN, s, 11, 0,
			 PANGO_ALIGN_RIGHT) +
		 4;
}

static void qr(struct page *pg, double x, double y, double size)
{
	QRcode *q = QRcode_encodeString(pg->url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!q)
		return;
	int n = q->width, quiet = 2;
	double m = size / (n + 2 * quiet);
	cairo_save(pg->cr);
	cairo_set_source_rgb(pg->cr, 0, 0, 0);
	for (int r = 0; r < n; r++)
		for (int c = 0; c < n; c++)
			if (q->data[r * n + c] & 1)
				cairo_rectangle(pg->cr, x + (c + quiet) * m, y + (r + quiet) * m, m,
						m);
	cairo_fill(pg->cr);
	cairo_restore(pg->cr);
	QRcode_free(q);
}

/* The foot of a page: the code and where to verify it, with the QR code. */
static void footer(struct page *pg)
{
	double top = PAGE_H - FOOTER + 10;
	cairo_set_source_rgb(pg->cr, 0.4, 0.4, 0.4);
	cairo_set_line_width(pg->cr, 0.6);
	cairo_move_to(pg->cr, MARGIN, top - 6);
	cairo_line_to(pg->cr, PAGE_W - MARGIN, top - 6);
	cairo_stroke(pg->cr);
	cairo_set_source_rgb(pg->cr, 0, 0, 0);
	char shown[DOC_CODE_SHOWN + 1], s[1024];
	doc_code_show(pg->code, shown);
	double w = PAGE_W - 2 * MARGIN - 120;
	snprintf(s, sizeof s, "کد تصدیق: " LRI "%s" PDI, shown);
	double y = top + 4;
	y += text_at(pg, PAGE_W - MARGIN, y, w, s, 13, 1, PANGO_ALIGN_RIGHT) + 6;
	snprintf(s, sizeof s,
		 "اصالت این سند را با خواندن رمزینه یا در نشانی زیر با وارد کردن کد تصدیق "
		 "ببینید:");
	y += text_at(pg, PAGE_W - MARGIN, y, w, s, MIN_PT, 0, PANGO_ALIGN_RIGHT) + 2;
	snprintf(s, sizeof s, LRI "%s" PDI, pg->url);
	text_at(pg, PAGE_W - MARGIN, y, w, s, MIN_PT, 0, PANGO_ALIGN_RIGHT);
	qr(pg, MARGIN, top, 110);
}

static void header(struct page *pg, enum doc_kind kind, const char *issued)
{
	char s[256], d[64];
	pg->y = MARGIN;
	text_at(pg, PAGE_W - MARGIN, pg->y, PAGE_W - 2 * MARGIN, ORGANISATION, 18, 1,
		PANGO_ALIGN_CENTER);
	snprintf(s, sizeof s, "تاریخ صدور: %s", ltr_fa(issued, d, sizeof d));
	/* the date at the page's left: still a right-to-left line */
	text_at(pg, MARGIN + 170, pg->y + 30, 170, s, MIN_PT, 0, PANGO_ALIGN_LEFT);
	if (pg->pages > 1) {
		char n[32], f[48];
		snprintf(n, sizeof n, "%d", pg->pages);
		snprintf(s, sizeof s, "برگ %s", ltr_fa(n, f, sizeof f));
		text_at(pg, MARGIN + 170, pg->y + 48, 170, s, MIN_PT, 0, PANGO_ALIGN_LEFT);
	}
	pg->y += 34;
	pg->y += text_at(pg, PAGE_W - MARGIN, pg->y, PAGE_W - 2 * MARGIN, doc_title(kind), 15, 1,
			 PANGO_ALIGN_CENTER) +
		 18;
}

static void page_break(struct page *pg, enum doc_kind kind, const char *issued)
{
	footer(pg);
	cairo_show_page(pg->cr);
	pg->pages++;
	header(pg, kind, issued);
}

/* A table's row: cells right to left, w[i] wide each; returns the row's height. */
static double row(struct page *pg, const char *const *cells, const double *w, int n, int bold)
{
	double x = PAGE_W - MARGIN, h = 0;
	for (int i = 0; i < n; i++) {
		double ch = text_at(pg, x - 3, pg->y + 3, w[i] - 6, cells[i], MIN_PT, bold,
				    PANGO_ALIGN_CENTER);
		if (ch > h)
			h = ch;
		x -= w[i];
	}
	h += 6;
	cairo_set_line_width(pg->cr, 0.5);
	cairo_set_source_rgb(pg->cr, 0.55, 0.55, 0.55);
	x = PAGE_W - MARGIN;
	for (int i = 0; i < n; i++) {
		cairo_rectangle(pg->cr, x - w[i], pg->y, w[i], h);
		x -= w[i];
	}
	cairo_stroke(pg->cr);
	cairo_set_source_rgb(pg->cr, 0, 0, 0);
	pg->y += h;
	return h;
}

static const char *s_of(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}
static int64_t i_of(const json_t *o, const char *k)
{
	return (int64_t)json_integer_value(json_object_get(o, k));
}

static void person_lines(struct page *pg, const json_t *c)
{
	const json_t *p = json_object_get(c, "person");
	char b[128];
	line(pg, "نام و نام خانوادگی", s_of(p, "name"));
	line(pg, "کد ملی", ltr_fa(s_of(p, "national_id"), b, sizeof b));
}

static void body(struct page *pg, enum doc_kind kind, const json_t *c, const char *issued)
{
	char a[128], b[128], d[128], e[128], f[128];
	switch (kind) {
	case DOC_PAYSLIP: {
		person_lines(pg, c);
		line(pg, "نوع مستمری", doc_pension_type_words(s_of(c, "pension_type")));
		line(pg, "ماه پرداخت", ltr_fa(s_of(c, "month"), a, sizeof a));
		pg->y += 10;
		static const double w[] = {300, 199.276};
		const char *head[] = {"شرح", "مبلغ (ریال)"};
		row(pg, head, w, 2, 1);
		size_t i;
		const json_t *it;
		json_array_foreach(json_object_get(c, "items"), i, it)
		{
			const char *cells[] = {
			    !strcmp(s_of(it, "item"), "pension") ? "مستمری ماهانه" : s_of(it, "item"),
			    num(i_of(it, "amount"), a, sizeof a)};
			row(pg, cells, w, 2, 0);
		}
		const char *total[] = {"جمع خالص پرداختی", num(i_of(c, "total"), b, sizeof b)};
		row(pg, total, w, 2, 1);
		break;
	}
	case DOC_SALARY:
		person_lines(pg, c);
		line(pg, "نوع مستمری", doc_pension_type_words(s_of(c, "pension_type")));
		line(pg, "برقراری از", ltr_fa(s_of(c, "since"), a, sizeof a));
		snprintf(b, sizeof b, "%s ریال", num(i_of(c, "amount"), a, sizeof a));
		line(pg, "مستمری ماهانه", b);
		pg->y += 10;
		text_at(pg, PAGE_W - MARGIN, pg->y, PAGE_W - 2 * MARGIN,
			"بدین‌وسیله گواهی می‌شود نامبرده مستمری‌بگیر این سازمان است و مستمری "
			"ماهانهٔ او در تاریخ صدور به مبلغ بالاست.",
			11, 0, PANGO_ALIGN_RIGHT);
		break;
	case DOC_HISTORY: {
		person_lines(pg, c);
		pg->y += 10;
		static const double w[] = {36, 80, 225.276, 32, 40, 86};
		const char *head[] = {"سال", "کد کارگاه", "نام کارگاه", "ماه", "روز", "دستمزد (ریال)"};
		row(pg, head, w, 6, 1);
		size_t i;
		const json_t *r;
		json_array_foreach(json_object_get(c, "rows"), i, r)
		{
			snprintf(f, sizeof f, "%lld", (long long)i_of(r, "year"));
			char yy[64], mo[64], dd[64];
			const char *cells[] = {ltr_fa(f, yy, sizeof yy),
					       ltr_fa(s_of(r, "workshop"), a, sizeof a),
					       s_of(r, "workshop_name"),
					       num(i_of(r, "months"), mo, sizeof mo),
					       num(i_of(r, "days"), dd, sizeof dd),
					       num(i_of(r, "wages"), b, sizeof b)};
			/* a row that would reach the foot goes on the next page, under the head */
			if (pg->y + row_height(pg, cells, w, 6, 0) > PAGE_H - FOOTER - 8) {
				page_break(pg, kind, issued);
				row(pg, head, w, 6, 1);
			}
			row(pg, cells, w, 6, 0);
		}
		const json_t *t = json_object_get(c, "totals");
		if (pg->y > PAGE_H - FOOTER - 60)
			page_break(pg, kind, issued);
		pg->y += 10;
		snprintf(e, sizeof e, "%s روز (%s سال و %s ماه و %s روز)",
			 num(i_of(t, "days"), a, sizeof a), num(i_of(t, "years"), b, sizeof b),
			 num(i_of(t, "months"), d, sizeof d), num(i_of(t, "rest_days"), f, sizeof f));
		line(pg, "جمع سوابق", e);
		snprintf(e, sizeof e, "%s ریال", num(i_of(t, "wages"), a, sizeof a));
		line(pg, "جمع دستمزدها", e);
		break;
	}
	case DOC_CLEARANCE: {
		const json_t *w = json_object_get(c, "workshop");
		line(pg, "نام کارگاه", s_of(w, "name"));
		line(pg, "کد کارگاه", ltr_fa(s_of(w, "code"), a, sizeof a));
		line(pg, "کارفرما", s_of(w, "employer_name"));
		snprintf(e, sizeof e, "%s ریال", num(i_of(c, "due"), a, sizeof a));
		line(pg, "حق بیمهٔ فهرست‌ها", e);
		snprintf(e, sizeof e, "%s ریال", num(i_of(c, "paid"), a, sizeof a));
		line(pg, "پرداخت‌شده", e);
		snprintf(e, sizeof e, "%s ریال", num(0, a, sizeof a));
		line(pg, "بدهی", e);
		pg->y += 10;
		text_at(pg, PAGE_W - MARGIN, pg->y, PAGE_W - 2 * MARGIN,
			"بدین‌وسیله گواهی می‌شود این کارگاه در تاریخ صدور هیچ بدهی حق بیمه به این "
			"سازمان ندارد.",
			11, 0, PANGO_ALIGN_RIGHT);
		break;
	}
	default:
		break;
	}
}

static cairo_status_t to_buf(void *arg, const unsigned char *data, unsigned int len)
{
	put(arg, (const char *)data, len);
	return CAIRO_STATUS_SUCCESS;
}

int documents_pdf(const char *content, const char *code, const char *verify_url, char **pdf,
		  size_t *len, struct err *e)
{
	json_t *c = json_loads(content, 0, NULL);
	int kind = c ? doc_kind_parse(s_of(c, "kind")) : -1;
	if (kind < 0) {
		json_decref(c);
		return err_set(e, 500, "internal", "", "a stored document cannot be read");
	}
	struct buf out = {0};
	cairo_surface_t *sf = cairo_pdf_surface_create_for_stream(to_buf, &out, PAGE_W, PAGE_H);
	char title[256];
	snprintf(title, sizeof title, "%s - %s", ORGANISATION, doc_title(kind));
	cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE, title);
	cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR, "tamin");
	cairo_t *cr = cairo_create(sf);
	struct page pg = {.cr = cr, .code = code, .url = verify_url, .pages = 1};
	pg.ctx = pango_cairo_create_context(cr);
	pango_context_set_base_dir(pg.ctx, PANGO_DIRECTION_RTL);
	/* metrics as designed, not hinted to a screen's pixels: the same layout at any zoom */
	cairo_font_options_t *fo = cairo_font_options_create();
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	pango_cairo_context_set_font_options(pg.ctx, fo);
	cairo_font_options_destroy(fo);
	pg.font = pango_font_description_from_string(FONT_FAMILY " 11");
	const char *issued = s_of(c, "issued");
	header(&pg, kind, issued);
	body(&pg, kind, c, issued);
	footer(&pg);
	cairo_show_page(cr);
	pango_font_description_free(pg.font);
	g_object_unref(pg.ctx);
	cairo_destroy(cr);
	cairo_surface_finish(sf);
	cairo_status_t st = cairo_surface_status(sf);
	cairo_surface_destroy(sf);
	json_decref(c);
	if (st != CAIRO_STATUS_SUCCESS) {
		free(out.p);
		return err_set(e, 500, "internal", "", "the PDF cannot be made: %s",
			       cairo_status_to_string(st));
	}
	*pdf = out.p;
	*len = out.len;
	return 0;
}

int documents_fonts_init(struct err *e)
{
	if (!FcInit())
		return err_set(e, 500, "internal", "", "fontconfig cannot start");
	/* the family fontconfig gives for the document font: another means it is missing */
	FcPattern *p = FcNameParse((const FcChar8 *)"Noto Sans Arabic");
	FcConfigSubstitute(NULL, p, FcMatchPattern);
	FcDefaultSubstitute(p);
	FcResult res;
	FcPattern *m = FcFontMatch(NULL, p, &res);
	FcChar8 *family = NULL;
	int ok = m && FcPatternGetString(m, FC_FAMILY, 0, &family) == FcResultMatch &&
		 !strcmp((const char *)family, "Noto Sans Arabic");
	if (m)
		FcPatternDestroy(m);
	FcPatternDestroy(p);
	if (!ok)
		return err_set(e, 500, "internal", "",
			       "the documents' font, Noto Sans Arabic, is not installed (Debian's "
			       "fonts-noto-core)");
	return 0;
}

/* Under AddressSanitizer (tamin-san, the unit tests' and the fuzzers' builds): fontconfig
 * keeps its configuration and font caches for the life of the process, and holds them by
 * offsets that LeakSanitizer does not follow, so it reports them as lost at exit. They
 * are not lost: FcFini would free them, but not while pango's per-thread font maps may
 * still hold fontconfig's patterns. Those reports, and only those, are left out. */
#if defined(__SANITIZE_ADDRESS__)
#define TAMIN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TAMIN_ASAN 1
#endif
#endif
#ifdef TAMIN_ASAN
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libfontconfig.so\n"; }
/* and without the table of suppressions used at exit, which would be on stderr of every
 * command that loaded the fonts (a refusal's one line of stderr among them) */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void) { return "print_suppressions=0"; }
#endif
