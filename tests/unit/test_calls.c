/* calls: the import's on_event hook and reading the phone line back (calls_each,
 * calls_events_each) on a real database, with lines out of order and repeated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

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
	char q[4][16], out[4][16];
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_hook_hears_new_events_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_each_call_in_time_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_events_back_in_time_order, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
