/* A list's rows as lines in blocks, the record's entries per worker and month, and the
 * reads back (rows.h). */
#include "lists/rows.h"

#include "lists/dict.h"
#include "lists/entries.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "base/natid.h"
#include "base/radix.h"
#include "base/text.h"

enum { FIELDS = 24 };

void list_text_release(struct list_text *t)
{
	free(t->data);
	memset(t, 0, sizeof *t);
}

static int reserve(struct list_text *t, size_t more)
{
	if (t->len + more <= t->cap)
		return 0;
	size_t cap = t->cap ? t->cap : 4096;
	while (cap < t->len + more)
		cap *= 2;
	char *d = realloc(t->data, cap);
	if (!d)
		return -1;
	t->data = d;
	t->cap = cap;
	return 0;
}

/* the writers below have reserved room for them */
static char *put_text(char *p, const char *s)
{
	for (; *s; s++)
		*p++ = *s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s;
	return p;
}

/* 1405/07/01, as jalali_format writes it, without its snprintf (three dates a row) */
static char *put_date(char *p, struct jdate d)
{
	if (d.y < 1 || d.y > 9999 || d.m < 1 || d.m > 12 || d.d < 1 || d.d > 31)
		return p;
	p[0] = (char)('0' + d.y / 1000);
	p[1] = (char)('0' + d.y / 100 % 10);
	p[2] = (char)('0' + d.y / 10 % 10);
	p[3] = (char)('0' + d.y % 10);
	p[4] = '/';
	p[5] = (char)('0' + d.m / 10);
	p[6] = (char)('0' + d.m % 10);
	p[7] = '/';
	p[8] = (char)('0' + d.d / 10);
	p[9] = (char)('0' + d.d % 10);
	return p + 10;
}

int list_line_encode(struct list_text *t, uint32_t row_no, const struct list_worker *w)
{
	const char *texts[] = {w->national_id, w->insurance_no, w->first_name, w->last_name,
			       w->father_name, w->id_no,	w->id_place,   w->nationality,
			       w->job_title,   w->job_code};
	size_t need = 32 * 12 + 3 * 10;
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
		need += strlen(texts[i]);
	if (reserve(t, need + FIELDS) < 0)
		return -1;
	char *p = t->data + t->len;
	p = text_put_int(p, row_no);
	*p++ = '\t';
	p = put_text(p, w->national_id);
	*p++ = '\t';
	p = put_text(p, w->insurance_no);
	*p++ = '\t';
	p = put_text(p, w->first_name);
	*p++ = '\t';
	p = put_text(p, w->last_name);
	*p++ = '\t';
	p = put_text(p, w->father_name);
	*p++ = '\t';
	if (w->sex != LIST_SEX_UNKNOWN)
		*p++ = w->sex == LIST_SEX_FEMALE ? 'f' : 'm';
	*p++ = '\t';
	p = put_date(p, w->birth_date);
	*p++ = '\t';
	p = put_text(p, w->id_no);
	*p++ = '\t';
	p = put_text(p, w->id_place);
	*p++ = '\t';
	p = put_date(p, w->id_date);
	*p++ = '\t';
	p = put_text(p, w->nationality);
	*p++ = '\t';
	p = put_text(p, w->job_title);
	*p++ = '\t';
	p = put_text(p, w->job_code);
	*p++ = '\t';
	p = put_date(p, w->start_date);
	*p++ = '\t';
	p = put_date(p, w->end_date);
	const int64_t nums[] = {w->days,      w->daily_wage, w->monthly_wage, w->benefits,
				w->insurable, w->total,	     w->worker_share, w->prate};
	for (size_t i = 0; i < sizeof nums / sizeof *nums; i++) {
		*p++ = '\t';
		p = text_put_int(p, nums[i]);
	}
	t->len = (size_t)(p - t->data);
	return 0;
}

static void get_text(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = 0;
}

