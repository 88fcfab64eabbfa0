/* The e-services' routes: the catalogue, and a request service's form opening a case. */
#include "services/services.h"

#include "app.h"
#include "audit/audit.h"
#include "base/jw.h"
#include "base/principal.h"
#include "cases/cases.h"
#include "catalog/catalog.h"
#include "http/http.h"
#include "pensions/pensions.h"
#include "store/writer.h"
#include "people/people.h"
#include "workshops/workshops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- GET /api/v1/services?audience= ---- */

static void write_service(struct jw *w, const struct service *s)
{
	jw_object(w, NULL);
	jw_str(w, "code", s->code);
	jw_str(w, "title", s->title);
	jw_str(w, "description", s->description);
	jw_str(w, "audience", services_audience_name(s->audience));
	jw_str(w, "kind", s->kind == SERVICE_INSTANT ? "instant" : "request");
	const struct topic *t = catalog_topic_by_code(s->topic);
	const struct department *d = t ? catalog_department_by_id(t->department_id) : NULL;
	jw_str(w, "topic", s->topic);
	if (s->kind == SERVICE_INSTANT) {
		jw_str(w, "path", s->path);
	} else {
		jw_str(w, "department", d ? d->code : NULL);
		jw_str(w, "department_name", d ? d->name : NULL);
		jw_array(w, "fields");
		for (int i = 0; i < s->nfields; i++) {
			const struct service_field *f = &s->fields[i];
			jw_object(w, NULL);
			jw_str(w, "name", f->name);
			jw_str(w, "label", f->label);
			jw_str(w, "type", services_type_name(f->type));
			jw_bool(w, "required", f->required);
			if (f->type == FIELD_TEXT)
				jw_int(w, "max_length", f->max);
			else if (f->type == FIELD_NUMBER || f->type == FIELD_AMOUNT)
				jw_int(w, "max", f->max);
			if (f->type == FIELD_CHOICE) {
				jw_array(w, "options");
				for (int j = 0; j < f->noptions; j++) {
					jw_object(w, NULL);
					jw_str(w, "value", f->options[j].value);
					jw_str(w, "label", f->options[j].label);
					jw_end(w);
				}
				jw_end(w);
			}
			jw_end(w);
		}
		jw_end(w);
	}
	jw_end(w);
}

/* The services of the audiences in the mask (0: all). */
static void reply_list(struct req *r, int audiences)
{
	const struct service *s;
	int n = services_all(&s);
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	jw_array(&w, "items");
	for (int i = 0; i < n; i++)
		if (!audiences || (s[i].audience & audiences))
			write_service(&w, &s[i]);
	jw_end(&w);
	jw_end(&w);
	reply_jw(r, 200, &w);
}

void services_h_list(struct req *r)
{
	const char *q = req_query(r, "audience");
	int only = q ? services_audience_from(q) : 0;
	if (q && !only) {
		reply_errorf(r, 400, "invalid_field", "audience",
			     "audience is insured, pensioner or employer");
		return;
	}
	reply_list(r, only);
}

void services_h_mine(struct req *r)
{
	if (r->who.role == ROLE_EMPLOYER) {
		reply_list(r, SERVICE_EMPLOYER);
		return;
	}
	/* a citizen: the insured's services, and the pensioners' to a pensioner */
	int p = r->who.person_id ? pensions_is_pensioner(req_db(r), r->who.person_id) : 0;
	if (p < 0) {
		reply_errorf(r, 500, "internal", "", "the pension cannot be read");
		return;
	}
	reply_list(r, SERVICE_INSURED | (p ? SERVICE_PENSIONER : 0));
}

/* ---- POST /api/v1/services/{code}/requests ---- */

struct request_ctx {
	struct req *r;
	const struct service *s;
	struct case_new c;
	const char *fields; /* the form as checked, JSON */
	const char *workshop, *province;
	struct err refused; /* a refused form: counted, then told */
	struct write_job job;
};

static int request_run(struct db *db, void *arg, struct err *e)
{
	struct request_ctx *x = arg;
	if (case_create_run(db, &x->c, e) < 0)
		return -1;
	struct db_stmt *st = db_prepare(db, "INSERT INTO service_requests(case_id, service,"
					    " workshop, fields, created) VALUES ($1,$2,$3,$4,$5)");
	db_bind_int(st, 1, x->c.case_id);
	db_bind_text(st, 2, x->s->code);
	db_bind_text(st, 3, x->workshop);
	db_bind_text(st, 4, x->fields);
	db_bind_int(st, 5, x->c.now);
	int rc = db_step(st);
	db_done(st);
	if (rc < 0)
		return db_fail(db, e);
	return services_use_add(db, x->s->code, x->province, x->c.channel, "opened", x->c.now, e);
}

