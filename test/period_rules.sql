-- pgTAP: period rules DOMAIN.md spells out beyond the handbook example (issue 9).
-- Row 16 (Art. 15.4): divisions can be assigned to a deputy's field; the deputy's d then
-- covers everyone in them, their heads included.
-- Row 12 (Art. 14.2.b): a failure takes 25% of the credit of the products it concerns.
-- Row 22 (Art. 14.2.c): exemptions per delay, each with the authority's confirmation.
-- Row 21 (Art. 18.1.b): every task has a deadline.
-- Row 19 (Art. 13): items come from the catalogue in force for the line's agency.
-- Row 8 (Art. 19.2, HB ch. VII): December lines due after 14/12 count in January.
-- Row 9 (Art. 17.3, 19.1): a move from a monthly to a quarterly organisation within a
-- quarter keeps the old monthly results; the new quarter starts after them.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cqs_eval CASCADE;

SELECT plan(42);

-- Sở PR (head H, deputy D for field 'x') > Phòng PR-U (head UH); UH scores 35 in March.
INSERT INTO cqs.organisation (code, name, kind) VALUES ('PR', 'Sở PR', 'using_agency');
INSERT INTO cqs.organisation (code, name, kind, parent_id, field)
SELECT 'PR-U', 'Phòng PR', 'unit', organisation_id, 'x' FROM cqs.organisation WHERE code = 'PR';
INSERT INTO cqs.person (personnel_id, full_name) VALUES ('PR-H', 'Giám đốc'), ('PR-D', 'Phó giám đốc'), ('PR-UH', 'Trưởng phòng');
INSERT INTO cqs.posting (person_id, organisation_id, role, field, start_date)
SELECT p.person_id, o.organisation_id, v.role, v.field, '2026-01-01'
  FROM (VALUES ('PR-H', 'PR', 'head', NULL), ('PR-D', 'PR', 'deputy', 'x'), ('PR-UH', 'PR-U', 'head', NULL)) AS v(pid, org, role, field)
  JOIN cqs.person p ON p.personnel_id = v.pid JOIN cqs.organisation o ON o.code = v.org;
INSERT INTO cqs.catalogue (organisation_id, version, effective_from, standard_points)
SELECT organisation_id, 'pr1', '2026-01-01', 5 FROM cqs.organisation WHERE code = 'PR';
INSERT INTO cqs.catalogue_item (catalogue_id, code, name, output_unit, complexity_group, group_max,
                                points_low, points_high, is_standard, coefficient_low, coefficient_high)
SELECT catalogue_id, 'PR-STD', 'chuẩn', 'văn bản', 1, 100, 5, 5, true, 0, 0 FROM cqs.catalogue WHERE version = 'pr1';
INSERT INTO cqs.task_line (person_id, organisation_id, period, item_id, coefficient, assigned_qty, completed_qty, deadline)
SELECT p.person_id, ps.organisation_id, '2026-03-01', (SELECT item_id FROM cqs.catalogue_item WHERE code = 'PR-STD'),
       1, 10, CASE WHEN p.personnel_id = 'PR-UH' THEN 0 ELSE 10 END, '2026-03-31'
  FROM cqs.person p JOIN cqs.posting ps USING (person_id) WHERE p.personnel_id LIKE 'PR-%';
-- Form 01 confirmed: 30 for the director and the deputy, 0 for the division head.
INSERT INTO cqs.assessment (person_id, period, organisation_id, criteria_set_id, self_scores, evaluator_scores, status)
SELECT p.person_id, '2026-03-01', ps.organisation_id, (SELECT criteria_set_id FROM cqs.criteria_set WHERE code = 'form01'),
       s.scores, s.scores, 'confirmed'
  FROM cqs.person p JOIN cqs.posting ps USING (person_id)
  CROSS JOIN LATERAL (SELECT CASE WHEN p.personnel_id = 'PR-UH' THEN '{0,0,0,0,0,0,0,0,0,0}'::numeric[]
                                  ELSE '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}' END AS scores) s
 WHERE p.personnel_id LIKE 'PR-%';

SELECT is((SELECT total FROM cqs.month_results WHERE personnel_id = 'PR-UH' AND month = 3), 35.00,
          'the division head scores 35 (0 general, KQ (0+0+0+100+100+100)/6 = 50%)');
