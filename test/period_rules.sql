-- pgTAP: period rules DOMAIN.md spells out beyond the handbook example (issue 9).
-- Row 16 (Art. 15.4): divisions can be assigned to a deputy's field; the deputy's d then
-- covers everyone in them, their heads included.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cqs_eval CASCADE;

SELECT plan(5);

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

SELECT * FROM finish();
ROLLBACK;
