/* Many lists in one pair of files: matched as read, checked on every core, stored in order. */
#include "lists/batch.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lists/dict.h"
#include "lists/entries.h"

#define KEY_MAX 96

static double seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- matching headers and rows ---- */

/* What is to be done about a group of rows (with its header, or none), or a header. */
struct job {
	enum { JOB_CHECK, JOB_NO_HEADER, JOB_HEADER_TWICE, JOB_ROWS_APART } kind;
	uint32_t kar;	   /* the header's DSKKAR00 record (JOB_NO_HEADER: none) */
	uint32_t from, to; /* its rows: DSKWOR00 records [from, to), or none */
};

#define JOB_BLOCK 65536

struct plan {
	/* the headers by key: open addressing, slot = header number + 1 */
	uint32_t *slots;
	size_t mask;
	char (*keys)[KEY_MAX];
	struct header {
		uint32_t kar;
		uint8_t twice, claimed; /* a later header had its key; rows were found */
	} * headers;
	uint32_t nheaders;
	/* the jobs as the matcher makes them, in blocks that never move */
	struct job **blocks;
	size_t nblocks;
	size_t n; /* made so far; the matcher's alone (others read `published`) */
};

static struct job *job_at(const struct plan *p, size_t i)
{
	return &p->blocks[i / JOB_BLOCK][i % JOB_BLOCK];
}

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* The header with this key: its number + 1, or 0 (*slot: where it would go). */
static uint32_t header_find(const struct plan *p, const char *key, size_t *slot)
{
	size_t i = hash(key) & p->mask;
	while (p->slots[i] && strcmp(p->keys[p->slots[i] - 1], key))
		i = (i + 1) & p->mask;
	*slot = i;
	return p->slots[i];
}

static void plan_release(struct plan *p)
{
	for (size_t i = 0; p->blocks && i < p->nblocks; i++)
		free(p->blocks[i]);
	free(p->blocks);
	free(p->slots);
	free(p->keys);
	free(p->headers);
	memset(p, 0, sizeof *p);
}

/* The headers, by key; room for every job the rows can make. -1 out of memory. */
static int plan_headers(const struct list_reader *r, struct plan *p)
{
	memset(p, 0, sizeof *p);
	uint32_t live = 0;
	for (uint32_t i = 0; i < r->kar.nrecords; i++)
		live += !dbf_deleted(dbf_record(&r->kar, i));
	size_t size = 16;
	while (size < 2 * (size_t)live + 2)
		size *= 2;
	p->mask = size - 1;
	p->slots = calloc(size, sizeof *p->slots);
	p->keys = malloc((live ? live : 1) * sizeof *p->keys);
	p->headers = calloc(live ? live : 1, sizeof *p->headers);
	/* at most a job per header and per live row */
	p->blocks = calloc(((size_t)live + r->wor.nrecords) / JOB_BLOCK + 2, sizeof(void *));
	if (!p->slots || !p->keys || !p->headers || !p->blocks)
		return -1;
	for (uint32_t i = 0; i < r->kar.nrecords; i++) {
		if (dbf_deleted(dbf_record(&r->kar, i)))
			continue;
		struct header *h = &p->headers[p->nheaders];
		h->kar = i;
		list_reader_list_key(r, 1, i, p->keys[p->nheaders], KEY_MAX);
		size_t slot;
		if (header_find(p, p->keys[p->nheaders], &slot))
			h->twice = 1;
		else
			p->slots[slot] = p->nheaders + 1;
		p->nheaders++;
	}
	return 0;
}

/* The next job (the matcher's), or NULL out of memory. */
static struct job *job_add(struct plan *p)
{
	size_t b = p->n / JOB_BLOCK;
	if (b == p->nblocks) {
		if (!(p->blocks[b] = malloc(JOB_BLOCK * sizeof(struct job))))
			return NULL;
		p->nblocks++;
	}
	struct job *j = job_at(p, p->n++);
	memset(j, 0, sizeof *j);
	return j;
}

/* A group is a run of live DSKWOR00 records with one key; a record whose four key fields
 * have the bytes of the one before is in its group, without a key made. */
static int same_list(const struct list_reader *r, const unsigned char *a, const unsigned char *b)
{
	for (int c = 0; c < 4; c++) {
		int f = r->wor_col[c];
		if (f < 0)
			continue;
		const struct dbf_field *x = &r->wor.fields[f];
		if (memcmp(a + x->offset, b + x->offset, x->width))
			return 0;
	}
	return 1;
}

