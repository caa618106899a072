-- pgTAP: the year, faithful to the decree (DOMAIN.md sections 4-6): complete and
-- confirmed periods, the order of the rules, durations, the grading organisation,
-- deadlines.  Each block is one row of the issue's table, with its numbers.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cqs_eval CASCADE;
SET LOCAL cqs.refresh_mode = async;  -- fabricated totals stand in for the writer's
SET LOCAL cqs.language = en;         -- notes as stored (English); test/language.sql reads them in Vietnamese

SELECT plan(52);

-- Organisations: a city, one using agency per row (each its own quota group), a
-- quarterly one for row 11.
INSERT INTO cqs.organisation (code, name, kind) VALUES ('YR-CITY', 'UBND', 'managing_agency');
INSERT INTO cqs.organisation (code, name, kind, parent_id, cadence)
SELECT v.code, v.code, 'using_agency', (SELECT organisation_id FROM cqs.organisation WHERE code = 'YR-CITY'), v.cadence
  FROM (VALUES ('YR-1', NULL), ('YR-2', NULL), ('YR-3', NULL), ('YR-4', NULL), ('YR-5', NULL), ('YR-6', NULL),
               ('YR-7', NULL), ('YR-11', 'quarterly'), ('YR-13', NULL), ('YR-RD', NULL), ('YR-17', NULL), ('YR-20A', NULL), ('YR-20B', NULL),
               ('YR-113A', NULL), ('YR-113B', NULL))
       AS v(code, cadence);
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT 'YR-3U', 'Phòng', 'unit', organisation_id FROM cqs.organisation WHERE code = 'YR-3';
CREATE FUNCTION pg_temp.org(code text) RETURNS bigint LANGUAGE sql AS
  $$ SELECT organisation_id FROM cqs.organisation WHERE organisation.code = $1 $$;
CREATE FUNCTION pg_temp.pid(code text) RETURNS bigint LANGUAGE sql AS
  $$ SELECT person_id FROM cqs.person WHERE personnel_id = $1 $$;

-- People and postings: (personnel id, organisation, role, kind, start, end).
CREATE TEMP TABLE fx (pid text, org text, role text, kind text, start_date date, end_date date);
INSERT INTO fx VALUES
  ('R1', 'YR-1', 'staff', 'civil_servant', '2026-01-01', NULL),
  ('R2', 'YR-2', 'staff', 'civil_servant', '2026-01-01', NULL),
  ('R3', 'YR-3U', 'head', 'civil_servant', '2026-01-01', '2026-10-31'),
  ('R3', 'YR-3U', 'staff', 'civil_servant', '2026-11-01', NULL),
  ('R4-H', 'YR-4', 'head', 'civil_servant', '2026-01-01', NULL),
  ('R4-94', 'YR-4', 'staff', 'civil_servant', '2026-01-01', NULL),
  ('R5-H', 'YR-5', 'head', 'civil_servant', '2026-01-01', NULL),
  ('R5-95', 'YR-5', 'staff', 'civil_servant', '2026-01-01', NULL),
  ('R6-95', 'YR-6', 'staff', 'civil_servant', '2026-01-01', NULL),
  ('R6-DRV', 'YR-6', 'staff', 'support_staff', '2026-01-01', NULL),
  ('R7-JUL', 'YR-7', 'staff', 'civil_servant', '2026-07-31', NULL),
  ('R7-JUL1', 'YR-7', 'staff', 'civil_servant', '2026-07-01', NULL),
  ('R7-UNP', 'YR-7', 'staff', 'civil_servant', '2026-01-01', NULL),
  ('R11', 'YR-11', 'staff', 'civil_servant', '2026-06-01', NULL),
  ('R13-H', 'YR-13', 'head', 'civil_servant', '2026-01-01', NULL),
  ('R-ROUND', 'YR-RD', 'staff', 'civil_servant', '2026-01-01', NULL),
  ('R17-LATE', 'YR-17', 'staff', 'civil_servant', '2026-01-01', NULL),
  ('R17-ONTIME', 'YR-17', 'staff', 'civil_servant', '2026-01-01', NULL),
  ('R20', 'YR-20A', 'staff', 'civil_servant', '2026-01-01', '2026-12-19'),
  ('R20', 'YR-20B', 'staff', 'civil_servant', '2026-12-20', NULL),
  -- Art. 11.3.c-d: R113 left YR-113A at the end of 2025; R113D moved on 1 July 2026.
  ('R113', 'YR-113A', 'staff', 'civil_servant', '2025-01-01', '2025-12-31'),
  ('R113', 'YR-113B', 'staff', 'civil_servant', '2026-01-01', NULL),
  ('R113D', 'YR-113A', 'staff', 'civil_servant', '2026-01-01', '2026-06-30'),
  ('R113D', 'YR-113B', 'staff', 'civil_servant', '2026-07-01', NULL);