static void request_done(void *arg, int rc, const struct err *e)
{
	struct request_ctx *x = arg;
	struct req *r = x->r;
	if (rc < 0) {
		reply_error(r, e);
		return;
	}
	const struct department *d = catalog_department_by_id(x->c.topic->department_id);
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	jw_str(&w, "service", x->s->code);
	jw_object(&w, "case");
	jw_int(&w, "id", x->c.case_id);
	jw_str(&w, "number", x->c.number);
	jw_str(&w, "status", "new");
	jw_str(&w, "topic", x->c.topic->code);
	jw_str(&w, "department", d ? d->code : NULL);
	jw_str(&w, "department_name", d ? d->name : NULL);
	jw_end(&w);
	jw_raw(&w, "fields", x->fields);
	/* the files the form asks for, to add at POST /api/v1/cases/{id}/attachments */
	jw_array(&w, "attachments");
	for (int i = 0; i < x->s->nfields; i++) {
		const struct service_field *f = &x->s->fields[i];
		if (f->type != FIELD_ATTACHMENT)
			continue;
		jw_object(&w, NULL);
		jw_str(&w, "name", f->name);
		jw_str(&w, "label", f->label);
		jw_bool(&w, "required", f->required);
		jw_end(&w);
	}
	jw_end(&w);
	jw_end(&w);
	reply_jw(r, 201, &w);
}

static int refused_run(struct db *db, void *arg, struct err *e)
{
	struct request_ctx *x = arg;
	return services_use_add(db, x->s->code, x->province, x->c.channel, "refused", x->c.now, e);
}

static void refused_done(void *arg, int rc, const struct err *e)
{
	struct request_ctx *x = arg;
	reply_error(x->r, rc < 0 ? e : &x->refused);
}

/* A form refused for its content: counted as a refused use, then told. */
static void refuse(struct request_ctx *x, const struct err *e)
{
	x->refused = *e;
	x->c.now = req_now();
	req_write_job(x->r, &x->job, refused_run, refused_done, x);
}

/* "label: value" lines, what the department reads on the case */
static const char *describe(struct req *r, const struct service *s, json_t *clean)
{
	const char *out = "";
	for (int i = 0; i < s->nfields; i++) {
		const struct service_field *f = &s->fields[i];
		json_t *v = json_object_get(clean, f->name);
		if (!v)
			continue;
		const char *val = json_string_value(v);
		for (int j = 0; f->type == FIELD_CHOICE && j < f->noptions; j++)
			if (!strcmp(f->options[j].value, val))
				val = f->options[j].label;
		out = arena_printf(&r->arena, "%s%s: %s\n", out, f->label, val);
	}
	return out;
}

/* The first field of the form of type t, its value in clean copied into r's arena; NULL
 * if none. */
static const char *value_of(struct req *r, const struct service *s, json_t *clean,
			    enum service_type t)
{
	for (int i = 0; i < s->nfields; i++)
		if (s->fields[i].type == t) {
			const char *v = json_string_value(json_object_get(clean, s->fields[i].name));
			return v ? arena_strdup(&r->arena, v) : NULL;
		}
	return NULL;
}

