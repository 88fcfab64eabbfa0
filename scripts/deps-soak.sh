#!/bin/sh
# What `make soak` needs beyond scripts/deps.sh (wrk, sqlite3, Node.js are there): sqlmap,
# from Debian's package. Kept apart so that `make test` does not install it. Idempotent.
set -eu
"$(dirname "$0")/deps.sh"
[ "${SOAK_SQLMAP:-1}" = 0 ] && exit 0
dpkg-query -W -f='${Status}' sqlmap 2>/dev/null | grep -q "install ok installed" && exit 0
echo "deps-soak: installing sqlmap"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends sqlmap >/dev/null