static int64_t get_int(const char *s, size_t n)
{
	int neg = n && *s == '-';
	int64_t v = 0;
	for (size_t i = (size_t)neg; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return neg ? -v : v;
}

static struct jdate get_date(const char *s, size_t n)
{
	char tmp[16];
	struct jdate d = {0, 0, 0};
	if (!n || n >= sizeof tmp)
		return d;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	int gy, gm, gd;
	if (n == 10 && tmp[4] == '-' && sscanf(tmp, "%4d-%2d-%2d", &gy, &gm, &gd) == 3)
		return jalali_from_gregorian(gy, gm, gd);
	if (jalali_parse(tmp, &d) < 0)
		d = (struct jdate){0, 0, 0};
	return d;
}

int list_line_decode(const char *line, size_t len, struct list_worker *w, uint32_t *row_no)
{
	const char *f[FIELDS];
	size_t n[FIELDS];
	size_t k = 0;
	const char *p = line, *end = line + len;
	while (k < FIELDS) {
		const char *tab = memchr(p, '\t', (size_t)(end - p));
		const char *stop = tab ? tab : end;
		f[k] = p;
		n[k++] = (size_t)(stop - p);
		if (!tab)
			break;
		p = tab + 1;
	}
	if (k != FIELDS)
		return -1;
	memset(w, 0, sizeof *w);
	*row_no = (uint32_t)get_int(f[0], n[0]);
	get_text(w->national_id, sizeof w->national_id, f[1], n[1]);
	get_text(w->insurance_no, sizeof w->insurance_no, f[2], n[2]);
	get_text(w->first_name, sizeof w->first_name, f[3], n[3]);
	get_text(w->last_name, sizeof w->last_name, f[4], n[4]);
	get_text(w->father_name, sizeof w->father_name, f[5], n[5]);
	w->sex = !n[6] ? LIST_SEX_UNKNOWN : f[6][0] == 'f' ? LIST_SEX_FEMALE : LIST_SEX_MALE;
	w->birth_date = get_date(f[7], n[7]);
	get_text(w->id_no, sizeof w->id_no, f[8], n[8]);
	get_text(w->id_place, sizeof w->id_place, f[9], n[9]);
	w->id_date = get_date(f[10], n[10]);
	get_text(w->nationality, sizeof w->nationality, f[11], n[11]);
	get_text(w->job_title, sizeof w->job_title, f[12], n[12]);
	get_text(w->job_code, sizeof w->job_code, f[13], n[13]);
	w->start_date = get_date(f[14], n[14]);
	w->end_date = get_date(f[15], n[15]);
	w->days = (int)get_int(f[16], n[16]);
	w->daily_wage = get_int(f[17], n[17]);
	w->monthly_wage = get_int(f[18], n[18]);
	w->benefits = get_int(f[19], n[19]);
	w->insurable = get_int(f[20], n[20]);
	w->total = get_int(f[21], n[21]);
	w->worker_share = get_int(f[22], n[22]);
	w->prate = (int)get_int(f[23], n[23]);
	return 0;
}

/* ---- storing ---- */

/* zstd's level 1: the lines shrink about 3.4 times (bench/README.md, step 6), so the
 * WAL, the checkpoint and the database write a third of the bytes. */
#define ZSTD_LEVEL LIST_ZSTD_LEVEL

void list_rows_init(struct list_rows_out *o, uint32_t first)
{
	memset(o, 0, sizeof *o);
	o->first = first;
}

void list_rows_release(struct list_rows_out *o)
{
	for (size_t i = 0; i < o->ntexts; i++)
		list_text_release(&o->texts[i]);
	free(o->texts);
	for (size_t i = 0; i < o->nblocks; i++)
		free(o->blocks[i].data);
	free(o->blocks);
	free(o->entries);
	memset(o, 0, sizeof *o);
}

static int grow_blocks(struct list_rows_out *o, size_t more)
{
	if (o->nblocks + more <= o->blocks_cap)
		return 0;
	size_t cap = o->blocks_cap ? o->blocks_cap : 16;
	while (cap < o->nblocks + more)
		cap *= 2;
	struct list_block *b = realloc(o->blocks, cap * sizeof *b);
	if (!b)
		return -1;
	o->blocks = b;
	o->blocks_cap = cap;
	return 0;
}

/* The text this part's own lines go to: the last of texts. */
static struct list_text *own_text(struct list_rows_out *o)
{
	if (!o->ntexts) {
		o->texts = calloc(1, sizeof *o->texts);
		if (!o->texts)
			return NULL;
		o->ntexts = 1;
	}
	return &o->texts[o->ntexts - 1];
}

/* Closes the block being filled, of `rows` rows. */
static int end_block(struct list_rows_out *o, uint32_t rows)
{
	struct list_text *t = own_text(o);
	if (!t || grow_blocks(o, 1) < 0)
		return -1;
	o->blocks[o->nblocks++] = (struct list_block){(o->first + o->rows - 1) / LIST_BLOCK_ROWS,
						      rows,
						      (uint32_t)(o->ntexts - 1),
						      o->block_start,
						      t->len - o->block_start,
						      NULL,
						      0};
	o->block_start = t->len;
	return 0;
}

int list_rows_add(struct list_rows_out *o, const struct list_worker *w, uint32_t rec, int keep_line)
{
	if (o->rows == o->entries_cap) {
		size_t cap = o->entries_cap ? o->entries_cap * 2 : 256;
		struct list_entry *e = realloc(o->entries, cap * sizeof *e);
		if (!e)
			return -1;
		o->entries = e;
		o->entries_cap = cap;
	}
	uint32_t row_no = o->first + o->rows + 1;
	if (!keep_line)
		o->lines_dropped = 1;
	if (!o->lines_dropped) {
		struct list_text *t = own_text(o);
		if (!t)
			return -1;
		if (t->len > o->block_start) {
			if (reserve(t, 1) < 0)
				return -1;
			t->data[t->len++] = '\n';
		}
		if (list_line_encode(t, row_no, w) < 0)
			return -1;
	}
	int valid = natid_valid(w->national_id);
	o->sorted = 0;
	o->entries[o->rows++] = (struct list_entry){valid ? strtoull(w->national_id, NULL, 10) : 0,
						    row_no, rec, w->days, w->insurable};
	if (row_no % LIST_BLOCK_ROWS == 0 && !o->lines_dropped && end_block(o, LIST_BLOCK_ROWS) < 0)
		return -1;
	return 0;
}

int list_rows_finish(struct list_rows_out *o)
{
	uint32_t tail = (o->first + o->rows) % LIST_BLOCK_ROWS;
	if (o->lines_dropped || !tail || o->finished)
		return 0;
	o->finished = 1;
	return end_block(o, tail);
}

void list_compressor_release(struct list_compressor *c)
{
	ZSTD_freeCCtx(c->zstd);
	list_text_release(&c->buf);
	memset(c, 0, sizeof *c);
}

int list_rows_compress_using(struct list_rows_out *o, size_t from, size_t to,
			     struct list_compressor *c)
{
	if (!c->zstd && !(c->zstd = ZSTD_createCCtx()))
		return -1;
	struct list_text *buf = &c->buf;
	for (size_t i = from; i < to && i < o->nblocks; i++) {
		struct list_block *b = &o->blocks[i];
		if (b->data)
			continue;
		const char *text = o->texts[b->text].data + b->start;
		/* into a buffer kept from block to block, then copied at its size: a fresh
		 * buffer of the bound (over glibc's mmap threshold) cost page faults */
		size_t bound = ZSTD_compressBound(b->text_len);
		buf->len = 0;
		if (reserve(buf, bound) < 0)
			return -1;
		size_t len = c->dict ? ZSTD_compress_usingCDict(c->zstd, buf->data, buf->cap, text,
								b->text_len, c->dict)
				     : ZSTD_compressCCtx(c->zstd, buf->data, buf->cap, text,
							 b->text_len, ZSTD_LEVEL);
		void *data = ZSTD_isError(len) || !buf->data ? NULL : malloc(len);
		if (!data)
			return -1;
		memcpy(data, buf->data, len);
		b->data = data;
		b->len = len;
	}
	return 0;
}

int list_rows_compress(struct list_rows_out *o, size_t from, size_t to)
{
	struct list_compressor c = {0};
	int rc = list_rows_compress_using(o, from, to, &c);
	list_compressor_release(&c);
	return rc;
}

int list_rows_append(struct list_rows_out *dst, struct list_rows_out *src)
{
	if (grow_blocks(dst, src->nblocks) < 0)
		return -1;
	if (dst->entries_cap < (size_t)dst->rows + src->rows) {
		struct list_entry *e =
		    realloc(dst->entries, ((size_t)dst->rows + src->rows) * sizeof *e);
		if (!e)
			return -1;
		dst->entries = e;
		dst->entries_cap = (size_t)dst->rows + src->rows;
	}
	struct list_text *texts = realloc(dst->texts, (dst->ntexts + src->ntexts) * sizeof *texts);
	if (!texts)
		return -1;
	dst->texts = texts;
	for (size_t i = 0; i < src->nblocks; i++) {
		dst->blocks[dst->nblocks + i] = src->blocks[i];
		dst->blocks[dst->nblocks + i].text += (uint32_t)dst->ntexts;
	}
	dst->nblocks += src->nblocks;
	src->nblocks = 0;
	if (src->ntexts)
		memcpy(dst->texts + dst->ntexts, src->texts, src->ntexts * sizeof *src->texts);
	dst->ntexts += src->ntexts;
	src->ntexts = 0;
	if (src->rows)
		memcpy(dst->entries + dst->rows, src->entries, src->rows * sizeof *src->entries);
	dst->rows += src->rows;
	dst->lines_dropped |= src->lines_dropped;
	dst->finished = src->finished;
	dst->sorted = 0;
	list_rows_release(src);
	return 0;
}

/* By national id (34 bits), stable: rows with the same id keep their order. */
RADIX_SORT(sort_entries, struct list_entry, x->national_id)

int list_rows_sort(struct list_rows_out *o)
{
	o->sorted = 1;
	return sort_entries(o->entries, o->rows, 34);
}

int list_rows_store_entries(struct db *db, const struct list_key *key, struct list_rows_out *o,
			    struct err *e)
{
	if (!o->sorted && list_rows_sort(o) < 0)
		return err_set(e, 500, "internal", "", "out of memory storing the list");
	struct record_list list = {key->list_id, key->workshop_id, key->year, key->month};
	struct record_entry *v = malloc((o->rows ? o->rows : 1) * sizeof *v);
	if (!v)
		return err_set(e, 500, "internal", "", "out of memory storing the list");
	for (uint32_t i = 0; i < o->rows; i++) {
		const struct list_entry *x = &o->entries[i];
		v[i] = (struct record_entry){record_entry_key(key->year, key->month, x->national_id),
					     x->insurable, 0, x->row_no, x->days};
	}
	/* The largest employers' lists (a few in the country) packed, 18 bytes an entry, where
	 * rows of open_months and their key were 5 times that to write: a 1,000,000-row list's
	 * entries took 1.3 s of its 2.5 s import on PostgreSQL, 0.9 s of it the key. Each such
	 * list adds a probe to a record read of its month (lists/entries.h). */
	int64_t run = o->rows >= LIST_RUN_ROWS ? key->list_id : 0;
	int rc = record_entries_store(db, &list, v, o->rows, run, e);
	free(v);
	return rc;
}

int list_rows_store_blocks(struct db *db, const struct list_key *k, struct list_rows_out *o,
			   struct err *e)
{
	if (o->lines_dropped)
		return err_set(e, 500, "internal", "", "a refused list cannot be stored");
	if (list_rows_finish(o) < 0 || list_rows_compress(o, 0, o->nblocks) < 0)
		return err_set(e, 500, "internal", "", "out of memory storing the list");
	/* Many blocks through db_bulk: COPY on PostgreSQL, where an INSERT a block cost a round
	 * trip each (977 of them, 5 s of a 1,000,000-row import on a busy machine). A COPY
	 * costs two (its start and its end): a batch's small lists keep the INSERT. */
	if (o->nblocks >= 3) {
		struct db_bulk *bk = db_bulk_begin(db, "list_blocks", "list_id, block, rows, data", 4);
		for (size_t b = 0; bk && b < o->nblocks; b++) {
			db_bulk_int(bk, k->list_id);
			db_bulk_int(bk, o->blocks[b].no);
			db_bulk_int(bk, o->blocks[b].rows);
			db_bulk_blob(bk, o->blocks[b].data, o->blocks[b].len);
		}
		if (bk && db_bulk_end(bk) == 0)
			return 0;
		return err_set(e, 500, "internal", "", "storing the list's rows: %s", db_errmsg(db));
	}
	struct db_stmt *s = db_prepare(db, "INSERT INTO list_blocks(list_id, block, rows, data)"
					   " VALUES ($1, $2, $3, $4)");
	int ok = s != NULL;
	for (size_t b = 0; ok && b < o->nblocks; b++) {
		db_bind_int(s, 1, k->list_id);
		db_bind_int(s, 2, o->blocks[b].no);
		db_bind_int(s, 3, o->blocks[b].rows);
		db_bind_blob(s, 4, o->blocks[b].data, o->blocks[b].len);
		ok = db_step(s) >= 0;
		db_done(s);
	}
	return ok ? 0
		  : err_set(e, 500, "internal", "", "storing the list's rows: %s", db_errmsg(db));
}

int list_rows_store(struct db *db, const struct list_key *k, struct list_rows_out *o, struct err *e)
{
	if (list_rows_store_blocks(db, k, o, e) < 0)
		return -1;
	return list_rows_store_entries(db, k, o, e);
}

/* ---- reading ---- */

/* Calls fn for the lines of one block (zstd, or text from migration 010); a line that
 * does not decode is damage. */
static int block_text(const void *data, size_t len,
		      int (*fn)(void *arg, const struct list_worker *w, uint32_t row_no), void *arg,
		      struct list_worker *w, struct err *e);

static int block_lines(struct db *db, const void *blob, size_t blen,
		       int (*fn)(void *arg, const struct list_worker *w, uint32_t row_no),
		       void *arg, struct list_worker *w, struct err *e)
{
	unsigned long long size = ZSTD_getFrameContentSize(blob, blen);
	if (size == ZSTD_CONTENTSIZE_ERROR) /* not zstd: text */
		return block_text(blob, blen, fn, arg, w, e);
	if (size == ZSTD_CONTENTSIZE_UNKNOWN || size > 64u << 20)
		return err_set(e, 500, "internal", "", "a stored list block is damaged");
	/* a batch's block names the dictionary it was compressed with (lists/dict.h) */
	unsigned named = ZSTD_getDictID_fromFrame(blob, blen);
	const ZSTD_DDict *dict = list_dict_get(db, named);
	if (named && !dict)
		return err_set(e, 500, "internal", "", "a stored list block's dictionary is missing");
	char *text = malloc(size ? size : 1);
	ZSTD_DCtx *z = dict ? ZSTD_createDCtx() : NULL;
	if (!text || (dict && !z)) {
		free(text);
		ZSTD_freeDCtx(z);
		return err_set(e, 500, "internal", "", "out of memory");
	}
	size_t got = dict ? ZSTD_decompress_usingDDict(z, text, size, blob, blen, dict)
			  : ZSTD_decompress(text, size, blob, blen);
	ZSTD_freeDCtx(z);
	int rc = ZSTD_isError(got) || got != size
		     ? err_set(e, 500, "internal", "", "a stored list block is damaged")
		     : block_text(text, got, fn, arg, w, e);
	free(text);
	return rc;
}

static int block_text(const void *data, size_t len,
		      int (*fn)(void *arg, const struct list_worker *w, uint32_t row_no), void *arg,
		      struct list_worker *w, struct err *e)
{
	const char *p = data, *end = p + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		uint32_t row_no;
		if (list_line_decode(p, (size_t)(stop - p), w, &row_no) < 0)
			return err_set(e, 500, "internal", "", "a stored list row is damaged");
		int rc = fn(arg, w, row_no);
		if (rc)
			return rc;
		p = stop + 1;
	}
	return 0;
}

