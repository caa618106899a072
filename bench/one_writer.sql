-- bench/one_writer.sql -- the SQL parts of the one-writer benchmark (bench/one_writer.sh
-- runs them, in this order, with psql -v part=...; the timed edits and the portal
-- reads are pgbench scripts that one_writer.sh writes).  Not part of CI.
--
--   part=setup      the sample city with ONE month of task lines (January 2026),
--                   cqs.rebuild() of it, the bench schema (people and lines to edit,
--                   organisations to read)
--   part=year       months 2-12 fabricated from January's results (as bench/year.sql
--                   does), then cqs.grade_year(2026)
--   part=explain_edit  one sync UPDATE and one INSERT of a task line under auto_explain
--                   (nested statements, ANALYZE), rolled back
--   part=stats      pg_stat_statements after the sync edits: the statements inside
--                   cqs._write_results and the triggers, by total time
--   part=check      after the concurrent writers: January's results against a
--                   from-scratch cqs.rebuild() (every column but computed_at), the
--                   fabricated months untouched
--   part=rebuild    cqs.rebuild() of January from scratch against the bare
--                   task_ratios GROUP BY person over the same lines; the plans
--                   (auto_explain, nested statements) and the statements of one
--                   rebuild (pg_stat_statements)
--   part=views      rows per view for one organisation in two shapes (every period;
--                   one period, as a portal page asks), and the plans
--   part=pages      the portal pages (one organisation, one period, at most 200 rows,
--                   keyset on person_id, jit = off): bench.page_keys (the keyset starts
--                   the pgbench scripts pick), rows per page and the plans of the
--                   first and a later page for one division
--
-- Variables: part, scale (default 1111 = 300,160 people), min_lines, max_lines
-- (default 12 and 18 task lines per civil servant and month), rounds (default 3).
-- Run from the repository root (the setup reads demo/city.sql and demo/catalogue.csv).
\set ON_ERROR_STOP 1
\pset pager off
\timing off
\if :{?scale}
\else
  \set scale 1111
\endif
\if :{?min_lines}
\else
  \set min_lines 12
\endif
\if :{?max_lines}
\else
  \set max_lines 18
\endif
\if :{?rounds}
\else
  \set rounds 3
