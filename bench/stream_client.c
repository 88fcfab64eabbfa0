/* The live stream's fan-out, measured (bench/run.sh, step 10): STREAMS open streams of
 * GET /api/v1/stream, then EVENTS events that concern every one of them, each timed from
 * the moment its request is written to the moment each stream reads it; beside it, plain
 * GETs of the same server, one at a time, with the streams open (the anchor).
 *
 *   stream_client PORT NATIONAL_ID [STREAMS [EVENTS [GETS]]]
 *
 * Every stream is the pensions department's specialist (sp_pensions, demo password); each
 * event is a new case of that department opened by agent1 (POST /api/v1/cases: the
 * writer's durable commit is inside the figure, as a person waiting for it sees it). One
 * thread, epoll: a stream's arrival is timed as its bytes are read (a Node client spent
 * 0.1 ms of JavaScript on each of 2,000 sockets, and measured itself). Prints one line:
 * BENCH streams= events= delivered= missing= p50_ms= p99_ms= max_ms= spread_max_ms=
 * get_p50_ms= get_p99_ms=; spread: from the first stream to have an event to the last, the
 * fan-out alone (the commit is before the first). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int port;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what)
{
	fprintf(stderr, "stream_client: %s: %s\n", what, errno ? strerror(errno) : "failed");
	exit(1);
}

static int dial(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
		die("connect");
	return fd;
}

static void write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w <= 0)
			die("write");
		s += w;
		n -= (size_t)w;
	}
}

/* One request on a blocking keep-alive connection: the status, the body in body. */
static int request(int fd, const char *method, const char *path, const char *token,
		   const char *json, char *body, size_t cap)
{
	char req[2048];
	int n = snprintf(req, sizeof req,
			 "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s%sContent-Type: "
			 "application/json\r\nContent-Length: %zu\r\n\r\n%s",
			 method, path, token ? "Authorization: Bearer " : "", token ? token : "",
			 token ? "\r\n" : "", json ? strlen(json) : 0, json ? json : "");
	write_all(fd, req, (size_t)n);
	static char buf[1 << 16];
	size_t len = 0;
	for (;;) {
		ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);
		if (r <= 0)
			die("read");
		len += (size_t)r;
		buf[len] = 0;
		char *end = strstr(buf, "\r\n\r\n");
		if (!end)
			continue;
		char *cl = strcasestr(buf, "Content-Length:");
		size_t want = cl ? strtoul(cl + 15, NULL, 10) : 0;
		if (len - (size_t)(end + 4 - buf) < want)
			continue;
		size_t k = want < cap - 1 ? want : cap - 1;
		memcpy(body, end + 4, k);
		body[k] = 0;
		return atoi(buf + 9);
	}
}

static void login(const char *who, char *token, size_t cap)
{
	int fd = dial();
	char json[128], body[4096];
	snprintf(json, sizeof json, "{\"login\":\"%s\",\"password\":\"demo1234\"}", who);
	if (request(fd, "POST", "/api/v1/login", NULL, json, body, sizeof body) != 200)
		die(who);
	char *t = strstr(body, "\"token\":\"");
	if (!t)
		die("no token");
	t += 9;
	size_t n = strcspn(t, "\"");
	if (n >= cap)
		die("token");
	memcpy(token, t, n);
	token[n] = 0;
	close(fd);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p)
{
	if (!n)
		return 0;
	int i = (int)(p / 100 * n + 0.999999) - 1;
	return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

struct stream {
	int fd;
	int ready;
	int round; /* the last round whose event this stream had */
	char buf[4096];
	size_t len;
};

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: stream_client PORT NATIONAL_ID [STREAMS [EVENTS [GETS]]]\n");
		return 2;
	}
	port = atoi(argv[1]);
	const char *nid = argv[2];
	int nstreams = argc > 3 ? atoi(argv[3]) : 2000;
	int nevents = argc > 4 ? atoi(argv[4]) : 20;
	int ngets = argc > 5 ? atoi(argv[5]) : 400;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	char sp[160], agent[160];
	login("sp_pensions", sp, sizeof sp);
	login("agent1", agent, sizeof agent);

	int ep = epoll_create1(0);
	struct stream *s = calloc((size_t)nstreams, sizeof *s);
	char req[512];
	int rn = snprintf(req, sizeof req,
			  "GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: "
			  "text/event-stream\r\nAuthorization: Bearer %s\r\n\r\n",
			  sp);
	for (int i = 0; i < nstreams; i++) {
		s[i].fd = dial();
		write_all(s[i].fd, req, (size_t)rn);
		fcntl(s[i].fd, F_SETFL, O_NONBLOCK);
		struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
		epoll_ctl(ep, EPOLL_CTL_ADD, s[i].fd, &ev);
	}
	double *lat = calloc((size_t)nstreams * (size_t)nevents + 1, sizeof *lat);
	int nlat = 0, ready = 0, round = 0, got = 0;
	double t0 = 0, first = 0, last = 0, spread = 0; /* a round's first and last arrival */
	struct epoll_event evs[256];
	/* reads what came: "event: ready" counts a stream in, a case event of this round is
	 * timed; runs until cond() or the deadline */
