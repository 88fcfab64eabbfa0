/* The catalogue of e-services (data/services/), each field's check, and the uses. */
#include "services/services.h"

#include "base/jalali.h"
#include "base/natid.h"
#include "base/text.h"
#include "catalog/catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERVICES_MAX 128

static struct service *all;
static int nall;

static const char *const type_names[FIELD_TYPES] = {
    "text",   "number", "amount",   "month",  "date",      "national_id",
    "sheba",  "mobile", "workshop", "choice", "attachment"};

const char *services_type_name(enum service_type t)
{
	return t < FIELD_TYPES ? type_names[t] : "?";
}

int services_audience_from(const char *name)
{
	if (!name)
		return 0;
	if (!strcmp(name, "insured"))
		return SERVICE_INSURED;
	if (!strcmp(name, "pensioner"))
		return SERVICE_PENSIONER;
	if (!strcmp(name, "employer"))
		return SERVICE_EMPLOYER;
	return 0;
}

const char *services_audience_name(int a)
{
	return a == SERVICE_INSURED ? "insured" : a == SERVICE_PENSIONER ? "pensioner" : "employer";
}

const struct service *services_find(const char *code)
{
	for (int i = 0; code && i < nall; i++)
		if (!strcmp(all[i].code, code))
			return &all[i];
	return NULL;
}

int services_all(const struct service **out)
{
	*out = all;
	return nall;
}

void services_release(void)
{
	free(all);
	all = NULL;
	nall = 0;
}

/* ---- reading the files ---- */

struct load {
	const char *file;
	struct service *s;
	int n;
	int line;
};

static int copy(char *dst, size_t cap, const char *src, const char *what, struct load *l,
		struct err *e)
{
	if (strlen(src) >= cap)
		return err_set(e, 500, "data", "", "%s: %s too long: %s", l->file, what, src);
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

static int service_row(char **f, int n, void *arg, struct err *e)
{
	struct load *l = arg;
	if (n != 7)
		return err_set(e, 500, "data", "", "%s: %d columns, 7 expected (%s)", l->file, n,
			       f[0]);
	if (l->n >= SERVICES_MAX)
		return err_set(e, 500, "data", "", "%s: more than %d services", l->file,
			       SERVICES_MAX);
	struct service *s = &l->s[l->n];
	memset(s, 0, sizeof *s);
	if (copy(s->code, sizeof s->code, f[0], "code", l, e) < 0 ||
	    copy(s->topic, sizeof s->topic, f[3], "topic", l, e) < 0 ||
	    copy(s->title, sizeof s->title, f[5], "title", l, e) < 0 ||
	    copy(s->description, sizeof s->description, f[6], "description", l, e) < 0)
		return -1;
	if (services_find(s->code) || !*s->code)
		return err_set(e, 500, "data", "", "%s: code %s twice or empty", l->file, s->code);
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->s[i].code, s->code))
			return err_set(e, 500, "data", "", "%s: code %s twice", l->file, s->code);
	if (!(s->audience = services_audience_from(f[1])))
		return err_set(e, 500, "data", "", "%s: %s: unknown audience %s", l->file, s->code,
			       f[1]);
	if (!strcmp(f[2], "instant")) {
		s->kind = SERVICE_INSTANT;
		if (strncmp(f[4], "/api/v1/", 8) ||
		    copy(s->path, sizeof s->path, f[4], "path", l, e) < 0)
			return err_set(e, 500, "data", "", "%s: %s: an instant service's path is an API path",
				       l->file, s->code);
		/* "{national_id}" -> "{}" */
		char *o = s->pattern;
		for (const char *q = s->path; *q; q++) {
			*o++ = *q;
			if (*q == '{')
				while (q[1] && q[1] != '}')
					q++;
		}
		*o = 0;
	} else if (!strcmp(f[2], "request")) {
		s->kind = SERVICE_REQUEST;
	} else {
		return err_set(e, 500, "data", "", "%s: %s: kind is instant or request", l->file,
			       s->code);
	}
	if (!catalog_topic_by_code(s->topic))
		return err_set(e, 500, "data", "", "%s: %s: no topic %s in topics.tsv", l->file,
			       s->code, s->topic);
	l->n++;
	return 0;
}

