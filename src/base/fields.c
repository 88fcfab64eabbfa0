#include "base/fields.h"

#include "base/natid.h"
#include "base/text.h"

#include <string.h>

/* s trimmed of white space at both ends (as text_normalize counts it), in place; NULL
 * when it holds a control character other than tab, CR and LF. */
static char *trim_typed(char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') || *p == 0x7f)
			return NULL;
	char *b = s, *end = s + strlen(s);
	for (;;) {
		if (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r')
			b++;
		else if ((unsigned char)b[0] == 0xc2 && (unsigned char)b[1] == 0xa0) /* NBSP */
			b += 2;
		else
			break;
	}
	while (end > b) {
		if (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r')
			end--;
		else if (end - b >= 2 && (unsigned char)end[-2] == 0xc2 &&
			 (unsigned char)end[-1] == 0xa0)
			end -= 2;
		else
			break;
	}
	*end = 0;
	return b;
}

static int field_string(json_t *obj, const char *name, int required, size_t max_chars,
			int key, struct arena *a, const char **out, struct err *e)
{
	json_t *v = json_object_get(obj, name);
	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return err_set(e, 400, "missing_field", name, "%s is required", name);
		return 0;
	}
	if (!json_is_string(v))
		return err_set(e, 400, "invalid_field", name, "%s must be a string", name);
	const char *in = json_string_value(v);
	size_t len = json_string_length(v);
	if (strlen(in) != len || !text_utf8_valid(in, len))
		return err_set(e, 400, "invalid_field", name, "%s is not valid UTF-8 text", name);
	char *s = key ? text_normalize(a, in) : trim_typed(arena_strdup(a, in));
	if (!s)
		return err_set(e, 400, "invalid_field", name,
			       "%s holds a control character", name);
	if (text_utf8_len(s) > max_chars)
		return err_set(e, 400, "field_too_long", name, "%s is longer than %zu characters",
			       name, max_chars);
	/* text that shows nothing (white space, ZWNJ, bidi marks) is empty */
	if (required && (!*s || (!key && !*text_normalize(a, s))))
		return err_set(e, 400, "missing_field", name, "%s must not be empty", name);
	*out = s;
	return 0;
}

int field_text(json_t *obj, const char *name, int required, size_t max_chars, struct arena *a,
	       const char **out, struct err *e)
{
	return field_string(obj, name, required, max_chars, 0, a, out, e);
}

int field_key(json_t *obj, const char *name, int required, size_t max_chars, struct arena *a,
	      const char **out, struct err *e)
{
	return field_string(obj, name, required, max_chars, 1, a, out, e);
}

int field_int(json_t *obj, const char *name, int required, int64_t min, int64_t max,
	      int64_t *out, int *present, struct err *e)
{
	json_t *v = json_object_get(obj, name);
	*present = 0;
	if (!v || json_is_null(v)) {
		if (required)
			return err_set(e, 400, "missing_field", name, "%s is required", name);
		return 0;
	}
	if (!json_is_integer(v))
		return err_set(e, 400, "invalid_field", name, "%s must be an integer", name);
	int64_t x = json_integer_value(v);
	if (x < min || x > max)
		return err_set(e, 400, "invalid_field", name, "%s must be from %lld to %lld", name,
			       (long long)min, (long long)max);
	*out = x;
	*present = 1;
	return 0;
}

int field_only(json_t *obj, const char *const *known, struct err *e)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
	{
		int ok = 0;
		for (const char *const *k = known; *k && !ok; k++)
			ok = strcmp(*k, key) == 0;
		if (!ok)
			return err_set(e, 400, "unknown_field", key, "unknown field: %s", key);
	}
	return 0;
}

const char *field_natid(struct arena *a, const char *in, const char *field, struct err *e)
{
	const char *d = in ? text_digits(a, in, 10, 10) : NULL;
	if (!d || !natid_valid(d)) {
		err_set(e, 400, "invalid_national_id", field, "%s is not a valid national id",
			field);
		return NULL;
	}
	return d;
}
