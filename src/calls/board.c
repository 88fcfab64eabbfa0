/* The wallboard's state (board.h): calls by (callid, queue), agents by name, each fact a
 * register stamped with its event's time; the seen lines' hashes for duplicates. */
#include "calls/board.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jalali.h"
#include "base/jw.h"
#include "calls/calls.h"
#include "calls/queuelog.h"

#define NEVER INT64_MIN

struct bcall {
	uint64_t h;
	char *callid;
	int q;
	int64_t entered, connected, ended, wait_s, talk_s, latest;
	const char *outcome;
	int rank;
};

struct bmember {
	int q, in;
	int64_t t;
};

struct bagent {
	char *name;
	uint64_t h;
	int64_t log_t; /* AGENTLOGIN / AGENTLOGOFF */
	int log_in;
	struct bmember mem[BOARD_AGENT_QUEUES];
	int nmem;
	int64_t pause_t; /* PAUSE ... UNPAUSE */
	int paused;
	char reason[128];
	int64_t call_t, call_since; /* CONNECT ... COMPLETE* / TRANSFER* */
	int on_call, call_q;
	int64_t ring_day, rings, last_ring_end, last_ring_ms;
};

struct bqueue {
	char name[64], title[128];
	int alert_s;
};

struct seen {
	uint64_t h;
	int64_t t;
};

struct board {
	pthread_mutex_t mu;
	int sl_seconds, short_seconds;
	struct bqueue q[BOARD_QUEUES_MAX];
	int nq;
	struct bagent *agents[BOARD_AGENTS_MAX];
	int na;
	int *aindex; /* open addressing over agents, -1 empty */
	size_t acap;
	struct bcall **calls;
	size_t ncalls, callcap;
	size_t *cindex; /* open addressing over calls, SIZE_MAX empty */
	size_t ccap;
	struct seen *seen;
	size_t nseen, seencap;
	int64_t latest;	 /* the latest event time fed */
	int64_t horizon; /* events before it are no longer kept: ignored */
	int64_t restart; /* the latest QUEUESTART */
	int64_t pruned_day, pruned_at;
};

/* ---- small pieces ---- */

static uint64_t hash_str(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		abort();
	return p;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");
	if (!p)
		abort();
	return p;
}

static void copy(char *dst, size_t n, const char *s)
{
	snprintf(dst, n, "%s", s ? s : "");
}

static int64_t day_start(int64_t t)
{
	int64_t local = t + TEHRAN_UTC_OFFSET;
	int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
	return days * 86400 - TEHRAN_UTC_OFFSET;
}

const char *board_state_name(enum board_state s)
{
	static const char *const names[] = {"logged_off", "available", "on_call", "paused"};
	return s < BOARD_NSTATES ? names[s] : "logged_off";
}

/* ---- the board ---- */

struct board *board_new(const struct board_queue_conf *queues, int n, int sl_seconds,
			int short_seconds)
{
	struct board *b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	pthread_mutex_init(&b->mu, NULL);
	b->sl_seconds = sl_seconds;
	b->short_seconds = short_seconds;
	for (int i = 0; i < n && b->nq < BOARD_QUEUES_MAX; i++) {
		struct bqueue *q = &b->q[b->nq++];
		copy(q->name, sizeof q->name, queues[i].queue);
		copy(q->title, sizeof q->title, queues[i].title);
		q->alert_s = queues[i].alert_s;
	}
	b->latest = b->horizon = b->restart = NEVER;
	b->pruned_day = b->pruned_at = NEVER;
	return b;
}

void board_free(struct board *b)
{
	if (!b)
		return;
	for (int i = 0; i < b->na; i++) {
		free(b->agents[i]->name);
		free(b->agents[i]);
	}
	for (size_t i = 0; i < b->ncalls; i++) {
		free(b->calls[i]->callid);
		free(b->calls[i]);
	}
	free(b->calls);
	free(b->cindex);
	free(b->aindex);
	free(b->seen);
	pthread_mutex_destroy(&b->mu);
	free(b);
}

