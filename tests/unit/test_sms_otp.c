/* sms/ and otp/ without a server: the backoff's delays, what a gateway's status means, the
 * template filler, a message queued in the caller's transaction (and gone with its
 * rollback); the one-time codes' store: right once, wrong, five wrong, expired, replaced,
 * and only a keyed hash kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <sodium.h>

#include "dbfixture.h"
#include "otp/otp.h"
#include "people/people.h"
#include "sms/sms.h"
#include "users/users.h"

static void test_backoff_doubles_to_an_hour_with_equal_jitter(void **state)
{
	(void)state;
	/* rnd 0: the fixed half; the largest rnd: the whole delay */
	assert_int_equal(sms_backoff_ms(1, 5000, 0), 2500);
	assert_int_equal(sms_backoff_ms(1, 5000, 2500), 5000);
	assert_int_equal(sms_backoff_ms(2, 5000, 0), 5000);
	assert_int_equal(sms_backoff_ms(3, 5000, 0), 10000);
	assert_int_equal(sms_backoff_ms(30, 5000, 0), SMS_RETRY_MAX_MS / 2);
	assert_int_equal(sms_backoff_ms(1000, 5000, UINT32_MAX) <= SMS_RETRY_MAX_MS, 1);
	for (uint32_t r = 0; r < 100000; r += 997) {
		int64_t d = sms_backoff_ms(4, 5000, r);
		assert_true(d >= 20000 && d <= 40000);
	}
	/* no retry delay given: the default */
	assert_int_equal(sms_backoff_ms(1, 0, 0), SMS_RETRY_MS / 2);
}

static void test_a_gateways_status_says_retry_or_refuse(void **state)
{
	(void)state;
	assert_int_equal(sms_verdict_of(200), SMS_SENT);
	assert_int_equal(sms_verdict_of(202), SMS_SENT);
	const long retried[] = {0, 301, 401, 403, 408, 425, 429, 500, 502, 503, 504, 100};
	for (size_t i = 0; i < sizeof retried / sizeof *retried; i++)
		assert_int_equal(sms_verdict_of(retried[i]), SMS_RETRY);
	const long refused[] = {400, 404, 410, 413, 422};
	for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
		assert_int_equal(sms_verdict_of(refused[i]), SMS_REFUSED);
}

static void test_the_template_is_filled_with_json_escapes(void **state)
{
	(void)state;
	struct err e = {0};
	char *s = sms_fill("{\"m\":[\"{{to}}\"],\"t\":\"{{text}}\",\"again\":\"{{to}}\"}", "09121234567",
			   "کد \"1\" \\ \n\x01", &e);
	assert_non_null(s);
	assert_string_equal(s, "{\"m\":[\"09121234567\"],\"t\":\"کد \\\"1\\\" \\\\ \\u000a\\u0001\","
			       "\"again\":\"09121234567\"}");
	json_t *j = json_loads(s, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "t")), "کد \"1\" \\ \n\x01");
	json_decref(j);
	free(s);
	assert_null(sms_fill("{\"x\":\"{{name}}\"}", "0912", "t", &e));
	assert_int_equal(e.status, 400);
	assert_string_equal(e.code, "invalid_template");
	/* a placeholder outside a string (a number's digits here) would give JSON for a
	 * mobile's digits and not for a text: refused (found by fuzz_smsfill) */
	e = (struct err){0};
	assert_null(sms_fill("{\"n\":300{{to}}2,\"t\":\"{{text}}\"}", "0912", "t", &e));
	assert_string_equal(e.code, "invalid_template");
	/* an escaped quote does not end the string; an escape before a brace is copied whole */
	s = sms_fill("{\"t\":\"a\\\"{{text}}\",\"u\":\"\\{{to}}\"}", "0912", "x\"", &e);
	assert_non_null(s);
	assert_string_equal(s, "{\"t\":\"a\\\"x\\\"\",\"u\":\"\\{{to}}\"}");
	free(s);
}

