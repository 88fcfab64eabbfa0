/* pulse: every contact (a call, a case, an e-service's use) counted per Tehran
 * hour and day by topic, province, branch, channel and department (table pulse_counts,
 * migration 026), each series' baseline and anomalies from the pure detector
 * (pulse/detect.h), and the movers: the largest rises and falls now across every series,
 * with where they came from (pulse_where) and example cases.
 *
 *   count.c    pulse_tally: contacts counted in memory, then written over a range
 *   refresh.c  pulse_refresh: the cases (cases_contacts_each), the calls (calls_each,
 *              data/queues.tsv) and the e-service uses (services_uses_each) of a range
 *              counted again; the refresher of `serve`
 *   series.c   pulse_series_get, pulse_movers: the reads, the detector on them
 *   http.c     GET /api/v1/pulse/series, /movers (and their .xlsx) */
#ifndef TAMIN_PULSE_PULSE_H
#define TAMIN_PULSE_PULSE_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

struct db;
struct jw;
struct req;
struct worktime;
struct writer;

#define PULSE_HOUR 3600
#define PULSE_DAY 86400

/* The dimensions a series is counted by; "all" has the one key "". */
enum pulse_dim {
	PULSE_ALL,
	PULSE_TOPIC,
	PULSE_PROVINCE,
	PULSE_BRANCH,
	PULSE_CHANNEL,
	PULSE_DEPARTMENT,
	PULSE_NDIMS
};
extern const char *const pulse_dim_names[PULSE_NDIMS];
/* The sources counted: "call", "case" and "service" (the e-services' uses, services.h). */
#define PULSE_NSOURCES 3
extern const char *const pulse_source_names[PULSE_NSOURCES];

/* The start (UTC) of the Tehran hour or day (span) holding t. */
int64_t pulse_bucket(int64_t t, int64_t span);

/* ---- counting (count.c) ---- */

/* One contact; a key NULL or "" is not known (not counted in that dimension). */
struct pulse_contact {
	int source;		      /* index in pulse_source_names */
	int64_t at;		      /* UTC seconds */
	const char *key[PULSE_NDIMS]; /* key[PULSE_ALL] is ignored */
};

/* Counts of [from, to) (UTC, whole Tehran days) in memory: per series (source, dim, key)
 * an hour array, per (source, dim, key, sub) of "where" a day array. */
struct pulse_tally;
struct pulse_tally *pulse_tally_new(int64_t from, int64_t to);
void pulse_tally_free(struct pulse_tally *t);
/* Counts c in every series it belongs to (outside [from, to): ignored). 0, or -1 when
 * memory ran out. */
int pulse_tally_add(struct pulse_tally *t, const struct pulse_contact *c);
/* The ids pulse_tally_add uses, for a caller that counts many contacts of few keys (the
 * benchmark's generator): a series' id, a where's id (sub: a province, or a province's
 * branch); -1 when memory ran out. */
int pulse_tally_series(struct pulse_tally *t, int source, int dim, const char *key);
int pulse_tally_where(struct pulse_tally *t, int source, int dim, const char *key, const char *sub);
/* One contact at `at` counted n times in series[0..ns) and where[0..nw) (ids above). */
void pulse_tally_add_ids(struct pulse_tally *t, int64_t at, const int *series, int ns,
			 const int *where, int nw, int64_t n);
/* Replaces every count of the tally's sources and range in the database by the tally's
 * (hours, days, wheres), inside the caller's transaction. 0, or -1 with e. */
int pulse_tally_write(struct pulse_tally *t, struct db *db, struct err *e);

/* ---- refreshing (refresh.c) ---- */

/* Counts every case and call of the Tehran days overlapping [from, to) again and
 * replaces their counts, inside the caller's transaction; data_dir: for queues.tsv (a
 * queue's department and default topic). Idempotent. 0, or -1 with e. */
int pulse_refresh(struct db *db, int64_t from, int64_t to, const char *data_dir, struct err *e);
/* `serve`'s refresher: at start and every `every_s` seconds, a writer job refreshing the
 * last `hours` hours. NULL with e. */
struct pulse_refresher;
struct pulse_refresher *pulse_refresher_start(struct writer *w, const char *data_dir, int every_s,
					      int hours, struct err *e);
void pulse_refresher_stop(struct pulse_refresher *r);

/* ---- reading (series.c) ---- */

struct pulse_query {
	int source, dim;
	const char *key;
	int64_t from, to; /* UTC, whole Tehran days (to exclusive) */
	int64_t span;	  /* PULSE_HOUR or PULSE_DAY */
};

struct pulse_point {
	int64_t at; /* UTC start of the hour or day */
	double value;
	double expected;  /* NaN where the detector has too little past */
	double score;	  /* the detector's robust score; NaN likewise */
	int anomaly;	  /* +1 in a rise, -1 in a fall, 0 */
	double low, high; /* the band of counts whose score is within 2 of 0; NaN likewise */
};

struct pulse_found {
	int64_t start, end; /* UTC: the first and the last point's */
	int direction;
	double value, expected, score;
};

struct pulse_result {
	struct pulse_point *points; /* [from, to) */
	size_t n;
	struct pulse_found *found; /* the anomalies that touch [from, to) */
	size_t nfound;
};

/* The holidays of [from, to) as civil day numbers (detect.h), from the calendar (may be
 * NULL: none); malloc'd, *n of them. */
int64_t *pulse_holidays(const struct worktime *cal, int64_t from, int64_t to, size_t *n);

/* The series q with its baseline, scores and anomalies (12 weeks before q->from read too,
 * for the baseline). The result's arrays are from a. 0, or -1 with e. */
int pulse_series_get(struct db *db, const struct pulse_query *q, const struct worktime *cal,
		     struct arena *a, struct pulse_result *out, struct err *e);

struct pulse_share {
	const char *sub; /* a province code, or a branch */
	double value, expected;
};

#define PULSE_WHERE_MAX 3
#define PULSE_EXAMPLES_MAX 5

struct pulse_mover {
	int source, dim;
	const char *key;
	int direction; /* +1 rise, -1 fall */
	double value, expected, ratio, score;
	int64_t since; /* UTC start of the day the anomaly began; 0: not flagged */
	struct pulse_share where[PULSE_WHERE_MAX];
	int nwhere;
	const char *examples[PULSE_EXAMPLES_MAX]; /* case numbers */
	int nexamples;
};

struct pulse_movers_query {
	int64_t at;	       /* UTC start of the window's last Tehran day */
	int days;	       /* 1 (day) or 7 (week) */
	int limit;	       /* rises and falls each */
	int64_t department_id; /* examples only from this department; 0: any */
	int examples;	       /* 0: none (the benchmark's store has no cases) */
};

/* The largest rises and falls of q's window across every series (score beyond 2 only),
 * rises first, each by size. Arrays from a. 0, or -1 with e. */
int pulse_movers(struct db *db, const struct pulse_movers_query *q, const struct worktime *cal,
		 struct arena *a, struct pulse_mover **out, int *n, struct err *e);

/* ---- HTTP (http.c) ---- */
void pulse_h_series(struct req *r);	 /* GET /api/v1/pulse/series (supervisor) */
void pulse_h_series_xlsx(struct req *r); /* GET /api/v1/pulse/series.xlsx */
void pulse_h_movers(struct req *r);	 /* GET /api/v1/pulse/movers (supervisor) */
void pulse_h_movers_xlsx(struct req *r); /* GET /api/v1/pulse/movers.xlsx */

#endif
