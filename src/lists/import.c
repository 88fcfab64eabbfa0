/* Importing a monthly list: check it whole, then store it whole, or refuse it with every
 * problem found. Two passes over the rows: the check keeps one compact line per worker (for
 * the rules' shares and the declared share), the store reads the rows again (the files are
 * memory-mapped, so that costs little). */
#include "lists/lists.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
static void files_rewind(void *arg)
{
	list_reader_rewind(arg);
}

void list_source_files(struct list_source *s, struct list_reader *r)
{
	*s = (struct list_source){files_header, files_next, files_rewind, r, r->enc};
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
static void array_rewind(void *arg)
{
	((struct list_array *)arg)->at = 0;
}

void list_source_array(struct list_source *s, struct list_array *a)
{
	*s = (struct list_source){array_header, array_next, array_rewind, a, CODEC_UTF8};
}

/* ---- problems ---- */

static void problem(struct list_issues *iss, enum list_file_id f, uint32_t row, const char *field,
		    const char *code, const char *fa, const char *en)
{
	struct list_issue *it = list_issue_new(iss, f, row, field, code);
	if (!it)
		return;
	snprintf(it->message_fa, sizeof it->message_fa, "%.250s", fa);
	snprintf(it->message_en, sizeof it->message_en, "%.190s", en);
}

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
	problem(iss, f, row, field, code, fa, en);
}

/* ---- a set of national ids, for "no worker twice" ---- */

struct idset {
	uint64_t *slot;
	size_t mask;
};
static int idset_init(struct idset *s, size_t n)
{
	size_t cap = 64;
	while (cap < n * 2)
		cap <<= 1;
	s->slot = calloc(cap, sizeof *s->slot);
	s->mask = cap - 1;
	return s->slot ? 0 : -1;
}
/* 1 if the id was there already; ids are 10 digits, stored +1 so that 0 marks empty */
static int idset_add(struct idset *s, uint64_t id)
{
	uint64_t key = id + 1;
	size_t i = (size_t)(key * 0x9E3779B97F4A7C15ull) & s->mask;
	while (s->slot[i]) {
		if (s->slot[i] == key)
			return 1;
		i = (i + 1) & s->mask;
	}
	s->slot[i] = key;
	return 0;
}

/* ---- pass 1: check ---- */

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
	*workshop = ok_code ? workshop_id(db, h->workshop) : 0;
	if (*workshop < 0)
		return -1;
	if (!ok_code)
		problem(iss, LIST_FILE_KAR, 1, "DSK_ID", "bad_workshop",
			"کد کارگاه باید ۱۰ رقم باشد", "a workshop code is 10 digits");
	else if (!*workshop)
		problem(iss, LIST_FILE_KAR, 1, "DSK_ID", "unknown_workshop",
			"کارگاهی با این کد ثبت نشده است",
			"no workshop with this code is registered");
	else if (who && !workshop_may_act(db, who, *workshop))
		problem(iss, LIST_FILE_KAR, 1, "DSK_ID", "not_your_workshop",
			"شما از طرف این کارگاه اختیار ندارید", "you do not act for this workshop");
	if (h->month < 1 || h->month > 12)
		problem(iss, LIST_FILE_KAR, 1, "DSK_MM", "bad_month", "ماه باید بین ۱ و ۱۲ باشد",
			"the month is 1 to 12");
	if (h->year < 1354 || h->year > 1500)
		problem(iss, LIST_FILE_KAR, 1, "DSK_YY", "bad_year", "سال فهرست درست نیست",
			"the list's year is not plausible");
	if (h->kind != 0)
		problem(iss, LIST_FILE_KAR, 1, "DSK_KIND", "bad_kind", "نوع فهرست باید ۰ باشد",
			"DSK_KIND is 0");
	if (*workshop > 0) {
		struct db_stmt *s = db_prepare(db, "SELECT hard_job FROM workshops WHERE id = $1");
		db_bind_int(s, 1, *workshop);
		im->hard_job = db_step(s) == 1 && db_col_int(s, 0);
		db_done(s);
	}
	return 0;
}

