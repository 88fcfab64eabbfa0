/* `tamin calls import` and `tamin calls figures`: Asterisk's queue_log into the calls,
 * and the phone line's figures (calls/calls.h). */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
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
