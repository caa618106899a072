-- bench/month_results.sql -- month results of the benchmark city (~300,000 people,
-- ~4.5 million task lines in one month): cqs.refresh_results() from scratch
-- against the bare GROUP BY person floor over the same lines, a statement-by-
-- statement breakdown of refresh_results, and the incremental refresh after one
-- task line changes.  Not part of CI; run it with bench/month_results.sh.
-- The breakdown times a copy of refresh_results statement by statement and checks
-- it against the function's own statements (auto_explain) and results (fingerprint).
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
CREATE EXTENSION IF NOT EXISTS cqs_eval;
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

-- A copy of cqs.refresh_results() (schema/40_results.sql, commit cf60b7b: one pass
-- over the task lines) with a clock between statements.  The statements are the
-- function's own, word for word, including the branch for selected people; this
-- copy runs the whole-database case (person_ids, from_period and to_period NULL),
-- under the function's SET clauses (search_path, jit = off, plan_cache_mode =
-- force_custom_plan).  Every line that is not the function's ends in "-- bench".
-- Keep it in step if refresh_results changes: the part after it checks that the
-- copy writes exactly what the function writes (fingerprint of period_result), and
-- the auto_explain pass below times the function's own statements.
-- The copy runs in two passes: with jit = off as the function (the breakdown),
-- and with jit = on (the only difference), to see what turning JIT off costs or
-- saves per statement.  In the jit = off pass, after the function's statements,
-- it times in the same transaction and not counted in the refresh:
--   c_agg_select     step 1's aggregating SELECT alone, without writing _cqs_agg
--   c_keys_select    step 2's SELECT alone, without writing _cqs_keys
--   c_keys_noindex   step 2's SELECT into a temp table like _cqs_keys without its
--                    primary key
--   c_select         step 6's computing SELECT alone, without writing period_result
--   c_insert_noindex step 6's SELECT into a (logged) table like period_result
--                    without its indexes and CHECK constraint
-- The jit = on pass runs none of these, and times the COMMIT that ends the round.
CREATE TABLE bench.step_timing (variant text, round integer, step integer, name text, ms float8, n bigint);
CREATE TABLE bench.period_result_noindex (LIKE cqs.period_result INCLUDING DEFAULTS);

CREATE FUNCTION bench.lap(p_variant text, p_round integer, p_step integer, p_name text, p_t0 timestamptz, p_n bigint)
RETURNS timestamptz
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO bench.step_timing VALUES (p_variant, p_round, p_step, p_name, 1000 * extract(epoch FROM clock_timestamp() - p_t0), p_n);
  RETURN clock_timestamp();
END $$;

CREATE PROCEDURE bench.refresh_steps(p_round integer, p_jit boolean)
LANGUAGE plpgsql AS $proc$
DECLARE
  person_ids  bigint[] := NULL;  -- bench: the function's parameters
  from_period date := NULL;  -- bench
  to_period   date := NULL;  -- bench
  v_rows  bigint := 0;
  t0      timestamptz;  -- bench
  n       bigint;  -- bench
  v       text := CASE WHEN p_jit THEN 'jit on' ELSE 'jit off' END;  -- bench
