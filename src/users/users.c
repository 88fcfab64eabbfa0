#include "users/users.h"
#include "users/internal.h"

#include "app.h"
#include "audit/audit.h"
#include "base/fields.h"
#include "base/natid.h"
#include "base/text.h"
#include "cases/cases.h"
#include "catalog/catalog.h"
#include "http/http.h"
#include "people/people.h"

#include <event2/http.h>
#include <stdatomic.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SESSION_TTL (12 * 3600)

static void token_hash(const char *token, char out[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof h);
}

int users_token_equal(const char *a, const char *b)
{
	size_t n = strlen(a);
	return n == strlen(b) && sodium_memcmp(a, b, n) == 0;
}

/* Logins are case-insensitive ASCII or a national id in any digit set. */
char *users_login_normalize(struct arena *a, const char *in)
{
	char *s = text_normalize(a, in);
	if (!s)
		return NULL;
	for (char *p = s; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}

/* ---- the telephone agent ---- */

int users_phone_agent_check(const char *in, struct arena *a, const char **out, struct err *e)
{
	char *s = in ? text_normalize(a, in) : NULL;
	if (!s)
		return err_set(e, 400, "invalid_field", "phone_agent", "phone_agent is not UTF-8 text");
	/* as typed: a tab or a line break inside is no agent's (normalising would make it a
	 * space) */
	for (const char *p = strpbrk(in, "\t\r\n"); p; p = NULL) {
		size_t lead = strspn(in, " \t\r\n"), len = strlen(in);
		while (len > lead && strchr(" \t\r\n", in[len - 1]))
			len--;
		if ((size_t)(p - in) >= lead && (size_t)(p - in) < len)
			return err_set(e, 400, "invalid_field", "phone_agent",
				       "phone_agent has a character no queue_log field holds");
	}
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = 0;
	while (*s == ' ' || *s == '\t')
		s++, n--;
	if (!n || n > USERS_PHONE_AGENT_MAX)
		return err_set(e, 400, "invalid_field", "phone_agent",
			       "phone_agent is 1-%d characters, as queue_log writes it (SIP/8007)",
			       USERS_PHONE_AGENT_MAX);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '|')
			return err_set(e, 400, "invalid_field", "phone_agent",
				       "phone_agent has a character no queue_log field holds");
	if (!strcmp(s, "NONE"))
		return err_set(e, 400, "invalid_field", "phone_agent",
			       "NONE is queue_log's word for no agent");
	*out = s;
	return 0;
}

int64_t users_by_phone_agent(struct db *db, const char *agent)
{
	struct db_stmt *s = db_prepare(db, "SELECT id FROM users WHERE phone_agent = $1");
	if (!s)
		return -1;
	db_bind_text(s, 1, agent);
	int rc = db_step(s);
	int64_t id = rc == 1 ? db_col_int(s, 0) : rc < 0 ? -1 : 0;
	db_done(s);
	return id;
}

const char *users_phone_agent(struct db *db, int64_t user_id, struct arena *a)
{
	struct db_stmt *s = db_prepare(db, "SELECT phone_agent FROM users WHERE id = $1");
	if (!s)
		return NULL;
	db_bind_int(s, 1, user_id);
	const char *out = NULL;
	if (db_step(s) == 1 && db_col_text(s, 0))
		out = arena_strdup(a, db_col_text(s, 0));
	db_done(s);
	return out;
}

/* The checks every new user passes, without the database. On success *v holds the
 * normalised login, role, department id and national id (in a). */
struct user_valid {
	const char *login, *national_id, *phone_agent;
	int role;
	int64_t department_id;
};

static int validate(const struct user_new *u, struct arena *a, struct user_valid *v,
		    struct err *e)
{
	memset(v, 0, sizeof *v);
	v->login = u->login ? users_login_normalize(a, u->login) : NULL;
	v->role = role_from_name(u->role);
	if (!v->login || !*v->login || strlen(v->login) > 64)
		return err_set(e, 400, "invalid_login", "login", "login must be 1-64 characters");
	if (!v->role)
		return err_set(e, 400, "invalid_role", "role", "unknown role: %s",
			       u->role ? u->role : "");
	const char *own[] = {v->login, u->national_id, u->name};
	if (!u->pw_hash && !u->password)
		return err_set(e, 400, "missing_field", "password",
			       "a new account needs a password");
	if (!u->pw_hash && users_password_check(u->password, own, 3, u->refused, a, e) < 0)
		return -1;
	if (u->department && *u->department) {
		const struct department *d = catalog_department_by_code(u->department);
		if (!d)
			return err_set(e, 400, "unknown_department", "department",
				       "unknown department: %s", u->department);
		v->department_id = d->id;
	} else if (v->role == ROLE_SPECIALIST) {
		return err_set(e, 400, "missing_field", "department",
			       "a specialist needs a department");
	}
	if (u->phone_agent) {
		if (users_phone_agent_check(u->phone_agent, a, &v->phone_agent, e) < 0)
			return -1;
		if (v->role & (ROLE_CITIZEN | ROLE_EMPLOYER | ROLE_TELEPHONY))
			return err_set(e, 400, "invalid_field", "phone_agent",
				       "only staff who answer calls have a telephone agent");
	}
	/* a citizen's account is their national id's; an employer's may be tied to the
	 * employer's own national id, and then they may log in by a one-time code (otp/) */
	if (v->role == ROLE_CITIZEN || (v->role == ROLE_EMPLOYER && u->national_id)) {
		v->national_id = u->national_id ? text_digits(a, u->national_id, 10, 10) : NULL;
		if (!v->national_id || !natid_valid(v->national_id))
			return err_set(e, 400, "invalid_national_id", "national_id",
				       v->role == ROLE_CITIZEN ? "a citizen needs a valid national id"
							       : "not a valid national id");
	}
	return 0;
}

