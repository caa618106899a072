-- pgTAP: what a city adopting the extension relies on (issue 12): cqs.version(), the
-- library refusing SQL of another version, and the drop guard (DROP EXTENSION refused
-- while records exist unless a superuser sets cqs.allow_drop).  The encoding check needs
-- databases of other encodings: test/scripts/install_checks.sh.
--
-- Run: pg_prove --ext .sql --failures test/
\set QUIET 1
SET client_min_messages = warning;
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cqs_eval CASCADE;

SELECT plan(27);

-- A DROP tried and always undone: 'dropped', or the SQLSTATE and message that refused it.
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  BEGIN
    SET CONSTRAINTS ALL IMMEDIATE;   -- the install's commit-time checks, pending in this transaction
    EXECUTE sql;
    RAISE EXCEPTION 'undo' USING ERRCODE = 'P0099';
  EXCEPTION
    WHEN SQLSTATE 'P0099' THEN RETURN 'dropped';
    WHEN OTHERS THEN RETURN SQLSTATE || ' ' || SQLERRM;
  END;
END
$$;

-- Versions ------------------------------------------------------------------
SELECT is(cqs.version(),
          'cqs_eval ' || (SELECT extversion FROM pg_extension WHERE extname = 'cqs_eval')
            || ' (library ' || (SELECT default_version FROM pg_available_extensions WHERE name = 'cqs_eval') || ')',
          'cqs.version() gives the installed SQL version and the library''s');
SELECT is(cqs.version(), 'cqs_eval 1.0 (library 1.0)', 'this build is 1.0 throughout');
SELECT lives_ok($$SELECT cqs._check_version()$$, 'the loaded library matches the installed SQL');
SELECT throws_ok($$SELECT cqs._check_library('0.9')$$, '55000',
                 'cqs_eval''s library is version 1.0 but this database has its SQL version 0.9',
                 'a library of another version refuses, naming both versions');
SELECT is((SELECT provolatile::text || proparallel::text FROM pg_proc WHERE oid = 'cqs.version()'::regprocedure), 'ss',
          'cqs.version() is STABLE PARALLEL SAFE');

-- The SQL of another version under this library (as after `make install` of a new release
-- without ALTER EXTENSION UPDATE): the jobs and whole-period writers refuse, naming both.
UPDATE pg_extension SET extversion = '0.9' WHERE extname = 'cqs_eval';
SELECT is(cqs.version(), 'cqs_eval 0.9 (library 1.0)', 'cqs.version() shows the disagreement');
SELECT throws_ok($$SELECT cqs.grade_year(2026)$$, '55000',
                 'cqs_eval''s library is version 1.0 but this database has its SQL version 0.9',
                 'grade_year refuses to run on SQL of another version');
SELECT throws_ok($$SELECT cqs.rebuild('2026-01-01', '2026-01-01')$$, '55000', 'cqs_eval''s library is version 1.0 but this database has its SQL version 0.9',
                  '... and so does rebuild');
SELECT throws_ok($$SELECT * FROM cqs.lock_period(1, '2026-01-01')$$, '55000',
                 'cqs_eval''s library is version 1.0 but this database has its SQL version 0.9', '... and lock_period');
SELECT throws_ok($$CALL cqs.process_queue()$$, '55000', 'cqs_eval''s library is version 1.0 but this database has its SQL version 0.9',
                  '... and process_queue');
SELECT throws_ok($$CALL cqs.run_job('overdue')$$, '55000', 'cqs_eval''s library is version 1.0 but this database has its SQL version 0.9',
                  '... and every job');
UPDATE pg_extension SET extversion = '1.0' WHERE extname = 'cqs_eval';

-- The drop guard --------------------------------------------------------------
SELECT is((SELECT evtevent || ' ' || evtenabled::text || ' ' || array_to_string(evttags, ',')
             FROM pg_event_trigger WHERE evtname = 'cqs_drop_guard'),
          'ddl_command_start O DROP EXTENSION,DROP SCHEMA,DROP OWNED',
          'the drop guard fires before DROP EXTENSION, DROP SCHEMA and DROP OWNED');
