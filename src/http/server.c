/* The server: loops, listening sockets, dispatch, authentication, limits, shutdown. */
#include "http/conn.h"
#include "http/http.h"
#include "http/wire.h"

#include "base/text.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RATE_SLOTS 4096
#define HEAD_TIMEOUT_S 10	  /* http_options' head_timeout_s when it is 0 */
#define BODY_MIN_RATE (16u << 10) /* and its body come at least this fast, bytes a second */

struct rate_slot {
	double tokens;
	int64_t last_ms;
};

struct loop {
	const struct http_options *o;
	struct event_base *base;
	struct conn_host host; /* its connections (http/conn.h) */
	struct db *db;	       /* the reader: the replica when there is one */
	struct db *primary;    /* with a replica: the primary, opened when first needed */
	uint64_t replica_at;   /* the replica's WAL position when last asked */
	int in_read_primary;   /* a read transaction is open on primary */
	pthread_t thread;
	atomic_int inflight;
	int draining;
	struct event *drain_timer;
	int in_read;	/* a read transaction is open on db */
	int read_tx;	/* reads run in a transaction (SQLite's; see req_db) */
	time_t date_at; /* the second date is for */
	char date[32];	/* "Sun, 06 Nov 1994 08:49:37 GMT" */
};

/* ---- slow work (password hashing) on its own thread ---- */

struct slow_job {
	void (*fn)(void *);
	void (*done)(void *);
	void *arg;
	struct event_base *base;
	struct slow_job *next;
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct slow_job *head, *tail;
	int stopping;
	pthread_t thread;
} slow = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, 0, 0};

static void slow_done_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct slow_job *j = arg;
	j->done(j->arg);
	free(j);
}

static void *slow_main(void *unused)
{
	(void)unused;
	for (;;) {
		pthread_mutex_lock(&slow.mu);
		while (!slow.head && !slow.stopping)
			pthread_cond_wait(&slow.cv, &slow.mu);
		struct slow_job *j = slow.head;
		if (!j) {
			pthread_mutex_unlock(&slow.mu);
			return NULL;
		}
		slow.head = j->next;
		if (!slow.head)
			slow.tail = NULL;
		pthread_mutex_unlock(&slow.mu);
		j->fn(j->arg);
		static const struct timeval now = {0, 0};
		event_base_once(j->base, -1, EV_TIMEOUT, slow_done_cb, j, &now);
	}
}

/* ---- helpers for handlers ---- */

int64_t req_now(void)
{
	return (int64_t)time(NULL);
}

/* ---- read-your-writes with a replica: who wrote, and the WAL position they need ---- */

#define RW_SLOTS 16384 /* power of two */
#define RW_PROBES 16
#define RW_PENDING UINT64_MAX /* wrote; the position is the writer's when next asked */

static struct {
	pthread_mutex_t mu;
	int64_t user[RW_SLOTS];
	uint64_t need[RW_SLOTS];
} rw = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* The user's home slot. */
static unsigned rw_home(int64_t user)
{
	return (unsigned)((uint64_t)user * 0x9E3779B97F4A7C15u >> 50) & (RW_SLOTS - 1);
}

static void rw_wrote(int64_t user)
{
	if (user <= 0)
		return;
	unsigned h = rw_home(user);
	pthread_mutex_lock(&rw.mu);
	/* the user's slot, a free one, or the one whose need is oldest (it has the most
	 * likely been replayed) */
	unsigned at = h;
	for (unsigned i = 0; i < RW_PROBES; i++) {
		unsigned s = (h + i) & (RW_SLOTS - 1);
		if (rw.user[s] == user || rw.user[s] == 0) {
			at = s;
			break;
		}
		if (rw.need[s] < rw.need[at])
			at = s;
	}
	rw.user[at] = user;
	rw.need[at] = RW_PENDING;
	pthread_mutex_unlock(&rw.mu);
}

/* The WAL position user's reads need (0: any), pending ones resolved to now's; a need
 * the replica has reached (at) is forgotten. */
static uint64_t rw_need(int64_t user, uint64_t now, uint64_t at)
{
	if (user <= 0)
		return 0;
	unsigned h = rw_home(user);
	uint64_t need = 0;
	pthread_mutex_lock(&rw.mu);
	for (unsigned i = 0; i < RW_PROBES; i++) {
		unsigned s = (h + i) & (RW_SLOTS - 1);
		if (rw.user[s] != user)
			continue;
		if (rw.need[s] == RW_PENDING)
			rw.need[s] = now;
		need = rw.need[s];
		if (at >= need) {
			rw.user[s] = 0;
			rw.need[s] = 0;
			need = 0;
		}
		break;
	}
	pthread_mutex_unlock(&rw.mu);
	return need;
}

static struct db *loop_primary(struct loop *l)
{
	struct err e;
	if (!l->primary) {
		if (db_open(&l->primary, l->o->db_path, 0, &e) < 0) {
			fprintf(stderr, "tamin: cannot reach the primary for a read: %s\n",
				e.message);
			l->primary = NULL;
		} else {
			db_set_timeout(l->primary, l->o->db_timeout_ms);
		}
	}
	return l->primary ? l->primary : l->db;
}

/* Where r reads: the replica, unless r's user wrote what it has not replayed yet. */
static struct db *read_choose(struct req *r)
{
	struct loop *l = r->loop;
	if (!l->o->db_replica)
		return l->db;
	uint64_t now = writer_wal(l->o->writer);
	uint64_t need = rw_need(r->who.user_id, now, l->replica_at);
	if (!need)
		return l->db;
	l->replica_at = db_wal_position(l->db);
	if (!rw_need(r->who.user_id, now, l->replica_at))
		return l->db;
	return loop_primary(l);
}

/* The reads of one handler run in one read transaction: SQLite then takes its file
 * locks once per request rather than once per statement (they were a tenth of a case
 * read's time), and the handler sees one consistent snapshot. The transaction ends
 * before the reply leaves and before a write job is queued, so that a read after the
 * write (in its done callback) sees it. */
struct db *req_db(struct req *r)
{
	struct loop *l = r->loop;
	if (!r->read_db)
		r->read_db = read_choose(r);
	struct db *db = r->read_db;
	int *open = db == l->db ? &l->in_read : &l->in_read_primary;
	/* On PostgreSQL the reads go without BEGIN and COMMIT: each would be a round trip to
	 * the server (a case read was three), where SQLite's are calls in the process; each
	 * statement then reads what was committed when it began. */
	if (!*open && l->read_tx && db_exec(db, "BEGIN") == 0)
		*open = 1;
	return db;
}

