/* The outbox (sms_send), its sender thread, and the two ways out: the sink file and an
 * HTTP gateway through libcurl. */
#include "sms/sms.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdatomic.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/ticker.h"
#include "store/writer.h"

int sms_send(struct db *db, const char *mobile, const char *text, const char *purpose,
	     int64_t now, int64_t valid_until, struct err *e)
{
	if (!mobile || strlen(mobile) != 11 || strncmp(mobile, "09", 2) != 0 ||
	    strspn(mobile, "0123456789") != 11)
		return err_set(e, 400, "invalid_mobile", "mobile", "not an Iranian mobile number");
	if (!text || !*text || strlen(text) > SMS_TEXT_MAX)
		return err_set(e, 400, "invalid_field", "text", "a message is 1-%d bytes",
			       SMS_TEXT_MAX);
	struct db_stmt *s = db_prepare(
	    db, "INSERT INTO sms_outbox(mobile, text, purpose, created, valid_until, next_try_ms)"
		" VALUES ($1, $2, $3, $4, $5, $6)");
	db_bind_text(s, 1, mobile);
	db_bind_text(s, 2, text);
	db_bind_text(s, 3, purpose);
	db_bind_int(s, 4, now);
	if (valid_until)
		db_bind_int(s, 5, valid_until);
	db_bind_int(s, 6, now * 1000);
	int rc = db_step(s);
	db_done(s);
	return rc < 0 ? db_fail(db, e) : 0;
}

/* ---- pure pieces ---- */

int64_t sms_backoff_ms(int attempts, long retry_ms, uint32_t rnd)
{
	int64_t d = retry_ms > 0 ? retry_ms : SMS_RETRY_MS;
	for (int i = 1; i < attempts && d < SMS_RETRY_MAX_MS; i++)
		d *= 2;
	if (d > SMS_RETRY_MAX_MS)
		d = SMS_RETRY_MAX_MS;
	int64_t half = d / 2;
	return half + (int64_t)(rnd % (uint64_t)(d - half + 1));
}

enum sms_verdict sms_verdict_of(long status)
{
	if (status >= 200 && status < 300)
		return SMS_SENT;
	/* Retried: no answer, redirects (a wrong URL the operator fixes), a key the gateway
	 * does not take (401, 403: the operator's to fix, not the message's fault), timeouts,
	 * too early, too many, and every 5xx. Refused for good: any other 4xx, which says
	 * this message itself is wrong (a number the gateway does not serve, a text it will
	 * not carry); sending it again would be refused again. */
	if (status == 0 || (status >= 300 && status < 400) || status == 401 || status == 403 ||
	    status == 408 || status == 425 || status == 429 || status >= 500)
		return SMS_RETRY;
	if (status >= 400 && status < 500)
		return SMS_REFUSED;
	return SMS_RETRY; /* 1xx or nonsense: not taken */
}

/* Appends s escaped as the inside of a JSON string. */
static void put_escaped(char **p, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			*(*p)++ = '\\';
			*(*p)++ = (char)c;
		} else if (c < 0x20) {
			*(*p)++ = '\\';
			*(*p)++ = 'u';
			*(*p)++ = '0';
			*(*p)++ = '0';
			*(*p)++ = hex[c >> 4];
			*(*p)++ = hex[c & 15];
		} else {
			*(*p)++ = (char)c;
		}
	}
}

