#!/bin/sh
# bench/ingest.sh: the ingest benchmark (bench/ingest.sql) in a fresh database of the
# server in $PGHOST/$PGPORT: 100,000 task lines taken in from JSON and from CSV against a
# plain COPY of the same rows.  Figures: bench/INGEST.md.  Never run in CI.
set -eu
script=$(cd "$(dirname "$0")" && pwd)/ingest.sql
db=cqs_bench_ingest_$$
dir=$(mktemp -d)
createdb "$db"
trap 'dropdb --if-exists "$db"; rm -rf "$dir"' EXIT
cd "$dir"        # the CSV file for COPY is written and read here
psql -X -d "$db" -f "$script"
