/* A list's two files as they are given (input.h). */
#include "listfile/input.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "listfile/csv.h"

static int ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);
	return n >= m && !strcasecmp(s + n - m, end);
}

/* The CSV form's file at path as dBase bytes in *out; its errors name the path. */
static int csv_file(const char *path, unsigned char **out, size_t *len, struct err *e)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return err_set(e, 404, "not_found", "", "%s: %s", path, strerror(errno));
	char *text = NULL;
	size_t n = 0, cap = 0, got;
	int oom = 0;
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 1 << 16;
			char *t = realloc(text, cap);
			if (!t) {
				oom = 1; /* a part of the file is no file */
				break;
			}
			text = t;
		}
		got = fread(text + n, 1, cap - n, f);
		n += got;
	} while (got);
	int bad = oom || ferror(f) || !text;
	fclose(f);
	int rc = -1;
	if (bad)
		err_set(e, 500, "io", "", "%s: cannot be read", path);
	else
		rc = list_csv_to_dbf(text, n, path, out, len, e);
	free(text);
	return rc;
}

/* The CSV form's dBase bytes, made, opened as UTF-8. */
static int open_csv_dbf(struct list_input *in, size_t kar_len, size_t wor_len,
			struct list_issues *iss, struct err *e)
{
	return list_reader_open_mem(&in->r, in->kar_dbf, kar_len, in->wor_dbf, wor_len, CODEC_UTF8,
				    iss, e);
}

int list_input_open(struct list_input *in, const char *kar, const char *wor,
		    struct list_issues *iss, struct err *e)
{
	memset(in, 0, sizeof *in);
	size_t klen = 0, wlen = 0;
	in->source = ends_with(kar, ".csv") && ends_with(wor, ".csv") ? "csv" : "dbf";
	if (!strcmp(in->source, "dbf"))
		return list_reader_open(&in->r, kar, wor, CODEC_UNKNOWN, iss, e);
	if (csv_file(kar, &in->kar_dbf, &klen, e) < 0 || csv_file(wor, &in->wor_dbf, &wlen, e) < 0)
		return -1;
	return open_csv_dbf(in, klen, wlen, iss, e);
}

int list_input_open_mem(struct list_input *in, enum list_form form, const void *kar,
			size_t kar_len, const char *kar_name, const void *wor, size_t wor_len,
			const char *wor_name, struct list_issues *iss, struct err *e)
{
	memset(in, 0, sizeof *in);
	size_t klen = 0, wlen = 0;
	in->source = form == LIST_FORM_CSV ? "csv" : "dbf";
	if (form == LIST_FORM_DBF)
		return list_reader_open_mem(&in->r, kar, kar_len, wor, wor_len, CODEC_UNKNOWN, iss,
					    e);
	if (list_csv_to_dbf(kar, kar_len, kar_name, &in->kar_dbf, &klen, e) < 0 ||
	    list_csv_to_dbf(wor, wor_len, wor_name, &in->wor_dbf, &wlen, e) < 0)
		return -1;
	return open_csv_dbf(in, klen, wlen, iss, e);
}

void list_input_close(struct list_input *in)
{
	list_reader_close(&in->r);
	free(in->kar_dbf);
	free(in->wor_dbf);
	memset(in, 0, sizeof *in);
}
