-- Period results (Art. 14-17): computed with the C aggregates from task lines and
-- assessments, kept in cqs.period_result, refreshed whenever their inputs change
-- (unless cqs.auto_refresh is off), frozen once locked.

-- Derived rows, rewritten in bulk by cqs.refresh_results(): no foreign keys (their
-- checks cost more than the rest of the write); the inputs they come from carry them.
CREATE TABLE cqs.period_result (
  person_id        bigint NOT NULL,
  period           date NOT NULL,            -- first day of the month or quarter
  period_kind      text NOT NULL CONSTRAINT period_result_kind_valid CHECK (period_kind IN ('month', 'quarter')),
  organisation_id  bigint NOT NULL,
  person_kind      text NOT NULL,
  role             text NOT NULL,
  field            text,
  assigned_units   numeric,
  completed_units  numeric,
  quality_units    numeric,
  progress_units   numeric,
  a                numeric,
  b                numeric,
  c                numeric,
  d                numeric,
  dd               numeric,
  e                numeric,
  task_score       numeric,
  general_score    numeric,
  total            numeric,
  grade            cqs.grade,
  note             text,
  locked           boolean NOT NULL DEFAULT false,
  computed_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (person_id, period)
);
CREATE INDEX period_result_period_org_idx ON cqs.period_result (period, organisation_id);
COMMENT ON TABLE cqs.period_result IS
  'Art. 14-17: a person''s result for a month or quarter (ratios a, b, c; leader terms d, đ, e; task score; general score; total; grade); follows its inputs until locked';

CREATE FUNCTION cqs._refuse_locked_result() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RAISE EXCEPTION 'result of person % for period % is locked', OLD.person_id, OLD.period
    USING ERRCODE = 'object_not_in_prerequisite_state';
END $$;
CREATE TRIGGER period_result_locked BEFORE UPDATE OR DELETE ON cqs.period_result
  FOR EACH ROW WHEN (OLD.locked) EXECUTE FUNCTION cqs._refuse_locked_result();

-- Task score of a period, by who the person is (inlined into the refresh queries).
-- Staff: (a+b+c)/3 (Art. 16.1); leaders: (a+b+c+d+dd+e)/6 (Art. 15.3, 16.2); support
-- staff: mean of quality, compliance and efficiency (HB ch. III).
CREATE FUNCTION cqs._period_task_score(person_kind text, role text, a numeric, b numeric, c numeric,
                                       d numeric, dd numeric, e numeric,
                                       sq numeric, sc numeric, se numeric, cap text)
RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN $1 = 'support_staff' THEN cqs.support_staff_score($9, $10, $11)
              WHEN $2 IN ('head', 'deputy') THEN cqs.leader_task_score($3, $4, $5, $6, $7, $8, $12)
              ELSE cqs.task_score($3, $4, $5, $12) END
$$;

CREATE FUNCTION cqs._period_note(person_kind text, assigned_units numeric, general numeric, sq numeric)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN $1 = 'support_staff' AND $4 IS NULL
              THEN 'support-staff criteria not scored yet (HB ch. III)'
                   || CASE WHEN $3 IS NULL THEN '; general criteria not scored yet (Art. 12.1, Form 01)' ELSE '' END
              WHEN $1 <> 'support_staff' AND coalesce($2, 0) = 0
              THEN 'no originally assigned work (G = 0): the task criterion cannot be evaluated (Art. 14, 18.1.d)'
                   || CASE WHEN $3 IS NULL THEN '; general criteria not scored yet (Art. 12.1, Form 01)' ELSE '' END
              WHEN $3 IS NULL THEN 'general criteria not scored yet (Art. 12.1, Form 01)' END
$$;

