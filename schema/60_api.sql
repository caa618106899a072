-- Layer 7: the public API -- views portals and analysts query, and the traces.

CREATE VIEW cqs.month_results AS
SELECT r.person_id, p.personnel_id, r.organisation_id,
       extract(year FROM r.period)::integer AS year,
       extract(month FROM r.period)::integer AS month,
       -- numbers as recorded: the ratios and scores rounded half-up to the decimals the
       -- total was recorded with (the result keeps them exact: the total is computed from
       -- the exact task score and rounded once, Art. 17.1; cqs.explain shows them)
       round(r.a, coalesce(r.decimals, 2)) AS a, round(r.b, coalesce(r.decimals, 2)) AS b,
       round(r.c, coalesce(r.decimals, 2)) AS c, r.d, r.dd, r.e,
       round(r.task_score, coalesce(r.decimals, 2)) AS task_score,
       round(r.general_score, coalesce(r.decimals, 2)) AS general_score, r.total, r.grade,
       coalesce(s.status, 'draft') AS status, cqs.localize(r.note) AS note,
       r.lock_id IS NOT NULL AS locked,
       r.period,                          -- filter on it (with organisation_id) to reach the index
       -- waiting in the refresh queue, or in a month marked stale: not current yet
       (EXISTS (SELECT 1 FROM cqs.refresh_queue q WHERE q.person_id = r.person_id AND q.month = r.period)
        OR EXISTS (SELECT 1 FROM cqs.stale_month m WHERE m.month = r.period)) AS stale,
       r.computed_version, r.computed_at,
       r.note AS note_en                  -- the note as stored (English); note is in cqs.language
  FROM cqs.period_result r
  -- LEFT: a reader without an identified mandate (an analyst) sees the result, not who
  LEFT JOIN cqs.person p ON p.person_id = r.person_id
  LEFT JOIN cqs.assessment s ON s.person_id = r.person_id AND s.period = r.period
 WHERE r.period_kind = 'month';
COMMENT ON VIEW cqs.month_results IS
  'Art. 14-17: monthly results per person: ratios a, b, c, leader terms d, đ (dd), e, task score, general score (each rounded to the decimals the total was recorded with), total, grade (by score) and workflow status; notes and reasons in the session''s language (cqs.language, Vietnamese by default), the *_en columns as stored (English)';

-- Quarter: mean of the monthly totals that exist (Art. 17.3); quarterly organisations'
-- own quarter results as they are.  A quarter belongs to the organisation of its latest
-- monthly result, and is rounded as that result was (its recorded decimals).  Built
-- from that latest row, so a filter on the organisation reaches the index.
CREATE VIEW cqs.quarter_results AS
SELECT r.person_id, r.organisation_id, extract(year FROM r.period)::integer AS year,
       extract(quarter FROM r.period)::integer AS quarter, 'monthly'::text AS cadence,
       q.months_counted, q.total, cqs.classify(q.total) AS grade
  FROM cqs.period_result r
  JOIN cqs.organisation_policies pol ON pol.organisation_id = r.organisation_id
  CROSS JOIN LATERAL (
    SELECT count(*)::integer AS months_counted, round(avg(m.total), coalesce(r.decimals, pol.decimals)) AS total
      FROM cqs.period_result m
     WHERE m.person_id = r.person_id AND m.period_kind = 'month' AND m.total IS NOT NULL
       AND m.period >= date_trunc('quarter', r.period::timestamp without time zone) AND m.period <= r.period) q
 WHERE r.period_kind = 'month' AND r.total IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM cqs.period_result l
                    WHERE l.person_id = r.person_id AND l.period_kind = 'month' AND l.total IS NOT NULL
                      AND l.period > r.period
                      AND l.period < date_trunc('quarter', r.period::timestamp without time zone) + interval '3 months')
UNION ALL
SELECT r.person_id, r.organisation_id, extract(year FROM r.period)::integer, extract(quarter FROM r.period)::integer,
       'quarterly', NULL::integer, r.total, cqs.classify(r.total)
  FROM cqs.period_result r
 WHERE r.period_kind = 'quarter' AND r.total IS NOT NULL;
COMMENT ON VIEW cqs.quarter_results IS
  'Art. 17.3: quarterly results: the mean of the monthly totals that exist (months_counted), or a quarterly organisation''s own quarter result';

-- Half-year: the mean of the monthly (or quarterly) totals of the half; the organisation
-- and rounding of its latest result, as for quarters.
CREATE VIEW cqs.half_year_results AS
SELECT r.person_id, r.organisation_id, extract(year FROM r.period)::integer AS year, h.half,
       x.months_counted, x.quarters_counted, x.total, cqs.classify(x.total) AS grade
  FROM cqs.period_result r
  JOIN cqs.organisation_policies pol ON pol.organisation_id = r.organisation_id
  CROSS JOIN LATERAL (SELECT CASE WHEN extract(month FROM r.period) <= 6 THEN 1 ELSE 2 END AS half,
                             make_date(extract(year FROM r.period)::integer,
                                       CASE WHEN extract(month FROM r.period) <= 6 THEN 1 ELSE 7 END, 1) AS first_day) h
  CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE m.period_kind = 'month')::integer AS months_counted,
           count(*) FILTER (WHERE m.period_kind = 'quarter')::integer AS quarters_counted,
           round(avg(m.total), coalesce(r.decimals, pol.decimals)) AS total
      FROM cqs.period_result m
     WHERE m.person_id = r.person_id AND m.total IS NOT NULL
       AND m.period >= h.first_day AND m.period <= r.period) x
 WHERE r.total IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM cqs.period_result l
                    WHERE l.person_id = r.person_id AND l.total IS NOT NULL
                      AND l.period > r.period AND l.period < h.first_day + interval '6 months');
COMMENT ON VIEW cqs.half_year_results IS
  'Art. 17.3: half-year results: mean of the monthly (or quarterly) totals of the half-year';

