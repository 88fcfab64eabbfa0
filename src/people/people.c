#include "people/people.h"

#include <string.h>

#define PERSON_COLS                                                                            \
	"id, national_id, first_name, last_name, father_name, gender, birth_date, mobile, province"

static const char *dup_col(struct db_stmt *s, int c, struct arena *a)
{
	const char *v = db_col_text(s, c);
	return v ? arena_strdup(a, v) : NULL;
}

static int read_person(struct db_stmt *s, struct person *p, struct arena *a)
{
	int rc = db_step(s);
	if (rc == 1) {
		p->id = db_col_int(s, 0);
		p->national_id = dup_col(s, 1, a);
		p->first_name = dup_col(s, 2, a);
		p->last_name = dup_col(s, 3, a);
		p->father_name = dup_col(s, 4, a);
		p->gender = dup_col(s, 5, a);
		p->birth_date = dup_col(s, 6, a);
		p->mobile = dup_col(s, 7, a);
		p->province = dup_col(s, 8, a);
	}
	db_done(s);
	return rc;
}

int people_get(struct db *db, int64_t id, struct person *p, struct arena *a)
{
	struct db_stmt *s = db_prepare(db, "SELECT " PERSON_COLS " FROM people WHERE id = $1");
	if (!s)
		return -1;
	db_bind_int(s, 1, id);
	return read_person(s, p, a);
}

int people_find_national_id(struct db *db, const char *national_id, struct person *p,
			    struct arena *a)
{
	struct db_stmt *s =
		db_prepare(db, "SELECT " PERSON_COLS " FROM people WHERE national_id = $1");
	if (!s)
		return -1;
	db_bind_text(s, 1, national_id);
	return read_person(s, p, a);
}

int people_find_mobile(struct db *db, const char *mobile, int64_t *ids, int max)
{
	struct db_stmt *s = db_prepare(db, "SELECT id FROM people WHERE mobile = $1 LIMIT $2");
	if (!s)
		return 0;
	db_bind_text(s, 1, mobile);
	db_bind_int(s, 2, max);
	int n = 0;
	while (n < max && db_step(s) == 1)
		ids[n++] = db_col_int(s, 0);
	db_done(s);
	return n;
}

int people_insert(struct db *db, const struct person *p, int64_t now, int64_t *id, struct err *e)
{
	struct db_stmt *s = db_prepare(
		db, "INSERT INTO people(national_id, first_name, last_name, father_name, gender,"
		    " birth_date, mobile, province, created) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)");
	if (!s)
		return db_fail(db, e);
	db_bind_text(s, 1, p->national_id);
	db_bind_text(s, 2, p->first_name ? p->first_name : "");
	db_bind_text(s, 3, p->last_name ? p->last_name : "");
	db_bind_text(s, 4, p->father_name ? p->father_name : "");
	db_bind_text(s, 5, p->gender);
	db_bind_text(s, 6, p->birth_date);
	db_bind_text(s, 7, p->mobile);
	db_bind_text(s, 8, p->province);
	db_bind_int(s, 9, now);
	int rc = db_step(s);
	db_done(s);
	if (rc < 0)
		return err_set(e, db_is_constraint_error(db) ? 409 : 500, "person_exists",
			       "national_id", "%s", db_errmsg(db));
	*id = db_last_id(db);
	return 0;
}

static people_registry_fn registry;

void people_set_registry(people_registry_fn find)
{
	registry = find;
}

/* A new person: their national id, mobile and what the registry knows. */
static int insert_known(struct db *db, const char *national_id, const char *mobile, int64_t now,
			int64_t *id, struct err *e)
{
	struct person p = {.national_id = national_id};
	struct arena a;
	arena_init(&a);
	if (!registry || registry(db, national_id, &p, &a) != 1)
		p = (struct person){.national_id = national_id};
	p.mobile = mobile;
	int rc = people_insert(db, &p, now, id, e);
	arena_release(&a);
	return rc;
}

/* A person known by national id alone (a caller, say) takes the names the registry has,
 * and their sex and birth date where those are missing. */
static int fill_known(struct db *db, int64_t id, const char *national_id, struct err *e)
{
	struct person p;
	struct arena a;
	arena_init(&a);
	int rc = 0;
	if (registry && registry(db, national_id, &p, &a) == 1) {
		struct db_stmt *u = db_prepare(
			db, "UPDATE people SET first_name = $2, last_name = $3, father_name = $4,"
			    " gender = coalesce(gender, $5), birth_date = coalesce(birth_date, $6)"
			    " WHERE id = $1");
		db_bind_int(u, 1, id);
		db_bind_text(u, 2, p.first_name ? p.first_name : "");
		db_bind_text(u, 3, p.last_name ? p.last_name : "");
		db_bind_text(u, 4, p.father_name ? p.father_name : "");
		db_bind_text(u, 5, p.gender);
		db_bind_text(u, 6, p.birth_date);
		rc = db_step(u) < 0 ? db_fail(db, e) : 0;
		db_done(u);
	}
	arena_release(&a);
	return rc;
}

int people_ensure(struct db *db, const char *national_id, const char *mobile, int64_t now,
		  int64_t *id, struct err *e)
{
	struct db_stmt *s = db_prepare(db, "SELECT id, mobile, first_name = '' AND last_name = ''"
					   " FROM people WHERE national_id = $1");
	db_bind_text(s, 1, national_id);
	int found = db_step(s) == 1;
	int has_mobile = found && !db_col_is_null(s, 1);
	int nameless = found && db_col_int(s, 2);
	if (found)
		*id = db_col_int(s, 0);
	db_done(s);
	if (!found)
		return insert_known(db, national_id, mobile, now, id, e);
	if (nameless && fill_known(db, *id, national_id, e) < 0)
		return -1;
	if (mobile && !has_mobile) {
		struct db_stmt *u = db_prepare(db, "UPDATE people SET mobile = $1 WHERE id = $2");
		db_bind_text(u, 1, mobile);
		db_bind_int(u, 2, *id);
		int rc = db_step(u);
		db_done(u);
		if (rc < 0)
			return db_fail(db, e);
	}
	return 0;
}

void people_write_fields(struct jw *w, const struct person *p)
{
	jw_str(w, "national_id", p->national_id);
	jw_str(w, "first_name", p->first_name ? p->first_name : "");
	jw_str(w, "last_name", p->last_name ? p->last_name : "");
	jw_str(w, "father_name", p->father_name ? p->father_name : "");
	jw_str(w, "gender", p->gender);
	jw_str(w, "birth_date", p->birth_date);
	jw_str(w, "mobile", p->mobile);
	jw_str(w, "province", p->province);
}

void people_write(struct jw *w, const char *key, const struct person *p)
{
	jw_object(w, key);
	people_write_fields(w, p);
	jw_end(w);
}
