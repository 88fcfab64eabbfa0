/* Issuing a paper (its content built, stored once with a new code, audited, answered as
 * JSON or PDF) and verifying one. */
#include "documents/internal.h"

#include "app.h"
#include "http/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "base/tally.h"
#include "base/text.h"
#include "workshops/workshops.h"

struct documents *documents_new(const char *public_url, int verify_limit)
{
	struct documents *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	/* a minute's window; as many addresses as the failed logins' map */
	d->verify_tally = tally_new(65536, 60);
	if (!d->verify_tally) {
		free(d);
		return NULL;
	}
	size_t n = strlen(public_url);
	while (n && public_url[n - 1] == '/')
		n--;
	d->public_url = strndup(public_url, n);
	d->verify_limit = verify_limit;
	return d;
}

void documents_free(struct documents *d)
{
	if (!d)
		return;
	tally_free(d->verify_tally);
	free((char *)d->public_url);
	free(d);
}

/* ---- one paper, issued ---- */

enum format { AS_PDF, AS_JSON };

struct issue {
	struct req *r;
	struct doc_subject s;
	enum format format;
	char *content; /* canonical, malloc'd (freed with the request) */
	char sha[65];
	char code[DOC_CODE_LEN + 1];
	char reason[32]; /* the audit row's: the kind and the code */
	struct audit_entry a;
	struct write_job job;
};

static const char *verify_url(struct req *r, const char *code)
{
	char shown[DOC_CODE_SHOWN + 1];
	doc_code_show(code, shown);
	const char *base = r->app->documents ? r->app->documents->public_url : "";
	return arena_printf(&r->arena, "%s/verify/%s", base, shown);
}

/* ?format=json|pdf, pdf when absent: 0, or -1 having replied 400 naming format */
static int format_of(struct req *r, enum format *f)
{
	const char *v = req_query(r, "format");
	*f = AS_PDF;
	if (!v || !strcmp(v, "pdf"))
		return 0;
	if (!strcmp(v, "json")) {
		*f = AS_JSON;
		return 0;
	}
	reply_errorf(r, 400, "invalid_field", "format", "format is json or pdf");
	return -1;
}

static void reply_paper(struct req *r, struct issue *x)
{
	const char *url = verify_url(r, x->code);
	if (x->format == AS_JSON) {
		char shown[DOC_CODE_SHOWN + 1];
		doc_code_show(x->code, shown);
		struct jw w;
		jw_init(&w);
		jw_object(&w, NULL);
		jw_str(&w, "kind", doc_kind_name(x->s.kind));
		jw_str(&w, "code", shown);
		jw_str(&w, "verify_url", url);
		jw_str(&w, "sha256", x->sha);
		jw_raw(&w, "content", x->content);
		jw_end(&w);
		reply_jw(r, 200, &w);
		return;
	}
	char *pdf;
	size_t len;
	struct err e = {0};
	if (documents_pdf(x->content, x->code, url, &pdf, &len, &e) < 0) {
		reply_error(r, &e);
		return;
	}
	const char *name = x->s.kind == DOC_PAYSLIP
			       ? arena_printf(&r->arena, "attachment; filename=\"payslip-%04d-%02d-%s.pdf\"",
					      x->s.year, x->s.month, x->code)
			       : arena_printf(&r->arena, "attachment; filename=\"%s-%s.pdf\"",
					      doc_kind_name(x->s.kind), x->code);
	req_set_header(r, "Content-Disposition", name);
	reply_bytes(r, 200, "application/pdf", pdf, len);
}

static void issued_then(struct req *r, void *arg) { reply_paper(r, arg); }

