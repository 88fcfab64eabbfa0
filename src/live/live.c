/* Live events over Server-Sent Events (live.h): the subscribers indexed by user and by
 * group (a department, a citizen's person, every department), the ring of recent events,
 * the fan-out. */
#include "live/live.h"

#include "app.h"
#include "base/jw.h"
#include "catalog/catalog.h"
#include "http/http.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BUCKETS 4096
#define GROUP_ALL 3 /* a supervisor of every department */
#define RETRY_MS 3000
#define HEARTBEAT ": keep-alive\n\n"

/* An event as routed: what live_case was told, copied. */
struct live_event {
	uint64_t seq;
	int64_t at;
	char type[24], number[24], status[16];
	int citizen; /* a citizen may hear of it */
	int64_t case_id, department_id, assignee_id, created_by, person_id;
	int64_t was_department_id, was_assignee_id, actor_id;
};

struct sub {
	struct live *lv;
	struct http_stream *s;
	struct principal who;
	int64_t group; /* its key in by_group; 0: none */
	struct sub *uprev, *unext, *gprev, *gnext;
	uint64_t seen; /* the last event sent: a sub found by two routes hears it once */
};

struct live {
	pthread_mutex_t mu;
	uint64_t boot; /* this run's start, ms: an id of another run is not ours */
	uint64_t seq;  /* the last event's */
	struct live_event ring[LIVE_RING];
	struct sub *by_user[BUCKETS], *by_group[BUCKETS];
	int supervisors; /* streams of supervisors open */
};

static unsigned bucket(int64_t key)
{
	return (unsigned)(((uint64_t)key * 0x9E3779B97F4A7C15u) >> 52) % BUCKETS;
}

struct live *live_new(void)
{
	struct live *lv = calloc(1, sizeof *lv);
	if (!lv)
		return NULL;
	pthread_mutex_init(&lv->mu, NULL);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	lv->boot = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	return lv;
}

void live_free(struct live *lv)
{
	if (!lv)
		return;
	pthread_mutex_destroy(&lv->mu);
	free(lv);
}

/* ---- routing: one rule, for the fan-out and the replay alike ---- */

static int one_of(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(v, *set) == 0)
			return 1;
	return 0;
}

/* Why sub hears of e ("assignee", "left", "creator", "department", "all", "person"), or
 * NULL when it does not. A citizen hears only of their own cases, and only what is
 * addressed to them. */
static const char *reason_for(const struct live_event *e, const struct sub *sub)
{
	static const char *const creator_hears[] = {"answer", "report_back", "close",
						    "reopen", "rate",	     NULL};
	const struct principal *w = &sub->who;
	if (w->role == ROLE_CITIZEN)
		return e->citizen && w->person_id && w->person_id == e->person_id ? "person" : NULL;
	if (e->assignee_id && w->user_id == e->assignee_id)
		return "assignee";
	if (e->was_assignee_id && w->user_id == e->was_assignee_id)
		return "left";
	if (e->created_by && w->user_id == e->created_by && one_of(e->type, creator_hears))
		return "creator";
	if (w->role != ROLE_SPECIALIST && w->role != ROLE_SUPERVISOR)
		return NULL;
	if (w->department_id && w->department_id == e->department_id)
		return "department";
	if (w->department_id && w->department_id == e->was_department_id)
		return "left";
	if (w->role == ROLE_SUPERVISOR && !w->department_id)
		return "all";
	return NULL;
}

/* The group a principal listens on: its department, its person, or every department. */
static int64_t group_of(const struct principal *w)
{
	if (w->role == ROLE_CITIZEN)
		return w->person_id ? w->person_id * 4 + 2 : 0;
	if (w->role == ROLE_SPECIALIST || w->role == ROLE_SUPERVISOR)
		return w->department_id ? w->department_id * 4 + 1
					: (w->role == ROLE_SUPERVISOR ? GROUP_ALL : 0);
	return 0;
}

/* ---- the messages ---- */

