#!/usr/bin/env bash
# Releases and upgrades (CHANGELOG.md, "Releases and upgrades" in docs/dba.md).
#
#   1. A released version's install script is frozen in release/: while the control
#      file's default_version is a released version, the script built from schema/
#      must be byte-identical to the frozen one.  A schema change after a release
#      therefore fails here until default_version moves on and an upgrade script
#      cqs_eval--OLD--NEW.sql exists.
#   2. Every released version is installed (with the sample city's records in it),
#      walked to the newest by ALTER EXTENSION cqs_eval UPDATE, and its catalog
#      (test/scripts/catalog_snapshot.sql: functions and their bodies and labels,
#      tables, columns, constraints, indexes, triggers, views, policies, types, event
#      triggers, grants, comments, dump configuration) must equal a fresh install's
#      of the newest; the records must survive and the results rebuild the same.
#
# Runs against the server in PGHOST/PGPORT (make test runs it inside pg_virtualenv)
# with the extension installed.  Prints TAP; exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

tag=cqs_up_$$
work=$(mktemp -d "${TMPDIR:-/tmp}/cqs_upgrade.XXXXXX")
dbs=()
cleanup() {
  set +e
  local d
  for d in ${dbs[@]+"${dbs[@]}"}; do dropdb --if-exists --force "$d" >/dev/null 2>&1; done
  rm -rf "$work"
}
trap cleanup EXIT

n=0; failed=0
ok()    { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
q() { local db=$1; shift; psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }

current=$(sed -nE "s/^default_version *= *'([^']+)'.*/\1/p" cqs_eval.control)
built=cqs_eval--$current.sql
released=$(ls release/cqs_eval--*.sql 2>/dev/null | sed -E 's/.*cqs_eval--([^-]+)\.sql/\1/' | sort -V)
if [ -z "$released" ]; then
  notok "release/ holds at least one released version"
  echo "1..$n"; exit 1
fi
oldest=$(echo "$released" | head -1)

# 1. A released version is frozen.
if [ -f "release/cqs_eval--$current.sql" ]; then
  if cmp -s "$built" "release/cqs_eval--$current.sql"; then
    ok "default_version $current is released and the install script built from schema/ is its frozen script"
  else
    notok "the schema changed after release $current: set default_version to the next version and add cqs_eval--$current--NEXT.sql (CHANGELOG.md)"
    diff "release/cqs_eval--$current.sql" "$built" | head -20 | sed 's/^/#   /'
  fi
else
  ok "default_version $current is unreleased (the newest release is $(echo "$released" | tail -1))"
fi

# 2. Every released version walks to the newest.
fresh=${tag}_fresh; dbs+=("$fresh")
createdb "$fresh"
q "$fresh" -c 'CREATE EXTENSION cqs_eval CASCADE'
q "$fresh" -f test/scripts/catalog_snapshot.sql > "$work/fresh.txt"
for v in $released; do
  db=${tag}_from_${v//./_}; dbs+=("$db")
  createdb "$db"
  q "$db" -c "CREATE EXTENSION cqs_eval VERSION '$v' CASCADE"
  # Records in it: a small city (the demo's generator, scale 1, two months).
  q "$db" -v csv="$(cat demo/catalogue.csv)" >/dev/null <<'SQL'
SET client_min_messages = warning;
\i demo/city.sql
SELECT demo.generate_city(scale => 1, year => 2026, months => 2, catalogue_csv => :'csv');
SQL
  q "$db" -c "COPY (SELECT person_id, period, organisation_id, total, grade FROM cqs.period_result ORDER BY 1, 2, 3) TO STDOUT" > "$work/before_$v.txt"
  path=$(q "$db" -c "SELECT string_agg(target, ' -> ' ORDER BY path) FROM (SELECT unnest(string_to_array(path, '--')) AS target, path FROM pg_extension_update_paths('cqs_eval') WHERE source = '$v' AND target = '$current') p" || true)
  if q "$db" -c 'ALTER EXTENSION cqs_eval UPDATE' 2> "$work/update_$v.err" \
     && [ "$(q "$db" -c "SELECT extversion FROM pg_extension WHERE extname = 'cqs_eval'")" = "$current" ]; then
    ok "$v updates to $current${path:+ ($path)}"
  else
    notok "$v updates to $current"; sed 's/^/#   /' "$work/update_$v.err"; continue
  fi
  q "$db" -c 'DROP SCHEMA demo CASCADE'
  q "$db" -f test/scripts/catalog_snapshot.sql > "$work/from_$v.txt"
  if diff "$work/fresh.txt" "$work/from_$v.txt" > "$work/diff_$v.txt"; then
    ok "the catalog after updating from $v equals a fresh install of $current ($(wc -l < "$work/fresh.txt") lines compared)"
  else
    notok "the catalog after updating from $v equals a fresh install of $current"
    head -30 "$work/diff_$v.txt" | cut -c1-240 | sed 's/^/#   /'
  fi
  q "$db" -c 'TRUNCATE cqs.period_result' -c 'SELECT cqs.rebuild()' >/dev/null
  q "$db" -c "COPY (SELECT person_id, period, organisation_id, total, grade FROM cqs.period_result ORDER BY 1, 2, 3) TO STDOUT" > "$work/after_$v.txt"
  if [ -s "$work/before_$v.txt" ] && cmp -s "$work/before_$v.txt" "$work/after_$v.txt"; then
    ok "the records made under $v rebuild the same $(wc -l < "$work/before_$v.txt") period results after the update"
  else
    notok "the records made under $v rebuild the same period results after the update"
    diff "$work/before_$v.txt" "$work/after_$v.txt" | head -10 | sed 's/^/#   /'
  fi
done
[ "$oldest" = "$(echo "$released" | head -1)" ]
echo "1..$n"
[ "$failed" = 0 ]
