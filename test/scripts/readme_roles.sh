#!/usr/bin/env bash
# TAP: the DBA guide's role setup (docs/dba.md) runs exactly as written, on the sample city.
#
# Extracts the SQL blocks between <!-- roles-setup --> / <!-- /roles-setup -->,
# <!-- roles-use --> / <!-- /roles-use --> and <!-- audit-query --> / <!-- /audit-query -->
# from docs/dba.md, runs them with ON_ERROR_STOP in a fresh database holding the sample city
# (demo/city.sql), then checks, as each login, what it saw: the portal acting for one civil
# servant reads that person's months only, the civil servant's own login likewise, the
# analyst every result without a personnel id, the jobs role drains the queue and grades the
# year, the personnel section reads the audit trail of its agency's people.
#
# Usage: test/scripts/readme_roles.sh   (PGHOST/PGPORT/PGUSER of a superuser, as make test sets)
set -euo pipefail

cd "$(dirname "$0")/../.."
db=cqs_readme_$$
roles="hue_nv_snv_1 hue_tccb_snv hue_portal hue_analyst hue_jobs"
work=$(mktemp -d "${TMPDIR:-/tmp}/cqs_readme.XXXXXX")

cleanup() {
  set +e
  dropdb --if-exists --force "$db" >/dev/null 2>&1
  for r in $roles; do psql -X -q -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1; done
  rm -rf "$work"
}
trap cleanup EXIT

n=0
failed=0
ok()    { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
comment() { cut -c1-300 | sed 's/^/#   /'; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
is() { if [ "$2" = "$3" ]; then ok "$1"; else notok "$1"; echo "#   got: $2"; echo "#   expected: $3"; fi; }

# The SQL between two markers of docs/dba.md (the fences dropped).
block() { awk -v b="<!-- $1 -->" -v e="<!-- /$1 -->" '$0 == b {on = 1; next} $0 == e {on = 0} on' docs/dba.md | grep -v '^```'; }

for m in roles-setup roles-use audit-query; do
  block "$m" >"$work/$m.sql"
  if [ -s "$work/$m.sql" ]; then ok "docs/dba.md holds the block $m"; else notok "docs/dba.md holds the block $m"; fi
done

for r in $roles; do
  if [ -n "$(psql -X -At -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$r'")" ]; then
    echo "Bail out! role $r already exists in this cluster"; exit 1
  fi
done

createdb -T template0 "$db"
if q >"$work/city.out" 2>&1 <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION cqs_eval CASCADE;
\set catalogue_csv `cat demo/catalogue.csv`
\i demo/city.sql
SELECT demo.generate_city(scale => 1, year => 2026, catalogue_csv => :'catalogue_csv');
SQL
then ok "the sample city is loaded"; else notok "the sample city is loaded"; comment <"$work/city.out"; exit 1; fi

if psql -X -v ON_ERROR_STOP=1 -d "$db" -f "$work/roles-setup.sql" >"$work/setup.out" 2>&1; then
  ok "the DBA guide's role setup runs as written"
else
  notok "the DBA guide's role setup runs as written"; comment <"$work/setup.out"
fi
# Something left for the jobs' refresh: one task line changed while refreshing asynchronously.
q -c "SET cqs.refresh_mode = async" \
  -c "UPDATE cqs.task_line SET completed_qty = completed_qty WHERE task_line_id = (SELECT min(task_line_id) FROM cqs.task_line)"
is "a change waits in the refresh queue" "$(q -c "SELECT count(*) > 0 FROM cqs.refresh_queue")" "t"

if psql -X -v ON_ERROR_STOP=1 -d "$db" -f "$work/roles-use.sql" >"$work/use.out" 2>&1; then
  ok "the DBA guide's logins run their examples as written"
else
  notok "the DBA guide's logins run their examples as written"; comment <"$work/use.out"
fi
sed 's/^/#   /' "$work/use.out" | head -n 60

pid=$(q -c "SELECT person_id FROM cqs.person WHERE personnel_id = 'HUE-SNV-NV1-staff-tổ-1'")
is "the portal acting for a civil servant reads their 12 months and nobody else's" \
   "$(q -c "SET ROLE hue_portal" -c "BEGIN" -c "SELECT cqs.act_as('HUE-SNV-NV1-staff-tổ-1')" \
        -c "SELECT count(*) || ' ' || count(DISTINCT person_id) || ' ' || min(person_id) FROM cqs.month_results WHERE year = 2026" -c "COMMIT" | tail -n 1)" \
   "12 1 $pid"
is "the portal acting for nobody reads nothing" \
   "$(q -c "SET ROLE hue_portal" -c "SELECT count(*) FROM cqs.month_results")" "0"
is "the civil servant's own login reads the same rows" \
   "$(q -c "SET ROLE hue_nv_snv_1" -c "SELECT count(*) || ' ' || min(person_id) FROM cqs.month_results WHERE year = 2026")" "12 $pid"
is "the civil servant cannot confirm" \
   "$(q -c "SET ROLE hue_nv_snv_1" -c "DO \$\$ BEGIN PERFORM cqs.confirm($pid, '2026-03-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}'); RAISE NOTICE 'allowed'; EXCEPTION WHEN insufficient_privilege THEN RAISE NOTICE '42501'; END \$\$" 2>&1 | sed 's/.*NOTICE: *//')" "42501"
is "the analyst reads every result of the city, no personnel id" \
   "$(q -c "SET ROLE hue_analyst" -c "SELECT (count(*) = (SELECT count(*) FROM cqs.period_result WHERE period_kind = 'month')) || ' ' || count(personnel_id) FROM cqs.month_results")" \
   "true 0"
is "the analyst reads no person" "$(q -c "SET ROLE hue_analyst" -c "SELECT count(*) FROM cqs.person")" "0"
is "the jobs role drained the queue" "$(q -c "SELECT count(*) FROM cqs.refresh_queue")" "0"
is "the jobs role graded the year" "$(q -c "SELECT count(*) > 400 FROM cqs.year_result WHERE year = 2026")" "t"
is "the jobs role reads no personal data" \
   "$(q -c "SET ROLE hue_jobs" -c "DO \$\$ BEGIN PERFORM count(*) FROM cqs.person; RAISE NOTICE 'read'; EXCEPTION WHEN insufficient_privilege THEN RAISE NOTICE '42501'; END \$\$" 2>&1 | sed 's/.*NOTICE: *//')" "42501"
is "the personnel section reads Sở Nội vụ and nothing else" \
   "$(q -c "SET ROLE hue_tccb_snv" -c "SELECT count(*) FILTER (WHERE o.code NOT LIKE 'SNV%') || ' ' || (count(*) > 0) FROM cqs.month_results r JOIN cqs.organisation o USING (organisation_id)")" "0 true"
if psql -X -v ON_ERROR_STOP=1 -d "$db" -c "SET ROLE hue_tccb_snv" -f "$work/audit-query.sql" >"$work/audit.out" 2>&1 \
   && grep -q 'task_line' "$work/audit.out"; then
  ok "the DBA guide's audit query runs as the personnel section and shows the person's March"
else
  notok "the DBA guide's audit query runs as the personnel section and shows the person's March"; comment <"$work/audit.out"
fi

echo "1..$n"
[ "$failed" = 0 ]
