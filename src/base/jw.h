/* jw: a streaming JSON writer into one growing buffer. Responses with many fields (a
 * case and its timeline, a page of a list) are written with it directly: building a
 * jansson tree and then serialising it cost a quarter of the server's time for a case
 * read. Keys and strings are escaped; text is assumed valid UTF-8 (it was normalised on
 * the way in). */
#ifndef TAMIN_BASE_JW_H
#define TAMIN_BASE_JW_H

#include <stddef.h>
#include <stdint.h>

struct jw {
	char *buf;
	size_t len, cap;
	int depth;
#define JW_DEPTH 32
	unsigned char comma[JW_DEPTH]; /* per nesting level: a value was written already */
	char open[JW_DEPTH];	       /* per nesting level: '{' or '[' */
};

void jw_init(struct jw *w);
void jw_release(struct jw *w);
/* Hands the buffer over (NUL-terminated; free() it) and leaves w empty. */
char *jw_take(struct jw *w, size_t *len);

/* key is NULL inside arrays and for the top-level value. */
void jw_object(struct jw *w, const char *key);
void jw_array(struct jw *w, const char *key);
void jw_end(struct jw *w); /* closes the innermost object or array */
void jw_str(struct jw *w, const char *key, const char *v); /* NULL writes null */
void jw_int(struct jw *w, const char *key, int64_t v);
void jw_bool(struct jw *w, const char *key, int v);
void jw_null(struct jw *w, const char *key);
/* An instant as ISO-8601 UTC, or null when t == 0. */
void jw_time(struct jw *w, const char *key, int64_t t);
/* Already serialised JSON (trusted: produced by this program), or null when NULL. */
void jw_raw(struct jw *w, const char *key, const char *json);

#endif