/* "id: B-S\nevent: case\ndata: {...}\n\n" for e as sub's reason words it, into w. Only
 * ids, the number, the type and the status: no text of any event. */
struct msg {
	char *buf;
	size_t len;
};

static void message(struct msg *m, const struct live *lv, const struct live_event *e,
		    const char *reason, int self, int citizen)
{
	char id[48];
	snprintf(id, sizeof id, "%llu-%llu", (unsigned long long)lv->boot,
		 (unsigned long long)e->seq);
	struct jw d;
	jw_init(&d);
	jw_object(&d, NULL);
	jw_str(&d, "id", id);
	jw_str(&d, "type", e->type);
	jw_int(&d, "case_id", e->case_id);
	jw_str(&d, "number", e->number[0] ? e->number : NULL);
	jw_str(&d, "status", e->status[0] ? e->status : NULL);
	jw_str(&d, "reason", reason);
	if (!citizen) {
		const struct department *dep = catalog_department_by_id(e->department_id);
		jw_str(&d, "department", dep ? dep->code : NULL);
		jw_bool(&d, "self", self);
	}
	jw_time(&d, "at", e->at);
	jw_end(&d);
	size_t len;
	char *data = jw_take(&d, &len);
	m->len = strlen(id) + len + 32;
	m->buf = malloc(m->len);
	if (!m->buf)
		abort();
	m->len = (size_t)snprintf(m->buf, m->len, "id: %s\nevent: case\ndata: %s\n\n", id, data);
	free(data);
}

/* The reasons in the order reason_for returns them, for the messages' cache. */
static const char *const reasons[] = {"assignee", "left",   "creator", "department",
				      "all",	  "person", NULL};

struct fanout {
	struct live *lv;
	const struct live_event *e;
	struct msg msg[6][2]; /* by reason and self, written when first needed */
	int made[6][2];
};

static void tell(struct fanout *f, struct sub *sub)
{
	if (sub->seen == f->e->seq)
		return;
	sub->seen = f->e->seq;
	const char *why = reason_for(f->e, sub);
	if (!why)
		return;
	int r = 0;
	while (strcmp(reasons[r], why) != 0)
		r++;
	int self = sub->who.user_id == f->e->actor_id;
	if (!f->made[r][self]) {
		message(&f->msg[r][self], f->lv, f->e, why, self, sub->who.role == ROLE_CITIZEN);
		f->made[r][self] = 1;
	}
	struct msg *m = &f->msg[r][self];
	http_stream_send(sub->s, m->buf, m->len);
}

static void tell_user(struct fanout *f, int64_t user_id)
{
	if (!user_id)
		return;
	for (struct sub *s = f->lv->by_user[bucket(user_id)]; s; s = s->unext)
		if (s->who.user_id == user_id)
			tell(f, s);
}

static void tell_group(struct fanout *f, int64_t key)
{
	for (struct sub *s = f->lv->by_group[bucket(key)]; s; s = s->gnext)
		if (s->group == key)
			tell(f, s);
}

