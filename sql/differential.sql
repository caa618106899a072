-- Differential test: cqs.task_ratios equals a plain-SQL NUMERIC computation of the
-- same formula (Art. 14, 18.1.d), field by field and digit for digit (text
-- equality, so even the display scale must agree), on 100,000 generated lines in
-- 10,000 groups.  Values are derived from hashes, so the data are the same on
-- every run.  About 2% of the groups carry magnitudes or scales beyond 128-bit
-- fixed point, which exercises the aggregate's NUMERIC fallback.
CREATE TABLE gen_lines AS
WITH h AS (
  SELECT i, i % 10000 AS g,
         abs(hashint4(i)) AS h1, abs(hashint4(i + 1000003)) AS h2,
         abs(hashint4(i + 2000003)) AS h3, abs(hashint4(i + 3000017)) AS h4
    FROM generate_series(1, 100000) AS i
)
SELECT i, g,
       -- assigned quantity with 0 to 3 decimals; huge in the fallback groups
       CASE WHEN g % 50 = 7 THEN (h1 % 1000)::numeric * 1e25 + 0.01
            ELSE round((h1 % 5000)::numeric / 100, h1 % 4) END AS assigned,
       -- completed: NULL for 5% of lines and for every line of groups 1 mod 100
       CASE WHEN h2 % 20 = 0 OR g % 100 = 1 THEN NULL
            ELSE round((h2 % 6000)::numeric / 100, h2 % 3) END AS completed,
       -- coefficient > 0, 1 to 4 decimals; 30 decimals in the fallback groups
       CASE WHEN g % 50 = 9 THEN 1 + (h3 % 1000)::numeric / 1e30
            ELSE round((1 + h3 % 200)::numeric / 10, 1 + h3 % 4) END AS coef,
       CASE WHEN h4 % 10 = 0 THEN NULL ELSE (h4 / 10) % 7 END AS quality_ded,
       CASE WHEN h4 % 13 = 0 THEN NULL ELSE (h4 / 100) % 9 END AS lateness_ded,
       -- taken-over and ad-hoc lines (outside G); every line of groups 3 mod 100
       NOT (h1 % 10 = 0 OR g % 100 = 3) AS counts
  FROM h;

SELECT count(*) AS lines, count(DISTINCT g) AS groups,
       count(*) FILTER (WHERE completed IS NULL) AS null_completed,
       count(*) FILTER (WHERE NOT counts) AS outside_g
  FROM gen_lines;

CREATE TABLE gen_expected AS
SELECT g, assigned_units, completed_units, quality_units, progress_units,
       100 * completed_units / nullif(assigned_units, 0) AS a,
       100 * quality_units / nullif(assigned_units, 0) AS b,
       100 * progress_units / nullif(assigned_units, 0) AS c
  FROM (SELECT g,
               coalesce(sum(assigned * coef) FILTER (WHERE counts), 0) AS assigned_units,
               sum(coalesce(completed, 0) * coef) AS completed_units,
               sum(coalesce(completed, 0) * coef
                   * greatest(0.00, 1.00 - 0.25 * coalesce(quality_ded, 0))) AS quality_units,
               sum(coalesce(completed, 0) * coef
                   * greatest(0.00, 1.00 - 0.25 * coalesce(lateness_ded, 0))) AS progress_units
          FROM gen_lines GROUP BY g) s;

CREATE TABLE gen_actual AS
SELECT g, (r).* FROM (
  SELECT g, cqs.task_ratios(assigned, completed, coef, quality_ded, lateness_ded, counts) AS r
    FROM gen_lines GROUP BY g) s;

-- Every field of every group, compared as text: 0 mismatches expected.
SELECT count(*) AS groups_compared,
       count(*) FILTER (WHERE e.assigned_units::text  IS DISTINCT FROM x.assigned_units::text)  AS bad_assigned,
       count(*) FILTER (WHERE e.completed_units::text IS DISTINCT FROM x.completed_units::text) AS bad_completed,
       count(*) FILTER (WHERE e.quality_units::text   IS DISTINCT FROM x.quality_units::text)   AS bad_quality,
       count(*) FILTER (WHERE e.progress_units::text  IS DISTINCT FROM x.progress_units::text)  AS bad_progress,
       count(*) FILTER (WHERE e.a::text IS DISTINCT FROM x.a::text) AS bad_a,
       count(*) FILTER (WHERE e.b::text IS DISTINCT FROM x.b::text) AS bad_b,
       count(*) FILTER (WHERE e.c::text IS DISTINCT FROM x.c::text) AS bad_c
  FROM gen_expected e FULL JOIN gen_actual x USING (g);

