/* Importing a monthly list: check it whole, then store it whole, or refuse it with every
 * problem found. One pass over the rows: the check keeps one compact line per worker (for
 * the rules' shares and the declared share) and the row as it will be stored (rows.h);
 * nothing is written until the whole list has passed. */
#include "lists/lists.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include "base/natid.h"
#include "workshops/workshops.h"

void list_import_init(struct list_import *im)
{
	memset(im, 0, sizeof *im);
	list_issues_init(&im->issues, 0);
}

void list_import_release(struct list_import *im)
{
	list_issues_release(&im->issues);
}

/* ---- sources ---- */

static int files_header(void *arg, struct list_header *h, struct list_issues *iss)
{
	return list_reader_header(arg, h, iss);
}
static int files_next(void *arg, struct list_worker *w, uint32_t *row, struct list_issues *iss)
{
	return list_reader_next(arg, w, row, iss);
}

void list_source_files(struct list_source *s, struct list_reader *r)
{
	*s = (struct list_source){files_header, files_next, r, r->enc, r};
}

static int array_header(void *arg, struct list_header *h, struct list_issues *iss)
{
	(void)iss;
	*h = ((struct list_array *)arg)->header;
	return 0;
}
static int array_next(void *arg, struct list_worker *w, uint32_t *row, struct list_issues *iss)
{
	(void)iss;
	struct list_array *a = arg;
	if (a->at >= a->n)
		return 0;
	*w = a->rows[a->at++];
	if (row)
		*row = (uint32_t)a->at;
	return 1;
}

void list_source_array(struct list_source *s, struct list_array *a)
{
	*s = (struct list_source){array_header, array_next, a, CODEC_UTF8, NULL};
}

/* ---- problems ---- */

/* A declared amount that should equal the expected one. */
static void expect(struct list_issues *iss, enum list_file_id f, uint32_t row, const char *field,
		   const char *code, int64_t declared, int64_t want, const char *what_fa,
		   const char *what_en)
{
	if (declared == want)
		return;
	char fa[256], en[200];
	snprintf(fa, sizeof fa, "%s: %lld اعلام شده، باید %lld باشد", what_fa, (long long)declared,
		 (long long)want);
	snprintf(en, sizeof en, "%s: %lld declared, %lld expected", what_en, (long long)declared,
		 (long long)want);
	list_issue_add(iss, f, row, field, code, fa, en);
}

/* ---- the checks ---- */

struct pass1 {
	struct rules_worker_row *rows; /* for the rules' shares */
	struct declared {
		int64_t share; /* DSW_BIME as declared */
		uint32_t row;  /* its record number */
	} * declared;	       /* beside rows: no third read of the file to compare */
	size_t n, cap;
	int64_t days, daily, monthly, benefits, insurable, total, worker;
};

static int check_header(struct db *db, const struct principal *who, struct list_import *im,
			int64_t *workshop)
{
	struct list_header *h = &im->header;
	struct list_issues *iss = &im->issues;
	int ok_code = strlen(h->workshop) == WORKSHOP_CODE_LEN;
	for (const char *p = h->workshop; ok_code && *p; p++)
		ok_code = *p >= '0' && *p <= '9';
	*workshop = ok_code ? workshop_find(db, h->workshop, &im->hard_job) : 0;
	if (*workshop < 0)
		return -1;
	if (!ok_code)
		list_issue_add(iss, LIST_FILE_KAR, 1, "DSK_ID", "bad_workshop",
			"کد کارگاه باید ۱۰ رقم باشد", "a workshop code is 10 digits");
	else if (!*workshop)
		list_issue_add(iss, LIST_FILE_KAR, 1, "DSK_ID", "unknown_workshop",
			"کارگاهی با این کد ثبت نشده است",
			"no workshop with this code is registered");
	else if (who && !workshop_may_act(db, who, *workshop))
		list_issue_add(iss, LIST_FILE_KAR, 1, "DSK_ID", "not_your_workshop",
			"شما از طرف این کارگاه اختیار ندارید", "you do not act for this workshop");
	if (h->month < 1 || h->month > 12)
		list_issue_add(iss, LIST_FILE_KAR, 1, "DSK_MM", "bad_month", "ماه باید بین ۱ و ۱۲ باشد",
			"the month is 1 to 12");
	if (h->year < 1354 || h->year > 1500)
		list_issue_add(iss, LIST_FILE_KAR, 1, "DSK_YY", "bad_year", "سال فهرست درست نیست",
			"the list's year is not plausible");
	if (h->kind != 0)
		list_issue_add(iss, LIST_FILE_KAR, 1, "DSK_KIND", "bad_kind", "نوع فهرست باید ۰ باشد",
			"DSK_KIND is 0");
	return 0;
}