SELECT is((SELECT d FROM cqs.month_results WHERE personnel_id = 'PR-H' AND month = 3), 50::numeric,
          'the director manages everyone below: d = 50 (Art. 15.3)');
SELECT is((SELECT d FROM cqs.month_results WHERE personnel_id = 'PR-D' AND month = 3), 50::numeric,
          'row 16: the deputy whose field the division is assigned to: d = 50 (Art. 15.4), not 100');
UPDATE cqs.organisation SET field = 'y' WHERE code = 'PR-U';
SELECT is((SELECT d FROM cqs.month_results WHERE personnel_id = 'PR-D' AND month = 3), 100::numeric,
          'the division reassigned to another field: the deputy''s d follows (100)');
SELECT is((SELECT d FROM cqs.month_results WHERE personnel_id = 'PR-H' AND month = 3), 50::numeric,
          'while the director''s stays 50');

-- ---------------------------------------------------------------------------
-- Rows 12 and 22: failures and delays one by one.  PR-S (staff) in April: one line of
-- 10 reports, coefficient 1, all done; general 30.
-- ---------------------------------------------------------------------------
INSERT INTO cqs.person (personnel_id, full_name) VALUES ('PR-S', 'Chuyên viên');
INSERT INTO cqs.posting (person_id, organisation_id, role, start_date)
SELECT p.person_id, o.organisation_id, 'staff', '2026-01-01'
  FROM cqs.person p, cqs.organisation o WHERE p.personnel_id = 'PR-S' AND o.code = 'PR-U';
INSERT INTO cqs.task_line (person_id, organisation_id, period, item_id, coefficient, assigned_qty, completed_qty,
                           deadline, completed_on, external_source, external_id)
SELECT p.person_id, o.organisation_id, '2026-04-01', (SELECT item_id FROM cqs.catalogue_item WHERE code = 'PR-STD'),
       1, 10, 10, '2026-04-20', '2026-04-20', 'pr', 'reports'
  FROM cqs.person p, cqs.organisation o WHERE p.personnel_id = 'PR-S' AND o.code = 'PR-U';
INSERT INTO cqs.assessment (person_id, period, organisation_id, criteria_set_id, self_scores, evaluator_scores, status)
SELECT p.person_id, '2026-04-01', o.organisation_id, (SELECT criteria_set_id FROM cqs.criteria_set WHERE code = 'form01'),
       '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}', 'confirmed'
  FROM cqs.person p, cqs.organisation o WHERE p.personnel_id = 'PR-S' AND o.code = 'PR-U';
SELECT task_line_id AS reports FROM cqs.task_line WHERE external_id = 'reports' \gset

INSERT INTO cqs.task_deduction (task_line_id, kind, concerned_qty, description)
VALUES (:reports, 'quality', 1, 'báo cáo số 3 sai số liệu');
SELECT is((SELECT round(b, 2) FROM cqs.month_results WHERE personnel_id = 'PR-S' AND month = 4), 97.50,
          'row 12: one report of ten fails one review: b = 97.50 (25% of one report''s credit), not 75.00');
SELECT is((SELECT quality_hit_qty FROM cqs.task_lines_explained WHERE task_line_id = :reports), 1::numeric,
          'task_lines_explained shows the quantity the failure hit');
SELECT is((SELECT deductions_recorded FROM cqs.task_line WHERE task_line_id = :reports), 1,
          'the line counts its recorded failures and delays');
INSERT INTO cqs.task_deduction (task_line_id, kind, concerned_qty) VALUES (:reports, 'quality', 1);
SELECT is((SELECT round(b, 2) FROM cqs.month_results WHERE personnel_id = 'PR-S' AND month = 4), 95.00,
          'a second failure (another report, or the same again) takes another 25% of one report: 95.00');
INSERT INTO cqs.task_deduction (task_line_id, kind) VALUES (:reports, 'quality');
SELECT is((SELECT round(b, 2) FROM cqs.month_results WHERE personnel_id = 'PR-S' AND month = 4), 70.00,
          'a failure concerning the whole line takes 25% of all ten: 70.00');
DELETE FROM cqs.task_deduction WHERE task_line_id = :reports;
SELECT is((SELECT round(b, 2) FROM cqs.month_results WHERE personnel_id = 'PR-S' AND month = 4), 100.00,
          'failures removed: b back to 100.00, and the count to 0');
