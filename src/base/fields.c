#include "base/fields.h"

#include "base/natid.h"
#include "base/text.h"

#include <string.h>

int field_text(json_t *obj, const char *name, int required, size_t max_chars, struct arena *a,
	       const char **out, struct err *e)
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
	char *s = text_normalize(a, json_string_value(v));
	if (!s)
		return err_set(e, 400, "invalid_field", name, "%s is not valid UTF-8", name);
	if (text_utf8_len(s) > max_chars)
		return err_set(e, 400, "field_too_long", name, "%s is longer than %zu characters",
			       name, max_chars);
	if (required && !*s)
		return err_set(e, 400, "missing_field", name, "%s must not be empty", name);
	*out = s;
	return 0;
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
