/* lists: the monthly lists kept in the database (tables lists, list_rows, insured of
 * migration 008). A list is stored whole; a correction is a new list that supersedes
 * the workshop's list of the same month, so the record reads only lists that no later
 * one superseded. */
#ifndef TAMIN_LISTS_LISTS_H
#define TAMIN_LISTS_LISTS_H

#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "rules/rules.h"
#include "store/store.h"

/* A person's insurance record as the rules read it: one line per list row (a month in a
 * workshop), oldest first, from the lists no correction superseded; *n lines in the
 * arena. 0, or -1 with e. */
int lists_person_record(struct db *db, int64_t person_id, struct arena *a,
			struct rules_record **out, int *n, struct err *e);

#endif
