/* fields: reading a JSON request's fields. A missing, wrong-typed or over-long field
 * is a 400 whose error names the field. People's words (field_text) come back as they
 * were typed, only trimmed; keys and codes (field_key) come back normalised. */
#ifndef TAMIN_BASE_FIELDS_H
#define TAMIN_BASE_FIELDS_H

#include <jansson.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

/* A text field as the person typed it: valid UTF-8, leading and trailing white space
 * trimmed, no control character but tab and line breaks (400 invalid_field), at most
 * max_chars code points. Letters and digits are kept as typed («تأخیر», «لطفاً», «٠٩»):
 * search normalises on its side (db_text_put, text_normalize). *out is NULL when the field
 * is absent (or null) and not required. 0 or -1 with e. */
int field_text(json_t *obj, const char *name, int required, size_t max_chars, struct arena *a,
	       const char **out, struct err *e);
/* A key or code (a login, a national id, a topic's code, a type): as field_text, but
 * normalised (text_normalize), so that any digit set or letter variant names the same. */
int field_key(json_t *obj, const char *name, int required, size_t max_chars, struct arena *a,
	      const char **out, struct err *e);
/* An integer field within [min, max]; *present says whether it was given. */
int field_int(json_t *obj, const char *name, int required, int64_t min, int64_t max,
	      int64_t *out, int *present, struct err *e);
/* A national id from a request (a path part, a query value or a field), in any digit
 * set: the 10 ASCII digits in a, or NULL with e (400 invalid_national_id naming field). */
const char *field_natid(struct arena *a, const char *in, const char *field, struct err *e);
/* Refuses any field of obj not in the NULL-terminated list `known` (400 unknown_field). */
int field_only(json_t *obj, const char *const *known, struct err *e);

#endif
