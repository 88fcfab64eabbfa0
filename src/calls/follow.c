/* Following a growing queue_log (`tamin calls follow`, `tamin serve --queue-log`): the
 * file read as Asterisk writes it and rotates it, and where it has been read to (the
 * table calls_follow). */
#include "calls/calls.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "store/writer.h"

int calls_follow_get(struct db *db, const char *path, struct calls_follow_pos *p, struct err *e)
{
	struct db_stmt *s = db_prepare(
	    db, "SELECT dev, ino, pos, line FROM calls_follow WHERE path = $1");
	if (!s)
		return db_fail(db, e);
	db_bind_text(s, 1, path);
	int rc = db_step(s);
	if (rc == 1) {
		p->dev = db_col_int(s, 0);
		p->ino = db_col_int(s, 1);
		p->offset = db_col_int(s, 2);
		p->line = db_col_int(s, 3);
	}
	db_done(s);
	if (rc < 0)
		return db_fail(db, e);
	return rc;
}

int calls_follow_put(struct db *db, const char *path, const struct calls_follow_pos *p,
		     int64_t now, struct err *e)
{
	struct db_stmt *s = db_prepare(
	    db, "INSERT INTO calls_follow (path, dev, ino, pos, line, updated) "
		"VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (path) DO UPDATE SET "
		"dev = excluded.dev, ino = excluded.ino, pos = excluded.pos, "
		"line = excluded.line, updated = excluded.updated");
	if (!s)
		return db_fail(db, e);
	db_bind_text(s, 1, path);
	db_bind_int(s, 2, p->dev);
	db_bind_int(s, 3, p->ino);
	db_bind_int(s, 4, p->offset);
	db_bind_int(s, 5, p->line);
	db_bind_int(s, 6, now);
	int rc = db_step(s);
	db_done(s);
	return rc < 0 ? db_fail(db, e) : 0;
}

/* ---- the follower: the file read as it grows (calls.h) ---- */

/* buf[0..len) and the position after it, through the caller's commit. */
static int follower_commit(struct calls_follower *f, const char *buf, size_t len, int finish,
			   struct err *e)
{
	struct calls_follow_pos next = f->pos;
	next.offset += (int64_t)len;
	if (f->commit(f->ctx, buf, len, finish, &next, e) < 0)
		return -1;
	f->pos = next;
	return 0;
}

static int stopped(const struct calls_follower *f) { return f->stop && atomic_load(f->stop); }

/* Reads the open file from the position to its last newline (to its end when last: a
 * rotated file no longer grows, and its last line counts even without a newline). */
static int follower_read(struct calls_follower *f, int last, struct err *e)
{
	while (!stopped(f)) {
		ssize_t n = pread(f->fd, f->buf, CALLS_FOLLOW_BATCH, (off_t)f->pos.offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(e, 500, "internal", "", "%s: %s", f->path, strerror(errno));
		if (n == 0)
			return 0;
		size_t k = (size_t)n;
		const char *nl = memrchr(f->buf, '\n', k);
		if (nl)
			k = (size_t)(nl - f->buf) + 1;
		else if (k < CALLS_FOLLOW_BATCH && !last)
			return 0; /* a line still being written */
		/* else a line longer than the batch (the import counts it as too long) or a
		 * rotated file's last line, which is a line now */
		if (follower_commit(f, f->buf, k, !nl && last && k < CALLS_FOLLOW_BATCH, e) < 0)
			return -1;
	}
	return 0;
}

/* Opens path and decides where to start: the kept position when it is the same file and
 * not shorter than it, else its start. 1 open, 0 not there (yet), -1 with e. */
static int follower_open(struct calls_follower *f, int kept, struct err *e)
{
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return err_set(e, 500, "internal", "", "%s: %s", f->path, strerror(errno));
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return err_set(e, 500, "internal", "", "%s: %s", f->path, strerror(errno));
	}
	f->fd = fd;
	if (kept && f->pos.dev == (int64_t)st.st_dev && f->pos.ino == (int64_t)st.st_ino &&
	    f->pos.offset <= (int64_t)st.st_size)
		return 1;
	/* a new file (first run, or rotated while stopped) or one truncated */
	f->pos = (struct calls_follow_pos){(int64_t)st.st_dev, (int64_t)st.st_ino, 0, 0};
	return follower_commit(f, NULL, 0, 0, e) < 0 ? -1 : 1;
}

