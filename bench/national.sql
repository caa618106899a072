-- bench/national.sql -- the national scale on one server: closing a month and grading the
-- year for 300,160 people x 12 months, and what of that time is per person (it splits
-- over Citus workers by person_id) and what is per organisation (it stays on one node).
-- Not part of CI; run it with bench/national.sh.  See bench/NATIONAL.md and
-- docs/distributed.md.
--
-- Steps:
--   1. the city (demo.generate_city, one month of task lines) and January's results
--      (cqs.rebuild, timed once: the month's computation);
--   2. months 2-12 fabricated by bench/fabricate_year.sql (the same script as
--      bench/year.sql and bench/one_writer.sql), January's assessments confirmed;
--   3. the organisation-wide pieces timed on their own: leaders' d for the month
--      (cqs._apply_leaders_d over every organisation), the organisations' grades
--      (cqs.grade_organisations) and the quota ranking per using agency x duty group
--      (the same window query grade_year runs, on the graded year), with the number of
--      rows each reads and the number of groups it produces;
--   4. the month close: cqs.lock_period for January, one using agency (root of a cadence)
--      per transaction, as the close_months job does, timed per agency and in total;
--   5. the year: cqs.grade_year(2026), timed (rounds);
--   6. the split: per-person time / N + per-organisation time, for N = 1, 2, 4, 8, 16.
--
-- Variables (psql -v): scale (default 1111: 300,160 people), rounds (default 3),
-- fabricate_quick (default 1: fabricated assessments without their triggers).
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
\if :{?fabricate_quick}
\else
  \set fabricate_quick 1
\endif

SET client_min_messages = warning;
SET plan_cache_mode = force_custom_plan;
CREATE EXTENSION IF NOT EXISTS cqs_eval CASCADE;
SELECT version();
SELECT name, setting, unit FROM pg_settings
 WHERE name IN ('shared_buffers', 'work_mem', 'max_wal_size', 'jit', 'autovacuum', 'max_parallel_workers_per_gather')
 ORDER BY name;
\echo '== load average at start:' `cat /proc/loadavg`

-- ---------------------------------------------------------------------------
-- 1. The city and one month of task lines.
-- ---------------------------------------------------------------------------
\set catalogue_csv `cat demo/catalogue.csv`
\i demo/city.sql
\echo '== generation (scale' :scale ', months => 1, 3 to 7 lines a person, no refresh)'
\timing on
SELECT demo.generate_city(scale => :scale, year => 2026, catalogue_csv => :'catalogue_csv', months => 1,
                          min_lines => 3, max_lines => 7, refresh => false) AS generated;
VACUUM ANALYZE;
CHECKPOINT;
\timing off

CREATE SCHEMA bench;
CREATE TABLE bench.timing (test text, round integer, ms float8, n bigint);
CREATE TABLE bench.facts (what text PRIMARY KEY, n bigint);

-- Each round its own transaction; time from before the statement to after its COMMIT.
CREATE PROCEDURE bench.time_it(test text, stmt text, rounds integer, before text DEFAULT NULL)
LANGUAGE plpgsql AS $$
DECLARE
  t0 timestamptz;
  ms float8;
  n  bigint;
BEGIN
  FOR r IN 1..rounds LOOP
    IF before IS NOT NULL THEN
      EXECUTE before;
    END IF;
    COMMIT;
    t0 := clock_timestamp();
    EXECUTE stmt INTO n;
    COMMIT;
    ms := 1000 * extract(epoch FROM clock_timestamp() - t0);
    INSERT INTO bench.timing VALUES (test, r, ms, n);
    COMMIT;
    RAISE WARNING '% round %: % ms (% rows), load %', test, r, round(ms::numeric, 1), n,
      (SELECT split_part(pg_read_file('/proc/loadavg'), ' ', 1));
  END LOOP;
END $$;

CREATE VIEW bench.summary AS
SELECT test, count(*) AS rounds, min(n) AS n,
       round(min(ms)::numeric, 1) AS min_ms,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms))::numeric, 1) AS median_ms,
       round(max(ms)::numeric, 1) AS max_ms
  FROM bench.timing GROUP BY test;

INSERT INTO bench.facts
SELECT 'people', count(*) FROM cqs.person
UNION ALL SELECT 'organisations', count(*) FROM cqs.organisation
UNION ALL SELECT 'using agencies', count(*) FROM cqs.organisation WHERE kind = 'using_agency'
UNION ALL SELECT 'task lines (January)', count(*) FROM cqs.task_line;
SELECT * FROM bench.facts ORDER BY what;

\echo '== the month computed once: TRUNCATE cqs.period_result; SELECT cqs.rebuild() (1 round)'
CALL bench.time_it('month: rebuild (January, from scratch)', 'SELECT cqs.rebuild()', 1, 'TRUNCATE cqs.period_result');