/* One row's own checks, and what the list's checks need of it. A worker listed twice
 * is found later, on the rows sorted by national id. */
static void check_row(const struct list_import *im, struct list_issues *iss,
		      const struct list_worker *w, uint32_t row, struct pass1 *p)
{
	const struct list_header *h = &im->header;
	if (strcmp(w->workshop, h->workshop))
		list_issue_add(iss, LIST_FILE_WOR, row, "DSW_ID", "other_workshop",
			"کد کارگاه این ردیف با فهرست یکی نیست",
			"the row's workshop is not the list's");
	if (w->year != h->year || w->month != h->month)
		list_issue_add(iss, LIST_FILE_WOR, row, "DSW_MM", "other_month",
			"ماه این ردیف با ماه فهرست یکی نیست", "the row's month is not the list's");
	if (!natid_valid(w->national_id))
		list_issue_add(iss, LIST_FILE_WOR, row, "PER_NATCOD", "bad_national_id",
			"کد ملی معتبر نیست", "not a valid national id");
	int len = h->month >= 1 && h->month <= 12 ? jalali_month_days(h->year, h->month) : 31;
	if (w->days < 0 || w->days > len) {
		char fa[128], en[96];
		snprintf(fa, sizeof fa, "روزهای کار باید بین ۰ و %d باشد", len);
		snprintf(en, sizeof en, "days worked are 0 to %d", len);
		list_issue_add(iss, LIST_FILE_WOR, row, "DSW_DD", "bad_days", fa, en);
	}
	if (!w->birth_date.y)
		list_issue_add(iss, LIST_FILE_WOR, row, "DSW_BDATE", "missing_field",
			"تاریخ تولد خالی است", "the birth date is blank");
	expect(iss, LIST_FILE_WOR, row, "DSW_TOTL", "total_mismatch", w->total,
	       w->monthly_wage + w->benefits, "جمع دستمزد و مزایا", "wage plus benefits");
	if (w->insurable > w->total)
		list_issue_add(iss, LIST_FILE_WOR, row, "DSW_MASH", "insurable_over_total",
			"دستمزد مشمول از جمع دستمزد و مزایا بیشتر است",
			"the insurable wage is more than wage plus benefits");
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		struct rules_worker_row *r = realloc(p->rows, cap * sizeof *r);
		if (r)
			p->rows = r;
		struct declared *d = realloc(p->declared, cap * sizeof *d);
		if (d)
			p->declared = d;
		if (!r || !d)
			return;
		p->cap = cap;
	}
	p->declared[p->n] = (struct declared){w->worker_share, row};
	p->rows[p->n++] = (struct rules_worker_row){h->year,	  h->month,	w->days,
						    w->insurable, im->hard_job, RULES_EMPLOYEE};
	p->days += w->days;
	p->daily += w->daily_wage;
	p->monthly += w->monthly_wage;
	p->benefits += w->benefits;
	p->insurable += w->insurable;
	p->total += w->total;
	p->worker += w->worker_share;
}

/* The rules' shares, row by row and for the list; a month whose parameters are missing is
 * one problem on the header. */