INSERT INTO fx SELECT 'R4-80-' || i, 'YR-4', 'staff', 'civil_servant', '2026-01-01', NULL FROM generate_series(1, 9) i;
INSERT INTO fx SELECT 'R5-80-' || i, 'YR-5', 'staff', 'civil_servant', '2026-01-01', NULL FROM generate_series(1, 4) i;
INSERT INTO fx SELECT 'R6-80-' || i, 'YR-6', 'staff', 'civil_servant', '2026-01-01', NULL FROM generate_series(1, 4) i;
INSERT INTO cqs.person (personnel_id, full_name, kind) SELECT DISTINCT pid, 'Người ' || pid, kind FROM fx;
INSERT INTO cqs.posting (person_id, organisation_id, role, start_date, end_date)
SELECT pg_temp.pid(pid), pg_temp.org(org), role, start_date, end_date FROM fx;

-- Period totals straight into cqs.period_result, with an assessment in the given status
-- (NULL: none -- the person never self-assessed).  Nothing is queued: the totals stand
-- in for the writer's.
CREATE FUNCTION pg_temp.totals(pid text, periods date[], total numeric, status text DEFAULT 'confirmed',
                               pkind text DEFAULT 'month') RETURNS void
LANGUAGE sql AS $$
  INSERT INTO cqs.period_result (person_id, period, period_kind, organisation_id, person_kind, role, total, grade)
  SELECT p.person_id, x.period, pkind, ps.organisation_id, p.kind, ps.role, total, cqs.classify(total)
    FROM cqs.person p, unnest(periods) AS x(period)
    CROSS JOIN LATERAL cqs.posting_in_force(p.person_id, x.period, cqs.period_end(x.period, pkind) - 1) ps
   WHERE p.personnel_id = pid;
  INSERT INTO cqs.assessment (person_id, period, organisation_id, criteria_set_id, status, self_assessed_at, confirmed_at)
  SELECT r.person_id, r.period, r.organisation_id, (SELECT criteria_set_id FROM cqs.criteria_set WHERE code = 'form01'),
         status, now(), CASE WHEN status = 'confirmed' THEN now() END
    FROM cqs.period_result r WHERE r.person_id = pg_temp.pid(pid) AND r.period = ANY (periods) AND status IS NOT NULL;
  DELETE FROM cqs.refresh_queue;
$$;
CREATE FUNCTION pg_temp.months(a integer, b integer) RETURNS date[] LANGUAGE sql AS
  $$ SELECT array_agg(make_date(2026, m, 1) ORDER BY m) FROM generate_series(a, b) m $$;

-- Row 1 (Art. 17.2-17.3): January-March 100, April-December tasks 20% done (30 + 20% x 70
-- = 44) but never self-assessed.
SELECT pg_temp.totals('R1', pg_temp.months(1, 3), 100);
SELECT pg_temp.totals('R1', pg_temp.months(4, 12), 44, NULL);
-- Row 2 (Art. 17.2): self-scored 30/30 every month (90), never confirmed.
SELECT pg_temp.totals('R2', pg_temp.months(1, 12), 90, 'self_assessed');
-- Row 3 (Art. 20.4.d): head January-October, staff from November; corruption in the unit.
SELECT pg_temp.totals('R3', pg_temp.months(1, 12), 85);
INSERT INTO cqs.year_override (person_id, year, kind, decided_by, decided_on, reference, reason)
VALUES (pg_temp.pid('R3'), 2026, 'corruption_waste_in_unit', 'Thanh tra thành phố', '2026-11-20', 'KL 5/KL-TTr',
        'tham nhũng tại phòng do ông phụ trách (tháng 9)');
