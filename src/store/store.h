/* store: the database interface every module uses. Modules write portable SQL with
 * $1..$n placeholders (as PostgreSQL does); the SQLite backend rewrites them to ?1..?n.
 * Statements are prepared once per connection and cached by their text.
 *
 * Two backends stand behind it, chosen by what db_open is given: a file path is SQLite
 * (sqlite.c, the embedded default), a postgres:// or postgresql:// URL is PostgreSQL 15
 * through libpq (postgres.c). SQL must run on both: ON CONFLICT rather than INSERT OR,
 * no SQLite-only functions; a PRAGMA is SQLite's tuning and does nothing on PostgreSQL.
 *
 * Threads: a struct db is used by one thread at a time. Each HTTP loop holds a reader
 * connection; every write goes through the writer (store/writer.h), so SQLite sees a
 * single writer and commits are grouped. */
#ifndef TAMIN_STORE_STORE_H
#define TAMIN_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct db;
struct db_stmt;

enum { DB_READONLY = 1, DB_CREATE = 2 };

/* Opens (and with DB_CREATE creates) the database at path; WAL, busy timeout, foreign
 * keys, synchronous=FULL so that a committed write survives power loss.
 *
 * Beside it lives the journal file (path with "-journal.db" for ".db"), attached as
 * schema "journal": append-only logs that every read writes to (the audit log) are
 * kept there. In WAL mode SQLite drops a reader's whole page cache whenever the file
 * it reads changed; with the audit rows in the main file, every commit emptied every
 * reader's cache, and random case reads ran 30% slower. A transaction that writes both
 * files is atomic in each file, not across the two (SQLite's WAL rule): a crash at the
 * wrong moment can keep a case event without its audit row, never the reverse of a
 * reply, since a reply waits for both. Copy and keep the two files together. */
int db_open(struct db **out, const char *path, int flags, struct err *e);
void db_close(struct db *db);
/* 1 when path is a PostgreSQL URL rather than a file. */
int db_is_url(const char *path);
/* "sqlite" or "postgres". */
const char *db_backend(const struct db *db);

/* Applies the pending migrations in one transaction each; returns the schema version. */
int db_migrate(struct db *db, struct err *e);

/* The cached statement for sql, reset and with bindings cleared; NULL on a SQL error
 * (logged: that is a bug, not bad input) that the backend sees at once: SQLite does,
 * PostgreSQL prepares at the first db_step, which then fails. Call db_done when finished
 * with it. */
struct db_stmt *db_prepare(struct db *db, const char *sql);
void db_done(struct db_stmt *s);

void db_bind_text(struct db_stmt *s, int idx, const char *v); /* NULL binds NULL */
/* The same, not copied: v must stay unchanged until db_done. */
void db_bind_text_ref(struct db_stmt *s, int idx, const char *v);
void db_bind_int(struct db_stmt *s, int idx, int64_t v);
void db_bind_null(struct db_stmt *s, int idx);
/* Bytes, not copied: they must stay unchanged until the statement is stepped. */
void db_bind_blob(struct db_stmt *s, int idx, const void *v, size_t len);

/* 1 a row is ready, 0 done, -1 error (constraint, busy...): see db_errmsg. */
int db_step(struct db_stmt *s);
const char *db_col_text(struct db_stmt *s, int col); /* NULL when NULL */
int64_t db_col_int(struct db_stmt *s, int col);
int db_col_is_null(struct db_stmt *s, int col);
/* A BLOB column's bytes (valid until the next step or db_done) and their length. */
const void *db_col_blob(struct db_stmt *s, int col, size_t *len);

/* Runs one statement (prepared once, cached) and discards any rows: 0 or -1. */
int db_exec(struct db *db, const char *sql);
/* Runs one cached statement with n integer parameters ($1 .. $n = v[0] .. v[n-1]): 1 when
 * it gave a row, 0 when not, -1 on an error (db_errmsg). */
