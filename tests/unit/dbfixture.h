/* The fixture of the unit tests that need a real database: a migrated, catalogue-synced
 * database in a temporary file, and the calendars an app holds. Include after cmocka.h. */
#ifndef TAMIN_TESTS_DBFIXTURE_H
#define TAMIN_TESTS_DBFIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <string.h>

#include "base/jalali.h"
#include "base/worktime.h"
#include "cases/cases.h"
#include "catalog/catalog.h"
#include "app.h"
#include "http/http.h"
#include "store/store.h"
#include "store/writer.h"

struct fx {
	char path[256];
	struct db *db;
	struct app app;
};

static inline const char *data_dir(void)
{
	return getenv("TAMIN_DATA") ? getenv("TAMIN_DATA") : "data";
}

/* With TAMIN_TEST_PG (a PostgreSQL database's URL, as tests/pg/with-cluster.mjs gives),
 * each test gets a fresh database on that server, made and dropped through that URL's
 * database; else a SQLite file. */
static inline int fx_pg_admin(const char *sql_fmt, const char *name)
{
	struct db *admin = NULL;
	struct err e = {0};
	char sql[320];
	snprintf(sql, sizeof sql, sql_fmt, name);
	if (db_open(&admin, getenv("TAMIN_TEST_PG"), 0, &e) < 0)
		return -1;
	int rc = db_exec(admin, sql);
	if (rc < 0)
		fprintf(stderr, "fixture: %s: %s\n", sql, db_errmsg(admin));
	db_close(admin);
	return rc;
}

static inline const char *fx_pg_name(const struct fx *f)
{
	const char *slash = strrchr(f->path, '/');
	return slash ? slash + 1 : f->path;
}

static inline int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	const char *pg = getenv("TAMIN_TEST_PG");
	if (pg) {
		static int n;
		char name[48];
		snprintf(name, sizeof name, "unit_%d_%d", (int)getpid(), ++n);
		assert_int_equal(fx_pg_admin("CREATE DATABASE %s", name), 0);
		const char *slash = strrchr(pg, '/');
		snprintf(f->path, sizeof f->path, "%.*s/%s", (int)(slash - pg), pg, name);
	} else {
		snprintf(f->path, sizeof f->path, "/tmp/tamin-test-XXXXXX");
		int fd = mkstemp(f->path);
		close(fd);
	}
	struct err e = {0};
	assert_int_equal(db_open(&f->db, f->path, DB_CREATE, &e), 0);
	assert_true(db_migrate(f->db, &e) >= 1);
	assert_int_equal(catalog_sync(f->db, data_dir(), &e), 0);
	f->app.office = worktime_new_office();
	f->app.always = worktime_new_always();
	*state = f;
	return 0;
}

/* Closes the database and removes it with its journal file and their WAL files. */
static inline int teardown(void **state)
{
	struct fx *f = *state;
	db_close(f->db);
	worktime_free(f->app.office);
	worktime_free(f->app.always);
	catalog_release();
	if (getenv("TAMIN_TEST_PG")) {
		fx_pg_admin("DROP DATABASE %s", fx_pg_name(f));
		free(f);
		return 0;
	}
	static const char *const ends[] = {"", "-wal", "-shm", "-journal.db", "-journal.db-wal",
					   "-journal.db-shm"};
	for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
		char p[300];
		snprintf(p, sizeof p, "%s%s", f->path, ends[i]);
		unlink(p);
	}
	free(f);
	return 0;
}

/* Opens a case for the citizen 0499370899 through the real job; its number into number
 * (may be NULL). */
static inline int64_t open_case(struct fx *f, const char *topic, int64_t now, char number[24])
{
	struct case_new c = {.who = {.user_id = 0, .role = ROLE_CITIZEN},
			     .ip = "test",
			     .national_id = "0499370899",
			     .channel = "web",
			     .priority = "normal",
			     .subject = "مستمری واریز نشده",
			     .description = "مستمری مهر ماه",
			     .topic = catalog_topic_by_code(topic),
			     .now = now};
	assert_non_null(c.topic);
	case_new_schedule(&c, &f->app);
	struct write_job job = {.run = case_create_run, .arg = &c};
	assert_int_equal(writer_run_now(f->db, &job), 0);
	if (number)
		memcpy(number, c.number, 24);
	return c.case_id;
}

/* Sunday 2026-11-22 09:00 Tehran */
static inline int64_t sunday_9(void)
{
	return tehran_to_unix((struct jdate){1405, 9, 1}, 9 * 60);
}

/* The first column of sql's first row, $1 bound to id; -1 when there is no row. */
static inline int64_t val(struct fx *f, const char *sql, int64_t id)
{
	struct db_stmt *s = db_prepare(f->db, sql);
	db_bind_int(s, 1, id);
	int64_t v = db_step(s) == 1 ? db_col_int(s, 0) : -1;
	db_done(s);
	return v;
}

#endif
