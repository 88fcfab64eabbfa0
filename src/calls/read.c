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
