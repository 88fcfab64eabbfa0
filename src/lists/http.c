/* POST /api/v1/lists: a monthly list uploaded by an employer or by staff, as the two DBF
 * files (base64 in JSON), as the two files' rows in CSV text (listfile/csv.h), or as JSON
 * rows; stored whole (201) or refused whole (422 with every problem by file, row and
 * field). The check and the store run in the writer. */
#include "lists/lists.h"

#include "app.h"
#include "http/http.h"
#include "listfile/input.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/fields.h"
#include "base/jw.h"

struct upload {
	struct req *r;
	struct list_input in; /* the two files, either form (listfile/input.h) */
	struct list_array array;
	struct list_source src;
	struct list_import im;
	const char *source;
	int stored;
	struct write_job job;
};

static int upload_run(struct db *db, void *arg, struct err *e)
{
	struct upload *u = arg;
	u->stored =
	    list_import(db, u->r->app->rules, &u->r->who, u->source, &u->src, req_now(), &u->im, e);
	return u->stored < 0 ? -1 : 0;
}

static void upload_free(struct upload *u)
{
	list_input_close(&u->in);
	free(u->array.rows);
	list_import_release(&u->im);
}

static void upload_done(void *arg, int rc, const struct err *e)
{
	struct upload *u = arg;
	struct req *r = u->r; /* u lives in r's arena: free what it holds before replying */
	if (rc < 0) {
		upload_free(u);
		reply_error(r, e);
		return;
	}
	struct jw w;
	jw_init(&w);
	jw_object(&w, NULL);
	if (u->stored == 1) {
		list_import_json(&w, &u->im);
	} else {
		jw_object(&w, "error");
		jw_str(&w, "code", "list_invalid");
		char msg[160];
		snprintf(msg, sizeof msg, "the list is refused whole: %zu problem(s)",
			 list_issues_count(&u->im.issues));
		jw_str(&w, "message", msg);
		jw_str(&w, "field", "");
		jw_str(&w, "encoding", codec_name(u->im.encoding));
		list_issues_json(&w, "errors", &u->im.issues);
		jw_end(&w);
	}
	jw_end(&w);
	int status = u->stored == 1 ? 201 : 422;
	upload_free(u);
	reply_jw(r, status, &w);
}