-- Row 4 (Art. 20.5 x 20.6): the organisation tốt; head 95, a staff member 94, nine staff 80.
SELECT pg_temp.totals('R4-H', pg_temp.months(1, 12), 95);
SELECT pg_temp.totals('R4-94', pg_temp.months(1, 12), 94);
SELECT pg_temp.totals('R4-80-' || i, pg_temp.months(1, 12), 80) FROM generate_series(1, 9) i;
-- Row 5: the organisation hoàn thành; head 80 (capped); four staff 80, one 95.
SELECT pg_temp.totals('R5-H', pg_temp.months(1, 12), 80);
SELECT pg_temp.totals('R5-95', pg_temp.months(1, 12), 95);
SELECT pg_temp.totals('R5-80-' || i, pg_temp.months(1, 12), 80) FROM generate_series(1, 4) i;
-- Row 6 (Art. 20.5, 28.2): four civil servants 80, one 95, one driver 80.
SELECT pg_temp.totals('R6-95', pg_temp.months(1, 12), 95);
SELECT pg_temp.totals('R6-DRV', pg_temp.months(1, 12), 80);
SELECT pg_temp.totals('R6-80-' || i, pg_temp.months(1, 12), 80) FROM generate_series(1, 4) i;
-- Row 7 (Art. 11.1): posted from 31 July; from 1 July; unpaid leave 10/1-20/7.
SELECT pg_temp.totals('R7-JUL', pg_temp.months(7, 12), 80);
SELECT pg_temp.totals('R7-JUL1', pg_temp.months(7, 12), 80);
INSERT INTO cqs.leave_record (person_id, kind, start_date, end_date) VALUES (pg_temp.pid('R7-UNP'), 'unpaid', '2026-01-10', '2026-07-20');
SELECT pg_temp.totals('R7-UNP', ARRAY['2026-01-01'::date] || pg_temp.months(7, 12), 80);
-- Row 11 (Art. 17.3): a quarterly organisation, from 1 June; quarters 60 (one month worked), 95, 95.
SELECT pg_temp.totals('R11', ARRAY['2026-04-01'::date], 60, 'confirmed', 'quarter');
SELECT pg_temp.totals('R11', ARRAY['2026-07-01'::date, '2026-10-01'], 95, 'confirmed', 'quarter');
-- Row 13: a head whose organisation is not graded.
SELECT pg_temp.totals('R13-H', pg_temp.months(1, 12), 85);
-- Rounding across a boundary: eleven months of 90 and one of 89.94, a mean of 89.995.
SELECT pg_temp.totals('R-ROUND', pg_temp.months(1, 11), 90);
SELECT pg_temp.totals('R-ROUND', ARRAY['2026-12-01'::date], 89.94);
-- Row 17 and row 20.
SELECT pg_temp.totals(p, pg_temp.months(1, 12), 80) FROM unnest(ARRAY['R17-LATE', 'R17-ONTIME']) p;
SELECT pg_temp.totals('R20', pg_temp.months(1, 12), 80);
-- Art. 11.3: both reprimanded in March 2026 by the new organisation for an act at YR-113A.
SELECT pg_temp.totals(p, pg_temp.months(1, 12), 95) FROM unnest(ARRAY['R113', 'R113D']) p;
INSERT INTO cqs.discipline (person_id, kind, level, decision_date, decision_ref, act_ref, act_organisation_id)
SELECT pg_temp.pid(p), 'administrative', 'khien_trach', '2026-03-10', 'QĐ 113/' || p, 'HV-' || p, pg_temp.org('YR-113A')
  FROM unnest(ARRAY['R113', 'R113D']) p;

-- Organisations graded (Art. 8): YR-4 tốt (80, all on time), YR-5 hoàn thành (60, all done, 10% late).
INSERT INTO cqs.organisation_year (organisation_id, year, general_scores, task_scores, tasks_assigned, tasks_completed,
                                   tasks_on_time, tasks_exceeded, tasks_late, planned_tasks, planned_tasks_done)
VALUES (pg_temp.org('YR-4'), 2026, '{10,10,10}', '{8,11,8,4,7,4,5,3}', 50, 50, 50, 0, 0, 40, 40),
       (pg_temp.org('YR-5'), 2026, '{6,6,6}', '{6,9,6,3,6,3,6,3}', 50, 50, 45, 0, 5, 40, 40);

SELECT ok(cqs.grade_year(2026) > 0, 'the year is graded');
CREATE TEMP VIEW y AS SELECT p.personnel_id, r.* FROM cqs.year_result r JOIN cqs.person p USING (person_id);

