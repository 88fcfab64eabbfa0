/* backend: what a store backend (sqlite.c, postgres.c) gives store.c, which turns the
 * calls of store.h into calls of the backend the connection was opened with. Private to
 * src/store/. Every struct db and struct db_stmt of a backend begins with its ops, so
 * that store.c can find them. */
#ifndef TAMIN_STORE_BACKEND_H
#define TAMIN_STORE_BACKEND_H

#include "store/store.h"

struct db_ops {
	const char *name; /* "sqlite", "postgres" */
	void (*close)(struct db *db);
	int (*migrate)(struct db *db, struct err *e);
	struct db_stmt *(*prepare)(struct db *db, const char *sql);
	void (*done)(struct db_stmt *s);
	void (*bind_text)(struct db_stmt *s, int idx, const char *v, int copy);
	void (*bind_int)(struct db_stmt *s, int idx, int64_t v);
	void (*bind_null)(struct db_stmt *s, int idx);
	void (*bind_blob)(struct db_stmt *s, int idx, const void *v, size_t len);
	int (*step)(struct db_stmt *s);
	const char *(*col_text)(struct db_stmt *s, int col);
	int64_t (*col_int)(struct db_stmt *s, int col);
	int (*col_is_null)(struct db_stmt *s, int col);
	const void *(*col_blob)(struct db_stmt *s, int col, size_t *len);
	int (*exec_script)(struct db *db, const char *sql);
	int64_t (*last_id)(struct db *db);
	int64_t (*changes)(struct db *db);
	const char *(*errmsg)(struct db *db);
	int (*is_constraint_error)(struct db *db);
	int (*is_unavailable)(struct db *db);
	int (*begin)(struct db *db);
	int (*commit)(struct db *db);
	int (*rollback)(struct db *db);
	/* db_text_put: the INSERT of a document's normalised text ($1 kind, $2 id, $3 text),
	 * then text_put_done (NULL: nothing more) */
	const char *text_put_sql;
	void (*text_put_done)(struct db *db);
	/* db_take_ids: n ids ($1 the table, $2 n), one a row; NULL: the next past max(id) */
	const char *take_ids_sql;
	const char *(*text_match)(char *buf, int bufsize, int q, int k);
	const char *(*text_query)(char *buf, int bufsize, const char *words);
	/* COPY: NULL when the backend has none (store.c steps INSERTs then); else start it,
	 * send rows in PostgreSQL's text format, and finish it (0 or -1). */
	int (*copy_begin)(struct db *db, const char *table, const char *columns);
	int (*copy_data)(struct db *db, const char *buf, size_t len);
	int (*copy_end)(struct db *db, int failed);
	uint64_t (*wal_position)(struct db *db);    /* NULL: 0 */
	void (*set_timeout)(struct db *db, int ms); /* NULL: none to set */
};

/* The head of every backend's struct db and struct db_stmt. */
struct db {
	const struct db_ops *ops;
};
struct db_stmt {
	const struct db_ops *ops;
	char *sql; /* the text the module wrote ($n): the cache key */
	uint32_t hash;
};

/* Each connection's statement cache: open addressing over a few slots, so that two hot
 * statements rarely evict each other. */
#define STORE_CACHE_SLOTS 256 /* power of two; dynamic list queries have a bounded set */
/* The statement cached for sql, or NULL: then *hash is sql's and *slot the one a new
 * statement goes in (the free slot, or the home slot whose statement it replaces). */
struct db_stmt *store_cache_find(struct db_stmt *const *cache, const char *sql, uint32_t *hash,
				 unsigned *slot);

/* The words of a search (separated by spaces) as a text query: each word between quote
 * characters q (q inside it doubled, and a backslash doubled when bs), the words joined by
 * sep, the last followed by last; in buf, or NULL when there is no word. Words that do not
 * fit are left out. */
const char *store_text_words(char *buf, int bufsize, const char *words, char q, int bs,
			     const char *sep, const char *last);

int db_sqlite_open(struct db **out, const char *path, int flags, struct err *e);
int db_postgres_open(struct db **out, const char *url, int flags, struct err *e);

#endif
