-- bench/month_results.sql -- month results of the benchmark city (~300,000 people,
-- ~4.5 million task lines in one month): cqs.rebuild() of the month from scratch
-- against the bare GROUP BY person floor over the same lines, the rebuild's own
-- statements through auto_explain, and the writer's work after one task line
-- changes (refresh modes sync and async).  Not part of CI; run it with
-- bench/month_results.sh.  It holds no copy of schema code: it times the
-- extension's functions and reads their plans.
--
-- Requirement: month results for 300,000 people computed from scratch in at most
-- 2x the time of a bare GROUP BY person over the same lines; after one task line
-- changes, refreshing that person's month result touches only that person's lines.
--
-- Variables (psql -v): scale (default 1111: 270 staff per scale step + 190
-- fixed = 300,160 people), rounds (timed rounds per measurement after one
-- untimed warm-up round, default 3), upd_rounds (default 7).
-- Run from the repository root (the script reads demo/city.sql and demo/catalogue.csv).
\set ON_ERROR_STOP 1
\pset pager off
\timing off
\if :{?scale}
\else
  \set scale 1111
\endif
\if :{?rounds}
\else
  \set rounds 3
\endif
\if :{?upd_rounds}
\else
  \set upd_rounds 7
\endif

SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS cqs_eval CASCADE;
SELECT version();
SELECT name, setting, unit FROM pg_settings
 WHERE name IN ('shared_buffers', 'work_mem', 'temp_buffers', 'max_wal_size', 'jit', 'autovacuum',
                'max_parallel_workers_per_gather')
 ORDER BY name;

-- ---------------------------------------------------------------------------
-- Data: the sample city, one month (January 2026), 12 to 18 task lines per
-- civil servant, no refresh during the load.
-- ---------------------------------------------------------------------------
\set catalogue_csv `cat demo/catalogue.csv`
\i demo/city.sql
\echo '== generation (demo.generate_city, months => 1, min_lines => 12, max_lines => 18, refresh => false)'
\timing on
SELECT demo.generate_city(scale => :scale, year => 2026, catalogue_csv => :'catalogue_csv', months => 1,
                          min_lines => 12, max_lines => 18, refresh => false) AS generated;
VACUUM ANALYZE;
CHECKPOINT;
\timing off

SELECT (SELECT count(*) FROM cqs.person) AS people,
       (SELECT count(*) FROM cqs.person WHERE kind = 'civil_servant') AS civil_servants,
       count(*) AS task_lines, count(DISTINCT person_id) AS people_with_lines,
       round(count(*)::numeric / count(DISTINCT person_id), 2) AS lines_per_person,
       pg_size_pretty(pg_relation_size('cqs.task_line')) AS task_line_heap,
       pg_size_pretty(pg_indexes_size('cqs.task_line')) AS task_line_indexes
  FROM cqs.task_line WHERE period = '2026-01-01';

-- ---------------------------------------------------------------------------
-- Timing helpers.  Each round is its own transaction (COMMIT inside the
-- procedure); the time runs from just before the statement to after its
-- COMMIT.  Round 0 warms up and is not recorded.
-- ---------------------------------------------------------------------------
CREATE SCHEMA bench;
CREATE TABLE bench.timing (test text, round integer, ms float8, n bigint);

CREATE PROCEDURE bench.time_it(test text, stmt text, rounds integer, before text DEFAULT NULL)
LANGUAGE plpgsql AS $$
DECLARE
  t0 timestamptz;
  ms float8;
  n  bigint;
BEGIN
  FOR r IN 0..rounds LOOP
    IF before IS NOT NULL THEN
      EXECUTE before;
    END IF;
    COMMIT;
    t0 := clock_timestamp();
    EXECUTE stmt INTO n;
    COMMIT;
    ms := 1000 * extract(epoch FROM clock_timestamp() - t0);
    IF r > 0 THEN
      INSERT INTO bench.timing VALUES (test, r, ms, n);
    END IF;
    COMMIT;
  END LOOP;
END $$;

