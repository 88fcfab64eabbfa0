-- Documents anyone can verify (documents/): every paper issued, a pay slip, an insurance
-- history or salary certificate (a person's) or a debt clearance certificate (a
-- workshop's), with its random verification code (16 symbols of Crockford's base32),
-- what it said as canonical JSON (keys sorted, no white space) and that text's SHA-256
-- in hex. The same paper asked again the same day, with nothing on it changed, is the
-- row already there: documents_person and documents_workshop find it by its digest.
-- Append-only: a paper once issued is never changed (triggers refuse it).
CREATE TABLE documents (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE CHECK (length(code) = 16),
	kind TEXT NOT NULL CHECK (kind IN ('payslip', 'history', 'salary', 'clearance')),
	person_id INTEGER REFERENCES people(id),
	workshop_id INTEGER REFERENCES workshops(id),
	content TEXT NOT NULL,
	sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
	issued_at INTEGER NOT NULL,
	issued_by INTEGER REFERENCES users(id),
	CHECK ((person_id IS NULL) <> (workshop_id IS NULL))
);
CREATE INDEX documents_person ON documents(person_id, kind, sha256)
	WHERE person_id IS NOT NULL;
CREATE INDEX documents_workshop ON documents(workshop_id, kind, sha256)
	WHERE workshop_id IS NOT NULL;

CREATE TRIGGER documents_no_update BEFORE UPDATE ON documents
BEGIN SELECT RAISE(ABORT, 'documents are append-only: a paper once issued stays'); END;
CREATE TRIGGER documents_no_delete BEFORE DELETE ON documents
BEGIN SELECT RAISE(ABORT, 'documents are append-only: a paper once issued stays'); END;
