-- pgTAP: the one-writer design.  Records and derived results are separate; results are
-- written only by the extension's code with the owner's rights; rules hold whatever a
-- client sets; locks are records; functions pin search_path and are labelled truthfully.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cqs_eval CASCADE;
SELECT plan(69);

-- Fixture: a department D with a unit U; D's head H and staff S1; U's head UH and
-- staff S2.  A catalogue with the standard unit (5 points) and a 5-10 point item.
INSERT INTO cqs.organisation (code, name, kind) VALUES ('W-D', 'Sở W', 'using_agency');
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT 'W-U', 'Phòng W', 'unit', organisation_id FROM cqs.organisation WHERE code = 'W-D';
INSERT INTO cqs.person (personnel_id, full_name)
VALUES ('W-H', 'Head'), ('W-S1', 'Staff one'), ('W-S2', 'Staff two'), ('W-UH', 'Unit head');
INSERT INTO cqs.posting (person_id, organisation_id, role, start_date)
SELECT p.person_id, o.organisation_id, v.role, '2026-01-01'
  FROM (VALUES ('W-H', 'W-D', 'head'), ('W-S1', 'W-D', 'staff'), ('W-S2', 'W-U', 'staff'), ('W-UH', 'W-U', 'head'))
       AS v(p, o, role)
  JOIN cqs.person p ON p.personnel_id = v.p JOIN cqs.organisation o ON o.code = v.o;
INSERT INTO cqs.catalogue (organisation_id, version, effective_from, standard_points)
SELECT organisation_id, 'w1', '2026-01-01', 5 FROM cqs.organisation WHERE code = 'W-D';
INSERT INTO cqs.catalogue_item (catalogue_id, code, name, output_unit, complexity_group, group_max,
                                points_low, points_high, is_standard, coefficient_low, coefficient_high)
SELECT c.catalogue_id, v.code, v.code, 'doc', 1, 100, v.lo, v.hi, v.std, 0, 0
  FROM cqs.catalogue c, (VALUES ('W-STD', 5, 5, true), ('W-RNG', 5, 10, false)) AS v(code, lo, hi, std)
 WHERE c.version = 'w1';
SELECT (SELECT organisation_id FROM cqs.organisation WHERE code = 'W-D') AS d,
       (SELECT organisation_id FROM cqs.organisation WHERE code = 'W-U') AS u,
       (SELECT item_id FROM cqs.catalogue_item WHERE code = 'W-STD') AS item,
       (SELECT person_id FROM cqs.person WHERE personnel_id = 'W-H') AS h,
       (SELECT person_id FROM cqs.person WHERE personnel_id = 'W-S1') AS s1,
       (SELECT person_id FROM cqs.person WHERE personnel_id = 'W-S2') AS s2,
       (SELECT person_id FROM cqs.person WHERE personnel_id = 'W-UH') AS uh \gset
-- Everyone's general criteria, confirmed (30 points).
INSERT INTO cqs.assessment (person_id, period, organisation_id, criteria_set_id, self_scores, evaluator_scores, status)
SELECT ps.person_id, '2026-03-01', ps.organisation_id, 1, '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}',
       '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}', 'confirmed'
  FROM cqs.posting ps JOIN cqs.person p USING (person_id) WHERE p.personnel_id LIKE 'W-%';

-- A clerk may enter task lines and nothing else: no right on results, no admin function.
CREATE ROLE regress_cqs_clerk;
GRANT USAGE ON SCHEMA cqs TO regress_cqs_clerk;
GRANT SELECT, INSERT, UPDATE, DELETE ON cqs.task_line TO regress_cqs_clerk;
-- The personnel section of Sở W: the mandate that lets the clerk's rows through
-- row-level security (the grant above opens the table, the mandate picks the rows).
INSERT INTO cqs.mandate (kind, organisation_id, login, reference)
SELECT 'personnel', organisation_id, 'regress_cqs_clerk', 'QĐ phân công' FROM cqs.organisation WHERE code = 'W-D';
-- Hardened databases revoke TEMP from PUBLIC: a single edit creates no temp table.
SELECT current_database() AS db \gset
REVOKE TEMPORARY ON DATABASE :"db" FROM PUBLIC;

