/* queuelog: one line of Asterisk's queue_log as app_queue writes it, parsed and checked;
 * pure, no database.
 *
 *	epoch|callid|queue|agent|EVENT|data1|data2|...
 *
 * The file form comes from main/logger.c's ast_queue_log(): "%ld|%s|%s|%s|%s|" and then
 * the event's own format, so a line always has a '|' after the event, and one event's
 * data may hold several '|'-separated fields (the single `data` column of the realtime
 * table holds the same text). The data1..data5 form (logger.c's queue_adaptive_realtime,
 * and the same rows exported with empty columns) pads the fields with empty ones and may
 * write the time as "YYYY-MM-DD HH:MM:SS[.ffffff]" instead of the epoch; empty trailing
 * fields are dropped, so both forms of the same event parse alike and hash alike.
 *
 * Each event's data, checked against Asterisk's apps/app_queue.c (the ast_queue_log()
 * calls; github.com/asterisk/asterisk, master of 2026-08) and the "Queue Logs" page of
 * docs.asterisk.org (formerly doc/queuelog.txt), which also gives the older forms:
 *   ENTERQUEUE       url|callerid|position[|callername]   (1.4: url|callerid)
 *   CONNECT          holdtime|bridgedchanneluniqueid[|ringtime]
 *   COMPLETEAGENT    holdtime|calltime[|origposition]
 *   COMPLETECALLER   holdtime|calltime[|origposition]
 *   ABANDON          position|origposition|waittime
 *   EXITWITHTIMEOUT  position[|origposition|waittime]
 *   EXITWITHKEY      key|position[|origposition|waittime]
 *   EXITEMPTY        position|origposition|waittime
 *   WITHDRAW         position|origposition|waittime[|info]
 *   RINGNOANSWER     ringtime (ms)
 *   RINGCANCELED     ringtime (ms)
 *   TRANSFER         extension|context|holdtime|calltime[|origposition]   (1.4 .. 11)
 *   BLINDTRANSFER    extension|context|holdtime|calltime|origposition
 *   ATTENDEDTRANSFER BRIDGE|uid or APP|app or LINK|chan|chan, then holdtime|calltime|origposition
 *   AGENTLOGIN       channel
 *   AGENTLOGOFF      channel|logintime
 *   AGENTCALLBACKLOGIN exten@context; AGENTCALLBACKLOGOFF exten@context|logintime|reason
 *   ADDMEMBER [PAUSED]; REMOVEMEMBER; PAUSE, UNPAUSE, PAUSEALL, UNPAUSEALL [reason];
 *   CONFIGRELOAD; QUEUESTART; AGENTDUMP; SYSCOMPAT; PENALTY penalty; RINGINUSE 0|1
 * Times are seconds unless said. A number the event needs that is missing or not a
 * number makes the line malformed; an optional one missing reads as -1. */
#ifndef TAMIN_CALLS_QUEUELOG_H
#define TAMIN_CALLS_QUEUELOG_H

#include <stddef.h>
#include <stdint.h>

enum ql_event {
	QL_NONE = 0,
	QL_ENTERQUEUE,
	QL_CONNECT,
	QL_COMPLETEAGENT,
	QL_COMPLETECALLER,
	QL_ABANDON,
	QL_EXITWITHTIMEOUT,
	QL_EXITWITHKEY,
	QL_EXITEMPTY,
	QL_WITHDRAW,
	QL_RINGNOANSWER,
	QL_RINGCANCELED,
	QL_TRANSFER,
	QL_BLINDTRANSFER,
	QL_ATTENDEDTRANSFER,
	QL_AGENTLOGIN,
	QL_AGENTLOGOFF,
	QL_AGENTCALLBACKLOGIN,
	QL_AGENTCALLBACKLOGOFF,
	QL_ADDMEMBER,
	QL_REMOVEMEMBER,
	QL_PAUSE,
	QL_UNPAUSE,
	QL_PAUSEALL,
	QL_UNPAUSEALL,
	QL_CONFIGRELOAD,
	QL_QUEUESTART,
	QL_AGENTDUMP,
	QL_SYSCOMPAT,
	QL_PENALTY,
	QL_RINGINUSE,
	QL_NEVENTS
};

/* Why a line was refused; ql_error_name gives the code the reports print. */
enum ql_error {
	QL_OK = 0,
	QL_E_EMPTY,	 /* "empty": nothing but blanks */
	QL_E_FIELDS,	 /* "too_few_fields": fewer than epoch|callid|queue|agent|EVENT */
	QL_E_TOO_MANY,	 /* "too_many_fields": more data fields than any event has */
	QL_E_TIME,	 /* "bad_time": neither an epoch nor YYYY-MM-DD HH:MM:SS */
	QL_E_IMPOSSIBLE, /* "impossible_time": before 2000 or after 2100, or no such date */
	QL_E_EVENT,	 /* "unknown_event" */
	QL_E_UTF8,	 /* "bad_utf8": not UTF-8, or a control character */
	QL_E_LONG,	 /* "field_too_long": a field over QL_FIELD_MAX, a line over QL_LINE_MAX */
	QL_E_BLANK,	 /* "missing_field": callid or event empty */
	QL_E_DATA,	 /* "bad_data": a field the event needs missing or not a number */
};

#define QL_LINE_MAX 8192 /* ast_queue_log's own buffer (qlog_msg[8192]) */
#define QL_FIELD_MAX 255
#define QL_DATA_MAX 12

struct ql_line {
	int64_t epoch; /* UTC seconds */
	const char *callid, *queue, *agent, *event_name;
	enum ql_event event;
	int ndata; /* data fields after the event, empty trailing ones dropped */
	const char *data[QL_DATA_MAX];
	/* what the event says, -1 (or NULL) when it does not say it */
	int64_t wait_s;	  /* holdtime or waittime: seconds in the queue */
	int64_t talk_s;	  /* calltime */
	int64_t ring_ms;  /* RINGNOANSWER, RINGCANCELED; CONNECT's ringtime * 1000 */
	int64_t position; /* position when leaving, or ENTERQUEUE's */
	int64_t origposition;
	const char *callerid; /* ENTERQUEUE */
	const char *key;      /* EXITWITHKEY */
	const char *reason;   /* PAUSE, UNPAUSE, PAUSEALL, UNPAUSEALL, AGENTCALLBACKLOGOFF */
	uint64_t hash; /* the whole line as parsed (time, ids, event, data): the duplicate key */
};

/* Parses line[0..len) (no newline; a trailing '\r' is dropped) in place: the '|' become
 * NULs, line[len] is written a NUL (the buffer holds len + 1 bytes), and out's strings
 * point into line. QL_OK, or the reason it is refused (out is
 * then undefined). Never reads outside line[0..len). */
enum ql_error ql_parse(char *line, size_t len, struct ql_line *out);

/* "too_few_fields", ...; "ok" for QL_OK. */
const char *ql_error_name(enum ql_error e);
/* "ENTERQUEUE", ...; NULL for QL_NONE or out of range. */
const char *ql_event_name(enum ql_event ev);
/* 1 for the events of a caller's call (ENTERQUEUE .. ATTENDEDTRANSFER), 0 for an agent's
 * or the queue's. */
int ql_is_call_event(enum ql_event ev);

#endif
