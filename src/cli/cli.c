/* What the commands share (cli.h). */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "base/worktime.h"
#include "catalog/catalog.h"
#include "services/services.h"
#include "rules/rules.h"
#include "store/store.h"
#include "users/users.h"

const char *cli_data_default(void)
{
	const char *d = getenv("TAMIN_DATA");
	return d ? d : "data";
}

int cli_parse(const struct opts_cmd *c, int argc, char **argv, const char **args, int *status)
{
	struct err e = {0};
	int rc = opts_parse(c, argc, argv, args, NULL, &e);
	if (rc == 0)
		return 0;
	if (rc == OPTS_HELP) {
		opts_usage(c, stdout);
		*status = 0;
	} else {
		fprintf(stderr, "%s\n", e.message);
		*status = 2;
	}
	return -1;
}

int cli_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("tamin: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 2;
}

int cli_open(const char *path, const char *data, struct db **db)
{
	struct err e = {0};
	*db = NULL;
	if (db_open(db, path, DB_CREATE, &e) < 0 || db_migrate(*db, &e) < 0 ||
	    catalog_sync(*db, data, &e) < 0 || services_load(*db, data, &e) < 0) {
		db_close(*db);
		*db = NULL;
		cli_fail("%s", e.message);
		return -1;
	}
	return 0;
}

int cli_parse_open(const struct opts_cmd *c, int argc, char **argv, const char *const *db_path,
		   const char *const *data, struct db **db, int *status)
{
	*db = NULL;
	if (cli_parse(c, argc, argv, NULL, status) < 0)
		return -1;
	*status = 2;
	return cli_open(*db_path, *data, db);
}

void cli_close(struct db *db)
{
	db_close(db);
	services_release();
	catalog_release();
}

struct rules *cli_rules_load(const char *data, struct err *e)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/rules", data);
	return rules_load(dir, e);
}

struct users_pwlist *cli_passwords_load(const char *data, struct err *e)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/passwords", data);
	return users_pwlist_load(dir, e);
}

int cli_calendars(struct app *app, const char *data)
{
	struct err e = {0};
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/holidays", data);
	app->office = worktime_new_office();
	app->always = worktime_new_always();
	if (worktime_load_holidays(app->office, dir, &e) < 0) {
		cli_fail("%s", e.message);
		return -1;
	}
	return 0;
}

void cli_calendars_free(struct app *app)
{
	worktime_free(app->office);
	worktime_free(app->always);
}
