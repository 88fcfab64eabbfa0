/* audit spool: the durable path of the audit rows that reads write.
 *
 * Every read of a person's record is audited before its reply leaves. Written as rows of
 * journal.audit through the writer, each group of reads was a SQLite transaction: a
 * B-tree insert per row and index, one WAL frame (two system calls) per page the group
 * dirtied, and an fsync; waiting for it cost about a third of the case read's rate. The
 * spool instead appends the entries to a file beside the database, one line each with
 * its sequence number and a checksum, and makes each group durable with one pwrite() and
 * one fdatasync() on its own thread (under load a group waits up to 400 µs for 16 reads);
 * the reads' replies leave after that.
 *
 * The writer imports the spooled lines into journal.audit in batches (every second, or
 * at once when half a megabyte waits; at most 8,192 lines a transaction), in the same
 * transaction as the last sequence imported (journal.audit_spool), so that a line is
 * imported once even if an import is repeated. Two files take turns
 * (NAME-audit-a.spool and NAME-audit-b.spool beside NAME.db): once one holds a megabyte
 * and every line of the other is imported, writing moves to the other, from its start.
 * The files are written with zeros ahead of the lines, so a sync writes data and never
 * the file's size.
 *
 * Whoever reads journal.audit over HTTP first runs audit_spool_import in a writer job,
 * so a durable entry is always seen. At start the spool imports what a crash left (each
 * file's lines up to the first incomplete, damaged or older one: every entry whose read
 * was answered was synced before, so none of them is lost), and at a clean stop it
 * imports the rest. Keep the spool files with the database. */
#ifndef TAMIN_AUDIT_SPOOL_H
#define TAMIN_AUDIT_SPOOL_H

#include "audit/audit.h"
#include "store/writer.h"

struct audit_spool;

/* Entries of one reply; rows, who and ip must live until job.done has run. */
struct audit_batch {
	const struct principal *who;
	const char *ip;
	int64_t now;
	const struct audit_entry *rows;
	int n;
	/* done(arg, rc, e) runs on job.base's loop once the entries are durable (rc 0) or
	 * could not be written (rc < 0). */
	struct write_job job;
	struct audit_batch *next; /* the spool's own */
};

/* The spool's files: which 0 "var/tamin.db" -> "var/tamin-audit-a.spool", 1 -> "...-b.spool"
 * into buf; -1 if it does not fit. */
int audit_spool_path(const char *db_path, int which, char *buf, size_t cap);

/* Imports what the spool files hold (a crash's leftovers) into the database at db_path,
 * empties them and starts the spool's thread; its imports go through w. The files are
 * named after local (audit_spool_path), a path on this machine: the database file itself
 * for SQLite (local NULL), a name in the server's state folder for PostgreSQL. NULL with
 * e filled on failure. */
struct audit_spool *audit_spool_start(const char *db_path, const char *local, struct writer *w,
				      struct err *e);

/* Queues the batch: 0, or -1 when the spool failed earlier (the caller audits another
 * way). */
int audit_spool_submit(struct audit_spool *s, struct audit_batch *b);

/* What one import read: the file's generation (it is emptied now and then) and the
 * offset it imported to. Zero-initialise it before the job runs. */
struct audit_import {
	int64_t gen[2], upto[2]; /* per file */
};

/* Inside a writer job: imports every entry made durable so far into journal.audit.
 * Once the job's transaction committed, tell the spool with audit_spool_imported (which
 * does nothing for an import that did not run or read nothing). */
int audit_spool_import(struct audit_spool *s, struct db *db, struct audit_import *x, struct err *e);
void audit_spool_imported(struct audit_spool *s, const struct audit_import *x);

/* After the loops stopped, before writer_stop: syncs what is queued, imports everything
 * through the writer, empties the file and frees s. */
void audit_spool_stop(struct audit_spool *s);

#endif