UPDATE cqs.task_line SET quality_failures = 5 WHERE task_line_id = :reports;
SELECT is((SELECT round(b, 2) FROM cqs.month_results WHERE personnel_id = 'PR-S' AND month = 4), 0.00,
          'five failures on the whole line: nothing is kept, never less than nothing (b = 0.00)');
UPDATE cqs.task_line SET quality_failures = 0 WHERE task_line_id = :reports;

-- Row 22: three delays (per-day policy: 2, 3 and 1 days), the second exempted.
UPDATE cqs.task_line SET completed_on = '2026-04-23' WHERE task_line_id = :reports;
SELECT is((SELECT round(c, 2) FROM cqs.month_results WHERE personnel_id = 'PR-S' AND month = 4), 25.00,
          'completed 3 days late, no delay recorded one by one: 3 deductions on the whole line (per day): c = 25.00');
INSERT INTO cqs.task_deduction (task_line_id, kind, days_late, description)
VALUES (:reports, 'lateness', 1, 'nộp chậm đợt 1'), (:reports, 'lateness', 1, 'nộp chậm đợt 2'),
       (:reports, 'lateness', 1, 'nộp chậm đợt 3');
SELECT is((SELECT round(c, 2) FROM cqs.month_results WHERE personnel_id = 'PR-S' AND month = 4), 25.00,
          'three delays of a day recorded one by one replace the dates'' delay: 3 deductions, c = 25.00');
UPDATE cqs.task_deduction SET exemption_reference = 'CV 15/UBND xác nhận mất điện'
 WHERE task_line_id = :reports AND description = 'nộp chậm đợt 2';
SELECT is((SELECT round(c, 2) FROM cqs.month_results WHERE personnel_id = 'PR-S' AND month = 4), 50.00,
          'row 22: one of three delays exempted: 2 deductions, c = 50.00 (not all-or-nothing per line)');
SELECT ok((SELECT exempted_by = current_user AND exempted_at IS NOT NULL FROM cqs.task_deduction
            WHERE task_line_id = :reports AND description = 'nộp chậm đợt 2'),
          'the exemption records who entered it and when, by the database');
SELECT is((SELECT delays_exempted FROM cqs.task_lines_explained WHERE task_line_id = :reports), 1::bigint,
          'task_lines_explained counts the exempted delay');
UPDATE cqs.task_deduction SET concerned_qty = 2 WHERE task_line_id = :reports AND description = 'nộp chậm đợt 1';
SELECT is((SELECT round(c, 2) FROM cqs.month_results WHERE personnel_id = 'PR-S' AND month = 4), 70.00,
          'a delay concerning 2 of the 10 reports takes 25% of their credit: c = 100 - 5 - 25 = 70.00');
SELECT throws_ok($$UPDATE cqs.task_line SET late_occurrences = 2 WHERE external_id = 'reports';
                   INSERT INTO cqs.task_deduction (task_line_id, kind) SELECT task_line_id, 'lateness' FROM cqs.task_line
                    WHERE external_id = 'reports'$$,
                 '23514', NULL, 'delays either counted on the line or recorded one by one, not both (23514)');
SELECT throws_ok($$INSERT INTO cqs.task_deduction (task_line_id, kind, days_late) SELECT task_line_id, 'quality', 2
                     FROM cqs.task_line WHERE external_id = 'reports'$$,
                 '23514', NULL, 'a failed review has no days late (23514)');
SELECT throws_ok($$INSERT INTO cqs.task_deduction (task_line_id, kind, exemption_reference) SELECT task_line_id, 'quality', ' '
                     FROM cqs.task_line WHERE external_id = 'reports'$$,
                 '23514', NULL, 'an exemption names the confirmation: a blank reference is refused (23514)');
SELECT throws_ok($$INSERT INTO cqs.task_deduction (task_line_id, kind) VALUES (-1, 'quality')$$,
                 '23503', NULL, 'a deduction names an existing task line (23503)');

-- A locked period refuses new failures: the line's lock holds them too.
SET LOCAL cqs.refresh_mode = 'sync';
SELECT lives_ok($$SELECT cqs.lock_period((SELECT organisation_id FROM cqs.organisation WHERE code = 'PR-U'), '2026-04-01', include_unassessed => true)$$,
                'April of PR-U locked');
SELECT throws_ok($$INSERT INTO cqs.task_deduction (task_line_id, kind) SELECT task_line_id, 'quality'
                     FROM cqs.task_line WHERE external_id = 'reports'$$,
                 '55000', NULL, 'a failure recorded in a locked period is refused (55000)');
