/* The e-services' form check (services/services.h): any JSON body against a form with a
 * field of every type. A body is refused with a 400 naming a field (or the body), or
 * accepted with only the form's fields, none an attachment, every required one present;
 * and each value kept is a fixed point: checked again, it comes back the same. */
#include <jansson.h>
#include <stdint.h>

#include "fuzz.h"
#include "services/services.h"

static struct service form;

static void add(const char *name, enum service_type t, int required, int64_t max)
{
	struct service_field *f = &form.fields[form.nfields++];
	snprintf(f->name, sizeof f->name, "%s", name);
	snprintf(f->label, sizeof f->label, "خانه %s", name);
	f->type = t;
	f->required = required;
	f->max = max;
	if (t == FIELD_CHOICE) {
		snprintf(f->options[0].value, sizeof f->options[0].value, "12");
		snprintf(f->options[1].value, sizeof f->options[1].value, "spouse");
		f->noptions = 2;
	}
}

static void init(void)
{
	if (form.nfields)
		return;
	snprintf(form.code, sizeof form.code, "fuzz");
	form.kind = SERVICE_REQUEST;
	add("t", FIELD_TEXT, 0, 20);
	add("n", FIELD_NUMBER, 0, 31);
	add("a", FIELD_AMOUNT, 0, 1000000000000LL);
	add("m", FIELD_MONTH, 1, 0);
	add("d", FIELD_DATE, 0, 0);
	add("i", FIELD_NATIONAL_ID, 0, 0);
	add("s", FIELD_SHEBA, 0, 0);
	add("p", FIELD_MOBILE, 0, 0);
	add("w", FIELD_WORKSHOP, 0, 0);
	add("c", FIELD_CHOICE, 0, 0);
	add("f", FIELD_ATTACHMENT, 1, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	init();
	json_t *body = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (!body)
		return 0;
	struct arena a;
	arena_init(&a);
	struct err e = {0};
	json_t *clean = NULL;
	if (services_form_check(&form, body, &a, &clean, &e) < 0) {
		FUZZ_CHECK(e.status == 400 && !clean);
		/* the field at fault; "" only for a body that is no object, or a field named "" */
		FUZZ_CHECK(e.field[0] || !strcmp(e.code, "invalid_body") ||
			   !strcmp(e.code, "unknown_field"));
	} else {
		FUZZ_CHECK(clean && json_object_get(clean, "m") && !json_object_get(clean, "f"));
		const char *key;
		json_t *v;
		json_object_foreach(clean, key, v)
		{
			const struct service_field *f = NULL;
			for (int i = 0; i < form.nfields && !f; i++)
				if (!strcmp(form.fields[i].name, key))
					f = &form.fields[i];
			FUZZ_CHECK(f && f->type != FIELD_ATTACHMENT);
			const char *again = services_field_check(f, v, &a, &e);
			FUZZ_CHECK(again && !strcmp(again, json_string_value(v)));
			if (f->type == FIELD_SHEBA)
				FUZZ_CHECK(services_sheba_valid(again));
		}
	}
	json_decref(clean);
	json_decref(body);
	arena_release(&a);
	return 0;
}
