-- Year views (Art. 19-24), bonuses (Art. 23) and the year trace.

CREATE VIEW cqs.year_results AS
SELECT r.person_id, p.personnel_id, r.organisation_id, r.year, r.months_counted, r.mean_total, r.score_grade,
       r.override_reasons, r.quota_outcome, coalesce(d.grade, r.proposed_grade) AS final_grade,
       r.not_graded_reason,
       CASE WHEN r.not_graded_reason IS NOT NULL THEN 'not_graded'
            WHEN EXISTS (SELECT 1 FROM cqs.complaint c WHERE c.decision_id = d.decision_id AND c.resolved_on IS NULL)
              THEN 'complaint_open'
            WHEN d.notified_at IS NOT NULL THEN 'notified'
            WHEN d.decision_id IS NOT NULL THEN 'decided'
            WHEN r.quota_outcome = 'tie_at_cutoff' THEN 'awaiting_authority'
            ELSE 'proposed' END AS status,
       d.decided_by, d.decided_at,
       r.months_worked, r.role, r.duty_group, r.cap_reason, r.proposed_grade, d.decision_id, d.reference AS decision_ref
  FROM cqs.year_result r
  JOIN cqs.person p ON p.person_id = r.person_id
  LEFT JOIN cqs.grade_decisions_in_force d ON d.person_id = r.person_id AND d.year = r.year;
COMMENT ON VIEW cqs.year_results IS
  'Art. 11, 17.3, 19-22: the year per person: months counted, mean total, grade by score, override reasons, quota outcome, final grade (the decision in force, else the proposal), why not graded, status and decision';

-- Form 02 (Mẫu số 02): the 12 monthly totals, their mean, the self-proposed and decided grade.
CREATE VIEW cqs.form02 AS
SELECT r.person_id, p.personnel_id, p.full_name, r.organisation_id, r.year,
       max(m.total) FILTER (WHERE extract(month FROM m.period) = 1) AS m01,
       max(m.total) FILTER (WHERE extract(month FROM m.period) = 2) AS m02,
       max(m.total) FILTER (WHERE extract(month FROM m.period) = 3) AS m03,
       max(m.total) FILTER (WHERE extract(month FROM m.period) = 4) AS m04,
       max(m.total) FILTER (WHERE extract(month FROM m.period) = 5) AS m05,
       max(m.total) FILTER (WHERE extract(month FROM m.period) = 6) AS m06,
       max(m.total) FILTER (WHERE extract(month FROM m.period) = 7) AS m07,
       max(m.total) FILTER (WHERE extract(month FROM m.period) = 8) AS m08,
       max(m.total) FILTER (WHERE extract(month FROM m.period) = 9) AS m09,
       max(m.total) FILTER (WHERE extract(month FROM m.period) = 10) AS m10,
       max(m.total) FILTER (WHERE extract(month FROM m.period) = 11) AS m11,
       max(m.total) FILTER (WHERE extract(month FROM m.period) = 12) AS m12,
       r.mean_total, g.self_proposed_grade, d.grade AS decided_grade, d.decided_by, d.decided_at
  FROM cqs.year_result r
  JOIN cqs.person p ON p.person_id = r.person_id
  LEFT JOIN cqs.period_result m ON m.person_id = r.person_id AND m.period_kind = 'month'
                               AND extract(year FROM m.period) = r.year
  LEFT JOIN cqs.year_grading g ON g.person_id = r.person_id AND g.year = r.year
  LEFT JOIN cqs.grade_decisions_in_force d ON d.person_id = r.person_id AND d.year = r.year
 GROUP BY r.person_id, p.personnel_id, p.full_name, r.organisation_id, r.year, r.mean_total,
          g.self_proposed_grade, d.grade, d.decided_by, d.decided_at;
COMMENT ON VIEW cqs.form02 IS
  'Form 02 (Mẫu số 02, phiếu xếp loại chất lượng công chức): the 12 monthly totals, their mean, the self-proposed and the decided grade';

CREATE VIEW cqs.grade_distribution AS
SELECT y.year, y.using_agency_id AS organisation_id, o.name AS organisation_name, y.duty_group,
       y.final_grade AS grade, count(*) AS people,
       round(count(*) * 100.0 / sum(count(*)) OVER (PARTITION BY y.year, y.using_agency_id, y.duty_group), 2) AS share_percent
  FROM (SELECT yr.*, r.using_agency_id FROM cqs.year_results yr JOIN cqs.year_result r USING (person_id, year)
         WHERE yr.final_grade IS NOT NULL) y
  JOIN cqs.organisation o ON o.organisation_id = y.using_agency_id
 GROUP BY y.year, y.using_agency_id, o.name, y.duty_group, y.final_grade;
COMMENT ON VIEW cqs.grade_distribution IS
  'Counts and shares of final grades per year, using agency and duty group (Art. 20.5 groups)';

