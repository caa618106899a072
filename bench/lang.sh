#!/bin/sh
# bench/lang.sh -- build and install cqs_eval, then run bench/lang.sql (what reading
# notes in Vietnamese costs: cqs.localize on 300,000 stored texts against the plain
# read, in the same run) in a throwaway PostgreSQL 15 cluster.  Not run in CI.
# Extra arguments are passed to psql, e.g.  bench/lang.sh -v rounds=9
set -eu
here=$(cd "$(dirname "$0")" && pwd)
make -C "$here/.." install
cd "$here/.."
echo "cores: $(nproc); load average before: $(cat /proc/loadavg)"
trap 'echo "load average after: $(cat /proc/loadavg)"' EXIT
# -t: a temporary cluster directory, so that concurrent pg_virtualenv runs do not collide.
pg_virtualenv -t -v 15 -o shared_buffers=256MB -o autovacuum=off \
    psql -X -q -v ON_ERROR_STOP=1 "$@" -f bench/lang.sql
