-- Canned answers (canned/canned.h): a department's ready texts, with placeholders that
-- the browser fills from the case ({name}, {number}, {today}, {due}). department_id NULL:
-- the organisation's, offered to every department. Kept as typed, like people's words.
CREATE TABLE canned (
	id INTEGER PRIMARY KEY,
	department_id INTEGER REFERENCES departments(id),
	title TEXT NOT NULL,
	body TEXT NOT NULL,
	created_by INTEGER REFERENCES users(id),
	created INTEGER NOT NULL,
	updated_by INTEGER REFERENCES users(id),
	updated INTEGER NOT NULL
);
CREATE INDEX canned_department ON canned(department_id, title);
