/* `tamin pensions increase|equalise`: a batch that changes every pension at once
 * (pensions/pensions.h). */
#include "cli/cli.h"

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "base/jalali.h"
#include "pensions/pensions.h"
#include "rules/rules.h"
#include "store/writer.h"

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
	if ((j->equalisation
		 ? pensions_preview_equalisation(db, j->rules, j->on, 0, now, &j->b, e)
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
static int pensions_batch(const char *name, const char *about, int equalisation, int argc,
			  char **argv)
{
	const char *db_path = NULL, *data = cli_data_default(), *date = NULL;
	long apply = 0;
	const struct opt options[] = {
	    CLI_DB_OPTS(&db_path, &data),
	    OPT_STRING("--date", "JALALI", &date,
		       "the date the rules are read at, 1405/01/01 (default today in Tehran)"),
	    OPT_NUMBER("--apply", "0|1", &apply, 0, 1, "1: apply the batch, not only preview it"),
	    OPT_END,
	};
	const struct opts_cmd cmd = {.name = name, .about = about, .opts = options};
	int status;
	if (cli_parse(&cmd, argc, argv, NULL, &status) < 0)
		return status;
	struct err e = {0};
	struct increase_job j = {.apply = (int)apply, .equalisation = equalisation};
	j.on = tehran_from_unix((int64_t)time(NULL)).date;
	if (date && jalali_parse(date, &j.on) < 0)
		return cli_fail("--date is a Jalali date such as 1405/01/01, not %s", date);
	struct rules *rules = cli_rules_load(data, &e);
	if (!rules)
		return cli_fail("%s", e.message);
	struct db *db = NULL;
	if (cli_open(db_path, data, &db) < 0) {
		rules_free(rules);
		return 2;
	}
	j.rules = rules;
	struct write_job job = {.run = increase_run, .arg = &j};
	double t0 = seconds();
	int rc = writer_run_now(db, &job);
	double took = seconds() - t0;
	cli_close(db);
	rules_free(rules);
	if (rc < 0)
		return cli_fail("%s", job.err.message);
	printf("batch %lld (%s %s): %lld pensions, %lld -> %lld rials a month, in %.2f s\n",
	       (long long)j.b.id, equalisation ? "equalisation" : "increase",
	       j.apply ? "applied" : "preview", (long long)j.b.pensioners, (long long)j.b.before,
	       (long long)j.b.after, took);
	if (j.b.skipped)
		printf("left out: %lld pensioners with no granted pension on record\n",
		       (long long)j.b.skipped);
	return 0;
}

int cli_pensions_increase(int argc, char **argv)
{
	return pensions_batch(
	    "tamin pensions increase",
	    "The yearly increase for every pensioner, as the rules give it on the "
	    "date:\na preview batch, applied with --apply 1.",
	    0, argc, argv);
}

int cli_pensions_equalise(int argc, char **argv)
{
	return pensions_batch("tamin pensions equalise",
			      "The equalisation step in force on the date for every pensioner: a "
			      "preview\nbatch, applied with --apply 1.",
			      1, argc, argv);
}
