/* http: the HTTP/JSON server on libevent, a framework that knows no domain. One event
 * loop per core shares the port (SO_REUSEPORT); each loop has its own reader database
 * connection; writes go to the writer (store/writer.h) and the reply is sent from the
 * loop when the group commits.
 *
 * The composition root gives it a route table, hooks (find a session's principal, answer
 * a path no route knows) and an opaque struct app that handlers read (src/app.h). A
 * handler receives a struct req: the authenticated principal, path parameters, the query
 * and the body, and a per-request arena freed when the reply is sent, with everything
 * hung on it (arena_defer), the parsed body among them. It must reply exactly once, now
 * or from a job's completion. */
#ifndef TAMIN_HTTP_HTTP_H
#define TAMIN_HTTP_HTTP_H

#include <jansson.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/jw.h"
#include "base/principal.h"
#include "store/store.h"
#include "store/writer.h"

struct app; /* the server-wide state handlers read; the server only passes it on */
struct conn;
struct event_base;
struct evhttp_uri;
struct wire_req;
struct loop;

enum http_method { M_GET = 1, M_POST = 2, M_PUT = 4, M_PATCH = 8, M_DELETE = 16 };

#define REQ_OUT_HEADERS 16

struct req {
	struct conn *conn; /* the connection it came on (http/conn.h) */
	const struct wire_req *wire; /* its head (http/wire.h); NULL for a refused request */
	struct evhttp_uri *uri;
	int head_only; /* HEAD: the reply's headers without its body */
	const char *out_name[REQ_OUT_HEADERS], *out_value[REQ_OUT_HEADERS]; /* req_set_header */
	int nout;
	struct loop *loop;
	struct app *app;
	struct arena arena;
	enum http_method method;
	const char *path;
	const char *param[3]; /* the {...} parts of the route, in order */
	struct evkeyvalq *query;
	/* the body, borrowed from the connection's buffer (never copied: an upload of 10 MiB
	 * is held once) until the reply is sent; not NUL-terminated */
	const char *body;
	size_t body_len;
	struct principal who; /* user_id 0: not logged in */
	const char *token;    /* the session token the request came with */
	const char *csrf;     /* that session's CSRF token, once authenticated */
	char ip[48]; /* the client's address (behind a trusted proxy, the one it saw) */
	const struct route *route; /* the route it matched */
	size_t limit;		   /* the most its body may be */
	/* the route's body_arriving's own, released with the request (by body_state_free),
	 * whether the handler ran or the request was given up */
	void *body_state;
	void (*body_state_free)(void *state);
	struct db *read_db; /* the server's own: the connection req_db chose for it */
};

typedef void (*handler_fn)(struct req *r);

struct route {
	enum http_method method;
	const char *pattern; /* "/api/v1/cases/{}/events" */
	int roles;	     /* allowed roles; 0: public */
	handler_fn fn;
	size_t max_body; /* bytes; 0: the app's body_limit */
	/* the audit action of a refusal by role (hooks.forbidden): the route reads personal
	 * data; NULL: it does not */
	const char *audit;
	/* the field a body over max_body is named in (an upload's "file"); NULL: "body" */
	const char *body_field;
	/* told, on the loop, each time a body still arriving has grown (data[0..have) of
	 * total bytes; Content-Length bodies), so that the handler's work can start before
	 * the body is in (an upload written to disk as it comes); what it keeps goes in
	 * r->body_state. NULL: the handler sees the body once it is whole. */
	void (*body_arriving)(struct req *r, const char *data, size_t have, size_t total);
};

/* The most any route accepts; larger bodies are refused before they are read. A route
 * takes the app's body_limit unless it names its own: an attachment's (10 MiB and the
 * multipart around it) is the largest. */
#define HTTP_MAX_BODY ((10u << 20) + (64u << 10))
/* The most a request without a live session may send (a login), whatever its route. */
#define HTTP_ANON_BODY (16u << 10)
/* Connections one client address may hold open at once, unless http_options says. */
#define HTTP_MAX_PER_ADDRESS 256
/* The bytes all connections together may hold in buffers grown for big bodies; a body
 * that would pass it gets 503 and Retry-After, unless http_options says. */
#define HTTP_BODY_BUDGET ((size_t)64 << 20)

