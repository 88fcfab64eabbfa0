/* `tamin demo`: the demo dataset, its national scale, or a month of many workshops' lists
 * (demo/demo.h). */
#include "cli/cli.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "demo/demo.h"
#include "pulse/pulse.h"
#include "rules/rules.h"

struct demo_opts {
	const char *db, *data, *scale, *batch;
	long people, cases, seed, records, calls_days, calls_per_day, service_uses;
	struct demo_national national;	  /* --scale national */
	long lists, workers, year, month; /* --batch */
};

/* The pulse's counts of the demo's year (pulse/pulse.h), as serve's refresher keeps them. */
static int demo_pulse(struct db *db, const char *data, struct err *e)
{
	int64_t now = (int64_t)time(NULL);
	if (db_begin(db) < 0)
		return db_fail(db, e);
	if (pulse_refresh(db, now - 400 * (int64_t)PULSE_DAY, now + PULSE_DAY, data, e) < 0) {
		db_rollback(db);
		return -1;
	}
	return db_commit(db) < 0 ? db_fail(db, e) : 0;
}

static int demo_run(const struct demo_opts *o, struct db *db, const struct app *app,
		    const struct rules *rules, struct err *e)
{
	uint64_t seed = (uint64_t)(o->seed ? o->seed : 1420);
	if (o->batch) {
		struct demo_batch b = {o->batch,     o->lists,	    o->workers,
				       (int)o->year, (int)o->month, seed};
		struct demo_batch_out bo;
		int rc = demo_batch(db, rules, &b, &bo, e);
		if (rc == 0)
			printf("batch: %ld lists, %ld rows of %04d/%02d in %s\n", bo.lists, bo.rows,
			       b.year, b.month, b.dir);
		return rc;
	}
	struct demo_options d = {.people = o->people,
				 .cases = o->cases,
				 .seed = (unsigned)seed,
				 .data_dir = o->data,
				 .app = app,
				 .rules = o->records ? rules : NULL,
				 .calls_days = o->calls_days,
				 .calls_per_day = o->calls_per_day,
				 .service_uses = o->service_uses};
	int rc = demo_generate(db, &d, e);
	if (rc == 0)
		rc = demo_pulse(db, o->data, e);
	if (rc == 0 && o->scale) {
		const struct demo_national *n = &o->national;
		rc = demo_national(db, n, e);
		if (rc == 0)
			printf("national scale: %ld people with 30-year careers among %ld record"
			       " entries; %ld pensioners\n",
			       n->sample, n->filler, n->pensioners);
	}
	return rc;
}

int cli_demo(int argc, char **argv)
{
	struct demo_opts o = {.data = cli_data_default(),
			      .people = 2000,
			      .cases = 5000,
			      .records = 1,
			      .calls_days = 365,
			      .calls_per_day = 13000,
			      .service_uses = 400,
			      .national = {20000, 42000000, 3000000},
			      .workers = 21,
			      .year = 1405,
			      .month = 8};
	const struct opt options[] = {
	    CLI_DB_OPTS(&o.db, &o.data),
	    OPT_NUMBER("--people", "N", &o.people, 1, 50000000, "people (default 2000)"),
	    OPT_NUMBER("--cases", "N", &o.cases, 0, 100000000, "cases (default 5000)"),
	    OPT_NUMBER("--seed", "N", &o.seed, 0, 2147483647,
		       "the random numbers' seed (default and 0: 1420)"),
	    OPT_NUMBER("--records", "0|1", &o.records, 0, 1,
		       "workshops, careers with their lists, pensioners, the employer emp1 "
		       "(default 1)"),
	    OPT_NUMBER("--calls-days", "N", &o.calls_days, 0, 3650,
		       "the phone line's last N days of queue_log events, imported (default 365; "
		       "0: none)"),
	    OPT_NUMBER("--calls-per-day", "N", &o.calls_per_day, 1, 1000000,
		       "answered calls a workday, the year's average (default 13000)"),
	    OPT_NUMBER("--service-uses", "N", &o.service_uses, 0, 1000000,
		       "e-service uses a day at the year's start, 60% more at its end, for the "
		       "pulse and the public figures (default 400; 0: none)"),
	    OPT_STRING("--scale", "national", &o.scale,
		       "adds the volumes the benchmarks read, in one transaction"),
	    OPT_NUMBER("--sample", "N", &o.national.sample, 0, 1000000,
		       "national: people with a month in each of the last 360 (default 20000)"),
	    OPT_NUMBER("--filler", "N", &o.national.filler, 360, 1000000000,
		       "national: other record entries (default 42000000)"),
	    OPT_NUMBER("--pensioners", "N", &o.national.pensioners, 0, 50000000,
		       "national: pensioners (default 3000000)"),
	    OPT_STRING("--batch", "DIR", &o.batch,
		       "adds --lists workshops and writes their lists of a month into DIR as one "
		       "pair"),
	    OPT_NUMBER("--lists", "N", &o.lists, 1, 10000000, "batch: workshops and their lists"),
	    OPT_NUMBER("--workers", "N", &o.workers, 1, 100000,
		       "batch: workers a list on average (default 21)"),
	    OPT_NUMBER("--year", "Y", &o.year, 1300, 1500, "batch: the lists' year (default 1405)"),
	    OPT_NUMBER("--month", "M", &o.month, 1, 12, "batch: the lists' month (default 8)"),
	    OPT_END,
	};
	const struct opts_cmd cmd = {
	    .name = "tamin demo",
	    .about = "Fills an empty database with the demo data and prints the logins (password\n"
		     "demo1234); with --batch, adds workshops and writes a month of their lists "
		     "instead.",
	    .opts = options};
	int status;
	if (cli_parse(&cmd, argc, argv, NULL, &status) < 0)
		return status;
	if (o.scale && strcmp(o.scale, "national"))
		return cli_fail("--scale is national, not %s", o.scale);
	struct db *db = NULL;
	if (cli_open(o.db, o.data, &db) < 0)
		return 2;
	struct app app = {0};
	struct rules *rules = NULL;
	struct err e = {0};
	int rc = 2;
	if (cli_calendars(&app, o.data) < 0)
		goto out;
	rules = cli_rules_load(o.data, &e);
	if (!rules)
		rc = cli_fail("%s", e.message);
	else
		rc = demo_run(&o, db, &app, rules, &e) < 0 ? cli_fail("%s", e.message) : 0;
out:
	rules_free(rules);
	cli_calendars_free(&app);
	cli_close(db);
	return rc;
}