/* The queue's index, added when new (-1: none, or the table is full). */
static int queue_of(struct board *b, const char *name, int add)
{
	if (!name || !name[0] || !strcmp(name, "NONE"))
		return -1;
	for (int i = 0; i < b->nq; i++)
		if (!strcmp(b->q[i].name, name))
			return i;
	if (!add || b->nq == BOARD_QUEUES_MAX || strlen(name) >= sizeof b->q[0].name)
		return -1;
	copy(b->q[b->nq].name, sizeof b->q[0].name, name);
	return b->nq++;
}

/* ---- the seen lines ---- */

static int seen_put(struct board *b, uint64_t h, int64_t t)
{
	if ((b->nseen + 1) * 2 > b->seencap) {
		size_t cap = b->seencap ? b->seencap * 2 : 4096;
		struct seen *s = xcalloc(cap, sizeof *s);
		for (size_t i = 0; i < b->seencap; i++)
			if (b->seen[i].h) {
				size_t j = b->seen[i].h & (cap - 1);
				while (s[j].h)
					j = (j + 1) & (cap - 1);
				s[j] = b->seen[i];
			}
		free(b->seen);
		b->seen = s;
		b->seencap = cap;
	}
	h |= 1; /* 0 is an empty slot */
	size_t j = h & (b->seencap - 1);
	for (; b->seen[j].h; j = (j + 1) & (b->seencap - 1))
		if (b->seen[j].h == h && b->seen[j].t == t)
			return 0;
	b->seen[j] = (struct seen){h, t};
	b->nseen++;
	return 1;
}

/* ---- calls ---- */

static void calls_reindex(struct board *b)
{
	size_t cap = 1024;
	while (cap < b->ncalls * 2 + 2)
		cap *= 2;
	free(b->cindex);
	b->cindex = xcalloc(cap, sizeof *b->cindex);
	memset(b->cindex, 0xff, cap * sizeof *b->cindex);
	b->ccap = cap;
	for (size_t i = 0; i < b->ncalls; i++) {
		size_t j = b->calls[i]->h & (cap - 1);
		while (b->cindex[j] != SIZE_MAX)
			j = (j + 1) & (cap - 1);
		b->cindex[j] = i;
	}
}

static struct bcall *call_of(struct board *b, const char *callid, int q)
{
	uint64_t h =
	    hash_str(0xcbf29ce484222325ull, callid) ^ (uint64_t)(q + 1) * 0x9E3779B97F4A7C15u;
	if (b->ncalls == b->callcap) {
		b->callcap = b->callcap ? b->callcap * 2 : 1024;
		b->calls = realloc(b->calls, b->callcap * sizeof(struct bcall *));
		if (!b->calls)
			abort();
	}
	if ((b->ncalls + 1) * 2 > b->ccap)
		calls_reindex(b);
	size_t j = h & (b->ccap - 1);
	for (; b->cindex[j] != SIZE_MAX; j = (j + 1) & (b->ccap - 1)) {
		struct bcall *c = b->calls[b->cindex[j]];
		if (c->h == h && c->q == q && !strcmp(c->callid, callid))
			return c;
	}
	struct bcall *c = xcalloc(1, sizeof *c);
	c->h = h;
	c->callid = xstrdup(callid);
	c->q = q;
	c->entered = c->connected = c->ended = c->wait_s = c->talk_s = -1;
	b->cindex[j] = b->ncalls;
	b->calls[b->ncalls++] = c;
	return c;
}

static void at_least(int64_t *v, int64_t x)
{
	if (x >= 0 && x > *v)
		*v = x;
}
static void at_most(int64_t *v, int64_t x)
{
	if (x >= 0 && (*v < 0 || x < *v))
		*v = x;
}

/* How a call left the queue, by strength, named as the import names them (store.c's
 * outcomes[]) so that calls_figure_add reads them alike. */
static const struct {
	const char *name;
	enum ql_event ev;
	int rank;
} outcomes[] = {
    {"empty", QL_EXITEMPTY, 1},		{"key", QL_EXITWITHKEY, 2},
    {"timeout", QL_EXITWITHTIMEOUT, 3}, {"withdraw", QL_WITHDRAW, 4},
    {"abandoned", QL_ABANDON, 5},	{"transfer", QL_TRANSFER, 6},
    {"transfer", QL_BLINDTRANSFER, 6},	{"transfer", QL_ATTENDEDTRANSFER, 6},
    {"answered", QL_COMPLETEAGENT, 7},	{"answered", QL_COMPLETECALLER, 7},
};

