/* `tamin serve`: the HTTP/JSON server, with the writer, the audit spool and the overdue
 * sweeper, until SIGTERM or SIGINT. */
#include "cli/cli.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "app.h"
#include "attachments/attachments.h"
#include "audit/spool.h"
#include "calls/board.h"
#include "base/tally.h"
#include "calls/calls.h"
#include "cases/cases.h"
#include "catalog/catalog.h"
#include "documents/documents.h"
#include "services/services.h"
#include "live/live.h"
#include "otp/otp.h"
#include "pulse/pulse.h"
#include "routes.h"
#include "rules/rules.h"
#include "sms/sms.h"
#include "store/store.h"
#include "store/writer.h"
#include "users/users.h"
#include "web/web.h"

struct serve_opts {
	const char *db, *data, *listen, *web, *trusted_proxy, *queue_log, *public_url, *state_dir;
	const char *db_replica;
	long verify_limit, db_timeout;
	struct sms_config sms;
	struct otp_options otp;
	long threads, rate_limit, max_per_address, head_timeout, body_budget;
	long streams_per_user, max_streams, stream_heartbeat;
	int behind_tls;
};

static int serve(struct serve_opts *o, const struct web *web)
{
	if (o->db_replica && (!db_is_url(o->db) || !db_is_url(o->db_replica)))
		return cli_fail("--db-replica is a postgres:// URL beside a postgres:// --db");
	/* Block the stop signals before any thread starts, so every thread inherits the
	 * mask and only http_serve's sigwait takes them: a second signal cannot kill us. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	/* Every connection is a descriptor: the soft limit (often 1024) goes up to the hard
	 * one, as far as 65536 (the cap per address is a quarter of it, http.h). */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max &&
	    rl.rlim_cur < 65536) {
		rl.rlim_cur = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	struct db *db = NULL;
	if (cli_open(o->db, o->data, &db) < 0)
		return 2;
	db_close(db); /* the catalogue stays loaded for the server */
	struct http_options so = {.host = "127.0.0.1", .port = 8080};
	char host[256];
	if (o->listen) {
		const char *colon = strrchr(o->listen, ':');
		long port;
		if (!colon || colon == o->listen || (size_t)(colon - o->listen) >= sizeof host ||
		    opts_long(colon + 1, 0, 65535, &port) < 0)
			return cli_fail("--listen wants HOST:PORT, not %s", o->listen);
		memcpy(host, o->listen, (size_t)(colon - o->listen));
		host[colon - o->listen] = 0;
		so.host = host;
		so.port = (int)port;
	}
	/* the proxy's address as the server will see it written (inet_ntop's form) */
	char proxy[INET6_ADDRSTRLEN];
	if (o->trusted_proxy) {
		unsigned char bin[sizeof(struct in6_addr)];
		int af = strchr(o->trusted_proxy, ':') ? AF_INET6 : AF_INET;
		if (inet_pton(af, o->trusted_proxy, bin) != 1 ||
		    !inet_ntop(af, bin, proxy, sizeof proxy))
			return cli_fail("--trusted-proxy wants an IP address, not %s",
					o->trusted_proxy);
		so.trusted_proxy = proxy;
	}
	/* the wallboard from the last day's call events (calls/board.h) */
	struct err be = {0};
	struct board *board = NULL;
	if (db_open(&db, o->db, DB_READONLY, &be) == 0) {
		board = board_start(db, o->data, (int64_t)time(NULL), &be);
		db_close(db);
	}
	if (!board)
		return cli_fail("%s", be.message);
	/* the papers' fonts, loaded once before any request (documents.h), and the URL their
	 * QR codes point into: as given, or where this server listens */
	if (o->public_url && strncmp(o->public_url, "https://", 8) &&
	    strncmp(o->public_url, "http://", 7)) {
		board_free(board);
		return cli_fail("--public-url wants http:// or https://, not %s", o->public_url);
	}
	if (documents_fonts_init(&be) < 0) {
		board_free(board);
		return cli_fail("%s", be.message);
	}
	char here[300];
	snprintf(here, sizeof here, "http://%s:%d", so.host, so.port);
	struct documents *docs =
	    documents_new(o->public_url ? o->public_url : here, (int)o->verify_limit);
	if (!docs) {
		board_free(board);
		return cli_fail("%s", "out of memory for the documents");
	}
	struct app app = {.data_dir = o->data,
			  .documents = docs,
			  .login_limit = 10,
			  .cookie_secure = o->behind_tls,
			  .web = web,
			  .board = board};
	if (o->otp.test_clock && strcmp(so.host, "127.0.0.1") && strcmp(so.host, "::1") &&
	    strcmp(so.host, "localhost")) {
		board_free(board);
		documents_free(docs);
		return cli_fail("%s", "--test-clock is for tests: it needs a loopback --listen");
	}
	if (o->otp.test_clock)
		fprintf(stderr,
			"tamin: TEST CLOCK: one-time codes read the time from %s; never in "
			"production\n",
			o->otp.test_clock);
	if (!(app.login_failures = users_login_failures_new()) || !(app.otp = otp_new(&o->otp))) {
		board_free(board);
		documents_free(docs);
		tally_free(app.login_failures);
		otp_free(app.otp);
		return cli_fail("%s", "out of memory for the failed-login counters");
	}
	if (cli_calendars(&app, o->data) < 0) {
		board_free(board);
		documents_free(docs);
		tally_free(app.login_failures);
		otp_free(app.otp);
		return 2;
	}
	struct err e = {0};
	struct users_pwlist *refused = cli_passwords_load(o->data, &e);
	struct rules *rules = refused ? cli_rules_load(o->data, &e) : NULL;
	if (!rules) {
		board_free(board);
		documents_free(docs);
		users_pwlist_free(refused);
		tally_free(app.login_failures);
		otp_free(app.otp);
		return cli_fail("%s", e.message);
	}
	app.rules = rules;
	app.refused_passwords = refused;
	/* what sits beside a SQLite file sits, for PostgreSQL, in the state folder */
	char local[4096];
	snprintf(local, sizeof local, "%s/tamin.db", o->state_dir ? o->state_dir : "var");
	if (db_is_url(o->db) && mkdir(o->state_dir ? o->state_dir : "var", 0700) < 0 &&
	    errno != EEXIST)
		fprintf(stderr, "tamin: cannot make the state folder: %s\n", strerror(errno));
	const char *beside = db_is_url(o->db) ? local : o->db;
	char *attach_dir = attach_dir_open(beside);
	app.attach_dir = attach_dir;
	app.writer = writer_start(o->db, &e);
	if (app.writer)
		app.spool = audit_spool_start(o->db, beside, app.writer, &e);
	app.live = live_new();
	struct cases_sweeper *sw =
	    app.spool && app.live ? cases_sweeper_start(app.writer, app.live, &e) : NULL;
	struct board_pusher *pusher = sw ? board_pusher_start(board, app.live, &e) : NULL;
	if (!pusher) {
		cases_sweeper_stop(sw);
		if (!app.live)
			err_set(&e, 500, "internal", "", "out of memory");
		live_free(app.live);
		free(attach_dir);
		audit_spool_stop(app.spool);
		writer_stop(app.writer);
		rules_free(rules);
		users_pwlist_free(refused);
		tally_free(app.login_failures);
		otp_free(app.otp);
		board_free(board);
		documents_free(docs);
		return cli_fail("%s", e.message);
	}
	so.threads = o->threads ? (int)o->threads : 2;
	so.rate_limit = o->rate_limit >= 0 ? (int)o->rate_limit : 1000;
	so.body_limit = 64 << 10;
	so.max_per_address = (int)o->max_per_address;
	so.head_timeout_s = (int)o->head_timeout;
	so.body_budget = (size_t)o->body_budget << 20;
	so.db_path = o->db;
	so.db_replica = o->db_replica;
	so.db_timeout_ms = (int)o->db_timeout * 1000;
	writer_set_timeout(app.writer, so.db_timeout_ms);
	if (o->db_replica)
		writer_track_wal(app.writer);
	so.writer = app.writer;
	so.routes = api_routes;
	so.hooks = &api_hooks;
	so.app = &app;
	so.hsts = o->behind_tls;
	so.streams_per_user = (int)o->streams_per_user;
	so.streams_max = (int)o->max_streams;
	so.stream_heartbeat_s = (int)o->stream_heartbeat;
	/* the telephone system's queue_log, followed in the server (calls.h), and the pulse's
	 * recent hours counted again every 5 minutes (pulse/pulse.h): if either cannot start,
	 * the server stops before it listens */
	struct calls_tail *tail = NULL;
	struct pulse_refresher *pr = NULL;
	/* the text messages' sender (sms/sms.h): without --sms-sink or --sms-url they wait
	 * in the outbox for a server that has one */
	struct sms_sender *sms = NULL;
	int with_sms = o->sms.sink || o->sms.url;
	int rc = -1;
	if ((!o->queue_log || (tail = calls_tail_start(o->queue_log, app.writer, &app, &e))) &&
	    (!with_sms || (sms = sms_sender_start(o->db, app.writer, &o->sms, &e))) &&
	    (pr = pulse_refresher_start(app.writer, o->data, 300, 3, &e)))
		rc = http_serve(&so, &e);
	pulse_refresher_stop(pr);
	sms_sender_stop(sms);  /* before the writer: it writes its outcomes through it */
	calls_tail_stop(tail); /* before the writer, and before live: it tells it */
	board_pusher_stop(pusher);
	cases_sweeper_stop(sw);
	audit_spool_stop(app.spool);
	writer_stop(app.writer);
	live_free(app.live); /* after the writer: its jobs' done() may still tell it */
	board_free(board);   /* after the writer too: its jobs' done() feed it */
	cli_calendars_free(&app);
	rules_free(rules);
	users_pwlist_free(refused);
	tally_free(app.login_failures);
	otp_free(app.otp);
	free(attach_dir);
	documents_free(docs);
	services_release();
	catalog_release();
	if (rc < 0)
		return cli_fail("%s", e.message);
	fprintf(stderr, "tamin: stopped cleanly\n");
	return 0;
}

