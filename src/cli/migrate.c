/* `tamin migrate`: the database's schema brought up to date. */
#include "cli/cli.h"

#include <stdio.h>

int cli_migrate(int argc, char **argv)
{
	const char *db_path = NULL, *data = cli_data_default();
	const struct opt options[] = {CLI_DB_OPTS(&db_path, &data), OPT_END};
	const struct opts_cmd cmd = {
	    .name = "tamin migrate",
	    .about =
		"Brings the database's schema up to date (making the database if there is none)\n"
		"and syncs the catalogue from the data folder; every command does so first.",
	    .opts = options};
	struct db *db;
	int status;
	if (cli_parse_open(&cmd, argc, argv, &db_path, &data, &db, &status) < 0)
		return status;
	cli_close(db);
	printf("database %s is up to date\n", db_path);
	return 0;
}
