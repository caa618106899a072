-- pgTAP: the data model's constraint, state and argument errors carry real SQLSTATEs.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cqs_eval CASCADE;
SELECT plan(35);

-- Fixture: one agency, a catalogue, two people.
INSERT INTO cqs.organisation (code, name, kind) VALUES ('T-CITY', 'City', 'managing_agency');
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT 'T-DEPT', 'Dept', 'using_agency', organisation_id FROM cqs.organisation WHERE code = 'T-CITY';
CREATE TEMP TABLE ids AS
SELECT (SELECT organisation_id FROM cqs.organisation WHERE code = 'T-CITY') AS city,
       (SELECT organisation_id FROM cqs.organisation WHERE code = 'T-DEPT') AS dept;
INSERT INTO cqs.catalogue (organisation_id, version, effective_from, standard_points)
SELECT dept, 'v1', '2026-01-01', 5 FROM ids;
ALTER TABLE ids ADD COLUMN cat bigint;
UPDATE ids SET cat = (SELECT catalogue_id FROM cqs.catalogue WHERE version = 'v1');
INSERT INTO cqs.catalogue_item (catalogue_id, code, name, output_unit, complexity_group, group_max,
                                points_low, points_high, is_standard, coefficient_low, coefficient_high)
SELECT cat, 'STD', 'Standard', 'doc', 1, 100, 5, 5, true, 0, 0 FROM ids
UNION ALL
SELECT cat, 'RNG', 'Range', 'doc', 3, 300, 40, 80, false, 0, 0 FROM ids;
INSERT INTO cqs.person (personnel_id, full_name) VALUES ('T-1', 'One'), ('T-2', 'Two');
INSERT INTO cqs.posting (person_id, organisation_id, role, start_date)
SELECT p.person_id, i.dept, CASE p.personnel_id WHEN 'T-2' THEN 'head' ELSE 'staff' END, '2026-01-01'
  FROM cqs.person p, ids i WHERE p.personnel_id LIKE 'T-%';
ALTER TABLE ids ADD COLUMN p1 bigint, ADD COLUMN p2 bigint;
UPDATE ids SET p1 = (SELECT person_id FROM cqs.person WHERE personnel_id = 'T-1'),
               p2 = (SELECT person_id FROM cqs.person WHERE personnel_id = 'T-2');

SELECT is((SELECT coefficient_high FROM cqs.catalogue_item WHERE code = 'RNG'), 16.0000000000000000,
          'coefficients are derived from the points (HB ch. II)');

-- Catalogue rules (HB ch. II).
SELECT throws_ok($$INSERT INTO cqs.catalogue_item (catalogue_id, code, name, output_unit, complexity_group, group_max,
                     points_low, points_high, coefficient_low, coefficient_high)
                   SELECT cat, 'BIG', 'x', 'doc', 1, 100, 150, 150, 0, 0 FROM ids$$,
                 '23514', NULL, 'points above the group maximum: 23514');
SELECT throws_ok($$INSERT INTO cqs.catalogue_item (catalogue_id, code, name, output_unit, complexity_group, group_max,
                     points_low, points_high, coefficient_low, coefficient_high)
                   SELECT cat, 'REV', 'x', 'doc', 3, 300, 200, 100, 0, 0 FROM ids$$,
                 '23514', NULL, 'a range whose low end exceeds its high end: 23514');
SELECT throws_ok($$INSERT INTO cqs.catalogue_item (catalogue_id, code, name, output_unit, complexity_group, group_max,
                     points_low, points_high, coefficient_low, coefficient_high)
                   SELECT cat, 'RAISE', 'x', 'doc', 1, 150, 10, 10, 0, 0 FROM ids$$,
                 '23514', NULL, 'a group maximum above 100 x group: 23514');
SELECT throws_ok($$INSERT INTO cqs.catalogue_item (catalogue_id, code, name, output_unit, complexity_group, group_max,
                     points_low, points_high, is_standard, coefficient_low, coefficient_high)
                   SELECT cat, 'STD2', 'x', 'doc', 1, 100, 5, 5, true, 0, 0 FROM ids$$,
                 '23505', NULL, 'a second standard unit: 23505');
