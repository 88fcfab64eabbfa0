/* The phone line's blocks (blocks.h): the merge rules of a call, the calls blob, reading
 * and writing segments, merging a block, and the calls of a time range. */
#include "calls/blocks.h"

#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "base/text.h"
#include "calls/queuelog.h"
#include "people/people.h"
#include "store/store.h"

uint64_t cb_hash(const void *p, size_t n, uint64_t seed)
{
	const uint64_t k = 0x9e3779b97f4a7c15ull;
	const char *s = p;
	uint64_t h = seed ^ (n * k);
	for (; n >= 8; s += 8, n -= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	uint64_t w = 0;
	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)(unsigned char)s[i] << (8 * i);
	h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
	return h ^ h >> 31;
}

uint64_t cb_key(const char *callid, const char *queue)
{
	return (cb_hash(callid, strlen(callid), 0x1420) * 31 ^
		cb_hash(queue, strlen(queue), 0x51)) |
	       1;
}

void cb_sort_u64(uint64_t *v, size_t n)
{
	if (n < 64) {
		for (size_t i = 1; i < n; i++) {
			uint64_t x = v[i];
			size_t j = i;
			for (; j && v[j - 1] > x; j--)
				v[j] = v[j - 1];
			v[j] = x;
		}
		return;
	}
	uint64_t *tmp = malloc(n * sizeof *tmp);
	if (!tmp)
		abort();
	/* eight passes of a byte each, every count taken in one read; a byte the same in
	 * every hash is no pass */
	static _Thread_local size_t count[8][256];
	memset(count, 0, sizeof count);
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < 8; k++)
			count[k][v[i] >> (8 * k) & 0xff]++;
	uint64_t *a = v, *b = tmp;
	for (int k = 0; k < 8; k++) {
		size_t *c = count[k], sum = 0;
		if (c[v[0] >> (8 * k) & 0xff] == n)
			continue;
		for (int i = 0; i < 256; i++) {
			size_t x = c[i];
			c[i] = sum;
			sum += x;
		}
		for (size_t i = 0; i < n; i++)
			b[c[a[i] >> (8 * k) & 0xff]++] = a[i];
		uint64_t *t = a;
		a = b;
		b = t;
	}
	if (a != v)
		memcpy(v, a, n * sizeof *v);
	free(tmp);
}

/* The outcomes by strength: a caller answered in the end was answered, whatever else
 * the log says of them. */
static const char *const outcomes[] = {NULL,	     "empty",	 "key",	     "timeout",
					"withdraw", "abandoned", "transfer", "answered"};

/* outcomes' ranks by event */
static int rank_of(enum ql_event ev)
{
	static const int ranks[QL_NEVENTS] = {
	    [QL_EXITEMPTY] = 1,	 [QL_EXITWITHKEY] = 2,	      [QL_EXITWITHTIMEOUT] = 3,
	    [QL_WITHDRAW] = 4,	 [QL_ABANDON] = 5,	      [QL_TRANSFER] = 6,
	    [QL_BLINDTRANSFER] = 6, [QL_ATTENDEDTRANSFER] = 6, [QL_COMPLETEAGENT] = 7,
	    [QL_COMPLETECALLER] = 7,
	};
	return ev > 0 && ev < QL_NEVENTS ? ranks[ev] : 0;
}

const char *cb_outcome(int rank)
{
	return rank > 0 && rank < 8 ? outcomes[rank] : NULL;
}

static void at_least(int64_t *v, int64_t x)
{
	if (x >= 0 && x > *v)
		*v = x;
}
static void at_most(int64_t *v, int64_t x)
{
	if (x >= 0 && (*v < 0 || x < *v))
		*v = x;
}

void cb_call_merge(struct cb_call *into, const struct cb_call *from)
{
	at_most(&into->entered, from->entered);
	at_most(&into->connected, from->connected);
	at_least(&into->ended, from->ended);
	at_least(&into->wait_s, from->wait_s);
	at_least(&into->talk_s, from->talk_s);
	at_most(&into->first_at, from->first_at);
	if (from->rank > into->rank)
		into->rank = from->rank;
	if (!into->caller)
		into->caller = from->caller;
	if (!into->agent)
		into->agent = from->agent;
	if (!into->person_id)
		into->person_id = from->person_id;
	into->first |= from->first;
}

/* ---- gathering ---- */

static void *room(void *p, size_t *cap, size_t n, size_t size)
{
	if (n <= *cap)
		return p;
	*cap = n + n / 2 + 16;
	p = realloc(p, *cap * size);
	if (!p)
		abort();
	return p;
}


void cb_build_init(struct cb_build *b, struct arena *a)
{
	memset(b, 0, sizeof *b);
	b->arena = a;
}

