/* POST /api/v1/login/otp/start and /verify. Both do their work in one writer job, which
 * also writes the audit row: a start for a known pair and one for an unknown pair both
 * wait for one group commit, so their times differ by a few statements, not by a
 * commit. */
#include "otp/otp.h"
#include "otp/internal.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "audit/audit.h"
#include "base/fields.h"
#include "base/tally.h"
#include "base/text.h"
#include "http/http.h"
#include "people/people.h"
#include "sms/sms.h"
#include "store/writer.h"
#include "users/users.h"

struct otp_ctx {
	struct req *r;
	const char *national_id, *mobile, *code;
	int64_t now;
	int flood;		/* refused by a limit: only the audit row is written */
	const char *refusal;	/* the audit reason of a refused start, or NULL */
	enum otp_outcome outcome;
	struct users_session s;
	struct write_job job;
};

/* The request's national_id, mobile and (verify) code, normalised from any digit set:
 * 0, or -1 having replied 400 naming the field. */
static struct otp_ctx *read_body(struct req *r, int with_code)
{
	struct err e = {0};
	json_t *b = req_json(r, &e);
	static const char *const start_fields[] = {"national_id", "mobile", NULL};
	static const char *const verify_fields[] = {"national_id", "mobile", "code", NULL};
	const char *nid = NULL, *mobile = NULL, *code = NULL;
	struct otp_ctx *c = arena_alloc(&r->arena, sizeof *c);
	memset(c, 0, sizeof *c);
	if (!b || field_only(b, with_code ? verify_fields : start_fields, &e) < 0 ||
	    field_key(b, "national_id", 1, 20, &r->arena, &nid, &e) < 0 ||
	    !(c->national_id = field_natid(&r->arena, nid, "national_id", &e)) ||
	    field_key(b, "mobile", 1, 24, &r->arena, &mobile, &e) < 0)
		goto bad;
	if (!(c->mobile = text_mobile(&r->arena, mobile))) {
		err_set(&e, 400, "invalid_mobile", "mobile", "not an Iranian mobile number");
		goto bad;
	}
	if (with_code) {
		if (field_key(b, "code", 1, 12, &r->arena, &code, &e) < 0)
			goto bad;
		if (!(c->code = text_digits(&r->arena, code, 6, 6))) {
			err_set(&e, 400, "invalid_code", "code", "the code is 6 digits");
			goto bad;
		}
	}
	c->r = r;
	c->now = otp_now(r->app->otp);
	return c;
bad:
	reply_error(r, &e);
	return NULL;
}

/* The person named by the national id (0: none on record) and whether mobile is theirs. */
static int64_t person_of(struct db *db, const char *nid, const char *mobile, int *theirs)
{
	struct arena a;
	arena_init(&a);
	struct person p;
	int64_t id = 0;
	*theirs = 0;
	if (people_find_national_id(db, nid, &p, &a) == 1) {
		id = p.id;
		*theirs = p.mobile && strcmp(p.mobile, mobile) == 0;
	}
	arena_release(&a);
	return id;
}

/* An audit row for the attempt (who is anonymous, the person named when on record) and its
 * count (otp_count: every attempt writes both files). */
static int audit_attempt(struct db *db, struct otp_ctx *c, const char *action, int64_t person,
			 const char *reason, int denied, struct err *e)
{
	struct principal nobody = {0};
	struct audit_entry a = {.action = action, .person_id = person, .reason = reason,
				.denied = denied};
	if (otp_count(db, c->now, reason, e) < 0)
		return -1;
	return audit_insert(db, &nobody, c->r->ip, c->now, &a, e);
}

/* ---- start ---- */

static int start_run(struct db *db, void *arg, struct err *e)
{
	struct otp_ctx *c = arg;
	int theirs;
	int64_t person = person_of(db, c->national_id, c->mobile, &theirs);
	if (c->flood)
		return audit_attempt(db, c, "otp_start", person, "otp_flood", 1, e);
	if (!person)
		c->refusal = "otp_unknown_national_id";
	else if (!theirs)
		c->refusal = "otp_mobile_not_theirs";
	else if (users_code_account(db, person, 0, &c->s) != 1)
		c->refusal = "otp_no_account";
	if (c->refusal)
		return audit_attempt(db, c, "otp_start", person, c->refusal, 1, e);
	char code[7], text[300];
	if (otp_issue(db, c->r->app->otp->key, person, c->s.user_id, c->mobile, c->now, code, e) < 0)
		return -1;
	/* the code in ASCII digits, first, so that phones offer to fill it in */
	snprintf(text, sizeof text,
		 "%s کد ورود شما به سامانه تأمین است. این کد تا ۲ دقیقه اعتبار دارد؛ آن را به "
		 "هیچ‌کس ندهید.",
		 code);
	sodium_memzero(code, sizeof code);
	int rc = sms_send(db, c->mobile, text, "otp", c->now, c->now + OTP_TTL, e);
	sodium_memzero(text, sizeof text);
	if (rc < 0)
		return -1;
	return audit_attempt(db, c, "otp_start", person, "otp_sent", 0, e);
}

