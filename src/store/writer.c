#include "store/writer.h"

#include <event2/event.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

#define GROUP_MAX 1024
/* WAL frames past which the checkpointer makes the WAL start over (RESTART): 256 MiB of
 * 4 KiB pages. The file is not cut back after (journal_size_limit): cutting it and growing
 * it again took the soak's p99 of case creations from 20 ms to 314 ms. */
#define WAL_RESTART_FRAMES 65536

struct writer {
	struct db *db;
	struct db *ckpt_db; /* the checkpointer's own connection */
	pthread_t thread, ckpt_thread;
	pthread_mutex_t mu;
	pthread_cond_t cv, ckpt_cv;
	struct write_job *head, *tail;
	int stopping;
	int ckpt_started;
	atomic_int track_wal;
	_Atomic uint64_t wal; /* the primary's WAL position after the last commit */
};

/* Runs the done() of a chain of jobs (linked by next) on their loop. */
static void jobs_finish_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct write_job *j = arg;
	while (j) {
		struct write_job *next = j->next; /* done() may free j */
		j->done(j->arg, j->rc, &j->err);
		j = next;
	}
}

/* Hands the group's results back: one wake-up per loop for the whole group, not one
 * per job (each wake-up is a write to the loop's notify pipe and a context switch). */
void writer_deliver(struct write_job *group)
{
	enum { MAX_BASES = 16 };
	struct event_base *bases[MAX_BASES];
	struct write_job *heads[MAX_BASES], *tails[MAX_BASES];
	int nb = 0;
	struct write_job *j = group;
	while (j) {
		struct write_job *next = j->next;
		j->next = NULL;
		if (!j->done) {
			j = next;
			continue;
		}
		if (!j->base) {
			j->done(j->arg, j->rc, &j->err);
			j = next;
			continue;
		}
		int b = 0;
		while (b < nb && bases[b] != j->base)
			b++;
		if (b == nb) {
			if (nb == MAX_BASES) { /* more loops than slots: deliver this one alone */
				static const struct timeval now = {0, 0};
				event_base_once(j->base, -1, EV_TIMEOUT, jobs_finish_cb, j, &now);
				j = next;
				continue;
			}
			bases[nb] = j->base;
			heads[nb] = tails[nb] = j;
			nb++;
		} else {
			tails[b]->next = j;
			tails[b] = j;
		}
		j = next;
	}
	static const struct timeval now = {0, 0};
	/* event_base_once is safe from another thread once evthread_use_pthreads ran. */
	for (int b = 0; b < nb; b++)
		if (event_base_once(bases[b], -1, EV_TIMEOUT, jobs_finish_cb, heads[b], &now) < 0)
			fprintf(stderr, "tamin: writer cannot hand results back to a loop\n");
}

static void run_group(struct writer *w, struct write_job *group)
{
	int began = db_begin(w->db) == 0;
	for (struct write_job *j = group; j; j = j->next) {
		err_clear(&j->err);
		if (!began) {
			j->rc = db_is_unavailable(w->db)
				    ? db_fail(w->db, &j->err)
				    : err_set(&j->err, 503, "unavailable", "", "database busy: %s",
					      db_errmsg(w->db));
			continue;
		}
		if (j->no_savepoint) {
			j->rc = j->run(w->db, j->arg, &j->err);
			continue;
		}
		db_exec(w->db, "SAVEPOINT job");
		j->rc = j->run(w->db, j->arg, &j->err);
		if (j->rc < 0)
			db_exec(w->db, "ROLLBACK TO job");
		db_exec(w->db, "RELEASE job");
	}
	if (began && db_commit(w->db) < 0) {
		char msg[200];
		snprintf(msg, sizeof msg, "%s", db_errmsg(w->db));
		/* the server lost before the commit's answer: the write is not acknowledged
		 * (it may or may not have been made), the same 503 as any statement then */
		int lost = db_is_unavailable(w->db);
		db_rollback(w->db);
		for (struct write_job *j = group; j; j = j->next)
			if (j->rc == 0)
				j->rc = lost ? err_set(&j->err, 503, "db_unavailable", "",
						       "the database was lost during the commit; "
						       "try again in a moment")
					     : err_set(&j->err, 503, "unavailable", "",
						       "commit failed: %s", msg);
	} else if (began && atomic_load(&w->track_wal)) {
		/* before any job's reply: a reply's writer_wal is at or past its commit */
		uint64_t pos = db_wal_position(w->db);
		if (pos > atomic_load(&w->wal))
			atomic_store(&w->wal, pos);
	}
	writer_deliver(group);
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	for (;;) {
		pthread_mutex_lock(&w->mu);
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->head && w->stopping) {
			pthread_mutex_unlock(&w->mu);
			break;
		}
		struct write_job *group = w->head, *last = group;
		int n = 1;
		while (last->next && n < GROUP_MAX) {
			last = last->next;
			n++;
		}
		w->head = last->next;
		if (!w->head)
			w->tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&w->mu);
		run_group(w, group);
	}
	return NULL;
}

/* One round of the checkpointer, for the main file and the journal. A WAL starts over
 * only when a write begins after a checkpoint copied all of it and no reader still needs
 * it: under steady writes and reads that never happens, and the soak's mixed load grew
 * the WAL files by 16 GB in six minutes (and the reads' WAL index with them). Past
 * WAL_RESTART_FRAMES, a RESTART checkpoint waits until the readers have moved to the
 * database file, so that the next write starts the WAL over; the writer waits for it
 * meanwhile (PASSIVE has copied most frames already). */