SELECT lives_ok($$DELETE FROM cqs.task_line WHERE false$$, 'nothing else changed');

-- ---------------------------------------------------------------------------
-- Row 21: every task has a deadline.
-- ---------------------------------------------------------------------------
SELECT throws_ok($$INSERT INTO cqs.task_line (person_id, organisation_id, period, item_id, coefficient, assigned_qty)
                   SELECT p.person_id, o.organisation_id, '2026-05-01', (SELECT item_id FROM cqs.catalogue_item WHERE code = 'PR-STD'), 1, 1
                     FROM cqs.person p, cqs.organisation o WHERE p.personnel_id = 'PR-S' AND o.code = 'PR-U'$$,
                 '23502', NULL, 'row 21: a task line without a deadline is refused (23502, Art. 18.1.b)');

-- ---------------------------------------------------------------------------
-- Row 19: another agency's catalogue item is refused; a managing agency's catalogue
-- serves the agencies below it that have none.
-- ---------------------------------------------------------------------------
INSERT INTO cqs.organisation (code, name, kind) VALUES ('PQ', 'Sở PQ', 'using_agency');
INSERT INTO cqs.catalogue (organisation_id, version, effective_from, standard_points)
SELECT organisation_id, 'pq1', '2026-01-01', 5 FROM cqs.organisation WHERE code = 'PQ';
INSERT INTO cqs.catalogue_item (catalogue_id, code, name, output_unit, complexity_group, group_max,
                                points_low, points_high, is_standard, coefficient_low, coefficient_high)
SELECT catalogue_id, 'PQ-STD', 'chuẩn', 'văn bản', 1, 100, 5, 5, true, 0, 0 FROM cqs.catalogue WHERE version = 'pq1';
SELECT throws_ok($$INSERT INTO cqs.task_line (person_id, organisation_id, period, item_id, coefficient, assigned_qty, deadline)
                   SELECT p.person_id, o.organisation_id, '2026-05-01', (SELECT item_id FROM cqs.catalogue_item WHERE code = 'PQ-STD'),
                          1, 1, '2026-05-20'
                     FROM cqs.person p, cqs.organisation o WHERE p.personnel_id = 'PR-S' AND o.code = 'PR-U'$$,
                 '23514', NULL, 'row 19: an item of another agency''s catalogue is refused (23514, Art. 13)');
-- A new version from 15 May: both versions serve May, only the new one June.
INSERT INTO cqs.catalogue (organisation_id, version, effective_from, standard_points)
SELECT organisation_id, 'pr2', '2026-05-15', 5 FROM cqs.organisation WHERE code = 'PR';
INSERT INTO cqs.catalogue_item (catalogue_id, code, name, output_unit, complexity_group, group_max,
                                points_low, points_high, is_standard, coefficient_low, coefficient_high)
SELECT catalogue_id, 'PR2-STD', 'chuẩn', 'văn bản', 1, 100, 5, 5, true, 0, 0 FROM cqs.catalogue WHERE version = 'pr2';
SELECT lives_ok($$INSERT INTO cqs.task_line (person_id, organisation_id, period, item_id, coefficient, assigned_qty, deadline)
                  SELECT p.person_id, o.organisation_id, '2026-05-01', i.item_id, 1, 1, '2026-05-20'
                    FROM cqs.person p, cqs.organisation o, cqs.catalogue_item i
                   WHERE p.personnel_id = 'PR-S' AND o.code = 'PR-U' AND i.code IN ('PR-STD', 'PR2-STD')$$,
                'in the month a new version takes effect, items of both versions are accepted');
SELECT throws_ok($$INSERT INTO cqs.task_line (person_id, organisation_id, period, item_id, coefficient, assigned_qty, deadline)
                   SELECT p.person_id, o.organisation_id, '2026-06-01', (SELECT item_id FROM cqs.catalogue_item WHERE code = 'PR-STD'),
                          1, 1, '2026-06-20'
                     FROM cqs.person p, cqs.organisation o WHERE p.personnel_id = 'PR-S' AND o.code = 'PR-U'$$,
                 '23514', NULL, 'a month after it, the replaced version''s items are refused (23514, Art. 13.3)');
