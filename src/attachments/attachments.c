/* Files added to a case (attachments.h). */
#include "attachments/attachments.h"

#include "app.h"
#include "audit/audit.h"
#include "base/text.h"
#include "cases/cases.h"
#include "http/http.h"
#include "http/multipart.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- what a file is, and its name ---- */

static const struct kind {
	const char *type, *ext;
	const char *magic;
	size_t n;
} kinds[] = {
    {"application/pdf", ".pdf", "%PDF-", 5},
    {"image/jpeg", ".jpg", "\xFF\xD8\xFF", 3},
    {"image/png", ".png", "\x89PNG\r\n\x1A\n", 8},
};

const char *attach_type(const void *data, size_t len)
{
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (len >= kinds[i].n && memcmp(data, kinds[i].magic, kinds[i].n) == 0)
			return kinds[i].type;
	return NULL;
}

static const char *ext_of(const char *type)
{
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (type && strcmp(type, kinds[i].type) == 0)
			return kinds[i].ext;
	return "";
}

/* Characters a name may not keep: controls (C0, DEL, C1), and the invisible ones that
 * reorder what is shown (a bidi override turns «fdp.exe» into what reads as «exe.pdf»). */
static int dropped(uint32_t c)
{
	return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x200E || c == 0x200F ||
	       (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF;
}

const char *attach_name(struct arena *a, const char *raw, size_t len, const char *type)
{
	if (!text_utf8_valid(raw, len))
		return NULL;
	/* the last segment of a path, whichever separator a client used */
	const char *s = raw, *end = raw + len;
	for (const char *p = raw; p < end; p++)
		if (*p == '/' || *p == '\\')
			s = p + 1;
	char *out = arena_alloc(a, (size_t)(end - s) + 16);
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (p < (const unsigned char *)end) {
		const unsigned char *from = p;
		uint32_t c = text_decode(&p); /* a NUL is a control: dropped */
		if (p == from)
			p++;
		if (dropped(c))
			continue;
		size_t cl = (size_t)(p - from);
		if (n + cl > ATTACH_NAME_MAX)
			break; /* cut at a character's boundary */
		memcpy(out + n, from, cl);
		n += cl;
	}
	out[n] = 0;
	/* no leading dots or spaces (".." is no name), no trailing spaces */
	size_t lead = strspn(out, ". ");
	memmove(out, out + lead, n - lead + 1);
	n -= lead;
	while (n && out[n - 1] == ' ')
		out[--n] = 0;
	if (!n)
		return arena_printf(a, "file%s", ext_of(type));
	return out;
}

const char *attach_disposition(struct arena *a, const char *name)
{
	size_t len = strlen(name);
	char *ascii = arena_alloc(a, len + 1), *pct = arena_alloc(a, 3 * len + 1);
	size_t na = 0, np = 0;
	static const char hexd[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		unsigned char c = *p;
		/* the fallback: printable ASCII but the quote and the backslash; one _ a letter */
		if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\')
			ascii[na++] = (char)c;
		else if (c < 0x80 || c >= 0xC0)
			ascii[na++] = '_';
		/* RFC 8187's attr-char as is, the rest percent-encoded */
		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    strchr("!#$&+-.^_`|~", c)) {
			pct[np++] = (char)c;
		} else {
			pct[np++] = '%';
			pct[np++] = hexd[c >> 4];
			pct[np++] = hexd[c & 15];
		}
	}
	ascii[na] = pct[np] = 0;
	return arena_printf(a, "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, pct);
}

/* ---- the folder ---- */

char *attach_dir_open(const char *db_path)
{
	size_t n = strlen(db_path);
	if (n > 3 && strcmp(db_path + n - 3, ".db") == 0)
		n -= 3; /* NAME.db: NAME-attachments, as NAME-journal.db */
	char *dir = malloc(n + 16);
	if (!dir)
		return NULL;
	snprintf(dir, n + 16, "%.*s-attachments", (int)n, db_path);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "tamin: cannot make the attachment folder %s: %s\n", dir,
			strerror(errno));
		free(dir);
		return NULL;
	}
	return dir;
}