-- Row 1.
SELECT results_eq($$SELECT proposed_grade, mean_total, missing_periods FROM y WHERE personnel_id = 'R1'$$,
                  $$VALUES (NULL::cqs.grade, NULL::numeric,
                            ARRAY['2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10',
                                  '2026-11', '2026-12'])$$,
                  'row 1: nine months never self-assessed: no grade, no mean, the months listed (not 100 from three months)');
SELECT matches((SELECT not_graded_reason FROM y WHERE personnel_id = 'R1'),
               '^incomplete: no confirmed result for 2026-04, .*2026-12 \(Art\. 17\.2-17\.3\)',
               'row 1: the reason says the year is incomplete, with the article');
SELECT is((SELECT status FROM cqs.year_results WHERE personnel_id = 'R1'), 'incomplete', 'row 1: status incomplete');
-- Row 2.
SELECT results_eq($$SELECT proposed_grade, cardinality(missing_periods) FROM y WHERE personnel_id = 'R2'$$,
                  $$VALUES (NULL::cqs.grade, 12)$$,
                  'row 2: self-assessed but never confirmed: no grade (not xuất sắc on 90), twelve months missing');
-- Row 3.
SELECT results_eq($$SELECT role, proposed_grade, override_reasons[1] LIKE 'Art. 20.4.d:%' FROM y WHERE personnel_id = 'R3'$$,
                  $$VALUES ('staff'::text, 'khong_hoan_thanh'::cqs.grade, true)$$,
                  'row 3: staff on 31/12 but head when the corruption happened: không hoàn thành nhiệm vụ (Art. 20.4.d)');
-- Row 4.
SELECT results_eq($$SELECT personnel_id, proposed_grade, quota_outcome FROM y
                     WHERE personnel_id IN ('R4-H', 'R4-94') ORDER BY personnel_id$$,
                  $$VALUES ('R4-94'::text, 'xuat_sac'::cqs.grade, 'keeps'::text), ('R4-H', 'tot', NULL)$$,
                  'row 4: the head is capped at tốt before the quota and takes no place: the 94 is xuất sắc');
SELECT is((SELECT cap_reason FROM y WHERE personnel_id = 'R4-H'),
          'Art. 20.6: capped at the organisation''s grade tot (from xuat_sac)', 'row 4: the cap, with its article');
-- Row 5.
SELECT results_eq($$SELECT personnel_id, proposed_grade, quota_outcome FROM y
                     WHERE personnel_id IN ('R5-H', 'R5-95') ORDER BY personnel_id$$,
                  $$VALUES ('R5-95'::text, 'tot'::cqs.grade, 'loses'::text), ('R5-H', 'hoan_thanh', NULL)$$,
                  'row 5: the head capped at hoàn thành is outside the tốt base: four tốt allow no xuất sắc, the 95 is tốt');
-- Row 6.
SELECT results_eq($$SELECT personnel_id, proposed_grade, quota_outcome FROM y
                     WHERE personnel_id IN ('R6-95', 'R6-DRV') ORDER BY personnel_id$$,
                  $$VALUES ('R6-95'::text, 'tot'::cqs.grade, 'loses'::text), ('R6-DRV', 'tot', NULL)$$,
                  'row 6: the driver (Art. 28.2) is outside the civil servants'' base: the 95 is tốt');
-- Row 7.
SELECT results_eq($$SELECT personnel_id, proposed_grade, not_graded_reason FROM y
                     WHERE personnel_id IN ('R7-JUL', 'R7-JUL1', 'R7-UNP') ORDER BY personnel_id$$,
                  $$VALUES ('R7-JUL'::text, NULL::cqs.grade, 'worked 5 month(s) 1 day(s) in 2026, less than 6 months (Art. 11.1)'::text),
                           ('R7-JUL1', 'tot', NULL),
                           ('R7-UNP', NULL, 'worked 5 month(s) 20 day(s) in 2026, less than 6 months (Art. 11.1)')$$,
                  'row 7: a posting from 31 July is 5 months 1 day (not graded), from 1 July 6 months (graded); unpaid leave 10/1-20/7 leaves 5 months 20 days');
SELECT is((SELECT months_worked FROM y WHERE personnel_id = 'R7-JUL'), 6, 'row 7: (six months touched, which no longer decides)');
-- Row 11.
SELECT results_eq($$SELECT months_worked, months_counted, mean_total, score_grade FROM y WHERE personnel_id = 'R11'$$,
                  $$VALUES (7, 3, 90.00::numeric, 'xuat_sac'::cqs.grade)$$,
                  'row 11: quarters 60/95/95 weighted by the months worked in them (1, 3, 3): 90.00, not 83.33');
