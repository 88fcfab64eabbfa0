/* public: the organisation's figures for everyone, without a login and without personal
 * data (GET /api/v1/public/figures, the web app's /public page): answered calls and the
 * service level per day (calls_figures), cases received and answered in time per
 * department and Jalali month (cases_accountability), e-service uses once they exist.
 * Nothing that names or numbers a person, a case or a staff member is read here at all.
 *
 * Small groups are withheld (suppress.c, docs/GUIDE.md#public-figures): no published
 * count is under PUBLIC_MIN_COUNT unless it is 0, and no withheld count can be worked
 * back from a total or a complement that is published. The answer is computed at most
 * once every PUBLIC_CACHE_S seconds, whoever asks and however often, so that a route
 * open to anyone cannot be used to load the database. */
#ifndef TAMIN_PUBLIC_PUBLIC_H
#define TAMIN_PUBLIC_PUBLIC_H

#include <stdint.h>

struct req;

#define PUBLIC_MIN_COUNT 10
#define PUBLIC_CACHE_S 300
#define PUBLIC_DAYS_MAX 90   /* days of calls, the last one yesterday (Tehran) */
#define PUBLIC_MONTHS_MAX 24 /* Jalali months of cases, the last one this month */

/* A count as published: its value, or withheld. */
struct public_cell {
	int64_t v;
	int withheld;
};

/* Withholds the small cells of one line of counts that add up to *total (total NULL: no
 * total is published for the line). A cell of 1 to PUBLIC_MIN_COUNT - 1 is withheld
 * (primary); cells already withheld stay so. Then, when a total is published, the
 * withheld cells of the line must not be recoverable from it: there must be none, or at
 * least two whose sum is PUBLIC_MIN_COUNT or more; the smallest published non-zero cells
 * are withheld until that holds (secondary), and when no cell is left to withhold the
 * total is withheld instead. Pure. */
void public_suppress_line(struct public_cell *cells, int n, struct public_cell *total);

/* Withholds, in one department's month, the cases answered in time (part) when the rest
 * of those received (whole - part) is a small group, and when the received are withheld;
 * then the small counts of each (public_suppress_line without a total). Pure. */
void public_suppress_pair(struct public_cell *whole, struct public_cell *part);

/* One month of the cases' table: each department's pair, then the lines of received and
 * answered in time with their totals, then the totals' complement (suppress.c, rule 4).
 * Pure. */
void public_suppress_month(struct public_cell *received, struct public_cell *in_time, int n,
			   struct public_cell *total_received, struct public_cell *total_in_time);

void public_h_figures(struct req *r); /* GET /api/v1/public/figures (no login) */

#endif
