-- The yearly evaluation of organisations (Art. 5-9, DOMAIN.md section 7).

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
  organisation_id        bigint NOT NULL REFERENCES cqs.organisation,
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
  decided_by             text,
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
  organisation_id  bigint NOT NULL REFERENCES cqs.organisation,
  year             integer NOT NULL,
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

-- The score and the Art. 8 grade of one organisation-year, given its direct
-- subordinates' worst grade.  Returns the grade, or NULL and the reason the
-- authority must decide.
CREATE FUNCTION cqs.organisation_grade(y cqs.organisation_year, worst_subordinate cqs.grade,
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
  IF score >= 90 THEN                                       -- Art. 8.1
    IF NOT v_all_timely THEN v_missing := v_missing || format('%s of %s tasks done on time with quality', y.tasks_on_time, y.tasks_assigned); END IF;
    IF NOT v_exceeded THEN v_missing := v_missing || format('%s of %s tasks exceeded (< 30%%)', y.tasks_exceeded, y.tasks_assigned); END IF;
    IF worst_subordinate = 'khong_hoan_thanh' THEN v_missing := v_missing || 'a direct subordinate graded khong_hoan_thanh'::text; END IF;
    IF NOT y.shortcomings_fixed THEN v_missing := v_missing || 'earlier shortcomings not all fixed'::text; END IF;
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
COMMENT ON FUNCTION cqs.organisation_grade(cqs.organisation_year, cqs.grade) IS
  'Art. 8: an organisation''s grade from its score and the conditions of its band; where the decree gives no grade, NULL and the reason the authority must decide';

-- Grade every organisation of a year, lower units before upper ones (Art. 9.1), then
-- propose the Art. 8.5 quota among the organisations each authority (the parent) recognises.
CREATE FUNCTION cqs.grade_organisations(year integer)
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
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
      SELECT * INTO v_g FROM cqs.organisation_grade(v_row,
        (SELECT min(coalesce(c.decided_grade, c.computed_grade))
           FROM cqs.organisation_year c JOIN cqs.organisation o ON o.organisation_id = c.organisation_id
          WHERE o.parent_id = v_row.organisation_id AND c.year = v_row.year));
      UPDATE cqs.organisation_year oy
         SET computed_grade = v_g.grade, needs_decision_reason = v_g.needs_decision, quota_outcome = NULL
       WHERE oy.organisation_id = v_row.organisation_id AND oy.year = v_row.year;
      v_n := v_n + 1;
    END LOOP;
  END LOOP;

  -- Art. 8.5: per recognising authority, xuat_sac <= rate x tot.
  WITH g AS (
    SELECT oy.organisation_id, o.parent_id,
           cqs._array_sum(oy.general_scores) + cqs._array_sum(oy.task_scores) AS score, oy.computed_grade
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

-- Final grade of an organisation-year: the authority's decision, else the computed grade
-- with the quota applied (a loser of the quota becomes tot).
CREATE VIEW cqs.organisation_results AS
SELECT oy.organisation_id, o.code, o.name, o.parent_id AS recognised_by, oy.year,
       cqs._array_sum(oy.general_scores) AS general_score, cqs._array_sum(oy.task_scores) AS task_score,
       cqs._array_sum(oy.general_scores) + cqs._array_sum(oy.task_scores) AS score,
       oy.computed_grade, oy.needs_decision_reason, oy.quota_outcome, oy.self_proposed_grade,
       coalesce(oy.decided_grade,
                CASE WHEN oy.quota_outcome = 'loses' THEN 'tot'::cqs.grade
                     WHEN oy.quota_outcome = 'tie_at_cutoff' THEN NULL
                     ELSE oy.computed_grade END) AS final_grade,
       CASE WHEN oy.decided_grade IS NOT NULL THEN 'decided'
            WHEN oy.needs_decision_reason IS NOT NULL THEN 'needs_authority_decision'
            WHEN oy.quota_outcome = 'tie_at_cutoff' THEN 'tie_at_quota_cutoff'
            WHEN oy.computed_grade IS NULL THEN 'not_graded'
            ELSE 'proposed' END AS status,
       oy.decided_by, oy.decided_at, oy.decision_ref
  FROM cqs.organisation_year oy JOIN cqs.organisation o USING (organisation_id);
COMMENT ON VIEW cqs.organisation_results IS
  'Art. 8-9: organisations'' yearly scores, computed grade or the reason the authority must decide, quota outcome and final grade';