/* What the composition root plugs in: the server knows no accounts and no web app. */
struct http_hooks {
	/* The principal of a live session token: fills who and *csrf (allocated in a).
	 * 0 found, -1 none or expired. */
	int (*session)(struct db *db, const char *token, int64_t now, struct principal *who,
		       const char **csrf, struct arena *a);
	/* Constant-time comparison of two NUL-terminated secrets (the CSRF token). */
	int (*secret_equal)(const char *a, const char *b);
	/* Answers a path outside /api/ that no route matched (the web app); NULL: 404. */
	handler_fn fallback;
	/* Answers 403 for a role the route does not admit, auditing a refused read of
	 * personal data; NULL: a plain 403. */
	void (*forbidden)(struct req *r, const struct route *rt);
	/* The last say on a request its route's roles admit (after the CSRF check): 0 go on,
	 * -1 it replied (an account that must first change its password); NULL: go on. */
	int (*admit)(struct req *r, const struct route *rt);
};

struct http_options {
	const char *host;
	int port; /* 0: any free port */
	int threads;	   /* event loops, one per core */
	int rate_limit;	   /* requests per second per client address; 0 = off */
	size_t body_limit; /* a route's body limit unless it names its own */
	int max_per_address; /* connections from one address; 0: HTTP_MAX_PER_ADDRESS */
	int head_timeout_s;  /* a request's head must be in this long after its first byte,
			      * and its body follow at 16 KiB/s; 0: 10 s */
	size_t body_budget;  /* big bodies held at once, bytes; 0: HTTP_BODY_BUDGET */
	const char *db_path; /* each loop opens its reader connection on it */
	/* A streaming replica for reads (NULL: none): each loop reads there, except for one
	 * who wrote and whose write the replica has not replayed yet (read-your-writes, by
	 * the primary's WAL position, store.h's db_wal_position); they read on the primary
	 * (db_path), as does a session token the replica does not know yet. */
	const char *db_replica;
	int db_timeout_ms; /* each loop's connections: store.h's db_set_timeout */
	struct writer *writer; /* req_write's jobs go there */
	const struct route *routes; /* ended by a route with a NULL pattern */
	const struct http_hooks *hooks;
	struct app *app; /* handed to every handler as r->app */
	/* Every reply carries Strict-Transport-Security (RFC 6797), so browsers come back over
	 * HTTPS only: for a server that clients reach through HTTPS alone. */
	int hsts;
	/* The reverse proxy's address as inet_ntop writes it (NULL: none): a request from it
	 * is taken as from the last address of its X-Forwarded-For (req.ip). */
	const char *trusted_proxy;
	/* Streams (req_stream): at most streams_per_user open for one user (0:
	 * HTTP_STREAMS_PER_USER) and streams_max in all (0: half the descriptors the process
	 * may open); a heartbeat every stream_heartbeat_s seconds (0: 15). */
	int streams_per_user;
	int streams_max;
	int stream_heartbeat_s;
};

/* Streams one user may hold open at once, unless http_options says: a tab or a device
 * each, and some to spare. */
#define HTTP_STREAMS_PER_USER 16

/* Serves until SIGINT or SIGTERM: then stops accepting, finishes in-flight requests,
 * commits queued writes and returns 0. Prints "listening on http://HOST:PORT". */
int http_serve(const struct http_options *o, struct err *e);

/* One loop driven from outside, for the fuzz targets (tests/fuzz/): it serves the
 * connections it accepts on listen_fd (listening, non-blocking; a Unix socket will do)
 * while the caller runs its event base, so that bytes written to a connection take the
 * whole path of a served request (conn.c, wire.c, dispatch, sessions, the handler, its
 * write job) in the caller's process, with no port and no thread of its own. It starts
 * the slow-work thread (one such loop at a time, and not beside http_serve). listen_fd
 * becomes the loop's, closed with it or on failure. NULL with e. */
struct loop *http_loop_new(const struct http_options *o, int listen_fd, struct err *e);
struct event_base *http_loop_base(struct loop *l);
/* Closes the connections and the socket and stops the slow thread. */
void http_loop_free(struct loop *l);

/* Handler helpers. */
/* This loop's reader connection for r: the replica, or the primary when r's user wrote
 * what the replica has not yet replayed (http_options.db_replica). */
struct db *req_db(struct req *r);
/* The route's first {} part as a positive integer id; 0 when it is not one. */
int64_t req_path_id(struct req *r);
const char *req_query(struct req *r, const char *key);
const char *req_header(struct req *r, const char *name); /* a request header, or NULL */
/* The page size of a list: ?limit=1..200, 50 when absent. On a bad value it replies
 * 400 naming "limit" and returns -1. */
