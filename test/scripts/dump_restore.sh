#!/usr/bin/env bash
# Dump/restore round trip of a database using cqs_eval (run after `make installcheck`,
# which leaves data in contrib_regression): every user table's rows survive, the
# built-in Form 01 set is not duplicated, and identity sequences continue past the
# restored ids.  Prints TAP; exits non-zero on failure.
set -euo pipefail
src=${1:-contrib_regression}
dst=cqs_restore_check
dump=$(mktemp)
trap 'rm -f "$dump"; dropdb --if-exists "$dst" >/dev/null 2>&1 || true' EXIT

counts() {
  psql -X -At -d "$1" -c "
    SELECT string_agg(format('%s=%s', c.relname,
             (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM cqs.%I', c.relname), false, true, '')))[1]::text),
           ' ' ORDER BY c.relname)
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'cqs' AND c.relkind = 'r'"
}
results() {
  psql -X -At -d "$1" -c "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM cqs.month_results t"
}

echo "1..4"
pg_dump -Fc -d "$src" -f "$dump" 2>/dev/null
dropdb --if-exists "$dst" >/dev/null 2>&1 || true
createdb "$dst"
pg_restore -d "$dst" "$dump"
status=0
if [ "$(counts "$src")" = "$(counts "$dst")" ]; then echo "ok 1 - every cqs table has the same row count"; else
  echo "not ok 1 - row counts differ"; echo "# $(counts "$src")"; echo "# $(counts "$dst")"; status=1; fi
if [ "$(results "$src")" = "$(results "$dst")" ]; then echo "ok 2 - cqs.month_results is identical"; else
  echo "not ok 2 - cqs.month_results differs"; status=1; fi
forms=$(psql -X -At -d "$dst" -c "SELECT count(*) FROM cqs.criteria_set WHERE code = 'form01'")
if [ "$forms" = 1 ]; then echo "ok 3 - the built-in Form 01 set exists once"; else
  echo "not ok 3 - form01 sets: $forms"; status=1; fi
if psql -X -q -v ON_ERROR_STOP=1 -d "$dst" -c "INSERT INTO cqs.person (personnel_id, full_name) VALUES ('RESTORE-CHECK', 'x')" >/dev/null 2>&1; then
  echo "ok 4 - identity sequences continue after the restored ids"; else
  echo "not ok 4 - inserting after restore failed"; status=1; fi
exit $status
