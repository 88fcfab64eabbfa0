/* The PostgreSQL backend of store.h, through libpq.
 *
 * Statements are prepared on the server once per connection (PQprepare, a name of their
 * own) and cached by their text as on SQLite. A statement is prepared at its first run,
 * when its bindings are known: an integer parameter is declared bigint, a blob bytea, and
 * text or NULL is left for the server to infer from where it stands (as SQLite's affinity
 * would take "42" for a number). Values go as text, blobs as binary; results come as text.
 *
 * SQLite's last_insert_rowid has no PostgreSQL twin that is safe inside a transaction
 * (lastval() raises when no sequence was used, and an error aborts the transaction), so
 * an INSERT into a table with an identity column gets "RETURNING that column" appended
 * when it is prepared, and the backend keeps the value for db_last_id: a caller still
 * sees the INSERT step to done.
 *
 * Losing the server: a statement that finds the connection broken fails with
 * db_is_unavailable() set (db_fail makes it a 503); the next statement, at most once a
 * second, resets the connection and prepares again what it needs. A connection lost
 * inside a transaction takes the transaction with it: until the caller ends it (its
 * COMMIT fails, its ROLLBACK is done) or begins another, every statement fails, so that
 * the rest of it cannot run outside it on the new connection, each statement committed
 * alone (and the COMMIT, finding no transaction, then answer success). */
#include "store/backend.h"
#include "store/migrations.h"

#include "base/text.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_PARAMS 65535 /* the protocol's limit */
#define IDENT_SLOTS 64

#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20

static const struct db_ops postgres_ops;

struct pg;

struct pg_stmt {
	struct db_stmt base;
	struct pg *db;
	char *text; /* what the server prepares */
	char name[16];
	int prepared, noop, returning, nparams;
	/* nparams of each, in one allocation */
	Oid *types;
	const char **vals;
	int *lens, *fmts, *kinds;
	char **owned;
	char (*ints)[24];
	PGresult *res;
	int row, nrows, executed;
	unsigned char **blobs; /* a decoded bytea per column of the current row */
	size_t *blobcap;
	int nblobs;
};

struct ident {
	char *table;
	char *column; /* "" when the table has no identity column */
};

struct pg {
	struct db base;
	PGconn *c;
	int readonly;
	unsigned next_name;
	int64_t changes, last_id;
	int unavailable;
	int in_tx;	/* inside a transaction as of the last statement begun */
	int timeout_ms; /* db_set_timeout's: 0 waits for an answer as long as it takes */
	int broken;	/* a statement got no answer in time: the connection is made again */
	int tx_lost;	/* the connection was reset inside a transaction, not ended yet */
	time_t last_reset;
	char sqlstate[6];
	char err[512];
	struct db_stmt *cache[STORE_CACHE_SLOTS];
	struct ident idents[IDENT_SLOTS];
	int nidents;
};

#define PG(d) ((struct pg *)(d))
#define ST(s) ((struct pg_stmt *)(s))

enum { K_NULL, K_INT, K_TEXT, K_BLOB };

static void set_err(struct pg *db, const PGresult *r)
{
	if (!r && db->broken)
		return; /* no answer in time: await said so */
	const char *msg = r ? PQresultErrorMessage(r) : NULL;
	if (!msg || !*msg)
		msg = PQerrorMessage(db->c);
	snprintf(db->err, sizeof db->err, "%s", msg && *msg ? msg : "unknown error");
	size_t n = strlen(db->err);
	while (n && (db->err[n - 1] == '\n' || db->err[n - 1] == ' '))
		db->err[--n] = 0;
	const char *st = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	snprintf(db->sqlstate, sizeof db->sqlstate, "%s", st ? st : "");
	db->unavailable = PQstatus(db->c) != CONNECTION_OK || (st && strncmp(st, "08", 2) == 0) ||
			  (st && strcmp(st, "57P01") == 0);
}

/* ---- waiting for the server, at most db_set_timeout's time ---- */

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads until a result can be taken without blocking: 0, -1 when the deadline passed. */
static int wait_ready(struct pg *db, int64_t deadline)
{
	while (PQisBusy(db->c)) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return -1;
		struct pollfd p = {.fd = PQsocket(db->c), .events = POLLIN};
		int n = poll(&p, 1, (int)left);
		if (n == 0)
			return -1;
		if ((n < 0 && errno != EINTR) || (n > 0 && !PQconsumeInput(db->c)))
			return 0; /* the connection failed: PQgetResult says so */
	}
	return 0;
}

