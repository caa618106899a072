-- The civil servants' year (Art. 11, 17.3, 19-22; DOMAIN.md sections 5-6).

-- Leave (Art. 11.2): sick and maternity leave are graded on the months worked;
-- unpaid leave only with at least 6 months worked.
CREATE TABLE cqs.leave_record (
  leave_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id   bigint NOT NULL REFERENCES cqs.person,
  kind        text NOT NULL CONSTRAINT leave_record_kind_valid CHECK (kind IN ('sick', 'maternity', 'unpaid', 'other')),
  start_date  date NOT NULL,
  end_date    date NOT NULL,
  note        text,
  CONSTRAINT leave_record_dates_ordered CHECK (end_date >= start_date)
);
CREATE INDEX leave_record_person_idx ON cqs.leave_record (person_id);
COMMENT ON TABLE cqs.leave_record IS
  'Art. 11.2, 19.3: leave (nghỉ ốm, thai sản, không hưởng lương, khác) with dates; months fully on leave are not worked';

-- Discipline (Art. 11.3, 20.4.c): administrative or Party, reprimand (khiển trách) or heavier.
CREATE TABLE cqs.discipline (
  discipline_id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id                bigint NOT NULL REFERENCES cqs.person,
  kind                     text NOT NULL CONSTRAINT discipline_kind_valid CHECK (kind IN ('administrative', 'party')),
  level                    text NOT NULL CONSTRAINT discipline_level_valid
                           CHECK (level IN ('khien_trach', 'canh_cao', 'ha_bac_luong', 'giang_chuc', 'cach_chuc',
                                            'buoc_thoi_viec', 'khai_tru')),
  decision_date            date NOT NULL,
  decision_ref             text NOT NULL,
  act_ref                  text NOT NULL,       -- the act punished: Party and administrative discipline for one act share it
  act_description          text,
  act_organisation_id      bigint NOT NULL REFERENCES cqs.organisation,   -- where the act happened (Art. 11.3.c-d)
  public_duty_or_degradation boolean NOT NULL DEFAULT true               -- Art. 11.3.a: only these force the grade
);
CREATE INDEX discipline_person_idx ON cqs.discipline (person_id);
COMMENT ON TABLE cqs.discipline IS
  'Art. 11.3, 20.4.c: administrative or Party discipline (khiển trách or heavier), the act it punishes and where it happened';

-- Other overrides (Art. 20.4.b, 20.4.d, 11.3.b): degradation concluded by an authority;
-- for leaders, corruption/waste handled by law in a unit under their direct charge; an
-- act used for khong_hoan_thanh before any discipline decision.
CREATE TABLE cqs.year_override (
  override_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id     bigint NOT NULL REFERENCES cqs.person,
  year          integer NOT NULL,
  kind          text NOT NULL CONSTRAINT year_override_kind_valid
                CHECK (kind IN ('degradation', 'corruption_waste_in_unit', 'violation_before_discipline')),
  act_ref       text,                          -- for Art. 11.3.b: a later discipline for this act does not count again
  decided_by    text NOT NULL,
  decided_on    date NOT NULL,
  reference     text NOT NULL,
  reason        text NOT NULL
);
CREATE INDEX year_override_person_idx ON cqs.year_override (person_id, year);
COMMENT ON TABLE cqs.year_override IS
  'Art. 20.4.b (degradation), 20.4.d (leaders: corruption/waste in a unit under their direct charge), 11.3.b (an act used before its discipline decision)';

-- Which discipline counts for which year (Art. 11.3.a-b): the earliest decision for an
-- act counts, once; an act already used in an earlier year does not count again.
CREATE VIEW cqs.discipline_counted AS
SELECT d.*, extract(year FROM d.decision_date)::integer AS counted_year,
       (d.discipline_id = first_value(d.discipline_id) OVER w) AS counts
  FROM cqs.discipline d
 WHERE d.public_duty_or_degradation
   AND NOT EXISTS (SELECT 1 FROM cqs.year_override o
                    WHERE o.person_id = d.person_id AND o.act_ref = d.act_ref
                      AND o.year < extract(year FROM d.decision_date))
