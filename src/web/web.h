/* web: the built web app (a Vite build folder) that `tamin serve --web DIR` serves at /.
 *
 * Every file is read into memory at start; a request can only ever get one of those
 * files (it is looked up in that table, never on the filesystem). A path outside /api/
 * with no file whose last segment has no dot gets index.html, so that the app's own
 * routes (/agent, /cases/12) load it; a missing path with a dot (/assets/x.js) is a 404
 * in the API's error shape.
 *
 * A reply carries a Content-Type by extension, a strong ETag (If-None-Match: 304),
 * Cache-Control (files under assets/ have content hashes in their names: a year,
 * immutable; the rest: no-cache), FILE.gz in place of FILE when the client accepts gzip
 * (Vary: Accept-Encoding on every compressible type), and on HTML a
 * Content-Security-Policy that allows only the app's own origin. */
#ifndef TAMIN_WEB_WEB_H
#define TAMIN_WEB_WEB_H

#include <stddef.h>

#include "base/err.h"
struct req;

#define WEB_MAX_BYTES (32u << 20) /* the folder's total, .gz files included */
#define WEB_MAX_FILES 10000u
#define WEB_PATH_MAX 1024 /* of a file's path inside the folder */

struct web;

/* Reads every regular file under dir, recursively; names that start with a dot and
 * symbolic links are left out. FILE.gz beside FILE becomes FILE's gzip encoding and is
 * not served under its own name. NULL with e filled (one line naming dir) when dir
 * cannot be read, has no index.html, or holds over WEB_MAX_BYTES or WEB_MAX_FILES. */
struct web *web_load(const char *dir, struct err *e);
void web_free(struct web *w);

/* The handler for r->app->web: the route table (src/routes.c) calls it for / and, as the
 * server's fallback hook, for every path outside /api/ that no route matched. GET and HEAD get the
 * file; other methods 405; a path with a "." or ".." or empty segment, a backslash, a control
 * character, NUL or an encoded '/' gets 400. */
void web_h_serve(struct req *r);

/* The request's path raw as the key of its file, into out (cap bytes, a string whatever
 * the answer): without its leading '/', %XX decoded. 0; -1 for a path no file can have
 * and that may be an attempt to leave the folder ("." or ".." or empty segments, a
 * backslash, a control character, NUL, an encoded '/' or a bad escape); -2 when the key
 * would be longer than cap - 1 bytes (WEB_PATH_MAX: longer than any file's path). */
int web_clean_path(const char *raw, char *out, size_t cap);

#endif
