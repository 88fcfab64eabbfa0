#!/bin/sh
# make lint: cppcheck and clang-tidy over the C sources; any finding fails the build.
set -eu
cd "$(dirname "$0")/.."
[ -f build/gen/migrations.c ] || make -s build/gen/migrations.c
# the fuzz targets too (tests/fuzz/): they are C that runs against every parser
SRCS=$(ls src/*.c src/*/*.c tests/fuzz/*.c)
# PostgreSQL's migrations follow SQLite's: pg/031_baseline.sql stands for 001..031, and each
# later SQLite migration has its counterpart of the same number and name (and no other).
echo "lint: migrations"
for f in src/store/migrations/*.sql; do
	base=$(basename "$f")
	n=$(echo "$base" | sed 's/_.*//' | sed 's/^0*//')
	if [ "$n" -gt 31 ] && [ ! -f "src/store/migrations/pg/$base" ]; then
		echo "lint: $f has no PostgreSQL counterpart src/store/migrations/pg/$base"
		exit 1
	fi
done
for f in src/store/migrations/pg/*.sql; do
	base=$(basename "$f")
	if [ "$base" != 031_baseline.sql ] && [ ! -f "src/store/migrations/$base" ]; then
		echo "lint: $f has no SQLite migration src/store/migrations/$base"
		exit 1
	fi
done
# The layers: a lower folder never includes a higher one. src/http is a framework that
# knows no domain (nginx's core never includes a module); base/ and store/ are below it.
echo "lint: layers"
layer() { # folder (or folder/file without .c/.h), the folders (or headers) its files may include
	dir=$1
	shift
	allowed=$(printf '%s|' "$@")
	case $dir in
	*/*) files=$(ls src/"$dir".[ch]) ;;
	*) files=$(ls src/"$dir"/*.[ch]) ;;
	esac
	# shellcheck disable=SC2086
	bad=$(grep -Hn '#include "' $files | grep -Ev "#include \"(${allowed%|})" || true)
	if [ -n "$bad" ]; then
		echo "lint: src/$dir includes a header of a layer above it:"
		echo "$bad"
		exit 1
	fi
}
layer base base/
layer store store/ base/
layer http http/ base/ store/
layer listfile listfile/ base/
layer rules rules/ base/
# the pulse's detector is pure (the rest of src/pulse reads the database)
layer pulse/detect pulse/detect.h base/
echo "lint: cppcheck"
# every core: lint was a fifth of make test's time when it ran on one
JOBS=$(nproc)
cppcheck --quiet --error-exitcode=1 -j "$JOBS" --std=c11 --enable=warning,performance,portability \
	--inline-suppr --suppress=missingIncludeSystem -D_GNU_SOURCE -Isrc -Ibuild/gen $SRCS
echo "lint: clang-tidy"
# the libraries' headers (documents/pdf.c: cairo, pango, libqrencode), as system headers
LIB_CFLAGS=$(pkg-config --cflags pangocairo libqrencode fontconfig libpq | sed 's/-I/-isystem /g')
# (a few files an invocation, as many at once as there are cores; any finding fails xargs)
CHECKS='-*,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,-bugprone-narrowing-conversions,-bugprone-assignment-in-if-condition,-bugprone-implicit-widening-of-multiplication-result,-bugprone-macro-parentheses,-bugprone-suspicious-string-compare,clang-analyzer-*,-clang-analyzer-valist.Uninitialized,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling,performance-*'
export CHECKS LIB_CFLAGS
# shellcheck disable=SC2016,SC2086
printf '%s\n' $SRCS | xargs -P "$JOBS" -n 6 sh -c \
	'clang-tidy --quiet --warnings-as-errors="*" --checks="$CHECKS" "$@" -- -std=c11 -D_GNU_SOURCE -Isrc -Ibuild/gen $LIB_CFLAGS 2>/dev/null' sh
echo "lint: clean"