WINDOW w AS (PARTITION BY d.person_id, d.act_ref ORDER BY d.decision_date, d.discipline_id);

-- Public holidays (ngày nghỉ lễ, Tết) for working-day deadlines (Art. 22).
CREATE TABLE cqs.public_holiday (
  day   date PRIMARY KEY,
  name  text NOT NULL
);
COMMENT ON TABLE cqs.public_holiday IS 'Public holidays and compensatory days off, for deadlines counted in working days (Art. 22)';

-- The day that is n working days after start (Monday-Friday, not a public holiday).
CREATE FUNCTION cqs.add_working_days(start date, n integer) RETURNS date
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_day  date := start;
  v_left integer := n;
BEGIN
  IF n < 0 THEN
    RAISE EXCEPTION 'n must not be negative, got %', n USING ERRCODE = 'invalid_parameter_value';
  END IF;
  WHILE v_left > 0 LOOP
    v_day := v_day + 1;
    IF extract(isodow FROM v_day) < 6 AND NOT EXISTS (SELECT 1 FROM cqs.public_holiday h WHERE h.day = v_day) THEN
      v_left := v_left - 1;
    END IF;
  END LOOP;
  RETURN v_day;
END $$;
COMMENT ON FUNCTION cqs.add_working_days(date, integer) IS
  'Art. 22: the date n working days after start, skipping weekends and cqs.public_holiday';

-- The annual procedure (Art. 21), one row per person and year.
CREATE TABLE cqs.year_grading (
  person_id              bigint NOT NULL REFERENCES cqs.person,
  year                   integer NOT NULL,
  self_proposed_grade    cqs.grade,            -- Form 02
  self_proposed_at       timestamptz,
  meeting_minutes_ref    text,                 -- biên bản cuộc họp
  meeting_on             date,
  party_opinion          text,                 -- ý kiến cấp ủy (heads and deputies)
  party_opinion_at       timestamptz,
  personnel_proposal     cqs.grade,            -- bộ phận tham mưu tổ chức cán bộ
  personnel_proposed_at  timestamptz,
  PRIMARY KEY (person_id, year)
);
COMMENT ON TABLE cqs.year_grading IS
  'Art. 21: the annual procedure: self-proposed grade (Form 02), meeting minutes, Party committee opinion (heads, deputies), the personnel section''s proposal';

-- The authority's choice among candidates tied at the quota cut-off, or against the
-- proposal (Art. 20.5: the authority decides who keeps xuat_sac).
CREATE TABLE cqs.quota_choice (
  person_id   bigint NOT NULL REFERENCES cqs.person,
  year        integer NOT NULL,
  keeps       boolean NOT NULL,
  decided_by  text NOT NULL,
  decided_at  timestamptz NOT NULL,
  PRIMARY KEY (person_id, year)
);
COMMENT ON TABLE cqs.quota_choice IS 'Art. 20.5: the authority''s final choice of who keeps xuat_sac within the quota';

-- Decisions (Art. 21.1.đ, 21.3): a re-grading is a new decision that supersedes the
-- old one; both stay on record.
CREATE TABLE cqs.grade_decision (
  decision_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id        bigint NOT NULL REFERENCES cqs.person,
  year             integer NOT NULL,
  organisation_id  bigint NOT NULL REFERENCES cqs.organisation,   -- the grading organisation
  grade            cqs.grade NOT NULL,
  decided_by       text NOT NULL,
  decided_at       timestamptz NOT NULL DEFAULT now(),
  reference        text NOT NULL,
  supersedes       bigint REFERENCES cqs.grade_decision DEFERRABLE INITIALLY DEFERRED,
  reason           text,
  notified_at      timestamptz,                 -- written notification to the civil servant
  published_at     timestamptz,                 -- public announcement (preferably electronic)
  CONSTRAINT grade_decision_regrade_reason CHECK (supersedes IS NULL OR reason IS NOT NULL)
);
CREATE UNIQUE INDEX grade_decision_supersedes_once ON cqs.grade_decision (supersedes) WHERE supersedes IS NOT NULL;
CREATE INDEX grade_decision_person_year_idx ON cqs.grade_decision (person_id, year);
COMMENT ON TABLE cqs.grade_decision IS
  'Art. 21, 21.3, 4.4: grading decisions; a re-grading supersedes the earlier decision, which stays on record';