static void ckpt_once(struct db *db)
{
	static const char *const schemas[][2] = {
	    {"PRAGMA main.wal_checkpoint(PASSIVE)", "PRAGMA main.wal_checkpoint(RESTART)"},
	    {"PRAGMA journal.wal_checkpoint(PASSIVE)", "PRAGMA journal.wal_checkpoint(RESTART)"},
	};
	for (int i = 0; i < 2; i++) {
		struct db_stmt *s = db_prepare(db, schemas[i][0]);
		int64_t frames = s && db_step(s) == 1 ? db_col_int(s, 1) : 0;
		if (s)
			db_done(s);
		if (frames > WAL_RESTART_FRAMES)
			db_exec(db, schemas[i][1]);
	}
}

/* Checkpoints the WAL into the database once a second, on its own thread: inline
 * (SQLite's default, after a commit past 1000 pages) it took 7% of the writer's time
 * and stalled the group behind it. PASSIVE never blocks readers or the writer. */
static void *ckpt_main(void *arg)
{
	struct writer *w = arg;
	pthread_mutex_lock(&w->mu);
	while (!w->stopping) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&w->ckpt_cv, &w->mu, &until);
		if (w->stopping)
			break;
		pthread_mutex_unlock(&w->mu);
		ckpt_once(w->ckpt_db);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct writer *writer_start(const char *path, struct err *e)
{
	struct writer *w = calloc(1, sizeof *w);
	if (!w) {
		err_set(e, 500, "internal", "", "out of memory");
		return NULL;
	}
	if (db_open(&w->db, path, 0, e) < 0) {
		free(w);
		return NULL;
	}
	if (db_open(&w->ckpt_db, path, 0, e) < 0) {
		db_close(w->db);
		free(w);
		return NULL;
	}
	db_exec(w->db, "PRAGMA wal_autocheckpoint=0");
	/* cache_size names the main file only: the journal kept SQLite's 2 MiB, a quarter of
	 * the audit log's person index, so every import read most of its index pages back
	 * (pread) and spilled dirty ones into the WAL before its commit. 16 MiB holds the
	 * index of the bench's half million audit rows: a case read's server CPU fell by a
	 * seventh (3.4 pread and 2.0 pwrite a read became 2.1 and 1.1). */
	db_exec(w->db, "PRAGMA journal.cache_size=-16384");
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	pthread_cond_init(&w->ckpt_cv, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		err_set(e, 500, "internal", "", "cannot start the writer thread");
		db_close(w->db);
		db_close(w->ckpt_db);
		free(w);
		return NULL;
	}
	if (pthread_create(&w->ckpt_thread, NULL, ckpt_main, w) != 0) {
		/* without it the WAL only grows: stop the writer and refuse to start */
		writer_stop(w);
		err_set(e, 500, "internal", "", "cannot start the checkpoint thread");
		return NULL;
	}
	w->ckpt_started = 1;
	return w;
}

void writer_track_wal(struct writer *w)
{
	atomic_store(&w->track_wal, 1);
}

void writer_set_timeout(struct writer *w, int ms)
{
	db_set_timeout(w->db, ms);
}
uint64_t writer_wal(struct writer *w)
{
	return atomic_load(&w->wal);
}

void writer_submit(struct writer *w, struct write_job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&w->mu);
	if (w->tail)
		w->tail->next = job;
	else
		w->head = job;
	w->tail = job;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

void writer_stop(struct writer *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = 1;
	pthread_cond_signal(&w->cv);
	pthread_cond_signal(&w->ckpt_cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	if (w->ckpt_started)
		pthread_join(w->ckpt_thread, NULL);
	db_close(w->ckpt_db);
	db_close(w->db); /* the last connection to close checkpoints the WAL */
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	pthread_cond_destroy(&w->ckpt_cv);
	free(w);
}

struct waited {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int finished;
	int (*run)(struct db *db, void *arg, struct err *e);
	void (*done)(void *arg, int rc, const struct err *e);
	void *arg;
};

/* the job's own run, given its own arg */
static int waited_run(struct db *db, void *arg, struct err *e)
{
	struct waited *w = arg;
	return w->run(db, w->arg, e);
}

static void waited_done(void *arg, int rc, const struct err *e)
{
	struct waited *w = arg;
	if (w->done)
		w->done(w->arg, rc, e);
	pthread_mutex_lock(&w->mu);
	w->finished = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

int writer_submit_wait(struct writer *w, struct write_job *job)
{
	struct waited wt = {.run = job->run, .done = job->done, .arg = job->arg};
	pthread_mutex_init(&wt.mu, NULL);
	pthread_cond_init(&wt.cv, NULL);
	job->run = waited_run;
	job->done = waited_done;
	job->arg = &wt;
	job->base = NULL;
	writer_submit(w, job);
	pthread_mutex_lock(&wt.mu);
	while (!wt.finished)
		pthread_cond_wait(&wt.cv, &wt.mu);
	pthread_mutex_unlock(&wt.mu);
	pthread_cond_destroy(&wt.cv);
	pthread_mutex_destroy(&wt.mu);
	job->run = wt.run;
	job->done = wt.done;
	job->arg = wt.arg;
	return job->rc;
}

int writer_run_now(struct db *db, struct write_job *job)
{
	err_clear(&job->err);
	if (db_begin(db) < 0)
		return err_set(&job->err, 503, "unavailable", "", "database busy: %s",
			       db_errmsg(db));
	job->rc = job->run(db, job->arg, &job->err);
	if (job->rc < 0) {
		db_rollback(db);
		return -1;
	}
	if (db_commit(db) < 0) {
		db_rollback(db);
		return err_set(&job->err, 503, "unavailable", "", "commit failed: %s",
			       db_errmsg(db));
	}
	return 0;
}
