-- bench/year.sql -- grading the year for the benchmark city (~300,000 people):
-- cqs.grade_year(2026) (organisations, then every person: months worked, mean of
-- the monthly totals, overrides, quota per using agency x duty group, heads'
-- caps) against computing the month results once (cqs.rebuild() from scratch
-- for one month of task lines), with a statement-by-statement breakdown
-- of grade_year from auto_explain.  Not part of CI; run it with bench/year.sh.
--
-- Requirement: "Grading the year (scores, overrides, quotas, heads' caps) for the
-- 300,000-person sample city: report the time and its ratio to computing the
-- month results once."  Since grade_year's rewrite (complete, confirmed periods only;
-- time worked as a duration from postings less leave; periods weighted by months
-- worked; overrides -> head cap -> quota): "with every month confirmed: at most 3x the
-- time of one month's from-scratch rebuild measured in the same run".
--
-- Data: demo.generate_city at scale 1111 (270 staff per scale step + 190 fixed =
-- 300,160 people) with ONE month of task lines (3 to 7 lines per civil servant,
-- 5 on average) and no refresh.  cqs.rebuild() is timed on that month.  The
-- other 11 months' period results are then fabricated from January's (totals
-- perturbed by a hash, kept in [0, 100], grade = cqs.classify(total)), so that
-- grade_year reads 12 monthly totals per person (4 quarterly ones in the two
-- quarterly communes), each with a confirmed assessment (the year counts only
-- confirmed periods).  Leave, discipline, overrides, quota decisions and quota
-- choices are added in small, deterministic proportions.
--
-- Variables (psql -v): scale (default 1111), rounds (timed rounds and pairs,
-- default 3), explain (default 1: two more grade_year runs under auto_explain),
-- prototype (default 1: time a set-based months-worked query and check it), logfile
-- (the server log breakdown (a) reads back; default: pg_virtualenv's, next to the data
-- directory).
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
\if :{?explain}
\else
  \set explain 1
\endif
\if :{?prototype}
\else
  \set prototype 1
\endif

