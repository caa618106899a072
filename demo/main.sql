-- cqs_eval main job (foundation version): grade a generated year of task lines
-- for a sample of civil servants with the C core, and print per-quarter and
-- per-year results.  Run with `make demo` (a throwaway cluster).
\pset footer off
CREATE EXTENSION IF NOT EXISTS cqs_eval;

-- 240 civil servants, 12 months, 3 to 8 task lines a month; hash-derived values.
CREATE TEMP TABLE demo_lines AS
WITH m AS (
  SELECT p, mon, abs(hashint4(p * 100 + mon)) AS hp
    FROM generate_series(1, 240) AS p, generate_series(1, 12) AS mon
)
SELECT p, mon, l,
       (ARRAY[1.0, 2.7, 3.7, 1.5, 8.0])[1 + h % 5] AS coef,
       (1 + h % 6)::numeric AS assigned,
       CASE WHEN h % 11 = 0 THEN NULL
            ELSE least(1 + h % 6, round(((1 + h % 6) * (0.6 + (h / 7 % 50) / 100.0))::numeric, 1)) END AS completed,
       CASE WHEN h % 9 = 0 THEN 1 WHEN h % 37 = 0 THEN 2 ELSE 0 END AS failed_reviews,
       CASE WHEN h % 5 = 0 THEN h / 13 % 4 ELSE 0 END AS days_late,
       h % 17 <> 0 AS counts_in_assigned            -- 1 line in 17 is ad hoc
  FROM m, LATERAL generate_series(1, 3 + hp % 6) AS l,
       LATERAL (SELECT abs(hashint4(p * 10000 + mon * 100 + l)) AS h) x;

CREATE TEMP TABLE demo_months AS
SELECT p, mon, r, ts,
       cqs.period_total(general, ts) AS total,
       cqs.classify(cqs.period_total(general, ts)) AS grade
  FROM (SELECT p, mon, r, cqs.task_score((r).a, (r).b, (r).c) AS ts,
               (26 + abs(hashint4(p + mon)) % 5)::numeric AS general
          FROM (SELECT p, mon, cqs.task_ratios(assigned, completed, coef, failed_reviews,
                                               days_late, counts_in_assigned) AS r
                  FROM demo_lines GROUP BY p, mon) s) t;

\echo
\echo 'Sample: task lines and civil servants'
SELECT count(*) AS task_lines, count(DISTINCT p) AS civil_servants FROM demo_lines;

\echo 'Quarter results of the first 8 civil servants (Art. 17.3: mean of the monthly totals)'
SELECT 'CS' || lpad(p::text, 3, '0') AS person,
       max(total) FILTER (WHERE q = 1) AS q1, max(total) FILTER (WHERE q = 2) AS q2,
       max(total) FILTER (WHERE q = 3) AS q3, max(total) FILTER (WHERE q = 4) AS q4
  FROM (SELECT p, (mon - 1) / 3 + 1 AS q, round(avg(total), 2) AS total
          FROM demo_months GROUP BY p, (mon - 1) / 3 + 1) s
 WHERE p <= 8 GROUP BY p ORDER BY p;

\echo 'Year results (Art. 17.3, 20), first 8 civil servants'
SELECT 'CS' || lpad(p::text, 3, '0') AS person, count(*) AS months,
       round(avg(total), 2) AS year_total,
       cqs.classify(round(avg(total), 2)) AS grade,
       cqs.grade_label(cqs.classify(round(avg(total), 2))) AS xep_loai
  FROM demo_months WHERE p <= 8 GROUP BY p ORDER BY p;

\echo 'Grade distribution per quarter and for the year (before the Art. 20.5 quota)'
WITH q AS (
  SELECT 'Q' || ((mon - 1) / 3 + 1) AS period, p, cqs.classify(round(avg(total), 2)) AS grade
    FROM demo_months GROUP BY p, (mon - 1) / 3 + 1
  UNION ALL
  SELECT 'Year', p, cqs.classify(round(avg(total), 2)) FROM demo_months GROUP BY p
)
SELECT period,
       count(*) FILTER (WHERE grade = 'xuat_sac') AS xuat_sac,
       count(*) FILTER (WHERE grade = 'tot') AS tot,
       count(*) FILTER (WHERE grade = 'hoan_thanh') AS hoan_thanh,
       count(*) FILTER (WHERE grade = 'khong_hoan_thanh') AS khong_hoan_thanh,
       cqs.excellent_quota(count(*) FILTER (WHERE grade = 'tot')::int,
                           count(*) FILTER (WHERE grade = 'xuat_sac')::int) AS may_keep_xuat_sac
  FROM q GROUP BY period ORDER BY period;