BEGIN
  PERFORM set_config('search_path', 'pg_catalog, pg_temp', true);  -- bench: the function's SET clauses
  PERFORM set_config('jit', CASE WHEN p_jit THEN 'on' ELSE 'off' END, true);  -- bench: 'off' as the function, 'on' in the second pass
  PERFORM set_config('plan_cache_mode', 'force_custom_plan', true);  -- bench
  t0 := clock_timestamp();  -- bench
  CREATE TEMP TABLE IF NOT EXISTS _cqs_pol (LIKE cqs.organisation_policies) ON COMMIT DROP;
  TRUNCATE _cqs_pol;
  INSERT INTO _cqs_pol SELECT * FROM cqs.organisation_policies;
  ANALYZE _cqs_pol;
  CREATE TEMP TABLE IF NOT EXISTS _cqs_tree (ancestor_id bigint, descendant_id bigint) ON COMMIT DROP;
  TRUNCATE _cqs_tree;
  INSERT INTO _cqs_tree SELECT ancestor_id, descendant_id FROM cqs.organisation_tree;
  ANALYZE _cqs_tree;
  t0 := bench.lap(v, p_round, 0, '0 _cqs_pol, _cqs_tree: create, fill, ANALYZE', t0, NULL);  -- bench

  -- 1. The ratios of every (person, period) with task lines, in one pass.
  CREATE TEMP TABLE IF NOT EXISTS _cqs_agg (
    person_id bigint, period date, quarterly boolean, line_org bigint, r cqs.ratios) ON COMMIT DROP;
  TRUNCATE _cqs_agg;
  INSERT INTO _cqs_agg
  SELECT tl.person_id,
         CASE WHEN pol.cadence = 'quarterly' THEN date_trunc('quarter', tl.period)::date ELSE tl.period END,
         bool_or(pol.cadence = 'quarterly'), min(tl.organisation_id),
         cqs.task_ratios(tl.assigned_qty, tl.credited_qty, tl.coefficient, tl.quality_deductions,
                         CASE WHEN pol.lateness_mode = 'per_day' THEN tl.late_days_counted
                              ELSE tl.late_occurrences_counted END,
                         tl.counts_in_assigned)
    FROM cqs.task_line tl JOIN _cqs_pol pol ON pol.organisation_id = tl.organisation_id
   WHERE (person_ids IS NULL OR tl.person_id = ANY (person_ids))
     AND (from_period IS NULL OR tl.period >= date_trunc('quarter', from_period))
     AND (to_period IS NULL OR tl.period < date_trunc('quarter', to_period) + interval '3 months')
   GROUP BY 1, 2;
  GET DIAGNOSTICS n = ROW_COUNT;  -- bench
  t0 := bench.lap(v, p_round, 1, '1 aggregate: INSERT INTO _cqs_agg SELECT ... task_ratios ... GROUP BY person, period', t0, n);  -- bench

  -- 2. The periods to compute: those with task lines or an assessment, with the
  -- posting in force in the period's first month (organisation, role, field).
  CREATE TEMP TABLE IF NOT EXISTS _cqs_keys (
    person_id bigint, period date, period_end date, period_kind text, organisation_id bigint,
    person_kind text, role text, field text, PRIMARY KEY (person_id, period)) ON COMMIT DROP;
  TRUNCATE _cqs_keys;
  INSERT INTO _cqs_keys
  SELECT k.person_id, k.period,
         (k.period + CASE WHEN k.quarterly THEN interval '3 months' ELSE interval '1 month' END)::date,
         CASE WHEN k.quarterly THEN 'quarter' ELSE 'month' END,
         coalesce(ps.organisation_id, a.organisation_id, k.line_org), pe.kind,
         coalesce(ps.role, 'staff'), ps.field
    FROM (SELECT coalesce(g.person_id, a2.person_id) AS person_id, coalesce(g.period, a2.period) AS period,
                 coalesce(g.quarterly, pol.cadence = 'quarterly') AS quarterly, g.line_org
            FROM _cqs_agg g
            FULL JOIN (SELECT a3.person_id, a3.period, a3.organisation_id FROM cqs.assessment a3
                        WHERE (person_ids IS NULL OR a3.person_id = ANY (person_ids))
                          AND (from_period IS NULL OR a3.period >= date_trunc('quarter', from_period))
                          AND (to_period IS NULL OR a3.period <= to_period)) a2
              ON a2.person_id = g.person_id AND a2.period = g.period
            LEFT JOIN _cqs_pol pol ON pol.organisation_id = a2.organisation_id) k
    JOIN cqs.person pe ON pe.person_id = k.person_id
    LEFT JOIN cqs.assessment a ON a.person_id = k.person_id AND a.period = k.period
    LEFT JOIN LATERAL (
      SELECT p.organisation_id, p.role, p.field FROM cqs.posting p
       WHERE p.person_id = k.person_id AND p.start_date < k.period + interval '1 month'
         AND (p.end_date IS NULL OR p.end_date >= k.period)
       ORDER BY p.start_date DESC LIMIT 1) ps ON true;
  GET DIAGNOSTICS n = ROW_COUNT;  -- bench
  t0 := bench.lap(v, p_round, 2, '2 keys: INSERT INTO _cqs_keys (aggregate FULL JOIN assessment, person, posting LATERAL)', t0, n);  -- bench

  -- Leaders whose d depends on these people (Art. 15.3): heads of every enclosing
  -- organisation, deputies of the same field.  Only when refreshing selected people.
  IF person_ids IS NOT NULL THEN
    INSERT INTO _cqs_keys (person_id, period, period_end, period_kind, organisation_id, person_kind, role, field)
    SELECT DISTINCT ON (r.person_id, r.period)
           r.person_id, r.period,
           (r.period + CASE r.period_kind WHEN 'quarter' THEN interval '3 months' ELSE interval '1 month' END)::date,
           r.period_kind, r.organisation_id, r.person_kind, r.role, r.field
      FROM _cqs_keys k
      JOIN _cqs_tree t ON t.descendant_id = k.organisation_id
      JOIN cqs.period_result r ON r.organisation_id = t.ancestor_id AND r.period = k.period
                              AND r.person_id <> k.person_id
                              AND (r.role = 'head' OR (r.role = 'deputy' AND r.field = k.field AND k.role = 'staff'))
     WHERE NOT r.locked
    ON CONFLICT DO NOTHING;
    -- their own task lines
    INSERT INTO _cqs_agg
    SELECT tl.person_id,
           CASE WHEN pol.cadence = 'quarterly' THEN date_trunc('quarter', tl.period)::date ELSE tl.period END,
           bool_or(pol.cadence = 'quarterly'), min(tl.organisation_id),
           cqs.task_ratios(tl.assigned_qty, tl.credited_qty, tl.coefficient, tl.quality_deductions,
                           CASE WHEN pol.lateness_mode = 'per_day' THEN tl.late_days_counted
                                ELSE tl.late_occurrences_counted END,
                           tl.counts_in_assigned)
      FROM cqs.task_line tl JOIN _cqs_pol pol ON pol.organisation_id = tl.organisation_id
      JOIN _cqs_keys k ON k.person_id = tl.person_id AND tl.period >= k.period AND tl.period < k.period_end
     WHERE NOT (tl.person_id = ANY (person_ids))
     GROUP BY 1, 2;
  END IF;

  -- Locked periods are final.
  DELETE FROM _cqs_keys k USING cqs.assessment a
   WHERE a.person_id = k.person_id AND a.period = k.period AND a.status = 'locked';
  DELETE FROM _cqs_keys k USING cqs.period_result r
   WHERE r.person_id = k.person_id AND r.period = k.period AND r.locked;
  t0 := bench.lap(v, p_round, 3, '3 leaders of selected people (skipped: whole database); locked: two DELETEs from _cqs_keys', t0, NULL);  -- bench
  ANALYZE _cqs_keys;
  ANALYZE _cqs_agg;
  t0 := bench.lap(v, p_round, 4, '4 ANALYZE _cqs_keys, _cqs_agg', t0, NULL);  -- bench

  -- 3. Ratios, general score, task score and total for everyone (leaders get d
  -- below).  The old rows of these periods are replaced.
  DELETE FROM cqs.period_result r USING _cqs_keys k
   WHERE r.person_id = k.person_id AND r.period = k.period;
  GET DIAGNOSTICS n = ROW_COUNT;  -- bench
  t0 := bench.lap(v, p_round, 5, '5 DELETE FROM cqs.period_result USING _cqs_keys (empty: from scratch)', t0, n);  -- bench
  INSERT INTO cqs.period_result
        (person_id, period, period_kind, organisation_id, person_kind, role, field,
         assigned_units, completed_units, quality_units, progress_units, a, b, c, d, dd, e,
         task_score, general_score, total, grade, note, computed_at)
  SELECT k.person_id, k.period, k.period_kind, k.organisation_id, k.person_kind, k.role, k.field,
         (x.r).assigned_units, (x.r).completed_units, (x.r).quality_units, (x.r).progress_units,
         (x.r).a, (x.r).b, (x.r).c,
         CASE WHEN k.role IN ('head', 'deputy') THEN 100 END,
         CASE WHEN k.role IN ('head', 'deputy') THEN coalesce(a.dd, 100) END,
         CASE WHEN k.role IN ('head', 'deputy') THEN coalesce(a.e, 100) END,
         ts.task_score, g.general, cqs.period_total(g.general, ts.task_score, pol.decimals),
         cqs.classify(cqs.period_total(g.general, ts.task_score, pol.decimals)),
         cqs._period_note(k.person_kind, (x.r).assigned_units, g.general, a.support_quality),
         now()
    FROM _cqs_keys k
    JOIN _cqs_pol pol ON pol.organisation_id = k.organisation_id
    LEFT JOIN _cqs_agg x ON x.person_id = k.person_id AND x.period = k.period
    LEFT JOIN cqs.assessment a ON a.person_id = k.person_id AND a.period = k.period
    CROSS JOIN LATERAL (
      -- Art. 12.1: the evaluator's score counts once confirmed; before that, the self score.
      SELECT CASE WHEN a.status IN ('confirmed', 'locked') THEN a.evaluator_total
                  ELSE a.self_total END AS general) g
    CROSS JOIN LATERAL (
      SELECT cqs._period_task_score(k.person_kind, k.role, (x.r).a, (x.r).b, (x.r).c,
                                    100, coalesce(a.dd, 100), coalesce(a.e, 100),
                                    a.support_quality, a.support_compliance, a.support_efficiency,
                                    pol.cap_mode) AS task_score) ts;
  GET DIAGNOSTICS v_rows = ROW_COUNT;
  t0 := bench.lap(v, p_round, 6, '6 results: INSERT INTO cqs.period_result SELECT ... (plain insert)', t0, v_rows);  -- bench

  -- 3. Leaders' d (Art. 15.3): 100 if every civil servant they manage scored >= 50 in
  -- the period, else 50.  Deputies manage the staff of their field; heads everyone in
  -- their organisation and its sub-units.  One pass over the totals written above is
  -- exact although leaders' totals there still assume d = 100: a leader's real total
  -- can only be lower when their own d is 50, i.e. when someone they manage scored
  -- under 50 -- and every head above them manages that person too.
  UPDATE cqs.period_result r
     SET d = s.d,
         task_score = s.task_score,
         total = cqs.period_total(r.general_score, s.task_score, s.decimals),
         grade = cqs.classify(cqs.period_total(r.general_score, s.task_score, s.decimals))
    FROM (
      SELECT k.person_id, k.period, pol.decimals, dd.d,
             cqs.leader_task_score(r2.a, r2.b, r2.c, dd.d, r2.dd, r2.e, pol.cap_mode) AS task_score
        FROM _cqs_keys k
        JOIN _cqs_pol pol ON pol.organisation_id = k.organisation_id
        JOIN cqs.period_result r2 ON r2.person_id = k.person_id AND r2.period = k.period
        CROSS JOIN LATERAL (
          SELECT CASE WHEN min(m.total) < 50 THEN 50 ELSE 100 END AS d
            FROM _cqs_tree t
            JOIN cqs.period_result m ON m.organisation_id = t.descendant_id AND m.period = k.period
           WHERE t.ancestor_id = k.organisation_id
             AND m.person_id <> k.person_id
             AND m.person_kind = 'civil_servant'
             AND (k.role = 'head' OR (m.role = 'staff' AND m.field IS NOT DISTINCT FROM k.field))) dd
       WHERE k.role IN ('head', 'deputy') AND k.person_kind = 'civil_servant'
    ) s
   WHERE r.person_id = s.person_id AND r.period = s.period;
  GET DIAGNOSTICS n = ROW_COUNT;  -- bench
  t0 := bench.lap(v, p_round, 7, '7 leaders'' d: UPDATE cqs.period_result (one pass)', t0, n);  -- bench

  -- The extra measurements, after the function's own statements so as not to  -- bench
  -- disturb them (same transaction, same temp tables; not part of the refresh).  -- bench
  IF p_jit THEN  -- bench
    RETURN;  -- bench
  END IF;  -- bench
  SELECT count(s) INTO n FROM (  -- bench
    SELECT tl.person_id,  -- bench
           CASE WHEN pol.cadence = 'quarterly' THEN date_trunc('quarter', tl.period)::date ELSE tl.period END,  -- bench
           bool_or(pol.cadence = 'quarterly'), min(tl.organisation_id),  -- bench
           cqs.task_ratios(tl.assigned_qty, tl.credited_qty, tl.coefficient, tl.quality_deductions,  -- bench
                           CASE WHEN pol.lateness_mode = 'per_day' THEN tl.late_days_counted  -- bench
                                ELSE tl.late_occurrences_counted END,  -- bench
                           tl.counts_in_assigned)  -- bench
      FROM cqs.task_line tl JOIN _cqs_pol pol ON pol.organisation_id = tl.organisation_id  -- bench
     GROUP BY 1, 2) s;  -- bench
  t0 := bench.lap(v, p_round, 8, '(c_agg_select: step 1''s SELECT alone, no write)', t0, n);  -- bench
  SELECT count(s) INTO n FROM (  -- bench
  SELECT k.person_id, k.period,  -- bench
         (k.period + CASE WHEN k.quarterly THEN interval '3 months' ELSE interval '1 month' END)::date,  -- bench
         CASE WHEN k.quarterly THEN 'quarter' ELSE 'month' END,  -- bench
         coalesce(ps.organisation_id, a.organisation_id, k.line_org), pe.kind,  -- bench
         coalesce(ps.role, 'staff'), ps.field  -- bench
    FROM (SELECT coalesce(g.person_id, a2.person_id) AS person_id, coalesce(g.period, a2.period) AS period,  -- bench
                 coalesce(g.quarterly, pol.cadence = 'quarterly') AS quarterly, g.line_org  -- bench
            FROM _cqs_agg g  -- bench
            FULL JOIN (SELECT a3.person_id, a3.period, a3.organisation_id FROM cqs.assessment a3  -- bench
                        WHERE (person_ids IS NULL OR a3.person_id = ANY (person_ids))  -- bench
                          AND (from_period IS NULL OR a3.period >= date_trunc('quarter', from_period))  -- bench
                          AND (to_period IS NULL OR a3.period <= to_period)) a2  -- bench
              ON a2.person_id = g.person_id AND a2.period = g.period  -- bench
            LEFT JOIN _cqs_pol pol ON pol.organisation_id = a2.organisation_id) k  -- bench
    JOIN cqs.person pe ON pe.person_id = k.person_id  -- bench
    LEFT JOIN cqs.assessment a ON a.person_id = k.person_id AND a.period = k.period  -- bench
    LEFT JOIN LATERAL (  -- bench
      SELECT p.organisation_id, p.role, p.field FROM cqs.posting p  -- bench
       WHERE p.person_id = k.person_id AND p.start_date < k.period + interval '1 month'  -- bench
         AND (p.end_date IS NULL OR p.end_date >= k.period)  -- bench
       ORDER BY p.start_date DESC LIMIT 1) ps ON true) s;  -- bench
  t0 := bench.lap(v, p_round, 10, '(c_keys_select: step 2''s SELECT alone, no write)', t0, n);  -- bench
  CREATE TEMP TABLE _bench_keys_noindex (LIKE _cqs_keys) ON COMMIT DROP;  -- bench
  t0 := clock_timestamp();  -- bench
  INSERT INTO _bench_keys_noindex  -- bench
  SELECT k.person_id, k.period,  -- bench
         (k.period + CASE WHEN k.quarterly THEN interval '3 months' ELSE interval '1 month' END)::date,  -- bench
         CASE WHEN k.quarterly THEN 'quarter' ELSE 'month' END,  -- bench
         coalesce(ps.organisation_id, a.organisation_id, k.line_org), pe.kind,  -- bench
         coalesce(ps.role, 'staff'), ps.field  -- bench
    FROM (SELECT coalesce(g.person_id, a2.person_id) AS person_id, coalesce(g.period, a2.period) AS period,  -- bench
                 coalesce(g.quarterly, pol.cadence = 'quarterly') AS quarterly, g.line_org  -- bench
            FROM _cqs_agg g  -- bench
            FULL JOIN (SELECT a3.person_id, a3.period, a3.organisation_id FROM cqs.assessment a3  -- bench
                        WHERE (person_ids IS NULL OR a3.person_id = ANY (person_ids))  -- bench
                          AND (from_period IS NULL OR a3.period >= date_trunc('quarter', from_period))  -- bench
                          AND (to_period IS NULL OR a3.period <= to_period)) a2  -- bench
              ON a2.person_id = g.person_id AND a2.period = g.period  -- bench
            LEFT JOIN _cqs_pol pol ON pol.organisation_id = a2.organisation_id) k  -- bench
    JOIN cqs.person pe ON pe.person_id = k.person_id  -- bench
    LEFT JOIN cqs.assessment a ON a.person_id = k.person_id AND a.period = k.period  -- bench
    LEFT JOIN LATERAL (  -- bench
      SELECT p.organisation_id, p.role, p.field FROM cqs.posting p  -- bench
       WHERE p.person_id = k.person_id AND p.start_date < k.period + interval '1 month'  -- bench
         AND (p.end_date IS NULL OR p.end_date >= k.period)  -- bench
       ORDER BY p.start_date DESC LIMIT 1) ps ON true;  -- bench
  GET DIAGNOSTICS n = ROW_COUNT;  -- bench
  t0 := bench.lap(v, p_round, 11, '(c_keys_noindex: step 2 into a temp table without the primary key)', t0, n);  -- bench
  SELECT count(s) INTO n FROM (  -- bench
  SELECT k.person_id, k.period, k.period_kind, k.organisation_id, k.person_kind, k.role, k.field,  -- bench
         (x.r).assigned_units, (x.r).completed_units, (x.r).quality_units, (x.r).progress_units,  -- bench
         (x.r).a, (x.r).b, (x.r).c,  -- bench
         CASE WHEN k.role IN ('head', 'deputy') THEN 100 END,  -- bench
         CASE WHEN k.role IN ('head', 'deputy') THEN coalesce(a.dd, 100) END,  -- bench
         CASE WHEN k.role IN ('head', 'deputy') THEN coalesce(a.e, 100) END,  -- bench
         ts.task_score, g.general, cqs.period_total(g.general, ts.task_score, pol.decimals),  -- bench
         cqs.classify(cqs.period_total(g.general, ts.task_score, pol.decimals)),  -- bench
         cqs._period_note(k.person_kind, (x.r).assigned_units, g.general, a.support_quality),  -- bench
         now()  -- bench
    FROM _cqs_keys k  -- bench
    JOIN _cqs_pol pol ON pol.organisation_id = k.organisation_id  -- bench
    LEFT JOIN _cqs_agg x ON x.person_id = k.person_id AND x.period = k.period  -- bench
    LEFT JOIN cqs.assessment a ON a.person_id = k.person_id AND a.period = k.period  -- bench
    CROSS JOIN LATERAL (  -- bench
      SELECT CASE WHEN a.status IN ('confirmed', 'locked') THEN a.evaluator_total  -- bench
                  ELSE a.self_total END AS general) g  -- bench
    CROSS JOIN LATERAL (  -- bench
      SELECT cqs._period_task_score(k.person_kind, k.role, (x.r).a, (x.r).b, (x.r).c,  -- bench
                                    100, coalesce(a.dd, 100), coalesce(a.e, 100),  -- bench
                                    a.support_quality, a.support_compliance, a.support_efficiency,  -- bench
                                    pol.cap_mode) AS task_score) ts) s;  -- bench
  t0 := bench.lap(v, p_round, 12, '(c_select: step 6''s computing SELECT alone, no write)', t0, n);  -- bench
  TRUNCATE bench.period_result_noindex;  -- bench
  t0 := clock_timestamp();  -- bench
  INSERT INTO bench.period_result_noindex  -- bench
        (person_id, period, period_kind, organisation_id, person_kind, role, field,  -- bench
         assigned_units, completed_units, quality_units, progress_units, a, b, c, d, dd, e,  -- bench
         task_score, general_score, total, grade, note, computed_at)  -- bench
  SELECT k.person_id, k.period, k.period_kind, k.organisation_id, k.person_kind, k.role, k.field,  -- bench
         (x.r).assigned_units, (x.r).completed_units, (x.r).quality_units, (x.r).progress_units,  -- bench
         (x.r).a, (x.r).b, (x.r).c,  -- bench
         CASE WHEN k.role IN ('head', 'deputy') THEN 100 END,  -- bench
         CASE WHEN k.role IN ('head', 'deputy') THEN coalesce(a.dd, 100) END,  -- bench
         CASE WHEN k.role IN ('head', 'deputy') THEN coalesce(a.e, 100) END,  -- bench
         ts.task_score, g.general, cqs.period_total(g.general, ts.task_score, pol.decimals),  -- bench
         cqs.classify(cqs.period_total(g.general, ts.task_score, pol.decimals)),  -- bench
         cqs._period_note(k.person_kind, (x.r).assigned_units, g.general, a.support_quality),  -- bench
         now()  -- bench
    FROM _cqs_keys k  -- bench
    JOIN _cqs_pol pol ON pol.organisation_id = k.organisation_id  -- bench
    LEFT JOIN _cqs_agg x ON x.person_id = k.person_id AND x.period = k.period  -- bench
    LEFT JOIN cqs.assessment a ON a.person_id = k.person_id AND a.period = k.period  -- bench
    CROSS JOIN LATERAL (  -- bench
      -- Art. 12.1: the evaluator's score counts once confirmed; before that, the self score.  -- bench
      SELECT CASE WHEN a.status IN ('confirmed', 'locked') THEN a.evaluator_total  -- bench
                  ELSE a.self_total END AS general) g  -- bench
    CROSS JOIN LATERAL (  -- bench
      SELECT cqs._period_task_score(k.person_kind, k.role, (x.r).a, (x.r).b, (x.r).c,  -- bench
                                    100, coalesce(a.dd, 100), coalesce(a.e, 100),  -- bench
                                    a.support_quality, a.support_compliance, a.support_efficiency,  -- bench
                                    pol.cap_mode) AS task_score) ts;  -- bench
  GET DIAGNOSTICS n = ROW_COUNT;  -- bench
  t0 := bench.lap(v, p_round, 13, '(c_insert_noindex: step 6 into a table like period_result without indexes)', t0, n);  -- bench
