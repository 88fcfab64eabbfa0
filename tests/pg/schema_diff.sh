#!/bin/sh
# make schema-pg: do SQLite's schema and PostgreSQL's say the same thing?
#
# Makes a fresh SQLite database with `tamin migrate` (every src/store/migrations/*.sql) and a
# fresh PostgreSQL 15 database in a throw-away cluster (initdb in a temporary folder, a unix
# socket in that folder and no TCP port, stopped and removed on exit) with every
# src/store/migrations/pg/*.sql applied by psql in version order, as the backend applies
# them. Then describes both the same way, one line per fact, and prints every fact that
# only one of them has:
# * each table and view (SQLite's journal file: schema journal);
# * each column, in order: its type family (SQLite's affinity: integer, text, blob, real;
#   PostgreSQL: bigint is integer, text COLLATE "C" is text, bytea is blob, double
#   precision is real, anything else pg:its name, so an int4 (pg:integer) or a text in
#   another collation shows), NOT NULL (a primary key's column counts as NOT NULL on
#   SQLite, as PostgreSQL enforces it), its default;
# * the primary key, UNIQUE constraints and foreign keys, with their columns in order; how
#   many CHECK constraints each table has (their text is each engine's own);
# * each index made by CREATE INDEX: its name, unique or not, partial or not, its columns;
# * each trigger's name, event (before update, before delete) and message;
# * the rows a fresh database holds, table by table (but for the catalogue's, which tamin
#   fills from data/ on both);
# * the append-only guards at work: a few writes, each allowed or refused with its message.
# SQLite's FTS5 text_index (and its shadow tables) is compared with the PostgreSQL table the
# plan gives (src/store/migrations/pg/031_baseline.sql); schema_version is the backend's.
#
# Partitions (PostgreSQL only, the baseline's last section): a partitioned table is compared
# as a table, its partitions not at all. PostgreSQL wants a partitioned table's primary key
# and UNIQUE constraints to hold the partition key: a key that SQLite has as (id) and
# PostgreSQL as (id, at), at the partition key appended, counts as the same key. The foreign
# keys listed in dropped_fks below (they reference a partitioned table's id alone) are
# SQLite's only. Then the partitioned tables must be exactly those of `partitioned` below,
# each by RANGE on the column given and with a DEFAULT partition, and a row dated far past
# the last partition must land in that DEFAULT partition (the guards' last statements).
# Exit 0 when they agree, 1 with the differences, 2 when it cannot run.
#
# TAMIN_BIN (default build/tamin); PG_BIN, where initdb and pg_ctl are (default Debian's
# /usr/lib/postgresql/15/bin). Run as root, the cluster runs as the user postgres (initdb
# refuses root).
set -eu
cd "$(dirname "$0")/../.."
TAMIN_BIN=${TAMIN_BIN:-build/tamin}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
for tool in "$TAMIN_BIN" "$PG_BIN/initdb" "$PG_BIN/pg_ctl"; do
	[ -x "$tool" ] || { echo "schema-pg: $tool is missing (make build/tamin; make deps)" >&2; exit 2; }
done
for tool in sqlite3 psql; do
	command -v $tool >/dev/null || { echo "schema-pg: $tool is missing (make deps)" >&2; exit 2; }
done

# The tables PostgreSQL partitions by RANGE, on which column (each with a DEFAULT partition).
partitioned='journal.audit at
call_blocks start
case_events at
list_blocks list_id
lists year
open_months year
open_runs year
pension_payments year
service_uses at
sms_outbox created
work_months year'
# SQLite's foreign keys that PostgreSQL cannot have: they reference lists(id), and lists is
# partitioned by year (a foreign key must reference a unique key that holds the partition
# key). The baseline's comment on lists says what keeps them true.
dropped_fks='foreign-key list_blocks (list_id) -> lists(id)
foreign-key lists (supersedes) -> lists(id)'

