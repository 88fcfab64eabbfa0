/* The store and the writer beneath the case desk: the statement cache and its $n
 * parameters, full-text queries and their index (which follows the writer's savepoints),
 * group commit where a failing job rolls back alone, a database whose journal file
 * was lost, and bulk rows (COPY on PostgreSQL) read back as written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "store/writer.h"

#include "dbfixture.h"

static void test_text_query(void **state)
{
	struct fx *f = *state;
	char buf[128];
	if (strcmp(db_backend(f->db), "postgres") == 0) {
		/* to_tsquery's: each word a quoted lexeme, all required, the last a prefix */
		assert_string_equal(db_text_query(f->db, buf, sizeof buf, "مستمری مهر"),
				    "'مستمری' & 'مهر':*");
		assert_string_equal(db_text_query(f->db, buf, sizeof buf, "a'b c\\"),
				    "'a''b' & 'c\\\\':*");
		assert_null(db_text_query(f->db, buf, sizeof buf, "   "));
		return;
	}
	assert_string_equal(db_text_query(f->db, buf, sizeof buf, "مستمری مهر"), "\"مستمری\" \"مهر\"*");
	assert_string_equal(db_text_query(f->db, buf, sizeof buf, "a\"b"), "\"a\"\"b\"*");
	assert_null(db_text_query(f->db, buf, sizeof buf, "   "));
}

static void test_text_search(void **state)
{
	struct fx *f = *state;
	int64_t id = open_case(f, "pension_not_paid", sunday_9(), NULL);
	char q[128], cond[160], sql[300];
	db_text_query(f->db, q, sizeof q, "واریز");
	snprintf(sql, sizeof sql, "SELECT count(*) FROM cases WHERE id %s",
		 db_text_match(f->db, cond, sizeof cond, 1, 2));
	struct db_stmt *s = db_prepare(f->db, sql);
	db_bind_text(s, 1, q);
	db_bind_text(s, 2, "case");
	assert_int_equal(db_step(s), 1);
	assert_int_equal(db_col_int(s, 0), 1);
	db_done(s);
	db_text_query(f->db, q, sizeof q, "ناموجود");
	db_bind_text(s, 1, q);
	db_bind_text(s, 2, "case");
	assert_int_equal(db_step(s), 1);
	assert_int_equal(db_col_int(s, 0), 0);
	db_done(s);
	(void)id;
}

/* Text queued inside a savepoint that rolls back is not indexed; the rest is, once the
 * group commits. */
static int job_text(struct db *db, void *arg, struct err *e)
{
	int64_t v = *(int64_t *)arg;
	if (db_text_put(db, "case", v, v % 2 ? "فرد" : "زوج") < 0)
		return err_set(e, 500, "internal", "", "%s", db_errmsg(db));
	return v % 2 ? err_set(e, 409, "conflict", "", "odd jobs fail") : 0;
}

static int64_t text_hits(struct fx *f, const char *word)
{
	char q[64], sql[256], cond[160];
	db_text_query(f->db, q, sizeof q, word);
	/* the jobs' ids, each asked of the index as a search asks it */
	snprintf(sql, sizeof sql,
		 "WITH RECURSIVE k(i) AS (SELECT 900000 UNION ALL SELECT i + 1 FROM k WHERE"
		 " i < 900039) SELECT count(*) FROM k WHERE i %s",
		 db_text_match(f->db, cond, sizeof cond, 1, 2));
	struct db_stmt *s = db_prepare(f->db, sql);
	db_bind_text(s, 1, q);
	db_bind_text(s, 2, "case");
	int64_t n = db_step(s) == 1 ? db_col_int(s, 0) : -1;
	db_done(s);
	return n;
}

static void test_text_index_follows_savepoints(void **state)
{
	struct fx *f = *state;
	struct err e;
	struct writer *w = writer_start(f->path, &e);
	assert_non_null(w);
	static int64_t vals[40];
	static struct write_job jobs[40];
	for (int i = 0; i < 40; i++) {
		vals[i] = 900000 + i;
		jobs[i] = (struct write_job){.run = job_text, .arg = &vals[i]};
		writer_submit(w, &jobs[i]);
	}
	writer_stop(w);
	assert_int_equal(text_hits(f, "زوج"), 20);
	assert_int_equal(text_hits(f, "فرد"), 0);
	assert_int_equal(val(f, "SELECT count(*) FROM text_pending WHERE id > $1", 0), 0);
}

/* ---- the writer: group commit, a failing job rolls back alone ---- */

