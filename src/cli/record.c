/* `tamin record close-year`: a year's record entries moved to the closed years
 * (lists/entries.h). */
#include "cli/cli.h"

#include <stdint.h>
#include <stdio.h>

#include "lists/entries.h"

int cli_record_close_year(int argc, char **argv)
{
	const char *db_path = NULL, *data = cli_data_default();
	long year = 0;
	const struct opt options[] = {
	    CLI_DB_OPTS(&db_path, &data),
	    OPT_REQUIRED_NUMBER("--year", "JALALI_YEAR", &year, 1300, 1500, "the year to close"),
	    OPT_END,
	};
	const struct opts_cmd cmd = {
	    .name = "tamin record close-year",
	    .about =
		"Once a year is over: its record entries move from the open months to the closed\n"
		"years, in one transaction. Years close in order.",
	    .opts = options};
	struct db *db;
	int status;
	if (cli_parse_open(&cmd, argc, argv, &db_path, &data, &db, &status) < 0)
		return status;
	struct err e = {0};
	int64_t moved = 0;
	int rc = record_close_year(db, (int)year, &moved, &e);
	cli_close(db);
	if (rc < 0)
		return cli_fail("%s", e.message);
	printf("closed %ld: %lld record entries moved to the closed years\n", year,
	       (long long)moved);
	return 0;
}
