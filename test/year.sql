-- pgTAP: the year (Art. 8-9, 11, 17.3, 19-23): organisations' Art. 8 grades and
-- their gap cases, leave, discipline, overrides, the quota decision, decisions,
-- re-grading, complaints in working days, the bonus split and the year trace,
-- with the SQLSTATEs of every refusal.
--
-- Fixture as in sql/year.sql: organisations, people, postings, and monthly
-- totals written straight into cqs.period_result.
--
-- Run: pg_prove --ext .sql --failures test/year.sql
\set QUIET 1
SET client_min_messages = warning;

BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cqs_eval CASCADE;
SET LOCAL cqs.refresh_mode = async;  -- fabricated totals stand in for the writer's
SET LOCAL cqs.language = en;         -- notes as stored (English); test/language.sql reads them in Vietnamese

SELECT plan(109);

-- ===========================================================================
-- Fixture.
--   YT-CITY (managing agency)
--     YT-A  (using agency)  100 points, Art. 8.1 met, but its unit YT-A1 fails
--       YT-A1 (unit)        95 points with a concluded violation: khong_hoan_thanh
--     YT-B  (using agency)  60 points, all done, 10% late: hoan_thanh
--     YT-C  (using agency)  80 points, all on time: tot
-- ===========================================================================
INSERT INTO cqs.organisation (code, name, kind) VALUES ('YT-CITY', 'UBND', 'managing_agency');
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT v.code, v.name, 'using_agency', (SELECT organisation_id FROM cqs.organisation WHERE code = 'YT-CITY')
  FROM (VALUES ('YT-A', 'Sở A'), ('YT-B', 'Sở B'), ('YT-C', 'Sở C')) AS v(code, name);
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT 'YT-A1', 'Phòng A1', 'unit', organisation_id FROM cqs.organisation WHERE code = 'YT-A';

CREATE FUNCTION pg_temp.org(code text) RETURNS bigint LANGUAGE sql STABLE AS
  $$ SELECT organisation_id FROM cqs.organisation WHERE code = $1 $$;
CREATE FUNCTION pg_temp.pid(personnel_id text) RETURNS bigint LANGUAGE sql STABLE AS
  $$ SELECT person_id FROM cqs.person WHERE personnel_id = $1 $$;

-- People: code, organisation, role, duty group.
CREATE TEMP TABLE fx (pid text, org text, role text, duty text);
INSERT INTO fx VALUES
  ('YT-STAFF',   'YT-C', 'staff', 'g'),     -- status transitions
  ('YT-REG',     'YT-C', 'staff', 'g'),     -- two re-gradings
  ('YT-SICK',    'YT-C', 'staff', 'g'),     -- sick Feb-Aug: 5 months worked, graded
  ('YT-OTHER',   'YT-C', 'staff', 'g'),     -- 'other' leave Jan-Jul: 5 months worked, not graded
  ('YT-SIX',     'YT-C', 'staff', 'g'),     -- 'other' leave Jan 1 - Jun 30: 6 months worked (1/7-31/12), graded
  ('YT-DISC',    'YT-C', 'staff', 'g'),     -- Party + administrative discipline for one act
  ('YT-CWSTAFF', 'YT-C', 'staff', 'g'),     -- corruption in the unit: not a leader, no effect
  ('YT-HEADA',   'YT-A', 'head',  'lead'),  -- corruption in the unit: a leader, khong_hoan_thanh
  ('YT-HEADB',   'YT-B', 'head',  'lead'),  -- tot by score, capped at Sở B's hoan_thanh
  ('YT-HEADC',   'YT-C', 'head',  'lead');  -- tot by score, Sở C tot: not capped
INSERT INTO cqs.person (personnel_id, full_name) SELECT pid, 'Người ' || pid FROM fx;
INSERT INTO cqs.posting (person_id, organisation_id, role, duty_group, start_date)
SELECT pg_temp.pid(fx.pid), pg_temp.org(fx.org), fx.role, fx.duty, '2020-01-01' FROM fx;

-- Monthly totals of 2026, straight into cqs.period_result.
CREATE FUNCTION pg_temp.totals(pid text, months int[], total numeric) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO cqs.period_result (person_id, period, period_kind, organisation_id, person_kind, role, total, grade)
  SELECT p.person_id, make_date(2026, m, 1), 'month', ps.organisation_id, 'civil_servant', ps.role,
         total, cqs.classify(total)
    FROM cqs.person p JOIN cqs.posting ps USING (person_id), unnest(months) AS m
   WHERE p.personnel_id = pid
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
SELECT pg_temp.totals('YT-STAFF',   '{1,2,3,4,5,6,7,8,9,10,11,12}', 80);
SELECT pg_temp.totals('YT-REG',     '{1,2,3,4,5,6,7,8,9,10,11,12}', 78);
SELECT pg_temp.totals('YT-SICK',    '{1,9,10,11,12}', 82);
SELECT pg_temp.totals('YT-SICK',    '{2,3,4,5,6,7,8}', 50);      -- months on leave: must not count
SELECT pg_temp.totals('YT-OTHER',   '{8,9,10,11,12}', 80);
SELECT pg_temp.totals('YT-SIX',     '{7,8,9,10,11,12}', 75);
SELECT pg_temp.totals('YT-DISC',    '{1,2,3,4,5,6,7,8,9,10,11,12}', 85);
SELECT pg_temp.totals('YT-CWSTAFF', '{1,2,3,4,5,6,7,8,9,10,11,12}', 83);
SELECT pg_temp.totals('YT-HEADA',   '{1,2,3,4,5,6,7,8,9,10,11,12}', 88);
SELECT pg_temp.totals('YT-HEADB',   '{1,2,3,4,5,6,7,8,9,10,11,12}', 85);
SELECT pg_temp.totals('YT-HEADC',   '{1,2,3,4,5,6,7,8,9,10,11,12}', 86);

INSERT INTO cqs.leave_record (person_id, kind, start_date, end_date) VALUES
  (pg_temp.pid('YT-SICK'),  'sick',  '2026-02-01', '2026-08-31'),
  (pg_temp.pid('YT-OTHER'), 'other', '2026-01-01', '2026-07-31'),
  (pg_temp.pid('YT-SIX'),   'other', '2026-01-01', '2026-06-30');

-- One act punished twice in 2026: administratively (March) and by the Party (May).
INSERT INTO cqs.discipline (person_id, kind, level, decision_date, decision_ref, act_ref, act_organisation_id) VALUES
  (pg_temp.pid('YT-DISC'), 'administrative', 'khien_trach', '2026-03-10', 'QĐ 31', 'ACT-9', pg_temp.org('YT-C')),
  (pg_temp.pid('YT-DISC'), 'party',          'canh_cao',    '2026-05-20', 'QĐ 52-ĐU', 'ACT-9', pg_temp.org('YT-C'));

