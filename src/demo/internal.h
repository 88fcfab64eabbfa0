/* The demo's parts, shared between its files. */
#ifndef TAMIN_DEMO_INTERNAL_H
#define TAMIN_DEMO_INTERNAL_H

#include <stdint.h>

#include "base/err.h"
#include "rules/rules.h"
#include "store/store.h"

struct demo_records_out {
	long workshops, lists, rows, insured, pensioners;
	char first_workshop[11]; /* for the demo employer's account */
};

/* Workshops across the provinces, careers of decades for most of `people` (their monthly
 * lists, as employers would have sent them: shares from the rates of each month), and
 * pensioners with their last two years of payments. Commits in batches. */
int demo_records(struct db *db, const struct rules *rules, const int64_t *people, long n,
		 uint64_t seed, int64_t now, struct demo_records_out *out, struct err *e);

#endif
