/* The events told once committed (calls.h): collected during an import, handed to the
 * listeners after the commit: the screen pop and the wallboard. */
#include "calls/calls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "calls/board.h"
#include "calls/queuelog.h"
#include "live/live.h"

void calls_feed_init(struct calls_feed *f)
{
	memset(f, 0, sizeof *f);
}

void calls_feed_release(struct calls_feed *f)
{
	free(f->text);
	free(f->items);
	memset(f, 0, sizeof *f);
}

void calls_feed_clear(struct calls_feed *f)
{
	f->len = f->n = 0;
}

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	size_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	void *q = realloc(p, c * size);
	if (!q)
		abort();
	*cap = c;
	return q;
}

void calls_feed_hook(void *ctx, const struct ql_line *l)
{
	struct calls_feed *f = ctx;
	/* the line as the file had it: parsed again at dispatch, as calls_events_each does */
	char line[QL_LINE_MAX + 1];
	int n = snprintf(line, sizeof line, "%lld|%s|%s|%s|%s", (long long)l->epoch, l->callid,
			 l->queue, l->agent, l->event_name);
	for (int i = 0; i < l->ndata && n > 0 && (size_t)n < sizeof line; i++)
		n += snprintf(line + n, sizeof line - (size_t)n, "|%s", l->data[i]);
	if (n < 0 || (size_t)n >= sizeof line)
		return; /* longer than a line may be: it did not parse as one */
	f->text = grow(f->text, &f->cap, f->len + (size_t)n + 1, 1);
	f->items = grow(f->items, &f->nmax, f->n + 1, sizeof *f->items);
	f->items[f->n++] = (struct calls_feed_item){f->len, 0};
	memcpy(f->text + f->len, line, (size_t)n + 1);
	f->len += (size_t)n + 1;
}

int calls_feed_line(const struct calls_feed *f, size_t i, char *line, struct ql_line *l)
{
	const char *t = f->text + f->items[i].off;
	size_t n = strlen(t);
	memcpy(line, t, n + 1);
	return ql_parse(line, n, l) == QL_OK;
}

void calls_dispatch(const struct app *app, const struct calls_feed *f)
{
	char line[QL_LINE_MAX + 1];
	for (size_t i = 0; i < f->n; i++) {
		struct ql_line l;
		if (!calls_feed_line(f, i, line, &l))
			continue;
		/* the screen pop: the agent's account hears of its call */
		if (f->items[i].user_id && app)
			live_call(app->live, f->items[i].user_id, l.callid, l.queue, l.epoch);
		/* the wallboard */
		if (app)
			board_feed(app->board, &l);
	}
}
