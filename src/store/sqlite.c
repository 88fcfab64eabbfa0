/* The SQLite backend of store.h. */
#include "store/backend.h"
#include "store/migrations.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sq;
static int text_flush(struct sq *db);
static void sq_close(struct db *d);
static const struct db_ops sqlite_ops;

struct sq_stmt {
	struct db_stmt base;
	sqlite3_stmt *st;
};

struct sq {
	struct db base;
	sqlite3 *h;
	int text_queued; /* db_text_put ran in this transaction */
	struct db_stmt *cache[STORE_CACHE_SLOTS];
};
#define SQ(d) ((struct sq *)(d))
#define ST(s) ((struct sq_stmt *)(s))

/* The journal file beside the database: "var/tamin.db" -> "var/tamin-journal.db". */
static int attach_journal(struct sq *db, const char *path, struct err *e)
{
	char jpath[4096];
	size_t n = strlen(path);
	if (n > 3 && strcmp(path + n - 3, ".db") == 0)
		n -= 3;
	if (n + sizeof "-journal.db" > sizeof jpath)
		return err_set(e, 500, "db_open", "", "database path too long");
	snprintf(jpath, sizeof jpath, "%.*s-journal.db", (int)n, path);
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db->h, "ATTACH DATABASE ?1 AS journal", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, jpath, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return err_set(e, 500, "db_open", "", "cannot open %s: %s", jpath,
			       sqlite3_errmsg(db->h));
	/* The page size of a new journal (one that exists keeps its own). Each audit row lands
	 * in the person index at a random place. When every read's row was a group commit of
	 * its own, 1 KiB pages wrote a quarter of the bytes; now the reads' rows are imported
	 * from the audit spool in batches of thousands, where a 1 KiB page held about one row
	 * of a batch and each cost a WAL frame (two system calls) and a checkpoint write: at
	 * 4 KiB several rows share a page, and a read costs 2.2 pwrite calls rather than 4.3. */
	if (sqlite3_exec(db->h, "PRAGMA journal.page_size=4096", NULL, NULL, NULL) != SQLITE_OK)
		return err_set(e, 500, "db_open", "", "cannot configure %s: %s", jpath,
			       sqlite3_errmsg(db->h));
	return 0;
}

/* Before SQLite's first use: no memory statistics, whose mutex every sqlite3_malloc and
 * sqlite3_free took (tens of times a request; the statistics are read nowhere). */
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int db_sqlite_open(struct db **out, const char *path, int flags, struct err *e)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, sqlite_setup);
	struct sq *db = calloc(1, sizeof *db);
	if (!db)
		return err_set(e, 500, "internal", "", "out of memory");
	db->base.ops = &sqlite_ops;
	int oflags = (flags & DB_READONLY) ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if (flags & DB_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	oflags |= SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &db->h, oflags, NULL) != SQLITE_OK) {
		err_set(e, 500, "db_open", "", "cannot open database %s: %s", path,
			db->h ? sqlite3_errmsg(db->h) : "out of memory");
		sqlite3_close(db->h);
		free(db);
		return -1;
	}
	sqlite3_busy_timeout(db->h, 10000);
	sqlite3_extended_result_codes(db->h, 1);
	if (attach_journal(db, path, e) < 0) {
		sq_close(&db->base);
		return -1;
	}
	const char *pragmas = "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;"
			      "PRAGMA journal.synchronous=FULL; PRAGMA cache_size=-8000;"
			      "PRAGMA temp_store=MEMORY;";
	char *msg = NULL;
	if (!(flags & DB_READONLY) &&
	    sqlite3_exec(db->h, "PRAGMA journal_mode=WAL; PRAGMA journal.journal_mode=WAL;", NULL,
			 NULL, &msg) != SQLITE_OK) {
		err_set(e, 500, "db_open", "", "cannot use WAL on %s: %s", path, msg ? msg : "");
		sqlite3_free(msg);
		sq_close(&db->base);
		return -1;
	}
	if (sqlite3_exec(db->h, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(e, 500, "db_open", "", "cannot configure %s: %s", path, msg ? msg : "");
		sqlite3_free(msg);
		sq_close(&db->base);
		return -1;
	}
	*out = &db->base;
	return 0;
}

static void stmt_free(struct sq_stmt *s)
{
	if (!s)
		return;
	sqlite3_finalize(s->st);
	free(s->base.sql);
	free(s);
}

static void sq_close(struct db *d)
{
	struct sq *db = SQ(d);
	for (int i = 0; i < STORE_CACHE_SLOTS; i++)
		stmt_free(ST(db->cache[i]));
	sqlite3_close(db->h);
	free(db);
}

