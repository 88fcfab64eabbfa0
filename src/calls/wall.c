/* The wallboard served (board.h): its queues from data/queues.tsv, built at start from the
 * last day's events, fed after each committed import, pushed to supervisors each second it
 * changed, and read by GET /api/v1/calls/board. */
#include "calls/board.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "base/err.h"
#include "base/jw.h"
#include "base/ticker.h"
#include "calls/calls.h"
#include "calls/queuelog.h"
#include "http/http.h"
#include "live/live.h"

/* ---- data/queues.tsv: queue, title, department, topic, alert seconds, demo share ---- */

static int queues_load(const char *data_dir, struct board_queue_conf *out, char **keep,
		       struct err *e)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/queues.tsv", data_dir ? data_dir : "data");
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT)
			return 0; /* no file: queues appear as the log names them */
		return err_set(e, 500, "internal", "", "%s: %s", path, strerror(errno));
	}
	int n = 0, lineno = 0;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0 && n < BOARD_QUEUES_MAX) {
		lineno++;
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		char *fields[6] = {0};
		int k = 0;
		for (char *p = line; k < 6; k++) {
			fields[k] = p;
			char *tab = strchr(p, '\t');
			if (!tab) {
				k++;
				break;
			}
			*tab = 0;
			p = tab + 1;
		}
		char *end;
		long alert = k >= 5 ? strtol(fields[4], &end, 10) : -1;
		if (k < 5 || !fields[0][0] || *end || alert < 0 || alert > 86400) {
			free(line);
			fclose(f);
			return err_set(e, 500, "internal", "",
				       "%s:%d: not queue, title, department, "
				       "topic, alert seconds, share",
				       path, lineno);
		}
		keep[2 * n] = strdup(fields[0]);
		keep[2 * n + 1] = strdup(fields[1]);
		out[n] = (struct board_queue_conf){keep[2 * n], keep[2 * n + 1], (int)alert};
		n++;
	}
	free(line);
	fclose(f);
	return n;
}

static int replay(void *ctx, const struct ql_line *l, struct err *e)
{
	(void)e;
	board_feed(ctx, l);
	return 0;
}

struct board *board_start(struct db *db, const char *data_dir, int64_t now, struct err *e)
{
	struct board_queue_conf qs[BOARD_QUEUES_MAX];
	char *keep[2 * BOARD_QUEUES_MAX] = {0};
	int n = queues_load(data_dir, qs, keep, e);
	struct board *b = n >= 0 ? board_new(qs, n, 20, 5) : NULL;
	for (int i = 0; i < 2 * BOARD_QUEUES_MAX; i++)
		free(keep[i]);
	if (n >= 0 && !b)
		err_set(e, 500, "internal", "", "out of memory for the wallboard");
	if (!b)
		return NULL;
	/* an hour ahead too: a telephone system's clock a little ahead of ours */
	if (db && calls_events_each(db, now - 86400, now + 3600, replay, b, e) < 0) {
		board_free(b);
		return NULL;
	}
	return b;
}

/* ---- pushed each second ---- */

struct board_pusher {
	struct board *b;
	struct live *lv;
	struct ticker *ticker;
	char *last; /* the board last pushed, NULL when no supervisor listened */
};

static int64_t pusher_tick(void *arg)
{
	struct board_pusher *p = arg;
	if (live_supervisors_open(p->lv) == 0) {
		free(p->last); /* the next supervisor to come hears the board at once */
		p->last = NULL;
		return -1;
	}
	struct jw w;
	jw_init(&w);
	board_write(p->b, (int64_t)time(NULL), 0, &w);
	size_t len;
	char *json = jw_take(&w, &len);
	if (!p->last || strcmp(p->last, json)) {
		live_supervisors(p->lv, "board", json, len);
		free(p->last);
		p->last = json;
	} else {
		free(json);
	}
	return -1;
}

struct board_pusher *board_pusher_start(struct board *b, struct live *lv, struct err *e)
{
	struct board_pusher *p = calloc(1, sizeof *p);
	if (!p) {
		err_set(e, 500, "internal", "", "out of memory");
		return NULL;
	}
	p->b = b;
	p->lv = lv;
	if (!(p->ticker = ticker_start(pusher_tick, p, 1000, "the wallboard", e))) {
		free(p);
		return NULL;
	}
	return p;
}

void board_pusher_stop(struct board_pusher *p)
{
	if (!p)
		return;
	ticker_stop(p->ticker);
	free(p->last);
	free(p);
}

/* ---- GET /api/v1/calls/board ---- */

void board_h_get(struct req *r)
{
	if (!r->app->board) {
		reply_errorf(r, 503, "unavailable", "", "the wallboard is off on this server");
		return;
	}
	struct jw w;
	jw_init(&w);
	board_write(r->app->board, req_now(), 1, &w);
	reply_jw(r, 200, &w);
}
