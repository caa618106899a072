-- Layer 5: maintenance -- the refresh queue, the one writer of results, rebuilds and
-- the year's grading.  Owner-rights code: search_path pinned, every object qualified.
--
-- How results stay current.  Records (10_records.sql) carry statement triggers that
-- only note which people and months changed.  What happens next is the refresh mode,
-- the setting cqs.refresh_mode (per session, role or database):
--   sync  (default)  the writer recomputes them before the statement ends, so results
--                    are current when the writing transaction commits;
--   async            they wait in cqs.refresh_queue until CALL cqs.process_queue();
--   off              whole months are marked stale (bulk loads; administrators only)
--                    until cqs.rebuild().
-- Results are written by one writer, cqs._write_results() (or cqs.rebuild() for whole
-- months), with the owner's rights, under transaction-scoped advisory locks taken in
-- one global order, so that concurrent writers serialise exactly where they must:
--   1. year locks: shared by writers of a year's months, exclusive for lock_period,
--      reopen_period, rebuild and grade_year (key 1: 2^28 + the year, key 2: 0);
--   2. person locks: one writer per person at a time (key 1: 2^29, key 2: person_id);
--   3. leader locks: whoever may change the d of an organisation's leaders in a period
--      (key 1: 3 x 2^28 + months since 2000-01, key 2: organisation_id).
-- Within each class the keys are taken in ascending order, the classes in this order.

-- A restore loading records: a superuser's COPY, which is how pg_dump's plain and
-- custom formats and pg_restore (serial or parallel) load data.  The rows were checked
-- when they were first written; checks that read other tables (locks, catalogue ranges)
-- cannot hold while tables are loaded one by one.  No setting a client can change is
-- involved, and non-superusers are always checked.
CREATE FUNCTION cqs._loading_records() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = session_user), false)
     AND pg_catalog.current_query() ~* '^(\s|--[^\n]*\n)*copy\s'
$$;

-- The refresh mode in force (see above); an unknown value is an error, not a default.
-- off is honoured only for a login (session user) that may run cqs.rebuild().
CREATE FUNCTION cqs.refresh_mode() RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_mode text := coalesce(nullif(current_setting('cqs.refresh_mode', true), ''), 'sync');
BEGIN
  IF v_mode NOT IN ('sync', 'async', 'off') THEN
    RAISE EXCEPTION 'cqs.refresh_mode must be sync, async or off, got "%"', v_mode
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF v_mode = 'off' AND NOT pg_catalog.has_function_privilege(session_user, 'cqs.rebuild(date, date)', 'EXECUTE') THEN
    RAISE EXCEPTION 'cqs.refresh_mode = off is for bulk loads by whoever may run cqs.rebuild(); % may not', session_user
      USING ERRCODE = 'insufficient_privilege', HINT = 'Use sync or async.';
  END IF;
  RETURN v_mode;
END $$;
COMMENT ON FUNCTION cqs.refresh_mode() IS
  'The refresh mode in force: sync (results current at commit), async (queued for cqs.process_queue()) or off (months marked stale until cqs.rebuild(); administrators only)';

-- Take advisory locks (key1, key2) in ascending order: the one order every writer follows.
CREATE FUNCTION cqs._take_locks(key1 integer[], key2 integer[], exclusive boolean) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v record;
BEGIN
  FOR v IN SELECT DISTINCT t.k1, t.k2 FROM unnest(key1, key2) AS t(k1, k2) WHERE t.k1 IS NOT NULL ORDER BY 1, 2 LOOP
    IF exclusive THEN
      PERFORM pg_catalog.pg_advisory_xact_lock(v.k1, v.k2);
    ELSE
      PERFORM pg_catalog.pg_advisory_xact_lock_shared(v.k1, v.k2);
    END IF;
  END LOOP;
END $$;

-- Class 1: year locks, for the years of the given months (shared for writers,
-- exclusive to close, reopen, rebuild or grade months).  A year, not a month: a
-- transaction that edits February and then January would otherwise hold February's
-- lock while waiting for January's, against a rebuild holding January and waiting for
-- February -- a deadlock.  Closing a month therefore pauses that year's edits city-wide
-- for the moments it takes.
CREATE FUNCTION cqs._lock_years(months date[], exclusive boolean DEFAULT false) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp
RETURN cqs._take_locks(ARRAY(SELECT 268435456 + date_part('year', m)::integer FROM unnest(months) AS m),
                       ARRAY(SELECT 0 FROM unnest(months) AS m), exclusive);

-- A record's check waits for any lock_period() of its year before it reads locks.
CREATE FUNCTION cqs._wait_for_year(months date[]) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp
RETURN cqs._lock_years(months, false);

-- Class 2: one writer per person.
CREATE FUNCTION cqs._lock_people(persons bigint[]) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp
RETURN cqs._take_locks(ARRAY(SELECT 536870912 FROM unnest(persons) AS p),
                       ARRAY(SELECT (p % 2147483647)::integer FROM unnest(persons) AS p), true);

-- Class 3: the leaders of these organisations in these periods.
CREATE FUNCTION cqs._lock_leaders(orgs bigint[], periods date[]) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp
RETURN cqs._take_locks(ARRAY(SELECT 805306368 + cqs._month_index(t.p) FROM unnest(orgs, periods) AS t(o, p)),
                       ARRAY(SELECT (t.o % 2147483647)::integer FROM unnest(orgs, periods) AS t(o, p)), true);

-- Leaders' d (Art. 15.3) applied to the stored results: the leaders of the given
-- organisations in the given periods (organisations NULL: every leader of the periods).
-- Their task score, total and grade follow; their year results turn stale if d moved.
CREATE FUNCTION cqs._apply_leaders_d(orgs bigint[], periods date[]) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_n bigint;
BEGIN
  WITH k AS MATERIALIZED (             -- the (organisation, period) pairs whose leaders to look at
    SELECT o.organisation_id AS org, p.period FROM cqs.organisation_policy o, unnest(periods) AS p(period)
     WHERE orgs IS NULL
    UNION
    SELECT t.org, t.period FROM unnest(orgs, periods) AS t(org, period) WHERE orgs IS NOT NULL
  ), l AS MATERIALIZED (
    SELECT r.person_id, r.period, r.d AS old_d, x.d,
           cqs.leader_task_score(r.a, r.b, r.c, x.d, r.dd, r.e, r.cap_mode) AS task_score
      FROM k
      JOIN cqs.period_result r ON r.period = k.period AND r.organisation_id = k.org AND r.role <> 'staff'
      CROSS JOIN LATERAL (SELECT cqs._leader_d(r.person_id, r.period, r.organisation_id, r.role, r.field) AS d) x
     WHERE r.person_kind = 'civil_servant' AND r.lock_id IS NULL
  ), u AS (
    UPDATE cqs.period_result r
       SET d = l.d,
           task_score = l.task_score,
           total = cqs.period_total(r.general_score, l.task_score, r.decimals),
           grade = cqs.classify(cqs.period_total(r.general_score, l.task_score, r.decimals))
      FROM l
     WHERE r.person_id = l.person_id AND r.period = l.period AND l.d IS DISTINCT FROM l.old_d
    RETURNING r.person_id, r.period
  ), s AS (
    UPDATE cqs.year_result y SET stale = true
      FROM u WHERE y.person_id = u.person_id AND y.year = date_part('year', u.period) AND NOT y.stale
  )
  SELECT count(*) INTO v_n FROM u;
  RETURN v_n;
END $$;

-- The one writer for a few people: recompute the results of the periods holding the
-- given (person, month) pairs, under the locks above.  Owner's rights; not callable by
-- clients (the record triggers and the maintenance procedures call it).
CREATE FUNCTION cqs._write_results(persons bigint[], months date[]) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
  v_new   cqs.period_result[];
  v_old   cqs.period_result[];
  v_orgs  bigint[];
  v_pers  date[];
