/* The national scale of the demo (`tamin demo --scale national`): the volumes the
 * benchmarks read (bench/README.md, steps 7 and 8), made with set-based SQL in one
 * transaction rather than row by row:
 * - the record: `sample` people with a month in each of the 360 months to 1405/07 (their
 *   history is what step 8 reads), among `filler` other workers' entries spread over the
 *   same months; the years to 1404 closed (work_months), 1405 open (open_months); up to 2000 workshops (one per sampled person below that) with a list per
 *   workshop and month carry them. The entries
 *   are written in key order, as imports append them.
 * - `pensioners` old-age pensioners with a granted pension and today's (step 7). */
#include "demo/demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A record entry for each (year, worker, month): list, workshop, row, days, insurable. */
#define ENTRIES                                                                                \
	"SELECT yrs.y, who.nid, months.m, (SELECT id FROM base) + months.i * $WORKSHOPS +"    \
	" who.j % $WORKSHOPS, (SELECT id FROM ws WHERE ws.k = who.j % $WORKSHOPS), 1,"        \
	" CASE WHEN who.src = 1 AND (who.j + months.i) % 11 = 0 THEN 20 WHEN months.m = 12"   \
	" THEN 29 ELSE 30 END, CASE WHEN who.src = 1 THEN 30000000 + months.i * 400000 +"     \
	" who.j % 50 * 1000000 ELSE 50000000 END"                                             \
	" FROM yrs CROSS JOIN who CROSS JOIN months WHERE months.y = yrs.y AND "

/* The same on PostgreSQL (no CROSS JOIN ... ON; the workshop joined). */
#define ENTRIES_PG                                                                             \
	"SELECT yrs.y, who.nid, months.m, (SELECT id FROM base) + months.i * $WORKSHOPS +"    \
	" who.j % $WORKSHOPS, ws.id, 1,"                                                     \
	" CASE WHEN who.src = 1 AND (who.j + months.i) % 11 = 0 THEN 20 WHEN months.m = 12"   \
	" THEN 29 ELSE 30 END, CASE WHEN who.src = 1 THEN 30000000 + months.i * 400000 +"     \
	" who.j % 50 * 1000000 ELSE 50000000 END"                                             \
	" FROM yrs CROSS JOIN who JOIN months ON months.y = yrs.y"                           \
	" JOIN ws ON ws.k = who.j % $WORKSHOPS "