-- 1. Functions: search_path pinned or an SQL-standard body; labels truthful.
SELECT is_empty($$
  SELECT p.oid::regprocedure::text
    FROM pg_proc p
    JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
    JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'cqs_eval'
    JOIN pg_language l ON l.oid = p.prolang
   WHERE l.lanname IN ('sql', 'plpgsql') AND p.prosqlbody IS NULL
     AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%')
     AND NOT (p.prokind = 'p' AND p.prosrc LIKE '%SET LOCAL search_path = pg_catalog, pg_temp;%')$$,
  'every SQL and PL/pgSQL function pins search_path or has an SQL-standard body (a COMMITting procedure pins it per transaction)');
SELECT is_empty($$
  SELECT DISTINCT f.oid::regprocedure::text || ' calls ' || g.oid::regprocedure::text
    FROM pg_proc f
    JOIN pg_depend x ON x.classid = 'pg_proc'::regclass AND x.objid = f.oid AND x.deptype = 'e'
    JOIN pg_extension e ON e.oid = x.refobjid AND e.extname = 'cqs_eval'
    CROSS JOIN LATERAL regexp_matches(f.prosqlbody::text, ':(?:funcid|opfuncid) (\d+)', 'g') AS m
    JOIN pg_proc g ON g.oid = m[1]::oid
   WHERE f.prosqlbody IS NOT NULL
     AND ((f.provolatile = 'i' AND g.provolatile <> 'i') OR (f.provolatile = 's' AND g.provolatile = 'v')
          OR (f.proparallel = 's' AND g.proparallel <> 's'))$$,
  'no SQL-standard function calls a function less immutable or less parallel-safe than its own label');
SELECT is((SELECT provolatile FROM pg_proc WHERE oid = 'cqs.period_start(date, text)'::regprocedure), 'i'::"char",
          'cqs.period_start is IMMUTABLE, and only calls IMMUTABLE functions');
SELECT is(cqs.period_start('2026-05-17', 'quarterly'), '2026-04-01'::date, 'period_start of a quarter');

-- 2. A clerk's edits: results follow, over the whole organisation (Art. 15.3), written by the owner.
SET SESSION AUTHORIZATION regress_cqs_clerk;
SELECT lives_ok(format($$INSERT INTO cqs.task_line (person_id, organisation_id, period, deadline, item_id, coefficient,
                                                     assigned_qty, completed_qty, external_source, external_id)
                          VALUES (%1$s, %5$s, '2026-03-01', '2026-03-10', %6$s, 1, 10, 10, 'w', 'h'),
                                 (%2$s, %5$s, '2026-03-01', '2026-03-10', %6$s, 1, 10, 10, 'w', 's1'),
                                 (%3$s, %5$s, '2026-03-01', '2026-03-10', %6$s, 1, 10, 10, 'w', 's2'),
                                 (%4$s, %5$s, '2026-03-01', '2026-03-10', %6$s, 1, 10, 10, 'w', 'uh')$$,
                        :h, :s1, :s2, :uh, :d, :item),
                'a clerk with rights on task lines only enters lines (TEMP revoked from PUBLIC)');
SELECT lives_ok($$UPDATE cqs.task_line SET completed_qty = 1 WHERE external_id = 's2'$$,
                'the clerk lowers a unit staff member''s work');
SELECT throws_ok('SELECT * FROM cqs.period_result', '42501', NULL, 'the clerk cannot read results');
SELECT throws_ok($$UPDATE cqs.period_result SET total = 100$$, '42501', NULL, 'nor write them');
SELECT throws_ok($$SELECT cqs._write_results(ARRAY[1::bigint], ARRAY['2026-03-01'::date])$$, '42501', NULL,
                 'nor call the writer');
SELECT throws_ok('SELECT cqs.rebuild()', '42501', NULL, 'nor rebuild');
SELECT throws_ok($$SELECT cqs.lock_period(1, '2026-03-01')$$, '42501', NULL, 'nor lock a period');
SET cqs.refresh_mode = off;
SELECT throws_ok($$UPDATE cqs.task_line SET completed_qty = 2 WHERE external_id = 's2'$$, '42501', NULL,
                 'nor switch refreshing off (administrators only)');