int cli_serve(int argc, char **argv)
{
	struct serve_opts o = {
	    .data = cli_data_default(), .rate_limit = -1, .verify_limit = 30, .db_timeout = 15};
	const struct opt options[] = {
	    CLI_DB_OPTS(&o.db, &o.data),
	    OPT_STRING("--listen", "HOST:PORT", &o.listen,
		       "where to listen (default 127.0.0.1:8080; port 0: any free port)"),
	    OPT_NUMBER("--threads", "N", &o.threads, 1, 64,
		       "event loops, each reading the database on its own (default 2)"),
	    OPT_NUMBER("--rate-limit", "N", &o.rate_limit, 0, 10000000,
		       "requests a second from one address (default 1000; 0: none)"),
	    OPT_NUMBER("--max-conns-per-address", "N", &o.max_per_address, 1, 1000000,
		       "connections one address may hold open (default 256; a NAT of many "
		       "desks may need more; the trusted proxy's own are not capped)"),
	    OPT_NUMBER("--head-timeout", "SECONDS", &o.head_timeout, 1, 3600,
		       "a request's head must arrive within this of its first byte, and its "
		       "body at 16 KiB/s after (default 10)"),
	    OPT_NUMBER("--body-budget", "MIB", &o.body_budget, 1, 65536,
		       "large bodies held in memory at once, all connections together; past "
		       "it, 503 (default 64)"),
	    OPT_NUMBER("--streams-per-user", "N", &o.streams_per_user, 1, 1000000,
		       "live event streams (GET /api/v1/stream) one user may hold open (default "
		       "16)"),
	    OPT_NUMBER("--max-streams", "N", &o.max_streams, 1, 10000000,
		       "live event streams open at once, all users (default: half the "
		       "descriptors the process may open)"),
	    OPT_NUMBER("--stream-heartbeat", "SECONDS", &o.stream_heartbeat, 1, 3600,
		       "a comment on every stream this often, and its session checked (default "
		       "15)"),
	    OPT_FLAG("--behind-tls", &o.behind_tls,
		     "clients reach the server through HTTPS only (a proxy ends TLS): the session "
		     "cookie is Secure, every reply has HSTS"),
	    OPT_STRING("--trusted-proxy", "ADDRESS", &o.trusted_proxy,
		       "the reverse proxy in front: its requests count as from the last address "
		       "of their X-Forwarded-For"),
	    OPT_STRING("--queue-log", "FILE", &o.queue_log,
		       "follows Asterisk's queue_log as it grows (as `tamin calls follow`: "
		       "rotation and restart alike): the calls' events, the screen pop"),
	    OPT_NUMBER("--otp-per-address", "N", &o.otp.per_address, 1, 100000000,
		       "one-time codes asked for, and wrong codes, from one address in 15 minutes "
		       "(default 30; a NAT of many may need more)"),
	    OPT_STRING("--test-clock", "FILE", &o.otp.test_clock,
		       "tests only, on a loopback --listen: the one-time codes' clock is moved by "
		       "the number of seconds FILE holds"),
	    OPT_STRING("--sms-sink", "FILE", &o.sms.sink,
		       "delivers text messages by appending each to FILE as a JSON line "
		       "{\"to\",\"text\",\"at\"} (development and tests; at in Tehran time)"),
	    OPT_STRING("--sms-url", "URL", &o.sms.url,
		       "delivers text messages by POSTing each to this gateway (libcurl)"),
	    OPT_STRING("--sms-key", "KEY", &o.sms.key,
		       "the gateway's key, sent in the header --sms-key-header (default: "
		       "$TAMIN_SMS_KEY, which keeps it out of the process list)"),
	    OPT_STRING("--sms-key-header", "NAME", &o.sms.key_header,
		       "the header that carries the key (default X-API-KEY)"),
	    OPT_STRING("--sms-template", "JSON", &o.sms.tmpl,
		       "the gateway's body with {{to}} and {{text}} inside JSON strings (default "
		       "{\"to\":\"{{to}}\",\"text\":\"{{text}}\"})"),
	    OPT_NUMBER("--sms-timeout-ms", "MS", &o.sms.timeout_ms, 50, 600000,
		       "one try at the gateway, connecting included (default 10000)"),
	    OPT_NUMBER("--sms-retry-ms", "MS", &o.sms.retry_ms, 50, 3600000,
		       "the first retry's delay, doubled after each failed try up to an hour, "
		       "with jitter (default 5000)"),
	    OPT_STRING("--public-url", "URL", &o.public_url,
		       "where people reach this server (https://tamin.example): a paper's QR code "
		       "points to URL/verify/CODE (default: http://HOST:PORT of --listen)"),
	    OPT_NUMBER("--verify-limit", "N", &o.verify_limit, 0, 1000000,
		       "document verifications one address may ask a minute (default 30; 0: "
		       "no limit)"),
	    OPT_NUMBER("--db-timeout", "SECONDS", &o.db_timeout, 0, 3600,
		       "with a postgres:// database: a statement the server does not answer in "
		       "this long fails with 503 and the connection is made again (default 15; 0: "
		       "wait)"),
	    OPT_STRING("--db-replica", "URL", &o.db_replica,
		       "a streaming replica of the --db PostgreSQL database for reads; one who "
		       "wrote reads on the primary until the replica has replayed the write"),
	    OPT_STRING(
		"--state-dir", "DIR", &o.state_dir,
		"with a postgres:// database: this server's local folder for its audit spool "
		"and attachments, which sit beside a SQLite file (default var)"),
	    OPT_STRING(
		"--web", "DIR", &o.web,
		"the built web app to serve at / (the folder Vite writes: index.html, assets/)"),
	    OPT_END,
	};
	const struct opts_cmd cmd = {
	    .name = "tamin serve",
	    .about =
		"Serves the API (and the web app with --web) until SIGTERM or SIGINT; then stops\n"
		"accepting, finishes the requests in flight, commits queued writes and exits 0.",
	    .opts = options};
	int status;
	if (cli_parse(&cmd, argc, argv, NULL, &status) < 0)
		return status;
	/* The gateway's key from the environment, so that it need not be on the command line,
	 * which every local user may read (ps). */
	const char *env_key = getenv("TAMIN_SMS_KEY");
	if (!o.sms.key && env_key && *env_key)
		o.sms.key = env_key;
	/* A wrong SMS set-up is said before anything is opened. */
	if (o.sms.sink || o.sms.url) {
		struct err e = {0};
		if (sms_config_check(&o.sms, &e) < 0)
			return cli_fail("%s", e.message);
	}
	/* The web app is read before anything else, so a wrong --web creates no database. */
	struct web *web = NULL;
	if (o.web) {
		struct err e = {0};
		web = web_load(o.web, &e);
		if (!web)
			return cli_fail("%s", e.message);
	}
	int rc = serve(&o, web);
	web_free(web);
	return rc;
}