\endif
-- The bare aggregate over January's lines (item 3's floor): one row per person, every
-- field of the composite read (count() evaluates its argument), one column out.
\set bare 'SELECT count(*) + count((s.r).assigned_units) + count((s.r).completed_units) + count((s.r).quality_units) + count((s.r).progress_units) + count((s.r).a) + count((s.r).b) + count((s.r).c) FROM (SELECT person_id, cqs.task_ratios(assigned_qty, credited_qty, coefficient, quality_deductions, late_days_counted, counts_in_assigned) AS r FROM cqs.task_line WHERE period = ''2026-01-01'' GROUP BY person_id) s'
-- The periods the writers must not touch (every period from April on), as one fingerprint
-- (row count and the sum of the rows' 64-bit hashes).
\set fingerprint 'SELECT count(*) || '' rows, '' || sum(hashtextextended(x::text, 0)::numeric) FROM (SELECT person_id, period, total, base_total, grade, d, computed_at FROM cqs.period_result WHERE period >= ''2026-04-01'') x'
SET client_min_messages = warning;
SELECT :'part' = 'setup' AS p_setup, :'part' = 'year' AS p_year, :'part' = 'explain_edit' AS p_explain_edit,
       :'part' = 'stats' AS p_stats, :'part' = 'check' AS p_check, :'part' = 'rebuild' AS p_rebuild,
       :'part' = 'views' AS p_views, :'part' = 'before_writers' AS p_before_writers,
       :'part' = 'pages' AS p_pages \gset

-- ===========================================================================
\if :p_setup
CREATE EXTENSION IF NOT EXISTS cqs_eval CASCADE;
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
SELECT version();
SELECT name, setting, unit FROM pg_settings
 WHERE name IN ('shared_buffers', 'work_mem', 'max_wal_size', 'jit', 'autovacuum', 'max_connections',
                'max_parallel_workers_per_gather', 'shared_preload_libraries', 'synchronous_commit')
 ORDER BY name;

\set catalogue_csv `cat demo/catalogue.csv`
\i demo/city.sql
\echo '== generation: demo.generate_city(scale =>' :scale ', months => 1, min_lines =>' :min_lines ', max_lines =>' :max_lines ', refresh => false)'
\timing on
SELECT demo.generate_city(scale => :scale, year => 2026, catalogue_csv => :'catalogue_csv', months => 1,
                          min_lines => :min_lines, max_lines => :max_lines, refresh => false) AS generated;
SELECT * FROM cqs.refresh_status;
\echo '== the month computed: SELECT cqs.rebuild()'
SELECT cqs.rebuild() AS results;
VACUUM ANALYZE;
CHECKPOINT;
\timing off
SELECT (SELECT count(*) FROM cqs.person) AS people,
       (SELECT count(*) FROM cqs.period_result) AS period_results,
       count(*) AS task_lines, round(count(*)::numeric / count(DISTINCT person_id), 2) AS lines_per_person,
       pg_size_pretty(pg_total_relation_size('cqs.task_line')) AS task_line_size
  FROM cqs.task_line;

CREATE SCHEMA bench;
-- Whom the writers edit: every civil servant with task lines in January, numbered 1..n,
-- with their first line (the UPDATE changes its completed_qty; the INSERT copies it).
CREATE TABLE bench.pick AS
SELECT row_number() OVER (ORDER BY person_id)::integer AS n, person_id, min(task_line_id) AS task_line_id
  FROM cqs.task_line tl JOIN cqs.person p USING (person_id)
 WHERE tl.period = '2026-01-01' AND p.kind = 'civil_servant'
 GROUP BY person_id;
ALTER TABLE bench.pick ADD PRIMARY KEY (n);
-- Whom the portals read: every organisation holding results (units, communes, and the
-- departments' own leaders).
CREATE TABLE bench.orgs AS
SELECT row_number() OVER (ORDER BY organisation_id)::integer AS n, organisation_id, count(*) AS results
  FROM cqs.period_result WHERE period = '2026-01-01' GROUP BY organisation_id;
ALTER TABLE bench.orgs ADD PRIMARY KEY (n);
CREATE TABLE bench.timing (test text, round integer, ms float8, n bigint);
CREATE PROCEDURE bench.time_it(test text, stmt text, round integer, before text DEFAULT NULL)
LANGUAGE plpgsql AS $$
DECLARE
  t0 timestamptz;
  ms float8;
  n  bigint;
BEGIN
  IF before IS NOT NULL THEN
    EXECUTE before;
  END IF;
  COMMIT;
  t0 := clock_timestamp();
  EXECUTE stmt INTO n;
  COMMIT;
  ms := 1000 * extract(epoch FROM clock_timestamp() - t0);
  INSERT INTO bench.timing VALUES (test, round, ms, n);
  COMMIT;
  RAISE WARNING '% round %: % ms (% rows), load %', test, round, round(ms::numeric, 1), n,
    (SELECT split_part(pg_read_file('/proc/loadavg'), ' ', 1));
END $$;
CREATE VIEW bench.summary AS
SELECT test, count(*) AS rounds, min(n) AS n,
       round(min(ms)::numeric, 1) AS min_ms,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms))::numeric, 1) AS median_ms,
       round(max(ms)::numeric, 1) AS max_ms
  FROM bench.timing GROUP BY test;
VACUUM ANALYZE bench.pick;
VACUUM ANALYZE bench.orgs;
SELECT (SELECT count(*) FROM bench.pick) AS people_to_edit, (SELECT count(*) FROM bench.orgs) AS organisations_to_read
\gset
\echo '== npick' :people_to_edit 'norgs' :organisations_to_read
\endif

