/* Where `tamin calls follow` has read a queue_log to (the table calls_follow). */
#include "calls/calls.h"

#include "store/store.h"

int calls_follow_get(struct db *db, const char *path, struct calls_follow_pos *p, struct err *e)
{
	struct db_stmt *s = db_prepare(
	    db, "SELECT dev, ino, pos, line FROM calls_follow WHERE path = $1");
	if (!s)
		return db_fail(db, e);
	db_bind_text(s, 1, path);
	int rc = db_step(s);
	if (rc == 1) {
		p->dev = db_col_int(s, 0);
		p->ino = db_col_int(s, 1);
		p->offset = db_col_int(s, 2);
		p->line = db_col_int(s, 3);
	}
	db_done(s);
	if (rc < 0)
		return db_fail(db, e);
	return rc;
}

int calls_follow_put(struct db *db, const char *path, const struct calls_follow_pos *p,
		     int64_t now, struct err *e)
{
	struct db_stmt *s = db_prepare(
	    db, "INSERT INTO calls_follow (path, dev, ino, pos, line, updated) "
		"VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (path) DO UPDATE SET "
		"dev = excluded.dev, ino = excluded.ino, pos = excluded.pos, "
		"line = excluded.line, updated = excluded.updated");
	if (!s)
		return db_fail(db, e);
	db_bind_text(s, 1, path);
	db_bind_int(s, 2, p->dev);
	db_bind_int(s, 3, p->ino);
	db_bind_int(s, 4, p->offset);
	db_bind_int(s, 5, p->line);
	db_bind_int(s, 6, now);
	int rc = db_step(s);
	db_done(s);
	return rc < 0 ? db_fail(db, e) : 0;
}
