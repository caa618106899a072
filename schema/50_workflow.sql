-- The monthly/quarterly procedure (Art. 16-17): self-assessment, the evaluator's
-- confirmation, leader terms, locking.  Wrong-state calls raise 55000.

-- The assessment row of a person for the period holding a day, created on first use
-- with the organisation and criteria set of the person's posting, locked for update.
CREATE FUNCTION cqs._assessment_for(p_person bigint, p_day date) RETURNS cqs.assessment
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_row  cqs.assessment;
  v_org  bigint;
  v_pol  record;
BEGIN
  SELECT p.organisation_id INTO v_org
    FROM cqs.posting_in_force(p_person, date_trunc('month', p_day::timestamp without time zone)::date,
                              (date_trunc('month', p_day::timestamp without time zone) + interval '1 month - 1 day')::date) p;
  IF v_org IS NULL THEN
    RAISE EXCEPTION 'person % has no posting in the month of %', p_person, p_day
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Record the posting (cqs.posting) first.';
  END IF;
  SELECT * INTO v_pol FROM cqs.organisation_policies WHERE organisation_id = v_org;
  -- Concurrent first uses create one row; the row is then locked for the caller's
  -- state check and update (no lost update between a self-assessment and a confirmation).
  INSERT INTO cqs.assessment (person_id, period, organisation_id, criteria_set_id)
  VALUES (p_person, cqs.period_key(p_person, p_day, v_pol.cadence), v_org, v_pol.criteria_set_id)
  ON CONFLICT (person_id, period) DO NOTHING;
  SELECT * INTO v_row FROM cqs.assessment
   WHERE person_id = p_person AND period = cqs.period_key(p_person, p_day, v_pol.cadence)
     FOR UPDATE;
  RETURN v_row;
END $$;

