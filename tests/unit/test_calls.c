/* calls: the import's on_event hook and reading the phone line back (calls_each,
 * calls_events_each) on a real database, with lines out of order and repeated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/jw.h"
#include "calls/blocks.h"
#include "calls/calls.h"
#include "calls/queuelog.h"
#include "dbfixture.h"

/* Two calls; the second's lines come before the first's, and one line is repeated. */
static const char LOG[] =
    "1774060100|c2|1420|NONE|ENTERQUEUE||09121112233|1\n"
    "1774060109|c2|1420|NONE|ABANDON|1|1|9\n"
    "1774060000|c1|1420|NONE|ENTERQUEUE||09120000001|1\n"
    "1774060012|c1|1420|SIP/8007|CONNECT|12|c1.1|3\n"
    "1774060012|c1|1420|SIP/8007|CONNECT|12|c1.1|3\n"
    "1774060200|c1|1420|SIP/8007|COMPLETECALLER|12|188|1\n"
    "not a line\n";

struct seen {
	int n;
	char events[8][20];
};
static void hook(void *ctx, const struct ql_line *l)
{
	struct seen *s = ctx;
	if (s->n < 8)
		snprintf(s->events[s->n], sizeof s->events[0], "%s:%s", l->callid, l->event_name);
	s->n++;
}

static int import(struct fx *f, struct seen *s)
{
	struct calls_import im;
	struct err e = {0};
	calls_import_init(&im, f->db);
	im.on_event = hook;
	im.on_event_ctx = s;
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(calls_import_text(&im, LOG, sizeof LOG - 1, &e), 0);
	assert_int_equal(calls_import_finish(&im, &e), 0);
	assert_int_equal(db_commit(f->db), 0);
	int events = (int)im.events;
	calls_import_release(&im);
	return events;
}

/* The hook hears each new event once, in the order read; a second import of the same
 * lines tells it nothing. */
static void test_hook_hears_new_events_once(void **state)
{
	struct fx *f = *state;
	struct seen s = {0};
	assert_int_equal(import(f, &s), 5);
	assert_int_equal(s.n, 5);
	assert_string_equal(s.events[0], "c2:ENTERQUEUE");
	assert_string_equal(s.events[2], "c1:ENTERQUEUE");
	assert_string_equal(s.events[4], "c1:COMPLETECALLER");
	struct seen again = {0};
	assert_int_equal(import(f, &again), 0);
	assert_int_equal(again.n, 0);
}

struct got {
	int n;
	struct calls_call c[4];
	char q[4][32], out[4][16];
};
static int each_call(void *ctx, const struct calls_call *c, struct err *e)
{
	(void)e;
	struct got *g = ctx;
	if (g->n < 4) {
		g->c[g->n] = *c;
		snprintf(g->q[g->n], sizeof g->q[0], "%s", c->callid);
		snprintf(g->out[g->n], sizeof g->out[0], "%s", c->outcome ? c->outcome : "-");
	}
	g->n++;
	return 0;
}

/* Calls come back by entry time with what the events said of them, and only those of
 * the range. */
static void test_each_call_in_time_order(void **state)
{
	struct fx *f = *state;
	struct seen s = {0};
	import(f, &s);
	struct got g = {0};
	struct err e = {0};
	assert_int_equal(calls_each(f->db, 1774060000, 1774060101, each_call, &g, &e), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.q[0], "c1");
	assert_string_equal(g.out[0], "answered");
	assert_int_equal(g.c[0].wait_s, 12);
	assert_int_equal(g.c[0].talk_s, 188);
	assert_string_equal(g.q[1], "c2");
	assert_string_equal(g.out[1], "abandoned");
	struct got none = {0};
	assert_int_equal(calls_each(f->db, 1774060001, 1774060100, each_call, &none, &e), 0);
	assert_int_equal(none.n, 0);
}

static int each_event(void *ctx, const struct ql_line *l, struct err *e)
{
	(void)e;
	struct seen *s = ctx;
	hook(s, l);
	return 0;
}