static void read_end(struct loop *l)
{
	if (l->in_read) {
		db_exec(l->db, "COMMIT");
		l->in_read = 0;
	}
	if (l->in_read_primary) {
		db_exec(l->primary, "COMMIT");
		l->in_read_primary = 0;
	}
}

const char *req_query(struct req *r, const char *key)
{
	return r->query ? evhttp_find_header(r->query, key) : NULL;
}

int req_limit(struct req *r, int *limit)
{
	const char *l = req_query(r, "limit");
	*limit = 50;
	if (!l)
		return 0;
	char *end;
	long v = strtol(l, &end, 10);
	if (*end || v < 1 || v > 200) {
		reply_errorf(r, 400, "invalid_field", "limit", "limit must be 1-200");
		return -1;
	}
	*limit = (int)v;
	return 0;
}

static void body_free(void *j)
{
	json_decref(j);
}

json_t *req_json(struct req *r, struct err *e)
{
	if (!r->body_len) {
		err_set(e, 400, "invalid_json", "body", "the request needs a JSON object body");
		return NULL;
	}
	json_error_t je;
	json_t *j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		err_set(e, 400, "invalid_json", "body", "the body is not valid JSON: %s (at %d)",
			je.text, je.position);
		return NULL;
	}
	arena_defer(&r->arena, body_free, j); /* the request owns what it parsed */
	if (!json_is_object(j)) {
		err_set(e, 400, "invalid_json", "body", "the body must be a JSON object");
		return NULL;
	}
	return j;
}

const char *req_header(struct req *r, const char *name)
{
	return r->wire ? wire_header(r->wire, name) : NULL;
}

/* A header whose name and value live until the reply is sent. */
static void add_header(struct req *r, const char *name, const char *value)
{
	if (r->nout == REQ_OUT_HEADERS)
		abort(); /* a programming error: no reply has that many */
	r->out_name[r->nout] = name;
	r->out_value[r->nout++] = value;
}

void req_set_header(struct req *r, const char *name, const char *value)
{
	add_header(r, name, arena_strdup(&r->arena, value));
}

/* The route's state for a body that was arriving, released (once). */
static void body_state_release(struct req *r)
{
	if (r->body_state_free)
		r->body_state_free(r->body_state);
	r->body_state_free = NULL;
	r->body_state = NULL;
}

static void req_finish(struct req *r)
{
	body_state_release(r); /* a request given up before its handler ran */
	arena_release(&r->arena);
	if (r->query) {
		evhttp_clear_headers(r->query);
		free(r->query);
	}
	if (r->uri)
		evhttp_uri_free(r->uri);
	free(r);
}

/* The Date header, formatted once a second per loop: libevent formats it for every reply
 * otherwise (gmtime and a printf, 2% of a case read's instructions). */