BEGIN
  IF coalesce(cardinality(persons), 0) = 0 THEN
    RETURN 0;
  END IF;
  PERFORM cqs._lock_years(months, false);
  PERFORM cqs._lock_people(persons);
  -- From here on every statement sees what the writers before us committed.
  v_new := ARRAY(SELECT r FROM cqs._compute_results(persons, months) AS r);
  v_old := ARRAY(SELECT r FROM cqs.period_result AS r
                  WHERE r.person_id = ANY (persons) AND r.lock_id IS NULL
                    AND EXISTS (SELECT 1 FROM unnest(persons, months) AS t(person_id, month)
                                 WHERE t.person_id = r.person_id AND t.month >= r.period
                                   AND t.month < cqs.period_end(r.period, r.period_kind)));

  -- Whose d may move (Art. 15.3): the leaders above anyone who crossed 50 or moved while
  -- under 50, and the leaders among these people.  Their organisations' leader locks.
  WITH n AS (SELECT * FROM unnest(v_new)), o AS (SELECT * FROM unnest(v_old)),
  j AS (
    SELECT coalesce(n.period, o.period) AS period, n.organisation_id AS n_org, o.organisation_id AS o_org,
           n.role AS n_role,
           coalesce(n.person_kind = 'civil_servant' AND n.base_total < 50, false) AS n_low,
           coalesce(o.person_kind = 'civil_servant' AND o.base_total < 50, false) AS o_low,
           (n.organisation_id, n.role, n.field, n.person_kind) IS DISTINCT FROM
           (o.organisation_id, o.role, o.field, o.person_kind) AS moved
      FROM n FULL JOIN o ON o.person_id = n.person_id AND o.period = n.period
  ), k AS (
    SELECT t.ancestor_id AS org, j.period
      FROM j JOIN cqs.organisation_tree t ON t.descendant_id IN (j.n_org, j.o_org)
     WHERE j.n_low <> j.o_low OR ((j.n_low OR j.o_low) AND j.moved)
    UNION
    SELECT j.n_org, j.period FROM j WHERE j.n_role IN ('head', 'deputy')
  )
  SELECT array_agg(k.org), array_agg(k.period) INTO v_orgs, v_pers FROM k;
  PERFORM cqs._lock_leaders(v_orgs, v_pers);

  DELETE FROM cqs.period_result r
   USING unnest(v_old) AS o
   WHERE r.person_id = o.person_id AND r.period = o.period AND r.lock_id IS NULL;
  DELETE FROM cqs.period_result r       -- a key that moved into another period
   USING unnest(v_new) AS n
   WHERE r.person_id = n.person_id AND r.period = n.period AND r.lock_id IS NULL;
  INSERT INTO cqs.period_result SELECT * FROM unnest(v_new);
  IF v_orgs IS NOT NULL THEN
    PERFORM cqs._apply_leaders_d(v_orgs, v_pers);
  END IF;
  UPDATE cqs.year_result y SET stale = true
   WHERE y.person_id = ANY (persons) AND NOT y.stale
     AND y.year IN (SELECT DISTINCT date_part('year', m)::integer FROM unnest(months) AS m);
  RETURN cardinality(v_new);
END $$;
COMMENT ON FUNCTION cqs._write_results(bigint[], date[]) IS
  'The one writer of period results for a few people (Art. 12-17): recomputes the periods holding the given (person, month) pairs under advisory locks; owner''s rights';

