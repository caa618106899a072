-- January's results copied to months 2-12 (quarters 2-4 for quarterly communes), for the
-- benchmarks that need a year of history (included by bench/year.sql and
-- bench/one_writer.sql).  The total moves by up to +/-6 points (hash of person and
-- month), stays in [0, 100] and keeps the organisation's decimals (stored on the result);
-- base_total follows where it equals the total (everyone but the few leaders with d = 50);
-- the grade follows the total.
--
-- The year counts only complete, confirmed periods (Art. 17.2-17.3, grade_year since the
-- rewrite): every fabricated (person, period) also gets an assessment with status
-- 'confirmed', January's scores and leader terms copied (same criteria set).  The
-- assessments are records: their statement trigger queues the (person, month) for the
-- writer, so they are written in refresh mode async and the queue is then cleared (the
-- fabricated totals stand in for the writer's, as in test/year.sql).  A superuser's
-- direct insert, one transaction.
--
-- These periods have no task lines.  A rebuild of their quarter deletes their results
-- and, because they now have assessments, computes new ones from the assessments alone
-- (no task score).  bench.fabricated_q1 keeps the fabricated February and March results
-- and bench.fabricated_q1_assessment their assessments, to move aside before a rebuild
-- of January's quarter and put back after it (bench/year.sql's paired rounds).
--
-- psql -v fabricate_quick=1: the same rows with every trigger off
-- (session_replication_role = replica: no per-row check, no audit, nothing queued).  The
-- checked insert costs about 0.3 ms a row (assessment_check 0.1 ms, the audit trail
-- 0.05 ms): about 100 s at scale 111 and some 15 minutes at scale 1111.
\if :{?fabricate_quick}
\else
  \set fabricate_quick 0
\endif
BEGIN;
SET LOCAL cqs.refresh_mode = async;
\if :fabricate_quick
SET LOCAL session_replication_role = replica;
\endif
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
INSERT INTO cqs.assessment (person_id, period, organisation_id, criteria_set_id, self_scores, evaluator_scores,
                            strengths, shortcomings, dd, dd_reason, e, e_reason,
                            support_quality, support_compliance, support_efficiency,
                            status, self_assessed_at, confirmed_at)
SELECT r.person_id, r.period, r.organisation_id,
       coalesce(a.criteria_set_id, r.criteria_set_id,
                (SELECT pol.criteria_set_id FROM cqs.organisation_policies pol WHERE pol.organisation_id = r.organisation_id)),
       a.self_scores, a.evaluator_scores, a.strengths, a.shortcomings,
       coalesce(a.dd, 100), a.dd_reason, coalesce(a.e, 100), a.e_reason,
       a.support_quality, a.support_compliance, a.support_efficiency,
       'confirmed', r.period + 32, r.period + 35
  FROM cqs.period_result r
  LEFT JOIN cqs.assessment a ON a.person_id = r.person_id AND a.period = '2026-01-01'
 WHERE r.period > '2026-01-01' AND r.period < '2027-01-01'
ON CONFLICT (person_id, period) DO NOTHING;
DELETE FROM cqs.refresh_queue;
COMMIT;
CREATE TABLE bench.fabricated_q1 AS
SELECT * FROM cqs.period_result WHERE period > '2026-01-01' AND period < '2026-04-01';
CREATE TABLE bench.fabricated_q1_assessment AS
SELECT * FROM cqs.assessment WHERE period > '2026-01-01' AND period < '2026-04-01';