-- Art. 20.4.d: corruption/waste in a unit under a leader's direct charge.
INSERT INTO cqs.year_override (person_id, year, kind, decided_by, decided_on, reference, reason) VALUES
  (pg_temp.pid('YT-HEADA'),   2026, 'corruption_waste_in_unit', 'Thanh tra', '2026-11-02', 'KL 7', 'tham nhũng tại phòng A1'),
  (pg_temp.pid('YT-CWSTAFF'), 2026, 'corruption_waste_in_unit', 'Thanh tra', '2026-11-02', 'KL 8', 'tham nhũng tại Sở C');

INSERT INTO cqs.organisation_year (organisation_id, year, general_scores, task_scores, tasks_assigned, tasks_completed,
                                   tasks_on_time, tasks_exceeded, tasks_late, planned_tasks, planned_tasks_done,
                                   violation_concluded)
VALUES
  (pg_temp.org('YT-A'),  2026, '{10,10,10}', '{10,15,10,5,10,5,10,5}', 50, 50, 50, 20, 0, 40, 40, false),  -- 100
  (pg_temp.org('YT-A1'), 2026, '{10,10,10}', '{9,14,9,5,9,5,9,5}',     50, 50, 50, 20, 0, 40, 40, true),   -- 95, violation
  (pg_temp.org('YT-B'),  2026, '{6,6,6}',    '{6,9,6,3,6,3,6,3}',      50, 50, 45, 0,  5, 40, 40, false),  -- 60
  (pg_temp.org('YT-C'),  2026, '{8,8,8}',    '{8,12,8,4,8,4,8,4}',     50, 50, 50, 5,  0, 40, 40, false);  -- 80

-- A hand-built organisation-year for cqs.organisation_grade (nothing stored).
CREATE FUNCTION pg_temp.oy(g numeric[], t numeric[], assigned int, completed int, on_time int, exceeded int,
                           late int, planned int, planned_done int, violation boolean DEFAULT false,
                           majeure boolean DEFAULT false, fixed boolean DEFAULT true)
RETURNS cqs.organisation_year LANGUAGE plpgsql AS $$
DECLARE
  r cqs.organisation_year;
BEGIN
  r.organisation_id := 0; r.year := 2026; r.criteria_code := 'default';
  r.general_scores := g; r.task_scores := t;
  r.tasks_assigned := assigned; r.tasks_completed := completed; r.tasks_on_time := on_time;
  r.tasks_exceeded := exceeded; r.tasks_late := late; r.planned_tasks := planned; r.planned_tasks_done := planned_done;
  r.violation_concluded := violation; r.force_majeure := majeure; r.shortcomings_fixed := fixed;
  RETURN r;
END $$;

-- ===========================================================================
-- Organisation-year input is checked (Art. 6-7 maxima, the counts).
-- ===========================================================================
SELECT throws_ok($$INSERT INTO cqs.organisation_year (organisation_id, year, general_scores, task_scores, tasks_assigned,
                     tasks_completed, tasks_on_time, planned_tasks, planned_tasks_done)
                   VALUES (pg_temp.org('YT-B'), 2027, '{11,10,9}', '{10,15,10,5,10,5,10,5}', 1, 1, 1, 1, 1)$$,
                 '23514', format('organisation %s year 2027: criterion 6.1 scored 11, allowed 0 to 10', pg_temp.org('YT-B')),
                 'organisation_year: a general score above its criterion''s maximum (11 > 10): 23514');
SELECT throws_ok($$INSERT INTO cqs.organisation_year (organisation_id, year, general_scores, task_scores, tasks_assigned,
                     tasks_completed, tasks_on_time, planned_tasks, planned_tasks_done)
                   VALUES (pg_temp.org('YT-B'), 2027, '{10,10,10}', '{10,16,10,5,10,5,10,5}', 1, 1, 1, 1, 1)$$,
                 '23514', format('organisation %s year 2027: criterion 7.1.b scored 16, allowed 0 to 15', pg_temp.org('YT-B')),
                 'organisation_year: a task score above its criterion''s maximum (7.1.b 16 > 15): 23514');
SELECT throws_ok($$INSERT INTO cqs.organisation_year (organisation_id, year, general_scores, task_scores, tasks_assigned,
                     tasks_completed, tasks_on_time, planned_tasks, planned_tasks_done)
                   VALUES (pg_temp.org('YT-B'), 2027, '{10,-1,10}', '{10,15,10,5,10,5,10,5}', 1, 1, 1, 1, 1)$$,
                 '23514', format('organisation %s year 2027: criterion 6.2 scored -1, allowed 0 to 10', pg_temp.org('YT-B')),
                 'organisation_year: a negative score: 23514');
SELECT throws_ok($$INSERT INTO cqs.organisation_year (organisation_id, year, general_scores, task_scores, tasks_assigned,
                     tasks_completed, tasks_on_time, planned_tasks, planned_tasks_done)
                   VALUES (pg_temp.org('YT-B'), 2027, '{10,10,5,5}', '{10,15,10,5,10,5,10,5}', 1, 1, 1, 1, 1)$$,
                 '23514', format('organisation %s year 2027: the score arrays do not match criteria set "default"', pg_temp.org('YT-B')),
                 'organisation_year: 4 general scores for 3 criteria: 23514');
SELECT throws_ok($$INSERT INTO cqs.organisation_year (organisation_id, year, general_scores, task_scores, tasks_assigned,
                     tasks_completed, tasks_on_time, planned_tasks, planned_tasks_done)
                   VALUES (pg_temp.org('YT-B'), 2027, '{10,10,10}', '{10,15,10,5,10,5,10}', 1, 1, 1, 1, 1)$$,
                 '23514', format('organisation %s year 2027: criterion 7.1.h scored NULL, allowed 0 to 5', pg_temp.org('YT-B')),
                 'organisation_year: 7 task scores for 8 criteria (7.1.h missing): 23514');
SELECT throws_ok($$INSERT INTO cqs.organisation_year (organisation_id, year, general_scores, task_scores, tasks_assigned,
                     tasks_completed, tasks_on_time, planned_tasks, planned_tasks_done)
                   VALUES (pg_temp.org('YT-B'), 2027, '{10,10,10}', '{10,15,10,5,10,5,10,5}', 50, 51, 40, 10, 10)$$,
                 '23514', 'new row for relation "organisation_year" violates check constraint "organisation_year_counts"',
                 'organisation_year: more tasks completed than assigned: 23514 organisation_year_counts');
