/* The web app's files in memory, and the handler that serves them. */
#include "web/web.h"

#include "base/text.h"

#include "app.h"
#include "http/http.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

struct web_type {
	const char *ext;
	const char *mime;
	int text; /* compressible: replies vary by Accept-Encoding */
	int html; /* gets the Content-Security-Policy */
};

static const struct web_type types[] = {
    {"html", "text/html; charset=utf-8", 1, 1},
    {"htm", "text/html; charset=utf-8", 1, 1},
    {"js", "text/javascript; charset=utf-8", 1, 0},
    {"mjs", "text/javascript; charset=utf-8", 1, 0},
    {"css", "text/css; charset=utf-8", 1, 0},
    {"svg", "image/svg+xml", 1, 0},
    {"json", "application/json", 1, 0},
    {"map", "application/json", 1, 0},
    {"webmanifest", "application/manifest+json", 1, 0},
    {"txt", "text/plain; charset=utf-8", 1, 0},
    {"woff2", "font/woff2", 0, 0},
    {"woff", "font/woff", 0, 0},
    {"png", "image/png", 0, 0},
    {"jpg", "image/jpeg", 0, 0},
    {"jpeg", "image/jpeg", 0, 0},
    {"gif", "image/gif", 0, 0},
    {"webp", "image/webp", 0, 0},
    {"ico", "image/x-icon", 0, 0},
};
static const struct web_type unknown_type = {"", "application/octet-stream", 0, 0};

static const char csp[] = "default-src 'self'; img-src 'self' data:; style-src 'self' "
			  "'unsafe-inline'; font-src 'self'; connect-src 'self'; "
			  "frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

struct web_file {
	char *path; /* inside the folder, no leading '/': "assets/app-1a2b3c.js" */
	unsigned char *data, *gz;
	size_t len, gz_len;
	const struct web_type *type;
	int immutable;		    /* under assets/ */
	char etag[20], gz_etag[20]; /* "0123456789abcdef", quotes included */
};

struct web {
	struct web_file *files; /* sorted by path */
	size_t n, cap;
	size_t total; /* bytes read */
	const struct web_file *index;
};

/* ---- loading ---- */

struct loader {
	struct web *w;
	const char *dir;
	struct err *e;
	char rel[WEB_PATH_MAX + 1]; /* the path being read, inside dir */
};

static int read_file(struct loader *ld, int fd)
{
	struct web *w = ld->w;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0; /* replaced by something else since it was listed: left out */
	}
	int too_many = w->n >= WEB_MAX_FILES;
	if (too_many || (uint64_t)st.st_size > WEB_MAX_BYTES - w->total) {
		close(fd);
		return err_set(ld->e, 400, "web", "web",
			       "web app folder %s holds over %u %s; refusing to serve it", ld->dir,
			       too_many ? WEB_MAX_FILES : WEB_MAX_BYTES >> 20,
			       too_many ? "files" : "MiB");
	}
	size_t size = (size_t)st.st_size;
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;
		struct web_file *f = realloc(w->files, cap * sizeof *f);
		if (!f) {
			close(fd);
			return err_set(ld->e, 500, "internal", "", "out of memory");
		}
		w->files = f;
		w->cap = cap;
	}
	unsigned char *data = malloc(size ? size : 1);
	char *path = strdup(ld->rel);
	size_t got = 0;
	int error = 0;
	while (data && path && got < size) {
		ssize_t k = read(fd, data + got, size - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			error = k < 0 ? errno : 0;
			break;
		}
		got += (size_t)k;
	}
	close(fd);
	if (!data || !path || got != size) {
		free(data);
		free(path);
		return err_set(ld->e, 400, "web", "web", "web app folder %s: cannot read %s: %s",
			       ld->dir, ld->rel,
			       !data || !path ? "out of memory"
			       : error	      ? strerror(error)
					      : "it shrank while being read");
	}
	w->files[w->n++] = (struct web_file){.path = path, .data = data, .len = size};
	w->total += size;
	return 0;
}

