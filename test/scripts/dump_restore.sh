#!/usr/bin/env bash
# Dump/restore round trips of a database using cqs_eval, by every path a DBA uses:
#
#   custom        pg_dump -Fc, then pg_restore (serial)
#   parallel      pg_dump -Fc, then pg_restore -j 2
#   plain         pg_dump | psql -v ON_ERROR_STOP=1
#   plain-nostop  pg_dump | psql (without ON_ERROR_STOP: psql must print no ERROR)
#   appname       PGAPPNAME=anything pg_restore
#
# Each restores into a fresh database, which must then hold every record exactly as
# the source did (every table of schema cqs but the derived cqs.period_result,
# cqs.refresh_queue and cqs.stale_month; the locks cqs.period_lock and
# cqs.locked_result among them), the same ownership and grants on cqs objects,
# sequences where the source left them (and inserts that get new ids), the built-in
# Form 01 set once, and -- after SELECT cqs.rebuild() -- the source's derived results:
# cqs.period_result in every column but computed_at (locked results in every column),
# cqs.month_results but computed_at.  Also: TRUNCATE cqs.period_result, then
# cqs.rebuild(), in a copy of the source gives the same results back.
#
# Usage: test/scripts/dump_restore.sh [database]  (default contrib_regression, which
# `make installcheck` leaves with data).  Run as a superuser, as restores are.  The
# database given is only read: it is copied (createdb -T, so nobody may be connected
# to it), and the copy is made richer and dumped.  Databases and the role made here
# are dropped on exit.  Prints TAP; exits non-zero on failure.
set -euo pipefail

src=${1:-contrib_regression}
tag=cqs_dr_$$                      # every database and the role made here carry it
base=${tag}_src                    # the source actually dumped: a copy of $src
role=${tag}_reader                 # roles are cluster-wide: made here, dropped at exit
work=$(mktemp -d "${TMPDIR:-/tmp}/cqs_dump_restore.XXXXXX")
dbs=()
role_made=0