-- ---------------------------------------------------------------------------
-- 2. The rest of the year (not timed), January's assessments confirmed.
-- ---------------------------------------------------------------------------
\echo '== fabricating months 2-12 (bench/fabricate_year.sql)'
\timing on
\ir fabricate_year.sql
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE cqs.assessment SET status = 'confirmed', self_assessed_at = coalesce(self_assessed_at, period + 32),
                          confirmed_at = coalesce(confirmed_at, period + 35)
 WHERE period = '2026-01-01' AND status <> 'confirmed';
COMMIT;
VACUUM ANALYZE;
CHECKPOINT;
\timing off
INSERT INTO bench.facts
SELECT 'period results (12 months)', count(*) FROM cqs.period_result
UNION ALL SELECT 'assessments', count(*) FROM cqs.assessment;
SELECT status, count(*) FROM cqs.assessment GROUP BY 1 ORDER BY 1;

-- ---------------------------------------------------------------------------
-- 3. The organisation-wide pieces on their own.
-- ---------------------------------------------------------------------------
-- Leaders' d (Art. 15.3) for January, every organisation: what rebuild() and lock_period
-- run after the per-person results.  Idempotent here (results are current): it reads
-- every leader's managed people and changes nothing.
\echo '== organisation-wide: leaders'' d for January (cqs._apply_leaders_d)'
CALL bench.time_it('org-wide: leaders'' d (January)',
                   $$SELECT cqs._apply_leaders_d(NULL, ARRAY[date '2026-01-01'])$$, :rounds);
-- What a coordinator would need for it: per (organisation, month), whether a civil
-- servant there scored under 50 -- one row per organisation and month, from each shard.
INSERT INTO bench.facts
SELECT 'leaders (heads, deputies) in January', count(*) FROM cqs.period_result
 WHERE period = '2026-01-01' AND role <> 'staff' AND person_kind = 'civil_servant'
UNION ALL
SELECT 'leaders'' d input rows: (organisation, field) groups under 50 in January', count(*)
  FROM (SELECT DISTINCT organisation_id, role = 'staff', field FROM cqs.period_result
         WHERE period = '2026-01-01' AND base_total < 50 AND person_kind = 'civil_servant') x;

-- The year graded once (untimed warm-up) so that the quota query has its input.
SELECT cqs.grade_year(2026) AS graded_once;
VACUUM ANALYZE cqs.year_result;

\echo '== organisation-wide: the organisations'' grades (cqs.grade_organisations)'
CALL bench.time_it('org-wide: grade_organisations(2026)', 'SELECT cqs.grade_organisations(2026)', :rounds);

-- The quota (Art. 20.5) per using agency and duty group: grade_year's window query, on the
-- graded year's score grades (grade_year runs it on its work table, after overrides and
-- caps; the shape and the row counts are the same).
\echo '== organisation-wide: the quota ranking per using agency x duty group'
CALL bench.time_it('org-wide: quota ranking (SELECT)', $q$
  WITH cs AS (
    SELECT y.* FROM cqs.year_result y JOIN cqs.person p USING (person_id)
     WHERE y.year = 2026 AND p.kind = 'civil_servant' AND y.score_grade IS NOT NULL
  ), k AS (
    SELECT cs.using_agency_id, cs.duty_group,
           cqs.excellent_quota((count(*) FILTER (WHERE cs.score_grade = 'tot'))::integer,
                               (count(*) FILTER (WHERE cs.score_grade = 'xuat_sac'))::integer, 0.20) AS k
      FROM cs GROUP BY cs.using_agency_id, cs.duty_group
  ), ranked AS (
    SELECT cs.person_id, k.k, rank() OVER w AS rnk
      FROM cs JOIN k USING (using_agency_id, duty_group)
     WHERE cs.score_grade = 'xuat_sac'
    WINDOW w AS (PARTITION BY cs.using_agency_id, cs.duty_group ORDER BY cs.mean_total DESC)
  )
  SELECT count(*) FILTER (WHERE rnk <= k) FROM ranked$q$, :rounds);
INSERT INTO bench.facts
SELECT 'quota groups (using agency x duty group)', count(DISTINCT (using_agency_id, duty_group))
  FROM cqs.year_result WHERE year = 2026
UNION ALL
SELECT 'quota candidates (score grade xuat_sac)', count(*) FROM cqs.year_result
 WHERE year = 2026 AND score_grade = 'xuat_sac';

-- ---------------------------------------------------------------------------
-- 4. Closing January: cqs.lock_period per root of a cadence (using agencies and the
-- organisations whose cadence differs from their parent's), one transaction each, as
-- the close_months job's steps do.  Once (a lock is a record; a second round would
-- find nobody to lock).
-- ---------------------------------------------------------------------------
CREATE TABLE bench.close_plan AS
SELECT pol.organisation_id, cqs.period_start(date '2026-01-01', pol.cadence) AS period, pol.cadence
  FROM cqs.organisation_policies pol
  LEFT JOIN cqs.organisation_policies up ON up.organisation_id = pol.parent_id
 WHERE pol.kind = 'using_agency' OR (up.organisation_id IS NOT NULL AND up.cadence <> pol.cadence);