/* What a caller's event says of its call: merged by order-free rules, as the import. */
static void call_merge(struct board *b, const struct ql_line *l)
{
	int q = queue_of(b, l->queue, 1);
	if (q < 0)
		return;
	struct bcall *c = call_of(b, l->callid, q);
	int64_t t = l->epoch, w = l->wait_s, talk = l->talk_s;
	if (t > c->latest)
		c->latest = t;
	at_least(&c->wait_s, w);
	at_least(&c->talk_s, talk);
	switch (l->event) {
	case QL_ENTERQUEUE:
		at_most(&c->entered, t);
		return;
	case QL_CONNECT:
		at_most(&c->connected, t);
		if (w >= 0)
			at_most(&c->entered, t - w);
		return;
	default:
		break;
	}
	for (size_t i = 0; i < sizeof outcomes / sizeof outcomes[0]; i++)
		if (outcomes[i].ev == l->event) {
			at_least(&c->ended, t);
			if (outcomes[i].rank > c->rank) {
				c->rank = outcomes[i].rank;
				c->outcome = outcomes[i].name;
			}
			if (outcomes[i].rank >= 6 && talk >= 0) {
				at_most(&c->connected, t - talk);
				if (w >= 0)
					at_most(&c->entered, t - talk - w);
			} else if (outcomes[i].rank < 6 && w >= 0) {
				at_most(&c->entered, t - w);
			}
		}
}

/* ---- agents ---- */

static void agents_reindex(struct board *b)
{
	size_t cap = 256;
	while (cap < (size_t)b->na * 2 + 2)
		cap *= 2;
	free(b->aindex);
	b->aindex = xcalloc(cap, sizeof *b->aindex);
	memset(b->aindex, 0xff, cap * sizeof *b->aindex);
	b->acap = cap;
	for (int i = 0; i < b->na; i++) {
		size_t j = b->agents[i]->h & (cap - 1);
		while (b->aindex[j] >= 0)
			j = (j + 1) & (cap - 1);
		b->aindex[j] = i;
	}
}

static struct bagent *agent_find(struct board *b, const char *name, uint64_t h, size_t *slot)
{
	if (!b->acap)
		agents_reindex(b);
	size_t j = h & (b->acap - 1);
	for (; b->aindex[j] >= 0; j = (j + 1) & (b->acap - 1)) {
		struct bagent *a = b->agents[b->aindex[j]];
		if (a->h == h && !strcmp(a->name, name))
			return a;
	}
	if (slot)
		*slot = j;
	return NULL;
}

static struct bagent *agent_of(struct board *b, const char *name)
{
	if (!name || !name[0] || !strcmp(name, "NONE"))
		return NULL;
	uint64_t h = hash_str(0xcbf29ce484222325ull, name);
	size_t slot;
	struct bagent *a = agent_find(b, name, h, &slot);
	if (a || b->na == BOARD_AGENTS_MAX)
		return a;
	a = xcalloc(1, sizeof *a);
	a->name = xstrdup(name);
	a->h = h;
	a->log_t = a->pause_t = a->call_t = a->call_since = NEVER;
	a->ring_day = NEVER;
	a->last_ring_end = a->last_ring_ms = -1;
	a->call_q = -1;
	b->aindex[slot] = b->na;
	b->agents[b->na++] = a;
	if ((size_t)b->na * 2 > b->acap)
		agents_reindex(b);
	return a;
}

/* The agent's membership of queue q is `in` as of t (an older event changes nothing). */
static void member(struct bagent *a, int q, int in, int64_t t)
{
	if (q < 0)
		return;
	for (int i = 0; i < a->nmem; i++)
		if (a->mem[i].q == q) {
			if (t >= a->mem[i].t) {
				a->mem[i].in = in;
				a->mem[i].t = t;
			}
			return;
		}
	if (a->nmem < BOARD_AGENT_QUEUES)
		a->mem[a->nmem++] = (struct bmember){q, in, t};
}