SELECT is(cqs._drop_would_delete('extension', '{cqs_eval}', false), '{}',
          'a fresh install holds no records (the built-in criteria set is none)');
SELECT is(pg_temp.try('DROP EXTENSION cqs_eval'), 'dropped', 'an empty install drops');

INSERT INTO cqs.public_holiday (day, name) VALUES ('2026-09-02', 'Quốc khánh');
SELECT is(cqs._drop_would_delete('extension', '{cqs_eval}', false), '{cqs.audit_log,cqs.public_holiday}',
          'one holiday recorded: the holidays and the audit trail hold records');
SELECT is(cqs._drop_would_delete('extension', '{pgtap}', true), NULL,
          'dropping another extension does not reach cqs_eval');
SELECT is(pg_temp.try('DROP EXTENSION cqs_eval'),
          '2BP01 DROP EXTENSION would delete the city''s records kept by cqs_eval',
          'DROP EXTENSION cqs_eval is refused while records exist');
SELECT is(pg_temp.try('DROP EXTENSION cqs_eval CASCADE'),
          '2BP01 DROP EXTENSION would delete the city''s records kept by cqs_eval', '... with CASCADE too');
SELECT is(pg_temp.try('DROP EXTENSION IF EXISTS no_such_extension, cqs_eval'),
          '2BP01 DROP EXTENSION would delete the city''s records kept by cqs_eval', '... named among others');
SELECT is(pg_temp.try('DROP EXTENSION btree_gist CASCADE'),
          '2BP01 DROP EXTENSION would delete the city''s records kept by cqs_eval',
          '... and through the extension it requires (btree_gist CASCADE)');
SELECT is(pg_temp.try('DROP SCHEMA cqs CASCADE'),
          '2BP01 DROP SCHEMA would delete the city''s records kept by cqs_eval', 'DROP SCHEMA cqs is refused');
SELECT is(pg_temp.try(format('DROP SCHEMA %I CASCADE',
                             (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'btree_gist'))),
          '2BP01 DROP SCHEMA would delete the city''s records kept by cqs_eval',
          'DROP SCHEMA of btree_gist''s schema CASCADE is refused');
SELECT is(pg_temp.try(format('DROP OWNED BY %I', (SELECT extowner::regrole::text FROM pg_extension WHERE extname = 'cqs_eval'))),
          '2BP01 DROP OWNED would delete the city''s records kept by cqs_eval',
          'DROP OWNED BY the extension''s owner is refused');
SELECT is(pg_temp.try('DROP EXTENSION IF EXISTS no_such_extension'), 'dropped', 'other DROPs pass');

-- The detail names the tables; the hint the backup.
DO $$
DECLARE v_detail text; v_hint text;
BEGIN
  SET CONSTRAINTS ALL IMMEDIATE;
  DROP EXTENSION cqs_eval;
EXCEPTION WHEN dependent_objects_still_exist THEN
  GET STACKED DIAGNOSTICS v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
  CREATE TEMP TABLE refusal AS SELECT v_detail AS detail, v_hint AS hint;
END
$$;
SELECT is((SELECT detail || ' | ' || hint FROM refusal),
          'Tables holding records: cqs.audit_log, cqs.public_holiday. | Back them up first (pg_dump -Fc -f city.dump '
            || current_database() || '), then, as a superuser, SET cqs.allow_drop = on and drop again.',
          'the refusal names the tables and how to back them up and allow the drop');

-- Only a superuser may allow it.
CREATE ROLE cqs_test_not_super;
SET LOCAL ROLE cqs_test_not_super;
SELECT throws_ok($$SET cqs.allow_drop = on$$, '42501', NULL, 'cqs.allow_drop is a superuser''s setting');
RESET ROLE;
SET LOCAL cqs.allow_drop = on;
SELECT is(pg_temp.try('DROP EXTENSION cqs_eval'), 'dropped', 'with cqs.allow_drop = on the records are dropped with it');
RESET cqs.allow_drop;

SELECT * FROM finish();
ROLLBACK;
