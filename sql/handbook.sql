-- The handbook's worked example (HB ch. VI-VII, November 2025; DOMAIN.md section 9).
-- Lateness is one deduction per calendar day late (the only reading that reproduces it).
CREATE TEMP TABLE hb_lines (
  line        int,
  item        text,
  coef        numeric,
  assigned    numeric,
  completed   numeric,
  deadline    date,
  done        date,
  failed      int
);
INSERT INTO hb_lines VALUES
  (1, 'written opinion letter',       1.0, 5.0, 4.0, '2025-11-15', '2025-11-19', 0),
  (2, 'reply to citizens/businesses', 2.7, 3.0, 3.0, '2025-11-10', '2025-11-12', 1),
  (3, 'summary report',               3.7, 1.0, 0.8, '2025-11-19', '2025-11-18', 2);

-- Per-line conversion and deduction factors.
SELECT line, cqs.converted(assigned, coef) AS assigned_units,
       cqs.converted(completed, coef) AS completed_units,
       greatest(done - deadline, 0) AS days_late,
       cqs.deduction_factor(failed) AS quality_factor,
       cqs.deduction_factor(greatest(done - deadline, 0)) AS progress_factor
  FROM hb_lines ORDER BY line;

-- The aggregate: G = 16.8, completed 15.06, a/b/c = 89.64 / 68.78 / 41.73.
SELECT (r).assigned_units, (r).completed_units, (r).quality_units, (r).progress_units,
       round((r).a, 2) AS a, round((r).b, 2) AS b, round((r).c, 2) AS c
  FROM (SELECT cqs.task_ratios(assigned, completed, coef, failed,
                               greatest(done - deadline, 0), true) AS r
          FROM hb_lines) s;

-- Staff: KQ = 66.72, total with full general criteria (30) = 76.70, grade tot.
WITH r AS (SELECT (cqs.task_ratios(assigned, completed, coef, failed,
                                   greatest(done - deadline, 0), true)).* FROM hb_lines),
     s AS (SELECT cqs.task_score(a, b, c) AS kq FROM r)
SELECT round(kq, 2) AS task_score,
       cqs.period_total(30, kq) AS total,
       cqs.period_total(30, kq, 1) AS total_1dp,
       cqs.classify(cqs.period_total(30, kq)) AS grade,
       cqs.grade_label(cqs.classify(cqs.period_total(30, kq))) AS label
  FROM s;

-- Leader with d = 100 (nobody below 50), dd = 50, e = 100: KQ = 75.02 (Art. 15.3).
WITH r AS (SELECT (cqs.task_ratios(assigned, completed, coef, failed,
                                   greatest(done - deadline, 0), true)).* FROM hb_lines)
SELECT round(cqs.leader_task_score(a, b, c, 100, 50, 100), 2) AS leader_task_score,
       cqs.period_total(30, cqs.leader_task_score(a, b, c, 100, 50, 100)) AS leader_total
  FROM r;

-- Per-occurrence lateness instead: each late line is one deduction.
SELECT round((r).c, 2) AS c_per_occurrence
  FROM (SELECT cqs.task_ratios(assigned, completed, coef, failed,
                               (done > deadline)::int, true) AS r
          FROM hb_lines) s;
