-- The lists' rows as blocks of text lines, and the insurance record as one small entry
-- per worker and month, kept in year order.
--
-- Migration 008 stored a list row as a row of list_rows with its person index, and made
-- every worker a row of people and of insured: seven B-trees written per worker. A
-- million-row list took 12.7 s, where the sqlite3 shell's .import of the same rows as
-- CSV into an unindexed table took 5.1 s (bench/README.md, step 6). Now a worker costs
-- one B-tree insert (work_months), and the list's own rows are written as a few large
-- blocks:
--
-- * list_blocks: the list's rows as they were declared, 1024 to a block, one row a line
--   of tab-separated fields (lists/rows.h: list_line_encode, list_line_decode). A list is
--   read whole (export, the employer's view) or one row at a time (a person's latest row).
-- * work_months: what the insurance record needs, one entry per worker per list, keyed
--   by (year, national id, month, list). Year first: a person's 30-year record is 30 short
--   range reads (record_years lists the years), where month first took 360 probes, a page
--   read each (a history read of a 49-million-entry record took 0.6-1.2 ms in SQLite alone,
--   bench/README.md, step 8). A workshop's list inserts its entries into its year's range
--   at each worker's place, as it would into a month's; a list that is a whole year's first
--   (or the first ever, the bench's million rows) is appended. National ids are stored as
--   numbers.
-- * people: a worker becomes a row of people when the organisation first deals with them
--   (a caller looked up, a case filed, a record read), with the names and birth date of
--   their latest list row (lists_person). The table insured is gone: the insurance
--   number is on every list row.
--
-- Lists, blocks and entries are append-only, like the lists themselves.

CREATE TABLE list_blocks (
	list_id INTEGER NOT NULL REFERENCES lists(id),
	block INTEGER NOT NULL,		-- rows 1024*block+1 .. 1024*block+rows
	rows INTEGER NOT NULL,
	data BLOB NOT NULL,
	PRIMARY KEY (list_id, block)
);

-- No REFERENCES on list_id and workshop_id: the import writes only the list it has just
-- inserted, and a foreign-key probe per worker would cost as much as the entry itself.
-- workshop_id is the list's, kept here so that reading a record does not visit the list of
-- every month (a random page each: half the page reads of a 30-year history).
CREATE TABLE work_months (
	year INTEGER NOT NULL,		-- Jalali
	national_id INTEGER NOT NULL,
	month INTEGER NOT NULL,
	list_id INTEGER NOT NULL,
	workshop_id INTEGER NOT NULL,
	row_no INTEGER NOT NULL,
	days INTEGER NOT NULL,
	insurable INTEGER NOT NULL,
	PRIMARY KEY (year, national_id, month, list_id)
) WITHOUT ROWID;

CREATE TABLE record_years (year INTEGER PRIMARY KEY);

-- The rows of migration 008, moved. Birth dates come from people, in Gregorian ISO form,
-- which list_line_decode reads as well as the Jalali form the import writes.
INSERT INTO record_years SELECT DISTINCT year FROM lists;

INSERT INTO work_months
	SELECT l.year, CAST(p.national_id AS INTEGER), l.month, r.list_id, l.workshop_id,
	       r.row_no, r.days, r.insurable
	FROM list_rows r JOIN lists l ON l.id = r.list_id JOIN people p ON p.id = r.person_id;

INSERT INTO list_blocks
	SELECT list_id, (row_no - 1) / 1024, count(*), CAST(group_concat(line, char(10)) AS BLOB)
	FROM (SELECT r.list_id, r.row_no,
		     r.row_no || char(9) || p.national_id || char(9) || r.insurance_no || char(9) ||
		     p.first_name || char(9) || p.last_name || char(9) || p.father_name || char(9) ||
		     coalesce(p.gender, '') || char(9) || coalesce(p.birth_date, '') || char(9) ||
		     char(9) || char(9) || char(9) || char(9) || r.job_title || char(9) ||
		     r.job_code || char(9) || coalesce(r.start_date, '') || char(9) ||
		     coalesce(r.end_date, '') || char(9) || r.days || char(9) || r.daily_wage ||
		     char(9) || r.monthly_wage || char(9) || r.benefits || char(9) ||
		     r.insurable || char(9) || r.total || char(9) || r.worker_share || char(9) ||
		     '0' AS line
	      FROM list_rows r JOIN people p ON p.id = r.person_id
	      ORDER BY r.list_id, r.row_no)
	GROUP BY list_id, (row_no - 1) / 1024;

DROP TRIGGER list_rows_no_update;
DROP TRIGGER list_rows_no_delete;
DROP TABLE list_rows;
DROP TABLE insured;

CREATE TRIGGER list_blocks_no_update BEFORE UPDATE ON list_blocks
BEGIN SELECT RAISE(ABORT, 'list rows are append-only'); END;
CREATE TRIGGER list_blocks_no_delete BEFORE DELETE ON list_blocks
BEGIN SELECT RAISE(ABORT, 'list rows are append-only'); END;
CREATE TRIGGER work_months_no_update BEFORE UPDATE ON work_months
BEGIN SELECT RAISE(ABORT, 'the insurance record is append-only'); END;
CREATE TRIGGER work_months_no_delete BEFORE DELETE ON work_months
BEGIN SELECT RAISE(ABORT, 'the insurance record is append-only'); END;
