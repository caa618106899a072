#!/bin/bash
# bench/one_writer.sh -- build and install cqs_eval, then benchmark the one writer of
# period results (cqs._write_results through the record triggers, cqs.rebuild, the
# refresh modes) and the portal views on the sample city, in a throwaway PostgreSQL 15
# cluster.  Not run in CI.  See bench/ONE_WRITER.md for what it measures and the figures.
#
#   bench/one_writer.sh                      # 300,160 people: about 25 minutes on 2 cores
#   SCALE=111 T=5 ROUNDS=2 bench/one_writer.sh   # 30,160 people: a few minutes
#   ONLY=pages bench/one_writer.sh           # the city, its year, then only the portal pages
#                                            # (section 5): about 20 minutes
#
# Environment: SCALE (default 1111), MIN_LINES/MAX_LINES (task lines per civil servant
# and month, default 12/18), ROUNDS (rounds per measurement, default 3), T (seconds per
# single-client pgbench round, default 15; async rounds T_ASYNC, default 5, so that the
# queue to drain stays small), T_CONC (the 16 writers, default 60), T_VIEW
# (seconds per 50-client view round, default 15), VIEW_MAX_MS (a view whose single-client
# mean is above this is not run at 50 clients, default 2000), PORT (the cluster's port,
# default 5481; another developer uses 5440), KEEP (directory for the logs, default a
# new one under /tmp), ONLY (pages: skip sections 1-4), T_PAGE (seconds per 50-client
# page round, default 15).  `ONLY=pages SKIP_SETUP=1 bench/one_writer.sh --inside`, with
# PGHOST/PGPORT/... pointing at a cluster that already holds the city and its year
# (part=setup, part=year), runs only the pages.  All timings are wall-clock: the load average is printed with
# every round.
set -eu
here=$(cd "$(dirname "$0")" && pwd)

if [ "${1:-}" != "--inside" ]; then
    make -C "$here/.." install
    echo "cqs_eval at $(git -C "$here/.." describe --always --dirty 2>/dev/null || echo '?')"
    echo "cores: $(nproc); load average before: $(cat /proc/loadavg)"
    # shared_buffers holds task_line and a year of results; pg_stat_statements (track =
    # all) sees the statements inside the triggers and the writer; max_connections for
    # the 50 readers; autovacuum stays on (the edits churn period_result).
    status=0
    pg_virtualenv -t -v 15 -c "-p ${PORT:-5481}" \
        -o shared_buffers=2GB \
        -o work_mem=256MB \
        -o max_wal_size=8GB \
        -o checkpoint_timeout=1h \
        -o max_connections=120 \
        -o shared_preload_libraries=pg_stat_statements \
        -o pg_stat_statements.track=all \
        "$0" --inside || status=$?
    echo "load average after: $(cat /proc/loadavg)"
    exit $status
fi

# ---------------------------------------------------------------------------
# Inside the throwaway cluster (PGHOST, PGPORT, ... set by pg_virtualenv).
# ---------------------------------------------------------------------------
cd "$here/.."      # the SQL reads demo/city.sql and demo/catalogue.csv
SCALE=${SCALE:-1111}; ROUNDS=${ROUNDS:-3}; T=${T:-15}; T_CONC=${T_CONC:-60}; T_VIEW=${T_VIEW:-15}
T_ASYNC=${T_ASYNC:-5}; T_PAGE=${T_PAGE:-15}; ONLY=${ONLY:-}
VIEW_MAX_MS=${VIEW_MAX_MS:-2000}
work=${KEEP:-$(mktemp -d /tmp/one_writer.XXXXXX)}
mkdir -p "$work"
echo "== logs and pgbench scripts in $work"
results=$work/results.tsv
: > "$results"

sql() {    # sql PART [psql args...]
    local part=$1; shift
    psql -X -v ON_ERROR_STOP=1 -v part="$part" -v scale="$SCALE" -v rounds="$ROUNDS" \
         -v min_lines="${MIN_LINES:-12}" -v max_lines="${MAX_LINES:-18}" -f bench/one_writer.sql "$@"
}
load() { cut -d' ' -f1 /proc/loadavg; }