static void start_done(void *arg, int rc, const struct err *e)
{
	struct otp_ctx *c = arg;
	if (rc < 0) {
		reply_error(c->r, e);
		return;
	}
	if (c->flood) {
		req_set_header(c->r, "Retry-After", "900");
		reply_errorf(c->r, 429, "too_many_attempts", "mobile",
			     "too many codes asked for; try again in 15 minutes");
		return;
	}
	/* the same answer whatever happened */
	reply_json(c->r, 202, json_pack("{s:s,s:i}", "status", "accepted", "expires_in", OTP_TTL));
}

/* Counts a start under key; 1 when it is over max. */
static int over(struct tally *t, const char *kind, const char *v, long max, int64_t now)
{
	char k[TALLY_KEY_MAX];
	snprintf(k, sizeof k, "%s:%s", kind, v);
	int n = tally_add(t, k, 1, now);
	return n == TALLY_FULL || n > max;
}

void otp_h_start(struct req *r)
{
	struct otp *o = r->app->otp;
	struct otp_ctx *c = o ? read_body(r, 0) : NULL;
	if (!o)
		reply_errorf(r, 503, "unavailable", "", "login by code is not served here");
	if (!c)
		return;
	/* every limit counts every start, so that no limit can be used to tell another */
	int a = over(o->starts, "a", r->ip, o->per_address, c->now);
	int m = over(o->starts, "m", c->mobile, OTP_STARTS_MAX, c->now);
	int n = over(o->starts, "n", c->national_id, OTP_STARTS_MAX, c->now);
	c->flood = a || m || n;
	req_write_job(r, &c->job, start_run, start_done, c);
}

/* ---- verify ---- */

static int verify_run(struct db *db, void *arg, struct err *e)
{
	struct otp_ctx *c = arg;
	int theirs;
	int64_t person = person_of(db, c->national_id, c->mobile, &theirs);
	if (c->flood)
		return audit_attempt(db, c, "otp_verify", person, "otp_flood", 1, e);
	int64_t uid = 0;
	c->outcome = OTP_NO_CODE;
	if (person && otp_check(db, c->r->app->otp->key, person, c->mobile, c->code, c->now, &uid,
				&c->outcome, e) < 0)
		return -1;
	/* the account may have been disabled since the code was sent */
	if (c->outcome == OTP_OK && users_code_account(db, person, uid, &c->s) != 1)
		c->outcome = OTP_NO_CODE;
	if (c->outcome != OTP_OK)
		return audit_attempt(db, c, "otp_verify", person, otp_outcome_name(c->outcome), 1, e);
	if (users_session_new(db, &c->s, c->now, e) < 0)
		return -1;
	return audit_attempt(db, c, "otp_verify", person, "otp_login", 0, e);
}

static void verify_done(void *arg, int rc, const struct err *e)
{
	struct otp_ctx *c = arg;
	struct req *r = c->r;
	if (rc < 0) {
		reply_error(r, e);
		return;
	}
	if (c->flood) {
		req_set_header(r, "Retry-After", "900");
		reply_errorf(r, 429, "too_many_attempts", "code",
			     "too many wrong codes; try again in 15 minutes");
		return;
	}
	if (c->outcome != OTP_OK) {
		tally_add(r->app->otp->wrong, r->ip, 1, c->now);
		/* one answer for every failure: which one it was would tell an attacker that a
		 * code was sent, so that the mobile is the person's */
		reply_errorf(r, 401, "invalid_code", "code",
			     "the code is wrong, used or expired; ask for a new one if it "
			     "keeps failing");
		return;
	}
	users_session_reply(r, &c->s);
}

void otp_h_verify(struct req *r)
{
	struct otp *o = r->app->otp;
	struct otp_ctx *c = o ? read_body(r, 1) : NULL;
	if (!o)
		reply_errorf(r, 503, "unavailable", "", "login by code is not served here");
	if (!c)
		return;
	int n = tally_add(o->wrong, r->ip, 0, c->now);
	c->flood = n == TALLY_FULL || n >= o->per_address;
	req_write_job(r, &c->job, verify_run, verify_done, c);
}
