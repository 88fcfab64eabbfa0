/* Reading the phone line back: each call, each event (calls.h). */
#include <stdio.h>
#include <string.h>

#include "calls/calls.h"
#include "calls/queuelog.h"
#include "store/store.h"

static int64_t col_time(struct db_stmt *s, int i) { return db_col_is_null(s, i) ? -1 : db_col_int(s, i); }

#define CALL_COLUMNS                                                                        \
	"SELECT callid, queue, caller, agent, outcome, person_id, entered, connected, ended, "   \
	"wait_s, talk_s FROM calls "

/* Each row of s (prepared with CALL_COLUMNS and bound) to fn; s done. */
static int each_row(struct db *db, struct db_stmt *s, calls_each_fn fn, void *ctx, struct err *e)
{
	int step, rc = 0;
	while ((step = db_step(s)) == 1) {
		struct calls_call c = {
		    db_col_text(s, 0), db_col_text(s, 1), db_col_text(s, 2), db_col_text(s, 3),
		    db_col_text(s, 4), db_col_is_null(s, 5) ? 0 : db_col_int(s, 5),
		    col_time(s, 6),    col_time(s, 7),	  col_time(s, 8),    col_time(s, 9),
		    col_time(s, 10)};
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

int calls_each(struct db *db, int64_t from, int64_t to, calls_each_fn fn, void *ctx,
	       struct err *e)
{
	struct db_stmt *s = db_prepare(db, CALL_COLUMNS "WHERE entered >= $1 AND entered < $2 "
							"ORDER BY entered");
	if (!s)
		return db_fail(db, e);
	db_bind_int(s, 1, from);
	db_bind_int(s, 2, to);
	return each_row(db, s, fn, ctx, e);
}

int calls_find(struct db *db, const char *callid, calls_each_fn fn, void *ctx, struct err *e)
{
	struct db_stmt *s = db_prepare(db, CALL_COLUMNS "WHERE callid = $1 ORDER BY entered");
	if (!s)
		return db_fail(db, e);
	db_bind_text(s, 1, callid);
	return each_row(db, s, fn, ctx, e);
}

int calls_of_person(struct db *db, int64_t person_id, int max, calls_each_fn fn, void *ctx,
		    struct err *e)
{
	struct db_stmt *s = db_prepare(db, CALL_COLUMNS "WHERE person_id = $1 ORDER BY entered "
							"DESC LIMIT $2");
	if (!s)
		return db_fail(db, e);
	db_bind_int(s, 1, person_id);
	db_bind_int(s, 2, max);
	return each_row(db, s, fn, ctx, e);
}

int calls_events_each(struct db *db, int64_t from, int64_t to, calls_event_fn fn, void *ctx,
		      struct err *e)
{
	struct db_stmt *s = db_prepare(db, "SELECT epoch, callid, queue, agent, event, data FROM "
					   "call_events WHERE epoch >= $1 AND epoch < $2 ORDER BY "
					   "epoch");
	if (!s)
		return db_fail(db, e);
	db_bind_int(s, 1, from);
	db_bind_int(s, 2, to);
	int step, rc = 0;
	char line[QL_LINE_MAX + 1];
	while ((step = db_step(s)) == 1) {
		const char *data = db_col_text(s, 5);
		int n = snprintf(line, sizeof line, "%lld|%s|%s|%s|%s|%s",
				 (long long)db_col_int(s, 0), db_col_text(s, 1), db_col_text(s, 2),
				 db_col_text(s, 3), db_col_text(s, 4), data ? data : "");
		struct ql_line l;
		/* stored only when it parsed, so it parses again */
		if (n < 0 || (size_t)n >= sizeof line || ql_parse(line, (size_t)n, &l) != QL_OK)
			continue;
		if (fn(ctx, &l, e) < 0) {
			rc = -1;
			break;
		}
	}
	db_done(s);
	if (step < 0)
		return db_fail(db, e);
	return rc;
}
