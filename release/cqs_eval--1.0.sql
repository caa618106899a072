-- cqs_eval -- layer 1: types, C wrappers and the task_ratios aggregate.
-- Decree 335/2025/ND-CP; article numbers ("Art.") are the decree's, "HB" the
-- Ministry of Home Affairs handbook (2026).  The install script is organised by
-- responsibility: types (00) -> records (10) -> derived tables (20) -> computation
-- (30) -> maintenance: queue and the one writer (40) -> workflow (50) -> public API
-- (60) -> import/export (70) -> dump registration and privileges (90).

\echo Use "CREATE EXTENSION cqs_eval" to load this file. \quit

-- CREATE EXTENSION runs this script with search_path = cqs, public (btree_gist lives in
-- public), and everything bound while it runs -- SQL-standard bodies, views, policies,
-- constraints, defaults -- would bind to a more specific function or operator someone
-- planted in public.  Resolve against pg_catalog and cqs only.  LOCAL: CREATE EXTENSION
-- restores its own search_path when the script ends, and a plain SET would outlive it
-- in the caller's session.  Every later update script starts with the same line.
SET LOCAL search_path = pg_catalog, cqs, pg_temp;

-- UTF8 only: the grade labels, names and documents are Vietnamese.  Checked first, before
-- anything is created (the control file declares no encoding, so that this check, and not
-- a conversion error, is what someone installing into LATIN1 or WIN1258 reads).
DO $$
BEGIN
  IF pg_catalog.getdatabaseencoding() OPERATOR(pg_catalog.<>) 'UTF8' THEN
    RAISE EXCEPTION 'cqs_eval needs a UTF8 database; database "%" is %',
                    pg_catalog.current_database(), pg_catalog.getdatabaseencoding()
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Create the city''s database with ENCODING ''UTF8'' (CREATE DATABASE hue TEMPLATE template0 '
                   'ENCODING ''UTF8'' LOCALE ''C.UTF-8''), or pg_dump this one and restore it into such a database.';
  END IF;
END
$$;

-- The library and the SQL must be of one version: the library compiled for version X
-- refuses (55000, with the statement that fixes it) to serve SQL of another version.
-- Checked here, at CREATE EXTENSION / ALTER EXTENSION UPDATE, and by cqs._check_version()
-- at the start of the jobs and the writers of whole periods (rebuild, process_queue,
-- lock_period, grade_year, run_job); a backend remembers a version it found right.
CREATE FUNCTION cqs._library_version() RETURNS text
AS 'MODULE_PATHNAME', 'cqs_library_version'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs._library_version() IS
  'The version of cqs_eval the loaded shared library was built as';

CREATE FUNCTION cqs._check_library(installed_version text) RETURNS void
AS 'MODULE_PATHNAME', 'cqs_check_library'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs._check_library(text) IS
  'Raises 55000 unless the loaded library is the given SQL version and the database is UTF8';

CREATE FUNCTION cqs._check_version() RETURNS void
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT cqs._check_library(e.extversion) FROM pg_catalog.pg_extension e WHERE e.extname = 'cqs_eval'
$$;
COMMENT ON FUNCTION cqs._check_version() IS
  'Raises 55000 unless the loaded library matches the version of cqs_eval installed in this database';

SELECT cqs._check_version();

CREATE FUNCTION cqs.version() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT 'cqs_eval ' || e.extversion || ' (library ' || cqs._library_version() || ')'
    FROM pg_catalog.pg_extension e WHERE e.extname = 'cqs_eval'
$$;
COMMENT ON FUNCTION cqs.version() IS
  'The version of cqs_eval installed in this database and of its loaded library, e.g. cqs_eval 1.0 (library 1.0); Decree 335/2025/ND-CP (Art. 1)';

-- Art. 20: the four grades, ordered from worst to best so that min()/max()
-- and comparisons follow the decree.
CREATE TYPE cqs.grade AS ENUM ('khong_hoan_thanh', 'hoan_thanh', 'tot', 'xuat_sac');
COMMENT ON TYPE cqs.grade IS
  'Art. 20 grade (xếp loại chất lượng): khong_hoan_thanh < hoan_thanh < tot < xuat_sac';

-- Art. 14, 18.1.d: the three ratios of a period and the converted units behind them.
CREATE TYPE cqs.ratios AS (
  assigned_units  numeric,  -- G: sum(assigned x coefficient) over originally assigned lines
  completed_units numeric,  -- sum(completed x coefficient) over all lines
  quality_units   numeric,  -- sum(completed x coefficient x f(failed quality reviews))
  progress_units  numeric,  -- sum(completed x coefficient x f(lateness deductions))
  a               numeric,  -- quantity ratio (số lượng), percent; NULL when G = 0
  b               numeric,  -- quality ratio (chất lượng), percent; NULL when G = 0
  c               numeric   -- progress ratio (tiến độ), percent; NULL when G = 0
);
COMMENT ON TYPE cqs.ratios IS
  'Art. 14, 18.1.d: converted units of a period and the ratios a (quantity), b (quality), c (progress) in percent';

CREATE FUNCTION cqs.grade_label(grade cqs.grade, lang text DEFAULT 'vi')
RETURNS text
AS 'MODULE_PATHNAME', 'grade_label'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs.grade_label(cqs.grade, text) IS
  'Art. 20: official Vietnamese name of a grade (lang ''vi''), or its English name (''en'')';

CREATE FUNCTION cqs.coefficient(item_points numeric, standard_points numeric)
RETURNS numeric
AS 'MODULE_PATHNAME', 'coefficient'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs.coefficient(numeric, numeric) IS
  'Art. 13, HB ch. II: conversion coefficient (hệ số quy đổi) = item points / standard-unit points';

CREATE FUNCTION cqs.converted(quantity numeric, coefficient numeric)
RETURNS numeric
AS 'MODULE_PATHNAME', 'converted'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs.converted(numeric, numeric) IS
  'HB ch. II: converted quantity (số lượng quy đổi) = quantity x coefficient, in standard units';

CREATE FUNCTION cqs.deduction_factor(deductions integer)
RETURNS numeric
AS 'MODULE_PATHNAME', 'deduction_factor'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs.deduction_factor(integer) IS
  'Art. 14.2.b-c: share of a line''s credit kept after n deductions, max(0, 1 - 0.25 n), two decimals';

-- The aggregates' state as a real type (Art. 14, 18.1.d): four exact sums of converted
-- units and a row count, so that partial states can cross a network.  A distributed planner
-- (Citus) combines a custom aggregate across shards by shipping its state through the state
-- type's output and input functions and refuses pseudo-type (internal) states; see
-- docs/distributed.md.  Text form (rows,assigned,completed,quality,progress), canonical.
CREATE TYPE cqs.task_ratios_state;

CREATE FUNCTION cqs._task_ratios_state_in(cstring) RETURNS cqs.task_ratios_state
AS 'MODULE_PATHNAME', 'task_ratios_state_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION cqs._task_ratios_state_out(cqs.task_ratios_state) RETURNS cstring
AS 'MODULE_PATHNAME', 'task_ratios_state_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION cqs._task_ratios_state_recv(internal) RETURNS cqs.task_ratios_state
AS 'MODULE_PATHNAME', 'task_ratios_state_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION cqs._task_ratios_state_send(cqs.task_ratios_state) RETURNS bytea
AS 'MODULE_PATHNAME', 'task_ratios_state_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE cqs.task_ratios_state (
  INPUT          = cqs._task_ratios_state_in,
  OUTPUT         = cqs._task_ratios_state_out,
  RECEIVE        = cqs._task_ratios_state_recv,
  SEND           = cqs._task_ratios_state_send,
  INTERNALLENGTH = VARIABLE,
  ALIGNMENT      = double,
  STORAGE        = plain
);
COMMENT ON TYPE cqs.task_ratios_state IS
  'Art. 14, 18.1.d: partial state of cqs.task_ratios / cqs.task_ratios_by_quantity: (rows,assigned,completed,quality,progress) converted units, exact';

CREATE FUNCTION cqs._task_ratios_state_trans(cqs.task_ratios_state, numeric, numeric, numeric, integer, integer, boolean)
RETURNS cqs.task_ratios_state
AS 'MODULE_PATHNAME', 'task_ratios_state_transfn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION cqs._task_ratios_state_hits_trans(cqs.task_ratios_state, numeric, numeric, numeric, numeric, numeric, boolean)
RETURNS cqs.task_ratios_state
AS 'MODULE_PATHNAME', 'task_ratios_state_hits_transfn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION cqs.task_ratios_combine(a cqs.task_ratios_state, b cqs.task_ratios_state)
RETURNS cqs.task_ratios_state
AS 'MODULE_PATHNAME', 'task_ratios_state_combinefn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs.task_ratios_combine(cqs.task_ratios_state, cqs.task_ratios_state) IS
  'Art. 14, 18.1.d: two partial task_ratios states added exactly (the combine step of a parallel or distributed aggregate)';

CREATE FUNCTION cqs.task_ratios_final(state cqs.task_ratios_state)
RETURNS cqs.ratios
AS 'MODULE_PATHNAME', 'task_ratios_state_finalfn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs.task_ratios_final(cqs.task_ratios_state) IS
  'Art. 14, 18.1.d: converted units and the ratios a, b, c from a task_ratios state (NULL ratios when G = 0)';

CREATE AGGREGATE cqs.task_ratios(
  assigned_qty numeric, completed_qty numeric, coefficient numeric,
  quality_deductions integer, lateness_deductions integer, counts_in_assigned boolean)
(
  SFUNC        = cqs._task_ratios_state_trans,
  STYPE        = cqs.task_ratios_state,
  SSPACE       = 112,
  FINALFUNC    = cqs.task_ratios_final,
  COMBINEFUNC  = cqs.task_ratios_combine,
  PARALLEL     = SAFE
);
COMMENT ON AGGREGATE cqs.task_ratios(numeric, numeric, numeric, integer, integer, boolean) IS
  'Art. 14, 18.1.d: converted units and the ratios a, b, c of a group of task lines; exact NUMERIC results';

-- The same ratios when a failure or delay concerns only part of a line (DOMAIN §3):
-- quality_hit_qty / lateness_hit_qty = the sum, over the counted failures (delays), of
-- the quantity each concerns; a line keeps coef * max(0, completed - 0.25 * hits).
CREATE AGGREGATE cqs.task_ratios_by_quantity(
  assigned_qty numeric, completed_qty numeric, coefficient numeric,
  quality_hit_qty numeric, lateness_hit_qty numeric, counts_in_assigned boolean)
(
  SFUNC        = cqs._task_ratios_state_hits_trans,
  STYPE        = cqs.task_ratios_state,
  SSPACE       = 112,
  FINALFUNC    = cqs.task_ratios_final,
  COMBINEFUNC  = cqs.task_ratios_combine,
  PARALLEL     = SAFE
);
COMMENT ON AGGREGATE cqs.task_ratios_by_quantity(numeric, numeric, numeric, numeric, numeric, boolean) IS
  'Art. 14.2.b-c, 18.1.d: the ratios a, b, c when each failed review or delay takes 25% of the credit of the products it concerns; hit quantities = sum of the quantity each counted failure (delay) concerns; exact NUMERIC results';

CREATE FUNCTION cqs.task_score(a numeric, b numeric, c numeric, cap text DEFAULT 'total')
RETURNS numeric
AS 'MODULE_PATHNAME', 'task_score'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs.task_score(numeric, numeric, numeric, text) IS
  'Art. 16.1, 12.3: task-result score KQ = (a + b + c) / 3 in percent, capped at 100 (cap ''total'') or each ratio capped (''each'')';

CREATE FUNCTION cqs.leader_task_score(a numeric, b numeric, c numeric,
                                      d numeric, dd numeric, e numeric,
                                      cap text DEFAULT 'total')
RETURNS numeric
AS 'MODULE_PATHNAME', 'leader_task_score'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs.leader_task_score(numeric, numeric, numeric, numeric, numeric, numeric, text) IS
  'Art. 15.3, 16.2: leader''s task score (a + b + c + d + đ + e) / 6; d, đ, e are 100 or 50';

CREATE FUNCTION cqs.period_total(general numeric, task_score numeric, decimals integer DEFAULT 2)
RETURNS numeric
AS 'MODULE_PATHNAME', 'period_total'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs.period_total(numeric, numeric, integer) IS
  'Art. 17.1: period total = general criteria + task score x 70%, rounded half-up to the given decimals';

CREATE FUNCTION cqs.classify(total numeric, disqualified boolean DEFAULT false)
RETURNS cqs.grade
AS 'MODULE_PATHNAME', 'classify'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs.classify(numeric, boolean) IS
  'Art. 20: grade of a total (>= 90 xuat_sac, >= 70 tot, >= 50 hoan_thanh); disqualified (Art. 20.4) forces khong_hoan_thanh';

CREATE FUNCTION cqs.excellent_quota(good integer, candidates integer,
                                    rate numeric DEFAULT 0.20, base text DEFAULT 'good')
RETURNS integer
AS 'MODULE_PATHNAME', 'excellent_quota'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs.excellent_quota(integer, integer, numeric, text) IS
  'Art. 20.5: how many xuat_sac candidates may keep the grade, at most rate (20%, 25% by decision) of those graded tot';

CREATE FUNCTION cqs.support_staff_score(quality numeric, compliance numeric, efficiency numeric)
RETURNS numeric
AS 'MODULE_PATHNAME', 'support_staff_score'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs.support_staff_score(numeric, numeric, numeric) IS
  'HB ch. III: support staff score = (work quality % + compliance % + efficiency %) / 3';

-- Small pure helpers with SQL-standard bodies: resolved when created (so a function
-- planted in another schema can never stand in for what they call) and inlinable.

-- Sum of an array of scores (Form 01 sub-items, Art. 6-7 criteria).
CREATE FUNCTION cqs._array_sum(numeric[]) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (SELECT pg_catalog.sum(x) FROM pg_catalog.unnest($1) AS x);

-- Art. 12: first day of the monthly or quarterly evaluation period holding a day.
-- date_trunc over timestamp (not timestamptz) keeps it IMMUTABLE, as labelled.
CREATE FUNCTION cqs.period_start(month date, cadence text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN pg_catalog.date_trunc(CASE WHEN cadence = 'quarterly' THEN 'quarter' ELSE 'month' END,
                             month::timestamp without time zone)::date;
COMMENT ON FUNCTION cqs.period_start(date, text) IS
  'Art. 12: first day of the monthly or quarterly evaluation period holding a day';

-- Art. 12: the day after the evaluation period that starts on a day.  A quarter ends
-- with its calendar quarter even when a person's starts later in it (a move from a
-- monthly organisation within the quarter, cqs.period_key).
CREATE FUNCTION cqs.period_end(period date, period_kind text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN period_kind = 'quarter'
            THEN (pg_catalog.date_trunc('quarter', period::timestamp without time zone) + interval '3 months')::date
            ELSE (period + interval '1 month')::date END;
COMMENT ON FUNCTION cqs.period_end(date, text) IS
  'Art. 12: the first day after a monthly (''month'') or quarterly (''quarter'') period';

-- Months since January 2000: the month part of the writer's advisory-lock keys.
CREATE FUNCTION cqs._month_index(day date) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN ((pg_catalog.date_part('year', day) - 2000) * 12 + pg_catalog.date_part('month', day) - 1)::integer;

-- Dates a record may carry: real days of the years the decree can govern.  'infinity'
-- and far-off years are refused at entry, so nothing stored can stall a computation.
CREATE FUNCTION cqs._sane_day(day date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN day IS NULL OR (day >= DATE '2000-01-01' AND day <= DATE '2100-12-31');

-- Quantities and coefficients a record may carry: finite, at most 1,000,000 and at
-- most 4 decimals (HB ch. II rounds coefficients to 1 decimal; quantities like 0.8).
CREATE FUNCTION cqs._sane_amount(x numeric) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN x IS NULL OR (x >= 0 AND x <= 1000000 AND pg_catalog.scale(x) <= 4);

-- The installed version of the extension: every computed result records it.
CREATE FUNCTION cqs._extension_version() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
RETURN (SELECT e.extversion FROM pg_catalog.pg_extension e WHERE e.extname = 'cqs_eval');
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
-- Layer 3: derived tables.  Everything here can be rebuilt from the records at
-- any time and has exactly one writer: the extension's own code in 40_maintenance.sql.

-- The organisation tree as every computation reads it: effective policies and the
-- ancestor/descendant pairs (cqs._computed_organisation_policies/_tree), rewritten
-- whenever an organisation changes.
CREATE TABLE cqs.organisation_policy (
  organisation_id  bigint PRIMARY KEY,
  parent_id        bigint,
  kind             text NOT NULL,
  depth            integer NOT NULL,
  using_agency_id  bigint NOT NULL,
  cadence          text NOT NULL,
  lateness_mode    text NOT NULL,
  cap_mode         text NOT NULL,
  decimals         integer NOT NULL,
  criteria_set_id  bigint,
  lateness_policy_ref     text,
  evaluation_start        date,
  self_assessment_due_day integer NOT NULL,
  confirmation_due_day    integer NOT NULL
);
CREATE TABLE cqs.organisation_closure (
  ancestor_id    bigint NOT NULL,
  descendant_id  bigint NOT NULL,
  distance       integer NOT NULL,
  PRIMARY KEY (ancestor_id, descendant_id)
);
CREATE INDEX organisation_closure_descendant_idx ON cqs.organisation_closure (descendant_id, ancestor_id);

-- Period results (Art. 14-17): the current result of every person and period --
-- computed from the records while the period is open, a verbatim copy of the
-- locked_result while it is locked.  Not dumped: cqs.rebuild() recreates it exactly.
-- No foreign keys: the records it comes from carry them.
CREATE TABLE cqs.period_result (LIKE cqs.locked_result INCLUDING DEFAULTS);
ALTER TABLE cqs.period_result
  ALTER COLUMN lock_id DROP NOT NULL,                    -- set while it mirrors a locked result
  ALTER COLUMN computed_version SET DEFAULT cqs._extension_version(),
  ALTER COLUMN computed_at SET DEFAULT now(),
  ADD PRIMARY KEY (person_id, period),
  ADD CONSTRAINT period_result_kind_valid CHECK (period_kind IN ('month', 'quarter'));
CREATE INDEX period_result_period_org_idx ON cqs.period_result (period, organisation_id);
-- Portals: a page of one organisation's period in person order (keyset paging).
CREATE INDEX period_result_org_idx ON cqs.period_result (organisation_id, period, person_id);
-- Leaders' d (Art. 15.3) asks "does anyone they manage score under 50?": few rows.
CREATE INDEX period_result_low_idx ON cqs.period_result (period, organisation_id)
  WHERE base_total < 50 AND person_kind = 'civil_servant';
CREATE INDEX period_result_leaders_idx ON cqs.period_result (period, organisation_id) WHERE role <> 'staff';
COMMENT ON TABLE cqs.period_result IS
  'Art. 14-17: a person''s current result for a month or quarter (ratios a, b, c; leader terms d, đ, e; task score; general score; total; grade; the policies and version it was computed under); derived, written only by the extension, a copy of the locked result once locked';

-- What needs recomputing (async mode): the people and months whose records changed.
-- Durable and WAL-logged, drained in batches by cqs.process_queue().
CREATE TABLE cqs.refresh_queue (
  person_id    bigint NOT NULL,
  month        date NOT NULL,
  enqueued_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (person_id, month)
);
COMMENT ON TABLE cqs.refresh_queue IS
  'People and months whose records changed and whose results are not recomputed yet (refresh mode async); drained by cqs.process_queue()';

-- Whole months whose results are stale (refresh mode off, or records restored):
-- cqs.rebuild() or cqs.process_queue() recompute them.
CREATE TABLE cqs.stale_month (
  month        date PRIMARY KEY,
  since        timestamptz NOT NULL DEFAULT now(),
  why          text NOT NULL
);
COMMENT ON TABLE cqs.stale_month IS
  'Months whose results are stale as a whole (bulk loads in refresh mode off, restores); cleared by cqs.rebuild()';

-- The computed year of a person: what cqs.grade_year() proposes.
CREATE TABLE cqs.year_result (
  person_id            bigint NOT NULL,
  year                 integer NOT NULL,
  organisation_id      bigint NOT NULL,   -- grading organisation (Art. 19.1)
  using_agency_id      bigint NOT NULL,
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
  computed_at          timestamptz NOT NULL DEFAULT now(),   -- when grade_year last changed it (or cleared stale)
  stale                boolean NOT NULL DEFAULT false,   -- a period result changed since: grade again
  period_totals        jsonb NOT NULL DEFAULT '{}',      -- the period totals it was graded on, by period start
  worked               interval,                         -- Art. 11.1: time worked in the year (postings less leave)
  missing_periods      text[] NOT NULL DEFAULT '{}',     -- Art. 17.2-17.3: periods worked without a confirmed result
  rounding_note        text,                             -- where rounding the mean moved it across a grade boundary
  PRIMARY KEY (person_id, year)
);
CREATE INDEX year_result_year_org_idx ON cqs.year_result (year, using_agency_id, duty_group);
CREATE INDEX year_result_org_idx ON cqs.year_result (organisation_id, year, person_id);
CREATE INDEX year_result_agency_idx ON cqs.year_result (using_agency_id, year);
COMMENT ON TABLE cqs.year_result IS
  'Art. 11, 17.3, 19-20: a person''s computed year: months worked and counted, mean total, grade by score, overrides, quota outcome, head cap and the proposed grade';

-- A result that mirrors an active lock is the record's copy: it changes only when the
-- lock is reopened.  (Only the owner can write this table at all; this guards against
-- mistakes.  TRUNCATE is fine: cqs.rebuild() copies locked results back.)
CREATE FUNCTION cqs._refuse_locked_result() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM cqs.period_lock l WHERE l.lock_id = OLD.lock_id AND l.reopened_at IS NULL) THEN
    RAISE EXCEPTION 'result of person % for period % is locked (lock %)', OLD.person_id, OLD.period, OLD.lock_id
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Locked results are final; cqs.reopen_period() reopens a period, with a reason (Art. 21.3).';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER period_result_locked BEFORE UPDATE OR DELETE ON cqs.period_result
  FOR EACH ROW WHEN (OLD.lock_id IS NOT NULL) EXECUTE FUNCTION cqs._refuse_locked_result();
-- Layer 4: computation -- side-effect-free functions and views, one rule each,
-- composed by the writer (40_maintenance.sql) and the public API (60_api.sql).

-- Effective policies: every organisation with what it inherits (DOMAIN.md sections 3-4).
-- Computed here, kept in cqs.organisation_policy by the writer (organisations change
-- rarely; results read them on every edit).
CREATE FUNCTION cqs._computed_organisation_policies()
RETURNS TABLE (organisation_id bigint, parent_id bigint, kind text, depth integer, using_agency_id bigint,
               cadence text, lateness_mode text, cap_mode text, decimals integer, criteria_set_id bigint,
               lateness_policy_ref text, evaluation_start date, self_assessment_due_day integer,
               confirmation_due_day integer)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  WITH RECURSIVE t AS (
    SELECT o.organisation_id, o.parent_id, o.kind, 0 AS depth,
           o.organisation_id AS using_agency_id,
           coalesce(o.cadence, 'monthly') AS cadence,
           coalesce(o.lateness_mode, 'per_day') AS lateness_mode,
           coalesce(o.cap_mode, 'total') AS cap_mode,
           coalesce(o.decimals, 2) AS decimals,
           coalesce(o.criteria_set_id,
                    (SELECT s.criteria_set_id FROM cqs.criteria_set s WHERE s.code = 'form01')) AS criteria_set_id,
           o.lateness_policy_ref, o.evaluation_start,
           -- the city's plan's days until the agency records its own (DOMAIN.md section 6)
           coalesce(o.self_assessment_due_day, 5) AS self_assessment_due_day,
           coalesce(o.confirmation_due_day, 10) AS confirmation_due_day
      FROM cqs.organisation o
     WHERE o.parent_id IS NULL
    UNION ALL
    SELECT c.organisation_id, c.parent_id, c.kind, t.depth + 1,
           CASE WHEN c.kind = 'unit' THEN t.using_agency_id ELSE c.organisation_id END,
           coalesce(c.cadence, t.cadence), coalesce(c.lateness_mode, t.lateness_mode),
           coalesce(c.cap_mode, t.cap_mode), coalesce(c.decimals, t.decimals),
           coalesce(c.criteria_set_id, t.criteria_set_id),
           coalesce(c.lateness_policy_ref, t.lateness_policy_ref), coalesce(c.evaluation_start, t.evaluation_start),
           coalesce(c.self_assessment_due_day, t.self_assessment_due_day),
           coalesce(c.confirmation_due_day, t.confirmation_due_day)
      FROM cqs.organisation c JOIN t ON c.parent_id = t.organisation_id
  )
  SELECT t.organisation_id, t.parent_id, t.kind, t.depth, t.using_agency_id, t.cadence, t.lateness_mode,
         t.cap_mode, t.decimals, t.criteria_set_id, t.lateness_policy_ref, t.evaluation_start,
         t.self_assessment_due_day, t.confirmation_due_day
    FROM t;
END;

-- Every (ancestor, descendant) pair, the organisation itself included at distance 0.
CREATE FUNCTION cqs._computed_organisation_tree()
RETURNS TABLE (ancestor_id bigint, descendant_id bigint, distance integer)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  WITH RECURSIVE t AS (
    SELECT o.organisation_id AS ancestor_id, o.organisation_id AS descendant_id, 0 AS distance
      FROM cqs.organisation o
    UNION ALL
    SELECT t.ancestor_id, o.organisation_id, t.distance + 1
      FROM t JOIN cqs.organisation o ON o.parent_id = t.descendant_id
  )
  SELECT t.ancestor_id, t.descendant_id, t.distance FROM t;
END;

CREATE VIEW cqs.organisation_policies AS
SELECT organisation_id, parent_id, kind, depth, using_agency_id, cadence, lateness_mode, cap_mode, decimals,
       criteria_set_id, lateness_policy_ref, evaluation_start, self_assessment_due_day, confirmation_due_day
  FROM cqs.organisation_policy;
COMMENT ON VIEW cqs.organisation_policies IS
  'Effective evaluation policies per organisation (cadence, lateness mode, cap mode, decimals, general-criteria set), inherited down the tree';

CREATE VIEW cqs.organisation_tree AS
SELECT ancestor_id, descendant_id, distance FROM cqs.organisation_closure;
COMMENT ON VIEW cqs.organisation_tree IS
  'Every (ancestor, descendant) pair of organisations, the organisation itself included at distance 0';

-- The catalogue version in force for an organisation on a day (Art. 13): its using
-- agency's, or where the using agency has none in force, the one a managing agency
-- above it issued for its subtree (the nearest such).  Another agency's catalogue is
-- never in force for it.
CREATE FUNCTION cqs.catalogue_in_force(organisation_id bigint, on_day date)
RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
RETURN (SELECT c.catalogue_id
          FROM cqs.organisation_policies p
          JOIN cqs.organisation_closure t ON t.descendant_id = p.using_agency_id
          JOIN cqs.catalogue c ON c.organisation_id = t.ancestor_id
         WHERE p.organisation_id = $1 AND c.effective_from <= $2
         ORDER BY t.distance, c.effective_from DESC
         LIMIT 1);
COMMENT ON FUNCTION cqs.catalogue_in_force(bigint, date) IS
  'Art. 13, 13.3, 26.1.c: the catalogue version in force for an organisation on a day: its using agency''s, else the nearest one issued above it for its subtree';

-- Task score of a period, by who the person is (inlined into the refresh queries).
-- Staff: (a+b+c)/3 (Art. 16.1); leaders: (a+b+c+d+dd+e)/6 (Art. 15.3, 16.2); support
-- staff: mean of quality, compliance and efficiency (HB ch. III).
CREATE FUNCTION cqs._period_task_score(person_kind text, role text, a numeric, b numeric, c numeric,
                                       d numeric, dd numeric, e numeric,
                                       sq numeric, sc numeric, se numeric, cap text)
RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN $1 = 'support_staff' THEN cqs.support_staff_score($9, $10, $11)
              WHEN $2 IN ('head', 'deputy') THEN cqs.leader_task_score($3, $4, $5, $6, $7, $8, $12)
              ELSE cqs.task_score($3, $4, $5, $12) END;

CREATE FUNCTION cqs._period_note(person_kind text, assigned_units numeric, general numeric, sq numeric)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN $1 = 'support_staff' AND $4 IS NULL
              THEN 'support-staff criteria not scored yet (HB ch. III)'
                   || CASE WHEN $3 IS NULL THEN '; general criteria not scored yet (Art. 12.1, Form 01)' ELSE '' END
              WHEN $1 <> 'support_staff' AND coalesce($2, 0) = 0
              THEN 'no originally assigned work (G = 0): the task criterion cannot be evaluated (Art. 14, 18.1.d)'
                   || CASE WHEN $3 IS NULL THEN '; general criteria not scored yet (Art. 12.1, Form 01)' ELSE '' END
              WHEN $3 IS NULL THEN 'general criteria not scored yet (Art. 12.1, Form 01)' END;

-- Rounding is not in the decree (DOMAIN.md section 4): where it moved a total across a
-- grade boundary (90, 70, 50), say so, so that the authority sees it.  The exact value is
-- written with its own digits when it has at most four decimals (89.995), else cut (never
-- rounded) at four with an ellipsis (89.9958…): a mean of twelve months has twenty.
CREATE FUNCTION cqs._rounding_note(exact numeric, rounded numeric) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE WHEN cqs.classify(exact) IS DISTINCT FROM cqs.classify(rounded)
            THEN pg_catalog.format('rounding %s to %s moved it from %s to %s',
                                   CASE WHEN pg_catalog.trim_scale(exact) OPERATOR(pg_catalog.=) pg_catalog.trunc(exact, 4)
                                        THEN pg_catalog.trim_scale(exact)::text
                                        ELSE pg_catalog.trunc(exact, 4)::text OPERATOR(pg_catalog.||) '…' END,
                                   rounded, cqs.classify(exact), cqs.classify(rounded)) END;

-- Which discipline counts for which year and organisation (Art. 11.3): the earliest
-- decision for an act counts, once (a.); an act already used in an earlier year does not
-- count again (b.); an act at an organisation the person no longer worked for in the
-- year of the decision counts for that old organisation (c.), so it does not force this
-- year's grade: it is left to the grading authority with the reason, never dropped
-- (cqs.year_results.authority_reasons).  An act at an agency where the person worked
-- during that year, the old one of a move in the year included, counts in it (d.).
CREATE VIEW cqs.discipline_counted AS
SELECT x.discipline_id, x.person_id, x.kind, x.level, x.decision_date, x.decision_ref, x.act_ref,
       x.act_description, x.act_organisation_id, x.public_duty_or_degradation, x.counted_year,
       x.first_for_act AND x.in_year_agency AS counts,
       CASE WHEN x.in_year_agency THEN 'evaluation_year' ELSE 'old_organisation' END AS attributed_to,
       CASE WHEN x.first_for_act AND NOT x.in_year_agency
            THEN pg_catalog.format('Art. 11.3.c: %s discipline %s (%s, %s) for act %s at organisation %s, where the person did not work in %s: it counts for that old organisation''s evaluation, not automatically for this grade; the authority decides',
                                   x.kind, x.level, x.decision_ref, pg_catalog.to_char(x.decision_date, 'YYYY-MM-DD'), x.act_ref, x.act_organisation_id,
                                   x.counted_year) END AS authority_reason
  FROM (SELECT d.*, extract(year FROM d.decision_date)::integer AS counted_year,
               (d.discipline_id = first_value(d.discipline_id) OVER w) AS first_for_act,
               EXISTS (SELECT 1
                         FROM cqs.posting ps
                         JOIN cqs.organisation_policy pp ON pp.organisation_id = ps.organisation_id
                         JOIN cqs.organisation_policy pa ON pa.organisation_id = d.act_organisation_id
                        WHERE ps.person_id = d.person_id AND pp.using_agency_id = pa.using_agency_id
                          AND ps.start_date <= pg_catalog.make_date(extract(year FROM d.decision_date)::integer, 12, 31)
                          AND coalesce(ps.end_date, 'infinity') >= pg_catalog.make_date(extract(year FROM d.decision_date)::integer, 1, 1))
                 AS in_year_agency
          FROM cqs.discipline d
         WHERE d.public_duty_or_degradation
           AND NOT EXISTS (SELECT 1 FROM cqs.year_override o
                            WHERE o.person_id = d.person_id AND o.act_ref = d.act_ref
                              AND o.year < extract(year FROM d.decision_date))
        WINDOW w AS (PARTITION BY d.person_id, d.act_ref ORDER BY d.decision_date, d.discipline_id)) x;

-- The day that is n working days after start (Monday-Friday, not a public holiday).
CREATE FUNCTION cqs.add_working_days(start date, n integer) RETURNS date
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_day  date := start;
  v_left integer := n;
BEGIN
  IF n < 0 OR n > 3660 THEN
    RAISE EXCEPTION 'n must be between 0 and 3660 working days, got %', n USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT cqs._sane_day(start) THEN
    RAISE EXCEPTION 'start must be a day between 2000-01-01 and 2100-12-31, got %', start
      USING ERRCODE = 'invalid_parameter_value';
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

-- The score and the Art. 8 grade of one organisation-year, given its direct
-- subordinates' worst grade.  Returns the grade, or NULL and the reason the
-- authority must decide.
CREATE FUNCTION cqs.organisation_grade(y cqs.organisation_year, worst_subordinate cqs.grade,
                                       awaiting_subordinates text DEFAULT NULL,
                                       OUT score numeric, OUT grade cqs.grade, OUT needs_decision text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_all_done   boolean := y.tasks_completed = y.tasks_assigned;
  v_all_timely boolean := y.tasks_on_time = y.tasks_assigned;
  v_exceeded   boolean := y.tasks_exceeded * 10 >= y.tasks_assigned * 3;          -- >= 30%
  v_late_ok    boolean := y.tasks_late * 5 <= y.tasks_assigned;                    -- <= 20%
  v_plan_low   boolean := y.planned_tasks > 0 AND y.planned_tasks_done * 10 < y.planned_tasks * 7;  -- < 70%
  v_missing    text[] := '{}';
BEGIN
  score := cqs._array_sum(y.general_scores) + cqs._array_sum(y.task_scores);
  -- Art. 8.4: khong_hoan_thanh
  IF y.violation_concluded THEN
    grade := 'khong_hoan_thanh'; RETURN;
  END IF;
  IF v_plan_low THEN
    IF y.force_majeure THEN
      needs_decision := format('only %s of %s planned tasks done (< 70%%) with force majeure: the authority weighs it (Art. 8.4.b)',
                               y.planned_tasks_done, y.planned_tasks);
      RETURN;
    END IF;
    grade := 'khong_hoan_thanh'; RETURN;
  END IF;
  IF score < 50 THEN
    grade := 'khong_hoan_thanh'; RETURN;
  END IF;
  -- Every band above needs a share of the assigned tasks: with none assigned, no
  -- condition can be met or failed.
  IF y.tasks_assigned = 0 THEN
    needs_decision := format('%s points with no assigned tasks: Art. 8''s conditions on tasks cannot be assessed; the authority decides',
                             score);
    RETURN;
  END IF;
  IF score >= 90 THEN                                       -- Art. 8.1
    IF NOT v_all_timely THEN v_missing := v_missing || format('%s of %s tasks done on time with quality', y.tasks_on_time, y.tasks_assigned); END IF;
    IF NOT v_exceeded THEN v_missing := v_missing || format('%s of %s tasks exceeded (< 30%%)', y.tasks_exceeded, y.tasks_assigned); END IF;
    IF worst_subordinate = 'khong_hoan_thanh' THEN v_missing := v_missing || 'a direct subordinate graded khong_hoan_thanh'::text; END IF;
    IF NOT y.shortcomings_fixed THEN v_missing := v_missing || 'earlier shortcomings not all fixed'::text; END IF;
    IF cardinality(v_missing) = 0 AND awaiting_subordinates IS NOT NULL THEN
      needs_decision := format('%s points, Art. 8.1 met so far, but it waits: direct subordinate(s) %s still await the authority''s grade (Art. 8.1.b, 9.1)',
                               score, awaiting_subordinates);
      RETURN;
    END IF;
    IF cardinality(v_missing) = 0 THEN
      grade := 'xuat_sac'; RETURN;
    END IF;
    needs_decision := format('%s points but Art. 8.1 is not met (%s); Art. 8.2 covers 70 to under 90 only',
                             score, array_to_string(v_missing, '; '));
    RETURN;
  END IF;
  IF score >= 70 THEN                                       -- Art. 8.2
    IF v_all_timely THEN
      grade := 'tot'; RETURN;
    END IF;
    needs_decision := format('%s points but only %s of %s tasks done on time with quality; Art. 8.2 needs 100%% and no other band covers it',
                             score, y.tasks_on_time, y.tasks_assigned);
    RETURN;
  END IF;
  -- 50 <= score < 70: Art. 8.3
  IF v_all_done AND v_late_ok THEN
    grade := 'hoan_thanh'; RETURN;
  END IF;
  needs_decision := format('%s points but %s of %s tasks done and %s late (Art. 8.3 needs 100%% done and at most 20%% late)',
                           score, y.tasks_completed, y.tasks_assigned, y.tasks_late);
END $$;
COMMENT ON FUNCTION cqs.organisation_grade(cqs.organisation_year, cqs.grade, text) IS
  'Art. 8: an organisation''s grade from its score and the conditions of its band; where the decree gives no grade, NULL and the reason the authority must decide';

-- The decision in force for a person's year: the latest one not superseded.
CREATE VIEW cqs.grade_decisions_in_force AS
SELECT d.* FROM cqs.grade_decision d
 WHERE NOT EXISTS (SELECT 1 FROM cqs.grade_decision n WHERE n.supersedes = d.decision_id);

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

-- The posting in force for a span of days (Art. 10, 19.1): the one that started last
-- among those overlapping it.  Every rule that asks "where did this person work then?"
-- asks this function.
CREATE FUNCTION cqs.posting_in_force(person_id bigint, from_day date, to_day date)
RETURNS SETOF cqs.posting
LANGUAGE sql STABLE PARALLEL SAFE ROWS 1
BEGIN ATOMIC
  SELECT p.* FROM cqs.posting p
   WHERE p.person_id = posting_in_force.person_id
     AND p.start_date <= posting_in_force.to_day
     AND (p.end_date IS NULL OR p.end_date >= posting_in_force.from_day)
   ORDER BY p.start_date DESC
   LIMIT 1;
END;
COMMENT ON FUNCTION cqs.posting_in_force(bigint, date, date) IS
  'Art. 10, 19.1: the posting of a person in force for a span of days (the latest-starting one overlapping it)';

-- The months a person worked between two days (Art. 11.1-2, 17.2): every month a posting
-- touches, with the posting in force in it (the latest starting: a later-starting posting
-- overlapping the month takes it), unless the person was on leave the whole month.  The
-- year's grading asks it which periods must have a confirmed result; the overdue list
-- asks it which periods are owed.  (SQL-standard body: inlined into the query that reads
-- it, so a filter on the organisation reaches the postings.)
CREATE FUNCTION cqs._months_worked(from_day date, to_day date)
RETURNS TABLE (person_id bigint, month date, organisation_id bigint)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT p.person_id, m.m::date, p.organisation_id
    FROM cqs.posting p
    CROSS JOIN LATERAL pg_catalog.generate_series(
             pg_catalog.date_trunc('month', GREATEST(p.start_date, _months_worked.from_day)::timestamp without time zone),
             LEAST(COALESCE(p.end_date, _months_worked.to_day), _months_worked.to_day)::timestamp without time zone,
             interval '1 month') AS m(m)
   WHERE p.start_date <= _months_worked.to_day
     AND (p.end_date IS NULL OR p.end_date >= _months_worked.from_day)
     AND NOT EXISTS (SELECT 1 FROM cqs.posting q
                      WHERE q.person_id = p.person_id AND q.start_date > p.start_date
                        AND q.start_date <= (m.m + interval '1 month - 1 day')::date
                        AND (q.end_date IS NULL OR q.end_date >= m.m::date))
     AND NOT EXISTS (SELECT 1 FROM cqs.leave_record l
                      WHERE l.person_id = p.person_id AND l.start_date <= m.m::date
                        AND l.end_date >= (m.m + interval '1 month - 1 day')::date);
END;
COMMENT ON FUNCTION cqs._months_worked(date, date) IS
  'Art. 11.1-2, 17.2: the months a person worked between two days (posted, not on leave the whole month), with the posting in force in each';

-- The active lock covering a person's month, if any (its lock_id).  Owner's rights: it
-- answers only "locked or not" to the checks that run as the writer of a record.
CREATE FUNCTION cqs._active_lock(person_id bigint, month date) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT lr.lock_id
    FROM cqs.locked_result lr
    JOIN cqs.period_lock pl ON pl.lock_id = lr.lock_id AND pl.reopened_at IS NULL
   WHERE lr.person_id = $1 AND lr.period <= $2 AND lr.period > $2 - 92
     AND $2 < cqs.period_end(lr.period, lr.period_kind)
   LIMIT 1
$$;

-- The hit quantities of a task line (DOMAIN §3, Art. 14.2.b-c): each counted failed
-- review or delay takes 25% of the credit of the products it concerns, so the aggregate
-- (cqs.task_ratios_by_quantity) takes the sum over them of the quantity each concerns.
-- quality: quality_failures on the whole line, plus the unexempted failures recorded one
-- by one; lateness: the delays recorded one by one (unexempted), or when none is, the
-- one the dates imply (its days under the per-day policy, late_occurrences under the
-- per-occurrence one), on the whole line.  A delay recorded without days counts the
-- line's days late, at least one.  Lines with nothing recorded one by one read nothing.
CREATE FUNCTION cqs._line_hits(task_line_id bigint, deductions_recorded integer, credited numeric,
                               quality_failures integer, days_late integer, late_occurrences integer,
                               per_day boolean)
RETURNS TABLE (quality_hit_qty numeric, lateness_hit_qty numeric)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT coalesce(_line_hits.credited, 0) * _line_hits.quality_failures + coalesce(ev.q, 0),
         CASE WHEN ev.has_delays THEN coalesce(ev.l, 0)
              ELSE coalesce(_line_hits.credited, 0)
                   * CASE WHEN _line_hits.per_day THEN coalesce(_line_hits.days_late, 0)
                          ELSE coalesce(_line_hits.late_occurrences, 0) END END
    FROM (SELECT sum(LEAST(coalesce(d.concerned_qty, _line_hits.credited), _line_hits.credited))
                   FILTER (WHERE d.kind = 'quality' AND d.exemption_reference IS NULL) AS q,
                 sum(LEAST(coalesce(d.concerned_qty, _line_hits.credited), _line_hits.credited)
                     * CASE WHEN _line_hits.per_day THEN GREATEST(coalesce(d.days_late, _line_hits.days_late), 1) ELSE 1 END)
                   FILTER (WHERE d.kind = 'lateness' AND d.exemption_reference IS NULL) AS l,
                 coalesce(bool_or(d.kind = 'lateness'), false) AS has_delays
            FROM cqs.task_deduction d
           WHERE _line_hits.deductions_recorded > 0 AND d.task_line_id = _line_hits.task_line_id) ev;
END;
COMMENT ON FUNCTION cqs._line_hits(bigint, integer, numeric, integer, integer, integer, boolean) IS
  'Art. 14.2.b-c: a task line''s quality and lateness hit quantities (the quantity each counted failure or delay concerns, summed)';

-- Is a person's month evaluated monthly: posted in a monthly organisation at some point
-- of it?  (Postings never overlap.)
CREATE FUNCTION cqs._evaluated_monthly(person_id bigint, month date) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN EXISTS (SELECT 1
                 FROM cqs.posting ps
                 JOIN cqs.organisation_policy pol ON pol.organisation_id = ps.organisation_id
                WHERE ps.person_id = _evaluated_monthly.person_id AND pol.cadence = 'monthly'
                  AND ps.start_date <= (_evaluated_monthly.month + interval '1 month - 1 day')::date
                  AND coalesce(ps.end_date, 'infinity') >= _evaluated_monthly.month);

-- The evaluation period a person's month falls in, for work of an organisation on the
-- given cadence (Art. 12, 17.3, 19.1; DOMAIN §6): a monthly organisation's month is its
-- own period; a quarterly organisation's month belongs to the person's quarter, which
-- starts with the calendar quarter or, for someone who moved from a monthly organisation
-- within it, with the month after the last one the monthly organisation evaluated (so
-- those months stay its monthly results).  A month the person spent partly in a monthly
-- organisation is evaluated monthly.
CREATE FUNCTION cqs.period_key(person_id bigint, month date, cadence text) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE WHEN cadence IS DISTINCT FROM 'quarterly'
              OR cqs._evaluated_monthly(person_id, pg_catalog.date_trunc('month', month::timestamp without time zone)::date)
            THEN pg_catalog.date_trunc('month', month::timestamp without time zone)::date
            ELSE GREATEST(pg_catalog.date_trunc('quarter', month::timestamp without time zone)::date,
                          (SELECT (pg_catalog.date_trunc('month', max(ps.end_date)::timestamp without time zone)
                                   + interval '1 month')::date
                             FROM cqs.posting ps
                             JOIN cqs.organisation_policy pol ON pol.organisation_id = ps.organisation_id
                            WHERE ps.person_id = period_key.person_id AND pol.cadence = 'monthly'
                              AND ps.end_date >= pg_catalog.date_trunc('quarter', month::timestamp without time zone)
                              AND ps.end_date < pg_catalog.date_trunc('month', month::timestamp without time zone)))
       END;
COMMENT ON FUNCTION cqs.period_key(bigint, date, text) IS
  'Art. 12, 17.3, 19.1: the first day of the evaluation period a person''s month falls in for an organisation on a cadence: the month, or the person''s quarter (from the month after a move from a monthly organisation within it)';

CREATE FUNCTION cqs.period_kind_of(person_id bigint, month date, cadence text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE WHEN cadence = 'quarterly'
             AND NOT cqs._evaluated_monthly(person_id, pg_catalog.date_trunc('month', month::timestamp without time zone)::date)
            THEN 'quarter' ELSE 'month' END;
COMMENT ON FUNCTION cqs.period_kind_of(bigint, date, text) IS
  'Art. 12: ''quarter'' or ''month'': the kind of the period cqs.period_key gives';

-- The month a task line counts in (DOMAIN §6, HB ch. VII): the year is graded on or
-- before 14/12, so a line of the year's last period (December; the fourth quarter for a
-- quarterly organisation) due after 14/12 counts in the next year's first period.
-- Special units (graded by 14/01 next year) evaluate December whole.
CREATE FUNCTION cqs._counted_month(period date, deadline date, quarterly boolean, special boolean)
RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN NOT special
             AND deadline > pg_catalog.make_date(pg_catalog.date_part('year', period)::integer, 12, 14)
             AND (pg_catalog.date_part('month', period) = 12
                  OR (quarterly AND pg_catalog.date_part('month', period) >= 10))
            THEN pg_catalog.make_date(pg_catalog.date_part('year', period)::integer + 1, 1, 1)
            ELSE period END;
COMMENT ON FUNCTION cqs._counted_month(date, date, boolean, boolean) IS
  'HB ch. VII, Art. 19.2: the month a task line counts in: lines of December (a quarterly organisation''s fourth quarter) due after 14/12 count in January of the next year';

-- The last months of the years before the Januaries among the given months: where lines
-- counted in those Januaries may be recorded.
CREATE FUNCTION cqs._carried_from(months date[]) RETURNS date[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ARRAY(SELECT DISTINCT (x.month - m * interval '1 month')::date
               FROM unnest(months) AS x(month), generate_series(1, 3) AS m
              WHERE pg_catalog.date_part('month', x.month) = 1
              ORDER BY 1);

-- Every month of the quarters holding the given months: what a computation reads
-- (quarterly organisations compute whole quarters).
CREATE FUNCTION cqs._quarters_of(months date[]) RETURNS date[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ARRAY(SELECT DISTINCT m::date
               FROM unnest(months) AS x(month),
                    generate_series(date_trunc('quarter', x.month::timestamp without time zone),
                                    date_trunc('quarter', x.month::timestamp without time zone) + interval '2 months',
                                    interval '1 month') AS m
              ORDER BY 1);

-- Results of people and periods computed from the records (Art. 12-17), before
-- leaders' d: leaders get d = 100 here (base_total), cqs._leaders_d_rows() corrects d.
-- persons/months NULL: everyone with records in the given months (widened to whole
-- quarters); otherwise the pairs (persons[i], months[i]) and the periods holding them.
-- Task lines fall in the period of the cadence of the organisation that assigned them
-- and count lateness by its policy (Art. 14.2.c); the result belongs to the posting in
-- force in the period (Art. 10).  Periods under an active lock are not computed.
CREATE FUNCTION cqs._compute_results(persons bigint[], months date[])
RETURNS SETOF cqs.period_result
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
  WITH agg AS (
    SELECT tl.person_id,
           CASE WHEN pol.cadence = 'quarterly' THEN cqs.period_key(tl.person_id, cm.month, pol.cadence)
                ELSE cm.month END AS period,
           bool_or(pol.cadence = 'quarterly' AND cqs.period_kind_of(tl.person_id, cm.month, pol.cadence) = 'quarter')
             AS quarterly,
           min(tl.organisation_id) AS line_org,
           cqs.task_ratios_by_quantity(tl.assigned_qty, tl.credited_qty, tl.coefficient, h.quality_hit_qty,
                                       h.lateness_hit_qty, tl.counts_in_assigned) AS r
      FROM cqs.task_line tl
      JOIN cqs.organisation_policy pol ON pol.organisation_id = tl.organisation_id
      JOIN cqs.organisation o ON o.organisation_id = tl.organisation_id
      CROSS JOIN LATERAL cqs._line_hits(tl.task_line_id, tl.deductions_recorded, tl.credited_qty, tl.quality_failures,
                                        tl.days_late, tl.late_occurrences_counted, pol.lateness_mode = 'per_day') h
      CROSS JOIN LATERAL (SELECT cqs._counted_month(tl.period, tl.deadline, pol.cadence = 'quarterly',
                                                    o.special_deadline) AS month) cm
     WHERE (tl.period = ANY (cqs._quarters_of(_compute_results.months))
            OR (tl.period = ANY (cqs._carried_from(cqs._quarters_of(_compute_results.months)))
                AND tl.deadline > pg_catalog.make_date(pg_catalog.date_part('year', tl.period)::integer, 12, 14)))
       AND cm.month = ANY (cqs._quarters_of(_compute_results.months))
       AND (_compute_results.persons IS NULL OR tl.person_id = ANY (_compute_results.persons))
     GROUP BY 1, 2
  ), keys AS (
    SELECT coalesce(g.person_id, a.person_id) AS person_id, coalesce(g.period, a.period) AS period,
           coalesce(g.quarterly, cqs.period_kind_of(a.person_id, a.period, apol.cadence) = 'quarter') AS quarterly,
           coalesce(g.line_org, a.organisation_id) AS fallback_org, g.r
      FROM agg g
      FULL JOIN (SELECT a2.person_id, a2.period, a2.organisation_id FROM cqs.assessment a2
                  WHERE a2.period = ANY (cqs._quarters_of(_compute_results.months))
                    AND (_compute_results.persons IS NULL OR a2.person_id = ANY (_compute_results.persons))) a
        ON a.person_id = g.person_id AND a.period = g.period
      LEFT JOIN cqs.organisation_policy apol ON apol.organisation_id = a.organisation_id
  ), k AS (
    SELECT keys.*, CASE WHEN keys.quarterly THEN 'quarter' ELSE 'month' END AS period_kind
      FROM keys
     WHERE (_compute_results.persons IS NULL
            OR EXISTS (SELECT 1 FROM unnest(_compute_results.persons, _compute_results.months) AS t(person_id, month)
                        WHERE t.person_id = keys.person_id AND t.month >= keys.period
                          AND t.month < cqs.period_end(keys.period, CASE WHEN keys.quarterly THEN 'quarter' ELSE 'month' END)))
       AND NOT EXISTS (SELECT 1 FROM cqs.locked_result lr JOIN cqs.period_lock pl ON pl.lock_id = lr.lock_id
                        WHERE lr.person_id = keys.person_id AND lr.period = keys.period AND pl.reopened_at IS NULL)
  )
  SELECT NULL::bigint, k.person_id, k.period, k.period_kind, coalesce(ps.organisation_id, k.fallback_org), pe.kind,
         coalesce(ps.role, 'staff'), ps.field,
         (k.r).assigned_units, (k.r).completed_units, (k.r).quality_units, (k.r).progress_units,
         (k.r).a, (k.r).b, (k.r).c,
         CASE WHEN lead THEN 100 END, CASE WHEN lead THEN coalesce(a.dd, 100) END,
         CASE WHEN lead THEN coalesce(a.e, 100) END,
         ts.task_score, g.general, tot.total, tot.total, cqs.classify(tot.total),
         concat_ws('; ', cqs._period_note(pe.kind, (k.r).assigned_units, g.general, a.support_quality),
                   cqs._rounding_note(g.general + ts.task_score * 0.7, tot.total)),
         pol.lateness_mode, pol.cap_mode, pol.decimals, pol.criteria_set_id,
         (SELECT cqs._extension_version()), now()
    FROM k
    JOIN cqs.person pe ON pe.person_id = k.person_id
    LEFT JOIN LATERAL cqs.posting_in_force(k.person_id, k.period,
                                           cqs.period_end(k.period, k.period_kind) - 1) ps ON true
    JOIN cqs.organisation_policy pol ON pol.organisation_id = coalesce(ps.organisation_id, k.fallback_org)
    LEFT JOIN cqs.assessment a ON a.person_id = k.person_id AND a.period = k.period
    CROSS JOIN LATERAL (SELECT coalesce(ps.role, 'staff') IN ('head', 'deputy') AS lead,
                               -- Art. 12.1: the evaluator's score counts once confirmed; before, the self score.
                               CASE WHEN a.status IN ('confirmed', 'locked') THEN a.evaluator_total
                                    ELSE a.self_total END AS general) g
    CROSS JOIN LATERAL (SELECT cqs._period_task_score(pe.kind, coalesce(ps.role, 'staff'), (k.r).a, (k.r).b, (k.r).c,
                                                      100, coalesce(a.dd, 100), coalesce(a.e, 100),
                                                      a.support_quality, a.support_compliance, a.support_efficiency,
                                                      pol.cap_mode) AS task_score
                         OFFSET 0) ts          -- evaluated once per row, not once per use
    CROSS JOIN LATERAL (SELECT cqs.period_total(g.general, ts.task_score, pol.decimals) AS total OFFSET 0) tot;
END;
COMMENT ON FUNCTION cqs._compute_results(bigint[], date[]) IS
  'Art. 12-17: period results computed from the records, leaders with d = 100 (the base total); side-effect free';

-- Leaders' d (Art. 15.3): 100 when every civil servant they manage scored 50 or more in
-- the period, else 50.  Heads manage everyone in their organisation and its sub-units,
-- deputies the staff of their field there and everyone in the divisions assigned to their
-- field (cqs.organisation.field, Art. 15.4).  It reads the base totals (d = 100): that is
-- exact, because a manager's real total can only be under 50 when their own d is 50,
-- i.e. when someone they manage is under 50 -- whom every head above manages too.
CREATE FUNCTION cqs._leader_d(person_id bigint, period date, organisation_id bigint, role text, field text)
RETURNS numeric
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE WHEN EXISTS (
         SELECT 1
           FROM cqs.organisation_tree t
           JOIN cqs.period_result m ON m.period = _leader_d.period AND m.organisation_id = t.descendant_id
          WHERE t.ancestor_id = _leader_d.organisation_id
            AND m.base_total < 50 AND m.person_kind = 'civil_servant'
            AND m.person_id <> _leader_d.person_id
            AND (_leader_d.role = 'head'
                 OR (m.role = 'staff' AND m.field IS NOT DISTINCT FROM _leader_d.field)
                 -- a division assigned to the deputy's field: everyone in it, its head included (Art. 15.4)
                 OR (t.distance >= 1
                     AND EXISTS (SELECT 1 FROM cqs.organisation_tree u JOIN cqs.organisation o ON o.organisation_id = u.ancestor_id
                                  WHERE u.descendant_id = m.organisation_id AND u.distance < t.distance
                                    AND o.field = _leader_d.field))))
       THEN 50 ELSE 100 END;
COMMENT ON FUNCTION cqs._leader_d(bigint, date, bigint, text, text) IS
  'Art. 15.3: a leader''s d in a period, 100 or 50, from the base totals of the civil servants they manage';
-- Layer 5: maintenance -- the refresh queue, the one writer of results, rebuilds and
-- the year's grading.  Owner-rights code: search_path pinned, every object qualified.
--
-- How results stay current.  Records (10_records.sql) carry statement triggers that
-- only note which people and months changed.  What happens next is the refresh mode,
-- the setting cqs.refresh_mode (per session, role or database):
--   sync  (default)  the writer recomputes them before the statement ends, so results
--                    are current when the writing transaction commits;
--   async            they wait in cqs.refresh_queue until CALL cqs.process_queue();
--   off              whole months are marked stale (bulk loads; administrators only)
--                    until cqs.rebuild().
-- Results are written by one writer, cqs._write_results() (or cqs.rebuild() for whole
-- months), with the owner's rights, under transaction-scoped advisory locks taken in
-- one global order, so that concurrent writers serialise exactly where they must:
--   1. year locks: shared by writers of a year's months, exclusive for lock_period,
--      reopen_period, rebuild and grade_year (key 1: 2^28 + the year, key 2: 0);
--   2. person locks: one writer per person at a time (key 1: 2^29, key 2: person_id);
--   3. leader locks: whoever may change the d of an organisation's leaders in a period
--      (key 1: 3 x 2^28 + months since 2000-01, key 2: organisation_id).
-- Within each class the keys are taken in ascending order, the classes in this order.

-- A restore loading records: a superuser's COPY, which is how pg_dump's plain and
-- custom formats and pg_restore (serial or parallel) load data.  The rows were checked
-- when they were first written; checks that read other tables (locks, catalogue ranges)
-- cannot hold while tables are loaded one by one.  No setting a client can change is
-- involved, and non-superusers are always checked.
CREATE FUNCTION cqs._loading_records() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = session_user), false)
     AND pg_catalog.current_query() ~* '^(\s|--[^\n]*\n)*copy\s'
$$;

-- The refresh mode in force (see above); an unknown value is an error, not a default.
-- off is honoured only for a login (session user) that may run cqs.rebuild().
CREATE FUNCTION cqs.refresh_mode() RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_mode text := coalesce(nullif(current_setting('cqs.refresh_mode', true), ''), 'sync');
BEGIN
  IF v_mode NOT IN ('sync', 'async', 'off') THEN
    RAISE EXCEPTION 'cqs.refresh_mode must be sync, async or off, got "%"', v_mode
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF v_mode = 'off' AND NOT pg_catalog.has_function_privilege(session_user, 'cqs.rebuild(date, date)', 'EXECUTE') THEN
    RAISE EXCEPTION 'cqs.refresh_mode = off is for bulk loads by whoever may run cqs.rebuild(); % may not', session_user
      USING ERRCODE = 'insufficient_privilege', HINT = 'Use sync or async.';
  END IF;
  RETURN v_mode;
END $$;
COMMENT ON FUNCTION cqs.refresh_mode() IS
  'The refresh mode in force: sync (results current at commit), async (queued for cqs.process_queue()) or off (months marked stale until cqs.rebuild(); administrators only)';

-- Take advisory locks (key1, key2) in ascending order: the one order every writer follows.
CREATE FUNCTION cqs._take_locks(key1 integer[], key2 integer[], exclusive boolean) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v record;
BEGIN
  FOR v IN SELECT DISTINCT t.k1, t.k2 FROM unnest(key1, key2) AS t(k1, k2) WHERE t.k1 IS NOT NULL ORDER BY 1, 2 LOOP
    IF exclusive THEN
      PERFORM pg_catalog.pg_advisory_xact_lock(v.k1, v.k2);
    ELSE
      PERFORM pg_catalog.pg_advisory_xact_lock_shared(v.k1, v.k2);
    END IF;
  END LOOP;
END $$;

-- Class 1: year locks, for the years of the given months (shared for writers,
-- exclusive to close, reopen, rebuild or grade months).  A year, not a month: a
-- transaction that edits February and then January would otherwise hold February's
-- lock while waiting for January's, against a rebuild holding January and waiting for
-- February -- a deadlock.  Closing a month therefore pauses that year's edits city-wide
-- for the moments it takes.
CREATE FUNCTION cqs._lock_years(months date[], exclusive boolean DEFAULT false) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp
RETURN cqs._take_locks(ARRAY(SELECT 268435456 + date_part('year', m)::integer FROM unnest(months) AS m),
                       ARRAY(SELECT 0 FROM unnest(months) AS m), exclusive);

-- A record's check waits for any lock_period() of its year before it reads locks.
CREATE FUNCTION cqs._wait_for_year(months date[]) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp
RETURN cqs._lock_years(months, false);

-- Class 2: one writer per person.
CREATE FUNCTION cqs._lock_people(persons bigint[]) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp
RETURN cqs._take_locks(ARRAY(SELECT 536870912 FROM unnest(persons) AS p),
                       ARRAY(SELECT (p % 2147483647)::integer FROM unnest(persons) AS p), true);

-- Class 3: the leaders of these organisations in these periods.
CREATE FUNCTION cqs._lock_leaders(orgs bigint[], periods date[]) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp
RETURN cqs._take_locks(ARRAY(SELECT 805306368 + cqs._month_index(t.p) FROM unnest(orgs, periods) AS t(o, p)),
                       ARRAY(SELECT (t.o % 2147483647)::integer FROM unnest(orgs, periods) AS t(o, p)), true);

-- Leaders' d (Art. 15.3) applied to the stored results: the leaders of the given
-- organisations in the given periods (organisations NULL: every leader of the periods).
-- Their task score, total and grade follow; their year results turn stale if d moved.
CREATE FUNCTION cqs._apply_leaders_d(orgs bigint[], periods date[]) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_n bigint;
BEGIN
  WITH k AS MATERIALIZED (             -- the (organisation, period) pairs whose leaders to look at
    SELECT o.organisation_id AS org, p.period FROM cqs.organisation_policy o, unnest(periods) AS p(period)
     WHERE orgs IS NULL
    UNION
    SELECT t.org, t.period FROM unnest(orgs, periods) AS t(org, period) WHERE orgs IS NOT NULL
  ), l AS MATERIALIZED (
    SELECT r.person_id, r.period, r.d AS old_d, x.d,
           cqs.leader_task_score(r.a, r.b, r.c, x.d, r.dd, r.e, r.cap_mode) AS task_score
      FROM k
      JOIN cqs.period_result r ON r.period = k.period AND r.organisation_id = k.org AND r.role <> 'staff'
      CROSS JOIN LATERAL (SELECT cqs._leader_d(r.person_id, r.period, r.organisation_id, r.role, r.field) AS d) x
     WHERE r.person_kind = 'civil_servant' AND r.lock_id IS NULL
  ), u AS (
    UPDATE cqs.period_result r
       SET d = l.d,
           task_score = l.task_score,
           total = cqs.period_total(r.general_score, l.task_score, r.decimals),
           grade = cqs.classify(cqs.period_total(r.general_score, l.task_score, r.decimals))
      FROM l
     WHERE r.person_id = l.person_id AND r.period = l.period AND l.d IS DISTINCT FROM l.old_d
    RETURNING r.person_id, r.period
  ), s AS (
    UPDATE cqs.year_result y SET stale = true
      FROM u WHERE y.person_id = u.person_id AND y.year = date_part('year', u.period) AND NOT y.stale
  )
  SELECT count(*) INTO v_n FROM u;
  RETURN v_n;
END $$;

-- The one writer for a few people: recompute the results of the periods holding the
-- given (person, month) pairs, under the locks above.  Owner's rights; not callable by
-- clients (the record triggers and the maintenance procedures call it).
CREATE FUNCTION cqs._write_results(persons bigint[], months date[]) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
  v_new   cqs.period_result[];
  v_old   cqs.period_result[];
  v_orgs  bigint[];
  v_pers  date[];
BEGIN
  IF coalesce(cardinality(persons), 0) = 0 THEN
    RETURN 0;
  END IF;
  PERFORM cqs._lock_years(months, false);
  PERFORM cqs._lock_people(persons);
  -- From here on every statement sees what the writers before us committed.
  v_new := ARRAY(SELECT r FROM cqs._compute_results(persons, months) AS r);
  v_old := ARRAY(SELECT r FROM cqs.period_result AS r
                  WHERE r.person_id = ANY (persons) AND r.lock_id IS NULL
                    AND EXISTS (SELECT 1 FROM unnest(persons, months) AS t(person_id, month)
                                 WHERE t.person_id = r.person_id AND t.month >= r.period
                                   AND t.month < cqs.period_end(r.period, r.period_kind)));

  -- Whose d may move (Art. 15.3): the leaders above anyone who crossed 50 or moved while
  -- under 50, and the leaders among these people.  Their organisations' leader locks.
  WITH n AS (SELECT * FROM unnest(v_new)), o AS (SELECT * FROM unnest(v_old)),
  j AS (
    SELECT coalesce(n.period, o.period) AS period, n.organisation_id AS n_org, o.organisation_id AS o_org,
           n.role AS n_role,
           coalesce(n.person_kind = 'civil_servant' AND n.base_total < 50, false) AS n_low,
           coalesce(o.person_kind = 'civil_servant' AND o.base_total < 50, false) AS o_low,
           (n.organisation_id, n.role, n.field, n.person_kind) IS DISTINCT FROM
           (o.organisation_id, o.role, o.field, o.person_kind) AS moved
      FROM n FULL JOIN o ON o.person_id = n.person_id AND o.period = n.period
  ), k AS (
    SELECT t.ancestor_id AS org, j.period
      FROM j JOIN cqs.organisation_tree t ON t.descendant_id IN (j.n_org, j.o_org)
     WHERE j.n_low <> j.o_low OR ((j.n_low OR j.o_low) AND j.moved)
    UNION
    SELECT j.n_org, j.period FROM j WHERE j.n_role IN ('head', 'deputy')
  )
  SELECT array_agg(k.org), array_agg(k.period) INTO v_orgs, v_pers FROM k;
  PERFORM cqs._lock_leaders(v_orgs, v_pers);

  DELETE FROM cqs.period_result r
   USING unnest(v_old) AS o
   WHERE r.person_id = o.person_id AND r.period = o.period AND r.lock_id IS NULL;
  DELETE FROM cqs.period_result r       -- a key that moved into another period
   USING unnest(v_new) AS n
   WHERE r.person_id = n.person_id AND r.period = n.period AND r.lock_id IS NULL;
  INSERT INTO cqs.period_result SELECT * FROM unnest(v_new);
  IF v_orgs IS NOT NULL THEN
    PERFORM cqs._apply_leaders_d(v_orgs, v_pers);
  END IF;
  UPDATE cqs.year_result y SET stale = true
   WHERE y.person_id = ANY (persons) AND NOT y.stale
     AND y.year IN (SELECT DISTINCT date_part('year', m)::integer FROM unnest(months) AS m);
  RETURN cardinality(v_new);
END $$;
COMMENT ON FUNCTION cqs._write_results(bigint[], date[]) IS
  'The one writer of period results for a few people (Art. 12-17): recomputes the periods holding the given (person, month) pairs under advisory locks; owner''s rights';

-- Recompute whole months from scratch (widened to whole quarters): every open result
-- recomputed, every locked one copied back from its record; a year graded on results
-- that changed turns stale.  NULL bounds: every month
-- that has records or stale marks.  Takes the months' exclusive locks: edits of those
-- months wait for it.
CREATE FUNCTION cqs.rebuild(from_month date DEFAULT NULL, to_month date DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET plan_cache_mode = force_custom_plan SET client_min_messages = warning AS $$
DECLARE
  v_months date[];
  v_n      bigint;
BEGIN
  PERFORM cqs._check_version();
  IF NOT (cqs._sane_day(from_month) AND cqs._sane_day(to_month)) OR from_month > to_month THEN
    RAISE EXCEPTION 'cannot rebuild from % to %', from_month, to_month
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Give months between 2000-01 and 2100-12, in order.';
  END IF;
  -- The months: every quarter from the first to the last month asked for (default: the
  -- first and last month holding any record, result or stale mark).
  SELECT array_agg(m::date ORDER BY m)
    INTO v_months
    FROM (SELECT coalesce(from_month, least((SELECT min(tl.period) FROM cqs.task_line tl),
                                            (SELECT min(a.period) FROM cqs.assessment a),
                                            (SELECT min(r.period) FROM cqs.period_result r),
                                            (SELECT min(s.month) FROM cqs.stale_month s),
                                            (SELECT min(q.month) FROM cqs.refresh_queue q))) AS lo,
                 coalesce(to_month, greatest((SELECT max(tl.period) FROM cqs.task_line tl),
                                             (SELECT max(a.period) FROM cqs.assessment a),
                                             (SELECT max(r.period) FROM cqs.period_result r),
                                             (SELECT max(s.month) FROM cqs.stale_month s),
                                             (SELECT max(q.month) FROM cqs.refresh_queue q))) AS hi) b,
         generate_series(date_trunc('quarter', b.lo::timestamp without time zone),
                         date_trunc('quarter', b.hi::timestamp without time zone) + interval '2 months',
                         interval '1 month') AS m;
  IF v_months IS NULL THEN
    RETURN 0;
  END IF;
  PERFORM cqs._lock_years(v_months, true);

  DELETE FROM cqs.period_result r WHERE r.period = ANY (v_months) AND r.lock_id IS NULL;
  INSERT INTO cqs.period_result SELECT * FROM cqs._compute_all(v_months);
  GET DIAGNOSTICS v_n = ROW_COUNT;
  INSERT INTO cqs.period_result          -- locked results, where they are missing (after a restore)
  SELECT lr.* FROM cqs.locked_result lr JOIN cqs.period_lock pl ON pl.lock_id = lr.lock_id AND pl.reopened_at IS NULL
   WHERE lr.period = ANY (v_months)
     AND NOT EXISTS (SELECT 1 FROM cqs.period_result r WHERE r.person_id = lr.person_id AND r.period = lr.period);
  PERFORM cqs._apply_leaders_d(NULL, v_months);
  -- A year graded on totals that are now different turns stale.
  UPDATE cqs.year_result y SET stale = true
    FROM (SELECT DISTINCT y2.person_id, y2.year
            FROM cqs.year_result y2
            JOIN unnest(v_months) AS m(month) ON date_part('year', m.month) = y2.year
            LEFT JOIN cqs.period_result r ON r.person_id = y2.person_id AND r.period = m.month
           WHERE NOT y2.stale
             AND (y2.period_totals ->> m.month::text)::numeric IS DISTINCT FROM r.total) c
   WHERE y.person_id = c.person_id AND y.year = c.year;
  DELETE FROM cqs.refresh_queue q WHERE q.month = ANY (v_months);
  DELETE FROM cqs.stale_month s WHERE s.month = ANY (v_months);
  RETURN v_n;
END $$;
COMMENT ON FUNCTION cqs.rebuild(date, date) IS
  'Recompute every result of whole months (widened to quarters; default: every month with records) from the records; locked results are copied back from cqs.locked_result exactly';

-- cqs._compute_results for whole months through PL/pgSQL's RETURN QUERY, which may run
-- in parallel (partial task_ratios aggregation); an INSERT ... SELECT never would.
CREATE FUNCTION cqs._compute_all(months date[]) RETURNS SETOF cqs.period_result
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp SET plan_cache_mode = force_custom_plan
SET jit = off AS $$
BEGIN
  RETURN QUERY SELECT * FROM cqs._compute_results(NULL, months);
END $$;

-- Records changed: what the refresh mode says (see the top of this file).  Many
-- people at once in sync mode (a policy change, a bulk statement) rebuild whole months.
CREATE FUNCTION cqs._results_changed(persons bigint[], months date[], why text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_mode text;
BEGIN
  IF coalesce(cardinality(persons), 0) = 0 THEN
    RETURN;
  END IF;
  v_mode := CASE WHEN cqs._loading_records() THEN 'off' ELSE cqs.refresh_mode() END;
  IF v_mode = 'sync' AND cardinality(persons) > 20000 THEN
    PERFORM cqs.rebuild(min(m), max(m)) FROM unnest(months) AS m;
  ELSIF v_mode = 'sync' THEN
    PERFORM cqs._write_results(persons, months);
  ELSIF v_mode = 'async' THEN
    INSERT INTO cqs.refresh_queue AS q (person_id, month)
    SELECT DISTINCT t.p, t.m FROM unnest(persons, months) AS t(p, m)
    ON CONFLICT (person_id, month) DO NOTHING;
  ELSE
    INSERT INTO cqs.stale_month AS s (month, why)
    SELECT DISTINCT m, why FROM unnest(months) AS m
    ON CONFLICT (month) DO NOTHING;
  END IF;
END $$;

-- Task lines and assessments changed: the (person, month) pairs they touch.  Task lines
-- are checked first (Art. 13-14): the coefficient lies in the item's range (HB ch. II)
-- and a locked period refuses every change (55000; assessments check their own lock in
-- cqs._check_assessment).  Then results follow.  Owner's rights: the caller needs no
-- right on results.
CREATE FUNCTION cqs._records_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_bad     record;
  v_persons bigint[];
  v_months  date[];
BEGIN
  IF TG_TABLE_NAME = 'task_line' THEN
    -- a task line touches the month it counts in (cqs._counted_month: December lines due
    -- after 14/12 count in January)
    IF TG_OP = 'INSERT' THEN
      SELECT array_agg(x.person_id), array_agg(x.period) INTO v_persons, v_months
        FROM (SELECT DISTINCT n.person_id, cqs._counted_month(n.period, n.deadline, pol.cadence = 'quarterly',
                                                               o.special_deadline) AS period
                FROM new_rows n
                LEFT JOIN cqs.organisation_policy pol ON pol.organisation_id = n.organisation_id
                LEFT JOIN cqs.organisation o ON o.organisation_id = n.organisation_id) x;
    ELSIF TG_OP = 'DELETE' THEN
      SELECT array_agg(x.person_id), array_agg(x.period) INTO v_persons, v_months
        FROM (SELECT DISTINCT r.person_id, cqs._counted_month(r.period, r.deadline, pol.cadence = 'quarterly',
                                                               o.special_deadline) AS period
                FROM old_rows r
                LEFT JOIN cqs.organisation_policy pol ON pol.organisation_id = r.organisation_id
                LEFT JOIN cqs.organisation o ON o.organisation_id = r.organisation_id) x;
    ELSE
      SELECT array_agg(x.person_id), array_agg(x.period) INTO v_persons, v_months
        FROM (SELECT DISTINCT r.person_id, cqs._counted_month(r.period, r.deadline, pol.cadence = 'quarterly',
                                                               o.special_deadline) AS period
                FROM (SELECT n.person_id, n.period, n.deadline, n.organisation_id FROM new_rows n
                      UNION SELECT d.person_id, d.period, d.deadline, d.organisation_id FROM old_rows d) r
                LEFT JOIN cqs.organisation_policy pol ON pol.organisation_id = r.organisation_id
                LEFT JOIN cqs.organisation o ON o.organisation_id = r.organisation_id) x;
    END IF;
  ELSIF TG_OP = 'INSERT' THEN
    SELECT array_agg(n.person_id), array_agg(n.period) INTO v_persons, v_months FROM new_rows n;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(o.person_id), array_agg(o.period) INTO v_persons, v_months FROM old_rows o;
  ELSE
    SELECT array_agg(x.person_id), array_agg(x.period) INTO v_persons, v_months
      FROM (SELECT n.person_id, n.period FROM new_rows n UNION SELECT o.person_id, o.period FROM old_rows o) x;
  END IF;
  IF TG_TABLE_NAME = 'task_line' AND NOT cqs._loading_records() THEN
    IF TG_OP <> 'DELETE' THEN
      -- Art. 13: the item comes from a catalogue version in force for the line's
      -- organisation (cqs.catalogue_in_force) on some day of the line's month.
      WITH combos AS (
        SELECT DISTINCT n.organisation_id, n.period, i.catalogue_id
          FROM new_rows n JOIN cqs.catalogue_item i ON i.item_id = coalesce(n.item_id, n.similar_item_id)
      ), bad AS (
        SELECT x.* FROM combos x
         WHERE x.catalogue_id IS DISTINCT FROM cqs.catalogue_in_force(x.organisation_id, x.period)
           AND x.catalogue_id IS DISTINCT FROM cqs.catalogue_in_force(x.organisation_id, (x.period + interval '1 month - 1 day')::date)
           AND NOT EXISTS (SELECT 1 FROM cqs.catalogue c
                            WHERE c.catalogue_id = x.catalogue_id
                              AND c.effective_from > x.period AND c.effective_from < x.period + interval '1 month'
                              AND cqs.catalogue_in_force(x.organisation_id, c.effective_from) = c.catalogue_id)
         LIMIT 1
      )
      SELECT n.task_line_id, i.code, c.version, c.organisation_id AS catalogue_org, n.organisation_id,
             pol.using_agency_id, n.period, cqs.catalogue_in_force(n.organisation_id, n.period) AS in_force INTO v_bad
        FROM bad
        JOIN new_rows n ON n.organisation_id = bad.organisation_id AND n.period = bad.period
        JOIN cqs.catalogue_item i ON i.item_id = coalesce(n.item_id, n.similar_item_id) AND i.catalogue_id = bad.catalogue_id
        JOIN cqs.catalogue c ON c.catalogue_id = bad.catalogue_id
        LEFT JOIN cqs.organisation_policy pol ON pol.organisation_id = n.organisation_id
       LIMIT 1;
      IF FOUND THEN
        RAISE EXCEPTION 'task line %: item % of catalogue % (organisation %) is not in the catalogue in force for organisation % in %',
                        v_bad.task_line_id, v_bad.code, v_bad.version, v_bad.catalogue_org, v_bad.organisation_id,
                        to_char(v_bad.period, 'YYYY-MM')
          USING ERRCODE = 'check_violation', CONSTRAINT = 'task_line_item_in_force',
                DETAIL = format('The using agency of organisation %s is %s; the catalogue in force there on %s is %s.',
                                v_bad.organisation_id, coalesce(v_bad.using_agency_id::text, 'not set'), v_bad.period,
                                coalesce((SELECT c.version || ' (organisation ' || c.organisation_id || ')'
                                            FROM cqs.catalogue c WHERE c.catalogue_id = v_bad.in_force), 'none')),
                HINT = 'Art. 13: tasks are priced from the catalogue of the person''s using agency in force that month (cqs.catalogue_in_force); an off-catalogue task takes a similar item of that catalogue (Art. 13.3).';
      END IF;
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
    PERFORM cqs._wait_for_year(v_months);
    SELECT t.p AS person_id, t.m AS period, cqs._active_lock(t.p, t.m) AS lock_id INTO v_bad
      FROM unnest(v_persons, v_months) AS t(p, m)
     WHERE cqs._active_lock(t.p, t.m) IS NOT NULL
     LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'period % of person % is locked (lock %); its task lines cannot change',
                      v_bad.period, v_bad.person_id, v_bad.lock_id
        USING ERRCODE = 'object_not_in_prerequisite_state',
              HINT = 'Locked results are final; cqs.reopen_period() reopens a period, with a reason (Art. 21.3).';
    END IF;
  END IF;
  PERFORM cqs._results_changed(v_persons, v_months, TG_TABLE_NAME || ' changed');
  RETURN NULL;
END $$;
CREATE TRIGGER task_line_changed_ins AFTER INSERT ON cqs.task_line
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._records_changed();
CREATE TRIGGER task_line_changed_upd AFTER UPDATE ON cqs.task_line
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._records_changed();
CREATE TRIGGER task_line_changed_del AFTER DELETE ON cqs.task_line
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._records_changed();

-- Failures and delays recorded one by one (Art. 14.2.b-c).  An exemption records who
-- entered it and when, by the database; the reference names the authority's
-- confirmation.  The line's count is kept here, and the update of the line runs its
-- own checks (its lock: 55000) and refreshes its results.
CREATE FUNCTION cqs._deduction_stamp() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF cqs._loading_records() THEN
    RETURN NEW;
  END IF;
  IF NEW.exemption_reference IS NULL THEN
    NEW.exempted_by := NULL;
    NEW.exempted_by_person := NULL;
    NEW.exempted_at := NULL;
  ELSIF TG_OP = 'INSERT' OR NEW.exemption_reference IS DISTINCT FROM OLD.exemption_reference THEN
    NEW.exempted_by := cqs._actor_login();
    NEW.exempted_by_person := cqs.acting_person();
    NEW.exempted_at := now();
  ELSE
    NEW.exempted_by := OLD.exempted_by;
    NEW.exempted_by_person := OLD.exempted_by_person;
    NEW.exempted_at := OLD.exempted_at;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER task_deduction_stamp BEFORE INSERT OR UPDATE ON cqs.task_deduction
  FOR EACH ROW EXECUTE FUNCTION cqs._deduction_stamp();

CREATE FUNCTION cqs._deductions_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_lines bigint[];
  v_bad   record;
BEGIN
  IF cqs._loading_records() THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT n.task_line_id) INTO v_lines FROM new_rows n;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT o.task_line_id) INTO v_lines FROM old_rows o;
  ELSE
    SELECT array_agg(DISTINCT x.task_line_id) INTO v_lines
      FROM (SELECT n.task_line_id FROM new_rows n UNION SELECT o.task_line_id FROM old_rows o) x;
  END IF;
  -- a delay recorded one by one replaces the delay count of the line: not both
  SELECT t.task_line_id, t.late_occurrences INTO v_bad
    FROM cqs.task_line t
   WHERE t.task_line_id = ANY (v_lines) AND t.late_occurrences IS NOT NULL
     AND EXISTS (SELECT 1 FROM cqs.task_deduction d WHERE d.task_line_id = t.task_line_id AND d.kind = 'lateness')
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'task line % counts % delay(s) in late_occurrences and records delays one by one',
                    v_bad.task_line_id, v_bad.late_occurrences
      USING ERRCODE = 'check_violation', CONSTRAINT = 'task_deduction_delays_one_way',
            HINT = 'Record a line''s delays either as its late_occurrences or one by one in cqs.task_deduction (set late_occurrences to NULL) (Art. 14.2.c).';
  END IF;
  UPDATE cqs.task_line t
     SET deductions_recorded = (SELECT count(*) FROM cqs.task_deduction d WHERE d.task_line_id = t.task_line_id)
   WHERE t.task_line_id = ANY (v_lines);
  RETURN NULL;
END $$;
CREATE TRIGGER task_deduction_changed_ins AFTER INSERT ON cqs.task_deduction
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._deductions_changed();
CREATE TRIGGER task_deduction_changed_upd AFTER UPDATE ON cqs.task_deduction
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._deductions_changed();
CREATE TRIGGER task_deduction_changed_del AFTER DELETE ON cqs.task_deduction
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._deductions_changed();

-- Postings and people changed: a posting decides a result's organisation and role
-- (Art. 10), a person's kind how they are scored, so every month of that person with
-- records or results is touched.
CREATE FUNCTION cqs._people_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_persons bigint[];
  v_months  date[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(n.person_id) INTO v_persons FROM new_rows n;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(o.person_id) INTO v_persons FROM old_rows o;
  ELSIF TG_TABLE_NAME = 'person' THEN  -- only a change of kind changes how they are scored
    SELECT array_agg(n.person_id) INTO v_persons
      FROM new_rows n JOIN old_rows o USING (person_id) WHERE n.kind IS DISTINCT FROM o.kind;
  ELSE
    SELECT array_agg(x.person_id) INTO v_persons
      FROM (SELECT n.person_id FROM new_rows n UNION SELECT o.person_id FROM old_rows o) x;
  END IF;
  SELECT array_agg(x.person_id), array_agg(x.month) INTO v_persons, v_months
    FROM (SELECT tl.person_id, tl.period AS month FROM cqs.task_line tl WHERE tl.person_id = ANY (v_persons)
          UNION SELECT a.person_id, a.period FROM cqs.assessment a WHERE a.person_id = ANY (v_persons)
          UNION SELECT r.person_id, r.period FROM cqs.period_result r WHERE r.person_id = ANY (v_persons)) x;
  PERFORM cqs._results_changed(v_persons, v_months, TG_TABLE_NAME || ' changed');
  RETURN NULL;
END $$;
CREATE TRIGGER assessment_changed_ins AFTER INSERT ON cqs.assessment
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._records_changed();
CREATE TRIGGER assessment_changed_upd AFTER UPDATE ON cqs.assessment
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._records_changed();
CREATE TRIGGER assessment_changed_del AFTER DELETE ON cqs.assessment
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._records_changed();
CREATE TRIGGER posting_changed_ins AFTER INSERT ON cqs.posting
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._people_changed();
CREATE TRIGGER posting_changed_upd AFTER UPDATE ON cqs.posting
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._people_changed();
CREATE TRIGGER posting_changed_del AFTER DELETE ON cqs.posting
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._people_changed();
CREATE TRIGGER person_kind_changed AFTER UPDATE ON cqs.person
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._people_changed();

-- Organisations changed: the derived tree (policies and ancestor pairs) is rewritten
-- under its own advisory lock (taken before any year lock; after it, every statement
-- sees the committed tree), and the open results below an organisation whose policies or
-- parent changed follow (DOMAIN.md sections 3-4).  Restores too rebuild the tree.
CREATE FUNCTION cqs._organisations_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_persons bigint[];
  v_months  date[];
  v_orgs    bigint[];
BEGIN
  IF TG_OP = 'UPDATE' THEN            -- where the results will move: the old tree's subtrees
    SELECT array_agg(DISTINCT t.descendant_id) INTO v_orgs
      FROM new_rows n JOIN old_rows o USING (organisation_id)
      JOIN cqs.organisation_closure t ON t.ancestor_id = n.organisation_id
     WHERE (n.parent_id, n.cadence, n.lateness_mode, n.cap_mode, n.decimals, n.criteria_set_id, n.field)
           IS DISTINCT FROM (o.parent_id, o.cadence, o.lateness_mode, o.cap_mode, o.decimals, o.criteria_set_id, o.field);
  END IF;
  PERFORM pg_catalog.pg_advisory_xact_lock(134217728, 0);
  DELETE FROM cqs.organisation_policy;
  INSERT INTO cqs.organisation_policy SELECT * FROM cqs._computed_organisation_policies();
  DELETE FROM cqs.organisation_closure;
  INSERT INTO cqs.organisation_closure SELECT * FROM cqs._computed_organisation_tree();
  IF v_orgs IS NOT NULL THEN
    SELECT array_agg(x.person_id), array_agg(x.month) INTO v_persons, v_months
      FROM (SELECT r.person_id, r.period AS month FROM cqs.period_result r
             WHERE r.organisation_id = ANY (v_orgs) AND r.lock_id IS NULL
            UNION SELECT tl.person_id, tl.period FROM cqs.task_line tl WHERE tl.organisation_id = ANY (v_orgs)) x;
    PERFORM cqs._results_changed(v_persons, v_months, 'organisation policies changed');
  END IF;
  IF TG_OP = 'UPDATE' THEN            -- a division assigned to another field: the deputies above (Art. 15.4)
    SELECT array_agg(x.org), array_agg(x.period) INTO v_orgs, v_months
      FROM (SELECT DISTINCT t.ancestor_id AS org, r.period
              FROM new_rows n JOIN old_rows o USING (organisation_id)
              JOIN cqs.organisation_closure sub ON sub.ancestor_id = n.organisation_id
              JOIN cqs.period_result r ON r.organisation_id = sub.descendant_id
              JOIN cqs.organisation_closure t ON t.descendant_id = n.organisation_id AND t.distance >= 1
             WHERE n.field IS DISTINCT FROM o.field) x;
    IF v_orgs IS NOT NULL THEN
      PERFORM cqs._lock_leaders(v_orgs, v_months);
      PERFORM cqs._apply_leaders_d(v_orgs, v_months);
    END IF;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER organisation_changed_ins AFTER INSERT ON cqs.organisation
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._organisations_changed();
CREATE TRIGGER organisation_changed_upd AFTER UPDATE ON cqs.organisation
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._organisations_changed();
CREATE TRIGGER organisation_changed_del AFTER DELETE ON cqs.organisation
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._organisations_changed();

-- Async mode: drain the queue, one batch per transaction (for pg_cron).  Returns when
-- the queue is empty or max_batches were done; stale months are rebuilt one quarter per
-- transaction.  Concurrent runs share the work (SKIP LOCKED) and never lose a row:
-- a batch leaves the queue only in the transaction that recomputed it.
CREATE FUNCTION cqs._drain_batch(batch_size integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_persons bigint[];
  v_months  date[];
  v_month   date;
BEGIN
  IF batch_size IS NULL OR batch_size < 1 OR batch_size > 100000 THEN
    RAISE EXCEPTION 'batch_size must be between 1 and 100000, got %', batch_size
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT s.month INTO v_month FROM cqs.stale_month s ORDER BY s.month LIMIT 1 FOR UPDATE SKIP LOCKED;
  IF FOUND THEN
    RETURN cqs.rebuild(v_month, v_month);
  END IF;
  WITH b AS (
    SELECT q.person_id, q.month FROM cqs.refresh_queue q
     ORDER BY q.enqueued_at, q.person_id, q.month LIMIT batch_size FOR UPDATE SKIP LOCKED
  ), d AS (
    DELETE FROM cqs.refresh_queue q USING b WHERE q.person_id = b.person_id AND q.month = b.month
    RETURNING q.person_id, q.month
  )
  SELECT array_agg(d.person_id), array_agg(d.month) INTO v_persons, v_months FROM d;
  IF v_persons IS NULL THEN
    RETURN -1;                        -- nothing left
  END IF;
  PERFORM cqs._write_results(v_persons, v_months);
  RETURN cardinality(v_persons);
END $$;

-- A procedure that COMMITs cannot carry a SET clause (PostgreSQL forbids it), so it
-- pins search_path itself in every transaction it runs and qualifies every operator.
CREATE PROCEDURE cqs.process_queue(batch_size integer DEFAULT 1000, max_batches integer DEFAULT NULL)
LANGUAGE plpgsql AS $$
DECLARE
  v_done integer := 0;
  v_path text := pg_catalog.current_setting('search_path');
BEGIN
  PERFORM cqs._check_version();
  LOOP
    SET LOCAL search_path = pg_catalog, pg_temp;
    EXIT WHEN max_batches IS NOT NULL AND v_done OPERATOR(pg_catalog.>=) max_batches;
    EXIT WHEN cqs._drain_batch(batch_size) OPERATOR(pg_catalog.<) 0;
    v_done := v_done OPERATOR(pg_catalog.+) 1;
    COMMIT;
  END LOOP;
  -- The caller's search_path back: the SET LOCAL above outlives the call when the last
  -- batch did not commit (an empty queue, or a call inside a transaction block).
  PERFORM pg_catalog.set_config('search_path', v_path, true);
END $$;
COMMENT ON PROCEDURE cqs.process_queue(integer, integer) IS
  'Async refresh: recompute the queued people and months in batches, committing after each (for pg_cron); stale months are rebuilt one at a time';

-- What is waiting: portals show results as stale while their person and month wait.
CREATE VIEW cqs.refresh_status AS
SELECT cqs.refresh_mode() AS mode,
       (SELECT count(*) FROM cqs.refresh_queue) AS queued,
       (SELECT min(q.enqueued_at) FROM cqs.refresh_queue q) AS oldest_queued_at,
       (SELECT array_agg(s.month ORDER BY s.month) FROM cqs.stale_month s) AS stale_months;
COMMENT ON VIEW cqs.refresh_status IS
  'The refresh mode, how many person-months wait in the queue and since when, and the months stale as a whole';

-- Grade every organisation of a year, lower units before upper ones (Art. 9.1), then
-- propose the Art. 8.5 quota among the organisations each authority (the parent) recognises.
CREATE FUNCTION cqs.grade_organisations(year integer)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
  v_depth integer;
  v_n     bigint := 0;
  v_row   cqs.organisation_year;
  v_g     record;
BEGIN
  FOR v_depth IN SELECT DISTINCT p.depth FROM cqs.organisation_policies p ORDER BY 1 DESC LOOP
    FOR v_row IN
      SELECT oy.*
        FROM cqs.organisation_year oy
        JOIN cqs.organisation_policies p USING (organisation_id)
       WHERE oy.year = grade_organisations.year AND p.depth = v_depth
    LOOP
      -- Lower units are graded already (Art. 9.1): the worst of them, and those still
      -- awaiting the authority (a parent cannot be xuat_sac before them, Art. 8.1.b).
      SELECT * INTO v_g FROM cqs.organisation_grade(v_row,
        (SELECT min(coalesce(c.decided_grade, c.computed_grade))
           FROM cqs.organisation_year c JOIN cqs.organisation o ON o.organisation_id = c.organisation_id
          WHERE o.parent_id = v_row.organisation_id AND c.year = v_row.year),
        (SELECT string_agg(o.code, ', ' ORDER BY o.code)
           FROM cqs.organisation_year c JOIN cqs.organisation o ON o.organisation_id = c.organisation_id
          WHERE o.parent_id = v_row.organisation_id AND c.year = v_row.year
            AND coalesce(c.decided_grade, c.computed_grade) IS NULL));
      UPDATE cqs.organisation_year oy
         SET computed_grade = v_g.grade, needs_decision_reason = v_g.needs_decision, quota_outcome = NULL
       WHERE oy.organisation_id = v_row.organisation_id AND oy.year = v_row.year;
      v_n := v_n + 1;
    END LOOP;
  END LOOP;

  -- Art. 8.5: per recognising authority, xuat_sac <= rate x tot, counting the grades the
  -- authority decided (in the decree's gaps) as well as the computed ones.
  WITH g AS (
    SELECT oy.organisation_id, o.parent_id,
           cqs._array_sum(oy.general_scores) + cqs._array_sum(oy.task_scores) AS score,
           coalesce(oy.decided_grade, oy.computed_grade) AS computed_grade
      FROM cqs.organisation_year oy JOIN cqs.organisation o USING (organisation_id)
     WHERE oy.year = grade_organisations.year
  ), k AS (
    SELECT parent_id,
           cqs.excellent_quota((count(*) FILTER (WHERE computed_grade = 'tot'))::integer,
                               (count(*) FILTER (WHERE computed_grade = 'xuat_sac'))::integer,
                               coalesce((SELECT max(d.rate) FROM cqs.quota_decision d
                                          WHERE d.organisation_id = g.parent_id AND d.year = grade_organisations.year
                                            AND NOT d.for_people), 0.20)) AS k
      FROM g GROUP BY parent_id
  ), ranked AS (
    SELECT g.organisation_id, g.score, k.k,
           rank() OVER w AS rnk, count(*) OVER (PARTITION BY g.parent_id, g.score) AS same_score,
           rank() OVER w + count(*) OVER (PARTITION BY g.parent_id, g.score) - 1 AS last_rank
      FROM g JOIN k ON k.parent_id IS NOT DISTINCT FROM g.parent_id
     WHERE g.computed_grade = 'xuat_sac'
    WINDOW w AS (PARTITION BY g.parent_id ORDER BY g.score DESC)
  )
  UPDATE cqs.organisation_year oy
     SET quota_outcome = CASE WHEN r.last_rank <= r.k THEN 'keeps'
                              WHEN r.rnk > r.k THEN 'loses'
                              ELSE 'tie_at_cutoff' END
    FROM ranked r
   WHERE oy.organisation_id = r.organisation_id AND oy.year = grade_organisations.year;
  RETURN v_n;
END $$;
COMMENT ON FUNCTION cqs.grade_organisations(integer) IS
  'Art. 8-9: grade every organisation of a year, lower units first, and propose the Art. 8.5 quota per recognising authority (ties at the cut-off flagged)';

-- Grade the year: organisations first (Art. 9.1), then every person posted in the year.
-- Set-wise: one statement computes every person's year up to the heads' cap into a work
-- table, written once; a second one applies the quota and writes cqs.year_result.  The
-- postings in force, months, periods and time worked come from joins and aggregates, not
-- from SQL functions called per person or per month (cqs.period_key is called only for
-- someone who was in a monthly organisation and a quarterly one in the year).
CREATE FUNCTION cqs.grade_year(year integer)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET client_min_messages = warning
SET jit = off AS $$
#variable_conflict use_column
DECLARE
  v_first date := make_date(grade_year.year, 1, 1);
  v_last  date := make_date(grade_year.year, 12, 31);
  v_n     bigint;
  v_stale record;
BEGIN
  PERFORM cqs._check_version();
  IF grade_year.year IS NULL OR grade_year.year NOT BETWEEN 2000 AND 2100 THEN
    RAISE EXCEPTION 'year must be between 2000 and 2100, got %', grade_year.year
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- The year's months are closed to writers while it is graded; it is graded only on
  -- current results (the one-writer design: nothing queued or stale in the year).
  PERFORM cqs._lock_years(ARRAY(SELECT m::date FROM generate_series(v_first, v_last, interval '1 month') AS m), true);
  SELECT (SELECT count(*) FROM cqs.refresh_queue q WHERE q.month BETWEEN v_first AND v_last) AS queued,
         (SELECT array_agg(s.month ORDER BY s.month) FROM cqs.stale_month s WHERE s.month BETWEEN v_first AND v_last) AS months
    INTO v_stale;
  IF v_stale.queued > 0 OR v_stale.months IS NOT NULL THEN
    RAISE EXCEPTION 'cannot grade %: results are stale (% person-months queued, stale months %)',
                    grade_year.year, v_stale.queued, coalesce(v_stale.months::text, 'none')
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'CALL cqs.process_queue() (or SELECT cqs.rebuild()) first.';
  END IF;
  PERFORM cqs.grade_organisations(grade_year.year);

  -- A work table of its own, made here with the owner's rights.  pg_temp is the caller's
  -- session's, and the caller may have prepared a table of this name (with triggers or
  -- rules that would run with the owner's rights): whatever is there is dropped first,
  -- and the table is made anew (an object of another kind under the name is an error).
  DROP TABLE IF EXISTS pg_temp._cqs_year;
  CREATE TEMP TABLE _cqs_year (
    person_id bigint PRIMARY KEY, person_kind text, organisation_id bigint, using_agency_id bigint, role text,
    duty_group text, worked interval, months_worked integer, months_counted integer, missing text[],
    mean_total numeric, exact_mean numeric, score_grade cqs.grade, reasons text[], cap_reason text,
    capped cqs.grade, not_graded text, period_totals jsonb) ON COMMIT DROP;

  INSERT INTO _cqs_year
  WITH ps AS (
    -- The postings in force at some point from 1/1 to the special units' deadline (14/01
    -- next year), each with its organisation's cadence and evaluation start, the start of
    -- the person's next posting, and whether any of the person's postings is in a monthly
    -- organisation.
    SELECT p.posting_id, p.person_id, p.organisation_id, p.role, p.start_date, p.end_date,
           pol.cadence, pol.evaluation_start,
           lead(p.start_date) OVER (PARTITION BY p.person_id ORDER BY p.start_date) AS next_start,
           bool_or(pol.cadence = 'monthly') OVER (PARTITION BY p.person_id) AS has_monthly
      FROM cqs.posting p
      JOIN cqs.organisation_policy pol ON pol.organisation_id = p.organisation_id
     WHERE p.start_date <= make_date(grade_year.year + 1, 1, 14) AND (p.end_date IS NULL OR p.end_date >= v_first)
  ), pe AS (
    -- Everyone posted in the year, with the posting in force on the grading deadline (the
    -- latest starting on or before it, as cqs.posting_in_force), the one in force on the
    -- special units' deadline, the one in force in the year; whether they led a unit in the
    -- year; and the days of the year they were posted.
    SELECT ps.person_id,
           max(ps.posting_id) FILTER (WHERE ps.start_date <= make_date(grade_year.year, 12, 14)
                                        AND (ps.next_start IS NULL OR ps.next_start > make_date(grade_year.year, 12, 14)))
             AS at_deadline,
           max(ps.posting_id) FILTER (WHERE ps.next_start IS NULL) AS at_special_deadline,
           max(ps.posting_id) FILTER (WHERE ps.start_date <= v_last AND (ps.next_start IS NULL OR ps.next_start > v_last))
             AS in_year,
           coalesce(bool_or(ps.role IN ('head', 'deputy')) FILTER (WHERE ps.start_date <= v_last), false) AS led_in_year,
           range_agg(daterange(greatest(ps.start_date, v_first), least(coalesce(ps.end_date, v_last), v_last), '[]'))
             FILTER (WHERE ps.start_date <= v_last) AS posted
      FROM ps
     GROUP BY ps.person_id
    HAVING bool_or(ps.start_date <= v_last)
  ), lv AS (
    SELECT lr.person_id, range_agg(daterange(lr.start_date, lr.end_date, '[]')) AS away,
           range_agg(daterange(lr.start_date, lr.end_date, '[]')) FILTER (WHERE lr.kind IN ('sick', 'maternity')) AS sick
      FROM cqs.leave_record lr
     WHERE lr.start_date <= v_last AND lr.end_date >= v_first
     GROUP BY lr.person_id
  ), pm AS NOT MATERIALIZED (
    -- The months worked (posted at some point and not on leave for the whole month), each
    -- with the evaluation period it belongs to (Art. 12, 17.3, 19.1).  The posting in force
    -- in a month is the latest starting: a posting has the months from the one it starts in
    -- (or January) to the one it ends in (or December), up to the month before the one the
    -- person's next posting starts in.  Its organisation's cadence gives the period: in a
    -- monthly organisation the month; in a quarterly one the person's quarter
    -- (cqs.period_key, which looks for postings in monthly organisations: someone who was
    -- never in one in the year has the calendar quarter).  The managing agency's
    -- evaluation_start says whether the month is evaluated under the decree.
    SELECT ps.person_id, m.month,
           CASE WHEN ps.cadence <> 'quarterly' THEN m.month
                WHEN ps.has_monthly THEN cqs.period_key(ps.person_id, m.month, ps.cadence)
                ELSE date_trunc('quarter', m.month::timestamp without time zone)::date END AS period,
           CASE WHEN ps.cadence <> 'quarterly' THEN 'month'
                WHEN ps.has_monthly THEN cqs.period_kind_of(ps.person_id, m.month, ps.cadence)
                ELSE 'quarter' END AS period_kind,
           ps.evaluation_start IS NULL OR m.month >= ps.evaluation_start AS evaluated,
           ps.cadence = 'quarterly' AS quarterly
      FROM ps
      CROSS JOIN LATERAL (
        SELECT g::date AS month
          FROM generate_series(date_trunc('month', greatest(ps.start_date, v_first)),
                               least(coalesce(ps.end_date, v_last), v_last,
                                     (date_trunc('month', ps.next_start) - interval '1 day')::date),
                               interval '1 month') AS g) m
     WHERE ps.start_date <= v_last
       AND NOT EXISTS (SELECT 1 FROM cqs.leave_record l
                        WHERE l.person_id = ps.person_id AND l.start_date <= m.month
                          AND l.end_date >= (m.month + interval '1 month - 1 day')::date)
  ), pp AS (
    -- Per period worked (evaluated under the decree), the months worked in it (only a
    -- quarterly organisation's periods have more than one); a month before the start is its
    -- own period, kept only where the previous system's total was imported.
    SELECT pm.person_id, pm.month AS period, 'month' AS period_kind, pm.evaluated, 1 AS months
      FROM pm
     WHERE NOT (pm.evaluated AND pm.quarterly)
    UNION ALL
    SELECT pm.person_id, pm.period, pm.period_kind, true, count(*)
      FROM pm
     WHERE pm.evaluated AND pm.quarterly
     GROUP BY pm.person_id, pm.period, pm.period_kind
  ), ok AS (
    -- The year's results that count (Art. 17.2-17.3): confirmed by the evaluator, or locked.
    SELECT r.person_id, r.period, r.total
      FROM cqs.period_result r
      LEFT JOIN cqs.assessment a
             ON a.person_id = r.person_id AND a.period = r.period AND a.status IN ('confirmed', 'locked')
     WHERE r.period BETWEEN v_first AND v_last AND r.total IS NOT NULL
       AND (r.lock_id IS NOT NULL OR a.person_id IS NOT NULL)
  ), s AS (
    -- The year's score on complete, confirmed periods only: every period worked must have
    -- a result that counts (or a total imported from the previous system).  Otherwise the
    -- year is incomplete: the periods are listed and no grade is proposed.  The mean weighs
    -- each period by the months worked in it (a quarter worked one month weighs one).  The
    -- totals it reads are kept with the year (period_totals): a later change turns the year
    -- stale.
    SELECT w.person_id, sum(w.months)::integer AS months_worked,
           (count(*) FILTER (WHERE w.total IS NOT NULL))::integer AS counted,
           coalesce(array_agg(CASE w.period_kind WHEN 'quarter' THEN to_char(w.period, 'YYYY-"Q"Q')
                                                 ELSE to_char(w.period, 'YYYY-MM') END ORDER BY w.period)
                      FILTER (WHERE w.total IS NULL), '{}') AS missing,
           sum(w.total * w.months) AS weighted, sum(w.months) FILTER (WHERE w.total IS NOT NULL) AS weights,
           coalesce(jsonb_object_agg(w.period, w.total) FILTER (WHERE w.total IS NOT NULL), '{}') AS totals
      FROM (SELECT pp.person_id, pp.period, pp.period_kind, pp.months,
                   CASE WHEN pp.evaluated THEN coalesce(ok.total, it.total) ELSE it.total END AS total
              FROM pp
              LEFT JOIN ok ON pp.evaluated AND ok.person_id = pp.person_id AND ok.period = pp.period
              LEFT JOIN cqs.imported_total it ON it.person_id = pp.person_id AND it.period = pp.period
             WHERE pp.evaluated OR it.person_id IS NOT NULL) w
     GROUP BY w.person_id
  ), o AS (
    -- Overrides (Art. 20.4, 11.3): each forces khong_hoan_thanh, with its reason.  The
    -- leaders' override (Art. 20.4.d) holds for whoever led a unit in the year, even if they
    -- no longer lead one on 31/12.
    SELECT r.person_id, array_agg(r.reason ORDER BY r.reason) AS reasons
      FROM (
        SELECT d.person_id,
               format('Art. 20.4.c, 11.3: %s discipline %s (%s, %s) for act %s at organisation %s',
                      d.kind, d.level, d.decision_ref, to_char(d.decision_date, 'YYYY-MM-DD'), d.act_ref, d.act_organisation_id) AS reason
          FROM cqs.discipline_counted d
         WHERE d.counts AND d.counted_year = grade_year.year
        UNION ALL
        SELECT o.person_id,
               format('%s: %s (%s, %s, %s)',
                      CASE o.kind WHEN 'degradation' THEN 'Art. 20.4.b'
                                  WHEN 'corruption_waste_in_unit' THEN 'Art. 20.4.d'
                                  ELSE 'Art. 11.3.b, 20.4.c' END,
                      o.reason, o.decided_by, to_char(o.decided_on, 'YYYY-MM-DD'), o.reference)
          FROM cqs.year_override o
          JOIN pe ON pe.person_id = o.person_id
         WHERE o.year = grade_year.year
           AND (o.kind <> 'corruption_waste_in_unit' OR pe.led_in_year)) r
     GROUP BY r.person_id
  )
  SELECT pe.person_id, per.kind, g.organisation_id, pol.using_agency_id, g.role, g.duty_group, t.worked,
         coalesce(s.months_worked, 0), coalesce(s.counted, 0), coalesce(s.missing, '{}'),
         m.mean_total, m.exact_mean, cqs.classify(m.mean_total), coalesce(o.reasons, '{}'),
         -- Art. 20.6: a head's grade never exceeds their organisation's (before the quota: a
         -- head capped below xuat_sac is no candidate, and counts as tot only if capped at tot).
         CASE WHEN g.role <> 'head' THEN NULL
              WHEN orr.organisation_id IS NULL
                THEN CASE WHEN c.pre_cap IS NOT NULL
                          THEN 'organisation not graded yet: Art. 20.6 caps the head at its grade' END
              WHEN orr.final_grade IS NULL THEN 'organisation not graded yet: Art. 20.6 caps the head at its grade'
              WHEN c.pre_cap > orr.final_grade
                THEN format('Art. 20.6: capped at the organisation''s grade %s (from %s)', orr.final_grade, c.pre_cap) END,
         CASE WHEN g.role = 'head' AND orr.final_grade IS NOT NULL AND c.pre_cap > orr.final_grade THEN orr.final_grade
              ELSE c.pre_cap END,
         c.not_graded, s.totals
    FROM pe
    -- Grading organisation (Art. 19.1): where the person works at grading time, on or
    -- before the deadline ("trước ngày 15/12": 14/12; special units 14/01 next year,
    -- Art. 19.2) -- a transfer after it does not move the year; someone who only joined
    -- after it is graded (or not) by the posting they have.
    LEFT JOIN cqs.posting dl ON dl.posting_id = pe.at_deadline
    LEFT JOIN cqs.organisation dlo ON dlo.organisation_id = dl.organisation_id
    JOIN cqs.posting g ON g.posting_id = CASE WHEN dlo.special_deadline THEN pe.at_special_deadline
                                              ELSE coalesce(pe.at_deadline, pe.in_year) END
    JOIN cqs.person per ON per.person_id = pe.person_id
    JOIN cqs.organisation_policy pol ON pol.organisation_id = g.organisation_id
    LEFT JOIN lv ON lv.person_id = pe.person_id
    LEFT JOIN s ON s.person_id = pe.person_id
    LEFT JOIN o ON o.person_id = pe.person_id
    LEFT JOIN cqs.organisation_results orr
           ON g.role = 'head' AND orr.organisation_id = g.organisation_id AND orr.year = grade_year.year
    -- Time worked (Art. 11.1-2, 19.3): a duration, in days, from the postings in the year
    -- less every leave, as the calendar months and days of each span, added; "6 months" is
    -- six calendar months of it, not months touched (a posting from 31 July is 5 months 1
    -- day).  Sick and maternity leave count towards the 6 months for the exception: graded
    -- then on the months actually worked.
    CROSS JOIN LATERAL (
      SELECT pe.posted - coalesce(lv.away, '{}') AS days, pe.posted * coalesce(lv.sick, '{}') AS sick) d
    CROSS JOIN LATERAL (
      SELECT (SELECT coalesce(sum(age(upper(r)::timestamp without time zone, lower(r)::timestamp without time zone)),
                              interval '0')
                FROM unnest(d.days) AS r) AS worked,
             (SELECT coalesce(sum(age(upper(r)::timestamp without time zone, lower(r)::timestamp without time zone)),
                              interval '0')
                FROM unnest(d.days + d.sick) AS r) AS worked_or_sick) t
    CROSS JOIN LATERAL (
      SELECT CASE WHEN s.counted > 0 AND cardinality(s.missing) = 0 THEN round(s.weighted / s.weights, pol.decimals) END
               AS mean_total,
             CASE WHEN s.counted > 0 AND cardinality(s.missing) = 0 THEN s.weighted / s.weights END AS exact_mean) m
    CROSS JOIN LATERAL (
      SELECT CASE
               WHEN t.worked < interval '6 months' AND NOT (NOT isempty(d.sick) AND t.worked_or_sick >= interval '6 months')
                 THEN format('worked %s month(s) %s day(s) in %s, less than 6 months (Art. 11.1)',
                             extract(year FROM justify_days(t.worked)) * 12 + extract(month FROM justify_days(t.worked)),
                             extract(day FROM justify_days(t.worked)), grade_year.year)
               WHEN cardinality(s.missing) > 0
                 THEN format('incomplete: no confirmed result for %s (Art. 17.2-17.3); graded once they are evaluated',
                             array_to_string(s.missing, ', '))
               WHEN coalesce(s.counted, 0) = 0
                 THEN 'no monthly or quarterly result in the months worked (Art. 17.3)' END AS not_graded) n
    CROSS JOIN LATERAL (
      SELECT CASE WHEN n.not_graded IS NOT NULL THEN NULL
                  WHEN cardinality(o.reasons) > 0 THEN 'khong_hoan_thanh'::cqs.grade
                  ELSE cqs.classify(m.mean_total) END AS pre_cap, n.not_graded) c;
  GET DIAGNOSTICS v_n = ROW_COUNT;

  -- Quota (Art. 20.5) per using agency and duty group, among civil servants only (support
  -- staff under labour contracts, Art. 28.2, are outside it): propose by score, flag ties
  -- at the cut-off, apply the authority's recorded choices.
  DELETE FROM cqs.year_result r WHERE r.year = grade_year.year
     AND NOT EXISTS (SELECT 1 FROM _cqs_year y WHERE y.person_id = r.person_id);
  INSERT INTO cqs.year_result AS r
        (person_id, year, organisation_id, using_agency_id, role, duty_group, months_worked, months_counted,
         mean_total, score_grade, override_reasons, quota_outcome, cap_reason, proposed_grade,
         not_graded_reason, computed_at, stale, period_totals, worked, missing_periods, rounding_note)
  WITH k AS (
    SELECT y.using_agency_id, y.duty_group,
           cqs.excellent_quota((count(*) FILTER (WHERE y.capped = 'tot'))::integer,
                               (count(*) FILTER (WHERE y.capped = 'xuat_sac'))::integer,
                               coalesce((SELECT max(d.rate) FROM cqs.quota_decision d
                                          WHERE d.organisation_id = y.using_agency_id AND d.year = grade_year.year
                                            AND d.for_people AND d.duty_group IN ('*', y.duty_group)), 0.20)) AS k
      FROM _cqs_year y
     WHERE y.person_kind = 'civil_servant'
     GROUP BY y.using_agency_id, y.duty_group
  ), ranked AS (
    SELECT y.person_id, k.k, rank() OVER w AS rnk,
           rank() OVER w + count(*) OVER (PARTITION BY y.using_agency_id, y.duty_group, y.mean_total) - 1 AS last_rank
      FROM _cqs_year y JOIN k USING (using_agency_id, duty_group)
     WHERE y.person_kind = 'civil_servant' AND y.capped = 'xuat_sac'
    WINDOW w AS (PARTITION BY y.using_agency_id, y.duty_group ORDER BY y.mean_total DESC)
  ), q AS (
    SELECT r.person_id,
           CASE WHEN qc.keeps THEN 'kept_by_authority'
                WHEN NOT qc.keeps THEN 'lost_by_authority'
                WHEN r.last_rank <= r.k THEN 'keeps'
                WHEN r.rnk > r.k THEN 'loses'
                ELSE 'tie_at_cutoff' END AS quota_outcome
      FROM ranked r
      LEFT JOIN cqs.quota_choice qc ON qc.person_id = r.person_id AND qc.year = grade_year.year
  )
  SELECT y.person_id, grade_year.year, y.organisation_id, y.using_agency_id, y.role, y.duty_group, y.months_worked,
         y.months_counted, y.mean_total, y.score_grade, y.reasons, q.quota_outcome, y.cap_reason,
         CASE WHEN q.quota_outcome IN ('loses', 'lost_by_authority') THEN 'tot'
              WHEN q.quota_outcome = 'tie_at_cutoff' THEN NULL
              ELSE y.capped END,
         y.not_graded, now(), false, coalesce(y.period_totals, '{}'), y.worked, y.missing,
         cqs._rounding_note(y.exact_mean, y.mean_total)
    FROM _cqs_year y
    LEFT JOIN q ON q.person_id = y.person_id
  ON CONFLICT (person_id, year) DO UPDATE
     SET organisation_id = excluded.organisation_id, using_agency_id = excluded.using_agency_id,
         role = excluded.role, duty_group = excluded.duty_group, months_worked = excluded.months_worked,
         months_counted = excluded.months_counted, mean_total = excluded.mean_total,
         score_grade = excluded.score_grade, override_reasons = excluded.override_reasons,
         quota_outcome = excluded.quota_outcome, cap_reason = excluded.cap_reason,
         proposed_grade = excluded.proposed_grade, not_graded_reason = excluded.not_graded_reason,
         computed_at = excluded.computed_at, stale = false, period_totals = excluded.period_totals,
         worked = excluded.worked, missing_periods = excluded.missing_periods,
         rounding_note = excluded.rounding_note
   -- A year graded as before is left as it is (computed_at: when it was last graded
   -- differently, or found stale).  Compared as text: 85.5 and 85.50, or 30 days and
   -- 1 month, are equal numbers but not the same result.
   WHERE r.stale
      OR ROW(r.organisation_id, r.using_agency_id, r.role, r.duty_group, r.months_worked, r.months_counted,
             r.mean_total, r.score_grade, r.override_reasons, r.quota_outcome, r.cap_reason, r.proposed_grade,
             r.not_graded_reason, r.period_totals, r.worked, r.missing_periods, r.rounding_note)::text
         <> ROW(excluded.organisation_id, excluded.using_agency_id, excluded.role, excluded.duty_group,
                 excluded.months_worked, excluded.months_counted, excluded.mean_total, excluded.score_grade,
                 excluded.override_reasons, excluded.quota_outcome, excluded.cap_reason, excluded.proposed_grade,
                 excluded.not_graded_reason, excluded.period_totals, excluded.worked, excluded.missing_periods,
                 excluded.rounding_note)::text;
  DROP TABLE pg_temp._cqs_year;
  RETURN v_n;
END $$;
COMMENT ON FUNCTION cqs.grade_year(integer) IS
  'Art. 8-9, 11, 17.3, 19-20: grade a year: organisations (lower first, quota), then every person: months worked, mean total, overrides, quota per organisation and duty group, heads capped by their organisation';
-- Layer 4b: who acts, and what they may do (Art. 10, 17.2, 21, 22; HB ch. VIII).
--
-- The actor is a database login -- the role set with SET ROLE, else the session's
-- login -- and, through it, a person: the person the login is linked to
-- (cqs.person_login), or the person a portal acts for in this transaction
-- (cqs.act_as).  Rights come from the actor's postings (heads evaluate their units) and
-- mandates (personnel section, grading authority, analyst), never from what a client
-- says.  Every function here runs with the owner's rights only to read those records;
-- none of them writes.

-- The key that signs a portal's "acting for" token: random per install, never dumped,
-- never granted.  (A restore makes a new one; tokens live for one transaction.)
CREATE TABLE cqs._secret (k bytea NOT NULL);
INSERT INTO cqs._secret
SELECT decode(replace(gen_random_uuid()::text || gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex');
REVOKE ALL ON cqs._secret FROM PUBLIC;

-- The login acting: the role set by SET ROLE, else the session's login.  (Inside the
-- extension's owner-rights functions current_user is the owner; these two are not.)
CREATE FUNCTION cqs._actor_login() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
RETURN coalesce(nullif(pg_catalog.current_setting('role'), 'none'), (SESSION_USER)::text);

-- Is a login a member (directly or not) of a group role?  False if either is missing.
CREATE FUNCTION cqs._in_group(login text, group_role text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN EXISTS (SELECT 1 FROM pg_catalog.pg_roles g, pg_catalog.pg_roles l
                WHERE g.rolname = group_role AND l.rolname = login
                  AND pg_catalog.pg_has_role(l.oid, g.oid, 'MEMBER'));

CREATE FUNCTION cqs._is_superuser(login text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = login), false);

-- The token binding a person to this transaction (its start, to the microsecond), signed
-- with the key (nested hash, so a token cannot be extended into another).  Not bound to
-- the backend's pid: a parallel worker checks it too, and shares the transaction's start
-- but not the pid.  Owner only.
CREATE FUNCTION cqs._token(person_id bigint) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT $1::text || ':' ||
         encode(sha256(s.k || sha256(s.k || convert_to(format('%s/%s', $1, extract(epoch FROM now())), 'UTF8'))), 'hex')
    FROM cqs._secret s
$$;
REVOKE EXECUTE ON FUNCTION cqs._token(bigint) FROM PUBLIC;

-- The person this transaction acts for through cqs.act_as, if its token is genuine.
CREATE FUNCTION cqs._token_person() RETURNS bigint
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_tok    text := current_setting('cqs.acting_person', true);
  v_person bigint;
BEGIN
  IF v_tok IS NULL OR v_tok !~ '^[0-9]{1,18}:[0-9a-f]{64}$' THEN
    RETURN NULL;
  END IF;
  v_person := split_part(v_tok, ':', 1)::bigint;
  IF cqs._token(v_person) = v_tok THEN
    RETURN v_person;
  END IF;
  RETURN NULL;
END $$;

-- The acting person: the one a portal acts for in this transaction, else the person the
-- login is linked to, else nobody (NULL).  A forged token acts for nobody.
CREATE FUNCTION cqs.acting_person() RETURNS bigint
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF coalesce(current_setting('cqs.acting_person', true), '') <> '' THEN
    RETURN cqs._token_person();
  END IF;
  RETURN (SELECT l.person_id FROM cqs.person_login l WHERE l.login = cqs._actor_login());
END $$;
COMMENT ON FUNCTION cqs.acting_person() IS
  'The person acting: the one a portal acts for in this transaction (cqs.act_as), else the person linked to the login (cqs.person_login), else NULL';

-- A portal that authenticated a person acts for them until the transaction ends; from
-- then on every policy and competence check is that person's.  Portal logins (members
-- of cqs_portal) and superusers only; one person per transaction.
CREATE FUNCTION cqs.act_as(person_id bigint) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_login text := cqs._actor_login();
  v_now   bigint;
BEGIN
  IF NOT (cqs._in_group(v_login, 'cqs_portal') OR cqs._is_superuser(v_login)) THEN
    RAISE EXCEPTION 'login % may not act for another person', v_login
      USING ERRCODE = 'insufficient_privilege',
            HINT = 'Only portal logins (members of cqs_portal) act for the people they authenticated.';
  END IF;
  IF act_as.person_id IS NULL OR NOT EXISTS (SELECT 1 FROM cqs.person p WHERE p.person_id = act_as.person_id) THEN
    RAISE EXCEPTION 'no person %', coalesce(act_as.person_id::text, 'NULL') USING ERRCODE = 'invalid_parameter_value';
  END IF;
  v_now := cqs._token_person();
  IF v_now IS NOT NULL AND v_now <> act_as.person_id THEN
    RAISE EXCEPTION 'this transaction already acts for person %; it cannot act for person % too', v_now, act_as.person_id
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'One authenticated person per transaction.';
  END IF;
  PERFORM set_config('cqs.acting_person', cqs._token(act_as.person_id), true);
  RETURN act_as.person_id;
END $$;
COMMENT ON FUNCTION cqs.act_as(bigint) IS
  'Portals: act for one authenticated person until the end of the transaction; the database then enforces that person''s rights';

-- The same, by the national personnel-record id (mã hồ sơ), which is what a portal's
-- own user records usually hold: a portal acting for nobody cannot read cqs.person.
CREATE FUNCTION cqs.act_as(personnel_id text) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_person bigint;
BEGIN
  IF NOT (cqs._in_group(cqs._actor_login(), 'cqs_portal') OR cqs._is_superuser(cqs._actor_login())) THEN
    RAISE EXCEPTION 'login % may not act for another person', cqs._actor_login()
      USING ERRCODE = 'insufficient_privilege',
            HINT = 'Only portal logins (members of cqs_portal) act for the people they authenticated.';
  END IF;
  SELECT p.person_id INTO v_person FROM cqs.person p WHERE p.personnel_id = act_as.personnel_id;
  IF v_person IS NULL THEN
    RAISE EXCEPTION 'no person with personnel id "%"', act_as.personnel_id USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN cqs.act_as(v_person);
END $$;
COMMENT ON FUNCTION cqs.act_as(text) IS
  'Portals: act for the person with this personnel-record id (mã hồ sơ) until the end of the transaction';

-- The organisations (each mandate's subtree) where the actor holds a mandate today.  A
-- portal acting for a person has that person's mandates only; a login has its own and
-- its person's.  identified_only: analysts count only with an identified mandate.
CREATE FUNCTION cqs._mandate_scope(kinds text[], identified_only boolean DEFAULT false) RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
  WITH who AS (
    SELECT cqs.acting_person() AS person_id,
           CASE WHEN cqs._token_person() IS NULL THEN cqs._actor_login() END AS login
  )
  SELECT coalesce(array_agg(DISTINCT c.descendant_id), '{}')
    FROM who, cqs.mandate m
    JOIN cqs.organisation_closure c ON c.ancestor_id = m.organisation_id
   WHERE m.kind = ANY ($1)
     AND (m.person_id = who.person_id OR m.login = who.login)
     AND (NOT $2 OR m.kind <> 'analyst' OR m.identified)
     AND m.valid_from <= current_date AND (m.valid_to IS NULL OR m.valid_to >= current_date)
$$;

-- Scopes the row-level policies read (each computed once per query).
-- Results (scores, grades): every mandate, analysts included.
CREATE FUNCTION cqs._seen_organisations() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE
RETURN cqs._mandate_scope(ARRAY['personnel', 'authority', 'analyst'], false);
-- Identifying records (names, postings, task lines, leave, discipline): not analysts,
-- unless identified.
CREATE FUNCTION cqs._identified_organisations() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE
RETURN cqs._mandate_scope(ARRAY['personnel', 'authority', 'analyst'], true);
CREATE FUNCTION cqs._personnel_organisations() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE
RETURN cqs._mandate_scope(ARRAY['personnel'], false);
CREATE FUNCTION cqs._authority_organisations() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE
RETURN cqs._mandate_scope(ARRAY['authority'], false);

-- Is the login one of the extension's administrators (cqs_admin) or a superuser?
CREATE FUNCTION cqs._is_admin() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN cqs._in_group(cqs._actor_login(), 'cqs_admin') OR cqs._is_superuser(cqs._actor_login());

-- The evaluation periods a span of days touches, as a range of days from the first
-- period's start to the last period's end (open-ended spans stay open).
CREATE FUNCTION cqs._period_span(from_day date, to_day date, cadence text) RETURNS daterange
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN daterange(cqs.period_start(from_day, cadence),
                 CASE WHEN to_day IS NOT NULL
                      THEN cqs.period_end(cqs.period_start(to_day, cadence),
                                          CASE cadence WHEN 'quarterly' THEN 'quarter' ELSE 'month' END) END,
                 '[)');

-- The people the acting person evaluates (Art. 10), with the organisation they were
-- evaluated in: exactly the (person, organisation) pairs of the periods for which
-- cqs.competent_evaluators names the acting person, computed over whole periods at once.
--   - As head of a unit: its staff and deputies, for the periods the head overlaps;
--   - the heads of the units below, and the staff of units below while those had no
--     head, when this unit is the nearest one above with a head (the periods are walked
--     up the tree, each unit's heads taking the periods they cover);
--   - as a deputy with an assigned field, where the agency delegated it: the unit's
--     staff of that field.
CREATE FUNCTION cqs._evaluated() RETURNS TABLE (person_id bigint, organisation_id bigint)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER ROWS 50 SET search_path = pg_catalog, pg_temp SET jit = off AS $$
  WITH RECURSIVE
  mine AS (
    SELECT h.* FROM cqs.posting h WHERE h.person_id = cqs.acting_person() AND h.role IN ('head', 'deputy')
  ),
  -- Every organisation at or below a unit the acting person heads.
  below AS (
    SELECT DISTINCT c.descendant_id AS organisation_id
      FROM mine h JOIN cqs.organisation_closure c ON c.ancestor_id = h.organisation_id
     WHERE h.role = 'head'
  ),
  -- The periods each of those organisations had a head, by cadence.
  headed AS (
    SELECT h.organisation_id, cad.cadence, range_agg(cqs._period_span(h.start_date, h.end_date, cad.cadence)) AS periods
      FROM cqs.posting h JOIN below b USING (organisation_id)
     CROSS JOIN (VALUES ('monthly'), ('quarterly')) AS cad(cadence)
     WHERE h.role = 'head'
     GROUP BY h.organisation_id, cad.cadence
  ),
  -- Everyone posted below, with the periods of their posting.
  subs AS (
    SELECT s.person_id, s.organisation_id, s.role, pol.cadence,
           datemultirange(cqs._period_span(s.start_date, s.end_date, pol.cadence)) AS periods
      FROM cqs.posting s JOIN below b USING (organisation_id)
      JOIN cqs.organisation_policy pol ON pol.organisation_id = s.organisation_id
     WHERE s.person_id <> cqs.acting_person()
  ),
  -- Walk up from each posting with the periods nobody nearer has covered yet: a head's
  -- own unit covers nothing of theirs; a staff member's or deputy's unit covers its heads'.
  walk (person_id, organisation_id, cadence, distance, open_periods) AS (
    SELECT s.person_id, s.organisation_id, s.cadence, 0,
           CASE WHEN s.role = 'head' THEN s.periods ELSE s.periods - coalesce(hd.periods, '{}') END
      FROM subs s LEFT JOIN headed hd ON hd.organisation_id = s.organisation_id AND hd.cadence = s.cadence
    UNION ALL
    SELECT w.person_id, w.organisation_id, w.cadence, w.distance + 1, w.open_periods - coalesce(hd.periods, '{}')
      FROM walk w
      JOIN cqs.organisation_closure c ON c.descendant_id = w.organisation_id AND c.distance = w.distance + 1
      JOIN below b ON b.organisation_id = c.ancestor_id
      LEFT JOIN headed hd ON hd.organisation_id = c.ancestor_id AND hd.cadence = w.cadence
     WHERE NOT isempty(w.open_periods)
  )
  -- Staff and deputies of a unit the acting person heads, while they head it.
  SELECT s.person_id, s.organisation_id
    FROM subs s JOIN mine h ON h.organisation_id = s.organisation_id AND h.role = 'head'
   WHERE s.role <> 'head' AND s.periods && cqs._period_span(h.start_date, h.end_date, s.cadence)
  UNION
  -- Anyone below whose open periods reach a unit the acting person heads, while they head it.
  SELECT w.person_id, w.organisation_id
    FROM walk w
    JOIN cqs.organisation_closure c ON c.descendant_id = w.organisation_id AND c.distance = w.distance + 1
    JOIN mine h ON h.organisation_id = c.ancestor_id AND h.role = 'head'
   WHERE w.open_periods && cqs._period_span(h.start_date, h.end_date, w.cadence)
  UNION
  -- A deputy's field, where the agency delegated it.
  SELECT s.person_id, s.organisation_id
    FROM mine h JOIN cqs.posting s ON s.organisation_id = h.organisation_id
   WHERE h.role = 'deputy' AND s.role = 'staff' AND s.field = h.field AND s.person_id <> h.person_id
     AND daterange(s.start_date, s.end_date, '[]') && daterange(h.start_date, h.end_date, '[]')
     AND EXISTS (SELECT 1 FROM cqs.delegation d
                   JOIN cqs.organisation_closure c ON c.ancestor_id = d.organisation_id
                  WHERE c.descendant_id = h.organisation_id
                    AND daterange(d.valid_from, d.valid_to, '[]') && daterange(h.start_date, h.end_date, '[]'))
$$;

-- The people whose identifying records the actor may read: themself, those they
-- evaluate, and everyone ever posted where they hold an identified mandate.
CREATE FUNCTION cqs._identified_people() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
  SELECT coalesce(array_agg(DISTINCT x.person_id), '{}')
    FROM (SELECT cqs.acting_person() AS person_id
          UNION ALL
          SELECT e.person_id FROM cqs._evaluated() e
          UNION ALL
          SELECT ps.person_id FROM cqs.posting ps
           WHERE ps.organisation_id = ANY (cqs._identified_organisations())) x
   WHERE x.person_id IS NOT NULL
$$;

-- The people whose records the personnel section acting may manage.
CREATE FUNCTION cqs._personnel_people() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
  SELECT coalesce(array_agg(DISTINCT ps.person_id), '{}')
    FROM cqs.posting ps WHERE ps.organisation_id = ANY (cqs._personnel_organisations())
$$;

-- Art. 10, 17.2: who confirms a person's period -- the head(s) of the unit the person
-- was posted to for staff and deputies, and the deputies of the person's field where the
-- agency delegated it; for a head (or a unit without a head at the time), the head(s) of
-- the nearest unit above that had one, up to the managing agency.  Never the person.
CREATE FUNCTION cqs._competent_evaluators(person_id bigint, period date)
RETURNS TABLE (evaluator_id bigint, organisation_id bigint, rule text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
  v_post  cqs.posting;
  v_from  date;
  v_to    date;
  v_cad   text;
  v_anc   record;
BEGIN
  SELECT p.* INTO v_post
    FROM cqs.posting_in_force(_competent_evaluators.person_id,
                              date_trunc('month', _competent_evaluators.period::timestamp without time zone)::date,
                              (date_trunc('month', _competent_evaluators.period::timestamp without time zone)
                               + interval '1 month - 1 day')::date) p;
  IF v_post.posting_id IS NULL THEN
    RETURN;
  END IF;
  SELECT pol.cadence INTO v_cad FROM cqs.organisation_policy pol WHERE pol.organisation_id = v_post.organisation_id;
  v_from := cqs.period_start(_competent_evaluators.period, v_cad);
  v_to := cqs.period_end(v_from, CASE v_cad WHEN 'quarterly' THEN 'quarter' ELSE 'month' END) - 1;
  IF v_post.role <> 'head' AND EXISTS (
       SELECT 1 FROM cqs.posting h
        WHERE h.organisation_id = v_post.organisation_id AND h.role = 'head'
          AND h.person_id <> _competent_evaluators.person_id
          AND h.start_date <= v_to AND (h.end_date IS NULL OR h.end_date >= v_from)) THEN
    RETURN QUERY
    SELECT DISTINCT h.person_id, h.organisation_id, 'Art. 10: the head of the unit'::text
      FROM cqs.posting h
     WHERE h.organisation_id = v_post.organisation_id AND h.role = 'head'
       AND h.person_id <> _competent_evaluators.person_id
       AND h.start_date <= v_to AND (h.end_date IS NULL OR h.end_date >= v_from)
    UNION
    SELECT DISTINCT h.person_id, h.organisation_id, 'Art. 10: the deputy for the field, by the agency''s delegation'
      FROM cqs.posting h
     WHERE v_post.role = 'staff' AND h.organisation_id = v_post.organisation_id AND h.role = 'deputy'
       AND h.field = v_post.field AND h.person_id <> _competent_evaluators.person_id
       AND h.start_date <= v_to AND (h.end_date IS NULL OR h.end_date >= v_from)
       AND EXISTS (SELECT 1 FROM cqs.delegation d
                     JOIN cqs.organisation_closure c ON c.ancestor_id = d.organisation_id
                    WHERE c.descendant_id = v_post.organisation_id
                      AND d.valid_from <= v_to AND (d.valid_to IS NULL OR d.valid_to >= v_from));
    RETURN;
  END IF;
  FOR v_anc IN SELECT c.ancestor_id FROM cqs.organisation_closure c
                WHERE c.descendant_id = v_post.organisation_id AND c.distance >= 1 ORDER BY c.distance LOOP
    RETURN QUERY
    SELECT DISTINCT h.person_id, h.organisation_id, 'Art. 10: the head of the unit above'::text
      FROM cqs.posting h
     WHERE h.organisation_id = v_anc.ancestor_id AND h.role = 'head'
       AND h.person_id <> _competent_evaluators.person_id
       AND h.start_date <= v_to AND (h.end_date IS NULL OR h.end_date >= v_from);
    IF FOUND THEN
      RETURN;
    END IF;
  END LOOP;
END $$;
REVOKE EXECUTE ON FUNCTION cqs._competent_evaluators(bigint, date) FROM PUBLIC;

-- The same, for those who may read the person's records (themself, their evaluators,
-- the personnel section and other identified mandates): an empty answer otherwise.
CREATE FUNCTION cqs.competent_evaluators(person_id bigint, period date)
RETURNS TABLE (evaluator_id bigint, organisation_id bigint, rule text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT e.* FROM cqs._competent_evaluators($1, $2) e
   WHERE $1 = ANY (cqs._identified_people())
      OR (cqs.acting_person() IS NULL AND cqs._is_superuser(cqs._actor_login()))
$$;
COMMENT ON FUNCTION cqs.competent_evaluators(bigint, date) IS
  'Art. 10, 17.2: who confirms a person''s period: the head of the unit (or a deputy for their field, where delegated) for staff and deputies; the head of the nearest unit above for heads';

-- Is the acting person a competent evaluator of this person's period (Art. 10, 17.2)?
-- Answers only that, about the actor themself (the to-do list, cqs.evaluator_todo).
CREATE FUNCTION cqs._is_competent_evaluator(person_id bigint, period date) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT cqs.acting_person() IS NOT NULL
     AND EXISTS (SELECT 1 FROM cqs._competent_evaluators($1, $2) e WHERE e.evaluator_id = cqs.acting_person())
$$;
COMMENT ON FUNCTION cqs._is_competent_evaluator(bigint, date) IS
  'Art. 10, 17.2: whether the acting person is a competent evaluator of a person''s period (false when acting for nobody)';

-- Refuse unless the actor is the competent evaluator of a person's period (42501).
CREATE FUNCTION cqs._require_evaluator(p_person bigint, p_period date, p_action text) RETURNS bigint
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_me    bigint := cqs.acting_person();
  v_who   text;
BEGIN
  IF v_me IS NOT NULL AND v_me = p_person THEN
    RAISE EXCEPTION 'person % cannot % their own assessment', p_person, p_action
      USING ERRCODE = 'insufficient_privilege', HINT = 'Art. 10: nobody evaluates themself; the head of the unit (or the unit above) does.';
  END IF;
  IF v_me IS NOT NULL AND EXISTS (SELECT 1 FROM cqs._competent_evaluators(p_person, p_period) e WHERE e.evaluator_id = v_me) THEN
    RETURN v_me;
  END IF;
  IF v_me IS NULL AND cqs._is_superuser(cqs._actor_login()) THEN
    RETURN NULL;                      -- a superuser acting for nobody (recorded by login)
  END IF;
  SELECT string_agg(DISTINCT e.evaluator_id::text, ', ') INTO v_who FROM cqs._competent_evaluators(p_person, p_period) e;
  RAISE EXCEPTION '% (person %) is not the competent evaluator of person % for %',
                  cqs._actor_login(), coalesce(v_me::text, 'none'), p_person, p_period
    USING ERRCODE = 'insufficient_privilege',
          DETAIL = format('Competent: %s.', coalesce('person ' || v_who, 'nobody is posted as head above them')),
          HINT = 'Art. 10, 17.2: the head of the unit confirms its staff and deputies; the head of the unit above confirms heads.';
END $$;

-- Refuse unless the actor holds a mandate of this kind over the organisation (42501).
-- A superuser acting for nobody passes (it bypasses every rule anyway; the audit trail
-- records its login).
CREATE FUNCTION cqs._require_mandate(p_kind text, p_org bigint, p_action text, p_hint text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF p_org = ANY (cqs._mandate_scope(ARRAY[p_kind], false)) THEN
    RETURN;
  END IF;
  IF cqs.acting_person() IS NULL AND cqs._is_superuser(cqs._actor_login()) THEN
    RETURN;
  END IF;
  RAISE EXCEPTION '% (person %) may not %: no % mandate over organisation %',
                  cqs._actor_login(), coalesce(cqs.acting_person()::text, 'none'), p_action, p_kind, p_org
    USING ERRCODE = 'insufficient_privilege', HINT = p_hint;
END $$;

-- The reason recorded with the changes a function makes (cqs.audit_log.reason).
CREATE FUNCTION cqs._audit_reason(reason text) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM set_config('cqs.audit_reason', coalesce(reason, ''), true);
END $$;
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
-- Layer 5b: the language people read (Vietnamese by default, English on request).
--
-- Every note and reason the extension stores (period notes, year reasons, the
-- organisations' reasons, the authority's reasons) and every line of cqs.explain is
-- written in English: that is the stored, audited form, compared by the tests and kept
-- verbatim in cqs.locked_result.  People read it through cqs.localize(), which renders
-- it in the session's language (cqs.language, 'vi' unless set) from the catalogue
-- below.  Error messages (RAISE EXCEPTION) stay in English, PostgreSQL's convention:
-- their SQLSTATE carries the meaning.

-- The message catalogue: for each format string the code uses, the English template
-- exactly as the code writes it (%s placeholders, %% a percent sign), the Vietnamese
-- template (%s in order, or %N$s for the N-th) and the kind of each placeholder (how a
-- captured piece is checked and rendered: text, word, name, number, int, date, period,
-- periods, month, note (a nested note, rendered itself), frag (a nested fragment: empty or a
-- catalogue entry), term:<domain>).  kind 'term' rows name codes (grades, discipline
-- levels, ...): key '<domain>:<code>', en the code, vi its Vietnamese.  Part of the
-- extension, like the built-in Form 01 set: not dumped (CREATE EXTENSION writes it), read by
-- every reader role (cqs.setup_roles), written by nobody but the extension's owner.
CREATE TABLE cqs.message_text (
  key     text PRIMARY KEY,
  kind    text NOT NULL CONSTRAINT message_text_kind_valid CHECK (kind IN ('note', 'explain', 'term')),
  source  text NOT NULL,                 -- the function or view whose text it is
  en      text NOT NULL,
  vi      text NOT NULL CONSTRAINT message_text_vi_nonempty CHECK (length(btrim(vi)) > 0),
  args    text[] NOT NULL DEFAULT '{}',
  CONSTRAINT message_text_term_key CHECK (kind <> 'term' OR (key = split_part(key, ':', 1) || ':' || en AND args = '{}')),
  CONSTRAINT message_text_args_fit CHECK (
    kind = 'term' OR cardinality(args) = (length(replace(en, '%%', '')) - length(replace(replace(en, '%%', ''), '%s', ''))) / 2)
);
COMMENT ON TABLE cqs.message_text IS
  'Art. 21.1.đ, 24 (results notified and read by people): the message catalogue rendering the stored English notes, reasons and explain lines in Vietnamese (cqs.localize); part of the extension, not a record';

-- The session's language: cqs.language, 'vi' unless set; anything else is an error.
CREATE FUNCTION cqs.language() RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_lang text := coalesce(nullif(current_setting('cqs.language', true), ''), 'vi');
BEGIN
  IF v_lang NOT IN ('vi', 'en') THEN
    RAISE EXCEPTION 'cqs.language must be vi or en, got "%"', v_lang
      USING ERRCODE = 'invalid_parameter_value', HINT = 'SET cqs.language = ''vi'' (the default) or ''en''.';
  END IF;
  RETURN v_lang;
END $$;
COMMENT ON FUNCTION cqs.language() IS
  'Art. 21.1.đ: the language notes and traces are read in: the session''s cqs.language, vi (Vietnamese, the default) or en';

-- A stored note in a language: lang, or without it the session's cqs.language.  English
-- returns the text as stored; Vietnamese renders it from cqs.message_text (a text no
-- template matches is returned as stored; notes joined with '; ' are rendered one by
-- one).  STRICT: a row without a note costs no call.  C functions with no SET clause:
-- their one run-time lookup, the catalogue's query (once per call site), names every
-- object with its schema, and a SET clause would save and restore search_path on every
-- row (bench/LANG.md).
CREATE FUNCTION cqs.localize(note text) RETURNS text
LANGUAGE c STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'localize';
COMMENT ON FUNCTION cqs.localize(text) IS
  'Art. 21.1.đ: a stored note or reason in the session''s language (cqs.language: Vietnamese by default, or as stored in English)';
CREATE FUNCTION cqs.localize(note text, lang text) RETURNS text
LANGUAGE c STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'localize';
COMMENT ON FUNCTION cqs.localize(text, text) IS
  'Art. 21.1.đ: a stored note or reason in Vietnamese (lang vi) or as stored in English (en)';
CREATE FUNCTION cqs.localize(notes text[]) RETURNS text[]
LANGUAGE c STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'localize_array';
COMMENT ON FUNCTION cqs.localize(text[]) IS
  'Art. 21.1.đ: every note of an array (override reasons, missing periods) in the session''s language';
CREATE FUNCTION cqs.localize(notes text[], lang text) RETURNS text[]
LANGUAGE c STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'localize_array';
COMMENT ON FUNCTION cqs.localize(text[], text) IS
  'Art. 21.1.đ: every note of an array (override reasons, missing periods) in Vietnamese (vi) or as stored (en)';
-- Which catalogue entry a text matches, NULL if none (the tests' completeness checks).
CREATE FUNCTION cqs.message_key(note text) RETURNS text
LANGUAGE c STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'message_key';
COMMENT ON FUNCTION cqs.message_key(text) IS
  'Art. 21.1.đ: the key of the cqs.message_text template a stored English text matches (NULL: none)';

INSERT INTO cqs.message_text (kind, key, source, en, vi, args) VALUES
-- Terms: codes as read inside sentences.
('term', 'grade:xuat_sac', 'cqs.grade', 'xuat_sac', 'hoàn thành xuất sắc nhiệm vụ', '{}'),
('term', 'grade:tot', 'cqs.grade', 'tot', 'hoàn thành tốt nhiệm vụ', '{}'),
('term', 'grade:hoan_thanh', 'cqs.grade', 'hoan_thanh', 'hoàn thành nhiệm vụ', '{}'),
('term', 'grade:khong_hoan_thanh', 'cqs.grade', 'khong_hoan_thanh', 'không hoàn thành nhiệm vụ', '{}'),
('term', 'discipline_kind:administrative', 'cqs.discipline', 'administrative', 'hành chính', '{}'),
('term', 'discipline_kind:party', 'cqs.discipline', 'party', 'đảng', '{}'),
('term', 'discipline_level:khien_trach', 'cqs.discipline', 'khien_trach', 'khiển trách', '{}'),
('term', 'discipline_level:canh_cao', 'cqs.discipline', 'canh_cao', 'cảnh cáo', '{}'),
('term', 'discipline_level:ha_bac_luong', 'cqs.discipline', 'ha_bac_luong', 'hạ bậc lương', '{}'),
('term', 'discipline_level:giang_chuc', 'cqs.discipline', 'giang_chuc', 'giáng chức', '{}'),
('term', 'discipline_level:cach_chuc', 'cqs.discipline', 'cach_chuc', 'cách chức', '{}'),
('term', 'discipline_level:buoc_thoi_viec', 'cqs.discipline', 'buoc_thoi_viec', 'buộc thôi việc', '{}'),
('term', 'discipline_level:khai_tru', 'cqs.discipline', 'khai_tru', 'khai trừ', '{}'),
('term', 'article:Art. 20.4.b', 'cqs.grade_year', 'Art. 20.4.b', 'điểm b khoản 4 Điều 20', '{}'),
('term', 'article:Art. 20.4.d', 'cqs.grade_year', 'Art. 20.4.d', 'điểm d khoản 4 Điều 20', '{}'),
('term', 'article:Art. 11.3.b, 20.4.c', 'cqs.grade_year', 'Art. 11.3.b, 20.4.c', 'điểm b khoản 3 Điều 11, điểm c khoản 4 Điều 20', '{}'),
('term', 'role:staff', 'cqs.posting', 'staff', 'không giữ chức vụ lãnh đạo, quản lý', '{}'),
('term', 'role:deputy', 'cqs.posting', 'deputy', 'cấp phó', '{}'),
('term', 'role:head', 'cqs.posting', 'head', 'người đứng đầu', '{}'),
('term', 'status:draft', 'cqs.assessment', 'draft', 'chưa tự đánh giá', '{}'),
('term', 'status:self_assessed', 'cqs.assessment', 'self_assessed', 'đã tự đánh giá', '{}'),
('term', 'status:confirmed', 'cqs.assessment', 'confirmed', 'đã được người đánh giá xác nhận', '{}'),
('term', 'status:locked', 'cqs.assessment', 'locked', 'đã khóa', '{}'),
('term', 'year_status:incomplete', 'cqs.year_results', 'incomplete', 'chưa đủ kết quả các kỳ', '{}'),
('term', 'year_status:not_graded', 'cqs.year_results', 'not_graded', 'không xếp loại', '{}'),
('term', 'year_status:complaint_open', 'cqs.year_results', 'complaint_open', 'đang giải quyết kiến nghị', '{}'),
('term', 'year_status:notified', 'cqs.year_results', 'notified', 'đã thông báo', '{}'),
('term', 'year_status:decided', 'cqs.year_results', 'decided', 'đã quyết định', '{}'),
('term', 'year_status:awaiting_authority', 'cqs.year_results', 'awaiting_authority', 'chờ cấp có thẩm quyền quyết định', '{}'),
('term', 'year_status:proposed', 'cqs.year_results', 'proposed', 'đã đề xuất', '{}'),
('term', 'lateness:per_day', 'cqs.organisation', 'per_day', 'trừ theo ngày chậm', '{}'),
('term', 'lateness:per_occurrence', 'cqs.organisation', 'per_occurrence', 'trừ theo lần chậm', '{}'),
('term', 'cap:total', 'cqs.organisation', 'total', 'giới hạn kết quả bình quân ở mức 100%', '{}'),
('term', 'cap:each', 'cqs.organisation', 'each', 'giới hạn từng tỷ lệ ở mức 100%', '{}'),
('term', 'origin:planned', 'cqs.task_line', 'planned', 'giao theo kế hoạch', '{}'),
('term', 'origin:reassigned_away', 'cqs.task_line', 'reassigned_away', 'đã chuyển cho người khác', '{}'),
('term', 'origin:taken_over', 'cqs.task_line', 'taken_over', 'nhận từ người khác', '{}'),
('term', 'origin:ad_hoc', 'cqs.task_line', 'ad_hoc', 'phát sinh', '{}'),
('term', 'period_kind:month', 'cqs.period_result', 'month', 'tháng', '{}'),
('term', 'period_kind:quarter', 'cqs.period_result', 'quarter', 'quý bắt đầu từ tháng', '{}'),

-- Period notes (cqs._period_note, cqs._rounding_note, cqs.lock_period; period_result.note).
('note', 'period.support_unscored', 'cqs._period_note', 'support-staff criteria not scored yet (HB ch. III)',
 'chưa chấm điểm các tiêu chí của người lao động (Sổ tay hướng dẫn, Chương III)', '{}'),
('note', 'period.no_assigned_work', 'cqs._period_note',
 'no originally assigned work (G = 0): the task criterion cannot be evaluated (Art. 14, 18.1.d)',
 'không có nhiệm vụ được giao ban đầu (G = 0): không đánh giá được tiêu chí kết quả thực hiện nhiệm vụ (Điều 14, điểm d khoản 1 Điều 18)', '{}'),
('note', 'period.general_unscored', 'cqs._period_note', 'general criteria not scored yet (Art. 12.1, Form 01)',
 'chưa chấm điểm tiêu chí chung (khoản 1 Điều 12, Mẫu số 01)', '{}'),
('note', 'period.locked_unassessed', 'cqs.lock_period', 'locked without an assessment or task lines',
 'kỳ đã khóa khi chưa có phiếu theo dõi, đánh giá và nhiệm vụ được giao', '{}'),
('note', 'rounding', 'cqs._rounding_note', 'rounding %s to %s moved it from %s to %s',
 'làm tròn %1$s thành %2$s làm thay đổi mức xếp loại từ “%3$s” sang “%4$s”', '{number,number,term:grade,term:grade}'),
-- Discipline left to the authority (cqs.discipline_counted.authority_reason).
('note', 'discipline.old_organisation', 'cqs.discipline_counted',
 'Art. 11.3.c: %s discipline %s (%s, %s) for act %s at organisation %s, where the person did not work in %s: it counts for that old organisation''s evaluation, not automatically for this grade; the authority decides',
 'điểm c khoản 3 Điều 11: kỷ luật %1$s, hình thức %2$s (%3$s, ngày %4$s) đối với hành vi %5$s tại tổ chức %6$s, nơi công chức không công tác trong năm %7$s: được tính vào việc đánh giá của cơ quan, tổ chức, đơn vị cũ, không đương nhiên áp dụng cho lần xếp loại này; cấp có thẩm quyền quyết định',
 '{term:discipline_kind,term:discipline_level,text,date,text,int,int}'),
-- Organisations (cqs.organisation_grade; organisation_year.needs_decision_reason).
('note', 'org.force_majeure', 'cqs.organisation_grade',
 'only %s of %s planned tasks done (< 70%%) with force majeure: the authority weighs it (Art. 8.4.b)',
 'chỉ hoàn thành %1$s/%2$s nhiệm vụ theo chương trình, kế hoạch (dưới 70%%) và có lý do bất khả kháng: cấp có thẩm quyền xem xét, quyết định (điểm b khoản 4 Điều 8)',
 '{int,int}'),
('note', 'org.no_tasks', 'cqs.organisation_grade',
 '%s points with no assigned tasks: Art. 8''s conditions on tasks cannot be assessed; the authority decides',
 '%1$s điểm nhưng không có nhiệm vụ được giao: không đánh giá được các điều kiện về nhiệm vụ tại Điều 8; cấp có thẩm quyền quyết định',
 '{number}'),
('note', 'org.missing_timely', 'cqs.organisation_grade', '%s of %s tasks done on time with quality',
 '%1$s/%2$s nhiệm vụ hoàn thành đúng thời hạn, bảo đảm chất lượng', '{int,int}'),
('note', 'org.missing_exceeded', 'cqs.organisation_grade', '%s of %s tasks exceeded (< 30%%)',
 '%1$s/%2$s nhiệm vụ hoàn thành vượt mức yêu cầu (dưới 30%%)', '{int,int}'),
('note', 'org.missing_subordinate', 'cqs.organisation_grade', 'a direct subordinate graded khong_hoan_thanh',
 'có đơn vị cấp dưới trực tiếp bị xếp loại không hoàn thành nhiệm vụ', '{}'),
('note', 'org.missing_shortcomings', 'cqs.organisation_grade', 'earlier shortcomings not all fixed',
 'chưa khắc phục toàn bộ hạn chế, khuyết điểm đã được chỉ ra', '{}'),
('note', 'org.awaits_subordinates', 'cqs.organisation_grade',
 '%s points, Art. 8.1 met so far, but it waits: direct subordinate(s) %s still await the authority''s grade (Art. 8.1.b, 9.1)',
 '%1$s điểm, đến nay đáp ứng khoản 1 Điều 8 nhưng phải chờ: đơn vị cấp dưới trực tiếp %2$s chưa được cấp có thẩm quyền xếp loại (điểm b khoản 1 Điều 8, khoản 1 Điều 9)',
 '{number,text}'),
('note', 'org.not_art_8_1', 'cqs.organisation_grade',
 '%s points but Art. 8.1 is not met (%s); Art. 8.2 covers 70 to under 90 only',
 '%1$s điểm nhưng không đáp ứng khoản 1 Điều 8 (%2$s); khoản 2 Điều 8 chỉ áp dụng từ 70 đến dưới 90 điểm',
 '{number,note}'),
('note', 'org.not_art_8_2', 'cqs.organisation_grade',
 '%s points but only %s of %s tasks done on time with quality; Art. 8.2 needs 100%% and no other band covers it',
 '%1$s điểm nhưng chỉ %2$s/%3$s nhiệm vụ hoàn thành đúng thời hạn, bảo đảm chất lượng; khoản 2 Điều 8 yêu cầu 100%% và không mức xếp loại nào khác áp dụng',
 '{number,int,int}'),
('note', 'org.not_art_8_3', 'cqs.organisation_grade',
 '%s points but %s of %s tasks done and %s late (Art. 8.3 needs 100%% done and at most 20%% late)',
 '%1$s điểm nhưng hoàn thành %2$s/%3$s nhiệm vụ, %4$s nhiệm vụ chậm tiến độ (khoản 3 Điều 8 yêu cầu hoàn thành 100%% nhiệm vụ, số nhiệm vụ chưa bảo đảm tiến độ không vượt quá 20%%)',
 '{number,int,int,int}'),
-- The year (cqs.grade_year; year_result.not_graded_reason, override_reasons, cap_reason, missing_periods).
('note', 'year.short', 'cqs.grade_year', 'worked %s month(s) %s day(s) in %s, less than 6 months (Art. 11.1)',
 'thời gian công tác trong năm %3$s là %1$s tháng %2$s ngày, chưa đủ 06 tháng: không xếp loại chất lượng (khoản 1 Điều 11)',
 '{int,int,int}'),
('note', 'year.incomplete', 'cqs.grade_year',
 'incomplete: no confirmed result for %s (Art. 17.2-17.3); graded once they are evaluated',
 'chưa đủ kết quả: chưa có kết quả được xác nhận của %1$s (khoản 2, khoản 3 Điều 17); xếp loại sau khi các kỳ này được đánh giá',
 '{periods}'),
('note', 'year.no_result', 'cqs.grade_year', 'no monthly or quarterly result in the months worked (Art. 17.3)',
 'không có kết quả theo dõi, đánh giá hằng tháng hoặc hằng quý trong thời gian công tác (khoản 3 Điều 17)', '{}'),
('note', 'year.discipline', 'cqs.grade_year',
 'Art. 20.4.c, 11.3: %s discipline %s (%s, %s) for act %s at organisation %s',
 'điểm c khoản 4 Điều 20, khoản 3 Điều 11: kỷ luật %1$s, hình thức %2$s (%3$s, ngày %4$s) đối với hành vi %5$s tại tổ chức %6$s',
 '{term:discipline_kind,term:discipline_level,text,date,text,int}'),
('note', 'year.override', 'cqs.grade_year', '%s: %s (%s, %s, %s)', '%1$s: %2$s (%3$s, %4$s, %5$s)',
 '{term:article,text,name,date,text}'),
('note', 'year.cap_not_graded', 'cqs.grade_year', 'organisation not graded yet: Art. 20.6 caps the head at its grade',
 'tổ chức chưa được xếp loại: mức xếp loại của người đứng đầu không cao hơn mức xếp loại của tổ chức (khoản 6 Điều 20)', '{}'),
('note', 'year.capped', 'cqs.grade_year', 'Art. 20.6: capped at the organisation''s grade %s (from %s)',
 'khoản 6 Điều 20: không cao hơn mức xếp loại của tổ chức “%1$s” (theo điểm là “%2$s”)', '{term:grade,term:grade}'),
('note', 'year.missing_period', 'cqs.grade_year', '%s', '%s', '{period}'),
('note', 'number', 'cqs.explain', '%s', '%s', '{number}'),

-- The outbox (cqs._outbox_problem; cqs.outbox_status.problem): why an item is held.
('note', 'outbox.no_personal_id', 'cqs._outbox_problem',
 'person %s has no personal identification number (số định danh cá nhân)',
 'công chức %s chưa có số định danh cá nhân', '{int}'),
('note', 'outbox.no_agency_code', 'cqs._outbox_problem',
 'organisation %s and those above it have no agency code (mã định danh cơ quan)',
 'tổ chức %s và các cơ quan cấp trên chưa có mã định danh cơ quan', '{int}'),

-- The period trace (cqs.explain(bigint, date, text)).
('explain', 'explain.period.header', 'cqs.explain', '%s (%s), %s %s, organisation %s, role %s; status %s%s.',
 '%1$s (%2$s), %3$s năm %4$s, tổ chức %5$s, %6$s; trạng thái: %7$s%8$s.',
 '{text,text,frag,int,int,term:role,term:status,frag}'),
('explain', 'explain.period.quarter', 'cqs.explain', 'quarter %s', 'quý %s', '{int}'),
('explain', 'explain.period.month', 'cqs.explain', 'month %s', 'tháng %s', '{int}'),
('explain', 'explain.period.locked', 'cqs.explain', ' (locked, lock %s)', ' (đã khóa, lần khóa %s)', '{int}'),
('explain', 'explain.period.policies', 'cqs.explain',
 'Computed by cqs_eval %s under: lateness %s, cap %s, %s decimals, general-criteria set %s.',
 'Tính bằng cqs_eval %1$s theo: tiến độ %2$s, %3$s, làm tròn %4$s chữ số thập phân, bộ tiêu chí chung %5$s.',
 '{text,term:lateness,term:cap,int,text}'),
('explain', 'explain.period.support', 'cqs.explain',
 '1. Support staff (HB ch. III): task score = (quality %s + compliance %s + efficiency %s) / 3 = %s%%.',
 '1. Người lao động (Sổ tay hướng dẫn, Chương III): điểm kết quả thực hiện nhiệm vụ = (chất lượng %1$s + chấp hành %2$s + hiệu quả %3$s) / 3 = %4$s%%.',
 '{number,number,number,number}'),
('explain', 'explain.period.lines', 'cqs.explain', '1. Task lines (Art. 13-14; units = quantity x coefficient):',
 '1. Nhiệm vụ được giao (Điều 13, Điều 14; số lượng quy đổi = số lượng x hệ số quy đổi):', '{}'),
('explain', 'explain.period.line', 'cqs.explain',
 '   - %s %s [%s]: coefficient %s, assigned %s -> %s units%s; completed %s -> %s units; quality: %s failed review(s) -> x%s = %s; progress: %s deduction(s) (%s%s) -> x%s = %s.',
 '   - %1$s %2$s [%3$s]: hệ số quy đổi %4$s, giao %5$s -> %6$s đơn vị chuẩn%7$s; hoàn thành %8$s -> %9$s đơn vị chuẩn; chất lượng: %10$s lần không đạt yêu cầu -> x%11$s = %12$s; tiến độ: %13$s lần trừ (%14$s%15$s) -> x%16$s = %17$s.',
 '{text,text,term:origin,number,number,number,frag,number,number,int,number,number,int,frag,frag,number,number}'),
('explain', 'explain.period.outside_g', 'cqs.explain', ' (outside G, Art. 18.1.d)', ' (không tính vào G, điểm d khoản 1 Điều 18)', '{}'),
('explain', 'explain.period.days_late', 'cqs.explain', '%s day(s) late', 'chậm %s ngày', '{int}'),
('explain', 'explain.period.per_occurrence', 'cqs.explain', 'per occurrence', 'theo lần chậm', '{}'),
('explain', 'explain.period.failures_exempted', 'cqs.explain', ', %s failure(s) exempted (Art. 14.2.b)',
 ', %s lần không đạt yêu cầu được loại trừ (điểm b khoản 2 Điều 14)', '{int}'),
('explain', 'explain.period.delays_exempted', 'cqs.explain', ', %s delay(s) exempted (Art. 14.2.c)',
 ', %s lần chậm tiến độ được loại trừ (điểm c khoản 2 Điều 14)', '{int}'),
('explain', 'explain.period.both_exempted', 'cqs.explain',
 ', %s failure(s) exempted (Art. 14.2.b), %s delay(s) exempted (Art. 14.2.c)',
 ', %1$s lần không đạt yêu cầu được loại trừ (điểm b khoản 2 Điều 14), %2$s lần chậm tiến độ được loại trừ (điểm c khoản 2 Điều 14)',
 '{int,int}'),
('explain', 'explain.period.no_lines', 'cqs.explain', '   (no task lines)', '   (không có nhiệm vụ)', '{}'),
('explain', 'explain.period.g_zero', 'cqs.explain',
 '2. G = 0: nothing was originally assigned, so the task criterion cannot be evaluated (Art. 14, 18.1.d); no task score and no total.',
 '2. G = 0: không có nhiệm vụ được giao ban đầu nên không đánh giá được tiêu chí kết quả thực hiện nhiệm vụ (Điều 14, điểm d khoản 1 Điều 18); không có điểm kết quả thực hiện nhiệm vụ và tổng điểm.', '{}'),
('explain', 'explain.period.g', 'cqs.explain', '2. G = sum of assigned units = %s (Art. 18.1.d).',
 '2. G = tổng số lượng quy đổi được giao = %s (điểm d khoản 1 Điều 18).', '{number}'),
('explain', 'explain.period.a', 'cqs.explain', '3. a (quantity, Art. 14.2.a) = 100 x %s / %s = %s%%.',
 '3. a (tỷ lệ số lượng, điểm a khoản 2 Điều 14) = 100 x %s / %s = %s%%.', '{number,number,number}'),
('explain', 'explain.period.b', 'cqs.explain', '   b (quality, Art. 14.2.b) = 100 x %s / %s = %s%%.',
 '   b (tỷ lệ chất lượng, điểm b khoản 2 Điều 14) = 100 x %s / %s = %s%%.', '{number,number,number}'),
('explain', 'explain.period.c', 'cqs.explain', '   c (progress, Art. 14.2.c) = 100 x %s / %s = %s%%.',
 '   c (tỷ lệ tiến độ, điểm c khoản 2 Điều 14) = 100 x %s / %s = %s%%.', '{number,number,number}'),
('explain', 'explain.period.leader', 'cqs.explain',
 '4. Leader terms (Art. 15.3): d = %s (%s), đ = %s%s, e = %s%s; task score = (a + b + c + d + đ + e) / 6 = %s%% (cap: %s, Art. 12.3).',
 '4. Các tiêu chí của người lãnh đạo (khoản 3 Điều 15): d = %1$s (%2$s), đ = %3$s%4$s, e = %5$s%6$s; điểm kết quả thực hiện nhiệm vụ = (a + b + c + d + đ + e) / 6 = %7$s%% (%8$s, khoản 3 Điều 12).',
 '{number,frag,number,text,number,text,number,term:cap}'),
('explain', 'explain.period.d_low', 'cqs.explain', 'someone they manage scored below 50',
 'có công chức thuộc phạm vi quản lý đạt dưới 50 điểm', '{}'),
('explain', 'explain.period.d_full', 'cqs.explain', 'everyone they manage scored 50 or more',
 'mọi công chức thuộc phạm vi quản lý đạt từ 50 điểm trở lên', '{}'),
('explain', 'explain.period.task_score', 'cqs.explain', '4. Task score (Art. 16.1) = (a + b + c) / 3 = %s%% (cap: %s, Art. 12.3).',
 '4. Điểm kết quả thực hiện nhiệm vụ (khoản 1 Điều 16) = (a + b + c) / 3 = %1$s%% (%2$s, khoản 3 Điều 12).',
 '{number,term:cap}'),
('explain', 'explain.period.general_unscored', 'cqs.explain', '5. General criteria (Art. 12.1, Form 01): not scored yet.',
 '5. Tiêu chí chung (khoản 1 Điều 12, Mẫu số 01): chưa chấm điểm.', '{}'),
('explain', 'explain.period.general', 'cqs.explain', '5. General criteria (Art. 12.1, Form 01) = %s of 30 (%s).',
 '5. Tiêu chí chung (khoản 1 Điều 12, Mẫu số 01) = %1$s/30 điểm (%2$s).', '{number,frag}'),
('explain', 'explain.period.general_confirmed', 'cqs.explain', 'the evaluator''s confirmed score',
 'điểm đã được người đánh giá xác nhận', '{}'),
('explain', 'explain.period.general_self', 'cqs.explain', 'the self score, until confirmed',
 'điểm tự đánh giá, cho đến khi được xác nhận', '{}'),
('explain', 'explain.period.total', 'cqs.explain', '6. Total (Art. 17.1) = %s + %s x 70%% = %s, rounded half-up to %s decimals.',
 '6. Tổng điểm (khoản 1 Điều 17) = %1$s + %2$s x 70%% = %3$s, làm tròn đến %4$s chữ số thập phân.',
 '{number,number,number,int}'),
('explain', 'explain.period.grade', 'cqs.explain', '7. Grade by score (Art. 20): %s — %s.',
 '7. Mức xếp loại theo điểm (Điều 20): %2$s.', '{term:grade,text}'),
('explain', 'explain.period.no_total', 'cqs.explain', '6. No total: %s.', '6. Chưa có tổng điểm: %s.', '{note}'),
('explain', 'explain.period.inputs_missing', 'cqs.explain', 'inputs missing', 'thiếu dữ liệu đầu vào', '{}'),

-- The year trace (cqs.explain(bigint, integer, text)).
('explain', 'explain.year.header', 'cqs.explain',
 '%s (%s), year %s, graded by organisation %s (Art. 19.1), role %s, duty group %s; status %s.',
 '%1$s (%2$s), năm %3$s, xếp loại tại tổ chức %4$s (khoản 1 Điều 19), %5$s, nhóm nhiệm vụ tương đồng %6$s; trạng thái: %7$s.',
 '{text,text,int,int,term:role,text,term:year_status}'),
('explain', 'explain.year.worked', 'cqs.explain',
 '1. Time worked (Art. 11.1-2): %s month(s) %s day(s) from the postings less leave (%s month(s) worked).',
 '1. Thời gian công tác (khoản 1, khoản 2 Điều 11): %1$s tháng %2$s ngày theo quá trình bố trí công tác, trừ thời gian nghỉ (%3$s tháng có công tác).',
 '{int,int,int}'),
('explain', 'explain.year.period', 'cqs.explain', '   - %s %s: %s (organisation %s)%s',
 '   - %1$s %2$s: %3$s (tổ chức %4$s)%5$s', '{term:period_kind,month,frag,int,frag}'),
('explain', 'explain.year.no_total', 'cqs.explain', 'no total', 'chưa có tổng điểm', '{}'),
('explain', 'explain.year.not_confirmed', 'cqs.explain', ', not confirmed', ', chưa được xác nhận', '{}'),
('explain', 'explain.year.missing', 'cqs.explain', '2. Complete, confirmed periods (Art. 17.2-17.3): no confirmed result for %s.',
 '2. Các kỳ đã có kết quả được xác nhận (khoản 2, khoản 3 Điều 17): chưa có kết quả được xác nhận của %s.', '{periods}'),
('explain', 'explain.year.complete', 'cqs.explain', '2. Complete, confirmed periods (Art. 17.2-17.3): all %s counted.',
 '2. Các kỳ đã có kết quả được xác nhận (khoản 2, khoản 3 Điều 17): tính đủ cả %s kỳ.', '{int}'),
('explain', 'explain.year.not_graded', 'cqs.explain', '3. Not graded: %s.', '3. Không xếp loại: %s.', '{note}'),
('explain', 'explain.year.score', 'cqs.explain',
 '3. Year score (Art. 17.3) = mean of %s period total(s), each weighted by the months worked in it = %s; grade by score (Art. 20): %s.%s',
 '3. Điểm của năm (khoản 3 Điều 17) = trung bình %1$s tổng điểm các kỳ, mỗi kỳ tính theo số tháng có công tác trong kỳ = %2$s; mức xếp loại theo điểm (Điều 20): %3$s.%4$s',
 '{int,number,term:grade,frag}'),
('explain', 'explain.year.rounding', 'cqs.explain', ' Note: %s.', ' Lưu ý: %s.', '{note}'),
('explain', 'explain.year.overrides', 'cqs.explain', '4. Overrides force khong_hoan_thanh: %s.',
 '4. Trường hợp xếp loại không hoàn thành nhiệm vụ (khoản 4 Điều 20): %s.', '{note}'),
('explain', 'explain.year.no_override', 'cqs.explain', '4. No override (Art. 20.4).',
 '4. Không thuộc trường hợp tại khoản 4 Điều 20.', '{}'),
('explain', 'explain.year.authority', 'cqs.explain', '   Left to the authority: %s.',
 '   Cấp có thẩm quyền xem xét, quyết định: %s.', '{note}'),
('explain', 'explain.year.head_cap', 'cqs.explain', '5. Head cap (Art. 20.6), before the quota: %s.',
 '5. Giới hạn đối với người đứng đầu (khoản 6 Điều 20), trước khi áp dụng tỷ lệ: %s.', '{note}'),
('explain', 'explain.year.cap_ok', 'cqs.explain', 'not above the organisation''s grade',
 'không cao hơn mức xếp loại của tổ chức', '{}'),
('explain', 'explain.year.not_head', 'cqs.explain', 'not a head', 'không phải người đứng đầu', '{}'),
('explain', 'explain.year.quota', 'cqs.explain', '6. Quota (Art. 20.5, civil servants only): %s.',
 '6. Tỷ lệ hoàn thành xuất sắc nhiệm vụ (khoản 5 Điều 20, chỉ đối với công chức): %s.', '{frag}'),
('explain', 'explain.year.not_candidate', 'cqs.explain', 'not a candidate for xuat_sac',
 'không thuộc diện xét hoàn thành xuất sắc nhiệm vụ', '{}'),
('explain', 'quota.keeps', 'cqs.year_result', 'keeps', 'giữ mức hoàn thành xuất sắc nhiệm vụ trong tỷ lệ', '{}'),
('explain', 'quota.loses', 'cqs.year_result', 'loses', 'vượt tỷ lệ, xếp loại hoàn thành tốt nhiệm vụ', '{}'),
('explain', 'quota.tie_at_cutoff', 'cqs.year_result', 'tie_at_cutoff',
 'bằng điểm tại ngưỡng tỷ lệ, cấp có thẩm quyền quyết định', '{}'),
('explain', 'quota.kept_by_authority', 'cqs.year_result', 'kept_by_authority',
 'cấp có thẩm quyền quyết định giữ mức hoàn thành xuất sắc nhiệm vụ', '{}'),
('explain', 'quota.lost_by_authority', 'cqs.year_result', 'lost_by_authority',
 'cấp có thẩm quyền quyết định không giữ mức hoàn thành xuất sắc nhiệm vụ', '{}'),
('explain', 'explain.year.proposed', 'cqs.explain', '7. Proposed grade: %s.', '7. Mức xếp loại đề xuất: %s.', '{frag}'),
('explain', 'explain.year.none_yet', 'cqs.explain', 'none yet (the authority decides)', 'chưa có (cấp có thẩm quyền quyết định)', '{}'),
('explain', 'grade.xuat_sac', 'cqs.grade', 'xuat_sac', 'hoàn thành xuất sắc nhiệm vụ', '{}'),
('explain', 'grade.tot', 'cqs.grade', 'tot', 'hoàn thành tốt nhiệm vụ', '{}'),
('explain', 'grade.hoan_thanh', 'cqs.grade', 'hoan_thanh', 'hoàn thành nhiệm vụ', '{}'),
('explain', 'grade.khong_hoan_thanh', 'cqs.grade', 'khong_hoan_thanh', 'không hoàn thành nhiệm vụ', '{}'),
('explain', 'explain.year.decision', 'cqs.explain', '   Decision %s (%s, %s by %s): %s%s.',
 '   Quyết định %1$s (%2$s, ngày %3$s, người ghi nhận %4$s): %5$s%6$s.', '{int,text,date,text,term:grade,frag}'),
('explain', 'explain.year.regrade', 'cqs.explain', ', re-grading replacing decision %s (Art. 21.3): %s',
 ', xếp loại lại thay thế quyết định %1$s (khoản 3 Điều 21): %2$s', '{int,text}'),
('explain', 'explain.year.final', 'cqs.explain', '8. Final grade: %s — %s.', '8. Mức xếp loại chất lượng: %2$s.', '{frag,note}'),
('explain', 'explain.year.pending', 'cqs.explain', 'pending', 'chưa có', '{}'),
('explain', 'explain.year.not_decided', 'cqs.explain', 'not decided', 'chưa quyết định', '{}');
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
-- Layer 7b: documents -- the papers people sign and the pictures analysts look at
-- (issue 11).  Each function returns one complete, self-contained HTML document (UTF-8,
-- no external asset, print CSS for A4) rendered from the views of 60_api.sql:
--
--   cqs.form01_html(person_id, period)            Mẫu số 01 (Appendix II): phiếu theo dõi, đánh giá công chức
--   cqs.form02_html(person_id, year)              Mẫu số 02 (Appendix II): phiếu xếp loại chất lượng công chức
--   cqs.publication_list_html(organisation, year) Art. 21.1.đ, 21.2.đ: the public notice of the year's grades
--   cqs.organisation_sheet_html(organisation, year) Art. 6-8: an organisation's evaluation sheet
--   cqs.analyst_report_html(organisation, year)   an agency's year in inline SVG charts, numbers beside
--
-- Every function runs with its caller's rights (SECURITY INVOKER): row-level security
-- decides what it reads, exactly as for the views.  A reader who may not read the person
-- (or the organisation's results) gets 42501 naming them -- never a blank form.  Every
-- value is HTML-escaped (cqs.html_escape); numbers are printed as recorded, two
-- decimals, with the Vietnamese decimal comma (cqs.vn_number).

-- ---------------------------------------------------------------------------
-- Helpers: escaping, numbers, dates, the page, the national header, signatures.
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs.html_escape(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT replace(replace(replace(replace(replace($1, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
                         '"', '&quot;'), '''', '&#39;')
$$;
COMMENT ON FUNCTION cqs.html_escape(text) IS
  'Documents (Art. 24): text made safe inside HTML (& < > " '' escaped); NULL gives NULL';

-- 1234.5 -> '1.234,50': Vietnamese decimal comma, dots between thousands, rounded half-up.
CREATE FUNCTION cqs.vn_number(value numeric, decimals integer DEFAULT 2) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN x.t ~ '^[0-9.]+$' THEN
                CASE WHEN $1 < 0 AND x.t ~ '[1-9]' THEN '-' ELSE '' END
                || regexp_replace(split_part(x.t, '.', 1), '([0-9])(?=([0-9]{3})+$)', '\1.', 'g')
                || CASE WHEN position('.' IN x.t) > 0 THEN ',' || split_part(x.t, '.', 2) ELSE '' END
              ELSE x.t END
    FROM (SELECT round(abs($1), least(greatest($2, 0), 10))::text AS t) x
$$;
COMMENT ON FUNCTION cqs.vn_number(numeric, integer) IS
  'Documents (Art. 17.1 totals as recorded): a number with the Vietnamese decimal comma and dots between thousands, rounded half-up to the decimals asked (two by default)';

-- 'ngày 03 tháng 12 năm 2025', or the form's blanks when the day is not recorded.
CREATE FUNCTION cqs._doc_day(day date) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN $1 IS NULL THEN 'ngày ..... tháng ..... năm .....'
              ELSE format('ngày %s tháng %s năm %s', lpad(extract(day FROM $1)::integer::text, 2, '0'),
                          lpad(extract(month FROM $1)::integer::text, 2, '0'), extract(year FROM $1)::integer) END
$$;

-- dd/mm/yyyy (tables).
CREATE FUNCTION cqs._doc_short_day(day date) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN $1 IS NULL THEN '' ELSE
         lpad(extract(day FROM $1)::integer::text, 2, '0') || '/' || lpad(extract(month FROM $1)::integer::text, 2, '0')
         || '/' || extract(year FROM $1)::integer END
$$;

-- What a person is called on a form: Chức vụ, chức danh.
CREATE FUNCTION cqs._doc_role_label(role text, field text, job_position text, person_kind text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE $1 WHEN 'head' THEN 'Người đứng đầu' || coalesce(' (' || $3 || ')', '')
                 WHEN 'deputy' THEN 'Cấp phó' || coalesce(' phụ trách lĩnh vực ' || $2, '') || coalesce(' (' || $3 || ')', '')
                 ELSE coalesce($3, CASE $4 WHEN 'support_staff' THEN 'Người lao động' ELSE 'Công chức' END) END
$$;

-- The whole page: one style sheet, printed on A4 (Decree 30/2020 margins: 20 mm top and
-- bottom, 30 mm left, 15 mm right; Times New Roman 13 pt, or its metric twin Liberation
-- Serif).  No external asset: fonts are the reader's, pictures are inline SVG.
CREATE FUNCTION cqs._doc_page(title text, body text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT '<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="cqs_eval">
<title>' || coalesce(cqs.html_escape($1), '') || '</title>
<style>
@page { size: A4 portrait; margin: 20mm 15mm 20mm 30mm; }
html { background: #fff; color: #000; font-family: "Times New Roman", "Liberation Serif", "DejaVu Serif", serif; font-size: 13pt; }
body { margin: 0 auto; max-width: 165mm; line-height: 1.3; }
@media screen { body { padding: 12mm 14mm; } }
@media print { body { max-width: none; } .screen-only { display: none; } }
table.head { width: 100%; border-collapse: collapse; margin-bottom: 4mm; }
table.head td { width: 42%; text-align: center; vertical-align: top; padding: 0; font-size: 12.5pt; }
table.head td + td { width: 58%; white-space: nowrap; }
.upper { text-transform: uppercase; }
.rule { display: block; width: 35%; margin: 1mm auto 0; border-top: 1px solid #000; }
.form-no { text-align: right; font-weight: bold; font-size: 12pt; }
h1 { font-size: 14pt; text-align: center; margin: 5mm 0 0; text-transform: uppercase; }
h2 { font-size: 13pt; margin: 4mm 0 2mm; text-transform: uppercase; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 13pt; margin: 3mm 0 1mm; break-after: avoid; page-break-after: avoid; }
.subtitle { text-align: center; font-style: italic; margin: 0 0 4mm; }
p { margin: 1mm 0; }
.field .label { font-weight: normal; }
.field .value { font-weight: bold; }
table.grid { width: 100%; border-collapse: collapse; font-size: 12pt; margin: 2mm 0; }
table.grid th, table.grid td { border: 1px solid #000; padding: 1mm 1.5mm; vertical-align: top; }
table.grid th { font-weight: bold; text-align: center; vertical-align: middle; }
table.grid tr { break-inside: avoid; page-break-inside: avoid; }
table.grid tr.group td, table.grid tr.total td { font-weight: bold; }
table.small { font-size: 10pt; }
table.small th, table.small td { padding: 0.6mm 1mm; }
td.c { text-align: center; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.muted, .muted { color: #444; font-size: 10.5pt; }
table.sign { width: 100%; border-collapse: collapse; margin-top: 6mm; break-inside: avoid; page-break-inside: avoid; }
table.sign td { width: 50%; text-align: center; vertical-align: top; padding: 0; }
table.sign .when { font-style: italic; }
table.sign .who { font-weight: bold; text-transform: uppercase; }
table.sign .how { font-style: italic; font-size: 12pt; }
table.sign .name { font-weight: bold; padding-top: 20mm; }
.annex { break-before: page; page-break-before: always; }
.section { break-inside: avoid; page-break-inside: avoid; margin-bottom: 4mm; }
.draft { border: 2px solid #a00; color: #a00; padding: 1.5mm; text-align: center; margin: 2mm 0; font-weight: bold; }
.boxes { list-style: none; padding-left: 6mm; margin: 1mm 0; }
.footnote { margin-top: 5mm; border-top: 1px solid #000; padding-top: 1mm; font-size: 10pt; color: #333; }
svg { display: block; width: 100%; height: auto; margin: 2mm 0; }
svg text { font-family: "Liberation Sans", "DejaVu Sans", Arial, sans-serif; }
.legend span { display: inline-block; margin-right: 4mm; font-size: 10.5pt; }
.swatch { display: inline-block; width: 3.5mm; height: 3.5mm; margin-right: 1mm; vertical-align: middle; border: 1px solid #333; }
</style>
</head>
<body>
' || coalesce($2, '') || '
</body>
</html>
'
$$;

-- The national header of every form (Decree 30/2020 layout; the appendix's wording):
-- the superior organisation and the organisation on the left, the national title on the right.
CREATE FUNCTION cqs._doc_head(superior text, organisation text, form_no text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN $3 IS NOT NULL THEN '<div class="form-no">' || cqs.html_escape($3) || '</div>' ELSE '' END
      || '<table class="head"><tr><td>'
      || CASE WHEN $1 IS NOT NULL THEN '<div class="upper">' || cqs.html_escape($1) || '</div>' ELSE '' END
      || '<div class="upper"><b>' || cqs.html_escape(coalesce($2, 'TÊN CƠ QUAN, TỔ CHỨC, ĐƠN VỊ')) || '</b></div>'
      || '<span class="rule"></span></td>'
      || '<td><div><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b></div><div><b>Độc lập – Tự do – Hạnh phúc</b></div>'
      || '<span class="rule" style="width:55%"></span></td></tr></table>'
$$;

-- The two signature blocks at the foot of a form.
CREATE FUNCTION cqs._doc_sign(left_day date, left_who text, left_name text, right_day date, right_who text, right_name text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT '<table class="sign"><tr><td>'
      || CASE WHEN $2 IS NOT NULL THEN '<div class="when">....., ' || cqs._doc_day($1) || '</div><div class="who">'
                                       || cqs.html_escape($2) || '</div><div class="how">(Ký tên, ghi rõ họ tên)</div>'
                                       || '<div class="name">' || cqs.html_escape($3) || '</div>' ELSE '' END
      || '</td><td><div class="when">....., ' || cqs._doc_day($4) || '</div><div class="who">' || cqs.html_escape($5)
      || '</div><div class="how">(Ký tên, ghi rõ họ tên)</div><div class="name">' || cqs.html_escape($6) || '</div>'
      || '</td></tr></table>'
$$;

-- The four grades of Art. 20 as the form's tick boxes, the one given ticked.
CREATE FUNCTION cqs._doc_grade_boxes(grade cqs.grade) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT '<ul class="boxes">'
      || string_agg('<li>' || CASE WHEN g.g = $1 THEN '&#9746; <b>' ELSE '&#9744; ' END
                    || cqs.html_escape(cqs.grade_label(g.g)) || CASE WHEN g.g = $1 THEN '</b>' ELSE '' END || '</li>',
                    '' ORDER BY g.g DESC)
      || '</ul>'
    FROM unnest(enum_range(NULL::cqs.grade)) AS g(g)
$$;

-- Does the caller see every row whatever row-level security says (a superuser, or a
-- role with BYPASSRLS)?  Then a row it cannot find does not exist.
CREATE FUNCTION cqs._doc_sees_all() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce((SELECT r.rolsuper OR r.rolbypassrls FROM pg_catalog.pg_roles r WHERE r.rolname = current_user), false)
$$;

-- The person a form is about, if the caller may read them (row-level security on
-- cqs.person: themself, those they evaluate, identified mandates); 42501 naming the
-- person otherwise (22023 when a caller who sees everything finds nobody).
CREATE FUNCTION cqs._doc_person(person_id bigint, what text) RETURNS cqs.person
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_p cqs.person;
BEGIN
  IF _doc_person.person_id IS NULL THEN
    RAISE EXCEPTION 'person_id must not be NULL' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT * INTO v_p FROM cqs.person p WHERE p.person_id = _doc_person.person_id;
  IF FOUND THEN
    RETURN v_p;
  END IF;
  IF cqs._doc_sees_all() THEN
    RAISE EXCEPTION 'no person %', _doc_person.person_id USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RAISE EXCEPTION '% (person %) may not read person %: no % for them', cqs._actor_login(),
                  coalesce(cqs.acting_person()::text, 'none'), _doc_person.person_id, what
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'Art. 10, 21, 24: a form is read by the person, those who evaluate them, and the personnel section or authority over their organisation.';
END $$;

-- Refuse (42501) a document over an organisation outside the caller's mandates.
CREATE FUNCTION cqs._doc_require_scope(organisation_id bigint, scope bigint[], what text, hint text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF organisation_id IS NULL THEN
    RAISE EXCEPTION 'organisation_id must not be NULL' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM cqs.organisation o WHERE o.organisation_id = _doc_require_scope.organisation_id) THEN
    RAISE EXCEPTION 'no organisation %', organisation_id USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF organisation_id = ANY (scope) OR (cqs.acting_person() IS NULL AND cqs._doc_sees_all()) THEN
    RETURN;
  END IF;
  RAISE EXCEPTION '% (person %) may not read the % of organisation %: no mandate over it', cqs._actor_login(),
                  coalesce(cqs.acting_person()::text, 'none'), what, organisation_id
    USING ERRCODE = 'insufficient_privilege', HINT = hint;
END $$;

-- ---------------------------------------------------------------------------
-- Form 01 (Mẫu số 01, Appendix II): the monthly or quarterly sheet of a person.
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs.form01_html(person_id bigint, period date) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_p        cqs.person;
  v_r        cqs.period_result;
  v_a        cqs.assessment;
  v_post     cqs.posting;
  v_start    date;
  v_kind     text;
  v_org      bigint;
  v_org_name text;
  v_sup_name text;
  v_set      bigint;
  v_rows     text;
  v_max      numeric;
  v_lines    text;
  v_nlines   integer;
  v_g        numeric;
  v_done     numeric;
  v_q        numeric;
  v_pr       numeric;
  v_eval     text;
  v_task70   numeric;
  v_leader   boolean;
  v_label    text;
  v_body     text;
BEGIN
  IF period IS NULL THEN
    RAISE EXCEPTION 'period must not be NULL' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  v_p := cqs._doc_person(form01_html.person_id, 'Form 01');
  -- The result whose period holds the day: the month, or a quarterly organisation's quarter.
  SELECT * INTO v_r FROM cqs.period_result r
   WHERE r.person_id = form01_html.person_id
     AND r.period = (SELECT max(r2.period) FROM cqs.period_result r2
                      WHERE r2.person_id = form01_html.person_id AND r2.period <= form01_html.period
                        AND r2.period > form01_html.period - interval '3 months'
                        AND (r2.period_kind = 'quarter'
                             OR r2.period = date_trunc('month', form01_html.period::timestamp without time zone)::date));
  IF FOUND THEN
    v_start := v_r.period;
    v_kind := v_r.period_kind;
  ELSE
    v_start := date_trunc('month', form01_html.period::timestamp without time zone)::date;
    v_kind := 'month';
  END IF;
  SELECT * INTO v_a FROM cqs.assessment a WHERE a.person_id = form01_html.person_id AND a.period = v_start;
  IF v_r.person_id IS NULL AND v_a.person_id IS NULL THEN
    RAISE EXCEPTION 'person % has no result or assessment for the period holding %', form01_html.person_id, form01_html.period
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Form 01 exists once task lines or an assessment were recorded for the period.';
  END IF;
  v_org := coalesce(v_r.organisation_id, v_a.organisation_id);
  SELECT o.name, s.name INTO v_org_name, v_sup_name
    FROM cqs.organisation o LEFT JOIN cqs.organisation s ON s.organisation_id = o.parent_id
   WHERE o.organisation_id = v_org;
  SELECT * INTO v_post FROM cqs.posting_in_force(form01_html.person_id, v_start, cqs.period_end(v_start, v_kind) - 1) p;
  v_leader := coalesce(v_r.role, v_post.role) IN ('head', 'deputy');
  v_label := CASE v_kind WHEN 'quarter' THEN format('quý %s năm %s', extract(quarter FROM v_start), extract(year FROM v_start))
                         ELSE format('tháng %s năm %s', extract(month FROM v_start), extract(year FROM v_start)) END;

  -- I. The general criteria: the set's sub-items grouped as the appendix groups them.
  v_set := coalesce(v_a.criteria_set_id, v_r.criteria_set_id,
                    (SELECT pol.criteria_set_id FROM cqs.organisation_policies pol WHERE pol.organisation_id = v_org));
  WITH items AS (
    SELECT i.position, i.name, i.max_points, v_a.self_scores[i.position] AS s, v_a.evaluator_scores[i.position] AS e,
           CASE WHEN i.code ~ '^[IVX]+\.[0-9]+$' THEN split_part(i.code, '.', 1) END AS grp,
           CASE WHEN i.code ~ '^[IVX]+\.[0-9]+$' THEN split_part(i.code, '.', 2) ELSE i.code END AS tt
      FROM cqs.criteria_item i WHERE i.criteria_set_id = v_set
  ), grps AS (
    SELECT i.grp, min(i.position) AS first_pos, sum(i.max_points) AS mx, sum(i.s) AS ss, sum(i.e) AS se
      FROM items i WHERE i.grp IS NOT NULL GROUP BY i.grp
  )
  SELECT string_agg(x.html, E'\n' ORDER BY x.pos, x.sub), (SELECT sum(i.max_points) FROM items i)
    INTO v_rows, v_max
    FROM (SELECT g.first_pos AS pos, 0 AS sub,
                 format('<tr class="group"><td class="c">%s</td><td>%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
                        cqs.html_escape(g.grp),
                        cqs.html_escape(CASE g.grp
                          WHEN 'I' THEN 'Phẩm chất chính trị, phẩm chất đạo đức, văn hóa thực thi công vụ và ý thức kỷ luật, kỷ cương trong thực thi công vụ'
                          WHEN 'II' THEN 'Năng lực chuyên môn, nghiệp vụ theo yêu cầu của vị trí việc làm; khả năng đáp ứng yêu cầu thực thi nhiệm vụ được giao; tinh thần trách nhiệm trong thực thi công vụ; thái độ phục vụ người dân, doanh nghiệp và khả năng phối hợp với đồng nghiệp'
                          WHEN 'III' THEN 'Năng lực đổi mới, sáng tạo, dám nghĩ, dám làm, dám chịu trách nhiệm vì lợi ích chung trong thực thi công vụ'
                          ELSE 'Nhóm ' || g.grp END),
                        cqs.vn_number(g.mx), coalesce(cqs.vn_number(g.ss), ''), coalesce(cqs.vn_number(g.se), '')) AS html
            FROM grps g
          UNION ALL
          SELECT i.position, 1,
                 format('<tr><td class="c">%s</td><td>%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
                        cqs.html_escape(i.tt), cqs.html_escape(i.name), cqs.vn_number(i.max_points),
                        coalesce(cqs.vn_number(i.s), ''), coalesce(cqs.vn_number(i.e), ''))
            FROM items i) x;

  -- Annex: the task lines of the period with their converted units and credits (Art. 13-14).
  SELECT string_agg(format('<tr><td class="c">%s</td><td>%s%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td>'
                           '<td class="num">%s</td><td class="num">%s</td><td class="c">%s</td><td class="c">%s</td>'
                           '<td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
                           x.n, CASE WHEN x.item_code IS NOT NULL THEN '<b>' || cqs.html_escape(x.item_code) || '</b> ' ELSE '' END,
                           cqs.html_escape(x.item_name)
                           || CASE x.origin WHEN 'reassigned_away' THEN ' <i>(chuyển cho người khác; vẫn tính trong G)</i>'
                                            WHEN 'taken_over' THEN ' <i>(nhận thêm; ngoài G)</i>'
                                            WHEN 'ad_hoc' THEN ' <i>(đột xuất; ngoài G)</i>' ELSE '' END
                           || CASE WHEN x.off_catalogue THEN ' <i>(ngoài danh mục, Điều 13.3)</i>' ELSE '' END,
                           cqs.vn_number(x.coefficient), cqs.vn_number(x.assigned_qty), cqs.vn_number(x.assigned_units),
                           cqs.vn_number(coalesce(x.completed_qty, 0)), cqs.vn_number(x.completed_units),
                           cqs._doc_short_day(x.deadline), cqs._doc_short_day(x.completed_on),
                           x.quality_deductions || CASE WHEN x.failures_exempted > 0 THEN '*' ELSE '' END,
                           cqs.vn_number(x.quality_credit),
                           x.lateness_deductions || CASE WHEN x.delays_exempted > 0 THEN '*' ELSE '' END,
                           cqs.vn_number(x.progress_credit)),
                    E'\n' ORDER BY x.n),
         count(*), sum(x.assigned_units), sum(x.completed_units), sum(x.quality_credit), sum(x.progress_credit)
    INTO v_lines, v_nlines, v_g, v_done, v_q, v_pr
    FROM (SELECT t.*, row_number() OVER (ORDER BY t.period, t.task_line_id) AS n
            FROM cqs.task_lines_explained t
           WHERE t.person_id = form01_html.person_id AND t.evaluation_period = v_start) x;

  IF v_a.evaluator_id IS NOT NULL THEN
    SELECT e.full_name INTO v_eval FROM cqs.person e WHERE e.person_id = v_a.evaluator_id;
  END IF;
  v_task70 := CASE WHEN v_r.total IS NOT NULL AND v_r.general_score IS NOT NULL THEN v_r.total - v_r.general_score
                   WHEN v_r.task_score IS NOT NULL THEN round(v_r.task_score * 0.7, 2) END;

  v_body := cqs._doc_head(v_sup_name, v_org_name, 'Mẫu số 01')
    || '<h1>Phiếu theo dõi, đánh giá công chức</h1>'
    || '<p class="subtitle">(Kỳ theo dõi, đánh giá: ' || cqs.html_escape(v_label) || ')</p>'
    || CASE WHEN coalesce(v_a.status, 'draft') NOT IN ('confirmed', 'locked')
            THEN '<div class="draft">DỰ THẢO — chưa được cấp có thẩm quyền xác nhận (trạng thái: '
                 || cqs.html_escape(coalesce(v_a.status, 'draft')) || ')</div>' ELSE '' END
    || '<p class="field"><span class="label">Họ và tên: </span><span class="value">' || cqs.html_escape(v_p.full_name)
    || '</span> <span class="muted">(mã hồ sơ ' || cqs.html_escape(v_p.personnel_id) || ')</span></p>'
    || '<p class="field"><span class="label">Chức vụ, chức danh: </span><span class="value">'
    || cqs.html_escape(cqs._doc_role_label(coalesce(v_r.role, v_post.role), coalesce(v_r.field, v_post.field),
                                           v_post.job_position, coalesce(v_r.person_kind, v_p.kind))) || '</span></p>'
    || '<p class="field"><span class="label">Đơn vị công tác: </span><span class="value">'
    || cqs.html_escape(v_org_name || coalesce(' – ' || v_sup_name, '')) || '</span></p>'
    || '<h2>I. Kết quả theo dõi, đánh giá theo tiêu chí chung</h2>'
    || '<table class="grid"><thead><tr><th style="width:9%">TT</th><th>Tiêu chí chấm điểm</th><th style="width:11%">Điểm tối đa</th>'
    || '<th style="width:13%">Điểm do cá nhân tự chấm</th><th style="width:15%">Điểm do cấp có thẩm quyền đánh giá</th></tr>'
    || '<tr><th>(1)</th><th>(2)</th><th>(3)</th><th>(4)</th><th>(5)</th></tr></thead><tbody>'
    || coalesce(v_rows, '')
    || format('<tr class="total"><td></td><td class="c">Tổng cộng</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
              coalesce(cqs.vn_number(v_max), ''), coalesce(cqs.vn_number(v_a.self_total), ''),
              coalesce(cqs.vn_number(v_a.evaluator_total), ''))
    || '</tbody></table>'
    || '<h2>II. Tổng hợp kết quả theo dõi, đánh giá công chức</h2>'
    || '<p>1. Điểm tiêu chí chung: <b>' || coalesce(cqs.vn_number(v_r.general_score), 'chưa chấm') || '</b>'
    || CASE WHEN v_r.general_score IS NULL THEN ''
            WHEN v_a.status IN ('confirmed', 'locked') THEN ' <span class="muted">(điểm của cấp có thẩm quyền, Điều 12.1)</span>'
            ELSE ' <span class="muted">(điểm tự chấm, đến khi được xác nhận)</span>' END || '</p>'
    || '<p>2. Điểm tiêu chí kết quả thực hiện nhiệm vụ: <b>' || coalesce(cqs.vn_number(v_task70), 'chưa xác định') || '</b>'
    || CASE WHEN v_r.task_score IS NOT NULL
            THEN ' <span class="muted">(tỷ lệ ' || cqs.vn_number(v_r.task_score) || '% × 70 điểm, Điều 16–17)</span>'
            WHEN v_r.note IS NOT NULL THEN ' <span class="muted">(' || cqs.html_escape(cqs.localize(v_r.note, 'vi')) || ')</span>' ELSE '' END || '</p>'
    || '<p>3. Tổng điểm theo dõi, đánh giá công chức: <b>' || coalesce(cqs.vn_number(v_r.total), 'chưa xác định') || '</b>'
    || CASE WHEN v_r.grade IS NOT NULL THEN ' — mức: <b>' || cqs.html_escape(cqs.grade_label(v_r.grade)) || '</b>' ELSE '' END
    || '</p>'
    || '<p>4. Ưu điểm: ' || cqs.html_escape(coalesce(v_a.strengths, '')) || '</p>'
    || '<p>5. Hạn chế, khuyết điểm: ' || cqs.html_escape(coalesce(v_a.shortcomings, '')) || '</p>'
    || '<p>6. Ý kiến nhận xét của cấp có thẩm quyền theo dõi, đánh giá: ' || cqs.html_escape(coalesce(v_a.evaluator_comment, '')) || '</p>'
    || CASE WHEN v_a.confirmed_at IS NOT NULL
            THEN '<p class="muted">Xác nhận'
                 || coalesce(' bởi ' || nullif(concat_ws(' ', cqs.html_escape(coalesce(v_eval, 'người đánh giá số ' || v_a.evaluator_id)),
                                                         '(tài khoản ' || cqs.html_escape(v_a.confirmed_by) || ')'), ''), '')
                 || ' lúc '
                 || cqs.html_escape(to_char(v_a.confirmed_at, 'HH24:MI DD/MM/YYYY')) || '.'
                 || CASE WHEN v_r.lock_id IS NOT NULL THEN ' Kỳ đã khóa, kết quả đã thông báo.' ELSE '' END || '</p>'
            ELSE '' END
    || cqs._doc_sign(v_a.self_assessed_at::date, CASE WHEN v_p.kind = 'support_staff' THEN 'Người lao động tự đánh giá'
                                                      ELSE 'Công chức tự đánh giá' END, v_p.full_name,
                     v_a.confirmed_at::date, 'Cấp có thẩm quyền theo dõi, đánh giá', coalesce(v_eval, ''))
    -- Annex: how the task score was reached.
    || '<div class="annex"><h2>Phụ lục: kết quả thực hiện nhiệm vụ ' || cqs.html_escape(v_label) || '</h2>'
    || '<p class="muted">' || cqs.html_escape(v_p.full_name) || ' — ' || cqs.html_escape(v_org_name)
    || '. Quy đổi = số lượng × hệ số quy đổi (Điều 13); mỗi lần không đạt chất lượng hoặc mỗi lần chậm trừ 25% điểm của sản phẩm đó (Điều 14.2.b–c; '
    || CASE coalesce(v_r.lateness_mode, 'per_day') WHEN 'per_day' THEN 'chậm: mỗi ngày chậm một lần trừ'
                                                   ELSE 'chậm: mỗi lần chậm một lần trừ' END || ').</p>'
    || CASE WHEN coalesce(v_r.person_kind, v_p.kind) = 'support_staff' THEN
         '<p>Người lao động (Sổ tay, chương III): điểm = (chất lượng ' || coalesce(cqs.vn_number(v_a.support_quality), '—')
         || '% + chấp hành ' || coalesce(cqs.vn_number(v_a.support_compliance), '—') || '% + hiệu quả '
         || coalesce(cqs.vn_number(v_a.support_efficiency), '—') || '%) / 3 = <b>'
         || coalesce(cqs.vn_number(v_r.task_score), '—') || '%</b>.</p>'
       ELSE
         '<table class="grid small"><thead><tr><th>TT</th><th style="width:27%">Sản phẩm, công việc</th><th>Hệ số</th><th>SL giao</th>'
         || '<th>Quy đổi giao</th><th>SL hoàn thành</th><th>Quy đổi hoàn thành</th><th>Hạn</th><th>Hoàn thành</th>'
         || '<th>Lần trừ chất lượng</th><th>Điểm chất lượng</th><th>Lần trừ tiến độ</th><th>Điểm tiến độ</th></tr></thead><tbody>'
         || coalesce(v_lines, '<tr><td colspan="13" class="c">Không có nhiệm vụ trong kỳ.</td></tr>')
         || format('<tr class="total"><td></td><td>Cộng (%s dòng)</td><td></td><td></td><td class="num">%s</td><td></td><td class="num">%s</td>'
                   '<td></td><td></td><td></td><td class="num">%s</td><td></td><td class="num">%s</td></tr>',
                   v_nlines, coalesce(cqs.vn_number(v_g), ''), coalesce(cqs.vn_number(v_done), ''),
                   coalesce(cqs.vn_number(v_q), ''), coalesce(cqs.vn_number(v_pr), ''))
         || '</tbody></table>'
         || CASE WHEN coalesce(v_r.assigned_units, 0) = 0 THEN
              '<p><b>G = 0</b>: không có nhiệm vụ được giao theo kế hoạch, tiêu chí kết quả thực hiện nhiệm vụ không đánh giá được (Điều 14, 18.1.d).</p>'
            ELSE
              '<p>Tổng quy đổi được giao G = <b>' || cqs.vn_number(v_r.assigned_units) || '</b> (Điều 18.1.d).</p>'
              || '<p>a (số lượng, Điều 14.2.a) = 100 × ' || cqs.vn_number(v_r.completed_units) || ' / ' || cqs.vn_number(v_r.assigned_units)
              || ' = <b>' || cqs.vn_number(v_r.a) || '%</b></p>'
              || '<p>b (chất lượng, Điều 14.2.b) = 100 × ' || cqs.vn_number(v_r.quality_units) || ' / ' || cqs.vn_number(v_r.assigned_units)
              || ' = <b>' || cqs.vn_number(v_r.b) || '%</b></p>'
              || '<p>c (tiến độ, Điều 14.2.c) = 100 × ' || cqs.vn_number(v_r.progress_units) || ' / ' || cqs.vn_number(v_r.assigned_units)
              || ' = <b>' || cqs.vn_number(v_r.c) || '%</b></p>'
              || CASE WHEN v_leader THEN
                   '<p>d (kết quả của đơn vị, Điều 15.3) = <b>' || coalesce(cqs.vn_number(v_r.d), '—') || '</b>; '
                   || 'đ (năng lực tổ chức) = <b>' || coalesce(cqs.vn_number(v_r.dd), '—') || '</b>'
                   || coalesce(' (' || cqs.html_escape(v_a.dd_reason) || ')', '') || '; '
                   || 'e (đoàn kết) = <b>' || coalesce(cqs.vn_number(v_r.e), '—') || '</b>'
                   || coalesce(' (' || cqs.html_escape(v_a.e_reason) || ')', '') || '.</p>'
                   || '<p>Tỷ lệ KQ = (a + b + c + d + đ + e) / 6 = <b>' || coalesce(cqs.vn_number(v_r.task_score), '—') || '%</b>'
                 ELSE
                   '<p>Tỷ lệ KQ = (a + b + c) / 3 = <b>' || coalesce(cqs.vn_number(v_r.task_score), '—') || '%</b>'
                 END
              || ' <span class="muted">(giới hạn: ' || CASE v_r.cap_mode WHEN 'each' THEN 'từng tỷ lệ a, b, c' ELSE 'tổng' END
              || ' tối đa 100%, Điều 12.3)</span>; điểm = ' || coalesce(cqs.vn_number(v_r.task_score), '—') || '% × 70 = <b>'
              || coalesce(cqs.vn_number(v_task70), '—') || '</b>.</p>'
          END
         || CASE WHEN v_lines LIKE '%*</td>%' THEN '<p class="muted">* có lần không đạt hoặc lần chậm được cấp có thẩm quyền xác nhận miễn trừ (Điều 14.2.b–c).</p>' ELSE '' END
       END
    || '<p>Tổng điểm (Điều 17.1) = ' || coalesce(cqs.vn_number(v_r.general_score), '—') || ' + ' || coalesce(cqs.vn_number(v_task70), '—')
    || ' = <b>' || coalesce(cqs.vn_number(v_r.total), '—') || '</b>'
    || CASE WHEN v_r.grade IS NOT NULL THEN ' — ' || cqs.html_escape(cqs.grade_label(v_r.grade)) ELSE '' END || '.</p>'
    || '<p class="footnote">Lập từ cơ sở dữ liệu (cqs_eval ' || cqs.html_escape(coalesce(v_r.computed_version, '')) || ')'
    || coalesce(', kết quả tính lúc ' || cqs.html_escape(to_char(v_r.computed_at, 'HH24:MI DD/MM/YYYY')), '')
    || '. Số liệu ghi như đã lưu, hai chữ số thập phân.</p></div>';
  RETURN cqs._doc_page('Mẫu số 01 – ' || v_p.full_name || ' – ' || v_label, v_body);
END $$;
COMMENT ON FUNCTION cqs.form01_html(bigint, date) IS
  'Art. 12-18, Form 01 (Mẫu số 01, Appendix II): a person''s monthly or quarterly sheet as a printable A4 HTML document -- the general sub-items with self and evaluator scores, the task lines with converted units and credits, a, b, c, the task score, total, grade, comments and who confirmed; 42501 for a reader who may not read the person';

-- ---------------------------------------------------------------------------
-- Form 02 (Mẫu số 02, Appendix II): the year of a person.
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs.form02_html(person_id bigint, year integer) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_p        cqs.person;
  v_y        record;
  v_g        cqs.year_grading;
  v_d        cqs.grade_decision;
  v_job      text;
  v_field    text;
  v_org_name text;
  v_sup_name text;
  v_rows     text;
  v_body     text;
BEGIN
  IF year IS NULL THEN
    RAISE EXCEPTION 'year must not be NULL' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  v_p := cqs._doc_person(form02_html.person_id, 'Form 02');
  SELECT * INTO v_y FROM cqs.year_results y WHERE y.person_id = form02_html.person_id AND y.year = form02_html.year;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'person % has no computed year %', form02_html.person_id, form02_html.year
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Run cqs.grade_year() first.';
  END IF;
  SELECT * INTO v_g FROM cqs.year_grading g WHERE g.person_id = form02_html.person_id AND g.year = form02_html.year;
  SELECT * INTO v_d FROM cqs.grade_decision d WHERE d.decision_id = v_y.decision_id;
  SELECT o.name, s.name INTO v_org_name, v_sup_name
    FROM cqs.organisation o LEFT JOIN cqs.organisation s ON s.organisation_id = o.parent_id
   WHERE o.organisation_id = v_y.organisation_id;
  SELECT ps.job_position, ps.field INTO v_job, v_field FROM cqs.posting ps
   WHERE ps.person_id = form02_html.person_id AND ps.organisation_id = v_y.organisation_id
   ORDER BY ps.start_date DESC LIMIT 1;

  -- I. The twelve months (a quarterly organisation's quarter is written on its first month).
  SELECT string_agg(format('<tr><td class="c">%s</td><td class="num">%s</td><td>%s</td></tr>', m.m,
                           coalesce(cqs.vn_number(r.total), ''),
                           concat_ws('; ',
                             CASE WHEN r.period_kind = 'quarter' THEN 'kết quả quý ' || extract(quarter FROM r.period) END,
                             CASE WHEN r.person_id IS NULL AND q.person_id IS NOT NULL
                                  THEN 'tính trong kết quả quý ' || extract(quarter FROM q.period) END,
                             CASE WHEN coalesce(r.organisation_id, v_y.organisation_id) <> v_y.organisation_id
                                  THEN 'tại ' || cqs.html_escape(o.name) END,
                             CASE WHEN r.person_id IS NOT NULL AND r.total IS NULL THEN 'chưa có tổng điểm' END,
                             CASE WHEN r.person_id IS NOT NULL AND r.lock_id IS NULL AND coalesce(a.status, 'draft') NOT IN ('confirmed', 'locked')
                                  THEN 'chưa được xác nhận' END,
                             CASE WHEN (format('%s-%s', form02_html.year, lpad(m.m::text, 2, '0')) = ANY (v_y.missing_periods_en)
                                        OR format('%s-Q%s', form02_html.year, (m.m + 2) / 3) = ANY (v_y.missing_periods_en))
                                       AND r.person_id IS NULL AND q.person_id IS NULL
                                  THEN 'thiếu kết quả được xác nhận (Điều 17.2)' END)),
                    E'\n' ORDER BY m.m)
    INTO v_rows
    FROM generate_series(1, 12) AS m(m)
    LEFT JOIN cqs.period_result r ON r.person_id = form02_html.person_id AND r.period = make_date(form02_html.year, m.m, 1)
    LEFT JOIN cqs.period_result q ON q.person_id = form02_html.person_id AND q.period_kind = 'quarter'
                                 AND q.period = make_date(form02_html.year, ((m.m - 1) / 3) * 3 + 1, 1)
                                 AND q.period <> make_date(form02_html.year, m.m, 1)
    LEFT JOIN cqs.assessment a ON a.person_id = r.person_id AND a.period = r.period
    LEFT JOIN cqs.organisation o ON o.organisation_id = r.organisation_id;

  v_body := cqs._doc_head(v_sup_name, v_org_name, 'Mẫu số 02')
    || '<h1>Phiếu xếp loại chất lượng công chức</h1>'
    || '<p class="subtitle" style="font-style:normal"><b>Năm ' || form02_html.year || '</b></p>'
    || '<p class="field"><span class="label">Họ và tên: </span><span class="value">' || cqs.html_escape(v_p.full_name)
    || '</span> <span class="muted">(mã hồ sơ ' || cqs.html_escape(v_p.personnel_id) || ')</span></p>'
    || '<p class="field"><span class="label">Chức vụ, chức danh: </span><span class="value">'
    || cqs.html_escape(cqs._doc_role_label(v_y.role, v_field, v_job, v_p.kind)) || '</span></p>'
    || '<p class="field"><span class="label">Đơn vị công tác: </span><span class="value">'
    || cqs.html_escape(v_org_name || coalesce(' – ' || v_sup_name, '')) || '</span></p>'
    || '<h2>I. Tổng hợp kết quả theo dõi, đánh giá</h2>'
    || '<table class="grid"><thead><tr><th style="width:18%">Tháng</th><th style="width:30%">Tổng điểm theo dõi, đánh giá</th>'
    || '<th>Ghi chú</th></tr></thead><tbody>' || v_rows
    || format('<tr class="total"><td class="c">Tổng điểm trung bình cả năm</td><td class="num">%s</td><td>%s</td></tr>',
              coalesce(cqs.vn_number(v_y.mean_total), ''),
              concat_ws('; ', 'số tháng tính: ' || v_y.months_counted,
                        CASE WHEN v_y.score_grade IS NOT NULL THEN 'mức theo điểm: ' || cqs.html_escape(cqs.grade_label(v_y.score_grade)) END,
                        cqs.html_escape(cqs.localize(v_y.rounding_note_en, 'vi'))))
    || '</tbody></table>'
    || CASE WHEN v_y.not_graded_reason_en IS NOT NULL
            THEN '<div class="draft">Chưa xếp loại: ' || cqs.html_escape(cqs.localize(v_y.not_graded_reason_en, 'vi')) || '</div>' ELSE '' END
    || '<h2>II. Công chức tự đánh giá, xếp loại chất lượng</h2>' || cqs._doc_grade_boxes(v_g.self_proposed_grade)
    || '<h2>III. Kết quả xếp loại chất lượng của cấp có thẩm quyền<sup>1</sup></h2>' || cqs._doc_grade_boxes(v_d.grade)
    || CASE WHEN v_d.decision_id IS NOT NULL
            THEN '<p class="muted">Quyết định ' || cqs.html_escape(v_d.reference) || ' ngày ' || cqs._doc_short_day(v_d.decided_at::date)
                 || coalesce(' (' || cqs.html_escape(v_d.title) || ')', '')
                 || CASE WHEN v_d.supersedes IS NOT NULL THEN '; thay thế quyết định trước (Điều 21.3): ' || cqs.html_escape(v_d.reason) ELSE '' END
                 || '.</p>'
            ELSE '<p class="muted">Chưa có quyết định của cấp có thẩm quyền'
                 || coalesce('; mức đề xuất: ' || cqs.html_escape(cqs.grade_label(v_y.proposed_grade)), '') || '.</p>' END
    || CASE WHEN cardinality(v_y.override_reasons_en) > 0
            THEN '<p class="muted">Căn cứ ' || cqs.html_escape(array_to_string(cqs.localize(v_y.override_reasons_en, 'vi'), '; ')) || '.</p>' ELSE '' END
    || CASE WHEN v_y.cap_reason_en IS NOT NULL
            THEN '<p class="muted">' || cqs.html_escape(cqs.localize(v_y.cap_reason_en, 'vi')) || '.</p>' ELSE '' END
    || '<h2>IV. Đề xuất phương án xử lý<sup>2</sup></h2>'
    || '<p>......................................................................................................................</p>'
    || '<p>......................................................................................................................</p>'
    || cqs._doc_sign(v_g.self_proposed_at::date, CASE WHEN v_p.kind = 'support_staff' THEN 'Người lao động tự xếp loại'
                                                       ELSE 'Công chức tự xếp loại' END, v_p.full_name,
                     v_d.decided_at::date, coalesce(v_d.title, 'Cấp có thẩm quyền xếp loại'), '')
    || '<div class="footnote"><p><sup>1</sup> Việc xếp loại chất lượng công chức căn cứ vào quy định tại Điều 20 Nghị định số 335/2025/NĐ-CP.</p>'
    || '<p><sup>2</sup> Việc đề xuất phương án xử lý căn cứ quy định tại Điều 23 Nghị định số 335/2025/NĐ-CP.</p></div>';
  RETURN cqs._doc_page('Mẫu số 02 – ' || v_p.full_name || ' – năm ' || form02_html.year, v_body);
END $$;
COMMENT ON FUNCTION cqs.form02_html(bigint, integer) IS
  'Art. 17.3, 20-21, Form 02 (Mẫu số 02, Appendix II): a person''s year as a printable A4 HTML document -- the twelve monthly totals, their mean, the self-proposed and the decided grade; 42501 for a reader who may not read the person';

-- ---------------------------------------------------------------------------
-- The public notice of the year's grades (Art. 21.1.đ, 21.2.đ): only decisions in force
-- are published, with the grade and the decision -- no score, no override, no comment.
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs.publication_list_html(organisation_id bigint, year integer) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_org      cqs.organisation;
  v_sup_name text;
  v_rows     text;
  v_n        integer;
  v_summary  text;
  v_waiting  bigint;
  v_body     text;
BEGIN
  IF year IS NULL THEN
    RAISE EXCEPTION 'year must not be NULL' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM cqs._doc_require_scope(publication_list_html.organisation_id, cqs._identified_organisations(),
                                 'publication list',
                                 'Art. 21: the personnel section or the grading authority over the organisation publishes its results.');
  SELECT * INTO v_org FROM cqs.organisation o WHERE o.organisation_id = publication_list_html.organisation_id;
  SELECT s.name INTO v_sup_name FROM cqs.organisation s WHERE s.organisation_id = v_org.parent_id;

  SELECT string_agg(format('<tr><td class="c">%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>',
                           x.n, cqs.html_escape(x.full_name), cqs.html_escape(x.role_label), cqs.html_escape(x.org_name),
                           '<b>' || cqs.html_escape(cqs.grade_label(x.grade)) || '</b>',
                           cqs.html_escape(x.reference) || ' ngày ' || cqs._doc_short_day(x.decided_at::date)),
                    E'\n' ORDER BY x.n),
         count(*)
    INTO v_rows, v_n
    FROM (SELECT row_number() OVER (ORDER BY c.distance, o.code, CASE y.role WHEN 'head' THEN 0 WHEN 'deputy' THEN 1 ELSE 2 END,
                                             p.full_name, y.person_id) AS n,
                 coalesce(p.full_name, 'người số ' || y.person_id) AS full_name, o.name AS org_name,
                 coalesce(ps.job_position, cqs._doc_role_label(y.role, NULL, NULL, p.kind)) AS role_label,
                 d.grade, d.reference, d.decided_at
            FROM cqs.year_results y
            JOIN cqs.organisation_closure c ON c.descendant_id = y.organisation_id
                                           AND c.ancestor_id = publication_list_html.organisation_id
            JOIN cqs.grade_decision d ON d.decision_id = y.decision_id
            JOIN cqs.organisation o ON o.organisation_id = y.organisation_id
            LEFT JOIN cqs.person p ON p.person_id = y.person_id
            LEFT JOIN LATERAL (SELECT s.job_position FROM cqs.posting s
                                WHERE s.person_id = y.person_id AND s.organisation_id = y.organisation_id
                                ORDER BY s.start_date DESC LIMIT 1) ps ON true
           WHERE y.year = publication_list_html.year) x;

  SELECT string_agg(format('<tr><td>%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
                           cqs.html_escape(cqs.grade_label(g.g)), coalesce(k.people, 0),
                           CASE WHEN coalesce(v_n, 0) > 0 THEN cqs.vn_number(100.0 * coalesce(k.people, 0) / v_n) || '%' ELSE '' END),
                    E'\n' ORDER BY g.g DESC)
    INTO v_summary
    FROM unnest(enum_range(NULL::cqs.grade)) AS g(g)
    LEFT JOIN (SELECT d.grade, count(*) AS people
                 FROM cqs.year_results y
                 JOIN cqs.organisation_closure c ON c.descendant_id = y.organisation_id
                                                AND c.ancestor_id = publication_list_html.organisation_id
                 JOIN cqs.grade_decision d ON d.decision_id = y.decision_id
                WHERE y.year = publication_list_html.year GROUP BY d.grade) k ON k.grade = g.g;
  SELECT count(*) INTO v_waiting
    FROM cqs.year_results y
    JOIN cqs.organisation_closure c ON c.descendant_id = y.organisation_id AND c.ancestor_id = publication_list_html.organisation_id
   WHERE y.year = publication_list_html.year AND y.decision_id IS NULL;

  v_body := cqs._doc_head(v_sup_name, v_org.name, NULL)
    || '<h1>Thông báo</h1>'
    || '<p class="subtitle" style="font-style:normal"><b>Công khai kết quả xếp loại chất lượng công chức năm '
    || publication_list_html.year || '</b></p>'
    || '<p>Căn cứ Nghị định số 335/2025/NĐ-CP ngày 21 tháng 12 năm 2025 của Chính phủ về đánh giá, xếp loại chất lượng '
    || 'tổ chức và công chức (Điều 21); căn cứ các quyết định xếp loại chất lượng của cấp có thẩm quyền, '
    || cqs.html_escape(v_org.name) || ' thông báo công khai kết quả xếp loại chất lượng công chức năm '
    || publication_list_html.year || ' như sau:</p>'
    || '<table class="grid" style="font-size:11pt"><thead><tr><th style="width:7%">STT</th><th>Họ và tên</th><th>Chức vụ, chức danh</th><th>Đơn vị</th>'
    || '<th>Kết quả xếp loại</th><th>Quyết định</th></tr></thead><tbody>'
    || coalesce(v_rows, '<tr><td colspan="6" class="c">Chưa có quyết định xếp loại nào.</td></tr>')
    || '</tbody></table>'
    || '<h3>Tổng hợp</h3>'
    || '<table class="grid" style="width:70%"><thead><tr><th>Mức xếp loại</th><th>Số người</th><th>Tỷ lệ</th></tr></thead><tbody>'
    || v_summary
    || format('<tr class="total"><td>Cộng</td><td class="num">%s</td><td class="num">%s</td></tr>', coalesce(v_n, 0),
              CASE WHEN coalesce(v_n, 0) > 0 THEN '100,00%' ELSE '' END)
    || '</tbody></table>'
    || CASE WHEN v_waiting > 0 THEN '<p class="muted">' || v_waiting
            || ' người chưa có quyết định xếp loại (chưa công khai).</p>' ELSE '' END
    || '<p>Công chức không nhất trí với kết quả xếp loại có quyền kiến nghị; cấp có thẩm quyền giải quyết trong thời hạn 07 ngày làm việc '
    || 'kể từ ngày nhận được kiến nghị (Điều 22).</p>'
    || '<table class="sign"><tr><td style="text-align:left"><div><b><i>Nơi nhận:</i></b></div><div class="muted">- Công chức trong cơ quan;<br>'
    || '- Đăng trên cổng thông tin điện tử;<br>- Lưu: VT, TCCB.</div></td>'
    || '<td><div class="when">....., ' || cqs._doc_day(NULL) || '</div><div class="who">Thủ trưởng cơ quan</div>'
    || '<div class="how">(Ký tên, đóng dấu)</div><div class="name"></div></td></tr></table>';
  RETURN cqs._doc_page('Thông báo kết quả xếp loại năm ' || publication_list_html.year || ' – ' || v_org.name, v_body);
END $$;
COMMENT ON FUNCTION cqs.publication_list_html(bigint, integer) IS
  'Art. 21.1.đ, 21.2.đ: the public notice of an organisation''s (and its sub-units'') yearly grades as a printable A4 HTML document -- decisions in force only, with the grade and the decision; no score, override or comment; 42501 outside the caller''s identified mandates';

-- ---------------------------------------------------------------------------
-- An organisation's evaluation sheet (Art. 6-8): the scores and the conditions of its band.
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs.organisation_sheet_html(organisation_id bigint, year integer) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_org      cqs.organisation;
  v_sup_name text;
  v_y        cqs.organisation_year;
  v_r        record;
  v_general  text;
  v_task     text;
  v_gmax     numeric;
  v_tmax     numeric;
  v_subs     text;
  v_subs_bad integer;
  v_body     text;
BEGIN
  IF organisation_id IS NULL OR year IS NULL THEN
    RAISE EXCEPTION 'organisation_id and year must not be NULL' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT * INTO v_org FROM cqs.organisation o WHERE o.organisation_id = organisation_sheet_html.organisation_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no organisation %', organisation_sheet_html.organisation_id USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT * INTO v_y FROM cqs.organisation_year y
   WHERE y.organisation_id = organisation_sheet_html.organisation_id AND y.year = organisation_sheet_html.year;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'organisation % has no evaluation for %', organisation_sheet_html.organisation_id, organisation_sheet_html.year
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Its personnel section records cqs.organisation_year (Art. 6-8).';
  END IF;
  SELECT * INTO v_r FROM cqs.organisation_results r
   WHERE r.organisation_id = organisation_sheet_html.organisation_id AND r.year = organisation_sheet_html.year;
  SELECT s.name INTO v_sup_name FROM cqs.organisation s WHERE s.organisation_id = v_org.parent_id;

  SELECT string_agg(format('<tr><td class="c">%s</td><td>%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
                           cqs.html_escape(k.code), cqs.html_escape(k.name), cqs.vn_number(k.max_points),
                           coalesce(cqs.vn_number(v_y.general_scores[k.position]), '')), E'\n' ORDER BY k.position),
         sum(k.max_points)
    INTO v_general, v_gmax
    FROM cqs.organisation_criteria k WHERE k.criteria_code = v_y.criteria_code AND k.part = 'general';
  SELECT string_agg(format('<tr><td class="c">%s</td><td>%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
                           cqs.html_escape(k.code), cqs.html_escape(k.name), cqs.vn_number(k.max_points),
                           coalesce(cqs.vn_number(v_y.task_scores[k.position]), '')), E'\n' ORDER BY k.position),
         sum(k.max_points)
    INTO v_task, v_tmax
    FROM cqs.organisation_criteria k WHERE k.criteria_code = v_y.criteria_code AND k.part = 'task';
  -- Art. 8.1.b: the directly subordinate organisations and their grades.
  SELECT string_agg(cqs.html_escape(s.name) || ': ' || coalesce(cqs.html_escape(cqs.grade_label(s.final_grade)), 'chưa xếp loại'),
                    '; ' ORDER BY s.code),
         count(*) FILTER (WHERE s.final_grade = 'khong_hoan_thanh')
    INTO v_subs, v_subs_bad
    FROM cqs.organisation_results s WHERE s.recognised_by = organisation_sheet_html.organisation_id AND s.year = organisation_sheet_html.year;

  v_body := cqs._doc_head(v_sup_name, v_org.name, NULL)
    || '<h1>Phiếu đánh giá, xếp loại chất lượng tổ chức</h1>'
    || '<p class="subtitle" style="font-style:normal"><b>Năm ' || organisation_sheet_html.year || '</b></p>'
    || '<p class="field"><span class="label">Tên cơ quan, tổ chức, đơn vị: </span><span class="value">' || cqs.html_escape(v_org.name)
    || '</span> <span class="muted">(' || cqs.html_escape(v_org.code) || ')</span></p>'
    || '<p class="field"><span class="label">Cấp có thẩm quyền công nhận (Điều 5): </span><span class="value">'
    || cqs.html_escape(coalesce(v_sup_name, '')) || '</span></p>'
    || '<h2>I. Tiêu chí chung (Điều 6)</h2>'
    || '<table class="grid"><thead><tr><th style="width:10%">TT</th><th>Tiêu chí</th><th style="width:13%">Điểm tối đa</th>'
    || '<th style="width:13%">Điểm đạt</th></tr></thead><tbody>' || coalesce(v_general, '')
    || format('<tr class="total"><td></td><td>Cộng</td><td class="num">%s</td><td class="num">%s</td></tr>',
              coalesce(cqs.vn_number(v_gmax), ''), coalesce(cqs.vn_number(v_r.general_score), ''))
    || '</tbody></table>'
    || '<h2>II. Tiêu chí về kết quả thực hiện nhiệm vụ (Điều 7)</h2>'
    || '<table class="grid"><thead><tr><th style="width:10%">TT</th><th>Tiêu chí</th><th style="width:13%">Điểm tối đa</th>'
    || '<th style="width:13%">Điểm đạt</th></tr></thead><tbody>' || coalesce(v_task, '')
    || format('<tr class="total"><td></td><td>Cộng</td><td class="num">%s</td><td class="num">%s</td></tr>',
              coalesce(cqs.vn_number(v_tmax), ''), coalesce(cqs.vn_number(v_r.task_score), ''))
    || format('<tr class="total"><td></td><td>Tổng điểm</td><td class="num">%s</td><td class="num">%s</td></tr>',
              coalesce(cqs.vn_number(v_gmax + v_tmax), ''), coalesce(cqs.vn_number(v_r.score), ''))
    || '</tbody></table>'
    || '<div class="section"><h2>III. Điều kiện xếp loại (Điều 8)</h2>'
    || '<table class="grid"><thead><tr><th>Điều kiện</th><th style="width:22%">Số liệu</th><th style="width:16%">Tỷ lệ</th></tr></thead><tbody>'
    || format('<tr><td>Nhiệm vụ được giao</td><td class="num">%s</td><td></td></tr>', v_y.tasks_assigned)
    || format('<tr><td>Hoàn thành (Điều 8.2–8.3: 100%%)</td><td class="num">%s</td><td class="num">%s</td></tr>', v_y.tasks_completed,
              coalesce(cqs.vn_number(100.0 * v_y.tasks_completed / nullif(v_y.tasks_assigned, 0)) || '%', ''))
    || format('<tr><td>Hoàn thành đúng hạn, bảo đảm chất lượng (Điều 8.1.a, 8.2)</td><td class="num">%s</td><td class="num">%s</td></tr>',
              v_y.tasks_on_time, coalesce(cqs.vn_number(100.0 * v_y.tasks_on_time / nullif(v_y.tasks_assigned, 0)) || '%', ''))
    || format('<tr><td>Hoàn thành vượt mức (Điều 8.1.a: ít nhất 30%%)</td><td class="num">%s</td><td class="num">%s</td></tr>',
              v_y.tasks_exceeded, coalesce(cqs.vn_number(100.0 * v_y.tasks_exceeded / nullif(v_y.tasks_assigned, 0)) || '%', ''))
    || format('<tr><td>Chưa bảo đảm tiến độ (Điều 8.3: không quá 20%%)</td><td class="num">%s</td><td class="num">%s</td></tr>',
              v_y.tasks_late, coalesce(cqs.vn_number(100.0 * v_y.tasks_late / nullif(v_y.tasks_assigned, 0)) || '%', ''))
    || format('<tr><td>Nhiệm vụ theo chương trình, kế hoạch năm đã hoàn thành (Điều 8.4.b: dưới 70%% là không hoàn thành)</td>'
              '<td class="num">%s / %s</td><td class="num">%s</td></tr>',
              v_y.planned_tasks_done, v_y.planned_tasks,
              coalesce(cqs.vn_number(100.0 * v_y.planned_tasks_done / nullif(v_y.planned_tasks, 0)) || '%', ''))
    || format('<tr><td>Đơn vị cấp dưới trực tiếp xếp loại không hoàn thành nhiệm vụ (Điều 8.1.b)<br><span class="muted">%s</span></td>'
              '<td class="num">%s</td><td></td></tr>',
              coalesce(v_subs, 'không có đơn vị cấp dưới trực tiếp'), coalesce(v_subs_bad, 0))
    || format('<tr><td>Đã khắc phục toàn bộ hạn chế, khuyết điểm được chỉ ra (Điều 8.1.c)</td><td class="c">%s</td><td></td></tr>',
              CASE WHEN v_y.shortcomings_fixed THEN 'Có' ELSE 'Chưa' END)
    || format('<tr><td>Bị kết luận sai phạm trong công tác cán bộ, mất đoàn kết, bè phái (Điều 8.4.a)</td><td class="c">%s</td><td class="muted">%s</td></tr>',
              CASE WHEN v_y.violation_concluded THEN 'Có' ELSE 'Không' END, cqs.html_escape(v_y.violation_note))
    || format('<tr><td>Lý do bất khả kháng (Điều 8.4.b)</td><td class="c">%s</td><td></td></tr>',
              CASE WHEN v_y.force_majeure THEN 'Có' ELSE 'Không' END)
    || '</tbody></table></div>'
    || '<div class="section"><h2>IV. Kết quả xếp loại</h2>'
    || '<p>Tổng điểm: <b>' || coalesce(cqs.vn_number(v_r.score), '') || '</b>.</p>'
    || '<p>Tổ chức tự đề xuất (Điều 9.2.a): <b>' || coalesce(cqs.html_escape(cqs.grade_label(v_y.self_proposed_grade)), 'chưa đề xuất') || '</b>.</p>'
    || '<p>Mức theo điểm và điều kiện (Điều 8): <b>'
    || coalesce(cqs.html_escape(cqs.grade_label(v_r.computed_grade)), 'cần cấp có thẩm quyền quyết định') || '</b>'
    || coalesce(' <span class="muted">(' || cqs.html_escape(cqs.localize(v_r.needs_decision_reason_en, 'vi')) || ')</span>', '') || '.</p>'
    || CASE WHEN v_r.quota_outcome IS NOT NULL
            THEN '<p>Tỷ lệ xuất sắc (Điều 8.5): ' || cqs.html_escape(cqs.localize(v_r.quota_outcome, 'vi')) || '.</p>' ELSE '' END
    || '<p>Cấp có thẩm quyền công nhận: </p>' || cqs._doc_grade_boxes(v_y.decided_grade)
    || CASE WHEN v_y.decided_grade IS NOT NULL
            THEN '<p class="muted">Quyết định ' || cqs.html_escape(coalesce(v_y.decision_ref, '')) || ' ngày '
                 || cqs._doc_short_day(v_y.decided_at::date) || coalesce(' (' || cqs.html_escape(v_y.decided_title) || ')', '') || '.</p>'
            ELSE '<p class="muted">Chưa có quyết định; mức đề xuất: '
                 || coalesce(cqs.html_escape(cqs.grade_label(v_r.final_grade)), 'chưa xác định') || '.</p>' END
    || '</div>'
    || cqs._doc_sign(NULL, 'Người đứng đầu cơ quan, tổ chức, đơn vị', '', v_y.decided_at::date,
                     coalesce(v_y.decided_title, 'Cấp có thẩm quyền công nhận'), '');
  RETURN cqs._doc_page('Đánh giá tổ chức năm ' || organisation_sheet_html.year || ' – ' || v_org.name, v_body);
END $$;
COMMENT ON FUNCTION cqs.organisation_sheet_html(bigint, integer) IS
  'Art. 6-9: an organisation''s yearly evaluation sheet as a printable A4 HTML document -- the Art. 6 and Art. 7 scores against their maxima, the Art. 8 conditions with their figures, the computed grade or why the authority must decide, the quota and the decision';

-- ---------------------------------------------------------------------------
-- The analyst's report of an agency and year: inline SVG charts with the numbers beside.
-- ---------------------------------------------------------------------------
-- Colours of the grades (best to worst) and of "not graded yet".
CREATE FUNCTION cqs._doc_grade_colour(grade cqs.grade) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE $1 WHEN 'xuat_sac' THEN '#1b7837' WHEN 'tot' THEN '#7fbf7b' WHEN 'hoan_thanh' THEN '#f1a340'
                 WHEN 'khong_hoan_thanh' THEN '#b2182b' ELSE '#bdbdbd' END
$$;

-- The n-th line colour (ten, then again).
CREATE FUNCTION cqs._doc_series_colour(n integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT (ARRAY['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#7f7f7f',
                '#bcbd22'])[((greatest($1, 1) - 1) % 10) + 1]
$$;

CREATE FUNCTION cqs.analyst_report_html(organisation_id bigint, year integer) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_org      cqs.organisation;
  v_units    jsonb;
  v_n        integer;
  v_people   bigint;
  v_mean     numeric;
  v_periods  bigint;
  v_svg1     text;
  v_tab1     text;
  v_svg2     text;
  v_tab2     text;
  v_svg3     text;
  v_tab3     text;
  v_svg4     text;
  v_tab4     text;
  v_h        integer;
  v_ymin     numeric;
  v_max      numeric;
  v_lines    bigint;
  v_body     text;
BEGIN
  IF year IS NULL THEN
    RAISE EXCEPTION 'year must not be NULL' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM cqs._doc_require_scope(analyst_report_html.organisation_id, cqs._seen_organisations(), 'analyst report',
                                 'An analyst, personnel section or authority with a mandate over the organisation reads its report.');
  SELECT * INTO v_org FROM cqs.organisation o WHERE o.organisation_id = analyst_report_html.organisation_id;

  -- The units: the organisation and every organisation below it, in tree order.
  SELECT jsonb_agg(jsonb_build_object('n', u.n, 'id', u.organisation_id, 'name', u.name, 'code', u.code) ORDER BY u.n), count(*)
    INTO v_units, v_n
    FROM (SELECT row_number() OVER (ORDER BY c.distance > 0, o.code)::integer AS n, o.organisation_id, o.code, o.name
            FROM cqs.organisation_closure c JOIN cqs.organisation o ON o.organisation_id = c.descendant_id
           WHERE c.ancestor_id = analyst_report_html.organisation_id) u;

  SELECT count(*), round(avg(y.mean_total), 2) INTO v_people, v_mean
    FROM cqs.year_results y
    JOIN cqs.organisation_closure c ON c.descendant_id = y.organisation_id AND c.ancestor_id = analyst_report_html.organisation_id
   WHERE y.year = analyst_report_html.year;

  -- 1. Grades per unit, stacked bars (Art. 20): final grade, else "not graded yet".
  v_h := 40 + v_n * 26;
  WITH u AS (SELECT (x ->> 'n')::integer AS n, (x ->> 'id')::bigint AS id, x ->> 'name' AS name
               FROM jsonb_array_elements(v_units) x),
  k AS (
    SELECT u.n, u.name, g.g, g.ord,
           (SELECT count(*) FROM cqs.year_results y
             WHERE y.year = analyst_report_html.year AND y.organisation_id = u.id
               AND (y.final_grade = g.g OR (g.g IS NULL AND y.final_grade IS NULL))) AS people
      FROM u CROSS JOIN (SELECT x.g, x.ord FROM unnest(ARRAY['xuat_sac', 'tot', 'hoan_thanh', 'khong_hoan_thanh', NULL]::cqs.grade[])
                                                WITH ORDINALITY AS x(g, ord)) g
  ), s AS (
    SELECT k.*, sum(k.people) OVER (PARTITION BY k.n) AS total,
           coalesce(sum(k.people) OVER (PARTITION BY k.n ORDER BY k.ord ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
      FROM k
  )
  SELECT string_agg(
           CASE WHEN s.people > 0 THEN
             format('<rect x="%s" y="%s" width="%s" height="18" fill="%s"><title>%s: %s</title></rect>',
                    round(200 + 360.0 * s.before / s.total, 1), 30 + (s.n - 1) * 26, round(360.0 * s.people / s.total, 1),
                    cqs._doc_grade_colour(s.g), cqs.html_escape(coalesce(cqs.grade_label(s.g), 'chưa xếp loại')), s.people)
             || CASE WHEN 360.0 * s.people / s.total >= 16 THEN
                  format('<text x="%s" y="%s" font-size="11" text-anchor="middle" fill="%s">%s</text>',
                         round(200 + 360.0 * (s.before + s.people / 2.0) / s.total, 1), 30 + (s.n - 1) * 26 + 13,
                         CASE WHEN s.g IN ('xuat_sac', 'khong_hoan_thanh') THEN '#fff' ELSE '#000' END, s.people)
                ELSE '' END
           ELSE '' END
           || CASE WHEN s.ord = 1 THEN
                format('<text x="195" y="%s" font-size="11" text-anchor="end">%s</text><text x="568" y="%s" font-size="11">n = %s</text>',
                       30 + (s.n - 1) * 26 + 13, cqs.html_escape(left(s.name, 34)), 30 + (s.n - 1) * 26 + 13, s.total)
                || CASE WHEN s.total = 0 THEN format('<text x="205" y="%s" font-size="11" fill="#777">không có kết quả năm</text>',
                                                     30 + (s.n - 1) * 26 + 13) ELSE '' END
              ELSE '' END, '' ORDER BY s.n, s.ord),
         string_agg(CASE WHEN s.ord = 1 THEN '<tr><td>' || cqs.html_escape(s.name) || '</td>' ELSE '' END
                    || '<td class="num">' || s.people || '</td>'
                    || CASE WHEN s.ord = 5 THEN '<td class="num">' || s.total || '</td></tr>' ELSE '' END, '' ORDER BY s.n, s.ord)
    INTO v_svg1, v_tab1
    FROM s;
  v_svg1 := format('<svg viewBox="0 0 640 %s" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Xếp loại theo đơn vị">', v_h)
    || (SELECT string_agg(format('<rect x="%s" y="6" width="10" height="10" fill="%s"/><text x="%s" y="15" font-size="11">%s</text>',
                                 10 + (x.ord - 1) * 126, cqs._doc_grade_colour(x.g), 24 + (x.ord - 1) * 126,
                                 cqs.html_escape(CASE x.g WHEN 'xuat_sac' THEN 'Xuất sắc' WHEN 'tot' THEN 'Tốt'
                                                          WHEN 'hoan_thanh' THEN 'Hoàn thành' WHEN 'khong_hoan_thanh' THEN 'Không hoàn thành'
                                                          ELSE 'Chưa xếp loại' END)), '' ORDER BY x.ord)
          FROM unnest(ARRAY['xuat_sac', 'tot', 'hoan_thanh', 'khong_hoan_thanh', NULL]::cqs.grade[]) WITH ORDINALITY AS x(g, ord))
    || coalesce(v_svg1, '') || '</svg>';

  -- 2. The monthly mean per unit (lines; a quarterly unit's quarter sits on its middle month).
  WITH u AS (SELECT (x ->> 'n')::integer AS n, (x ->> 'id')::bigint AS id, x ->> 'name' AS name
               FROM jsonb_array_elements(v_units) x),
  m AS (
    SELECT u.n, u.name, extract(month FROM r.period)::integer + CASE WHEN r.period_kind = 'quarter' THEN 1 ELSE 0 END AS month,
           round(avg(r.total), 2) AS mean, count(*) AS people
      FROM u JOIN cqs.period_result r ON r.organisation_id = u.id
     WHERE r.total IS NOT NULL AND r.period >= make_date(analyst_report_html.year, 1, 1)
       AND r.period < make_date(analyst_report_html.year + 1, 1, 1)
     GROUP BY u.n, u.name, 3
  )
  SELECT least(coalesce(floor(min(m.mean) / 10) * 10, 50), 50) INTO v_ymin FROM m;
  WITH u AS (SELECT (x ->> 'n')::integer AS n, (x ->> 'id')::bigint AS id, x ->> 'name' AS name
               FROM jsonb_array_elements(v_units) x),
  m AS (
    SELECT u.n, u.name, extract(month FROM r.period)::integer + CASE WHEN r.period_kind = 'quarter' THEN 1 ELSE 0 END AS month,
           round(avg(r.total), 2) AS mean
      FROM u JOIN cqs.period_result r ON r.organisation_id = u.id
     WHERE r.total IS NOT NULL AND r.period >= make_date(analyst_report_html.year, 1, 1)
       AND r.period < make_date(analyst_report_html.year + 1, 1, 1)
     GROUP BY u.n, u.name, 3
  ), pts AS (
    SELECT m.*, round(60 + (m.month - 1) * 50.0, 1) AS px, round(250 - (m.mean - v_ymin) * 230.0 / (100 - v_ymin), 1) AS py FROM m
  )
  SELECT string_agg(format('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>%s', cqs._doc_series_colour(l.n), l.points, l.dots),
                    '' ORDER BY l.n)
    INTO v_svg2
    FROM (SELECT p.n, string_agg(p.px || ',' || p.py, ' ' ORDER BY p.month) AS points,
                 string_agg(format('<circle cx="%s" cy="%s" r="2.5" fill="%s"><title>%s, tháng %s: %s</title></circle>', p.px, p.py,
                                   cqs._doc_series_colour(p.n), cqs.html_escape(p.name), p.month, cqs.vn_number(p.mean)), '' ORDER BY p.month) AS dots
            FROM pts p GROUP BY p.n) l;
  v_svg2 := '<svg viewBox="0 0 640 ' || (290 + ((v_n + 1) / 2) * 16) || '" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Điểm trung bình hằng tháng theo đơn vị">'
    -- the frame: horizontal grid every 10 points, the grade thresholds dashed, months below
    || (SELECT string_agg(format('<line x1="55" x2="615" y1="%1$s" y2="%1$s" stroke="%2$s" stroke-width="%3$s"%4$s/>'
                                 '<text x="50" y="%5$s" font-size="10" text-anchor="end">%6$s</text>',
                                 round(250 - (v.v - v_ymin) * 230.0 / (100 - v_ymin), 1),
                                 CASE WHEN v.v IN (50, 70, 90) THEN '#b2182b' ELSE '#ddd' END,
                                 CASE WHEN v.v IN (50, 70, 90) THEN '1' ELSE '0.8' END,
                                 CASE WHEN v.v IN (50, 70, 90) THEN ' stroke-dasharray="4 3"' ELSE '' END,
                                 round(250 - (v.v - v_ymin) * 230.0 / (100 - v_ymin), 1) + 3, v.v), '' ORDER BY v.v)
          FROM generate_series(v_ymin::integer, 100, 10) AS v(v))
    || (SELECT string_agg(format('<text x="%s" y="266" font-size="10" text-anchor="middle">T%s</text>', 60 + (x - 1) * 50, x), '')
          FROM generate_series(1, 12) AS x)
    || coalesce(v_svg2, '<text x="320" y="140" font-size="12" text-anchor="middle" fill="#777">không có kết quả kỳ</text>')
    || (SELECT string_agg(format('<rect x="%s" y="%s" width="14" height="3" fill="%s"/><text x="%s" y="%s" font-size="10">%s</text>',
                                 20 + ((x ->> 'n')::integer - 1) % 2 * 310, 283 + (((x ->> 'n')::integer - 1) / 2) * 16,
                                 cqs._doc_series_colour((x ->> 'n')::integer),
                                 38 + ((x ->> 'n')::integer - 1) % 2 * 310, 287 + (((x ->> 'n')::integer - 1) / 2) * 16,
                                 cqs.html_escape(left(x ->> 'name', 45))), '')
          FROM jsonb_array_elements(v_units) x)
    || '</svg>';
  WITH u AS (SELECT (x ->> 'n')::integer AS n, (x ->> 'id')::bigint AS id, x ->> 'name' AS name
               FROM jsonb_array_elements(v_units) x)
  SELECT string_agg('<tr><td>' || cqs.html_escape(u.name) || '</td>'
                    || (SELECT string_agg('<td class="num">' || coalesce(cqs.vn_number(
                                 (SELECT round(avg(r.total), 2) FROM cqs.period_result r
                                   WHERE r.organisation_id = u.id AND r.total IS NOT NULL
                                     AND r.period = make_date(analyst_report_html.year, mm, 1))), '') || '</td>', '' ORDER BY mm)
                          FROM generate_series(1, 12) AS mm) || '</tr>', '' ORDER BY u.n)
    INTO v_tab2 FROM u;

  -- 3. The distribution of period totals (histogram, 5-point bins; 100 in the last).
  WITH t AS (
    SELECT least(floor(r.total / 5), 19)::integer AS bin
      FROM cqs.period_result r
      JOIN cqs.organisation_closure c ON c.descendant_id = r.organisation_id AND c.ancestor_id = analyst_report_html.organisation_id
     WHERE r.total IS NOT NULL AND r.period >= make_date(analyst_report_html.year, 1, 1)
       AND r.period < make_date(analyst_report_html.year + 1, 1, 1)
  ), b AS (
    SELECT s.bin, (SELECT count(*) FROM t WHERE t.bin = s.bin) AS n FROM generate_series(0, 19) AS s(bin)
  )
  SELECT greatest(max(b.n), 1), sum(b.n),
         string_agg(format('<td class="num">%s</td>', b.n), '' ORDER BY b.bin)
    INTO v_max, v_periods, v_tab3 FROM b;
  WITH t AS (
    SELECT least(floor(r.total / 5), 19)::integer AS bin
      FROM cqs.period_result r
      JOIN cqs.organisation_closure c ON c.descendant_id = r.organisation_id AND c.ancestor_id = analyst_report_html.organisation_id
     WHERE r.total IS NOT NULL AND r.period >= make_date(analyst_report_html.year, 1, 1)
       AND r.period < make_date(analyst_report_html.year + 1, 1, 1)
  ), b AS (
    SELECT s.bin, (SELECT count(*) FROM t WHERE t.bin = s.bin) AS n FROM generate_series(0, 19) AS s(bin)
  )
  SELECT '<svg viewBox="0 0 640 250" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Phân bố tổng điểm các kỳ">'
      || string_agg(format('<rect x="%s" y="%s" width="24" height="%s" fill="%s"><title>%s–%s: %s</title></rect>%s',
                           40 + b.bin * 29, round(210 - 180.0 * b.n / v_max, 1), round(180.0 * b.n / v_max, 1),
                           cqs._doc_grade_colour(cqs.classify(b.bin * 5)), b.bin * 5, b.bin * 5 + 5, b.n,
                           CASE WHEN b.n > 0 THEN format('<text x="%s" y="%s" font-size="10" text-anchor="middle">%s</text>',
                                                         52 + b.bin * 29, round(206 - 180.0 * b.n / v_max, 1), b.n) ELSE '' END),
                    '' ORDER BY b.bin)
      || '<line x1="38" x2="622" y1="210" y2="210" stroke="#000"/>'
      || (SELECT string_agg(format('<text x="%s" y="224" font-size="10" text-anchor="middle">%s</text>', 38 + x * 58, x * 10), '')
            FROM generate_series(0, 10) AS x)
      || '<text x="330" y="242" font-size="11" text-anchor="middle">tổng điểm kỳ (mỗi cột 5 điểm; màu theo mức Điều 20)</text>'
      || '</svg>'
    INTO v_svg3 FROM b;

  -- 4. The share of task lines late or failing review per unit (Art. 14.2.b-c; counted
  --    deductions, exemptions left out).  Task lines identify people: readers without an
  --    identified mandate read none.
  WITH u AS (SELECT (x ->> 'n')::integer AS n, (x ->> 'id')::bigint AS id, x ->> 'name' AS name
               FROM jsonb_array_elements(v_units) x),
  l AS (
    SELECT u.n, u.name, count(t.task_line_id) AS lines,
           count(t.task_line_id) FILTER (WHERE t.lateness_deductions > 0) AS late,
           count(t.task_line_id) FILTER (WHERE t.quality_deductions > 0) AS failing
      FROM u LEFT JOIN cqs.task_lines_explained t
        ON t.organisation_id = u.id AND t.period >= make_date(analyst_report_html.year, 1, 1)
       AND t.period < make_date(analyst_report_html.year + 1, 1, 1)
     GROUP BY u.n, u.name
  )
  SELECT sum(l.lines),
         string_agg(format('<text x="195" y="%s" font-size="11" text-anchor="end">%s</text>', 30 + (l.n - 1) * 30 + 12,
                           cqs.html_escape(left(l.name, 34)))
                    || CASE WHEN l.lines = 0 THEN format('<text x="205" y="%s" font-size="11" fill="#777">không có dòng nhiệm vụ đọc được</text>',
                                                         30 + (l.n - 1) * 30 + 12)
                       ELSE format('<rect x="200" y="%s" width="%s" height="11" fill="#f1a340"/><text x="%s" y="%s" font-size="10">%s%%</text>'
                                   '<rect x="200" y="%s" width="%s" height="11" fill="#b2182b"/><text x="%s" y="%s" font-size="10">%s%%</text>',
                                   30 + (l.n - 1) * 30, round(360.0 * l.late / l.lines, 1), round(204 + 360.0 * l.late / l.lines, 1),
                                   30 + (l.n - 1) * 30 + 9, cqs.vn_number(100.0 * l.late / l.lines),
                                   30 + (l.n - 1) * 30 + 12, round(360.0 * l.failing / l.lines, 1),
                                   round(204 + 360.0 * l.failing / l.lines, 1), 30 + (l.n - 1) * 30 + 21,
                                   cqs.vn_number(100.0 * l.failing / l.lines)) END,
                    '' ORDER BY l.n),
         string_agg(format('<tr><td>%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
                           cqs.html_escape(l.name), l.lines, l.late,
                           coalesce(cqs.vn_number(100.0 * l.late / nullif(l.lines, 0)) || '%', ''), l.failing,
                           coalesce(cqs.vn_number(100.0 * l.failing / nullif(l.lines, 0)) || '%', '')), '' ORDER BY l.n)
    INTO v_lines, v_svg4, v_tab4 FROM l;
  v_svg4 := format('<svg viewBox="0 0 640 %s" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Tỷ lệ dòng nhiệm vụ chậm hoặc không đạt chất lượng">',
                   34 + v_n * 30)
    || '<rect x="200" y="6" width="10" height="10" fill="#f1a340"/><text x="214" y="15" font-size="11">chậm tiến độ (có lần trừ)</text>'
    || '<rect x="400" y="6" width="10" height="10" fill="#b2182b"/><text x="414" y="15" font-size="11">không đạt chất lượng (có lần trừ)</text>'
    || coalesce(v_svg4, '') || '</svg>';

  v_body := cqs._doc_head(NULL, v_org.name, NULL)
    || '<h1>Báo cáo phân tích kết quả đánh giá năm ' || analyst_report_html.year || '</h1>'
    || '<p class="subtitle">' || cqs.html_escape(v_org.name) || ' và các đơn vị trực thuộc — theo Nghị định số 335/2025/NĐ-CP</p>'
    || '<p>Người có kết quả năm: <b>' || v_people || '</b>; điểm trung bình năm: <b>' || coalesce(cqs.vn_number(v_mean), '—')
    || '</b>; số đơn vị: <b>' || v_n || '</b>. <span class="muted">Chỉ gồm số liệu người đọc được phép xem (row-level security).</span></p>'
    || '<div class="section"><h2>1. Xếp loại theo đơn vị (Điều 20)</h2>' || v_svg1
    || '<table class="grid small"><thead><tr><th>Đơn vị</th><th>Xuất sắc</th><th>Tốt</th><th>Hoàn thành</th>'
    || '<th>Không hoàn thành</th><th>Chưa xếp loại</th><th>Cộng</th></tr></thead><tbody>' || coalesce(v_tab1, '') || '</tbody></table></div>'
    || '<div class="section"><h2>2. Điểm trung bình hằng tháng theo đơn vị (Điều 17)</h2>' || v_svg2
    || '<table class="grid small"><thead><tr><th>Đơn vị</th>'
    || (SELECT string_agg('<th>T' || x || '</th>', '') FROM generate_series(1, 12) AS x)
    || '</tr></thead><tbody>' || coalesce(v_tab2, '') || '</tbody></table>'
    || '<p class="muted">Kết quả quý của đơn vị đánh giá theo quý được vẽ ở tháng giữa quý; bảng ghi kết quả theo tháng bắt đầu kỳ.</p></div>'
    || '<div class="section"><h2>3. Phân bố tổng điểm các kỳ (' || coalesce(v_periods, 0) || ' kết quả tháng, quý)</h2>' || v_svg3
    || '<table class="grid small"><thead><tr>'
    || (SELECT string_agg('<th>' || x * 5 || '–' || CASE WHEN x = 19 THEN '100' ELSE (x * 5 + 5)::text END || '</th>', '' ORDER BY x)
          FROM generate_series(0, 19) AS x)
    || '</tr></thead><tbody><tr>' || v_tab3 || '</tr></tbody></table></div>'
    || '<div class="section"><h2>4. Tỷ lệ dòng nhiệm vụ chậm tiến độ hoặc không đạt chất lượng (Điều 14.2.b–c)</h2>' || v_svg4
    || '<table class="grid small"><thead><tr><th>Đơn vị</th><th>Dòng nhiệm vụ</th><th>Chậm</th><th>Tỷ lệ chậm</th>'
    || '<th>Không đạt</th><th>Tỷ lệ không đạt</th></tr></thead><tbody>' || coalesce(v_tab4, '') || '</tbody></table>'
    || CASE WHEN coalesce(v_lines, 0) = 0
            THEN '<p class="muted">Không đọc được dòng nhiệm vụ nào: dòng nhiệm vụ gắn với từng người, chỉ người có ủy quyền định danh mới đọc được.</p>'
            ELSE '' END
    || '</div>'
    || '<p class="footnote">Lập từ cơ sở dữ liệu (cqs_eval). Số liệu ghi như đã lưu, hai chữ số thập phân, dấu phẩy thập phân.</p>';
  RETURN cqs._doc_page('Báo cáo phân tích năm ' || analyst_report_html.year || ' – ' || v_org.name, v_body);
END $$;
COMMENT ON FUNCTION cqs.analyst_report_html(bigint, integer) IS
  'Art. 14, 17, 20: an agency''s year as one HTML page with inline SVG charts and the numbers beside -- grades per unit (stacked bars), the monthly mean per unit (lines), the distribution of period totals (histogram), the share of task lines late or failing review per unit; 42501 outside the caller''s mandates';

-- The documents are granted by cqs.setup_roles() to the roles that read them; the pure
-- helpers (escaping, numbers) stay everyone's.
REVOKE EXECUTE ON FUNCTION cqs.form01_html(bigint, date) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.form02_html(bigint, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.publication_list_html(bigint, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.organisation_sheet_html(bigint, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.analyst_report_html(bigint, integer) FROM PUBLIC;
-- ---------------------------------------------------------------------------
-- Layer 7b: the CSV loaders (issue 10, "Taking work in"; DOMAIN.md sections 2, 4, 10).
--
-- A city starts from Excel: its organisation tree, its people and their postings, task
-- lines, leave and discipline, and -- for a city starting mid-year -- the monthly totals
-- its previous system notified.  Every loader reads a file the way the catalogue import
-- does: every problem at once, each with its line and column, and nothing imported when
-- anything is wrong.  It accepts what Excel writes in Viet Nam: UTF-8 with or without a
-- BOM, "," or ";", decimal commas, dates as dd/mm/yyyy, Vietnamese or English headers
-- (accents, case and punctuation ignored), Vietnamese values ("Khiển trách", "Nghỉ ốm").
--
--   cqs.parse_csv(content, delimiter)   the C reader (src/csv.c): one pass, linear
--   cqs.csv_format(kind), csv_value()   the columns of each kind and their header names
--   cqs.csv_problems(kind, content)     every problem, as rows (a dry run)
--   cqs.load_csv(kind, content)         load all or nothing; 22023 (42501) listing them
--
-- The loaders run with the caller's rights (SECURITY INVOKER): they write the record
-- tables like anyone, so grants, row-level security, the audit trail and the triggers
-- that mark results stale apply exactly as to a hand-written INSERT (the one writer
-- then recomputes).  What the caller may not write is reported as a problem first (and
-- the load refused with 42501), so a personnel section learns every line outside its
-- mandate at once.  Working tables live in pg_temp and are dropped at commit.
-- ---------------------------------------------------------------------------

-- The CSV reader (src/csv.c).  delimiter '' (the default): "," or ";", whichever the
-- header holds more of.
CREATE FUNCTION cqs.parse_csv(content text, delimiter text DEFAULT '')
RETURNS TABLE (line_no integer, fields text[])
AS 'MODULE_PATHNAME', 'parse_csv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION cqs.parse_csv(text, text) IS
  'Art. 13, issue 10: RFC 4180 CSV reader, linear in the file''s size: UTF-8 BOM, "," or ";" (detected from the header when delimiter is ''''), CRLF/LF/CR, quoted fields with line breaks; one row per record with the line it starts on; empty records skipped; 22023 naming the line of an unclosed quote';

-- A header or a value as a key: accents, case, spaces and punctuation ignored
-- ("Điểm chấm (khoảng)" -> diem_cham_khoang, "Khiển trách" -> khien_trach).
CREATE FUNCTION cqs.csv_key(txt text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN pg_catalog.btrim(pg_catalog.regexp_replace(
         pg_catalog.translate(pg_catalog.lower(pg_catalog.normalize(txt, 'NFC')), 'ÀÁÂÃÈÉÊÌÍÎÒÓÔÕÙÚÛÝàáâãèéêìíîòóôõùúûýĂăĔĕĨĩĬĭŎŏŨũŬŭŶŷƠơƯưṌṍṸṹẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹđĐ', 'aaaaeeeiiioooouuuyaaaaeeeiiioooouuuyaaeeiiiioouuuuyyoouuoouuaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyydd'),
         '[^a-z0-9]+', '_', 'g'), '_');
COMMENT ON FUNCTION cqs.csv_key(text) IS
  'Issue 10: a CSV header or value as a key, Vietnamese accents, case and punctuation ignored (Điểm chấm (khoảng) -> diem_cham_khoang)';

-- The columns of every kind of file, with the header names accepted for each (the
-- English name itself is always accepted).  value_type: text, decimal (2,5 or 2.5),
-- integer, date (dd/mm/yyyy or yyyy-mm-dd), month (mm/yyyy or yyyy-mm), boolean (x,
-- có, 1 / empty, không, 0), choice (cqs.csv_value).
CREATE FUNCTION cqs.csv_format(kind text DEFAULT NULL)
RETURNS TABLE (kind text, column_no integer, column_name text, required boolean, value_type text,
               header_names text[], description text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
  SELECT f.* FROM (VALUES
  ('organisation', 1, 'code', true, 'text', '{"mã đơn vị","mã cơ quan","mã tổ chức","mã"}'::text[], 'the organisation''s code (unique)'),
  ('organisation', 2, 'name', true, 'text', '{"tên đơn vị","tên cơ quan","tên tổ chức","tên"}', 'its name'),
  ('organisation', 3, 'kind', true, 'choice', '{"loại","loại đơn vị","loại tổ chức","cấp"}', 'managing_agency (cơ quan quản lý), using_agency (cơ quan sử dụng), unit (đơn vị trực tiếp sử dụng)'),
  ('organisation', 4, 'parent_code', false, 'text', '{"mã cấp trên","mã đơn vị cấp trên","cấp trên","đơn vị cấp trên","parent"}', 'the code of the organisation above (already recorded, or anywhere in the file)'),
  ('organisation', 5, 'cadence', false, 'choice', '{"chu kỳ","chu kỳ đánh giá","kỳ đánh giá"}', 'monthly (hằng tháng) or quarterly (hằng quý); empty: inherited'),
  ('organisation', 6, 'lateness_mode', false, 'choice', '{"cách tính chậm","cách tính chậm muộn"}', 'per_day (mỗi ngày chậm) or per_occurrence (mỗi lần chậm); empty: inherited'),
  ('organisation', 7, 'lateness_policy_ref', false, 'text', '{"văn bản cách tính chậm","căn cứ cách tính chậm"}', 'the regulation that chose the lateness unit'),
  ('organisation', 8, 'cap_mode', false, 'choice', '{"cách giới hạn","giới hạn 100"}', 'total (kết quả chung) or each (từng tiêu chí); empty: inherited'),
  ('organisation', 9, 'decimals', false, 'integer', '{"số chữ số thập phân","số lẻ"}', 'decimals of the recorded totals (0-4); empty: inherited'),
  ('organisation', 10, 'special_deadline', false, 'boolean', '{"hạn đặc biệt","xếp loại trước 15/01"}', 'x: graded by 15/01 next year (Art. 19.2)'),
  ('organisation', 11, 'field', false, 'text', '{"lĩnh vực"}', 'the field (lĩnh vực) a division is assigned to'),
  ('organisation', 12, 'agency_code', false, 'text', '{"mã định danh","mã định danh cơ quan"}', 'Decision 20/2020 code, e.g. H56.01.02.A01'),
  ('organisation', 13, 'evaluation_start', false, 'month', '{"tháng bắt đầu","tháng bắt đầu đánh giá","bắt đầu đánh giá"}', 'first month evaluated under the decree (a city starting mid-year)'),
  ('organisation', 14, 'self_assessment_due_day', false, 'integer', '{"hạn tự đánh giá"}', 'day of the next month self-assessment is due (1-28)'),
  ('organisation', 15, 'confirmation_due_day', false, 'integer', '{"hạn xác nhận","hạn đánh giá"}', 'day of the next month confirmation is due (1-28)'),
  ('person', 1, 'personnel_id', true, 'text', '{"mã hồ sơ","mã hồ sơ cbccvc","mã cán bộ","mã công chức","số hiệu công chức"}', 'the national personnel-record id (mã hồ sơ), unique'),
  ('person', 2, 'full_name', true, 'text', '{"họ và tên","họ tên","tên"}', 'full name'),
  ('person', 3, 'kind', false, 'choice', '{"loại","đối tượng"}', 'civil_servant (công chức, the default) or support_staff (người lao động)'),
  ('person', 4, 'party_member', false, 'boolean', '{"đảng viên"}', 'x: a Party member'),
  ('person', 5, 'personal_id_number', false, 'text', '{"số định danh","số định danh cá nhân","cccd","số cccd"}', '12 digits; the key of the national database'),
  ('posting', 1, 'personnel_id', true, 'text', '{"mã hồ sơ","mã hồ sơ cbccvc","mã cán bộ","mã công chức","số hiệu công chức"}', 'the person (already recorded)'),
  ('posting', 2, 'organisation_code', true, 'text', '{"mã đơn vị","đơn vị","mã cơ quan"}', 'where they are posted'),
  ('posting', 3, 'role', false, 'choice', '{"chức vụ","vai trò"}', 'staff (công chức, the default), deputy (cấp phó) or head (cấp trưởng)'),
  ('posting', 4, 'field', false, 'text', '{"lĩnh vực","lĩnh vực phụ trách"}', 'a deputy''s assigned field (required for deputies)'),
  ('posting', 5, 'job_position', false, 'text', '{"vị trí việc làm"}', 'job position'),
  ('posting', 6, 'duty_group', false, 'text', '{"nhóm nhiệm vụ","nhóm có nhiệm vụ tương đồng"}', 'group with similar duties (Art. 20.5); default chung'),
  ('posting', 7, 'start_date', true, 'date', '{"ngày bắt đầu","từ ngày"}', 'first day'),
  ('posting', 8, 'end_date', false, 'date', '{"ngày kết thúc","đến ngày"}', 'last day; empty: open'),
  ('task_line', 1, 'personnel_id', true, 'text', '{"mã hồ sơ","mã hồ sơ cbccvc","mã cán bộ","mã công chức"}', 'who the task is assigned to'),
  ('task_line', 2, 'period', true, 'month', '{"kỳ","tháng","kỳ đánh giá"}', 'the month (03/2026 or 2026-03)'),
  ('task_line', 3, 'organisation_code', false, 'text', '{"mã đơn vị","đơn vị"}', 'where; empty: the person''s posting that month'),
  ('task_line', 4, 'item_code', false, 'text', '{"mã sản phẩm","mã công việc","mã danh mục"}', 'the catalogue item (catalogue in force that month)'),
  ('task_line', 5, 'similar_item_code', false, 'text', '{"mã sản phẩm tương tự","tương tự"}', 'an off-catalogue task priced like this item (Art. 13.3)'),
  ('task_line', 6, 'title', false, 'text', '{"tên nhiệm vụ","nội dung","tên công việc","nhiệm vụ"}', 'what was assigned (required off-catalogue)'),
  ('task_line', 7, 'coefficient', false, 'decimal', '{"hệ số","hệ số quy đổi"}', 'fixed at assignment; empty: the item''s (required for a range)'),
  ('task_line', 8, 'assigned_qty', true, 'decimal', '{"số lượng giao","khối lượng giao","số lượng"}', 'quantity assigned'),
  ('task_line', 9, 'deadline', true, 'date', '{"hạn","hạn hoàn thành","thời hạn"}', 'deadline (Art. 18.1.b)'),
  ('task_line', 10, 'completed_qty', false, 'decimal', '{"số lượng hoàn thành","khối lượng hoàn thành","hoàn thành"}', 'quantity completed'),
  ('task_line', 11, 'completed_on', false, 'date', '{"ngày hoàn thành"}', 'completion date'),
  ('task_line', 12, 'quality_failures', false, 'integer', '{"số lần không đạt","lỗi chất lượng"}', 'failed quality reviews of the whole line'),
  ('task_line', 13, 'late_occurrences', false, 'integer', '{"số lần chậm"}', 'delays (per-occurrence policy); empty: from the dates'),
  ('task_line', 14, 'origin', false, 'choice', '{"nguồn","nguồn gốc"}', 'planned (kế hoạch, the default), reassigned_away, taken_over, ad_hoc (đột xuất)'),
  ('task_line', 15, 'external_source', false, 'text', '{"hệ thống nguồn"}', 'the system it came from'),
  ('task_line', 16, 'external_id', false, 'text', '{"mã nhiệm vụ ngoài","mã ngoài"}', 'its id there (unique per source)'),
  ('leave', 1, 'personnel_id', true, 'text', '{"mã hồ sơ","mã hồ sơ cbccvc","mã cán bộ","mã công chức"}', 'who'),
  ('leave', 2, 'kind', true, 'choice', '{"loại","loại nghỉ"}', 'sick (nghỉ ốm), maternity (thai sản), unpaid (không lương), other (khác)'),
  ('leave', 3, 'start_date', true, 'date', '{"ngày bắt đầu","từ ngày"}', 'first day'),
  ('leave', 4, 'end_date', true, 'date', '{"ngày kết thúc","đến ngày"}', 'last day'),
  ('leave', 5, 'note', false, 'text', '{"ghi chú"}', 'note'),
  ('discipline', 1, 'personnel_id', true, 'text', '{"mã hồ sơ","mã hồ sơ cbccvc","mã cán bộ","mã công chức"}', 'who'),
  ('discipline', 2, 'kind', true, 'choice', '{"loại","loại kỷ luật"}', 'administrative (hành chính) or party (đảng)'),
  ('discipline', 3, 'level', true, 'choice', '{"hình thức","hình thức kỷ luật","mức"}', 'khien_trach, canh_cao, ha_bac_luong, giang_chuc, cach_chuc, buoc_thoi_viec, khai_tru'),
  ('discipline', 4, 'decision_date', true, 'date', '{"ngày quyết định"}', 'date of the decision'),
  ('discipline', 5, 'decision_ref', true, 'text', '{"số quyết định","quyết định"}', 'its reference'),
  ('discipline', 6, 'act_ref', true, 'text', '{"hành vi","mã hành vi"}', 'the act punished (Party and administrative discipline for one act share it)'),
  ('discipline', 7, 'act_description', false, 'text', '{"mô tả hành vi","nội dung vi phạm"}', 'what happened'),
  ('discipline', 8, 'act_organisation_code', false, 'text', '{"nơi vi phạm","đơn vị vi phạm","mã đơn vị vi phạm"}', 'where the act happened; empty: the posting on the decision date'),
  ('discipline', 9, 'public_duty_or_degradation', false, 'boolean', '{"vi phạm công vụ"}', 'x (default): a public-duty violation or degradation (Art. 11.3.a)'),
  ('imported_total', 1, 'personnel_id', true, 'text', '{"mã hồ sơ","mã hồ sơ cbccvc","mã cán bộ","mã công chức"}', 'who'),
  ('imported_total', 2, 'period', true, 'month', '{"kỳ","tháng"}', 'the month'),
  ('imported_total', 3, 'organisation_code', false, 'text', '{"mã đơn vị","đơn vị"}', 'where they were evaluated; empty: the posting that month'),
  ('imported_total', 4, 'total', true, 'decimal', '{"tổng điểm","điểm","kết quả"}', 'the monthly total notified then (0-100)'),
  ('imported_total', 5, 'source', true, 'text', '{"hệ thống","hệ thống cũ","nguồn"}', 'the previous system'),
  ('imported_total', 6, 'reference', true, 'text', '{"văn bản","số văn bản","căn cứ"}', 'the document that notified it'),
  ('catalogue', 1, 'code', true, 'text', '{"stt","mã","mã sản phẩm","mục"}', 'item code (unique)'),
  ('catalogue', 2, 'name', true, 'text', '{"tên","nhóm nhiệm vụ","tên sản phẩm","tên sản phẩm/công việc","sản phẩm/công việc","nội dung"}', 'item name'),
  ('catalogue', 3, 'output_unit', true, 'text', '{"sản phẩm đầu ra","đơn vị tính"}', 'the output (sản phẩm đầu ra)'),
  ('catalogue', 4, 'group', true, 'text', '{"phân nhóm","nhóm"}', 'N1..N5'),
  ('catalogue', 5, 'group_max', false, 'text', '{"khung điểm","phân khung nhóm điểm","khung điểm nhóm","điểm tối đa nhóm"}', 'the group''s maximum (≤300 or 300); empty: 100 x group'),
  ('catalogue', 6, 'points', true, 'text', '{"điểm","điểm chấm","điểm chấm (khoảng)","điểm (khoảng)"}', '5, 40-80, 200–280 or 5 (chuẩn)'),
  ('catalogue', 7, 'standard', false, 'text', '{"chuẩn","sản phẩm chuẩn"}', 'x marks the standard unit (or write 5 (chuẩn) in points)'),
  ('catalogue', 8, 'coefficient', false, 'text', '{"hệ số","hệ số quy đổi"}', 'checked against points ÷ standard points'),
  ('catalogue', 9, 'source', false, 'text', '{"tham chiếu","nguồn"}', 'kept out (a reference for readers)')
  ) AS f(kind, column_no, column_name, required, value_type, header_names, description)
   WHERE $1 IS NULL OR f.kind = $1
   ORDER BY f.kind, f.column_no
$$;
COMMENT ON FUNCTION cqs.csv_format(text) IS
  'Issue 10 (Art. 10, 11, 13, 17.3, 18): the columns of each CSV kind (organisation, person, posting, task_line, leave, discipline, imported_total, catalogue), required or not, their type and the Vietnamese and English header names accepted';

-- The values a choice column accepts: the value itself or a Vietnamese name.
CREATE FUNCTION cqs.csv_value(kind text DEFAULT NULL)
RETURNS TABLE (kind text, column_name text, value text, names text[])
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
  SELECT v.* FROM (VALUES
  ('organisation', 'kind', 'managing_agency', '{"cơ quan quản lý","quản lý"}'::text[]),
  ('organisation', 'kind', 'using_agency', '{"cơ quan sử dụng","sử dụng"}'),
  ('organisation', 'kind', 'unit', '{"đơn vị","đơn vị trực tiếp sử dụng","cơ quan trực tiếp sử dụng","phòng"}'),
  ('organisation', 'cadence', 'monthly', '{"tháng","hằng tháng","hàng tháng"}'),
  ('organisation', 'cadence', 'quarterly', '{"quý","hằng quý","hàng quý"}'),
  ('organisation', 'lateness_mode', 'per_day', '{"theo ngày","mỗi ngày","ngày"}'),
  ('organisation', 'lateness_mode', 'per_occurrence', '{"theo lần","mỗi lần","lần"}'),
  ('organisation', 'cap_mode', 'total', '{"tổng","kết quả chung"}'),
  ('organisation', 'cap_mode', 'each', '{"từng tiêu chí"}'),
  ('person', 'kind', 'civil_servant', '{"công chức"}'),
  ('person', 'kind', 'support_staff', '{"người lao động","lao động hợp đồng","hỗ trợ phục vụ"}'),
  ('posting', 'role', 'staff', '{"công chức","chuyên viên","nhân viên"}'),
  ('posting', 'role', 'deputy', '{"cấp phó","phó","phó trưởng phòng","phó giám đốc","phó chánh văn phòng","phó chủ tịch"}'),
  ('posting', 'role', 'head', '{"cấp trưởng","trưởng","trưởng phòng","giám đốc","chánh văn phòng","chủ tịch"}'),
  ('task_line', 'origin', 'planned', '{"kế hoạch","theo kế hoạch","được giao"}'),
  ('task_line', 'origin', 'reassigned_away', '{"chuyển cho người khác","chuyển giao"}'),
  ('task_line', 'origin', 'taken_over', '{"nhận từ đồng nghiệp","nhận lại"}'),
  ('task_line', 'origin', 'ad_hoc', '{"đột xuất","phát sinh"}'),
  ('leave', 'kind', 'sick', '{"ốm","nghỉ ốm"}'),
  ('leave', 'kind', 'maternity', '{"thai sản","nghỉ thai sản"}'),
  ('leave', 'kind', 'unpaid', '{"không lương","nghỉ không lương","không hưởng lương","nghỉ không hưởng lương"}'),
  ('leave', 'kind', 'other', '{"khác"}'),
  ('discipline', 'kind', 'administrative', '{"hành chính","chính quyền"}'),
  ('discipline', 'kind', 'party', '{"đảng"}'),
  ('discipline', 'level', 'khien_trach', '{"khiển trách"}'),
  ('discipline', 'level', 'canh_cao', '{"cảnh cáo"}'),
  ('discipline', 'level', 'ha_bac_luong', '{"hạ bậc lương"}'),
  ('discipline', 'level', 'giang_chuc', '{"giáng chức"}'),
  ('discipline', 'level', 'cach_chuc', '{"cách chức"}'),
  ('discipline', 'level', 'buoc_thoi_viec', '{"buộc thôi việc"}'),
  ('discipline', 'level', 'khai_tru', '{"khai trừ"}')
  ) AS v(kind, column_name, value, names)
   WHERE $1 IS NULL OR v.kind = $1
$$;
COMMENT ON FUNCTION cqs.csv_value(text) IS
  'Issue 10 (Art. 3, 10, 11.2, 18.1.d, 20.4): the values of each CSV choice column (organisation kind, role, leave kind, discipline level, task origin, ...) and the Vietnamese names accepted for them';

-- ---------------------------------------------------------------------------
-- Values as Excel writes them in Viet Nam.  Each returns NULL when the text is not one.
-- ---------------------------------------------------------------------------

-- A decimal with a decimal comma or point ("2,5", "2.5", "80"); no thousands separators.
CREATE FUNCTION cqs.csv_decimal(txt text) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN pg_catalog.btrim(txt) OPERATOR(pg_catalog.~) '^[+-]?[0-9]{1,15}([.,][0-9]{1,15})?$'
            THEN pg_catalog.replace(pg_catalog.btrim(txt), ',', '.')::numeric END;
COMMENT ON FUNCTION cqs.csv_decimal(text) IS
  'Art. 13, HB ch. II: a number as written in a Vietnamese spreadsheet (2,5 or 2.5); NULL if it is not one';

-- A day: dd/mm/yyyy (also with - or .), d/m/yyyy, or yyyy-mm-dd.
CREATE FUNCTION cqs.csv_date(txt text) RETURNS date
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  m text[];
  y integer;
  mo integer;
  d integer;
BEGIN
  m := regexp_match(btrim(txt), '^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})$');
  IF m IS NOT NULL THEN
    d := m[1]::integer; mo := m[2]::integer; y := m[3]::integer;
  ELSE
    m := regexp_match(btrim(txt), '^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$');
    IF m IS NULL THEN
      RETURN NULL;
    END IF;
    y := m[1]::integer; mo := m[2]::integer; d := m[3]::integer;
  END IF;
  IF y NOT BETWEEN 1900 AND 2200 OR mo NOT BETWEEN 1 AND 12 OR d < 1
     OR d > extract(day FROM make_date(y, mo, 1) + interval '1 month - 1 day') THEN
    RETURN NULL;
  END IF;
  RETURN make_date(y, mo, d);
END $$;
COMMENT ON FUNCTION cqs.csv_date(text) IS
  'Art. 18.1.b: a day as written in Viet Nam (dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy) or ISO (yyyy-mm-dd); NULL if it is not a real day';

-- A month: mm/yyyy, m/yyyy, "tháng 3/2026", "T3/2026", yyyy-mm, or the first day of it.
CREATE FUNCTION cqs.csv_month(txt text) RETURNS date
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  k text := cqs.csv_key(txt);
  m text[];
  v date;
BEGIN
  m := regexp_match(k, '^(?:thang_|thg_|t)?([0-9]{1,2})_(?:nam_)?([0-9]{4})$');
  IF m IS NOT NULL THEN
    IF m[1]::integer BETWEEN 1 AND 12 AND m[2]::integer BETWEEN 1900 AND 2200 THEN
      RETURN make_date(m[2]::integer, m[1]::integer, 1);
    END IF;
    RETURN NULL;
  END IF;
  m := regexp_match(btrim(txt), '^([0-9]{4})-([0-9]{1,2})$');
  IF m IS NOT NULL THEN
    IF m[2]::integer BETWEEN 1 AND 12 AND m[1]::integer BETWEEN 1900 AND 2200 THEN
      RETURN make_date(m[1]::integer, m[2]::integer, 1);
    END IF;
    RETURN NULL;
  END IF;
  v := cqs.csv_date(txt);
  RETURN CASE WHEN extract(day FROM v) = 1 THEN v END;
END $$;
COMMENT ON FUNCTION cqs.csv_month(text) IS
  'Art. 12, 17: an evaluation month as written in Viet Nam (03/2026, tháng 3/2026, T3/2026), ISO (2026-03) or its first day; NULL otherwise';

-- Yes or no: x, có, yes, 1, true / empty, không, no, 0, false.
CREATE FUNCTION cqs.csv_boolean(txt text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN cqs.csv_key(txt) OPERATOR(pg_catalog.=) ANY (ARRAY['x', 'co', 'yes', 'y', '1', 'true', 'dung', 'v'])
            THEN true
            WHEN pg_catalog.btrim(txt) OPERATOR(pg_catalog.=) ANY (ARRAY['', '-'])
              OR cqs.csv_key(txt) OPERATOR(pg_catalog.=) ANY (ARRAY['khong', 'no', 'n', '0', 'false', 'sai'])
            THEN false END;
COMMENT ON FUNCTION cqs.csv_boolean(text) IS
  'Issue 10: yes or no as written in a spreadsheet (x, có, 1 / empty, không, 0); NULL otherwise';

-- ---------------------------------------------------------------------------
-- Reading a file into working tables (pg_temp, dropped at commit):
--   _cqs_csv_row      line_no, r: the row's values by column, normalised (dates ISO,
--                     numbers with a point, choices as their value); bad values left out
--   _cqs_csv_problem  line_no, column_name, value, problem, privilege (a line outside
--                     the caller's rights)
-- Returns false when the header is unusable (a required column missing, an empty file):
-- the rows cannot be read then.
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs._csv_read(p_kind text, p_content text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp SET client_min_messages = warning SET jit = off AS $$
DECLARE
  v_hline  integer;
  v_header text[];
  v_cols   text[] := '{}';
  v_key    text;
  v_col    text;
  v_n      integer;
  v_ok     boolean := true;
  r        record;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM cqs.csv_format(p_kind)) THEN
    RAISE EXCEPTION 'no CSV kind "%"', p_kind
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Kinds: ' || (SELECT string_agg(DISTINCT f.kind, ', ') FROM cqs.csv_format() f) || '.';
  END IF;
  -- The working tables live until commit; a second file in the same transaction (or
  -- another role of the same session, after SET ROLE) empties and reuses them.
  CREATE TEMP TABLE IF NOT EXISTS _cqs_csv_raw (line_no integer, fields text[]) ON COMMIT DROP;
  CREATE TEMP TABLE IF NOT EXISTS _cqs_csv_row (line_no integer PRIMARY KEY, r jsonb NOT NULL) ON COMMIT DROP;
  CREATE TEMP TABLE IF NOT EXISTS _cqs_csv_problem (line_no integer, column_name text, value text, problem text NOT NULL,
                                                    privilege boolean NOT NULL DEFAULT false) ON COMMIT DROP;
  CREATE TEMP TABLE IF NOT EXISTS _cqs_csv_cell (line_no integer, column_name text, value_type text, column_no integer,
                                                 value text, norm text) ON COMMIT DROP;
  IF (SELECT c.relowner FROM pg_class c WHERE c.oid = 'pg_temp._cqs_csv_raw'::regclass)
     = (SELECT ro.oid FROM pg_roles ro WHERE ro.rolname = current_user) THEN
    GRANT ALL ON pg_temp._cqs_csv_raw, pg_temp._cqs_csv_row, pg_temp._cqs_csv_problem, pg_temp._cqs_csv_cell TO PUBLIC;
  END IF;
  TRUNCATE _cqs_csv_raw, _cqs_csv_row, _cqs_csv_problem, _cqs_csv_cell;
  INSERT INTO _cqs_csv_raw SELECT * FROM cqs.parse_csv(p_content, '');
  SELECT x.line_no, x.fields INTO v_hline, v_header FROM _cqs_csv_raw x ORDER BY x.line_no LIMIT 1;
  IF v_hline IS NULL THEN
    INSERT INTO _cqs_csv_problem (line_no, problem) VALUES (1, 'the file is empty');
    RETURN false;
  END IF;

  -- The header: each name to a column (accents, case and punctuation ignored).
  v_n := cardinality(v_header);
  FOR i IN 1 .. v_n LOOP
    v_key := cqs.csv_key(v_header[i]);
    SELECT f.column_name INTO v_col FROM cqs.csv_format(p_kind) f
     WHERE cqs.csv_key(f.column_name) = v_key
        OR v_key = ANY (ARRAY(SELECT cqs.csv_key(h) FROM unnest(f.header_names) h))
     ORDER BY f.column_no LIMIT 1;
    IF v_col IS NULL AND v_key <> '' AND v_key NOT IN ('stt', 'ghi_chu', 'note', 'notes') THEN
      INSERT INTO _cqs_csv_problem (line_no, column_name, problem)
      VALUES (v_hline, v_header[i],
              format('column %s "%s" is not a column of a %s file (columns: %s)', i, v_header[i], p_kind,
                     (SELECT string_agg(f.column_name, ', ' ORDER BY f.column_no) FROM cqs.csv_format(p_kind) f)));
    ELSIF v_col IS NOT NULL AND v_col = ANY (v_cols) THEN
      INSERT INTO _cqs_csv_problem (line_no, column_name, problem)
      VALUES (v_hline, v_col, format('columns %s and %s are both "%s"', array_position(v_cols, v_col), i, v_col));
      v_col := NULL;
    END IF;
    v_cols := v_cols || v_col;
  END LOOP;
  FOR r IN SELECT f.column_name, f.header_names FROM cqs.csv_format(p_kind) f
            WHERE f.required AND NOT f.column_name = ANY (v_cols) ORDER BY f.column_no LOOP
    INSERT INTO _cqs_csv_problem (line_no, column_name, problem)
    VALUES (v_hline, r.column_name, format('the header has no column "%s" (or %s)', r.column_name,
                                           (SELECT string_agg(format('"%s"', h), ', ') FROM unnest(r.header_names) h)));
    v_ok := false;
  END LOOP;
  IF NOT v_ok THEN
    RETURN false;
  END IF;

  -- Lines with more or fewer fields than the header (empty trailing fields are fine):
  -- their values are not where the header says, so they are reported and not read.
  WITH bad AS (
    DELETE FROM _cqs_csv_raw x
     WHERE x.line_no > v_hline
       AND (cardinality(x.fields) < v_n
            OR EXISTS (SELECT 1 FROM unnest(x.fields[v_n + 1 :]) e WHERE btrim(e) <> ''))
    RETURNING x.line_no, cardinality(x.fields) AS n
  )
  INSERT INTO _cqs_csv_problem (line_no, problem)
  SELECT bad.line_no, format('has %s fields, the header has %s', bad.n, v_n) FROM bad;

  -- Every non-empty cell of a known column, with its value normalised by type.
  -- (Each distinct value of a typed column is read once: a file repeats its dates, months
  -- and choices.)
  INSERT INTO _cqs_csv_cell (line_no, column_name, value_type, column_no, value, norm)
  WITH choice AS (
    SELECT v.column_name, cqs.csv_key(v.value) AS key, v.value FROM cqs.csv_value(p_kind) v
    UNION
    SELECT v.column_name, cqs.csv_key(n), v.value FROM cqs.csv_value(p_kind) v, unnest(v.names) n
  ), cells AS (
    SELECT x.line_no, c.column_name, f.value_type, f.column_no, btrim(e.v, E' \t\u00a0') AS value
      FROM _cqs_csv_raw x
      CROSS JOIN LATERAL unnest(x.fields[1 : v_n]) WITH ORDINALITY AS e(v, i)
      JOIN unnest(v_cols) WITH ORDINALITY AS c(column_name, i) ON c.i = e.i
      JOIN cqs.csv_format(p_kind) f ON f.column_name = c.column_name
     WHERE x.line_no > v_hline AND c.column_name IS NOT NULL
  ), typed AS (
    SELECT DISTINCT c.column_name, c.value_type, c.value FROM cells c WHERE c.value_type <> 'text' AND c.value <> ''
  ), normalised AS (
    SELECT t.column_name, t.value,
           CASE t.value_type
             WHEN 'decimal' THEN cqs.csv_decimal(t.value)::text
             WHEN 'integer' THEN CASE WHEN t.value ~ '^[0-9]{1,9}$' THEN t.value::integer::text END
             WHEN 'date' THEN cqs.csv_date(t.value)::text
             WHEN 'month' THEN cqs.csv_month(t.value)::text
             WHEN 'boolean' THEN cqs.csv_boolean(t.value)::text
             WHEN 'choice' THEN (SELECT ch.value FROM choice ch
                                  WHERE ch.column_name = t.column_name AND ch.key = cqs.csv_key(t.value) LIMIT 1)
           END AS norm
      FROM typed t
  )
  SELECT c.line_no, c.column_name, c.value_type, c.column_no, c.value,
         CASE WHEN c.value_type = 'text' THEN c.value ELSE n.norm END
    FROM cells c
    LEFT JOIN normalised n ON n.column_name = c.column_name AND n.value = c.value
   WHERE c.value <> '';

  INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
  SELECT c.line_no, c.column_name, c.value,
         CASE c.value_type
           WHEN 'decimal' THEN format('%s "%s" is not a number (write 2,5 or 2.5)', c.column_name, c.value)
           WHEN 'integer' THEN format('%s "%s" is not a whole number', c.column_name, c.value)
           WHEN 'date' THEN format('%s "%s" is not a day (write dd/mm/yyyy or yyyy-mm-dd)', c.column_name, c.value)
           WHEN 'month' THEN format('%s "%s" is not a month (write mm/yyyy or yyyy-mm)', c.column_name, c.value)
           WHEN 'boolean' THEN format('%s "%s" is not yes or no (write x, or leave it empty)', c.column_name, c.value)
           ELSE format('%s "%s" is not one of: %s', c.column_name, c.value,
                       (SELECT string_agg(v.value || coalesce(' (' || v.names[1] || ')', ''), ', ')
                          FROM cqs.csv_value(p_kind) v WHERE v.column_name = c.column_name))
         END
    FROM _cqs_csv_cell c WHERE c.norm IS NULL;

  IF (SELECT c.relowner FROM pg_class c WHERE c.oid = 'pg_temp._cqs_csv_raw'::regclass)
     = (SELECT ro.oid FROM pg_roles ro WHERE ro.rolname = current_user) THEN
    ANALYZE _cqs_csv_cell;
  END IF;
  INSERT INTO _cqs_csv_row (line_no, r)
  SELECT x.line_no, coalesce(g.r, '{}')
    FROM _cqs_csv_raw x
    LEFT JOIN (SELECT c.line_no, jsonb_object_agg(c.column_name, c.norm) AS r FROM _cqs_csv_cell c
                WHERE c.norm IS NOT NULL GROUP BY c.line_no) g ON g.line_no = x.line_no
   WHERE x.line_no > v_hline;

  -- Required values.
  INSERT INTO _cqs_csv_problem (line_no, column_name, problem)
  SELECT w.line_no, f.column_name, format('%s is empty', f.column_name)
    FROM _cqs_csv_row w JOIN cqs.csv_format(p_kind) f ON f.required
   WHERE NOT w.r ? f.column_name
     AND NOT EXISTS (SELECT 1 FROM _cqs_csv_cell c WHERE c.line_no = w.line_no AND c.column_name = f.column_name);
  RETURN true;
END $$;
COMMENT ON FUNCTION cqs._csv_read(text, text) IS
  'Issue 10: read a CSV of a kind into pg_temp working tables: header mapped (Vietnamese or English names), values normalised by type, every problem with its line and column';

-- A problem of a line: the helper every check below uses.
-- (Each check is one set-based statement over the working tables: linear in the file.)

-- The personnel ids among these that are recorded, whoever may read them: a person
-- recorded but outside the caller's sight must be reported, not inserted twice (the
-- answer is only whether an id is taken, never who holds it).
CREATE FUNCTION cqs._personnel_ids_taken(ids text[]) RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(array_agg(p.personnel_id), '{}') FROM cqs.person p WHERE p.personnel_id = ANY ($1)
$$;
COMMENT ON FUNCTION cqs._personnel_ids_taken(text[]) IS
  'Issue 10: which of these personnel-record ids (mã hồ sơ) are already recorded (a person loader reports them instead of failing on 23505)';

-- The checks of each kind, after cqs._csv_read: references resolved into r (person_id,
-- organisation_id, item_id, ...), every rule the tables hold that a file can break
-- reported with its line, and lines outside the caller's rights marked privilege.
CREATE FUNCTION cqs._csv_check(p_kind text) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
  v_super  boolean := cqs.acting_person() IS NULL AND cqs._is_superuser(cqs._actor_login());
  v_orgs   bigint[] := cqs._personnel_organisations();
  v_people bigint[];
  v_who    text := format('%s (person %s)', cqs._actor_login(), coalesce(cqs.acting_person()::text, 'none'));
BEGIN
  -- Duplicates within the file, by each kind's key.
  INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
  SELECT d.line_no, d.col, d.val, format('%s "%s" repeats line %s', d.col, d.val, d.first_line)
    FROM (SELECT w.line_no, k.col, w.r ->> k.col AS val,
                 min(w.line_no) OVER (PARTITION BY w.r ->> k.col) AS first_line
            FROM _cqs_csv_row w,
                 (SELECT CASE p_kind WHEN 'organisation' THEN 'code' WHEN 'person' THEN 'personnel_id'
                                     WHEN 'catalogue' THEN 'code' END AS col) k
           WHERE k.col IS NOT NULL AND w.r ? k.col) d
   WHERE d.line_no > d.first_line;

  -- The person a line names (people, postings, task lines, leave, discipline, totals).
  IF p_kind IN ('posting', 'task_line', 'leave', 'discipline', 'imported_total') THEN
    UPDATE _cqs_csv_row w SET r = w.r || jsonb_build_object('person_id', p.person_id)
      FROM cqs.person p WHERE p.personnel_id = w.r ->> 'personnel_id';
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'personnel_id', w.r ->> 'personnel_id',
           format('no person with personnel id "%s" (or not one %s may read)', w.r ->> 'personnel_id', v_who)
      FROM _cqs_csv_row w WHERE w.r ? 'personnel_id' AND NOT w.r ? 'person_id';
  END IF;

  -- The organisation a line names by code.
  IF p_kind IN ('posting', 'task_line', 'imported_total', 'discipline') THEN
    UPDATE _cqs_csv_row w SET r = w.r || jsonb_build_object('organisation_id', o.organisation_id)
      FROM cqs.organisation o
     WHERE o.code = w.r ->> CASE p_kind WHEN 'discipline' THEN 'act_organisation_code' ELSE 'organisation_code' END;
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, x.col, w.r ->> x.col, format('no organisation "%s"', w.r ->> x.col)
      FROM _cqs_csv_row w,
           (SELECT CASE p_kind WHEN 'discipline' THEN 'act_organisation_code' ELSE 'organisation_code' END AS col) x
     WHERE w.r ? x.col AND NOT w.r ? 'organisation_id';
    -- Not named: where the person was posted (the month, or the decision's day).
    WITH want AS (
      SELECT w.line_no, (w.r ->> 'person_id')::bigint AS person_id,
             CASE WHEN p_kind = 'discipline' THEN daterange((w.r ->> 'decision_date')::date, (w.r ->> 'decision_date')::date, '[]')
                  ELSE daterange((w.r ->> 'period')::date, ((w.r ->> 'period')::date + interval '1 month')::date) END AS days
        FROM _cqs_csv_row w
       WHERE w.r ? 'person_id' AND NOT w.r ? (CASE p_kind WHEN 'discipline' THEN 'act_organisation_code' ELSE 'organisation_code' END)
         AND w.r ? (CASE p_kind WHEN 'discipline' THEN 'decision_date' ELSE 'period' END)
    ), found AS (
      SELECT x.line_no, array_agg(DISTINCT ps.organisation_id) AS orgs
        FROM want x LEFT JOIN cqs.posting ps
          ON ps.person_id = x.person_id AND daterange(ps.start_date, ps.end_date, '[]') && x.days
       GROUP BY x.line_no
    ), one AS (
      UPDATE _cqs_csv_row w SET r = w.r || jsonb_build_object('organisation_id', f.orgs[1])
        FROM found f WHERE f.line_no = w.line_no AND cardinality(array_remove(f.orgs, NULL)) = 1
      RETURNING w.line_no
    )
    INSERT INTO _cqs_csv_problem (line_no, column_name, problem)
    SELECT f.line_no, CASE p_kind WHEN 'discipline' THEN 'act_organisation_code' ELSE 'organisation_code' END,
           CASE WHEN cardinality(array_remove(f.orgs, NULL)) = 0
                THEN 'the person has no posting then: name the organisation'
                ELSE format('the person was posted at %s organisations then: name the organisation',
                            cardinality(array_remove(f.orgs, NULL))) END
      FROM found f WHERE cardinality(array_remove(f.orgs, NULL)) <> 1;
  END IF;

  IF p_kind = 'organisation' THEN
    IF NOT has_any_column_privilege('cqs.organisation', 'INSERT') THEN
      RAISE EXCEPTION '% may not load organisations', v_who
        USING ERRCODE = 'insufficient_privilege', HINT = 'Art. 3, 10: the organisation tree is the administrators'' (cqs_admin).';
    END IF;
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'code', w.r ->> 'code', format('organisation "%s" is already recorded', w.r ->> 'code')
      FROM _cqs_csv_row w JOIN cqs.organisation o ON o.code = w.r ->> 'code';
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'parent_code', w.r ->> 'parent_code',
           format('no organisation "%s" (neither recorded nor in this file)', w.r ->> 'parent_code')
      FROM _cqs_csv_row w
     WHERE w.r ? 'parent_code'
       AND NOT EXISTS (SELECT 1 FROM cqs.organisation o WHERE o.code = w.r ->> 'parent_code')
       AND NOT EXISTS (SELECT 1 FROM _cqs_csv_row p WHERE p.r ->> 'code' = w.r ->> 'parent_code');
    -- Depth in the file: rows under a recorded organisation (or the root) first.
    WITH RECURSIVE d AS (
      SELECT w.line_no, w.r ->> 'code' AS code, 0 AS depth FROM _cqs_csv_row w
       WHERE NOT w.r ? 'parent_code' OR EXISTS (SELECT 1 FROM cqs.organisation o WHERE o.code = w.r ->> 'parent_code')
      UNION ALL
      SELECT w.line_no, w.r ->> 'code', d.depth + 1 FROM d JOIN _cqs_csv_row w ON w.r ->> 'parent_code' = d.code
       WHERE d.depth < 100
    )
    UPDATE _cqs_csv_row w SET r = w.r || jsonb_build_object('depth', x.depth)
      FROM (SELECT d.line_no, min(d.depth) AS depth FROM d GROUP BY d.line_no) x WHERE x.line_no = w.line_no;
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'parent_code', w.r ->> 'parent_code', 'the parent codes of this file make a cycle'
      FROM _cqs_csv_row w
     WHERE NOT w.r ? 'depth' AND w.r ? 'parent_code'
       AND EXISTS (SELECT 1 FROM _cqs_csv_row p WHERE p.r ->> 'code' = w.r ->> 'parent_code');
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, x.col, w.r ->> x.col, x.msg
      FROM _cqs_csv_row w,
           (VALUES ('decimals', 'decimals must be 0 to 4', 0, 4),
                   ('self_assessment_due_day', 'self_assessment_due_day must be a day 1 to 28', 1, 28),
                   ('confirmation_due_day', 'confirmation_due_day must be a day 1 to 28', 1, 28)) AS x(col, msg, lo, hi)
     WHERE (w.r ->> x.col)::integer NOT BETWEEN x.lo AND x.hi;
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'agency_code', w.r ->> 'agency_code',
           format('agency_code "%s" is not a Decision 20/2020 code like H56.01.02.A01', w.r ->> 'agency_code')
      FROM _cqs_csv_row w
     WHERE w.r ->> 'agency_code' !~ '^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}$';

  ELSIF p_kind = 'person' THEN
    IF NOT has_any_column_privilege('cqs.person', 'INSERT')
       OR NOT (v_super OR cardinality(v_orgs) > 0) THEN
      RAISE EXCEPTION '% may not load people: no personnel mandate', v_who
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Art. 10: people are recorded by the personnel section (cqs_personnel with a personnel mandate).';
    END IF;
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'personnel_id', w.r ->> 'personnel_id',
           format('a person with personnel id "%s" is already recorded', w.r ->> 'personnel_id')
      FROM _cqs_csv_row w
     WHERE w.r ->> 'personnel_id' IN (SELECT unnest(cqs._personnel_ids_taken(ARRAY(SELECT x.r ->> 'personnel_id' FROM _cqs_csv_row x))));
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'personal_id_number', w.r ->> 'personal_id_number',
           format('personal_id_number "%s" is not 12 digits', w.r ->> 'personal_id_number')
      FROM _cqs_csv_row w WHERE w.r ->> 'personal_id_number' !~ '^[0-9]{12}$';

  ELSIF p_kind = 'posting' THEN
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'end_date', w.r ->> 'end_date',
           format('ends %s, before it starts (%s)', to_char((w.r ->> 'end_date')::date, 'DD/MM/YYYY'),
                  to_char((w.r ->> 'start_date')::date, 'DD/MM/YYYY'))
      FROM _cqs_csv_row w WHERE (w.r ->> 'end_date')::date < (w.r ->> 'start_date')::date;
    INSERT INTO _cqs_csv_problem (line_no, column_name, problem)
    SELECT w.line_no, 'field', 'a deputy needs the field they are assigned (Art. 15.4)'
      FROM _cqs_csv_row w WHERE w.r ->> 'role' = 'deputy' AND NOT w.r ? 'field';
    -- One posting at a time (Art. 10, 19.1): against this file and what is recorded.
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT b.line_no, 'start_date', b.r ->> 'start_date',
           format('overlaps the posting of line %s', a.line_no)
      FROM _cqs_csv_row a JOIN _cqs_csv_row b
        ON b.r ->> 'person_id' = a.r ->> 'person_id' AND b.line_no > a.line_no
     WHERE daterange((a.r ->> 'start_date')::date, (a.r ->> 'end_date')::date, '[]')
           && daterange((b.r ->> 'start_date')::date, (b.r ->> 'end_date')::date, '[]')
       AND (a.r ->> 'end_date' IS NULL OR (a.r ->> 'end_date')::date >= (a.r ->> 'start_date')::date)
       AND (b.r ->> 'end_date' IS NULL OR (b.r ->> 'end_date')::date >= (b.r ->> 'start_date')::date);
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'start_date', w.r ->> 'start_date',
           format('overlaps the recorded posting at %s from %s%s (end it first: one posting at a time, Art. 10, 19.1)',
                  o.code, to_char(ps.start_date, 'DD/MM/YYYY'), coalesce(' to ' || to_char(ps.end_date, 'DD/MM/YYYY'), ''))
      FROM _cqs_csv_row w
      JOIN cqs.posting ps ON ps.person_id = (w.r ->> 'person_id')::bigint
      JOIN cqs.organisation o ON o.organisation_id = ps.organisation_id
     WHERE w.r ? 'person_id' AND w.r ? 'start_date'
       AND (w.r ->> 'end_date' IS NULL OR (w.r ->> 'end_date')::date >= (w.r ->> 'start_date')::date)
       AND daterange(ps.start_date, ps.end_date, '[]')
           && daterange((w.r ->> 'start_date')::date, (w.r ->> 'end_date')::date, '[]');

  ELSIF p_kind = 'task_line' THEN
    -- The item of the catalogue in force for the organisation that month (Art. 13).
    UPDATE _cqs_csv_row w
       SET r = w.r || jsonb_build_object('catalogue_id', cqs.catalogue_in_force((w.r ->> 'organisation_id')::bigint,
                                                                                (w.r ->> 'period')::date))
     WHERE w.r ? 'organisation_id' AND w.r ? 'period';
    UPDATE _cqs_csv_row w
       SET r = w.r || jsonb_build_object('item_id', i.item_id, 'coefficient_low', i.coefficient_low,
                                         'coefficient_high', i.coefficient_high)
      FROM cqs.catalogue_item i
     WHERE i.catalogue_id = (w.r ->> 'catalogue_id')::bigint AND i.code = coalesce(w.r ->> 'item_code', w.r ->> 'similar_item_code');
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, CASE WHEN w.r ? 'item_code' THEN 'item_code' ELSE 'similar_item_code' END,
           coalesce(w.r ->> 'item_code', w.r ->> 'similar_item_code'),
           CASE WHEN w.r ->> 'catalogue_id' IS NULL
                THEN format('no catalogue is in force for organisation %s in %s (Art. 13)',
                            (SELECT o.code FROM cqs.organisation o WHERE o.organisation_id = (w.r ->> 'organisation_id')::bigint),
                            to_char((w.r ->> 'period')::date, 'MM/YYYY'))
                ELSE format('no item "%s" in catalogue %s, in force for organisation %s in %s (Art. 13)',
                            coalesce(w.r ->> 'item_code', w.r ->> 'similar_item_code'),
                            (SELECT c.version FROM cqs.catalogue c WHERE c.catalogue_id = (w.r ->> 'catalogue_id')::bigint),
                            (SELECT o.code FROM cqs.organisation o WHERE o.organisation_id = (w.r ->> 'organisation_id')::bigint),
                            to_char((w.r ->> 'period')::date, 'MM/YYYY')) END
      FROM _cqs_csv_row w
     WHERE (w.r ? 'item_code' OR w.r ? 'similar_item_code') AND w.r ? 'organisation_id' AND w.r ? 'period'
       AND NOT w.r ? 'item_id';
    INSERT INTO _cqs_csv_problem (line_no, column_name, problem)
    SELECT w.line_no, 'item_code',
           CASE WHEN w.r ? 'item_code' THEN 'give item_code or similar_item_code, not both'
                ELSE 'item_code is empty (or give similar_item_code and a title for an off-catalogue task, Art. 13.3)' END
      FROM _cqs_csv_row w WHERE (w.r ? 'item_code') = (w.r ? 'similar_item_code');
    INSERT INTO _cqs_csv_problem (line_no, column_name, problem)
    SELECT w.line_no, 'title', 'an off-catalogue task needs a title (Art. 13.3)'
      FROM _cqs_csv_row w WHERE w.r ? 'similar_item_code' AND NOT w.r ? 'item_code' AND NOT w.r ? 'title';
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'coefficient', w.r ->> 'coefficient',
           CASE WHEN NOT w.r ? 'coefficient'
                THEN format('item "%s" has a range of coefficients (%s to %s): write the one fixed at assignment',
                            coalesce(w.r ->> 'item_code', w.r ->> 'similar_item_code'), w.r ->> 'coefficient_low', w.r ->> 'coefficient_high')
                ELSE format('coefficient %s is outside item "%s"''s range %s to %s (HB ch. II)', w.r ->> 'coefficient',
                            coalesce(w.r ->> 'item_code', w.r ->> 'similar_item_code'), w.r ->> 'coefficient_low', w.r ->> 'coefficient_high') END
      FROM _cqs_csv_row w
     WHERE w.r ? 'item_id'
       AND CASE WHEN w.r ? 'coefficient'
                THEN (w.r ->> 'coefficient')::numeric NOT BETWEEN (w.r ->> 'coefficient_low')::numeric AND (w.r ->> 'coefficient_high')::numeric
                ELSE (w.r ->> 'coefficient_low')::numeric <> (w.r ->> 'coefficient_high')::numeric END;
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, x.col, w.r ->> x.col, x.msg
      FROM _cqs_csv_row w,
           (VALUES ('coefficient', 'coefficient must be above 0'),
                   ('quality_failures', 'quality_failures must be at most 1000'),
                   ('late_occurrences', 'late_occurrences must be at most 1000')) AS x(col, msg)
     WHERE (x.col = 'coefficient' AND (w.r ->> x.col)::numeric <= 0)
        OR (x.col <> 'coefficient' AND (w.r ->> x.col)::numeric > 1000);
    INSERT INTO _cqs_csv_problem (line_no, column_name, problem)
    SELECT w.line_no, 'external_id', 'external_source and external_id go together'
      FROM _cqs_csv_row w WHERE (w.r ? 'external_source') <> (w.r ? 'external_id');
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT d.line_no, 'external_id', d.val, format('external_id "%s" repeats line %s', d.val, d.first_line)
      FROM (SELECT w.line_no, w.r ->> 'external_id' AS val,
                   min(w.line_no) OVER (PARTITION BY w.r ->> 'external_source', w.r ->> 'external_id') AS first_line
              FROM _cqs_csv_row w WHERE w.r ? 'external_id' AND w.r ? 'external_source') d
     WHERE d.line_no > d.first_line;
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'external_id', w.r ->> 'external_id',
           format('task "%s" of %s is already recorded', w.r ->> 'external_id', w.r ->> 'external_source')
      FROM _cqs_csv_row w JOIN cqs.task_line t
        ON t.external_source = w.r ->> 'external_source' AND t.external_id = w.r ->> 'external_id';

  ELSIF p_kind IN ('leave', 'discipline') THEN
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'end_date', w.r ->> 'end_date',
           format('ends %s, before it starts (%s)', to_char((w.r ->> 'end_date')::date, 'DD/MM/YYYY'),
                  to_char((w.r ->> 'start_date')::date, 'DD/MM/YYYY'))
      FROM _cqs_csv_row w WHERE (w.r ->> 'end_date')::date < (w.r ->> 'start_date')::date;

  ELSIF p_kind = 'imported_total' THEN
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'total', w.r ->> 'total', format('total %s is not between 0 and 100', w.r ->> 'total')
      FROM _cqs_csv_row w WHERE (w.r ->> 'total')::numeric NOT BETWEEN 0 AND 100;
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT d.line_no, 'period', d.val, format('the total of %s for %s repeats line %s', d.pid,
                                              to_char(d.val::date, 'MM/YYYY'), d.first_line)
      FROM (SELECT w.line_no, w.r ->> 'period' AS val, w.r ->> 'personnel_id' AS pid,
                   min(w.line_no) OVER (PARTITION BY w.r ->> 'personnel_id', w.r ->> 'period') AS first_line
              FROM _cqs_csv_row w WHERE w.r ? 'period') d
     WHERE d.line_no > d.first_line;
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'period', w.r ->> 'period',
           format('a total of %s for %s is already recorded (%s, %s)', w.r ->> 'personnel_id',
                  to_char((w.r ->> 'period')::date, 'MM/YYYY'), it.source, it.reference)
      FROM _cqs_csv_row w JOIN cqs.imported_total it
        ON it.person_id = (w.r ->> 'person_id')::bigint AND it.period = (w.r ->> 'period')::date;
    -- Only months before the agency started evaluating under the decree (DOMAIN.md section 4).
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'period', w.r ->> 'period',
           format('%s is evaluated in this system (the first month evaluated is %s): import only earlier months',
                  to_char((w.r ->> 'period')::date, 'MM/YYYY'), to_char(pol.evaluation_start, 'MM/YYYY'))
      FROM _cqs_csv_row w JOIN cqs.organisation_policies pol ON pol.organisation_id = (w.r ->> 'organisation_id')::bigint
     WHERE (w.r ->> 'period')::date >= pol.evaluation_start;
  END IF;

  -- Who may write what (the tables' grants and row-level security decide; this names
  -- every line first).  Superusers acting for nobody pass, as everywhere.
  IF p_kind IN ('posting', 'task_line', 'leave', 'discipline', 'imported_total') AND NOT v_super THEN
    IF NOT has_any_column_privilege(CASE p_kind WHEN 'leave' THEN 'cqs.leave_record' ELSE 'cqs.' || p_kind END, 'INSERT') THEN
      RAISE EXCEPTION '% may not load % records', v_who, p_kind
        USING ERRCODE = 'insufficient_privilege',
              HINT = CASE p_kind WHEN 'task_line' THEN 'Art. 10: task lines are entered by the heads who assign them (cqs_evaluator) or the personnel section (cqs_personnel).'
                                 ELSE 'Art. 10: these records are the personnel section''s (cqs_personnel, with a personnel mandate).' END;
    END IF;
    IF p_kind IN ('leave', 'discipline') THEN
      v_people := cqs._personnel_people();
      INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem, privilege)
      SELECT w.line_no, 'personnel_id', w.r ->> 'personnel_id',
             format('%s has no personnel mandate over %s', v_who, w.r ->> 'personnel_id'), true
        FROM _cqs_csv_row w WHERE w.r ? 'person_id' AND NOT (w.r ->> 'person_id')::bigint = ANY (v_people);
    ELSE
      INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem, privilege)
      SELECT w.line_no, 'organisation_code',
             (SELECT o.code FROM cqs.organisation o WHERE o.organisation_id = (w.r ->> 'organisation_id')::bigint),
             format('%s has no personnel mandate over organisation %s%s', v_who,
                    (SELECT o.code FROM cqs.organisation o WHERE o.organisation_id = (w.r ->> 'organisation_id')::bigint),
                    CASE p_kind WHEN 'task_line' THEN ' and does not evaluate ' || (w.r ->> 'personnel_id') || ' there' ELSE '' END),
             true
        FROM _cqs_csv_row w
       WHERE w.r ? 'organisation_id' AND NOT (w.r ->> 'organisation_id')::bigint = ANY (v_orgs)
         AND NOT (p_kind = 'task_line' AND w.r ? 'person_id'
                  AND ((w.r ->> 'person_id')::bigint, (w.r ->> 'organisation_id')::bigint)
                      IN (SELECT e.person_id, e.organisation_id FROM cqs._evaluated() e));
    END IF;
  END IF;

  -- Every problem quotes the value as the file wrote it.
  UPDATE _cqs_csv_problem p SET value = c.value
    FROM _cqs_csv_cell c WHERE c.line_no = p.line_no AND c.column_name = p.column_name AND p.value IS NOT NULL;
END $$;
COMMENT ON FUNCTION cqs._csv_check(text) IS
  'Issue 10 (Art. 10, 13, 18, 19.1): the checks of each CSV kind over the working tables: references, duplicates, overlapping postings, catalogue items and coefficients, months already evaluated, and the caller''s mandate, each with its line';

-- Every problem of a file of a kind, as rows (a dry run: nothing is written).
CREATE FUNCTION cqs.csv_problems(kind text, content text)
RETURNS TABLE (line_no integer, column_name text, value text, problem text)
LANGUAGE plpgsql VOLATILE STRICT SET search_path = pg_catalog, pg_temp SET jit = off AS $$
BEGIN
  IF cqs._csv_read(csv_problems.kind, csv_problems.content) THEN
    IF csv_problems.kind = 'catalogue' THEN
      PERFORM cqs._csv_catalogue_check(5);    -- HB ch. II's standard; cqs.catalogue_csv_problems takes another
    ELSE
      PERFORM cqs._csv_check(csv_problems.kind);
    END IF;
  END IF;
  RETURN QUERY
  SELECT p.line_no, p.column_name, p.value, p.problem
    FROM pg_temp._cqs_csv_problem p
    LEFT JOIN cqs.csv_format(csv_problems.kind) f ON f.column_name = p.column_name
   ORDER BY p.line_no NULLS FIRST, f.column_no NULLS FIRST, p.problem;
END $$;
COMMENT ON FUNCTION cqs.csv_problems(text, text) IS
  'Issue 10 (Art. 10, 11, 13, 17.3, 18): every problem of a CSV file of a kind, with its line, column and value, in one pass; nothing is written';

-- Load a file: all or nothing.  Returns the number of records written (for people
-- with a posting column... one per line).  Any problem: 22023 listing every one (42501
-- when a line is outside the caller's rights), nothing written.  dry_run: check
-- everything, write through the tables' own checks and triggers, then undo.
CREATE FUNCTION cqs.load_csv(kind text, content text, dry_run boolean DEFAULT false)
RETURNS integer
LANGUAGE plpgsql VOLATILE STRICT SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
  v_count    integer;
  v_problems text;
  v_priv     boolean;
  v_n        integer := 0;
  v_depth    integer;
BEGIN
  IF load_csv.kind = 'catalogue' THEN
    RAISE EXCEPTION 'a catalogue is loaded with cqs.import_catalogue (it needs the version, its date and the standard points)'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF cqs._csv_read(load_csv.kind, load_csv.content) THEN
    PERFORM cqs._csv_check(load_csv.kind);
  END IF;
  SELECT count(*), bool_or(p.privilege),
         string_agg(coalesce('line ' || p.line_no, 'file') || coalesce(', ' || p.column_name, '') || ': ' || p.problem,
                    E'\n' ORDER BY p.line_no NULLS FIRST, p.column_name, p.problem)
    INTO v_count, v_priv, v_problems FROM pg_temp._cqs_csv_problem p;
  IF v_count > 0 THEN
    RAISE EXCEPTION '% CSV has % problem(s); nothing was loaded', load_csv.kind, v_count
      USING ERRCODE = CASE WHEN v_priv THEN 'insufficient_privilege' ELSE 'invalid_parameter_value' END,
            DETAIL = v_problems,
            HINT = 'Fix every listed line and load again; cqs.csv_problems(kind, content) lists them as rows.';
  END IF;
  BEGIN
    CASE load_csv.kind
    WHEN 'organisation' THEN
      FOR v_depth IN SELECT DISTINCT (w.r ->> 'depth')::integer FROM pg_temp._cqs_csv_row w ORDER BY 1 LOOP
        INSERT INTO cqs.organisation (code, name, kind, parent_id, special_deadline, cadence, lateness_mode, cap_mode,
                                      decimals, lateness_policy_ref, field, evaluation_start, self_assessment_due_day,
                                      confirmation_due_day, agency_code)
        SELECT w.r ->> 'code', w.r ->> 'name', w.r ->> 'kind',
               (SELECT o.organisation_id FROM cqs.organisation o WHERE o.code = w.r ->> 'parent_code'),
               coalesce((w.r ->> 'special_deadline')::boolean, false), w.r ->> 'cadence', w.r ->> 'lateness_mode',
               w.r ->> 'cap_mode', (w.r ->> 'decimals')::integer, w.r ->> 'lateness_policy_ref', w.r ->> 'field',
               (w.r ->> 'evaluation_start')::date, (w.r ->> 'self_assessment_due_day')::integer,
               (w.r ->> 'confirmation_due_day')::integer, w.r ->> 'agency_code'
          FROM pg_temp._cqs_csv_row w WHERE (w.r ->> 'depth')::integer = v_depth ORDER BY w.line_no;
      END LOOP;
    WHEN 'person' THEN
      INSERT INTO cqs.person (personnel_id, full_name, kind, party_member, personal_id_number)
      SELECT w.r ->> 'personnel_id', w.r ->> 'full_name', coalesce(w.r ->> 'kind', 'civil_servant'),
             coalesce((w.r ->> 'party_member')::boolean, false), w.r ->> 'personal_id_number'
        FROM pg_temp._cqs_csv_row w ORDER BY w.line_no;
    WHEN 'posting' THEN
      INSERT INTO cqs.posting (person_id, organisation_id, role, field, job_position, duty_group, start_date, end_date)
      SELECT (w.r ->> 'person_id')::bigint, (w.r ->> 'organisation_id')::bigint, coalesce(w.r ->> 'role', 'staff'),
             w.r ->> 'field', w.r ->> 'job_position', coalesce(w.r ->> 'duty_group', 'chung'),
             (w.r ->> 'start_date')::date, (w.r ->> 'end_date')::date
        FROM pg_temp._cqs_csv_row w ORDER BY w.line_no;
    WHEN 'task_line' THEN
      INSERT INTO cqs.task_line (person_id, organisation_id, period, item_id, similar_item_id, title, coefficient,
                                 assigned_qty, deadline, completed_qty, completed_on, quality_failures, late_occurrences,
                                 origin, external_source, external_id)
      SELECT (w.r ->> 'person_id')::bigint, (w.r ->> 'organisation_id')::bigint, (w.r ->> 'period')::date,
             CASE WHEN w.r ? 'item_code' THEN (w.r ->> 'item_id')::bigint END,
             CASE WHEN w.r ? 'similar_item_code' THEN (w.r ->> 'item_id')::bigint END,
             w.r ->> 'title', coalesce((w.r ->> 'coefficient')::numeric, (w.r ->> 'coefficient_low')::numeric),
             (w.r ->> 'assigned_qty')::numeric, (w.r ->> 'deadline')::date, (w.r ->> 'completed_qty')::numeric,
             (w.r ->> 'completed_on')::date, coalesce((w.r ->> 'quality_failures')::integer, 0),
             (w.r ->> 'late_occurrences')::integer, coalesce(w.r ->> 'origin', 'planned'),
             w.r ->> 'external_source', w.r ->> 'external_id'
        FROM pg_temp._cqs_csv_row w ORDER BY w.line_no;
    WHEN 'leave' THEN
      INSERT INTO cqs.leave_record (person_id, kind, start_date, end_date, note)
      SELECT (w.r ->> 'person_id')::bigint, w.r ->> 'kind', (w.r ->> 'start_date')::date, (w.r ->> 'end_date')::date,
             w.r ->> 'note'
        FROM pg_temp._cqs_csv_row w ORDER BY w.line_no;
    WHEN 'discipline' THEN
      INSERT INTO cqs.discipline (person_id, kind, level, decision_date, decision_ref, act_ref, act_description,
                                  act_organisation_id, public_duty_or_degradation)
      SELECT (w.r ->> 'person_id')::bigint, w.r ->> 'kind', w.r ->> 'level', (w.r ->> 'decision_date')::date,
             w.r ->> 'decision_ref', w.r ->> 'act_ref', w.r ->> 'act_description', (w.r ->> 'organisation_id')::bigint,
             coalesce((w.r ->> 'public_duty_or_degradation')::boolean, true)
        FROM pg_temp._cqs_csv_row w ORDER BY w.line_no;
    WHEN 'imported_total' THEN
      INSERT INTO cqs.imported_total (person_id, period, organisation_id, total, source, reference)
      SELECT (w.r ->> 'person_id')::bigint, (w.r ->> 'period')::date, (w.r ->> 'organisation_id')::bigint,
             (w.r ->> 'total')::numeric, w.r ->> 'source', w.r ->> 'reference'
        FROM pg_temp._cqs_csv_row w ORDER BY w.line_no;
    END CASE;
    SELECT count(*) INTO v_n FROM pg_temp._cqs_csv_row;
    IF load_csv.dry_run THEN
      RAISE EXCEPTION USING ERRCODE = 'CQS01';   -- undo every write, keep the count
    END IF;
  EXCEPTION WHEN SQLSTATE 'CQS01' THEN
    NULL;
  END;
  RETURN v_n;
END $$;
COMMENT ON FUNCTION cqs.load_csv(text, text, boolean) IS
  'Issue 10 (Art. 10, 11, 17.3, 18, 19.1, 20.4): load a CSV file of a kind (organisation, person, posting, task_line, leave, discipline, imported_total) all or nothing with the caller''s rights; 22023 (42501 outside the caller''s mandate) listing every problem with its line; dry_run checks and undoes';

-- ---------------------------------------------------------------------------
-- The catalogue (Art. 13, HB ch. II).  Read like every other kind, once, by the C
-- reader; the notations of real catalogues accepted: group N3 (or 3, "Nhóm 3"), group
-- maximum 300 or "≤300", points 5, 40-80, 200–280 or "5 (chuẩn)" (which also marks the
-- standard unit), and a coefficient column checked against points ÷ standard points.
-- ---------------------------------------------------------------------------

-- Reads the catalogue's values into the working rows (g, gmax, low, high, std) and
-- reports every problem with its line (messages as the import has always written them).
CREATE FUNCTION cqs._csv_catalogue_check(p_standard_points numeric) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
BEGIN
  -- Duplicate codes.
  INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
  SELECT d.line_no, 'code', d.val, format('code "%s" repeats line %s', d.val, d.first_line)
    FROM (SELECT w.line_no, w.r ->> 'code' AS val, min(w.line_no) OVER (PARTITION BY w.r ->> 'code') AS first_line
            FROM _cqs_csv_row w WHERE w.r ? 'code') d
   WHERE d.line_no > d.first_line;

  UPDATE _cqs_csv_row w
     SET r = w.r || jsonb_strip_nulls(jsonb_build_object(
               'g', (regexp_match(cqs.csv_key(w.r ->> 'group'), '^(?:n|nhom_?)?([1-5])$'))[1]::integer,
               'gmax_parsed', cqs.csv_decimal(regexp_replace(w.r ->> 'group_max', '^\s*(≤|<=|<|tối đa|toi da)\s*', '', 'i')),
               'std_mark', (w.r ->> 'points') ~* '\(\s*chu(ẩ|a)n\s*\)',
               'pts', regexp_split_to_array(btrim(regexp_replace(w.r ->> 'points', '\(\s*chu(ẩ|a)n\s*\)', '', 'i')),
                                            '\s*(?:[-–—]|đến)\s*'),
               'coef', regexp_split_to_array(btrim(w.r ->> 'coefficient'), '\s*(?:[-–—]|đến)\s*')))
   WHERE true;
  UPDATE _cqs_csv_row w
     SET r = w.r || jsonb_strip_nulls(jsonb_build_object(
               'low', cqs.csv_decimal(w.r -> 'pts' ->> 0),
               'high', CASE jsonb_array_length(w.r -> 'pts') WHEN 1 THEN cqs.csv_decimal(w.r -> 'pts' ->> 0)
                                                              WHEN 2 THEN cqs.csv_decimal(w.r -> 'pts' ->> 1) END,
               'gmax', CASE WHEN NOT w.r ? 'group_max' THEN 100 * (w.r ->> 'g')::integer
                            WHEN (w.r ->> 'gmax_parsed')::numeric > 0
                             AND (w.r ->> 'gmax_parsed')::numeric <= 100 * (w.r ->> 'g')::integer
                            THEN (w.r ->> 'gmax_parsed')::numeric END,
               'std', coalesce((w.r ->> 'std_mark')::boolean, false)
                      OR coalesce(cqs.csv_boolean(w.r ->> 'standard'), false)
                      OR coalesce(cqs.csv_key(w.r ->> 'standard') = 'chuan', false)))
   WHERE true;

  INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
  SELECT w.line_no, 'group', w.r ->> 'group', format('item "%s": group "%s" is not N1..N5', w.r ->> 'code', w.r ->> 'group')
    FROM _cqs_csv_row w WHERE w.r ? 'group' AND NOT w.r ? 'g';
  INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
  SELECT w.line_no, 'group_max', w.r ->> 'group_max',
         CASE WHEN NOT w.r ? 'gmax_parsed' THEN format('item "%s": group_max "%s" is not a number', w.r ->> 'code', w.r ->> 'group_max')
              ELSE format('item "%s": group_max %s exceeds N%s''s maximum %s (HB ch. II)', w.r ->> 'code',
                          w.r ->> 'gmax_parsed', w.r ->> 'g', 100 * (w.r ->> 'g')::integer) END
    FROM _cqs_csv_row w WHERE w.r ? 'group_max' AND w.r ? 'g' AND NOT w.r ? 'gmax';
  INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
  SELECT w.line_no, 'standard', w.r ->> 'standard',
         format('item "%s": standard "%s" is not x (or empty)', w.r ->> 'code', w.r ->> 'standard')
    FROM _cqs_csv_row w
   WHERE w.r ? 'standard' AND cqs.csv_boolean(w.r ->> 'standard') IS NULL AND cqs.csv_key(w.r ->> 'standard') <> 'chuan';
  INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
  SELECT w.line_no, 'points', w.r ->> 'points',
         CASE WHEN NOT (w.r ? 'low' AND w.r ? 'high') OR (w.r ->> 'low')::numeric = 0
              THEN format('item "%s": points "%s" is not a positive number or range like 40-80', w.r ->> 'code', w.r ->> 'points')
              WHEN (w.r ->> 'low')::numeric > (w.r ->> 'high')::numeric
              THEN format('item "%s": points range %s-%s has its low end above its high end', w.r ->> 'code',
                          w.r ->> 'low', w.r ->> 'high')
              ELSE format('item "%s": %s points exceed the group maximum %s of N%s (HB ch. II)', w.r ->> 'code',
                          w.r ->> 'high', w.r ->> 'gmax', w.r ->> 'g') END
    FROM _cqs_csv_row w
   WHERE w.r ? 'points'
     AND (NOT (w.r ? 'low' AND w.r ? 'high') OR (w.r ->> 'low')::numeric = 0
          OR (w.r ->> 'low')::numeric > (w.r ->> 'high')::numeric
          OR (w.r ->> 'high')::numeric > (w.r ->> 'gmax')::numeric);
  -- Exactly one standard unit, scoring the standard points (HB ch. II).
  INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
  SELECT s.line_no, 'standard', s.r ->> 'standard',
         format('item "%s": a second standard unit (a catalogue has exactly one)', s.r ->> 'code')
    FROM (SELECT w.*, row_number() OVER (ORDER BY w.line_no) AS n FROM _cqs_csv_row w WHERE (w.r ->> 'std')::boolean) s
   WHERE s.n > 1;
  INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
  SELECT w.line_no, 'points', w.r ->> 'points',
         format('item "%s": the standard unit must score %s points, got %s', w.r ->> 'code', p_standard_points, w.r ->> 'points')
    FROM _cqs_csv_row w
   WHERE (w.r ->> 'std')::boolean AND w.r ? 'low'
     AND ((w.r ->> 'low')::numeric <> p_standard_points OR (w.r ->> 'high')::numeric IS DISTINCT FROM p_standard_points);
  IF EXISTS (SELECT 1 FROM _cqs_csv_row) AND NOT EXISTS (SELECT 1 FROM _cqs_csv_row w WHERE (w.r ->> 'std')::boolean) THEN
    INSERT INTO _cqs_csv_problem (line_no, column_name, problem)
    VALUES (NULL, 'standard', 'no item is marked as the standard unit (column "standard", or "5 (chuẩn)" in points)');
  END IF;
  -- A written coefficient must be points ÷ standard points, to the decimals written.
  INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
  SELECT w.line_no, 'coefficient', w.r ->> 'coefficient',
         CASE WHEN c.lo IS NULL OR c.hi IS NULL
              THEN format('item "%s": coefficient "%s" is not a number or range', w.r ->> 'code', w.r ->> 'coefficient')
              ELSE format('item "%s": coefficient %s does not match points %s ÷ %s (HB ch. II)', w.r ->> 'code',
                          w.r ->> 'coefficient', w.r ->> 'points', p_standard_points) END
    FROM _cqs_csv_row w,
         LATERAL (SELECT cqs.csv_decimal(w.r -> 'coef' ->> 0) AS lo,
                         CASE jsonb_array_length(w.r -> 'coef') WHEN 1 THEN cqs.csv_decimal(w.r -> 'coef' ->> 0)
                                                                WHEN 2 THEN cqs.csv_decimal(w.r -> 'coef' ->> 1) END AS hi) c
   WHERE w.r ? 'coefficient' AND w.r ? 'low' AND w.r ? 'high'
     AND (c.lo IS NULL OR c.hi IS NULL
          OR round((w.r ->> 'low')::numeric / p_standard_points, scale(c.lo)) <> c.lo
          OR round((w.r ->> 'high')::numeric / p_standard_points, scale(c.hi)) <> c.hi);
END $$;
COMMENT ON FUNCTION cqs._csv_catalogue_check(numeric) IS
  'Art. 13, HB ch. II: the checks of a catalogue CSV over the working tables (group, group maximum, points and ranges, one standard unit, coefficients), each with its line';

-- Every problem of a catalogue CSV, with its line number, in one pass.
CREATE FUNCTION cqs.catalogue_csv_problems(content text, standard_points numeric)
RETURNS TABLE (line_no integer, problem text)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
BEGIN
  IF cqs._csv_read('catalogue', content) THEN
    PERFORM cqs._csv_catalogue_check(standard_points);
  END IF;
  RETURN QUERY
  SELECT p.line_no, p.problem
    FROM pg_temp._cqs_csv_problem p
    LEFT JOIN cqs.csv_format('catalogue') f ON f.column_name = p.column_name
   ORDER BY p.line_no NULLS LAST, f.column_no NULLS FIRST, p.problem;
END $$;
COMMENT ON FUNCTION cqs.catalogue_csv_problems(text, numeric) IS
  'Art. 13, HB ch. II: every problem of a catalogue CSV with its line number (points above the group maximum, two standard units, reversed ranges, coefficients that do not match, ...)';

-- Import a catalogue version: all or nothing, the file read once.
CREATE FUNCTION cqs.import_catalogue(organisation_id bigint, version text, effective_from date,
                                     content text, standard_points numeric DEFAULT 5,
                                     coefficient_decimals integer DEFAULT NULL,
                                     decision_ref text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
  v_problems text;
  v_count    integer;
  v_id       bigint;
BEGIN
  IF cqs._csv_read('catalogue', content) THEN
    PERFORM cqs._csv_catalogue_check(standard_points);
  END IF;
  SELECT count(*), string_agg(coalesce('line ' || p.line_no || ': ', '') || p.problem, E'\n' ORDER BY p.line_no NULLS LAST, p.problem)
    INTO v_count, v_problems
    FROM pg_temp._cqs_csv_problem p;
  IF v_count > 0 THEN
    RAISE EXCEPTION 'catalogue CSV for version "%" has % problem(s); nothing was imported', version, v_count
      USING ERRCODE = 'invalid_parameter_value', DETAIL = v_problems,
            HINT = 'Fix every listed line and import again; cqs.catalogue_csv_problems() lists them as rows.';
  END IF;

  INSERT INTO cqs.catalogue (organisation_id, version, effective_from, standard_points,
                             coefficient_decimals, decision_ref)
  VALUES (import_catalogue.organisation_id, import_catalogue.version, import_catalogue.effective_from,
          import_catalogue.standard_points, import_catalogue.coefficient_decimals, import_catalogue.decision_ref)
  RETURNING catalogue_id INTO v_id;

  INSERT INTO cqs.catalogue_item (catalogue_id, code, name, output_unit, complexity_group, group_max,
                                  points_low, points_high, is_standard, coefficient_low, coefficient_high)
  SELECT v_id, w.r ->> 'code', w.r ->> 'name', w.r ->> 'output_unit', (w.r ->> 'g')::smallint,
         (w.r ->> 'gmax')::numeric, (w.r ->> 'low')::numeric, (w.r ->> 'high')::numeric, (w.r ->> 'std')::boolean, 0, 0
    FROM pg_temp._cqs_csv_row w ORDER BY w.line_no;
  RETURN v_id;
END $$;
COMMENT ON FUNCTION cqs.import_catalogue(bigint, text, date, text, numeric, integer, text) IS
  'Art. 13, HB ch. II: import a catalogue version from UTF-8 CSV text (Excel''s "," or ";", BOM, Vietnamese headers, ≤300 and 5 (chuẩn) notations); every problem is reported with its line number and nothing is half-imported';
-- ---------------------------------------------------------------------------
-- Taking work in (DOMAIN.md section 10; Huế plan III.2, III.4; the Ministry's letter of
-- 9/2/2026): tasks assigned in a document-management / task-assignment system (phần mềm
-- quản lý văn bản và điều hành, giao việc) become task lines (Art. 13-14, 18).
--
--   cqs.ingest_source        one source system: its code, its organisation scope, the
--                            login of its connector, its watermark and its cut-off policy
--   cqs.ingest_cutoff        a cut-off instant fixed for one period (overrides the policy)
--   cqs.ingest_assignee_map  external assignee id -> person, reviewed by a person
--   cqs.ingest_type_map      external task type -> catalogue item code and origin, reviewed
--   cqs.ingest_task          every external task received, keyed by (source, external id):
--                            its payload, status (matched, waiting, error, cancelled), the
--                            reason, and the task line it became (provenance)
--   cqs.ingest_batch         every batch: who sent it, when, how many items, outcomes
--
-- A batch (JSON array, or CSV with the same names as columns) is taken item by item:
-- an unchanged item is a no-op, a changed one updates its task line, a bad one is
-- reported with its SQLSTATE and reason and never rejects the good ones.  Assignees and
-- task types are matched only through the reviewed mappings -- never by name; an item
-- whose mapping is missing waits in the queue with the reason until a person reviews
-- the mapping and cqs.ingest_retry() takes it again.
-- ---------------------------------------------------------------------------

CREATE TABLE cqs.ingest_source (
  source           text PRIMARY KEY
                   CONSTRAINT ingest_source_code_valid CHECK (source ~ '^[a-z0-9][a-z0-9_.-]{0,62}$'),
  name             text NOT NULL,
  organisation_id  bigint NOT NULL,   -- -> cqs.organisation: tasks only for people posted in its subtree
  connector_login  text,              -- the login (member of cqs_ingest) that sends its batches
  cutoff_after     interval NOT NULL DEFAULT interval '5 days'
                   CONSTRAINT ingest_source_cutoff_range
                   CHECK (cutoff_after >= interval '0' AND cutoff_after <= interval '92 days'),
  watermark        timestamptz,       -- the latest source time (updated_at) of an item taken in
  created_at       timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE cqs.ingest_source IS
  'DOMAIN §10, Huế plan III.2: a document-management / task-assignment system (phần mềm quản lý văn bản và điều hành) sending tasks: organisation scope, connector login, watermark (latest source time taken in), cut-off policy (a period''s items are taken until cutoff_after past its end, Vietnam time)';
COMMENT ON COLUMN cqs.ingest_source.watermark IS
  'The latest updated_at of an item taken in (matched or waiting); a connector resumes from it';
COMMENT ON COLUMN cqs.ingest_source.cutoff_after IS
  'Items for a month are taken until this long after the month ends (00:00 Asia/Ho_Chi_Minh); later ones are refused (55000). cqs.ingest_cutoff fixes another instant for one period';

CREATE TABLE cqs.ingest_cutoff (
  source     text NOT NULL,   -- -> cqs.ingest_source
  period     date NOT NULL CONSTRAINT ingest_cutoff_period_is_month
             CHECK (date_part('day', period) = 1 AND cqs._sane_day(period)),
  cutoff_at  timestamptz NOT NULL,
  reason     text NOT NULL CONSTRAINT ingest_cutoff_reason_given CHECK (btrim(reason) <> ''),
  PRIMARY KEY (source, period)
);
COMMENT ON TABLE cqs.ingest_cutoff IS
  'DOMAIN §10: the cut-off instant of one period for one source (thời điểm chốt số liệu), overriding the source''s policy, with the reason';

CREATE TABLE cqs.ingest_assignee_map (
  source              text NOT NULL,   -- -> cqs.ingest_source
  external_assignee   text NOT NULL,
  person_id           bigint,          -- -> cqs.person; NULL: not reviewed yet
  seen_label          text,            -- what the source showed (a name): for the reviewer only, never matched
  first_seen_at       timestamptz NOT NULL DEFAULT now(),
  reviewed_by         text,            -- recorded by the database: the login
  reviewed_by_person  bigint,          -- and the person it acted for
  reviewed_at         timestamptz,
  note                text,
  PRIMARY KEY (source, external_assignee)
);
COMMENT ON TABLE cqs.ingest_assignee_map IS
  'DOMAIN §10: an external assignee id of a source mapped to a person by a reviewer (never by name); rows without a person are waiting for review';

CREATE TABLE cqs.ingest_type_map (
  source              text NOT NULL,   -- -> cqs.ingest_source
  external_type       text NOT NULL,
  item_code           text,            -- the catalogue item code, looked up in the catalogue in force (Art. 13)
  off_catalogue       boolean NOT NULL DEFAULT false,   -- Art. 13.3: off-catalogue work priced like this item
  coefficient         numeric CONSTRAINT ingest_type_map_coefficient_sane
                      CHECK (coefficient > 0 AND cqs._sane_amount(coefficient)),
  origin              text NOT NULL DEFAULT 'planned'
                      CONSTRAINT ingest_type_map_origin_valid
                      CHECK (origin IN ('planned', 'reassigned_away', 'taken_over', 'ad_hoc')),
  seen_label          text,
  first_seen_at       timestamptz NOT NULL DEFAULT now(),
  reviewed_by         text,
  reviewed_by_person  bigint,
  reviewed_at         timestamptz,
  note                text,
  PRIMARY KEY (source, external_type)
);
COMMENT ON TABLE cqs.ingest_type_map IS
  'Art. 13, 13.3, 18.1.d: an external task type of a source mapped by a reviewer to a catalogue item code (or a similar item for off-catalogue work), a coefficient where the item has a range, and an origin; rows without an item code are waiting for review';

CREATE TABLE cqs.ingest_batch (
  batch_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source        text NOT NULL,   -- -> cqs.ingest_source
  format        text NOT NULL CONSTRAINT ingest_batch_format_valid CHECK (format IN ('json', 'csv', 'retry')),
  login         text NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT now(),
  items         integer NOT NULL DEFAULT 0,
  inserted      integer NOT NULL DEFAULT 0,
  updated       integer NOT NULL DEFAULT 0,
  unchanged     integer NOT NULL DEFAULT 0,
  deleted       integer NOT NULL DEFAULT 0,
  waiting       integer NOT NULL DEFAULT 0,
  errors        integer NOT NULL DEFAULT 0,
  item_by_item  boolean NOT NULL DEFAULT false   -- the set-wise path failed; items were taken one by one
);
CREATE INDEX ingest_batch_source_idx ON cqs.ingest_batch (source, batch_id);
COMMENT ON TABLE cqs.ingest_batch IS
  'DOMAIN §10: every batch taken in (or retry): source, format, login, time, and how many items were inserted, updated, unchanged, deleted, waiting or in error';

CREATE TABLE cqs.ingest_task (
  source             text NOT NULL,   -- -> cqs.ingest_source
  external_id        text NOT NULL,
  payload            jsonb NOT NULL,
  source_updated_at  timestamptz NOT NULL,
  received_at        timestamptz NOT NULL DEFAULT now(),
  batch_id           bigint NOT NULL,  -- the batch that last changed it
  item_no            integer NOT NULL, -- its position in that batch
  status             text NOT NULL DEFAULT 'pending'
                     CONSTRAINT ingest_task_status_valid
                     CHECK (status IN ('pending', 'ready', 'cancel', 'matched', 'waiting', 'error', 'cancelled')),
  outcome            text,
  sqlstate           text,
  reason             text,
  task_line_id       bigint,           -- the task line it became (its external_source, external_id are these)
  -- what it was matched to (the task line's values that are not read from the payload)
  person_id          bigint,
  organisation_id    bigint,
  period             date,
  item_id            bigint,
  similar_item_id    bigint,
  title              text,
  coefficient        numeric,
  origin             text,
  PRIMARY KEY (source, external_id)
);
CREATE INDEX ingest_task_batch_idx ON cqs.ingest_task (batch_id);
CREATE INDEX ingest_task_waiting_idx ON cqs.ingest_task (source) WHERE status IN ('waiting', 'error');
COMMENT ON TABLE cqs.ingest_task IS
  'DOMAIN §10: every external task received, keyed by (source, external id): the payload as sent, its source time, the batch, its status (matched, waiting for a reviewed mapping, error, cancelled), SQLSTATE and reason, and the task line it became';

-- References to the records (person, organisation) are held like the records' own
-- (10_records.sql): the child side here.
CREATE TRIGGER ingest_source_organisation_id_ref_ins AFTER INSERT ON cqs.ingest_source REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._references_exist('organisation_id', 'organisation', 'organisation_id');
CREATE TRIGGER ingest_source_organisation_id_ref_upd AFTER UPDATE ON cqs.ingest_source REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._references_exist('organisation_id', 'organisation', 'organisation_id');
CREATE TRIGGER ingest_assignee_map_person_id_ref_ins AFTER INSERT ON cqs.ingest_assignee_map REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._references_exist('person_id', 'person', 'person_id');
CREATE TRIGGER ingest_assignee_map_person_id_ref_upd AFTER UPDATE ON cqs.ingest_assignee_map REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._references_exist('person_id', 'person', 'person_id');

-- A reviewed mapping records who reviewed it and when, by the database (never typed in);
-- a mapping names a person or an item code of a catalogue of the source's organisations.
CREATE FUNCTION cqs._ingest_map_reviewed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_org  bigint;
  v_code text;
BEGIN
  IF cqs._loading_records() THEN
    RETURN NEW;
  END IF;
  SELECT s.organisation_id INTO v_org FROM cqs.ingest_source s WHERE s.source = NEW.source;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no ingest source "%"', NEW.source
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = TG_TABLE_NAME || '_source_ref';
  END IF;
  v_code := to_jsonb(NEW) ->> 'item_code';
  IF v_code IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM cqs.catalogue_item i JOIN cqs.catalogue c ON c.catalogue_id = i.catalogue_id
                      WHERE i.code = v_code
                        AND (c.organisation_id IN (SELECT t.descendant_id FROM cqs.organisation_closure t WHERE t.ancestor_id = v_org)
                             OR c.organisation_id IN (SELECT t.ancestor_id FROM cqs.organisation_closure t WHERE t.descendant_id = v_org))) THEN
    RAISE EXCEPTION 'type "%" of source "%": no catalogue of organisation % (or above or below it) has an item "%"',
                    to_jsonb(NEW) ->> 'external_type', NEW.source, v_org, v_code
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'ingest_type_map_item_code_ref',
            HINT = 'Art. 13: map a task type to an item code of the catalogue the source''s organisations use.';
  END IF;
  IF TG_OP = 'INSERT' OR (to_jsonb(NEW) - 'note' - 'seen_label' - 'reviewed_by' - 'reviewed_by_person' - 'reviewed_at')
                         IS DISTINCT FROM (to_jsonb(OLD) - 'note' - 'seen_label' - 'reviewed_by' - 'reviewed_by_person' - 'reviewed_at') THEN
    IF (TG_TABLE_NAME = 'ingest_assignee_map' AND to_jsonb(NEW) ->> 'person_id' IS NOT NULL)
       OR (TG_TABLE_NAME = 'ingest_type_map' AND to_jsonb(NEW) ->> 'item_code' IS NOT NULL) THEN
      NEW.reviewed_by := cqs._actor_login();
      NEW.reviewed_by_person := cqs.acting_person();
      NEW.reviewed_at := now();
    ELSE
      NEW.reviewed_by := NULL;
      NEW.reviewed_by_person := NULL;
      NEW.reviewed_at := NULL;
    END IF;
  ELSE
    NEW.reviewed_by := OLD.reviewed_by;
    NEW.reviewed_by_person := OLD.reviewed_by_person;
    NEW.reviewed_at := OLD.reviewed_at;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER ingest_assignee_map_reviewed BEFORE INSERT OR UPDATE ON cqs.ingest_assignee_map
  FOR EACH ROW EXECUTE FUNCTION cqs._ingest_map_reviewed();
CREATE TRIGGER ingest_type_map_reviewed BEFORE INSERT OR UPDATE ON cqs.ingest_type_map
  FOR EACH ROW EXECUTE FUNCTION cqs._ingest_map_reviewed();

-- ---------------------------------------------------------------------------
-- Reading the fields of an item: NULL when absent, and a flag when present but not
-- readable (so a bad value is reported, never taken as absent).
-- ---------------------------------------------------------------------------
-- (STABLE, not IMMUTABLE: the text-to-date and text-to-timestamptz casts are, for the
-- catalog; so labelled, the planner inlines them into the batch's queries.)
-- A calendar date written YYYY-MM-DD (years 1000-2999), or NULL.
CREATE FUNCTION cqs._ingest_date(txt text) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE WHEN txt ~ '^[12][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'
             AND pg_catalog.substr(txt, 9, 2)::integer
                 <= pg_catalog.date_part('day', pg_catalog.make_date(pg_catalog.substr(txt, 1, 4)::integer,
                                                                     pg_catalog.substr(txt, 6, 2)::integer, 1)
                                                + interval '1 month - 1 day')
            THEN txt::date END;

-- An ISO 8601 instant with its offset (2026-03-05T08:30:00+07:00, ...Z), or NULL.
CREATE FUNCTION cqs._ingest_instant(txt text) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE WHEN txt ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)$'
             AND cqs._ingest_date(pg_catalog.substr(txt, 1, 10)) IS NOT NULL
            THEN pg_catalog.replace(txt, 'Z', '+00')::timestamptz END;

-- A number: a JSON number or a string like "2.5" or "2,5" (decimal comma), or NULL.
CREATE FUNCTION cqs._ingest_number(j jsonb) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE pg_catalog.jsonb_typeof(j)
         WHEN 'number' THEN (j #>> '{}')::numeric
         WHEN 'string' THEN CASE WHEN j #>> '{}' ~ '^\s*[0-9]{1,12}([.,][0-9]{1,20})?\s*$'
                                 THEN pg_catalog.replace(pg_catalog.btrim(j #>> '{}'), ',', '.')::numeric END
       END;

-- Is a key present with a value (not absent, not null, not "")?
CREATE FUNCTION cqs._ingest_given(j jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN j IS NOT NULL AND pg_catalog.jsonb_typeof(j) <> 'null' AND (j #>> '{}') <> '';

-- ---------------------------------------------------------------------------
-- CSV (RFC 4180: quoted fields, doubled quotes, embedded newlines, CRLF, UTF-8 BOM) to
-- the JSON items a batch holds: the header names the keys; empty fields are absent.  A
-- record whose field count differs from the header's becomes an item that says so.
-- Linear in the size of the text (lines are split once; only lines with a quote are
-- tokenised with a regular expression).  One function, so that a faster parser can
-- take its place.
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs._ingest_csv_items(content text) RETURNS jsonb
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_header text[];
  v_items  jsonb;
  v_text   text := content;
BEGIN
  IF left(v_text, 1) = chr(65279) THEN
    v_text := substr(v_text, 2);
  END IF;
  WITH lines AS (
    SELECT x.l, x.n, (length(x.l) - length(replace(x.l, '"', ''))) % 2 AS odd
      FROM string_to_table(v_text, E'\n') WITH ORDINALITY AS x(l, n)
  ), opened AS (        -- a record starts on a line where no quote is left open
    SELECT l.l, l.n,
           coalesce(sum(l.odd) OVER (ORDER BY l.n ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) % 2 = 0 AS starts
      FROM lines l
  ), numbered AS (
    SELECT o.l, o.n, sum(o.starts::integer) OVER (ORDER BY o.n) AS rec FROM opened o
  ), records AS (
    SELECT min(nb.n) AS line_no, regexp_replace(string_agg(nb.l, E'\n' ORDER BY nb.n), E'\r$', '') AS r
      FROM numbered nb GROUP BY nb.rec
  ), fields AS (
    SELECT rc.line_no,
           CASE WHEN strpos(rc.r, '"') = 0 THEN string_to_array(rc.r, ',')
                ELSE (SELECT CASE WHEN string_agg(m.t[1], ',' ORDER BY m.k) = rc.r
                                  THEN array_agg(CASE WHEN left(m.t[1], 1) = '"'
                                                      THEN replace(substr(m.t[1], 2, length(m.t[1]) - 2), '""', '"')
                                                      ELSE m.t[1] END ORDER BY m.k) END
                        FROM regexp_matches(rc.r || ',', '("(?:[^"]|"")*"|[^",]*),', 'g') WITH ORDINALITY AS m(t, k))
           END AS f
      FROM records rc
     WHERE rc.r !~ '^\s*$'
  ), numbered_fields AS (
    SELECT fl.line_no, fl.f, row_number() OVER (ORDER BY fl.line_no) AS k FROM fields fl
  ), hdr AS (
    SELECT (SELECT array_agg(lower(btrim(u.h)) ORDER BY u.i) FROM unnest(nf.f) WITH ORDINALITY AS u(h, i)) AS h
      FROM numbered_fields nf WHERE nf.k = 1
  )
  SELECT hdr.h,
         (SELECT coalesce(jsonb_agg(
                   CASE WHEN nf.f IS NULL
                        THEN jsonb_build_object('_csv_error',
                               format('line %s: a quoted field is not closed or is followed by other characters', nf.line_no))
                        WHEN cardinality(nf.f) <> cardinality(hdr.h)
                        THEN jsonb_build_object('_csv_error', format('line %s has %s fields, the header has %s',
                                                                     nf.line_no, cardinality(nf.f), cardinality(hdr.h)))
                             || coalesce((SELECT jsonb_build_object('external_id', u.v)
                                            FROM unnest(hdr.h, nf.f) AS u(h, v) WHERE u.h = 'external_id' AND u.v <> ''), '{}')
                        ELSE (SELECT coalesce(jsonb_object_agg(u.h, u.v), '{}')
                                FROM unnest(hdr.h, nf.f) AS u(h, v) WHERE u.v <> '')
                   END ORDER BY nf.k), '[]')
            FROM numbered_fields nf WHERE nf.k > 1)
    INTO v_header, v_items
    FROM hdr;
  IF v_header IS NULL THEN
    RETURN '[]'::jsonb;
  END IF;
  IF NOT ('external_id' = ANY (v_header)) THEN
    RAISE EXCEPTION 'CSV header has no column "external_id" (it has: %)', array_to_string(v_header, ', ')
      USING ERRCODE = 'bad_copy_file_format', HINT = 'The first line names the columns; see docs/ingest.md.';
  END IF;
  RETURN v_items;
END $$;
COMMENT ON FUNCTION cqs._ingest_csv_items(text) IS
  'DOMAIN §10: a CSV batch (RFC 4180, header row naming the keys) as the JSON array of items cqs.ingest_tasks takes';

-- ---------------------------------------------------------------------------
-- Matching: for the items of a batch waiting to be taken (status pending), what each
-- becomes -- a task line's values, or the reason it waits or fails.  The first problem
-- is reported, in this order: its fields (22023, 23502 without a deadline, 23514 out of
-- bounds), its assignee's and type's reviewed mappings (waiting), where the person was
-- posted and the catalogue in force (waiting), the coefficient's range (23514), the
-- period's cut-off and lock (55000).  Set-wise: one pass over the batch.
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs._ingest_resolve(p_batch bigint)
RETURNS TABLE (source text, external_id text, status text, sqlstate text, reason text,
               person_id bigint, organisation_id bigint, period date, item_id bigint, similar_item_id bigint,
               title text, coefficient numeric, assigned_qty numeric, deadline date, completed_qty numeric,
               completed_on date, origin text, cancel boolean)
LANGUAGE sql STABLE ROWS 10000 SET search_path = pg_catalog, pg_temp SET jit = off SET enable_nestloop = off AS $$
  WITH src AS (
    SELECT s.* FROM cqs.ingest_source s
     WHERE s.source = (SELECT b.source FROM cqs.ingest_batch b WHERE b.batch_id = p_batch)
  ), base AS (
    SELECT t.source, t.external_id, t.payload AS p,
           cqs._ingest_date(t.payload ->> 'deadline') AS deadline,
           cqs._ingest_date(t.payload ->> 'completed_on') AS completed_on,
           CASE WHEN t.payload ->> 'period' ~ '^[0-9]{4}-[0-9]{2}$' THEN cqs._ingest_date((t.payload ->> 'period') || '-01')
                ELSE date_trunc('month', cqs._ingest_date(t.payload ->> 'period'))::date END AS period_given,
           coalesce(cqs._ingest_number(t.payload -> 'assigned_qty'),
                    CASE WHEN NOT cqs._ingest_given(t.payload -> 'assigned_qty') THEN 1 END) AS assigned_qty,
           cqs._ingest_number(t.payload -> 'completed_qty') AS completed_qty,
           cqs._ingest_number(t.payload -> 'coefficient') AS coefficient_given,
           coalesce(t.payload ->> 'status', 'open') AS task_status,
           am.person_id AS mapped_person,
           tm.item_code, tm.off_catalogue, tm.coefficient AS map_coefficient,
           coalesce(t.payload ->> 'origin', tm.origin) AS origin
      FROM cqs.ingest_task t
      LEFT JOIN cqs.ingest_assignee_map am ON am.source = t.source AND am.external_assignee = t.payload ->> 'assignee'
      LEFT JOIN cqs.ingest_type_map tm ON tm.source = t.source AND tm.external_type = t.payload ->> 'task_type'
     WHERE t.batch_id = p_batch AND t.status = 'pending'
  ), dated AS MATERIALIZED (
    SELECT b.*, coalesce(b.period_given, date_trunc('month', b.deadline)::date) AS period FROM base b
  ), months AS (        -- where each person was posted, once per person and month
    SELECT x.person_id, x.period, ps.organisation_id,
           ps.organisation_id IN (SELECT c.descendant_id FROM cqs.organisation_closure c, src
                                   WHERE c.ancestor_id = src.organisation_id) AS in_scope
      FROM (SELECT DISTINCT d.mapped_person AS person_id, d.period FROM dated d
             WHERE d.mapped_person IS NOT NULL AND d.period IS NOT NULL) x
      LEFT JOIN LATERAL cqs.posting_in_force(x.person_id, x.period, (x.period + interval '1 month - 1 day')::date) ps ON true
  ), combos AS (        -- the catalogue versions in force and the cut-off, once per organisation and month
    SELECT x.organisation_id, x.period,
           cqs.catalogue_in_force(x.organisation_id, x.period) AS cat_first,
           cqs.catalogue_in_force(x.organisation_id, (x.period + interval '1 month - 1 day')::date) AS cat_last,
           coalesce(pol.cadence = 'quarterly', false) AS quarterly, coalesce(o.special_deadline, false) AS special_deadline
      FROM (SELECT DISTINCT m.organisation_id, m.period FROM months m WHERE m.organisation_id IS NOT NULL) x
      LEFT JOIN cqs.organisation_policy pol ON pol.organisation_id = x.organisation_id
      LEFT JOIN cqs.organisation o ON o.organisation_id = x.organisation_id
  ), items AS (
    SELECT DISTINCT co.organisation_id, co.period, d.item_code, it.item_id, it.coefficient_low, it.coefficient_high
      FROM combos co
      JOIN (SELECT DISTINCT m.organisation_id, m.period, d.item_code
              FROM dated d JOIN months m ON m.person_id = d.mapped_person AND m.period = d.period
             WHERE d.item_code IS NOT NULL) d ON d.organisation_id = co.organisation_id AND d.period = co.period
      LEFT JOIN LATERAL (SELECT i.item_id, i.coefficient_low, i.coefficient_high
                           FROM cqs.catalogue_item i
                          WHERE i.catalogue_id IN (co.cat_last, co.cat_first) AND i.code = d.item_code
                          ORDER BY i.catalogue_id = co.cat_last DESC LIMIT 1) it ON true
  ), cutoffs AS (
    SELECT DISTINCT d.period,
           coalesce((SELECT c.cutoff_at FROM cqs.ingest_cutoff c, src WHERE c.source = src.source AND c.period = d.period),
                    ((d.period + interval '1 month') + (SELECT src.cutoff_after FROM src)) AT TIME ZONE 'Asia/Ho_Chi_Minh') AS cutoff_at
      FROM dated d WHERE d.period IS NOT NULL
  ), locked AS (        -- the months of active locks of the people concerned
    SELECT lr.person_id, m.month, min(lr.lock_id) AS lock_id
      FROM cqs.locked_result lr
      JOIN cqs.period_lock pl ON pl.lock_id = lr.lock_id AND pl.reopened_at IS NULL
      CROSS JOIN LATERAL generate_series(lr.period::timestamp, cqs.period_end(lr.period, lr.period_kind) - 1, interval '1 month') AS m(month)
     WHERE lr.person_id IN (SELECT d.mapped_person FROM dated d)
     GROUP BY 1, 2
  ), judged AS (
    SELECT d.*, m.organisation_id, m.in_scope, it.item_id AS found_item, it.coefficient_low, it.coefficient_high,
           coalesce(d.coefficient_given, d.map_coefficient,
                    CASE WHEN it.coefficient_low = it.coefficient_high THEN trim_scale(it.coefficient_low) END) AS coefficient,
           cqs._counted_month(d.period, d.deadline, co.quarterly, co.special_deadline) AS counted,
           cu.cutoff_at
      FROM dated d
      LEFT JOIN months m ON m.person_id = d.mapped_person AND m.period = d.period
      LEFT JOIN combos co ON co.organisation_id = m.organisation_id AND co.period = d.period
      LEFT JOIN items it ON it.organisation_id = m.organisation_id AND it.period = d.period AND it.item_code = d.item_code
      LEFT JOIN cutoffs cu ON cu.period = d.period
  ), checked AS (       -- the first problem, in the order of the comment above
    SELECT j.*, lk.lock_id,
           CASE WHEN j.task_status = 'cancelled' AND now() >= j.cutoff_at THEN 22
                WHEN j.task_status = 'cancelled' THEN 1
                WHEN NOT cqs._ingest_given(j.p -> 'deadline') THEN 2
                WHEN j.deadline IS NULL THEN 3
                WHEN cqs._ingest_given(j.p -> 'completed_on') AND j.completed_on IS NULL THEN 4
                WHEN cqs._ingest_given(j.p -> 'period') AND j.period_given IS NULL THEN 5
                WHEN j.assigned_qty IS NULL THEN 6
                WHEN cqs._ingest_given(j.p -> 'completed_qty') AND j.completed_qty IS NULL THEN 7
                WHEN cqs._ingest_given(j.p -> 'coefficient') AND j.coefficient_given IS NULL THEN 8
                WHEN j.task_status NOT IN ('open', 'done', 'cancelled') THEN 9
                WHEN j.origin NOT IN ('planned', 'reassigned_away', 'taken_over', 'ad_hoc') THEN 10
                WHEN NOT (cqs._sane_day(j.deadline) AND cqs._sane_day(j.completed_on) AND cqs._sane_day(j.period))
                  OR NOT (cqs._sane_amount(j.assigned_qty) AND cqs._sane_amount(j.completed_qty) AND cqs._sane_amount(j.coefficient))
                  THEN 11
                WHEN j.coefficient_given = 0 THEN 12
                WHEN NOT cqs._ingest_given(j.p -> 'assignee') THEN 13
                WHEN NOT cqs._ingest_given(j.p -> 'task_type') THEN 14
                WHEN j.mapped_person IS NULL THEN 15
                WHEN j.item_code IS NULL THEN 16
                WHEN j.organisation_id IS NULL THEN 17
                WHEN NOT j.in_scope THEN 18
                WHEN j.found_item IS NULL THEN 19
                WHEN j.coefficient IS NULL THEN 20
                WHEN j.coefficient < j.coefficient_low OR j.coefficient > j.coefficient_high THEN 21
                WHEN now() >= j.cutoff_at THEN 22
                WHEN lk.lock_id IS NOT NULL THEN 23
                ELSE 0 END AS k
      FROM judged j
      LEFT JOIN locked lk ON lk.person_id = j.mapped_person AND lk.month = j.counted
  )
  SELECT c.source, c.external_id,
         CASE WHEN c.k = 0 THEN 'ready' WHEN c.k = 1 THEN 'cancel' WHEN c.k BETWEEN 15 AND 20 THEN 'waiting' ELSE 'error' END,
         CASE WHEN c.k IN (2, 13, 14) THEN '23502' WHEN c.k IN (11, 12, 21) THEN '23514' WHEN c.k IN (22, 23) THEN '55000'
              WHEN c.k BETWEEN 3 AND 10 THEN '22023' END,
         CASE c.k
           WHEN 2 THEN 'deadline is missing (Art. 18.1.b: every assigned task has one)'
           WHEN 3 THEN format('deadline "%s" is not a date (YYYY-MM-DD)', c.p ->> 'deadline')
           WHEN 4 THEN format('completed_on "%s" is not a date (YYYY-MM-DD)', c.p ->> 'completed_on')
           WHEN 5 THEN format('period "%s" is not a month (YYYY-MM)', c.p ->> 'period')
           WHEN 6 THEN format('assigned_qty "%s" is not a number', c.p ->> 'assigned_qty')
           WHEN 7 THEN format('completed_qty "%s" is not a number', c.p ->> 'completed_qty')
           WHEN 8 THEN format('coefficient "%s" is not a number', c.p ->> 'coefficient')
           WHEN 9 THEN format('status "%s" is not open, done or cancelled', c.task_status)
           WHEN 10 THEN format('origin "%s" is not planned, reassigned_away, taken_over or ad_hoc (Art. 18.1.d)', c.origin)
           WHEN 11 THEN 'a date outside 2000-2100 or a quantity or coefficient outside 0-1,000,000 with at most 4 decimals'
           WHEN 12 THEN 'coefficient must be positive'
           WHEN 13 THEN 'assignee is missing'
           WHEN 14 THEN 'task_type is missing'
           WHEN 15 THEN format('assignee "%s" of source "%s" has no reviewed mapping to a person (cqs.ingest_assignee_map)',
                               c.p ->> 'assignee', c.source)
           WHEN 16 THEN format('task type "%s" of source "%s" has no reviewed mapping to a catalogue item (cqs.ingest_type_map)',
                               c.p ->> 'task_type', c.source)
           WHEN 17 THEN format('person %s (assignee "%s") has no posting in %s', c.mapped_person, c.p ->> 'assignee',
                               to_char(c.period, 'YYYY-MM'))
           WHEN 18 THEN format('person %s is posted in organisation %s in %s, outside the scope of source "%s"',
                               c.mapped_person, c.organisation_id, to_char(c.period, 'YYYY-MM'), c.source)
           WHEN 19 THEN format('no item "%s" in the catalogue in force for organisation %s in %s (Art. 13)', c.item_code,
                               c.organisation_id, to_char(c.period, 'YYYY-MM'))
           WHEN 20 THEN format('item "%s" has a range of coefficients (%s to %s): the task or the type''s mapping must fix one (HB ch. II)',
                               c.item_code, trim_scale(c.coefficient_low), trim_scale(c.coefficient_high))
           WHEN 21 THEN format('coefficient %s is outside item "%s"''s range %s to %s (HB ch. II)', c.coefficient, c.item_code,
                               trim_scale(c.coefficient_low), trim_scale(c.coefficient_high))
           WHEN 22 THEN format('period %s of source "%s" was cut off at %s (Vietnam time): it takes no more changes',
                               to_char(c.period, 'YYYY-MM'), c.source,
                               to_char(c.cutoff_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD HH24:MI'))
           WHEN 23 THEN format('period %s of person %s is locked (lock %s); its task lines cannot change (Art. 21.3: cqs.reopen_period)',
                               to_char(c.counted, 'YYYY-MM'), c.mapped_person, c.lock_id)
         END,
         c.mapped_person, c.organisation_id, c.period,
         CASE WHEN NOT coalesce(c.off_catalogue, false) THEN c.found_item END,
         CASE WHEN c.off_catalogue THEN c.found_item END,
         coalesce(c.p ->> 'title', CASE WHEN c.off_catalogue THEN c.p ->> 'task_type' END),
         c.coefficient, c.assigned_qty, c.deadline, c.completed_qty, c.completed_on, c.origin,
         c.task_status = 'cancelled'
    FROM checked c
$$;
REVOKE EXECUTE ON FUNCTION cqs._ingest_resolve(bigint) FROM PUBLIC;
COMMENT ON FUNCTION cqs._ingest_resolve(bigint) IS
  'DOMAIN §10, Art. 13, 18.1.b: what each pending item of a batch becomes: a task line''s values, or why it waits or fails';

-- Take the pending items of a batch: set-wise (one upsert of the task lines); if that
-- statement fails (a check this pass did not foresee, a lock taken meanwhile), item by
-- item, each in its own subtransaction, so one bad item never rejects the others.
CREATE FUNCTION cqs._ingest_take(p_batch bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_source text;
  v_it     record;
  v_line   bigint;
  v_ins    boolean;
  v_state  text;
  v_msg    text;
BEGIN
  SELECT b.source INTO v_source FROM cqs.ingest_batch b WHERE b.batch_id = p_batch;
  -- What each item becomes, kept on the item (ready and cancel are transient).
  UPDATE cqs.ingest_task t
     SET status = rs.status, outcome = CASE WHEN rs.status IN ('waiting', 'error') THEN rs.status END,
         sqlstate = rs.sqlstate, reason = rs.reason, person_id = rs.person_id, organisation_id = rs.organisation_id,
         period = rs.period, item_id = rs.item_id, similar_item_id = rs.similar_item_id, title = rs.title,
         coefficient = rs.coefficient, origin = rs.origin
    FROM cqs._ingest_resolve(p_batch) rs
   WHERE t.source = rs.source AND t.external_id = rs.external_id;

  BEGIN
    WITH up AS (
      INSERT INTO cqs.task_line AS tl (person_id, organisation_id, period, item_id, similar_item_id, title, coefficient,
                                       assigned_qty, deadline, completed_qty, completed_on, origin,
                                       external_source, external_id)
      SELECT t.person_id, t.organisation_id, t.period, t.item_id, t.similar_item_id, t.title, t.coefficient,
             coalesce(cqs._ingest_number(t.payload -> 'assigned_qty'), 1), cqs._ingest_date(t.payload ->> 'deadline'),
             cqs._ingest_number(t.payload -> 'completed_qty'), cqs._ingest_date(t.payload ->> 'completed_on'),
             t.origin, t.source, t.external_id
        FROM cqs.ingest_task t WHERE t.batch_id = p_batch AND t.status = 'ready'
       ORDER BY t.external_id
      ON CONFLICT (external_source, external_id) DO UPDATE
         SET person_id = excluded.person_id, organisation_id = excluded.organisation_id, period = excluded.period,
             item_id = excluded.item_id, similar_item_id = excluded.similar_item_id, title = excluded.title,
             coefficient = excluded.coefficient, assigned_qty = excluded.assigned_qty, deadline = excluded.deadline,
             completed_qty = excluded.completed_qty, completed_on = excluded.completed_on, origin = excluded.origin
       WHERE (tl.person_id, tl.organisation_id, tl.period, tl.item_id, tl.similar_item_id, tl.title, tl.coefficient,
              tl.assigned_qty, tl.deadline, tl.completed_qty, tl.completed_on, tl.origin)
             IS DISTINCT FROM
             (excluded.person_id, excluded.organisation_id, excluded.period, excluded.item_id, excluded.similar_item_id,
              excluded.title, excluded.coefficient, excluded.assigned_qty, excluded.deadline, excluded.completed_qty,
              excluded.completed_on, excluded.origin)
      RETURNING tl.task_line_id, tl.external_id, (tl.xmax = 0) AS inserted
    )
    UPDATE cqs.ingest_task t
       SET status = 'matched', outcome = CASE WHEN up.inserted THEN 'inserted' ELSE 'updated' END,
           task_line_id = up.task_line_id, sqlstate = NULL, reason = NULL
      FROM up
     WHERE t.source = v_source AND t.external_id = up.external_id;
    -- Lines left as they were.
    UPDATE cqs.ingest_task t
       SET status = 'matched', outcome = 'unchanged', sqlstate = NULL, reason = NULL,
           task_line_id = (SELECT x.task_line_id FROM cqs.task_line x
                            WHERE x.external_source = t.source AND x.external_id = t.external_id)
     WHERE t.batch_id = p_batch AND t.status = 'ready';
    -- Cancelled in the source: the line goes (by its key, one by one: cancellations are
    -- few, and a join of the batch with every task line is what the planner must not pick).
    FOR v_it IN SELECT t.source, t.external_id FROM cqs.ingest_task t
                 WHERE t.batch_id = p_batch AND t.status = 'cancel' ORDER BY t.external_id LOOP
      DELETE FROM cqs.task_line tl WHERE tl.external_source = v_it.source AND tl.external_id = v_it.external_id
      RETURNING tl.task_line_id INTO v_line;
      UPDATE cqs.ingest_task t
         SET status = 'cancelled', outcome = CASE WHEN v_line IS NULL THEN 'unchanged' ELSE 'deleted' END,
             task_line_id = NULL, sqlstate = NULL, reason = NULL
       WHERE t.source = v_it.source AND t.external_id = v_it.external_id;
      v_line := NULL;
    END LOOP;
    RETURN;
  EXCEPTION WHEN OTHERS THEN
    NULL;                               -- rolled back to the start of the block: item by item below
  END;

  UPDATE cqs.ingest_batch b SET item_by_item = true WHERE b.batch_id = p_batch;
  FOR v_it IN SELECT t.* FROM cqs.ingest_task t
               WHERE t.batch_id = p_batch AND t.status IN ('ready', 'cancel') ORDER BY t.external_id LOOP
    v_line := NULL;
    v_ins := NULL;
    BEGIN
      IF v_it.status = 'ready' THEN
        INSERT INTO cqs.task_line AS tl (person_id, organisation_id, period, item_id, similar_item_id, title, coefficient,
                                         assigned_qty, deadline, completed_qty, completed_on, origin,
                                         external_source, external_id)
        VALUES (v_it.person_id, v_it.organisation_id, v_it.period, v_it.item_id, v_it.similar_item_id, v_it.title,
                v_it.coefficient, coalesce(cqs._ingest_number(v_it.payload -> 'assigned_qty'), 1),
                cqs._ingest_date(v_it.payload ->> 'deadline'), cqs._ingest_number(v_it.payload -> 'completed_qty'),
                cqs._ingest_date(v_it.payload ->> 'completed_on'), v_it.origin, v_it.source, v_it.external_id)
        ON CONFLICT (external_source, external_id) DO UPDATE
           SET person_id = excluded.person_id, organisation_id = excluded.organisation_id, period = excluded.period,
               item_id = excluded.item_id, similar_item_id = excluded.similar_item_id, title = excluded.title,
               coefficient = excluded.coefficient, assigned_qty = excluded.assigned_qty, deadline = excluded.deadline,
               completed_qty = excluded.completed_qty, completed_on = excluded.completed_on, origin = excluded.origin
         WHERE (tl.person_id, tl.organisation_id, tl.period, tl.item_id, tl.similar_item_id, tl.title, tl.coefficient,
                tl.assigned_qty, tl.deadline, tl.completed_qty, tl.completed_on, tl.origin)
               IS DISTINCT FROM
               (excluded.person_id, excluded.organisation_id, excluded.period, excluded.item_id, excluded.similar_item_id,
                excluded.title, excluded.coefficient, excluded.assigned_qty, excluded.deadline, excluded.completed_qty,
                excluded.completed_on, excluded.origin)
        RETURNING tl.task_line_id, (tl.xmax = 0) INTO v_line, v_ins;
        IF v_line IS NULL THEN
          SELECT x.task_line_id INTO v_line FROM cqs.task_line x
           WHERE x.external_source = v_it.source AND x.external_id = v_it.external_id;
        END IF;
        UPDATE cqs.ingest_task t
           SET status = 'matched', outcome = CASE WHEN v_ins THEN 'inserted' WHEN v_ins IS NOT NULL THEN 'updated' ELSE 'unchanged' END,
               sqlstate = NULL, reason = NULL, task_line_id = v_line
         WHERE t.source = v_it.source AND t.external_id = v_it.external_id;
      ELSE
        DELETE FROM cqs.task_line tl WHERE tl.external_source = v_it.source AND tl.external_id = v_it.external_id
        RETURNING tl.task_line_id INTO v_line;
        UPDATE cqs.ingest_task t
           SET status = 'cancelled', outcome = CASE WHEN v_line IS NULL THEN 'unchanged' ELSE 'deleted' END,
               sqlstate = NULL, reason = NULL, task_line_id = NULL
         WHERE t.source = v_it.source AND t.external_id = v_it.external_id;
      END IF;
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT;
      UPDATE cqs.ingest_task t SET status = 'error', outcome = 'error', sqlstate = v_state, reason = v_msg
       WHERE t.source = v_it.source AND t.external_id = v_it.external_id;
    END;
  END LOOP;
END $$;
REVOKE EXECUTE ON FUNCTION cqs._ingest_take(bigint) FROM PUBLIC;
COMMENT ON FUNCTION cqs._ingest_take(bigint) IS
  'DOMAIN §10: take the pending items of a batch into task lines, set-wise, or item by item where the set-wise statement fails';

-- Who may send to a source: its connector login (a member of cqs_ingest), an
-- administrator, a superuser acting for nobody.  The source row, or 22023 / 42501.
CREATE FUNCTION cqs._ingest_source_for(p_source text, p_reviewers boolean) RETURNS cqs.ingest_source
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_src   cqs.ingest_source;
  v_login text := cqs._actor_login();
BEGIN
  SELECT * INTO v_src FROM cqs.ingest_source s WHERE s.source = p_source;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no ingest source "%"', p_source
      USING ERRCODE = 'invalid_parameter_value', HINT = 'An administrator registers each source in cqs.ingest_source.';
  END IF;
  IF cqs._is_admin()
     OR (v_src.connector_login = v_login AND cqs._in_group(v_login, 'cqs_ingest'))
     OR (p_reviewers AND v_src.organisation_id = ANY (cqs._personnel_organisations())) THEN
    RETURN v_src;
  END IF;
  RAISE EXCEPTION 'login % may not take tasks in from source "%"', v_login, p_source
    USING ERRCODE = 'insufficient_privilege',
          DETAIL = format('The source''s connector login is %s.', coalesce(v_src.connector_login, 'not set')),
          HINT = 'DOMAIN §10: a source''s batches come from its connector login (a member of cqs_ingest); the personnel section of its organisation and administrators may retry its queue.';
END $$;

-- Close a batch: its counts, and the source's watermark (the latest source time of an
-- item it took in, matched or waiting).
CREATE FUNCTION cqs._ingest_close(p_batch bigint, p_malformed integer) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_source text;
  v_mark   timestamptz;
BEGIN
  UPDATE cqs.ingest_batch b
     SET inserted = x.inserted, updated = x.updated, deleted = x.deleted, waiting = x.waiting,
         errors = x.errors + p_malformed, unchanged = b.items - x.inserted - x.updated - x.deleted - x.waiting - x.errors - p_malformed
    FROM (SELECT count(*) FILTER (WHERE t.outcome = 'inserted')::integer AS inserted,
                 count(*) FILTER (WHERE t.outcome = 'updated')::integer AS updated,
                 count(*) FILTER (WHERE t.outcome = 'deleted')::integer AS deleted,
                 count(*) FILTER (WHERE t.outcome = 'waiting')::integer AS waiting,
                 count(*) FILTER (WHERE t.outcome = 'error')::integer AS errors,
                 max(t.source_updated_at) FILTER (WHERE t.status IN ('matched', 'waiting', 'cancelled')) AS mark
            FROM cqs.ingest_task t WHERE t.batch_id = p_batch) x
   WHERE b.batch_id = p_batch
  RETURNING b.source, x.mark INTO v_source, v_mark;
  IF v_mark IS NOT NULL THEN
    UPDATE cqs.ingest_source s SET watermark = greatest(s.watermark, v_mark)
     WHERE s.source = v_source AND s.watermark IS DISTINCT FROM greatest(s.watermark, v_mark);
  END IF;
END $$;

-- ---------------------------------------------------------------------------
-- The entry points.
-- ---------------------------------------------------------------------------
-- The batch, whichever format it came in (the entry points below check who sends it).
CREATE FUNCTION cqs._ingest(p_source text, batch jsonb, p_format text)
RETURNS TABLE (item_no integer, external_id text, outcome text, task_line_id bigint, sqlstate text, reason text)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
#variable_conflict use_column
DECLARE
  v_src       cqs.ingest_source;
  v_batch     bigint;
  v_malformed integer;
  v_format    text := p_format;
BEGIN
  v_src := cqs._ingest_source_for(p_source, false);
  IF batch IS NULL OR jsonb_typeof(batch) <> 'array' THEN
    RAISE EXCEPTION 'a batch is a JSON array of task objects, got %', coalesce(jsonb_typeof(batch), 'NULL')
      USING ERRCODE = 'invalid_parameter_value', HINT = 'See docs/ingest.md for the fields of an item.';
  END IF;
  PERFORM cqs._audit_reason(format('ingest from source "%s"', v_src.source));
  INSERT INTO cqs.ingest_batch (source, format, login, items)
  VALUES (v_src.source, v_format, cqs._actor_login(), jsonb_array_length(batch))
  RETURNING batch_id INTO v_batch;

  -- 1. Stage: every well-formed item, the last of each external id, keyed; an unchanged
  --    payload (or one older than the version held) is left alone.  In key order, so
  --    that two connectors sending overlapping batches wait for each other, never deadlock.
  WITH items AS (
    SELECT e.value AS j, e.ord::integer AS n FROM jsonb_array_elements(batch) WITH ORDINALITY AS e(value, ord)
  ), keyed AS (
    SELECT i.j, i.n, i.j ->> 'external_id' AS xid, cqs._ingest_instant(i.j ->> 'updated_at') AS ts
      FROM items i
     WHERE jsonb_typeof(i.j) = 'object' AND NOT i.j ? '_csv_error'
  ), last AS (
    SELECT DISTINCT ON (k.xid) k.* FROM keyed k
     WHERE k.xid IS NOT NULL AND length(k.xid) BETWEEN 1 AND 200 AND k.ts IS NOT NULL
     ORDER BY k.xid, k.n DESC
  )
  INSERT INTO cqs.ingest_task AS t (source, external_id, payload, source_updated_at, batch_id, item_no, status)
  SELECT v_src.source, l.xid, l.j, l.ts, v_batch, l.n, 'pending' FROM last l ORDER BY l.xid
  ON CONFLICT ON CONSTRAINT ingest_task_pkey DO UPDATE
     SET payload = excluded.payload, source_updated_at = excluded.source_updated_at, received_at = now(),
         batch_id = excluded.batch_id, item_no = excluded.item_no, status = 'pending', outcome = NULL
   WHERE excluded.source_updated_at >= t.source_updated_at
     AND (t.payload IS DISTINCT FROM excluded.payload OR t.status IN ('waiting', 'error'));

  -- 2. Unknown assignees and task types are put before the reviewers (never matched by name).
  INSERT INTO cqs.ingest_assignee_map AS m (source, external_assignee, seen_label)
  SELECT DISTINCT ON (t.payload ->> 'assignee') t.source, t.payload ->> 'assignee', t.payload ->> 'assignee_name'
    FROM cqs.ingest_task t
   WHERE t.batch_id = v_batch AND cqs._ingest_given(t.payload -> 'assignee')
     AND NOT EXISTS (SELECT 1 FROM cqs.ingest_assignee_map x WHERE x.source = t.source AND x.external_assignee = t.payload ->> 'assignee')
   ORDER BY t.payload ->> 'assignee'
  ON CONFLICT DO NOTHING;
  INSERT INTO cqs.ingest_type_map AS m (source, external_type, seen_label)
  SELECT DISTINCT ON (t.payload ->> 'task_type') t.source, t.payload ->> 'task_type', t.payload ->> 'task_type_name'
    FROM cqs.ingest_task t
   WHERE t.batch_id = v_batch AND cqs._ingest_given(t.payload -> 'task_type')
     AND NOT EXISTS (SELECT 1 FROM cqs.ingest_type_map x WHERE x.source = t.source AND x.external_type = t.payload ->> 'task_type')
   ORDER BY t.payload ->> 'task_type'
  ON CONFLICT DO NOTHING;

  -- 3. Match and take.
  PERFORM cqs._ingest_take(v_batch);

  -- 4. One answer per item, in batch order.
  RETURN QUERY
  WITH items AS (
    SELECT e.value AS j, e.ord::integer AS n FROM jsonb_array_elements(batch) WITH ORDINALITY AS e(value, ord)
  ), answered AS (
    SELECT i.n, i.j ->> 'external_id' AS xid, t.batch_id, t.item_no AS t_item, t.outcome AS t_outcome,
           t.task_line_id AS t_line, t.sqlstate AS t_state, t.reason AS t_reason, t.source_updated_at,
           CASE WHEN jsonb_typeof(i.j) <> 'object' THEN format('item %s is not a JSON object', i.n)
                WHEN i.j ? '_csv_error' THEN i.j ->> '_csv_error'
                WHEN NOT cqs._ingest_given(i.j -> 'external_id') OR length(i.j ->> 'external_id') > 200
                  THEN 'external_id is missing (or longer than 200 characters)'
                WHEN NOT cqs._ingest_given(i.j -> 'updated_at') THEN 'updated_at (the source''s time of the change) is missing'
                WHEN cqs._ingest_instant(i.j ->> 'updated_at') IS NULL
                  THEN format('updated_at "%s" is not an ISO 8601 time with its offset', i.j ->> 'updated_at')
           END AS malformed,
           CASE WHEN jsonb_typeof(i.j) = 'object' AND i.j ? '_csv_error' THEN '22P04' ELSE '22023' END AS malformed_state,
           cqs._ingest_instant(i.j ->> 'updated_at') AS ts
      FROM items i
      LEFT JOIN cqs.ingest_task t ON t.source = v_src.source AND t.external_id = i.j ->> 'external_id'
                                  AND jsonb_typeof(i.j) = 'object'
  )
  SELECT a.n, a.xid,
         CASE WHEN a.malformed IS NOT NULL THEN 'error'
              WHEN a.batch_id = v_batch AND a.t_item = a.n THEN a.t_outcome
              ELSE 'unchanged' END,
         CASE WHEN a.malformed IS NULL THEN a.t_line END,
         CASE WHEN a.malformed IS NOT NULL THEN a.malformed_state
              WHEN a.batch_id = v_batch AND a.t_item = a.n THEN a.t_state END,
         CASE WHEN a.malformed IS NOT NULL THEN a.malformed
              WHEN a.batch_id = v_batch AND a.t_item = a.n THEN a.t_reason
              WHEN a.batch_id = v_batch THEN format('superseded by item %s of this batch', a.t_item)
              WHEN a.ts < a.source_updated_at
                THEN format('older than the version held (updated_at %s)',
                            to_char(a.source_updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
              ELSE 'the same as the version held' END
    FROM answered a
   ORDER BY a.n;

  SELECT count(*)::integer INTO v_malformed
    FROM jsonb_array_elements(batch) AS e(j)
   WHERE jsonb_typeof(e.j) <> 'object' OR e.j ? '_csv_error' OR NOT cqs._ingest_given(e.j -> 'external_id')
      OR length(e.j ->> 'external_id') > 200 OR cqs._ingest_instant(e.j ->> 'updated_at') IS NULL;
  PERFORM cqs._ingest_close(v_batch, v_malformed);
END $$;
REVOKE EXECUTE ON FUNCTION cqs._ingest(text, jsonb, text) FROM PUBLIC;

CREATE FUNCTION cqs.ingest_tasks(source text, batch jsonb)
RETURNS TABLE (item_no integer, external_id text, outcome text, task_line_id bigint, sqlstate text, reason text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT * FROM cqs._ingest($1, $2, 'json')
$$;
COMMENT ON FUNCTION cqs.ingest_tasks(text, jsonb) IS
  'DOMAIN §10, Huế plan III.2, Art. 13, 18: take a batch of tasks from a document-management system (JSON array) into task lines, keyed by (source, external id): idempotent upsert, one answer per item (inserted, updated, unchanged, deleted, waiting, error with SQLSTATE and reason); bad items never reject good ones';

CREATE FUNCTION cqs.ingest_tasks_csv(source text, content text)
RETURNS TABLE (item_no integer, external_id text, outcome text, task_line_id bigint, sqlstate text, reason text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM cqs._ingest_source_for(ingest_tasks_csv.source, false);   -- before reading the text
  IF content IS NULL THEN
    RAISE EXCEPTION 'a CSV batch is text, got NULL' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN QUERY SELECT * FROM cqs._ingest(ingest_tasks_csv.source, cqs._ingest_csv_items(content), 'csv');
END $$;
COMMENT ON FUNCTION cqs.ingest_tasks_csv(text, text) IS
  'DOMAIN §10, Huế plan III.2: cqs.ingest_tasks for a CSV batch (header row; the columns are the JSON keys; item_no counts data records)';

-- Take the waiting items of a source again (after their mappings were reviewed), and
-- optionally those in error (after a period was reopened): one answer per item taken.
CREATE FUNCTION cqs.ingest_retry(source text, include_errors boolean DEFAULT false)
RETURNS TABLE (external_id text, outcome text, task_line_id bigint, sqlstate text, reason text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
#variable_conflict use_column
DECLARE
  v_src   cqs.ingest_source;
  v_batch bigint;
  v_n     integer;
BEGIN
  v_src := cqs._ingest_source_for(ingest_retry.source, true);
  PERFORM cqs._audit_reason(format('ingest retry of source "%s"', v_src.source));
  INSERT INTO cqs.ingest_batch (source, format, login) VALUES (v_src.source, 'retry', cqs._actor_login())
  RETURNING batch_id INTO v_batch;
  WITH taken AS (
    SELECT t.source, t.external_id FROM cqs.ingest_task t
     WHERE t.source = v_src.source
       AND (t.status = 'waiting' OR (include_errors AND t.status = 'error'))
     ORDER BY t.external_id
       FOR UPDATE
  ), numbered AS (
    SELECT k.*, row_number() OVER (ORDER BY k.external_id)::integer AS n FROM taken k
  )
  UPDATE cqs.ingest_task t SET status = 'pending', batch_id = v_batch, item_no = nb.n, outcome = NULL
    FROM numbered nb WHERE t.source = nb.source AND t.external_id = nb.external_id;
  GET DIAGNOSTICS v_n = ROW_COUNT;
  UPDATE cqs.ingest_batch b SET items = v_n WHERE b.batch_id = v_batch;
  PERFORM cqs._ingest_take(v_batch);
  PERFORM cqs._ingest_close(v_batch, 0);
  RETURN QUERY SELECT t.external_id, t.outcome, t.task_line_id, t.sqlstate, t.reason
                 FROM cqs.ingest_task t WHERE t.batch_id = v_batch ORDER BY t.item_no;
END $$;
COMMENT ON FUNCTION cqs.ingest_retry(text, boolean) IS
  'DOMAIN §10: take a source''s waiting items again once their mappings are reviewed (and those in error, e.g. after cqs.reopen_period, Art. 21.3)';

-- ---------------------------------------------------------------------------
-- What the reviewers and the connector read.
-- ---------------------------------------------------------------------------
CREATE VIEW cqs.ingest_queue AS
SELECT t.source, t.external_id, t.status, t.sqlstate, t.reason, t.received_at, t.source_updated_at, t.batch_id,
       t.payload ->> 'assignee' AS assignee, t.payload ->> 'task_type' AS task_type,
       t.payload ->> 'title' AS title, t.payload ->> 'deadline' AS deadline, t.payload
  FROM cqs.ingest_task t
 WHERE t.status IN ('waiting', 'error');
COMMENT ON VIEW cqs.ingest_queue IS
  'DOMAIN §10: the items of each source waiting for a reviewed mapping, or in error, with the reason (hàng chờ xử lý)';

CREATE VIEW cqs.ingest_unmapped AS
SELECT 'assignee'::text AS kind, m.source, m.external_assignee AS external_key, m.seen_label, m.first_seen_at,
       (SELECT count(*) FROM cqs.ingest_task t
         WHERE t.source = m.source AND t.status = 'waiting' AND t.payload ->> 'assignee' = m.external_assignee) AS items_waiting
  FROM cqs.ingest_assignee_map m WHERE m.person_id IS NULL
UNION ALL
SELECT 'task_type', m.source, m.external_type, m.seen_label, m.first_seen_at,
       (SELECT count(*) FROM cqs.ingest_task t
         WHERE t.source = m.source AND t.status = 'waiting' AND t.payload ->> 'task_type' = m.external_type)
  FROM cqs.ingest_type_map m WHERE m.item_code IS NULL;
COMMENT ON VIEW cqs.ingest_unmapped IS
  'DOMAIN §10: external assignees and task types a person must still map (never matched by name), with the items waiting on each';

CREATE VIEW cqs.ingest_provenance AS
SELECT tl.task_line_id, tl.person_id, tl.period, t.source, t.external_id, t.source_updated_at, t.received_at,
       t.batch_id, b.login AS batch_login, b.received_at AS batch_received_at, t.payload
  FROM cqs.task_line tl
  JOIN cqs.ingest_task t ON t.source = tl.external_source AND t.external_id = tl.external_id
  JOIN cqs.ingest_batch b ON b.batch_id = t.batch_id;
COMMENT ON VIEW cqs.ingest_provenance IS
  'DOMAIN §10: where each task line taken in came from: source, external id, source time, the batch and login that last changed it, the payload';
-- Layer 7b: running a city -- the national-database outbox (DOMAIN.md section 10,
-- Art. 26.1.d) and the scheduled jobs (pg_cron).
--
-- The outbox.  Every locked period result (cqs.locked_result) and every decided or
-- re-decided year grade (cqs.grade_decision) is enqueued, by a trigger on those records,
-- as an item with a version per (kind, person, period): a correction after a complaint
-- (a reopened and locked-again period) or a re-grading is a new version.  An item is due
-- 5 days after it was finalised (Art. 26.1.d: "chậm nhất 05 ngày"; calendar days).
-- Items leave in batches: a deliverer claims pending items (FOR UPDATE SKIP LOCKED, so
-- concurrent deliverers never claim one item twice and never lose one), exports the batch
-- as JSON or CSV, sends it over whatever transport the province uses (its personnel
-- software or LGSP) and acknowledges it by batch, idempotently.  The person's personal
-- identification number (số định danh cá nhân, Decree 27/2026 -- the key of the national
-- database) and the agency's code are frozen into the item when it is batched; an item
-- whose person or agency has none is held, visibly, until they are recorded.  Nothing is
-- deleted before it is acknowledged.
--
-- The jobs.  CALL cqs.run_job(name) runs one job: a session advisory lock per job (a
-- second run skips and says so in the log), a plan made at the start, one step per
-- organisation (or batch) committed on its own, a run log (cqs.job_run, cqs.job_step)
-- purged after a retention period.  cqs.schedule_jobs() puts them in pg_cron, in the
-- city's time zone.  pg_cron is never required to install or use the extension: its
-- schema is referenced only in dynamic SQL, after checking that it is there.

-- ---------------------------------------------------------------------------
-- Identification for the national database.
-- ---------------------------------------------------------------------------
-- The personal identification number (số định danh cá nhân): 12 digits, the number of the
-- citizen identity card (căn cước), unique.  Nullable: people are recorded before their
-- number is; their results wait in the outbox (held) until it is.
ALTER TABLE cqs.person ADD COLUMN personal_id_number text
  CONSTRAINT person_personal_id_number_format CHECK (personal_id_number ~ '^[0-9]{12}$'),
  ADD CONSTRAINT person_personal_id_number_key UNIQUE (personal_id_number);
COMMENT ON COLUMN cqs.person.personal_id_number IS
  'Số định danh cá nhân (12 digits): the person''s key in the national database of cadres, civil servants and public employees (Decree 27/2026, Art. 26.1.d); the outbox holds their results until it is recorded';
-- The agency's electronic identifier code (mã định danh điện tử của cơ quan, Decision
-- 20/2020/QĐ-TTg: e.g. 000.00.05.H56).  A unit without one reports under the nearest
-- organisation above it that has one.
ALTER TABLE cqs.organisation ADD COLUMN agency_code text
  CONSTRAINT organisation_agency_code_format CHECK (agency_code ~ '^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}$'),
  ADD CONSTRAINT organisation_agency_code_key UNIQUE (agency_code);
COMMENT ON COLUMN cqs.organisation.agency_code IS
  'Mã định danh điện tử của cơ quan (Decision 20/2020/QĐ-TTg, e.g. 000.00.05.H56): the agency''s code in the national database; units without one report under the nearest organisation above that has one';

-- The agency code an organisation reports under: its own, else the nearest above.
CREATE FUNCTION cqs.reporting_agency_code(organisation_id bigint) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT o.agency_code FROM cqs.organisation_closure c JOIN cqs.organisation o ON o.organisation_id = c.ancestor_id
   WHERE c.descendant_id = $1 AND o.agency_code IS NOT NULL
   ORDER BY c.distance LIMIT 1
$$;
COMMENT ON FUNCTION cqs.reporting_agency_code(bigint) IS
  'Art. 26.1.d, Decision 20/2020/QĐ-TTg: the agency code an organisation''s results are reported under (its own, else the nearest organisation above with one)';

-- ---------------------------------------------------------------------------
-- The outbox (records: dumped, kept until acknowledged).
-- ---------------------------------------------------------------------------
CREATE TABLE cqs.outbox_batch (
  batch_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  created_at       timestamptz NOT NULL DEFAULT now(),
  created_by       text NOT NULL,
  items            integer NOT NULL CONSTRAINT outbox_batch_items_positive CHECK (items > 0),
  sent_at          timestamptz,                 -- last handed to the transport
  sent_by          text,
  sends            integer NOT NULL DEFAULT 0,  -- how many times it was handed over (a resend is the same batch)
  acknowledged_at  timestamptz,
  acknowledged_by  text,
  receipt          text,                        -- the receiving system's reference
  released_at      timestamptz,                 -- given up unacknowledged: its items went back to pending
  released_by      text,
  release_reason   text,
  CONSTRAINT outbox_batch_acknowledged_or_released CHECK (acknowledged_at IS NULL OR released_at IS NULL),
  CONSTRAINT outbox_batch_acknowledged_after_sent CHECK (acknowledged_at IS NULL OR sent_at IS NOT NULL),
  CONSTRAINT outbox_batch_release_reason CHECK ((released_at IS NULL) = (release_reason IS NULL))
);
COMMENT ON TABLE cqs.outbox_batch IS
  'Art. 26.1.d: batches of the outbox handed to the transport towards the national database, with their sends, acknowledgement (receipt) or release';

CREATE TABLE cqs.outbox (
  item_id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind               text NOT NULL CONSTRAINT outbox_kind_valid CHECK (kind IN ('period_result', 'year_grade')),
  person_id          bigint NOT NULL,           -- -> cqs.person
  organisation_id    bigint NOT NULL,           -- -> cqs.organisation: where the result was given
  period_kind        text NOT NULL CONSTRAINT outbox_period_kind_valid CHECK (period_kind IN ('month', 'quarter', 'year')),
  period             date NOT NULL,             -- the first day of the month, quarter or year
  version            integer NOT NULL CONSTRAINT outbox_version_positive CHECK (version >= 1),
  total              numeric,
  grade              cqs.grade NOT NULL,
  lock_id            bigint,                    -- the source: a lock (period results) ...
  decision_id        bigint,                    -- ... or a decision (year grades)
  reference          text,                      -- the decision's reference, or the lock's reason
  finalised_at       timestamptz NOT NULL,      -- locked or decided
  due_at             timestamptz NOT NULL,      -- finalised + 5 days (Art. 26.1.d)
  enqueued_at        timestamptz NOT NULL DEFAULT now(),
  superseded_by      bigint,                    -- a later version enqueued before this one was batched
  batch_id           bigint,                    -- -> cqs.outbox_batch
  personal_id_number text,                      -- frozen when batched
  agency_code        text,                      -- frozen when batched
  CONSTRAINT outbox_version_key UNIQUE (kind, person_id, period, version),
  CONSTRAINT outbox_one_source CHECK ((lock_id IS NULL) <> (decision_id IS NULL)),
  CONSTRAINT outbox_batched_identified CHECK (batch_id IS NULL OR (personal_id_number IS NOT NULL AND agency_code IS NOT NULL))
);
CREATE INDEX outbox_pending_idx ON cqs.outbox (item_id) WHERE batch_id IS NULL AND superseded_by IS NULL;
CREATE INDEX outbox_batch_idx ON cqs.outbox (batch_id);
CREATE INDEX outbox_person_idx ON cqs.outbox (person_id, kind, period);
CREATE INDEX outbox_organisation_idx ON cqs.outbox (organisation_id, period);
COMMENT ON TABLE cqs.outbox IS
  'Art. 26.1.d, DOMAIN.md section 10: every locked period result and decided year grade to send to the national database, versioned, due 5 days after it was finalised; kept until acknowledged';

-- The content of an item and of a batch is kept as enqueued: only the outbox's own
-- functions batch, release or supersede items (the columns that record it), and nothing
-- leaves before its batch is acknowledged.
CREATE FUNCTION cqs._outbox_kept() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    RAISE EXCEPTION 'TRUNCATE on cqs.% refused: the outbox keeps everything until it is acknowledged', TG_TABLE_NAME
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Art. 26.1.d: results reach the national database; acknowledged items may be deleted one by one.';
  END IF;
  IF TG_TABLE_NAME = 'outbox' THEN
    IF TG_OP = 'UPDATE' AND (NEW.item_id, NEW.kind, NEW.person_id, NEW.organisation_id, NEW.period_kind, NEW.period,
                             NEW.version, NEW.total, NEW.grade, NEW.lock_id, NEW.decision_id, NEW.reference,
                             NEW.finalised_at, NEW.due_at, NEW.enqueued_at)
        IS NOT DISTINCT FROM (OLD.item_id, OLD.kind, OLD.person_id, OLD.organisation_id, OLD.period_kind, OLD.period,
                              OLD.version, OLD.total, OLD.grade, OLD.lock_id, OLD.decision_id, OLD.reference,
                              OLD.finalised_at, OLD.due_at, OLD.enqueued_at) THEN
      RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM cqs.outbox_batch b
                                     WHERE b.batch_id = OLD.batch_id AND b.acknowledged_at IS NOT NULL) THEN
      RETURN OLD;
    END IF;
    RAISE EXCEPTION '% of outbox item % refused: %', TG_OP, OLD.item_id,
                    CASE TG_OP WHEN 'DELETE' THEN 'it has not been acknowledged' ELSE 'an item is kept as it was enqueued' END
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Art. 26.1.d: a correction is a new version (reopen and lock the period, or re-grade); items leave after their batch is acknowledged.';
  END IF;
  -- outbox_batch
  IF TG_OP = 'DELETE' THEN
    IF OLD.acknowledged_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM cqs.outbox o WHERE o.batch_id = OLD.batch_id) THEN
      RETURN OLD;
    END IF;
    RAISE EXCEPTION 'DELETE of outbox batch % refused: it is not acknowledged, or items still name it', OLD.batch_id
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Art. 26.1.d: a batch is kept until it is acknowledged and its items are deleted.';
  END IF;
  IF (NEW.batch_id, NEW.created_at, NEW.created_by, NEW.items) IS DISTINCT FROM
     (OLD.batch_id, OLD.created_at, OLD.created_by, OLD.items)
     OR (OLD.acknowledged_at IS NOT NULL AND (NEW.acknowledged_at, NEW.receipt) IS DISTINCT FROM (OLD.acknowledged_at, OLD.receipt))
     OR (OLD.released_at IS NOT NULL AND NEW.released_at IS DISTINCT FROM OLD.released_at) THEN
    RAISE EXCEPTION 'UPDATE of outbox batch % refused: a batch is kept as it was made, acknowledged or released', OLD.batch_id
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Use cqs.outbox_acknowledge() or cqs.outbox_release().';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER outbox_kept BEFORE UPDATE OR DELETE ON cqs.outbox
  FOR EACH ROW EXECUTE FUNCTION cqs._outbox_kept();
CREATE TRIGGER outbox_no_truncate BEFORE TRUNCATE ON cqs.outbox
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._outbox_kept();
CREATE TRIGGER outbox_batch_kept BEFORE UPDATE OR DELETE ON cqs.outbox_batch
  FOR EACH ROW EXECUTE FUNCTION cqs._outbox_kept();
CREATE TRIGGER outbox_batch_no_truncate BEFORE TRUNCATE ON cqs.outbox_batch
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._outbox_kept();

-- Enqueue: new items take the next version of their (kind, person, period); older
-- versions not yet batched are superseded (the national database wants the result in
-- force; what was already sent stays sent, and the new version follows it).  Locks and
-- decisions of one person and period are serialised by their own locks (the year's
-- advisory lock; the year's row); the unique version key catches anything else (23505).
CREATE FUNCTION cqs._outbox_enqueue(items jsonb) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_n bigint;
BEGIN
  WITH n AS (
    SELECT x.*, row_number() OVER (PARTITION BY x.kind, x.person_id, x.period ORDER BY x.finalised_at) AS rn
      FROM jsonb_to_recordset(items) AS x(kind text, person_id bigint, organisation_id bigint, period_kind text,
                                          period date, total numeric, grade cqs.grade, lock_id bigint,
                                          decision_id bigint, reference text, finalised_at timestamptz)
  ), ins AS (
    INSERT INTO cqs.outbox (kind, person_id, organisation_id, period_kind, period, version, total, grade, lock_id,
                            decision_id, reference, finalised_at, due_at)
    SELECT n.kind, n.person_id, n.organisation_id, n.period_kind, n.period,
           coalesce((SELECT max(o.version) FROM cqs.outbox o
                      WHERE o.kind = n.kind AND o.person_id = n.person_id AND o.period = n.period), 0) + n.rn,
           n.total, n.grade, n.lock_id, n.decision_id, n.reference, n.finalised_at, n.finalised_at + interval '5 days'
      FROM n
    RETURNING 1
  )
  SELECT count(*) INTO v_n FROM ins;
  -- Every older version of what was enqueued, not yet batched, is superseded.
  UPDATE cqs.outbox o SET superseded_by = l.item_id
    FROM (SELECT DISTINCT ON (x.kind, x.person_id, x.period) x.kind, x.person_id, x.period, x.item_id, x.version
            FROM cqs.outbox x
           WHERE (x.kind, x.person_id, x.period) IN (SELECT y->>'kind', (y->>'person_id')::bigint, (y->>'period')::date
                                                       FROM jsonb_array_elements(items) y)
           ORDER BY x.kind, x.person_id, x.period, x.version DESC) l
   WHERE o.kind = l.kind AND o.person_id = l.person_id AND o.period = l.period AND o.version < l.version
     AND o.batch_id IS NULL AND o.superseded_by IS NULL;
  RETURN v_n;
END $$;
COMMENT ON FUNCTION cqs._outbox_enqueue(jsonb) IS
  'Art. 26.1.d: enqueue results for the national database with the next version of each (kind, person, period), due 5 days after finalisation; older unbatched versions are superseded';

-- Locked results (Art. 16-17): enqueued when the lock is made.  A person locked without
-- an assessment has no result to report (no total, no grade): nothing is sent.  A
-- superuser's COPY (a restore) loads the outbox as it was and enqueues nothing.
CREATE FUNCTION cqs._outbox_from_locks() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF cqs._loading_records() THEN
    RETURN NULL;
  END IF;
  PERFORM cqs._outbox_enqueue(coalesce(jsonb_agg(jsonb_build_object(
            'kind', 'period_result', 'person_id', r.person_id, 'organisation_id', r.organisation_id,
            'period_kind', r.period_kind, 'period', r.period, 'total', r.total, 'grade', r.grade,
            'lock_id', r.lock_id, 'reference', l.reason, 'finalised_at', l.locked_at)), '[]'))
     FROM new_rows r JOIN cqs.period_lock l ON l.lock_id = r.lock_id
    WHERE r.grade IS NOT NULL;
  RETURN NULL;
END $$;
CREATE TRIGGER locked_result_outbox AFTER INSERT ON cqs.locked_result REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._outbox_from_locks();

-- Decisions and re-gradings (Art. 21, 21.3): each is a version of the person's year.
CREATE FUNCTION cqs._outbox_from_decisions() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF cqs._loading_records() THEN
    RETURN NULL;
  END IF;
  PERFORM cqs._outbox_enqueue(coalesce(jsonb_agg(jsonb_build_object(
            'kind', 'year_grade', 'person_id', d.person_id, 'organisation_id', d.organisation_id,
            'period_kind', 'year', 'period', make_date(d.year, 1, 1), 'total', y.mean_total, 'grade', d.grade,
            'decision_id', d.decision_id, 'reference', d.reference, 'finalised_at', d.decided_at)
            ORDER BY d.decision_id), '[]'))
     FROM new_rows d LEFT JOIN cqs.year_result y ON y.person_id = d.person_id AND y.year = d.year;
  RETURN NULL;
END $$;
CREATE TRIGGER grade_decision_outbox AFTER INSERT ON cqs.grade_decision REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._outbox_from_decisions();

-- Why an item cannot leave yet (NULL: it can).  Art. 30 of Decree 27/2026: data are
-- checked before they are sent.
CREATE FUNCTION cqs._outbox_problem(person_id bigint, organisation_id bigint) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT concat_ws('; ',
           CASE WHEN (SELECT p.personal_id_number FROM cqs.person p WHERE p.person_id = $1) IS NULL
                THEN format('person %s has no personal identification number (số định danh cá nhân)', $1) END,
           CASE WHEN cqs.reporting_agency_code($2) IS NULL
                THEN format('organisation %s and those above it have no agency code (mã định danh cơ quan)', $2) END)
$$;
COMMENT ON FUNCTION cqs._outbox_problem(bigint, bigint) IS 'Decree 27/2026 Art. 30 (data checked before sending): why an outbox item cannot leave yet (no personal identification number, no agency code), empty when it can';

-- Claim pending items into a new batch (FOR UPDATE SKIP LOCKED: concurrent claims take
-- disjoint items; an item locked by a concurrent claim or enqueue is left to it).
-- Held items (no identification number or agency code) are skipped.  Returns the batch,
-- or NULL when nothing is pending.
CREATE FUNCTION cqs._outbox_claim(max_items integer, mark_sent boolean) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_ids   bigint[];
  v_batch bigint;
BEGIN
  IF max_items IS NULL OR max_items NOT BETWEEN 1 AND 100000 THEN
    RAISE EXCEPTION 'max_items must be between 1 and 100000, got %', coalesce(max_items::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value', HINT = 'A batch is one document: 1,000 to 10,000 items travel well.';
  END IF;
  SELECT array_agg(c.item_id ORDER BY c.item_id) INTO v_ids FROM (
    SELECT o.item_id FROM cqs.outbox o
      JOIN cqs.person p ON p.person_id = o.person_id
     WHERE o.batch_id IS NULL AND o.superseded_by IS NULL AND p.personal_id_number IS NOT NULL
       AND cqs.reporting_agency_code(o.organisation_id) IS NOT NULL
     ORDER BY o.item_id LIMIT max_items
       FOR UPDATE OF o SKIP LOCKED) c;
  IF v_ids IS NULL THEN
    RETURN NULL;
  END IF;
  INSERT INTO cqs.outbox_batch (created_by, items, sent_at, sent_by, sends)
  VALUES (cqs._actor_login(), cardinality(v_ids), CASE WHEN mark_sent THEN now() END,
          CASE WHEN mark_sent THEN cqs._actor_login() END, CASE WHEN mark_sent THEN 1 ELSE 0 END)
  RETURNING batch_id INTO v_batch;
  UPDATE cqs.outbox o SET batch_id = v_batch, personal_id_number = p.personal_id_number,
                          agency_code = cqs.reporting_agency_code(o.organisation_id)
    FROM cqs.person p
   WHERE o.item_id = ANY (v_ids) AND p.person_id = o.person_id;
  RETURN v_batch;
END $$;
COMMENT ON FUNCTION cqs._outbox_claim(integer, boolean) IS
  'Art. 26.1.d: claim up to max_items pending items into a new batch (FOR UPDATE SKIP LOCKED), freezing the identification number and agency code';

-- Batches ready for the transport, without handing them over (the deliver job).
CREATE FUNCTION cqs.outbox_prepare(max_items integer DEFAULT 1000) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
RETURN cqs._outbox_claim(max_items, false);
COMMENT ON FUNCTION cqs.outbox_prepare(integer) IS
  'Art. 26.1.d: put up to max_items pending items into a new batch ready for the transport (NULL when nothing is pending)';

-- The transport's call: the next batch to send -- a prepared one, else one sent but not
-- acknowledged for longer than resend_after (the same batch again: sends are
-- idempotent by batch and item version), else a new one.  Concurrent transports get
-- different batches.  NULL when there is nothing to send.
CREATE FUNCTION cqs.outbox_next_batch(max_items integer DEFAULT 1000, resend_after interval DEFAULT '1 day')
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_batch bigint;
BEGIN
  IF resend_after IS NULL OR resend_after < interval '1 minute' THEN
    RAISE EXCEPTION 'resend_after must be at least 1 minute, got %', coalesce(resend_after::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Give the receiving system the time to acknowledge a batch before it is sent again.';
  END IF;
  SELECT b.batch_id INTO v_batch FROM cqs.outbox_batch b
   WHERE b.acknowledged_at IS NULL AND b.released_at IS NULL
     AND (b.sent_at IS NULL OR b.sent_at < now() - resend_after)
   ORDER BY b.sent_at NULLS FIRST, b.batch_id LIMIT 1
     FOR UPDATE SKIP LOCKED;
  IF FOUND THEN
    UPDATE cqs.outbox_batch b SET sent_at = now(), sent_by = cqs._actor_login(), sends = b.sends + 1
     WHERE b.batch_id = v_batch;
    RETURN v_batch;
  END IF;
  RETURN cqs._outbox_claim(max_items, true);
END $$;
COMMENT ON FUNCTION cqs.outbox_next_batch(integer, interval) IS
  'Art. 26.1.d: the next batch for the transport to send (a prepared one, one unacknowledged for longer than resend_after, or a new one of up to max_items); concurrent callers never get the same one';

CREATE FUNCTION cqs._outbox_batch_row(batch_id bigint) RETURNS cqs.outbox_batch
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v cqs.outbox_batch;
BEGIN
  SELECT * INTO v FROM cqs.outbox_batch b WHERE b.batch_id = $1;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no outbox batch %', coalesce($1::text, 'NULL') USING ERRCODE = 'invalid_parameter_value',
      HINT = 'SELECT * FROM cqs.outbox_batch lists the batches.';
  END IF;
  RETURN v;
END $$;
COMMENT ON FUNCTION cqs._outbox_batch_row(bigint) IS 'Art. 26.1.d: an outbox batch, or 22023 naming the batch that does not exist';

-- The items of a batch as exported (JSON and CSV read the same rows, in item order).
CREATE FUNCTION cqs._outbox_items(batch_id bigint)
RETURNS TABLE (item_id bigint, kind text, version integer, replaces_version integer, personal_id_number text,
               personnel_id text, full_name text, agency_code text, period_kind text, period_start date,
               period_end date, year integer, total text, grade cqs.grade, grade_label text, reference text,
               finalised_at timestamptz, due_at timestamptz)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT o.item_id, o.kind, o.version, CASE WHEN o.version > 1 THEN o.version - 1 END, o.personal_id_number,
         p.personnel_id, p.full_name, o.agency_code, o.period_kind, o.period,
         CASE o.period_kind WHEN 'year' THEN make_date(extract(year FROM o.period)::integer, 12, 31)
                            ELSE cqs.period_end(o.period, o.period_kind) - 1 END,
         extract(year FROM o.period)::integer,
         o.total::text, o.grade, cqs.grade_label(o.grade), o.reference, o.finalised_at, o.due_at
    FROM cqs.outbox o JOIN cqs.person p ON p.person_id = o.person_id
   WHERE o.batch_id = $1
   ORDER BY o.item_id
$$;
COMMENT ON FUNCTION cqs._outbox_items(bigint) IS 'Art. 26.1.d: the items of a batch as exported, in item order (what the JSON and CSV exports read)';

-- A batch as one JSON document (schema "cqs_eval.outbox", schema_version 1; README).
-- Built from the items as frozen when batched: exporting a batch again gives the same
-- document.
CREATE FUNCTION cqs.outbox_json(batch_id bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v cqs.outbox_batch := cqs._outbox_batch_row(batch_id);
BEGIN
  RETURN jsonb_build_object(
    'schema', 'cqs_eval.outbox', 'schema_version', 1,
    'batch_id', v.batch_id, 'created_at', v.created_at, 'item_count', v.items,
    'sender', jsonb_build_object('system', 'cqs_eval', 'version', cqs._extension_version(),
                                 'database', current_database()),
    'items', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                'item_id', i.item_id, 'kind', i.kind, 'version', i.version, 'replaces_version', i.replaces_version,
                'personal_id_number', i.personal_id_number, 'personnel_id', i.personnel_id, 'full_name', i.full_name,
                'agency_code', i.agency_code,
                'period', jsonb_build_object('kind', i.period_kind, 'start', i.period_start, 'end', i.period_end,
                                             'year', i.year),
                'total', i.total, 'grade', i.grade, 'grade_label', i.grade_label, 'reference', i.reference,
                'finalised_at', i.finalised_at, 'due_at', i.due_at) ORDER BY i.item_id), '[]')
                FROM cqs._outbox_items(v.batch_id) i));
END $$;
COMMENT ON FUNCTION cqs.outbox_json(bigint) IS
  'Art. 26.1.d: a batch of the outbox as one JSON document (schema cqs_eval.outbox, schema_version 1), the same every time it is exported';

-- The same rows as CSV (RFC 4180, UTF-8, header first; totals with their recorded
-- decimals, a point as the decimal mark): for transports that take files.
CREATE FUNCTION cqs.outbox_csv(batch_id bigint) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v cqs.outbox_batch := cqs._outbox_batch_row(batch_id);
BEGIN
  RETURN 'schema_version,batch_id,item_id,kind,version,replaces_version,personal_id_number,personnel_id,full_name,'
         'agency_code,period_kind,period_start,period_end,year,total,grade,grade_label,reference,finalised_at,due_at'
         || E'\r\n' ||
         coalesce((SELECT string_agg(concat_ws(',', '1', v.batch_id, i.item_id, i.kind, i.version,
                                               coalesce(i.replaces_version::text, ''),
                                               cqs._csv_field(i.personal_id_number), cqs._csv_field(i.personnel_id),
                                               cqs._csv_field(i.full_name), cqs._csv_field(i.agency_code), i.period_kind,
                                               i.period_start, i.period_end, i.year, coalesce(i.total, ''), i.grade,
                                               cqs._csv_field(i.grade_label), cqs._csv_field(i.reference),
                                               to_char(i.finalised_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                                               to_char(i.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
                                     E'\r\n' ORDER BY i.item_id) || E'\r\n'
                     FROM cqs._outbox_items(v.batch_id) i), '');
END $$;
COMMENT ON FUNCTION cqs.outbox_csv(bigint) IS
  'Art. 26.1.d: a batch of the outbox as CSV (RFC 4180, UTF-8, header row, schema_version 1, instants in UTC)';

-- (cqs._csv_field, the field writer, is shared with the exports: 77_exports.sql.)

-- Acknowledgement by batch, idempotent: acknowledging an acknowledged batch again (with
-- the same receipt, or none) changes nothing and returns when it was acknowledged.
CREATE FUNCTION cqs.outbox_acknowledge(batch_id bigint, receipt text DEFAULT NULL) RETURNS timestamptz
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v cqs.outbox_batch;
BEGIN
  PERFORM cqs._outbox_batch_row(outbox_acknowledge.batch_id);
  SELECT * INTO v FROM cqs.outbox_batch b WHERE b.batch_id = outbox_acknowledge.batch_id FOR UPDATE;
  IF v.acknowledged_at IS NOT NULL THEN
    IF outbox_acknowledge.receipt IS NOT NULL AND v.receipt IS DISTINCT FROM outbox_acknowledge.receipt THEN
      RAISE EXCEPTION 'outbox batch % was acknowledged with receipt "%", not "%"', v.batch_id,
                      coalesce(v.receipt, ''), outbox_acknowledge.receipt
        USING ERRCODE = 'object_not_in_prerequisite_state',
              HINT = 'An acknowledgement is recorded once; check which batch the receipt belongs to.';
    END IF;
    RETURN v.acknowledged_at;
  END IF;
  IF v.released_at IS NOT NULL THEN
    RAISE EXCEPTION 'outbox batch % was released at %: its items were batched again', v.batch_id, v.released_at
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Acknowledge the batch the items were sent in again (cqs.outbox_status shows it).';
  END IF;
  IF v.sent_at IS NULL THEN
    RAISE EXCEPTION 'outbox batch % was never sent', v.batch_id
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'A transport takes it with cqs.outbox_next_batch().';
  END IF;
  UPDATE cqs.outbox_batch b SET acknowledged_at = now(), acknowledged_by = cqs._actor_login(),
                                receipt = outbox_acknowledge.receipt
   WHERE b.batch_id = v.batch_id;
  RETURN now();
END $$;
COMMENT ON FUNCTION cqs.outbox_acknowledge(bigint, text) IS
  'Art. 26.1.d: record that the national database (through the province''s transport) received a batch; idempotent';

-- Give up a batch that was never acknowledged: its items go back to pending (into a new
-- batch next time); the batch stays on record with the reason.
CREATE FUNCTION cqs.outbox_release(batch_id bigint, reason text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v   cqs.outbox_batch;
  v_n integer;
BEGIN
  IF reason IS NULL OR length(btrim(reason)) = 0 THEN
    RAISE EXCEPTION 'releasing outbox batch % needs a reason', coalesce(batch_id::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Say why (the receiving system rejected it, the file was lost).';
  END IF;
  PERFORM cqs._outbox_batch_row(outbox_release.batch_id);
  SELECT * INTO v FROM cqs.outbox_batch b WHERE b.batch_id = outbox_release.batch_id FOR UPDATE;
  IF v.acknowledged_at IS NOT NULL OR v.released_at IS NOT NULL THEN
    RAISE EXCEPTION 'outbox batch % is already %', v.batch_id,
                    CASE WHEN v.acknowledged_at IS NOT NULL THEN 'acknowledged' ELSE 'released' END
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Only an unacknowledged batch is released.';
  END IF;
  UPDATE cqs.outbox_batch b SET released_at = now(), released_by = cqs._actor_login(), release_reason = reason
   WHERE b.batch_id = v.batch_id;
  UPDATE cqs.outbox o SET batch_id = NULL, personal_id_number = NULL, agency_code = NULL WHERE o.batch_id = v.batch_id;
  GET DIAGNOSTICS v_n = ROW_COUNT;
  RETURN v_n;
END $$;
COMMENT ON FUNCTION cqs.outbox_release(bigint, text) IS
  'Art. 26.1.d: give up an unacknowledged batch with a reason; its items return to pending, the batch stays on record';

-- What is pending, held, batched, sent, acknowledged (or superseded), and what is late
-- against the 5 days: received (acknowledged) after its due time, or not yet and past it.
CREATE VIEW cqs.outbox_status AS
SELECT o.item_id, o.kind, o.person_id, p.personnel_id, o.organisation_id,
       coalesce(o.agency_code, cqs.reporting_agency_code(o.organisation_id)) AS agency_code,
       o.period_kind, o.period, o.version, o.total, o.grade, o.reference, o.finalised_at, o.due_at,
       o.batch_id, b.sent_at, b.acknowledged_at, b.receipt,
       CASE WHEN b.acknowledged_at IS NOT NULL THEN 'acknowledged'
            WHEN b.sent_at IS NOT NULL THEN 'sent'
            WHEN o.batch_id IS NOT NULL THEN 'batched'
            WHEN o.superseded_by IS NOT NULL THEN 'superseded'
            WHEN cqs._outbox_problem(o.person_id, o.organisation_id) <> '' THEN 'held'
            ELSE 'pending' END AS status,
       o.superseded_by IS NULL AND coalesce(b.acknowledged_at, now()) > o.due_at AS late,
       cqs.localize(CASE WHEN o.batch_id IS NULL AND o.superseded_by IS NULL
                         THEN nullif(cqs._outbox_problem(o.person_id, o.organisation_id), '') END) AS problem,
       -- the problem as written (English); problem is in the session's language (cqs.language)
       CASE WHEN o.batch_id IS NULL AND o.superseded_by IS NULL
            THEN nullif(cqs._outbox_problem(o.person_id, o.organisation_id), '') END AS problem_en
  FROM cqs.outbox o
  LEFT JOIN cqs.outbox_batch b ON b.batch_id = o.batch_id
  LEFT JOIN cqs.person p ON p.person_id = o.person_id;
COMMENT ON VIEW cqs.outbox_status IS
  'Art. 26.1.d: every outbox item with its status (pending, held with the problem, batched, sent, acknowledged, superseded) and whether it is late against the 5 days; the problem in the session''s language (cqs.language, Vietnamese by default), problem_en as written (English)';

-- ---------------------------------------------------------------------------
-- Jobs: the run log (records: dumped; purged by the purge_logs job after the retention
-- period, cqs.job_log_retention, default 90 days).
-- ---------------------------------------------------------------------------
CREATE TABLE cqs.job_run (
  run_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job           text NOT NULL,
  started_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at   timestamptz,
  status        text NOT NULL CONSTRAINT job_run_status_valid
                CHECK (status IN ('running', 'ok', 'failed', 'skipped', 'interrupted')),
  login         text NOT NULL,
  pid           integer NOT NULL DEFAULT pg_backend_pid(),
  plan          jsonb,                     -- the steps decided at the start (organisations and periods, a year)
  steps         integer NOT NULL DEFAULT 0,
  failed_steps  integer NOT NULL DEFAULT 0,
  rows          bigint NOT NULL DEFAULT 0,
  message       text,
  hint          text
);
CREATE INDEX job_run_job_idx ON cqs.job_run (job, started_at);
CREATE INDEX job_run_started_idx ON cqs.job_run (started_at);
COMMENT ON TABLE cqs.job_run IS
  'The scheduled jobs'' run log: job, started, finished, ok / failed / skipped / interrupted, rows, message (no personal data)';

CREATE TABLE cqs.job_step (
  run_id          bigint NOT NULL,         -- -> cqs.job_run
  step_no         integer NOT NULL,
  at              timestamptz NOT NULL DEFAULT clock_timestamp(),
  organisation_id bigint,
  period          date,
  outcome         text NOT NULL CONSTRAINT job_step_outcome_valid
                  CHECK (outcome IN ('ok', 'locked', 'blocked', 'nothing', 'failed', 'reported')),
  rows            bigint NOT NULL DEFAULT 0,
  message         text,
  hint            text,
  PRIMARY KEY (run_id, step_no)
);
COMMENT ON TABLE cqs.job_step IS
  'Each committed step of a job run: the organisation and period (or batch), the outcome (locked, blocked and why, failed, reported), rows';

CREATE VIEW cqs.job_runs AS
SELECT r.run_id, r.job,
       CASE WHEN r.status = 'running' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a WHERE a.pid = r.pid)
            THEN 'interrupted' ELSE r.status END AS status,
       r.started_at, r.finished_at, coalesce(r.finished_at, clock_timestamp()) - r.started_at AS duration,
       r.steps, r.failed_steps, r.rows, r.message, r.hint, r.login, r.pid
  FROM cqs.job_run r;
COMMENT ON VIEW cqs.job_runs IS
  'What ran and what failed: every job run with its status (a run whose session is gone shows interrupted), duration, steps, rows and message';

-- The jobs, their default schedules (in the city's time zone) and what they do.
CREATE FUNCTION cqs._jobs()
RETURNS TABLE (job text, job_name text, local_schedule text, description text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  VALUES ('refresh_queue', 'cqs-refresh-queue', '* * * * *',
          'drain the refresh queue and rebuild stale months (async mode), a batch per transaction'),
         ('close_months', 'cqs-close-months', '30 23 * * *',
          'lock each period whose confirmation deadline has passed (the agency''s confirmation_due_day), one organisation and period per transaction; report what blocks a lock'),
         ('grade_year', 'cqs-grade-year', '0 22 * 11,12,1 *',
          'grade the year in the run-up to the deadline (14/12; in January the previous year, when special units exist)'),
         ('deliver_outbox', 'cqs-deliver-outbox', '*/10 * * * *',
          'put pending outbox items into batches ready for the transport, a batch per transaction'),
         ('overdue', 'cqs-overdue', '0 7 * * 1-5',
          'count overdue work per using agency (cqs.overdue) into the run log'),
         ('purge_logs', 'cqs-purge-logs', '15 23 * * 0',
          'delete job runs older than cqs.job_log_retention (default 90 days)')
$$;
COMMENT ON FUNCTION cqs._jobs() IS 'The jobs cqs.run_job() knows, their pg_cron names, default local schedules and purpose';

-- A five-field cron schedule moved from one time zone to another by the zones' current
-- offsets (pg_cron before 1.5 runs schedules in GMT).  Refused (22023) where the move
-- cannot be exact: a day that wraps into the previous or next month with restricted
-- months or days of the month, hours that wrap differently, steps across an offset that
-- is not a whole number of hours.
CREATE FUNCTION cqs.cron_schedule_in_zone(schedule text, from_zone text, to_zone text DEFAULT 'GMT') RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  f       text[];
  v_off   integer;               -- minutes to subtract: from_zone's offset minus to_zone's
  v_mins  integer[];
  v_hours integer[];
  v_carry integer;
  v_c     integer;
  v_x     integer;
  v_out   text[];
  v_hint  text := 'Choose a local time that stays on the same day in the target zone (in Việt Nam: 07:00-23:59 for GMT), or unrestricted days and months.';
BEGIN
  IF from_zone IS NULL OR NOT EXISTS (SELECT 1 FROM pg_timezone_names z WHERE z.name = from_zone) THEN
    RAISE EXCEPTION 'unknown time zone "%"', coalesce(from_zone, 'NULL') USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Use a name from pg_timezone_names, e.g. Asia/Ho_Chi_Minh.';
  END IF;
  IF to_zone IS NULL OR NOT EXISTS (SELECT 1 FROM pg_timezone_names z WHERE z.name = to_zone) THEN
    RAISE EXCEPTION 'unknown time zone "%"', coalesce(to_zone, 'NULL') USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Use a name from pg_timezone_names, e.g. GMT.';
  END IF;
  f := regexp_split_to_array(btrim(coalesce(schedule, '')), '\s+');
  IF cardinality(f) <> 5 OR EXISTS (SELECT 1 FROM unnest(f) x WHERE x !~ '^(\*|\*/[0-9]+|[0-9]+(-[0-9]+)?(/[0-9]+)?(,[0-9]+(-[0-9]+)?(/[0-9]+)?)*)$') THEN
    RAISE EXCEPTION 'schedule "%" is not five cron fields (minute hour day month weekday)', coalesce(schedule, 'NULL')
      USING ERRCODE = 'invalid_parameter_value', HINT = 'For example ''30 23 * * *'': every day at 23:30.';
  END IF;
  SELECT (extract(epoch FROM a.utc_offset) - extract(epoch FROM b.utc_offset))::integer / 60 INTO v_off
    FROM pg_timezone_names a, pg_timezone_names b WHERE a.name = from_zone AND b.name = to_zone;
  IF v_off = 0 THEN
    RETURN array_to_string(f, ' ');
  END IF;
  -- Every minute, or every n minutes, of every day is the same everywhere (n dividing the offset).
  IF f[1] ~ '^\*' AND f[2] = '*' AND f[3] = '*' AND f[4] = '*' AND f[5] = '*'
     AND (f[1] = '*' OR v_off % substr(f[1], 3)::integer = 0) THEN
    RETURN array_to_string(f, ' ');
  END IF;
  -- Minutes.
  IF f[1] ~ '^\*' THEN
    IF v_off % 60 <> 0 THEN
      RAISE EXCEPTION 'schedule "%" cannot move by % minutes: its minute field is "%"', schedule, v_off, f[1]
        USING ERRCODE = 'invalid_parameter_value', HINT = 'Give the minutes as numbers.';
    END IF;
    v_carry := 0;
  ELSIF f[1] ~ '^[0-9]+(,[0-9]+)*$' THEN
    v_mins := string_to_array(f[1], ',')::integer[];
    IF EXISTS (SELECT 1 FROM unnest(v_mins) m WHERE m > 59) THEN
      RAISE EXCEPTION 'schedule "%": minute % is out of range', schedule, f[1] USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT min(floor((m - v_off % 60)::numeric / 60)), max(floor((m - v_off % 60)::numeric / 60))
      INTO v_carry, v_c FROM unnest(v_mins) m;
    IF v_carry <> v_c THEN
      RAISE EXCEPTION 'schedule "%" cannot move by % minutes: its minutes fall in different hours', schedule, v_off
        USING ERRCODE = 'invalid_parameter_value', HINT = 'Schedule such minutes as separate jobs.';
    END IF;
    f[1] := (SELECT string_agg(((m - v_off % 60) % 60 + 60) % 60 || '', ',' ORDER BY ((m - v_off % 60) % 60 + 60) % 60)
               FROM unnest(v_mins) m);
  ELSE
    RAISE EXCEPTION 'schedule "%" cannot move between time zones: its minute field is "%"', schedule, f[1]
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Give the minutes as numbers or *.';
  END IF;
  -- Hours (and the day they wrap into).
  v_x := v_off / 60 - v_carry;     -- hours to subtract
  v_x := CASE WHEN v_off < 0 AND v_off % 60 <> 0 THEN (v_off - 59) / 60 - v_carry ELSE v_x END;
  IF f[2] ~ '^\*' THEN
    IF f[2] <> '*' AND v_x % (substr(f[2], 3)::integer) <> 0 THEN
      RAISE EXCEPTION 'schedule "%" cannot move by % minutes: its hour field is "%"', schedule, v_off, f[2]
        USING ERRCODE = 'invalid_parameter_value', HINT = 'Give the hours as numbers.';
    END IF;
    RETURN array_to_string(f, ' ');
  ELSIF f[2] ~ '^[0-9]+(,[0-9]+)*$' THEN
    v_hours := string_to_array(f[2], ',')::integer[];
    IF EXISTS (SELECT 1 FROM unnest(v_hours) h WHERE h > 23) THEN
      RAISE EXCEPTION 'schedule "%": hour % is out of range', schedule, f[2] USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT min(floor((h - v_x)::numeric / 24)), max(floor((h - v_x)::numeric / 24)) INTO v_carry, v_c FROM unnest(v_hours) h;
    IF v_carry <> v_c THEN
      RAISE EXCEPTION 'schedule "%" cannot move between time zones: its hours fall on different days there', schedule
        USING ERRCODE = 'invalid_parameter_value', HINT = v_hint;
    END IF;
    f[2] := (SELECT string_agg((((h - v_x) % 24 + 24) % 24)::text, ',' ORDER BY ((h - v_x) % 24 + 24) % 24)
               FROM unnest(v_hours) h);
  ELSE
    RAISE EXCEPTION 'schedule "%" cannot move between time zones: its hour field is "%"', schedule, f[2]
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Give the hours as numbers or *.';
  END IF;
  IF v_carry = 0 THEN
    RETURN array_to_string(f, ' ');
  END IF;
  -- The day moves by v_carry (-1 or +1).
  IF f[4] <> '*' AND f[3] = '*' AND f[5] = '*' THEN
    RAISE EXCEPTION 'schedule "%" cannot move between time zones exactly: its months start and end on another day there', schedule
      USING ERRCODE = 'invalid_parameter_value', HINT = v_hint;
  END IF;
  IF f[3] <> '*' THEN
    IF f[3] !~ '^[0-9]+(,[0-9]+)*$'
       OR EXISTS (SELECT 1 FROM unnest(string_to_array(f[3], ',')::integer[]) d WHERE d + v_carry NOT BETWEEN 1 AND 28) THEN
      RAISE EXCEPTION 'schedule "%" cannot move between time zones exactly: day of month "%" moves out of every month', schedule, f[3]
        USING ERRCODE = 'invalid_parameter_value', HINT = v_hint;
    END IF;
    f[3] := (SELECT string_agg((d + v_carry)::text, ',' ORDER BY d) FROM unnest(string_to_array(f[3], ',')::integer[]) d);
  END IF;
  IF f[5] <> '*' THEN
    f[5] := (SELECT string_agg(DISTINCT ((((d % 7) + v_carry) % 7 + 7) % 7)::text, ',')
               FROM unnest(string_to_array(f[5], ',')) AS part,
                    LATERAL generate_series(split_part(part, '-', 1)::integer,
                                            coalesce(nullif(split_part(part, '-', 2), ''), split_part(part, '-', 1))::integer) d);
  END IF;
  RETURN array_to_string(f, ' ');
END $$;
COMMENT ON FUNCTION cqs.cron_schedule_in_zone(text, text, text) IS
  'A cron schedule written in one time zone, as the same moments in another (pg_cron before 1.5 runs in GMT); 22023 where it cannot be exact';

-- The time zone pg_cron runs its schedules in: cron.timezone (pg_cron 1.5 and later), else
-- GMT (Debian 12's pg_cron 1.4 has no time-zone support).  Owner's rights: pg_cron's
-- settings may be readable by superusers only.
CREATE FUNCTION cqs._cron_time_zone() RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RETURN coalesce(nullif(current_setting('cron.timezone', true), ''), 'GMT');
END $$;
COMMENT ON FUNCTION cqs._cron_time_zone() IS
  'The time zone pg_cron runs schedules in: cron.timezone (pg_cron 1.5+), else GMT (pg_cron 1.4, Debian 12)';

-- What cqs.schedule_jobs() would schedule: each job's name, its schedule in the city's
-- zone and in pg_cron's, the command, and the statement to run in pg_cron's database
-- when that is another one.
CREATE FUNCTION cqs.job_definitions(time_zone text DEFAULT 'Asia/Ho_Chi_Minh', schedules jsonb DEFAULT NULL)
RETURNS TABLE (job text, job_name text, local_schedule text, cron_schedule text, cron_time_zone text, command text,
               description text, statement text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_cron_zone text := cqs._cron_time_zone();
  v_bad       text;
BEGIN
  IF schedules IS NOT NULL AND jsonb_typeof(schedules) <> 'object' THEN
    RAISE EXCEPTION 'schedules must be a JSON object {"job": "cron schedule" or null}, got %', schedules
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT string_agg(k, ', ') INTO v_bad FROM jsonb_object_keys(coalesce(schedules, '{}')) k
   WHERE k NOT IN (SELECT j.job FROM cqs._jobs() j);
  IF v_bad IS NOT NULL THEN
    RAISE EXCEPTION 'unknown job(s) %', v_bad USING ERRCODE = 'invalid_parameter_value',
      HINT = 'The jobs are ' || (SELECT string_agg(j.job, ', ') FROM cqs._jobs() j) || '.';
  END IF;
  RETURN QUERY
  SELECT j.job, j.job_name, s.local, cqs.cron_schedule_in_zone(s.local, time_zone, v_cron_zone), v_cron_zone,
         format('CALL cqs.run_job(%L)', j.job), j.description,
         format('SELECT cron.schedule_in_database(%L, %L, %L, %L, %L);', j.job_name,
                cqs.cron_schedule_in_zone(s.local, time_zone, v_cron_zone), format('CALL cqs.run_job(%L)', j.job),
                current_database(), current_user)
    FROM cqs._jobs() j
    CROSS JOIN LATERAL (SELECT CASE WHEN schedules ? j.job THEN schedules->>j.job ELSE j.local_schedule END AS local) s
   WHERE s.local IS NOT NULL;
END $$;
COMMENT ON FUNCTION cqs.job_definitions(text, jsonb) IS
  'The jobs to schedule: name, schedule in the city''s time zone and in pg_cron''s (GMT before pg_cron 1.5), command, and the cron.schedule_in_database statement for a pg_cron living in another database';

-- Is pg_cron usable from here by a role?  NULL, or the problem and what to do about it.
-- Owner's rights: pg_cron's settings are readable by superusers only.
CREATE FUNCTION cqs._cron_problem(role_name name, OUT problem text, OUT hint text, OUT state text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_db     text := current_setting('cron.database_name', true);
  v_bgw    text := current_setting('cron.use_background_workers', true);
  v_host   text := current_setting('cron.host', true);
  v_listen text := current_setting('listen_addresses');
  v_socket text := split_part(current_setting('unix_socket_directories'), ',', 1);
BEGIN
  state := 'object_not_in_prerequisite_state';
  IF NOT EXISTS (SELECT 1 FROM pg_available_extensions e WHERE e.name = 'pg_cron') THEN
    problem := 'pg_cron is not installed on this server';
    hint := 'Install it (Debian: apt-get install postgresql-15-cron), then preload it: ALTER SYSTEM SET shared_preload_libraries = ''pg_cron''; ALTER SYSTEM SET cron.database_name = '''
            || current_database() || '''; and restart the server.';
  ELSIF v_db IS NULL THEN
    problem := 'pg_cron is installed but not loaded (it is not in shared_preload_libraries)';
    hint := 'ALTER SYSTEM SET shared_preload_libraries = ''pg_cron''; ALTER SYSTEM SET cron.database_name = '''
            || current_database() || '''; then restart the server and CREATE EXTENSION pg_cron in ' || current_database() || '.';
  ELSIF v_db <> current_database() THEN
    problem := format('pg_cron runs its jobs from database "%s", not "%s"', v_db, current_database());
    hint := format('Either ALTER SYSTEM SET cron.database_name = %L, restart and CREATE EXTENSION pg_cron here, or run in "%s" the statements of SELECT statement FROM cqs.job_definitions() (cron.schedule_in_database, pg_cron 1.4 or later).',
                   current_database(), v_db);
  ELSIF NOT EXISTS (SELECT 1 FROM pg_extension e WHERE e.extname = 'pg_cron') THEN
    problem := format('pg_cron is loaded for database "%s" but its extension is not created there', v_db);
    hint := 'CREATE EXTENSION pg_cron;  (as a superuser, in this database)';
  ELSIF NOT has_schema_privilege(role_name, 'cron', 'USAGE') THEN
    problem := format('role %s may not use pg_cron (no USAGE on schema cron)', role_name);
    hint := format('A superuser: GRANT USAGE ON SCHEMA cron TO %I;', role_name);
    state := 'insufficient_privilege';
  ELSIF coalesce(v_bgw, 'off') = 'off' AND coalesce(v_host, 'localhost') IN ('localhost', '127.0.0.1', '::1')
        AND v_listen = '' THEN
    problem := format('pg_cron connects to %s over TCP, but the server does not listen on TCP (listen_addresses is empty)',
                      coalesce(v_host, 'localhost'));
    hint := format('ALTER SYSTEM SET cron.host = %L (the socket directory) and restart, or set cron.use_background_workers = on (and max_worker_processes high enough).',
                   v_socket);
  END IF;
END $$;
COMMENT ON FUNCTION cqs._cron_problem(name) IS
  'Why pg_cron cannot run the jobs from this database (missing, not preloaded, another database, extension not created, no privilege, no way to connect), with what to do';

-- Recent connection failures of this database's cqs jobs: pg_cron says only
-- "connection failed"; say why it usually does.
CREATE FUNCTION cqs._cron_connection_failure() RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_when timestamptz;
BEGIN
  EXECUTE $q$SELECT max(d.start_time) FROM cron.job_run_details d JOIN cron.job j ON j.jobid = d.jobid
              WHERE j.jobname LIKE 'cqs-%' AND j.database = current_database() AND d.status = 'failed'
                AND d.return_message = 'connection failed' AND d.start_time > now() - interval '1 day'$q$ INTO v_when;
  RETURN v_when;
EXCEPTION WHEN undefined_table OR undefined_column OR insufficient_privilege THEN
  RETURN NULL;
END $$;
COMMENT ON FUNCTION cqs._cron_connection_failure() IS 'When pg_cron last failed to connect to run a cqs job of this database (the last day), from cron.job_run_details; NULL if never or unreadable';

-- Schedule the jobs in pg_cron, idempotently: each job under its name (cqs-...), as the
-- current role, in this database; jobs of this role and database named cqs-... that are
-- not asked for any more are unscheduled.  time_zone: the city's; the schedules are
-- converted to pg_cron's zone (GMT before pg_cron 1.5).  schedules: {"job": "cron
-- schedule in the city's zone", "job": null to leave it out}.
CREATE FUNCTION cqs.schedule_jobs(time_zone text DEFAULT 'Asia/Ho_Chi_Minh', schedules jsonb DEFAULT NULL)
RETURNS TABLE (job_name text, jobid bigint, local_schedule text, cron_schedule text, command text)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_p   record;
  v_d   record;
  v_ids bigint[] := '{}';
  v_fail text;
BEGIN
  v_p := cqs._cron_problem(current_user);
  IF v_p.problem IS NOT NULL THEN
    RAISE EXCEPTION 'cannot schedule the jobs: %', v_p.problem USING ERRCODE = v_p.state, HINT = v_p.hint;
  END IF;
  v_fail := cqs._cron_connection_failure();
  IF v_fail IS NOT NULL THEN
    RAISE WARNING 'pg_cron could not connect to run a cqs job at % ("connection failed" in cron.job_run_details)', v_fail
      USING HINT = format('pg_cron connects to cron.host as the job''s role with no password: set cron.host to the socket directory (%s) with a pg_hba.conf rule that lets that role in (peer maps the postgres user only), or cron.use_background_workers = on; both need a restart.',
                          split_part(current_setting('unix_socket_directories'), ',', 1));
  END IF;
  FOR v_d IN SELECT * FROM cqs.job_definitions(time_zone, schedules) LOOP
    job_name := v_d.job_name;
    local_schedule := v_d.local_schedule;
    cron_schedule := v_d.cron_schedule;
    command := v_d.command;
    EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO jobid USING v_d.job_name, v_d.cron_schedule, v_d.command;
    v_ids := v_ids || jobid;
    RETURN NEXT;
  END LOOP;
  EXECUTE $q$SELECT cron.unschedule(j.jobid) FROM cron.job j
              WHERE j.jobname LIKE 'cqs-%' AND j.username = current_user AND j.database = current_database()
                AND NOT j.jobid = ANY ($1)$q$ USING v_ids;
END $$;
COMMENT ON FUNCTION cqs.schedule_jobs(text, jsonb) IS
  'Schedule the jobs in pg_cron (idempotent, named cqs-..., run as the current role) in the city''s time zone, converted to pg_cron''s (GMT before 1.5); a clear error when pg_cron is missing, not preloaded, in another database or cannot connect';

CREATE FUNCTION cqs.unschedule_jobs() RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_p record;
  v_n integer;
BEGIN
  v_p := cqs._cron_problem(current_user);
  IF v_p.problem IS NOT NULL THEN
    RAISE EXCEPTION 'cannot unschedule the jobs: %', v_p.problem USING ERRCODE = v_p.state, HINT = v_p.hint;
  END IF;
  EXECUTE $q$SELECT count(cron.unschedule(j.jobid)) FROM cron.job j
              WHERE j.jobname LIKE 'cqs-%' AND j.username = current_user AND j.database = current_database()$q$
     INTO v_n;
  RETURN v_n;
END $$;
COMMENT ON FUNCTION cqs.unschedule_jobs() IS
  'Remove every cqs-... job of the current role in this database from pg_cron (idempotent); returns how many';

-- ---------------------------------------------------------------------------
-- Running a job.
-- ---------------------------------------------------------------------------
-- Session advisory lock of a job: key 1 = 2^30 (no writer's key is this large), key 2 =
-- the job's position in cqs._jobs().
CREATE FUNCTION cqs._job_key(job text) RETURNS integer
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v integer;
BEGIN
  SELECT x.n INTO v FROM (SELECT j.job, row_number() OVER () AS n FROM cqs._jobs() j) x WHERE x.job = _job_key.job;
  IF v IS NULL THEN
    RAISE EXCEPTION 'unknown job "%"', coalesce(_job_key.job, 'NULL') USING ERRCODE = 'invalid_parameter_value',
      HINT = 'The jobs are ' || (SELECT string_agg(j.job, ', ') FROM cqs._jobs() j) || '.';
  END IF;
  RETURN v;
END $$;
COMMENT ON FUNCTION cqs._job_key(text) IS 'The second key of a job''s session advisory lock (the first is 2^30); 22023 for an unknown job';

-- The retention of the run log (cqs.job_log_retention, at least 7 days).
CREATE FUNCTION cqs._job_log_retention() RETURNS interval
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_txt text := coalesce(nullif(current_setting('cqs.job_log_retention', true), ''), '90 days');
  v     interval;
BEGIN
  BEGIN
    v := v_txt::interval;
  EXCEPTION WHEN OTHERS THEN
    RAISE EXCEPTION 'cqs.job_log_retention must be an interval, got "%"', v_txt USING ERRCODE = 'invalid_parameter_value';
  END;
  IF v < interval '7 days' THEN
    RAISE EXCEPTION 'cqs.job_log_retention must be at least 7 days, got %', v USING ERRCODE = 'invalid_parameter_value',
      HINT = 'Keep the run log long enough to see what failed last week.';
  END IF;
  RETURN v;
END $$;
COMMENT ON FUNCTION cqs._job_log_retention() IS 'How long job runs are kept: the setting cqs.job_log_retention (default 90 days, at least 7)';

-- The plan of a run: the organisations and periods (or the year) it works through.
CREATE FUNCTION cqs._job_plan(job text) RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_today date := current_date;
  v_year  integer := extract(year FROM current_date)::integer;
BEGIN
  CASE job
  WHEN 'close_months' THEN
    -- Roots of a cadence (a using agency, or an organisation whose cadence differs from
    -- its parent's): each period of the last 13 months, on or after the agency's start,
    -- whose confirmation deadline has passed; not locked now, never reopened (a reopened
    -- period is locked again by hand, once corrected).
    RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object('organisation_id', x.organisation_id, 'period', x.period)
                                      ORDER BY x.period, x.organisation_id), '[]')
      FROM (SELECT DISTINCT pol.organisation_id, cqs.period_start(m::date, pol.cadence) AS period, pol.cadence,
                   pol.confirmation_due_day
              FROM cqs.organisation_policies pol
              LEFT JOIN cqs.organisation_policies up ON up.organisation_id = pol.parent_id
              CROSS JOIN LATERAL generate_series(date_trunc('month', v_today) - interval '13 months',
                                                 date_trunc('month', v_today) - interval '1 month', interval '1 month') m
             WHERE (pol.kind = 'using_agency' OR (up.organisation_id IS NOT NULL AND up.cadence <> pol.cadence))
               AND (pol.evaluation_start IS NULL OR m >= pol.evaluation_start)) x
     WHERE cqs.period_end(x.period, CASE x.cadence WHEN 'quarterly' THEN 'quarter' ELSE 'month' END)
           + x.confirmation_due_day - 1 < v_today
       AND NOT EXISTS (SELECT 1 FROM cqs.period_lock l WHERE l.organisation_id = x.organisation_id AND l.period = x.period)
       AND EXISTS (SELECT 1 FROM cqs.organisation_tree t JOIN cqs.posting ps ON ps.organisation_id = t.descendant_id
                    WHERE t.ancestor_id = x.organisation_id
                      AND ps.start_date < cqs.period_end(x.period, CASE x.cadence WHEN 'quarterly' THEN 'quarter' ELSE 'month' END)
                      AND (ps.end_date IS NULL OR ps.end_date >= x.period)));
  WHEN 'grade_year' THEN
    -- In the run-up to 14/12 the current year; in January the previous one, for the
    -- special units graded by 14/01 (Art. 19.2).  Never a hard-coded year.
    IF extract(month FROM v_today) = 1 THEN
      IF EXISTS (SELECT 1 FROM cqs.organisation o WHERE o.special_deadline) THEN
        RETURN jsonb_build_array(jsonb_build_object('year', v_year - 1));
      END IF;
      RETURN '[]';
    END IF;
    RETURN jsonb_build_array(jsonb_build_object('year', v_year));
  WHEN 'overdue' THEN
    RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object('organisation_id', p.organisation_id) ORDER BY p.organisation_id), '[]')
              FROM cqs.organisation_policies p WHERE p.kind = 'using_agency');
  WHEN 'purge_logs' THEN
    RETURN jsonb_build_array(jsonb_build_object('older_than', now() - cqs._job_log_retention()));
  ELSE
    RETURN NULL;                  -- open-ended: batches until none is left
  END CASE;
END $$;
COMMENT ON FUNCTION cqs._job_plan(text) IS 'The steps a job run works through, decided at its start (organisations and periods past their confirmation deadline, the year to grade, the agencies, the purge cut-off); NULL for batch jobs';

-- Start a run: the job's lock, or a skipped run logged (NULL).  A run of this job left
-- 'running' by a session that is gone (or by this one) is marked interrupted.
CREATE FUNCTION cqs._job_start(job text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_key   integer := cqs._job_key(job);
  v_run   bigint;
  v_other record;
BEGIN
  IF NOT pg_try_advisory_lock(1073741824, v_key) THEN
    SELECT r.run_id, r.pid, r.started_at INTO v_other FROM cqs.job_run r
     WHERE r.job = _job_start.job AND r.status = 'running' ORDER BY r.run_id DESC LIMIT 1;
    INSERT INTO cqs.job_run (job, status, login, finished_at, message)
    VALUES (_job_start.job, 'skipped', cqs._actor_login(), clock_timestamp(),
            format('skipped: job %s is already running (%s)', _job_start.job,
                   coalesce(format('run %s', v_other.run_id), 'another session holds its lock')))
    RETURNING run_id INTO v_run;
    RAISE NOTICE 'job % skipped: it is already running (%)', job,
                 coalesce(format('run %s', v_other.run_id), 'another session holds its lock');
    RETURN NULL;
  END IF;
  UPDATE cqs.job_run r SET status = 'interrupted', finished_at = clock_timestamp(),
                           message = coalesce(r.message, 'the session running it ended before it finished')
   WHERE r.job = _job_start.job AND r.status = 'running';
  INSERT INTO cqs.job_run (job, status, login, plan) VALUES (_job_start.job, 'running', cqs._actor_login(), cqs._job_plan(job))
  RETURNING run_id INTO v_run;
  RETURN v_run;
END $$;
COMMENT ON FUNCTION cqs._job_start(text) IS
  'Start a job run: take the job''s session advisory lock and log the run with its plan, or log a skipped run (NULL) when another session runs the job';

-- One step of a run (step numbers from 0): false when there is nothing left to do.
-- Errors are caught here, recorded on the step, and stop the run (close_months goes on
-- to the next organisation: each lock is its own matter).
CREATE FUNCTION cqs._job_step(run_id bigint, step_no integer) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET client_min_messages = warning AS $$
DECLARE
  v_run   cqs.job_run;
  v_unit  jsonb;
  v_org   bigint;
  v_per   date;
  v_n     bigint;
  v_out   text := 'ok';
  v_msg   text;
  v_hint  text;
  v_state text;
  v_more  boolean := true;
BEGIN
  SELECT * INTO v_run FROM cqs.job_run r WHERE r.run_id = _job_step.run_id AND r.status = 'running';
  IF NOT FOUND OR step_no IS NULL OR step_no < 0 THEN
    RAISE EXCEPTION 'no running job run % (step %)', coalesce(_job_step.run_id::text, 'NULL'), coalesce(step_no::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Jobs run with CALL cqs.run_job(job).';
  END IF;
  IF v_run.plan IS NOT NULL THEN
    v_unit := v_run.plan -> step_no;
    IF v_unit IS NULL THEN
      RETURN false;
    END IF;
    v_org := (v_unit->>'organisation_id')::bigint;
    v_per := (v_unit->>'period')::date;
  ELSIF step_no >= 100000 THEN
    RETURN false;                   -- a bound on open-ended jobs
  END IF;
  BEGIN
    CASE v_run.job
    WHEN 'refresh_queue' THEN
      v_n := cqs._drain_batch(1000);
      IF v_n < 0 THEN
        RETURN false;
      END IF;
      v_msg := format('%s people-months recomputed', v_n);
    WHEN 'deliver_outbox' THEN
      v_n := cqs._outbox_claim(1000, false);
      IF v_n IS NULL THEN
        RETURN false;
      END IF;
      v_msg := format('batch %s ready', v_n);
      v_n := (SELECT b.items FROM cqs.outbox_batch b WHERE b.batch_id = v_n);
    WHEN 'close_months' THEN
      SELECT count(*) INTO v_n
        FROM cqs.lock_period(v_org, v_per, 'Tự động khóa kỳ sau hạn xác nhận (job close_months)');
      v_out := 'locked';
      v_msg := format('%s people locked', v_n);
    WHEN 'grade_year' THEN
      v_n := cqs.grade_year((v_unit->>'year')::integer);
      v_msg := format('year %s graded: %s people', v_unit->>'year', v_n);
    WHEN 'overdue' THEN
      SELECT coalesce(sum(x.n), 0), string_agg(format('%s: %s', x.kind, x.n), ', ' ORDER BY x.kind) INTO v_n, v_msg
        FROM (SELECT d.kind, count(*) AS n FROM cqs.overdue d
                JOIN cqs.organisation_tree t ON t.descendant_id = d.organisation_id AND t.ancestor_id = v_org
               GROUP BY d.kind) x;
      v_out := 'reported';
      v_msg := coalesce(v_msg, 'nothing overdue');
    WHEN 'purge_logs' THEN
      DELETE FROM cqs.job_step s USING cqs.job_run r
       WHERE s.run_id = r.run_id AND r.started_at < (v_unit->>'older_than')::timestamptz AND r.run_id <> v_run.run_id;
      DELETE FROM cqs.job_run r WHERE r.started_at < (v_unit->>'older_than')::timestamptz AND r.run_id <> v_run.run_id;
      GET DIAGNOSTICS v_n = ROW_COUNT;
      v_msg := format('%s runs older than %s deleted', v_n, (v_unit->>'older_than')::timestamptz);
    END CASE;
  EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS v_msg = MESSAGE_TEXT, v_hint = PG_EXCEPTION_HINT, v_state = RETURNED_SQLSTATE;
    v_n := 0;
    IF v_run.job = 'close_months' AND v_state = '55000' THEN
      v_out := CASE WHEN v_msg LIKE 'nobody to lock%' THEN 'nothing' ELSE 'blocked' END;
    ELSE
      v_out := 'failed';
      v_msg := format('%s (SQLSTATE %s)', v_msg, v_state);
      IF v_state = '42501' AND v_run.job = 'close_months' THEN
        v_hint := format('Give the jobs login (%s) a personnel mandate over the organisations it closes: INSERT INTO cqs.mandate (kind, organisation_id, login, reference) VALUES (''personnel'', <the city''s organisation_id>, %L, ''<the decision>'').',
                         v_run.login, v_run.login);
      END IF;
      v_more := v_run.plan IS NOT NULL;   -- a failed batch stops an open-ended job
    END IF;
  END;
  INSERT INTO cqs.job_step (run_id, step_no, organisation_id, period, outcome, rows, message, hint)
  VALUES (v_run.run_id, step_no, v_org, v_per, v_out, coalesce(v_n, 0), v_msg, v_hint);
  UPDATE cqs.job_run r SET steps = r.steps + 1, failed_steps = r.failed_steps + (v_out = 'failed')::integer,
                           rows = r.rows + coalesce(v_n, 0)
   WHERE r.run_id = v_run.run_id;
  RETURN v_more;
END $$;
COMMENT ON FUNCTION cqs._job_step(bigint, integer) IS
  'One step of a job run (an organisation and period, a batch, the year): done, recorded in cqs.job_step with its outcome; errors are recorded, not raised';

-- Finish a run: ok, or failed with the first failure; the job's lock is released.
-- Returns the failure message (NULL when ok).
CREATE FUNCTION cqs._job_finish(run_id bigint) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_run  cqs.job_run;
  v_sum  text;
  v_fail record;
BEGIN
  SELECT * INTO v_run FROM cqs.job_run r WHERE r.run_id = _job_finish.run_id AND r.status = 'running';
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no running job run %', coalesce(_job_finish.run_id::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Jobs run with CALL cqs.run_job(job).';
  END IF;
  SELECT string_agg(format('%s %s', x.n, x.outcome), ', ' ORDER BY x.outcome) INTO v_sum
    FROM (SELECT s.outcome, count(*) AS n FROM cqs.job_step s WHERE s.run_id = v_run.run_id GROUP BY s.outcome) x;
  SELECT s.message, s.hint, s.organisation_id, s.period INTO v_fail FROM cqs.job_step s
   WHERE s.run_id = v_run.run_id AND s.outcome = 'failed' ORDER BY s.step_no LIMIT 1;
  UPDATE cqs.job_run r
     SET status = CASE WHEN v_fail.message IS NULL THEN 'ok' ELSE 'failed' END, finished_at = clock_timestamp(),
         message = concat_ws(': ', coalesce(v_sum, 'nothing to do'),
                             CASE WHEN v_fail.message IS NOT NULL THEN
                               concat_ws(' ', 'first failure', CASE WHEN v_fail.organisation_id IS NOT NULL THEN
                                           format('(organisation %s, period %s)', v_fail.organisation_id, v_fail.period) END,
                                         v_fail.message) END),
         hint = v_fail.hint
   WHERE r.run_id = v_run.run_id;
  -- Released however many times this session took it (a session that ran the job
  -- before and failed mid-way holds it still).
  WHILE EXISTS (SELECT 1 FROM pg_locks k WHERE k.locktype = 'advisory' AND k.pid = pg_backend_pid() AND k.granted
                   AND k.classid = 1073741824::oid AND k.objid = cqs._job_key(v_run.job)::oid AND k.objsubid = 2) LOOP
    PERFORM pg_advisory_unlock(1073741824, cqs._job_key(v_run.job));
  END LOOP;
  IF v_fail.message IS NOT NULL THEN
    RETURN format('job %s (run %s) failed: %s', v_run.job, v_run.run_id, v_fail.message);
  END IF;
  RETURN NULL;
END $$;
COMMENT ON FUNCTION cqs._job_finish(bigint) IS
  'Finish a job run: ok or failed (the first failure), a summary of its steps; releases the job''s lock';

-- The jobs as pg_cron runs them: CALL cqs.run_job('close_months').  Outside a
-- transaction block every step commits on its own (pg_cron, psql); inside one (a test,
-- a DO block) the run is one transaction.  A failed run raises after its log is
-- committed, so pg_cron's own log says failed too; a skipped run only notices.
-- A procedure that COMMITs cannot carry a SET clause: it pins search_path itself in
-- every transaction and qualifies every operator (as cqs.process_queue does).
CREATE PROCEDURE cqs.run_job(job text)
LANGUAGE plpgsql AS $$
DECLARE
  v_path   text := pg_catalog.current_setting('search_path');
  v_atomic boolean;
  v_run    bigint;
  v_step   integer := 0;
  v_fail   text;
BEGIN
  SET LOCAL search_path = pg_catalog, pg_temp;
  PERFORM cqs._check_version();
  v_atomic := pg_catalog.statement_timestamp() OPERATOR(pg_catalog.<>) pg_catalog.transaction_timestamp();
  v_run := cqs._job_start(job);
  IF v_run IS NOT NULL THEN
    IF NOT v_atomic THEN
      COMMIT;
      SET LOCAL search_path = pg_catalog, pg_temp;
    END IF;
    WHILE cqs._job_step(v_run, v_step) LOOP
      v_step := v_step OPERATOR(pg_catalog.+) 1;
      IF NOT v_atomic THEN
        COMMIT;
        SET LOCAL search_path = pg_catalog, pg_temp;
      END IF;
    END LOOP;
    v_fail := cqs._job_finish(v_run);
    IF NOT v_atomic THEN
      COMMIT;
      SET LOCAL search_path = pg_catalog, pg_temp;
    END IF;
  END IF;
  PERFORM pg_catalog.set_config('search_path', v_path, true);
  IF v_fail IS NOT NULL THEN
    IF v_atomic THEN
      RAISE WARNING '%', v_fail USING HINT = 'SELECT * FROM cqs.job_runs ORDER BY run_id DESC; SELECT * FROM cqs.job_step WHERE outcome = ''failed'';';
    ELSE
      RAISE EXCEPTION '%', v_fail USING ERRCODE = 'object_not_in_prerequisite_state',
        HINT = 'SELECT * FROM cqs.job_runs ORDER BY run_id DESC; SELECT * FROM cqs.job_step WHERE outcome = ''failed'';';
    END IF;
  END IF;
END $$;
COMMENT ON PROCEDURE cqs.run_job(text) IS
  'Run a scheduled job (refresh_queue, close_months, grade_year, deliver_outbox, overdue, purge_logs): one run at a time (a second skips and is logged), a step per organisation or batch committed on its own, logged in cqs.job_run and cqs.job_step';

-- ---------------------------------------------------------------------------
-- Row-level security, dump registration, privileges.
-- ---------------------------------------------------------------------------
-- Outbox items name a person and their result: read like results (the person, whoever
-- evaluates them, every mandate over the organisation).
ALTER TABLE cqs.outbox ENABLE ROW LEVEL SECURITY;
CREATE POLICY outbox_read ON cqs.outbox FOR SELECT
  USING (person_id = (SELECT cqs.acting_person())
         OR organisation_id IN (SELECT unnest((SELECT cqs._seen_organisations())))
         OR (person_id, organisation_id) IN (SELECT e.person_id, e.organisation_id FROM cqs._evaluated() e));

SELECT pg_catalog.pg_extension_config_dump('cqs.outbox', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.outbox_batch', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.job_run', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.job_step', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.outbox', 'item_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.outbox_batch', 'batch_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.job_run', 'run_id'), '');

REVOKE EXECUTE ON FUNCTION cqs._outbox_enqueue(jsonb) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs._outbox_claim(integer, boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.outbox_prepare(integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.outbox_next_batch(integer, interval) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.outbox_json(bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.outbox_csv(bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.outbox_acknowledge(bigint, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.outbox_release(bigint, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs._outbox_from_locks() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs._outbox_from_decisions() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs._job_start(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs._job_step(bigint, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs._job_finish(bigint) FROM PUBLIC;
REVOKE EXECUTE ON PROCEDURE cqs.run_job(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.schedule_jobs(text, jsonb) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.unschedule_jobs() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs._cron_problem(name) FROM PUBLIC;
-- Layer 7d: exports -- what people read, as files Excel opens and as JSON for web APIs
-- (issue 10).  One API for every dataset:
--
--   cqs.export_csv(dataset, organisation_id, period, separator, decimal_comma, bom, lang) -> text
--   cqs.export_json(dataset, organisation_id, period, lang)                              -> jsonb
--   cqs.export_columns(dataset)      the columns of a dataset: key, kind, Vietnamese and English header
--
-- datasets: month_results, quarter_results, year_results, form01, form02,
-- grade_distribution, outbox, overdue, evaluator_todo.  Each reads the view of the same
-- name (60_api.sql, 75_operations.sql) with the caller's rights (SECURITY INVOKER): the
-- views are security_invoker, so row-level security picks the rows exactly as it does for
-- a SELECT -- an export never shows a row its reader could not select.  Numbers leave as
-- the views hold them: as recorded, with the organisation's decimals (76.70, never
-- 76.7000000000000000000); the CSV writes them with a point, or with the Vietnamese
-- decimal comma on request; JSON carries them as JSON numbers.
--
-- The national-database outbox's batches (cqs.outbox_json / cqs.outbox_csv) are the
-- transport's frozen format (schema cqs_eval.outbox); they quote their CSV with the same
-- field writer as these exports (cqs._csv_field).

-- ---------------------------------------------------------------------------
-- The CSV field writer (RFC 4180): quoted when it holds the separator, a quote, a line
-- break or leading/trailing blanks; quotes doubled.
-- ---------------------------------------------------------------------------
-- (SQL-standard bodies: inlined into the exports' queries, resolved when created.)
CREATE FUNCTION cqs._csv_field(value text, separator text DEFAULT ',') RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN value IS NULL THEN ''
            WHEN strpos(value, separator) > 0 OR value ~ '["\r\n]' OR value <> btrim(value)
              THEN '"' || replace(value, '"', '""') || '"'
            ELSE value END;
COMMENT ON FUNCTION cqs._csv_field(text, text) IS
  'Art. 26.1.d, exports: one CSV field, quoted where RFC 4180 needs it (the separator, a quote, CR or LF, leading or trailing blanks); NULL gives an empty field';

-- ---------------------------------------------------------------------------
-- The columns of every dataset, in order: the key (the view's column, the JSON field),
-- the kind of value (how it is written), and the headers.
--   text     free text (names, comments, reasons): CSV guards it against spreadsheet formulas
--   code     a code (personnel ids, statuses, grade codes): written as it is
--   number   a score or share as recorded (its decimals kept)
--   integer  a count or an id
--   date     YYYY-MM-DD
--   instant  YYYY-MM-DDTHH:MM:SSZ, in UTC
--   boolean  CSV có/không (yes/no); JSON true/false
--   list     an array: CSV joined with "; ", JSON an array
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs.export_columns(dataset text)
RETURNS TABLE (ordinal integer, key text, kind text, header_vi text, header_en text)
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_person CONSTANT text[] := ARRAY[
    'person_id|integer|Mã người|Person id',
    'personnel_id|code|Mã hồ sơ|Personnel id',
    'full_name|text|Họ và tên|Full name',
    'organisation_id|integer|Mã cơ quan, đơn vị|Organisation id',
    'organisation_name|text|Cơ quan, đơn vị|Organisation'];
  v_cols text[];
BEGIN
  v_cols := CASE export_columns.dataset
    WHEN 'month_results' THEN v_person || ARRAY[
      'year|integer|Năm|Year',
      'month|integer|Tháng|Month',
      'a|number|Tỷ lệ số lượng a (%)|Quantity ratio a (%)',
      'b|number|Tỷ lệ chất lượng b (%)|Quality ratio b (%)',
      'c|number|Tỷ lệ tiến độ c (%)|Progress ratio c (%)',
      'd|number|Kết quả của đơn vị d (%)|Unit results d (%)',
      'dd|number|Năng lực tổ chức đ (%)|Organising ability đ (%)',
      'e|number|Đoàn kết e (%)|Uniting staff e (%)',
      'task_score|number|Điểm kết quả thực hiện nhiệm vụ (%)|Task score (%)',
      'general_score|number|Điểm tiêu chí chung|General criteria score',
      'total|number|Tổng điểm|Total',
      'grade|code|Mã xếp loại|Grade code',
      'grade_label|text|Xếp loại|Grade',
      'status|code|Trạng thái|Status',
      'locked|boolean|Đã khóa kỳ|Locked',
      'stale|boolean|Đang tính lại|Being recomputed',
      'note|text|Ghi chú|Note']
    WHEN 'quarter_results' THEN v_person || ARRAY[
      'year|integer|Năm|Year',
      'quarter|integer|Quý|Quarter',
      'cadence|code|Chu kỳ đánh giá|Cadence',
      'months_counted|integer|Số tháng tính|Months counted',
      'total|number|Điểm bình quân quý|Quarter total',
      'grade|code|Mã xếp loại|Grade code',
      'grade_label|text|Xếp loại|Grade']
    WHEN 'year_results' THEN v_person || ARRAY[
      'year|integer|Năm|Year',
      'months_worked|integer|Số tháng công tác|Months worked',
      'months_counted|integer|Số kỳ tính điểm|Periods counted',
      'mean_total|number|Điểm bình quân năm|Year score',
      'score_grade|code|Xếp loại theo điểm (mã)|Grade by score (code)',
      'proposed_grade|code|Đề xuất xếp loại (mã)|Proposed grade (code)',
      'final_grade|code|Mã xếp loại|Grade code',
      'grade_label|text|Xếp loại|Grade',
      'status|code|Trạng thái|Status',
      'decision_ref|text|Số quyết định|Decision reference',
      'decided_at|instant|Thời điểm quyết định (UTC)|Decided at (UTC)',
      'override_reasons|list|Căn cứ Điều 20.4|Art. 20.4 reasons',
      'not_graded_reason|text|Lý do chưa xếp loại|Why not graded',
      'missing_periods|list|Kỳ chưa có kết quả xác nhận|Periods without a confirmed result']
    WHEN 'form01' THEN v_person || ARRAY[
      'period|date|Kỳ đánh giá|Period',
      'period_kind|code|Loại kỳ|Period kind',
      'position|integer|STT|No.',
      'criterion_code|code|Mã tiêu chí|Criterion code',
      'criterion_name|text|Tiêu chí|Criterion',
      'max_points|number|Điểm tối đa|Maximum',
      'self_score|number|Điểm tự đánh giá|Self score',
      'evaluator_score|number|Điểm cấp có thẩm quyền đánh giá|Evaluator''s score',
      'self_total|number|Tổng điểm tự đánh giá tiêu chí chung|Self total (general criteria)',
      'evaluator_total|number|Tổng điểm đánh giá tiêu chí chung|Evaluator''s total (general criteria)',
      'general_score|number|Điểm tiêu chí chung|General criteria score',
      'task_score|number|Điểm kết quả thực hiện nhiệm vụ (%)|Task score (%)',
      'total|number|Tổng điểm|Total',
      'grade|code|Mã xếp loại|Grade code',
      'grade_label|text|Xếp loại|Grade',
      'strengths|text|Ưu điểm|Strengths',
      'shortcomings|text|Hạn chế, khuyết điểm|Shortcomings',
      'evaluator_comment|text|Ý kiến nhận xét của cấp có thẩm quyền|Evaluator''s comment',
      'status|code|Trạng thái|Status']
    WHEN 'form02' THEN v_person || ARRAY[
      'year|integer|Năm|Year',
      'm01|number|Tháng 1|January', 'm02|number|Tháng 2|February', 'm03|number|Tháng 3|March',
      'm04|number|Tháng 4|April', 'm05|number|Tháng 5|May', 'm06|number|Tháng 6|June',
      'm07|number|Tháng 7|July', 'm08|number|Tháng 8|August', 'm09|number|Tháng 9|September',
      'm10|number|Tháng 10|October', 'm11|number|Tháng 11|November', 'm12|number|Tháng 12|December',
      'mean_total|number|Điểm bình quân năm|Year score',
      'self_proposed_grade|code|Tự xếp loại (mã)|Self-proposed grade (code)',
      'decided_grade|code|Mã xếp loại của cấp có thẩm quyền|Decided grade (code)',
      'grade_label|text|Cấp có thẩm quyền xếp loại|Decided grade',
      'decided_at|instant|Thời điểm quyết định (UTC)|Decided at (UTC)']
    WHEN 'grade_distribution' THEN ARRAY[
      'year|integer|Năm|Year',
      'organisation_id|integer|Mã cơ quan sử dụng|Using agency id',
      'organisation_name|text|Cơ quan sử dụng|Using agency',
      'duty_group|code|Nhóm nhiệm vụ tương đồng|Duty group',
      'grade|code|Mã xếp loại|Grade code',
      'grade_label|text|Xếp loại|Grade',
      'status|code|Trạng thái|Status',
      'people|integer|Số người|People',
      'share_percent|number|Tỷ lệ (%)|Share (%)',
      'decided|integer|Đã có quyết định|Decided',
      'awaiting_decision|integer|Chờ quyết định|Awaiting a decision']
    WHEN 'outbox' THEN ARRAY[
      'item_id|integer|Mã mục|Item id',
      'kind|code|Loại|Kind',
      'person_id|integer|Mã người|Person id',
      'personnel_id|code|Mã hồ sơ|Personnel id',
      'organisation_id|integer|Mã cơ quan, đơn vị|Organisation id',
      'agency_code|code|Mã định danh cơ quan|Agency code',
      'period_kind|code|Loại kỳ|Period kind',
      'period|date|Kỳ|Period',
      'version|integer|Phiên bản|Version',
      'total|number|Tổng điểm|Total',
      'grade|code|Mã xếp loại|Grade code',
      'grade_label|text|Xếp loại|Grade',
      'reference|text|Căn cứ|Reference',
      'finalised_at|instant|Thời điểm chốt (UTC)|Finalised at (UTC)',
      'due_at|instant|Hạn gửi (UTC)|Due at (UTC)',
      'batch_id|integer|Mã lô|Batch id',
      'status|code|Trạng thái gửi|Status',
      'late|boolean|Quá hạn|Late',
      'problem|text|Vướng mắc|Problem']
    WHEN 'overdue' THEN v_person || ARRAY[
      'kind|code|Việc|Kind',
      'period_or_year_start|date|Kỳ (ngày đầu)|Period (first day)',
      'period_kind|code|Loại kỳ|Period kind',
      'assessment_status|code|Trạng thái phiếu|Assessment status',
      'due_on|date|Hạn|Due on',
      'done_on|date|Ngày thực hiện|Done on',
      'days_overdue|integer|Số ngày quá hạn|Days overdue']
    WHEN 'evaluator_todo' THEN v_person || ARRAY[
      'period|date|Kỳ đánh giá|Period',
      'period_kind|code|Loại kỳ|Period kind',
      'assessment_status|code|Trạng thái phiếu|Assessment status',
      'action|code|Việc cần làm|Action',
      'self_assessed_at|instant|Thời điểm tự đánh giá (UTC)|Self-assessed at (UTC)',
      'due_on|date|Hạn|Due on',
      'overdue|boolean|Quá hạn|Overdue',
      'days_overdue|integer|Số ngày quá hạn|Days overdue',
      'total|number|Tổng điểm|Total',
      'grade|code|Mã xếp loại|Grade code',
      'grade_label|text|Xếp loại|Grade']
  END;
  IF v_cols IS NULL THEN
    RAISE EXCEPTION 'unknown export dataset "%"', export_columns.dataset
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'One of month_results, quarter_results, year_results, form01, form02, grade_distribution, outbox, overdue, evaluator_todo.';
  END IF;
  RETURN QUERY
  SELECT c.n::integer, split_part(c.x, '|', 1), split_part(c.x, '|', 2), split_part(c.x, '|', 3), split_part(c.x, '|', 4)
    FROM unnest(v_cols) WITH ORDINALITY AS c(x, n)
   ORDER BY c.n;
END $$;
COMMENT ON FUNCTION cqs.export_columns(text) IS
  'Art. 17, 21, 26, Forms 01-02: the columns of an export dataset in order: key (view column and JSON field), kind, Vietnamese and English header; 22023 for an unknown dataset';

-- '2026' (a year), '2026-Q1' (a quarter), '2026-H1' (a half), '2026-03' (a month), or NULL
-- (every period): the first day and the day after the last.
CREATE FUNCTION cqs._export_period(period text, OUT first_day date, OUT after_day date)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF period IS NULL THEN
    RETURN;
  ELSIF period ~ '^\d{4}$' THEN
    first_day := make_date(period::integer, 1, 1);
    after_day := (first_day + interval '1 year')::date;
  ELSIF period ~ '^\d{4}-Q[1-4]$' THEN
    first_day := make_date(left(period, 4)::integer, right(period, 1)::integer * 3 - 2, 1);
    after_day := (first_day + interval '3 months')::date;
  ELSIF period ~ '^\d{4}-H[12]$' THEN
    first_day := make_date(left(period, 4)::integer, right(period, 1)::integer * 6 - 5, 1);
    after_day := (first_day + interval '6 months')::date;
  ELSIF period ~ '^\d{4}-(0[1-9]|1[0-2])$' THEN
    first_day := make_date(left(period, 4)::integer, right(period, 2)::integer, 1);
    after_day := (first_day + interval '1 month')::date;
  ELSE
    RAISE EXCEPTION 'period must look like 2026, 2026-Q1, 2026-H1 or 2026-03 (or be NULL for every period), got "%"', period
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF first_day < date '2000-01-01' OR after_day > date '2101-01-01' THEN
    RAISE EXCEPTION 'period "%" is outside 2000-2100', period USING ERRCODE = 'invalid_parameter_value';
  END IF;
END $$;
COMMENT ON FUNCTION cqs._export_period(text) IS
  'Art. 12, 17.3: the days an export''s period covers (a year, quarter, half-year or month); 22023 for anything else';

-- Instants as exported: UTC, ISO 8601, whatever the session's time zone.
CREATE FUNCTION cqs._export_instant(at timestamptz) RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT to_char($1 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;
COMMENT ON FUNCTION cqs._export_instant(timestamptz) IS 'Exports: an instant in UTC, ISO 8601 (2026-03-05T03:00:00Z)';

-- The rows of a dataset, each one JSON object keyed by the dataset's columns, in a stable
-- order, read through the views with the caller's rights.  A row's period must overlap
-- the period asked; its organisation must be the one asked or a unit below it.
CREATE FUNCTION cqs._export_rows(dataset text, organisation_id bigint, period text, lang text)
RETURNS SETOF jsonb
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_from date;
  v_to   date;
  v_orgs bigint[];
BEGIN
  SELECT coalesce(x.first_day, date '-infinity'), coalesce(x.after_day, date 'infinity') INTO v_from, v_to
    FROM cqs._export_period(period) x;
  IF dataset IS NULL THEN
    RAISE EXCEPTION 'dataset must not be NULL' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'One of month_results, quarter_results, year_results, form01, form02, grade_distribution, outbox, overdue, evaluator_todo.';
  END IF;
  PERFORM cqs.export_columns(dataset);            -- 22023 for an unknown dataset
  IF lang IS NULL OR lang NOT IN ('vi', 'en') THEN
    RAISE EXCEPTION 'lang must be ''vi'' or ''en'', got %', coalesce('"' || lang || '"', 'NULL')
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF _export_rows.organisation_id IS NOT NULL THEN
    SELECT array_agg(c.descendant_id) INTO v_orgs
      FROM cqs.organisation_closure c WHERE c.ancestor_id = _export_rows.organisation_id;
    IF v_orgs IS NULL THEN
      RAISE EXCEPTION 'no organisation %', _export_rows.organisation_id USING ERRCODE = 'invalid_parameter_value';
    END IF;
  END IF;

  CASE dataset
  WHEN 'month_results' THEN
    RETURN QUERY
    SELECT jsonb_build_object('person_id', m.person_id, 'personnel_id', m.personnel_id, 'full_name', p.full_name,
             'organisation_id', m.organisation_id, 'organisation_name', o.name, 'year', m.year, 'month', m.month,
             'a', m.a, 'b', m.b, 'c', m.c, 'd', m.d, 'dd', m.dd, 'e', m.e, 'task_score', m.task_score,
             'general_score', m.general_score, 'total', m.total, 'grade', m.grade,
             'grade_label', cqs.grade_label(m.grade, lang), 'status', m.status, 'locked', m.locked, 'stale', m.stale,
             'note', m.note)
      FROM cqs.month_results m
      JOIN cqs.organisation o ON o.organisation_id = m.organisation_id
      LEFT JOIN cqs.person p ON p.person_id = m.person_id
     WHERE m.period >= v_from AND m.period < v_to
       AND (v_orgs IS NULL OR m.organisation_id = ANY (v_orgs))
     ORDER BY m.organisation_id, m.person_id, m.period;
  WHEN 'quarter_results' THEN
    RETURN QUERY
    SELECT jsonb_build_object('person_id', q.person_id, 'personnel_id', p.personnel_id, 'full_name', p.full_name,
             'organisation_id', q.organisation_id, 'organisation_name', o.name, 'year', q.year, 'quarter', q.quarter,
             'cadence', q.cadence, 'months_counted', q.months_counted, 'total', q.total, 'grade', q.grade,
             'grade_label', cqs.grade_label(q.grade, lang))
      FROM cqs.quarter_results q
      JOIN cqs.organisation o ON o.organisation_id = q.organisation_id
      LEFT JOIN cqs.person p ON p.person_id = q.person_id
     WHERE make_date(q.year, q.quarter * 3 - 2, 1) < v_to
       AND (make_date(q.year, q.quarter * 3 - 2, 1) + interval '3 months')::date > v_from
       AND (v_orgs IS NULL OR q.organisation_id = ANY (v_orgs))
     ORDER BY q.organisation_id, q.person_id, q.year, q.quarter;
  WHEN 'year_results' THEN
    RETURN QUERY
    SELECT jsonb_build_object('person_id', y.person_id, 'personnel_id', y.personnel_id, 'full_name', p.full_name,
             'organisation_id', y.organisation_id, 'organisation_name', o.name, 'year', y.year,
             'months_worked', y.months_worked, 'months_counted', y.months_counted, 'mean_total', y.mean_total,
             'score_grade', y.score_grade, 'proposed_grade', y.proposed_grade, 'final_grade', y.final_grade,
             'grade_label', cqs.grade_label(y.final_grade, lang), 'status', y.status, 'decision_ref', y.decision_ref,
             'decided_at', cqs._export_instant(y.decided_at), 'override_reasons', to_jsonb(y.override_reasons),
             'not_graded_reason', y.not_graded_reason, 'missing_periods', to_jsonb(y.missing_periods))
      FROM cqs.year_results y
      JOIN cqs.organisation o ON o.organisation_id = y.organisation_id
      LEFT JOIN cqs.person p ON p.person_id = y.person_id
     WHERE make_date(y.year, 1, 1) < v_to AND make_date(y.year + 1, 1, 1) > v_from
       AND (v_orgs IS NULL OR y.organisation_id = ANY (v_orgs))
     ORDER BY y.organisation_id, y.person_id, y.year;
  WHEN 'form01' THEN
    RETURN QUERY
    SELECT jsonb_build_object('person_id', f.person_id, 'personnel_id', f.personnel_id, 'full_name', f.full_name,
             'organisation_id', f.organisation_id, 'organisation_name', o.name, 'period', f.period,
             'period_kind', coalesce(f.period_kind, 'month'), 'position', f.position, 'criterion_code', f.criterion_code,
             'criterion_name', f.criterion_name, 'max_points', f.max_points, 'self_score', f.self_score,
             'evaluator_score', f.evaluator_score, 'self_total', f.self_total, 'evaluator_total', f.evaluator_total,
             'general_score', f.general_score, 'task_score', f.task_score, 'total', f.total, 'grade', f.grade,
             'grade_label', cqs.grade_label(f.grade, lang), 'strengths', f.strengths, 'shortcomings', f.shortcomings,
             'evaluator_comment', f.evaluator_comment, 'status', f.status)
      FROM cqs.form01 f
      JOIN cqs.organisation o ON o.organisation_id = f.organisation_id
     WHERE f.period < v_to AND cqs.period_end(f.period, coalesce(f.period_kind, 'month')) > v_from
       AND (v_orgs IS NULL OR f.organisation_id = ANY (v_orgs))
     ORDER BY f.organisation_id, f.person_id, f.period, f.position;
  WHEN 'form02' THEN
    RETURN QUERY
    SELECT jsonb_build_object('person_id', f.person_id, 'personnel_id', f.personnel_id, 'full_name', f.full_name,
             'organisation_id', f.organisation_id, 'organisation_name', o.name, 'year', f.year,
             'm01', f.m01, 'm02', f.m02, 'm03', f.m03, 'm04', f.m04, 'm05', f.m05, 'm06', f.m06,
             'm07', f.m07, 'm08', f.m08, 'm09', f.m09, 'm10', f.m10, 'm11', f.m11, 'm12', f.m12,
             'mean_total', f.mean_total, 'self_proposed_grade', f.self_proposed_grade, 'decided_grade', f.decided_grade,
             'grade_label', cqs.grade_label(f.decided_grade, lang), 'decided_at', cqs._export_instant(f.decided_at))
      FROM cqs.form02 f
      JOIN cqs.organisation o ON o.organisation_id = f.organisation_id
     WHERE make_date(f.year, 1, 1) < v_to AND make_date(f.year + 1, 1, 1) > v_from
       AND (v_orgs IS NULL OR f.organisation_id = ANY (v_orgs))
     ORDER BY f.organisation_id, f.person_id, f.year;
  WHEN 'grade_distribution' THEN
    RETURN QUERY
    SELECT jsonb_build_object('year', g.year, 'organisation_id', g.organisation_id, 'organisation_name', g.organisation_name,
             'duty_group', g.duty_group, 'grade', g.grade, 'grade_label', cqs.grade_label(g.grade, lang),
             'status', g.status, 'people', g.people, 'share_percent', g.share_percent, 'decided', g.decided,
             'awaiting_decision', g.awaiting_decision)
      FROM cqs.grade_distribution g
     WHERE make_date(g.year, 1, 1) < v_to AND make_date(g.year + 1, 1, 1) > v_from
       AND (v_orgs IS NULL OR g.organisation_id = ANY (v_orgs))
     ORDER BY g.year, g.organisation_id, g.duty_group, g.grade DESC NULLS LAST, g.status;
  WHEN 'outbox' THEN
    RETURN QUERY
    SELECT jsonb_build_object('item_id', s.item_id, 'kind', s.kind, 'person_id', s.person_id, 'personnel_id', s.personnel_id,
             'organisation_id', s.organisation_id, 'agency_code', s.agency_code, 'period_kind', s.period_kind,
             'period', s.period, 'version', s.version, 'total', s.total, 'grade', s.grade,
             'grade_label', cqs.grade_label(s.grade, lang), 'reference', s.reference,
             'finalised_at', cqs._export_instant(s.finalised_at), 'due_at', cqs._export_instant(s.due_at),
             'batch_id', s.batch_id, 'status', s.status, 'late', s.late, 'problem', s.problem)
      FROM cqs.outbox_status s
     WHERE s.period < v_to
       AND CASE s.period_kind WHEN 'year' THEN (s.period + interval '1 year')::date
                              ELSE cqs.period_end(s.period, s.period_kind) END > v_from
       AND (v_orgs IS NULL OR s.organisation_id = ANY (v_orgs))
     ORDER BY s.item_id;
  WHEN 'overdue' THEN
    RETURN QUERY
    SELECT jsonb_build_object('person_id', d.person_id, 'personnel_id', p.personnel_id, 'full_name', p.full_name,
             'organisation_id', d.organisation_id, 'organisation_name', o.name, 'kind', d.kind,
             'period_or_year_start', d.period_or_year_start, 'period_kind', d.period_kind,
             'assessment_status', d.assessment_status, 'due_on', d.due_on, 'done_on', d.done_on,
             'days_overdue', coalesce(d.done_on, current_date) - d.due_on)
      FROM cqs.overdue d
      JOIN cqs.organisation o ON o.organisation_id = d.organisation_id
      LEFT JOIN cqs.person p ON p.person_id = d.person_id
     WHERE d.period_or_year_start >= v_from AND d.period_or_year_start < v_to
       AND (v_orgs IS NULL OR d.organisation_id = ANY (v_orgs))
     ORDER BY d.organisation_id, d.person_id, d.period_or_year_start, d.kind, d.due_on;
  WHEN 'evaluator_todo' THEN
    RETURN QUERY
    SELECT jsonb_build_object('person_id', t.person_id, 'personnel_id', t.personnel_id, 'full_name', t.full_name,
             'organisation_id', t.organisation_id, 'organisation_name', t.organisation_name, 'period', t.period,
             'period_kind', t.period_kind, 'assessment_status', t.assessment_status, 'action', t.action,
             'self_assessed_at', cqs._export_instant(t.self_assessed_at), 'due_on', t.due_on, 'overdue', t.overdue,
             'days_overdue', t.days_overdue, 'total', t.total, 'grade', t.grade,
             'grade_label', cqs.grade_label(t.grade, lang))
      FROM cqs.evaluator_todo t
     WHERE t.period >= v_from AND t.period < v_to
       AND (v_orgs IS NULL OR t.organisation_id = ANY (v_orgs))
     ORDER BY t.due_on, t.organisation_id, t.person_id, t.period;
  END CASE;
END $$;
COMMENT ON FUNCTION cqs._export_rows(text, bigint, text, text) IS
  'Art. 17, 21, 26: the rows of an export dataset as JSON objects, read through its view with the caller''s rights';

-- ---------------------------------------------------------------------------
-- CSV for Excel: a header row (Vietnamese, or English), one line per row, CRLF after
-- every line, fields quoted as RFC 4180 needs (cqs._csv_field), the UTF-8 byte order
-- mark first so that Excel reads Vietnamese right, ';' between fields (what Excel
-- expects where the decimal mark is a comma) and, on request, the decimal comma.  Free
-- text beginning with = + - @ (or a tab or CR) gets a leading apostrophe, so that a
-- spreadsheet shows it instead of running it as a formula.
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs.export_csv(dataset text, organisation_id bigint DEFAULT NULL, period text DEFAULT NULL,
                               separator text DEFAULT ';', decimal_comma boolean DEFAULT false,
                               bom boolean DEFAULT true, lang text DEFAULT 'vi')
RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_cols record;
  v_keys text[];
  v_kinds text[];
  v_head text;
  v_body text;
BEGIN
  IF separator IS NULL OR length(separator) <> 1 OR separator ~ '["\r\n]' OR separator ~ '[0-9A-Za-z.]' THEN
    RAISE EXCEPTION 'separator must be one character such as ";", "," or a tab, and not a quote, a line break, a letter, a digit or a point, got %',
                    coalesce('"' || separator || '"', 'NULL')
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF decimal_comma IS NULL OR bom IS NULL THEN
    RAISE EXCEPTION 'decimal_comma and bom must be true or false, not NULL' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF lang IS NULL OR lang NOT IN ('vi', 'en') THEN
    RAISE EXCEPTION 'lang must be ''vi'' or ''en'', got %', coalesce('"' || lang || '"', 'NULL')
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT array_agg(c.key ORDER BY c.ordinal), array_agg(c.kind ORDER BY c.ordinal),
         string_agg(cqs._csv_field(CASE lang WHEN 'en' THEN c.header_en ELSE c.header_vi END, separator), separator
                    ORDER BY c.ordinal)
    INTO v_keys, v_kinds, v_head
    FROM cqs.export_columns(dataset) c;

  SELECT string_agg(
           (SELECT string_agg(cqs._csv_field(cqs._export_csv_value(r.j -> k.key, k.kind, decimal_comma, lang), separator),
                              separator ORDER BY k.n)
              FROM unnest(v_keys, v_kinds) WITH ORDINALITY AS k(key, kind, n)) || E'\r\n',
           '' ORDER BY r.n)
    INTO v_body
    FROM cqs._export_rows(dataset, organisation_id, period, lang) WITH ORDINALITY AS r(j, n);

  RETURN CASE WHEN bom THEN chr(65279) ELSE '' END || v_head || E'\r\n' || coalesce(v_body, '');
END $$;
COMMENT ON FUNCTION cqs.export_csv(text, bigint, text, text, boolean, boolean, text) IS
  'Art. 17, 21, 26, Forms 01-02: a dataset as CSV for Excel (UTF-8 with BOM, header row, ";" and CRLF by default, decimal comma on request), the reader''s rows only (row-level security)';

-- One value as a CSV field's text (before quoting).
CREATE FUNCTION cqs._export_csv_list(value jsonb) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT string_agg(x.e, '; ' ORDER BY x.n) FROM jsonb_array_elements_text($1) WITH ORDINALITY AS x(e, n)
$$;
COMMENT ON FUNCTION cqs._export_csv_list(jsonb) IS 'Exports: a JSON array as one CSV text, its elements joined with "; "';

CREATE FUNCTION cqs._export_csv_value(value jsonb, kind text, decimal_comma boolean, lang text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
         WHEN value IS NULL OR jsonb_typeof(value) = 'null' THEN NULL
         WHEN kind = 'number' THEN CASE WHEN decimal_comma THEN replace(value #>> '{}', '.', ',') ELSE value #>> '{}' END
         WHEN kind = 'boolean' THEN CASE WHEN value = 'true'::jsonb THEN CASE lang WHEN 'en' THEN 'yes' ELSE 'có' END
                                         ELSE CASE lang WHEN 'en' THEN 'no' ELSE 'không' END END
         WHEN kind = 'list' THEN cqs._export_csv_list(value)
         WHEN kind = 'text' AND (value #>> '{}') ~ '^[=+@\t\r-]' THEN '''' || (value #>> '{}')
         ELSE value #>> '{}'
       END;
COMMENT ON FUNCTION cqs._export_csv_value(jsonb, text, boolean, text) IS
  'Exports: one value as CSV text: numbers as recorded (decimal comma on request), có/không, lists joined with "; ", free text guarded against spreadsheet formulas';

-- ---------------------------------------------------------------------------
-- JSON for web APIs: one document, numbers as JSON numbers with their recorded decimals
-- (76.70), dates YYYY-MM-DD, instants in UTC, grades as codes with their label.
--   {"schema": "cqs_eval.export", "schema_version": 1, "dataset", "organisation_id",
--    "period", "lang", "row_count", "columns": [{"key", "kind", "header"}], "rows": [{...}]}
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs.export_json(dataset text, organisation_id bigint DEFAULT NULL, period text DEFAULT NULL,
                                lang text DEFAULT 'vi')
RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_rows jsonb;
  v_n    bigint;
BEGIN
  SELECT coalesce(jsonb_agg(r.j ORDER BY r.n), '[]'), count(*) INTO v_rows, v_n
    FROM cqs._export_rows(dataset, organisation_id, period, lang) WITH ORDINALITY AS r(j, n);
  RETURN jsonb_build_object(
    'schema', 'cqs_eval.export', 'schema_version', 1, 'dataset', dataset,
    'organisation_id', organisation_id, 'period', period, 'lang', lang, 'row_count', v_n,
    'columns', (SELECT jsonb_agg(jsonb_build_object('key', c.key, 'kind', c.kind,
                                                    'header', CASE lang WHEN 'en' THEN c.header_en ELSE c.header_vi END)
                                 ORDER BY c.ordinal)
                  FROM cqs.export_columns(dataset) c),
    'rows', v_rows);
END $$;
COMMENT ON FUNCTION cqs.export_json(text, bigint, text, text) IS
  'Art. 17, 21, 26, Forms 01-02: a dataset as one JSON document for web APIs (schema cqs_eval.export 1), numbers as recorded, the reader''s rows only (row-level security)';
-- Layer 8: row-level security, the audit trail, and the roles' setup.
--
-- Policies are created here, by the install script, so every restore path (which
-- recreates the extension) recreates them exactly; pg_dump does not dump policies of an
-- extension's tables.  They name no role: they read the actor's person and mandates
-- (45_identity.sql), and the group roles made by cqs.setup_roles() only open the doors
-- (table privileges).  The owner's code (SECURITY DEFINER, the owner being a superuser)
-- is not subject to them, so results, leaders' d and grades are still computed over
-- whole organisations.

-- People just recorded, with no posting yet, are visible to every personnel section (so
-- the one recording them can place them).  Who has no posting is kept in a derived table
-- by the writer's triggers (a scan of every person per query would cost the city its
-- pages: 0.3 s at 300,000 people, measured).
CREATE TABLE cqs.unposted_person (person_id bigint PRIMARY KEY);
REVOKE ALL ON cqs.unposted_person FROM PUBLIC;
CREATE FUNCTION cqs._track_unposted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_TABLE_NAME = 'person' AND TG_OP = 'INSERT' THEN
    INSERT INTO cqs.unposted_person SELECT n.person_id FROM new_rows n
     WHERE NOT EXISTS (SELECT 1 FROM cqs.posting ps WHERE ps.person_id = n.person_id)
    ON CONFLICT DO NOTHING;
  ELSIF TG_TABLE_NAME = 'person' AND TG_OP = 'DELETE' THEN
    DELETE FROM cqs.unposted_person u USING old_rows o WHERE u.person_id = o.person_id;
  ELSIF TG_OP IN ('INSERT', 'UPDATE') THEN       -- a posting: its person is placed
    DELETE FROM cqs.unposted_person u USING new_rows n WHERE u.person_id = n.person_id;
    IF TG_OP = 'UPDATE' THEN
      INSERT INTO cqs.unposted_person SELECT DISTINCT o.person_id FROM old_rows o
       WHERE NOT EXISTS (SELECT 1 FROM cqs.posting ps WHERE ps.person_id = o.person_id)
         AND EXISTS (SELECT 1 FROM cqs.person pe WHERE pe.person_id = o.person_id)
      ON CONFLICT DO NOTHING;
    END IF;
  ELSE                                            -- postings deleted: people left without one
    INSERT INTO cqs.unposted_person SELECT DISTINCT o.person_id FROM old_rows o
     WHERE NOT EXISTS (SELECT 1 FROM cqs.posting ps WHERE ps.person_id = o.person_id)
       AND EXISTS (SELECT 1 FROM cqs.person pe WHERE pe.person_id = o.person_id)
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER person_unposted_ins AFTER INSERT ON cqs.person REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._track_unposted();
CREATE TRIGGER person_unposted_del AFTER DELETE ON cqs.person REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._track_unposted();
CREATE TRIGGER posting_unposted_ins AFTER INSERT ON cqs.posting REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._track_unposted();
CREATE TRIGGER posting_unposted_upd AFTER UPDATE ON cqs.posting REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._track_unposted();
CREATE TRIGGER posting_unposted_del AFTER DELETE ON cqs.posting REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._track_unposted();
-- (A restore loads people and postings by COPY, which fires these triggers too: the
-- table ends exact whatever the order.)

CREATE FUNCTION cqs._unposted_people() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(array_agg(u.person_id), '{}') FROM cqs.unposted_person u
   WHERE cardinality(cqs._personnel_organisations()) > 0
$$;

-- ---------------------------------------------------------------------------
-- Row-level security.  Each scope is computed once per query (an InitPlan or a hashed
-- subplan), never per row.
-- ---------------------------------------------------------------------------
DO $$
DECLARE
  v_self       text := 'person_id = (SELECT cqs.acting_person())';
  v_seen       text := 'organisation_id IN (SELECT unnest((SELECT cqs._seen_organisations())))';
  v_ident      text := 'organisation_id IN (SELECT unnest((SELECT cqs._identified_organisations())))';
  v_evaluated  text := '(person_id, organisation_id) IN (SELECT e.person_id, e.organisation_id FROM cqs._evaluated() e)';
  v_people     text := 'person_id IN (SELECT unnest((SELECT cqs._identified_people())))';
  v_pers_org   text := 'organisation_id IN (SELECT unnest((SELECT cqs._personnel_organisations())))';
  v_pers_ppl   text := 'person_id IN (SELECT unnest((SELECT cqs._personnel_people())))';
  t            text;
BEGIN
  -- Results and assessments: the person, those who evaluate them, and every mandate over
  -- the organisation (analysts read results; the assessment's comments are withheld from
  -- them by column privileges, names by the people table's policy).
  FOREACH t IN ARRAY ARRAY['period_result', 'locked_result', 'year_result', 'grade_decision', 'assessment',
                           'imported_total'] LOOP
    EXECUTE format('ALTER TABLE cqs.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON cqs.%I FOR SELECT USING (%s OR %s OR %s)',
                   t || '_read', t, v_self, v_seen, v_evaluated);
  END LOOP;
  -- Postings and task lines identify people and their work: not for analysts unless
  -- identified.  The personnel section manages both; heads assign their units' tasks.
  FOREACH t IN ARRAY ARRAY['posting', 'task_line'] LOOP
    EXECUTE format('ALTER TABLE cqs.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON cqs.%I FOR SELECT USING (%s OR %s OR %s)',
                   t || '_read', t, v_self, v_ident, v_evaluated);
    EXECUTE format('CREATE POLICY %I ON cqs.%I FOR INSERT WITH CHECK (%s%s)', t || '_insert', t, v_pers_org,
                   CASE t WHEN 'task_line' THEN ' OR ' || v_evaluated ELSE '' END);
    EXECUTE format('CREATE POLICY %1$I ON cqs.%2$I FOR UPDATE USING (%3$s%4$s) WITH CHECK (%3$s%4$s)', t || '_update', t,
                   v_pers_org, CASE t WHEN 'task_line' THEN ' OR ' || v_evaluated ELSE '' END);
    EXECUTE format('CREATE POLICY %I ON cqs.%I FOR DELETE USING (%s%s)', t || '_delete', t, v_pers_org,
                   CASE t WHEN 'task_line' THEN ' OR ' || v_evaluated ELSE '' END);
  END LOOP;
  -- Failures and delays of a task line: whoever reads the line reads them; whoever may
  -- change the line records them (the same rules, on the line's columns).
  ALTER TABLE cqs.task_deduction ENABLE ROW LEVEL SECURITY;
  CREATE POLICY task_deduction_read ON cqs.task_deduction FOR SELECT
    USING (task_line_id IN (SELECT t.task_line_id FROM cqs.task_line t));
  EXECUTE format('CREATE POLICY task_deduction_insert ON cqs.task_deduction FOR INSERT WITH CHECK '
                 '(task_line_id IN (SELECT t.task_line_id FROM cqs.task_line t WHERE %s OR %s))', v_pers_org, v_evaluated);
  EXECUTE format('CREATE POLICY task_deduction_update ON cqs.task_deduction FOR UPDATE USING '
                 '(task_line_id IN (SELECT t.task_line_id FROM cqs.task_line t WHERE %1$s OR %2$s)) WITH CHECK '
                 '(task_line_id IN (SELECT t.task_line_id FROM cqs.task_line t WHERE %1$s OR %2$s))', v_pers_org, v_evaluated);
  EXECUTE format('CREATE POLICY task_deduction_delete ON cqs.task_deduction FOR DELETE USING '
                 '(task_line_id IN (SELECT t.task_line_id FROM cqs.task_line t WHERE %s OR %s))', v_pers_org, v_evaluated);
  -- Records of a person: the person, those who evaluate them, identified mandates; the
  -- personnel section manages leave, discipline, overrides and the year's procedure.
  FOREACH t IN ARRAY ARRAY['person', 'leave_record', 'discipline', 'year_override', 'year_grading', 'quota_choice',
                           'complaint'] LOOP
    EXECUTE format('ALTER TABLE cqs.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON cqs.%I FOR SELECT USING (%s OR %s%s)', t || '_read', t, v_self, v_people,
                   CASE t WHEN 'person' THEN
                     ' OR person_id IN (SELECT unnest((SELECT cqs._unposted_people())))' ELSE '' END);
    IF t IN ('leave_record', 'discipline', 'year_override', 'year_grading', 'person') THEN
      EXECUTE format('CREATE POLICY %I ON cqs.%I FOR INSERT WITH CHECK (%s)', t || '_insert', t,
                     CASE t WHEN 'person' THEN 'cardinality((SELECT cqs._personnel_organisations())) > 0'
                            ELSE v_pers_ppl END);
      EXECUTE format('CREATE POLICY %1$I ON cqs.%2$I FOR UPDATE USING (%3$s) WITH CHECK (%3$s)', t || '_update', t,
                     CASE t WHEN 'person' THEN v_pers_ppl || ' OR person_id IN (SELECT unnest((SELECT cqs._unposted_people())))'
                            ELSE v_pers_ppl END);
      EXECUTE format('CREATE POLICY %I ON cqs.%I FOR DELETE USING (%s)', t || '_delete', t,
                     CASE t WHEN 'person' THEN v_pers_ppl || ' OR person_id IN (SELECT unnest((SELECT cqs._unposted_people())))'
                            ELSE v_pers_ppl END);
    END IF;
  END LOOP;
  -- Imported totals: the personnel section of the organisation they were notified in.
  EXECUTE format('CREATE POLICY imported_total_insert ON cqs.imported_total FOR INSERT WITH CHECK (%s)', v_pers_org);
  EXECUTE format('CREATE POLICY imported_total_update ON cqs.imported_total FOR UPDATE USING (%1$s) WITH CHECK (%1$s)', v_pers_org);
  EXECUTE format('CREATE POLICY imported_total_delete ON cqs.imported_total FOR DELETE USING (%s)', v_pers_org);
  -- The 25% decisions (Art. 8.5.b, 20.5.b): everyone reads them; an authority records
  -- them for its own subtree only.
  ALTER TABLE cqs.quota_decision ENABLE ROW LEVEL SECURITY;
  CREATE POLICY quota_decision_read ON cqs.quota_decision FOR SELECT USING (true);
  CREATE POLICY quota_decision_insert ON cqs.quota_decision FOR INSERT
    WITH CHECK (organisation_id IN (SELECT unnest((SELECT cqs._authority_organisations()))));
  -- An organisation's year: everyone reads it; its personnel section enters the facts.
  ALTER TABLE cqs.organisation_year ENABLE ROW LEVEL SECURITY;
  CREATE POLICY organisation_year_read ON cqs.organisation_year FOR SELECT USING (true);
  EXECUTE format('CREATE POLICY organisation_year_insert ON cqs.organisation_year FOR INSERT WITH CHECK (%s)', v_pers_org);
  EXECUTE format('CREATE POLICY organisation_year_update ON cqs.organisation_year FOR UPDATE USING (%1$s) WITH CHECK (%1$s)',
                 v_pers_org);
END $$;

-- Taking work in (72_ingest.sql): a source, its mappings, queue and batches are read by
-- its connector login, the personnel section of its organisation (and above) and the
-- administrators; the mappings are reviewed by the latter two.  The connector writes
-- only through cqs.ingest_tasks (owner's rights).
CREATE FUNCTION cqs._ingest_sources(reviewing boolean) RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
  SELECT coalesce(array_agg(s.source), '{}')
    FROM cqs.ingest_source s
   WHERE cqs._is_admin()
      OR (NOT $1 AND s.connector_login = cqs._actor_login())
      OR s.organisation_id = ANY (cqs._personnel_organisations())
$$;
DO $$
DECLARE
  v_mine   text := 'source IN (SELECT unnest((SELECT cqs._ingest_sources(false))))';
  v_review text := 'source IN (SELECT unnest((SELECT cqs._ingest_sources(true))))';
  t        text;
BEGIN
  FOREACH t IN ARRAY ARRAY['ingest_source', 'ingest_cutoff', 'ingest_assignee_map', 'ingest_type_map', 'ingest_task',
                           'ingest_batch'] LOOP
    EXECUTE format('ALTER TABLE cqs.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON cqs.%I FOR SELECT USING (%s)', t || '_read', t, v_mine);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['ingest_assignee_map', 'ingest_type_map'] LOOP
    EXECUTE format('CREATE POLICY %I ON cqs.%I FOR INSERT WITH CHECK (%s)', t || '_insert', t, v_review);
    EXECUTE format('CREATE POLICY %1$I ON cqs.%2$I FOR UPDATE USING (%3$s) WITH CHECK (%3$s)', t || '_update', t, v_review);
    EXECUTE format('CREATE POLICY %I ON cqs.%I FOR DELETE USING (%s)', t || '_delete', t, v_review);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['ingest_source', 'ingest_cutoff'] LOOP
    EXECUTE format('CREATE POLICY %I ON cqs.%I FOR ALL USING ((SELECT cqs._is_admin())) WITH CHECK ((SELECT cqs._is_admin()))',
                   t || '_admin', t);
  END LOOP;
END $$;

-- ---------------------------------------------------------------------------
-- Decisions stay as they were made (Art. 21.3, 22): a grading decision changes only to
-- record its notification and publication, once; a complaint only until it is resolved;
-- neither is deleted (a correction is a re-grading, a withdrawal is an outcome).
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs._decisions_kept() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_old jsonb := to_jsonb(OLD);
  v_new jsonb := CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(NEW) END;
BEGIN
  IF TG_TABLE_NAME = 'grade_decision' AND TG_OP = 'UPDATE'
     AND v_new - 'notified_at' - 'published_at' = v_old - 'notified_at' - 'published_at'
     AND (v_old ->> 'notified_at' IS NULL OR v_new -> 'notified_at' = v_old -> 'notified_at')
     AND (v_old ->> 'published_at' IS NULL OR v_new -> 'published_at' = v_old -> 'published_at') THEN
    RETURN NEW;
  END IF;
  IF TG_TABLE_NAME = 'complaint' AND TG_OP = 'UPDATE' AND v_old ->> 'outcome' IS NULL THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% on cqs.% refused: decisions and resolved complaints are kept as they were made', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'object_not_in_prerequisite_state',
          HINT = 'Art. 21.3: a correction is a new decision (cqs.regrade); a complaint is resolved once (cqs.resolve_complaint).';
END $$;
CREATE TRIGGER grade_decision_kept BEFORE UPDATE OR DELETE ON cqs.grade_decision
  FOR EACH ROW EXECUTE FUNCTION cqs._decisions_kept();
CREATE TRIGGER complaint_kept BEFORE UPDATE OR DELETE ON cqs.complaint
  FOR EACH ROW EXECUTE FUNCTION cqs._decisions_kept();

-- A login linked to a person must exist (its name is what the database records).
CREATE FUNCTION cqs._check_person_login() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF cqs._loading_records() THEN
    RETURN NEW;                       -- a restore: roles are restored separately (pg_dumpall --roles-only)
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = NEW.login) THEN
    RAISE EXCEPTION 'no login role %', NEW.login
      USING ERRCODE = 'invalid_parameter_value', HINT = 'CREATE ROLE ... LOGIN first, then link it to the person.';
  END IF;
  IF cqs._in_group(NEW.login, 'cqs_portal') THEN
    RAISE EXCEPTION 'login % is a portal login (cqs_portal): it acts for people with cqs.act_as, it is not one', NEW.login
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER person_login_check BEFORE INSERT OR UPDATE ON cqs.person_login
  FOR EACH ROW EXECUTE FUNCTION cqs._check_person_login();

-- ---------------------------------------------------------------------------
-- The audit trail.  One statement trigger per record table writes one row per changed
-- record (UPDATE: the columns that changed, before and after).  A restore's COPY is not
-- a change and is not logged again.
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs._audit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_login  text;
  v_person bigint;
  v_reason text;
BEGIN
  IF cqs._loading_records() THEN
    RETURN NULL;
  END IF;
  v_login := cqs._actor_login();
  v_person := cqs.acting_person();
  v_reason := nullif(current_setting('cqs.audit_reason', true), '');
  IF TG_OP = 'INSERT' THEN
    INSERT INTO cqs.audit_log (login, acting_person, table_name, operation, row_key, person_id, period, new_values, reason)
    SELECT v_login, v_person, TG_TABLE_NAME, TG_OP, cqs._audit_key(x.j, TG_ARGV), (x.j ->> 'person_id')::bigint,
           cqs._audit_period(x.j), x.j, v_reason
      FROM (SELECT to_jsonb(n) AS j FROM new_rows n) x;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO cqs.audit_log (login, acting_person, table_name, operation, row_key, person_id, period, old_values, reason)
    SELECT v_login, v_person, TG_TABLE_NAME, TG_OP, cqs._audit_key(x.j, TG_ARGV), (x.j ->> 'person_id')::bigint,
           cqs._audit_period(x.j), x.j, v_reason
      FROM (SELECT to_jsonb(o) AS j FROM old_rows o) x;
  ELSE
    INSERT INTO cqs.audit_log (login, acting_person, table_name, operation, row_key, person_id, period,
                               old_values, new_values, reason)
    SELECT v_login, v_person, TG_TABLE_NAME, TG_OP, coalesce(o.k, n.k),
           (coalesce(n.j, o.j) ->> 'person_id')::bigint, cqs._audit_period(coalesce(n.j, o.j)),
           CASE WHEN n.j IS NULL THEN o.j WHEN o.j IS NULL THEN NULL
                ELSE (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(o.j) e WHERE n.j -> e.key IS DISTINCT FROM e.value) END,
           CASE WHEN o.j IS NULL THEN n.j WHEN n.j IS NULL THEN NULL
                ELSE (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(n.j) e WHERE o.j -> e.key IS DISTINCT FROM e.value) END,
           v_reason
      FROM (SELECT x.j, cqs._audit_key(x.j, TG_ARGV) AS k FROM (SELECT to_jsonb(r) AS j FROM old_rows r) x) o
      FULL JOIN (SELECT x.j, cqs._audit_key(x.j, TG_ARGV) AS k FROM (SELECT to_jsonb(r) AS j FROM new_rows r) x) n
        ON n.k = o.k
     WHERE o.j IS DISTINCT FROM n.j;
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION cqs._audit_key(j jsonb, keys text[]) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (SELECT pg_catalog.jsonb_object_agg(k.k, j -> k.k) FROM unnest(keys) AS k(k));

CREATE FUNCTION cqs._audit_period(j jsonb) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN j ? 'period' THEN (j ->> 'period')::date
            WHEN j ? 'year' THEN pg_catalog.make_date((j ->> 'year')::integer, 1, 1) END;

DO $$
DECLARE
  t      text;
  v_keys text;
BEGIN
  FOREACH t IN ARRAY ARRAY['criteria_set', 'criteria_item', 'organisation', 'person', 'posting', 'catalogue',
                           'catalogue_item', 'task_line', 'task_deduction', 'assessment', 'organisation_criteria', 'organisation_year',
                           'quota_decision', 'leave_record', 'discipline', 'year_override', 'public_holiday',
                           'year_grading', 'quota_choice', 'grade_decision', 'complaint', 'bonus_regulation',
                           'period_lock', 'person_login', 'mandate', 'delegation', 'imported_total',
                           'ingest_source', 'ingest_cutoff', 'ingest_assignee_map', 'ingest_type_map'] LOOP
    SELECT string_agg(format('%L', a.attname), ', ' ORDER BY array_position(i.indkey::int2[], a.attnum))
      INTO v_keys
      FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
     WHERE i.indrelid = format('cqs.%I', t)::regclass AND i.indisprimary;
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON cqs.%I REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION cqs._audit(%s)', t || '_audit_ins', t, v_keys);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON cqs.%I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION cqs._audit(%s)', t || '_audit_upd', t, v_keys);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON cqs.%I REFERENCING OLD TABLE AS old_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION cqs._audit(%s)', t || '_audit_del', t, v_keys);
  END LOOP;
END $$;

-- Append-only: nobody updates or deletes the trail; the retention procedure
-- (cqs.purge_audit) is the one exception, and it leaves a record of itself.
CREATE FUNCTION cqs._audit_log_kept() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('cqs.purging_audit', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '% on cqs.audit_log refused: the audit trail is append-only', TG_OP
    USING ERRCODE = 'object_not_in_prerequisite_state',
          HINT = 'HB ch. VIII: entries are kept; old ones leave only through cqs.purge_audit(), which is logged.';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON cqs.audit_log
  FOR EACH ROW EXECUTE FUNCTION cqs._audit_log_kept();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON cqs.audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._audit_log_kept();

ALTER TABLE cqs.audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_log_read ON cqs.audit_log FOR SELECT
  USING ((SELECT cqs._is_admin()) OR person_id = (SELECT cqs.acting_person())
         OR person_id IN (SELECT unnest((SELECT cqs._identified_people()))));

-- The retention procedure: entries older than the cut-off (at least a year old, so the
-- current grading year and its complaints stay) are deleted, and the deletion itself is
-- logged with its reason.  Owner only (revoked from PUBLIC, granted to nobody).
CREATE FUNCTION cqs.purge_audit(older_than timestamptz, reason text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_n bigint;
BEGIN
  IF older_than IS NULL OR older_than > now() - interval '1 year' THEN
    RAISE EXCEPTION 'audit entries are kept at least a year; % is too recent', older_than
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Choose a cut-off at least one year ago (the city''s retention rule may ask for more).';
  END IF;
  IF reason IS NULL OR length(btrim(reason)) = 0 THEN
    RAISE EXCEPTION 'purging the audit trail needs a reason' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM set_config('cqs.purging_audit', 'on', true);
  DELETE FROM cqs.audit_log a WHERE a.at < older_than;
  GET DIAGNOSTICS v_n = ROW_COUNT;
  PERFORM set_config('cqs.purging_audit', 'off', true);
  INSERT INTO cqs.audit_log (login, acting_person, table_name, operation, row_key, new_values, reason)
  VALUES (cqs._actor_login(), cqs.acting_person(), 'audit_log', 'DELETE', jsonb_build_object('older_than', older_than),
          jsonb_build_object('entries_deleted', v_n), reason);
  RETURN v_n;
END $$;
COMMENT ON FUNCTION cqs.purge_audit(timestamptz, text) IS
  'Retention: delete audit entries older than a cut-off (at least a year ago), with a reason; the purge is itself logged';

CREATE VIEW cqs.audit_trail WITH (security_invoker = true) AS
SELECT a.audit_id, a.at, a.login, a.acting_person, ap.personnel_id AS acting_personnel_id,
       a.table_name, a.operation, a.row_key, a.person_id, p.personnel_id, a.period,
       a.old_values, a.new_values, a.reason, a.xact_id
  FROM cqs.audit_log a
  LEFT JOIN cqs.person p ON p.person_id = a.person_id
  LEFT JOIN cqs.person ap ON ap.person_id = a.acting_person;
COMMENT ON VIEW cqs.audit_trail IS
  'Art. 24, HB ch. VIII: who changed what, when, as whom, from which values to which, and why (nhật ký thay đổi)';

-- Every public view runs with the rights of whoever queries it, so row-level security
-- applies through it exactly as on the tables.
DO $$
DECLARE
  v regclass;
BEGIN
  FOR v IN SELECT c.oid FROM pg_class c WHERE c.relnamespace = 'cqs'::regnamespace AND c.relkind = 'v'
              AND c.relname <> 'refresh_status' LOOP
    EXECUTE format('ALTER VIEW %s SET (security_invoker = true)', v);
  END LOOP;
END $$;

-- ---------------------------------------------------------------------------
-- The group roles (roles belong to the cluster, so the install script makes none).
-- cqs.setup_roles() creates the missing ones as NOLOGIN and grants each its rights;
-- run it again at any time (after an upgrade, on a restored cluster): it changes only
-- what is missing.  Logins are then made members:  GRANT cqs_servant TO nva;
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs.setup_roles()
RETURNS TABLE (role_name text, created boolean, purpose text)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET client_min_messages = warning AS $$
DECLARE
  r         record;
  v_config  text := 'cqs.organisation, cqs.organisation_policy, cqs.organisation_closure, cqs.criteria_set, '
                    'cqs.criteria_item, cqs.catalogue, cqs.catalogue_item, cqs.organisation_criteria, '
                    'cqs.public_holiday, cqs.period_lock, cqs.bonus_regulation, cqs.organisation_year, '
                    'cqs.stale_month, cqs.refresh_queue, cqs.quota_decision, cqs.delegation, cqs.message_text';
  v_results text := 'cqs.period_result, cqs.locked_result, cqs.year_result, cqs.grade_decision, cqs.imported_total';
  v_people  text := 'cqs.person, cqs.posting, cqs.task_line, cqs.task_deduction, cqs.assessment, cqs.leave_record, cqs.discipline, '
                    'cqs.year_override, cqs.year_grading, cqs.quota_choice, cqs.complaint';
  v_views   text;
BEGIN
  SELECT string_agg(c.oid::regclass::text, ', ' ORDER BY c.relname) INTO v_views
    FROM pg_class c WHERE c.relnamespace = 'cqs'::regnamespace AND c.relkind = 'v' AND c.relname <> 'audit_trail'
     AND c.relname NOT LIKE 'ingest\_%';
  FOR r IN SELECT * FROM (VALUES
      ('cqs_servant',   'civil servants (công chức): their own results, Form 01 and 02, complaints'),
      ('cqs_evaluator', 'leaders (người đánh giá): confirm, leader terms, their units'' task lines'),
      ('cqs_personnel', 'personnel sections (bộ phận tổ chức cán bộ): records of their agency''s subtree, locking periods'),
      ('cqs_authority', 'grading authorities (cấp có thẩm quyền): decisions, quota, organisations, complaints, reopening'),
      ('cqs_analyst',   'analysts: results and distributions, pseudonymous unless the mandate is identified'),
      ('cqs_portal',    'portals: act for the person they authenticated (cqs.act_as), with that person''s rights'),
      ('cqs_jobs',      'scheduled jobs (pg_cron): refresh queue, rebuild, the year''s grading, closing months, the outbox''s transport'),
      ('cqs_admin',     'the extension''s administrators: organisations, catalogues, mandates, logins, the audit trail'),
      ('cqs_ingest',    'connectors of document-management systems: send task batches to their own source, read its queue'))
      AS v(role_name, purpose) LOOP
    role_name := r.role_name;
    purpose := r.purpose;
    created := NOT EXISTS (SELECT 1 FROM pg_roles x WHERE x.rolname = r.role_name);
    IF created THEN
      EXECUTE format('CREATE ROLE %I NOLOGIN', r.role_name);
    END IF;
    EXECUTE format('COMMENT ON ROLE %I IS %L', r.role_name, 'cqs_eval: ' || r.purpose);
    EXECUTE format('GRANT USAGE ON SCHEMA cqs TO %I', r.role_name);
    RETURN NEXT;
  END LOOP;

  -- Readers: everyone who reads reads through row-level security.
  EXECUTE format('GRANT SELECT ON %s, %s, %s, %s TO cqs_servant, cqs_evaluator, cqs_personnel, cqs_authority',
                 v_config, v_results, v_people, v_views);
  EXECUTE format('GRANT SELECT ON %s, %s, %s TO cqs_analyst', v_config, v_results, v_views);
  -- Analysts: the tables that identify people open (the views read them), their rows only
  -- through identified mandates; assessments without the comments.
  GRANT SELECT ON cqs.person, cqs.posting, cqs.task_line, cqs.task_deduction, cqs.leave_record, cqs.discipline, cqs.year_override,
                  cqs.year_grading, cqs.quota_choice, cqs.complaint TO cqs_analyst;
  GRANT SELECT (person_id, period, organisation_id, criteria_set_id, self_scores, evaluator_scores, self_total,
                evaluator_total, evaluator_id, dd, e, support_quality, support_compliance, support_efficiency,
                status, self_assessed_at, confirmed_at, locked_at) ON cqs.assessment TO cqs_analyst;
  -- The procedure, each step by whoever the decree names (the functions check who acts).
  GRANT EXECUTE ON FUNCTION cqs.self_assess(bigint, date, numeric[], text, text),
                            cqs.propose_grade(bigint, integer, cqs.grade),
                            cqs.file_complaint(bigint, text, date),
                            cqs.file_period_complaint(bigint, date, text, date) TO cqs_servant, cqs_personnel;
  GRANT EXECUTE ON FUNCTION cqs.confirm(bigint, date, numeric[], text),
                            cqs.set_leader_terms(bigint, date, numeric, text, numeric, text) TO cqs_evaluator;
  -- Task lines: every column a person enters (deductions_recorded is the extension's).
  GRANT INSERT (person_id, organisation_id, period, item_id, similar_item_id, title, coefficient, assigned_qty,
                deadline, completed_qty, completed_on, quality_failures, late_occurrences, origin, external_source,
                external_id),
        UPDATE (person_id, organisation_id, period, item_id, similar_item_id, title, coefficient, assigned_qty,
                deadline, completed_qty, completed_on, quality_failures, late_occurrences, origin, external_source,
                external_id),
        DELETE ON cqs.task_line TO cqs_evaluator, cqs_personnel;
  GRANT INSERT (task_line_id, kind, concerned_qty, days_late, noted_on, description, exemption_reference),
        UPDATE (task_line_id, kind, concerned_qty, days_late, noted_on, description, exemption_reference),
        DELETE ON cqs.task_deduction TO cqs_evaluator, cqs_personnel;
  GRANT INSERT, UPDATE, DELETE ON cqs.person, cqs.posting, cqs.leave_record, cqs.discipline, cqs.year_override,
                                  cqs.year_grading, cqs.imported_total TO cqs_personnel;
  GRANT INSERT (organisation_id, year, criteria_code, general_scores, task_scores, tasks_assigned, tasks_completed,
                tasks_on_time, tasks_exceeded, tasks_late, planned_tasks, planned_tasks_done, shortcomings_fixed,
                violation_concluded, violation_note, force_majeure, self_proposed_grade),
        UPDATE (criteria_code, general_scores, task_scores, tasks_assigned, tasks_completed, tasks_on_time,
                tasks_exceeded, tasks_late, planned_tasks, planned_tasks_done, shortcomings_fixed, violation_concluded,
                violation_note, force_majeure, self_proposed_grade) ON cqs.organisation_year TO cqs_personnel;
  GRANT EXECUTE ON FUNCTION cqs.lock_period(bigint, date, text, boolean) TO cqs_personnel;
  GRANT EXECUTE ON FUNCTION cqs.decide_grade(bigint, integer, cqs.grade, text, text, text),
                            cqs.regrade(bigint, integer, cqs.grade, text, text, text),
                            cqs.choose_quota(bigint, integer, boolean, text),
                            cqs.decide_organisation_grade(bigint, integer, cqs.grade, text, text),
                            cqs.resolve_complaint(bigint, text, text, date),
                            cqs.reopen_period(bigint, date, text) TO cqs_authority;
  GRANT INSERT ON cqs.quota_decision TO cqs_authority;
  GRANT EXECUTE ON FUNCTION cqs.bonus_allocation(bigint, text, numeric) TO cqs_personnel, cqs_authority;
  -- Documents (65_documents.sql): forms for whoever may read the person (the function
  -- checks, row-level security picks the rows); the public notice for those who publish
  -- it; the organisation sheet and the analyst's report for mandates over the organisation.
  GRANT EXECUTE ON FUNCTION cqs.form01_html(bigint, date), cqs.form02_html(bigint, integer)
     TO cqs_servant, cqs_evaluator, cqs_personnel, cqs_authority;
  GRANT EXECUTE ON FUNCTION cqs.publication_list_html(bigint, integer) TO cqs_personnel, cqs_authority;
  GRANT EXECUTE ON FUNCTION cqs.organisation_sheet_html(bigint, integer)
     TO cqs_evaluator, cqs_personnel, cqs_authority, cqs_analyst;
  GRANT EXECUTE ON FUNCTION cqs.analyst_report_html(bigint, integer) TO cqs_analyst, cqs_personnel, cqs_authority;
  -- A portal holds every door a person may need; the person's postings and mandates
  -- decide which rows and which steps.
  GRANT cqs_servant, cqs_evaluator, cqs_personnel, cqs_authority TO cqs_portal;
  GRANT EXECUTE ON FUNCTION cqs.act_as(bigint), cqs.act_as(text) TO cqs_portal;
  -- Jobs compute; they read no personal data.
  GRANT SELECT ON cqs.refresh_status TO cqs_jobs;
  GRANT EXECUTE ON PROCEDURE cqs.process_queue(integer, integer) TO cqs_jobs;
  GRANT EXECUTE ON FUNCTION cqs._drain_batch(integer), cqs.rebuild(date, date), cqs.grade_year(integer),
                            cqs.grade_organisations(integer) TO cqs_jobs;
  -- Administrators: the configuration, who is who, the audit trail; they run jobs too.
  GRANT SELECT, INSERT, UPDATE, DELETE ON cqs.organisation, cqs.criteria_set, cqs.criteria_item, cqs.catalogue,
                                          cqs.catalogue_item, cqs.organisation_criteria, cqs.public_holiday,
                                          cqs.bonus_regulation, cqs.person_login, cqs.mandate, cqs.delegation
     TO cqs_admin;
  EXECUTE format('GRANT SELECT ON %s, %s, cqs.audit_log, cqs.audit_trail TO cqs_admin', v_config, v_views);
  GRANT SELECT ON cqs.person TO cqs_admin;     -- the audit trail's names (row-level security still applies)
  GRANT EXECUTE ON FUNCTION cqs.import_catalogue(bigint, text, date, text, numeric, integer, text) TO cqs_admin;
  -- The CSV loaders (70_import.sql) write with the caller's rights: the organisation tree
  -- for administrators, people, postings, leave, discipline and earlier totals for the
  -- personnel section, task lines for it and for the heads who assign them.
  GRANT EXECUTE ON FUNCTION cqs.load_csv(text, text, boolean), cqs.csv_problems(text, text)
     TO cqs_admin, cqs_personnel, cqs_evaluator;
  GRANT EXECUTE ON FUNCTION cqs._personnel_ids_taken(text[]) TO cqs_personnel;
  GRANT cqs_jobs TO cqs_admin;
  -- Whoever may read a person's records may read their audit entries.
  GRANT SELECT ON cqs.audit_log, cqs.audit_trail TO cqs_servant, cqs_personnel, cqs_authority, cqs_evaluator;
  -- The national-database outbox and the jobs (75_operations.sql): outbox items are read
  -- like results (not by analysts: they carry the personal identification number);
  -- batches carry no personal data.  The jobs login -- and the province's transport, a
  -- login in cqs_jobs -- batches, exports and acknowledges, runs and schedules the jobs.
  GRANT SELECT ON cqs.outbox TO cqs_servant, cqs_evaluator, cqs_personnel, cqs_authority;
  GRANT SELECT ON cqs.outbox_batch TO cqs_servant, cqs_evaluator, cqs_personnel, cqs_authority, cqs_analyst, cqs_jobs;
  GRANT SELECT ON cqs.job_run, cqs.job_step, cqs.job_runs TO cqs_jobs;
  GRANT EXECUTE ON PROCEDURE cqs.run_job(text) TO cqs_jobs;
  GRANT EXECUTE ON FUNCTION cqs._job_start(text), cqs._job_step(bigint, integer), cqs._job_finish(bigint),
                            cqs.outbox_prepare(integer), cqs.outbox_next_batch(integer, interval), cqs.outbox_json(bigint),
                            cqs.outbox_csv(bigint), cqs.outbox_acknowledge(bigint, text), cqs.outbox_release(bigint, text),
                            cqs.schedule_jobs(text, jsonb), cqs.unschedule_jobs(), cqs._cron_problem(name) TO cqs_jobs;
  -- Taking work in (72_ingest.sql): a connector sends batches to its own source (the
  -- functions check which login is the source's connector) and reads its source's queue
  -- and mappings, nothing else -- no personal records, no task lines.  The personnel
  -- section of a source's organisation and the administrators review the mappings
  -- (row-level security picks the sources) and retry the queue.
  GRANT SELECT ON cqs.ingest_source, cqs.ingest_cutoff, cqs.ingest_assignee_map, cqs.ingest_type_map, cqs.ingest_task,
                  cqs.ingest_batch, cqs.ingest_queue, cqs.ingest_unmapped
     TO cqs_ingest, cqs_personnel, cqs_admin;
  GRANT SELECT ON cqs.ingest_provenance TO cqs_personnel;   -- it reads task lines
  GRANT EXECUTE ON FUNCTION cqs.ingest_tasks(text, jsonb), cqs.ingest_tasks_csv(text, text) TO cqs_ingest, cqs_admin;
  GRANT EXECUTE ON FUNCTION cqs.ingest_retry(text, boolean) TO cqs_ingest, cqs_personnel, cqs_admin;
  GRANT INSERT (source, external_assignee, person_id, seen_label, note),
        UPDATE (person_id, note), DELETE ON cqs.ingest_assignee_map TO cqs_personnel, cqs_admin;
  GRANT INSERT (source, external_type, item_code, off_catalogue, coefficient, origin, seen_label, note),
        UPDATE (item_code, off_catalogue, coefficient, origin, note), DELETE ON cqs.ingest_type_map TO cqs_personnel, cqs_admin;
  GRANT INSERT, UPDATE, DELETE ON cqs.ingest_source, cqs.ingest_cutoff TO cqs_admin;
END $$;
COMMENT ON FUNCTION cqs.setup_roles() IS
  'Create (if missing) the NOLOGIN group roles cqs_servant, cqs_evaluator, cqs_personnel, cqs_authority, cqs_analyst, cqs_portal, cqs_jobs, cqs_admin, cqs_ingest and grant each its rights; idempotent';
-- Layer 9: dump registration and privileges.

-- User data survives pg_dump (the built-in Form 01 set is recreated by the extension).
SELECT pg_catalog.pg_extension_config_dump('cqs.criteria_set', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('cqs.criteria_item',
  'WHERE criteria_set_id NOT IN (SELECT criteria_set_id FROM cqs.criteria_set WHERE builtin)');
SELECT pg_catalog.pg_extension_config_dump('cqs.organisation', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.person', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.posting', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.catalogue', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.catalogue_item', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.task_line', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.task_deduction', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.assessment', '');

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

-- pg_dump keeps the identity sequences' positions too, so ids handed out after a
-- restore never collide with restored rows (the tables themselves are registered next
-- to their definitions).  One statement each: pg_extension_config_dump updates the
-- extension's catalog row.
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.criteria_set', 'criteria_set_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.organisation', 'organisation_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.person', 'person_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.posting', 'posting_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.catalogue', 'catalogue_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.catalogue_item', 'item_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.task_line', 'task_line_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.task_deduction', 'deduction_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.leave_record', 'leave_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.discipline', 'discipline_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.year_override', 'override_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.grade_decision', 'decision_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.complaint', 'complaint_id'), '');

-- Administrative functions are not for everyone (as pg_cron does): the database owner
-- grants them to the roles that run grading jobs.  Everything else needs table
-- privileges anyway (the functions are SECURITY INVOKER), and the views need a GRANT.
REVOKE EXECUTE ON FUNCTION cqs.rebuild(date, date) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs._write_results(bigint[], date[]) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs._drain_batch(integer) FROM PUBLIC;
REVOKE EXECUTE ON PROCEDURE cqs.process_queue(integer, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.reopen_period(bigint, date, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.lock_period(bigint, date, text, boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.import_catalogue(bigint, text, date, text, numeric, integer, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.load_csv(text, text, boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.csv_problems(text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs._personnel_ids_taken(text[]) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.grade_organisations(integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.grade_year(integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.decide_grade(bigint, integer, cqs.grade, text, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.regrade(bigint, integer, cqs.grade, text, text, text) FROM PUBLIC;
-- Every step of the procedure is granted to the roles the decree names (cqs.setup_roles);
-- the functions then check who acts.
REVOKE EXECUTE ON FUNCTION cqs.self_assess(bigint, date, numeric[], text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.confirm(bigint, date, numeric[], text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.set_leader_terms(bigint, date, numeric, text, numeric, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.propose_grade(bigint, integer, cqs.grade) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.file_complaint(bigint, text, date) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.file_period_complaint(bigint, date, text, date) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.resolve_complaint(bigint, text, text, date) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.choose_quota(bigint, integer, boolean, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.decide_organisation_grade(bigint, integer, cqs.grade, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.bonus_allocation(bigint, text, numeric) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.act_as(bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.act_as(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.setup_roles() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.purge_audit(timestamptz, text) FROM PUBLIC;
-- Who is who, and the trail, are records.
SELECT pg_catalog.pg_extension_config_dump('cqs.person_login', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.mandate', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.delegation', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.imported_total', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.mandate', 'mandate_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.delegation', 'delegation_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.audit_log', 'audit_id'), '');
SELECT pg_catalog.pg_extension_config_dump('cqs.period_lock', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.locked_result', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.period_lock', 'lock_id'), '');
-- Taking work in (72_ingest.sql): sources, cut-offs, the reviewed mappings, every task
-- received (the provenance of the task lines) and the batches are records.
SELECT pg_catalog.pg_extension_config_dump('cqs.ingest_source', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.ingest_cutoff', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.ingest_assignee_map', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.ingest_type_map', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.ingest_task', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.ingest_batch', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.ingest_batch', 'batch_id'), '');
REVOKE EXECUTE ON FUNCTION cqs.ingest_tasks(text, jsonb) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.ingest_tasks_csv(text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.ingest_retry(text, boolean) FROM PUBLIC;
-- cqs_eval -- the drop guard: DROP EXTENSION cqs_eval (with or without CASCADE), or a DROP
-- that would take it along (DROP EXTENSION btree_gist CASCADE, DROP SCHEMA cqs, DROP SCHEMA
-- public CASCADE, DROP OWNED BY its owner), is refused while any record table holds a row,
-- unless a superuser said so explicitly: SET cqs.allow_drop = on.  An event trigger at
-- ddl_command_start, because a sql_drop trigger belonging to the extension is dropped with
-- it and never fires; its function is C (cqs_drop_guard) because only C sees which objects
-- the DROP statement names.  The records are what pg_dump keeps: the tables registered
-- with pg_extension_config_dump, under their dump conditions (the built-in criteria sets
-- are no records).

-- Which record tables a DROP of this kind and these names would empty: NULL when it does
-- not reach cqs_eval, else the tables holding a row (empty: nothing would be lost).
CREATE FUNCTION cqs._drop_would_delete(kind text, names text[], cascade boolean) RETURNS text[]
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_ext      pg_catalog.pg_extension;
  v_required oid[];
  v_reached  boolean;
  v_tables   text[] := '{}';
  v_has      boolean;
  r          record;
BEGIN
  SELECT * INTO v_ext FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'cqs_eval';
  -- The extensions cqs_eval requires (btree_gist): dropping one with CASCADE drops it too.
  SELECT pg_catalog.array_agg(d.refobjid) INTO v_required
    FROM pg_catalog.pg_depend d
   WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
     AND d.objid OPERATOR(pg_catalog.=) v_ext.oid
     AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass;
  v_reached := CASE kind
    WHEN 'extension' THEN
      'cqs_eval' OPERATOR(pg_catalog.=) ANY (names)
      OR (cascade AND EXISTS (SELECT FROM pg_catalog.pg_extension x
                               WHERE x.oid OPERATOR(pg_catalog.=) ANY (v_required)
                                 AND x.extname::text OPERATOR(pg_catalog.=) ANY (names)))
    WHEN 'schema' THEN
      EXISTS (SELECT FROM pg_catalog.pg_namespace n
               WHERE n.nspname::text OPERATOR(pg_catalog.=) ANY (names)
                 AND (n.oid OPERATOR(pg_catalog.=) v_ext.extnamespace
                      OR (cascade AND n.oid OPERATOR(pg_catalog.=) ANY (
                            SELECT x.extnamespace FROM pg_catalog.pg_extension x
                             WHERE x.oid OPERATOR(pg_catalog.=) ANY (v_required)))))
    WHEN 'owned' THEN
      EXISTS (SELECT FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_roles o ON o.oid OPERATOR(pg_catalog.=) x.extowner
               WHERE (x.oid OPERATOR(pg_catalog.=) v_ext.oid
                      OR (cascade AND x.oid OPERATOR(pg_catalog.=) ANY (v_required)))
                 AND o.rolname::text OPERATOR(pg_catalog.=) ANY (names))
    ELSE false END;
  IF v_ext.oid IS NULL OR NOT v_reached THEN
    RETURN NULL;
  END IF;
  FOR r IN
    SELECT c.oid::pg_catalog.regclass AS rel, coalesce(v_ext.extcondition[i.n], '') AS cond
      FROM pg_catalog.generate_subscripts(v_ext.extconfig, 1) AS i(n)
      JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) v_ext.extconfig[i.n]
     WHERE c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::"char"[])
     ORDER BY c.oid::pg_catalog.regclass::pg_catalog.text
  LOOP
    EXECUTE pg_catalog.format('SELECT EXISTS (SELECT FROM %s %s)', r.rel, r.cond) INTO v_has;
    IF v_has THEN
      v_tables := v_tables OPERATOR(pg_catalog.||) r.rel::pg_catalog.text;
    END IF;
  END LOOP;
  RETURN v_tables;
END
$$;
COMMENT ON FUNCTION cqs._drop_would_delete(text, text[], boolean) IS
  'The record tables (pg_extension_config_dump) holding rows that a DROP of this kind (extension, schema, owned) and these names would delete with cqs_eval; NULL if it does not reach cqs_eval';
REVOKE EXECUTE ON FUNCTION cqs._drop_would_delete(text, text[], boolean) FROM PUBLIC;

CREATE FUNCTION cqs._drop_guard() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'cqs_drop_guard'
LANGUAGE C;
COMMENT ON FUNCTION cqs._drop_guard() IS
  'Event trigger: refuses a DROP that would delete cqs_eval while its record tables hold rows, unless cqs.allow_drop is on (superuser)';

CREATE EVENT TRIGGER cqs_drop_guard ON ddl_command_start
  WHEN TAG IN ('DROP EXTENSION', 'DROP SCHEMA', 'DROP OWNED')
  EXECUTE FUNCTION cqs._drop_guard();
