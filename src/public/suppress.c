/* Small-group suppression of the public figures (public.h). The rule, and why:
 *
 * 1. Primary: a count from 1 to 9 is withheld. A small group of cases in a department's
 *    month, or of calls on a day, could be told apart and tied to the few people in it
 *    by someone who knows one of them. 0 is published: it singles no one out.
 * 2. Complement: a department's cases answered in time are withheld when the others
 *    received that month (received - answered in time) are 1 to 9, since subtracting two
 *    published counts would give the small group; and when the received are withheld.
 * 3. Totals: a month's total over the departments is published only if the cells
 *    withheld in its line cannot be worked back from it: either none is withheld, or at
 *    least two are and they add up to 10 or more (the difference then tells only a sum
 *    that is itself no small group). Otherwise the smallest published non-zero cells are
 *    withheld too, and if none is left the total is.
 * 4. The totals' complement: the received and answered in time of the departments not
 *    wholly published add up to the totals less the published ones; when the rest of
 *    those (their received less their answered in time) is 1 to 9, the total answered
 *    in time is withheld, and the total received too if every department's answered in
 *    time is published (the withheld total could be added up again).
 * Days of calls are published one by one with no total over days, so rule 3 has nothing
 * to protect there. */
#include "public/public.h"

#include <stddef.h>

static int small(int64_t v)
{
	return v > 0 && v < PUBLIC_MIN_COUNT;
}

void public_suppress_line(struct public_cell *cells, int n, struct public_cell *total)
{
	for (int i = 0; i < n; i++)
		if (small(cells[i].v))
			cells[i].withheld = 1;
	if (!total)
		return;
	if (total->withheld)
		return;
	for (;;) {
		int count = 0;
		int64_t sum = 0;
		for (int i = 0; i < n; i++)
			if (cells[i].withheld) {
				count++;
				sum += cells[i].v;
			}
		if (count == 0 || (count >= 2 && sum >= PUBLIC_MIN_COUNT))
			return;
		int pick = -1;
		for (int i = 0; i < n; i++)
			if (!cells[i].withheld && cells[i].v > 0 &&
			    (pick < 0 || cells[i].v < cells[pick].v))
				pick = i;
		if (pick < 0) {
			total->withheld = 1;
			return;
		}
		cells[pick].withheld = 1;
	}
}

void public_suppress_pair(struct public_cell *whole, struct public_cell *part)
{
	public_suppress_line(whole, 1, NULL);
	public_suppress_line(part, 1, NULL);
	if (whole->withheld || small(whole->v - part->v))
		part->withheld = 1;
}

void public_suppress_month(struct public_cell *received, struct public_cell *in_time, int n,
			   struct public_cell *total_received, struct public_cell *total_in_time)
{
	for (int i = 0; i < n; i++)
		public_suppress_pair(&received[i], &in_time[i]);
	public_suppress_line(received, n, total_received);
	public_suppress_line(in_time, n, total_in_time);
	if (total_received->withheld || total_in_time->withheld)
		return;
	/* rule 4: the rest of the departments not wholly published */
	int64_t rest = total_received->v - total_in_time->v;
	int in_time_withheld = 0;
	for (int i = 0; i < n; i++) {
		in_time_withheld |= in_time[i].withheld;
		if (!received[i].withheld && !in_time[i].withheld)
			rest -= received[i].v - in_time[i].v;
	}
	if (small(rest)) {
		total_in_time->withheld = 1;
		if (!in_time_withheld)
			total_received->withheld = 1;
	}
}
