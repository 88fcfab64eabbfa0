/* The import: queue_log lines into the hour blocks (blocks.h), each once, and the calls
 * they build. A line is checked against the hashes its block held before the batch (read
 * once per block and batch) and those new in the batch; a flush writes each touched block
 * one segment: its new lines, their hashes sorted, the calls anchored there. */
#include "calls/calls.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/jw.h"
#include "base/text.h"
#include "calls/blocks.h"
#include "calls/queuelog.h"
#include "people/people.h"
#include "store/store.h"

/* A block touched by the batch. */
struct pblock {
	int64_t start;
	uint64_t *old; /* the hashes stored before the batch, sorted */
	size_t nold;
	uint64_t *hashes; /* the batch's new lines' */
	size_t nh, hcap;
	char *lines; /* the new lines, each ended by a newline */
	size_t nl, lcap;
	uint64_t *set; /* the new hashes again, a set (0 is kept by zero) */
	size_t scap, sused;
	int zero;
};

struct pent;

/* caller -> person, kept across flushes of a large import */
struct known_caller {
	uint64_t h;
	const char *caller;
	int64_t person;
};

struct calls_batch {
	struct arena arena; /* the calls' strings; emptied by each flush */
	struct cb_build build;
	struct pblock *blocks;
	size_t nblocks, bcap;
	size_t *bindex; /* start -> 1 + index in blocks; 0 empty */
	size_t bicap;
	size_t last; /* 1 + the index of the block last touched */
	struct arena people_arena;
	struct known_caller **callers;
	size_t ccap, cused;
	struct pent *pv; /* a large piece's lines, parsed on a second thread */
	size_t pvcap;
	char *pcopy;
	size_t pccap;
};

void calls_import_init(struct calls_import *im, struct db *db)
{
	memset(im, 0, sizeof *im);
	im->db = db;
	struct calls_batch *b = calloc(1, sizeof *b);
	if (!b)
		abort();
	arena_init(&b->arena);
	arena_init(&b->people_arena);
	cb_build_init(&b->build, &b->arena);
	im->batch = b;
}

static void clear_blocks(struct calls_batch *b)
{
	for (size_t i = 0; i < b->nblocks; i++) {
		free(b->blocks[i].old);
		free(b->blocks[i].hashes);
		free(b->blocks[i].lines);
		free(b->blocks[i].set);
	}
	b->nblocks = 0;
	b->last = 0;
	if (b->bindex)
		memset(b->bindex, 0, b->bicap * sizeof *b->bindex);
}

static void clear_callers(struct calls_batch *b)
{
	free(b->callers);
	b->callers = NULL;
	b->ccap = b->cused = 0;
	arena_release(&b->people_arena);
	arena_init(&b->people_arena);
}

void calls_import_release(struct calls_import *im)
{
	struct calls_batch *b = im->batch;
	if (!b)
		return;
	clear_blocks(b);
	free(b->blocks);
	free(b->bindex);
	cb_build_free(&b->build);
	arena_release(&b->arena);
	clear_callers(b);
	arena_release(&b->people_arena);
	free(b->pv);
	free(b->pcopy);
	free(b);
	im->batch = NULL;
}

static void *more(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	size_t n = *cap ? *cap : 16;
	while (n < need)
		n *= 2;
	p = realloc(p, n * size);
	if (!p)
		abort();
	*cap = n;
	return p;
}

/* ---- the blocks touched ---- */

static int old_hashes(void *ctx, const struct cb_seg *s, struct err *e)
{
	(void)e;
	struct pblock *p = ctx;
	if (!s->nhashes)
		return 0;
	size_t cap = p->nold;
	p->old = more(p->old, &cap, p->nold + s->nhashes, sizeof *p->old);
	memcpy(p->old + p->nold, s->hashes, s->nhashes * sizeof *s->hashes);
	p->nold += s->nhashes;
	return 0;
}


static size_t slot_of(int64_t start, size_t cap)
{
	return (size_t)(((uint64_t)start / CB_BLOCK) * 0x9e3779b97f4a7c15ull >> 20) & (cap - 1);
}

