/* A served tamin inside the fuzzer's process (served.h). */
#include "served.h"

#include <dirent.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "otp/otp.h"
#include "calls/board.h"
#include "attachments/attachments.h"
#include "audit/spool.h"
#include "cli/cli.h"
#include "demo/demo.h"
#include "pulse/pulse.h"
#include "http/http.h"
#include "routes.h"
#include "rules/rules.h"
#include "store/store.h"
#include "store/writer.h"
#include "users/users.h"

#define PREFIX "tamin-fuzz-"

static struct served served;
static struct app app;
static struct http_options options;
static struct loop *loop;
static char dir[256], db_path[300], sock_path[300];

static void die(const char *what, const char *why)
{
	fprintf(stderr, "served: %s: %s\n", what, why);
	exit(2);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

static void remove_dir(const char *path)
{
	nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void cleanup(void)
{
	remove_dir(dir);
}

/* A folder in memory when there is one (the writer syncs every commit), named for this
 * process; the folders of runs whose process is gone (a crash skips atexit) go first. */
const char *served_dir(void)
{
	if (dir[0])
		return dir;
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	DIR *d = opendir(base);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, PREFIX, strlen(PREFIX)) != 0)
			continue;
		long pid = strtol(de->d_name + strlen(PREFIX), NULL, 10);
		if (pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH) {
			char old[512];
			snprintf(old, sizeof old, "%s/%s", base, de->d_name);
			remove_dir(old);
		}
	}
	if (d)
		closedir(d);
	snprintf(dir, sizeof dir, "%s/" PREFIX "%ld", base, (long)getpid());
	remove_dir(dir);
	if (mkdir(dir, 0700) < 0)
		die(dir, strerror(errno));
	atexit(cleanup);
	return dir;
}

/* The demo database, as `tamin demo --people 40 --cases 20` makes it (its logins printed
 * on stdout, which is the fuzzer's: sent to /dev/null meanwhile). */
static void make_db(const char *data)
{
	struct db *db;
	if (cli_open(db_path, data, &db) < 0)
		exit(2);
	struct err e = {0};
	struct rules *rules = cli_rules_load(data, &e);
	if (!rules)
		die("rules", e.message);
	app.rules = rules;
	struct demo_options o = {
	    .people = 40, .cases = 20, .seed = 1420, .data_dir = data, .app = &app, .rules = rules};
	fflush(stdout);
	int out = dup(1), null = open("/dev/null", O_WRONLY);
	dup2(null, 1);
	int rc = demo_generate(db, &o, &e);
	fflush(stdout);
	dup2(out, 1);
	close(out);
	close(null);
	if (rc < 0)
		die("demo", e.message);
	/* the pulse's counts of the demo's year, as `tamin demo` makes them */
	int64_t now = (int64_t)time(NULL);
	if (db_begin(db) < 0 ||
	    pulse_refresh(db, now - 400 * (int64_t)PULSE_DAY, now + PULSE_DAY, data, &e) < 0 ||
	    db_commit(db) < 0)
		die("pulse", e.message[0] ? e.message : db_errmsg(db));
	/* what the inputs refer to: the citizen, emp1's workshop */
	struct db_stmt *s = db_prepare(db, "SELECT login FROM users WHERE role = 'citizen'"
					   " ORDER BY id LIMIT 1");
	if (db_step(s) == 1)
		snprintf(served.citizen, sizeof served.citizen, "%s", db_col_text(s, 0));
	db_done(s);
	s = db_prepare(db, "SELECT w.code FROM workshops w JOIN workshop_users l"
			   " ON l.workshop_id = w.id JOIN users u ON u.id = l.user_id"
			   " WHERE u.login = 'emp1'");
	if (db_step(s) == 1)
		snprintf(served.workshop, sizeof served.workshop, "%s", db_col_text(s, 0));
	db_done(s);
	db_close(db); /* the catalogue stays loaded, as `tamin serve` keeps it */
	if (!served.citizen[0] || !served.workshop[0])
		die("demo", "no citizen or no employer's workshop");
}