void cb_build_clear(struct cb_build *b)
{
	if (b->calls)
		memset(b->calls, 0, b->ccap * sizeof *b->calls);
	if (b->recent)
		memset(b->recent, 0, CB_RECENT * sizeof *b->recent);
	if (b->seen)
		memset(b->seen, 0, b->scap * sizeof(struct cb_seen *));
	b->ncalls = b->nseen = 0;
}

void cb_build_free(struct cb_build *b)
{
	free(b->calls);
	free(b->recent);
	b->recent = NULL;
	free(b->seen);
	free(b->clist);
	free(b->slist);
	b->clist = NULL;
	b->slist = NULL;
	b->clcap = b->slcap = 0;
	b->calls = NULL;
	b->seen = NULL;
	b->ccap = b->scap = b->ncalls = b->nseen = 0;
}

/* Open addressing by a hash: a table of pointers to things whose first field is their
 * hash, grown at half full. */
static void *grow(void *table, size_t *cap, size_t used)
{
	if (used * 2 < *cap)
		return table;
	size_t ncap = *cap ? *cap * 2 : 1024;
	uint64_t **t = calloc(ncap, sizeof *t), **old = table;
	if (!t)
		abort();
	for (size_t i = 0; i < *cap; i++)
		if (old[i]) {
			size_t j = (*old[i] >> 1) & (ncap - 1);
			while (t[j])
				j = (j + 1) & (ncap - 1);
			t[j] = old[i];
		}
	free(old);
	*cap = ncap;
	return t;
}

static struct cb_call *find_call(struct cb_build *b, uint64_t key, const char *callid,
				 const char *queue);

struct cb_call *cb_build_call(struct cb_build *b, uint64_t key, const char *callid,
			      const char *queue)
{
	if (!b->recent) {
		b->recent = calloc(CB_RECENT, sizeof *b->recent);
		if (!b->recent)
			abort();
	}
	struct cb_slot_call *r = &b->recent[(key >> 20) & (CB_RECENT - 1)];
	if (r->c && r->key == key && !strcmp(r->c->callid, callid) && !strcmp(r->c->queue, queue))
		return r->c;
	struct cb_call *c = find_call(b, key, callid, queue);
	*r = (struct cb_slot_call){key, c};
	return c;
}

static struct cb_call *find_call(struct cb_build *b, uint64_t key, const char *callid,
				 const char *queue)
{
	if (b->ncalls * 2 >= b->ccap) {
		size_t cap = b->ccap ? b->ccap * 2 : 1024;
		struct cb_slot_call *t = calloc(cap, sizeof *t);
		if (!t)
			abort();
		for (size_t i = 0; i < b->ccap; i++)
			if (b->calls[i].c) {
				size_t j = (b->calls[i].key >> 1) & (cap - 1);
				while (t[j].c)
					j = (j + 1) & (cap - 1);
				t[j] = b->calls[i];
			}
		free(b->calls);
		b->calls = t;
		b->ccap = cap;
	}
	size_t j = (key >> 1) & (b->ccap - 1);
	for (; b->calls[j].c; j = (j + 1) & (b->ccap - 1)) {
		struct cb_call *c = b->calls[j].c;
		if (b->calls[j].key == key && !strcmp(c->callid, callid) && !strcmp(c->queue, queue))
			return c;
	}
	struct cb_call *c = arena_alloc(b->arena, sizeof *c);
	c->key = key;
	c->callid = arena_strdup(b->arena, callid);
	c->queue = arena_strdup(b->arena, queue);
	c->entered = c->connected = c->ended = c->wait_s = c->talk_s = c->first_at = -1;
	b->calls[j] = (struct cb_slot_call){key, c};
	b->clist = room(b->clist, &b->clcap, b->ncalls + 1, sizeof(struct cb_call *));
	b->clist[b->ncalls++] = c;
	return c;
}

void cb_build_seen(struct cb_build *b, int64_t slot, const char *queue, const char *agent)
{
	uint64_t h = (cb_key(agent, queue) ^ ((uint64_t)slot * 0x9e3779b97f4a7c15ull)) | 1;
	b->seen = grow(b->seen, &b->scap, b->nseen);
	size_t j = (h >> 1) & (b->scap - 1);
	for (struct cb_seen *s; (s = b->seen[j]); j = (j + 1) & (b->scap - 1))
		if (s->h == h && s->slot == slot && !strcmp(s->agent, agent) &&
		    !strcmp(s->queue, queue))
			return;
	struct cb_seen *s = arena_alloc(b->arena, sizeof *s);
	*s = (struct cb_seen){h, slot, arena_strdup(b->arena, queue), arena_strdup(b->arena, agent)};
	b->seen[j] = s;
	b->slist = room(b->slist, &b->slcap, b->nseen + 1, sizeof(struct cb_seen *));
	b->slist[b->nseen++] = s;
}

