/* calls: the phone line's calls, from the events of Asterisk's call queues (queue_log,
 * parsed by calls/queuelog.h). The import stores each event once (the same line twice is
 * a duplicate), builds a row per caller and queue from all its events whatever their
 * order, and links the caller's number to the person with that mobile on record. The
 * figures (offered, answered, abandoned, service level, ...) are defined in figures.c. */
#ifndef TAMIN_CALLS_CALLS_H
#define TAMIN_CALLS_CALLS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

struct app;
struct db;
struct jw;
struct ql_line;
struct req;

#define CALLS_BAD_MAX 100 /* malformed lines listed in a report (all are counted) */

struct calls_bad {
	const char *file; /* the command's file (calls_import.file); NULL for a body */
	int64_t line;
	const char *reason; /* ql_error_name's code */
};

/* An import in progress: lines fed, counts so far. The caller holds the transaction:
 * calls_import_flush writes the calls built so far and must run before each commit. */
struct calls_import {
	struct db *db;
	/* lines: every line but blank ones; calls: calls (a caller in a queue) new to the
	 * database */
	int64_t lines, events, duplicates, malformed, calls;
	int64_t lineno;	  /* the file's line number, blank lines included */
	const char *file; /* the file being read, for the list of malformed lines */
	/* Called with each event new to the database (never a duplicate, never a malformed
	 * line), in the order read, inside the caller's transaction: what is told of it (a
	 * screen pop, the wallboard) must wait for the commit, so a hook copies what it needs
	 * and acts once the transaction committed. l's strings live until the hook returns.
	 * NULL: none. */
	void (*on_event)(void *ctx, const struct ql_line *l);
	void *on_event_ctx;
	struct calls_bad bad[CALLS_BAD_MAX];
	int nbad;
	/* private */
	struct calls_batch *batch; /* the lines and calls since the last flush (store.c) */
	char carry[8192 + 2];
	size_t ncarry;
	int skipping; /* the line in carry grew over the longest a line may be */
	char data[8192 + 2];
};

void calls_import_init(struct calls_import *im, struct db *db);
void calls_import_release(struct calls_import *im);
/* Bytes of a queue_log (lines ended by \n, any chunking): each whole line parsed and
 * stored; the last partial line kept for the next call. 0, or -1 with e (a database
 * error; a malformed line is counted, never an error). */
int calls_import_text(struct calls_import *im, const char *buf, size_t len, struct err *e);
/* The last line when it had no newline, then calls_import_flush. */
int calls_import_finish(struct calls_import *im, struct err *e);
/* Writes the calls the events since the last flush belong to. 0, or -1 with e. */
int calls_import_flush(struct calls_import *im, struct err *e);
/* The counts as the JSON object the command and the route print. */
void calls_import_write(const struct calls_import *im, struct jw *w);

/* ---- following a growing file (follow.c; the loop is `tamin calls follow`) ---- */

/* Where a followed file has been read to: the file (device, inode), the bytes consumed
 * (always just after a newline) and the lines in them. */
struct calls_follow_pos {
	int64_t dev, ino, offset, line;
};
/* The position kept for path: 1 found, 0 none, -1 with e. */
int calls_follow_get(struct db *db, const char *path, struct calls_follow_pos *p, struct err *e);
/* Keeps p for path, inside the caller's transaction (the one that stores the lines it
 * covers). 0, or -1 with e. */
int calls_follow_put(struct db *db, const char *path, const struct calls_follow_pos *p,
		     int64_t now, struct err *e);

/* A followed file: its descriptor (kept across a rename, so a rotated file is read to its
 * end) and the position as kept. The loop around it is the caller's: `tamin calls follow`
 * commits on its own connection, `tamin serve --queue-log` through the writer. */
#define CALLS_FOLLOW_BATCH (1u << 20) /* bytes read at most per commit */
struct calls_follower {
	const char *path;
	char *buf; /* CALLS_FOLLOW_BATCH bytes, the caller's */
	int fd;	   /* -1: not open */
	struct calls_follow_pos pos;
	const atomic_int *stop; /* set (a signal, the server's stop): read no further */
	/* Stores buf[0..len) (whole lines; with finish, a last line without its newline
	 * too) and *next, in one transaction; next->line comes in as the lines before buf
	 * and is set to the lines after it. 0, or -1 with e (the position stays). */
	int (*commit)(void *ctx, const char *buf, size_t len, int finish,
		      struct calls_follow_pos *next, struct err *e);
	void *ctx;
};
/* Opens the file: at f->pos when kept (calls_follow_get found it) and it is the same file
 * (or the kept one, rotated to PATH.1 while stopped, to its end first), else from its
 * start. 1 open, 0 not there yet, -1 with e. */