/* ---- checking, on every core; storing, in the order of the jobs ---- */

struct done {
	struct list_import im;
	struct list_rows_out rows;
	int64_t workshop;
	int rc; /* list_check's: 1 may be stored, 0 refused, -1 error (e) */
	struct err e;
};

/* What a thread that ran out of memory hands over. */
static struct done out_of_memory = {.rc = -1, .e = {500, "internal", "", "out of memory"}};

struct batch {
	const void *dict; /* the blocks' zstd dictionary, or NULL */
	const struct rules *rules;
	const struct list_reader *r;
	struct plan *plan;
	const char *db_path;
	pthread_mutex_t mu;
	pthread_cond_t taken, put;
	/* the matcher's jobs [0, published) may be taken; matched: it made its last one
	 * (failed: it ran out of memory); rows: live rows it saw */
	size_t published;
	int matched, failed;
	uint64_t rows;
	/* job i's result waits in ring[i % RING] until it is stored; a thread takes a job
	 * only within RING of the next one to store */
	struct done *ring[512];
	size_t next_job, next_store;
	int stop;
};
#define RING (sizeof((struct batch *)0)->ring / sizeof(struct done *))

struct one_list {
	struct list_reader *r;
	uint32_t kar;
};
static int one_header(void *arg, struct list_header *h, struct list_issues *iss)
{
	struct one_list *x = arg;
	list_reader_header_at(x->r, x->kar, h, iss);
	return 0;
}
static int one_next(void *arg, struct list_worker *w, uint32_t *row, struct list_issues *iss)
{
	return list_reader_next(((struct one_list *)arg)->r, w, row, iss);
}

static struct done *check_job(const struct batch *b, struct db *db, struct list_reader *part,
			      struct list_compressor *z, const struct job *j)
{
	struct done *d = calloc(1, sizeof *d);
	if (!d)
		return &out_of_memory;
	list_import_init(&d->im);
	if (j->kind != JOB_CHECK)
		return d; /* the storing thread writes its problem */
	list_reader_range(part, j->from, j->to);
	struct one_list one = {part, j->kar};
	struct list_source src = {one_header, one_next, &one, part->enc, part};
	d->rc = list_check(db, b->rules, NULL, &src, 0, &d->im, &d->rows, &d->workshop, &d->e);
	if (d->rc == 1 && list_rows_compress_using(&d->rows, 0, d->rows.nblocks, z) < 0)
		d->rc = err_set(&d->e, 500, "internal", "", "out of memory");
	return d;
}

static void done_free(struct done *d)
{
	if (d == &out_of_memory)
		return;
	list_import_release(&d->im);
	list_rows_release(&d->rows);
	free(d);
}

/* Makes the jobs made so far takeable; 1 when the batch is stopping. */
static int publish(struct batch *b, int last)
{
	pthread_mutex_lock(&b->mu);
	b->published = b->plan->n;
	b->matched = last;
	int stop = b->stop;
	pthread_cond_broadcast(&b->taken);
	pthread_cond_signal(&b->put);
	pthread_mutex_unlock(&b->mu);
	return stop;
}

/* The matcher: one pass over DSKWOR00, a job per group of rows as it ends, then one per
 * header that found no rows or came twice. It runs ahead of the checking threads, which
 * then find the file's pages in memory. A group whose header already had its rows is
 * refused (rows_apart); that earlier list is judged on its own rows. */
