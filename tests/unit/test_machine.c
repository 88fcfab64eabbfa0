/* The case state machine: who may do what in which state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cases/cases.h"

#define DAY 86400

static int try(const char *type, int role, const char *status, int failed, int64_t closed,
	       const char **to, struct err *e)
{
	/* `failed` attempts at as many different hours, over two days */
	struct case_facts f = {status, failed, closed, closed, (1 << failed) - 1, failed ? 2 : 0, 0, 0};
	return case_transition(type, role, &f, 100 * DAY, to, e);
}

static void test_happy_path(void **state)
{
	(void)state;
	const char *to;
	struct err e;
	assert_int_equal(try("assign", ROLE_SUPERVISOR, "new", 0, 0, &to, &e), 0);
	assert_string_equal(to, "assigned");
	assert_int_equal(try("start", ROLE_SPECIALIST, "assigned", 0, 0, &to, &e), 0);
	assert_string_equal(to, "in_progress");
	assert_int_equal(try("wait", ROLE_SPECIALIST, "in_progress", 0, 0, &to, &e), 0);
	assert_string_equal(to, "waiting");
	assert_int_equal(try("resume", ROLE_SPECIALIST, "waiting", 0, 0, &to, &e), 0);
	assert_string_equal(to, "in_progress");
	assert_int_equal(try("answer", ROLE_SPECIALIST, "in_progress", 0, 0, &to, &e), 0);
	assert_string_equal(to, "answered");
	assert_int_equal(try("report_back", ROLE_AGENT, "answered", 0, 0, &to, &e), 0);
	assert_string_equal(to, "reported_back");
	assert_int_equal(try("close", ROLE_AGENT, "reported_back", 0, 0, &to, &e), 0);
	assert_string_equal(to, "closed");
	assert_int_equal(try("note", ROLE_AGENT, "closed", 0, 99 * DAY, &to, &e), 0);
	assert_string_equal(to, "closed");
}

static void test_close_needs_report_back(void **state)
{
	(void)state;
	const char *to = NULL;
	struct err e;
	assert_int_equal(try("close", ROLE_AGENT, "answered", 0, 0, &to, &e), -1);
	assert_int_equal(e.status, 409);
	assert_string_equal(e.code, "invalid_transition");
	assert_non_null(strstr(e.message, "reported back"));
	assert_int_equal(try("close", ROLE_AGENT, "answered", 2, 0, &to, &e), -1);
	/* three failed attempts to reach the citizen allow closing */
	assert_int_equal(try("close", ROLE_AGENT, "answered", 3, 0, &to, &e), 0);
	assert_string_equal(to, "closed");
	/* but a citizen cannot confirm an outcome never told to them */
	assert_int_equal(try("close", ROLE_CITIZEN, "answered", 3, 0, &to, &e), -1);
	assert_int_equal(try("close", ROLE_AGENT, "in_progress", 0, 0, &to, &e), -1);
	assert_int_equal(try("close", ROLE_AGENT, "new", 0, 0, &to, &e), -1);
}

/* Failed attempts entered within seconds are one: they must be at different hours, over
 * days (the report-back rule could be emptied by three clicks). */
static void test_contact_attempts_spread(void **state)
{
	(void)state;
	const char *to;
	struct err e;
	/* five attempts, all at 10 o'clock on one day */
	struct case_facts f = {"answered", 5, 0, 0, 1 << 10, 1, 0, 0};
	assert_int_equal(case_contact_counted(&f), 1);
	assert_int_equal(case_transition("close", ROLE_AGENT, &f, 0, &to, &e), -1);
	assert_non_null(strstr(e.message, "1 of 3"));
	/* three hours, one day */
	f.contact_hours = (1 << 9) | (1 << 12) | (1 << 16);
	assert_int_equal(case_transition("close", ROLE_AGENT, &f, 0, &to, &e), -1);
	assert_non_null(strstr(e.message, "1 of 2 days"));
	/* three hours over two days */
	f.contact_days = 2;
	assert_int_equal(case_transition("close", ROLE_AGENT, &f, 0, &to, &e), 0);
	/* a topic may ask for more */
	f.need_attempts = 4;
	assert_int_equal(case_transition("close", ROLE_AGENT, &f, 0, &to, &e), -1);
	f.need_attempts = 2;
	f.need_days = 3;
	assert_int_equal(case_transition("close", ROLE_AGENT, &f, 0, &to, &e), -1);
	f.contact_days = 3;
	assert_int_equal(case_transition("close", ROLE_AGENT, &f, 0, &to, &e), 0);
}