-- Rounding (DOMAIN.md section 4): the result and the trace say when it crossed a boundary.
SELECT results_eq($$SELECT mean_total, score_grade, rounding_note LIKE 'rounding 89.995% to 90.00 moved it from tot to xuat_sac'
                      FROM y WHERE personnel_id = 'R-ROUND'$$,
                  $$VALUES (90.00::numeric, 'xuat_sac'::cqs.grade, true)$$,
                  'a mean of 89.995 is recorded 90.00, xuất sắc, with a note that rounding moved it across 90');
SELECT matches(cqs.explain(pg_temp.pid('R-ROUND'), '2026'), 'Note: rounding 89\.995[0-9]* to 90\.00 moved it from tot to xuat_sac',
               'and cqs.explain says so');
-- Row 20.
SELECT is((SELECT organisation_id FROM y WHERE personnel_id = 'R20'), pg_temp.org('YR-20A'),
          'row 20: transferred on 20/12, after the deadline: graded by the organisation at grading time');
-- Row 17.
INSERT INTO cqs.grade_decision (person_id, year, organisation_id, grade, decided_by, decided_at, reference)
VALUES (pg_temp.pid('R17-LATE'), 2026, pg_temp.org('YR-17'), 'tot', 'test', '2026-12-15 09:00+07', 'QĐ 1'),
       (pg_temp.pid('R17-ONTIME'), 2026, pg_temp.org('YR-17'), 'tot', 'test', '2026-12-14 09:00+07', 'QĐ 2');
SELECT results_eq($$SELECT p.personnel_id, o.due_on, o.done_on FROM cqs.overdue o JOIN cqs.person p USING (person_id)
                     WHERE o.kind = 'annual_grading' AND p.personnel_id LIKE 'R17%'$$,
                  $$VALUES ('R17-LATE'::text, '2026-12-14'::date, '2026-12-15'::date)$$,
                  'row 17: "trước ngày 15/12": a decision dated 15/12 is late, one dated 14/12 is not');

-- The agency's own deadlines (policy, not the city's plan hard-coded).
SELECT is((SELECT self_assessment_due_day || '/' || confirmation_due_day FROM cqs.organisation_policies
            WHERE organisation_id = pg_temp.org('YR-1')), '5/10', 'deadlines default to the city''s plan: the 5th and 10th');
UPDATE cqs.organisation SET self_assessment_due_day = 3, confirmation_due_day = 7 WHERE code = 'YR-CITY';
SELECT is((SELECT self_assessment_due_day || '/' || confirmation_due_day FROM cqs.organisation_policies
            WHERE organisation_id = pg_temp.org('YR-1')), '3/7', 'a managing agency''s own days are inherited');
SELECT is((SELECT due_on FROM cqs.overdue o WHERE o.kind = 'evaluation' AND o.person_id = pg_temp.pid('R2')
            AND o.period_or_year_start = '2026-03-01'), '2026-04-07'::date,
          'and decide when a confirmation is overdue (R2''s March: 7 April)');
-- The lateness policy in writing (DOMAIN.md section 3).
UPDATE cqs.organisation SET lateness_mode = 'per_occurrence', lateness_policy_ref = 'QĐ 15/2026/QĐ-UBND' WHERE code = 'YR-CITY';
SELECT is((SELECT lateness_mode || ' ' || lateness_policy_ref FROM cqs.organisation_policies
            WHERE organisation_id = pg_temp.org('YR-3U')),
          'per_occurrence QĐ 15/2026/QĐ-UBND', 'the lateness policy and the regulation choosing it reach every unit');

-- A city that starts mid-year: months before the recorded start are outside the year.
UPDATE cqs.organisation SET evaluation_start = '2026-04-01' WHERE code = 'YR-CITY';
DELETE FROM cqs.refresh_queue;   -- the policy changes above queued the fabricated totals
SELECT ok(cqs.grade_year(2026) > 0, 'graded again with an evaluation start of 1 April');
SELECT results_eq($$SELECT proposed_grade, months_counted, mean_total FROM y WHERE personnel_id = 'R7-UNP'$$,
                  $$VALUES (NULL::cqs.grade, 6, 80.00::numeric)$$,
                  'January is outside the year once the start is 1 April (R7-UNP: July-December counted)');
