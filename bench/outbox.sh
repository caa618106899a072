#!/bin/sh
# bench/outbox.sh: the outbox benchmark (bench/outbox.sql) in a fresh database of the
# server in $PGHOST/$PGPORT.  Figures: bench/OUTBOX.md.  Never run in CI.
set -eu
db=cqs_bench_outbox_$$
createdb "$db"
trap 'dropdb --if-exists "$db"' EXIT
psql -X -d "$db" -f "$(dirname "$0")/outbox.sql"