/* "a=label;b=label" */
static int parse_options(struct service_field *fd, const char *in, struct load *l, struct err *e)
{
	char buf[1024];
	if (strlen(in) >= sizeof buf)
		return err_set(e, 500, "data", "", "%s: %s: options too long", l->file, fd->name);
	snprintf(buf, sizeof buf, "%s", in);
	for (char *save = NULL, *p = strtok_r(buf, ";", &save); p; p = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(p, '=');
		if (!eq || fd->noptions >= SERVICE_OPTIONS_MAX)
			return err_set(e, 500, "data", "", "%s: %s: an option is value=label",
				       l->file, fd->name);
		*eq = 0;
		struct service_option *o = &fd->options[fd->noptions++];
		if (copy(o->value, sizeof o->value, p, "option", l, e) < 0 ||
		    copy(o->label, sizeof o->label, eq + 1, "option", l, e) < 0)
			return -1;
	}
	return 0;
}

static int field_row(char **f, int n, void *arg, struct err *e)
{
	struct load *l = arg;
	if (n != 7)
		return err_set(e, 500, "data", "", "%s: %d columns, 7 expected (%s)", l->file, n,
			       f[0]);
	struct service *s = NULL;
	for (int i = 0; i < l->n && !s; i++)
		if (!strcmp(l->s[i].code, f[0]))
			s = &l->s[i];
	if (!s || s->kind != SERVICE_REQUEST)
		return err_set(e, 500, "data", "", "%s: %s is no request service", l->file, f[0]);
	if (s->nfields >= SERVICE_FIELDS_MAX)
		return err_set(e, 500, "data", "", "%s: %s: too many fields", l->file, f[0]);
	struct service_field *fd = &s->fields[s->nfields];
	memset(fd, 0, sizeof *fd);
	if (copy(fd->name, sizeof fd->name, f[1], "name", l, e) < 0 ||
	    copy(fd->label, sizeof fd->label, f[5], "label", l, e) < 0)
		return -1;
	for (int i = 0; i < s->nfields; i++)
		if (!strcmp(s->fields[i].name, fd->name))
			return err_set(e, 500, "data", "", "%s: %s.%s twice", l->file, f[0], f[1]);
	int t = 0;
	while (t < FIELD_TYPES && strcmp(type_names[t], f[2]))
		t++;
	if (t == FIELD_TYPES)
		return err_set(e, 500, "data", "", "%s: %s.%s: unknown type %s", l->file, f[0],
			       f[1], f[2]);
	fd->type = (enum service_type)t;
	if (strcmp(f[3], "0") && strcmp(f[3], "1"))
		return err_set(e, 500, "data", "", "%s: %s.%s: required is 0 or 1", l->file, f[0],
			       f[1]);
	fd->required = f[3][0] == '1';
	int sized = fd->type == FIELD_TEXT || fd->type == FIELD_NUMBER || fd->type == FIELD_AMOUNT;
	char *end = NULL;
	fd->max = sized ? strtoll(f[4], &end, 10) : 0;
	if (sized && (!end || *end || fd->max <= 0))
		return err_set(e, 500, "data", "", "%s: %s.%s: max is a positive number", l->file,
			       f[0], f[1]);
	if (fd->type == FIELD_CHOICE && (parse_options(fd, f[6], l, e) < 0 || fd->noptions < 2))
		return e->message[0] ? -1
				     : err_set(e, 500, "data", "", "%s: %s.%s: two options at least",
					       l->file, f[0], f[1]);
	s->nfields++;
	return 0;
}

static int sync_db(struct db *db, const struct service *s, int n, struct err *e)
{
	for (int i = 0; i < n; i++) {
		struct db_stmt *st = db_prepare(
			db, "INSERT INTO services(code, audience, kind, topic, title)"
			    " VALUES ($1,$2,$3,$4,$5) ON CONFLICT(code) DO UPDATE SET"
			    " audience = excluded.audience, kind = excluded.kind,"
			    " topic = excluded.topic, title = excluded.title");
		db_bind_text(st, 1, s[i].code);
		db_bind_text(st, 2, services_audience_name(s[i].audience));
		db_bind_text(st, 3, s[i].kind == SERVICE_INSTANT ? "instant" : "request");
		db_bind_text(st, 4, s[i].topic);
		db_bind_text(st, 5, s[i].title);
		int rc = db_step(st);
		db_done(st);
		if (rc < 0)
			return err_set(e, 500, "data", "", "services: %s", db_errmsg(db));
	}
	return 0;
}

