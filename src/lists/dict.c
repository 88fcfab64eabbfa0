/* zstd dictionaries: trained on a batch's rows, kept in the database, cached to read. */
#include "lists/dict.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zdict.h>
#include <zstd.h>

enum { DICT_SIZE = 64 * 1024 };

void *list_dict_train(struct db *db, const void *samples, const size_t *sizes, unsigned n,
		      int level, struct err *e)
{
	size_t total = 0;
	for (unsigned i = 0; i < n; i++)
		total += sizes[i];
	if (n < 1000 || total < 2 * DICT_SIZE)
		return NULL; /* too little to learn from: without a dictionary */
	void *dict = malloc(DICT_SIZE);
	if (!dict)
		return NULL;
	size_t len = ZDICT_trainFromBuffer(dict, DICT_SIZE, samples, sizes, n);
	unsigned id = ZDICT_isError(len) ? 0 : ZDICT_getDictID(dict, len);
	void *cdict = NULL;
	if (id) {
		struct db_stmt *s = db_prepare(db, "INSERT INTO zstd_dicts(id, data, created)"
						   " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING");
		if (!s) {
			db_fail(db, e);
		} else {
			db_bind_int(s, 1, id);
			db_bind_blob(s, 2, dict, len);
			db_bind_int(s, 3, (int64_t)time(NULL));
			int rc = db_step(s);
			int64_t added = rc < 0 ? 0 : db_changes(db);
			db_done(s);
			if (rc < 0)
				db_fail(db, e);
			else if (added) /* an id taken by another dictionary: go without */
				cdict = ZSTD_createCDict(dict, len, level);
		}
	}
	free(dict);
	return cdict;
}

void list_dict_free(void *cdict)
{
	ZSTD_freeCDict(cdict);
}

/* The dictionaries read so far, for the life of the process: one a batch, 64 KB each. */
static struct {
	pthread_mutex_t mu;
	struct cached {
		unsigned id;
		ZSTD_DDict *d;
	} * v;
	size_t n, cap;
} cache = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0};

/* Reads dictionary id into the cache; NULL when there is none (or no memory). */
static ZSTD_DDict *load(struct db *db, unsigned id)
{
	if (cache.n == cache.cap) {
		size_t cap = cache.cap ? cache.cap * 2 : 8;
		struct cached *v = realloc(cache.v, cap * sizeof *v);
		if (!v)
			return NULL;
		cache.v = v;
		cache.cap = cap;
	}
	struct db_stmt *s = db_prepare(db, "SELECT data FROM zstd_dicts WHERE id = $1");
	if (!s)
		return NULL;
	db_bind_int(s, 1, id);
	size_t n = 0;
	const void *data = db_step(s) == 1 ? db_col_blob(s, 0, &n) : NULL;
	ZSTD_DDict *d = data ? ZSTD_createDDict(data, n) : NULL;
	db_done(s);
	if (d)
		cache.v[cache.n++] = (struct cached){id, d};
	return d;
}

const void *list_dict_get(struct db *db, unsigned id)
{
	if (!id)
		return NULL;
	pthread_mutex_lock(&cache.mu);
	ZSTD_DDict *d = NULL;
	for (size_t i = 0; i < cache.n && !d; i++)
		if (cache.v[i].id == id)
			d = cache.v[i].d;
	if (!d)
		d = load(db, id);
	pthread_mutex_unlock(&cache.mu);
	return d;
}
