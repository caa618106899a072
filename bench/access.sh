#!/bin/bash
# bench/access.sh -- what access control costs: row-level security, cqs.act_as and the
# audit trail, each against a baseline measured in the same run (the superuser, who
# bypasses row-level security; the audit triggers disabled).  Builds and installs
# cqs_eval, then runs in a throwaway PostgreSQL 15 cluster.  Not run in CI.  See
# bench/ACCESS.md for what it measures and the figures.
#
#   bench/access.sh                          # 30,160 people (scale 111): about 35 minutes
#   SCALE=1111 GEN_ROUNDS=0 bench/access.sh  # 300,160 people, without the generation rounds
#
# The city and its year come from bench/one_writer.sql (part=setup: demo.generate_city with
# one month of task lines, rebuilt; part=pages: the keyset starts) and
# bench/fabricate_year.sql (months 2-12); access.sql adds the logins, mandates, the plans
# and the bulk rounds.  Every pgbench run is one line of results.tsv (p50/p95 by nearest
# rank from pgbench's per-transaction log, as one_writer.sh does), summarised by
# access.sql part=summary.
#
# Environment: SCALE (default 111), MIN_LINES/MAX_LINES (12/18), ROUNDS (rounds per
# measurement, default 3), T1 (seconds of a one-client round, default 5), T50 (seconds of
# a 50-client round, default 15), T_EDIT (seconds of an edit round, default 10), T_AN (an
# analyst round, default 10), GEN_ROUNDS (rounds of the city generated with the audit on
# and off, default 2; 0 skips them), BULK_LINES (default 100000), PORT (default 5484),
# KEEP (directory for the logs, default a new one under /tmp), ONLY (a space-separated list
# of sections among explain pages own analyst edits bulk gen proto grow; default all),
# PROTO_ROUNDS (rounds of the prototype and grown-city pages, default 2), GROW (people
# added by section grow, default 270000).  Sections proto and grow change this database's
# policies and people: they run last.
# `SKIP_SETUP=1 bench/access.sh --inside` with PGHOST/PGPORT/PGUSER pointing at a cluster
# whose database $DB already holds the city, its year and the access setup runs only the
# measurements.  Without SKIP_SETUP, --inside makes the template database cqs_access_tmpl
# (CREATE EXTENSION cqs_eval CASCADE -- run it right after make install) and $DB from it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)

if [ "${1:-}" != "--inside" ]; then
    make -C "$here/.." install
    echo "cqs_eval at $(git -C "$here/.." describe --always --dirty 2>/dev/null || echo '?')"
    echo "cores: $(nproc); load average before: $(cat /proc/loadavg)"
    # The settings of bench/one_writer.sh, with pg_stat_statements tracking top-level
    # statements only.
    status=0
    pg_virtualenv -t -v 15 -c "-p ${PORT:-5484}" \
        -o shared_buffers=2GB \
        -o work_mem=256MB \
        -o max_wal_size=8GB \
        -o checkpoint_timeout=1h \
        -o max_connections=120 \
        -o shared_preload_libraries=pg_stat_statements \
        "$0" --inside || status=$?
    echo "load average after: $(cat /proc/loadavg)"
    exit $status
fi

# ---------------------------------------------------------------------------
# Inside the cluster (PGHOST, PGPORT, PGUSER: a superuser).
# ---------------------------------------------------------------------------
cd "$here/.."      # the SQL reads demo/city.sql and demo/catalogue.csv
SCALE=${SCALE:-111}; ROUNDS=${ROUNDS:-3}; T1=${T1:-5}; T50=${T50:-15}; T_EDIT=${T_EDIT:-10}; T_AN=${T_AN:-10}
GEN_ROUNDS=${GEN_ROUNDS:-2}; BULK_LINES=${BULK_LINES:-100000}
ONLY=${ONLY:-explain pages own analyst edits bulk gen proto grow}
DB=${DB:-cqs_access}; TMPL=cqs_access_tmpl
SU=${PGUSER:-$(whoami)}
work=${KEEP:-$(mktemp -d /tmp/access.XXXXXX)}
mkdir -p "$work"
echo "== logs and pgbench scripts in $work"
results=$work/results.tsv
gens=$work/gen.tsv
: > "$results"; : > "$gens"
export PGDATABASE=$DB

