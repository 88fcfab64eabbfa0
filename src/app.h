/* app: the composition root's server-wide state, built by `tamin serve` and handed by the
 * HTTP server (which never looks inside) to every handler as r->app. Modules read what
 * they need from it; none of them writes it after start. */
#ifndef TAMIN_APP_H
#define TAMIN_APP_H

struct audit_spool;
struct board;
struct documents;
struct live;
struct otp;
struct rules;
struct tally;
struct users_pwlist;
struct writer;
struct web;
struct worktime;

struct app {
	const char *data_dir;
	struct writer *writer;	   /* the one writer thread (store/writer.h) */
	struct audit_spool *spool; /* the audit rows of reads (audit/spool.h); NULL: none */
	struct worktime *office;   /* the office calendar: hours and holidays (base/worktime.h) */
	struct worktime *always;   /* round the clock, for departments that never close */
	int login_limit; /* failed logins per login or address in 15 minutes before 429 */
	struct tally *login_failures; /* their counts (users_login_failures_new, base/tally.h) */
	const struct users_pwlist *refused_passwords; /* common ones and ours (users.h) */
	int cookie_secure; /* add Secure to the session cookie (behind TLS) */
	const struct web *web; /* the web app (web/web.h) served at /; NULL: none */
	const struct rules *rules; /* the law's dated parameters (rules/rules.h) */
	struct live *live; /* the streams of live events (live/live.h); NULL: none */
	const char *attach_dir; /* attachments' files (attachments/attachments.h); NULL: none */
	struct board *board; /* the live wallboard (calls/board.h); NULL: none */
	struct otp *otp; /* login by one-time code: key, counters, clock (otp/otp.h); NULL: none */
	/* the papers' public URL and the verifications' counts (documents/documents.h) */
	struct documents *documents;
};

#endif
