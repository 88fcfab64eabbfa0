/* documents: the papers anyone can verify. A person's pay slip (a pensioner's payment
 * for a Jalali month), insurance history certificate and salary certificate, and an
 * employer's debt clearance certificate, each built from the records kept by
 * pensions/, lists/ (through rules/) and workshops/, written as canonical JSON, stored
 * with a random verification code and its SHA-256, and given as JSON or as an A4 PDF
 * (pdf.c: cairo + pango, Persian shaped right to left, Jalali dates, Persian digits,
 * the code and its QR code). Anyone may ask GET /api/v1/verify/{code} whether a paper
 * is genuine and what it said; an unknown code and an altered one get the same answer.
 * Owns the table documents (migration 030). */
#ifndef TAMIN_DOCUMENTS_DOCUMENTS_H
#define TAMIN_DOCUMENTS_DOCUMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct req;
struct tally;

enum doc_kind { DOC_PAYSLIP, DOC_HISTORY, DOC_SALARY, DOC_CLEARANCE, DOC_KINDS };

/* "payslip", "history", "salary", "clearance"; -1 for any other. */
int doc_kind_parse(const char *s);
const char *doc_kind_name(enum doc_kind k);

/* ---- the verification code (code.c, pure) ----
 * 16 characters of Crockford's base32 (0-9 and A-Z without I, L, O, U: 80 random bits),
 * shown in four groups of four ("7K2M-9QXD-4R8T-B3VN") to be read aloud. */
#define DOC_CODE_LEN 16
#define DOC_CODE_SHOWN 19 /* with the three dashes */

/* A new random code (libsodium's randombytes) into out[DOC_CODE_LEN + 1]. */
void doc_code_new(char out[DOC_CODE_LEN + 1]);
/* The code in its groups into out[DOC_CODE_SHOWN + 1]. */
void doc_code_show(const char *code, char out[DOC_CODE_SHOWN + 1]);
/* A code as someone typed or read it: any digit set (Persian, Arabic-Indic), any case,
 * spaces, dashes and invisible marks anywhere, O for 0 and I or L for 1 (Crockford's
 * reading); at most 128 bytes of input. 0 with the 16 canonical characters in
 * out[DOC_CODE_LEN + 1], or -1 when it cannot be a code. */
int doc_code_normalize(const char *in, size_t len, char out[DOC_CODE_LEN + 1]);

/* ?month=YYYY/MM (or YYYY-MM, a one-digit month, any digit set), a Jalali month of years
 * 1300..1500: 0 with *y, *m, or -1. */
int doc_month_parse(const char *in, size_t len, int *y, int *m);

/* A national id as the paper shows it: its last four digits, the rest masked
 * ("******1234") into out[11]. */
void doc_mask_natid(const char *nid, char out[11]);

/* ---- the PDF (pdf.c) ---- */

/* Loads fontconfig's configuration and the fonts once, on the calling thread, before
 * any request: 0, or -1 with e when the document font (Noto Sans Arabic, Debian's
 * fonts-noto-core) is not installed. */
int documents_fonts_init(struct err *e);
/* Renders a document's canonical JSON (content) with its code and the URL its QR code
 * points to, as an A4 PDF in memory: 0 with *pdf (malloc'd) and *len, or -1 with e.
 * Safe from several threads at once (pdf.c says why). */
int documents_pdf(const char *content, const char *code, const char *verify_url, char **pdf,
		  size_t *len, struct err *e);

/* ---- serving (http.c) ---- */

/* What serve gives the handlers (app.h's documents): the server's public URL, which a
 * paper's QR code points into, and the verifications counted per address. */
struct documents {
	const char *public_url; /* "https://tamin.example", no trailing slash */
	struct tally *verify_tally;
	int verify_limit; /* verifications per address and minute */
};
struct documents *documents_new(const char *public_url, int verify_limit);
void documents_free(struct documents *d);

/* GET /api/v1/me/documents/{kind}?month=&format=json|pdf: the citizen's own pay slip,
 * history or salary certificate, issued now (the same paper again, with its code, when
 * nothing on it changed today) */
void documents_h_mine(struct req *r);
/* GET /api/v1/workshops/{code}/documents/clearance?format=: the debt clearance
 * certificate, for the workshop's employer and staff; 409 debt_outstanding when it owes */
void documents_h_clearance(struct req *r);
/* GET /api/v1/verify/{code}: public, limited per address */
void documents_h_verify(struct req *r);

#endif