/* The batch's block starting at start, its stored hashes read when first touched. */
static struct pblock *block_of(struct calls_import *im, int64_t start, struct err *e)
{
	struct calls_batch *b = im->batch;
	if (b->last && b->blocks[b->last - 1].start == start)
		return &b->blocks[b->last - 1];
	if (b->nblocks * 2 >= b->bicap) {
		size_t cap = b->bicap ? b->bicap * 2 : 256;
		size_t *t = calloc(cap, sizeof *t);
		if (!t)
			abort();
		for (size_t i = 0; i < b->nblocks; i++) {
			size_t j = slot_of(b->blocks[i].start, cap);
			while (t[j])
				j = (j + 1) & (cap - 1);
			t[j] = i + 1;
		}
		free(b->bindex);
		b->bindex = t;
		b->bicap = cap;
	}
	size_t j = slot_of(start, b->bicap);
	for (; b->bindex[j]; j = (j + 1) & (b->bicap - 1))
		if (b->blocks[b->bindex[j] - 1].start == start) {
			b->last = b->bindex[j];
			return &b->blocks[b->last - 1];
		}
	b->blocks = more(b->blocks, &b->bcap, b->nblocks + 1, sizeof *b->blocks);
	struct pblock *p = &b->blocks[b->nblocks];
	memset(p, 0, sizeof *p);
	p->start = start;
	if (cb_each_seg(im->db, start, start + 1, CB_HASHES, old_hashes, p, e) < 0) {
		free(p->old);
		return NULL;
	}
	/* a merged block's are sorted; several segments' are sorted together */
	cb_sort_u64(p->old, p->nold);
	b->bindex[j] = ++b->nblocks;
	b->last = b->nblocks;
	return p;
}

