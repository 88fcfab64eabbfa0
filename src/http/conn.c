/* HTTP/1.1 connections on plain libevent events (conn.h). */
#include "http/conn.h"

#include "base/tally.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define IN_START 4096	   /* a connection's input buffer at first */
#define IN_KEEP (64 << 10) /* a buffer grown past this shrinks back after its request */
#define ADDR_SLOTS 65536u  /* distinct addresses holding connections at once, at most */
#define ACCEPT_PAUSE_MS 100 /* out of descriptors: accepting waits this long */

/* ---- what every loop's host shares ---- */

struct conn_shared {
	/* the connections each address holds: a bounded map, keyed with a secret, that
	 * refuses a new address when full rather than forget a count (base/tally.h); counts
	 * here have no window */
	struct tally *per_address;
	int max_per_address;
	size_t max_buffered;
	atomic_size_t buffered;
	char uncapped[48];
};

struct conn_shared *conn_shared_new(int max_per_address, size_t max_buffered,
				    const char *uncapped)
{
	struct conn_shared *s = calloc(1, sizeof *s);
	if (!s || !(s->per_address = tally_new(ADDR_SLOTS, INT64_MAX))) {
		free(s);
		return NULL;
	}
	s->max_per_address = max_per_address;
	s->max_buffered = max_buffered;
	snprintf(s->uncapped, sizeof s->uncapped, "%s", uncapped ? uncapped : "");
	atomic_init(&s->buffered, 0);
	return s;
}

void conn_shared_free(struct conn_shared *s)
{
	if (!s)
		return;
	tally_free(s->per_address);
	free(s);
}

/* One more connection for ip: 0, or -1 when it holds max_per_address already (or the
 * map holds as many addresses as it may). Counted at time 0: a count never expires. */
static int addr_acquire(struct conn_shared *s, const char *ip)
{
	int n = tally_add(s->per_address, ip, 1, 0);
	if (n == TALLY_FULL)
		return -1;
	if (s->max_per_address && n > s->max_per_address) {
		tally_add(s->per_address, ip, -1, 0);
		return -1;
	}
	return 0;
}

static void addr_release(struct conn_shared *s, const char *ip)
{
	tally_add(s->per_address, ip, -1, 0);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct conn {
	struct conn_host *h;
	struct conn *prev, *next;
	int fd;
	struct event *rev, *wev;
	char ip[48];
	int addr_held; /* counted in the shared table of addresses */
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
	int in_event; /* an event callback of c's is running: it settles c at its end */
	int continued; /* "100 Continue" sent for the current request */
	/* the current request's time and size: its head within head_timeout_s of its first
	 * byte, its body at min_rate after; a byte that arrives does not restart the clock */
	int64_t started_ms, deadline_ms, last_ms;
	size_t limit;	/* the body's, as on_head decided */
	int early;	/* on_head is deciding: a reply now leaves the body unread */
	void *user;	/* on_head's, until on_request takes it */
	size_t counted; /* bytes of in past IN_KEEP, counted in the shared budget */
	/* the reply being written */
	char *out; /* the head's unwritten rest (malloc'd) */
	size_t out_len;
	const char *body;
	size_t body_len;
	const void *body_start;
	void (*release)(void *);
	/* a stream (conn_stream_start): its bytes not yet written are sbuf[soff..slen) */
	int streaming, chunked;
	int ending;	   /* conn_stream_end: close once sbuf is written */
	int write_waits;   /* wev is added for sbuf */
	void (*on_close)(void *);
	void *close_arg;
	char *sbuf;
	size_t slen, soff, scap;
};

static void conn_read_cb(evutil_socket_t fd, short what, void *arg);
static void conn_write_cb(evutil_socket_t fd, short what, void *arg);
static void process(struct conn *c);

/* Reading, with the read event's timeout set to fire in ms (libevent restarts it after
 * every read: read_timeout then decides, by the clock, whether a deadline passed). */
static void arm(struct conn *c, int64_t ms)
{
	if (c->dead || c->eof)
		return;
	if (ms < 1)
		ms = 1;
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};
	if (event_add(c->rev, &tv) == 0)
		c->reading = 1;
}

static void reading_on(struct conn *c)
{
	if (!c->reading)
		arm(c, (int64_t)c->h->timeout_s * 1000);
}