int list_rows_each(struct db *db, int64_t list_id,
		   int (*fn)(void *arg, const struct list_worker *w, uint32_t row_no), void *arg,
		   struct err *e)
{
	struct db_stmt *s =
	    db_prepare(db, "SELECT data FROM list_blocks WHERE list_id = $1 ORDER BY block");
	if (!s)
		return db_fail(db, e);
	db_bind_int(s, 1, list_id);
	struct list_worker *w = malloc(sizeof *w);
	if (!w) {
		db_done(s);
		return err_set(e, 500, "internal", "", "out of memory");
	}
	int rc = 0, st;
	while (!rc && (st = db_step(s)) == 1) {
		size_t len;
		const void *data = db_col_blob(s, 0, &len);
		rc = block_lines(db, data, len, fn, arg, w, e);
	}
	if (!rc && st < 0)
		rc = db_fail(db, e);
	db_done(s);
	free(w);
	return rc;
}

struct find_row {
	uint32_t row_no;
	struct list_worker *out;
};

static int find_row(void *arg, const struct list_worker *w, uint32_t row_no)
{
	struct find_row *f = arg;
	if (row_no != f->row_no)
		return 0;
	*f->out = *w;
	return 1;
}

/* The worker's row of the latest month they were listed in. 1, 0, -1. */
static int latest_row(struct db *db, const char *national_id, struct list_worker *w)
{
	/* the open months first: every closed year comes before them (record_close_year) */
	static const char *const latest[] = {
	    "SELECT o.list_id, o.row_no, o.year, o.month FROM open_periods p"
	    " CROSS JOIN open_months o WHERE p.run = 0 AND o.year = p.year AND o.month = p.month"
	    " AND o.national_id = $1 ORDER BY p.year DESC, p.month DESC, o.list_id DESC LIMIT 1",
	    "SELECT w.list_id, w.row_no, w.year, w.month FROM record_years y"
	    " CROSS JOIN work_months w WHERE w.year = y.year AND w.national_id = $1"
	    " ORDER BY y.year DESC, w.month DESC, w.list_id DESC LIMIT 1"};
	uint64_t nid = strtoull(national_id, NULL, 10);
	int rc = 0, year = 0, month = 0;
	int64_t list_id = 0;
	uint32_t row_no = 0;
	for (int q = 0; q < 2 && rc == 0; q++) {
		struct db_stmt *s = db_prepare(db, latest[q]);
		if (!s)
			return -1;
		db_bind_int(s, 1, (int64_t)nid);
		rc = db_step(s);
		list_id = rc == 1 ? db_col_int(s, 0) : 0;
		row_no = rc == 1 ? (uint32_t)db_col_int(s, 1) : 0;
		year = rc == 1 ? (int)db_col_int(s, 2) : 0;
		month = rc == 1 ? (int)db_col_int(s, 3) : 0;
		db_done(s);
		if (q == 0 && rc >= 0) { /* and the batches' runs of the open months */
			struct record_hit *h;
			size_t n;
			struct err e = {0};
			if (record_runs_find(db, nid, &h, &n, &e) < 0)
				return -1;
			for (size_t i = 0; i < n; i++)
				if (h[i].year * 100 + h[i].month > year * 100 + month ||
				    (h[i].year * 100 + h[i].month == year * 100 + month &&
				     h[i].list_id > list_id)) {
					year = h[i].year, month = h[i].month;
					list_id = h[i].list_id, row_no = h[i].row_no;
					rc = 1;
				}
			free(h);
		}
	}
	if (rc != 1)
		return rc;
	struct db_stmt *s = db_prepare(db, "SELECT data FROM list_blocks WHERE list_id = $1 AND block = $2");
	if (!s)
		return -1;
	db_bind_int(s, 1, list_id);
	db_bind_int(s, 2, (row_no - 1) / LIST_BLOCK_ROWS);
	rc = db_step(s);
	struct find_row f = {row_no, w};
	struct list_worker *tmp = rc == 1 ? malloc(sizeof *tmp) : NULL;
	struct err e = {0};
	if (tmp) {
		size_t len;
		const void *data = db_col_blob(s, 0, &len);
		int r = block_lines(db, data, len, find_row, &f, tmp, &e);
		rc = r == 1 ? 1 : r == 0 ? 0 : -1;
		free(tmp);
	} else if (rc == 1) {
		rc = -1;
	}
	db_done(s);
	return rc < 0 ? -1 : rc;
}

