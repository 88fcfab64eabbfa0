/* live: who is told of what, as it happens. GET /api/v1/stream is a Server-Sent Events
 * stream (WHATWG HTML, "Server-sent events": text/event-stream, id:, event:, data:,
 * retry:, comments as heartbeats, Last-Event-ID on reconnect) that tells each signed-in
 * user of the changes to cases that concern them:
 *
 *   - staff: a case assigned to them or to their department (specialists and supervisors
 *     by department; a supervisor of every department hears every department), a case
 *     that left them or their department (a transfer), a case they created answered,
 *     reported back, closed, reopened or rated, an overdue case escalated;
 *   - citizens: their own cases answered, reported back, closed, or waiting on them.
 *
 * An event carries ids, the case number, the event's type and the case's status, never a
 * text (no note reaches a stream): the client fetches the case, where the rights of the
 * reader decide what it sees. The events are kept in memory (the last LIVE_RING), for a
 * client that reconnects with Last-Event-ID; one older than that, or from another run of
 * the server, gets `event: reset` (fetch everything again).
 *
 * The modules that change cases call live_case once their write committed; the streams
 * themselves are src/http's (req_stream), which knows no case. */
#ifndef TAMIN_LIVE_LIVE_H
#define TAMIN_LIVE_LIVE_H

#include <stddef.h>
#include <stdint.h>

struct live;
struct req;

#define LIVE_RING 4096

/* NULL on out of memory. live_free after the server stopped (its streams are closed). */
struct live *live_new(void);
void live_free(struct live *lv);

/* A change to a case, committed. Strings are copied; NULL is none. */
struct live_case {
	const char *type; /* the case's event: create, assign, answer, escalate, ... */
	int64_t case_id;
	const char *number;	/* 1405-0000012 */
	const char *status;	/* after the event */
	const char *waiting_on; /* citizen or department, when the case waits */
	int64_t department_id, assignee_id, created_by, person_id;
	/* before the event, when it changed them: they hear that the case left */
	int64_t was_department_id, was_assignee_id;
	int64_t actor_id; /* who did it; 0: the server (the overdue sweep) */
};
/* Tells every stream concerned, at once; from any thread. lv NULL: nothing. */
void live_case(struct live *lv, const struct live_case *c);

/* A call connected to user_id's telephone agent (the screen pop, calls/feed.c): each of
 * the user's streams gets `event: call` with the call's id, queue and time (never the
 * caller's number: the page fetches GET /api/v1/calls/{callid}). Not kept for a
 * reconnect: a pop is for now. From any thread; lv NULL: nothing. */
void live_call(struct live *lv, int64_t user_id, const char *callid, const char *queue,
	       int64_t at);
/* A snapshot for supervisors (the wallboard, calls/board.h): `event: NAME` with data json
 * (one line) to every supervisor's stream at once, from any thread; no id, not kept for
 * a reconnect (the client reads the snapshot again). How many streams were told. */
int live_supervisors(struct live *lv, const char *event, const char *json, size_t len);
/* Supervisors' streams open now (0: nobody to tell, skip the work). */
int live_supervisors_open(struct live *lv);

/* GET /api/v1/stream */
void live_h_stream(struct req *r);

#endif