static const char *date_now(struct loop *l)
{
	static const char days[][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char months[][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t now = time(NULL);
	if (now != l->date_at) {
		struct tm tm;
		gmtime_r(&now, &tm);
		snprintf(l->date, sizeof l->date, "%s, %02d %s %04d %02d:%02d:%02d GMT",
			 days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
			 tm.tm_hour, tm.tm_min, tm.tm_sec);
		l->date_at = now;
	}
	return l->date;
}

static const char *reason_of(int status)
{
	return status == 200   ? "OK"
	       : status == 201 ? "Created"
	       : status == 304 ? "Not Modified"
	       : status < 500  ? "Client Error"
			       : "Server Error";
}

/* The head of a reply with the headers set on r and the ones every reply carries, in
 * small (2048 bytes) or, when it takes more, in *head malloc'd (*head != small: the caller
 * frees it). content_length -1: none; stream: a body of unknown length follows, chunked
 * for HTTP/1.1 and until the close for HTTP/1.0. Returns its length. */
static size_t reply_head(struct req *r, int status, int64_t content_length, int stream, char *small,
			 char **head)
{
	const char *names[REQ_OUT_HEADERS + 5], *values[REQ_OUT_HEADERS + 5];
	int n = 0;
	for (int i = 0; i < r->nout; i++) {
		names[n] = r->out_name[i];
		values[n++] = r->out_value[i];
	}
	static const char *const safety[][2] = {{"X-Content-Type-Options", "nosniff"},
						{"X-Frame-Options", "DENY"},
						{"Referrer-Policy", "no-referrer"}};
	for (int i = 0; i < 3; i++) {
		names[n] = safety[i][0];
		values[n++] = safety[i][1];
	}
	if (r->loop->o->hsts) { /* a year; not includeSubDomains: the host's are not ours */
		names[n] = "Strict-Transport-Security";
		values[n++] = "max-age=31536000";
	}
	struct wire_reply w = {.status = status,
			       .reason = reason_of(status),
			       .names = names,
			       .values = values,
			       .n = n,
			       .date = date_now(r->loop),
			       .content_length = content_length};
	conn_reply_mode(r->conn, &w.close, &w.keep_alive_10);
	if (stream && r->wire && r->wire->minor == 0) { /* HTTP/1.0: the body ends at the close */
		w.close = 1;
		w.keep_alive_10 = 0;
	} else if (stream) {
		names[w.n] = "Transfer-Encoding";
		values[w.n++] = "chunked";
	}
	*head = small;
	size_t hlen = wire_reply_head(small, 2048, &w), cap = 2048;
	while (!hlen && cap < (1 << 20)) { /* long headers (a policy, a cookie) */
		if (*head != small)
			free(*head);
		cap *= 4;
		if (!(*head = malloc(cap)))
			abort();
		hlen = wire_reply_head(*head, cap, &w);
	}
	return hlen;
}

/* Sends the reply with the headers set on r and the ones every reply carries, and frees
 * the request. body (NULL: none) is released with release(body) once written. A reply
 * with a body says its length, a HEAD request's too, and sends no body then; 204 and 304
 * have none. */
static void send_reply(struct req *r, int status, const void *body, size_t len,
		       void (*release)(void *))
{
	read_end(r->loop);
	int has_body = status != 204 && status != 304 && status >= 200;
	char small[2048], *head;
	size_t hlen = reply_head(r, status, has_body ? (int64_t)len : -1, 0, small, &head);
	if (!has_body || r->head_only) {
		if (release && body)
			release((void *)body);
		body = NULL;
		len = 0;
		release = NULL;
	}
	/* before the reply leaves: what the client sees next finds no temporary left */
	body_state_release(r);
	conn_send(r->conn, head, hlen, body, len, release);
	if (head != small)
		free(head);
	req_finish(r);
}

/* Sends body (malloc'd, handed over) with the API's headers, and frees the request. */
static void reply_raw(struct req *r, int status, char *body, size_t len)
{
	add_header(r, "Content-Type", "application/json; charset=utf-8");
	add_header(r, "Cache-Control", "no-store");
	send_reply(r, status, body, body ? len : 0, free);
}

void reply_bytes(struct req *r, int status, const char *type, char *body, size_t len)
{
	add_header(r, "Content-Type", type);
	add_header(r, "Cache-Control", "no-store");
	send_reply(r, status, body, len, free);
}

void reply_static(struct req *r, int status, const void *data, size_t len)
{
	send_reply(r, status, data, data ? len : 0, NULL);
}

void reply_data(struct req *r, int status, void *data, size_t len, void (*release)(void *))
{
	send_reply(r, status, data, data ? len : 0, release);
}

void reply_json(struct req *r, int status, json_t *body)
{
	char *text = body ? json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;
	json_decref(body);
	reply_raw(r, status, text, text ? strlen(text) : 0);
}

void reply_jw(struct req *r, int status, struct jw *body)
{
	size_t len;
	char *text = jw_take(body, &len);
	reply_raw(r, status, text, len);
}

void reply_error(struct req *r, const struct err *e)
{
	int status = e->status >= 400 && e->status < 600 ? e->status : 500;
	struct err u = *e;
	/* whatever a handler made of a read that failed because the database is out of
	 * reach, the client is told that, and to come back (the connection is made again) */
	if (status == 500 && r->read_db && db_is_unavailable(r->read_db)) {
		status = 503;
		err_set(&u, 503, "db_unavailable", "",
			"the database cannot be reached; try again "
			"in a moment");
	}
	if (status >= 500)
		fprintf(stderr, "tamin: %d %s %s: %s\n", status, r->path, e->code, e->message);
	/* JSON takes UTF-8 only, and an error may quote a path's raw bytes or hold a field
	 * name cut inside a letter to fit: json_pack refused those, and the reply had no body. */
	json_t *body = json_pack("{s:{s:s,s:s,s:s}}", "error", "code",
				 u.code[0] ? text_utf8_scrub(u.code) : "error", "message",
				 text_utf8_scrub(u.message), "field", text_utf8_scrub(u.field));
	reply_json(r, status, body);
}

void reply_errorf(struct req *r, int status, const char *code, const char *field, const char *fmt,
		  ...)
{
	struct err e;
	err_set(&e, status, code, field, "%s", "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e.message, sizeof e.message, fmt, ap);
	va_end(ap);
	reply_error(r, &e);
}

int64_t req_path_id(struct req *r)
{
	const char *p = r->param[0];
	int64_t v = 0;
	if (!*p)
		return 0;
	/* digits only (strtoll took a sign and spaces), and past INT64_MAX no id: strtoll
	 * saturated, reading "99999999999999999999999" as the largest id */
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || v > (INT64_MAX - (*p - '0')) / 10)
			return 0;
		v = v * 10 + (*p - '0');
	}
	return v;
}

void req_wait(struct req *r, struct write_job *job)
{
	read_end(r->loop);
	r->read_db = NULL; /* what it reads next may need the primary */
	job->base = r->loop->base;
}

void req_write(struct req *r, struct write_job *job)
{
	req_wait(r, job);
	if (r->loop->o->db_replica)
		rw_wrote(r->who.user_id);
	writer_submit(r->loop->o->writer, job);
}

void req_write_job(struct req *r, struct write_job *job,
		   int (*run)(struct db *db, void *arg, struct err *e),
		   void (*done)(void *arg, int rc, const struct err *e), void *arg)
{
	job->run = run;
	job->done = done;
	job->arg = arg;
	req_write(r, job);
}

void req_slow(struct req *r, void (*fn)(void *arg), void (*done)(void *arg), void *arg)
{
	read_end(r->loop);
	struct slow_job *j = calloc(1, sizeof *j);
	if (!j)
		abort();
	j->fn = fn;
	j->done = done;
	j->arg = arg;
	j->base = r->loop->base;
	pthread_mutex_lock(&slow.mu);
	if (slow.tail)
		slow.tail->next = j;
	else
		slow.head = j;
	slow.tail = j;
	pthread_cond_signal(&slow.cv);
	pthread_mutex_unlock(&slow.mu);
}

/* ---- streams (http.h: req_stream) ---- */

#define STREAM_BUCKETS 1024 /* the registry's lists, by user */
#define STREAM_HEARTBEAT_S 15

struct http_stream {
	atomic_int refs; /* the holder's and the connection's */
	struct loop *loop;
	/* the loop's own: NULL once the connection closed */
	struct conn *conn;
	struct event *beat;
	char *heartbeat;
	int starting; /* req_stream has not returned it yet: a close tells no one */
	/* under mu: what other threads queue, and the event that wakes the loop for it */
	pthread_mutex_t mu;
	struct event *wake; /* NULL once closed: no thread activates it then */
	int woken, want_close;
	char *pending;
	size_t plen, pcap;
	/* under streams.mu */
	struct http_stream *prev, *next;
	int64_t user_id;
	char token[128];
	void (*on_close)(void *);
	void *arg;
};

static struct {
	pthread_mutex_t mu;
	struct http_stream *bucket[STREAM_BUCKETS];
	int open, per_user, max, heartbeat_s;
} streams = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* The caps of o (http_serve and http_loop_new call it before any loop runs). */
static void streams_setup(const struct http_options *o)
{
	streams.per_user = o->streams_per_user > 0 ? o->streams_per_user : HTTP_STREAMS_PER_USER;
	streams.heartbeat_s =
	    o->stream_heartbeat_s > 0 ? o->stream_heartbeat_s : STREAM_HEARTBEAT_S;
	streams.max = o->streams_max;
	struct rlimit rl;
	if (!streams.max) {
		streams.max = 1 << 20;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
		    rl.rlim_cur / 2 < (rlim_t)streams.max)
			streams.max = (int)(rl.rlim_cur / 2);
	}
}

static unsigned stream_bucket(int64_t user_id)
{
	return (unsigned)((uint64_t)user_id * 0x9E3779B97F4A7C15u >> 54) % STREAM_BUCKETS;
}

