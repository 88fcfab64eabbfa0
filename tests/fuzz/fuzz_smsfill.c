/* The SMS gateway's template filler (sms/sms.h's sms_fill): the input is split at its
 * first two NULs into a template, a number and a text. Whatever the text holds (valid UTF-8), a template
 * that gives JSON filled with one text gives JSON filled with any other, whose strings
 * carry the text back exactly; a template with "{{" not starting a placeholder is refused. */
#include <jansson.h>
#include <stdint.h>

#include "fuzz.h"
#include "sms/sms.h"

/* The part of data from *at up to the next NUL (or the end), as its own string. */
static char *part(const uint8_t *data, size_t size, size_t *at)
{
	size_t s = *at, e = s;
	while (e < size && data[e])
		e++;
	*at = e < size ? e + 1 : e;
	return fuzz_str(data + s, e - s);
}

/* Does the JSON value v hold the string want somewhere, as a value or a key? */
static int holds(json_t *v, const char *want)
{
	if (json_is_string(v))
		return strcmp(json_string_value(v), want) == 0;
	size_t i;
	json_t *x;
	const char *k;
	if (json_is_array(v))
		json_array_foreach(v, i, x) if (holds(x, want)) return 1;
	if (json_is_object(v)) /* a placeholder may stand in a key too */
		json_object_foreach(v, k, x) if (!strcmp(k, want) || holds(x, want)) return 1;
	return 0;
}

/* Does the template hold "{{text}}" as a whole string (its opening quote not an escaped
 * one inside another string)? Only then must the filled body carry the text as a value. */
static int whole_text_string(const char *tmpl)
{
	for (const char *p = strstr(tmpl, "\"{{text}}\""); p; p = strstr(p + 1, "\"{{text}}\"")) {
		size_t back = 0;
		while (p - back > tmpl && p[-(ptrdiff_t)back - 1] == '\\')
			back++;
		if (back % 2 == 0)
			return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t at = 0;
	char *tmpl = part(data, size, &at), *to = part(data, size, &at), *text = part(data, size, &at);
	struct err e = {0};
	char *plain = sms_fill(tmpl, "09120000000", "x", &e);
	char *filled = plain ? sms_fill(tmpl, to, text, &e) : NULL;
	FUZZ_CHECK(!plain == !filled);
	if (!plain)
		FUZZ_CHECK(e.status == 400 && strstr(tmpl, "{{"));
	/* a template whose keys repeat loses all but one of them when read: not compared */
	json_t *jp = plain ? json_loads(plain, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL) : NULL;
	if (jp && json_is_object(jp) && whole_text_string(tmpl)) {
		/* the number and the text are valid UTF-8 (as the outbox's always are) for JSON
		 * to carry them: only then is the result held to be JSON */
		json_t *jt = json_string(text), *jto = json_string(to);
		if (!jto) {
			json_decref(jt);
			jt = NULL;
		}
		json_decref(jto);
		json_t *jf = json_loads(filled, JSON_DECODE_ANY, NULL);
		FUZZ_CHECK(!jt || jf);
		if (jt && jf)
			FUZZ_CHECK(holds(jf, text));
		json_decref(jt);
		json_decref(jf);
	}
	json_decref(jp);
	free(plain);
	free(filled);
	free(tmpl);
	free(to);
	free(text);
	return 0;
}