/* $SAMPLE, $FILLER and $WORKSHOPS are replaced by the numbers before the script runs. */
static const char records_sql[] =
    "-- 360 months: 1375/08 .. 1405/07, by index 0..359\n"
    "CREATE TEMP TABLE months(y INTEGER, m INTEGER, i INTEGER, PRIMARY KEY (y, m));\n"
    "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 359)\n"
    "INSERT INTO months SELECT 1375 + (7 + i) / 12, (7 + i) % 12 + 1, i FROM n;\n"
    "CREATE TEMP TABLE yrs(y INTEGER PRIMARY KEY);\n"
    "INSERT INTO yrs SELECT DISTINCT y FROM months;\n"
    "-- 1375 .. 1404 are closed years (work_months); 1405 is open (open_months)\n"
    "INSERT INTO record_years SELECT y FROM yrs WHERE y < 1405;\n"
    "INSERT INTO open_periods SELECT y, m, 0 FROM months WHERE y = 1405;\n"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $WORKSHOPS)\n"
    "INSERT INTO workshops(code, name, employer_name, province, hard_job, created)\n"
    "SELECT CAST(5000000000 + i AS TEXT), 'کارگاه ' || i, 'کارفرما ' || i,\n"
    "	(SELECT min(code) FROM provinces), CASE WHEN i % 10 = 0 THEN 1 ELSE 0 END, 0 FROM n;\n"
    "CREATE TEMP TABLE ws(k INTEGER PRIMARY KEY, id INTEGER);\n"
    "INSERT INTO ws SELECT row_number() OVER (ORDER BY id) - 1, id FROM workshops\n"
    "	WHERE code >= '5000000001';\n"
    "-- list of workshop k in month i: lists are inserted month by month, so its id is\n"
    "-- base + i * $WORKSHOPS + k\n"
    "INSERT INTO lists(workshop_id, year, month, source, workers, days, daily_wages,\n"
    "	monthly_wages, benefits, insurable, total, worker_share, employer_share, unemployment,\n"
    "	rate, submitted_at)\n"
    "SELECT ws.id, months.y, months.m, 'demo', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 23, 0\n"
    "	FROM months, ws ORDER BY months.i, ws.k;\n"
    "CREATE TEMP TABLE base AS SELECT min(l.id) AS id FROM lists l JOIN ws ON ws.id = "
    "l.workshop_id;\n"
    "-- the sample: national ids 300000000 + k and their check digit\n"
    "CREATE TEMP TABLE sample(k INTEGER PRIMARY KEY, nid TEXT);\n"
    "WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < $SAMPLE - 1),\n"
    "d(k, v) AS (SELECT k, 300000000 + k * 7 FROM n),\n"
    "c(k, s, r) AS (SELECT k, CAST(v AS TEXT), (v / 100000000 % 10 * 10 +\n"
    "	v / 10000000 % 10 * 9 + v / 1000000 % 10 * 8 + v / 100000 % 10 * 7 +\n"
    "	v / 10000 % 10 * 6 + v / 1000 % 10 * 5 + v / 100 % 10 * 4 + v / 10 % 10 * 3 +\n"
    "	v % 10 * 2) % 11 FROM d)\n"
    "INSERT INTO sample SELECT k, s || CASE WHEN r < 2 THEN r ELSE 11 - r END FROM c;\n"
    "INSERT INTO people(national_id, first_name, last_name, father_name, gender, birth_date, "
    "created)\n"
    "SELECT nid, 'نمونه', 'کارگر ' || k, 'پدر', CASE WHEN k % 3 <> 0 THEN 'm' ELSE 'f' END,\n"
    "	CAST(1960 + k % 20 AS TEXT) || CASE WHEN k % 12 < 9 THEN '-0' ELSE '-' END ||\n"
    "	CAST(1 + k % 12 AS TEXT) || '-15', 0 FROM sample;\n"
    "-- entries in key order (year, national id, month), so that they are appended: for each\n"
    "-- year, the filler's ids (all below 1,001,000,000) then the sample's (3,000,000,000 and\n"
    "-- up), each ascending, each with its months of that year; no sort needed.\n"
    "CREATE TEMP TABLE who(src INTEGER, j INTEGER, nid BIGINT, PRIMARY KEY (src, j));\n"
    "WITH RECURSIVE n(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM n WHERE j < $FILLER / 360 - 1)\n"
    "INSERT INTO who SELECT 0, j, 1000000000 + j * 9 + 1 FROM n;\n"
    "INSERT INTO who SELECT 1, k, CAST(nid AS BIGINT) FROM sample;\n"
    "INSERT INTO work_months(year, national_id, month, list_id, workshop_id, row_no, days, "
    "insurable)\n" ENTRIES "yrs.y < 1405 ORDER BY yrs.y, who.src, who.j, months.m;\n"
    "-- the open year month first: (year, month, national id)\n"
    "INSERT INTO open_months(year, national_id, month, list_id, workshop_id, row_no, days, "
    "insurable)\n" ENTRIES "yrs.y = 1405 ORDER BY months.m, who.src, who.j;\n";

/* The same record on PostgreSQL, which has neither printf nor CROSS JOIN ... ON, types
 * a bare INTEGER as int4 (a sample's national id overflows it) and no integer as a truth
 * value: generate_series, lpad and casts say the same. Each entry's workshop is joined
 * rather than looked up row by row. */