sql() {    # sql PART [psql args...]
    local part=$1; shift
    psql -X -v ON_ERROR_STOP=1 -v part="$part" -v scale="$SCALE" -v rounds="$ROUNDS" \
         -v min_lines="${MIN_LINES:-12}" -v max_lines="${MAX_LINES:-18}" -v bulk_lines="$BULK_LINES" \
         -v password="${PGPASSWORD:-}" "$@"
}
load() { cut -d' ' -f1 /proc/loadavg; }
want() { case " $ONLY " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
t_start=$(date +%s)
elapsed() { echo "== $(( $(date +%s) - t_start )) s so far; load average $(cat /proc/loadavg)"; }
# The installed extension must stay the one the databases were created from.
installed() { md5sum "$(pg_config --pkglibdir)/cqs_eval.so" | cut -c1-12; }
so_at_start=$(installed)

# pgb LABEL IDENT BASE ROUND USER pgbench-args...: one pgbench run as login USER (jit =
# off, as for the portal role); IDENT names the identity, BASE the identity it is compared
# with (the same round).  One line per run in results.tsv.
ord=0
pgb() {
    local label=$1 ident=$2 base=$3 round=$4 user=$5; shift 5
    local tag; tag=$(printf '%s_%s' "$label" "$ident" | tr -c 'A-Za-z0-9' '_')_$round
    ord=$((ord + 1))
    rm -f "$work/$tag".log*
    PGOPTIONS="-c jit=off" pgbench -n -U "$user" --log --log-prefix="$work/$tag.log" "$@" \
        > "$work/$tag.out" 2>&1 || true
    local n p50 p95 tps failed aborted
    cat "$work/$tag".log.* 2>/dev/null | awk '$3 ~ /^[0-9]+$/ {print $3}' | sort -n > "$work/$tag.lat"
    n=$(wc -l < "$work/$tag.lat")
    if [ "$n" -gt 0 ]; then
        p50=$(awk -v n="$n" 'NR == int((n * 50 + 99) / 100) {printf "%.3f", $1 / 1000}' "$work/$tag.lat")
        p95=$(awk -v n="$n" 'NR == int((n * 95 + 99) / 100) {printf "%.3f", $1 / 1000}' "$work/$tag.lat")
    else
        p50=NaN; p95=NaN
    fi
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/$tag.out" | head -1); tps=${tps:-0}
    failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$work/$tag.out" | head -1); failed=${failed:-0}
    aborted=$(grep -c 'aborted in command' "$work/$tag.out" || true)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$ord" "$label" "$ident" "$base" "$round" "$n" "$p50" "$p95" \
        "$tps" "$failed" "$aborted" >> "$results"
    printf '%-34s %-13s round %s: n %6s  p50 %8s ms  p95 %8s ms  tps %8s  failed %s  aborted %s  load %s\n' \
        "$label" "$ident" "$round" "$n" "$p50" "$p95" "$tps" "$failed" "$aborted" "$(load)"
    grep -m3 -i 'error\|aborted' "$work/$tag.out" || true
}

# each_round ROUND IDENT... : the identities in this round's order (reversed every other
# round, so that none always runs first or last).
each_round() {
    local r=$1; shift
    if [ $((r % 2)) -eq 1 ]; then echo "$@"; else echo "$@" | tr ' ' '\n' | tac | tr '\n' ' '; fi
}

# ---------------------------------------------------------------------------
# 0. The template (the extension, once), the city, its year, the logins and mandates.
# ---------------------------------------------------------------------------
if [ -z "${SKIP_SETUP:-}" ]; then
    if ! psql -X -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$TMPL'" | grep -q 1; then
        psql -X -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $TMPL"
        psql -X -d "$TMPL" -v ON_ERROR_STOP=1 -q -c "CREATE EXTENSION cqs_eval CASCADE" \
             -c "CREATE EXTENSION pg_stat_statements" -c "SELECT count(*) FROM cqs.setup_roles()" > /dev/null
    fi
    echo "== act_as functions in the template: $(psql -X -d "$TMPL" -Atc "SELECT count(*) FROM pg_proc WHERE proname = 'act_as'")"
    psql -X -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $DB TEMPLATE $TMPL"
    sql setup -f bench/one_writer.sql > "$work/setup.txt" 2>&1
    grep -E 'city generated|^ +[0-9]+ \| +[0-9]+ \| +[0-9]+ ' "$work/setup.txt" || true
    sql year -f bench/access.sql > "$work/year.txt" 2>&1
    grep -E '^Time|^ *[0-9]+ \| *[0-9]+ *$' "$work/year.txt" || true
    sql pages -f bench/one_writer.sql > "$work/pages_superuser.txt" 2>&1
    sql setup -f bench/access.sql 2>&1 | tee "$work/access_setup.txt" | tail -3
    psql -X -qAt -c "VACUUM ANALYZE" -c "CHECKPOINT" > /dev/null
    elapsed
fi
NORGS=$(psql -X -Atc "SELECT count(*) FROM bench.portal_orgs")
NPICK=$(psql -X -Atc "SELECT count(*) FROM bench.pick_officer")
echo "== $NORGS organisations to page, $NPICK civil servants to read and edit"

# ---------------------------------------------------------------------------
# The plans, each query as the superuser and through row-level security.
# ---------------------------------------------------------------------------
if want explain; then
    sql explain -f bench/access.sql > "$work/explain.txt" 2>&1
    grep -E '^==|^ *(Planning|Execution) Time|^ *Trigger ' "$work/explain.txt" || true
    sql scopes -f bench/access.sql 2>&1 | tee "$work/scopes.txt"
fi

# ---------------------------------------------------------------------------
# The pgbench scripts.
# ---------------------------------------------------------------------------
# 1. Portal pages: one organisation (bench.portal_orgs), one period, the 200 rows after a
# random person of it (bench.page_keys, as one_writer.sh's later pages), in a transaction;
# with act_as: the portal acts for the personnel-section officer of the organisation's
# using agency (a 'personnel' mandate over the agency) before reading.
page_script() {   # page_script VIEW CONDITION ORDER
    for act in plain actas; do
        {
            echo '\set n random(1, :n_orgs)'
            echo '\set r random(0, 999999)'
            echo 'BEGIN;'
            echo 'SELECT o.organisation_id AS org, o.officer, k.person_id AS after FROM bench.portal_orgs o JOIN bench.page_keys k ON k.organisation_id = o.organisation_id AND k.k = 1 + (:r * greatest(o.results - 200, 1)) / 1000000 WHERE o.n = :n \gset'
            [ $act = actas ] && echo 'SELECT cqs.act_as(:officer) AS acting \gset'
            echo "SELECT * FROM cqs.$1 WHERE organisation_id = :org AND $2 AND person_id > :after ORDER BY $3 LIMIT 200;"
            echo 'END;'
        } > "$work/page_$1_$act.pgb"
    done
}
page_script month_results "period = '2026-01-01'" person_id
page_script year_results "year = 2026" person_id
page_script form01 "period = '2026-01-01'" "person_id, position"
# 1c. One civil servant's own 12 months (a random one of bench.pick_officer).
for act in plain actas; do
    {
        echo '\set n random(1, :npick)'
        echo 'BEGIN;'
        echo 'SELECT person_id AS me FROM bench.pick_officer WHERE n = :n \gset'
        [ $act = actas ] && echo 'SELECT cqs.act_as(:me) AS acting \gset'
        echo "SELECT * FROM cqs.month_results WHERE person_id = :me AND period >= '2026-01-01' AND period < '2027-01-01' ORDER BY period;"
        echo 'END;'
    } > "$work/own_$act.pgb"
done
# 2. Analysts: the grade distribution of the year, and January's results by organisation.
echo 'SELECT * FROM cqs.grade_distribution WHERE year = 2026;' > "$work/analyst_distribution.pgb"
echo "SELECT organisation_id, grade, count(*), round(avg(total), 2) FROM cqs.month_results WHERE period = '2026-01-01' GROUP BY organisation_id, grade;" \
    > "$work/analyst_month_by_org.pgb"
# 3. Edits: one_writer.sh's sync UPDATE of a random civil servant's first line; with
# act_as, the same in a transaction acting for the officer of the line's agency.
cat > "$work/update.pgb" <<'EOF'
\set n random(1, :npick)
UPDATE cqs.task_line SET completed_qty = round(assigned_qty * random()::numeric, 2)
 WHERE task_line_id = (SELECT task_line_id FROM bench.pick_officer WHERE n = :n);
EOF
cat > "$work/update_actas.pgb" <<'EOF'
\set n random(1, :npick)
BEGIN;
SELECT task_line_id AS line, officer FROM bench.pick_officer WHERE n = :n \gset
SELECT cqs.act_as(:officer) AS acting \gset
UPDATE cqs.task_line SET completed_qty = round(assigned_qty * random()::numeric, 2) WHERE task_line_id = :line;
END;
EOF

# run_ident IDENT -> the login and script suffix of an identity
login_of() { case $1 in super|super_actas|super_noaudit) echo "$SU" ;; portal*) echo bench_portal ;;
                         analyst) echo bench_analyst ;; clerk) echo bench_clerk ;; esac; }