void cb_build_event(struct cb_build *b, const struct ql_line *l)
{
	/* agents at work: logged in, a member, paused, rung or on a call */
	int agent = l->agent[0] && strcmp(l->agent, "NONE");
	if (agent)
		cb_build_seen(b, cb_slot(l->epoch), l->queue, l->agent);
	if (!ql_is_call_event(l->event) || l->event == QL_RINGNOANSWER ||
	    l->event == QL_RINGCANCELED)
		return;
	struct cb_call *p = cb_build_call(b, cb_key(l->callid, l->queue), l->callid, l->queue);
	int64_t t = l->epoch, w = l->wait_s, talk = l->talk_s;
	at_most(&p->first_at, t);
	at_least(&p->wait_s, w);
	at_least(&p->talk_s, talk);
	if (agent && !p->agent)
		p->agent = arena_strdup(b->arena, l->agent);
	switch (l->event) {
	case QL_ENTERQUEUE:
		at_most(&p->entered, t);
		if (l->callerid && !p->caller)
			p->caller = arena_strdup(b->arena, l->callerid);
		return;
	case QL_CONNECT:
		at_most(&p->connected, t);
		if (w >= 0)
			at_most(&p->entered, t - w);
		return;
	default:
		break;
	}
	int rank = rank_of(l->event);
	if (!rank)
		return;
	at_least(&p->ended, t);
	if (rank > p->rank)
		p->rank = rank;
	if (rank >= 6 && talk >= 0) {
		at_most(&p->connected, t - talk);
		if (w >= 0)
			at_most(&p->entered, t - talk - w);
	} else if (rank < 6 && w >= 0) {
		at_most(&p->entered, t - w);
	}
}

/* ---- the calls blobs ----
 * calls: a header (magic, calls, seen, bytes of names: uint32 each), the names (queues and
 * agents, each once, each ended by a NUL), the calls as struct rec (times as seconds from
 * the block's start, CB_UNKNOWN when not known), the seen as struct srec.
 * text: for each call in the same order, its person (int64) and its callid, caller and
 * agent, each ended by a NUL (empty: not known). */
#define CB_MAGIC 0x32424343u /* "CCB2" */
#define CB_UNKNOWN INT32_MIN

struct rec {
	uint64_t key;
	int32_t entered, connected, ended, first_at, wait_s, talk_s;
	uint32_t queue;
	uint8_t rank, first, pad[2];
};
struct srec {
	int32_t slot;
	uint32_t queue, agent;
};

static int32_t rel(int64_t t, int64_t start)
{
	return t < 0 ? CB_UNKNOWN : (int32_t)(t - start);
}
static int64_t unrel(int32_t v, int64_t start)
{
	return v == CB_UNKNOWN ? -1 : start + v;
}
static int32_t secs(int64_t v)
{
	return v < 0 ? -1 : v > INT32_MAX ? INT32_MAX : (int32_t)v;
}

struct interner {
	char *buf;
	size_t len, cap;
	struct ientry {
		uint64_t h;
		uint32_t off;
	} *t;
	size_t tcap, used;
};

static void put(char **buf, size_t *len, size_t *cap, const void *p, size_t n)
{
	if (*len + n > *cap) {
		*cap = (*len + n) * 2 + 256;
		*buf = realloc(*buf, *cap);
		if (!*buf)
			abort();
	}
	memcpy(*buf + *len, p, n);
	*len += n;
}

/* s once among the names */
static uint32_t intern(struct interner *in, const char *s)
{
	if (in->used * 2 >= in->tcap) {
		size_t ncap = in->tcap ? in->tcap * 2 : 64;
		struct ientry *t = calloc(ncap, sizeof *t);
		if (!t)
			abort();
		for (size_t i = 0; i < in->tcap; i++)
			if (in->t[i].h) {
				size_t j = (in->t[i].h >> 1) & (ncap - 1);
				while (t[j].h)
					j = (j + 1) & (ncap - 1);
				t[j] = in->t[i];
			}
		free(in->t);
		in->t = t;
		in->tcap = ncap;
	}
	uint64_t h = cb_hash(s, strlen(s), 7) | 1;
	size_t j = (h >> 1) & (in->tcap - 1);
	for (; in->t[j].h; j = (j + 1) & (in->tcap - 1))
		if (in->t[j].h == h && !strcmp(in->buf + in->t[j].off, s))
			return in->t[j].off;
	in->t[j] = (struct ientry){h, (uint32_t)in->len};
	in->used++;
	put(&in->buf, &in->len, &in->cap, s, strlen(s) + 1);
	return in->t[j].off;
}

