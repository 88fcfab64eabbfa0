/* A served tamin inside the fuzzer's process, for the targets that send requests
 * (fuzz_api.c, fuzz_server.c): a small demo database in a temporary folder, the writer,
 * the audit spool, and one HTTP loop (http_loop_new, http.h) accepting on a Unix socket,
 * with a session for each role, logged in through the login route. A request is sent on
 * a connection of its own and takes the whole path of a served one: conn.c reads it,
 * wire.c parses it, server.c routes and authenticates it, the handler runs, its write
 * job goes through the writer thread, and the reply comes back on the socket. */
#ifndef TAMIN_TESTS_FUZZ_SERVED_H
#define TAMIN_TESTS_FUZZ_SERVED_H

#include <stddef.h>

enum served_as {
	AS_NONE, /* no session */
	AS_ADMIN,
	AS_AGENT,	/* agent1 */
	AS_DESK,	/* desk1 */
	AS_SPECIALIST,	/* sp_pensions */
	AS_SUPERVISOR,	/* supervisor, of every department */
	AS_DEPARTMENT,	/* sv_pensions, the pensions department's supervisor */
	AS_AUDITOR,
	AS_EMPLOYER,	/* emp1, who acts for the demo's first workshop */
	AS_CITIZEN,	/* the first demo citizen */
	AS_TELEPHONY,	/* pbx, the telephone system's account */
	AS_N
};

struct served {
	const char *name[AS_N];	 /* "none", "admin", "agent", ... as inputs name them */
	const char *token[AS_N]; /* the session's bearer token ("" for AS_NONE) */
	const char *csrf[AS_N];	 /* its CSRF token */
	char case_id[24];	 /* a case agent1 opened for the citizen (topic pension_not_paid) */
	char workshop[16];	 /* emp1's workshop code */
	char citizen[16];	 /* the citizen's national id */
};

/* Opens a new case as case_id was opened, and writes its id into id. */
void served_new_case(char id[24]);

/* in[0..size) with its placeholders replaced, in a malloc'd buffer of *n bytes: {case}
 * by case_id, {workshop} by workshop, {nid} by citizen, and when tokens is set {T:role}
 * and {C:role} by that role's session and CSRF tokens (role as name[] says it). */
char *served_expand(const void *in, size_t size, int tokens, size_t *n);

/* This process's scratch folder (in memory where /dev/shm is), made at the first call,
 * removed at exit; folders left by runs that died are removed then too. */
const char *served_dir(void);

/* Starts the served app once (later calls return it); exits the process on failure. */
const struct served *served_start(void);

/* Sends req[0..len) on a new connection, half-closes it, and runs the loop until the
 * server closes it. The reply bytes go into out (cap bytes, NUL-terminated; beyond
 * that they are read and dropped). Returns how many bytes the server sent. */
size_t served_exchange(const void *req, size_t len, char *out, size_t cap);

/* The status of the reply at the start of out, 0 when there is none. */
int served_status(const char *out);

/* The body of the reply at the start of out (after its head), or NULL. */
const char *served_body(const char *out);

#endif
