/* users: staff and citizen accounts, Argon2id passwords, sessions and login.
 * A session token is 32 random bytes (hex); only its BLAKE2b hash is stored, so a
 * stolen database does not yield live sessions. */
#ifndef TAMIN_USERS_USERS_H
#define TAMIN_USERS_USERS_H

#include "base/arena.h"
#include "base/err.h"
#include "base/principal.h"
#include "store/store.h"

struct req;
struct tally;
struct users_pwlist;

/* Argon2id cost: OWASP's recommended 19 MiB, 2 passes. libsodium's "interactive"
 * preset (64 MiB) would take the server's peak memory past half of its budget on a
 * single login, for little more strength. */
#define USERS_PW_OPSLIMIT 2
#define USERS_PW_MEMLIMIT ((size_t)19 << 20)

struct user_new {
	const char *login;
	const char *password;
	const char *role;
	const char *department; /* department code, required for specialist */
	const char *national_id; /* required for citizen */
	const char *name;
	const char *pw_hash; /* if set, used as is instead of hashing password (demo data) */
	const char *phone_agent; /* the telephone agent (users_phone_agent_check); NULL: none */
	const struct users_pwlist *refused; /* the passwords refused (needed with password) */
};

/* The passwords refused whatever else they are, read from every *.txt file in dir (a
 * password a line; data/passwords/, see data/README.md): common and breached ones and the
 * service's own words. NULL with e when there is none. */
struct users_pwlist *users_pwlist_load(const char *dir, struct err *e);
void users_pwlist_free(struct users_pwlist *l);

/* Hashes the password (slow: Argon2id) unless pw_hash is given, and inserts the user;
 * call inside a transaction. The citizen's person is created if absent. 0 or -1 with e. */
int users_add(struct db *db, const struct user_new *u, struct err *e);
/* The checks of users_add that need no database (400s naming the field), the password's
 * among them (NIST SP 800-63B: at least 8 characters, at most 256 bytes, not common, not
 * the login, national id or name: 400 weak_password saying why). */
int users_check(const struct user_new *u, struct err *e);
/* An Argon2id hash string of password (slow: tens of milliseconds). 0 or -1. */
#define USERS_HASH_MAX 128
int users_hash_password(const char *password, char out[USERS_HASH_MAX]);

/* ---- the telephone agent of a staff account (the screen pop, calls/) ----
 * The text queue_log's agent field carries for the person: SIP/8007, PJSIP/8007,
 * Local/8007@agents, or a member name (app_queue logs the member's name, which defaults to
 * its interface). Compared exactly as the log writes it; one account per agent. */
#define USERS_PHONE_AGENT_MAX 80
/* in as typed: normalised (any digit set) and trimmed into *out (a's). 0, or -1 with e (400
 * invalid_field naming phone_agent: empty, over USERS_PHONE_AGENT_MAX bytes, a '|' or a
 * control character, which no queue_log field holds, or NONE, the log's "no agent"). */
int users_phone_agent_check(const char *in, struct arena *a, const char **out, struct err *e);
/* The account whose phone_agent is agent: its id, 0 when none, -1 on error. */
int64_t users_by_phone_agent(struct db *db, const char *agent);
/* The phone_agent of user_id (in a), or NULL when it has none. */
const char *users_phone_agent(struct db *db, int64_t user_id, struct arena *a);

/* Finds a live session: fills who and *csrf (arena). 0 found, -1 none/expired. */
int users_session_find(struct db *db, const char *token, int64_t now, struct principal *who,
		       const char **csrf, struct arena *a);
/* A session as a login answers it: the account (user_id, role, login, must_change set by
 * the caller) and, drawn by users_session_new, its token and CSRF token. */
struct users_session {
	int64_t user_id;
	char role[16];
	char login[260];
	int must_change;
	char token[65], csrf[65];
};
/* Writer side: draws u's token and CSRF token and stores the session (its token's hash),
 * valid 12 hours from now. 0, or -1 with e. */
int users_session_new(struct db *db, struct users_session *u, int64_t now, struct err *e);
/* The reply of a login: the session cookie and {"token","role","csrf","login",
 * "must_change_password"}, as POST /api/v1/login answers (the one-time code's login too). */
void users_session_reply(struct req *r, const struct users_session *u);

/* The account a person logs in to by a one-time code (otp/): with user_id 0, their active
 * citizen account, or their active employer account when they have no citizen one; with
 * a user_id, that account if it is still the person's and active. u's user_id, role,
 * login and must_change filled: 1; none: 0; -1 on error. */
int users_code_account(struct db *db, int64_t person_id, int64_t user_id, struct users_session *u);

/* Constant-time comparison of two NUL-terminated secrets. */
int users_token_equal(const char *a, const char *b);

/* The failed logins POST /api/v1/login counts (per login and per client address, over 15
 * minutes), for struct app's login_failures; freed with tally_free (base/tally.h). NULL:
 * out of memory. */
struct tally *users_login_failures_new(void);

/* The routes: POST /api/v1/login, POST /api/v1/logout, GET /api/v1/me, and for the
 * admin GET/POST /api/v1/users and POST /api/v1/users/{login}/disable. */
void users_h_login(struct req *r);
void users_h_logout(struct req *r);
void users_h_me(struct req *r);
void users_h_list(struct req *r);
void users_h_create(struct req *r);
void users_h_disable(struct req *r);
/* The admin's: POST /api/v1/users/{login}/role {"role","department"?},
 * /users/{login}/password {"password"} (the user must choose a new one at the next login)
 * and /users/{login}/enable; and anyone's POST /api/v1/me/password
 * {"current_password","password"}. GET /api/v1/users?q= finds accounts by a part of the
 * login or the name. */
void users_h_role(struct req *r);
void users_h_reset_password(struct req *r);
void users_h_enable(struct req *r);
/* POST /api/v1/users/{login}/phone-agent {"phone_agent": "SIP/8007" or null to clear}:
 * 409 phone_agent_taken when another account has it. */
void users_h_phone_agent(struct req *r);
void users_h_change_password(struct req *r);
/* GET /api/v1/departments/{code}/people: the department's active specialists and
 * supervisors, to assign a case to ({"department","department_name","items":[{"login",
 * "name","role","open_cases"}]}). */
void users_h_department_people(struct req *r);

#endif