/* What was sent (sent: the PQsend call's answer) as PQexec gives it: the last result, or
 * the first error; a COPY's start. NULL when nothing was sent or no answer came in time
 * (the connection then counts as lost: a server that stopped without closing its
 * connections, frozen or cut off, would otherwise hold the thread forever). */
static PGresult *await(struct pg *db, int sent)
{
	if (!sent)
		return NULL;
	int64_t deadline = now_ms() + db->timeout_ms;
	PGresult *last = NULL;
	for (;;) {
		if (wait_ready(db, deadline) < 0) {
			PQclear(last);
			snprintf(db->err, sizeof db->err, "the database did not answer in %d ms",
				 db->timeout_ms);
			db->sqlstate[0] = 0;
			db->unavailable = db->broken = 1;
			if (db->in_tx)
				db->tx_lost = 1;
			return NULL;
		}
		PGresult *r = PQgetResult(db->c);
		if (!r)
			break;
		ExecStatusType st = PQresultStatus(r);
		if (last && PQresultStatus(last) == PGRES_FATAL_ERROR) {
			PQclear(r);
		} else {
			PQclear(last);
			last = r;
		}
		if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH)
			break;
	}
	return last;
}

static PGresult *q_exec(struct pg *db, const char *sql)
{
	return db->timeout_ms ? await(db, PQsendQuery(db->c, sql)) : PQexec(db->c, sql);
}

static PGresult *q_prepare(struct pg *db, const char *name, const char *sql, int n,
			   const Oid *types)
{
	return db->timeout_ms ? await(db, PQsendPrepare(db->c, name, sql, n, types))
			      : PQprepare(db->c, name, sql, n, types);
}

static PGresult *q_exec_prepared(struct pg *db, const char *name, int n, const char *const *vals,
				 const int *lens, const int *fmts)
{
	return db->timeout_ms ? await(db, PQsendQueryPrepared(db->c, name, n, vals, lens, fmts, 0))
			      : PQexecPrepared(db->c, name, n, vals, lens, fmts, 0);
}

/* After a (re)connection: the journal schema on the path, and every statement to be
 * prepared again. */
static int session_setup(struct pg *db)
{
	PGresult *r = q_exec(db, "SET search_path = public, journal");
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		set_err(db, r);
	PQclear(r);
	for (int i = 0; i < STORE_CACHE_SLOTS; i++)
		if (db->cache[i])
			ST(db->cache[i])->prepared = 0;
	return ok ? 0 : -1;
}

static int word_at(const char *p, const char *w)
{
	size_t n = strlen(w);
	return strncasecmp(p, w, n) == 0 &&
	       !(p[n] == '_' || (p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') ||
		 (p[n] >= '0' && p[n] <= '9'));
}

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	return p;
}

static int lost_in_tx(struct pg *db)
{
	snprintf(db->err, sizeof db->err,
		 "the connection to the database was lost inside a transaction, "
		 "which was rolled back");
	db->unavailable = 1;
	return -1;
}

/* Connected, and not given up for an answer that did not come. */
static int conn_ok(struct pg *db)
{
	return PQstatus(db->c) == CONNECTION_OK && !db->broken;
}

/* The connection is usable, or was reset just now; -1 (unavailable) when not, or when
 * the transaction it was in was lost. */
static int ensure_conn(struct pg *db)
{
	if (conn_ok(db)) {
		if (db->tx_lost)
			return lost_in_tx(db);
		PGTransactionStatusType t = PQtransactionStatus(db->c);
		db->in_tx = t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
		return 0;
	}
	time_t now = time(NULL);
	if (now - db->last_reset >= 1) {
		db->last_reset = now;
		PQreset(db->c);
		db->broken = 0;
		if (PQstatus(db->c) == CONNECTION_OK && session_setup(db) == 0) {
			db->unavailable = 0;
			if (db->in_tx) {
				db->tx_lost = 1;
				db->in_tx = 0;
			}
			return db->tx_lost ? lost_in_tx(db) : 0;
		}
	}
	snprintf(db->err, sizeof db->err, "the database cannot be reached: %s",
		 PQerrorMessage(db->c));
	db->unavailable = 1;
	return -1;
}

