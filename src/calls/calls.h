/* calls: the phone line's calls, from the events of Asterisk's call queues (queue_log,
 * parsed by calls/queuelog.h). The import stores each event once (the same line twice is
 * a duplicate), builds a row per caller and queue from all its events whatever their
 * order, and links the caller's number to the person with that mobile on record. The
 * figures (offered, answered, abandoned, service level, ...) are defined in figures.c. */
#ifndef TAMIN_CALLS_CALLS_H
#define TAMIN_CALLS_CALLS_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

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

typedef int (*calls_event_fn)(void *ctx, const struct ql_line *l, struct err *e);
/* Each stored event with a time in [from, to), in time order (the file's order within a
 * second is not kept), parsed again as queuelog.h gives it; fn returning -1 stops with
 * its error. 0, or -1 with e. */
int calls_events_each(struct db *db, int64_t from, int64_t to, calls_event_fn fn, void *ctx,
		      struct err *e);

/* ---- HTTP (http.c) ---- */
void calls_h_events(struct req *r);  /* POST /api/v1/calls/events (telephony) */
void calls_h_figures(struct req *r); /* GET /api/v1/calls/figures (supervisor) */

#endif
