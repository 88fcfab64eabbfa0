/* tamin: the command line. Each command is one function; errors are one line on stderr
 * and a non-zero exit. */
#include "audit/spool.h"
#include "base/jalali.h"
#include "base/worktime.h"
#include "cases/cases.h"
#include "catalog/catalog.h"
#include "demo/demo.h"
#include "http/routes.h"
#include "listfile/input.h"
#include "lists/batch.h"
#include "lists/entries.h"
#include "lists/lists.h"
#include "pensions/pensions.h"
#include "rules/rules.h"
#include "store/store.h"
#include "store/writer.h"
#include "users/users.h"
#include "web/web.h"
#include "workshops/workshops.h"

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] =
	"usage: tamin serve --db FILE [--listen HOST:PORT] [--threads N] [--rate-limit N]\n"
	"                   [--web DIR]   (DIR: the built web app, served at /)\n"
	"       tamin user add --db FILE --login NAME --role ROLE [--department CODE]\n"
	"                      [--national-id ID] [--name NAME] [--workshop CODE]\n"
	"                      (password on stdin; --workshop links an employer to a workshop)\n"
	"       tamin demo --db FILE [--people N] [--cases N] [--seed N] [--records 0|1]\n"
	"                  [--scale national [--sample N] [--filler N] [--pensioners N]]\n"
	"       tamin demo --db FILE --batch DIR --lists N [--workers N] [--year Y --month M]\n"
	"                  (adds N workshops; writes their lists of the month into DIR)\n"
	"       tamin list import --db FILE DSKKAR00.DBF DSKWOR00.DBF (or KAR.csv WOR.csv)\n"
	"       tamin list export --db FILE --list ID --out DIR [--encoding cp1256|iransys]\n"
	"       tamin list batch --db FILE DSKKAR00.DBF DSKWOR00.DBF   (many lists in one pair)\n"
	"       tamin record close-year --db FILE --year JALALI_YEAR\n"
	"       tamin pensions increase|equalise --db FILE [--date JALALI] [--apply 1]\n"
	"       tamin migrate --db FILE\n"
	"       tamin sweep --db FILE\n"
	"       tamin routes   (the API's route table: one JSON line per route)\n"
	"       tamin rules help | check | value NAME [DATE] | contribution ... (see rules.h)\n"
	"options for every command: --data DIR (default: $TAMIN_DATA or ./data)\n";

struct opts {
	const char *db, *listen, *data, *login, *role, *department, *national_id, *name, *web,
		   *workshop, *out, *encoding, *date, *batch;
	long threads, rate_limit, people, cases, seed, records, list, apply;
	long sample, filler, pensioners; /* demo --scale national */
	long year, month;		 /* record close-year; demo --batch */
	long lists, workers;		 /* demo --batch */
	const char *scale;
};