static void *matcher_run(void *arg)
{
	struct batch *b = arg;
	const struct list_reader *r = b->r;
	struct plan *p = b->plan;
	const unsigned char *prev = NULL;
	struct job *cur = NULL;
	char key[KEY_MAX];
	int ok = 1;
	for (uint32_t i = 0; ok && i < r->wor.nrecords; i++) {
		const unsigned char *rec = dbf_record(&r->wor, i);
		if (dbf_deleted(rec))
			continue;
		b->rows++;
		if (prev && same_list(r, prev, rec)) {
			prev = rec;
			cur->to = i + 1;
			continue;
		}
		prev = rec;
		if (cur && p->n % 64 == 0 && publish(b, 0)) /* every job made is whole */
			break;
		list_reader_list_key(r, 0, i, key, sizeof key);
		size_t slot;
		uint32_t h = header_find(p, key, &slot);
		if (!(cur = job_add(p))) {
			ok = 0;
			break;
		}
		cur->kind = !h				? JOB_NO_HEADER
			    : p->headers[h - 1].claimed ? JOB_ROWS_APART
							: JOB_CHECK;
		cur->kar = h ? p->headers[h - 1].kar : UINT32_MAX;
		cur->from = i;
		cur->to = i + 1;
		if (h)
			p->headers[h - 1].claimed = 1;
	}
	for (uint32_t k = 0; ok && k < p->nheaders; k++) {
		const struct header *h = &p->headers[k];
		if (!h->twice && h->claimed)
			continue;
		struct job *j = job_add(p);
		if (!j) {
			ok = 0;
			break;
		}
		/* a header with no rows is checked as a list of none: no_rows, and the rest */
		*j = (struct job){h->twice ? JOB_HEADER_TWICE : JOB_CHECK, h->kar, r->wor.nrecords,
				  r->wor.nrecords};
	}
	if (!ok) {
		pthread_mutex_lock(&b->mu);
		b->failed = 1;
		pthread_mutex_unlock(&b->mu);
	}
	publish(b, 1);
	return NULL;
}

struct checker {
	struct batch *b;
	pthread_t tid;
	int started;
};

static void *checker_run(void *arg)
{
	struct batch *b = ((struct checker *)arg)->b;
	struct db *db = NULL;
	struct list_reader part = {0};
	struct list_compressor z = {.dict = b->dict};
	struct err e = {0};
	/* one read transaction for the whole batch: a statement of its own each took two
	 * stat() calls and the WAL's locks, for every list */
	int ready = db_open(&db, b->db_path, DB_READONLY, &e) == 0 && db_exec(db, "BEGIN") == 0;
	if (ready && list_reader_part(b->r, &part) < 0)
		ready = 0, err_set(&e, 500, "internal", "", "out of memory");
	for (;;) {
		pthread_mutex_lock(&b->mu);
		while (!b->stop &&
		       (b->next_job >= b->published ? !b->matched
						    : b->next_job >= b->next_store + RING))
			pthread_cond_wait(&b->taken, &b->mu);
		if (b->stop || b->next_job >= b->published) {
			pthread_mutex_unlock(&b->mu);
			break;
		}
		size_t i = b->next_job++;
		pthread_mutex_unlock(&b->mu);
		struct done *d = ready ? check_job(b, db, &part, &z, job_at(b->plan, i)) : NULL;
		if (!ready && (d = calloc(1, sizeof *d)))
			d->rc = -1, d->e = e; /* the batch stops at the first job */
		if (!d)
			d = &out_of_memory;
		pthread_mutex_lock(&b->mu);
		b->ring[i % RING] = d;
		pthread_cond_signal(&b->put);
		pthread_mutex_unlock(&b->mu);
	}
	if (part.scratch)
		list_reader_close(&part);
	list_compressor_release(&z);
	if (ready)
		db_exec(db, "COMMIT");
	db_close(db);
	return NULL;
}

/* The stored lists and their entries, for record_entries_store at the end. */
struct record {
	struct record_list *lists;
	size_t nlists, lists_cap;
	struct record_entry *v;
	size_t n, cap;
};

static int record_add(struct record *rec, const struct list_key *k, const struct list_rows_out *o)
{
	if (rec->nlists == rec->lists_cap) {
		size_t cap = rec->lists_cap ? rec->lists_cap * 2 : 1024;
		struct record_list *l = realloc(rec->lists, cap * sizeof *l);
		if (!l)
			return -1;
		rec->lists = l;
		rec->lists_cap = cap;
	}
	if (rec->n + o->rows > rec->cap) {
		size_t cap = rec->cap ? rec->cap : 4096;
		while (cap < rec->n + o->rows)
			cap *= 2;
		struct record_entry *v = realloc(rec->v, cap * sizeof *v);
		if (!v)
			return -1;
		rec->v = v;
		rec->cap = cap;
	}
	uint32_t at = (uint32_t)rec->nlists;
	rec->lists[rec->nlists++] =
	    (struct record_list){k->list_id, k->workshop_id, k->year, k->month};
	for (uint32_t i = 0; i < o->rows; i++) {
		const struct list_entry *x = &o->entries[i];
		rec->v[rec->n++] =
		    (struct record_entry){record_entry_key(k->year, k->month, x->national_id),
					  x->insurable, at, x->row_no, x->days};
	}
	return 0;
}