CREATE VIEW bench.summary AS
SELECT test, count(*) AS rounds, min(n) AS n,
       round(min(ms)::numeric, 1) AS min_ms,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms))::numeric, 1) AS median_ms,
       round(max(ms)::numeric, 1) AS max_ms
  FROM bench.timing GROUP BY test;

-- ---------------------------------------------------------------------------
-- From scratch, serial (parallel query off for the floors; cqs.rebuild() runs as
-- it is, its _compute_all may plan in parallel on its own).  The floors run with
-- the session's default jit (on) and again with jit = off.
-- ---------------------------------------------------------------------------
SET statement_timeout = '12min';   -- a guard: no single statement (or CALL of rounds) runs away
\echo '== from scratch: floors, aggregate, cqs.rebuild() (median of' :rounds 'rounds after a warm-up)'
SET max_parallel_workers_per_gather = 0;
CALL bench.time_it('a1 floor: GROUP BY person_id, count(*)', $$
  SELECT count(s) FROM (
    SELECT person_id, count(*) FROM cqs.task_line WHERE period = '2026-01-01' GROUP BY person_id) s $$,
  :rounds);
CALL bench.time_it('a2 floor: GROUP BY person_id, count(*), sum(assigned_qty * coefficient)', $$
  SELECT count(s) FROM (
    SELECT person_id, count(*), sum(assigned_qty * coefficient)
      FROM cqs.task_line WHERE period = '2026-01-01' GROUP BY person_id) s $$,
  :rounds);
-- The bare aggregate over the same lines: person only, no policies, keys, scores or writes.
CALL bench.time_it('a3 aggregate: GROUP BY person_id, cqs.task_ratios(...) (no keys, no scores)', $$
  SELECT count(s) FROM (
    SELECT person_id,
           cqs.task_ratios(assigned_qty, credited_qty, coefficient, quality_deductions, late_days_counted,
                           counts_in_assigned) AS r
      FROM cqs.task_line WHERE period = '2026-01-01' GROUP BY person_id) s $$,
  :rounds);
RESET max_parallel_workers_per_gather;
CALL bench.time_it('b  rebuild: TRUNCATE cqs.period_result; SELECT cqs.rebuild()',
  'SELECT cqs.rebuild()', :rounds, 'TRUNCATE cqs.period_result');
SET max_parallel_workers_per_gather = 0;
SET jit = off;
CALL bench.time_it('a1o floor, jit off: GROUP BY person_id, count(*)', $$
  SELECT count(s) FROM (
    SELECT person_id, count(*) FROM cqs.task_line WHERE period = '2026-01-01' GROUP BY person_id) s $$,
  :rounds);
CALL bench.time_it('a3o aggregate, jit off: GROUP BY person_id, cqs.task_ratios(...)', $$
  SELECT count(s) FROM (
    SELECT person_id,
           cqs.task_ratios(assigned_qty, credited_qty, coefficient, quality_deductions, late_days_counted,
                           counts_in_assigned) AS r
      FROM cqs.task_line WHERE period = '2026-01-01' GROUP BY person_id) s $$,
  :rounds);
RESET jit;

SELECT * FROM bench.summary ORDER BY test;

\echo '== ratios against the floors (medians)'
WITH m AS (SELECT test, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms FROM bench.timing GROUP BY test)
SELECT round(a1.ms::numeric, 1) AS floor_count_ms, round(a2.ms::numeric, 1) AS floor_numeric_ms,
       round(a3.ms::numeric, 1) AS aggregate_ms, round(b.ms::numeric, 1) AS rebuild_ms,
       round((b.ms / a1.ms)::numeric, 2) AS "rebuild/floor_count",
       round((b.ms / a2.ms)::numeric, 2) AS "rebuild/floor_numeric",
       round((b.ms / a3.ms)::numeric, 2) AS "rebuild/aggregate",
       (b.ms <= 2 * a1.ms) AS "rebuild <= 2x floor"
  FROM m a1, m a2, m a3, m b
 WHERE a1.test LIKE 'a1 %' AND a2.test LIKE 'a2 %' AND a3.test LIKE 'a3 %' AND b.test LIKE 'b %';

