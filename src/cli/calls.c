/* `tamin calls import`, `tamin calls follow` and `tamin calls figures`: Asterisk's
 * queue_log into the calls, and the phone line's figures (calls/calls.h). */
#include "cli/cli.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "base/jw.h"
#include "calls/calls.h"
#include "store/store.h"

#define CALLS_FILES_MAX 256
#define CALLS_BATCH (1u << 20) /* bytes read between two looks at the batch */
#define CALLS_TXN_LINES 200000 /* lines per transaction */

static void print_json(struct jw *w)
{
	size_t len;
	char *out = jw_take(w, &len);
	fwrite(out, 1, len, stdout);
	fputc('\n', stdout);
	free(out);
}

/* One file, plain or gzip (zlib reads a plain file as it is), into im; commits every
 * CALLS_TXN_LINES lines. 0, or -1 after printing why. */
static int import_file(struct db *db, struct calls_import *im, const char *path, char *buf)
{
	gzFile f = gzopen(path, "rb");
	if (!f)
		return cli_fail("%s: cannot open", path), -1;
	gzbuffer(f, 1u << 18);
	struct err e = {0};
	int64_t since = im->lineno;
	int n, rc = 0;
	while ((n = gzread(f, buf, CALLS_BATCH)) > 0) {
		if (calls_import_text(im, buf, (size_t)n, &e) < 0) {
			rc = -1;
			break;
		}
		if (im->lineno - since >= CALLS_TXN_LINES) {
			since = im->lineno;
			if (calls_import_flush(im, &e) < 0 || db_commit(db) || db_begin(db)) {
				rc = -1;
				break;
			}
		}
	}
	int zerr = 0;
	const char *zmsg = n < 0 ? gzerror(f, &zerr) : NULL;
	gzclose(f);
	if (rc == 0 && n < 0)
		return cli_fail("%s: %s", path, zmsg ? zmsg : "read error"), -1;
	if (rc == 0 && calls_import_finish(im, &e) < 0)
		rc = -1;
	if (rc < 0)
		cli_fail("%s: %s", path, e.message[0] ? e.message : db_errmsg(db));
	return rc;
}

int cli_calls_import(int argc, char **argv)
{
	const char *db_path = NULL, *data = cli_data_default();
	const char *files[CALLS_FILES_MAX];
	const struct opt options[] = {CLI_DB_OPTS(&db_path, &data), OPT_END};
	const struct opts_cmd cmd = {
	    .name = "tamin calls import",
	    .args = "FILE...",
	    .min_args = 1,
	    .max_args = CALLS_FILES_MAX,
	    .about = "Reads Asterisk queue_log files (plain or gzip; the file form or the\n"
		     "data1..data5 form) into the calls. A line imported before counts once\n"
		     "(duplicates); malformed lines are counted and listed with their line number\n"
		     "(the first 100), never fatal. Prints the counts as JSON: lines, events,\n"
		     "duplicates, malformed, malformed_lines [{line, reason}], calls (new calls).",
	    .opts = options};
	int status, nargs = 0;
	if (cli_parse(&cmd, argc, argv, files, &status) < 0)
		return status;
	for (int i = 0; i < CALLS_FILES_MAX && files[i]; i++)
		nargs++;
	struct db *db;
	if (cli_open(db_path, data, &db) < 0)
		return 2;
	char *buf = malloc(CALLS_BATCH);
	if (!buf)
		abort();
	struct calls_import im;
	calls_import_init(&im, db);
	int rc = db_begin(db) ? cli_fail("%s", db_errmsg(db)) : 0;
	for (int i = 0; i < nargs && rc == 0; i++) {
		im.file = files[i];
		im.lineno = 0; /* each file's lines are numbered from 1 */
		if (import_file(db, &im, files[i], buf) < 0)
			rc = 2;
	}
	if (rc == 0 && db_commit(db))
		rc = cli_fail("%s", db_errmsg(db));
	else if (rc)
		db_rollback(db);
	if (rc == 0) {
		struct jw w;
		jw_init(&w);
		calls_import_write(&im, &w);
		print_json(&w);
	}
	calls_import_release(&im);
	free(buf);
	cli_close(db);
	return rc;
}

/* ---- follow ---- */

static atomic_int follow_stop; /* lock-free: a signal handler may set it */

static void on_stop(int sig)
{
	(void)sig;
	atomic_store(&follow_stop, 1);
}

struct follow_ctx {
	struct db *db;
	struct calls_import *im;
	const char *path;
};

