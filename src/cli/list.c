/* `tamin list import|batch|export`: monthly lists in from their two files (either form,
 * listfile/input.h) and out as the dBase pair. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/jw.h"
#include "listfile/input.h"
#include "lists/batch.h"
#include "lists/lists.h"
#include "rules/rules.h"
#include "store/writer.h"

/* What list import and list batch take: the pair, --db and --data. */
struct pair_opts {
	const char *db, *data, *files[2];
};

static int pair_parse(struct pair_opts *o, const char *name, const char *about, int argc,
		      char **argv, int *status)
{
	*o = (struct pair_opts){.data = cli_data_default()};
	const struct opt options[] = {CLI_DB_OPTS(&o->db, &o->data), OPT_END};
	const struct opts_cmd cmd = {name, "DSKKAR00.DBF DSKWOR00.DBF", 2, 2, about, options};
	return cli_parse(&cmd, argc, argv, o->files, status);
}

/* ---- list import ---- */

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

/* What the import did: the list stored (exit 0), or refused with every problem (1). */
static int import_report(const struct import_job *j, const struct list_reader *rd)
{
	const struct list_header *h = &j->im.header;
	printf("encoding: %s (%s)\n", codec_name(rd->enc), rd->guess.why);
	printf("workshop %s, %04d/%02d, list %s: %u workers, %lld days\n", h->workshop, h->year,
	       h->month, h->list_no, j->im.rows, (long long)h->days);
	printf("insurable %lld, insured's share %lld, employer %lld, unemployment %lld,"
	       " hard-job %lld rials\n",
	       (long long)h->insurable, (long long)h->worker_share, (long long)h->employer_share,
	       (long long)h->unemployment, (long long)h->hard_job_share);
	if (j->stored == 1) {
		printf("stored as list %lld", (long long)j->im.list_id);
		if (j->im.supersedes)
			printf(", correcting list %lld", (long long)j->im.supersedes);
		printf("\n");
		return 0;
	}
	size_t n = list_issues_count(&j->im.issues);
	fprintf(stderr, "tamin: the list is refused whole, %zu problem%s:\n", n, n == 1 ? "" : "s");
	for (size_t i = 0; i < j->im.issues.n; i++) {
		const struct list_issue *it = &j->im.issues.items[i];
		fprintf(stderr, "  %s row %u %s %s: %s (%s)\n",
			it->file == LIST_FILE_KAR ? "DSKKAR00" : "DSKWOR00", it->row, it->field,
			it->code, it->message_en, it->message_fa);
	}
	if (j->im.issues.dropped)
		fprintf(stderr, "  ... and %zu more\n", j->im.issues.dropped);
	return 1;
}

int cli_list_import(int argc, char **argv)
{
	struct pair_opts o;
	int status;
	if (pair_parse(
		&o, "tamin list import",
		"Checks one workshop's monthly list whole and stores it (exit 0), or refuses it\n"
		"with every problem (exit 1); KAR.csv WOR.csv is the same list in the CSV form\n"
		"(both names ending in .csv). Prints the encoding found and the totals.",
		argc, argv, &status) < 0)
		return status;
	struct err e = {0};
	struct list_input in;
	struct import_job j = {0};
	list_import_init(&j.im);
	struct db *db = NULL;
	struct rules *rules = NULL;
	int rc = 2;
	if (list_input_open(&in, o.files[0], o.files[1], &j.im.issues, &e) < 0) {
		rc = cli_fail("%s", e.message);
		goto out;
	}
	j.source = in.source;
	rules = cli_rules_load(o.data, &e);
	if (!rules) {
		rc = cli_fail("%s", e.message);
		goto out;
	}
	if (cli_open(o.db, o.data, &db) < 0)
		goto out;
	j.rules = rules;
	list_source_files(&j.src, &in.r);
	struct write_job job = {.run = import_run, .arg = &j};
	if (writer_run_now(db, &job) < 0)
		rc = cli_fail("%s", job.err.message);
	else
		rc = import_report(&j, &in.r);
out:
	rules_free(rules);
	cli_close(db);
	list_input_close(&in);
	list_import_release(&j.im);
	return rc;
}

