/* csv: the monthly list's CSV form. Two CSV texts stand for the two files: DSKKAR00's and
 * DSKWOR00's columns named in a first line (any order; the same names as the dBase
 * files), then a line per row, in UTF-8 with RFC 4180 quoting ("a ""b""", a comma or a
 * line break inside quotes). Values are written as in the dBase files: amounts in rials,
 * dates Jalali (13700512 or 1370/05/12), sex «مرد» or «زن».
 *
 * Each text becomes an in-memory dBase III file with a character field per column, as
 * wide as its longest value, so that the CSV form goes through the same reader and the
 * same checks as the files (list_reader_open_mem with CODEC_UTF8). */
#ifndef TAMIN_LISTFILE_CSV_H
#define TAMIN_LISTFILE_CSV_H

#include <stddef.h>

#include "base/err.h"

/* The dBase bytes for one CSV text, in *out (free it). Errors, 400 naming `field` (the
 * caller's name for this text, e.g. "csv.wor"): csv_invalid (an unclosed quote, a line
 * with more or fewer values than the first, a column name over 10 characters or twice,
 * a value over 254 bytes, no first line). */
int list_csv_to_dbf(const char *csv, size_t len, const char *field, unsigned char **out,
		    size_t *out_len, struct err *e);

#endif