static int outbox_count(struct db *db, const char *mobile)
{
	struct db_stmt *s = db_prepare(db, "SELECT count(*) FROM sms_outbox WHERE mobile = $1"
					   " AND state = 'queued'");
	db_bind_text(s, 1, mobile);
	int n = db_step(s) == 1 ? (int)db_col_int(s, 0) : -1;
	db_done(s);
	return n;
}

static void test_a_message_is_queued_in_the_callers_transaction(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(sms_send(f->db, "09121234567", "سلام", "test", 1000, 0, &e), 0);
	assert_int_equal(db_rollback(f->db), 0);
	assert_int_equal(outbox_count(f->db, "09121234567"), 0); /* rolled back: no message */
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(sms_send(f->db, "09121234567", "سلام", "test", 1000, 0, &e), 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(outbox_count(f->db, "09121234567"), 1);
	/* bad numbers and texts are refused, naming the field */
	assert_int_equal(sms_send(f->db, "9121234567", "x", "test", 1000, 0, &e), -1);
	assert_string_equal(e.field, "mobile");
	char big[SMS_TEXT_MAX + 2];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = 0;
	assert_int_equal(sms_send(f->db, "09121234567", big, "test", 1000, 0, &e), -1);
	assert_string_equal(e.field, "text");
	assert_int_equal(sms_send(f->db, "09121234567", "", "test", 1000, 0, &e), -1);
}

/* A person with a citizen account: the person's id, the account's in *user. */
static int64_t citizen(struct fx *f, const char *nid, int64_t *user)
{
	struct err e = {0};
	struct user_new u = {.login = nid, .role = "citizen", .national_id = nid,
			     .pw_hash = "not-a-hash", .name = "آزمون"};
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(users_add(f->db, &u, &e), 0);
	assert_int_equal(db_commit(f->db), 0);
	struct arena a;
	arena_init(&a);
	struct person p;
	assert_int_equal(people_find_national_id(f->db, nid, &p, &a), 1);
	arena_release(&a);
	struct users_session s = {0};
	assert_int_equal(users_code_account(f->db, p.id, 0, &s), 1);
	assert_string_equal(s.role, "citizen");
	*user = s.user_id;
	return p.id;
}

static enum otp_outcome check(struct fx *f, const unsigned char *key, int64_t person,
			      const char *code, int64_t now, int64_t *uid)
{
	struct err e = {0};
	enum otp_outcome o;
	*uid = 0;
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(otp_check(f->db, key, person, "09121234567", code, now, uid, &o, &e), 0);
	assert_int_equal(db_commit(f->db), 0);
	return o;
}

static void issue(struct fx *f, const unsigned char *key, int64_t person, int64_t user,
		  int64_t now, char code[7])
{
	struct err e = {0};
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(otp_issue(f->db, key, person, user, "09121234567", now, code, &e), 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(strlen(code), 6);
	assert_int_equal(strspn(code, "0123456789"), 6);
}

/* A code that is not c (its last digit moved). */
static void other_code(const char *c, char out[7])
{
	memcpy(out, c, 7);
	out[5] = (char)('0' + (c[5] - '0' + 1) % 10);
}

static void test_a_code_is_right_once_and_stored_only_as_a_keyed_hash(void **state)
{
	struct fx *f = *state;
	unsigned char key[OTP_KEY_BYTES], key2[OTP_KEY_BYTES];
	randombytes_buf(key, sizeof key);
	randombytes_buf(key2, sizeof key2);
	int64_t user, person = citizen(f, "0499370899", &user), uid;
	char code[7], wrong[7];
	issue(f, key, person, user, 1000, code);
	/* no column holds the code, and the hash is not BLAKE2b of it without the key */
	struct db_stmt *s = db_prepare(f->db, "SELECT code_hash FROM otp_codes");
	assert_int_equal(db_step(s), 1);
	size_t n = 0;
	const unsigned char *h = db_col_blob(s, 0, &n);
	assert_int_equal(n, 32);
	assert_null(memmem(h, n, code, 6));
	unsigned char plain[32];
	crypto_generichash(plain, 32, (const unsigned char *)code, 6, NULL, 0);
	assert_memory_not_equal(h, plain, 32);
	db_done(s);
	/* another server's key does not take it */
	assert_int_equal(check(f, key2, person, code, 1001, &uid), OTP_WRONG);
	other_code(code, wrong);
	assert_int_equal(check(f, key, person, wrong, 1002, &uid), OTP_WRONG);
	assert_int_equal(check(f, key, person, code, 1003, &uid), OTP_OK);
	assert_int_equal(uid, user);
	assert_int_equal(check(f, key, person, code, 1004, &uid), OTP_REPLAYED);
	assert_int_equal(uid, 0);
}

static void test_five_wrong_codes_end_it_and_two_minutes_expire_it(void **state)
{
	struct fx *f = *state;
	unsigned char key[OTP_KEY_BYTES];
	randombytes_buf(key, sizeof key);
	int64_t user, person = citizen(f, "0499370899", &user), uid;
	char code[7], wrong[7];
	/* no code yet */
	assert_int_equal(check(f, key, person, "123456", 1000, &uid), OTP_NO_CODE);
	issue(f, key, person, user, 1000, code);
	other_code(code, wrong);
	for (int i = 1; i < OTP_WRONG_MAX; i++)
		assert_int_equal(check(f, key, person, wrong, 1000 + i, &uid), OTP_WRONG);
	assert_int_equal(check(f, key, person, wrong, 1010, &uid), OTP_ENDED);
	assert_int_equal(check(f, key, person, code, 1011, &uid), OTP_REPLAYED);
	/* a new code replaces the ended one; it is good until 2 minutes have passed */
	issue(f, key, person, user, 2000, code);
	assert_int_equal(check(f, key, person, code, 2000 + OTP_TTL, &uid), OTP_EXPIRED);
	assert_int_equal(check(f, key, person, code, 2000 + OTP_TTL - 1, &uid), OTP_REPLAYED);
	issue(f, key, person, user, 3000, code);
	assert_int_equal(check(f, key, person, code, 3000 + OTP_TTL - 1, &uid), OTP_OK);
	/* a newer code makes the older one worthless */
	char first[7];
	issue(f, key, person, user, 4000, first);
	issue(f, key, person, user, 4001, code);
	if (strcmp(first, code) != 0)
		assert_int_equal(check(f, key, person, first, 4002, &uid), OTP_WRONG);
	assert_int_equal(check(f, key, person, code, 4003, &uid), OTP_OK);
	assert_string_equal(otp_outcome_name(OTP_ENDED), "otp_guessed_ended");
	/* the attempts' counts, per Tehran day: 20:29:59 and 20:30:00 UTC are two days */
	struct err e = {0};
	int64_t eve = 86400 * 20000 + 73799;
	assert_int_equal(otp_count(f->db, eve, "sent", &e), 0);
	assert_int_equal(otp_count(f->db, eve, "sent", &e), 0);
	assert_int_equal(otp_count(f->db, eve + 1, "sent", &e), 0);
	struct db_stmt *s = db_prepare(f->db, "SELECT day, n FROM otp_counts ORDER BY day");
	assert_int_equal(db_step(s), 1);
	assert_int_equal(db_col_int(s, 0), 20000);
	assert_int_equal(db_col_int(s, 1), 2);
	assert_int_equal(db_step(s), 1);
	assert_int_equal(db_col_int(s, 0), 20001);
	assert_int_equal(db_col_int(s, 1), 1);
	db_done(s);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_backoff_doubles_to_an_hour_with_equal_jitter),
	    cmocka_unit_test(test_a_gateways_status_says_retry_or_refuse),
	    cmocka_unit_test(test_the_template_is_filled_with_json_escapes),
	    cmocka_unit_test_setup_teardown(test_a_message_is_queued_in_the_callers_transaction,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_a_code_is_right_once_and_stored_only_as_a_keyed_hash,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_five_wrong_codes_end_it_and_two_minutes_expire_it,
					    setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
