#!/usr/bin/env bash
# The instructions of a case read, every thread, user space: `tamin serve` under
# valgrind --tool=callgrind on a copy of the bench's demo database (step 1), a supervisor's
# random case reads with wrk, counted from the login's end to the server's clean stop (the
# spool's last import included). Repeatable where wrk's req/s on a shared machine is not.
#
#   make build/tamin && bench/profile_read.sh [SECONDS]     (default 20 s of reads)
#
# Needs build/bench/run/cases.db from a `BENCH_ONLY=read bench/run.sh` (copied once to
# build/prof/base/). Prints the reads, instructions a read, and the inclusive instructions
# a read of the functions named in FNS (callgrind_split.mjs); the profile is kept in
# build/prof/read.callgrind.
set -euo pipefail
export LC_ALL=C
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SECS=${1:-20}
BASE=build/prof/base
WORK=build/prof/run
CG=build/prof/read.callgrind
FNS=${FNS:-cases_h_get,authenticate,case_load,case_write_full,audit_reply,spool_main,send_reply,evhttp_send_reply,writer_main,on_request,audit_spool_import,sqlite3_step,malloc,free}

if [ ! -f "$BASE/cases.db" ]; then
	[ -f build/bench/run/cases.db ] || {
		echo "profile_read: run BENCH_ONLY=read bench/run.sh first" >&2
		exit 1
	}
	mkdir -p "$BASE"
	cp build/bench/run/cases.db build/bench/run/cases-journal.db build/bench/run/cases-audit-*.spool "$BASE/"
fi
rm -rf "$WORK"
mkdir -p "$WORK"
cp "$BASE"/* "$WORK/"
MAX_ID=$(sqlite3 "$WORK/cases.db" 'SELECT max(id) FROM cases')

valgrind --tool=callgrind --instr-atstart=no ${CG_OPTS:-} --compress-strings=no --compress-pos=no \
	--callgrind-out-file="$CG" build/tamin serve --db "$WORK/cases.db" --listen 127.0.0.1:0 \
	--rate-limit 0 --threads 2 >"$WORK/serve.out" 2>"$WORK/serve.err" &
PID=$!
trap 'kill -TERM $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
	grep -q '^listening on ' "$WORK/serve.out" 2>/dev/null && break
	sleep 0.1
done
PORT=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$WORK/serve.out")
[ -n "$PORT" ] || { cat "$WORK/serve.err" >&2; exit 1; }

exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
body='{"login":"supervisor","password":"demo1234"}'
printf 'POST /api/v1/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
	"${#body}" "$body" >&"$fd"
TOKEN=$(timeout 120 cat <&"$fd" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
exec {fd}>&-
[ -n "$TOKEN" ] || { echo "profile_read: no token" >&2; exit 1; }

callgrind_control -i on "$PID" >/dev/null
export TOKEN MAX_ID BENCH_LUA_DIR=$ROOT/bench/lua PATH_PREFIX=/api/v1/cases/
wrk -t2 -c16 -d"${SECS}s" -s bench/lua/get_random.lua "http://127.0.0.1:$PORT" >"$WORK/wrk.out"
kill -TERM "$PID"
wait "$PID" || true
trap - EXIT
READS=$(sed -n 's/.*BENCH requests=\([0-9]*\).*/\1/p' "$WORK/wrk.out")
ERRS=$(sed -n 's/.*status_err=\([0-9]*\).*/\1/p' "$WORK/wrk.out")
TOTAL=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p;s/^totals: *\([0-9]*\).*/\1/p' "$CG" | sort -n | tail -n1)
echo "reads: $READS (status errors: $ERRS), instructions a read: $((TOTAL / READS))"
node bench/callgrind_split.mjs "$CG" "$FNS" | sed -n 's/^fn //p' |
	awk -F'\t' -v n="$READS" '{ printf "%-28s %8d a read  %6.2f calls a read\n", $1, $2 / n, $4 / n }'
