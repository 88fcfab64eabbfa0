-- The case desk: catalogue, people, users, sessions, cases and their events, audit.
-- Times are UTC seconds since the epoch. Events and audit rows are append-only:
-- triggers refuse any UPDATE or DELETE on them.

CREATE TABLE provinces (
	code TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	name_en TEXT NOT NULL
);

CREATE TABLE branches (
	id INTEGER PRIMARY KEY,
	province TEXT NOT NULL REFERENCES provinces(code),
	name TEXT NOT NULL,
	UNIQUE (province, name)
);

CREATE TABLE departments (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	name_en TEXT NOT NULL,
	calendar TEXT NOT NULL CHECK (calendar IN ('office', 'always'))
);

CREATE TABLE topics (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	department_id INTEGER NOT NULL REFERENCES departments(id),
	first_response_min INTEGER NOT NULL,
	resolution_min INTEGER NOT NULL,
	report_back_min INTEGER NOT NULL,
	keywords TEXT NOT NULL DEFAULT ''
);

CREATE TABLE people (
	id INTEGER PRIMARY KEY,
	national_id TEXT NOT NULL UNIQUE,
	first_name TEXT NOT NULL DEFAULT '',
	last_name TEXT NOT NULL DEFAULT '',
	father_name TEXT NOT NULL DEFAULT '',
	gender TEXT CHECK (gender IN ('m', 'f')),
	birth_date TEXT,
	mobile TEXT,
	province TEXT REFERENCES provinces(code),
	created INTEGER NOT NULL
);
CREATE INDEX people_mobile ON people(mobile);

CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	login TEXT NOT NULL UNIQUE,
	pw_hash TEXT NOT NULL,
	role TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'agent', 'specialist', 'desk',
					   'citizen', 'auditor')),
	department_id INTEGER REFERENCES departments(id),
	person_id INTEGER REFERENCES people(id),
	name TEXT NOT NULL DEFAULT '',
	created INTEGER NOT NULL,
	disabled INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id),
	csrf TEXT NOT NULL,
	created INTEGER NOT NULL,
	expires INTEGER NOT NULL
);

-- A staff member who identified a caller (or a citizen at a desk) may read that
-- person's cases until `until`.
CREATE TABLE caller_contexts (
	user_id INTEGER NOT NULL REFERENCES users(id),
	person_id INTEGER NOT NULL REFERENCES people(id),
	until INTEGER NOT NULL,
	PRIMARY KEY (user_id, person_id)
);

CREATE TABLE case_numbers (
	year INTEGER PRIMARY KEY,
	last INTEGER NOT NULL
);

CREATE TABLE cases (
	id INTEGER PRIMARY KEY,
	number TEXT NOT NULL UNIQUE,
	person_id INTEGER NOT NULL REFERENCES people(id),
	channel TEXT NOT NULL,
	topic_id INTEGER NOT NULL REFERENCES topics(id),
	department_id INTEGER NOT NULL REFERENCES departments(id),
	priority TEXT NOT NULL DEFAULT 'normal',
	subject TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	mobile TEXT,
	status TEXT NOT NULL,
	assignee_id INTEGER REFERENCES users(id),
	created_by INTEGER REFERENCES users(id),
	created INTEGER NOT NULL,
	updated INTEGER NOT NULL,
	first_response_due INTEGER,
	resolution_due INTEGER,
	report_back_due INTEGER,
	first_response_at INTEGER,
	answered_at INTEGER,
	reported_at INTEGER,
	closed_at INTEGER,
	waiting_since INTEGER,
	waiting_on TEXT,
	failed_contacts INTEGER NOT NULL DEFAULT 0,
	reopen_count INTEGER NOT NULL DEFAULT 0,
	overdue INTEGER NOT NULL DEFAULT 0,
	escalated INTEGER NOT NULL DEFAULT 0,
	rating INTEGER
);
CREATE INDEX cases_person ON cases(person_id, id);
CREATE INDEX cases_department ON cases(department_id, status, id);
CREATE INDEX cases_assignee ON cases(assignee_id, id);
CREATE INDEX cases_created_by ON cases(created_by, id);
CREATE INDEX cases_open_due ON cases(resolution_due) WHERE status NOT IN ('closed', 'answered', 'reported_back');

CREATE TABLE case_events (
	id INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL REFERENCES cases(id),
	at INTEGER NOT NULL,
	actor_id INTEGER REFERENCES users(id),
	type TEXT NOT NULL,
	from_status TEXT,
	to_status TEXT,
	text TEXT NOT NULL DEFAULT '',
	data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX case_events_case ON case_events(case_id, id);
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;

CREATE TABLE audit (
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
CREATE INDEX audit_person ON audit(person_id, id);
CREATE INDEX audit_user ON audit(user_id, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE VIRTUAL TABLE text_index USING fts5(kind UNINDEXED, body, tokenize = 'unicode61');