INSERT INTO cqs.organisation (code, name, kind) VALUES ('PM', 'UBND PM', 'managing_agency');
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT 'PM-S', 'Sở PM', 'using_agency', organisation_id FROM cqs.organisation WHERE code = 'PM';
INSERT INTO cqs.catalogue (organisation_id, version, effective_from, standard_points)
SELECT organisation_id, 'pm1', '2026-01-01', 5 FROM cqs.organisation WHERE code = 'PM';
INSERT INTO cqs.catalogue_item (catalogue_id, code, name, output_unit, complexity_group, group_max,
                                points_low, points_high, is_standard, coefficient_low, coefficient_high)
SELECT catalogue_id, 'PM-STD', 'chuẩn', 'văn bản', 1, 100, 5, 5, true, 0, 0 FROM cqs.catalogue WHERE version = 'pm1';
SELECT is(cqs.catalogue_in_force((SELECT organisation_id FROM cqs.organisation WHERE code = 'PM-S'), '2026-05-01'),
          (SELECT catalogue_id FROM cqs.catalogue WHERE version = 'pm1'),
          'an agency without a catalogue of its own uses the one its managing agency issued');

-- ---------------------------------------------------------------------------
-- Row 9 (Art. 17.3, 19.1): PR-MV moves from the monthly PR-U to the quarterly PRQ on
-- 1 March.  January and February stay PR-U's monthly results; PRQ evaluates the months
-- worked there, as a quarter that starts in March.
-- ---------------------------------------------------------------------------
INSERT INTO cqs.organisation (code, name, kind, cadence) VALUES ('PRQ', 'UBND xã PRQ', 'using_agency', 'quarterly');
INSERT INTO cqs.catalogue (organisation_id, version, effective_from, standard_points)
SELECT organisation_id, 'prq1', '2026-01-01', 5 FROM cqs.organisation WHERE code = 'PRQ';
INSERT INTO cqs.catalogue_item (catalogue_id, code, name, output_unit, complexity_group, group_max,
                                points_low, points_high, is_standard, coefficient_low, coefficient_high)
SELECT catalogue_id, 'PRQ-STD', 'chuẩn', 'văn bản', 1, 100, 5, 5, true, 0, 0 FROM cqs.catalogue WHERE version = 'prq1';
INSERT INTO cqs.person (personnel_id, full_name) VALUES ('PR-MV', 'Người chuyển công tác');
INSERT INTO cqs.posting (person_id, organisation_id, role, start_date, end_date)
SELECT p.person_id, o.organisation_id, 'staff', v.s, v.e
  FROM (VALUES ('PR-U', '2026-01-01'::date, '2026-02-28'::date), ('PRQ', '2026-03-01', NULL)) AS v(org, s, e)
  CROSS JOIN cqs.person p JOIN cqs.organisation o ON o.code = v.org
 WHERE p.personnel_id = 'PR-MV';
INSERT INTO cqs.task_line (person_id, organisation_id, period, item_id, coefficient, assigned_qty, completed_qty, deadline)
SELECT p.person_id, o.organisation_id, v.period, i.item_id, 1, 4, 4, v.period + 9
  FROM (VALUES ('PR-U', '2026-01-01'::date, 'PR-STD'), ('PR-U', '2026-02-01', 'PR-STD'), ('PRQ', '2026-03-01', 'PRQ-STD'))
       AS v(org, period, item)
  CROSS JOIN cqs.person p JOIN cqs.organisation o ON o.code = v.org JOIN cqs.catalogue_item i ON i.code = v.item
 WHERE p.personnel_id = 'PR-MV';
SELECT results_eq($$SELECT r.period, r.period_kind, o.code FROM cqs.period_result r
                     JOIN cqs.person p USING (person_id) JOIN cqs.organisation o ON o.organisation_id = r.organisation_id
                    WHERE p.personnel_id = 'PR-MV' ORDER BY r.period$$,
                  $$VALUES ('2026-01-01'::date, 'month'::text, 'PR-U'::text), ('2026-02-01', 'month', 'PR-U'),
                           ('2026-03-01', 'quarter', 'PRQ')$$,
                  'row 9: January and February stay the monthly organisation''s; the quarterly one''s quarter starts in March');
SELECT is(cqs.period_key((SELECT person_id FROM cqs.person WHERE personnel_id = 'PR-MV'), '2026-03-20', 'quarterly'),
          '2026-03-01'::date, 'cqs.period_key: March falls in the quarter that starts in March');