/* Counts s in, unless a cap refuses it: 0, 429 (the user's) or 503 (the server's). */
static int stream_register(struct http_stream *s)
{
	int rc = 0, mine = 0;
	unsigned b = stream_bucket(s->user_id);
	pthread_mutex_lock(&streams.mu);
	for (struct http_stream *t = streams.bucket[b]; t; t = t->next)
		mine += t->user_id == s->user_id;
	if (streams.open >= streams.max)
		rc = 503;
	else if (mine >= streams.per_user)
		rc = 429;
	if (!rc) {
		s->next = streams.bucket[b];
		if (s->next)
			s->next->prev = s;
		streams.bucket[b] = s;
		streams.open++;
	}
	pthread_mutex_unlock(&streams.mu);
	return rc;
}

static void stream_unregister(struct http_stream *s)
{
	pthread_mutex_lock(&streams.mu);
	if (s->prev)
		s->prev->next = s->next;
	else
		streams.bucket[stream_bucket(s->user_id)] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->prev = s->next = NULL;
	streams.open--;
	pthread_mutex_unlock(&streams.mu);
}

void http_stream_release(struct http_stream *s)
{
	if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
		return;
	pthread_mutex_destroy(&s->mu);
	free(s->pending);
	free(s->heartbeat);
	free(s);
}

/* Wakes the loop for s; under s->mu. */
static void stream_wake(struct http_stream *s)
{
	if (s->wake && !s->woken) {
		s->woken = 1;
		event_active(s->wake, EV_TIMEOUT, 0);
	}
}

int http_stream_send(struct http_stream *s, const void *data, size_t len)
{
	int rc = -1;
	pthread_mutex_lock(&s->mu);
	if (s->wake && !s->want_close) {
		if (s->plen + len > CONN_STREAM_PENDING) {
			s->want_close = 1; /* the loop is behind by a MiB for this client */
		} else {
			if (s->plen + len > s->pcap) {
				size_t cap = s->pcap ? s->pcap : 512;
				while (cap < s->plen + len)
					cap *= 2;
				char *p = realloc(s->pending, cap);
				if (p) {
					s->pending = p;
					s->pcap = cap;
				}
			}
			if (s->plen + len <= s->pcap) {
				memcpy(s->pending + s->plen, data, len);
				s->plen += len;
				rc = 0;
			}
		}
		stream_wake(s);
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

void http_stream_close(struct http_stream *s)
{
	pthread_mutex_lock(&s->mu);
	s->want_close = 1;
	stream_wake(s);
	pthread_mutex_unlock(&s->mu);
}

void http_streams_end_session(const char *token)
{
	if (!token)
		return;
	pthread_mutex_lock(&streams.mu);
	for (int b = 0; b < STREAM_BUCKETS; b++)
		for (struct http_stream *s = streams.bucket[b]; s; s = s->next)
			if (strcmp(s->token, token) == 0)
				http_stream_close(s);
	pthread_mutex_unlock(&streams.mu);
}

void http_streams_end_user(int64_t user_id)
{
	pthread_mutex_lock(&streams.mu);
	for (struct http_stream *s = streams.bucket[stream_bucket(user_id)]; s; s = s->next)
		if (s->user_id == user_id)
			http_stream_close(s);
	pthread_mutex_unlock(&streams.mu);
}

/* On the loop: what other threads queued goes to the connection. */
static void stream_wake_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct http_stream *s = arg;
	atomic_fetch_add(&s->refs, 1); /* a close below runs on_close, which may release */
	pthread_mutex_lock(&s->mu);
	char *data = s->pending;
	size_t len = s->plen;
	int end = s->want_close;
	s->pending = NULL;
	s->plen = s->pcap = 0;
	s->woken = 0;
	pthread_mutex_unlock(&s->mu);
	if (s->conn && len)
		conn_stream_write(s->conn, data, len); /* a close sets s->conn NULL */
	free(data);
	if (s->conn && end)
		conn_stream_end(s->conn);
	http_stream_release(s);
}

/* The session still live? The users' hook, on the loop's reader connection. */
static int stream_session_live(struct http_stream *s)
{
	struct loop *l = s->loop;
	struct principal who;
	const char *csrf = NULL;
	struct arena a;
	arena_init(&a);
	int live = l->o->hooks->session(l->db, s->token, req_now(), &who, &csrf, &a) == 0 &&
		   who.user_id == s->user_id;
	if (!live && l->o->db_replica) /* a replica a moment behind: the primary says */
		live = l->o->hooks->session(loop_primary(l), s->token, req_now(), &who, &csrf,
					    &a) == 0 &&
		       who.user_id == s->user_id;
	arena_release(&a);
	return live;
}

static void stream_beat_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct http_stream *s = arg;
	if (!s->conn)
		return;
	atomic_fetch_add(&s->refs, 1);
	if (!stream_session_live(s))
		conn_stream_end(s->conn);
	else
		conn_stream_write(s->conn, s->heartbeat, strlen(s->heartbeat));
	http_stream_release(s);
}

/* The connection closed (conn.h's on_close), on the loop. */
static void stream_closed(void *arg)
{
	struct http_stream *s = arg;
	pthread_mutex_lock(&s->mu);
	struct event *wake = s->wake;
	s->wake = NULL;
	free(s->pending);
	s->pending = NULL;
	s->plen = s->pcap = 0;
	pthread_mutex_unlock(&s->mu);
	if (wake)
		event_free(wake);
	if (s->beat)
		event_free(s->beat);
	s->beat = NULL;
	s->conn = NULL;
	stream_unregister(s);
	if (s->on_close && !s->starting)
		s->on_close(s->arg);
	http_stream_release(s); /* the connection's reference */
}

/* Frees a stream that never reached its holder (refused, or its client gone). */
static void stream_discard(struct http_stream *s)
{
	event_free(s->wake);
	event_free(s->beat);
	pthread_mutex_destroy(&s->mu);
	free(s->heartbeat);
	free(s);
}