-- Recompute results.  Without arguments: every unlocked period.  person_ids limits to
-- those people (and the leaders whose d depends on them); from/to limit the months
-- (widened to whole quarters, so quarterly periods are always computed whole).
-- One pass over the task lines: grouped per person and evaluation period (by the
-- cadence of the organisation that assigned them, with its lateness policy), then
-- the posting in force decides each result's organisation and role.
CREATE FUNCTION cqs.refresh_results(person_ids bigint[] DEFAULT NULL,
                                    from_period date DEFAULT NULL, to_period date DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp SET client_min_messages = warning
SET jit = off SET plan_cache_mode = force_custom_plan AS $$
DECLARE
  v_rows  bigint := 0;
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS _cqs_pol (LIKE cqs.organisation_policies) ON COMMIT DROP;
  TRUNCATE _cqs_pol;
  INSERT INTO _cqs_pol SELECT * FROM cqs.organisation_policies;
  ANALYZE _cqs_pol;
  CREATE TEMP TABLE IF NOT EXISTS _cqs_tree (ancestor_id bigint, descendant_id bigint) ON COMMIT DROP;
  TRUNCATE _cqs_tree;
  INSERT INTO _cqs_tree SELECT ancestor_id, descendant_id FROM cqs.organisation_tree;
  ANALYZE _cqs_tree;

  -- 1. The ratios of every (person, period) with task lines, in one pass.
  CREATE TEMP TABLE IF NOT EXISTS _cqs_agg (
    person_id bigint, period date, quarterly boolean, line_org bigint, r cqs.ratios) ON COMMIT DROP;
  TRUNCATE _cqs_agg;
  INSERT INTO _cqs_agg
  SELECT tl.person_id,
         CASE WHEN pol.cadence = 'quarterly' THEN date_trunc('quarter', tl.period)::date ELSE tl.period END,
         bool_or(pol.cadence = 'quarterly'), min(tl.organisation_id),
         cqs.task_ratios(tl.assigned_qty, tl.credited_qty, tl.coefficient, tl.quality_deductions,
                         CASE WHEN pol.lateness_mode = 'per_day' THEN tl.late_days_counted
                              ELSE tl.late_occurrences_counted END,
                         tl.counts_in_assigned)
    FROM cqs.task_line tl JOIN _cqs_pol pol ON pol.organisation_id = tl.organisation_id
   WHERE (person_ids IS NULL OR tl.person_id = ANY (person_ids))
     AND (from_period IS NULL OR tl.period >= date_trunc('quarter', from_period))
     AND (to_period IS NULL OR tl.period < date_trunc('quarter', to_period) + interval '3 months')
   GROUP BY 1, 2;

  -- 2. The periods to compute: those with task lines or an assessment, with the
  -- posting in force in the period's first month (organisation, role, field).
  CREATE TEMP TABLE IF NOT EXISTS _cqs_keys (
    person_id bigint, period date, period_end date, period_kind text, organisation_id bigint,
    person_kind text, role text, field text, PRIMARY KEY (person_id, period)) ON COMMIT DROP;
  TRUNCATE _cqs_keys;
  INSERT INTO _cqs_keys
  SELECT k.person_id, k.period,
         (k.period + CASE WHEN k.quarterly THEN interval '3 months' ELSE interval '1 month' END)::date,
         CASE WHEN k.quarterly THEN 'quarter' ELSE 'month' END,
         coalesce(ps.organisation_id, a.organisation_id, k.line_org), pe.kind,
         coalesce(ps.role, 'staff'), ps.field
    FROM (SELECT coalesce(g.person_id, a2.person_id) AS person_id, coalesce(g.period, a2.period) AS period,
                 coalesce(g.quarterly, pol.cadence = 'quarterly') AS quarterly, g.line_org
            FROM _cqs_agg g
            FULL JOIN (SELECT a3.person_id, a3.period, a3.organisation_id FROM cqs.assessment a3
                        WHERE (person_ids IS NULL OR a3.person_id = ANY (person_ids))
                          AND (from_period IS NULL OR a3.period >= date_trunc('quarter', from_period))
                          AND (to_period IS NULL OR a3.period <= to_period)) a2
              ON a2.person_id = g.person_id AND a2.period = g.period
            LEFT JOIN _cqs_pol pol ON pol.organisation_id = a2.organisation_id) k
    JOIN cqs.person pe ON pe.person_id = k.person_id
    LEFT JOIN cqs.assessment a ON a.person_id = k.person_id AND a.period = k.period
    LEFT JOIN LATERAL (
      SELECT p.organisation_id, p.role, p.field FROM cqs.posting p
       WHERE p.person_id = k.person_id AND p.start_date < k.period + interval '1 month'
         AND (p.end_date IS NULL OR p.end_date >= k.period)
       ORDER BY p.start_date DESC LIMIT 1) ps ON true;

  -- Leaders whose d depends on these people (Art. 15.3): heads of every enclosing
  -- organisation, deputies of the same field.  Only when refreshing selected people.
  IF person_ids IS NOT NULL THEN
    INSERT INTO _cqs_keys (person_id, period, period_end, period_kind, organisation_id, person_kind, role, field)
    SELECT DISTINCT ON (r.person_id, r.period)
           r.person_id, r.period,
           (r.period + CASE r.period_kind WHEN 'quarter' THEN interval '3 months' ELSE interval '1 month' END)::date,
           r.period_kind, r.organisation_id, r.person_kind, r.role, r.field
      FROM _cqs_keys k
      JOIN _cqs_tree t ON t.descendant_id = k.organisation_id
      JOIN cqs.period_result r ON r.organisation_id = t.ancestor_id AND r.period = k.period
                              AND r.person_id <> k.person_id
                              AND (r.role = 'head' OR (r.role = 'deputy' AND r.field = k.field AND k.role = 'staff'))
     WHERE NOT r.locked
    ON CONFLICT DO NOTHING;
    -- their own task lines
    INSERT INTO _cqs_agg
    SELECT tl.person_id,
           CASE WHEN pol.cadence = 'quarterly' THEN date_trunc('quarter', tl.period)::date ELSE tl.period END,
           bool_or(pol.cadence = 'quarterly'), min(tl.organisation_id),
           cqs.task_ratios(tl.assigned_qty, tl.credited_qty, tl.coefficient, tl.quality_deductions,
                           CASE WHEN pol.lateness_mode = 'per_day' THEN tl.late_days_counted
                                ELSE tl.late_occurrences_counted END,
                           tl.counts_in_assigned)
      FROM cqs.task_line tl JOIN _cqs_pol pol ON pol.organisation_id = tl.organisation_id
      JOIN _cqs_keys k ON k.person_id = tl.person_id AND tl.period >= k.period AND tl.period < k.period_end
     WHERE NOT (tl.person_id = ANY (person_ids))
     GROUP BY 1, 2;
  END IF;

  -- Locked periods are final.
  DELETE FROM _cqs_keys k USING cqs.assessment a
   WHERE a.person_id = k.person_id AND a.period = k.period AND a.status = 'locked';
  DELETE FROM _cqs_keys k USING cqs.period_result r
   WHERE r.person_id = k.person_id AND r.period = k.period AND r.locked;
  ANALYZE _cqs_keys;
  ANALYZE _cqs_agg;

  -- 3. Ratios, general score, task score and total for everyone (leaders get d
  -- below).  The old rows of these periods are replaced.
  DELETE FROM cqs.period_result r USING _cqs_keys k
   WHERE r.person_id = k.person_id AND r.period = k.period;
  INSERT INTO cqs.period_result
        (person_id, period, period_kind, organisation_id, person_kind, role, field,
         assigned_units, completed_units, quality_units, progress_units, a, b, c, d, dd, e,
         task_score, general_score, total, grade, note, computed_at)
  SELECT k.person_id, k.period, k.period_kind, k.organisation_id, k.person_kind, k.role, k.field,
         (x.r).assigned_units, (x.r).completed_units, (x.r).quality_units, (x.r).progress_units,
         (x.r).a, (x.r).b, (x.r).c,
         CASE WHEN k.role IN ('head', 'deputy') THEN 100 END,
         CASE WHEN k.role IN ('head', 'deputy') THEN coalesce(a.dd, 100) END,
         CASE WHEN k.role IN ('head', 'deputy') THEN coalesce(a.e, 100) END,
         ts.task_score, g.general, cqs.period_total(g.general, ts.task_score, pol.decimals),
         cqs.classify(cqs.period_total(g.general, ts.task_score, pol.decimals)),
         cqs._period_note(k.person_kind, (x.r).assigned_units, g.general, a.support_quality),
         now()
    FROM _cqs_keys k
    JOIN _cqs_pol pol ON pol.organisation_id = k.organisation_id
    LEFT JOIN _cqs_agg x ON x.person_id = k.person_id AND x.period = k.period
    LEFT JOIN cqs.assessment a ON a.person_id = k.person_id AND a.period = k.period
    CROSS JOIN LATERAL (
      -- Art. 12.1: the evaluator's score counts once confirmed; before that, the self score.
      SELECT CASE WHEN a.status IN ('confirmed', 'locked') THEN a.evaluator_total
                  ELSE a.self_total END AS general) g
    CROSS JOIN LATERAL (
      SELECT cqs._period_task_score(k.person_kind, k.role, (x.r).a, (x.r).b, (x.r).c,
                                    100, coalesce(a.dd, 100), coalesce(a.e, 100),
                                    a.support_quality, a.support_compliance, a.support_efficiency,
                                    pol.cap_mode) AS task_score) ts;
  GET DIAGNOSTICS v_rows = ROW_COUNT;

  -- 3. Leaders' d (Art. 15.3): 100 if every civil servant they manage scored >= 50 in
  -- the period, else 50.  Deputies manage the staff of their field; heads everyone in
  -- their organisation and its sub-units.  One pass over the totals written above is
  -- exact although leaders' totals there still assume d = 100: a leader's real total
  -- can only be lower when their own d is 50, i.e. when someone they manage scored
  -- under 50 -- and every head above them manages that person too.
  UPDATE cqs.period_result r
     SET d = s.d,
         task_score = s.task_score,
         total = cqs.period_total(r.general_score, s.task_score, s.decimals),
         grade = cqs.classify(cqs.period_total(r.general_score, s.task_score, s.decimals))
    FROM (
      SELECT k.person_id, k.period, pol.decimals, dd.d,
             cqs.leader_task_score(r2.a, r2.b, r2.c, dd.d, r2.dd, r2.e, pol.cap_mode) AS task_score
        FROM _cqs_keys k
        JOIN _cqs_pol pol ON pol.organisation_id = k.organisation_id
        JOIN cqs.period_result r2 ON r2.person_id = k.person_id AND r2.period = k.period
        CROSS JOIN LATERAL (
          SELECT CASE WHEN min(m.total) < 50 THEN 50 ELSE 100 END AS d
            FROM _cqs_tree t
            JOIN cqs.period_result m ON m.organisation_id = t.descendant_id AND m.period = k.period
           WHERE t.ancestor_id = k.organisation_id
             AND m.person_id <> k.person_id
             AND m.person_kind = 'civil_servant'
             AND (k.role = 'head' OR (m.role = 'staff' AND m.field IS NOT DISTINCT FROM k.field))) dd
       WHERE k.role IN ('head', 'deputy') AND k.person_kind = 'civil_servant'
    ) s
   WHERE r.person_id = s.person_id AND r.period = s.period;

  RETURN v_rows;
END $$;
COMMENT ON FUNCTION cqs.refresh_results(bigint[], date, date) IS
  'Art. 14-17: recompute period results (all unlocked, or those of the given people and the leaders whose d depends on them, optionally limited to a range of months)';

-- Inputs changed: refresh the people concerned, unless cqs.auto_refresh is off
-- (bulk loads then call cqs.refresh_results() once, e.g. from pg_cron).
CREATE FUNCTION cqs._auto_refresh_enabled() RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('cqs.auto_refresh', true), ''), 'on') NOT IN ('off', 'false', '0')
$$;

