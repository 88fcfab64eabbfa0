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
	struct calls_feed feed; /* the new events, told once committed */
	int64_t now;
};

/* In the writer's transaction: the whole body as one import, and the calls now on
 * agents' screens. */
static int events_run(struct db *db, void *arg, struct err *e)
{
	struct events_job *x = arg;
	x->im.db = db;
	if (calls_import_text(&x->im, x->r->body, x->r->body_len, e) < 0 ||
	    calls_import_finish(&x->im, e) < 0)
		return -1;
	return calls_feed_resolve(&x->feed, db, x->now, e);
}

static void events_done(void *arg, int rc, const struct err *e)
{
	struct events_job *x = arg;
	struct req *r = x->r;
	if (rc == 0)
		calls_dispatch(r->app, &x->feed);
	calls_feed_release(&x->feed);
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
	x->now = req_now();
	calls_import_init(&x->im, NULL);
	calls_feed_init(&x->feed);
	x->im.on_event = calls_feed_hook;
	x->im.on_event_ctx = &x->feed;
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
