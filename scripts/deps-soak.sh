#!/bin/sh
# What `make soak` needs beyond scripts/deps.sh (wrk, sqlite3, Node.js, PostgreSQL 15 are
# there): sqlmap for part (d), and for part (f) failover Debian's patroni, etcd-server and
# etcd-client (etcdctl, for an operator's look at the cluster). Kept apart so that `make
# test` does not install them. Installing them starts no service (the soak starts its own
# etcd and Patroni on loopback). Idempotent.
set -eu
"$(dirname "$0")/deps.sh"
want="patroni etcd-server etcd-client"
[ "${SOAK_SQLMAP:-1}" = 0 ] || want="$want sqlmap"
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps-soak: installing$missing"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086 # the list is words
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
