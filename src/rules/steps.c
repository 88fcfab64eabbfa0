/* Explanations: the steps a computation took, and how they are written. */
#include "rules/internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *const rules_month_fa[13] = {"",	 "فروردین", "اردیبهشت", "خرداد", "تیر",
					"مرداد", "شهریور",  "مهر",	"آبان",	 "آذر",
					"دی",	 "بهمن",    "اسفند"};

void rules_steps_init(struct rules_steps *s)
{
	memset(s, 0, sizeof *s);
}

void rules_steps_release(struct rules_steps *s)
{
	free(s->v);
	rules_steps_init(s);
}

struct rules_step *rules_step_add(struct rules_steps *s, const struct rules_value *v)
{
	if (!s)
		return NULL;
	if (s->n == s->cap) {
		int cap = s->cap ? s->cap * 2 : 16;
		struct rules_step *a = realloc(s->v, (size_t)cap * sizeof *a);
		if (!a)
			abort();
		s->v = a;
		s->cap = cap;
	}
	struct rules_step *st = &s->v[s->n++];
	memset(st, 0, sizeof *st);
	if (v) {
		st->param = v->name;
		st->since = v->since;
		st->reference = v->reference;
	}
	return st;
}

void rules_step_fa(struct rules_step *st, const char *fmt, ...)
{
	if (!st)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(st->fa, sizeof st->fa, fmt, ap);
	va_end(ap);
}

void rules_step_en(struct rules_step *st, const char *fmt, ...)
{
	if (!st)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(st->en, sizeof st->en, fmt, ap);
	va_end(ap);
}

void rules_step_num(struct rules_step *st, const char *name, int64_t value, const char *unit)
{
	if (!st || st->nnum == RULES_STEP_NUMS)
		return;
	st->num[st->nnum++] = (struct rules_num){name, value, unit};
}

const char *rules_money(char b[32], int64_t v)
{
	char digits[24];
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)u), o = 0;
	if (v < 0)
		b[o++] = '-';
	for (int i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			b[o++] = ',';
		b[o++] = digits[i];
	}
	b[o] = 0;
	return b;
}

const char *rules_pct(char b[32], int64_t bp)
{
	int64_t a = bp < 0 ? -bp : bp;
	const char *sign = bp < 0 ? "-" : "";
	if (a % 100 == 0)
		snprintf(b, 32, "%s%lld%%", sign, (long long)(a / 100));
	else if (a % 10 == 0)
		snprintf(b, 32, "%s%lld.%lld%%", sign, (long long)(a / 100),
			 (long long)(a % 100 / 10));
	else
		snprintf(b, 32, "%s%lld.%02lld%%", sign, (long long)(a / 100),
			 (long long)(a % 100));
	return b;
}

const char *rules_date(char b[11], struct jdate d)
{
	jalali_format(d, b);
	return b;
}

void rules_steps_json(struct jw *w, const char *key, const struct rules_steps *s)
{
	jw_array(w, key);
	for (int i = 0; s && i < s->n; i++) {
		const struct rules_step *st = &s->v[i];
		jw_object(w, NULL);
		jw_str(w, "fa", st->fa);
		jw_str(w, "en", st->en);
		jw_array(w, "numbers");
		for (int j = 0; j < st->nnum; j++) {
			jw_object(w, NULL);
			jw_str(w, "name", st->num[j].name);
			jw_int(w, "value", st->num[j].value);
			jw_str(w, "unit", st->num[j].unit);
			jw_end(w);
		}
		jw_end(w);
		jw_str(w, "parameter", st->param);
		if (st->param) {
			char b[11];
			jw_str(w, "since", rules_date(b, st->since));
		} else {
			jw_null(w, "since");
		}
		jw_str(w, "reference", st->reference);
		jw_end(w);
	}
	jw_end(w);
}