-- ===========================================================================
\if :p_year
\echo '== a year of history: months 2-12 (quarters 2-4 for quarterly communes) fabricated from January'
\timing on
\ir fabricate_year.sql
VACUUM ANALYZE cqs.period_result;
\echo '== the year graded once: SELECT cqs.grade_year(2026) (the year views read it)'
SELECT cqs.grade_year(2026) AS graded;
VACUUM ANALYZE cqs.year_result;
-- grade_distribution is read by using agency.
CREATE TABLE bench.agencies AS
SELECT row_number() OVER (ORDER BY using_agency_id)::integer AS n, using_agency_id AS organisation_id
  FROM (SELECT DISTINCT using_agency_id FROM cqs.year_result) a;
ALTER TABLE bench.agencies ADD PRIMARY KEY (n);
VACUUM ANALYZE bench.agencies;
CHECKPOINT;
\timing off
SELECT count(*) AS period_results, count(DISTINCT period) AS periods,
       pg_size_pretty(pg_total_relation_size('cqs.period_result')) AS period_result_size,
       (SELECT count(*) FROM cqs.year_result) AS year_results
  FROM cqs.period_result;
\endif

-- ===========================================================================
\if :p_explain_edit
-- One sync UPDATE and one INSERT of a task line, every statement inside the triggers
-- and cqs._write_results with its plan and actual rows and times.  Rolled back.
\echo '== one sync edit under auto_explain (log_nested_statements, ANALYZE, timing on), rolled back'
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_analyze = on;
SET auto_explain.log_timing = on;
SET auto_explain.log_buffers = on;
SET auto_explain.log_level = warning;
SET cqs.refresh_mode = sync;
SELECT person_id AS edit_person, task_line_id AS edit_line FROM bench.pick WHERE n = (SELECT max(n) / 2 FROM bench.pick) \gset
\echo '== UPDATE of line' :edit_line 'of person' :edit_person
BEGIN;
\timing on
UPDATE cqs.task_line SET completed_qty = round(assigned_qty * 0.5, 2) WHERE task_line_id = :edit_line;
\timing off
ROLLBACK;
\echo '== INSERT of a copy of line' :edit_line
BEGIN;
\timing on
INSERT INTO cqs.task_line (person_id, organisation_id, period, item_id, similar_item_id, title, coefficient,
                           assigned_qty, deadline, completed_qty, completed_on, quality_failures,
                           late_occurrences, origin)
SELECT person_id, organisation_id, period, item_id, similar_item_id, title, coefficient, assigned_qty, deadline,
       completed_qty, completed_on, quality_failures, late_occurrences, origin
  FROM cqs.task_line WHERE task_line_id = :edit_line;
\timing off
ROLLBACK;
\endif

-- ===========================================================================
\if :p_stats
\echo '== pg_stat_statements after the sync edits (track = all): the top statements by total time'
SELECT calls, round(total_exec_time::numeric, 1) AS total_ms, round(mean_exec_time::numeric, 3) AS mean_ms,
       round((100 * total_exec_time / sum(total_exec_time) FILTER (WHERE toplevel) OVER ())::numeric, 1) AS pct_of_top,
       toplevel AS top, shared_blks_hit + shared_blks_read AS blks,
       left(regexp_replace(query, '\s+', ' ', 'g'), 150) AS query
  FROM pg_stat_statements
 WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
 ORDER BY total_exec_time DESC LIMIT 25;
\endif

-- ===========================================================================
\if :p_before_writers
CREATE TABLE IF NOT EXISTS bench.fingerprint (label text PRIMARY KEY, fingerprint text);
INSERT INTO bench.fingerprint SELECT 'before writers', (:fingerprint)
ON CONFLICT (label) DO UPDATE SET fingerprint = excluded.fingerprint;
SELECT * FROM bench.fingerprint;
\endif

