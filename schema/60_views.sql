-- Public views: the contract portals and analysts query (Art. 14-17, Form 01).

CREATE VIEW cqs.month_results AS
SELECT r.person_id, p.personnel_id, r.organisation_id,
       extract(year FROM r.period)::integer AS year,
       extract(month FROM r.period)::integer AS month,
       r.a, r.b, r.c, r.d, r.dd, r.e, r.task_score, r.general_score, r.total, r.grade,
       coalesce(s.status, 'draft') AS status, r.note
  FROM cqs.period_result r
  JOIN cqs.person p ON p.person_id = r.person_id
  LEFT JOIN cqs.assessment s ON s.person_id = r.person_id AND s.period = r.period
 WHERE r.period_kind = 'month';
COMMENT ON VIEW cqs.month_results IS
  'Art. 14-17: monthly results per person: ratios a, b, c, leader terms d, đ (dd), e, task score, general score, total, grade (by score) and workflow status';

-- Quarter: mean of the monthly totals that exist (Art. 17.3); quarterly organisations'
-- own quarter results as they are.
CREATE VIEW cqs.quarter_results AS
WITH m AS (
  SELECT r.person_id, r.organisation_id, r.period, r.total, pol.decimals,
         extract(year FROM r.period)::integer AS year,
         extract(quarter FROM r.period)::integer AS quarter
    FROM cqs.period_result r
    JOIN cqs.organisation_policies pol ON pol.organisation_id = r.organisation_id
   WHERE r.period_kind = 'month' AND r.total IS NOT NULL
), q AS (
  SELECT person_id, year, quarter,
         (array_agg(organisation_id ORDER BY period DESC))[1] AS organisation_id,
         'monthly'::text AS cadence,
         count(*)::integer AS months_counted,
         round(avg(total), (array_agg(decimals ORDER BY period DESC))[1]) AS total
    FROM m GROUP BY person_id, year, quarter
  UNION ALL
  SELECT r.person_id, extract(year FROM r.period)::integer, extract(quarter FROM r.period)::integer,
         r.organisation_id, 'quarterly', NULL::integer, r.total
    FROM cqs.period_result r
   WHERE r.period_kind = 'quarter' AND r.total IS NOT NULL
)
SELECT person_id, organisation_id, year, quarter, cadence, months_counted, total, cqs.classify(total) AS grade
  FROM q;
COMMENT ON VIEW cqs.quarter_results IS
  'Art. 17.3: quarterly results: the mean of the monthly totals that exist (months_counted), or a quarterly organisation''s own quarter result';

CREATE VIEW cqs.half_year_results AS
WITH m AS (
  SELECT r.person_id, r.organisation_id, r.period, r.total, r.period_kind, pol.decimals,
         extract(year FROM r.period)::integer AS year,
         CASE WHEN extract(month FROM r.period) <= 6 THEN 1 ELSE 2 END AS half
    FROM cqs.period_result r
    JOIN cqs.organisation_policies pol ON pol.organisation_id = r.organisation_id
   WHERE r.total IS NOT NULL
)
SELECT person_id, (array_agg(organisation_id ORDER BY period DESC))[1] AS organisation_id, year, half,
       count(*) FILTER (WHERE period_kind = 'month')::integer AS months_counted,
       count(*) FILTER (WHERE period_kind = 'quarter')::integer AS quarters_counted,
       round(avg(total), (array_agg(decimals ORDER BY period DESC))[1]) AS total,
       cqs.classify(round(avg(total), (array_agg(decimals ORDER BY period DESC))[1])) AS grade
  FROM m GROUP BY person_id, year, half;
COMMENT ON VIEW cqs.half_year_results IS
  'Art. 17.3: half-year results: mean of the monthly (or quarterly) totals of the half-year';

