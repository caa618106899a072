-- pgTAP: who may see and do what.  Identity (a login, or a portal acting for one
-- person), the decree's competence rules (Art. 10, 17.2, 21, 22), row-level security
-- through the views, decisions kept as made, and the audit trail.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cqs_eval CASCADE;
SELECT plan(105);

-- Fixture.  UBND (managing agency, head CT) > Sở A (head GDA, deputy PGDA for 'tổ chức',
-- personnel officer TCCB) > Phòng A1 (head TPA1, deputy PPA1 for 'x', staff NV1 'x',
-- NV2 'y') and Phòng A2 (no head: staff NV3); UBND > Sở B (head GDB, staff NVB).
INSERT INTO cqs.organisation (code, name, kind) VALUES ('X-UB', 'UBND', 'managing_agency');
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT v.code, v.code, v.kind, p.organisation_id
  FROM (VALUES ('X-A', 'using_agency', 'X-UB'), ('X-B', 'using_agency', 'X-UB')) AS v(code, kind, parent)
  JOIN cqs.organisation p ON p.code = v.parent;
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT v.code, v.code, 'unit', p.organisation_id
  FROM (VALUES ('X-A1', 'X-A'), ('X-A2', 'X-A')) AS v(code, parent) JOIN cqs.organisation p ON p.code = v.parent;
INSERT INTO cqs.person (personnel_id, full_name)
SELECT v, 'Người ' || v FROM unnest(ARRAY['CT', 'GDA', 'PGDA', 'TCCB', 'TPA1', 'PPA1', 'NV1', 'NV2', 'NV3', 'GDB', 'NVB']) v;
INSERT INTO cqs.posting (person_id, organisation_id, role, field, start_date)
SELECT p.person_id, o.organisation_id, v.role, v.field, '2026-01-01'
  FROM (VALUES ('CT', 'X-UB', 'head', NULL), ('GDA', 'X-A', 'head', NULL), ('PGDA', 'X-A', 'deputy', 'tổ chức'),
               ('TCCB', 'X-A', 'staff', 'tổ chức'), ('TPA1', 'X-A1', 'head', NULL), ('PPA1', 'X-A1', 'deputy', 'x'),
               ('NV1', 'X-A1', 'staff', 'x'), ('NV2', 'X-A1', 'staff', 'y'), ('NV3', 'X-A2', 'staff', NULL),
               ('GDB', 'X-B', 'head', NULL), ('NVB', 'X-B', 'staff', NULL)) AS v(pid, org, role, field)
  JOIN cqs.person p ON p.personnel_id = v.pid JOIN cqs.organisation o ON o.code = v.org;
INSERT INTO cqs.catalogue (organisation_id, version, effective_from, standard_points)
SELECT organisation_id, 'x1', '2026-01-01', 5 FROM cqs.organisation WHERE code = 'X-UB';
INSERT INTO cqs.catalogue_item (catalogue_id, code, name, output_unit, complexity_group, group_max,
                                points_low, points_high, is_standard, coefficient_low, coefficient_high)
SELECT catalogue_id, 'X-STD', 'chuẩn', 'văn bản', 1, 100, 5, 5, true, 0, 0 FROM cqs.catalogue WHERE version = 'x1';
SELECT (SELECT organisation_id FROM cqs.organisation WHERE code = 'X-UB') AS ub,
       (SELECT organisation_id FROM cqs.organisation WHERE code = 'X-A') AS a,
       (SELECT organisation_id FROM cqs.organisation WHERE code = 'X-A1') AS a1,
       (SELECT organisation_id FROM cqs.organisation WHERE code = 'X-A2') AS a2,
       (SELECT organisation_id FROM cqs.organisation WHERE code = 'X-B') AS b,
       (SELECT item_id FROM cqs.catalogue_item WHERE code = 'X-STD') AS item \gset
SELECT string_agg(format('%s AS %s', person_id, lower(personnel_id)), ', ') AS cols FROM cqs.person \gset
SELECT :cols \gset
-- March: everyone has one task line (whoever enters them below) and self-assesses.
INSERT INTO cqs.task_line (person_id, organisation_id, period, deadline, item_id, coefficient, assigned_qty, completed_qty,
                           external_source, external_id)
SELECT ps.person_id, ps.organisation_id, '2026-03-01', '2026-03-10', :item, 1, 10, 10, 'x', p.personnel_id
  FROM cqs.posting ps JOIN cqs.person p USING (person_id);
SELECT count(*) AS self_assessed FROM (SELECT cqs.self_assess(person_id, '2026-03-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')
                                         FROM cqs.person) s \gset

