-- Calls (calls/): the events of the telephone system's call queues as Asterisk's queue_log
-- writes them, and the calls derived from them; and the role 'telephony', the account the
-- telephone system posts its events with.

-- SQLite cannot change a CHECK in place, so the users table is rebuilt (as in 008).
CREATE TABLE users_new (
	id INTEGER PRIMARY KEY,
	login TEXT NOT NULL UNIQUE,
	pw_hash TEXT NOT NULL,
	role TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'agent', 'specialist', 'desk',
					   'citizen', 'auditor', 'employer', 'telephony')),
	department_id INTEGER REFERENCES departments(id),
	person_id INTEGER REFERENCES people(id),
	name TEXT NOT NULL DEFAULT '',
	created INTEGER NOT NULL,
	disabled INTEGER NOT NULL DEFAULT 0,
	must_change_password INTEGER NOT NULL DEFAULT 0
);
INSERT INTO users_new (id, login, pw_hash, role, department_id, person_id, name, created, disabled,
		       must_change_password)
	SELECT id, login, pw_hash, role, department_id, person_id, name, created, disabled,
	       must_change_password FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

-- One row per queue_log line, whatever its form; the same line imported twice is one row:
-- the key is its time and a 64-bit hash of everything else on it (calls/queuelog.h:
-- callid, queue, agent, event, data), so two lines collide only with the same second and
-- the same hash. Keyed by time first, a log imported in its order appends at the end of
-- the tree. WITHOUT ROWID (SQLite's; PostgreSQL's schema drops the words) keeps it one tree.
CREATE TABLE call_events (
	epoch INTEGER NOT NULL,
	hash INTEGER NOT NULL,
	callid TEXT NOT NULL,
	queue TEXT NOT NULL,
	agent TEXT NOT NULL,
	event TEXT NOT NULL,
	data TEXT NOT NULL,
	PRIMARY KEY (epoch, hash)
) WITHOUT ROWID;

-- A caller's time in one queue, built from all its events in whatever order they came
-- (calls/store.c merges each new event: earliest entry, latest end, the strongest outcome).
-- outcome: answered, transfer (answered, then transferred), abandoned, timeout, key,
-- empty, withdraw; NULL while the caller waits. rank orders them (store.c).
CREATE TABLE calls (
	callid TEXT NOT NULL,
	queue TEXT NOT NULL,
	caller TEXT,
	person_id INTEGER REFERENCES people(id),
	entered INTEGER,
	connected INTEGER,
	ended INTEGER,
	wait_s INTEGER,
	talk_s INTEGER,
	outcome TEXT,
	outcome_rank INTEGER NOT NULL DEFAULT 0,
	agent TEXT,
	PRIMARY KEY (callid, queue)
);
CREATE INDEX calls_entered ON calls(entered);
CREATE INDEX calls_person ON calls(person_id) WHERE person_id IS NOT NULL;