-- ===========================================================================
\if :p_check
-- After the concurrent writers: are January's results exactly what a from-scratch rebuild
-- computes?  cqs.rebuild() of January recomputes its whole quarter, and the fabricated
-- February and March (no records) disappear with it, so the comparison covers period
-- 2026-01-01 (every month and quarter result there), and every other period is compared
-- with the state before the writers (bench.before_writers): the writers must not have
-- touched them.  Then February and March are put back.
\echo '== check: January results after the concurrent writers against cqs.rebuild() of January'
SELECT count(*) AS queued FROM cqs.refresh_queue;
CREATE TABLE bench.after_writers AS
SELECT * FROM cqs.period_result WHERE period = '2026-01-01' ORDER BY person_id, period;
\timing on
SELECT cqs.rebuild('2026-01-01', '2026-01-01') AS rebuilt;
\timing off
CREATE TEMP VIEW w AS
SELECT lock_id, person_id, period, period_kind, organisation_id, person_kind, role, field,
       assigned_units, completed_units, quality_units, progress_units, a, b, c, d, dd, e,
       task_score, general_score, total, base_total, grade, note, lateness_mode, cap_mode, decimals,
       criteria_set_id, computed_version
  FROM bench.after_writers;
CREATE TEMP VIEW r AS
SELECT lock_id, person_id, period, period_kind, organisation_id, person_kind, role, field,
       assigned_units, completed_units, quality_units, progress_units, a, b, c, d, dd, e,
       task_score, general_score, total, base_total, grade, note, lateness_mode, cap_mode, decimals,
       criteria_set_id, computed_version
  FROM cqs.period_result WHERE period = '2026-01-01';
SELECT (SELECT count(*) FROM w) AS after_writers, (SELECT count(*) FROM r) AS rebuilt,
       (SELECT count(*) FROM (SELECT * FROM w EXCEPT ALL SELECT * FROM r) x) AS only_after_writers,
       (SELECT count(*) FROM (SELECT * FROM r EXCEPT ALL SELECT * FROM w) x) AS only_rebuilt,
       -- text form too: a differing display scale of a numeric is a difference
       (SELECT count(*) FROM (SELECT w::text FROM w EXCEPT ALL SELECT r::text FROM r) x) AS text_differs;
SELECT 'after writers' AS side, w.* FROM (SELECT * FROM w EXCEPT ALL SELECT * FROM r) w
UNION ALL
SELECT 'rebuilt', r.* FROM (SELECT * FROM r EXCEPT ALL SELECT * FROM w) r
 ORDER BY person_id, side LIMIT 10;
\echo '== the other periods (April to December): unchanged by the writers'
SELECT f.fingerprint AS before_writers, n.fingerprint AS now, f.fingerprint = n.fingerprint AS unchanged
  FROM bench.fingerprint f, (:fingerprint) AS n(fingerprint) WHERE f.label = 'before writers';
INSERT INTO cqs.period_result SELECT * FROM bench.fabricated_q1 f
 WHERE NOT EXISTS (SELECT 1 FROM cqs.period_result r WHERE r.person_id = f.person_id AND r.period = f.period);
VACUUM ANALYZE cqs.period_result;
\endif

-- ===========================================================================
\if :p_rebuild
-- The month from scratch: each round deletes the results of January's quarter (not
-- timed: the fabricated February and March go with it) and vacuums, then times
-- cqs.rebuild('2026-01-01', '2026-01-01'), and the bare aggregate over January's lines
-- in the same round, with the server's settings (parallel allowed, as the rebuild) and
-- serially.  The bare aggregate's outputs are all consumed.  A diagnostic round
-- repeats the rebuild with the session's jit = off (the function sets none).
\echo '== month rebuild from scratch against the bare task_ratios GROUP BY person (' :rounds 'rounds)'
SELECT format($$CALL bench.time_it('rebuild(2026-01-01): January''s quarter from scratch', 'SELECT cqs.rebuild(''2026-01-01'', ''2026-01-01'')', %s,
                 'DELETE FROM cqs.period_result WHERE period >= ''2026-01-01'' AND period < ''2026-04-01''')$$, r),
       'VACUUM cqs.period_result',
       format($$CALL bench.time_it('bare aggregate, parallel allowed', %L, %s)$$, :'bare', r),
       format($$CALL bench.time_it('bare aggregate, serial', %L, %s, 'SET max_parallel_workers_per_gather = 0')$$, :'bare', r),
       'RESET max_parallel_workers_per_gather',
       -- diagnostic: cqs.rebuild() sets no jit, so the session's applies
       'SET jit = off',
       format($$CALL bench.time_it('diagnostic: rebuild(2026-01-01) with the session''s jit = off', 'SELECT cqs.rebuild(''2026-01-01'', ''2026-01-01'')', %s,
                 'DELETE FROM cqs.period_result WHERE period >= ''2026-01-01'' AND period < ''2026-04-01''')$$, r),
       'RESET jit',
       'VACUUM cqs.period_result'
  FROM generate_series(1, :rounds) AS r \gexec