int services_load(struct db *db, const char *data_dir, struct err *e)
{
	struct load l = {0};
	l.s = calloc(SERVICES_MAX, sizeof *l.s);
	if (!l.s)
		return err_set(e, 500, "data", "", "out of memory");
	char path[1024];
	snprintf(path, sizeof path, "%s/services/services.tsv", data_dir);
	l.file = "services/services.tsv";
	if (tsv_read(path, service_row, &l, e) < 0)
		goto fail;
	snprintf(path, sizeof path, "%s/services/fields.tsv", data_dir);
	l.file = "services/fields.tsv";
	if (tsv_read(path, field_row, &l, e) < 0)
		goto fail;
	for (int i = 0; i < l.n; i++)
		if (l.s[i].kind == SERVICE_REQUEST && !l.s[i].nfields) {
			err_set(e, 500, "data", "", "services: %s has no form", l.s[i].code);
			goto fail;
		}
	if (db_begin(db) < 0) {
		err_set(e, 500, "data", "", "%s", db_errmsg(db));
		goto fail;
	}
	if (sync_db(db, l.s, l.n, e) < 0 || db_commit(db) < 0) {
		if (!e->message[0])
			err_set(e, 500, "data", "", "%s", db_errmsg(db));
		db_rollback(db);
		goto fail;
	}
	services_release();
	all = l.s;
	nall = l.n;
	return 0;
fail:
	free(l.s);
	return -1;
}

/* ---- checking a form ---- */