static void test_solve_on_call_and_merge(void **state)
{
	(void)state;
	const char *to;
	struct err e;
	assert_int_equal(try("solve_on_call", ROLE_AGENT, "new", 0, 0, &to, &e), 0);
	assert_string_equal(to, "closed");
	assert_int_equal(try("solve_on_call", ROLE_DESK, "in_progress", 0, 0, &to, &e), 0);
	assert_int_equal(try("solve_on_call", ROLE_SPECIALIST, "new", 0, 0, &to, &e), -1);
	assert_int_equal(e.status, 403);
	assert_int_equal(try("solve_on_call", ROLE_AGENT, "answered", 0, 0, &to, &e), -1);
	assert_int_equal(e.status, 409);
	assert_int_equal(try("merge", ROLE_SUPERVISOR, "waiting", 0, 0, &to, &e), 0);
	assert_string_equal(to, "closed");
	assert_int_equal(try("merge", ROLE_CITIZEN, "new", 0, 0, &to, &e), -1);
	assert_int_equal(try("merge", ROLE_SUPERVISOR, "closed", 0, 0, &to, &e), -1);
}

static void test_reopen_window(void **state)
{
	(void)state;
	const char *to;
	struct err e;
	assert_int_equal(try("reopen", ROLE_CITIZEN, "closed", 0, 80 * DAY, &to, &e), 0);
	assert_string_equal(to, "in_progress");
	assert_int_equal(try("reopen", ROLE_CITIZEN, "closed", 0, 70 * DAY, &to, &e), 0);
	assert_int_equal(try("reopen", ROLE_CITIZEN, "closed", 0, 70 * DAY - 1, &to, &e), -1);
	assert_int_equal(e.status, 409);
	assert_int_equal(try("reopen", ROLE_CITIZEN, "in_progress", 0, 0, &to, &e), -1);
}

static void test_roles(void **state)
{
	(void)state;
	const char *to;
	struct err e;
	assert_int_equal(try("start", ROLE_CITIZEN, "new", 0, 0, &to, &e), -1);
	assert_int_equal(e.status, 403);
	assert_int_equal(try("answer", ROLE_CITIZEN, "new", 0, 0, &to, &e), -1);
	assert_int_equal(try("note", ROLE_AUDITOR, "new", 0, 0, &to, &e), -1);
	assert_int_equal(e.status, 403);
	assert_int_equal(try("note", ROLE_ADMIN, "new", 0, 0, &to, &e), -1);
	assert_int_equal(try("rate", ROLE_SPECIALIST, "closed", 0, 99 * DAY, &to, &e), -1);
	assert_int_equal(try("rate", ROLE_CITIZEN, "closed", 0, 99 * DAY, &to, &e), 0);
	/* an agent answers on the line: first-contact resolution */
	assert_int_equal(try("answer", ROLE_AGENT, "new", 0, 0, &to, &e), 0);
}

static void test_unknown_and_illegal(void **state)
{
	(void)state;
	const char *to;
	struct err e;
	assert_int_equal(try("explode", ROLE_SUPERVISOR, "new", 0, 0, &to, &e), -1);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.field, "type");
	assert_int_equal(try(NULL, ROLE_SUPERVISOR, "new", 0, 0, &to, &e), -1);
	assert_int_equal(try("resume", ROLE_SUPERVISOR, "in_progress", 0, 0, &to, &e), -1);
	assert_int_equal(e.status, 409);
	assert_int_equal(try("answer", ROLE_SUPERVISOR, "waiting", 0, 0, &to, &e), -1);
	assert_int_equal(try("report_back", ROLE_SUPERVISOR, "in_progress", 0, 0, &to, &e), -1);
	assert_int_equal(try("start", ROLE_SUPERVISOR, "bogus", 0, 0, &to, &e), -1);
}

static void test_allowed_events(void **state)
{
	(void)state;
	const char *out[16];
	struct case_facts f = {"answered", 0, 0, 0, 0, 0, 0, 0};
	int n = case_allowed_events(ROLE_AGENT, &f, 0, out, 16);
	int has_close = 0, has_report = 0;
	for (int i = 0; i < n; i++) {
		has_close |= !strcmp(out[i], "close");
		has_report |= !strcmp(out[i], "report_back");
	}
	assert_true(has_report);
	assert_false(has_close); /* not before report back */
	f.status = "new";
	n = case_allowed_events(ROLE_CITIZEN, &f, 0, out, 16);
	/* a citizen replies on their case; an internal note is staff's alone */
	assert_int_equal(n, 1);
	assert_string_equal(out[0], "reply");
	struct err e;
	const char *to;
	assert_int_equal(case_transition("note", ROLE_CITIZEN, &f, 0, &to, &e), -1);
	assert_int_equal(e.status, 403);
	f.status = "closed";
	assert_int_equal(case_transition("reply", ROLE_AGENT, &f, 0, &to, &e), -1);
	assert_int_equal(e.status, 409);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_happy_path),	 cmocka_unit_test(test_close_needs_report_back),
		cmocka_unit_test(test_reopen_window),	 cmocka_unit_test(test_roles),
		cmocka_unit_test(test_unknown_and_illegal), cmocka_unit_test(test_allowed_events),
		cmocka_unit_test(test_contact_attempts_spread),
		cmocka_unit_test(test_solve_on_call_and_merge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
