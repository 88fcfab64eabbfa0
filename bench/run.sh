#!/usr/bin/env bash
# tamin's benchmark: each figure beside an anchor measured on the same machine in the same
# run, and the target. See bench/README.md for what each figure means.
#
#   make build/tamin && bench/run.sh        (or: make bench)
#
# Needs only what scripts/deps.sh installs (wrk, nginx-light, sqlite3) and bash: the few
# HTTP calls the script makes itself go through bash's /dev/tcp. Every load loop is bounded
# by wrk -d; everything runs on 127.0.0.1. Work files go to build/bench/run/ (replaced on
# every run, kept afterwards for inspection); the 1,000,000-case database is generated once
# into build/bench/million.db and reused, as is the million-worker monthly list of step 6
# (bench/gen_list.mjs, into build/bench/list-1000000/), which also needs node and valgrind.
# Exit status: 0 when the bench ran (a MISS is a result, not a failure), 1 when a
# measurement could not be trusted (errors, lost writes).
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

BIN=$ROOT/build/tamin
BENCH=$ROOT/build/bench
RUN=$BENCH/run
MILLION=$BENCH/million.db
DURATION=${BENCH_DURATION:-10} # seconds per measured wrk run
WARMUP=${BENCH_WARMUP:-3}      # seconds of unmeasured load before a measured run
DRAIN=3                        # seconds wrk keeps waiting for creates after the deadline
SMALL_PEOPLE=20000
SMALL_CASES=50000
LIST_ROWS=${BENCH_LIST_ROWS:-1000000}             # worker rows in the imported list (step 6)
PROFILE_ROWS=${BENCH_LIST_PROFILE_ROWS:-50000}     # rows of the list profiled under callgrind; 0: no profile
ONLY=${BENCH_ONLY:-}                               # "read": step 1, "lists": step 6, "pensions": step 7, "history": step 8, "month": step 9, "stream": step 10, "attach": step 11, "calls": steps 12 and 13, "pulse": step 14, "otp": step 15, "documents": step 16, "services": step 17, "pg": steps 18 to 20 (PostgreSQL), "pg-cases", "pg-list", "pg-month": one of them, alone (for working on one)
STREAMS=${BENCH_STREAMS:-2000}                     # open live streams in step 10
export BENCH_LUA_DIR=$ROOT/bench/lua

die() {
	echo "bench: $*" >&2
	exit 1
}

command -v wrk >/dev/null || die "wrk is missing: run scripts/deps.sh"
command -v sqlite3 >/dev/null || die "sqlite3 is missing: run scripts/deps.sh"
NGINX=$(command -v nginx || true)
[ -n "$NGINX" ] || { [ -x /usr/sbin/nginx ] && NGINX=/usr/sbin/nginx; } ||
	die "nginx is missing: run scripts/deps.sh"
[ -x "$BIN" ] || die "build/tamin is missing: run make build/tamin"

NPROC=$(nproc)
THREADS=$((NPROC > 64 ? 64 : NPROC)) # tamin's event loops and nginx's workers: one per core

# ---- processes: everything started here is stopped on exit ----