-- Roles and logins: one login per person here, plus a portal, an analyst, jobs, an admin.
SELECT count(*) AS group_roles FROM cqs.setup_roles() \gset
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT personnel_id FROM cqs.person LOOP
    EXECUTE format('CREATE ROLE %I', 'rx_' || lower(r.personnel_id));
    EXECUTE format('GRANT cqs_servant TO %I', 'rx_' || lower(r.personnel_id));
    INSERT INTO cqs.person_login (login, person_id)
    SELECT 'rx_' || lower(r.personnel_id), p.person_id FROM cqs.person p WHERE p.personnel_id = r.personnel_id;
  END LOOP;
END $$;
GRANT cqs_evaluator TO rx_ct, rx_gda, rx_pgda, rx_tpa1, rx_ppa1, rx_gdb;
GRANT cqs_personnel TO rx_tccb;
GRANT cqs_authority TO rx_gda, rx_ct, rx_gdb;
CREATE ROLE rx_portal; GRANT cqs_portal TO rx_portal;
CREATE ROLE rx_analyst; GRANT cqs_analyst TO rx_analyst;
CREATE ROLE rx_jobs; GRANT cqs_jobs TO rx_jobs;
CREATE ROLE rx_admin; GRANT cqs_admin TO rx_admin;
INSERT INTO cqs.mandate (kind, organisation_id, person_id, reference)
VALUES ('personnel', :a, :tccb, 'QĐ 1/QĐ-SA phân công'),
       ('authority', :a, :gda, 'Luật: Giám đốc Sở'), ('authority', :ub, :ct, 'Luật: Chủ tịch UBND'),
       ('authority', :b, :gdb, 'Luật: Giám đốc Sở');
INSERT INTO cqs.mandate (kind, organisation_id, login, reference) VALUES ('analyst', :ub, 'rx_analyst', 'QĐ 9 phân tích');

SELECT is(:group_roles::integer, 9, 'cqs.setup_roles() reports the nine group roles');
SELECT lives_ok('SELECT cqs.setup_roles()', 'and runs again without error (idempotent)');
SELECT throws_ok($$INSERT INTO cqs.person_login (login, person_id) VALUES ('rx_nobody_such', 1)$$, '22023', NULL,
                 'a login that does not exist cannot be linked: 22023');
SELECT throws_ok(format($$INSERT INTO cqs.person_login (login, person_id) VALUES ('rx_portal', %s)$$, :nv1), '22023', NULL,
                 'a portal login cannot be linked to a person: it acts for people');

-- 1. Identity.
SET ROLE rx_nv1;
SELECT is(cqs.acting_person(), :nv1::bigint, 'a linked login acts as its person');
SELECT throws_ok(format('SELECT cqs.act_as(%s)', :nv2), '42501', NULL, 'a servant''s login cannot act for another person');
SELECT set_config('cqs.acting_person', :nv2 || ':' || repeat('ab', 32), true) IS NOT NULL AS forged \gset
SELECT is(cqs.acting_person(), NULL, 'a forged token acts for nobody (not even the login''s own person)');
SELECT is((SELECT count(*) FROM cqs.month_results), 0::bigint, 'and sees nothing');
SELECT set_config('cqs.acting_person', '', true) IS NOT NULL AS cleared \gset
RESET ROLE;
SET ROLE rx_portal;
SELECT is(cqs.acting_person(), NULL, 'a portal acting for nobody is nobody');
SELECT is((SELECT count(*) FROM cqs.person), 0::bigint, 'and reads no person');
SELECT is(cqs.act_as(:tpa1), :tpa1::bigint, 'a portal acts for the person it authenticated');
SELECT is(cqs.acting_person(), :tpa1::bigint, 'acting_person() is that person from then on');
SELECT throws_ok(format('SELECT cqs.act_as(%s)', :nv1), '55000', NULL,
                 'one person per transaction: acting for another is 55000');
SELECT is((SELECT array_agg(personnel_id ORDER BY personnel_id) FROM cqs.month_results),
          ARRAY['NV1', 'NV2', 'PPA1', 'TPA1'], 'acting for the head of Phòng A1, it reads its people''s months and the head''s own');
SELECT is((cqs.confirm(:nv1, '2026-03-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2}', 'tốt')).evaluator_id, :tpa1::bigint,
          'and confirms NV1 as TPA1 would');
