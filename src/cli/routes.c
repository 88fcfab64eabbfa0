/* `tamin routes`: the route table as data, one JSON object per line,
 * {"method","path","roles"} (roles []: public). docs/openapi.yaml is held against it by
 * tests/http/openapi.test.mjs. */
#include "cli/cli.h"

#include <stdio.h>

#include "routes.h"

int cli_routes(int argc, char **argv)
{
	const struct opt options[] = {OPT_END};
	const struct opts_cmd cmd = {.name = "tamin routes",
				     .about =
					 "Prints the API's route table: one JSON line per route.",
				     .opts = options};
	int status;
	if (cli_parse(&cmd, argc, argv, NULL, &status) < 0)
		return status;
	static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
	for (const struct route *rt = api_routes; rt->pattern; rt++) {
		const char *m = "?";
		for (int i = 0; i < 5; i++)
			if ((int)rt->method == 1 << i)
				m = methods[i];
		printf("{\"method\":\"%s\",\"path\":\"%s\",\"roles\":[", m, rt->pattern);
		int first = 1;
		for (int bit = 1; bit <= ROLE_ANY; bit <<= 1)
			if (rt->roles & bit) {
				printf("%s\"%s\"", first ? "" : ",", role_name(bit));
				first = 0;
			}
		printf("]}\n");
	}
	return 0;
}
