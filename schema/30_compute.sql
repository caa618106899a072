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