static void check_row(struct list_import *im, const struct list_worker *w, uint32_t row,
		      struct idset *ids, struct pass1 *p)
{
	const struct list_header *h = &im->header;
	struct list_issues *iss = &im->issues;
	if (strcmp(w->workshop, h->workshop))
		problem(iss, LIST_FILE_WOR, row, "DSW_ID", "other_workshop",
			"کد کارگاه این ردیف با فهرست یکی نیست",
			"the row's workshop is not the list's");
	if (w->year != h->year || w->month != h->month)
		problem(iss, LIST_FILE_WOR, row, "DSW_MM", "other_month",
			"ماه این ردیف با ماه فهرست یکی نیست", "the row's month is not the list's");
	if (!natid_valid(w->national_id))
		problem(iss, LIST_FILE_WOR, row, "PER_NATCOD", "bad_national_id",
			"کد ملی معتبر نیست", "not a valid national id");
	else if (idset_add(ids, strtoull(w->national_id, NULL, 10)))
		problem(iss, LIST_FILE_WOR, row, "PER_NATCOD", "duplicate_worker",
			"این بیمه‌شده در فهرست تکرار شده است",
			"this worker is listed twice");
	int len = h->month >= 1 && h->month <= 12 ? jalali_month_days(h->year, h->month) : 31;
	if (w->days < 0 || w->days > len) {
		char fa[128], en[96];
		snprintf(fa, sizeof fa, "روزهای کار باید بین ۰ و %d باشد", len);
		snprintf(en, sizeof en, "days worked are 0 to %d", len);
		problem(iss, LIST_FILE_WOR, row, "DSW_DD", "bad_days", fa, en);
	}
	if (!w->birth_date.y)
		problem(iss, LIST_FILE_WOR, row, "DSW_BDATE", "missing_field",
			"تاریخ تولد خالی است", "the birth date is blank");
	expect(iss, LIST_FILE_WOR, row, "DSW_TOTL", "total_mismatch", w->total,
	       w->monthly_wage + w->benefits, "جمع دستمزد و مزایا", "wage plus benefits");
	if (w->insurable > w->total)
		problem(iss, LIST_FILE_WOR, row, "DSW_MASH", "insurable_over_total",
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
	struct rules_contribution *each = calloc(p->n ? p->n : 1, sizeof *each);
	if (!each)
		return err_set(e, 500, "internal", "", "out of memory checking the shares");
	struct err re = {0};
	if (rules_contribution_list(rules, p->rows, (int)p->n, &im->due, each, NULL, &re) < 0) {
		free(each);
		if (re.status >= 500 && strcmp(re.code, "rule_missing"))
			return err_set(e, re.status, re.code, re.field, "%s", re.message);
		char fa[256], en[200];
		snprintf(fa, sizeof fa, "قواعد این ماه در دست نیست: %.150s", re.message);
		snprintf(en, sizeof en, "%.190s", re.message);
		problem(iss, LIST_FILE_KAR, 1, "DSK_MM", "rule_missing", fa, en);
		return 0;
	}
	for (size_t i = 0; i < p->n; i++)
		expect(iss, LIST_FILE_WOR, p->declared[i].row, "DSW_BIME", "share_mismatch",
		       p->declared[i].share, each[i].worker, "سهم بیمه‌شده",
		       "the insured's share");
	free(each);
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

/* ---- pass 2: store ---- */

static int store(struct db *db, const struct principal *who, const char *source,
		 struct list_source *src, int64_t workshop, int64_t now, struct list_import *im,
		 struct err *e)
{
	const struct list_header *h = &im->header;
	struct db_stmt *s = db_prepare(
	    db, "SELECT l.id FROM lists l WHERE l.workshop_id = $1 AND l.year = $2 AND"
		" l.month = $3 AND NOT EXISTS (SELECT 1 FROM lists c WHERE c.supersedes = l.id)"
		" ORDER BY l.id DESC LIMIT 1");
	db_bind_int(s, 1, workshop);
	db_bind_int(s, 2, h->year);
	db_bind_int(s, 3, h->month);
	im->supersedes = db_step(s) == 1 ? db_col_int(s, 0) : 0;
	db_done(s);
	s = db_prepare(db,
		       "INSERT INTO lists(workshop_id, year, month, list_no, supersedes, source,"
		       " encoding, workers, days, daily_wages, monthly_wages, benefits, insurable,"
		       " total, worker_share, employer_share, unemployment, hard_job_share, rate,"
		       " submitted_by, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
		       " $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)");
	if (!s)
		goto sql;
	db_bind_int(s, 1, workshop);
	db_bind_int(s, 2, h->year);
	db_bind_int(s, 3, h->month);
	db_bind_text(s, 4, h->list_no);
	if (im->supersedes)
		db_bind_int(s, 5, im->supersedes);
	else
		db_bind_null(s, 5);
	db_bind_text(s, 6, source);
	db_bind_text(s, 7, codec_name(im->encoding));
	db_bind_int(s, 8, h->workers);
	db_bind_int(s, 9, h->days);
	db_bind_int(s, 10, h->daily_wages);
	db_bind_int(s, 11, h->monthly_wages);
	db_bind_int(s, 12, h->benefits);
	db_bind_int(s, 13, h->insurable);
	db_bind_int(s, 14, h->total);
	db_bind_int(s, 15, h->worker_share);
	db_bind_int(s, 16, h->employer_share);
	db_bind_int(s, 17, h->unemployment);
	db_bind_int(s, 18, h->hard_job_share);
	db_bind_int(s, 19, h->rate);
	if (who)
		db_bind_int(s, 20, who->user_id);
	else
		db_bind_null(s, 20);
	db_bind_int(s, 21, now);
	if (db_step(s) < 0)
		goto sql;
	db_done(s);
	im->list_id = db_last_id(db);
	/* the person: looked up first (most workers are known from earlier months), created
	 * from the list when new. An upsert with RETURNING cost SQLite a temporary table per
	 * row: 46% of the import (bench/README.md). */
	struct db_stmt *find =
	    db_prepare(db, "SELECT id, first_name = '' FROM people WHERE national_id = $1");
	/* a person known only by national id (a caller, say) gets the list's names */
	struct db_stmt *fill =
	    db_prepare(db, "UPDATE people SET first_name = $2, last_name = $3, father_name = $4,"
			   " gender = coalesce(gender, $5), birth_date = coalesce(birth_date, $6)"
			   " WHERE id = $1");
	struct db_stmt *ps = db_prepare(
	    db, "INSERT INTO people(national_id, first_name, last_name, father_name, gender,"
		" birth_date, created) VALUES ($1, $2, $3, $4, $5, $6, $7)");
	struct db_stmt *is = db_prepare(db, "INSERT OR IGNORE INTO insured(person_id, insurance_no,"
					    " created) VALUES ($1, $2, $3)");
	struct db_stmt *rs = db_prepare(
	    db, "INSERT INTO list_rows(list_id, row_no, person_id, insurance_no, days, daily_wage,"
		" monthly_wage, benefits, insurable, total, worker_share, job_code, job_title,"
		" start_date, end_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
		" $13, $14, $15)");
	if (!find || !fill || !ps || !is || !rs)
		goto sql;
	src->rewind(src->arg);
	struct list_worker w;
	uint32_t row = 0, k = 0;
	while (src->next(src->arg, &w, &row, NULL) == 1) {
		char birth[11] = "", start[11] = "", end[11] = "";
		if (w.birth_date.y) {
			int gy, gm, gd;
			jalali_to_gregorian(w.birth_date, &gy, &gm, &gd);
			snprintf(birth, sizeof birth, "%04d-%02d-%02d", gy, gm, gd);
		}
		if (w.start_date.y)
			jalali_format(w.start_date, start);
		if (w.end_date.y)
			jalali_format(w.end_date, end);
		db_bind_text(find, 1, w.national_id);
		int known = db_step(find);
		int64_t person = known == 1 ? db_col_int(find, 0) : 0;
		int blank = known == 1 && db_col_int(find, 1);
		db_done(find);
		if (known < 0)
			goto sql;
		if (!person) {
			db_bind_text(ps, 1, w.national_id);
			db_bind_text(ps, 2, w.first_name);
			db_bind_text(ps, 3, w.last_name);
			db_bind_text(ps, 4, w.father_name);
			db_bind_text(ps, 5,
				     w.sex == LIST_SEX_MALE	? "m"
				     : w.sex == LIST_SEX_FEMALE ? "f"
								: NULL);
			db_bind_text(ps, 6, birth[0] ? birth : NULL);
			db_bind_int(ps, 7, now);
			if (db_step(ps) < 0)
				goto sql;
			db_done(ps);
			person = db_last_id(db);
		} else if (blank) {
			db_bind_int(fill, 1, person);
			db_bind_text(fill, 2, w.first_name);
			db_bind_text(fill, 3, w.last_name);
			db_bind_text(fill, 4, w.father_name);
			db_bind_text(fill, 5,
				     w.sex == LIST_SEX_MALE	? "m"
				     : w.sex == LIST_SEX_FEMALE ? "f"
								: NULL);
			db_bind_text(fill, 6, birth[0] ? birth : NULL);
			if (db_step(fill) < 0)
				goto sql;
			db_done(fill);
		}
		db_bind_int(is, 1, person);
		db_bind_text(is, 2, w.insurance_no);
		db_bind_int(is, 3, now);
		if (db_step(is) < 0)
			goto sql;
		db_done(is);
		db_bind_int(rs, 1, im->list_id);
		db_bind_int(rs, 2, ++k);
		db_bind_int(rs, 3, person);
		db_bind_text(rs, 4, w.insurance_no);
		db_bind_int(rs, 5, w.days);
		db_bind_int(rs, 6, w.daily_wage);
		db_bind_int(rs, 7, w.monthly_wage);
		db_bind_int(rs, 8, w.benefits);
		db_bind_int(rs, 9, w.insurable);
		db_bind_int(rs, 10, w.total);
		db_bind_int(rs, 11, w.worker_share);
		db_bind_text(rs, 12, w.job_code);
		db_bind_text(rs, 13, w.job_title);
		db_bind_text(rs, 14, start[0] ? start : NULL);
		db_bind_text(rs, 15, end[0] ? end : NULL);
		if (db_step(rs) < 0)
			goto sql;
		db_done(rs);
	}
	return 0;
sql:
	return err_set(e, 500, "internal", "", "storing the list: %s", db_errmsg(db));
}

int list_import(struct db *db, const struct rules *rules, const struct principal *who,
		const char *source, struct list_source *src, int64_t now, struct list_import *im,
		struct err *e)
{
	im->encoding = src->encoding;
	if (src->header(src->arg, &im->header, &im->issues) < 0 && !list_issues_count(&im->issues))
		problem(&im->issues, LIST_FILE_KAR, 0, "", "header_rows", "فایل کارگاه ردیفی ندارد",
			"DSKKAR00 holds no row");
	int64_t workshop = 0;
	if (check_header(db, who, im, &workshop) < 0)
		return err_set(e, 500, "internal", "", "%s", db_errmsg(db));
	struct pass1 p = {0};
	struct idset ids;
	if (idset_init(&ids, im->header.workers > 0 ? (size_t)im->header.workers : 64) < 0)
		return err_set(e, 500, "internal", "", "out of memory");
	struct list_worker w;
	uint32_t row = 0;
	src->rewind(src->arg);
	while (src->next(src->arg, &w, &row, &im->issues) == 1) {
		check_row(im, &w, row, &ids, &p);
		im->rows++;
	}
	free(ids.slot);
	if (im->rows == 0)
		problem(&im->issues, LIST_FILE_WOR, 0, "", "no_rows", "فهرست هیچ ردیفی ندارد",
			"the list has no worker");
	int rc = p.n == im->rows ? check_shares(rules, im, &p, e)
				 : err_set(e, 500, "internal", "", "out of memory");
	free(p.rows);
	free(p.declared);
	if (rc < 0)
		return -1;
	if (list_issues_count(&im->issues))
		return 0;
	return store(db, who, source, src, workshop, now, im, e) < 0 ? -1 : 1;
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