SELECT throws_ok($$INSERT INTO cqs.organisation_year (organisation_id, year, general_scores, task_scores, tasks_assigned,
                     tasks_completed, tasks_on_time, planned_tasks, planned_tasks_done)
                   VALUES (pg_temp.org('YT-B'), 2027, '{10,10,10}', '{10,15,10,5,10,5,10,5}', 50, 40, 45, 10, 10)$$,
                 '23514', 'new row for relation "organisation_year" violates check constraint "organisation_year_counts"',
                 'organisation_year: more on time than completed: 23514 organisation_year_counts');
SELECT throws_ok($$INSERT INTO cqs.organisation_year (organisation_id, year, general_scores, task_scores, tasks_assigned,
                     tasks_completed, tasks_on_time, planned_tasks, planned_tasks_done)
                   VALUES (pg_temp.org('YT-B'), 2027, '{10,10,10}', '{10,15,10,5,10,5,10,5}', 50, 50, 50, 10, 11)$$,
                 '23514', 'new row for relation "organisation_year" violates check constraint "organisation_year_counts"',
                 'organisation_year: more planned tasks done than planned: 23514 organisation_year_counts');
SELECT lives_ok($$INSERT INTO cqs.organisation_year (organisation_id, year, general_scores, task_scores, tasks_assigned,
                     tasks_completed, tasks_on_time, planned_tasks, planned_tasks_done)
                  VALUES (pg_temp.org('YT-B'), 2027, '{10,10,10}', '{10,15,10,5,10,5,10,5}', 50, 50, 50, 10, 10)$$,
                'organisation_year: every score at its maximum and consistent counts are accepted');

-- Quota decision (Art. 8.5.b, 20.5.b): above 20%, at most 25%.
SELECT throws_ok($$INSERT INTO cqs.quota_decision (organisation_id, year, for_people, rate, decided_by, decided_at, decision_ref)
                   VALUES (pg_temp.org('YT-CITY'), 2026, false, 0.30, 'Chủ tịch', now(), 'QĐ 1')$$,
                 '23514', 'new row for relation "quota_decision" violates check constraint "quota_decision_rate_range"',
                 'quota_decision: rate 0.30 above 25%: 23514');
SELECT throws_ok($$INSERT INTO cqs.quota_decision (organisation_id, year, for_people, rate, decided_by, decided_at, decision_ref)
                   VALUES (pg_temp.org('YT-CITY'), 2026, false, 0.20, 'Chủ tịch', now(), 'QĐ 1')$$,
                 '23514', 'new row for relation "quota_decision" violates check constraint "quota_decision_rate_range"',
                 'quota_decision: rate 0.20 is the default, not a decision: 23514');
SELECT lives_ok($$INSERT INTO cqs.quota_decision (organisation_id, year, for_people, rate, decided_by, decided_at, decision_ref)
                  VALUES (pg_temp.org('YT-C'), 2027, true, 0.25, 'Chủ tịch', now(), 'QĐ 1')$$,
                'quota_decision: rate 0.25 is accepted');

-- Leave and discipline.
SELECT throws_ok($$INSERT INTO cqs.leave_record (person_id, kind, start_date, end_date)
                   VALUES (pg_temp.pid('YT-STAFF'), 'sick', '2026-05-10', '2026-05-09')$$,
                 '23514', 'new row for relation "leave_record" violates check constraint "leave_record_dates_ordered"',
                 'leave ending before it starts: 23514');
SELECT throws_ok($$INSERT INTO cqs.discipline (person_id, kind, level, decision_date, decision_ref, act_ref, act_organisation_id)
                   VALUES (pg_temp.pid('YT-STAFF'), 'administrative', 'nhac_nho', '2026-05-10', 'QĐ 9', 'ACT-X', pg_temp.org('YT-C'))$$,
                 '23514', 'new row for relation "discipline" violates check constraint "discipline_level_valid"',
                 'discipline of an unknown level: 23514');

-- ===========================================================================
-- cqs.organisation_grade on hand-built rows: each Art. 8 band and each gap.
-- ===========================================================================
SELECT results_eq($$SELECT score, grade, needs_decision FROM cqs.organisation_grade(
                     pg_temp.oy('{10,10,10}', '{10,15,10,5,10,5,10,5}', 50, 50, 50, 20, 0, 40, 40), NULL)$$,
                  $$VALUES (100::numeric, 'xuat_sac'::cqs.grade, NULL::text)$$,
                  'Art. 8.1: 100 points, all on time, 40% exceeded: xuat_sac');
SELECT results_eq($$SELECT score, grade, needs_decision FROM cqs.organisation_grade(
                     pg_temp.oy('{10,10,10}', '{9,13,9,4,8,4,8,5}', 50, 50, 50, 15, 0, 40, 28), 'tot')$$,
                  $$VALUES (90::numeric, 'xuat_sac'::cqs.grade, NULL::text)$$,
                  'Art. 8.1 at its edges: 90 points, exactly 30% exceeded, exactly 70% of plan, subordinates tot: xuat_sac');
SELECT results_eq($$SELECT score, grade, needs_decision FROM cqs.organisation_grade(
                     pg_temp.oy('{8,8,8}', '{8,12,8,4,8,4,8,4}', 50, 50, 50, 0, 0, 40, 40), NULL)$$,
                  $$VALUES (80::numeric, 'tot'::cqs.grade, NULL::text)$$,
                  'Art. 8.2: 80 points, all on time: tot');
SELECT results_eq($$SELECT score, grade, needs_decision FROM cqs.organisation_grade(
                     pg_temp.oy('{10,10,9.5}', '{9,13,9,4,8,4,8,5}', 50, 50, 50, 50, 0, 40, 40), NULL)$$,
                  $$VALUES (89.5::numeric, 'tot'::cqs.grade, NULL::text)$$,
                  'Art. 8.2: 89.5 points is below the xuat_sac band even with every condition met: tot');
SELECT results_eq($$SELECT score, grade, needs_decision FROM cqs.organisation_grade(
                     pg_temp.oy('{7,7,7}', '{7,10,7,3,7,4,7,4}', 50, 50, 50, 0, 0, 40, 40), NULL)$$,
                  $$VALUES (70::numeric, 'tot'::cqs.grade, NULL::text)$$,
                  'Art. 8.2 at its edge: 70 points, all on time: tot');
SELECT results_eq($$SELECT score, grade, needs_decision FROM cqs.organisation_grade(
                     pg_temp.oy('{6,6,6}', '{6,9,6,3,6,3,6,3}', 50, 50, 40, 0, 10, 40, 40), NULL)$$,
                  $$VALUES (60::numeric, 'hoan_thanh'::cqs.grade, NULL::text)$$,
                  'Art. 8.3: 60 points, all done, exactly 20% late: hoan_thanh');