void cb_encode(struct cb_call *const *calls, size_t ncalls, struct cb_seen *const *seen,
	       size_t nseen, int64_t start, struct cb_blobs *out)
{
	struct interner in = {0};
	char *recs = NULL, *text = NULL;
	size_t nrecs = 0, crecs = 0, ntext = 0, ctext = 0;
	for (size_t i = 0; i < ncalls; i++) {
		const struct cb_call *c = calls[i];
		struct rec r = {c->key,
				rel(c->entered, start),
				rel(c->connected, start),
				rel(c->ended, start),
				rel(c->first_at, start),
				secs(c->wait_s),
				secs(c->talk_s),
				intern(&in, c->queue),
				(uint8_t)c->rank,
				(uint8_t)c->first,
				{0, 0}};
		put(&recs, &nrecs, &crecs, &r, sizeof r);
		put(&text, &ntext, &ctext, &c->person_id, sizeof c->person_id);
		const char *str[3] = {c->callid, c->caller, c->agent};
		for (int k = 0; k < 3; k++)
			put(&text, &ntext, &ctext, str[k] ? str[k] : "",
			    str[k] ? strlen(str[k]) + 1 : 1);
	}
	for (size_t i = 0; i < nseen; i++) {
		struct srec r = {(int32_t)(seen[i]->slot - start), intern(&in, seen[i]->queue),
				 intern(&in, seen[i]->agent)};
		put(&recs, &nrecs, &crecs, &r, sizeof r);
	}
	uint32_t h[4] = {CB_MAGIC, (uint32_t)ncalls, (uint32_t)nseen, (uint32_t)in.len};
	char *b = malloc(sizeof h + in.len + nrecs + 1);
	if (!b)
		abort();
	memcpy(b, h, sizeof h);
	if (in.len)
		memcpy(b + sizeof h, in.buf, in.len);
	if (nrecs)
		memcpy(b + sizeof h + in.len, recs, nrecs);
	free(in.buf);
	free(in.t);
	free(recs);
	out->calls = b;
	out->calls_len = sizeof h + in.len + nrecs;
	out->text = text;
	out->text_len = ntext;
}

void cb_blobs_free(struct cb_blobs *b)
{
	free(b->calls);
	free(b->text);
	memset(b, 0, sizeof *b);
}

#define CB_LINES_MAX (1u << 30) /* a block's lines; a larger frame is damage */
static const char zstd_magic[4] = {0x28, (char)0xb5, 0x2f, (char)0xfd};

/* The scratch a reader of segments reuses. */
struct reader {
	uint64_t *hashes;
	size_t hcap;
	char *lines; /* decompressed */
	size_t lcap;
	struct cb_call *calls;
	size_t ccap;
	struct cb_seen *seen;
	size_t scap;
};

/* The calls blob (and the text blob when given) into s: 0, or -1 when damaged. */
static int decode(struct reader *rd, const char *b, size_t len, const char *text, size_t tlen,
		  int64_t start, struct cb_seg *s)
{
	uint32_t h[4];
	if (len < sizeof h)
		return -1;
	memcpy(h, b, sizeof h);
	const char *names = b + sizeof h;
	size_t nn = h[3];
	if (h[0] != CB_MAGIC || len != sizeof h + nn + (size_t)h[1] * sizeof(struct rec) +
					    (size_t)h[2] * sizeof(struct srec) ||
	    (nn && names[nn - 1]))
		return -1;
	rd->calls = room(rd->calls, &rd->ccap, h[1], sizeof *rd->calls);
	rd->seen = room(rd->seen, &rd->scap, h[2], sizeof *rd->seen);
	const char *p = names + nn, *t = text, *tend = text ? text + tlen : NULL;
	for (size_t i = 0; i < h[1]; i++, p += sizeof(struct rec)) {
		struct rec r;
		memcpy(&r, p, sizeof r);
		if (r.queue >= nn)
			return -1;
		struct cb_call *c = &rd->calls[i];
		*c = (struct cb_call){.key = r.key,
				      .queue = names + r.queue,
				      .entered = unrel(r.entered, start),
				      .connected = unrel(r.connected, start),
				      .ended = unrel(r.ended, start),
				      .wait_s = r.wait_s,
				      .talk_s = r.talk_s,
				      .first_at = unrel(r.first_at, start),
				      .rank = r.rank,
				      .first = r.first};
		if (!text)
			continue;
		if (tend - t < 8)
			return -1;
		memcpy(&c->person_id, t, 8);
		t += 8;
		const char **str[3] = {&c->callid, &c->caller, &c->agent};
		for (int k = 0; k < 3; k++) {
			const char *z = memchr(t, 0, (size_t)(tend - t));
			if (!z)
				return -1;
			*str[k] = z > t || !k ? t : NULL;
			t = z + 1;
		}
	}
	for (size_t i = 0; i < h[2]; i++, p += sizeof(struct srec)) {
		struct srec r;
		memcpy(&r, p, sizeof r);
		if (r.queue >= nn || r.agent >= nn)
			return -1;
		rd->seen[i] = (struct cb_seen){0, start + r.slot, names + r.queue, names + r.agent};
	}
	if (text && t != tend)
		return -1;
	s->calls = rd->calls;
	s->ncalls = h[1];
	s->seen = rd->seen;
	s->nseen = h[2];
	s->strs = names;
	s->nstr = nn;
	s->text = text;
	s->ntext = text ? tlen : 0;
	return 0;
}