int services_sheba_valid(const char *s)
{
	if (!s || strlen(s) != 26 || s[0] != 'I' || s[1] != 'R')
		return 0;
	for (int i = 2; i < 26; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	/* ISO 13616: the first four characters moved to the end, letters as 10..35, the
	 * number mod 97 is 1; computed digit by digit */
	char moved[32];
	snprintf(moved, sizeof moved, "%s%.4s", s + 4, s);
	unsigned rem = 0;
	for (const char *p = moved; *p; p++) {
		if (*p >= '0' && *p <= '9')
			rem = (rem * 10 + (unsigned)(*p - '0')) % 97;
		else
			rem = (rem * 100 + (unsigned)(*p - 'A' + 10)) % 97;
	}
	return rem == 1;
}

/* The value as text: a JSON string, or an integer for number and amount. */
static const char *value_text(const struct service_field *f, json_t *v, struct arena *a,
			      struct err *e)
{
	if (json_is_integer(v) && (f->type == FIELD_NUMBER || f->type == FIELD_AMOUNT))
		return arena_printf(a, "%lld", (long long)json_integer_value(v));
	if (!json_is_string(v)) {
		err_set(e, 400, "invalid_field", f->name, "«%s» باید متن باشد", f->label);
		return NULL;
	}
	const char *in = json_string_value(v);
	size_t len = json_string_length(v);
	if (strlen(in) != len || !text_utf8_valid(in, len)) {
		err_set(e, 400, "invalid_field", f->name, "«%s» متن درستی نیست", f->label);
		return NULL;
	}
	return in;
}

/* s without white space, '-' and '/' kept only where asked: people type "IR06 0170
 * 0000 ..." and "۰۹۱۲ ۱۲۳ ۴۵۶۷" */
static char *squeeze(struct arena *a, const char *s)
{
	char *n = text_normalize(a, s);
	if (!n)
		return NULL;
	char *o = n;
	for (const char *p = n; *p; p++)
		if (*p != ' ' && *p != '-')
			*o++ = *p;
	*o = 0;
	return n;
}

static const char *bad(const struct service_field *f, struct err *e, const char *fmt)
{
	err_set(e, 400, "invalid_field", f->name, fmt, f->label);
	return NULL;
}

const char *services_field_check(const struct service_field *f, json_t *v, struct arena *a,
				 struct err *e)
{
	const char *in = value_text(f, v, a, e);
	if (!in)
		return NULL;
	switch (f->type) {
	case FIELD_TEXT: {
		/* people's words kept as typed, only trimmed, as base/fields.h keeps them (the
		 * desk's search normalises on its side) */
		for (const unsigned char *p = (const unsigned char *)in; *p; p++)
			if ((*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t') || *p == 0x7f)
				return bad(f, e, "«%s» نویسه‌ای دارد که پذیرفته نیست");
		char *t = arena_strdup(a, in), *end = t + strlen(t);
		while (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r')
			t++;
		while (end > t && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
			end--;
		*end = 0;
		if ((int64_t)text_utf8_len(t) > f->max) {
			err_set(e, 400, "field_too_long", f->name, "«%s» بیش از %lld نویسه است",
				f->label, (long long)f->max);
			return NULL;
		}
		return t;
	}
	case FIELD_NUMBER:
	case FIELD_AMOUNT: {
		char *n = squeeze(a, in);
		/* thousands separators people type: "," and the Arabic "٬" (U+066C) */
		char *o = n;
		for (const char *p = n ? n : ""; *p; p++) {
			if (*p == ',')
				continue;
			if ((unsigned char)p[0] == 0xd9 && (unsigned char)p[1] == 0xac) {
				p++;
				continue;
			}
			*o++ = *p;
		}
		if (o)
			*o = 0;
		/* squeeze dropped the dashes people type inside ids; here one is a minus */
		const char *d = n && !strchr(in, '-') ? text_digits(a, n, 1, 18) : NULL;
		if (!d)
			return bad(f, e, f->type == FIELD_AMOUNT ? "«%s» باید مبلغی به ریال باشد"
								 : "«%s» باید عدد باشد");
		long long x = strtoll(d, NULL, 10);
		if (x > f->max || (f->type == FIELD_NUMBER && x < 1) || x < 0) {
			err_set(e, 400, "invalid_field", f->name, "«%s» باید از ۱ تا %lld باشد",
				f->label, (long long)f->max);
			return NULL;
		}
		return arena_printf(a, "%lld", x);
	}
	case FIELD_MONTH: {
		char *n = squeeze(a, in);
		int y = 0, m = 0, len = 0;
		if (!n || sscanf(n, "%4d/%2d%n", &y, &m, &len) != 2 || n[len] || len < 6 ||
		    y < 1300 || y > 1500 || m < 1 || m > 12)
			return bad(f, e, "«%s» ماهی مانند ۱۴۰۳/۰۷ است");
		return arena_printf(a, "%04d/%02d", y, m);
	}
	case FIELD_DATE: {
		char *n = squeeze(a, in);
		struct jdate d;
		if (!n || jalali_parse(n, &d) < 0 || d.y < 1300 || d.y > 1500)
			return bad(f, e, "«%s» تاریخی مانند ۱۴۰۳/۰۷/۱۵ است");
		char out[11];
		jalali_format(d, out);
		return arena_strdup(a, out);
	}
	case FIELD_NATIONAL_ID: {
		char *n = squeeze(a, in);
		const char *d = n ? text_digits(a, n, 10, 10) : NULL;
		if (!d || !natid_valid(d))
			return bad(f, e, "«%s» کد ملی درستی نیست (۱۰ رقم با رقم کنترل)");
		return d;
	}
	case FIELD_SHEBA: {
		char *n = squeeze(a, in);
		if (n)
			for (char *p = n; *p; p++)
				if (*p >= 'a' && *p <= 'z')
					*p = (char)(*p - 'a' + 'A');
		/* the digits alone are taken as a Sheba without its IR */
		const char *s = n && n[0] >= '0' && n[0] <= '9' ? arena_printf(a, "IR%s", n) : n;
		if (!services_sheba_valid(s))
			return bad(f, e, "«%s» شماره شبای درستی نیست: IR و ۲۴ رقم که رقم کنترلش بخواند");
		return s;
	}
	case FIELD_MOBILE: {
		const char *m = text_mobile(a, in);
		if (!m)
			return bad(f, e, "«%s» شماره همراهی مانند ۰۹۱۲۱۲۳۴۵۶۷ است");
		return m;
	}
	case FIELD_WORKSHOP: {
		char *n = squeeze(a, in);
		const char *d = n ? text_digits(a, n, 10, 10) : NULL;
		if (!d)
			return bad(f, e, "«%s» کد کارگاهی ۱۰ رقمی است");
		return d;
	}
	case FIELD_CHOICE: {
		char *n = text_normalize(a, in);
		for (int i = 0; n && i < f->noptions; i++)
			if (!strcmp(n, f->options[i].value))
				return arena_strdup(a, f->options[i].value); /* the caller's, as every type's */
		return bad(f, e, "«%s» یکی از گزینه‌ها نیست");
	}
	case FIELD_ATTACHMENT:
	case FIELD_TYPES:
		break;
	}
	return bad(f, e, "«%s» پرونده‌ای است که پس از ثبت درخواست پیوست می‌شود");
}

/* a value that shows nothing is absent */
static int blank(json_t *v, struct arena *a)
{
	if (!v || json_is_null(v))
		return 1;
	if (!json_is_string(v))
		return 0;
	const char *n = text_normalize(a, json_string_value(v));
	return n && !*n;
}

int services_form_check(const struct service *s, json_t *body, struct arena *a, json_t **clean,
			struct err *e)
{
	*clean = NULL;
	if (!json_is_object(body))
		return err_set(e, 400, "invalid_body", "", "فرم باید یک شیء JSON باشد");
	const char *key;
	json_t *v;
	json_object_foreach(body, key, v)
	{
		const struct service_field *f = NULL;
		for (int i = 0; i < s->nfields && !f; i++)
			if (!strcmp(s->fields[i].name, key))
				f = &s->fields[i];
		if (!f)
			return err_set(e, 400, "unknown_field", key, "این فرم خانه‌ای به نام %.80s ندارد",
				       key);
		if (f->type == FIELD_ATTACHMENT)
			return err_set(e, 400, "invalid_field", key,
				       "«%s» پس از ثبت درخواست به پرونده پیوست می‌شود، نه در فرم",
				       f->label);
	}
	json_t *out = json_object();
	for (int i = 0; i < s->nfields; i++) {
		const struct service_field *f = &s->fields[i];
		if (f->type == FIELD_ATTACHMENT)
			continue;
		v = json_object_get(body, f->name);
		if (blank(v, a)) {
			if (!f->required)
				continue;
			json_decref(out);
			return err_set(e, 400, "missing_field", f->name, "«%s» را وارد کنید",
				       f->label);
		}
		const char *val = services_field_check(f, v, a, e);
		if (!val) {
			json_decref(out);
			return -1;
		}
		json_object_set_new(out, f->name, json_string(val));
	}
	*clean = out;
	return 0;
}

/* ---- uses ---- */

int services_use_add(struct db *db, const char *service, const char *province,
		     const char *channel, const char *outcome, int64_t now, struct err *e)
{
	struct db_stmt *s = db_prepare(db, "INSERT INTO service_uses(service, province, channel,"
					   " outcome, at) VALUES ($1,$2,$3,$4,$5)");
	db_bind_text(s, 1, service);
	db_bind_text(s, 2, province ? province : "");
	db_bind_text(s, 3, channel);
	db_bind_text(s, 4, outcome);
	db_bind_int(s, 5, now);
	int rc = db_step(s);
	db_done(s);
	return rc < 0 ? db_fail(db, e) : 0;
}

int services_uses_each(struct db *db, int64_t from, int64_t to,
		       int (*fn)(const char *service, const char *topic, const char *province,
				 const char *channel, int64_t at, void *arg),
		       void *arg, struct err *e)
{
	struct db_stmt *s = db_prepare(
		db, "SELECT u.service, COALESCE(v.topic, ''), u.province, u.channel, u.at"
		    " FROM service_uses u LEFT JOIN services v ON v.code = u.service"
		    " WHERE u.at >= $1 AND u.at < $2 ORDER BY u.at");
	if (!s)
		return db_fail(db, e);
	db_bind_int(s, 1, from);
	db_bind_int(s, 2, to);
	int rc;
	while ((rc = db_step(s)) == 1)
		if (fn(db_col_text(s, 0), db_col_text(s, 1), db_col_text(s, 2), db_col_text(s, 3),
		       db_col_int(s, 4), arg) < 0) {
			db_done(s);
			return err_set(e, 500, "internal", "", "counting the service uses failed");
		}
	db_done(s);
	return rc < 0 ? db_fail(db, e) : 0;
}

int64_t services_uses_between(struct db *db, int64_t from, int64_t to)
{
	struct db_stmt *s = db_prepare(db, "SELECT count(*) FROM service_uses WHERE at >= $1"
					   " AND at < $2 AND outcome <> 'refused'");
	if (!s)
		return -1;
	db_bind_int(s, 1, from);
	db_bind_int(s, 2, to);
	int64_t n = db_step(s) == 1 ? db_col_int(s, 0) : -1;
	db_done(s);
	return n;
}