SET cqs.refresh_mode = sideways;
SELECT throws_ok($$UPDATE cqs.task_line SET completed_qty = 2 WHERE external_id = 's2'$$, '22023', NULL,
                 'an unknown refresh mode is an error, not a default');
RESET cqs.refresh_mode;
RESET SESSION AUTHORIZATION;
SELECT results_eq(format($$SELECT r.d, r.total FROM cqs.period_result r WHERE r.person_id IN (%s, %s, %s) ORDER BY r.person_id$$,
                         :h, :s2, :uh),
                  $$VALUES (50::numeric, 94.17::numeric), (NULL, 37.00), (50, 94.17)$$,
                  'both heads above the low staff member get d = 50 (Art. 15.3); the staff member 30 + 10% x 70 = 37');
SELECT is((SELECT computed_version FROM cqs.period_result WHERE person_id = :h), '1.0',
          'a result records the extension version that computed it');
SELECT is((SELECT ARRAY[lateness_mode, cap_mode, decimals::text] FROM cqs.period_result WHERE person_id = :h),
          ARRAY['per_day', 'total', '2'], 'and the policies it was computed under');

-- 3. Inputs are bounded at entry: nothing stored can poison later computation.
SELECT throws_ok($$UPDATE cqs.task_line SET completed_qty = 9e131071 WHERE external_id = 's1'$$, '23514', NULL,
                 'a quantity of 9e131071: 23514');
SELECT throws_ok($$UPDATE cqs.task_line SET completed_qty = 0.000001 WHERE external_id = 's1'$$, '23514', NULL,
                 'a quantity with more than 4 decimals: 23514');
SELECT throws_ok($$UPDATE cqs.task_line SET coefficient = 'NaN' WHERE external_id = 's1'$$, '23514', NULL,
                 'a NaN coefficient: 23514');
SELECT throws_ok($$UPDATE cqs.task_line SET coefficient = 3 WHERE external_id = 's1'$$, '23514', NULL,
                 'a coefficient outside the item''s range: 23514');
SELECT throws_ok($$UPDATE cqs.task_line SET deadline = 'infinity' WHERE external_id = 's1'$$, '23514', NULL,
                 'an infinite deadline: 23514');
SELECT throws_ok($$UPDATE cqs.task_line SET period = 'infinity' WHERE external_id = 's1'$$, '23514', NULL,
                 'an infinite period: 23514');
SELECT throws_ok(format($$INSERT INTO cqs.leave_record (person_id, kind, start_date, end_date)
                          VALUES (%s, 'sick', '2026-01-01', 'infinity')$$, :s1), '23514', NULL,
                 'a leave ending at infinity: 23514');
SELECT throws_ok($$SELECT cqs.add_working_days('infinity', 1)$$, '22023', NULL,
                 'add_working_days from infinity: 22023, not an endless loop');

-- 4. Postings never overlap: an exclusion constraint, so it holds between concurrent transfers too.
SELECT throws_ok(format($$INSERT INTO cqs.posting (person_id, organisation_id, start_date) VALUES (%s, %s, '2026-06-01')$$,
                        :s1, :u), '23P01', NULL, 'an overlapping posting: 23P01');

-- References between records (held by triggers so that pg_restore -j can load tables in
-- any order): 23503 both ways, cascades where the model says so.
SELECT throws_ok(format($$INSERT INTO cqs.task_line (person_id, organisation_id, period, deadline, item_id, coefficient, assigned_qty)
                          VALUES (-7, %s, '2026-03-01', '2026-03-10', %s, 1, 1)$$, :d, :item), '23503', NULL,
                 'a task line for a person who does not exist: 23503');
SELECT throws_ok(format($$UPDATE cqs.posting SET organisation_id = -7 WHERE person_id = %s$$, :s1), '23503', NULL,
                 'a posting moved to an organisation that does not exist: 23503');
SELECT throws_ok(format($$DELETE FROM cqs.person WHERE person_id = %s$$, :s1), '23503', NULL,
                 'deleting a person with records: 23503');
SELECT throws_ok(format($$DELETE FROM cqs.organisation WHERE organisation_id = %s$$, :d), '23503', NULL,
                 'deleting an organisation with sub-units and records: 23503');