SELECT throws_ok($$INSERT INTO cqs.catalogue (organisation_id, version, effective_from, standard_points)
                   SELECT dept, 'v0', '2025-01-01', 0 FROM ids$$,
                 '23514', NULL, 'standard points must be positive: 23514');

-- CSV import: problems are a bad argument (22023) and nothing is imported.
SELECT throws_ok($$SELECT cqs.import_catalogue((SELECT dept FROM ids), 'v2', '2027-01-01',
                     E'code,name,output_unit,group,points,standard\nA,a,doc,N1,500,x\nB,b,doc,N9,5,\n')$$,
                 '22023', NULL, 'a CSV with problems: 22023');
SELECT is((SELECT count(*) FROM cqs.catalogue WHERE version = 'v2'), 0::bigint, 'nothing half-imported');
SELECT throws_ok($$SELECT * FROM cqs.parse_csv(E'a,"b\n')$$, '22023', NULL, 'an unclosed quote: 22023 (test/loaders.sql has the reader''s cases)');
SELECT is((SELECT count(*) FROM cqs.catalogue_csv_problems(
             E'code,name,output_unit,group,points\nA,a,doc,N1,500\nB,b,doc,N9,5\nC,,doc,N1,5\n', 5)),
          4::bigint, 'every problem of a CSV in one pass (3 bad lines + no standard unit)');

-- Organisations, postings, criteria sets.
SELECT throws_ok($$UPDATE cqs.organisation SET parent_id = (SELECT dept FROM ids) WHERE code = 'T-CITY'$$,
                 '23514', NULL, 'a cycle in the tree: 23514');
SELECT throws_ok($$INSERT INTO cqs.posting (person_id, organisation_id, start_date)
                   SELECT p1, city, '2026-06-01' FROM ids$$,
                 '23P01', NULL, 'overlapping postings: 23P01');
SELECT throws_ok($$INSERT INTO cqs.posting (person_id, organisation_id, role, start_date)
                   SELECT p1, city, 'deputy', '2020-01-01' FROM ids$$,
                 '23514', NULL, 'a deputy without an assigned field: 23514');
SET CONSTRAINTS ALL IMMEDIATE;
SELECT throws_ok($$WITH s AS (INSERT INTO cqs.criteria_set (code, name) VALUES ('bad', 'bad') RETURNING criteria_set_id)
                   INSERT INTO cqs.criteria_item (criteria_set_id, position, code, name, max_points)
                   SELECT criteria_set_id, 1, 'X', 'x', 20 FROM s$$,
                 '23514', NULL, 'a criteria set not totalling 30: 23514');
SET CONSTRAINTS ALL DEFERRED;

-- Task lines.
SELECT throws_ok($$INSERT INTO cqs.task_line (person_id, organisation_id, period, deadline, item_id, coefficient, assigned_qty)
                   SELECT p1, dept, '2026-01-01', '2026-01-10', (SELECT item_id FROM cqs.catalogue_item WHERE code = 'RNG'), 20, 1 FROM ids$$,
                 '23514', NULL, 'a coefficient outside the item range: 23514');
SELECT throws_ok($$INSERT INTO cqs.task_line (person_id, organisation_id, period, deadline, item_id, coefficient, assigned_qty, origin)
                   SELECT p1, dept, '2026-01-01', '2026-01-10', (SELECT item_id FROM cqs.catalogue_item WHERE code = 'STD'), 1, 1, 'gift' FROM ids$$,
                 '23514', NULL, 'an unknown origin: 23514');
SELECT throws_ok($$INSERT INTO cqs.task_line (person_id, organisation_id, period, deadline, item_id, coefficient, assigned_qty)
                   SELECT p1, dept, '2026-01-15', ('2026-01-15')::date + 9, (SELECT item_id FROM cqs.catalogue_item WHERE code = 'STD'), 1, 1 FROM ids$$,
                 '23514', NULL, 'a period that is not the first of a month: 23514');