static const char *iso_birth(struct jdate d, struct arena *a)
{
	if (!d.y)
		return NULL;
	int gy, gm, gd;
	jalali_to_gregorian(d, &gy, &gm, &gd);
	return arena_printf(a, "%04d-%02d-%02d", gy, gm, gd);
}

int lists_person(struct db *db, const char *national_id, struct person *p, struct arena *a)
{
	struct list_worker *w = calloc(1, sizeof *w);
	if (!w)
		return -1;
	int rc = latest_row(db, national_id, w);
	if (rc == 1) {
		memset(p, 0, sizeof *p);
		p->national_id = arena_strdup(a, national_id);
		p->first_name = arena_strdup(a, w->first_name);
		p->last_name = arena_strdup(a, w->last_name);
		p->father_name = arena_strdup(a, w->father_name);
		p->gender = w->sex == LIST_SEX_FEMALE ? "f" : w->sex == LIST_SEX_MALE ? "m" : NULL;
		p->birth_date = iso_birth(w->birth_date, a);
	}
	free(w);
	return rc;
}

static int blank(const char *s)
{
	return !s || !*s;
}

void lists_person_complete(struct db *db, struct person *p, struct arena *a)
{
	if (!blank(p->first_name) && !blank(p->last_name) && p->gender && p->birth_date)
		return;
	struct person l;
	if (lists_person(db, p->national_id, &l, a) != 1)
		return;
	if (blank(p->first_name) && blank(p->last_name)) {
		p->first_name = l.first_name;
		p->last_name = l.last_name;
		p->father_name = l.father_name;
	}
	if (!p->gender)
		p->gender = l.gender;
	if (!p->birth_date)
		p->birth_date = l.birth_date;
}