/* Events come back parsed, by time, each once. */
static void test_events_back_in_time_order(void **state)
{
	struct fx *f = *state;
	struct seen s = {0};
	import(f, &s);
	struct seen back = {0};
	struct err e = {0};
	assert_int_equal(calls_events_each(f->db, 0, 1774060200, each_event, &back, &e), 0);
	assert_int_equal(back.n, 4); /* COMPLETECALLER at 1774060200 is outside */
	assert_string_equal(back.events[0], "c1:ENTERQUEUE");
	assert_string_equal(back.events[1], "c1:CONNECT");
	assert_string_equal(back.events[2], "c2:ENTERQUEUE");
	assert_string_equal(back.events[3], "c2:ABANDON");
}

/* text imported in one transaction; the import's counts out */
static void import_text(struct fx *f, const char *text, struct calls_import *out)
{
	struct calls_import im;
	struct err e = {0};
	calls_import_init(&im, f->db);
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(calls_import_text(&im, text, strlen(text), &e), 0);
	assert_int_equal(calls_import_finish(&im, &e), 0);
	assert_int_equal(db_commit(f->db), 0);
	*out = im;
	out->batch = NULL;
	calls_import_release(&im);
}

static int count_rows(struct fx *f, const char *sql)
{
	struct db_stmt *s = db_prepare(f->db, sql);
	assert_non_null(s);
	assert_int_equal(db_step(s), 1);
	int n = (int)db_col_int(s, 0);
	db_done(s);
	return n;
}

/* A call's lines in three imports (a followed log's seconds), the last one first: one
 * call, counted new once, with every fact of every import; and its lines again in one
 * import: all duplicates. */
static void test_call_across_imports(void **state)
{
	struct fx *f = *state;
	const char *parts[] = {
	    "1774060200|c1|1420|SIP/8007|COMPLETECALLER|12|188|1\n",
	    "1774060000|c1|1420|NONE|ENTERQUEUE||09120000001|1\n",
	    "1774060012|c1|1420|SIP/8007|CONNECT|12|c1.1|3\n",
	};
	int64_t calls = 0;
	for (int i = 0; i < 3; i++) {
		struct calls_import im;
		import_text(f, parts[i], &im);
		assert_int_equal(im.events, 1);
		calls += im.calls;
	}
	assert_int_equal(calls, 1);
	struct got g = {0};
	struct err e = {0};
	assert_int_equal(calls_each(f->db, 1774060000, 1774060001, each_call, &g, &e), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.out[0], "answered");
	assert_int_equal(g.c[0].entered, 1774060000);
	assert_int_equal(g.c[0].connected, 1774060012);
	assert_int_equal(g.c[0].ended, 1774060200);
	assert_int_equal(g.c[0].wait_s, 12);
	assert_int_equal(g.c[0].talk_s, 188);
	struct calls_import again;
	char all[256];
	snprintf(all, sizeof all, "%s%s%s", parts[0], parts[1], parts[2]);
	import_text(f, all, &again);
	assert_int_equal(again.events, 0);
	assert_int_equal(again.duplicates, 3);
	assert_int_equal(again.calls, 0);
}

/* Many small imports into one hour: the block is merged into one segment at
 * CB_MERGE_AT, and nothing is lost or counted twice. */
static void test_small_imports_merge(void **state)
{
	struct fx *f = *state;
	int64_t calls = 0;
	for (int i = 0; i < 3 * CB_MERGE_AT; i++) {
		char line[256];
		snprintf(line, sizeof line,
			 "%d|m%d|1420|NONE|ENTERQUEUE||0912000%04d|1\n"
			 "%d|m%d|1420|SIP/8001|CONNECT|3|m%d.1|1\n",
			 1774062000 + i * 10, i, i, 1774062003 + i * 10, i, i);
		struct calls_import im;
		import_text(f, line, &im);
		assert_int_equal(im.events, 2);
		calls += im.calls;
	}
	assert_int_equal(calls, 3 * CB_MERGE_AT);
	assert_true(count_rows(f, "SELECT count(*) FROM call_blocks") < CB_MERGE_AT);
	assert_int_equal(count_rows(f, "SELECT sum(events) FROM call_blocks"), 6 * CB_MERGE_AT);
	struct got g = {0};
	struct err e = {0};
	assert_int_equal(calls_each(f->db, 1774062000, 1774066000, each_call, &g, &e), 0);
	assert_int_equal(g.n, 3 * CB_MERGE_AT);
	struct seen back = {0};
	assert_int_equal(calls_events_each(f->db, 1774062000, 1774066000, each_event, &back, &e), 0);
	assert_int_equal(back.n, 6 * CB_MERGE_AT);
	/* the figures see the same calls: every one answered in 3 s, one agent */
	struct calls_figures_query q;
	assert_int_equal(calls_figures_parse("2026-03-21", "2026-03-21", "day", NULL, NULL, NULL, &q, &e), 0);
	struct jw w;
	jw_init(&w);
	assert_int_equal(calls_figures(f->db, &q, &w, &e), 0);
	size_t len;
	char *json = jw_take(&w, &len);
	char want[64];
	snprintf(want, sizeof want, "\"offered\":%d,\"answered\":%d", 3 * CB_MERGE_AT, 3 * CB_MERGE_AT);
	assert_non_null(strstr(json, want));
	assert_non_null(strstr(json, "\"agents\":1"));
	free(json);
}