# ---------------------------------------------------------------------------
# 1. Portal pages: superuser (RLS bypassed: the baseline), superuser calling act_as (what
# act_as itself costs), the portal acting for the officer (row-level security).
# ---------------------------------------------------------------------------
if want pages; then
    echo "== 1. portal pages: 1 client (-T $T1), then 50 clients (-c 50 -j 2 -T $T50); $ROUNDS rounds"
    for v in month_results year_results form01; do
        for r in $(seq 1 "$ROUNDS"); do
            for id in $(each_round "$r" super super_actas portal); do
                s=plain; [ "$id" = super ] || s=actas
                pgb "page $v, 1 client" "$id" super "$r" "$(login_of "$id")" -c 1 -T "$T1" -D n_orgs="$NORGS" \
                    -f "$work/page_${v}_$s.pgb"
            done
        done
        for r in $(seq 1 "$ROUNDS"); do
            for id in $(each_round "$r" super super_actas portal); do
                s=plain; [ "$id" = super ] || s=actas
                pgb "page $v, 50 clients" "$id" super "$r" "$(login_of "$id")" -c 50 -j 2 -T "$T50" -D n_orgs="$NORGS" \
                    -f "$work/page_${v}_$s.pgb"
            done
        done
    done
    elapsed
fi
if want own; then
    echo "== 1c. a civil servant's own 12 months: 1 client (-T $T1), then 50 clients (-T $T50); $ROUNDS rounds"
    for c in 1 50; do
        for r in $(seq 1 "$ROUNDS"); do
            for id in $(each_round "$r" super portal_self); do
                s=plain; [ "$id" = super ] || s=actas
                if [ $c = 1 ]; then args=(-c 1 -T "$T1"); else args=(-c 50 -j 2 -T "$T50"); fi
                pgb "own 12 months, $c client(s)" "$id" super "$r" "$(login_of "$id")" "${args[@]}" -D npick="$NPICK" \
                    -f "$work/own_$s.pgb"
            done
        done
    done
    elapsed