/* After a restart, when the file at the path is not the one kept: the kept one, when it
 * was rotated to PATH.1 (logrotate's name) meanwhile, is opened to be read to its end
 * first (calls_follower_poll then goes on to the new one). */
static void follower_rotated_while_stopped(struct calls_follower *f)
{
	struct stat st;
	if (stat(f->path, &st) == 0 && (int64_t)st.st_dev == f->pos.dev &&
	    (int64_t)st.st_ino == f->pos.ino)
		return;
	char old[4096];
	if (snprintf(old, sizeof old, "%s.1", f->path) >= (int)sizeof old)
		return;
	int fd = open(old, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && (int64_t)st.st_dev == f->pos.dev &&
	    (int64_t)st.st_ino == f->pos.ino && (int64_t)st.st_size >= f->pos.offset)
		f->fd = fd;
	else
		close(fd);
}

int calls_follower_start(struct calls_follower *f, int kept, struct err *e)
{
	f->fd = -1;
	if (kept)
		follower_rotated_while_stopped(f);
	if (f->fd >= 0)
		return 1;
	return follower_open(f, kept, e);
}

int calls_follower_poll(struct calls_follower *f, struct err *e)
{
	if (f->fd < 0) {
		int rc = follower_open(f, 0, e);
		if (rc <= 0)
			return rc;
	}
	if (follower_read(f, 0, e) < 0)
		return -1;
	struct stat st;
	if (stat(f->path, &st) < 0)
		return errno == ENOENT ? 0 : err_set(e, 500, "internal", "", "%s: %s", f->path,
						     strerror(errno));
	if ((int64_t)st.st_dev != f->pos.dev || (int64_t)st.st_ino != f->pos.ino) {
		if (follower_read(f, 1, e) < 0)
			return -1;
		if (stopped(f))
			return 0;
		close(f->fd);
		f->fd = -1;
		int rc = follower_open(f, 0, e);
		if (rc <= 0)
			return rc;
		return follower_read(f, 0, e);
	}
	if ((int64_t)st.st_size < f->pos.offset) {
		f->pos.offset = 0;
		f->pos.line = 0;
		if (follower_commit(f, NULL, 0, 0, e) < 0)
			return -1;
		return follower_read(f, 0, e);
	}
	return 0;
}