void services_h_request(struct req *r)
{
	struct err e = {0};
	const struct service *s = services_find(r->param[0]);
	if (!s || s->kind != SERVICE_REQUEST) {
		reply_errorf(r, 404, "not_found", "code", "no request service %s", r->param[0]);
		return;
	}
	int citizen = r->who.role == ROLE_CITIZEN;
	if (citizen != !(s->audience & SERVICE_EMPLOYER)) {
		reply_errorf(r, 403, "forbidden", "code", "this service is for %s",
			     services_audience_name(s->audience));
		return;
	}
	struct request_ctx *x = arena_alloc(&r->arena, sizeof *x);
	memset(x, 0, sizeof *x);
	x->r = r;
	x->s = s;
	x->c.channel = "web";
	struct person me;
	if (citizen) {
		if (people_get(req_db(r), r->who.person_id, &me, &r->arena) != 1) {
			reply_errorf(r, 403, "forbidden", "", "your account has no person linked");
			return;
		}
		x->province = me.province;
		if (s->audience == SERVICE_PENSIONER && pensions_is_pensioner(req_db(r), me.id) != 1) {
			reply_errorf(r, 403, "not_pensioner", "code",
				     "این خدمت برای مستمری‌بگیران است");
			return;
		}
	}
	json_t *b = req_json(r, &e);
	json_t *clean = NULL;
	if (!b)
		goto bad;
	if (services_form_check(s, b, &r->arena, &clean, &e) < 0) {
		refuse(x, &e);
		return;
	}
	char *dump = json_dumps(clean, JSON_COMPACT);
	x->fields = arena_strdup(&r->arena, dump ? dump : "{}");
	free(dump);
	x->workshop = value_of(r, s, clean, FIELD_WORKSHOP);
	if (!citizen) {
		/* an employer acts for the workshops linked to the account; another's is an
		 * audited refusal */
		int64_t wid = x->workshop ? workshop_id(req_db(r), x->workshop) : 0;
		if (wid <= 0 || workshop_may_act(req_db(r), &r->who, wid) != 1) {
			json_decref(clean);
			struct audit_entry *a = arena_alloc(&r->arena, sizeof *a);
			memset(a, 0, sizeof *a);
			a->action = "service_request";
			a->reason = arena_printf(&r->arena, "%s for workshop %s", s->code,
						 x->workshop ? x->workshop : "-");
			audit_refuse(r, a, "workshop", "این کارگاه از کارگاه‌های شما نیست");
			return;
		}
		x->province = workshop_province(req_db(r), x->workshop, &r->arena);
		x->c.national_id = value_of(r, s, clean, FIELD_NATIONAL_ID);
	} else {
		x->c.national_id = me.national_id;
	}
	x->c.mobile = value_of(r, s, clean, FIELD_MOBILE);
	if (!x->c.mobile && citizen)
		x->c.mobile = me.mobile;
	x->c.topic = catalog_topic_by_code(s->topic);
	x->c.subject = s->title;
	x->c.description = describe(r, s, clean);
	x->c.priority = "normal";
	x->c.who = r->who;
	x->c.ip = r->ip;
	x->c.now = req_now();
	json_decref(clean);
	if (!x->c.topic || !x->c.national_id) {
		err_set(&e, 500, "internal", "code", "the service %s cannot open a case", s->code);
		goto bad;
	}
	case_new_schedule(&x->c, r->app);
	req_write_job(r, &x->job, request_run, request_done, x);
	return;
bad:
	reply_error(r, &e);
}

/* ---- instant services: each ask counted ---- */

struct use_job {
	struct write_job job;
	char service[32], province[8], channel[16];
	int64_t now;
};

static int use_run(struct db *db, void *arg, struct err *e)
{
	struct use_job *u = arg;
	return services_use_add(db, u->service, u->province, u->channel, "answered", u->now, e);
}

static void use_done(void *arg, int rc, const struct err *e)
{
	if (rc < 0)
		fprintf(stderr, "tamin: a service use was not counted: %s\n", e->message);
	free(arg);
}

void services_count_instant(struct req *r, const char *pattern)
{
	if (!(r->who.role & (ROLE_CITIZEN | ROLE_EMPLOYER)) || !r->app->writer)
		return;
	const struct service *all;
	int n = services_all(&all);
	const struct service *s = NULL;
	/* by the route's pattern; a service whose path names no part (a document's kind)
	 * also by the path asked, since its route may take that part as a {} */
	for (int i = 0; i < n && !s; i++)
		if (all[i].kind == SERVICE_INSTANT &&
		    (!strcmp(all[i].pattern, pattern) ||
		     (!strchr(all[i].path, '{') && r->path && !strcmp(all[i].path, r->path))))
			s = &all[i];
	if (!s)
		return;
	const char *province = NULL;
	if (r->who.role == ROLE_CITIZEN) {
		struct person me;
		if (people_get(req_db(r), r->who.person_id, &me, &r->arena) == 1)
			province = me.province;
	} else if (r->param[0]) {
		province = workshop_province(req_db(r), r->param[0], &r->arena);
	}
	struct use_job *u = calloc(1, sizeof *u);
	if (!u)
		return;
	snprintf(u->service, sizeof u->service, "%s", s->code);
	snprintf(u->province, sizeof u->province, "%s", province ? province : "");
	snprintf(u->channel, sizeof u->channel, "web");
	u->now = req_now();
	u->job.run = use_run;
	u->job.done = use_done;
	u->job.arg = u;
	u->job.base = NULL; /* done() on the writer's thread: it only frees */
	writer_submit(r->app->writer, &u->job);
}
