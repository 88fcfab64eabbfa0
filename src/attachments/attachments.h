/* attachments: files added to a case by the staff who may act on it and by the citizen
 * whose case it is (POST /api/v1/cases/{id}/attachments, multipart/form-data with one
 * part `file`), listed (GET .../attachments) and served (GET .../attachments/{aid}) to
 * those who may read the case.
 *
 * A file is a PDF, a JPEG or a PNG, told by its first bytes (never by its name or its
 * declared type), 10 MiB at most. Its bytes are stored once per content under the
 * server's attachment folder (`NAME-attachments/` beside NAME.db): ab/cdef..., the
 * SHA-256 in hex, written to a temporary file in that folder, synced, then renamed,
 * on the slow-work thread; then the writer adds the row, the case's `attachment` event,
 * and (the citizen's file on a case waiting on them) its resume, in one savepoint. A
 * refused or failed upload leaves no row and no file of its own. The name is kept as the
 * text of a name only: the part after the last / or \, without control characters or
 * bidi controls, 255 bytes at most; it is never part of a path. */
#ifndef TAMIN_ATTACHMENTS_ATTACHMENTS_H
#define TAMIN_ATTACHMENTS_ATTACHMENTS_H

#include <stddef.h>

#include "base/arena.h"

struct req;

#define ATTACH_MAX (10u << 20) /* bytes of one file */
/* an upload's body: the file and the multipart around it */
#define ATTACH_MAX_BODY (ATTACH_MAX + (64u << 10))
#define ATTACH_NAME_MAX 255 /* bytes of a file's name */

/* The type of a file from its first bytes: "application/pdf", "image/jpeg", "image/png",
 * or NULL. */
const char *attach_type(const void *data, size_t len);
/* The name kept for a file sent as raw[0..len) (any bytes), in a: see above; a name with
 * nothing left is "file" and the type's extension. NULL when raw is not UTF-8. */
const char *attach_name(struct arena *a, const char *raw, size_t len, const char *type);
/* Content-Disposition for a download of name (RFC 6266): attachment, an ASCII fallback
 * in filename and the name itself in filename* (RFC 8187), in a. */
const char *attach_disposition(struct arena *a, const char *name);

/* `tamin serve`'s folder for the database at db_path: NAME-attachments (malloc'd), made
 * if missing. NULL with a line on stderr when it cannot be made. */
char *attach_dir_open(const char *db_path);

void attachments_h_add(struct req *r);	/* POST /api/v1/cases/{id}/attachments */
/* The upload's route's body_arriving (http.h): while the body comes, the bytes after the
 * first part's headers go to a temporary file in the folder, with their writeback started
 * each MiB, so that what the handler syncs at the end is mostly on disk already. The
 * handler uses that file when the parsed part is the one it began at (the usual form:
 * one part, the file); otherwise it writes the file from the body as before. */
void attachments_arriving(struct req *r, const char *data, size_t have, size_t total);
void attachments_h_list(struct req *r); /* GET /api/v1/cases/{id}/attachments */
void attachments_h_get(struct req *r);	/* GET /api/v1/cases/{id}/attachments/{aid} */

#endif