/* A list the batch itself refuses: one problem. */
static void refuse(struct list_reader *r, const struct job *j, struct list_import *im)
{
	if (j->kar != UINT32_MAX) {
		struct list_issues ignored;
		list_issues_init(&ignored, 1);
		list_reader_header_at(r, j->kar, &im->header, &ignored);
		list_issues_release(&ignored);
	}
	if (j->kind == JOB_NO_HEADER)
		list_issue_add(
		    &im->issues, LIST_FILE_WOR, j->from + 1, "DSW_ID", "no_header",
		    "این ردیف‌ها در فایل کارگاه سرفصلی ندارند",
		    "these rows have no header in DSKKAR00");
	else if (j->kind == JOB_HEADER_TWICE)
		list_issue_add(
		    &im->issues, LIST_FILE_KAR, j->kar + 1, "DSK_LISTNO", "header_twice",
		    "این فهرست پیش‌تر در همین فایل آمده است",
		    "this list's header came earlier in the file");
	else if (j->kind == JOB_ROWS_APART)
		list_issue_add(&im->issues, LIST_FILE_WOR, j->from + 1, "DSW_ID", "rows_apart",
			       "این ردیف‌ها جدا از دیگر ردیف‌های فهرستشان "
			       "آمده‌اند",
			       "these rows came apart from the rest of their list's");
}

/* A zstd dictionary for the batch's blocks, trained on the lines of its first rows
 * (lists/dict.h); NULL to compress without one (a small batch), or on an error (e). */
enum { SAMPLE_ROWS = 40000 };
static void *batch_dict(struct db *db, const struct list_reader *r, struct err *e)
{
	struct list_reader part;
	if (list_reader_part(r, &part) < 0)
		return NULL;
	list_reader_range(&part, 0, r->wor.nrecords < SAMPLE_ROWS ? r->wor.nrecords : SAMPLE_ROWS);
	struct list_text lines = {0};
	size_t *sizes = malloc(SAMPLE_ROWS * sizeof *sizes);
	struct list_worker *w = malloc(sizeof *w);
	struct list_issues iss;
	list_issues_init(&iss, 1);
	unsigned n = 0;
	uint32_t rec;
	while (sizes && w && n < SAMPLE_ROWS && list_reader_next(&part, w, &rec, &iss) == 1) {
		size_t before = lines.len;
		if (list_line_encode(&lines, n + 1, w) < 0)
			break;
		sizes[n++] = lines.len - before;
	}
	void *dict = n ? list_dict_train(db, lines.data, sizes, n, LIST_ZSTD_LEVEL, e) : NULL;
	list_issues_release(&iss);
	list_text_release(&lines);
	free(sizes);
	free(w);
	list_reader_close(&part);
	return dict;
}

/* The stored lists and their blocks, written many lists at a time by db_bulk: on
 * PostgreSQL a COPY, where a list of one block (a national month is 2,000,000 of them)
 * had cost three round trips of its own (the list it supersedes, its row, its block). A
 * list's id is taken beforehand (db_take_ids, ID_CHUNK at a time), and the list it
 * supersedes is found in its month's latest lists, read once a month (struct latest). */
#define PENDING_BYTES (16u << 20)
#define ID_CHUNK 8192
struct pending {
	unsigned char *data; /* the blocks' bytes, one after another */
	size_t len, cap;
	struct pending_block {
		int64_t list_id;
		uint32_t no, rows;
		size_t at, len;
	} *v;
	size_t n, vcap;
	struct list_stored *lists; /* ID_CHUNK: each took ids[k] in turn */
	size_t nlists;
	int64_t ids[ID_CHUNK];
	size_t ids_taken, ids_used;
};

/* The latest list of each workshop's month that no list supersedes, for the months the
 * batch has met: (workshop, year, month) → list id, open addressing. */
struct latest {
	struct latest_slot {
		int64_t workshop, id; /* workshop 0: empty */
		int year, month;
	} *slots;
	size_t mask, n;
	struct {
		int year, month;
	} * months;
	size_t nmonths, months_cap;
};

static size_t latest_home(const struct latest *t, int64_t workshop, int year, int month)
{
	uint64_t h = ((uint64_t)workshop * 0x9e3779b97f4a7c15ull) ^
		     ((uint64_t)(year * 16 + month) * 0xc2b2ae3d27d4eb4full);
	return (size_t)(h ^ (h >> 29)) & t->mask;
}