/* dir/ab/cdef... for the hex digest hex; the shard folder made when mk. */
static int file_path(const char *dir, const char *hex, char *out, size_t cap, int mk)
{
	int n = snprintf(out, cap, "%s/%.2s", dir, hex);
	if (n < 0 || (size_t)n >= cap)
		return -1;
	if (mk && mkdir(out, 0700) < 0 && errno != EEXIST)
		return -1;
	n = snprintf(out, cap, "%s/%.2s/%s", dir, hex, hex + 2);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* ---- POST /api/v1/cases/{id}/attachments ---- */

struct add_ctx {
	struct req *r;
	struct case_ref c;
	const char *data; /* into the request's body */
	size_t len;
	const char *type, *name, *dir;
	char hex[65];
	char path[4096];
	int created; /* this upload wrote the file (no other row had it) */
	struct ahead *ahead; /* the file begun while the body arrived, or NULL */
	struct err e;
	int64_t id, now;
	struct case_attached at;
	struct write_job job;
};

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* ---- the file written while the body arrives ---- */

/* The bytes after the first part's headers, written to tmp as they come. */
struct ahead {
	int fd;		/* -1: not written ahead (the form is not the usual one) */
	int kept;	/* tmp was renamed to its name (or removed): not to be unlinked */
	size_t off;	/* where in the body the first part's bytes begin */
	size_t written; /* bytes of the part (and beyond: the closing boundary) in tmp */
	size_t flushed; /* of them, those whose writeback was started */
	char tmp[4096 + 32];
};

static void ahead_free(void *arg)
{
	struct ahead *h = arg;
	if (h->fd >= 0)
		close(h->fd);
	if (h->fd >= 0 && !h->kept)
		unlink(h->tmp);
	free(h);
}

#define AHEAD_HEAD_MAX (16u << 10) /* the first part's headers are in this much, or never */
#define AHEAD_FLUSH (1u << 20)

/* Where the first part's bytes begin in a body that starts with its boundary line: after
 * the first blank line. 0: not in data[0..have) (yet). The parser checks the whole form
 * later; the handler uses the file only if the part it finds begins here. */
static size_t first_part_start(const char *data, size_t have)
{
	if (have < 4 || data[0] != '-' || data[1] != '-')
		return 0;
	size_t n = have < AHEAD_HEAD_MAX ? have : AHEAD_HEAD_MAX;
	for (size_t i = 2; i + 4 <= n; i++)
		if (!memcmp(data + i, "\r\n\r\n", 4))
			return i + 4;
	return 0;
}

void attachments_arriving(struct req *r, const char *data, size_t have, size_t total)
{
	struct ahead *h = r->body_state;
	(void)total;
	if (!h) {
		const char *dir = r->app->attach_dir;
		size_t off = first_part_start(data, have);
		if (!dir || (!off && have < AHEAD_HEAD_MAX))
			return; /* the headers are not in yet: the next read may bring them */
		if (!(h = calloc(1, sizeof *h)))
			return;
		h->fd = -1;
		h->off = off;
		r->body_state = h;
		r->body_state_free = ahead_free;
		if (!off)
			return; /* not the usual form: the handler writes the file itself */
		snprintf(h->tmp, sizeof h->tmp, "%s/.upload-XXXXXX", dir);
		h->fd = mkstemp(h->tmp);
	}
	if (h->fd < 0 || have <= h->off + h->written)
		return;
	size_t n = have - h->off - h->written;
	if (write_all(h->fd, data + h->off + h->written, n) < 0) {
		close(h->fd); /* the handler writes the file itself */
		unlink(h->tmp);
		h->fd = -1;
		return;
	}
	h->written += n;
	if (h->written - h->flushed >= AHEAD_FLUSH) { /* start the writeback, do not wait */
		sync_file_range(h->fd, (off_t)h->flushed, (off_t)(h->written - h->flushed),
				SYNC_FILE_RANGE_WRITE);
		h->flushed = h->written;
	}
}

/* The temporary file's bytes written and synced, on a thread of their own. */
struct spill {
	int fd;
	const char *data;
	size_t len;
	size_t done; /* bytes in the file already (written while the body arrived) */
	int rc, err;
};

/* The rest of the bytes, the file cut to its length (what was written ahead may go past
 * it, into the closing boundary), and the sync. */
static void *spill_main(void *arg)
{
	struct spill *s = arg;
	size_t from = s->done < s->len ? s->done : s->len;
	s->rc = (from < s->len && (lseek(s->fd, (off_t)from, SEEK_SET) < 0 ||
				   write_all(s->fd, s->data + from, s->len - from) < 0)) ||
			(s->done > s->len && ftruncate(s->fd, (off_t)s->len) < 0) ||
			fsync(s->fd) < 0
		    ? -1
		    : 0;
	s->err = errno;
	return NULL;
}

/* On the slow-work thread: the digest, and the file unless it is there already. Nothing
 * is ever visible half written: the bytes go to a temporary file in the folder, synced
 * before the rename to their name, and the shard's folder synced after it. The digest
 * (libsodium's SHA-256: 35 ms for 10 MiB here) is computed while another thread writes
 * and syncs the temporary file, not after it. The digest is OpenSSL's, which uses the
 * processor's SHA instructions: 5 ms for 10 MiB here, where libsodium's took 35-85 ms and
 * held the upload to 0.3 of cp's rate (docs/DECISIONS.md). */
static void store_file(void *arg)
{
	struct add_ctx *x = arg;
	char own[4096 + 32], shard[4096];
	struct ahead *h = x->ahead;
	char *tmp = h ? h->tmp : own;
	struct spill sp = {.data = x->data, .len = x->len};
	if (h) { /* begun while the body arrived: the rest of it, then the sync */
		sp.fd = h->fd;
		sp.done = h->written;
	} else {
		snprintf(own, sizeof own, "%s/.upload-XXXXXX", x->dir);
		sp.fd = mkstemp(own);
	}
	pthread_t t;
	int threaded = sp.fd >= 0 && pthread_create(&t, NULL, spill_main, &sp) == 0;
	unsigned char d[32];
	unsigned int dl = 0;
	if (!EVP_Digest(x->data, x->len, d, &dl, EVP_sha256(), NULL) || dl != sizeof d) {
		if (threaded)
			pthread_join(t, NULL);
		if (!h)
			close(sp.fd);
		errno = EIO;
		goto fail_tmp;
	}
	sodium_bin2hex(x->hex, sizeof x->hex, d, sizeof d);
	if (sp.fd < 0)
		goto fail;
	if (threaded)
		pthread_join(t, NULL);
	else
		spill_main(&sp);
	if (!h) /* an ahead file is closed with the request */
		close(sp.fd);
	errno = sp.err;
	struct stat st;
	if (sp.rc < 0 || file_path(x->dir, x->hex, x->path, sizeof x->path, 1) < 0)
		goto fail_tmp;
	if (stat(x->path, &st) == 0 && st.st_size == (off_t)x->len) {
		unlink(tmp); /* the same bytes are stored: another row shares them */
		if (h)
			h->kept = 1;
		return;
	}
	if (rename(tmp, x->path) < 0)
		goto fail_tmp;
	if (h)
		h->kept = 1; /* its name is the file's now: not to be unlinked */
	x->created = 1;
	snprintf(shard, sizeof shard, "%s/%.2s", x->dir, x->hex);
	int dfd = open(shard, O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return;
fail_tmp:
	unlink(tmp);
	if (h)
		h->kept = 1;
fail:
	err_set(&x->e, 500, "internal", "file", "the file cannot be stored: %s", strerror(errno));
}

static int add_run(struct db *db, void *arg, struct err *e)
{
	struct add_ctx *x = arg;
	struct stat st;
	/* a failed upload of the same bytes may have removed the file since it was written */
	if (stat(x->path, &st) < 0 || st.st_size != (off_t)x->len)
		return err_set(e, 503, "try_again", "file", "the file was not stored; send it again");
	struct db_stmt *s = db_prepare(db, "INSERT INTO attachments(case_id, sha256, size, type,"
					   " name, uploaded_by, at) VALUES ($1,$2,$3,$4,$5,$6,$7)");
	db_bind_int(s, 1, x->c.id);
	db_bind_text(s, 2, x->hex);
	db_bind_int(s, 3, (int64_t)x->len);
	db_bind_text(s, 4, x->type);
	db_bind_text(s, 5, x->name);
	db_bind_int(s, 6, x->r->who.user_id);
	db_bind_int(s, 7, x->now);
	int rc = db_step(s);
	db_done(s);
	if (rc < 0)
		return db_fail(db, e);
	x->id = db_last_id(db);
	x->at = (struct case_attached){.who = x->r->who,
				       .app = x->r->app,
				       .ip = x->r->ip,
				       .case_id = x->c.id,
				       .now = x->now,
				       .attachment_id = x->id,
				       .name = x->name};
	if (case_attached_run(db, &x->at, e) < 0)
		return -1;
	struct audit_entry au = {.action = "attachment_add",
				 .person_id = x->c.person_id,
				 .case_id = x->c.id,
				 .reason = x->c.number};
	if (x->r->who.role != ROLE_CITIZEN &&
	    audit_insert(db, &x->r->who, x->r->ip, x->now, &au, e) < 0)
		return -1;
	return 0;
}

/* A file this upload wrote and no row kept: removed, so that a failed upload stores
 * nothing. */
static void forget_file(struct add_ctx *x)
{
	if (!x->created)
		return;
	struct db_stmt *s = db_prepare(req_db(x->r), "SELECT 1 FROM attachments WHERE sha256 = $1");
	db_bind_text(s, 1, x->hex);
	int kept = db_step(s);
	db_done(s);
	if (kept == 0)
		unlink(x->path);
}

static void write_item(struct jw *w, int64_t id, const char *name, const char *type,
		       int64_t size, const char *sha, int64_t at, const char *by,
		       const char *by_role)
{
	jw_int(w, "id", id);
	jw_str(w, "name", name);
	jw_str(w, "type", type);
	jw_int(w, "size", size);
	jw_str(w, "sha256", sha);
	jw_time(w, "at", at);
	jw_str(w, "uploaded_by", by);
	jw_str(w, "uploaded_by_role", by_role);
}

static void add_done(void *arg, int rc, const struct err *e)
{
	struct add_ctx *x = arg;
	struct req *r = x->r;
	if (rc < 0) {
		forget_file(x);
		reply_error(r, e);
		return;
	}
	struct db_stmt *s = db_prepare(req_db(r), "SELECT name FROM users WHERE id = $1");
	db_bind_int(s, 1, r->who.user_id);
	const char *by = db_step(s) == 1 ? arena_strdup(&r->arena, db_col_text(s, 0)) : NULL;
	db_done(s);
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	write_item(&w, x->id, x->name, x->type, (int64_t)x->len, x->hex, x->now, by,
		   role_name(r->who.role));
	jw_int(&w, "case_id", x->c.id);
	jw_bool(&w, "resumed", x->at.resumed);
	jw_end(&w);
	reply_jw(r, 201, &w);
}

static void stored(void *arg)
{
	struct add_ctx *x = arg;
	if (x->e.status) {
		reply_error(x->r, &x->e);
		return;
	}
	x->now = req_now();
	req_write_job(x->r, &x->job, add_run, add_done, x);
}

void attachments_h_add(struct req *r)
{
	struct add_ctx *x = arena_alloc(&r->arena, sizeof *x);
	struct err e = {0};
	if (cases_readable(r, "attachment_add", &x->c) < 0)
		return;
	const char *boundary = multipart_boundary(req_header(r, "Content-Type"), &r->arena, &e);
	struct multipart_part parts[4];
	int n = boundary ? multipart_parse(r->body ? r->body : "", r->body_len, boundary, parts,
					   4, &r->arena, &e)
			 : -1;
	if (n < 0)
		goto bad;
	const struct multipart_part *file = NULL;
	for (int i = 0; i < n; i++) {
		if (strcmp(parts[i].name, "file") != 0) {
			err_set(&e, 400, "unknown_field", parts[i].name, "unknown field: %s",
				parts[i].name);
			goto bad;
		}
		if (file) {
			err_set(&e, 400, "invalid_field", "file", "one file at a time");
			goto bad;
		}
		file = &parts[i];
	}
	if (!file) {
		err_set(&e, 400, "missing_field", "file", "the form needs a part named file");
		goto bad;
	}
	if (file->len > ATTACH_MAX) {
		err_set(&e, 413, "file_too_large", "file", "a file may be %u MiB at most",
			ATTACH_MAX >> 20);
		goto bad;
	}
	if (!file->len) {
		err_set(&e, 400, "invalid_field", "file", "the file is empty");
		goto bad;
	}
	if (!(x->type = attach_type(file->data, file->len))) {
		err_set(&e, 415, "unsupported_media_type", "file",
			"a file must be a PDF, a JPEG or a PNG (told by its content, not its name)");
		goto bad;
	}
	x->name = attach_name(&r->arena, file->filename ? file->filename : "",
			      file->filename ? file->filename_len : 0, x->type);
	if (!x->name) {
		err_set(&e, 400, "invalid_field", "file", "the file's name is not UTF-8");
		goto bad;
	}
	x->r = r;
	x->data = file->data;
	x->len = file->len;
	x->dir = r->app->attach_dir;
	struct ahead *h = r->body_state;
	if (h && h->fd >= 0 && r->body && file->data == r->body + h->off)
		x->ahead = h; /* the file was begun as the body arrived */
	if (!x->dir) {
		err_set(&e, 503, "unavailable", "file", "this server keeps no attachments");
		goto bad;
	}
	req_slow(r, store_file, stored, x);
	return;
bad:
	reply_error(r, &e);
}

/* ---- GET /api/v1/cases/{id}/attachments ---- */

void attachments_h_list(struct req *r)
{
	struct case_ref c;
	if (cases_readable(r, "attachment_list", &c) < 0)
		return;
	struct db_stmt *s = db_prepare(
		req_db(r), "SELECT a.id, a.name, a.type, a.size, a.sha256, a.at, u.name, u.role"
			   " FROM attachments a LEFT JOIN users u ON u.id = a.uploaded_by"
			   " WHERE a.case_id = $1 ORDER BY a.id");
	if (!s) {
		reply_errorf(r, 500, "internal", "", "the attachments cannot be read");
		return;
	}
	db_bind_int(s, 1, c.id);
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	jw_array(&w, "items");
	while (db_step(s) == 1) {
		jw_object(&w, NULL);
		write_item(&w, db_col_int(s, 0), db_col_text(s, 1), db_col_text(s, 2),
			   db_col_int(s, 3), db_col_text(s, 4), db_col_int(s, 5), db_col_text(s, 6),
			   db_col_text(s, 7));
		jw_end(&w);
	}
	db_done(s);
	jw_end(&w);
	jw_end(&w);
	struct audit_entry *a = arena_alloc(&r->arena, sizeof *a);
	a->action = "attachment_list";
	a->person_id = c.person_id;
	a->case_id = c.id;
	a->reason = c.number;
	audit_reply(r, 200, &w, a, 1);
}

/* ---- GET /api/v1/cases/{id}/attachments/{aid} ---- */

struct get_ctx {
	const char *type, *name;
	char path[4096];
	int64_t size;
};

static void send_file(struct req *r, void *arg)
{
	struct get_ctx *g = arg;
	int fd = open(g->path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size != g->size ||
	    !(buf = malloc(g->size ? (size_t)g->size : 1)))
		goto fail;
	for (size_t got = 0; got < (size_t)g->size;) {
		ssize_t n = read(fd, buf + got, (size_t)g->size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		got += (size_t)n;
	}
	close(fd);
	req_set_header(r, "Content-Type", g->type);
	req_set_header(r, "Content-Disposition", attach_disposition(&r->arena, g->name));
	req_set_header(r, "Cache-Control", "private, no-store");
	req_set_header(r, "Content-Security-Policy", "default-src 'none'; sandbox");
	reply_data(r, 200, buf, (size_t)g->size, free);
	return;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	reply_errorf(r, 500, "internal", "", "the attachment's file cannot be read");
}

void attachments_h_get(struct req *r)
{
	struct case_ref c;
	if (cases_readable(r, "attachment_read", &c) < 0)
		return;
	const char *p = r->param[1];
	int64_t aid = 0;
	for (; *p && aid < INT64_MAX / 10 - 9; p++) {
		if (*p < '0' || *p > '9')
			break;
		aid = aid * 10 + (*p - '0');
	}
	struct get_ctx *g = arena_alloc(&r->arena, sizeof *g);
	struct db_stmt *s = NULL;
	int found = 0;
	if (!*p && aid > 0) {
		s = db_prepare(req_db(r), "SELECT type, name, size, sha256 FROM attachments"
					  " WHERE id = $1 AND case_id = $2");
		db_bind_int(s, 1, aid);
		db_bind_int(s, 2, c.id);
		if ((found = db_step(s) == 1)) {
			g->type = arena_strdup(&r->arena, db_col_text(s, 0));
			g->name = arena_strdup(&r->arena, db_col_text(s, 1));
			g->size = db_col_int(s, 2);
			found = r->app->attach_dir &&
				file_path(r->app->attach_dir, db_col_text(s, 3), g->path,
					  sizeof g->path, 0) == 0;
		}
		db_done(s);
	}
	if (!found) {
		reply_errorf(r, 404, "not_found", "aid", "the case has no such attachment");
		return;
	}
	struct audit_entry *a = arena_alloc(&r->arena, sizeof *a);
	a->action = "attachment_read";
	a->person_id = c.person_id;
	a->case_id = c.id;
	a->reason = arena_printf(&r->arena, "%s: %s", c.number, g->name);
	audit_then(r, a, 1, send_file, g);
}
