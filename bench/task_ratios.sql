-- bench/task_ratios.sql -- cqs.task_ratios ... GROUP BY against the same
-- formula written with plain SQL sum()s, and against the bare
-- GROUP BY ... count(*) floor.  Not part of CI; run it with bench/run.sh.
--
-- Requirement: on 3,000,000 task lines in 200,000 groups (numeric columns)
-- the aggregate takes <= 0.5x the time of the plain SQL formula, measured in
-- the same run, with every output actually computed and read.
--
-- The aggregate's state is the type cqs.task_ratios_state (shippable between nodes,
-- docs/distributed.md).  At commit 76904c2 this script also timed the first form, on an
-- internal state, in the same rounds (figures in bench/README.md); that form is gone.
--
-- Needs cqs_eval installed (CREATE EXTENSION is done here) and a server with
-- shared_buffers >= 1GB so that the ~200 MB table stays in shared buffers.
\set ON_ERROR_STOP 1
\pset pager off
\timing off

-- Rounds per configuration (after one untimed warm-up round each).
\if :{?rounds}
\else
  \set rounds 7
\endif
\if :{?parallel_rounds}
\else
  \set parallel_rounds 3
\endif

CREATE EXTENSION IF NOT EXISTS cqs_eval CASCADE;

SELECT version();

-- ---------------------------------------------------------------------------
-- Data: 3,000,000 task lines, 200,000 groups (e.g. civil servant x period).
-- Deterministic: every "random" choice is hashint8 of the line number.
-- The first 200,000 lines give each group one line, the rest are hashed to a
-- group, so all 200,000 groups exist, sizes vary (about 15 on average) and
-- the lines of a group are scattered over the table like real data.
-- ---------------------------------------------------------------------------
DROP TABLE IF EXISTS bench_task_lines;
CREATE TABLE bench_task_lines AS
WITH h AS (
  SELECT i,
         hashint8(i * 8 + 0) & 2147483647 AS h0,
         hashint8(i * 8 + 1) & 2147483647 AS h1,
         hashint8(i * 8 + 2) & 2147483647 AS h2,
         hashint8(i * 8 + 3) & 2147483647 AS h3,
         hashint8(i * 8 + 4) & 2147483647 AS h4,
         hashint8(i * 8 + 5) & 2147483647 AS h5,
         hashint8(i * 8 + 6) & 2147483647 AS h6
    FROM generate_series(1, 3000000) AS i
), l AS (
  SELECT i, h2, h3, h4, h5, h6,
         CASE WHEN i <= 200000 THEN (i - 1)::int ELSE (h0 % 200000)::int END AS g,
         -- assigned quantity: a third with one decimal (0.1 .. 20.0), the rest
         -- with two (0.01 .. 20.00)
         CASE WHEN h1 % 3 = 0 THEN round(((h1 / 3) % 200 + 1) / 10.0, 1)
              ELSE round(((h1 / 3) % 2000 + 1) / 100.0, 2) END AS assigned_qty
    FROM h
)
SELECT g,
       i AS line,
       assigned_qty,
       -- completed: 5% not reported yet (NULL), 55% exactly as assigned, the
       -- rest 0% .. 119% of it with two decimals
       CASE WHEN h2 % 20 = 0 THEN NULL
            WHEN h2 % 20 < 12 THEN assigned_qty
            ELSE round(assigned_qty * ((h2 / 20) % 120) / 100.0, 2) END AS completed_qty,
       -- conversion coefficients of the handbook's kind
       (ARRAY[1.0, 2.7, 3.7, 0.5, 12.5, 1.5, 0.25, 2.0])[1 + h3 % 8] AS coefficient,
       -- failed quality reviews: mostly none, 1% NULL (= 0), up to 4
       CASE WHEN h4 % 100 = 0 THEN NULL
            WHEN h4 % 10 < 7 THEN 0
            ELSE ((h4 / 10) % 5)::int END AS quality_deductions,
       -- lateness deductions: mostly none, 1% NULL (= 0), up to 6 (factor 0)
       CASE WHEN h5 % 100 = 0 THEN NULL
            WHEN h5 % 10 < 6 THEN 0
            ELSE ((h5 / 10) % 7)::int END AS lateness_deductions,
       -- 5% of lines were added later and do not count in G; groups 0..3
       -- have no counted line at all (G = 0, ratios NULL)
       (h6 % 20 <> 0 AND g >= 4) AS counts_in_assigned
  FROM l;

VACUUM (ANALYZE) bench_task_lines;