/* The slot of (workshop, year, month): its own, or the empty one where it would go; NULL
 * while the table is empty and has no slots. */
static struct latest_slot *latest_slot(const struct latest *t, int64_t workshop, int year,
				       int month)
{
	if (!t->slots)
		return NULL;
	size_t i = latest_home(t, workshop, year, month);
	while (t->slots[i].workshop && (t->slots[i].workshop != workshop ||
					 t->slots[i].year != year || t->slots[i].month != month))
		i = (i + 1) & t->mask;
	return &t->slots[i];
}

/* Sets the month's latest list of the workshop; -1 out of memory. */
static int latest_set(struct latest *t, int64_t workshop, int year, int month, int64_t id)
{
	if (2 * (t->n + 1) > t->mask + 1) {
		struct latest old = *t;
		size_t size = old.slots ? 2 * (old.mask + 1) : 1024;
		if (!(t->slots = calloc(size, sizeof *t->slots))) {
			*t = old;
			return -1;
		}
		t->mask = size - 1;
		for (size_t i = 0; old.slots && i <= old.mask; i++)
			if (old.slots[i].workshop)
				*latest_slot(t, old.slots[i].workshop, old.slots[i].year,
					     old.slots[i].month) = old.slots[i];
		free(old.slots);
	}
	struct latest_slot *x = latest_slot(t, workshop, year, month);
	if (!x->workshop)
		t->n++;
	*x = (struct latest_slot){workshop, id, year, month};
	return 0;
}

/* The month's latest lists read once, when the batch first meets the month. -1 on a
 * database error (db_errmsg), -2 out of memory. */
static int latest_month(struct db *db, struct latest *t, int year, int month)
{
	for (size_t i = 0; i < t->nmonths; i++)
		if (t->months[i].year == year && t->months[i].month == month)
			return 0;
	if (t->nmonths == t->months_cap) {
		size_t cap = t->months_cap ? 2 * t->months_cap : 4;
		void *m = realloc(t->months, cap * sizeof *t->months);
		if (!m)
			return -2;
		t->months = m;
		t->months_cap = cap;
	}
	t->months[t->nmonths].year = year;
	t->months[t->nmonths++].month = month;
	struct db_stmt *s = db_prepare(
	    db, "SELECT l.workshop_id, max(l.id) FROM lists l WHERE l.year = $1 AND"
		" l.month = $2 AND " LIST_IN_FORCE " GROUP BY l.workshop_id");
	if (!s)
		return -1;
	db_bind_int(s, 1, year);
	db_bind_int(s, 2, month);
	int rc;
	while ((rc = db_step(s)) == 1)
		if (latest_set(t, db_col_int(s, 0), year, month, db_col_int(s, 1)) < 0) {
			rc = -2;
			break;
		}
	db_done(s);
	return rc;
}

static void latest_release(struct latest *t)
{
	free(t->slots);
	free(t->months);
}

static int pending_flush(struct db *db, struct pending *p, struct err *e)
{
	/* the lists first: on SQLite the blocks' list_id is a foreign key */
	if (p->nlists && list_stored_put(db, p->lists, p->nlists) < 0)
		return err_set(e, 500, "internal", "", "storing the lists: %s", db_errmsg(db));
	p->nlists = 0;
	if (!p->n)
		return 0;
	struct db_bulk *bk = db_bulk_begin(db, "list_blocks", "list_id, block, rows, data", 4);
	for (size_t i = 0; bk && i < p->n; i++) {
		db_bulk_int(bk, p->v[i].list_id);
		db_bulk_int(bk, p->v[i].no);
		db_bulk_int(bk, p->v[i].rows);
		db_bulk_blob(bk, p->data + p->v[i].at, p->v[i].len);
	}
	p->n = 0;
	p->len = 0;
	if (!bk || db_bulk_end(bk) < 0)
		return err_set(e, 500, "internal", "", "storing the lists' rows: %s", db_errmsg(db));
	return 0;
}

/* A checked list's row: its id taken, the list it supersedes found, kept for the next
 * flush; *key for its blocks and entries. 0, or -1 with e. */