char *sms_fill(const char *tmpl, const char *to, const char *text, struct err *e)
{
	size_t n = 1, lt = strlen(to) * 6, lx = strlen(text) * 6;
	int in_string = 0; /* the template read as JSON: inside a string or not */
	for (const char *t = tmpl; *t;) {
		if (t[0] == '{' && t[1] == '{' && !in_string) {
			/* escaped as a string's content, a value filled in elsewhere (a number's
			 * digits, a bare word) would make the body JSON for some texts only */
			err_set(e, 400, "invalid_template", "template",
				"{{to}} and {{text}} must stand inside a JSON string (\"{{to}}\")");
			return NULL;
		}
		if (t[0] == '\\' && in_string && t[1]) {
			n += 2;
			t += 2;
			continue;
		}
		if (t[0] == '"')
			in_string = !in_string;
		if (t[0] == '{' && t[1] == '{') {
			if (!strncmp(t, "{{to}}", 6)) {
				n += lt;
				t += 6;
			} else if (!strncmp(t, "{{text}}", 8)) {
				n += lx;
				t += 8;
			} else {
				err_set(e, 400, "invalid_template", "template",
					"the template's placeholders are {{to}} and {{text}}");
				return NULL;
			}
		} else {
			n++;
			t++;
		}
	}
	char *out = malloc(n), *p = out;
	if (!out) {
		err_set(e, 500, "internal", "", "out of memory");
		return NULL;
	}
	/* the same reading as the count's above: an escape's two bytes are copied as they
	 * are, so that a placeholder is found at the same places */
	in_string = 0;
	for (const char *t = tmpl; *t;) {
		if (t[0] == '\\' && in_string && t[1]) {
			*p++ = *t++;
			*p++ = *t++;
			continue;
		}
		if (t[0] == '"')
			in_string = !in_string;
		if (t[0] == '{' && t[1] == '{') {
			int is_to = t[2] == 't' && t[3] == 'o';
			put_escaped(&p, is_to ? to : text);
			t += is_to ? 6 : 8;
		} else {
			*p++ = *t++;
		}
	}
	*p = 0;
	return out;
}

/* ---- the sender ---- */

#define BATCH 16

struct msg {
	int64_t id;
	char mobile[16];
	char *text;
	int attempts;
	int expired;
	/* the outcome */
	int state; /* 0 queued again, 1 sent, 2 failed */
	int64_t next_try_ms;
	char error[256];
};

