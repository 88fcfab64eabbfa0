/* cli: the command line's commands, a function each, as main.c's table calls them (as
 * git's builtin/: main.c names them, each file here parses its own options with
 * base/opts.h). argv holds what follows the command's name. A command returns the exit
 * status: 0 done; 1 done, but what it was given was refused (a list with problems); 2 the
 * command line was wrong or the work failed, said in one line on stderr. These sit above
 * the modules they drive; no module includes this header. */
#ifndef TAMIN_CLI_CLI_H
#define TAMIN_CLI_CLI_H

#include "base/err.h"
#include "base/opts.h"

struct app;
struct db;
struct rules;
struct users_pwlist;

int cli_serve(int argc, char **argv);		  /* cli/serve.c */
int cli_migrate(int argc, char **argv);		  /* cli/migrate.c */
int cli_sweep(int argc, char **argv);		  /* cli/sweep.c */
int cli_routes(int argc, char **argv);		  /* cli/routes.c */
int cli_user_add(int argc, char **argv);	  /* cli/user.c */
int cli_demo(int argc, char **argv);		  /* cli/demo.c */
int cli_list_import(int argc, char **argv);	  /* cli/list.c */
int cli_list_export(int argc, char **argv);	  /* cli/list.c */
int cli_list_batch(int argc, char **argv);	  /* cli/list.c */
int cli_record_close_year(int argc, char **argv); /* cli/record.c */
int cli_pensions_increase(int argc, char **argv); /* cli/pensions.c */
int cli_pensions_equalise(int argc, char **argv); /* cli/pensions.c */
int cli_rules(int argc, char **argv);		  /* cli/rules.c */
int cli_calls_import(int argc, char **argv);	  /* cli/calls.c */
int cli_calls_follow(int argc, char **argv);	  /* cli/calls.c */
int cli_calls_figures(int argc, char **argv);	  /* cli/calls.c */
int cli_calls_list(int argc, char **argv);	  /* cli/calls.c */
int cli_pulse_detect(int argc, char **argv);	  /* cli/pulse.c */
int cli_pulse_refresh(int argc, char **argv);	  /* cli/pulse.c */
int cli_pulse_national(int argc, char **argv);	  /* cli/pulse.c */

/* ---- what the commands share (cli/cli.c) ---- */

/* --db FILE (required) and --data DIR, which every command that opens the database takes;
 * db and data point at const char * (data set to cli_data_default() first). */
#define CLI_DB_OPTS(db, data)                                                                      \
	OPT_REQUIRED_STRING("--db", "FILE", db,                                                    \
			    "the database (made if missing; NAME-journal.db beside it)"),          \
	    OPT_STRING("--data", "DIR", data,                                                      \
		       "catalogue, holidays, rules, passwords (default $TAMIN_DATA or ./data)")

/* $TAMIN_DATA, or "data". */
const char *cli_data_default(void);

/* Parses argv by c (base/opts.h). 0: go on; -1: stop and exit with *status, 0 after
 * printing the usage (--help), 2 after printing the error. */
int cli_parse(const struct opts_cmd *c, int argc, char **argv, const char **args, int *status);

/* "tamin: " and the message on stderr, in one line; returns 2, the exit status. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Opens the database at path (made if missing), brings its schema up to date and syncs
 * the catalogue from data: what every command that uses a database starts with. 0, or -1
 * after printing why (then *db is NULL). cli_close closes it and releases the catalogue. */
int cli_open(const char *path, const char *data, struct db **db);
void cli_close(struct db *db);

/* cli_parse, then cli_open of what the table put in *db_path and *data (CLI_DB_OPTS), for a
 * command that needs nothing else first. 0 with *db open, or -1 to stop with *status (as
 * cli_parse's, or 2 when the database cannot be opened). */
int cli_parse_open(const struct opts_cmd *c, int argc, char **argv, const char *const *db_path,
		   const char *const *data, struct db **db, int *status);

/* The rules from data/rules (rules/rules.h); NULL with e. */
struct rules *cli_rules_load(const char *data, struct err *e);
/* The passwords refused to new accounts, from data/passwords (users/users.h); NULL with e. */
struct users_pwlist *cli_passwords_load(const char *data, struct err *e);

/* The office calendar (with the holidays in data/holidays) and the always-open one, into
 * app; cli_calendars_free frees them. 0, or -1 after printing why. */
int cli_calendars(struct app *app, const char *data);
void cli_calendars_free(struct app *app);

#endif