PIDS=()
stop_pid() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
forget_pid() {
	local keep=() p
	for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	PIDS=("${keep[@]}")
}
# bg_wait CMD...: runs CMD in the background and waits for it, so that a signal reaches
# our trap at once (bash defers traps while a foreground child runs, and wrk swallows
# SIGINT) and the cleanup stops CMD too.
bg_wait() {
	local pid rc=0
	"$@" &
	pid=$!
	PIDS+=("$pid")
	wait "$pid" || rc=$?
	forget_pid "$pid"
	return "$rc"
}
cleanup() {
	local p
	for p in "${PIDS[@]}"; do stop_pid "$p"; done
	PIDS=()
	if declare -F pg_stop >/dev/null; then pg_stop; fi # steps 18 to 20's PostgreSQL
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- small helpers ----

now_ns() { date +%s%N; }
secs_since() { awk -v a="$1" -v b="$(now_ns)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# http METHOD PORT PATH BODY TOKEN OUT: one request over bash's /dev/tcp; writes the
# response body to OUT and prints the status code.
http() {
	local method=$1 port=$2 path=$3 body=$4 token=$5 out=$6 fd len
	exec {fd}<>"/dev/tcp/127.0.0.1/$port"
	{
		printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n' "$method" "$path"
		if [ -n "$token" ]; then printf 'Authorization: Bearer %s\r\n' "$token"; fi
		if [ -n "$body" ]; then
			printf 'Content-Type: application/json\r\nContent-Length: %d\r\n' "${#body}"
		fi
		printf '\r\n%s' "$body"
	} >&"$fd"
	timeout 30 cat <&"$fd" >"$out.raw" || true
	exec {fd}>&-
	len=$(sed -n 's/^[Cc]ontent-[Ll]ength: *\([0-9]*\).*/\1/p' "$out.raw" | head -n1)
	tail -c "${len:-0}" "$out.raw" >"$out"
	sed -n '1s/^HTTP\/1\.[01] \([0-9]*\).*/\1/p' "$out.raw"
}

# start_tamin DB NAME [ARGS...]: sets TAMIN_PID and TAMIN_PORT; ARGS go to tamin serve.
start_tamin() {
	local db=$1 log=$RUN/$2 i
	"$BIN" serve --db "$db" --listen 127.0.0.1:0 --rate-limit 0 --threads "$THREADS" "${@:3}" \
		>"$log.out" 2>"$log.err" &
	TAMIN_PID=$!
	PIDS+=("$TAMIN_PID")
	for i in $(seq 1 600); do
		grep -q '^listening on ' "$log.out" 2>/dev/null && break
		kill -0 "$TAMIN_PID" 2>/dev/null || die "tamin serve exited: $(cat "$log.err")"
		sleep 0.1
	done
	TAMIN_PORT=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$log.out")
	[ -n "$TAMIN_PORT" ] || die "tamin serve did not say where it listens (see $log.err)"
}

stop_tamin() {
	stop_pid "$TAMIN_PID"
	forget_pid "$TAMIN_PID"
}

# login PORT: prints a supervisor token.
login() {
	local status token
	status=$(http POST "$1" /api/v1/login '{"login":"supervisor","password":"demo1234"}' "" \
		"$RUN/login.json")
	[ "$status" = 200 ] || die "login failed ($status): $(cat "$RUN/login.json")"
	token=$(sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p' "$RUN/login.json")
	[ -n "$token" ] || die "no token in the login reply"
	echo "$token"
}

# nginx_conf PORT WWW TEMPS: our nginx.conf, on stdout.
nginx_conf() {
	local dir=$RUN/nginx d
	# as root nginx would switch its workers to nobody, who may not reach our files
	if [ "$(id -u)" = 0 ]; then echo "user $(id -un) $(id -gn);"; fi
	cat <<-EOF
		worker_processes $THREADS;
		pid $dir/nginx.pid;
		error_log $dir/error.log warn;
		events { worker_connections 1024; }
		http {
		    access_log off;
		    types { application/json json; }
		    default_type application/json;
		    sendfile on;
		    tcp_nopush on;
		    keepalive_timeout 65;
		    keepalive_requests 100000000;
	EOF
	for d in $3; do echo "    ${d}_temp_path $dir/tmp/$d;"; done
	cat <<-EOF
		    server {
		        listen 127.0.0.1:$1;
		        root $2;
		        location / { }
		    }
		}
	EOF
}

# start_nginx ROOT_DIR: serves ROOT_DIR's files on a free loopback port; sets NGINX_PORT.
start_nginx() {
	local www=$1 dir=$RUN/nginx d ok temps="client_body proxy fastcgi uwsgi scgi"
	mkdir -p "$dir/tmp"
	# Temporary-file paths default to /var/lib/nginx: point each one this nginx build
	# knows at our directory, dropping those whose module it lacks (nginx-light).
	for _ in 1 2 3 4 5 6; do
		nginx_conf 8 "$www" "$temps" >"$dir/nginx.conf"
		"$NGINX" -t -q -p "$dir/" -c "$dir/nginx.conf" -e "$dir/test.log" >/dev/null 2>&1 && break
		d=$(sed -n 's/.*unknown directive "\([a-z_]*\)_temp_path".*/\1/p' "$dir/test.log" | head -n1)
		[ -n "$d" ] || die "nginx rejects its configuration: $(tail -n 3 "$dir/test.log")"
		temps=$(echo " $temps " | sed "s/ $d / /")
	done
	for _ in $(seq 1 20); do
		NGINX_PORT=$((20000 + RANDOM % 12000))
		port_busy "$NGINX_PORT" && continue
		nginx_conf "$NGINX_PORT" "$www" "$temps" >"$dir/nginx.conf"
		"$NGINX" -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" -g 'daemon off;' \
			>"$dir/stdout.log" 2>&1 &
		NGINX_PID=$!
		PIDS+=("$NGINX_PID")
		ok=0
		for _ in $(seq 1 50); do
			kill -0 "$NGINX_PID" 2>/dev/null || break
			if port_busy "$NGINX_PORT"; then
				ok=1
				break
			fi
			sleep 0.1
		done
		[ "$ok" = 1 ] && return 0
		stop_pid "$NGINX_PID"
		forget_pid "$NGINX_PID"
	done
	die "nginx would not start: $(tail -n 5 "$dir/error.log" 2>/dev/null)"
}

# cpu_snapshot: "BUSY OURS", in clock ticks: the CPU time of the whole machine, and that
# of this script's processes (this shell with its finished children, everything in PIDS
# and the children of those, i.e. nginx's workers).
cpu_snapshot() {
	local busy ours=0 p f pid ppid roots=("${PIDS[@]}")
	local pids=("$$" "${PIDS[@]}") fields
	# steps 18 to 20's PostgreSQL server and its backends are ours too
	if [ -n "${PG_DIR:-}" ] && [ -s "$PG_DIR/data/postmaster.pid" ]; then
		roots+=("$(head -n 1 "$PG_DIR/data/postmaster.pid")")
		pids+=("${roots[-1]}")
	fi
	busy=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat)
	for f in /proc/[0-9]*/stat; do
		read -r pid _ _ ppid _ 2>/dev/null <"$f" || continue
		for p in "${roots[@]}"; do
			if [ "$ppid" = "$p" ]; then pids+=("$pid"); fi
		done
	done
	for p in "${pids[@]}"; do
		read -r -a fields 2>/dev/null <"/proc/$p/stat" || continue
		ours=$((ours + fields[13] + fields[14] + fields[15] + fields[16]))
	done
	echo "$busy $ours"
}
CLK_TCK=$(getconf CLK_TCK)

# wrk_run NAME ARGS...: runs wrk, keeps its output in $RUN/NAME.wrk and in $RUN/NAME.other
# the share of the machine's CPU that other processes took meanwhile (percent).
wrk_run() {
	local name=$1 before after t0 t1
	shift
	before=$(cpu_snapshot)
	t0=$(now_ns)
	bg_wait wrk "$@" >"$RUN/$name.wrk" 2>&1 || die "wrk failed: $(cat "$RUN/$name.wrk")"
	after=$(cpu_snapshot)
	t1=$(now_ns)
	grep -q '^BENCH ' "$RUN/$name.wrk" || die "wrk printed no result: $(cat "$RUN/$name.wrk")"
	echo "$before $after" | awk -v s="$(((t1 - t0) / 1000000))" -v hz="$CLK_TCK" -v n="$NPROC" \
		'{ o = ($3 - $1) - ($4 - $2); p = 100 * o / (s / 1000 * hz * n);
		   printf "%.0f\n", p < 0 ? 0 : p }' >"$RUN/$name.other"
}
other() { cat "$RUN/$1.other"; }
OTHER_MAX=0
note_other() { # remembers the worst share of other processes over the measured runs
	local n
	for n in "$@"; do
		OTHER_LIST="${OTHER_LIST:+$OTHER_LIST, }$n $(other "$n")%"
		[ "$(other "$n")" -le "$OTHER_MAX" ] || OTHER_MAX=$(other "$n")
	done
}
# val NAME KEY: a value from a wrk run's BENCH line.
val() { grep '^BENCH ' "$RUN/$1.wrk" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
rps() { calc "%.0f" "$(val "$1" requests) / ($(val "$1" duration_us) / 1e6)"; }
ms() { calc "%.3f" "$(val "$1" "$2") / 1000"; }
errors_of() {
	local n=$1
	echo $(($(val "$n" connect_err) + $(val "$n" read_err) + $(val "$n" write_err) + \
		$(val "$n" status_err) + $(val "$n" timeout_err)))
}
TRUST=1
check_clean() { # a run with failed requests is not a measurement of what we meant
	local e
	e=$(errors_of "$1")
	if [ "$e" != 0 ]; then
		echo "WARNING: $1: $e failed requests (connect $(val "$1" connect_err), read $(val "$1" read_err), write $(val "$1" write_err), status>=400 $(val "$1" status_err), timeout $(val "$1" timeout_err))"
		TRUST=0
	fi
}

ROWS=()
row() { ROWS+=("$(printf '%-30s %12s %12s %8s %10s  %s' "$@")"); }
verdict() { if awk "BEGIN { exit !($1) }"; then echo PASS; else echo MISS; fi; }

# A database's record entries: rows (record_entries: work_months and open_months) and the
# runs' packed entries (open_runs: a batch's, and a list of 100,000 workers or more)
ENTRIES_SQL="SELECT (SELECT count(*) FROM record_entries) + (SELECT coalesce(sum(entries), 0) FROM open_runs)"

# ---- step 6's pieces: the monthly list import against the sqlite3 shell's CSV .import ----

# list_pair DIR ROWS: bench/gen_list.mjs's files for ROWS workers in DIR, generated once and
# reused while the generator is unchanged. Prints how they came.
list_pair() {
	local dir=$1 rows=$2 want t0
	want="rows=$rows generator=$(cksum <"$ROOT/bench/gen_list.mjs" | cut -d' ' -f1)"
	if [ -s "$dir/DSKWOR00.DBF" ] && [ -s "$dir/rows.csv" ] && [ -s "$dir/schema.sql" ] &&
		[ "$(head -n1 "$dir/gen.info" 2>/dev/null)" = "$want" ]; then
		echo "reused ($(sed -n 2p "$dir/gen.info"))"
		return 0
	fi
	rm -rf "$dir"
	t0=$(now_ns)
	bg_wait node "$ROOT/bench/gen_list.mjs" --rows "$rows" --out "$dir" >"$RUN/gen_list-$rows.log" 2>&1 ||
		die "bench/gen_list.mjs failed: $(tail -n 5 "$RUN/gen_list-$rows.log")"
	printf '%s\ngenerated in %s s on %s\n' "$want" "$(secs_since "$t0")" \
		"$(date -u '+%Y-%m-%d %H:%M UTC')" >"$dir/gen.info"
	echo "generated now in $(secs_since "$t0") s"
}

# list_db DB: a fresh database (tamin demo with 50 people, no cases, no records) holding
# the workshop gen_list.mjs writes lists for.
list_db() {
	local db=$1
	rm -f "$db" "$db"-* "${db%.db}-journal.db" "${db%.db}-journal.db"-*
	bg_wait "$BIN" demo --db "$db" --people 50 --cases 0 --records 0 --calls-days 0 >"$RUN/list-demo.log" 2>&1 ||
		die "demo for the list import failed: $(cat "$RUN/list-demo.log")"
	sqlite3 "$db" "INSERT INTO workshops(code, name, employer_name, province, created)
		VALUES ('1234567890', 'کارخانه نمونه', 'شرکت صنایع نمونه',
			(SELECT min(code) FROM provinces), strftime('%s', 'now'))"
}

# timed NAME CMD...: runs CMD (output in $RUN/NAME.log) and keeps its wall-clock seconds in
# $RUN/NAME.secs, its CPU seconds as "user sys" in $RUN/NAME.cpu and, as wrk_run does, the
# share of the machine's CPU that other processes took meanwhile in $RUN/NAME.other.
# Returns CMD's exit status.
timed() {
	local name=$1 before after t0 t1 c0 c1 rc=0
	shift
	before=$(cpu_snapshot)
	read -r -a c0 <"/proc/$$/stat"
	t0=$(now_ns)
	bg_wait "$@" >"$RUN/$name.log" 2>&1 || rc=$?
	t1=$(now_ns)
	read -r -a c1 <"/proc/$$/stat"
	after=$(cpu_snapshot)
	calc "%.3f\n" "($t1 - $t0) / 1e9" >"$RUN/$name.secs"
	# fields 16 and 17 of /proc/PID/stat: the CPU time of the children waited for
	calc "%.2f %.2f\n" "$((c1[15] - c0[15])) / $CLK_TCK, $((c1[16] - c0[16])) / $CLK_TCK" >"$RUN/$name.cpu"
	echo "$before $after" | awk -v s="$(((t1 - t0) / 1000000))" -v hz="$CLK_TCK" -v n="$NPROC" \
		'{ o = ($3 - $1) - ($4 - $2); p = 100 * o / (s / 1000 * hz * n);
		   if (p > 100) p = 100; printf "%.0f\n", p < 0 ? 0 : p }' >"$RUN/$name.other"
	return "$rc"
}

list_import_bench() {
	local dir=$BENCH/list-$LIST_ROWS db=$RUN/list.db anchor=$RUN/list-anchor.db info
	local stored blocked people rows_t secs asecs irps arps ratio split sq iu is au as
	echo "6. tamin list import of $LIST_ROWS worker rows vs sqlite3 .import --csv of the same rows ..."
	info=$(list_pair "$dir" "$LIST_ROWS")
	echo "   list files: ${dir#"$ROOT"/}/ $info; DSKWOR00.DBF $(($(stat -c %s "$dir/DSKWOR00.DBF") / 1048576)) MiB," \
		"rows.csv $(($(stat -c %s "$dir/rows.csv") / 1048576)) MiB"
	list_db "$db"
	rm -f "$anchor" "$anchor"-*
	sqlite3 "$anchor" <"$dir/schema.sql"
	# both inputs read once beforehand, so that neither pays for the disk
	cat "$dir/DSKKAR00.DBF" "$dir/DSKWOR00.DBF" "$dir/rows.csv" >/dev/null
	timed list-anchor sqlite3 "$anchor" ".import --csv $dir/rows.csv t" ||
		die "sqlite3 .import failed: $(tail -n 5 "$RUN/list-anchor.log")"
	timed list-import "$BIN" list import --db "$db" "$dir/DSKKAR00.DBF" "$dir/DSKWOR00.DBF" ||
		die "tamin list import refused or failed (a generator bug?): $(head -n 8 "$RUN/list-import.log")"
	note_other list-anchor list-import
	stored=$(sqlite3 "$db" "$ENTRIES_SQL")
	blocked=$(sqlite3 "$db" 'SELECT coalesce(sum(rows), 0) FROM list_blocks')
	people=$(sqlite3 "$db" 'SELECT count(*) FROM people')
	rows_t=$(sqlite3 "$anchor" 'SELECT count(*) FROM t')
	secs=$(cat "$RUN/list-import.secs")
	asecs=$(cat "$RUN/list-anchor.secs")
	irps=$(calc "%.0f" "$LIST_ROWS / $secs")
	arps=$(calc "%.0f" "$LIST_ROWS / $asecs")
	ratio=$(calc "%.2f" "$irps / $arps")
	local size=$LIST_ROWS
	[ $((LIST_ROWS % 1000)) != 0 ] || size=$((LIST_ROWS / 1000))k
	[ $((LIST_ROWS % 1000000)) != 0 ] || size=$((LIST_ROWS / 1000000))M
	row "list import rows/s ($size)" "$irps" "$arps" "$ratio" "ratio>=2" \
		"$(verdict "$ratio >= 2")"
	read -r iu is <"$RUN/list-import.cpu"
	read -r au as <"$RUN/list-anchor.cpu"
	echo "   tamin list import: $secs s wall, CPU $iu s user + $is s sys, other processes" \
		"$(other list-import)% CPU; $(grep -m1 '^encoding:' "$RUN/list-import.log" | cut -d' ' -f2);" \
		"every check on (ids, days, totals, the month's shares), one transaction, synchronous=FULL (WAL)"
	echo "   sqlite3 .import --csv into an unindexed table t of the same 27 columns: $asecs s wall," \
		"CPU $au s user + $as s sys, other processes $(other list-anchor)% CPU (the shell's defaults:" \
		"rollback journal, synchronous=FULL, one transaction)"
	echo "   stored: $stored of $LIST_ROWS record entries (record_entries and open_runs), $blocked rows in list_blocks" \
		"($people people: workers become people when first dealt with);" \
		"the anchor's t holds $rows_t rows; database $(($(stat -c %s "$db") / 1048576)) MiB," \
		"anchor $(($(stat -c %s "$anchor") / 1048576)) MiB"
	if [ "$stored" != "$LIST_ROWS" ] || [ "$blocked" != "$LIST_ROWS" ] || [ "$rows_t" != "$LIST_ROWS" ]; then
		echo "WARNING: the import stored $stored rows and the anchor $rows_t, not $LIST_ROWS"
		TRUST=0
	fi
	# The figure's import met a million new people (a workshop's first list). The same list
	# again is the employer's correction of the month: every worker is known by then.
	timed list-reimport "$BIN" list import --db "$db" "$dir/DSKKAR00.DBF" "$dir/DSKWOR00.DBF" ||
		die "the second import failed: $(head -n 8 "$RUN/list-reimport.log")"
	stored=$(sqlite3 "$db" "$ENTRIES_SQL")
	read -r iu is <"$RUN/list-reimport.cpu"
	echo "   the same list again, as its correction (every worker known, the first list superseded):" \
		"$(calc "%.0f" "$LIST_ROWS / $(cat "$RUN/list-reimport.secs")") rows/s, $(cat "$RUN/list-reimport.secs") s" \
		"wall, CPU $iu s user + $is s sys, other processes $(other list-reimport)% CPU;" \
		"$(grep -c '^stored as list .*, correcting list' "$RUN/list-reimport.log") correction stored," \
		"record entries now $stored"

	# where the import's time goes: callgrind on a smaller list (its instructions, not time)
	if [ "$PROFILE_ROWS" -gt 0 ] && command -v valgrind >/dev/null; then
		local pdir=$BENCH/list-$PROFILE_ROWS pdb=$RUN/list-profile.db cg=$RUN/list-import.callgrind
		list_pair "$pdir" "$PROFILE_ROWS" >/dev/null
		list_db "$pdb"
		timed list-profile valgrind --tool=callgrind --compress-strings=no --compress-pos=no \
			--callgrind-out-file="$cg" "$BIN" list import --db "$pdb" "$pdir/DSKKAR00.DBF" \
			"$pdir/DSKWOR00.DBF" || die "the profiled import failed: $(tail -n 5 "$RUN/list-profile.log")"
		node "$ROOT/bench/callgrind_split.mjs" "$cg" sqlite3_step,ZSTD_compressCCtx,malloc,free \
			>"$RUN/list-import.split" || die "bench/callgrind_split.mjs failed"
		split=$(awk -F'\t' '!/^fn / { printf "%s%s %s%%", (n++ ? ", " : ""), $1, $3 }' "$RUN/list-import.split")
		sq=$(awk -F'\t' -v rows="$PROFILE_ROWS" '/^fn / { sub(/^fn /, "", $1);
			printf "%s%s %s%% (%.2f calls a row)", (n++ ? ", " : ""), $1, $3, $4 / rows }' \
			"$RUN/list-import.split")
		echo "   where the import's instructions go (callgrind, every thread, inclusive; $PROFILE_ROWS rows," \
			"$(cat "$RUN/list-profile.secs") s under valgrind): $split"
		echo "   and: $sq"
		echo "   profile: ${cg#"$ROOT"/} (callgrind_annotate --inclusive=yes); steps: bench/callgrind_split.mjs"
	elif [ "$PROFILE_ROWS" -gt 0 ]; then
		echo "   no profile of the import: valgrind is missing (scripts/deps.sh installs it)"
	fi
}

# ---- step 7's pieces: the yearly increase for every pensioner, as one batch ----

# 3,000,000 pensioners (made once by tamin demo --scale national, kept in build/bench), then
# `tamin pensions increase --apply 1`: a preview with every pension's before and after
# kept, then applied in one durable transaction. The anchor is the least the same change
# can cost: one plain UPDATE of the same rows in the sqlite3 shell (no preview, no history).
pension_batch_bench() {
	local n=${BENCH_PENSIONERS:-3000000}
	local src=$BENCH/pensioners-$n.db db=$RUN/pensions.db anchor_db=$RUN/pensions-anchor.db
	echo "7. tamin pensions increase --apply 1 for $n pensioners vs one sqlite3 UPDATE of the same rows ..."
	if [ ! -f "$src" ]; then
		local t0
		t0=$(now_ns)
		rm -f "$src" "${src%.db}-journal.db"
		"$BIN" demo --db "$src" --people 10 --cases 0 --records 0 --calls-days 0 --scale national --sample 0 \
			--pensioners "$n" >/dev/null || die "the pensioners' database could not be made"
		sqlite3 "$src" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
		echo "   $n pensioners made by tamin demo --scale national in $(secs_since "$t0") s (kept in ${src#"$ROOT"/})"
	fi
	# a database kept from an older schema is upgraded once here, not in the timed run (the
	# upgrade's foreign_key_check over 3 million pensioners took 4.5 s)
	"$BIN" migrate --db "$src" >/dev/null || die "tamin migrate failed on ${src#"$ROOT"/}"
	cp "$src" "$db" && cp "${src%.db}-journal.db" "${db%.db}-journal.db"
	cp "$src" "$anchor_db"
	local t0 out took anchor
	t0=$(now_ns)
	out=$("$BIN" pensions increase --db "$db" --date 1405/01/01 --apply 1) || die "pensions increase failed"
	took=$(secs_since "$t0")
	echo "   tamin: $out"
	t0=$(now_ns)
	sqlite3 "$anchor_db" "UPDATE pensioners SET amount = amount + (amount * 3200 + 5000) / 10000 + 9316500" ||
		die "the anchor's UPDATE failed"
	anchor=$(secs_since "$t0")
	echo "   sqlite3: one UPDATE of the same $n rows in $anchor s (the shell's defaults: rollback journal, synchronous=FULL)"
	local same
	same=$(sqlite3 "$db" 'SELECT sum(amount) FROM pensioners')
	[ "$same" = "$(sqlite3 "$anchor_db" 'SELECT sum(amount) FROM pensioners')" ] ||
		echo "   note: the batch's total differs from the plain UPDATE's (rounding or the minimum pension)"
	row "pension increase s ($n)" "$took" "$anchor" "$(calc "%.1f" "$took / $anchor")" "<10" \
		"$(verdict "$took < 10")"
}

# ---- step 8's pieces: one person's 30-year history on a record of national size ----

# The record: HIST_SAMPLE people with a month in each of the last 360 months, and
# HIST_FILLER other entries spread over the same months (tamin demo --scale national, made
# once and kept in build/bench). tamin answers GET .../history for random people of the
# sample, one request at a time; the anchor is nginx serving a file of the same size (a
# real history response), one request at a time.
HIST_SAMPLE=${BENCH_HISTORY_SAMPLE:-20000}
HIST_FILLER=${BENCH_HISTORY_FILLER:-42000000}
# history_db: makes (once) the national record in $HIST_DB.
history_db() {
	local db=$BENCH/records-$HIST_SAMPLE-$HIST_FILLER.db gen=$ROOT/src/demo/national.c t0
	HIST_DB=$db
	if [ ! -f "$db" ] || [ "$gen" -nt "$db" ]; then
		local tmp=$BENCH/records-tmp.db
		t0=$(now_ns)
		rm -f "$db" "$db"-* "${db%.db}-journal.db"* "$tmp" "$tmp"-* "${tmp%.db}-journal.db"*
		"$BIN" demo --db "$tmp" --people 10 --cases 0 --records 0 --calls-days 0 --scale national \
			--sample "$HIST_SAMPLE" --filler "$HIST_FILLER" --pensioners 0 \
			>"$RUN/records-scale.log" 2>&1 ||
			die "tamin demo --scale national failed: $(tail -n 3 "$RUN/records-scale.log")"
		sqlite3 "$tmp" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
		sqlite3 "${tmp%.db}-journal.db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
		mv "$tmp" "$db"
		mv "${tmp%.db}-journal.db" "${db%.db}-journal.db"
		rm -f "$tmp"-* "${tmp%.db}-journal.db"-*
		echo "made in $(secs_since "$t0") s on $(date -u '+%Y-%m-%d %H:%M UTC'):" \
			"$(sqlite3 "$db" 'SELECT count(*) FROM record_entries') record entries," \
			"$(sqlite3 "$db" 'SELECT count(*) FROM lists') lists" >"$db.info"
	fi
}

history_bench() {
	local db t0 nid status size entries p50 ngx
	echo "8. one person's 30-year history, GET /api/v1/people/{id}/history, wrk -t1 -c1 -d${DURATION}s," \
		"vs nginx serving a response of the same size ..."
	history_db
	db=$HIST_DB
	entries=$(sqlite3 "$db" 'SELECT count(*) FROM record_entries')
	echo "   record: ${db#"$ROOT"/}, $(cat "$db.info"); $(($(stat -c %s "$db") / 1048576)) MiB"
	sqlite3 "$db" "SELECT national_id FROM people WHERE first_name = 'نمونه' ORDER BY random() LIMIT 2000" \
		>"$RUN/nids-history.txt"
	start_tamin "$db" tamin-history
	TOKEN=$(login "$TAMIN_PORT")
	export TOKEN NID_FILE=$RUN/nids-history.txt
	nid=$(head -n 1 "$NID_FILE")
	status=$(http GET "$TAMIN_PORT" "/api/v1/people/$nid/history?date=1405/08/01" "" "$TOKEN" \
		"$RUN/www/history.json")
	[ "$status" = 200 ] || die "GET .../history answered $status: $(head -c 300 "$RUN/www/history.json")"
	grep -q '"months":\[' "$RUN/www/history.json" || die "the history has no months"
	chmod a+r "$RUN/www/history.json"
	size=$(wc -c <"$RUN/www/history.json")
	PATH_PREFIX=/api/v1/people/ PATH_SUFFIX='/history?date=1405/08/01' wrk_run history-warm -t1 -c1 \
		-d"${WARMUP}s" -s bench/lua/list_by_nid.lua "http://127.0.0.1:$TAMIN_PORT"
	PATH_PREFIX=/api/v1/people/ PATH_SUFFIX='/history?date=1405/08/01' wrk_run history -t1 -c1 \
		-d"${DURATION}s" -s bench/lua/list_by_nid.lua "http://127.0.0.1:$TAMIN_PORT"
	stop_tamin
	[ -n "${NGINX_PORT:-}" ] || start_nginx "$RUN/www"
	MAX_ID=1 PATH_PREFIX='/history.json?id=' wrk_run nginx-history -t1 -c1 -d"${DURATION}s" \
		-s bench/lua/get_random.lua "http://127.0.0.1:$NGINX_PORT"
	check_clean history
	check_clean nginx-history
	note_other history nginx-history
	p50=$(ms history p50_us)
	ngx=$(ms nginx-history p50_us)
	row "history 30 years p50 ms" "$p50" "$ngx" "$(calc "%.1f" "$p50 / $ngx")" "<2" \
		"$(verdict "$p50 < 2")"
	echo "   tamin: $(rps history) req/s one at a time, p50 $p50 ms, p90 $(ms history p90_us) ms," \
		"p99 $(ms history p99_us) ms, $size bytes a response (360 months, the record, the" \
		"steps), other processes $(other history)% CPU; each read's audit entry is durable before its reply"
	echo "   nginx: the same $size bytes, p50 $ngx ms, p99 $(ms nginx-history p99_us) ms," \
		"other processes $(other nginx-history)% CPU; the record holds $entries entries"
}

# ---- step 9's pieces: a national month in one batch ----

# MONTH_LISTS workshops' lists of 1405/08, MONTH_WORKERS workers each on average (2,000,000
# and 21: 42 million rows), in one DSKKAR00/DSKWOR00 pair as ListDisk's template lays them
# out (tamin demo --batch), imported by `tamin list batch` into a copy of step 8's national
# record (30 closed years and 1405's first seven months open) that holds the workshops. The
# pair and the base database are made once and kept in build/bench while the generator is
# unchanged; each run imports into a fresh copy. The figure is the import's wall-clock time,
# from the process's start to its exit (the commit with synchronous=FULL, and the WAL
# checkpoint SQLite runs as the connection closes). The anchor is reading the two files
# once (cat > /dev/null) just before: what merely touching the input costs.
MONTH_LISTS=${BENCH_MONTH_LISTS:-2000000}
MONTH_WORKERS=${BENCH_MONTH_WORKERS:-21}
month_bench() {
	local dir=$BENCH/month-$MONTH_LISTS-$MONTH_WORKERS gen=$ROOT/src/demo/batch.c
	local base db t0 took anchor rows stored summary
	base=$dir/base.db
	db=$BENCH/month-run.db
	echo "9. a national month in one batch: $MONTH_LISTS workshops' lists, about" \
		"$((MONTH_LISTS * MONTH_WORKERS)) rows, tamin list batch, vs reading the files once ..."
	history_db
	if [ ! -f "$dir/made" ] || [ "$gen" -nt "$dir/made" ] || [ "$HIST_DB.info" -nt "$dir/made" ]; then
		t0=$(now_ns)
		rm -rf "$dir"
		mkdir -p "$dir"
		cp "$HIST_DB" "$base"
		cp "${HIST_DB%.db}-journal.db" "${base%.db}-journal.db"
		"$BIN" demo --db "$base" --batch "$dir" --lists "$MONTH_LISTS" --workers "$MONTH_WORKERS" \
			--year 1405 --month 8 >"$RUN/month-gen.log" 2>&1 ||
			die "tamin demo --batch failed: $(tail -n 3 "$RUN/month-gen.log")"
		sqlite3 "$base" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
		echo "$(cat "$RUN/month-gen.log"), made in $(secs_since "$t0") s on" \
			"$(date -u '+%Y-%m-%d %H:%M UTC')" >"$dir/made"
	fi
	rows=$(sed -n 's/^batch: [0-9]* lists, \([0-9]*\) rows.*/\1/p' "$dir/made")
	echo "   input: $(cat "$dir/made"); DSKWOR00.DBF $(($(stat -c %s "$dir/DSKWOR00.DBF") / 1048576)) MiB"
	rm -f "$db" "$db"-* "${db%.db}-journal.db"*
	cp "$base" "$db"
	cp "${base%.db}-journal.db" "${db%.db}-journal.db"
	sync
	timed month-read cat "$dir/DSKKAR00.DBF" "$dir/DSKWOR00.DBF"
	anchor=$(cat "$RUN/month-read.secs")
	timed month "$BIN" list batch --db "$db" "$dir/DSKKAR00.DBF" "$dir/DSKWOR00.DBF" ||
		die "tamin list batch failed: $(tail -n 3 "$RUN/month.log")"
	took=$(cat "$RUN/month.secs")
	summary=$(tail -n 1 "$RUN/month.log")
	stored=$(echo "$summary" | sed -n 's/.*"stored_rows":\([0-9]*\).*/\1/p')
	[ "$stored" = "$rows" ] || die "the batch stored $stored rows of $rows: $summary"
	[ "$(sqlite3 "$db" "SELECT sum(entries) FROM open_runs WHERE year = 1405 AND month = 8")" = "$rows" ] ||
		die "open_runs does not hold the month's $rows entries"
	note_other month
	row "national month s ($rows rows)" "$took" "$anchor" "$(calc "%.1f" "$took / $anchor")" "<120" \
		"$(verdict "$took < 120")"
	read -r iu is <"$RUN/month.cpu"
	echo "   tamin list batch: $(calc "%.0f" "$rows / $took") rows/s, CPU user $iu s + system $is s," \
		"other processes $(other month)% CPU; $summary"
	echo "   anchor: cat of the two files, $anchor s; the database after: $(($(stat -c %s "$db") / 1048576)) MiB"
	rm -f "$db" "$db"-* "${db%.db}-journal.db"*
}

# ---- step 10's pieces: the live stream's fan-out ----

# STREAMS streams of GET /api/v1/stream open at once, all the pensions specialist's, and 20
# new cases of the pensions department, one at a time, each told to all of them; the time
# is from the POST's first byte written to each stream's read of the event (the durable
# commit inside it). The anchor: GET /api/v1/me one at a time on the same server, the
# streams open, in the same client (bench/stream_client.c, one thread on epoll).
stream_bench() {
	local db=$RUN/stream.db nid line p99 get99
	echo "10. live events: $STREAMS open streams of GET /api/v1/stream, 20 events told to every one" \
		"(bench/stream_client.c), vs GET /api/v1/me one at a time on the same server ..."
	cc -O2 -o "$RUN/stream_client" "$ROOT/bench/stream_client.c" || die "bench/stream_client.c does not build"
	rm -f "$db" "$db"-* "${db%.db}-journal.db"*
	bg_wait "$BIN" demo --db "$db" --people 200 --cases 100 --records 0 --calls-days 0 >"$RUN/stream-demo.log" 2>&1 ||
		die "demo for the stream bench failed: $(cat "$RUN/stream-demo.log")"
	nid=$(sqlite3 "$db" 'SELECT national_id FROM people LIMIT 1')
	# one user and one address hold every stream: the caps per user and per address let them
	start_tamin "$db" tamin-stream --streams-per-user $((STREAMS + 16)) \
		--max-conns-per-address $((STREAMS + 64))
	timed stream "$RUN/stream_client" "$TAMIN_PORT" "$nid" "$STREAMS" 20 400 ||
		die "bench/stream_client.c failed: $(tail -n 3 "$RUN/stream.log")"
	stop_tamin
	note_other stream
	line=$(grep '^BENCH ' "$RUN/stream.log") || die "the stream client printed no result"
	sv() { echo "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
	p99=$(sv p99_ms)
	get99=$(sv get_p99_ms)
	[ "$(sv missing)" = 0 ] || {
		echo "WARNING: $(sv missing) of $((STREAMS * 20)) events did not reach their stream within 5 s"
		TRUST=0
	}
	row "stream fan-out p99 ms ($STREAMS)" "$p99" "$get99" "$(calc "%.1f" "$p99 / $get99")" "<100" \
		"$(verdict "$p99 < 100")"
	echo "   $(sv delivered) deliveries: p50 $(sv p50_ms) ms, p99 $p99 ms, max $(sv max_ms) ms from the POST" \
		"written (its durable commit included); the widest fan-out (first stream to last) $(sv spread_max_ms) ms;" \
		"other processes $(other stream)% CPU"
	echo "   anchor: GET /api/v1/me one at a time, the $STREAMS streams open: p50 $(sv get_p50_ms) ms, p99 $get99 ms"
}

# ---- step 15's pieces: papers anyone can verify ----

# A pensioner of a small demo database asks for her pay slip: as JSON at -c64 beside nginx
# serving the same bytes at -c64 (target: at least 0.3 of its rate); as a PDF one request
# at a time, its p50 beside nginx serving the same PDF one at a time (target: under 20 ms).
# Every answer is the paper already issued today (the same content: the same code), with
# its audit row, as a pensioner who downloads it twice gets it.
documents_bench() {
	local db=$RUN/documents.db nid status pw='bench-pensioner-passphrase-2026' token p50 ngx jr nr ratio size
	echo "16. documents: the pay slip as JSON (wrk -t2 -c64) vs nginx serving its bytes, and as a PDF (wrk -t1 -c1) p50 vs nginx serving the PDF ..."
	bg_wait "$BIN" demo --db "$db" --people 150 --cases 10 --calls-days 0 >"$RUN/documents-demo.log" 2>&1 ||
		die "demo failed: $(tail -n 3 "$RUN/documents-demo.log")"
	nid=$(sqlite3 "$db" "SELECT p.national_id FROM pensioners pn JOIN people p ON p.id = pn.person_id
		WHERE EXISTS (SELECT 1 FROM pension_payments WHERE pensioner_id = pn.id) LIMIT 1")
	[ -n "$nid" ] || die "the demo has no pensioner with a payment"
	printf '%s\n' "$pw" | "$BIN" user add --db "$db" --login bench_pensioner --role citizen \
		--national-id "$nid" >"$RUN/documents-user.log" 2>&1 || die "user add: $(cat "$RUN/documents-user.log")"
	start_tamin "$db" tamin-documents
	status=$(http POST "$TAMIN_PORT" /api/v1/login "{\"login\":\"bench_pensioner\",\"password\":\"$pw\"}" "" \
		"$RUN/documents-login.json")
	[ "$status" = 200 ] || die "the pensioner's login failed ($status)"
	token=$(sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p' "$RUN/documents-login.json")
	status=$(http GET "$TAMIN_PORT" "/api/v1/me/documents/payslip?format=json" "" "$token" "$RUN/www/payslip.json")
	[ "$status" = 200 ] || die "the pay slip answered $status: $(head -c 300 "$RUN/www/payslip.json")"
	status=$(http GET "$TAMIN_PORT" "/api/v1/me/documents/payslip" "" "$token" "$RUN/www/payslip.pdf")
	[ "$status" = 200 ] || die "the PDF pay slip answered $status"
	chmod a+r "$RUN/www/payslip.json" "$RUN/www/payslip.pdf"
	size=$(wc -c <"$RUN/www/payslip.pdf")
	[ -n "${NGINX_PORT:-}" ] || start_nginx "$RUN/www"
	TOKEN=$token MAX_ID=1000 PATH_PREFIX='/api/v1/me/documents/payslip?format=json&r=' wrk_run payslip-warm -t2 -c64 \
		-d"${WARMUP}s" -s bench/lua/get_random.lua "http://127.0.0.1:$TAMIN_PORT"
	TOKEN=$token MAX_ID=1000 PATH_PREFIX='/api/v1/me/documents/payslip?format=json&r=' wrk_run payslip -t2 -c64 \
		-d"${DURATION}s" -s bench/lua/get_random.lua "http://127.0.0.1:$TAMIN_PORT"
	TOKEN='' MAX_ID=1000 PATH_PREFIX='/payslip.json?id=' wrk_run nginx-payslip -t2 -c64 -d"${DURATION}s" \
		-s bench/lua/get_random.lua "http://127.0.0.1:$NGINX_PORT"
	TOKEN=$token MAX_ID=1000 PATH_PREFIX='/api/v1/me/documents/payslip?r=' wrk_run payslip-pdf-warm -t1 -c1 \
		-d"${WARMUP}s" -s bench/lua/get_random.lua "http://127.0.0.1:$TAMIN_PORT"
	TOKEN=$token MAX_ID=1000 PATH_PREFIX='/api/v1/me/documents/payslip?r=' wrk_run payslip-pdf -t1 -c1 \
		-d"${DURATION}s" -s bench/lua/get_random.lua "http://127.0.0.1:$TAMIN_PORT"
	TOKEN='' MAX_ID=1000 PATH_PREFIX='/payslip.pdf?id=' wrk_run nginx-payslip-pdf -t1 -c1 -d"${DURATION}s" \
		-s bench/lua/get_random.lua "http://127.0.0.1:$NGINX_PORT"
	stop_tamin
	for n in payslip nginx-payslip payslip-pdf nginx-payslip-pdf; do check_clean "$n"; done
	note_other payslip nginx-payslip payslip-pdf nginx-payslip-pdf
	jr=$(rps payslip)
	nr=$(rps nginx-payslip)
	ratio=$(calc "%.2f" "$jr / $nr")
	row "payslip JSON req/s (c64)" "$jr" "$nr" "$ratio" "ratio>=0.3" "$(verdict "$ratio >= 0.3")"
	p50=$(ms payslip-pdf p50_us)
	ngx=$(ms nginx-payslip-pdf p50_us)
	row "payslip PDF p50 ms (c1)" "$p50" "$ngx" "$(calc "%.1f" "$p50 / $ngx")" "<20" "$(verdict "$p50 < 20")"
	echo "   JSON: $jr req/s, p99 $(ms payslip p99_us) ms, $(wc -c <"$RUN/www/payslip.json") bytes; nginx $nr req/s for the same bytes"
	echo "   PDF: $(rps payslip-pdf) req/s one at a time, p50 $p50 ms, p90 $(ms payslip-pdf p90_us) ms," \
		"p99 $(ms payslip-pdf p99_us) ms, $size bytes (one A4 page, the fonts' subsets embedded); nginx p50 $ngx ms for the same bytes"
}

# ---- step 18's pieces: PostgreSQL beside SQLite ----

# A throw-away PostgreSQL 15 cluster for steps 18 to 20: initdb in a temporary folder, the
# server on 127.0.0.1 at a free port, its unix socket in that folder, stopped (fast) and
# the folder removed when the bench ends. Its settings are a server's for bulk work on a
# small machine (bigger shared_buffers and WAL than tests/http/pg.mjs's); fsync and
# synchronous_commit keep their defaults: a 201 is durable on both stores. Run as root,
# the server runs as the user postgres (initdb refuses root).
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_DIR=
PG_PORT=
PG_PEOPLE=${BENCH_PG_PEOPLE:-5000}   # step 18's demo databases, the same on both stores
PG_CASES=${BENCH_PG_CASES:-10000}
# step 20's month: a tenth of the national one by default (200,000 lists, about 4.2 M rows,
# on a record of 4.2 M entries), held to the same rate as the target (300 s for 42 M rows,
# so 30 s); BENCH_PG_MONTH_LISTS=2000000 BENCH_PG_FILLER=42000000 for the whole month
PG_MONTH_LISTS=${BENCH_PG_MONTH_LISTS:-200000}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_env() { env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE -u PGSERVICE -u PGOPTIONS "$@"; }
pg_stop() {
	[ -n "$PG_DIR" ] || return 0
	as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
	rm -rf "$PG_DIR"
	PG_DIR=
}
pg_start() {
	local i
	[ -z "$PG_DIR" ] || return 0
	[ -x "$PG_BIN/initdb" ] || die "$PG_BIN/initdb is missing: run scripts/deps.sh (postgresql-15)"
	command -v psql >/dev/null || die "psql is missing: run scripts/deps.sh"
	PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tamin-bench-pg.XXXXXX")
	[ "$(id -u)" != 0 ] || chown postgres "$PG_DIR"
	as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U tamin --no-sync -E UTF8 --locale=C \
		--no-instructions >"$RUN/pg-initdb.log" 2>&1 || die "initdb failed: $(tail -n 5 "$RUN/pg-initdb.log")"
	cat >>"$PG_DIR/data/postgresql.conf" <<-CONF
		# bench/run.sh
		listen_addresses = '127.0.0.1'
		unix_socket_directories = '$PG_DIR'
		max_connections = 200
		shared_buffers = '${BENCH_PG_SHARED_BUFFERS:-512MB}'
		work_mem = '16MB'
		maintenance_work_mem = '256MB'
		max_wal_size = '8GB'
		checkpoint_timeout = '15min'
		jit = off
		TimeZone = 'UTC'
		log_timezone = 'UTC'
		log_min_duration_statement = ${BENCH_PG_LOG_MS:--1}
	CONF
	for i in $(seq 1 20); do
		PG_PORT=$((20000 + RANDOM % 12000))
		port_busy "$PG_PORT" && continue
		as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 -o "-p $PG_PORT" \
			start >/dev/null 2>&1 && return 0
		grep -q 'could not bind\|could not create any TCP' "$PG_DIR/server.log" 2>/dev/null ||
			die "PostgreSQL did not start: $(tail -n 5 "$PG_DIR/server.log")"
	done
	die "PostgreSQL found no free port"
}
# tamin and psql reach the server by its unix socket, as clients on a database's own host
# do (Debian's default for local connections): TCP loopback cost the case read about 8%
# more here (bench/README.md). BENCH_PG_TCP=1 goes by 127.0.0.1 instead.
pg_url() {
	if [ "${BENCH_PG_TCP:-0}" = 1 ]; then
		echo "postgres://tamin@127.0.0.1:$PG_PORT/$1"
	else
		echo "postgres://tamin@/$1?host=$PG_DIR&port=$PG_PORT"
	fi
}
# pg_sql DB QUERY: psql's answer, shaped as sqlite3's (rows by line, columns by |)
pg_sql() {
	pg_env PGOPTIONS='-c client_min_messages=warning' psql -X -q -A -t -F '|' -v ON_ERROR_STOP=1 \
		-d "$(pg_url "$1")" -c "$2"
}
pg_newdb() { # pg_newdb NAME [TEMPLATE]: a fresh database (a copy of TEMPLATE)
	pg_sql postgres "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null
	pg_sql postgres "CREATE DATABASE $1${2:+ TEMPLATE $2}" >/dev/null
}
# store_sql STORE DB QUERY: a query on either store (STORE sqlite: DB a file; postgres: a name)
store_sql() { if [ "$1" = sqlite ]; then sqlite3 "$2" "$3"; else pg_sql "$2" "$3"; fi; }

# cases_on STORE: steps 1 and 2's case read and creation, the same load tool and the same
# demo database ($PG_PEOPLE people, $PG_CASES cases) on one store; the figures in
# $RUN/pg-STORE-get.wrk and pg-STORE-post.wrk, the creates counted by the database in
# $RUN/pg-STORE.grown.
cases_on() {
	local store=$1 db dbarg before after ns start_ns max_id t0
	if [ "$store" = sqlite ]; then
		db=$RUN/pg-cmp.db
		dbarg=$db
		rm -f "$db" "$db"-* "${db%.db}-journal.db"*
	else
		db="cmp"
		pg_newdb "$db"
		dbarg=$(pg_url "$db")
	fi
	t0=$(now_ns)
	bg_wait "$BIN" demo --db "$dbarg" --people "$PG_PEOPLE" --cases "$PG_CASES" --records 0 --calls-days 0 \
		>"$RUN/pg-$store-demo.log" 2>&1 || die "demo on $store failed: $(tail -n 5 "$RUN/pg-$store-demo.log")"
	echo "   $store: demo of $PG_PEOPLE people, $PG_CASES cases in $(secs_since "$t0") s"
	sync
	max_id=$(store_sql "$store" "$db" 'SELECT max(id) FROM cases')
	store_sql "$store" "$db" 'SELECT national_id FROM people ORDER BY random() LIMIT 1000' >"$RUN/pg-nids.txt"
	start_tamin "$dbarg" "tamin-pg-$store"
	TOKEN=$(login "$TAMIN_PORT")
	export TOKEN
	MAX_ID=$max_id PATH_PREFIX=/api/v1/cases/ wrk_run "pg-$store-get-warm" -t2 -c64 -d"${WARMUP}s" \
		-s bench/lua/get_random.lua "http://127.0.0.1:$TAMIN_PORT"
	MAX_ID=$max_id PATH_PREFIX=/api/v1/cases/ wrk_run "pg-$store-get" -t2 -c64 -d"${DURATION}s" \
		-s bench/lua/get_random.lua "http://127.0.0.1:$TAMIN_PORT"
	before=$(store_sql "$store" "$db" 'SELECT count(*) FROM cases')
	ns=$(now_ns)
	sleep "$(calc "%.3f" "1 - ($ns % 1000000000) / 1e9 + 0.01")"
	start_ns=$(now_ns)
	DEADLINE=$((start_ns / 1000000000 + DURATION)) NID_FILE=$RUN/pg-nids.txt wrk_run "pg-$store-post" -t2 -c64 \
		-d"$((DURATION + DRAIN))s" --timeout 60s -s bench/lua/post_case.lua "http://127.0.0.1:$TAMIN_PORT"
	sleep 1
	after=$(store_sql "$store" "$db" 'SELECT count(*) FROM cases')
	stop_tamin
	echo "$((after - before))" >"$RUN/pg-$store.grown"
	calc "%.3f\n" "$((start_ns / 1000000000 + DURATION)) - $start_ns / 1e9" >"$RUN/pg-$store.phase"
	check_clean "pg-$store-get"
	check_clean "pg-$store-post"
	note_other "pg-$store-get" "pg-$store-post"
}

pg_cases_bench() {
	local s p sc pc ratio st
	echo "18. PostgreSQL beside SQLite: case read (wrk -t2 -c64 -d${DURATION}s) and case creation" \
		"(${DURATION}s + ${DRAIN}s drain), the same demo database on each store ..."
	pg_start
	cases_on sqlite
	cases_on postgres
	s=$(rps pg-sqlite-get)
	p=$(rps pg-postgres-get)
	ratio=$(calc "%.2f" "$p / $s")
	row "pg case read req/s (c64)" "$p" "$s" "$ratio" "ratio>=0.5" "$(verdict "$ratio >= 0.5")"
	for st in sqlite postgres; do
		echo "   $st read: $(rps "pg-$st-get") req/s, p50 $(ms "pg-$st-get" p50_us) ms, p99" \
			"$(ms "pg-$st-get" p99_us) ms, other processes $(other "pg-$st-get")% CPU"
	done
	sc=$(calc "%.0f" "$(val pg-sqlite-post created) / $(cat "$RUN/pg-sqlite.phase")")
	pc=$(calc "%.0f" "$(val pg-postgres-post created) / $(cat "$RUN/pg-postgres.phase")")
	ratio=$(calc "%.2f" "$pc / $sc")
	row "pg case create/s (c64)" "$pc" "$sc" "$ratio" "ratio>=0.5" "$(verdict "$ratio >= 0.5")"
	for st in sqlite postgres; do
		echo "   $st create: $(val "pg-$st-post" created) created (201) in $(cat "$RUN/pg-$st.phase") s, p50" \
			"$(ms "pg-$st-post" p50_us) ms, p99 $(ms "pg-$st-post" p99_us) ms, other processes" \
			"$(other "pg-$st-post")% CPU; the database grew by $(cat "$RUN/pg-$st.grown")"
		if [ "$(cat "$RUN/pg-$st.grown")" != "$(val "pg-$st-post" created)" ]; then
			echo "WARNING: $st: the database grew by $(cat "$RUN/pg-$st.grown"), wrk counted" \
				"$(val "pg-$st-post" created) 201s"
			TRUST=0
		fi
	done
}

# The monthly list of step 6 on PostgreSQL: `tamin list import` into a fresh database (tamin
# demo with 50 people, the workshop added) against psql's \copy of the same rows as CSV into
# a table of DSKWOR00's columns (text and bigint, no index) in another database of the same
# server: the least that storing the rows durably there costs.
pg_list_bench() {
	local dir=$BENCH/list-$LIST_ROWS info stored blocked rows_t secs asecs irps arps ratio iu is
	echo "19. PostgreSQL: tamin list import of $LIST_ROWS worker rows vs psql \\copy of the same rows as CSV ..."
	pg_start
	info=$(list_pair "$dir" "$LIST_ROWS")
	echo "   list files: ${dir#"$ROOT"/}/ $info"
	pg_newdb list
	bg_wait "$BIN" demo --db "$(pg_url list)" --people 50 --cases 0 --records 0 --calls-days 0 \
		>"$RUN/pg-list-demo.log" 2>&1 || die "demo on PostgreSQL failed: $(tail -n 5 "$RUN/pg-list-demo.log")"
	pg_sql list "INSERT INTO workshops(code, name, employer_name, province, created)
		VALUES ('1234567890', 'کارخانه نمونه', 'شرکت صنایع نمونه',
			(SELECT min(code) FROM provinces), extract(epoch FROM now())::bigint)" >/dev/null
	pg_newdb listanchor
	pg_sql listanchor "$(sed 's/ INTEGER/ bigint/g' "$dir/schema.sql")" >/dev/null
	cat "$dir/DSKKAR00.DBF" "$dir/DSKWOR00.DBF" "$dir/rows.csv" >/dev/null
	sync
	timed pg-list-anchor pg_env psql -X -q -v ON_ERROR_STOP=1 -d "$(pg_url listanchor)" \
		-c "\\copy t FROM '$dir/rows.csv' WITH (FORMAT csv)" ||
		die "psql \\copy failed: $(tail -n 5 "$RUN/pg-list-anchor.log")"
	timed pg-list-import "$BIN" list import --db "$(pg_url list)" "$dir/DSKKAR00.DBF" "$dir/DSKWOR00.DBF" ||
		die "tamin list import on PostgreSQL failed: $(head -n 8 "$RUN/pg-list-import.log")"
	note_other pg-list-anchor pg-list-import
	stored=$(pg_sql list "$ENTRIES_SQL")
	blocked=$(pg_sql list 'SELECT coalesce(sum(rows), 0) FROM list_blocks')
	rows_t=$(pg_sql listanchor 'SELECT count(*) FROM t')
	secs=$(cat "$RUN/pg-list-import.secs")
	asecs=$(cat "$RUN/pg-list-anchor.secs")
	irps=$(calc "%.0f" "$LIST_ROWS / $secs")
	arps=$(calc "%.0f" "$LIST_ROWS / $asecs")
	ratio=$(calc "%.2f" "$irps / $arps")
	row "pg list import rows/s (1M)" "$irps" "$arps" "$ratio" "ratio>=0.8" "$(verdict "$ratio >= 0.8")"
	read -r iu is <"$RUN/pg-list-import.cpu"
	echo "   tamin: $secs s wall, CPU (tamin's own) $iu s user + $is s sys, other processes" \
		"$(other pg-list-import)% CPU; $stored record entries, $blocked rows in list_blocks"
	echo "   psql \\copy: $asecs s wall, other processes $(other pg-list-anchor)% CPU; t holds $rows_t rows"
	if [ "$stored" != "$LIST_ROWS" ] || [ "$blocked" != "$LIST_ROWS" ] || [ "$rows_t" != "$LIST_ROWS" ]; then
		echo "WARNING: the import stored $stored rows and the anchor $rows_t, not $LIST_ROWS"
		TRUST=0
	fi
	pg_sql postgres 'DROP DATABASE list WITH (FORCE)' >/dev/null
	pg_sql postgres 'DROP DATABASE listanchor WITH (FORCE)' >/dev/null
}

# Step 9's national month on PostgreSQL: the same record (tamin demo --scale national, the
# same sample and filler) made in a database of the throw-away cluster, the month's
# workshops added and its files written by tamin demo --batch (the same options give the
# same files as step 9's), then `tamin list batch` timed from the process's start to its
# exit (the commit included). The anchor, as in step 9: reading the two files once.
PG_MONTH_WORKERS=$MONTH_WORKERS
PG_FILLER=${BENCH_PG_FILLER:-4200000}
pg_month_bench() {
	local files=$RUN/pg-month db=month t0 took anchor rows stored summary iu is made target
	echo "20. PostgreSQL: a national month in one batch, $PG_MONTH_LISTS workshops' lists (about" \
		"$((PG_MONTH_LISTS * PG_MONTH_WORKERS)) rows), tamin list batch, vs reading the files once ..."
	pg_start
	pg_newdb "$db"
	t0=$(now_ns)
	bg_wait "$BIN" demo --db "$(pg_url "$db")" --people 10 --cases 0 --records 0 --calls-days 0 \
		--scale national --sample "$HIST_SAMPLE" --filler "$PG_FILLER" --pensioners 0 \
		>"$RUN/pg-month-record.log" 2>&1 ||
		die "tamin demo --scale national on PostgreSQL failed: $(tail -n 3 "$RUN/pg-month-record.log")"
	made="the record ($HIST_SAMPLE sampled careers among $PG_FILLER entries) made in $(secs_since "$t0") s"
	rm -rf "$files"
	mkdir -p "$files"
	t0=$(now_ns)
	bg_wait "$BIN" demo --db "$(pg_url "$db")" --batch "$files" --lists "$PG_MONTH_LISTS" \
		--workers "$PG_MONTH_WORKERS" --year 1405 --month 8 >"$RUN/pg-month-gen.log" 2>&1 ||
		die "tamin demo --batch on PostgreSQL failed: $(tail -n 3 "$RUN/pg-month-gen.log")"
	rows=$(sed -n 's/^batch: [0-9]* lists, \([0-9]*\) rows.*/\1/p' "$RUN/pg-month-gen.log")
	echo "   input: $made; $(cat "$RUN/pg-month-gen.log") in $(secs_since "$t0") s;" \
		"DSKWOR00.DBF $(($(stat -c %s "$files/DSKWOR00.DBF") / 1048576)) MiB"
	pg_sql "$db" 'CHECKPOINT' >/dev/null
	sync
	timed pg-month-read cat "$files/DSKKAR00.DBF" "$files/DSKWOR00.DBF"
	anchor=$(cat "$RUN/pg-month-read.secs")
	timed pg-month "$BIN" list batch --db "$(pg_url "$db")" "$files/DSKKAR00.DBF" "$files/DSKWOR00.DBF" ||
		die "tamin list batch on PostgreSQL failed: $(tail -n 3 "$RUN/pg-month.log")"
	took=$(cat "$RUN/pg-month.secs")
	summary=$(tail -n 1 "$RUN/pg-month.log")
	stored=$(echo "$summary" | sed -n 's/.*"stored_rows":\([0-9]*\).*/\1/p')
	[ "$stored" = "$rows" ] || die "the batch on PostgreSQL stored $stored rows of $rows: $summary"
	[ "$(pg_sql "$db" "SELECT sum(entries) FROM open_runs WHERE year = 1405 AND month = 8")" = "$rows" ] ||
		die "open_runs on PostgreSQL does not hold the month's $rows entries"
	note_other pg-month
	# the target, 300 s for a national month of 42,000,000 rows, at the same rate for these rows
	target=$(calc "%.1f" "300 * $rows / 42000000")
	row "pg month s ($rows rows)" "$took" "$anchor" "$(calc "%.1f" "$took / $anchor")" "<$target" \
		"$(verdict "$took < $target")"
	read -r iu is <"$RUN/pg-month.cpu"
	echo "   tamin list batch on PostgreSQL: $(calc "%.0f" "$rows / $took") rows/s, CPU (tamin's own)" \
		"user $iu s + system $is s, other processes $(other pg-month)% CPU; $summary"
	echo "   anchor: cat of the two files, $anchor s; at this rate 42,000,000 rows would take" \
		"$(calc "%.0f" "$took * 42000000 / $rows") s (target 300 s)"
	pg_sql postgres "DROP DATABASE $db WITH (FORCE)" >/dev/null
	rm -rf "$files"
}

# steps 18 to 20, then the cluster stopped
pg_bench() {
	pg_cases_bench
	pg_list_bench
	pg_month_bench
	pg_stop
}

# ---- 0. a fresh case database for steps 1 and 2 ----

rm -rf "$RUN"
mkdir -p "$RUN/www"
# One binary for the whole run, even if build/tamin is rebuilt meanwhile.
cp -p "$BIN" "$RUN/tamin"
BIN=$RUN/tamin
# only_done: the end of a BENCH_ONLY run: its rows, the other processes' share, the machine.
only_done() {
	echo
	printf '%-30s %12s %12s %8s %10s  %s\n' name value anchor ratio target result
	printf '%s\n' "${ROWS[@]}"
	echo "CPU taken by other processes during each measured run: ${OTHER_LIST:-not measured}"
	echo "machine: $NPROC cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)," \
		"$(uname -sr); load average now: $(cut -d' ' -f1-3 /proc/loadavg); date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	[ "$TRUST" = 1 ] || die "a measurement could not be trusted (see above)"
	exit 0
}
# The rows a node bench prints (ROW<TAB>name<TAB>value<TAB>anchor<TAB>ratio<TAB>target<TAB>result,
# NOTE lines, anything else as said), into the table: node_rows SCRIPT WHAT.
node_rows() {
	local line name value anchor ratio target result
	while IFS= read -r line; do
		case $line in
		ROW$'\t'*)
			IFS=$'\t' read -r _ name value anchor ratio target result <<<"$line"
			row "$name" "$value" "$anchor" "$ratio" "$target" "$result"
			;;
		NOTE*) echo "   ${line#NOTE   }" ;;
		*) echo "   $line" ;;
		esac
	done < <(RUN_DIR="$RUN" TAMIN_BIN="$BIN" node "$ROOT/bench/$1" 2>&1 || echo "$2 bench failed")
}
# an e-service request vs the same citizens opening the same case (bench/services.mjs)
services_bench() {
	echo "17. e-services: a request service's form vs the same case opened directly (bench/services.mjs) ..."
	node_rows services.mjs services
}
# queue_log lines imported vs sqlite3 .import of the same lines (bench/calls.mjs)
calls_bench() {
	echo "12. calls: 1,000,000 queue_log lines imported (tamin calls import) vs sqlite3 .import of the same lines (bench/calls.mjs) ..."
	node_rows calls.mjs calls
	echo "13. calls: the figures of a month by 15 minutes at 5,000,000 calls a year (tamin calls figures) vs sqlite3 counting the same calls in a plain table (bench/calls_figures.mjs) ..."
	node_rows calls_figures.mjs "calls figures"
}
# the pulse at national scale: series and movers p50 beside GET /api/v1/me's (bench/pulse.mjs)
pulse_bench() {
	echo "14. the pulse at national scale: a year of 5,000,000 calls and 100,000,000 other contacts counted by the pulse's code, its series and movers p50 vs GET /api/v1/me (bench/pulse.mjs) ..."
	node_rows pulse.mjs pulse
}
# a 10 MiB attachment stored over HTTP vs cp (and sync) of the same file (bench/attach.mjs)
attach_bench() {
	echo "11. attachments: a 10 MiB file stored over HTTP vs cp + sync of the same file (bench/attach.mjs) ..."
	node_rows attach.mjs attachment
}
# one-time-code starts/s beside GET /api/v1/me's rate on the same server, both at -c64:
# 100,000 citizens with a mobile on record and an account, each asked for at most a few
# times (5 in 15 minutes is the limit: a refusal would count as a failed request)
otp_bench() {
	local db=$RUN/otp.db n
	echo "15. one-time-code login: POST /api/v1/login/otp/start (a code hashed, stored and its SMS" \
		"queued, or the refusal audited: one group commit) req/s vs GET /api/v1/me ..."
	bg_wait "$BIN" demo --db "$db" --people 100000 --cases 0 --records 0 --calls-days 0 \
		>"$RUN/otp-demo.log" 2>&1 || die "demo failed: $(cat "$RUN/otp-demo.log")"
	sqlite3 "$db" "INSERT INTO users(login, pw_hash, role, person_id, name, created)
		SELECT p.national_id, '!', 'citizen', p.id, '', 0 FROM people p WHERE p.mobile IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM users u WHERE u.person_id = p.id OR u.login = p.national_id)"
	sqlite3 "$db" "SELECT p.national_id || '|' || p.mobile FROM people p JOIN users u ON u.person_id = p.id
		WHERE u.role = 'citizen' ORDER BY random()" >"$RUN/otp-pairs.txt"
	n=$(wc -l <"$RUN/otp-pairs.txt")
	# the same national ids with a mobile that is not theirs (its last digit moved): no code,
	# a refusal audited; the time should not tell it from a known pair's
	awk -F'|' '{ d = substr($2, 11, 1); printf "%s|%s%d\n", $1, substr($2, 1, 10), (d + 1) % 10 }' \
		"$RUN/otp-pairs.txt" >"$RUN/otp-unknown.txt"
	start_tamin "$db" tamin-otp --otp-per-address 100000000
	TOKEN=$(login "$TAMIN_PORT")
	export TOKEN PAIR_FILE=$RUN/otp-pairs.txt
	MAX_ID=1 PATH_PREFIX='/api/v1/me?n=' wrk_run otp-me -t2 -c64 -d"${DURATION}s" \
		-s bench/lua/get_random.lua "http://127.0.0.1:$TAMIN_PORT"
	wrk_run otp-start -t2 -c64 -d"${DURATION}s" -s bench/lua/otp_start.lua "http://127.0.0.1:$TAMIN_PORT"
	# one request at a time, known and unknown pairs alike (from the other end of the file:
	# pairs not asked for above): each reply waits for its own group commit, so what tells
	# them apart is what the job itself does
	tac "$RUN/otp-pairs.txt" >"$RUN/otp-known-c1.txt"
	tac "$RUN/otp-unknown.txt" | sed -n '20001,$p' >"$RUN/otp-unknown-c1.txt"
	PAIR_FILE=$RUN/otp-known-c1.txt wrk_run otp-known1 -t1 -c1 -d"${DURATION}s" -s bench/lua/otp_start.lua \
		"http://127.0.0.1:$TAMIN_PORT"
	PAIR_FILE=$RUN/otp-unknown-c1.txt wrk_run otp-unknown -t1 -c1 -d"${DURATION}s" -s bench/lua/otp_start.lua \
		"http://127.0.0.1:$TAMIN_PORT"
	local sent
	sent=$(sqlite3 "$db" "SELECT count(*) FROM sms_outbox WHERE purpose = 'otp'")
	stop_tamin
	check_clean otp-me
	check_clean otp-start
	check_clean otp-known1
	check_clean otp-unknown
	note_other otp-start otp-me otp-known1 otp-unknown
	local r me
	r=$(rps otp-start)
	me=$(rps otp-me)
	row "otp starts req/s" "$r" "$me" "$(calc "%.2f" "$r / $me")" ">=2000" "$(verdict "$r >= 2000")"
	local pk pu
	pk=$(ms otp-known1 p50_us)
	pu=$(ms otp-unknown p50_us)
	row "otp unknown pair p50 ms (c1)" "$pu" "$pk" "$(calc "%.2f" "$pu / $pk")" "0.5-2" \
		"$(verdict "$pu / $pk >= 0.5 && $pu / $pk <= 2")"
	echo "   tamin: $r starts/s, p50 $(ms otp-start p50_us) ms, p99 $(ms otp-start p99_us) ms over $n" \
		"citizens; $sent codes queued for SMS; other processes $(other otp-start)% CPU"
	echo "   one at a time: known pairs p50 $pk ms, p90 $(ms otp-known1 p90_us) ms; unknown pairs (a mobile" \
		"not the person's: nothing sent, the refusal audited) p50 $pu ms, p90 $(ms otp-unknown p90_us) ms:" \
		"the same 202 should not come measurably sooner or later"
	echo "   anchor GET /api/v1/me: $me req/s, p50 $(ms otp-me p50_us) ms (the session's cached read)," \
		"other processes $(other otp-me)% CPU"
}
if [ "$ONLY" = lists ] || [ "$ONLY" = pensions ] || [ "$ONLY" = history ] || [ "$ONLY" = month ] ||
	[ "$ONLY" = stream ] || [ "$ONLY" = attach ] || [ "$ONLY" = calls ] || [ "$ONLY" = pulse ] ||
	[ "$ONLY" = otp ] || [ "$ONLY" = documents ] || [ "$ONLY" = services ] || [ "${ONLY%%-*}" = pg ]; then
	echo "binary: build/tamin built $(date -u -r "$BIN" '+%Y-%m-%d %H:%M:%S UTC'); BENCH_ONLY=$ONLY"
	echo "load average before the bench: $(cut -d' ' -f1-3 /proc/loadavg)"
	case $ONLY in
	lists) list_import_bench ;;
	pensions) pension_batch_bench ;;
	history) history_bench ;;
	month) month_bench ;;
	stream) stream_bench ;;
	attach) attach_bench ;;
	calls) calls_bench ;;
	pulse) pulse_bench ;;
	otp) otp_bench ;;
	documents) documents_bench ;;
	services) services_bench ;;
	pg) pg_bench ;;
	pg-cases) pg_cases_bench && pg_stop ;;
	pg-list) pg_list_bench && pg_stop ;;
	pg-month) pg_month_bench && pg_stop ;;
	*) die "BENCH_ONLY=$ONLY: no such step" ;;
	esac
	only_done