static int check_shares(const struct rules *rules, struct list_import *im, struct pass1 *p,
			struct err *e)
{
	struct list_issues *iss = &im->issues;
	const struct list_header *h = &im->header;
	/* each row's own share, a chunk at a time: a result per row for a million rows was
	 * 120 MB of fresh, zeroed memory */
	enum { CHUNK = 4096 };
	struct rules_contribution *each = malloc(CHUNK * sizeof *each), part;
	if (!each)
		return err_set(e, 500, "internal", "", "out of memory checking the shares");
	struct err re = {0};
	/* the list's shares; a list of one chunk gets them with its rows' */
	int one = p->n > 0 && p->n <= CHUNK;
	int rc = one ? 0
		     : rules_contribution_list(rules, p->rows, (int)p->n, &im->due, NULL, NULL, &re);
	for (size_t at = 0; rc == 0 && at < p->n; at += CHUNK) {
		int n = p->n - at < CHUNK ? (int)(p->n - at) : CHUNK;
		rc = rules_contribution_list(rules, p->rows + at, n, one ? &im->due : &part, each,
					     NULL, &re);
		for (int i = 0; rc == 0 && i < n; i++)
			expect(iss, LIST_FILE_WOR, p->declared[at + i].row, "DSW_BIME",
			       "share_mismatch", p->declared[at + i].share, each[i].worker,
			       "سهم بیمه‌شده", "the insured's share");
	}
	free(each);
	if (rc < 0) {
		if (re.status >= 500 && strcmp(re.code, "rule_missing"))
			return err_set(e, re.status, re.code, re.field, "%s", re.message);
		char fa[256], en[200];
		snprintf(fa, sizeof fa, "قواعد این ماه در دست نیست: %.150s", re.message);
		snprintf(en, sizeof en, "%.190s", re.message);
		list_issue_add(iss, LIST_FILE_KAR, 1, "DSK_MM", "rule_missing", fa, en);
		return 0;
	}
	expect(iss, LIST_FILE_KAR, 1, "DSK_NUM", "total_mismatch", h->workers, (int64_t)p->n,
	       "شمار بیمه‌شدگان", "the number of workers");
	expect(iss, LIST_FILE_KAR, 1, "DSK_TDD", "total_mismatch", h->days, p->days, "جمع روزها",
	       "total days");
	expect(iss, LIST_FILE_KAR, 1, "DSK_TROOZ", "total_mismatch", h->daily_wages, p->daily,
	       "جمع دستمزد روزانه", "total daily wages");
	expect(iss, LIST_FILE_KAR, 1, "DSK_TMAH", "total_mismatch", h->monthly_wages, p->monthly,
	       "جمع دستمزد ماهانه", "total monthly wages");
	expect(iss, LIST_FILE_KAR, 1, "DSK_TMAZ", "total_mismatch", h->benefits, p->benefits,
	       "جمع مزایا", "total benefits");
	expect(iss, LIST_FILE_KAR, 1, "DSK_TMASH", "total_mismatch", h->insurable, p->insurable,
	       "جمع دستمزد مشمول", "total insurable wages");
	expect(iss, LIST_FILE_KAR, 1, "DSK_TTOTL", "total_mismatch", h->total, p->total, "جمع کل",
	       "grand total");
	expect(iss, LIST_FILE_KAR, 1, "DSK_TBIME", "total_mismatch", h->worker_share, p->worker,
	       "جمع سهم بیمه‌شدگان", "total of the insured's shares");
	expect(iss, LIST_FILE_KAR, 1, "DSK_TKOSO", "share_mismatch", h->employer_share,
	       im->due.employer, "سهم کارفرما", "the employer's share");
	expect(iss, LIST_FILE_KAR, 1, "DSK_BIC", "share_mismatch", h->unemployment,
	       im->due.unemployment, "بیمه بیکاری", "unemployment insurance");
	expect(iss, LIST_FILE_KAR, 1, "DSK_BIMH", "share_mismatch", h->hard_job_share,
	       im->due.hard_job, "سهم مشاغل سخت و زیان‌آور",
	       "the hard-job share");
	expect(iss, LIST_FILE_KAR, 1, "DSK_RATE", "share_mismatch", h->rate, im->due.rate_percent,
	       "نرخ حق بیمه سهم کارفرما", "the employer's rate");
	return 0;
}

