/* The JSON bodies of every route that takes one, through the served app (served.h): the
 * input's first line names a route and who sends it ("event specialist"; "event
 * specialist new" sends the event to a case opened for it, the others go to one case
 * that earlier inputs move through its states), the rest is
 * the body (its {workshop}, {nid} and {case} replaced as served.h says), sent as a POST
 * with that role's bearer token. The handler reads it with
 * req_json and base/fields.h as it does for any client, and what passes its checks is
 * written by the writer thread. Whatever the body, the answer is a well-formed reply
 * with a JSON object, and no 5xx: a body the handler let through and the database then
 * refused would be one.
 *
 * Why the whole server rather than the handlers called with a made-up struct req: a
 * handler replies through server.c (reply_json, req_write, req_slow), reads the database
 * through the loop's read transaction and finishes in a write job's done on the loop;
 * faking those would test the fakes. The served loop runs them all, in process, at
 * about a thousand requests a second.
 *
 * At start it checks that every POST route of the table (routes.c) is here or is known
 * to take no body, so that a new route with a body is not left out. */
#include <stdint.h>

#include "fuzz.h"
#include "http/http.h"
#include "routes.h"
#include "served.h"

struct target {
	const char *name;    /* as the input's first line says it */
	const char *pattern; /* the route's, as in routes.c */
	enum served_as as;
	const char *param; /* what {} stands for: "case", "workshop", or itself */
	const char *type;  /* the body's Content-Type; NULL: application/json */
};
#define MULTIPART "multipart/form-data; boundary=XyZ"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers" /* type: JSON unless named */

static const struct target targets[] = {
    {"login", "/api/v1/login", AS_NONE, NULL},
    {"otp start", "/api/v1/login/otp/start", AS_NONE, NULL},
    {"otp verify", "/api/v1/login/otp/verify", AS_NONE, NULL},
    {"case agent", "/api/v1/cases", AS_AGENT, NULL},
    {"case desk", "/api/v1/cases", AS_DESK, NULL},
    {"case citizen", "/api/v1/cases", AS_CITIZEN, NULL},
    {"event specialist", "/api/v1/cases/{}/events", AS_SPECIALIST, "case"},
    {"event agent", "/api/v1/cases/{}/events", AS_AGENT, "case"},
    {"event supervisor", "/api/v1/cases/{}/events", AS_SUPERVISOR, "case"},
    {"event citizen", "/api/v1/cases/{}/events", AS_CITIZEN, "case"},
    {"topic admin", "/api/v1/topics/{}", AS_ADMIN, "pension_not_paid"},
    {"department admin", "/api/v1/departments/{}", AS_ADMIN, "pensions"},
    {"pensions admin", "/api/v1/pensions/batches", AS_ADMIN, NULL},
    {"pensions department", "/api/v1/pensions/batches", AS_DEPARTMENT, NULL},
    {"workshop admin", "/api/v1/workshops", AS_ADMIN, NULL},
    {"workshop specialist", "/api/v1/workshops", AS_SPECIALIST, NULL},
    {"employers admin", "/api/v1/workshops/{}/employers", AS_ADMIN, "workshop"},
    {"payment specialist", "/api/v1/workshops/{}/payments", AS_SPECIALIST, "workshop"},
    {"list employer", "/api/v1/lists", AS_EMPLOYER, NULL},
    {"list agent", "/api/v1/lists", AS_AGENT, NULL},
    {"user admin", "/api/v1/users", AS_ADMIN, NULL},
    /* a file: the body is the multipart, boundary XyZ (tests/fuzz/multipart.dict) */
    {"attach agent", "/api/v1/cases/{}/attachments", AS_AGENT, "case", MULTIPART},
    {"attach citizen", "/api/v1/cases/{}/attachments", AS_CITIZEN, "case", MULTIPART},
    {"canned supervisor", "/api/v1/canned", AS_SUPERVISOR, NULL},
    {"canned department", "/api/v1/canned", AS_DEPARTMENT, NULL},
    {"canned edit", "/api/v1/canned/{}", AS_SUPERVISOR, "1"},
    /* the admin's changes to an account (agent2: no other target logs in as it) and the
     * user's own password */
    {"role admin", "/api/v1/users/{}/role", AS_ADMIN, "agent2"},
    {"reset admin", "/api/v1/users/{}/password", AS_ADMIN, "agent2"},
    {"enable admin", "/api/v1/users/{}/enable", AS_ADMIN, "agent2"},
    {"phone admin", "/api/v1/users/{}/phone-agent", AS_ADMIN, "agent2"},
    {"password self", "/api/v1/me/password", AS_AUDITOR, NULL},
    /* the e-services: a request service's form, as a citizen and as an employer (its
     * {workshop} the employer's) */
    {"service citizen", "/api/v1/services/{}/requests", AS_CITIZEN, "missing_records"},
    {"service gift", "/api/v1/services/{}/requests", AS_CITIZEN, "marriage_gift"},
    {"service employer", "/api/v1/services/{}/requests", AS_EMPLOYER, "debt_clearance"},
    /* the telephone system's queue_log lines */
    {"calls telephony", "/api/v1/calls/events", AS_TELEPHONY, NULL, "text/plain"},
};
#define NTARGETS (sizeof targets / sizeof targets[0])