static int issue_run(struct db *db, void *arg, struct err *e)
{
	struct issue *x = arg;
	struct db_stmt *s = db_prepare(
	    db, "INSERT INTO documents(code, kind, person_id, workshop_id, content, sha256,"
		" issued_at, issued_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
	if (!s)
		return db_fail(db, e);
	/* 80 random bits: a code already taken is all but impossible, and then drawn again */
	for (int tries = 0;; tries++) {
		doc_code_new(x->code);
		db_bind_text(s, 1, x->code);
		db_bind_text(s, 2, doc_kind_name(x->s.kind));
		if (x->s.person_id)
			db_bind_int(s, 3, x->s.person_id);
		else
			db_bind_null(s, 3);
		if (x->s.workshop_id)
			db_bind_int(s, 4, x->s.workshop_id);
		else
			db_bind_null(s, 4);
		db_bind_text_ref(s, 5, x->content);
		db_bind_text(s, 6, x->sha);
		db_bind_int(s, 7, req_now());
		if (x->r->who.user_id)
			db_bind_int(s, 8, x->r->who.user_id);
		else
			db_bind_null(s, 8);
		int rc = db_step(s);
		if (rc >= 0)
			break;
		if (!db_is_constraint_error(db) || tries == 3) {
			db_done(s);
			return db_fail(db, e);
		}
		db_done(s);
		s = db_prepare(db, "INSERT INTO documents(code, kind, person_id, workshop_id,"
				   " content, sha256, issued_at, issued_by) VALUES ($1, $2, $3,"
				   " $4, $5, $6, $7, $8)");
	}
	db_done(s);
	/* the issue is audited in its own transaction: a citizen sees it in their log */
	snprintf(x->reason, sizeof x->reason, "%s %s", doc_kind_name(x->s.kind), x->code);
	x->a.reason = x->reason;
	return audit_insert(db, &x->r->who, x->r->ip, req_now(), &x->a, e);
}

static void issue_done(void *arg, int rc, const struct err *e)
{
	struct issue *x = arg;
	if (rc < 0)
		reply_error(x->r, e);
	else
		reply_paper(x->r, x);
}

/* The paper of x->s: built, then the same one already issued, or a new one. Replies. */
static void issue(struct req *r, struct issue *x)
{
	struct err e = {0};
	json_t *content;
	x->r = r;
	if (doc_build(req_db(r), r->app->rules, &x->s, &r->arena, &content, &e) < 0) {
		reply_error(r, &e);
		return;
	}
	x->content = doc_canonical(content);
	json_decref(content);
	if (!x->content) {
		reply_errorf(r, 503, "out_of_memory", "", "try again in a moment");
		return;
	}
	arena_defer(&r->arena, free, x->content);
	/* the pay slip names the month it found */
	if (x->s.kind == DOC_PAYSLIP) {
		json_t *c = json_loads(x->content, 0, NULL);
		sscanf(json_string_value(json_object_get(c, "month")), "%d/%d", &x->s.year,
		       &x->s.month);
		json_decref(c);
	}
	doc_digest(x->content, strlen(x->content), x->sha);
	x->a.action = "document_issue";
	x->a.person_id = x->s.person_id;
	x->a.own_logged = 1;
	/* the same paper today, nothing on it changed: the one issued, with its code */
	struct db_stmt *s =
	    x->s.person_id
		? db_prepare(req_db(r), "SELECT code FROM documents WHERE person_id = $1 AND"
					" kind = $2 AND sha256 = $3 ORDER BY id LIMIT 1")
		: db_prepare(req_db(r), "SELECT code FROM documents WHERE workshop_id = $1 AND"
					" kind = $2 AND sha256 = $3 ORDER BY id LIMIT 1");
	if (!s) {
		reply_errorf(r, 500, "internal", "", "the documents cannot be read");
		return;
	}
	db_bind_int(s, 1, x->s.person_id ? x->s.person_id : x->s.workshop_id);
	db_bind_text(s, 2, doc_kind_name(x->s.kind));
	db_bind_text(s, 3, x->sha);
	int found = db_step(s) == 1;
	if (found)
		snprintf(x->code, sizeof x->code, "%s", db_col_text(s, 0));
	db_done(s);
	if (found) {
		snprintf(x->reason, sizeof x->reason, "%s %s", doc_kind_name(x->s.kind), x->code);
		x->a.reason = x->reason;
		audit_then(r, &x->a, 1, issued_then, x);
		return;
	}
	/* the code is drawn in the writer, which writes the audit row with it */
	req_write_job(r, &x->job, issue_run, issue_done, x);
}

void documents_h_mine(struct req *r)
{
	struct issue *x = arena_alloc(&r->arena, sizeof *x);
	int kind = doc_kind_parse(r->param[0]);
	if (kind < 0 || kind == DOC_CLEARANCE) {
		reply_errorf(r, 400, "invalid_field", "kind",
			     kind == DOC_CLEARANCE
				 ? "the clearance is a workshop's: "
				   "/api/v1/workshops/{code}/documents/clearance"
				 : "kind is payslip, history or salary");
		return;
	}
	x->s.kind = kind;
	if (format_of(r, &x->format) < 0)
		return;
	const char *month = req_query(r, "month");
	if (month && kind != DOC_PAYSLIP) {
		reply_errorf(r, 400, "invalid_field", "month", "only a pay slip is of a month");
		return;
	}
	if (month && doc_month_parse(month, strlen(month), &x->s.year, &x->s.month) < 0) {
		reply_errorf(r, 400, "invalid_field", "month",
			     "month is a Jalali year and month such as 1404/07");
		return;
	}
	if (!r->who.person_id) {
		reply_errorf(r, 404, "not_found", "person",
			     "your account names no person: no paper can be issued to it");
		return;
	}
	x->s.person_id = r->who.person_id;
	x->s.issued = tehran_from_unix(req_now()).date;
	issue(r, x);
}

void documents_h_clearance(struct req *r)
{
	struct issue *x = arena_alloc(&r->arena, sizeof *x);
	if (format_of(r, &x->format) < 0)
		return;
	/* as GET /api/v1/workshops/{code}: the same answers, audited as a paper's issue */
	char *code;
	int64_t id = workshops_path(r, "document_issue", "clearance", &code);
	if (!id)
		return;
	x->s.kind = DOC_CLEARANCE;
	x->s.workshop_id = id;
	x->s.issued = tehran_from_unix(req_now()).date;
	issue(r, x);
}

/* ---- verification ---- */

/* An address's key: IPv6 by its /64, as the failed logins count them. */
static void address_key(const char *ip, char out[80])
{
	struct in6_addr a;
	char net[INET6_ADDRSTRLEN];
	if (inet_pton(AF_INET6, ip, &a) == 1 && !IN6_IS_ADDR_V4MAPPED(&a)) {
		memset(a.s6_addr + 8, 0, 8);
		if (inet_ntop(AF_INET6, &a, net, sizeof net)) {
			snprintf(out, 80, "v:%s/64", net);
			return;
		}
	}
	snprintf(out, 80, "v:%s", ip);
}

static void not_genuine(struct req *r, const char *why)
{
	struct audit_entry *a = arena_alloc(&r->arena, sizeof *a);
	*a = (struct audit_entry){.action = "document_verify", .reason = why, .denied = 1};
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	jw_bool(&w, "genuine", 0);
	jw_object(&w, "error");
	jw_str(&w, "code", "not_genuine");
	jw_str(&w, "field", "code");
	jw_str(&w, "message", "no genuine document has this code");
	jw_end(&w);
	jw_end(&w);
	audit_reply(r, 404, &w, a, 1);
}

void documents_h_verify(struct req *r)
{
	struct documents *d = r->app->documents;
	if (d && d->verify_limit) {
		char key[80];
		address_key(r->ip, key);
		int n = tally_add(d->verify_tally, key, 1, req_now());
		if (n == TALLY_FULL || n > d->verify_limit) {
			req_set_header(r, "Retry-After", "60");
			reply_errorf(r, 429, "too_many_requests", "code",
				     "too many verifications from your address: try again in a "
				     "minute");
			return;
		}
	}
	char code[DOC_CODE_LEN + 1];
	const char *in = r->param[0];
	if (doc_code_normalize(in, strlen(in), code) < 0) {
		reply_errorf(r, 400, "invalid_field", "code",
			     "a verification code is 16 letters and digits, such as "
			     "7K2M-9QXD-4R8T-B3VN");
		return;
	}
	struct db_stmt *s = db_prepare(req_db(r), "SELECT id, kind, person_id, content, sha256,"
						  " issued_at FROM documents WHERE code = $1");
	if (!s) {
		reply_errorf(r, 500, "internal", "", "the documents cannot be read");
		return;
	}
	db_bind_text(s, 1, code);
	if (db_step(s) != 1) {
		db_done(s);
		not_genuine(r, arena_printf(&r->arena, "unknown code %s", code));
		return;
	}
	int64_t id = db_col_int(s, 0), person = db_col_int(s, 2), at = db_col_int(s, 5);
	const char *kind = arena_strdup(&r->arena, db_col_text(s, 1));
	const char *content = arena_strdup(&r->arena, db_col_text(s, 3));
	char sha[65];
	snprintf(sha, sizeof sha, "%s", db_col_text(s, 4));
	db_done(s);
	/* a row changed behind the application's back no longer matches its digest: told
	 * as an unknown code is, and said on the log */
	char now_sha[65];
	doc_digest(content, strlen(content), now_sha);
	json_t *c = json_loads(content, 0, NULL);
	if (strcmp(sha, now_sha) || !c) {
		json_decref(c);
		fprintf(stderr, "tamin: document %lld does not match its digest: altered\n",
			(long long)id);
		not_genuine(r, arena_printf(&r->arena, "altered document %s", code));
		return;
	}
	json_decref(c);
	struct audit_entry *a = arena_alloc(&r->arena, sizeof *a);
	*a = (struct audit_entry){.action = "document_verify",
				  .person_id = person,
				  .reason = arena_printf(&r->arena, "%s %s", kind, code)};
	char shown[DOC_CODE_SHOWN + 1];
	doc_code_show(code, shown);
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	jw_bool(&w, "genuine", 1);
	jw_str(&w, "code", shown);
	jw_str(&w, "kind", kind);
	jw_time(&w, "issued_at", at);
	jw_raw(&w, "content", content);
	jw_end(&w);
	audit_reply(r, 200, &w, a, 1);
}
