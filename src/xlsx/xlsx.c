#include "xlsx/xlsx.h"

#include "base/jalali.h"

#include <xlsxwriter.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct xlsx {
	char dir[256], path[300];
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *head, *time;
	lxw_row_t row;
	lxw_col_t col;
	int failed;
};

struct xlsx *xlsx_new(struct err *e)
{
	struct xlsx *x = calloc(1, sizeof *x);
	if (!x)
		abort();
	const char *tmp = getenv("TMPDIR");
	snprintf(x->dir, sizeof x->dir, "%s/tamin-xlsx-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(x->dir)) {
		free(x);
		err_set(e, 500, "internal", "", "no temporary directory for the workbook");
		return NULL;
	}
	snprintf(x->path, sizeof x->path, "%s/book.xlsx", x->dir);
	lxw_workbook_options o = {.constant_memory = 0, .tmpdir = x->dir};
	x->wb = workbook_new_opt(x->path, &o);
	if (!x->wb) {
		xlsx_free(x);
		err_set(e, 500, "internal", "", "the workbook cannot be made");
		return NULL;
	}
	x->head = workbook_add_format(x->wb);
	format_set_bold(x->head);
	format_set_bg_color(x->head, 0xE8EEF4);
	x->time = workbook_add_format(x->wb);
	format_set_num_format(x->time, "yyyy-mm-dd hh:mm");
	return x;
}

int xlsx_sheet(struct xlsx *x, const char *name, const char *const *headers, int n)
{
	if (x->failed)
		return -1;
	x->ws = workbook_add_worksheet(x->wb, name);
	if (!x->ws) {
		x->failed = 1;
		return -1;
	}
	worksheet_right_to_left(x->ws);
	worksheet_freeze_panes(x->ws, 1, 0);
	worksheet_set_column(x->ws, 0, (lxw_col_t)(n > 0 ? n - 1 : 0), 16, NULL);
	for (int i = 0; i < n; i++)
		worksheet_write_string(x->ws, 0, (lxw_col_t)i, headers[i], x->head);
	x->row = 0;
	x->col = 0;
	return 0;
}

void xlsx_row(struct xlsx *x)
{
	x->row++;
	x->col = 0;
}

void xlsx_skip(struct xlsx *x)
{
	x->col++;
}

void xlsx_text(struct xlsx *x, const char *s)
{
	if (x->ws && s && *s && worksheet_write_string(x->ws, x->row, x->col, s, NULL))
		x->failed = 1;
	x->col++;
}

void xlsx_num(struct xlsx *x, double v)
{
	if (x->ws && worksheet_write_number(x->ws, x->row, x->col, v, NULL))
		x->failed = 1;
	x->col++;
}

void xlsx_time(struct xlsx *x, int64_t t)
{
	/* Excel's date-times have no zone: the cell holds Tehran's wall time */
	if (x->ws && t &&
	    worksheet_write_unixtime(x->ws, x->row, x->col, t + TEHRAN_UTC_OFFSET, x->time))
		x->failed = 1;
	x->col++;
}

static void remove_files(struct xlsx *x)
{
	unlink(x->path);
	rmdir(x->dir); /* libxlsxwriter removed its own temporary files */
}

void xlsx_free(struct xlsx *x)
{
	if (!x)
		return;
	if (x->wb) {
		/* a workbook is freed only by closing it, which writes the file: removed below */
		workbook_close(x->wb);
	}
	remove_files(x);
	free(x);
}

int xlsx_finish(struct xlsx *x, char **data, size_t *len, struct err *e)
{
	int failed = x->failed;
	lxw_error rc = workbook_close(x->wb);
	x->wb = NULL;
	*data = NULL;
	*len = 0;
	FILE *f = failed || rc != LXW_NO_ERROR ? NULL : fopen(x->path, "rb");
	struct stat st;
	if (f && fstat(fileno(f), &st) == 0 && st.st_size > 0) {
		*data = malloc((size_t)st.st_size);
		if (!*data)
			abort();
		if (fread(*data, 1, (size_t)st.st_size, f) == (size_t)st.st_size) {
			*len = (size_t)st.st_size;
		} else {
			free(*data);
			*data = NULL;
		}
	}
	if (f)
		fclose(f);
	remove_files(x);
	free(x);
	if (!*data)
		return err_set(e, 500, "internal", "", "the workbook cannot be written: %s",
			       rc != LXW_NO_ERROR ? lxw_strerror(rc) : "a cell was refused");
	return 0;
}
