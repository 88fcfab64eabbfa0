/* `tamin user add`: an account, its password read from standard input. */
#include "cli/cli.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "store/writer.h"
#include "users/users.h"
#include "workshops/workshops.h"

struct user_job {
	struct user_new u;
	const char *workshop;
};

static int user_add_run(struct db *db, void *arg, struct err *e)
{
	struct user_job *j = arg;
	if (users_add(db, &j->u, e) < 0)
		return -1;
	if (!j->workshop)
		return 0;
	int64_t w = workshop_id(db, j->workshop);
	if (w <= 0)
		return err_set(e, 400, "unknown_workshop", "workshop", "no workshop with code %s",
			       j->workshop);
	return workshop_link_employer(db, w, j->u.login, e);
}

int cli_user_add(int argc, char **argv)
{
	const char *db_path = NULL, *data = cli_data_default();
	struct user_job j = {0};
	const struct opt options[] = {
	    CLI_DB_OPTS(&db_path, &data),
	    OPT_REQUIRED_STRING("--login", "NAME", &j.u.login, "the login: 1 to 64 characters"),
	    OPT_REQUIRED_STRING("--role", "ROLE", &j.u.role,
				"admin, supervisor, agent, specialist, desk, citizen, auditor, "
				"employer or telephony"),
	    OPT_STRING("--department", "CODE", &j.u.department,
		       "the department's code (a specialist needs one)"),
	    OPT_STRING("--national-id", "ID", &j.u.national_id, "a citizen's national id; an employer's own, to log in by a one-time code"),
	    OPT_STRING("--name", "NAME", &j.u.name, "the name shown for the account"),
	    OPT_STRING("--phone-agent", "AGENT", &j.u.phone_agent,
		       "the telephone agent queue_log names the person by (SIP/8007), for the "
		       "screen pop"),
	    OPT_STRING("--workshop", "CODE", &j.workshop,
		       "links an employer account to the workshop with this code"),
	    OPT_END,
	};
	const struct opts_cmd cmd = {
	    .name = "tamin user add",
	    .about = "Adds an account; its password is read from standard input.",
	    .opts = options};
	int status;
	if (cli_parse(&cmd, argc, argv, NULL, &status) < 0)
		return status;
	char pw[300];
	if (!fgets(pw, sizeof pw, stdin))
		return cli_fail("%s", "the password is read from standard input: none was given");
	pw[strcspn(pw, "\r\n")] = 0;
	j.u.password = pw;
	struct err e = {0};
	struct users_pwlist *refused = cli_passwords_load(data, &e);
	if (!refused)
		return cli_fail("%s", e.message);
	j.u.refused = refused;
	struct db *db = NULL;
	if (cli_open(db_path, data, &db) < 0) {
		users_pwlist_free(refused);
		return 2;
	}
	struct write_job job = {.run = user_add_run, .arg = &j};
	int rc = writer_run_now(db, &job);
	sodium_memzero(pw, sizeof pw);
	users_pwlist_free(refused);
	cli_close(db);
	if (rc < 0)
		return cli_fail("%s", job.err.message);
	printf("user %s (%s) added\n", j.u.login, j.u.role);
	return 0;
}
