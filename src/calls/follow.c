/* Following a growing queue_log (`tamin calls follow`, `tamin serve --queue-log`): the
 * file read as Asterisk writes it and rotates it, and where it has been read to (the
 * table calls_follow). */
#include "calls/calls.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"

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