static void serve(void)
{
	struct err e = {0};
	app.login_limit = 10; /* the rest as tamin serve has it */
	/* login by code: a high limit per address, so that the fuzzer reaches the handler */
	if (!(app.otp = otp_new(&(struct otp_options){.per_address = 100000000})))
		die("otp", "out of memory for the one-time codes");
	if (!(app.login_failures = users_login_failures_new()))
		die("login", "out of memory for the failed-login counters");
	if (!(app.refused_passwords = cli_passwords_load(cli_data_default(), &e)))
		die("passwords", e.message);
	/* the wallboard of data/queues.tsv, fed by the events posted (no replay: a fresh one) */
	if (!(app.board = board_start(NULL, cli_data_default(), 0, &e)))
		die("board", e.message);
	app.attach_dir = attach_dir_open(db_path); /* attachments/: a file accepted is stored */
	if (!app.attach_dir)
		abort();
	app.writer = writer_start(db_path, &e);
	if (!app.writer)
		die("writer", e.message);
	app.spool = audit_spool_start(db_path, NULL, app.writer, &e);
	if (!app.spool)
		die("audit spool", e.message);
	options.host = "fuzz";
	options.rate_limit = 0;
	options.body_limit = 64 << 10; /* as tamin serve */
	options.db_path = db_path;
	options.writer = app.writer;
	options.routes = api_routes;
	options.hooks = &api_hooks;
	options.app = &app;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock_path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 16) < 0)
		die(sock_path, strerror(errno));
	loop = http_loop_new(&options, fd, &e);
	if (!loop)
		die("loop", e.message);
}

/* ---- one exchange ---- */

struct xfer {
	int fd;
	const char *req;
	size_t len, sent;
	char *out;
	size_t cap, got, total;
	struct event *rev, *wev;
	int done;
};

static void on_write(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	struct xfer *x = arg;
	while (x->sent < x->len) {
		ssize_t n = send(fd, x->req + x->sent, x->len - x->sent, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) /* the server closed first: it has its answer */
			break;
		x->sent += (size_t)n;
	}
	event_del(x->wev);
	shutdown(fd, SHUT_WR);
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	struct xfer *x = arg;
	char buf[16384];
	ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) { /* closed (or reset, having unread bytes): the exchange is over */
		x->done = 1;
		return;
	}
	size_t room = x->got < x->cap - 1 ? x->cap - 1 - x->got : 0;
	size_t k = (size_t)n < room ? (size_t)n : room;
	memcpy(x->out + x->got, buf, k);
	x->got += k;
	x->out[x->got] = 0;
	x->total += (size_t)n;
}