CREATE TABLE bench.close_steps (organisation_id bigint, period date, people bigint, ms float8);
CREATE PROCEDURE bench.close_month()
LANGUAGE plpgsql AS $$
DECLARE
  s  record;
  t0 timestamptz;
  n  bigint;
BEGIN
  FOR s IN SELECT * FROM bench.close_plan ORDER BY organisation_id LOOP
    COMMIT;
    t0 := clock_timestamp();
    SELECT count(*) INTO n FROM cqs.lock_period(s.organisation_id, s.period, 'bench: month close');
    COMMIT;
    INSERT INTO bench.close_steps VALUES (s.organisation_id, s.period, n,
                                          1000 * extract(epoch FROM clock_timestamp() - t0));
    COMMIT;
  END LOOP;
END $$;
\echo '== closing January: cqs.lock_period per using agency, one transaction each (1 round)'
SELECT clock_timestamp() AS close_t0 \gset
CALL bench.close_month();
INSERT INTO bench.timing
SELECT 'month close: lock_period for every agency (January)', 1,
       1000 * extract(epoch FROM clock_timestamp() - :'close_t0'::timestamptz),
       (SELECT sum(people) FROM bench.close_steps);
SELECT count(*) AS steps, sum(people) AS people_locked, round(sum(ms)::numeric, 1) AS sum_ms,
       round(max(ms)::numeric, 1) AS largest_step_ms, max(people) AS largest_step_people,
       round((sum(ms) / sum(people))::numeric, 4) AS ms_per_person
  FROM bench.close_steps;
SELECT status, count(*) FROM cqs.assessment WHERE period = '2026-01-01' GROUP BY 1 ORDER BY 1;

-- ---------------------------------------------------------------------------
-- 5. Grading the year.
-- ---------------------------------------------------------------------------
VACUUM ANALYZE;
\echo '== the year: VACUUM cqs.year_result; SELECT cqs.grade_year(2026) (' :rounds 'rounds)'
SELECT 'VACUUM cqs.year_result',
       format('CALL bench.time_it(%L, %L, 1)', 'year: grade_year(2026)', 'SELECT cqs.grade_year(2026)')
  FROM generate_series(1, :rounds) \gexec
SELECT count(*) AS graded, count(*) FILTER (WHERE proposed_grade IS NOT NULL) AS proposed,
       count(*) FILTER (WHERE quota_outcome IS NOT NULL) AS quota_candidates
  FROM cqs.year_result WHERE year = 2026;

-- ---------------------------------------------------------------------------
-- 6. Results and the split.
-- ---------------------------------------------------------------------------
\echo '== facts'
SELECT * FROM bench.facts ORDER BY what;
\echo '== timings (ms)'
SELECT * FROM bench.summary ORDER BY test;

-- The split (docs/distributed.md): on N workers holding the shards of person_id, the
-- per-person part runs on every worker at once on 1/N of the people; the organisation-wide
-- part (leaders' d, organisation grades, quota ranking) runs on small per-organisation
-- inputs and is counted whole, on one node.  Month close: per-person = the close's total
-- minus leaders' d; year: per-person = grade_year minus grade_organisations minus the quota
-- ranking.  Network and 2PC costs are not in these figures (no Citus cluster here).
\echo '== the split over N workers (ms): per-person / N + organisation-wide'
WITH m AS (SELECT test, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms FROM bench.timing GROUP BY test),
v AS (
  SELECT (SELECT ms FROM m WHERE test LIKE 'month close%') AS close_ms,
         (SELECT ms FROM m WHERE test LIKE 'org-wide: leaders%') AS leaders_ms,
         (SELECT ms FROM m WHERE test = 'year: grade_year(2026)') AS year_ms,
         (SELECT ms FROM m WHERE test LIKE 'org-wide: grade_org%') AS orgs_ms,
         (SELECT ms FROM m WHERE test LIKE 'org-wide: quota%') AS quota_ms
)
SELECT n AS workers,
       round(((close_ms - leaders_ms) / n + leaders_ms)::numeric) AS month_close_ms,
       round((close_ms / ((close_ms - leaders_ms) / n + leaders_ms))::numeric, 2) AS month_close_speedup,
       round(((year_ms - orgs_ms - quota_ms) / n + orgs_ms + quota_ms)::numeric) AS grade_year_ms,
       round((year_ms / ((year_ms - orgs_ms - quota_ms) / n + orgs_ms + quota_ms))::numeric, 2) AS grade_year_speedup,
       round((100 * leaders_ms / close_ms)::numeric, 2) AS month_org_wide_pct,
       round((100 * (orgs_ms + quota_ms) / year_ms)::numeric, 2) AS year_org_wide_pct
  FROM v, (VALUES (1), (2), (4), (8), (16)) AS w(n)
 ORDER BY n;

SELECT pg_size_pretty(pg_database_size(current_database())) AS database_size,
       pg_size_pretty(pg_total_relation_size('cqs.period_result')) AS period_result_size,
       pg_size_pretty(pg_total_relation_size('cqs.task_line')) AS task_line_size;
\echo '== load average at end:' `cat /proc/loadavg`
