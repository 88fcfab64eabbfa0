/* `tamin rules ...`: the rules' own command line (rules/cli.c), answering JSON on stdout. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "rules/rules.h"

int cli_rules(int argc, char **argv)
{
	struct err e = {0};
	if (rules_cli(argc, argv, cli_data_default(), stdout, &e) == 0)
		return 0;
	if (!strcmp(e.code, "usage")) /* names the command itself: "tamin rules value: ..." */
		fprintf(stderr, "%s\n", e.message);
	else
		cli_fail("%s", e.message);
	return 2;
}