void live_case(struct live *lv, const struct live_case *c)
{
	static const char *const citizen_hears[] = {"answer", "report_back", "close", "reply",
						    NULL};
	if (!lv || !c || !c->type)
		return;
	pthread_mutex_lock(&lv->mu);
	struct live_event *e = &lv->ring[(lv->seq + 1) % LIVE_RING];
	memset(e, 0, sizeof *e);
	e->seq = ++lv->seq;
	e->at = (int64_t)time(NULL);
	snprintf(e->type, sizeof e->type, "%s", c->type);
	snprintf(e->number, sizeof e->number, "%s", c->number ? c->number : "");
	snprintf(e->status, sizeof e->status, "%s", c->status ? c->status : "");
	e->citizen =
	    one_of(c->type, citizen_hears) || (strcmp(c->type, "wait") == 0 && c->waiting_on &&
					       strcmp(c->waiting_on, "citizen") == 0);
	e->case_id = c->case_id;
	e->department_id = c->department_id;
	e->assignee_id = c->assignee_id;
	e->created_by = c->created_by;
	e->person_id = c->person_id;
	e->was_department_id = c->was_department_id != c->department_id ? c->was_department_id : 0;
	e->was_assignee_id = c->was_assignee_id != c->assignee_id ? c->was_assignee_id : 0;
	e->actor_id = c->actor_id;
	struct fanout f = {.lv = lv, .e = e};
	tell_user(&f, e->assignee_id);
	tell_user(&f, e->was_assignee_id);
	tell_user(&f, e->created_by);
	tell_group(&f, e->department_id * 4 + 1);
	if (e->was_department_id)
		tell_group(&f, e->was_department_id * 4 + 1);
	tell_group(&f, GROUP_ALL);
	if (e->citizen && e->person_id)
		tell_group(&f, e->person_id * 4 + 2);
	pthread_mutex_unlock(&lv->mu);
	for (int r = 0; r < 6; r++)
		for (int s = 0; s < 2; s++)
			if (f.made[r][s])
				free(f.msg[r][s].buf);
}

void live_call(struct live *lv, int64_t user_id, const char *callid, const char *queue,
	       int64_t at)
{
	if (!lv || !user_id || !callid)
		return;
	struct jw d;
	jw_init(&d);
	jw_object(&d, NULL);
	jw_str(&d, "callid", callid);
	jw_str(&d, "queue", queue);
	jw_time(&d, "at", at);
	jw_end(&d);
	size_t len;
	char *data = jw_take(&d, &len);
	size_t cap = len + 32;
	char *m = malloc(cap);
	if (!m)
		abort();
	int n = snprintf(m, cap, "event: call\ndata: %s\n\n", data);
	free(data);
	pthread_mutex_lock(&lv->mu);
	for (struct sub *s = lv->by_user[bucket(user_id)]; s; s = s->unext)
		if (s->who.user_id == user_id)
			http_stream_send(s->s, m, (size_t)n);
	pthread_mutex_unlock(&lv->mu);
	free(m);
}

/* ---- snapshots for supervisors ---- */

int live_supervisors_open(struct live *lv)
{
	if (!lv)
		return 0;
	pthread_mutex_lock(&lv->mu);
	int n = lv->supervisors;
	pthread_mutex_unlock(&lv->mu);
	return n;
}

int live_supervisors(struct live *lv, const char *event, const char *json, size_t len)
{
	if (!lv || !event || !json || memchr(json, '\n', len))
		return 0;
	size_t n = strlen(event) + len + 32;
	char *m = malloc(n);
	if (!m)
		return 0;
	n = (size_t)snprintf(m, n, "event: %s\ndata: %.*s\n\n", event, (int)len, json);
	int told = 0;
	pthread_mutex_lock(&lv->mu);
	for (int i = 0; i < BUCKETS && told < lv->supervisors; i++)
		for (struct sub *s = lv->by_user[i]; s; s = s->unext)
			if (s->who.role == ROLE_SUPERVISOR && http_stream_send(s->s, m, n) == 0)
				told++;
	pthread_mutex_unlock(&lv->mu);
	free(m);
	return told;
}

/* ---- subscribing ---- */

static void sub_index(struct live *lv, struct sub *s)
{
	if (s->who.role == ROLE_SUPERVISOR)
		lv->supervisors++;
	unsigned b = bucket(s->who.user_id);
	s->unext = lv->by_user[b];
	if (s->unext)
		s->unext->uprev = s;
	lv->by_user[b] = s;
	if (!s->group)
		return;
	b = bucket(s->group);
	s->gnext = lv->by_group[b];
	if (s->gnext)
		s->gnext->gprev = s;
	lv->by_group[b] = s;
}

