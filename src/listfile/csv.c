/* The CSV form of a list, as in-memory dBase files (csv.h). */
#include "listfile/csv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_COLS 64
#define MAX_WIDTH 254

/* One parsed value: where it is in the text, and whether it held doubled quotes. */
struct cell {
	const char *p;
	size_t n;
	int quoted;
};

struct table {
	struct cell *cells;
	size_t n, cap;
	size_t cols, rows; /* rows without the names' line */
};

static int push(struct table *t, struct cell c)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct cell *v = realloc(t->cells, cap * sizeof *v);
		if (!v)
			return -1;
		t->cells = v;
		t->cap = cap;
	}
	t->cells[t->n++] = c;
	return 0;
}

/* A value's length once its doubled quotes are single. */
static size_t value_len(const struct cell *c)
{
	if (!c->quoted)
		return c->n;
	size_t n = 0;
	for (size_t i = 0; i < c->n; i++, n++)
		if (c->p[i] == '"')
			i++;
	return n;
}

static void value_copy(const struct cell *c, unsigned char *dst)
{
	for (size_t i = 0; i < c->n; i++) {
		*dst++ = (unsigned char)c->p[i];
		if (c->quoted && c->p[i] == '"')
			i++;
	}
}

/* Splits the text into cells, checking every line has the first line's count. */
static int parse(const char *s, size_t len, const char *field, struct table *t, struct err *e)
{
	size_t i = 0, line = 1, in_line = 0;
	if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) /* a byte-order mark */
		i = 3;
	while (i < len) {
		struct cell c = {s + i, 0, 0};
		if (s[i] == '"') {
			size_t j = ++i;
			for (;;) {
				if (j >= len)
					return err_set(e, 400, "csv_invalid", field,
						       "line %zu: a quote is never closed", line);
				if (s[j] == '"' && j + 1 < len && s[j + 1] == '"') {
					c.quoted = 1;
					j += 2;
					continue;
				}
				if (s[j] == '"')
					break;
				j++;
			}
			c.p = s + i;
			c.n = j - i;
			i = j + 1;
			if (i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r')
				return err_set(e, 400, "csv_invalid", field,
					       "line %zu: text after a closing quote", line);
		} else {
			while (i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r')
				i++;
			c.n = (size_t)(s + i - c.p);
		}
		if (push(t, c) < 0)
			return err_set(e, 500, "internal", "", "out of memory reading the CSV");
		in_line++;
		if (i < len && s[i] == ',') { /* the line goes on, maybe with an empty value */
			i++;
			if (i == len || s[i] == '\r' || s[i] == '\n') {
				if (push(t, (struct cell){s + i, 0, 0}) < 0)
					return err_set(e, 500, "internal", "",
						       "out of memory reading the CSV");
				in_line++;
			} else {
				continue;
			}
		}
		if (i < len && s[i] == '\r')
			i++;
		if (i < len && s[i] == '\n')
			i++;
		if (line == 1)
			t->cols = in_line;
		else if (in_line == 1 && t->cells[t->n - 1].n == 0)
			t->n--; /* a blank line */
		else if (in_line != t->cols)
			return err_set(e, 400, "csv_invalid", field,
				       "line %zu has %zu values, the first line names %zu", line,
				       in_line, t->cols);
		else
			t->rows++;
		in_line = 0;
		line++;
	}
	if (!t->cols)
		return err_set(e, 400, "csv_invalid", field,
			       "the first line names the columns (DSW_ID, PER_NATCOD, ...)");
	return 0;
}

/* A name a dBase field can hold as it is: 1 to 10 ASCII letters, digits or '_' (a NUL
 * would end it early, and the reader would refuse the file or find two names alike). */
static int column_name(const struct cell *c)
{
	if (c->n == 0 || c->n > 10 || c->quoted)
		return 0;
	for (size_t k = 0; k < c->n; k++) {
		char ch = c->p[k];
		if (!(ch >= 'A' && ch <= 'Z') && !(ch >= 'a' && ch <= 'z') &&
		    !(ch >= '0' && ch <= '9') && ch != '_')
			return 0;
	}
	return 1;
}

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v & 0xFF);
	p[1] = (unsigned char)(v >> 8);
}

int list_csv_to_dbf(const char *csv, size_t len, const char *field, unsigned char **out,
		    size_t *out_len, struct err *e)
{
	*out = NULL;
	*out_len = 0;
	struct table t = {0};
	if (parse(csv, len, field, &t, e) < 0)
		goto fail;
	if (t.cols > MAX_COLS) {
		err_set(e, 400, "csv_invalid", field, "more than %d columns", MAX_COLS);
		goto fail;
	}
	unsigned width[MAX_COLS];
	for (size_t c = 0; c < t.cols; c++) {
		const struct cell *name = &t.cells[c];
		if (!column_name(name)) {
			err_set(e, 400, "csv_invalid", field,
				"column %zu's name is 1 to 10 letters, digits or _, as in the dBase"
				" files",
				c + 1);
			goto fail;
		}
		for (size_t k = 0; k < c; k++)
			if (t.cells[k].n == name->n &&
			    !strncasecmp(t.cells[k].p, name->p, name->n)) {
				err_set(e, 400, "csv_invalid", field, "column %.*s is named twice",
					(int)name->n, name->p);
				goto fail;
			}
		width[c] = 1;
	}
	for (size_t r = 0; r < t.rows; r++)
		for (size_t c = 0; c < t.cols; c++) {
			size_t n = value_len(&t.cells[(r + 1) * t.cols + c]);
			if (n > MAX_WIDTH) {
				err_set(e, 400, "csv_invalid", field,
					"line %zu: %.*s is over %d bytes", r + 2, (int)t.cells[c].n,
					t.cells[c].p, MAX_WIDTH);
				goto fail;
			}
			if (n > width[c])
				width[c] = (unsigned)n;
		}
	unsigned record = 1;
	for (size_t c = 0; c < t.cols; c++)
		record += width[c];
	unsigned header = 32 + 32 * (unsigned)t.cols + 1;
	size_t size = header + (size_t)record * t.rows + 1;
	unsigned char *d = calloc(1, size);
	if (!d) {
		err_set(e, 500, "internal", "", "out of memory reading the CSV");
		goto fail;
	}
	d[0] = 0x03;
	d[1] = 126; /* last updated 2026-01-01 (years from 1900): no reader looks */
	d[2] = 1;
	d[3] = 1;
	uint32_t n = (uint32_t)t.rows;
	memcpy(d + 4, (unsigned char[]){n & 0xFF, n >> 8 & 0xFF, n >> 16 & 0xFF, n >> 24}, 4);
	put16(d + 8, header);
	put16(d + 10, record);
	for (size_t c = 0; c < t.cols; c++) {
		unsigned char *f = d + 32 + 32 * c;
		for (size_t k = 0; k < t.cells[c].n; k++) {
			char ch = t.cells[c].p[k];
			f[k] = (unsigned char)(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
		}
		f[11] = 'C';
		f[16] = (unsigned char)width[c];
	}
	d[header - 1] = 0x0D;
	unsigned char *rec = d + header;
	for (size_t r = 0; r < t.rows; r++, rec += record) {
		memset(rec, ' ', record);
		unsigned at = 1;
		for (size_t c = 0; c < t.cols; c++) {
			value_copy(&t.cells[(r + 1) * t.cols + c], rec + at);
			at += width[c];
		}
	}
	d[size - 1] = 0x1A;
	free(t.cells);
	*out = d;
	*out_len = size;
	return 0;
fail:
	free(t.cells);
	return -1;
}