elif [ -n "$ONLY" ] && [ "$ONLY" != read ]; then
	die "BENCH_ONLY is read, lists, pensions, history, month, stream, attach, calls, pulse, otp, documents, services, pg (pg-cases, pg-list, pg-month) or unset, not $ONLY"
fi
echo "binary: build/tamin built $(date -u -r "$BIN" '+%Y-%m-%d %H:%M:%S UTC' 2>/dev/null || true), copied to ${RUN#"$ROOT"/}/tamin for this run"
echo "tamin bench: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), wrk -t2, ${DURATION}s per figure," \
	"tamin --threads $THREADS --rate-limit 0, nginx worker_processes $THREADS"
echo "load average before the bench: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews every figure)"
echo "note: --rate-limit 0 turns off tamin's per-address limiter, which one load generator" \
	"on one address would hit"
echo
SMALL=$RUN/cases.db
t0=$(now_ns)
bg_wait "$BIN" demo --db "$SMALL" --people "$SMALL_PEOPLE" --cases "$SMALL_CASES" --records 0 --calls-days 0 >"$RUN/demo.log" 2>&1 ||
	die "demo failed: $(cat "$RUN/demo.log")"
echo "setup: demo database of $SMALL_PEOPLE people, $SMALL_CASES cases in $(secs_since "$t0") s"
# Its 200 MB are written back now, not half a minute later in the middle of step 1, where
# every read's audit sync waited behind them.
sync
MAX_ID=$(sqlite3 "$SMALL" 'SELECT max(id) FROM cases')
sqlite3 "$SMALL" 'SELECT national_id FROM people ORDER BY random() LIMIT 1000' >"$RUN/nids.txt"

