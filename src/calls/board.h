/* board: the live wallboard of the phone line, built event by event from queue_log lines
 * (calls/queuelog.h); no database, no clock of its own (every question names `now`).
 *
 * Per queue: the callers waiting now and the longest wait now (ENTERQUEUE until CONNECT,
 * ABANDON, EXITWITHTIMEOUT, EXITWITHKEY, EXITEMPTY or WITHDRAW), its agents by state, and
 * today's (the Tehran day of `now`) offered, answered, abandoned and service level, each
 * figure as calls_figure_add (calls.h) defines it. Per agent (the queue_log's agent
 * field, Asterisk's membername: staff data, never a caller's):
 *   logged_off  AGENTLOGOFF, or REMOVEMEMBER from every queue it was in;
 *   on_call     CONNECT until COMPLETEAGENT, COMPLETECALLER or a TRANSFER;
 *   paused      PAUSE, PAUSEALL (with their reason), or ADDMEMBER's "PAUSED";
 *   available   AGENTLOGIN, ADDMEMBER, UNPAUSE, UNPAUSEALL, or a call ended.
 * A static member (queues.conf) never logs in: an agent first seen on a call counts as
 * logged in.
 *
 * Ringing: app_queue logs nothing when it starts ringing a phone; RINGNOANSWER and
 * RINGCANCELED are written when the ringing ended, CONNECT's ringtime after the answer.
 * So the board never says "ringing now": it says, per agent, how many rings went
 * unanswered today and when the last one ended (with how long it rang).
 *
 * Order and duplicates. Each fact is a register stamped with the time of the event that
 * set it; an event older than the register it would change is ignored (a COMPLETEAGENT
 * read before its CONNECT leaves the agent free, and the late CONNECT changes nothing).
 * A call's facts merge by rules that do not depend on order (earliest entry, latest end),
 * as the import's do. An event seen again (same line hash, queuelog.h) is ignored. Events
 * at the same second apply in the order fed. QUEUESTART (Asterisk restarted) ends every
 * call and every agent's call open before it. A caller waiting longer than
 * BOARD_WAIT_STALE is taken as a lost end event and no longer shown waiting.
 *
 * Every function locks the board: feeds and reads may come from any thread. */
#ifndef TAMIN_CALLS_BOARD_H
#define TAMIN_CALLS_BOARD_H

#include <stddef.h>
#include <stdint.h>

struct jw;
struct ql_line;

#define BOARD_QUEUES_MAX 64
#define BOARD_AGENTS_MAX 4096
#define BOARD_AGENT_QUEUES 16	    /* queues one agent is told apart in */
#define BOARD_WAIT_STALE (4 * 3600) /* seconds */
#define BOARD_KEEP (26 * 3600)	    /* events older than now - this are not kept */

/* A queue as data/queues.tsv names it. */
struct board_queue_conf {
	const char *queue; /* as in queue_log */
	const char *title; /* Persian */
	int alert_s;	   /* the longest wait before the board warns; 0: never */
};

struct board;

/* The board of these queues (copied; others are shown as they appear, without a title
 * or an alert). sl_seconds: answered within it is in service level (calls_figures, 20);
 * short_seconds as calls_figures' (5). NULL on out of memory. */
struct board *board_new(const struct board_queue_conf *queues, int n, int sl_seconds,
			int short_seconds);
void board_free(struct board *b);

/* One event, in any order. Strings are copied. b NULL: nothing. */
void board_feed(struct board *b, const struct ql_line *l);
/* Drops what no answer at `now` needs (calls of earlier days, seen hashes past
 * BOARD_KEEP). board_write does it too. */
void board_prune(struct board *b, int64_t now);

/* ---- reading it ---- */

enum board_state { BOARD_LOGGED_OFF, BOARD_AVAILABLE, BOARD_ON_CALL, BOARD_PAUSED, BOARD_NSTATES };
const char *board_state_name(enum board_state s); /* "logged_off", "available", ... */

struct board_queue_view {
	char queue[64], title[128];
	int alert_s;
	int64_t waiting, longest_wait_s; /* -1: no one waiting */
	int alert;			 /* longest_wait_s > alert_s */
	int64_t agents[BOARD_NSTATES];	 /* members of this queue by state */
	/* today so far, by calls_figure_add */
	int64_t offered, answered, abandoned, answered_in_sl;
};

struct board_agent_view {
	char agent[128];
	enum board_state state;
	int64_t since;		  /* the state's start (the event that set it); -1 not known */
	char queue[64];		  /* on_call: the call's queue */
	char reason[128];	  /* paused: the reason given, "" none */
	int64_t rings_unanswered; /* today: RINGNOANSWER and RINGCANCELED */
	int64_t last_ring_end, last_ring_ms; /* the last of them; -1 none */
};

/* The queue's view at now: 0, or -1 when the board knows no such queue. */
int board_queue(struct board *b, const char *queue, int64_t now, struct board_queue_view *v);
/* The agent's view at now: 0, or -1 when the board never saw it. */
int board_agent(struct board *b, const char *agent, int64_t now, struct board_agent_view *v);

/* The whole board at now as one JSON object into w (at: with "at", now; the stream leaves
 * it out so that an unchanged board writes the same bytes):
 * {day, sl_seconds, queues: [{queue, title, alert_s, waiting, longest_wait_s, alert,
 *  agents: {available, on_call, paused, logged_off}, today: {offered, answered, abandoned,
 *  service_level}}], agents: [{agent, state, since, queue, reason, rings_unanswered,
 *  last_ring_end, last_ring_s}], totals: {waiting, longest_wait_s, agents, today},
 *  alerts: [{queue, title, longest_wait_s, alert_s}], ringing_known: false} */
void board_write(struct board *b, int64_t now, int at, struct jw *w);

/* ---- served (wall.c): built at start, fed after each committed import, pushed ---- */

struct db;
struct err;
struct live;
struct req;

/* The board of data_dir/queues.tsv (titles, wait alerts), fed every stored event of the
 * last 24 hours before now (calls_events_each). NULL with e. */
struct board *board_start(struct db *db, const char *data_dir, int64_t now, struct err *e);

/* The new events of an import reach the board through calls/feed.c (calls_dispatch, after
 * the commit), with the screen pop's. */

/* Once a second, while a supervisor's stream is open, the board as `event: board` to every
 * supervisor when it changed since the last push (live_supervisors). NULL with e. */
struct board_pusher *board_pusher_start(struct board *b, struct live *lv, struct err *e);
void board_pusher_stop(struct board_pusher *p);

/* GET /api/v1/calls/board (supervisor) */
void board_h_get(struct req *r);

#endif
