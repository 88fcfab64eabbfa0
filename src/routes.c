/* The API's route table: the one place that names every URL, who may call it, and the
 * handler (in its module) that answers; and the hooks that plug users/ and web/ into the
 * server, which knows neither. */
#include "routes.h"

#include "app.h"
#include "attachments/attachments.h"
#include "audit/audit.h"
#include "base/fields.h"
#include "calls/board.h"
#include "calls/calls.h"
#include "canned/canned.h"
#include "cases/cases.h"
#include "catalog/catalog.h"
#include "documents/documents.h"
#include "lists/lists.h"
#include "otp/otp.h"
#include "live/live.h"
#include "pensions/pensions.h"
#include "pulse/pulse.h"
#include "public/public.h"
#include "records/records.h"
#include "services/services.h"
#include "staffing/staffing.h"
#include "users/users.h"
#include "web/web.h"
#include "workshops/workshops.h"

#include <string.h>

static void h_health(struct req *r) { reply_json(r, 200, json_pack("{s:s}", "status", "ok")); }
/* / is the web app's page when there is one (tamin serve --web); otherwise it says
 * where the API is. */
static void h_root(struct req *r)
{
	if (r->app->web) {
		web_h_serve(r);
		return;
	}
	reply_json(r, 200, json_pack("{s:s,s:s,s:s}", "name", "tamin", "api", "/api/v1",
				     "login", "POST /api/v1/login {\"login\",\"password\"}"));
}
/* A path outside /api/ that no route knows: the web app's, when it is served. */
static void api_fallback(struct req *r)
{
	if (r->app->web)
		web_h_serve(r);
	else
		reply_errorf(r, 404, "not_found", "", "no such resource: %s", r->path);
}

/* A role the route does not admit: 403; when the route reads personal data, the refusal
 * is audited as the handlers audit the refusals they make themselves (a person named in
 * the path is named in the row, so that they see it in their access log). */
static void api_forbidden(struct req *r, const struct route *rt)
{
	const char *message =
		arena_printf(&r->arena, "your role (%s) may not do this", role_name(r->who.role));
	if (!rt->audit) {
		reply_errorf(r, 403, "forbidden", "", "%s", message);
		return;
	}
	struct audit_entry *a = arena_alloc(&r->arena, sizeof *a);
	a->action = rt->audit;
	a->reason = arena_strdup(&r->arena, r->path);
	if (!strncmp(rt->pattern, "/api/v1/people/{}", 17)) {
		struct err e = {0};
		const char *nid = field_natid(&r->arena, r->param[0], "national_id", &e);
		struct person p;
		const char *enrol = NULL;
		if (nid && lists_find_person(req_db(r), nid, &p, &r->arena, &enrol) == 1) {
			a->person_id = p.id;
			a->enrol_national_id = enrol;
		}
	}
	audit_refuse(r, a, "", message);
}

/* An account whose password an admin reset may only choose a new one, see who it is, or
 * log out: every other route answers 403 password_change_required. */
static int api_admit(struct req *r, const struct route *rt)
{
	/* a citizen's or employer's ask of an instant e-service's route, counted (services.h) */
	if (!r->who.must_change_password && rt->method == M_GET)
		services_count_instant(r, rt->pattern);
	if (!r->who.must_change_password || rt->fn == users_h_change_password ||
	    rt->fn == users_h_me || rt->fn == users_h_logout)
		return 0;
	reply_errorf(r, 403, "password_change_required", "password",
		     "choose a new password first (POST /api/v1/me/password)");
	return -1;
}

const struct http_hooks api_hooks = {
	.session = users_session_find,
	.secret_equal = users_token_equal,
	.fallback = api_fallback,
	.forbidden = api_forbidden,
	.admit = api_admit,
};

/* The catalogue's JSON is written when it changes (at start, and after an admin's edit). */
static void reply_text(struct req *r, const char *json)
{
	struct jw w;
	jw_init(&w);
	jw_raw(&w, NULL, json);
	reply_jw(r, 200, &w);
}

