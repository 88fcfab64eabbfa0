/* store: store.h's calls, each handed to the backend its connection was opened with
 * (backend.h): SQLite for a file path, PostgreSQL for a postgres:// URL. */
#include "store/backend.h"

#include "base/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int db_is_url(const char *path)
{
	return strncmp(path, "postgres://", 11) == 0 || strncmp(path, "postgresql://", 13) == 0;
}

int db_open(struct db **out, const char *path, int flags, struct err *e)
{
	return db_is_url(path) ? db_postgres_open(out, path, flags, e)
			       : db_sqlite_open(out, path, flags, e);
}

void db_close(struct db *db)
{
	if (db)
		db->ops->close(db);
}

const char *db_backend(const struct db *db)
{
	return db->ops->name;
}
int db_migrate(struct db *db, struct err *e)
{
	return db->ops->migrate(db, e);
}
struct db_stmt *db_prepare(struct db *db, const char *sql)
{
	return db->ops->prepare(db, sql);
}

/* A NULL statement (its SQL failed to prepare, already logged) binds nothing and steps
 * to an error, so that a caller that does not check fails the request, not the process. */
void db_done(struct db_stmt *s)
{
	if (s)
		s->ops->done(s);
}
void db_bind_text(struct db_stmt *s, int idx, const char *v)
{
	if (s)
		s->ops->bind_text(s, idx, v, 1);
}
void db_bind_text_ref(struct db_stmt *s, int idx, const char *v)
{
	if (s)
		s->ops->bind_text(s, idx, v, 0);
}
void db_bind_int(struct db_stmt *s, int idx, int64_t v)
{
	if (s)
		s->ops->bind_int(s, idx, v);
}
void db_bind_null(struct db_stmt *s, int idx)
{
	if (s)
		s->ops->bind_null(s, idx);
}
void db_bind_blob(struct db_stmt *s, int idx, const void *v, size_t len)
{
	if (s)
		s->ops->bind_blob(s, idx, v, len);
}
int db_step(struct db_stmt *s)
{
	return s ? s->ops->step(s) : -1;
}
const char *db_col_text(struct db_stmt *s, int col)
{
	return s->ops->col_text(s, col);
}
int64_t db_col_int(struct db_stmt *s, int col)
{
	return s->ops->col_int(s, col);
}
int db_col_is_null(struct db_stmt *s, int col)
{
	return s->ops->col_is_null(s, col);
}
const void *db_col_blob(struct db_stmt *s, int col, size_t *len)
{
	return s->ops->col_blob(s, col, len);
}

int db_exec(struct db *db, const char *sql)
{
	/* cached like any statement: the writer runs SAVEPOINT/RELEASE for every job */
	struct db_stmt *s = db_prepare(db, sql);
	if (!s)
		return -1;
	int rc = db_step(s);
	db_done(s);
	return rc < 0 ? -1 : 0;
}

int db_run_ints(struct db *db, const char *sql, int n, const int64_t *v)
{
	struct db_stmt *s = db_prepare(db, sql);
	if (!s)
		return -1;
	for (int i = 0; i < n; i++)
		db_bind_int(s, i + 1, v[i]);
	int rc = db_step(s);
	db_done(s);
	return rc;
}

int db_exec_script(struct db *db, const char *sql)
{
	return db->ops->exec_script(db, sql);
}
int64_t db_last_id(struct db *db)
{
	return db->ops->last_id(db);
}
int db_take_ids(struct db *db, const char *table, size_t n, int64_t *ids)
{
	for (const char *c = table; *c; c++)
		if (!(*c >= 'a' && *c <= 'z') && *c != '_')
			return -1;
	if (!n)
		return 0;
	if (db->ops->take_ids_sql) {
		struct db_stmt *s = db_prepare(db, db->ops->take_ids_sql);
		if (!s)
			return -1;
		db_bind_text(s, 1, table);
		db_bind_int(s, 2, (int64_t)n);
		size_t got = 0;
		while (got < n && db_step(s) == 1)
			ids[got++] = db_col_int(s, 0);
		db_done(s);
		return got == n ? 0 : -1;
	}
	char sql[96];
	snprintf(sql, sizeof sql, "SELECT coalesce(max(id), 0) FROM %s", table);
	struct db_stmt *s = db_prepare(db, sql);
	if (!s)
		return -1;
	int rc = db_step(s);
	int64_t top = rc == 1 ? db_col_int(s, 0) : 0;
	db_done(s);
	for (size_t i = 0; rc == 1 && i < n; i++)
		ids[i] = top + 1 + (int64_t)i;
	return rc == 1 ? 0 : -1;
}
int64_t db_changes(struct db *db)
{
	return db->ops->changes(db);
}
const char *db_errmsg(struct db *db)
{
	return db->ops->errmsg(db);
}
int db_is_constraint_error(struct db *db)
{
	return db->ops->is_constraint_error(db);
}
int db_is_unavailable(struct db *db)
{
	return db->ops->is_unavailable(db);
}
int db_begin(struct db *db)
{
	return db->ops->begin(db);
}
int db_commit(struct db *db)
{
	return db->ops->commit(db);
}
int db_rollback(struct db *db)
{
	return db->ops->rollback(db);
}