-- Task lines: the coefficient must lie in the item's range (Art. 13, HB ch. II); a
-- locked period refuses every change (55000); then results follow.
CREATE FUNCTION cqs._task_lines_changed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET client_min_messages = warning AS $$
DECLARE
  v_bad   record;
  v_ids   bigint[];
  v_from  date;
  v_to    date;
BEGIN
  IF cqs._restoring() THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    SELECT n.task_line_id, n.coefficient, i.code, i.coefficient_low, i.coefficient_high INTO v_bad
      FROM new_rows n JOIN cqs.catalogue_item i ON i.item_id = coalesce(n.item_id, n.similar_item_id)
     WHERE n.coefficient < i.coefficient_low OR n.coefficient > i.coefficient_high
     LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'task line %: coefficient % is outside item %''s range % to %',
                      v_bad.task_line_id, v_bad.coefficient, v_bad.code, v_bad.coefficient_low, v_bad.coefficient_high
        USING ERRCODE = 'check_violation', CONSTRAINT = 'task_line_coefficient_in_item_range',
              HINT = 'The coefficient is fixed at assignment within the catalogue item''s points range (HB ch. II).';
    END IF;
  END IF;

  CREATE TEMP TABLE IF NOT EXISTS _cqs_changed (person_id bigint, period date, organisation_id bigint) ON COMMIT DROP;
  TRUNCATE _cqs_changed;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO _cqs_changed SELECT person_id, period, organisation_id FROM new_rows;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO _cqs_changed SELECT person_id, period, organisation_id FROM old_rows;
  END IF;

  SELECT c.person_id, c.period INTO v_bad
    FROM _cqs_changed c
    JOIN cqs.organisation_policies pol ON pol.organisation_id = c.organisation_id
    JOIN cqs.assessment a ON a.person_id = c.person_id AND a.period = cqs.period_start(c.period, pol.cadence)
   WHERE a.status = 'locked'
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'period % of person % is locked; its task lines cannot change', v_bad.period, v_bad.person_id
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Locked results are final; a correction needs a new decision (Art. 21.3).';
  END IF;

  IF cqs._auto_refresh_enabled() THEN
    SELECT array_agg(DISTINCT person_id), min(period), max(period) INTO v_ids, v_from, v_to FROM _cqs_changed;
    IF v_ids IS NOT NULL THEN
      PERFORM cqs.refresh_results(v_ids, v_from, v_to);
    END IF;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER task_line_changed_ins AFTER INSERT ON cqs.task_line
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._task_lines_changed();
CREATE TRIGGER task_line_changed_upd AFTER UPDATE ON cqs.task_line
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._task_lines_changed();
CREATE TRIGGER task_line_changed_del AFTER DELETE ON cqs.task_line
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._task_lines_changed();

