/* A paper's content from the records: each kind reads its module's functions, never its
 * tables, and writes only what the paper shows. */
#include "documents/internal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lists/lists.h"
#include "pensions/pensions.h"
#include "people/people.h"
#include "rules/rules.h"
#include "workshops/workshops.h"

const char *doc_title(enum doc_kind k)
{
	static const char *const t[DOC_KINDS] = {"فیش حقوقی مستمری", "گواهی سوابق بیمه",
						 "گواهی حقوق مستمری",
						 "مفاصاحساب بدهی کارفرما"};
	return k < DOC_KINDS ? t[k] : "";
}

const char *doc_pension_type_words(const char *type)
{
	if (!type)
		return "";
	if (!strcmp(type, "old_age"))
		return "بازنشستگی";
	if (!strcmp(type, "disability"))
		return "از کارافتادگی";
	if (!strcmp(type, "survivors"))
		return "بازماندگان";
	return type;
}

char *doc_canonical(const json_t *content)
{
	/* RFC 8785's canonical form for what a paper holds (objects, strings, integers):
	 * members sorted by name (ASCII names: the same order as its UTF-16 one), no
	 * white space, strings as UTF-8 with only the escapes JSON requires */
	return json_dumps(content, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
}

void doc_digest(const char *text, size_t len, char hex[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)text, len);
	sodium_bin2hex(hex, 65, h, sizeof h);
}

static json_t *str(const char *s) { return json_string(s ? s : ""); }

/* The person as every person's paper names them: the name and the masked national id. */
static int person_of(struct db *db, int64_t id, struct arena *a, struct person *p,
		     json_t *out, struct err *e)
{
	int rc = people_get(db, id, p, a);
	if (rc < 0)
		return db_fail(db, e);
	if (!rc)
		return err_set(e, 404, "not_found", "person", "no person is on record for you");
	char mask[11];
	doc_mask_natid(p->national_id, mask);
	char *name = arena_printf(a, "%s %s", p->first_name ? p->first_name : "",
				  p->last_name ? p->last_name : "");
	json_object_set_new(out, "person",
			    json_pack("{s:o,s:s}", "name", str(name), "national_id", mask));
	return 0;
}

static void ym(char out[8], int y, int m) { snprintf(out, 8, "%04d/%02d", y, m); }

static int pensioner_of(struct db *db, int64_t person_id, struct pensioner *pn, struct err *e)
{
	int rc = pensions_of_person(db, person_id, pn);
	if (rc < 0)
		return db_fail(db, e);
	if (!rc)
		return err_set(e, 404, "not_found", "kind",
			       "no pension is on record for you: this paper is a pensioner's");
	return 0;
}

static int payslip(struct db *db, const struct doc_subject *s, json_t *o, struct err *e)
{
	struct pensioner pn;
	if (pensioner_of(db, s->person_id, &pn, e) < 0)
		return -1;
	int y = s->year, m = s->month;
	int64_t amount = 0;
	int rc = pensions_payment(db, pn.id, &y, &m, &amount);
	if (rc < 0)
		return db_fail(db, e);
	if (!rc)
		return s->year ? err_set(e, 404, "not_found", "month",
					 "no pension payment is on record for %04d/%02d", s->year,
					 s->month)
			       : err_set(e, 404, "not_found", "month",
					 "no pension payment is on record yet");
	char month[8];
	ym(month, y, m);
	json_object_set_new(o, "month", json_string(month));
	json_object_set_new(o, "pension_type", json_string(pn.type));
	/* the payment is kept as one amount a month: the slip has one item, the pension */
	json_object_set_new(o, "items",
			    json_pack("[{s:s,s:I}]", "item", "pension", "amount", (json_int_t)amount));
	json_object_set_new(o, "total", json_integer(amount));
	return 0;
}

static int salary(struct db *db, const struct doc_subject *s, json_t *o, struct err *e)
{
	struct pensioner pn;
	if (pensioner_of(db, s->person_id, &pn, e) < 0)
		return -1;
	char since[8];
	ym(since, pn.start_year, pn.start_month);
	json_object_set_new(o, "pension_type", json_string(pn.type));
	json_object_set_new(o, "since", json_string(since));
	json_object_set_new(o, "amount", json_integer(pn.amount));
	return 0;
}