SELECT * FROM bench.summary WHERE test LIKE 'rebuild%' OR test LIKE 'bare%' OR test LIKE 'diagnostic%' ORDER BY test;
SELECT round((b.median_ms / a.median_ms)::numeric, 2) AS "rebuild / bare (parallel allowed), medians",
       round((b.median_ms / s.median_ms)::numeric, 2) AS "rebuild / bare (serial), medians"
  FROM bench.summary b, bench.summary a, bench.summary s
 WHERE b.test LIKE 'rebuild%' AND a.test = 'bare aggregate, parallel allowed' AND s.test = 'bare aggregate, serial';
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY b.ms / a.ms) AS "median per-round rebuild / bare (parallel allowed)",
       min(b.ms / a.ms) AS min, max(b.ms / a.ms) AS max,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY b.ms / s.ms) AS "median per-round rebuild / bare (serial)"
  FROM bench.timing b JOIN bench.timing a USING (round) JOIN bench.timing s USING (round)
 WHERE b.test LIKE 'rebuild%' AND a.test = 'bare aggregate, parallel allowed' AND s.test = 'bare aggregate, serial';

\echo '== the plans: the bare aggregate, and the rebuild (auto_explain, nested statements, ANALYZE, timing off), rolled back'
EXPLAIN (ANALYZE, TIMING OFF) :bare;
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 10;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_analyze = on;
SET auto_explain.log_timing = off;
SET auto_explain.log_level = warning;
BEGIN;
DELETE FROM cqs.period_result WHERE period >= '2026-01-01' AND period < '2026-04-01';
SELECT cqs.rebuild('2026-01-01', '2026-01-01');
ROLLBACK;
RESET auto_explain.log_min_duration;
SET auto_explain.log_min_duration = -1;
-- Where the rebuild's time goes, per statement (pg_stat_statements, track = all), one
-- more rebuild without auto_explain, rolled back.
BEGIN;
DELETE FROM cqs.period_result WHERE period >= '2026-01-01' AND period < '2026-04-01';
SELECT pg_stat_statements_reset();
\timing on
SELECT cqs.rebuild('2026-01-01', '2026-01-01');
\timing off
ROLLBACK;
\echo '== the statements of one rebuild (pg_stat_statements, track = all), by total time'
SELECT calls, round(total_exec_time::numeric, 1) AS total_ms, toplevel AS top,
       left(regexp_replace(query, '\s+', ' ', 'g'), 160) AS query
  FROM pg_stat_statements
 WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND total_exec_time >= 1
   AND query NOT LIKE '%pg_stat_statements_reset%'
 ORDER BY total_exec_time DESC LIMIT 30;
INSERT INTO cqs.period_result SELECT * FROM bench.fabricated_q1 f
 WHERE NOT EXISTS (SELECT 1 FROM cqs.period_result r WHERE r.person_id = f.person_id AND r.period = f.period);
VACUUM ANALYZE cqs.period_result;
\endif

-- ===========================================================================
\if :p_views
-- Two shapes per view: (a) one organisation, every period; (b) one organisation and one
-- period, as a portal page asks (January, the first quarter, the first half, 2026).
\echo '== how many people the organisations read hold (January results per organisation)'
SELECT count(*) AS organisations, min(results), percentile_disc(0.5) WITHIN GROUP (ORDER BY results) AS median,
       max(results) FROM bench.orgs;