SELECT count(*) AS lines,
       count(DISTINCT g) AS groups,
       pg_size_pretty(pg_relation_size('bench_task_lines')) AS table_size,
       round(avg(assigned_qty), 3) AS avg_assigned,
       round(100.0 * count(*) FILTER (WHERE completed_qty IS NULL) / count(*), 1) AS pct_completed_null,
       round(100.0 * count(*) FILTER (WHERE NOT counts_in_assigned) / count(*), 1) AS pct_not_counted,
       round(100.0 * count(*) FILTER (WHERE quality_deductions > 0) / count(*), 1) AS pct_quality_ded,
       round(100.0 * count(*) FILTER (WHERE lateness_deductions > 0) / count(*), 1) AS pct_late_ded
  FROM bench_task_lines;
SELECT min(n) AS min_group_size, round(avg(n), 2) AS avg_group_size, max(n) AS max_group_size
  FROM (SELECT count(*) AS n FROM bench_task_lines GROUP BY g) s;
SELECT coefficient, count(*) FROM bench_task_lines GROUP BY 1 ORDER BY 1;
SELECT * FROM bench_task_lines ORDER BY line LIMIT 8;

-- ---------------------------------------------------------------------------
-- The three queries.  Each groups the table by g inside a subquery and the
-- outer query reads every output column of every group (count(x) evaluates x
-- and tests it for NULL), so neither variant can drop an output: the planner
-- removes unused subquery output columns, and FieldSelect on the composite
-- forces the final function to build all 7 fields.  Both variants are
-- consumed by the same outer count()s over the same 7 values.
-- ---------------------------------------------------------------------------
DROP TABLE IF EXISTS bench_queries;
CREATE TABLE bench_queries (variant text PRIMARY KEY, ord int, query text);
INSERT INTO bench_queries VALUES
('task_ratios', 1, $q$
SELECT count(*), count((r).assigned_units), count((r).completed_units),
       count((r).quality_units), count((r).progress_units),
       count((r).a), count((r).b), count((r).c)
  FROM (SELECT g, cqs.task_ratios(assigned_qty, completed_qty, coefficient,
                                  quality_deductions, lateness_deductions,
                                  counts_in_assigned) AS r
          FROM bench_task_lines
         GROUP BY g) s
$q$),
('plain_sql', 2, $q$
SELECT count(*), count(assigned_units), count(completed_units),
       count(quality_units), count(progress_units),
       count(a), count(b), count(c)
  FROM (SELECT g, assigned_units, completed_units, quality_units, progress_units,
               100 * completed_units / NULLIF(assigned_units, 0) AS a,
               100 * quality_units   / NULLIF(assigned_units, 0) AS b,
               100 * progress_units  / NULLIF(assigned_units, 0) AS c
          FROM (SELECT g,
                       coalesce(sum(assigned_qty * coefficient)
                                  FILTER (WHERE counts_in_assigned), 0) AS assigned_units,
                       sum(coalesce(completed_qty, 0) * coefficient) AS completed_units,
                       sum(coalesce(completed_qty, 0) * coefficient
                           * greatest(0.00, 1 - 0.25 * coalesce(quality_deductions, 0))) AS quality_units,
                       sum(coalesce(completed_qty, 0) * coefficient
                           * greatest(0.00, 1 - 0.25 * coalesce(lateness_deductions, 0))) AS progress_units
                  FROM bench_task_lines
                 GROUP BY g) u) s
$q$),
('floor_count', 3, $q$
SELECT count(*), count(n)
  FROM (SELECT g, count(*) AS n
          FROM bench_task_lines
         GROUP BY g) s
$q$);

-- Single-core comparison; work_mem large enough that no HashAgg spills; JIT
-- off so the numbers do not include LLVM compile time (reported separately).
SET max_parallel_workers_per_gather = 0;
SET work_mem = '1GB';
SET hash_mem_multiplier = 1;
SET jit = off;