/* ---- store: the list (its entries and blocks follow) ---- */

/* The workshop's latest list of the month in force: its id, 0 if none, -1 on an error. */
static int64_t list_latest(struct db *db, int64_t workshop, int year, int month)
{
	struct db_stmt *s = db_prepare(
	    db, "SELECT l.id FROM lists l WHERE l.workshop_id = $1 AND l.year = $2 AND"
		" l.month = $3 AND " LIST_IN_FORCE " ORDER BY l.id DESC LIMIT 1");
	if (!s)
		return -1;
	db_bind_int(s, 1, workshop);
	db_bind_int(s, 2, year);
	db_bind_int(s, 3, month);
	int rc = db_step(s);
	int64_t id = rc == 1 ? db_col_int(s, 0) : rc;
	db_done(s);
	return id;
}

void list_stored_of(struct list_stored *l, const struct list_import *im, int64_t workshop,
		    const char *source, const struct principal *who, int64_t now)
{
	const struct list_header *h = &im->header;
	*l = (struct list_stored){
	    .id = im->list_id,
	    .workshop_id = workshop,
	    .supersedes = im->supersedes,
	    .submitted_by = who ? who->user_id : 0,
	    .submitted_at = now,
	    .source = source,
	    .encoding = im->encoding,
	    .year = h->year,
	    .month = h->month,
	    .rate = h->rate,
	    .workers = h->workers,
	    .days = h->days,
	    .daily_wages = h->daily_wages,
	    .monthly_wages = h->monthly_wages,
	    .benefits = h->benefits,
	    .insurable = h->insurable,
	    .total = h->total,
	    .worker_share = h->worker_share,
	    .employer_share = h->employer_share,
	    .unemployment = h->unemployment,
	    .hard_job_share = h->hard_job_share};
	snprintf(l->list_no, sizeof l->list_no, "%s", h->list_no);
}

int list_stored_put(struct db *db, const struct list_stored *v, size_t n)
{
	struct db_bulk *b = db_bulk_begin(
	    db, "lists",
	    "id, workshop_id, year, month, list_no, supersedes, source, encoding, workers, days,"
	    " daily_wages, monthly_wages, benefits, insurable, total, worker_share,"
	    " employer_share, unemployment, hard_job_share, rate, submitted_by, submitted_at",
	    22);
	for (size_t i = 0; b && i < n; i++) {
		const struct list_stored *l = &v[i];
		db_bulk_int(b, l->id);
		db_bulk_int(b, l->workshop_id);
		db_bulk_int(b, l->year);
		db_bulk_int(b, l->month);
		db_bulk_text(b, l->list_no);
		db_bulk_ref(b, l->supersedes);
		db_bulk_text(b, l->source);
		db_bulk_text(b, codec_name(l->encoding));
		db_bulk_int(b, l->workers);
		db_bulk_int(b, l->days);
		db_bulk_int(b, l->daily_wages);
		db_bulk_int(b, l->monthly_wages);
		db_bulk_int(b, l->benefits);
		db_bulk_int(b, l->insurable);
		db_bulk_int(b, l->total);
		db_bulk_int(b, l->worker_share);
		db_bulk_int(b, l->employer_share);
		db_bulk_int(b, l->unemployment);
		db_bulk_int(b, l->hard_job_share);
		db_bulk_int(b, l->rate);
		db_bulk_ref(b, l->submitted_by);
		db_bulk_int(b, l->submitted_at);
	}
	return b && db_bulk_end(b) == 0 ? 0 : -1;
}

