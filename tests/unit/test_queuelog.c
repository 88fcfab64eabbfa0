/* calls/queuelog.c: every event of app_queue in the file form and the data1..data5 form,
 * the fields each gives, and every way a line is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "calls/queuelog.h"

static char buf[QL_LINE_MAX * 2];

static enum ql_error parse(const char *s, struct ql_line *l)
{
	size_t n = strlen(s);
	memcpy(buf, s, n + 1);
	return ql_parse(buf, n, l);
}

static struct ql_line ok(const char *s, enum ql_event ev)
{
	struct ql_line l;
	enum ql_error e = parse(s, &l);
	if (e != QL_OK)
		fail_msg("%s: %s", s, ql_error_name(e));
	assert_int_equal(l.event, ev);
	return l;
}

static void test_call_events(void **state)
{
	(void)state;
	struct ql_line l;
	l = ok("1366720340|1366720340.303267|1420|NONE|ENTERQUEUE||09121234567|3|", QL_ENTERQUEUE);
	assert_int_equal(l.epoch, 1366720340);
	assert_string_equal(l.callid, "1366720340.303267");
	assert_string_equal(l.queue, "1420");
	assert_string_equal(l.agent, "NONE");
	assert_string_equal(l.callerid, "09121234567");
	assert_int_equal(l.position, 3);
	/* with the caller's name (app_queue.c since 13), and the 1.4 form without a position */
	l = ok("1366720340|c1|q|NONE|ENTERQUEUE||0912|1|Ali", QL_ENTERQUEUE);
	assert_int_equal(l.position, 1);
	l = ok("1366720340|c1|q|NONE|ENTERQUEUE|url|0912", QL_ENTERQUEUE);
	assert_int_equal(l.position, -1);
	l = ok("1366720340|c1|q|NONE|ENTERQUEUE||", QL_ENTERQUEUE);
	assert_null(l.callerid);

	l = ok("1366720352|c1|q|SIP/8007|CONNECT|12|1366720352.11|4", QL_CONNECT);
	assert_int_equal(l.wait_s, 12);
	assert_int_equal(l.ring_ms, 4000);
	assert_string_equal(l.agent, "SIP/8007");
	l = ok("1366720352|c1|q|SIP/8007|CONNECT|12|1366720352.11", QL_CONNECT);
	assert_int_equal(l.ring_ms, -1);

	l = ok("1366720452|c1|q|SIP/8007|COMPLETEAGENT|12|100|3", QL_COMPLETEAGENT);
	assert_int_equal(l.wait_s, 12);
	assert_int_equal(l.talk_s, 100);
	assert_int_equal(l.origposition, 3);
	l = ok("1366720452|c1|q|SIP/8007|COMPLETECALLER|12|100", QL_COMPLETECALLER);
	assert_int_equal(l.talk_s, 100);
	assert_int_equal(l.origposition, -1);

	l = ok("1366720452|c2|q|NONE|ABANDON|2|5|33", QL_ABANDON);
	assert_int_equal(l.position, 2);
	assert_int_equal(l.origposition, 5);
	assert_int_equal(l.wait_s, 33);
	l = ok("1366720452|c2|q|NONE|EXITWITHTIMEOUT|1|1|300", QL_EXITWITHTIMEOUT);
	assert_int_equal(l.wait_s, 300);
	l = ok("1366720452|c2|q|NONE|EXITWITHTIMEOUT|1", QL_EXITWITHTIMEOUT); /* 1.4 */
	assert_int_equal(l.wait_s, -1);
	l = ok("1366720452|c2|q|NONE|EXITWITHKEY|5|2|4|17", QL_EXITWITHKEY);
	assert_string_equal(l.key, "5");
	assert_int_equal(l.position, 2);
	assert_int_equal(l.wait_s, 17);
	l = ok("1366720452|c2|q|NONE|EXITEMPTY|1|1|0", QL_EXITEMPTY);
	assert_int_equal(l.wait_s, 0);
	l = ok("1366720452|c2|q|NONE|WITHDRAW|1|2|9|moved", QL_WITHDRAW);
	assert_int_equal(l.wait_s, 9);

	l = ok("1366720340|1366720340.303267|MYQUEUE|SIP/8007|RINGNOANSWER|1000", QL_RINGNOANSWER);
	assert_int_equal(l.ring_ms, 1000);
	l = ok("1366720340|c1|q|SIP/8007|RINGCANCELED|2500", QL_RINGCANCELED);
	assert_int_equal(l.ring_ms, 2500);

	l = ok("1366720452|c1|q|SIP/8007|TRANSFER|200|from-internal|12|60|2", QL_TRANSFER);
	assert_int_equal(l.wait_s, 12);
	assert_int_equal(l.talk_s, 60);
	l = ok("1366720452|c1|q|SIP/8007|TRANSFER|200|from-internal|12|60", QL_TRANSFER);
	assert_int_equal(l.origposition, -1);
	l = ok("1366720452|c1|q|SIP/8007|BLINDTRANSFER|200|ctx|7|40|1", QL_BLINDTRANSFER);
	assert_int_equal(l.talk_s, 40);
	l = ok("1366720452|c1|q|SIP/8007|ATTENDEDTRANSFER|BRIDGE|1366720400.9|7|41|1",
	       QL_ATTENDEDTRANSFER);
	assert_int_equal(l.wait_s, 7);
	assert_int_equal(l.talk_s, 41);
	assert_int_equal(l.origposition, 1);
	l = ok("1366720452|c1|q|SIP/8007|ATTENDEDTRANSFER|LINK|SIP/a-1|SIP/b-2|8|42|2",
	       QL_ATTENDEDTRANSFER);
	assert_int_equal(l.talk_s, 42);
	l = ok("1366720452|c1|q|SIP/8007|ATTENDEDTRANSFER|APP|Playback|8|43|2", QL_ATTENDEDTRANSFER);
	assert_int_equal(l.talk_s, 43);
	assert_true(ql_is_call_event(QL_ATTENDEDTRANSFER));
}