int db_fail(struct db *db, struct err *e)
{
	if (db_is_unavailable(db))
		return err_set(e, 503, "db_unavailable", "",
			       "the database cannot be reached; try again in a moment");
	return err_set(e, 500, "internal", "", "%s", db_errmsg(db));
}

int db_text_put(struct db *db, const char *kind, int64_t id, const char *text)
{
	size_t len = strlen(text);
	char *norm = text_utf8_valid(text, len) ? malloc(len + 1) : NULL;
	if (!norm)
		return -1;
	text_normalize_buf(text, len, norm);
	struct db_stmt *s = db_prepare(db, db->ops->text_put_sql);
	if (!s) {
		free(norm);
		return -1;
	}
	db_bind_text(s, 1, kind);
	db_bind_int(s, 2, id);
	db_bind_text_ref(s, 3, norm);
	int rc = db_step(s);
	db_done(s);
	free(norm);
	if (rc < 0)
		return -1;
	if (db->ops->text_put_done)
		db->ops->text_put_done(db);
	return 0;
}
const char *db_text_match(struct db *db, char *buf, int bufsize, int q, int k)
{
	return db->ops->text_match(buf, bufsize, q, k);
}
const char *db_text_query(struct db *db, char *buf, int bufsize, const char *words)
{
	return db->ops->text_query(buf, bufsize, words);
}

/* ---- bulk rows ---- */

#define BULK_BUF 65536

struct db_bulk {
	struct db *db;
	int n, col, failed;
	struct db_stmt *ins; /* without COPY */
	char *buf;	     /* with COPY: rows in the text format, sent when full */
	size_t len;
};

struct db_bulk *db_bulk_begin(struct db *db, const char *table, const char *columns, int n)
{
	struct db_bulk *b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	b->db = db;
	b->n = n;
	if (db->ops->copy_begin) {
		b->buf = malloc(BULK_BUF);
		if (!b->buf || db->ops->copy_begin(db, table, columns) < 0) {
			free(b->buf);
			free(b);
			return NULL;
		}
		return b;
	}
	char sql[1024];
	int len = snprintf(sql, sizeof sql, "INSERT INTO %s(%s) VALUES (", table, columns);
	for (int i = 1; i <= n && len > 0 && (size_t)len < sizeof sql - 16; i++)
		len += snprintf(sql + len, sizeof sql - (size_t)len, "%s$%d", i > 1 ? ", " : "", i);
	if (len <= 0 || (size_t)len >= sizeof sql - 16) {
		free(b);
		return NULL;
	}
	snprintf(sql + len, sizeof sql - (size_t)len, ")");
	b->ins = db_prepare(db, sql);
	if (!b->ins) {
		free(b);
		return NULL;
	}
	return b;
}

static void bulk_flush(struct db_bulk *b)
{
	if (b->len && !b->failed && b->db->ops->copy_data(b->db, b->buf, b->len) < 0)
		b->failed = 1;
	b->len = 0;
}

/* A value was given: COPY's text gets the tab or the row's end (sep), and after the row's
 * last column SQLite's INSERT is stepped. */
static void bulk_next(struct db_bulk *b, int sep)
{
	if (sep) {
		if (b->len + 1 > BULK_BUF)
			bulk_flush(b);
		b->buf[b->len++] = b->col + 1 == b->n ? '\n' : '\t';
	}
	if (++b->col == b->n) {
		b->col = 0;
		if (b->ins) {
			if (db_step(b->ins) < 0)
				b->failed = 1;
			db_done(b->ins);
		}
	}
}

/* The value's bytes, escaped for COPY's text format (\N is NULL). */
static void bulk_put(struct db_bulk *b, const char *v, int is_null)
{
	if (b->failed)
		return;
	if (b->ins) {
		if (is_null)
			db_bind_null(b->ins, b->col + 1);
		else
			db_bind_text(b->ins, b->col + 1, v);
	} else {
		size_t need = is_null ? 3 : strlen(v) * 2 + 2;
		if (b->len + need > BULK_BUF)
			bulk_flush(b);
		if (need > BULK_BUF) {
			b->failed = 1; /* longer than any value bulk rows carry */
			return;
		}
		if (is_null) {
			memcpy(b->buf + b->len, "\\N", 2);
			b->len += 2;
		} else {
			for (const char *p = v; *p; p++) {
				char c = *p, esc = c == '\\'   ? '\\'
						   : c == '\n' ? 'n'
						   : c == '\r' ? 'r'
						   : c == '\t' ? 't'
							       : 0;
				if (esc) {
					b->buf[b->len++] = '\\';
					b->buf[b->len++] = esc;
				} else {
					b->buf[b->len++] = c;
				}
			}
		}
	}
	bulk_next(b, !b->ins);
}