int db_run_ints(struct db *db, const char *sql, int n, const int64_t *v);
/* Runs a script of several statements once (not cached): 0 or -1 (db_errmsg). */
int db_exec_script(struct db *db, const char *sql);
int64_t db_last_id(struct db *db);
/* n new ids for rows of table (its integer column id) that the caller then writes with
 * them, as a db_bulk does, in its write transaction: on PostgreSQL from the column's
 * sequence (one round trip, however many); on SQLite the next n past the largest id
 * stored, which the transaction's write lock keeps ours, so that ids taken must be
 * stored before more are taken. table is the caller's constant (letters and _). 0, or -1
 * (db_errmsg). */
int db_take_ids(struct db *db, const char *table, size_t n, int64_t *ids);
/* Rows the last INSERT, UPDATE or DELETE changed. */
int64_t db_changes(struct db *db);
const char *db_errmsg(struct db *db);
/* The last statement's error in e: a 503 "db_unavailable" when the database could not
 * be reached (the connection is retried at the next statement), else a 500 "internal";
 * returns -1, so that a failed step reads `return db_fail(db, e);`. */
int db_fail(struct db *db, struct err *e);
int db_is_constraint_error(struct db *db);
/* 1 when the last error was the database being out of reach (PostgreSQL: the connection
 * was lost or refused). */
int db_is_unavailable(struct db *db);

/* Many rows into one table at the speed the backend allows: COPY on PostgreSQL, one cached
 * INSERT stepped per row on SQLite. columns is the column list ("a, b, c"), n their
 * number; each db_bulk_int/text/blob fills the next column, and a row is complete after n
 * of them. No other statement may run on db between db_bulk_begin and db_bulk_end, which
 * sends what is left and frees b: 0, or -1 when any row failed (db_errmsg; on PostgreSQL
 * the whole COPY is refused, as a failing statement of a transaction). The caller's
 * transaction holds the rows. NULL when db refused to start (db_errmsg). */
struct db_bulk;
struct db_bulk *db_bulk_begin(struct db *db, const char *table, const char *columns, int n);
void db_bulk_int(struct db_bulk *b, int64_t v);
void db_bulk_text(struct db_bulk *b, const char *v); /* NULL: NULL */
void db_bulk_blob(struct db_bulk *b, const void *v, size_t len);
void db_bulk_ref(struct db_bulk *b, int64_t id); /* another row's id; 0: NULL */
int db_bulk_end(struct db_bulk *b);

/* A statement on db that gets no answer from the server in ms milliseconds fails as
 * db_is_unavailable (a 503 through db_fail), and the connection is made again at the next
 * statement; 0 (the default) waits as long as it takes. For a server, whose requests must
 * not hang on a database host that stopped without closing its connections (frozen, or
 * cut off by the network): PostgreSQL's; SQLite's file has no such state. */
void db_set_timeout(struct db *db, int ms);

/* The position in the write-ahead log this connection's server has reached: written, on a
 * primary; replayed, on a streaming replica. Positions only grow, so a replica that has
 * replayed a primary's position holds every commit made before it. 0 on SQLite (one file,
 * no replica) and when the server cannot say. */
uint64_t db_wal_position(struct db *db);

/* Transactions. db_begin takes the write lock at once (BEGIN IMMEDIATE on SQLite);
 * db_commit also indexes the text queued by db_text_put. */
int db_begin(struct db *db);
int db_commit(struct db *db);
int db_rollback(struct db *db);

/* Full-text index of Persian text, by document kind and id. The index holds the text
 * normalised (text_normalize), whatever the caller stored: people's words are kept as
 * typed in their own columns, and a search's words are normalised by the caller. To find documents, append db_text_match's condition to the id column
 * ("c.id IN (...)") and bind the query from db_text_query and the kind at the two
 * placeholders it was given. */
/* Queues the text; db_commit moves the transaction's queue into the index. */
int db_text_put(struct db *db, const char *kind, int64_t id, const char *text);
/* Writes into buf the condition "IN (...)" for the id column, using placeholders
 * $q (query) and $k (kind). Returns buf. */
const char *db_text_match(struct db *db, char *buf, int bufsize, int q, int k);
/* Turns a user's search words into a safe full-text query (each word quoted, prefix
 * match on the last word), in buf; returns buf, or NULL if there is no word. */
const char *db_text_query(struct db *db, char *buf, int bufsize, const char *words);

#endif
