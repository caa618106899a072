#!/bin/sh
# bench/year.sh -- build and install cqs_eval, then run the year benchmark
# (bench/year.sql: the sample city at ~300,000 people; cqs.grade_year(2026)
# against computing one month's results with cqs.rebuild(), and where
# grade_year's time goes) in a throwaway PostgreSQL 15 cluster.
# Not run in CI.  Extra arguments are passed to psql, e.g.
#   bench/year.sh -v scale=100 -v rounds=5 -v explain=0
#   bench/year.sh -v fabricate_quick=1   # fabricated assessments without their triggers
# At scale 1111 the checked insert of the 3.2 million fabricated assessments alone takes
# some 15 minutes; with fabricate_quick=1 the whole run takes about 45 minutes (see YEAR.md).
set -eu
here=$(cd "$(dirname "$0")" && pwd)

make -C "$here/.." install

# The script reads demo/city.sql and demo/catalogue.csv relative to the repository root.
cd "$here/.."

# Timings are wall clock: note what else the machine was doing.
echo "cores: $(nproc); load average before: $(cat /proc/loadavg)"
trap 'echo "load average after: $(cat /proc/loadavg)"' EXIT

# shared_buffers holds the tables (period_result ~1 GB with 12 months); work_mem
# keeps sorts and hashes in memory; max_wal_size avoids forced checkpoints during
# the load; autovacuum is off so that it does not compete for the 2 cores during
# the timed rounds (the script runs VACUUM ANALYZE itself).
# -t: a temporary cluster directory even as root, so that concurrent
# pg_virtualenv runs (make test, other benchmarks) do not collide.
pg_virtualenv -t -v 15 \
    -o shared_buffers=2GB \
    -o work_mem=256MB \
    -o max_wal_size=8GB \
    -o autovacuum=off \
    psql -X -v ON_ERROR_STOP=1 -f bench/year.sql "$@"
