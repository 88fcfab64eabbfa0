/* Reading the phone line back: each call, each event (calls.h), from the hour blocks. */
#include <stdlib.h>
#include <string.h>

#include "calls/blocks.h"
#include "calls/calls.h"
#include "calls/queuelog.h"
#include "store/store.h"

struct each_call {
	calls_each_fn fn;
	void *ctx;
};

static int one_call(void *ctx, const struct cb_call *c, struct err *e)
{
	struct each_call *x = ctx;
	struct calls_call out = {c->callid,	c->queue,    c->caller,	   c->agent,
				 cb_outcome(c->rank), c->person_id, c->entered, c->connected,
				 c->ended,	c->wait_s,   c->talk_s};
	return x->fn(x->ctx, &out, e);
}

int calls_each(struct db *db, int64_t from, int64_t to, calls_each_fn fn, void *ctx,
	       struct err *e)
{
	struct each_call x = {fn, ctx};
	/* a day at a time: a year is read in bounded memory */
	return cb_calls(db, from, to, 86400, 1, 1, one_call, NULL, &x, e);
}

/* The events of one block at a time, gathered from its segments, sorted, then told. */
struct line_at {
	int64_t epoch;
	size_t i, off, len;
};
struct each_event {
	calls_event_fn fn;
	void *ctx;
	int64_t from, to, start;
	char *buf;
	size_t nbuf, cap;
	struct line_at *at;
	size_t n, acap;
};