#define PUMP(cond, ms)                                                                         \
	do {                                                                                   \
		double until_ = now_ms() + (ms);                                               \
		while (!(cond) && now_ms() < until_) {                                         \
			int n_ = epoll_wait(ep, evs, 256, 50);                                 \
			double at_ = now_ms();                                                 \
			for (int k_ = 0; k_ < n_; k_++) {                                      \
				struct stream *x_ = &s[evs[k_].data.u32];                      \
				ssize_t r_ = read(x_->fd, x_->buf + x_->len,                   \
						  sizeof x_->buf - 1 - x_->len);               \
				if (r_ <= 0) {                                                 \
					fprintf(stderr, "stream_client: a stream closed\n");   \
					exit(1);                                               \
				}                                                              \
				x_->len += (size_t)r_;                                         \
				x_->buf[x_->len] = 0;                                          \
				if (!x_->ready && strstr(x_->buf, "event: ready")) {           \
					x_->ready = 1;                                         \
					ready++;                                               \
				}                                                              \
				if (round && x_->round < round &&                              \
				    strstr(x_->buf, "\"type\":\"create\"")) {                  \
					x_->round = round;                                     \
					lat[nlat++] = at_ - t0;                                \
					if (!first)                                            \
						first = at_;                                   \
					last = at_;                                            \
					got++;                                                 \
				}                                                              \
				char *last_ = strstr(x_->buf, "\n\n");                         \
				while (last_ && strstr(last_ + 2, "\n\n"))                     \
					last_ = strstr(last_ + 2, "\n\n");                     \
				if (last_) { /* keep what follows the last whole event */     \
					size_t keep_ = x_->len - (size_t)(last_ + 2 - x_->buf); \
					memmove(x_->buf, last_ + 2, keep_);                    \
					x_->len = keep_;                                       \
				}                                                              \
			}                                                                      \
		}                                                                              \
	} while (0)
	PUMP(ready == nstreams, 30000);
	if (ready != nstreams) {
		fprintf(stderr, "stream_client: %d of %d streams ready\n", ready, nstreams);
		return 1;
	}
	/* the anchor: plain GETs, one at a time, the streams open */
	double *gets = calloc((size_t)ngets + 1, sizeof *gets);
	int gfd = dial();
	char body[65536];
	for (int i = 0; i < ngets; i++) {
		double t = now_ms();
		if (request(gfd, "GET", "/api/v1/me", agent, NULL, body, sizeof body) != 200)
			die("GET /api/v1/me");
		gets[i] = now_ms() - t;
	}
	/* the events, one at a time: each awaited at every stream (at most 5 s) */
	int pfd = dial();
	for (round = 1; round <= nevents; round++) {
		char json[256];
		snprintf(json, sizeof json,
			 "{\"national_id\":\"%s\",\"channel\":\"phone\",\"topic\":\"pension_not_paid\","
			 "\"subject\":\"bench %d\"}",
			 nid, round);
		int before = got;
		first = last = 0;
		t0 = now_ms();
		char post[1024];
		int pn = snprintf(post, sizeof post,
				  "POST /api/v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
				  "Bearer %s\r\nContent-Type: application/json\r\nContent-Length: "
				  "%zu\r\n\r\n%s",
				  agent, strlen(json), json);
		write_all(pfd, post, (size_t)pn);
		PUMP(got - before == nstreams, 5000);
		if (last - first > spread)
			spread = last - first;
		/* the POST's reply, read after: the streams' bytes were timed first */
		char rb[65536];
		ssize_t r = read(pfd, rb, sizeof rb - 1);
		if (r <= 0 || strncmp(rb, "HTTP/1.1 201", 12) != 0)
			die("POST /api/v1/cases");
		rb[r] = 0;
		char *cl = strcasestr(rb, "Content-Length:"), *end = strstr(rb, "\r\n\r\n");
		size_t want = cl ? strtoul(cl + 15, NULL, 10) : 0, have = end ? (size_t)(rb + r - end - 4) : 0;
		while (have < want) { /* the rest of a long reply */
			ssize_t m = read(pfd, rb, sizeof rb);
			if (m <= 0)
				die("read");
			have += (size_t)m;
		}
		usleep(100000);
	}
	qsort(lat, (size_t)nlat, sizeof *lat, cmp);
	qsort(gets, (size_t)ngets, sizeof *gets, cmp);
	printf("BENCH streams=%d events=%d delivered=%d missing=%d p50_ms=%.3f p99_ms=%.3f "
	       "max_ms=%.3f spread_max_ms=%.3f get_p50_ms=%.3f get_p99_ms=%.3f\n",
	       nstreams, nevents, got, nstreams * nevents - got, pct(lat, nlat, 50),
	       pct(lat, nlat, 99), nlat ? lat[nlat - 1] : 0, spread, pct(gets, ngets, 50),
	       pct(gets, ngets, 99));
	return 0;
}