static void test_agent_and_queue_events(void **state)
{
	(void)state;
	struct ql_line l;
	l = ok("1366720000|1366720000.1|NONE|Agent/1001|AGENTLOGIN|SIP/1001-0000001", QL_AGENTLOGIN);
	assert_false(ql_is_call_event(l.event));
	ok("1366720000|1366720000.1|NONE|Agent/1001|AGENTLOGOFF|SIP/1001-0000001|3600", QL_AGENTLOGOFF);
	ok("1366720000|NONE|NONE|Agent/3001|AGENTCALLBACKLOGIN|1002@pcm-dev", QL_AGENTCALLBACKLOGIN);
	l = ok("1366720000|NONE|NONE|Agent/3001|AGENTCALLBACKLOGOFF|1002@pcm-dev|43|CommandLogoff",
	       QL_AGENTCALLBACKLOGOFF);
	assert_string_equal(l.reason, "CommandLogoff");
	ok("1366720000|REALTIME|q|SIP/8007|ADDMEMBER|", QL_ADDMEMBER);
	ok("1366720000|MANAGER|q|SIP/8007|ADDMEMBER|PAUSED", QL_ADDMEMBER);
	ok("1366720000|CLI|q|SIP/8007|REMOVEMEMBER|", QL_REMOVEMEMBER);
	l = ok("1366720000|NONE|q|SIP/8007|PAUSE|lunch", QL_PAUSE);
	assert_string_equal(l.reason, "lunch");
	l = ok("1366720000|NONE|q|SIP/8007|UNPAUSE|", QL_UNPAUSE);
	assert_null(l.reason);
	ok("1366720000|NONE|NONE|SIP/8007|PAUSEALL|break", QL_PAUSEALL);
	ok("1366720000|NONE|NONE|SIP/8007|UNPAUSEALL|", QL_UNPAUSEALL);
	ok("1366720000|NONE|NONE|NONE|CONFIGRELOAD|", QL_CONFIGRELOAD);
	ok("1366720000|NONE|NONE|NONE|QUEUESTART|", QL_QUEUESTART);
	ok("1366720000|c1|q|SIP/8007|AGENTDUMP|", QL_AGENTDUMP);
	ok("1366720000|c1|q|SIP/8007|SYSCOMPAT|", QL_SYSCOMPAT);
	ok("1366720000|NONE|q|SIP/8007|PENALTY|2", QL_PENALTY);
	ok("1366720000|NONE|q|SIP/8007|RINGINUSE|0", QL_RINGINUSE);
	for (int i = 1; i < QL_NEVENTS; i++)
		assert_non_null(ql_event_name((enum ql_event)i));
	assert_null(ql_event_name(QL_NONE));
	assert_null(ql_event_name(QL_NEVENTS));
}