\echo '== rows per view for one organisation (a division: SNV-NV1; its agency SNV for grade_distribution), and the plans'
SELECT organisation_id AS org FROM cqs.organisation WHERE code = 'SNV-NV1' \gset
SELECT organisation_id AS agency FROM cqs.organisation WHERE code = 'SNV' \gset
SELECT 'month_results' AS view, (SELECT count(*) FROM cqs.month_results WHERE organisation_id = :org) AS all_periods,
       (SELECT count(*) FROM cqs.month_results WHERE organisation_id = :org AND year = 2026 AND month = 1) AS one_period
UNION ALL SELECT 'quarter_results', (SELECT count(*) FROM cqs.quarter_results WHERE organisation_id = :org),
       (SELECT count(*) FROM cqs.quarter_results WHERE organisation_id = :org AND year = 2026 AND quarter = 1)
UNION ALL SELECT 'half_year_results', (SELECT count(*) FROM cqs.half_year_results WHERE organisation_id = :org),
       (SELECT count(*) FROM cqs.half_year_results WHERE organisation_id = :org AND year = 2026 AND half = 1)
UNION ALL SELECT 'year_results', (SELECT count(*) FROM cqs.year_results WHERE organisation_id = :org),
       (SELECT count(*) FROM cqs.year_results WHERE organisation_id = :org AND year = 2026)
UNION ALL SELECT 'grade_distribution (the agency)', (SELECT count(*) FROM cqs.grade_distribution WHERE organisation_id = :agency),
       (SELECT count(*) FROM cqs.grade_distribution WHERE organisation_id = :agency AND year = 2026)
UNION ALL SELECT 'form01', (SELECT count(*) FROM cqs.form01 WHERE organisation_id = :org),
       (SELECT count(*) FROM cqs.form01 WHERE organisation_id = :org AND period = '2026-01-01')
UNION ALL SELECT 'form02', (SELECT count(*) FROM cqs.form02 WHERE organisation_id = :org),
       (SELECT count(*) FROM cqs.form02 WHERE organisation_id = :org AND year = 2026);
\set ea 'EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, SUMMARY ON)'
\echo '== (a) month_results, all periods'
:ea SELECT * FROM cqs.month_results WHERE organisation_id = :org;
\echo '== (b) month_results, January 2026'
:ea SELECT * FROM cqs.month_results WHERE organisation_id = :org AND year = 2026 AND month = 1;
\echo '== (a) quarter_results, all periods'
:ea SELECT * FROM cqs.quarter_results WHERE organisation_id = :org;
\echo '== (b) quarter_results, 2026 Q1'
:ea SELECT * FROM cqs.quarter_results WHERE organisation_id = :org AND year = 2026 AND quarter = 1;
\echo '== (a) half_year_results, all periods'
:ea SELECT * FROM cqs.half_year_results WHERE organisation_id = :org;
\echo '== (b) half_year_results, 2026 H1'
:ea SELECT * FROM cqs.half_year_results WHERE organisation_id = :org AND year = 2026 AND half = 1;
\echo '== (a) year_results, all years'
:ea SELECT * FROM cqs.year_results WHERE organisation_id = :org;
\echo '== (b) year_results, 2026'
:ea SELECT * FROM cqs.year_results WHERE organisation_id = :org AND year = 2026;
\echo '== (a) grade_distribution, the agency, all years'
:ea SELECT * FROM cqs.grade_distribution WHERE organisation_id = :agency;
\echo '== (b) grade_distribution, the agency, 2026'
:ea SELECT * FROM cqs.grade_distribution WHERE organisation_id = :agency AND year = 2026;
\echo '== (a) form01, all periods'
:ea SELECT * FROM cqs.form01 WHERE organisation_id = :org;
\echo '== (b) form01, January 2026'
:ea SELECT * FROM cqs.form01 WHERE organisation_id = :org AND period = '2026-01-01';
\echo '== (a) form02, all years'
:ea SELECT * FROM cqs.form02 WHERE organisation_id = :org;
\echo '== (b) form02, 2026'
:ea SELECT * FROM cqs.form02 WHERE organisation_id = :org AND year = 2026;
\endif