/* The first byte of a request is in: its head must follow within head_timeout_s. */
static void request_started(struct conn *c)
{
	c->started_ms = now_ms();
	c->deadline_ms = c->started_ms + (int64_t)c->h->head_timeout_s * 1000;
	arm(c, c->deadline_ms - c->started_ms);
}

static void reading_off(struct conn *c)
{
	if (c->reading)
		event_del(c->rev);
	c->reading = 0;
}

/* The input buffer's bytes past IN_KEEP, counted in (or given back to) the budget. */
static int budget(struct conn *c, size_t cap)
{
	struct conn_shared *sh = c->h->shared;
	size_t want = cap > IN_KEEP ? cap - IN_KEEP : 0;
	if (!sh || want == c->counted)
		return 0;
	if (want < c->counted) {
		atomic_fetch_sub(&sh->buffered, c->counted - want);
	} else {
		size_t more = want - c->counted;
		size_t was = atomic_fetch_add(&sh->buffered, more);
		if (sh->max_buffered && was + more > sh->max_buffered) {
			atomic_fetch_sub(&sh->buffered, more);
			return -1;
		}
	}
	c->counted = want;
	return 0;
}

static void conn_free(struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else /* the first of the list */
		c->h->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	budget(c, 0);
	free(c->in);
	free(c->out);
	free(c->sbuf);
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
	if (c->addr_held)
		addr_release(c->h->shared, c->ip);
	c->addr_held = 0;
	if (c->user && c->h->drop) /* a request that will never reach its handler */
		c->h->drop(c->user, c->h->arg);
	c->user = NULL;
	if (c->on_close) { /* a stream's owner learns of the close once */
		void (*fn)(void *) = c->on_close;
		c->on_close = NULL;
		fn(c->close_arg);
	}
}

/* The last call of every entry point (an event, a reply): frees a closed connection
 * once no request is with the handler and no call below is still reading it. */
static void conn_settle(struct conn *c)
{
	if (c->dead && !c->busy && !c->processing && !c->in_event)
		conn_free(c);
}

static void accept_resume(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct conn_host *h = arg;
	if (h->accept_ev)
		event_add(h->accept_ev, NULL);
}

/* Out of descriptors (or memory): the listening socket stays readable, and accepting at
 * once again would spin. Accepting pauses, as libevent's evconnlistener lets a program
 * do; connections that end meanwhile give descriptors back. */
static void accept_pause(struct conn_host *h)
{
	if (!h->accept_pause)
		h->accept_pause = evtimer_new(h->base, accept_resume, h);
	if (!h->accept_pause)
		return;
	event_del(h->accept_ev);
	struct timeval tv = {0, ACCEPT_PAUSE_MS * 1000};
	evtimer_add(h->accept_pause, &tv);
}

/* A connection over its address's cap: a short 503 and the close, nothing read. */
static void refuse_address(int s)
{
	static const char body[] = "{\"error\":{\"code\":\"too_many_connections\",\"message\":"
				   "\"too many connections from your address\",\"field\":\"\"}}";
	char buf[512];
	int n = snprintf(buf, sizeof buf,
			 "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; "
			 "charset=utf-8\r\nRetry-After: 1\r\nConnection: close\r\n"
			 "Content-Length: %zu\r\n\r\n%s",
			 sizeof body - 1, body);
	ssize_t w = send(s, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	(void)w; /* a socket that does not take it is closed all the same */
	close(s);
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
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
				accept_pause(h);
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
		c->addr_held = h->shared && strcmp(c->ip, h->shared->uncapped) != 0;
		if (c->addr_held && addr_acquire(h->shared, c->ip) < 0) {
			free(c);
			free(in);
			refuse_address(s);
			continue;
		}
		c->last_ms = now_ms();
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
	if (h->accept_pause) {
		event_free(h->accept_pause);
		h->accept_pause = NULL;
	}
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
		budget(c, 0);
		free(c->in);
		free(c->out);
		free(c->sbuf);
		free(c);
		c = next;
	}
}

const char *conn_ip(const struct conn *c)
{
	return c->ip;
}

/* A reply before the body was read (on_head's) leaves the body in the socket: the
 * connection cannot go on after it. */