-- Recompute whole months from scratch (widened to whole quarters): every open result
-- recomputed, every locked one copied back from its record; a year graded on results
-- that changed turns stale.  NULL bounds: every month
-- that has records or stale marks.  Takes the months' exclusive locks: edits of those
-- months wait for it.
CREATE FUNCTION cqs.rebuild(from_month date DEFAULT NULL, to_month date DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET plan_cache_mode = force_custom_plan SET client_min_messages = warning AS $$
DECLARE
  v_months date[];
  v_n      bigint;
BEGIN
  PERFORM cqs._check_version();
  IF NOT (cqs._sane_day(from_month) AND cqs._sane_day(to_month)) OR from_month > to_month THEN
    RAISE EXCEPTION 'cannot rebuild from % to %', from_month, to_month
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Give months between 2000-01 and 2100-12, in order.';
  END IF;
  -- The months: every quarter from the first to the last month asked for (default: the
  -- first and last month holding any record, result or stale mark).
  SELECT array_agg(m::date ORDER BY m)
    INTO v_months
    FROM (SELECT coalesce(from_month, least((SELECT min(tl.period) FROM cqs.task_line tl),
                                            (SELECT min(a.period) FROM cqs.assessment a),
                                            (SELECT min(r.period) FROM cqs.period_result r),
                                            (SELECT min(s.month) FROM cqs.stale_month s),
                                            (SELECT min(q.month) FROM cqs.refresh_queue q))) AS lo,
                 coalesce(to_month, greatest((SELECT max(tl.period) FROM cqs.task_line tl),
                                             (SELECT max(a.period) FROM cqs.assessment a),
                                             (SELECT max(r.period) FROM cqs.period_result r),
                                             (SELECT max(s.month) FROM cqs.stale_month s),
                                             (SELECT max(q.month) FROM cqs.refresh_queue q))) AS hi) b,
         generate_series(date_trunc('quarter', b.lo::timestamp without time zone),
                         date_trunc('quarter', b.hi::timestamp without time zone) + interval '2 months',
                         interval '1 month') AS m;
  IF v_months IS NULL THEN
    RETURN 0;
  END IF;
  PERFORM cqs._lock_years(v_months, true);

  DELETE FROM cqs.period_result r WHERE r.period = ANY (v_months) AND r.lock_id IS NULL;
  INSERT INTO cqs.period_result SELECT * FROM cqs._compute_all(v_months);
  GET DIAGNOSTICS v_n = ROW_COUNT;
  INSERT INTO cqs.period_result          -- locked results, where they are missing (after a restore)
  SELECT lr.* FROM cqs.locked_result lr JOIN cqs.period_lock pl ON pl.lock_id = lr.lock_id AND pl.reopened_at IS NULL
   WHERE lr.period = ANY (v_months)
     AND NOT EXISTS (SELECT 1 FROM cqs.period_result r WHERE r.person_id = lr.person_id AND r.period = lr.period);
  PERFORM cqs._apply_leaders_d(NULL, v_months);
  -- A year graded on totals that are now different turns stale.
  UPDATE cqs.year_result y SET stale = true
    FROM (SELECT DISTINCT y2.person_id, y2.year
            FROM cqs.year_result y2
            JOIN unnest(v_months) AS m(month) ON date_part('year', m.month) = y2.year
            LEFT JOIN cqs.period_result r ON r.person_id = y2.person_id AND r.period = m.month
           WHERE NOT y2.stale
             AND (y2.period_totals ->> m.month::text)::numeric IS DISTINCT FROM r.total) c
   WHERE y.person_id = c.person_id AND y.year = c.year;
  DELETE FROM cqs.refresh_queue q WHERE q.month = ANY (v_months);
  DELETE FROM cqs.stale_month s WHERE s.month = ANY (v_months);
  RETURN v_n;
END $$;
COMMENT ON FUNCTION cqs.rebuild(date, date) IS
  'Recompute every result of whole months (widened to quarters; default: every month with records) from the records; locked results are copied back from cqs.locked_result exactly';

-- cqs._compute_results for whole months through PL/pgSQL's RETURN QUERY, which may run
-- in parallel (partial task_ratios aggregation); an INSERT ... SELECT never would.
CREATE FUNCTION cqs._compute_all(months date[]) RETURNS SETOF cqs.period_result
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp SET plan_cache_mode = force_custom_plan
SET jit = off AS $$
BEGIN
  RETURN QUERY SELECT * FROM cqs._compute_results(NULL, months);
END $$;

-- Records changed: what the refresh mode says (see the top of this file).  Many
-- people at once in sync mode (a policy change, a bulk statement) rebuild whole months.
CREATE FUNCTION cqs._results_changed(persons bigint[], months date[], why text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_mode text;
BEGIN
  IF coalesce(cardinality(persons), 0) = 0 THEN
    RETURN;
  END IF;
  v_mode := CASE WHEN cqs._loading_records() THEN 'off' ELSE cqs.refresh_mode() END;
  IF v_mode = 'sync' AND cardinality(persons) > 20000 THEN
    PERFORM cqs.rebuild(min(m), max(m)) FROM unnest(months) AS m;
  ELSIF v_mode = 'sync' THEN
    PERFORM cqs._write_results(persons, months);
  ELSIF v_mode = 'async' THEN
    INSERT INTO cqs.refresh_queue AS q (person_id, month)
    SELECT DISTINCT t.p, t.m FROM unnest(persons, months) AS t(p, m)
    ON CONFLICT (person_id, month) DO NOTHING;
  ELSE
    INSERT INTO cqs.stale_month AS s (month, why)
    SELECT DISTINCT m, why FROM unnest(months) AS m
    ON CONFLICT (month) DO NOTHING;
  END IF;
END $$;

-- Task lines and assessments changed: the (person, month) pairs they touch.  Task lines
-- are checked first (Art. 13-14): the coefficient lies in the item's range (HB ch. II)
-- and a locked period refuses every change (55000; assessments check their own lock in
-- cqs._check_assessment).  Then results follow.  Owner's rights: the caller needs no
-- right on results.
CREATE FUNCTION cqs._records_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_bad     record;
  v_persons bigint[];
  v_months  date[];
BEGIN
  IF TG_TABLE_NAME = 'task_line' THEN
    -- a task line touches the month it counts in (cqs._counted_month: December lines due
    -- after 14/12 count in January)
    IF TG_OP = 'INSERT' THEN
      SELECT array_agg(x.person_id), array_agg(x.period) INTO v_persons, v_months
        FROM (SELECT DISTINCT n.person_id, cqs._counted_month(n.period, n.deadline, pol.cadence = 'quarterly',
                                                               o.special_deadline) AS period
                FROM new_rows n
                LEFT JOIN cqs.organisation_policy pol ON pol.organisation_id = n.organisation_id
                LEFT JOIN cqs.organisation o ON o.organisation_id = n.organisation_id) x;
    ELSIF TG_OP = 'DELETE' THEN
      SELECT array_agg(x.person_id), array_agg(x.period) INTO v_persons, v_months
        FROM (SELECT DISTINCT r.person_id, cqs._counted_month(r.period, r.deadline, pol.cadence = 'quarterly',
                                                               o.special_deadline) AS period
                FROM old_rows r
                LEFT JOIN cqs.organisation_policy pol ON pol.organisation_id = r.organisation_id
                LEFT JOIN cqs.organisation o ON o.organisation_id = r.organisation_id) x;
    ELSE
      SELECT array_agg(x.person_id), array_agg(x.period) INTO v_persons, v_months
        FROM (SELECT DISTINCT r.person_id, cqs._counted_month(r.period, r.deadline, pol.cadence = 'quarterly',
                                                               o.special_deadline) AS period
                FROM (SELECT n.person_id, n.period, n.deadline, n.organisation_id FROM new_rows n
                      UNION SELECT d.person_id, d.period, d.deadline, d.organisation_id FROM old_rows d) r
                LEFT JOIN cqs.organisation_policy pol ON pol.organisation_id = r.organisation_id
                LEFT JOIN cqs.organisation o ON o.organisation_id = r.organisation_id) x;
    END IF;
  ELSIF TG_OP = 'INSERT' THEN
    SELECT array_agg(n.person_id), array_agg(n.period) INTO v_persons, v_months FROM new_rows n;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(o.person_id), array_agg(o.period) INTO v_persons, v_months FROM old_rows o;
  ELSE
    SELECT array_agg(x.person_id), array_agg(x.period) INTO v_persons, v_months
      FROM (SELECT n.person_id, n.period FROM new_rows n UNION SELECT o.person_id, o.period FROM old_rows o) x;
  END IF;
  IF TG_TABLE_NAME = 'task_line' AND NOT cqs._loading_records() THEN
    IF TG_OP <> 'DELETE' THEN
      -- Art. 13: the item comes from a catalogue version in force for the line's
      -- organisation (cqs.catalogue_in_force) on some day of the line's month.
      WITH combos AS (
        SELECT DISTINCT n.organisation_id, n.period, i.catalogue_id
          FROM new_rows n JOIN cqs.catalogue_item i ON i.item_id = coalesce(n.item_id, n.similar_item_id)
      ), bad AS (
        SELECT x.* FROM combos x
         WHERE x.catalogue_id IS DISTINCT FROM cqs.catalogue_in_force(x.organisation_id, x.period)
           AND x.catalogue_id IS DISTINCT FROM cqs.catalogue_in_force(x.organisation_id, (x.period + interval '1 month - 1 day')::date)
           AND NOT EXISTS (SELECT 1 FROM cqs.catalogue c
                            WHERE c.catalogue_id = x.catalogue_id
                              AND c.effective_from > x.period AND c.effective_from < x.period + interval '1 month'
                              AND cqs.catalogue_in_force(x.organisation_id, c.effective_from) = c.catalogue_id)
         LIMIT 1
      )
      SELECT n.task_line_id, i.code, c.version, c.organisation_id AS catalogue_org, n.organisation_id,
             pol.using_agency_id, n.period, cqs.catalogue_in_force(n.organisation_id, n.period) AS in_force INTO v_bad
        FROM bad
        JOIN new_rows n ON n.organisation_id = bad.organisation_id AND n.period = bad.period
        JOIN cqs.catalogue_item i ON i.item_id = coalesce(n.item_id, n.similar_item_id) AND i.catalogue_id = bad.catalogue_id
        JOIN cqs.catalogue c ON c.catalogue_id = bad.catalogue_id
        LEFT JOIN cqs.organisation_policy pol ON pol.organisation_id = n.organisation_id
       LIMIT 1;
      IF FOUND THEN
        RAISE EXCEPTION 'task line %: item % of catalogue % (organisation %) is not in the catalogue in force for organisation % in %',
                        v_bad.task_line_id, v_bad.code, v_bad.version, v_bad.catalogue_org, v_bad.organisation_id,
                        to_char(v_bad.period, 'YYYY-MM')
          USING ERRCODE = 'check_violation', CONSTRAINT = 'task_line_item_in_force',
                DETAIL = format('The using agency of organisation %s is %s; the catalogue in force there on %s is %s.',
                                v_bad.organisation_id, coalesce(v_bad.using_agency_id::text, 'not set'), v_bad.period,
                                coalesce((SELECT c.version || ' (organisation ' || c.organisation_id || ')'
                                            FROM cqs.catalogue c WHERE c.catalogue_id = v_bad.in_force), 'none')),
                HINT = 'Art. 13: tasks are priced from the catalogue of the person''s using agency in force that month (cqs.catalogue_in_force); an off-catalogue task takes a similar item of that catalogue (Art. 13.3).';
      END IF;
      SELECT n.task_line_id, n.coefficient, i.code, i.coefficient_low, i.coefficient_high INTO v_bad
        FROM new_rows n JOIN cqs.catalogue_item i ON i.item_id = coalesce(n.item_id, n.similar_item_id)
       WHERE n.coefficient < i.coefficient_low OR n.coefficient > i.coefficient_high
       LIMIT 1;
      IF FOUND THEN
        RAISE EXCEPTION 'task line %: coefficient % is outside item %''s range % to %',
                        v_bad.task_line_id, v_bad.coefficient, v_bad.code, v_bad.coefficient_low, v_bad.coefficient_high
          USING ERRCODE = 'check_violation', CONSTRAINT = 'task_line_coefficient_in_item_range',
                HINT = 'The coefficient is fixed at assignment within the catalogue item''s points range (HB ch. II).';
      END IF;
    END IF;
    PERFORM cqs._wait_for_year(v_months);
    SELECT t.p AS person_id, t.m AS period, cqs._active_lock(t.p, t.m) AS lock_id INTO v_bad
      FROM unnest(v_persons, v_months) AS t(p, m)
     WHERE cqs._active_lock(t.p, t.m) IS NOT NULL
     LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'period % of person % is locked (lock %); its task lines cannot change',
                      v_bad.period, v_bad.person_id, v_bad.lock_id
        USING ERRCODE = 'object_not_in_prerequisite_state',
              HINT = 'Locked results are final; cqs.reopen_period() reopens a period, with a reason (Art. 21.3).';
    END IF;
  END IF;
  PERFORM cqs._results_changed(v_persons, v_months, TG_TABLE_NAME || ' changed');
  RETURN NULL;
END $$;
CREATE TRIGGER task_line_changed_ins AFTER INSERT ON cqs.task_line
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._records_changed();
CREATE TRIGGER task_line_changed_upd AFTER UPDATE ON cqs.task_line
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._records_changed();
CREATE TRIGGER task_line_changed_del AFTER DELETE ON cqs.task_line
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._records_changed();

-- Failures and delays recorded one by one (Art. 14.2.b-c).  An exemption records who
-- entered it and when, by the database; the reference names the authority's
-- confirmation.  The line's count is kept here, and the update of the line runs its
-- own checks (its lock: 55000) and refreshes its results.
CREATE FUNCTION cqs._deduction_stamp() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF cqs._loading_records() THEN
    RETURN NEW;
  END IF;
  IF NEW.exemption_reference IS NULL THEN
    NEW.exempted_by := NULL;
    NEW.exempted_by_person := NULL;
    NEW.exempted_at := NULL;
  ELSIF TG_OP = 'INSERT' OR NEW.exemption_reference IS DISTINCT FROM OLD.exemption_reference THEN
    NEW.exempted_by := cqs._actor_login();
    NEW.exempted_by_person := cqs.acting_person();
    NEW.exempted_at := now();
  ELSE
    NEW.exempted_by := OLD.exempted_by;
    NEW.exempted_by_person := OLD.exempted_by_person;
    NEW.exempted_at := OLD.exempted_at;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER task_deduction_stamp BEFORE INSERT OR UPDATE ON cqs.task_deduction
  FOR EACH ROW EXECUTE FUNCTION cqs._deduction_stamp();

CREATE FUNCTION cqs._deductions_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_lines bigint[];
  v_bad   record;
BEGIN
  IF cqs._loading_records() THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(DISTINCT n.task_line_id) INTO v_lines FROM new_rows n;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(DISTINCT o.task_line_id) INTO v_lines FROM old_rows o;
  ELSE
    SELECT array_agg(DISTINCT x.task_line_id) INTO v_lines
      FROM (SELECT n.task_line_id FROM new_rows n UNION SELECT o.task_line_id FROM old_rows o) x;
  END IF;
  -- a delay recorded one by one replaces the delay count of the line: not both
  SELECT t.task_line_id, t.late_occurrences INTO v_bad
    FROM cqs.task_line t
   WHERE t.task_line_id = ANY (v_lines) AND t.late_occurrences IS NOT NULL
     AND EXISTS (SELECT 1 FROM cqs.task_deduction d WHERE d.task_line_id = t.task_line_id AND d.kind = 'lateness')
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'task line % counts % delay(s) in late_occurrences and records delays one by one',
                    v_bad.task_line_id, v_bad.late_occurrences
      USING ERRCODE = 'check_violation', CONSTRAINT = 'task_deduction_delays_one_way',
            HINT = 'Record a line''s delays either as its late_occurrences or one by one in cqs.task_deduction (set late_occurrences to NULL) (Art. 14.2.c).';
  END IF;
  UPDATE cqs.task_line t
     SET deductions_recorded = (SELECT count(*) FROM cqs.task_deduction d WHERE d.task_line_id = t.task_line_id)
   WHERE t.task_line_id = ANY (v_lines);
  RETURN NULL;
END $$;
CREATE TRIGGER task_deduction_changed_ins AFTER INSERT ON cqs.task_deduction
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._deductions_changed();
CREATE TRIGGER task_deduction_changed_upd AFTER UPDATE ON cqs.task_deduction
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._deductions_changed();
CREATE TRIGGER task_deduction_changed_del AFTER DELETE ON cqs.task_deduction
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._deductions_changed();

-- Postings and people changed: a posting decides a result's organisation and role
-- (Art. 10), a person's kind how they are scored, so every month of that person with
-- records or results is touched.
CREATE FUNCTION cqs._people_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_persons bigint[];
  v_months  date[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT array_agg(n.person_id) INTO v_persons FROM new_rows n;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT array_agg(o.person_id) INTO v_persons FROM old_rows o;
  ELSIF TG_TABLE_NAME = 'person' THEN  -- only a change of kind changes how they are scored
    SELECT array_agg(n.person_id) INTO v_persons
      FROM new_rows n JOIN old_rows o USING (person_id) WHERE n.kind IS DISTINCT FROM o.kind;
  ELSE
    SELECT array_agg(x.person_id) INTO v_persons
      FROM (SELECT n.person_id FROM new_rows n UNION SELECT o.person_id FROM old_rows o) x;
  END IF;
  SELECT array_agg(x.person_id), array_agg(x.month) INTO v_persons, v_months
    FROM (SELECT tl.person_id, tl.period AS month FROM cqs.task_line tl WHERE tl.person_id = ANY (v_persons)
          UNION SELECT a.person_id, a.period FROM cqs.assessment a WHERE a.person_id = ANY (v_persons)
          UNION SELECT r.person_id, r.period FROM cqs.period_result r WHERE r.person_id = ANY (v_persons)) x;
  PERFORM cqs._results_changed(v_persons, v_months, TG_TABLE_NAME || ' changed');
  RETURN NULL;
END $$;
CREATE TRIGGER assessment_changed_ins AFTER INSERT ON cqs.assessment
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._records_changed();
CREATE TRIGGER assessment_changed_upd AFTER UPDATE ON cqs.assessment
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._records_changed();
CREATE TRIGGER assessment_changed_del AFTER DELETE ON cqs.assessment
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._records_changed();
CREATE TRIGGER posting_changed_ins AFTER INSERT ON cqs.posting
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._people_changed();
CREATE TRIGGER posting_changed_upd AFTER UPDATE ON cqs.posting
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._people_changed();
CREATE TRIGGER posting_changed_del AFTER DELETE ON cqs.posting
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._people_changed();
CREATE TRIGGER person_kind_changed AFTER UPDATE ON cqs.person
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._people_changed();

-- Organisations changed: the derived tree (policies and ancestor pairs) is rewritten
-- under its own advisory lock (taken before any year lock; after it, every statement
-- sees the committed tree), and the open results below an organisation whose policies or
-- parent changed follow (DOMAIN.md sections 3-4).  Restores too rebuild the tree.
CREATE FUNCTION cqs._organisations_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_persons bigint[];
  v_months  date[];
  v_orgs    bigint[];
BEGIN
  IF TG_OP = 'UPDATE' THEN            -- where the results will move: the old tree's subtrees
    SELECT array_agg(DISTINCT t.descendant_id) INTO v_orgs
      FROM new_rows n JOIN old_rows o USING (organisation_id)
      JOIN cqs.organisation_closure t ON t.ancestor_id = n.organisation_id
     WHERE (n.parent_id, n.cadence, n.lateness_mode, n.cap_mode, n.decimals, n.criteria_set_id, n.field)
           IS DISTINCT FROM (o.parent_id, o.cadence, o.lateness_mode, o.cap_mode, o.decimals, o.criteria_set_id, o.field);
  END IF;
  PERFORM pg_catalog.pg_advisory_xact_lock(134217728, 0);
  DELETE FROM cqs.organisation_policy;
  INSERT INTO cqs.organisation_policy SELECT * FROM cqs._computed_organisation_policies();
  DELETE FROM cqs.organisation_closure;
  INSERT INTO cqs.organisation_closure SELECT * FROM cqs._computed_organisation_tree();
  IF v_orgs IS NOT NULL THEN
    SELECT array_agg(x.person_id), array_agg(x.month) INTO v_persons, v_months
      FROM (SELECT r.person_id, r.period AS month FROM cqs.period_result r
             WHERE r.organisation_id = ANY (v_orgs) AND r.lock_id IS NULL
            UNION SELECT tl.person_id, tl.period FROM cqs.task_line tl WHERE tl.organisation_id = ANY (v_orgs)) x;
    PERFORM cqs._results_changed(v_persons, v_months, 'organisation policies changed');
  END IF;
  IF TG_OP = 'UPDATE' THEN            -- a division assigned to another field: the deputies above (Art. 15.4)
    SELECT array_agg(x.org), array_agg(x.period) INTO v_orgs, v_months
      FROM (SELECT DISTINCT t.ancestor_id AS org, r.period
              FROM new_rows n JOIN old_rows o USING (organisation_id)
              JOIN cqs.organisation_closure sub ON sub.ancestor_id = n.organisation_id
              JOIN cqs.period_result r ON r.organisation_id = sub.descendant_id
              JOIN cqs.organisation_closure t ON t.descendant_id = n.organisation_id AND t.distance >= 1
             WHERE n.field IS DISTINCT FROM o.field) x;
    IF v_orgs IS NOT NULL THEN
      PERFORM cqs._lock_leaders(v_orgs, v_months);
      PERFORM cqs._apply_leaders_d(v_orgs, v_months);
    END IF;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER organisation_changed_ins AFTER INSERT ON cqs.organisation
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._organisations_changed();
CREATE TRIGGER organisation_changed_upd AFTER UPDATE ON cqs.organisation
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cqs._organisations_changed();
CREATE TRIGGER organisation_changed_del AFTER DELETE ON cqs.organisation
  FOR EACH STATEMENT EXECUTE FUNCTION cqs._organisations_changed();

-- Async mode: drain the queue, one batch per transaction (for pg_cron).  Returns when
-- the queue is empty or max_batches were done; stale months are rebuilt one quarter per
-- transaction.  Concurrent runs share the work (SKIP LOCKED) and never lose a row:
-- a batch leaves the queue only in the transaction that recomputed it.
CREATE FUNCTION cqs._drain_batch(batch_size integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_persons bigint[];
  v_months  date[];
  v_month   date;
BEGIN
  IF batch_size IS NULL OR batch_size < 1 OR batch_size > 100000 THEN
    RAISE EXCEPTION 'batch_size must be between 1 and 100000, got %', batch_size
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT s.month INTO v_month FROM cqs.stale_month s ORDER BY s.month LIMIT 1 FOR UPDATE SKIP LOCKED;
  IF FOUND THEN
    RETURN cqs.rebuild(v_month, v_month);
  END IF;
  WITH b AS (
    SELECT q.person_id, q.month FROM cqs.refresh_queue q
     ORDER BY q.enqueued_at, q.person_id, q.month LIMIT batch_size FOR UPDATE SKIP LOCKED
  ), d AS (
    DELETE FROM cqs.refresh_queue q USING b WHERE q.person_id = b.person_id AND q.month = b.month
    RETURNING q.person_id, q.month
  )
  SELECT array_agg(d.person_id), array_agg(d.month) INTO v_persons, v_months FROM d;
  IF v_persons IS NULL THEN
    RETURN -1;                        -- nothing left
  END IF;
  PERFORM cqs._write_results(v_persons, v_months);
  RETURN cardinality(v_persons);
END $$;

-- A procedure that COMMITs cannot carry a SET clause (PostgreSQL forbids it), so it
-- pins search_path itself in every transaction it runs and qualifies every operator.
CREATE PROCEDURE cqs.process_queue(batch_size integer DEFAULT 1000, max_batches integer DEFAULT NULL)
LANGUAGE plpgsql AS $$
DECLARE
  v_done integer := 0;
  v_path text := pg_catalog.current_setting('search_path');
BEGIN
  PERFORM cqs._check_version();
  LOOP
    SET LOCAL search_path = pg_catalog, pg_temp;
    EXIT WHEN max_batches IS NOT NULL AND v_done OPERATOR(pg_catalog.>=) max_batches;
    EXIT WHEN cqs._drain_batch(batch_size) OPERATOR(pg_catalog.<) 0;
    v_done := v_done OPERATOR(pg_catalog.+) 1;
    COMMIT;
  END LOOP;
  -- The caller's search_path back: the SET LOCAL above outlives the call when the last
  -- batch did not commit (an empty queue, or a call inside a transaction block).
  PERFORM pg_catalog.set_config('search_path', v_path, true);
END $$;
COMMENT ON PROCEDURE cqs.process_queue(integer, integer) IS
  'Async refresh: recompute the queued people and months in batches, committing after each (for pg_cron); stale months are rebuilt one at a time';

-- What is waiting: portals show results as stale while their person and month wait.
CREATE VIEW cqs.refresh_status AS
SELECT cqs.refresh_mode() AS mode,
       (SELECT count(*) FROM cqs.refresh_queue) AS queued,
       (SELECT min(q.enqueued_at) FROM cqs.refresh_queue q) AS oldest_queued_at,
       (SELECT array_agg(s.month ORDER BY s.month) FROM cqs.stale_month s) AS stale_months;
COMMENT ON VIEW cqs.refresh_status IS
  'The refresh mode, how many person-months wait in the queue and since when, and the months stale as a whole';

-- Grade every organisation of a year, lower units before upper ones (Art. 9.1), then
-- propose the Art. 8.5 quota among the organisations each authority (the parent) recognises.
CREATE FUNCTION cqs.grade_organisations(year integer)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
  v_depth integer;
  v_n     bigint := 0;
  v_row   cqs.organisation_year;
  v_g     record;
BEGIN
  FOR v_depth IN SELECT DISTINCT p.depth FROM cqs.organisation_policies p ORDER BY 1 DESC LOOP
    FOR v_row IN
      SELECT oy.*
        FROM cqs.organisation_year oy
        JOIN cqs.organisation_policies p USING (organisation_id)
       WHERE oy.year = grade_organisations.year AND p.depth = v_depth
    LOOP
      -- Lower units are graded already (Art. 9.1): the worst of them, and those still
      -- awaiting the authority (a parent cannot be xuat_sac before them, Art. 8.1.b).
      SELECT * INTO v_g FROM cqs.organisation_grade(v_row,
        (SELECT min(coalesce(c.decided_grade, c.computed_grade))
           FROM cqs.organisation_year c JOIN cqs.organisation o ON o.organisation_id = c.organisation_id
          WHERE o.parent_id = v_row.organisation_id AND c.year = v_row.year),
        (SELECT string_agg(o.code, ', ' ORDER BY o.code)
           FROM cqs.organisation_year c JOIN cqs.organisation o ON o.organisation_id = c.organisation_id
          WHERE o.parent_id = v_row.organisation_id AND c.year = v_row.year
            AND coalesce(c.decided_grade, c.computed_grade) IS NULL));
      UPDATE cqs.organisation_year oy
         SET computed_grade = v_g.grade, needs_decision_reason = v_g.needs_decision, quota_outcome = NULL
       WHERE oy.organisation_id = v_row.organisation_id AND oy.year = v_row.year;
      v_n := v_n + 1;
    END LOOP;
  END LOOP;

  -- Art. 8.5: per recognising authority, xuat_sac <= rate x tot, counting the grades the
  -- authority decided (in the decree's gaps) as well as the computed ones.
  WITH g AS (
    SELECT oy.organisation_id, o.parent_id,
           cqs._array_sum(oy.general_scores) + cqs._array_sum(oy.task_scores) AS score,
           coalesce(oy.decided_grade, oy.computed_grade) AS computed_grade
      FROM cqs.organisation_year oy JOIN cqs.organisation o USING (organisation_id)
     WHERE oy.year = grade_organisations.year
  ), k AS (
    SELECT parent_id,
           cqs.excellent_quota((count(*) FILTER (WHERE computed_grade = 'tot'))::integer,
                               (count(*) FILTER (WHERE computed_grade = 'xuat_sac'))::integer,
                               coalesce((SELECT max(d.rate) FROM cqs.quota_decision d
                                          WHERE d.organisation_id = g.parent_id AND d.year = grade_organisations.year
                                            AND NOT d.for_people), 0.20)) AS k
      FROM g GROUP BY parent_id
  ), ranked AS (
    SELECT g.organisation_id, g.score, k.k,
           rank() OVER w AS rnk, count(*) OVER (PARTITION BY g.parent_id, g.score) AS same_score,
           rank() OVER w + count(*) OVER (PARTITION BY g.parent_id, g.score) - 1 AS last_rank
      FROM g JOIN k ON k.parent_id IS NOT DISTINCT FROM g.parent_id
     WHERE g.computed_grade = 'xuat_sac'
    WINDOW w AS (PARTITION BY g.parent_id ORDER BY g.score DESC)
  )
  UPDATE cqs.organisation_year oy
     SET quota_outcome = CASE WHEN r.last_rank <= r.k THEN 'keeps'
                              WHEN r.rnk > r.k THEN 'loses'
                              ELSE 'tie_at_cutoff' END
    FROM ranked r
   WHERE oy.organisation_id = r.organisation_id AND oy.year = grade_organisations.year;
  RETURN v_n;
END $$;
COMMENT ON FUNCTION cqs.grade_organisations(integer) IS
  'Art. 8-9: grade every organisation of a year, lower units first, and propose the Art. 8.5 quota per recognising authority (ties at the cut-off flagged)';

-- Grade the year: organisations first (Art. 9.1), then every person posted in the year.
-- Set-wise: one statement computes every person's year up to the heads' cap into a work
-- table, written once; a second one applies the quota and writes cqs.year_result.  The
-- postings in force, months, periods and time worked come from joins and aggregates, not
-- from SQL functions called per person or per month (cqs.period_key is called only for
-- someone who was in a monthly organisation and a quarterly one in the year).
CREATE FUNCTION cqs.grade_year(year integer)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET client_min_messages = warning
SET jit = off AS $$
#variable_conflict use_column
DECLARE
  v_first date := make_date(grade_year.year, 1, 1);
  v_last  date := make_date(grade_year.year, 12, 31);
  v_n     bigint;
  v_stale record;
BEGIN
  PERFORM cqs._check_version();
  IF grade_year.year IS NULL OR grade_year.year NOT BETWEEN 2000 AND 2100 THEN
    RAISE EXCEPTION 'year must be between 2000 and 2100, got %', grade_year.year
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- The year's months are closed to writers while it is graded; it is graded only on
  -- current results (the one-writer design: nothing queued or stale in the year).
  PERFORM cqs._lock_years(ARRAY(SELECT m::date FROM generate_series(v_first, v_last, interval '1 month') AS m), true);
  SELECT (SELECT count(*) FROM cqs.refresh_queue q WHERE q.month BETWEEN v_first AND v_last) AS queued,
         (SELECT array_agg(s.month ORDER BY s.month) FROM cqs.stale_month s WHERE s.month BETWEEN v_first AND v_last) AS months
    INTO v_stale;
  IF v_stale.queued > 0 OR v_stale.months IS NOT NULL THEN
    RAISE EXCEPTION 'cannot grade %: results are stale (% person-months queued, stale months %)',
                    grade_year.year, v_stale.queued, coalesce(v_stale.months::text, 'none')
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'CALL cqs.process_queue() (or SELECT cqs.rebuild()) first.';
  END IF;
  PERFORM cqs.grade_organisations(grade_year.year);

  -- A work table of its own, made here with the owner's rights.  pg_temp is the caller's
  -- session's, and the caller may have prepared a table of this name (with triggers or
  -- rules that would run with the owner's rights): whatever is there is dropped first,
  -- and the table is made anew (an object of another kind under the name is an error).
  DROP TABLE IF EXISTS pg_temp._cqs_year;
  CREATE TEMP TABLE _cqs_year (
    person_id bigint PRIMARY KEY, person_kind text, organisation_id bigint, using_agency_id bigint, role text,
    duty_group text, worked interval, months_worked integer, months_counted integer, missing text[],
    mean_total numeric, exact_mean numeric, score_grade cqs.grade, reasons text[], cap_reason text,
    capped cqs.grade, not_graded text, period_totals jsonb) ON COMMIT DROP;

  INSERT INTO _cqs_year
  WITH ps AS (
    -- The postings in force at some point from 1/1 to the special units' deadline (14/01
    -- next year), each with its organisation's cadence and evaluation start, the start of
    -- the person's next posting, and whether any of the person's postings is in a monthly
    -- organisation.
    SELECT p.posting_id, p.person_id, p.organisation_id, p.role, p.start_date, p.end_date,
           pol.cadence, pol.evaluation_start,
           lead(p.start_date) OVER (PARTITION BY p.person_id ORDER BY p.start_date) AS next_start,
           bool_or(pol.cadence = 'monthly') OVER (PARTITION BY p.person_id) AS has_monthly
      FROM cqs.posting p
      JOIN cqs.organisation_policy pol ON pol.organisation_id = p.organisation_id
     WHERE p.start_date <= make_date(grade_year.year + 1, 1, 14) AND (p.end_date IS NULL OR p.end_date >= v_first)
  ), pe AS (
    -- Everyone posted in the year, with the posting in force on the grading deadline (the
    -- latest starting on or before it, as cqs.posting_in_force), the one in force on the
    -- special units' deadline, the one in force in the year; whether they led a unit in the
    -- year; and the days of the year they were posted.
    SELECT ps.person_id,
           max(ps.posting_id) FILTER (WHERE ps.start_date <= make_date(grade_year.year, 12, 14)
                                        AND (ps.next_start IS NULL OR ps.next_start > make_date(grade_year.year, 12, 14)))
             AS at_deadline,
           max(ps.posting_id) FILTER (WHERE ps.next_start IS NULL) AS at_special_deadline,
           max(ps.posting_id) FILTER (WHERE ps.start_date <= v_last AND (ps.next_start IS NULL OR ps.next_start > v_last))
             AS in_year,
           coalesce(bool_or(ps.role IN ('head', 'deputy')) FILTER (WHERE ps.start_date <= v_last), false) AS led_in_year,
           range_agg(daterange(greatest(ps.start_date, v_first), least(coalesce(ps.end_date, v_last), v_last), '[]'))
             FILTER (WHERE ps.start_date <= v_last) AS posted
      FROM ps
     GROUP BY ps.person_id
    HAVING bool_or(ps.start_date <= v_last)
  ), lv AS (
    SELECT lr.person_id, range_agg(daterange(lr.start_date, lr.end_date, '[]')) AS away,
           range_agg(daterange(lr.start_date, lr.end_date, '[]')) FILTER (WHERE lr.kind IN ('sick', 'maternity')) AS sick
      FROM cqs.leave_record lr
     WHERE lr.start_date <= v_last AND lr.end_date >= v_first
     GROUP BY lr.person_id
  ), pm AS NOT MATERIALIZED (
    -- The months worked (posted at some point and not on leave for the whole month), each
    -- with the evaluation period it belongs to (Art. 12, 17.3, 19.1).  The posting in force
    -- in a month is the latest starting: a posting has the months from the one it starts in
    -- (or January) to the one it ends in (or December), up to the month before the one the
    -- person's next posting starts in.  Its organisation's cadence gives the period: in a
    -- monthly organisation the month; in a quarterly one the person's quarter
    -- (cqs.period_key, which looks for postings in monthly organisations: someone who was
    -- never in one in the year has the calendar quarter).  The managing agency's
    -- evaluation_start says whether the month is evaluated under the decree.
    SELECT ps.person_id, m.month,
           CASE WHEN ps.cadence <> 'quarterly' THEN m.month
                WHEN ps.has_monthly THEN cqs.period_key(ps.person_id, m.month, ps.cadence)
                ELSE date_trunc('quarter', m.month::timestamp without time zone)::date END AS period,
           CASE WHEN ps.cadence <> 'quarterly' THEN 'month'
                WHEN ps.has_monthly THEN cqs.period_kind_of(ps.person_id, m.month, ps.cadence)
                ELSE 'quarter' END AS period_kind,
           ps.evaluation_start IS NULL OR m.month >= ps.evaluation_start AS evaluated,
           ps.cadence = 'quarterly' AS quarterly
      FROM ps
      CROSS JOIN LATERAL (
        SELECT g::date AS month
          FROM generate_series(date_trunc('month', greatest(ps.start_date, v_first)),
                               least(coalesce(ps.end_date, v_last), v_last,
                                     (date_trunc('month', ps.next_start) - interval '1 day')::date),
                               interval '1 month') AS g) m
     WHERE ps.start_date <= v_last
       AND NOT EXISTS (SELECT 1 FROM cqs.leave_record l
                        WHERE l.person_id = ps.person_id AND l.start_date <= m.month
                          AND l.end_date >= (m.month + interval '1 month - 1 day')::date)
  ), pp AS (
    -- Per period worked (evaluated under the decree), the months worked in it (only a
    -- quarterly organisation's periods have more than one); a month before the start is its
    -- own period, kept only where the previous system's total was imported.
    SELECT pm.person_id, pm.month AS period, 'month' AS period_kind, pm.evaluated, 1 AS months
      FROM pm
     WHERE NOT (pm.evaluated AND pm.quarterly)
    UNION ALL
    SELECT pm.person_id, pm.period, pm.period_kind, true, count(*)
      FROM pm
     WHERE pm.evaluated AND pm.quarterly
     GROUP BY pm.person_id, pm.period, pm.period_kind
  ), ok AS (
    -- The year's results that count (Art. 17.2-17.3): confirmed by the evaluator, or locked.
    SELECT r.person_id, r.period, r.total
      FROM cqs.period_result r
      LEFT JOIN cqs.assessment a
             ON a.person_id = r.person_id AND a.period = r.period AND a.status IN ('confirmed', 'locked')
     WHERE r.period BETWEEN v_first AND v_last AND r.total IS NOT NULL
       AND (r.lock_id IS NOT NULL OR a.person_id IS NOT NULL)
  ), s AS (
    -- The year's score on complete, confirmed periods only: every period worked must have
    -- a result that counts (or a total imported from the previous system).  Otherwise the
    -- year is incomplete: the periods are listed and no grade is proposed.  The mean weighs
    -- each period by the months worked in it (a quarter worked one month weighs one).  The
    -- totals it reads are kept with the year (period_totals): a later change turns the year
    -- stale.
    SELECT w.person_id, sum(w.months)::integer AS months_worked,
           (count(*) FILTER (WHERE w.total IS NOT NULL))::integer AS counted,
           coalesce(array_agg(CASE w.period_kind WHEN 'quarter' THEN to_char(w.period, 'YYYY-"Q"Q')
                                                 ELSE to_char(w.period, 'YYYY-MM') END ORDER BY w.period)
                      FILTER (WHERE w.total IS NULL), '{}') AS missing,
           sum(w.total * w.months) AS weighted, sum(w.months) FILTER (WHERE w.total IS NOT NULL) AS weights,
           coalesce(jsonb_object_agg(w.period, w.total) FILTER (WHERE w.total IS NOT NULL), '{}') AS totals
      FROM (SELECT pp.person_id, pp.period, pp.period_kind, pp.months,
                   CASE WHEN pp.evaluated THEN coalesce(ok.total, it.total) ELSE it.total END AS total
              FROM pp
              LEFT JOIN ok ON pp.evaluated AND ok.person_id = pp.person_id AND ok.period = pp.period
              LEFT JOIN cqs.imported_total it ON it.person_id = pp.person_id AND it.period = pp.period
             WHERE pp.evaluated OR it.person_id IS NOT NULL) w
     GROUP BY w.person_id
  ), o AS (
    -- Overrides (Art. 20.4, 11.3): each forces khong_hoan_thanh, with its reason.  The
    -- leaders' override (Art. 20.4.d) holds for whoever led a unit in the year, even if they
    -- no longer lead one on 31/12.
    SELECT r.person_id, array_agg(r.reason ORDER BY r.reason) AS reasons
      FROM (
        SELECT d.person_id,
               format('Art. 20.4.c, 11.3: %s discipline %s (%s, %s) for act %s at organisation %s',
                      d.kind, d.level, d.decision_ref, to_char(d.decision_date, 'YYYY-MM-DD'), d.act_ref, d.act_organisation_id) AS reason
          FROM cqs.discipline_counted d
         WHERE d.counts AND d.counted_year = grade_year.year
        UNION ALL
        SELECT o.person_id,
               format('%s: %s (%s, %s, %s)',
                      CASE o.kind WHEN 'degradation' THEN 'Art. 20.4.b'
                                  WHEN 'corruption_waste_in_unit' THEN 'Art. 20.4.d'
                                  ELSE 'Art. 11.3.b, 20.4.c' END,
                      o.reason, o.decided_by, to_char(o.decided_on, 'YYYY-MM-DD'), o.reference)
          FROM cqs.year_override o
          JOIN pe ON pe.person_id = o.person_id
         WHERE o.year = grade_year.year
           AND (o.kind <> 'corruption_waste_in_unit' OR pe.led_in_year)) r
     GROUP BY r.person_id
  )
  SELECT pe.person_id, per.kind, g.organisation_id, pol.using_agency_id, g.role, g.duty_group, t.worked,
         coalesce(s.months_worked, 0), coalesce(s.counted, 0), coalesce(s.missing, '{}'),
         m.mean_total, m.exact_mean, cqs.classify(m.mean_total), coalesce(o.reasons, '{}'),
         -- Art. 20.6: a head's grade never exceeds their organisation's (before the quota: a
         -- head capped below xuat_sac is no candidate, and counts as tot only if capped at tot).
         CASE WHEN g.role <> 'head' THEN NULL
              WHEN orr.organisation_id IS NULL
                THEN CASE WHEN c.pre_cap IS NOT NULL
                          THEN 'organisation not graded yet: Art. 20.6 caps the head at its grade' END
              WHEN orr.final_grade IS NULL THEN 'organisation not graded yet: Art. 20.6 caps the head at its grade'
              WHEN c.pre_cap > orr.final_grade
                THEN format('Art. 20.6: capped at the organisation''s grade %s (from %s)', orr.final_grade, c.pre_cap) END,
         CASE WHEN g.role = 'head' AND orr.final_grade IS NOT NULL AND c.pre_cap > orr.final_grade THEN orr.final_grade
              ELSE c.pre_cap END,
         c.not_graded, s.totals
    FROM pe
    -- Grading organisation (Art. 19.1): where the person works at grading time, on or
    -- before the deadline ("trước ngày 15/12": 14/12; special units 14/01 next year,
    -- Art. 19.2) -- a transfer after it does not move the year; someone who only joined
    -- after it is graded (or not) by the posting they have.
    LEFT JOIN cqs.posting dl ON dl.posting_id = pe.at_deadline
    LEFT JOIN cqs.organisation dlo ON dlo.organisation_id = dl.organisation_id
    JOIN cqs.posting g ON g.posting_id = CASE WHEN dlo.special_deadline THEN pe.at_special_deadline
                                              ELSE coalesce(pe.at_deadline, pe.in_year) END
    JOIN cqs.person per ON per.person_id = pe.person_id
    JOIN cqs.organisation_policy pol ON pol.organisation_id = g.organisation_id
    LEFT JOIN lv ON lv.person_id = pe.person_id
    LEFT JOIN s ON s.person_id = pe.person_id
    LEFT JOIN o ON o.person_id = pe.person_id
    LEFT JOIN cqs.organisation_results orr
           ON g.role = 'head' AND orr.organisation_id = g.organisation_id AND orr.year = grade_year.year
    -- Time worked (Art. 11.1-2, 19.3): a duration, in days, from the postings in the year
    -- less every leave, as the calendar months and days of each span, added; "6 months" is
    -- six calendar months of it, not months touched (a posting from 31 July is 5 months 1
    -- day).  Sick and maternity leave count towards the 6 months for the exception: graded
    -- then on the months actually worked.
    CROSS JOIN LATERAL (
      SELECT pe.posted - coalesce(lv.away, '{}') AS days, pe.posted * coalesce(lv.sick, '{}') AS sick) d
    CROSS JOIN LATERAL (
      SELECT (SELECT coalesce(sum(age(upper(r)::timestamp without time zone, lower(r)::timestamp without time zone)),
                              interval '0')
                FROM unnest(d.days) AS r) AS worked,
             (SELECT coalesce(sum(age(upper(r)::timestamp without time zone, lower(r)::timestamp without time zone)),
                              interval '0')
                FROM unnest(d.days + d.sick) AS r) AS worked_or_sick) t
    CROSS JOIN LATERAL (
      SELECT CASE WHEN s.counted > 0 AND cardinality(s.missing) = 0 THEN round(s.weighted / s.weights, pol.decimals) END
               AS mean_total,
             CASE WHEN s.counted > 0 AND cardinality(s.missing) = 0 THEN s.weighted / s.weights END AS exact_mean) m
    CROSS JOIN LATERAL (
      SELECT CASE
               WHEN t.worked < interval '6 months' AND NOT (NOT isempty(d.sick) AND t.worked_or_sick >= interval '6 months')
                 THEN format('worked %s month(s) %s day(s) in %s, less than 6 months (Art. 11.1)',
                             extract(year FROM justify_days(t.worked)) * 12 + extract(month FROM justify_days(t.worked)),
                             extract(day FROM justify_days(t.worked)), grade_year.year)
               WHEN cardinality(s.missing) > 0
                 THEN format('incomplete: no confirmed result for %s (Art. 17.2-17.3); graded once they are evaluated',
                             array_to_string(s.missing, ', '))
               WHEN coalesce(s.counted, 0) = 0
                 THEN 'no monthly or quarterly result in the months worked (Art. 17.3)' END AS not_graded) n
    CROSS JOIN LATERAL (
      SELECT CASE WHEN n.not_graded IS NOT NULL THEN NULL
                  WHEN cardinality(o.reasons) > 0 THEN 'khong_hoan_thanh'::cqs.grade
                  ELSE cqs.classify(m.mean_total) END AS pre_cap, n.not_graded) c;
  GET DIAGNOSTICS v_n = ROW_COUNT;

  -- Quota (Art. 20.5) per using agency and duty group, among civil servants only (support
  -- staff under labour contracts, Art. 28.2, are outside it): propose by score, flag ties
  -- at the cut-off, apply the authority's recorded choices.
  DELETE FROM cqs.year_result r WHERE r.year = grade_year.year
     AND NOT EXISTS (SELECT 1 FROM _cqs_year y WHERE y.person_id = r.person_id);
  INSERT INTO cqs.year_result AS r
        (person_id, year, organisation_id, using_agency_id, role, duty_group, months_worked, months_counted,
         mean_total, score_grade, override_reasons, quota_outcome, cap_reason, proposed_grade,
         not_graded_reason, computed_at, stale, period_totals, worked, missing_periods, rounding_note)
  WITH k AS (
    SELECT y.using_agency_id, y.duty_group,
           cqs.excellent_quota((count(*) FILTER (WHERE y.capped = 'tot'))::integer,
                               (count(*) FILTER (WHERE y.capped = 'xuat_sac'))::integer,
                               coalesce((SELECT max(d.rate) FROM cqs.quota_decision d
                                          WHERE d.organisation_id = y.using_agency_id AND d.year = grade_year.year
                                            AND d.for_people AND d.duty_group IN ('*', y.duty_group)), 0.20)) AS k
      FROM _cqs_year y
     WHERE y.person_kind = 'civil_servant'
     GROUP BY y.using_agency_id, y.duty_group
  ), ranked AS (
    SELECT y.person_id, k.k, rank() OVER w AS rnk,
           rank() OVER w + count(*) OVER (PARTITION BY y.using_agency_id, y.duty_group, y.mean_total) - 1 AS last_rank
      FROM _cqs_year y JOIN k USING (using_agency_id, duty_group)
     WHERE y.person_kind = 'civil_servant' AND y.capped = 'xuat_sac'
    WINDOW w AS (PARTITION BY y.using_agency_id, y.duty_group ORDER BY y.mean_total DESC)
  ), q AS (
    SELECT r.person_id,
           CASE WHEN qc.keeps THEN 'kept_by_authority'
                WHEN NOT qc.keeps THEN 'lost_by_authority'
                WHEN r.last_rank <= r.k THEN 'keeps'
                WHEN r.rnk > r.k THEN 'loses'
                ELSE 'tie_at_cutoff' END AS quota_outcome
      FROM ranked r
      LEFT JOIN cqs.quota_choice qc ON qc.person_id = r.person_id AND qc.year = grade_year.year
  )
  SELECT y.person_id, grade_year.year, y.organisation_id, y.using_agency_id, y.role, y.duty_group, y.months_worked,
         y.months_counted, y.mean_total, y.score_grade, y.reasons, q.quota_outcome, y.cap_reason,
         CASE WHEN q.quota_outcome IN ('loses', 'lost_by_authority') THEN 'tot'
              WHEN q.quota_outcome = 'tie_at_cutoff' THEN NULL
              ELSE y.capped END,
         y.not_graded, now(), false, coalesce(y.period_totals, '{}'), y.worked, y.missing,
         cqs._rounding_note(y.exact_mean, y.mean_total)
    FROM _cqs_year y
    LEFT JOIN q ON q.person_id = y.person_id
  ON CONFLICT (person_id, year) DO UPDATE
     SET organisation_id = excluded.organisation_id, using_agency_id = excluded.using_agency_id,
         role = excluded.role, duty_group = excluded.duty_group, months_worked = excluded.months_worked,
         months_counted = excluded.months_counted, mean_total = excluded.mean_total,
         score_grade = excluded.score_grade, override_reasons = excluded.override_reasons,
         quota_outcome = excluded.quota_outcome, cap_reason = excluded.cap_reason,
         proposed_grade = excluded.proposed_grade, not_graded_reason = excluded.not_graded_reason,
         computed_at = excluded.computed_at, stale = false, period_totals = excluded.period_totals,
         worked = excluded.worked, missing_periods = excluded.missing_periods,
         rounding_note = excluded.rounding_note
   -- A year graded as before is left as it is (computed_at: when it was last graded
   -- differently, or found stale).  Compared as text: 85.5 and 85.50, or 30 days and
   -- 1 month, are equal numbers but not the same result.
   WHERE r.stale
      OR ROW(r.organisation_id, r.using_agency_id, r.role, r.duty_group, r.months_worked, r.months_counted,
             r.mean_total, r.score_grade, r.override_reasons, r.quota_outcome, r.cap_reason, r.proposed_grade,
             r.not_graded_reason, r.period_totals, r.worked, r.missing_periods, r.rounding_note)::text
         <> ROW(excluded.organisation_id, excluded.using_agency_id, excluded.role, excluded.duty_group,
                 excluded.months_worked, excluded.months_counted, excluded.mean_total, excluded.score_grade,
                 excluded.override_reasons, excluded.quota_outcome, excluded.cap_reason, excluded.proposed_grade,
                 excluded.not_graded_reason, excluded.period_totals, excluded.worked, excluded.missing_periods,
                 excluded.rounding_note)::text;
  DROP TABLE pg_temp._cqs_year;
  RETURN v_n;
END $$;
COMMENT ON FUNCTION cqs.grade_year(integer) IS
  'Art. 8-9, 11, 17.3, 19-20: grade a year: organisations (lower first, quota), then every person: months worked, mean total, overrides, quota per organisation and duty group, heads capped by their organisation';
