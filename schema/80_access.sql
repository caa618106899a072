-- Layer 8: row-level security, the audit trail, and the roles' setup.
--
-- Policies are created here, by the install script, so every restore path (which
-- recreates the extension) recreates them exactly; pg_dump does not dump policies of an
-- extension's tables.  They name no role: they read the actor's person and mandates
-- (45_identity.sql), and the group roles made by cqs.setup_roles() only open the doors
-- (table privileges).  The owner's code (SECURITY DEFINER, the owner being a superuser)
-- is not subject to them, so results, leaders' d and grades are still computed over
-- whole organisations.

-- People just recorded, with no posting yet, are visible to every personnel section (so
-- the one recording them can place them).  Who has no posting is kept in a derived table
-- by the writer's triggers (a scan of every person per query would cost the city its
-- pages: 0.3 s at 300,000 people, measured).
CREATE TABLE cqs.unposted_person (person_id bigint PRIMARY KEY);
REVOKE ALL ON cqs.unposted_person FROM PUBLIC;
CREATE FUNCTION cqs._track_unposted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_TABLE_NAME = 'person' AND TG_OP = 'INSERT' THEN
    INSERT INTO cqs.unposted_person SELECT n.person_id FROM new_rows n
     WHERE NOT EXISTS (SELECT 1 FROM cqs.posting ps WHERE ps.person_id = n.person_id)
    ON CONFLICT DO NOTHING;
  ELSIF TG_TABLE_NAME = 'person' AND TG_OP = 'DELETE' THEN
    DELETE FROM cqs.unposted_person u USING old_rows o WHERE u.person_id = o.person_id;
  ELSIF TG_OP IN ('INSERT', 'UPDATE') THEN       -- a posting: its person is placed
    DELETE FROM cqs.unposted_person u USING new_rows n WHERE u.person_id = n.person_id;
    IF TG_OP = 'UPDATE' THEN
      INSERT INTO cqs.unposted_person SELECT DISTINCT o.person_id FROM old_rows o
       WHERE NOT EXISTS (SELECT 1 FROM cqs.posting ps WHERE ps.person_id = o.person_id)
         AND EXISTS (SELECT 1 FROM cqs.person pe WHERE pe.person_id = o.person_id)
      ON CONFLICT DO NOTHING;
    END IF;
  ELSE                                            -- postings deleted: people left without one
    INSERT INTO cqs.unposted_person SELECT DISTINCT o.person_id FROM old_rows o
     WHERE NOT EXISTS (SELECT 1 FROM cqs.posting ps WHERE ps.person_id = o.person_id)
       AND EXISTS (SELECT 1 FROM cqs.person pe WHERE pe.person_id = o.person_id)
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER person_unposted_ins AFTER INSERT ON cqs.person REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._track_unposted();
CREATE TRIGGER person_unposted_del AFTER DELETE ON cqs.person REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._track_unposted();
CREATE TRIGGER posting_unposted_ins AFTER INSERT ON cqs.posting REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._track_unposted();
CREATE TRIGGER posting_unposted_upd AFTER UPDATE ON cqs.posting REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._track_unposted();
CREATE TRIGGER posting_unposted_del AFTER DELETE ON cqs.posting REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._track_unposted();
-- (A restore loads people and postings by COPY, which fires these triggers too: the
-- table ends exact whatever the order.)

CREATE FUNCTION cqs._unposted_people() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(array_agg(u.person_id), '{}') FROM cqs.unposted_person u
   WHERE cardinality(cqs._personnel_organisations()) > 0
$$;

-- ---------------------------------------------------------------------------
-- Row-level security.  Each scope is computed once per query (an InitPlan or a hashed
-- subplan), never per row.
-- ---------------------------------------------------------------------------
DO $$
DECLARE
  v_self       text := 'person_id = (SELECT cqs.acting_person())';
  v_seen       text := 'organisation_id IN (SELECT unnest((SELECT cqs._seen_organisations())))';
  v_ident      text := 'organisation_id IN (SELECT unnest((SELECT cqs._identified_organisations())))';
  v_evaluated  text := '(person_id, organisation_id) IN (SELECT e.person_id, e.organisation_id FROM cqs._evaluated() e)';
  v_people     text := 'person_id IN (SELECT unnest((SELECT cqs._identified_people())))';
  v_pers_org   text := 'organisation_id IN (SELECT unnest((SELECT cqs._personnel_organisations())))';
  v_pers_ppl   text := 'person_id IN (SELECT unnest((SELECT cqs._personnel_people())))';
  t            text;
