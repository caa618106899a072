-- Layer 2: the records -- what people did or decided -- and the constraints that
-- hold them (Art. 3, 10-14, 18-24; DOMAIN.md sections 1-6).  Records are dumped,
-- never recomputed; everything derived from them lives in 20_derived.sql.

-- General-criteria sets (tiêu chí chung, Art. 12.1, Form 01).  Each set totals 30 points.
CREATE TABLE cqs.criteria_set (
  criteria_set_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code            text NOT NULL CONSTRAINT criteria_set_code_key UNIQUE,
  name            text NOT NULL,
  builtin         boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE cqs.criteria_set IS
  'Art. 12.1, Form 01: a set of general-criteria sub-items (tiêu chí chung) totalling 30 points; ''form01'' is the decree''s';

CREATE TABLE cqs.criteria_item (
  criteria_set_id bigint NOT NULL,  -- -> cqs.criteria_set
  position        integer NOT NULL CONSTRAINT criteria_item_position_positive CHECK (position >= 1),
  code            text NOT NULL,
  name            text NOT NULL,
  max_points      numeric NOT NULL
                  CONSTRAINT criteria_item_max_points_range CHECK (max_points > 0 AND max_points <= 30),
  PRIMARY KEY (criteria_set_id, position),
  CONSTRAINT criteria_item_code_key UNIQUE (criteria_set_id, code)
);
COMMENT ON TABLE cqs.criteria_item IS
  'Art. 12.1, Form 01: one general-criteria sub-item with its maximum; positions 1..n order the score arrays';

-- Art. 12.1: a set's maxima total exactly 30, positions run 1..n.  Checked at commit
-- so a set can be built row by row.
CREATE FUNCTION cqs._check_criteria_set() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_total numeric;
  v_count bigint;
  v_maxpos integer;
  v_set bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.criteria_set_id ELSE NEW.criteria_set_id END;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM cqs.criteria_set WHERE criteria_set_id = v_set) THEN
    RETURN NULL;                      -- the whole set was deleted
  END IF;
  SELECT sum(max_points), count(*), max(position) INTO v_total, v_count, v_maxpos
    FROM cqs.criteria_item WHERE criteria_set_id = v_set;
  IF v_total IS DISTINCT FROM 30 THEN
    RAISE EXCEPTION 'general criteria set % totals % points, not 30', v_set, coalesce(v_total, 0)
      USING ERRCODE = 'check_violation', CONSTRAINT = 'criteria_set_totals_30',
            HINT = 'Art. 12.1: the general criteria are worth 30 points in every set.';
  END IF;
  IF v_maxpos <> v_count THEN
    RAISE EXCEPTION 'general criteria set % has positions with gaps (% items, last position %)',
                    v_set, v_count, v_maxpos
      USING ERRCODE = 'check_violation', CONSTRAINT = 'criteria_set_positions_contiguous';
  END IF;
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER criteria_set_totals_30
  AFTER INSERT OR UPDATE OR DELETE ON cqs.criteria_item
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION cqs._check_criteria_set();

-- Form 01 (Appendix II): I.1-I.2 5 points, II.1-II.4 and III.1-III.4 2.5 points each.
INSERT INTO cqs.criteria_set (code, name, builtin)
VALUES ('form01', 'Mẫu số 01, Phụ lục II, Nghị định 335/2025/NĐ-CP', true);
INSERT INTO cqs.criteria_item (criteria_set_id, position, code, name, max_points)
SELECT s.criteria_set_id, v.position, v.code, v.name, v.max_points
  FROM cqs.criteria_set s,
       (VALUES
         (1,  'I.1',   'Phẩm chất chính trị, phẩm chất đạo đức, văn hóa thực thi công vụ', 5.0),
         (2,  'I.2',   'Ý thức kỷ luật, kỷ cương trong thực thi công vụ', 5.0),
         (3,  'II.1',  'Năng lực chuyên môn, nghiệp vụ theo yêu cầu của vị trí việc làm', 2.5),
         (4,  'II.2',  'Khả năng đáp ứng yêu cầu thực thi nhiệm vụ được giao thường xuyên, đột xuất', 2.5),
         (5,  'II.3',  'Tinh thần trách nhiệm trong thực thi công vụ', 2.5),
         (6,  'II.4',  'Thái độ phục vụ người dân, doanh nghiệp và khả năng phối hợp với đồng nghiệp', 2.5),
         (7,  'III.1', 'Có sản phẩm, giải pháp đột phá, sáng tạo đem lại giá trị, hiệu quả thiết thực', 2.5),
         (8,  'III.2', 'Sẵn sàng tham gia thực hiện nhiệm vụ chính trị đặc biệt quan trọng, đột xuất, phức tạp', 2.5),
         (9,  'III.3', 'Có tinh thần chịu trách nhiệm trước kết quả công việc, chủ động nhận trách nhiệm khi có sai sót', 2.5),
         (10, 'III.4', 'Chủ động đưa ra quyết định trong phạm vi thẩm quyền, tiên phong thực hiện nhiệm vụ mới', 2.5)
       ) AS v(position, code, name, max_points)
 WHERE s.code = 'form01';

-- Organisations as a tree (Art. 3, 10): managing agency -> using agency -> unit.
-- NULL policy columns inherit from the parent; the root's NULLs take the defaults.
CREATE TABLE cqs.organisation (
  organisation_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code             text NOT NULL CONSTRAINT organisation_code_key UNIQUE,
  name             text NOT NULL,
  kind             text NOT NULL
                   CONSTRAINT organisation_kind_valid
                   CHECK (kind IN ('managing_agency', 'using_agency', 'unit')),
  parent_id        bigint,  -- -> cqs.organisation
  special_deadline boolean NOT NULL DEFAULT false,   -- Art. 19.2: graded by 15/01 next year
  cadence          text CONSTRAINT organisation_cadence_valid
                   CHECK (cadence IN ('monthly', 'quarterly')),
  lateness_mode    text CONSTRAINT organisation_lateness_mode_valid
                   CHECK (lateness_mode IN ('per_day', 'per_occurrence')),
  cap_mode         text CONSTRAINT organisation_cap_mode_valid
                   CHECK (cap_mode IN ('total', 'each')),
  decimals         integer CONSTRAINT organisation_decimals_range CHECK (decimals BETWEEN 0 AND 4),
  criteria_set_id  bigint,  -- -> cqs.criteria_set
  -- The managing agency's written choices (DOMAIN.md sections 3-4, 6), inherited like
  -- the policies above: the regulation choosing the lateness unit, the first month
  -- evaluated under the decree (earlier months are outside the year), and the agency's
  -- own deadlines for self-assessment and confirmation (day of the month after the period).
  lateness_policy_ref     text,
  field                   text,          -- the field (lĩnh vực) a division is assigned to: its deputy manages it (Art. 15.4)
  evaluation_start        date CONSTRAINT organisation_evaluation_start_month
                          CHECK (date_part('day', evaluation_start) = 1 AND cqs._sane_day(evaluation_start)),
  self_assessment_due_day integer CONSTRAINT organisation_self_assessment_due_day_range
                          CHECK (self_assessment_due_day BETWEEN 1 AND 28),
  confirmation_due_day    integer CONSTRAINT organisation_confirmation_due_day_range
                          CHECK (confirmation_due_day BETWEEN 1 AND 28),
  CONSTRAINT organisation_not_own_parent CHECK (parent_id <> organisation_id)
);
CREATE INDEX organisation_parent_idx ON cqs.organisation (parent_id);
COMMENT ON TABLE cqs.organisation IS
  'Art. 3, 10: managing agency (cơ quan quản lý), using agency (cơ quan sử dụng), directly-using unit (cơ quan trực tiếp sử dụng), with evaluation policies inherited down the tree';

CREATE FUNCTION cqs._check_organisation_cycle() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NEW.parent_id IS NOT NULL AND EXISTS (
       WITH RECURSIVE up AS (
         SELECT o.organisation_id, o.parent_id FROM cqs.organisation o
          WHERE o.organisation_id = NEW.parent_id
         UNION
         SELECT o.organisation_id, o.parent_id FROM cqs.organisation o JOIN up ON o.organisation_id = up.parent_id)
       SELECT 1 FROM up WHERE up.organisation_id = NEW.organisation_id) THEN
    RAISE EXCEPTION 'organisation % cannot be placed under %: that would make a cycle',
                    NEW.organisation_id, NEW.parent_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'organisation_tree_acyclic';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER organisation_tree_acyclic BEFORE UPDATE OF parent_id ON cqs.organisation
  FOR EACH ROW EXECUTE FUNCTION cqs._check_organisation_cycle();