static void h_topics(struct req *r) { reply_text(r, catalog_json(CATALOG_TOPICS)); }
static void h_departments(struct req *r) { reply_text(r, catalog_json(CATALOG_DEPARTMENTS)); }
static void h_channels(struct req *r) { reply_text(r, catalog_json(CATALOG_CHANNELS)); }
/* 31 provinces: small enough to write per request */
static void h_provinces(struct req *r)
{
	const struct province *p;
	int n = catalog_provinces(&p);
	json_t *a = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:s}", "code", p[i].code, "name",
						   p[i].name, "name_en", p[i].name_en));
	reply_json(r, 200, json_pack("{s:o}", "items", a));
}

/* A logout ends the streams the session opened (http.h): the server knows sessions by
 * their token, not what a logout is. They end now, as the logout is asked: the session
 * is gone a moment later, and a stream that reconnects meanwhile is ended at its first
 * heartbeat. */
static void h_logout(struct req *r)
{
	http_streams_end_session(r->token);
	users_h_logout(r);
}

/* a person's insurance record: the person, and staff who serve them (records.h) */
#define RECORD_READERS \
	(ROLE_CITIZEN | ROLE_AGENT | ROLE_DESK | ROLE_SPECIALIST | ROLE_SUPERVISOR)

/* a monthly list (lists.h) */
#define LISTS_MAX_BODY (8u << 20)

/* A route names its body limit only when it differs from the app's (max_body 0), and the
 * audit action of a refusal by role when it reads personal data (see api_forbidden). */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
