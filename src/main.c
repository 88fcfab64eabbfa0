/* tamin: the command line. The table below names every command, its function (cli/cli.h:
 * a file of its own parses its options) and what it does; main finds the command and
 * runs it. `tamin --help` lists the table; `tamin COMMAND --help` gives a command's
 * options. */
#include "cli/cli.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "lists/rows.h"
#include "people/people.h"

static const struct command {
	const char *name; /* one or two words */
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
    {"serve", cli_serve, "serve the API over HTTP (and the built web app with --web DIR)"},
    {"user add", cli_user_add, "add an account (its password on standard input)"},
    {"demo", cli_demo, "fill an empty database with the demo data, or a month of lists"},
    {"list import", cli_list_import, "check a workshop's monthly list and store it, or refuse it"},
    {"list batch", cli_list_batch, "many workshops' lists in one pair, each stored or refused"},
    {"list export", cli_list_export, "write a stored list back out as the dBase pair"},
    {"record close-year", cli_record_close_year,
     "move a year's record entries to the closed years"},
    {"pensions increase", cli_pensions_increase, "the yearly increase for every pensioner"},
    {"pensions equalise", cli_pensions_equalise, "the equalisation step for every pensioner"},
    {"calls import", cli_calls_import, "Asterisk queue_log files into the calls (counts as JSON)"},
    {"calls follow", cli_calls_follow, "follows a growing queue_log (and its rotation) into the calls"},
    {"calls figures", cli_calls_figures, "the phone line's figures per period, as JSON"},
    {"calls list", cli_calls_list, "the calls that entered a queue in some days, as JSON"},
    {"migrate", cli_migrate, "bring the database's schema up to date"},
    {"sweep", cli_sweep, "mark overdue cases and escalate them (serve does so every minute)"},
    {"pulse detect", cli_pulse_detect, "the anomalies of a count series (CSV), one JSON line each"},
    {"pulse refresh", cli_pulse_refresh, "count the cases and calls of a range again for the pulse"},
    {"pulse national", cli_pulse_national, "the pulse's counts of a national year, generated (benchmarks)"},
    {"routes", cli_routes, "the API's route table, one JSON line per route"},
    {"rules", cli_rules, "the law's parameters and computations, as JSON (tamin rules --help)"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void help(FILE *out)
{
	fputs("usage: tamin COMMAND [ARGUMENTS] [OPTIONS]\n"
	      "       tamin COMMAND --help   (the command's usage and every option)\n\n",
	      out);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  tamin %-19s  %s\n", commands[i].name, commands[i].summary);
	fputs("\nExit status: 0 done; 1 a list refused (list import, list batch); 2 an error, said "
	      "in\n"
	      "one line on stderr.\n",
	      out);
}

/* How many of argv's words name c (its one or two words), or 0. */
static int names(const struct command *c, int argc, char **argv)
{
	const char *space = strchr(c->name, ' ');
	size_t first = space ? (size_t)(space - c->name) : strlen(c->name);
	if (argc < 1 || strlen(argv[0]) != first || strncmp(argv[0], c->name, first))
		return 0;
	if (!space)
		return 1;
	return argc >= 2 && !strcmp(argv[1], space + 1) ? 2 : 0;
}

/* An unknown command, with the commands of its first word when there are some ("tamin
 * list": list import, list batch, list export). */
static int unknown(int argc, char **argv)
{
	char group[256] = "";
	size_t len = 0, first = strlen(argv[0]);
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strncmp(commands[i].name, argv[0], first) && commands[i].name[first] == ' ' &&
		    len < sizeof group)
			len += (size_t)snprintf(group + len, sizeof group - len, "%s%s",
						len ? ", " : ": ", commands[i].name);
	int two = group[0] && argc > 1 && argv[1][0] != '-';
	return cli_fail("unknown command: %s%s%s (see tamin --help%s)", argv[0], two ? " " : "",
			two ? argv[1] : "", group);
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0)
		return cli_fail("%s", "libsodium cannot start");
	people_set_registry(lists_person); /* a new person takes the names of their lists */
	if (argc < 2) {
		help(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		help(stdout);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		int n = names(&commands[i], argc - 1, argv + 1);
		if (n)
			return commands[i].run(argc - 1 - n, argv + 1 + n);
	}
	return unknown(argc - 1, argv + 1);
}