-- ===========================================================================
\if :p_pages
-- What a portal serves: one organisation, one period, a page of at most 200 rows in
-- person_id order (the first page, or the page after a person_id), jit = off as for the
-- portal role.  bench.page_keys numbers each organisation's people with January results
-- (k = 1..results); a later page starts after the k-th of them, k uniform in
-- 1 .. max(1, results - 200) so that the page is full where the organisation has more
-- than 200 people.  The pgbench scripts (one_writer.sh) pick an organisation of
-- bench.orgs, then k.
SET jit = off;
DROP TABLE IF EXISTS bench.page_keys;
CREATE TABLE bench.page_keys AS
SELECT organisation_id, row_number() OVER (PARTITION BY organisation_id ORDER BY person_id)::integer AS k, person_id
  FROM (SELECT DISTINCT organisation_id, person_id FROM cqs.period_result WHERE period = '2026-01-01') x;
ALTER TABLE bench.page_keys ADD PRIMARY KEY (organisation_id, k);
VACUUM ANALYZE bench.page_keys;
SELECT count(*) AS organisations, min(results), percentile_disc(0.5) WITHIN GROUP (ORDER BY results) AS median,
       max(results), (SELECT count(*) FROM bench.page_keys) AS keyset_starts FROM bench.orgs;
\echo '== one division (SNV-NV1) and its agency (SNV): rows per page; the later page starts after its median person'
SELECT organisation_id AS org FROM cqs.organisation WHERE code = 'SNV-NV1' \gset
SELECT organisation_id AS agency FROM cqs.organisation WHERE code = 'SNV' \gset
SELECT person_id AS after FROM bench.page_keys
 WHERE organisation_id = :org AND k = (SELECT count(*) / 2 FROM bench.page_keys WHERE organisation_id = :org) \gset