-- Every deadline missed (DOMAIN.md section 6).  Self-assessment is due by the 5th and
-- confirmation by the 10th of the month after the period (the city's plan); annual
-- grading by 15/12 (15/01 next year for special units, Art. 19.2); complaints within
-- 7 working days (Art. 22).
CREATE VIEW cqs.overdue AS
SELECT 'self_assessment'::text AS kind, a.person_id, a.organisation_id, a.period AS period_or_year_start,
       (a.period + CASE r.period_kind WHEN 'quarter' THEN interval '3 months' ELSE interval '1 month' END + interval '4 days')::date AS due_on,
       a.self_assessed_at::date AS done_on
  FROM cqs.assessment a JOIN cqs.period_result r USING (person_id, period)
 WHERE coalesce(a.self_assessed_at::date, current_date) >
       (a.period + CASE r.period_kind WHEN 'quarter' THEN interval '3 months' ELSE interval '1 month' END + interval '4 days')::date
UNION ALL
SELECT 'evaluation', a.person_id, a.organisation_id, a.period,
       (a.period + CASE r.period_kind WHEN 'quarter' THEN interval '3 months' ELSE interval '1 month' END + interval '9 days')::date,
       a.confirmed_at::date
  FROM cqs.assessment a JOIN cqs.period_result r USING (person_id, period)
 WHERE coalesce(a.confirmed_at::date, current_date) >
       (a.period + CASE r.period_kind WHEN 'quarter' THEN interval '3 months' ELSE interval '1 month' END + interval '9 days')::date
UNION ALL
SELECT 'annual_grading', r.person_id, r.organisation_id, make_date(r.year, 1, 1),
       CASE WHEN o.special_deadline THEN make_date(r.year + 1, 1, 15) ELSE make_date(r.year, 12, 15) END,
       first_d.decided_at::date
  FROM cqs.year_result r
  JOIN cqs.organisation o ON o.organisation_id = r.organisation_id
  LEFT JOIN LATERAL (SELECT min(d.decided_at) AS decided_at FROM cqs.grade_decision d
                      WHERE d.person_id = r.person_id AND d.year = r.year) first_d ON true
 WHERE r.not_graded_reason IS NULL
   AND coalesce(first_d.decided_at::date, current_date) >
       CASE WHEN o.special_deadline THEN make_date(r.year + 1, 1, 15) ELSE make_date(r.year, 12, 15) END
UNION ALL
SELECT 'complaint', c.person_id, d.organisation_id, make_date(d.year, 1, 1), c.due_on, c.resolved_on
  FROM cqs.complaints c JOIN cqs.grade_decision d USING (decision_id)
 WHERE c.overdue;
COMMENT ON VIEW cqs.overdue IS
  'Every missed deadline: self-assessments (5th of the next month), evaluations (10th), annual grading (15/12, or 15/01 for special units, Art. 19.2), complaints (7 working days, Art. 22)';

-- Bonus regulation of an organisation (Art. 23, 26.1.e; Huế plan item II.9):
-- a coefficient per grade, optionally weighted by the score.
CREATE TABLE cqs.bonus_regulation (
  organisation_id  bigint NOT NULL REFERENCES cqs.organisation,
  grade            cqs.grade NOT NULL,
  coefficient      numeric NOT NULL CONSTRAINT bonus_regulation_coefficient_nonnegative CHECK (coefficient >= 0),
  weight_by_score  boolean NOT NULL DEFAULT false,
  PRIMARY KEY (organisation_id, grade)
);
COMMENT ON TABLE cqs.bonus_regulation IS
  'Art. 23, 26.1.e: an organisation''s own regulation for income supplements and bonuses: a coefficient per grade, optionally weighted by score';

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
  IF NOT EXISTS (SELECT 1 FROM cqs.bonus_regulation b WHERE b.organisation_id = bonus_allocation.organisation_id) THEN
    RAISE EXCEPTION 'organisation % has no bonus regulation', bonus_allocation.organisation_id
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Fill cqs.bonus_regulation (Art. 23, Huế plan II.9).';
  END IF;

  CREATE TEMP TABLE IF NOT EXISTS _cqs_bonus (person_id bigint, grade cqs.grade, score numeric, weight numeric) ON COMMIT DROP;
  TRUNCATE _cqs_bonus;
  INSERT INTO _cqs_bonus
  SELECT x.person_id, x.grade, x.score,
         b.coefficient * CASE WHEN b.weight_by_score THEN x.score ELSE 1 END
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

  SELECT sum(b.weight) INTO v_total_w FROM _cqs_bonus b;
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
      FROM _cqs_bonus b
  ), ranked AS (
    SELECT f.*, row_number() OVER (ORDER BY f.frac DESC, f.weight DESC, f.person_id) AS rn,
           fund - sum(f.base) OVER () AS remainder
      FROM floored f
  )
  SELECT r.person_id, p.personnel_id, r.grade, r.score, r.weight,
         r.base + CASE WHEN r.rn <= r.remainder THEN 1 ELSE 0 END
    FROM ranked r JOIN cqs.person p ON p.person_id = r.person_id
   ORDER BY r.person_id;
