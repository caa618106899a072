#!/bin/sh
# bench/run.sh -- build and install cqs_eval, then run the task_ratios
# benchmark (bench/task_ratios.sql) in a throwaway PostgreSQL 15 cluster.
# Not run in CI.  Extra arguments are passed to psql, e.g.
#   bench/run.sh -v rounds=9 -v parallel_rounds=5
set -eu
here=$(cd "$(dirname "$0")" && pwd)

make -C "$here/.." install

# Timings are wall clock: note what else the machine was doing.
echo "cores: $(nproc); load average before: $(cat /proc/loadavg)"
trap 'echo "load average after: $(cat /proc/loadavg)"' EXIT

# shared_buffers holds the ~200 MB table; work_mem keeps the HashAggs in memory
# (the script SETs it too); parallel workers are available for the parallel run.
# -t: a temporary cluster directory even as root, so that concurrent
# pg_virtualenv runs (make test) do not collide on the "regress" cluster.
pg_virtualenv -t -v 15 \
    -o shared_buffers=1GB \
    -o work_mem=1GB \
    -o max_worker_processes=8 \
    -o max_parallel_workers=4 \
    psql -X -v ON_ERROR_STOP=1 -f "$here/task_ratios.sql" "$@"