-- Complaints (kiến nghị, Art. 22): resolved within 7 working days of receipt.
CREATE TABLE cqs.complaint (
  complaint_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id        bigint NOT NULL REFERENCES cqs.person,
  decision_id      bigint NOT NULL REFERENCES cqs.grade_decision,
  filed_on         date NOT NULL,
  content          text NOT NULL,
  resolved_on      date,
  outcome          text CONSTRAINT complaint_outcome_valid CHECK (outcome IN ('rejected', 'upheld_regraded', 'withdrawn')),
  outcome_note     text,
  CONSTRAINT complaint_resolution_complete CHECK ((resolved_on IS NULL) = (outcome IS NULL)),
  CONSTRAINT complaint_resolved_after_filing CHECK (resolved_on IS NULL OR resolved_on >= filed_on)
);
COMMENT ON TABLE cqs.complaint IS 'Art. 22: a civil servant''s complaint about a grading decision; due 7 working days after receipt';

CREATE VIEW cqs.complaints AS
SELECT c.*, cqs.add_working_days(c.filed_on, 7) AS due_on,
       CASE WHEN c.resolved_on IS NULL THEN current_date > cqs.add_working_days(c.filed_on, 7)
            ELSE c.resolved_on > cqs.add_working_days(c.filed_on, 7) END AS overdue
  FROM cqs.complaint c;
COMMENT ON VIEW cqs.complaints IS 'Art. 22: complaints with their due date (7 working days, weekends and public holidays skipped) and whether they are overdue';

-- The computed year of a person: what cqs.grade_year() proposes.
CREATE TABLE cqs.year_result (
  person_id            bigint NOT NULL REFERENCES cqs.person,
  year                 integer NOT NULL,
  organisation_id      bigint NOT NULL REFERENCES cqs.organisation,   -- grading organisation (Art. 19.1)
  using_agency_id      bigint NOT NULL REFERENCES cqs.organisation,
  role                 text NOT NULL,
  duty_group           text NOT NULL,
  months_worked        integer NOT NULL,
  months_counted       integer NOT NULL,
  mean_total           numeric,
  score_grade          cqs.grade,
  override_reasons     text[] NOT NULL DEFAULT '{}',
  quota_outcome        text,
  cap_reason           text,
  proposed_grade       cqs.grade,
  not_graded_reason    text,
  computed_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (person_id, year)
);
CREATE INDEX year_result_year_org_idx ON cqs.year_result (year, using_agency_id, duty_group);
COMMENT ON TABLE cqs.year_result IS
  'Art. 11, 17.3, 19-20: a person''s computed year: months worked and counted, mean total, grade by score, overrides, quota outcome, head cap and the proposed grade';

-- Grade the year: organisations first (Art. 9.1), then every person posted in the year.
CREATE FUNCTION cqs.grade_year(year integer)
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET client_min_messages = warning AS $$
#variable_conflict use_column
DECLARE
  v_first date := make_date(grade_year.year, 1, 1);
  v_last  date := make_date(grade_year.year, 12, 31);
  v_n     bigint;