static int body_unread(const struct conn *c)
{
	return c->early && (c->q.chunked || c->q.content_length > 0);
}

void conn_reply_mode(const struct conn *c, int *close_, int *keep_alive_10)
{
	*close_ = c->closing || !c->q.keep_alive || body_unread(c);
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
	c->started_ms = 0;
	if (c->cap > IN_KEEP && c->len < IN_START) {
		char *in = realloc(c->in, IN_START);
		if (in) {
			c->in = in;
			c->cap = IN_START;
			budget(c, IN_START);
		}
	}
	if (c->closing) {
		conn_close(c);
		return;
	}
	c->last_ms = now_ms();
	reading_on(c);
	process(c);
	if (!c->busy && !c->dead && c->len && !c->started_ms)
		request_started(c); /* a pipelined request's rest is still coming */
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
	c->user = NULL; /* the request is answered */
	if (c->early) { /* on_head replied: the request took its head alone */
		c->used = c->head_len;
		if (body_unread(c)) {
			c->closing = 1;
			c->used = c->len;
		}
		c->early = 0;
	}
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

static void stream_write_cb(struct conn *c, short what);

static void conn_write_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	struct conn *c = arg;
	if (c->streaming) {
		stream_write_cb(c, what);
		return;
	}
	int rc = what & EV_TIMEOUT ? -1 : flush(c, c->out, c->out_len);
	if (rc == 0)
		return;
	event_del(c->wev);
	if (rc < 0)
		conn_close(c);
	reply_done(c);
	conn_settle(c);
}

/* Grows the input buffer to hold need bytes; -1 past the host's limits (or out of
 * memory), -2 past the shared budget for big bodies. */
static int reserve(struct conn *c, size_t need)
{
	if (need <= c->cap)
		return 0;
	if (need > c->h->max_head + c->h->max_body + (64 << 10))
		return -1;
	size_t cap = c->cap;
	while (cap < need)
		cap *= 2;
	if (cap > IN_KEEP) /* a big body: what it needs, not twice that */
		cap = (need + 4095) & ~(size_t)4095;
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
	if (budget(c, cap) < 0)
		return -2; /* the bodies in flight are at the budget: 503 */
	char *in = realloc(c->in, cap);
	if (!in) {
		budget(c, c->cap);
		return -1;
	}
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
	void *user = c->user;
	c->user = NULL;
	c->h->on_request(c, NULL, NULL, 0, status, user, c->h->arg);
}

