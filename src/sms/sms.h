/* sms: outgoing text messages behind one interface. sms_send queues a message in the
 * table sms_outbox inside the caller's write transaction (a writer job, or writer_run_now
 * on the command line): it exists exactly when the event that caused it committed. The
 * sender thread that `tamin serve` starts delivers the due messages, to a sink file (one
 * JSON line each, for development and tests) or to an HTTP gateway through libcurl, and
 * writes each try's outcome back through the writer. A message the gateway could not take
 * (down, slow, overloaded) waits in the table and is tried again with exponential backoff
 * and jitter; only a refusal the gateway means for good, or its valid_until passing, ends
 * it as failed. Nothing here logs a message's text or number: only its id. */
#ifndef TAMIN_SMS_SMS_H
#define TAMIN_SMS_SMS_H

#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

struct writer;

/* A message's text at most this many bytes (three 70-character Persian SMS parts). */
#define SMS_TEXT_MAX 600

/* Queues text for mobile (09XXXXXXXXX, as text_mobile writes it) in db's open write
 * transaction, due at once. purpose names why ("otp", "case_answered", ...), for the
 * figures and the operator. valid_until (seconds, 0: no end) is when an undelivered message
 * stops being worth sending. 0, or -1 with e (400 for a bad number or text). */
int sms_send(struct db *db, const char *mobile, const char *text, const char *purpose,
	     int64_t now, int64_t valid_until, struct err *e);

/* Where the sender delivers: sink or url, not both. With sink, each message is appended to
 * that file as {"to":"09…","text":"…","at":"…"} (at: ISO 8601 in Tehran time, +03:30); with
 * url, POSTed to the gateway: the body is tmpl filled by sms_fill (NULL: SMS_TEMPLATE), key
 * sent in the header key_header (NULL: SMS_KEY_HEADER). */
struct sms_config {
	const char *sink;
	const char *url, *key, *key_header, *tmpl;
	long timeout_ms;  /* one try's whole time, connect included (0: SMS_TIMEOUT_MS) */
	long retry_ms;	  /* the first retry's delay before jitter (0: SMS_RETRY_MS) */
};
#define SMS_TEMPLATE "{\"to\":\"{{to}}\",\"text\":\"{{text}}\"}"
#define SMS_KEY_HEADER "X-API-KEY"
#define SMS_TIMEOUT_MS 10000
#define SMS_RETRY_MS 5000
#define SMS_RETRY_MAX_MS (3600 * 1000L) /* the backoff's ceiling: an hour */

/* Checks c: a sink or a URL (not both), the URL http or https, the key and header name fit
 * for a header line, a template with both placeholders that fills into JSON. 0, or -1 with e
 * saying which option is wrong (tamin serve checks before it opens anything). */
int sms_config_check(const struct sms_config *c, struct err *e);
/* Checks c (sms_config_check), then starts
 * the sender, which reads the outbox from its own connection to db_path and writes
 * through w. NULL with e when c is wrong or the thread cannot start. */
struct sms_sender *sms_sender_start(const char *db_path, struct writer *w,
				    const struct sms_config *c, struct err *e);
/* Stops the sender: a try in flight is cut short (it counts as not delivered and waits
 * in the table), its outcome written; returns once the thread is gone. NULL: nothing. */
void sms_sender_stop(struct sms_sender *s);

/* ---- pure pieces, for the sender and the tests ---- */

/* The delay before try attempts+1, after attempts failed tries (1 or more): retry_ms
 * doubled each time up to SMS_RETRY_MAX_MS, then "equal jitter" (half of it fixed, the
 * other half uniform by rnd), so that messages failed together do not all come back
 * together. */
int64_t sms_backoff_ms(int attempts, long retry_ms, uint32_t rnd);

/* What a gateway's HTTP status means for a message. 0 is no answer at all (refused
 * connection, timeout, reset). */
enum sms_verdict { SMS_SENT, SMS_RETRY, SMS_REFUSED };
enum sms_verdict sms_verdict_of(long status);

/* tmpl with every {{to}} and {{text}} replaced by to and text escaped as the inside of a
 * JSON string (RFC 8259 section 7), so that a template whose placeholders stand inside
 * quotes stays JSON whatever the text holds. Other text is copied as is; "{{" followed by
 * anything else is refused. A malloc'd string, or NULL with e (400 invalid_template). */
char *sms_fill(const char *tmpl, const char *to, const char *text, struct err *e);

#endif