/* The realtime table's form: data1..data5 as columns (empty ones padded) and the time as
 * a date; the same event parses to the same fields and the same duplicate key. */
static void test_data_columns_form(void **state)
{
	(void)state;
	struct ql_line a = ok("1366720452|c2|q|NONE|ABANDON|2|5|33", QL_ABANDON);
	struct ql_line b = ok("2013-04-23 12:34:12.896208|c2|q|NONE|ABANDON|2|5|33||", QL_ABANDON);
	assert_int_equal(b.epoch, 1366720452);
	assert_int_equal(b.wait_s, 33);
	assert_int_equal(b.ndata, 3);
	assert_true(a.hash == b.hash);
	struct ql_line c = ok("2013-04-23 12:34:12|c2|q|NONE|ABANDON|2|5|33|||||", QL_ABANDON);
	assert_true(a.hash == c.hash);
	struct ql_line d = ok("1366720340|c1|q|SIP/8007|RINGNOANSWER|1000||||", QL_RINGNOANSWER);
	assert_int_equal(d.ndata, 1);
	/* the file's own trailing '|' (an event without data) and a CRLF line end */
	struct ql_line e = ok("1366720000|NONE|NONE|NONE|QUEUESTART|\r", QL_QUEUESTART);
	assert_int_equal(e.ndata, 0);
	/* a different field makes a different key */
	struct ql_line f = ok("1366720452|c2|q|NONE|ABANDON|2|5|34", QL_ABANDON);
	assert_true(a.hash != f.hash);
	struct ql_line g = ok("1366720453|c2|q|NONE|ABANDON|2|5|33", QL_ABANDON);
	assert_true(a.hash != g.hash);
}

static void refused(const char *s, enum ql_error want)
{
	struct ql_line l;
	enum ql_error e = parse(s, &l);
	if (e != want)
		fail_msg("%s: %s, not %s", s, ql_error_name(e), ql_error_name(want));
}