static int pending_list(struct db *db, struct pending *p, struct latest *t, struct done *d,
			int64_t now, struct list_key *key, struct err *e)
{
	struct list_import *im = &d->im;
	int year = im->header.year, month = im->header.month;
	int rc = latest_month(db, t, year, month);
	if (rc < 0)
		return rc == -1 ? db_fail(db, e) : err_set(e, 500, "internal", "", "out of memory");
	if (p->ids_used == p->ids_taken) {
		/* the lists that took the last ids are stored before more are taken */
		if (pending_flush(db, p, e) < 0)
			return -1;
		if (db_take_ids(db, "lists", ID_CHUNK, p->ids) < 0)
			return db_fail(db, e);
		p->ids_taken = ID_CHUNK;
		p->ids_used = 0;
	}
	if (!p->lists && !(p->lists = malloc(ID_CHUNK * sizeof *p->lists)))
		return err_set(e, 500, "internal", "", "out of memory storing the list");
	struct latest_slot *x = latest_slot(t, d->workshop, year, month);
	im->supersedes = x && x->workshop ? x->id : 0;
	im->list_id = p->ids[p->ids_used++];
	list_stored_of(&p->lists[p->nlists++], im, d->workshop, "dbf", NULL, now);
	if (latest_set(t, d->workshop, year, month, im->list_id) < 0)
		return err_set(e, 500, "internal", "", "out of memory");
	*key = (struct list_key){im->list_id, d->workshop, year, month};
	return 0;
}

static int pending_add(struct db *db, struct pending *p, const struct list_key *k,
		       struct list_rows_out *o, struct err *e)
{
	if (o->lines_dropped)
		return err_set(e, 500, "internal", "", "a refused list cannot be stored");
	if (list_rows_finish(o) < 0 || list_rows_compress(o, 0, o->nblocks) < 0)
		return err_set(e, 500, "internal", "", "out of memory storing the list");
	for (size_t i = 0; i < o->nblocks; i++) {
		const struct list_block *b = &o->blocks[i];
		if (p->n == p->vcap) {
			size_t cap = p->vcap ? p->vcap * 2 : 1024;
			struct pending_block *v = realloc(p->v, cap * sizeof *v);
			if (!v)
				return err_set(e, 500, "internal", "", "out of memory storing the list");
			p->v = v;
			p->vcap = cap;
		}
		if (!p->data || p->len + b->len > p->cap) {
			size_t cap = p->cap ? p->cap : PENDING_BYTES;
			while (cap < p->len + b->len)
				cap *= 2;
			unsigned char *d = realloc(p->data, cap);
			if (!d)
				return err_set(e, 500, "internal", "", "out of memory storing the list");
			p->data = d;
			p->cap = cap;
		}
		memcpy(p->data + p->len, b->data, b->len);
		p->v[p->n++] = (struct pending_block){k->list_id, b->no, b->rows, p->len, b->len};
		p->len += b->len;
	}
	return p->len >= PENDING_BYTES ? pending_flush(db, p, e) : 0;
}

/* Stores or reports job i's result. 0, or -1 with e. */
static int store_one(struct db *db, struct list_reader *r, const struct job *j, struct done *d,
		     int64_t now, struct record *rec, struct pending *pend, struct latest *latest,
		     list_batch_refused refused, void *arg, struct list_batch *out, struct err *e)
{
	if (d->rc < 0) {
		*e = d->e;
		return -1;
	}
	if (j->kind == JOB_CHECK && d->rc == 1) {
		struct list_key key = {0};
		if (pending_list(db, pend, latest, d, now, &key, e) < 0 ||
		    pending_add(db, pend, &key, &d->rows, e) < 0)
			return -1;
		if (record_add(rec, &key, &d->rows) < 0)
			return err_set(e, 500, "internal", "", "out of memory for the entries");
		out->stored++;
		out->stored_rows += d->rows.rows;
		return 0;
	}
	if (j->kind != JOB_CHECK)
		refuse(r, j, &d->im);
	char key[KEY_MAX];
	if (j->kar != UINT32_MAX)
		list_reader_list_key(r, 1, j->kar, key, sizeof key);
	else
		list_reader_list_key(r, 0, j->from, key, sizeof key);
	out->refused++;
	if (refused)
		refused(arg, &d->im, key);
	return 0;
}

