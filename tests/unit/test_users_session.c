/* Sessions (users.h): a token is good until its expiry, whether the loop has it cached or
 * reads it from the database; a disabled account's is not; secrets compare whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>

#include "users/users.h"

#include "dbfixture.h"

#define T0 INT64_C(1795000000)

/* A session of token (64 hex characters) for user_id, stored as users.c stores it: the
 * token's BLAKE2b hash, never the token. */
static void session(struct fx *f, const char *token, int64_t user_id, int64_t expires)
{
	unsigned char h[32];
	char th[65];
	crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(th, sizeof th, h, sizeof h);
	struct db_stmt *s = db_prepare(f->db, "INSERT INTO sessions(token_hash, user_id, csrf,"
					      " created, expires) VALUES ($1, $2, 'csrf', $3, $4)");
	db_bind_text(s, 1, th);
	db_bind_int(s, 2, user_id);
	db_bind_int(s, 3, expires - 3600);
	db_bind_int(s, 4, expires);
	assert_int_equal(db_step(s), 0);
	db_done(s);
}

static int64_t agent(struct fx *f)
{
	struct user_new u = {.login = "agent9", .role = "agent", .pw_hash = "not-a-hash"};
	struct err e = {0};
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(users_add(f->db, &u, &e), 0);
	assert_int_equal(db_commit(f->db), 0);
	return val(f, "SELECT id FROM users WHERE login = 'agent9' AND $1 = 1", 1);
}

/* 0 when token finds a session at now (checking who it is), -1 when it does not. */
static int find(struct fx *f, const char *token, int64_t now)
{
	struct principal who;
	const char *csrf = NULL;
	struct arena a;
	arena_init(&a);
	int rc = users_session_find(f->db, token, now, &who, &csrf, &a);
	if (rc == 0) {
		assert_string_equal(who.login, "agent9");
		assert_int_equal(who.role, ROLE_AGENT);
		assert_string_equal(csrf, "csrf");
	}
	arena_release(&a);
	return rc;
}

/* Read once (and cached by this thread), a session still ends at its expiry. */
static void test_a_cached_session_ends_at_its_expiry(void **state)
{
	struct fx *f = *state;
	const char *token = "1111111111111111111111111111111111111111111111111111111111111111";
	session(f, token, agent(f), T0);
	assert_int_equal(find(f, token, T0 - 60), 0);
	assert_int_equal(find(f, token, T0 - 1), 0);
	assert_int_equal(find(f, token, T0), -1);
	assert_int_equal(find(f, token, T0 + 12 * 3600), -1);
}

/* Never read before its expiry, a session is not found after it. */
static void test_an_expired_session_is_not_found(void **state)
{
	struct fx *f = *state;
	const char *token = "2222222222222222222222222222222222222222222222222222222222222222";
	session(f, token, agent(f), T0);
	assert_int_equal(find(f, token, T0 + 1), -1);
	assert_int_equal(find(f, "2222", T0 - 60), -1); /* not a token's length */
}

static void test_a_disabled_account_has_no_session(void **state)
{
	struct fx *f = *state;
	const char *token = "3333333333333333333333333333333333333333333333333333333333333333";
	int64_t id = agent(f);
	session(f, token, id, T0);
	assert_int_equal(db_exec(f->db, "UPDATE users SET disabled = 1"), 0);
	assert_int_equal(find(f, token, T0 - 60), -1);
}

/* An account whose password an admin reset carries the flag in its principal: the route
 * table's admit hook refuses the rest by it. */
static void test_a_reset_account_must_change_its_password(void **state)
{
	struct fx *f = *state;
	const char *token = "4444444444444444444444444444444444444444444444444444444444444444";
	session(f, token, agent(f), T0);
	assert_int_equal(db_exec(f->db, "UPDATE users SET must_change_password = 1"), 0);
	struct principal who;
	const char *csrf = NULL;
	struct arena a;
	arena_init(&a);
	assert_int_equal(users_session_find(f->db, token, T0 - 60, &who, &csrf, &a), 0);
	assert_int_equal(who.must_change_password, 1);
	arena_release(&a);
}

/* The CSRF token and the like: equal only when whole; a prefix, an empty string or a
 * longer string is not the secret. */
static void test_secrets_compare_whole(void **state)
{
	(void)state;
	const char *s = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	assert_true(users_token_equal(s, s));
	assert_false(users_token_equal("0123456789abcdef", s));
	assert_false(users_token_equal(s, "0123456789abcdef"));
	assert_false(users_token_equal("", s));
	assert_false(users_token_equal(s, ""));
	char longer[80];
	snprintf(longer, sizeof longer, "%sff", s);
	assert_false(users_token_equal(longer, s));
	char other[65];
	memcpy(other, s, sizeof other);
	other[63] = '0';
	assert_false(users_token_equal(other, s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_a_cached_session_ends_at_its_expiry, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_an_expired_session_is_not_found, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_a_disabled_account_has_no_session, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_a_reset_account_must_change_its_password, setup,
					    teardown),
	    cmocka_unit_test(test_secrets_compare_whole),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