cleanup() {
  set +e
  local d
  for d in ${dbs[@]+"${dbs[@]}"}; do
    dropdb --if-exists --force "$d" >/dev/null 2>&1
  done
  if [ "$role_made" = 1 ]; then
    psql -X -q -d "$src" -c "DROP ROLE IF EXISTS $role" >/dev/null 2>&1
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Sessions that read or rebuild have pinned settings: text forms (timestamps) must not
# depend on per-database settings, which a dump without --create does not carry.
read_opts='-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=postgres -c extra_float_digits=1'
q() { local db=$1; shift; PGOPTIONS="$read_opts" psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }

n=0
failed=0
ok()    { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
comment() { cut -c1-300 | sed 's/^/#   /'; }
# check DESCRIPTION EXPECTED GOT [LEGEND]: the two files are equal, or the first
# lines that differ are shown.
check() {
  if cmp -s "$2" "$3"; then ok "$1"; return; fi
  notok "$1"
  echo "#   ${4:-< source, > restored}"
  diff "$2" "$3" | grep '^[<>]' | head -n 16 | comment || true
}
newdb() { createdb -T template0 "$1"; dbs+=("$1"); }
# A snapshot that failed says so, naming the database (so that it never equals another
# database's snapshot); a snapshot of the source must not fail.
failed_in() {
  echo "(snapshot failed in database $1)" >>"$2"
  if [ "$1" = "$base" ]; then echo "Bail out! a snapshot of the source failed"; comment <"$2"; exit 1; fi
  return 0
}

# --- Snapshots, one file each ---------------------------------------------------------

# cqs._secret is the install's own signing key for portal tokens: never dumped, new in
# every install, on purpose.
derived="'period_result', 'refresh_queue', 'stale_month', '_secret'"

# Every record table: its name, row count and the md5 of all its rows.  With a third
# argument, cqs.year_result is taken without its stale flag (a rebuild that changes the
# totals under a graded year rightly marks it stale).
snap_records() {
  local nostale=${3:+yes}
  q "$1" >"$2" 2>&1 <<SQL || failed_in "$1" "$2"
SELECT format('SELECT %L || %L || count(*) || %L || md5(coalesce(string_agg(%s, E''\\n'' ORDER BY %s), %L)) FROM cqs.%I t',
              c.relname, ' ', ' ', x.row, x.row, '', c.relname)
  FROM pg_class c
  CROSS JOIN LATERAL (SELECT CASE WHEN c.relname = 'year_result' AND '${nostale:-no}' = 'yes'
                                  THEN '(to_jsonb(t) - ''stale'')::text' ELSE 't::text' END AS row) x
 WHERE c.relnamespace = 'cqs'::regnamespace AND c.relkind IN ('r', 'p') AND c.relname NOT IN ($derived)
 ORDER BY c.relname
\gexec
SQL
}
# One table's rows, sorted (to show what differs).
snap_rows() { q "$1" -c "SELECT t::text FROM cqs.$2 t ORDER BY 1" >"$3" 2>&1 || failed_in "$1" "$3"; }

# Owner and privileges of everything in schema cqs (a NULL ACL as its default, the
# items of an ACL sorted).
snap_grants() {
  q "$1" >"$2" 2>&1 <<'SQL' || failed_in "$1" "$2"
WITH o(kind, name, owner, acl) AS (
  SELECT 'relation', c.oid::regclass::text, c.relowner,
         coalesce(c.relacl, acldefault(CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char", c.relowner))
    FROM pg_class c WHERE c.relnamespace = 'cqs'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  UNION ALL
  SELECT 'column', a.attrelid::regclass::text || '.' || a.attname, c.relowner, a.attacl
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
   WHERE c.relnamespace = 'cqs'::regnamespace AND a.attacl IS NOT NULL AND NOT a.attisdropped
  UNION ALL
  SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END, p.oid::regprocedure::text, p.proowner,
         coalesce(p.proacl, acldefault('f'::"char", p.proowner))
    FROM pg_proc p WHERE p.pronamespace = 'cqs'::regnamespace
  UNION ALL
  SELECT 'type', t.oid::regtype::text, t.typowner, coalesce(t.typacl, acldefault('T'::"char", t.typowner))
    FROM pg_type t WHERE t.typnamespace = 'cqs'::regnamespace
  UNION ALL
  SELECT 'schema', n.nspname, n.nspowner, coalesce(n.nspacl, acldefault('n'::"char", n.nspowner))
    FROM pg_namespace n WHERE n.nspname = 'cqs'
)
SELECT format('%s %s owner=%s %s', kind, name, owner::regrole,
              (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(acl) AS x))
  FROM o ORDER BY 1;
SQL
}

# Row-level security: which tables enforce it, and every policy with its expressions.
snap_policies() {
  q "$1" >"$2" 2>&1 <<'SQL' || failed_in "$1" "$2"
SELECT regexp_replace(format('%s rls=%s force=%s %s %s using=(%s) check=(%s)', c.relname, c.relrowsecurity,
                             c.relforcerowsecurity, coalesce(p.polname, '-'), coalesce(p.polcmd::text, '-'),
                             pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)), '\s+', ' ', 'g')
  FROM pg_class c LEFT JOIN pg_policy p ON p.polrelid = c.oid
 WHERE c.relnamespace = 'cqs'::regnamespace AND c.relkind = 'r' AND (c.relrowsecurity OR p.oid IS NOT NULL)
 ORDER BY 1;
SQL
}

# The sequences of schema cqs and where they stand.
snap_sequences() {
  q "$1" -c "SELECT sequencename || ' ' || coalesce(last_value::text, 'not called')
               FROM pg_sequences WHERE schemaname = 'cqs' ORDER BY 1" >"$2" 2>&1 || failed_in "$1" "$2"
}

# Derived results: every period result but its computed_at (PREFIX.results); the
# locked ones whole (PREFIX.locked); cqs.month_results but computed_at (PREFIX.month).
snap_results() {
  q "$1" -c "SELECT (to_jsonb(r) - 'computed_at')::text FROM cqs.period_result r ORDER BY r.person_id, r.period" \
    >"$2.results" 2>&1 || failed_in "$1" "$2.results"
  q "$1" -c "SELECT r::text FROM cqs.period_result r WHERE r.lock_id IS NOT NULL ORDER BY r.person_id, r.period" \
    >"$2.locked" 2>&1 || failed_in "$1" "$2.locked"
  q "$1" -c "SELECT (to_jsonb(m) - 'computed_at')::text FROM cqs.month_results m ORDER BY m.person_id, m.year, m.month" \
    >"$2.month" 2>&1 || failed_in "$1" "$2.month"
}

# check_records DESCRIPTION EXPECTED-DB EXPECTED-FILE GOT-DB GOT-FILE [LEGEND]: equal
# record snapshots, or the tables that differ and, for the first few, the rows.
check_records() {
  local legend=${6:-< source, > restored} t
  if cmp -s "$3" "$5"; then ok "$1"; return; fi
  notok "$1"
  echo "#   tables that differ ($legend: table, rows, md5):"
  diff "$3" "$5" | grep '^[<>]' | head -n 16 | comment || true
  for t in $(diff "$3" "$5" | sed -n 's/^[<>] \([a-z_]*\) .*/\1/p' | sort -u | head -n 3); do
    snap_rows "$2" "$t" "$work/a.rows"
    snap_rows "$4" "$t" "$work/b.rows"
    echo "#   rows of cqs.$t that differ ($legend):"
    diff "$work/a.rows" "$work/b.rows" | grep '^[<>]' | head -n 8 | comment || true
  done
}

# --- The source: a copy of $src, made richer -------------------------------------------

echo "# source: $base, a copy of $src"
createdb -T "$src" "$base"
dbs+=("$base")

# Richer: the first active lock (sql/datapath.sql leaves one) reopened -- the lock and
# its results stay on record -- and locked again, so that a reopened and an active lock
# are restored; a role granted a view, some columns and an administrative
# function; a function's execute right revoked from PUBLIC (a change to the extension's
# own initial privileges, which pg_dump dumps as a difference).
psql -X -q -d "$src" -c "CREATE ROLE $role NOLOGIN" >/dev/null
role_made=1
if q "$base" >"$work/prepare.out" 2>&1 <<SQL
SELECT count(*) > 0 AS has_lock FROM cqs.period_lock WHERE reopened_at IS NULL \gset
\if :has_lock
SELECT l.organisation_id AS lock_org, l.period AS lock_period
  FROM cqs.period_lock l WHERE l.reopened_at IS NULL ORDER BY l.lock_id LIMIT 1 \gset
SELECT 'reopened: ' || cqs.reopen_period(:lock_org, :'lock_period', 'restore check: reopened to be locked again') || ' people';
SELECT 'locked again: ' || count(*) || ' people' FROM cqs.lock_period(:lock_org, :'lock_period', 'restore check: locked again');
\endif
SELECT 'group roles: ' || count(*) FROM cqs.setup_roles();
GRANT USAGE ON SCHEMA cqs TO $role;
GRANT SELECT ON cqs.month_results TO $role;
GRANT SELECT (person_id, personnel_id, full_name) ON cqs.person TO $role;
GRANT EXECUTE ON FUNCTION cqs.rebuild(date, date) TO $role;
REVOKE EXECUTE ON FUNCTION cqs.classify(numeric, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cqs.classify(numeric, boolean) TO $role;
SQL
then
  ok "source: made richer (a lock reopened and taken again, grants to $role)"
  comment <"$work/prepare.out"
else
  notok "source: made richer (a lock reopened and taken again, grants to $role)"
  comment <"$work/prepare.out"
fi

# The source's results rebuilt, so that they are what its records give.  cqs.rebuild()
# recomputes every month that has records or results (whole quarters), copies the
# active locks' results back from cqs.locked_result and clears stale months and the
# queue.  In contrib_regression it also drops the 2026 totals sql/year.sql wrote
# straight into cqs.period_result: no record is behind them, so no restore could bring
# them back, so the years graded on them turn stale; every record is left as it is.
snap_records "$base" "$work/before-rebuild.records" without-stale
before=$(q "$base" -c "SELECT count(*) FROM cqs.period_result")
if q "$base" -c "SELECT cqs.rebuild()" >"$work/rebuild.out" 2>&1; then
  ok "source: cqs.rebuild() ($before period results before, $(q "$base" -c "SELECT count(*) FROM cqs.period_result") after)"
else
  notok "source: cqs.rebuild()"; comment <"$work/rebuild.out"
fi
snap_records "$base" "$work/rebuilt.records" without-stale
check_records "source: cqs.rebuild() changes no record (a graded year's stale flag aside)" \
  "$base" "$work/before-rebuild.records" "$base" "$work/rebuilt.records" "< before, > after"
snap_records "$base" "$work/source.records"
current=$(q "$base" -c "SELECT (SELECT count(*) FROM cqs.refresh_queue) || ' queued, '
                               || (SELECT count(*) FROM cqs.stale_month) || ' stale months'")
if [ "$current" = "0 queued, 0 stale months" ]; then ok "source: results are current ($current)"; else
  notok "source: results are current ($current)"; fi

snap_grants "$base" "$work/source.grants"
snap_policies "$base" "$work/source.policies"
if [ "$(grep -c ' rls=t ' "$work/source.policies")" -ge 15 ]; then
  ok "source: $(grep -c ' rls=t ' "$work/source.policies") policies on tables with row-level security"
else
  notok "source: row-level security is on, with its policies"; comment <"$work/source.policies"
fi
snap_sequences "$base" "$work/source.sequences"
snap_results "$base" "$work/source"
echo "# source: $(wc -l <"$work/source.records") record tables, $(wc -l <"$work/source.results") period results" \
     "($(wc -l <"$work/source.locked") locked), $(grep -c "$role" "$work/source.grants" || true) objects granted to $role"

if ! pg_dump -Fc -d "$base" -f "$work/dump.custom" 2>"$work/pg_dump.err"; then
  echo "Bail out! pg_dump -Fc failed"; comment <"$work/pg_dump.err"; exit 1
fi
if [ -s "$work/pg_dump.err" ]; then echo "# pg_dump said:"; comment <"$work/pg_dump.err"; fi

# --- Each restore path --------------------------------------------------------------------

restore() {   # PATH DB
  case $1 in
    custom)       pg_restore -d "$2" "$work/dump.custom" ;;
    parallel)     pg_restore -j 2 -d "$2" "$work/dump.custom" ;;
    plain)        pg_dump -d "$base" 2>/dev/null | psql -X -v ON_ERROR_STOP=1 -d "$2" ;;
    plain-nostop) pg_dump -d "$base" 2>/dev/null | psql -X -d "$2" ;;
    appname)      PGAPPNAME=anything pg_restore -d "$2" "$work/dump.custom" ;;
  esac
}

