-- Partial (parallel) aggregation returns exactly what the serial plan returns,
-- including groups where G = 0, groups with no completed quantity at all, and
-- groups whose FILTER leaves no row (aggregate over no rows -> NULL).
-- Uses gen_lines from the differential test.
ALTER TABLE gen_lines SET (parallel_workers = 2);
ANALYZE gen_lines;

CREATE VIEW gen_grouped AS
SELECT g,
       cqs.task_ratios(assigned, completed, coef, quality_ded, lateness_ded, counts) AS r,
       cqs.task_ratios(assigned, completed, coef, quality_ded, lateness_ded, counts)
         FILTER (WHERE g % 100 = 5) AS filtered
  FROM gen_lines GROUP BY g;

-- Serial plan.
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial_result AS SELECT g, r::text AS r, filtered::text AS filtered FROM gen_grouped;
CREATE TEMP TABLE serial_whole AS
SELECT cqs.task_ratios(assigned, completed, coef, quality_ded, lateness_ded, counts)::text AS r
  FROM gen_lines;

-- Parallel plan, forced.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;   -- all rows go through workers' partial states
SET enable_hashagg = on;
EXPLAIN (COSTS OFF) SELECT g, r::text, filtered::text FROM gen_grouped;
CREATE TEMP TABLE parallel_result AS SELECT g, r::text AS r, filtered::text AS filtered FROM gen_grouped;

-- Sorted partial aggregation too.
SET enable_hashagg = off;
EXPLAIN (COSTS OFF) SELECT g, r::text, filtered::text FROM gen_grouped;
CREATE TEMP TABLE parallel_sorted AS SELECT g, r::text AS r, filtered::text AS filtered FROM gen_grouped;
RESET enable_hashagg;

SELECT (SELECT count(*) FROM serial_result) AS groups,
       (SELECT count(*) FROM (SELECT * FROM serial_result EXCEPT SELECT * FROM parallel_result) d) AS serial_not_parallel,
       (SELECT count(*) FROM (SELECT * FROM parallel_result EXCEPT SELECT * FROM serial_result) d) AS parallel_not_serial,
       (SELECT count(*) FROM (SELECT * FROM serial_result EXCEPT SELECT * FROM parallel_sorted) d) AS serial_not_sorted,
       (SELECT count(*) FROM (SELECT * FROM parallel_sorted EXCEPT SELECT * FROM serial_result) d) AS sorted_not_serial;

-- The edge groups are in the comparison.
SELECT count(*) FILTER (WHERE filtered IS NULL) AS empty_filter_groups,
       count(*) FILTER (WHERE r LIKE '(0,%,,,)') AS g_zero_groups,
       count(*) FILTER (WHERE g % 100 = 1) AS all_null_completed_groups
  FROM parallel_result;

-- Whole-table aggregate, no grouping: one partial state per worker.
SET enable_hashagg = on;
EXPLAIN (COSTS OFF)
SELECT cqs.task_ratios(assigned, completed, coef, quality_ded, lateness_ded, counts) FROM gen_lines;
SELECT cqs.task_ratios(assigned, completed, coef, quality_ded, lateness_ded, counts)::text
       = (SELECT r FROM serial_whole) AS whole_table_same
  FROM gen_lines;
RESET ALL;
DROP VIEW gen_grouped;