fi

# ---------------------------------------------------------------------------
# 2. Analysts: superuser against the analyst login (non-identified mandate on the city).
# ---------------------------------------------------------------------------
if want analyst; then
    echo "== 2. analysts, 1 client (-T $T_AN); $ROUNDS rounds"
    for q in distribution month_by_org; do
        for r in $(seq 1 "$ROUNDS"); do
            for id in $(each_round "$r" super analyst); do
                pgb "analyst $q" "$id" super "$r" "$(login_of "$id")" -c 1 -T "$T_AN" -f "$work/analyst_$q.pgb"
            done
        done
    done
    elapsed
fi

# ---------------------------------------------------------------------------
# 3. Edits, sync, one client: the superuser with task_line's audit triggers disabled (the
# baseline), enabled; the clerk (personnel login mandate: row-level security); the
# superuser and the portal acting for the line's officer (the same transaction shape).
# ---------------------------------------------------------------------------
if want edits; then
    echo "== 3. sync edits, 1 client (-T $T_EDIT); $ROUNDS rounds"
    psql -X -qAt -c "VACUUM ANALYZE cqs.task_line" -c "VACUUM ANALYZE cqs.period_result" -c "CHECKPOINT" > /dev/null
    for r in $(seq 1 "$ROUNDS"); do
        for id in $(each_round "$r" super_noaudit super clerk super_actas portal); do
            s=update.pgb; case $id in super_actas|portal) s=update_actas.pgb ;; esac
            if [ "$id" = super_noaudit ]; then sql audit -v audit=off -v tables=task_line -f bench/access.sql > /dev/null; fi
            pgb "sync UPDATE of one line" "$id" super_noaudit "$r" "$(login_of "$id")" -c 1 -T "$T_EDIT" -D npick="$NPICK" \
                -f "$work/$s"
            if [ "$id" = super_noaudit ]; then sql audit -v audit=on -v tables=task_line -f bench/access.sql > /dev/null; fi
        done
    done
    psql -X -c "SELECT table_name, operation, count(*), pg_size_pretty(sum(pg_column_size(a.*))) AS size,
                       round(avg(pg_column_size(a.*))) AS bytes_per_row
                  FROM cqs.audit_log a WHERE a.operation = 'UPDATE' AND a.table_name = 'task_line' GROUP BY 1, 2"
    elapsed