int lists_find_person(struct db *db, const char *national_id, struct person *p, struct arena *a,
		      const char **enrol)
{
	*enrol = NULL;
	int rc = people_find_national_id(db, national_id, p, a);
	if (rc == 1) { /* known by national id alone, say: the lists may know more */
		int nameless = blank(p->first_name) && blank(p->last_name);
		lists_person_complete(db, p, a);
		if (nameless && !blank(p->first_name))
			*enrol = p->national_id;
	} else if (rc == 0) { /* an insured worker who never contacted us */
		rc = lists_person(db, national_id, p, a);
		if (rc == 1)
			*enrol = p->national_id;
	}
	return rc;
}

/* The next line of a record of *n lines (room for *cap in the arena), zeroed. */
static struct rules_record *record_line(struct arena *a, struct rules_record **out, int *n,
					int *cap)
{
	if (*n == *cap) {
		int ncap = *cap ? *cap * 2 : 64;
		struct rules_record *m = arena_alloc(a, sizeof *m * (size_t)ncap);
		for (int i = 0; i < *n; i++)
			m[i] = (*out)[i];
		*out = m;
		*cap = ncap;
	}
	struct rules_record *x = &(*out)[(*n)++];
	memset(x, 0, sizeof *x);
	return x;
}

static int by_month(const void *x, const void *y)
{
	const struct rules_record *a = x, *b = y;
	if (a->year != b->year)
		return a->year < b->year ? -1 : 1;
	if (a->month != b->month)
		return a->month < b->month ? -1 : 1;
	return strcmp(a->workshop, b->workshop);
}