/* POST routes that read no body. */
static const char *const no_body[] = {"/api/v1/logout", "/api/v1/users/{}/disable",
				      "/api/v1/pensions/batches/{}/apply", NULL};

static char paths[NTARGETS][160];

static void check_routes(void)
{
	for (const struct route *rt = api_routes; rt->pattern; rt++) {
		if (rt->method != M_POST && rt->method != M_PUT && rt->method != M_PATCH)
			continue;
		int known = 0;
		for (size_t i = 0; i < NTARGETS; i++)
			known |= !strcmp(targets[i].pattern, rt->pattern);
		for (const char *const *p = no_body; *p; p++)
			known |= !strcmp(*p, rt->pattern);
		if (!known) {
			fprintf(stderr, "fuzz_api: the route POST %s is not fuzzed: add it to"
					" targets[] (or no_body[] if it reads no body)\n",
				rt->pattern);
			exit(2);
		}
	}
}

static const struct served *start(void)
{
	static const struct served *s;
	if (s)
		return s;
	check_routes();
	s = served_start();
	for (size_t i = 0; i < NTARGETS; i++) {
		const struct target *t = &targets[i];
		const char *param = !t->param			   ? ""
				    : !strcmp(t->param, "case")	   ? s->case_id
				    : !strcmp(t->param, "workshop") ? s->workshop
								    : t->param;
		const char *hole = strstr(t->pattern, "{}");
		if (hole)
			snprintf(paths[i], sizeof paths[i], "%.*s%s%s", (int)(hole - t->pattern),
				 t->pattern, param, hole + 2);
		else
			snprintf(paths[i], sizeof paths[i], "%s", t->pattern);
	}
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct served *s = start();
	const uint8_t *nl = memchr(data, '\n', size);
	if (!nl)
		return 0;
	size_t name_len = (size_t)(nl - data), i = 0;
	/* "event agent new": the event goes to a case opened for it, so that every input
	 * can start from a new case whatever earlier ones did to case_id's */
	int fresh = name_len > 4 && !memcmp(data + name_len - 4, " new", 4);
	size_t match = fresh ? name_len - 4 : name_len;
	while (i < NTARGETS && (strlen(targets[i].name) != match ||
				memcmp(targets[i].name, data, match) != 0))
		i++;
	if (i == NTARGETS || (fresh && strcmp(targets[i].param ? targets[i].param : "", "case")))
		return -1; /* not a route: not kept in the corpus */
	size_t body_len;
	char *body = served_expand(nl + 1, size - name_len - 1, 0, &body_len);
	const struct target *t = &targets[i];
	char path[160], id[24];
	if (fresh) {
		served_new_case(id);
		snprintf(path, sizeof path, "/api/v1/cases/%s/events", id);
	}
	char head[512];
	int hn = snprintf(head, sizeof head,
			  "POST %s HTTP/1.1\r\nHost: fuzz\r\n%s%s%sContent-Type: %s\r\n"
			  "Content-Length: %zu\r\n\r\n",
			  fresh ? path : paths[i], t->as ? "Authorization: Bearer " : "", s->token[t->as],
			  t->as ? "\r\n" : "", t->type ? t->type : "application/json", body_len);
	char *req = malloc((size_t)hn + body_len);
	FUZZ_CHECK(req);
	memcpy(req, head, (size_t)hn);
	memcpy(req + hn, body, body_len);
	free(body);
	static char out[1 << 16];
	size_t got = served_exchange(req, (size_t)hn + body_len, out, sizeof out);
	free(req);
	int status = served_status(out);
	const char *b = served_body(out);
	int whole = got < sizeof out; /* a longer reply is cut: its JSON cannot be checked */
	json_t *j = b && whole ? json_loads(b, 0, NULL) : NULL;
	if (status < 200 || status >= 500 || (whole && !json_is_object(j))) {
		fprintf(stderr, "fuzz_api: %s answered:\n%.2000s\n", t->name, out);
		FUZZ_CHECK(!"every body gets a 2xx, 3xx or 4xx with a JSON object");
	}
	json_decref(j);
	return 0;
}