# pgb LABEL ROUND MODE pgbench-args...: one pgbench run, refresh mode MODE; its per-
# transaction log gives p50 and p95 (nearest rank), its report tps, failed transactions
# and aborted clients.  One line per run in results.tsv.
pgb() {
    local label=$1 round=$2 mode=$3; shift 3
    local tag; tag=$(printf '%s' "$label" | tr -c 'A-Za-z0-9' '_')_$round
    rm -f "$work/$tag".log*
    PGOPTIONS="-c cqs.refresh_mode=$mode ${PGB_OPTIONS:-}" pgbench -n --log --log-prefix="$work/$tag.log" "$@" \
        > "$work/$tag.out" 2>&1 || true
    local n p50 p95 tps failed aborted
    cat "$work/$tag".log.* 2>/dev/null | awk '$3 ~ /^[0-9]+$/ {print $3}' | sort -n > "$work/$tag.lat"
    n=$(wc -l < "$work/$tag.lat")
    if [ "$n" -gt 0 ]; then
        p50=$(awk -v n="$n" 'NR == int((n * 50 + 99) / 100) {printf "%.2f", $1 / 1000}' "$work/$tag.lat")
        p95=$(awk -v n="$n" 'NR == int((n * 95 + 99) / 100) {printf "%.2f", $1 / 1000}' "$work/$tag.lat")
    else
        p50=NaN; p95=NaN
    fi
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/$tag.out" | head -1); tps=${tps:-0}
    failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$work/$tag.out" | head -1); failed=${failed:-0}
    aborted=$(grep -c 'aborted in command' "$work/$tag.out" || true)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$round" "$mode" "$n" "$p50" "$p95" "$tps" "$failed" "$aborted" >> "$results"
    printf '%-58s round %s: n %6s  p50 %9s ms  p95 %9s ms  tps %8s  failed %s  aborted %s  load %s\n' \
        "$label" "$round" "$n" "$p50" "$p95" "$tps" "$failed" "$aborted" "$(load)"
    grep -m3 -i 'error\|aborted' "$work/$tag.out" || true
}

# The pgbench scripts.  A random civil servant with January lines (bench.pick); the
# UPDATE changes the completed quantity of their first line, the INSERT adds a copy of it.
cat > "$work/update.pgb" <<'EOF'
\set n random(1, :npick)
UPDATE cqs.task_line SET completed_qty = round(assigned_qty * random()::numeric, 2)
 WHERE task_line_id = (SELECT task_line_id FROM bench.pick WHERE n = :n);
EOF
cat > "$work/insert.pgb" <<'EOF'
\set n random(1, :npick)
INSERT INTO cqs.task_line (person_id, organisation_id, period, item_id, similar_item_id, title, coefficient,
                           assigned_qty, deadline, completed_qty, completed_on, quality_failures,
                           late_occurrences, origin)
SELECT person_id, organisation_id, period, item_id, similar_item_id, title, coefficient, assigned_qty, deadline,
       completed_qty, completed_on, quality_failures, late_occurrences, origin
  FROM cqs.task_line WHERE task_line_id = (SELECT task_line_id FROM bench.pick WHERE n = :n);
EOF
# The views, filtered by one organisation: a random one holding results (bench.orgs),
# a random using agency for grade_distribution (its organisation_id is the agency).
view_script() {   # view_script NAME VIEW TABLE [EXTRA-CONDITION]
    cat > "$work/view_$1.pgb" <<EOF
\\set n random(1, :n_$3)
SELECT organisation_id AS org FROM bench.$3 WHERE n = :n \\gset
SELECT * FROM $2 WHERE organisation_id = :org${4:+ AND $4};
EOF
}
# (a) one organisation, every period; (b) what a portal page asks: one organisation and
# one period (January, the first quarter, the first half, the year 2026).
view_script month_results cqs.month_results orgs
view_script month_results_period cqs.month_results orgs "year = 2026 AND month = 1"
view_script quarter_results cqs.quarter_results orgs
view_script quarter_results_period cqs.quarter_results orgs "year = 2026 AND quarter = 1"
view_script half_year_results cqs.half_year_results orgs
view_script half_year_results_period cqs.half_year_results orgs "year = 2026 AND half = 1"
view_script year_results cqs.year_results orgs
view_script year_results_period cqs.year_results orgs "year = 2026"
view_script grade_distribution cqs.grade_distribution agencies
view_script grade_distribution_period cqs.grade_distribution agencies "year = 2026"
view_script form01 cqs.form01 orgs
view_script form01_period cqs.form01 orgs "period = '2026-01-01'"
view_script form02 cqs.form02 orgs
view_script form02_period cqs.form02 orgs "year = 2026"

