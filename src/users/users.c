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

/* The checks every new user passes, without the database. On success *v holds the
 * normalised login, role, department id and national id (in a). */
struct user_valid {
	const char *login, *national_id;
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
	if (v->role == ROLE_CITIZEN) {
		v->national_id = u->national_id ? text_digits(a, u->national_id, 10, 10) : NULL;
		if (!v->national_id || !natid_valid(v->national_id))
			return err_set(e, 400, "invalid_national_id", "national_id",
				       "a citizen needs a valid national id");
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
	struct db_stmt *s = db_prepare(
		db, "INSERT INTO users(login, pw_hash, role, department_id, person_id, name, created)"
		    " VALUES ($1, $2, $3, $4, $5, $6, $7)");
	db_bind_text(s, 1, v.login);
	db_bind_text(s, 2, hash);
	db_bind_text(s, 3, role_name(v.role));
	if (v.department_id)
		db_bind_int(s, 4, v.department_id);
	if (person)
		db_bind_int(s, 5, person);
	db_bind_text(s, 6, u->name ? u->name : "");
	db_bind_int(s, 7, (int64_t)time(NULL));
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
	return rc < 0 ? db_fail(db, e) : 0;
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
	if (!c->ok) {
		reply_errorf(r, 401, "invalid_credentials", "password",
			     "the login or the password is wrong");
		return;
	}
	users_limit_forgive(r->app->login_failures, c->login, r->ip, req_now());
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
		out = json_pack("{s:s,s:s,s:s,s:s?,s:s?,s:s?}", "login", db_col_text(s, 0), "name",
				db_col_text(s, 1), "role", db_col_text(s, 2), "department",
				db_col_text(s, 3), "national_id", db_col_text(s, 4), "csrf", r->csrf);
	db_done(s);
	if (!out) {
		reply_errorf(r, 401, "unauthenticated", "", "log in first");
		return;
	}
	reply_json(r, 200, out);
}

/* ---- the admin's user management ---- */

_Static_assert(USERS_HASH_MAX >= crypto_pwhash_STRBYTES, "hash buffer too small");

void users_h_list(struct req *r)
{
	struct db_stmt *s = db_prepare(
		req_db(r), "SELECT u.login, u.name, u.role, d.code, u.disabled, u.created,"
			   " p.national_id FROM users u LEFT JOIN departments d ON d.id = u.department_id"
			   " LEFT JOIN people p ON p.id = u.person_id ORDER BY u.id LIMIT 5000");
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
	reply_json(c->r, 201, json_pack("{s:s,s:s,s:s?,s:s?}", "login", c->u.login, "role",
					c->u.role, "department", c->u.department, "name",
					c->u.name));
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
	static const char *const known[] = {"login",	   "password", "role", "department",
					    "national_id", "name",     NULL};
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
	    field_text(b, "name", 0, 120, &r->arena, &c->u.name, &e) < 0)
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
	if (users_check(&c->u, &e) < 0)
		goto bad;
	req_slow(r, user_hash, user_hashed, c);
	return;
bad:
	reply_error(r, &e);
}

struct disable_ctx {
	struct req *r;
	const char *login;
	int64_t now;
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