void db_bulk_int(struct db_bulk *b, int64_t v)
{
	char s[24];
	if (b->ins && !b->failed) { /* an integer stays an integer in SQLite */
		db_bind_int(b->ins, b->col + 1, v);
		bulk_next(b, 0);
		return;
	}
	if (b->failed)
		return;
	/* the digits written straight into the buffer (a list's entries are 8 integers a
	 * row, millions of rows: snprintf and the escaping loop were most of the client's
	 * share of the COPY); digits need no escaping */
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	int n = 0;
	do
		s[sizeof s - 1 - n++] = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		s[sizeof s - 1 - n++] = '-';
	if (b->len + (size_t)n + 1 > BULK_BUF)
		bulk_flush(b);
	memcpy(b->buf + b->len, s + sizeof s - n, (size_t)n);
	b->len += (size_t)n;
	bulk_next(b, 1);
}

void db_bulk_blob(struct db_bulk *b, const void *v, size_t len)
{
	if (b->failed)
		return;
	if (b->ins) {
		db_bind_blob(b->ins, b->col + 1, v, len);
	} else {
		/* bytea's hex form, its backslash escaped for COPY's text format: \\x and two
		 * digits a byte, sent in as many pieces as the buffer needs */
		static const char hex[] = "0123456789abcdef";
		const unsigned char *p = v;
		if (b->len + 4 > BULK_BUF)
			bulk_flush(b);
		memcpy(b->buf + b->len, "\\\\x", 3);
		b->len += 3;
		for (size_t i = 0; i < len; i++) {
			if (b->len + 2 > BULK_BUF)
				bulk_flush(b);
			b->buf[b->len++] = hex[p[i] >> 4];
			b->buf[b->len++] = hex[p[i] & 15];
		}
	}
	bulk_next(b, !b->ins);
}

void db_bulk_ref(struct db_bulk *b, int64_t id)
{
	if (id)
		db_bulk_int(b, id);
	else
		bulk_put(b, "", 1);
}

void db_bulk_text(struct db_bulk *b, const char *v)
{
	bulk_put(b, v ? v : "", v == NULL);
}

int db_bulk_end(struct db_bulk *b)
{
	if (!b)
		return -1;
	int failed = b->failed || b->col != 0;
	if (!b->ins) {
		bulk_flush(b);
		failed |= b->failed;
		if (b->db->ops->copy_end(b->db, failed) < 0)
			failed = 1;
	}
	free(b->buf);
	free(b);
	return failed ? -1 : 0;
}

uint64_t db_wal_position(struct db *db)
{
	return db->ops->wal_position ? db->ops->wal_position(db) : 0;
}

const char *store_text_words(char *buf, int bufsize, const char *words, char q, int bs,
			     const char *sep, const char *last)
{
	int n = 0, nwords = 0, lsep = (int)strlen(sep), llast = (int)strlen(last);
	const char *p = words;
	buf[0] = 0;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		const char *start = p;
		while (*p && *p != ' ')
			p++;
		if (n + (int)(p - start) * 2 + lsep + llast + 3 >= bufsize)
			break;
		if (nwords++) {
			memcpy(buf + n, sep, (size_t)lsep);
			n += lsep;
		}
		buf[n++] = q;
		for (const char *c = start; c < p; c++) {
			if (*c == q || (bs && *c == '\\'))
				buf[n++] = *c;
			buf[n++] = *c;
		}
		buf[n++] = q;
		buf[n] = 0;
	}
	if (!nwords)
		return NULL;
	memcpy(buf + n, last, (size_t)llast + 1);
	return buf;
}

/* The cache key: length and the last 48 bytes (statements share long prefixes, such as a
 * common SELECT list, and differ in their WHERE); a hit is confirmed by strcmp. Hashing
 * every byte of every statement on every call cost 3% of the demo's time. */
static uint32_t hash_str(const char *s)
{
	size_t n = strlen(s);
	uint32_t h = 2166136261u ^ (uint32_t)n;
	for (const char *p = n > 48 ? s + (n - 48) : s; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

#define PROBES 8

struct db_stmt *store_cache_find(struct db_stmt *const *cache, const char *sql, uint32_t *hash,
				 unsigned *slot)
{
	uint32_t h = hash_str(sql);
	/* when every probed slot is taken, the statement in the home slot is replaced */
	unsigned victim = h & (STORE_CACHE_SLOTS - 1);
	for (unsigned i = 0; i < PROBES; i++) {
		unsigned at = (h + i) & (STORE_CACHE_SLOTS - 1);
		struct db_stmt *s = cache[at];
		if (!s) {
			victim = at;
			break;
		}
		if (s->hash == h && strcmp(s->sql, sql) == 0)
			return s;
	}
	*hash = h;
	*slot = victim;
	return NULL;
}

void db_set_timeout(struct db *db, int ms)
{
	if (db->ops->set_timeout)
		db->ops->set_timeout(db, ms);
}