-- Form 01 (Mẫu số 01) as rows: one per general-criteria sub-item, with the period summary.
CREATE VIEW cqs.form01 AS
SELECT a.person_id, p.personnel_id, p.full_name, a.organisation_id, a.period, r.period_kind,
       i.position, i.code AS criterion_code, i.name AS criterion_name, i.max_points,
       -- scores with the decimals the total is recorded with (the result's, else the
       -- organisation's policy): 2.5 reads 2.50, a task score never its 20 exact decimals
       round(a.self_scores[i.position], x.decimals) AS self_score,
       round(a.evaluator_scores[i.position], x.decimals) AS evaluator_score,
       round(a.self_total, x.decimals) AS self_total, round(a.evaluator_total, x.decimals) AS evaluator_total,
       round(r.general_score, x.decimals) AS general_score, round(r.task_score, x.decimals) AS task_score,
       r.total, r.grade,
       a.strengths, a.shortcomings, a.evaluator_comment, a.evaluator_id, a.status
  FROM cqs.assessment a
  JOIN cqs.person p ON p.person_id = a.person_id
  JOIN cqs.criteria_item i ON i.criteria_set_id = a.criteria_set_id
  LEFT JOIN cqs.period_result r ON r.person_id = a.person_id AND r.period = a.period
  LEFT JOIN cqs.organisation_policy pol ON pol.organisation_id = a.organisation_id
  CROSS JOIN LATERAL (SELECT coalesce(r.decimals, pol.decimals, 2) AS decimals) x;
COMMENT ON VIEW cqs.form01 IS
  'Form 01 (Mẫu số 01, phiếu theo dõi, đánh giá công chức): per person and period, each general sub-item''s maximum, self and evaluator scores, the task score, total and comments';

-- Every task line with its converted quantities and credits (Art. 14, HB ch. VI), the
-- period it counts in (a December line due after 14/12 counts in January, HB ch. VII),
-- and its failures and delays: counted, exempted, and the quantities they hit.
CREATE VIEW cqs.task_lines_explained AS
SELECT tl.task_line_id, tl.person_id, tl.organisation_id, tl.period,
       cqs.period_key(tl.person_id, x.counted_month, pol.cadence) AS evaluation_period,
       coalesce(i.code, si.code) AS item_code, coalesce(i.name, tl.title) AS item_name,
       tl.item_id IS NULL AS off_catalogue, tl.origin,
       tl.counts_in_assigned,
       tl.coefficient, tl.assigned_qty, tl.completed_qty, tl.deadline, tl.completed_on, tl.days_late,
       CASE WHEN tl.counts_in_assigned THEN tl.assigned_qty * tl.coefficient ELSE 0 END AS assigned_units,
       x.done * tl.coefficient AS completed_units,
       tl.quality_failures + coalesce(ev.failures, 0) AS quality_deductions,
       CASE WHEN tl.deductions_recorded = 0 OR x.done = 0 THEN cqs.deduction_factor(tl.quality_failures)
            ELSE round(k.quality_kept / x.done, 4) END AS quality_factor,
       k.quality_kept * tl.coefficient AS quality_credit,
       pol.lateness_mode,
       CASE WHEN coalesce(ev.delays_recorded, 0) > 0 THEN coalesce(ev.delay_units, 0)
            WHEN pol.lateness_mode = 'per_day' THEN coalesce(tl.days_late, 0)
            ELSE tl.late_occurrences_counted END AS lateness_deductions,
       CASE WHEN tl.deductions_recorded = 0 OR x.done = 0
            THEN cqs.deduction_factor(CASE WHEN pol.lateness_mode = 'per_day' THEN coalesce(tl.days_late, 0)
                                           ELSE tl.late_occurrences_counted END)
            ELSE round(k.progress_kept / x.done, 4) END AS progress_factor,
       k.progress_kept * tl.coefficient AS progress_credit,
       tl.quality_failures, tl.late_occurrences,
       coalesce(ev.failures_exempted, 0) AS failures_exempted, coalesce(ev.delays_exempted, 0) AS delays_exempted,
       h.quality_hit_qty, h.lateness_hit_qty,
       tl.external_source, tl.external_id
  FROM cqs.task_line tl
  JOIN cqs.organisation_policies pol ON pol.organisation_id = tl.organisation_id
  JOIN cqs.organisation o ON o.organisation_id = tl.organisation_id
  LEFT JOIN cqs.catalogue_item i ON i.item_id = tl.item_id
  LEFT JOIN cqs.catalogue_item si ON si.item_id = tl.similar_item_id
  CROSS JOIN LATERAL cqs._line_hits(tl.task_line_id, tl.deductions_recorded, tl.credited_qty, tl.quality_failures,
                                    tl.days_late, tl.late_occurrences_counted, pol.lateness_mode = 'per_day') h
  CROSS JOIN LATERAL (SELECT coalesce(tl.credited_qty, 0) AS done,
                             cqs._counted_month(tl.period, tl.deadline, pol.cadence = 'quarterly',
                                                o.special_deadline) AS counted_month) x
  CROSS JOIN LATERAL (SELECT GREATEST(x.done * 1.00 - 0.25 * h.quality_hit_qty, 0) AS quality_kept,
                             GREATEST(x.done * 1.00 - 0.25 * h.lateness_hit_qty, 0) AS progress_kept) k
  LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE d.kind = 'quality' AND d.exemption_reference IS NULL) AS failures,
                            count(*) FILTER (WHERE d.kind = 'quality' AND d.exemption_reference IS NOT NULL) AS failures_exempted,
                            count(*) FILTER (WHERE d.kind = 'lateness') AS delays_recorded,
                            sum(CASE WHEN pol.lateness_mode = 'per_day' THEN GREATEST(coalesce(d.days_late, tl.days_late), 1) ELSE 1 END)
                              FILTER (WHERE d.kind = 'lateness' AND d.exemption_reference IS NULL) AS delay_units,
                            count(*) FILTER (WHERE d.kind = 'lateness' AND d.exemption_reference IS NOT NULL) AS delays_exempted
                       FROM cqs.task_deduction d
                      WHERE tl.deductions_recorded > 0 AND d.task_line_id = tl.task_line_id) ev ON true;
COMMENT ON VIEW cqs.task_lines_explained IS
  'Art. 14, 18.1.d, HB ch. VI-VII: every task line with its converted quantities, the period it counts in, its counted and exempted failures and delays, the quantities they hit, factors and credits under the organisation''s lateness policy';

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

-- Final grade of an organisation-year: the authority's decision, else the computed grade
-- with the quota applied (a loser of the quota becomes tot).
CREATE VIEW cqs.organisation_results AS
SELECT oy.organisation_id, o.code, o.name, o.parent_id AS recognised_by, oy.year,
       cqs._array_sum(oy.general_scores) AS general_score, cqs._array_sum(oy.task_scores) AS task_score,
       cqs._array_sum(oy.general_scores) + cqs._array_sum(oy.task_scores) AS score,
       oy.computed_grade, cqs.localize(oy.needs_decision_reason) AS needs_decision_reason, oy.quota_outcome,
       oy.self_proposed_grade,
       coalesce(oy.decided_grade,
                CASE WHEN oy.quota_outcome = 'loses' THEN 'tot'::cqs.grade
                     WHEN oy.quota_outcome = 'tie_at_cutoff' THEN NULL
                     ELSE oy.computed_grade END) AS final_grade,
       CASE WHEN oy.decided_grade IS NOT NULL THEN 'decided'
            WHEN oy.needs_decision_reason IS NOT NULL THEN 'needs_authority_decision'
            WHEN oy.quota_outcome = 'tie_at_cutoff' THEN 'tie_at_quota_cutoff'
            WHEN oy.computed_grade IS NULL THEN 'not_graded'
            ELSE 'proposed' END AS status,
       oy.decided_by, oy.decided_at, oy.decision_ref,
       oy.needs_decision_reason AS needs_decision_reason_en   -- as stored (English)
  FROM cqs.organisation_year oy JOIN cqs.organisation o USING (organisation_id);