SET client_min_messages = warning;
-- grade_year and rebuild run once per session in practice, so their
-- statements get custom plans (the parameters, e.g. the year's dates, are known);
-- this session calls them many times, so force that behaviour rather than let the
-- plan cache switch to generic plans after the fifth call.
SET plan_cache_mode = force_custom_plan;
CREATE EXTENSION IF NOT EXISTS cqs_eval CASCADE;
SELECT version();
SELECT name, setting, unit FROM pg_settings
 WHERE name IN ('shared_buffers', 'work_mem', 'temp_buffers', 'max_wal_size', 'jit', 'autovacuum',
                'max_parallel_workers_per_gather', 'plan_cache_mode')
 ORDER BY name;
\echo '== load average at start:' `cat /proc/loadavg`

-- ---------------------------------------------------------------------------
-- Data: the sample city, one month (January 2026) of task lines, no refresh.
-- ---------------------------------------------------------------------------
\set catalogue_csv `cat demo/catalogue.csv`
\i demo/city.sql
\echo '== generation (demo.generate_city, months => 1, min_lines => 3, max_lines => 7, refresh => false)'
\timing on
SELECT demo.generate_city(scale => :scale, year => 2026, catalogue_csv => :'catalogue_csv', months => 1,
                          min_lines => 3, max_lines => 7, refresh => false) AS generated;
VACUUM ANALYZE;
CHECKPOINT;
\timing off

SELECT (SELECT count(*) FROM cqs.person) AS people,
       (SELECT count(*) FROM cqs.person WHERE kind = 'civil_servant') AS civil_servants,
       (SELECT count(*) FROM cqs.organisation) AS organisations,
       (SELECT count(*) FROM cqs.assessment) AS assessments,
       count(*) AS task_lines, round(count(*)::numeric / count(DISTINCT person_id), 2) AS lines_per_person
  FROM cqs.task_line;

-- ---------------------------------------------------------------------------
-- Timing helper: each round is its own transaction (COMMIT inside the
-- procedure); the time runs from just before the statement to after its COMMIT.
-- ---------------------------------------------------------------------------
CREATE SCHEMA bench;
CREATE TABLE bench.timing (test text, round integer, ms float8, n bigint);

CREATE PROCEDURE bench.time_it(test text, stmt text, rounds integer, before text DEFAULT NULL,
                               first_round integer DEFAULT 1)
LANGUAGE plpgsql AS $$
DECLARE
  t0 timestamptz;
  ms float8;
  n  bigint;
BEGIN
  FOR r IN first_round..first_round + rounds - 1 LOOP
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

-- ---------------------------------------------------------------------------
-- 1. Computing the month results once: cqs.rebuild() from scratch over the
-- one month of task lines (January; Q1 for the two quarterly communes).  The
-- last round leaves January's results in place.
-- ---------------------------------------------------------------------------
\echo '== month results once: TRUNCATE cqs.period_result; SELECT cqs.rebuild() (' :rounds 'rounds)'
CALL bench.time_it('rebuild (one month, from scratch)', 'SELECT cqs.rebuild()', :rounds,
                   'TRUNCATE cqs.period_result');

SELECT period, period_kind, count(*) AS results, count(total) AS with_total, round(avg(total), 2) AS mean_total,
       count(*) FILTER (WHERE grade = 'xuat_sac') AS xuat_sac, count(*) FILTER (WHERE grade = 'tot') AS tot,
       count(*) FILTER (WHERE grade = 'hoan_thanh') AS hoan_thanh,
       count(*) FILTER (WHERE grade = 'khong_hoan_thanh') AS khong_hoan_thanh
  FROM cqs.period_result GROUP BY period, period_kind ORDER BY period, period_kind;

-- ---------------------------------------------------------------------------
-- 2. The rest of the year, fabricated (not timed as part of anything).
-- ---------------------------------------------------------------------------
\echo '== fabricating months 2-12 (quarters 2-4 for quarterly communes), leave, discipline, overrides, quota decisions'
\timing on
\ir fabricate_year.sql

-- Leave (Art. 11.2), from a hash of the person: 0.8 % maternity (6 months),
-- 2.2 % sick (10 to 79 days, some covering whole months; 1 in 20 of them 190 to
-- 249 days), 0.6 % unpaid (1 to 4 whole months; 1 in 10 of them 7 months), 1 %
-- other (1 to 12 days).  Leave running past December is cut by the year.
INSERT INTO cqs.leave_record (person_id, kind, start_date, end_date, note)
SELECT p.person_id, l.kind, l.start_date, l.end_date, 'bench'
  FROM cqs.person p
  CROSS JOIN LATERAL (SELECT demo.h(p.person_id, 335, 1) AS h) x
  CROSS JOIN LATERAL (
    SELECT CASE WHEN x.h % 1000 < 8 THEN 'maternity' WHEN x.h % 1000 < 30 THEN 'sick'
                WHEN x.h % 1000 < 36 THEN 'unpaid' ELSE 'other' END AS kind,
           make_date(2026, 1 + (x.h / 1000 % 12)::integer, 1) + (x.h / 12000 % 3)::integer AS s) k
  CROSS JOIN LATERAL (
    SELECT k.kind, k.s AS start_date,
           CASE k.kind WHEN 'maternity' THEN (k.s + interval '6 months')::date - 1
                       WHEN 'sick' THEN k.s + CASE WHEN x.h / 36000 % 20 = 0 THEN 190 + x.h / 720000 % 60
                                                   ELSE 10 + x.h / 36000 % 70 END::integer
                       WHEN 'unpaid' THEN (date_trunc('month', k.s)
                                           + CASE WHEN x.h / 36000 % 10 = 0 THEN 7 ELSE 1 + x.h / 36000 % 4 END
                                             * interval '1 month')::date - 1
                       ELSE k.s + (x.h / 36000 % 12)::integer END AS end_date) l
 WHERE x.h % 1000 < 46;

-- Discipline (Art. 11.3, 20.4.c): 0.3 % of people, decided in 2026 (reprimand or
-- warning); a third of them also get a Party discipline for the same act (counted
-- once); one in ten is not about public duty (does not force the grade).  0.05 %
-- more were disciplined in 2025 (not counted in 2026).
INSERT INTO cqs.discipline (person_id, kind, level, decision_date, decision_ref, act_ref, act_description,
                            act_organisation_id, public_duty_or_degradation)
SELECT ps.person_id, k.kind, CASE WHEN x.h / 1000 % 4 = 0 THEN 'canh_cao' ELSE 'khien_trach' END,
       make_date(CASE WHEN x.h % 1000 < 3 THEN 2026 ELSE 2025 END, 1 + (x.h / 4000 % 12)::integer, 15)
         + CASE k.kind WHEN 'party' THEN 20 ELSE 0 END,
       'QĐ ' || ps.person_id || '/' || k.kind, 'ACT-' || ps.person_id, 'bench', ps.organisation_id,
       x.h / 48000 % 10 <> 0
  FROM cqs.posting ps
  CROSS JOIN LATERAL (SELECT demo.h(ps.person_id, 335, 2) AS h) x
  CROSS JOIN LATERAL (SELECT 'administrative' AS kind UNION ALL
                      SELECT 'party' WHERE x.h / 480000 % 3 = 0) k
 WHERE x.h % 2000 < 7 AND ps.end_date IS NULL;

-- Other overrides (Art. 20.4.b, 20.4.d, 11.3.b): 0.1 % degradation, 0.05 %
-- violation before discipline, and corruption/waste in the unit for 3 % of heads
-- and deputies (and, ignored by the rule, for 0.05 % of staff).
INSERT INTO cqs.year_override (person_id, year, kind, act_ref, decided_by, decided_on, reference, reason)
SELECT ps.person_id, 2026,
       CASE WHEN x.h % 10000 < 10 THEN 'degradation'
            WHEN x.h % 10000 < 15 THEN 'violation_before_discipline'
            ELSE 'corruption_waste_in_unit' END,
       CASE WHEN x.h % 10000 BETWEEN 10 AND 14 THEN 'OV-' || ps.person_id END,
       'Chủ tịch UBND', make_date(2026, 12, 1), 'KL ' || ps.person_id, 'bench'
  FROM cqs.posting ps
  CROSS JOIN LATERAL (SELECT demo.h(ps.person_id, 335, 3) AS h) x
 WHERE ps.end_date IS NULL
   AND (x.h % 10000 < 20 OR (ps.role IN ('head', 'deputy') AND x.h % 100 < 3));

-- Quota decisions (Art. 20.5.b): 25 % for the civil servants of 5 using agencies
-- (all duty groups) and for the chuyen_mon group of 3 more; 25 % for the
-- organisations the city recognises (Art. 8.5.b).
INSERT INTO cqs.quota_decision (organisation_id, year, for_people, duty_group, rate, decided_by, decided_at, decision_ref)
SELECT o.organisation_id, 2026, true, CASE WHEN o.rn <= 5 THEN '*' ELSE 'chuyen_mon' END, 0.25,
       'Chủ tịch UBND', timestamptz '2026-11-15', 'QĐ quota ' || o.code
  FROM (SELECT organisation_id, code, row_number() OVER (ORDER BY demo.h(organisation_id, 335, 4)) AS rn
          FROM cqs.organisation WHERE kind = 'using_agency') o
 WHERE o.rn <= 8
UNION ALL
SELECT organisation_id, 2026, false, '*', 0.25, 'Chủ tịch UBND', '2026-11-15', 'QĐ quota tổ chức'
  FROM cqs.organisation WHERE parent_id IS NULL;

VACUUM ANALYZE;
CHECKPOINT;
\timing off

SELECT (SELECT count(*) FROM cqs.period_result) AS period_results,
       (SELECT count(DISTINCT person_id) FROM cqs.period_result) AS people_with_results,
       (SELECT count(*) FROM cqs.leave_record) AS leave_records,
       (SELECT string_agg(kind || ' ' || n, ', ' ORDER BY kind)
          FROM (SELECT kind, count(*) AS n FROM cqs.leave_record GROUP BY kind) k) AS leave_by_kind,
       (SELECT count(*) FROM cqs.discipline) AS disciplines,
       (SELECT count(*) FROM cqs.year_override) AS overrides,
       (SELECT count(*) FROM cqs.quota_decision) AS quota_decisions,
       (SELECT count(*) FROM cqs.organisation_year) AS organisation_years,
       pg_size_pretty(pg_total_relation_size('cqs.period_result')) AS period_result_size;
-- Every result of the year has an assessment the evaluator confirmed (Art. 17.2-17.3).
SELECT a.status, count(*) AS assessments, count(r.person_id) AS with_a_result,
       (SELECT count(*) FROM cqs.period_result r2
         WHERE NOT EXISTS (SELECT 1 FROM cqs.assessment a2 WHERE a2.person_id = r2.person_id AND a2.period = r2.period)) AS results_without_assessment,
       (SELECT count(*) FROM cqs.refresh_queue) AS queued
  FROM cqs.assessment a LEFT JOIN cqs.period_result r USING (person_id, period)
 GROUP BY a.status ORDER BY a.status;

-- Quota choices (Art. 20.5): grade once to find the ties at the cut-off, and let
-- the authority settle every other one of them (as an authority would before
-- re-running the grading); the timed runs then see both outcomes.
SELECT cqs.grade_year(2026) AS graded_once;
INSERT INTO cqs.quota_choice (person_id, year, keeps, decided_by, decided_at)
SELECT person_id, 2026, rn % 4 = 1, 'Chủ tịch UBND', '2026-12-20'
  FROM (SELECT person_id, row_number() OVER (ORDER BY person_id) AS rn
          FROM cqs.year_result WHERE year = 2026 AND quota_outcome = 'tie_at_cutoff') t
 WHERE rn % 2 = 1;
SELECT count(*) AS quota_choices FROM cqs.quota_choice;
VACUUM ANALYZE cqs.year_result;
VACUUM ANALYZE cqs.quota_choice;
VACUUM ANALYZE cqs.organisation_year;
CHECKPOINT;

-- ---------------------------------------------------------------------------
-- 3. Grading the year: cqs.grade_year(2026), idempotent, timed.
-- ---------------------------------------------------------------------------
-- Each run rewrites every year_result row (ON CONFLICT DO UPDATE) and autovacuum
-- is off, so year_result is vacuumed before every round (not timed): each round
-- starts from 300,000 live rows and no dead ones, as a re-run would in a database
-- with autovacuum.  The untimed run above is the warm-up.
\echo '== grading the year: VACUUM cqs.year_result; SELECT cqs.grade_year(2026) (' :rounds 'rounds)'
SELECT 'VACUUM cqs.year_result',
       format('CALL bench.time_it(%L, %L, 1, NULL, %s)', 'grade_year(2026)', 'SELECT cqs.grade_year(2026)', r)
  FROM generate_series(1, :rounds) AS r \gexec

\echo '== what the year graded'
SELECT count(*) AS people, count(*) FILTER (WHERE not_graded_reason IS NOT NULL) AS not_graded,
       count(*) FILTER (WHERE months_worked < 12) AS under_12_months,
       count(*) FILTER (WHERE cardinality(override_reasons) > 0) AS overridden,
       count(*) FILTER (WHERE quota_outcome IS NOT NULL) AS quota_candidates,
       count(*) FILTER (WHERE quota_outcome = 'keeps') AS keeps,
       count(*) FILTER (WHERE quota_outcome = 'loses') AS loses,
       count(*) FILTER (WHERE quota_outcome = 'tie_at_cutoff') AS ties,
       count(*) FILTER (WHERE quota_outcome LIKE '%by_authority') AS by_authority,
       count(*) FILTER (WHERE cap_reason LIKE 'Art. 20.6: capped%') AS heads_capped,
       count(*) FILTER (WHERE cap_reason LIKE 'organisation not graded%') AS heads_awaiting_org
  FROM cqs.year_result WHERE year = 2026;
SELECT proposed_grade, count(*), round(avg(mean_total), 2) AS mean_total
  FROM cqs.year_result WHERE year = 2026 GROUP BY proposed_grade ORDER BY proposed_grade NULLS LAST;
-- With every month confirmed, nearly everyone is 'proposed' (the rest: ties awaiting the
-- authority, fewer than 6 months, the generator's late starter whose months have no result).
SELECT status, count(*) FROM cqs.year_results WHERE year = 2026 GROUP BY 1 ORDER BY 2 DESC;
SELECT split_part(not_graded_reason, ':', 1) AS not_graded_because, count(*),
       min(not_graded_reason) AS example
  FROM cqs.year_result WHERE year = 2026 AND not_graded_reason IS NOT NULL GROUP BY 1 ORDER BY 2 DESC;

-- ---------------------------------------------------------------------------
-- 3b. The same two measurements in pairs (rounds pairs): other sessions may share
-- the 2 cores, and their load drifts over minutes, so the ratio is also taken
-- within each pair, a minute apart.  Each pair: delete the results of January's
-- quarter and the fabricated February and March assessments, and vacuum (not timed),
-- cqs.rebuild('2026-01-01', '2026-01-01') (it recomputes the quarter from scratch:
-- January, the only month with records, next to the 9 fabricated months from April;
-- the values come out the same), put the fabricated February and March back --
-- results and assessments -- and vacuum (not timed), grade_year(2026).  The
-- assessments are moved with session_replication_role = replica (no triggers: the same
-- rows go back, nothing is queued or audited); left in place, they would make the
-- rebuild compute February and March as well (from the assessments alone), three
-- months instead of one.  Every year result is graded on the fabricated February and
-- March totals, so the rebuild marks them all stale (one UPDATE of year_result, part of
-- the rebuild's time); grade_year clears it.
-- ---------------------------------------------------------------------------
SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) AS assessment_columns
  FROM pg_attribute WHERE attrelid = 'cqs.assessment'::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
\gset
\echo '== paired rounds: DELETE Q1 results and February-March assessments, VACUUM; rebuild(2026-01-01, 2026-01-01); February and March back, VACUUM; grade_year(2026) (' :rounds 'pairs)'
SELECT 'SET session_replication_role = replica',
       $$DELETE FROM cqs.assessment WHERE period > '2026-01-01' AND period < '2026-04-01'$$,
       'RESET session_replication_role',
       $$DELETE FROM cqs.period_result WHERE period >= '2026-01-01' AND period < '2026-04-01'$$,
       'VACUUM cqs.period_result', 'VACUUM cqs.assessment',
       format('CALL bench.time_it(%L, %L, 1, NULL, %s)', 'paired: rebuild (January, from scratch)',
              $$SELECT cqs.rebuild('2026-01-01', '2026-01-01')$$, r),
       'SET session_replication_role = replica',
       format('INSERT INTO cqs.assessment (%s) SELECT %s FROM bench.fabricated_q1_assessment',
              :'assessment_columns', :'assessment_columns'),
       'RESET session_replication_role',
       'INSERT INTO cqs.period_result SELECT * FROM bench.fabricated_q1',
       'VACUUM ANALYZE cqs.period_result', 'VACUUM ANALYZE cqs.assessment', 'VACUUM cqs.year_result',
       format('CALL bench.time_it(%L, %L, 1, NULL, %s)', 'paired: grade_year(2026)', 'SELECT cqs.grade_year(2026)', r)
  FROM generate_series(1, :rounds) AS r \gexec
SELECT (SELECT count(*) FROM cqs.year_result WHERE year = 2026 AND stale) AS stale_after_pairs,
       (SELECT count(*) FROM cqs.assessment WHERE period > '2026-01-01' AND period < '2026-04-01') AS feb_mar_assessments,
       (SELECT count(*) FROM cqs.refresh_queue) AS queued;
SELECT status, count(*) FROM cqs.year_results WHERE year = 2026 GROUP BY 1 ORDER BY 2 DESC;
SELECT r.round, round(r.ms::numeric, 1) AS rebuild_ms, round(g.ms::numeric, 1) AS grade_year_ms,
       round((g.ms / r.ms)::numeric, 2) AS ratio
  FROM bench.timing r JOIN bench.timing g USING (round)
 WHERE r.test = 'paired: rebuild (January, from scratch)' AND g.test = 'paired: grade_year(2026)'
 ORDER BY r.round;

\echo '== results'
SELECT * FROM bench.summary ORDER BY test DESC;
WITH m AS (SELECT test, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms FROM bench.timing GROUP BY test),
pr AS (SELECT g.ms / r.ms AS ratio FROM bench.timing r JOIN bench.timing g USING (round)
        WHERE r.test = 'paired: rebuild (January, from scratch)' AND g.test = 'paired: grade_year(2026)')
SELECT round(r.ms::numeric, 1) AS rebuild_one_month_ms, round(g.ms::numeric, 1) AS grade_year_ms,
       round((g.ms / r.ms)::numeric, 2) AS "grade_year / rebuild (medians)",
       (SELECT round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ratio))::numeric, 2) FROM pr) AS "median of paired ratios",
       (SELECT round(min(ratio)::numeric, 2) || ' - ' || round(max(ratio)::numeric, 2) FROM pr) AS "paired ratio range",
       g.ms / r.ms <= 3 AND (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ratio) FROM pr) <= 3 AS "at most 3x"
  FROM m r, m g
 WHERE r.test = 'rebuild (one month, from scratch)' AND g.test = 'grade_year(2026)';