int calls_follower_start(struct calls_follower *f, int kept, struct err *e);
/* One look: the open file read to its last newline, then the path looked at again: a
 * different file there is a rotation (the old one read to its end by its descriptor, the
 * new one from its start), a file shorter than the position was truncated (read again
 * from its start). 0, or -1 with e. */
int calls_follower_poll(struct calls_follower *f, struct err *e);
void calls_follower_close(struct calls_follower *f);

/* `tamin serve --queue-log FILE`: the follower on a thread of its own, looking every
 * CALLS_TAIL_MS; each batch of lines and its position written by one job of the server's
 * writer (store/writer.h), its new events told (calls_dispatch) once committed. Trouble
 * (the file unreadable, a failed write) is said on stderr and tried again at the next
 * look. calls_tail_stop before the writer stops. NULL with e when the thread cannot
 * start. */
#define CALLS_TAIL_MS 250
struct calls_tail;
struct writer;
struct calls_tail *calls_tail_start(const char *path, struct writer *w, const struct app *app,
				    struct err *e);
void calls_tail_stop(struct calls_tail *t);

/* ---- figures (figures.c) ---- */

enum calls_by { CALLS_BY_15M, CALLS_BY_HOUR, CALLS_BY_DAY, CALLS_BY_MONTH };

struct calls_figures_query {
	int64_t from, to;  /* UTC seconds: [from, to), whole Tehran days */
	enum calls_by by;
	const char *queue; /* NULL: every queue together */
	int sl_seconds;	   /* answered within this many seconds is in service level (20) */
	int short_seconds; /* abandoned within this many seconds is short (5) */
};

/* One call as the figures see it (a row of the calls table); -1 for a time not known. */
struct calls_row {
	int64_t entered, connected, ended, wait_s, talk_s;
	const char *outcome; /* NULL while waiting */
};

/* A period's totals; calls_figure_add counts one call into it, the one place each figure
 * is defined. */
struct calls_figure {
	int64_t start; /* the period's start, UTC */
	int64_t offered, answered, abandoned, abandoned_short, answered_in_sl;
	int64_t wait_answered_sum, talk_sum, talked, longest_wait;
	int64_t agents;
};
void calls_figure_add(struct calls_figure *f, const struct calls_row *c,
		      const struct calls_figures_query *q);
/* The period's JSON object, with its period label in Tehran time. */
void calls_figure_write(const struct calls_figure *f, const struct calls_figures_query *q,
			struct jw *w);

/* Parses from/to (YYYY-MM-DD, Tehran days, to inclusive), by, queue, sl and short seconds
 * as given in text (the command's options or the route's query); NULL takes the default.
 * 0, or -1 with e (400 naming the field: "from", "to", "by", "queue", "sl_seconds",
 * "short_seconds"). */
int calls_figures_parse(const char *from, const char *to, const char *by, const char *queue,
			const char *sl, const char *shrt, struct calls_figures_query *q,
			struct err *e);
/* The rows of q, every period in order, as a JSON array into w. 0, or -1 with e. */
int calls_figures(struct db *db, const struct calls_figures_query *q, struct jw *w,
		  struct err *e);

/* ---- reading them back (read.c): what other modules (the pulse, the wallboard, the
 * public figures) read of the phone line, whatever the tables' layout ---- */

/* One call (a caller's time in one queue); times UTC seconds, -1 when not known; strings
 * NULL when not known, valid until the callback returns. */
struct calls_call {
	const char *callid, *queue, *caller, *agent, *outcome;
	int64_t person_id; /* 0: no person on record has the caller's number */
	int64_t entered, connected, ended, wait_s, talk_s;
};
typedef int (*calls_each_fn)(void *ctx, const struct calls_call *c, struct err *e);
/* Each call that entered a queue in [from, to), by its entry time; fn returning -1 stops
 * with its error. 0, or -1 with e. */
int calls_each(struct db *db, int64_t from, int64_t to, calls_each_fn fn, void *ctx,
	       struct err *e);

/* The calls of callid (a row per queue it entered), by entry time. Looked for around the
 * time an Asterisk callid names (EPOCH.SEQ, SYSTEMNAME-EPOCH.SEQ), or, for one that names
 * none, in the two days before `near` (a time the call is known to be close to: one of its
 * events, a link to it, now). 0, or -1 with e. */
int calls_find(struct db *db, const char *callid, int64_t near, calls_each_fn fn, void *ctx,
	       struct err *e);