dir=$(mktemp -d "${TMPDIR:-/tmp}/tamin-schema.XXXXXX")
as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
started=0
cleanup() {
	[ $started = 0 ] || as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
[ "$(id -u)" != 0 ] || chown postgres "$dir"

# ---- SQLite
"$TAMIN_BIN" migrate --db "$dir/s.db" >/dev/null

# The tables tamin itself fills from data/ whenever it opens a database (catalog_sync, the
# e-services' sync), which tamin migrate did: their rows are no migration's.
synced="'provinces', 'branches', 'departments', 'topics', 'services'"

# describe_sqlite FILE PREFIX: the facts of one SQLite file, its tables named PREFIX.name
describe_sqlite() {
	file=$1
	p=$2
	sqlite3 -batch -noheader "$file" "
WITH t AS (SELECT type, name FROM sqlite_schema WHERE type IN ('table', 'view')
	   AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name NOT LIKE 'text\_index%' ESCAPE '\'
	   AND name <> 'schema_version'),
cols AS (SELECT t.name AS tab, c.*, upper(c.type) AS ut FROM t, pragma_table_info(t.name) c)
SELECT t.type || ' $p' || t.name FROM t
UNION ALL
SELECT 'column $p' || tab || ' ' || (cid + 1) || ' ' || name || ' ' ||
	CASE WHEN ut LIKE '%INT%' THEN 'integer'
	     WHEN ut LIKE '%CHAR%' OR ut LIKE '%CLOB%' OR ut LIKE '%TEXT%' THEN 'text'
	     WHEN ut LIKE '%BLOB%' OR ut = '' THEN 'blob'
	     WHEN ut LIKE '%REAL%' OR ut LIKE '%FLOA%' OR ut LIKE '%DOUB%' THEN 'real'
	     ELSE 'numeric' END || ' ' ||
	CASE WHEN \"notnull\" OR pk > 0 THEN 'not-null' ELSE 'null' END ||
	' default=' || coalesce(dflt_value, 'none')
FROM cols
UNION ALL
SELECT 'primary-key $p' || t.name || ' (' ||
	(SELECT group_concat(name, ',') FROM
		(SELECT name FROM pragma_table_info(t.name) WHERE pk > 0 ORDER BY pk)) || ')'
FROM t WHERE t.type = 'table' AND EXISTS (SELECT 1 FROM pragma_table_info(t.name) WHERE pk > 0)
UNION ALL
SELECT CASE l.origin WHEN 'u' THEN 'unique $p' || t.name
	ELSE 'index $p' || t.name || ' ' || l.name || ' ' ||
	     CASE WHEN l.\"unique\" THEN 'unique' ELSE 'plain' END || ' ' ||
	     CASE WHEN l.partial THEN 'partial' ELSE 'whole' END END || ' (' ||
	(SELECT group_concat(coalesce(name, 'expr'), ',') FROM
		(SELECT name FROM pragma_index_info(l.name) ORDER BY seqno)) || ')'
FROM t, pragma_index_list(t.name) l WHERE l.origin IN ('c', 'u')
UNION ALL
SELECT 'foreign-key $p' || t.name || ' (' || group_concat(f.\"from\", ',') || ') -> $p' ||
	f.\"table\" || '(' || group_concat(f.\"to\", ',') || ')'
FROM t, pragma_foreign_key_list(t.name) f
GROUP BY t.name, f.id
UNION ALL
SELECT 'checks $p' || c.name || ' ' ||
	((length(sql) - length(replace(upper(sql), 'CHECK', ''))) / 5)
FROM (SELECT t.name, m.sql FROM t JOIN sqlite_schema m ON m.name = t.name
      WHERE t.type = 'table') c WHERE sql LIKE '%CHECK%'
UNION ALL
SELECT 'trigger $p' || tbl_name || ' ' || name || ' ' ||
	CASE WHEN sql LIKE '%BEFORE UPDATE%' THEN 'before-update'
	     WHEN sql LIKE '%BEFORE DELETE%' THEN 'before-delete' ELSE 'other' END || ': ' ||
	substr(sql, instr(sql, 'RAISE(ABORT, ''') + 14,
	       instr(sql, ''');') - instr(sql, 'RAISE(ABORT, ''') - 14)
FROM sqlite_schema WHERE type = 'trigger';
SELECT 'SELECT ''rows $p' || name || ' '' || count(*) FROM \"' || name || '\";'
FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
	AND name NOT LIKE 'text\_index%' ESCAPE '\' AND name <> 'schema_version'
	AND name NOT IN ($synced);
" >"$dir/facts"
	# the second statement wrote the row counts' queries: run them
	sed -n '/^SELECT /p' "$dir/facts" | sqlite3 -batch -noheader "$file"
	sed '/^SELECT /d' "$dir/facts"
}
{
	describe_sqlite "$dir/s.db" ""
	describe_sqlite "$dir/s-journal.db" "journal."
	# SQLite's FTS5 text_index(kind, body; rowid = the document's id), as the plan maps it
	cat <<'FACTS'
table text_index
column text_index 1 kind text not-null default=none
column text_index 2 id integer not-null default=none
column text_index 3 body text not-null default=none
column text_index 4 tsv pg:tsvector null default=generated
primary-key text_index (kind,id)
index text_index text_index_tsv plain whole (tsv)
rows text_index 0
FACTS
} >"$dir/sqlite.facts"

# ---- PostgreSQL
as_pg "$PG_BIN/initdb" -D "$dir/data" -U tamin -A trust -E UTF8 --locale=C --no-sync \
	>"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 2; }
as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w \
	-o "-k $dir -c listen_addresses='' -c fsync=off" start >/dev/null ||
	{ cat "$dir/postgres.log" >&2; exit 2; }
started=1
export PGHOST="$dir" PGUSER=tamin PGDATABASE=tamin
psql -X -q -d postgres -c "CREATE DATABASE tamin" >/dev/null
for f in src/store/migrations/pg/*.sql; do # a glob expands sorted: version order
	psql -X -q -1 -v ON_ERROR_STOP=1 -f "$f" >/dev/null 2>"$dir/psql.err" ||
		{ echo "schema-pg: $f failed:" >&2; cat "$dir/psql.err" >&2; exit 1; }
done

psql -X -A -t -q -v ON_ERROR_STOP=1 -v synced="$synced" >"$dir/pgfacts" <<'SQL'
CREATE TEMP VIEW rel AS
SELECT c.oid, c.relkind,
       CASE n.nspname WHEN 'public' THEN '' ELSE n.nspname || '.' END || c.relname AS name
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ('public', 'journal') AND c.relkind IN ('r', 'p', 'v')
  AND NOT c.relispartition AND c.relname <> 'schema_version';
CREATE TEMP VIEW cols AS
SELECT r.oid AS relid, a.attnum, a.attname FROM rel r
JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped;
-- a constraint's columns (conkey or confkey) as "a,b"
CREATE FUNCTION pg_temp.names(rel oid, keys int2[]) RETURNS text LANGUAGE sql AS $$
	SELECT string_agg(a.attname, ',' ORDER BY k.i) FROM unnest(keys) WITH ORDINALITY k(n, i)
	JOIN pg_attribute a ON a.attrelid = rel AND a.attnum = k.n
$$;
SELECT CASE WHEN relkind = 'v' THEN 'view ' ELSE 'table ' END || name FROM rel
UNION ALL
SELECT 'column ' || r.name || ' ' ||
	row_number() OVER (PARTITION BY r.oid ORDER BY a.attnum) || ' ' || a.attname || ' ' ||
	CASE WHEN a.atttypid = 'int8'::regtype THEN 'integer'
	     WHEN a.atttypid = 'text'::regtype AND a.attcollation = 'pg_catalog."C"'::regcollation
		THEN 'text'
	     WHEN a.atttypid = 'bytea'::regtype THEN 'blob'
	     WHEN a.atttypid = 'float8'::regtype THEN 'real'
	     ELSE 'pg:' || format_type(a.atttypid, a.atttypmod) ||
		  coalesce(' collate ' || nullif(a.attcollation, 0)::regcollation::text, '') END || ' ' ||
	CASE WHEN a.attnotnull THEN 'not-null' ELSE 'null' END || ' default=' ||
	CASE WHEN a.attgenerated <> '' THEN 'generated'
	     ELSE coalesce(regexp_replace(pg_get_expr(d.adbin, d.adrelid), '::[a-z ]+$', ''), 'none')
	END
FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
UNION ALL
SELECT CASE k.contype WHEN 'p' THEN 'primary-key ' ELSE 'unique ' END || r.name || ' (' ||
	pg_temp.names(r.oid, k.conkey) || ')'
FROM rel r JOIN pg_constraint k ON k.conrelid = r.oid AND k.contype IN ('p', 'u')
UNION ALL
SELECT 'foreign-key ' || r.name || ' (' || pg_temp.names(r.oid, k.conkey) || ') -> ' ||
	t.name || '(' || pg_temp.names(k.confrelid, k.confkey) || ')'
FROM rel r JOIN pg_constraint k ON k.conrelid = r.oid AND k.contype = 'f'
JOIN rel t ON t.oid = k.confrelid
UNION ALL
SELECT 'index ' || r.name || ' ' || c.relname || ' ' ||
	CASE WHEN i.indisunique THEN 'unique' ELSE 'plain' END || ' ' ||
	CASE WHEN i.indpred IS NOT NULL THEN 'partial' ELSE 'whole' END || ' (' ||
	(SELECT string_agg(CASE WHEN i.indkey[n - 1] = 0 THEN 'expr'
				ELSE pg_get_indexdef(i.indexrelid, n, true) END, ',' ORDER BY n)
	 FROM generate_series(1, i.indnkeyatts) n) || ')'
FROM rel r JOIN pg_index i ON i.indrelid = r.oid JOIN pg_class c ON c.oid = i.indexrelid
WHERE NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid
		  AND k.conrelid = r.oid AND k.contype IN ('p', 'u', 'x'))
UNION ALL
SELECT 'checks ' || r.name || ' ' || count(*)
FROM rel r JOIN pg_constraint k ON k.conrelid = r.oid AND k.contype = 'c' GROUP BY r.name
UNION ALL
-- tgtype: 2 before, 8 delete, 16 update (pg_trigger.h); the message is the trigger's
-- first argument, or the one its function raises
SELECT 'trigger ' || r.name || ' ' || t.tgname || ' ' ||
	CASE t.tgtype & 26 WHEN 18 THEN 'before-update' WHEN 10 THEN 'before-delete'
	ELSE 'other' END || ': ' ||
	coalesce(nullif(split_part(encode(t.tgargs, 'escape'), '\000', 1), ''),
		 substring(f.prosrc from 'RAISE EXCEPTION ''([^'']*)'''))
FROM rel r JOIN pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
JOIN pg_proc f ON f.oid = t.tgfoid
UNION ALL
-- strategy r: RANGE; partdefid: the DEFAULT partition
SELECT 'partitioned ' || r.name || ' ' ||
	CASE p.partstrat WHEN 'r' THEN 'range' ELSE p.partstrat::text END || ' (' ||
	(SELECT string_agg(a.attname, ',' ORDER BY k.i) FROM unnest(p.partattrs::int2[])
	 WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum = k.n) ||
	') ' || CASE WHEN p.partdefid <> 0 THEN 'default' ELSE 'no-default' END
FROM rel r JOIN pg_partitioned_table p ON p.partrelid = r.oid;
-- the row counts' queries, run below
SELECT 'SELECT ''rows ' || name || ' '' || count(*) FROM ' || name || ';' FROM rel
WHERE relkind <> 'v' AND name NOT IN (:synced);
SQL
{
	sed -n '/^SELECT /p' "$dir/pgfacts" | psql -X -A -t -q -v ON_ERROR_STOP=1
	sed -e '/^SELECT /d' -e '/^$/d' "$dir/pgfacts"
} >"$dir/pg.facts"

# ---- the guards at work: the same statements, one at a time, on both; each allowed or
# refused with the same message (SQLite's RAISE(ABORT), PostgreSQL's tamin_append_only and
# the closed-year guard of open_months)
guards() { # runs "$1 STATEMENT" for each, which prints the error on stderr and fails
	run=$1
	n=0
	while IFS= read -r stmt; do
		n=$((n + 1))
		if err=$($run "$stmt" 2>&1 >/dev/null); then
			echo "guard $n $stmt: allowed"
		else
			echo "guard $n $stmt: refused: $(printf '%s\n' "$err" | head -1 | sed -e 's/^Error: //' \
				-e 's/^stepping, //' -e 's/^Runtime error[^:]*: //' -e 's/ ([0-9]*)$//' \
				-e 's/^ERROR:  //')"
		fi
	done <<'STATEMENTS'
INSERT INTO journal.audit(at, role, action) VALUES (1, 'admin', 'read')
UPDATE journal.audit SET at = 2
DELETE FROM journal.audit
INSERT INTO open_months VALUES (1404, 1, 1, 1, 1, 1, 30, 100)
UPDATE open_months SET days = 31
DELETE FROM open_months
INSERT INTO record_years VALUES (1404)
DELETE FROM open_months
INSERT INTO zstd_dicts VALUES (7, 'dictionary', 0)
DELETE FROM zstd_dicts
INSERT INTO journal.audit(at, role, action) VALUES (32503680000, 'admin', 'read')
INSERT INTO call_blocks(start, seq, events, lines) VALUES (32503680000, 0, 0, 'x')
INSERT INTO sms_outbox(mobile, text, purpose, created, next_try_ms) VALUES ('09120000000', 'x', 'x', 32503680000, 0)
INSERT INTO service_uses(service, province, channel, outcome, at) VALUES ('x', '', 'web', 'answered', 32503680000)
INSERT INTO work_months VALUES (2000, 1, 1, 1, 1, 1, 30, 100)
INSERT INTO open_runs VALUES (2000, 1, 1, 1, 1, 'x')
INSERT INTO list_blocks VALUES (1099511627776, 0, 1, 'x')
STATEMENTS
}
on_sqlite() {
	sqlite3 -batch "$dir/s.db" "ATTACH '$dir/s-journal.db' AS journal; $1"
}
on_pg() {
	psql -X -q -v ON_ERROR_STOP=1 -c "$1"
}
guards on_sqlite >>"$dir/sqlite.facts"
guards on_pg >>"$dir/pg.facts"

# ---- partitions: where the guards' rows dated far ahead (the year 3000, Jalali 2000, list
# 2^40) went: each into its table's DEFAULT partition
far=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -c "
SELECT t || ' ' || p FROM (
	SELECT 'journal.audit' AS t, tableoid::regclass::text AS p FROM journal.audit WHERE at = 32503680000
	UNION ALL SELECT 'call_blocks', tableoid::regclass::text FROM call_blocks WHERE start = 32503680000
	UNION ALL SELECT 'sms_outbox', tableoid::regclass::text FROM sms_outbox WHERE created = 32503680000
	UNION ALL SELECT 'service_uses', tableoid::regclass::text FROM service_uses WHERE at = 32503680000
	UNION ALL SELECT 'work_months', tableoid::regclass::text FROM work_months WHERE year = 2000
	UNION ALL SELECT 'open_runs', tableoid::regclass::text FROM open_runs WHERE year = 2000
	UNION ALL SELECT 'list_blocks', tableoid::regclass::text FROM list_blocks WHERE list_id = 1099511627776) x
ORDER BY 1")
expected_far='call_blocks call_blocks_default
journal.audit journal.audit_default
list_blocks list_blocks_default
open_runs open_runs_default
service_uses service_uses_default
sms_outbox sms_outbox_default
work_months work_months_default'
bad_parts=0
if [ "$far" != "$expected_far" ]; then
	printf 'schema-pg: rows dated far ahead: expected (table, partition):\n%s\ngot:\n%s\n' \
		"$expected_far" "$far"
	bad_parts=1
fi
got_parts=$(sed -n 's/^partitioned //p' "$dir/pg.facts" | sort)
want_parts=$(printf '%s\n' "$partitioned" | sed 's/^\([^ ]*\) \(.*\)$/\1 range (\2) default/' | sort)
if [ "$got_parts" != "$want_parts" ]; then
	printf 'schema-pg: partitioned tables: expected\n%s\ngot\n%s\n' "$want_parts" "$got_parts"
	bad_parts=1
fi
sed -i '/^partitioned /d' "$dir/pg.facts"
# SQLite's foreign keys that PostgreSQL cannot have
printf '%s\n' "$dropped_fks" | grep -vxF -f - "$dir/sqlite.facts" >"$dir/sqlite.kept" || true
mv "$dir/sqlite.kept" "$dir/sqlite.facts"
# a partitioned table's key widened by its partition key: (id, at) where SQLite has (id)
awk -v parts="$partitioned" '
	BEGIN { n = split(parts, l, "\n"); for (i = 1; i <= n; i++) { split(l[i], f, " "); key[f[1]] = f[2] } }
	FNR == NR { sq[$0] = 1; next }
	($1 == "primary-key" || $1 == "unique") && ($2 in key) && !($0 in sq) {
		w = "," key[$2] ")"
		if (substr($0, length($0) - length(w) + 1) == w) {
			s = substr($0, 1, length($0) - length(w)) ")"
			if (s in sq) { print s; next }
		}
	}
	{ print }' "$dir/sqlite.facts" "$dir/pg.facts" >"$dir/pg.norm"
mv "$dir/pg.norm" "$dir/pg.facts"
sort "$dir/sqlite.facts" >"$dir/sqlite.txt"
sort "$dir/pg.facts" >"$dir/pg.txt"

# ---- the differences
only_sqlite=$(comm -23 "$dir/sqlite.txt" "$dir/pg.txt")
only_pg=$(comm -13 "$dir/sqlite.txt" "$dir/pg.txt")
if [ -n "$only_sqlite" ] || [ -n "$only_pg" ]; then
	[ -z "$only_sqlite" ] || printf '%s\n' "$only_sqlite" | sed 's/^/schema-pg: only in SQLite:     /'
	[ -z "$only_pg" ] || printf '%s\n' "$only_pg" | sed 's/^/schema-pg: only in PostgreSQL: /'
	echo "schema-pg: the two schemas differ" >&2
	exit 1
fi
[ $bad_parts = 0 ] || { echo "schema-pg: the partitions are not as expected" >&2; exit 1; }
echo "schema-pg: SQLite and PostgreSQL agree: $(grep -c '^table ' "$dir/pg.txt") tables," \
	"$(grep -c '^view ' "$dir/pg.txt") view, $(grep -c '^column ' "$dir/pg.txt") columns," \
	"$(grep -c '^index ' "$dir/pg.txt") indexes, $(grep -c '^foreign-key ' "$dir/pg.txt")" \
	"foreign keys ($(printf '%s\n' "$dropped_fks" | wc -l) of SQLite's not on PostgreSQL)," \
	"$(grep -c '^trigger ' "$dir/pg.txt") triggers, $(grep -c '^guard ' "$dir/pg.txt")" \
	"guarded writes; $(printf '%s\n' "$partitioned" | wc -l) tables partitioned on PostgreSQL," \
	"each with a DEFAULT partition that took a row dated far ahead"