static void pause_set(struct bagent *a, int paused, const char *reason, int64_t t)
{
	if (t < a->pause_t)
		return;
	a->pause_t = t;
	a->paused = paused;
	copy(a->reason, sizeof a->reason, paused ? reason : "");
}

static void agent_event(struct board *b, const struct ql_line *l)
{
	struct bagent *a = agent_of(b, l->agent);
	if (!a)
		return;
	int64_t t = l->epoch;
	int q = queue_of(b, l->queue, 1);
	switch (l->event) {
	case QL_AGENTLOGIN:
	case QL_AGENTCALLBACKLOGIN:
		if (t >= a->log_t) {
			a->log_t = t;
			a->log_in = 1;
		}
		pause_set(a, 0, NULL, t);
		break;
	case QL_AGENTLOGOFF:
	case QL_AGENTCALLBACKLOGOFF:
		if (t >= a->log_t) {
			a->log_t = t;
			a->log_in = 0;
		}
		break;
	case QL_ADDMEMBER: {
		int paused = l->ndata && !strcmp(l->data[0], "PAUSED");
		member(a, q, 1, t);
		pause_set(a, paused, "", t);
		break;
	}
	case QL_REMOVEMEMBER:
		member(a, q, 0, t);
		break;
	case QL_PAUSE:
	case QL_PAUSEALL:
		member(a, q, 1, t);
		pause_set(a, 1, l->reason, t);
		break;
	case QL_UNPAUSE:
	case QL_UNPAUSEALL:
		member(a, q, 1, t);
		pause_set(a, 0, NULL, t);
		break;
	case QL_CONNECT:
		member(a, q, 1, t);
		if (t >= a->call_t) {
			a->call_t = a->call_since = t;
			a->on_call = 1;
			a->call_q = q;
		}
		break;
	case QL_COMPLETEAGENT:
	case QL_COMPLETECALLER:
	case QL_TRANSFER:
	case QL_BLINDTRANSFER:
	case QL_ATTENDEDTRANSFER:
		if (t >= a->call_t) {
			a->call_t = t;
			a->on_call = 0;
		}
		break;
	case QL_RINGNOANSWER:
	case QL_RINGCANCELED: {
		member(a, q, 1, t);
		int64_t day = day_start(t);
		if (day > a->ring_day) {
			a->ring_day = day;
			a->rings = 0;
		}
		if (day == a->ring_day)
			a->rings++;
		if (t >= a->last_ring_end) {
			a->last_ring_end = t;
			a->last_ring_ms = l->ring_ms;
		}
		break;
	}
	default:
		break;
	}
}

void board_feed(struct board *b, const struct ql_line *l)
{
	if (!b || !l || !l->callid)
		return;
	pthread_mutex_lock(&b->mu);
	if (l->epoch < b->horizon || !seen_put(b, l->hash, l->epoch))
		goto out;
	if (l->epoch > b->latest)
		b->latest = l->epoch;
	if (l->event == QL_QUEUESTART) {
		if (l->epoch > b->restart)
			b->restart = l->epoch;
		goto out;
	}
	if (ql_is_call_event(l->event) && l->event != QL_RINGNOANSWER &&
	    l->event != QL_RINGCANCELED && strcmp(l->callid, "NONE"))
		call_merge(b, l);
	agent_event(b, l);
out:
	pthread_mutex_unlock(&b->mu);
}

/* ---- pruning ---- */

static void prune(struct board *b, int64_t now)
{
	int64_t horizon = now - BOARD_KEEP;
	/* once a day, or when the seen lines outgrow the calls (agents' events), at most once
	 * a minute: not at every render */
	if (day_start(now) == b->pruned_day &&
	    (b->nseen < 4 * (b->ncalls + 1024) || now - b->pruned_at < 60))
		return;
	b->pruned_day = day_start(now);
	b->pruned_at = now;
	if (horizon > b->horizon)
		b->horizon = horizon;
	size_t k = 0;
	for (size_t i = 0; i < b->ncalls; i++) {
		struct bcall *c = b->calls[i];
		if (c->latest < b->horizon) {
			free(c->callid);
			free(c);
		} else {
			b->calls[k++] = c;
		}
	}
	b->ncalls = k;
	calls_reindex(b);
	struct seen *old = b->seen;
	size_t oldcap = b->seencap;
	b->seen = NULL;
	b->nseen = b->seencap = 0;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].h && old[i].t >= b->horizon)
			seen_put(b, old[i].h, old[i].t);
	free(old);
}