/* The follower's commit: the lines and the position after them, in one transaction on
 * the command's own connection. */
static int follow_commit(void *arg, const char *buf, size_t len, int finish,
			 struct calls_follow_pos *next, struct err *e)
{
	struct follow_ctx *c = arg;
	if (db_begin(c->db))
		return db_fail(c->db, e);
	c->im->lineno = next->line;
	if (len && calls_import_text(c->im, buf, len, e) < 0)
		goto fail;
	if ((finish ? calls_import_finish(c->im, e) : calls_import_flush(c->im, e)) < 0)
		goto fail;
	next->line = c->im->lineno;
	if (calls_follow_put(c->db, c->path, next, (int64_t)time(NULL), e) < 0)
		goto fail;
	if (db_commit(c->db)) {
		db_fail(c->db, e);
		goto fail;
	}
	return 0;
fail:
	db_rollback(c->db);
	return -1;
}

int cli_calls_follow(int argc, char **argv)
{
	const char *db_path = NULL, *data = cli_data_default(), *interval = NULL;
	const char *files[2] = {NULL, NULL};
	int once = 0;
	const struct opt options[] = {
	    CLI_DB_OPTS(&db_path, &data),
	    OPT_STRING("--interval", "SECONDS", &interval,
		       "how often to look at the file (default 1; 0.01 to 3600)"),
	    OPT_FLAG("--once", &once, "read what is there now and stop"),
	    OPT_END};
	const struct opts_cmd cmd = {
	    .name = "tamin calls follow",
	    .args = "FILE",
	    .min_args = 1,
	    .max_args = 1,
	    .about = "Follows a queue_log as Asterisk writes it, until SIGINT or SIGTERM (or once\n"
		     "with --once): each whole line is imported once, as by `tamin calls import`.\n"
		     "Where it has read to is kept in the database with the lines it covers, so a\n"
		     "restart goes on from there. A rotation (the file renamed and a new one made)\n"
		     "reads the old file to its end, then the new one from its start; a file\n"
		     "shorter than what was read (copytruncate) is read again from its start.\n"
		     "Rotated while stopped, the old file is read to its end first when it is\n"
		     "FILE.1 (logrotate's name).\n"
		     "Prints the counts as JSON when it stops, as import does.",
	    .opts = options};
	int status;
	if (cli_parse(&cmd, argc, argv, files, &status) < 0)
		return status;
	double every = 1;
	if (interval) {
		char *end;
		errno = 0;
		every = strtod(interval, &end);
		if (errno || end == interval || *end || !(every >= 0.01 && every <= 3600))
			return cli_fail("--interval: a number of seconds from 0.01 to 3600");
	}
	struct db *db;
	if (cli_open(db_path, data, &db) < 0)
		return 2;
	struct calls_import im;
	calls_import_init(&im, db);
	im.file = files[0];
	struct follow_ctx ctx = {.db = db, .im = &im, .path = files[0]};
	struct calls_follower f = {
	    .path = files[0], .fd = -1, .stop = &follow_stop, .commit = follow_commit, .ctx = &ctx};
	f.buf = malloc(CALLS_FOLLOW_BATCH);
	if (!f.buf)
		abort();
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	struct err e = {0};
	int rc = calls_follow_get(db, f.path, &f.pos, &e);
	if (rc >= 0)
		rc = calls_follower_start(&f, rc, &e);
	if (rc == 0 && once)
		rc = err_set(&e, 404, "not_found", "", "%s: no such file", f.path);
	while (rc >= 0 && !atomic_load(&follow_stop)) {
		rc = calls_follower_poll(&f, &e);
		if (rc < 0 || once)
			break;
		struct timespec ts = {(time_t)every, (long)((every - (double)(time_t)every) * 1e9)};
		nanosleep(&ts, NULL); /* a signal ends it early */
	}
	calls_follower_close(&f);
	if (rc < 0) {
		cli_fail("%s", e.message[0] ? e.message : db_errmsg(db));
	} else {
		struct jw w;
		jw_init(&w);
		calls_import_write(&im, &w);
		print_json(&w);
	}
	calls_import_release(&im);
	free(f.buf);
	cli_close(db);
	return rc < 0 ? 2 : 0;
}