-- ---------------------------------------------------------------------------
-- Correctness, once, outside the timed part: the aggregate and the plain SQL
-- formula agree on every group, digit for digit (text comparison also
-- catches a differing display scale, which = on numeric would not).
-- ---------------------------------------------------------------------------
WITH tr AS (
  SELECT g, cqs.task_ratios(assigned_qty, completed_qty, coefficient,
                            quality_deductions, lateness_deductions,
                            counts_in_assigned) AS r
    FROM bench_task_lines GROUP BY g
), pl AS (
  SELECT g, ROW(assigned_units, completed_units, quality_units, progress_units,
                100 * completed_units / NULLIF(assigned_units, 0),
                100 * quality_units   / NULLIF(assigned_units, 0),
                100 * progress_units  / NULLIF(assigned_units, 0))::cqs.ratios AS r
    FROM (SELECT g,
                 coalesce(sum(assigned_qty * coefficient)
                            FILTER (WHERE counts_in_assigned), 0) AS assigned_units,
                 sum(coalesce(completed_qty, 0) * coefficient) AS completed_units,
                 sum(coalesce(completed_qty, 0) * coefficient
                     * greatest(0.00, 1 - 0.25 * coalesce(quality_deductions, 0))) AS quality_units,
                 sum(coalesce(completed_qty, 0) * coefficient
                     * greatest(0.00, 1 - 0.25 * coalesce(lateness_deductions, 0))) AS progress_units
            FROM bench_task_lines GROUP BY g) u
)
SELECT count(*) AS groups_compared,
       count(*) FILTER (WHERE tr.g IS NULL OR pl.g IS NULL) AS missing_groups,
       count(*) FILTER (WHERE tr.r IS DISTINCT FROM pl.r) AS differing_values,
       count(*) FILTER (WHERE tr.r::text IS DISTINCT FROM pl.r::text) AS differing_text,
       count(*) FILTER (WHERE (tr.r).a IS NULL) AS groups_with_g_zero
  FROM tr FULL JOIN pl USING (g)
\gset check_
\echo 'verification: groups compared' :check_groups_compared ', missing' :check_missing_groups ', differing values' :check_differing_values ', differing text' :check_differing_text ', groups with G = 0' :check_groups_with_g_zero
SELECT (:check_groups_compared = 200000 AND :check_missing_groups = 0
        AND :check_differing_values = 0 AND :check_differing_text = 0) AS verification_ok
\gset
\if :verification_ok
  \echo 'verification OK: task_ratios = plain SQL on all 200000 groups'
\else
  \echo 'VERIFICATION FAILED: task_ratios and plain SQL differ'
  DO $$ BEGIN RAISE EXCEPTION 'task_ratios and the plain SQL formula differ'; END $$;
\endif

-- A few groups side by side, for the eye.
SELECT g, (r).assigned_units, (r).completed_units, (r).quality_units,
       (r).progress_units, round((r).a, 4) AS a, round((r).b, 4) AS b, round((r).c, 4) AS c
  FROM (SELECT g, cqs.task_ratios(assigned_qty, completed_qty, coefficient,
                                  quality_deductions, lateness_deductions,
                                  counts_in_assigned) AS r
          FROM bench_task_lines WHERE g IN (0, 4, 12345, 199999) GROUP BY g) s
 ORDER BY g;

-- ---------------------------------------------------------------------------
-- Plans (no spill: HashAggregate "Batches: 1").
-- ---------------------------------------------------------------------------
DO $$
DECLARE
  q record;
  line text;
BEGIN
  FOR q IN SELECT * FROM bench_queries ORDER BY ord LOOP
    RAISE NOTICE '---- plan: % ----', q.variant;
    FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, VERBOSE) ' || q.query LOOP
      RAISE NOTICE '%', line;
    END LOOP;
  END LOOP;
END
$$;

-- ---------------------------------------------------------------------------
-- Timing: clock_timestamp() around EXECUTE; one untimed warm-up round, then
-- :rounds rounds, the order of the variants alternating between rounds.
-- ---------------------------------------------------------------------------
DROP TABLE IF EXISTS bench_times;
CREATE TABLE bench_times (config text, variant text, round int, ms double precision);

CREATE OR REPLACE FUNCTION pg_temp.bench_run(config text, rounds int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  q record;
  t0 timestamptz;
  ms double precision;
  res record;
BEGIN
  FOR rnd IN 0 .. rounds LOOP
    FOR q IN SELECT * FROM bench_queries
              ORDER BY CASE WHEN rnd % 2 = 0 THEN ord ELSE -ord END LOOP
      t0 := clock_timestamp();
      EXECUTE q.query INTO res;
      ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
      IF rnd > 0 THEN   -- round 0 is the warm-up
        INSERT INTO bench_times VALUES (config, q.variant, rnd, ms);
      END IF;
      RAISE NOTICE '% round % %: % ms  (result %)', config, rnd, rpad(q.variant, 11),
                   to_char(ms, 'FM99990.0'), res;
    END LOOP;
  END LOOP;
END
$$;

-- 1. single core (no parallel workers), JIT off: the figure of the requirement
SELECT pg_temp.bench_run('serial', :rounds);

-- 2. parallel (2 workers), JIT off
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
DO $$
DECLARE
  q record;
  line text;
BEGIN
  FOR q IN SELECT * FROM bench_queries ORDER BY ord LOOP
    RAISE NOTICE '---- parallel plan: % ----', q.variant;
    FOR line IN EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ' || q.query LOOP
      RAISE NOTICE '%', line;
    END LOOP;
  END LOOP;
END
$$;
SELECT pg_temp.bench_run('parallel', :parallel_rounds);
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
SET max_parallel_workers_per_gather = 0;

-- 3. single core with PostgreSQL's default JIT settings (jit = on,
--    jit_above_cost = 100000, ...): a query whose estimated cost exceeds the
--    threshold is JIT-compiled, compile time included (shown below).
SET jit = on;
SELECT pg_jit_available() AS jit_available;
DO $$
DECLARE
  q record;
  line text;
