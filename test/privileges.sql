-- pgTAP: privileges.  Administrative functions are not executable by PUBLIC (42501); a
-- portal reads through the views only what the person it acts for may see.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cqs_eval CASCADE;
SELECT plan(14);

CREATE ROLE regress_cqs_portal;
CREATE ROLE regress_cqs_nobody;
GRANT USAGE ON SCHEMA cqs TO regress_cqs_portal, regress_cqs_nobody;
GRANT USAGE ON SCHEMA public TO regress_cqs_portal, regress_cqs_nobody;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO regress_cqs_portal, regress_cqs_nobody;

-- One person with a result.
INSERT INTO cqs.organisation (code, name, kind) VALUES ('P-ORG', 'Org', 'using_agency');
INSERT INTO cqs.person (personnel_id, full_name) VALUES ('P-1', 'Một');
INSERT INTO cqs.period_result (person_id, period, period_kind, organisation_id, person_kind, role, total, grade)
SELECT p.person_id, '2026-01-01', 'month', o.organisation_id, 'civil_servant', 'staff', 80, 'tot'
  FROM cqs.person p, cqs.organisation o;

SELECT function_privs_are('cqs', 'rebuild', ARRAY['date', 'date'], 'public', '{}'::text[],
                          'rebuild is not executable by PUBLIC');
SELECT function_privs_are('cqs', 'grade_year', ARRAY['integer'], 'public', '{}'::text[],
                          'grade_year is not executable by PUBLIC');
SELECT function_privs_are('cqs', 'lock_period', ARRAY['bigint', 'date', 'text', 'boolean'], 'public', '{}'::text[],
                          'lock_period is not executable by PUBLIC');
SELECT function_privs_are('cqs', 'decide_grade', ARRAY['bigint', 'integer', 'cqs.grade', 'text', 'text', 'text'], 'public', '{}'::text[],
                          'decide_grade is not executable by PUBLIC');
SELECT function_privs_are('cqs', 'classify', ARRAY['numeric', 'boolean'], 'public', ARRAY['EXECUTE'],
                          'the pure C functions stay executable by everyone');

-- The group roles (cqs.setup_roles); a portal login acts for the person it authenticated.
SELECT ok((SELECT count(*) FROM cqs.setup_roles()) = 9, 'cqs.setup_roles() makes or finds the nine group roles');
GRANT cqs_portal TO regress_cqs_portal;
SELECT person_id AS p1 FROM cqs.person WHERE personnel_id = 'P-1' \gset
SET ROLE regress_cqs_portal;
SELECT is((SELECT count(*) FROM cqs.month_results), 0::bigint,
          'a portal acting for nobody sees no result (row-level security through the view)');
SELECT cqs.act_as(:p1) IS NOT NULL AS acting \gset
SELECT is((SELECT total FROM cqs.month_results WHERE personnel_id = 'P-1'), 80::numeric,
          'acting for P-1, the portal reads P-1''s month');
SELECT is((SELECT count(*) FROM cqs.quarter_results), 1::bigint, 'and P-1''s quarter');
SELECT throws_ok($$UPDATE cqs.period_result SET total = 100$$, '42501', NULL, 'nor write results');
SELECT throws_ok('SELECT cqs.rebuild()', '42501', NULL, 'nor run the rebuild');
SELECT throws_ok('SELECT cqs.grade_year(2026)', '42501', NULL, 'nor grade a year');
RESET ROLE;
SELECT set_config('cqs.acting_person', '', true) IS NOT NULL AS acting_for_nobody \gset

SET ROLE regress_cqs_nobody;
SELECT throws_ok('SELECT * FROM cqs.month_results', '42501', NULL, 'a role without the grant cannot read the views');
SELECT is(cqs.classify(75)::text, 'tot', 'but may use the C functions');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