\echo '== plans: a1, a3 (EXPLAIN ANALYZE, BUFFERS; serial)'
EXPLAIN (ANALYZE, BUFFERS)
SELECT count(s) FROM (
  SELECT person_id, count(*) FROM cqs.task_line WHERE period = '2026-01-01' GROUP BY person_id) s;
EXPLAIN (ANALYZE, BUFFERS)
SELECT count(s) FROM (
  SELECT person_id,
         cqs.task_ratios(assigned_qty, credited_qty, coefficient, quality_deductions, late_days_counted,
                         counts_in_assigned) AS r
    FROM cqs.task_line WHERE period = '2026-01-01' GROUP BY person_id) s;
RESET max_parallel_workers_per_gather;

-- The rebuild's own statements, from scratch, through auto_explain (nested
-- statements, ANALYZE, BUFFERS), each run rolled back.  First without per-node
-- timing (statement durations with little instrumentation overhead: the
-- breakdown), then with it (per-node times, inflated).  The plans go to the
-- client as WARNINGs (psql prints them on stderr).
\echo '== cqs.rebuild() from scratch through auto_explain (nested; ANALYZE, BUFFERS), rolled back: 1) timing off, 2) timing on'
TRUNCATE cqs.period_result;
CHECKPOINT;
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_analyze = on;
SET auto_explain.log_buffers = on;
SET auto_explain.log_timing = off;
SET auto_explain.log_level = warning;
BEGIN;
SELECT cqs.rebuild();
ROLLBACK;
SET auto_explain.log_timing = on;
BEGIN;
SELECT cqs.rebuild();
ROLLBACK;
SET auto_explain.log_min_duration = -1;

-- ---------------------------------------------------------------------------
-- Incremental: one task line of one staff member changes.
-- ---------------------------------------------------------------------------
\echo '== incremental: one task line of one staff member changes (cqs.refresh_mode sync and async)'
SELECT cqs.rebuild() AS results_from_scratch;
VACUUM ANALYZE cqs.period_result;
CHECKPOINT;

-- The first staff member of division SNV-NV1 (Sở Nội vụ, Phòng Nghiệp vụ 1) and
-- their first completed task line of the month.
SELECT p.person_id AS upd_person, ps.organisation_id AS upd_org, o.parent_id AS upd_dept
  FROM cqs.person p JOIN cqs.posting ps USING (person_id) JOIN cqs.organisation o USING (organisation_id)
 WHERE o.code = 'SNV-NV1' AND ps.role = 'staff' ORDER BY p.person_id LIMIT 1 \gset
SELECT min(task_line_id) AS upd_line FROM cqs.task_line
 WHERE person_id = :upd_person AND period = '2026-01-01' AND completed_qty IS NOT NULL \gset

SELECT :upd_person AS person_id, :upd_line AS task_line_id,
       (SELECT count(*) FROM cqs.task_line WHERE person_id = :upd_person AND period = '2026-01-01') AS person_lines,
       (SELECT count(*) FROM cqs.period_result WHERE organisation_id = :upd_org AND period = '2026-01-01') AS results_in_division,
       (SELECT count(*) FROM cqs.task_line WHERE period = '2026-01-01') AS all_lines,
       pg_relation_size('cqs.period_result') / 8192 AS period_result_pages,
       pg_relation_size('cqs.task_line') / 8192 AS task_line_pages;

-- Results of the person and of the leaders of their division and department, before the change.
CREATE TABLE bench.before AS
SELECT r.* FROM cqs.period_result r
 WHERE r.period = '2026-01-01'
   AND (r.person_id = :upd_person
        OR (r.organisation_id IN (:upd_org, :upd_dept) AND r.role IN ('head', 'deputy')));
SELECT person_id, organisation_id, role, field, a, b, c, d, task_score, total, grade FROM bench.before ORDER BY person_id;