int cb_blobs_check(const void *calls, size_t calls_len, const void *text, size_t text_len,
		   int64_t start, size_t *ncalls, size_t *nseen)
{
	struct reader rd = {0};
	struct cb_seg s = {0};
	int rc = decode(&rd, calls, calls_len, text, text_len, start, &s);
	*ncalls = s.ncalls;
	*nseen = s.nseen;
	free(rd.calls);
	free(rd.seen);
	free(rd.hashes);
	return rc;
}

/* The person whose mobile on record is the caller's number, when exactly one is. */
static int64_t person_of(struct db *db, struct arena *a, const char *caller)
{
	if (!caller)
		return 0;
	char *mobile = text_mobile(a, caller);
	int64_t ids[2];
	return mobile && people_find_mobile(db, mobile, ids, 2) == 1 ? ids[0] : 0;
}

/* A segment moved from 021 (no hashes): its lines parsed for their hashes and calls. */
static int legacy(struct db *db, struct reader *rd, const char *lines, size_t len, int want,
		  struct cb_seg *s, struct cb_blobs *blob)
{
	struct arena a;
	arena_init(&a);
	struct cb_build b;
	cb_build_init(&b, &a);
	char line[QL_LINE_MAX + 2];
	size_t n = 0;
	for (const char *p = lines, *end = lines + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t k = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct ql_line l;
		if (k <= QL_LINE_MAX) {
			memcpy(line, p, k);
			if (ql_parse(line, k, &l) == QL_OK) {
				rd->hashes = room(rd->hashes, &rd->hcap, n + 1, sizeof *rd->hashes);
				rd->hashes[n++] = l.hash;
				cb_build_event(&b, &l);
			}
		}
		p = nl ? nl + 1 : end;
	}
	cb_sort_u64(rd->hashes, n);
	s->hashes = want & CB_HASHES ? rd->hashes : NULL;
	s->nhashes = want & CB_HASHES ? n : 0;
	int rc = 0;
	if (want & CB_CALLS) {
		struct cb_call **calls = malloc((b.ncalls + 1) * sizeof(struct cb_call *));
		struct cb_seen **seen = malloc((b.nseen + 1) * sizeof(struct cb_seen *));
		if (!calls || !seen)
			abort();
		size_t nc = b.ncalls, ns = b.nseen;
		for (size_t i = 0; i < nc; i++) {
			if (want & CB_TEXT)
				b.clist[i]->person_id = person_of(db, &a, b.clist[i]->caller);
			calls[i] = b.clist[i];
		}
		for (size_t i = 0; i < ns; i++)
			seen[i] = b.slist[i];
		cb_encode(calls, nc, seen, ns, s->start, blob);
		free(calls);
		free(seen);
		rc = decode(rd, blob->calls, blob->calls_len, want & CB_TEXT ? blob->text : NULL,
			    blob->text_len, s->start, s);
	}
	cb_build_free(&b);
	arena_release(&a);
	return rc;
}