/* A database of 021's layout moved by migration 025: its rows become one-line segments
 * without hashes, read as the lines they hold, and merged with new ones. */
static void test_rows_moved_from_021(void **state)
{
	struct fx *f = *state;
	/* the lines as blobs, bound (a cast's type name differs between the stores) */
	static const char *const old[] = {"1774060000|old|1420|NONE|ENTERQUEUE||09120000001|1",
					  "1774060009|old|1420|NONE|ABANDON|1|1|9"};
	for (int i = 0; i < 2; i++) {
		struct db_stmt *s = db_prepare(f->db, "INSERT INTO call_blocks (start, seq, events,"
						      " lines) VALUES (1774058400, $1, 1, $2)");
		db_bind_int(s, 1, i + 1);
		db_bind_blob(s, 2, old[i], strlen(old[i]));
		assert_int_equal(db_step(s), 0);
		db_done(s);
	}
	struct got g = {0};
	struct err e = {0};
	assert_int_equal(calls_each(f->db, 1774060000, 1774060001, each_call, &g, &e), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.out[0], "abandoned");
	/* the same line again is a duplicate of the moved one */
	struct calls_import im;
	import_text(f, "1774060009|old|1420|NONE|ABANDON|1|1|9\n", &im);
	assert_int_equal(im.duplicates, 1);
	assert_int_equal(im.events, 0);
}

/* A large piece (parsed on a second thread) counts as the same text fed in small pieces
 * (parsed line by line): the same events, duplicates, malformed lines and line numbers,
 * with blank lines, CRLF, a line too long and malformed ones among thousands. */
