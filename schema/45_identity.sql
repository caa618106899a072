-- Layer 4b: who acts, and what they may do (Art. 10, 17.2, 21, 22; HB ch. VIII).
--
-- The actor is a database login -- the role set with SET ROLE, else the session's
-- login -- and, through it, a person: the person the login is linked to
-- (cqs.person_login), or the person a portal acts for in this transaction
-- (cqs.act_as).  Rights come from the actor's postings (heads evaluate their units) and
-- mandates (personnel section, grading authority, analyst), never from what a client
-- says.  Every function here runs with the owner's rights only to read those records;
-- none of them writes.

-- The key that signs a portal's "acting for" token: random per install, never dumped,
-- never granted.  (A restore makes a new one; tokens live for one transaction.)
CREATE TABLE cqs._secret (k bytea NOT NULL);
INSERT INTO cqs._secret
SELECT decode(replace(gen_random_uuid()::text || gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex');
REVOKE ALL ON cqs._secret FROM PUBLIC;

-- The login acting: the role set by SET ROLE, else the session's login.  (Inside the
-- extension's owner-rights functions current_user is the owner; these two are not.)
CREATE FUNCTION cqs._actor_login() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
RETURN coalesce(nullif(pg_catalog.current_setting('role'), 'none'), (SESSION_USER)::text);

-- Is a login a member (directly or not) of a group role?  False if either is missing.
CREATE FUNCTION cqs._in_group(login text, group_role text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN EXISTS (SELECT 1 FROM pg_catalog.pg_roles g, pg_catalog.pg_roles l
                WHERE g.rolname = group_role AND l.rolname = login
                  AND pg_catalog.pg_has_role(l.oid, g.oid, 'MEMBER'));

CREATE FUNCTION cqs._is_superuser(login text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = login), false);

-- The token binding a person to this transaction (its start, to the microsecond), signed
-- with the key (nested hash, so a token cannot be extended into another).  Not bound to
-- the backend's pid: a parallel worker checks it too, and shares the transaction's start
-- but not the pid.  Owner only.
CREATE FUNCTION cqs._token(person_id bigint) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT $1::text || ':' ||
         encode(sha256(s.k || sha256(s.k || convert_to(format('%s/%s', $1, extract(epoch FROM now())), 'UTF8'))), 'hex')
    FROM cqs._secret s
$$;
REVOKE EXECUTE ON FUNCTION cqs._token(bigint) FROM PUBLIC;

-- The person this transaction acts for through cqs.act_as, if its token is genuine.
CREATE FUNCTION cqs._token_person() RETURNS bigint
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_tok    text := current_setting('cqs.acting_person', true);
  v_person bigint;
BEGIN
  IF v_tok IS NULL OR v_tok !~ '^[0-9]{1,18}:[0-9a-f]{64}$' THEN
    RETURN NULL;
  END IF;
  v_person := split_part(v_tok, ':', 1)::bigint;
  IF cqs._token(v_person) = v_tok THEN
    RETURN v_person;
  END IF;
  RETURN NULL;
END $$;

-- The acting person: the one a portal acts for in this transaction, else the person the
-- login is linked to, else nobody (NULL).  A forged token acts for nobody.
CREATE FUNCTION cqs.acting_person() RETURNS bigint
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF coalesce(current_setting('cqs.acting_person', true), '') <> '' THEN
    RETURN cqs._token_person();
  END IF;
  RETURN (SELECT l.person_id FROM cqs.person_login l WHERE l.login = cqs._actor_login());
END $$;
COMMENT ON FUNCTION cqs.acting_person() IS
  'The person acting: the one a portal acts for in this transaction (cqs.act_as), else the person linked to the login (cqs.person_login), else NULL';

-- A portal that authenticated a person acts for them until the transaction ends; from
-- then on every policy and competence check is that person's.  Portal logins (members
-- of cqs_portal) and superusers only; one person per transaction.
CREATE FUNCTION cqs.act_as(person_id bigint) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_login text := cqs._actor_login();
  v_now   bigint;
BEGIN
  IF NOT (cqs._in_group(v_login, 'cqs_portal') OR cqs._is_superuser(v_login)) THEN
    RAISE EXCEPTION 'login % may not act for another person', v_login
      USING ERRCODE = 'insufficient_privilege',
            HINT = 'Only portal logins (members of cqs_portal) act for the people they authenticated.';
  END IF;
  IF act_as.person_id IS NULL OR NOT EXISTS (SELECT 1 FROM cqs.person p WHERE p.person_id = act_as.person_id) THEN
    RAISE EXCEPTION 'no person %', coalesce(act_as.person_id::text, 'NULL') USING ERRCODE = 'invalid_parameter_value';
  END IF;
  v_now := cqs._token_person();
  IF v_now IS NOT NULL AND v_now <> act_as.person_id THEN
    RAISE EXCEPTION 'this transaction already acts for person %; it cannot act for person % too', v_now, act_as.person_id
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'One authenticated person per transaction.';
  END IF;
  PERFORM set_config('cqs.acting_person', cqs._token(act_as.person_id), true);
  RETURN act_as.person_id;
END $$;
COMMENT ON FUNCTION cqs.act_as(bigint) IS
  'Portals: act for one authenticated person until the end of the transaction; the database then enforces that person''s rights';

-- The same, by the national personnel-record id (mã hồ sơ), which is what a portal's
-- own user records usually hold: a portal acting for nobody cannot read cqs.person.
CREATE FUNCTION cqs.act_as(personnel_id text) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_person bigint;
BEGIN
  IF NOT (cqs._in_group(cqs._actor_login(), 'cqs_portal') OR cqs._is_superuser(cqs._actor_login())) THEN
    RAISE EXCEPTION 'login % may not act for another person', cqs._actor_login()
      USING ERRCODE = 'insufficient_privilege',
            HINT = 'Only portal logins (members of cqs_portal) act for the people they authenticated.';
  END IF;
  SELECT p.person_id INTO v_person FROM cqs.person p WHERE p.personnel_id = act_as.personnel_id;
  IF v_person IS NULL THEN
    RAISE EXCEPTION 'no person with personnel id "%"', act_as.personnel_id USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN cqs.act_as(v_person);
END $$;
COMMENT ON FUNCTION cqs.act_as(text) IS
  'Portals: act for the person with this personnel-record id (mã hồ sơ) until the end of the transaction';

-- The organisations (each mandate's subtree) where the actor holds a mandate today.  A
-- portal acting for a person has that person's mandates only; a login has its own and
-- its person's.  identified_only: analysts count only with an identified mandate.
CREATE FUNCTION cqs._mandate_scope(kinds text[], identified_only boolean DEFAULT false) RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
  WITH who AS (
    SELECT cqs.acting_person() AS person_id,
           CASE WHEN cqs._token_person() IS NULL THEN cqs._actor_login() END AS login
  )
  SELECT coalesce(array_agg(DISTINCT c.descendant_id), '{}')
    FROM who, cqs.mandate m
    JOIN cqs.organisation_closure c ON c.ancestor_id = m.organisation_id
   WHERE m.kind = ANY ($1)
     AND (m.person_id = who.person_id OR m.login = who.login)
     AND (NOT $2 OR m.kind <> 'analyst' OR m.identified)
     AND m.valid_from <= current_date AND (m.valid_to IS NULL OR m.valid_to >= current_date)
$$;

-- Scopes the row-level policies read (each computed once per query).
-- Results (scores, grades): every mandate, analysts included.
CREATE FUNCTION cqs._seen_organisations() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE
RETURN cqs._mandate_scope(ARRAY['personnel', 'authority', 'analyst'], false);
-- Identifying records (names, postings, task lines, leave, discipline): not analysts,
-- unless identified.
CREATE FUNCTION cqs._identified_organisations() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE
RETURN cqs._mandate_scope(ARRAY['personnel', 'authority', 'analyst'], true);
CREATE FUNCTION cqs._personnel_organisations() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE
RETURN cqs._mandate_scope(ARRAY['personnel'], false);
CREATE FUNCTION cqs._authority_organisations() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE
RETURN cqs._mandate_scope(ARRAY['authority'], false);

-- Is the login one of the extension's administrators (cqs_admin) or a superuser?
CREATE FUNCTION cqs._is_admin() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN cqs._in_group(cqs._actor_login(), 'cqs_admin') OR cqs._is_superuser(cqs._actor_login());

-- The evaluation periods a span of days touches, as a range of days from the first
-- period's start to the last period's end (open-ended spans stay open).
CREATE FUNCTION cqs._period_span(from_day date, to_day date, cadence text) RETURNS daterange
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN daterange(cqs.period_start(from_day, cadence),
                 CASE WHEN to_day IS NOT NULL
                      THEN cqs.period_end(cqs.period_start(to_day, cadence),
                                          CASE cadence WHEN 'quarterly' THEN 'quarter' ELSE 'month' END) END,
                 '[)');

-- The people the acting person evaluates (Art. 10), with the organisation they were
-- evaluated in: exactly the (person, organisation) pairs of the periods for which
-- cqs.competent_evaluators names the acting person, computed over whole periods at once.
--   - As head of a unit: its staff and deputies, for the periods the head overlaps;
--   - the heads of the units below, and the staff of units below while those had no
--     head, when this unit is the nearest one above with a head (the periods are walked
--     up the tree, each unit's heads taking the periods they cover);
--   - as a deputy with an assigned field, where the agency delegated it: the unit's
--     staff of that field.
CREATE FUNCTION cqs._evaluated() RETURNS TABLE (person_id bigint, organisation_id bigint)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER ROWS 50 SET search_path = pg_catalog, pg_temp SET jit = off AS $$
  WITH RECURSIVE
  mine AS (
    SELECT h.* FROM cqs.posting h WHERE h.person_id = cqs.acting_person() AND h.role IN ('head', 'deputy')
  ),
  -- Every organisation at or below a unit the acting person heads.
  below AS (
    SELECT DISTINCT c.descendant_id AS organisation_id
      FROM mine h JOIN cqs.organisation_closure c ON c.ancestor_id = h.organisation_id
     WHERE h.role = 'head'
  ),
  -- The periods each of those organisations had a head, by cadence.
  headed AS (
    SELECT h.organisation_id, cad.cadence, range_agg(cqs._period_span(h.start_date, h.end_date, cad.cadence)) AS periods
      FROM cqs.posting h JOIN below b USING (organisation_id)
     CROSS JOIN (VALUES ('monthly'), ('quarterly')) AS cad(cadence)
     WHERE h.role = 'head'
     GROUP BY h.organisation_id, cad.cadence
  ),
  -- Everyone posted below, with the periods of their posting.
  subs AS (
    SELECT s.person_id, s.organisation_id, s.role, pol.cadence,
           datemultirange(cqs._period_span(s.start_date, s.end_date, pol.cadence)) AS periods
      FROM cqs.posting s JOIN below b USING (organisation_id)
      JOIN cqs.organisation_policy pol ON pol.organisation_id = s.organisation_id
     WHERE s.person_id <> cqs.acting_person()
  ),
  -- Walk up from each posting with the periods nobody nearer has covered yet: a head's
  -- own unit covers nothing of theirs; a staff member's or deputy's unit covers its heads'.
  walk (person_id, organisation_id, cadence, distance, open_periods) AS (
    SELECT s.person_id, s.organisation_id, s.cadence, 0,
           CASE WHEN s.role = 'head' THEN s.periods ELSE s.periods - coalesce(hd.periods, '{}') END
      FROM subs s LEFT JOIN headed hd ON hd.organisation_id = s.organisation_id AND hd.cadence = s.cadence
    UNION ALL
    SELECT w.person_id, w.organisation_id, w.cadence, w.distance + 1, w.open_periods - coalesce(hd.periods, '{}')
      FROM walk w
      JOIN cqs.organisation_closure c ON c.descendant_id = w.organisation_id AND c.distance = w.distance + 1
      JOIN below b ON b.organisation_id = c.ancestor_id
      LEFT JOIN headed hd ON hd.organisation_id = c.ancestor_id AND hd.cadence = w.cadence
     WHERE NOT isempty(w.open_periods)
  )
  -- Staff and deputies of a unit the acting person heads, while they head it.
  SELECT s.person_id, s.organisation_id
    FROM subs s JOIN mine h ON h.organisation_id = s.organisation_id AND h.role = 'head'
   WHERE s.role <> 'head' AND s.periods && cqs._period_span(h.start_date, h.end_date, s.cadence)
  UNION
  -- Anyone below whose open periods reach a unit the acting person heads, while they head it.
  SELECT w.person_id, w.organisation_id
    FROM walk w
    JOIN cqs.organisation_closure c ON c.descendant_id = w.organisation_id AND c.distance = w.distance + 1
    JOIN mine h ON h.organisation_id = c.ancestor_id AND h.role = 'head'
   WHERE w.open_periods && cqs._period_span(h.start_date, h.end_date, w.cadence)
  UNION
  -- A deputy's field, where the agency delegated it.
  SELECT s.person_id, s.organisation_id
    FROM mine h JOIN cqs.posting s ON s.organisation_id = h.organisation_id
   WHERE h.role = 'deputy' AND s.role = 'staff' AND s.field = h.field AND s.person_id <> h.person_id
     AND daterange(s.start_date, s.end_date, '[]') && daterange(h.start_date, h.end_date, '[]')
     AND EXISTS (SELECT 1 FROM cqs.delegation d
                   JOIN cqs.organisation_closure c ON c.ancestor_id = d.organisation_id
                  WHERE c.descendant_id = h.organisation_id
                    AND daterange(d.valid_from, d.valid_to, '[]') && daterange(h.start_date, h.end_date, '[]'))
$$;

-- The people whose identifying records the actor may read: themself, those they
-- evaluate, and everyone ever posted where they hold an identified mandate.
CREATE FUNCTION cqs._identified_people() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
  SELECT coalesce(array_agg(DISTINCT x.person_id), '{}')
    FROM (SELECT cqs.acting_person() AS person_id
          UNION ALL
          SELECT e.person_id FROM cqs._evaluated() e
          UNION ALL
          SELECT ps.person_id FROM cqs.posting ps
           WHERE ps.organisation_id = ANY (cqs._identified_organisations())) x
   WHERE x.person_id IS NOT NULL
$$;

-- The people whose records the personnel section acting may manage.
CREATE FUNCTION cqs._personnel_people() RETURNS bigint[]
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
  SELECT coalesce(array_agg(DISTINCT ps.person_id), '{}')
    FROM cqs.posting ps WHERE ps.organisation_id = ANY (cqs._personnel_organisations())
$$;

-- Art. 10, 17.2: who confirms a person's period -- the head(s) of the unit the person
-- was posted to for staff and deputies, and the deputies of the person's field where the
-- agency delegated it; for a head (or a unit without a head at the time), the head(s) of
-- the nearest unit above that had one, up to the managing agency.  Never the person.
CREATE FUNCTION cqs._competent_evaluators(person_id bigint, period date)
RETURNS TABLE (evaluator_id bigint, organisation_id bigint, rule text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
  v_post  cqs.posting;
  v_from  date;
  v_to    date;
  v_cad   text;
  v_anc   record;
BEGIN
  SELECT p.* INTO v_post
    FROM cqs.posting_in_force(_competent_evaluators.person_id,
                              date_trunc('month', _competent_evaluators.period::timestamp without time zone)::date,
                              (date_trunc('month', _competent_evaluators.period::timestamp without time zone)
                               + interval '1 month - 1 day')::date) p;
  IF v_post.posting_id IS NULL THEN
    RETURN;
  END IF;
  SELECT pol.cadence INTO v_cad FROM cqs.organisation_policy pol WHERE pol.organisation_id = v_post.organisation_id;
  v_from := cqs.period_start(_competent_evaluators.period, v_cad);
  v_to := cqs.period_end(v_from, CASE v_cad WHEN 'quarterly' THEN 'quarter' ELSE 'month' END) - 1;
  IF v_post.role <> 'head' AND EXISTS (
       SELECT 1 FROM cqs.posting h
        WHERE h.organisation_id = v_post.organisation_id AND h.role = 'head'
          AND h.person_id <> _competent_evaluators.person_id
          AND h.start_date <= v_to AND (h.end_date IS NULL OR h.end_date >= v_from)) THEN
    RETURN QUERY
    SELECT DISTINCT h.person_id, h.organisation_id, 'Art. 10: the head of the unit'::text
      FROM cqs.posting h
     WHERE h.organisation_id = v_post.organisation_id AND h.role = 'head'
       AND h.person_id <> _competent_evaluators.person_id
       AND h.start_date <= v_to AND (h.end_date IS NULL OR h.end_date >= v_from)
    UNION
    SELECT DISTINCT h.person_id, h.organisation_id, 'Art. 10: the deputy for the field, by the agency''s delegation'
      FROM cqs.posting h
     WHERE v_post.role = 'staff' AND h.organisation_id = v_post.organisation_id AND h.role = 'deputy'
       AND h.field = v_post.field AND h.person_id <> _competent_evaluators.person_id
       AND h.start_date <= v_to AND (h.end_date IS NULL OR h.end_date >= v_from)
       AND EXISTS (SELECT 1 FROM cqs.delegation d
                     JOIN cqs.organisation_closure c ON c.ancestor_id = d.organisation_id
                    WHERE c.descendant_id = v_post.organisation_id
                      AND d.valid_from <= v_to AND (d.valid_to IS NULL OR d.valid_to >= v_from));
    RETURN;
  END IF;
  FOR v_anc IN SELECT c.ancestor_id FROM cqs.organisation_closure c
                WHERE c.descendant_id = v_post.organisation_id AND c.distance >= 1 ORDER BY c.distance LOOP
    RETURN QUERY
    SELECT DISTINCT h.person_id, h.organisation_id, 'Art. 10: the head of the unit above'::text
      FROM cqs.posting h
     WHERE h.organisation_id = v_anc.ancestor_id AND h.role = 'head'
       AND h.person_id <> _competent_evaluators.person_id
       AND h.start_date <= v_to AND (h.end_date IS NULL OR h.end_date >= v_from);
    IF FOUND THEN
      RETURN;
    END IF;
  END LOOP;
END $$;
REVOKE EXECUTE ON FUNCTION cqs._competent_evaluators(bigint, date) FROM PUBLIC;

-- The same, for those who may read the person's records (themself, their evaluators,
-- the personnel section and other identified mandates): an empty answer otherwise.
CREATE FUNCTION cqs.competent_evaluators(person_id bigint, period date)
RETURNS TABLE (evaluator_id bigint, organisation_id bigint, rule text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT e.* FROM cqs._competent_evaluators($1, $2) e
   WHERE $1 = ANY (cqs._identified_people())
      OR (cqs.acting_person() IS NULL AND cqs._is_superuser(cqs._actor_login()))
$$;
COMMENT ON FUNCTION cqs.competent_evaluators(bigint, date) IS
  'Art. 10, 17.2: who confirms a person''s period: the head of the unit (or a deputy for their field, where delegated) for staff and deputies; the head of the nearest unit above for heads';

-- Is the acting person a competent evaluator of this person's period (Art. 10, 17.2)?
-- Answers only that, about the actor themself (the to-do list, cqs.evaluator_todo).
CREATE FUNCTION cqs._is_competent_evaluator(person_id bigint, period date) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT cqs.acting_person() IS NOT NULL
     AND EXISTS (SELECT 1 FROM cqs._competent_evaluators($1, $2) e WHERE e.evaluator_id = cqs.acting_person())
$$;
COMMENT ON FUNCTION cqs._is_competent_evaluator(bigint, date) IS
  'Art. 10, 17.2: whether the acting person is a competent evaluator of a person''s period (false when acting for nobody)';

-- Refuse unless the actor is the competent evaluator of a person's period (42501).
CREATE FUNCTION cqs._require_evaluator(p_person bigint, p_period date, p_action text) RETURNS bigint
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_me    bigint := cqs.acting_person();
  v_who   text;
BEGIN
  IF v_me IS NOT NULL AND v_me = p_person THEN
    RAISE EXCEPTION 'person % cannot % their own assessment', p_person, p_action
      USING ERRCODE = 'insufficient_privilege', HINT = 'Art. 10: nobody evaluates themself; the head of the unit (or the unit above) does.';
  END IF;
  IF v_me IS NOT NULL AND EXISTS (SELECT 1 FROM cqs._competent_evaluators(p_person, p_period) e WHERE e.evaluator_id = v_me) THEN
    RETURN v_me;
  END IF;
  IF v_me IS NULL AND cqs._is_superuser(cqs._actor_login()) THEN
    RETURN NULL;                      -- a superuser acting for nobody (recorded by login)
  END IF;
  SELECT string_agg(DISTINCT e.evaluator_id::text, ', ') INTO v_who FROM cqs._competent_evaluators(p_person, p_period) e;
  RAISE EXCEPTION '% (person %) is not the competent evaluator of person % for %',
                  cqs._actor_login(), coalesce(v_me::text, 'none'), p_person, p_period
    USING ERRCODE = 'insufficient_privilege',
          DETAIL = format('Competent: %s.', coalesce('person ' || v_who, 'nobody is posted as head above them')),
          HINT = 'Art. 10, 17.2: the head of the unit confirms its staff and deputies; the head of the unit above confirms heads.';
END $$;

-- Refuse unless the actor holds a mandate of this kind over the organisation (42501).
-- A superuser acting for nobody passes (it bypasses every rule anyway; the audit trail
-- records its login).
CREATE FUNCTION cqs._require_mandate(p_kind text, p_org bigint, p_action text, p_hint text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF p_org = ANY (cqs._mandate_scope(ARRAY[p_kind], false)) THEN
    RETURN;
  END IF;
  IF cqs.acting_person() IS NULL AND cqs._is_superuser(cqs._actor_login()) THEN
    RETURN;
  END IF;
  RAISE EXCEPTION '% (person %) may not %: no % mandate over organisation %',
                  cqs._actor_login(), coalesce(cqs.acting_person()::text, 'none'), p_action, p_kind, p_org
    USING ERRCODE = 'insufficient_privilege', HINT = p_hint;
END $$;

-- The reason recorded with the changes a function makes (cqs.audit_log.reason).
CREATE FUNCTION cqs._audit_reason(reason text) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM set_config('cqs.audit_reason', coalesce(reason, ''), true);
END $$;
