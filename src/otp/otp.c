/* The one-time codes' store (table otp_codes), their key, counters and clock. */
#include "otp/otp.h"
#include "otp/internal.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/tally.h"

/* At most this many keys counted at once in each map (a full map refuses new starts:
 * tally.h says why that is the safe side). Every start counts two keys for 15 minutes
 * (its national id and its mobile; addresses are few), so 2^20 keys carry some 500,000
 * starts in any 15 minutes (550 a second, all day) before anyone is refused; at 120 bytes
 * a key that is 120 MiB when full, taken from calloc'd pages only as keys come. */
#define OTP_KEYS ((size_t)1 << 20)

struct otp *otp_new(const struct otp_options *o)
{
	struct otp *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	randombytes_buf(t->key, sizeof t->key);
	t->per_address = o && o->per_address > 0 ? o->per_address : 30;
	t->test_clock = o && o->test_clock ? strdup(o->test_clock) : NULL;
	t->starts = tally_new(OTP_KEYS, OTP_WINDOW);
	t->wrong = tally_new(OTP_KEYS, OTP_WINDOW);
	if (!t->starts || !t->wrong || (o && o->test_clock && !t->test_clock)) {
		otp_free(t);
		return NULL;
	}
	return t;
}

void otp_free(struct otp *t)
{
	if (!t)
		return;
	sodium_memzero(t->key, sizeof t->key);
	tally_free(t->starts);
	tally_free(t->wrong);
	free(t->test_clock);
	free(t);
}

int64_t otp_now(const struct otp *t)
{
	int64_t now = (int64_t)time(NULL);
	if (!t || !t->test_clock)
		return now;
	char buf[32] = {0};
	int fd = open(t->test_clock, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return now;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	return n > 0 ? now + strtoll(buf, NULL, 10) : now;
}

/* BLAKE2b-256 of the person, the mobile and the code, keyed by the server's secret: a
 * stolen table cannot be searched through the million codes without the key. */
static void code_hash(const unsigned char key[OTP_KEY_BYTES], int64_t person_id,
		      const char *mobile, const char *code, unsigned char out[32])
{
	char msg[96];
	int n = snprintf(msg, sizeof msg, "%lld|%s|%s", (long long)person_id, mobile, code);
	crypto_generichash(out, 32, (const unsigned char *)msg, (size_t)n, key, OTP_KEY_BYTES);
}

int otp_issue(struct db *db, const unsigned char key[OTP_KEY_BYTES], int64_t person_id,
	      int64_t user_id, const char *mobile, int64_t now, char code[7], struct err *e)
{
	snprintf(code, 7, "%06u", (unsigned)randombytes_uniform(1000000));
	unsigned char h[32];
	code_hash(key, person_id, mobile, code, h);
	struct db_stmt *s = db_prepare(db, "UPDATE otp_codes SET state = 'replaced'"
					   " WHERE person_id = $1 AND mobile = $2 AND state = 'live'");
	db_bind_int(s, 1, person_id);
	db_bind_text(s, 2, mobile);
	int rc = db_step(s);
	db_done(s);
	if (rc < 0)
		return db_fail(db, e);
	s = db_prepare(db, "INSERT INTO otp_codes(person_id, user_id, mobile, code_hash, created,"
			   " expires) VALUES ($1, $2, $3, $4, $5, $6)");
	db_bind_int(s, 1, person_id);
	db_bind_int(s, 2, user_id);
	db_bind_text(s, 3, mobile);
	db_bind_blob(s, 4, h, sizeof h);
	db_bind_int(s, 5, now);
	db_bind_int(s, 6, now + OTP_TTL);
	rc = db_step(s);
	db_done(s);
	return rc < 0 ? db_fail(db, e) : 0;
}

static int set_state(struct db *db, int64_t id, const char *state, int wrong, struct err *e)
{
	struct db_stmt *s =
	    db_prepare(db, "UPDATE otp_codes SET state = $2, wrong = $3 WHERE id = $1");
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, state);
	db_bind_int(s, 3, wrong);
	int rc = db_step(s);
	db_done(s);
	return rc < 0 ? db_fail(db, e) : 0;
}

int otp_check(struct db *db, const unsigned char key[OTP_KEY_BYTES], int64_t person_id,
	      const char *mobile, const char *code, int64_t now, int64_t *user_id,
	      enum otp_outcome *out, struct err *e)
{
	struct db_stmt *s = db_prepare(
	    db, "SELECT id, user_id, code_hash, expires, wrong, state FROM otp_codes"
		" WHERE person_id = $1 AND mobile = $2 ORDER BY id DESC LIMIT 1");
	db_bind_int(s, 1, person_id);
	db_bind_text(s, 2, mobile);
	int rc = db_step(s);
	if (rc < 0) {
		db_done(s);
		return db_fail(db, e);
	}
	if (rc == 0) {
		db_done(s);
		*out = OTP_NO_CODE;
		return 0;
	}
	int64_t id = db_col_int(s, 0), uid = db_col_int(s, 1), expires = db_col_int(s, 3);
	int wrong = (int)db_col_int(s, 4);
	int live = strcmp(db_col_text(s, 5), "live") == 0;
	size_t hl = 0;
	const void *stored = db_col_blob(s, 2, &hl);
	unsigned char h[32], want[32] = {0};
	if (stored && hl == sizeof want)
		memcpy(want, stored, sizeof want);
	db_done(s);
	if (!live) {
		*out = OTP_REPLAYED;
		return 0;
	}
	if (now >= expires) {
		*out = OTP_EXPIRED;
		return set_state(db, id, "expired", wrong, e);
	}
	code_hash(key, person_id, mobile, code, h);
	if (sodium_memcmp(h, want, sizeof h) == 0) {
		*out = OTP_OK;
		*user_id = uid;
		return set_state(db, id, "used", wrong, e);
	}
	wrong++;
	*out = wrong >= OTP_WRONG_MAX ? OTP_ENDED : OTP_WRONG;
	return set_state(db, id, wrong >= OTP_WRONG_MAX ? "ended" : "live", wrong, e);
}

int otp_count(struct db *db, int64_t now, const char *outcome, struct err *e)
{
	struct db_stmt *s = db_prepare(
	    db, "INSERT INTO otp_counts(day, outcome, n) VALUES ($1, $2, 1)"
		" ON CONFLICT (day, outcome) DO UPDATE SET n = otp_counts.n + 1");
	db_bind_int(s, 1, (now + 12600) / 86400); /* Tehran: UTC+03:30 */
	db_bind_text(s, 2, outcome);
	int rc = db_step(s);
	db_done(s);
	return rc < 0 ? db_fail(db, e) : 0;
}

const char *otp_outcome_name(enum otp_outcome o)
{
	switch (o) {
	case OTP_OK:
		return "otp_ok";
	case OTP_NO_CODE:
		return "otp_no_code";
	case OTP_WRONG:
		return "otp_guessed";
	case OTP_ENDED:
		return "otp_guessed_ended";
	case OTP_EXPIRED:
		return "otp_expired";
	case OTP_REPLAYED:
		return "otp_replayed";
	}
	return "otp";
}
