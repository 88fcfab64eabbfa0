/* demo: a realistic dataset for trying tamin and for benchmarks. People with valid
 * national ids and real Persian names across the 31 provinces, users for every role,
 * and cases over the last 12 months with the topic and channel mix of data/ (TSV files), each
 * carried through the real state machine (cases_* jobs) to a state fitting its age; and
 * the records: workshops, careers of decades with their monthly lists, pensioners. */
#ifndef TAMIN_DEMO_DEMO_H
#define TAMIN_DEMO_DEMO_H

#include <stdint.h>

#include "base/err.h"
struct app;
#include "store/store.h"

#define DEMO_PASSWORD "demo1234"

struct demo_options {
	long people, cases;
	unsigned seed;
	const char *data_dir;
	const struct app *app; /* calendars */
	const struct rules *rules; /* the records' shares and wages (NULL: no records) */
	int quiet;
	long calls_days, calls_per_day; /* the phone line's days up to today (0: none) */
	long service_uses; /* e-service uses a day at the year's start (0: none) */
};

/* Fills an empty database (migrated, catalogue synced); prints the logins. */
int demo_generate(struct db *db, const struct demo_options *o, struct err *e);

/* The phone line's last `days` days up to now (calls.c): queue_log lines generated and
 * imported through calls/calls.h, about per_day answered calls a workday (the year's
 * average; 48% more at its end than at its start), with the incidents of
 * data/demo/call_incidents.tsv. Commits a week at a time. */
struct worktime;
struct demo_calls {
	long days, per_day;
	const char *data_dir;
	const struct worktime *holidays; /* NULL: none */
	uint64_t seed;
	int64_t now;
	int quiet;
};
struct demo_calls_out {
	long days;
	long long calls, answered, lines, malformed;
	double seconds;
	int64_t first_day; /* UTC instant of the first day's Tehran midnight */
};
int demo_calls(struct db *db, const struct demo_calls *o, struct demo_calls_out *out,
	       struct err *e);

/* The national scale (`--scale national`, national.c), added to a demo database in one
 * transaction: `sample` people with 30-year careers among `filler` other record entries
 * (sample 0: no records; filler at least 360), and `pensioners` pensioners (0: none). */
struct demo_national {
	long sample, filler, pensioners;
};
int demo_national(struct db *db, const struct demo_national *o, struct err *e);

/* The pulse at national scale (`tamin pulse national`, pulse.c): a year of synthetic
 * contacts ending at the Tehran day holding `end`, `calls` calls and `contacts` other
 * contacts (cases and the like) counted by the pulse's counting code and written as its
 * counts, with an incident in the last 7 days; the calendar's holidays are quiet. */
struct worktime;
struct demo_pulse {
	long calls, contacts;
	uint64_t seed;
	int64_t end;
	const struct worktime *calendar; /* NULL: no holidays */
};
int demo_pulse_national(struct db *db, const struct demo_pulse *o, struct err *e);

/* A month of many workshops' lists in one pair of files (`--batch DIR`, batch.c): `lists`
 * workshops added to the database (codes 6000000001 ...) and DIR/DSKKAR00.DBF and
 * DIR/DSKWOR00.DBF holding their lists of year/month, `workers` workers a list on
 * average, every value valid by the rules. */
struct rules;
struct demo_batch {
	const char *dir;
	long lists, workers;
	int year, month;
	uint64_t seed;
};
struct demo_batch_out {
	long lists, rows;
};
int demo_batch(struct db *db, const struct rules *rules, const struct demo_batch *o,
	       struct demo_batch_out *out, struct err *e);

#endif
