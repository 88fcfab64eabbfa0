/* HTTP/1.1 connections on plain libevent events (conn.h). */
#include "http/conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define IN_START 4096	   /* a connection's input buffer at first */
#define IN_KEEP (64 << 10) /* a buffer grown past this shrinks back after its request */

struct conn {
	struct conn_host *h;
	struct conn *prev, *next;
	int fd;
	struct event *rev, *wev;
	char ip[48];
	/* input: the current request from in[0], what follows it after */
	char *in;
	size_t len, cap;
	size_t head_len; /* the current request's head, parsed; 0: not yet */
	size_t used;	 /* bytes the current request takes, body included (once dispatched) */
	size_t chunk_scan;
	struct wire_req q;
	int reading; /* rev is added */
	int busy;    /* a request is with the handler or its reply is being written */
	int eof;     /* the peer sends no more */
	int closing; /* close once the current reply is written */
	int dead;    /* closed; freed once no request refers to it */
	int processing;
	int continued; /* "100 Continue" sent for the current request */
	/* the reply being written */
	char *out; /* the head's unwritten rest (malloc'd) */
	size_t out_len;
	const char *body;
	size_t body_len;
	const void *body_start;
	void (*release)(void *);
};

static void conn_read_cb(evutil_socket_t fd, short what, void *arg);
static void conn_write_cb(evutil_socket_t fd, short what, void *arg);
static void process(struct conn *c);

static void reading_on(struct conn *c)
{
	if (c->reading || c->dead || c->eof)
		return;
	struct timeval tv = {c->h->timeout_s, 0};
	if (event_add(c->rev, &tv) == 0)
		c->reading = 1;
}

static void reading_off(struct conn *c)
{
	if (c->reading)
		event_del(c->rev);
	c->reading = 0;
}

static void conn_free(struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else /* the first of the list */
		c->h->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c->in);
	free(c->out);
	free(c);
}

/* Closes the socket; the struct stays until conn_settle finds nothing refers to it. */
static void conn_close(struct conn *c)
{
	if (c->dead)
		return;
	c->dead = 1;
	if (c->rev)
		event_free(c->rev);
	if (c->wev)
		event_free(c->wev);
	c->rev = c->wev = NULL;
	c->reading = 0;
	close(c->fd);
	c->fd = -1;
}

/* The last call of every entry point (an event, a reply): frees a closed connection
 * once no request is with the handler and no call below is still reading it. */
static void conn_settle(struct conn *c)
{
	if (c->dead && !c->busy && !c->processing)
		conn_free(c);
}

static void accept_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	struct conn_host *h = arg;
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage ss = {0};
		socklen_t sl = sizeof ss;
		int s = accept4(fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (s < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return;
		}
		struct conn *c = calloc(1, sizeof *c);
		char *in = malloc(IN_START);
		if (!c || !in) {
			free(c);
			free(in);
			close(s);
			continue;
		}
		c->h = h;
		c->fd = s;
		c->in = in;
		c->cap = IN_START;
		if (ss.ss_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, c->ip,
				  sizeof c->ip);
		else if (ss.ss_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, c->ip,
				  sizeof c->ip);
		c->rev = event_new(h->base, s, EV_READ | EV_PERSIST, conn_read_cb, c);
		c->wev = event_new(h->base, s, EV_WRITE | EV_PERSIST, conn_write_cb, c);
		c->next = h->conns;
		if (h->conns)
			h->conns->prev = c;
		h->conns = c;
		if (!c->rev || !c->wev) {
			conn_close(c);
			conn_settle(c);
			continue;
		}
		reading_on(c);
	}
}

int conn_listen(struct conn_host *h, int fd)
{
	h->accept_ev = event_new(h->base, fd, EV_READ | EV_PERSIST, accept_cb, h);
	if (!h->accept_ev || event_add(h->accept_ev, NULL) < 0) {
		if (h->accept_ev)
			event_free(h->accept_ev);
		h->accept_ev = NULL;
		return -1; /* fd stays the caller's */
	}
	h->listen_fd = fd;
	return 0;
}

void conn_stop_accepting(struct conn_host *h)
{
	if (h->accept_ev) {
		event_free(h->accept_ev);
		h->accept_ev = NULL;
	}
	if (h->listen_fd >= 0)
		close(h->listen_fd);
	h->listen_fd = -1;
}