END $proc$;

CREATE PROCEDURE bench.refresh_steps_rounds(rounds integer, jit boolean)
LANGUAGE plpgsql AS $$
DECLARE
  t0 timestamptz;
BEGIN
  FOR r IN 0..rounds LOOP
    TRUNCATE cqs.period_result;
    COMMIT;
    CALL bench.refresh_steps(r, jit);
    t0 := clock_timestamp();
    COMMIT;
    IF jit THEN
      -- the round's COMMIT (the function's writes only: no extras in this pass)
      INSERT INTO bench.step_timing VALUES ('jit on', r, 9, '9 COMMIT', 1000 * extract(epoch FROM clock_timestamp() - t0), NULL);
    END IF;
    COMMIT;
  END LOOP;
  DELETE FROM bench.step_timing WHERE round = 0;
END $$;

-- ---------------------------------------------------------------------------
-- From scratch, serial (parallel query off for every statement, so that the
-- floor and the refresh run on one core each; INSERT ... SELECT never runs in
-- parallel in PostgreSQL 15).  The floors run with the session's default jit
-- (on) and again with jit = off; refresh_results sets jit = off itself.
-- ---------------------------------------------------------------------------
SET max_parallel_workers_per_gather = 0;
SET statement_timeout = '12min';   -- a guard: no single statement (or CALL of rounds) runs away
\echo '== from scratch: floors, aggregate, refresh_results() (median of' :rounds 'rounds after a warm-up)'