int req_limit(struct req *r, int *limit);
/* The body as a JSON object, or NULL with e filled (400 invalid_json / body). The object
 * is borrowed from the request and freed with it: the handler never decrefs it (a value
 * it keeps past the reply, or hands to a reply, it increfs). */
json_t *req_json(struct req *r, struct err *e);
int64_t req_now(void);

void reply_json(struct req *r, int status, json_t *body); /* steals body */
void reply_jw(struct req *r, int status, struct jw *body);  /* takes the buffer */
void reply_error(struct req *r, const struct err *e);
void reply_errorf(struct req *r, int status, const char *code, const char *field,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Adds a header to the reply (name and value must live until it is sent; at most
 * REQ_OUT_HEADERS of them). */
void req_set_header(struct req *r, const char *name, const char *value);
/* Sends len bytes at data, which must outlive the server (they are sent by reference,
 * not copied), with the headers set by req_set_header and the ones every reply carries
 * (nosniff, no framing, no referrer, HSTS with http_options.hsts); data NULL: no body (304). Like every reply, a
 * HEAD request gets the headers and Content-Length only. */
void reply_static(struct req *r, int status, const void *data, size_t len);

/* Sends len bytes at data, handed over (release(data) once written; NULL: the caller
 * keeps them alive until then), with the headers set by req_set_header and the ones every
 * reply carries, as reply_static. For a file read for this reply (an attachment). */
void reply_data(struct req *r, int status, void *data, size_t len, void (*release)(void *));
/* Sends body (malloc'd, handed over: freed once written) as Content-Type `type`, with the
 * headers set by req_set_header (a download's Content-Disposition) and no-store. */
void reply_bytes(struct req *r, int status, const char *type, char *body, size_t len);

/* Submits a write job whose done() will reply; the request stays alive until then. */
void req_write(struct req *r, struct write_job *job);
/* Before handing r to other work whose job->done() replies on this loop: ends the
 * handler's reads and sets job->base (req_write does both). */
void req_wait(struct req *r, struct write_job *job);
/* The same, filling the job first: run(arg) in the writer, then done(arg) on this loop. */
void req_write_job(struct req *r, struct write_job *job,
		   int (*run)(struct db *db, void *arg, struct err *e),
		   void (*done)(void *arg, int rc, const struct err *e), void *arg);
/* Runs fn(arg) on the slow-work thread (password hashing) then done on this loop. */
void req_slow(struct req *r, void (*fn)(void *arg), void (*done)(void *arg), void *arg);

/* Streams: a reply whose body is written over time, from any thread (Server-Sent Events).
 *
 * req_stream answers r with 200, content_type, the headers set by req_set_header and the
 * ones every reply carries, and a body of unknown length (chunked; until the close for
 * HTTP/1.0), and frees r; the connection stays open. A stream counts toward its user's
 * cap and the server's (http_options), not toward the requests in flight: no head or
 * body deadline, no idle timeout. Every heartbeat interval it writes `heartbeat` (an SSE
 * comment, say) and checks that the session it was opened with is still live. It
 * closes when the client closes, the server stops (the last chunk is sent), its session
 * ends (http_streams_end_session, or found gone at a heartbeat), a client reads nothing
 * for 30 s or lets a MiB wait, or its holder calls http_stream_close; then on_close(arg)
 * runs once, on the stream's loop.
 *
 * Returns the stream with one reference for the caller (http_stream_release), or NULL:
 * refused past a cap (it replied 429 too_many_streams or 503 server_busy, JSON naming
 * why), a HEAD request (answered with the head alone), or the client gone. */
struct http_stream;
struct http_stream *req_stream(struct req *r, const char *content_type, const char *heartbeat,
			       void (*on_close)(void *arg), void *arg);
/* Queues len bytes (copied) to be written on the stream's loop, soon: from any thread.
 * 0, or -1 when the stream is closed or closing. */
int http_stream_send(struct http_stream *s, const void *data, size_t len);
/* Closes the stream after what is queued: from any thread. */
void http_stream_close(struct http_stream *s);
void http_stream_release(struct http_stream *s);
/* Closes every stream opened with this session token (a logout): from any thread. */
void http_streams_end_session(const char *token);
/* Closes every stream of this user (an account disabled, its role changed or its password
 * reset: its sessions end): from any thread. */
void http_streams_end_user(int64_t user_id);

#endif