-- Or the previous system's totals imported as records.
INSERT INTO cqs.imported_total (person_id, period, organisation_id, total, source, reference)
SELECT pg_temp.pid('R2'), m, pg_temp.org('YR-2'), 70, 'phần mềm cũ', 'BC 3/2026' FROM unnest(pg_temp.months(1, 3)) m;
SELECT ok(cqs.grade_year(2026) > 0, 'graded again with R2''s January-March imported');
SELECT results_eq($$SELECT months_counted, cardinality(missing_periods) FROM y WHERE personnel_id = 'R2'$$,
                  $$VALUES (3, 9)$$,
                  'imported totals count for the months before the start; April-December are still unconfirmed');

-- Organisations (Art. 8-9).  Row 10: under one authority, four computed tốt, one the
-- authority decided tốt (a gap case: 85 points, 80% on time), one at 95 meeting Art. 8.1.
INSERT INTO cqs.organisation (code, name, kind) VALUES ('YR-R10', 'UBND R10', 'managing_agency'),
                                                       ('YR-R15', 'UBND R15', 'managing_agency');
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT v.code, v.code, v.kind, pg_temp.org(v.parent)
  FROM (VALUES ('YR-10A', 'using_agency', 'YR-R10'), ('YR-10B', 'using_agency', 'YR-R10'),
               ('YR-10C', 'using_agency', 'YR-R10'), ('YR-10D', 'using_agency', 'YR-R10'),
               ('YR-10GAP', 'using_agency', 'YR-R10'), ('YR-10TOP', 'using_agency', 'YR-R10'),
               ('YR-15P', 'using_agency', 'YR-R15'), ('YR-23', 'using_agency', 'YR-R15')) AS v(code, kind, parent);
INSERT INTO cqs.organisation (code, name, kind, parent_id) VALUES ('YR-15U', 'Phòng', 'unit', pg_temp.org('YR-15P'));
INSERT INTO cqs.organisation_year (organisation_id, year, general_scores, task_scores, tasks_assigned, tasks_completed,
                                   tasks_on_time, tasks_exceeded, tasks_late, planned_tasks, planned_tasks_done)
SELECT pg_temp.org(v.code), 2026, '{10,10,10}', v.tasks, v.assigned, v.assigned, v.on_time, v.exceeded, 0, 40, 40
  FROM (VALUES ('YR-10A', '{8,11,8,4,7,4,5,3}'::numeric[], 50, 50, 0), ('YR-10B', '{8,11,8,4,7,4,5,3}', 50, 50, 0),
               ('YR-10C', '{8,11,8,4,7,4,5,3}', 50, 50, 0), ('YR-10D', '{8,11,8,4,7,4,5,3}', 50, 50, 0),
               ('YR-10GAP', '{9,14,9,4,9,4,9,3}', 50, 40, 0),        -- 85 points, 80% on time: the decree is silent
               ('YR-10TOP', '{10,15,10,5,10,5,10,0}', 50, 50, 20),   -- 95 points, Art. 8.1 met
               ('YR-15P', '{10,15,10,5,10,5,10,0}', 50, 50, 20),     -- 95, but its division awaits the authority
               ('YR-15U', '{9,14,9,4,9,4,9,3}', 50, 40, 0),          -- the division: 85, 80% on time
               ('YR-23', '{10,15,10,5,10,5,7,0}', 0, 0, 0))         -- 92 points, no assigned task
       AS v(code, tasks, assigned, on_time, exceeded);
SELECT ok(cqs.grade_organisations(2026) > 0, 'organisations graded');
SELECT is((SELECT status FROM cqs.organisation_results WHERE code = 'YR-10GAP'), 'needs_authority_decision',
          'row 10: the gap case awaits the authority');
SELECT is((SELECT quota_outcome FROM cqs.organisation_results WHERE code = 'YR-10TOP'), 'loses',
          'row 10: before the authority decides it, four tốt allow no xuất sắc');
SELECT lives_ok($$SELECT cqs.decide_organisation_grade(pg_temp.org('YR-10GAP'), 2026, 'tot', 'QĐ 9/QĐ-UBND')$$,
                'row 10: the authority decides the gap case tốt');
