#include "audit/audit.h"

#include "app.h"
#include "audit/spool.h"
#include "http/http.h"

#include "base/jalali.h"
#include "base/natid.h"
#include "base/text.h"
#include "people/people.h"
#include "xlsx/xlsx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void audit_bind(struct db_stmt *s, int first, const struct principal *who, const char *ip,
		int64_t now, const struct audit_entry *a)
{
	db_bind_int(s, first, now);
	if (who->user_id)
		db_bind_int(s, first + 1, who->user_id);
	/* not copied: every caller steps and ends the statement while its entry lives */
	db_bind_text_ref(s, first + 2, role_name(who->role));
	db_bind_text_ref(s, first + 3, a->action);
	if (a->person_id)
		db_bind_int(s, first + 4, a->person_id);
	if (a->case_id)
		db_bind_int(s, first + 5, a->case_id);
	db_bind_text_ref(s, first + 6, a->reason ? a->reason : "");
	db_bind_text_ref(s, first + 7, a->denied ? "denied" : "allowed");
	db_bind_text_ref(s, first + 8, ip ? ip : "");
}

int audit_insert(struct db *db, const struct principal *who, const char *ip, int64_t now,
		 const struct audit_entry *a, struct err *e)
{
	struct db_stmt *s = db_prepare(db, "INSERT INTO audit(" AUDIT_COLUMNS ")"
					   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
	audit_bind(s, 1, who, ip, now, a);
	int rc = db_step(s);
	db_done(s);
	if (rc < 0)
		return err_set(e, 500, "internal", "", "audit: %s", db_errmsg(db));
	if (a->grant_context && a->person_id && !a->denied) {
		struct db_stmt *c = db_prepare(
		    db, "INSERT INTO caller_contexts(user_id, person_id, until) VALUES ($1,$2,$3)"
			" ON CONFLICT(user_id, person_id) DO UPDATE SET until = excluded.until");
		db_bind_int(c, 1, who->user_id);
		db_bind_int(c, 2, a->person_id);
		db_bind_int(c, 3, now + CALLER_CONTEXT_SECONDS);
		rc = db_step(c);
		db_done(c);
		if (rc < 0)
			return err_set(e, 500, "internal", "", "caller context: %s", db_errmsg(db));
	}
	return 0;
}

int audit_has_context(struct db *db, const struct principal *who, int64_t person_id, int64_t now)
{
	struct db_stmt *s = db_prepare(db, "SELECT 1 FROM caller_contexts WHERE user_id = $1"
					   " AND person_id = $2 AND until > $3");
	db_bind_int(s, 1, who->user_id);
	db_bind_int(s, 2, person_id);
	db_bind_int(s, 3, now);
	int ok = db_step(s) == 1;
	db_done(s);
	return ok;
}

struct audit_job {
	struct req *r;
	int status;
	struct jw body;
	struct audit_entry *rows;
	int n;
	int64_t now;
	void (*then)(struct req *r, void *arg); /* replies instead of body (audit_then) */
	void *then_arg;
	struct write_job job;	  /* through the writer: rows that open a caller context */
	struct audit_batch batch; /* through the spool: the others */
};

static int audit_job_run(struct db *db, void *arg, struct err *e)
{
	struct audit_job *j = arg;
	for (int i = 0; i < j->n; i++) {
		struct audit_entry *a = &j->rows[i];
		if (a->enrol_national_id &&
		    people_ensure(db, a->enrol_national_id, NULL, j->now, &a->person_id, e) < 0)
			return -1;
		if (audit_insert(db, &j->r->who, j->r->ip, j->now, a, e) < 0)
			return -1;
	}
	return 0;
}

static void audit_job_done(void *arg, int rc, const struct err *e)
{
	struct audit_job *j = arg;
	if (rc < 0) {
		/* No audit row, no personal data: the read is refused. */
		jw_release(&j->body);
		reply_error(j->r, e);
		return;
	}
	if (j->then) {
		jw_release(&j->body);
		j->then(j->r, j->then_arg);
	} else
		reply_jw(j->r, j->status, &j->body);
}

/* The rows written, then the reply: body with status, or then(r, arg). */
static void audit_submit(struct req *r, int status, struct jw *body, struct audit_entry *rows,
			 int n, void (*then)(struct req *r, void *arg), void *arg)
{
	int kept = 0;
	for (int i = 0; i < n; i++)
		if (rows[i].denied || rows[i].own_logged ||
		    !(r->who.role == ROLE_CITIZEN && rows[i].person_id == r->who.person_id))
			rows[kept++] = rows[i];
	if (!kept) {
		if (then)
			then(r, arg);
		else
			reply_jw(r, status, body);
		return;
	}
	struct audit_job *j = arena_alloc(&r->arena, sizeof *j);
	j->r = r;
	j->status = status;
	j->then = then;
	j->then_arg = arg;
	if (body) {
		j->body = *body;
		jw_init(body);
	} else {
		jw_init(&j->body);
	}
	j->rows = rows;
	j->n = kept;
	j->now = req_now();
	j->job.run = audit_job_run;
	j->job.done = audit_job_done;
	j->job.arg = j;
	j->job.no_savepoint = 1; /* rows of a refused read may stand: the log over-tells */
	/* A caller context, or a person enrolled from the lists, is state the next request
	 * reads at once: those rows go through the writer. The rest are spooled
	 * (audit/spool.h). */
	int state = 0;
	for (int i = 0; i < kept; i++)
		state |= (rows[i].grant_context && rows[i].person_id && !rows[i].denied) ||
			 rows[i].enrol_national_id;
	if (r->app->spool && !state) {
		j->batch = (struct audit_batch){
		    .who = &r->who, .ip = r->ip, .now = j->now, .rows = rows, .n = kept};
		j->batch.job.done = audit_job_done;
		j->batch.job.arg = j;
		req_wait(r, &j->batch.job);
		if (audit_spool_submit(r->app->spool, &j->batch) == 0)
			return;
	}
	req_write(r, &j->job);
}

void audit_reply(struct req *r, int status, struct jw *body, struct audit_entry *rows, int n)
{
	audit_submit(r, status, body, rows, n, NULL, NULL);
}

void audit_then(struct req *r, struct audit_entry *rows, int n,
		void (*then)(struct req *r, void *arg), void *arg)
{
	audit_submit(r, 0, NULL, rows, n, then, arg);
}

void audit_refuse(struct req *r, struct audit_entry *a, const char *field, const char *message)
{
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	jw_object(&w, "error");
	jw_str(&w, "code", "forbidden");
	jw_str(&w, "message", message);
	jw_str(&w, "field", field);
	jw_end(&w);
	jw_end(&w);
	a->denied = 1;
	audit_reply(r, 403, &w, a, 1);
}

/* ---- reading the log: first the spooled entries into journal.audit ---- */

struct import_job {
	struct req *r;
	void (*then)(struct req *r);
	struct audit_import x;
	struct write_job job;
};

static int import_run(struct db *db, void *arg, struct err *e)
{
	struct import_job *j = arg;
	return audit_spool_import(j->r->app->spool, db, &j->x, e);
}

static void import_done(void *arg, int rc, const struct err *e)
{
	struct import_job *j = arg;
	if (rc < 0) {
		reply_error(j->r, e); /* an incomplete log is not shown */
		return;
	}
	audit_spool_imported(j->r->app->spool, &j->x);
	j->then(j->r);
}

/* Runs then(r) once every durable entry is in journal.audit. */
static void after_import(struct req *r, void (*then)(struct req *r))
{
	if (!r->app->spool) {
		then(r);
		return;
	}
	struct import_job *j = arena_alloc(&r->arena, sizeof *j);
	j->r = r;
	j->then = then;
	req_write_job(r, &j->job, import_run, import_done, j);
}

static int parse_cursor(struct req *r, int64_t *cursor)
{
	const char *c = req_query(r, "cursor");
	*cursor = INT64_MAX;
	if (!c)
		return 0;
	char *end;
	long long v = strtoll(c, &end, 10);
	if (*end || v < 1) {
		reply_errorf(r, 400, "invalid_field", "cursor", "cursor is not one we gave");
		return -1;
	}
	*cursor = v;
	return 0;
}

static json_t *audit_row_json(struct db_stmt *s, int with_person)
{
	char at[21];
	iso_format(db_col_int(s, 1), at);
	/* Staff are named to the citizen whose record they read; another citizen who tried
	 * is not: their identity is their own personal data. */
	int named = with_person || strcmp(db_col_text(s, 2), "citizen") != 0;
	json_t *o = json_pack(
	    "{s:I,s:s,s:s,s:s,s:s,s:s,s:s?,s:s?,s:s?}", "id", (json_int_t)db_col_int(s, 0), "at",
	    at, "role", db_col_text(s, 2), "action", db_col_text(s, 3), "reason", db_col_text(s, 4),
	    "outcome", db_col_text(s, 5), "user", named ? db_col_text(s, 6) : NULL, "user_name",
	    named ? db_col_text(s, 7) : NULL, "department", db_col_text(s, 8));
	json_object_set_new(o, "case_number",
			    db_col_text(s, 9) ? json_string(db_col_text(s, 9)) : json_null());
	if (with_person)
		json_object_set_new(o, "national_id",
				    db_col_text(s, 10) ? json_string(db_col_text(s, 10))
						       : json_null());
	return o;
}

#define AUDIT_SELECT                                                                               \
	"SELECT a.id, a.at, a.role, a.action, a.reason, a.outcome, u.login, u.name, d.code,"       \
	" c.number, p.national_id FROM audit a LEFT JOIN users u ON u.id = a.user_id"              \
	" LEFT JOIN departments d ON d.id = u.department_id"                                       \
	" LEFT JOIN cases c ON c.id = a.case_id LEFT JOIN people p ON p.id = a.person_id"

static void reply_page(struct req *r, struct db_stmt *s, int limit, int with_person)
{
	json_t *items = json_array();
	int64_t last = 0;
	int n = 0, more = 0;
	while (db_step(s) == 1) {
		if (n == limit) {
			more = 1;
			break;
		}
		last = db_col_int(s, 0);
		json_array_append_new(items, audit_row_json(s, with_person));
		n++;
	}
	db_done(s);
	json_t *out = json_pack("{s:o}", "items", items);
	json_object_set_new(out, "next",
			    more ? json_string(arena_printf(&r->arena, "%lld", (long long)last))
				 : json_null());
	reply_json(r, 200, out);
}

/* ---- grouped: one row per staff member per contact ---- */

/* A contact: one person's reads of one person's record (the same outcome), each within
 * AUDIT_CONTACT_GAP of the next. The rows come newest first, so a group grows backwards
 * and takes a row no older than its oldest one less the gap. */
#define AUDIT_CONTACT_GAP (30 * 60)
#define AUDIT_RAW_MAX 5000 /* rows read for one page of groups */

struct group {
	json_t *o, *actions, *cases, *reasons;
	char key[200];
	int64_t oldest, count;
};

static void set_add(json_t *set, const char *v, size_t max)
{
	if (!v || !*v)
		return;
	size_t i;
	json_t *x;
	json_array_foreach(set, i, x)
	{
		if (strcmp(json_string_value(x), v) == 0)
			return;
	}
	if (json_array_size(set) < max)
		json_array_append_new(set, json_string(v));
}

/* The groups of up to `limit` contacts from statement s (rows newest first, the columns
 * of AUDIT_SELECT), into items; *next the cursor of the page after, 0 when none. A
 * contact that a page's end cuts shows on both pages. */
static void groups_read(struct db_stmt *s, int limit, int with_person, json_t *items, int64_t *next)
{
	struct group *g = NULL;
	int *open = NULL; /* the groups that may still take a row: few, the staff at work */
	int n = 0, cap = 0, nopen = 0, raw = 0;
	int64_t last = 0;
	*next = 0;
	while (db_step(s) == 1) {
		raw++;
		int64_t id = db_col_int(s, 0), at = db_col_int(s, 1);
		const char *login = db_col_text(s, 6), *nid = db_col_text(s, 10);
		char key[200];
		snprintf(key, sizeof key, "%s|%s|%s|%s", login ? login : "", db_col_text(s, 2),
			 nid ? nid : "", db_col_text(s, 5));
		int i = n, kept = 0;
		for (int k = 0; k < nopen; k++) {
			struct group *o = &g[open[k]];
			if (o->oldest - at > AUDIT_CONTACT_GAP)
				continue; /* closed: rows come no newer than this one */
			open[kept++] = open[k];
			if (strcmp(o->key, key) == 0)
				i = open[k];
		}
		nopen = kept;
		if (i == n) {
			if (n == limit) {
				*next = id + 1; /* this row starts the next page */
				break;
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				struct group *ng = realloc(g, (size_t)cap * sizeof *g);
				int *no = ng ? realloc(open, (size_t)cap * sizeof *open) : NULL;
				if (!ng || !no)
					abort();
				g = ng;
				open = no;
			}
			memset(&g[n], 0, sizeof g[n]);
			open[nopen++] = n;
			json_t *row = audit_row_json(s, with_person);
			g[n].o = row;
			json_object_set(row, "last_at", json_object_get(row, "at"));
			json_object_del(row, "id");
			json_object_del(row, "at");
			json_object_del(row, "action");
			json_object_del(row, "reason");
			json_object_del(row, "case_number");
			g[n].actions = json_array();
			g[n].cases = json_array();
			g[n].reasons = json_array();
			snprintf(g[n].key, sizeof g[n].key, "%s", key);
			n++;
		}
		struct group *x = &g[i];
		x->oldest = at;
		x->count++;
		char first[21];
		iso_format(at, first);
		json_object_set_new(x->o, "first_at", json_string(first));
		set_add(x->actions, db_col_text(s, 3), 16);
		set_add(x->cases, db_col_text(s, 9), 20);
		set_add(x->reasons, db_col_text(s, 4), 5);
		last = id;
	}
	db_done(s);
	if (!*next && raw == AUDIT_RAW_MAX)
		*next = last;
	for (int i = 0; i < n; i++) {
		json_object_set_new(g[i].o, "count", json_integer(g[i].count));
		json_object_set_new(g[i].o, "actions", g[i].actions);
		json_object_set_new(g[i].o, "cases", g[i].cases);
		json_object_set_new(g[i].o, "reasons", g[i].reasons);
		json_array_append_new(items, g[i].o);
	}
	free(g);
	free(open);
}

/* ?group=contact: 1; absent: 0; else 400 and -1. */
static int parse_group(struct req *r)
{
	const char *v = req_query(r, "group");
	if (!v)
		return 0;
	if (strcmp(v, "contact") != 0) {
		reply_errorf(r, 400, "invalid_field", "group", "group is contact or absent");
		return -1;
	}
	return 1;
}

static void reply_groups(struct req *r, struct db_stmt *s, int limit, int with_person)
{
	json_t *items = json_array();
	int64_t next;
	groups_read(s, limit, with_person, items, &next);
	json_t *out = json_pack("{s:o}", "items", items);
	json_object_set_new(out, "next",
			    next ? json_string(arena_printf(&r->arena, "%lld", (long long)next))
				 : json_null());
	reply_json(r, 200, out);
}

static void access_log(struct req *r)
{
	int limit, group;
	int64_t cursor;
	if (req_limit(r, &limit) < 0 || parse_cursor(r, &cursor) < 0 ||
	    (group = parse_group(r)) < 0)
		return;
	if (!r->who.person_id) {
		reply_json(r, 200, json_pack("{s:[],s:n}", "items", "next"));
		return;
	}
	/* A citizen sees staff reads of their record; their own reads are not logged. */
	struct db_stmt *s =
	    db_prepare(req_db(r), AUDIT_SELECT " WHERE a.person_id = $1 AND"
					       " a.id < $2 ORDER BY a.id DESC LIMIT $3");
	db_bind_int(s, 1, r->who.person_id);
	db_bind_int(s, 2, cursor);
	db_bind_int(s, 3, group ? AUDIT_RAW_MAX : limit + 1);
	if (group)
		reply_groups(r, s, limit, 0);
	else
		reply_page(r, s, limit, 0);
}

/* The auditor's query's statement, its filters read from r and bound, limit rows at
 * most; NULL having replied 400. */
static struct db_stmt *query_statement(struct req *r, int64_t cursor, int limit)
{
	const char *nid = req_query(r, "national_id");
	if (nid)
		nid = text_digits(&r->arena, nid, 10, 10);
	const char *user = req_query(r, "user");
	const char *from = req_query(r, "from"), *to = req_query(r, "to");
	int64_t tfrom = 0, tto = INT64_MAX;
	if (req_query(r, "national_id") && (!nid || !natid_valid(nid))) {
		reply_errorf(r, 400, "invalid_national_id", "national_id",
			     "not a valid national id");
		return NULL;
	}
	if (from && iso_parse(from, &tfrom) < 0) {
		reply_errorf(r, 400, "invalid_field", "from", "from must be an ISO-8601 date");
		return NULL;
	}
	if (to && iso_parse(to, &tto) < 0) {
		reply_errorf(r, 400, "invalid_field", "to", "to must be an ISO-8601 date");
		return NULL;
	}
	struct db_stmt *s = db_prepare(
	    req_db(r), AUDIT_SELECT " WHERE a.id < $1"
				    " AND (CAST($2 AS TEXT) IS NULL OR p.national_id = $2)"
				    " AND (CAST($3 AS TEXT) IS NULL OR u.login = $3)"
				    " AND a.at >= $4 AND a.at < $5 ORDER BY a.id DESC LIMIT $6");
	db_bind_int(s, 1, cursor);
	db_bind_text(s, 2, nid);
	db_bind_text(s, 3, user);
	db_bind_int(s, 4, tfrom);
	db_bind_int(s, 5, tto);
	db_bind_int(s, 6, limit);
	return s;
}

static void query(struct req *r)
{
	int limit, group;
	int64_t cursor;
	if (req_limit(r, &limit) < 0 || parse_cursor(r, &cursor) < 0 ||
	    (group = parse_group(r)) < 0)
		return;
	struct db_stmt *s = query_statement(r, cursor, group ? AUDIT_RAW_MAX : limit + 1);
	if (!s)
		return;
	if (group)
		reply_groups(r, s, limit, 1);
	else
		reply_page(r, s, limit, 1);
}

/* ---- the auditor's export ---- */

#define AUDIT_EXPORT_MAX 50000 /* rows in one workbook; narrow the query for more */

static const struct {
	const char *code, *words;
} action_words[] = {
    {"person_read", "شناسایی تماس‌گیرنده و دیدن کارت او"},
    {"call_read", "دیدن تماس و کارت تماس‌گیرنده"},
    {"case_read", "دیدن پرونده"},
    {"case_list", "جست‌وجو و دیدن فهرست پرونده‌ها"},
    {"case_create", "ثبت پرونده"},
    {"case_event", "اقدام روی پرونده"},
    {"record_read", "دیدن سوابق بیمه"},
    {"workshop_read", "دیدن کارگاه"},
    {"audit_read", "دیدن گزارش دسترسی"},
    {"otp_start", "درخواست رمز یکبار مصرف ورود"},
    {"otp_verify", "ورود با رمز یکبار مصرف"},
    {"document_issue", "صدور گواهی یا فیش"},
    {"document_verify", "استعلام اصالت گواهی"},
};

const char *audit_action_words(const char *code)
{
	for (size_t i = 0; code && i < sizeof action_words / sizeof *action_words; i++)
		if (strcmp(action_words[i].code, code) == 0)
			return action_words[i].words;
	return code;
}

static const char *role_words(const char *role)
{
	static const char *const names[][2] = {
	    {"admin", "مدیر سامانه"},  {"supervisor", "سرپرست"},    {"agent", "کارشناس ۱۴۲۰"},
	    {"specialist", "کارشناس"}, {"desk", "کارشناس پیشخوان"}, {"citizen", "شهروند"},
	    {"auditor", "حسابرس"},     {"employer", "کارفرما"}, {"telephony", "سامانه تلفن"}};
	for (size_t i = 0; role && i < sizeof names / sizeof *names; i++)
		if (strcmp(names[i][0], role) == 0)
			return names[i][1];
	return role;
}

static const char *outcome_words(const char *o)
{
	return o && strcmp(o, "denied") == 0 ? "رد شد" : "مجاز";
}

static void export_rows(struct xlsx *x, struct db_stmt *s)
{
	static const char *const heads[] = {"زمان",	"نقش",	  "کاربر",  "نام",  "واحد", "اقدام",
					    "کد اقدام", "کد ملی", "پرونده", "دلیل", "نتیجه"};
	xlsx_sheet(x, "گزارش دسترسی", heads, 11);
	while (db_step(s) == 1) {
		xlsx_row(x);
		xlsx_time(x, db_col_int(s, 1));
		xlsx_text(x, role_words(db_col_text(s, 2)));
		xlsx_text(x, db_col_text(s, 6));
		xlsx_text(x, db_col_text(s, 7));
		xlsx_text(x, db_col_text(s, 8));
		xlsx_text(x, audit_action_words(db_col_text(s, 3)));
		xlsx_text(x, db_col_text(s, 3));
		xlsx_text(x, db_col_text(s, 10));
		xlsx_text(x, db_col_text(s, 9));
		xlsx_text(x, db_col_text(s, 4));
		xlsx_text(x, outcome_words(db_col_text(s, 5)));
	}
	db_done(s);
}

static void export_groups(struct xlsx *x, struct db_stmt *s)
{
	static const char *const heads[] = {"از",
					    "تا",
					    "بار",
					    "نقش",
					    "کاربر",
					    "نام",
					    "واحد",
					    "کد ملی",
					    "اقدام‌ها",
					    "کد اقدام‌ها",
					    "پرونده‌ها",
					    "نتیجه"};
	xlsx_sheet(x, "تماس‌ها", heads, 12);
	json_t *items = json_array();
	int64_t next;
	groups_read(s, AUDIT_EXPORT_MAX, 1, items, &next);
	size_t i;
	json_t *g;
	json_array_foreach(items, i, g)
	{
		int64_t first = 0, last = 0;
		iso_parse(json_string_value(json_object_get(g, "first_at")), &first);
		iso_parse(json_string_value(json_object_get(g, "last_at")), &last);
		xlsx_row(x);
		xlsx_time(x, first);
		xlsx_time(x, last);
		xlsx_num(x, (double)json_integer_value(json_object_get(g, "count")));
		xlsx_text(x, role_words(json_string_value(json_object_get(g, "role"))));
		xlsx_text(x, json_string_value(json_object_get(g, "user")));
		xlsx_text(x, json_string_value(json_object_get(g, "user_name")));
		xlsx_text(x, json_string_value(json_object_get(g, "department")));
		xlsx_text(x, json_string_value(json_object_get(g, "national_id")));
		char words[600] = "", codes[400] = "", cases[600] = "";
		size_t k;
		json_t *v;
		json_array_foreach(json_object_get(g, "actions"), k, v)
		{
			const char *c = json_string_value(v);
			snprintf(words + strlen(words), sizeof words - strlen(words), "%s%s",
				 k ? "، " : "", audit_action_words(c));
			snprintf(codes + strlen(codes), sizeof codes - strlen(codes), "%s%s",
				 k ? " " : "", c);
		}
		json_array_foreach(json_object_get(g, "cases"), k, v)
		{
			snprintf(cases + strlen(cases), sizeof cases - strlen(cases), "%s%s",
				 k ? " " : "", json_string_value(v));
		}
		xlsx_text(x, words);
		xlsx_text(x, codes);
		xlsx_text(x, cases);
		xlsx_text(x, outcome_words(json_string_value(json_object_get(g, "outcome"))));
	}
	json_decref(items);
}

static void export(struct req *r)
{
	int group;
	int64_t cursor;
	if (parse_cursor(r, &cursor) < 0 || (group = parse_group(r)) < 0)
		return;
	struct db_stmt *s = query_statement(r, cursor, AUDIT_EXPORT_MAX);
	if (!s)
		return;
	struct err e;
	struct xlsx *x = xlsx_new(&e);
	if (!x) {
		db_done(s);
		reply_error(r, &e);
		return;
	}
	if (group)
		export_groups(x, s);
	else
		export_rows(x, s);
	char *data = NULL;
	size_t len = 0;
	if (xlsx_finish(x, &data, &len, &e) < 0) {
		reply_error(r, &e);
		return;
	}
	req_set_header(r, "Content-Disposition", "attachment; filename=\"tamin-audit.xlsx\"");
	reply_bytes(r, 200, XLSX_TYPE, data, len);
}

void audit_h_access_log(struct req *r)
{
	after_import(r, access_log);
}

void audit_h_query(struct req *r)
{
	after_import(r, query);
}

void audit_h_export(struct req *r)
{
	after_import(r, export);
}