static int stored(const struct pblock *p, uint64_t h)
{
	size_t lo = 0, hi = p->nold;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (p->old[mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->nold && p->old[lo] == h;
}

/* h added to the block's new hashes: 1, or 0 when it was there. A set per block stays
 * in the cache while a log's lines fill that hour (one for the batch did not: a miss a
 * line). */
static int seen_add(struct pblock *b, uint64_t h)
{
	if (!h) {
		if (b->zero)
			return 0;
		return b->zero = 1;
	}
	if (b->sused * 2 >= b->scap) {
		size_t cap = b->scap ? b->scap * 2 : 1024;
		uint64_t *t = calloc(cap, sizeof *t);
		if (!t)
			abort();
		for (size_t i = 0; i < b->scap; i++)
			if (b->set[i]) {
				size_t j = b->set[i] & (cap - 1);
				while (t[j])
					j = (j + 1) & (cap - 1);
				t[j] = b->set[i];
			}
		free(b->set);
		b->set = t;
		b->scap = cap;
	}
	size_t j = h & (b->scap - 1);
	for (; b->set[j]; j = (j + 1) & (b->scap - 1))
		if (b->set[j] == h)
			return 0;
	b->set[j] = h;
	b->sused++;
	return 1;
}

static void bad(struct calls_import *im, enum ql_error why)
{
	im->malformed++;
	if (im->nbad < CALLS_BAD_MAX)
		im->bad[im->nbad++] = (struct calls_bad){im->file, im->lineno, ql_error_name(why)};
}

/* One line, src[0..len) (the caller's bytes, unchanged), as its parse found it (l when
 * why is QL_OK). */
static int parsed(struct calls_import *im, const char *src, size_t len, enum ql_error why,
		  const struct ql_line *lp, struct err *e)
{
	im->lines++;
	im->lineno++;
	if (why == QL_E_EMPTY) {
		im->lines--; /* a blank line (the last newline's) is no line */
		return 0;
	}
	if (why) {
		bad(im, why);
		return 0;
	}
	const struct ql_line *l = lp;
	struct pblock *p = block_of(im, cb_block(l->epoch), e);
	if (!p)
		return -1;
	if ((p->nold && stored(p, l->hash)) || !seen_add(p, l->hash)) {
		im->duplicates++;
		return 0;
	}
	if (len && src[len - 1] == '\r')
		len--;
	p->lines = more(p->lines, &p->lcap, p->nl + len + 1, 1);
	memcpy(p->lines + p->nl, src, len);
	p->nl += len;
	p->lines[p->nl++] = '\n';
	p->hashes = more(p->hashes, &p->hcap, p->nh + 1, sizeof *p->hashes);
	p->hashes[p->nh++] = l->hash;
	im->events++;
	cb_build_event(&im->batch->build, l);
	if (im->on_event)
		im->on_event(im->on_event_ctx, l);
	return 0;
}

/* One line, parsed in a copy. */
static int one(struct calls_import *im, const char *src, size_t len, struct err *e)
{
	struct ql_line l;
	memcpy(im->data, src, len);
	enum ql_error why = ql_parse(im->data, len, &l);
	return parsed(im, src, len, why, &l, e);
}

/* ---- the lines of a large piece parsed on a second thread ----
 * The caller's thread finds the lines, a worker parses them in order into copies (the
 * parse writes NULs), publishing how many are done; the caller's thread takes each once
 * parsed: the duplicate check, the calls, the hook stay on it and in the file's order. */
#define PARALLEL_MIN (64u << 10) /* bytes of whole lines worth a second thread */

struct pent {
	size_t off, len;
	enum ql_error why;
	struct ql_line l;
};
struct pjob {
	const char *buf;
	char *copy;
	struct pent *v;
	size_t n;
	_Atomic size_t done;
};

static void *parse_lines(void *arg)
{
	struct pjob *j = arg;
	for (size_t i = 0; i < j->n; i++) {
		struct pent *x = &j->v[i];
		if (x->why != QL_E_LONG) {
			char *c = j->copy + x->off + i;
			memcpy(c, j->buf + x->off, x->len);
			x->why = ql_parse(c, x->len, &x->l);
		}
		if ((i & 63) == 63)
			atomic_store_explicit(&j->done, i + 1, memory_order_release);
	}
	atomic_store_explicit(&j->done, j->n, memory_order_release);
	return NULL;
}

/* buf[0..len), whole lines (len just after a newline), nothing carried before them. */
static int parallel(struct calls_import *im, const char *buf, size_t len, struct err *e)
{
	struct calls_batch *b = im->batch;
	size_t n = 0;
	for (const char *p = buf, *end = buf + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		b->pv = more(b->pv, &b->pvcap, n + 1, sizeof *b->pv);
		struct pent *x = &b->pv[n++];
		x->off = (size_t)(p - buf);
		x->len = (size_t)(nl - p);
		/* longer than any line may be: counted once (as calls_import_text does) */
		x->why = x->len > QL_LINE_MAX + 1 ? QL_E_LONG : QL_OK;
		p = nl + 1;
	}
	b->pcopy = more(b->pcopy, &b->pccap, len + n + 1, 1);
	struct pjob j = {buf, b->pcopy, b->pv, n, 0};
	pthread_t t;
	int threaded = pthread_create(&t, NULL, parse_lines, &j) == 0;
	if (!threaded)
		parse_lines(&j);
	int rc = 0;
	size_t ready = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		for (int spins = 0; i >= ready; spins++) {
			ready = atomic_load_explicit(&j.done, memory_order_acquire);
			if (i >= ready && spins > 64)
				sched_yield();
		}
		struct pent *x = &b->pv[i];
		rc = parsed(im, buf + x->off, x->len, x->why, &x->l, e);
	}
	if (threaded)
		pthread_join(t, NULL);
	return rc;
}

int calls_import_text(struct calls_import *im, const char *buf, size_t len, struct err *e)
{
	const char *p = buf, *end = buf + len;
	if (!im->ncarry && !im->skipping && len >= PARALLEL_MIN) {
		const char *last = memrchr(buf, '\n', len);
		if (last && last - buf >= (ptrdiff_t)PARALLEL_MIN / 2) {
			if (parallel(im, buf, (size_t)(last - buf) + 1, e) < 0)
				return -1;
			p = last + 1;
		}
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t k = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (im->skipping || im->ncarry + k > QL_LINE_MAX + 1) {
			/* longer than any line may be: counted once, the rest skipped */
			if (!im->skipping) {
				im->lines++;
				im->lineno++;
				bad(im, QL_E_LONG);
				im->skipping = 1;
			}
			im->ncarry = 0;
			if (nl)
				im->skipping = 0;
		} else if (!nl) {
			memcpy(im->carry + im->ncarry, p, k);
			im->ncarry += k;
		} else if (im->ncarry) {
			memcpy(im->carry + im->ncarry, p, k);
			size_t n = im->ncarry + k;
			im->ncarry = 0;
			if (one(im, im->carry, n, e) < 0)
				return -1;
		} else if (one(im, p, k, e) < 0) {
			return -1;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

int calls_import_finish(struct calls_import *im, struct err *e)
{
	if (im->ncarry && !im->skipping) {
		size_t n = im->ncarry;
		im->ncarry = 0;
		if (one(im, im->carry, n, e) < 0)
			return -1;
	}
	im->ncarry = 0;
	im->skipping = 0;
	return calls_import_flush(im, e);
}

/* ---- the flush ---- */

/* The person whose mobile on record is the caller's number, when exactly one is; known
 * callers from a cache. */
static int64_t caller_person(struct calls_import *im, const char *caller)
{
	struct calls_batch *b = im->batch;
	uint64_t h = cb_key(caller, "");
	if (b->cused * 2 >= b->ccap) {
		size_t cap = b->ccap ? b->ccap * 2 : 1024;
		struct known_caller **t = calloc(cap, sizeof(struct known_caller *));
		if (!t)
			abort();
		for (size_t i = 0; i < b->ccap; i++)
			if (b->callers[i]) {
				size_t j = (b->callers[i]->h >> 1) & (cap - 1);
				while (t[j])
					j = (j + 1) & (cap - 1);
				t[j] = b->callers[i];
			}
		free(b->callers);
		b->callers = t;
		b->ccap = cap;
	}
	size_t j = (h >> 1) & (b->ccap - 1);
	for (struct known_caller *k; (k = b->callers[j]); j = (j + 1) & (b->ccap - 1))
		if (k->h == h && !strcmp(k->caller, caller))
			return k->person;
	struct known_caller *k = arena_alloc(&b->people_arena, sizeof *k);
	k->h = h;
	k->caller = arena_strdup(&b->people_arena, caller);
	char *mobile = text_mobile(&b->people_arena, caller);
	int64_t ids[2];
	k->person = mobile && people_find_mobile(im->db, mobile, ids, 2) == 1 ? ids[0] : 0;
	b->callers[j] = k;
	b->cused++;
	return k->person;
}

/* Keys of the calls stored in a range of blocks (a set; 0 never a key: cb_key sets bit 0). */
struct keyset {
	uint64_t *t;
	size_t cap, used;
};
static void key_add(struct keyset *s, uint64_t k)
{
	if (s->used * 2 >= s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		uint64_t *t = calloc(cap, sizeof *t);
		if (!t)
			abort();
		for (size_t i = 0; i < s->cap; i++)
			if (s->t[i]) {
				size_t j = (s->t[i] >> 1) & (cap - 1);
				while (t[j])
					j = (j + 1) & (cap - 1);
				t[j] = s->t[i];
			}
		free(s->t);
		s->t = t;
		s->cap = cap;
	}
	size_t j = (k >> 1) & (s->cap - 1);
	for (; s->t[j]; j = (j + 1) & (s->cap - 1))
		if (s->t[j] == k)
			return;
	s->t[j] = k;
	s->used++;
}
static int key_has(const struct keyset *s, uint64_t k)
{
	if (!s->used)
		return 0;
	for (size_t j = (k >> 1) & (s->cap - 1); s->t[j]; j = (j + 1) & (s->cap - 1))
		if (s->t[j] == k)
			return 1;
	return 0;
}
static int stored_keys(void *ctx, const struct cb_seg *s, struct err *e)
{
	(void)e;
	for (size_t i = 0; i < s->ncalls; i++)
		key_add(ctx, s->calls[i].key);
	return 0;
}

/* Things by the block they go to, in the order added within a block. */
struct to_block {
	int64_t start;
	size_t i;
	void *p;
};
static int by_block(const void *a, const void *b)
{
	const struct to_block *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}
/* sorted unless already (a log read in its order mostly is) */
static void sort_blocks(struct to_block *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (v[i].start < v[i - 1].start) {
			qsort(v, n, sizeof *v, by_block);
			return;
		}
}
static int by_start(const void *a, const void *b)
{
	int64_t x = ((const struct pblock *)a)->start, y = ((const struct pblock *)b)->start;
	return x < y ? -1 : x > y;
}

/* The calls of the batch: their person, whether any of theirs was stored near them. */
static int settle_calls(struct calls_import *im, struct cb_call **calls, size_t n,
			struct err *e)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	int callers = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t a = cb_block(cb_anchor(calls[i]));
		lo = a < lo ? a : lo;
		hi = a > hi ? a : hi;
		callers |= calls[i]->caller != NULL;
	}
	if (callers) {
		/* a large batch keeps the callers it looked up; a small one (a followed log's
		 * second) looks again, so that a person added meanwhile is found */
		if (n < 1000 || im->batch->cused > 200000)
			clear_callers(im->batch);
		int64_t one_v[1] = {0};
		int any = db_run_ints(im->db, "SELECT 1 FROM people WHERE mobile IS NOT NULL AND "
					      "id > $1 LIMIT 1",
				      1, one_v);
		if (any < 0)
			return db_fail(im->db, e);
		for (size_t i = 0; any && i < n; i++)
			if (calls[i]->caller)
				calls[i]->person_id = caller_person(im, calls[i]->caller);
	}
	struct keyset ks = {0};
	if (cb_each_seg(im->db, lo - CB_MARGIN, hi + CB_MARGIN + CB_BLOCK, CB_CALLS, stored_keys,
			&ks, e) < 0) {
		free(ks.t);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		calls[i]->first = !key_has(&ks, calls[i]->key);
		im->calls += calls[i]->first;
	}
	free(ks.t);
	return 0;
}

int calls_import_flush(struct calls_import *im, struct err *e)
{
	struct calls_batch *b = im->batch;
	struct cb_build *bd = &b->build;
	size_t nc = bd->ncalls, ns = bd->nseen;
	int rc = nc ? settle_calls(im, bd->clist, nc, e) : 0;
	struct to_block *calls = malloc((nc + 1) * sizeof *calls);
	struct to_block *seen = malloc((ns + 1) * sizeof *seen);
	struct cb_call **cv = malloc((nc + 1) * sizeof(struct cb_call *));
	struct cb_seen **sv = malloc((ns + 1) * sizeof(struct cb_seen *));
	if (!calls || !seen || !cv || !sv)
		abort();
	for (size_t i = 0; i < nc; i++)
		calls[i] = (struct to_block){cb_block(cb_anchor(bd->clist[i])), i, bd->clist[i]};
	for (size_t i = 0; i < ns; i++)
		seen[i] = (struct to_block){cb_block(bd->slist[i]->slot), i, bd->slist[i]};
	sort_blocks(calls, nc);
	sort_blocks(seen, ns);
	for (size_t i = 0; i < nc; i++)
		cv[i] = calls[i].p;
	for (size_t i = 0; i < ns; i++)
		sv[i] = seen[i].p;
	if (b->nblocks)
		qsort(b->blocks, b->nblocks, sizeof *b->blocks, by_start);
	/* each block with new lines, calls or agents: one segment */
	size_t ib = 0, ic = 0, is = 0;
	while (rc == 0) {
		int64_t start = INT64_MAX;
		while (ib < b->nblocks && !b->blocks[ib].nh)
			ib++;
		if (ib < b->nblocks)
			start = b->blocks[ib].start;
		if (ic < nc && calls[ic].start < start)
			start = calls[ic].start;
		if (is < ns && seen[is].start < start)
			start = seen[is].start;
		if (start == INT64_MAX)
			break;
		struct pblock *p = ib < b->nblocks && b->blocks[ib].start == start ? &b->blocks[ib++]
										  : NULL;
		size_t c0 = ic, s0 = is;
		while (ic < nc && calls[ic].start == start)
			ic++;
		while (is < ns && seen[is].start == start)
			is++;
		struct cb_blobs blob = {0};
		if (ic > c0 || is > s0)
			cb_encode(cv + c0, ic - c0, sv + s0, is - s0, start, &blob);
		if (p)
			cb_sort_u64(p->hashes, p->nh);
		rc = cb_put(im->db, start, p ? p->hashes : NULL, p ? p->nh : 0, p ? p->lines : NULL,
			    p ? p->nl : 0, &blob, e);
		cb_blobs_free(&blob);
	}
	free(calls);
	free(seen);
	free(cv);
	free(sv);
	clear_blocks(b);
	cb_build_clear(bd);
	arena_release(&b->arena);
	arena_init(&b->arena);
	return rc;
}

void calls_import_write(const struct calls_import *im, struct jw *w)
{
	jw_object(w, NULL);
	jw_int(w, "lines", im->lines);
	jw_int(w, "events", im->events);
	jw_int(w, "duplicates", im->duplicates);
	jw_int(w, "malformed", im->malformed);
	jw_array(w, "malformed_lines");
	for (int i = 0; i < im->nbad; i++) {
		jw_object(w, NULL);
		if (im->bad[i].file)
			jw_str(w, "file", im->bad[i].file);
		jw_int(w, "line", im->bad[i].line);
		jw_str(w, "reason", im->bad[i].reason);
		jw_end(w);
	}
	jw_end(w);
	jw_int(w, "calls", im->calls);
	jw_end(w);
}