COMMENT ON VIEW cqs.organisation_results IS
  'Art. 8-9: organisations'' yearly scores, computed grade or the reason the authority must decide, quota outcome and final grade; notes and reasons in the session''s language (cqs.language, Vietnamese by default), the *_en columns as stored (English)';

CREATE VIEW cqs.complaints AS
SELECT c.*, cqs.add_working_days(c.filed_on, 7) AS due_on,
       CASE WHEN c.resolved_on IS NULL THEN current_date > cqs.add_working_days(c.filed_on, 7)
            ELSE c.resolved_on > cqs.add_working_days(c.filed_on, 7) END AS overdue
  FROM cqs.complaint c;
COMMENT ON VIEW cqs.complaints IS 'Art. 22: complaints with their due date (7 working days, weekends and public holidays skipped) and whether they are overdue';

CREATE VIEW cqs.year_results AS
SELECT r.person_id, p.personnel_id, r.organisation_id, r.year, r.months_counted, r.mean_total, r.score_grade,
       cqs.localize(r.override_reasons) AS override_reasons, r.quota_outcome,
       coalesce(d.grade, r.proposed_grade) AS final_grade,
       cqs.localize(r.not_graded_reason) AS not_graded_reason,
       CASE WHEN r.not_graded_reason LIKE 'incomplete:%' THEN 'incomplete'
            WHEN r.not_graded_reason IS NOT NULL THEN 'not_graded'
            WHEN EXISTS (SELECT 1 FROM cqs.complaint c WHERE c.decision_id = d.decision_id AND c.resolved_on IS NULL)
              THEN 'complaint_open'
            WHEN d.notified_at IS NOT NULL THEN 'notified'
            WHEN d.decision_id IS NOT NULL THEN 'decided'
            WHEN r.quota_outcome = 'tie_at_cutoff' OR cardinality(ar.reasons) > 0 THEN 'awaiting_authority'
            ELSE 'proposed' END AS status,
       d.decided_by, d.decided_at,
       r.months_worked, r.role, r.duty_group, cqs.localize(r.cap_reason) AS cap_reason, r.proposed_grade, d.decision_id,
       d.reference AS decision_ref, r.stale, r.using_agency_id, r.worked, cqs.localize(r.missing_periods) AS missing_periods,
       cqs.localize(r.rounding_note) AS rounding_note, cqs.localize(ar.reasons) AS authority_reasons,
       -- the same texts as stored (English), for programs and the audit
       r.override_reasons AS override_reasons_en, r.not_graded_reason AS not_graded_reason_en,
       r.cap_reason AS cap_reason_en, r.missing_periods AS missing_periods_en, r.rounding_note AS rounding_note_en,
       ar.reasons AS authority_reasons_en
  FROM cqs.year_result r
  -- what the decree leaves to the authority (Art. 11.3.c), for those who may read it
  CROSS JOIN LATERAL (SELECT coalesce(array_agg(dc.authority_reason ORDER BY dc.discipline_id), '{}') AS reasons
                        FROM cqs.discipline_counted dc
                       WHERE dc.person_id = r.person_id AND dc.counted_year = r.year
                         AND dc.authority_reason IS NOT NULL) ar
  -- LEFT: every year result names a person (a reference), and a query that does not ask
  -- for personnel_id (the grade distribution) then skips the people table altogether
  LEFT JOIN cqs.person p ON p.person_id = r.person_id
  LEFT JOIN cqs.grade_decisions_in_force d ON d.person_id = r.person_id AND d.year = r.year;
COMMENT ON VIEW cqs.year_results IS
  'Art. 11, 17.3, 19-22: the year per person: months counted, mean total, grade by score, override reasons, quota outcome, final grade (the decision in force, else the proposal), why not graded, status and decision; notes and reasons in the session''s language (cqs.language, Vietnamese by default), the *_en columns as stored (English)';

-- Form 02 (Mẫu số 02): the 12 monthly totals, their mean, the self-proposed and decided grade.
CREATE VIEW cqs.form02 AS
SELECT r.person_id, p.personnel_id, p.full_name, r.organisation_id, r.year,
       m.m01, m.m02, m.m03, m.m04, m.m05, m.m06, m.m07, m.m08, m.m09, m.m10, m.m11, m.m12,
       r.mean_total, g.self_proposed_grade, d.grade AS decided_grade, d.decided_by, d.decided_at
  FROM cqs.year_result r
  JOIN cqs.person p ON p.person_id = r.person_id
  -- the year's monthly totals: one range of the primary key per person
  CROSS JOIN LATERAL (
    SELECT
           max(mr.total) FILTER (WHERE date_part('month', mr.period) = 1) AS m01,
           max(mr.total) FILTER (WHERE date_part('month', mr.period) = 2) AS m02,
           max(mr.total) FILTER (WHERE date_part('month', mr.period) = 3) AS m03,
           max(mr.total) FILTER (WHERE date_part('month', mr.period) = 4) AS m04,
           max(mr.total) FILTER (WHERE date_part('month', mr.period) = 5) AS m05,
           max(mr.total) FILTER (WHERE date_part('month', mr.period) = 6) AS m06,
           max(mr.total) FILTER (WHERE date_part('month', mr.period) = 7) AS m07,
           max(mr.total) FILTER (WHERE date_part('month', mr.period) = 8) AS m08,
           max(mr.total) FILTER (WHERE date_part('month', mr.period) = 9) AS m09,
           max(mr.total) FILTER (WHERE date_part('month', mr.period) = 10) AS m10,
           max(mr.total) FILTER (WHERE date_part('month', mr.period) = 11) AS m11,
           max(mr.total) FILTER (WHERE date_part('month', mr.period) = 12) AS m12
      FROM cqs.period_result mr
     WHERE mr.person_id = r.person_id AND mr.period_kind = 'month'
       AND mr.period >= make_date(r.year, 1, 1) AND mr.period < make_date(r.year + 1, 1, 1)) m
  LEFT JOIN cqs.year_grading g ON g.person_id = r.person_id AND g.year = r.year
  LEFT JOIN cqs.grade_decisions_in_force d ON d.person_id = r.person_id AND d.year = r.year;
