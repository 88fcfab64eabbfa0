-- The records of bench step 8 (a person's 30-year history), made with sqlite3 on a database
-- that `tamin demo --records 0` created. Parameters as shell-substituted values:
--   SAMPLE  people with a 30-year career (a month in each of the 360 months to 1405/07),
--           the ones whose history the bench reads
--   FILLER  other workers' entries, spread evenly over the same 360 months, so that the
--           record's B-tree holds SAMPLE * 360 + FILLER entries
-- 2000 workshops and one list per workshop and month (720,000 lists) carry them.
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -262144;
BEGIN;
-- 360 months: 1375/08 .. 1405/07, by index 0..359
CREATE TEMP TABLE months(y INTEGER, m INTEGER, i INTEGER, PRIMARY KEY (y, m));
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 359)
INSERT INTO months SELECT 1375 + (7 + i) / 12, (7 + i) % 12 + 1, i FROM n;
CREATE TEMP TABLE yrs(y INTEGER PRIMARY KEY);
INSERT INTO yrs SELECT DISTINCT y FROM months;
INSERT INTO record_years SELECT y FROM yrs;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
INSERT INTO workshops(code, name, employer_name, province, hard_job, created)
SELECT printf('%010d', 5000000000 + i), 'کارگاه ' || i, 'کارفرما ' || i,
	(SELECT min(code) FROM provinces), i % 10 = 0, 0 FROM n;
CREATE TEMP TABLE ws(k INTEGER PRIMARY KEY, id INTEGER);
INSERT INTO ws SELECT row_number() OVER (ORDER BY id) - 1, id FROM workshops
	WHERE code >= '5000000001';
-- list of workshop k in month i: lists are inserted month by month, so its id is
-- base + i * 2000 + k
INSERT INTO lists(workshop_id, year, month, source, workers, days, daily_wages,
	monthly_wages, benefits, insurable, total, worker_share, employer_share, unemployment,
	rate, submitted_at)
SELECT ws.id, months.y, months.m, 'demo', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 23, 0
	FROM months, ws ORDER BY months.i, ws.k;
CREATE TEMP TABLE base AS SELECT min(l.id) AS id FROM lists l JOIN ws ON ws.id = l.workshop_id;
-- the sample: national ids 300000000 + k and their check digit
CREATE TEMP TABLE sample(k INTEGER PRIMARY KEY, nid TEXT);
WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < $SAMPLE - 1),
d(k, s) AS (SELECT k, printf('%09d', 300000000 + k * 7) FROM n),
c(k, s, r) AS (SELECT k, s, (substr(s,1,1)*10 + substr(s,2,1)*9 + substr(s,3,1)*8 +
	substr(s,4,1)*7 + substr(s,5,1)*6 + substr(s,6,1)*5 + substr(s,7,1)*4 +
	substr(s,8,1)*3 + substr(s,9,1)*2) % 11 FROM d)
INSERT INTO sample SELECT k, s || CASE WHEN r < 2 THEN r ELSE 11 - r END FROM c;
INSERT INTO people(national_id, first_name, last_name, father_name, gender, birth_date, created)
SELECT nid, 'نمونه', 'کارگر ' || k, 'پدر', CASE WHEN k % 3 THEN 'm' ELSE 'f' END,
	printf('%04d-%02d-15', 1960 + k % 20, 1 + k % 12), 0 FROM sample;
-- entries in key order (year, national id, month), so that they are appended: for each
-- year, the filler's ids (all below 1,001,000,000) then the sample's (3,000,000,000 and
-- up), each ascending, each with its months of that year; no sort needed.
CREATE TEMP TABLE who(src INTEGER, j INTEGER, nid INTEGER, PRIMARY KEY (src, j));
WITH RECURSIVE n(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM n WHERE j < $FILLER / 360 - 1)
INSERT INTO who SELECT 0, j, 1000000000 + j * 9 + 1 FROM n;
INSERT INTO who SELECT 1, k, CAST(nid AS INTEGER) FROM sample;
INSERT INTO work_months(year, national_id, month, list_id, workshop_id, row_no, days, insurable)
SELECT yrs.y, who.nid, months.m, (SELECT id FROM base) + months.i * 2000 + who.j % 2000,
	(SELECT id FROM ws WHERE ws.k = who.j % 2000), 1,
	CASE WHEN who.src = 1 AND (who.j + months.i) % 11 = 0 THEN 20 WHEN months.m = 12 THEN 29
	     ELSE 30 END,
	CASE WHEN who.src = 1 THEN 30000000 + months.i * 400000 + who.j % 50 * 1000000
	     ELSE 50000000 END
FROM yrs CROSS JOIN who CROSS JOIN months ON months.y = yrs.y
ORDER BY yrs.y, who.src, who.j, months.m;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SELECT (SELECT count(*) FROM work_months) || ' record entries, ' ||
	(SELECT count(*) FROM lists) || ' lists, ' || (SELECT count(*) FROM months) || ' months';