int users_check(const struct user_new *u, struct err *e)
{
	struct arena a;
	struct user_valid v;
	arena_init(&a);
	int rc = validate(u, &a, &v, e);
	arena_release(&a);
	return rc;
}

int users_add(struct db *db, const struct user_new *u, struct err *e)
{
	struct arena a;
	arena_init(&a);
	int rc = -1;
	struct user_valid v;
	int64_t person = 0;
	if (validate(u, &a, &v, e) < 0)
		goto out;
	if (v.national_id && people_ensure(db, v.national_id, NULL, (int64_t)time(NULL), &person, e) < 0)
		goto out;
	char hash[crypto_pwhash_STRBYTES];
	if (u->pw_hash)
		snprintf(hash, sizeof hash, "%s", u->pw_hash);
	else if (users_hash_password(u->password, hash) < 0) {
		err_set(e, 500, "internal", "", "out of memory hashing the password");
		goto out;
	}
	/* asked before the INSERT: after a failed statement PostgreSQL answers nothing more in
	 * the transaction, so the refusal cannot be explained afterwards */
	if (v.phone_agent && users_by_phone_agent(db, v.phone_agent) > 0) {
		err_set(e, 409, "phone_agent_taken", "phone_agent",
			"another account answers calls as %s", v.phone_agent);
		goto out;
	}
	struct db_stmt *s = db_prepare(
		db, "INSERT INTO users(login, pw_hash, role, department_id, person_id, name, created,"
		    " phone_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
	db_bind_text(s, 1, v.login);
	db_bind_text(s, 2, hash);
	db_bind_text(s, 3, role_name(v.role));
	if (v.department_id)
		db_bind_int(s, 4, v.department_id);
	if (person)
		db_bind_int(s, 5, person);
	db_bind_text(s, 6, u->name ? u->name : "");
	db_bind_int(s, 7, (int64_t)time(NULL));
	if (v.phone_agent)
		db_bind_text(s, 8, v.phone_agent);
	int st = db_step(s);
	db_done(s);
	if (st < 0) {
		if (db_is_constraint_error(db))
			err_set(e, 409, "login_taken", "login", "login %s exists already", v.login);
		else
			db_fail(db, e);
		goto out;
	}
	rc = 0;
out:
	arena_release(&a);
	return rc;
}

int users_hash_password(const char *password, char out[USERS_HASH_MAX])
{
	return crypto_pwhash_str(out, password, strlen(password), USERS_PW_OPSLIMIT,
				 USERS_PW_MEMLIMIT) == 0
		       ? 0
		       : -1;
}

/* Each loop thread keeps the sessions it has seen, so that a request does not cost a
 * query before its real work. A logout anywhere bumps the generation, which empties
 * every cache; an entry also dies with its session's expiry. */
#define SESSION_CACHE 1024
static atomic_uint session_generation = 1;
static _Thread_local struct cached_session {
	int64_t expires;
	struct principal who;
	unsigned generation;
	char th[65];
	char csrf[65];
} session_cache[SESSION_CACHE];

int users_session_find(struct db *db, const char *token, int64_t now, struct principal *who,
		       const char **csrf, struct arena *a)
{
	if (strlen(token) != 64)
		return -1;
	char th[65];
	token_hash(token, th);
	unsigned gen = atomic_load(&session_generation);
	struct cached_session *c = &session_cache[strtoul(th + 56, NULL, 16) % SESSION_CACHE];
	if (c->generation == gen && c->expires > now && strcmp(c->th, th) == 0) {
		*who = c->who;
		*csrf = arena_strdup(a, c->csrf);
		return 0;
	}
	struct db_stmt *s = db_prepare(
		db, "SELECT u.id, u.role, coalesce(u.department_id, 0), coalesce(u.person_id, 0),"
		    " u.login, s.csrf, s.expires, u.must_change_password"
		    " FROM sessions s JOIN users u ON u.id = s.user_id"
		    " WHERE s.token_hash = $1 AND s.expires > $2 AND u.disabled = 0");
	if (!s)
		return -1;
	db_bind_text(s, 1, th);
	db_bind_int(s, 2, now);
	int rc = -1;
	if (db_step(s) == 1) {
		memset(who, 0, sizeof *who);
		who->user_id = db_col_int(s, 0);
		who->role = role_from_name(db_col_text(s, 1));
		who->department_id = db_col_int(s, 2);
		who->person_id = db_col_int(s, 3);
		snprintf(who->login, sizeof who->login, "%s", db_col_text(s, 4));
		who->must_change_password = db_col_int(s, 7) != 0;
		*csrf = arena_strdup(a, db_col_text(s, 5));
		snprintf(c->th, sizeof c->th, "%s", th);
		snprintf(c->csrf, sizeof c->csrf, "%s", *csrf);
		c->who = *who;
		c->expires = db_col_int(s, 6);
		c->generation = gen;
		rc = 0;
	}
	db_done(s);
	return rc;
}

/* ---- login ---- */

struct login_ctx {
	struct req *r;
	char *login;
	char *password;
	char hash[crypto_pwhash_STRBYTES];
	int ok;
	struct users_session s;
	struct write_job job;
};

/* An unknown login is still verified against this hash, so timing does not say whether
 * the login exists. Made once, lazily, on the slow thread. */
static char dummy_hash[crypto_pwhash_STRBYTES];

static void login_verify(void *arg)
{
	struct login_ctx *c = arg;
	if (!dummy_hash[0] && crypto_pwhash_str(dummy_hash, "not-a-password", 14,
						USERS_PW_OPSLIMIT,
						USERS_PW_MEMLIMIT) != 0)
		dummy_hash[0] = 0; /* out of memory: verify below fails, as it should */
	const char *h = c->s.user_id ? c->hash : dummy_hash;
	c->ok = crypto_pwhash_str_verify(h, c->password, strlen(c->password)) == 0 && c->s.user_id;
	sodium_memzero(c->password, strlen(c->password));
}

int users_session_new(struct db *db, struct users_session *u, int64_t now, struct err *e)
{
	unsigned char raw[32];
	char th[65];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(u->token, sizeof u->token, raw, sizeof raw);
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(u->csrf, sizeof u->csrf, raw, sizeof raw);
	token_hash(u->token, th);
	struct db_stmt *s = db_prepare(db, "INSERT INTO sessions(token_hash, user_id, csrf, created,"
					   " expires) VALUES ($1, $2, $3, $4, $5)");
	db_bind_text(s, 1, th);
	db_bind_int(s, 2, u->user_id);
	db_bind_text(s, 3, u->csrf);
	db_bind_int(s, 4, now);
	db_bind_int(s, 5, now + SESSION_TTL);
	int rc = db_step(s);
	db_done(s);
	/* Old sessions go when anyone logs in: cheap upkeep with an index on the key. */
	struct db_stmt *d = db_prepare(db, "DELETE FROM sessions WHERE expires < $1");
	db_bind_int(d, 1, now);
	db_step(d);
	db_done(d);
	return rc < 0 ? db_fail(db, e) : 0;
}

void users_session_reply(struct req *r, const struct users_session *u)
{
	char cookie[200];
	snprintf(cookie, sizeof cookie,
		 "tamin_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", u->token,
		 SESSION_TTL, r->app->cookie_secure ? "; Secure" : "");
	req_set_header(r, "Set-Cookie", cookie);
	reply_json(r, 200,
		   json_pack("{s:s,s:s,s:s,s:s,s:b}", "token", u->token, "role", u->role, "csrf",
			     u->csrf, "login", u->login, "must_change_password", u->must_change));
}

int users_code_account(struct db *db, int64_t person_id, int64_t user_id, struct users_session *u)
{
	struct db_stmt *s = db_prepare(
	    db, "SELECT id, role, login, must_change_password FROM users WHERE person_id = $1"
		" AND disabled = 0 AND role IN ('citizen', 'employer') AND ($2 = 0 OR id = $2)"
		" ORDER BY role = 'citizen' DESC, id LIMIT 1");
	if (!s)
		return -1;
	db_bind_int(s, 1, person_id);
	db_bind_int(s, 2, user_id);
	int rc = db_step(s);
	if (rc == 1) {
		u->user_id = db_col_int(s, 0);
		snprintf(u->role, sizeof u->role, "%s", db_col_text(s, 1));
		snprintf(u->login, sizeof u->login, "%s", db_col_text(s, 2));
		u->must_change = db_col_int(s, 3) != 0;
	}
	db_done(s);
	return rc;
}

static int login_store(struct db *db, void *arg, struct err *e)
{
	struct login_ctx *c = arg;
	return users_session_new(db, &c->s, (int64_t)time(NULL), e);
}

static void login_stored(void *arg, int rc, const struct err *e)
{
	struct login_ctx *c = arg;
	if (rc < 0) {
		reply_error(c->r, e);
		return;
	}
	users_session_reply(c->r, &c->s);
}

static void login_verified(void *arg)
{
	struct login_ctx *c = arg;
	struct req *r = c->r;
	if (!c->ok) {
		reply_errorf(r, 401, "invalid_credentials", "password",
			     "the login or the password is wrong");
		return;
	}
	users_limit_forgive(r->app->login_failures, c->login, r->ip, req_now());
	c->job.run = login_store;
	c->job.done = login_stored;
	c->job.arg = c;
	req_write(r, &c->job);
}

void users_h_login(struct req *r)
{
	struct err e;
	json_t *body = req_json(r, &e);
	if (!body) {
		reply_error(r, &e);
		return;
	}
	json_t *jl = json_object_get(body, "login"), *jp = json_object_get(body, "password");
	if (!json_is_string(jl) || !json_string_length(jl) || json_string_length(jl) > 64) {
		reply_errorf(r, 400, jl ? "invalid_field" : "missing_field", "login",
			     "login must be a string of 1-64 characters");
		return;
	}
	if (!json_is_string(jp) || !json_string_length(jp) || json_string_length(jp) > 256) {
		reply_errorf(r, 400, jp ? "invalid_field" : "missing_field", "password",
			     "password must be a string of 1-256 characters");
		return;
	}
	struct login_ctx *c = arena_alloc(&r->arena, sizeof *c);
	c->r = r;
	c->login = users_login_normalize(&r->arena, json_string_value(jl));
	c->password = arena_strdup(&r->arena, json_string_value(jp));
	if (!c->login) {
		reply_errorf(r, 400, "invalid_field", "login", "login is not valid UTF-8");
		return;
	}
	if (users_limit_try(r->app->login_failures, c->login, r->ip, r->app->login_limit,
			    req_now()) < 0) {
		req_set_header(r, "Retry-After", "900");
		reply_errorf(r, 429, "too_many_attempts", "login",
			     "too many failed logins; try again in 15 minutes");
		return;
	}
	struct db_stmt *s = db_prepare(req_db(r), "SELECT id, pw_hash, role, must_change_password"
						  " FROM users WHERE login = $1 AND disabled = 0");
	db_bind_text(s, 1, c->login);
	if (db_step(s) == 1) {
		c->s.user_id = db_col_int(s, 0);
		snprintf(c->hash, sizeof c->hash, "%s", db_col_text(s, 1));
		snprintf(c->s.role, sizeof c->s.role, "%s", db_col_text(s, 2));
		c->s.must_change = db_col_int(s, 3) != 0;
	}
	snprintf(c->s.login, sizeof c->s.login, "%s", c->login);
	db_done(s);
	req_slow(r, login_verify, login_verified, c);
}

struct logout_ctx {
	struct req *r;
	char th[65];
	struct write_job job;
};

static int logout_run(struct db *db, void *arg, struct err *e)
{
	struct logout_ctx *c = arg;
	struct db_stmt *s = db_prepare(db, "DELETE FROM sessions WHERE token_hash = $1");
	db_bind_text(s, 1, c->th);
	int rc = db_step(s);
	db_done(s);
	return rc < 0 ? db_fail(db, e) : 0;
}

static void logout_done(void *arg, int rc, const struct err *e)
{
	struct logout_ctx *c = arg;
	atomic_fetch_add(&session_generation, 1); /* every loop forgets its cached sessions */
	if (rc < 0) {
		reply_error(c->r, e);
		return;
	}
	req_set_header(c->r, "Set-Cookie",
		       c->r->app->cookie_secure
			   ? "tamin_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure"
			   : "tamin_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	reply_json(c->r, 200, json_pack("{s:b}", "ok", 1));
}

void users_h_logout(struct req *r)
{
	struct logout_ctx *c = arena_alloc(&r->arena, sizeof *c);
	c->r = r;
	token_hash(r->token ? r->token : "", c->th);
	c->job.run = logout_run;
	c->job.done = logout_done;
	c->job.arg = c;
	req_write(r, &c->job);
}

void users_h_me(struct req *r)
{
	struct db_stmt *s = db_prepare(
		req_db(r), "SELECT u.login, u.name, u.role, d.code, p.national_id FROM users u"
			   " LEFT JOIN departments d ON d.id = u.department_id"
			   " LEFT JOIN people p ON p.id = u.person_id WHERE u.id = $1");
	db_bind_int(s, 1, r->who.user_id);
	json_t *out = NULL;
	if (db_step(s) == 1)
		out = json_pack("{s:s,s:s,s:s,s:s?,s:s?,s:s?,s:b}", "login", db_col_text(s, 0),
				"name", db_col_text(s, 1), "role", db_col_text(s, 2), "department",
				db_col_text(s, 3), "national_id", db_col_text(s, 4), "csrf", r->csrf,
				"must_change_password", r->who.must_change_password);
	db_done(s);
	if (!out) {
		reply_errorf(r, 401, "unauthenticated", "", "log in first");
		return;
	}
	reply_json(r, 200, out);
}

/* ---- the admin's user management ---- */

_Static_assert(USERS_HASH_MAX >= crypto_pwhash_STRBYTES, "hash buffer too small");

/* s for LIKE ... ESCAPE '\': its own % _ and \ match themselves, inside %...% */
static char *like_pattern(struct arena *a, const char *s)
{
	char *out = arena_alloc(a, strlen(s) * 2 + 3), *p = out;
	*p++ = '%';
	for (; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			*p++ = '\\';
		*p++ = *s;
	}
	*p++ = '%';
	*p = 0;
	return out;
}

void users_h_list(struct req *r)
{
	/* q: a part of the login or the name, normalised as each is stored (a login in
	 * Persian digits or capitals finds its account, «علي» finds «علی») */
	const char *q = req_query(r, "q");
	const char *ql = NULL, *qn = NULL;
	if (q) {
		ql = users_login_normalize(&r->arena, q);
		qn = text_normalize(&r->arena, q);
		if (!ql || !qn || text_utf8_len(qn) > 64) {
			reply_errorf(r, 400, "invalid_query", "q",
				     "q is text of at most 64 characters");
			return;
		}
		if (!*qn)
			q = NULL;
	}
	struct db_stmt *s = db_prepare(
	    req_db(r), q ? "SELECT u.login, u.name, u.role, d.code, u.disabled, u.created,"
			   " p.national_id, u.must_change_password, u.phone_agent FROM users u"
			   " LEFT JOIN departments d ON d.id = u.department_id"
			   " LEFT JOIN people p ON p.id = u.person_id"
			   " WHERE u.login LIKE $1 ESCAPE '\\' OR u.name LIKE $2 ESCAPE '\\'"
			   " ORDER BY u.id LIMIT 200"
			 : "SELECT u.login, u.name, u.role, d.code, u.disabled, u.created,"
			   " p.national_id, u.must_change_password, u.phone_agent FROM users u"
			   " LEFT JOIN departments d ON d.id = u.department_id"
			   " LEFT JOIN people p ON p.id = u.person_id ORDER BY u.id LIMIT 5000");
	if (q) {
		db_bind_text(s, 1, like_pattern(&r->arena, ql));
		db_bind_text(s, 2, like_pattern(&r->arena, qn));
	}
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	jw_array(&w, "items");
	while (db_step(s) == 1) {
		jw_object(&w, NULL);
		jw_str(&w, "login", db_col_text(s, 0));
		jw_str(&w, "name", db_col_text(s, 1));
		jw_str(&w, "role", db_col_text(s, 2));
		jw_str(&w, "department", db_col_text(s, 3));
		jw_bool(&w, "disabled", (int)db_col_int(s, 4));
		jw_time(&w, "created", db_col_int(s, 5));
		jw_str(&w, "national_id", db_col_text(s, 6));
		jw_bool(&w, "must_change_password", (int)db_col_int(s, 7));
		jw_str(&w, "phone_agent", db_col_text(s, 8));
		jw_end(&w);
	}
	db_done(s);
	jw_end(&w);
	jw_end(&w);
	reply_jw(r, 200, &w);
}

struct user_ctx {
	struct req *r;
	struct user_new u;
	char hash[USERS_HASH_MAX];
	int hashed;
	int64_t now;
	struct write_job job;
};

static int user_create_run(struct db *db, void *arg, struct err *e)
{
	struct user_ctx *c = arg;
	if (users_add(db, &c->u, e) < 0)
		return -1;
	struct audit_entry a = {.action = "user_create", .reason = c->u.login};
	return audit_insert(db, &c->r->who, c->r->ip, c->now, &a, e);
}

static void user_created(void *arg, int rc, const struct err *e)
{
	struct user_ctx *c = arg;
	if (rc < 0) {
		reply_error(c->r, e);
		return;
	}
	reply_json(c->r, 201, json_pack("{s:s,s:s,s:s?,s:s?,s:s?}", "login", c->u.login, "role",
					c->u.role, "department", c->u.department, "name",
					c->u.name, "phone_agent", c->u.phone_agent));
}

static void user_hash(void *arg)
{
	struct user_ctx *c = arg;
	c->hashed = users_hash_password(c->u.password, c->hash) == 0;
	sodium_memzero((void *)c->u.password, strlen(c->u.password));
}

static void user_hashed(void *arg)
{
	struct user_ctx *c = arg;
	if (!c->hashed) {
		reply_errorf(c->r, 503, "unavailable", "", "the password could not be hashed");
		return;
	}
	c->u.pw_hash = c->hash;
	c->now = req_now();
	c->job.run = user_create_run;
	c->job.done = user_created;
	c->job.arg = c;
	req_write(c->r, &c->job);
}

void users_h_create(struct req *r)
{
	static const char *const known[] = {"login", "password", "role",	 "department",
					    "national_id", "name", "phone_agent", NULL};
	struct err e;
	json_t *b = req_json(r, &e);
	if (!b) {
		reply_error(r, &e);
		return;
	}
	struct user_ctx *c = arena_alloc(&r->arena, sizeof *c);
	c->r = r;
	json_t *pw = json_object_get(b, "password");
	if (field_only(b, known, &e) < 0 || field_key(b, "login", 1, 64, &r->arena, &c->u.login, &e) < 0 ||
	    field_key(b, "role", 1, 16, &r->arena, &c->u.role, &e) < 0 ||
	    field_key(b, "department", 0, 32, &r->arena, &c->u.department, &e) < 0 ||
	    field_key(b, "national_id", 0, 20, &r->arena, &c->u.national_id, &e) < 0 ||
	    field_text(b, "name", 0, 120, &r->arena, &c->u.name, &e) < 0 ||
	    field_text(b, "phone_agent", 0, 200, &r->arena, &c->u.phone_agent, &e) < 0)
		goto bad;
	/* the password is taken as typed: normalising it would change what was chosen */
	if (!json_is_string(pw)) {
		err_set(&e, 400, pw ? "invalid_field" : "missing_field", "password",
			"password must be a string of 8-256 characters");
		goto bad;
	}
	c->u.password = arena_strdup(&r->arena, json_string_value(pw));
	c->u.login = users_login_normalize(&r->arena, c->u.login); /* as it will be stored */
	c->u.refused = r->app->refused_passwords;
	if (users_check(&c->u, &e) < 0 ||
	    (c->u.phone_agent &&
	     users_phone_agent_check(c->u.phone_agent, &r->arena, &c->u.phone_agent, &e) < 0))
		goto bad;
	req_slow(r, user_hash, user_hashed, c);
	return;
bad:
	reply_error(r, &e);
}

struct disable_ctx {
	struct req *r;
	const char *login;
	int64_t now, user_id;
	struct write_job job;
};

static int user_disable_run(struct db *db, void *arg, struct err *e)
{
	struct disable_ctx *c = arg;
	struct db_stmt *s = db_prepare(db, "UPDATE users SET disabled = 1 WHERE login = $1"
					   " RETURNING id");
	db_bind_text(s, 1, c->login);
	int64_t id = db_step(s) == 1 ? db_col_int(s, 0) : 0;
	db_done(s);
	if (!id)
		return err_set(e, 404, "not_found", "login", "no user %s", c->login);
	if (id == c->r->who.user_id)
		return err_set(e, 409, "self", "login", "an admin cannot disable their own account");
	c->user_id = id;
	struct db_stmt *d = db_prepare(db, "DELETE FROM sessions WHERE user_id = $1");
	db_bind_int(d, 1, id);
	int rc = db_step(d);
	db_done(d);
	if (rc < 0)
		return db_fail(db, e);
	struct audit_entry a = {.action = "user_disable", .reason = c->login};
	return audit_insert(db, &c->r->who, c->r->ip, c->now, &a, e);
}

static void user_disabled(void *arg, int rc, const struct err *e)
{
	struct disable_ctx *c = arg;
	if (rc < 0) {
		reply_error(c->r, e);
		return;
	}
	atomic_fetch_add(&session_generation, 1); /* cached sessions of the user die too */
	http_streams_end_user(c->user_id);	  /* and their live streams, at once */
	reply_json(c->r, 200, json_pack("{s:s,s:b}", "login", c->login, "disabled", 1));
}

void users_h_disable(struct req *r)
{
	struct disable_ctx *c = arena_alloc(&r->arena, sizeof *c);
	c->r = r;
	c->login = users_login_normalize(&r->arena, r->param[0]);
	if (!c->login) {
		reply_errorf(r, 400, "invalid_login", "login", "not a login");
		return;
	}
	c->now = req_now();
	c->job.run = user_disable_run;
	c->job.done = user_disabled;
	c->job.arg = c;
	req_write(r, &c->job);
}

/* ---- the admin's changes to an account, and the user's own password ---- */

/* An admin's change to the account named in the path: its role, a reset password (which
 * the user must change at the next login), or its re-enabling. Each ends the account's
 * sessions (a role's principal, a reset's old password) except enable's (it had none). */
enum account_act { ACT_ROLE, ACT_RESET, ACT_ENABLE, ACT_PHONE };

struct account_ctx {
	struct req *r;
	enum account_act act;
	const char *login;
	const char *role;	/* ACT_ROLE */
	int64_t department_id;	/* ACT_ROLE, 0: none */
	const char *department; /* its code, for the reply */
	const char *password;	/* ACT_RESET, until hashed */
	const char *phone_agent; /* ACT_PHONE; NULL: cleared */
	char hash[USERS_HASH_MAX];
	int hashed;
	int64_t user_id; /* ACT_RESET: read before hashing */
	int64_t now;
	struct write_job job;
};

static int end_sessions(struct db *db, int64_t user_id, const char *keep_th, struct err *e)
{
	struct db_stmt *d = db_prepare(db, keep_th ? "DELETE FROM sessions WHERE user_id = $1"
						     " AND token_hash <> $2"
						   : "DELETE FROM sessions WHERE user_id = $1");
	db_bind_int(d, 1, user_id);
	if (keep_th)
		db_bind_text(d, 2, keep_th);
	int rc = db_step(d);
	db_done(d);
	return rc < 0 ? db_fail(db, e) : 0;
}

static int account_run(struct db *db, void *arg, struct err *e)
{
	struct account_ctx *c = arg;
	struct db_stmt *s = db_prepare(db, "SELECT id, role FROM users WHERE login = $1");
	db_bind_text(s, 1, c->login);
	int64_t id = 0;
	const char *old_role = "";
	if (db_step(s) == 1) {
		id = db_col_int(s, 0);
		old_role = arena_strdup(&c->r->arena, db_col_text(s, 1));
	}
	db_done(s);
	if (!id)
		return err_set(e, 404, "not_found", "login", "no user %s", c->login);
	if (c->act != ACT_ENABLE && c->act != ACT_PHONE && id == c->r->who.user_id)
		return err_set(
		    e, 409, "self", "login",
		    c->act == ACT_ROLE
			? "an admin cannot change their own role"
			: "an admin changes their own password with POST /api/v1/me/password");
	if (c->act == ACT_RESET && id != c->user_id)
		return err_set(e, 409, "conflict", "login", "the account changed; try again");
	c->user_id = id; /* its streams end with its sessions (account_done) */
	const char *action, *reason = c->login;
	struct db_stmt *u;
	if (c->act == ACT_ROLE) {
		if (!strcmp(old_role, "citizen"))
			return err_set(e, 400, "invalid_role", "role",
				       "a citizen's account is tied to their national id: its role "
				       "does not change");
		u = db_prepare(db, "UPDATE users SET role = $1, department_id = $2 WHERE id = $3");
		db_bind_text(u, 1, c->role);
		if (c->department_id)
			db_bind_int(u, 2, c->department_id);
		db_bind_int(u, 3, id);
		action = "user_role";
		reason = arena_printf(&c->r->arena, "%s: %s -> %s", c->login, old_role, c->role);
	} else if (c->act == ACT_RESET) {
		u = db_prepare(db, "UPDATE users SET pw_hash = $1, must_change_password = 1"
				   " WHERE id = $2");
		db_bind_text(u, 1, c->hash);
		db_bind_int(u, 2, id);
		action = "user_password_reset";
	} else if (c->act == ACT_PHONE) {
		if (c->phone_agent && (!strcmp(old_role, "citizen") || !strcmp(old_role, "employer") ||
				       !strcmp(old_role, "telephony")))
			return err_set(e, 400, "invalid_field", "phone_agent",
				       "only staff who answer calls have a telephone agent");
		u = db_prepare(db, "UPDATE users SET phone_agent = $1 WHERE id = $2");
		if (c->phone_agent)
			db_bind_text(u, 1, c->phone_agent);
		db_bind_int(u, 2, id);
		action = "user_phone_agent";
		reason = arena_printf(&c->r->arena, "%s: %s", c->login,
				      c->phone_agent ? c->phone_agent : "none");
	} else {
		u = db_prepare(db, "UPDATE users SET disabled = 0 WHERE id = $1");
		db_bind_int(u, 1, id);
		action = "user_enable";
	}
	int rc = db_step(u);
	db_done(u);
	if (rc < 0 && c->act == ACT_PHONE && db_is_constraint_error(db))
		return err_set(e, 409, "phone_agent_taken", "phone_agent",
			       "another account answers calls as %s", c->phone_agent);
	if (rc < 0)
		return db_fail(db, e);
	if (c->act != ACT_ENABLE && c->act != ACT_PHONE && end_sessions(db, id, NULL, e) < 0)
		return -1;
	struct audit_entry a = {.action = action, .reason = reason};
	return audit_insert(db, &c->r->who, c->r->ip, c->now, &a, e);
}

static void account_done(void *arg, int rc, const struct err *e)
{
	struct account_ctx *c = arg;
	sodium_memzero(c->hash, sizeof c->hash);
	if (rc < 0) {
		reply_error(c->r, e);
		return;
	}
	if (c->act == ACT_PHONE) { /* no session changes: its principal is the same */
		reply_json(c->r, 200, json_pack("{s:s,s:s?}", "login", c->login, "phone_agent",
						c->phone_agent));
		return;
	}
	atomic_fetch_add(&session_generation, 1); /* the account's cached sessions are stale */
	if (c->act != ACT_ENABLE)
		http_streams_end_user(c->user_id); /* its sessions ended: its streams too */
	json_t *out = json_pack("{s:s}", "login", c->login);
	if (c->act == ACT_ROLE) {
		json_object_set_new(out, "role", json_string(c->role));
		json_object_set_new(out, "department",
				    c->department ? json_string(c->department) : json_null());
	} else if (c->act == ACT_RESET) {
		json_object_set_new(out, "must_change_password", json_true());
	} else {
		json_object_set_new(out, "disabled", json_false());
	}
	reply_json(c->r, 200, out);
}

static void account_write(struct account_ctx *c)
{
	c->now = req_now();
	c->job.run = account_run;
	c->job.done = account_done;
	c->job.arg = c;
	req_write(c->r, &c->job);
}

/* The context for the account in the path; NULL when it replied (400). */
static struct account_ctx *account_of(struct req *r, enum account_act act)
{
	struct account_ctx *c = arena_alloc(&r->arena, sizeof *c);
	memset(c, 0, sizeof *c);
	c->r = r;
	c->act = act;
	c->login = users_login_normalize(&r->arena, r->param[0]);
	if (!c->login || !*c->login || strlen(c->login) > 64) {
		reply_errorf(r, 400, "invalid_login", "login", "not a login");
		return NULL;
	}
	return c;
}

void users_h_enable(struct req *r)
{
	struct account_ctx *c = account_of(r, ACT_ENABLE);
	if (c)
		account_write(c);
}

void users_h_phone_agent(struct req *r)
{
	static const char *const known[] = {"phone_agent", NULL};
	struct err e;
	struct account_ctx *c = account_of(r, ACT_PHONE);
	if (!c)
		return;
	json_t *b = req_json(r, &e);
	if (!b || field_only(b, known, &e) < 0)
		goto bad;
	json_t *v = json_object_get(b, "phone_agent");
	if (!v) {
		err_set(&e, 400, "missing_field", "phone_agent",
			"phone_agent is the agent as queue_log writes it (SIP/8007), or null");
		goto bad;
	}
	if (!json_is_null(v) &&
	    (!json_is_string(v) ||
	     users_phone_agent_check(json_string_value(v), &r->arena, &c->phone_agent, &e) < 0)) {
		if (!json_is_string(v))
			err_set(&e, 400, "invalid_field", "phone_agent",
				"phone_agent is a string (SIP/8007) or null");
		goto bad;
	}
	account_write(c);
	return;
bad:
	reply_error(r, &e);
}

void users_h_role(struct req *r)
{
	static const char *const known[] = {"role", "department", NULL};
	struct err e;
	struct account_ctx *c = account_of(r, ACT_ROLE);
	if (!c)
		return;
	json_t *b = req_json(r, &e);
	const char *dept = NULL;
	if (!b || field_only(b, known, &e) < 0 ||
	    field_text(b, "role", 1, 16, &r->arena, &c->role, &e) < 0 ||
	    field_text(b, "department", 0, 32, &r->arena, &dept, &e) < 0)
		goto bad;
	int role = role_from_name(c->role);
	if (!role) {
		err_set(&e, 400, "invalid_role", "role", "unknown role: %s", c->role);
		goto bad;
	}
	if (role == ROLE_CITIZEN) {
		err_set(&e, 400, "invalid_role", "role",
			"a citizen's account is made with their national id (POST /api/v1/users)");
		goto bad;
	}
	if (dept && *dept) {
		const struct department *d = catalog_department_by_code(dept);
		if (!d) {
			err_set(&e, 400, "unknown_department", "department",
				"unknown department: %s", dept);
			goto bad;
		}
		c->department_id = d->id;
		c->department = dept;
	} else if (role == ROLE_SPECIALIST) {
		err_set(&e, 400, "missing_field", "department", "a specialist needs a department");
		goto bad;
	}
	account_write(c);
	return;
bad:
	reply_error(r, &e);
}

/* The account's own words, which its password may not be: login, national id, name. 0, or
 * -1 with e (404 when there is no such account). */
static int own_words(struct db *db, const char *by, const char *key, int64_t id, struct arena *a,
		     int64_t *user_id, const char *own[3], char *hash, struct err *e)
{
	struct db_stmt *s = db_prepare(
	    db, !strcmp(by, "id")
		    ? "SELECT u.id, u.login, p.national_id, u.name, u.pw_hash FROM users u"
		      " LEFT JOIN people p ON p.id = u.person_id WHERE u.id = $1"
		    : "SELECT u.id, u.login, p.national_id, u.name, u.pw_hash FROM users u"
		      " LEFT JOIN people p ON p.id = u.person_id WHERE u.login = $1");
	if (key)
		db_bind_text(s, 1, key);
	else
		db_bind_int(s, 1, id);
	int rc = -1;
	if (db_step(s) == 1) {
		*user_id = db_col_int(s, 0);
		for (int i = 0; i < 3; i++)
			own[i] =
			    db_col_text(s, i + 1) ? arena_strdup(a, db_col_text(s, i + 1)) : NULL;
		if (hash)
			snprintf(hash, USERS_HASH_MAX, "%s", db_col_text(s, 4));
		rc = 0;
	} else {
		err_set(e, 404, "not_found", "login", "no user %s", key ? key : "");
	}
	db_done(s);
	return rc;
}

/* A password from the body's field, taken as typed (its policy is checked apart); NULL with e. */
static const char *password_field(json_t *b, const char *field, struct arena *a, struct err *e)
{
	json_t *pw = json_object_get(b, field);
	if (!json_is_string(pw)) {
		err_set(e, 400, pw ? "invalid_field" : "missing_field", field,
			"%s must be a string (at most 256 bytes)", field);
		return NULL;
	}
	return arena_strdup(a, json_string_value(pw));
}

static void reset_hash(void *arg)
{
	struct account_ctx *c = arg;
	c->hashed = users_hash_password(c->password, c->hash) == 0;
	sodium_memzero((void *)c->password, strlen(c->password));
}

static void reset_hashed(void *arg)
{
	struct account_ctx *c = arg;
	if (!c->hashed) {
		reply_errorf(c->r, 503, "unavailable", "", "the password could not be hashed");
		return;
	}
	account_write(c);
}

void users_h_reset_password(struct req *r)
{
	static const char *const known[] = {"password", NULL};
	struct err e;
	struct account_ctx *c = account_of(r, ACT_RESET);
	if (!c)
		return;
	json_t *b = req_json(r, &e);
	const char *own[3];
	if (!b || field_only(b, known, &e) < 0 ||
	    !(c->password = password_field(b, "password", &r->arena, &e)) ||
	    own_words(req_db(r), "login", c->login, 0, &r->arena, &c->user_id, own, NULL, &e) < 0)
		goto bad;
	if (c->user_id == r->who.user_id) {
		err_set(&e, 409, "self", "login",
			"an admin changes their own password with POST /api/v1/me/password");
		goto bad;
	}
	if (users_password_check(c->password, own, 3, r->app->refused_passwords, &r->arena, &e) < 0)
		goto bad;
	req_slow(r, reset_hash, reset_hashed, c);
	return;
bad:
	reply_error(r, &e);
}

/* POST /api/v1/me/password: the current password, checked as a login checks it (its
 * failures counted against the login), and the new one under the same policy as any. */
struct change_ctx {
	struct req *r;
	char *current, *password;
	char old_hash[USERS_HASH_MAX], hash[USERS_HASH_MAX];
	int verified, hashed;
	char th[65];
	int64_t now;
	struct write_job job;
};

static void change_hash(void *arg)
{
	struct change_ctx *c = arg;
	c->verified = crypto_pwhash_str_verify(c->old_hash, c->current, strlen(c->current)) == 0;
	c->hashed = c->verified && users_hash_password(c->password, c->hash) == 0;
	sodium_memzero(c->current, strlen(c->current));
	sodium_memzero(c->password, strlen(c->password));
}

static int change_run(struct db *db, void *arg, struct err *e)
{
	struct change_ctx *c = arg;
	struct db_stmt *u = db_prepare(db, "UPDATE users SET pw_hash = $1, must_change_password = 0"
					   " WHERE id = $2 AND disabled = 0");
	db_bind_text(u, 1, c->hash);
	db_bind_int(u, 2, c->r->who.user_id);
	int rc = db_step(u);
	db_done(u);
	if (rc < 0)
		return db_fail(db, e);
	/* the other sessions, which the old password opened, end; this one goes on */
	if (end_sessions(db, c->r->who.user_id, c->th, e) < 0)
		return -1;
	struct audit_entry a = {.action = "password_change", .reason = c->r->who.login};
	return audit_insert(db, &c->r->who, c->r->ip, c->now, &a, e);
}

static void change_done(void *arg, int rc, const struct err *e)
{
	struct change_ctx *c = arg;
	sodium_memzero(c->hash, sizeof c->hash);
	if (rc < 0) {
		reply_error(c->r, e);
		return;
	}
	atomic_fetch_add(&session_generation, 1); /* the flag in cached sessions is stale */
	reply_json(c->r, 200, json_pack("{s:b,s:b}", "ok", 1, "must_change_password", 0));
}

static void change_hashed(void *arg)
{
	struct change_ctx *c = arg;
	struct req *r = c->r;
	sodium_memzero(c->old_hash, sizeof c->old_hash);
	if (!c->verified) {
		reply_errorf(r, 400, "wrong_password", "current_password",
			     "the current password is not right");
		return;
	}
	if (!c->hashed) {
		reply_errorf(r, 503, "unavailable", "", "the password could not be hashed");
		return;
	}
	users_limit_forgive(r->app->login_failures, r->who.login, r->ip, req_now());
	c->now = req_now();
	c->job.run = change_run;
	c->job.done = change_done;
	c->job.arg = c;
	req_write(r, &c->job);
}

void users_h_change_password(struct req *r)
{
	static const char *const known[] = {"current_password", "password", NULL};
	struct err e;
	struct change_ctx *c = arena_alloc(&r->arena, sizeof *c);
	memset(c, 0, sizeof *c);
	c->r = r;
	json_t *b = req_json(r, &e);
	const char *cur, *pw, *own[3];
	int64_t id = 0;
	if (!b || field_only(b, known, &e) < 0 ||
	    !(cur = password_field(b, "current_password", &r->arena, &e)) ||
	    !(pw = password_field(b, "password", &r->arena, &e)) ||
	    own_words(req_db(r), "id", NULL, r->who.user_id, &r->arena, &id, own, c->old_hash, &e) <
		0)
		goto bad;
	if (!*cur || strlen(cur) > 256) {
		err_set(&e, 400, "invalid_field", "current_password",
			"current_password must be a string of 1-256 characters");
		goto bad;
	}
	if (users_password_check(pw, own, 3, r->app->refused_passwords, &r->arena, &e) < 0)
		goto bad;
	if (!strcmp(cur, pw)) {
		err_set(&e, 400, "weak_password", "password",
			"the new password must differ from the current one");
		goto bad;
	}
	if (users_limit_try(r->app->login_failures, r->who.login, r->ip, r->app->login_limit,
			    req_now()) < 0) {
		req_set_header(r, "Retry-After", "900");
		err_set(&e, 429, "too_many_attempts", "current_password",
			"too many wrong passwords; try again in 15 minutes");
		goto bad;
	}
	c->current = (char *)cur;
	c->password = (char *)pw;
	token_hash(r->token ? r->token : "", c->th);
	req_slow(r, change_hash, change_hashed, c);
	return;
bad:
	reply_error(r, &e);
}

/* GET /api/v1/departments/{code}/people: whom a case of the department can be assigned
 * to (cases/write.c's event_assign takes the same people): its active specialists and
 * supervisors, specialists first, each with the cases not closed that they hold. */
void users_h_department_people(struct req *r)
{
	const struct department *d = catalog_department_by_code(r->param[0]);
	if (!d) {
		reply_errorf(r, 404, "not_found", "code", "no such department");
		return;
	}
	struct db_stmt *s = db_prepare(
	    req_db(r), "SELECT id, login, name, role FROM users WHERE department_id = $1"
		       " AND disabled = 0 AND role IN ('specialist', 'supervisor')"
		       " ORDER BY role, name, login LIMIT 1000");
	db_bind_int(s, 1, d->id);
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	jw_str(&w, "department", d->code);
	jw_str(&w, "department_name", d->name);
	jw_array(&w, "items");
	int rc;
	int64_t open = 0;
	while ((rc = db_step(s)) == 1 &&
	       (open = cases_open_count(req_db(r), d->id, db_col_int(s, 0))) >= 0) {
		jw_object(&w, NULL);
		jw_str(&w, "login", db_col_text(s, 1));
		jw_str(&w, "name", db_col_text(s, 2));
		jw_str(&w, "role", db_col_text(s, 3));
		jw_int(&w, "open_cases", open);
		jw_end(&w);
	}
	db_done(s);
	jw_end(&w);
	jw_end(&w);
	if (rc < 0 || open < 0) {
		jw_release(&w);
		reply_errorf(r, 500, "internal", "", "the department's people cannot be read");
		return;
	}
	reply_jw(r, 200, &w);
}