int cb_each_seg(struct db *db, int64_t from, int64_t to, int want, cb_seg_fn fn, void *ctx,
		struct err *e)
{
	struct db_stmt *st = db_prepare(
	    db, "SELECT start, seq, events, CASE WHEN hashes IS NULL THEN 1 ELSE 0 END, "
		"CASE WHEN $5 <> 0 THEN calls END, CASE WHEN $6 <> 0 THEN call_text END, "
		"CASE WHEN $3 <> 0 THEN hashes END, "
		"CASE WHEN $4 <> 0 OR hashes IS NULL THEN lines END "
		"FROM call_blocks WHERE start >= $1 AND start < $2 ORDER BY start, seq");
	if (!st)
		return db_fail(db, e);
	db_bind_int(st, 1, from);
	db_bind_int(st, 2, to);
	db_bind_int(st, 3, want & CB_HASHES);
	db_bind_int(st, 4, want & CB_LINES);
	db_bind_int(st, 5, want & CB_CALLS);
	db_bind_int(st, 6, want & CB_TEXT);
	struct reader rd = {0};
	int step, rc = 0;
	while ((step = db_step(st)) == 1) {
		struct cb_seg s = {0};
		s.start = db_col_int(st, 0);
		s.seq = db_col_int(st, 1);
		s.events = db_col_int(st, 2);
		size_t hlen = 0, llen = 0, clen = 0, tlen = 0;
		int old = db_col_int(st, 3) != 0;
		const char *calls = db_col_blob(st, 4, &clen);
		const char *text = db_col_blob(st, 5, &tlen);
		const void *h = db_col_blob(st, 6, &hlen);
		const char *lines = db_col_blob(st, 7, &llen);
		if (lines && llen >= 4 && !memcmp(lines, zstd_magic, 4)) {
			/* compressed by insert: a line never begins with these bytes */
			unsigned long long n = ZSTD_getFrameContentSize(lines, llen);
			if (n == ZSTD_CONTENTSIZE_ERROR || n == ZSTD_CONTENTSIZE_UNKNOWN ||
			    n > CB_LINES_MAX) {
				llen = SIZE_MAX;
			} else {
				rd.lines = room(rd.lines, &rd.lcap, (size_t)n + 1, 1);
				size_t got = ZSTD_decompress(rd.lines, (size_t)n + 1, lines, llen);
				llen = ZSTD_isError(got) || got != n ? SIZE_MAX : got;
				lines = rd.lines;
			}
		}
		struct cb_blobs blob = {0};
		int bad = llen == SIZE_MAX;
		if (bad) {
			llen = 0;
			lines = NULL;
		} else if (old) {
			bad = legacy(db, &rd, lines ? lines : "", lines ? llen : 0, want, &s, &blob);
		} else {
			if (want & CB_HASHES) {
				if (hlen % 8)
					bad = 1;
				rd.hashes = room(rd.hashes, &rd.hcap, hlen / 8 + 1, sizeof *rd.hashes);
				if (hlen)
					memcpy(rd.hashes, h, hlen / 8 * 8);
				s.hashes = rd.hashes;
				s.nhashes = hlen / 8;
			}
			if ((want & CB_CALLS) && calls && clen &&
			    decode(&rd, calls, clen, want & CB_TEXT ? (text ? text : "") : NULL,
				   want & CB_TEXT ? tlen : 0, s.start, &s) < 0)
				bad = 1;
		}
		if (want & CB_LINES) {
			s.lines = lines ? lines : "";
			s.lines_len = lines ? llen : 0;
		}
		if (bad) {
			cb_blobs_free(&blob);
			rc = err_set(e, 500, "internal", "", "call_blocks %lld/%lld is damaged",
				     (long long)s.start, (long long)s.seq);
			break;
		}
		rc = fn(ctx, &s, e);
		cb_blobs_free(&blob);
		if (rc < 0)
			break;
	}
	db_done(st);
	free(rd.hashes);
	free(rd.lines);
	free(rd.calls);
	free(rd.seen);
	if (step < 0 && rc == 0)
		return db_fail(db, e);
	return rc;
}

/* ---- writing ---- */

#define CB_ZSTD_MIN 4096 /* lines shorter than this stay as they are */

/* A block's segments merged into one (merge_seg gathers them). */
struct merging {
	struct cb_build b;
	struct arena arena;
	uint64_t *hashes;
	size_t nh, hcap;
	char *lines;
	size_t nl, lcap;
	int64_t maxseq;
};

static int merge_seg(void *ctx, const struct cb_seg *s, struct err *e)
{
	(void)e;
	struct merging *m = ctx;
	if (s->seq > m->maxseq)
		m->maxseq = s->seq;
	m->hashes = room(m->hashes, &m->hcap, m->nh + s->nhashes + 1, sizeof *m->hashes);
	if (s->nhashes)
		memcpy(m->hashes + m->nh, s->hashes, s->nhashes * sizeof *s->hashes);
	m->nh += s->nhashes;
	m->lines = room(m->lines, &m->lcap, m->nl + s->lines_len + 1, 1);
	if (s->lines_len) {
		memcpy(m->lines + m->nl, s->lines, s->lines_len);
		m->nl += s->lines_len;
		if (m->lines[m->nl - 1] != '\n')
			m->lines[m->nl++] = '\n';
	}
	for (size_t i = 0; i < s->ncalls; i++) {
		const struct cb_call *f = &s->calls[i];
		struct cb_call *c = cb_build_call(&m->b, f->key, f->callid, f->queue);
		const char *caller = c->caller, *agent = c->agent;
		cb_call_merge(c, f);
		if (c->caller != caller)
			c->caller = arena_strdup(&m->arena, c->caller);
		if (c->agent != agent)
			c->agent = arena_strdup(&m->arena, c->agent);
	}
	for (size_t i = 0; i < s->nseen; i++)
		cb_build_seen(&m->b, s->seen[i].slot, s->seen[i].queue, s->seen[i].agent);
	return 0;
}