CREATE FUNCTION cqs._require_status(p_row cqs.assessment, p_allowed text[], p_action text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT p_row.status = ANY (p_allowed) THEN
    RAISE EXCEPTION 'cannot % person %''s period %: it is %', p_action, p_row.person_id, p_row.period, p_row.status
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = format('Allowed from: %s.', array_to_string(p_allowed, ', '));
  END IF;
END $$;

-- Art. 16.2, Form 01: the civil servant scores themself.
CREATE FUNCTION cqs.self_assess(person_id bigint, period date, scores numeric[],
                                strengths text DEFAULT NULL, shortcomings text DEFAULT NULL)
RETURNS cqs.assessment
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_row cqs.assessment;
BEGIN
  -- Art. 16.2: a civil servant self-assesses themself only.
  IF cqs.acting_person() IS DISTINCT FROM self_assess.person_id
     AND NOT (cqs.acting_person() IS NULL AND cqs._is_superuser(cqs._actor_login())) THEN
    RAISE EXCEPTION '% (person %) cannot self-assess for person %', cqs._actor_login(),
                    coalesce(cqs.acting_person()::text, 'none'), self_assess.person_id
      USING ERRCODE = 'insufficient_privilege', HINT = 'Art. 16.2: each civil servant self-assesses their own Form 01.';
  END IF;
  v_row := cqs._assessment_for(self_assess.person_id, self_assess.period);
  PERFORM cqs._require_status(v_row, ARRAY['draft', 'self_assessed'], 'self-assess');
  UPDATE cqs.assessment a
     SET self_scores = scores, strengths = self_assess.strengths, shortcomings = self_assess.shortcomings,
         status = 'self_assessed', self_assessed_at = now()
   WHERE a.person_id = v_row.person_id AND a.period = v_row.period
  RETURNING * INTO v_row;
  RETURN v_row;
END $$;
COMMENT ON FUNCTION cqs.self_assess(bigint, date, numeric[], text, text) IS
  'Art. 16.2, Form 01: the civil servant''s self-assessment of the general criteria (draft -> self_assessed)';

-- Art. 16.3, Art. 10: the competent person confirms; their scores count from now on.
CREATE FUNCTION cqs.confirm(person_id bigint, period date, scores numeric[], comment text DEFAULT NULL)
RETURNS cqs.assessment
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_eval bigint := cqs._require_evaluator(confirm.person_id, confirm.period, 'confirm');
  v_row  cqs.assessment := cqs._assessment_for(confirm.person_id, confirm.period);
BEGIN
  PERFORM cqs._require_status(v_row, ARRAY['self_assessed', 'confirmed'], 'confirm');
  PERFORM cqs._audit_reason(comment);
  UPDATE cqs.assessment a
     SET evaluator_scores = scores, evaluator_id = v_eval, confirmed_by = cqs._actor_login(),
         evaluator_comment = comment, status = 'confirmed', confirmed_at = now()
   WHERE a.person_id = v_row.person_id AND a.period = v_row.period
  RETURNING * INTO v_row;
  RETURN v_row;
END $$;
COMMENT ON FUNCTION cqs.confirm(bigint, date, numeric[], text) IS
  'Art. 10, 16: the competent evaluator (the acting person) confirms the general-criteria scores (self_assessed -> confirmed); the confirmed score counts';

-- Art. 15.3: đ (organising ability) and e (uniting staff), 100 or 50 with a reason.
CREATE FUNCTION cqs.set_leader_terms(person_id bigint, period date, dd numeric, dd_reason text,
                                     e numeric, e_reason text)
RETURNS cqs.assessment
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_eval bigint := cqs._require_evaluator(set_leader_terms.person_id, set_leader_terms.period, 'set the leader terms of');
  v_row  cqs.assessment := cqs._assessment_for(set_leader_terms.person_id, set_leader_terms.period);
BEGIN
  PERFORM cqs._audit_reason(concat_ws('; ', set_leader_terms.dd_reason, set_leader_terms.e_reason));
  PERFORM cqs._require_status(v_row, ARRAY['draft', 'self_assessed', 'confirmed'], 'set leader terms of');
  UPDATE cqs.assessment a
     SET dd = set_leader_terms.dd, dd_reason = set_leader_terms.dd_reason,
         e = set_leader_terms.e, e_reason = set_leader_terms.e_reason
   WHERE a.person_id = v_row.person_id AND a.period = v_row.period
  RETURNING * INTO v_row;
  RETURN v_row;
END $$;
COMMENT ON FUNCTION cqs.set_leader_terms(bigint, date, numeric, text, numeric, text) IS
  'Art. 15.3: a leader''s đ and e, 100 or 50 (50 needs a reason)';

-- Lock (close) a period of an organisation and its sub-units (Art. 16-17): everyone
-- evaluated there on the organisation's cadence is covered -- those with a confirmed
-- assessment, and those without any, who are refused unless include_unassessed says
-- to close their period without a result.  Unconfirmed assessments refuse the lock.
-- Results are recomputed one last time and kept as records (cqs.locked_result); the
-- lock is a record too (cqs.period_lock).  Returns everyone covered.
CREATE FUNCTION cqs.lock_period(organisation_id bigint, period date, reason text DEFAULT NULL,
                                include_unassessed boolean DEFAULT false)
RETURNS TABLE (person_id bigint, personnel_id text, assessment_status text, total numeric, grade cqs.grade)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET client_min_messages = warning AS $$
#variable_conflict use_column
DECLARE
  v_pol     record;
  v_kind    text;
  v_start   date;
  v_months  date[];
  v_lock    bigint;
  v_people  bigint[];
  v_keys    date[];
  v_bad     record;
BEGIN
  PERFORM cqs._check_version();
  SELECT * INTO v_pol FROM cqs.organisation_policies p WHERE p.organisation_id = lock_period.organisation_id;
  IF NOT FOUND OR NOT cqs._sane_day(lock_period.period) OR lock_period.period IS NULL THEN
    RAISE EXCEPTION 'cannot lock period % of organisation %: no such organisation or period',
                    lock_period.period, lock_period.organisation_id
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM cqs._require_mandate('personnel', lock_period.organisation_id, 'lock its periods',
                                'The personnel section of the agency (or its subtree) locks periods (Art. 16-17).');
  PERFORM cqs._audit_reason(lock_period.reason);
  v_kind := CASE v_pol.cadence WHEN 'quarterly' THEN 'quarter' ELSE 'month' END;
  v_start := cqs.period_start(lock_period.period, v_pol.cadence);
  v_months := ARRAY(SELECT m::date FROM generate_series(v_start, cqs.period_end(v_start, v_kind) - 1, interval '1 month') AS m);
  PERFORM cqs._lock_years(v_months, true);
  IF EXISTS (SELECT 1 FROM cqs.stale_month s WHERE s.month = ANY (v_months)) THEN
    RAISE EXCEPTION 'cannot lock period % of organisation %: its results are stale', v_start, lock_period.organisation_id
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Run cqs.rebuild() first.';
  END IF;

  -- Everyone covered: posted in the subtree during the period, or with a result there,
  -- evaluated on this cadence, and not already under a lock.
  WITH sub AS (
    SELECT t.descendant_id AS organisation_id FROM cqs.organisation_tree t
      JOIN cqs.organisation_policies p ON p.organisation_id = t.descendant_id
     WHERE t.ancestor_id = lock_period.organisation_id AND p.cadence = v_pol.cadence
  )
  -- Each person's period: the organisation's, except for a quarterly organisation's
  -- newcomers from a monthly one within the quarter, whose quarter starts later
  -- (cqs.period_key): their first month of the quarter not evaluated monthly.
  SELECT array_agg(k.person_id ORDER BY k.person_id), array_agg(k.period ORDER BY k.person_id) INTO v_people, v_keys
    FROM (SELECT x.person_id,
                 CASE WHEN v_kind = 'month' THEN v_start
                      ELSE (SELECT cqs.period_key(x.person_id, m, v_pol.cadence) FROM unnest(v_months) AS m
                             WHERE NOT cqs._evaluated_monthly(x.person_id, m) ORDER BY m LIMIT 1) END
                   AS period
            FROM (SELECT ps.person_id FROM cqs.posting ps JOIN sub USING (organisation_id)
                   WHERE ps.start_date < cqs.period_end(v_start, v_kind) AND (ps.end_date IS NULL OR ps.end_date >= v_start)
                  UNION
                  SELECT r.person_id FROM cqs.period_result r JOIN sub USING (organisation_id)
                   WHERE r.period >= v_start AND r.period < cqs.period_end(v_start, v_kind) AND r.period_kind = v_kind) x) k
   WHERE k.period IS NOT NULL                  -- (a quarter whose months were all evaluated monthly)
     AND cqs._active_lock(k.person_id, k.period) IS NULL;
  IF v_people IS NULL THEN
    RAISE EXCEPTION 'nobody to lock in period % of organisation %', v_start, lock_period.organisation_id
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Nobody is posted there in that period, or everyone is locked already.';
  END IF;
  -- The results are current before they are frozen (whatever the refresh mode).
  PERFORM cqs._write_results(ARRAY(SELECT p FROM unnest(v_people) p, unnest(v_months) m),
                             ARRAY(SELECT m FROM unnest(v_people) p, unnest(v_months) m));

  SELECT count(*) FILTER (WHERE a.status IN ('draft', 'self_assessed')) AS open,
         count(*) FILTER (WHERE a.person_id IS NULL) AS missing,
         string_agg(format('%s (%s)', pe.personnel_id, coalesce(a.status, 'no assessment')), ', '
                    ORDER BY pe.personnel_id) FILTER (WHERE a.status IS DISTINCT FROM 'confirmed') AS who
    INTO v_bad
    FROM unnest(v_people, v_keys) AS x(person_id, period)
    JOIN cqs.person pe ON pe.person_id = x.person_id
    LEFT JOIN cqs.assessment a ON a.person_id = x.person_id AND a.period = x.period;
  IF v_bad.open > 0 OR (v_bad.missing > 0 AND NOT include_unassessed) THEN
    RAISE EXCEPTION 'cannot lock period % of organisation %: % assessment(s) not confirmed, % person(s) without an assessment',
                    v_start, lock_period.organisation_id, v_bad.open, v_bad.missing
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = left('Not confirmed: ' || v_bad.who, 2000),
            HINT = 'Every assessment must be confirmed (Art. 16); people without one are locked only with include_unassessed => true.';
  END IF;

  INSERT INTO cqs.period_lock (organisation_id, period, period_kind, people, unassessed, reason, locked_by, locked_by_person)
  VALUES (lock_period.organisation_id, v_start, v_kind, cardinality(v_people), v_bad.missing, lock_period.reason,
          cqs._actor_login(), cqs.acting_person())
  RETURNING lock_id INTO v_lock;
  -- People without a result get one that says so, from their posting.
  INSERT INTO cqs.period_result (person_id, period, period_kind, organisation_id, person_kind, role, field, note,
                                 lateness_mode, cap_mode, decimals, criteria_set_id)
  SELECT x.person_id, x.period, v_kind, ps.organisation_id, pe.kind, ps.role, ps.field,
         'locked without an assessment or task lines', pol.lateness_mode, pol.cap_mode, pol.decimals, pol.criteria_set_id
    FROM unnest(v_people, v_keys) AS x(person_id, period)
    JOIN cqs.person pe ON pe.person_id = x.person_id
    CROSS JOIN LATERAL cqs.posting_in_force(x.person_id, x.period, cqs.period_end(x.period, v_kind) - 1) ps
    JOIN cqs.organisation_policies pol ON pol.organisation_id = ps.organisation_id
   WHERE NOT EXISTS (SELECT 1 FROM cqs.period_result r WHERE r.person_id = x.person_id AND r.period = x.period);
  UPDATE cqs.period_result r SET lock_id = v_lock
    FROM unnest(v_people, v_keys) AS x(person_id, period)
   WHERE r.person_id = x.person_id AND r.period = x.period;
  INSERT INTO cqs.locked_result SELECT * FROM cqs.period_result r WHERE r.lock_id = v_lock;
  UPDATE cqs.assessment a SET status = 'locked', locked_at = now()
    FROM unnest(v_people, v_keys) AS x(person_id, period)
   WHERE a.person_id = x.person_id AND a.period = x.period;

  RETURN QUERY
  SELECT r.person_id, pe.personnel_id, coalesce(a.status, 'none'), r.total, r.grade
    FROM cqs.locked_result r
    JOIN cqs.person pe ON pe.person_id = r.person_id
    LEFT JOIN cqs.assessment a ON a.person_id = r.person_id AND a.period = r.period
   WHERE r.lock_id = v_lock
   ORDER BY pe.personnel_id;
END $$;
COMMENT ON FUNCTION cqs.lock_period(bigint, date, text, boolean) IS
  'Art. 16-17: lock (close) a period of an organisation and its sub-units: everyone covered must be confirmed (or, with include_unassessed, is locked without a result); the results are kept as records; returns everyone covered';

-- Reopen a locked period (Art. 21.3: a wrong result is corrected by a new decision):
-- only with a reason, by whoever was granted this function; the lock and its results
-- stay on record, the period's results follow the records again.
CREATE FUNCTION cqs.reopen_period(organisation_id bigint, period date, reason text)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET client_min_messages = warning AS $$
#variable_conflict use_column
DECLARE
  v_lock   cqs.period_lock;
  v_people bigint[];
  v_months date[];
BEGIN
  IF reopen_period.reason IS NULL OR length(btrim(reopen_period.reason)) = 0 THEN
    RAISE EXCEPTION 'reopening a period needs a reason' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Art. 21.3: say why (the complaint, the decision, the error found).';
  END IF;
  SELECT l.* INTO v_lock FROM cqs.period_lock l
   WHERE l.organisation_id = reopen_period.organisation_id AND l.reopened_at IS NULL
     AND l.period = (SELECT cqs.period_start(reopen_period.period, p.cadence) FROM cqs.organisation_policies p
                      WHERE p.organisation_id = reopen_period.organisation_id);
  IF NOT FOUND THEN
    RAISE EXCEPTION 'period % of organisation % is not locked', reopen_period.period, reopen_period.organisation_id
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  PERFORM cqs._require_mandate('authority', reopen_period.organisation_id, 'reopen its locked periods',
                                'Art. 21.3: only the competent authority reopens a locked period, with a reason.');
  PERFORM cqs._audit_reason(reopen_period.reason);
  v_months := ARRAY(SELECT m::date FROM generate_series(v_lock.period, cqs.period_end(v_lock.period, v_lock.period_kind) - 1,
                                                        interval '1 month') AS m);
  PERFORM cqs._lock_years(v_months, true);
  UPDATE cqs.period_lock l SET reopened_at = now(), reopened_by = cqs._actor_login(), reopened_by_person = cqs.acting_person(),
                               reopen_reason = reopen_period.reason
   WHERE l.lock_id = v_lock.lock_id;
  SELECT array_agg(r.person_id) INTO v_people FROM cqs.locked_result r WHERE r.lock_id = v_lock.lock_id;
  UPDATE cqs.period_result r SET lock_id = NULL WHERE r.lock_id = v_lock.lock_id;
  UPDATE cqs.assessment a SET status = 'confirmed', locked_at = NULL
   WHERE a.person_id = ANY (v_people) AND a.period = v_lock.period AND a.status = 'locked';
  PERFORM cqs._write_results(ARRAY(SELECT p FROM unnest(v_people) p, unnest(v_months) m),
                             ARRAY(SELECT m FROM unnest(v_people) p, unnest(v_months) m));
  RETURN cardinality(v_people);
END $$;
COMMENT ON FUNCTION cqs.reopen_period(bigint, date, text) IS
  'Art. 21.3: reopen a locked period with a reason; the lock and the results as notified stay on record, and the results follow the records again';

-- Nobody grades themself (Art. 10, 21): the acting person is never the one graded.
CREATE FUNCTION cqs._require_not_self(p_person bigint, p_action text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF cqs.acting_person() = p_person THEN
    RAISE EXCEPTION 'person % cannot % themself', p_person, p_action
      USING ERRCODE = 'insufficient_privilege', HINT = 'Art. 10, 21: the competent authority above grades a person, never the person.';
  END IF;
END $$;

-- What a decision may not break (DOMAIN.md section 5, Art. 20-21): a grade above the score
-- band, anything but khong_hoan_thanh under an override, a head above their organisation
-- (or before it is graded), xuat_sac beyond the quota without the authority's recorded
-- choice -- refused (23514, naming the rule); any other departure from the proposal needs
-- a written reason (22023).
CREATE FUNCTION cqs._check_decision(p_res cqs.year_result, p_grade cqs.grade, p_reason text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_org record;
BEGIN
  IF p_grade IS NULL THEN
    RAISE EXCEPTION 'a decision needs a grade' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF cardinality(p_res.override_reasons) > 0 AND p_grade <> 'khong_hoan_thanh' THEN
    RAISE EXCEPTION 'person % cannot be graded % for %: %', p_res.person_id, p_grade, p_res.year, p_res.override_reasons[1]
      USING ERRCODE = 'check_violation', CONSTRAINT = 'decision_respects_overrides',
            HINT = 'Art. 20.4: an override forces không hoàn thành nhiệm vụ whatever the score.';
  END IF;
  IF p_res.score_grade IS NOT NULL AND p_grade > p_res.score_grade THEN
    RAISE EXCEPTION 'person % cannot be graded % for %: a mean of % grades at most %', p_res.person_id, p_grade,
                    p_res.year, p_res.mean_total, p_res.score_grade
      USING ERRCODE = 'check_violation', CONSTRAINT = 'decision_within_score_band',
            HINT = 'Art. 20.1-20.3: the grade follows the score band.';
  END IF;
  IF p_res.role = 'head' THEN
    SELECT o.final_grade, o.code INTO v_org FROM cqs.organisation_results o
     WHERE o.organisation_id = p_res.organisation_id AND o.year = p_res.year;
    IF v_org.final_grade IS NULL THEN
      RAISE EXCEPTION 'person % heads organisation %, which is not graded for % yet: the decision waits',
                      p_res.person_id, p_res.organisation_id, p_res.year
        USING ERRCODE = 'object_not_in_prerequisite_state',
              HINT = 'Art. 20.6: a head''s grade is never above their organisation''s; grade the organisation first.';
    END IF;
  END IF;
  PERFORM cqs._check_head_cap(p_res.person_id, p_res.year, p_grade);
  IF p_grade = 'xuat_sac' AND coalesce(p_res.quota_outcome, 'keeps') NOT IN ('keeps', 'kept_by_authority') THEN
    RAISE EXCEPTION 'person % cannot be graded xuat_sac for %: the quota outcome is % and the authority recorded no choice',
                    p_res.person_id, p_res.year, p_res.quota_outcome
      USING ERRCODE = 'check_violation', CONSTRAINT = 'decision_within_quota',
            HINT = 'Art. 20.5: record the authority''s choice first (cqs.choose_quota), then grade the year again.';
  END IF;
  IF p_grade IS DISTINCT FROM p_res.proposed_grade AND (p_reason IS NULL OR length(btrim(p_reason)) = 0) THEN
    RAISE EXCEPTION 'grading person % % for % departs from the proposal (%): say why', p_res.person_id, p_grade,
                    p_res.year, coalesce(p_res.proposed_grade::text, 'none')
      USING ERRCODE = 'invalid_parameter_value', HINT = 'DOMAIN.md section 5: a departure from the proposal needs a written reason.';
  END IF;
END $$;

-- Art. 21: the competent authority decides a person's grade.  Heads and deputies need
-- the Party committee's opinion first (Art. 21.1.c, 21.2.c).  Who decided is the acting
-- person and login; the title and reference are the document's.
CREATE FUNCTION cqs.decide_grade(person_id bigint, year integer, grade cqs.grade, reference text,
                                 title text DEFAULT NULL, reason text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_res cqs.year_result;
  v_id  bigint;
BEGIN
  -- The year's row, locked: two authorities deciding at once decide one after the other
  -- (the second then finds the first decision: 55000).
  SELECT * INTO v_res FROM cqs.year_result r WHERE r.person_id = decide_grade.person_id AND r.year = decide_grade.year
     FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'person % has no computed year %', decide_grade.person_id, decide_grade.year
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Run cqs.grade_year() first.';
  END IF;
  PERFORM cqs._require_mandate('authority', v_res.organisation_id, 'decide grades there',
                               'Art. 21: the competent authority of the grading organisation decides.');
  PERFORM cqs._require_not_self(decide_grade.person_id, 'grade');
  IF reference IS NULL OR length(btrim(reference)) = 0 THEN
    RAISE EXCEPTION 'a grading decision needs its reference' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Art. 21.1.đ: the decision''s number and date.';
  END IF;
  IF v_res.stale THEN
    RAISE EXCEPTION 'person %''s computed year % is stale: a period result changed after it was graded',
                    decide_grade.person_id, decide_grade.year
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Run cqs.grade_year() again first.';
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
  -- Art. 21.1: the meeting (with minutes) and the personnel section's proposal come first.
  IF NOT EXISTS (SELECT 1 FROM cqs.year_grading g WHERE g.person_id = decide_grade.person_id AND g.year = decide_grade.year
                    AND g.meeting_minutes_ref IS NOT NULL AND g.personnel_proposal IS NOT NULL) THEN
    RAISE EXCEPTION 'person %''s grading procedure for % is not recorded: the meeting minutes and the personnel section''s proposal come before the decision',
                    decide_grade.person_id, decide_grade.year
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Art. 21.1.b, 21.1.d: record meeting_minutes_ref and personnel_proposal in cqs.year_grading.';
  END IF;
  PERFORM cqs._check_decision(v_res, decide_grade.grade, decide_grade.reason);
  PERFORM cqs._audit_reason(coalesce(decide_grade.reason, decide_grade.reference));
  INSERT INTO cqs.grade_decision (person_id, year, organisation_id, grade, decided_by, decided_by_person, title, reference,
                                  reason)
  VALUES (decide_grade.person_id, decide_grade.year, v_res.organisation_id, decide_grade.grade,
          cqs._actor_login(), cqs.acting_person(), decide_grade.title, decide_grade.reference, decide_grade.reason)
  RETURNING decision_id INTO v_id;
  RETURN v_id;
END $$;
COMMENT ON FUNCTION cqs.decide_grade(bigint, integer, cqs.grade, text, text, text) IS
  'Art. 21: the competent authority''s grading decision, recorded with the acting person and login (heads and deputies need the Party committee''s opinion first)';

-- Art. 21.3: a re-grading is a new decision replacing the one in force, by the
-- competent authority, with a reason.
CREATE FUNCTION cqs.regrade(person_id bigint, year integer, grade cqs.grade, reference text, reason text,
                            title text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_old bigint;
  v_org bigint;
  v_id  bigint;
BEGIN
  -- Re-gradings of one person's year, one after the other (the later one supersedes the
  -- earlier, never the same decision twice).
  PERFORM 1 FROM cqs.year_result r WHERE r.person_id = regrade.person_id AND r.year = regrade.year FOR UPDATE;
  SELECT d.decision_id, d.organisation_id INTO v_old, v_org FROM cqs.grade_decisions_in_force d
   WHERE d.person_id = regrade.person_id AND d.year = regrade.year;
  IF v_old IS NULL THEN
    RAISE EXCEPTION 'person % has no decision for % to re-grade', regrade.person_id, regrade.year
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  PERFORM cqs._require_mandate('authority', v_org, 're-grade there',
                               'Art. 21.3: the competent authority re-grades, with a reason.');
  PERFORM cqs._require_not_self(regrade.person_id, 're-grade');
  IF reason IS NULL OR length(btrim(reason)) = 0 OR reference IS NULL OR length(btrim(reference)) = 0 THEN
    RAISE EXCEPTION 're-grading person % needs a reference and a reason', regrade.person_id
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Art. 21.3: say which decision and why.';
  END IF;
  PERFORM cqs._check_decision((SELECT r FROM cqs.year_result r WHERE r.person_id = regrade.person_id AND r.year = regrade.year),
                              regrade.grade, regrade.reason);
  PERFORM cqs._audit_reason(regrade.reason);
  INSERT INTO cqs.grade_decision (person_id, year, organisation_id, grade, decided_by, decided_by_person, title,
                                  reference, supersedes, reason)
  VALUES (regrade.person_id, regrade.year, v_org, regrade.grade, cqs._actor_login(), cqs.acting_person(), regrade.title,
          regrade.reference, v_old, regrade.reason)
  RETURNING decision_id INTO v_id;
  RETURN v_id;
END $$;
COMMENT ON FUNCTION cqs.regrade(bigint, integer, cqs.grade, text, text, text) IS
  'Art. 21.3, 4.4: the competent authority''s new grading decision replacing the one in force, with a reason; the old decision stays on record';

-- Art. 20.5: the authority's choice of who keeps xuat_sac within the quota.
CREATE FUNCTION cqs.choose_quota(person_id bigint, year integer, keeps boolean, reference text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_org bigint;
BEGIN
  SELECT r.organisation_id INTO v_org FROM cqs.year_result r
   WHERE r.person_id = choose_quota.person_id AND r.year = choose_quota.year;
  IF v_org IS NULL OR keeps IS NULL THEN
    RAISE EXCEPTION 'person % has no computed year % to choose on', choose_quota.person_id, choose_quota.year
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM cqs._require_mandate('authority', v_org, 'choose within the quota there',
                               'Art. 20.5: the competent authority decides who keeps xuat_sac.');
  PERFORM cqs._require_not_self(choose_quota.person_id, 'choose within the quota for');
  PERFORM cqs._audit_reason(choose_quota.reference);
  INSERT INTO cqs.quota_choice AS q (person_id, year, keeps, decided_by, decided_by_person, reference, decided_at)
  VALUES (choose_quota.person_id, choose_quota.year, choose_quota.keeps, cqs._actor_login(), cqs.acting_person(),
          choose_quota.reference, now())
  ON CONFLICT ON CONSTRAINT quota_choice_pkey DO UPDATE
     SET keeps = EXCLUDED.keeps, decided_by = EXCLUDED.decided_by, decided_by_person = EXCLUDED.decided_by_person,
         reference = EXCLUDED.reference, decided_at = EXCLUDED.decided_at;
END $$;
COMMENT ON FUNCTION cqs.choose_quota(bigint, integer, boolean, text) IS
  'Art. 20.5: the competent authority''s choice of who keeps xuat_sac within the quota, recorded with the acting person and login';

-- Art. 8-9: the recognising authority (the authority over the organisation above)
-- decides an organisation's grade; the organisation's own head never does.
CREATE FUNCTION cqs.decide_organisation_grade(organisation_id bigint, year integer, grade cqs.grade,
                                              reference text, title text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
  v_above bigint;
BEGIN
  SELECT coalesce(o.parent_id, o.organisation_id) INTO v_above FROM cqs.organisation o
   WHERE o.organisation_id = decide_organisation_grade.organisation_id;
  IF NOT FOUND OR NOT EXISTS (SELECT 1 FROM cqs.organisation_year y
                               WHERE y.organisation_id = decide_organisation_grade.organisation_id
                                 AND y.year = decide_organisation_grade.year) THEN
    RAISE EXCEPTION 'organisation % has no year % to decide', decide_organisation_grade.organisation_id,
                    decide_organisation_grade.year USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM cqs._require_mandate('authority', v_above, 'decide organisation grades there',
                               'Art. 9: the authority that recognises the organisation decides its grade.');
  IF EXISTS (SELECT 1 FROM cqs.posting h
              WHERE h.person_id = cqs.acting_person() AND h.organisation_id = decide_organisation_grade.organisation_id
                AND h.role IN ('head', 'deputy')
                AND h.start_date <= make_date(decide_organisation_grade.year, 12, 31)
                AND (h.end_date IS NULL OR h.end_date >= make_date(decide_organisation_grade.year, 1, 1))) THEN
    RAISE EXCEPTION 'person % leads organisation % and cannot decide its grade', cqs.acting_person(),
                    decide_organisation_grade.organisation_id
      USING ERRCODE = 'insufficient_privilege', HINT = 'Art. 9: the authority above recognises the organisation.';
  END IF;
  IF EXISTS (SELECT 1 FROM cqs.grade_decisions_in_force d JOIN cqs.year_result r USING (person_id, year)
              WHERE r.organisation_id = decide_organisation_grade.organisation_id AND r.role = 'head'
                AND d.year = decide_organisation_grade.year AND d.grade > decide_organisation_grade.grade) THEN
    RAISE EXCEPTION 'organisation % cannot be graded % for %: its head''s decision in force is above it',
                    decide_organisation_grade.organisation_id, decide_organisation_grade.grade, decide_organisation_grade.year
      USING ERRCODE = 'check_violation', CONSTRAINT = 'head_not_above_organisation',
            HINT = 'Art. 20.6: re-grade the head first (cqs.regrade), with the reason.';
  END IF;
  PERFORM cqs._audit_reason(decide_organisation_grade.reference);
  UPDATE cqs.organisation_year y
     SET decided_grade = decide_organisation_grade.grade, decided_by = cqs._actor_login(),
         decided_by_person = cqs.acting_person(), decided_title = decide_organisation_grade.title,
         decided_at = now(), decision_ref = decide_organisation_grade.reference
   WHERE y.organisation_id = decide_organisation_grade.organisation_id AND y.year = decide_organisation_grade.year;
END $$;
COMMENT ON FUNCTION cqs.decide_organisation_grade(bigint, integer, cqs.grade, text, text) IS
  'Art. 8-9: the recognising authority''s decision on an organisation''s grade, recorded with the acting person and login';

-- Form 02: the civil servant proposes their own grade for the year (Art. 21.1.a).
CREATE FUNCTION cqs.propose_grade(person_id bigint, year integer, grade cqs.grade)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF cqs.acting_person() IS DISTINCT FROM propose_grade.person_id
     AND NOT (cqs.acting_person() IS NULL AND cqs._is_superuser(cqs._actor_login())) THEN
    RAISE EXCEPTION '% (person %) cannot propose a grade for person %', cqs._actor_login(),
                    coalesce(cqs.acting_person()::text, 'none'), propose_grade.person_id
      USING ERRCODE = 'insufficient_privilege', HINT = 'Art. 21.1.a: each civil servant proposes their own grade (Form 02).';
  END IF;
  INSERT INTO cqs.year_grading AS g (person_id, year, self_proposed_grade, self_proposed_at)
  VALUES (propose_grade.person_id, propose_grade.year, propose_grade.grade, now())
  ON CONFLICT ON CONSTRAINT year_grading_pkey DO UPDATE
     SET self_proposed_grade = EXCLUDED.self_proposed_grade, self_proposed_at = EXCLUDED.self_proposed_at;
END $$;
COMMENT ON FUNCTION cqs.propose_grade(bigint, integer, cqs.grade) IS
  'Art. 21.1.a, Form 02: the civil servant''s own proposed grade for the year';

-- Art. 22: a complaint about a grading decision, filed by the person graded (or by the
-- personnel section on their behalf).
CREATE FUNCTION cqs.file_complaint(decision_id bigint, content text, filed_on date DEFAULT current_date)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
  v_dec cqs.grade_decision;
  v_id  bigint;
BEGIN
  SELECT d.* INTO v_dec FROM cqs.grade_decision d WHERE d.decision_id = file_complaint.decision_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no grading decision %', file_complaint.decision_id USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF cqs.acting_person() IS DISTINCT FROM v_dec.person_id THEN
    PERFORM cqs._require_mandate('personnel', v_dec.organisation_id, 'file a complaint for person ' || v_dec.person_id,
                                 'Art. 22: the person graded complains (the personnel section may record it for them).');
  END IF;
  INSERT INTO cqs.complaint (person_id, decision_id, filed_on, content, filed_by, filed_by_person)
  VALUES (v_dec.person_id, v_dec.decision_id, file_complaint.filed_on, file_complaint.content,
          cqs._actor_login(), cqs.acting_person())
  RETURNING complaint_id INTO v_id;
  RETURN v_id;
END $$;
COMMENT ON FUNCTION cqs.file_complaint(bigint, text, date) IS
  'Art. 22: a complaint (kiến nghị) about a grading decision, by the person graded or recorded for them by the personnel section';

-- Art. 22: a complaint about a monthly or quarterly result, by the person (or recorded for
-- them by the personnel section), after the period.
CREATE FUNCTION cqs.file_period_complaint(person_id bigint, period date, content text,
                                          filed_on date DEFAULT current_date)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
  v_res cqs.period_result;
  v_id  bigint;
BEGIN
  SELECT r.* INTO v_res FROM cqs.period_result r
   WHERE r.person_id = file_period_complaint.person_id AND r.period <= file_period_complaint.period
     AND file_period_complaint.period < cqs.period_end(r.period, r.period_kind)
   ORDER BY r.period DESC LIMIT 1;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'person % has no result for the period of %', file_period_complaint.person_id, file_period_complaint.period
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF cqs.acting_person() IS DISTINCT FROM v_res.person_id THEN
    PERFORM cqs._require_mandate('personnel', v_res.organisation_id, 'file a complaint for person ' || v_res.person_id,
                                 'Art. 22: the person evaluated complains (the personnel section may record it for them).');
  END IF;
  INSERT INTO cqs.complaint (person_id, period, filed_on, content, filed_by, filed_by_person)
  VALUES (v_res.person_id, v_res.period, file_period_complaint.filed_on, file_period_complaint.content,
          cqs._actor_login(), cqs.acting_person())
  RETURNING complaint_id INTO v_id;
  RETURN v_id;
END $$;
COMMENT ON FUNCTION cqs.file_period_complaint(bigint, date, text, date) IS
  'Art. 22: a complaint (kiến nghị) about a monthly or quarterly result, by the person evaluated or recorded for them by the personnel section';

-- Art. 22: the competent authority resolves a complaint, once.
CREATE FUNCTION cqs.resolve_complaint(complaint_id bigint, outcome text, note text,
                                      resolved_on date DEFAULT current_date)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
  v_c   cqs.complaint;
  v_org bigint;
BEGIN
  SELECT c.* INTO v_c FROM cqs.complaint c WHERE c.complaint_id = resolve_complaint.complaint_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no complaint %', resolve_complaint.complaint_id USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT coalesce((SELECT d.organisation_id FROM cqs.grade_decision d WHERE d.decision_id = v_c.decision_id),
                  (SELECT r.organisation_id FROM cqs.period_result r WHERE r.person_id = v_c.person_id AND r.period = v_c.period))
    INTO v_org;
  PERFORM cqs._require_mandate('authority', v_org, 'resolve complaints there',
                               'Art. 22: the competent authority resolves the complaint.');
  PERFORM cqs._require_not_self(v_c.person_id, 'resolve a complaint of');
  IF v_c.outcome IS NOT NULL THEN
    RAISE EXCEPTION 'complaint % is already resolved (%): an outcome is recorded once', v_c.complaint_id, v_c.outcome
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF note IS NULL OR length(btrim(note)) = 0 THEN
    RAISE EXCEPTION 'resolving complaint % needs a note saying why', v_c.complaint_id USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM cqs._audit_reason(resolve_complaint.note);
  UPDATE cqs.complaint c
     SET outcome = resolve_complaint.outcome, outcome_note = resolve_complaint.note,
         resolved_on = resolve_complaint.resolved_on, resolved_by = cqs._actor_login(),
         resolved_by_person = cqs.acting_person()
   WHERE c.complaint_id = v_c.complaint_id;
END $$;
COMMENT ON FUNCTION cqs.resolve_complaint(bigint, text, text, date) IS
  'Art. 22: the competent authority''s outcome of a complaint (rejected, upheld_regraded, withdrawn), recorded once with the acting person and login';
