/* The counts of a range made again from the cases and the calls (pulse.h), and `serve`'s
 * refresher that keeps the recent hours current. */
#include "pulse/pulse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/ticker.h"
#include "calls/calls.h"
#include "cases/cases.h"
#include "catalog/catalog.h"
#include "people/people.h"
#include "services/services.h"
#include "store/store.h"
#include "store/writer.h"

#define QUEUES_MAX 256

struct queue {
	char name[64], department[48], topic[48];
};

struct person_prov {
	int64_t id; /* 0: an empty slot */
	char province[8];
};

struct refresh {
	struct pulse_tally *t;
	struct db *db;
	struct queue queues[QUEUES_MAX];
	int nqueues;
	/* person id -> province, open addressing (id 0: empty) */
	struct person_prov *people; /* open addressing */
	size_t npeople, cap;
};

static int queue_row(char **f, int n, void *arg, struct err *e)
{
	struct refresh *x = arg;
	if (n < 4)
		return err_set(e, 500, "data", "", "queues.tsv: expected at least 4 fields");
	if (x->nqueues == QUEUES_MAX)
		return 0;
	struct queue *q = &x->queues[x->nqueues++];
	snprintf(q->name, sizeof q->name, "%s", f[0]);
	snprintf(q->department, sizeof q->department, "%s", f[2]);
	snprintf(q->topic, sizeof q->topic, "%s", f[3]);
	return 0;
}

static const struct queue *queue_find(const struct refresh *x, const char *name)
{
	for (int i = 0; name && i < x->nqueues; i++)
		if (!strcmp(x->queues[i].name, name))
			return &x->queues[i];
	return NULL;
}

/* The province of person id, looked up once per refresh. NULL when not known. */
static const char *province_of(struct refresh *x, int64_t id)
{
	if (id <= 0)
		return NULL;
	if ((x->npeople + 1) * 2 > x->cap) {
		size_t nc = x->cap ? x->cap * 2 : 1024;
		struct person_prov *np = calloc(nc, sizeof *np);
		if (!np)
			return NULL;
		for (size_t i = 0; i < x->cap; i++)
			if (x->people[i].id) {
				size_t h =
				    (size_t)x->people[i].id * 0x9E3779B97F4A7C15ull & (nc - 1);
				while (np[h].id)
					h = (h + 1) & (nc - 1);
				np[h] = x->people[i];
			}
		free(x->people);
		x->people = np;
		x->cap = nc;
	}
	size_t h = (size_t)id * 0x9E3779B97F4A7C15ull & (x->cap - 1);
	while (x->people[h].id) {
		if (x->people[h].id == id)
			return x->people[h].province[0] ? x->people[h].province : NULL;
		h = (h + 1) & (x->cap - 1);
	}
	struct person p;
	struct arena a;
	arena_init(&a);
	x->people[h].id = id;
	x->people[h].province[0] = 0;
	if (people_get(x->db, id, &p, &a) == 1 && p.province)
		snprintf(x->people[h].province, sizeof x->people[h].province, "%s", p.province);
	arena_release(&a);
	x->npeople++;
	return x->people[h].province[0] ? x->people[h].province : NULL;
}

static int count_case(void *ctx, const struct case_contact *c, struct err *e)
{
	struct refresh *x = ctx;
	const struct topic *t = catalog_topic_by_id(c->topic_id);
	const struct department *d = catalog_department_by_id(c->department_id);
	struct pulse_contact k = {.source = 1, .at = c->created};
	k.key[PULSE_TOPIC] = t ? t->code : NULL;
	k.key[PULSE_DEPARTMENT] = d ? d->code : NULL;
	k.key[PULSE_CHANNEL] = c->channel;
	k.key[PULSE_PROVINCE] = c->province;
	if (pulse_tally_add(x->t, &k) < 0)
		return err_set(e, 500, "no_memory", "", "out of memory");
	return 0;
}