/* base64 text of a field of obj into the arena */
static int b64_field(json_t *obj, const char *name, const char *path, struct arena *a,
		     unsigned char **out, size_t *len, struct err *e)
{
	json_t *v = json_object_get(obj, name);
	if (!json_is_string(v))
		return err_set(e, 400, v ? "invalid_field" : "missing_field", path,
			       "%s is the file's bytes in base64", path);
	size_t n = json_string_length(v);
	*out = arena_alloc(a, n + 1);
	if (sodium_base642bin(*out, n + 1, json_string_value(v), n, " \r\n", len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    *len == 0)
		return err_set(e, 400, "invalid_field", path, "%s is not base64", path);
	return 0;
}

/* {"csv":{"kar","wor"}}: the two files' CSV texts, borrowed from the request's JSON. */
static int csv_texts(json_t *csv, const void **kar, size_t *klen, const void **wor,
		     size_t *wlen, struct err *e)
{
	json_t *k = json_is_object(csv) ? json_object_get(csv, "kar") : NULL;
	json_t *w = json_is_object(csv) ? json_object_get(csv, "wor") : NULL;
	if (!json_is_string(k) || !json_is_string(w))
		return err_set(e, 400, json_is_object(csv) ? "missing_field" : "invalid_field",
			       !json_is_object(csv) ? "csv" : !json_is_string(k) ? "csv.kar" : "csv.wor",
			       "csv is {\"kar\",\"wor\"}: DSKKAR00's and DSKWOR00's rows as CSV text");
	*kar = json_string_value(k);
	*klen = json_string_length(k);
	*wor = json_string_value(w);
	*wlen = json_string_length(w);
	return 0;
}

/* {"dbf":{"kar","wor"}}: the two dBase files' bytes, decoded into the arena. */
static int dbf_bytes(json_t *dbf, struct arena *a, const void **kar, size_t *klen,
		     const void **wor, size_t *wlen, struct err *e)
{
	unsigned char *k = NULL, *w = NULL;
	if (!json_is_object(dbf))
		return err_set(e, 400, "invalid_field", "dbf", "dbf is {\"kar\",\"wor\"} in base64");
	if (b64_field(dbf, "kar", "dbf.kar", a, &k, klen, e) < 0 ||
	    b64_field(dbf, "wor", "dbf.wor", a, &w, wlen, e) < 0)
		return -1;
	*kar = k;
	*wor = w;
	return 0;
}

/* ---- the JSON form ---- */

static int int_of(json_t *o, const char *name, const char *prefix, int64_t min, int64_t max,
		  int64_t *out, struct err *e)
{
	int present;
	*out = 0;
	if (field_int(o, name, 1, min, max, out, &present, e) < 0) {
		char f[64];
		snprintf(f, sizeof f, "%s%s", prefix, e->field);
		snprintf(e->field, sizeof e->field, "%s", f);
		return -1;
	}
	return 0;
}

static int text_of(json_t *o, const char *name, const char *prefix, int required, char *out,
		   size_t size, struct arena *a, struct err *e)
{
	const char *v = NULL;
	if (field_key(o, name, required, 100, a, &v, e) < 0) {
		char f[64];
		snprintf(f, sizeof f, "%s%s", prefix, e->field);
		snprintf(e->field, sizeof e->field, "%s", f);
		return -1;
	}
	snprintf(out, size, "%s", v ? v : "");
	return 0;
}

#define MONEY INT64_C(1000000000000000)

static int json_list(json_t *b, struct list_array *a, struct arena *ar, struct err *e)
{
	json_t *h = json_object_get(b, "header");
	json_t *rows = json_object_get(b, "rows");
	if (!json_is_object(h))
		return err_set(e, 400, h ? "invalid_field" : "missing_field", "header",
			       "header is an object");
	if (!json_is_array(rows))
		return err_set(e, 400, rows ? "invalid_field" : "missing_field", "rows",
			       "rows is an array");
	struct list_header *x = &a->header;
	int64_t v;
	if (text_of(h, "workshop", "header.", 1, x->workshop, sizeof x->workshop, ar, e) < 0 ||
	    text_of(h, "list_no", "header.", 0, x->list_no, sizeof x->list_no, ar, e) < 0)
		return -1;
	if (int_of(h, "year", "header.", 1300, 1500, &v, e) < 0)
		return -1;
	x->year = (int)v;
	if (int_of(h, "month", "header.", 1, 12, &v, e) < 0)
		return -1;
	x->month = (int)v;
	int64_t *hm[] = {&x->workers,	     &x->days,	       &x->daily_wages,	  &x->monthly_wages,
			 &x->benefits,	     &x->insurable,    &x->total,	  &x->worker_share,
			 &x->employer_share, &x->unemployment, &x->hard_job_share};
	static const char *const hn[] = {"workers",	  "days",	   "daily_wages",
					 "monthly_wages", "benefits",	   "insurable",
					 "total",	  "worker_share",  "employer_share",
					 "unemployment",  "hard_job_share"};
	for (int i = 0; i < 11; i++)
		if (int_of(h, hn[i], "header.", 0, MONEY, hm[i], e) < 0)
			return -1;
	if (int_of(h, "rate", "header.", 0, 100, &v, e) < 0)
		return -1;
	x->rate = (int)v;
	a->n = json_array_size(rows);
	a->rows = calloc(a->n ? a->n : 1, sizeof *a->rows);
	if (!a->rows)
		return err_set(e, 500, "internal", "", "out of memory");
	for (size_t i = 0; i < a->n; i++) {
		json_t *o = json_array_get(rows, i);
		char p[32];
		snprintf(p, sizeof p, "rows[%zu].", i);
		if (!json_is_object(o))
			return err_set(e, 400, "invalid_field", "rows",
				       "rows[%zu] is not an object", i);
		struct list_worker *w = &a->rows[i];
		snprintf(w->workshop, sizeof w->workshop, "%s", x->workshop);
		w->year = x->year;
		w->month = x->month;
		snprintf(w->list_no, sizeof w->list_no, "%s", x->list_no);
		char birth[16], sex[8];
		if (text_of(o, "national_id", p, 1, w->national_id, sizeof w->national_id, ar, e) <
			0 ||
		    text_of(o, "insurance_no", p, 1, w->insurance_no, sizeof w->insurance_no, ar,
			    e) < 0 ||
		    text_of(o, "first_name", p, 1, w->first_name, sizeof w->first_name, ar, e) <
			0 ||
		    text_of(o, "last_name", p, 1, w->last_name, sizeof w->last_name, ar, e) < 0 ||
		    text_of(o, "father_name", p, 0, w->father_name, sizeof w->father_name, ar, e) <
			0 ||
		    text_of(o, "job_code", p, 0, w->job_code, sizeof w->job_code, ar, e) < 0 ||
		    text_of(o, "job_title", p, 0, w->job_title, sizeof w->job_title, ar, e) < 0 ||
		    text_of(o, "birth_date", p, 1, birth, sizeof birth, ar, e) < 0 ||
		    text_of(o, "sex", p, 0, sex, sizeof sex, ar, e) < 0)
			return -1;
		if (jalali_parse(birth, &w->birth_date) < 0) {
			err_set(e, 400, "invalid_field", "", "%sbirth_date is a Jalali date", p);
			snprintf(e->field, sizeof e->field, "%sbirth_date", p);
			return -1;
		}
		w->sex = !strcmp(sex, "f")   ? LIST_SEX_FEMALE
			 : !strcmp(sex, "m") ? LIST_SEX_MALE
					     : LIST_SEX_UNKNOWN;
		if (int_of(o, "days", p, 0, 31, &v, e) < 0)
			return -1;
		w->days = (int)v;
		int64_t *rm[] = {&w->daily_wage, &w->monthly_wage, &w->benefits,
				 &w->insurable,	 &w->total,	   &w->worker_share};
		static const char *const rn[] = {"daily_wage", "monthly_wage", "benefits",
						 "insurable",  "total",	       "worker_share"};
		for (int k = 0; k < 6; k++)
			if (int_of(o, rn[k], p, 0, MONEY, rm[k], e) < 0)
				return -1;
	}
	return 0;
}

void lists_h_upload(struct req *r)
{
	struct err e = {0};
	json_t *b = req_json(r, &e);
	if (!b) {
		reply_error(r, &e);
		return;
	}
	struct upload *u = arena_alloc(&r->arena, sizeof *u);
	memset(u, 0, sizeof *u);
	u->r = r;
	list_import_init(&u->im);
	json_t *dbf = json_object_get(b, "dbf"), *csv = json_object_get(b, "csv");
	if (csv || dbf) {
		const void *kar = NULL, *wor = NULL;
		size_t klen = 0, wlen = 0;
		if (csv && csv_texts(csv, &kar, &klen, &wor, &wlen, &e) < 0)
			goto bad;
		if (!csv && dbf_bytes(dbf, &r->arena, &kar, &klen, &wor, &wlen, &e) < 0)
			goto bad;
		if (list_input_open_mem(&u->in, csv ? LIST_FORM_CSV : LIST_FORM_DBF, kar, klen,
					"csv.kar", wor, wlen, "csv.wor", &u->im.issues, &e) < 0) {
			if (!e.field[0]) /* the reader's errors: the pair as a whole */
				snprintf(e.field, sizeof e.field, "%s", csv ? "csv" : "dbf");
			goto bad;
		}
		list_source_files(&u->src, &u->in.r);
		u->source = u->in.source;
	} else {
		static const char *const known[] = {"header", "rows", "dbf", "csv", NULL};
		if (field_only(b, known, &e) < 0 || json_list(b, &u->array, &r->arena, &e) < 0)
			goto bad;
		list_source_array(&u->src, &u->array);
		u->source = "json";
	}
	req_write_job(r, &u->job, upload_run, upload_done, u);
	return;
bad:
	upload_free(u);
	reply_error(r, &e);
}