static int job_insert(struct db *db, void *arg, struct err *e)
{
	int64_t v = *(int64_t *)arg;
	struct db_stmt *s = db_prepare(db, "INSERT INTO case_numbers(year, last) VALUES ($1, 0)");
	db_bind_int(s, 1, v);
	int rc = db_step(s);
	db_done(s);
	if (v % 10 == 7) /* every job ending in 7 fails after writing */
		return err_set(e, 409, "conflict", "", "job %lld refuses", (long long)v);
	return rc < 0 ? err_set(e, 500, "internal", "", "%s", db_errmsg(db)) : 0;
}

static void test_writer_group_commit(void **state)
{
	struct fx *f = *state;
	struct err e;
	struct writer *w = writer_start(f->path, &e);
	assert_non_null(w);
	enum { N = 500 };
	static int64_t vals[N];
	static struct write_job jobs[N];
	for (int i = 0; i < N; i++) {
		vals[i] = 10000 + i;
		jobs[i] = (struct write_job){.run = job_insert, .arg = &vals[i]};
		writer_submit(w, &jobs[i]);
	}
	writer_stop(w); /* commits everything submitted */
	int failed = 0;
	for (int i = 0; i < N; i++)
		failed += jobs[i].rc < 0;
	assert_int_equal(failed, N / 10);
	assert_int_equal(val(f, "SELECT count(*) FROM case_numbers WHERE year >= $1", 10000),
			 N - N / 10);
	assert_int_equal(val(f, "SELECT count(*) FROM case_numbers WHERE year % 10 = $1", 7), 0);
	/* a job whose statement fails (the key taken by the job before it, in the same
	 * group) rolls back alone; the next job's write stands (on PostgreSQL the savepoints
	 * go ahead of the next statement, in one round trip) */
	w = writer_start(f->path, &e);
	assert_non_null(w);
	static int64_t dup[3] = {50000, 50000, 50001};
	static struct write_job more[3];
	for (int i = 0; i < 3; i++) {
		more[i] = (struct write_job){.run = job_insert, .arg = &dup[i]};
		writer_submit(w, &more[i]);
	}
	writer_stop(w);
	assert_int_equal(more[0].rc, 0);
	assert_true(more[1].rc < 0);
	assert_int_equal(more[2].rc, 0);
	assert_int_equal(val(f, "SELECT count(*) FROM case_numbers WHERE year >= $1", 50000), 2);
}

/* PostgreSQL: a connection lost inside a transaction takes the transaction with it. The
 * next statement, once the connection is made again (at most once a second), must not
 * run outside it (each statement committed alone), and the COMMIT must fail; the
 * transaction after it works. */
static void test_lost_inside_transaction(void **state)
{
	struct fx *f = *state;
	if (!getenv("TAMIN_TEST_PG"))
		skip();
	assert_int_equal(db_exec(f->db, "CREATE TABLE lost_tx(x bigint)"), 0);
	struct db_stmt *s = db_prepare(f->db, "SELECT pg_backend_pid()");
	assert_int_equal(db_step(s), 1);
	int64_t pid = db_col_int(s, 0);
	db_done(s);
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(db_exec(f->db, "INSERT INTO lost_tx VALUES (1)"), 0);
	struct db *admin = NULL;
	struct err e = {0};
	assert_int_equal(db_open(&admin, f->path, 0, &e), 0);
	assert_int_equal(db_run_ints(admin, "SELECT pg_terminate_backend($1::int)", 1, &pid), 1);
	assert_int_equal(db_exec(f->db, "INSERT INTO lost_tx VALUES (2)"), -1);
	assert_true(db_is_unavailable(f->db));
	sleep(2); /* past the reset's once a second: the next statement reconnects */
	assert_int_equal(db_exec(f->db, "INSERT INTO lost_tx VALUES (3)"), -1);
	assert_true(db_is_unavailable(f->db));
	assert_int_equal(db_commit(f->db), -1);
	assert_true(db_is_unavailable(f->db));
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(db_exec(f->db, "INSERT INTO lost_tx VALUES (4)"), 0);
	assert_int_equal(db_commit(f->db), 0);
	db_close(admin);
	/* only the row of the transaction after: 1 went with the lost one, 3 was refused */
	assert_int_equal(val(f, "SELECT count(*) FROM lost_tx WHERE x <> $1", 4), 0);
	assert_int_equal(val(f, "SELECT count(*) FROM lost_tx WHERE x = $1", 4), 1);
}

