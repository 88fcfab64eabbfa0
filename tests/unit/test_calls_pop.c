/* calls: the screen pop's seam on a real database: the events an import collects
 * (calls_feed_hook), which CONNECT pops whom (calls_feed_resolve: the account with the
 * agent, trimmed; not a call already ended, not history, not an agent no one has), the
 * call on the agent's screen, the cases linked to it while it is on (calls_touch,
 * calls_link), and call_id's checks (calls_check_mine). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "calls/calls.h"
#include "calls/queuelog.h"
#include "dbfixture.h"
#include "users/users.h"

#define NOW 1774060000

static int64_t user(struct fx *f, const char *login, const char *agent)
{
	struct err e = {0};
	struct user_new u = {
	    .login = login, .role = "agent", .pw_hash = "$argon2id$x", .phone_agent = agent};
	assert_int_equal(users_add(f->db, &u, &e), 0);
	int64_t id = 0;
	struct db_stmt *s = db_prepare(f->db, "SELECT id FROM users WHERE login = $1");
	db_bind_text(s, 1, login);
	if (db_step(s) == 1)
		id = db_col_int(s, 0);
	db_done(s);
	return id;
}

/* Imports text in one transaction, resolving the feed; the feed is the caller's. */
static void import(struct fx *f, const char *text, struct calls_feed *feed)
{
	struct calls_import im;
	struct err e = {0};
	calls_import_init(&im, f->db);
	im.on_event = calls_feed_hook;
	im.on_event_ctx = feed;
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(calls_import_text(&im, text, strlen(text), &e), 0);
	assert_int_equal(calls_import_finish(&im, &e), 0);
	assert_int_equal(calls_feed_resolve(feed, f->db, NOW, &e), 0);
	assert_int_equal(db_commit(f->db), 0);
	calls_import_release(&im);
}

/* The user each event of the feed pops, as "EVENT:user" joined by spaces. */
static void pops(const struct calls_feed *feed, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = 0;
	for (size_t i = 0; i < feed->n; i++) {
		const char *t = feed->text + feed->items[i].off;
		const char *ev = t;
		for (int bars = 0; bars < 4 && ev; bars++)
			ev = strchr(ev, '|') ? strchr(ev, '|') + 1 : NULL;
		int k = snprintf(out + n, cap - n, "%s%.*s:%lld", n ? " " : "",
				 ev ? (int)strcspn(ev, "|") : 0, ev ? ev : "",
				 (long long)feed->items[i].user_id);
		n += (size_t)k;
	}
}

static int64_t count(struct fx *f, const char *sql)
{
	struct db_stmt *s = db_prepare(f->db, sql);
	int64_t n = db_step(s) == 1 ? db_col_int(s, 0) : -1;
	db_done(s);
	return n;
}

static void test_who_is_popped(void **state)
{
	struct fx *f = *state;
	int64_t a = user(f, "a1", "SIP/8001");
	user(f, "a2", "PJSIP/8002");
	struct calls_feed feed;
	calls_feed_init(&feed);
	char got[512], want[512];
	/* a CONNECT to a1 (the log pads the agent with spaces); one to an agent no account
	 * has; one whose end came first in the same batch; one an hour and more old */
	import(f,
	       "1774059995|p1|1420|NONE|ENTERQUEUE||09120000001|1\n"
	       "1774060000|p1|1420| SIP/8001 |CONNECT|5|p1.1|2\n"
	       "1774060001|p2|1420|SIP/9999|CONNECT|5|p2.1|2\n"
	       "1774060100|p3|1420|SIP/8001|COMPLETECALLER|5|90|1\n"
	       "1774060010|p3|1420|SIP/8001|CONNECT|5|p3.1|2\n"
	       "1774056000|p4|1420|SIP/8001|CONNECT|5|p4.1|2\n",
	       &feed);
	pops(&feed, got, sizeof got);
	snprintf(want, sizeof want,
		 "ENTERQUEUE:0 CONNECT:%lld CONNECT:0 COMPLETECALLER:0 CONNECT:0 CONNECT:0",
		 (long long)a);
	assert_string_equal(got, want);
	assert_int_equal(count(f, "SELECT count(*) FROM call_screens WHERE callid = 'p1'"), 1);
	calls_dispatch(NULL, &feed); /* no app: told to no one, and no harm */
	/* the same lines again are duplicates: no event, no pop */
	calls_feed_clear(&feed);
	import(f, "1774060000|p1|1420| SIP/8001 |CONNECT|5|p1.1|2\n", &feed);
	assert_int_equal(feed.n, 0);
	calls_feed_release(&feed);
}

static int64_t new_case(struct fx *f, int64_t uid)
{
	struct err e = {0};
	struct case_new c = {.who = {.user_id = uid, .role = ROLE_AGENT},
			     .national_id = "0012345679",
			     .channel = "phone",
			     .priority = "normal",
			     .subject = "پرسش",
			     .first_name = "مهمان",
			     .last_name = "آزمون",
			     .topic = catalog_topic_by_code("general_info"),
			     .now = NOW};
	case_new_schedule(&c, &f->app);
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(case_create_run(f->db, &c, &e), 0);
	assert_int_equal(db_commit(f->db), 0);
	return c.case_id;
}

static void test_cases_linked_while_on_screen(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	struct arena a;
	arena_init(&a);
	int64_t u1 = user(f, "a1", "SIP/8001"), u2 = user(f, "a2", "SIP/8002");
	int64_t c1 = new_case(f, u1), c2 = new_case(f, u1);
	struct calls_feed feed;
	calls_feed_init(&feed);
	import(f,
	       "1774059995|k1|1420|NONE|ENTERQUEUE||09120000001|1\n"
	       "1774060000|k1|1420|SIP/8001|CONNECT|5|k1.1|2\n",
	       &feed);
	/* call_id: unknown, another's, the agent's own */
	const char *queue = NULL;
	assert_int_equal(calls_check_mine(f->db, "nope", u1, NOW, &a, &queue, &e), -1);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.field, "call_id");
	assert_int_equal(calls_check_mine(f->db, "k1", u2, NOW, &a, &queue, &e), -1);
	assert_int_equal(e.status, 403);
	assert_string_equal(e.field, "call_id");
	assert_int_equal(calls_check_mine(f->db, "k1", u1, NOW, &a, &queue, &e), 0);
	assert_string_equal(queue, "1420");
	assert_int_equal(calls_link(f->db, "k1", queue, c1, "opened", u1, NOW, &e), 0);
	/* touched while on: c1 stays opened, c2 is touched; u2 touches nothing */
	assert_int_equal(calls_touch(f->db, u1, c1, NOW + 5, &e), 0);
	assert_int_equal(calls_touch(f->db, u1, c2, NOW + 5, &e), 0);
	assert_int_equal(calls_touch(f->db, u2, c2, NOW + 5, &e), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM call_cases WHERE how = 'opened'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM call_cases WHERE how = 'touched'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM call_cases"), 2);
	/* the call ends: off the screen, nothing more is linked */
	calls_feed_clear(&feed);
	import(f, "1774060090|k1|1420|SIP/8001|COMPLETEAGENT|5|90|1\n", &feed);
	assert_int_equal(count(f, "SELECT count(*) FROM call_screens"), 0);
	int64_t c3 = new_case(f, u1);
	assert_int_equal(calls_touch(f->db, u1, c3, NOW + 100, &e), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM call_cases"), 2);
	calls_feed_release(&feed);
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_who_is_popped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cases_linked_while_on_screen, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
