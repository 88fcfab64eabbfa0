/* The password policy of new accounts (users_check, NIST SP 800-63B 5.1.1.2), with the
 * lists of data/passwords/ ($TAMIN_DATA). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "users/users.h"

static struct users_pwlist *refused;

static int load(void **state)
{
	(void)state;
	const char *data = getenv("TAMIN_DATA");
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/passwords", data ? data : "data");
	struct err e = {0};
	refused = users_pwlist_load(dir, &e);
	if (!refused)
		fprintf(stderr, "%s\n", e.message);
	return refused ? 0 : -1;
}

static int unload(void **state)
{
	(void)state;
	users_pwlist_free(refused);
	return 0;
}

/* users_check of an agent "new_clerk" named «مریم احمدی» with this password: 0, or -1
 * with e. */
static int check(const char *password, struct err *e)
{
	struct user_new u = {.login = "New_Clerk",
			     .password = password,
			     .role = "agent",
			     .name = "مریم احمدی",
			     .refused = refused};
	memset(e, 0, sizeof *e);
	return users_check(&u, e);
}

static void assert_weak(const char *password, const char *why)
{
	struct err e;
	if (check(password, &e) == 0)
		fail_msg("accepted: \"%s\"", password);
	if (strcmp(e.code, "weak_password") != 0 || strcmp(e.field, "password") != 0 ||
	    !strstr(e.message, why))
		fail_msg("\"%s\": %s %s: %s (want \"%s\")", password, e.code, e.field, e.message,
			 why);
}

static void assert_accepted(const char *password)
{
	struct err e;
	if (check(password, &e) < 0)
		fail_msg("refused: \"%s\": %s", password, e.message);
}

static void test_common_passwords_are_refused_in_any_case_and_digits(void **state)
{
	(void)state;
	assert_weak("password", "common");
	assert_weak("PASSWORD", "common");
	assert_weak("Password", "common");
	assert_weak("iloveyou", "common");
	assert_weak("qwertyuiop", "common");
	assert_weak("  sunshine  ", "common"); /* white space around it is no disguise */
	assert_weak("qwerty۱۲۳", "common");    /* qwerty123 in Persian digits */
	assert_weak("qwerty١٢٣", "common");    /* and in Arabic-Indic ones */
	assert_weak("demo1234", "common");     /* the demo password README publishes */
	assert_weak("Tamin1420", "common");
	assert_weak("تامين اجتماعي", "common"); /* the organisation's name, Arabic ي */
}

static void test_runs_and_repeats_are_refused(void **state)
{
	(void)state;
	assert_weak("12345678", "run");
	assert_weak("۱۲۳۴۵۶۷۸", "run");
	assert_weak("987654321", "run");
	assert_weak("abcdefghij", "run");
	assert_weak("aaaaaaaaaaaa", "repeated");
	assert_weak("🐢🐢🐢🐢🐢🐢🐢🐢", "repeated");
	assert_accepted("12345679x");
}

static void test_the_accounts_own_words_are_refused(void **state)
{
	(void)state;
	assert_weak("new_clerk", "login");
	assert_weak("NEW_CLERK", "login");
	assert_weak("مریم احمدی", "name");
	assert_weak(" مريم  احمدی ", "name"); /* Arabic ي, spaces doubled */
	struct user_new u = {.login = "0499370899",
			     .password = "۰۴۹۹۳۷۰۸۹۹",
			     .role = "citizen",
			     .national_id = "0499370899",
			     .refused = refused};
	struct err e = {0};
	assert_int_equal(users_check(&u, &e), -1);
	assert_string_equal(e.code, "weak_password");
	assert_non_null(strstr(e.message, "national id"));
	/* the national id refused even when the login is another */
	u.login = "citizen_a";
	assert_int_equal(users_check(&u, &e), -1);
	assert_non_null(strstr(e.message, "national id"));
}

static void test_spaces_and_invisible_characters_alone_are_refused(void **state)
{
	(void)state;
	assert_weak("        ", "spaces");
	assert_weak("\t\t\t\t\t\t\t\t", "spaces");
	assert_weak("\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0", "spaces");
	assert_weak("\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000", "spaces");
	assert_weak("\u200c\u200c\u200c\u200c\u200c\u200c\u200c\u200c", "spaces");
	assert_weak("\u2003\u2003\u2003\u2003 \u200b\u200b\u200b", "spaces");
}

