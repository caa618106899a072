-- cqs_eval -- the drop guard: DROP EXTENSION cqs_eval (with or without CASCADE), or a DROP
-- that would take it along (DROP EXTENSION btree_gist CASCADE, DROP SCHEMA cqs, DROP SCHEMA
-- public CASCADE, DROP OWNED BY its owner), is refused while any record table holds a row,
-- unless a superuser said so explicitly: SET cqs.allow_drop = on.  An event trigger at
-- ddl_command_start, because a sql_drop trigger belonging to the extension is dropped with
-- it and never fires; its function is C (cqs_drop_guard) because only C sees which objects
-- the DROP statement names.  The records are what pg_dump keeps: the tables registered
-- with pg_extension_config_dump, under their dump conditions (the built-in criteria sets
-- are no records).

-- Which record tables a DROP of this kind and these names would empty: NULL when it does
-- not reach cqs_eval, else the tables holding a row (empty: nothing would be lost).
CREATE FUNCTION cqs._drop_would_delete(kind text, names text[], cascade boolean) RETURNS text[]
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_ext      pg_catalog.pg_extension;
  v_required oid[];
  v_reached  boolean;
  v_tables   text[] := '{}';
  v_has      boolean;
  r          record;
BEGIN
  SELECT * INTO v_ext FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'cqs_eval';
  -- The extensions cqs_eval requires (btree_gist): dropping one with CASCADE drops it too.
  SELECT pg_catalog.array_agg(d.refobjid) INTO v_required
    FROM pg_catalog.pg_depend d
   WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
     AND d.objid OPERATOR(pg_catalog.=) v_ext.oid
     AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass;
  v_reached := CASE kind
    WHEN 'extension' THEN
      'cqs_eval' OPERATOR(pg_catalog.=) ANY (names)
      OR (cascade AND EXISTS (SELECT FROM pg_catalog.pg_extension x
                               WHERE x.oid OPERATOR(pg_catalog.=) ANY (v_required)
                                 AND x.extname::text OPERATOR(pg_catalog.=) ANY (names)))
    WHEN 'schema' THEN
      EXISTS (SELECT FROM pg_catalog.pg_namespace n
               WHERE n.nspname::text OPERATOR(pg_catalog.=) ANY (names)
                 AND (n.oid OPERATOR(pg_catalog.=) v_ext.extnamespace
                      OR (cascade AND n.oid OPERATOR(pg_catalog.=) ANY (
                            SELECT x.extnamespace FROM pg_catalog.pg_extension x
                             WHERE x.oid OPERATOR(pg_catalog.=) ANY (v_required)))))
    WHEN 'owned' THEN
      EXISTS (SELECT FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_roles o ON o.oid OPERATOR(pg_catalog.=) x.extowner
               WHERE (x.oid OPERATOR(pg_catalog.=) v_ext.oid
                      OR (cascade AND x.oid OPERATOR(pg_catalog.=) ANY (v_required)))
                 AND o.rolname::text OPERATOR(pg_catalog.=) ANY (names))
    ELSE false END;
  IF v_ext.oid IS NULL OR NOT v_reached THEN
    RETURN NULL;
  END IF;
  FOR r IN
    SELECT c.oid::pg_catalog.regclass AS rel, coalesce(v_ext.extcondition[i.n], '') AS cond
      FROM pg_catalog.generate_subscripts(v_ext.extconfig, 1) AS i(n)
      JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) v_ext.extconfig[i.n]
     WHERE c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::"char"[])
     ORDER BY c.oid::pg_catalog.regclass::pg_catalog.text
  LOOP
    EXECUTE pg_catalog.format('SELECT EXISTS (SELECT FROM %s %s)', r.rel, r.cond) INTO v_has;
    IF v_has THEN
      v_tables := v_tables OPERATOR(pg_catalog.||) r.rel::pg_catalog.text;
    END IF;
  END LOOP;
  RETURN v_tables;
END
$$;
COMMENT ON FUNCTION cqs._drop_would_delete(text, text[], boolean) IS
  'The record tables (pg_extension_config_dump) holding rows that a DROP of this kind (extension, schema, owned) and these names would delete with cqs_eval; NULL if it does not reach cqs_eval';
REVOKE EXECUTE ON FUNCTION cqs._drop_would_delete(text, text[], boolean) FROM PUBLIC;

CREATE FUNCTION cqs._drop_guard() RETURNS event_trigger
AS 'MODULE_PATHNAME', 'cqs_drop_guard'
LANGUAGE C;
COMMENT ON FUNCTION cqs._drop_guard() IS
  'Event trigger: refuses a DROP that would delete cqs_eval while its record tables hold rows, unless cqs.allow_drop is on (superuser)';

CREATE EVENT TRIGGER cqs_drop_guard ON ddl_command_start
  WHEN TAG IN ('DROP EXTENSION', 'DROP SCHEMA', 'DROP OWNED')
  EXECUTE FUNCTION cqs._drop_guard();
