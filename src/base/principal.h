/* principal: who is asking. The roles an account can hold and the principal that the
 * HTTP server fills from a session before a handler runs (users/ finds the session;
 * http/ checks a route's roles against it; neither needs the other). */
#ifndef TAMIN_BASE_PRINCIPAL_H
#define TAMIN_BASE_PRINCIPAL_H

#include <stdint.h>

enum role {
	ROLE_ADMIN = 1 << 0,
	ROLE_SUPERVISOR = 1 << 1,
	ROLE_AGENT = 1 << 2,
	ROLE_SPECIALIST = 1 << 3,
	ROLE_DESK = 1 << 4,
	ROLE_CITIZEN = 1 << 5,
	ROLE_AUDITOR = 1 << 6,
	ROLE_EMPLOYER = 1 << 7, /* acts for the workshops linked to the account */
	ROLE_TELEPHONY = 1 << 8, /* the telephone system: posts its call events (calls/) */
	ROLE_STAFF_CASES = ROLE_SUPERVISOR | ROLE_AGENT | ROLE_SPECIALIST | ROLE_DESK,
	ROLE_ANY = 0x1ff,
};
/* "agent" -> ROLE_AGENT; 0 if unknown. */
int role_from_name(const char *name);
/* ROLE_AGENT -> "agent"; "none" for anything but a single role. */
const char *role_name(int role);

/* Who is asking: filled from the session before the handler runs. */
struct principal {
	int64_t user_id; /* 0: not logged in */
	int role;
	int64_t department_id; /* 0 if none */
	int64_t person_id;     /* the citizen's own person, 0 if none */
	char login[64];
	int via_cookie; /* state changes then need the CSRF header */
	/* an admin reset the password: the account may only choose a new one (and log out)
	 * until it has */
	int must_change_password;
};

#endif
