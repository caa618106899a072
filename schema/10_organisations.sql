-- Organisations, their policies, people and postings (Art. 3, 10, 12; DOMAIN.md section 1).

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
  criteria_set_id bigint NOT NULL REFERENCES cqs.criteria_set ON DELETE CASCADE,
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
  parent_id        bigint REFERENCES cqs.organisation DEFERRABLE INITIALLY DEFERRED,  -- deferred: restores in any row order
  special_deadline boolean NOT NULL DEFAULT false,   -- Art. 19.2: graded by 15/01 next year
  cadence          text CONSTRAINT organisation_cadence_valid
                   CHECK (cadence IN ('monthly', 'quarterly')),
  lateness_mode    text CONSTRAINT organisation_lateness_mode_valid
                   CHECK (lateness_mode IN ('per_day', 'per_occurrence')),
  cap_mode         text CONSTRAINT organisation_cap_mode_valid
                   CHECK (cap_mode IN ('total', 'each')),
  decimals         integer CONSTRAINT organisation_decimals_range CHECK (decimals BETWEEN 0 AND 4),
  criteria_set_id  bigint REFERENCES cqs.criteria_set,
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

-- Effective policies: every organisation with what it inherits (DOMAIN.md sections 3-4).
CREATE VIEW cqs.organisation_policies AS
WITH RECURSIVE t AS (
  SELECT o.organisation_id, o.parent_id, o.kind, 0 AS depth,
         o.organisation_id AS using_agency_id,
         coalesce(o.cadence, 'monthly') AS cadence,
         coalesce(o.lateness_mode, 'per_day') AS lateness_mode,
         coalesce(o.cap_mode, 'total') AS cap_mode,
         coalesce(o.decimals, 2) AS decimals,
         coalesce(o.criteria_set_id,
                  (SELECT s.criteria_set_id FROM cqs.criteria_set s WHERE s.code = 'form01')) AS criteria_set_id
    FROM cqs.organisation o
   WHERE o.parent_id IS NULL
  UNION ALL
  SELECT c.organisation_id, c.parent_id, c.kind, t.depth + 1,
         CASE WHEN c.kind = 'unit' THEN t.using_agency_id ELSE c.organisation_id END,
         coalesce(c.cadence, t.cadence), coalesce(c.lateness_mode, t.lateness_mode),
         coalesce(c.cap_mode, t.cap_mode), coalesce(c.decimals, t.decimals),
         coalesce(c.criteria_set_id, t.criteria_set_id)
    FROM cqs.organisation c JOIN t ON c.parent_id = t.organisation_id
)
SELECT organisation_id, parent_id, kind, depth, using_agency_id, cadence, lateness_mode,
       cap_mode, decimals, criteria_set_id
  FROM t;
COMMENT ON VIEW cqs.organisation_policies IS
  'Effective evaluation policies per organisation (cadence, lateness mode, cap mode, decimals, general-criteria set), inherited down the tree';

-- Every (ancestor, descendant) pair, the organisation itself included at distance 0.
CREATE VIEW cqs.organisation_tree AS
WITH RECURSIVE t AS (
  SELECT organisation_id AS ancestor_id, organisation_id AS descendant_id, 0 AS distance
    FROM cqs.organisation
  UNION ALL
  SELECT t.ancestor_id, o.organisation_id, t.distance + 1
    FROM t JOIN cqs.organisation o ON o.parent_id = t.descendant_id
)
SELECT ancestor_id, descendant_id, distance FROM t;

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
  person_id        bigint NOT NULL REFERENCES cqs.person,
  organisation_id  bigint NOT NULL REFERENCES cqs.organisation,
  role             text NOT NULL DEFAULT 'staff'
                   CONSTRAINT posting_role_valid CHECK (role IN ('staff', 'deputy', 'head')),
  field            text,          -- a deputy's assigned field (lĩnh vực phụ trách); a staff member's field
  job_position     text,          -- vị trí việc làm
  duty_group       text NOT NULL DEFAULT 'chung',  -- nhóm có nhiệm vụ tương đồng (Art. 20.5)
  start_date       date NOT NULL,
  end_date         date,
  CONSTRAINT posting_dates_ordered CHECK (end_date IS NULL OR end_date >= start_date),
  CONSTRAINT posting_deputy_has_field CHECK (role <> 'deputy' OR field IS NOT NULL)
);
CREATE INDEX posting_person_idx ON cqs.posting (person_id, start_date);
CREATE INDEX posting_organisation_idx ON cqs.posting (organisation_id);
COMMENT ON TABLE cqs.posting IS
  'Art. 10, 19.1: who works where, in which role (staff, deputy with an assigned field, head), job position and duty group, over time';

CREATE FUNCTION cqs._check_posting_overlap() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_clash record;
BEGIN
  SELECT p.posting_id, n.person_id, n.start_date, n.end_date INTO v_clash
    FROM new_rows n
    JOIN cqs.posting p ON p.person_id = n.person_id AND p.posting_id <> n.posting_id
   WHERE daterange(p.start_date, p.end_date, '[]') && daterange(n.start_date, n.end_date, '[]')
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'posting of person % from % to % overlaps posting %',
                    v_clash.person_id, v_clash.start_date, coalesce(v_clash.end_date::text, 'open end'),
                    v_clash.posting_id
      USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'posting_no_overlap',
            HINT = 'End the current posting (end_date) before the transfer starts.';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER posting_no_overlap_ins AFTER INSERT ON cqs.posting
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._check_posting_overlap();
CREATE TRIGGER posting_no_overlap_upd AFTER UPDATE ON cqs.posting
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._check_posting_overlap();
