-- pgTAP: search-path attacks.  A role that may CREATE in public plants functions,
-- aggregates and operators named like those the extension's code calls -- exact copies
-- (which win where public comes before pg_catalog in search_path) and more specific
-- overloads (text -> name, numeric -> integer, timestamp -> date, anyarray -> bigint[],
-- "any" -> text, ...; these win even where pg_catalog is searched first).  Every view,
-- trigger and function then run by an administrator -- the superuser, and a non-superuser
-- member of cqs_admin -- with search_path = public, cqs, pg_catalog must run none of
-- them, and compute what it computes without them.  So must a new install made while
-- they are in place (CREATE EXTENSION runs its script with search_path = cqs, public:
-- public is btree_gist's schema), and no temporary table a caller prepares may take the
-- place of one a SECURITY DEFINER function creates.
--
-- Every planted object logs its calls (public.sp_log: phase, signature, current_user,
-- call stack) while the test "arms" it (sp.armed = on); armed, it also tries to make the
-- attacker a superuser and to write a table only a superuser may write (public.sp_pwned).
-- Disarmed it is a faithful copy; all the same, no assertion runs while anything planted
-- exists: what the armed sections find is kept in temporary tables and psql variables,
-- the planted objects are dropped, and then it is asserted.  Statements the test itself
-- runs armed name everything they call with its schema (OPERATOR(pg_catalog.=),
-- pg_catalog.count(*), ...); the control section shows that unqualified ones do run the
-- planted objects, and a coverage check that every PL/pgSQL function (and SQL function
-- looked up at run time) of the extension ran while armed.
--
--   1. the catalog: pinned search_path, stored trees and dependencies
--   2. pg_temp: temporary tables a SECURITY DEFINER function reuses
--   3. the attacker plants
--   4. a new install with the planted objects in place (in a savepoint)
--   5. control: the planted objects do run for unqualified calls
--   6. the administrator (cqs_admin, not a superuser), public first
--   7. the superuser, public first
--   8. assertions on 3-7
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cqs_eval CASCADE;
SELECT plan(57);

\set attack_path 'public, cqs, pg_catalog'
\set scores '''{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}'''
SELECT current_database() AS db \gset
SET track_functions = 'all';

-- ---------------------------------------------------------------------------
-- Roles.  The attacker may only CREATE in public; the administrator is a login in
-- cqs_admin (with the personnel, authority and evaluator doors, acting as the head of
-- the department below); the jobs login is what a pg_cron job runs as.
-- ---------------------------------------------------------------------------
SELECT count(*) AS group_roles FROM cqs.setup_roles() \gset
CREATE ROLE regress_sp_attacker NOLOGIN;
GRANT USAGE, CREATE ON SCHEMA public TO regress_sp_attacker;
CREATE ROLE regress_sp_admin LOGIN;
GRANT cqs_admin, cqs_personnel, cqs_authority, cqs_evaluator TO regress_sp_admin;
CREATE ROLE regress_sp_jobs LOGIN;
GRANT cqs_jobs TO regress_sp_jobs;
GRANT TEMPORARY ON DATABASE :"db" TO regress_sp_jobs;
CREATE ROLE regress_sp_clerk NOLOGIN;

-- What the planted objects record: calls (anyone may log), and what only a superuser
-- could write.
CREATE TABLE public.sp_log (phase text, sig text, usr text, ctx text);
GRANT INSERT ON public.sp_log TO PUBLIC;
CREATE TABLE public.sp_pwned (phase text, sig text, usr text);
REVOKE ALL ON public.sp_pwned FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Fixture: UBND SP-M (head CT) > Sở SP-D (head H, staff S1) > Phòng SP-U (head UH,
-- staff S2).  March: one full task line each, everyone self-assessed; CT, H and S2
-- confirmed (S1 and UH are left to H, the administrator's person).
-- ---------------------------------------------------------------------------
INSERT INTO cqs.organisation (code, name, kind) VALUES ('SP-M', 'UBND', 'managing_agency');
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT 'SP-D', 'Sở', 'using_agency', organisation_id FROM cqs.organisation WHERE code = 'SP-M';
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT 'SP-U', 'Phòng', 'unit', organisation_id FROM cqs.organisation WHERE code = 'SP-D';
INSERT INTO cqs.person (personnel_id, full_name)
VALUES ('SP-CT', 'Chủ tịch'), ('SP-H', 'Giám đốc'), ('SP-S1', 'Chuyên viên 1'), ('SP-UH', 'Trưởng phòng'),
       ('SP-S2', 'Chuyên viên 2');
INSERT INTO cqs.posting (person_id, organisation_id, role, start_date)
SELECT p.person_id, o.organisation_id, v.role, '2026-01-01'
  FROM (VALUES ('SP-CT', 'SP-M', 'head'), ('SP-H', 'SP-D', 'head'), ('SP-S1', 'SP-D', 'staff'),
               ('SP-UH', 'SP-U', 'head'), ('SP-S2', 'SP-U', 'staff')) AS v(p, o, role)
  JOIN cqs.person p ON p.personnel_id = v.p JOIN cqs.organisation o ON o.code = v.o;
INSERT INTO cqs.catalogue (organisation_id, version, effective_from, standard_points)
SELECT organisation_id, 'sp1', '2026-01-01', 5 FROM cqs.organisation WHERE code = 'SP-M';
INSERT INTO cqs.catalogue_item (catalogue_id, code, name, output_unit, complexity_group, group_max,
                                points_low, points_high, is_standard, coefficient_low, coefficient_high)
SELECT c.catalogue_id, v.code, v.code, 'văn bản', 1, 100, v.lo, v.hi, v.std, 0, 0
  FROM cqs.catalogue c, (VALUES ('SP-STD', 5, 5, true), ('SP-RNG', 5, 10, false)) AS v(code, lo, hi, std)
 WHERE c.version = 'sp1';
SELECT (SELECT organisation_id FROM cqs.organisation WHERE code = 'SP-M') AS m,
       (SELECT organisation_id FROM cqs.organisation WHERE code = 'SP-D') AS d,
       (SELECT organisation_id FROM cqs.organisation WHERE code = 'SP-U') AS u,
       (SELECT item_id FROM cqs.catalogue_item WHERE code = 'SP-STD') AS item,
       (SELECT person_id FROM cqs.person WHERE personnel_id = 'SP-CT') AS ct,
       (SELECT person_id FROM cqs.person WHERE personnel_id = 'SP-H') AS h,
       (SELECT person_id FROM cqs.person WHERE personnel_id = 'SP-S1') AS s1,
       (SELECT person_id FROM cqs.person WHERE personnel_id = 'SP-UH') AS uh,
       (SELECT person_id FROM cqs.person WHERE personnel_id = 'SP-S2') AS s2 \gset
INSERT INTO cqs.task_line (person_id, organisation_id, period, deadline, item_id, coefficient, assigned_qty, completed_qty,
                           external_source, external_id)
SELECT ps.person_id, ps.organisation_id, '2026-03-01', '2026-03-10', :item, 1, 10, 10, 'sp', p.personnel_id
  FROM cqs.posting ps JOIN cqs.person p USING (person_id) WHERE p.personnel_id LIKE 'SP-%';
SELECT count(*) AS self_assessed FROM (
  SELECT cqs.self_assess(person_id, '2026-03-01', :scores) FROM cqs.person WHERE personnel_id LIKE 'SP-%') s \gset
SELECT count(*) AS confirmed FROM (
  SELECT cqs.confirm(person_id, '2026-03-01', :scores) FROM cqs.person WHERE personnel_id IN ('SP-CT', 'SP-H', 'SP-S2')) s \gset
-- The year is graded on complete, confirmed months (Art. 17.2): the other eleven months
-- come from the previous system, as imported totals.
INSERT INTO cqs.imported_total (person_id, period, organisation_id, total, source, reference)
SELECT ps.person_id, m::date, ps.organisation_id, 85, 'hệ thống cũ', 'BC 1/2026'
  FROM cqs.posting ps JOIN cqs.person p USING (person_id),
       generate_series('2026-01-01'::date, '2026-12-01', interval '1 month') AS m
 WHERE p.personnel_id LIKE 'SP-%' AND m <> '2026-03-01';
-- Heads are decided after the Party committee's opinion; the department splits bonuses;
-- the unit has an organisation year to grade.
-- The meeting's minutes and the personnel section's proposal come before any decision
-- (Art. 21.1).
INSERT INTO cqs.year_grading (person_id, year, party_opinion, party_opinion_at, meeting_minutes_ref, meeting_on,
                              personnel_proposal, personnel_proposed_at)
VALUES (:h, 2026, 'Đồng ý', '2026-12-01', 'BB 1/2026', '2026-12-02', 'tot', '2026-12-03'),
       (:uh, 2026, 'Đồng ý', '2026-12-01', 'BB 1/2026', '2026-12-02', 'tot', '2026-12-03'),
       (:s1, 2026, NULL, NULL, 'BB 1/2026', '2026-12-02', 'tot', '2026-12-03'),
       (:s2, 2026, NULL, NULL, 'BB 1/2026', '2026-12-02', 'tot', '2026-12-03');
INSERT INTO cqs.bonus_regulation (organisation_id, grade, coefficient)
VALUES (:d, 'xuat_sac', 1.5), (:d, 'tot', 1.0), (:d, 'hoan_thanh', 0.5);
INSERT INTO cqs.organisation_year (organisation_id, year, general_scores, task_scores, tasks_assigned, tasks_completed,
                                   tasks_on_time, tasks_exceeded, tasks_late, planned_tasks, planned_tasks_done)
VALUES (:u, 2026, '{8,8,8}', '{8,12,8,4,8,4,8,4}', 50, 50, 50, 5, 0, 40, 40),
       (:d, 2026, '{8,8,8}', '{8,12,8,4,8,4,8,4}', 50, 50, 50, 5, 0, 40, 40);   -- graded before its head
-- The administrator's login acts as H, who holds the personnel and authority mandates
-- over Sở SP-D.
INSERT INTO cqs.person_login (login, person_id) VALUES ('regress_sp_admin', :h);
INSERT INTO cqs.mandate (kind, organisation_id, person_id, reference)
VALUES ('personnel', :d, :h, 'QĐ 1/QĐ-SP phân công'), ('authority', :d, :h, 'Luật: Giám đốc Sở');

-- ---------------------------------------------------------------------------
-- 1. The catalog.  Run-time name lookup: every SQL or PL/pgSQL function pins search_path
-- (pg_catalog first, pg_temp last, no schema anybody may create in) or has an
-- SQL-standard body.  Parse-time lookup: no view, policy, SQL-standard body, default,
-- constraint, index or trigger condition of the extension calls or depends on anything
-- outside pg_catalog and cqs (btree_gist's operator classes excepted).
-- ---------------------------------------------------------------------------
-- Every expression tree the extension stored, and every body looked up at run time.
CREATE TEMP VIEW sp_trees (obj, tree) AS
  SELECT 'function ' || p.oid::regprocedure, p.prosqlbody::text
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE n.nspname = 'cqs' AND p.prosqlbody IS NOT NULL
  UNION ALL
  SELECT 'view ' || c.oid::regclass, r.ev_action::text
    FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'cqs'
  UNION ALL
  SELECT 'policy ' || p.polname || ' on ' || c.oid::regclass,
         coalesce(p.polqual::text, '') || ' ' || coalesce(p.polwithcheck::text, '')
    FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'cqs'
  UNION ALL
  SELECT 'default ' || c.oid::regclass || '.' || a.adnum, a.adbin::text
    FROM pg_attrdef a JOIN pg_class c ON c.oid = a.adrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'cqs'
  UNION ALL
  SELECT 'constraint ' || co.conname, co.conbin::text
    FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace
   WHERE n.nspname = 'cqs' AND co.conbin IS NOT NULL
  UNION ALL
  SELECT 'trigger ' || t.tgname, t.tgqual::text
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'cqs' AND t.tgqual IS NOT NULL
  UNION ALL
  SELECT 'index ' || i.indexrelid::regclass, coalesce(i.indexprs::text, '') || ' ' || coalesce(i.indpred::text, '')
    FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'cqs';
CREATE TEMP VIEW sp_bodies (obj, src) AS
  SELECT p.oid::regprocedure::text, p.prosrc
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
   WHERE n.nspname = 'cqs' AND l.lanname IN ('sql', 'plpgsql') AND p.prosqlbody IS NULL;
-- The functions, aggregates and operators those trees call that live outside pg_catalog
-- and cqs (dependencies on pg_catalog's pinned objects are not recorded in pg_depend,
-- so the trees are read).
CREATE TEMP VIEW sp_foreign_calls (obj, called) AS
  SELECT DISTINCT t.obj, CASE WHEN m[1] = 'opno' THEN m[2]::oid::regoperator::text ELSE m[2]::oid::regprocedure::text END
    FROM pg_temp.sp_trees t
   CROSS JOIN LATERAL regexp_matches(t.tree, ':(funcid|aggfnoid|winfnoid|opno) (\d+)', 'g') AS m
    LEFT JOIN pg_proc p ON m[1] <> 'opno' AND p.oid = m[2]::oid
    LEFT JOIN pg_operator o ON m[1] = 'opno' AND o.oid = m[2]::oid
    JOIN pg_namespace n ON n.oid = coalesce(p.pronamespace, o.oprnamespace)
   WHERE n.nspname NOT IN ('pg_catalog', 'cqs');
-- Objects of the extension, and their parts (rules, policies, defaults, constraints,
-- triggers, indexes), that depend on an object outside pg_catalog and cqs.
CREATE TEMP VIEW sp_foreign_deps (dep) AS
  WITH members AS (
    SELECT d.classid, d.objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
     WHERE d.refclassid = 'pg_extension'::regclass AND e.extname = 'cqs_eval' AND d.deptype = 'e'
  ), objs AS (
    SELECT classid, objid FROM members
    UNION SELECT 'pg_rewrite'::regclass, r.oid FROM pg_rewrite r
            JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = r.ev_class
    UNION SELECT 'pg_policy'::regclass, p.oid FROM pg_policy p
            JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = p.polrelid
    UNION SELECT 'pg_attrdef'::regclass, a.oid FROM pg_attrdef a
            JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = a.adrelid
    UNION SELECT 'pg_constraint'::regclass, c.oid FROM pg_constraint c
            JOIN members m ON (m.classid = 'pg_class'::regclass AND m.objid = c.conrelid)
                           OR (m.classid = 'pg_type'::regclass AND m.objid = c.contypid)
    UNION SELECT 'pg_trigger'::regclass, t.oid FROM pg_trigger t
            JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = t.tgrelid
    UNION SELECT 'pg_class'::regclass, i.indexrelid FROM pg_index i
            JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = i.indrelid
  )
  SELECT DISTINCT pg_describe_object(d.classid, d.objid, d.objsubid) || ' -> '
                  || pg_describe_object(d.refclassid, d.refobjid, d.refobjsubid)
    FROM pg_depend d
    JOIN objs o ON o.classid = d.classid AND o.objid = d.objid
   CROSS JOIN LATERAL pg_identify_object(d.refclassid, d.refobjid, 0) AS i
   WHERE d.refclassid <> 'pg_extension'::regclass
     AND i.schema IS NOT NULL AND i.schema NOT IN ('pg_catalog', 'cqs')
     AND NOT EXISTS (SELECT 1 FROM pg_depend x JOIN pg_extension e ON e.oid = x.refobjid
                      WHERE x.classid = d.refclassid AND x.objid = d.refobjid AND x.deptype = 'e'
                        AND e.extname IN ('btree_gist', 'plpgsql'));
GRANT SELECT ON pg_temp.sp_trees, pg_temp.sp_bodies TO PUBLIC;

SELECT is_empty($$
  SELECT p.oid::regprocedure::text || coalesce(' SET ' || c.c, '')
    FROM pg_proc p
    JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
    JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'cqs_eval'
    JOIN pg_language l ON l.oid = p.prolang
    LEFT JOIN LATERAL (SELECT x AS c FROM unnest(p.proconfig) x WHERE x LIKE 'search_path=%') c ON true
   WHERE l.lanname IN ('sql', 'plpgsql') AND p.prosqlbody IS NULL
     AND coalesce(c.c NOT IN ('search_path=pg_catalog, pg_temp', 'search_path=pg_catalog, cqs, pg_temp'), true)
     AND NOT (p.prokind = 'p' AND p.prosrc LIKE '%SET LOCAL search_path = pg_catalog, pg_temp;%')$$,
  'every SQL and PL/pgSQL function looked up at run time pins search_path to pg_catalog [, cqs], pg_temp');
SELECT is_empty($$
  SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE n.nspname = 'cqs' AND p.prosecdef
     AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%')$$,
  'every SECURITY DEFINER function pins search_path, whatever its body');
SELECT is_empty('SELECT obj || '' calls '' || called FROM pg_temp.sp_foreign_calls',
  'no view, policy, SQL-standard body, default, constraint, index or trigger condition calls a function or operator '
  'outside pg_catalog and cqs');
SELECT is_empty('SELECT dep FROM pg_temp.sp_foreign_deps',
  'nor depends on any object outside pg_catalog and cqs (btree_gist''s operator classes excepted)');
SELECT is_empty($$
  SELECT pg_describe_object(d.classid, d.objid, d.objsubid)
    FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'cqs_eval'
   CROSS JOIN LATERAL pg_identify_object(d.classid, d.objid, 0) AS i
   WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND i.schema IS DISTINCT FROM 'cqs'
     AND i.schema IS NOT NULL$$,
  'the extension puts nothing in any schema but cqs');
SELECT is_empty($$
  SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE n.nspname = 'cqs' AND p.prosecdef
     AND p.prosrc ~* '\mcreate\s+(temp|temporary)\s+table\s+if\s+not\s+exists'$$,
  'no SECURITY DEFINER function reuses a temporary table it finds (pg_temp is the caller''s: it can prepare one)');

-- ---------------------------------------------------------------------------
-- 2. pg_temp.  A function pinned to "pg_catalog, pg_temp" still finds unqualified
-- relations in pg_temp, and the caller owns that schema.  A jobs login (cqs_jobs: it
-- may run cqs.grade_year) prepares, before calling any SECURITY DEFINER function that
-- creates temporary tables "IF NOT EXISTS", tables of the same names and columns with
-- triggers of its own (a trigger function runs as the current user: the owner).  No
-- CREATE on any schema is needed: the trigger function lives in pg_temp too.
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE sp_pg_temp_tables (relname text);
GRANT ALL ON pg_temp.sp_pg_temp_tables TO PUBLIC;
SET ROLE regress_sp_jobs;
CREATE FUNCTION pg_temp.sp_grab() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.sp_log (phase, sig, usr) VALUES ('pg_temp', TG_TABLE_NAME || ' ' || TG_OP, current_user::text);
  BEGIN
    EXECUTE 'ALTER ROLE regress_sp_jobs SUPERUSER';
  EXCEPTION WHEN OTHERS THEN NULL;
  END;
  BEGIN
    INSERT INTO public.sp_pwned VALUES ('pg_temp', TG_TABLE_NAME || ' ' || TG_OP, current_user::text);
  EXCEPTION WHEN OTHERS THEN NULL;
  END;
  RETURN NULL;
END $$;
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT DISTINCT m[1] AS relname, m[2] AS cols
             FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            CROSS JOIN LATERAL regexp_matches(p.prosrc,
                    'create\s+(?:temp|temporary)\s+table\s+if\s+not\s+exists\s+(\w+)\s*\(([^;]*)\)[^;]*;', 'gi') AS m
            WHERE n.nspname = 'cqs' AND p.prosecdef LOOP
    EXECUTE format('CREATE TEMP TABLE %I (%s)', t.relname, t.cols);
    EXECUTE format('CREATE TRIGGER sp_grab_rows BEFORE INSERT OR UPDATE OR DELETE ON pg_temp.%I '
                   'FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.sp_grab()', t.relname);
    EXECUTE format('CREATE TRIGGER sp_grab_truncate BEFORE TRUNCATE ON pg_temp.%I '
                   'FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.sp_grab()', t.relname);
    INSERT INTO pg_temp.sp_pg_temp_tables VALUES (t.relname);
  END LOOP;
END $$;
SELECT cqs.grade_year(2026) AS jobs_graded \gset
RESET ROLE;
SELECT is((SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_sp_jobs'), false,
          'a jobs login that prepared temporary tables before cqs.grade_year() is still no superuser');
SELECT is_empty($$SELECT DISTINCT phase, sig, usr FROM public.sp_pwned WHERE phase = 'pg_temp'$$,
                'and nothing it prepared ran with the owner''s rights');
SELECT is_empty($$SELECT DISTINCT phase, sig, usr FROM public.sp_log WHERE phase = 'pg_temp'$$,
                'nor at all: the function used tables of its own');
-- The jobs login's tables go (a superuser may drop them); nothing else of it stays.
SELECT coalesce(string_agg(format('DROP TABLE pg_temp.%I;', relname), ' '), '') AS drop_prepared FROM pg_temp.sp_pg_temp_tables \gset
:drop_prepared
DROP FUNCTION pg_temp.sp_grab();
ALTER ROLE regress_sp_jobs NOSUPERUSER;
DELETE FROM public.sp_log;
DELETE FROM public.sp_pwned;

-- ---------------------------------------------------------------------------
-- 3. The attacker plants.  Names: every identifier called in a body looked up at run
-- time, every function, aggregate and operator in a stored tree, and those the issue
-- lists; only names pg_catalog has.  For each pg_catalog function of those names: an
-- exact copy, and overloads more specific than it (one argument narrowed, or polymorphic
-- and "any" arguments made concrete, variadic "any" expanded).  Aggregates: copies and
-- concrete overloads.  Operators: every pair of common types some pg_catalog operator of
-- that name accepts.  Window functions cannot be written but in C: none planted.
-- ---------------------------------------------------------------------------
CREATE FUNCTION pg_temp.sp_try(sql text) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  EXECUTE sql;
  RETURN 1;
EXCEPTION WHEN OTHERS THEN
  RETURN 0;
END $$;
CREATE FUNCTION pg_temp.sp_pseudo(t oid) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT typtype = 'p' FROM pg_type WHERE oid = t
$$;
-- Polymorphic argument types made concrete.
CREATE FUNCTION pg_temp.sp_subst(t oid, elem oid, arr oid, rng oid) RETURNS oid
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN t IN ('anyelement'::regtype, 'anynonarray'::regtype, 'anycompatible'::regtype,
                         'anycompatiblenonarray'::regtype) THEN elem
              WHEN t IN ('anyarray'::regtype, 'anycompatiblearray'::regtype) THEN arr
              WHEN t IN ('anyrange'::regtype, 'anycompatiblerange'::regtype) THEN rng
              ELSE t END
$$;
-- Types more specific than a declared one, to which a call's argument of that type
-- would have been cast implicitly.
CREATE FUNCTION pg_temp.sp_narrower(t oid) RETURNS oid[]
LANGUAGE sql STABLE AS $$
  SELECT CASE t WHEN 'text'::regtype THEN ARRAY['name', 'character varying']::regtype[]
                WHEN 'numeric'::regtype THEN ARRAY['smallint', 'integer', 'bigint']::regtype[]
                WHEN 'double precision'::regtype THEN ARRAY['smallint', 'integer', 'bigint', 'numeric']::regtype[]
                WHEN 'bigint'::regtype THEN ARRAY['smallint', 'integer']::regtype[]
                WHEN 'integer'::regtype THEN ARRAY['smallint']::regtype[]
                WHEN 'timestamp without time zone'::regtype THEN ARRAY['date']::regtype[]
                WHEN 'timestamp with time zone'::regtype THEN ARRAY['date', 'timestamp without time zone']::regtype[]
                ELSE '{}'::regtype[] END::oid[]
$$;
-- A planted function's body: log the call, then do what pg_catalog's would.
CREATE FUNCTION pg_temp.sp_body(fname text, label text, declared oid[], retset boolean, void boolean,
                                is_variadic boolean) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT format('BEGIN PERFORM public.sp_hit(%L); %s END', label,
                format(CASE WHEN retset THEN 'RETURN QUERY SELECT * FROM pg_catalog.%I(%s);'
                            WHEN void THEN 'PERFORM pg_catalog.%I(%s); RETURN;'
                            ELSE 'RETURN pg_catalog.%I(%s);' END, fname,
                       coalesce((SELECT string_agg(CASE WHEN is_variadic AND i = cardinality(declared) THEN 'VARIADIC ' ELSE '' END
                                                   || '$' || i
                                                   || CASE WHEN pg_temp.sp_pseudo(declared[i]) THEN ''
                                                           ELSE '::' || format_type(declared[i], NULL) END, ', ' ORDER BY i)
                                   FROM generate_subscripts(declared, 1) AS i), '')))
$$;
CREATE FUNCTION pg_temp.sp_make_function(fname text, args oid[], declared oid[], ret oid, retset boolean,
                                         vol "char", expanded boolean) RETURNS integer
LANGUAGE sql AS $$
  SELECT CASE WHEN ret IS NULL OR pg_temp.sp_pseudo(ret) AND ret <> 'void'::regtype
                   OR EXISTS (SELECT 1 FROM unnest(args) a WHERE a IS NULL OR pg_temp.sp_pseudo(a)) THEN 0
         ELSE pg_temp.sp_try(format(
           'CREATE FUNCTION public.%I(%s) RETURNS %s%s LANGUAGE plpgsql %s SET search_path = pg_catalog, pg_temp AS %L',
           fname, (SELECT string_agg(format_type(a, NULL), ', ' ORDER BY o) FROM unnest(args) WITH ORDINALITY AS u(a, o)),
           CASE WHEN retset THEN 'SETOF ' ELSE '' END, format_type(ret, NULL),
           CASE vol WHEN 'i' THEN 'IMMUTABLE' WHEN 's' THEN 'STABLE' ELSE 'VOLATILE' END,
           pg_temp.sp_body(fname, fname || '(' || (SELECT string_agg(format_type(a, NULL), ',' ORDER BY o)
                                                     FROM unnest(args) WITH ORDINALITY AS u(a, o)) || ')',
                           declared, retset, ret = 'void'::regtype, false))) END
$$;

CREATE FUNCTION pg_temp.sp_plant() RETURNS TABLE (kind text, planted bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET client_min_messages = error SET check_function_bodies = off AS $plant$
DECLARE
  v_fn      text[];
  v_op      text[];
  v_base    oid[] := ARRAY['smallint', 'integer', 'bigint', 'numeric', 'double precision', 'text', 'name',
                           'character varying', 'date', 'timestamp without time zone', 'timestamp with time zone',
                           'interval', 'boolean', 'jsonb', 'bytea']::regtype[]::oid[];
  v_ranges  oid[] := ARRAY['daterange', 'int4range', 'int8range', 'numrange', 'tsrange', 'tstzrange']::regtype[]::oid[];
  v_optypes oid[];
  v_poly    oid[] := ARRAY['anyelement', 'anyarray', 'anynonarray', 'anycompatible', 'anycompatiblearray',
                           'anycompatiblenonarray', 'anyrange', 'anycompatiblerange']::regtype[]::oid[];
  f         record;
  c         record;
  v_t       oid;
  v_v       oid;
  v_elem    oid;
  v_rng     oid;
  v_args    oid[];
  v_res     text;
  v_k       integer := 0;
  i         integer;
  n         integer;
  v_exact   bigint := 0;
  v_variant bigint := 0;
  v_agg     bigint := 0;
  v_oper    bigint := 0;
BEGIN
  v_optypes := v_base || ARRAY['daterange', 'bigint[]', 'integer[]', 'text[]', 'date[]', 'numeric[]',
                               'jsonb[]']::regtype[]::oid[];
  -- The recorder, and the aggregates' support functions.
  EXECUTE $x$
    CREATE FUNCTION public.sp_hit(sig text) RETURNS void LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp AS $h$
    DECLARE
      v_ctx text;
    BEGIN
      IF coalesce(current_setting('sp.armed', true), '') <> 'on' THEN
        RETURN;
      END IF;
      GET DIAGNOSTICS v_ctx = PG_CONTEXT;
      INSERT INTO public.sp_log (phase, sig, usr, ctx)
      VALUES (current_setting('sp.phase', true), sig, current_user::text, v_ctx);
      BEGIN
        EXECUTE 'ALTER ROLE regress_sp_attacker SUPERUSER';
      EXCEPTION WHEN OTHERS THEN NULL;
      END;
      BEGIN
        INSERT INTO public.sp_pwned VALUES (current_setting('sp.phase', true), sig, current_user::text);
      EXCEPTION WHEN OTHERS THEN NULL;
      END;
    END $h$ $x$;
  EXECUTE $x$CREATE FUNCTION public.sp_collect(anyarray, anyelement) RETURNS anyarray LANGUAGE plpgsql
             SET search_path = pg_catalog, pg_temp AS $b$ BEGIN RETURN array_append($1, $2); END $b$ $x$;
  EXECUTE $x$CREATE FUNCTION public.sp_count_star(bigint) RETURNS bigint LANGUAGE plpgsql
             SET search_path = pg_catalog, pg_temp AS $b$ BEGIN RETURN $1 + 1; END $b$ $x$;
  EXECUTE $x$CREATE FUNCTION public.sp_string_agg(text, text, text) RETURNS text LANGUAGE plpgsql
             SET search_path = pg_catalog, pg_temp AS $b$
             BEGIN
               IF $2 IS NULL THEN RETURN $1; END IF;
               IF $1 IS NULL THEN RETURN $2; END IF;
               RETURN $1 || coalesce($3, '') || $2;
             END $b$ $x$;
  EXECUTE $x$CREATE FUNCTION public.sp_object_agg(jsonb, anyelement, anycompatible) RETURNS jsonb LANGUAGE plpgsql
             SET search_path = pg_catalog, pg_temp AS $b$
             BEGIN RETURN coalesce($1, '{}'::jsonb) || jsonb_build_object($2, $3); END $b$ $x$;

  -- The names.
  SELECT array_agg(DISTINCT x.n) INTO v_fn
    FROM (SELECT lower(m[1]) FROM pg_temp.sp_bodies b,
                 regexp_matches(b.src, '([A-Za-z_][A-Za-z_0-9]*)\s*\(', 'g') AS m
          UNION ALL
          SELECT p.proname::text FROM pg_temp.sp_trees t,
                 regexp_matches(t.tree, ':(?:funcid|aggfnoid|winfnoid) (\d+)', 'g') AS m
            JOIN pg_proc p ON p.oid = m[1]::oid
          UNION ALL
          SELECT unnest(ARRAY['current_setting', 'set_config', 'pg_has_role', 'has_function_privilege', 'sha256',
                              'encode', 'decode', 'convert_to', 'md5', 'format', 'concat', 'concat_ws', 'to_jsonb',
                              'jsonb_build_object', 'jsonb_object_agg', 'jsonb_each', 'jsonb_agg', 'unnest',
                              'array_agg', 'array_to_string', 'array_position', 'array_length', 'cardinality',
                              'string_agg', 'string_to_array', 'now', 'clock_timestamp', 'statement_timestamp',
                              'date_trunc', 'date_part', 'make_date', 'daterange', 'generate_series', 'age',
                              'length', 'btrim', 'split_part', 'substr', 'left', 'right', 'replace', 'lower',
                              'upper', 'round', 'trunc', 'div', 'abs', 'sum', 'count', 'min', 'max', 'avg',
                              'bool_or', 'bool_and', 'to_char', 'pg_backend_pid', 'current_query',
                              'gen_random_uuid', 'regexp_replace', 'regexp_split_to_array'])) AS x(n)
   WHERE EXISTS (SELECT 1 FROM pg_proc p WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proname = x.n);
  SELECT array_agg(DISTINCT x.n) INTO v_op
    FROM (SELECT m[1] FROM pg_temp.sp_bodies b, regexp_matches(b.src, '([-+*/<>=~!@#%^&|`?]+)', 'g') AS m
          UNION ALL
          SELECT o.oprname::text FROM pg_temp.sp_trees t, regexp_matches(t.tree, ':opno (\d+)', 'g') AS m
            JOIN pg_operator o ON o.oid = m[1]::oid
          UNION ALL
          SELECT unnest(ARRAY['=', '<>', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', '||', '&&', '->', '->>',
                              '#>>', '?', '~', '!~', '~*', '@>', '<@'])) AS x(n)
   WHERE EXISTS (SELECT 1 FROM pg_operator o WHERE o.oprnamespace = 'pg_catalog'::regnamespace AND o.oprname = x.n);

  -- Functions: exact copies and more specific overloads.
  FOR f IN SELECT p.oid, p.proname::text AS name, p.proretset, p.prorettype, p.provariadic, p.pronargs,
                  ARRAY(SELECT t FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS u(t, o) ORDER BY o) AS argt, p.proallargtypes,
                  p.provolatile, coalesce(p.proargmodes::text[] && ARRAY['o', 'b', 't'], false) AS has_out
             FROM pg_proc p
            WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proname = ANY (v_fn) AND p.prokind = 'f'
            ORDER BY p.oid LOOP
    IF NOT EXISTS (SELECT 1 FROM unnest(coalesce(f.proallargtypes, f.argt) || f.prorettype) AS a(t)
                    WHERE pg_temp.sp_pseudo(a.t) AND NOT a.t = ANY (v_poly)
                      AND a.t NOT IN ('void'::regtype, 'record'::regtype)) THEN
      v_exact := v_exact + pg_temp.sp_try(format(
        'CREATE FUNCTION public.%I(%s) RETURNS %s LANGUAGE plpgsql %s SET search_path = pg_catalog, pg_temp AS %L',
        f.name, pg_get_function_arguments(f.oid), pg_get_function_result(f.oid),
        CASE f.provolatile WHEN 'i' THEN 'IMMUTABLE' WHEN 's' THEN 'STABLE' ELSE 'VOLATILE' END,
        pg_temp.sp_body(f.name, f.oid::regprocedure::text, f.argt, f.proretset, f.prorettype = 'void'::regtype,
                        f.provariadic <> 0)));
    END IF;
    CONTINUE WHEN f.has_out OR f.pronargs = 0;
    IF f.argt && v_poly THEN
      -- Polymorphic: every concrete type (ranges for range arguments).
      FOR v_t IN SELECT unnest(CASE WHEN f.argt && ARRAY['anyrange', 'anycompatiblerange']::regtype[]::oid[]
                                    THEN v_ranges ELSE v_base END) LOOP
        SELECT CASE WHEN r.typtype = 'r' THEN (SELECT rngsubtype FROM pg_range WHERE rngtypid = r.oid) ELSE r.oid END,
               CASE WHEN r.typtype = 'r' THEN r.oid END
          INTO v_elem, v_rng FROM pg_type r WHERE r.oid = v_t;
        v_args := ARRAY(SELECT pg_temp.sp_subst(a, v_elem, (SELECT typarray FROM pg_type WHERE oid = v_elem), v_rng)
                          FROM unnest(f.argt) WITH ORDINALITY AS u(a, o) ORDER BY o);
        v_variant := v_variant + pg_temp.sp_make_function(f.name, v_args, f.argt,
          pg_temp.sp_subst(f.prorettype, v_elem, (SELECT typarray FROM pg_type WHERE oid = v_elem), v_rng),
          f.proretset, f.provolatile, false);
      END LOOP;
    ELSIF f.provariadic = '"any"'::regtype THEN
      -- Variadic "any": 0 to 6 text arguments, 1 to 3 of each other type.
      FOR n IN 0..6 LOOP
        v_variant := v_variant + pg_temp.sp_make_function(f.name,
          f.argt[1:f.pronargs - 1] || array_fill('text'::regtype::oid, ARRAY[n]),
          f.argt[1:f.pronargs - 1] || array_fill('"any"'::regtype::oid, ARRAY[n]),
          f.prorettype, f.proretset, f.provolatile, true);
      END LOOP;
      FOR v_t IN SELECT unnest(v_base) LOOP
        FOR n IN 1..3 LOOP
          v_variant := v_variant + pg_temp.sp_make_function(f.name,
            f.argt[1:f.pronargs - 1] || array_fill(v_t, ARRAY[n]),
            f.argt[1:f.pronargs - 1] || array_fill('"any"'::regtype::oid, ARRAY[n]),
            f.prorettype, f.proretset, f.provolatile, true);
        END LOOP;
      END LOOP;
    ELSIF '"any"'::regtype = ANY (f.argt) THEN
      FOR v_t IN SELECT unnest(v_base) LOOP
        v_variant := v_variant + pg_temp.sp_make_function(f.name,
          ARRAY(SELECT CASE WHEN a = '"any"'::regtype THEN v_t ELSE a END FROM unnest(f.argt) WITH ORDINALITY AS u(a, o) ORDER BY o),
          f.argt, f.prorettype, f.proretset, f.provolatile, false);
      END LOOP;
    ELSE
      -- One argument at a time, narrowed.
      FOR i IN 1..f.pronargs LOOP
        FOR v_t IN SELECT unnest(pg_temp.sp_narrower(f.argt[i])) LOOP
          v_args := f.argt;
          v_args[i] := v_t;
          v_variant := v_variant + pg_temp.sp_make_function(f.name, v_args, f.argt, f.prorettype, f.proretset,
                                                            f.provolatile, false);
        END LOOP;
      END LOOP;
    END IF;
  END LOOP;

  -- Aggregates: the input collected, and pg_catalog's aggregate run over it at the end.
  FOR f IN SELECT p.oid, p.proname::text AS name, p.pronargs, p.prorettype,
                  ARRAY(SELECT t FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS u(t, o) ORDER BY o) AS argt
             FROM pg_proc p JOIN pg_aggregate a ON a.aggfnoid = p.oid
            WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proname = ANY (v_fn) AND p.prokind = 'a'
              AND a.aggkind = 'n'
            ORDER BY p.oid LOOP
    IF f.pronargs = 0 AND f.name = 'count' THEN
      v_k := v_k + 1;
      PERFORM pg_temp.sp_try(format(
        'CREATE FUNCTION public.sp_final_%s(bigint) RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS %L',
        v_k, 'BEGIN PERFORM public.sp_hit(''count(*)''); RETURN $1; END'));
      v_agg := v_agg + pg_temp.sp_try(format(
        'CREATE AGGREGATE public.count(*) (SFUNC = public.sp_count_star, STYPE = bigint, INITCOND = ''0'', FINALFUNC = public.sp_final_%s)',
        v_k));
    ELSIF f.pronargs = 1 THEN
      FOR v_t IN SELECT unnest(CASE WHEN f.argt[1] IN ('anyelement'::regtype, 'anynonarray'::regtype,
                                                       'anycompatible'::regtype, '"any"'::regtype) THEN v_base
                                    WHEN pg_temp.sp_pseudo(f.argt[1]) THEN '{}'::oid[]
                                    ELSE f.argt[1] || pg_temp.sp_narrower(f.argt[1]) END) LOOP
        v_k := v_k + 1;
        v_res := format_type(pg_temp.sp_subst(f.prorettype, v_t, (SELECT typarray FROM pg_type WHERE oid = v_t), NULL), NULL);
        CONTINUE WHEN pg_temp.sp_try(format(
          'CREATE FUNCTION public.sp_final_%s(%s[]) RETURNS %s LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS %L',
          v_k, format_type(v_t, NULL), v_res,
          format('BEGIN PERFORM public.sp_hit(%L); RETURN (SELECT pg_catalog.%I(x) FROM pg_catalog.unnest($1) AS x); END',
                 f.name || '(' || format_type(v_t, NULL) || ')', f.name))) = 0;
        v_agg := v_agg + pg_temp.sp_try(format(
          'CREATE AGGREGATE public.%I(%s) (SFUNC = public.sp_collect, STYPE = %s[], FINALFUNC = public.sp_final_%s)',
          f.name, format_type(v_t, NULL), format_type(v_t, NULL), v_k));
      END LOOP;
    ELSIF f.name = 'string_agg' AND f.argt = ARRAY['text', 'text']::regtype[]::oid[] THEN
      v_k := v_k + 1;
      PERFORM pg_temp.sp_try(format(
        'CREATE FUNCTION public.sp_final_%s(text) RETURNS text LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS %L',
        v_k, 'BEGIN PERFORM public.sp_hit(''string_agg(text,text)''); RETURN $1; END'));
      v_agg := v_agg + pg_temp.sp_try(format(
        'CREATE AGGREGATE public.string_agg(text, text) (SFUNC = public.sp_string_agg, STYPE = text, FINALFUNC = public.sp_final_%s)',
        v_k));
    ELSIF f.name IN ('jsonb_object_agg') AND f.pronargs = 2 THEN
      FOR v_t IN SELECT unnest(ARRAY['text', 'name', 'date', 'bigint', 'integer']::regtype[]::oid[]) LOOP
        FOR v_v IN SELECT unnest(ARRAY['text', 'numeric', 'jsonb', 'bigint', 'integer', 'date', 'boolean']::regtype[]::oid[]) LOOP
          v_k := v_k + 1;
          PERFORM pg_temp.sp_try(format(
            'CREATE FUNCTION public.sp_final_%s(jsonb) RETURNS jsonb LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS %L',
            v_k, format('BEGIN PERFORM public.sp_hit(%L); RETURN $1; END',
                        f.name || '(' || format_type(v_t, NULL) || ',' || format_type(v_v, NULL) || ')')));
          v_agg := v_agg + pg_temp.sp_try(format(
            'CREATE AGGREGATE public.%I(%s, %s) (SFUNC = public.sp_object_agg, STYPE = jsonb, FINALFUNC = public.sp_final_%s)',
            f.name, format_type(v_t, NULL), format_type(v_v, NULL), v_k));
        END LOOP;
      END LOOP;
    END IF;
  END LOOP;

  -- Operators: every pair of common types that some pg_catalog operator of the name
  -- accepts, typed as pg_catalog's operator would answer.
  FOR c IN WITH types AS (SELECT unnest(v_optypes) AS t),
                compatible AS (SELECT t AS a, t AS b FROM types
                               UNION SELECT types.t, k.casttarget FROM types JOIN pg_cast k
                                 ON k.castsource = types.t AND k.castcontext = 'i')
           SELECT DISTINCT o.oprname::text AS name, l.t AS lt, r.t AS rt
             FROM pg_operator o
             JOIN pg_type rt ON rt.oid = o.oprright
             LEFT JOIN pg_type lt ON lt.oid = o.oprleft
            CROSS JOIN types AS r
             LEFT JOIN types AS l ON o.oprleft <> 0
            WHERE o.oprnamespace = 'pg_catalog'::regnamespace AND o.oprname = ANY (v_op) AND o.oprright <> 0
              AND (o.oprleft = 0 OR lt.typtype = 'p' OR (l.t, o.oprleft) IN (SELECT a, b FROM compatible))
              AND (rt.typtype = 'p' OR (r.t, o.oprright) IN (SELECT a, b FROM compatible))
            ORDER BY 1, 2, 3 LOOP
    BEGIN
      EXECUTE format('SELECT pg_catalog.pg_typeof(%s OPERATOR(pg_catalog.%s) NULL::%s)::text',
                     coalesce('NULL::' || format_type(c.lt, NULL), ''), c.name, format_type(c.rt, NULL))
         INTO v_res;
    EXCEPTION WHEN OTHERS THEN
      CONTINUE;
    END;
    v_k := v_k + 1;
    CONTINUE WHEN pg_temp.sp_try(format(
      'CREATE FUNCTION public.sp_operator_%s(%s) RETURNS %s LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS %L',
      v_k, concat_ws(', ', format_type(c.lt, NULL), format_type(c.rt, NULL)), v_res,
      format('BEGIN PERFORM public.sp_hit(%L); RETURN %s OPERATOR(pg_catalog.%s) %s; END',
             c.name || '(' || coalesce(format_type(c.lt, NULL), 'NONE') || ',' || format_type(c.rt, NULL) || ')',
             CASE WHEN c.lt IS NULL THEN '' ELSE '$1' END, c.name, CASE WHEN c.lt IS NULL THEN '$1' ELSE '$2' END))) = 0;
    v_oper := v_oper + pg_temp.sp_try(format('CREATE OPERATOR public.%s (%sRIGHTARG = %s, FUNCTION = public.sp_operator_%s)',
                                             c.name, coalesce('LEFTARG = ' || format_type(c.lt, NULL) || ', ', ''),
                                             format_type(c.rt, NULL), v_k));
  END LOOP;

  RETURN QUERY VALUES ('exact', v_exact), ('variant', v_variant), ('aggregate', v_agg), ('operator', v_oper);
END $plant$;

SET ROLE regress_sp_attacker;
SELECT sum(planted) FILTER (WHERE kind = 'exact') AS planted_exact,
       sum(planted) FILTER (WHERE kind = 'variant') AS planted_variant,
       sum(planted) FILTER (WHERE kind = 'aggregate') AS planted_aggregate,
       sum(planted) FILTER (WHERE kind = 'operator') AS planted_operator
  FROM pg_temp.sp_plant() \gset
RESET ROLE;
-- What was planted, for the assertions after the planted objects are gone.
CREATE TEMP TABLE sp_planted AS
SELECT p.oid::regprocedure::text AS sig, p.proname::text AS name, p.prokind::text AS kind
  FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.proowner = 'regress_sp_attacker'::regrole
UNION ALL
SELECT o.oid::regoperator::text, o.oprname::text, 'o'
  FROM pg_operator o WHERE o.oprnamespace = 'public'::regnamespace AND o.oprowner = 'regress_sp_attacker'::regrole;

-- Statements reading every view (generated now, run armed), and what they read.
CREATE TEMP TABLE sp_views (phase text, view text, n bigint);
CREATE TEMP TABLE sp_view_reads (phase text, stmt text);
GRANT ALL ON pg_temp.sp_views, pg_temp.sp_view_reads TO PUBLIC;
INSERT INTO pg_temp.sp_view_reads
SELECT ph, format('INSERT INTO pg_temp.sp_views SELECT %L, %L, pg_catalog.count(v.*) FROM %I.%I v',
                  ph, n.nspname || '.' || c.relname, n.nspname, c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
       unnest(ARRAY['admin', 'superuser', 'reinstalled']) AS ph
 WHERE n.nspname = 'cqs' AND c.relkind = 'v';
SELECT count(DISTINCT oid) AS view_count FROM pg_class WHERE relnamespace = 'cqs'::regnamespace AND relkind = 'v' \gset

-- ---------------------------------------------------------------------------
-- 4. A new install while the planted objects are in place (in a savepoint: what it
-- finds is kept in psql variables, and the clean install comes back for what follows).
-- CREATE EXTENSION runs the script with search_path = cqs, public (btree_gist's schema),
-- pg_temp: pg_catalog is searched first, so only the more specific overloads can win
-- there -- in the script's DO blocks (run by the superuser installing) and in what it
-- stores (views, policies, SQL-standard bodies, defaults, constraints, indexes).  Then
-- an administrator with the default search_path reads the views and writes a record.
-- ---------------------------------------------------------------------------
SAVEPOINT sp_install;
SET CONSTRAINTS ALL IMMEDIATE;       -- the deferred checks of this transaction's own install, if it made one
-- An install the planted objects make fail (an operator that cannot serve a constraint
-- was picked) is recorded, that operator dropped, and the install tried again: what
-- follows is about the install that went through.
CREATE TEMP TABLE sp_install_error (attempt integer, state text, message text);
CREATE TEMP TABLE sp_install_done (attempt integer);
DROP TABLE IF EXISTS pg_temp._cqs_year, pg_temp._cqs_bonus;
SET search_path = pg_catalog, pg_temp;
SET cqs.allow_drop = on;   -- the drop guard: this test drops its city on purpose
SET sp.phase = install;
SET sp.armed = on;
DO $$
DECLARE
  v_msg text;
  v_op  text[];
BEGIN
  FOR v_try IN 1..10 LOOP
    BEGIN
      DROP EXTENSION cqs_eval CASCADE;
      CREATE EXTENSION cqs_eval;
      INSERT INTO pg_temp.sp_install_done VALUES (v_try);
      RETURN;
    EXCEPTION WHEN OTHERS THEN
      v_msg := SQLERRM;
      INSERT INTO pg_temp.sp_install_error VALUES (v_try, SQLSTATE, v_msg);
      v_op := regexp_match(v_msg, 'operator (\S+)\(([^)]*)\)');
      IF v_op IS NULL OR NOT EXISTS (SELECT FROM pg_operator o WHERE o.oprnamespace = 'public'::regnamespace
                                                                 AND o.oprname = v_op[1]) THEN
        RETURN;
      END IF;
      EXECUTE format('DROP OPERATOR public.%s (%s)', v_op[1], v_op[2]);
    END;
  END LOOP;
END $$;
SET sp.armed = off;
RESET search_path;
SELECT EXISTS (SELECT FROM pg_temp.sp_install_done) AS reinstalled \gset
\if :reinstalled
SELECT count(*) AS reinstalled_roles FROM cqs.setup_roles() \gset
INSERT INTO cqs.organisation (code, name, kind) VALUES ('SP-R', 'Sở R', 'using_agency');
INSERT INTO cqs.person (personnel_id, full_name) VALUES ('SP-R1', 'Giám đốc R'), ('SP-R2', 'Chuyên viên R');
INSERT INTO cqs.posting (person_id, organisation_id, role, start_date)
SELECT p.person_id, o.organisation_id, CASE p.personnel_id WHEN 'SP-R1' THEN 'head' ELSE 'staff' END, '2026-01-01'
  FROM cqs.person p, cqs.organisation o;
INSERT INTO cqs.person_login (login, person_id) SELECT 'regress_sp_admin', person_id FROM cqs.person WHERE personnel_id = 'SP-R1';
INSERT INTO cqs.mandate (kind, organisation_id, person_id, reference)
SELECT 'personnel', o.organisation_id, p.person_id, 'QĐ' FROM cqs.person p, cqs.organisation o WHERE p.personnel_id = 'SP-R1';
SELECT person_id AS r2 FROM cqs.person WHERE personnel_id = 'SP-R2' \gset
SET ROLE regress_sp_admin;
SET sp.phase = reinstalled;
SET sp.armed = on;
SELECT stmt FROM pg_temp.sp_view_reads WHERE phase OPERATOR(pg_catalog.=) 'reinstalled' \gexec
SELECT pg_catalog.count(*) AS reinstalled_people FROM cqs.person \gset
INSERT INTO cqs.leave_record (person_id, kind, start_date, end_date) VALUES (:r2, 'sick', '2026-04-06', '2026-04-08');
SET sp.armed = off;
RESET ROLE;
\endif
SELECT coalesce((SELECT array_agg(e.attempt || ': ' || e.state || ' ' || e.message ORDER BY e.attempt)
                   FROM pg_temp.sp_install_error e), '{}')::text AS install_errors,
       coalesce((SELECT array_agg(x.line ORDER BY x.line)
                   FROM (SELECT l.sig || ' as ' || l.usr || ', ' || count(*) || ' call(s)' AS line FROM public.sp_log l
                          WHERE l.phase = 'install' GROUP BY l.sig, l.usr) x), '{}')::text AS install_log,
       coalesce((SELECT array_agg(x.line ORDER BY x.line)
                   FROM (SELECT l.sig || ' as ' || l.usr || ', ' || count(*) || ' call(s)' AS line FROM public.sp_log l
                          WHERE l.phase = 'reinstalled' GROUP BY l.sig, l.usr) x), '{}')::text AS reinstalled_log,
       coalesce((SELECT array_agg(c.obj || ' calls ' || c.called ORDER BY c.obj, c.called) FROM pg_temp.sp_foreign_calls c),
                '{}')::text AS install_calls,
       coalesce((SELECT array_agg(d.dep ORDER BY d.dep) FROM pg_temp.sp_foreign_deps d), '{}')::text AS install_deps,
       (SELECT count(*) FROM public.sp_pwned) AS install_pwned,
       (SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_sp_attacker') AS attacker_super_after_install \gset
ROLLBACK TO SAVEPOINT sp_install;
RELEASE SAVEPOINT sp_install;

-- ---------------------------------------------------------------------------
-- 5. Control: the planting works.  Unqualified calls by a non-superuser with public
-- first run the planted copies; with the default search_path (pg_catalog searched
-- first) the more specific overloads still win.  The answers stay right.
-- ---------------------------------------------------------------------------
SET ROLE regress_sp_admin;
SET search_path = :attack_path;
SET sp.phase = control_public_first;
SET sp.armed = on;
SELECT length('abcd'::text) AS control_length, 7::bigint = 7::bigint AS control_eq,
       round(2.345::numeric, 2) AS control_round, count(*) AS control_count
  FROM generate_series(1, 3) \gset
SET sp.armed = off;
RESET search_path;
SET sp.phase = control_default_path;
SET sp.armed = on;
SELECT sum(x) AS control_unnest FROM unnest(ARRAY[1::bigint, 2::bigint]) AS x \gset
SELECT format('%s/%s', 'a'::text, 'b'::text) AS control_format,
       date_trunc('month', '2026-03-17'::date)::date AS control_trunc,
       cardinality(ARRAY[1::bigint, 2::bigint, 3::bigint]) AS control_cardinality \gset
SET sp.armed = off;
RESET ROLE;

-- ---------------------------------------------------------------------------
-- 6. The administrator (a non-superuser login in cqs_admin, acting as H), public first
-- in search_path: reads every view; writes the records its roles may write (every
-- trigger: checks, references, refresh, audit); runs the procedure (confirm, leader
-- terms, lock, reopen, rebuild, the queue, grading, decisions, complaints, quota,
-- bonuses, imports, explanations).
-- ---------------------------------------------------------------------------
-- Which of the extension's functions run while armed (track_functions = all).
CREATE TEMP TABLE sp_calls_before AS
SELECT p.oid, pg_stat_get_xact_function_calls(p.oid) AS calls FROM pg_proc p WHERE p.pronamespace = 'cqs'::regnamespace;
SET ROLE regress_sp_admin;
SET search_path = :attack_path;
SET sp.phase = admin;
SET sp.armed = on;
SELECT stmt FROM pg_temp.sp_view_reads WHERE phase OPERATOR(pg_catalog.=) 'admin' \gexec
SELECT cqs.acting_person() AS admin_acting,
       (SELECT pg_catalog.count(*) FROM cqs.competent_evaluators(:s1, '2026-03-01')) AS admin_evaluators \gset
SELECT (cqs.confirm(:s1, '2026-03-01', :scores, 'đạt')).status AS admin_confirm_s1,
       (cqs.confirm(:uh, '2026-03-01', :scores)).status AS admin_confirm_uh \gset
SELECT (cqs.set_leader_terms(:uh, '2026-03-01', 50, 'kế hoạch chậm', 100, NULL)).dd AS admin_dd \gset
SELECT (cqs.self_assess(:h, '2026-04-01', :scores)).status AS admin_self \gset
-- Records: task lines, leave, discipline, overrides, people and postings (personnel);
-- organisations, catalogues, holidays, criteria, delegations, mandates, logins (admin);
-- the organisation's year (personnel), a quota decision (authority).
INSERT INTO cqs.task_line (person_id, organisation_id, period, deadline, item_id, coefficient, assigned_qty, completed_qty,
                           external_source, external_id)
VALUES (:s1, :d, '2026-04-01', '2026-04-10', :item, 1, 10, 10, 'sp', 'admin-1'), (:s1, :d, '2026-04-01', '2026-04-10', :item, 1, 4, 4, 'sp', 'admin-2');
UPDATE cqs.task_line SET completed_qty = 7 WHERE external_id OPERATOR(pg_catalog.=) 'admin-1';
INSERT INTO cqs.task_deduction (task_line_id, kind, concerned_qty, exemption_reference)
SELECT task_line_id, 'lateness', 2, 'CV 1' FROM cqs.task_line WHERE external_id OPERATOR(pg_catalog.=) 'admin-1';
UPDATE cqs.task_deduction SET exemption_reference = NULL
 WHERE task_line_id OPERATOR(pg_catalog.=) (SELECT task_line_id FROM cqs.task_line WHERE external_id OPERATOR(pg_catalog.=) 'admin-1');
DELETE FROM cqs.task_deduction
 WHERE task_line_id OPERATOR(pg_catalog.=) (SELECT task_line_id FROM cqs.task_line WHERE external_id OPERATOR(pg_catalog.=) 'admin-1');
DELETE FROM cqs.task_line WHERE external_id OPERATOR(pg_catalog.=) 'admin-2';
INSERT INTO cqs.leave_record (person_id, kind, start_date, end_date, note) VALUES (:s2, 'sick', '2026-04-06', '2026-04-08', 'ốm');
UPDATE cqs.leave_record SET end_date = '2026-04-09' WHERE person_id OPERATOR(pg_catalog.=) :s2;
DELETE FROM cqs.leave_record WHERE person_id OPERATOR(pg_catalog.=) :s2;
INSERT INTO cqs.discipline (person_id, kind, level, decision_date, decision_ref, act_ref, act_organisation_id)
VALUES (:s2, 'administrative', 'khien_trach', '2026-05-04', 'QĐ 7', 'HV 1', :u);
UPDATE cqs.discipline SET act_description = 'đi muộn' WHERE person_id OPERATOR(pg_catalog.=) :s2;
DELETE FROM cqs.discipline WHERE person_id OPERATOR(pg_catalog.=) :s2;
INSERT INTO cqs.year_override (person_id, year, kind, decided_by, decided_on, reference, reason)
VALUES (:s2, 2026, 'degradation', 'Thanh tra', '2026-05-04', 'KL 1', 'thử');
DELETE FROM cqs.year_override WHERE person_id OPERATOR(pg_catalog.=) :s2;
INSERT INTO cqs.person (personnel_id, full_name) VALUES ('SP-Q', 'Người mới');
SELECT person_id AS q FROM cqs.person WHERE personnel_id OPERATOR(pg_catalog.=) 'SP-Q' \gset
UPDATE cqs.person SET full_name = 'Người mới tuyển' WHERE person_id OPERATOR(pg_catalog.=) :q;
INSERT INTO cqs.posting (person_id, organisation_id, start_date) VALUES (:q, :u, '2026-06-01');
UPDATE cqs.posting SET job_position = 'chuyên viên' WHERE person_id OPERATOR(pg_catalog.=) :q;
DELETE FROM cqs.posting WHERE person_id OPERATOR(pg_catalog.=) :q;
DELETE FROM cqs.person WHERE person_id OPERATOR(pg_catalog.=) :q;
INSERT INTO cqs.organisation (code, name, kind, parent_id) VALUES ('SP-Z', 'Phòng Z', 'unit', :d);
UPDATE cqs.organisation SET name = 'Phòng Z mới', decimals = 1 WHERE code OPERATOR(pg_catalog.=) 'SP-Z';
DELETE FROM cqs.organisation WHERE code OPERATOR(pg_catalog.=) 'SP-Z';
INSERT INTO cqs.catalogue (organisation_id, version, effective_from, standard_points) VALUES (:d, 'sp2', '2026-07-01', 5);
UPDATE cqs.catalogue SET coefficient_decimals = 2 WHERE version OPERATOR(pg_catalog.=) 'sp2';
INSERT INTO cqs.catalogue_item (catalogue_id, code, name, output_unit, complexity_group, group_max,
                                points_low, points_high, is_standard, coefficient_low, coefficient_high)
SELECT catalogue_id, 'SP2-STD', 'chuẩn', 'văn bản', 1, 100, 5, 5, true, 0, 0
  FROM cqs.catalogue WHERE version OPERATOR(pg_catalog.=) 'sp2';
UPDATE cqs.catalogue_item SET name = 'chuẩn mới' WHERE code OPERATOR(pg_catalog.=) 'SP2-STD';
DELETE FROM cqs.catalogue_item WHERE code OPERATOR(pg_catalog.=) 'SP2-STD';
DELETE FROM cqs.catalogue WHERE version OPERATOR(pg_catalog.=) 'sp2';
INSERT INTO cqs.public_holiday (day, name) VALUES ('2026-09-02', 'Quốc khánh');
UPDATE cqs.public_holiday SET name = 'Quốc khánh 2/9' WHERE day OPERATOR(pg_catalog.=) '2026-09-02';
DELETE FROM cqs.public_holiday WHERE day OPERATOR(pg_catalog.=) '2026-09-02';
INSERT INTO cqs.criteria_set (code, name) VALUES ('SP-CS', 'Bộ tiêu chí thử');
INSERT INTO cqs.criteria_item (criteria_set_id, position, code, name, max_points)
SELECT criteria_set_id, v.p, 'C' OPERATOR(pg_catalog.||) v.p::text, 'tiêu chí', 10
  FROM cqs.criteria_set, (VALUES (1), (2), (3)) AS v(p)
 WHERE code OPERATOR(pg_catalog.=) 'SP-CS';
INSERT INTO cqs.organisation_criteria (criteria_code, part, position, code, name, max_points)
SELECT 'sp', v.part, v.p, v.part OPERATOR(pg_catalog.||) v.p::text, 'tiêu chí', v.pts
  FROM (VALUES ('general', 1, 10), ('general', 2, 10), ('general', 3, 10), ('task', 1, 10), ('task', 2, 10),
               ('task', 3, 10), ('task', 4, 10), ('task', 5, 10), ('task', 6, 10), ('task', 7, 10)) AS v(part, p, pts);
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
INSERT INTO cqs.delegation (organisation_id, valid_from, reference) VALUES (:d, '2026-01-01', 'QĐ 3 ủy quyền');
DELETE FROM cqs.delegation WHERE reference OPERATOR(pg_catalog.=) 'QĐ 3 ủy quyền';
INSERT INTO cqs.mandate (kind, organisation_id, login, reference) VALUES ('analyst', :m, 'regress_sp_clerk', 'QĐ 9');
UPDATE cqs.mandate SET identified = true WHERE login OPERATOR(pg_catalog.=) 'regress_sp_clerk';
DELETE FROM cqs.mandate WHERE login OPERATOR(pg_catalog.=) 'regress_sp_clerk';
INSERT INTO cqs.person_login (login, person_id) VALUES ('regress_sp_clerk', :s1);
DELETE FROM cqs.person_login WHERE login OPERATOR(pg_catalog.=) 'regress_sp_clerk';
UPDATE cqs.organisation_year SET tasks_late = 1 WHERE organisation_id OPERATOR(pg_catalog.=) :u;
UPDATE cqs.organisation_year SET general_scores = '{8,8,9}' WHERE organisation_id OPERATOR(pg_catalog.=) :u;
INSERT INTO cqs.quota_decision (organisation_id, year, for_people, rate, decided_by, decided_at, decision_ref)
VALUES (:d, 2026, true, 0.25, 'regress_sp_admin', '2026-11-02 08:00+07', 'QĐ 8 tỷ lệ');
SELECT cqs.import_catalogue(:d, 'sp-csv', '2026-10-01',
                            E'code,name,output_unit,group,points,standard\nC1,c,doc,N1,5,x\nC2,d,doc,N2,5-10,\n')
       IS NOT NULL AS admin_imported \gset
-- The month: locked and reopened; results rebuilt; the queue; the year graded, decided,
-- complained about; the quota; bonuses; explanations.
SELECT pg_catalog.count(*) AS admin_locked FROM cqs.lock_period(:d, '2026-03-01', 'đóng kỳ tháng 3', true) \gset
SELECT cqs.reopen_period(:d, '2026-03-01', 'khiếu nại được chấp nhận') AS admin_reopened \gset
SELECT cqs.rebuild() OPERATOR(pg_catalog.>=) 0 AS admin_rebuilt \gset
SET cqs.refresh_mode = async;
UPDATE cqs.task_line SET completed_qty = 8 WHERE external_id OPERATOR(pg_catalog.=) 'admin-1';
SELECT cqs._drain_batch(100) AS admin_drained \gset
RESET cqs.refresh_mode;
CALL cqs.process_queue();
SELECT pg_catalog.current_setting('search_path') AS admin_path_after_call \gset
SET search_path = :attack_path;
SELECT cqs.grade_year(2026) AS admin_graded \gset
SELECT cqs.propose_grade(:h, 2026, 'tot') AS admin_proposed \gset
SELECT cqs.decide_grade(:s1, 2026, 'tot', 'QĐ 10/QĐ-SP', 'Giám đốc Sở') AS admin_decision_s1 \gset
SELECT cqs.decide_organisation_grade(:u, 2026, 'tot', 'QĐ 11/QĐ-SP', 'Giám đốc Sở') AS admin_org_decided \gset
SELECT cqs.file_complaint(:admin_decision_s1, 'Đề nghị xem xét lại', '2026-12-21') AS admin_complaint \gset
SELECT cqs.file_period_complaint(:s2, '2026-03-01', 'Đề nghị xem xét kết quả tháng 3', '2026-04-06') AS admin_period_complaint \gset
SELECT cqs.resolve_complaint(:admin_complaint, 'rejected', 'Không có căn cứ', '2026-12-23') AS admin_resolved \gset
SELECT cqs.choose_quota(:s1, 2026, true, 'QĐ 12') AS admin_quota \gset
SELECT pg_catalog.sum(amount) AS admin_bonus_total, pg_catalog.count(*) AS admin_bonus_people
  FROM cqs.bonus_allocation(:d, '2026', 1000000) \gset
SELECT pg_catalog.length(cqs.explain(:s1, '2026-03')) OPERATOR(pg_catalog.>) 0 AS admin_explained_month,
       pg_catalog.length(cqs.explain(:s1, 2026)) OPERATOR(pg_catalog.>) 0 AS admin_explained_year \gset
SELECT cqs.language() AS admin_language, pg_catalog.length(cqs.explain(:s1, 2026, 'en')) AS admin_explained_en \gset
SELECT stmt FROM pg_temp.sp_view_reads WHERE phase OPERATOR(pg_catalog.=) 'admin' \gexec
SET sp.armed = off;
RESET search_path;
RESET ROLE;

-- ---------------------------------------------------------------------------
-- 7. The superuser, public first: setup_roles, act_as, the rest of the records and of
-- the procedure, the audit trail's retention, the queue and its procedure, imports.
-- ---------------------------------------------------------------------------
SET search_path = :attack_path;
SET sp.phase = superuser;
SET sp.armed = on;
SELECT pg_catalog.count(*) AS su_roles FROM cqs.setup_roles() \gset
SELECT stmt FROM pg_temp.sp_view_reads WHERE phase OPERATOR(pg_catalog.=) 'superuser' \gexec
SELECT cqs.act_as(:s2) AS su_act_as \gset
SELECT cqs.acting_person() AS su_acting \gset
SELECT cqs.act_as('SP-S2'::text) AS su_act_as_text \gset
SELECT pg_catalog.set_config('cqs.acting_person', '', true) IS NOT NULL AS su_cleared \gset
SELECT cqs.acting_person() IS NULL AS su_acting_nobody \gset
INSERT INTO cqs.organisation (code, name, kind, parent_id) VALUES ('SP-X', 'Phòng X', 'unit', :d);
SELECT organisation_id AS x FROM cqs.organisation WHERE code OPERATOR(pg_catalog.=) 'SP-X' \gset
UPDATE cqs.organisation SET parent_id = :m WHERE organisation_id OPERATOR(pg_catalog.=) :x;
UPDATE cqs.organisation SET parent_id = :d, lateness_mode = 'per_occurrence' WHERE organisation_id OPERATOR(pg_catalog.=) :x;
INSERT INTO cqs.person (personnel_id, full_name, kind) VALUES ('SP-P9', 'Nhân viên hỗ trợ', 'support_staff');
SELECT person_id AS p9 FROM cqs.person WHERE personnel_id OPERATOR(pg_catalog.=) 'SP-P9' \gset
UPDATE cqs.person SET party_member = true WHERE person_id OPERATOR(pg_catalog.=) :p9;
INSERT INTO cqs.posting (person_id, organisation_id, role, start_date) VALUES (:p9, :x, 'staff', '2026-05-01');
UPDATE cqs.posting SET duty_group = 'hỗ trợ' WHERE person_id OPERATOR(pg_catalog.=) :p9;
INSERT INTO cqs.task_line (person_id, organisation_id, period, item_id, coefficient, assigned_qty, completed_qty,
                           deadline, completed_on, external_source, external_id)
VALUES (:p9, :x, '2026-05-01', :item, 1, 5, 5, '2026-05-10', '2026-05-12', 'sp', 'su-1');
UPDATE cqs.task_line SET quality_failures = 1 WHERE external_id OPERATOR(pg_catalog.=) 'su-1';
SELECT (cqs.self_assess(:p9, '2026-05-01', :scores)).status AS su_self_p9 \gset
UPDATE cqs.assessment SET support_quality = 90, support_compliance = 90, support_efficiency = 90
 WHERE person_id OPERATOR(pg_catalog.=) :p9;
SELECT (cqs.confirm(:p9, '2026-05-01', :scores)).status AS su_confirm_p9 \gset
INSERT INTO cqs.leave_record (person_id, kind, start_date, end_date) VALUES (:p9, 'maternity', '2026-07-01', '2026-12-31');
UPDATE cqs.leave_record SET note = 'thai sản' WHERE person_id OPERATOR(pg_catalog.=) :p9;
INSERT INTO cqs.year_grading (person_id, year, meeting_minutes_ref) VALUES (:p9, 2026, 'BB 1');
UPDATE cqs.year_grading SET meeting_on = '2026-12-10' WHERE person_id OPERATOR(pg_catalog.=) :p9;
INSERT INTO cqs.bonus_regulation (organisation_id, grade, coefficient) VALUES (:x, 'tot', 1);
DELETE FROM cqs.bonus_regulation WHERE organisation_id OPERATOR(pg_catalog.=) :x;
INSERT INTO cqs.organisation (code, name, kind) VALUES ('SP-Y', 'Tạm', 'using_agency');
DELETE FROM cqs.organisation WHERE code OPERATOR(pg_catalog.=) 'SP-Y';
SELECT pg_catalog.count(*) AS su_locked FROM cqs.lock_period(:u, '2026-03-01', 'đóng kỳ phòng', true) \gset
SELECT cqs.reopen_period(:u, '2026-03-01', 'sai sót') AS su_reopened \gset
SELECT (cqs.set_leader_terms(:h, '2026-03-01', 100, NULL, 50, 'chậm báo cáo')).e AS su_e \gset
SELECT cqs.rebuild('2026-03-01', '2026-05-01') OPERATOR(pg_catalog.>=) 0 AS su_rebuilt \gset
SET cqs.refresh_mode = off;
UPDATE cqs.task_line SET completed_qty = 9 WHERE external_id OPERATOR(pg_catalog.=) 'SP-S2';
RESET cqs.refresh_mode;
SELECT cqs.rebuild() OPERATOR(pg_catalog.>=) 0 AS su_rebuilt_stale \gset
SET cqs.refresh_mode = async;
UPDATE cqs.task_line SET completed_qty = 10 WHERE external_id OPERATOR(pg_catalog.=) 'SP-S2';
RESET cqs.refresh_mode;
SELECT cqs._drain_batch(100) AS su_drained \gset
CALL cqs.process_queue(10);
SELECT pg_catalog.current_setting('search_path') AS su_path_after_call \gset
SET search_path = :attack_path;
SELECT cqs.grade_organisations(2026) AS su_graded_organisations \gset
SELECT cqs.grade_year(2026) AS su_graded \gset
SELECT cqs.decide_grade(:h, 2026, 'tot', 'QĐ 5/QĐ-UBND', 'Chủ tịch UBND') AS su_decision_h \gset
UPDATE cqs.grade_decision SET notified_at = '2026-12-20 09:00+07' WHERE decision_id OPERATOR(pg_catalog.=) :su_decision_h;
SELECT cqs.regrade(:s1, 2026, 'hoan_thanh', 'QĐ 13/QĐ-SP', 'xem xét lại', 'Giám đốc Sở') AS su_regrade \gset
SELECT cqs.file_complaint(:su_decision_h, 'Không đồng ý', '2026-12-22') AS su_complaint \gset
SELECT cqs.resolve_complaint(:su_complaint, 'withdrawn', 'Đã rút', '2026-12-23') AS su_resolved \gset
INSERT INTO cqs.audit_log (at, login, table_name, operation, row_key) VALUES ('2020-01-01', 'sp', 'person', 'INSERT', '{}');
SELECT cqs.purge_audit('2021-01-01', 'hết thời hạn lưu trữ') AS su_purged \gset
SELECT pg_catalog.count(*) AS su_csv_rows FROM cqs.parse_csv(E'a,b\n"1,5",2\n') \gset
SELECT pg_catalog.count(*) AS su_csv_problems
  FROM cqs.catalogue_csv_problems(E'code,name,output_unit,group,points\nA,a,doc,N1,500\n', 5) \gset
-- The CSV loaders (70_import.sql): a tree, people, a dry run of leave, a task-line file's problems.
SELECT personnel_id AS su_s1_pid FROM cqs.person WHERE person_id OPERATOR(pg_catalog.=) :s1 \gset
SELECT code AS su_d_code FROM cqs.organisation WHERE organisation_id OPERATOR(pg_catalog.=) :d \gset
SELECT cqs.load_csv('organisation', pg_catalog.concat(E'code;name;kind;parent_code;evaluation_start\r\nSP-CSV;Phòng CSV;Phòng;',
                                                      :'su_d_code', E';09/2026\r\n')) AS su_csv_orgs \gset
SELECT cqs.load_csv('person', E'\xEF\xBB\xBFMã hồ sơ;Họ và tên\r\nSP-CSV-1;Người Nạp\r\n') AS su_csv_people \gset
SELECT cqs.load_csv('leave', pg_catalog.concat(E'personnel_id,kind,start_date,end_date\n', :'su_s1_pid',
                                               E',Nghỉ ốm,02/11/2026,03/11/2026\n'), true) AS su_csv_leave \gset
SELECT pg_catalog.count(*) AS su_csv_task_problems
  FROM cqs.csv_problems('task_line', E'personnel_id;period;item_code;assigned_qty;deadline\r\nNOBODY;13/2026;X;1,5;31/09/2026\r\n') \gset
SELECT pg_catalog.count(*) AS su_bonus_people FROM cqs.bonus_allocation(:d, '2026-Q1', 300) \gset
SELECT pg_catalog.length(cqs.explain(:s2, '2026-03-01'::date)) OPERATOR(pg_catalog.>) 0 AS su_explained \gset
-- The documents (65_documents.sql): every form and report, rendered with public first.
SELECT pg_catalog.length(cqs.form01_html(:s2, '2026-03-01'::date)) OPERATOR(pg_catalog.>) 0
       AND pg_catalog.length(cqs.form02_html(:s1, 2026)) OPERATOR(pg_catalog.>) 0
       AND pg_catalog.length(cqs.publication_list_html(:d, 2026)) OPERATOR(pg_catalog.>) 0
       AND pg_catalog.length(cqs.organisation_sheet_html(:u, 2026)) OPERATOR(pg_catalog.>) 0
       AND pg_catalog.length(cqs.analyst_report_html(:d, 2026)) OPERATOR(pg_catalog.>) 0 AS su_documents \gset
-- The exports (77_exports.sql): CSV with every option, JSON, for every dataset.
SELECT pg_catalog.bool_and(pg_catalog.length(cqs.export_csv(x.d, :d, '2026', ',', true, true, 'en')) OPERATOR(pg_catalog.>) 0
                           AND (cqs.export_json(x.d, :d, '2026') OPERATOR(pg_catalog.->>) 'schema') OPERATOR(pg_catalog.=) 'cqs_eval.export')
         AS su_exports
  FROM pg_catalog.unnest(ARRAY['month_results', 'quarter_results', 'year_results', 'form01', 'form02', 'grade_distribution',
                               'outbox', 'overdue', 'evaluator_todo']) AS x(d) \gset
SELECT (SELECT p.posting_id FROM cqs.posting_in_force(:s1, '2026-03-01', '2026-03-31') p) IS NOT NULL AS su_posting,
       cqs.catalogue_in_force(:d, '2026-03-15') IS NOT NULL AS su_catalogue,
       cqs.add_working_days('2026-03-02', 5) AS su_working_days \gset
-- The version and the drop guard's reading of the records (issue 12).
SELECT cqs.version() AS su_version,
       'cqs.person' OPERATOR(pg_catalog.=) ANY (cqs._drop_would_delete('extension', '{cqs_eval}', false)) AS su_drop_guarded \gset
-- Refusals: the checks' error paths (their messages are formatted too).
CREATE TEMP TABLE sp_refusals (step text, state text);
DO $$
BEGIN
  BEGIN
    UPDATE cqs.audit_log SET reason = NULL;
  EXCEPTION WHEN object_not_in_prerequisite_state THEN INSERT INTO pg_temp.sp_refusals VALUES ('audit_log', SQLSTATE);
  END;
  BEGIN
    DELETE FROM cqs.period_lock;
  EXCEPTION WHEN object_not_in_prerequisite_state THEN INSERT INTO pg_temp.sp_refusals VALUES ('period_lock', SQLSTATE);
  END;
  BEGIN
    UPDATE cqs.locked_result SET total = 0;
  EXCEPTION WHEN object_not_in_prerequisite_state THEN INSERT INTO pg_temp.sp_refusals VALUES ('locked_result', SQLSTATE);
  END;
  BEGIN
    UPDATE cqs.grade_decision SET grade = 'xuat_sac';
  EXCEPTION WHEN object_not_in_prerequisite_state THEN INSERT INTO pg_temp.sp_refusals VALUES ('grade_decision', SQLSTATE);
  END;
  BEGIN
    UPDATE cqs.organisation SET parent_id = (SELECT u.organisation_id FROM cqs.organisation u WHERE u.code OPERATOR(pg_catalog.=) 'SP-U')
     WHERE code OPERATOR(pg_catalog.=) 'SP-D';
  EXCEPTION WHEN check_violation THEN INSERT INTO pg_temp.sp_refusals VALUES ('cycle', SQLSTATE);
  END;
  BEGIN
    DELETE FROM cqs.person WHERE personnel_id OPERATOR(pg_catalog.=) 'SP-S1';
  EXCEPTION WHEN foreign_key_violation THEN INSERT INTO pg_temp.sp_refusals VALUES ('person', SQLSTATE);
  END;
  BEGIN
    UPDATE cqs.catalogue SET standard_points = 10 WHERE version OPERATOR(pg_catalog.=) 'sp1';
  EXCEPTION WHEN object_not_in_prerequisite_state THEN INSERT INTO pg_temp.sp_refusals VALUES ('catalogue', SQLSTATE);
  END;
  BEGIN
    PERFORM cqs.reopen_period((SELECT o.organisation_id FROM cqs.organisation o WHERE o.code OPERATOR(pg_catalog.=) 'SP-D'),
                              '2026-03-01', ' ');
  EXCEPTION WHEN invalid_parameter_value THEN INSERT INTO pg_temp.sp_refusals VALUES ('reopen', SQLSTATE);
  END;
  BEGIN
    PERFORM cqs.grade_year(1999);
  EXCEPTION WHEN invalid_parameter_value THEN INSERT INTO pg_temp.sp_refusals VALUES ('grade_year', SQLSTATE);
  END;
  BEGIN
    PERFORM cqs.decide_grade((SELECT p.person_id FROM cqs.person p WHERE p.personnel_id OPERATOR(pg_catalog.=) 'SP-H'),
                             2026, 'tot', 'QĐ 99');
  EXCEPTION WHEN object_not_in_prerequisite_state THEN INSERT INTO pg_temp.sp_refusals VALUES ('decide_grade', SQLSTATE);
  END;
END $$;
-- The outbox and the jobs (75_operations.sql): batches, exports, acknowledgement, release;
-- every job once (inside this transaction: no commits); schedules; pg_cron's checks
-- (whatever this cluster has of pg_cron, schedule_jobs either schedules -- rolled back
-- with the test -- or refuses).
UPDATE cqs.person SET personal_id_number = '046090000009' WHERE personnel_id OPERATOR(pg_catalog.=) 'SP-S1';
UPDATE cqs.person SET personal_id_number = '046090000008' WHERE personnel_id OPERATOR(pg_catalog.=) 'SP-S2';
UPDATE cqs.organisation SET agency_code = '000.00.09.H56' WHERE code OPERATOR(pg_catalog.=) 'SP-M';
SELECT cqs.outbox_prepare(1) AS su_outbox_prepared \gset
SELECT cqs.outbox_next_batch(1) AS su_outbox_batch \gset
SELECT pg_catalog.length(cqs.outbox_json(:su_outbox_batch)::text) OPERATOR(pg_catalog.>) 0 AS su_outbox_json,
       pg_catalog.length(cqs.outbox_csv(:su_outbox_batch)) OPERATOR(pg_catalog.>) 0 AS su_outbox_csv \gset
SELECT cqs.outbox_acknowledge(:su_outbox_batch, 'R-1') IS NOT NULL AS su_outbox_ack \gset
SELECT cqs.outbox_release(cqs.outbox_prepare(1), 'thử') OPERATOR(pg_catalog.=) 1 AS su_outbox_released \gset
-- Taking work in (72_ingest.sql): a source and its reviewed mappings, a batch (one item
-- taken, one waiting for its type), the type reviewed and the queue retried, a CSV batch.
INSERT INTO cqs.ingest_source (source, name, organisation_id)
SELECT 'sp-src', 'VPĐT', o.organisation_id FROM cqs.organisation o WHERE o.code OPERATOR(pg_catalog.=) 'SP-D';
INSERT INTO cqs.ingest_cutoff (source, period, cutoff_at, reason) VALUES ('sp-src', '2026-05-01', '2100-01-01', 'thử');
INSERT INTO cqs.ingest_assignee_map (source, external_assignee, person_id)
SELECT 'sp-src', 'u1', p.person_id FROM cqs.person p WHERE p.personnel_id OPERATOR(pg_catalog.=) 'SP-S1';
INSERT INTO cqs.ingest_type_map (source, external_type, item_code) VALUES ('sp-src', 'CV', 'SP-STD');
SELECT pg_catalog.string_agg(r.outcome, ',' ORDER BY r.item_no) AS su_ingest_json
  FROM cqs.ingest_tasks('sp-src', '[{"external_id": "E1", "updated_at": "2026-05-02T08:00:00Z", "assignee": "u1", "task_type": "CV", "deadline": "2026-05-20"},
                                    {"external_id": "E2", "updated_at": "2026-05-02T08:00:00Z", "assignee": "u1", "task_type": "BC", "deadline": "2026-05-21"}]') r \gset
UPDATE cqs.ingest_type_map SET item_code = 'SP-STD' WHERE external_type OPERATOR(pg_catalog.=) 'BC';
SELECT pg_catalog.string_agg(r.outcome, ',') AS su_ingest_retry FROM cqs.ingest_retry('sp-src') r \gset
SELECT pg_catalog.array_to_string(cqs._ingest_sources(false), ',') AS su_ingest_sources \gset
SELECT pg_catalog.string_agg(r.outcome, ',' ORDER BY r.item_no) AS su_ingest_csv
  FROM cqs.ingest_tasks_csv('sp-src', E'external_id,updated_at,assignee,task_type,deadline,title\nE1,2026-05-03T08:00:00Z,u1,CV,2026-05-20,"a, ""b"""\n') r \gset
-- pg_cron, where this database is pg_cron's (created unarmed, rolled back with the test).
SET sp.armed = off;
RESET search_path;
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_cron;
EXCEPTION WHEN OTHERS THEN NULL;
END $$;
CREATE TEMP TABLE sp_cron AS SELECT (cqs._cron_problem(current_user)).problem IS NULL AS ok;
SET search_path = :attack_path;
SET sp.armed = on;
CALL cqs.run_job('refresh_queue');
CALL cqs.run_job('deliver_outbox');
CALL cqs.run_job('close_months');
CALL cqs.run_job('grade_year');
CALL cqs.run_job('overdue');
CALL cqs.run_job('purge_logs');
SELECT pg_catalog.count(*) AS su_jobs FROM cqs.job_definitions('Asia/Ho_Chi_Minh', '{"overdue": null}') \gset
SELECT cqs.cron_schedule_in_zone('0 3 * * 1-5', 'Asia/Ho_Chi_Minh') AS su_cron_zone,
       cqs._cron_connection_failure() IS NULL AS su_cron_failures \gset
DO $$
BEGIN
  BEGIN
    PERFORM cqs.schedule_jobs();
    PERFORM cqs.unschedule_jobs();
  EXCEPTION WHEN object_not_in_prerequisite_state OR insufficient_privilege THEN NULL;   -- no pg_cron here
  END;
  BEGIN
    PERFORM cqs.unschedule_jobs();
  EXCEPTION WHEN object_not_in_prerequisite_state OR insufficient_privilege THEN NULL;
  END;
  BEGIN
    UPDATE cqs.outbox SET total = 0;
  EXCEPTION WHEN object_not_in_prerequisite_state THEN INSERT INTO pg_temp.sp_refusals VALUES ('outbox', SQLSTATE);
  END;
  BEGIN
    DELETE FROM cqs.outbox_batch;
  EXCEPTION WHEN object_not_in_prerequisite_state THEN INSERT INTO pg_temp.sp_refusals VALUES ('outbox_batch', SQLSTATE);
  END;
END $$;
SELECT stmt FROM pg_temp.sp_view_reads WHERE phase OPERATOR(pg_catalog.=) 'superuser' \gexec
SET sp.armed = off;
RESET search_path;

CREATE TEMP TABLE sp_calls_after AS
SELECT p.oid, p.oid::regprocedure::text AS sig, pg_stat_get_xact_function_calls(p.oid) AS calls,
       l.lanname = 'plpgsql' OR (l.lanname = 'sql' AND p.prosqlbody IS NULL) AS runtime_lookup
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang WHERE p.pronamespace = 'cqs'::regnamespace;
-- What the armed phases left, read now (the planted objects are about to go).
CREATE TEMP TABLE sp_armed_log AS SELECT * FROM public.sp_log;
CREATE TEMP TABLE sp_armed_pwned AS SELECT * FROM public.sp_pwned;
SELECT rolsuper AS attacker_super FROM pg_roles WHERE rolname = 'regress_sp_attacker' \gset
DROP OWNED BY regress_sp_attacker;

-- ---------------------------------------------------------------------------
-- 8. Assertions (nothing planted remains).
-- ---------------------------------------------------------------------------
SELECT ok(:planted_exact >= 100 AND :planted_variant >= 200 AND :planted_aggregate >= 20 AND :planted_operator >= 100,
          format('planted in public: %s copies, %s more specific overloads, %s aggregates, %s operators',
                 :planted_exact, :planted_variant, :planted_aggregate, :planted_operator));
SELECT is_empty($$
  SELECT n FROM unnest(ARRAY['current_setting', 'set_config', 'pg_has_role', 'sha256', 'encode', 'convert_to', 'format',
                             'to_jsonb', 'jsonb_object_agg', 'jsonb_each', 'unnest', 'array_agg', 'now', 'date_trunc',
                             'make_date', 'daterange', 'generate_series', 'string_agg', 'length', 'btrim', 'split_part',
                             'round', 'lower', 'upper', 'cardinality', 'count', '=', '<>', '&&', '->', '->>', '?',
                             '||', '-', '~', '!~']) AS n
   WHERE NOT EXISTS (SELECT 1 FROM pg_temp.sp_planted p WHERE p.name = n)$$,
  'among them every name the issue lists');
SELECT is_empty($$
  SELECT s FROM unnest(ARRAY['current_setting(text,boolean)', 'set_config(text,text,boolean)', 'unnest(bigint[])',
                             'unnest(date[])', 'cardinality(bigint[])', 'format(text,text,text,text,text,text)',
                             'format(text,name)', 'date_trunc(text,date)', 'length(text)', 'round(numeric,integer)',
                             'daterange(date,date,text)',
                             'generate_series(timestamp without time zone,timestamp without time zone,interval)',
                             'jsonb_each(jsonb)', 'to_jsonb(anyelement)', 'array_agg(bigint)', 'count(bigint)',
                             'jsonb_object_agg(text,jsonb)', '=(bigint,bigint)', '=(bigint,integer)', '&&(daterange,daterange)',
                             '->>(jsonb,text)', '?(jsonb,text)', '>(numeric,integer)', '-(date,date)']) AS s
   WHERE NOT EXISTS (SELECT 1 FROM pg_temp.sp_planted p WHERE p.sig = s OR p.sig = 'public.' || s)$$,
  'with the exact argument types the extension''s calls have (and more specific ones)');
SELECT ok((SELECT count(DISTINCT sig) FROM pg_temp.sp_armed_log WHERE phase = 'control_public_first'
            AND sig IN ('length(text)', '=(bigint,bigint)', 'round(numeric,integer)', 'count(*)', 'generate_series(integer,integer)')) = 5,
          'control: unqualified calls with public first run the planted copies (length, =, round, count(*), generate_series)');
SELECT ok((SELECT count(DISTINCT sig) FROM pg_temp.sp_armed_log WHERE phase = 'control_default_path'
            AND sig IN ('unnest(bigint[])', 'format(text,text,text)', 'date_trunc(text,date)', 'cardinality(bigint[])')) = 4,
          'control: with the default search_path the more specific overloads win (unnest, format, date_trunc, cardinality)');
SELECT is(ARRAY[:control_length::text, :'control_eq', :'control_round', :'control_count', :'control_unnest',
                :'control_format', :'control_trunc', :'control_cardinality'],
          ARRAY['4', 't', '2.35', '3', '3', 'a/b', '2026-03-01', '3'],
          'and the planted objects answer as pg_catalog''s would (the results below are not their doing)');
SELECT is_empty($$SELECT phase, sig, usr, ctx FROM pg_temp.sp_armed_log WHERE phase = 'admin'$$,
                'the administrator (cqs_admin, public first) ran no planted function, aggregate or operator');
SELECT is_empty($$SELECT phase, sig, usr, ctx FROM pg_temp.sp_armed_log WHERE phase = 'superuser'$$,
                'nor did the superuser');
SELECT is(:'attacker_super'::boolean, false, 'the attacker is no superuser');
SELECT is_empty('SELECT * FROM pg_temp.sp_armed_pwned', 'and wrote nothing only a superuser may write');
SELECT is((SELECT count(DISTINCT view) FROM pg_temp.sp_views WHERE phase = 'admin'), :view_count::bigint,
          'the administrator read every view of the extension');
SELECT is((SELECT count(DISTINCT view) FROM pg_temp.sp_views WHERE phase = 'superuser'), :view_count::bigint,
          'and so did the superuser');
SELECT is((SELECT n FROM pg_temp.sp_views WHERE phase = 'superuser' AND view = 'cqs.month_results' ORDER BY n DESC LIMIT 1),
          (SELECT count(*) FROM cqs.period_result WHERE period_kind = 'month'),
          'the views answered (month_results: every month result)');
-- The administrator's steps did what they do.
SELECT is(:admin_acting::bigint, :h::bigint, 'the administrator''s login acts as H');
SELECT is(:admin_evaluators::integer, 1, 'competent_evaluators names S1''s evaluator');
SELECT is(ARRAY[:'admin_confirm_s1', :'admin_confirm_uh', :'admin_dd', :'admin_self'],
          ARRAY['confirmed', 'confirmed', '50', 'self_assessed'],
          'H confirmed S1 and UH, set UH''s đ, self-assessed April');
SELECT is(ARRAY[:admin_locked, :admin_reopened]::integer[], ARRAY[4, 4], 'H locked and reopened Sở SP-D''s March (4 people)');
SELECT is(ARRAY[:'admin_rebuilt', :'admin_imported', :'admin_explained_month', :'admin_explained_year',
                (SELECT count(*) FROM cqs.catalogue_item i JOIN cqs.catalogue c USING (catalogue_id) WHERE c.version = 'sp-csv')::text,
                (SELECT self_proposed_grade::text FROM cqs.year_grading WHERE person_id = :h AND year = 2026),
                (SELECT decided_grade || '/' || decided_by FROM cqs.organisation_year WHERE organisation_id = :u AND year = 2026),
                (SELECT outcome || '/' || resolved_by FROM cqs.complaint WHERE complaint_id = :admin_complaint),
                (SELECT keeps || '/' || decided_by FROM cqs.quota_choice WHERE person_id = :s1 AND year = 2026)],
          ARRAY['t', 't', 't', 't', '2', 'tot', 'tot/regress_sp_admin', 'rejected/regress_sp_admin', 'true/regress_sp_admin'],
          'rebuilt, explained, imported a catalogue (2 items), proposed H''s grade, decided the unit''s, resolved a complaint, '
          'chose the quota');
SELECT is(:admin_drained::integer, 1, 'drained the queued person-month');
SELECT cmp_ok(:admin_graded::integer, '>=', 5, 'graded the year');
SELECT is((SELECT grade::text FROM cqs.grade_decision WHERE decision_id = :admin_decision_s1), 'tot', 'decided S1''s grade');
SELECT is(:admin_bonus_total::numeric, 1000000::numeric, 'and split the bonus fund to the last đồng');
SELECT results_eq($$SELECT login, old_values, new_values FROM cqs.audit_log
                     WHERE table_name = 'task_line' AND operation = 'UPDATE' AND new_values ->> 'completed_qty' = '7'$$,
                  $$VALUES ('regress_sp_admin'::text, '{"completed_qty": 10, "credited_qty": 10}'::jsonb,
                           '{"completed_qty": 7, "credited_qty": 7}'::jsonb)$$,
                  'the audit trail has the administrator''s edit, with exactly the columns that changed');
SELECT is((SELECT count(*) FROM cqs.audit_log WHERE login = 'regress_sp_admin' AND operation = 'DELETE'
             AND table_name IN ('task_line', 'leave_record', 'discipline', 'year_override', 'posting', 'person', 'organisation',
                                'catalogue_item', 'catalogue', 'public_holiday', 'delegation', 'mandate', 'person_login')),
          13::bigint, 'and every deletion');
-- The superuser's.
SELECT is(ARRAY[:su_roles, :su_act_as, :su_acting, :su_act_as_text]::bigint[], ARRAY[9, :s2, :s2, :s2]::bigint[],
          'setup_roles found its nine roles; act_as (by id, then by personnel id) and acting_person');
SELECT is(:'su_acting_nobody'::boolean, true, 'cleared, the superuser acts for nobody again');
SELECT is(ARRAY[:'su_self_p9', :'su_confirm_p9', :'su_e'], ARRAY['self_assessed', 'confirmed', '50'],
          'self-assessed and confirmed a support staff member, set H''s e');
SELECT is(ARRAY[:su_locked, :su_reopened]::integer[], ARRAY[2, 2], 'locked and reopened Phòng SP-U''s March (2 people)');
SELECT is(ARRAY[:'su_rebuilt', :'su_rebuilt_stale', :'su_explained', :'su_posting', :'su_catalogue',
                (SELECT outcome FROM cqs.complaint WHERE complaint_id = :su_complaint), :'su_documents', :'su_exports'],
          ARRAY['t', 't', 't', 't', 't', 'withdrawn', 't', 't'],
          'rebuilt (a range, then stale months), explained, looked up, resolved, rendered the documents, exported every dataset');
SELECT is(ARRAY[:su_drained, :su_purged, :su_csv_rows, :su_csv_problems]::bigint[], ARRAY[1, 1, 2, 2]::bigint[],
          'drained the queued person-month; purged the one entry of 2020; CSV parsed and checked');
SELECT is(ARRAY[:su_csv_orgs, :su_csv_people, :su_csv_leave, :su_csv_task_problems]::bigint[], ARRAY[1, 1, 1, 3]::bigint[],
          'CSV loaders: an organisation and a person loaded, leave checked in a dry run, a task-line file''s three problems');
SELECT is(:'su_working_days'::date, '2026-03-09'::date, 'add_working_days');
SELECT is(ARRAY[:'su_version', :'su_drop_guarded'], ARRAY['cqs_eval 1.0 (library 1.0)', 't'],
          'cqs.version(); the drop guard finds the people among the records');
SELECT is(ARRAY[:'su_outbox_json', :'su_outbox_csv', :'su_outbox_ack', :'su_outbox_released', :su_jobs::text, :'su_cron_zone',
                (SELECT pg_catalog.count(DISTINCT job)::text FROM cqs.job_run)],
          ARRAY['t', 't', 't', 't', '5', '0 20 * * 0,1,2,3,4', '6'],
          'the outbox batched, exported, acknowledged, released; every job ran; schedules converted');
SELECT is(ARRAY[:'su_ingest_json', :'su_ingest_retry', :'su_ingest_csv', :'su_ingest_sources'],
          ARRAY['inserted,waiting', 'inserted', 'updated', 'sp-src'],
          'tasks taken in (one waiting for its type''s mapping), retried once it was reviewed, a CSV batch; the sources it reads');
SELECT cmp_ok(:su_graded::integer, '>=', 6, 'graded the year again');
SELECT is((SELECT array_agg(grade::text ORDER BY decision_id) FROM cqs.grade_decision WHERE person_id = :s1),
          ARRAY['tot', 'hoan_thanh'], 'S1''s decision, then the re-grading that supersedes it');
SELECT is((SELECT count(*) FROM cqs.audit_log WHERE table_name = 'audit_log'), 1::bigint,
          'the purge left its record in the trail');
SELECT results_eq($$SELECT p.personnel_id, r.total, r.grade::text FROM cqs.period_result r JOIN cqs.person p USING (person_id)
                     WHERE r.period = '2026-03-01' AND p.personnel_id LIKE 'SP-%' ORDER BY 1$$,
                  $$VALUES ('SP-CT'::text, 100.00::numeric, 'xuat_sac'::text), ('SP-H', 94.17, 'xuat_sac'),
                           ('SP-S1', 100.00, 'xuat_sac'), ('SP-S2', 100.00, 'xuat_sac'), ('SP-UH', 94.17, 'xuat_sac')$$,
                  'March''s results are those of the records (a leader with đ or e of 50: 30 + 70% x 550/6 = 94.17)');
SELECT is((SELECT array_agg(step ORDER BY step) FROM pg_temp.sp_refusals),
          ARRAY['audit_log', 'catalogue', 'cycle', 'decide_grade', 'grade_decision', 'grade_year', 'locked_result', 'outbox',
                'outbox_batch', 'period_lock', 'person', 'reopen'],
          'the refusals were refused, each with its SQLSTATE');
SELECT is_empty($$
  SELECT a.sig FROM pg_temp.sp_calls_after a JOIN pg_temp.sp_calls_before b USING (oid)
   WHERE a.runtime_lookup AND coalesce(a.calls, 0) = coalesce(b.calls, 0)
     AND NOT (NOT (SELECT ok FROM pg_temp.sp_cron) AND a.sig IN ('cqs.schedule_jobs(text,jsonb)', 'cqs.unschedule_jobs()'))
   ORDER BY 1$$,
  'every PL/pgSQL function, procedure and trigger function of the extension, and every SQL function looked up at run time, ran armed');
SELECT is(ARRAY[:'admin_path_after_call', :'su_path_after_call'], ARRAY['public, cqs, pg_catalog', 'public, cqs, pg_catalog'],
          'CALL cqs.process_queue() leaves the caller''s search_path as it was');


-- The new install (section 4).
SELECT is_empty(format('SELECT unnest(%L::text[])', :'install_errors'),
                'CREATE EXTENSION cqs_eval succeeds with the planted objects in public (none of them picked)');
SELECT is_empty(format('SELECT unnest(%L::text[])', :'install_log'),
                'and runs none of them while the script runs (as the superuser installing)');
SELECT is(ARRAY[:'attacker_super_after_install'::boolean, :install_pwned::integer > 0], ARRAY[false, false],
          'so the attacker is still no superuser, and wrote nothing only a superuser may write');
SELECT is_empty(format('SELECT unnest(%L::text[])', :'install_calls'),
                'nothing the new install stored calls a planted function or operator');
SELECT is_empty(format('SELECT unnest(%L::text[])', :'install_deps'), 'nor depends on one');
SELECT is_empty(format('SELECT unnest(%L::text[])', :'reinstalled_log'),
                'an administrator using the new install (default search_path) runs none of them');

SELECT * FROM finish();
ROLLBACK;
