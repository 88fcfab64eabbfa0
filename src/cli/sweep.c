/* `tamin sweep`: one overdue sweep now (serve runs one every minute). */
#include "cli/cli.h"

#include "cases/cases.h"

int cli_sweep(int argc, char **argv)
{
	const char *db_path = NULL, *data = cli_data_default();
	const struct opt options[] = {CLI_DB_OPTS(&db_path, &data), OPT_END};
	const struct opts_cmd cmd = {
	    .name = "tamin sweep",
	    .about = "Marks the open cases past a due date overdue and escalates each once to its\n"
		     "department's supervisors; serve does this every minute.",
	    .opts = options};
	struct db *db;
	int status;
	if (cli_parse_open(&cmd, argc, argv, &db_path, &data, &db, &status) < 0)
		return status;
	struct err e = {0};
	int rc = cases_sweep_now(db, &e);
	cli_close(db);
	return rc < 0 ? cli_fail("%s", e.message) : 0;
}
