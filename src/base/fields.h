/* fields: reading a JSON request's fields. A missing, wrong-typed or over-long field
 * is a 400 whose error names the field. Text fields come back normalised. */
#ifndef TAMIN_BASE_FIELDS_H
#define TAMIN_BASE_FIELDS_H

#include <jansson.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

/* A text field, normalised (text_normalize), at most max_chars code points. *out is
 * NULL when the field is absent (or null) and not required. 0 or -1 with e. */
int field_text(json_t *obj, const char *name, int required, size_t max_chars, struct arena *a,
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