BEGIN
  -- Results and assessments: the person, those who evaluate them, and every mandate over
  -- the organisation (analysts read results; the assessment's comments are withheld from
  -- them by column privileges, names by the people table's policy).
  FOREACH t IN ARRAY ARRAY['period_result', 'locked_result', 'year_result', 'grade_decision', 'assessment',
                           'imported_total'] LOOP
    EXECUTE format('ALTER TABLE cqs.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON cqs.%I FOR SELECT USING (%s OR %s OR %s)',
                   t || '_read', t, v_self, v_seen, v_evaluated);
  END LOOP;
  -- Postings and task lines identify people and their work: not for analysts unless
  -- identified.  The personnel section manages both; heads assign their units' tasks.
  FOREACH t IN ARRAY ARRAY['posting', 'task_line'] LOOP
    EXECUTE format('ALTER TABLE cqs.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON cqs.%I FOR SELECT USING (%s OR %s OR %s)',
                   t || '_read', t, v_self, v_ident, v_evaluated);
    EXECUTE format('CREATE POLICY %I ON cqs.%I FOR INSERT WITH CHECK (%s%s)', t || '_insert', t, v_pers_org,
                   CASE t WHEN 'task_line' THEN ' OR ' || v_evaluated ELSE '' END);
    EXECUTE format('CREATE POLICY %1$I ON cqs.%2$I FOR UPDATE USING (%3$s%4$s) WITH CHECK (%3$s%4$s)', t || '_update', t,
                   v_pers_org, CASE t WHEN 'task_line' THEN ' OR ' || v_evaluated ELSE '' END);
    EXECUTE format('CREATE POLICY %I ON cqs.%I FOR DELETE USING (%s%s)', t || '_delete', t, v_pers_org,
                   CASE t WHEN 'task_line' THEN ' OR ' || v_evaluated ELSE '' END);
  END LOOP;
  -- Failures and delays of a task line: whoever reads the line reads them; whoever may
  -- change the line records them (the same rules, on the line's columns).
  ALTER TABLE cqs.task_deduction ENABLE ROW LEVEL SECURITY;
  CREATE POLICY task_deduction_read ON cqs.task_deduction FOR SELECT
    USING (task_line_id IN (SELECT t.task_line_id FROM cqs.task_line t));
  EXECUTE format('CREATE POLICY task_deduction_insert ON cqs.task_deduction FOR INSERT WITH CHECK '
                 '(task_line_id IN (SELECT t.task_line_id FROM cqs.task_line t WHERE %s OR %s))', v_pers_org, v_evaluated);
  EXECUTE format('CREATE POLICY task_deduction_update ON cqs.task_deduction FOR UPDATE USING '
                 '(task_line_id IN (SELECT t.task_line_id FROM cqs.task_line t WHERE %1$s OR %2$s)) WITH CHECK '
                 '(task_line_id IN (SELECT t.task_line_id FROM cqs.task_line t WHERE %1$s OR %2$s))', v_pers_org, v_evaluated);
  EXECUTE format('CREATE POLICY task_deduction_delete ON cqs.task_deduction FOR DELETE USING '
                 '(task_line_id IN (SELECT t.task_line_id FROM cqs.task_line t WHERE %s OR %s))', v_pers_org, v_evaluated);
  -- Records of a person: the person, those who evaluate them, identified mandates; the
  -- personnel section manages leave, discipline, overrides and the year's procedure.
  FOREACH t IN ARRAY ARRAY['person', 'leave_record', 'discipline', 'year_override', 'year_grading', 'quota_choice',
                           'complaint'] LOOP
    EXECUTE format('ALTER TABLE cqs.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON cqs.%I FOR SELECT USING (%s OR %s%s)', t || '_read', t, v_self, v_people,
                   CASE t WHEN 'person' THEN
                     ' OR person_id IN (SELECT unnest((SELECT cqs._unposted_people())))' ELSE '' END);
    IF t IN ('leave_record', 'discipline', 'year_override', 'year_grading', 'person') THEN
      EXECUTE format('CREATE POLICY %I ON cqs.%I FOR INSERT WITH CHECK (%s)', t || '_insert', t,
                     CASE t WHEN 'person' THEN 'cardinality((SELECT cqs._personnel_organisations())) > 0'
                            ELSE v_pers_ppl END);
      EXECUTE format('CREATE POLICY %1$I ON cqs.%2$I FOR UPDATE USING (%3$s) WITH CHECK (%3$s)', t || '_update', t,
                     CASE t WHEN 'person' THEN v_pers_ppl || ' OR person_id IN (SELECT unnest((SELECT cqs._unposted_people())))'
                            ELSE v_pers_ppl END);
      EXECUTE format('CREATE POLICY %I ON cqs.%I FOR DELETE USING (%s)', t || '_delete', t,
                     CASE t WHEN 'person' THEN v_pers_ppl || ' OR person_id IN (SELECT unnest((SELECT cqs._unposted_people())))'
                            ELSE v_pers_ppl END);
    END IF;
  END LOOP;
  -- Imported totals: the personnel section of the organisation they were notified in.
  EXECUTE format('CREATE POLICY imported_total_insert ON cqs.imported_total FOR INSERT WITH CHECK (%s)', v_pers_org);
  EXECUTE format('CREATE POLICY imported_total_update ON cqs.imported_total FOR UPDATE USING (%1$s) WITH CHECK (%1$s)', v_pers_org);
  EXECUTE format('CREATE POLICY imported_total_delete ON cqs.imported_total FOR DELETE USING (%s)', v_pers_org);
  -- The 25% decisions (Art. 8.5.b, 20.5.b): everyone reads them; an authority records
  -- them for its own subtree only.
  ALTER TABLE cqs.quota_decision ENABLE ROW LEVEL SECURITY;
  CREATE POLICY quota_decision_read ON cqs.quota_decision FOR SELECT USING (true);
  CREATE POLICY quota_decision_insert ON cqs.quota_decision FOR INSERT
    WITH CHECK (organisation_id IN (SELECT unnest((SELECT cqs._authority_organisations()))));
  -- An organisation's year: everyone reads it; its personnel section enters the facts.
  ALTER TABLE cqs.organisation_year ENABLE ROW LEVEL SECURITY;
  CREATE POLICY organisation_year_read ON cqs.organisation_year FOR SELECT USING (true);
  EXECUTE format('CREATE POLICY organisation_year_insert ON cqs.organisation_year FOR INSERT WITH CHECK (%s)', v_pers_org);
  EXECUTE format('CREATE POLICY organisation_year_update ON cqs.organisation_year FOR UPDATE USING (%1$s) WITH CHECK (%1$s)',
                 v_pers_org);
END $$;

-- Taking work in (72_ingest.sql): a source, its mappings, queue and batches are read by
-- its connector login, the personnel section of its organisation (and above) and the
-- administrators; the mappings are reviewed by the latter two.  The connector writes
-- only through cqs.ingest_tasks (owner's rights).
CREATE FUNCTION cqs._ingest_sources(reviewing boolean) RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
  SELECT coalesce(array_agg(s.source), '{}')
    FROM cqs.ingest_source s
   WHERE cqs._is_admin()
      OR (NOT $1 AND s.connector_login = cqs._actor_login())
      OR s.organisation_id = ANY (cqs._personnel_organisations())
$$;
DO $$
DECLARE
  v_mine   text := 'source IN (SELECT unnest((SELECT cqs._ingest_sources(false))))';
  v_review text := 'source IN (SELECT unnest((SELECT cqs._ingest_sources(true))))';
  t        text;
BEGIN
  FOREACH t IN ARRAY ARRAY['ingest_source', 'ingest_cutoff', 'ingest_assignee_map', 'ingest_type_map', 'ingest_task',
                           'ingest_batch'] LOOP
    EXECUTE format('ALTER TABLE cqs.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON cqs.%I FOR SELECT USING (%s)', t || '_read', t, v_mine);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['ingest_assignee_map', 'ingest_type_map'] LOOP
    EXECUTE format('CREATE POLICY %I ON cqs.%I FOR INSERT WITH CHECK (%s)', t || '_insert', t, v_review);
    EXECUTE format('CREATE POLICY %1$I ON cqs.%2$I FOR UPDATE USING (%3$s) WITH CHECK (%3$s)', t || '_update', t, v_review);
    EXECUTE format('CREATE POLICY %I ON cqs.%I FOR DELETE USING (%s)', t || '_delete', t, v_review);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['ingest_source', 'ingest_cutoff'] LOOP
    EXECUTE format('CREATE POLICY %I ON cqs.%I FOR ALL USING ((SELECT cqs._is_admin())) WITH CHECK ((SELECT cqs._is_admin()))',
                   t || '_admin', t);
  END LOOP;
END $$;

-- ---------------------------------------------------------------------------
-- Decisions stay as they were made (Art. 21.3, 22): a grading decision changes only to
-- record its notification and publication, once; a complaint only until it is resolved;
-- neither is deleted (a correction is a re-grading, a withdrawal is an outcome).
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs._decisions_kept() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_old jsonb := to_jsonb(OLD);
  v_new jsonb := CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(NEW) END;
BEGIN
  IF TG_TABLE_NAME = 'grade_decision' AND TG_OP = 'UPDATE'
     AND v_new - 'notified_at' - 'published_at' = v_old - 'notified_at' - 'published_at'
     AND (v_old ->> 'notified_at' IS NULL OR v_new -> 'notified_at' = v_old -> 'notified_at')
     AND (v_old ->> 'published_at' IS NULL OR v_new -> 'published_at' = v_old -> 'published_at') THEN
    RETURN NEW;
  END IF;
  IF TG_TABLE_NAME = 'complaint' AND TG_OP = 'UPDATE' AND v_old ->> 'outcome' IS NULL THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% on cqs.% refused: decisions and resolved complaints are kept as they were made', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'object_not_in_prerequisite_state',
          HINT = 'Art. 21.3: a correction is a new decision (cqs.regrade); a complaint is resolved once (cqs.resolve_complaint).';
END $$;
CREATE TRIGGER grade_decision_kept BEFORE UPDATE OR DELETE ON cqs.grade_decision
  FOR EACH ROW EXECUTE FUNCTION cqs._decisions_kept();
CREATE TRIGGER complaint_kept BEFORE UPDATE OR DELETE ON cqs.complaint
  FOR EACH ROW EXECUTE FUNCTION cqs._decisions_kept();

-- A login linked to a person must exist (its name is what the database records).
CREATE FUNCTION cqs._check_person_login() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF cqs._loading_records() THEN
    RETURN NEW;                       -- a restore: roles are restored separately (pg_dumpall --roles-only)
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = NEW.login) THEN
    RAISE EXCEPTION 'no login role %', NEW.login
      USING ERRCODE = 'invalid_parameter_value', HINT = 'CREATE ROLE ... LOGIN first, then link it to the person.';
  END IF;
  IF cqs._in_group(NEW.login, 'cqs_portal') THEN
    RAISE EXCEPTION 'login % is a portal login (cqs_portal): it acts for people with cqs.act_as, it is not one', NEW.login
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER person_login_check BEFORE INSERT OR UPDATE ON cqs.person_login
  FOR EACH ROW EXECUTE FUNCTION cqs._check_person_login();

-- ---------------------------------------------------------------------------
-- The audit trail.  One statement trigger per record table writes one row per changed
-- record (UPDATE: the columns that changed, before and after).  A restore's COPY is not
-- a change and is not logged again.
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs._audit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_login  text;
  v_person bigint;
  v_reason text;
BEGIN
  IF cqs._loading_records() THEN
    RETURN NULL;
  END IF;
  v_login := cqs._actor_login();
  v_person := cqs.acting_person();
  v_reason := nullif(current_setting('cqs.audit_reason', true), '');
  IF TG_OP = 'INSERT' THEN
    INSERT INTO cqs.audit_log (login, acting_person, table_name, operation, row_key, person_id, period, new_values, reason)
    SELECT v_login, v_person, TG_TABLE_NAME, TG_OP, cqs._audit_key(x.j, TG_ARGV), (x.j ->> 'person_id')::bigint,
           cqs._audit_period(x.j), x.j, v_reason
      FROM (SELECT to_jsonb(n) AS j FROM new_rows n) x;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO cqs.audit_log (login, acting_person, table_name, operation, row_key, person_id, period, old_values, reason)
    SELECT v_login, v_person, TG_TABLE_NAME, TG_OP, cqs._audit_key(x.j, TG_ARGV), (x.j ->> 'person_id')::bigint,
           cqs._audit_period(x.j), x.j, v_reason
      FROM (SELECT to_jsonb(o) AS j FROM old_rows o) x;
  ELSE
    INSERT INTO cqs.audit_log (login, acting_person, table_name, operation, row_key, person_id, period,
                               old_values, new_values, reason)
    SELECT v_login, v_person, TG_TABLE_NAME, TG_OP, coalesce(o.k, n.k),
           (coalesce(n.j, o.j) ->> 'person_id')::bigint, cqs._audit_period(coalesce(n.j, o.j)),
           CASE WHEN n.j IS NULL THEN o.j WHEN o.j IS NULL THEN NULL
                ELSE (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(o.j) e WHERE n.j -> e.key IS DISTINCT FROM e.value) END,
           CASE WHEN o.j IS NULL THEN n.j WHEN n.j IS NULL THEN NULL
                ELSE (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(n.j) e WHERE o.j -> e.key IS DISTINCT FROM e.value) END,
           v_reason
      FROM (SELECT x.j, cqs._audit_key(x.j, TG_ARGV) AS k FROM (SELECT to_jsonb(r) AS j FROM old_rows r) x) o
      FULL JOIN (SELECT x.j, cqs._audit_key(x.j, TG_ARGV) AS k FROM (SELECT to_jsonb(r) AS j FROM new_rows r) x) n
        ON n.k = o.k
     WHERE o.j IS DISTINCT FROM n.j;
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION cqs._audit_key(j jsonb, keys text[]) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (SELECT pg_catalog.jsonb_object_agg(k.k, j -> k.k) FROM unnest(keys) AS k(k));

CREATE FUNCTION cqs._audit_period(j jsonb) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN j ? 'period' THEN (j ->> 'period')::date
            WHEN j ? 'year' THEN pg_catalog.make_date((j ->> 'year')::integer, 1, 1) END;

DO $$
DECLARE
  t      text;
  v_keys text;
BEGIN
  FOREACH t IN ARRAY ARRAY['criteria_set', 'criteria_item', 'organisation', 'person', 'posting', 'catalogue',
                           'catalogue_item', 'task_line', 'task_deduction', 'assessment', 'organisation_criteria', 'organisation_year',
                           'quota_decision', 'leave_record', 'discipline', 'year_override', 'public_holiday',
                           'year_grading', 'quota_choice', 'grade_decision', 'complaint', 'bonus_regulation',
                           'period_lock', 'person_login', 'mandate', 'delegation', 'imported_total',
                           'ingest_source', 'ingest_cutoff', 'ingest_assignee_map', 'ingest_type_map'] LOOP
    SELECT string_agg(format('%L', a.attname), ', ' ORDER BY array_position(i.indkey::int2[], a.attnum))
      INTO v_keys
      FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
     WHERE i.indrelid = format('cqs.%I', t)::regclass AND i.indisprimary;
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON cqs.%I REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION cqs._audit(%s)', t || '_audit_ins', t, v_keys);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON cqs.%I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION cqs._audit(%s)', t || '_audit_upd', t, v_keys);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON cqs.%I REFERENCING OLD TABLE AS old_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION cqs._audit(%s)', t || '_audit_del', t, v_keys);
  END LOOP;
END $$;

-- Append-only: nobody updates or deletes the trail; the retention procedure
-- (cqs.purge_audit) is the one exception, and it leaves a record of itself.
CREATE FUNCTION cqs._audit_log_kept() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('cqs.purging_audit', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '% on cqs.audit_log refused: the audit trail is append-only', TG_OP
    USING ERRCODE = 'object_not_in_prerequisite_state',
          HINT = 'HB ch. VIII: entries are kept; old ones leave only through cqs.purge_audit(), which is logged.';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON cqs.audit_log
  FOR EACH ROW EXECUTE FUNCTION cqs._audit_log_kept();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON cqs.audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._audit_log_kept();

ALTER TABLE cqs.audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_log_read ON cqs.audit_log FOR SELECT
  USING ((SELECT cqs._is_admin()) OR person_id = (SELECT cqs.acting_person())
         OR person_id IN (SELECT unnest((SELECT cqs._identified_people()))));

-- The retention procedure: entries older than the cut-off (at least a year old, so the
-- current grading year and its complaints stay) are deleted, and the deletion itself is
-- logged with its reason.  Owner only (revoked from PUBLIC, granted to nobody).
CREATE FUNCTION cqs.purge_audit(older_than timestamptz, reason text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_n bigint;
BEGIN
  IF older_than IS NULL OR older_than > now() - interval '1 year' THEN
    RAISE EXCEPTION 'audit entries are kept at least a year; % is too recent', older_than
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Choose a cut-off at least one year ago (the city''s retention rule may ask for more).';
  END IF;
  IF reason IS NULL OR length(btrim(reason)) = 0 THEN
    RAISE EXCEPTION 'purging the audit trail needs a reason' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM set_config('cqs.purging_audit', 'on', true);
  DELETE FROM cqs.audit_log a WHERE a.at < older_than;
  GET DIAGNOSTICS v_n = ROW_COUNT;
  PERFORM set_config('cqs.purging_audit', 'off', true);
  INSERT INTO cqs.audit_log (login, acting_person, table_name, operation, row_key, new_values, reason)
  VALUES (cqs._actor_login(), cqs.acting_person(), 'audit_log', 'DELETE', jsonb_build_object('older_than', older_than),
          jsonb_build_object('entries_deleted', v_n), reason);
  RETURN v_n;
END $$;
COMMENT ON FUNCTION cqs.purge_audit(timestamptz, text) IS
  'Retention: delete audit entries older than a cut-off (at least a year ago), with a reason; the purge is itself logged';

CREATE VIEW cqs.audit_trail WITH (security_invoker = true) AS
SELECT a.audit_id, a.at, a.login, a.acting_person, ap.personnel_id AS acting_personnel_id,
       a.table_name, a.operation, a.row_key, a.person_id, p.personnel_id, a.period,
       a.old_values, a.new_values, a.reason, a.xact_id
  FROM cqs.audit_log a
  LEFT JOIN cqs.person p ON p.person_id = a.person_id
  LEFT JOIN cqs.person ap ON ap.person_id = a.acting_person;
COMMENT ON VIEW cqs.audit_trail IS
  'Art. 24, HB ch. VIII: who changed what, when, as whom, from which values to which, and why (nhật ký thay đổi)';

-- Every public view runs with the rights of whoever queries it, so row-level security
-- applies through it exactly as on the tables.
DO $$
DECLARE
  v regclass;
BEGIN
  FOR v IN SELECT c.oid FROM pg_class c WHERE c.relnamespace = 'cqs'::regnamespace AND c.relkind = 'v'
              AND c.relname <> 'refresh_status' LOOP
    EXECUTE format('ALTER VIEW %s SET (security_invoker = true)', v);
  END LOOP;
END $$;

-- ---------------------------------------------------------------------------
-- The group roles (roles belong to the cluster, so the install script makes none).
-- cqs.setup_roles() creates the missing ones as NOLOGIN and grants each its rights;
-- run it again at any time (after an upgrade, on a restored cluster): it changes only
-- what is missing.  Logins are then made members:  GRANT cqs_servant TO nva;
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs.setup_roles()
RETURNS TABLE (role_name text, created boolean, purpose text)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET client_min_messages = warning AS $$
DECLARE
  r         record;
  v_config  text := 'cqs.organisation, cqs.organisation_policy, cqs.organisation_closure, cqs.criteria_set, '
                    'cqs.criteria_item, cqs.catalogue, cqs.catalogue_item, cqs.organisation_criteria, '
                    'cqs.public_holiday, cqs.period_lock, cqs.bonus_regulation, cqs.organisation_year, '
                    'cqs.stale_month, cqs.refresh_queue, cqs.quota_decision, cqs.delegation, cqs.message_text';
  v_results text := 'cqs.period_result, cqs.locked_result, cqs.year_result, cqs.grade_decision, cqs.imported_total';
  v_people  text := 'cqs.person, cqs.posting, cqs.task_line, cqs.task_deduction, cqs.assessment, cqs.leave_record, cqs.discipline, '
                    'cqs.year_override, cqs.year_grading, cqs.quota_choice, cqs.complaint';
  v_views   text;
BEGIN
  SELECT string_agg(c.oid::regclass::text, ', ' ORDER BY c.relname) INTO v_views
    FROM pg_class c WHERE c.relnamespace = 'cqs'::regnamespace AND c.relkind = 'v' AND c.relname <> 'audit_trail'
     AND c.relname NOT LIKE 'ingest\_%';
  FOR r IN SELECT * FROM (VALUES
      ('cqs_servant',   'civil servants (công chức): their own results, Form 01 and 02, complaints'),
      ('cqs_evaluator', 'leaders (người đánh giá): confirm, leader terms, their units'' task lines'),
      ('cqs_personnel', 'personnel sections (bộ phận tổ chức cán bộ): records of their agency''s subtree, locking periods'),
      ('cqs_authority', 'grading authorities (cấp có thẩm quyền): decisions, quota, organisations, complaints, reopening'),
      ('cqs_analyst',   'analysts: results and distributions, pseudonymous unless the mandate is identified'),
      ('cqs_portal',    'portals: act for the person they authenticated (cqs.act_as), with that person''s rights'),
      ('cqs_jobs',      'scheduled jobs (pg_cron): refresh queue, rebuild, the year''s grading, closing months, the outbox''s transport'),
      ('cqs_admin',     'the extension''s administrators: organisations, catalogues, mandates, logins, the audit trail'),
      ('cqs_ingest',    'connectors of document-management systems: send task batches to their own source, read its queue'))
      AS v(role_name, purpose) LOOP
    role_name := r.role_name;
    purpose := r.purpose;
    created := NOT EXISTS (SELECT 1 FROM pg_roles x WHERE x.rolname = r.role_name);
    IF created THEN
      EXECUTE format('CREATE ROLE %I NOLOGIN', r.role_name);
    END IF;
    EXECUTE format('COMMENT ON ROLE %I IS %L', r.role_name, 'cqs_eval: ' || r.purpose);
    EXECUTE format('GRANT USAGE ON SCHEMA cqs TO %I', r.role_name);
    RETURN NEXT;
  END LOOP;

  -- Readers: everyone who reads reads through row-level security.
  EXECUTE format('GRANT SELECT ON %s, %s, %s, %s TO cqs_servant, cqs_evaluator, cqs_personnel, cqs_authority',
                 v_config, v_results, v_people, v_views);
  EXECUTE format('GRANT SELECT ON %s, %s, %s TO cqs_analyst', v_config, v_results, v_views);
  -- Analysts: the tables that identify people open (the views read them), their rows only
  -- through identified mandates; assessments without the comments.
  GRANT SELECT ON cqs.person, cqs.posting, cqs.task_line, cqs.task_deduction, cqs.leave_record, cqs.discipline, cqs.year_override,
                  cqs.year_grading, cqs.quota_choice, cqs.complaint TO cqs_analyst;
  GRANT SELECT (person_id, period, organisation_id, criteria_set_id, self_scores, evaluator_scores, self_total,
                evaluator_total, evaluator_id, dd, e, support_quality, support_compliance, support_efficiency,
                status, self_assessed_at, confirmed_at, locked_at) ON cqs.assessment TO cqs_analyst;
  -- The procedure, each step by whoever the decree names (the functions check who acts).
  GRANT EXECUTE ON FUNCTION cqs.self_assess(bigint, date, numeric[], text, text),
                            cqs.propose_grade(bigint, integer, cqs.grade),
                            cqs.file_complaint(bigint, text, date),
                            cqs.file_period_complaint(bigint, date, text, date) TO cqs_servant, cqs_personnel;
  GRANT EXECUTE ON FUNCTION cqs.confirm(bigint, date, numeric[], text),
                            cqs.set_leader_terms(bigint, date, numeric, text, numeric, text) TO cqs_evaluator;
  -- Task lines: every column a person enters (deductions_recorded is the extension's).
  GRANT INSERT (person_id, organisation_id, period, item_id, similar_item_id, title, coefficient, assigned_qty,
                deadline, completed_qty, completed_on, quality_failures, late_occurrences, origin, external_source,
                external_id),
        UPDATE (person_id, organisation_id, period, item_id, similar_item_id, title, coefficient, assigned_qty,
                deadline, completed_qty, completed_on, quality_failures, late_occurrences, origin, external_source,
                external_id),
        DELETE ON cqs.task_line TO cqs_evaluator, cqs_personnel;
  GRANT INSERT (task_line_id, kind, concerned_qty, days_late, noted_on, description, exemption_reference),
        UPDATE (task_line_id, kind, concerned_qty, days_late, noted_on, description, exemption_reference),
        DELETE ON cqs.task_deduction TO cqs_evaluator, cqs_personnel;
  GRANT INSERT, UPDATE, DELETE ON cqs.person, cqs.posting, cqs.leave_record, cqs.discipline, cqs.year_override,
                                  cqs.year_grading, cqs.imported_total TO cqs_personnel;
  GRANT INSERT (organisation_id, year, criteria_code, general_scores, task_scores, tasks_assigned, tasks_completed,
                tasks_on_time, tasks_exceeded, tasks_late, planned_tasks, planned_tasks_done, shortcomings_fixed,
                violation_concluded, violation_note, force_majeure, self_proposed_grade),
        UPDATE (criteria_code, general_scores, task_scores, tasks_assigned, tasks_completed, tasks_on_time,
                tasks_exceeded, tasks_late, planned_tasks, planned_tasks_done, shortcomings_fixed, violation_concluded,
                violation_note, force_majeure, self_proposed_grade) ON cqs.organisation_year TO cqs_personnel;
  GRANT EXECUTE ON FUNCTION cqs.lock_period(bigint, date, text, boolean) TO cqs_personnel;
  GRANT EXECUTE ON FUNCTION cqs.decide_grade(bigint, integer, cqs.grade, text, text, text),
                            cqs.regrade(bigint, integer, cqs.grade, text, text, text),
                            cqs.choose_quota(bigint, integer, boolean, text),
                            cqs.decide_organisation_grade(bigint, integer, cqs.grade, text, text),
                            cqs.resolve_complaint(bigint, text, text, date),
                            cqs.reopen_period(bigint, date, text) TO cqs_authority;
  GRANT INSERT ON cqs.quota_decision TO cqs_authority;
  GRANT EXECUTE ON FUNCTION cqs.bonus_allocation(bigint, text, numeric) TO cqs_personnel, cqs_authority;
  -- Documents (65_documents.sql): forms for whoever may read the person (the function
  -- checks, row-level security picks the rows); the public notice for those who publish
  -- it; the organisation sheet and the analyst's report for mandates over the organisation.
  GRANT EXECUTE ON FUNCTION cqs.form01_html(bigint, date), cqs.form02_html(bigint, integer)
     TO cqs_servant, cqs_evaluator, cqs_personnel, cqs_authority;
  GRANT EXECUTE ON FUNCTION cqs.publication_list_html(bigint, integer) TO cqs_personnel, cqs_authority;
  GRANT EXECUTE ON FUNCTION cqs.organisation_sheet_html(bigint, integer)
     TO cqs_evaluator, cqs_personnel, cqs_authority, cqs_analyst;
  GRANT EXECUTE ON FUNCTION cqs.analyst_report_html(bigint, integer) TO cqs_analyst, cqs_personnel, cqs_authority;
  -- A portal holds every door a person may need; the person's postings and mandates
  -- decide which rows and which steps.
  GRANT cqs_servant, cqs_evaluator, cqs_personnel, cqs_authority TO cqs_portal;
  GRANT EXECUTE ON FUNCTION cqs.act_as(bigint), cqs.act_as(text) TO cqs_portal;
  -- Jobs compute; they read no personal data.
  GRANT SELECT ON cqs.refresh_status TO cqs_jobs;
  GRANT EXECUTE ON PROCEDURE cqs.process_queue(integer, integer) TO cqs_jobs;
  GRANT EXECUTE ON FUNCTION cqs._drain_batch(integer), cqs.rebuild(date, date), cqs.grade_year(integer),
                            cqs.grade_organisations(integer) TO cqs_jobs;
  -- Administrators: the configuration, who is who, the audit trail; they run jobs too.
  GRANT SELECT, INSERT, UPDATE, DELETE ON cqs.organisation, cqs.criteria_set, cqs.criteria_item, cqs.catalogue,
                                          cqs.catalogue_item, cqs.organisation_criteria, cqs.public_holiday,
                                          cqs.bonus_regulation, cqs.person_login, cqs.mandate, cqs.delegation
     TO cqs_admin;
  EXECUTE format('GRANT SELECT ON %s, %s, cqs.audit_log, cqs.audit_trail TO cqs_admin', v_config, v_views);
  GRANT SELECT ON cqs.person TO cqs_admin;     -- the audit trail's names (row-level security still applies)
  GRANT EXECUTE ON FUNCTION cqs.import_catalogue(bigint, text, date, text, numeric, integer, text) TO cqs_admin;
  -- The CSV loaders (70_import.sql) write with the caller's rights: the organisation tree
  -- for administrators, people, postings, leave, discipline and earlier totals for the
  -- personnel section, task lines for it and for the heads who assign them.
  GRANT EXECUTE ON FUNCTION cqs.load_csv(text, text, boolean), cqs.csv_problems(text, text)
     TO cqs_admin, cqs_personnel, cqs_evaluator;
  GRANT EXECUTE ON FUNCTION cqs._personnel_ids_taken(text[]) TO cqs_personnel;
  GRANT cqs_jobs TO cqs_admin;
  -- Whoever may read a person's records may read their audit entries.
  GRANT SELECT ON cqs.audit_log, cqs.audit_trail TO cqs_servant, cqs_personnel, cqs_authority, cqs_evaluator;
  -- The national-database outbox and the jobs (75_operations.sql): outbox items are read
  -- like results (not by analysts: they carry the personal identification number);
  -- batches carry no personal data.  The jobs login -- and the province's transport, a
  -- login in cqs_jobs -- batches, exports and acknowledges, runs and schedules the jobs.
  GRANT SELECT ON cqs.outbox TO cqs_servant, cqs_evaluator, cqs_personnel, cqs_authority;
  GRANT SELECT ON cqs.outbox_batch TO cqs_servant, cqs_evaluator, cqs_personnel, cqs_authority, cqs_analyst, cqs_jobs;
  GRANT SELECT ON cqs.job_run, cqs.job_step, cqs.job_runs TO cqs_jobs;
  GRANT EXECUTE ON PROCEDURE cqs.run_job(text) TO cqs_jobs;
  GRANT EXECUTE ON FUNCTION cqs._job_start(text), cqs._job_step(bigint, integer), cqs._job_finish(bigint),
                            cqs.outbox_prepare(integer), cqs.outbox_next_batch(integer, interval), cqs.outbox_json(bigint),
                            cqs.outbox_csv(bigint), cqs.outbox_acknowledge(bigint, text), cqs.outbox_release(bigint, text),
                            cqs.schedule_jobs(text, jsonb), cqs.unschedule_jobs(), cqs._cron_problem(name) TO cqs_jobs;
  -- Taking work in (72_ingest.sql): a connector sends batches to its own source (the
  -- functions check which login is the source's connector) and reads its source's queue
  -- and mappings, nothing else -- no personal records, no task lines.  The personnel
  -- section of a source's organisation and the administrators review the mappings
  -- (row-level security picks the sources) and retry the queue.
  GRANT SELECT ON cqs.ingest_source, cqs.ingest_cutoff, cqs.ingest_assignee_map, cqs.ingest_type_map, cqs.ingest_task,
                  cqs.ingest_batch, cqs.ingest_queue, cqs.ingest_unmapped
     TO cqs_ingest, cqs_personnel, cqs_admin;
  GRANT SELECT ON cqs.ingest_provenance TO cqs_personnel;   -- it reads task lines
  GRANT EXECUTE ON FUNCTION cqs.ingest_tasks(text, jsonb), cqs.ingest_tasks_csv(text, text) TO cqs_ingest, cqs_admin;
  GRANT EXECUTE ON FUNCTION cqs.ingest_retry(text, boolean) TO cqs_ingest, cqs_personnel, cqs_admin;
  GRANT INSERT (source, external_assignee, person_id, seen_label, note),
        UPDATE (person_id, note), DELETE ON cqs.ingest_assignee_map TO cqs_personnel, cqs_admin;
  GRANT INSERT (source, external_type, item_code, off_catalogue, coefficient, origin, seen_label, note),
        UPDATE (item_code, off_catalogue, coefficient, origin, note), DELETE ON cqs.ingest_type_map TO cqs_personnel, cqs_admin;
  GRANT INSERT, UPDATE, DELETE ON cqs.ingest_source, cqs.ingest_cutoff TO cqs_admin;
END $$;
COMMENT ON FUNCTION cqs.setup_roles() IS
  'Create (if missing) the NOLOGIN group roles cqs_servant, cqs_evaluator, cqs_personnel, cqs_authority, cqs_analyst, cqs_portal, cqs_jobs, cqs_admin, cqs_ingest and grant each its rights; idempotent';
