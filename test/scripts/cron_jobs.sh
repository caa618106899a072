#!/bin/bash
# The jobs under a real pg_cron (issue 10): pg_cron preloaded in the cluster
# (shared_preload_libraries = pg_cron, cron.database_name = the database it lives in;
# make test starts its throwaway cluster so).  pg_cron lives in one database: the jobs
# are scheduled there, as a jobs login; a city database elsewhere is refused with the
# statements to run instead.
#   - in another database: cqs.schedule_jobs() refuses (55000) with the hint;
#   - in pg_cron's database before CREATE EXTENSION pg_cron: refused, with the hint;
#   - two jobs scheduled every minute, idempotently (twice: the same two jobs);
#   - pg_cron runs them: refresh_queue logged ok; close_months, whose jobs login has no
#     personnel mandate, logged failed with the hint -- and failed in pg_cron's own log;
#   - cqs.unschedule_jobs() removes them.
# The cqs_eval extension is installed in pg_cron's database for the test and dropped at
# the end (the script refuses to run if it is installed there already); pg_cron's
# extension is dropped again if the script created it.  Prints TAP.
set -euo pipefail

tag=cqs_cron_$$
other=${tag}_city
role=${tag}_jobs
q() { local db=$1; shift; PGOPTIONS='-c client_min_messages=warning' psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }

n=0; failed=0
ok()    { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
is()    { if [ "$2" = "$3" ]; then ok "$1"; else notok "$1"; echo "#   got:      $2"; echo "#   expected: $3"; fi; }
like()  { case "$2" in *$3*) ok "$1" ;; *) notok "$1"; echo "#   got: $2"; echo "#   expected to contain: $3" ;; esac; }

cron_db=$(psql -X -At -d postgres -c "SELECT current_setting('cron.database_name', true)")
if [ -z "$cron_db" ]; then
  echo "Bail out! pg_cron is not preloaded (shared_preload_libraries = pg_cron, cron.database_name)"; exit 1
fi
if [ "$(q "$cron_db" -c "SELECT count(*) FROM pg_extension WHERE extname = 'cqs_eval'")" != 0 ]; then
  echo "Bail out! cqs_eval is installed in $cron_db already: this test installs and drops it there"; exit 1
fi
made_cron=0
cleanup() {
  set +e
  q "$cron_db" -c "SELECT cron.unschedule(jobid) FROM cron.job WHERE username = '$role'" >/dev/null 2>&1
  q "$cron_db" -c "SET cqs.allow_drop = on" -c "DROP EXTENSION IF EXISTS cqs_eval CASCADE" >/dev/null 2>&1
  [ "$made_cron" = 1 ] && q "$cron_db" -c "DROP EXTENSION IF EXISTS pg_cron" >/dev/null 2>&1
  q "$cron_db" -c "DROP OWNED BY $role" >/dev/null 2>&1
  dropdb --if-exists --force "$other" >/dev/null 2>&1
  q "$cron_db" -c "DROP ROLE IF EXISTS $role" >/dev/null 2>&1
}
trap cleanup EXIT
echo "1..11"

# A city database that is not pg_cron's.
createdb "$other"
q "$other" -c "CREATE EXTENSION cqs_eval CASCADE" >/dev/null
out=$(q "$other" -c "SELECT * FROM cqs.schedule_jobs()" 2>&1 || true)
like "another database: refused, naming pg_cron's database" "$out" "pg_cron runs its jobs from database \"$cron_db\", not \"$other\""
like "and the hint gives the statements to run there" "$out" "cron.schedule_in_database"
stmt=$(q "$other" -c "SELECT statement FROM cqs.job_definitions() WHERE job = 'close_months'")
is "cqs.job_definitions() writes them, converted to GMT" "$stmt" \
   "SELECT cron.schedule_in_database('cqs-close-months', '30 16 * * *', 'CALL cqs.run_job(''close_months'')', '$other', 'postgres');"

# pg_cron's database.
q "$cron_db" -c "CREATE EXTENSION cqs_eval CASCADE" >/dev/null
if [ "$(q "$cron_db" -c "SELECT count(*) FROM pg_extension WHERE extname = 'pg_cron'")" = 0 ]; then
  out=$(q "$cron_db" -c "SELECT * FROM cqs.schedule_jobs()" 2>&1 || true)
  like "pg_cron's database without its extension: refused, with the hint" "$out" "CREATE EXTENSION pg_cron"
  q "$cron_db" -c "CREATE EXTENSION pg_cron" >/dev/null
  made_cron=1