# The portal pages (section 5): one organisation, one period, at most 200 rows in person_id
# order.  The first page, or the page after a random person of the organisation
# (bench.page_keys, k uniform in 1 .. max(1, results - 200)): the organisation and the
# keyset start come from one primary-key look-up (\gset), part of the transaction.
page_script() {   # page_script NAME VIEW CONDITION ORDER
    cat > "$work/page_$1_first.pgb" <<EOF
\\set n random(1, :n_orgs)
SELECT organisation_id AS org FROM bench.orgs WHERE n = :n \\gset
SELECT * FROM $2 WHERE organisation_id = :org AND $3 ORDER BY $4 LIMIT 200;
EOF
    cat > "$work/page_$1_later.pgb" <<EOF
\\set n random(1, :n_orgs)
\\set r random(0, 999999)
SELECT o.organisation_id AS org, k.person_id AS after FROM bench.orgs o JOIN bench.page_keys k ON k.organisation_id = o.organisation_id AND k.k = 1 + (:r * greatest(o.results - 200, 1)) / 1000000 WHERE o.n = :n \\gset
SELECT * FROM $2 WHERE organisation_id = :org AND $3 AND person_id > :after ORDER BY $4 LIMIT 200;
EOF
}
page_script month_results cqs.month_results "period = '2026-01-01'" person_id
page_script quarter_results cqs.quarter_results "year = 2026 AND quarter = 1" person_id
page_script half_year_results cqs.half_year_results "year = 2026 AND half = 1" person_id
page_script year_results cqs.year_results "year = 2026" person_id
page_script form02 cqs.form02 "year = 2026" person_id
page_script form01 cqs.form01 "period = '2026-01-01'" "person_id, position"
cat > "$work/page_grade_distribution_all.pgb" <<'EOF'
\set n random(1, :n_agencies)
SELECT organisation_id AS agency FROM bench.agencies WHERE n = :n \gset
SELECT * FROM cqs.grade_distribution WHERE organisation_id = :agency AND year = 2026;
EOF
run_pages() {
    NORGS=$(psql -X -Atc "SELECT count(*) FROM bench.orgs")
    NAGENCIES=$(psql -X -Atc "SELECT count(*) FROM bench.agencies")
    psql -X -qAt -c "VACUUM ANALYZE" -c "CHECKPOINT" > /dev/null
    sql pages 2>&1 | tee "$work/pages.txt" | grep -vE '^ +(->|Buffers|Filter|Index Cond|Hash Cond|Rows Removed|Sort |Recheck|Heap Blocks|Worker|Join Filter|Output|Group Key|Presorted|Full-sort|Pre-sorted|Cache|Batches|One-Time|Heap Fetches|Merge Cond|Order By|Inner Unique|Planned|Launched|SubPlan|InitPlan|Memory)' || true
    echo "== 5. the portal pages, jit = off: one client for 5 s, then $ROUNDS rounds of 50 clients (-c 50 -j 2 -T $T_PAGE)"
    for v in month_results quarter_results half_year_results year_results form02 form01; do
        for shape in first later; do
            PGB_OPTIONS="-c jit=off" pgb "page $v $shape: 1 client" 1 sync -c 1 -T 5 -D n_orgs="$NORGS" \
                -f "$work/page_${v}_$shape.pgb"
            for r in $(seq 1 "$ROUNDS"); do
                PGB_OPTIONS="-c jit=off" pgb "page $v $shape: 50 clients" "$r" sync -c 50 -j 2 -T "$T_PAGE" \
                    -D n_orgs="$NORGS" -f "$work/page_${v}_$shape.pgb"
            done
        done
    done
    PGB_OPTIONS="-c jit=off" pgb "page grade_distribution all: 1 client" 1 sync -c 1 -T 5 -D n_agencies="$NAGENCIES" \
        -f "$work/page_grade_distribution_all.pgb"
    for r in $(seq 1 "$ROUNDS"); do
        PGB_OPTIONS="-c jit=off" pgb "page grade_distribution all: 50 clients" "$r" sync -c 50 -j 2 -T "$T_PAGE" \
            -D n_agencies="$NAGENCIES" -f "$work/page_grade_distribution_all.pgb"
    done
}