void board_prune(struct board *b, int64_t now)
{
	pthread_mutex_lock(&b->mu);
	prune(b, now);
	pthread_mutex_unlock(&b->mu);
}

/* ---- views ---- */

static int waiting(const struct board *b, const struct bcall *c, int64_t now)
{
	return c->entered >= 0 && c->connected < 0 && c->ended < 0 && c->entered >= b->restart &&
	       c->entered <= now && now - c->entered <= BOARD_WAIT_STALE;
}

/* The out-of-queue logoff that overrides memberships older than it. */
static int64_t logged_off_at(const struct bagent *a)
{
	return a->log_t != NEVER && !a->log_in ? a->log_t : NEVER;
}

static int member_in(const struct bagent *a, const struct bmember *m)
{
	return m->in && m->t > logged_off_at(a);
}

static enum board_state state_of(const struct board *b, const struct bagent *a, int64_t *since)
{
	int in = a->log_t != NEVER && a->log_in;
	int64_t in_t = in ? a->log_t : NEVER, off_t = logged_off_at(a);
	for (int i = 0; i < a->nmem; i++) {
		if (member_in(a, &a->mem[i])) {
			in = 1;
			if (a->mem[i].t > in_t)
				in_t = a->mem[i].t;
		} else if (a->mem[i].t > off_t) {
			off_t = a->mem[i].t;
		}
	}
	if (!in) {
		*since = off_t == NEVER ? -1 : off_t;
		return BOARD_LOGGED_OFF;
	}
	if (a->on_call && a->call_since >= b->restart) {
		*since = a->call_since;
		return BOARD_ON_CALL;
	}
	if (a->paused) {
		*since = a->pause_t;
		return BOARD_PAUSED;
	}
	int64_t s = in_t;
	if (a->pause_t > s)
		s = a->pause_t;
	if (a->call_t > s)
		s = a->call_t;
	*since = s == NEVER ? -1 : s;
	return BOARD_AVAILABLE;
}

static struct calls_figures_query figq(const struct board *b, int64_t now)
{
	struct calls_figures_query q = {0};
	q.from = day_start(now);
	q.to = q.from + 86400;
	q.by = CALLS_BY_DAY;
	q.sl_seconds = b->sl_seconds;
	q.short_seconds = b->short_seconds;
	return q;
}

static struct calls_row row_of(const struct bcall *c)
{
	return (struct calls_row){c->entered, c->connected, c->ended,
				  c->wait_s,  c->talk_s,    c->outcome};
}

/* Today's figures per queue (figs[nq]) and for all (figs[nq]); waiting and longest. */
struct snapshot {
	struct calls_figure figs[BOARD_QUEUES_MAX + 1];
	int64_t waiting[BOARD_QUEUES_MAX + 1], longest[BOARD_QUEUES_MAX + 1];
	int64_t agents[BOARD_QUEUES_MAX + 1][BOARD_NSTATES];
};