int list_store_list(struct db *db, const struct principal *who, const char *source,
		    int64_t workshop, int64_t now, struct list_import *im, struct list_key *key,
		    struct err *e)
{
	const struct list_header *h = &im->header;
	struct list_stored l;
	im->supersedes = list_latest(db, workshop, h->year, h->month);
	if (im->supersedes < 0 || db_take_ids(db, "lists", 1, &im->list_id) < 0)
		return db_fail(db, e);
	list_stored_of(&l, im, workshop, source, who, now);
	if (list_stored_put(db, &l, 1) < 0)
		return db_fail(db, e);
	*key = (struct list_key){im->list_id, workshop, h->year, h->month};
	return 0;
}

/* ---- reading the rows, in parts ---- */

/* A run of the list's rows, read and checked by one thread. */
struct part {
	const struct list_import *im; /* header and hard-job flag, read only */
	struct list_source src;
	struct list_issues own, *issues; /* part 0 writes the import's issues */
	struct pass1 p;
	struct list_rows_out rows;
	uint32_t n;
	int oom;
};

static void *part_run(void *arg)
{
	struct part *t = arg;
	struct list_worker *w = malloc(sizeof *w);
	uint32_t rec = 0;
	t->oom = !w || !t->src.next;
	while (!t->oom && t->src.next(t->src.arg, w, &rec, t->issues) == 1) {
		check_row(t->im, t->issues, w, rec, &t->p);
		if (list_rows_add(&t->rows, w, rec, !list_issues_count(t->issues)) < 0)
			t->oom = 1;
		t->n++;
	}
	if (!t->oom && list_rows_finish(&t->rows) < 0)
		t->oom = 1;
	free(w);
	return NULL;
}

/* Appends part b (the rows after a's) to a. -1 out of memory. */
static int part_merge(struct part *a, struct part *b)
{
	struct pass1 *x = &a->p, *y = &b->p;
	if (x->cap < x->n + y->n) {
		struct rules_worker_row *r = realloc(x->rows, (x->n + y->n) * sizeof *r);
		if (r)
			x->rows = r;
		struct declared *d = realloc(x->declared, (x->n + y->n) * sizeof *d);
		if (d)
			x->declared = d;
		if (!r || !d)
			return -1;
		x->cap = x->n + y->n;
	}
	memcpy(x->rows + x->n, y->rows, y->n * sizeof *y->rows);
	memcpy(x->declared + x->n, y->declared, y->n * sizeof *y->declared);
	x->n += y->n;
	x->days += y->days;
	x->daily += y->daily;
	x->monthly += y->monthly;
	x->benefits += y->benefits;
	x->insurable += y->insurable;
	x->total += y->total;
	x->worker += y->worker;
	for (size_t i = 0; i < b->issues->n; i++) {
		const struct list_issue *from = &b->issues->items[i];
		struct list_issue *to =
		    list_issue_new(a->issues, from->file, from->row, from->field, from->code);
		if (to)
			*to = *from;
	}
	a->issues->dropped += b->issues->dropped;
	a->n += b->n;
	a->oom |= b->oom;
	return list_rows_append(&a->rows, &b->rows);
}

static void part_release(struct part *t)
{
	free(t->p.rows);
	free(t->p.declared);
	list_rows_release(&t->rows);
	if (t->issues == &t->own)
		list_issues_release(&t->own);
}

/* Threads for a big list read from files: one per core, at most 4. */
static int parts_wanted(const struct list_source *src, int split)
{
	if (!src->reader || !split)
		return 1;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 4 ? 4 : (int)n;
}