static const char records_pg_sql[] =
    "CREATE TEMP TABLE months(y BIGINT, m BIGINT, i BIGINT, PRIMARY KEY (y, m));\n"
    "INSERT INTO months SELECT 1375 + (7 + i) / 12, (7 + i) % 12 + 1, i\n"
    "	FROM generate_series(0, 359) i;\n"
    "CREATE TEMP TABLE yrs(y BIGINT PRIMARY KEY);\n"
    "INSERT INTO yrs SELECT DISTINCT y FROM months;\n"
    "INSERT INTO record_years SELECT y FROM yrs WHERE y < 1405;\n"
    "INSERT INTO open_periods SELECT y, m, 0 FROM months WHERE y = 1405;\n"
    "INSERT INTO workshops(code, name, employer_name, province, hard_job, created)\n"
    "SELECT lpad((5000000000 + i)::text, 10, '0'), 'کارگاه ' || i, 'کارفرما ' || i,\n"
    "	(SELECT min(code) FROM provinces), CASE WHEN i % 10 = 0 THEN 1 ELSE 0 END, 0\n"
    "	FROM generate_series(1, $WORKSHOPS) i;\n"
    "CREATE TEMP TABLE ws(k BIGINT PRIMARY KEY, id BIGINT);\n"
    "INSERT INTO ws SELECT row_number() OVER (ORDER BY id) - 1, id FROM workshops\n"
    "	WHERE code >= '5000000001';\n"
    "INSERT INTO lists(workshop_id, year, month, source, workers, days, daily_wages,\n"
    "	monthly_wages, benefits, insurable, total, worker_share, employer_share, unemployment,\n"
    "	rate, submitted_at)\n"
    "SELECT ws.id, months.y, months.m, 'demo', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 23, 0\n"
    "	FROM months, ws ORDER BY months.i, ws.k;\n"
    "CREATE TEMP TABLE base AS SELECT min(l.id) AS id FROM lists l JOIN ws ON ws.id = "
    "l.workshop_id;\n"
    "CREATE TEMP TABLE sample(k BIGINT PRIMARY KEY, nid TEXT);\n"
    "INSERT INTO sample SELECT k, s || CASE WHEN r < 2 THEN r ELSE 11 - r END FROM\n"
    "	(SELECT k, s, (substr(s,1,1)::int*10 + substr(s,2,1)::int*9 + substr(s,3,1)::int*8 +\n"
    "	substr(s,4,1)::int*7 + substr(s,5,1)::int*6 + substr(s,6,1)::int*5 +\n"
    "	substr(s,7,1)::int*4 + substr(s,8,1)::int*3 + substr(s,9,1)::int*2) % 11 AS r\n"
    "	FROM (SELECT k, lpad((300000000 + k * 7)::text, 9, '0') AS s\n"
    "	FROM generate_series(0, $SAMPLE - 1) k) d) c;\n"
    "INSERT INTO people(national_id, first_name, last_name, father_name, gender, birth_date, "
    "created)\n"
    "SELECT nid, 'نمونه', 'کارگر ' || k, 'پدر', CASE WHEN k % 3 <> 0 THEN 'm' ELSE 'f' END,\n"
    "	(1960 + k % 20)::text || '-' || lpad((1 + k % 12)::text, 2, '0') || '-15', 0\n"
    "	FROM sample;\n"
    "CREATE TEMP TABLE who(src BIGINT, j BIGINT, nid BIGINT, PRIMARY KEY (src, j));\n"
    "INSERT INTO who SELECT 0, j, 1000000000 + j * 9 + 1\n"
    "	FROM generate_series(0, $FILLER / 360 - 1) j;\n"
    "INSERT INTO who SELECT 1, k, nid::bigint FROM sample;\n"
    "ANALYZE months; ANALYZE yrs; ANALYZE ws; ANALYZE who;\n"
    "INSERT INTO work_months(year, national_id, month, list_id, workshop_id, row_no, days, "
    "insurable)\n" ENTRIES_PG "WHERE yrs.y < 1405 ORDER BY yrs.y, who.src, who.j, months.m;\n"
    "INSERT INTO open_months(year, national_id, month, list_id, workshop_id, row_no, days, "
    "insurable)\n" ENTRIES_PG "WHERE yrs.y = 1405 ORDER BY months.m, who.src, who.j;\n";