BEGIN
  PERFORM cqs.grade_organisations(grade_year.year);

  CREATE TEMP TABLE IF NOT EXISTS _cqs_year (
    person_id bigint PRIMARY KEY, organisation_id bigint, using_agency_id bigint, role text, duty_group text,
    decimals integer, months_worked integer, sick_or_maternity boolean, months_counted integer,
    mean_total numeric, score_grade cqs.grade, reasons text[], pre_quota cqs.grade, quota_outcome text,
    after_quota cqs.grade, cap_reason text, proposed cqs.grade, not_graded text) ON COMMIT DROP;
  TRUNCATE _cqs_year;

  -- Grading organisation: the posting in force latest in the year (Art. 19.1).
  INSERT INTO _cqs_year (person_id, organisation_id, using_agency_id, role, duty_group, decimals)
  SELECT DISTINCT ON (p.person_id) p.person_id, p.organisation_id, pol.using_agency_id, p.role, p.duty_group, pol.decimals
    FROM cqs.posting p JOIN cqs.organisation_policies pol USING (organisation_id)
   WHERE p.start_date <= v_last AND (p.end_date IS NULL OR p.end_date >= v_first)
   ORDER BY p.person_id, p.start_date DESC;

  -- Months worked (Art. 11.1-2): posted at some point in the month and not on leave
  -- for the whole of it.  Fewer than 6 is graded on the months worked only when sick or
  -- maternity leave makes up the difference (months fully on such leave count towards 6).
  -- Built set-wise: the months each posting covers, less the months a leave covers whole.
  CREATE TEMP TABLE IF NOT EXISTS _cqs_months (person_id bigint, month date, on_leave boolean,
                                               sick_or_maternity boolean) ON COMMIT DROP;
  TRUNCATE _cqs_months;
  INSERT INTO _cqs_months
  SELECT pm.person_id, pm.month, lv.person_id IS NOT NULL, coalesce(lv.sick_or_maternity, false)
    FROM (SELECT DISTINCT p.person_id, m::date AS month
            FROM cqs.posting p
            JOIN _cqs_year y ON y.person_id = p.person_id
            CROSS JOIN LATERAL generate_series(date_trunc('month', greatest(p.start_date, v_first)),
                                               least(coalesce(p.end_date, v_last), v_last), interval '1 month') AS m
           WHERE p.start_date <= v_last AND (p.end_date IS NULL OR p.end_date >= v_first)) pm
    LEFT JOIN (
      SELECT l.person_id, m::date AS month, bool_or(l.kind IN ('sick', 'maternity')) AS sick_or_maternity
        FROM cqs.leave_record l
        CROSS JOIN LATERAL generate_series(date_trunc('month', greatest(l.start_date, v_first)),
                                           least(l.end_date, v_last), interval '1 month') AS m
       WHERE l.start_date <= m::date AND l.end_date >= (m + interval '1 month - 1 day')::date
         AND l.start_date <= v_last AND l.end_date >= v_first
       GROUP BY l.person_id, m) lv ON lv.person_id = pm.person_id AND lv.month = pm.month;
  ANALYZE _cqs_months;

  UPDATE _cqs_year y
     SET months_worked = w.months, sick_or_maternity = w.months + w.sm_months >= 6
    FROM (SELECT person_id, (count(*) FILTER (WHERE NOT on_leave))::integer AS months,
                 (count(*) FILTER (WHERE on_leave AND sick_or_maternity))::integer AS sm_months
            FROM _cqs_months GROUP BY person_id) w
   WHERE y.person_id = w.person_id;
  UPDATE _cqs_year SET months_worked = 0, sick_or_maternity = false WHERE months_worked IS NULL;

  -- Year score (Art. 17.3): mean of the monthly (quarterly) totals of the periods worked
  -- (a quarter counts when one of its months was worked).
  UPDATE _cqs_year y
     SET months_counted = s.n, mean_total = CASE WHEN s.n > 0 THEN round(s.mean, y.decimals) END
    FROM (
      SELECT r.person_id, count(*)::integer AS n, avg(r.total) AS mean
        FROM cqs.period_result r
        JOIN _cqs_year y2 ON y2.person_id = r.person_id
       WHERE r.period BETWEEN v_first AND v_last AND r.total IS NOT NULL
         AND EXISTS (SELECT 1 FROM _cqs_months mo
                      WHERE mo.person_id = r.person_id AND NOT mo.on_leave
                        AND mo.month >= r.period
                        AND mo.month < r.period + CASE r.period_kind WHEN 'quarter' THEN interval '3 months'
                                                                     ELSE interval '1 month' END)
       GROUP BY r.person_id) s
   WHERE y.person_id = s.person_id;
  UPDATE _cqs_year SET months_counted = 0 WHERE months_counted IS NULL;

  UPDATE _cqs_year SET
    not_graded = CASE
      WHEN months_worked < 6 AND NOT sick_or_maternity
        THEN format('worked %s month(s) in %s, fewer than 6 (Art. 11.1)', months_worked, grade_year.year)
      WHEN months_counted = 0
        THEN 'no monthly or quarterly result in the months worked (Art. 17.3)' END,
    score_grade = cqs.classify(mean_total);

  -- Overrides (Art. 20.4, 11.3): each forces khong_hoan_thanh, with its reason.
  UPDATE _cqs_year y
     SET reasons = o.reasons
    FROM (
      SELECT r.person_id, array_agg(r.reason ORDER BY r.reason) AS reasons
        FROM (
          SELECT d.person_id,
                 format('Art. 20.4.c, 11.3: %s discipline %s (%s, %s) for act %s at organisation %s',
                        d.kind, d.level, d.decision_ref, d.decision_date, d.act_ref, d.act_organisation_id) AS reason
            FROM cqs.discipline_counted d
           WHERE d.counts AND d.counted_year = grade_year.year
          UNION ALL
          SELECT o.person_id,
                 format('%s: %s (%s, %s, %s)',
                        CASE o.kind WHEN 'degradation' THEN 'Art. 20.4.b'
                                    WHEN 'corruption_waste_in_unit' THEN 'Art. 20.4.d'
                                    ELSE 'Art. 11.3.b, 20.4.c' END,
                        o.reason, o.decided_by, o.decided_on, o.reference)
            FROM cqs.year_override o
            JOIN _cqs_year y2 ON y2.person_id = o.person_id
           WHERE o.year = grade_year.year
             AND (o.kind <> 'corruption_waste_in_unit' OR y2.role IN ('head', 'deputy'))) r
       GROUP BY r.person_id) o
   WHERE y.person_id = o.person_id;
  UPDATE _cqs_year SET reasons = '{}' WHERE reasons IS NULL;
  UPDATE _cqs_year SET pre_quota = CASE WHEN not_graded IS NOT NULL THEN NULL
                                        WHEN cardinality(reasons) > 0 THEN 'khong_hoan_thanh'
                                        ELSE score_grade END;

  -- Quota (Art. 20.5) per using agency and duty group: propose by score, flag ties.
  WITH k AS (
    SELECT y.using_agency_id, y.duty_group,
           cqs.excellent_quota((count(*) FILTER (WHERE y.pre_quota = 'tot'))::integer,
                               (count(*) FILTER (WHERE y.pre_quota = 'xuat_sac'))::integer,
                               coalesce((SELECT max(d.rate) FROM cqs.quota_decision d
                                          WHERE d.organisation_id = y.using_agency_id AND d.year = grade_year.year
                                            AND d.for_people AND d.duty_group IN ('*', y.duty_group)), 0.20)) AS k
      FROM _cqs_year y GROUP BY y.using_agency_id, y.duty_group
  ), ranked AS (
    SELECT y.person_id, k.k, rank() OVER w AS rnk,
           rank() OVER w + count(*) OVER (PARTITION BY y.using_agency_id, y.duty_group, y.mean_total) - 1 AS last_rank
      FROM _cqs_year y JOIN k USING (using_agency_id, duty_group)
     WHERE y.pre_quota = 'xuat_sac'
    WINDOW w AS (PARTITION BY y.using_agency_id, y.duty_group ORDER BY y.mean_total DESC)
  )
  UPDATE _cqs_year y
     SET quota_outcome = CASE WHEN qc.keeps THEN 'kept_by_authority'
                              WHEN NOT qc.keeps THEN 'lost_by_authority'
                              WHEN r.last_rank <= r.k THEN 'keeps'
                              WHEN r.rnk > r.k THEN 'loses'
                              ELSE 'tie_at_cutoff' END
    FROM ranked r
    LEFT JOIN cqs.quota_choice qc ON qc.person_id = r.person_id AND qc.year = grade_year.year
   WHERE y.person_id = r.person_id;
  UPDATE _cqs_year SET after_quota = CASE WHEN quota_outcome IN ('loses', 'lost_by_authority') THEN 'tot'
                                          WHEN quota_outcome = 'tie_at_cutoff' THEN NULL
                                          ELSE pre_quota END;

  -- Art. 20.6: a head's grade never exceeds their organisation's.
  UPDATE _cqs_year y
     SET cap_reason = CASE WHEN o.final_grade IS NULL
                           THEN 'organisation not graded yet: Art. 20.6 caps the head at its grade'
                           WHEN y.after_quota > o.final_grade
                           THEN format('Art. 20.6: capped at the organisation''s grade %s (from %s)', o.final_grade, y.after_quota) END,
         proposed = CASE WHEN o.final_grade IS NOT NULL AND y.after_quota > o.final_grade THEN o.final_grade
                         ELSE y.after_quota END
    FROM cqs.organisation_results o
   WHERE y.role = 'head' AND o.organisation_id = y.organisation_id AND o.year = grade_year.year;
  UPDATE _cqs_year y
     SET proposed = after_quota,
         cap_reason = CASE WHEN role = 'head' AND after_quota IS NOT NULL
                           THEN 'organisation not graded yet: Art. 20.6 caps the head at its grade' END
   WHERE proposed IS NULL AND cap_reason IS NULL;

  DELETE FROM cqs.year_result r WHERE r.year = grade_year.year
     AND NOT EXISTS (SELECT 1 FROM _cqs_year y WHERE y.person_id = r.person_id);
  INSERT INTO cqs.year_result AS r
        (person_id, year, organisation_id, using_agency_id, role, duty_group, months_worked, months_counted,
         mean_total, score_grade, override_reasons, quota_outcome, cap_reason, proposed_grade,
         not_graded_reason, computed_at)
  SELECT person_id, grade_year.year, organisation_id, using_agency_id, role, duty_group, months_worked,
         coalesce(months_counted, 0), mean_total, score_grade, reasons, quota_outcome, cap_reason,
         proposed, not_graded, now()
    FROM _cqs_year
  ON CONFLICT (person_id, year) DO UPDATE
     SET organisation_id = excluded.organisation_id, using_agency_id = excluded.using_agency_id,
         role = excluded.role, duty_group = excluded.duty_group, months_worked = excluded.months_worked,
         months_counted = excluded.months_counted, mean_total = excluded.mean_total,
         score_grade = excluded.score_grade, override_reasons = excluded.override_reasons,
         quota_outcome = excluded.quota_outcome, cap_reason = excluded.cap_reason,
         proposed_grade = excluded.proposed_grade, not_graded_reason = excluded.not_graded_reason,
         computed_at = excluded.computed_at;
  GET DIAGNOSTICS v_n = ROW_COUNT;
  RETURN v_n;