-- ---------------------------------------------------------------------------
-- 4. Where the time goes (explain=1): two more grade_year runs under auto_explain
-- with nested statements.
--  a. Every statement inside grade_year of 10 ms or more (log_min_duration 10ms;
--     since the rewrite grade_year calls the SQL function cqs._duration twice per
--     person, and logging every one of those nested statements -- 60,000 plans at
--     scale 111, 600,000 at 1111 -- made the log unreadable in time), with row counts
--     (log_analyze) but without per-node timing (log_timing off: low overhead,
--     the statement durations are real), in JSON to the server log.  The script
--     reads its own server log back (pg_virtualenv's log/postgresql-15-<cluster>.log
--     next to the data directory) and sums the durations per statement.
--  b. The statements of 1 s or more again with per-node timing, printed here
--     as WARNINGs (auto_explain.log_level), for the plans.
-- ---------------------------------------------------------------------------
\if :explain
\if :{?logfile}
\else
SELECT regexp_replace(current_setting('data_directory'), '/data/([0-9]+)/([^/]+)$',
                      '/log/postgresql-\1-\2.log') AS logfile \gset
\endif
SELECT (pg_stat_file(:'logfile', true)).size IS NOT NULL AS have_log,
       coalesce((pg_stat_file(:'logfile', true)).size, 0) AS log_offset \gset
