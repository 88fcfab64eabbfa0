/* pensions: pensioners, their monthly payments, and the batches that change every
 * pension at once (the yearly increase of Article 96, an equalisation step): a batch is computed as a preview
 * (every pensioner's amount before and after, kept), then applied once, in one
 * transaction, refusing if any pension changed since the preview. Owns pensioners,
 * pension_dependants, pension_payments, pension_batches and pension_changes (migration 008).
 * The arithmetic is the rules' (rules_increase_*, rules_equalisation_*). */
#ifndef TAMIN_PENSIONS_PENSIONS_H
#define TAMIN_PENSIONS_PENSIONS_H

#include <stdint.h>

#include "base/err.h"
#include "base/jw.h"
struct req;
#include "rules/rules.h"
#include "store/store.h"

struct pension_batch {
	int64_t id;
	struct jdate on;
	int64_t pensioners;
	int64_t before, after; /* sums of the monthly amounts, rials */
	int64_t skipped;       /* left out: an equalisation's pensioners with no granted pension */
};

/* Writer side. Computes the yearly increase in force on `on` for every pensioner and keeps
 * it as a preview batch. 0, or -1 with e (422 rule_missing when the year has no increase). */
int pensions_preview_increase(struct db *db, const struct rules *r, struct jdate on,
			      int64_t user_id, int64_t now, struct pension_batch *out,
			      struct err *e);
/* The same for the equalisation step in force on `on` (rules_equalisation_for): each
 * pension as it would be without the equalisation applied so far, plus the amount in force
 * for its granted pension; never lower than now. Pensioners with no granted pension on
 * record are left out and counted (out->skipped, the batch's params' "left_out"). */
int pensions_preview_equalisation(struct db *db, const struct rules *r, struct jdate on,
				  int64_t user_id, int64_t now, struct pension_batch *out,
				  struct err *e);
/* Applies a preview: 404 no such batch, 409 already applied or stale (a pension changed
 * since the preview). */
int pensions_apply(struct db *db, int64_t batch_id, int64_t now, struct pension_batch *out,
		   struct err *e);

void pensions_h_preview(struct req *r); /* POST /api/v1/pensions/batches {"kind","date"?}: kind increase or equalisation */
void pensions_h_apply(struct req *r);	/* POST /api/v1/pensions/batches/{id}/apply */
void pensions_h_batch(struct req *r);	/* GET /api/v1/pensions/batches/{id} */
/* 1 if the person is a pensioner, 0 if not, -1 on a database error. */
int pensions_is_pensioner(struct db *db, int64_t person_id);
/* The person's pension as JSON under key: type, start, amount, dependants, every batch
 * that changed it (before, after, when) and the last 24 payments; null when the person is
 * no pensioner. Reads only (the caller checks who may read, and audits). */
/* A pensioner as documents/ reads them: the pension in force and its start. */
struct pensioner {
	int64_t id;
	char type[16]; /* old_age, disability, survivors */
	int start_year, start_month;
	int64_t amount; /* monthly, rials */
};
/* The person's pension: 1 found, 0 no pensioner, -1 error. */
int pensions_of_person(struct db *db, int64_t person_id, struct pensioner *out);
/* The payment of a Jalali month (*year 0: the latest, and *year, *month are set to it):
 * 1 found with *amount, 0 none, -1 error. */
int pensions_payment(struct db *db, int64_t pensioner_id, int *year, int *month,
		     int64_t *amount);
void pensions_person_json(struct db *db, int64_t person_id, struct jw *w, const char *key);

#endif