static int die(const char *fmt, const char *arg)
{
	fprintf(stderr, "tamin: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 2;
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct {
		const char *name;
		size_t off;
	} str[] = {
		{"--db", offsetof(struct opts, db)},
		{"--listen", offsetof(struct opts, listen)},
		{"--data", offsetof(struct opts, data)},
		{"--login", offsetof(struct opts, login)},
		{"--role", offsetof(struct opts, role)},
		{"--department", offsetof(struct opts, department)},
		{"--national-id", offsetof(struct opts, national_id)},
		{"--name", offsetof(struct opts, name)},
		{"--web", offsetof(struct opts, web)},
		{"--workshop", offsetof(struct opts, workshop)},
		{"--out", offsetof(struct opts, out)},
		{"--encoding", offsetof(struct opts, encoding)},
		{"--date", offsetof(struct opts, date)},
		{"--scale", offsetof(struct opts, scale)},
		{"--batch", offsetof(struct opts, batch)},
	};
	static const struct {
		const char *name;
		size_t off;
		long min, max;
	} num[] = {
		{"--threads", offsetof(struct opts, threads), 1, 64},
		{"--rate-limit", offsetof(struct opts, rate_limit), 0, 10000000},
		{"--people", offsetof(struct opts, people), 1, 50000000},
		{"--cases", offsetof(struct opts, cases), 0, 100000000},
		{"--records", offsetof(struct opts, records), 0, 1},
		{"--list", offsetof(struct opts, list), 1, INT32_MAX},
		{"--apply", offsetof(struct opts, apply), 0, 1},
		{"--seed", offsetof(struct opts, seed), 0, 2147483647},
		{"--sample", offsetof(struct opts, sample), 0, 1000000},
		{"--filler", offsetof(struct opts, filler), 360, 1000000000},
		{"--pensioners", offsetof(struct opts, pensioners), 0, 50000000},
		{"--year", offsetof(struct opts, year), 1300, 1500},
		{"--month", offsetof(struct opts, month), 1, 12},
		{"--lists", offsetof(struct opts, lists), 1, 10000000},
		{"--workers", offsetof(struct opts, workers), 1, 100000},
	};
	for (int i = 0; i < argc; i++) {
		int done = 0;
		for (size_t k = 0; k < sizeof str / sizeof str[0] && !done; k++) {
			if (strcmp(argv[i], str[k].name))
				continue;
			if (i + 1 >= argc)
				return die("%s needs a value", argv[i]);
			*(const char **)((char *)o + str[k].off) = argv[++i];
			done = 1;
		}
		for (size_t k = 0; k < sizeof num / sizeof num[0] && !done; k++) {
			if (strcmp(argv[i], num[k].name))
				continue;
			if (i + 1 >= argc ||
			    parse_long(argv[i + 1], num[k].min, num[k].max,
				       (long *)((char *)o + num[k].off)) < 0)
				return die("%s needs a number in range", argv[i]);
			i++;
			done = 1;
		}
		if (!done)
			return die("unknown option: %s (see tamin --help)", argv[i]);
	}
	if (!o->data)
		o->data = getenv("TAMIN_DATA") ? getenv("TAMIN_DATA") : "data";
	if (!o->db)
		return die("%s", "--db FILE is required");
	return 0;
}

/* Opens, migrates and loads the catalogue: every command starts here. */
static int open_ready(const struct opts *o, struct db **db)
{
	struct err e = {0};
	if (db_open(db, o->db, DB_CREATE, &e) < 0 || db_migrate(*db, &e) < 0 ||
	    catalog_sync(*db, o->data, &e) < 0) {
		db_close(*db);
		*db = NULL;
		return die("%s", e.message);
	}
	return 0;
}

static int load_calendars(struct app *app, const char *data)
{
	struct err e = {0};
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/holidays", data);
	app->office = worktime_new_office();
	app->always = worktime_new_always();
	if (worktime_load_holidays(app->office, dir, &e) < 0)
		return die("%s", e.message);
	return 0;
}

/* ---- serve ---- */

static int serve(struct opts *o, const struct web *web)
{
	/* Block the stop signals before any thread starts, so every thread inherits the
	 * mask and only http_serve's sigwait takes them: a second signal cannot kill us. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	struct db *db = NULL;
	if (open_ready(o, &db))
		return 2;
	db_close(db);
	struct server_options so = {"127.0.0.1", 8080};
	char host[256];
	if (o->listen) {
		const char *colon = strrchr(o->listen, ':');
		long port;
		if (!colon || colon == o->listen || (size_t)(colon - o->listen) >= sizeof host ||
		    parse_long(colon + 1, 0, 65535, &port) < 0)
			return die("--listen wants HOST:PORT, not %s", o->listen);
		memcpy(host, o->listen, (size_t)(colon - o->listen));
		host[colon - o->listen] = 0;
		so.host = host;
		so.port = (int)port;
	}
	struct app app = {.db_path = o->db,
			  .data_dir = o->data,
			  .rate_limit = o->rate_limit >= 0 ? (int)o->rate_limit : 1000,
			  .login_limit = 10,
			  .body_limit = 64 << 10,
			  .threads = o->threads ? (int)o->threads : 2,
			  .web = web};
	if (load_calendars(&app, o->data))
		return 2;
	struct err e = {0};
	char rules_dir[4096];
	snprintf(rules_dir, sizeof rules_dir, "%s/rules", o->data);
	struct rules *rules = rules_load(rules_dir, &e);
	if (!rules)
		return die("%s", e.message);
	app.rules = rules;
	app.writer = writer_start(o->db, &e);
	if (app.writer)
		app.spool = audit_spool_start(o->db, app.writer, &e);
	struct cases_sweeper *sw = app.spool ? cases_sweeper_start(app.writer, &e) : NULL;
	if (!sw) {
		audit_spool_stop(app.spool);
		writer_stop(app.writer);
		rules_free(rules);
		return die("%s", e.message);
	}
	int rc = http_serve(&app, api_routes, &so, &e);
	cases_sweeper_stop(sw);
	audit_spool_stop(app.spool);
	writer_stop(app.writer);
	worktime_free(app.office);
	worktime_free(app.always);
	rules_free(rules);
	catalog_release();
	if (rc < 0)
		return die("%s", e.message);
	fprintf(stderr, "tamin: stopped cleanly\n");
	return 0;
}

/* The web app is read before anything else, so a wrong --web creates no database. */
static int cmd_serve(struct opts *o)
{
	struct web *web = NULL;
	if (o->web) {
		struct err e = {0};
		web = web_load(o->web, &e);
		if (!web)
			return die("%s", e.message);
	}
	int rc = serve(o, web);
	web_free(web);
	return rc;
}

/* ---- user add ---- */

struct user_job {
	struct user_new u;
	const char *workshop;
};

static int user_add_run(struct db *db, void *arg, struct err *e)
{
	struct user_job *j = arg;
	if (users_add(db, &j->u, e) < 0)
		return -1;
	if (!j->workshop)
		return 0;
	int64_t w = workshop_id(db, j->workshop);
	if (w <= 0)
		return err_set(e, 400, "unknown_workshop", "workshop", "no workshop with code %s",
			       j->workshop);
	return workshop_link_employer(db, w, j->u.login, e);
}

static int cmd_user_add(struct opts *o)
{
	if (!o->login || !o->role)
		return die("%s", "user add needs --login and --role");
	char pw[300];
	if (!fgets(pw, sizeof pw, stdin))
		return die("%s", "the password is read from standard input: none was given");
	pw[strcspn(pw, "\r\n")] = 0;
	struct db *db = NULL;
	if (open_ready(o, &db))
		return 2;
	struct user_job j = {{o->login, pw, o->role, o->department, o->national_id, o->name, NULL},
			     o->workshop};
	struct write_job job = {.run = user_add_run, .arg = &j};
	int rc = writer_run_now(db, &job);
	sodium_memzero(pw, sizeof pw);
	db_close(db);
	catalog_release();
	if (rc < 0)
		return die("%s", job.err.message);
	printf("user %s (%s) added\n", o->login, o->role);
	return 0;
}

/* ---- list import, list export ---- */

struct import_job {
	const struct rules *rules;
	struct list_source src;
	struct list_import im;
	const char *source; /* "dbf" or "csv" */
	int stored;
};

static int import_run(struct db *db, void *arg, struct err *e)
{
	struct import_job *j = arg;
	j->stored =
	    list_import(db, j->rules, NULL, j->source, &j->src, (int64_t)time(NULL), &j->im, e);
	return j->stored < 0 ? -1 : 0;
}

static struct rules *load_rules(const struct opts *o, struct err *e)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/rules", o->data);
	return rules_load(dir, e);
}

static int cmd_list_import(struct opts *o, const char *kar, const char *wor)
{
	struct err e = {0};
	struct list_input in;
	struct import_job j = {0};
	list_import_init(&j.im);
	if (list_input_open(&in, kar, wor, &j.im.issues, &e) < 0) {
		list_input_close(&in);
		list_import_release(&j.im);
		return die("%s", e.message);
	}
	struct list_reader *rd = &in.r;
	j.source = in.source;
	struct db *db = NULL;
	struct rules *rules = load_rules(o, &e);
	int rc = 2;
	if (!rules) {
		rc = die("%s", e.message);
		goto out;
	}
	if (open_ready(o, &db))
		goto out;
	j.rules = rules;
	list_source_files(&j.src, rd);
	struct write_job job = {.run = import_run, .arg = &j};
	if (writer_run_now(db, &job) < 0) {
		rc = die("%s", job.err.message);
		goto out;
	}
	const struct list_header *h = &j.im.header;
	printf("encoding: %s (%s)\n", codec_name(rd->enc), rd->guess.why);
	printf("workshop %s, %04d/%02d, list %s: %u workers, %lld days\n", h->workshop, h->year,
	       h->month, h->list_no, j.im.rows, (long long)h->days);
	printf("insurable %lld, insured's share %lld, employer %lld, unemployment %lld,"
	       " hard-job %lld rials\n",
	       (long long)h->insurable, (long long)h->worker_share, (long long)h->employer_share,
	       (long long)h->unemployment, (long long)h->hard_job_share);
	if (j.stored == 1) {
		printf("stored as list %lld", (long long)j.im.list_id);
		if (j.im.supersedes)
			printf(", correcting list %lld", (long long)j.im.supersedes);
		printf("\n");
		rc = 0;
	} else {
		size_t n = list_issues_count(&j.im.issues);
		fprintf(stderr, "tamin: the list is refused whole, %zu problem%s:\n", n,
			n == 1 ? "" : "s");
		for (size_t i = 0; i < j.im.issues.n; i++) {
			const struct list_issue *it = &j.im.issues.items[i];
			fprintf(stderr, "  %s row %u %s %s: %s (%s)\n",
				it->file == LIST_FILE_KAR ? "DSKKAR00" : "DSKWOR00", it->row, it->field,
				it->code, it->message_en, it->message_fa);
		}
		if (j.im.issues.dropped)
			fprintf(stderr, "  ... and %zu more\n", j.im.issues.dropped);
		rc = 1;
	}
out:
	if (db)
		db_close(db);
	rules_free(rules);
	catalog_release();
	list_input_close(&in);
	list_import_release(&j.im);
	return rc;
}

/* A refused list of a batch: one JSON line on stdout. */
static void batch_refused(void *arg, const struct list_import *im, const char *key)
{
	(void)arg;
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	jw_str(&w, "list", key);
	jw_str(&w, "workshop", im->header.workshop);
	jw_str(&w, "list_no", im->header.list_no);
	list_issues_json(&w, "errors", &im->issues);
	jw_end(&w);
	size_t len;
	char *line = jw_take(&w, &len);
	if (line)
		printf("%s\n", line);
	free(line);
}

static int cmd_list_batch(struct opts *o, const char *kar, const char *wor)
{
	struct err e = {0};
	struct list_input in;
	struct list_issues iss;
	list_issues_init(&iss, 0);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (list_input_open(&in, kar, wor, &iss, &e) < 0 || iss.n) {
		/* a column missing from the files: every list would be refused for it */
		if (!e.status && iss.n)
			err_set(&e, 422, iss.items[0].code, iss.items[0].field, "%s: %s",
				iss.items[0].file == LIST_FILE_KAR ? kar : wor, iss.items[0].message_en);
		list_input_close(&in);
		list_issues_release(&iss);
		return die("%s", e.message);
	}
	list_issues_release(&iss);
	struct list_reader *rd = &in.r;
	struct db *db = NULL;
	struct rules *rules = load_rules(o, &e);
	int rc = 2;
	if (!rules)
		rc = die("%s", e.message);
	else if (!open_ready(o, &db)) {
		struct list_batch out;
		if (list_batch_import(db, o->db, rules, rd, (int64_t)time(NULL), batch_refused,
				      NULL, &out, &e) < 0) {
			rc = die("%s", e.message);
		} else {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			printf("{\"lists\":%zu,\"stored\":%zu,\"refused\":%zu,\"rows\":%llu,"
			       "\"stored_rows\":%llu,\"encoding\":\"%s\",\"seconds\":%.2f,"
			       "\"phases\":{\"match\":%.2f,\"check\":%.2f,\"entries\":%.2f,"
			       "\"commit\":%.2f}}\n",
			       out.lists, out.stored, out.refused, (unsigned long long)out.rows,
			       (unsigned long long)out.stored_rows, codec_name(rd->enc),
			       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
			       out.match_s, out.check_s, out.entries_s, out.commit_s);
			rc = out.refused ? 1 : 0;
		}
	}
	if (db)
		db_close(db);
	rules_free(rules);
	catalog_release();
	list_input_close(&in);
	return rc;
}

static int cmd_record_close_year(struct opts *o)
{
	if (!o->year)
		return die("%s", "--year JALALI_YEAR is required");
	struct db *db = NULL;
	if (open_ready(o, &db))
		return 2;
	struct err e = {0};
	int64_t moved = 0;
	int rc = record_close_year(db, (int)o->year, &moved, &e);
	db_close(db);
	catalog_release();
	if (rc < 0)
		return die("%s", e.message);
	printf("closed %ld: %lld record entries moved to the closed years\n", o->year,
	       (long long)moved);
	return 0;
}

static int cmd_list_export(struct opts *o)
{
	if (!o->list || !o->out)
		return die("%s", "list export needs --list ID and --out DIR");
	enum codec_enc enc = CODEC_CP1256;
	if (o->encoding && !strcmp(o->encoding, "iransys"))
		enc = CODEC_IRANSYS;
	else if (o->encoding && strcmp(o->encoding, "cp1256"))
		return die("--encoding is cp1256 or iransys, not %s", o->encoding);
	struct db *db = NULL;
	if (open_ready(o, &db))
		return 2;
	struct err e = {0};
	struct list_array a;
	int rc = lists_load(db, o->list, &a, &e);
	db_close(db);
	catalog_release();
	if (rc < 0)
		return die("%s", e.message);
	char kar[4096], wor[4096];
	snprintf(kar, sizeof kar, "%s/DSKKAR00.DBF", o->out);
	snprintf(wor, sizeof wor, "%s/DSKWOR00.DBF", o->out);
	struct list_issues iss;
	list_issues_init(&iss, 0);
	rc = list_write_files(kar, wor, enc, &a.header, a.rows, a.n, &iss, &e);
	free(a.rows);
	for (size_t i = 0; i < iss.n; i++)
		fprintf(stderr, "  row %u %s %s: %s\n", iss.items[i].row, iss.items[i].field,
			iss.items[i].code, iss.items[i].message_en);
	list_issues_release(&iss);
	if (rc < 0)
		return die("%s", e.message);
	printf("wrote %s and %s (%s, %zu workers)\n", kar, wor, codec_name(enc), a.n);
	return 0;
}

/* ---- pensions increase ---- */

struct increase_job {
	const struct rules *rules;
	struct jdate on;
	int apply, equalisation;
	struct pension_batch b;
};

static int increase_run(struct db *db, void *arg, struct err *e)
{
	struct increase_job *j = arg;
	int64_t now = (int64_t)time(NULL);
	if ((j->equalisation ? pensions_preview_equalisation(db, j->rules, j->on, 0, now, &j->b, e)
			     : pensions_preview_increase(db, j->rules, j->on, 0, now, &j->b, e)) < 0)
		return -1;
	return j->apply ? pensions_apply(db, j->b.id, now, &j->b, e) : 0;
}

static double seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The yearly increase (or the equalisation step in force) for every pensioner: a preview
 * batch, applied too with --apply 1 (one transaction, durable when this returns). */
static int cmd_pensions_batch(struct opts *o, int equalisation)
{
	struct err e = {0};
	struct increase_job j = {.apply = (int)o->apply, .equalisation = equalisation};
	j.on = tehran_from_unix((int64_t)time(NULL)).date;
	if (o->date && jalali_parse(o->date, &j.on) < 0)
		return die("--date is a Jalali date such as 1405/01/01, not %s", o->date);
	struct rules *rules = load_rules(o, &e);
	if (!rules)
		return die("%s", e.message);
	struct db *db = NULL;
	if (open_ready(o, &db)) {
		rules_free(rules);
		return 2;
	}
	j.rules = rules;
	struct write_job job = {.run = increase_run, .arg = &j};
	double t0 = seconds();
	int rc = writer_run_now(db, &job);
	double took = seconds() - t0;
	db_close(db);
	rules_free(rules);
	catalog_release();
	if (rc < 0)
		return die("%s", job.err.message);
	printf("batch %lld (%s %s): %lld pensions, %lld -> %lld rials a month, in %.2f s\n",
	       (long long)j.b.id, equalisation ? "equalisation" : "increase",
	       j.apply ? "applied" : "preview", (long long)j.b.pensioners, (long long)j.b.before,
	       (long long)j.b.after, took);
	if (j.b.skipped)
		printf("left out: %lld pensioners with no granted pension on record\n",
		       (long long)j.b.skipped);
	return 0;
}

/* ---- demo, migrate, sweep ---- */

static int cmd_demo(struct opts *o)
{
	if (o->scale && strcmp(o->scale, "national"))
		return die("--scale is national, not %s", o->scale);
	struct db *db = NULL;
	if (open_ready(o, &db))
		return 2;
	struct app app = {0};
	if (load_calendars(&app, o->data)) {
		db_close(db);
		return 2;
	}
	struct err e = {0};
	char rules_dir[4096];
	snprintf(rules_dir, sizeof rules_dir, "%s/rules", o->data);
	struct rules *rules = rules_load(rules_dir, &e);
	if (!rules) {
		db_close(db);
		return die("%s", e.message);
	}
	if (o->batch) {
		struct demo_batch b = {o->batch, o->lists, o->workers ? o->workers : 21,
				       o->year ? (int)o->year : 1405, o->month ? (int)o->month : 8,
				       (uint64_t)(o->seed ? o->seed : 1420)};
		struct demo_batch_out bo;
		int rc = demo_batch(db, rules, &b, &bo, &e);
		if (rc == 0)
			printf("batch: %ld lists, %ld rows of %04d/%02d in %s\n", bo.lists, bo.rows,
			       b.year, b.month, b.dir);
		rules_free(rules);
		db_close(db);
		worktime_free(app.office);
		worktime_free(app.always);
		catalog_release();
		return rc < 0 ? die("%s", e.message) : 0;
	}
	struct demo_options d = {.people = o->people ? o->people : 2000,
				 .cases = o->cases >= 0 ? o->cases : 5000,
				 .seed = (unsigned)(o->seed ? o->seed : 1420),
				 .data_dir = o->data,
				 .app = &app,
				 .rules = o->records ? rules : NULL};
	int rc = demo_generate(db, &d, &e);
	if (rc == 0 && o->scale) {
		struct demo_national n = {o->sample >= 0 ? o->sample : 20000,
					  o->filler >= 0 ? o->filler : 42000000,
					  o->pensioners >= 0 ? o->pensioners : 3000000};
		rc = demo_national(db, &n, &e);
		if (rc == 0)
			printf("national scale: %ld people with 30-year careers among %ld record"
			       " entries; %ld pensioners\n",
			       n.sample, n.filler, n.pensioners);
	}
	rules_free(rules);
	db_close(db);
	worktime_free(app.office);
	worktime_free(app.always);
	catalog_release();
	if (rc < 0)
		return die("%s", e.message);
	return 0;
}

static int cmd_migrate(struct opts *o)
{
	struct db *db = NULL;
	if (open_ready(o, &db))
		return 2;
	db_close(db);
	catalog_release();
	printf("database %s is up to date\n", o->db);
	return 0;
}

static int cmd_sweep(struct opts *o)
{
	struct db *db = NULL;
	if (open_ready(o, &db))
		return 2;
	struct err e = {0};
	int rc = cases_sweep_now(db, &e);
	db_close(db);
	catalog_release();
	return rc < 0 ? die("%s", e.message) : 0;
}

/* The route table as data: one JSON object per line, {"method","path","roles"} (roles []:
 * public). docs/openapi.yaml is held against it by tests/http/openapi.test.mjs. */
static int cmd_routes(void)
{
	static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
	for (const struct route *rt = api_routes; rt->pattern; rt++) {
		const char *m = "?";
		for (int i = 0; i < 5; i++)
			if ((int)rt->method == 1 << i)
				m = methods[i];
		printf("{\"method\":\"%s\",\"path\":\"%s\",\"roles\":[", m, rt->pattern);
		int first = 1;
		for (int bit = 1; bit <= 0x80; bit <<= 1)
			if (rt->roles & bit) {
				printf("%s\"%s\"", first ? "" : ",", role_name(bit));
				first = 0;
			}
		printf("]}\n");
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0)
		return die("%s", "libsodium cannot start");
	people_set_registry(lists_person); /* a new person takes the names of their lists */
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "routes"))
		return argc == 2 ? cmd_routes() : die("%s", "usage: tamin routes");
	if (!strcmp(cmd, "rules")) {
		/* the rules' own command line (rules.h): JSON answers, as the API gives them */
		const char *data = getenv("TAMIN_DATA") ? getenv("TAMIN_DATA") : "data";
		struct err e = {0};
		return rules_cli(argc - 2, argv + 2, data, stdout, &e) < 0 ? die("%s", e.message) : 0;
	}
	struct opts o = {.rate_limit = -1, .cases = -1, .records = 1, .sample = -1, .filler = -1,
			 .pensioners = -1};
	int skip = 2;
	if (!strcmp(cmd, "list")) {
		const char *sub = argc >= 3 ? argv[2] : "";
		int import = !strcmp(sub, "import"), batch = !strcmp(sub, "batch");
		if (!import && !batch && strcmp(sub, "export"))
			return die("%s", "usage: tamin list import|export|batch ... (see tamin --help)");
		if ((import || batch) && (argc < 5 || !strncmp(argv[argc - 1], "--", 2) ||
					  !strncmp(argv[argc - 2], "--", 2)))
			return die("list %s wants the two files last: DSKKAR00.DBF DSKWOR00.DBF",
				   sub);
		if (parse_opts(argc - 3 - (import || batch ? 2 : 0), argv + 3, &o))
			return 2;
		if (batch)
			return cmd_list_batch(&o, argv[argc - 2], argv[argc - 1]);
		return import ? cmd_list_import(&o, argv[argc - 2], argv[argc - 1])
			      : cmd_list_export(&o);
	}
	if (!strcmp(cmd, "record")) {
		if (argc < 3 || strcmp(argv[2], "close-year"))
			return die("%s", "usage: tamin record close-year --db FILE --year JALALI_YEAR");
		if (parse_opts(argc - 3, argv + 3, &o))
			return 2;
		return cmd_record_close_year(&o);
	}
	if (!strcmp(cmd, "pensions")) {
		if (argc < 3 || (strcmp(argv[2], "increase") && strcmp(argv[2], "equalise")))
			return die("%s", "usage: tamin pensions increase|equalise --db FILE [--date D]"
					 " [--apply 1]");
		if (parse_opts(argc - 3, argv + 3, &o))
			return 2;
		return cmd_pensions_batch(&o, !strcmp(argv[2], "equalise"));
	}
	if (!strcmp(cmd, "user")) {
		if (argc < 3 || strcmp(argv[2], "add"))
			return die("%s", "usage: tamin user add --db FILE --login NAME --role ROLE");
		skip = 3;
	}
	if (strcmp(cmd, "serve") && strcmp(cmd, "user") && strcmp(cmd, "demo") &&
	    strcmp(cmd, "migrate") && strcmp(cmd, "sweep"))
		return die("unknown command: %s (see tamin --help)", cmd);
	if (parse_opts(argc - skip, argv + skip, &o))
		return 2;
	if (!strcmp(cmd, "serve"))
		return cmd_serve(&o);
	if (!strcmp(cmd, "user"))
		return cmd_user_add(&o);
	if (!strcmp(cmd, "demo"))
		return cmd_demo(&o);
	if (!strcmp(cmd, "migrate"))
		return cmd_migrate(&o);
	return cmd_sweep(&o);
}