const struct route api_routes[] = {
	{M_GET, "/", 0, h_root},
	{M_GET, "/healthz", 0, h_health},
	{M_POST, "/api/v1/login", 0, users_h_login},
	/* login by a one-time code sent by SMS (otp.h): no login yet, the same 202 whatever
	 * the pair, every refusal audited */
	{M_POST, "/api/v1/login/otp/start", 0, otp_h_start},
	{M_POST, "/api/v1/login/otp/verify", 0, otp_h_verify},
	/* the organisation's figures for everyone: no login, no personal data, small groups
	 * withheld, computed at most every few minutes (public.h) */
	{M_GET, "/api/v1/public/figures", 0, public_h_figures},
	{M_POST, "/api/v1/logout", ROLE_ANY, h_logout},
	/* live events: Server-Sent Events, for as long as the session lasts (live.h) */
	{M_GET, "/api/v1/stream", ROLE_STAFF_CASES | ROLE_CITIZEN, live_h_stream},
	{M_GET, "/api/v1/me", ROLE_ANY, users_h_me},
	{M_POST, "/api/v1/me/password", ROLE_ANY, users_h_change_password},
	{M_GET, "/api/v1/topics", ROLE_ANY, h_topics},
	{M_GET, "/api/v1/departments", ROLE_ANY, h_departments},
	{M_GET, "/api/v1/channels", ROLE_ANY, h_channels},
	{M_GET, "/api/v1/provinces", ROLE_ANY, h_provinces},
	{M_POST, "/api/v1/topics/{}", ROLE_ADMIN, catalog_h_topic_edit},
	{M_POST, "/api/v1/departments/{}", ROLE_ADMIN, catalog_h_department_edit},
	{M_GET, "/api/v1/stats/cases", ROLE_SUPERVISOR, cases_h_stats},
	{M_GET, "/api/v1/stats/cases.xlsx", ROLE_SUPERVISOR, cases_h_stats_xlsx},
	/* department accountability per Jalali month (cases.h) */
	{M_GET, "/api/v1/stats/departments", ROLE_SUPERVISOR, cases_h_accountability},
	{M_GET, "/api/v1/stats/departments.xlsx", ROLE_SUPERVISOR, cases_h_accountability_xlsx},
	{M_POST, "/api/v1/cases", ROLE_STAFF_CASES | ROLE_CITIZEN, cases_h_create},
	{M_GET, "/api/v1/cases", ROLE_STAFF_CASES | ROLE_CITIZEN, cases_h_list, 0, "case_list"},
	{M_GET, "/api/v1/cases/{}", ROLE_STAFF_CASES | ROLE_CITIZEN, cases_h_get, 0, "case_read"},
	{M_POST, "/api/v1/cases/{}/events", ROLE_STAFF_CASES | ROLE_CITIZEN, cases_h_event, 0,
	 "case_event"},
	/* attachments (attachments.h): a 413 names the form's field, file */
	{M_POST, "/api/v1/cases/{}/attachments", ROLE_STAFF_CASES | ROLE_CITIZEN,
	 attachments_h_add, ATTACH_MAX_BODY, "attachment_add", "file", attachments_arriving},
	{M_GET, "/api/v1/cases/{}/attachments", ROLE_STAFF_CASES | ROLE_CITIZEN, attachments_h_list,
	 0, "attachment_list"},
	{M_GET, "/api/v1/cases/{}/attachments/{}", ROLE_STAFF_CASES | ROLE_CITIZEN,
	 attachments_h_get, 0, "attachment_read"},
	{M_GET, "/api/v1/people/{}", ROLE_AGENT | ROLE_DESK | ROLE_SUPERVISOR, cases_h_person, 0, "person_read"},
	{M_GET, "/api/v1/people/{}/history", RECORD_READERS, records_h_history, 0, "record_read"},
	{M_GET, "/api/v1/people/{}/eligibility", RECORD_READERS, records_h_eligibility, 0, "record_read"},
	{M_GET, "/api/v1/people/{}/pension-estimate", RECORD_READERS, records_h_pension, 0, "record_read"},
	{M_GET, "/api/v1/people/{}/pension", RECORD_READERS, records_h_pensioner, 0, "record_read"},
	{M_GET, "/api/v1/people/{}/average-wage", RECORD_READERS, records_h_average_wage, 0, "record_read"},
	{M_GET, "/api/v1/people/{}/treatment", RECORD_READERS, records_h_treatment, 0, "record_read"},
	{M_POST, "/api/v1/pensions/batches", ROLE_ADMIN | ROLE_SUPERVISOR, pensions_h_preview},
	{M_GET, "/api/v1/pensions/batches/{}", ROLE_ADMIN | ROLE_SUPERVISOR, pensions_h_batch, 0, "pension_batch_read"},
	{M_POST, "/api/v1/pensions/batches/{}/apply", ROLE_ADMIN | ROLE_SUPERVISOR, pensions_h_apply},
	{M_GET, "/api/v1/me/access-log", ROLE_ANY, audit_h_access_log},
	{M_GET, "/api/v1/audit", ROLE_AUDITOR, audit_h_query, 0, "audit_read"},
	{M_GET, "/api/v1/audit.xlsx", ROLE_AUDITOR, audit_h_export, 0, "audit_read"},
	{M_POST, "/api/v1/workshops", ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_SPECIALIST,
	 workshops_h_create},
	{M_GET, "/api/v1/workshops",
	 ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_SPECIALIST | ROLE_AGENT | ROLE_EMPLOYER, workshops_h_mine,
	 0, "workshop_read"},
	{M_GET, "/api/v1/workshops/{}",
	 ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_SPECIALIST | ROLE_AGENT | ROLE_EMPLOYER, workshops_h_get,
	 0, "workshop_read"},
	{M_POST, "/api/v1/workshops/{}/employers", ROLE_ADMIN, workshops_h_link},
	/* papers anyone can verify (documents.h): a person's own, a workshop's clearance for
	 * its employer and staff; the verification is public, limited per address */
	{M_GET, "/api/v1/me/documents/{}", ROLE_CITIZEN, documents_h_mine, 0, "document_issue"},
	{M_GET, "/api/v1/workshops/{}/documents/clearance",
	 ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_SPECIALIST | ROLE_AGENT | ROLE_EMPLOYER,
	 documents_h_clearance, 0, "document_issue"},
	{M_GET, "/api/v1/verify/{}", 0, documents_h_verify},
	{M_POST, "/api/v1/workshops/{}/payments", ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_SPECIALIST,
	 workshops_h_payment},
	{M_POST, "/api/v1/lists",
	 ROLE_EMPLOYER | ROLE_AGENT | ROLE_SPECIALIST | ROLE_SUPERVISOR | ROLE_ADMIN, lists_h_upload,
	 LISTS_MAX_BODY},
	{M_GET, "/api/v1/users", ROLE_ADMIN, users_h_list, 0, "user_list"},
	{M_POST, "/api/v1/users", ROLE_ADMIN, users_h_create},
	{M_POST, "/api/v1/users/{}/disable", ROLE_ADMIN, users_h_disable},
	{M_POST, "/api/v1/users/{}/enable", ROLE_ADMIN, users_h_enable},
	{M_POST, "/api/v1/users/{}/role", ROLE_ADMIN, users_h_role},
	{M_POST, "/api/v1/users/{}/password", ROLE_ADMIN, users_h_reset_password},
	{M_POST, "/api/v1/users/{}/phone-agent", ROLE_ADMIN, users_h_phone_agent},
	/* the phone line (calls.h): the telephone system posts its queue_log lines (8 MiB at
	 * most, about 80,000 lines: a minute of a national centre in one request) */
	{M_POST, "/api/v1/calls/events", ROLE_TELEPHONY, calls_h_events, 8u << 20},
	{M_GET, "/api/v1/calls/figures", ROLE_SUPERVISOR, calls_h_figures},
	/* the live wallboard (calls/board.h): queues, agents (staff), today; no caller's data */
	{M_GET, "/api/v1/calls/board", ROLE_SUPERVISOR, board_h_get},
	/* canned answers (canned.h) and whom a department's case can be assigned to */
	{M_GET, "/api/v1/canned", ROLE_STAFF_CASES | ROLE_ADMIN, canned_h_list},
	{M_POST, "/api/v1/canned", ROLE_SUPERVISOR | ROLE_ADMIN, canned_h_create},
	{M_POST, "/api/v1/canned/{}", ROLE_SUPERVISOR | ROLE_ADMIN, canned_h_edit},
	{M_DELETE, "/api/v1/canned/{}", ROLE_SUPERVISOR | ROLE_ADMIN, canned_h_delete},
	{M_GET, "/api/v1/departments/{}/people", ROLE_SUPERVISOR | ROLE_SPECIALIST | ROLE_AGENT,
	 users_h_department_people},
	/* staffing: Erlang C for a supervisor's planning, no personal data (staffing.h) */
	{M_GET, "/api/v1/calls/staffing", ROLE_SUPERVISOR, staffing_h_get},
	/* the pulse (pulse.h): contacts over time, baselines and movers; counts and case
	 * numbers only */
	{M_GET, "/api/v1/pulse/series", ROLE_SUPERVISOR, pulse_h_series},
	{M_GET, "/api/v1/pulse/series.xlsx", ROLE_SUPERVISOR, pulse_h_series_xlsx},
	{M_GET, "/api/v1/pulse/movers", ROLE_SUPERVISOR, pulse_h_movers},
	{M_GET, "/api/v1/pulse/movers.xlsx", ROLE_SUPERVISOR, pulse_h_movers_xlsx},
	/* the screen pop (calls.h): a call with its caller's card, a case's calls; after
	 * every /api/v1/calls/NAME route, which {} would take */
	{M_GET, "/api/v1/calls/{}", ROLE_AGENT | ROLE_SUPERVISOR, calls_h_get, 0, "call_read"},
	{M_GET, "/api/v1/cases/{}/calls", ROLE_STAFF_CASES, calls_h_case_calls, 0, "case_read"},
	{M_GET, "/api/v1/me/call", ROLE_AGENT | ROLE_SUPERVISOR, calls_h_mine},
	/* next week's calls and agents per interval from the history (staffing.h) */
	{M_GET, "/api/v1/calls/staffing/forecast", ROLE_SUPERVISOR, staffing_h_forecast},
	{M_GET, "/api/v1/calls/staffing/forecast.xlsx", ROLE_SUPERVISOR, staffing_h_forecast_xlsx},
	/* the e-services (services.h): the catalogue for everyone (no personal data); a
	 * request service's form opens a case, a citizen's for themselves, an employer's for
	 * a workshop linked to the account */
	{M_GET, "/api/v1/services", 0, services_h_list},
	{M_GET, "/api/v1/me/services", ROLE_CITIZEN | ROLE_EMPLOYER, services_h_mine},
	{M_POST, "/api/v1/services/{}/requests", ROLE_CITIZEN | ROLE_EMPLOYER, services_h_request,
	 SERVICES_MAX_BODY},
	{0, NULL, 0, NULL},
};