void conn_close_all(struct conn_host *h)
{
	conn_stop_accepting(h);
	struct conn *c = h->conns;
	h->conns = NULL;
	while (c) {
		struct conn *next = c->next;
		conn_close(c);
		free(c->in);
		free(c->out);
		free(c);
		c = next;
	}
}

const char *conn_ip(const struct conn *c)
{
	return c->ip;
}

void conn_reply_mode(const struct conn *c, int *close_, int *keep_alive_10)
{
	*close_ = c->closing || !c->q.keep_alive;
	*keep_alive_10 = !*close_ && c->q.minor == 0;
}

/* The reply is written: the next request may start. The caller settles c. */
static void reply_done(struct conn *c)
{
	if (c->release && c->body_start)
		c->release((void *)c->body_start);
	c->release = NULL;
	c->body = c->body_start = NULL;
	c->body_len = 0;
	c->busy = 0;
	atomic_fetch_sub(c->h->inflight, 1);
	if (c->dead)
		return;
	/* the request's bytes go; a pipelined one moves to the front */
	size_t used = c->used < c->len ? c->used : c->len;
	memmove(c->in, c->in + used, c->len - used);
	c->len -= used;
	c->used = c->head_len = c->chunk_scan = 0;
	c->continued = 0;
	if (c->cap > IN_KEEP && c->len < IN_START) {
		char *in = realloc(c->in, IN_START);
		if (in) {
			c->in = in;
			c->cap = IN_START;
		}
	}
	if (c->closing) {
		conn_close(c);
		return;
	}
	reading_on(c);
	process(c);
}

/* Writes what is pending; 1 when all of it went, 0 when the socket is full, -1 on error. */
static int flush(struct conn *c, const char *head, size_t hlen)
{
	struct iovec iov[2];
	int n = 0;
	if (hlen)
		iov[n++] = (struct iovec){(void *)head, hlen};
	if (c->body_len)
		iov[n++] = (struct iovec){(void *)c->body, c->body_len};
	if (!n)
		return 1;
	ssize_t w;
	do
		w = writev(c->fd, iov, n);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	size_t k = (size_t)w;
	size_t from_head = k < hlen ? k : hlen;
	k -= from_head;
	if (k) { /* a reply with no body (HEAD, 304) has body NULL, and NULL + 0 is undefined */
		c->body += k;
		c->body_len -= k;
	}
	if (from_head < hlen || c->body_len) {
		/* keep the head's rest for the write event */
		size_t rest = hlen - from_head;
		if (head != c->out || from_head) {
			char *o = rest ? malloc(rest) : NULL;
			if (rest && !o)
				return -1;
			if (rest)
				memcpy(o, head + from_head, rest);
			free(c->out);
			c->out = o;
		}
		c->out_len = rest;
		return 0;
	}
	free(c->out);
	c->out = NULL;
	c->out_len = 0;
	return 1;
}

void conn_send(struct conn *c, const char *head, size_t hlen, const void *body, size_t blen,
	       void (*release)(void *))
{
	c->body = c->body_start = body;
	c->body_len = blen;
	c->release = release;
	c->closing |= !c->q.keep_alive; /* as conn_reply_mode told the head */
	int rc = c->dead ? -1 : flush(c, head, hlen);
	if (rc == 0) {
		struct timeval tv = {c->h->timeout_s, 0};
		if (event_add(c->wev, &tv) == 0)
			return;
		rc = -1;
	}
	if (rc < 0)
		conn_close(c);
	reply_done(c);
	conn_settle(c);
}

static void conn_write_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	struct conn *c = arg;
	int rc = what & EV_TIMEOUT ? -1 : flush(c, c->out, c->out_len);
	if (rc == 0)
		return;
	event_del(c->wev);
	if (rc < 0)
		conn_close(c);
	reply_done(c);
	conn_settle(c);
}

