/* The audit spool (spool.h): two files of audit lines made durable in groups by one
 * thread, imported into journal.audit in batches by the writer. */
#include "audit/spool.h"

#include "base/text.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define IMPORT_BYTES (512 << 10) /* import at once when this much waits... */
#define IMPORT_MS 1000		 /* ...and at least this often while any waits */
#define IMPORT_LINES 8192	 /* lines a batch import takes at most */
#define SWITCH_BYTES (1 << 20)	 /* write to the other file once this much is in one */
#define PART_BYTES (4 << 20)	 /* each file's size at least, written with zeros at start */
#define GATHER_MIN 16		 /* under load a group waits for this many reads... */
#define GATHER_US 400		 /* ...or this long: each sync cost the thread 70 µs */
#define FIELDS 11		 /* seq at user role action person case outcome ip reason sum */

/* One of the two files. Lines are written from its start; once every line in it was
 * imported and the other file is being written, it starts again from its start. */
struct part {
	int fd;
	int64_t size;	  /* grown by the spool's thread alone */
	int64_t synced;	  /* bytes from the start that are durable */
	int64_t imported; /* bytes of those imported and committed */
	int64_t gen;	  /* how often writing went back to the start, plus one */
};

struct audit_spool {
	struct writer *w;
	pthread_t thread;
	pthread_mutex_t mu; /* what follows, but for the thread's own */
	pthread_cond_t cv, idle_cv;
	struct part part[2];
	int cur; /* the file being written; the other holds older lines */
	struct audit_batch *head, *tail;
	int queued;	/* batches in the queue */
	int last_group; /* batches in the group before (the thread's own) */
	int stopping, failed;
	int reading; /* imports reading the files: no file goes back to its start meanwhile */
	int64_t last_import_ms;
	int import_queued;
	struct audit_import import_x;
	struct write_job import_job;
	/* the thread's own */
	int64_t next_seq;
	char *buf;
	size_t cap;
};

