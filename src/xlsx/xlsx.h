/* xlsx: tables written as an Excel workbook (libxlsxwriter) for a download: every sheet
 * right-to-left with its header row in bold and frozen, numbers as numbers, instants as
 * Excel date-times in Tehran time. libxlsxwriter writes files only: the workbook and the
 * library's own temporary files go to a private directory (mkdtemp, mode 0700) that
 * xlsx_finish and xlsx_free remove; the bytes come back in memory.
 *
 *   struct xlsx *x = xlsx_new(&e);
 *   xlsx_sheet(x, "وضعیت", (const char *[]){"واحد", "باز"}, 2);
 *   xlsx_row(x); xlsx_text(x, "مستمری"); xlsx_num(x, 12);
 *   xlsx_finish(x, &data, &len, &e);   // data is malloc'd; x is freed
 */
#ifndef TAMIN_XLSX_XLSX_H
#define TAMIN_XLSX_XLSX_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

struct xlsx;

/* A new workbook, or NULL with e (500). */
struct xlsx *xlsx_new(struct err *e);
/* Starts a sheet (name: at most 31 characters, no []:*?/\) with its header row. 0, or -1
 * once the workbook failed (xlsx_finish then says why). */
int xlsx_sheet(struct xlsx *x, const char *name, const char *const *headers, int n);
/* Starts the next row of the current sheet; the cells below fill it from its first
 * column on. */
void xlsx_row(struct xlsx *x);
void xlsx_text(struct xlsx *x, const char *s); /* NULL: an empty cell */
void xlsx_num(struct xlsx *x, double v);
void xlsx_time(struct xlsx *x, int64_t t); /* UTC seconds, shown in Tehran time; 0: empty */
void xlsx_skip(struct xlsx *x);		   /* an empty cell */
/* Closes the workbook, hands its bytes over (*data malloc'd) and frees x, its files
 * included: 0, or -1 with e (500). */
int xlsx_finish(struct xlsx *x, char **data, size_t *len, struct err *e);
/* Frees x and its files without a workbook (x may be NULL). */
void xlsx_free(struct xlsx *x);

#endif