fi

# ---------------------------------------------------------------------------
# 4. Bulk: INSERT ... SELECT of BULK_LINES task lines, audit on and off; the city
# generated with every audit trigger on and off (fresh databases from the template).
# ---------------------------------------------------------------------------
if want bulk; then
    echo "== 4. INSERT ... SELECT of $BULK_LINES task lines (refresh mode off), audit on and off; $ROUNDS rounds"
    sql bulk -f bench/access.sql 2>&1 | grep -E 'WARNING|ERROR' || true
    elapsed
fi
if want gen && [ "$GEN_ROUNDS" -gt 0 ]; then
    echo "== 4b. the city generated (scale $SCALE, one month): every audit trigger on and off; $GEN_ROUNDS rounds"
    for r in $(seq 1 "$GEN_ROUNDS"); do
        for a in $(each_round "$r" on off); do
            psql -X -d postgres -v ON_ERROR_STOP=1 -q -c "DROP DATABASE IF EXISTS cqs_access_gen" \
                 -c "CREATE DATABASE cqs_access_gen TEMPLATE $TMPL"
            sql gen -d cqs_access_gen -v audit="$a" -v round="$r" -f bench/access.sql 2>&1 | grep '^GEN' | tee -a "$gens"
        done
    done
    psql -X -d postgres -qc "DROP DATABASE IF EXISTS cqs_access_gen"
    elapsed
fi

# pages_vs LABEL-SUFFIX IDENT VIEW...: each view's page at 1 and 50 clients, the superuser
# against IDENT (the portal acting for the officer), PROTO_ROUNDS rounds.
pages_vs() {
    local suffix=$1 ident=$2; shift 2
    for v in "$@"; do
        for c in 1 50; do
            for r in $(seq 1 "$PROTO_ROUNDS"); do
                for id in $(each_round "$r" super "$ident"); do
                    s=plain; [ "$id" = super ] || s=actas
                    if [ $c = 1 ]; then args=(-c 1 -T "$T1"); else args=(-c 50 -j 2 -T "$T50"); fi
                    pgb "page $v, $c client(s), $suffix" "$id" super "$r" "$(login_of "$id")" "${args[@]}" \
                        -D n_orgs="$NORGS" -f "$work/page_${v}_$s.pgb"
                done
            done
        done
    done
}
PROTO_ROUNDS=${PROTO_ROUNDS:-2}

