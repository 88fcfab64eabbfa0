/* documents' own: what data.c builds for http.c. */
#ifndef TAMIN_DOCUMENTS_INTERNAL_H
#define TAMIN_DOCUMENTS_INTERNAL_H

#include <jansson.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/jalali.h"
#include "documents/documents.h"
#include "store/store.h"

struct rules;

/* What a paper is about and when it is issued. */
struct doc_subject {
	enum doc_kind kind;
	int64_t person_id;   /* a person's paper */
	int64_t workshop_id; /* a workshop's (the clearance) */
	int year, month;     /* the pay slip's month; 0: the latest */
	struct jdate issued; /* the day, in Tehran */
};

/* The paper's content as a JSON object (exactly what the paper shows, and what the
 * verification tells): 0 with *out (the caller's reference), or -1 with e (404 naming
 * "kind" or "month" when the records have nothing to say; 409 debt_outstanding naming
 * "debt" for a clearance of a workshop that owes). */
int doc_build(struct db *db, const struct rules *rules, const struct doc_subject *s,
	      struct arena *a, json_t **out, struct err *e);

/* The canonical text of a content object (keys sorted, no white space, UTF-8), malloc'd;
 * NULL when out of memory. */
char *doc_canonical(const json_t *content);
/* Its SHA-256 in lower-case hex into hex[65]. */
void doc_digest(const char *text, size_t len, char hex[65]);

/* Persian words for a kind's title, a pension's type, a pay slip's item. */
const char *doc_title(enum doc_kind k);
const char *doc_pension_type_words(const char *type);

#endif