/* Reads the folder open at dfd (taken over), whose path inside the root is ld->rel. */
static int walk(struct loader *ld, int dfd, int depth)
{
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return err_set(ld->e, 400, "web", "web", "web app folder %s: cannot read %s: %s",
			       ld->dir, ld->rel[0] ? ld->rel : ".", strerror(errno));
	}
	size_t base = strlen(ld->rel);
	int rc = 0;
	const struct dirent *de;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		const char *name = de->d_name;
		if (name[0] == '.')
			continue;
		size_t at = base ? base + 1 : 0, nl = strlen(name);
		if (at + nl > WEB_PATH_MAX) {
			rc = err_set(ld->e, 400, "web", "web",
				     "web app folder %s: a path is over %d bytes: %s/%s", ld->dir,
				     WEB_PATH_MAX, ld->rel, name);
			break;
		}
		if (base)
			ld->rel[base] = '/';
		memcpy(ld->rel + at, name, nl + 1);
		struct stat st;
		if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = err_set(ld->e, 400, "web", "web",
				     "web app folder %s: cannot read %s: %s", ld->dir, ld->rel,
				     strerror(errno));
		} else if (S_ISDIR(st.st_mode) && depth >= 32) {
			rc = err_set(ld->e, 400, "web", "web",
				     "web app folder %s: folders nest over 32 deep at %s", ld->dir,
				     ld->rel);
		} else if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) {
			int dir = S_ISDIR(st.st_mode);
			int fd =
			    openat(dirfd(d), name,
				   O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
			if (fd < 0)
				rc = err_set(ld->e, 400, "web", "web",
					     "web app folder %s: cannot open %s: %s", ld->dir,
					     ld->rel, strerror(errno));
			else
				rc = dir ? walk(ld, fd, depth + 1) : read_file(ld, fd);
		}
		ld->rel[base] = 0;
	}
	closedir(d);
	return rc;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct web_file *)a)->path, ((const struct web_file *)b)->path);
}

static int key_path(const void *key, const void *f)
{
	return strcmp(key, ((const struct web_file *)f)->path);
}

static const struct web_file *find(const struct web *w, const char *path)
{
	return w->n ? bsearch(path, w->files, w->n, sizeof *w->files, key_path) : NULL;
}

static const struct web_type *type_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash + 1 : path, '.');
	if (dot)
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
			if (strcasecmp(dot + 1, types[i].ext) == 0)
				return &types[i];
	return &unknown_type;
}

static void etag_of(char out[20], const unsigned char *p, size_t n)
{
	uint64_t h = 14695981039346656037u; /* FNV-1a, 64 bits */
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211u;
	snprintf(out, 20, "\"%016" PRIx64 "\"", h);
}

/* FILE.gz beside FILE becomes FILE's encoding and leaves the table. */
static void pair_gzip(struct web *w)
{
	for (size_t i = 0; i < w->n; i++) {
		struct web_file *f = &w->files[i];
		size_t len = strlen(f->path);
		if (len <= 3 || strcmp(f->path + len - 3, ".gz") != 0)
			continue;
		char key[WEB_PATH_MAX + 1];
		memcpy(key, f->path, len - 3);
		key[len - 3] = 0;
		struct web_file *plain = (struct web_file *)find(w, key);
		if (plain && plain->data && !plain->gz) { /* data NULL: a .gz given away */
			plain->gz = f->data;
			plain->gz_len = f->len;
			f->data = NULL;
		}
	}
	/* Compacting keeps the order: the table stays sorted. */
	size_t kept = 0;
	for (size_t i = 0; i < w->n; i++) {
		if (w->files[i].data)
			w->files[kept++] = w->files[i];
		else
			free(w->files[i].path);
	}
	w->n = kept;
}

void web_free(struct web *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++) {
		free(w->files[i].path);
		free(w->files[i].data);
		free(w->files[i].gz);
	}
	free(w->files);
	free(w);
}

struct web *web_load(const char *dir, struct err *e)
{
	struct loader *ld = calloc(1, sizeof *ld);
	struct web *w = calloc(1, sizeof *w);
	if (!ld || !w) {
		free(ld);
		free(w);
		err_set(e, 500, "internal", "", "out of memory");
		return NULL;
	}
	ld->w = w;
	ld->dir = dir;
	ld->e = e;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = fd < 0
		     ? err_set(e, 400, "web", "web", "web app folder %s: %s", dir, strerror(errno))
		     : walk(ld, fd, 0);
	free(ld);
	if (rc == 0) {
		qsort(w->files, w->n, sizeof *w->files, by_path);
		pair_gzip(w);
		w->index = find(w, "index.html");
		if (!w->index)
			rc = err_set(
			    e, 400, "web", "web",
			    "web app folder %s has no index.html (is it the web app's build?)",
			    dir);
	}
	if (rc < 0) {
		web_free(w);
		return NULL;
	}
	for (size_t i = 0; i < w->n; i++) {
		struct web_file *f = &w->files[i];
		f->type = type_of(f->path);
		f->immutable = strncmp(f->path, "assets/", 7) == 0;
		etag_of(f->etag, f->data, f->len);
		if (f->gz)
			etag_of(f->gz_etag, f->gz, f->gz_len);
	}
	return w;
}

