-- The catalog of an installed cqs_eval as sorted text, by name (never by oid), for
-- comparing an upgraded install with a fresh one (test/scripts/upgrade.sh): every
-- member of the extension and everything in schema cqs -- functions with their bodies
-- and labels, tables and their columns, constraints, indexes, triggers, views,
-- policies, types, event triggers, grants, comments and the dump configuration.
\set QUIET 1
\pset format unaligned
\pset tuples_only on
SET search_path = pg_catalog;
WITH fn AS (
  SELECT p.oid, n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS name
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'cqs'
), rel AS (
  SELECT c.oid, 'cqs.' || c.relname AS name, c.relkind FROM pg_class c
   WHERE c.relnamespace = 'cqs'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'i', 'c')
), lines(line) AS (
  SELECT format('function %s returns %s kind=%s volatile=%s strict=%s parallel=%s secdef=%s leakproof=%s config=%s acl=%s cost=%s rows=%s',
                fn.name, pg_get_function_result(p.oid), p.prokind, p.provolatile, p.proisstrict, p.proparallel,
                p.prosecdef, p.proleakproof, p.proconfig, p.proacl, p.procost, p.prorows)
    FROM fn JOIN pg_proc p ON p.oid = fn.oid
  UNION ALL
  SELECT format('function %s body md5=%s', fn.name,
                md5(coalesce(pg_get_functiondef(p.oid), p.prosrc)))
    FROM fn JOIN pg_proc p ON p.oid = fn.oid WHERE p.prokind <> 'a'
  UNION ALL
  SELECT format('aggregate %s sfunc=%s stype=%s final=%s combine=%s serial=%s deserial=%s init=%s',
                fn.name, a.aggtransfn, format_type(a.aggtranstype, NULL), a.aggfinalfn, a.aggcombinefn,
                a.aggserialfn, a.aggdeserialfn, a.agginitval)
    FROM fn JOIN pg_aggregate a ON a.aggfnoid = fn.oid
  UNION ALL
  SELECT format('relation %s kind=%s rls=%s force_rls=%s options=%s acl=%s', rel.name, c.relkind,
                c.relrowsecurity, c.relforcerowsecurity, c.reloptions, c.relacl)
    FROM rel JOIN pg_class c ON c.oid = rel.oid
  UNION ALL
  SELECT format('column %s.%s %s notnull=%s default=%s identity=%s generated=%s acl=%s', rel.name, a.attname,
                format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid),
                a.attidentity, a.attgenerated, a.attacl)
    FROM rel JOIN pg_attribute a ON a.attrelid = rel.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE rel.relkind <> 'i'
  UNION ALL
  SELECT format('constraint %s %s %s', rel.name, co.conname, pg_get_constraintdef(co.oid))
    FROM rel JOIN pg_constraint co ON co.conrelid = rel.oid
  UNION ALL
  SELECT format('index %s', pg_get_indexdef(rel.oid)) FROM rel WHERE rel.relkind = 'i'
  UNION ALL
  SELECT format('trigger %s %s', rel.name, pg_get_triggerdef(t.oid))
    FROM rel JOIN pg_trigger t ON t.tgrelid = rel.oid AND NOT t.tgisinternal
  UNION ALL
  SELECT format('view %s %s', rel.name, pg_get_viewdef(rel.oid)) FROM rel WHERE rel.relkind IN ('v', 'm')
  UNION ALL
  SELECT format('policy %s %s cmd=%s permissive=%s roles=%s using=%s check=%s', rel.name, pol.polname, pol.polcmd,
                pol.polpermissive, (SELECT array_agg(CASE r WHEN 0 THEN 'public' ELSE r::regrole::text END ORDER BY 1)
                                      FROM unnest(pol.polroles) r),
                pg_get_expr(pol.polqual, pol.polrelid), pg_get_expr(pol.polwithcheck, pol.polrelid))
    FROM rel JOIN pg_policy pol ON pol.polrelid = rel.oid
  UNION ALL
  SELECT format('type %s kind=%s acl=%s enum=%s domain_base=%s', t.typname, t.typtype, t.typacl,
                (SELECT array_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid),
                CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END)
    FROM pg_type t WHERE t.typnamespace = 'cqs'::regnamespace AND t.typtype IN ('e', 'd', 'b', 'c')
     AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.reltype = t.oid AND c.relkind <> 'c')
  UNION ALL
  SELECT format('domain constraint %s %s %s', t.typname, co.conname, pg_get_constraintdef(co.oid))
    FROM pg_type t JOIN pg_constraint co ON co.contypid = t.oid WHERE t.typnamespace = 'cqs'::regnamespace
  UNION ALL
  SELECT format('event trigger %s on %s tags=%s enabled=%s function=%s', e.evtname, e.evtevent, e.evttags, e.evtenabled,
                e.evtfoid::regprocedure)
    FROM pg_event_trigger e
  UNION ALL
  SELECT format('comment %s %s', CASE d.classoid WHEN 'pg_proc'::regclass THEN d.objoid::regprocedure::text
                                                 WHEN 'pg_class'::regclass THEN d.objoid::regclass::text
                                                 WHEN 'pg_type'::regclass THEN d.objoid::regtype::text
                                                 ELSE d.classoid::regclass::text || ' ' || d.objsubid END
                                 || CASE WHEN d.classoid = 'pg_class'::regclass AND d.objsubid > 0 THEN '.' || d.objsubid ELSE '' END,
                md5(d.description))
    FROM pg_description d
   WHERE (d.classoid = 'pg_proc'::regclass AND d.objoid IN (SELECT oid FROM fn))
      OR (d.classoid = 'pg_class'::regclass AND d.objoid IN (SELECT oid FROM rel))
      OR (d.classoid = 'pg_type'::regclass AND d.objoid IN (SELECT oid FROM pg_type WHERE typnamespace = 'cqs'::regnamespace))
  UNION ALL
  SELECT format('extension %s version=%s', x.extname, x.extversion) FROM pg_extension x WHERE x.extname = 'cqs_eval'
  UNION ALL
  SELECT format('dumped %s where %s', c.rel::regclass, c.cond)
    FROM pg_extension x, unnest(x.extconfig, x.extcondition) AS c(rel, cond) WHERE x.extname = 'cqs_eval'
  UNION ALL
  SELECT format('member %s', pg_describe_object(d.classid, d.objid, d.objsubid))
    FROM pg_depend d JOIN pg_extension x ON x.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
   WHERE x.extname = 'cqs_eval' AND d.deptype = 'e'
  UNION ALL
  SELECT format('schema cqs acl=%s owner=%s', n.nspacl, n.nspowner::regrole) FROM pg_namespace n WHERE n.nspname = 'cqs'
)
SELECT regexp_replace(line, '\s+', ' ', 'g') AS line FROM lines ORDER BY line COLLATE "C";