static void snap(const struct board *b, int64_t now, struct snapshot *s)
{
	memset(s, 0, sizeof *s);
	struct calls_figures_query q = figq(b, now);
	for (int i = 0; i <= b->nq; i++) {
		s->longest[i] = -1;
		s->figs[i].start = q.from;
		s->figs[i].longest_wait = -1;
	}
	for (size_t i = 0; i < b->ncalls; i++) {
		const struct bcall *c = b->calls[i];
		if (waiting(b, c, now)) {
			int64_t w = now - c->entered;
			s->waiting[c->q]++;
			s->waiting[b->nq]++;
			if (w > s->longest[c->q])
				s->longest[c->q] = w;
			if (w > s->longest[b->nq])
				s->longest[b->nq] = w;
		}
		if (c->entered >= q.from && c->entered < q.to && c->entered <= now) {
			struct calls_row r = row_of(c);
			calls_figure_add(&s->figs[c->q], &r, &q);
			calls_figure_add(&s->figs[b->nq], &r, &q);
		}
	}
	for (int i = 0; i < b->na; i++) {
		const struct bagent *a = b->agents[i];
		int64_t since;
		enum board_state st = state_of(b, a, &since);
		s->agents[b->nq][st]++;
		for (int k = 0; k < a->nmem; k++)
			s->agents[a->mem[k].q][member_in(a, &a->mem[k]) ? st : BOARD_LOGGED_OFF]++;
	}
	for (int i = 0; i <= b->nq; i++)
		s->figs[i].agents = s->agents[i][BOARD_AVAILABLE] + s->agents[i][BOARD_ON_CALL] +
				    s->agents[i][BOARD_PAUSED];
}

static void queue_view(const struct board *b, const struct snapshot *s, int i,
		       struct board_queue_view *v)
{
	memset(v, 0, sizeof *v);
	copy(v->queue, sizeof v->queue, b->q[i].name);
	copy(v->title, sizeof v->title, b->q[i].title);
	v->alert_s = b->q[i].alert_s;
	v->waiting = s->waiting[i];
	v->longest_wait_s = s->longest[i];
	v->alert = v->alert_s > 0 && v->longest_wait_s > v->alert_s;
	memcpy(v->agents, s->agents[i], sizeof v->agents);
	v->offered = s->figs[i].offered;
	v->answered = s->figs[i].answered;
	v->abandoned = s->figs[i].abandoned;
	v->answered_in_sl = s->figs[i].answered_in_sl;
}

int board_queue(struct board *b, const char *queue, int64_t now, struct board_queue_view *v)
{
	pthread_mutex_lock(&b->mu);
	int i = queue_of(b, queue, 0), rc = -1;
	if (i >= 0) {
		struct snapshot *s = xcalloc(1, sizeof *s);
		snap(b, now, s);
		queue_view(b, s, i, v);
		free(s);
		rc = 0;
	}
	pthread_mutex_unlock(&b->mu);
	return rc;
}

static void agent_view(const struct board *b, const struct bagent *a, int64_t now,
		       struct board_agent_view *v)
{
	memset(v, 0, sizeof *v);
	copy(v->agent, sizeof v->agent, a->name);
	v->state = state_of(b, a, &v->since);
	if (v->state == BOARD_ON_CALL && a->call_q >= 0)
		copy(v->queue, sizeof v->queue, b->q[a->call_q].name);
	if (v->state == BOARD_PAUSED)
		copy(v->reason, sizeof v->reason, a->reason);
	v->rings_unanswered = a->ring_day == day_start(now) ? a->rings : 0;
	v->last_ring_end = a->last_ring_end;
	v->last_ring_ms = a->last_ring_ms;
}

int board_agent(struct board *b, const char *agent, int64_t now, struct board_agent_view *v)
{
	pthread_mutex_lock(&b->mu);
	struct bagent *a =
	    agent ? agent_find(b, agent, hash_str(0xcbf29ce484222325ull, agent), NULL) : NULL;
	if (a)
		agent_view(b, a, now, v);
	pthread_mutex_unlock(&b->mu);
	return a ? 0 : -1;
}

/* ---- JSON ---- */

static void write_agents(struct jw *w, const int64_t *n)
{
	jw_object(w, "agents");
	for (int st = 0; st < BOARD_NSTATES; st++)
		jw_int(w, board_state_name((enum board_state)st), n[st]);
	jw_end(w);
}

static void wait_field(struct jw *w, const char *key, int64_t v)
{
	if (v < 0)
		jw_null(w, key);
	else
		jw_int(w, key, v);
}

/* Today's figures as GET /api/v1/calls/figures writes a day's row, under key. */
static void figure(struct jw *w, const char *key, const struct calls_figure *f,
		   const struct calls_figures_query *q)
{
	struct jw o;
	jw_init(&o);
	calls_figure_write(f, q, &o);
	size_t len;
	char *json = jw_take(&o, &len);
	jw_raw(w, key, json);
	free(json);
}