BEGIN
  FOR q IN SELECT * FROM bench_queries ORDER BY ord LOOP
    RAISE NOTICE '---- JIT (default settings): % ----', q.variant;
    FOR line IN EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF) ' || q.query LOOP
      IF line ~ '^(Aggregate|JIT|  Functions|  Options|  Timing|Execution)' THEN
        RAISE NOTICE '%', line;
      END IF;
    END LOOP;
  END LOOP;
END
$$;
SELECT pg_temp.bench_run('serial_jit', :parallel_rounds);
SET jit = off;

-- ---------------------------------------------------------------------------
-- Results: median ms per variant and the ratios.
-- ---------------------------------------------------------------------------
\echo
\echo '==== median of timed rounds (ms) ===='
WITH med AS (
  SELECT config, variant,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS median_ms,
         min(ms) AS min_ms, max(ms) AS max_ms, count(*) AS rounds
    FROM bench_times GROUP BY config, variant
)
SELECT config,
       round(max(median_ms) FILTER (WHERE variant = 'task_ratios')::numeric, 1) AS task_ratios_ms,
       round(max(median_ms) FILTER (WHERE variant = 'plain_sql')::numeric, 1) AS plain_sql_ms,
       round(max(median_ms) FILTER (WHERE variant = 'floor_count')::numeric, 1) AS floor_ms,
       round((max(median_ms) FILTER (WHERE variant = 'task_ratios')
            / max(median_ms) FILTER (WHERE variant = 'plain_sql'))::numeric, 3) AS tr_over_plain,
       round((max(median_ms) FILTER (WHERE variant = 'task_ratios')
            / max(median_ms) FILTER (WHERE variant = 'floor_count'))::numeric, 2) AS tr_over_floor,
       round((max(median_ms) FILTER (WHERE variant = 'plain_sql')
            / max(median_ms) FILTER (WHERE variant = 'floor_count'))::numeric, 2) AS plain_over_floor,
       max(rounds) AS rounds,
       CASE WHEN max(median_ms) FILTER (WHERE variant = 'task_ratios')
                 <= 0.5 * max(median_ms) FILTER (WHERE variant = 'plain_sql')
            THEN 'yes' ELSE 'NO' END AS meets_half
  FROM med
 GROUP BY config
 ORDER BY CASE config WHEN 'serial' THEN 1 WHEN 'parallel' THEN 2 ELSE 3 END;

\echo '==== median of the per-round ratios (both variants timed in the same round) ===='
WITH r AS (
  SELECT config, round,
         max(ms) FILTER (WHERE variant = 'task_ratios') AS tr,
         max(ms) FILTER (WHERE variant = 'plain_sql') AS pl,
         max(ms) FILTER (WHERE variant = 'floor_count') AS fl
    FROM bench_times GROUP BY config, round
)
SELECT config,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY tr / pl))::numeric, 3) AS tr_over_plain,
       round(min(tr / pl)::numeric, 3) AS best,
       round(max(tr / pl)::numeric, 3) AS worst,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY tr / fl))::numeric, 2) AS tr_over_floor,
       count(*) AS rounds
  FROM r
 GROUP BY config
 ORDER BY CASE config WHEN 'serial' THEN 1 WHEN 'parallel' THEN 2 ELSE 3 END;

\echo '==== spread (min / median / max ms) ===='
SELECT config, variant,
       round(min(ms)::numeric, 1) AS min_ms,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms))::numeric, 1) AS median_ms,
       round(max(ms)::numeric, 1) AS max_ms
  FROM bench_times
 GROUP BY config, variant
 ORDER BY CASE config WHEN 'serial' THEN 1 WHEN 'parallel' THEN 2 ELSE 3 END,
          CASE variant WHEN 'task_ratios' THEN 1 WHEN 'plain_sql' THEN 2 ELSE 3 END;
