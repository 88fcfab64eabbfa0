/* calls/board.c: the wallboard's state on hand-made event sequences whose answers are
 * worked out below; the same lines reordered and repeated give the same board. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/jw.h"
#include "calls/board.h"
#include "calls/queuelog.h"

#define T0 1772346600LL /* 2026-03-01 10:00 in Tehran */

static const struct board_queue_conf queues[] = {
    {"pensions", "مستمری و بازنشستگی", 60},
    {"records", "سوابق بیمه‌ای", 60},
};

static struct board *fresh(void)
{
	struct board *b = board_new(queues, 2, 20, 5);
	assert_non_null(b);
	return b;
}

/* One line "OFFSET|callid|queue|agent|EVENT|data..." with its time T0 + OFFSET. */
static void feed(struct board *b, const char *line)
{
	char buf[QL_LINE_MAX + 1];
	char *bar = strchr(line, '|');
	assert_non_null(bar);
	long long off = strtoll(line, NULL, 10);
	int n = snprintf(buf, sizeof buf, "%lld%s", T0 + off, bar);
	struct ql_line l;
	enum ql_error e = ql_parse(buf, (size_t)n, &l);
	if (e != QL_OK)
		fail_msg("%s: %s", line, ql_error_name(e));
	board_feed(b, &l);
}

/* The day's story, by hand (service level within 20 s, alert after 60 s in pensions):
 *  SIP/1 and SIP/2 join pensions, SIP/3 joins records and pauses for lunch;
 *  A enters pensions at +0, answered by SIP/1 at +5 (waited 5), done at +125 (talked 120);
 *  B enters at +10, rings SIP/2 for 15 s unanswered (ended +40), hangs up at +90 (80 s);
 *  C enters at +20, answered by SIP/2 at +95 (waited 75): on a call at the end. */
static const char *const story[] = {
    "-100|REALTIME|pensions|SIP/1|ADDMEMBER|",	    "-100|REALTIME|pensions|SIP/2|ADDMEMBER|",
    "-100|REALTIME|records|SIP/3|ADDMEMBER|",	    "-50|NONE|records|SIP/3|PAUSE|lunch",
    "0|A|pensions|NONE|ENTERQUEUE||09120000001|1",  "5|A|pensions|SIP/1|CONNECT|5|A2|1",
    "10|B|pensions|NONE|ENTERQUEUE||09120000002|1", "20|C|pensions|NONE|ENTERQUEUE||09120000003|2",
    "40|B|pensions|SIP/2|RINGNOANSWER|15000",	    "90|B|pensions|NONE|ABANDON|1|1|80",
    "95|C|pensions|SIP/2|CONNECT|75|C2|3",	    "125|A|pensions|SIP/1|COMPLETECALLER|5|120|1",
};
#define NSTORY (int)(sizeof story / sizeof story[0])

static void feed_upto(struct board *b, int64_t off)
{
	for (int i = 0; i < NSTORY; i++)
		if (strtoll(story[i], NULL, 10) <= off)
			feed(b, story[i]);
}

static struct board_queue_view queue(struct board *b, const char *name, int64_t now)
{
	struct board_queue_view v;
	assert_int_equal(board_queue(b, name, now, &v), 0);
	return v;
}

static struct board_agent_view agent(struct board *b, const char *name, int64_t now)
{
	struct board_agent_view v;
	assert_int_equal(board_agent(b, name, now, &v), 0);
	return v;
}

static void test_waiting_and_agents(void **state)
{
	(void)state;
	struct board *b = fresh();
	feed_upto(b, 30);
	struct board_queue_view q = queue(b, "pensions", T0 + 30);
	assert_int_equal(q.waiting, 2);		/* B and C */
	assert_int_equal(q.longest_wait_s, 20); /* B, since +10 */
	assert_false(q.alert);
	assert_int_equal(q.agents[BOARD_ON_CALL], 1);
	assert_int_equal(q.agents[BOARD_AVAILABLE], 1);
	assert_int_equal(q.agents[BOARD_PAUSED], 0);
	struct board_agent_view a = agent(b, "SIP/1", T0 + 30);
	assert_int_equal(a.state, BOARD_ON_CALL);
	assert_int_equal(a.since, T0 + 5);
	assert_string_equal(a.queue, "pensions");
	a = agent(b, "SIP/3", T0 + 30);
	assert_int_equal(a.state, BOARD_PAUSED);
	assert_string_equal(a.reason, "lunch");
	assert_int_equal(a.since, T0 - 50);
	q = queue(b, "records", T0 + 30);
	assert_int_equal(q.agents[BOARD_PAUSED], 1);
	assert_int_equal(q.waiting, 0);
	assert_int_equal(q.longest_wait_s, -1);

	/* +80: B has waited 70 s, past the queue's 60: the alert */
	feed_upto(b, 80);
	q = queue(b, "pensions", T0 + 80);
	assert_int_equal(q.longest_wait_s, 70);
	assert_true(q.alert);
	a = agent(b, "SIP/2", T0 + 80);
	assert_int_equal(a.state, BOARD_AVAILABLE); /* rang, not ringing: the log cannot say */
	assert_int_equal(a.rings_unanswered, 1);
	assert_int_equal(a.last_ring_end, T0 + 40);
	assert_int_equal(a.last_ring_ms, 15000);
	board_free(b);
}