start_tamin "$SMALL" tamin-small
TOKEN=$(login "$TAMIN_PORT")

# The anchor's file: the median-sized of 15 real case responses, byte for byte.
sizes=()
for i in $(seq 1 15); do
	id=$((i * MAX_ID / 16))
	status=$(http GET "$TAMIN_PORT" "/api/v1/cases/$id" "" "$TOKEN" "$RUN/sample-$i.json")
	[ "$status" = 200 ] || die "GET /api/v1/cases/$id answered $status"
	sizes+=("$(wc -c <"$RUN/sample-$i.json") $i")
done
read -r FILE_SIZE median < <(printf '%s\n' "${sizes[@]}" | sort -n | sed -n 8p)
smallest=$(printf '%s\n' "${sizes[@]}" | sort -n | head -n1 | cut -d' ' -f1)
largest=$(printf '%s\n' "${sizes[@]}" | sort -n | tail -n1 | cut -d' ' -f1)
cp "$RUN/sample-$median.json" "$RUN/www/case.json"
chmod -R a+rX "$RUN/www"
echo "setup: static file = case $((median * MAX_ID / 16))'s response, $FILE_SIZE bytes" \
	"(median of 15 sampled case responses, $smallest-$largest bytes)"
start_nginx "$RUN/www"
echo "setup: tamin on 127.0.0.1:$TAMIN_PORT, nginx $("$NGINX" -v 2>&1 | sed 's|.*/||') on 127.0.0.1:$NGINX_PORT"
echo