static int insert(struct db *db, int64_t start, int64_t seq, const uint64_t *hashes, size_t nh,
		  const char *lines, size_t nl, const struct cb_blobs *calls, struct err *e)
{
	struct db_stmt *s = db_prepare(db, "INSERT INTO call_blocks (start, seq, events, calls, "
					   "call_text, hashes, lines) VALUES ($1, $2, $3, $6, $7, "
					   "$4, $5)");
	if (!s)
		return db_fail(db, e);
	db_bind_int(s, 1, start);
	db_bind_int(s, 2, seq);
	db_bind_int(s, 3, (int64_t)nh);
	db_bind_blob(s, 4, nh ? (const void *)hashes : "", nh * sizeof *hashes);
	/* the lines compressed (zstd's fastest level: a fifth of the bytes, half the pages
	 * written twice through the WAL) unless short */
	void *z = NULL;
	size_t zn = 0;
	if (nl >= CB_ZSTD_MIN) {
		size_t bound = ZSTD_compressBound(nl);
		z = malloc(bound);
		if (!z)
			abort();
		zn = ZSTD_compress(z, bound, lines, nl, -1);
		if (ZSTD_isError(zn) || zn >= nl) {
			free(z);
			z = NULL;
		}
	}
	if (z)
		db_bind_blob(s, 5, z, zn);
	else
		db_bind_blob(s, 5, nl ? lines : "", nl);
	if (calls && calls->calls_len) {
		db_bind_blob(s, 6, calls->calls, calls->calls_len);
		db_bind_blob(s, 7, calls->text_len ? calls->text : "", calls->text_len);
	} else {
		db_bind_null(s, 6);
		db_bind_null(s, 7);
	}
	int rc = db_step(s);
	db_done(s);
	free(z);
	return rc < 0 ? db_fail(db, e) : 0;
}

static int merge_block(struct db *db, int64_t start, struct err *e)
{
	struct merging m = {0};
	arena_init(&m.arena);
	cb_build_init(&m.b, &m.arena);
	int rc = cb_each_seg(db, start, start + 1, CB_LINES | CB_HASHES | CB_CALLS | CB_TEXT, merge_seg, &m,
			     e);
	if (rc == 0) {
		cb_sort_u64(m.hashes, m.nh);
		struct cb_call **calls = malloc((m.b.ncalls + 1) * sizeof(struct cb_call *));
		struct cb_seen **seen = malloc((m.b.nseen + 1) * sizeof(struct cb_seen *));
		if (!calls || !seen)
			abort();
		size_t nc = m.b.ncalls, ns = m.b.nseen;
		for (size_t i = 0; i < nc; i++)
			calls[i] = m.b.clist[i];
		for (size_t i = 0; i < ns; i++)
			seen[i] = m.b.slist[i];
		struct cb_blobs blob = {0};
		if (nc || ns)
			cb_encode(calls, nc, seen, ns, start, &blob);
		free(calls);
		free(seen);
		int64_t v[1] = {start};
		if (db_run_ints(db, "DELETE FROM call_blocks WHERE start = $1", 1, v) < 0)
			rc = db_fail(db, e);
		else
			rc = insert(db, start, m.maxseq + 1, m.hashes, m.nh, m.lines, m.nl, &blob,
				    e);
		cb_blobs_free(&blob);
	}
	cb_build_free(&m.b);
	arena_release(&m.arena);
	free(m.hashes);
	free(m.lines);
	return rc;
}

int cb_put(struct db *db, int64_t start, const uint64_t *hashes, size_t nhashes,
	   const char *lines, size_t lines_len, const struct cb_blobs *calls, struct err *e)
{
	struct db_stmt *s = db_prepare(db, "SELECT count(*), COALESCE(max(seq), 0) FROM "
					   "call_blocks WHERE start = $1");
	if (!s)
		return db_fail(db, e);
	db_bind_int(s, 1, start);
	int64_t n = 0, seq = 0;
	int rc = db_step(s);
	if (rc == 1) {
		n = db_col_int(s, 0);
		seq = db_col_int(s, 1);
	}
	db_done(s);
	if (rc < 0)
		return db_fail(db, e);
	if (insert(db, start, seq + 1, hashes, nhashes, lines, lines_len, calls, e) < 0)
		return -1;
	return n + 1 >= CB_MERGE_AT ? merge_block(db, start, e) : 0;
}

/* ---- the calls of a range ---- */

struct gather {
	cb_seen_fn seen;
	void *ctx;
	struct arena arena;
	struct cb_call *v;
	size_t n, cap;
};

