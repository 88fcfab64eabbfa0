/* A month of many workshops' lists in one pair of files (`tamin demo --batch DIR`), the
 * input of `tamin list batch` and of make bench's national month (bench/README.md, step
 * 9): N workshops (codes 6000000001 ..., every tenth a hard job) added to the database,
 * and their lists of the month written as ListDisk's template lays them out (Windows-1256,
 * the template's widths), the lists' rows one after another.
 *
 * A list has 1 to 2M - 1 workers (M on average); a worker is in one list, with a valid
 * national id in no order (a multiplicative permutation of the worker's number), a
 * Persian name, the month's 30 days (nine in ten) or fewer, an insurable wage of 1 to 6
 * times the minimum for the days; every share and total is the rules' own (the rules
 * are what the import checks them against). The same options give the same files. */
#include "demo/demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/natid.h"
#include "listfile/listfile.h"
#include "rules/rules.h"

static const char *const first_names[] = {"علی", "محمد", "زهرا", "فاطمه", "حسین", "مریم",
					  "رضا", "سارا", "مهدی", "نرگس",  "امیر", "لیلا"};
static const char *const last_names[] = {"محمدی", "حسینی", "احمدی", "رضایی", "کریمی",
					 "موسوی", "جعفری", "صادقی", "رحیمی", "کاظمی"};
#define COUNT(a) (sizeof a / sizeof a[0])

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Worker j's national id: 9 digits in no order, then the check digit. */
static void national_id(uint64_t j, char out[11])
{
	enum { SPAN = 899999999 };
	for (;; j += 4000000000ull) {
		/* 1000003 is prime and does not divide SPAN: j -> j * 1000003 mod SPAN is a
		 * permutation */
		uint64_t base = 100000000 + (j % SPAN) * 1000003ull % SPAN;
		snprintf(out, 11, "%09llu", (unsigned long long)base);
		int s = 0;
		for (int i = 0; i < 9; i++)
			s += (out[i] - '0') * (10 - i);
		int r = s % 11;
		out[9] = (char)('0' + (r < 2 ? r : 11 - r));
		out[10] = 0;
		if (natid_valid(out))
			return;
	}
}

static int add_workshops(struct db *db, long n, struct err *e)
{
	int rc = db_run_ints(
	    db,
	    "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < $1)"
	    " INSERT INTO workshops(code, name, employer_name, province, hard_job, created)"
	    " SELECT CAST(6000000000 + i AS TEXT), 'کارگاه ' || i, 'کارفرما ' || i,"
	    " (SELECT min(code) FROM provinces), CASE WHEN i % 10 = 0 THEN 1 ELSE 0 END, 0"
	    " FROM k WHERE true ON CONFLICT DO NOTHING", /* WHERE: SQLite reads ON as a join's */
	    1, (int64_t[]){n});
	return rc < 0 ? db_fail(db, e) : 0;
}