static void test_statement_cache_and_params(void **state)
{
	struct fx *f = *state;
	/* $2 before $1, a '$1' inside a literal stays text */
	struct db_stmt *s = db_prepare(f->db, "SELECT $2 || '$1' || $1");
	db_bind_text(s, 1, "a");
	db_bind_text(s, 2, "b");
	assert_int_equal(db_step(s), 1);
	assert_string_equal(db_col_text(s, 0), "b$1a");
	db_done(s);
	assert_ptr_equal(db_prepare(f->db, "SELECT $2 || '$1' || $1"), s);
	/* SQLite refuses it at once; PostgreSQL prepares at the first step, which fails */
	struct db_stmt *bad = db_prepare(f->db, "SELEC nonsense");
	if (strcmp(db_backend(f->db), "sqlite") == 0)
		assert_null(bad);
	assert_int_equal(db_step(bad), -1);
	db_done(bad);
}

/* Bulk rows (COPY on PostgreSQL) come back as written: a list's compressed blocks, bytes
 * of every value and longer than the bulk buffer, and text with COPY's special characters. */
static void test_bulk_rows_round_trip(void **state)
{
	struct fx *f = *state;
	int pg = strcmp(db_backend(f->db), "sqlite") != 0;
	assert_int_equal(db_exec(f->db, pg ? "CREATE TEMP TABLE bulk_t(a BIGINT, b TEXT, c BYTEA)"
					   : "CREATE TEMP TABLE bulk_t(a INTEGER, b TEXT, c BLOB)"),
			 0);
	enum { BIG = 200000 };
	unsigned char *big = malloc(BIG);
	assert_non_null(big);
	for (size_t i = 0; i < BIG; i++)
		big[i] = (unsigned char)(i * 7 + i / 256);
	static const unsigned char small[] = {0, '\\', '\n', '\t', 0xff, 'x'};
	assert_int_equal(db_begin(f->db), 0);
	struct db_bulk *b = db_bulk_begin(f->db, "bulk_t", "a, b, c", 3);
	assert_non_null(b);
	db_bulk_int(b, 1);
	db_bulk_text(b, "tab\there\nback\\slash");
	db_bulk_blob(b, small, sizeof small);
	db_bulk_int(b, 2);
	db_bulk_text(b, NULL);
	db_bulk_blob(b, big, BIG);
	db_bulk_int(b, 3);
	db_bulk_text(b, "");
	db_bulk_blob(b, "", 0);
	assert_int_equal(db_bulk_end(b), 0);
	assert_int_equal(db_commit(f->db), 0);
	struct db_stmt *s = db_prepare(f->db, "SELECT a, b, c FROM bulk_t ORDER BY a");
	size_t len;
	assert_int_equal(db_step(s), 1);
	assert_string_equal(db_col_text(s, 1), "tab\there\nback\\slash");
	const unsigned char *got = db_col_blob(s, 2, &len);
	assert_int_equal(len, sizeof small);
	assert_memory_equal(got, small, sizeof small);
	assert_int_equal(db_step(s), 1);
	assert_true(db_col_is_null(s, 1));
	got = db_col_blob(s, 2, &len);
	assert_int_equal(len, BIG);
	assert_memory_equal(got, big, BIG);
	assert_int_equal(db_step(s), 1);
	assert_int_equal(db_col_int(s, 0), 3);
	db_col_blob(s, 2, &len);
	assert_int_equal(len, 0);
	assert_int_equal(db_step(s), 0);
	db_done(s);
	free(big);
}

/* A database whose journal file was lost is refused at start, not at the first audit
 * row (a bench once moved the database without it, and the server crashed). */
static void test_lost_journal_is_refused(void **state)
{
	struct fx *f = *state;
	if (strcmp(db_backend(f->db), "sqlite") != 0)
		skip(); /* PostgreSQL keeps the journal's tables in its own schema */
	db_close(f->db);
	f->db = NULL;
	char j[300];
	snprintf(j, sizeof j, "%s-journal.db", f->path);
	assert_int_equal(unlink(j), 0);
	strcat(j, "-wal");
	unlink(j);
	struct err e = {0};
	/* without DB_CREATE the journal cannot even be attached */
	assert_int_equal(db_open(&f->db, f->path, 0, &e), -1);
	assert_non_null(strstr(e.message, "-journal.db"));
	f->db = NULL;
	/* with it (as every command opens), an empty journal is made and refused */
	assert_int_equal(db_open(&f->db, f->path, DB_CREATE, &e), 0);
	assert_int_equal(db_migrate(f->db, &e), -1);
	assert_string_equal(e.code, "db_journal");
	/* and a statement that could not be prepared steps to an error, not a crash */
	struct db_stmt *s = db_prepare(f->db, "INSERT INTO audit(at) VALUES ($1)");
	assert_null(s);
	db_bind_int(s, 1, 1);
	db_bind_text(s, 2, "x");
	assert_int_equal(db_step(s), -1);
	db_done(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_text_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writer_group_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_index_follows_savepoints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statement_cache_and_params, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_journal_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_inside_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bulk_rows_round_trip, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
