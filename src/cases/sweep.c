/* The overdue sweep as a writer job: every minute while the server runs (a thread of its
 * own), or once from the command line. */
#include "cases/cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/ticker.h"
#include "live/live.h"
#include "store/writer.h"

struct cases_sweeper {
	struct ticker *ticker;
	struct writer *writer;
	struct live *live;
	struct case_swept swept[CASES_SWEEP_MAX]; /* the last sweep's, told once committed */
	int nswept;
};

static int sweep_run(struct db *db, void *arg, struct err *e)
{
	struct cases_sweeper *s = arg;
	int n = cases_sweep_into(db, (int64_t)time(NULL), s ? s->swept : NULL, e);
	if (s)
		s->nswept = n > 0 ? n : 0;
	if (n > 0)
		fprintf(stderr, "tamin: sweep escalated %d overdue case(s)\n", n);
	return n < 0 ? -1 : 0;
}

/* Runs on the writer thread when the sweep is committed. */
static void sweep_done(void *arg, int rc, const struct err *e)
{
	struct cases_sweeper *s = arg;
	if (rc < 0)
		fprintf(stderr, "tamin: sweep failed: %s\n", e->message);
	for (int i = 0; rc == 0 && i < s->nswept; i++) {
		const struct case_swept *c = &s->swept[i];
		live_case(s->live, &(struct live_case){.type = "escalate",
						       .case_id = c->id,
						       .number = c->number,
						       .status = c->status,
						       .department_id = c->department_id,
						       .assignee_id = c->assignee_id,
						       .created_by = c->created_by,
						       .person_id = c->person_id});
	}
}

/* Every minute, a sweep job; the job lives on the ticker's stack, which waits for it. */
static int64_t sweep_tick(void *arg)
{
	struct cases_sweeper *s = arg;
	struct write_job job = {.run = sweep_run, .done = sweep_done, .arg = s};
	writer_submit_wait(s->writer, &job);
	return -1;
}

struct cases_sweeper *cases_sweeper_start(struct writer *w, struct live *lv, struct err *e)
{
	struct cases_sweeper *s = calloc(1, sizeof *s);
	if (!s) {
		err_set(e, 500, "internal", "", "out of memory");
		return NULL;
	}
	s->writer = w;
	s->live = lv;
	if (!(s->ticker = ticker_start(sweep_tick, s, 60 * 1000, "the overdue sweep", e))) {
		free(s);
		return NULL;
	}
	return s;
}

void cases_sweeper_stop(struct cases_sweeper *s)
{
	if (!s)
		return;
	ticker_stop(s->ticker);
	free(s);
}

int cases_sweep_now(struct db *db, struct err *e)
{
	struct write_job job = {.run = sweep_run};
	if (writer_run_now(db, &job) < 0) {
		*e = job.err;
		return -1;
	}
	return 0;
}
