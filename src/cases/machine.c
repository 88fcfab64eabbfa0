/* The case state machine: which event may happen in which state, by whom. */
#include "cases/cases.h"

#include <string.h>

enum { S_NEW = 1, S_ASSIGNED = 2, S_PROGRESS = 4, S_WAITING = 8, S_ANSWERED = 16,
       S_REPORTED = 32, S_CLOSED = 64, S_ANY = 127 };

static const char *const status_names[] = {"new",      "assigned",	"in_progress", "waiting",
					   "answered", "reported_back", "closed"};

static int status_bit(const char *s)
{
	for (int i = 0; s && i < 7; i++)
		if (strcmp(s, status_names[i]) == 0)
			return 1 << i;
	return 0;
}

#define STAFF (ROLE_SUPERVISOR | ROLE_AGENT | ROLE_SPECIALIST | ROLE_DESK)
#define DEPT (ROLE_SUPERVISOR | ROLE_SPECIALIST)
#define FRONT (ROLE_SUPERVISOR | ROLE_AGENT | ROLE_DESK)

struct rule {
	const char *type;
	int from;	/* states it may happen in */
	int roles;
	const char *to; /* NULL: the status stays */
	const char *why; /* said when the state does not allow it */
};

static const struct rule rules[] = {
	/* a note is internal: staff write it and only staff read it */
	{"note", S_ANY, STAFF, NULL, ""},
	/* a reply is addressed to the citizen, or is the citizen's own word on their case; a
	 * citizen's reply to a case waiting on them resumes it (event_apply) */
	{"reply", S_ANY & ~S_CLOSED, STAFF | ROLE_CITIZEN, NULL,
	 "a closed case takes no reply (it can be reopened)"},
	{"assign", S_NEW | S_ASSIGNED | S_PROGRESS, STAFF, "assigned",
	 "only a case not yet answered, and not waiting, can be assigned"},
	{"start", S_NEW | S_ASSIGNED, DEPT, "in_progress",
	 "only a new or assigned case can be started"},
	{"wait", S_ASSIGNED | S_PROGRESS, DEPT, "waiting",
	 "only a case being worked on can wait"},
	{"resume", S_WAITING, DEPT | ROLE_AGENT | ROLE_DESK, "in_progress",
	 "only a waiting case can resume"},
	{"answer", S_NEW | S_ASSIGNED | S_PROGRESS, STAFF, "answered",
	 "only an open case that is not waiting can be answered"},
	{"report_back", S_ANSWERED, STAFF, "reported_back",
	 "only an answered case can be reported back to the citizen"},
	{"contact_failed", S_ANSWERED, STAFF, NULL,
	 "contact attempts are recorded on an answered case"},
	{"close", S_ANSWERED | S_REPORTED, STAFF | ROLE_CITIZEN, "closed",
	 "only a case whose outcome was reported back can be closed"},
	/* answer, report back by the same call, close: one action of the front line */
	{"solve_on_call", S_NEW | S_ASSIGNED | S_PROGRESS, FRONT, "closed",
	 "only an open case not yet answered can be solved on the call"},
	/* a duplicate closes into another case of the same person (event_merge) */
	{"merge", S_ANY & ~S_CLOSED, ROLE_SUPERVISOR | ROLE_SPECIALIST | ROLE_AGENT | ROLE_DESK,
	 "closed", "a closed case cannot be merged"},
	{"reopen", S_REPORTED | S_CLOSED, FRONT | ROLE_CITIZEN, "in_progress",
	 "only a reported or closed case can be reopened"},
	{"rate", S_REPORTED | S_CLOSED, ROLE_CITIZEN | FRONT, NULL,
	 "the service can be rated once the outcome was reported back"},
};

static const struct rule *rule_of(const char *type)
{
	for (size_t i = 0; type && i < sizeof rules / sizeof rules[0]; i++)
		if (strcmp(rules[i].type, type) == 0)
			return &rules[i];
	return NULL;
}

/* Whether rule r may happen now to a case in state bit st: 0, or -1 with e filled. */
static int allowed(const struct rule *r, int role, int st, const struct case_facts *f,
		   int64_t now, struct err *e)
{
	if (!(r->roles & role))
		return err_set(e, 403, "forbidden", "type", "your role may not %s a case", r->type);
	if (!(r->from & st))
		return err_set(e, 409, "invalid_transition", "type", "%s (the case is %s)", r->why,
			       f->status);
	if (strcmp(r->type, "close") == 0 && st == S_ANSWERED) {
		int need = f->need_attempts ? f->need_attempts : CASE_CONTACT_ATTEMPTS;
		int days = f->need_days ? f->need_days : CASE_CONTACT_DAYS;
		int counted = case_contact_counted(f);
		if (counted < need || f->contact_days < days)
			return err_set(e, 409, "invalid_transition", "type",
				       "the outcome has not been reported back to the citizen "
				       "(%d of %d failed contact attempts at different hours, over "
				       "%d of %d days)",
				       counted, need, f->contact_days < days ? f->contact_days : days,
				       days);
		if (role == ROLE_CITIZEN)
			return err_set(e, 409, "invalid_transition", "type",
				       "the outcome has not been reported back to you yet");
	}
	if (strcmp(r->type, "reopen") == 0) {
		int64_t since = f->closed_at ? f->closed_at : f->reported_at;
		if (since && now - since > (int64_t)CASE_REOPEN_DAYS * 86400)
			return err_set(e, 409, "invalid_transition", "type",
				       "a case can be reopened within %d days of its closing",
				       CASE_REOPEN_DAYS);
	}
	return 0;
}

int case_contact_counted(const struct case_facts *f)
{
	return __builtin_popcount((unsigned)f->contact_hours & 0xffffffu);
}

int case_transition(const char *type, int role, const struct case_facts *f, int64_t now,
		    const char **to, struct err *e)
{
	const struct rule *r = rule_of(type);
	if (!r)
		return err_set(e, 400, "invalid_event_type", "type",
			       "unknown event type: %s", type ? type : "");
	if (allowed(r, role, status_bit(f->status), f, now, e) < 0)
		return -1;
	*to = r->to ? r->to : f->status;
	return 0;
}

int case_allowed_events(int role, const struct case_facts *f, int64_t now, const char **out,
			int max)
{
	/* every case read asks this: the status is looked up once, not once a rule */
	int n = 0, st = status_bit(f->status);
	for (size_t i = 0; i < sizeof rules / sizeof rules[0] && n < max; i++)
		if (allowed(&rules[i], role, st, f, now, NULL) == 0)
			out[n++] = rules[i].type;
	return n;
}
