/* The server: loops, listening sockets, dispatch, authentication, limits, shutdown. */
#include "http/http.h"
#include "users/users.h"
#include "web/web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
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
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RATE_SLOTS 4096

struct rate_slot {
	double tokens;
	int64_t last_ms;
};

struct loop {
	struct app *app;
	const struct route *routes;
	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket *bound;
	struct db *db;
	pthread_t thread;
	atomic_int inflight;
	int draining;
	struct event *drain_timer;
	int in_read; /* a read transaction is open on db */
	time_t date_at;	  /* the second date is for */
	char date[32];	  /* "Sun, 06 Nov 1994 08:49:37 GMT" */
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

int64_t req_now(void) { return (int64_t)time(NULL); }

/* The reads of one handler run in one read transaction: SQLite then takes its file
 * locks once per request rather than once per statement (they were a tenth of a case
 * read's time), and the handler sees one consistent snapshot. The transaction ends
 * before the reply leaves and before a write job is queued, so that a read after the
 * write (in its done callback) sees it. */
struct db *req_db(struct req *r)
{
	struct loop *l = r->loop;
	if (!l->in_read && db_exec(l->db, "BEGIN") == 0)
		l->in_read = 1;
	return l->db;
}

static void read_end(struct loop *l)
{
	if (l->in_read) {
		db_exec(l->db, "COMMIT");
		l->in_read = 0;
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
	if (!json_is_object(j)) {
		json_decref(j);
		err_set(e, 400, "invalid_json", "body", "the body must be a JSON object");
		return NULL;
	}
	return j;
}

const char *req_header(struct req *r, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(r->ev), name);
}

void req_set_header(struct req *r, const char *name, const char *value)
{
	evhttp_add_header(evhttp_request_get_output_headers(r->ev), name, value);
}

static void req_finish(struct req *r)
{
	struct loop *l = r->loop;
	arena_release(&r->arena);
	if (r->query) {
		evhttp_clear_headers(r->query);
		free(r->query);
	}
	free(r);
	atomic_fetch_sub(&l->inflight, 1);
}

static void free_body(const void *data, size_t len, void *arg)
{
	(void)len;
	(void)arg;
	free((void *)data);
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

/* The headers of every reply, API or web app. */
static void add_safety_headers(struct evkeyvalq *h)
{
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
}

static const char *reason_of(int status)
{
	return status == 200   ? "OK"
	       : status == 201 ? "Created"
	       : status == 304 ? "Not Modified"
	       : status < 500  ? "Client Error"
			       : "Server Error";
}

/* Sends the reply (body may be NULL) with the headers every reply carries, and frees
 * the request. A HEAD request gets the headers and the body's Content-Length: libevent
 * 2.1 would send the body and no length. */
static void send_reply(struct req *r, int status, struct evbuffer *body)
{
	read_end(r->loop);
	struct evkeyvalq *h = evhttp_request_get_output_headers(r->ev);
	add_safety_headers(h);
	evhttp_add_header(h, "Date", date_now(r->loop));
	if (body && evhttp_request_get_command(r->ev) == EVHTTP_REQ_HEAD) {
		char n[24];
		snprintf(n, sizeof n, "%zu", evbuffer_get_length(body));
		evhttp_add_header(h, "Content-Length", n);
		evbuffer_drain(body, evbuffer_get_length(body));
	}
	evhttp_send_reply(r->ev, status, reason_of(status), body);
	if (body)
		evbuffer_free(body);
	req_finish(r);
}

/* Sends body (malloc'd, handed over) with the API's headers, and frees the request. */
static void reply_raw(struct req *r, int status, char *body, size_t len)
{
	struct evbuffer *buf = evbuffer_new();
	if (!buf)
		abort();
	if (body && evbuffer_add_reference(buf, body, len, free_body, NULL) < 0)
		free(body);
	struct evkeyvalq *h = evhttp_request_get_output_headers(r->ev);
	evhttp_add_header(h, "Content-Type", "application/json; charset=utf-8");
	evhttp_add_header(h, "Cache-Control", "no-store");
	send_reply(r, status, buf);
}

void reply_static(struct req *r, int status, const void *data, size_t len)
{
	struct evbuffer *buf = NULL;
	if (data) {
		buf = evbuffer_new();
		if (!buf || evbuffer_add_reference(buf, data, len, NULL, NULL) < 0)
			abort();
	}
	send_reply(r, status, buf);
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
	if (status >= 500)
		fprintf(stderr, "tamin: %d %s %s: %s\n", status, r->path, e->code, e->message);
	json_t *body = json_pack("{s:{s:s,s:s,s:s}}", "error", "code", e->code[0] ? e->code : "error",
				 "message", e->message, "field", e->field);
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
	char *end;
	long long v = strtoll(r->param[0], &end, 10);
	return (*end || v < 1) ? 0 : (int64_t)v;
}

void req_wait(struct req *r, struct write_job *job)
{
	read_end(r->loop);
	job->base = r->loop->base;
}

void req_write(struct req *r, struct write_job *job)
{
	req_wait(r, job);
	writer_submit(r->app->writer, job);
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
	int limit = l->app->rate_limit;
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

/* "/api/v1/cases/{}/events" against a path; fills params. */
static int route_match(const char *pattern, const char *path, struct req *r)
{
	int np = 0;
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (p[0] == '{' && p[1] == '}') {
			const char *end = strchr(s, '/');
			size_t n = end ? (size_t)(end - s) : strlen(s);
			if (n == 0 || n > 64 || np >= 3)
				return 0;
			char *raw = arena_strndup(&r->arena, s, n);
			char *dec = evhttp_uridecode(raw, 0, NULL); /* %DB%B1 → the Persian digit */
			r->param[np++] = dec ? arena_strdup(&r->arena, dec) : raw;
			free(dec);
			s += n;
			p += 2;
		} else if (*p++ != *s++) {
			return 0;
		}
	}
	return *p == 0 && *s == 0;
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
	struct evkeyvalq *h = evhttp_request_get_input_headers(r->ev);
	const char *auth = evhttp_find_header(h, "Authorization");
	char buf[128];
	const char *token = NULL;
	int cookie = 0;
	if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
		token = auth + 7;
	} else {
		token = cookie_value(evhttp_find_header(h, "Cookie"), "tamin_session", buf,
				     sizeof buf);
		cookie = token != NULL;
	}
	if (!token ||
	    users_session_find(req_db(r), token, req_now(), &r->who, csrf_out, &r->arena) < 0)
		return -1;
	r->who.via_cookie = cookie;
	r->token = arena_strdup(&r->arena, token);
	return 0;
}

static int method_of(enum evhttp_cmd_type t)
{
	switch (t) {
	case EVHTTP_REQ_GET:
	case EVHTTP_REQ_HEAD:
		return M_GET;
	case EVHTTP_REQ_POST:
		return M_POST;
	case EVHTTP_REQ_PUT:
		return M_PUT;
	case EVHTTP_REQ_PATCH:
		return M_PATCH;
	case EVHTTP_REQ_DELETE:
		return M_DELETE;
	default:
		return 0;
	}
}

static void on_request(struct evhttp_request *ev, void *arg)
{
	struct loop *l = arg;
	struct req *r = calloc(1, sizeof *r);
	if (!r) {
		evhttp_send_error(ev, 503, "Service Unavailable");
		return;
	}
	atomic_fetch_add(&l->inflight, 1);
	r->ev = ev;
	r->loop = l;
	r->app = l->app;
	arena_init(&r->arena);
	char *peer = NULL;
	ev_uint16_t port = 0;
	evhttp_connection_get_peer(evhttp_request_get_connection(ev), &peer, &port);
	snprintf(r->ip, sizeof r->ip, "%s", peer ? peer : "");

	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(ev);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	r->path = path && *path ? path : "/";
	const char *q = uri ? evhttp_uri_get_query(uri) : NULL;
	if (q) {
		r->query = calloc(1, sizeof *r->query);
		if (!r->query || evhttp_parse_query_str(q, r->query) < 0) {
			reply_errorf(r, 400, "invalid_query", "query", "the query string is malformed");
			return;
		}
	}
	r->method = method_of(evhttp_request_get_command(ev));
	if (!rate_ok(l, r->ip)) {
		req_set_header(r, "Retry-After", "1");
		reply_errorf(r, 429, "rate_limited", "", "too many requests; slow down");
		return;
	}
	const struct route *found = NULL;
	int path_known = 0;
	for (const struct route *rt = l->routes; rt->pattern; rt++) {
		if (!route_match(rt->pattern, r->path, r))
			continue;
		path_known = 1;
		if (rt->method == r->method) {
			found = rt;
			break;
		}
	}
	/* the body's limit is the route's (a monthly list is larger than a case) */
	struct evbuffer *in = evhttp_request_get_input_buffer(ev);
	r->body_len = evbuffer_get_length(in);
	size_t limit = found && found->max_body ? found->max_body : l->app->body_limit;
	if (r->body_len > limit) {
		reply_errorf(r, 413, "body_too_large", "body", "the body is over %zu bytes", limit);
		return;
	}
	if (r->body_len) {
		char *b = arena_alloc(&r->arena, r->body_len + 1);
		evbuffer_copyout(in, b, r->body_len);
		r->body = b;
	}
	if (!found) {
		/* Paths under /api/ are the API's alone: an unknown one is a JSON 404 even when
		 * the web app is served, not the app's page. */
		int api = strncmp(r->path, "/api/", 5) == 0 || strcmp(r->path, "/api") == 0;
		if (path_known)
			reply_errorf(r, 405, "method_not_allowed", "", "method not allowed here");
		else if (l->app->web && !api)
			web_h_serve(r);
		else
			reply_errorf(r, 404, "not_found", "", "no such resource: %s", r->path);
		return;
	}
	if (found->roles) {
		const char *csrf = NULL;
		if (authenticate(r, &csrf) < 0) {
			reply_errorf(r, 401, "unauthenticated", "", "log in first");
			return;
		}
		r->csrf = csrf;
		if (!(found->roles & r->who.role)) {
			reply_errorf(r, 403, "forbidden", "", "your role (%s) may not do this",
				     role_name(r->who.role));
			return;
		}
		if (r->who.via_cookie && r->method != M_GET) {
			const char *sent = evhttp_find_header(evhttp_request_get_input_headers(ev),
							      "X-CSRF-Token");
			if (!sent || !csrf || !users_token_equal(sent, csrf)) {
				reply_errorf(r, 403, "csrf", "X-CSRF-Token",
					     "a cookie session needs the X-CSRF-Token header");
				return;
			}
		}
	}
	found->fn(r); /* r may be freed by now; l lives on */
	read_end(l);
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
	if (l->bound) {
		evhttp_del_accept_socket(l->http, l->bound);
		l->bound = NULL;
	}
	l->draining = 1;
	static const struct timeval tick = {0, 10000};
	l->drain_timer = event_new(l->base, -1, EV_PERSIST, drain_check, l);
	event_add(l->drain_timer, &tick);
}

static void loop_free(struct loop *l)
{
	if (l->drain_timer)
		event_free(l->drain_timer);
	if (l->http)
		evhttp_free(l->http);
	if (l->base)
		event_base_free(l->base);
	db_close(l->db);
}

int http_serve(struct app *app, const struct route *routes, const struct server_options *o,
	       struct err *e)
{
	evthread_use_pthreads();
	/* The loops and workers must not take the shutdown signals: main waits for them. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	int n = app->threads > 0 ? app->threads : 2;
	struct loop *loops = calloc((size_t)n, sizeof *loops);
	if (!loops)
		return err_set(e, 500, "internal", "", "out of memory");
	int port = o->port, rc = 0, started = 0;
	if (port && port_free(o->host, port, e) < 0) {
		free(loops);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		struct loop *l = &loops[i];
		l->app = app;
		l->routes = routes;
		/* The changelist folds a request's add/remove of read and write interest into
		 * one epoll_ctl at most, instead of a system call for each. */
		struct event_config *cfg = event_config_new();
		if (cfg)
			event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
		l->base = cfg ? event_base_new_with_config(cfg) : NULL;
		if (cfg)
			event_config_free(cfg);
		l->http = l->base ? evhttp_new(l->base) : NULL;
		if (!l->http) {
			rc = err_set(e, 500, "internal", "", "cannot create event loop");
			goto out;
		}
		if (db_open(&l->db, app->db_path, 0, e) < 0) {
			rc = -1;
			goto out;
		}
		/* libevent answers bodies far over our limit itself; up to 1 MiB we answer
		 * with a JSON 413 naming the limit. */
		evhttp_set_max_body_size(l->http, HTTP_MAX_BODY);
		evhttp_set_max_headers_size(l->http, 16 << 10);
		evhttp_set_timeout(l->http, 30);
		evhttp_set_allowed_methods(l->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
							    EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
							    EVHTTP_REQ_PATCH | EVHTTP_REQ_DELETE);
		evhttp_set_gencb(l->http, on_request, l);
		int bound_port = 0;
		int fd = listen_socket(o->host, port, &bound_port, e);
		if (fd < 0) {
			rc = -1;
			goto out;
		}
		port = bound_port; /* the other loops share the port the first one got */
		l->bound = evhttp_accept_socket_with_handle(l->http, fd);
		if (!l->bound) {
			close(fd);
			rc = err_set(e, 500, "listen", "listen", "cannot accept on the socket");
			goto out;
		}
	}
	if (pthread_create(&slow.thread, NULL, slow_main, NULL) != 0) {
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
	pthread_mutex_lock(&slow.mu);
	slow.stopping = 1;
	pthread_cond_signal(&slow.cv);
	pthread_mutex_unlock(&slow.mu);
	pthread_join(slow.thread, NULL);
out:
	for (int i = 0; i < n; i++)
		loop_free(&loops[i]);
	free(loops);
	return rc;
}