END $$;
COMMENT ON FUNCTION cqs.bonus_allocation(bigint, text, numeric) IS
  'Art. 23, 26.1.e: split a bonus or income-supplement fund by the organisation''s regulation, to the đồng, the parts summing exactly to the fund';

-- The year trace: how the final grade was reached.
CREATE FUNCTION cqs.explain(person_id bigint, year integer)
RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_r    cqs.year_results;
  v_p    cqs.person;
  v_out  text[] := '{}';
  v_m    record;
  v_dec  record;
BEGIN
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
  v_out := v_out || format('1. Months worked (Art. 11): %s.', v_r.months_worked);
  FOR v_m IN SELECT r.period, r.period_kind, r.total, r.organisation_id FROM cqs.period_result r
              WHERE r.person_id = explain.person_id AND extract(year FROM r.period) = explain.year
              ORDER BY r.period LOOP
    v_out := v_out || format('   - %s %s: %s (organisation %s)', v_m.period_kind, to_char(v_m.period, 'YYYY-MM'),
                             coalesce(v_m.total::text, 'no total'), v_m.organisation_id);
  END LOOP;
  IF v_r.not_graded_reason IS NOT NULL THEN
    v_out := v_out || format('2. Not graded: %s.', v_r.not_graded_reason);
    RETURN array_to_string(v_out, E'\n');
  END IF;
  v_out := v_out || format('2. Year score (Art. 17.3) = mean of %s period total(s) = %s; grade by score (Art. 20): %s.',
                           v_r.months_counted, v_r.mean_total, v_r.score_grade);
  IF cardinality(v_r.override_reasons) > 0 THEN
    v_out := v_out || format('3. Overrides force khong_hoan_thanh: %s.', array_to_string(v_r.override_reasons, '; '));
  ELSE
    v_out := v_out || '3. No override (Art. 20.4).'::text;
  END IF;
  v_out := v_out || format('4. Quota (Art. 20.5): %s.', coalesce(v_r.quota_outcome, 'not a candidate for xuat_sac'));
  v_out := v_out || format('5. Head cap (Art. 20.6): %s.',
                           coalesce(v_r.cap_reason, CASE WHEN v_r.role = 'head' THEN 'not above the organisation''s grade'
                                                         ELSE 'not a head' END));
  v_out := v_out || format('6. Proposed grade: %s.', coalesce(v_r.proposed_grade::text, 'none yet (the authority decides)'));
  FOR v_dec IN SELECT d.* FROM cqs.grade_decision d
                WHERE d.person_id = explain.person_id AND d.year = explain.year ORDER BY d.decision_id LOOP
    v_out := v_out || format('   Decision %s (%s, %s by %s): %s%s.', v_dec.decision_id, v_dec.reference,
                             to_char(v_dec.decided_at, 'YYYY-MM-DD'), v_dec.decided_by, v_dec.grade,
                             CASE WHEN v_dec.supersedes IS NOT NULL
                                  THEN format(', re-grading replacing decision %s (Art. 21.3): %s', v_dec.supersedes, v_dec.reason)
                                  ELSE '' END);
  END LOOP;
  v_out := v_out || format('7. Final grade: %s — %s.', coalesce(v_r.final_grade::text, 'pending'),
                           coalesce(cqs.grade_label(v_r.final_grade), 'not decided'));
  RETURN array_to_string(v_out, E'\n');
END $$;
COMMENT ON FUNCTION cqs.explain(bigint, integer) IS
  'Art. 11, 17.3, 19-21: a readable trace of how a person''s year was graded';

SELECT pg_catalog.pg_extension_config_dump('cqs.organisation_criteria', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('cqs.organisation_year', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.quota_decision', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.leave_record', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.discipline', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.year_override', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.public_holiday', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.year_grading', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.quota_choice', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.grade_decision', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.complaint', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.year_result', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.bonus_regulation', '');

-- One entry point for both traces: '2026-03-01' (a period) or '2026' (a year).
CREATE FUNCTION cqs.explain(person_id bigint, period_or_year text)
RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_day date;
BEGIN
  IF period_or_year ~ '^\d{4}$' THEN
    RETURN cqs.explain(person_id, period_or_year::integer);
  ELSIF period_or_year ~ '^\d{4}-\d{2}(-\d{2})?$' THEN
    BEGIN
      v_day := (CASE WHEN length(period_or_year) = 7 THEN period_or_year || '-01' ELSE period_or_year END)::date;
    EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
      RAISE EXCEPTION 'period_or_year "%" is not a valid date', period_or_year
        USING ERRCODE = 'invalid_parameter_value';
    END;
    RETURN cqs.explain(person_id, v_day);
  END IF;
  RAISE EXCEPTION 'period_or_year must be a year like 2026 or a month like 2026-03 / 2026-03-01, got "%"', period_or_year
    USING ERRCODE = 'invalid_parameter_value';
END $$;
COMMENT ON FUNCTION cqs.explain(bigint, text) IS
  'Art. 12-21: the trace of a period (''2026-03'' or ''2026-03-01'') or of a year (''2026'')';