/* The worker's entries in the batches' runs (lists/entries.h), added to the record's
 * lines (cap of them in the arena), which are then put in order again. */
static int add_runs(struct db *db, uint64_t nid, struct arena *a, struct rules_record **out,
		    int *n, int cap, struct err *e)
{
	struct record_hit *h;
	size_t nh;
	if (record_runs_find(db, nid, &h, &nh, e) < 0)
		return -1;
	struct db_stmt *s = NULL;
	int rc = 0;
	for (size_t i = 0; i < nh && rc == 0; i++) {
		s = db_prepare(db, "SELECT k.code, k.hard_job FROM lists l JOIN workshops k"
				   " ON k.id = l.workshop_id WHERE l.id = $1 AND NOT EXISTS"
				   " (SELECT 1 FROM lists c WHERE c.supersedes = l.id)");
		if (!s) {
			rc = -1;
			break;
		}
		db_bind_int(s, 1, h[i].list_id);
		int got = db_step(s);
		if (got == 1) {
			struct rules_record *x = record_line(a, out, n, &cap);
			x->year = h[i].year;
			x->month = h[i].month;
			snprintf(x->workshop, sizeof x->workshop, "%s", db_col_text(s, 0));
			x->days = h[i].days;
			x->wage = h[i].insurable;
			x->hard_job = (int)db_col_int(s, 1);
		}
		rc = got < 0 ? -1 : 0;
		db_done(s);
	}
	if (rc == 0 && nh && *out)
		qsort(*out, (size_t)*n, sizeof **out, by_month);
	free(h);
	return rc < 0 ? db_fail(db, e) : 0;
}

