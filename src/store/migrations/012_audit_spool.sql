-- The audit spool (audit/spool.h): the last sequence number of the spool file's entries
-- imported into journal.audit, in the same transaction as the rows, so that no entry is
-- imported twice when an import is repeated after a crash.
CREATE TABLE journal.audit_spool (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	seq INTEGER NOT NULL
) STRICT;
INSERT INTO journal.audit_spool(id, seq) VALUES (1, 0);

-- No query reads the audit log by user (the auditor's filter by login walks the log by id,
-- as EXPLAIN QUERY PLAN shows): the index cost every audit row a B-tree insert, a quarter
-- of an import's time, for nothing.
DROP INDEX journal.audit_user;
