/* audit: who read whose record, when and why. Every read of a person's cases is made
 * durable before the reply leaves: in the audit spool (audit/spool.h), which the writer
 * imports into the log in batches, or, for a read that opens a caller context, in the
 * writer's group commit. The citizen sees their rows (GET /api/v1/me/access-log); the
 * auditor queries all of them (GET /api/v1/audit); both import the spool first. Rows
 * are append-only (triggers refuse UPDATE and DELETE).
 *
 * It also keeps caller contexts: a staff member who identified a caller (by national
 * id, mobile or case number) may read that person's cases for CALLER_CONTEXT_SECONDS. */
#ifndef TAMIN_AUDIT_AUDIT_H
#define TAMIN_AUDIT_AUDIT_H

#include "base/principal.h"
#include "store/store.h"

struct req;
struct jw;

#define CALLER_CONTEXT_SECONDS (30 * 60)

struct audit_entry {
	const char *action; /* "case_read", "case_list", "person_read", "case_event", ... */
	int64_t person_id;  /* whose record, 0 if none */
	int64_t case_id;    /* 0 if none */
	const char *reason; /* what led there: the case number or the search */
	int denied;	    /* the read was refused (403) */
	int grant_context;  /* also open a caller context for this person */
	/* a person known only from the lists (person_id 0), or by national id alone: made a
	 * row of people, or given the lists' names (people_ensure), before the entry is
	 * written, so that it names them */
	const char *enrol_national_id;
	/* written even when a citizen reads their own record (audit_reply skips those): a
	 * document issued to them, which they see in their access log */
	int own_logged;
};

/* The log's columns, in the order audit_bind binds them. */
#define AUDIT_COLUMNS "at, user_id, role, action, person_id, case_id, reason, outcome, ip"
/* Binds one row to parameters first..first+8 of an INSERT INTO audit(AUDIT_COLUMNS). */
void audit_bind(struct db_stmt *s, int first, const struct principal *who, const char *ip,
		int64_t now, const struct audit_entry *a);

/* Writer side: inserts one row for principal `who` at `now`. */
int audit_insert(struct db *db, const struct principal *who, const char *ip, int64_t now,
		 const struct audit_entry *a, struct err *e);

/* Writes the rows (skipping a citizen's allowed reads of their own record unless
 * own_logged), then replies
 * with status and body. Rows and their strings must live in r's arena. */
void audit_reply(struct req *r, int status, struct jw *body, struct audit_entry *rows, int n);

/* As audit_reply, but once the rows are durable it calls then(r, arg), which replies
 * (with bytes that are not JSON: an attachment); on a failed audit it replies the error
 * and then is not called. */
void audit_then(struct req *r, struct audit_entry *rows, int n,
		void (*then)(struct req *r, void *arg), void *arg);

/* Refuses a read with 403 forbidden in the API's error shape (field and message as
 * given), a's row written as denied first, as audit_reply does. a lives in r's arena. */
void audit_refuse(struct req *r, struct audit_entry *a, const char *field, const char *message);

/* 1 if `who` holds a live caller context for person_id. */
int audit_has_context(struct db *db, const struct principal *who, int64_t person_id, int64_t now);

/* An action's code in Persian words ("case_read": "دیدن پرونده"); an unknown code as is. */
const char *audit_action_words(const char *code);

/* ?group=contact on both reads: one row per staff member per contact (the same user
 * reading the same person, each read within 30 minutes of the next) with its count, first
 * and last time, and the actions, cases and reasons as codes. */
void audit_h_access_log(struct req *r); /* GET /api/v1/me/access-log */
void audit_h_query(struct req *r);	/* GET /api/v1/audit */
void audit_h_export(struct req *r);	/* GET /api/v1/audit.xlsx: the query as a workbook */

#endif
