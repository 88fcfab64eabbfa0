-- Files added to a case (attachments/attachments.h). The bytes are on disk beside the
-- database, content-addressed (NAME-attachments/ab/cdef...: the SHA-256 in hex); a row
-- says which case has them, under which name, from whom. Two rows may share a file.
CREATE TABLE attachments (
	id INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL REFERENCES cases(id),
	sha256 TEXT NOT NULL,
	size INTEGER NOT NULL,
	type TEXT NOT NULL,
	name TEXT NOT NULL,
	uploaded_by INTEGER NOT NULL REFERENCES users(id),
	at INTEGER NOT NULL
);
CREATE INDEX attachments_by_case ON attachments(case_id, id);
CREATE INDEX attachments_by_sha256 ON attachments(sha256);