enum { TX_NONE, TX_BEGIN, TX_COMMIT, TX_ROLLBACK };

static int tx_word(const char *sql)
{
	const char *p = skip_space(sql);
	if (word_at(p, "BEGIN") || word_at(p, "START"))
		return TX_BEGIN;
	if (word_at(p, "COMMIT") || word_at(p, "END"))
		return TX_COMMIT;
	if (word_at(p, "ROLLBACK") && !strcasestr(p, " TO "))
		return TX_ROLLBACK;
	return TX_NONE;
}

/* A statement that ends or begins a transaction lost with its connection: a BEGIN goes
 * on (1), a ROLLBACK is done (0), a COMMIT fails (-1); any other statement, 1 (and
 * ensure_conn refuses it). */
static int tx_lost_end(struct pg *db, const char *sql)
{
	if (!db->tx_lost && !(db->in_tx && !conn_ok(db)))
		return 1;
	int w = tx_word(sql);
	if (w == TX_NONE)
		return 1;
	db->tx_lost = db->in_tx = 0;
	if (w == TX_COMMIT)
		return lost_in_tx(db);
	return w == TX_BEGIN;
}

static void notice_quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

int db_postgres_open(struct db **out, const char *url, int flags, struct err *e)
{
	struct pg *db = calloc(1, sizeof *db);
	if (!db)
		return err_set(e, 500, "internal", "", "out of memory");
	db->base.ops = &postgres_ops;
	db->readonly = (flags & DB_READONLY) != 0;
	const char *keys[] = {"dbname", "application_name", "connect_timeout", NULL};
	const char *vals[] = {url, "tamin", "5", NULL};
	db->c = PQconnectdbParams(keys, vals, 1);
	if (!db->c || PQstatus(db->c) != CONNECTION_OK) {
		err_set(e, 503, "db_open", "", "cannot connect to the database: %s",
			db->c ? PQerrorMessage(db->c) : "out of memory");
		PQfinish(db->c);
		free(db);
		return -1;
	}
	PQsetNoticeProcessor(db->c, notice_quiet, NULL);
	db->last_reset = time(NULL);
	if (session_setup(db) < 0) {
		err_set(e, 500, "db_open", "", "cannot configure the connection: %s", db->err);
		PQfinish(db->c);
		free(db);
		return -1;
	}
	*out = &db->base;
	return 0;
}

static void stmt_clear(struct pg_stmt *s)
{
	PQclear(s->res);
	s->res = NULL;
	s->executed = 0;
	for (int i = 0; s->vals && i < s->nparams; i++) {
		free(s->owned[i]);
		s->owned[i] = NULL;
		s->vals[i] = NULL;
		s->lens[i] = 0;
		s->fmts[i] = 0;
		s->kinds[i] = K_NULL;
	}
}

static void stmt_free(struct pg_stmt *s)
{
	if (!s)
		return;
	stmt_clear(s);
	for (int i = 0; i < s->nblobs; i++)
		free(s->blobs[i]);
	free(s->blobs);
	free(s->blobcap);
	free(s->ints);
	free(s->base.sql);
	free(s->text);
	free(s);
}

static void pg_close(struct db *d)
{
	struct pg *db = PG(d);
	for (int i = 0; i < STORE_CACHE_SLOTS; i++)
		stmt_free(ST(db->cache[i]));
	for (int i = 0; i < db->nidents; i++) {
		free(db->idents[i].table);
		free(db->idents[i].column);
	}
	PQfinish(db->c);
	free(db);
}

/* The highest $n in sql, outside string literals. */
static int count_params(const char *sql)
{
	int max = 0, in_str = 0;
	for (const char *p = sql; *p; p++) {
		if (*p == '\'')
			in_str = !in_str;
		else if (!in_str && *p == '$' && p[1] >= '0' && p[1] <= '9') {
			int n = (int)strtol(p + 1, NULL, 10);
			if (n > max)
				max = n;
		}
	}
	return max;
}