size_t served_exchange(const void *req, size_t len, char *out, size_t cap)
{
	struct event_base *base = http_loop_base(loop);
	struct xfer x = {.req = req, .len = len, .out = out, .cap = cap};
	out[0] = 0;
	x.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock_path);
	if (x.fd < 0 || connect(x.fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		die("connect", strerror(errno));
	x.rev = event_new(base, x.fd, EV_READ | EV_PERSIST, on_read, &x);
	x.wev = event_new(base, x.fd, EV_WRITE | EV_PERSIST, on_write, &x);
	if (!x.rev || !x.wev || event_add(x.rev, NULL) < 0 || event_add(x.wev, NULL) < 0)
		die("exchange", "cannot add its events");
	while (!x.done)
		event_base_loop(base, EVLOOP_ONCE);
	event_free(x.rev);
	event_free(x.wev);
	close(x.fd);
	return x.total;
}

int served_status(const char *out)
{
	int status = 0;
	return sscanf(out, "HTTP/1.1 %3d ", &status) == 1 ? status : 0;
}

const char *served_body(const char *out)
{
	const char *b = strstr(out, "\r\n\r\n");
	return b ? b + 4 : NULL;
}

/* ---- placeholders ---- */

char *served_expand(const void *in, size_t size, int tokens, size_t *n)
{
	const struct served *s = &served;
	const unsigned char *data = in;
	size_t cap = size * 8 + 1, o = 0; /* at most 8 times longer: 64 bytes for {T:desk} */
	char *out = malloc(cap);
	if (!out)
		abort();
	for (size_t i = 0; i < size;) {
		const char *with = NULL;
		size_t used = 0;
		if (data[i] == '{') {
			const char *rest = (const char *)data + i;
			size_t left = size - i;
			static const char *const fixed[] = {"{case}", "{workshop}", "{nid}"};
			const char *values[] = {s->case_id, s->workshop, s->citizen};
			for (int k = 0; k < 3 && !with; k++)
				if (left >= strlen(fixed[k]) && !memcmp(rest, fixed[k], strlen(fixed[k]))) {
					with = values[k];
					used = strlen(fixed[k]);
				}
			for (int as = AS_ADMIN; as < AS_N && !with && tokens && left > 4; as++) {
				size_t len = strlen(s->name[as]);
				if ((rest[1] == 'T' || rest[1] == 'C') && rest[2] == ':' &&
				    left >= len + 4 && !memcmp(rest + 3, s->name[as], len) &&
				    rest[3 + len] == '}') {
					with = rest[1] == 'T' ? s->token[as] : s->csrf[as];
					used = len + 4;
				}
			}
		}
		if (with) {
			while (*with)
				out[o++] = *with++;
			i += used;
		} else {
			out[o++] = (char)data[i++];
		}
	}
	*n = o;
	return out;
}

/* ---- start ---- */

/* POST body to path as `as`: the reply's JSON (status 2xx), or NULL. */
static json_t *post(enum served_as as, const char *path, const char *body)
{
	char req[2048], out[16384];
	int n = snprintf(req, sizeof req,
			 "POST %s HTTP/1.1\r\nHost: fuzz\r\n%s%s%sContent-Length: %zu\r\n\r\n%s",
			 path, as ? "Authorization: Bearer " : "", as ? served.token[as] : "",
			 as ? "\r\n" : "", strlen(body), body);
	served_exchange(req, (size_t)n, out, sizeof out);
	int status = served_status(out);
	const char *b = served_body(out);
	return status >= 200 && status < 300 && b ? json_loads(b, 0, NULL) : NULL;
}

static const char *logins[AS_N] = {"",	   "admin",	  "agent1",	 "desk1",
				   "sp_pensions", "supervisor", "sv_pensions", "auditor",
				   "emp1",	   NULL /* the citizen */, "pbx"};

static void log_in(enum served_as as)
{
	char body[256];
	snprintf(body, sizeof body, "{\"login\":\"%s\",\"password\":\"%s\"}",
		 logins[as] ? logins[as] : served.citizen, DEMO_PASSWORD);
	json_t *j = post(AS_NONE, "/api/v1/login", body);
	const char *t = json_string_value(json_object_get(j, "token"));
	const char *c = json_string_value(json_object_get(j, "csrf"));
	if (!t || !c)
		die("login", logins[as] ? logins[as] : served.citizen);
	served.token[as] = strdup(t);
	served.csrf[as] = strdup(c);
	json_decref(j);
}

const struct served *served_start(void)
{
	if (loop)
		return &served;
	static const char *const names[AS_N] = {
	    "none",	  "admin",	"agent",   "desk",	"specialist",
	    "supervisor", "department", "auditor", "employer", "citizen", "telephony"};
	memcpy(served.name, names, sizeof names);
	served.token[AS_NONE] = served.csrf[AS_NONE] = "";
	signal(SIGPIPE, SIG_IGN);
	const char *data = cli_data_default();
	snprintf(db_path, sizeof db_path, "%s/t.db", served_dir());
	snprintf(sock_path, sizeof sock_path, "%s/s", dir);
	if (cli_calendars(&app, data) < 0)
		exit(2);
	make_db(data);
	serve();
	for (int as = AS_ADMIN; as < AS_N; as++)
		log_in((enum served_as)as);
	served_new_case(served.case_id);
	return &served;
}

void served_new_case(char id[24])
{
	char body[512];
	snprintf(body, sizeof body,
		 "{\"national_id\":\"%s\",\"channel\":\"phone\",\"topic\":\"pension_not_paid\","
		 "\"subject\":\"مستمری واریز نشده\"}",
		 served.citizen);
	json_t *c = post(AS_AGENT, "/api/v1/cases", body);
	json_int_t n = json_integer_value(json_object_get(c, "id"));
	json_decref(c);
	if (n <= 0)
		die("case", "agent1 cannot open a case for the citizen");
	snprintf(id, 24, "%lld", (long long)n);
}