int cli_calls_figures(int argc, char **argv)
{
	const char *db_path = NULL, *data = cli_data_default();
	const char *from = NULL, *to = NULL, *by = NULL, *queue = NULL, *sl = NULL, *shrt = NULL;
	const struct opt options[] = {
	    CLI_DB_OPTS(&db_path, &data),
	    OPT_REQUIRED_STRING("--from", "YYYY-MM-DD", &from, "the first day (Tehran time)"),
	    OPT_REQUIRED_STRING("--to", "YYYY-MM-DD", &to, "the last day, included"),
	    OPT_STRING("--by", "15m|hour|day|month", &by, "the period (default day)"),
	    OPT_STRING("--queue", "Q", &queue, "one queue (default: every queue together)"),
	    OPT_STRING("--sl-seconds", "T", &sl, "answered within T seconds is in service level (20)"),
	    OPT_STRING("--short-seconds", "S", &shrt, "abandoned within S seconds is short (5)"),
	    OPT_END};
	const struct opts_cmd cmd = {
	    .name = "tamin calls figures",
	    .about = "The phone line's figures per period in Tehran time, as a JSON array: period,\n"
		     "queue, offered, answered, abandoned, abandoned_short, service_level,\n"
		     "service_level_answered, asa_s, aht_s, longest_wait_s, agents\n"
		     "(docs/GUIDE.md defines each).",
	    .opts = options};
	int status;
	if (cli_parse(&cmd, argc, argv, NULL, &status) < 0)
		return status;
	struct calls_figures_query q;
	struct err e = {0};
	if (calls_figures_parse(from, to, by, queue, sl, shrt, &q, &e) < 0)
		return cli_fail("--%s: %s", e.field, e.message);
	struct db *db;
	if (cli_open(db_path, data, &db) < 0)
		return 2;
	struct jw w;
	jw_init(&w);
	int rc = calls_figures(db, &q, &w, &e);
	if (rc == 0)
		print_json(&w);
	else
		jw_release(&w);
	cli_close(db);
	return rc < 0 ? cli_fail("%s", e.message) : 0;
}

/* ---- list ---- */

static int list_one(void *ctx, const struct calls_call *c, struct err *e)
{
	(void)e;
	struct jw *w = ctx;
	jw_object(w, NULL);
	jw_str(w, "callid", c->callid);
	jw_str(w, "queue", c->queue);
	jw_str(w, "caller", c->caller);
	jw_str(w, "agent", c->agent);
	jw_str(w, "outcome", c->outcome);
	if (c->person_id)
		jw_int(w, "person_id", c->person_id);
	else
		jw_null(w, "person_id");
	const char *keys[] = {"entered", "connected", "ended", "wait_s", "talk_s"};
	const int64_t v[] = {c->entered, c->connected, c->ended, c->wait_s, c->talk_s};
	for (int i = 0; i < 5; i++) {
		if (v[i] >= 0)
			jw_int(w, keys[i], v[i]);
		else
			jw_null(w, keys[i]);
	}
	jw_end(w);
	return 0;
}

int cli_calls_list(int argc, char **argv)
{
	const char *db_path = NULL, *data = cli_data_default();
	const char *from = NULL, *to = NULL;
	const struct opt options[] = {
	    CLI_DB_OPTS(&db_path, &data),
	    OPT_REQUIRED_STRING("--from", "YYYY-MM-DD", &from, "the first day (Tehran time)"),
	    OPT_REQUIRED_STRING("--to", "YYYY-MM-DD", &to, "the last day, included"),
	    OPT_END};
	const struct opts_cmd cmd = {
	    .name = "tamin calls list",
	    .about = "The calls that entered a queue in the days, by entry time, as a JSON array:\n"
		     "callid, queue, caller, agent, outcome, person_id, entered, connected, ended,\n"
		     "wait_s, talk_s (times UTC seconds; null when not known).",
	    .opts = options};
	int status;
	if (cli_parse(&cmd, argc, argv, NULL, &status) < 0)
		return status;
	struct calls_figures_query q;
	struct err e = {0};
	if (calls_figures_parse(from, to, NULL, NULL, NULL, NULL, &q, &e) < 0)
		return cli_fail("--%s: %s", e.field, e.message);
	struct db *db;
	if (cli_open(db_path, data, &db) < 0)
		return 2;
	struct jw w;
	jw_init(&w);
	jw_array(&w, NULL);
	int rc = calls_each(db, q.from, q.to, list_one, &w, &e);
	jw_end(&w);
	if (rc == 0)
		print_json(&w);
	else
		jw_release(&w);
	cli_close(db);
	return rc < 0 ? cli_fail("%s", e.message) : 0;
}