# ---------------------------------------------------------------------------
# 5. A prototype, in this database only: the policies read each scope as a sub-select
# (unnest((SELECT cqs.f()))), so that the planner does not run it to estimate its rows.
# ---------------------------------------------------------------------------
# How many policies still read a scope as unnest(cqs.f()) (0 since b58dde3, whose policies
# have the prototype's form): sections proto and grow skip the prototype then.
unrewritten() { psql -X -Atc "SELECT count(*) FROM pg_policies WHERE schemaname = 'cqs' AND (qual ~ 'unnest\(cqs\._' OR with_check ~ 'unnest\(cqs\._')"; }
if want proto && [ "$(unrewritten)" -eq 0 ]; then
    echo "== 5. prototype skipped: no policy reads unnest(cqs.f()) (the schema's own form since b58dde3)"
elif want proto; then
    echo "== 5. prototype: policies with unnest((SELECT cqs.f())); pages, $PROTO_ROUNDS rounds"
    sql policies -v policies=save -f bench/access.sql > /dev/null
    sql proto -f bench/access.sql
    sql explain -f bench/access.sql > "$work/explain_proto.txt" 2>&1
    grep -E '^==|^ *(Planning|Execution) Time' "$work/explain_proto.txt" | head -24 || true
    pages_vs "prototype" portal_proto month_results year_results form01
    sql policies -v policies=restore -f bench/access.sql > /dev/null
    elapsed
fi

# ---------------------------------------------------------------------------
# 6. The city grown to 300,160 people (270,000 posted in a new agency): the same pages,
# the policies as created, then the prototype.
# ---------------------------------------------------------------------------
if want grow; then
    echo "== 6. $((${GROW:-270000})) more people in a new agency; month_results pages, $PROTO_ROUNDS rounds"
    sql policies -v policies=save -f bench/access.sql > /dev/null
    sql grow -v grow="${GROW:-270000}" -f bench/access.sql
    sql explain -f bench/access.sql > "$work/explain_grow.txt" 2>&1
    grep -E '^==|^ *(Planning|Execution) Time' "$work/explain_grow.txt" | head -24 || true
    sql scopes -f bench/access.sql > "$work/scopes_grow.txt" 2>&1
    pages_vs "300k people" portal month_results
    if [ "$(unrewritten)" -gt 0 ]; then
        sql proto -f bench/access.sql
        sql explain -f bench/access.sql > "$work/explain_grow_proto.txt" 2>&1
        pages_vs "300k people, prototype" portal_proto month_results
    else
        echo "== (no policy reads unnest(cqs.f()): the prototype is the schema's own form since b58dde3)"
    fi
    sql policies -v policies=restore -f bench/access.sql > /dev/null
    elapsed
fi

# ---------------------------------------------------------------------------
# Summary.
# ---------------------------------------------------------------------------
psql -X -q -v ON_ERROR_STOP=1 -c "DROP TABLE IF EXISTS bench.pgb" \
     -c "CREATE TABLE bench.pgb (ord integer, label text, ident text, base text, round integer, n bigint, p50 float8, p95 float8, tps float8, failed bigint, aborted bigint)" \
     -c "\\copy bench.pgb FROM '$results'"
psql -X -q -v ON_ERROR_STOP=1 -c "DROP TABLE IF EXISTS bench.gen" \
     -c "CREATE TABLE bench.gen (tag text, round integer, audit text, ms float8, task_lines bigint, audit_rows bigint, audit_bytes bigint, task_line_bytes bigint)" \
     -c "\\copy bench.gen FROM '$gens'"
sql summary -f bench/access.sql
so_at_end=$(installed)
echo "== cqs_eval.so at start $so_at_start, at end $so_at_end$([ "$so_at_start" = "$so_at_end" ] || echo ' (CHANGED: another make install ran)')"
echo "== whole run: $(( $(date +%s) - t_start )) s; load average at end: $(cat /proc/loadavg)"