static void test_today_figures(void **state)
{
	(void)state;
	struct board *b = fresh();
	feed_upto(b, 1000);
	struct board_queue_view q = queue(b, "pensions", T0 + 130);
	assert_int_equal(q.waiting, 0);
	assert_int_equal(q.longest_wait_s, -1);
	assert_false(q.alert);
	assert_int_equal(q.offered, 3);
	assert_int_equal(q.answered, 2);       /* A and C */
	assert_int_equal(q.abandoned, 1);      /* B */
	assert_int_equal(q.answered_in_sl, 1); /* A (5 s); C waited 75 */
	assert_int_equal(agent(b, "SIP/1", T0 + 130).state, BOARD_AVAILABLE);
	assert_int_equal(agent(b, "SIP/1", T0 + 130).since, T0 + 125);
	assert_int_equal(agent(b, "SIP/2", T0 + 130).state, BOARD_ON_CALL);
	/* the next Tehran day (midnight is 20:30 UTC): today's figures start again, the ring
	 * count too; C is still on the line */
	int64_t tomorrow = T0 + 14 * 3600 + 60;
	q = queue(b, "pensions", tomorrow);
	assert_int_equal(q.offered, 0);
	assert_int_equal(agent(b, "SIP/2", tomorrow).rings_unanswered, 0);
	assert_int_equal(agent(b, "SIP/2", tomorrow).state, BOARD_ON_CALL);
	board_free(b);
}

static char *json(struct board *b, int64_t now)
{
	struct jw w;
	jw_init(&w);
	board_write(b, now, 1, &w);
	size_t len;
	return jw_take(&w, &len);
}

/* Reordered and repeated lines give the same board, byte for byte. */
static void test_order_and_duplicates(void **state)
{
	(void)state;
	struct board *in_order = fresh();
	feed_upto(in_order, 1000);
	char *want = json(in_order, T0 + 130);
	assert_non_null(strstr(want, "\"agent\":\"SIP/2\",\"state\":\"on_call\""));

	struct board *reversed = fresh();
	for (int i = NSTORY - 1; i >= 0; i--)
		feed(reversed, story[i]);
	char *got = json(reversed, T0 + 130);
	assert_string_equal(got, want);
	free(got);

	static const int shuffle[NSTORY] = {11, 3, 7, 0, 9, 5, 1, 10, 4, 8, 2, 6};
	struct board *shuffled = fresh();
	for (int i = 0; i < NSTORY; i++)
		feed(shuffled, story[shuffle[i]]);
	got = json(shuffled, T0 + 130);
	assert_string_equal(got, want);
	free(got);

	struct board *twice = fresh();
	for (int i = 0; i < NSTORY; i++) {
		feed(twice, story[i]);
		feed(twice, story[i]);
	}
	feed_upto(twice, 1000);
	got = json(twice, T0 + 130);
	assert_string_equal(got, want);
	free(got);

	free(want);
	board_free(in_order);
	board_free(reversed);
	board_free(shuffled);
	board_free(twice);
}

/* An event older than the state it would change is ignored. */
static void test_older_event_ignored(void **state)
{
	(void)state;
	struct board *b = fresh();
	/* the call's end read before its start: the agent is free, the late CONNECT is old */
	feed(b, "300|X|pensions|SIP/7|COMPLETEAGENT|10|200|1");
	feed(b, "100|X|pensions|SIP/7|CONNECT|10|X2|1");
	assert_int_equal(agent(b, "SIP/7", T0 + 310).state, BOARD_AVAILABLE);
	/* X was answered: never waiting, whatever came first */
	feed(b, "90|X|pensions|NONE|ENTERQUEUE||09120000009|1");
	assert_int_equal(queue(b, "pensions", T0 + 310).waiting, 0);
	/* a pause at 400, an unpause of 350 read late: still paused */
	feed(b, "400|NONE|pensions|SIP/7|PAUSE|meeting");
	feed(b, "350|NONE|pensions|SIP/7|UNPAUSE|");
	struct board_agent_view a = agent(b, "SIP/7", T0 + 410);
	assert_int_equal(a.state, BOARD_PAUSED);
	assert_string_equal(a.reason, "meeting");
	/* logged off at 500; an ADDMEMBER of 450 read late does not log in again */
	feed(b, "500|NONE|NONE|SIP/7|AGENTLOGOFF|SIP/7|3600");
	feed(b, "450|MANAGER|pensions|SIP/7|ADDMEMBER|");
	assert_int_equal(agent(b, "SIP/7", T0 + 510).state, BOARD_LOGGED_OFF);
	assert_int_equal(agent(b, "SIP/7", T0 + 510).since, T0 + 500);
	/* and a later one does */
	feed(b, "600|MANAGER|pensions|SIP/7|ADDMEMBER|");
	assert_int_equal(agent(b, "SIP/7", T0 + 610).state, BOARD_AVAILABLE);
	board_free(b);
}

