-- cqs.task_ratios_state: the aggregates' state as a real type, so that a distributed
-- planner (Citus) can ship partial states between nodes (docs/distributed.md).
--   1. the aggregates on it give exactly the plain-NUMERIC formula of the differential test
--      (gen_expected, gen_hits_expected), compared as text, on its 100,000 lines
--      (NUMERIC-fallback groups included), in serial and in forced parallel plans (hashed
--      and sorted).  Until the internal state was removed this file also compared the two
--      states with each other, digit for digit: identical on every group;
--   2. the text form is canonical: state -> text -> state -> text is the identity;
--   3. what Citus does, by hand: partial states per "shard" (the lines split four ways),
--      shipped as text (and as binary through COPY), read back, combined, finalised,
--      equal the one-pass result;
--   4. malformed or impossible states are refused with 22P02 / 22023, never a crash.
-- Uses gen_lines, gen_hits and their expected values from the differential test.

-- 1. The aggregates against the plain-NUMERIC formula.
CREATE TEMP TABLE trs_pairs AS
SELECT g, n.r::text AS new_r, o.r::text AS expected_r, nh.r::text AS new_hits, oh.r::text AS expected_hits
  FROM (SELECT g, cqs.task_ratios(assigned, completed, coef, quality_ded, lateness_ded, counts) AS r
          FROM gen_lines GROUP BY g) n
  FULL JOIN (SELECT g, ROW(assigned_units, completed_units, quality_units, progress_units, a, b, c)::cqs.ratios AS r
               FROM gen_expected) o USING (g)
  FULL JOIN (SELECT g, cqs.task_ratios_by_quantity(assigned, completed, coef, qhits, lhits, counts) AS r
               FROM gen_hits GROUP BY g) nh USING (g)
  FULL JOIN (SELECT g, ROW(assigned_units, completed_units, quality_units, progress_units, a, b, c)::cqs.ratios AS r
               FROM gen_hits_expected) oh USING (g);
SELECT count(*) AS groups,
       count(*) FILTER (WHERE new_r IS DISTINCT FROM expected_r) AS task_ratios_differ,
       count(*) FILTER (WHERE new_hits IS DISTINCT FROM expected_hits) AS by_quantity_differ,
       count(*) FILTER (WHERE g % 50 IN (7, 9)) AS fallback_groups,
       count(*) FILTER (WHERE new_r LIKE '(0,%,,,)') AS g_zero_groups
  FROM trs_pairs;

-- The same in forced parallel plans: the states cross from the workers to the leader as
-- datums of the type (no serial/deserial functions).
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT g, cqs.task_ratios(assigned, completed, coef, quality_ded, lateness_ded, counts) FROM gen_lines GROUP BY g;
CREATE TEMP TABLE trs_parallel_hash AS
SELECT g, cqs.task_ratios(assigned, completed, coef, quality_ded, lateness_ded, counts)::text AS r,
       cqs.task_ratios_by_quantity(assigned, completed, coef, qhits, lhits, counts)::text AS rh
  FROM gen_hits GROUP BY g;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF)
SELECT g, cqs.task_ratios(assigned, completed, coef, quality_ded, lateness_ded, counts) FROM gen_lines GROUP BY g;
CREATE TEMP TABLE trs_parallel_sorted AS
SELECT g, cqs.task_ratios(assigned, completed, coef, quality_ded, lateness_ded, counts)::text AS r,
       cqs.task_ratios_by_quantity(assigned, completed, coef, qhits, lhits, counts)::text AS rh
  FROM gen_hits GROUP BY g;
RESET enable_hashagg;
EXPLAIN (COSTS OFF)
SELECT cqs.task_ratios(assigned, completed, coef, quality_ded, lateness_ded, counts) FROM gen_lines;
SELECT cqs.task_ratios(assigned, completed, coef, quality_ded, lateness_ded, counts)::text AS whole_table_parallel
  FROM gen_lines \gset
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
SELECT count(*) AS groups,
       count(*) FILTER (WHERE h.r IS DISTINCT FROM p.expected_r) AS parallel_hash_differ,
       count(*) FILTER (WHERE s.r IS DISTINCT FROM p.expected_r) AS parallel_sorted_differ,
       count(*) FILTER (WHERE h.rh IS DISTINCT FROM p.expected_hits) AS parallel_hash_by_quantity_differ,
       count(*) FILTER (WHERE s.rh IS DISTINCT FROM p.expected_hits) AS parallel_sorted_by_quantity_differ
  FROM trs_pairs p FULL JOIN trs_parallel_hash h USING (g) FULL JOIN trs_parallel_sorted s USING (g);
SET max_parallel_workers_per_gather = 0;
SELECT :'whole_table_parallel' = (SELECT cqs.task_ratios(assigned, completed, coef, quality_ded,
                                                         lateness_ded, counts)::text FROM gen_lines)
       AS whole_table_same_as_serial;
RESET max_parallel_workers_per_gather;