/* $12 -> ?12, leaving string literals alone. */
static char *rewrite_params(const char *sql)
{
	size_t n = strlen(sql);
	char *out = malloc(n + 1);
	if (!out)
		return NULL;
	int in_str = 0;
	for (size_t i = 0; i <= n; i++) {
		char c = sql[i];
		if (c == '\'')
			in_str = !in_str;
		out[i] = (!in_str && c == '$' && sql[i + 1] >= '0' && sql[i + 1] <= '9') ? '?' : c;
	}
	return out;
}

static struct db_stmt *sq_prepare(struct db *d, const char *sql)
{
	struct sq *db = SQ(d);
	uint32_t h;
	unsigned victim;
	struct db_stmt *hit = store_cache_find(db->cache, sql, &h, &victim);
	if (hit)
		return hit;
	char *text = rewrite_params(sql);
	if (!text)
		return NULL;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v3(db->h, text, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	free(text);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "tamin: SQL error: %s in: %s\n", sqlite3_errmsg(db->h), sql);
		return NULL;
	}
	struct sq_stmt *ns = calloc(1, sizeof *ns);
	if (!ns) {
		sqlite3_finalize(st);
		return NULL;
	}
	ns->base.ops = &sqlite_ops;
	ns->st = st;
	ns->base.sql = strdup(sql);
	ns->base.hash = h;
	stmt_free(ST(db->cache[victim]));
	db->cache[victim] = &ns->base;
	return &ns->base;
}

static void sq_done(struct db_stmt *s)
{
	sqlite3_reset(ST(s)->st);
	sqlite3_clear_bindings(ST(s)->st);
}

static void sq_bind_text(struct db_stmt *s, int idx, const char *v, int copy)
{
	if (v)
		sqlite3_bind_text(ST(s)->st, idx, v, -1, copy ? SQLITE_TRANSIENT : SQLITE_STATIC);
	else
		sqlite3_bind_null(ST(s)->st, idx);
}

static void sq_bind_blob(struct db_stmt *s, int idx, const void *v, size_t len)
{
	sqlite3_bind_blob64(ST(s)->st, idx, v, len, SQLITE_STATIC);
}

static void sq_bind_int(struct db_stmt *s, int idx, int64_t v)
{
	sqlite3_bind_int64(ST(s)->st, idx, v);
}

static void sq_bind_null(struct db_stmt *s, int idx)
{
	sqlite3_bind_null(ST(s)->st, idx);
}