SELECT ok(cqs.grade_organisations(2026) > 0, 'organisations graded again');
SELECT results_eq($$SELECT code, final_grade, quota_outcome FROM cqs.organisation_results
                     WHERE code IN ('YR-10GAP', 'YR-10TOP') ORDER BY code$$,
                  $$VALUES ('YR-10GAP'::text, 'tot'::cqs.grade, NULL::text), ('YR-10TOP', 'xuat_sac', 'keeps')$$,
                  'row 10: the decided tốt counts in the base (five tốt): the 95 keeps xuất sắc (Art. 8.5)');
-- Row 15.
SELECT results_eq($$SELECT computed_grade, needs_decision_reason LIKE '%waits: direct subordinate(s) YR-15U still await%'
                      FROM cqs.organisation_results WHERE code = 'YR-15P'$$,
                  $$VALUES (NULL::cqs.grade, true)$$,
                  'row 15: a parent at 95 waits while its division awaits the authority (Art. 8.1.b, 9.1)');
-- Row 23.
SELECT results_eq($$SELECT computed_grade, needs_decision_reason FROM cqs.organisation_results WHERE code = 'YR-23'$$,
                  $$VALUES (NULL::cqs.grade,
                            '92 points with no assigned tasks: Art. 8''s conditions on tasks cannot be assessed; the authority decides'::text)$$,
                  'row 23: 92 points with no assigned task: the authority decides (not xuất sắc)');

-- Row 18 (Art. 22): a complaint about a month's result is recordable; one dated before
-- its decision is refused.
SELECT ok(cqs.file_period_complaint(pg_temp.pid('R4-94'), '2026-03-01', 'Đề nghị xem xét kết quả tháng 3', '2026-04-06') > 0,
          'row 18: a complaint about March''s result, filed in April');
SELECT is((SELECT due_on FROM cqs.complaints WHERE person_id = pg_temp.pid('R4-94')), '2026-04-15'::date,
          'row 18: due 7 working days later');
SELECT throws_ok($$SELECT cqs.file_period_complaint(pg_temp.pid('R4-94'), '2026-03-01', 'sớm', '2026-03-20')$$,
                 '23514', NULL, 'row 18: a complaint about March filed before March ended: 23514');
INSERT INTO cqs.grade_decision (person_id, year, organisation_id, grade, decided_by, decided_at, reference)
VALUES (pg_temp.pid('R4-94'), 2026, pg_temp.org('YR-4'), 'xuat_sac', 'test', '2026-12-10 09:00+07', 'QĐ 3');
SELECT throws_ok($$SELECT cqs.file_complaint(d.decision_id, 'trước quyết định', '2026-12-01')
                     FROM cqs.grade_decision d WHERE d.person_id = pg_temp.pid('R4-94')$$,
                 '23514', 'complaint filed on 2026-12-01 is dated before what it complains about (2026-12-10)',
                 'row 18: a complaint dated before its decision: 23514');

-- Row 25 (Art. 23.3): who was graded không hoàn thành nhiệm vụ, with consecutive years.
INSERT INTO cqs.year_result (person_id, year, organisation_id, using_agency_id, role, duty_group, months_worked,
                             months_counted, mean_total, score_grade, proposed_grade)
VALUES (pg_temp.pid('R3'), 2025, pg_temp.org('YR-3U'), pg_temp.org('YR-3'), 'head', 'chung', 12, 12, 45, 'khong_hoan_thanh',
        'khong_hoan_thanh');
SELECT results_eq($$SELECT year, consecutive_years, agency_id FROM cqs.not_completed WHERE personnel_id = 'R3' ORDER BY year$$,
                  $$VALUES (2025, 1, pg_temp.org('YR-3')), (2026, 2, pg_temp.org('YR-3'))$$,
                  'row 25: R3 is in the list for 2025 and 2026, the second year running');

-- Decisions cannot break the rules (rows 13, 14, 24; Art. 20-21).
SELECT throws_ok($$SELECT cqs.decide_grade(pg_temp.pid('R7-JUL1'), 2026, 'tot', 'QĐ 20')$$, '55000',
                 format('person %s''s grading procedure for 2026 is not recorded: the meeting minutes and the personnel section''s proposal come before the decision', pg_temp.pid('R7-JUL1')),
                 'row 24: no decision before the meeting''s minutes and the personnel section''s proposal (Art. 21.1)');
INSERT INTO cqs.year_grading (person_id, year, meeting_minutes_ref, meeting_on, personnel_proposal, personnel_proposed_at,
                              party_opinion, party_opinion_at)
