#!/usr/bin/env bash
# TAP: installing into a database that is not UTF8 fails with a clear message (issue 12).
#
# For LATIN1 and WIN1258 (Vietnamese Windows code page) databases made from template0 with
# locale C, CREATE EXTENSION cqs_eval CASCADE must fail with SQLSTATE 55000, a message naming
# the database and its encoding and a hint saying how to create a UTF8 one -- not a bare
# conversion error -- and leave nothing behind (btree_gist not installed either).
#
# Usage: test/scripts/install_checks.sh   (PGHOST/PGPORT/PGUSER of a superuser, as make test sets)
set -euo pipefail

cd "$(dirname "$0")/../.."
n=0
failed=0
dbs=""
cleanup() { set +e; for d in $dbs; do dropdb --if-exists "$d" >/dev/null 2>&1; done; }
trap cleanup EXIT
ok()    { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
is() { if [ "$2" = "$3" ]; then ok "$1"; else notok "$1"; echo "#   got: $2"; echo "#   expected: $3"; fi; }

for enc in LATIN1 WIN1258; do
  db=cqs_enc_${enc,,}_$$
  dbs="$dbs $db"
  createdb -T template0 -E "$enc" --locale=C "$db"
  out=$(psql -X -q -d "$db" -v VERBOSITY=verbose -c "SET client_min_messages = error" \
             -c "CREATE EXTENSION cqs_eval CASCADE" 2>&1 || true)
  is "$enc: CREATE EXTENSION refused with 55000 naming the database and its encoding" \
     "$(echo "$out" | grep '^ERROR' | head -n 1)" \
     "ERROR:  55000: cqs_eval needs a UTF8 database; database \"$db\" is $enc"
  is "$enc: the hint says how to create a UTF8 database" \
     "$(echo "$out" | grep '^HINT' | head -n 1 | cut -c1-80)" \
     "HINT:  Create the city's database with ENCODING 'UTF8' (CREATE DATABASE hue TEMP"
  is "$enc: nothing was left installed" \
     "$(psql -X -At -d "$db" -c "SELECT count(*) FROM pg_extension WHERE extname IN ('cqs_eval', 'btree_gist')")" "0"
done

echo "1..$n"
[ "$failed" = 0 ]