\echo '== org' :org 'agency' :agency 'after' :after
SELECT v.view, v.whole_period, v.first_page, v.later_page FROM (
SELECT 1 AS o, 'month_results' AS view,
       (SELECT count(*) FROM cqs.month_results WHERE organisation_id = :org AND period = '2026-01-01') AS whole_period,
       (SELECT count(*) FROM (SELECT * FROM cqs.month_results WHERE organisation_id = :org AND period = '2026-01-01' ORDER BY person_id LIMIT 200) x) AS first_page,
       (SELECT count(*) FROM (SELECT * FROM cqs.month_results WHERE organisation_id = :org AND period = '2026-01-01' AND person_id > :after ORDER BY person_id LIMIT 200) x) AS later_page
UNION ALL SELECT 2, 'quarter_results',
       (SELECT count(*) FROM cqs.quarter_results WHERE organisation_id = :org AND year = 2026 AND quarter = 1),
       (SELECT count(*) FROM (SELECT * FROM cqs.quarter_results WHERE organisation_id = :org AND year = 2026 AND quarter = 1 ORDER BY person_id LIMIT 200) x),
       (SELECT count(*) FROM (SELECT * FROM cqs.quarter_results WHERE organisation_id = :org AND year = 2026 AND quarter = 1 AND person_id > :after ORDER BY person_id LIMIT 200) x)
UNION ALL SELECT 3, 'half_year_results',
       (SELECT count(*) FROM cqs.half_year_results WHERE organisation_id = :org AND year = 2026 AND half = 1),
       (SELECT count(*) FROM (SELECT * FROM cqs.half_year_results WHERE organisation_id = :org AND year = 2026 AND half = 1 ORDER BY person_id LIMIT 200) x),
       (SELECT count(*) FROM (SELECT * FROM cqs.half_year_results WHERE organisation_id = :org AND year = 2026 AND half = 1 AND person_id > :after ORDER BY person_id LIMIT 200) x)
UNION ALL SELECT 4, 'year_results',
       (SELECT count(*) FROM cqs.year_results WHERE organisation_id = :org AND year = 2026),
       (SELECT count(*) FROM (SELECT * FROM cqs.year_results WHERE organisation_id = :org AND year = 2026 ORDER BY person_id LIMIT 200) x),
       (SELECT count(*) FROM (SELECT * FROM cqs.year_results WHERE organisation_id = :org AND year = 2026 AND person_id > :after ORDER BY person_id LIMIT 200) x)
UNION ALL SELECT 5, 'form02',
       (SELECT count(*) FROM cqs.form02 WHERE organisation_id = :org AND year = 2026),
       (SELECT count(*) FROM (SELECT * FROM cqs.form02 WHERE organisation_id = :org AND year = 2026 ORDER BY person_id LIMIT 200) x),
       (SELECT count(*) FROM (SELECT * FROM cqs.form02 WHERE organisation_id = :org AND year = 2026 AND person_id > :after ORDER BY person_id LIMIT 200) x)
UNION ALL SELECT 6, 'form01 (sub-items)',
       (SELECT count(*) FROM cqs.form01 WHERE organisation_id = :org AND period = '2026-01-01'),
       (SELECT count(*) FROM (SELECT * FROM cqs.form01 WHERE organisation_id = :org AND period = '2026-01-01' ORDER BY person_id, position LIMIT 200) x),
       (SELECT count(*) FROM (SELECT * FROM cqs.form01 WHERE organisation_id = :org AND period = '2026-01-01' AND person_id > :after ORDER BY person_id, position LIMIT 200) x)
UNION ALL SELECT 7, 'grade_distribution (the agency, 2026, every row)',
       (SELECT count(*) FROM cqs.grade_distribution WHERE organisation_id = :agency AND year = 2026), NULL, NULL
) v ORDER BY v.o;
\set ea 'EXPLAIN (ANALYZE, BUFFERS, SUMMARY ON)'
\echo '== month_results, first page'
:ea SELECT * FROM cqs.month_results WHERE organisation_id = :org AND period = '2026-01-01' ORDER BY person_id LIMIT 200;
\echo '== month_results, later page'
:ea SELECT * FROM cqs.month_results WHERE organisation_id = :org AND period = '2026-01-01' AND person_id > :after ORDER BY person_id LIMIT 200;
\echo '== quarter_results, first page'
:ea SELECT * FROM cqs.quarter_results WHERE organisation_id = :org AND year = 2026 AND quarter = 1 ORDER BY person_id LIMIT 200;
\echo '== quarter_results, later page'
:ea SELECT * FROM cqs.quarter_results WHERE organisation_id = :org AND year = 2026 AND quarter = 1 AND person_id > :after ORDER BY person_id LIMIT 200;
\echo '== half_year_results, first page'
:ea SELECT * FROM cqs.half_year_results WHERE organisation_id = :org AND year = 2026 AND half = 1 ORDER BY person_id LIMIT 200;
\echo '== half_year_results, later page'
:ea SELECT * FROM cqs.half_year_results WHERE organisation_id = :org AND year = 2026 AND half = 1 AND person_id > :after ORDER BY person_id LIMIT 200;
\echo '== year_results, first page'
:ea SELECT * FROM cqs.year_results WHERE organisation_id = :org AND year = 2026 ORDER BY person_id LIMIT 200;
\echo '== year_results, later page'
:ea SELECT * FROM cqs.year_results WHERE organisation_id = :org AND year = 2026 AND person_id > :after ORDER BY person_id LIMIT 200;
\echo '== form02, first page'
:ea SELECT * FROM cqs.form02 WHERE organisation_id = :org AND year = 2026 ORDER BY person_id LIMIT 200;
\echo '== form02, later page'
:ea SELECT * FROM cqs.form02 WHERE organisation_id = :org AND year = 2026 AND person_id > :after ORDER BY person_id LIMIT 200;
\echo '== form01, first page'
:ea SELECT * FROM cqs.form01 WHERE organisation_id = :org AND period = '2026-01-01' ORDER BY person_id, position LIMIT 200;
\echo '== form01, later page'
:ea SELECT * FROM cqs.form01 WHERE organisation_id = :org AND period = '2026-01-01' AND person_id > :after ORDER BY person_id, position LIMIT 200;
\echo '== grade_distribution, the agency, 2026'
:ea SELECT * FROM cqs.grade_distribution WHERE organisation_id = :agency AND year = 2026;
\endif
