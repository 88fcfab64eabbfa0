/* The audit spool: entries made durable in its files reach journal.audit whole and once,
 * after a clean stop, after a crash (the files as a crash leaves them, with an unfinished
 * write at the end) and while imports run during the writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>

#include "audit/spool.h"
#include "dbfixture.h"

/* Counts the batches whose done() ran (on the spool's thread: job.base is NULL). */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done, failed;
} acks = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};

static void ack(void *arg, int rc, const struct err *e)
{
	(void)arg;
	(void)e;
	pthread_mutex_lock(&acks.mu);
	acks.done++;
	acks.failed += rc < 0;
	pthread_cond_broadcast(&acks.cv);
	pthread_mutex_unlock(&acks.mu);
}

static void wait_acks(int n)
{
	pthread_mutex_lock(&acks.mu);
	while (acks.done < n)
		pthread_cond_wait(&acks.cv, &acks.mu);
	assert_int_equal(acks.failed, 0);
	pthread_mutex_unlock(&acks.mu);
}

static const struct principal staff = {.user_id = 7, .role = ROLE_SUPERVISOR};

/* n batches of one entry each; entry i's reason is "<tag> i" with text that needs
 * escaping. Waits until all of them are durable. */
static void spool_entries(struct audit_spool *s, const char *tag, int from, int n)
{
	struct audit_batch *b = calloc((size_t)n, sizeof *b);
	struct audit_entry *a = calloc((size_t)n, sizeof *a);
	char(*reason)[80] = calloc((size_t)n, sizeof *reason);
	pthread_mutex_lock(&acks.mu);
	int before = acks.done;
	pthread_mutex_unlock(&acks.mu);
	for (int i = 0; i < n; i++) {
		snprintf(reason[i], sizeof reason[i], "%s %d\tپرونده\\n\n", tag, from + i);
		a[i] = (struct audit_entry){.action = "case_read",
					    .person_id = 1000 + from + i,
					    .case_id = from + i,
					    .reason = reason[i],
					    .denied = (from + i) % 5 == 0};
		b[i] = (struct audit_batch){.who = &staff,
					    .ip = "10.0.0.1",
					    .now = 1700000000 + from + i,
					    .rows = &a[i],
					    .n = 1};
		b[i].job.done = ack;
		assert_int_equal(audit_spool_submit(s, &b[i]), 0);
	}
	wait_acks(before + n);
	free(b);
	free(a);
	free(reason);
}

static int64_t count(struct db *db, const char *sql)
{
	struct db_stmt *s = db_prepare(db, sql);
	int64_t n = db_step(s) == 1 ? db_col_int(s, 0) : -1;
	db_done(s);
	return n;
}

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	assert_non_null(in);
	assert_non_null(out);
	char buf[1 << 16];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	fclose(out);
}

static void remove_spool(const char *db_path)
{
	for (int i = 0; i < 2; i++) {
		char p[128];
		assert_int_equal(audit_spool_path(db_path, i, p, sizeof p), 0);
		unlink(p);
	}
}

struct running {
	struct writer *w;
	struct audit_spool *s;
};

static struct running start(const char *path)
{
	struct err e = {0};
	struct running r = {writer_start(path, &e), NULL};
	assert_non_null(r.w);
	r.s = audit_spool_start(path, NULL, r.w, &e);
	assert_non_null(r.s);
	return r;
}

static void stop(struct running r)
{
	audit_spool_stop(r.s);
	writer_stop(r.w);
}

/* More entries than one import takes (8,192): the stop imports them all. */
static void test_entries_whole_after_a_clean_stop(void **state)
{
	struct fx *f = *state;
	struct running r = start(f->path);
	spool_entries(r.s, "read", 1, 30000);
	stop(r);
	assert_int_equal(
	    count(f->db, "SELECT count(*) FROM journal.audit WHERE reason LIKE 'read %'"), 30000);
	struct db_stmt *s = db_prepare(
	    f->db, "SELECT at, user_id, role, action, person_id, case_id, reason, outcome, ip"
		   " FROM journal.audit WHERE case_id = 5");
	assert_int_equal(db_step(s), 1);
	assert_int_equal(db_col_int(s, 0), 1700000005);
	assert_int_equal(db_col_int(s, 1), 7);
	assert_string_equal(db_col_text(s, 2), "supervisor");
	assert_string_equal(db_col_text(s, 3), "case_read");
	assert_int_equal(db_col_int(s, 4), 1005);
	assert_string_equal(db_col_text(s, 6), "read 5\tپرونده\\n\n");
	assert_string_equal(db_col_text(s, 7), "denied");
	assert_string_equal(db_col_text(s, 8), "10.0.0.1");
	db_done(s);
	/* a restart finds the same lines in the files and imports none of them again */
	stop(start(f->path));
	assert_int_equal(
	    count(f->db, "SELECT count(*) FROM journal.audit WHERE reason LIKE 'read %'"), 30000);
	remove_spool(f->path);
}