static int by_name(const void *x, const void *y)
{
	return strcmp((*(struct bagent *const *)x)->name, (*(struct bagent *const *)y)->name);
}

void board_write(struct board *b, int64_t now, int at, struct jw *w)
{
	pthread_mutex_lock(&b->mu);
	prune(b, now);
	struct snapshot *s = xcalloc(1, sizeof *s);
	snap(b, now, s);
	struct calls_figures_query q = figq(b, now);
	char day[32];
	int y, m, d;
	civil_from_days((q.from + TEHRAN_UTC_OFFSET) / 86400, &y, &m, &d);
	snprintf(day, sizeof day, "%04d-%02d-%02d", y, m, d);

	jw_object(w, NULL);
	if (at)
		jw_time(w, "at", now);
	jw_str(w, "day", day);
	jw_int(w, "sl_seconds", b->sl_seconds);
	jw_bool(w, "ringing_known", 0);
	jw_array(w, "queues");
	for (int i = 0; i < b->nq; i++) {
		struct board_queue_view v;
		queue_view(b, s, i, &v);
		jw_object(w, NULL);
		jw_str(w, "queue", v.queue);
		jw_str(w, "title", v.title[0] ? v.title : NULL);
		if (v.alert_s > 0)
			jw_int(w, "alert_s", v.alert_s);
		else
			jw_null(w, "alert_s");
		jw_int(w, "waiting", v.waiting);
		wait_field(w, "longest_wait_s", v.longest_wait_s);
		jw_bool(w, "alert", v.alert);
		write_agents(w, v.agents);
		q.queue = v.queue;
		figure(w, "today", &s->figs[i], &q);
		jw_end(w);
	}
	jw_end(w);
	jw_object(w, "totals");
	jw_int(w, "waiting", s->waiting[b->nq]);
	wait_field(w, "longest_wait_s", s->longest[b->nq]);
	write_agents(w, s->agents[b->nq]);
	jw_end(w);
	q.queue = NULL;
	figure(w, "today", &s->figs[b->nq], &q);
	jw_array(w, "alerts");
	for (int i = 0; i < b->nq; i++) {
		struct board_queue_view v;
		queue_view(b, s, i, &v);
		if (!v.alert)
			continue;
		jw_object(w, NULL);
		jw_str(w, "queue", v.queue);
		jw_str(w, "title", v.title[0] ? v.title : NULL);
		jw_int(w, "longest_wait_s", v.longest_wait_s);
		jw_int(w, "alert_s", v.alert_s);
		jw_end(w);
	}
	jw_end(w);
	struct bagent **sorted = xcalloc((size_t)b->na, sizeof(struct bagent *));
	memcpy(sorted, b->agents, (size_t)b->na * sizeof(struct bagent *));
	qsort(sorted, (size_t)b->na, sizeof(struct bagent *), by_name);
	jw_array(w, "agents");
	for (int i = 0; i < b->na; i++) {
		struct board_agent_view v;
		agent_view(b, sorted[i], now, &v);
		jw_object(w, NULL);
		jw_str(w, "agent", v.agent);
		jw_str(w, "state", board_state_name(v.state));
		if (v.since >= 0)
			jw_time(w, "since", v.since);
		else
			jw_null(w, "since");
		jw_str(w, "queue", v.queue[0] ? v.queue : NULL);
		jw_str(w, "reason", v.state == BOARD_PAUSED ? v.reason : NULL);
		jw_int(w, "rings_unanswered", v.rings_unanswered);
		if (v.last_ring_end >= 0)
			jw_time(w, "last_ring_end", v.last_ring_end);
		else
			jw_null(w, "last_ring_end");
		if (v.last_ring_ms >= 0)
			jw_int(w, "last_ring_s", (v.last_ring_ms + 500) / 1000);
		else
			jw_null(w, "last_ring_s");
		jw_end(w);
	}
	jw_end(w);
	jw_end(w);
	free(sorted);
	free(s);
	pthread_mutex_unlock(&b->mu);
}
