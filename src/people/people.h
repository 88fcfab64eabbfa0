/* people: the persons whose cases and records the system keeps, keyed by national id.
 * Names and mobiles are stored normalised (text_normalize, text_mobile). */
#ifndef TAMIN_PEOPLE_PEOPLE_H
#define TAMIN_PEOPLE_PEOPLE_H

#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/jw.h"
#include "store/store.h"

struct person {
	int64_t id;
	const char *national_id;
	const char *first_name, *last_name, *father_name;
	const char *gender;	/* "m", "f" or NULL */
	const char *birth_date; /* ISO yyyy-mm-dd or NULL */
	const char *mobile;	/* 09XXXXXXXXX or NULL */
	const char *province;	/* province code or NULL */
};

/* 1 found (strings in the arena), 0 not found, -1 error. */
int people_get(struct db *db, int64_t id, struct person *p, struct arena *a);
int people_find_national_id(struct db *db, const char *national_id, struct person *p,
			    struct arena *a);
/* The persons with this mobile (at most max), returns how many were written. */
int people_find_mobile(struct db *db, const char *mobile, int64_t *ids, int max);

/* Writer side. Inserts p (fields already validated and normalised); *id gets the row. */
int people_insert(struct db *db, const struct person *p, int64_t now, int64_t *id, struct err *e);
/* The person with this national id, created if absent with the id, the mobile and what
 * the registry (below) knows of them; a known person whose mobile is missing gets the one
 * given, one known by national id alone the registry's names. */
int people_ensure(struct db *db, const char *national_id, const char *mobile, int64_t now,
		  int64_t *id, struct err *e);

/* Where people_ensure finds the names, sex and birth date of a person it creates: the
 * monthly lists (lists_person), set once at start by the program. find returns 1 with
 * *p filled (strings in the arena), 0 when the person is unknown there. Without it a new
 * person has only their national id. */
typedef int (*people_registry_fn)(struct db *db, const char *national_id, struct person *p,
				  struct arena *a);
void people_set_registry(people_registry_fn find);

/* The person as a JSON object under key (NULL inside an array or at the top). */
void people_write(struct jw *w, const char *key, const struct person *p);
/* Writes only the fields, into an object already open. */
void people_write_fields(struct jw *w, const struct person *p);

#endif
