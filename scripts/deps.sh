#!/bin/sh
# Installs what tamin needs to build, test and benchmark, from Debian's packages and
# (for the web app and browser tests) from the npm registry with the committed lockfile.
# make fuzz builds with clang-14 and links libFuzzer from libclang-rt-14-dev; llvm-14 has
# the symbolizer that puts file and line into a sanitizer's report.
# PostgreSQL 15 (the server's binaries in /usr/lib/postgresql/15/bin, psql) and libpq: the
# PostgreSQL store and the tests that start a throw-away cluster of it.
# Idempotent: installs only what is missing.
set -eu
PKGS="build-essential pkg-config libevent-dev libjansson-dev libsqlite3-dev sqlite3 libsodium-dev libzstd-dev libssl-dev libxlsxwriter-dev libcurl4-openssl-dev
libpango1.0-dev libcairo2-dev libqrencode-dev fonts-noto-core poppler-utils
libcmocka-dev libshp-dev valgrind cppcheck clang-tidy nginx-light wrk chromium
clang-14 libclang-rt-14-dev llvm-14
postgresql-15 libpq-dev"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# Node.js may come from another Debian-compatible source; only install it when absent.
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
	echo "deps: installing$missing"
	SUDO=""
	[ "$(id -u)" = 0 ] || SUDO="sudo"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
