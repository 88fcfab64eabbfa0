/* multipart: a multipart/form-data body (RFC 7578, on the multipart syntax of RFC 2046
 * 5.1.1) read in place: each part's data points into the body, which is never copied (an
 * upload of 10 MiB is held once, in the connection's buffer). Knows no form: the caller
 * says which fields it takes.
 *
 * What is taken: a preamble and an epilogue (ignored); a delimiter followed by spaces or
 * tabs before its CRLF (RFC 2046's transport padding); header names in any case; a
 * Content-Disposition of type form-data with a name, a filename as a token or a quoted
 * string (\" and \\ are quoted pairs; a backslash before anything else is kept, as old
 * browsers sent Windows paths), and filename* (RFC 8187: UTF-8 or ISO-8859-1, percent-
 * encoded), which wins over filename when both are given (RFC 6266 4.3).
 * What is refused (400 invalid_multipart, naming the part being read, or "body" before a
 * part has a name): no delimiter, a part cut short (its next delimiter missing, the body
 * truncated), no closing delimiter, headers without their blank line or over 8 KiB, a
 * folded header line, a part without Content-Disposition or name, a parameter given
 * twice, a Content-Transfer-Encoding other than binary, 8bit or 7bit (the data would be
 * stored encoded), more parts than the caller takes. */
#ifndef TAMIN_HTTP_MULTIPART_H
#define TAMIN_HTTP_MULTIPART_H

#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"

#define MULTIPART_BOUNDARY_MAX 70 /* RFC 2046 */
#define MULTIPART_HEAD_MAX (8u << 10)

struct multipart_part {
	const char *name; /* the form field (arena, NUL-terminated, valid UTF-8) */
	/* the file's name as sent, decoded (arena): filename_len bytes, which may hold any
	 * byte (a NUL or a newline from filename*): the caller decides what it keeps; NULL:
	 * the part is not a file */
	const char *filename;
	size_t filename_len;
	const char *type; /* its Content-Type as sent, trimmed (arena); NULL: none */
	const char *data; /* into the body */
	size_t len;
};

/* The boundary of a request's Content-Type, "multipart/form-data; boundary=..." (the
 * parameter a token or a quoted string, 1-70 characters of RFC 2046's bchars), in a.
 * NULL with e: 415 unsupported_media_type naming Content-Type when the type is not
 * multipart/form-data (or absent), 400 invalid_multipart naming Content-Type when the
 * boundary is missing or malformed. */
const char *multipart_boundary(const char *content_type, struct arena *a, struct err *e);

/* Reads body[0..len) into parts[0..max): the number of parts (at least 1), or -1 with
 * e. */
int multipart_parse(const char *body, size_t len, const char *boundary,
		    struct multipart_part *parts, int max, struct arena *a, struct err *e);

#endif