static void test_large_piece_as_small_pieces(void **state)
{
	struct fx *f = *state;
	size_t cap = 1 << 20, n = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	for (int i = 0; i < 3000; i++) {
		if (i == 100)
			n += (size_t)snprintf(text + n, cap - n, "not a line\n");
		if (i == 200)
			n += (size_t)snprintf(text + n, cap - n, "\n");
		if (i == 300) {
			memset(text + n, 'x', 9000);
			n += 9000;
			text[n++] = '\n';
		}
		n += (size_t)snprintf(text + n, cap - n,
				      "%d|p%d|1420|NONE|ENTERQUEUE||0912%07d|1%s\n"
				      "%d|p%d|1420|NONE|ABANDON|1|1|4\n",
				      1774060000 + i * 7, i, i, i % 2 ? "\r" : "", 1774060004 + i * 7, i);
		if (i == 400) /* the same line twice */
			n += (size_t)snprintf(text + n, cap - n, "%d|p%d|1420|NONE|ABANDON|1|1|4\n",
					      1774060004 + i * 7, i);
	}
	struct calls_import big, small;
	struct err e = {0};
	calls_import_init(&big, f->db);
	big.file = "big";
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(calls_import_text(&big, text, n, &e), 0);
	assert_int_equal(calls_import_finish(&big, &e), 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(big.events, 6000);
	assert_int_equal(big.duplicates, 1);
	assert_int_equal(big.malformed, 2);
	assert_int_equal(big.calls, 3000);
	calls_import_init(&small, f->db);
	small.file = "small";
	assert_int_equal(db_begin(f->db), 0);
	for (size_t at = 0; at < n; at += 97)
		assert_int_equal(calls_import_text(&small, text + at, n - at < 97 ? n - at : 97, &e), 0);
	assert_int_equal(calls_import_finish(&small, &e), 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(small.lines, big.lines);
	assert_int_equal(small.events, 0);
	assert_int_equal(small.duplicates, 6001);
	assert_int_equal(small.malformed, 2);
	assert_int_equal(small.nbad, 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(small.bad[i].line, big.bad[i].line);
		assert_string_equal(small.bad[i].reason, big.bad[i].reason);
	}
	assert_int_equal(big.bad[0].line, 201);
	assert_string_equal(big.bad[1].reason, "field_too_long");
	/* the lines read back (an hour's are stored compressed) */
	struct seen back = {0};
	assert_int_equal(calls_events_each(f->db, 0, 1774100000, each_event, &back, &e), 0);
	assert_int_equal(back.n, 6000);
	assert_string_equal(back.events[0], "p0:ENTERQUEUE");
	calls_import_release(&big);
	calls_import_release(&small);
	free(text);
}

static int count_call(void *ctx, const struct calls_call *c, struct err *e)
{
	(void)e;
	struct got *g = ctx;
	if (g->n < 4) {
		g->c[g->n] = *c;
		snprintf(g->q[g->n], sizeof g->q[0], "%s", c->callid);
	}
	g->n++;
	return 0;
}

/* A call is found by its id: an Asterisk uniqueid (EPOCH.SEQ, SYSTEM-EPOCH.SEQ) around
 * its own time whatever `near` says; another id in the two days before `near` only. A
 * person's calls come latest first, up to max, among the last 31 days. */
static void test_find_and_person(void **state)
{
	struct fx *f = *state;
	struct db_stmt *s = db_prepare(f->db, "INSERT INTO people(national_id, mobile, created) "
					      "VALUES ('0012345679', '09121112233', 0)");
	assert_int_equal(db_step(s), 0);
	db_done(s);
	int64_t pid = db_last_id(f->db);
	struct calls_import im;
	import_text(f,
		    "1774060000|1774059990.17|1420|NONE|ENTERQUEUE||09121112233|1\n"
		    "1774060300|pbx1-1774060290.4|1420|NONE|ENTERQUEUE||09121112233|1\n"
		    "1774060600|x9|1420|NONE|ENTERQUEUE||09121112233|1\n"
		    "1771000000|old|1420|NONE|ENTERQUEUE||09121112233|1\n",
		    &im);
	assert_int_equal(im.calls, 4);
	struct err e = {0};
	struct got g = {0};
	/* near far away: the uniqueid's own time decides */
	assert_int_equal(calls_find(f->db, "1774059990.17", 0, count_call, &g, &e), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.c[0].person_id, pid);
	memset(&g, 0, sizeof g);
	assert_int_equal(calls_find(f->db, "pbx1-1774060290.4", 0, count_call, &g, &e), 0);
	assert_int_equal(g.n, 1);
	memset(&g, 0, sizeof g);
	assert_int_equal(calls_find(f->db, "x9", 1774060000 + 86400, count_call, &g, &e), 0);
	assert_int_equal(g.n, 1);
	memset(&g, 0, sizeof g);
	assert_int_equal(calls_find(f->db, "x9", 1774060000 + 5 * 86400, count_call, &g, &e), 0);
	assert_int_equal(g.n, 0); /* no time in the id, and far from near */
	memset(&g, 0, sizeof g);
	assert_int_equal(calls_of_person(f->db, pid, 2, 1774060000 + 3600, count_call, &g, &e), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.q[0], "x9");
	assert_string_equal(g.q[1], "pbx1-1774060290.4");
	memset(&g, 0, sizeof g);
	assert_int_equal(calls_of_person(f->db, pid, 10, 1774060000 + 3600, count_call, &g, &e), 0);
	assert_int_equal(g.n, 3); /* "old" is 31 days and more before */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_hook_hears_new_events_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_each_call_in_time_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_events_back_in_time_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_call_across_imports, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_small_imports_merge, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rows_moved_from_021, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_large_piece_as_small_pieces, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_find_and_person, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