-- 2. The state itself: an aggregate without a final function gives it (what Citus's
-- worker_partial_agg does).  Text round trip on every group, fallback groups included.
CREATE SCHEMA trs_test;
CREATE AGGREGATE trs_test.partial(numeric, numeric, numeric, integer, integer, boolean) (
  SFUNC = cqs._task_ratios_state_trans, STYPE = cqs.task_ratios_state);
CREATE AGGREGATE trs_test.partial_hits(numeric, numeric, numeric, numeric, numeric, boolean) (
  SFUNC = cqs._task_ratios_state_hits_trans, STYPE = cqs.task_ratios_state);
-- What Citus's coord_combine_agg does on the coordinator: combine the shipped states,
-- then the final function.
CREATE AGGREGATE trs_test.combine(cqs.task_ratios_state) (
  SFUNC = cqs.task_ratios_combine, STYPE = cqs.task_ratios_state, FINALFUNC = cqs.task_ratios_final);

SELECT trs_test.partial(assigned, completed, coef, quality_ded, lateness_ded, counts) AS state
  FROM gen_lines WHERE g IN (0, 1, 3) GROUP BY g ORDER BY g;
SELECT trs_test.partial(12345678901234567890123.45, 1, 1.000000000000000000000000000001, 0, 0, true) AS fallback_state;
SELECT trs_test.partial(x, x, 1, 0, 0, true) AS empty_state FROM (SELECT 1.0 WHERE false) AS v(x);

CREATE TEMP TABLE trs_states AS
SELECT g, trs_test.partial(assigned, completed, coef, quality_ded, lateness_ded, counts) AS s,
       trs_test.partial_hits(assigned, completed, coef, qhits, lhits, counts) AS sh
  FROM gen_hits GROUP BY g;
SELECT count(*) AS states,
       count(*) FILTER (WHERE s::text::cqs.task_ratios_state::text IS DISTINCT FROM s::text) AS text_round_trip_differs,
       count(*) FILTER (WHERE sh::text::cqs.task_ratios_state::text IS DISTINCT FROM sh::text) AS hits_round_trip_differs,
       count(*) FILTER (WHERE cqs.task_ratios_final(s::text::cqs.task_ratios_state)::text
                              IS DISTINCT FROM cqs.task_ratios_final(s)::text) AS final_after_text_differs,
       count(*) FILTER (WHERE length(s::text) > 100) AS long_states
  FROM trs_states;

-- 3. Citus by hand: the lines of each group split over four "shards" ((i / 10000) % 4: the
-- ten lines of a group land on two to four of them), a partial
-- state per group and shard, shipped as text, read back on the "coordinator", combined
-- there, finalised; equal to the one-pass result, group by group.
CREATE TEMP TABLE trs_shipped AS
SELECT g, (i / 10000) % 4 AS shard,
       trs_test.partial(assigned, completed, coef, quality_ded, lateness_ded, counts)::text AS s,
       trs_test.partial_hits(assigned, completed, coef, qhits, lhits, counts)::text AS sh
  FROM gen_hits GROUP BY g, (i / 10000) % 4;
SELECT count(*) AS shipped_states, count(DISTINCT g) AS groups, min(n) AS min_shards_per_group
  FROM trs_shipped JOIN (SELECT g, count(*) AS n FROM trs_shipped GROUP BY g) c USING (g);
CREATE TEMP TABLE trs_combined AS
SELECT g, trs_test.combine(s::cqs.task_ratios_state)::text AS r,
       trs_test.combine(sh::cqs.task_ratios_state)::text AS rh
  FROM trs_shipped GROUP BY g;
SELECT count(*) AS groups,
       count(*) FILTER (WHERE c.r IS DISTINCT FROM p.expected_r) AS combined_differs,
       count(*) FILTER (WHERE c.rh IS DISTINCT FROM p.expected_hits) AS combined_by_quantity_differs
  FROM trs_pairs p FULL JOIN trs_combined c USING (g);
-- The combine function called directly leaves its arguments alone.
SELECT a::text AS a, b::text AS b, cqs.task_ratios_combine(a, b)::text AS a_plus_b, a::text AS a_after
  FROM (VALUES ('(2,10.00,8.00,7.5000,8.0000)'::cqs.task_ratios_state,
                '(1,1.5,1.5,1.125,0.750)'::cqs.task_ratios_state)) AS v(a, b);
-- A NUMERIC-mode state combined with a fixed one, both ways.
SELECT cqs.task_ratios_combine('(1,123456789012345678901234567890123456789.5,1,1,1)', '(1,0.25,0.25,0.25,0.25)')::text AS big_plus_small,
       cqs.task_ratios_combine('(1,0.25,0.25,0.25,0.25)', '(1,123456789012345678901234567890123456789.5,1,1,1)')::text AS small_plus_big;