int audit_spool_path(const char *db_path, int which, char *buf, size_t cap)
{
	size_t n = strlen(db_path);
	if (n > 3 && strcmp(db_path + n - 3, ".db") == 0)
		n -= 3;
	int len = snprintf(buf, cap, "%.*s-audit-%c.spool", (int)n, db_path, which ? 'b' : 'a');
	return len < 0 || (size_t)len >= cap ? -1 : 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- one line: seq, at, user, role, action, person, case, outcome, ip, reason and
 * the FNV-1a sum of everything before it, tab-separated; text escapes \, tab, newline */

#define FNV_OFFSET 14695981039346656037ull
#define FNV_PRIME 1099511628211ull

static uint64_t sum_of(const char *p, size_t n)
{
	uint64_t h = FNV_OFFSET;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * FNV_PRIME;
	return h;
}

static int reserve(struct audit_spool *s, size_t len, size_t more)
{
	if (len + more <= s->cap)
		return 0;
	size_t cap = s->cap ? s->cap : 1 << 16;
	while (cap < len + more)
		cap *= 2;
	char *b = realloc(s->buf, cap);
	if (!b)
		return -1;
	s->buf = b;
	s->cap = cap;
	return 0;
}

/* v and the field's tab */
static char *put_int(char *p, int64_t v)
{
	p = text_put_int(p, v);
	*p++ = '\t';
	return p;
}

static char *put_text(char *p, const char *t)
{
	for (; t && *t; t++) {
		char c = *t;
		if (c == '\\' || c == '\t' || c == '\n') {
			*p++ = '\\';
			c = c == '\t' ? 't' : c == '\n' ? 'n' : '\\';
		}
		*p++ = c;
	}
	*p++ = '\t';
	return p;
}

/* Appends one entry's line at s->buf + *len. */
static int put_line(struct audit_spool *s, size_t *len, int64_t seq, const struct audit_batch *b,
		    const struct audit_entry *a)
{
	const char *role = role_name(b->who->role), *reason = a->reason ? a->reason : "";
	const char *ip = b->ip ? b->ip : "";
	size_t most =
	    8 * 21 + 2 * (strlen(role) + strlen(a->action) + strlen(ip) + strlen(reason)) + 32;
	if (reserve(s, *len, most) < 0)
		return -1;
	char *start = s->buf + *len, *p = start;
	p = put_int(p, seq);
	p = put_int(p, b->now);
	p = put_int(p, b->who->user_id);
	p = put_text(p, role);
	p = put_text(p, a->action);
	p = put_int(p, a->person_id);
	p = put_int(p, a->case_id);
	p = put_text(p, a->denied ? "denied" : "allowed");
	p = put_text(p, ip);
	p = put_text(p, reason);
	uint64_t sum = sum_of(start, (size_t)(p - start));
	for (int i = 15; i >= 0; i--, sum >>= 4)
		p[i] = "0123456789abcdef"[sum & 15];
	p[16] = '\n';
	p += 17;
	*len += (size_t)(p - start);
	return 0;
}

/* One line parsed in place (text fields unescaped into the line itself). */
struct line {
	int64_t seq, at, user_id, person_id, case_id;
	const char *role, *action, *outcome, *ip, *reason;
};

static int get_int(const char *f, int64_t *v)
{
	int neg = *f == '-';
	uint64_t x = 0;
	const char *p = f + neg;
	for (; *p >= '0' && *p <= '9' && p - f < 19; p++)
		x = x * 10 + (uint64_t)(*p - '0');
	if (*p || p == f + neg)
		return -1;
	*v = neg ? -(int64_t)x : (int64_t)x;
	return 0;
}

static int get_sum(const char *f, uint64_t *sum)
{
	uint64_t x = 0;
	for (int i = 0; i < 16; i++) {
		char c = f[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			return -1;
		x = x << 4 | (uint64_t)d;
	}
	*sum = x;
	return 0;
}

static void unescape(char *t)
{
	char *o = t;
	for (; *t; t++) {
		if (*t == '\\' && t[1]) {
			t++;
			*o++ = *t == 't' ? '\t' : *t == 'n' ? '\n' : *t;
		} else {
			*o++ = *t;
		}
	}
	*o = 0;
}

/* Parses the line at p[0..n) (n excludes its newline), which it changes. 0 or -1. */
static int get_line(char *p, size_t n, struct line *l)
{
	/* one pass: the sum, the fields (their tabs made NULs; a line that fails is not
	 * read again from this copy) and whether any text holds an escape */
	char *f[FIELDS];
	size_t k = 0, at = 0, i;
	uint64_t h = FNV_OFFSET;
	int escaped = 0;
	for (i = 0; i < n && k < FIELDS - 1; i++) {
		unsigned char c = (unsigned char)p[i];
		h = (h ^ c) * FNV_PRIME;
		if (c == '\t') {
			f[k++] = p + at;
			p[i] = 0;
			at = i + 1;
		}
		escaped |= c == '\\';
	}
	if (k != FIELDS - 1 || n - at != 16)
		return -1;
	f[k] = p + at;
	uint64_t sum;
	if (get_sum(f[k], &sum) < 0 || sum != h)
		return -1;
	if (get_int(f[0], &l->seq) < 0 || get_int(f[1], &l->at) < 0 ||
	    get_int(f[2], &l->user_id) < 0 || get_int(f[5], &l->person_id) < 0 ||
	    get_int(f[6], &l->case_id) < 0)
		return -1;
	for (int j = 3; escaped && j <= 9; j++)
		unescape(f[j]);
	l->role = f[3];
	l->action = f[4];
	l->outcome = f[7];
	l->ip = f[8];
	l->reason = f[9];
	return 0;
}

/* Inserts the lines, IMPORT_ROWS to a statement (one statement a row cost half again
 * as much: its start, its cursors and its end), the rest one by one. */
#define IMPORT_ROWS 32
static int insert_lines(struct db *db, const struct line *l, int n, struct err *e)
{
	static char many[IMPORT_ROWS * 64 + 128];
	if (!many[0]) { /* the writer's thread alone imports, or the start before it */
		int at =
		    snprintf(many, sizeof many, "INSERT INTO audit(" AUDIT_COLUMNS ") VALUES ");
		for (int i = 0; i < IMPORT_ROWS; i++) {
			int p = i * 9;
			at +=
			    snprintf(many + at, sizeof many - (size_t)at,
				     "%s($%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d)", i ? "," : "", p + 1,
				     p + 2, p + 3, p + 4, p + 5, p + 6, p + 7, p + 8, p + 9);
		}
	}
	for (int done = 0; done < n;) {
		int k = n - done >= IMPORT_ROWS ? IMPORT_ROWS : 1;
		struct db_stmt *st = db_prepare(db, k > 1 ? many
							  : "INSERT INTO audit(" AUDIT_COLUMNS
							    ") VALUES ($1,$2,$3,$4,$5,$6,$7,"
							    "$8,$9)");
		for (int i = 0; i < k; i++) {
			const struct line *x = &l[done + i];
			struct principal who = {.user_id = x->user_id,
						.role = role_from_name(x->role)};
			struct audit_entry a = {.action = x->action,
						.person_id = x->person_id,
						.case_id = x->case_id,
						.reason = x->reason,
						.denied = strcmp(x->outcome, "denied") == 0};
			audit_bind(st, i * 9 + 1, &who, x->ip, x->at, &a);
		}
		int rc = db_step(st);
		db_done(st);
		if (rc < 0)
			return err_set(e, 500, "internal", "", "audit spool: %s", db_errmsg(db));
		done += k;
	}
	return 0;
}

/* Inserts the lines of buf[0..len) not imported yet (at most max of them; 0: all) and
 * records the last one's sequence. *valid: the bytes up to the first line that is
 * incomplete or damaged, or past the max-th; *last_seq: the highest sequence imported or
 * seen. */
static int import_lines(struct db *db, char *buf, size_t len, int max, size_t *valid,
			int64_t *last_seq, struct err *e)
{
	*valid = 0;
	*last_seq = 0;
	struct db_stmt *st = db_prepare(db, "SELECT seq FROM journal.audit_spool");
	int64_t done = st && db_step(st) == 1 ? db_col_int(st, 0) : -1;
	db_done(st);
	if (done < 0)
		return err_set(e, 500, "internal", "", "audit spool: %s", db_errmsg(db));
	int64_t last = done, prev = -1;
	size_t pos = 0;
	struct line rows[IMPORT_ROWS];
	int n = 0, seen = 0;
	while (pos < len && (!max || seen < max)) {
		char *nl = memchr(buf + pos, '\n', len - pos);
		struct line *l = &rows[n];
		if (!nl || get_line(buf + pos, (size_t)(nl - (buf + pos)), l) < 0 || l->seq <= prev)
			break; /* an unfinished write, or older lines behind the newest */
		prev = l->seq;
		pos = (size_t)(nl - buf) + 1;
		seen++;
		if (l->seq <= last)
			continue; /* imported before the file was emptied or the import repeated */
		last = l->seq;
		if (++n == IMPORT_ROWS) {
			if (insert_lines(db, rows, n, e) < 0)
				return -1;
			n = 0;
		}
	}
	if (n && insert_lines(db, rows, n, e) < 0)
		return -1;
	if (last > done) {
		st = db_prepare(db, "UPDATE journal.audit_spool SET seq = $1");
		db_bind_int(st, 1, last);
		int rc = db_step(st);
		db_done(st);
		if (rc < 0)
			return err_set(e, 500, "internal", "", "audit spool: %s", db_errmsg(db));
	}
	*valid = pos;
	*last_seq = last;
	return 0;
}

/* [off, off + len) of a file, mapped private and writable (the parse writes into it):
 * its pages go with the mapping, where megabytes read into the heap stayed in the
 * process after they were freed (glibc then raises its threshold for mapping). */
struct view {
	void *map;
	size_t maplen;
	char *p;
};

static int view_open(struct view *v, int fd, int64_t off, size_t len)
{
	memset(v, 0, sizeof *v);
	if (!len)
		return 0;
	int64_t start = off - off % (int64_t)sysconf(_SC_PAGESIZE);
	v->maplen = len + (size_t)(off - start);
	v->map = mmap(NULL, v->maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, (off_t)start);
	if (v->map == MAP_FAILED) {
		v->map = NULL;
		return -1;
	}
	v->p = (char *)v->map + (off - start);
	return 0;
}

static void view_close(struct view *v)
{
	if (v->map)
		munmap(v->map, v->maplen);
	v->map = NULL;
}

/* audit_spool_import, of at most max lines (0: all). */
static int import_some(struct audit_spool *s, struct db *db, struct audit_import *x, int max,
		       struct err *e)
{
	/* the older file first: its lines all come before the other's */
	int order[2];
	int64_t off[2], end[2];
	struct view view[2] = {{NULL, 0, NULL}, {NULL, 0, NULL}};
	pthread_mutex_lock(&s->mu);
	s->reading++;
	order[0] = !s->cur;
	order[1] = s->cur;
	for (int i = 0; i < 2; i++) {
		struct part *p = &s->part[order[i]];
		off[i] = p->imported;
		end[i] = p->synced;
		x->gen[order[i]] = p->gen;
	}
	pthread_mutex_unlock(&s->mu);
	int rc = 0;
	for (int i = 0; i < 2 && rc == 0; i++)
		rc = view_open(&view[i], s->part[order[i]].fd, off[i], (size_t)(end[i] - off[i]));
	if (rc < 0)
		rc = err_set(e, 500, "internal", "", "audit spool: cannot read: %s",
			     strerror(errno));
	for (int i = 0; i < 2 && rc == 0; i++) {
		size_t len = (size_t)(end[i] - off[i]), valid = 0;
		int64_t last;
		if (len && import_lines(db, view[i].p, len, max, &valid, &last, e) < 0)
			rc = -1;
		else if (valid != len && !max)
			rc = err_set(e, 500, "internal", "",
				     "audit spool: a synced line is damaged");
		x->upto[order[i]] = off[i] + (int64_t)valid;
		if (max && valid < len)
			break; /* the newer file's lines come after these */
	}
	view_close(&view[0]);
	view_close(&view[1]);
	pthread_mutex_lock(&s->mu);
	s->reading--;
	pthread_mutex_unlock(&s->mu);
	return rc;
}

int audit_spool_import(struct audit_spool *s, struct db *db, struct audit_import *x, struct err *e)
{
	return import_some(s, db, x, 0, e);
}

void audit_spool_imported(struct audit_spool *s, const struct audit_import *x)
{
	pthread_mutex_lock(&s->mu);
	for (int i = 0; i < 2; i++) {
		struct part *p = &s->part[i];
		if (x->gen[i] == p->gen && x->upto[i] > p->imported)
			p->imported = x->upto[i];
	}
	pthread_mutex_unlock(&s->mu);
}

/* ---- the writer's batch import ---- */

/* A batch's dirty pages stay in the writer's page cache until its commit (and the memory
 * in the process after it): IMPORT_LINES at most a transaction, the next batch at once. */
static int import_run(struct db *db, void *arg, struct err *e)
{
	struct audit_spool *s = arg;
	return import_some(s, db, &s->import_x, IMPORT_LINES, e);
}

/* On the writer thread, after the commit. */
static void import_done(void *arg, int rc, const struct err *e)
{
	struct audit_spool *s = arg;
	if (rc < 0)
		fprintf(stderr, "tamin: audit spool import failed (kept for the next): %s\n",
			e->message);
	else
		audit_spool_imported(s, &s->import_x);
	pthread_mutex_lock(&s->mu);
	s->import_queued = 0;
	pthread_cond_broadcast(&s->idle_cv);
	pthread_mutex_unlock(&s->mu);
}

/* Under s->mu: 1 if an import should be queued now (and marks it queued). */
static int import_due(struct audit_spool *s)
{
	int64_t waiting = 0, t = now_ms();
	for (int i = 0; i < 2; i++)
		waiting += s->part[i].synced - s->part[i].imported;
	if (s->import_queued || !waiting ||
	    (waiting < IMPORT_BYTES && t - s->last_import_ms < IMPORT_MS))
		return 0;
	s->import_queued = 1;
	s->last_import_ms = t;
	memset(&s->import_x, 0, sizeof s->import_x);
	return 1;
}

/* Writing moves to the other file once the current one holds SWITCH_BYTES and every line
 * of the other was imported (and committed): the other starts again from its start. Its
 * old lines stay behind the new ones until overwritten; their lower sequence numbers end
 * a reading there. */
static void switch_if_imported(struct audit_spool *s)
{
	pthread_mutex_lock(&s->mu);
	struct part *o = &s->part[!s->cur];
	if (s->part[s->cur].synced >= SWITCH_BYTES && o->imported == o->synced && !s->reading) {
		o->synced = o->imported = 0;
		o->gen++;
		s->cur = !s->cur;
	}
	pthread_mutex_unlock(&s->mu);
}

/* ---- the spool's thread: one write and one fdatasync per group ---- */

static int write_at(int fd, const char *p, size_t len, int64_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		off += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Grows the file with written zeros (not a hole, not fallocate's unwritten extents) to
 * hold `need` bytes. Lines are then written over blocks that exist, and fdatasync has
 * only the data to write: appending to the file also wrote its inode at every sync, and
 * synced at half the rate. */
static int grow(struct part *p, int64_t need)
{
	if (need <= p->size)
		return 0;
	int64_t to = p->size > PART_BYTES ? p->size : PART_BYTES;
	while (to < need)
		to *= 2;
	static const char zeros[1 << 16];
	for (int64_t at = p->size; at < to; at += (int64_t)sizeof zeros)
		if (write_at(p->fd, zeros, sizeof zeros, at) < 0)
			return -1;
	if (fsync(p->fd) < 0)
		return -1;
	p->size = to;
	return 0;
}

static void write_group(struct audit_spool *s, struct audit_batch *group)
{
	size_t len = 0;
	int ok = !s->failed; /* only this thread sets it */
	for (struct audit_batch *b = group; b && ok; b = b->next)
		for (int i = 0; i < b->n && ok; i++)
			ok = put_line(s, &len, s->next_seq++, b, &b->rows[i]) == 0;
	/* cur and synced change on this thread alone */
	struct part *p = &s->part[s->cur];
	int64_t at = p->synced;
	ok = ok && grow(p, at + (int64_t)len) == 0 && write_at(p->fd, s->buf, len, at) == 0 &&
	     fdatasync(p->fd) == 0;
	int errnum = errno;
	pthread_mutex_lock(&s->mu);
	if (ok)
		p->synced += (int64_t)len;
	else
		s->failed = 1;
	pthread_mutex_unlock(&s->mu);
	if (!ok)
		fprintf(stderr,
			"tamin: the audit spool cannot be written (%s): reads are now "
			"audited through the database\n",
			strerror(errnum));
	struct write_job *first = NULL, **link = &first;
	for (struct audit_batch *b = group; b; b = b->next) {
		err_clear(&b->job.err);
		b->job.rc = ok ? 0
			       : err_set(&b->job.err, 503, "unavailable", "",
					 "the audit log cannot be written: the read is refused");
		*link = &b->job;
		link = &b->job.next;
	}
	*link = NULL;
	writer_deliver(first);
}

/* Under s->mu: while many reads are coming (the group before had half of GATHER_MIN or
 * more), waits up to GATHER_US for GATHER_MIN of them, so that one sync serves more:
 * groups of about ten took a tenth of the server's time in fdatasync and wake-ups. A
 * few clients (a group of a handful) do not wait: they would wait for reads that are
 * not coming. */
static void gather(struct audit_spool *s)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += GATHER_US * 1000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (s->queued < GATHER_MIN && !s->stopping &&
	       pthread_cond_timedwait(&s->cv, &s->mu, &until) == 0)
		;
}

static void *spool_main(void *arg)
{
	struct audit_spool *s = arg;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		if (!s->head && !s->stopping) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 1;
			pthread_cond_timedwait(&s->cv, &s->mu, &until);
		}
		if (s->head && s->last_group >= GATHER_MIN / 2 && s->queued < GATHER_MIN &&
		    !s->stopping)
			gather(s);
		struct audit_batch *group = s->head;
		s->last_group = s->queued;
		s->head = s->tail = NULL;
		s->queued = 0;
		if (!group && s->stopping)
			break;
		pthread_mutex_unlock(&s->mu);
		if (group)
			write_group(s, group);
		pthread_mutex_lock(&s->mu);
		int due = !s->stopping && import_due(s);
		int full = s->part[s->cur].synced >= SWITCH_BYTES;
		pthread_mutex_unlock(&s->mu);
		if (due)
			writer_submit(s->w, &s->import_job);
		if (full)
			switch_if_imported(s);
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

int audit_spool_submit(struct audit_spool *s, struct audit_batch *b)
{
	b->next = NULL;
	pthread_mutex_lock(&s->mu);
	int failed = s->failed;
	if (!failed) {
		if (s->tail)
			s->tail->next = b;
		else
			s->head = b;
		s->tail = b;
		/* the thread waits for the first, or gathers until GATHER_MIN */
		if (++s->queued == 1 || s->queued == GATHER_MIN)
			pthread_cond_signal(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return failed ? -1 : 0;
}

/* ---- start and stop ---- */

struct recover {
	struct view view[2];
	char *buf[2];
	size_t len[2];
	int64_t last_seq;
};

/* The sequence of the first line in buf, or INT64_MAX if none is whole. */
static int64_t first_seq(char *buf, size_t len)
{
	char *nl = buf ? memchr(buf, '\n', len) : NULL;
	if (!nl)
		return INT64_MAX;
	size_t n = (size_t)(nl - buf);
	char *copy = malloc(n + 1);
	struct line l;
	int64_t seq =
	    copy && (memcpy(copy, buf, n), get_line(copy, n, &l) == 0) ? l.seq : INT64_MAX;
	free(copy);
	return seq;
}

static int recover_run(struct db *db, void *arg, struct err *e)
{
	struct recover *r = arg;
	int first = first_seq(r->buf[1], r->len[1]) < first_seq(r->buf[0], r->len[0]);
	r->last_seq = 0;
	for (int k = 0; k < 2; k++) {
		int i = k ? !first : first;
		size_t valid;
		int64_t last;
		if (import_lines(db, r->buf[i], r->len[i], 0, &valid, &last, e) < 0)
			return -1;
		if (last > r->last_seq)
			r->last_seq = last;
	}
	return 0;
}

/* Opens both files and imports what they hold that was not imported (a crash's). */
static int recover(struct audit_spool *s, const char *db_path, const char *local,
		   struct err *e)
{
	struct recover r;
	memset(&r, 0, sizeof r);
	int rc = 0;
	for (int i = 0; i < 2 && rc == 0; i++) {
		char path[4096];
		struct stat st;
		if (audit_spool_path(local, i, path, sizeof path) < 0) {
			rc = err_set(e, 500, "audit_spool", "", "database path too long");
			break;
		}
		s->part[i].fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (s->part[i].fd < 0 || fstat(s->part[i].fd, &st) < 0) {
			rc = err_set(e, 500, "audit_spool", "", "cannot open %s: %s", path,
				     strerror(errno));
			break;
		}
		s->part[i].size = st.st_size;
		r.len[i] = (size_t)st.st_size;
		if (view_open(&r.view[i], s->part[i].fd, 0, r.len[i]) < 0)
			rc = err_set(e, 500, "audit_spool", "", "cannot read %s: %s", path,
				     strerror(errno));
		r.buf[i] = r.view[i].p;
	}
	struct db *db = NULL;
	struct write_job job = {.run = recover_run, .arg = &r};
	if (rc == 0)
		rc = db_open(&db, db_path, 0, e);
	if (rc == 0 && writer_run_now(db, &job) < 0)
		rc = err_set(e, 500, "audit_spool", "", "cannot import the audit spool: %s",
			     job.err.message);
	db_close(db);
	view_close(&r.view[0]);
	view_close(&r.view[1]);
	if (rc < 0)
		return -1;
	/* what follows the valid lines is older lines, zeros or an unfinished write that no
	 * reply waited for: writing starts again at the first file's start */
	s->next_seq = r.last_seq + 1;
	for (int i = 0; i < 2; i++)
		if (grow(&s->part[i], PART_BYTES) < 0)
			return err_set(e, 500, "audit_spool", "",
				       "cannot write the audit spool: %s", strerror(errno));
	return 0;
}

static void spool_free(struct audit_spool *s)
{
	for (int i = 0; i < 2; i++)
		if (s->part[i].fd >= 0)
			close(s->part[i].fd);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	pthread_cond_destroy(&s->idle_cv);
	free(s->buf);
	free(s);
}

struct audit_spool *audit_spool_start(const char *db_path, const char *local, struct writer *w,
				      struct err *e)
{
	struct audit_spool *s = calloc(1, sizeof *s);
	if (!s) {
		err_set(e, 500, "internal", "", "out of memory");
		return NULL;
	}
	s->w = w;
	for (int i = 0; i < 2; i++) {
		s->part[i].fd = -1;
		s->part[i].gen = 1;
	}
	s->last_import_ms = now_ms();
	s->import_job.run = import_run;
	s->import_job.done = import_done;
	s->import_job.arg = s;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	pthread_cond_init(&s->idle_cv, NULL);
	if (recover(s, db_path, local ? local : db_path, e) < 0) {
		spool_free(s);
		return NULL;
	}
	if (pthread_create(&s->thread, NULL, spool_main, s) != 0) {
		err_set(e, 500, "internal", "", "cannot start the audit spool's thread");
		spool_free(s);
		return NULL;
	}
	return s;
}

void audit_spool_stop(struct audit_spool *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->stopping = 1;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	/* the last imports, through the writer, waited for, until nothing waits (or one
	 * fails: the next start imports what is left) */
	pthread_mutex_lock(&s->mu);
	for (int64_t before = -1;;) {
		while (s->import_queued)
			pthread_cond_wait(&s->idle_cv, &s->mu);
		int64_t left = s->part[0].synced - s->part[0].imported + s->part[1].synced -
			       s->part[1].imported;
		if (!left || left == before)
			break;
		before = left;
		s->import_queued = 1;
		memset(&s->import_x, 0, sizeof s->import_x);
		pthread_mutex_unlock(&s->mu);
		writer_submit(s->w, &s->import_job);
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	spool_free(s);
}