struct http_stream *req_stream(struct req *r, const char *content_type, const char *heartbeat,
			       void (*on_close)(void *arg), void *arg)
{
	struct loop *l = r->loop;
	read_end(l);
	req_set_header(r, "Content-Type", content_type);
	add_header(r, "Cache-Control", "no-store");
	add_header(r, "X-Accel-Buffering", "no"); /* a proxy in front passes events on at once */
	if (r->head_only) {
		send_reply(r, 200, NULL, 0, NULL);
		return NULL;
	}
	struct http_stream *s = calloc(1, sizeof *s);
	if (!s)
		abort();
	atomic_init(&s->refs, 2);
	pthread_mutex_init(&s->mu, NULL);
	s->loop = l;
	s->conn = r->conn;
	s->user_id = r->who.user_id;
	snprintf(s->token, sizeof s->token, "%s", r->token ? r->token : "");
	s->on_close = on_close;
	s->arg = arg;
	s->heartbeat = strdup(heartbeat ? heartbeat : "");
	s->wake = event_new(l->base, -1, 0, stream_wake_cb, s);
	s->beat = event_new(l->base, -1, EV_PERSIST, stream_beat_cb, s);
	if (!s->heartbeat || !s->wake || !s->beat)
		abort(); /* out of memory */
	int refused = stream_register(s);
	if (refused) {
		stream_discard(s);
		r->nout = 0;
		req_set_header(r, "Retry-After", refused == 503 ? "1" : "60");
		if (refused == 503)
			reply_errorf(r, 503, "server_busy", "",
				     "the server holds as many streams as it may; try again soon");
		else
			reply_errorf(r, 429, "too_many_streams", "",
				     "you have %d streams open already; close one first",
				     streams.per_user);
		return NULL;
	}
	struct timeval tv = {streams.heartbeat_s, 0};
	evtimer_add(s->beat, &tv);
	char small[2048], *head;
	size_t hlen = reply_head(r, 200, -1, 1, small, &head);
	int chunked = !(r->wire && r->wire->minor == 0);
	s->starting = 1;
	int rc = conn_stream_start(r->conn, head, hlen, chunked, stream_closed, s);
	if (head != small)
		free(head);
	req_finish(r);
	if (rc < 0) { /* the client was gone: the connection never took s */
		stream_unregister(s);
		stream_discard(s);
		return NULL;
	}
	s->starting = 0;
	if (!s->conn) { /* closed already (stream_closed ran), before the holder knew it */
		http_stream_release(s);
		return NULL;
	}
	return s;
}

/* ---- dispatch ---- */

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Token bucket per client address, shared by all loops. Addresses are hashed into
 * buckets; two addresses that share a bucket share its tokens (errs strict), so
 * alternating addresses cannot refill each other's bucket. */
static struct {
	pthread_mutex_t mu;
	struct rate_slot slot[RATE_SLOTS];
} rates = {.mu = PTHREAD_MUTEX_INITIALIZER};

static int rate_ok(struct loop *l, const char *ip)
{
	int limit = l->o->rate_limit;
	if (limit <= 0)
		return 1;
	uint32_t h = 2166136261u;
	for (const char *p = ip; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	int64_t t = now_ms();
	pthread_mutex_lock(&rates.mu);
	struct rate_slot *s = &rates.slot[h % RATE_SLOTS];
	if (!s->last_ms)
		s->tokens = 2.0 * limit;
	else
		s->tokens += (double)(t - s->last_ms) * limit / 1000.0;
	if (s->tokens > 2.0 * limit)
		s->tokens = 2.0 * limit;
	s->last_ms = t;
	int ok = s->tokens >= 1.0;
	if (ok)
		s->tokens -= 1.0;
	pthread_mutex_unlock(&rates.mu);
	return ok;
}

/* "/api/v1/cases/{}/events" against a path; fills params once the whole path matched
 * (the routes tried before the one that matches copy nothing). */
static int route_match(const char *pattern, const char *path, struct req *r)
{
	int np = 0;
	const char *p = pattern, *s = path, *part[3];
	size_t len[3];
	while (*p && *s) {
		if (p[0] == '{' && p[1] == '}') {
			const char *end = strchr(s, '/');
			size_t n = end ? (size_t)(end - s) : strlen(s);
			if (n == 0 || n > 3 * 64 || np >= 3) /* 64 bytes, each maybe %XX */
				return 0;
			part[np] = s;
			len[np++] = n;
			s += n;
			p += 2;
		} else if (*p++ != *s++) {
			return 0;
		}
	}
	if (*p || *s)
		return 0;
	/* a parameter is at most 64 bytes once decoded: a code typed in Persian digits
	 * (%DB%B1, 6 characters a digit) is measured as it will be read */
	const char *val[3];
	for (int i = 0; i < np; i++) {
		char *raw = arena_strndup(&r->arena, part[i], len[i]);
		char *dec = evhttp_uridecode(raw, 0, NULL); /* %DB%B1 → the Persian digit */
		val[i] = dec ? arena_strdup(&r->arena, dec) : raw;
		free(dec);
		if (!val[i] || strlen(val[i]) > 64)
			return 0;
	}
	for (int i = 0; i < np; i++)
		r->param[i] = val[i];
	return 1;
}

static const char *cookie_value(const char *cookies, const char *name, char *buf, size_t cap)
{
	size_t nl = strlen(name);
	for (const char *c = cookies; c && *c;) {
		while (*c == ' ' || *c == ';')
			c++;
		if (strncmp(c, name, nl) == 0 && c[nl] == '=') {
			c += nl + 1;
			size_t n = strcspn(c, ";");
			if (n >= cap)
				return NULL;
			memcpy(buf, c, n);
			buf[n] = 0;
			return buf;
		}
		c = strchr(c, ';');
	}
	return NULL;
}

/* Fills r->who from a Bearer token or the session cookie. 0 ok, -1 none or invalid. */
static int authenticate(struct req *r, const char **csrf_out)
{
	const char *auth = req_header(r, "Authorization");
	char buf[128];
	const char *token = NULL;
	int cookie = 0;
	if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
		token = auth + 7;
	} else {
		token = cookie_value(req_header(r, "Cookie"), "tamin_session", buf, sizeof buf);
		cookie = token != NULL;
	}
	if (!token)
		return -1;
	if (r->loop->o->hooks->session(req_db(r), token, req_now(), &r->who, csrf_out, &r->arena) <
	    0) {
		/* a session just made may not be on the replica yet: the primary says */
		if (!r->loop->o->db_replica)
			return -1;
		read_end(r->loop);
		r->read_db = loop_primary(r->loop);
		if (r->loop->o->hooks->session(req_db(r), token, req_now(), &r->who, csrf_out,
					       &r->arena) < 0)
			return -1;
	}
	if (r->loop->o->db_replica) { /* chosen before the user was known: choose again */
		read_end(r->loop);
		r->read_db = NULL;
	}
	r->who.via_cookie = cookie;
	r->token = arena_strdup(&r->arena, token);
	return 0;
}