SELECT throws_ok('TRUNCATE cqs.person', '23503', NULL, 'truncating people who have records: 23503');
SELECT throws_ok($$UPDATE cqs.catalogue SET standard_points = 10 WHERE version = 'w1'$$, '55000', NULL,
                 'a catalogue version''s standard is fixed once it has items (Art. 13.3)');
INSERT INTO cqs.catalogue (organisation_id, version, effective_from, standard_points) VALUES (:d, 'w0', '2025-01-01', 5);
INSERT INTO cqs.catalogue_item (catalogue_id, code, name, output_unit, complexity_group, group_max,
                                points_low, points_high, is_standard, coefficient_low, coefficient_high)
SELECT catalogue_id, 'W0-STD', 'x', 'doc', 1, 100, 5, 5, true, 0, 0 FROM cqs.catalogue WHERE version = 'w0';
DELETE FROM cqs.catalogue WHERE version = 'w0';
SELECT is((SELECT count(*) FROM cqs.catalogue_item WHERE code = 'W0-STD'), 0::bigint,
          'an unused catalogue version goes with its items');

-- 5. Locks are records.  Everyone covered must be confirmed; the unassessed are reported.
INSERT INTO cqs.person (personnel_id, full_name) VALUES ('W-NEW', 'Newcomer');
SELECT person_id AS newp FROM cqs.person WHERE personnel_id = 'W-NEW' \gset
INSERT INTO cqs.posting (person_id, organisation_id, start_date) VALUES (:newp, :u, '2026-03-15');
SELECT throws_ok(format($$SELECT * FROM cqs.lock_period(%s, '2026-03-01', 'month closed')$$, :d), '55000', NULL,
                 'a lock with someone not assessed is refused, naming them');
SELECT results_eq(format($$SELECT personnel_id, assessment_status, total FROM cqs.lock_period(%s, '2026-03-01', 'month closed', true)$$, :d),
                  $$VALUES ('W-H'::text, 'locked'::text, 94.17::numeric), ('W-NEW', 'none', NULL),
                           ('W-S1', 'locked', 100.00), ('W-S2', 'locked', 37.00), ('W-UH', 'locked', 94.17)$$,
                  'lock_period covers everyone in the organisation and period, and reports who had no assessment');
SELECT is((SELECT ARRAY[people, unassessed]::int[] FROM cqs.period_lock WHERE organisation_id = :d), ARRAY[5, 1],
          'the lock record counts them');
SELECT is((SELECT locked_by FROM cqs.period_lock WHERE organisation_id = :d), session_user::text,
          'and names who locked');
SET application_name = 'pg_restore';
SET SESSION AUTHORIZATION regress_cqs_clerk;
SELECT throws_ok($$UPDATE cqs.task_line SET completed_qty = 5 WHERE external_id = 's1'$$, '55000', NULL,
                 'a locked month refuses a clerk''s change, whatever application_name says');
SELECT throws_ok(format($$INSERT INTO cqs.task_line (person_id, organisation_id, period, deadline, item_id, coefficient, assigned_qty)
                          VALUES (%s, %s, '2026-03-01', '2026-03-10', %s, 1, 1)$$, :newp, :u, :item), '55000', NULL,
                 'nor can lines be added for someone locked without an assessment');
RESET SESSION AUTHORIZATION;
RESET application_name;
SELECT throws_ok(format($$UPDATE cqs.locked_result SET total = 99 WHERE person_id = %s$$, :s2), '55000', NULL,
                 'a locked result never changes');
SELECT throws_ok('DELETE FROM cqs.period_lock', '55000', NULL, 'a lock record cannot be deleted');
SELECT throws_ok('TRUNCATE cqs.locked_result', '55000', NULL, 'nor truncated');
SELECT throws_ok(format($$UPDATE cqs.period_result SET total = 99 WHERE person_id = %s$$, :s2), '55000', NULL,
                 'nor its copy among the results');
-- Derived results can be thrown away: the locked ones come back from their records.
CREATE TEMP TABLE before_truncate AS SELECT * FROM cqs.period_result;
TRUNCATE cqs.period_result;
SELECT cmp_ok(cqs.rebuild(), '>=', 0::bigint, 'TRUNCATE cqs.period_result, then cqs.rebuild()');
SELECT is_empty($$SELECT * FROM before_truncate EXCEPT SELECT * FROM cqs.period_result
                  UNION ALL SELECT * FROM cqs.period_result EXCEPT SELECT * FROM before_truncate$$,
                'gives back every result, the locked ones exactly as notified');