SELECT results_eq($$SELECT score, grade, needs_decision FROM cqs.organisation_grade(
                     pg_temp.oy('{5,5,5}', '{5,7,5,3,5,2,5,3}', 50, 50, 50, 0, 0, 40, 40), NULL)$$,
                  $$VALUES (50::numeric, 'hoan_thanh'::cqs.grade, NULL::text)$$,
                  'Art. 8.3 at its edge: 50 points: hoan_thanh');
SELECT results_eq($$SELECT score, grade, needs_decision FROM cqs.organisation_grade(
                     pg_temp.oy('{5,5,5}', '{5,6,5,3,5,2,5,3}', 50, 50, 50, 0, 0, 40, 40), NULL)$$,
                  $$VALUES (49::numeric, 'khong_hoan_thanh'::cqs.grade, NULL::text)$$,
                  'Art. 8.4: 49 points: khong_hoan_thanh by score');
SELECT results_eq($$SELECT score, grade, needs_decision FROM cqs.organisation_grade(
                     pg_temp.oy('{10,10,10}', '{10,15,10,5,10,5,10,5}', 50, 50, 50, 20, 0, 40, 40, violation => true), NULL)$$,
                  $$VALUES (100::numeric, 'khong_hoan_thanh'::cqs.grade, NULL::text)$$,
                  'Art. 8.4.a: 100 points with a concluded violation: khong_hoan_thanh');
SELECT results_eq($$SELECT score, grade, needs_decision FROM cqs.organisation_grade(
                     pg_temp.oy('{10,10,10}', '{10,15,10,5,10,5,10,5}', 50, 50, 50, 20, 0, 40, 27), NULL)$$,
                  $$VALUES (100::numeric, 'khong_hoan_thanh'::cqs.grade, NULL::text)$$,
                  'Art. 8.4.b: 100 points but 27 of 40 planned tasks (< 70%): khong_hoan_thanh');
SELECT results_eq($$SELECT grade, needs_decision ~ 'Art\. 8\.4\.b', needs_decision ~ '27 of 40'
                      FROM cqs.organisation_grade(
                     pg_temp.oy('{10,10,10}', '{10,15,10,5,10,5,10,5}', 50, 50, 50, 20, 0, 40, 27, majeure => true), NULL)$$,
                  $$VALUES (NULL::cqs.grade, true, true)$$,
                  'Art. 8.4.b with force majeure: no grade, the reason cites Art. 8.4.b and 27 of 40');
SELECT results_eq($$SELECT grade, needs_decision ~ '^85 points' AND needs_decision ~ '40 of 50 tasks done on time'
                      FROM cqs.organisation_grade(
                     pg_temp.oy('{9,9,9}', '{8,13,9,4,8,4,8,4}', 50, 50, 40, 5, 10, 40, 40), NULL)$$,
                  $$VALUES (NULL::cqs.grade, true)$$,
                  'gap: 85 points with 80% on time: no grade, the reason says 85 points and 40 of 50 on time');
SELECT results_eq($$SELECT grade, needs_decision ~ '^92 points' AND needs_decision ~ '14 of 50 tasks exceeded \(< 30%\)'
                      FROM cqs.organisation_grade(
                     pg_temp.oy('{10,10,10}', '{9,13,9,4,9,4,9,5}', 50, 50, 50, 14, 0, 40, 40), NULL)$$,
                  $$VALUES (NULL::cqs.grade, true)$$,
                  'gap: 92 points with 28% exceeded (< 30%): no grade, the reason says so');
SELECT results_eq($$SELECT grade, needs_decision ~ 'a direct subordinate graded khong_hoan_thanh'
                      FROM cqs.organisation_grade(
                     pg_temp.oy('{10,10,10}', '{9,13,9,4,9,4,9,5}', 50, 50, 50, 20, 0, 40, 40), 'khong_hoan_thanh')$$,
                  $$VALUES (NULL::cqs.grade, true)$$,
                  'gap: 92 points with a khong_hoan_thanh subordinate: no grade, the reason says so');
SELECT results_eq($$SELECT grade, needs_decision ~ 'earlier shortcomings not all fixed'
                      FROM cqs.organisation_grade(
                     pg_temp.oy('{10,10,10}', '{9,13,9,4,9,4,9,5}', 50, 50, 50, 20, 0, 40, 40, fixed => false), NULL)$$,
                  $$VALUES (NULL::cqs.grade, true)$$,
                  'gap: 92 points with shortcomings not fixed: no grade, the reason says so');
SELECT results_eq($$SELECT grade, needs_decision ~ 'Art\. 8\.3'
                      FROM cqs.organisation_grade(
                     pg_temp.oy('{6,6,6}', '{6,9,6,3,6,3,6,3}', 50, 50, 39, 0, 11, 40, 40), NULL)$$,
                  $$VALUES (NULL::cqs.grade, true)$$,
                  'gap: 60 points with 22% late: no grade, the reason cites Art. 8.3');

-- ===========================================================================
-- Decisions need a computed year.
-- ===========================================================================
SELECT throws_ok($$SELECT cqs.decide_grade(pg_temp.pid('YT-STAFF'), 2026, 'tot', 'QĐ 0', 'Giám đốc Sở C')$$,
                 '55000', format('person %s has no computed year 2026', pg_temp.pid('YT-STAFF')),
                 'decide_grade before grade_year: 55000');

-- ===========================================================================
-- Grade the year.
-- ===========================================================================
SELECT is(cqs.grade_year(2026), 10::bigint, 'grade_year: the 10 people posted in 2026');

-- Lower organisations first (Art. 9.1).
SELECT results_eq($$SELECT code, computed_grade, needs_decision_reason IS NOT NULL FROM cqs.organisation_results
                     WHERE code LIKE 'YT-%' AND year = 2026 ORDER BY code$$,
                  $$VALUES ('YT-A', NULL::cqs.grade, true), ('YT-A1', 'khong_hoan_thanh', false),
                           ('YT-B', 'hoan_thanh', false), ('YT-C', 'tot', false)$$,
                  'organisations graded: A left to the authority, A1 khong_hoan_thanh, B hoan_thanh, C tot');
SELECT matches((SELECT needs_decision_reason FROM cqs.organisation_results WHERE code = 'YT-A' AND year = 2026),
               '^100 points but Art\. 8\.1 is not met \(a direct subordinate graded khong_hoan_thanh\)',
               'Sở A (100 points) is not xuat_sac: its unit A1, graded first, is khong_hoan_thanh');
SELECT is((SELECT grade FROM cqs.organisation_grade(
             (SELECT oy FROM cqs.organisation_year oy WHERE organisation_id = pg_temp.org('YT-A') AND year = 2026), NULL)),
          'xuat_sac'::cqs.grade, 'Sở A alone, without its unit, would be xuat_sac');