int demo_batch(struct db *db, const struct rules *rules, const struct demo_batch *o,
	       struct demo_batch_out *out, struct err *e)
{
	memset(out, 0, sizeof *out);
	if (o->lists < 1 || o->workers < 1)
		return err_set(e, 400, "bad_option", "lists",
			       "--lists and --workers are 1 or more");
	if (db_begin(db) < 0 || add_workshops(db, o->lists, e) < 0 || db_commit(db) < 0) {
		db_rollback(db);
		return e->status ? -1 : db_fail(db, e);
	}
	int64_t minimum;
	if (rules_minimum_wage(rules, (struct jdate){o->year, o->month, 1}, &minimum, e) < 0)
		return -1;
	int len = jalali_month_days(o->year, o->month);
	int64_t daily_min = minimum / 30;
	char kar[4096], wor[4096];
	snprintf(kar, sizeof kar, "%s/DSKKAR00.DBF", o->dir);
	snprintf(wor, sizeof wor, "%s/DSKWOR00.DBF", o->dir);
	struct list_writer lw;
	if (list_writer_open(&lw, kar, wor, CODEC_CP1256, e) < 0)
		return -1;
	long cap = 2 * o->workers;
	struct rules_worker_row *rows = malloc((size_t)cap * sizeof *rows);
	struct rules_contribution *each = malloc((size_t)cap * sizeof *each);
	struct list_worker *ws = calloc((size_t)cap, sizeof *ws);
	if (!rows || !each || !ws) {
		free(rows);
		free(each);
		free(ws);
		list_writer_abort(&lw);
		return err_set(e, 500, "internal", "", "out of memory");
	}
	struct list_issues iss;
	list_issues_init(&iss, 16);
	uint64_t g = 0x9E3779B97F4A7C15ull ^ o->seed, worker = 0;
	int rc = 0;
	for (long l = 0; rc == 0 && l < o->lists; l++) {
		struct list_header h = {0};
		snprintf(h.workshop, sizeof h.workshop, "%010ld", 6000000000L + l + 1);
		snprintf(h.name, sizeof h.name, "کارگاه %ld", l + 1);
		snprintf(h.employer, sizeof h.employer, "کارفرما %ld", l + 1);
		h.year = o->year;
		h.month = o->month;
		snprintf(h.list_no, sizeof h.list_no, "1");
		snprintf(h.contract_row, sizeof h.contract_row, "000");
		int hard = (l + 1) % 10 == 0;
		int n = 1 + (int)(next(&g) % (uint64_t)(cap - 1));
		for (int i = 0; i < n; i++) {
			struct list_worker *w = &ws[i];
			uint64_t x = next(&g);
			snprintf(w->workshop, sizeof w->workshop, "%s", h.workshop);
			w->year = o->year;
			w->month = o->month;
			snprintf(w->list_no, sizeof w->list_no, "1");
			national_id(worker++, w->national_id);
			snprintf(w->insurance_no, sizeof w->insurance_no, "%.8s",
				 w->national_id + 1);
			snprintf(w->first_name, sizeof w->first_name, "%s",
				 first_names[x % COUNT(first_names)]);
			snprintf(w->last_name, sizeof w->last_name, "%s",
				 last_names[(x >> 8) % COUNT(last_names)]);
			snprintf(w->father_name, sizeof w->father_name, "%s",
				 first_names[(x >> 16) % COUNT(first_names)]);
			w->sex = (x >> 24) % 3 ? LIST_SEX_MALE : LIST_SEX_FEMALE;
			w->birth_date =
			    (struct jdate){1340 + (int)((x >> 28) % 45), 1 + (int)((x >> 36) % 12),
					   1 + (int)((x >> 40) % 28)};
			snprintf(w->nationality, sizeof w->nationality, "ایرانی");
			snprintf(w->job_title, sizeof w->job_title, "کارگر ساده");
			snprintf(w->job_code, sizeof w->job_code, "931290");
			w->days = (x >> 44) % 10 ? len : 1 + (int)((x >> 48) % (uint64_t)(len - 1));
			w->insurable =
			    w->days * daily_min * (100 + (int64_t)((x >> 52) % 500)) / 100;
			w->monthly_wage = w->total = w->insurable;
			w->daily_wage = w->insurable / w->days;
			rows[i] = (struct rules_worker_row){o->year,	  o->month, w->days,
							    w->insurable, hard,	    RULES_EMPLOYEE};
		}
		struct rules_contribution due;
		if (rules_contribution_list(rules, rows, n, &due, each, NULL, e) < 0) {
			rc = -1;
			break;
		}
		h.workers = n;
		for (int i = 0; i < n && rc == 0; i++) {
			struct list_worker *w = &ws[i];
			w->worker_share = each[i].worker;
			h.days += w->days;
			h.daily_wages += w->daily_wage;
			h.monthly_wages += w->monthly_wage;
			h.insurable += w->insurable;
			h.total += w->total;
			h.worker_share += w->worker_share;
			rc = list_writer_add(&lw, w, &iss, e);
		}
		h.employer_share = due.employer;
		h.unemployment = due.unemployment;
		h.hard_job_share = due.hard_job;
		h.rate = due.rate_percent;
		if (rc == 0)
			rc = list_writer_header(&lw, &h, &iss, e);
		out->lists++;
		out->rows += n;
	}
	if (rc == 0 && list_issues_count(&iss))
		rc = err_set(e, 500, "internal", "", "the demo wrote a value that does not fit: %s",
			     iss.items[0].message_en);
	if (rc == 0)
		rc = list_writer_close(&lw, e);
	else
		list_writer_abort(&lw);
	list_issues_release(&iss);
	free(rows);
	free(each);
	free(ws);
	return rc;
}