static int method_of(const char *m, int *head_only)
{
	*head_only = strcmp(m, "HEAD") == 0;
	return !strcmp(m, "GET") || *head_only ? M_GET
	       : !strcmp(m, "POST")	       ? M_POST
	       : !strcmp(m, "PUT")	       ? M_PUT
	       : !strcmp(m, "PATCH")	       ? M_PATCH
	       : !strcmp(m, "DELETE")	       ? M_DELETE
					       : 0;
}

/* A request refused before it is read whole (conn.h): the reply names why. */
static void refuse(struct req *r, int status)
{
	switch (status) {
	case 408:
		reply_errorf(r, 408, "request_timeout", "",
			     "the request did not arrive in time (its head within %d s)",
			     r->loop->host.head_timeout_s);
		break;
	case 413:
		reply_errorf(r, 413, "body_too_large",
			     r->route && r->route->body_field ? r->route->body_field : "body",
			     "the body is over %zu bytes",
			     r->limit ? r->limit : (size_t)HTTP_MAX_BODY);
		break;
	case 503:
		req_set_header(r, "Retry-After", "1");
		reply_errorf(r, 503, "server_busy", "body",
			     "the server holds too many large bodies now; try again in a moment");
		break;
	case 431:
		reply_errorf(r, 431, "headers_too_large", "",
			     "the request's headers are too large");
		break;
	case 501:
		reply_errorf(r, 501, "not_implemented", "", "this transfer encoding is not served");
		break;
	case 505:
		reply_errorf(r, 505, "http_version", "", "only HTTP/1.0 and HTTP/1.1 are served");
		break;
	default:
		reply_errorf(r, 400, "bad_request", "", "the request is malformed");
	}
}

/* The route for r's path and method; *path_known when some route has the path (another
 * method then gets 405). */
static const struct route *route_find(struct loop *l, struct req *r, int *path_known)
{
	*path_known = 0;
	for (const struct route *rt = l->o->routes; rt->pattern; rt++) {
		if (!route_match(rt->pattern, r->path, r))
			continue;
		*path_known = 1;
		if (rt->method == r->method)
			return rt;
	}
	return NULL;
}

/* Who may call the route: a session with one of its roles, and for a cookie session's
 * change, the CSRF header. 0 allowed; -1 replied (401 or 403). */
static int authorize(struct loop *l, struct req *r, const struct route *rt)
{
	if (!rt->roles)
		return 0;
	const char *csrf = NULL;
	if (authenticate(r, &csrf) < 0) {
		/* a session that could not be looked up is no session refused: reply_error
		 * makes this a 503 db_unavailable */
		if (r->read_db && db_is_unavailable(r->read_db))
			reply_errorf(r, 500, "internal", "", "the session cannot be read");
		else
			reply_errorf(r, 401, "unauthenticated", "", "log in first");
		return -1;
	}
	r->csrf = csrf;
	if (!(rt->roles & r->who.role)) {
		if (l->o->hooks->forbidden)
			l->o->hooks->forbidden(r, rt); /* the audit of a refused read */
		else
			reply_errorf(r, 403, "forbidden", "", "your role (%s) may not do this",
				     role_name(r->who.role));
		return -1;
	}
	if (r->who.via_cookie && r->method != M_GET) {
		const char *sent = req_header(r, "X-CSRF-Token");
		if (!sent || !csrf || !l->o->hooks->secret_equal(sent, csrf)) {
			reply_errorf(r, 403, "csrf", "X-CSRF-Token",
				     "a cookie session needs the X-CSRF-Token header");
			return -1;
		}
	}
	return l->o->hooks->admit ? l->o->hooks->admit(r, rt) : 0;
}

/* The method, path and query of a request from its head. 0 or -1 replied (400, 501). */
static int read_target(struct req *r, const struct wire_req *wq)
{
	r->method = method_of(wq->method, &r->head_only);
	if (!r->method) {
		reply_errorf(r, 501, "not_implemented", "", "the method %s is not served",
			     wq->method);
		return -1;
	}
	/* the target as evhttp read it (a lenient parse: the web app checks its paths) */
	r->uri = evhttp_uri_parse_with_flags(wq->target, EVHTTP_URI_NONCONFORMANT);
	if (!r->uri) {
		refuse(r, 400);
		return -1;
	}
	const char *path = evhttp_uri_get_path(r->uri);
	r->path = path && *path ? path : "/";
	const char *q = evhttp_uri_get_query(r->uri);
	if (q) {
		r->query = calloc(1, sizeof *r->query);
		if (!r->query || evhttp_parse_query_str(q, r->query) < 0) {
			reply_errorf(r, 400, "invalid_query", "query",
				     "the query string is malformed");
			return -1;
		}
	}
	return 0;
}

/* Behind a reverse proxy every request comes from the proxy's address, and the limits per
 * client address would count all clients as one. A request from the trusted proxy is
 * taken as from the last address of its last X-Forwarded-For, the one the proxy added;
 * what came before it, the client wrote. Without one that parses, the proxy's address
 * stays (all such requests share a count: stricter, never looser). */
static void forwarded_for(struct req *r, const struct wire_req *wq)
{
	const char *proxy = r->loop->o->trusted_proxy, *xff = NULL;
	if (!proxy || strcmp(r->ip, proxy) != 0)
		return;
	for (int i = 0; i < wq->nh; i++)
		if (strcasecmp(wq->h[i].name, "X-Forwarded-For") == 0)
			xff = wq->h[i].value;
	if (!xff)
		return;
	const char *last = strrchr(xff, ',');
	last = last ? last + 1 : xff;
	last += strspn(last, " \t");
	size_t n = strcspn(last, " \t");
	char ip[sizeof r->ip];
	unsigned char bin[sizeof(struct in6_addr)];
	if (n >= sizeof ip || last[n + strspn(last + n, " \t")])
		return;
	memcpy(ip, last, n);
	ip[n] = 0;
	if (inet_pton(AF_INET, ip, bin) == 1 || inet_pton(AF_INET6, ip, bin) == 1)
		memcpy(r->ip, ip, n + 1);
}

static struct req *req_new(struct conn *c, struct loop *l, const struct wire_req *wq)
{
	struct req *r = calloc(1, sizeof *r);
	if (!r)
		abort();
	r->conn = c;
	r->wire = wq;
	r->loop = l;
	r->app = l->o->app;
	r->path = "/";
	arena_init(&r->arena);
	const char *ip = conn_ip(c);
	memcpy(r->ip, ip, strnlen(ip, sizeof r->ip - 1)); /* r is zeroed: it ends there */
	return r;
}