# ---- 1. case read vs static file, -c64 ----

echo "1. GET /api/v1/cases/{random 1..$MAX_ID} vs nginx static file, wrk -t2 -c64 -d${DURATION}s ..."
export TOKEN MAX_ID
PATH_PREFIX=/api/v1/cases/ wrk_run get-warm -t2 -c64 -d"${WARMUP}s" -s bench/lua/get_random.lua \
	"http://127.0.0.1:$TAMIN_PORT"
PATH_PREFIX=/api/v1/cases/ wrk_run get -t2 -c64 -d"${DURATION}s" -s bench/lua/get_random.lua \
	"http://127.0.0.1:$TAMIN_PORT"
PATH_PREFIX='/case.json?id=' wrk_run nginx-warm -t2 -c64 -d"${WARMUP}s" \
	-s bench/lua/get_random.lua "http://127.0.0.1:$NGINX_PORT"
PATH_PREFIX='/case.json?id=' wrk_run nginx64 -t2 -c64 -d"${DURATION}s" \
	-s bench/lua/get_random.lua "http://127.0.0.1:$NGINX_PORT"
check_clean get
check_clean nginx64
note_other get nginx64
GET_RPS=$(rps get)
NGX_RPS=$(rps nginx64)
ratio=$(calc "%.2f" "$GET_RPS / $NGX_RPS")
row "case read req/s (c64)" "$GET_RPS" "$NGX_RPS" "$ratio" "ratio>=0.5" "$(verdict "$ratio >= 0.5")"
echo "   tamin: $GET_RPS req/s, p50 $(ms get p50_us) ms, p99 $(ms get p99_us) ms," \
	"$(calc "%.0f" "$(val get bytes) / $(val get requests)") bytes/response incl. headers," \
	"other processes $(other get)% CPU; each read's audit entry is synced (the audit spool)" \
	"before its reply"