END $$;
COMMENT ON FUNCTION cqs.grade_year(integer) IS
  'Art. 8-9, 11, 17.3, 19-20: grade a year: organisations (lower first, quota), then every person: months worked, mean total, overrides, quota per organisation and duty group, heads capped by their organisation';

-- Art. 20.6: a head's decided grade is never above their organisation's final grade.
CREATE FUNCTION cqs._check_head_cap(p_person bigint, p_year integer, p_grade cqs.grade) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_org_grade cqs.grade;
  v_org       bigint;
BEGIN
  SELECT o.final_grade, o.organisation_id INTO v_org_grade, v_org
    FROM cqs.year_result r
    JOIN cqs.organisation_results o ON o.organisation_id = r.organisation_id AND o.year = r.year
   WHERE r.person_id = p_person AND r.year = p_year AND r.role = 'head';
  IF v_org_grade IS NOT NULL AND p_grade > v_org_grade THEN
    RAISE EXCEPTION 'grade % for person % exceeds the grade % of organisation % they head', p_grade, p_person, v_org_grade, v_org
      USING ERRCODE = 'check_violation', CONSTRAINT = 'head_not_above_organisation',
            HINT = 'Art. 20.6: a head''s grade is never above their organisation''s.';
  END IF;
END $$;

-- The decision in force for a person's year: the latest one not superseded.
CREATE VIEW cqs.grade_decisions_in_force AS
SELECT d.* FROM cqs.grade_decision d
 WHERE NOT EXISTS (SELECT 1 FROM cqs.grade_decision n WHERE n.supersedes = d.decision_id);

