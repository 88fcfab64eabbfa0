-- Records: workshops and their employers, insured people, the monthly lists and their
-- rows, payments, pensioners, their pension payments and the batches that change them.
-- Lists, rows, payments and pension changes are append-only: a correction is a new list
-- that supersedes the one before (lists.supersedes), never an UPDATE; triggers refuse
-- UPDATE and DELETE. Money is in rials (INTEGER); months are Jalali (year, month).

-- The role 'employer' joins the users' roles. SQLite cannot change a CHECK in place, so
-- the table is rebuilt; db_migrate runs migrations with foreign keys off and checks them
-- (PRAGMA foreign_key_check) before it commits, as SQLite's documentation prescribes.
CREATE TABLE users_new (
	id INTEGER PRIMARY KEY,
	login TEXT NOT NULL UNIQUE,
	pw_hash TEXT NOT NULL,
	role TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'agent', 'specialist', 'desk',
					   'citizen', 'auditor', 'employer')),
	department_id INTEGER REFERENCES departments(id),
	person_id INTEGER REFERENCES people(id),
	name TEXT NOT NULL DEFAULT '',
	created INTEGER NOT NULL,
	disabled INTEGER NOT NULL DEFAULT 0
);
INSERT INTO users_new (id, login, pw_hash, role, department_id, person_id, name, created, disabled)
	SELECT id, login, pw_hash, role, department_id, person_id, name, created, disabled FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

CREATE TABLE workshops (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE CHECK (length(code) = 10),
	name TEXT NOT NULL,
	employer_name TEXT NOT NULL,
	employer_national_id TEXT,
	province TEXT REFERENCES provinces(code),
	branch TEXT NOT NULL DEFAULT '',
	activity TEXT NOT NULL DEFAULT '',
	hard_job INTEGER NOT NULL DEFAULT 0 CHECK (hard_job IN (0, 1)),
	address TEXT NOT NULL DEFAULT '',
	created INTEGER NOT NULL,
	created_by INTEGER REFERENCES users(id)
);

-- An employer account acts for the workshops listed here.
CREATE TABLE workshop_users (
	user_id INTEGER NOT NULL REFERENCES users(id),
	workshop_id INTEGER NOT NULL REFERENCES workshops(id),
	PRIMARY KEY (user_id, workshop_id)
) WITHOUT ROWID;
CREATE INDEX workshop_users_workshop ON workshop_users(workshop_id);

CREATE TABLE insured (
	person_id INTEGER PRIMARY KEY REFERENCES people(id),
	insurance_no TEXT NOT NULL UNIQUE,
	created INTEGER NOT NULL
);

CREATE TABLE lists (
	id INTEGER PRIMARY KEY,
	workshop_id INTEGER NOT NULL REFERENCES workshops(id),
	year INTEGER NOT NULL,
	month INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
	list_no TEXT NOT NULL DEFAULT '',
	supersedes INTEGER REFERENCES lists(id),
	source TEXT NOT NULL CHECK (source IN ('dbf', 'csv', 'json', 'demo')),
	encoding TEXT NOT NULL DEFAULT 'utf-8',
	workers INTEGER NOT NULL,
	days INTEGER NOT NULL,
	daily_wages INTEGER NOT NULL,
	monthly_wages INTEGER NOT NULL,
	benefits INTEGER NOT NULL,
	insurable INTEGER NOT NULL,
	total INTEGER NOT NULL,
	worker_share INTEGER NOT NULL,
	employer_share INTEGER NOT NULL,
	unemployment INTEGER NOT NULL,
	hard_job_share INTEGER NOT NULL DEFAULT 0,
	rate INTEGER NOT NULL,
	submitted_by INTEGER REFERENCES users(id),
	submitted_at INTEGER NOT NULL
);
CREATE INDEX lists_workshop ON lists(workshop_id, year, month, id);
CREATE INDEX lists_superseded ON lists(supersedes) WHERE supersedes IS NOT NULL;

CREATE TABLE list_rows (
	list_id INTEGER NOT NULL REFERENCES lists(id),
	row_no INTEGER NOT NULL,
	person_id INTEGER NOT NULL REFERENCES people(id),
	insurance_no TEXT NOT NULL,
	days INTEGER NOT NULL CHECK (days BETWEEN 0 AND 31),
	daily_wage INTEGER NOT NULL,
	monthly_wage INTEGER NOT NULL,
	benefits INTEGER NOT NULL,
	insurable INTEGER NOT NULL,
	total INTEGER NOT NULL,
	worker_share INTEGER NOT NULL,
	job_code TEXT NOT NULL DEFAULT '',
	job_title TEXT NOT NULL DEFAULT '',
	start_date TEXT,
	end_date TEXT,
	PRIMARY KEY (list_id, row_no)
) WITHOUT ROWID;
-- a person's history: their rows in list order
CREATE INDEX list_rows_person ON list_rows(person_id, list_id);