/* The identity column of table ("" when none, NULL on an error), looked up once. */
static const char *identity_of(struct pg *db, const char *table)
{
	for (int i = 0; i < db->nidents; i++)
		if (strcmp(db->idents[i].table, table) == 0)
			return db->idents[i].column;
	const char *params[1] = {table};
	/* to_regclass gives NULL rather than an error (which would abort a transaction) */
	PGresult *r =
	    PQexecParams(db->c,
			 "SELECT a.attname FROM pg_attribute a WHERE a.attrelid ="
			 " to_regclass($1) AND a.attidentity <> '' AND NOT a.attisdropped",
			 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		set_err(db, r);
		PQclear(r);
		return NULL;
	}
	const char *col = PQntuples(r) ? PQgetvalue(r, 0, 0) : "";
	char *t = strdup(table), *c = strdup(col);
	PQclear(r);
	if (!t || !c || db->nidents == IDENT_SLOTS) {
		free(t);
		free(c);
		return "";
	}
	db->idents[db->nidents].table = t;
	db->idents[db->nidents].column = c;
	return db->idents[db->nidents++].column;
}

/* The statement as the server gets it: INSERT ... gains RETURNING of the table's
 * identity column (when it has one and the statement returns nothing yet). */
static char *server_text(struct pg *db, const char *sql, int *returning)
{
	*returning = 0;
	const char *p = skip_space(sql);
	if (!word_at(p, "INSERT") || strcasestr(sql, "RETURNING"))
		return strdup(sql);
	p = skip_space(p + 6);
	if (!word_at(p, "INTO"))
		return strdup(sql);
	p = skip_space(p + 4);
	char table[128];
	size_t n = 0;
	while (n + 1 < sizeof table &&
	       (p[n] == '_' || p[n] == '.' || (p[n] >= 'a' && p[n] <= 'z') ||
		(p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= '0' && p[n] <= '9'))) {
		table[n] = p[n];
		n++;
	}
	table[n] = 0;
	const char *col = n ? identity_of(db, table) : "";
	if (!col || !*col)
		return strdup(sql);
	size_t len = strlen(sql);
	while (len && (sql[len - 1] == ' ' || sql[len - 1] == ';' || sql[len - 1] == '\n'))
		len--;
	size_t cap = len + strlen(col) + 16;
	char *out = malloc(cap);
	if (out) {
		snprintf(out, cap, "%.*s RETURNING %s", (int)len, sql, col);
		*returning = 1;
	}
	return out;
}

static int params_alloc(struct pg_stmt *s)
{
	size_t n = (size_t)(s->nparams ? s->nparams : 1);
	size_t each = sizeof(Oid) + sizeof(char *) * 2 + sizeof(int) * 3 + 24;
	char *p = calloc(n, each);
	if (!p)
		return -1;
	s->ints = (char(*)[24])p;
	s->vals = (const char **)(p + n * 24);
	s->owned = (char **)(p + n * (24 + sizeof(char *)));
	s->types = (Oid *)(p + n * (24 + 2 * sizeof(char *)));
	s->lens = (int *)(p + n * (24 + 2 * sizeof(char *) + sizeof(Oid)));
	s->fmts = s->lens + n;
	s->kinds = s->fmts + n;
	return 0;
}

static struct db_stmt *pg_prepare(struct db *d, const char *sql)
{
	struct pg *db = PG(d);
	uint32_t h;
	unsigned victim;
	struct db_stmt *hit = store_cache_find(db->cache, sql, &h, &victim);
	if (hit)
		return hit;
	if (tx_word(sql) == TX_NONE && ensure_conn(db) < 0)
		return NULL;
	struct pg_stmt *ns = calloc(1, sizeof *ns);
	if (!ns)
		return NULL;
	ns->base.ops = &postgres_ops;
	ns->db = db;
	ns->base.hash = h;
	ns->base.sql = strdup(sql);
	ns->noop = word_at(skip_space(sql), "PRAGMA"); /* SQLite's tuning */
	ns->text = ns->noop ? NULL : server_text(db, sql, &ns->returning);
	ns->nparams = count_params(sql);
	if (ns->nparams <= MAX_PARAMS && params_alloc(ns) < 0)
		ns->nparams = MAX_PARAMS + 1;
	if (!ns->base.sql || (!ns->noop && !ns->text) || ns->nparams > MAX_PARAMS) {
		if (ns->nparams > MAX_PARAMS)
			fprintf(stderr, "tamin: SQL error: more than %d parameters in: %s\n",
				MAX_PARAMS, sql);
		stmt_free(ns);
		return NULL;
	}
	snprintf(ns->name, sizeof ns->name, "t%u", ++db->next_name);
	struct pg_stmt *old = ST(db->cache[victim]);
	if (old && old->prepared) {
		char dealloc[32];
		snprintf(dealloc, sizeof dealloc, "DEALLOCATE %s", old->name);
		PQclear(PQexec(db->c, dealloc));
	}
	stmt_free(old);
	db->cache[victim] = &ns->base;
	return &ns->base;
}

