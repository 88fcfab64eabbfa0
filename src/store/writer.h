/* writer: the single writer thread with group commit.
 * Every write in the server is a job. The writer takes all queued jobs, runs each inside
 * one transaction under its own savepoint (a failing job rolls back alone), commits once
 * (one fsync for the whole group: durable when acknowledged) and then hands each job's
 * result back to the event loop it came from. */
#ifndef TAMIN_STORE_WRITER_H
#define TAMIN_STORE_WRITER_H

#include "base/err.h"
#include "store/store.h"

struct event_base;
struct writer;

struct write_job {
	/* Runs on the writer thread inside the group's transaction: 0 or -1 with e filled. */
	int (*run)(struct db *db, void *arg, struct err *e);
	/* Runs on `base`'s loop once the group is committed (rc < 0: e says why). May be NULL. */
	void (*done)(void *arg, int rc, const struct err *e);
	void *arg;
	struct event_base *base;
	/* Set when a failing job's partial writes may stand (appending audit rows): the
	 * writer then spares the job its savepoint. */
	int no_savepoint;
	/* the writer's own */
	int rc;
	struct err err;
	struct write_job *next;
};

struct writer *writer_start(const char *path, struct err *e);
void writer_submit(struct writer *w, struct write_job *job);
/* Submits job from a thread that is no event loop and waits until its group is
 * committed and its done() (if any) has run; the job may then live on that thread's
 * stack. Returns the job's rc (its err says why). For the server's own periodic writes. */
int writer_submit_wait(struct writer *w, struct write_job *job);
/* Runs the done() of a chain of finished jobs (linked by next, rc and err set): each on
 * its job's loop, with one wake-up per loop for the whole chain; inline when base is NULL.
 * For threads that finish jobs of their own (the audit spool). */
void writer_deliver(struct write_job *chain);
/* Read-your-writes with a replica: once asked, the writer notes the primary's WAL
 * position (db_wal_position) after each commit, before any of the group's replies, and
 * writer_wal gives the latest (0 until then). A reply to a write is therefore sent only
 * when writer_wal is at or past that write's commit. */
void writer_track_wal(struct writer *w);
uint64_t writer_wal(struct writer *w);

/* The writer's connection gives up on a statement the server does not answer in ms
 * (store.h's db_set_timeout): its group fails with 503s. Before the first job. */
void writer_set_timeout(struct writer *w, int ms);

/* Stops after committing every job already submitted. */
void writer_stop(struct writer *w);

/* Runs one job at once on db in its own transaction (for the command line): 0 or -1. */
int writer_run_now(struct db *db, struct write_job *job);

#endif