t_start=$(date +%s)
echo "== load average at start: $(cat /proc/loadavg)"
# ---------------------------------------------------------------------------
# 0. The city with one month (January 2026), rebuilt.
# ---------------------------------------------------------------------------
[ -n "${SKIP_SETUP:-}" ] || sql setup
NPICK=$(psql -X -Atc "SELECT count(*) FROM bench.pick")
echo "== $NPICK people to edit; $(( $(date +%s) - t_start )) s so far"
if [ "$ONLY" = pages ]; then
    [ -n "${SKIP_SETUP:-}" ] || sql year
    echo "== $(( $(date +%s) - t_start )) s so far"
    run_pages
fi
if [ "$ONLY" != pages ]; then

# ---------------------------------------------------------------------------
# 1a. One edit at a time, sync, ONE month of history.
# ---------------------------------------------------------------------------
echo "== 1a. one client, sync, one month of results: $ROUNDS rounds of $T s per statement"
for r in $(seq 1 "$ROUNDS"); do
    pgb "1 month: sync UPDATE one line" "$r" sync -c 1 -T "$T" -D npick="$NPICK" -f "$work/update.pgb"
    pgb "1 month: sync INSERT one line" "$r" sync -c 1 -T "$T" -D npick="$NPICK" -f "$work/insert.pgb"
done

# ---------------------------------------------------------------------------
# The year: months 2-12 fabricated, the year graded.
# ---------------------------------------------------------------------------
sql year
echo "== $(( $(date +%s) - t_start )) s so far"

# ---------------------------------------------------------------------------
# 1b. One edit at a time, a year of history: sync, then async (queued), then the queue
# drained.  pg_stat_statements is reset before the sync runs and read after them.
# ---------------------------------------------------------------------------
echo "== 1b. one client, a year of results: $ROUNDS rounds of $T s per statement and mode"
psql -X -qAtc "SELECT pg_stat_statements_reset()" > /dev/null
for r in $(seq 1 "$ROUNDS"); do
    pgb "12 months: sync UPDATE one line" "$r" sync -c 1 -T "$T" -D npick="$NPICK" -f "$work/update.pgb"
    pgb "12 months: sync INSERT one line" "$r" sync -c 1 -T "$T" -D npick="$NPICK" -f "$work/insert.pgb"
done
sql stats
sql explain_edit > "$work/explain_edit.txt" 2>&1
grep -E '^(==|Time:)' "$work/explain_edit.txt" || true
for r in $(seq 1 "$ROUNDS"); do
    pgb "12 months: async UPDATE one line" "$r" async -c 1 -T "$T_ASYNC" -D npick="$NPICK" -f "$work/update.pgb"
    pgb "12 months: async INSERT one line" "$r" async -c 1 -T "$T_ASYNC" -D npick="$NPICK" -f "$work/insert.pgb"
done
echo "== the queue drained: CALL cqs.process_queue()"
psql -X -c "SELECT count(*) AS queued FROM cqs.refresh_queue" -c '\timing on' -c "CALL cqs.process_queue()" -c '\timing off' -c "SELECT count(*) AS queued FROM cqs.refresh_queue"
echo "== $(( $(date +%s) - t_start )) s so far"

# ---------------------------------------------------------------------------
# 2. 16 concurrent writers, sync, a year of history; then the check.
# ---------------------------------------------------------------------------
sql before_writers
psql -X -qAt -c "VACUUM ANALYZE cqs.period_result" -c "VACUUM ANALYZE cqs.task_line" -c "CHECKPOINT" > /dev/null
echo "== 2. 16 writers (-c 16 -j 2 -T $T_CONC), UPDATE and INSERT at random, sync"
pgb "16 writers: sync UPDATE or INSERT" 1 sync -c 16 -j 2 -T "$T_CONC" -D npick="$NPICK" \
    -f "$work/update.pgb" -f "$work/insert.pgb"
sed -n '/^transaction type/,$p' "$work/16_writers__sync_UPDATE_or_INSERT_1.out"
sql check
echo "== $(( $(date +%s) - t_start )) s so far"

