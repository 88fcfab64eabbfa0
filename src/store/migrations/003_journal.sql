-- The audit log and the caller contexts move to the journal file (see store.h):
-- their writes no longer invalidate the readers' page caches of the main file.
CREATE TABLE journal.audit (
	id INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	user_id INTEGER,
	role TEXT NOT NULL,
	action TEXT NOT NULL,
	person_id INTEGER,
	case_id INTEGER,
	reason TEXT NOT NULL DEFAULT '',
	outcome TEXT NOT NULL DEFAULT 'allowed',
	ip TEXT NOT NULL DEFAULT ''
);
INSERT INTO journal.audit SELECT id, at, user_id, role, action, person_id, case_id, reason,
	outcome, ip FROM main.audit;
CREATE INDEX journal.audit_person ON audit(person_id, id);
CREATE INDEX journal.audit_user ON audit(user_id, id);
CREATE TRIGGER journal.audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER journal.audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- user and person ids refer to the main file, where a foreign key cannot reach
CREATE TABLE journal.caller_contexts (
	user_id INTEGER NOT NULL,
	person_id INTEGER NOT NULL,
	until INTEGER NOT NULL,
	PRIMARY KEY (user_id, person_id)
);
INSERT INTO journal.caller_contexts SELECT user_id, person_id, until FROM main.caller_contexts;

DROP TABLE main.audit;
DROP TABLE main.caller_contexts;