/* The latest max calls of person_id (the caller linked by mobile), latest first, among
 * those of the CALLS_PERSON_DAYS days up to now. */
#define CALLS_PERSON_DAYS 31
int calls_of_person(struct db *db, int64_t person_id, int max, int64_t now, calls_each_fn fn,
		    void *ctx, struct err *e);

typedef int (*calls_event_fn)(void *ctx, const struct ql_line *l, struct err *e);
/* Each stored event with a time in [from, to), in time order (the file's order within a
 * second is not kept), parsed again as queuelog.h gives it; fn returning -1 stops with
 * its error. 0, or -1 with e. */
int calls_events_each(struct db *db, int64_t from, int64_t to, calls_event_fn fn, void *ctx,
		      struct err *e);

/* ---- the events told once committed (feed.c) ----
 * Both ways events reach the server (POST /api/v1/calls/events, `serve --queue-log`)
 * collect the new ones with calls_feed_hook (calls_import's on_event), resolve them in the
 * import's transaction, and after the commit hand them to calls_dispatch, which tells each
 * listener: the screen pop (live_call to the agent's account) and the wallboard. */
struct calls_feed_item {
	size_t off;	 /* the event's line in text */
	int64_t user_id; /* a CONNECT to pop: the account of its agent; 0 none */
};
struct calls_feed {
	char *text; /* each event as a queue_log line again, NUL-ended */
	size_t len, cap;
	struct calls_feed_item *items;
	size_t n, nmax;
};
void calls_feed_init(struct calls_feed *f);
void calls_feed_release(struct calls_feed *f);
void calls_feed_clear(struct calls_feed *f);
/* calls_import's on_event: ctx is a struct calls_feed, l is copied. */
/* Item i parsed again into *l, its strings in line (QL_LINE_MAX + 1 bytes): 1, or 0 when
 * it does not parse (it always does: only parsed lines are fed). */
int calls_feed_line(const struct calls_feed *f, size_t i, char *line, struct ql_line *l);
void calls_feed_hook(void *ctx, const struct ql_line *l);
/* In the import's transaction, after its flush (pop.c): keeps the call on each agent's
 * screen (a CONNECT of a call that has not ended, at most CALLS_POP_MAX_AGE old, to an
 * agent an account has: call_screens, and the item's user_id set), and takes it off at
 * the call's end. 0, or -1 with e. */
#define CALLS_POP_MAX_AGE 3600
int calls_feed_resolve(struct calls_feed *f, struct db *db, int64_t now, struct err *e);
/* After the commit: each event, parsed again, to each listener. From any thread. */
void calls_dispatch(const struct app *app, const struct calls_feed *f);

/* ---- calls and cases (pop.c) ---- */
/* call_id of a case created on a call (at now): the call, answered by user_id's telephone
 * agent.
 * 0 and *queue (a's), or -1 with e (400 unknown_call, 403 not_your_call; both naming
 * call_id). */
int calls_check_mine(struct db *db, const char *callid, int64_t user_id, int64_t now,
		     struct arena *a, const char **queue, struct err *e);
/* Links case_id to the call, how "opened" or "touched" (an existing link stays as it
 * is). 0, or -1 with e. */
int calls_link(struct db *db, const char *callid, const char *queue, int64_t case_id,
	       const char *how, int64_t user_id, int64_t now, struct err *e);
/* A case user_id wrote to: linked as touched to the call on their screen, if any. */
int calls_touch(struct db *db, int64_t user_id, int64_t case_id, int64_t now, struct err *e);

/* ---- HTTP (http.c, pop.c) ---- */
void calls_h_events(struct req *r);  /* POST /api/v1/calls/events (telephony) */
void calls_h_figures(struct req *r); /* GET /api/v1/calls/figures (supervisor) */
/* GET /api/v1/calls/{callid} (agent: a call of their own telephone agent; supervisor):
 * the call, the caller's card (the person by mobile on record, their cases and last
 * calls; or not found, with the number), and the cases linked to it. Audited
 * (call_read); an agent is given the caller context, as by identifying the caller. */
void calls_h_get(struct req *r);
/* GET /api/v1/me/call: the call on the asker's screen now ({"call": {callid, queue,
 * at}}, or {"call": null}), as the live stream's `event: call` told it: a screen that
 * reloads or reconnects during a call pops it again. A call connected more than
 * CALLS_SCREEN_HOURS ago whose end never came is not on the screen any more. */
#define CALLS_SCREEN_HOURS 6
void calls_h_mine(struct req *r);
/* GET /api/v1/cases/{id}/calls: the calls linked to a case its reader may read. */
void calls_h_case_calls(struct req *r);

#endif
