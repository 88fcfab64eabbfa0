/* blocks: how the calls module keeps the phone line (table call_blocks, migration 025);
 * internal to src/calls. Other modules read the line through calls.h only.
 *
 * Time is cut in hour blocks (CB_BLOCK). A block is one or more segments (rows, numbered
 * by seq): each holds what one flush of an import added to that hour: the lines as read
 * (each ended by a newline; zstd-compressed from 4 KiB), their 64-bit hashes sorted
 * (ql_line.hash: the duplicate check reads only these), and the facts those lines gave
 * of each call anchored in that hour (a fragment) in two blobs: fixed records of what the
 * figures read, with the agents at work in each queue each 15 minutes (queue and agent
 * names interned), then each call's own text (id, caller, agent, person). A call is the
 * merge of its fragments, by rules that do not depend on their order (cb_call_merge); its
 * fragments all lie within CB_MARGIN of its entry. A fragment is written "first" when no
 * fragment of its call was stored near it: a reader merges only the others. A block that
 * reaches CB_MERGE_AT segments is merged into one, so a followed log's small flushes stay
 * small writes and a block stays few rows.
 *
 * Blobs are in the host's byte order (little-endian on every machine tamin runs on). */
#ifndef TAMIN_CALLS_BLOCKS_H
#define TAMIN_CALLS_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"

struct db;
struct ql_line;

#define CB_BLOCK 3600	     /* seconds of event time a block holds */
#define CB_MARGIN (6 * 3600) /* a call's fragments are anchored within this of its entry */
#define CB_SLOT 900	     /* agents at work are kept by 15 minutes */
#define CB_MERGE_AT 8	     /* segments that make a block be merged into one */
#define CB_RECENT 4096	     /* calls a batch finds without its table */

static inline int64_t cb_block(int64_t t)
{
	return t - ((t % CB_BLOCK) + CB_BLOCK) % CB_BLOCK;
}
static inline int64_t cb_slot(int64_t t)
{
	return t - ((t % CB_SLOT) + CB_SLOT) % CB_SLOT;
}

/* A call (a caller's time in one queue) as merged so far; -1 for a time not known,
 * NULL for a string not known. */
struct cb_call {
	uint64_t key; /* cb_key(callid, queue) */
	const char *callid, *queue, *caller, *agent;
	int64_t entered, connected, ended, wait_s, talk_s;
	int64_t person_id; /* 0: none */
	int64_t first_at;  /* the earliest event's time: the anchor when entered is not known */
	int rank;	   /* the outcome's strength; 0 while waiting */
	int first;	   /* no fragment of it was stored near it when written */
	int dead;	   /* merged into another (readers) */
};

uint64_t cb_key(const char *callid, const char *queue);
/* A 64-bit hash of p[0..n), eight bytes at a time. */
uint64_t cb_hash(const void *p, size_t n, uint64_t seed);
/* v sorted (a radix sort: the hashes of a block). */
void cb_sort_u64(uint64_t *v, size_t n);
/* The outcome named by a rank ("answered", "transfer", "abandoned", ...), NULL for 0. */
const char *cb_outcome(int rank);
/* Where a call is kept: its entry when known, else its first event. */
static inline int64_t cb_anchor(const struct cb_call *c)
{
	return c->entered >= 0 ? c->entered : c->first_at;
}
/* from's facts into into (the same call): earliest entry and connection, latest end,
 * longest wait and talk, the strongest outcome, the first caller, agent, person known. */
void cb_call_merge(struct cb_call *into, const struct cb_call *from);

/* Calls and agents' presence being gathered (an import's batch, a merge, a legacy
 * segment read); strings are copied into the arena. */