CALL bench.time_it('a1 floor: GROUP BY person_id, count(*)', $$
  SELECT count(s) FROM (
    SELECT person_id, count(*) FROM cqs.task_line WHERE period = '2026-01-01' GROUP BY person_id) s $$,
  :rounds);
CALL bench.time_it('a2 floor: GROUP BY person_id, count(*), sum(assigned_qty * coefficient)', $$
  SELECT count(s) FROM (
    SELECT person_id, count(*), sum(assigned_qty * coefficient)
      FROM cqs.task_line WHERE period = '2026-01-01' GROUP BY person_id) s $$,
  :rounds);
-- The aggregate as step 1 of refresh_results computes it (the per-line generated
-- columns, the organisation's lateness policy), grouped by person only: no period
-- expression, no keys, no scores, no writes.
CALL bench.time_it('a3 aggregate: GROUP BY person_id, cqs.task_ratios(...) (no keys, no scores)', $$
  SELECT count(s) FROM (
    SELECT tl.person_id,
           cqs.task_ratios(tl.assigned_qty, tl.credited_qty, tl.coefficient, tl.quality_deductions,
                           CASE WHEN pol.lateness_mode = 'per_day' THEN tl.late_days_counted
                                ELSE tl.late_occurrences_counted END,
                           tl.counts_in_assigned) AS r
      FROM cqs.task_line tl JOIN cqs.organisation_policies pol USING (organisation_id)
     WHERE tl.period = '2026-01-01' GROUP BY tl.person_id) s $$,
  :rounds);
CALL bench.time_it('b  refresh: TRUNCATE cqs.period_result; SELECT cqs.refresh_results()',
  'SELECT cqs.refresh_results()', :rounds, 'TRUNCATE cqs.period_result');
SET jit = off;
CALL bench.time_it('a1o floor, jit off: GROUP BY person_id, count(*)', $$
  SELECT count(s) FROM (
    SELECT person_id, count(*) FROM cqs.task_line WHERE period = '2026-01-01' GROUP BY person_id) s $$,
  :rounds);
CALL bench.time_it('a2o floor, jit off: GROUP BY person_id, count(*), sum(assigned_qty * coefficient)', $$
  SELECT count(s) FROM (
    SELECT person_id, count(*), sum(assigned_qty * coefficient)
      FROM cqs.task_line WHERE period = '2026-01-01' GROUP BY person_id) s $$,
  :rounds);
CALL bench.time_it('a3o aggregate, jit off: GROUP BY person_id, cqs.task_ratios(...)', $$
  SELECT count(s) FROM (
    SELECT tl.person_id,
           cqs.task_ratios(tl.assigned_qty, tl.credited_qty, tl.coefficient, tl.quality_deductions,
                           CASE WHEN pol.lateness_mode = 'per_day' THEN tl.late_days_counted
                                ELSE tl.late_occurrences_counted END,
                           tl.counts_in_assigned) AS r
      FROM cqs.task_line tl JOIN cqs.organisation_policies pol USING (organisation_id)
     WHERE tl.period = '2026-01-01' GROUP BY tl.person_id) s $$,
  :rounds);
RESET jit;

SELECT * FROM bench.summary ORDER BY test;

-- Plans of the floors and of a3 (one run each, serial; with costs, so that
-- EXPLAIN also reports JIT).
\echo '== plans: a1 (jit on, then off), a2 and a3 (EXPLAIN ANALYZE, BUFFERS)'
EXPLAIN (ANALYZE, BUFFERS)
SELECT count(s) FROM (
  SELECT person_id, count(*) FROM cqs.task_line WHERE period = '2026-01-01' GROUP BY person_id) s;
SET jit = off;
EXPLAIN (ANALYZE, BUFFERS)
SELECT count(s) FROM (
  SELECT person_id, count(*) FROM cqs.task_line WHERE period = '2026-01-01' GROUP BY person_id) s;
RESET jit;
EXPLAIN (ANALYZE, BUFFERS)
SELECT count(s) FROM (
  SELECT person_id, count(*), sum(assigned_qty * coefficient)
    FROM cqs.task_line WHERE period = '2026-01-01' GROUP BY person_id) s;
EXPLAIN (ANALYZE, BUFFERS)
SELECT count(s) FROM (
  SELECT tl.person_id,
         cqs.task_ratios(tl.assigned_qty, tl.credited_qty, tl.coefficient, tl.quality_deductions,
                         CASE WHEN pol.lateness_mode = 'per_day' THEN tl.late_days_counted
                              ELSE tl.late_occurrences_counted END,
                         tl.counts_in_assigned) AS r
    FROM cqs.task_line tl JOIN cqs.organisation_policies pol USING (organisation_id)
   WHERE tl.period = '2026-01-01' GROUP BY tl.person_id) s;

\echo '== statement by statement (the copy of refresh_results, from scratch; median of' :rounds 'rounds after a warm-up; jit = off as in the function)'
CHECKPOINT;
CALL bench.refresh_steps_rounds(:rounds, false);
-- Fingerprint of what the copy wrote, compared below with the function's own result.
CREATE TABLE bench.fingerprint AS
SELECT 'copy'::text AS source, count(*) AS n,
       sum(hashtext((person_id, period, period_kind, organisation_id, role, field, a, b, c, d, dd, e,
                     task_score, general_score, total, grade, note)::text)::numeric) AS h
  FROM cqs.period_result;
CHECKPOINT;
CALL bench.refresh_steps_rounds(:rounds, true);

WITH s AS (
  SELECT step, name, min(n) AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms
    FROM bench.step_timing WHERE variant = 'jit off' GROUP BY step, name
), f AS (
  SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms FROM bench.timing WHERE test LIKE 'a1 %'
)
SELECT s.name AS step, s.n AS rows, round(s.ms::numeric, 1) AS median_ms,
       CASE WHEN s.name NOT LIKE '(%' THEN round((100 * s.ms / sum(s.ms) FILTER (WHERE s.name NOT LIKE '(%') OVER ())::numeric, 1) END AS pct_of_refresh,
       round((s.ms / f.ms)::numeric, 2) AS x_floor
  FROM s, f ORDER BY s.step;

\echo '== the copy with jit = off (as the function) and with jit = on, per statement (medians)'
SELECT step, name,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE variant = 'jit off'))::numeric, 1) AS jit_off_ms,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE variant = 'jit on'))::numeric, 1) AS jit_on_ms
  FROM bench.step_timing WHERE name NOT LIKE '(%' GROUP BY step, name
