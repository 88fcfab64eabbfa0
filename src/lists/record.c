/* A person's record from the stored lists. */
#include "lists/lists.h"

#include <stdio.h>

int lists_person_record(struct db *db, int64_t person_id, struct arena *a,
			struct rules_record **out, int *n, struct err *e)
{
	*out = NULL;
	*n = 0;
	struct db_stmt *s =
	    db_prepare(db, "SELECT l.year, l.month, w.code, r.days, r.insurable, w.hard_job"
			   " FROM list_rows r JOIN lists l ON l.id = r.list_id"
			   " JOIN workshops w ON w.id = l.workshop_id WHERE r.person_id = $1"
			   " AND NOT EXISTS (SELECT 1 FROM lists c WHERE c.supersedes = l.id)"
			   " ORDER BY l.year, l.month, w.code");
	if (!s)
		return err_set(e, 500, "internal", "", "%s", db_errmsg(db));
	db_bind_int(s, 1, person_id);
	int cap = 0, rc;
	while ((rc = db_step(s)) == 1) {
		if (*n == cap) {
			int ncap = cap ? cap * 2 : 64;
			struct rules_record *m = arena_alloc(a, sizeof *m * (size_t)ncap);
			for (int i = 0; i < *n; i++)
				m[i] = (*out)[i];
			*out = m;
			cap = ncap;
		}
		struct rules_record *x = &(*out)[(*n)++];
		x->year = (int)db_col_int(s, 0);
		x->month = (int)db_col_int(s, 1);
		snprintf(x->workshop, sizeof x->workshop, "%s", db_col_text(s, 2));
		x->days = (int)db_col_int(s, 3);
		x->wage = db_col_int(s, 4);
		x->hard_job = (int)db_col_int(s, 5);
	}
	db_done(s);
	return rc < 0 ? err_set(e, 500, "internal", "", "%s", db_errmsg(db)) : 0;
}