-- Each round: one UPDATE of the line (alternately -0.5 and +0.5 on completed_qty)
-- and its COMMIT, in refresh mode `mode`; an even number of updates, so the line
-- ends as it started.
CREATE PROCEDURE bench.time_update(test text, line bigint, rounds integer, mode text)
LANGUAGE plpgsql AS $$
DECLARE
  t0 timestamptz;
  ms float8;
BEGIN
  FOR r IN 0..rounds LOOP
    PERFORM set_config('cqs.refresh_mode', mode, false);
    t0 := clock_timestamp();
    UPDATE cqs.task_line
       SET completed_qty = CASE WHEN r % 2 = 0 THEN completed_qty - 0.5 ELSE completed_qty + 0.5 END
     WHERE task_line_id = line;
    COMMIT;
    ms := 1000 * extract(epoch FROM clock_timestamp() - t0);
    IF r > 0 THEN
      INSERT INTO bench.timing VALUES (test, r, ms, 1);
    END IF;
    COMMIT;
  END LOOP;
  PERFORM set_config('cqs.refresh_mode', 'sync', false);
END $$;
SELECT (:upd_rounds / 2) * 2 + 1 AS upd_rounds_odd \gset

CREATE VIEW bench.xact_reads AS
SELECT relname, seq_scan, seq_tup_read, idx_scan, idx_tup_fetch, n_tup_ins, n_tup_upd, n_tup_del
  FROM pg_stat_xact_user_tables
 WHERE seq_scan + coalesce(idx_scan, 0) + n_tup_ins + n_tup_upd + n_tup_del > 0
   AND relname NOT IN ('timing', 'before')
 ORDER BY schemaname <> 'cqs', relname;

-- (A) This session, which ran whole-month rebuilds above: the writer's statements
-- must keep their custom plans (cqs._write_results sets plan_cache_mode).
\echo '== (A) the session that ran the whole-month rebuilds above'
CALL bench.time_update('u4 UPDATE one line, sync, after whole-month rebuilds', :upd_line, :upd_rounds_odd, 'sync');

-- (B) A new session, as an application connection that only edits task lines.
\echo '== (B) new session: timings'
\c
SET client_min_messages = warning;
CALL bench.time_update('u1 UPDATE one line, async (queued only)', :upd_line, :upd_rounds_odd, 'async');
SELECT count(*) AS queued FROM cqs.refresh_queue;
\timing on
CALL cqs.process_queue();
\timing off
CALL bench.time_update('u2 UPDATE one line, sync (person + leaders recomputed)', :upd_line, :upd_rounds_odd, 'sync');
SELECT * FROM bench.summary WHERE test LIKE 'u%' ORDER BY test;

\echo '== (B) what one UPDATE in sync mode reads (pg_stat_xact_user_tables in its transaction)'
SELECT pg_stat_force_next_flush();  -- pg_stat_xact_* below then counts this transaction only
BEGIN;
UPDATE cqs.task_line SET completed_qty = completed_qty - 0.5 WHERE task_line_id = :upd_line;
SELECT * FROM bench.xact_reads;
ROLLBACK;

\echo '== (B) every statement one UPDATE runs in sync mode (auto_explain, nested; ANALYZE, BUFFERS), rolled back'
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_analyze = on;
SET auto_explain.log_buffers = on;
SET auto_explain.log_timing = on;
SET auto_explain.log_level = warning;
BEGIN;
UPDATE cqs.task_line SET completed_qty = completed_qty - 0.5 WHERE task_line_id = :upd_line;
ROLLBACK;
SET auto_explain.log_min_duration = -1;

-- The line is back to its value: the incremental writes must give back the
-- from-scratch results of the person and their leaders.
\echo '== incremental results equal the from-scratch ones'
SELECT count(*) AS rows_compared,
       count(*) FILTER (WHERE (b.a, b.b, b.c, b.d, b.task_score, b.total, b.base_total, b.grade)
                              IS DISTINCT FROM (r.a, r.b, r.c, r.d, r.task_score, r.total, r.base_total, r.grade)) AS rows_differing
  FROM bench.before b JOIN cqs.period_result r USING (person_id, period);

\echo '== all timings (ms)'
SELECT * FROM bench.summary ORDER BY test;