/* Length in characters (code points), not bytes: six Persian letters are 12 bytes. */
static void test_length_counts_characters_and_bytes_are_capped(void **state)
{
	(void)state;
	assert_weak("short", "8 characters");
	assert_weak("کوتاهه", "8 characters");
	assert_weak("🐢🌙🐢🌙🐢🌙🐢", "8 characters"); /* 28 bytes, 7 characters */
	assert_accepted("کوتاه‌نیست");
	char pw[300];
	memset(pw, 0, sizeof pw);
	for (int i = 0; i < 256; i++)
		pw[i] = "xy9 "[i % 4];
	assert_accepted(pw);
	pw[256] = 'z';
	assert_weak(pw, "256 bytes");
	struct err e;
	assert_int_equal(check("not utf-8 \xff\xfe here", &e), -1);
	assert_string_equal(e.code, "invalid_field");
	assert_string_equal(e.field, "password");
}

static void test_passphrases_and_any_unicode_are_welcome(void **state)
{
	(void)state;
	/* 40 characters */
	assert_accepted(
	    "باران پاییزی آرام روی پنجره‌ی ما می‌بارد");
	assert_accepted("رمز 🐢🌙 شب‌های تهران");
	assert_accepted("correct horse battery staple");
	assert_accepted("long-enough-1");
	assert_accepted("Ünïcödé-çåñ-bë-ûsèd");
	/* a hash given (the demo's) is taken as it is */
	struct user_new u = {.login = "demo_agent", .role = "agent", .pw_hash = "$argon2id$x"};
	struct err e = {0};
	assert_int_equal(users_check(&u, &e), 0);
}

static void test_without_the_list_a_password_is_refused(void **state)
{
	(void)state;
	struct user_new u = {.login = "a1", .password = "long-enough-1", .role = "agent"};
	struct err e = {0};
	assert_int_equal(users_check(&u, &e), -1);
	assert_int_equal(e.status, 500);
	u.password = NULL;
	assert_int_equal(users_check(&u, &e), -1);
	assert_string_equal(e.code, "missing_field");
}

static void test_a_list_folder_must_hold_a_list(void **state)
{
	(void)state;
	struct err e = {0};
	assert_null(users_pwlist_load("/nonexistent/passwords", &e));
	assert_non_null(strstr(e.message, "/nonexistent/passwords"));
	char dir[] = "/tmp/tamin-pw-XXXXXX";
	assert_non_null(mkdtemp(dir));
	assert_null(users_pwlist_load(dir, &e)); /* no *.txt */
	char path[64];
	snprintf(path, sizeof path, "%s/ours.txt", dir);
	FILE *f = fopen(path, "w");
	fputs("# a comment\nshort\nHunter-Two-2\r\n", f);
	fclose(f);
	struct users_pwlist *l = users_pwlist_load(dir, &e);
	assert_non_null(l);
	struct user_new u = {
	    .login = "a1", .password = "hunter-two-2", .role = "agent", .refused = l};
	assert_int_equal(users_check(&u, &e), -1);
	assert_string_equal(e.code, "weak_password");
	u.password = "# a comment";
	assert_int_equal(users_check(&u, &e), 0);
	users_pwlist_free(l);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_common_passwords_are_refused_in_any_case_and_digits),
	    cmocka_unit_test(test_runs_and_repeats_are_refused),
	    cmocka_unit_test(test_the_accounts_own_words_are_refused),
	    cmocka_unit_test(test_spaces_and_invisible_characters_alone_are_refused),
	    cmocka_unit_test(test_length_counts_characters_and_bytes_are_capped),
	    cmocka_unit_test(test_passphrases_and_any_unicode_are_welcome),
	    cmocka_unit_test(test_without_the_list_a_password_is_refused),
	    cmocka_unit_test(test_a_list_folder_must_hold_a_list),
	};
	return cmocka_run_group_tests(tests, load, unload);
}