-- Art. 21: decide a person's grade.  Heads and deputies need the Party committee's
-- opinion first (Art. 21.1.c, 21.2.c).
CREATE FUNCTION cqs.decide_grade(person_id bigint, year integer, grade cqs.grade, decided_by text,
                                 reference text)
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_res cqs.year_result;
  v_id  bigint;
BEGIN
  SELECT * INTO v_res FROM cqs.year_result r WHERE r.person_id = decide_grade.person_id AND r.year = decide_grade.year;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'person % has no computed year %', decide_grade.person_id, decide_grade.year
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Run cqs.grade_year() first.';
  END IF;
  IF v_res.not_graded_reason IS NOT NULL THEN
    RAISE EXCEPTION 'person % is not graded for %: %', decide_grade.person_id, decide_grade.year, v_res.not_graded_reason
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF EXISTS (SELECT 1 FROM cqs.grade_decision d WHERE d.person_id = decide_grade.person_id AND d.year = decide_grade.year) THEN
    RAISE EXCEPTION 'person % already has a decision for %', decide_grade.person_id, decide_grade.year
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'A correction is a re-grading: cqs.regrade() (Art. 21.3).';
  END IF;
  IF v_res.role IN ('head', 'deputy') AND NOT EXISTS (
       SELECT 1 FROM cqs.year_grading g WHERE g.person_id = decide_grade.person_id AND g.year = decide_grade.year
          AND g.party_opinion_at IS NOT NULL) THEN
    RAISE EXCEPTION 'person % is a %: the Party committee''s opinion is required before the decision', decide_grade.person_id, v_res.role
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Art. 21.1.c, 21.2.c: record it in cqs.year_grading.';
  END IF;
  PERFORM cqs._check_head_cap(decide_grade.person_id, decide_grade.year, decide_grade.grade);
  INSERT INTO cqs.grade_decision (person_id, year, organisation_id, grade, decided_by, reference)
  VALUES (decide_grade.person_id, decide_grade.year, v_res.organisation_id, decide_grade.grade,
          decide_grade.decided_by, decide_grade.reference)
  RETURNING decision_id INTO v_id;
  RETURN v_id;