static int count_call(void *ctx, const struct calls_call *c, struct err *e)
{
	struct refresh *x = ctx;
	const struct queue *q = queue_find(x, c->queue);
	struct pulse_contact k = {.source = 0, .at = c->entered};
	k.key[PULSE_TOPIC] = q ? q->topic : NULL;
	k.key[PULSE_DEPARTMENT] = q ? q->department : NULL;
	k.key[PULSE_CHANNEL] = "phone";
	k.key[PULSE_PROVINCE] = province_of(x, c->person_id);
	if (pulse_tally_add(x->t, &k) < 0)
		return err_set(e, 500, "no_memory", "", "out of memory");
	return 0;
}

/* An e-service's use (services.h): its topic, the topic's department, its channel, the
 * province of the person or workshop. */
static int count_service(const char *service, const char *topic, const char *province,
			 const char *channel, int64_t at, void *arg)
{
	(void)service;
	struct refresh *x = arg;
	const struct topic *t = catalog_topic_by_code(topic);
	const struct department *d = t ? catalog_department_by_id(t->department_id) : NULL;
	struct pulse_contact k = {.source = 2, .at = at};
	k.key[PULSE_TOPIC] = t ? t->code : NULL;
	k.key[PULSE_DEPARTMENT] = d ? d->code : NULL;
	k.key[PULSE_CHANNEL] = channel;
	k.key[PULSE_PROVINCE] = province && *province ? province : NULL;
	return pulse_tally_add(x->t, &k);
}

int pulse_refresh(struct db *db, int64_t from, int64_t to, const char *data_dir, struct err *e)
{
	struct refresh x = {.db = db, .t = pulse_tally_new(from, to)};
	if (!x.t)
		return err_set(e, 500, "no_memory", "", "out of memory");
	char path[4096];
	snprintf(path, sizeof path, "%s/queues.tsv", data_dir ? data_dir : "data");
	int rc = tsv_read(path, queue_row, &x, e);
	/* the tally's whole days */
	int64_t a = pulse_bucket(from, PULSE_DAY),
		b = to > a ? pulse_bucket(to - 1, PULSE_DAY) + PULSE_DAY : a;
	if (rc == 0)
		rc = cases_contacts_each(db, a, b, count_case, &x, e);
	if (rc == 0)
		rc = calls_each(db, a, b, count_call, &x, e);
	if (rc == 0)
		rc = services_uses_each(db, a, b, count_service, &x, e);
	if (rc == 0)
		rc = pulse_tally_write(x.t, db, e);
	pulse_tally_free(x.t);
	free(x.people);
	return rc;
}

/* ---- serve's refresher, a ticker as the overdue sweep is (cases/sweep.c) ---- */

struct pulse_refresher {
	struct ticker *ticker;
	int hours;
	struct writer *writer;
	char data_dir[4096];
};

static int refresh_run(struct db *db, void *arg, struct err *e)
{
	struct pulse_refresher *r = arg;
	int64_t now = (int64_t)time(NULL);
	return pulse_refresh(db, now - (int64_t)r->hours * 3600, now + 1, r->data_dir, e);
}

static void refresh_done(void *arg, int rc, const struct err *e)
{
	(void)arg;
	if (rc < 0)
		fprintf(stderr, "tamin: pulse refresh failed: %s\n", e->message);
}

/* The job lives on the ticker's stack, which waits for it to finish. */
static int64_t refresh_tick(void *arg)
{
	struct pulse_refresher *r = arg;
	struct write_job job = {.run = refresh_run, .done = refresh_done, .arg = r};
	writer_submit_wait(r->writer, &job);
	return -1;
}

struct pulse_refresher *pulse_refresher_start(struct writer *w, const char *data_dir, int every_s,
					      int hours, struct err *e)
{
	struct pulse_refresher *r = calloc(1, sizeof *r);
	if (!r) {
		err_set(e, 500, "internal", "", "out of memory");
		return NULL;
	}
	r->writer = w;
	r->hours = hours > 0 ? hours : 3;
	snprintf(r->data_dir, sizeof r->data_dir, "%s", data_dir ? data_dir : "data");
	r->ticker = ticker_start(refresh_tick, r, (int64_t)(every_s > 0 ? every_s : 300) * 1000,
				 "the pulse's refresh", e);
	if (!r->ticker) {
		free(r);
		return NULL;
	}
	return r;
}

void pulse_refresher_stop(struct pulse_refresher *r)
{
	if (!r)
		return;
	ticker_stop(r->ticker);
	free(r);
}
