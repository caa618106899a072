#!/bin/sh
# bench/month_results.sh -- build and install cqs_eval, then run the month
# results benchmark (bench/month_results.sql: the sample city at ~300,000
# people and ~4.5 million task lines in one month; cqs.rebuild() from scratch
# against the bare GROUP BY person floor, its statements through auto_explain,
# and the writer's work after one task line changes, sync and async) in a
# throwaway PostgreSQL 15 cluster.  Not run in CI; takes about 10 minutes on
# 2 cores (5 of them generating the city).  All timings are wall-clock times:
# the load average is printed before and after the run.
# auto_explain's plans arrive as WARNINGs on stderr; to keep everything:
#   bench/month_results.sh > month.log 2>&1
# Extra arguments are passed to psql, e.g.
#   bench/month_results.sh -v scale=100 -v rounds=5
set -eu
here=$(cd "$(dirname "$0")" && pwd)

make -C "$here/.." install

echo "cqs_eval at $(git -C "$here/.." describe --always --dirty 2>/dev/null || echo '?')"
echo "load average before: $(cat /proc/loadavg)"

# The script reads demo/city.sql and demo/catalogue.csv relative to the repository root.
cd "$here/.."

# shared_buffers holds task_line (~1.2 GB with its indexes) and the results;
# work_mem keeps the hash aggregates in memory; max_wal_size avoids forced
# checkpoints during the load; autovacuum is off and checkpoint_timeout long so
# that neither competes with the timed rounds (the script runs VACUUM ANALYZE and
# CHECKPOINT itself between the parts).
# -t: a temporary cluster directory even as root, so that concurrent
# pg_virtualenv runs (make test, bench/run.sh) do not collide.
status=0
pg_virtualenv -t -v 15 \
    -o shared_buffers=2GB \
    -o work_mem=256MB \
    -o max_wal_size=8GB \
    -o autovacuum=off \
    -o checkpoint_timeout=1h \
    psql -X -v ON_ERROR_STOP=1 -f bench/month_results.sql "$@" || status=$?

echo "load average after: $(cat /proc/loadavg)"
exit $status