-- A policy change never changes a locked result.
UPDATE cqs.organisation SET decimals = 0 WHERE organisation_id = :d;
SELECT is((SELECT total FROM cqs.period_result WHERE person_id = :s2), 37.00,
          'changing the decimals policy leaves a locked total as notified');
SELECT is((SELECT decimals FROM cqs.locked_result WHERE person_id = :s2), 2, 'which still names the policy it used');
UPDATE cqs.organisation SET decimals = NULL WHERE organisation_id = :d;

-- Reopening: only through the function, with a reason, by whoever was granted it.
SET SESSION AUTHORIZATION regress_cqs_clerk;
SELECT throws_ok(format($$SELECT cqs.reopen_period(%s, '2026-03-01', 'typo')$$, :d), '42501', NULL,
                 'a clerk cannot reopen');
RESET SESSION AUTHORIZATION;
SELECT throws_ok(format($$SELECT cqs.reopen_period(%s, '2026-03-01', '  ')$$, :d), '22023', NULL,
                 'reopening needs a reason');
SELECT is(cqs.reopen_period(:d, '2026-03-01', 'complaint 12/2026 upheld'), 5::bigint, 'reopened, with a reason');
SELECT is((SELECT reopen_reason FROM cqs.period_lock WHERE organisation_id = :d), 'complaint 12/2026 upheld',
          'the lock record keeps the reopening and its reason');
SELECT is((SELECT count(*) FROM cqs.locked_result WHERE person_id = :s2), 1::bigint,
          'and the result as it was notified');
SET SESSION AUTHORIZATION regress_cqs_clerk;
SELECT lives_ok($$UPDATE cqs.task_line SET completed_qty = 10 WHERE external_id = 's2'$$,
                'after reopening, lines can change again');
RESET SESSION AUTHORIZATION;
SELECT results_eq(format($$SELECT r.d, r.total, r.lock_id FROM cqs.period_result r WHERE r.person_id IN (%s, %s) ORDER BY r.person_id$$,
                         :h, :s2),
                  $$VALUES (100::numeric, 100.00::numeric, NULL::bigint), (NULL, 100.00, NULL)$$,
                  'and the results follow them (the head''s d back to 100)');

-- 6. Async mode: edits are queued, visible as stale, and grade_year refuses until drained.
SET cqs.refresh_mode = async;
UPDATE cqs.task_line SET completed_qty = 4 WHERE external_id = 's1';
SELECT is((SELECT count(*) FROM cqs.refresh_queue), 1::bigint, 'async: the edit waits in the queue');
SELECT is((SELECT stale FROM cqs.month_results WHERE person_id = :s1 AND month = 3), true,
          'its result shows as stale');
SELECT throws_ok('SELECT cqs.grade_year(2026)', '55000', NULL, 'grade_year refuses stale inputs');
SELECT is(cqs._drain_batch(100), 1::bigint, 'a batch of the queue is drained');
SELECT is((SELECT total FROM cqs.month_results WHERE person_id = :s1 AND month = 3), 58.00,
          'and the result is current: 30 + 40% x 70');
SELECT is(cqs._drain_batch(100), -1::bigint, 'nothing left to drain');
RESET cqs.refresh_mode;

-- 7. A year graded before a period result changed is stale, and no decision rests on it.
SELECT cmp_ok(cqs.grade_year(2026), '>', 0::bigint, 'grade_year on current results');
UPDATE cqs.task_line SET completed_qty = 6 WHERE external_id = 's1';
SELECT is((SELECT stale FROM cqs.year_results WHERE person_id = :s1 AND year = 2026), true,
          'a later edit marks the year stale');
SELECT throws_ok(format($$SELECT cqs.decide_grade(%s, 2026, 'tot', 'QĐ 1', 'Giám đốc Sở')$$, :s1), '55000', NULL,
                 'a decision on a stale year is refused (55000)');

