/* services: the e-services catalogue ("3070"). Kept as data in data/services/
 * (services.tsv: code, audience, kind, topic, path, title, description; fields.tsv: each
 * request service's form), read at start, synced into the table `services` and held in
 * memory, unchanged, for the server's lifetime (migration 031).
 *
 * A service is `instant`, answered at once from the records by the API at its path (the
 * records', pensions', workshops' and documents' own routes), or `request`: its form,
 * checked here field by field (services_form_check, pure), opens a case on the
 * service's topic (in the topic's department) through the case desk, and the form as
 * checked is kept beside the case (`service_requests`). Every use is counted in
 * `service_uses` (service, province, channel, outcome: answered, opened, refused), which
 * the pulse reads as its source `service` (services_uses_each).
 *
 * Routes (services/http.c): GET /api/v1/services (public), POST
 * /api/v1/services/{code}/requests (a citizen for themselves, an employer for the
 * workshops linked to the account). Uses are counted by the server, never reported by
 * a client. */
#ifndef TAMIN_SERVICES_SERVICES_H
#define TAMIN_SERVICES_SERVICES_H

#include <jansson.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "store/store.h"

struct req;

enum service_audience { SERVICE_INSURED = 1, SERVICE_PENSIONER = 2, SERVICE_EMPLOYER = 4 };
enum service_kind { SERVICE_INSTANT, SERVICE_REQUEST };

enum service_type {
	FIELD_TEXT,
	FIELD_NUMBER,
	FIELD_AMOUNT,
	FIELD_MONTH,
	FIELD_DATE,
	FIELD_NATIONAL_ID,
	FIELD_SHEBA,
	FIELD_MOBILE,
	FIELD_WORKSHOP,
	FIELD_CHOICE,
	FIELD_ATTACHMENT,
	FIELD_TYPES
};

#define SERVICE_FIELDS_MAX 12
/* a request's body: a form of at most 12 fields, the longest 2,000 characters */
#define SERVICES_MAX_BODY (32u << 10)
#define SERVICE_OPTIONS_MAX 8

struct service_option {
	char value[24];
	char label[96];
};

struct service_field {
	char name[32];
	char label[192];
	enum service_type type;
	int required;
	int64_t max; /* text: characters; number, amount: the largest value; else 0 */
	struct service_option options[SERVICE_OPTIONS_MAX];
	int noptions;
};

struct service {
	char code[32];
	int audience;
	enum service_kind kind;
	char topic[48];
	char path[128]; /* instant: the API that answers; "" for a request */
	char pattern[128]; /* path with each {name} as {}, as the route table writes it */
	char title[192];
	char description[512];
	struct service_field fields[SERVICE_FIELDS_MAX];
	int nfields;
};

/* Reads data_dir/services/{services,fields}.tsv, checks them (every topic in the
 * catalogue, catalog_sync first; every type and option known), upserts the codes into
 * `services` in one transaction and holds the result. 0, or -1 with e naming the file
 * and line. Not thread-safe: call it before the server's threads start. */
int services_load(struct db *db, const char *data_dir, struct err *e);
void services_release(void);

/* The service of a code, NULL if none. Valid until services_release. */
const struct service *services_find(const char *code);
int services_all(const struct service **out);

/* "insured" -> SERVICE_INSURED; 0 if unknown. And back. */
int services_audience_from(const char *name);
const char *services_audience_name(int audience);
const char *services_type_name(enum service_type t);

/* One field's value, checked for its type: v is a JSON string (any digit set) or, for
 * number and amount, an integer. The value as kept in a (ids, numbers, months and dates in
 * ASCII digits and one form; text as typed, trimmed), or
 * NULL with e: 400 invalid_field or field_too_long naming f->name, its message in
 * Persian. The workshop type checks the form only (10 digits); who may act for it is the
 * handler's. */
const char *services_field_check(const struct service_field *f, json_t *v, struct arena *a,
				 struct err *e);
/* The whole form: body must be an object with no field the form lacks (unknown_field),
 * no attachment (those go to the case's attachments), every required field present and
 * not empty (missing_field). *clean: a new object of the values as kept. 0, or -1 with e
 * naming the first field at fault. Pure: no database. */
int services_form_check(const struct service *s, json_t *body, struct arena *a, json_t **clean,
			struct err *e);

/* An IBAN of Iran (شبا): "IR" and 24 digits, ISO 13616's mod-97 check equal to 1. */
int services_sheba_valid(const char *s);

/* Writer side: one use counted. outcome: "answered", "opened", "refused"; province ""
 * when unknown. 0, or -1 with e. */
int services_use_add(struct db *db, const char *service, const char *province,
		     const char *channel, const char *outcome, int64_t now, struct err *e);
/* The uses answered or opened (not the refused) in [from, to): the public figures' e-service
 * uses; -1 on a database error. */
int64_t services_uses_between(struct db *db, int64_t from, int64_t to);
/* Every use in [from, to): fn(service, topic, province, channel, at, arg) in time order;
 * the pulse counts them. 0, or -1 with e. */
int services_uses_each(struct db *db, int64_t from, int64_t to,
		       int (*fn)(const char *service, const char *topic, const char *province,
				 const char *channel, int64_t at, void *arg),
		       void *arg, struct err *e);

/* Before a route's handler: when a citizen or an employer asks the route of an instant
 * service (pattern: the route's, "{}" for each part), one use of it counted `answered`
 * (the first service at that path; a service whose path has no {part} also matched by
 * the path asked, for a route such as /api/v1/me/documents/{}), in the writer's next
 * group, not waited for. */
void services_count_instant(struct req *r, const char *pattern);

/* The routes (services/http.c). */
void services_h_list(struct req *r);	/* GET /api/v1/services?audience= */
/* GET /api/v1/me/services: the caller's: an employer's, or a citizen's as insured (and as a
 * pensioner when they are one) */
void services_h_mine(struct req *r);
void services_h_request(struct req *r); /* POST /api/v1/services/{code}/requests */

#endif
