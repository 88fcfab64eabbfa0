-- The record's open months, kept month first, so that a national month goes in as one
-- append rather than across a whole year.
--
-- work_months is keyed year first (year, national id, month, list): a 30-year history is
-- 30 short range reads. But a month's 42 million entries (a national month, issue
-- "Records and rules") would land at every worker's place inside their year's range: by
-- the year's last month, a rewrite of most of the year's pages (about 18 GB) a month.
--
-- So the entries of a year that is still open are kept month first:
-- * a single list's (`tamin list import`, the API) in open_months, keyed (year, month,
--   national id, list), inserted inside their month's range;
-- * a month's lists imported together (`tamin list batch`: a national month, 2 million
--   lists) in open_runs: the batch's entries of a month sorted by national id and packed
--   52 to a row (lists/entries.h), one run per batch and month. Row by row, the B-tree
--   insert alone cost about 4,800 instructions an entry: a minute of CPU for 42 million.
-- open_periods lists the months, and the runs of each: a person's open months are one
-- probe each in open_months and in each run.
-- Once a year is over, `tamin record close-year` moves its entries into work_months in
-- key order (one append of the year's range) and adds the year to record_years, which
-- now lists the closed years; a list of a closed year (a late list, a correction) still
-- goes to work_months directly. Every year before this migration is closed: its entries
-- are already in work_months.

CREATE TABLE open_months (
	year INTEGER NOT NULL,		-- Jalali
	month INTEGER NOT NULL,
	national_id INTEGER NOT NULL,
	list_id INTEGER NOT NULL,
	workshop_id INTEGER NOT NULL,
	row_no INTEGER NOT NULL,
	days INTEGER NOT NULL,
	insurable INTEGER NOT NULL,
	PRIMARY KEY (year, month, national_id, list_id)
) WITHOUT ROWID;

CREATE TABLE open_runs (
	year INTEGER NOT NULL,
	month INTEGER NOT NULL,
	run INTEGER NOT NULL,		-- the batch's first list id
	first_id INTEGER NOT NULL,	-- the national id of the row's first entry
	entries INTEGER NOT NULL,	-- how many it packs
	data BLOB NOT NULL,		-- the entries, by national id; one id never spans two rows
	PRIMARY KEY (year, month, run, first_id)
) WITHOUT ROWID;

-- run 0: the month has entries in open_months; another: a run of open_runs
CREATE TABLE open_periods (
	year INTEGER NOT NULL,
	month INTEGER NOT NULL,
	run INTEGER NOT NULL,
	PRIMARY KEY (year, month, run)
) WITHOUT ROWID;

-- Entries are never changed; they leave the open tables only once their year is closed
-- (record_close_year adds it to record_years and copies them into work_months first).
CREATE TRIGGER open_months_no_update BEFORE UPDATE ON open_months
BEGIN SELECT RAISE(ABORT, 'the insurance record is append-only'); END;
CREATE TRIGGER open_months_closed_only BEFORE DELETE ON open_months
WHEN NOT EXISTS (SELECT 1 FROM record_years y WHERE y.year = old.year)
BEGIN SELECT RAISE(ABORT, 'the insurance record is append-only'); END;
CREATE TRIGGER open_runs_no_update BEFORE UPDATE ON open_runs
BEGIN SELECT RAISE(ABORT, 'the insurance record is append-only'); END;
CREATE TRIGGER open_runs_closed_only BEFORE DELETE ON open_runs
WHEN NOT EXISTS (SELECT 1 FROM record_years y WHERE y.year = old.year)
BEGIN SELECT RAISE(ABORT, 'the insurance record is append-only'); END;

-- The entries kept row by row, closed or open, for reports and checks (open_runs' are
-- packed; a person's reads go to each table by its key: lists/rows.c).
CREATE VIEW record_entries AS
	SELECT year, month, national_id, list_id, workshop_id, row_no, days, insurable
	FROM work_months
	UNION ALL
	SELECT year, month, national_id, list_id, workshop_id, row_no, days, insurable
	FROM open_months;