LOAD 'auto_explain';
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_analyze = on;
SET auto_explain.log_buffers = off;
\if :have_log
\echo '== a. grade_year(2026) under auto_explain: every statement of 10 ms or more, rows, no per-node timing'
VACUUM cqs.year_result;
SET auto_explain.log_min_duration = 10;
SET auto_explain.log_timing = off;
SET auto_explain.log_format = json;
SET auto_explain.log_level = 'log';
\timing on
SELECT cqs.grade_year(2026) AS graded_under_auto_explain;
\timing off
SET auto_explain.log_min_duration = -1;
SELECT (pg_stat_file(:'logfile')).size - :log_offset AS log_len \gset
CREATE TABLE bench.explained AS
WITH e AS (  -- each log entry with the next one (its CONTEXT, if any): lead(), not a self-join
  SELECT t.e, t.ord, lead(t.e) OVER (ORDER BY t.ord) AS nxt
    FROM regexp_split_to_table(pg_read_file(:'logfile', :log_offset, :log_len),
                               E'\\n(?=\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d)') WITH ORDINALITY AS t(e, ord)
)
SELECT row_number() OVER (ORDER BY e.ord) AS seq,
       substring(e.e FROM 'duration: ([0-9.]+) ms')::float8 AS ms,
       substring(e.e FROM position('  plan:' IN e.e) + 7)::jsonb AS j,
       CASE WHEN e.nxt ~ ' CONTEXT:  ' THEN substring(e.nxt FROM position('CONTEXT:  ' IN e.nxt) + 10) END AS ctx
  FROM e
 WHERE e.e ~ 'duration: [0-9.]+ ms  plan:';