int list_batch_import(struct db *db, const char *db_path, const struct rules *rules,
		      struct list_reader *r, int64_t now, list_batch_refused refused, void *arg,
		      struct list_batch *out, struct err *e)
{
	memset(out, 0, sizeof *out);
	double t0 = seconds();
	struct plan plan;
	if (plan_headers(r, &plan) < 0) {
		plan_release(&plan);
		return err_set(e, 500, "internal", "", "out of memory matching the lists");
	}
	out->match_s = seconds() - t0;
	/* the transaction writes gigabytes: pages that spill from a small cache before the
	 * commit are written to the WAL twice */
	db_exec(db, "PRAGMA cache_size=-262144");
	struct batch *b = calloc(1, sizeof *b);
	struct record rec = {0};
	struct pending pend = {0};
	struct latest latest = {0};
	if (!b || db_begin(db) < 0) {
		free(b);
		plan_release(&plan);
		return err_set(e, 500, "internal", "", "%s", b ? db_errmsg(db) : "out of memory");
	}
	void *dict = batch_dict(db, r, e);
	if (!dict && e->status) {
		db_rollback(db);
		free(b);
		plan_release(&plan);
		return -1;
	}
	*b =
	    (struct batch){.dict = dict, .rules = rules, .r = r, .plan = &plan, .db_path = db_path};
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->taken, NULL);
	pthread_cond_init(&b->put, NULL);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int nthreads = cores < 1 ? 1 : cores > 8 ? 8 : (int)cores;
	struct checker threads[8] = {{0}};
	pthread_t matcher;
	int matching = pthread_create(&matcher, NULL, matcher_run, b) == 0;
	int rc = matching ? 0 : err_set(e, 500, "internal", "", "no thread to match the lists");
	int running = 0;
	for (int k = 0; rc == 0 && k < nthreads; k++) {
		threads[k].b = b;
		threads[k].started =
		    pthread_create(&threads[k].tid, NULL, checker_run, &threads[k]) == 0;
		running += threads[k].started;
	}
	if (rc == 0 && !running)
		rc = err_set(e, 500, "internal", "", "no thread to check the lists");
	/* store in the matcher's order, as each job's result comes */
	for (size_t i = 0; rc == 0;) {
		pthread_mutex_lock(&b->mu);
		while (!b->ring[i % RING] && !(b->matched && i >= b->published))
			pthread_cond_wait(&b->put, &b->mu);
		struct done *d = b->ring[i % RING];
		b->ring[i % RING] = NULL;
		if (d) {
			b->next_store++;
			pthread_cond_broadcast(&b->taken);
		}
		int failed = b->failed;
		pthread_mutex_unlock(&b->mu);
		if (!d) {
			if (failed)
				rc = err_set(e, 500, "internal", "",
					     "out of memory matching the lists");
			break;
		}
		rc = store_one(db, r, job_at(&plan, i), d, now, &rec, &pend, &latest, refused, arg,
			       out, e);
		done_free(d);
		i++;
	}
	pthread_mutex_lock(&b->mu);
	b->stop = 1;
	pthread_cond_broadcast(&b->taken);
	pthread_mutex_unlock(&b->mu);
	if (matching)
		pthread_join(matcher, NULL);
	for (int k = 0; k < nthreads; k++)
		if (threads[k].started)
			pthread_join(threads[k].tid, NULL);
	for (size_t i = 0; i < RING; i++)
		if (b->ring[i])
			done_free(b->ring[i]);
	if (rc == 0)
		rc = pending_flush(db, &pend, e);
	free(pend.data);
	free(pend.v);
	free(pend.lists);
	latest_release(&latest);
	out->lists = plan.n;
	out->rows = b->rows;
	out->check_s = seconds() - t0 - out->match_s;
	/* every entry at once, in key order: a month's are one run, packed (entries.h) */
	if (rc == 0 && record_entries_sort(rec.v, rec.n) < 0)
		rc = err_set(e, 500, "internal", "", "out of memory sorting the entries");
	if (rc == 0)
		rc = record_entries_store(db, rec.lists, rec.v, rec.n,
					  rec.nlists ? rec.lists[0].list_id : 0, e);
	out->entries_s = seconds() - t0 - out->match_s - out->check_s;
	if (rc == 0 && db_commit(db) < 0)
		rc = db_fail(db, e);
	if (rc < 0)
		db_rollback(db);
	out->commit_s = seconds() - t0 - out->match_s - out->check_s - out->entries_s;
	pthread_cond_destroy(&b->put);
	pthread_cond_destroy(&b->taken);
	pthread_mutex_destroy(&b->mu);
	list_dict_free(dict);
	free(b);
	free(rec.lists);
	free(rec.v);
	plan_release(&plan);
	return rc;
}
