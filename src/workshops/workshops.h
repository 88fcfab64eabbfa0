/* workshops: employers' workshops (10-digit code, province, branch, activity, hard-job
 * flag), the employer accounts that act for them, and their payments. A workshop is
 * created by staff; an admin links employer accounts to it. Owns the tables workshops,
 * workshop_users and payments (migration 008). */
#ifndef TAMIN_WORKSHOPS_WORKSHOPS_H
#define TAMIN_WORKSHOPS_WORKSHOPS_H

#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/principal.h"

struct req;
#include "store/store.h"

#define WORKSHOP_CODE_LEN 10

/* The workshop's id for a code, 0 if there is none (-1 on a database error). */
int64_t workshop_id(struct db *db, const char *code);
/* The same, and (hard_job not NULL) whether the workshop has hard-job workers, from one
 * statement: a list's check needs both (a national month asks it of 2,000,000 workshops). */
int64_t workshop_find(struct db *db, const char *code, int *hard_job);

/* The workshop's name for a code, in a; NULL if there is none. */
const char *workshop_name(struct db *db, const char *code, struct arena *a);

/* The workshop's province code for a code, in a; NULL if none or not on record. */
const char *workshop_province(struct db *db, const char *code, struct arena *a);

/* 1 if the principal may act for the workshop: staff who handle records may act for any;
 * an employer only for the workshops linked to their account. */
int workshop_may_act(struct db *db, const struct principal *who, int64_t workshop_id);

/* The workshop a route's path names ({code}: 10 digits in any digit set) for one who may
 * act for it: its id and *code its digits; or 0, having replied: 400 for what is not a
 * code, an audited 403 (action; reason: the code, after `what` when given) for a workshop
 * the asker does not act for, the same for a code no workshop has (no account acts for
 * it), so that the answer does not tell which codes are registered; staff, who may act
 * for any, get 404 for such a code. */
int64_t workshops_path(struct req *r, const char *action, const char *what, char **code);

/* A workshop's account as its debt clearance reads it: names, what its lists not
 * superseded owe (both shares, unemployment, hard-job), what it paid, and the debt. */
struct workshop_account {
	const char *code, *name, *employer_name; /* in the arena */
	int64_t due, paid, debt;
};
/* 1 found, 0 no workshop with this id, -1 error. */
int workshop_account(struct db *db, int64_t id, struct arena *a, struct workshop_account *out);

/* Links an employer account to a workshop (the command line and the admin's route). */
int workshop_link_employer(struct db *db, int64_t workshop_id, const char *login, struct err *e);

void workshops_h_create(struct req *r); /* POST /api/v1/workshops */
void workshops_h_get(struct req *r);	/* GET /api/v1/workshops/{code} */
void workshops_h_mine(
    struct req *r); /* GET /api/v1/workshops: staff all (paged), employer theirs */
void workshops_h_link(struct req *r); /* POST /api/v1/workshops/{code}/employers {"login"} */
/* POST /api/v1/workshops/{code}/payments {"amount","year"?,"month"?,"reference"?}: a payment
 * received, recorded by staff (append-only) */
void workshops_h_payment(struct req *r);

#endif
