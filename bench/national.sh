#!/bin/sh
# bench/national.sh -- build and install cqs_eval, then run the national-scale benchmark
# (bench/national.sql: 300,160 people x 12 months on one server; closing January with
# cqs.lock_period per agency and grading the year with cqs.grade_year(2026), the
# organisation-wide pieces timed on their own, and how the time splits over N workers)
# in a throwaway PostgreSQL 15 cluster.  Not run in CI.  Extra arguments go to psql:
#   bench/national.sh                    # scale 1111: 300,160 people (about an hour)
#   bench/national.sh -v scale=111       # 30,160 people (a few minutes)
set -eu
here=$(cd "$(dirname "$0")" && pwd)

make -C "$here/.." install

# The script reads demo/city.sql and demo/catalogue.csv relative to the repository root.
cd "$here/.."

echo "cores: $(nproc); load average before: $(cat /proc/loadavg)"
trap 'echo "load average after: $(cat /proc/loadavg)"' EXIT

# As bench/year.sh: the tables stay in shared buffers, sorts and hashes in memory, no
# forced checkpoints during the load, autovacuum off (the script vacuums itself).
pg_virtualenv -t -v 15 \
    -o shared_buffers=2GB \
    -o work_mem=256MB \
    -o max_wal_size=8GB \
    -o autovacuum=off \
    psql -X -v ON_ERROR_STOP=1 -f bench/national.sql "$@"