static void sub_unindex(struct live *lv, struct sub *s)
{
	if (s->who.role == ROLE_SUPERVISOR)
		lv->supervisors--;
	if (s->uprev)
		s->uprev->unext = s->unext;
	else
		lv->by_user[bucket(s->who.user_id)] = s->unext;
	if (s->unext)
		s->unext->uprev = s->uprev;
	if (!s->group)
		return;
	if (s->gprev)
		s->gprev->gnext = s->gnext;
	else
		lv->by_group[bucket(s->group)] = s->gnext;
	if (s->gnext)
		s->gnext->gprev = s->gprev;
}

/* The stream closed (http.h: on its loop). */
static void sub_closed(void *arg)
{
	struct sub *s = arg;
	pthread_mutex_lock(&s->lv->mu);
	sub_unindex(s->lv, s);
	pthread_mutex_unlock(&s->lv->mu);
	http_stream_release(s->s);
	free(s);
}

/* Last-Event-ID, "BOOT-SEQ" as we give them: 1 and *boot, *seq set; 0 absent; -1 not
 * one of ours in form. */
static int last_event_id(struct req *r, uint64_t *boot, uint64_t *seq)
{
	const char *v = req_header(r, "Last-Event-ID");
	if (!v || !*v)
		return 0;
	unsigned long long b, s;
	int n = 0;
	if (strlen(v) > 44 || sscanf(v, "%20llu-%20llu%n", &b, &s, &n) != 2 || v[n] || v[0] < '0' ||
	    v[0] > '9')
		return -1;
	*boot = b;
	*seq = s;
	return 1;
}

void live_h_stream(struct req *r)
{
	struct live *lv = r->app->live;
	uint64_t boot = 0, since = 0;
	int resume = last_event_id(r, &boot, &since);
	if (resume < 0) {
		reply_errorf(r, 400, "invalid_field", "Last-Event-ID",
			     "Last-Event-ID is not an id this stream gave");
		return;
	}
	if (!lv) {
		reply_errorf(r, 503, "unavailable", "", "live events are off on this server");
		return;
	}
	struct sub *s = calloc(1, sizeof *s);
	if (!s) {
		reply_errorf(r, 503, "server_busy", "", "out of memory");
		return;
	}
	s->lv = lv;
	s->who = r->who;
	s->group = group_of(&s->who);
	/* r is freed by req_stream: what it holds is copied above */
	s->s = req_stream(r, "text/event-stream; charset=utf-8", HEARTBEAT, sub_closed, s);
	if (!s->s) {
		free(s);
		return;
	}
	/* On this loop nothing closes the stream before we return: sub_closed finds s
	 * indexed. Under the lock no event is told between the replay and the index. */
	pthread_mutex_lock(&lv->mu);
	char head[96];
	int n = snprintf(head, sizeof head, "retry: %d\n\n", RETRY_MS);
	http_stream_send(s->s, head, (size_t)n);
	uint64_t oldest = lv->seq >= LIVE_RING ? lv->seq - LIVE_RING + 1 : 1;
	if (resume && (boot != lv->boot || since > lv->seq || since + 1 < oldest)) {
		static const char reset[] = "event: reset\ndata: {}\n\n";
		http_stream_send(s->s, reset, sizeof reset - 1);
	} else if (resume) {
		struct fanout f = {.lv = lv};
		for (uint64_t q = since + 1; q <= lv->seq; q++) {
			f.e = &lv->ring[q % LIVE_RING];
			tell(&f, s);
			for (int i = 0; i < 6; i++)
				for (int j = 0; j < 2; j++)
					if (f.made[i][j]) {
						free(f.msg[i][j].buf);
						f.made[i][j] = 0;
					}
		}
	}
	/* ready: the stream is live from here, and its id is where a reconnect resumes */
	n = snprintf(head, sizeof head, "id: %llu-%llu\nevent: ready\ndata: {}\n\n",
		     (unsigned long long)lv->boot, (unsigned long long)lv->seq);
	http_stream_send(s->s, head, (size_t)n);
	sub_index(lv, s);
	pthread_mutex_unlock(&lv->mu);
}
