/* canned: canned answers. A department's ready texts for the case view's reply, answer
 * and note fields, each a title and a body kept as typed; department NULL is the
 * organisation's, offered to every department. A body may hold placeholders that the
 * browser fills from the case it is inserted into (web/src/lib/canned.ts): {name} (the
 * citizen's name), {number} (the case number), {today} and {due} (Jalali dates). The
 * server refuses a body naming any other placeholder, so that a typo is caught when the
 * text is written rather than shown to a citizen.
 *
 * Who manages them: a department's supervisor its own department's; a supervisor of no
 * department, or an admin, every department's and the organisation's. Staff of the case
 * desk read them; a specialist their department's and the organisation's only. Each
 * write is a writer job, audited in its transaction (canned_create, canned_update,
 * canned_delete). The module owns the table `canned` (migration 020). */
#ifndef TAMIN_CANNED_CANNED_H
#define TAMIN_CANNED_CANNED_H

#include "base/err.h"

#define CANNED_TITLE_CHARS 120
#define CANNED_BODY_CHARS 4000
#define CANNED_LIST_MAX 500 /* the most one list returns */

/* Checks that every placeholder in body, a `{` and a `}` around 1-32 bytes with no
 * space or brace between, is one of {name}, {number}, {today}, {due}: 0, or -1 with e
 * (400 unknown_placeholder naming "body"). A brace that frames no such run ("{ }", a
 * lone "{") is text. Pure. */
int canned_check_body(const char *body, struct err *e);

/* The routes: GET /api/v1/canned?department=CODE, POST /api/v1/canned,
 * POST /api/v1/canned/{id}, DELETE /api/v1/canned/{id}. */
struct req;
void canned_h_list(struct req *r);
void canned_h_create(struct req *r);
void canned_h_edit(struct req *r);
void canned_h_delete(struct req *r);

#endif