for path in custom parallel plain plain-nostop appname; do
  db=${tag}_${path//-/_}
  echo "# $path: into $db"
  newdb "$db"
  if restore "$path" "$db" >"$work/$path.log" 2>&1 && ! grep -q 'ERROR\|FATAL\|error:' "$work/$path.log"; then
    ok "$path: the restore succeeds and reports no error"
  else
    notok "$path: the restore succeeds and reports no error"
    grep 'ERROR\|FATAL\|error:\|warning:\|DETAIL\|CONTEXT' "$work/$path.log" | head -n 16 | comment || true
  fi

  snap_records "$db" "$work/$path.records"
  check_records "$path: every record table is identical ($(wc -l <"$work/source.records") tables)" \
    "$base" "$work/source.records" "$db" "$work/$path.records"
  grep -E '^(period_lock|locked_result) ' "$work/source.records" >"$work/a.locks" || true
  grep -E '^(period_lock|locked_result) ' "$work/$path.records" >"$work/b.locks" || true
  check "$path: cqs.period_lock and cqs.locked_result are exactly as they were" "$work/a.locks" "$work/b.locks"

  snap_grants "$db" "$work/$path.grants"
  check "$path: ownership and grants of every cqs object are identical" "$work/source.grants" "$work/$path.grants"

  snap_policies "$db" "$work/$path.policies"
  check "$path: row-level security and every policy are identical" "$work/source.policies" "$work/$path.policies"

  snap_sequences "$db" "$work/$path.sequences"
  check "$path: every cqs sequence stands where the source's did" "$work/source.sequences" "$work/$path.sequences"
  if q "$db" >"$work/insert.out" 2>&1 <<'SQL'
BEGIN;
DO $$
DECLARE
  c record;
  v_max bigint;
  v_last bigint;
BEGIN
  -- every identity column: its sequence has handed out the largest id restored
  FOR c IN SELECT a.attrelid::regclass AS tab, a.attname AS col,
                  pg_get_serial_sequence(a.attrelid::regclass::text, a.attname) AS seq
             FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid
            WHERE r.relnamespace = 'cqs'::regnamespace AND r.relkind = 'r' AND a.attidentity <> '' LOOP
    EXECUTE format('SELECT max(%I) FROM %s', c.col, c.tab) INTO v_max;
    v_last := pg_sequence_last_value(c.seq::regclass);
    IF v_max > coalesce(v_last, 0) THEN
      RAISE EXCEPTION '%.%: largest id % but its sequence % stands at %', c.tab, c.col, v_max, c.seq, v_last;
    END IF;
  END LOOP;
END $$;
INSERT INTO cqs.organisation (code, name, kind) VALUES ('RESTORE-CHECK', 'x', 'using_agency');
INSERT INTO cqs.person (personnel_id, full_name) VALUES ('RESTORE-CHECK', 'x');
INSERT INTO cqs.posting (person_id, organisation_id, start_date)
SELECT p.person_id, o.organisation_id, '2099-01-01' FROM cqs.person p, cqs.organisation o
 WHERE p.personnel_id = 'RESTORE-CHECK' AND o.code = 'RESTORE-CHECK';
ROLLBACK;
SQL
  then ok "$path: identity sequences continue past the restored ids (inserts succeed)"; else
    notok "$path: identity sequences continue past the restored ids (inserts succeed)"; comment <"$work/insert.out"; fi

  forms=$(q "$db" -c "SELECT count(*) || ' set, ' || (SELECT count(*) FROM cqs.criteria_item i
                                                        JOIN cqs.criteria_set s USING (criteria_set_id)
                                                       WHERE s.code = 'form01') || ' items'
                        FROM cqs.criteria_set WHERE code = 'form01' AND builtin" 2>&1 || true)
  if [ "$forms" = "1 set, 10 items" ]; then ok "$path: the built-in Form 01 set exists once ($forms)"; else
    notok "$path: the built-in Form 01 set exists once: $forms"; fi

  unmarked=$(q "$db" -c "SELECT coalesce(string_agg(x.m::text, ', ' ORDER BY x.m), '')
                           FROM (SELECT period AS m FROM cqs.task_line UNION SELECT period FROM cqs.assessment) x
                          WHERE NOT EXISTS (SELECT 1 FROM cqs.stale_month s WHERE s.month = x.m)" 2>&1 || true)
  if [ -z "$unmarked" ]; then ok "$path: the restored months are marked stale until cqs.rebuild()"; else
    notok "$path: months with records not marked stale: $unmarked"; fi

  if q "$db" -c "SELECT cqs.rebuild()" >"$work/rebuild.out" 2>&1; then ok "$path: cqs.rebuild() succeeds"; else
    notok "$path: cqs.rebuild() succeeds"; comment <"$work/rebuild.out"; fi
  snap_results "$db" "$work/$path"
  check "$path: cqs.period_result after cqs.rebuild() is the source's (every column but computed_at)" \
    "$work/source.results" "$work/$path.results"
  check "$path: its locked results are the source's in every column" "$work/source.locked" "$work/$path.locked"
  check "$path: cqs.month_results is the source's (but computed_at)" "$work/source.month" "$work/$path.month"
  snap_records "$db" "$work/$path.rebuilt.records"
  check_records "$path: cqs.rebuild() changes no record" \
    "$db" "$work/$path.records" "$db" "$work/$path.rebuilt.records" "< before, > after"

  dropdb --force "$db"     # one restored database at a time; the trap drops any left
done

# --- Derived results from scratch, in a copy of the source ------------------------------

copy=${tag}_truncate
createdb -T "$base" "$copy"
dbs+=("$copy")
if q "$copy" -c "TRUNCATE cqs.period_result" -c "SELECT cqs.rebuild()" >"$work/truncate.out" 2>&1; then
  ok "truncate: TRUNCATE cqs.period_result, then SELECT cqs.rebuild(), succeed in a copy of the source"; else
  notok "truncate: TRUNCATE cqs.period_result, then SELECT cqs.rebuild(), succeed in a copy of the source"
  comment <"$work/truncate.out"; fi
snap_results "$copy" "$work/truncate"
check "truncate: cqs.period_result comes back the same (every column but computed_at)" \
  "$work/source.results" "$work/truncate.results" "< source, > rebuilt"
check "truncate: the locked results come back in every column" "$work/source.locked" "$work/truncate.locked" "< source, > rebuilt"
check "truncate: cqs.month_results comes back the same (but computed_at)" "$work/source.month" "$work/truncate.month" "< source, > rebuilt"
snap_records "$copy" "$work/truncate.records"
check_records "truncate: no record changes" "$base" "$work/source.records" "$copy" "$work/truncate.records" "< source, > rebuilt"

echo "1..$n"
if [ "$failed" -gt 0 ]; then echo "# failed $failed of $n"; exit 1; fi
