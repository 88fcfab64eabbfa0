/* The calls' routes: the telephone system posts its queue_log lines; the supervisor reads
 * the figures. */
#include "calls/calls.h"

#include "app.h"
#include "base/jw.h"
#include "calls/board.h"
#include "http/http.h"

struct events_job {
	struct req *r;
	struct write_job job;
	struct calls_import im;
	struct board_batch board; /* the new events, for the wallboard after the commit */
};

/* In the writer's transaction: the whole body as one import. */
static int events_run(struct db *db, void *arg, struct err *e)
{
	struct events_job *x = arg;
	x->im.db = db;
	if (calls_import_text(&x->im, x->r->body, x->r->body_len, e) < 0)
		return -1;
	return calls_import_finish(&x->im, e);
}

static void events_done(void *arg, int rc, const struct err *e)
{
	struct events_job *x = arg;
	struct req *r = x->r;
	/* ---- board wiring (i13-board): the committed events to the wallboard; the lead may
	 * move this into the calls' dispatch (feed.c) with the screen pop ---- */
	if (rc == 0)
		board_batch_feed(r->app->board, &x->board);
	board_batch_release(&x->board);
	/* ---- end of board wiring ---- */
	if (rc < 0) {
		calls_import_release(&x->im);
		reply_error(r, e);
		return;
	}
	struct jw w;
	jw_init(&w);
	calls_import_write(&x->im, &w);
	calls_import_release(&x->im);
	reply_jw(r, 200, &w);
}

void calls_h_events(struct req *r)
{
	if (!r->body_len) {
		reply_errorf(r, 400, "missing_field", "body",
			     "the body is queue_log lines (text/plain), and it is empty");
		return;
	}
	struct events_job *x = arena_alloc(&r->arena, sizeof *x);
	x->r = r;
	calls_import_init(&x->im, NULL);
	board_batch_init(&x->board); /* board wiring (i13-board) */
	if (r->app->board) {
		x->im.on_event = board_batch_hook;
		x->im.on_event_ctx = &x->board;
	}
	req_write_job(r, &x->job, events_run, events_done, x);
}

void calls_h_figures(struct req *r)
{
	struct err e = {0};
	struct calls_figures_query q;
	if (calls_figures_parse(req_query(r, "from"), req_query(r, "to"), req_query(r, "by"),
				req_query(r, "queue"), req_query(r, "sl_seconds"),
				req_query(r, "short_seconds"), &q, &e) < 0) {
		reply_error(r, &e);
		return;
	}
	struct jw w;
	jw_init(&w);
	if (calls_figures(req_db(r), &q, &w, &e) < 0) {
		jw_release(&w);
		reply_error(r, &e);
		return;
	}
	reply_jw(r, 200, &w);
}