echo "   nginx: $NGX_RPS req/s, p50 $(ms nginx64 p50_us) ms, p99 $(ms nginx64 p99_us) ms," \
	"$(calc "%.0f" "$(val nginx64 bytes) / $(val nginx64 requests)") bytes/response incl. headers," \
	"other processes $(other nginx64)% CPU"
if [ "$ONLY" = read ]; then
	stop_tamin
	only_done
fi

# ---- 2. case creation, -c64 ----

echo "2. POST /api/v1/cases, wrk -t2 -c64, ${DURATION}s of creates + ${DRAIN}s drain ..."
BEFORE=$(sqlite3 "$SMALL" 'SELECT count(*) FROM cases')
# Start on a whole second: the script stops creating at DEADLINE (whole Unix seconds).
ns=$(now_ns)
sleep "$(calc "%.3f" "1 - ($ns % 1000000000) / 1e9 + 0.01")"
START_NS=$(now_ns)
DEADLINE=$((START_NS / 1000000000 + DURATION))
export DEADLINE
NID_FILE=$RUN/nids.txt wrk_run post -t2 -c64 -d"$((DURATION + DRAIN))s" --timeout 60s \
	-s bench/lua/post_case.lua "http://127.0.0.1:$TAMIN_PORT"
sleep 1
AFTER=$(sqlite3 "$SMALL" 'SELECT count(*) FROM cases')
check_clean post
note_other post
CREATED=$(val post created)
PHASE=$(calc "%.3f" "$DEADLINE - $START_NS / 1e9")
CPS=$(calc "%.0f" "$CREATED / $PHASE")
ratio=$(calc "%.2f" "$CPS / $NGX_RPS")
row "case create/s (c64)" "$CPS" "$NGX_RPS" "$ratio" ">=5000" "$(verdict "$CPS >= 5000")"
P99=$(ms post p99_us)
NGX_P99=$(ms nginx64 p99_us)
row "case create p99 ms (c64)" "$P99" "$NGX_P99" "$(calc "%.1f" "$P99 / $NGX_P99")" "<50" \
	"$(verdict "$P99 < 50")"