COMMENT ON VIEW cqs.form02 IS
  'Form 02 (Mẫu số 02, phiếu xếp loại chất lượng công chức): the 12 monthly totals, their mean, the self-proposed and the decided grade';

-- The distribution of the year's grades per using agency and duty group (the Art. 20.5
-- groups), nobody left out: a row per final grade (the decision in force, else the
-- proposal), with how many of them are decided and how many still await the authority's
-- decision; and a row per reason for the people with no grade yet (status
-- awaiting_authority: a tie at the quota's cut-off or a discipline left to the authority;
-- incomplete: periods without a confirmed result; not_graded: under 6 months worked).
-- share_percent is the share among the people with a grade (NULL on the other rows).
CREATE VIEW cqs.grade_distribution AS
SELECT y.year, y.using_agency_id AS organisation_id, o.name AS organisation_name, y.duty_group,
       y.final_grade AS grade, count(*) AS people,
       CASE WHEN y.final_grade IS NOT NULL
            THEN round(count(*) * 100.0
                       / sum(count(*)) FILTER (WHERE y.final_grade IS NOT NULL)
                           OVER (PARTITION BY y.year, y.using_agency_id, y.duty_group), 2) END AS share_percent,
       CASE WHEN y.final_grade IS NOT NULL THEN 'graded' ELSE y.status END AS status,
       count(*) FILTER (WHERE y.decision_id IS NOT NULL) AS decided,
       count(*) FILTER (WHERE y.decision_id IS NULL) AS awaiting_decision
  FROM cqs.year_results y
  JOIN cqs.organisation o ON o.organisation_id = y.using_agency_id
 GROUP BY y.year, y.using_agency_id, o.name, y.duty_group, y.final_grade,
          CASE WHEN y.final_grade IS NOT NULL THEN 'graded' ELSE y.status END;
COMMENT ON VIEW cqs.grade_distribution IS
  'Art. 20.5, 21: final grades per year, using agency and duty group with their shares, how many are decided and how many await the decision, and the people with no grade yet by status (awaiting_authority, incomplete, not_graded)';