END $$;
COMMENT ON FUNCTION cqs.decide_grade(bigint, integer, cqs.grade, text, text) IS
  'Art. 21: the authority''s grading decision (heads and deputies need the Party committee''s opinion first)';

-- Art. 21.3: a re-grading is a new decision replacing the one in force.
CREATE FUNCTION cqs.regrade(person_id bigint, year integer, grade cqs.grade, decided_by text,
                            reference text, reason text)
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_old bigint;
  v_org bigint;
  v_id  bigint;
BEGIN
  SELECT d.decision_id, d.organisation_id INTO v_old, v_org FROM cqs.grade_decisions_in_force d
   WHERE d.person_id = regrade.person_id AND d.year = regrade.year;
  IF v_old IS NULL THEN
    RAISE EXCEPTION 'person % has no decision for % to re-grade', regrade.person_id, regrade.year
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  PERFORM cqs._check_head_cap(regrade.person_id, regrade.year, regrade.grade);
  INSERT INTO cqs.grade_decision (person_id, year, organisation_id, grade, decided_by, reference, supersedes, reason)
  VALUES (regrade.person_id, regrade.year, v_org, regrade.grade, regrade.decided_by, regrade.reference, v_old, regrade.reason)
  RETURNING decision_id INTO v_id;
  RETURN v_id;
END $$;
COMMENT ON FUNCTION cqs.regrade(bigint, integer, cqs.grade, text, text, text) IS
  'Art. 21.3, 4.4: a new grading decision replacing the one in force; the old decision stays on record';