static const char pensioners_sql[] =
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $PENSIONERS)\n"
    "INSERT INTO people(national_id, first_name, last_name, created)\n"
    "SELECT CAST(9000000000 + i AS TEXT), 'x', 'y', 0 FROM n;\n"
    "INSERT INTO pensioners(person_id, type, start_year, start_month, amount, granted, created)\n"
    "SELECT id, 'old_age', 1395, 1, 100000000 + (id % 1000) * 100000,\n"
    "	(100000000 + (id % 1000) * 100000) / 4, 0 FROM people\n"
    "WHERE first_name = 'x' AND last_name = 'y';\n";

static const char pensioners_pg_sql[] =
    "INSERT INTO people(national_id, first_name, last_name, created)\n"
    "SELECT '9' || lpad(i::text, 9, '0'), 'x', 'y', 0 FROM generate_series(1, $PENSIONERS) i;\n"
    "INSERT INTO pensioners(person_id, type, start_year, start_month, amount, granted, created)\n"
    "SELECT id, 'old_age', 1395, 1, 100000000 + (id % 1000) * 100000,\n"
    "	(100000000 + (id % 1000) * 100000) / 4, 0 FROM people\n"
    "WHERE first_name = 'x' AND last_name = 'y';\n";

/* sql with each $NAME replaced by its number (names[i] <-> values[i]). */
static char *substitute(const char *sql, const char *const *names, const long *values, int n)
{
	size_t cap = strlen(sql) * 2 + 64, len = 0;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	for (const char *p = sql; *p;) {
		int k = -1;
		for (int i = 0; i < n && k < 0; i++)
			if (*p == '$' && !strncmp(p + 1, names[i], strlen(names[i])))
				k = i;
		if (len + 32 >= cap) {
			char *t = realloc(out, cap *= 2);
			if (!t) {
				free(out);
				return NULL;
			}
			out = t;
		}
		if (k >= 0) {
			len += (size_t)snprintf(out + len, cap - len, "%ld", values[k]);
			p += 1 + strlen(names[k]);
		} else {
			out[len++] = *p++;
		}
	}
	out[len] = 0;
	return out;
}

static int run(struct db *db, const char *sql, const char *const *names, const long *values, int n,
	       struct err *e)
{
	char *s = substitute(sql, names, values, n);
	if (!s)
		return err_set(e, 500, "internal", "", "out of memory");
	int rc = db_exec_script(db, s);
	free(s);
	return rc < 0 ? db_fail(db, e) : 0;
}

int demo_national(struct db *db, const struct demo_national *o, struct err *e)
{
	if (db_begin(db) < 0)
		return db_fail(db, e);
	static const char *const rn[] = {"SAMPLE", "FILLER", "WORKSHOPS"};
	static const char *const pn[] = {"PENSIONERS"};
	long rv[] = {o->sample, o->filler, o->sample < 2000 ? o->sample : 2000};
	const char *records = strcmp(db_backend(db), "postgres") ? records_sql : records_pg_sql;
	if (o->sample > 0 && o->filler >= 360 && run(db, records, rn, rv, 3, e) < 0)
		goto fail;
	const char *pensioners = strcmp(db_backend(db), "postgres") ? pensioners_sql : pensioners_pg_sql;
	if (o->pensioners > 0 && run(db, pensioners, pn, &o->pensioners, 1, e) < 0)
		goto fail;
	if (db_commit(db) < 0) {
		db_fail(db, e);
		goto fail;
	}
	return 0;
fail:
	db_rollback(db);
	return -1;
}