else
  ok "pg_cron's extension exists already (the refusal without it is not tried) # SKIP"
fi

q "$cron_db" >/dev/null <<SQL
SELECT count(*) FROM cqs.setup_roles();
CREATE ROLE $role LOGIN;
GRANT cqs_jobs TO $role;
INSERT INTO cqs.organisation (code, name, kind, agency_code) VALUES ('CR-CITY', 'UBND', 'managing_agency', '000.00.00.H56');
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT 'CR-D', 'Sở', 'using_agency', organisation_id FROM cqs.organisation WHERE code = 'CR-CITY';
INSERT INTO cqs.person (personnel_id, full_name) VALUES ('CR-1', 'Người 1');
INSERT INTO cqs.posting (person_id, organisation_id, role, start_date)
SELECT p.person_id, o.organisation_id, 'staff', date_trunc('month', current_date - 60)::date
  FROM cqs.person p, cqs.organisation o WHERE o.code = 'CR-D';
SQL
out=$(q "$cron_db" -c "SET ROLE $role" -c "SELECT * FROM cqs.schedule_jobs()" 2>&1 || true)
like "a role without USAGE on schema cron: refused (42501 hint)" "$out" "GRANT USAGE ON SCHEMA cron TO $role"
q "$cron_db" -c "GRANT USAGE ON SCHEMA cron TO $role" >/dev/null

sched='{"refresh_queue": "* * * * *", "close_months": "* * * * *", "grade_year": null, "deliver_outbox": null, "overdue": null, "purge_logs": null}'
first=$(q "$cron_db" -c "SET ROLE $role" -c "SELECT string_agg(job_name || '=' || jobid || ' ' || cron_schedule, ', ' ORDER BY job_name) FROM cqs.schedule_jobs(schedules => '$sched')")
again=$(q "$cron_db" -c "SET ROLE $role" -c "SELECT string_agg(job_name || '=' || jobid || ' ' || cron_schedule, ', ' ORDER BY job_name) FROM cqs.schedule_jobs(schedules => '$sched')")
is "two jobs scheduled; scheduling again changes nothing (same names, same job ids)" "$again" "$first"
is "pg_cron holds exactly those two, as the jobs login" \
   "$(q "$cron_db" -c "SELECT string_agg(jobname || ' ' || username, ', ' ORDER BY jobname) FROM cron.job WHERE jobname LIKE 'cqs-%'")" \
   "cqs-close-months $role, cqs-refresh-queue $role"

# Wait for pg_cron (a minute's schedule: up to two minutes).
for _ in $(seq 1 150); do
  done_jobs=$(q "$cron_db" -c "SELECT count(DISTINCT job) FROM cqs.job_run WHERE status <> 'running'")
  [ "$done_jobs" = 2 ] && break
  sleep 1
done
if [ "$done_jobs" != 2 ]; then
  echo "# pg_cron's own log:"; q "$cron_db" -c "SELECT jobid, status, return_message FROM cron.job_run_details" | sed 's/^/#   /'
fi
is "refresh_queue run by pg_cron, logged ok as the jobs login" \
   "$(q "$cron_db" -c "SELECT status || ' ' || login FROM cqs.job_run WHERE job = 'refresh_queue' ORDER BY run_id LIMIT 1")" "ok $role"
is "close_months without a personnel mandate: logged failed, with the hint" \
   "$(q "$cron_db" -c "SELECT status || ' ' || (hint LIKE '%personnel mandate%') FROM cqs.job_run WHERE job = 'close_months' ORDER BY run_id LIMIT 1")" "failed true"
like "and pg_cron's own log says failed too, with the job's message" \
   "$(q "$cron_db" -c "SELECT string_agg(d.status || ': ' || d.return_message, ' | ') FROM cron.job_run_details d JOIN cron.job j USING (jobid) WHERE j.jobname = 'cqs-close-months'")" \
   "job close_months (run"
is "cqs.unschedule_jobs() removes both" \
   "$(q "$cron_db" -c "SET ROLE $role" -c "SELECT cqs.unschedule_jobs()")/$(q "$cron_db" -c "SELECT count(*) FROM cron.job WHERE jobname LIKE 'cqs-%'")" "2/0"

[ "$failed" = 0 ] || { echo "# $failed of $n failed"; exit 1; }