-- Every deadline missed (DOMAIN.md section 6).  Self-assessment and confirmation are due
-- on the agency's own days of the month after the period (cqs.organisation's
-- self_assessment_due_day and confirmation_due_day, inherited; the city's plan's 5th and
-- 10th until an agency records its own); annual grading "trước ngày 15/12" -- on or
-- before 14/12 (14/01 next year for special units, Art. 19.2); complaints within 7
-- working days (Art. 22).
--
-- The periods a person owes are those they worked, not only those someone started: every
-- month of a posting (the posting in force: the latest starting), from the decree's entry
-- into force (1/1/2026) or the managing agency's evaluation_start, whichever is later, to
-- this month, unless on leave the whole month (Art. 11.1-2), in the evaluation period of
-- its organisation's cadence (cqs.period_key).  A period worked with no assessment at all
-- is overdue like one left in draft (assessment_status 'not_started'), unless it was
-- locked without it (cqs.lock_period's include_unassessed: nothing to assess) or its total
-- was imported from the previous system (cqs.imported_total).
CREATE VIEW cqs.overdue AS
WITH worked AS (
  SELECT w.person_id, w.month, w.organisation_id, pol.cadence
    FROM cqs._months_worked(date '2026-01-01', current_date) w
    JOIN cqs.organisation_policy pol ON pol.organisation_id = w.organisation_id
   WHERE pol.evaluation_start IS NULL OR w.month >= pol.evaluation_start
), expected AS (
  -- one row per person, organisation and period (a filter on the organisation reaches the
  -- postings); in a quarter the person left for another organisation, the last one's
  SELECT DISTINCT k.person_id, k.organisation_id, k.period, k.period_kind
    FROM (SELECT w.person_id, w.month, w.organisation_id,
                 CASE w.cadence WHEN 'quarterly' THEN cqs.period_key(w.person_id, w.month, w.cadence) ELSE w.month END AS period,
                 CASE w.cadence WHEN 'quarterly' THEN cqs.period_kind_of(w.person_id, w.month, w.cadence) ELSE 'month' END
                   AS period_kind
            FROM worked w) k
   WHERE k.period_kind = 'month'
      OR NOT EXISTS (SELECT 1 FROM cqs.posting q
                      WHERE q.person_id = k.person_id AND q.organisation_id <> k.organisation_id
                        AND q.start_date > k.month AND q.start_date < cqs.period_end(k.period, k.period_kind))
), periods AS (
  SELECT a.person_id, a.organisation_id, a.period, r.period_kind, a.status,
         a.self_assessed_at::date AS self_done, a.confirmed_at::date AS confirm_done
    FROM cqs.assessment a JOIN cqs.period_result r USING (person_id, period)
  UNION ALL
  SELECT e.person_id, e.organisation_id, e.period, e.period_kind, 'not_started', NULL::date, NULL::date
    FROM expected e
   WHERE NOT EXISTS (SELECT 1 FROM cqs.assessment a WHERE a.person_id = e.person_id AND a.period = e.period)
     AND NOT EXISTS (SELECT 1 FROM cqs.imported_total it WHERE it.person_id = e.person_id AND it.period = e.period)
     AND NOT EXISTS (SELECT 1 FROM cqs.period_lock l
                       JOIN cqs.organisation_closure c ON c.ancestor_id = l.organisation_id
                      WHERE c.descendant_id = e.organisation_id AND l.period = e.period AND l.reopened_at IS NULL)
)
SELECT k.kind, p.person_id, p.organisation_id, p.period AS period_or_year_start, k.due_on, k.done_on,
       p.period_kind, p.status AS assessment_status
  FROM periods p
  JOIN cqs.organisation_policy pol ON pol.organisation_id = p.organisation_id
  CROSS JOIN LATERAL (SELECT cqs.period_end(p.period, p.period_kind) AS first_day_after) e
  CROSS JOIN LATERAL (VALUES ('self_assessment'::text, e.first_day_after + pol.self_assessment_due_day - 1, p.self_done),
                             ('evaluation', e.first_day_after + pol.confirmation_due_day - 1, p.confirm_done)) AS k(kind, due_on, done_on)
 WHERE coalesce(k.done_on, current_date) > k.due_on
UNION ALL
SELECT 'annual_grading', r.person_id, r.organisation_id, make_date(r.year, 1, 1),
       CASE WHEN o.special_deadline THEN make_date(r.year + 1, 1, 14) ELSE make_date(r.year, 12, 14) END,
       first_d.decided_at::date, 'year', NULL
  FROM cqs.year_result r
  JOIN cqs.organisation o ON o.organisation_id = r.organisation_id
  LEFT JOIN LATERAL (SELECT min(d.decided_at) AS decided_at FROM cqs.grade_decision d
                      WHERE d.person_id = r.person_id AND d.year = r.year) first_d ON true
 WHERE r.not_graded_reason IS NULL
   AND coalesce(first_d.decided_at::date, current_date) >
       CASE WHEN o.special_deadline THEN make_date(r.year + 1, 1, 14) ELSE make_date(r.year, 12, 14) END
UNION ALL
SELECT 'complaint', c.person_id, coalesce(d.organisation_id, r.organisation_id),
       coalesce(make_date(d.year, 1, 1), c.period), c.due_on, c.resolved_on,
       CASE WHEN d.decision_id IS NOT NULL THEN 'year' ELSE r.period_kind END, NULL
  FROM cqs.complaints c
  LEFT JOIN cqs.grade_decision d ON d.decision_id = c.decision_id
  LEFT JOIN cqs.period_result r ON r.person_id = c.person_id AND r.period = c.period
 -- what it complains about must be readable too (row-level security), as for every other row
 WHERE c.overdue AND (d.decision_id IS NOT NULL OR r.person_id IS NOT NULL);
COMMENT ON VIEW cqs.overdue IS
  'Art. 11, 17.2, 19.2, 22: every missed deadline: self-assessments and evaluations (the agency''s days of the month after the period), including periods worked that nobody started (assessment_status not_started), annual grading (on or before 14/12, or 14/01 for special units: "trước ngày 15"), complaints (7 working days)';

-- An evaluator's to-do list (Art. 10, 17.2): for the person acting, every period of
-- someone they are the competent evaluator of (cqs.competent_evaluators) that waits for
-- them -- a self-assessment submitted and not yet confirmed (action 'confirm', due on
-- the agency's confirmation day) -- or whose self-assessment is overdue, started in
-- draft or never started at all (action 'remind', due on the agency's self-assessment
-- day).  Empty for someone who evaluates nobody, and when acting for nobody.
CREATE VIEW cqs.evaluator_todo AS
WITH mine AS (
  SELECT DISTINCT e.person_id, e.organisation_id FROM cqs._evaluated() e
), pending AS (
  SELECT a.person_id, a.organisation_id, a.period, r.period_kind, a.status, a.self_assessed_at
    FROM cqs.assessment a
    JOIN mine m ON m.person_id = a.person_id AND m.organisation_id = a.organisation_id
    JOIN cqs.period_result r ON r.person_id = a.person_id AND r.period = a.period
   WHERE a.status IN ('draft', 'self_assessed')
  UNION ALL
  SELECT o.person_id, o.organisation_id, o.period_or_year_start, o.period_kind, o.assessment_status, NULL::timestamptz
    FROM cqs.overdue o
    JOIN mine m ON m.person_id = o.person_id AND m.organisation_id = o.organisation_id
   WHERE o.kind = 'self_assessment' AND o.assessment_status = 'not_started'
)
SELECT x.person_id, p.personnel_id, p.full_name, x.organisation_id, org.name AS organisation_name,
       x.period, x.period_kind, x.status AS assessment_status,
       CASE WHEN x.status = 'self_assessed' THEN 'confirm' ELSE 'remind' END AS action,
       x.self_assessed_at, d.self_due, d.confirm_due,
       CASE WHEN x.status = 'self_assessed' THEN d.confirm_due ELSE d.self_due END AS due_on,
       current_date > CASE WHEN x.status = 'self_assessed' THEN d.confirm_due ELSE d.self_due END AS overdue,
       greatest(current_date - CASE WHEN x.status = 'self_assessed' THEN d.confirm_due ELSE d.self_due END, 0) AS days_overdue,
       r.total, r.grade
  FROM pending x
  JOIN cqs.organisation_policy pol ON pol.organisation_id = x.organisation_id
  JOIN cqs.organisation org ON org.organisation_id = x.organisation_id
  LEFT JOIN cqs.person p ON p.person_id = x.person_id
  LEFT JOIN cqs.period_result r ON r.person_id = x.person_id AND r.period = x.period
  CROSS JOIN LATERAL (SELECT cqs.period_end(x.period, x.period_kind) + pol.self_assessment_due_day - 1 AS self_due,
                             cqs.period_end(x.period, x.period_kind) + pol.confirmation_due_day - 1 AS confirm_due) d
 WHERE (x.status = 'self_assessed' OR current_date > d.self_due)
   AND cqs._is_competent_evaluator(x.person_id, x.period);
COMMENT ON VIEW cqs.evaluator_todo IS
  'Art. 10, 17.2: the acting evaluator''s to-do list: self-assessments waiting for their confirmation (action confirm) and people they evaluate whose self-assessment is overdue, in draft or never started (action remind), with the agency''s due days';

-- Art. 23.3: the people graded không hoàn thành nhiệm vụ, per using agency and year, with
-- how many years in a row (what the uses of Art. 23 -- and the staffing decisions that
-- follow two consecutive years -- read).  The grade is the decision in force, else the
-- proposal.
CREATE VIEW cqs.not_completed AS
WITH f AS (
  SELECT y.person_id, y.year, y.using_agency_id, y.organisation_id, y.override_reasons,
         coalesce(d.grade, y.proposed_grade) AS grade, d.decision_id IS NOT NULL AS decided
    FROM cqs.year_result y
    LEFT JOIN cqs.grade_decisions_in_force d ON d.person_id = y.person_id AND d.year = y.year
), k AS (
  SELECT f.*, f.year - row_number() OVER (PARTITION BY f.person_id ORDER BY f.year) AS streak
    FROM f WHERE f.grade = 'khong_hoan_thanh'
)
SELECT k.using_agency_id AS agency_id, k.year, k.person_id, p.personnel_id, p.full_name, k.organisation_id,
       k.decided, cqs.localize(k.override_reasons) AS override_reasons,
       row_number() OVER (PARTITION BY k.person_id, k.streak ORDER BY k.year)::integer AS consecutive_years,
       k.override_reasons AS override_reasons_en
  FROM k LEFT JOIN cqs.person p ON p.person_id = k.person_id;
COMMENT ON VIEW cqs.not_completed IS
  'Art. 23.3: people graded không hoàn thành nhiệm vụ per using agency and year (decided, else proposed), with the number of consecutive years; notes and reasons in the session''s language (cqs.language, Vietnamese by default), the *_en columns as stored (English)';

-- Split a fund to the đồng (largest-remainder method): weights = coefficient of the
-- grade (x score if the regulation says so); whole-đồng floors, then the remainder one
-- đồng at a time to the largest fractions (ties: larger weight, then smaller person_id).  The parts sum
-- exactly to the fund.  period: '2026' (year), '2026-Q1'..'2026-Q4', '2026-H1'/'2026-H2'.
CREATE FUNCTION cqs.bonus_allocation(organisation_id bigint, period text, fund numeric)
RETURNS TABLE (person_id bigint, personnel_id text, grade cqs.grade, score numeric, weight numeric, amount numeric)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp SET client_min_messages = warning AS $$
DECLARE
  v_year    integer;
  v_kind    text;
  v_part    integer;
  v_total_w numeric;
  v_weights jsonb;
BEGIN
  IF fund IS NULL OR fund < 0 OR fund <> trunc(fund) THEN
    RAISE EXCEPTION 'fund must be a whole, non-negative number of đồng, got %', fund
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF period ~ '^\d{4}$' THEN
    v_year := period::integer; v_kind := 'year';
  ELSIF period ~ '^\d{4}-Q[1-4]$' THEN
    v_year := left(period, 4)::integer; v_kind := 'quarter'; v_part := right(period, 1)::integer;
  ELSIF period ~ '^\d{4}-H[12]$' THEN
    v_year := left(period, 4)::integer; v_kind := 'half'; v_part := right(period, 1)::integer;
  ELSE
    RAISE EXCEPTION 'period must look like 2026, 2026-Q1 or 2026-H1, got "%"', period
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- The split reads everyone's results in the organisation: only those who may read them
  -- all (its personnel section or grading authority) may run it, so row-level security
  -- never hides part of the organisation from the split.
  IF NOT (bonus_allocation.organisation_id = ANY (cqs._mandate_scope(ARRAY['personnel', 'authority']))
          OR (cqs.acting_person() IS NULL AND cqs._is_superuser(cqs._actor_login()))) THEN
    RAISE EXCEPTION '% (person %) may not split the bonus fund of organisation %: no personnel or authority mandate there',
                    cqs._actor_login(), coalesce(cqs.acting_person()::text, 'none'), bonus_allocation.organisation_id
      USING ERRCODE = 'insufficient_privilege', HINT = 'Art. 23: the organisation''s personnel section or authority applies its regulation.';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM cqs.bonus_regulation b WHERE b.organisation_id = bonus_allocation.organisation_id) THEN
    RAISE EXCEPTION 'organisation % has no bonus regulation', bonus_allocation.organisation_id
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Fill cqs.bonus_regulation (Art. 23, Huế plan II.9).';
  END IF;

  -- The weights, kept in a variable (jsonb numbers are exact numerics): no temporary
  -- table, so a database that revokes TEMP from PUBLIC runs it too.
  SELECT coalesce(jsonb_agg(jsonb_build_object('person_id', x.person_id, 'grade', x.grade, 'score', x.score,
                                               'weight', b.coefficient * CASE WHEN b.weight_by_score THEN x.score ELSE 1 END)),
                  '[]')
    INTO v_weights
    FROM (
      SELECT y.person_id, y.final_grade AS grade, y.mean_total AS score, y.organisation_id
        FROM cqs.year_results y WHERE v_kind = 'year' AND y.year = v_year AND y.final_grade IS NOT NULL
      UNION ALL
      SELECT q.person_id, q.grade, q.total, q.organisation_id
        FROM cqs.quarter_results q WHERE v_kind = 'quarter' AND q.year = v_year AND q.quarter = v_part
      UNION ALL
      SELECT h.person_id, h.grade, h.total, h.organisation_id
        FROM cqs.half_year_results h WHERE v_kind = 'half' AND h.year = v_year AND h.half = v_part
    ) x
    JOIN cqs.organisation_tree t ON t.descendant_id = x.organisation_id AND t.ancestor_id = bonus_allocation.organisation_id
    JOIN cqs.bonus_regulation b ON b.organisation_id = bonus_allocation.organisation_id AND b.grade = x.grade;

  SELECT sum(w.weight) INTO v_total_w FROM jsonb_to_recordset(v_weights) AS w(weight numeric);
  IF coalesce(v_total_w, 0) = 0 THEN
    RAISE EXCEPTION 'nobody in organisation % has a weight for %: the fund % cannot be split',
                    bonus_allocation.organisation_id, period, fund
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;

  RETURN QUERY
  -- Exact: div() truncates without rounding, and the fractions are compared through
  -- their numerators over the common denominator v_total_w.
  WITH floored AS (
    SELECT b.*, div(fund * b.weight, v_total_w) AS base,
           fund * b.weight - div(fund * b.weight, v_total_w) * v_total_w AS frac
      FROM jsonb_to_recordset(v_weights) AS b(person_id bigint, grade cqs.grade, score numeric, weight numeric)
  ), ranked AS (
    SELECT f.*, row_number() OVER (ORDER BY f.frac DESC, f.weight DESC, f.person_id) AS rn,
           fund - sum(f.base) OVER () AS remainder
      FROM floored f
  )
  SELECT r.person_id, p.personnel_id, r.grade, r.score, r.weight,
         r.base + CASE WHEN r.rn <= r.remainder THEN 1 ELSE 0 END
    FROM ranked r LEFT JOIN cqs.person p ON p.person_id = r.person_id
   ORDER BY r.person_id;
END $$;
COMMENT ON FUNCTION cqs.bonus_allocation(bigint, text, numeric) IS
  'Art. 23, 26.1.e: split a bonus or income-supplement fund by the organisation''s regulation, to the đồng, the parts summing exactly to the fund';

-- Every line is written in English (the catalogue's templates, cqs.message_text) and
-- rendered in lang (NULL: the session's cqs.language, Vietnamese by default).
CREATE FUNCTION cqs.explain(person_id bigint, period date, lang text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_person cqs.person;
  v_res    cqs.period_result;
  v_ass    cqs.assessment;
  v_pol    record;
  v_line   record;
  v_out    text[] := '{}';
  v_start  date;
  v_n      integer := 0;
  v_lang   text := coalesce(explain.lang, cqs.language());
BEGIN
  PERFORM cqs.localize('', v_lang);                        -- a bad language: 22023 before anything else
  SELECT * INTO v_person FROM cqs.person p WHERE p.person_id = explain.person_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'person % does not exist', explain.person_id USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT * INTO v_res FROM cqs.period_result r
   WHERE r.person_id = explain.person_id
     AND r.period = (SELECT max(r2.period) FROM cqs.period_result r2
                      WHERE r2.person_id = explain.person_id AND r2.period <= explain.period
                        AND r2.period > explain.period - interval '3 months'
                        AND (r2.period_kind = 'quarter' OR r2.period = date_trunc('month', explain.period)));
  IF NOT FOUND THEN
    RAISE EXCEPTION 'person % has no result for the period holding %', explain.person_id, explain.period
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Results exist once task lines or an assessment were recorded; in refresh mode async they appear after cqs.process_queue().';
  END IF;
  v_start := v_res.period;
  SELECT * INTO v_pol FROM cqs.organisation_policies p WHERE p.organisation_id = v_res.organisation_id;
  SELECT * INTO v_ass FROM cqs.assessment a WHERE a.person_id = explain.person_id AND a.period = v_start;

  v_out := v_out || format('%s (%s), %s %s, organisation %s, role %s; status %s%s.',
    v_person.full_name, v_person.personnel_id,
    CASE v_res.period_kind WHEN 'quarter' THEN 'quarter ' || extract(quarter FROM v_start) ELSE 'month ' || to_char(v_start, 'MM') END,
    extract(year FROM v_start), v_res.organisation_id, v_res.role, coalesce(v_ass.status, 'draft'),
    CASE WHEN v_res.lock_id IS NOT NULL THEN format(' (locked, lock %s)', v_res.lock_id) ELSE '' END);
  v_out := v_out || format('Computed by cqs_eval %s under: lateness %s, cap %s, %s decimals, general-criteria set %s.',
                           v_res.computed_version,
                           v_res.lateness_mode, v_res.cap_mode, v_res.decimals, v_res.criteria_set_id);

  IF v_res.person_kind = 'support_staff' THEN
    v_out := v_out || format('1. Support staff (HB ch. III): task score = (quality %s + compliance %s + efficiency %s) / 3 = %s%%.',
      v_ass.support_quality, v_ass.support_compliance, v_ass.support_efficiency, round(v_res.task_score, 2));
  ELSE
    v_out := v_out || '1. Task lines (Art. 13-14; units = quantity x coefficient):'::text;
    FOR v_line IN
      SELECT * FROM cqs.task_lines_explained x
       WHERE x.person_id = explain.person_id AND x.evaluation_period = v_start
       ORDER BY x.period, x.task_line_id
    LOOP
      v_n := v_n + 1;
      v_out := v_out || format('   - %s %s [%s]: coefficient %s, assigned %s -> %s units%s; completed %s -> %s units; quality: %s failed review(s) -> x%s = %s; progress: %s deduction(s) (%s%s) -> x%s = %s.',
        coalesce(v_line.item_code, '?'), v_line.item_name, v_line.origin, v_line.coefficient, v_line.assigned_qty,
        v_line.assigned_units, CASE WHEN v_line.counts_in_assigned THEN '' ELSE ' (outside G, Art. 18.1.d)' END,
        coalesce(v_line.completed_qty, 0), v_line.completed_units, v_line.quality_deductions, v_line.quality_factor,
        v_line.quality_credit, v_line.lateness_deductions,
        CASE v_line.lateness_mode WHEN 'per_day' THEN v_line.days_late || ' day(s) late' ELSE 'per occurrence' END,
        concat(CASE WHEN v_line.failures_exempted > 0 THEN format(', %s failure(s) exempted (Art. 14.2.b)', v_line.failures_exempted) END,
               CASE WHEN v_line.delays_exempted > 0 THEN format(', %s delay(s) exempted (Art. 14.2.c)', v_line.delays_exempted) END),
        v_line.progress_factor, v_line.progress_credit);
    END LOOP;
    IF v_n = 0 THEN
      v_out := v_out || '   (no task lines)'::text;
    END IF;
    IF coalesce(v_res.assigned_units, 0) = 0 THEN
      v_out := v_out || '2. G = 0: nothing was originally assigned, so the task criterion cannot be evaluated (Art. 14, 18.1.d); no task score and no total.'::text;
    ELSE
      v_out := v_out || format('2. G = sum of assigned units = %s (Art. 18.1.d).', v_res.assigned_units);
      v_out := v_out || format('3. a (quantity, Art. 14.2.a) = 100 x %s / %s = %s%%.', v_res.completed_units, v_res.assigned_units, round(v_res.a, 2));
      v_out := v_out || format('   b (quality, Art. 14.2.b) = 100 x %s / %s = %s%%.', v_res.quality_units, v_res.assigned_units, round(v_res.b, 2));
      v_out := v_out || format('   c (progress, Art. 14.2.c) = 100 x %s / %s = %s%%.', v_res.progress_units, v_res.assigned_units, round(v_res.c, 2));
      IF v_res.role IN ('head', 'deputy') THEN
        v_out := v_out || format('4. Leader terms (Art. 15.3): d = %s (%s), đ = %s%s, e = %s%s; task score = (a + b + c + d + đ + e) / 6 = %s%% (cap: %s, Art. 12.3).',
          v_res.d, CASE WHEN v_res.d = 50 THEN 'someone they manage scored below 50' ELSE 'everyone they manage scored 50 or more' END,
          v_res.dd, CASE WHEN v_ass.dd_reason IS NOT NULL THEN ' (' || v_ass.dd_reason || ')' ELSE '' END,
          v_res.e, CASE WHEN v_ass.e_reason IS NOT NULL THEN ' (' || v_ass.e_reason || ')' ELSE '' END,
          round(v_res.task_score, 2), v_res.cap_mode);
      ELSE
        v_out := v_out || format('4. Task score (Art. 16.1) = (a + b + c) / 3 = %s%% (cap: %s, Art. 12.3).',
          round(v_res.task_score, 2), v_res.cap_mode);
      END IF;
    END IF;
  END IF;

  IF v_res.general_score IS NULL THEN
    v_out := v_out || '5. General criteria (Art. 12.1, Form 01): not scored yet.'::text;
  ELSE
    v_out := v_out || format('5. General criteria (Art. 12.1, Form 01) = %s of 30 (%s).', v_res.general_score,
      CASE WHEN v_ass.status IN ('confirmed', 'locked') THEN 'the evaluator''s confirmed score' ELSE 'the self score, until confirmed' END);
  END IF;
  IF v_res.total IS NOT NULL THEN
    v_out := v_out || format('6. Total (Art. 17.1) = %s + %s x 70%% = %s, rounded half-up to %s decimals.',
      v_res.general_score, round(v_res.task_score, 4), v_res.total, v_res.decimals);
    v_out := v_out || format('7. Grade by score (Art. 20): %s — %s.', v_res.grade, cqs.grade_label(v_res.grade));
  ELSE
    v_out := v_out || format('6. No total: %s.', coalesce(v_res.note, 'inputs missing'));
  END IF;
  RETURN array_to_string(cqs.localize(v_out, v_lang), E'\n');
END $$;
COMMENT ON FUNCTION cqs.explain(bigint, date, text) IS
  'Art. 12-20: a readable step-by-step trace of how a person''s period total and grade were reached, in Vietnamese (lang vi, the default) or English (en)';

-- The year trace: how the final grade was reached.
CREATE FUNCTION cqs.explain(person_id bigint, year integer, lang text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_r    cqs.year_results;
  v_p    cqs.person;
  v_out  text[] := '{}';
  v_m    record;
  v_dec  record;
  v_lang text := coalesce(explain.lang, cqs.language());
BEGIN
  PERFORM cqs.localize('', v_lang);                        -- a bad language: 22023 before anything else
  SELECT * INTO v_p FROM cqs.person p WHERE p.person_id = explain.person_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'person % does not exist', explain.person_id USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT * INTO v_r FROM cqs.year_results y WHERE y.person_id = explain.person_id AND y.year = explain.year;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'person % has no computed year %', explain.person_id, explain.year
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Run cqs.grade_year() first.';
  END IF;
  v_out := v_out || format('%s (%s), year %s, graded by organisation %s (Art. 19.1), role %s, duty group %s; status %s.',
                           v_p.full_name, v_p.personnel_id, explain.year, v_r.organisation_id, v_r.role, v_r.duty_group, v_r.status);
  v_out := v_out || format('1. Time worked (Art. 11.1-2): %s month(s) %s day(s) from the postings less leave (%s month(s) worked).',
                           extract(year FROM justify_days(v_r.worked)) * 12 + extract(month FROM justify_days(v_r.worked)),
                           extract(day FROM justify_days(v_r.worked)), v_r.months_worked);
  FOR v_m IN SELECT r.period, r.period_kind, r.total, r.organisation_id,
                    (r.lock_id IS NOT NULL OR a.status IN ('confirmed', 'locked')) AS confirmed
               FROM cqs.period_result r
               LEFT JOIN cqs.assessment a ON a.person_id = r.person_id AND a.period = r.period
              WHERE r.person_id = explain.person_id AND extract(year FROM r.period) = explain.year
              ORDER BY r.period LOOP
    v_out := v_out || format('   - %s %s: %s (organisation %s)%s', v_m.period_kind, to_char(v_m.period, 'YYYY-MM'),
                             coalesce(v_m.total::text, 'no total'), v_m.organisation_id,
                             CASE WHEN v_m.confirmed THEN '' ELSE ', not confirmed' END);
  END LOOP;
  IF cardinality(v_r.missing_periods_en) > 0 THEN
    v_out := v_out || format('2. Complete, confirmed periods (Art. 17.2-17.3): no confirmed result for %s.',
                             array_to_string(v_r.missing_periods_en, ', '));
  ELSE
    v_out := v_out || format('2. Complete, confirmed periods (Art. 17.2-17.3): all %s counted.', v_r.months_counted);
  END IF;
  IF v_r.not_graded_reason_en IS NOT NULL THEN
    v_out := v_out || format('3. Not graded: %s.', v_r.not_graded_reason_en);
    RETURN array_to_string(cqs.localize(v_out, v_lang), E'\n');
  END IF;
  v_out := v_out || format('3. Year score (Art. 17.3) = mean of %s period total(s), each weighted by the months worked in it = %s; grade by score (Art. 20): %s.%s',
                           v_r.months_counted, v_r.mean_total, v_r.score_grade,
                           CASE WHEN v_r.rounding_note_en IS NOT NULL THEN format(' Note: %s.', v_r.rounding_note_en) ELSE '' END);
  IF cardinality(v_r.override_reasons_en) > 0 THEN
    v_out := v_out || format('4. Overrides force khong_hoan_thanh: %s.', array_to_string(v_r.override_reasons_en, '; '));
  ELSE
    v_out := v_out || '4. No override (Art. 20.4).'::text;
  END IF;
  IF cardinality(v_r.authority_reasons_en) > 0 THEN
    v_out := v_out || format('   Left to the authority: %s.', array_to_string(v_r.authority_reasons_en, '; '));
  END IF;
  v_out := v_out || format('5. Head cap (Art. 20.6), before the quota: %s.',
                           coalesce(v_r.cap_reason_en, CASE WHEN v_r.role = 'head' THEN 'not above the organisation''s grade'
                                                         ELSE 'not a head' END));
  v_out := v_out || format('6. Quota (Art. 20.5, civil servants only): %s.', coalesce(v_r.quota_outcome, 'not a candidate for xuat_sac'));
  v_out := v_out || format('7. Proposed grade: %s.', coalesce(v_r.proposed_grade::text, 'none yet (the authority decides)'));
  FOR v_dec IN SELECT d.* FROM cqs.grade_decision d
                WHERE d.person_id = explain.person_id AND d.year = explain.year ORDER BY d.decision_id LOOP
    v_out := v_out || format('   Decision %s (%s, %s by %s): %s%s.', v_dec.decision_id, v_dec.reference,
                             to_char(v_dec.decided_at, 'YYYY-MM-DD'), v_dec.decided_by, v_dec.grade,
                             CASE WHEN v_dec.supersedes IS NOT NULL
                                  THEN format(', re-grading replacing decision %s (Art. 21.3): %s', v_dec.supersedes, v_dec.reason)
                                  ELSE '' END);
  END LOOP;
  v_out := v_out || format('8. Final grade: %s — %s.', coalesce(v_r.final_grade::text, 'pending'),
                           coalesce(cqs.grade_label(v_r.final_grade), 'not decided'));
  RETURN array_to_string(cqs.localize(v_out, v_lang), E'\n');
END $$;
COMMENT ON FUNCTION cqs.explain(bigint, integer, text) IS
  'Art. 11, 17.3, 19-21: a readable trace of how a person''s year was graded, in Vietnamese (lang vi, the default) or English (en)';

-- One entry point for both traces: '2026-03-01' (a period) or '2026' (a year).
CREATE FUNCTION cqs.explain(person_id bigint, period_or_year text, lang text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_day date;
BEGIN
  IF period_or_year ~ '^\d{4}$' THEN
    RETURN cqs.explain(person_id, period_or_year::integer, lang);
  ELSIF period_or_year ~ '^\d{4}-\d{2}(-\d{2})?$' THEN
    BEGIN
      v_day := (CASE WHEN length(period_or_year) = 7 THEN period_or_year || '-01' ELSE period_or_year END)::date;
    EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
      RAISE EXCEPTION 'period_or_year "%" is not a valid date', period_or_year
        USING ERRCODE = 'invalid_parameter_value';
    END;
    RETURN cqs.explain(person_id, v_day, lang);
  END IF;
  RAISE EXCEPTION 'period_or_year must be a year like 2026 or a month like 2026-03 / 2026-03-01, got "%"', period_or_year
    USING ERRCODE = 'invalid_parameter_value';
END $$;
COMMENT ON FUNCTION cqs.explain(bigint, text, text) IS
  'Art. 12-21: the trace of a period (''2026-03'' or ''2026-03-01'') or of a year (''2026''), in Vietnamese (lang vi, the default) or English (en)';