SELECT r.person_id, 2026, 'BB 7/2026', '2026-12-03', coalesce(r.proposed_grade, 'tot'), '2026-12-04',
       CASE WHEN r.role = 'head' THEN 'Đồng ý' END, CASE WHEN r.role = 'head' THEN timestamptz '2026-12-04' END
  FROM cqs.year_result r WHERE r.year = 2026;
SELECT throws_ok($$SELECT cqs.decide_grade(pg_temp.pid('R7-JUL1'), 2026, 'xuat_sac', 'QĐ 21', NULL, 'xuất sắc')$$, '23514',
                 format('person %s cannot be graded xuat_sac for 2026: a mean of 80.00 grades at most tot', pg_temp.pid('R7-JUL1')),
                 'row 14: xuất sắc for a mean of 80 is refused, even with a reason (Art. 20)');
SELECT throws_ok($$SELECT cqs.decide_grade(pg_temp.pid('R3'), 2026, 'tot', 'QĐ 22', NULL, 'đã khắc phục')$$, '23514', NULL,
                 'row 14: tốt under an override (the leaders'' corruption override) is refused (Art. 20.4)');
SELECT throws_ok($$SELECT cqs.decide_grade(pg_temp.pid('R5-95'), 2026, 'xuat_sac', 'QĐ 23', NULL, 'điểm cao')$$, '23514', NULL,
                 'row 14: xuất sắc beyond the quota without the authority''s recorded choice is refused (Art. 20.5)');
SELECT throws_ok($$SELECT cqs.decide_grade(pg_temp.pid('R7-JUL1'), 2026, 'hoan_thanh', 'QĐ 24')$$, '22023', NULL,
                 'a departure from the proposal (hoàn thành for a proposed tốt) needs a written reason');
SELECT lives_ok($$SELECT cqs.decide_grade(pg_temp.pid('R7-JUL1'), 2026, 'hoan_thanh', 'QĐ 24', NULL, 'vi phạm quy chế làm việc')$$,
                'and is recorded with one');
SELECT throws_ok($$SELECT cqs.decide_grade(pg_temp.pid('R13-H'), 2026, 'tot', 'QĐ 25')$$, '55000', NULL,
                 'row 13: a head''s decision waits until their organisation is graded (Art. 20.6)');
SELECT lives_ok($$SELECT cqs.decide_grade(pg_temp.pid('R4-H'), 2026, 'tot', 'QĐ 26')$$, 'the head of YR-4 (tốt) is decided tốt');
SELECT throws_ok($$SELECT cqs.decide_organisation_grade(pg_temp.org('YR-4'), 2026, 'hoan_thanh', 'QĐ 27')$$, '23514', NULL,
                 'row 13: the organisation cannot then be decided below its head''s decision (re-grade the head first)');

-- Art. 11.3.c: an act at an organisation the person no longer worked for in 2026 counts
-- for that old organisation: not forced on this year's grade, never dropped either.
SELECT results_eq($$SELECT score_grade, override_reasons FROM y WHERE personnel_id = 'R113'$$,
                  $$VALUES ('xuat_sac'::cqs.grade, '{}'::text[])$$,
          'Art. 11.3.c: a reprimand for an act at the organisation left in 2025 does not force 2026 at the new one');
SELECT is((SELECT status FROM cqs.year_results WHERE personnel_id = 'R113' AND year = 2026), 'awaiting_authority',
          'the year waits for the authority instead');
SELECT ok((SELECT authority_reasons[1] LIKE 'Art. 11.3.c:%QĐ 113/R113%' FROM cqs.year_results
            WHERE personnel_id = 'R113' AND year = 2026),
          'with the reason naming the decision and the old organisation');
SELECT ok((SELECT explanation LIKE '%Left to the authority: Art. 11.3.c%' FROM cqs.explain(pg_temp.pid('R113'), 2026) explanation),
          'cqs.explain says so');
-- Art. 11.3.d: an act at the organisation left within the year counts in that year.
SELECT is((SELECT proposed_grade FROM y WHERE personnel_id = 'R113D'), 'khong_hoan_thanh'::cqs.grade,
          'Art. 11.3.d: a reprimand for an act at the organisation left in July 2026 forces khong_hoan_thanh for 2026');

SELECT * FROM finish();
ROLLBACK;