/* Reads and checks every row, in parallel parts when the list is big, into parts[0]. */
static int read_rows(struct list_import *im, struct list_source *src, int split,
		     struct part *all, struct err *e)
{
	struct list_reader readers[4];
	uint32_t first[4] = {0};
	memset(all, 0, 4 * sizeof *all);
	int n = parts_wanted(src, split);
	if (n > 1 && !(n = list_reader_split(src->reader, readers, first, n, LIST_BLOCK_ROWS)))
		return err_set(e, 500, "internal", "", "out of memory");
	for (int k = 0; k < n; k++) {
		struct part *t = &all[k];
		t->im = im;
		t->issues = k ? &t->own : &im->issues;
		list_issues_init(&t->own, 0);
		t->src = *src;
		if (n > 1)
			list_source_files(&t->src, &readers[k]);
		list_rows_init(&t->rows, first[k]);
	}
	pthread_t tid[4];
	int started[4] = {0};
	for (int k = 1; k < n; k++)
		started[k] = pthread_create(&tid[k], NULL, part_run, &all[k]) == 0;
	part_run(&all[0]);
	for (int k = 1; k < n; k++) {
		if (started[k])
			pthread_join(tid[k], NULL);
		else
			part_run(&all[k]);
	}
	int rc = 0;
	for (int k = 1; k < n; k++) {
		if (rc == 0 && part_merge(&all[0], &all[k]) < 0)
			rc = err_set(e, 500, "internal", "", "out of memory");
		part_release(&all[k]);
	}
	if (n > 1)
		for (int k = 0; k < n; k++)
			list_reader_close(&readers[k]);
	return rc;
}

/* A worker listed twice: on the rows sorted by national id, each repeat. */
static void find_repeats(struct list_import *im, const struct list_rows_out *rows)
{
	for (uint32_t i = 1; i < rows->rows; i++) {
		const struct list_entry *a = &rows->entries[i - 1], *b = &rows->entries[i];
		if (b->national_id && b->national_id == a->national_id)
			list_issue_add(&im->issues, LIST_FILE_WOR, b->rec, "PER_NATCOD",
				"duplicate_worker", "این بیمه‌شده در فهرست تکرار شده است",
				"this worker is listed twice");
	}
}

/* Compressing a list's blocks on the other cores: up to 3 threads over disjoint runs. */
struct squeeze {
	struct squeezer {
		struct list_rows_out *rows;
		size_t from, to;
		int rc;
		pthread_t tid;
		int started;
	} t[3];
	int n;
};

static void *squeezer_run(void *arg)
{
	struct squeezer *q = arg;
	q->rc = list_rows_compress(q->rows, q->from, q->to);
	return NULL;
}

static void squeeze_start(struct squeeze *z, struct list_rows_out *rows, int refused)
{
	memset(z, 0, sizeof *z);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	if (refused || cores < 2 || rows->nblocks < 8)
		return; /* list_rows_store_blocks compresses a small list itself */
	z->n = cores - 1 > 3 ? 3 : (int)cores - 1;
	for (int k = 0; k < z->n; k++) {
		struct squeezer *q = &z->t[k];
		q->rows = rows;
		q->from = rows->nblocks * (size_t)k / (size_t)z->n;
		q->to = rows->nblocks * (size_t)(k + 1) / (size_t)z->n;
		q->started = pthread_create(&q->tid, NULL, squeezer_run, q) == 0;
	}
}

/* Waits for the threads; -1 if one ran out of memory. */
static int squeeze_end(struct squeeze *z)
{
	int rc = 0;
	for (int k = 0; k < z->n; k++) {
		if (z->t[k].started)
			pthread_join(z->t[k].tid, NULL);
		rc |= z->t[k].rc;
	}
	return rc < 0 ? -1 : 0;
}

int list_check(struct db *db, const struct rules *rules, const struct principal *who,
	       struct list_source *src, int split, struct list_import *im,
	       struct list_rows_out *rows, int64_t *workshop, struct err *e)
{
	memset(rows, 0, sizeof *rows);
	im->encoding = src->encoding;
	if (src->header(src->arg, &im->header, &im->issues) < 0 && !list_issues_count(&im->issues))
		list_issue_add(&im->issues, LIST_FILE_KAR, 0, "", "header_rows", "فایل کارگاه ردیفی ندارد",
			"DSKKAR00 holds no row");
	*workshop = 0;
	if (check_header(db, who, im, workshop) < 0)
		return db_fail(db, e);
	/* one pass: each row is checked and kept as it will be stored (rows.h); nothing is
	 * written until the whole list has passed */
	struct part all[4];
	if (read_rows(im, src, split, all, e) < 0)
		return -1;
	struct part *t = &all[0];
	im->rows = t->n;
	int rc = 0;
	if (t->oom || t->p.n != t->n || list_rows_sort(&t->rows) < 0)
		rc = err_set(e, 500, "internal", "", "out of memory");
	if (rc == 0) {
		find_repeats(im, &t->rows);
		if (im->rows == 0)
			list_issue_add(&im->issues, LIST_FILE_WOR, 0, "", "no_rows",
				"فهرست هیچ ردیفی ندارد", "the list has no worker");
		rc = check_shares(rules, im, &t->p, e);
	}
	*rows = t->rows; /* the caller's now */
	memset(&t->rows, 0, sizeof t->rows);
	part_release(t);
	return rc < 0 ? -1 : !list_issues_count(&im->issues);
}