-- People: civil servants (công chức) and support staff (người lao động, Art. 28.2).
CREATE TABLE cqs.person (
  person_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  personnel_id  text NOT NULL CONSTRAINT person_personnel_id_key UNIQUE,  -- mã hồ sơ CBCCVC
  full_name     text NOT NULL,
  kind          text NOT NULL DEFAULT 'civil_servant'
                CONSTRAINT person_kind_valid CHECK (kind IN ('civil_servant', 'support_staff')),
  party_member  boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE cqs.person IS
  'Civil servants and support staff, keyed by the national personnel-record id (mã hồ sơ CBCCVC) and an internal id';

-- Postings over time (Art. 10, 19.1): transfers keep their history.
CREATE TABLE cqs.posting (
  posting_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id        bigint NOT NULL,  -- -> cqs.person
  organisation_id  bigint NOT NULL,  -- -> cqs.organisation
  role             text NOT NULL DEFAULT 'staff'
                   CONSTRAINT posting_role_valid CHECK (role IN ('staff', 'deputy', 'head')),
  field            text,          -- a deputy's assigned field (lĩnh vực phụ trách); a staff member's field
  job_position     text,          -- vị trí việc làm
  duty_group       text NOT NULL DEFAULT 'chung',  -- nhóm có nhiệm vụ tương đồng (Art. 20.5)
  start_date       date NOT NULL,
  end_date         date,
  CONSTRAINT posting_dates_ordered CHECK (end_date IS NULL OR end_date >= start_date),
  CONSTRAINT posting_dates_sane CHECK (cqs._sane_day(start_date) AND cqs._sane_day(end_date)),
  CONSTRAINT posting_deputy_has_field CHECK (role <> 'deputy' OR field IS NOT NULL),
  -- One posting at a time (Art. 10, 19.1), held by the index even between concurrent
  -- transfers: the second of two racing transactions waits, then fails with 23P01.
  CONSTRAINT posting_no_overlap EXCLUDE USING gist
    (person_id WITH =, daterange(start_date, end_date, '[]') WITH &&)
);
CREATE INDEX posting_person_idx ON cqs.posting (person_id, start_date);
CREATE INDEX posting_organisation_idx ON cqs.posting (organisation_id);
COMMENT ON TABLE cqs.posting IS
  'Art. 10, 19.1: who works where, in which role (staff, deputy with an assigned field, head), job position and duty group, over time';

CREATE TABLE cqs.catalogue (
  catalogue_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organisation_id       bigint NOT NULL,   -- -> cqs.organisation; the using agency
  version               text NOT NULL,
  effective_from        date NOT NULL CONSTRAINT catalogue_effective_from_sane CHECK (cqs._sane_day(effective_from)),
  standard_points       numeric NOT NULL
                        CONSTRAINT catalogue_standard_points_positive CHECK (standard_points > 0 AND cqs._sane_amount(standard_points)),
  coefficient_decimals  integer
                        CONSTRAINT catalogue_coefficient_decimals_range CHECK (coefficient_decimals BETWEEN 0 AND 4),
  decision_ref          text,
  created_at            timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT catalogue_version_key UNIQUE (organisation_id, version),
  CONSTRAINT catalogue_effective_key UNIQUE (organisation_id, effective_from)
);
COMMENT ON TABLE cqs.catalogue IS
  'Art. 13, HB ch. II: a using agency''s product catalogue version; standard_points is what the standard unit (đơn vị sản phẩm chuẩn) scores, coefficient_decimals the agency''s rounding of coefficients (NULL: exact)';

CREATE TABLE cqs.catalogue_item (
  item_id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  catalogue_id      bigint NOT NULL,  -- -> cqs.catalogue
  code              text NOT NULL,
  name              text NOT NULL,
  output_unit       text NOT NULL,                 -- sản phẩm đầu ra
  complexity_group  smallint NOT NULL              -- N1..N5
                    CONSTRAINT catalogue_item_group_range CHECK (complexity_group BETWEEN 1 AND 5),
  group_max         numeric NOT NULL,
  points_low        numeric NOT NULL,
  points_high       numeric NOT NULL,
  is_standard       boolean NOT NULL DEFAULT false,
  coefficient_low   numeric NOT NULL,              -- derived: points / standard points
  coefficient_high  numeric NOT NULL,
  CONSTRAINT catalogue_item_code_key UNIQUE (catalogue_id, code),
  CONSTRAINT catalogue_item_group_max_limit CHECK (group_max > 0 AND group_max <= 100 * complexity_group),
  CONSTRAINT catalogue_item_points_positive CHECK (points_low > 0),
  CONSTRAINT catalogue_item_range_ordered CHECK (points_low <= points_high),
  CONSTRAINT catalogue_item_points_within_group CHECK (points_high <= group_max)
);
-- HB ch. II: exactly one standard unit per catalogue.
CREATE UNIQUE INDEX catalogue_item_one_standard ON cqs.catalogue_item (catalogue_id) WHERE is_standard;
COMMENT ON TABLE cqs.catalogue_item IS
  'Art. 13, HB ch. II: a catalogue item with its complexity group N1-N5 (maximum 100-500), points or points range, and the derived conversion coefficients';

-- A catalogue version's standard and rounding are fixed once it has items: their
-- coefficients were derived from them (Art. 13.3: a changed catalogue is a new version).
CREATE FUNCTION cqs._catalogue_fixed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF (NEW.standard_points, NEW.coefficient_decimals) IS DISTINCT FROM (OLD.standard_points, OLD.coefficient_decimals)
     AND EXISTS (SELECT 1 FROM cqs.catalogue_item i WHERE i.catalogue_id = OLD.catalogue_id) THEN
    RAISE EXCEPTION 'catalogue % (version %) has items: its standard points and coefficient decimals are fixed',
                    OLD.catalogue_id, OLD.version
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Art. 13.3, 26.1.c: a changed catalogue is a new version with its own effective date.';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER catalogue_fixed BEFORE UPDATE OF standard_points, coefficient_decimals ON cqs.catalogue
  FOR EACH ROW EXECUTE FUNCTION cqs._catalogue_fixed();

-- Coefficients follow the points (HB ch. II: coefficient = points / standard points).
CREATE FUNCTION cqs._catalogue_item_coefficients() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_cat cqs.catalogue;
BEGIN
  IF cqs._loading_records() THEN
    RETURN NEW;                       -- a restore keeps the coefficients as they were
  END IF;
  SELECT * INTO v_cat FROM cqs.catalogue WHERE catalogue_id = NEW.catalogue_id;
  IF NEW.is_standard AND (NEW.points_low <> v_cat.standard_points OR NEW.points_high <> v_cat.standard_points) THEN
    RAISE EXCEPTION 'standard unit % must score exactly % points (the catalogue''s standard), got %-%',
                    NEW.code, v_cat.standard_points, NEW.points_low, NEW.points_high
      USING ERRCODE = 'check_violation', CONSTRAINT = 'catalogue_item_standard_points';
  END IF;
  NEW.coefficient_low := cqs.coefficient(NEW.points_low, v_cat.standard_points);
  NEW.coefficient_high := cqs.coefficient(NEW.points_high, v_cat.standard_points);
  IF v_cat.coefficient_decimals IS NOT NULL THEN
    NEW.coefficient_low := round(NEW.coefficient_low, v_cat.coefficient_decimals);
    NEW.coefficient_high := round(NEW.coefficient_high, v_cat.coefficient_decimals);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER catalogue_item_coefficients BEFORE INSERT OR UPDATE ON cqs.catalogue_item
  FOR EACH ROW EXECUTE FUNCTION cqs._catalogue_item_coefficients();

-- A task line (Art. 13-14, 18.1.d; HB ch. VI).  The coefficient is fixed at assignment.
CREATE TABLE cqs.task_line (
  task_line_id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id                bigint NOT NULL,  -- -> cqs.person
  organisation_id          bigint NOT NULL,  -- -> cqs.organisation
  period                   date NOT NULL
                           CONSTRAINT task_line_period_is_month
                           CHECK (date_part('day', period) = 1 AND cqs._sane_day(period)),
  item_id                  bigint,  -- -> cqs.catalogue_item
  similar_item_id          bigint,  -- -> cqs.catalogue_item; Art. 13.3: off-catalogue, priced like this
  title                    text,
  coefficient              numeric NOT NULL
                           CONSTRAINT task_line_coefficient_positive CHECK (coefficient > 0 AND cqs._sane_amount(coefficient)),
  assigned_qty             numeric NOT NULL
                           CONSTRAINT task_line_assigned_qty_nonnegative CHECK (cqs._sane_amount(assigned_qty)),
  deadline                 date NOT NULL,   -- Art. 18.1.b: every assigned task has one
  completed_qty            numeric
                           CONSTRAINT task_line_completed_qty_nonnegative CHECK (cqs._sane_amount(completed_qty)),
  completed_on             date,
  quality_failures         integer NOT NULL DEFAULT 0
                           CONSTRAINT task_line_quality_failures_nonnegative CHECK (quality_failures BETWEEN 0 AND 1000),
  late_occurrences         integer
                           CONSTRAINT task_line_late_occurrences_nonnegative CHECK (late_occurrences BETWEEN 0 AND 1000),
  origin                   text NOT NULL DEFAULT 'planned'
                           CONSTRAINT task_line_origin_valid
                           CHECK (origin IN ('planned', 'reassigned_away', 'taken_over', 'ad_hoc')),
  external_source          text,
  external_id              text,
  days_late                integer GENERATED ALWAYS AS
                           (CASE WHEN completed_on > deadline THEN completed_on - deadline ELSE 0 END) STORED,
  -- Failures and delays recorded one by one (cqs.task_deduction): how many, kept by the
  -- extension (not writable by users) so that lines without any cost nothing to compute.
  deductions_recorded      integer NOT NULL DEFAULT 0,
  -- What the aggregate takes, derived once per line instead of once per computation
  -- (Art. 18.1.d): a reassigned-away line is never completed; taken-over and ad-hoc
  -- lines are outside G.
  counts_in_assigned       boolean GENERATED ALWAYS AS (origin IN ('planned', 'reassigned_away')) STORED,
  credited_qty             numeric GENERATED ALWAYS AS
                           (CASE WHEN origin = 'reassigned_away' THEN 0 ELSE completed_qty END) STORED,
  late_occurrences_counted integer GENERATED ALWAYS AS
                           (coalesce(late_occurrences, (completed_on > deadline)::integer, 0)) STORED,
  created_at               timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT task_line_dates_sane CHECK (cqs._sane_day(deadline) AND cqs._sane_day(completed_on)),
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
  'Number of delays for the per_occurrence policy; NULL means 1 when completed after the deadline. Delays recorded one by one in cqs.task_deduction replace it';
COMMENT ON COLUMN cqs.task_line.quality_failures IS
  'Art. 14.2.b: failed reviews for major content errors concerning the whole line (each takes 25% of its quality credit); failures concerning part of it, or exempted, are recorded one by one in cqs.task_deduction';
COMMENT ON COLUMN cqs.task_line.deductions_recorded IS
  'How many rows of cqs.task_deduction the line has; kept by the extension';

-- Failed reviews and delays one by one (Art. 14.2.b-c; DOMAIN §3): each takes 25% of the
-- credit of the products it concerns (concerned_qty; NULL: the whole line), and each may
-- be exempted for an objective cause confirmed by the competent authority, with the
-- reference of that confirmation.  A line's delays recorded here replace the delay its
-- dates imply; its failures recorded here add to quality_failures.
CREATE TABLE cqs.task_deduction (
  deduction_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task_line_id        bigint NOT NULL,  -- -> cqs.task_line (deleted with it)
  kind                text NOT NULL
                      CONSTRAINT task_deduction_kind_valid CHECK (kind IN ('quality', 'lateness')),
  concerned_qty       numeric
                      CONSTRAINT task_deduction_concerned_qty_positive
                      CHECK (concerned_qty > 0 AND cqs._sane_amount(concerned_qty)),
  days_late           integer
                      CONSTRAINT task_deduction_days_late_range CHECK (days_late BETWEEN 1 AND 3660),
  noted_on            date CONSTRAINT task_deduction_noted_on_sane CHECK (cqs._sane_day(noted_on)),
  description         text,
  exemption_reference text,   -- the authority's confirmation of an objective cause
  exempted_by         text,   -- recorded by the database: the login
  exempted_by_person  bigint, -- and the person it acted for
  exempted_at         timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT task_deduction_days_for_delays CHECK (kind = 'lateness' OR days_late IS NULL),
  CONSTRAINT task_deduction_exemption_referenced
             CHECK (exemption_reference IS NULL OR btrim(exemption_reference) <> '')
);
CREATE INDEX task_deduction_line_idx ON cqs.task_deduction (task_line_id);
COMMENT ON TABLE cqs.task_deduction IS
  'Art. 14.2.b-c: one failed quality review or one delay of a task line, the quantity of products it concerns (NULL: the whole line), its days (per-day policy; NULL: the line''s days late), and its exemption with the reference of the competent authority''s confirmation';
COMMENT ON COLUMN cqs.task_deduction.concerned_qty IS
  'Quantity of the line''s products the failure or delay concerns (at most the completed quantity counts); NULL: the whole line';
COMMENT ON COLUMN cqs.task_deduction.exemption_reference IS
  'Art. 14.2.b-c: reference of the competent authority''s confirmation that the cause is objective; set, the failure or delay does not count';

-- Per person and period: general criteria (Form 01), workflow status, leader terms
-- dd (đ) and e, support-staff percentages.  period is the first day of the month or
-- quarter, by the organisation's cadence.
CREATE TABLE cqs.assessment (
  person_id          bigint NOT NULL,  -- -> cqs.person
  period             date NOT NULL,
  organisation_id    bigint NOT NULL,  -- -> cqs.organisation
  criteria_set_id    bigint NOT NULL,  -- -> cqs.criteria_set
  self_scores        numeric[],          -- Form 01 column (4), in criteria_item.position order
  evaluator_scores   numeric[],          -- the evaluator's scores; they count once confirmed
  self_total         numeric GENERATED ALWAYS AS (cqs._array_sum(self_scores)) STORED,
  evaluator_total    numeric GENERATED ALWAYS AS (cqs._array_sum(evaluator_scores)) STORED,
  strengths          text,               -- ưu điểm
  shortcomings       text,               -- hạn chế, khuyết điểm
  evaluator_comment  text,               -- ý kiến nhận xét của cấp có thẩm quyền
  evaluator_id       bigint,  -- -> cqs.person; the acting person who confirmed (cqs.confirm)
  confirmed_by       text,                -- the login that confirmed (a portal's, when it acted for the evaluator)
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
  CONSTRAINT assessment_period_is_month CHECK (date_part('day', period) = 1 AND cqs._sane_day(period)),
  CONSTRAINT assessment_dd_reason CHECK (dd = 100 OR dd_reason IS NOT NULL),
  CONSTRAINT assessment_e_reason CHECK (e = 100 OR e_reason IS NOT NULL)
);
CREATE INDEX assessment_period_org_idx ON cqs.assessment (period, organisation_id);
CREATE INDEX assessment_org_idx ON cqs.assessment (organisation_id, period, person_id);
-- The periods that count for the year (Art. 17.2-17.3): cqs.grade_year reads which results
-- were confirmed from this index alone, not from the rows with their score arrays.
CREATE INDEX assessment_counted_idx ON cqs.assessment (person_id, period) WHERE status IN ('confirmed', 'locked');
COMMENT ON TABLE cqs.assessment IS
  'Art. 12, 15.3, 16, Form 01: per person and period the general-criteria scores (self and evaluator), comments, leader terms đ/e (100 or 50 with a reason), support-staff percentages and the workflow status draft -> self_assessed -> confirmed -> locked';

-- Scores must fit the criteria set (Art. 12.1, Form 01); a locked period refuses changes.
CREATE FUNCTION cqs._check_assessment() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_bad   record;
  v_n     integer;
  v_arr   numeric[];
  v_which text;
  v_key   cqs.assessment := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  v_lock  bigint;
  v_was   boolean := TG_OP <> 'INSERT' AND OLD.status = 'locked';
  v_is    boolean := TG_OP <> 'DELETE' AND NEW.status = 'locked';
BEGIN
  IF cqs._loading_records() THEN
    RETURN v_key;                     -- a restore: the rows were checked when written
  END IF;
  -- Locks are records (cqs.period_lock): only cqs.lock_period() marks an assessment
  -- locked, only cqs.reopen_period() unmarks it, and nothing touches it in between.
  -- The year's advisory lock makes this hold against a lock being taken concurrently.
  PERFORM cqs._wait_for_year(ARRAY[v_key.period]);
  v_lock := cqs._active_lock(v_key.person_id, v_key.period);
  IF (v_was AND (v_is OR TG_OP = 'DELETE' OR v_lock IS NOT NULL))
     OR (NOT v_was AND NOT v_is AND v_lock IS NOT NULL) THEN
    RAISE EXCEPTION 'period % of person % is locked%', v_key.period, v_key.person_id,
                    CASE WHEN v_lock IS NOT NULL THEN format(' (lock %s)', v_lock) ELSE '' END
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Locked results are final; cqs.reopen_period() reopens a period, with a reason (Art. 21.3).';
  ELSIF v_is AND NOT v_was AND v_lock IS NULL THEN
    RAISE EXCEPTION 'assessment of person % for % cannot be marked locked without a lock', v_key.person_id, v_key.period
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Periods are locked with cqs.lock_period().';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  -- Art. 12, 17.3: an assessment is of the person's period on its organisation's cadence
  -- (a month, or the person's quarter: cqs.period_key).
  IF TG_OP = 'INSERT' OR NEW.period IS DISTINCT FROM OLD.period OR NEW.organisation_id IS DISTINCT FROM OLD.organisation_id THEN
    SELECT cqs.period_key(NEW.person_id, NEW.period, pol.cadence) AS key, pol.cadence INTO v_bad
      FROM cqs.organisation_policy pol WHERE pol.organisation_id = NEW.organisation_id;
    IF FOUND AND v_bad.key IS DISTINCT FROM NEW.period THEN
      RAISE EXCEPTION 'assessment of person % for % does not start an evaluation period of organisation % (%): the period is %',
                      NEW.person_id, NEW.period, NEW.organisation_id, v_bad.cadence, v_bad.key
        USING ERRCODE = 'check_violation', CONSTRAINT = 'assessment_period_of_cadence',
              HINT = 'Monthly organisations evaluate months, quarterly ones quarters; a newcomer from a monthly organisation within a quarter starts their quarter in the month after (Art. 12, 17.3, 19.1; cqs.period_key).';
    END IF;
    -- Art. 17.2: assessed by an organisation the person worked in during the period.
    IF FOUND AND NOT EXISTS (
         SELECT 1 FROM cqs.posting p
          WHERE p.person_id = NEW.person_id AND p.organisation_id = NEW.organisation_id
            AND p.start_date < cqs.period_end(NEW.period, cqs.period_kind_of(NEW.person_id, NEW.period, v_bad.cadence))
            AND (p.end_date IS NULL OR p.end_date >= NEW.period)) THEN
      RAISE EXCEPTION 'person % is not posted at organisation % during the period starting %',
                      NEW.person_id, NEW.organisation_id, NEW.period
        USING ERRCODE = 'check_violation', CONSTRAINT = 'assessment_posted',
              HINT = 'A period is assessed by the organisation the person worked in (Art. 17.2); record the posting first.';
    END IF;
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

-- The criteria and their points: Art. 6 (three general criteria, 30) and Art. 7
-- (task results a-h, 70; each province sets the points).  A set of maxima per
-- province/ministry; 'default' is built in and can be replaced by a provincial set.
CREATE TABLE cqs.organisation_criteria (
  criteria_code  text NOT NULL,                 -- the set, e.g. 'default', 'hue-2026'
  part           text NOT NULL CONSTRAINT organisation_criteria_part_valid CHECK (part IN ('general', 'task')),
  position       integer NOT NULL CONSTRAINT organisation_criteria_position_positive CHECK (position >= 1),
  code           text NOT NULL,                 -- '6.1'..'6.3', '7.1.a'..'7.1.h'
  name           text NOT NULL,
  max_points     numeric NOT NULL CONSTRAINT organisation_criteria_max_positive CHECK (max_points > 0),
  builtin        boolean NOT NULL DEFAULT false,
  PRIMARY KEY (criteria_code, part, position)
);
COMMENT ON TABLE cqs.organisation_criteria IS
  'Art. 6-7: the maxima of an organisation''s general criteria (3, totalling 30) and task-result criteria (a-h, totalling 70), per provincial set';

CREATE FUNCTION cqs._check_organisation_criteria() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v record;
BEGIN
  FOR v IN SELECT criteria_code, part, sum(max_points) AS total, count(*) AS n, max(position) AS maxpos
             FROM cqs.organisation_criteria GROUP BY criteria_code, part LOOP
    IF v.total <> (CASE v.part WHEN 'general' THEN 30 ELSE 70 END) OR v.n <> v.maxpos THEN
      RAISE EXCEPTION 'organisation criteria set "%" (%): maxima total %, must be % with positions 1..n',
                      v.criteria_code, v.part, v.total, CASE v.part WHEN 'general' THEN 30 ELSE 70 END
        USING ERRCODE = 'check_violation', CONSTRAINT = 'organisation_criteria_totals',
              HINT = 'Art. 6: general criteria 30 points; Art. 7: task results 70 points.';
    END IF;
  END LOOP;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER organisation_criteria_totals
  AFTER INSERT OR UPDATE OR DELETE ON cqs.organisation_criteria
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cqs._check_organisation_criteria();

INSERT INTO cqs.organisation_criteria (criteria_code, part, position, code, name, max_points, builtin) VALUES
  ('default', 'general', 1, '6.1', 'Chấp hành đường lối, chính sách, pháp luật; chỉ đạo của cấp trên; chiến lược, kế hoạch', 10, true),
  ('default', 'general', 2, '6.2', 'Quản lý, sử dụng công chức; môi trường làm việc; đoàn kết nội bộ; kỷ luật, kỷ cương', 10, true),
  ('default', 'general', 3, '6.3', 'Cải cách hành chính, chuyển đổi số, cải tiến quy trình, khắc phục hạn chế', 10, true),
  ('default', 'task', 1, '7.1.a', 'Thể chế hóa chủ trương, chính sách thành chiến lược, quy hoạch, kế hoạch, văn bản', 10, true),
  ('default', 'task', 2, '7.1.b', 'Tỷ lệ hoàn thành nhiệm vụ trong chương trình, kế hoạch năm và nhiệm vụ phát sinh', 15, true),
  ('default', 'task', 3, '7.1.c', 'Quản lý, điều hành; tháo gỡ điểm nghẽn; không sai phạm trong ban hành văn bản', 10, true),
  ('default', 'task', 4, '7.1.d', 'Phối hợp, điều phối chính sách liên ngành, liên vùng', 5, true),
  ('default', 'task', 5, '7.1.đ', 'Chuyển đổi số, đơn giản hóa thủ tục hành chính', 10, true),
  ('default', 'task', 6, '7.1.e', 'Khoa học - công nghệ, đổi mới sáng tạo', 5, true),
  ('default', 'task', 7, '7.1.g', 'Giải quyết hồ sơ, thủ tục hành chính; tỷ lệ hồ sơ trực tuyến', 10, true),
  ('default', 'task', 8, '7.1.h', 'Giải quyết đơn thư, khiếu nại, tố cáo, phản ánh, kiến nghị', 5, true);

-- One organisation's year: scores and the facts Art. 8 conditions read.
CREATE TABLE cqs.organisation_year (
  organisation_id        bigint NOT NULL,  -- -> cqs.organisation
  year                   integer NOT NULL CONSTRAINT organisation_year_year_range CHECK (year BETWEEN 2026 AND 2100),
  criteria_code          text NOT NULL DEFAULT 'default',
  general_scores         numeric[] NOT NULL,     -- Art. 6, in position order
  task_scores            numeric[] NOT NULL,     -- Art. 7.1.a-h, in position order
  tasks_assigned         integer NOT NULL CONSTRAINT organisation_year_tasks_assigned CHECK (tasks_assigned >= 0),
  tasks_completed        integer NOT NULL,       -- done on time with quality counts in tasks_on_time too
  tasks_on_time          integer NOT NULL,       -- completed on time, with quality and efficiency
  tasks_exceeded         integer NOT NULL DEFAULT 0,
  tasks_late             integer NOT NULL DEFAULT 0,
  planned_tasks          integer NOT NULL,       -- in the year's programme/plan
  planned_tasks_done     integer NOT NULL,
  shortcomings_fixed     boolean NOT NULL DEFAULT true,   -- every earlier shortcoming fixed (Art. 8.1.c)
  violation_concluded    boolean NOT NULL DEFAULT false,  -- Art. 8.4.a: staff-work violations, disunity, factions
  violation_note         text,
  force_majeure          boolean NOT NULL DEFAULT false,  -- Art. 8.4.b: weighed by the authority
  self_proposed_grade    cqs.grade,
  computed_grade         cqs.grade,              -- filled by cqs.grade_organisations()
  needs_decision_reason  text,
  quota_outcome          text,
  decided_grade          cqs.grade,              -- the recognising authority's decision
  decided_by             text,                   -- the login that recorded it (cqs.decide_organisation_grade)
  decided_by_person      bigint,
  decided_title          text,                   -- the signatory's title as on the document
  decided_at             timestamptz,
  decision_ref           text,
  PRIMARY KEY (organisation_id, year),
  CONSTRAINT organisation_year_counts CHECK (
    tasks_completed BETWEEN 0 AND tasks_assigned AND tasks_on_time BETWEEN 0 AND tasks_completed
    AND tasks_exceeded BETWEEN 0 AND tasks_completed AND tasks_late BETWEEN 0 AND tasks_assigned
    AND planned_tasks_done BETWEEN 0 AND planned_tasks AND planned_tasks >= 0),
  CONSTRAINT organisation_year_decision_complete CHECK (decided_grade IS NULL OR (decided_by IS NOT NULL AND decided_at IS NOT NULL))
);
COMMENT ON TABLE cqs.organisation_year IS
  'Art. 5-9: an organisation''s yearly scores (general 30 + task results 70), the facts behind Art. 8''s conditions, the computed grade or the reason the authority must decide, the quota outcome and the decision';

CREATE FUNCTION cqs._check_organisation_year() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_bad record;
BEGIN
  IF cqs._loading_records() THEN
    RETURN NEW;                       -- a restore: checked when written, criteria may load later
  END IF;
  SELECT c.part, c.code, c.max_points,
         CASE c.part WHEN 'general' THEN NEW.general_scores[c.position] ELSE NEW.task_scores[c.position] END AS score
    INTO v_bad
    FROM cqs.organisation_criteria c
   WHERE c.criteria_code = NEW.criteria_code
     AND (CASE c.part WHEN 'general' THEN NEW.general_scores[c.position] ELSE NEW.task_scores[c.position] END) IS DISTINCT FROM
         least(greatest(CASE c.part WHEN 'general' THEN NEW.general_scores[c.position] ELSE NEW.task_scores[c.position] END, 0), c.max_points)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'organisation % year %: criterion % scored %, allowed 0 to %',
                    NEW.organisation_id, NEW.year, v_bad.code, coalesce(v_bad.score::text, 'NULL'), v_bad.max_points
      USING ERRCODE = 'check_violation', CONSTRAINT = 'organisation_year_scores_fit';
  END IF;
  IF cardinality(NEW.general_scores) <> (SELECT count(*) FROM cqs.organisation_criteria c
                                          WHERE c.criteria_code = NEW.criteria_code AND c.part = 'general')
     OR cardinality(NEW.task_scores) <> (SELECT count(*) FROM cqs.organisation_criteria c
                                          WHERE c.criteria_code = NEW.criteria_code AND c.part = 'task') THEN
    RAISE EXCEPTION 'organisation % year %: the score arrays do not match criteria set "%"',
                    NEW.organisation_id, NEW.year, NEW.criteria_code
      USING ERRCODE = 'check_violation', CONSTRAINT = 'organisation_year_scores_fit';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER organisation_year_check BEFORE INSERT OR UPDATE OF general_scores, task_scores, criteria_code
  ON cqs.organisation_year FOR EACH ROW EXECUTE FUNCTION cqs._check_organisation_year();

-- Art. 8.5: the competent authority's decision allowing up to 25% (for organisations
-- when person_scope is false, for civil servants of organisation_id otherwise).
CREATE TABLE cqs.quota_decision (
  organisation_id  bigint NOT NULL,  -- -> cqs.organisation
  year             integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  for_people       boolean NOT NULL,     -- true: Art. 20.5.b (its civil servants); false: Art. 8.5.b (organisations it recognises)
  duty_group       text NOT NULL DEFAULT '*',
  rate             numeric NOT NULL CONSTRAINT quota_decision_rate_range CHECK (rate > 0.20 AND rate <= 0.25),
  decided_by       text NOT NULL,
  decided_at       timestamptz NOT NULL,
  decision_ref     text NOT NULL,
  PRIMARY KEY (organisation_id, year, for_people, duty_group)
);
COMMENT ON TABLE cqs.quota_decision IS
  'Art. 8.5.b, 20.5.b: the competent authority''s decision raising the excellence quota above 20% (at most 25%), with who, when and the reference';

-- Leave (Art. 11.2): sick and maternity leave are graded on the months worked;
-- unpaid leave only with at least 6 months worked.
CREATE TABLE cqs.leave_record (
  leave_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id   bigint NOT NULL,  -- -> cqs.person
  kind        text NOT NULL CONSTRAINT leave_record_kind_valid CHECK (kind IN ('sick', 'maternity', 'unpaid', 'other')),
  start_date  date NOT NULL,
  end_date    date NOT NULL,
  note        text,
  CONSTRAINT leave_record_dates_ordered CHECK (end_date >= start_date),
  CONSTRAINT leave_record_dates_sane CHECK (cqs._sane_day(start_date) AND cqs._sane_day(end_date))
);
CREATE INDEX leave_record_person_idx ON cqs.leave_record (person_id);
COMMENT ON TABLE cqs.leave_record IS
  'Art. 11.2, 19.3: leave (nghỉ ốm, thai sản, không hưởng lương, khác) with dates; months fully on leave are not worked';

-- Discipline (Art. 11.3, 20.4.c): administrative or Party, reprimand (khiển trách) or heavier.
CREATE TABLE cqs.discipline (
  discipline_id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id                bigint NOT NULL,  -- -> cqs.person
  kind                     text NOT NULL CONSTRAINT discipline_kind_valid CHECK (kind IN ('administrative', 'party')),
  level                    text NOT NULL CONSTRAINT discipline_level_valid
                           CHECK (level IN ('khien_trach', 'canh_cao', 'ha_bac_luong', 'giang_chuc', 'cach_chuc',
                                            'buoc_thoi_viec', 'khai_tru')),
  decision_date            date NOT NULL CONSTRAINT discipline_decision_date_sane CHECK (cqs._sane_day(decision_date)),
  decision_ref             text NOT NULL,
  act_ref                  text NOT NULL,       -- the act punished: Party and administrative discipline for one act share it
  act_description          text,
  act_organisation_id      bigint NOT NULL,   -- -> cqs.organisation; where the act happened (Art. 11.3.c-d)
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
  person_id     bigint NOT NULL,  -- -> cqs.person
  year          integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  kind          text NOT NULL CONSTRAINT year_override_kind_valid
                CHECK (kind IN ('degradation', 'corruption_waste_in_unit', 'violation_before_discipline')),
  act_ref       text,                          -- for Art. 11.3.b: a later discipline for this act does not count again
  decided_by    text NOT NULL,
  decided_on    date NOT NULL CONSTRAINT year_override_decided_on_sane CHECK (cqs._sane_day(decided_on)),
  reference     text NOT NULL,
  reason        text NOT NULL
);
CREATE INDEX year_override_person_idx ON cqs.year_override (person_id, year);
COMMENT ON TABLE cqs.year_override IS
  'Art. 20.4.b (degradation), 20.4.d (leaders: corruption/waste in a unit under their direct charge), 11.3.b (an act used before its discipline decision)';

-- Public holidays (ngày nghỉ lễ, Tết) for working-day deadlines (Art. 22).
CREATE TABLE cqs.public_holiday (
  day   date PRIMARY KEY CONSTRAINT public_holiday_day_sane CHECK (cqs._sane_day(day)),
  name  text NOT NULL
);
COMMENT ON TABLE cqs.public_holiday IS 'Public holidays and compensatory days off, for deadlines counted in working days (Art. 22)';

-- The annual procedure (Art. 21), one row per person and year.
CREATE TABLE cqs.year_grading (
  person_id              bigint NOT NULL,  -- -> cqs.person
  year                   integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  self_proposed_grade    cqs.grade,            -- Form 02
  self_proposed_at       timestamptz,
  meeting_minutes_ref    text,                 -- biên bản cuộc họp
  meeting_on             date CONSTRAINT year_grading_meeting_on_sane CHECK (cqs._sane_day(meeting_on)),
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
  person_id   bigint NOT NULL,  -- -> cqs.person
  year        integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  keeps       boolean NOT NULL,
  decided_by  text NOT NULL,                     -- the login that recorded it
  decided_by_person bigint,                      -- the acting person (the authority)
  reference   text,
  decided_at  timestamptz NOT NULL,
  PRIMARY KEY (person_id, year)
);
COMMENT ON TABLE cqs.quota_choice IS 'Art. 20.5: the authority''s final choice of who keeps xuat_sac within the quota';

-- Decisions (Art. 21.1.đ, 21.3): a re-grading is a new decision that supersedes the
-- old one; both stay on record.
CREATE TABLE cqs.grade_decision (
  decision_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id        bigint NOT NULL,  -- -> cqs.person
  year             integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  organisation_id  bigint NOT NULL,   -- -> cqs.organisation; the grading organisation
  grade            cqs.grade NOT NULL,
  decided_by       text NOT NULL,                -- the login that recorded it (never typed in)
  decided_by_person bigint,                      -- the acting person (the authority)
  title            text,                         -- the signatory's title as on the document (free text)
  decided_at       timestamptz NOT NULL DEFAULT now(),
  reference        text NOT NULL,
  supersedes       bigint,  -- -> cqs.grade_decision
  reason           text,
  notified_at      timestamptz,                 -- written notification to the civil servant
  published_at     timestamptz,                 -- public announcement (preferably electronic)
  CONSTRAINT grade_decision_regrade_reason CHECK (supersedes IS NULL OR reason IS NOT NULL)
);
CREATE UNIQUE INDEX grade_decision_supersedes_once ON cqs.grade_decision (supersedes) WHERE supersedes IS NOT NULL;
-- One first decision per person and year; every later one supersedes (Art. 21.3).
CREATE UNIQUE INDEX grade_decision_first_once ON cqs.grade_decision (person_id, year) WHERE supersedes IS NULL;
CREATE INDEX grade_decision_person_year_idx ON cqs.grade_decision (person_id, year);
COMMENT ON TABLE cqs.grade_decision IS
  'Art. 21, 21.3, 4.4: grading decisions; a re-grading supersedes the earlier decision, which stays on record';

-- Complaints (kiến nghị, Art. 22): resolved within 7 working days of receipt.
CREATE TABLE cqs.complaint (
  complaint_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id        bigint NOT NULL,  -- -> cqs.person
  decision_id      bigint,           -- -> cqs.grade_decision; a yearly grade complained about
  period           date,             -- or a monthly/quarterly result (its period's first day)
  filed_on         date NOT NULL,
  content          text NOT NULL,
  filed_by         text,                          -- the login that recorded it
  filed_by_person  bigint,
  resolved_on      date,
  outcome          text CONSTRAINT complaint_outcome_valid CHECK (outcome IN ('rejected', 'upheld_regraded', 'withdrawn')),
  outcome_note     text,
  resolved_by      text,                          -- the login that recorded the outcome
  resolved_by_person bigint,
  CONSTRAINT complaint_about_one CHECK ((decision_id IS NULL) <> (period IS NULL)),
  CONSTRAINT complaint_period_is_month CHECK (date_part('day', period) = 1 AND cqs._sane_day(period)),
  CONSTRAINT complaint_resolution_complete CHECK ((resolved_on IS NULL) = (outcome IS NULL)),
  CONSTRAINT complaint_resolved_after_filing CHECK (resolved_on IS NULL OR resolved_on >= filed_on),
  CONSTRAINT complaint_dates_sane CHECK (cqs._sane_day(filed_on) AND cqs._sane_day(resolved_on))
);
COMMENT ON TABLE cqs.complaint IS 'Art. 22: a civil servant''s complaint (kiến nghị) about a yearly grading decision or a monthly/quarterly result, filed after it was notified; due 7 working days after receipt';

-- A complaint comes after what it is about (Art. 22): a decision, or the end of the
-- period whose result it is about.
CREATE FUNCTION cqs._check_complaint() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_after date;
BEGIN
  IF cqs._loading_records() THEN
    RETURN NEW;
  END IF;
  IF NEW.decision_id IS NOT NULL THEN
    SELECT d.decided_at::date INTO v_after FROM cqs.grade_decision d WHERE d.decision_id = NEW.decision_id;
  ELSE
    SELECT cqs.period_end(r.period, r.period_kind) INTO v_after FROM cqs.period_result r
     WHERE r.person_id = NEW.person_id AND r.period = NEW.period;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'person % has no result for the period of % to complain about', NEW.person_id, NEW.period
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
  END IF;
  IF NEW.filed_on < v_after THEN
    RAISE EXCEPTION 'complaint filed on % is dated before what it complains about (%)', NEW.filed_on, v_after
      USING ERRCODE = 'check_violation', CONSTRAINT = 'complaint_after_its_subject',
            HINT = 'Art. 22: a complaint follows the notified result or decision.';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER complaint_after_its_subject BEFORE INSERT OR UPDATE OF filed_on, decision_id, period ON cqs.complaint
  FOR EACH ROW EXECUTE FUNCTION cqs._check_complaint();

-- Bonus regulation of an organisation (Art. 23, 26.1.e; Huế plan item II.9):
-- a coefficient per grade, optionally weighted by the score.
CREATE TABLE cqs.bonus_regulation (
  organisation_id  bigint NOT NULL,  -- -> cqs.organisation
  grade            cqs.grade NOT NULL,
  coefficient      numeric NOT NULL CONSTRAINT bonus_regulation_coefficient_nonnegative CHECK (coefficient >= 0),
  weight_by_score  boolean NOT NULL DEFAULT false,
  PRIMARY KEY (organisation_id, grade)
);
COMMENT ON TABLE cqs.bonus_regulation IS
  'Art. 23, 26.1.e: an organisation''s own regulation for income supplements and bonuses: a coefficient per grade, optionally weighted by score';

-- Locks (Art. 16-17, 21.3): a period of an organisation and its sub-units closed for
-- evaluation.  A lock is a record: who locked, when and why; reopening is recorded
-- on the same row (once), never by deleting it.
CREATE TABLE cqs.period_lock (
  lock_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organisation_id  bigint NOT NULL,  -- -> cqs.organisation
  period           date NOT NULL
                   CONSTRAINT period_lock_period_is_month CHECK (date_part('day', period) = 1 AND cqs._sane_day(period)),
  period_kind      text NOT NULL CONSTRAINT period_lock_kind_valid CHECK (period_kind IN ('month', 'quarter')),
  people           integer NOT NULL,
  unassessed       integer NOT NULL DEFAULT 0,     -- people locked without an assessment
  reason           text,
  locked_at        timestamptz NOT NULL DEFAULT now(),
  locked_by        text NOT NULL DEFAULT session_user,
  locked_by_person bigint,                        -- the acting person, recorded by cqs.lock_period
  reopened_at      timestamptz,
  reopened_by      text,
  reopened_by_person bigint,
  reopen_reason    text,
  CONSTRAINT period_lock_reopen_complete
    CHECK ((reopened_at IS NULL) = (reopened_by IS NULL) AND (reopened_at IS NULL) = (reopen_reason IS NULL)),
  CONSTRAINT period_lock_reopen_reason CHECK (reopen_reason IS NULL OR length(btrim(reopen_reason)) > 0)
);
CREATE UNIQUE INDEX period_lock_active_key ON cqs.period_lock (organisation_id, period) WHERE reopened_at IS NULL;
COMMENT ON TABLE cqs.period_lock IS
  'Art. 16-17, 21.3: a locked (closed) evaluation period of an organisation and its sub-units: who locked it, when, why, and its reopening with who, when and why';

-- The results as they were notified when the period was locked: records, never
-- recomputed.  cqs.period_result mirrors the active ones.
CREATE TABLE cqs.locked_result (
  lock_id          bigint NOT NULL,  -- -> cqs.period_lock
  person_id        bigint NOT NULL,  -- -> cqs.person
  period           date NOT NULL,            -- first day of the month or quarter
  period_kind      text NOT NULL,
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
  base_total       numeric,                  -- the total with d = 100 (what leaders' d reads, Art. 15.3)
  grade            cqs.grade,
  note             text,
  lateness_mode    text,                     -- the policies it was computed under (DOMAIN.md section 3-4)
  cap_mode         text,
  decimals         integer,
  criteria_set_id  bigint,
  computed_version text NOT NULL,            -- the extension version that computed it
  computed_at      timestamptz NOT NULL,
  PRIMARY KEY (lock_id, person_id, period)
);
CREATE INDEX locked_result_person_idx ON cqs.locked_result (person_id, period);
COMMENT ON TABLE cqs.locked_result IS
  'Art. 16-17, 21: every result of a locked period exactly as notified (ratios, leader terms, scores, total, grade, the policies and extension version it was computed under); append-only';

-- Lock records are append-only: locked results never change; a lock row changes
-- once, when it is reopened.  (TRUNCATE is refused too.)
CREATE FUNCTION cqs._lock_records_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_TABLE_NAME = 'period_lock' AND TG_OP = 'UPDATE' THEN
    IF OLD.reopened_at IS NULL AND NEW.reopened_at IS NOT NULL
       AND (NEW.lock_id, NEW.organisation_id, NEW.period, NEW.period_kind, NEW.people, NEW.unassessed, NEW.reason,
            NEW.locked_at, NEW.locked_by, NEW.locked_by_person)
           IS NOT DISTINCT FROM (OLD.lock_id, OLD.organisation_id, OLD.period, OLD.period_kind, OLD.people,
            OLD.unassessed, OLD.reason, OLD.locked_at, OLD.locked_by, OLD.locked_by_person) THEN
      RETURN NEW;                     -- the one change a lock record takes: its reopening
    END IF;
  END IF;
  RAISE EXCEPTION '% on cqs.% refused: lock records are kept as they were written', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'object_not_in_prerequisite_state',
          HINT = 'A lock is reopened with cqs.reopen_period(), which keeps the record (Art. 21.3).';
END $$;
CREATE TRIGGER period_lock_append_only BEFORE UPDATE OR DELETE ON cqs.period_lock
  FOR EACH ROW EXECUTE FUNCTION cqs._lock_records_append_only();
CREATE TRIGGER period_lock_no_truncate BEFORE TRUNCATE ON cqs.period_lock
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._lock_records_append_only();
CREATE TRIGGER locked_result_append_only BEFORE UPDATE OR DELETE ON cqs.locked_result
  FOR EACH ROW EXECUTE FUNCTION cqs._lock_records_append_only();
CREATE TRIGGER locked_result_no_truncate BEFORE TRUNCATE ON cqs.locked_result
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._lock_records_append_only();

-- A city that starts mid-year (DOMAIN.md section 4): monthly totals of its previous
-- system, imported as records.  They count in the year like confirmed months (Art. 17.3);
-- months before the managing agency's evaluation_start are outside the year otherwise.
CREATE TABLE cqs.imported_total (
  person_id        bigint NOT NULL,  -- -> cqs.person
  period           date NOT NULL CONSTRAINT imported_total_period_is_month
                   CHECK (date_part('day', period) = 1 AND cqs._sane_day(period)),
  organisation_id  bigint NOT NULL,  -- -> cqs.organisation; where the person was evaluated then
  total            numeric NOT NULL CONSTRAINT imported_total_range CHECK (total BETWEEN 0 AND 100),
  source           text NOT NULL,    -- the previous system
  reference        text NOT NULL,    -- the document it was notified by
  PRIMARY KEY (person_id, period)
);
COMMENT ON TABLE cqs.imported_total IS
  'DOMAIN.md section 4: monthly totals notified by a previous system before this one started, counted in the year as confirmed months';

-- Who acts (issue: access control).  A login acts as one person; a person may have
-- several logins.  Rights come from postings (Art. 10: heads evaluate their units) and
-- from mandates: the personnel section of an agency, a grading authority, an analyst.
CREATE TABLE cqs.person_login (
  login      text PRIMARY KEY,            -- a database role name (rolname)
  person_id  bigint NOT NULL,             -- -> cqs.person
  linked_at  timestamptz NOT NULL DEFAULT now(),
  linked_by  text NOT NULL DEFAULT session_user
);
CREATE INDEX person_login_person_idx ON cqs.person_login (person_id);
COMMENT ON TABLE cqs.person_login IS
  'The database logins that act as a person (tài khoản đăng nhập của công chức); a portal acts for a person with cqs.act_as()';

CREATE TABLE cqs.mandate (
  mandate_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind             text NOT NULL CONSTRAINT mandate_kind_valid
                   CHECK (kind IN ('personnel', 'authority', 'analyst')),
  organisation_id  bigint NOT NULL,        -- -> cqs.organisation; the mandate covers its subtree
  person_id        bigint,                 -- -> cqs.person; held by a person (through any login or a portal)
  login            text,                   -- or by a login (analysts, service accounts)
  identified       boolean NOT NULL DEFAULT false,  -- analysts: may see who (personnel id, name)
  valid_from       date NOT NULL DEFAULT current_date,
  valid_to         date,
  reference        text NOT NULL,          -- the decision or assignment (quyết định phân công)
  granted_at       timestamptz NOT NULL DEFAULT now(),
  granted_by       text NOT NULL DEFAULT session_user,
  CONSTRAINT mandate_one_holder CHECK ((person_id IS NULL) <> (login IS NULL)),
  CONSTRAINT mandate_dates CHECK (valid_to IS NULL OR valid_to >= valid_from),
  CONSTRAINT mandate_dates_sane CHECK (cqs._sane_day(valid_from) AND cqs._sane_day(valid_to)),
  CONSTRAINT mandate_identified_analysts CHECK (kind = 'analyst' OR NOT identified)
);
CREATE INDEX mandate_person_idx ON cqs.mandate (person_id);
CREATE INDEX mandate_login_idx ON cqs.mandate (login);
COMMENT ON TABLE cqs.mandate IS
  'Who may act on an organisation''s subtree beyond their own postings: its personnel section (bộ phận tổ chức cán bộ), its grading authority (cấp có thẩm quyền đánh giá, xếp loại, Art. 10, 21), an analyst (identified or not)';

-- Art. 10: an agency may let deputies confirm the staff of the field they are assigned.
CREATE TABLE cqs.delegation (
  delegation_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organisation_id  bigint NOT NULL,        -- -> cqs.organisation; the agency (its subtree)
  valid_from       date NOT NULL,
  valid_to         date,
  reference        text NOT NULL,
  CONSTRAINT delegation_dates CHECK (valid_to IS NULL OR valid_to >= valid_from),
  CONSTRAINT delegation_dates_sane CHECK (cqs._sane_day(valid_from) AND cqs._sane_day(valid_to))
);
COMMENT ON TABLE cqs.delegation IS
  'Art. 10: an agency''s decision that deputies confirm the staff of their assigned field (phân công cấp phó đánh giá theo lĩnh vực)';

-- The audit trail (Art. 24; HB ch. VIII): every change to a record, append-only.
CREATE TABLE cqs.audit_log (
  audit_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at             timestamptz NOT NULL DEFAULT clock_timestamp(),
  xact_id        xid8 NOT NULL DEFAULT pg_current_xact_id(),
  login          text NOT NULL,            -- the database login (or role set) that acted
  acting_person  bigint,                   -- the person it acted as (a direct login or a portal's cqs.act_as)
  table_name     text NOT NULL,
  operation      text NOT NULL CONSTRAINT audit_log_operation_valid CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')),
  row_key        jsonb NOT NULL,
  person_id      bigint,                   -- whose record it is, where the record names a person
  period         date,                     -- the record's period, where it has one
  old_values     jsonb,                    -- UPDATE: only the columns that changed
  new_values     jsonb,
  reason         text                      -- the reason the acting function was given
);
CREATE INDEX audit_log_person_idx ON cqs.audit_log (person_id, period);
CREATE INDEX audit_log_at_idx ON cqs.audit_log (at);
COMMENT ON TABLE cqs.audit_log IS
  'Art. 24, HB ch. VIII: every change to a record: when, login, acting person, table, key, operation, old and new values, reason; append-only';

-- ---------------------------------------------------------------------------
-- References between records.  They are held by statement triggers rather than
-- FOREIGN KEY constraints for one reason: pg_restore -j loads the tables of an
-- extension in any order, and a foreign key cannot stand aside while it does, so a
-- parallel restore would lose every child table loaded before its parent.  The
-- triggers hold the same rule the same way -- the child locks the parents it names FOR
-- KEY SHARE, so a parent deleted concurrently cannot leave it dangling; a parent's
-- delete checks its children after its own rows are locked; 23503 either way -- and
-- stand aside only while a superuser's COPY restores records (cqs._loading_records()).
-- ---------------------------------------------------------------------------

-- Child side: every parent named by the new rows exists, and stays until commit.
-- TG_ARGV: the child column, the parent table, the parent key.
CREATE FUNCTION cqs._references_exist() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_missing bigint;
BEGIN
  IF cqs._loading_records() THEN
    RETURN NULL;
  END IF;
  EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM cqs.%2$I p WHERE p.%3$I IN (SELECT n.%1$I FROM new_rows n) '
                 'FOR KEY SHARE OF p) s', TG_ARGV[0], TG_ARGV[1], TG_ARGV[2]);
  EXECUTE format('SELECT n.%1$I FROM new_rows n WHERE n.%1$I IS NOT NULL '
                 'AND NOT EXISTS (SELECT 1 FROM cqs.%2$I p WHERE p.%3$I = n.%1$I) LIMIT 1',
                 TG_ARGV[0], TG_ARGV[1], TG_ARGV[2]) INTO v_missing;
  IF v_missing IS NOT NULL THEN
    RAISE EXCEPTION 'insert or update on table "%" violates reference "%"', TG_TABLE_NAME, TG_NAME
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = TG_NAME,
            DETAIL = format('Key (%s)=(%s) is not present in table "%s".', TG_ARGV[0], v_missing, TG_ARGV[1]);
  END IF;
  RETURN NULL;
END $$;

-- Parent side: after rows are deleted (or their key changed), no child still names
-- them; children marked cascade go with a deleted parent; a truncated parent leaves
-- no child behind (truncate both in one statement).  TG_ARGV: the parent key, then
-- per child 'table.column.restrict' or 'table.column.cascade'.
CREATE FUNCTION cqs._references_kept() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_child   text[];
  v_gone    bigint[];
  v_found   bigint;
BEGIN
  IF TG_OP = 'TRUNCATE' THEN          -- after every table of the statement is emptied
    FOR i IN 1 .. TG_NARGS - 1 LOOP
      v_child := string_to_array(TG_ARGV[i], '.');
      EXECUTE format('SELECT c.%2$I FROM cqs.%1$I c LIMIT 1', v_child[1], v_child[2]) INTO v_found;
      IF v_found IS NOT NULL THEN
        RAISE EXCEPTION 'cannot truncate table "%": table "%" still names its rows', TG_TABLE_NAME, v_child[1]
          USING ERRCODE = 'foreign_key_violation', CONSTRAINT = format('%s_%s_ref', v_child[1], v_child[2]),
                HINT = 'Truncate the referencing tables in the same statement.';
      END IF;
    END LOOP;
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    EXECUTE format('SELECT array_agg(o.%1$I) FROM old_rows o', TG_ARGV[0]) INTO v_gone;
  ELSE
    EXECUTE format('SELECT array_agg(o.%1$I) FROM old_rows o WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.%1$I = o.%1$I)',
                   TG_ARGV[0]) INTO v_gone;
  END IF;
  IF v_gone IS NULL THEN
    RETURN NULL;
  END IF;
  FOR i IN 1 .. TG_NARGS - 1 LOOP
    v_child := string_to_array(TG_ARGV[i], '.');
    IF v_child[3] = 'cascade' AND TG_OP = 'DELETE' THEN
      EXECUTE format('DELETE FROM cqs.%1$I c WHERE c.%2$I = ANY ($1)', v_child[1], v_child[2]) USING v_gone;
    ELSE
      EXECUTE format('SELECT c.%2$I FROM cqs.%1$I c WHERE c.%2$I = ANY ($1) LIMIT 1', v_child[1], v_child[2])
        INTO v_found USING v_gone;
      IF v_found IS NOT NULL THEN
        RAISE EXCEPTION '% on table "%" violates reference "%_%_ref" from table "%"', TG_OP, TG_TABLE_NAME,
                        v_child[1], v_child[2], v_child[1]
          USING ERRCODE = 'foreign_key_violation', CONSTRAINT = format('%s_%s_ref', v_child[1], v_child[2]),
                DETAIL = format('Key (%s)=(%s) is still referenced from table "%s".', TG_ARGV[0], v_found, v_child[1]);
      END IF;
    END IF;
  END LOOP;
  RETURN NULL;
END $$;

-- Every reference: child table, child column, parent table, what a parent's delete does.
DO $$
DECLARE
  r     record;
  v_key text;
BEGIN
  FOR r IN
    SELECT v.child, v.col, v.parent, v.action,
           CASE v.parent WHEN 'catalogue_item' THEN 'item_id' WHEN 'grade_decision' THEN 'decision_id'
                         WHEN 'period_lock' THEN 'lock_id' ELSE v.parent || '_id' END AS parent_key,
           string_agg(format('%L', v.child || '.' || v.col || '.' || v.action), ', ')
             OVER (PARTITION BY v.parent) AS children,
           row_number() OVER (PARTITION BY v.parent) AS nth
      FROM (VALUES
             ('criteria_item', 'criteria_set_id', 'criteria_set', 'cascade'),
             ('organisation', 'parent_id', 'organisation', 'restrict'),
             ('organisation', 'criteria_set_id', 'criteria_set', 'restrict'),
             ('posting', 'person_id', 'person', 'restrict'),
             ('posting', 'organisation_id', 'organisation', 'restrict'),
             ('catalogue', 'organisation_id', 'organisation', 'restrict'),
             ('catalogue_item', 'catalogue_id', 'catalogue', 'cascade'),
             ('task_line', 'person_id', 'person', 'restrict'),
             ('task_line', 'organisation_id', 'organisation', 'restrict'),
             ('task_line', 'item_id', 'catalogue_item', 'restrict'),
             ('task_line', 'similar_item_id', 'catalogue_item', 'restrict'),
             ('task_deduction', 'task_line_id', 'task_line', 'cascade'),
             ('assessment', 'person_id', 'person', 'restrict'),
             ('assessment', 'organisation_id', 'organisation', 'restrict'),
             ('assessment', 'criteria_set_id', 'criteria_set', 'restrict'),
             ('assessment', 'evaluator_id', 'person', 'restrict'),
             ('organisation_year', 'organisation_id', 'organisation', 'restrict'),
             ('quota_decision', 'organisation_id', 'organisation', 'restrict'),
             ('leave_record', 'person_id', 'person', 'restrict'),
             ('discipline', 'person_id', 'person', 'restrict'),
             ('discipline', 'act_organisation_id', 'organisation', 'restrict'),
             ('year_override', 'person_id', 'person', 'restrict'),
             ('year_grading', 'person_id', 'person', 'restrict'),
             ('quota_choice', 'person_id', 'person', 'restrict'),
             ('grade_decision', 'person_id', 'person', 'restrict'),
             ('grade_decision', 'organisation_id', 'organisation', 'restrict'),
             ('grade_decision', 'supersedes', 'grade_decision', 'restrict'),
             ('complaint', 'person_id', 'person', 'restrict'),
             ('complaint', 'decision_id', 'grade_decision', 'restrict'),
             ('bonus_regulation', 'organisation_id', 'organisation', 'restrict'),
             ('period_lock', 'organisation_id', 'organisation', 'restrict'),
             ('locked_result', 'lock_id', 'period_lock', 'restrict'),
             ('locked_result', 'person_id', 'person', 'restrict'),
             ('person_login', 'person_id', 'person', 'cascade'),
             ('imported_total', 'person_id', 'person', 'restrict'),
             ('imported_total', 'organisation_id', 'organisation', 'restrict'),
             ('mandate', 'person_id', 'person', 'restrict'),
             ('mandate', 'organisation_id', 'organisation', 'restrict'),
             ('delegation', 'organisation_id', 'organisation', 'restrict')
           ) AS v(child, col, parent, action)
  LOOP
    EXECUTE format('CREATE TRIGGER %1$I AFTER INSERT ON cqs.%2$I REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION cqs._references_exist(%3$L, %4$L, %5$L)',
                   r.child || '_' || r.col || '_ref_ins', r.child, r.col, r.parent, r.parent_key);
    EXECUTE format('CREATE TRIGGER %1$I AFTER UPDATE ON cqs.%2$I REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION cqs._references_exist(%3$L, %4$L, %5$L)',
                   r.child || '_' || r.col || '_ref_upd', r.child, r.col, r.parent, r.parent_key);
    IF r.nth = 1 THEN
      EXECUTE format('CREATE TRIGGER %1$I AFTER DELETE ON cqs.%2$I REFERENCING OLD TABLE AS old_rows '
                     'FOR EACH STATEMENT EXECUTE FUNCTION cqs._references_kept(%3$L, %4$s)',
                     r.parent || '_refs_del', r.parent, r.parent_key, r.children);
      EXECUTE format('CREATE TRIGGER %1$I AFTER UPDATE ON cqs.%2$I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                     'FOR EACH STATEMENT EXECUTE FUNCTION cqs._references_kept(%3$L, %4$s)',
                     r.parent || '_refs_upd', r.parent, r.parent_key, r.children);
      EXECUTE format('CREATE TRIGGER %1$I AFTER TRUNCATE ON cqs.%2$I '
                     'FOR EACH STATEMENT EXECUTE FUNCTION cqs._references_kept(%3$L, %4$s)',
                     r.parent || '_refs_truncate', r.parent, r.parent_key, r.children);
    END IF;
  END LOOP;
END $$;