GROWN=$((AFTER - BEFORE))
echo "   $CREATED created (201) in ${PHASE}s; p50 $(ms post p50_us) ms, max $(ms post max_us) ms;" \
	"other 2xx $(val post other_2xx), 4xx $(val post client_err), 5xx $(val post server_err);" \
	"other processes $(other post)% CPU"
if [ "$GROWN" = "$CREATED" ]; then
	DURABLE="durable: $GROWN of $CREATED (cases in the database grew by exactly the 201s wrk counted)"
else
	DURABLE="durable: $GROWN of $CREATED  MISMATCH: the database grew by $GROWN, wrk counted $CREATED 201s (a create answered later than the ${DRAIN}s drain also shows here; slowest seen: $(ms post max_us) ms)"
	TRUST=0
fi
echo "   $DURABLE"
stop_tamin

# ---- 3. list by national id on 1,000,000 cases, -c4 ----

echo "3. GET /api/v1/cases?national_id= on 1,000,000 cases, wrk -t2 -c4 -d${DURATION}s ..."
mcount=0
if [ -f "$MILLION" ] && [ -s "$BENCH/million-journal.db" ]; then
	mcount=$(sqlite3 "$MILLION" 'SELECT count(*) FROM cases' 2>/dev/null || echo 0)
fi
if [ "$mcount" -lt 1000000 ]; then
	echo "   generating $MILLION (once; later runs reuse it) ..."
	# a database travels with its journal file (NAME.db and NAME-journal.db)
	MTMP=$BENCH/million.tmp.db
	rm -f "$BENCH"/million.db* "$BENCH"/million-journal.db* "$BENCH"/million.tmp.db* \
		"$BENCH"/million.tmp-journal.db*
	t0=$(now_ns)
	bg_wait "$BIN" demo --db "$MTMP" --people 200000 --cases 1000000 --records 0 --calls-days 0 >"$BENCH/million.log" 2>&1 ||
		die "million-case demo failed: $(tail -n 5 "$BENCH/million.log")"
	sqlite3 "$MTMP" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
	sqlite3 "$BENCH/million.tmp-journal.db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
	mv "$MTMP" "$MILLION"
	mv "$BENCH/million.tmp-journal.db" "$BENCH/million-journal.db"
	rm -f "$BENCH"/million.tmp.db-wal "$BENCH"/million.tmp.db-shm \
		"$BENCH"/million.tmp-journal.db-wal "$BENCH"/million.tmp-journal.db-shm
	echo "generated in $(secs_since "$t0") s on $(date -u '+%Y-%m-%d %H:%M UTC')" >"$MILLION.info"
	MINFO="generated now in $(secs_since "$t0") s"