static void pg_done(struct db_stmt *s)
{
	stmt_clear(ST(s));
}

static void bind_value(struct pg_stmt *s, int idx, int kind, const char *v, int len, int fmt,
		       char *owned)
{
	if (idx < 1 || idx > s->nparams) {
		free(owned);
		return;
	}
	int i = idx - 1;
	free(s->owned[i]);
	s->owned[i] = owned;
	s->vals[i] = v;
	s->lens[i] = len;
	s->fmts[i] = fmt;
	s->kinds[i] = kind;
}

static void pg_bind_text(struct db_stmt *st, int idx, const char *v, int copy)
{
	struct pg_stmt *s = ST(st);
	if (!v) {
		bind_value(s, idx, K_NULL, NULL, 0, 0, NULL);
		return;
	}
	char *c = copy ? strdup(v) : NULL;
	bind_value(s, idx, K_TEXT, copy ? c : v, 0, 0, c);
}

static void pg_bind_int(struct db_stmt *st, int idx, int64_t v)
{
	struct pg_stmt *s = ST(st);
	if (idx < 1 || idx > s->nparams)
		return;
	snprintf(s->ints[idx - 1], sizeof s->ints[0], "%lld", (long long)v);
	bind_value(s, idx, K_INT, s->ints[idx - 1], 0, 0, NULL);
}

static void pg_bind_null(struct db_stmt *s, int idx)
{
	bind_value(ST(s), idx, K_NULL, NULL, 0, 0, NULL);
}

static void pg_bind_blob(struct db_stmt *s, int idx, const void *v, size_t len)
{
	/* a NULL pointer would be SQL NULL to libpq: an empty blob points somewhere */
	bind_value(ST(s), idx, K_BLOB, v ? (const char *)v : "", (int)len, 1, NULL);
}

static void exec_quiet(struct pg *db, const char *sql)
{
	PQclear(q_exec(db, sql));
}

/* Prepares s on the server. A parameter whose type the server cannot infer from where it
 * stands (`$2 IS NULL OR x = $2`, or one the statement does not use, as SQLite allows) is
 * declared text and the statement prepared again; if text then meets no operator, bigint.
 * Inside a transaction each try stands in a savepoint: a refused statement would abort
 * the transaction. Only a statement's first run on a connection pays for this. */
static int prepare_now(struct pg_stmt *s)
{
	struct pg *db = s->db;
	for (int i = 0; i < s->nparams; i++)
		s->types[i] = s->kinds[i] == K_INT    ? OID_INT8
			      : s->kinds[i] == K_BLOB ? OID_BYTEA
						      : 0;
	int in_tx = PQtransactionStatus(db->c) == PQTRANS_INTRANS, guessed = 0;
	for (int tries = 0; tries <= 2 * s->nparams; tries++) {
		if (in_tx)
			exec_quiet(db, "SAVEPOINT tamin_prepare");
		PGresult *r = q_prepare(db, s->name, s->text, s->nparams, s->types);
		int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		if (!ok)
			set_err(db, r);
		PQclear(r);
		if (in_tx)
			exec_quiet(db, ok ? "RELEASE tamin_prepare"
					  : "ROLLBACK TO tamin_prepare; RELEASE tamin_prepare");
		if (ok) {
			s->prepared = 1;
			return 0;
		}
		const char *m = strstr(db->err, "parameter $");
		int n = m ? atoi(m + 11) : 0;
		if ((strcmp(db->sqlstate, "42P18") == 0 || strcmp(db->sqlstate, "42P08") == 0) &&
		    n >= 1 && n <= s->nparams && s->types[n - 1] == 0) {
			s->types[n - 1] = 25; /* text */
			guessed = n;
		} else if (strcmp(db->sqlstate, "42883") == 0 && guessed &&
			   s->types[guessed - 1] == 25) {
			s->types[guessed - 1] = OID_INT8;
			guessed = 0;
		} else {
			break;
		}
	}
	if (!db->unavailable)
		fprintf(stderr, "tamin: SQL error: %s in: %s\n", db->err, s->text);
	return -1;
}

