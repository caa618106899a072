-- Task lines, general criteria and leader terms per person and period
-- (Art. 12-18, HB ch. VI; DOMAIN.md sections 3-4).

-- First day of the evaluation period holding a month, by cadence (Art. 12: month or quarter).
CREATE FUNCTION cqs.period_start(month date, cadence text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN $2 = 'quarterly' THEN date_trunc('quarter', $1)::date
              ELSE date_trunc('month', $1)::date END
$$;
COMMENT ON FUNCTION cqs.period_start(date, text) IS
  'Art. 12: first day of the monthly or quarterly evaluation period holding a day';

-- True inside pg_restore: restored rows were valid when dumped, and the derived rows
-- (period results) are restored from the dump, so triggers leave them alone.
CREATE FUNCTION cqs._restoring() RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('application_name', true), '') = 'pg_restore'
$$;

CREATE FUNCTION cqs._array_sum(numeric[]) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT sum(x) FROM unnest($1) AS x
$$;

-- A task line (Art. 13-14, 18.1.d; HB ch. VI).  The coefficient is fixed at assignment.
CREATE TABLE cqs.task_line (
  task_line_id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id                bigint NOT NULL REFERENCES cqs.person,
  organisation_id          bigint NOT NULL REFERENCES cqs.organisation,
  period                   date NOT NULL
                           CONSTRAINT task_line_period_is_month CHECK (period = date_trunc('month', period)::date),
  item_id                  bigint REFERENCES cqs.catalogue_item,
  similar_item_id          bigint REFERENCES cqs.catalogue_item,  -- Art. 13.3: off-catalogue, priced like this
  title                    text,
  coefficient              numeric NOT NULL
                           CONSTRAINT task_line_coefficient_positive CHECK (coefficient > 0),
  assigned_qty             numeric NOT NULL
                           CONSTRAINT task_line_assigned_qty_nonnegative CHECK (assigned_qty >= 0),
  deadline                 date,
  completed_qty            numeric
                           CONSTRAINT task_line_completed_qty_nonnegative CHECK (completed_qty >= 0),
  completed_on             date,
  quality_failures         integer NOT NULL DEFAULT 0
                           CONSTRAINT task_line_quality_failures_nonnegative CHECK (quality_failures >= 0),
  quality_failures_exempt  integer NOT NULL DEFAULT 0
                           CONSTRAINT task_line_quality_exempt_range
                           CHECK (quality_failures_exempt BETWEEN 0 AND quality_failures),
  late_occurrences         integer
                           CONSTRAINT task_line_late_occurrences_nonnegative CHECK (late_occurrences >= 0),
  lateness_exempt          boolean NOT NULL DEFAULT false,
  origin                   text NOT NULL DEFAULT 'planned'
                           CONSTRAINT task_line_origin_valid
                           CHECK (origin IN ('planned', 'reassigned_away', 'taken_over', 'ad_hoc')),
  external_source          text,
  external_id              text,
  days_late                integer GENERATED ALWAYS AS
                           (CASE WHEN completed_on > deadline THEN completed_on - deadline ELSE 0 END) STORED,
  -- What the aggregate takes, derived once per line instead of once per computation
  -- (Art. 14.2.b-c, 18.1.d): exempted failures and delays do not count; a
  -- reassigned-away line is never completed; taken-over and ad-hoc lines are outside G.
  counts_in_assigned       boolean GENERATED ALWAYS AS (origin IN ('planned', 'reassigned_away')) STORED,
  credited_qty             numeric GENERATED ALWAYS AS
                           (CASE WHEN origin = 'reassigned_away' THEN 0 ELSE completed_qty END) STORED,
  quality_deductions       integer GENERATED ALWAYS AS (quality_failures - quality_failures_exempt) STORED,
  late_days_counted        integer GENERATED ALWAYS AS
                           (CASE WHEN lateness_exempt OR NOT completed_on > deadline THEN 0
                                 ELSE coalesce(completed_on - deadline, 0) END) STORED,
  late_occurrences_counted integer GENERATED ALWAYS AS
                           (CASE WHEN lateness_exempt THEN 0
                                 ELSE coalesce(late_occurrences, (completed_on > deadline)::integer, 0) END) STORED,
  created_at               timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT task_line_item_xor_similar CHECK ((item_id IS NULL) <> (similar_item_id IS NULL)),
  CONSTRAINT task_line_off_catalogue_titled CHECK (item_id IS NOT NULL OR title IS NOT NULL),
  CONSTRAINT task_line_external_pair CHECK ((external_source IS NULL) = (external_id IS NULL)),
  CONSTRAINT task_line_external_key UNIQUE (external_source, external_id)
);
CREATE INDEX task_line_person_period_idx ON cqs.task_line (person_id, period);
CREATE INDEX task_line_period_idx ON cqs.task_line (period);
COMMENT ON TABLE cqs.task_line IS
  'Art. 13-14, 18.1.d: a task assigned to a civil servant in a month: item (or similar item for an off-catalogue task), coefficient fixed at assignment, quantities, dates, failed reviews, lateness with exemptions, origin and external reference';
COMMENT ON COLUMN cqs.task_line.origin IS
  'Art. 18.1.d: planned (in G), reassigned_away (in G, never completed), taken_over and ad_hoc (outside G, add credit)';
COMMENT ON COLUMN cqs.task_line.late_occurrences IS
  'Number of delays for the per_occurrence policy; NULL means 1 when completed after the deadline';