SELECT lives_ok($$INSERT INTO cqs.task_line (person_id, organisation_id, period, deadline, item_id, coefficient, assigned_qty,
                                            completed_qty, external_source, external_id)
                  SELECT p1, dept, '2026-01-01', '2026-01-10', (SELECT item_id FROM cqs.catalogue_item WHERE code = 'STD'), 1, 4, 4, 'dms', 'X1' FROM ids$$,
                'a valid task line');
SELECT throws_ok($$INSERT INTO cqs.task_line (person_id, organisation_id, period, deadline, item_id, coefficient, assigned_qty,
                                             external_source, external_id)
                   SELECT p1, dept, '2026-01-01', '2026-01-10', (SELECT item_id FROM cqs.catalogue_item WHERE code = 'STD'), 1, 1, 'dms', 'X1' FROM ids$$,
                 '23505', NULL, 'a duplicate external reference: 23505');

-- Assessments and the workflow.
SELECT throws_ok($$SELECT cqs.confirm((SELECT p1 FROM ids), '2026-01-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')$$,
                 '55000', NULL, 'confirming before the self-assessment: 55000');
SELECT throws_ok($$SELECT cqs.self_assess((SELECT p1 FROM ids), '2026-01-01', '{6,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')$$,
                 '23514', NULL, 'a sub-item above its maximum: 23514');
SELECT throws_ok($$SELECT cqs.self_assess((SELECT p1 FROM ids), '2026-01-01', '{5,5,2.5}')$$,
                 '23514', NULL, 'the wrong number of sub-item scores: 23514');
SELECT throws_ok($$SELECT cqs.self_assess((SELECT p1 FROM ids), '2019-01-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')$$,
                 '22023', NULL, 'a month without a posting: 22023');
SELECT lives_ok($$SELECT cqs.self_assess((SELECT p1 FROM ids), '2026-01-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')$$,
                'self-assessment');
SELECT cqs.act_as((SELECT p1 FROM ids)) IS NOT NULL AS acting \gset
SELECT throws_ok($$SELECT cqs.confirm((SELECT p1 FROM ids), '2026-01-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')$$,
                 '42501', NULL, 'confirming one''s own assessment: 42501 (Art. 10)');
SELECT set_config('cqs.acting_person', '', true) IS NOT NULL AS acting_for_nobody \gset
SELECT throws_ok($$SELECT cqs.set_leader_terms((SELECT p2 FROM ids), '2026-01-01', 75, 'x', 100, NULL)$$,
                 '23514', NULL, 'đ other than 100 or 50: 23514');
SELECT throws_ok($$SELECT cqs.lock_period((SELECT dept FROM ids), '2026-01-01')$$,
                 '55000', NULL, 'locking with unconfirmed assessments: 55000');
SELECT is((SELECT total FROM cqs.month_results WHERE person_id = (SELECT p1 FROM ids)), 100.00,
          'the result followed its inputs (100% of 4 standard units, 30 general)');
SELECT lives_ok($$SELECT cqs.confirm((SELECT p1 FROM ids), '2026-01-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2}')$$,
                'the head confirms the staff member');
SELECT is((SELECT total FROM cqs.month_results WHERE person_id = (SELECT p1 FROM ids)), 99.50,
          'the confirmed evaluator score counts once confirmed (Art. 12.1)');
SELECT lives_ok($$SELECT cqs.self_assess((SELECT p2 FROM ids), '2026-01-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')$$,
                'the head self-assesses');
SELECT lives_ok($$SELECT cqs.confirm((SELECT p2 FROM ids), '2026-01-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')$$,
                'the head is confirmed');
SELECT is((SELECT count(*) FROM cqs.lock_period((SELECT dept FROM ids), '2026-01-01')), 2::bigint, 'lock a confirmed month');
SELECT throws_ok($$UPDATE cqs.task_line SET completed_qty = 1 WHERE external_id = 'X1'$$,
                 '55000', NULL, 'a locked month refuses task-line changes: 55000');
SELECT throws_ok($$SELECT cqs.explain(-1, '2026-01-01')$$, '22023', NULL, 'explain of an unknown person: 22023');

SELECT * FROM finish();
ROLLBACK;