static int pg_step(struct db_stmt *st)
{
	struct pg_stmt *s = ST(st);
	struct pg *db = s->db;
	if (s->noop)
		return 0;
	if (s->executed) {
		if (++s->row < s->nrows)
			return 1;
		return 0;
	}
	s->executed = 1;
	int go = tx_lost_end(db, s->base.sql);
	if (go <= 0)
		return go;
	if (ensure_conn(db) < 0)
		return -1;
	if (!s->prepared && prepare_now(s) < 0)
		return -1;
	s->res = q_exec_prepared(db, s->name, s->nparams, s->vals, s->lens, s->fmts);
	ExecStatusType rs = PQresultStatus(s->res);
	if (rs == PGRES_TUPLES_OK || rs == PGRES_COMMAND_OK) {
		const char *n = PQcmdTuples(s->res);
		if (n && *n)
			db->changes = strtoll(n, NULL, 10);
		s->nrows = rs == PGRES_TUPLES_OK ? PQntuples(s->res) : 0;
		s->row = 0;
		if (s->returning) {
			if (s->nrows)
				db->last_id =
				    strtoll(PQgetvalue(s->res, s->nrows - 1, 0), NULL, 10);
			s->nrows = 0;
		}
		return s->nrows > 0;
	}
	set_err(db, s->res);
	/* a statement prepared on a connection that is gone must be prepared again */
	if (db->unavailable || (db->sqlstate[0] && strcmp(db->sqlstate, "26000") == 0))
		s->prepared = 0;
	return -1;
}

static const char *pg_col_text(struct db_stmt *st, int col)
{
	struct pg_stmt *s = ST(st);
	if (!s->res || s->row >= s->nrows || PQgetisnull(s->res, s->row, col))
		return NULL;
	const char *v = PQgetvalue(s->res, s->row, col);
	if (PQftype(s->res, col) == OID_BOOL)
		return *v == 't' ? "1" : "0";
	return v;
}

static int64_t pg_col_int(struct db_stmt *st, int col)
{
	const char *v = pg_col_text(st, col);
	return v ? strtoll(v, NULL, 10) : 0;
}

static int pg_col_is_null(struct db_stmt *st, int col)
{
	struct pg_stmt *s = ST(st);
	return !s->res || s->row >= s->nrows || PQgetisnull(s->res, s->row, col);
}

/* A bytea column's text form ("\x" and hex) decoded into the column's own buffer. */
static const void *pg_col_blob(struct db_stmt *st, int col, size_t *len)
{
	struct pg_stmt *s = ST(st);
	*len = 0;
	if (pg_col_is_null(st, col))
		return NULL;
	const char *v = PQgetvalue(s->res, s->row, col);
	size_t vlen = (size_t)PQgetlength(s->res, s->row, col);
	if (PQftype(s->res, col) != OID_BYTEA || vlen < 2 || v[0] != '\\' || v[1] != 'x') {
		*len = vlen; /* text read as bytes, as SQLite gives it */
		return v;
	}
	int nf = PQnfields(s->res);
	if (col >= s->nblobs) {
		unsigned char **b = realloc(s->blobs, (size_t)nf * sizeof *b);
		if (!b)
			return NULL;
		s->blobs = b;
		size_t *c = realloc(s->blobcap, (size_t)nf * sizeof *c);
		if (!c)
			return NULL;
		s->blobcap = c;
		for (int i = s->nblobs; i < nf; i++) {
			s->blobs[i] = NULL;
			s->blobcap[i] = 0;
		}
		s->nblobs = nf;
	}
	size_t n = (vlen - 2) / 2;
	if (n + 1 > s->blobcap[col]) {
		unsigned char *b = realloc(s->blobs[col], n + 1);
		if (!b)
			return NULL;
		s->blobs[col] = b;
		s->blobcap[col] = n + 1;
	}
	unsigned char *out = s->blobs[col];
	for (size_t i = 0; i < n; i++) {
		int hi = text_hex_digit(v[2 + 2 * i]), lo = text_hex_digit(v[3 + 2 * i]);
		out[i] = (unsigned char)((hi < 0 ? 0 : hi) << 4 | (lo < 0 ? 0 : lo));
	}
	out[n] = 0;
	*len = n;
	return out;
}