static int by_time(const void *a, const void *b)
{
	const struct line_at *x = a, *y = b;
	if (x->epoch != y->epoch)
		return x->epoch < y->epoch ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int tell(struct each_event *x, struct err *e)
{
	qsort(x->at, x->n, sizeof *x->at, by_time);
	char line[QL_LINE_MAX + 2];
	int rc = 0;
	for (size_t i = 0; i < x->n && rc == 0; i++) {
		struct ql_line l;
		memcpy(line, x->buf + x->at[i].off, x->at[i].len);
		if (ql_parse(line, x->at[i].len, &l) == QL_OK)
			rc = x->fn(x->ctx, &l, e);
	}
	x->n = x->nbuf = 0;
	return rc;
}

static int gather(void *ctx, const struct cb_seg *s, struct err *e)
{
	struct each_event *x = ctx;
	if (s->start != x->start && x->n && tell(x, e) < 0)
		return -1;
	x->start = s->start;
	char line[QL_LINE_MAX + 2];
	for (const char *p = s->lines, *end = s->lines + s->lines_len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t k = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct ql_line l;
		/* stored only when it parsed, so it parses again */
		if (k && k <= QL_LINE_MAX) {
			memcpy(line, p, k);
			if (ql_parse(line, k, &l) == QL_OK && l.epoch >= x->from && l.epoch < x->to) {
				if (x->nbuf + k > x->cap) {
					x->cap = (x->nbuf + k) * 2;
					x->buf = realloc(x->buf, x->cap);
				}
				if (x->n == x->acap) {
					x->acap = x->acap ? x->acap * 2 : 1024;
					x->at = realloc(x->at, x->acap * sizeof *x->at);
				}
				if (!x->buf || !x->at)
					abort();
				memcpy(x->buf + x->nbuf, p, k);
				x->at[x->n] = (struct line_at){l.epoch, x->n, x->nbuf, k};
				x->n++;
				x->nbuf += k;
			}
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

int calls_events_each(struct db *db, int64_t from, int64_t to, calls_event_fn fn, void *ctx,
		      struct err *e)
{
	struct each_event x = {fn, ctx, from, to, INT64_MIN, NULL, 0, 0, NULL, 0, 0};
	int rc = cb_each_seg(db, cb_block(from), to, CB_LINES, gather, &x, e);
	if (rc == 0 && x.n)
		rc = tell(&x, e);
	free(x.buf);
	free(x.at);
	return rc;
}

/* ---- one call, one person's calls: the screen pop's reads ---- */

/* The time an Asterisk callid names: its uniqueid is "EPOCH.SEQ", or "SYSTEMNAME-EPOCH.SEQ"
 * when asterisk.conf sets systemname (main/channel.c, ast_channel_alloc). 1 and *t, or 0
 * when it names none (a callid from another system). */
static int callid_epoch(const char *id, int64_t *t)
{
	const char *p = strrchr(id, '-');
	p = p ? p + 1 : id;
	int64_t v = 0;
	int digits = 0;
	for (; *p >= '0' && *p <= '9' && digits < 12; p++, digits++)
		v = v * 10 + (*p - '0');
	if (digits < 9 || digits > 10 || *p != '.' || v < 946684800 || v >= 4102444800)
		return 0;
	*t = v;
	return 1;
}

struct find_call {
	const char *callid;
	int64_t person_id;
	calls_each_fn fn;
	void *ctx;
	/* calls_of_person: a day's matches, copied, told latest first */
	struct calls_call *got;
	char **text;
	size_t n, cap;
};

static int find_one(void *ctx, const struct cb_call *c, struct err *e)
{
	struct find_call *x = ctx;
	if (!c->callid || strcmp(c->callid, x->callid) != 0)
		return 0;
	return one_call(&(struct each_call){x->fn, x->ctx}, c, e);
}

int calls_find(struct db *db, const char *callid, int64_t near, calls_each_fn fn, void *ctx,
	       struct err *e)
{
	/* a call enters its queue after its channel is made (the callid's time), within
	 * CB_MARGIN; a callid that names no time is looked for in the two days before near */
	int64_t t, from, to;
	if (callid_epoch(callid, &t)) {
		from = t - CB_BLOCK;
		to = t + CB_MARGIN;
	} else {
		from = near - 2 * 86400;
		to = near + CB_MARGIN;
	}
	struct find_call x = {.callid = callid, .fn = fn, .ctx = ctx};
	return cb_calls(db, from, to, 86400, 1, 1, find_one, NULL, &x, e);
}

static char *dup_or_null(const char *s)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

static int of_person(void *ctx, const struct cb_call *c, struct err *e)
{
	(void)e;
	struct find_call *x = ctx;
	if (c->person_id != x->person_id)
		return 0;
	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 16;
		x->got = realloc(x->got, x->cap * sizeof *x->got);
		x->text = realloc(x->text, x->cap * 4 * sizeof *x->text);
		if (!x->got || !x->text)
			abort();
	}
	char **s = x->text + x->n * 4;
	s[0] = dup_or_null(c->callid);
	s[1] = dup_or_null(c->queue);
	s[2] = dup_or_null(c->caller);
	s[3] = dup_or_null(c->agent);
	x->got[x->n++] = (struct calls_call){s[0],	    s[1],	  s[2],	       s[3],
					     cb_outcome(c->rank), c->person_id, c->entered, c->connected,
					     c->ended,		    c->wait_s,	  c->talk_s};
	return 0;
}

static int latest_first(const void *a, const void *b)
{
	const struct calls_call *x = a, *y = b;
	return x->entered > y->entered ? -1 : x->entered < y->entered;
}

int calls_of_person(struct db *db, int64_t person_id, int max, int64_t now, calls_each_fn fn,
		    void *ctx, struct err *e)
{
	/* no index by person (the import writes none: docs/DECISIONS.md, the hour blocks):
	 * the days are read back from now, CALLS_PERSON_DAYS at most, until max are found */
	struct find_call x = {.person_id = person_id};
	int64_t end = cb_block(now) + CB_BLOCK;
	int rc = 0, told = 0;
	for (int d = 0; d < CALLS_PERSON_DAYS && told < max && rc == 0; d++) {
		int64_t to = end - (int64_t)d * 86400;
		x.n = 0;
		rc = cb_calls(db, to - 86400, to, 86400, 0, 1, of_person, NULL, &x, e);
		if (rc == 0 && x.n)
			qsort(x.got, x.n, sizeof *x.got, latest_first);
		for (size_t i = 0; rc == 0 && i < x.n && told < max; i++, told++)
			rc = fn(ctx, &x.got[i], e);
		for (size_t i = 0; i < x.n * 4; i++)
			free(x.text[i]);
	}
	free(x.got);
	free(x.text);
	return rc;
}