static void test_malformed(void **state)
{
	(void)state;
	refused("", QL_E_EMPTY);
	refused("   ", QL_E_EMPTY);
	refused("1366720452|c2|q|NONE", QL_E_FIELDS);
	refused("1366720452", QL_E_FIELDS);
	refused("1366720452|c2|q|NONE||||", QL_E_BLANK);
	refused("13667x0452|c2|q|NONE|ABANDON|2|5|33", QL_E_TIME);
	refused("-1|c2|q|NONE|ABANDON|2|5|33", QL_E_TIME);
	refused("99999999999999999999999|c2|q|NONE|ABANDON|2|5|33", QL_E_TIME);
	refused("0|c2|q|NONE|ABANDON|2|5|33", QL_E_IMPOSSIBLE);
	refused("9999999999|c2|q|NONE|ABANDON|2|5|33", QL_E_IMPOSSIBLE);
	refused("2013-02-30 10:00:00|c2|q|NONE|ABANDON|2|5|33", QL_E_IMPOSSIBLE);
	refused("2013-04-23 24:00:00|c2|q|NONE|ABANDON|2|5|33", QL_E_IMPOSSIBLE);
	refused("2013-04-23T10:00|c2|q|NONE|ABANDON|2|5|33", QL_E_TIME);
	refused("2013-04-23 10:00:00.|c2|q|NONE|ABANDON|2|5|33", QL_E_TIME);
	refused("1366720452|c2|q|NONE|HANGUP|2|5|33", QL_E_EVENT);
	refused("1366720452|c2|q|NONE|abandon|2|5|33", QL_E_EVENT);
	refused("1366720452||q|NONE|ABANDON|2|5|33", QL_E_BLANK);
	refused("1366720452|c2|q|NONE||2|5|33", QL_E_BLANK);
	refused("1366720452|c2|q|NONE|ABANDON|2|5", QL_E_DATA);
	refused("1366720452|c2|q|NONE|ABANDON|2|5|3x", QL_E_DATA);
	refused("1366720452|c2|q|NONE|ABANDON||5|33", QL_E_DATA);
	refused("1366720452|c1|q|SIP/8007|COMPLETEAGENT|12", QL_E_DATA);
	refused("1366720452|c1|q|SIP/8007|COMPLETEAGENT|12|-100", QL_E_DATA);
	refused("1366720452|c1|q|SIP/8007|CONNECT|x|uid|1", QL_E_DATA);
	refused("1366720452|c1|q|SIP/8007|ATTENDEDTRANSFER|BRIDGE|uid|7|x|1", QL_E_DATA);
	refused("1366720452|c1|q|SIP/8007|RINGNOANSWER", QL_E_DATA);
	refused("1366720452|c1|q|SIP/8007|ENTERQUEUE||0912|first", QL_E_DATA);
	refused("1366720452|c2|q\xff|NONE|ABANDON|2|5|33", QL_E_UTF8);
	refused("1366720452|c2|q\xc0\xaf|NONE|ABANDON|2|5|33", QL_E_UTF8); /* overlong '/' */
	refused("1366720452|c2|q\xed\xa0\x80|NONE|ABANDON|2|5|33", QL_E_UTF8); /* a surrogate */
	refused("1366720452|c2|q\xe2\x82|NONE|ABANDON|2|5|33", QL_E_UTF8);	 /* cut short */
	refused("1366720452|c2|q\x01|NONE|ABANDON|2|5|33", QL_E_UTF8);
	refused("1366720452|c2|q\t|NONE|ABANDON|2|5|33", QL_E_UTF8);
	/* Persian text is fine */
	ok("1366720452|c2|\xd8\xb5\xd9\x81|NONE|ABANDON|2|5|33", QL_ABANDON);
	/* an inner NUL is a control character, not an end */
	struct ql_line l;
	char nul[] = "1366720452|c2|q\0|NONE|ABANDON|2|5|33";
	assert_int_equal(ql_parse(nul, sizeof nul - 1, &l), QL_E_UTF8);

	char longer[600];
	memset(longer, 'a', sizeof longer);
	memcpy(longer, "1366720452|", 11);
	memcpy(longer + 300, "|q|NONE|ABANDON|2|5|33", 22);
	longer[322] = 0;
	refused(longer, QL_E_LONG);
	static char huge[QL_LINE_MAX + 10];
	memset(huge, '1', sizeof huge - 1);
	refused(huge, QL_E_LONG);
	refused("1366720452|c|q|a|PAUSE|1|2|3|4|5|6|7|8|9|10|11|12|13", QL_E_TOO_MANY);
	ok("1366720452|c|q|a|PAUSE|1|2|3|4|5|6|7|8|9|10|11|12", QL_PAUSE);
	for (int e = QL_OK; e <= QL_E_DATA; e++)
		assert_string_not_equal(ql_error_name((enum ql_error)e), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_call_events),
	    cmocka_unit_test(test_agent_and_queue_events),
	    cmocka_unit_test(test_data_columns_form),
	    cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
