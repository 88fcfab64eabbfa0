/* The pulse at national scale (`tamin pulse national`, bench/pulse.mjs): a year of
 * synthetic contacts, each one counted by the pulse's own counting code
 * (pulse_tally_add_ids, what pulse_tally_add and so the refresh use) and written as the
 * refresh writes (pulse_tally_write). No case or call row is stored: the store is what the
 * series and the movers read. Each contact: an hour of the year by a profile (the hours of
 * the day, Thursday lighter, Fridays and holidays a third, +48% over the year), a topic
 * by demo_weight (its department), a province by population, a channel by demo_weight
 * (calls: phone). The last 7 days carry an incident: province 05's pension topics
 * (pension_increase, pension_not_paid) at 3x the country's level, as in the demo. */
#include "demo/demo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jalali.h"
#include "base/worktime.h"
#include "catalog/catalog.h"
#include "pulse/pulse.h"

#define DAY 86400
#define HOURS (365 * 24)

static uint64_t rng(uint64_t *s)
{
	uint64_t x = *s; /* xorshift64* */
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 2685821657736338717ull;
}

/* A cumulative table of n weights; pick: the first index whose cumulative sum passes r. */
struct cum {
	double c[64];
	int n;
};
static void cum_init(struct cum *t, const double *w, int n)
{
	double s = 0;
	t->n = n < 64 ? n : 64;
	for (int i = 0; i < t->n; i++)
		t->c[i] = s += w[i];
	for (int i = 0; i < t->n; i++)
		t->c[i] /= s > 0 ? s : 1;
}
static int cum_pick(const struct cum *t, uint64_t *s)
{
	double r = (double)(rng(s) >> 11) / 9007199254740992.0;
	int lo = 0, hi = t->n - 1;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (t->c[mid] > r)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* The share of a day's contacts in each Tehran hour: quiet nights, busy mornings. */
static const double hour_profile[24] = {0.3, 0.2, 0.15, 0.1, 0.1, 0.15, 0.4, 1.2,
					2.2, 2.6, 2.6,	2.4, 2.2, 2.0,	1.8, 1.6,
					1.4, 1.3, 1.2,	1.1, 1.0, 0.9,	0.7, 0.5};

int demo_pulse_national(struct db *db, const struct demo_pulse *o, struct err *e)
{
	const struct topic *topics;
	const struct province *provs;
	const struct channel *chans;
	const struct department *deps;
	int ntop = catalog_topics(&topics), nprov = catalog_provinces(&provs),
	    nch = catalog_channels(&chans), ndep = catalog_departments(&deps);
	if (ntop > 64 || nprov > 64 || nch > 64 || ndep > 64)
		return err_set(e, 500, "internal", "", "catalogue too large for the generator");
	int64_t end = pulse_bucket(o->end, DAY), start = end - 365 * (int64_t)DAY;
	struct pulse_tally *t = pulse_tally_new(start, end);
	double *hw = malloc(HOURS * sizeof *hw);
	if (!t || !hw) {
		pulse_tally_free(t);
		free(hw);
		return err_set(e, 500, "no_memory", "", "out of memory");
	}
	double total = 0;
	for (int h = 0; h < HOURS; h++) {
		int64_t at = start + (int64_t)h * 3600;
		struct tehran_time tt = tehran_from_unix(at);
		double day = tt.weekday == 6 ? 0.35 : tt.weekday == 5 ? 0.7 : 1.0;
		if (o->calendar && worktime_is_holiday(o->calendar, tt.date))
			day = 0.35;
		hw[h] = hour_profile[h % 24] * day * (1 + 0.48 * h / HOURS);
		total += hw[h];
	}
	double w[64];
	struct cum ctop, cprov, cch;
	for (int i = 0; i < ntop; i++)
		w[i] = topics[i].demo_weight;
	cum_init(&ctop, w, ntop);
	for (int i = 0; i < nprov; i++)
		w[i] = provs[i].population;
	cum_init(&cprov, w, nprov);
	for (int i = 0; i < nch; i++)
		w[i] = chans[i].demo_weight;
	cum_init(&cch, w, nch);
	/* every series' and where's id, once */
	static int s_all[2], s_top[2][64], s_prov[2][64], s_ch[2][64], s_dep[2][64];
	static int w_all[2][64], w_top[2][64][64], w_ch[2][64][64], w_dep[2][64][64];
	int topdep[64], phone = 0, pension[2] = {-1, -1}, khuzestan = 0;
	for (int i = 0; i < ntop; i++) {
		topdep[i] = 0;
		for (int d = 0; d < ndep; d++)
			if (deps[d].id == topics[i].department_id)
				topdep[i] = d;
		if (!strcmp(topics[i].code, "pension_increase"))
			pension[0] = i;
		if (!strcmp(topics[i].code, "pension_not_paid"))
			pension[1] = i;
	}
	for (int c = 0; c < nch; c++)
		if (!strcmp(chans[c].code, "phone"))
			phone = c;
	for (int p = 0; p < nprov; p++)
		if (!strcmp(provs[p].code, "05"))
			khuzestan = p;
	int bad = 0;
	for (int s = 0; s < 2; s++) {
		bad |= (s_all[s] = pulse_tally_series(t, s, PULSE_ALL, NULL)) < 0;
		for (int i = 0; i < ntop; i++)
			bad |= (s_top[s][i] =
				    pulse_tally_series(t, s, PULSE_TOPIC, topics[i].code)) < 0;
		for (int i = 0; i < nprov; i++) {
			bad |= (s_prov[s][i] =
				    pulse_tally_series(t, s, PULSE_PROVINCE, provs[i].code)) < 0;
			bad |= (w_all[s][i] =
				    pulse_tally_where(t, s, PULSE_ALL, NULL, provs[i].code)) < 0;
		}
		for (int i = 0; i < nch; i++)
			bad |= (s_ch[s][i] =
				    pulse_tally_series(t, s, PULSE_CHANNEL, chans[i].code)) < 0;
		for (int i = 0; i < ndep; i++)
			bad |= (s_dep[s][i] =
				    pulse_tally_series(t, s, PULSE_DEPARTMENT, deps[i].code)) < 0;
		for (int p = 0; p < nprov; p++) {
			for (int i = 0; i < ntop; i++)
				bad |= (w_top[s][i][p] = pulse_tally_where(
					    t, s, PULSE_TOPIC, topics[i].code, provs[p].code)) < 0;
			for (int i = 0; i < nch; i++)
				bad |= (w_ch[s][i][p] = pulse_tally_where(
					    t, s, PULSE_CHANNEL, chans[i].code, provs[p].code)) < 0;
			for (int i = 0; i < ndep; i++)
				bad |=
				    (w_dep[s][i][p] = pulse_tally_where(
					 t, s, PULSE_DEPARTMENT, deps[i].code, provs[p].code)) < 0;
		}
	}
	if (bad) {
		pulse_tally_free(t);
		free(hw);
		return err_set(e, 500, "no_memory", "", "out of memory");
	}
	uint64_t seed = o->seed ? o->seed : 1420;
	long counted[2] = {0, 0};
	/* the incident: each pension contact of its days once more, twice, in Khuzestan */
	int64_t incident = end - 7 * (int64_t)DAY;
	for (int s = 0; s < 2; s++) {
		long n = s == 0 ? o->calls : o->contacts;
		double carry = 0;
		for (int h = 0; h < HOURS; h++) {
			double want = (double)n * hw[h] / total + carry;
			long k = (long)want;
			carry = want - (double)k;
			int64_t at0 = start + (int64_t)h * 3600;
			for (long j = 0; j < k; j++) {
				int ti = cum_pick(&ctop, &seed), pi = cum_pick(&cprov, &seed);
				int ci = s == 0 ? phone : cum_pick(&cch, &seed), di = topdep[ti];
				int copies = 1;
				if (at0 >= incident && (ti == pension[0] || ti == pension[1]))
					copies = 3;
				for (int c = 0; c < copies; c++) {
					int p = c ? khuzestan : pi;
					int sid[5] = {s_all[s], s_top[s][ti], s_prov[s][p],
						      s_ch[s][ci], s_dep[s][di]};
					int wid[4] = {w_all[s][p], w_top[s][ti][p], w_ch[s][ci][p],
						      w_dep[s][di][p]};
					pulse_tally_add_ids(t, at0 + (int64_t)(rng(&seed) % 3600),
							    sid, 5, wid, 4, 1);
					counted[s]++;
				}
			}
		}
	}
	free(hw);
	int rc = db_begin(db) < 0 ? db_fail(db, e) : pulse_tally_write(t, db, e);
	if (rc == 0 && db_commit(db) < 0)
		rc = db_fail(db, e);
	if (rc < 0)
		db_rollback(db);
	pulse_tally_free(t);
	if (rc == 0)
		printf("{\"calls\":%ld,\"contacts\":%ld,\"from\":%lld,\"to\":%lld}\n", counted[0],
		       counted[1], (long long)start, (long long)end);
	return rc;
}