CREATE TABLE payments (
	id INTEGER PRIMARY KEY,
	workshop_id INTEGER NOT NULL REFERENCES workshops(id),
	year INTEGER,
	month INTEGER CHECK (month IS NULL OR month BETWEEN 1 AND 12),
	amount INTEGER NOT NULL CHECK (amount > 0),
	paid_at INTEGER NOT NULL,
	reference TEXT NOT NULL DEFAULT '',
	recorded_by INTEGER REFERENCES users(id)
);
CREATE INDEX payments_workshop ON payments(workshop_id, id);

CREATE TABLE pensioners (
	id INTEGER PRIMARY KEY,
	person_id INTEGER NOT NULL UNIQUE REFERENCES people(id),
	type TEXT NOT NULL CHECK (type IN ('old_age', 'disability', 'survivors')),
	start_year INTEGER NOT NULL,
	start_month INTEGER NOT NULL CHECK (start_month BETWEEN 1 AND 12),
	amount INTEGER NOT NULL CHECK (amount >= 0),
	created INTEGER NOT NULL
);

CREATE TABLE pension_dependants (
	pensioner_id INTEGER NOT NULL REFERENCES pensioners(id),
	person_id INTEGER NOT NULL REFERENCES people(id),
	relation TEXT NOT NULL CHECK (relation IN ('spouse', 'child', 'parent')),
	PRIMARY KEY (pensioner_id, person_id)
) WITHOUT ROWID;

CREATE TABLE pension_payments (
	pensioner_id INTEGER NOT NULL REFERENCES pensioners(id),
	year INTEGER NOT NULL,
	month INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
	amount INTEGER NOT NULL,
	PRIMARY KEY (pensioner_id, year, month)
) WITHOUT ROWID;

-- A yearly increase or an equalisation step for all pensioners: previewed, then applied
-- once; each pensioner's change is kept, so that "why did my pension change" has an answer.
CREATE TABLE pension_batches (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('increase', 'equalisation')),
	year INTEGER NOT NULL,
	params TEXT NOT NULL DEFAULT '{}',
	status TEXT NOT NULL CHECK (status IN ('preview', 'applied')),
	created INTEGER NOT NULL,
	created_by INTEGER REFERENCES users(id),
	applied_at INTEGER
);
CREATE TABLE pension_changes (
	batch_id INTEGER NOT NULL REFERENCES pension_batches(id),
	pensioner_id INTEGER NOT NULL REFERENCES pensioners(id),
	before INTEGER NOT NULL,
	after INTEGER NOT NULL,
	PRIMARY KEY (batch_id, pensioner_id)
) WITHOUT ROWID;
CREATE INDEX pension_changes_pensioner ON pension_changes(pensioner_id, batch_id);

CREATE TRIGGER lists_no_update BEFORE UPDATE ON lists
BEGIN SELECT RAISE(ABORT, 'lists are append-only: a correction is a new list'); END;
CREATE TRIGGER lists_no_delete BEFORE DELETE ON lists
BEGIN SELECT RAISE(ABORT, 'lists are append-only: a correction is a new list'); END;
CREATE TRIGGER list_rows_no_update BEFORE UPDATE ON list_rows
BEGIN SELECT RAISE(ABORT, 'list rows are append-only'); END;
CREATE TRIGGER list_rows_no_delete BEFORE DELETE ON list_rows
BEGIN SELECT RAISE(ABORT, 'list rows are append-only'); END;
CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments
BEGIN SELECT RAISE(ABORT, 'payments are append-only'); END;
CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments
BEGIN SELECT RAISE(ABORT, 'payments are append-only'); END;
CREATE TRIGGER pension_changes_no_update BEFORE UPDATE ON pension_changes
BEGIN SELECT RAISE(ABORT, 'pension changes are append-only'); END;
CREATE TRIGGER pension_changes_no_delete BEFORE DELETE ON pension_changes
BEGIN SELECT RAISE(ABORT, 'pension changes are append-only'); END;
