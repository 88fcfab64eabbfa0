#include "users/users.h"

#include "base/natid.h"
#include "base/text.h"
#include "catalog/catalog.h"
#include "people/people.h"

#include <event2/http.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SESSION_TTL (12 * 3600)
#define LOGIN_WINDOW (15 * 60)

static const char *const role_names[] = {"admin",  "supervisor", "agent", "specialist",
					 "desk", "citizen",    "auditor"};

int role_from_name(const char *name)
{
	for (int i = 0; name && i < 7; i++)
		if (strcmp(name, role_names[i]) == 0)
			return 1 << i;
	return 0;
}

const char *role_name(int role)
{
	for (int i = 0; i < 7; i++)
		if (role == 1 << i)
			return role_names[i];
	return "none";
}

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
static char *login_normalize(struct arena *a, const char *in)
{
	char *s = text_normalize(a, in);
	if (!s)
		return NULL;
	for (char *p = s; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}

int users_add(struct db *db, const struct user_new *u, struct err *e)
{
	struct arena a;
	arena_init(&a);
	int rc = -1;
	char *login = u->login ? login_normalize(&a, u->login) : NULL;
	int role = role_from_name(u->role);
	int64_t dept = 0, person = 0;
	if (!login || !*login || strlen(login) > 64) {
		err_set(e, 400, "invalid_login", "login", "login must be 1-64 characters");
		goto out;
	}
	if (!role) {
		err_set(e, 400, "invalid_role", "role", "unknown role: %s", u->role ? u->role : "");
		goto out;
	}
	if (!u->pw_hash && (!u->password || strlen(u->password) < 8 || strlen(u->password) > 256)) {
		err_set(e, 400, "weak_password", "password", "password must be 8-256 characters");
		goto out;
	}
	if (u->department && *u->department) {
		const struct department *d = catalog_department_by_code(u->department);
		if (!d) {
			err_set(e, 400, "unknown_department", "department", "unknown department: %s",
				u->department);
			goto out;
		}
		dept = d->id;
	} else if (role == ROLE_SPECIALIST) {
		err_set(e, 400, "missing_field", "department", "a specialist needs a department");
		goto out;
	}
	if (role == ROLE_CITIZEN) {
		char *nid = u->national_id ? text_digits(&a, u->national_id, 10, 10) : NULL;
		if (!nid || !natid_valid(nid)) {
			err_set(e, 400, "invalid_national_id", "national_id",
				"a citizen needs a valid national id");
			goto out;
		}
		if (people_ensure(db, nid, NULL, (int64_t)time(NULL), &person, e) < 0)
			goto out;
	}
	char hash[crypto_pwhash_STRBYTES];
	if (u->pw_hash)
		snprintf(hash, sizeof hash, "%s", u->pw_hash);
	else if (crypto_pwhash_str(hash, u->password, strlen(u->password),
			      USERS_PW_OPSLIMIT,
			      USERS_PW_MEMLIMIT) != 0) {
		err_set(e, 500, "internal", "", "out of memory hashing the password");
		goto out;
	}
	struct db_stmt *s = db_prepare(
		db, "INSERT INTO users(login, pw_hash, role, department_id, person_id, name, created)"
		    " VALUES ($1, $2, $3, $4, $5, $6, $7)");
	db_bind_text(s, 1, login);
	db_bind_text(s, 2, hash);
	db_bind_text(s, 3, role_name(role));
	if (dept)
		db_bind_int(s, 4, dept);
	if (person)
		db_bind_int(s, 5, person);
	db_bind_text(s, 6, u->name ? u->name : "");
	db_bind_int(s, 7, (int64_t)time(NULL));
	int st = db_step(s);
	db_done(s);
	if (st < 0) {
		if (db_is_constraint_error(db))
			err_set(e, 409, "login_taken", "login", "login %s exists already", login);
		else
			err_set(e, 500, "internal", "", "%s", db_errmsg(db));
		goto out;
	}
	rc = 0;
out:
	arena_release(&a);
	return rc;
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
		    " u.login, s.csrf, s.expires FROM sessions s JOIN users u ON u.id = s.user_id"
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

/* ---- failed-login limiter, shared by all loops ---- */

#define LIMIT_SLOTS 2048
static struct {
	pthread_mutex_t mu;
	struct {
		char key[80];
		int fails;
		int64_t since;
	} slot[LIMIT_SLOTS];
} limiter = {.mu = PTHREAD_MUTEX_INITIALIZER};

static unsigned limit_slot(const char *key)
{
	uint32_t h = 2166136261u;
	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h % LIMIT_SLOTS;
}

/* Adds delta to the failures counted for kind:who (INT_MIN clears); returns the count. */
static int limit_touch(const char *kind, const char *who, int add, int64_t now)
{
	char key[80];
	snprintf(key, sizeof key, "%s:%s", kind, who);
	pthread_mutex_lock(&limiter.mu);
	unsigned i = limit_slot(key);
	if (strcmp(limiter.slot[i].key, key) != 0 || now - limiter.slot[i].since > LOGIN_WINDOW) {
		snprintf(limiter.slot[i].key, sizeof limiter.slot[i].key, "%s", key);
		limiter.slot[i].fails = 0;
		limiter.slot[i].since = now;
	}
	if (add == INT_MIN || limiter.slot[i].fails + add < 0)
		limiter.slot[i].fails = 0;
	else
		limiter.slot[i].fails += add;
	int n = limiter.slot[i].fails;
	pthread_mutex_unlock(&limiter.mu);
	return n;
}

/* ---- login ---- */

struct login_ctx {
	struct req *r;
	char *login;
	char *password;
	char hash[crypto_pwhash_STRBYTES];
	int64_t user_id;
	char role[16];
	int ok;
	char token[65], csrf[65], th[65];
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
	const char *h = c->user_id ? c->hash : dummy_hash;
	c->ok = crypto_pwhash_str_verify(h, c->password, strlen(c->password)) == 0 && c->user_id;
	sodium_memzero(c->password, strlen(c->password));
}

static int login_store(struct db *db, void *arg, struct err *e)
{
	struct login_ctx *c = arg;
	int64_t now = (int64_t)time(NULL);
	struct db_stmt *s = db_prepare(db, "INSERT INTO sessions(token_hash, user_id, csrf, created,"
					   " expires) VALUES ($1, $2, $3, $4, $5)");
	db_bind_text(s, 1, c->th);
	db_bind_int(s, 2, c->user_id);
	db_bind_text(s, 3, c->csrf);
	db_bind_int(s, 4, now);
	db_bind_int(s, 5, now + SESSION_TTL);
	int rc = db_step(s);
	db_done(s);
	/* Old sessions go when anyone logs in: cheap upkeep with an index on the key. */
	struct db_stmt *d = db_prepare(db, "DELETE FROM sessions WHERE expires < $1");
	db_bind_int(d, 1, now);
	db_step(d);
	db_done(d);
	return rc < 0 ? err_set(e, 500, "internal", "", "%s", db_errmsg(db)) : 0;
}

static void login_stored(void *arg, int rc, const struct err *e)
{
	struct login_ctx *c = arg;
	struct req *r = c->r;
	if (rc < 0) {
		reply_error(r, e);
		return;
	}
	char cookie[200];
	snprintf(cookie, sizeof cookie,
		 "tamin_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", c->token,
		 SESSION_TTL, r->app->cookie_secure ? "; Secure" : "");
	req_set_header(r, "Set-Cookie", cookie);
	reply_json(r, 200,
		   json_pack("{s:s,s:s,s:s,s:s}", "token", c->token, "role", c->role, "csrf",
			     c->csrf, "login", c->login));
}

static void login_verified(void *arg)
{
	struct login_ctx *c = arg;
	struct req *r = c->r;
	int64_t now = req_now();
	if (!c->ok) {
		reply_errorf(r, 401, "invalid_credentials", "password",
			     "the login or the password is wrong");
		return;
	}
	limit_touch("l", c->login, INT_MIN, now); /* the login's failures are forgiven */
	limit_touch("i", r->ip, -1, now);	   /* the address's: this attempt only */
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(c->token, sizeof c->token, raw, sizeof raw);
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(c->csrf, sizeof c->csrf, raw, sizeof raw);
	token_hash(c->token, c->th);
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
		json_decref(body);
		reply_errorf(r, 400, jl ? "invalid_field" : "missing_field", "login",
			     "login must be a string of 1-64 characters");
		return;
	}
	if (!json_is_string(jp) || !json_string_length(jp) || json_string_length(jp) > 256) {
		json_decref(body);
		reply_errorf(r, 400, jp ? "invalid_field" : "missing_field", "password",
			     "password must be a string of 1-256 characters");
		return;
	}
	struct login_ctx *c = arena_alloc(&r->arena, sizeof *c);
	c->r = r;
	c->login = login_normalize(&r->arena, json_string_value(jl));
	c->password = arena_strdup(&r->arena, json_string_value(jp));
	json_decref(body);
	if (!c->login) {
		reply_errorf(r, 400, "invalid_field", "login", "login is not valid UTF-8");
		return;
	}
	int64_t now = req_now();
	int limit = r->app->login_limit;
	/* Every attempt counts as a failure until its password checks out, so attempts
	 * sent in parallel cannot all be verified before the first failure is counted. */
	if (limit_touch("l", c->login, 1, now) > limit || limit_touch("i", r->ip, 1, now) > limit * 4) {
		req_set_header(r, "Retry-After", "900");
		reply_errorf(r, 429, "too_many_attempts", "login",
			     "too many failed logins; try again in 15 minutes");
		return;
	}
	struct db_stmt *s = db_prepare(req_db(r), "SELECT id, pw_hash, role FROM users"
						  " WHERE login = $1 AND disabled = 0");
	db_bind_text(s, 1, c->login);
	if (db_step(s) == 1) {
		c->user_id = db_col_int(s, 0);
		snprintf(c->hash, sizeof c->hash, "%s", db_col_text(s, 1));
		snprintf(c->role, sizeof c->role, "%s", db_col_text(s, 2));
	}
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
	return rc < 0 ? err_set(e, 500, "internal", "", "%s", db_errmsg(db)) : 0;
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
		       "tamin_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
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
		out = json_pack("{s:s,s:s,s:s,s:s?,s:s?}", "login", db_col_text(s, 0), "name",
				db_col_text(s, 1), "role", db_col_text(s, 2), "department",
				db_col_text(s, 3), "national_id", db_col_text(s, 4));
	db_done(s);
	if (!out) {
		reply_errorf(r, 401, "unauthenticated", "", "log in first");
		return;
	}
	reply_json(r, 200, out);
}
