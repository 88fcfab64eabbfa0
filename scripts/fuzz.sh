#!/bin/sh
# make fuzz (and make fuzz-smoke, in make test): for each target given, replays its
# regression inputs (tests/fuzz/regress/NAME/), then fuzzes it for SECONDS on a copy of
# its corpus (build/fuzz/corpus/NAME, from tests/fuzz/corpus/NAME), one target after
# another. Stops at the first failure with the input saved under build/fuzz/crashes/.
# FUZZ_MERGE=1 adds what a run found that covers new code to the repository's corpus.
# Usage: scripts/fuzz.sh SECONDS build/fuzz/fuzz_NAME...
set -eu
cd "$(dirname "$0")/.."
secs=$1
shift
out=build/fuzz
# UBSan stops at the first report (the build has -fno-sanitize-recover) with its stack.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
for s in /usr/lib/llvm-14/bin/llvm-symbolizer /usr/bin/llvm-symbolizer; do
	if [ -x "$s" ]; then
		export ASAN_SYMBOLIZER_PATH="$s"
		break
	fi
done
mkdir -p "$out/logs"
total=0
targets=0
for bin in "$@"; do
	name=$(basename "$bin")
	name=${name#fuzz_}
	[ -x "$bin" ] || {
		echo "fuzz: no target $name ($bin is not built)"
		exit 2
	}
	log="$out/logs/$name.log"
	regress="tests/fuzz/regress/$name"
	if [ -n "$(ls -A "$regress" 2>/dev/null)" ]; then
		# the files alone: each runs once, no fuzzing
		if ! "$bin" "$regress"/* >"$log" 2>&1; then
			echo "fuzz: $name: a regression input fails again:"
			grep -E '^Running: ' "$log" | tail -1
			tail -40 "$log"
			exit 1
		fi
		echo "fuzz: $name: $(ls "$regress" | wc -l) regression inputs pass"
	fi
	work="$out/corpus/$name"
	crashes="$out/crashes/$name"
	mkdir -p "$work" "$crashes"
	[ -d "tests/fuzz/corpus/$name" ] && cp -n "tests/fuzz/corpus/$name"/* "$work"/ 2>/dev/null || true
	before=$(ls "$work" | wc -l)
	# the target's options: its dictionary, and what its .options file says
	opts=""
	[ -f "tests/fuzz/$name.dict" ] && opts="-dict=tests/fuzz/$name.dict"
	[ -f "tests/fuzz/$name.options" ] && opts="$opts $(cat "tests/fuzz/$name.options")"
	start=$(date +%s)
	# shellcheck disable=SC2086
	if "$bin" -max_total_time="$secs" -timeout=25 -print_final_stats=1 \
		-artifact_prefix="$crashes/" $opts "$work" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
		after=$(ls "$work" | wc -l)
		echo "fuzz: $name: ${runs:-?} executions in $(($(date +%s) - start)) s (${rate:-?}/s)," \
			"corpus $before -> $after, no crash"
		total=$((total + ${runs:-0}))
		targets=$((targets + 1))
		if [ "${FUZZ_MERGE:-0}" = 1 ]; then
			mkdir -p "tests/fuzz/corpus/$name"
			"$bin" -merge=1 $opts "tests/fuzz/corpus/$name" "$work" >>"$log" 2>&1
			echo "fuzz: $name: corpus merged into tests/fuzz/corpus/$name"
		fi
	else
		input=$(ls -t "$crashes"/* 2>/dev/null | head -1)
		echo "fuzz: $name: FAILED after $(($(date +%s) - start)) s; the report:"
		# from a little before the first sign of the failure: what the target said
		first=$(grep -n -m1 -E '==ERROR|== ERROR|runtime error|property broken|ERROR: libFuzzer' \
			"$log" | cut -d: -f1)
		sed -n "$((${first:-1} > 10 ? ${first:-1} - 10 : 1)),\$p" "$log" |
			grep -v -E '^#[0-9]+|^INFO:|^\s*NEW_FUNC' | head -60
		echo "fuzz: the whole log: $log"
		if [ -n "$input" ]; then
			echo "fuzz: the input is saved as $input; run it alone: $bin $input"
			echo "fuzz: to keep it as a regression test, fix the bug, then:"
			echo "  cp $input tests/fuzz/regress/$name/<what-it-does>  # make fuzz and make test replay it"
		fi
		exit 1
	fi
done
echo "fuzz: $targets targets, $total executions, no crash"
