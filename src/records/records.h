/* records: a person's insurance record (its entries are kept by lists/entries.h) and what
 * the rules make of it, read over HTTP: the history (months, days and wages per workshop
 * and year, totals, gaps), retirement eligibility on a date, and the pension estimate,
 * each with the steps and legal references the rules used (rules/rules.h), so that an
 * agent can explain the result.
 * Who may read: the person (citizen), an agent or desk officer who identified them as a
 * caller, specialists and supervisors; every read, allowed or refused, is audited. */
#ifndef TAMIN_RECORDS_RECORDS_H
#define TAMIN_RECORDS_RECORDS_H

struct req;

void records_h_history(struct req *r);	   /* GET /api/v1/people/{nid}/history?date= */
void records_h_eligibility(struct req *r); /* GET /api/v1/people/{nid}/eligibility?date= */
void records_h_pension(struct req *r);	   /* GET /api/v1/people/{nid}/pension-estimate?date= */
/* GET /api/v1/people/{nid}/pension: the pensioner's amount, every batch that changed it,
 * the last payments (pensions.h) */
void records_h_pensioner(struct req *r);
/* GET /api/v1/people/{nid}/average-wage?date=: Article 77's average of the last 24 months */
void records_h_average_wage(struct req *r);
/* GET /api/v1/people/{nid}/treatment?date=: treatment eligibility: a pensioner, or 30 days
 * on record in the 12 months before the date's month */
void records_h_treatment(struct req *r);

#endif
