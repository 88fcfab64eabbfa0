/* The accountability's months as a request gives them (cases_acc_months: from and to,
 * split at the input's first newline) and the public figures' suppression on counts
 * taken from the input's bytes (public/suppress.c): a month range read is real, from
 * before to, at most CASES_ACC_MONTHS_MAX long; a bad one is a 400 naming from or to; and
 * whatever the counts, no published count, total or complement is a small group. */
#include <stdint.h>

#include "cases/cases.h"
#include "fuzz.h"
#include "public/public.h"

static int small(int64_t v)
{
	return v > 0 && v < PUBLIC_MIN_COUNT;
}

static void months(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	char *to = strchr(s, '\n');
	if (to)
		*to++ = 0;
	struct cases_acc_query q;
	struct err e;
	if (cases_acc_months(s, to, 1796000000, &q, &e) == 0) {
		int n = q.to.y * 12 + q.to.m - (q.from.y * 12 + q.from.m) + 1;
		FUZZ_CHECK(n >= 1 && n <= CASES_ACC_MONTHS_MAX);
		FUZZ_CHECK(q.from.m >= 1 && q.from.m <= 12 && q.to.m >= 1 && q.to.m <= 12);
	} else {
		FUZZ_CHECK(e.status == 400 && (!strcmp(e.field, "from") || !strcmp(e.field, "to")));
	}
	free(s);
}

static void suppression(const uint8_t *data, size_t size)
{
	struct public_cell r[16], p[16], tr = {0, 0}, tp = {0, 0};
	int n = 0;
	for (size_t i = 0; i + 1 < size && n < 16; i += 2, n++) {
		int64_t whole = data[i] % 64;
		r[n] = (struct public_cell){whole, 0};
		p[n] = (struct public_cell){whole ? data[i + 1] % (whole + 1) : 0, 0};
		tr.v += r[n].v;
		tp.v += p[n].v;
	}
	public_suppress_month(r, p, n, &tr, &tp);
	int64_t rest = tr.v - tp.v;
	const struct public_cell *lines[2] = {r, p}, *totals[2] = {&tr, &tp};
	for (int l = 0; l < 2; l++) {
		int hidden = 0;
		int64_t sum = 0;
		for (int i = 0; i < n; i++) {
			FUZZ_CHECK(lines[l][i].withheld || !small(lines[l][i].v));
			hidden += lines[l][i].withheld;
			sum += lines[l][i].withheld ? lines[l][i].v : 0;
		}
		FUZZ_CHECK(totals[l]->withheld || !hidden ||
			   (hidden >= 2 && sum >= PUBLIC_MIN_COUNT));
	}
	for (int i = 0; i < n; i++)
		if (!r[i].withheld && !p[i].withheld) {
			FUZZ_CHECK(!small(r[i].v - p[i].v));
			rest -= r[i].v - p[i].v;
		}
	FUZZ_CHECK(tr.withheld || tp.withheld || !small(rest));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	months(data, size);
	suppression(data, size);
	return 0;
}