static int pg_exec_script(struct db *d, const char *sql)
{
	struct pg *db = PG(d);
	int go = tx_lost_end(db, sql);
	if (go <= 0)
		return go;
	if (ensure_conn(db) < 0)
		return -1;
	PGresult *r = q_exec(db, sql);
	ExecStatusType rs = PQresultStatus(r);
	int ok = rs == PGRES_COMMAND_OK || rs == PGRES_TUPLES_OK || rs == PGRES_EMPTY_QUERY;
	if (!ok)
		set_err(db, r);
	PQclear(r);
	return ok ? 0 : -1;
}

static int64_t pg_last_id(struct db *db)
{
	return PG(db)->last_id;
}
static int64_t pg_changes(struct db *db)
{
	return PG(db)->changes;
}
static const char *pg_errmsg(struct db *db)
{
	return PG(db)->err;
}
static int pg_is_constraint_error(struct db *db)
{
	return strncmp(PG(db)->sqlstate, "23", 2) == 0;
}
static int pg_is_unavailable(struct db *db)
{
	return PG(db)->unavailable;
}

static int pg_begin(struct db *db)
{
	return db_exec(db, "BEGIN");
}

/* COMMIT of a transaction that an error aborted answers ROLLBACK, not an error. */
static int pg_commit(struct db *d)
{
	struct pg *db = PG(d);
	int go = tx_lost_end(db, "COMMIT");
	if (go <= 0)
		return go;
	if (ensure_conn(db) < 0)
		return -1;
	PGresult *r = q_exec(db, "COMMIT");
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK && strcmp(PQcmdStatus(r), "COMMIT") == 0;
	if (!ok) {
		set_err(db, r);
		if (PQresultStatus(r) == PGRES_COMMAND_OK)
			snprintf(db->err, sizeof db->err,
				 "the transaction was rolled back: an "
				 "earlier statement in it failed");
	}
	PQclear(r);
	return ok ? 0 : -1;
}

static int pg_rollback(struct db *db)
{
	return pg_exec_script(db, "ROLLBACK");
}

static int pg_migrate(struct db *db, struct err *e)
{
	/* one migrating process at a time: the others wait, then find nothing to do */
	if (pg_exec_script(db, "SELECT pg_advisory_lock(7036001)") < 0 ||
	    pg_exec_script(db, "CREATE TABLE IF NOT EXISTS schema_version(version bigint PRIMARY"
			       " KEY, name text NOT NULL, applied bigint NOT NULL)") < 0) {
		err_set(e, 500, "db_migrate", "", "%s", PG(db)->err);
		pg_exec_script(db, "SELECT pg_advisory_unlock(7036001)");
		return -1;
	}
	int current = 0;
	struct db_stmt *s = db_prepare(db, "SELECT coalesce(max(version), 0) FROM schema_version");
	if (s && db_step(s) == 1)
		current = (int)db_col_int(s, 0);
	db_done(s);
	for (int i = 0; i < migrations_pg_count; i++) {
		const struct migration *m = &migrations_pg[i];
		if (m->version <= current)
			continue;
		if (pg_begin(db) < 0 || pg_exec_script(db, m->sql) < 0) {
			err_set(e, 500, "db_migrate", "", "migration %s failed: %s", m->name,
				PG(db)->err);
			goto fail;
		}
		struct db_stmt *ins = db_prepare(
		    db, "INSERT INTO schema_version(version, name, applied) VALUES ($1, $2,"
			" CAST(extract(epoch FROM now()) AS bigint))");
		db_bind_int(ins, 1, m->version);
		db_bind_text(ins, 2, m->name);
		int rc = db_step(ins);
		db_done(ins);
		if (rc < 0 || pg_commit(db) < 0) {
			err_set(e, 500, "db_migrate", "", "migration %s: %s", m->name, PG(db)->err);
			goto fail;
		}
		current = m->version;
	}
	pg_exec_script(db, "SELECT pg_advisory_unlock(7036001)");
	return current;
fail:
	pg_rollback(db);
	pg_exec_script(db, "SELECT pg_advisory_unlock(7036001)");
	return -1;
}