/* A request's head is in, its body not read yet (conn.h): rate, route and who is asking
 * are decided now, so that the body's limit is the route's, and a body the server would
 * refuse is never read. A request without a live session may send HTTP_ANON_BODY at
 * most. Returns the limit, or -1 once it replied. */
static long long on_head(struct conn *c, const struct wire_req *wq, int body_in, void **user,
			 void *arg)
{
	struct loop *l = arg;
	struct req *r = req_new(c, l, wq);
	if (read_target(r, wq) < 0)
		return -1;
	forwarded_for(r, wq);
	if (!rate_ok(l, r->ip)) {
		req_set_header(r, "Retry-After", "1");
		reply_errorf(r, 429, "rate_limited", "", "too many requests; slow down");
		return -1;
	}
	int path_known;
	const struct route *found = route_find(l, r, &path_known);
	r->route = found;
	if (!found) {
		/* Paths under /api/ are the API's alone: an unknown one is a JSON 404 even when
		 * the web app is served, not the app's page. */
		int api = strncmp(r->path, "/api/", 5) == 0 || strcmp(r->path, "/api") == 0;
		if (path_known)
			reply_errorf(r, 405, "method_not_allowed", "", "method not allowed here");
		else if (l->o->hooks->fallback && !api)
			l->o->hooks->fallback(r);
		else
			reply_errorf(r, 404, "not_found", "", "no such resource: %s", r->path);
		return -1;
	}
	size_t limit = found->max_body ? found->max_body : l->o->body_limit;
	if (!found->roles && limit > HTTP_ANON_BODY)
		limit = HTTP_ANON_BODY; /* a public route: nobody is asked who they are */
	if (wq->content_length > (int64_t)limit) { /* more than anyone may send here */
		r->limit = limit;
		refuse(r, 413);
		return -1;
	}
	if (authorize(l, r, found) < 0)
		return -1;
	if (!r->who.user_id && limit > HTTP_ANON_BODY)
		limit = HTTP_ANON_BODY; /* nobody unknown makes the server hold a big body */
	r->limit = limit;
	if (wq->content_length > (int64_t)limit) {
		refuse(r, 413);
		return -1;
	}
	if (!body_in)
		read_end(l); /* no read transaction is held while a body is on its way */
	*user = r;
	return (long long)limit;
}

/* The body is in (or the request was refused by the connection): the handler. */
static void on_request(struct conn *c, const struct wire_req *wq, const char *body, size_t body_len,
		       int refused, void *user, void *arg)
{
	struct loop *l = arg;
	struct req *r = user ? user : req_new(c, l, wq);
	if (refused) {
		read_end(l);
		refuse(r, refused);
		return;
	}
	r->wire = wq;
	r->body_len = body_len;
	r->body = body_len ? body : NULL; /* the connection keeps it until the reply (conn.h) */
	r->route->fn(r);		  /* r may be freed by now; l lives on */
	read_end(l);
}

/* A body still arriving has grown: the route may start on it. */
static void on_body(void *user, const char *data, size_t have, size_t total, void *arg)
{
	(void)arg;
	struct req *r = user;
	if (r->route && r->route->body_arriving)
		r->route->body_arriving(r, data, have, total);
}

/* A request given up before its body came (the connection closed). */
static void on_drop(void *user, void *arg)
{
	struct loop *l = arg;
	read_end(l);
	req_finish(user);
}

/* ---- loops, listening, shutdown ---- */

/* SO_REUSEPORT would let a second server share the port with the first, each serving
 * half the connections from a different database. A plain bind first finds any
 * listener there; port 0 (any free port) needs no check. */
static int resolve(const char *host, int port, struct addrinfo **ai, struct err *e)
{
	struct addrinfo hints = {0};
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	char ps[8];
	snprintf(ps, sizeof ps, "%d", port);
	*ai = NULL;
	if (getaddrinfo(host, ps, &hints, ai) != 0 || !*ai)
		return err_set(e, 400, "listen", "listen", "cannot resolve %s", host);
	return 0;
}

static int port_free(const char *host, int port, struct err *e)
{
	struct addrinfo *ai;
	if (resolve(host, port, &ai, e) < 0)
		return -1;
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1, rc = 0;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		rc = err_set(e, 400, "listen", "listen", "cannot listen on %s:%d: %s", host, port,
			     strerror(errno));
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return rc;
}

static int listen_socket(const char *host, int port, int *bound_port, struct err *e)
{
	struct addrinfo *ai;
	if (resolve(host, port, &ai, e) < 0)
		return -1;
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	/* TCP_NODELAY is inherited by accepted sockets (Linux): without it, a reply that
	 * leaves in two writes (over 16 KiB) waited 40 ms for the client's delayed ACK. */
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 1024) < 0) {
		err_set(e, 400, "listen", "listen", "cannot listen on %s:%d: %s", host, port,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} u;
	memset(&u, 0, sizeof u);
	socklen_t sl = sizeof u;
	if (getsockname(fd, &u.sa, &sl) < 0) {
		close(fd);
		return err_set(e, 400, "listen", "listen", "cannot read the bound address");
	}
	*bound_port = ntohs(u.sa.sa_family == AF_INET6 ? u.in6.sin6_port : u.in.sin_port);
	return fd;
}

static void *loop_main(void *arg)
{
	struct loop *l = arg;
	event_base_dispatch(l->base);
	return NULL;
}

static void drain_check(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct loop *l = arg;
	if (atomic_load(&l->inflight) == 0)
		event_base_loopexit(l->base, NULL);
}

static void begin_drain(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct loop *l = arg;
	conn_stop_accepting(&l->host);
	conn_end_streams(&l->host); /* they never end by themselves */
	l->draining = 1;
	static const struct timeval tick = {0, 10000};
	l->drain_timer = event_new(l->base, -1, EV_PERSIST, drain_check, l);
	event_add(l->drain_timer, &tick);
}

static void loop_free(struct loop *l)
{
	if (l->drain_timer)
		event_free(l->drain_timer);
	if (l->host.base)
		conn_close_all(&l->host);
	if (l->base)
		event_base_free(l->base);
	db_close(l->db);
	db_close(l->primary);
}

/* A loop for o: its event base, its reader connection and its connection host, which
 * accepts nothing until conn_listen and counts its connections and bodies in shared. 0,
 * or -1 with e (the caller frees l with loop_free). */
