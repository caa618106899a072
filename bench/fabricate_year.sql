-- January's results copied to months 2-12 (quarters 2-4 for quarterly communes), for the
-- benchmarks that need a year of history (included by bench/year.sql and
-- bench/one_writer.sql).  The total moves by up to +/-6 points (hash of person and
-- month), stays in [0, 100] and keeps the organisation's decimals (stored on the result);
-- base_total follows where it equals the total (everyone but the few leaders with d = 50);
-- the grade follows the total.  These periods have no records, so a rebuild of their
-- quarter would remove them: bench.fabricated_q1 keeps February and March, to put back
-- after a rebuild of January's quarter.
INSERT INTO cqs.period_result
SELECT r.lock_id, r.person_id, p.period, r.period_kind, r.organisation_id, r.person_kind, r.role, r.field,
       r.assigned_units, r.completed_units, r.quality_units, r.progress_units, r.a, r.b, r.c, r.d, r.dd, r.e,
       r.task_score, r.general_score, t.total,
       CASE WHEN r.base_total IS NOT DISTINCT FROM r.total THEN t.total ELSE r.base_total END,
       cqs.classify(t.total), r.note, r.lateness_mode, r.cap_mode, r.decimals, r.criteria_set_id,
       r.computed_version, now()
  FROM cqs.period_result r
  CROSS JOIN LATERAL (
    SELECT make_date(2026, m, 1) AS period, m FROM generate_series(2, 12) AS m
     WHERE r.period_kind = 'month' OR m % 3 = 1) p
  CROSS JOIN LATERAL (
    SELECT least(100, greatest(0, round(r.total + ((demo.h(r.person_id, p.m, 335) % 1201) - 600) / 100.0,
                                        r.decimals))) AS total) t
 WHERE r.period = '2026-01-01';
CREATE TABLE bench.fabricated_q1 AS
SELECT * FROM cqs.period_result WHERE period > '2026-01-01' AND period < '2026-04-01';