UNION ALL
SELECT 99, 'sum of the function''s statements, mean per round (COMMIT not included)',
       round(sum(ms) FILTER (WHERE variant = 'jit off' AND step < 9)::numeric / :rounds, 1),
       round(sum(ms) FILTER (WHERE variant = 'jit on' AND step < 9)::numeric / :rounds, 1)
  FROM bench.step_timing WHERE name NOT LIKE '(%'
 ORDER BY 1;

\echo '== ratios against the floors (medians)'
WITH m AS (SELECT test, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms FROM bench.timing GROUP BY test),
     st AS (SELECT name, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms FROM bench.step_timing
             WHERE variant = 'jit off' GROUP BY name)
SELECT round(a1.ms::numeric, 1) AS floor_count_ms,
       round(a1o.ms::numeric, 1) AS floor_count_jit_off_ms,
       round(a2.ms::numeric, 1) AS floor_numeric_ms,
       round(a3.ms::numeric, 1) AS aggregate_ms,
       round(b.ms::numeric, 1) AS refresh_ms,
       round((SELECT sum(ms) FROM st WHERE name NOT LIKE '(%')::numeric, 1) AS copy_steps_sum_ms,
       round((b.ms / a1.ms)::numeric, 2) AS "refresh/floor_count",
       round((b.ms / a1o.ms)::numeric, 2) AS "refresh/floor_count_jit_off",
       round((b.ms / a2.ms)::numeric, 2) AS "refresh/floor_numeric",
       round((a3.ms / a1.ms)::numeric, 2) AS "aggregate/floor_count",
       round((a3.ms / a2.ms)::numeric, 2) AS "aggregate/floor_numeric",
       round((b.ms / a3.ms)::numeric, 2) AS "refresh/aggregate",
       (b.ms <= 2 * a1.ms) AS "refresh <= 2x floor"
  FROM m a1, m a1o, m a2, m a3, m b
 WHERE a1.test LIKE 'a1 %' AND a1o.test LIKE 'a1o %' AND a2.test LIKE 'a2 %' AND a3.test LIKE 'a3 %'
   AND b.test LIKE 'b %';