int lists_person_record(struct db *db, const char *national_id, struct arena *a,
			struct rules_record **out, int *n, struct err *e)
{
	*out = NULL;
	*n = 0;
	/* one range per closed year (record_years drives), one probe per open month */
	struct db_stmt *s = db_prepare(
	    db, "SELECT e.year, e.month, k.code, e.days, e.insurable, k.hard_job FROM ("
		"SELECT w.year, w.month, w.list_id, w.workshop_id, w.days, w.insurable"
		" FROM record_years y CROSS JOIN work_months w WHERE w.year = y.year"
		" AND w.national_id = $1 UNION ALL"
		" SELECT o.year, o.month, o.list_id, o.workshop_id, o.days, o.insurable"
		" FROM open_periods p CROSS JOIN open_months o WHERE p.run = 0 AND o.year = p.year"
		" AND o.month = p.month AND o.national_id = $1) e"
		" JOIN workshops k ON k.id = e.workshop_id"
		" WHERE NOT EXISTS (SELECT 1 FROM lists c WHERE c.supersedes = e.list_id)"
		" ORDER BY e.year, e.month, k.code");
	if (!s)
		return db_fail(db, e);
	db_bind_int(s, 1, (int64_t)strtoull(national_id, NULL, 10));
	int cap = 0, rc;
	while ((rc = db_step(s)) == 1) {
		struct rules_record *x = record_line(a, out, n, &cap);
		x->year = (int)db_col_int(s, 0);
		x->month = (int)db_col_int(s, 1);
		snprintf(x->workshop, sizeof x->workshop, "%s", db_col_text(s, 2));
		x->days = (int)db_col_int(s, 3);
		x->wage = db_col_int(s, 4);
		x->hard_job = (int)db_col_int(s, 5);
	}
	db_done(s);
	if (rc < 0)
		return db_fail(db, e);
	return add_runs(db, strtoull(national_id, NULL, 10), a, out, n, cap, e);
}
