/* lists: the monthly lists kept in the database (table lists of migration 008, their rows
 * as rows.h keeps them). A list is stored whole; a correction is a new list that
 * supersedes the workshop's list of the same month, so the record reads only lists that
 * no later one superseded. */
#ifndef TAMIN_LISTS_LISTS_H
#define TAMIN_LISTS_LISTS_H

#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/principal.h"
#include "listfile/listfile.h"
#include "lists/rows.h"
#include "rules/rules.h"
#include "store/store.h"

struct jw;
struct req;

/* ---- importing a list ---- */

/* Where a list's header and rows come from: the DBF pair (list_source_files) or rows
 * already in memory (a JSON request). `next` returns 1 with a row, 0 at the end; the
 * import reads the rows once. */
struct list_source {
	int (*header)(void *arg, struct list_header *h, struct list_issues *iss);
	int (*next)(void *arg, struct list_worker *w, uint32_t *row, struct list_issues *iss);
	void *arg;
	enum codec_enc encoding;
	struct list_reader *reader; /* files: the import splits a big list among threads */
};
void list_source_files(struct list_source *s, struct list_reader *r);

struct list_array {
	struct list_header header;
	struct list_worker *rows;
	size_t n;
	size_t at; /* the next row */
};
void list_source_array(struct list_source *s, struct list_array *a);

/* A stored list back as header and rows (lists/load.c, for `tamin list export`);
 * free(out->rows). 404 "not_found" naming "list" when there is none. */
int lists_load(struct db *db, int64_t list_id, struct list_array *out, struct err *e);

struct list_import {
	struct list_header header; /* as read */
	enum codec_enc encoding;
	uint32_t rows;
	int hard_job;		       /* the workshop's flag */
	struct rules_contribution due; /* the rules' shares of the list */
	int64_t list_id;	       /* stored: its id */
	int64_t supersedes;	       /* the earlier list of the month it corrects, 0 if none */
	struct list_issues issues;     /* refused: every problem, by file, row and column */
};
void list_import_init(struct list_import *im);
void list_import_release(struct list_import *im);

/* Checks a list whole against the records and the rules of its month: the workshop exists
 * and `who` may act for it (NULL: the command line, which may), the header's totals are
 * the sums of the rows, each row's share and the list's employer shares are the rates of
 * the month on the insurable wage within the minimum and the ceiling, national ids are
 * valid and no worker comes twice, days fit the month, dates are real. With no problem it
 * is stored whole (in db's open transaction: the writer's), superseding the workshop's
 * earlier list of the month. 1 stored, 0 refused (im->issues), -1 error (e). */
int list_import(struct db *db, const struct rules *rules, const struct principal *who,
		const char *source, struct list_source *src, int64_t now, struct list_import *im,
		struct err *e);

/* The import in its two halves, for lists checked on other threads (lists/batch.h).
 * list_check reads and checks the list whole into *rows (entries sorted, blocks not yet
 * compressed; list_rows_release it) and finds its workshop, only reading db (a thread's
 * own connection will do); split 0 reads the rows on this thread alone. 1 when the list
 * may be stored, 0 refused (im->issues), -1 error (e). list_store_list then writes the
 * list's row in db's open transaction, superseding the workshop's earlier list of the
 * month, and gives its key for its entries and blocks (rows.h). 0, or -1 with e. */
int list_check(struct db *db, const struct rules *rules, const struct principal *who,
	       struct list_source *src, int split, struct list_import *im,
	       struct list_rows_out *rows, int64_t *workshop, struct err *e);
int list_store_list(struct db *db, const struct principal *who, const char *source,
		    int64_t workshop, int64_t now, struct list_import *im, struct list_key *key,
		    struct err *e);

/* A list's row in lists, as list_store_list writes it; a batch (lists/batch.h) keeps many
 * and writes them together. list_stored_of fills it from a checked list (id and
 * supersedes from im->list_id and im->supersedes; source a constant: "dbf", "csv",
 * "json"); list_stored_put writes n of them in one db_bulk: 0, or -1 (db_errmsg). */
struct list_stored {
	int64_t id, workshop_id, supersedes, submitted_by, submitted_at; /* 0: none */
	const char *source;
	enum codec_enc encoding;
	int year, month, rate;
	char list_no[LIST_CODE];
	int64_t workers, days, daily_wages, monthly_wages, benefits, insurable, total,
	    worker_share, employer_share, unemployment, hard_job_share;
};
void list_stored_of(struct list_stored *l, const struct list_import *im, int64_t workshop,
		    const char *source, const struct principal *who, int64_t now);
int list_stored_put(struct db *db, const struct list_stored *v, size_t n);
/* SQL: list `l` is the month's list in force, no later list correcting it. */
#define LIST_IN_FORCE "NOT EXISTS (SELECT 1 FROM lists c WHERE c.supersedes = l.id)"

/* The import's result as JSON: the stored list ({"id","supersedes","workshop","year",
 * "month","rows","encoding","totals":{...},"due":{...}}) or the refusal's errors
 * ([{"file","row","field","code","message","message_en"}]). */
void list_import_json(struct jw *w, const struct list_import *im);
void list_issues_json(struct jw *w, const char *key, const struct list_issues *iss);

/* POST /api/v1/lists: {"dbf":{"kar","wor"}} (the two files in base64) or
 * {"header":{...},"rows":[...]} (README) → 201 the stored list, or 422 list_invalid with
 * "errors"; a malformed request is a 400 naming the field. */
void lists_h_upload(struct req *r);

#endif