-- A rebuild that changes a graded person's totals turns the year stale too; one that
-- gives the same totals (a policy change that moves no total) does not.
SELECT cmp_ok(cqs.grade_year(2026), '>', 0::bigint, 'graded again');
SET cqs.refresh_mode = off;
UPDATE cqs.organisation SET decimals = 0 WHERE organisation_id = :d;
RESET cqs.refresh_mode;
SELECT cmp_ok(cqs.rebuild(), '>=', 0::bigint, 'a policy change that moves no total (mode off), then cqs.rebuild()');
SELECT is((SELECT count(*) FROM cqs.year_results WHERE year = 2026 AND stale), 0::bigint,
          'leaves every graded year current');
SET cqs.refresh_mode = off;
UPDATE cqs.task_line SET completed_qty = 9 WHERE external_id = 's1';
RESET cqs.refresh_mode;
SELECT cmp_ok(cqs.rebuild(), '>=', 0::bigint, 'a bulk edit (mode off), then cqs.rebuild()');
SELECT is((SELECT stale FROM cqs.year_results WHERE person_id = :s1 AND year = 2026), true,
          'turns the year stale whose totals it changed');
UPDATE cqs.organisation SET decimals = NULL WHERE organisation_id = :d;

-- 8. Functions and operators planted in public never run in the extension's place, even
-- for a DBA whose search_path puts public first.
CREATE TABLE public.planted_calls (fn text);
GRANT INSERT ON public.planted_calls TO PUBLIC;
CREATE FUNCTION public.date_trunc(text, date) RETURNS timestamp LANGUAGE plpgsql AS
  $f$ BEGIN INSERT INTO public.planted_calls VALUES ('date_trunc'); RETURN now()::timestamp; END $f$;
CREATE FUNCTION public.date_part(text, date) RETURNS double precision LANGUAGE plpgsql AS
  $f$ BEGIN INSERT INTO public.planted_calls VALUES ('date_part'); RETURN 1; END $f$;
CREATE FUNCTION public.round(numeric, integer) RETURNS numeric LANGUAGE plpgsql AS
  $f$ BEGIN INSERT INTO public.planted_calls VALUES ('round'); RETURN 0; END $f$;
CREATE FUNCTION public.array_to_string(text[], text) RETURNS text LANGUAGE plpgsql AS
  $f$ BEGIN INSERT INTO public.planted_calls VALUES ('array_to_string'); RETURN ''; END $f$;
CREATE FUNCTION public.planted_eq(bigint, bigint) RETURNS boolean LANGUAGE plpgsql AS
  $f$ BEGIN INSERT INTO public.planted_calls VALUES ('='); RETURN $1 OPERATOR(pg_catalog.=) $2; END $f$;
CREATE OPERATOR public.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = public.planted_eq);
SET search_path = public, pg_catalog;
SELECT lives_ok($$
  SELECT count(*) FROM cqs.month_results; SELECT count(*) FROM cqs.quarter_results;
  SELECT count(*) FROM cqs.half_year_results; SELECT count(*) FROM cqs.year_results;
  SELECT count(*) FROM cqs.organisation_results; SELECT count(*) FROM cqs.grade_distribution;
  SELECT count(*) FROM cqs.form01; SELECT count(*) FROM cqs.form02; SELECT count(*) FROM cqs.overdue;
  SELECT count(*) FROM cqs.task_lines_explained; SELECT count(*) FROM cqs.complaints;
  SELECT cqs.explain(person_id, '2026-03') FROM cqs.period_result LIMIT 3;
  UPDATE cqs.task_line SET completed_qty = 7 WHERE external_id = 's1';
  SELECT cqs.rebuild(); SELECT cqs.grade_year(2026);
  SELECT * FROM cqs.lock_period((SELECT organisation_id FROM cqs.organisation WHERE code = 'W-D'), '2026-03-01',
                                'planted', true);
  SELECT cqs.reopen_period((SELECT organisation_id FROM cqs.organisation WHERE code = 'W-D'), '2026-03-01', 'planted');
$$, 'a DBA with public first in search_path reads every view and runs the writer, locks and grading');
RESET search_path;
SELECT is_empty('SELECT fn FROM public.planted_calls', 'and no planted function or operator ran');

SELECT * FROM finish();
ROLLBACK;
