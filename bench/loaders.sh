#!/bin/sh
# bench/loaders.sh: the CSV loaders benchmark (bench/loaders.sql) in a fresh database of
# the server in $PGHOST/$PGPORT (a superuser: the COPY baselines read server files).
# The PL/pgSQL parser the C reader replaced is read from git history (8387a92) into
# pg_temp, to time it against the same files.  Figures: bench/LOADERS.md.  Never in CI.
set -eu
here=$(dirname "$0")
db=cqs_bench_loaders_$$
old=$(mktemp)
trap 'dropdb --if-exists "$db"; rm -f "$old"' EXIT
git -C "$here/.." show 8387a92:schema/70_import.sql |
  sed -n '/^CREATE FUNCTION cqs.parse_csv/,/^END \$\$;/p' |
  sed 's/^CREATE FUNCTION cqs.parse_csv/CREATE FUNCTION pg_temp.old_parse_csv/' > "$old"
createdb "$db"
uptime
psql -X -d "$db" -v old_parser="$old" -v catalogue_csv_file="$here/../demo/catalogue.csv" -f "$here/loaders.sql"
uptime