-- The function's own statements, from scratch, through auto_explain (nested
-- statements, ANALYZE, BUFFERS), each run rolled back.  First without per-node
-- timing (the statement durations then carry little instrumentation overhead:
-- a check on the copy's breakdown), then with it (per-node times, inflated).
-- The plans go to the client as WARNINGs (psql prints them on stderr).
\echo '== refresh_results() from scratch through auto_explain (nested; ANALYZE, BUFFERS), rolled back: 1) timing off, 2) timing on'
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
SELECT cqs.refresh_results();
ROLLBACK;
SET auto_explain.log_timing = on;
BEGIN;
SELECT cqs.refresh_results();
ROLLBACK;
SET auto_explain.log_min_duration = -1;

-- For reference: the floor with parallel query (2 workers).
\echo '== for reference: floor with 2 parallel workers (2 runs)'
SET max_parallel_workers_per_gather = 2;
\timing on
SELECT count(s) FROM (SELECT person_id, count(*) FROM cqs.task_line WHERE period = '2026-01-01' GROUP BY person_id) s;
SELECT count(s) FROM (SELECT person_id, count(*) FROM cqs.task_line WHERE period = '2026-01-01' GROUP BY person_id) s;
\timing off
SET max_parallel_workers_per_gather = 0;

-- ---------------------------------------------------------------------------
-- Incremental: one task line of one staff member changes.
-- ---------------------------------------------------------------------------
\echo '== incremental: one task line of one staff member changes (cqs.auto_refresh = on)'
TRUNCATE cqs.period_result;
SELECT cqs.refresh_results() AS results_from_scratch;
INSERT INTO bench.fingerprint
SELECT 'refresh_results', count(*),
       sum(hashtext((person_id, period, period_kind, organisation_id, role, field, a, b, c, d, dd, e,
                     task_score, general_score, total, grade, note)::text)::numeric)
  FROM cqs.period_result;
SELECT * FROM bench.fingerprint;
SELECT count(DISTINCT (n, h)) = 1 AS "the bench copy writes what refresh_results writes" FROM bench.fingerprint;
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
       (SELECT count(*) FROM cqs.period_result r JOIN cqs.organisation_tree t ON t.descendant_id = r.organisation_id
         WHERE t.ancestor_id = :upd_dept AND r.period = '2026-01-01') AS results_in_department,
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
-- and its COMMIT; an even number of updates, so the line ends as it started.
CREATE PROCEDURE bench.time_update(test text, line bigint, rounds integer, auto text)
LANGUAGE plpgsql AS $$
DECLARE
  t0 timestamptz;
  ms float8;
BEGIN
  FOR r IN 0..rounds LOOP
    PERFORM set_config('cqs.auto_refresh', auto, false);
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
  PERFORM set_config('cqs.auto_refresh', 'on', false);
END $$;
SELECT (:upd_rounds / 2) * 2 + 1 AS upd_rounds_odd \gset

CREATE VIEW bench.xact_reads AS
SELECT relname, seq_scan, seq_tup_read, idx_scan, idx_tup_fetch, n_tup_ins, n_tup_upd, n_tup_del
  FROM pg_stat_xact_user_tables
 WHERE seq_scan + coalesce(idx_scan, 0) + n_tup_ins + n_tup_upd + n_tup_del > 0
   AND relname NOT IN ('timing', 'before')
 ORDER BY schemaname <> 'cqs', relname;

-- (A) This session, which ran whole-database refreshes above (more than 5).  With
-- the previous code PL/pgSQL's plan cache then switched refresh_results's
-- statements to generic plans, in which "person_ids IS NULL OR tl.person_id =
-- ANY (person_ids)" cannot use an index (1.4 s per UPDATE).  The function now
-- sets plan_cache_mode = force_custom_plan: this checks that it is as fast here
-- as in a new session.
\echo '== (A) the session that ran the whole-database refreshes above'
CALL bench.time_update('u4 UPDATE one line, auto_refresh on, after whole-database refreshes', :upd_line, :upd_rounds_odd, 'on');
SELECT pg_stat_force_next_flush();  -- pg_stat_xact_* below then counts this transaction only
BEGIN;
UPDATE cqs.task_line SET completed_qty = completed_qty - 0.5 WHERE task_line_id = :upd_line;
SELECT * FROM bench.xact_reads;
ROLLBACK;


-- (B) A new session, as an application connection that only edits task lines.
\echo '== (B) new session: timings'
\c
SET client_min_messages = warning;
CALL bench.time_update('u1 UPDATE one line, auto_refresh off (no refresh)', :upd_line, :upd_rounds_odd, 'off');
CALL bench.time_update('u2 UPDATE one line, auto_refresh on (person + leaders refreshed)', :upd_line, :upd_rounds_odd, 'on');
CALL bench.time_it('u3 SELECT cqs.refresh_results(ARRAY[person], month, month)',
  format('SELECT cqs.refresh_results(ARRAY[%s]::bigint[], %L, %L)', :upd_person, '2026-01-01', '2026-01-01'),
  :upd_rounds);
SELECT * FROM bench.summary WHERE test LIKE 'u%' ORDER BY test;

\echo '== (B) what one UPDATE with auto_refresh on reads (pg_stat_xact_user_tables in its transaction)'
SELECT pg_stat_force_next_flush();  -- pg_stat_xact_* below then counts this transaction only
BEGIN;
UPDATE cqs.task_line SET completed_qty = completed_qty - 0.5 WHERE task_line_id = :upd_line;
SELECT * FROM bench.xact_reads;
ROLLBACK;

\echo '== (B) step 1 of refresh_results for the person (the trigger passes the changed months: from = to = 2026-01-01)'
CREATE TEMP TABLE _cqs_pol AS SELECT * FROM cqs.organisation_policies;
ANALYZE _cqs_pol;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT tl.person_id,
       CASE WHEN pol.cadence = 'quarterly' THEN date_trunc('quarter', tl.period)::date ELSE tl.period END,
       bool_or(pol.cadence = 'quarterly'), min(tl.organisation_id),
       cqs.task_ratios(tl.assigned_qty, tl.credited_qty, tl.coefficient, tl.quality_deductions,
                       CASE WHEN pol.lateness_mode = 'per_day' THEN tl.late_days_counted
                            ELSE tl.late_occurrences_counted END,
                       tl.counts_in_assigned)
  FROM cqs.task_line tl JOIN _cqs_pol pol ON pol.organisation_id = tl.organisation_id
 WHERE tl.person_id = ANY (ARRAY[:upd_person]::bigint[])
   AND tl.period >= date_trunc('quarter', '2026-01-01'::date)
   AND tl.period < date_trunc('quarter', '2026-01-01'::date) + interval '3 months'
 GROUP BY 1, 2;
DROP TABLE _cqs_pol;

\echo '== (B) the whole refresh of the person: total buffers, nested statements included'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT cqs.refresh_results(ARRAY[:upd_person]::bigint[], '2026-01-01', '2026-01-01');

\echo '== (B) every statement one UPDATE runs (auto_explain, nested; ANALYZE, BUFFERS), rolled back'
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


-- The line is back to its value: the incremental refreshes must give back the
-- from-scratch results of the person and their leaders.
\echo '== incremental results equal the from-scratch ones'
SELECT count(*) AS rows_compared,
       count(*) FILTER (WHERE (b.a, b.b, b.c, b.d, b.task_score, b.total, b.grade)
                              IS DISTINCT FROM (r.a, r.b, r.c, r.d, r.task_score, r.total, r.grade)) AS rows_differing
  FROM bench.before b JOIN cqs.period_result r USING (person_id, period);

\echo '== all timings (ms)'
SELECT * FROM bench.summary ORDER BY test;
