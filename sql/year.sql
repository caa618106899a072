-- The year (Art. 8-9, 11, 17.3, 19-23): each special case with numbers.
-- Monthly totals are written straight into cqs.period_result (what the monthly
-- computation would have produced), so every case controls its own numbers.
SET cqs.refresh_mode = async;  -- fabricated totals stand in for the writer's: nothing recomputes them
SET cqs.language = en;  -- notes as stored (English); test/language.sql reads them in Vietnamese
INSERT INTO cqs.organisation (code, name, kind) VALUES ('Y-CITY', 'UBND', 'managing_agency');
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT v.code, v.name, 'using_agency', (SELECT organisation_id FROM cqs.organisation WHERE code = 'Y-CITY')
  FROM (VALUES ('Y-A', 'Sở A'), ('Y-B', 'Sở B'), ('Y-C', 'Sở C'), ('Y-D', 'Sở D')) AS v(code, name);
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT 'Y-A1', 'Phòng A1', 'unit', organisation_id FROM cqs.organisation WHERE code = 'Y-A';

-- People: code, organisation, role, duty group, posting start/end.
CREATE TEMP TABLE fx (pid text, org text, role text, duty text, start_date date, end_date date);
INSERT INTO fx VALUES
  ('Y-MAT', 'Y-B', 'staff', 'g', '2020-01-01', NULL),        -- maternity leave Feb-Oct
  ('Y-FIVE', 'Y-B', 'staff', 'g', '2026-08-01', NULL),       -- 5 months worked
  ('Y-OCT', 'Y-B', 'staff', 'g', '2026-10-01', NULL),        -- 3 months and two days sick: not graded
  ('Y-UNPAID', 'Y-B', 'staff', 'g', '2020-01-01', NULL),     -- unpaid leave Jan-Jul: 5 months worked
  ('Y-MOVE', 'Y-B', 'staff', 'g', '2020-01-01', '2026-05-31'),  -- transfer B -> A in June
  ('Y-REP', 'Y-B', 'staff', 'g', '2020-01-01', NULL),        -- reprimanded
  ('Y-HEADA', 'Y-A', 'head', 'lead', '2020-01-01', NULL),    -- alone in its duty group: the quota allows 0
  ('Y-HEADB', 'Y-B', 'head', 'lead', '2020-01-01', NULL),
  ('Y-HEADD', 'Y-D', 'head', 'lead', '2020-01-01', NULL);    -- head capped by Sở D
INSERT INTO fx SELECT 'Y-Q' || i, 'Y-C', 'staff', 'q', '2020-01-01', NULL FROM generate_series(1, 12) AS i;  -- quota group
INSERT INTO cqs.person (personnel_id, full_name) SELECT pid, 'Người ' || pid FROM fx;
INSERT INTO cqs.posting (person_id, organisation_id, role, duty_group, start_date, end_date)
SELECT p.person_id, o.organisation_id, fx.role, fx.duty, fx.start_date, fx.end_date
  FROM fx JOIN cqs.person p ON p.personnel_id = fx.pid JOIN cqs.organisation o ON o.code = fx.org;
INSERT INTO cqs.posting (person_id, organisation_id, role, duty_group, start_date)
SELECT p.person_id, o.organisation_id, 'staff', 'g', '2026-06-01'
  FROM cqs.person p, cqs.organisation o WHERE p.personnel_id = 'Y-MOVE' AND o.code = 'Y-A';

-- Monthly totals: months (array), a base total and a step per month.
CREATE FUNCTION pg_temp.totals(pid text, months int[], base numeric, step numeric) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO cqs.period_result (person_id, period, period_kind, organisation_id, person_kind, role, total, grade)
  SELECT p.person_id, make_date(2026, m, 1), 'month',
         (SELECT ps.organisation_id FROM cqs.posting ps WHERE ps.person_id = p.person_id
             AND ps.start_date <= make_date(2026, m, 1) ORDER BY ps.start_date DESC LIMIT 1),
         'civil_servant', 'staff', base + step * m, cqs.classify(base + step * m)
    FROM cqs.person p, unnest(months) AS m WHERE p.personnel_id = pid
