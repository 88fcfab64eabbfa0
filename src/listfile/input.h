/* input: a list's two files as they are given, opened as one list_reader (listfile.h):
 * the dBase pair, or the CSV form (csv.h) made dBase bytes; from two paths (the command
 * line) or from two files' bytes in memory (an upload). Both ways read the CSV form by the
 * same steps, so a list reads the same whichever way it came. */
#ifndef TAMIN_LISTFILE_INPUT_H
#define TAMIN_LISTFILE_INPUT_H

#include <stddef.h>

#include "base/err.h"
#include "listfile/listfile.h"

enum list_form { LIST_FORM_DBF = 0, LIST_FORM_CSV };

struct list_input {
	struct list_reader r;
	const char *source;		  /* "dbf" or "csv": as a stored list names its source */
	unsigned char *kar_dbf, *wor_dbf; /* the CSV form as dBase bytes; NULL for the pair */
};

/* The pair at two paths: the CSV form when both names end in .csv (in any case), else the
 * dBase pair, mapped (encoding detected). The CSV form's errors name the path as their
 * field; a file that cannot be read is 404 not_found or 500 io. 0, or -1 with e; in is
 * ready for list_input_close either way. */
int list_input_open(struct list_input *in, const char *kar, const char *wor,
		    struct list_issues *iss, struct err *e);

/* The same over the two files' bytes: the dBase pair, read in place (the bytes must outlive
 * in), or the CSV form's texts, made dBase bytes of in's own; the CSV form's errors name
 * kar_name or wor_name as their field ("csv.kar"), the reader's errors no field. */
int list_input_open_mem(struct list_input *in, enum list_form form, const void *kar,
			size_t kar_len, const char *kar_name, const void *wor, size_t wor_len,
			const char *wor_name, struct list_issues *iss, struct err *e);

/* Closes the reader and frees what the CSV form made; a zeroed in is closed already. */
void list_input_close(struct list_input *in);

#endif
