#!/bin/sh
# make test's runner of many independent test programs: scripts/each.sh NAME COMMAND FILE...
# runs COMMAND once for each FILE (COMMAND is a shell command that reads the file as "$1"),
# as many at once as the machine has cores (JOBS= to choose), each one's output in
# build/logs/NAME/<the file's name>.log. It prints "NAME: FILE ok (S s)" or "FAILED" as each
# ends, then every failing file's whole output, and fails if any did.
#   scripts/each.sh unit 'TAMIN_DATA=data "$1"' build/tests/test_a build/tests/test_b
# The programs must share nothing: each test file starts its own server on a free port (or
# its own PostgreSQL cluster) and makes its databases in its own temporary folder.
set -eu
cd "$(dirname "$0")/.."
name=$1
cmd=$2
shift 2
dir=build/logs/$name
rm -rf "$dir"
mkdir -p "$dir"
EACH_CMD=$cmd EACH_DIR=$dir EACH_NAME=$name
export EACH_CMD EACH_DIR EACH_NAME
# shellcheck disable=SC2016
printf '%s\n' "$@" | xargs -P "${JOBS:-$(nproc)}" -I{} sh -c '
	f=$1
	log=$EACH_DIR/$(basename "$f").log
	t0=$(date +%s)
	if sh -c "$EACH_CMD" each "$f" >"$log" 2>&1; then
		echo "$EACH_NAME: $f ok ($(($(date +%s) - t0)) s)"
	else
		echo "$EACH_NAME: $f FAILED ($(($(date +%s) - t0)) s)"
		echo "$f" >>"$EACH_DIR/failed"
	fi' each {}
[ -s "$dir/failed" ] || exit 0
while read -r f; do
	echo "==== $name: $f failed; its output:"
	cat "$dir/$(basename "$f").log"
done <"$dir/failed"
echo "$name: $(wc -l <"$dir/failed") of $# failed: $(tr '\n' ' ' <"$dir/failed")"
exit 1