static int loop_init(struct loop *l, const struct http_options *o, struct conn_shared *shared,
		     struct err *e)
{
	l->o = o;
	/* The changelist folds a connection's changes of interest within one turn of the
	 * loop (a write event added and deleted) into one epoll_ctl at most. */
	struct event_config *cfg = event_config_new();
	if (cfg)
		event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	l->base = cfg ? event_base_new_with_config(cfg) : NULL;
	if (cfg)
		event_config_free(cfg);
	l->host.listen_fd = -1;
	if (!l->base)
		return err_set(e, 500, "internal", "", "cannot create event loop");
	if (db_open(&l->db, o->db_replica ? o->db_replica : o->db_path, 0, e) < 0)
		return -1;
	db_set_timeout(l->db, o->db_timeout_ms);
	l->read_tx = strcmp(db_backend(l->db), "sqlite") == 0;
	/* A body over HTTP_MAX_BODY is refused unread (413), and so is one over the
	 * route's own limit, decided by on_head from the head alone. */
	l->host.base = l->base;
	l->host.on_head = on_head;
	l->host.on_request = on_request;
	l->host.drop = on_drop;
	l->host.on_body = on_body;
	l->host.head_timeout_s = o->head_timeout_s > 0 ? o->head_timeout_s : HEAD_TIMEOUT_S;
	l->host.min_rate = BODY_MIN_RATE;
	l->host.shared = shared;
	l->host.arg = l;
	l->host.max_head = 16 << 10;
	l->host.max_body = HTTP_MAX_BODY;
	l->host.timeout_s = 30;
	l->host.inflight = &l->inflight;
	return 0;
}

/* The caps per address and the budget of bodies that o asks for (conn.h). One address
 * may hold a quarter of the descriptors the process may open at most: else a few slow
 * clients take them all, and the connections queued behind them (a health check among
 * them) wait in the backlog until the clients' deadlines pass. */
static struct conn_shared *shared_new(const struct http_options *o)
{
	int cap = o->max_per_address ? o->max_per_address : HTTP_MAX_PER_ADDRESS;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur / 4 < (rlim_t)cap)
		cap = rl.rlim_cur / 4 > 8 ? (int)(rl.rlim_cur / 4) : 8;
	return conn_shared_new(cap, o->body_budget ? o->body_budget : HTTP_BODY_BUDGET,
			       o->trusted_proxy);
}

static int slow_start(void)
{
	slow.stopping = 0;
	return pthread_create(&slow.thread, NULL, slow_main, NULL) == 0 ? 0 : -1;
}

/* Lets the slow thread finish its queue, then joins it. */
static void slow_stop(void)
{
	pthread_mutex_lock(&slow.mu);
	slow.stopping = 1;
	pthread_cond_signal(&slow.cv);
	pthread_mutex_unlock(&slow.mu);
	pthread_join(slow.thread, NULL);
}

int http_serve(const struct http_options *o, struct err *e)
{
	evthread_use_pthreads();
	/* The loops and workers must not take the shutdown signals: main waits for them. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	int n = o->threads > 0 ? o->threads : 2;
	streams_setup(o);
	struct loop *loops = calloc((size_t)n, sizeof *loops);
	struct conn_shared *shared = shared_new(o);
	if (!loops || !shared) {
		free(loops);
		conn_shared_free(shared);
		return err_set(e, 500, "internal", "", "out of memory");
	}
	int port = o->port, rc = 0, started = 0;
	if (port && port_free(o->host, port, e) < 0) {
		free(loops);
		conn_shared_free(shared);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		struct loop *l = &loops[i];
		if (loop_init(l, o, shared, e) < 0) {
			rc = -1;
			goto out;
		}
		int bound_port = 0;
		int fd = listen_socket(o->host, port, &bound_port, e);
		if (fd < 0) {
			rc = -1;
			goto out;
		}
		port = bound_port; /* the other loops share the port the first one got */
		if (conn_listen(&l->host, fd) < 0) {
			close(fd);
			rc = err_set(e, 500, "listen", "listen", "cannot accept on the socket");
			goto out;
		}
	}
	if (slow_start() < 0) {
		rc = err_set(e, 500, "internal", "", "cannot start a thread");
		goto out;
	}
	for (started = 0; started < n; started++)
		if (pthread_create(&loops[started].thread, NULL, loop_main, &loops[started]) != 0)
			break;
	printf("listening on http://%s:%d\n", o->host, port);
	fflush(stdout);

	int sig = 0;
	sigwait(&sigs, &sig);
	fprintf(stderr, "tamin: signal %d: finishing in-flight requests\n", sig);
	static const struct timeval now = {0, 0};
	for (int i = 0; i < started; i++)
		event_base_once(loops[i].base, -1, EV_TIMEOUT, begin_drain, &loops[i], &now);
	for (int i = 0; i < started; i++)
		pthread_join(loops[i].thread, NULL);
	slow_stop();
out:
	for (int i = 0; i < n; i++)
		loop_free(&loops[i]);
	free(loops);
	conn_shared_free(shared);
	return rc;
}

/* ---- a loop driven from outside (http.h) ---- */

struct loop *http_loop_new(const struct http_options *o, int listen_fd, struct err *e)
{
	evthread_use_pthreads(); /* the writer and the slow thread wake the loop */
	streams_setup(o);
	struct loop *l = calloc(1, sizeof *l);
	struct conn_shared *shared = shared_new(o);
	if (!l || !shared) {
		free(l);
		conn_shared_free(shared);
		close(listen_fd);
		err_set(e, 500, "internal", "", "out of memory");
		return NULL;
	}
	int rc = loop_init(l, o, shared, e);
	if (rc == 0 && conn_listen(&l->host, listen_fd) < 0) {
		close(listen_fd);
		rc = err_set(e, 500, "listen", "listen", "cannot accept on the socket");
	} else if (rc < 0) {
		close(listen_fd);
	}
	if (rc == 0 && slow_start() < 0) /* the socket is the loop's now: loop_free closes it */
		rc = err_set(e, 500, "internal", "", "cannot start a thread");
	if (rc < 0) {
		loop_free(l);
		free(l);
		conn_shared_free(shared);
		return NULL;
	}
	return l;
}

struct event_base *http_loop_base(struct loop *l)
{
	return l->base;
}

void http_loop_free(struct loop *l)
{
	if (!l)
		return;
	struct conn_shared *shared = l->host.shared; /* the loop's own, unlike http_serve's */
	slow_stop();
	loop_free(l);
	free(l);
	conn_shared_free(shared);
}