-- Form 01 (Mẫu số 01) as rows: one per general-criteria sub-item, with the period summary.
CREATE VIEW cqs.form01 AS
SELECT a.person_id, p.personnel_id, p.full_name, a.organisation_id, a.period, r.period_kind,
       i.position, i.code AS criterion_code, i.name AS criterion_name, i.max_points,
       a.self_scores[i.position] AS self_score, a.evaluator_scores[i.position] AS evaluator_score,
       a.self_total, a.evaluator_total, r.general_score, r.task_score, r.total, r.grade,
       a.strengths, a.shortcomings, a.evaluator_comment, a.evaluator_id, a.status
  FROM cqs.assessment a
  JOIN cqs.person p ON p.person_id = a.person_id
  JOIN cqs.criteria_item i ON i.criteria_set_id = a.criteria_set_id
  LEFT JOIN cqs.period_result r ON r.person_id = a.person_id AND r.period = a.period;
COMMENT ON VIEW cqs.form01 IS
  'Form 01 (Mẫu số 01, phiếu theo dõi, đánh giá công chức): per person and period, each general sub-item''s maximum, self and evaluator scores, the task score, total and comments';

-- Every task line with its converted quantities and credits (Art. 14, HB ch. VI).
CREATE VIEW cqs.task_lines_explained AS
SELECT tl.task_line_id, tl.person_id, tl.organisation_id, tl.period,
       cqs.period_start(tl.period, pol.cadence) AS evaluation_period,
       coalesce(i.code, si.code) AS item_code, coalesce(i.name, tl.title) AS item_name,
       tl.item_id IS NULL AS off_catalogue, tl.origin,
       tl.counts_in_assigned,
       tl.coefficient, tl.assigned_qty, tl.completed_qty, tl.deadline, tl.completed_on, tl.days_late,
       CASE WHEN tl.counts_in_assigned THEN tl.assigned_qty * tl.coefficient ELSE 0 END AS assigned_units,
       x.done * tl.coefficient AS completed_units,
       tl.quality_deductions,
       cqs.deduction_factor(tl.quality_deductions) AS quality_factor,
       x.done * tl.coefficient * cqs.deduction_factor(tl.quality_deductions) AS quality_credit,
       pol.lateness_mode,
       x.late AS lateness_deductions,
       cqs.deduction_factor(x.late) AS progress_factor,
       x.done * tl.coefficient * cqs.deduction_factor(x.late) AS progress_credit,
       tl.quality_failures, tl.quality_failures_exempt, tl.late_occurrences, tl.lateness_exempt,
       tl.external_source, tl.external_id
  FROM cqs.task_line tl
  JOIN cqs.organisation_policies pol ON pol.organisation_id = tl.organisation_id
  LEFT JOIN cqs.catalogue_item i ON i.item_id = tl.item_id
  LEFT JOIN cqs.catalogue_item si ON si.item_id = tl.similar_item_id
  CROSS JOIN LATERAL (SELECT coalesce(tl.credited_qty, 0) AS done,
                             cqs._lateness_deductions(pol.lateness_mode = 'per_day', tl.late_days_counted,
                                                      tl.late_occurrences_counted) AS late) x;
COMMENT ON VIEW cqs.task_lines_explained IS
  'Art. 14, 18.1.d, HB ch. VI: every task line with its converted quantities, deductions, factors and credits under the organisation''s lateness policy';

-- Art. 13.3, HB ch. V: off-catalogue tasks to report for addition to the catalogue.
CREATE VIEW cqs.catalogue_additions AS
SELECT tl.organisation_id, pol.using_agency_id, tl.title, si.code AS priced_like_item, tl.coefficient,
       count(*) AS task_lines, min(tl.period) AS first_period, max(tl.period) AS last_period
  FROM cqs.task_line tl
  JOIN cqs.organisation_policies pol ON pol.organisation_id = tl.organisation_id
  JOIN cqs.catalogue_item si ON si.item_id = tl.similar_item_id
 WHERE tl.item_id IS NULL
 GROUP BY tl.organisation_id, pol.using_agency_id, tl.title, si.code, tl.coefficient;
COMMENT ON VIEW cqs.catalogue_additions IS
  'Art. 13.3: tasks assigned outside the catalogue, priced like a similar item, to be reported for addition';