SELECT is((SELECT status FROM cqs.organisation_results WHERE code = 'YT-A' AND year = 2026), 'needs_authority_decision',
          'Sở A: status needs_authority_decision');

-- Months worked (Art. 11).
SELECT results_eq($$SELECT months_worked, months_counted, mean_total, not_graded_reason, final_grade, status
                      FROM cqs.year_results WHERE person_id = pg_temp.pid('YT-SICK') AND year = 2026$$,
                  $$VALUES (5, 5, 82::numeric, NULL::text, 'tot'::cqs.grade, 'proposed')$$,
                  'sick leave Feb-Aug: 5 months worked, graded on them (mean 82, the 50s on leave left out)');
SELECT results_eq($$SELECT months_worked, not_graded_reason, final_grade, status
                      FROM cqs.year_results WHERE person_id = pg_temp.pid('YT-OTHER') AND year = 2026$$,
                  $$VALUES (5, 'worked 5 month(s) 0 day(s) in 2026, less than 6 months (Art. 11.1)', NULL::cqs.grade, 'not_graded')$$,
                  '''other'' leave Jan-Jul: 5 months worked, not graded, with the reason');
SELECT results_eq($$SELECT months_worked, months_counted, mean_total, not_graded_reason, final_grade
                      FROM cqs.year_results WHERE person_id = pg_temp.pid('YT-SIX') AND year = 2026$$,
                  $$VALUES (6, 6, 75::numeric, NULL::text, 'tot'::cqs.grade)$$,
                  '''other'' leave to 30 June: 1 July to 31 December is 6 months worked, graded');

-- Overrides (Art. 20.4, 11.3).
SELECT is((SELECT cardinality(override_reasons) FROM cqs.year_results WHERE person_id = pg_temp.pid('YT-DISC')),
          1, 'Party and administrative discipline for one act in one year: exactly one override reason');
SELECT matches((SELECT override_reasons[1] FROM cqs.year_results WHERE person_id = pg_temp.pid('YT-DISC')),
               '^Art\. 20\.4\.c, 11\.3: administrative discipline khien_trach \(QĐ 31, .*\) for act ACT-9',
               'the reason is the first decision for the act (the administrative one, March)');
SELECT results_eq($$SELECT score_grade, final_grade FROM cqs.year_results WHERE person_id = pg_temp.pid('YT-DISC')$$,
                  $$VALUES ('tot'::cqs.grade, 'khong_hoan_thanh'::cqs.grade)$$,
                  'the discipline forces khong_hoan_thanh over a tot score');
SELECT is((SELECT count(*) FROM cqs.discipline_counted WHERE person_id = pg_temp.pid('YT-DISC') AND counts),
          1::bigint, 'discipline_counted: one of the two decisions counts');
SELECT results_eq($$SELECT role, cardinality(override_reasons), override_reasons[1] ~ '^Art\. 20\.4\.d: ', final_grade
                      FROM cqs.year_results WHERE person_id = pg_temp.pid('YT-HEADA')$$,
                  $$VALUES ('head', 1, true, 'khong_hoan_thanh'::cqs.grade)$$,
                  'corruption_waste_in_unit applies to a head (Art. 20.4.d): khong_hoan_thanh');
SELECT results_eq($$SELECT role, override_reasons, final_grade
                      FROM cqs.year_results WHERE person_id = pg_temp.pid('YT-CWSTAFF')$$,
                  $$VALUES ('staff', '{}'::text[], 'tot'::cqs.grade)$$,
                  'corruption_waste_in_unit does not apply to a staff member: tot');

-- Heads (Art. 20.6).
SELECT results_eq($$SELECT score_grade, proposed_grade, cap_reason ~ '^Art\. 20\.6: capped'
                      FROM cqs.year_results WHERE person_id = pg_temp.pid('YT-HEADB')$$,
                  $$VALUES ('tot'::cqs.grade, 'hoan_thanh'::cqs.grade, true)$$,
                  'head of Sở B: tot by score, capped at Sở B''s hoan_thanh');
SELECT results_eq($$SELECT score_grade, proposed_grade, cap_reason
                      FROM cqs.year_results WHERE person_id = pg_temp.pid('YT-HEADC')$$,
                  $$VALUES ('tot'::cqs.grade, 'tot'::cqs.grade, NULL::text)$$,
                  'head of Sở C: tot, not above Sở C''s tot, no cap');

-- ===========================================================================
-- Decisions (Art. 21) and their refusals.
-- ===========================================================================
-- Art. 21.1: the meeting (with minutes) and the personnel section's proposal, recorded
-- for everyone graded before any decision.
INSERT INTO cqs.year_grading AS g (person_id, year, meeting_minutes_ref, meeting_on, personnel_proposal, personnel_proposed_at)
SELECT r.person_id, r.year, 'BB 1/2026', '2026-12-03', r.proposed_grade, '2026-12-04 09:00+07'
  FROM cqs.year_result r WHERE r.year = 2026 AND r.proposed_grade IS NOT NULL
ON CONFLICT ON CONSTRAINT year_grading_pkey DO UPDATE
   SET meeting_minutes_ref = EXCLUDED.meeting_minutes_ref, meeting_on = EXCLUDED.meeting_on,
       personnel_proposal = EXCLUDED.personnel_proposal, personnel_proposed_at = EXCLUDED.personnel_proposed_at;
SELECT throws_ok($$SELECT cqs.decide_grade(pg_temp.pid('YT-OTHER'), 2026, 'tot', 'QĐ 1', 'Giám đốc Sở C')$$,
                 '55000', format('person %s is not graded for 2026: worked 5 month(s) 0 day(s) in 2026, less than 6 months (Art. 11.1)', pg_temp.pid('YT-OTHER')),
                 'decide_grade for a person not graded (5 months): 55000');
SELECT throws_ok($$SELECT cqs.decide_grade(pg_temp.pid('YT-STAFF'), 2027, 'tot', 'QĐ 1', 'Giám đốc Sở C')$$,
                 '55000', format('person %s has no computed year 2027', pg_temp.pid('YT-STAFF')),
                 'decide_grade for a year not computed: 55000');
SELECT throws_ok($$SELECT cqs.decide_grade(pg_temp.pid('YT-HEADB'), 2026, 'hoan_thanh', 'QĐ 2', 'Chủ tịch')$$,
                 '55000', format('person %s is a head: the Party committee''s opinion is required before the decision', pg_temp.pid('YT-HEADB')),
                 'decide_grade for a head without the Party committee''s opinion: 55000');
INSERT INTO cqs.year_grading AS g (person_id, year, self_proposed_grade, party_opinion, party_opinion_at) VALUES
  (pg_temp.pid('YT-HEADB'), 2026, 'tot', 'Đồng ý', '2026-12-05 10:00+07'),
  (pg_temp.pid('YT-HEADC'), 2026, 'tot', 'Đồng ý', '2026-12-05 10:00+07')
ON CONFLICT ON CONSTRAINT year_grading_pkey DO UPDATE
   SET self_proposed_grade = EXCLUDED.self_proposed_grade, party_opinion = EXCLUDED.party_opinion,
       party_opinion_at = EXCLUDED.party_opinion_at;
SELECT throws_ok($$SELECT cqs.decide_grade(pg_temp.pid('YT-HEADB'), 2026, 'tot', 'QĐ 2', 'Chủ tịch')$$,
                 '23514', format('grade tot for person %s exceeds the grade hoan_thanh of organisation %s they head',
                                 pg_temp.pid('YT-HEADB'), (SELECT organisation_id FROM cqs.organisation WHERE code = 'YT-B')),
                 'decide_grade: a capped head above the organisation''s grade: 23514');
SELECT is((SELECT count(*) FROM cqs.grade_decision WHERE person_id = pg_temp.pid('YT-HEADB')), 0::bigint,
          'the refused decisions left nothing behind');
SELECT lives_ok($$SELECT cqs.decide_grade(pg_temp.pid('YT-HEADB'), 2026, 'hoan_thanh', 'QĐ 2', 'Chủ tịch')$$,
                'decide_grade: the capped head at the organisation''s grade, with the Party opinion');
SELECT throws_ok($$SELECT cqs.regrade(pg_temp.pid('YT-STAFF'), 2026, 'tot', 'QĐ 3', 'lý do', 'Chủ tịch')$$,
                 '55000', format('person %s has no decision for 2026 to re-grade', pg_temp.pid('YT-STAFF')),
                 'regrade without a decision: 55000');

-- Status: proposed -> decided -> notified -> complaint_open.
SELECT is((SELECT status FROM cqs.year_results WHERE person_id = pg_temp.pid('YT-STAFF') AND year = 2026),
          'proposed', 'status before the decision: proposed');
SELECT cmp_ok(cqs.decide_grade(pg_temp.pid('YT-STAFF'), 2026, 'tot', 'QĐ 10/QĐ-SC', 'Giám đốc Sở C'), '>', 0::bigint,
              'decide_grade returns the decision id');
SELECT results_eq($$SELECT status, final_grade, decided_by, decision_ref
                      FROM cqs.year_results WHERE person_id = pg_temp.pid('YT-STAFF') AND year = 2026$$,
                  $$VALUES ('decided', 'tot'::cqs.grade, session_user::text COLLATE "default", 'QĐ 10/QĐ-SC')$$,
                  'status after the decision: decided, with the login that recorded it (never typed in) and the reference');
SELECT throws_ok($$SELECT cqs.decide_grade(pg_temp.pid('YT-STAFF'), 2026, 'hoan_thanh', 'QĐ 11', 'Giám đốc Sở C')$$,
                 '55000', format('person %s already has a decision for 2026', pg_temp.pid('YT-STAFF')),
                 'decide_grade twice: 55000');
UPDATE cqs.grade_decision SET notified_at = '2026-12-20 09:00+07' WHERE person_id = pg_temp.pid('YT-STAFF');
SELECT is((SELECT status FROM cqs.year_results WHERE person_id = pg_temp.pid('YT-STAFF') AND year = 2026),
          'notified', 'status once notified_at is set: notified');
INSERT INTO cqs.complaint (person_id, decision_id, filed_on, content)
SELECT person_id, decision_id, '2026-12-21', 'Không đồng ý'
  FROM cqs.grade_decision WHERE person_id = pg_temp.pid('YT-STAFF');
SELECT is((SELECT status FROM cqs.year_results WHERE person_id = pg_temp.pid('YT-STAFF') AND year = 2026),
          'complaint_open', 'status with an open complaint: complaint_open');

-- Complaints (Art. 22).
SELECT throws_ok($$INSERT INTO cqs.complaint (person_id, decision_id, filed_on, content, resolved_on, outcome)
                   SELECT person_id, decision_id, '2026-12-21', 'x', '2026-12-20', 'rejected'
                     FROM cqs.grade_decision WHERE person_id = pg_temp.pid('YT-STAFF')$$,
                 '23514', 'new row for relation "complaint" violates check constraint "complaint_resolved_after_filing"',
                 'complaint resolved before it was filed: 23514');
SELECT throws_ok($$INSERT INTO cqs.complaint (person_id, decision_id, filed_on, content, outcome)
                   SELECT person_id, decision_id, '2026-12-21', 'x', 'rejected'
                     FROM cqs.grade_decision WHERE person_id = pg_temp.pid('YT-STAFF')$$,
                 '23514', 'new row for relation "complaint" violates check constraint "complaint_resolution_complete"',
                 'complaint with an outcome but no resolved_on: 23514');
SELECT throws_ok($$INSERT INTO cqs.complaint (person_id, decision_id, filed_on, content, resolved_on)
                   SELECT person_id, decision_id, '2026-12-21', 'x', '2026-12-22'
                     FROM cqs.grade_decision WHERE person_id = pg_temp.pid('YT-STAFF')$$,
                 '23514', 'new row for relation "complaint" violates check constraint "complaint_resolution_complete"',
                 'complaint with resolved_on but no outcome: 23514');
UPDATE cqs.complaint SET resolved_on = '2026-12-23', outcome = 'rejected'
 WHERE person_id = pg_temp.pid('YT-STAFF');
SELECT is((SELECT status FROM cqs.year_results WHERE person_id = pg_temp.pid('YT-STAFF') AND year = 2026),
          'notified', 'status once the complaint is resolved: notified again');

-- Re-grading (Art. 21.3): a new decision replaces the one in force, all stay on record.
CREATE TEMP TABLE reg (step int, decision_id bigint);
INSERT INTO reg VALUES (1, cqs.decide_grade(pg_temp.pid('YT-REG'), 2026, 'tot', 'QĐ 20', 'Giám đốc Sở C'));
INSERT INTO reg VALUES (2, cqs.regrade(pg_temp.pid('YT-REG'), 2026, 'hoan_thanh', 'QĐ 21', 'báo cáo sai', 'Chủ tịch'));
INSERT INTO reg VALUES (3, cqs.regrade(pg_temp.pid('YT-REG'), 2026, 'khong_hoan_thanh', 'QĐ 22', 'kết luận thanh tra', 'Chủ tịch'));
SELECT results_eq($$SELECT d.decision_id, d.grade, d.reference, d.supersedes
                      FROM cqs.grade_decision d WHERE d.person_id = pg_temp.pid('YT-REG') ORDER BY d.decision_id$$,
                  $$SELECT r.decision_id, v.grade, v.ref, p.decision_id
                      FROM reg r
                      JOIN (VALUES (1, 'tot'::cqs.grade, 'QĐ 20'), (2, 'hoan_thanh', 'QĐ 21'), (3, 'khong_hoan_thanh', 'QĐ 22'))
                           AS v(step, grade, ref) USING (step)
                      LEFT JOIN reg p ON p.step = r.step - 1
                     ORDER BY r.decision_id$$,
                  'two re-gradings: all three decisions on record, each superseding the one before');
SELECT results_eq($$SELECT decision_id FROM cqs.grade_decisions_in_force WHERE person_id = pg_temp.pid('YT-REG')$$,
                  $$SELECT decision_id FROM reg WHERE step = 3$$,
                  'the decision in force is the last re-grading');
SELECT results_eq($$SELECT final_grade, decision_id, decision_ref, status
                      FROM cqs.year_results WHERE person_id = pg_temp.pid('YT-REG') AND year = 2026$$,
                  $$SELECT 'khong_hoan_thanh'::cqs.grade, decision_id, 'QĐ 22'::text, 'decided'::text FROM reg WHERE step = 3$$,
                  'year_results follows the last re-grading');
SELECT throws_ok($$SELECT cqs.regrade(pg_temp.pid('YT-REG'), 2026, 'tot', 'QĐ 23', NULL, 'Chủ tịch')$$,
                 '22023', NULL, 'regrade without a reason: 22023 (the constraint grade_decision_regrade_reason stands behind it)');
SELECT throws_ok($$INSERT INTO cqs.grade_decision (person_id, year, organisation_id, grade, decided_by, reference, supersedes)
                   SELECT pg_temp.pid('YT-REG'), 2026, pg_temp.org('YT-C'), 'tot', 'Chủ tịch', 'QĐ 24', decision_id
                     FROM reg WHERE step = 3$$,
                 '23514', 'new row for relation "grade_decision" violates check constraint "grade_decision_regrade_reason"',
                 'grade_decision: a re-grading row without a reason: 23514 grade_decision_regrade_reason');
SELECT is((SELECT count(*) FROM cqs.grade_decision WHERE person_id = pg_temp.pid('YT-REG')), 3::bigint,
          'the refused re-gradings left the three decisions alone');

-- ===========================================================================
-- Working days (Art. 22).
-- ===========================================================================
SELECT is(cqs.add_working_days('2026-01-02', 1), '2026-01-05'::date, 'Friday + 1 working day: Monday');
SELECT is(cqs.add_working_days('2026-01-03', 1), '2026-01-05'::date, 'Saturday + 1 working day: Monday');
SELECT is(cqs.add_working_days('2026-01-03', 0), '2026-01-03'::date, '+ 0 working days: the same day');
SELECT is(cqs.add_working_days('2026-08-28', 7), '2026-09-08'::date, 'Friday 28/8 + 7 working days, no holiday: 8/9');
INSERT INTO cqs.public_holiday VALUES ('2026-09-01', 'Quốc khánh (nghỉ bù)'), ('2026-09-02', 'Quốc khánh');
SELECT is(cqs.add_working_days('2026-08-28', 7), '2026-09-10'::date,
          'Friday 28/8 + 7 working days across a weekend and Quốc khánh 1-2/9: 10/9');
SELECT is(cqs.add_working_days('2026-08-31', 1), '2026-09-03'::date, 'Monday 31/8 + 1 skips the two holidays: 3/9');
SELECT is((SELECT due_on FROM cqs.complaints WHERE person_id = pg_temp.pid('YT-STAFF')), '2026-12-30'::date,
          'complaints: filed Monday 21/12, due 7 working days later, 30/12');
SELECT throws_ok($$SELECT cqs.add_working_days('2026-01-05', -1)$$, '22023', 'n must be between 0 and 3660 working days, got -1',
                 'add_working_days with n < 0: 22023');

-- ===========================================================================
-- Bonus (Art. 23): the largest-remainder split sums exactly to the fund.
-- ===========================================================================
SELECT throws_ok($$SELECT * FROM cqs.bonus_allocation(pg_temp.org('YT-C'), '2026', 100)$$,
                 '55000', format('organisation %s has no bonus regulation', pg_temp.org('YT-C')),
                 'bonus_allocation without a regulation: 55000');
INSERT INTO cqs.bonus_regulation (organisation_id, grade, coefficient, weight_by_score)
SELECT pg_temp.org('YT-C'), g, c, true
  FROM (VALUES ('xuat_sac'::cqs.grade, 2.0), ('tot', 1.3), ('hoan_thanh', 0.7), ('khong_hoan_thanh', 0)) AS v(g, c);
SELECT throws_ok($$SELECT * FROM cqs.bonus_allocation(pg_temp.org('YT-C'), '2026', 100.5)$$,
                 '22023', 'fund must be a whole, non-negative number of đồng, got 100.5',
                 'bonus_allocation with a fractional fund: 22023');
SELECT throws_ok($$SELECT * FROM cqs.bonus_allocation(pg_temp.org('YT-C'), '2026', -1)$$,
                 '22023', 'fund must be a whole, non-negative number of đồng, got -1',
                 'bonus_allocation with a negative fund: 22023');
SELECT throws_ok($$SELECT * FROM cqs.bonus_allocation(pg_temp.org('YT-C'), '2026', NULL)$$,
                 '22023', 'fund must be a whole, non-negative number of đồng, got <NULL>',
                 'bonus_allocation with a NULL fund: 22023');
SELECT throws_ok($$SELECT * FROM cqs.bonus_allocation(pg_temp.org('YT-C'), '26', 100)$$,
                 '22023', 'period must look like 2026, 2026-Q1 or 2026-H1, got "26"',
                 'bonus_allocation with period ''26'': 22023');
SELECT throws_ok($$SELECT * FROM cqs.bonus_allocation(pg_temp.org('YT-C'), '2026-Q5', 100)$$,
                 '22023', 'period must look like 2026, 2026-Q1 or 2026-H1, got "2026-Q5"',
                 'bonus_allocation with period ''2026-Q5'': 22023');
SELECT throws_ok($$SELECT * FROM cqs.bonus_allocation(pg_temp.org('YT-C'), '2026-03', 100)$$,
                 '22023', 'period must look like 2026, 2026-Q1 or 2026-H1, got "2026-03"',
                 'bonus_allocation with period ''2026-03'': 22023');

SELECT is((SELECT count(*) FROM cqs.bonus_allocation(pg_temp.org('YT-C'), '2026', 100000000)), 7::bigint,
          'the year''s split covers the 7 people of Sở C with a final grade (not the one not graded)');
SELECT is((SELECT sum(amount) FROM cqs.bonus_allocation(pg_temp.org('YT-C'), '2026', 1)), 1::numeric,
          'a fund of 1 đồng sums exactly');
SELECT is((SELECT sum(amount) FROM cqs.bonus_allocation(pg_temp.org('YT-C'), '2026', 7)), 7::numeric,
          'a fund of 7 đồng sums exactly');
SELECT is((SELECT sum(amount) FROM cqs.bonus_allocation(pg_temp.org('YT-C'), '2026', 999999999)), 999999999::numeric,
          'a fund of 999,999,999 đồng sums exactly');
SELECT is((SELECT sum(amount) FROM cqs.bonus_allocation(pg_temp.org('YT-C'), '2026', 100000000)), 100000000::numeric,
          'a fund of 100,000,000 đồng sums exactly');
SELECT is((SELECT sum(amount) FROM cqs.bonus_allocation(pg_temp.org('YT-C'), '2026-Q1', 1000003)), 1000003::numeric,
          'a quarter''s fund of 1,000,003 đồng sums exactly');
SELECT is((SELECT bool_and(amount = trunc(amount) AND amount >= 0)
             FROM cqs.bonus_allocation(pg_temp.org('YT-C'), '2026', 999999999)),
          true, 'every part is a whole, non-negative number of đồng');
SELECT is((SELECT bool_and((amount - 1) * t.w <= 999999999 * a.weight AND 999999999 * a.weight < (amount + 1) * t.w)
             FROM cqs.bonus_allocation(pg_temp.org('YT-C'), '2026', 999999999) a,
                  (SELECT sum(weight) AS w FROM cqs.bonus_allocation(pg_temp.org('YT-C'), '2026', 1)) t),
          true, 'every part is within one đồng of its exact share');
SELECT is((SELECT amount FROM cqs.bonus_allocation(pg_temp.org('YT-C'), '2026', 999999999)
            WHERE person_id = pg_temp.pid('YT-DISC')),
          0::numeric, 'a khong_hoan_thanh coefficient of 0 gets nothing');
SELECT is((SELECT personnel_id FROM cqs.bonus_allocation(pg_temp.org('YT-C'), '2026', 1) WHERE amount = 1),
          'YT-HEADC', 'one đồng goes to the largest weight (the head, tot at 86)');
-- Q4 weights (1.3 x quarter total): HEADC 86, DISC 85, CWSTAFF 83, SICK 82, then STAFF and
-- OTHER tied at 80: 5 đồng go to the top four and, of the tie, to the smaller person_id (STAFF).
SELECT results_eq($$SELECT personnel_id FROM cqs.bonus_allocation(pg_temp.org('YT-C'), '2026-Q4', 5)
                     WHERE amount = 1 ORDER BY personnel_id$$,
                  $$VALUES ('YT-CWSTAFF'), ('YT-DISC'), ('YT-HEADC'), ('YT-SICK'), ('YT-STAFF')$$,
                  'remainders go to the largest fractions; a tie goes to the smaller person_id');
SELECT results_eq($$SELECT * FROM cqs.bonus_allocation(pg_temp.org('YT-C'), '2026', 999999999)$$,
                  $$SELECT * FROM cqs.bonus_allocation(pg_temp.org('YT-C'), '2026', 999999999)$$,
                  'bonus_allocation is deterministic: the same split twice');
SELECT results_eq($$SELECT personnel_id, amount FROM cqs.bonus_allocation(pg_temp.org('YT-C'), '2026', 7)$$,
                  $$SELECT personnel_id, amount FROM cqs.bonus_allocation(pg_temp.org('YT-C'), '2026', 7)$$,
                  'bonus_allocation of 7 đồng is deterministic too');

-- ===========================================================================
-- The year trace.
-- ===========================================================================
SELECT throws_ok($$SELECT cqs.explain(pg_temp.pid('YT-STAFF'), 'garbage')$$, '22023',
                 'period_or_year must be a year like 2026 or a month like 2026-03 / 2026-03-01, got "garbage"',
                 'explain(person, ''garbage''): 22023');
SELECT throws_ok($$SELECT cqs.explain(-1::bigint, 2026)$$, '22023', 'person -1 does not exist',
                 'explain of an unknown person: 22023');
SELECT throws_ok($$SELECT cqs.explain(-1::bigint, '2026')$$, '22023', 'person -1 does not exist',
                 'explain(unknown person, ''2026''): 22023');
SELECT throws_ok($$SELECT cqs.explain(pg_temp.pid('YT-STAFF'), 2030)$$, '22023',
                 format('person %s has no computed year 2030', pg_temp.pid('YT-STAFF')),
                 'explain of a year not computed (2030): 22023');
-- A well-shaped but impossible month is a bad argument, not a date/time error.
SELECT throws_ok($$SELECT cqs.explain(pg_temp.pid('YT-STAFF'), '2026-13')$$, '22023', NULL,
                 'explain(person, ''2026-13''): an impossible month is a bad argument: 22023');
SELECT is(cqs.explain(pg_temp.pid('YT-DISC'), '2026'), cqs.explain(pg_temp.pid('YT-DISC'), 2026),
          'explain(person, ''2026'') is the year''s trace');
SELECT matches(cqs.explain(pg_temp.pid('YT-DISC'), 2026), '4\. Overrides force khong_hoan_thanh: Art\. 20\.4\.c',
               'the trace shows the override');
SELECT matches(cqs.explain(pg_temp.pid('YT-REG'), 2026), 're-grading replacing decision [0-9]+ \(Art\. 21\.3\): kết luận thanh tra',
               'the trace shows the re-grading and its reason');
SELECT matches(cqs.explain(pg_temp.pid('YT-OTHER'), 2026), '3\. Not graded: worked 5 month\(s\)',
               'the trace of a person not graded says why');

-- ===========================================================================
-- Art. 20.6 once more: a head is never decided above the organisation's grade
-- (README: "cqs.decide_grade refuses a head above it"), whether or not the
-- proposal was capped, and a re-grading is a decision too.
-- Last, because a wrongly accepted decision stays.
-- ===========================================================================
SELECT throws_ok($$SELECT cqs.regrade(pg_temp.pid('YT-HEADB'), 2026, 'tot', 'QĐ 41', 'lý do', 'Chủ tịch')$$,
                 '23514', NULL, 'regrade: the capped head of Sở B re-graded tot above Sở B''s hoan_thanh: 23514');
SELECT throws_ok($$SELECT cqs.decide_grade(pg_temp.pid('YT-HEADC'), 2026, 'xuat_sac', 'QĐ 40', 'Chủ tịch')$$,
                 '23514', NULL, 'decide_grade: a head decided xuat_sac above Sở C''s tot: 23514');

SELECT * FROM finish();
ROLLBACK;