int list_import(struct db *db, const struct rules *rules, const struct principal *who,
		const char *source, struct list_source *src, int64_t now, struct list_import *im,
		struct err *e)
{
	struct list_rows_out rows;
	int64_t workshop;
	int rc = list_check(db, rules, who, src, 1, im, &rows, &workshop, e);
	/* the blocks are compressed by other threads meanwhile, while the list and its record
	 * entries are stored */
	struct squeeze z;
	squeeze_start(&z, &rows, rc != 1);
	struct list_key key;
	if (rc == 1 && (list_store_list(db, who, source, workshop, now, im, &key, e) < 0 ||
			list_rows_store_entries(db, &key, &rows, e) < 0))
		rc = -1;
	if (squeeze_end(&z) < 0 && rc == 1)
		rc = err_set(e, 500, "internal", "", "out of memory");
	if (rc == 1 && list_rows_store_blocks(db, &key, &rows, e) < 0)
		rc = -1;
	list_rows_release(&rows);
	return rc;
}

/* ---- JSON ---- */

static const char *const file_names[] = {"", "DSKKAR00", "DSKWOR00"};

void list_issues_json(struct jw *w, const char *key, const struct list_issues *iss)
{
	jw_array(w, key);
	for (size_t i = 0; i < iss->n; i++) {
		const struct list_issue *it = &iss->items[i];
		jw_object(w, NULL);
		jw_str(w, "file", file_names[it->file]);
		jw_int(w, "row", it->row);
		jw_str(w, "field", it->field);
		jw_str(w, "code", it->code);
		jw_str(w, "message", it->message_fa);
		jw_str(w, "message_en", it->message_en);
		jw_end(w);
	}
	jw_end(w);
}

void list_import_json(struct jw *w, const struct list_import *im)
{
	const struct list_header *h = &im->header;
	jw_int(w, "id", im->list_id);
	if (im->supersedes)
		jw_int(w, "supersedes", im->supersedes);
	else
		jw_null(w, "supersedes");
	jw_str(w, "workshop", h->workshop);
	jw_int(w, "year", h->year);
	jw_int(w, "month", h->month);
	jw_str(w, "list_no", h->list_no);
	jw_int(w, "rows", im->rows);
	jw_str(w, "encoding", codec_name(im->encoding));
	jw_object(w, "totals");
	jw_int(w, "workers", h->workers);
	jw_int(w, "days", h->days);
	jw_int(w, "daily_wages", h->daily_wages);
	jw_int(w, "monthly_wages", h->monthly_wages);
	jw_int(w, "benefits", h->benefits);
	jw_int(w, "insurable", h->insurable);
	jw_int(w, "total", h->total);
	jw_int(w, "worker_share", h->worker_share);
	jw_int(w, "employer_share", h->employer_share);
	jw_int(w, "unemployment", h->unemployment);
	jw_int(w, "hard_job_share", h->hard_job_share);
	jw_int(w, "rate", h->rate);
	jw_end(w);
	jw_object(w, "due");
	jw_int(w, "worker", im->due.worker);
	jw_int(w, "employer", im->due.employer);
	jw_int(w, "unemployment", im->due.unemployment);
	jw_int(w, "hard_job", im->due.hard_job);
	jw_int(w, "remit", im->due.remit);
	jw_end(w);
}