/* A buffer that cannot grow: over the request's limit (status), or at the budget (503). */
static void refuse_grow(struct conn *c, int rc, int status)
{
	refuse(c, rc == -2 ? 503 : status);
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

/* The head is in: on_head (if any) sets the body's limit and its deadline, or replies.
 * 0 go on, -1 the request is done with (replied or refused). */
static int head_in(struct conn *c)
{
	struct conn_host *h = c->h;
	size_t have = c->len - c->head_len;
	int body_in = !c->q.chunked &&
		      (c->q.content_length <= 0 || (size_t)c->q.content_length <= have);
	c->limit = h->max_body;
	if (h->on_head) {
		/* a request is in for the time of the call: a reply from it ends the request */
		c->busy = 1;
		c->early = 1;
		atomic_fetch_add(h->inflight, 1);
		long long lim = h->on_head(c, &c->q, body_in, &c->user, h->arg);
		if (lim < 0)
			return -1; /* replied, or will (an audited refusal): conn_send moves on */
		c->early = 0;
		c->busy = 0;
		atomic_fetch_sub(h->inflight, 1);
		if ((unsigned long long)lim < c->limit)
			c->limit = (size_t)lim;
	}
	if (!c->q.chunked && c->q.content_length > (int64_t)c->limit) {
		refuse(c, 413);
		return -1;
	}
	/* the body must come at min_rate; a chunked one may be as long as the limit */
	size_t len = c->q.chunked		 ? c->limit
		     : c->q.content_length > 0 ? (size_t)c->q.content_length
					       : 0;
	if (!body_in && h->min_rate) {
		int64_t now = now_ms();
		c->deadline_ms = now + (int64_t)h->head_timeout_s * 1000 +
				 (int64_t)(len / h->min_rate) * 1000;
		arm(c, c->deadline_ms - now);
	}
	return 0;
}

/* Takes the requests complete in the buffer, one at a time. The caller settles c. */
static void process(struct conn *c)
{
	if (c->processing)
		return;
	c->processing = 1;
	const struct conn_host *h = c->h;
	while (!c->busy && !c->dead && !c->streaming) {
		if (!c->head_len) {
			size_t end = wire_head_end(c->in, c->len);
			if (!end || end > h->max_head) {
				int grown = c->len == c->cap ? reserve(c, c->cap * 2) : 0;
				if (c->len > h->max_head || grown < 0)
					refuse_grow(c, grown, 431);
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
			/* a body over max_body is refused by head_in, after on_head has found the
			 * route (its 413 names the route's field) */
			if (head_in(c) < 0)
				continue; /* answered already: a request may follow, or c closed */
		}
		size_t have = c->len - c->head_len, body_len;
		if (c->q.chunked) {
			size_t used = 0;
			int rc = wire_chunked(c->in + c->head_len, have, c->limit, &c->chunk_scan,
					      &body_len, &used);
			if (rc < 0) {
				refuse(c, 400);
				break;
			}
			if (rc == 0) {
				send_continue(c);
				int grown = c->len == c->cap ? reserve(c, c->cap * 2) : 0;
				if (c->eof)
					conn_close(c);
				else if (grown < 0)
					refuse_grow(c, grown, 413);
				break;
			}
			c->used = c->head_len + used;
		} else {
			body_len = c->q.content_length > 0 ? (size_t)c->q.content_length : 0;
			if (have < body_len) {
				if (have && c->user && h->on_body)
					h->on_body(c->user, c->in + c->head_len, have, body_len,
						   h->arg);
				send_continue(c);
				int grown = 0;
				if (c->eof)
					conn_close(c);
				else if ((grown = reserve(c, c->head_len + body_len)) < 0)
					refuse_grow(c, grown, 413);
				break;
			}
			c->used = c->head_len + body_len;
		}
		c->busy = 1;
		atomic_fetch_add(h->inflight, 1);
		void *user = c->user;
		c->user = NULL;
		h->on_request(c, &c->q, c->in + c->head_len, body_len, 0, user, h->arg);
	}
	c->processing = 0;
}

/* The read event's timeout: an idle connection past timeout_s closes; a request past its
 * deadline gets 408; a request with the handler waits for its reply. */
static void read_timeout(struct conn *c)
{
	if (c->busy)
		return;
	int64_t now = now_ms();
	if (c->started_ms) {
		if (now >= c->deadline_ms)
			refuse(c, 408);
		else
			arm(c, c->deadline_ms - now);
		return;
	}
	int64_t idle = now - c->last_ms, max = (int64_t)c->h->timeout_s * 1000;
	if (idle >= max)
		conn_close(c);
	else
		arm(c, max - idle);
}

static void conn_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	int grown;
	c->in_event = 1; /* a refusal below replies and settles c: c must outlive it here */
	if (c->streaming) {
		/* a stream's client has nothing to say: its bytes are dropped, its close ends
		 * the stream */
		ssize_t n;
		do
			n = read(fd, c->in, c->cap);
		while (n < 0 && errno == EINTR);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
			conn_close(c);
	} else if (what & EV_TIMEOUT) {
		read_timeout(c);
	} else if (c->len == c->cap && c->busy) {
		reading_off(c); /* full behind a request being answered: wait for its reply */
	} else if (c->len == c->cap && (grown = reserve(c, c->cap * 2)) < 0) {
		reading_off(c);
		refuse_grow(c, grown, 431);
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
		/* A request still coming (most arrive whole and are with the handler by now):
		 * its deadline, not a clock that each byte would restart. */
		if (n > 0 && !c->busy && !c->dead && c->len) {
			if (!c->started_ms)
				request_started(c);
			else
				arm(c, c->deadline_ms - now_ms());
		}
	}
	c->in_event = 0;
	conn_settle(c);
}

/* ---- streams ---- */

/* Writes what waits in sbuf: 1 all of it, 0 the socket is full, -1 an error. */
static int stream_flush(struct conn *c)
{
	while (c->soff < c->slen) {
		ssize_t w = send(c->fd, c->sbuf + c->soff, c->slen - c->soff, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		}
		c->soff += (size_t)w;
	}
	c->soff = c->slen = 0;
	return 1;
}

/* Writes what it can; waits for the socket for the rest (reading nothing for timeout_s
 * closes it). 0, or -1 closed. The caller settles c. */
static int stream_kick(struct conn *c)
{
	int rc = stream_flush(c);
	if (rc == 0 && !c->write_waits) {
		struct timeval tv = {c->h->timeout_s, 0};
		if (event_add(c->wev, &tv) < 0)
			rc = -1;
		else
			c->write_waits = 1;
	} else if (rc == 1 && c->write_waits) {
		event_del(c->wev);
		c->write_waits = 0;
	}
	if (rc < 0 || (rc == 1 && c->ending)) {
		conn_close(c);
		return -1;
	}
	return 0;
}

static void stream_write_cb(struct conn *c, short what)
{
	c->in_event = 1;
	if (what & EV_TIMEOUT)
		conn_close(c); /* the client read nothing for timeout_s */
	else
		stream_kick(c);
	c->in_event = 0;
	conn_settle(c);
}

/* Appends n raw bytes to sbuf: 0, or -1 past CONN_STREAM_PENDING (or out of memory). */
static int stream_append(struct conn *c, const void *data, size_t n)
{
	if (c->soff) {
		memmove(c->sbuf, c->sbuf + c->soff, c->slen - c->soff);
		c->slen -= c->soff;
		c->soff = 0;
	}
	if (c->slen + n > CONN_STREAM_PENDING)
		return -1;
	if (c->slen + n > c->scap) {
		size_t cap = c->scap ? c->scap : 1024;
		while (cap < c->slen + n)
			cap *= 2;
		char *b = realloc(c->sbuf, cap);
		if (!b)
			return -1;
		c->sbuf = b;
		c->scap = cap;
	}
	memcpy(c->sbuf + c->slen, data, n);
	c->slen += n;
	return 0;
}

int conn_stream_start(struct conn *c, const char *head, size_t hlen, int chunked,
		      void (*on_close)(void *arg), void *arg)
{
	/* the request is answered: it no longer counts as in flight, and its bytes go
	 * (a pipelined request after it is never read) */
	c->user = NULL;
	c->early = 0;
	c->busy = 0;
	atomic_fetch_sub(c->h->inflight, 1);
	if (c->dead) {
		conn_settle(c);
		return -1;
	}
	c->streaming = 1;
	c->chunked = chunked;
	c->on_close = on_close;
	c->close_arg = arg;
	c->len = c->head_len = c->used = c->chunk_scan = 0;
	c->started_ms = 0;
	reading_off(c);
	if (c->eof || event_add(c->rev, NULL) < 0) { /* no timeout: a stream is idle */
		conn_close(c);
	} else {
		c->reading = 1;
		if (stream_append(c, head, hlen) < 0)
			conn_close(c);
		else
			stream_kick(c);
	}
	conn_settle(c);
	return 0;
}

int conn_stream_write(struct conn *c, const void *data, size_t len)
{
	if (c->dead || !c->streaming || c->ending)
		return -1;
	if (!len)
		return 0;
	char size[24];
	int rc = 0;
	if (c->chunked) {
		int n = snprintf(size, sizeof size, "%zx\r\n", len);
		rc = stream_append(c, size, (size_t)n);
	}
	if (rc == 0)
		rc = stream_append(c, data, len);
	if (rc == 0 && c->chunked)
		rc = stream_append(c, "\r\n", 2);
	if (rc < 0) {
		conn_close(c); /* a client that does not read, or no memory */
	} else {
		rc = stream_kick(c);
	}
	conn_settle(c);
	return rc;
}

void conn_stream_end(struct conn *c)
{
	if (c->dead || !c->streaming || c->ending)
		return;
	c->ending = 1;
	if (c->chunked && stream_append(c, "0\r\n\r\n", 5) < 0)
		conn_close(c);
	else
		stream_kick(c);
	conn_settle(c);
}

void conn_end_streams(struct conn_host *h)
{
	for (struct conn *c = h->conns, *next; c; c = next) {
		next = c->next;
		if (c->streaming)
			conn_stream_end(c);
	}
}