;
  -- Art. 17.2: the year counts only confirmed months: each fabricated total is confirmed
  -- (and nothing is queued: the totals stand in for the writer's).
  INSERT INTO cqs.assessment (person_id, period, organisation_id, criteria_set_id, status, confirmed_at)
  SELECT r.person_id, r.period, r.organisation_id,
         (SELECT criteria_set_id FROM cqs.criteria_set WHERE code = 'form01'), 'confirmed', now()
    FROM cqs.period_result r JOIN cqs.person p USING (person_id)
   WHERE p.personnel_id = pid
  ON CONFLICT (person_id, period) DO NOTHING;
  DELETE FROM cqs.refresh_queue;
$$;
SELECT pg_temp.totals('Y-MAT', '{1,11,12}', 80, 1);
SELECT pg_temp.totals('Y-FIVE', '{8,9,10,11,12}', 90, 0);
SELECT pg_temp.totals('Y-UNPAID', '{8,9,10,11,12}', 80, 0);
SELECT pg_temp.totals('Y-OCT', '{10,11,12}', 85, 0);
SELECT pg_temp.totals('Y-MOVE', '{1,2,3,4,5}', 70, 0);      -- at Sở B
SELECT pg_temp.totals('Y-MOVE', '{6,7,8,9,10,11,12}', 90, 0);  -- at Sở A
SELECT pg_temp.totals('Y-REP', '{1,2,3,4,5,6,7,8,9,10,11,12}', 85, 0);
SELECT pg_temp.totals('Y-HEADA', '{1,2,3,4,5,6,7,8,9,10,11,12}', 95, 0);
SELECT pg_temp.totals('Y-HEADB', '{1,2,3,4,5,6,7,8,9,10,11,12}', 80, 0);
SELECT pg_temp.totals('Y-HEADD', '{1,2,3,4,5,6,7,8,9,10,11,12}', 80, 0);
-- Quota group (Sở C, duty group q): 4 candidates at 95, 95, 92, 92 and 8 at tot.
SELECT pg_temp.totals('Y-Q' || i, '{1,2,3,4,5,6,7,8,9,10,11,12}',
                      (ARRAY[95, 95, 92, 92, 80, 80, 80, 80, 80, 80, 80, 80])[i], 0)
  FROM generate_series(1, 12) AS i;

INSERT INTO cqs.leave_record (person_id, kind, start_date, end_date)
SELECT person_id, 'maternity', '2026-02-01', '2026-10-31' FROM cqs.person WHERE personnel_id = 'Y-MAT';
INSERT INTO cqs.leave_record (person_id, kind, start_date, end_date)
SELECT person_id, 'unpaid', '2026-01-01', '2026-07-31' FROM cqs.person WHERE personnel_id = 'Y-UNPAID';
INSERT INTO cqs.leave_record (person_id, kind, start_date, end_date)
SELECT person_id, 'sick', '2026-11-05', '2026-11-06' FROM cqs.person WHERE personnel_id = 'Y-OCT';

-- A reprimand (khiển trách) for an act at Sở B: Party and administrative decisions for
-- the same act count once; a 2027 decision for it does not count again in 2027.
INSERT INTO cqs.discipline (person_id, kind, level, decision_date, decision_ref, act_ref, act_organisation_id)
SELECT p.person_id, k.kind, 'khien_trach', k.day, k.ref, 'ACT-1', o.organisation_id
  FROM cqs.person p, cqs.organisation o,
       (VALUES ('administrative', '2026-09-10'::date, 'QĐ 10'), ('party', '2026-10-01'::date, 'QĐ 11-ĐU'),
               ('party', '2027-01-10'::date, 'QĐ 2-ĐU')) AS k(kind, day, ref)
 WHERE p.personnel_id = 'Y-REP' AND o.code = 'Y-B';
SELECT kind, decision_ref, counted_year, counts FROM cqs.discipline_counted ORDER BY decision_date;

-- Organisations (Art. 8), recognised by the city: A meets Art. 8.1 but the quota
-- (1 tot under the city) allows none; B scores 85 with 80% on time: the decree's gap;
-- D scores 46: khong_hoan_thanh, and its head (80 points) is capped (Art. 20.6).
INSERT INTO cqs.organisation_year (organisation_id, year, general_scores, task_scores, tasks_assigned, tasks_completed,
                                   tasks_on_time, tasks_exceeded, tasks_late, planned_tasks, planned_tasks_done)
SELECT o.organisation_id, 2026, v.g::numeric[], v.t::numeric[], 50, v.completed, v.on_time, v.exceeded, v.late, 40, v.planned_done
  FROM cqs.organisation o
  JOIN (VALUES ('Y-A',  '{10,10,10}', '{10,15,10,5,10,5,10,5}', 50, 50, 20, 0, 40),    -- 100: xuat_sac
               ('Y-B',  '{9,9,9}',    '{8,13,9,4,8,4,8,4}',     50, 40, 5, 10, 40),    -- 85, 80% on time: gap
               ('Y-C',  '{9,9,9}',    '{9,13,9,4,9,4,9,4}',     50, 50, 5, 0, 40),     -- 88: tot
               ('Y-D',  '{5,5,5}',    '{5,5,5,2,5,2,5,2}',      50, 50, 0, 0, 26),     -- 46 and 65% of plan: khong
               ('Y-A1', '{10,10,10}', '{9,14,9,5,9,5,9,5}',     50, 50, 20, 0, 40),    -- 95: xuat_sac
               ('Y-CITY','{8,8,8}',   '{7,12,8,4,7,4,7,4}',     50, 50, 5, 0, 40))     -- 77: tot
       AS v(code, g, t, completed, on_time, exceeded, late, planned_done) ON v.code = o.code;
SELECT cqs.grade_year(2026) AS graded;
SELECT code, score, computed_grade, quota_outcome, final_grade, status, needs_decision_reason
  FROM cqs.organisation_results WHERE code LIKE 'Y-%' ORDER BY code;

-- People.
SELECT personnel_id, months_worked, months_counted, mean_total, score_grade, quota_outcome, final_grade,
       status, not_graded_reason, override_reasons, cap_reason
  FROM cqs.year_results WHERE personnel_id LIKE 'Y-%' ORDER BY personnel_id;

-- The transfer: graded by Sở A (where they work at grading time), Sở B's months count.
SELECT y.personnel_id, o.code AS graded_by, y.months_counted, y.mean_total
  FROM cqs.year_results y JOIN cqs.organisation o USING (organisation_id) WHERE y.personnel_id = 'Y-MOVE';

-- The quota of Sở C, group q: good 8, candidates 4 -> k <= 0.2 (12 - k) -> k = 2: the two
-- at 95 keep, the two at 92 lose.  Move one 92 up to 95: three tie at the cut-off.
UPDATE cqs.period_result SET total = 95
 WHERE person_id = (SELECT person_id FROM cqs.person WHERE personnel_id = 'Y-Q3');
SELECT cqs.grade_year(2026) AS graded;
SELECT personnel_id, mean_total, quota_outcome, final_grade, status
  FROM cqs.year_results WHERE personnel_id LIKE 'Y-Q_' AND score_grade = 'xuat_sac' ORDER BY personnel_id;
-- The authority decides the tie.
INSERT INTO cqs.quota_choice (person_id, year, keeps, decided_by, decided_at)
SELECT person_id, 2026, personnel_id <> 'Y-Q3', 'Giám đốc Sở C', '2026-12-10 09:00+07'
  FROM cqs.person WHERE personnel_id IN ('Y-Q1', 'Y-Q2', 'Y-Q3');
SELECT cqs.grade_year(2026) AS graded;
SELECT personnel_id, quota_outcome, final_grade, status
  FROM cqs.year_results WHERE personnel_id LIKE 'Y-Q_' AND score_grade = 'xuat_sac' ORDER BY personnel_id;
-- ... and with 8 more at tot (good 16), the 25% decision allows 4 where 20% allows 3.
SELECT cqs.excellent_quota(16, 4) AS k_20, cqs.excellent_quota(16, 4, 0.25) AS k_25;
INSERT INTO cqs.person (personnel_id, full_name) SELECT 'Y-R' || i, 'Người R' || i FROM generate_series(1, 8) AS i;
INSERT INTO cqs.posting (person_id, organisation_id, role, duty_group, start_date)
SELECT p.person_id, o.organisation_id, 'staff', 'q', '2020-01-01'
  FROM cqs.person p, cqs.organisation o WHERE p.personnel_id LIKE 'Y-R_' AND o.code = 'Y-C';
SELECT pg_temp.totals('Y-R' || i, '{1,2,3,4,5,6,7,8,9,10,11,12}', 75, 0) FROM generate_series(1, 8) AS i;
DELETE FROM cqs.quota_choice;
INSERT INTO cqs.quota_decision (organisation_id, year, for_people, rate, decided_by, decided_at, decision_ref)
SELECT organisation_id, 2026, true, 0.25, 'Chủ tịch UBND', '2026-12-01 08:00+07', 'QĐ 99/QĐ-UBND'
  FROM cqs.organisation WHERE code = 'Y-C';
SELECT cqs.grade_year(2026) AS graded;
SELECT personnel_id, quota_outcome, final_grade
  FROM cqs.year_results WHERE personnel_id LIKE 'Y-Q_' AND score_grade = 'xuat_sac' ORDER BY personnel_id;

-- Art. 21.1: the meeting (with minutes) and the personnel section's proposal, recorded
-- for everyone graded before any decision.
INSERT INTO cqs.year_grading AS g (person_id, year, meeting_minutes_ref, meeting_on, personnel_proposal, personnel_proposed_at)
SELECT r.person_id, r.year, 'BB 1/2026', '2026-12-03', r.proposed_grade, '2026-12-04 09:00+07'
  FROM cqs.year_result r WHERE r.year = 2026 AND r.proposed_grade IS NOT NULL
ON CONFLICT ON CONSTRAINT year_grading_pkey DO UPDATE
   SET meeting_minutes_ref = EXCLUDED.meeting_minutes_ref, meeting_on = EXCLUDED.meeting_on,
       personnel_proposal = EXCLUDED.personnel_proposal, personnel_proposed_at = EXCLUDED.personnel_proposed_at;
-- Decisions: a head or deputy needs the Party committee's opinion first (55000).
\set VERBOSITY terse
SELECT cqs.decide_grade(person_id, 2026, 'tot', 'QĐ 1', 'Chủ tịch UBND') FROM cqs.person WHERE personnel_id = 'Y-HEADB';
SELECT cqs.decide_grade(person_id, 2026, 'tot', 'QĐ 1', 'Giám đốc') FROM cqs.person WHERE personnel_id = 'Y-FIVE';
\set VERBOSITY default
UPDATE cqs.year_grading SET self_proposed_grade = 'tot', party_opinion = 'Đồng ý', party_opinion_at = '2026-12-05 10:00+07'
 WHERE year = 2026 AND person_id = (SELECT person_id FROM cqs.person WHERE personnel_id = 'Y-HEADB');
SELECT cqs.decide_grade(person_id, 2026, 'tot', 'QĐ 1/QĐ-UBND', 'Chủ tịch UBND') > 0 AS decided
  FROM cqs.person WHERE personnel_id = 'Y-HEADB';

-- A re-grading (Art. 21.3) supersedes the decision; both stay on record.
SELECT cqs.decide_grade(person_id, 2026, 'tot', 'QĐ 5/QĐ-SB', 'Giám đốc Sở B') > 0 AS decided
  FROM cqs.person WHERE personnel_id = 'Y-MAT';
SELECT cqs.regrade(person_id, 2026, 'hoan_thanh', 'QĐ 7/QĐ-UBND',
                   'Phát hiện báo cáo không trung thực', 'Chủ tịch UBND') > 0 AS regraded
  FROM cqs.person WHERE personnel_id = 'Y-MAT';
SELECT d.grade, d.reference, d.supersedes IS NOT NULL AS is_regrading, d.reason
  FROM cqs.grade_decision d JOIN cqs.person p USING (person_id) WHERE p.personnel_id = 'Y-MAT' ORDER BY d.decision_id;
SELECT personnel_id, final_grade, status, decision_ref FROM cqs.year_results WHERE personnel_id = 'Y-MAT';

-- A complaint (Art. 22) about a monthly result -- July's, notified -- filed Friday
-- 2026-08-28: 7 working days skip the weekends and Quốc khánh (1-2/9), so it is due
-- Thursday 2026-09-10; resolved on the 11th: overdue.  (A complaint is dated after what
-- it is about: filed on 28/8, it can be about July, not about the year's decision.)
INSERT INTO cqs.public_holiday VALUES ('2026-09-01', 'Quốc khánh (nghỉ bù)'), ('2026-09-02', 'Quốc khánh');
SELECT cqs.add_working_days('2026-08-28', 7) AS due_with_holidays;
INSERT INTO cqs.complaint (person_id, period, filed_on, content, resolved_on, outcome)
SELECT p.person_id, '2026-07-01', '2026-08-28', 'Không đồng ý với kết quả tháng 7', '2026-09-11', 'rejected'
  FROM cqs.person p WHERE p.personnel_id = 'Y-MOVE';
SELECT filed_on, due_on, resolved_on, overdue FROM cqs.complaints;
SELECT kind, due_on, done_on FROM cqs.overdue WHERE kind = 'complaint';

-- Bonus (Art. 23): Sở C's regulation pays 2.0 for xuat_sac, 1.0 for tot, weighted by
-- score; a fund of 100,000,000 đồng splits to the đồng and sums exactly.
INSERT INTO cqs.bonus_regulation (organisation_id, grade, coefficient, weight_by_score)
SELECT organisation_id, g, c, true FROM cqs.organisation,
       (VALUES ('xuat_sac'::cqs.grade, 2.0), ('tot', 1.0), ('hoan_thanh', 0.5)) AS v(g, c)
 WHERE code = 'Y-C';
SELECT personnel_id, grade, score, weight, amount
  FROM cqs.bonus_allocation((SELECT organisation_id FROM cqs.organisation WHERE code = 'Y-C'), '2026', 100000000)
 ORDER BY personnel_id;
SELECT sum(amount) AS total_paid, count(*) AS people
  FROM cqs.bonus_allocation((SELECT organisation_id FROM cqs.organisation WHERE code = 'Y-C'), '2026', 100000000);
SELECT sum(amount) = 7 AS seven_dong_split_exactly, max(amount) - min(amount) <= 1 AS within_one_dong
  FROM cqs.bonus_allocation((SELECT organisation_id FROM cqs.organisation WHERE code = 'Y-C'), '2026-Q1', 7);
\set VERBOSITY terse
SELECT * FROM cqs.bonus_allocation((SELECT organisation_id FROM cqs.organisation WHERE code = 'Y-C'), '2026', 100.5);
SELECT * FROM cqs.bonus_allocation((SELECT organisation_id FROM cqs.organisation WHERE code = 'Y-C'), '26', 100);
\set VERBOSITY default

-- Form 02 and the year trace.
SELECT personnel_id, m01, m02, m06, m12, mean_total, self_proposed_grade, decided_grade
  FROM cqs.form02 WHERE personnel_id IN ('Y-HEADB', 'Y-MOVE') ORDER BY personnel_id;
SELECT cqs.explain(person_id, '2026') FROM cqs.person WHERE personnel_id = 'Y-REP';