SELECT is(cqs.period_key((SELECT person_id FROM cqs.person WHERE personnel_id = 'PR-MV'), '2026-05-20', 'quarterly'),
          '2026-04-01'::date, 'and the next quarter is a whole one');
SELECT is(cqs.period_end('2026-03-01', 'quarter'), '2026-04-01'::date, 'a quarter that starts in March ends with March');
SELECT is((SELECT (cqs.self_assess(person_id, '2026-03-20', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')).period
             FROM cqs.person WHERE personnel_id = 'PR-MV'), '2026-03-01'::date,
          'the self-assessment for the new organisation is of the quarter from March (not refused)');
SELECT throws_ok($$INSERT INTO cqs.assessment (person_id, period, organisation_id, criteria_set_id)
                   SELECT p.person_id, '2026-05-01', o.organisation_id, (SELECT criteria_set_id FROM cqs.criteria_set WHERE code = 'form01')
                     FROM cqs.person p, cqs.organisation o WHERE p.personnel_id = 'PR-MV' AND o.code = 'PRQ'$$,
                 '23514', NULL, 'a quarterly organisation''s assessment must start the person''s quarter: May is refused (23514)');
SELECT throws_ok($$INSERT INTO cqs.assessment (person_id, period, organisation_id, criteria_set_id)
                   SELECT p.person_id, '2026-01-01', o.organisation_id, (SELECT criteria_set_id FROM cqs.criteria_set WHERE code = 'form01')
                     FROM cqs.person p, cqs.organisation o WHERE p.personnel_id = 'PR-MV' AND o.code = 'PRQ'$$,
                 '23514', 'person ' || (SELECT person_id FROM cqs.person WHERE personnel_id = 'PR-MV')
                          || ' is not posted at organisation ' || (SELECT organisation_id FROM cqs.organisation WHERE code = 'PRQ')
                          || ' during the period starting 2026-01-01',
                 'January, spent wholly at the monthly organisation, cannot be assessed by the quarterly one (23514)');

-- ---------------------------------------------------------------------------
-- Row 8: December.  A line of December due 31/12 counts in January next year; one due
-- 14/12 stays in December.
-- ---------------------------------------------------------------------------
INSERT INTO cqs.task_line (person_id, organisation_id, period, item_id, coefficient, assigned_qty, completed_qty,
                           deadline, external_source, external_id)
SELECT p.person_id, o.organisation_id, '2026-12-01', i.item_id, 1, v.qty, v.done, v.deadline, 'pr', v.ext
  FROM (VALUES (4, 4, '2026-12-14'::date, 'dec-14'), (6, 0, '2026-12-31', 'dec-31')) AS v(qty, done, deadline, ext)
  CROSS JOIN cqs.person p CROSS JOIN cqs.organisation o CROSS JOIN cqs.catalogue_item i
 WHERE p.personnel_id = 'PR-S' AND o.code = 'PR-U' AND i.code = 'PR2-STD';
SELECT is((SELECT assigned_units FROM cqs.period_result r JOIN cqs.person p USING (person_id)
            WHERE p.personnel_id = 'PR-S' AND r.period = '2026-12-01'), 4::numeric,
          'row 8: December is evaluated on the line due 14/12 only (G = 4), so a = 100');
SELECT is((SELECT assigned_units FROM cqs.period_result r JOIN cqs.person p USING (person_id)
            WHERE p.personnel_id = 'PR-S' AND r.period = '2027-01-01'), 6::numeric,
          'the line due 31/12 counts in January 2027 (HB ch. VII)');
SELECT is((SELECT evaluation_period FROM cqs.task_lines_explained WHERE external_id = 'dec-31'), '2027-01-01'::date,
          'task_lines_explained shows where it counts');
UPDATE cqs.task_line SET deadline = '2026-12-10' WHERE external_id = 'dec-31';
SELECT is((SELECT assigned_units FROM cqs.period_result r JOIN cqs.person p USING (person_id)
            WHERE p.personnel_id = 'PR-S' AND r.period = '2026-12-01'), 10::numeric,
          'its deadline moved to 10/12: it counts in December again (G = 10) ...');
SELECT is((SELECT count(*) FROM cqs.period_result r JOIN cqs.person p USING (person_id)
            WHERE p.personnel_id = 'PR-S' AND r.period = '2027-01-01'), 0::bigint,
          '... and January 2027 has nothing left');

SELECT * FROM finish();
ROLLBACK;
