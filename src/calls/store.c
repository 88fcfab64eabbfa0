/* The import: queue_log lines into call_events (once each) and calls (built from every
 * event of a caller in a queue, in whatever order they come). */
#include "calls/calls.h"

#include <stdlib.h>
#include <string.h>

#include "base/jw.h"
#include "base/text.h"
#include "calls/queuelog.h"
#include "people/people.h"
#include "store/store.h"

/* A call's facts from the events of this batch; -1: not said. Each is merged into the
 * stored row by a rule that does not depend on order (earliest, latest, largest, the
 * strongest outcome), so a call is the same whatever order its lines came in. */
struct calls_pending {
	uint64_t h;
	const char *callid, *queue, *caller, *agent, *outcome;
	int64_t entered, connected, ended, wait_s, talk_s;
	int rank;
};

/* The outcomes by strength: a caller answered in the end was answered, whatever else
 * the log says of them. */
static const struct {
	const char *name;
	enum ql_event ev;
	int rank;
} outcomes[] = {
    {"empty", QL_EXITEMPTY, 1},	      {"key", QL_EXITWITHKEY, 2},
    {"timeout", QL_EXITWITHTIMEOUT, 3}, {"withdraw", QL_WITHDRAW, 4},
    {"abandoned", QL_ABANDON, 5},	      {"transfer", QL_TRANSFER, 6},
    {"transfer", QL_BLINDTRANSFER, 6},  {"transfer", QL_ATTENDEDTRANSFER, 6},
    {"answered", QL_COMPLETEAGENT, 7},  {"answered", QL_COMPLETECALLER, 7},
};

void calls_import_init(struct calls_import *im, struct db *db)
{
	memset(im, 0, sizeof *im);
	im->db = db;
	arena_init(&im->arena);
}

void calls_import_release(struct calls_import *im)
{
	arena_release(&im->arena);
	free(im->table);
	im->table = NULL;
}