/* ---- list batch ---- */

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

int cli_list_batch(int argc, char **argv)
{
	struct pair_opts o;
	int status;
	if (pair_parse(
		&o, "tamin list batch",
		"Many workshops' lists in one pair (or KAR.csv WOR.csv): each list stored or\n"
		"refused on its own, in one transaction; a JSON line per refused list, then\n"
		"the counts as JSON. Exit 1 if any list was refused.",
		argc, argv, &status) < 0)
		return status;
	const char *kar = o.files[0], *wor = o.files[1];
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
				iss.items[0].file == LIST_FILE_KAR ? kar : wor,
				iss.items[0].message_en);
		list_input_close(&in);
		list_issues_release(&iss);
		return cli_fail("%s", e.message);
	}
	list_issues_release(&iss);
	struct list_reader *rd = &in.r;
	struct db *db = NULL;
	struct rules *rules = cli_rules_load(o.data, &e);
	int rc = 2;
	if (!rules)
		rc = cli_fail("%s", e.message);
	else if (cli_open(o.db, o.data, &db) == 0) {
		struct list_batch out;
		if (list_batch_import(db, o.db, rules, rd, (int64_t)time(NULL), batch_refused, NULL,
				      &out, &e) < 0) {
			rc = cli_fail("%s", e.message);
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
	rules_free(rules);
	cli_close(db);
	list_input_close(&in);
	return rc;
}

/* ---- list export ---- */

int cli_list_export(int argc, char **argv)
{
	const char *db_path = NULL, *data = cli_data_default(), *dir = NULL, *encoding = NULL;
	long list = 0;
	const struct opt options[] = {
	    CLI_DB_OPTS(&db_path, &data),
	    OPT_REQUIRED_NUMBER("--list", "ID", &list, 1, INT32_MAX, "the stored list's id"),
	    OPT_REQUIRED_STRING("--out", "DIR", &dir,
				"where to write DSKKAR00.DBF and DSKWOR00.DBF (it must exist)"),
	    OPT_STRING("--encoding", "cp1256|iransys", &encoding,
		       "the files' text: Windows-1256 (default) or Iran System"),
	    OPT_END,
	};
	const struct opts_cmd cmd = {
	    .name = "tamin list export",
	    .about =
		"Writes a stored list back out as the dBase pair, with the official template's\n"
		"columns; a value that does not fit is said on stderr.",
	    .opts = options};
	int status;
	if (cli_parse(&cmd, argc, argv, NULL, &status) < 0)
		return status;
	enum codec_enc enc = CODEC_CP1256;
	if (encoding && !strcmp(encoding, "iransys"))
		enc = CODEC_IRANSYS;
	else if (encoding && strcmp(encoding, "cp1256"))
		return cli_fail("--encoding is cp1256 or iransys, not %s", encoding);
	struct db *db = NULL;
	if (cli_open(db_path, data, &db) < 0)
		return 2;
	struct err e = {0};
	struct list_array a;
	int rc = lists_load(db, list, &a, &e);
	cli_close(db);
	if (rc < 0)
		return cli_fail("%s", e.message);
	char kar[4096], wor[4096];
	snprintf(kar, sizeof kar, "%s/DSKKAR00.DBF", dir);
	snprintf(wor, sizeof wor, "%s/DSKWOR00.DBF", dir);
	struct list_issues iss;
	list_issues_init(&iss, 0);
	rc = list_write_files(kar, wor, enc, &a.header, a.rows, a.n, &iss, &e);
	free(a.rows);
	for (size_t i = 0; i < iss.n; i++)
		fprintf(stderr, "  row %u %s %s: %s\n", iss.items[i].row, iss.items[i].field,
			iss.items[i].code, iss.items[i].message_en);
	list_issues_release(&iss);
	if (rc < 0)
		return cli_fail("%s", e.message);
	printf("wrote %s and %s (%s, %zu workers)\n", kar, wor, codec_name(enc), a.n);
	return 0;
}