-- Assessments and postings changed: refresh the people in the transition table --
-- for assessments only their periods, for postings (which decide a result's
-- organisation and role) all of their periods.
CREATE FUNCTION cqs._people_changed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_ids  bigint[];
  v_from date;
  v_to   date;
BEGIN
  IF NOT cqs._auto_refresh_enabled() OR cqs._restoring() THEN
    RETURN NULL;
  END IF;
  IF TG_TABLE_NAME = 'assessment' THEN
    IF TG_OP = 'DELETE' THEN
      SELECT array_agg(DISTINCT person_id), min(period), max(period) INTO v_ids, v_from, v_to FROM old_rows;
    ELSE
      SELECT array_agg(DISTINCT person_id), min(period), max(period) INTO v_ids, v_from, v_to FROM new_rows;
    END IF;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT person_id) INTO v_ids FROM old_rows;
  ELSE
    SELECT array_agg(DISTINCT person_id) INTO v_ids FROM new_rows;
  END IF;
  IF v_ids IS NOT NULL THEN
    PERFORM cqs.refresh_results(v_ids, v_from, v_to);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER assessment_changed_ins AFTER INSERT ON cqs.assessment
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._people_changed();
CREATE TRIGGER assessment_changed_upd AFTER UPDATE ON cqs.assessment
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._people_changed();
CREATE TRIGGER assessment_changed_del AFTER DELETE ON cqs.assessment
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._people_changed();
CREATE TRIGGER posting_changed_ins AFTER INSERT ON cqs.posting
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._people_changed();
CREATE TRIGGER posting_changed_upd AFTER UPDATE ON cqs.posting
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._people_changed();
CREATE TRIGGER posting_changed_del AFTER DELETE ON cqs.posting
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._people_changed();

-- Organisations decide their results' policies: when one changes, the unlocked results below follow.
CREATE FUNCTION cqs._policies_changed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_ids bigint[];
BEGIN
  IF NOT cqs._auto_refresh_enabled() OR cqs._restoring() THEN
    RETURN NULL;
  END IF;
  SELECT array_agg(DISTINCT r.person_id) INTO v_ids
    FROM new_rows n
    JOIN old_rows o USING (organisation_id)
    JOIN cqs.organisation_tree t ON t.ancestor_id = n.organisation_id
    JOIN cqs.period_result r ON r.organisation_id = t.descendant_id AND NOT r.locked
   WHERE (n.parent_id, n.cadence, n.lateness_mode, n.cap_mode, n.decimals, n.criteria_set_id)
         IS DISTINCT FROM (o.parent_id, o.cadence, o.lateness_mode, o.cap_mode, o.decimals, o.criteria_set_id);
  IF v_ids IS NOT NULL THEN
    PERFORM cqs.refresh_results(v_ids);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER organisation_policies_changed AFTER UPDATE ON cqs.organisation
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._policies_changed();