/* Grows the input buffer to hold need bytes; -1 past the host's limits. */
static int reserve(struct conn *c, size_t need)
{
	if (need <= c->cap)
		return 0;
	if (need > c->h->max_head + c->h->max_body + (64 << 10))
		return -1;
	size_t cap = c->cap;
	while (cap < need)
		cap *= 2;
	/* a parsed head points into the buffer: keep its places as offsets across realloc */
	size_t off[2 + 2 * WIRE_HEADERS] = {0};
	int n = 0;
	if (c->head_len) {
		off[n++] = (size_t)(c->q.method - c->in);
		off[n++] = (size_t)(c->q.target - c->in);
		for (int i = 0; i < c->q.nh; i++) {
			off[n++] = (size_t)(c->q.h[i].name - c->in);
			off[n++] = (size_t)(c->q.h[i].value - c->in);
		}
	}
	char *in = realloc(c->in, cap);
	if (!in)
		return -1;
	c->in = in;
	c->cap = cap;
	if (c->head_len) {
		n = 0;
		c->q.method = in + off[n++];
		c->q.target = in + off[n++];
		for (int i = 0; i < c->q.nh; i++) {
			c->q.h[i].name = in + off[n++];
			c->q.h[i].value = in + off[n++];
		}
	}
	return 0;
}

/* Hands the request to the handler as refused: it replies with status, then the
 * connection closes. */
static void refuse(struct conn *c, int status)
{
	c->closing = 1;
	c->busy = 1;
	c->used = c->len;
	atomic_fetch_add(c->h->inflight, 1);
	c->h->on_request(c, NULL, NULL, 0, status, c->h->arg);
}

static void send_continue(struct conn *c)
{
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
	if (c->continued || !c->q.expect_continue || c->q.minor == 0)
		return;
	c->continued = 1;
	ssize_t w;
	do
		w = write(c->fd, cont, sizeof cont - 1);
	while (w < 0 && errno == EINTR);
	(void)w; /* a client that does not get it sends the body after a while anyway */
}

/* Takes the requests complete in the buffer, one at a time. The caller settles c. */
static void process(struct conn *c)
{
	if (c->processing)
		return;
	c->processing = 1;
	const struct conn_host *h = c->h;
	while (!c->busy && !c->dead) {
		if (!c->head_len) {
			size_t end = wire_head_end(c->in, c->len);
			if (!end || end > h->max_head) {
				int full = c->len > h->max_head ||
					   (c->len == c->cap && reserve(c, c->cap * 2) < 0);
				if (full)
					refuse(c, 431);
				else if (c->eof)
					conn_close(c);
				break;
			}
			int st = wire_parse(c->in, end, &c->q);
			c->head_len = end;
			if (st) {
				refuse(c, st);
				break;
			}
			if (!c->q.chunked && c->q.content_length > (int64_t)h->max_body) {
				refuse(c, 413);
				break;
			}
		}
		size_t have = c->len - c->head_len, body_len;
		if (c->q.chunked) {
			size_t used = 0;
			int rc = wire_chunked(c->in + c->head_len, have, h->max_body,
					      &c->chunk_scan, &body_len, &used);
			if (rc < 0) {
				refuse(c, 400);
				break;
			}
			if (rc == 0) {
				send_continue(c);
				if (c->eof)
					conn_close(c);
				else if (c->len == c->cap && reserve(c, c->cap * 2) < 0)
					refuse(c, 413);
				break;
			}
			c->used = c->head_len + used;
		} else {
			body_len = c->q.content_length > 0 ? (size_t)c->q.content_length : 0;
			if (have < body_len) {
				send_continue(c);
				if (c->eof)
					conn_close(c);
				else if (reserve(c, c->head_len + body_len) < 0)
					refuse(c, 413);
				break;
			}
			c->used = c->head_len + body_len;
		}
		c->busy = 1;
		atomic_fetch_add(h->inflight, 1);
		h->on_request(c, &c->q, c->in + c->head_len, body_len, 0, h->arg);
	}
	c->processing = 0;
}

static void conn_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	if (what & EV_TIMEOUT) {
		if (!c->busy)
			conn_close(c);
	} else if (c->len == c->cap && c->busy) {
		reading_off(c); /* full behind a request being answered: wait for its reply */
	} else if (c->len == c->cap && reserve(c, c->cap * 2) < 0) {
		reading_off(c);
		refuse(c, 431);
	} else {
		ssize_t n;
		do
			n = read(fd, c->in + c->len, c->cap - c->len);
		while (n < 0 && errno == EINTR);
		if (n == 0) {
			c->eof = 1;
			reading_off(c);
		}
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			conn_close(c);
		else if (n >= 0)
			c->len += (size_t)n;
		if (n >= 0 && !c->busy)
			process(c);
	}
	conn_settle(c);
}
