/* The cases as contacts, for the pulse (cases.h): each case created in a range with what
 * it is counted by, and a few example cases of a series. */
#include "cases/cases.h"

#include "base/arena.h"

int cases_contacts_each(struct db *db, int64_t from, int64_t to, case_contact_fn fn, void *ctx,
			struct err *e)
{
	/* cases_created (006) serves the range */
	struct db_stmt *s = db_prepare(db, "SELECT c.created, c.topic_id, c.department_id, "
					   "c.channel, p.province FROM cases c "
					   "LEFT JOIN people p ON p.id = c.person_id "
					   "WHERE c.created >= $1 AND c.created < $2 "
					   "ORDER BY c.created");
	if (!s)
		return db_fail(db, e);
	db_bind_int(s, 1, from);
	db_bind_int(s, 2, to);
	int step, rc = 0;
	while ((step = db_step(s)) == 1) {
		struct case_contact c = {db_col_int(s, 0), db_col_int(s, 1), db_col_int(s, 2),
					 db_col_text(s, 3), db_col_text(s, 4)};
		if (fn(ctx, &c, e) < 0) {
			rc = -1;
			break;
		}
	}
	db_done(s);
	if (step < 0)
		return db_fail(db, e);
	return rc;
}

int cases_contacts_examples(struct db *db, int64_t from, int64_t to, int64_t topic_id,
			    int64_t department_id, const char *channel, const char *province,
			    int max, struct arena *a, const char **out, struct err *e)
{
	/* Each filter is a bound value or its "any" ('' or 0), never pasted into the SQL. */
	struct db_stmt *s = db_prepare(
	    db, "SELECT c.number FROM cases c LEFT JOIN people p ON p.id = c.person_id "
		"WHERE c.created >= $1 AND c.created < $2 AND ($3 = 0 OR c.topic_id = $3) "
		"AND ($4 = 0 OR c.department_id = $4) AND ($5 = '' OR c.channel = $5) "
		"AND ($6 = '' OR p.province = $6) ORDER BY c.created DESC LIMIT $7");
	if (!s)
		return db_fail(db, e);
	db_bind_int(s, 1, from);
	db_bind_int(s, 2, to);
	db_bind_int(s, 3, topic_id);
	db_bind_int(s, 4, department_id);
	db_bind_text(s, 5, channel ? channel : "");
	db_bind_text(s, 6, province ? province : "");
	db_bind_int(s, 7, max);
	int step = 0, n = 0;
	while (n < max && (step = db_step(s)) == 1)
		out[n++] = arena_strdup(a, db_col_text(s, 0));
	db_done(s);
	if (n < max && step < 0)
		return db_fail(db, e);
	return n;
}