static int sq_step(struct db_stmt *s)
{
	int rc = sqlite3_step(ST(s)->st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return -1;
}

static const char *sq_col_text(struct db_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(ST(s)->st, col);
}
static int64_t sq_col_int(struct db_stmt *s, int col)
{
	return sqlite3_column_int64(ST(s)->st, col);
}
static const void *sq_col_blob(struct db_stmt *s, int col, size_t *len)
{
	const void *v = sqlite3_column_blob(ST(s)->st, col);
	*len = (size_t)sqlite3_column_bytes(ST(s)->st, col);
	return v;
}
static int sq_col_is_null(struct db_stmt *s, int col)
{
	return sqlite3_column_type(ST(s)->st, col) == SQLITE_NULL;
}

static int sq_exec_script(struct db *db, const char *sql)
{
	return sqlite3_exec(SQ(db)->h, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int64_t sq_last_id(struct db *db)
{
	return sqlite3_last_insert_rowid(SQ(db)->h);
}
static int64_t sq_changes(struct db *db)
{
	return sqlite3_changes64(SQ(db)->h);
}
static const char *sq_errmsg(struct db *db)
{
	return sqlite3_errmsg(SQ(db)->h);
}
static int sq_is_constraint_error(struct db *db)
{
	return (sqlite3_extended_errcode(SQ(db)->h) & 0xff) == SQLITE_CONSTRAINT;
}
/* A file does not go away between two statements. */
static int sq_is_unavailable(struct db *db)
{
	(void)db;
	return 0;
}

static int sq_begin(struct db *db)
{
	return db_exec(db, "BEGIN IMMEDIATE");
}

static int sq_commit(struct db *db)
{
	if (text_flush(SQ(db)) < 0)
		return -1;
	return db_exec(db, "COMMIT");
}

static int sq_rollback(struct db *db)
{
	SQ(db)->text_queued = 0;
	return db_exec(db, "ROLLBACK");
}

static int sq_migrate(struct db *db, struct err *e)
{
	if (db_exec(db, "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER PRIMARY KEY,"
			" name TEXT NOT NULL, applied INTEGER NOT NULL)") < 0)
		return err_set(e, 500, "db_migrate", "", "%s", db_errmsg(db));
	int current = 0;
	struct db_stmt *s = db_prepare(db, "SELECT coalesce(max(version), 0) FROM schema_version");
	if (s && db_step(s) == 1)
		current = (int)db_col_int(s, 0);
	db_done(s);
	/* A migration may rebuild a table (SQLite cannot change a CHECK in place): as SQLite's
	 * documented procedure says, foreign keys are off while it runs (the pragma is a no-op
	 * inside a transaction) and foreign_key_check must find nothing before it commits. */
	if (current < migrations[migrations_count - 1].version &&
	    db_exec(db, "PRAGMA foreign_keys=OFF") < 0)
		return err_set(e, 500, "db_migrate", "", "%s", db_errmsg(db));
	for (int i = 0; i < migrations_count; i++) {
		const struct migration *m = &migrations[i];
		if (m->version <= current)
			continue;
		char *msg = NULL;
		if (db_begin(db) < 0 ||
		    sqlite3_exec(SQ(db)->h, m->sql, NULL, NULL, &msg) != SQLITE_OK) {
			err_set(e, 500, "db_migrate", "", "migration %s failed: %s", m->name,
				msg ? msg : db_errmsg(db));
			sqlite3_free(msg);
			goto fail;
		}
		struct db_stmt *fk = db_prepare(db, "PRAGMA foreign_key_check");
		int broken = fk ? db_step(fk) : -1;
		db_done(fk);
		if (broken != 0) {
			err_set(e, 500, "db_migrate", "", "migration %s leaves broken references",
				m->name);
			goto fail;
		}
		struct db_stmt *ins = db_prepare(
		    db, "INSERT INTO schema_version(version, name, applied) VALUES ($1, $2, "
			"CAST(strftime('%s','now') AS INTEGER))");
		db_bind_int(ins, 1, m->version);
		db_bind_text(ins, 2, m->name);
		int rc = db_step(ins);
		db_done(ins);
		if (rc < 0 || db_commit(db) < 0) {
			err_set(e, 500, "db_migrate", "", "migration %s: %s", m->name,
				db_errmsg(db));
			goto fail;
		}
		current = m->version;
	}
	if (db_exec(db, "PRAGMA foreign_keys=ON") < 0)
		return err_set(e, 500, "db_migrate", "", "%s", db_errmsg(db));
	/* From version 3 the journal file holds tables: an empty one means it was not
	 * kept with the database (copied or moved alone). */
	struct db_stmt *j = db_prepare(db, "SELECT count(*) FROM journal.sqlite_master");
	int64_t jtables = db_step(j) == 1 ? db_col_int(j, 0) : 0;
	db_done(j);
	if (current >= 3 && jtables == 0)
		return err_set(e, 500, "db_journal", "",
			       "the journal file beside the database is "
			       "empty or missing: keep the database and its -journal.db together");
	return current;
fail:
	db_rollback(db);
	db_exec(db, "PRAGMA foreign_keys=ON");
	return -1;
}

/* db_text_put queued a document's text: db_commit indexes it (text_flush). */
static void sq_text_queued(struct db *db)
{
	SQ(db)->text_queued = 1;
}

/* Moves what db_text_put queued into the index, once per transaction and outside any
 * savepoint: an FTS5 table touched inside savepoints flushes at each of them. */
static int text_flush(struct sq *sq)
{
	struct db *db = &sq->base;
	if (!sq->text_queued)
		return 0;
	sq->text_queued = 0;
	/* rowid carries the id; kind tells documents of different kinds apart */
	if (db_exec(db, "INSERT INTO text_index(rowid, kind, body)"
			" SELECT id, kind, body FROM text_pending") < 0 ||
	    db_exec(db, "DELETE FROM text_pending") < 0)
		return -1;
	return 0;
}

static const char *sq_text_match(char *buf, int bufsize, int q, int k)
{
	snprintf(buf, (size_t)bufsize,
		 "IN (SELECT rowid FROM text_index WHERE text_index MATCH $%d AND kind = $%d)", q,
		 k);
	return buf;
}

/* FTS5's: each word quoted ("" inside), all required, the last a prefix (*). */
static const char *sq_text_query(char *buf, int bufsize, const char *words)
{
	return store_text_words(buf, bufsize, words, '"', 0, " ", "*");
}

static const struct db_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .migrate = sq_migrate,
    .prepare = sq_prepare,
    .done = sq_done,
    .bind_text = sq_bind_text,
    .bind_int = sq_bind_int,
    .bind_null = sq_bind_null,
    .bind_blob = sq_bind_blob,
    .step = sq_step,
    .col_text = sq_col_text,
    .col_int = sq_col_int,
    .col_is_null = sq_col_is_null,
    .col_blob = sq_col_blob,
    .exec_script = sq_exec_script,
    .last_id = sq_last_id,
    .changes = sq_changes,
    .errmsg = sq_errmsg,
    .is_constraint_error = sq_is_constraint_error,
    .is_unavailable = sq_is_unavailable,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .text_put_sql = "INSERT INTO text_pending(kind, id, body) VALUES ($1, $2, $3)",
    .text_put_done = sq_text_queued,
    .text_match = sq_text_match,
    .text_query = sq_text_query,
};