# ---------------------------------------------------------------------------
# 3. The month from scratch against the bare aggregate.
# ---------------------------------------------------------------------------
sql rebuild > "$work/rebuild.txt" 2>&1
grep -E '^(==|WARNING: .*round)|rebuild / bare|^ *[0-9.]+ *\|' "$work/rebuild.txt" || true
sed -n '/== month rebuild/,/== the plans/p' "$work/rebuild.txt"
echo "== plan nodes of the rebuild's statements (auto_explain) and of the bare aggregate:"
grep -nE 'Query Text|duration|Partial|Gather|Parallel|Workers (Planned|Launched)|^ *(Finalize|HashAggregate|GroupAggregate)' "$work/rebuild.txt" || true
echo "== $(( $(date +%s) - t_start )) s so far"

# ---------------------------------------------------------------------------
# 4. The views, one organisation, 50 clients.
# ---------------------------------------------------------------------------
NORGS=$(psql -X -Atc "SELECT count(*) FROM bench.orgs")
NAGENCIES=$(psql -X -Atc "SELECT count(*) FROM bench.agencies")
psql -X -qAt -c "VACUUM ANALYZE" -c "CHECKPOINT" > /dev/null
sql views 2>&1 | tee "$work/views.txt"
echo "== 4. the views by one organisation: one client first, then 50 (-c 50 -j 2 -T $T_VIEW) unless one client averages over $VIEW_MAX_MS ms"
for v in month_results month_results_period quarter_results quarter_results_period half_year_results \
         half_year_results_period year_results year_results_period grade_distribution grade_distribution_period \
         form01 form01_period form02 form02_period; do
    pgb "view $v: 1 client" 1 sync -c 1 -t 5 -D n_orgs="$NORGS" -D n_agencies="$NAGENCIES" -f "$work/view_$v.pgb"
    mean=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$work/view_${v}__1_client_1.out")
    if awk -v m="${mean:-1e9}" -v lim="$VIEW_MAX_MS" 'BEGIN {exit !(m <= lim)}'; then
        for r in $(seq 1 "$ROUNDS"); do
            pgb "view $v: 50 clients" "$r" sync -c 50 -j 2 -T "$T_VIEW" -D n_orgs="$NORGS" -D n_agencies="$NAGENCIES" \
                -f "$work/view_$v.pgb"
        done
    else
        echo "   view $v: one client averages ${mean:-?} ms, over $VIEW_MAX_MS ms: not run at 50 clients"
    fi
done


# ---------------------------------------------------------------------------
# 5. The portal pages, 50 clients, jit = off.
# ---------------------------------------------------------------------------
run_pages
fi   # ONLY != pages

# ---------------------------------------------------------------------------
# Summary: medians over the rounds.
# ---------------------------------------------------------------------------
psql -X -q -v ON_ERROR_STOP=1 <<EOF
CREATE TEMP TABLE pgb (label text, round int, mode text, n bigint, p50 float8, p95 float8, tps float8, failed bigint, aborted bigint);
\copy pgb FROM '$results'
\echo '== pgbench runs: medians over the rounds (latencies in ms)'
SELECT label, count(*) AS rounds, sum(n) AS transactions,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY p50)::numeric, 2) AS median_p50,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY p95)::numeric, 2) AS median_p95,
       round(min(p95)::numeric, 2) AS min_p95, round(max(p95)::numeric, 2) AS max_p95,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY tps)::numeric, 1) AS median_tps,
       sum(failed) AS failed, sum(aborted) AS aborted
  FROM pgb GROUP BY label ORDER BY min(ctid);
\echo '== sync, a year of history against one month: ratios of the medians'
SELECT y.stmt, round((y.p95 / m.p95)::numeric, 2) AS "p95 ratio 12 months / 1 month", round((y.p50 / m.p50)::numeric, 2) AS "p50 ratio"
  FROM (SELECT split_part(label, 'sync ', 2) AS stmt, percentile_cont(0.5) WITHIN GROUP (ORDER BY p95) AS p95,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY p50) AS p50
          FROM pgb WHERE label LIKE '12 months: sync%' GROUP BY 1) y
  JOIN (SELECT split_part(label, 'sync ', 2) AS stmt, percentile_cont(0.5) WITHIN GROUP (ORDER BY p95) AS p95,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY p50) AS p50
          FROM pgb WHERE label LIKE '1 month: sync%' GROUP BY 1) m USING (stmt);
EOF
echo "== whole run: $(( $(date +%s) - t_start )) s; load average at end: $(cat /proc/loadavg)"