-- The special groups are really there: G = 0 gives NULL ratios, never 0 or 100.
SELECT count(*) FILTER (WHERE assigned_units = 0) AS g_zero_groups,
       count(*) FILTER (WHERE assigned_units = 0 AND a IS NULL AND b IS NULL AND c IS NULL) AS g_zero_null_ratios,
       count(*) FILTER (WHERE completed_units = 0 AND assigned_units > 0) AS nothing_completed,
       count(*) FILTER (WHERE a > 100) AS over_100_percent,
       count(*) FILTER (WHERE assigned_units > 1e30 OR length(coef_text) > 30) AS fallback_groups
  FROM gen_actual
  LEFT JOIN (SELECT g, max(coef::text) AS coef_text FROM gen_lines GROUP BY g) c USING (g);

-- A single-row check of the fallback path against hand-written NUMERIC.
SELECT (r).assigned_units = 12345678901234567890123.45 * 1.000000000000000000000000000001 AS exact_big
  FROM (SELECT cqs.task_ratios(12345678901234567890123.45, 1, 1.000000000000000000000000000001, 0, 0, true) AS r) s;

-- cqs.task_ratios_by_quantity (deductions hitting part of a line, DOMAIN §3) against
-- its plain-NUMERIC formula coef * GREATEST(completed * 1.00 - 0.25 * hits, 0), on the
-- same lines with hit quantities of 0 to 3 decimals (some beyond the completed
-- quantity, some NULL), digit for digit; and n deductions on the whole line (hits = n x
-- completed) give exactly cqs.task_ratios.
CREATE TABLE gen_hits AS
SELECT l.*,
       CASE WHEN l.quality_ded IS NULL THEN NULL
            ELSE round((abs(hashint4(l.i + 4000037)) % 9000)::numeric / 1000, abs(hashint4(l.i + 4000037)) % 4) END AS qhits,
       CASE WHEN l.lateness_ded IS NULL THEN NULL
            ELSE round((abs(hashint4(l.i + 5000011)) % 30000)::numeric / 1000, abs(hashint4(l.i + 5000011)) % 4) END AS lhits
  FROM gen_lines l;
CREATE TABLE gen_hits_expected AS
SELECT g, assigned_units, completed_units, quality_units, progress_units,
       100 * completed_units / nullif(assigned_units, 0) AS a,
       100 * quality_units / nullif(assigned_units, 0) AS b,
       100 * progress_units / nullif(assigned_units, 0) AS c
  FROM (SELECT g,
               coalesce(sum(assigned * coef) FILTER (WHERE counts), 0) AS assigned_units,
               sum(coalesce(completed, 0) * coef) AS completed_units,
               sum(coef * greatest(coalesce(completed, 0) * 1.00 - 0.25 * coalesce(qhits, 0),
                                   (coalesce(completed, 0) * 1.00 - 0.25 * coalesce(qhits, 0)) * 0)) AS quality_units,
               sum(coef * greatest(coalesce(completed, 0) * 1.00 - 0.25 * coalesce(lhits, 0),
                                   (coalesce(completed, 0) * 1.00 - 0.25 * coalesce(lhits, 0)) * 0)) AS progress_units
          FROM gen_hits GROUP BY g) s;
CREATE TABLE gen_hits_actual AS
SELECT g, (r).* FROM (
  SELECT g, cqs.task_ratios_by_quantity(assigned, completed, coef, qhits, lhits, counts) AS r
    FROM gen_hits GROUP BY g) s;
SELECT count(*) AS groups_compared,
       count(*) FILTER (WHERE e.quality_units::text  IS DISTINCT FROM x.quality_units::text)  AS bad_quality,
       count(*) FILTER (WHERE e.progress_units::text IS DISTINCT FROM x.progress_units::text) AS bad_progress,
       count(*) FILTER (WHERE e.a::text IS DISTINCT FROM x.a::text) AS bad_a,
       count(*) FILTER (WHERE e.b::text IS DISTINCT FROM x.b::text) AS bad_b,
       count(*) FILTER (WHERE e.c::text IS DISTINCT FROM x.c::text) AS bad_c,
       count(*) FILTER (WHERE x.quality_units < x.completed_units) AS groups_with_hits
  FROM gen_hits_expected e FULL JOIN gen_hits_actual x USING (g);
SELECT count(*) AS groups_compared,
       count(*) FILTER (WHERE w.r::text IS DISTINCT FROM n.r::text) AS whole_line_mismatches
  FROM (SELECT g, cqs.task_ratios(assigned, completed, coef, quality_ded, lateness_ded, counts) AS r
          FROM gen_lines GROUP BY g) n
  FULL JOIN (SELECT g, cqs.task_ratios_by_quantity(assigned, completed, coef,
                                                   coalesce(completed, 0) * coalesce(quality_ded, 0),
                                                   coalesce(completed, 0) * coalesce(lateness_ded, 0), counts) AS r
               FROM gen_lines GROUP BY g) w USING (g);