static void test_members_pauseall_restart(void **state)
{
	(void)state;
	struct board *b = fresh();
	feed(b, "0|REALTIME|pensions|Ali|ADDMEMBER|");
	feed(b, "0|REALTIME|records|Ali|ADDMEMBER|PAUSED");
	assert_int_equal(agent(b, "Ali", T0 + 1).state, BOARD_PAUSED);
	feed(b, "10|NONE|NONE|Ali|UNPAUSEALL|");
	feed(b, "10|NONE|pensions|Ali|UNPAUSE|");
	feed(b, "10|NONE|records|Ali|UNPAUSE|");
	assert_int_equal(agent(b, "Ali", T0 + 11).state, BOARD_AVAILABLE);
	feed(b, "20|NONE|NONE|Ali|PAUSEALL|training");
	struct board_agent_view a = agent(b, "Ali", T0 + 21);
	assert_int_equal(a.state, BOARD_PAUSED);
	assert_string_equal(a.reason, "training");
	assert_int_equal(queue(b, "records", T0 + 21).agents[BOARD_PAUSED], 1);
	/* out of one queue: still logged in by the other; out of both: logged off */
	feed(b, "30|MANAGER|records|Ali|REMOVEMEMBER|");
	assert_int_equal(agent(b, "Ali", T0 + 31).state, BOARD_PAUSED);
	assert_int_equal(queue(b, "records", T0 + 31).agents[BOARD_LOGGED_OFF], 1);
	feed(b, "40|MANAGER|pensions|Ali|REMOVEMEMBER|");
	assert_int_equal(agent(b, "Ali", T0 + 41).state, BOARD_LOGGED_OFF);

	/* a static member is never logged in by the log: first seen on a call, it is in */
	feed(b, "50|W|records|NONE|ENTERQUEUE||09120000010|1");
	feed(b, "55|W|records|SIP/9|CONNECT|5|W2|1");
	feed(b, "60|V|records|NONE|ENTERQUEUE||09120000011|1");
	assert_int_equal(agent(b, "SIP/9", T0 + 70).state, BOARD_ON_CALL);
	assert_int_equal(queue(b, "records", T0 + 70).waiting, 1);
	/* Asterisk restarted at 100: nobody is on the line or waiting from before it */
	feed(b, "100|NONE|NONE|NONE|QUEUESTART|");
	assert_int_equal(queue(b, "records", T0 + 110).waiting, 0);
	assert_int_equal(agent(b, "SIP/9", T0 + 110).state, BOARD_AVAILABLE);
	feed(b, "120|U|records|NONE|ENTERQUEUE||09120000012|1");
	assert_int_equal(queue(b, "records", T0 + 130).waiting, 1);
	assert_int_equal(queue(b, "records", T0 + 130).longest_wait_s, 10);
	/* a caller with no end for longer than BOARD_WAIT_STALE: an end lost, not shown */
	assert_int_equal(queue(b, "records", T0 + 120 + BOARD_WAIT_STALE + 1).waiting, 0);
	/* a queue not in the file appears as it is seen, without a title or an alert */
	feed(b, "130|Z|overflow|NONE|ENTERQUEUE||09120000013|1");
	struct board_queue_view q = queue(b, "overflow", T0 + 1000);
	assert_int_equal(q.waiting, 1);
	assert_int_equal(q.longest_wait_s, 870);
	assert_false(q.alert);
	assert_string_equal(q.title, "");
	assert_int_equal(board_queue(b, "nosuch", T0, &q), -1);
	board_free(b);
}

/* The JSON holds no caller's number or call id; the old day's calls are let go. */
static void test_json_and_prune(void **state)
{
	(void)state;
	struct board *b = fresh();
	feed_upto(b, 1000);
	char *j = json(b, T0 + 130);
	assert_null(strstr(j, "0912"));
	assert_null(strstr(j, "\"A\""));
	assert_non_null(strstr(j, "\"today\":{\"period\":\"2026-03-01\""));
	assert_non_null(strstr(j, "\"ringing_known\":false"));
	free(j);
	/* two days later: the calls are gone, and their late lines are too old to count */
	int64_t later = T0 + 2 * 86400;
	j = json(b, later);
	free(j);
	feed(b, "0|A|pensions|NONE|ENTERQUEUE||09120000001|1");
	feed(b, "172000|N|pensions|NONE|ENTERQUEUE||09120000005|1");
	struct board_queue_view q = queue(b, "pensions", later);
	assert_int_equal(q.waiting, 1);
	assert_int_equal(q.longest_wait_s, 2 * 86400 - 172000);
	board_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_waiting_and_agents),
	    cmocka_unit_test(test_today_figures),
	    cmocka_unit_test(test_order_and_duplicates),
	    cmocka_unit_test(test_older_event_ignored),
	    cmocka_unit_test(test_members_pauseall_restart),
	    cmocka_unit_test(test_json_and_prune),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