-- The binary form (Citus 14 ships states in it when the type has send/receive): through
-- COPY ... (FORMAT binary) and back, then combined as above.
CREATE TEMP TABLE trs_binary_out (g integer, shard integer, s cqs.task_ratios_state, sh cqs.task_ratios_state);
INSERT INTO trs_binary_out SELECT g, shard, s::cqs.task_ratios_state, sh::cqs.task_ratios_state FROM trs_shipped;
\copy trs_binary_out TO 'results/task_ratios_state.bin' WITH (FORMAT binary)
CREATE TEMP TABLE trs_binary_in (LIKE trs_binary_out);
\copy trs_binary_in FROM 'results/task_ratios_state.bin' WITH (FORMAT binary)
SELECT count(*) AS groups,
       count(*) FILTER (WHERE c.r IS DISTINCT FROM p.expected_r) AS combined_binary_differs,
       count(*) FILTER (WHERE c.rh IS DISTINCT FROM p.expected_hits) AS combined_binary_by_quantity_differs
  FROM trs_pairs p
  FULL JOIN (SELECT g, trs_test.combine(s)::text AS r, trs_test.combine(sh)::text AS rh
               FROM trs_binary_in GROUP BY g) c USING (g);

-- 4. Malformed and impossible states: an error with its SQLSTATE, never a crash.
CREATE FUNCTION trs_test.try(t text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  RETURN t::cqs.task_ratios_state::text;
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT t AS input, trs_test.try(t) AS result
  FROM (VALUES ('(0,0,0,0,0)'), ('(3,1.50,1.00,0.7500,1.0000)'),
               (''), ('('), ('()'), ('(1,2,3,4)'), ('(1,2,3,4,5,6)'), ('1,2,1,1,1'),
               ('(1,2,1,1,1'), (' (1,2,1,1,1)'), ('(1, 2,1,1,1)'), ('(01,2,1,1,1)'), ('(+1,2,1,1,1)'),
               ('(-1,2,1,1,1)'), ('(1,2.,1,1,1)'), ('(1,.5,0.5,0.5,0.5)'), ('(1,1e3,1,1,1)'),
               ('(1,NaN,1,1,1)'), ('(1,Infinity,1,1,1)'), ('(1,2,1,1,x)'), ('(1,2,1,1,)'),
               ('(1,00.5,0.5,0.5,0.5)'), ('(1,-0.5,0.5,0.5,0.5)'), ('(1,2,1,2,1)'), ('(1,2,1,1,1.01)'),
               ('(0,1,0,0,0)'), ('(99999999999999999999,1,1,1,1)'), ('(1,2,-0,0,0)')) AS v(t);
-- Binary input that is not a state (COPY reads the bytes of a bytea field as the state's
-- binary form): empty, a negative row count, a sum longer than the message, quality
-- units above the completed units.  Each is refused; nothing is loaded.
CREATE TEMP TABLE trs_bad_binary (s cqs.task_ratios_state);
CREATE TEMP TABLE trs_bad_bytes AS
SELECT '\x'::bytea AS empty,
       int8send(-1) || int4send(8) || numeric_send(0) || int4send(8) || numeric_send(0)
         || int4send(8) || numeric_send(0) || int4send(8) || numeric_send(0) AS negative_rows,
       int8send(1) || int4send(1000) || numeric_send(1) AS too_long,
       int8send(1) || int4send(length(numeric_send(2))) || numeric_send(2)
         || int4send(length(numeric_send(1))) || numeric_send(1)
         || int4send(length(numeric_send(2))) || numeric_send(2)
         || int4send(length(numeric_send(1))) || numeric_send(1) AS quality_above_completed,
       cqs._task_ratios_state_send('(1,2,1,0.75,1)') AS good;
\copy (SELECT empty FROM trs_bad_bytes) TO 'results/task_ratios_state_bad.bin' WITH (FORMAT binary)
\copy trs_bad_binary FROM 'results/task_ratios_state_bad.bin' WITH (FORMAT binary)
\copy (SELECT negative_rows FROM trs_bad_bytes) TO 'results/task_ratios_state_bad.bin' WITH (FORMAT binary)
\copy trs_bad_binary FROM 'results/task_ratios_state_bad.bin' WITH (FORMAT binary)
\copy (SELECT too_long FROM trs_bad_bytes) TO 'results/task_ratios_state_bad.bin' WITH (FORMAT binary)
\copy trs_bad_binary FROM 'results/task_ratios_state_bad.bin' WITH (FORMAT binary)
\copy (SELECT quality_above_completed FROM trs_bad_bytes) TO 'results/task_ratios_state_bad.bin' WITH (FORMAT binary)
\copy trs_bad_binary FROM 'results/task_ratios_state_bad.bin' WITH (FORMAT binary)
SELECT count(*) AS bad_binary_rows_loaded FROM trs_bad_binary;
-- The same path loads a good one.
\copy (SELECT good FROM trs_bad_bytes) TO 'results/task_ratios_state_bad.bin' WITH (FORMAT binary)
\copy trs_bad_binary FROM 'results/task_ratios_state_bad.bin' WITH (FORMAT binary)
SELECT s::text AS loaded FROM trs_bad_binary;

DROP SCHEMA trs_test CASCADE;