else
	MINFO="reused ($(cat "$MILLION.info" 2>/dev/null || echo "generation time not recorded"))"
fi
echo "   million-case database: $MINFO, $(($(stat -c %s "$MILLION") / 1048576)) MiB"
sqlite3 "$MILLION" 'SELECT national_id FROM people ORDER BY random() LIMIT 2000' >"$RUN/nids-million.txt"
# a database kept from an older schema is upgraded before the server starts: the upgrade's
# foreign_key_check over a million cases is not what the memory figure is about (it set
# VmHWM to 97.9 MiB the first time)
"$BIN" migrate --db "$MILLION" >/dev/null || die "tamin migrate failed on the million-case database"
start_tamin "$MILLION" tamin-million
TOKEN=$(login "$TAMIN_PORT")
export TOKEN
# The login's Argon2id check (its memory cost at once) sets a high-water mark before any
# load: note it.
HWM0_KB=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$TAMIN_PID/status")
export NID_FILE=$RUN/nids-million.txt
# a longer warm-up: after a reboot the 2 GB database is not in the page cache yet
PATH_PREFIX='/api/v1/cases?national_id=' wrk_run list-warm -t2 -c4 -d"$((WARMUP + 2))s" \
	-s bench/lua/list_by_nid.lua "http://127.0.0.1:$TAMIN_PORT"
PATH_PREFIX='/api/v1/cases?national_id=' wrk_run list -t2 -c4 -d"${DURATION}s" \
	-s bench/lua/list_by_nid.lua "http://127.0.0.1:$TAMIN_PORT"
RSS_KB=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$TAMIN_PID/status")
HWM_KB=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$TAMIN_PID/status")
stop_tamin
PATH_PREFIX='/case.json?id=' wrk_run nginx4 -t2 -c4 -d"${DURATION}s" \
	-s bench/lua/get_random.lua "http://127.0.0.1:$NGINX_PORT"
check_clean list
check_clean nginx4
note_other list nginx4
P50=$(ms list p50_us)
NGX_P50=$(ms nginx4 p50_us)
row "list by national_id p50 ms" "$P50" "$NGX_P50" "$(calc "%.1f" "$P50 / $NGX_P50")" "<1" \
	"$(verdict "$P50 < 1")"
RSS=$(calc "%.1f" "$RSS_KB / 1024")
HWM=$(calc "%.1f" "$HWM_KB / 1024")
row "server VmRSS MiB after load" "$RSS" "100" "$(calc "%.2f" "$RSS / 100")" "<100" \
	"$(verdict "$RSS < 100")"
row "server VmHWM MiB after load" "$HWM" "100" "$(calc "%.2f" "$HWM / 100")" "<100" \
	"$(verdict "$HWM < 100")"
echo "   tamin: $(rps list) req/s, p50 $P50 ms, p99 $(ms list p99_us) ms," \
	"$(calc "%.0f" "$(val list bytes) / $(val list requests)") bytes/response incl. headers," \
	"max $(ms list max_us) ms, other processes $(other list)% CPU; each list also syncs an" \
	"audit entry per person listed (the audit spool)"
echo "   tamin memory: VmHWM was already $(calc "%.1f" "$HWM0_KB / 1024") MiB after start-up and one" \
	"login, before the load (a login's Argon2id check allocates the hash's whole memory cost)"
echo "   nginx: $(rps nginx4) req/s, p50 $NGX_P50 ms, p99 $(ms nginx4 p99_us) ms (same static file)," \
	"other processes $(other nginx4)% CPU"

# ---- 5. the web app: first-page JavaScript and the agent's caller lookup in chromium ----

echo "5. web app: first-page JavaScript (gzip) and the caller lookup in the browser (bench/web.mjs) ..."
if [ -f "$ROOT/build/web/index.html" ]; then
	node_rows web.mjs web
else
	echo "   build/web is missing: run make web"
fi

# ---- 6. the monthly list: import of 1,000,000 worker rows vs sqlite3's CSV .import ----

list_import_bench

# ---- 7. the yearly increase for 3,000,000 pensioners ----

pension_batch_bench

# ---- 8. one person's 30-year history on a record of national size ----

history_bench

# ---- 9. a national month, 42 million rows, in one batch ----

month_bench

# ---- 10. the live stream's fan-out: 2,000 open streams ----

stream_bench

# ---- 11. a 10 MiB attachment ----

attach_bench

# ---- 12. queue_log lines imported ----

calls_bench

# ---- 14. the pulse at national scale ----

pulse_bench

# ---- 15. one-time-code starts ----

otp_bench

# ---- 16. papers anyone can verify: the pay slip ----

documents_bench

# ---- 17. an e-service request ----

services_bench

# ---- 18 to 20. PostgreSQL beside SQLite: case read and creation, the list import, the national month ----

pg_bench

# ---- the table ----

echo
printf '%-30s %12s %12s %8s %10s  %s\n' name value anchor ratio target result
printf '%s\n' "${ROWS[@]}"
echo "$DURABLE"
echo
echo "anchors: nginx static file of $FILE_SIZE bytes (req/s and p99 at -c64, p50 at -c4); memory: the target;" \
	"list import: sqlite3 .import --csv of the same rows into an unindexed table;" \
	"pg rows: case read and creation beside SQLite's in step 18, the list import beside psql \\copy"
echo "ratios: value / anchor (for req/s higher is better, for latency and memory lower is better)"
echo "latencies: wrk's percentiles, which wrk corrects for coordinated omission (see bench/README.md)"
echo "CPU taken by other processes during each measured run: $OTHER_LIST"
if [ "$OTHER_MAX" -gt 10 ]; then
	echo "WARNING: other work took up to $OTHER_MAX% of the machine's CPU during a measurement;" \
		"those figures are low (run again on a quiet machine)"
fi
echo "machine: $NPROC cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)," \
	"$(($(sed -n 's/^MemTotal:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/meminfo) / 1048576)) GiB," \
	"$(uname -sr); load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "files: ${RUN#"$ROOT"/}/ (wrk outputs *.wrk, server logs, nginx.conf)"
[ "$TRUST" = 1 ] || die "some measurements had failed requests or lost writes (see above)"