struct cb_seen {
	uint64_t h;
	int64_t slot;
	const char *queue, *agent;
};
struct cb_build {
	struct arena *arena;
	struct cb_slot_call {
		uint64_t key;
		struct cb_call *c;
	} *calls; /* the table: keys beside the calls, so a probe reads no call */
	size_t ccap, ncalls;
	struct cb_slot_call *recent; /* CB_RECENT calls by key, the last seen at each place: a
				      * call's next line finds it there, in the cache */
	struct cb_seen **seen;
	size_t scap, nseen;
	struct cb_call **clist; /* the same, in the order added */
	size_t clcap;
	struct cb_seen **slist;
	size_t slcap;
};
void cb_build_init(struct cb_build *b, struct arena *a);
void cb_build_clear(struct cb_build *b); /* empties the tables (the arena is the caller's) */
void cb_build_free(struct cb_build *b);
/* The call of (key, callid, queue), added (all unknown) when new. */
struct cb_call *cb_build_call(struct cb_build *b, uint64_t key, const char *callid,
			      const char *queue);
/* What one event says of its call and of its agent. */
void cb_build_event(struct cb_build *b, const struct ql_line *l);
void cb_build_seen(struct cb_build *b, int64_t slot, const char *queue, const char *agent);

/* The blobs of a block's calls: calls (fixed records of what the figures read, and the
 * agents at work, queue and agent names interned) and text (each call's id, caller,
 * agent and person, read only by those who list calls). */
struct cb_blobs {
	void *calls, *text;
	size_t calls_len, text_len;
};
void cb_encode(struct cb_call *const *calls, size_t ncalls, struct cb_seen *const *seen,
	       size_t nseen, int64_t start, struct cb_blobs *out);
void cb_blobs_free(struct cb_blobs *b);
/* Reads the blobs of block start as a reader does (text may be NULL): 0 with their calls'
 * and agents' counts, or -1 when damaged (what the fuzz target checks). */
int cb_blobs_check(const void *calls, size_t calls_len, const void *text, size_t text_len,
		   int64_t start, size_t *ncalls, size_t *nseen);

/* A segment as read; pointers valid during the callback only. */
struct cb_seg {
	int64_t start, seq, events;
	const uint64_t *hashes; /* sorted; NULL unless asked */
	size_t nhashes;
	const char *lines; /* NULL unless asked */
	size_t lines_len;
	/* the calls, unless not asked (their callid, caller and agent NULL unless CB_TEXT
	 * asked), and the agents at work; queue and agent names point into strs, the
	 * calls' own strings into text */
	struct cb_call *calls;
	size_t ncalls;
	struct cb_seen *seen;
	size_t nseen;
	const char *strs, *text;
	size_t nstr, ntext;
};
enum { CB_LINES = 1, CB_HASHES = 2, CB_CALLS = 4, CB_TEXT = 8 };
typedef int (*cb_seg_fn)(void *ctx, const struct cb_seg *s, struct err *e);
/* Each segment of the blocks starting in [from, to), by start and seq, with what want
 * asks for. 0, or -1 with e (fn's, or a database or a damaged blob's). */
int cb_each_seg(struct db *db, int64_t from, int64_t to, int want, cb_seg_fn fn, void *ctx,
		struct err *e);

/* Writes a segment of block start (seq: after the block's last). hashes sorted. Merges
 * the block into one segment when it has CB_MERGE_AT. 0, or -1 with e. */
int cb_put(struct db *db, int64_t start, const uint64_t *hashes, size_t nhashes,
	   const char *lines, size_t lines_len, const struct cb_blobs *calls, struct err *e);

/* Each call entering in [from, to), merged from its fragments, read chunk seconds of
 * entry at a time (each chunk's calls by entry time when sorted); with text, their
 * callid, caller, agent and person too (else only their key tells two apart). fn's c
 * lives until it returns. seen, unless NULL, hears the agents at work of every segment read (some more
 * than once: the chunks' margins overlap). 0, or -1 with e. */
typedef int (*cb_call_fn)(void *ctx, const struct cb_call *c, struct err *e);
typedef void (*cb_seen_fn)(void *ctx, const struct cb_seen *s);
int cb_calls(struct db *db, int64_t from, int64_t to, int64_t chunk, int sorted, int text,
	     cb_call_fn fn, cb_seen_fn seen, void *ctx, struct err *e);

#endif
