/* The failed-login limits (users/internal.h): 10 per login, 40 per address, and an IPv6
 * client counted by its /64. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>

#include "base/tally.h"
#include "users/internal.h"
#include "users/users.h"

static void test_an_ipv6_address_counts_by_its_64(void **state)
{
	(void)state;
	char k[USERS_ADDRESS_KEY_MAX];
	users_address_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd", k);
	assert_string_equal(k, "i:2001:db8:1:2::/64");
	users_address_key("2001:db8:1:2::1", k);
	assert_string_equal(k, "i:2001:db8:1:2::/64");
	users_address_key("2001:db8:1:3::1", k);
	assert_string_equal(k, "i:2001:db8:1:3::/64");
	users_address_key("203.0.113.7", k);
	assert_string_equal(k, "i:203.0.113.7");
	/* an IPv4 client on a dual-stack socket is its own address */
	users_address_key("::ffff:203.0.113.7", k);
	assert_string_equal(k, "i:::ffff:203.0.113.7");
}

static void test_ten_failures_lock_a_login_from_any_address(void **state)
{
	(void)state;
	struct tally *t = users_login_failures_new();
	char ip[32];
	for (int i = 0; i < 10; i++) {
		snprintf(ip, sizeof ip, "198.51.100.%d", i + 1);
		assert_int_equal(users_limit_try(t, "sp_pensions", ip, 10, 1000), 0);
	}
	assert_int_equal(users_limit_try(t, "sp_pensions", "198.51.100.200", 10, 1000), -1);
	/* refused for the login's lock, the attempt is not held against the address */
	for (int i = 0; i < 40; i++) {
		snprintf(ip, sizeof ip, "other%d", i);
		assert_int_equal(users_limit_try(t, ip, "198.51.100.200", 10, 1001), 0);
	}
	assert_int_equal(users_limit_try(t, "another", "198.51.100.200", 10, 1001), -1);
	/* the window ends */
	assert_int_equal(users_limit_try(t, "sp_pensions", "198.51.100.1", 10, 1000 + 901), 0);
	tally_free(t);
}

static void test_forty_failures_lock_an_address_and_its_64(void **state)
{
	(void)state;
	struct tally *t = users_login_failures_new();
	char login[32], ip[64];
	for (int i = 0; i < 40; i++) {
		snprintf(login, sizeof login, "spray%d", i);
		snprintf(ip, sizeof ip, "2001:db8::%x", i + 1);
		assert_int_equal(users_limit_try(t, login, ip, 10, 1000), 0);
	}
	assert_int_equal(users_limit_try(t, "agent1", "2001:db8::ffff", 10, 1000), -1);
	assert_int_equal(users_limit_try(t, "agent1", "2001:db8:0:1::1", 10, 1000), 0);
	tally_free(t);
}

static void test_a_right_password_forgives_the_login_and_one_attempt(void **state)
{
	(void)state;
	struct tally *t = users_login_failures_new();
	for (int i = 0; i < 9; i++)
		assert_int_equal(users_limit_try(t, "desk1", "192.0.2.1", 10, 1000), 0);
	assert_int_equal(users_limit_try(t, "desk1", "192.0.2.1", 10, 1000), 0);
	users_limit_forgive(t, "desk1", "192.0.2.1", 1000);
	for (int i = 0; i < 10; i++)
		assert_int_equal(users_limit_try(t, "desk1", "192.0.2.1", 10, 1000), 0);
	assert_int_equal(users_limit_try(t, "desk1", "192.0.2.1", 10, 1000), -1);
	/* the address holds 9 + 10 failures: 21 more logins are tried, the 22nd is not */
	char login[32];
	for (int i = 0; i < 21; i++) {
		snprintf(login, sizeof login, "x%d", i);
		assert_int_equal(users_limit_try(t, login, "192.0.2.1", 10, 1000), 0);
	}
	assert_int_equal(users_limit_try(t, "x99", "192.0.2.1", 10, 1000), -1);
	tally_free(t);
}

static void test_no_counters_no_guesses(void **state)
{
	(void)state;
	assert_int_equal(users_limit_try(NULL, "agent1", "192.0.2.1", 10, 1000), -1);
	users_limit_forgive(NULL, "agent1", "192.0.2.1", 1000);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_an_ipv6_address_counts_by_its_64),
	    cmocka_unit_test(test_ten_failures_lock_a_login_from_any_address),
	    cmocka_unit_test(test_forty_failures_lock_an_address_and_its_64),
	    cmocka_unit_test(test_a_right_password_forgives_the_login_and_one_attempt),
	    cmocka_unit_test(test_no_counters_no_guesses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
