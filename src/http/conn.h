/* conn: the HTTP/1.1 connections of one event loop, on plain libevent events (private to
 * src/http). A connection's socket stays registered for reading from its accept to its
 * close; a reply is written at once with one writev, and only what the socket does not
 * take waits for a write event. evhttp (before) turned reading off and writing on and
 * back around every request: 2.6 epoll_ctl and an ioctl a case read, besides its header
 * formatting (wire.h).
 *
 * Requests on a connection are answered in order, one at a time: bytes that arrive
 * meanwhile (a pipelined request) wait in its buffer. */
#ifndef TAMIN_HTTP_CONN_H
#define TAMIN_HTTP_CONN_H

#include <stdatomic.h>
#include <stddef.h>

#include "http/wire.h"

struct conn;
struct event;
struct event_base;

/* A request's head is in, its body not yet read: the host decides now, from the route and
 * who is asking, how large a body it takes, so that nobody makes the server hold a body
 * it would refuse. body_in: the body is in the buffer already. Returns the limit in
 * bytes, or -1 when it has replied (conn_send) already: the connection then closes after
 * the reply if a body was coming, unread. *user is handed to on_request (or to drop). */
typedef long long (*conn_head_fn)(struct conn *c, const struct wire_req *q, int body_in,
				  void **user, void *arg);
/* A request whose head and body are in: q and body[0..len) stay valid until its reply
 * has been handed to conn_send. refuse != 0: the request was malformed, too large or too
 * slow (q may be NULL); the handler replies with that status and the connection closes
 * after it. user: what on_head gave, or NULL. */
typedef void (*conn_request_fn)(struct conn *c, const struct wire_req *q, const char *body,
				size_t len, int refuse, void *user, void *arg);

/* What the hosts of every loop share: the connections each address holds, and the bytes
 * held in input buffers past their usual size (big bodies). Thread-safe. */
struct conn_shared;
/* max_per_address 0: no cap; max_buffered 0: no budget; uncapped: an address the cap
 * does not apply to (a trusted reverse proxy, whose connections carry every client's),
 * NULL: none. NULL on out of memory. */
struct conn_shared *conn_shared_new(int max_per_address, size_t max_buffered,
				    const char *uncapped);
void conn_shared_free(struct conn_shared *s);

struct conn_host {
	struct event_base *base;
	conn_head_fn on_head; /* NULL: every request may send max_body */
	conn_request_fn on_request;
	void (*drop)(void *user, void *arg); /* a request given up before on_request */
	/* a Content-Length body still arriving has grown: data[0..have) of total, on the
	 * connection's loop, before on_request (which comes once have == total). NULL: not
	 * told. user: what on_head gave. */
	void (*on_body)(void *user, const char *data, size_t have, size_t total, void *arg);
	void *arg;
	size_t max_head, max_body; /* bytes */
	int timeout_s;		   /* an idle keep-alive connection is closed after this */
	int head_timeout_s;	   /* a request's head must be in this long after its first byte */
	size_t min_rate;	   /* and its body must come at least this fast, bytes a second */
	struct conn_shared *shared; /* NULL: no cap per address, no budget */
	atomic_int *inflight;	    /* requests whose reply is not yet fully written */
	/* the host's own */
	int listen_fd;
	struct event *accept_ev, *accept_pause;
	struct conn *conns;
};

/* Accepts connections on fd (listening, non-blocking) into h. 0 or -1. */
int conn_listen(struct conn_host *h, int fd);
/* Stops accepting and closes the listening socket; open connections are served on. */
void conn_stop_accepting(struct conn_host *h);
/* Closes every connection and the listening socket (the loop has stopped). */
void conn_close_all(struct conn_host *h);

/* The peer's numeric address. */
const char *conn_ip(const struct conn *c);
/* How the reply must end the exchange: *close when the connection closes after it (the
 * client asked, HTTP/1.0 without keep-alive, a refused request), *keep_alive_10 when an
 * HTTP/1.0 client asked to keep it. */
void conn_reply_mode(const struct conn *c, int *close, int *keep_alive_10);
/* Sends the reply: head[0..hlen) (copied if needed), then body[0..blen) (kept until it is
 * written, then release(body) if release is not NULL). Ends the request. */
void conn_send(struct conn *c, const char *head, size_t hlen, const void *body, size_t blen,
	       void (*release)(void *));

/* Streams: a reply whose body is written over time (Server-Sent Events). In place of
 * conn_send, conn_stream_start sends head[0..hlen) and ends the request (it no longer
 * counts as in flight) but keeps the connection: no idle timeout, no deadline; what the
 * client sends after is read and dropped, and its close closes the stream. Each write is
 * a chunk when chunked (the head said Transfer-Encoding: chunked), else raw bytes until
 * the close. on_close(arg) runs once when the connection closes, whatever the cause; not
 * when the start fails (-1: the connection is gone already). Loop thread only. */
int conn_stream_start(struct conn *c, const char *head, size_t hlen, int chunked,
		      void (*on_close)(void *arg), void *arg);
/* Writes data (copied) to a stream; what the socket does not take waits, up to
 * CONN_STREAM_PENDING bytes: past that, or when the client has read nothing for
 * timeout_s, the stream closes (a client that does not read). 0, or -1 closed. */
#define CONN_STREAM_PENDING (1u << 20)
int conn_stream_write(struct conn *c, const void *data, size_t len);
/* Ends a stream: the last chunk, then the close once what waits is written. */
void conn_stream_end(struct conn *c);
/* Ends every stream of the host (the server stops). */
void conn_end_streams(struct conn_host *h);

#endif