-- The statements grade_year runs itself (their CONTEXT has one function frame,
-- naming the line of grade_year); the nested ones (grade_organisations' loop, SQL functions) are
-- inside the durations of these.  The rest of the top-level time is plpgsql and
-- the utility statements (CREATE TEMP TABLE, TRUNCATE), which auto_explain does
-- not see.
CREATE VIEW bench.breakdown AS
WITH x AS (
  SELECT seq, ms, regexp_replace(j->>'Query Text', '\s+', ' ', 'g') AS q, j->'Plan' AS plan,
         (j->'JIT'->>'Functions')::integer AS jit_functions,
         substring(ctx FROM 'PL/pgSQL function cqs\.grade_year\(integer\) line ([0-9]+) ')::integer AS line,
         ctx IS NULL AS top,
         (SELECT count(*) FROM regexp_matches(ctx, '(PL/pgSQL function |SQL function ")', 'g')) = 1 AS direct
    FROM bench.explained
)
SELECT line, min(seq) AS first_seq, min(q) AS q, count(*) AS runs, sum(ms) AS ms, sum(jit_functions) AS jit_functions,
       string_agg(DISTINCT plan->>'Node Type', ', ') AS root_node,
       (SELECT sum(ms) FROM x WHERE x.top AND x.q LIKE 'SELECT cqs.grade_year%') AS total_ms
  FROM x WHERE direct AND line IS NOT NULL GROUP BY line;
SELECT line AS "grade_year line", left(q, 100) AS statement, runs, round(ms::numeric, 1) AS ms,
       round((100 * ms / total_ms)::numeric, 1) AS pct, jit_functions, root_node
  FROM bench.breakdown ORDER BY first_seq;
SELECT round(min(total_ms)::numeric, 1) AS grade_year_ms, round(sum(ms)::numeric, 1) AS its_statements_ms,
       round((min(total_ms) - sum(ms))::numeric, 1) AS rest_ms,
       (SELECT count(*) FROM bench.explained) AS statements_logged
  FROM bench.breakdown;
\else
\echo '== (no server log found next to the data directory: statement breakdown skipped)'
\endif
\echo '== b. grade_year(2026) under auto_explain: statements of 1 s or more, with per-node timing'
VACUUM cqs.year_result;
SET auto_explain.log_min_duration = '1s';
SET auto_explain.log_timing = on;
SET auto_explain.log_format = text;
SET auto_explain.log_level = 'warning';
\timing on
SELECT cqs.grade_year(2026) AS graded_under_auto_explain_timing;
\timing off
SET auto_explain.log_min_duration = -1;
\endif

-- ---------------------------------------------------------------------------
-- 5. Months worked and the year score from month masks (prototype=1).  grade_year
-- builds months worked from 3.6 million (person, month) rows (a temporary table
-- _cqs_months since commit 82d33c4; before it, 2 to 5 correlated EXISTS per person
-- and month), and matches each period result against them.  The same results
-- come from one pass over posting and leave_record with a 12-bit month mask per
-- person: bits of the months a posting overlaps, of the months one leave record
-- covers whole.  Timed as a SELECT (median of the rounds) and checked against
-- what grade_year stored: months_worked for every person, and the Art. 11.1
-- "fewer than 6" reason exactly where months < 6 and not sick_or_maternity.
-- ---------------------------------------------------------------------------
\if :prototype
CREATE VIEW bench.months_worked_masks AS
WITH yr AS (SELECT date '2026-01-01' AS first, date '2026-12-31' AS last),
pm AS (
  SELECT p.person_id,
         bit_or(((1 << extract(month FROM least(coalesce(p.end_date, yr.last), yr.last))::integer) - 1)
                - ((1 << (extract(month FROM greatest(p.start_date, yr.first))::integer - 1)) - 1)) AS posted
    FROM cqs.posting p, yr
   WHERE p.start_date <= yr.last AND (p.end_date IS NULL OR p.end_date >= yr.first)
   GROUP BY p.person_id
), lv AS (
  -- the whole months one leave record covers: from the month its first day opens
  -- (or January) to the month its last day closes (or December)
  SELECT l.person_id, l.kind,
         extract(month FROM greatest(l.start_date, yr.first))::integer
           + (extract(day FROM greatest(l.start_date, yr.first)) <> 1)::integer AS mf,
         extract(month FROM least(l.end_date, yr.last))::integer
           - (least(l.end_date, yr.last) <> (date_trunc('month', least(l.end_date, yr.last)) + interval '1 month - 1 day')::date)::integer AS ml
    FROM cqs.leave_record l, yr
   WHERE l.start_date <= yr.last AND l.end_date >= yr.first
), lm AS (
  SELECT person_id, bit_or(((1 << ml) - 1) - ((1 << (mf - 1)) - 1)) AS any_leave,
         coalesce(bit_or(((1 << ml) - 1) - ((1 << (mf - 1)) - 1)) FILTER (WHERE kind IN ('sick', 'maternity')), 0) AS sm_leave
    FROM lv WHERE mf <= ml GROUP BY person_id
)
SELECT pm.person_id, pm.posted & ~coalesce(lm.any_leave, 0) AS worked,
       bit_count((pm.posted & ~coalesce(lm.any_leave, 0))::bit(12))::integer AS months_worked,
       bit_count(((pm.posted & ~coalesce(lm.any_leave, 0)) | coalesce(lm.sm_leave, 0))::bit(12)) >= 6 AS sick_or_maternity
  FROM pm LEFT JOIN lm USING (person_id);

\echo '== prototype: months worked from month masks (SELECT, ' :rounds 'rounds)'
CALL bench.time_it('prototype: months worked from masks (SELECT)',
  'SELECT count(*) FILTER (WHERE sick_or_maternity) + sum(months_worked) FROM bench.months_worked_masks', :rounds);
SELECT count(*) AS people, count(*) FILTER (WHERE m.months_worked IS DISTINCT FROM r.months_worked) AS months_differ,
       count(*) FILTER (WHERE (m.months_worked < 6 AND NOT m.sick_or_maternity)
                              IS DISTINCT FROM coalesce(r.not_graded_reason LIKE 'worked %', false)) AS under_6_rule_differs,
       count(*) FILTER (WHERE m.months_worked < 12) AS under_12_months,
       count(*) FILTER (WHERE m.months_worked < 6) AS under_6_months,
       count(*) FILTER (WHERE m.months_worked < 6 AND m.sick_or_maternity) AS under_6_excused
  FROM bench.months_worked_masks m FULL JOIN cqs.year_result r ON r.person_id = m.person_id AND r.year = 2026;

-- The year score from the same masks: a period result counts when its month (or
-- one month of its quarter) is a worked month -- one hash join on person_id and a
-- bit test, instead of matching every result against the person's months.
CREATE VIEW bench.year_means_masks AS
SELECT r.person_id, count(*)::integer AS months_counted, avg(r.total) AS mean
  FROM cqs.period_result r JOIN bench.months_worked_masks m USING (person_id)
 WHERE r.period BETWEEN '2026-01-01' AND '2026-12-31' AND r.total IS NOT NULL
   AND m.worked & ((CASE r.period_kind WHEN 'quarter' THEN 7 ELSE 1 END)
                   << (extract(month FROM r.period)::integer - 1)) <> 0
 GROUP BY r.person_id;
\echo '== prototype: months counted and mean total from the masks (SELECT, ' :rounds 'rounds)'
CALL bench.time_it('prototype: year means from masks (SELECT)',
  'SELECT count(*) FILTER (WHERE mean > 50) + sum(months_counted) FROM bench.year_means_masks', :rounds);
SELECT count(*) AS people,
       count(*) FILTER (WHERE coalesce(m.months_counted, 0) IS DISTINCT FROM r.months_counted) AS months_counted_differ,
       count(*) FILTER (WHERE round(m.mean, 2) IS DISTINCT FROM r.mean_total) AS mean_total_differs
  FROM cqs.year_result r LEFT JOIN bench.year_means_masks m USING (person_id)
 WHERE r.year = 2026;
SELECT test, median_ms FROM bench.summary WHERE test LIKE 'prototype%' ORDER BY test;

-- grade_year's temporary table _cqs_year gets one new version of all its rows per
-- UPDATE pass (about 10 passes, none prunable inside the transaction) through
-- temp_buffers, 8 MB by default.  The same function in a new session with
-- temp_buffers = 1GB (it can only be set before the session's first temporary
-- table) shows what that costs.
\echo '== grade_year(2026) in a new session with temp_buffers = 1GB (one round)'
\c
SET client_min_messages = warning;
SET plan_cache_mode = force_custom_plan;
SET temp_buffers = '1GB';
SELECT 'VACUUM cqs.year_result',
       format('CALL bench.time_it(%L, %L, 1, NULL, %s)', 'temp_buffers 1GB: grade_year(2026)', 'SELECT cqs.grade_year(2026)', r)
  FROM generate_series(1, 1) AS r \gexec
SELECT * FROM bench.summary WHERE test LIKE '%grade_year%' ORDER BY test;
\endif

\echo '== load average at end:' `cat /proc/loadavg`