static int gather_seg(void *ctx, const struct cb_seg *s, struct err *e)
{
	(void)e;
	struct gather *g = ctx;
	if (g->seen && s->nseen) {
		g->seen(g->ctx, NULL); /* a segment's names begin */
		for (size_t i = 0; i < s->nseen; i++)
			g->seen(g->ctx, &s->seen[i]);
	}
	if (!s->ncalls)
		return 0;
	g->v = room(g->v, &g->cap, g->n + s->ncalls, sizeof *g->v);
	/* the segment's strings kept: each pointer moved into one copy of them */
	char *names = arena_alloc(&g->arena, s->nstr + 1), *text = NULL;
	memcpy(names, s->strs, s->nstr);
	if (s->text) {
		text = arena_alloc(&g->arena, s->ntext + 1);
		memcpy(text, s->text, s->ntext);
	}
	for (size_t i = 0; i < s->ncalls; i++) {
		struct cb_call c = s->calls[i];
		c.queue = names + (c.queue - s->strs);
		if (c.callid)
			c.callid = text + (c.callid - s->text);
		if (c.caller)
			c.caller = text + (c.caller - s->text);
		if (c.agent)
			c.agent = text + (c.agent - s->text);
		c.dead = 0;
		g->v[g->n++] = c;
	}
	return 0;
}

static int by_entry(const void *a, const void *b)
{
	const struct cb_call *x = *(const struct cb_call *const *)a,
			     *y = *(const struct cb_call *const *)b;
	if (x->entered != y->entered)
		return x->entered < y->entered ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return strcmp(x->queue, y->queue);
}

static int same(const struct cb_call *a, const struct cb_call *b)
{
	return a->key == b->key && !strcmp(a->queue, b->queue) &&
	       (!a->callid || !b->callid || !strcmp(a->callid, b->callid));
}

/* The chunk's fragments merged into calls: the fragments written "first" stand alone
 * unless another fragment of theirs is among the others, which are merged by key. */
static void merge_chunk(struct gather *g)
{
	size_t cap = 16, used = 0;
	for (size_t i = 0; i < g->n; i++)
		if (!g->v[i].first)
			used++;
	if (!used)
		return;
	while (cap < used * 2)
		cap *= 2;
	size_t *t = malloc(cap * sizeof *t);
	if (!t)
		abort();
	for (size_t i = 0; i < cap; i++)
		t[i] = SIZE_MAX;
	for (size_t i = 0; i < g->n; i++) {
		struct cb_call *c = &g->v[i];
		if (c->first)
			continue;
		size_t j = (c->key >> 1) & (cap - 1);
		for (; t[j] != SIZE_MAX; j = (j + 1) & (cap - 1))
			if (same(&g->v[t[j]], c))
				break;
		if (t[j] == SIZE_MAX) {
			t[j] = i;
		} else {
			cb_call_merge(&g->v[t[j]], c);
			c->dead = 1;
		}
	}
	for (size_t i = 0; i < g->n; i++) {
		struct cb_call *c = &g->v[i];
		if (!c->first)
			continue;
		size_t j = (c->key >> 1) & (cap - 1);
		for (; t[j] != SIZE_MAX; j = (j + 1) & (cap - 1))
			if (same(&g->v[t[j]], c)) {
				if (!g->v[t[j]].dead) {
					cb_call_merge(c, &g->v[t[j]]);
					g->v[t[j]].dead = 1;
				}
				break;
			}
	}
	free(t);
}

int cb_calls(struct db *db, int64_t from, int64_t to, int64_t chunk, int sorted, int text,
	     cb_call_fn fn, cb_seen_fn seen, void *ctx, struct err *e)
{
	struct gather g = {0};
	g.seen = seen;
	g.ctx = ctx;
	struct cb_call **order = NULL;
	size_t ocap = 0;
	int rc = 0;
	for (int64_t w = from; w < to && rc == 0; w += chunk) {
		int64_t w2 = w + chunk < to ? w + chunk : to;
		arena_init(&g.arena);
		g.n = 0;
		rc = cb_each_seg(db, cb_block(w) - CB_MARGIN, w2 + CB_MARGIN,
				 CB_CALLS | (text ? CB_TEXT : 0), gather_seg, &g, e);
		if (rc == 0) {
			merge_chunk(&g);
			size_t n = 0;
			order = room(order, &ocap, g.n + 1, sizeof(struct cb_call *));
			for (size_t i = 0; i < g.n; i++)
				if (!g.v[i].dead && g.v[i].entered >= w && g.v[i].entered < w2)
					order[n++] = &g.v[i];
			if (sorted)
				qsort(order, n, sizeof(struct cb_call *), by_entry);
			for (size_t i = 0; i < n && rc == 0; i++)
				rc = fn(ctx, order[i], e);
		}
		arena_release(&g.arena);
	}
	free(g.v);
	free(order);
	return rc;
}