-- The lateness deductions of a line under its organisation's policy (Art. 14.2.c).
CREATE FUNCTION cqs._lateness_deductions(per_day boolean, late_days integer, late_occurrences integer)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN $1 THEN $2 ELSE $3 END
$$;

-- Per person and period: general criteria (Form 01), workflow status, leader terms
-- dd (đ) and e, support-staff percentages.  period is the first day of the month or
-- quarter, by the organisation's cadence.
CREATE TABLE cqs.assessment (
  person_id          bigint NOT NULL REFERENCES cqs.person,
  period             date NOT NULL,
  organisation_id    bigint NOT NULL REFERENCES cqs.organisation,
  criteria_set_id    bigint NOT NULL REFERENCES cqs.criteria_set,
  self_scores        numeric[],          -- Form 01 column (4), in criteria_item.position order
  evaluator_scores   numeric[],          -- the evaluator's scores; they count once confirmed
  self_total         numeric GENERATED ALWAYS AS (cqs._array_sum(self_scores)) STORED,
  evaluator_total    numeric GENERATED ALWAYS AS (cqs._array_sum(evaluator_scores)) STORED,
  strengths          text,               -- ưu điểm
  shortcomings       text,               -- hạn chế, khuyết điểm
  evaluator_comment  text,               -- ý kiến nhận xét của cấp có thẩm quyền
  evaluator_id       bigint REFERENCES cqs.person,
  dd                 numeric NOT NULL DEFAULT 100
                     CONSTRAINT assessment_dd_legal CHECK (dd IN (50, 100)),
  dd_reason          text,
  e                  numeric NOT NULL DEFAULT 100
                     CONSTRAINT assessment_e_legal CHECK (e IN (50, 100)),
  e_reason           text,
  support_quality    numeric CONSTRAINT assessment_support_quality_range CHECK (support_quality BETWEEN 0 AND 100),
  support_compliance numeric CONSTRAINT assessment_support_compliance_range CHECK (support_compliance BETWEEN 0 AND 100),
  support_efficiency numeric CONSTRAINT assessment_support_efficiency_range CHECK (support_efficiency BETWEEN 0 AND 100),
  status             text NOT NULL DEFAULT 'draft'
                     CONSTRAINT assessment_status_valid
                     CHECK (status IN ('draft', 'self_assessed', 'confirmed', 'locked')),
  self_assessed_at   timestamptz,
  confirmed_at       timestamptz,
  locked_at          timestamptz,
  PRIMARY KEY (person_id, period),
  CONSTRAINT assessment_period_is_month CHECK (period = date_trunc('month', period)::date),
  CONSTRAINT assessment_dd_reason CHECK (dd = 100 OR dd_reason IS NOT NULL),
  CONSTRAINT assessment_e_reason CHECK (e = 100 OR e_reason IS NOT NULL)
);
CREATE INDEX assessment_period_org_idx ON cqs.assessment (period, organisation_id);
COMMENT ON TABLE cqs.assessment IS
  'Art. 12, 15.3, 16, Form 01: per person and period the general-criteria scores (self and evaluator), comments, leader terms đ/e (100 or 50 with a reason), support-staff percentages and the workflow status draft -> self_assessed -> confirmed -> locked';

-- Scores must fit the criteria set (Art. 12.1, Form 01); a locked period refuses changes.
CREATE FUNCTION cqs._check_assessment() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_bad record;
  v_n   integer;
  v_arr numeric[];
  v_which text;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'locked' THEN
    RAISE EXCEPTION 'period % of person % is locked', OLD.period, OLD.person_id
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Locked results are final; a correction needs a new decision (Art. 21.3).';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  IF cqs._restoring() THEN
    RETURN NEW;
  END IF;
  SELECT count(*) INTO v_n FROM cqs.criteria_item WHERE criteria_set_id = NEW.criteria_set_id;
  FOREACH v_which IN ARRAY ARRAY['self_scores', 'evaluator_scores'] LOOP
    v_arr := CASE v_which WHEN 'self_scores' THEN NEW.self_scores ELSE NEW.evaluator_scores END;
    CONTINUE WHEN v_arr IS NULL;
    IF cardinality(v_arr) <> v_n OR array_ndims(v_arr) <> 1 THEN
      RAISE EXCEPTION '% of person % for % has % scores, the criteria set has % sub-items',
                      v_which, NEW.person_id, NEW.period, cardinality(v_arr), v_n
        USING ERRCODE = 'check_violation', CONSTRAINT = 'assessment_scores_fit_set';
    END IF;
    SELECT i.code, i.max_points, v_arr[i.position] AS score INTO v_bad
      FROM cqs.criteria_item i
     WHERE i.criteria_set_id = NEW.criteria_set_id
       AND (v_arr[i.position] IS NULL OR v_arr[i.position] < 0 OR v_arr[i.position] > i.max_points)
     ORDER BY i.position LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION '% of person % for %: sub-item % scored %, allowed 0 to %',
                      v_which, NEW.person_id, NEW.period, v_bad.code, coalesce(v_bad.score::text, 'NULL'), v_bad.max_points
        USING ERRCODE = 'check_violation', CONSTRAINT = 'assessment_scores_fit_set';
    END IF;
  END LOOP;
  RETURN NEW;
END $$;
CREATE TRIGGER assessment_check BEFORE INSERT OR UPDATE OR DELETE ON cqs.assessment
  FOR EACH ROW EXECUTE FUNCTION cqs._check_assessment();
