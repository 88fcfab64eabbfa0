/* The fixture of the unit tests that need a real database: a migrated, catalogue-synced
 * database in a temporary file, and the calendars an app holds. Include after cmocka.h. */
#ifndef TAMIN_TESTS_DBFIXTURE_H
#define TAMIN_TESTS_DBFIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/worktime.h"
#include "catalog/catalog.h"
#include "http/http.h"
#include "store/store.h"

struct fx {
	char path[64];
	struct db *db;
	struct app app;
};

static inline const char *data_dir(void)
{
	return getenv("TAMIN_DATA") ? getenv("TAMIN_DATA") : "data";
}

static inline int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	snprintf(f->path, sizeof f->path, "/tmp/tamin-test-XXXXXX");
	int fd = mkstemp(f->path);
	close(fd);
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
	static const char *const ends[] = {"", "-wal", "-shm", "-journal.db", "-journal.db-wal",
					   "-journal.db-shm"};
	for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
		char p[96];
		snprintf(p, sizeof p, "%s%s", f->path, ends[i]);
		unlink(p);
	}
	free(f);
	return 0;
}

#endif