/* ---- serving ---- */

int web_clean_path(const char *raw, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = 0;
	if (raw[0] != '/')
		return -1;
	for (const char *p = raw + 1; *p; p++) {
		int c = (unsigned char)*p;
		if (c == '%') {
			int hi = text_hex_digit(p[1]), lo = hi < 0 ? -1 : text_hex_digit(p[2]);
			if (lo < 0)
				return -1;
			c = hi * 16 + lo;
			p += 2;
			if (c == '/')
				return -1;
		}
		if (c < 0x20 || c == 0x7f || c == '\\')
			return -1;
		if (n + 1 >= cap)
			return -2;
		out[n++] = (char)c;
		out[n] = 0;
	}
	for (const char *s = out;;) {
		const char *slash = strchr(s, '/');
		size_t len = slash ? (size_t)(slash - s) : strlen(s);
		if ((len == 0 && slash) || (len == 1 && s[0] == '.') ||
		    (len == 2 && s[0] == '.' && s[1] == '.'))
			return -1;
		if (!slash)
			return 0;
		s = slash + 1;
	}
}

/* Accept-Encoding names gzip (or x-gzip) without q=0. */
static int accepts_gzip(const char *ae)
{
	for (const char *p = ae; p && *p;) {
		p += strspn(p, " \t,");
		size_t n = strcspn(p, " \t,;");
		int gzip = (n == 4 && strncasecmp(p, "gzip", 4) == 0) ||
			   (n == 6 && strncasecmp(p, "x-gzip", 6) == 0);
		const char *end = p + strcspn(p, ",");
		const char *q = p + n;
		q += strspn(q, " \t");
		if (*q == ';') {
			q++;
			q += strspn(q, " \t");
			if ((*q == 'q' || *q == 'Q') && q[1] == '=') {
				q += 2;
				q += strspn(q, "0");
				if (*q == '.')
					q += 1 + strspn(q + 1, "0");
				if (q >= end || *q == ' ' || *q == '\t' || *q == ';')
					gzip = 0; /* q=0: not acceptable */
			}
		}
		if (gzip)
			return 1;
		p = end;
	}
	return 0;
}

/* If-None-Match lists etag (weak comparison, as RFC 9110 asks) or is "*". */
static int etag_listed(const char *inm, const char *etag)
{
	size_t el = strlen(etag);
	for (const char *p = inm; p && *p;) {
		p += strspn(p, " \t,");
		if (*p == '*')
			return 1;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		size_t n = strcspn(p, ",");
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == el && memcmp(p, etag, el) == 0)
			return 1;
		p += n;
		p += strcspn(p, ",");
	}
	return 0;
}

void web_h_serve(struct req *r)
{
	const struct web *w = r->app->web;
	char key[WEB_PATH_MAX + 1];
	int c = web_clean_path(r->path, key, sizeof key);
	if (c == -1) {
		reply_errorf(r, 400, "invalid_path", "", "not a path the web app can have: %s",
			     r->path);
		return;
	}
	const struct web_file *f = c == 0 ? find(w, key[0] ? key : "index.html") : NULL;
	if (!f) {
		/* a path over WEB_PATH_MAX bytes names no file, whatever its last segment */
		const char *slash = c == 0 ? strrchr(key, '/') : NULL;
		if (c < 0 || strchr(slash ? slash + 1 : key, '.')) {
			reply_errorf(r, 404, "not_found", "", "no such resource: %s", r->path);
			return;
		}
		f = w->index; /* one of the app's own routes */
	}
	if (r->method != M_GET) {
		req_set_header(r, "Allow", "GET, HEAD");
		reply_errorf(r, 405, "method_not_allowed", "", "method not allowed here");
		return;
	}
	int gz = f->gz && accepts_gzip(req_header(r, "Accept-Encoding"));
	const char *etag = gz ? f->gz_etag : f->etag;
	req_set_header(r, "ETag", etag);
	req_set_header(r, "Cache-Control",
		       f->immutable ? "public, max-age=31536000, immutable" : "no-cache");
	if (f->type->text || f->gz)
		req_set_header(r, "Vary", "Accept-Encoding");
	if (etag_listed(req_header(r, "If-None-Match"), etag)) {
		reply_static(r, 304, NULL, 0);
		return;
	}
	req_set_header(r, "Content-Type", f->type->mime);
	if (f->type->html)
		req_set_header(r, "Content-Security-Policy", csp);
	if (gz)
		req_set_header(r, "Content-Encoding", "gzip");
	reply_static(r, 200, gz ? f->gz : f->data, gz ? f->gz_len : f->len);
}