static int row_cmp(const void *a, const void *b)
{
	const struct rules_history_row *x = a, *y = b;
	if (x->year != y->year)
		return x->year - y->year;
	return strcmp(x->workshop, y->workshop);
}

static int history(struct db *db, const struct rules *rules, const struct doc_subject *s,
		   const struct person *p, struct arena *a, json_t *o, struct err *e)
{
	struct rules_record *lines;
	int n;
	struct rules_history h;
	memset(&h, 0, sizeof h);
	if (lists_person_record(db, p->national_id, a, &lines, &n, e) < 0)
		return -1;
	if (!n)
		return err_set(e, 404, "not_found", "kind", "no insurance record is on file for you");
	if (rules_history_summarise(rules, lines, n, s->issued, &h, NULL, e) < 0) {
		rules_history_release(&h);
		return -1;
	}
	qsort(h.rows, (size_t)h.nrows, sizeof *h.rows, row_cmp);
	json_t *rows = json_array();
	const char *last = NULL, *name = NULL;
	for (int i = 0; i < h.nrows; i++) {
		const struct rules_history_row *r = &h.rows[i];
		if (!last || strcmp(last, r->workshop)) {
			last = r->workshop;
			name = *r->workshop ? workshop_name(db, r->workshop, a) : NULL;
		}
		json_array_append_new(
		    rows, json_pack("{s:i,s:s,s:o,s:i,s:i,s:I}", "year", r->year, "workshop",
				    r->workshop, "workshop_name", str(name), "months", r->months,
				    "days", r->days, "wages", (json_int_t)r->wage));
	}
	json_object_set_new(o, "rows", rows);
	json_object_set_new(o, "totals",
			    json_pack("{s:I,s:i,s:i,s:i,s:I}", "days", (json_int_t)h.days, "years",
				      h.record.years, "months", h.record.months, "rest_days",
				      h.record.days, "wages", (json_int_t)h.wages));
	rules_history_release(&h);
	return 0;
}

static int clearance(struct db *db, const struct doc_subject *s, struct arena *a, json_t *o,
		     struct err *e)
{
	struct workshop_account acc;
	int rc = workshop_account(db, s->workshop_id, a, &acc);
	if (rc < 0)
		return db_fail(db, e);
	if (!rc)
		return err_set(e, 404, "not_found", "code", "no such workshop");
	if (acc.debt > 0)
		return err_set(e, 409, "debt_outstanding", "debt",
			       "the workshop owes %lld rials: a clearance is issued only when it "
			       "owes nothing",
			       (long long)acc.debt);
	json_object_set_new(o, "workshop",
			    json_pack("{s:o,s:o,s:o}", "code", str(acc.code), "name", str(acc.name),
				      "employer_name", str(acc.employer_name)));
	json_object_set_new(o, "due", json_integer(acc.due));
	json_object_set_new(o, "paid", json_integer(acc.paid));
	json_object_set_new(o, "debt", json_integer(0));
	return 0;
}

int doc_build(struct db *db, const struct rules *rules, const struct doc_subject *s,
	      struct arena *a, json_t **out, struct err *e)
{
	json_t *o = json_object();
	char issued[11];
	jalali_format(s->issued, issued);
	json_object_set_new(o, "kind", json_string(doc_kind_name(s->kind)));
	json_object_set_new(o, "issued", json_string(issued));
	struct person p;
	int rc;
	switch (s->kind) {
	case DOC_PAYSLIP:
		rc = person_of(db, s->person_id, a, &p, o, e);
		rc = rc < 0 ? rc : payslip(db, s, o, e);
		break;
	case DOC_SALARY:
		rc = person_of(db, s->person_id, a, &p, o, e);
		rc = rc < 0 ? rc : salary(db, s, o, e);
		break;
	case DOC_HISTORY:
		rc = person_of(db, s->person_id, a, &p, o, e);
		rc = rc < 0 ? rc : history(db, rules, s, &p, a, o, e);
		break;
	case DOC_CLEARANCE:
		rc = clearance(db, s, a, o, e);
		break;
	default:
		rc = err_set(e, 400, "invalid_field", "kind", "no such document");
	}
	if (rc < 0) {
		json_decref(o);
		return -1;
	}
	*out = o;
	return 0;
}