static uint64_t key_hash(const char *callid, const char *queue)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (const char *s = callid; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	h = (h ^ 0x1f) * 0x100000001b3ull;
	for (const char *s = queue; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h | 1;
}

static struct calls_pending *pending(struct calls_import *im, const char *callid,
				     const char *queue)
{
	if (im->used * 2 >= im->cap) {
		size_t cap = im->cap ? im->cap * 2 : 4096;
		struct calls_pending **t = calloc(cap, sizeof(struct calls_pending *));
		if (!t)
			abort();
		for (size_t i = 0; i < im->cap; i++)
			if (im->table[i]) {
				size_t j = im->table[i]->h & (cap - 1);
				while (t[j])
					j = (j + 1) & (cap - 1);
				t[j] = im->table[i];
			}
		free(im->table);
		im->table = t;
		im->cap = cap;
	}
	uint64_t h = key_hash(callid, queue);
	size_t j = h & (im->cap - 1);
	for (struct calls_pending *p; (p = im->table[j]); j = (j + 1) & (im->cap - 1))
		if (p->h == h && !strcmp(p->callid, callid) && !strcmp(p->queue, queue))
			return p;
	struct calls_pending *p = arena_alloc(&im->arena, sizeof *p);
	p->h = h;
	p->callid = arena_strdup(&im->arena, callid);
	p->queue = arena_strdup(&im->arena, queue);
	p->entered = p->connected = p->ended = p->wait_s = p->talk_s = -1;
	im->table[j] = p;
	im->used++;
	return p;
}

static void at_least(int64_t *v, int64_t x)
{
	if (x >= 0 && x > *v)
		*v = x;
}
static void at_most(int64_t *v, int64_t x)
{
	if (x >= 0 && (*v < 0 || x < *v))
		*v = x;
}

/* What one new event says of its call. */
static void merge(struct calls_import *im, const struct ql_line *l)
{
	if (!ql_is_call_event(l->event) || l->event == QL_RINGNOANSWER ||
	    l->event == QL_RINGCANCELED)
		return;
	struct calls_pending *p = pending(im, l->callid, l->queue);
	int64_t t = l->epoch, w = l->wait_s, talk = l->talk_s;
	at_least(&p->wait_s, w);
	at_least(&p->talk_s, talk);
	if (strcmp(l->agent, "NONE") && l->agent[0] && !p->agent)
		p->agent = arena_strdup(&im->arena, l->agent);
	switch (l->event) {
	case QL_ENTERQUEUE:
		at_most(&p->entered, t);
		if (l->callerid && !p->caller)
			p->caller = arena_strdup(&im->arena, l->callerid);
		return;
	case QL_CONNECT:
		at_most(&p->connected, t);
		if (w >= 0)
			at_most(&p->entered, t - w);
		return;
	default:
		break;
	}
	for (size_t i = 0; i < sizeof outcomes / sizeof outcomes[0]; i++)
		if (outcomes[i].ev == l->event) {
			at_least(&p->ended, t);
			if (outcomes[i].rank > p->rank) {
				p->rank = outcomes[i].rank;
				p->outcome = outcomes[i].name;
			}
			if (outcomes[i].rank >= 6 && talk >= 0) {
				at_most(&p->connected, t - talk);
				if (w >= 0)
					at_most(&p->entered, t - talk - w);
			} else if (outcomes[i].rank < 6 && w >= 0) {
				at_most(&p->entered, t - w);
			}
		}
}

static void bad(struct calls_import *im, enum ql_error why)
{
	im->malformed++;
	if (im->nbad < CALLS_BAD_MAX)
		im->bad[im->nbad++] = (struct calls_bad){im->file, im->lineno, ql_error_name(why)};
}

/* One line at line[0..len), line[len] writable. */
static int one(struct calls_import *im, char *line, size_t len, struct err *e)
{
	im->lines++;
	im->lineno++;
	struct ql_line l;
	enum ql_error why = ql_parse(line, len, &l);
	if (why == QL_E_EMPTY) {
		im->lines--; /* a blank line (the last newline's) is no line */
		return 0;
	}
	if (why) {
		bad(im, why);
		return 0;
	}
	/* the data fields as one text again, as the file had them */
	size_t n = 0;
	for (int i = 0; i < l.ndata; i++) {
		size_t k = strlen(l.data[i]);
		if (i)
			im->data[n++] = '|';
		memcpy(im->data + n, l.data[i], k);
		n += k;
	}
	im->data[n] = 0;
	struct db_stmt *s = db_prepare(im->db, "INSERT INTO call_events (epoch, hash, callid, queue, "
					       "agent, event, data) VALUES ($1, $2, $3, $4, $5, $6, "
					       "$7) ON CONFLICT DO NOTHING");
	if (!s)
		return db_fail(im->db, e);
	db_bind_int(s, 1, l.epoch);
	db_bind_int(s, 2, (int64_t)l.hash);
	db_bind_text_ref(s, 3, l.callid);
	db_bind_text_ref(s, 4, l.queue);
	db_bind_text_ref(s, 5, l.agent);
	db_bind_text_ref(s, 6, l.event_name);
	db_bind_text_ref(s, 7, im->data);
	int rc = db_step(s);
	db_done(s);
	if (rc < 0)
		return db_fail(im->db, e);
	if (db_changes(im->db) == 0) {
		im->duplicates++;
		return 0;
	}
	im->events++;
	merge(im, &l);
	if (im->on_event)
		im->on_event(im->on_event_ctx, &l);
	return 0;
}

int calls_import_text(struct calls_import *im, const char *buf, size_t len, struct err *e)
{
	const char *p = buf, *end = buf + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t k = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (im->skipping || im->ncarry + k > QL_LINE_MAX + 1) {
			/* longer than any line may be: counted once, the rest skipped */
			if (!im->skipping) {
				im->lines++;
				im->lineno++;
				bad(im, QL_E_LONG);
				im->skipping = 1;
			}
			im->ncarry = 0;
			if (nl)
				im->skipping = 0;
		} else if (!nl) {
			memcpy(im->carry + im->ncarry, p, k);
			im->ncarry += k;
		} else if (im->ncarry) {
			memcpy(im->carry + im->ncarry, p, k);
			size_t n = im->ncarry + k;
			im->ncarry = 0;
			if (one(im, im->carry, n, e) < 0)
				return -1;
		} else {
			/* parsed in place in a copy: the caller's bytes stay as given */
			memcpy(im->carry, p, k);
			if (one(im, im->carry, k, e) < 0)
				return -1;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

int calls_import_finish(struct calls_import *im, struct err *e)
{
	if (im->ncarry && !im->skipping) {
		size_t n = im->ncarry;
		im->ncarry = 0;
		if (one(im, im->carry, n, e) < 0)
			return -1;
	}
	im->ncarry = 0;
	im->skipping = 0;
	return calls_import_flush(im, e);
}

/* The person whose mobile on record is the caller's number, when exactly one is. */
static int64_t caller_person(struct calls_import *im, const char *caller)
{
	if (!caller)
		return 0;
	char *mobile = text_mobile(&im->arena, caller);
	int64_t ids[2];
	return mobile && people_find_mobile(im->db, mobile, ids, 2) == 1 ? ids[0] : 0;
}

/* The merge rules of `merge` again, between the stored row and the batch's. Each CASE
 * keeps the stored value unless the new one is earlier, later or stronger. */
static const char *const upsert_sql =
    "UPDATE calls SET "
    "caller = COALESCE(caller, $3), "
    "person_id = COALESCE(person_id, $4), "
    "entered = CASE WHEN $5 IS NOT NULL AND (entered IS NULL OR $5 < entered) THEN $5 ELSE "
    "entered END, "
    "connected = CASE WHEN $6 IS NOT NULL AND (connected IS NULL OR $6 < connected) THEN $6 ELSE "
    "connected END, "
    "ended = CASE WHEN $7 IS NOT NULL AND (ended IS NULL OR $7 > ended) THEN $7 ELSE ended END, "
    "wait_s = CASE WHEN $8 IS NOT NULL AND (wait_s IS NULL OR $8 > wait_s) THEN $8 ELSE wait_s "
    "END, "
    "talk_s = CASE WHEN $9 IS NOT NULL AND (talk_s IS NULL OR $9 > talk_s) THEN $9 ELSE talk_s "
    "END, "
    "outcome = CASE WHEN $11 > outcome_rank THEN $10 ELSE outcome END, "
    "outcome_rank = CASE WHEN $11 > outcome_rank THEN $11 ELSE outcome_rank END, "
    "agent = COALESCE(agent, $12) "
    "WHERE callid = $1 AND queue = $2";

static void bind_time(struct db_stmt *s, int i, int64_t v)
{
	if (v >= 0)
		db_bind_int(s, i, v);
	else
		db_bind_null(s, i);
}

int calls_import_flush(struct calls_import *im, struct err *e)
{
	for (size_t i = 0; i < im->cap; i++) {
		struct calls_pending *p = im->table[i];
		if (!p)
			continue;
		struct db_stmt *s = db_prepare(im->db, "INSERT INTO calls (callid, queue) VALUES "
						       "($1, $2) ON CONFLICT DO NOTHING");
		if (!s)
			return db_fail(im->db, e);
		db_bind_text_ref(s, 1, p->callid);
		db_bind_text_ref(s, 2, p->queue);
		int rc = db_step(s);
		db_done(s);
		if (rc < 0)
			return db_fail(im->db, e);
		im->calls += db_changes(im->db);
		int64_t person = caller_person(im, p->caller);
		s = db_prepare(im->db, upsert_sql);
		if (!s)
			return db_fail(im->db, e);
		db_bind_text_ref(s, 1, p->callid);
		db_bind_text_ref(s, 2, p->queue);
		db_bind_text_ref(s, 3, p->caller);
		bind_time(s, 4, person ? person : -1);
		bind_time(s, 5, p->entered);
		bind_time(s, 6, p->connected);
		bind_time(s, 7, p->ended);
		bind_time(s, 8, p->wait_s);
		bind_time(s, 9, p->talk_s);
		db_bind_text_ref(s, 10, p->outcome);
		db_bind_int(s, 11, p->rank);
		db_bind_text_ref(s, 12, p->agent);
		rc = db_step(s);
		db_done(s);
		if (rc < 0)
			return db_fail(im->db, e);
	}
	if (im->table) /* none yet when every line was a duplicate (fuzz_api found it) */
		memset(im->table, 0, im->cap * sizeof(struct calls_pending *));
	im->used = 0;
	arena_release(&im->arena);
	arena_init(&im->arena);
	return 0;
}

void calls_import_write(const struct calls_import *im, struct jw *w)
{
	jw_object(w, NULL);
	jw_int(w, "lines", im->lines);
	jw_int(w, "events", im->events);
	jw_int(w, "duplicates", im->duplicates);
	jw_int(w, "malformed", im->malformed);
	jw_array(w, "malformed_lines");
	for (int i = 0; i < im->nbad; i++) {
		jw_object(w, NULL);
		if (im->bad[i].file)
			jw_str(w, "file", im->bad[i].file);
		jw_int(w, "line", im->bad[i].line);
		jw_str(w, "reason", im->bad[i].reason);
		jw_end(w);
	}
	jw_end(w);
	jw_int(w, "calls", im->calls);
	jw_end(w);
}
