/* otp: login by a one-time code sent by SMS, for citizens and employers whose account is
 * tied to their national id. POST /api/v1/login/otp/start {"national_id","mobile"} answers
 * 202 the same way whether or not the pair is known, and sends a code only when the mobile
 * on record (people/) is that person's and the person has an account; POST
 * /api/v1/login/otp/verify {"national_id","mobile","code"} answers the session as the
 * password login does (users_session_reply).
 *
 * A code is 6 digits from libsodium's CSPRNG, valid OTP_TTL seconds, used once, stored
 * only as a BLAKE2b hash keyed by a secret drawn at start and kept in memory (table
 * otp_codes); OTP_WRONG_MAX wrong codes end it. Starts are limited per mobile, per national
 * id and per client address, wrong codes per address (base/tally.h). Every refusal is
 * written to the audit log, naming the person when the national id is on record; every
 * failed verify answers the same 401, so that no answer tells whether a code was sent. */
#ifndef TAMIN_OTP_OTP_H
#define TAMIN_OTP_OTP_H

#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

struct req;

#define OTP_TTL 120
#define OTP_WRONG_MAX 5
#define OTP_KEY_BYTES 32
/* starts per mobile and per national id in OTP_WINDOW */
#define OTP_STARTS_MAX 5
#define OTP_WINDOW (15 * 60)

/* The server-wide state: the hash key, the counters, the clock. */
struct otp_options {
	long per_address;	/* starts, and wrong codes, per address in OTP_WINDOW (0: 30) */
	const char *test_clock; /* a file whose number of seconds is added to the clock
				   (tests only: tamin serve allows it on loopback alone) */
};
struct otp *otp_new(const struct otp_options *o);
void otp_free(struct otp *o);
/* The codes' clock: now, moved by the test clock's file when there is one. */
int64_t otp_now(const struct otp *o);

/* ---- the code store (writer side; no HTTP) ---- */

/* A new live code for person_id's account user_id and mobile, replacing their earlier
 * live ones; the code's 6 digits and NUL in code. 0, or -1 with e. */
int otp_issue(struct db *db, const unsigned char key[OTP_KEY_BYTES], int64_t person_id,
	      int64_t user_id, const char *mobile, int64_t now, char code[7], struct err *e);

enum otp_outcome {
	OTP_OK,	      /* the code is right: it is used now */
	OTP_NO_CODE,  /* no code was ever sent to this person and mobile */
	OTP_WRONG,    /* wrong; tries are left */
	OTP_ENDED,    /* wrong, the OTP_WRONG_MAX-th: the code is ended */
	OTP_EXPIRED,  /* the latest code's time is over */
	OTP_REPLAYED, /* the latest code was used, ended or replaced already */
};
/* Checks code against person_id's latest code for mobile at now and records the outcome
 * (used, one more wrong, ended, expired). *user_id: the code's account when OTP_OK. 0 with
 * *out, or -1 with e. */
int otp_check(struct db *db, const unsigned char key[OTP_KEY_BYTES], int64_t person_id,
	      const char *mobile, const char *code, int64_t now, int64_t *user_id,
	      enum otp_outcome *out, struct err *e);
/* One more attempt with this outcome on now's Tehran day (table otp_counts). Every start
 * and verify counts one, so that each writes the main file as well as the audit log's:
 * refused or not, a reply waits for the same files' commit. 0, or -1 with e. */
int otp_count(struct db *db, int64_t now, const char *outcome, struct err *e);
/* The outcome's word in the audit log's reason ("otp_guessed", ...). */
const char *otp_outcome_name(enum otp_outcome o);

/* The routes. */
void otp_h_start(struct req *r);
void otp_h_verify(struct req *r);

#endif