static const char *pg_text_match(char *buf, int bufsize, int q, int k)
{
	snprintf(buf, (size_t)bufsize,
		 "IN (SELECT id FROM text_index WHERE tsv @@ to_tsquery('simple', $%d)"
		 " AND kind = $%d)",
		 q, k);
	return buf;
}

/* to_tsquery's: each word a quoted lexeme ('' for a quote, \\ for a backslash), all of
 * them required (&), the last one a prefix (:*), as SQLite's query does. */
static const char *pg_text_query(char *buf, int bufsize, const char *words)
{
	return store_text_words(buf, bufsize, words, '\'', 1, " & ", ":*");
}

/* ---- COPY (db_bulk) ---- */

static int pg_copy_begin(struct db *d, const char *table, const char *columns)
{
	struct pg *db = PG(d);
	if (ensure_conn(db) < 0)
		return -1;
	char sql[1024];
	if ((size_t)snprintf(sql, sizeof sql, "COPY %s(%s) FROM STDIN", table, columns) >=
	    sizeof sql)
		return -1;
	PGresult *r = PQexec(db->c, sql);
	int ok = PQresultStatus(r) == PGRES_COPY_IN;
	if (!ok)
		set_err(db, r);
	PQclear(r);
	return ok ? 0 : -1;
}

static int pg_copy_data(struct db *d, const char *buf, size_t len)
{
	struct pg *db = PG(d);
	if (PQputCopyData(db->c, buf, (int)len) != 1) {
		set_err(db, NULL);
		return -1;
	}
	return 0;
}

/* Ends the COPY (refusing it when failed) and reads its result. */
static int pg_copy_end(struct db *d, int failed)
{
	struct pg *db = PG(d);
	int ok = PQputCopyEnd(db->c, failed ? "a row could not be sent" : NULL) == 1;
	PGresult *r;
	while ((r = PQgetResult(db->c)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			set_err(db, r);
			ok = 0;
		} else {
			db->changes = strtoll(PQcmdTuples(r), NULL, 10);
		}
		PQclear(r);
	}
	return ok && !failed ? 0 : -1;
}

/* pg_lsn minus 0/0 is the position in bytes. Not inside a caller's statement. */
static uint64_t pg_wal_position(struct db *d)
{
	struct pg *db = PG(d);
	if (ensure_conn(db) < 0)
		return 0;
	PGresult *r = q_exec(db, "SELECT CASE WHEN pg_is_in_recovery() THEN"
				 " pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END - '0/0'");
	uint64_t v = 0;
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
		v = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
	else
		set_err(db, r);
	PQclear(r);
	return v;
}

static void pg_set_timeout(struct db *db, int ms)
{
	PG(db)->timeout_ms = ms > 0 ? ms : 0;
}

static const struct db_ops postgres_ops = {
    .name = "postgres",
    .close = pg_close,
    .migrate = pg_migrate,
    .prepare = pg_prepare,
    .done = pg_done,
    .bind_text = pg_bind_text,
    .bind_int = pg_bind_int,
    .bind_null = pg_bind_null,
    .bind_blob = pg_bind_blob,
    .step = pg_step,
    .col_text = pg_col_text,
    .col_int = pg_col_int,
    .col_is_null = pg_col_is_null,
    .col_blob = pg_col_blob,
    .exec_script = pg_exec_script,
    .last_id = pg_last_id,
    .changes = pg_changes,
    .errmsg = pg_errmsg,
    .is_constraint_error = pg_is_constraint_error,
    .is_unavailable = pg_is_unavailable,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    /* the index is a table with a generated tsvector (the baseline migration), written
     * in the transaction like any row; a document's row replaces what it held */
    .text_put_sql = "INSERT INTO text_index(kind, id, body) VALUES ($1, $2, $3)"
		    " ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body",
    /* the identity column's own sequence (partitioned tables' too) */
    .take_ids_sql = "SELECT nextval(pg_get_serial_sequence($1, 'id'))"
		    " FROM generate_series(1, $2)",
    .text_match = pg_text_match,
    .text_query = pg_text_query,
    .copy_begin = pg_copy_begin,
    .copy_data = pg_copy_data,
    .copy_end = pg_copy_end,
    .wal_position = pg_wal_position,
    .set_timeout = pg_set_timeout,
};