/* The files as a crash leaves them: taken while the server runs, after the entries were
 * acknowledged and before any import, with the beginning of a write that was never
 * finished after the last line. A fresh copy of the database has none of the rows. */
static void test_entries_survive_a_crash(void **state)
{
	struct fx *f = *state;
	char crash_db[300], from[340], to[340];
	snprintf(crash_db, sizeof crash_db, "%s-crash", f->path);
	struct running r = start(f->path);
	spool_entries(r.s, "before", 1, 25);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(audit_spool_path(f->path, i, from, sizeof from), 0);
		assert_int_equal(audit_spool_path(crash_db, i, to, sizeof to), 0);
		copy_file(from, to);
	}
	stop(r);
	remove_spool(f->path);
	/* the unfinished write: half a line where the zeros begin */
	assert_int_equal(audit_spool_path(crash_db, 0, to, sizeof to), 0);
	FILE *spool = fopen(to, "r+b");
	assert_non_null(spool);
	long at = 0;
	for (int c; (c = fgetc(spool)) != EOF && c != 0;)
		at++;
	assert_true(at > 0);
	fseek(spool, at, SEEK_SET);
	fputs("26\t1700000026\t7\tsupervisor\tcase_re", spool);
	fclose(spool);
	/* the database as the crash left it: the rows not imported yet */
	struct err e = {0};
	struct db *db = NULL;
	assert_int_equal(db_open(&db, crash_db, DB_CREATE, &e), 0);
	assert_true(db_migrate(db, &e) >= 1);
	stop(start(crash_db));
	assert_int_equal(
	    count(db, "SELECT count(*) FROM journal.audit WHERE reason LIKE 'before %'"), 25);
	assert_int_equal(count(db, "SELECT count(DISTINCT case_id) FROM journal.audit"), 25);
	/* new entries go on from the last sequence: after them, a restart imports the new ones
	 * alone */
	r = start(crash_db);
	spool_entries(r.s, "after", 26, 10);
	stop(r);
	stop(start(crash_db));
	assert_int_equal(count(db, "SELECT count(*) FROM journal.audit"), 35);
	db_close(db);
	remove_spool(crash_db);
	static const char *const ends[] = {
	    "", "-wal", "-shm", "-journal.db", "-journal.db-wal", "-journal.db-shm"};
	for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
		char p[340];
		snprintf(p, sizeof p, "%s%s", crash_db, ends[i]);
		unlink(p);
	}
}

/* What an auditor's request does: an import through the writer, then the query. */
struct flush {
	struct audit_spool *s;
	struct audit_import x;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done, rc;
};

static int flush_run(struct db *db, void *arg, struct err *e)
{
	struct flush *fl = arg;
	return audit_spool_import(fl->s, db, &fl->x, e);
}

static void flush_done(void *arg, int rc, const struct err *e)
{
	(void)e;
	struct flush *fl = arg;
	if (rc == 0)
		audit_spool_imported(fl->s, &fl->x);
	pthread_mutex_lock(&fl->mu);
	fl->done = 1;
	fl->rc = rc;
	pthread_cond_signal(&fl->cv);
	pthread_mutex_unlock(&fl->mu);
}

static void flush(struct running r)
{
	struct flush fl = {
	    .s = r.s, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
	struct write_job job = {.run = flush_run, .done = flush_done, .arg = &fl};
	writer_submit(r.w, &job);
	pthread_mutex_lock(&fl.mu);
	while (!fl.done)
		pthread_cond_wait(&fl.cv, &fl.mu);
	pthread_mutex_unlock(&fl.mu);
	assert_int_equal(fl.rc, 0);
}

/* Over 1 MiB of lines, so that writing moves to the other file and back, with an import
 * (as an auditor's request makes) after each round: each one sees every entry so far. */
static void test_imports_while_writing_see_every_entry(void **state)
{
	struct fx *f = *state;
	struct running r = start(f->path);
	int total = 0;
	for (int round = 0; round < 8; round++) {
		spool_entries(r.s, "load", total + 1, 2500);
		total += 2500;
		flush(r);
		assert_int_equal(count(f->db,
				       "SELECT count(*) FROM journal.audit WHERE reason LIKE "
				       "'load %'"),
				 total);
	}
	stop(r);
	assert_int_equal(count(f->db, "SELECT count(DISTINCT case_id) FROM journal.audit WHERE "
				      "reason LIKE 'load %'"),
			 total);
	remove_spool(f->path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_entries_whole_after_a_clean_stop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_entries_survive_a_crash, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_imports_while_writing_see_every_entry, setup,
					    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