void calls_follower_close(struct calls_follower *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

/* ---- `tamin serve --queue-log`: the follower on a thread of the server ---- */

enum tail_op { TAIL_GET, TAIL_COMMIT };

struct calls_tail {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	atomic_int stop;
	int running; /* a job submitted and not done */
	struct writer *writer;
	const struct app *app;
	char *path;
	struct calls_follower f;
	struct calls_import im;
	struct calls_feed feed;
	struct write_job job;
	/* the job's input and output */
	enum tail_op op;
	const char *buf;
	size_t len;
	int finish, kept, rc;
	struct calls_follow_pos *next;
	struct err err;
	char last_error[sizeof(((struct err *)0)->message)]; /* said once until it changes */
};

/* On the writer thread, in the group's transaction. */
static int tail_run(struct db *db, void *arg, struct err *e)
{
	struct calls_tail *t = arg;
	if (t->op == TAIL_GET) {
		int rc = calls_follow_get(db, t->path, &t->f.pos, e);
		t->kept = rc == 1;
		return rc < 0 ? -1 : 0;
	}
	t->im.db = db;
	t->im.lineno = t->next->line;
	if (t->len && calls_import_text(&t->im, t->buf, t->len, e) < 0)
		return -1;
	if ((t->finish ? calls_import_finish(&t->im, e) : calls_import_flush(&t->im, e)) < 0)
		return -1;
	t->next->line = t->im.lineno;
	int64_t now = (int64_t)time(NULL);
	if (calls_follow_put(db, t->path, t->next, now, e) < 0)
		return -1;
	return calls_feed_resolve(&t->feed, db, now, e);
}

/* Inline on the writer thread once the group committed (or failed). */
static void tail_done(void *arg, int rc, const struct err *e)
{
	struct calls_tail *t = arg;
	pthread_mutex_lock(&t->mu);
	t->rc = rc;
	if (rc < 0)
		t->err = *e;
	t->running = 0;
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
}

/* One job through the writer, waited for: the job lives in t. */
static int tail_submit(struct calls_tail *t, struct err *e)
{
	t->job = (struct write_job){.run = tail_run, .done = tail_done, .arg = t};
	pthread_mutex_lock(&t->mu);
	t->running = 1;
	writer_submit(t->writer, &t->job);
	while (t->running)
		pthread_cond_wait(&t->cv, &t->mu);
	pthread_mutex_unlock(&t->mu);
	if (t->rc < 0) {
		*e = t->err;
		return -1;
	}
	return 0;
}

/* The follower's commit: through the writer, then the events told. */
static int tail_commit(void *arg, const char *buf, size_t len, int finish,
		       struct calls_follow_pos *next, struct err *e)
{
	struct calls_tail *t = arg;
	t->op = TAIL_COMMIT;
	t->buf = buf;
	t->len = len;
	t->finish = finish;
	t->next = next;
	calls_feed_clear(&t->feed);
	int rc = tail_submit(t, e);
	if (rc == 0) {
		calls_dispatch(t->app, &t->feed);
	} else {
		/* what the failed import had pending is not in the database: start afresh */
		calls_import_release(&t->im);
		calls_import_init(&t->im, NULL);
		t->im.on_event = calls_feed_hook;
		t->im.on_event_ctx = &t->feed;
		t->im.file = t->path;
	}
	calls_feed_clear(&t->feed);
	return rc;
}

static void tail_say(struct calls_tail *t, const struct err *e)
{
	if (!strcmp(t->last_error, e->message))
		return;
	snprintf(t->last_error, sizeof t->last_error, "%s", e->message);
	fprintf(stderr, "tamin: --queue-log %s: %s\n", t->path, e->message);
}

static void *tail_main(void *arg)
{
	struct calls_tail *t = arg;
	struct err e = {0};
	int started = 0;
	while (!atomic_load(&t->stop)) {
		int rc;
		if (!started) {
			t->op = TAIL_GET;
			rc = tail_submit(t, &e);
			if (rc == 0)
				rc = calls_follower_start(&t->f, t->kept, &e);
			started = rc >= 0;
		} else {
			rc = calls_follower_poll(&t->f, &e);
		}
		if (rc < 0)
			tail_say(t, &e);
		else
			t->last_error[0] = 0;
		/* a look every CALLS_TAIL_MS, or at once when told to stop */
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += CALLS_TAIL_MS * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_mutex_lock(&t->mu);
		if (!atomic_load(&t->stop))
			pthread_cond_timedwait(&t->cv, &t->mu, &until);
		pthread_mutex_unlock(&t->mu);
	}
	return NULL;
}

struct calls_tail *calls_tail_start(const char *path, struct writer *w, const struct app *app,
				    struct err *e)
{
	struct calls_tail *t = calloc(1, sizeof *t);
	char *buf = malloc(CALLS_FOLLOW_BATCH);
	char *p = strdup(path);
	if (!t || !buf || !p) {
		free(t);
		free(buf);
		free(p);
		err_set(e, 500, "internal", "", "out of memory");
		return NULL;
	}
	t->writer = w;
	t->app = app;
	t->path = p;
	calls_import_init(&t->im, NULL);
	calls_feed_init(&t->feed);
	t->im.on_event = calls_feed_hook;
	t->im.on_event_ctx = &t->feed;
	t->im.file = p;
	t->f = (struct calls_follower){
	    .path = p, .buf = buf, .fd = -1, .stop = &t->stop, .commit = tail_commit, .ctx = t};
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, NULL);
	if (pthread_create(&t->thread, NULL, tail_main, t) != 0) {
		err_set(e, 500, "internal", "", "cannot start the queue_log follower's thread");
		pthread_cond_destroy(&t->cv);
		pthread_mutex_destroy(&t->mu);
		calls_import_release(&t->im);
		free(buf);
		free(p);
		free(t);
		return NULL;
	}
	return t;
}

void calls_tail_stop(struct calls_tail *t)
{
	if (!t)
		return;
	atomic_store(&t->stop, 1);
	pthread_mutex_lock(&t->mu);
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->thread, NULL);
	calls_follower_close(&t->f);
	pthread_cond_destroy(&t->cv);
	pthread_mutex_destroy(&t->mu);
	calls_import_release(&t->im);
	calls_feed_release(&t->feed);
	free(t->f.buf);
	free(t->path);
	free(t);
}