-- Parallel workers check the token too (they share the transaction, not the pid).
SET force_parallel_mode = on;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
-- (pgTAP's functions are parallel unsafe: the queries run on their own, then compared.)
SELECT cqs.acting_person() AS in_worker \gset
SELECT count(*) AS rows_in_worker FROM cqs.organisation_policy WHERE organisation_id IN (SELECT unnest(cqs._seen_organisations())) \gset
RESET force_parallel_mode;
SELECT is(nullif(:'in_worker', '')::bigint, :tpa1::bigint, 'a parallel worker sees the same acting person');
SELECT is(:'rows_in_worker'::bigint, (SELECT count(*) FROM cqs.organisation_policy WHERE organisation_id IN (SELECT unnest(cqs._seen_organisations()))),
          'and the same scope');
RESET force_parallel_mode;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
SELECT set_config('cqs.acting_person', '', true) IS NOT NULL AS cleared \gset
RESET ROLE;
SELECT is((SELECT confirmed_by FROM cqs.assessment WHERE person_id = :nv1 AND period = '2026-03-01'), 'rx_portal',
          'the confirmation records the portal''s login, and the acting person as evaluator');

-- 2. Competence (Art. 10, 17.2).
SET ROLE rx_nv1;
SELECT throws_ok(format($$SELECT cqs.self_assess(%s, '2026-03-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')$$, :nv2),
                 '42501', NULL, 'a servant self-assesses only themself');
SELECT lives_ok($$SELECT cqs.self_assess(cqs.acting_person(), '2026-04-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')$$,
                'a servant self-assesses themself (April)');
SELECT throws_ok(format($$SELECT cqs.confirm(%s, '2026-03-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')$$, :nv2),
                 '42501', NULL, 'a civil servant cannot confirm a colleague (not the competent evaluator)');
SELECT throws_ok(format($$SELECT cqs.confirm(%s, '2026-03-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')$$, :nv1),
                 '42501', NULL, 'nor themself');
SELECT throws_ok(format($$SELECT cqs.confirm(%s, '2026-03-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')$$, :gda),
                 '42501', NULL, 'a civil servant''s login has no right to confirm at all');
RESET ROLE;
SET ROLE rx_portal;
SELECT cqs.act_as(:nv1) IS NOT NULL AS acting \gset
SELECT throws_ok(format($$SELECT cqs.confirm(%s, '2026-03-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')$$, :gda),
                 '42501', 'rx_portal (person ' || :nv1 || ') is not the competent evaluator of person ' || :gda || ' for 2026-03-01',
                 'through a portal that may confirm, a clerk still cannot confirm the director''s Form 01; the message names who and whom');
SELECT set_config('cqs.acting_person', '', true) IS NOT NULL AS cleared \gset
RESET ROLE;
SET ROLE rx_nv1;
SELECT is((SELECT count(*) FROM cqs.competent_evaluators(:nv2, '2026-03-01')), 0::bigint,
          'nor learn who evaluates a colleague');
SELECT is((SELECT array_agg(evaluator_id) FROM cqs.competent_evaluators(:nv1, '2026-03-01')), ARRAY[:tpa1::bigint],
          'but learns who evaluates them: the head of their unit');
RESET ROLE;
SET ROLE rx_tpa1;
SELECT lives_ok(format($$SELECT cqs.confirm(%s, '2026-03-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}', 'đạt')$$, :nv1),
                'the head of the unit confirms its staff (Art. 10)');
SELECT lives_ok(format($$SELECT cqs.confirm(%s, '2026-03-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')$$, :ppa1),
                'and its deputies');
SELECT throws_ok(format($$SELECT cqs.confirm(%s, '2026-03-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')$$, :tpa1),
                 '42501', NULL, 'a head does not confirm themself');
SELECT throws_ok(format($$SELECT cqs.confirm(%s, '2026-03-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')$$, :nv3),
                 '42501', NULL, 'nor the staff of another unit');
SELECT throws_ok(format($$SELECT cqs.set_leader_terms(%s, '2026-03-01', 50, 'chậm', 100, NULL)$$, :tpa1),
                 '42501', NULL, 'nor sets their own đ and e');
RESET ROLE;
SET ROLE rx_ppa1;
SELECT throws_ok(format($$SELECT cqs.confirm(%s, '2026-03-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')$$, :nv2),
                 '42501', NULL, 'a deputy confirms nobody while the agency has not delegated it');
RESET ROLE;
INSERT INTO cqs.delegation (organisation_id, valid_from, reference) VALUES (:a, '2026-01-01', 'QĐ 3/QĐ-SA ủy quyền');
SET ROLE rx_ppa1;
SELECT throws_ok(format($$SELECT cqs.confirm(%s, '2026-03-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')$$, :nv2),
                 '42501', NULL, 'once delegated, a deputy still does not confirm staff of another field');
RESET ROLE;
SET ROLE rx_ppa1;
SELECT lives_ok(format($$SELECT cqs.confirm(%s, '2026-04-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')$$, :nv1),
                'but confirms the staff of their own field (Art. 10, delegated): NV1''s April');
RESET ROLE;
SET ROLE rx_gda;
SELECT lives_ok(format($$SELECT cqs.confirm(%s, '2026-03-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')$$, :tpa1),
                'the head of the unit above confirms a unit''s head');
SELECT lives_ok(format($$SELECT cqs.set_leader_terms(%s, '2026-03-01', 50, 'kế hoạch chậm', 100, NULL)$$, :tpa1),
                'and sets that head''s đ and e');
SELECT lives_ok(format($$SELECT cqs.confirm(%s, '2026-03-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')$$, :nv3),
                'and the staff of a unit below without a head');
SELECT throws_ok(format($$SELECT cqs.confirm(%s, '2026-03-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')$$, :gda),
                 '42501', NULL, 'but not themself');
RESET ROLE;
SET ROLE rx_ct;
SELECT lives_ok(format($$SELECT cqs.confirm(%s, '2026-03-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')$$, :gda),
                'the chairman confirms the director (the head above, up to the managing agency)');
RESET ROLE;

-- 3. Row-level security, through the views.
SET ROLE rx_nv1;
SELECT is((SELECT array_agg(DISTINCT personnel_id) FROM cqs.month_results), ARRAY['NV1'],
          'a servant''s month_results holds only their own rows');
SELECT is((SELECT count(*) FROM cqs.person), 1::bigint, 'and one person: themself');
SELECT is((SELECT count(*) FROM cqs.task_line), 1::bigint, 'and their own task lines');
SELECT is((SELECT count(*) FROM cqs.form01 WHERE person_id <> cqs.acting_person()), 0::bigint, 'and their own Form 01');
SELECT throws_ok(format($$INSERT INTO cqs.task_line (person_id, organisation_id, period, deadline, item_id, coefficient, assigned_qty)
                          VALUES (%s, %s, '2026-03-01', '2026-03-10', %s, 1, 1)$$, :nv1, :a1, :item), '42501', NULL,
                 'and cannot enter task lines, even their own');
RESET ROLE;
SET ROLE rx_tpa1;
SELECT is((SELECT array_agg(personnel_id ORDER BY personnel_id) FROM cqs.person),
          ARRAY['NV1', 'NV2', 'PPA1', 'TPA1'], 'a unit head reads the people they evaluate, and themself');
SELECT is((SELECT count(*) FROM cqs.month_results WHERE personnel_id IS NULL), 0::bigint, 'with their names');
SELECT lives_ok(format($$INSERT INTO cqs.task_line (person_id, organisation_id, period, deadline, item_id, coefficient, assigned_qty)
                         VALUES (%s, %s, '2026-03-01', '2026-03-10', %s, 1, 2)$$, :nv2, :a1, :item),
                'assigns a task to their own staff');
SELECT throws_ok(format($$INSERT INTO cqs.task_line (person_id, organisation_id, period, deadline, item_id, coefficient, assigned_qty)
                          VALUES (%s, %s, '2026-03-01', '2026-03-10', %s, 1, 2)$$, :nv3, :a2, :item), '42501', NULL,
                 'but not to another unit''s');
RESET ROLE;
SET ROLE rx_gda;
SELECT is((SELECT array_agg(personnel_id ORDER BY personnel_id) FROM cqs.person),
          ARRAY['GDA', 'NV1', 'NV2', 'NV3', 'PGDA', 'PPA1', 'TCCB', 'TPA1'],
          'the director (grading authority of Sở A) reads Sở A''s people, and nobody of Sở B or above');
RESET ROLE;
SET ROLE rx_tccb;
SELECT is((SELECT count(DISTINCT organisation_id) FROM cqs.month_results), 3::bigint,
          'the personnel section reads its agency''s subtree (Sở A and its two units)');
SELECT is((SELECT count(*) FROM cqs.month_results WHERE organisation_id IN (:b, :ub)), 0::bigint, 'and nothing outside it');
SELECT lives_ok(format($$UPDATE cqs.task_line SET completed_qty = 7 WHERE person_id = %s$$, :nv1),
                'it manages its agency''s task lines');
SELECT is((SELECT count(*) FROM cqs.task_line WHERE person_id = :nvb), 0::bigint, 'cannot see Sở B''s');
SELECT throws_ok(format($$INSERT INTO cqs.task_line (person_id, organisation_id, period, deadline, item_id, coefficient, assigned_qty)
                          VALUES (%s, %s, '2026-03-01', '2026-03-10', %s, 1, 1)$$, :nvb, :b, :item), '42501', NULL,
                 'nor enter them');
SELECT lives_ok(format($$INSERT INTO cqs.leave_record (person_id, kind, start_date, end_date) VALUES (%s, 'sick', '2026-04-01', '2026-04-03')$$, :nv2),
                'records leave in its agency');
SELECT throws_ok(format($$INSERT INTO cqs.leave_record (person_id, kind, start_date, end_date) VALUES (%s, 'sick', '2026-04-01', '2026-04-03')$$, :nvb),
                 '42501', NULL, 'but not in another');
SELECT throws_ok(format($$SELECT * FROM cqs.lock_period(%s, '2026-03-01', 'đóng kỳ')$$, :b), '42501', NULL,
                 'and cannot lock another agency''s month');
RESET ROLE;
SET ROLE rx_analyst;
SELECT is((SELECT count(*) FROM cqs.month_results), (SELECT count(*) FROM cqs.period_result WHERE period_kind = 'month'),
          'an analyst (mandate on the city) reads every month result');
SELECT is((SELECT count(*) FROM cqs.month_results WHERE personnel_id IS NOT NULL), 0::bigint,
          'without personnel ids (not an identified mandate)');
SELECT is((SELECT count(*) FROM cqs.person), 0::bigint, 'and no names');
SELECT throws_ok('SELECT * FROM cqs.form01', '42501', NULL, 'and no evaluators'' comments (Form 01)');
SELECT is((SELECT count(*) FROM cqs.month_results WHERE status = 'confirmed'), (SELECT count(*) FROM cqs.assessment WHERE status = 'confirmed'),
          'but the workflow status of each result');
RESET ROLE;
SET ROLE rx_gdb;
SELECT is((SELECT count(*) FROM cqs.month_results WHERE organisation_id <> :b), 0::bigint,
          'Sở B''s director reads nothing of Sở A');
RESET ROLE;
SET ROLE rx_jobs;
SELECT throws_ok('SELECT * FROM cqs.person', '42501', NULL, 'the jobs role reads no personal data');
RESET ROLE;

-- 4. Locks and reopening; decisions, complaints.
SELECT count(*) AS confirmed_rest FROM (
  SELECT cqs.confirm(a.person_id, a.period, a.self_scores) FROM cqs.assessment a WHERE a.status = 'self_assessed') s \gset
SET ROLE rx_tccb;
SELECT is((SELECT count(*) FROM cqs.lock_period(:a1, '2026-03-01', 'đóng kỳ tháng 3')), 4::bigint,
          'the personnel section locks a unit''s month');
RESET ROLE;
SELECT is((SELECT locked_by || '/' || (locked_by_person = :tccb) FROM cqs.period_lock WHERE organisation_id = :a1),
          'rx_tccb/true', 'the lock records the login and the acting person');
SET ROLE rx_tccb;
SELECT throws_ok(format($$SELECT cqs.reopen_period(%s, '2026-03-01', 'sai sót')$$, :a1), '42501', NULL,
                 'the personnel section cannot reopen it');
RESET ROLE;
SET ROLE rx_gdb;
SELECT throws_ok(format($$SELECT cqs.reopen_period(%s, '2026-03-01', 'sai sót')$$, :a1), '42501', NULL,
                 'nor can another agency''s authority');
SELECT throws_ok(format($$SELECT cqs.reopen_period(%s, '2026-03-01', NULL)$$, :a1), '22023', NULL,
                 'and nobody without a reason');
RESET ROLE;
SET ROLE rx_gda;
SELECT is(cqs.reopen_period(:a1, '2026-03-01', 'khiếu nại của NV2 được chấp nhận'), 4::bigint, 'the competent authority reopens, with a reason');
RESET ROLE;
SELECT is((SELECT reopened_by || '/' || (reopened_by_person = :gda) FROM cqs.period_lock WHERE organisation_id = :a1),
          'rx_gda/true', 'the reopening records who');

-- The year (results written by the owner, as grade_year would).
SET cqs.refresh_mode = async;
INSERT INTO cqs.year_result (person_id, year, organisation_id, using_agency_id, role, duty_group, months_worked,
                             months_counted, mean_total, score_grade, proposed_grade)
SELECT ps.person_id, 2026, ps.organisation_id, coalesce(pol.using_agency_id, ps.organisation_id), ps.role, 'chung', 12, 12,
       85, 'tot', 'tot'
  FROM cqs.posting ps JOIN cqs.organisation_policy pol USING (organisation_id);
RESET cqs.refresh_mode;
-- Art. 21.1: the meeting (with minutes) and the personnel section's proposal, recorded
-- for everyone graded before any decision.
INSERT INTO cqs.year_grading AS g (person_id, year, meeting_minutes_ref, meeting_on, personnel_proposal, personnel_proposed_at)
SELECT r.person_id, r.year, 'BB 1/2026', '2026-12-03', r.proposed_grade, '2026-12-04 09:00+07'
  FROM cqs.year_result r WHERE r.year = 2026 AND r.proposed_grade IS NOT NULL
ON CONFLICT ON CONSTRAINT year_grading_pkey DO UPDATE
   SET meeting_minutes_ref = EXCLUDED.meeting_minutes_ref, meeting_on = EXCLUDED.meeting_on,
       personnel_proposal = EXCLUDED.personnel_proposal, personnel_proposed_at = EXCLUDED.personnel_proposed_at;
SET ROLE rx_gdb;
SELECT throws_ok(format($$INSERT INTO cqs.quota_decision (organisation_id, year, for_people, rate, decided_by, decided_at, decision_ref)
                          VALUES (%s, 2026, true, 0.25, 'Giám đốc Sở B', now(), 'QĐ 77')$$, :a), '42501', NULL,
                 'Sở B''s director cannot raise Sở A''s quota to 25%');
SELECT lives_ok(format($$INSERT INTO cqs.quota_decision (organisation_id, year, for_people, rate, decided_by, decided_at, decision_ref)
                         VALUES (%s, 2026, true, 0.25, 'Giám đốc Sở B', now(), 'QĐ 78')$$, :b),
                'but raises Sở B''s (Art. 20.5.b)');
RESET ROLE;
SET ROLE rx_tpa1;
SELECT throws_ok(format($$SELECT cqs.decide_grade(%s, 2026, 'tot', 'QĐ 1')$$, :nv1), '42501', NULL,
                 'a unit head does not decide grades');
RESET ROLE;
SET ROLE rx_gda;
SELECT ok(cqs.decide_grade(:nv1, 2026, 'tot', 'QĐ 10/QĐ-SA', 'Giám đốc Sở A') > 0, 'the director decides a staff member''s grade');
SELECT throws_ok(format($$SELECT cqs.decide_grade(%s, 2026, 'xuat_sac', 'QĐ 11')$$, :gda), '42501', NULL,
                 'but never their own (Art. 10, 21)');
SELECT throws_ok(format($$SELECT cqs.decide_grade(%s, 2026, 'tot', 'QĐ 12')$$, :nvb), '42501', NULL,
                 'nor another agency''s');
RESET ROLE;
UPDATE cqs.year_grading SET party_opinion = 'Đồng ý', party_opinion_at = now() WHERE person_id = :gda AND year = 2026;
-- Sở A is graded first: a head's decision waits for the organisation's (Art. 20.6).
INSERT INTO cqs.organisation_year (organisation_id, year, general_scores, task_scores, tasks_assigned, tasks_completed,
                                   tasks_on_time, tasks_exceeded, tasks_late, planned_tasks, planned_tasks_done)
VALUES (:a, 2026, '{10,10,10}', '{8,11,8,4,7,4,5,3}', 50, 50, 50, 0, 0, 40, 40);
SELECT cqs.grade_organisations(2026) > 0 AS organisations_graded \gset
SET ROLE rx_ct;
SELECT ok(cqs.decide_grade(:gda, 2026, 'tot', 'QĐ 5/QĐ-UBND', 'Chủ tịch UBND') > 0,
          'the chairman decides the director''s grade (after the Party committee''s opinion)');
RESET ROLE;
SELECT results_eq(format($$SELECT decided_by, decided_by_person, title, reference FROM cqs.grade_decision WHERE person_id = %s$$, :nv1),
                  format($$VALUES ('rx_gda'::text, %s::bigint, 'Giám đốc Sở A'::text, 'QĐ 10/QĐ-SA'::text)$$, :gda),
                  '"decided by" is the login and the acting person recorded by the database; the title is the document''s');
SELECT throws_ok(format($$UPDATE cqs.grade_decision SET grade = 'xuat_sac', decided_by = 'Chủ tịch UBND', reference = 'QĐ 99'
                           WHERE person_id = %s$$, :nv1), '55000', NULL,
                 'a decision cannot be rewritten, not even by the owner (Art. 21.3: re-grade instead)');
SELECT throws_ok(format('DELETE FROM cqs.grade_decision WHERE person_id = %s', :nv1), '55000', NULL, 'nor deleted');
SELECT lives_ok(format($$UPDATE cqs.grade_decision SET notified_at = now() WHERE person_id = %s$$, :nv1),
                'its notification is recorded once');
SELECT throws_ok(format($$UPDATE cqs.grade_decision SET notified_at = now() - interval '1 day' WHERE person_id = %s$$, :nv1),
                 '55000', NULL, 'and not moved afterwards');
SELECT decision_id AS dec_nv1 FROM cqs.grade_decision WHERE person_id = :nv1 \gset
SET ROLE rx_nv2;
SELECT throws_ok(format($$SELECT cqs.file_complaint(%s, 'không đồng ý')$$, :dec_nv1), '42501', NULL,
                 'a colleague cannot complain in someone''s name');
RESET ROLE;
SET ROLE rx_nv1;
SELECT ok(cqs.file_complaint(:dec_nv1, 'Đề nghị xem xét lại', '2026-12-21') > 0, 'the person graded complains (Art. 22)');
RESET ROLE;
SELECT complaint_id AS c1 FROM cqs.complaint WHERE decision_id = :dec_nv1 \gset
SET ROLE rx_nv1;
SELECT throws_ok(format($$SELECT cqs.resolve_complaint(%s, 'withdrawn', 'rút')$$, :c1), '42501', NULL,
                 'and cannot resolve their own complaint');
RESET ROLE;
SET ROLE rx_gda;
SELECT lives_ok(format($$SELECT cqs.resolve_complaint(%s, 'rejected', 'Không có căn cứ', '2026-12-23')$$, :c1),
                'the authority resolves it, with a note');
SELECT throws_ok(format($$SELECT cqs.resolve_complaint(%s, 'withdrawn', 'đổi ý')$$, :c1), '55000', NULL,
                 'once: a second outcome is 55000');
RESET ROLE;
SELECT throws_ok(format($$UPDATE cqs.complaint SET outcome = 'withdrawn' WHERE complaint_id = %s$$, :c1), '55000', NULL,
                 'a rejected complaint cannot be turned into "withdrawn", not even by the owner');

-- 5. The audit trail (Art. 24, HB ch. VIII).
SET ROLE rx_tccb;
SELECT results_eq(format($$SELECT login, acting_person, operation, old_values ->> 'completed_qty', new_values ->> 'completed_qty'
                            FROM cqs.audit_trail WHERE personnel_id = 'NV1' AND period = '2026-03-01'
                             AND table_name = 'task_line' AND operation = 'UPDATE'$$),
                  format($$VALUES ('rx_tccb'::text, %s::bigint, 'UPDATE'::text, '10'::text, '7'::text)$$, :tccb),
                  'who changed NV1''s March, and what it said before: the personnel officer, 10 -> 7');
RESET ROLE;
SELECT results_eq(format($$SELECT login, reason FROM cqs.audit_log
                            WHERE table_name = 'assessment' AND person_id = %s AND operation = 'UPDATE'
                              AND new_values ? 'confirmed_by'
                            ORDER BY audit_id$$, :nv1),
                  $$VALUES ('rx_portal'::text, 'tốt'::text), ('rx_tpa1', 'đạt'), ('rx_ppa1', NULL)$$,
                  'every confirmation of NV1 is in the trail, with its login and comment');
SELECT is((SELECT reason FROM cqs.audit_log WHERE table_name = 'period_lock' AND operation = 'UPDATE'),
          'khiếu nại của NV2 được chấp nhận', 'the reopening is in the trail with its reason');
SELECT is((SELECT reason FROM cqs.audit_log WHERE table_name = 'complaint' AND operation = 'UPDATE'),
          'Không có căn cứ', 'and the complaint''s outcome with its note');
SELECT is((SELECT count(*) FROM cqs.audit_log WHERE table_name = 'grade_decision' AND operation = 'INSERT'), 2::bigint,
          'and both decisions');
SET ROLE rx_nv2;
SELECT is((SELECT count(*) FROM cqs.audit_trail WHERE person_id <> cqs.acting_person()), 0::bigint,
          'a servant reads only their own entries');
RESET ROLE;
SELECT throws_ok('UPDATE cqs.audit_log SET reason = NULL', '55000', NULL, 'nobody updates the trail, not even the owner');
SELECT throws_ok('DELETE FROM cqs.audit_log', '55000', NULL, 'nor deletes from it');
SELECT throws_ok('TRUNCATE cqs.audit_log', '55000', NULL, 'nor truncates it');
SELECT throws_ok($$SELECT cqs.purge_audit(now() - interval '1 month', 'dọn')$$, '22023', NULL,
                 'the retention procedure keeps at least a year');
SET ROLE rx_admin;
SELECT throws_ok($$SELECT cqs.purge_audit(now() - interval '2 years', 'dọn')$$, '42501', NULL,
                 'and is not the administrators'' to run');
SELECT ok((SELECT count(*) FROM cqs.audit_trail) > 0, 'administrators read the whole trail');
RESET ROLE;

-- Every view opens for every reader's group roles (row-level security picks the rows),
-- but Form 01 for analysts (its comments) and everything personal for the jobs.
CREATE FUNCTION pg_temp.views_refused() RETURNS text[] LANGUAGE plpgsql AS $f$
DECLARE
  v_login text;
  v_view  text;
  v_out   text[] := '{}';
BEGIN
  FOREACH v_login IN ARRAY ARRAY['rx_nv1', 'rx_tpa1', 'rx_tccb', 'rx_gda', 'rx_analyst', 'rx_portal', 'rx_admin'] LOOP
    FOR v_view IN SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'cqs'::regnamespace AND c.relkind = 'v'
                   ORDER BY c.relname LOOP
      BEGIN
        EXECUTE format('SET LOCAL ROLE %I', v_login);
        EXECUTE format('SELECT * FROM cqs.%I LIMIT 1', v_view);
        RESET ROLE;
      EXCEPTION WHEN insufficient_privilege THEN
        RESET ROLE;
        v_out := v_out || (v_login || ':' || v_view);
      END;
    END LOOP;
  END LOOP;
  RETURN ARRAY(SELECT x FROM unnest(v_out) x ORDER BY x);
END $f$;
SELECT is(pg_temp.views_refused(),
          ARRAY['rx_admin:catalogue_additions', 'rx_admin:complaints', 'rx_admin:discipline_counted', 'rx_admin:evaluator_todo',
                'rx_admin:form01',
                'rx_admin:form02', 'rx_admin:grade_decisions_in_force', 'rx_admin:grade_distribution',
                'rx_admin:half_year_results', 'rx_admin:ingest_provenance', 'rx_admin:month_results', 'rx_admin:not_completed',
                'rx_admin:outbox_status', 'rx_admin:overdue', 'rx_admin:quarter_results',
                'rx_admin:task_lines_explained', 'rx_admin:year_results', 'rx_analyst:audit_trail', 'rx_analyst:form01',
                'rx_analyst:ingest_provenance', 'rx_analyst:ingest_queue', 'rx_analyst:ingest_unmapped',
                'rx_analyst:job_runs', 'rx_analyst:outbox_status',
                'rx_gda:ingest_provenance', 'rx_gda:ingest_queue', 'rx_gda:ingest_unmapped', 'rx_gda:job_runs',
                'rx_nv1:ingest_provenance', 'rx_nv1:ingest_queue', 'rx_nv1:ingest_unmapped', 'rx_nv1:job_runs',
                'rx_portal:job_runs', 'rx_tccb:job_runs',
                'rx_tpa1:ingest_provenance', 'rx_tpa1:ingest_queue', 'rx_tpa1:ingest_unmapped', 'rx_tpa1:job_runs'],
          'every view opens for every reader (row-level security picks the rows) but Form 01 and the trail for analysts, personal views and the outbox (identification numbers) for administrators and analysts, the jobs'' run log for all but the jobs and administrators, what came in from document systems for all but personnel sections (and portals) and administrators (the provenance, which reads task lines: personnel sections only)');

-- 6. The catalog: every table that names a person enforces row-level security (but the
-- administrators' own: logins and mandates, and the queue of ids); every view runs with
-- its reader's rights (but the refresh status, which shows counts only).
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname)
             FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'person_id'
            WHERE c.relnamespace = 'cqs'::regnamespace AND c.relkind = 'r' AND NOT c.relrowsecurity),
          ARRAY['mandate', 'person_login', 'refresh_queue', 'unposted_person'],
          'every table naming a person has row-level security but mandate, person_login, refresh_queue, unposted_person (ids only, no grants)');
SELECT is((SELECT array_agg(c.relname::text) FROM pg_class c
            WHERE c.relnamespace = 'cqs'::regnamespace AND c.relkind = 'v'
              AND NOT coalesce(c.reloptions @> ARRAY['security_invoker=true'], false)),
          ARRAY['refresh_status'], 'every view is security_invoker but refresh_status');
SELECT is((SELECT count(*) FROM pg_class c
            WHERE c.relnamespace = 'cqs'::regnamespace AND c.relkind = 'r' AND c.relname IN ('mandate', 'person_login', 'unposted_person')
              AND EXISTS (SELECT 1 FROM aclexplode(c.relacl) x WHERE x.grantee = 'cqs_servant'::regrole)), 0::bigint,
          'and no civil servant may read logins or mandates (the queue holds ids and months only)');

SELECT * FROM finish();
ROLLBACK;