struct sms_sender {
	struct ticker *ticker;
	_Atomic int stop; /* read by a try under way too (curl's progress) */
	struct writer *writer;
	struct db *db;
	struct sms_config c;
	char *sink, *url, *tmpl, *key_line;
	CURL *curl;
	struct msg batch[BATCH];
	int n;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The due messages, oldest due first; those past valid_until marked to be ended. */
static int batch_read(struct sms_sender *s, int64_t now)
{
	struct db_stmt *q = db_prepare(
	    s->db, "SELECT id, mobile, text, attempts, coalesce(valid_until, 0) FROM sms_outbox"
		   " WHERE state = 'queued' AND next_try_ms <= $1 ORDER BY next_try_ms LIMIT 16");
	if (!q)
		return 0;
	db_bind_int(q, 1, now);
	int n = 0;
	while (n < BATCH && db_step(q) == 1) {
		struct msg *m = &s->batch[n++];
		memset(m, 0, sizeof *m);
		m->id = db_col_int(q, 0);
		snprintf(m->mobile, sizeof m->mobile, "%s", db_col_text(q, 1));
		m->text = strdup(db_col_text(q, 2) ? db_col_text(q, 2) : "");
		m->attempts = (int)db_col_int(q, 3);
		int64_t until = db_col_int(q, 4);
		m->expired = until && until * 1000 <= now;
	}
	db_done(q);
	return n;
}

/* Tehran time (+03:30: no daylight saving since 2022, base/jalali.h) in ISO 8601. */
static void iso_tehran(int64_t t, char out[32])
{
	time_t lt = (time_t)(t + 12600);
	struct tm tm;
	gmtime_r(&lt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S+03:30", &tm);
}

static long sink_write(struct sms_sender *s, const struct msg *m, char *err, size_t errsize)
{
	char at[32];
	iso_tehran((int64_t)time(NULL), at);
	json_t *j = json_pack("{s:s,s:s,s:s}", "to", m->mobile, "text", m->text, "at", at);
	char *line = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	FILE *f = line ? fopen(s->sink, "a") : NULL;
	int ok = f && fprintf(f, "%s\n", line) > 0;
	if (f && fclose(f) != 0)
		ok = 0;
	free(line);
	if (!ok) {
		snprintf(err, errsize, "the sink file cannot be written");
		return 0;
	}
	return 200;
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* Cuts a try short when the server stops. */
static int progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	(void)a;
	(void)b;
	(void)c;
	(void)d;
	return ((struct sms_sender *)arg)->stop;
}

static long gateway_post(struct sms_sender *s, const struct msg *m, char *err, size_t errsize)
{
	struct err fe = {0};
	char *body = sms_fill(s->tmpl, m->mobile, m->text, &fe);
	if (!body) {
		snprintf(err, errsize, "%s", fe.message);
		return 0;
	}
	CURL *c = s->curl;
	curl_easy_reset(c);
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	if (s->key_line)
		h = curl_slist_append(h, s->key_line);
	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, s->c.timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, s->c.timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, s);
	CURLcode rc = curl_easy_perform(c);
	long status = 0;
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	else
		snprintf(err, errsize, "%s", curl_easy_strerror(rc));
	if (rc == CURLE_OK && (status < 200 || status >= 300))
		snprintf(err, errsize, "HTTP %ld", status);
	curl_slist_free_all(h);
	free(body);
	return status;
}

static void deliver(struct sms_sender *s, struct msg *m, int64_t now)
{
	if (m->expired) {
		m->state = 2;
		snprintf(m->error, sizeof m->error, "not delivered before it expired");
		return;
	}
	m->error[0] = 0;
	long status = s->sink ? sink_write(s, m, m->error, sizeof m->error)
			      : gateway_post(s, m, m->error, sizeof m->error);
	m->attempts++;
	switch (sms_verdict_of(status)) {
	case SMS_SENT:
		m->state = 1;
		break;
	case SMS_REFUSED:
		m->state = 2;
		fprintf(stderr, "tamin: sms %lld refused by the gateway (%s)\n", (long long)m->id,
			m->error);
		break;
	case SMS_RETRY:
		m->state = 0;
		m->next_try_ms = now + sms_backoff_ms(m->attempts, s->c.retry_ms, randombytes_random());
		fprintf(stderr, "tamin: sms %lld not delivered, try %d (%s)\n", (long long)m->id,
			m->attempts, m->error);
		break;
	}
}

static int outcome_run(struct db *db, void *arg, struct err *e)
{
	struct sms_sender *s = arg;
	int64_t now = (int64_t)time(NULL);
	static const char *const states[] = {"queued", "sent", "failed"};
	for (int i = 0; i < s->n; i++) {
		struct msg *m = &s->batch[i];
		struct db_stmt *u = db_prepare(
		    db, "UPDATE sms_outbox SET state = $2, attempts = $3, next_try_ms = $4,"
			" last_error = $5, done_at = $6 WHERE id = $1 AND state = 'queued'");
		db_bind_int(u, 1, m->id);
		db_bind_text(u, 2, states[m->state]);
		db_bind_int(u, 3, m->attempts);
		db_bind_int(u, 4, m->next_try_ms);
		db_bind_text(u, 5, m->error[0] ? m->error : NULL);
		if (m->state)
			db_bind_int(u, 6, now);
		int rc = db_step(u);
		db_done(u);
		if (rc < 0)
			return db_fail(db, e);
	}
	return 0;
}

static void outcome_done(void *arg, int rc, const struct err *e)
{
	(void)arg;
	if (rc < 0)
		fprintf(stderr, "tamin: sms outcomes not written: %s\n", e->message);
}

/* Poll the outbox this often when nothing is due: a partial index's empty range. */
#define POLL_MS 200

/* One batch of due messages delivered and their outcomes written; at once again when the
 * batch was full, else after POLL_MS. */
static int64_t sender_tick(void *arg)
{
	struct sms_sender *s = arg;
	if (s->stop)
		return POLL_MS;
	s->n = batch_read(s, now_ms());
	for (int i = 0; i < s->n; i++)
		deliver(s, &s->batch[i], now_ms());
	if (!s->n)
		return POLL_MS;
	struct write_job job = {.run = outcome_run, .done = outcome_done, .arg = s};
	writer_submit_wait(s->writer, &job);
	for (int i = 0; i < s->n; i++)
		free(s->batch[i].text);
	return s->n == BATCH ? 0 : POLL_MS;
}

static void sender_free(struct sms_sender *s)
{
	if (s->curl)
		curl_easy_cleanup(s->curl);
	db_close(s->db);
	free(s->sink);
	free(s->url);
	free(s->tmpl);
	free(s->key_line);
	free(s);
}

int sms_config_check(const struct sms_config *c, struct err *e)
{
	if (!c->sink && !c->url) {
		err_set(e, 400, "invalid_option", "sms", "--sms-sink or --sms-url is needed");
		return -1;
	}
	if (c->sink && c->url) {
		err_set(e, 400, "invalid_option", "sms", "--sms-sink and --sms-url: one or the other");
		return -1;
	}
	if (c->url && strncmp(c->url, "http://", 7) && strncmp(c->url, "https://", 8)) {
		err_set(e, 400, "invalid_option", "sms-url", "--sms-url must be http:// or https://");
		return -1;
	}
	/* the key and its header's name go into a header line: no line breaks in them */
	const char *hk[] = {c->key, c->key_header};
	for (int i = 0; i < 2; i++)
		for (const char *p = hk[i]; p && *p; p++)
			if ((unsigned char)*p < 0x20 || (i == 1 && (*p == ':' || *p == ' ')))
				return err_set(e, 400, "invalid_option", i ? "sms-key-header" : "sms-key",
					       "%s holds a character a header cannot carry",
					       i ? "--sms-key-header" : "--sms-key");
	const char *tmpl = c->tmpl ? c->tmpl : SMS_TEMPLATE;
	if (!strstr(tmpl, "{{to}}") || !strstr(tmpl, "{{text}}")) {
		err_set(e, 400, "invalid_template", "sms-template",
			"the template needs both {{to}} and {{text}}");
		return -1;
	}
	/* the template must give JSON with a number and a text that need escaping */
	char *sample = sms_fill(tmpl, "09120000000", "\"\\\n\x01 کد", e);
	json_t *j = sample ? json_loads(sample, JSON_DECODE_ANY, NULL) : NULL;
	free(sample);
	if (!j) {
		if (!e->status)
			err_set(e, 400, "invalid_template", "sms-template",
				"the template, filled, is not JSON (put {{to}} and {{text}} inside "
				"quotes)");
		return -1;
	}
	json_decref(j);
	return 0;
}

struct sms_sender *sms_sender_start(const char *db_path, struct writer *w,
				    const struct sms_config *c, struct err *e)
{
	if (sms_config_check(c, e) < 0)
		return NULL;
	const char *tmpl = c->tmpl ? c->tmpl : SMS_TEMPLATE;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	struct sms_sender *s = calloc(1, sizeof *s);
	if (!s) {
		err_set(e, 500, "internal", "", "out of memory");
		return NULL;
	}
	s->writer = w;
	s->c = *c;
	if (s->c.timeout_ms <= 0)
		s->c.timeout_ms = SMS_TIMEOUT_MS;
	if (s->c.retry_ms <= 0)
		s->c.retry_ms = SMS_RETRY_MS;
	s->sink = c->sink ? strdup(c->sink) : NULL;
	s->url = c->url ? strdup(c->url) : NULL;
	s->tmpl = strdup(tmpl);
	if (c->key && asprintf(&s->key_line, "%s: %s", c->key_header ? c->key_header : SMS_KEY_HEADER,
			       c->key) < 0)
		s->key_line = NULL;
	if (db_open(&s->db, db_path, DB_READONLY, e) < 0) {
		s->db = NULL;
		sender_free(s);
		return NULL;
	}
	if (!s->sink && !(s->curl = curl_easy_init())) {
		err_set(e, 500, "internal", "", "libcurl cannot start");
		sender_free(s);
		return NULL;
	}
	if (!(s->ticker = ticker_start(sender_tick, s, POLL_MS, "the sms sender", e))) {
		sender_free(s);
		return NULL;
	}
	return s;
}

void sms_sender_stop(struct sms_sender *s)
{
	if (!s)
		return;
	s->stop = 1; /* a try under way ends now */
	ticker_stop(s->ticker);
	sender_free(s);
}
