-- The monthly/quarterly procedure (Art. 16-17): self-assessment, the evaluator's
-- confirmation, leader terms, locking.  Wrong-state calls raise 55000.

-- The assessment row of a person for the period holding a day, created on first use
-- with the organisation and criteria set of the person's posting.
CREATE FUNCTION cqs._assessment_for(p_person bigint, p_day date) RETURNS cqs.assessment
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_row  cqs.assessment;
  v_org  bigint;
  v_pol  record;
BEGIN
  SELECT p.organisation_id INTO v_org FROM cqs.posting p
   WHERE p.person_id = p_person AND p.start_date <= (date_trunc('month', p_day) + interval '1 month - 1 day')::date
     AND (p.end_date IS NULL OR p.end_date >= date_trunc('month', p_day)::date)
   ORDER BY p.start_date DESC LIMIT 1;
  IF v_org IS NULL THEN
    RAISE EXCEPTION 'person % has no posting in the month of %', p_person, p_day
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Record the posting (cqs.posting) first.';
  END IF;
  SELECT * INTO v_pol FROM cqs.organisation_policies WHERE organisation_id = v_org;
  SELECT * INTO v_row FROM cqs.assessment
   WHERE person_id = p_person AND period = cqs.period_start(p_day, v_pol.cadence);
  IF NOT FOUND THEN
    INSERT INTO cqs.assessment (person_id, period, organisation_id, criteria_set_id)
    VALUES (p_person, cqs.period_start(p_day, v_pol.cadence), v_org, v_pol.criteria_set_id)
    RETURNING * INTO v_row;
  END IF;
  RETURN v_row;
END $$;

CREATE FUNCTION cqs._require_status(p_row cqs.assessment, p_allowed text[], p_action text) RETURNS void
LANGUAGE plpgsql AS $$
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
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_row cqs.assessment := cqs._assessment_for(self_assess.person_id, self_assess.period);
BEGIN
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
CREATE FUNCTION cqs.confirm(person_id bigint, period date, evaluator_id bigint, scores numeric[],
                            comment text DEFAULT NULL)
RETURNS cqs.assessment
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_row cqs.assessment := cqs._assessment_for(confirm.person_id, confirm.period);
BEGIN
  PERFORM cqs._require_status(v_row, ARRAY['self_assessed', 'confirmed'], 'confirm');
  IF confirm.evaluator_id = confirm.person_id THEN
    RAISE EXCEPTION 'person % cannot confirm their own assessment', confirm.person_id
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Art. 10: the head of the unit (or the unit above) evaluates.';
  END IF;
  UPDATE cqs.assessment a
     SET evaluator_scores = scores, evaluator_id = confirm.evaluator_id, evaluator_comment = comment,
         status = 'confirmed', confirmed_at = now()
   WHERE a.person_id = v_row.person_id AND a.period = v_row.period
  RETURNING * INTO v_row;
  RETURN v_row;
END $$;
COMMENT ON FUNCTION cqs.confirm(bigint, date, bigint, numeric[], text) IS
  'Art. 10, 16: the evaluator confirms the general-criteria scores (self_assessed -> confirmed); the confirmed score counts';

-- Art. 15.3: đ (organising ability) and e (uniting staff), 100 or 50 with a reason.
CREATE FUNCTION cqs.set_leader_terms(person_id bigint, period date, dd numeric, dd_reason text,
                                     e numeric, e_reason text)
RETURNS cqs.assessment
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_row cqs.assessment := cqs._assessment_for(set_leader_terms.person_id, set_leader_terms.period);
BEGIN
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

-- Lock a period for an organisation and its sub-units: every assessment must be
-- confirmed; results are refreshed one last time and frozen.
CREATE FUNCTION cqs.lock_period(organisation_id bigint, period date)
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET client_min_messages = warning AS $$
DECLARE
  v_open  bigint;
  v_first record;
  v_ids   bigint[];
  v_n     bigint;
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS _cqs_lock (person_id bigint, period date) ON COMMIT DROP;
  TRUNCATE _cqs_lock;
  INSERT INTO _cqs_lock
  SELECT a.person_id, a.period
    FROM cqs.assessment a
    JOIN cqs.organisation_tree t ON t.descendant_id = a.organisation_id
    JOIN cqs.organisation_policies pol ON pol.organisation_id = a.organisation_id
   WHERE t.ancestor_id = lock_period.organisation_id
     AND a.period = cqs.period_start(lock_period.period, pol.cadence)
     AND a.status <> 'locked';
  SELECT count(*) FILTER (WHERE a.status <> 'confirmed') INTO v_open
    FROM _cqs_lock l JOIN cqs.assessment a USING (person_id, period);
  IF v_open > 0 THEN
    SELECT a.person_id, a.status INTO v_first
      FROM _cqs_lock l JOIN cqs.assessment a USING (person_id, period)
     WHERE a.status <> 'confirmed' ORDER BY a.person_id LIMIT 1;
    RAISE EXCEPTION 'cannot lock period % of organisation %: % assessment(s) not confirmed (first: person %, %)',
                    lock_period.period, lock_period.organisation_id, v_open, v_first.person_id, v_first.status
      USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  SELECT array_agg(person_id) INTO v_ids FROM _cqs_lock;
  IF v_ids IS NULL THEN
    RETURN 0;
  END IF;
  PERFORM cqs.refresh_results(v_ids, lock_period.period, lock_period.period);
  UPDATE cqs.period_result r SET locked = true
    FROM _cqs_lock l WHERE r.person_id = l.person_id AND r.period = l.period;
  UPDATE cqs.assessment a SET status = 'locked', locked_at = now()
    FROM _cqs_lock l WHERE a.person_id = l.person_id AND a.period = l.period;
  GET DIAGNOSTICS v_n = ROW_COUNT;
  RETURN v_n;
END $$;
COMMENT ON FUNCTION cqs.lock_period(bigint, date) IS
  'Lock the results of an organisation and its sub-units for a period (every assessment must be confirmed); locked periods refuse every change with SQLSTATE 55000';
