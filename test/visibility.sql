-- pgTAP: randomized visibility and permissions.  A city is generated at random (a
-- managing agency, 3-4 using agencies, their units and sometimes sub-units; heads,
-- deputies with fields, staff, transfers on 1 July, a delegation and an expired one,
-- results, locks, decisions, a re-grading, complaints, leave, discipline; always units
-- without a head all year, a chain of two levels without a head, heads who leave
-- mid-month (a unit left vacant for months, sometimes for good), a using agency
-- evaluated by quarter, sometimes with a unit by month, sometimes a unit by quarter
-- elsewhere), every kind of actor gets a login (servant, unit head, agency head, the
-- city's head and authority, deputies with and without delegation, a transferred leader,
-- a personnel officer, an agency's authority, analysts pseudonymous and identified, a
-- portal acting for a person, for a leader and for nobody, a forged portal token, jobs,
-- admin, a login in no group), and then, as every actor:
--   * every table and every view of schema cqs is read (SET ROLE inside a helper, views
--     by the whole row as a portal's SELECT * reads them) and the rows seen are compared
--     with an oracle computed from the generator's own knowledge (who heads what, who is
--     posted where, which mandates exist) -- never from the extension's scope functions.
--     An evaluator reads exactly the (person, organisation) pairs it is the competent
--     evaluator of (Art. 10) for at least one evaluation period (a month, or a quarter
--     where the person's organisation evaluates by quarter): the head(s) of the person's
--     unit in the periods their postings touch, else (for the unit's head, or while the
--     unit had no head) the head(s) of the nearest unit above with a head in that period,
--     up to the managing agency; and a deputy, where the agency delegated, the staff of
--     the unit in the deputy's field.  The oracle walks every month of the year for it
--     (pg_temp.o_competent), as confirm and set_leader_terms are judged period by period;
--   * every write function, and the direct task-line, posting and leave writes, are
--     tried (each attempt undone) and compared with the oracle: competence and the
--     authority's and personnel section's steps on every target, UPDATE and DELETE on
--     every row, the rest on every target the oracle allows and a random sample of those
--     it refuses.
-- 0 rows seen that the actor may not see, 0 hidden that it may see, 0 writes allowed that
-- it may not make, 0 legitimate writes refused, 0 evaluators who may confirm a person
-- they cannot read; the counts are printed.
--
-- Replay a failure with the seed it printed:
--   pg_prove --ext .sql --set seed=123456 test/visibility.sql
--   psql -X -v seed=123456 -f test/visibility.sql
\set QUIET 1
SET client_min_messages = warning;
\if :{?seed}
\else
SELECT floor(random() * 1000000)::integer AS seed \gset
\endif
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cqs_eval CASCADE;
SET LOCAL cqs.refresh_mode = async;   -- writes queue their results; results are fabricated below
SELECT plan(18);

SELECT 1 AS seeded FROM (SELECT setseed(:seed / 1000000.0)) s \gset
SELECT diag('visibility: seed ' || :seed || ' (replay: pg_prove --ext .sql --set seed=' || :seed
            || ' test/visibility.sql)');
SELECT count(*) >= 0 AS roles_ready FROM cqs.setup_roles() \gset

-- ===========================================================================
-- 1. The generator's knowledge (the oracle reads only these tables).
-- ===========================================================================
-- cadence_set: the cadence set on the organisation (NULL inherits); cadence: in effect.
CREATE TEMP TABLE g_org (org_id bigint PRIMARY KEY, parent_id bigint, code text, depth integer, agency_no integer,
                         cadence_set text, cadence text);
CREATE TEMP TABLE g_slot (slot_no serial, person_no integer, org_id bigint, role text, field text,
                          start_date date, end_date date, tag text);
CREATE TEMP TABLE g_person (person_no integer PRIMARY KEY, person_id bigint UNIQUE);
CREATE TEMP TABLE g_post (posting_id bigint, person_id bigint, org_id bigint, role text, field text,
                          start_date date, end_date date);
CREATE TEMP TABLE g_deleg (org_id bigint, valid_from date, valid_to date);
CREATE TEMP TABLE g_mandate (kind text, org_id bigint, person_id bigint, login text, identified boolean,
                             valid_from date, valid_to date);
CREATE TEMP TABLE g_pick (what text PRIMARY KEY, person_no integer, org_id bigint);

-- The tree.
DO $gen$
DECLARE
  v_root  bigint;
  v_ag    bigint;
  v_unit  bigint;
  v_sub   bigint;
  n_ag    integer := 3 + floor(random() * 2)::integer;
BEGIN
  INSERT INTO cqs.organisation (code, name, kind) VALUES ('VZ-ROOT', 'UBND thành phố', 'managing_agency')
  RETURNING organisation_id INTO v_root;
  INSERT INTO g_org VALUES (v_root, NULL, 'VZ-ROOT', 0, NULL);
  FOR i IN 1 .. n_ag LOOP
    INSERT INTO cqs.organisation (code, name, kind, parent_id) VALUES ('VZ-A' || i, 'Sở ' || i, 'using_agency', v_root)
    RETURNING organisation_id INTO v_ag;
    INSERT INTO g_org VALUES (v_ag, v_root, 'VZ-A' || i, 1, i);
    FOR j IN 1 .. 2 + floor(random() * 2)::integer LOOP
      INSERT INTO cqs.organisation (code, name, kind, parent_id)
      VALUES ('VZ-A' || i || '-U' || j, 'Phòng ' || i || '.' || j, 'unit', v_ag)
      RETURNING organisation_id INTO v_unit;
      INSERT INTO g_org VALUES (v_unit, v_ag, 'VZ-A' || i || '-U' || j, 2, i);
      IF j = 1 AND random() < 0.5 THEN
        INSERT INTO cqs.organisation (code, name, kind, parent_id)
        VALUES ('VZ-A' || i || '-U1-S', 'Tổ ' || i || '.1', 'unit', v_unit)
        RETURNING organisation_id INTO v_sub;
        INSERT INTO g_org VALUES (v_sub, v_unit, 'VZ-A' || i || '-U1-S', 3, i);
      END IF;
    END LOOP;
  END LOOP;
END $gen$;

-- The generator's own closure of the tree (self at distance 0).
CREATE TEMP TABLE g_anc AS
WITH RECURSIVE up AS (
  SELECT org_id, org_id AS anc_id, 0 AS dist FROM g_org
  UNION ALL
  SELECT up.org_id, o.parent_id, up.dist + 1 FROM up JOIN g_org o ON o.org_id = up.anc_id WHERE o.parent_id IS NOT NULL
)
SELECT * FROM up;

-- Who is posted where: slots first (one person each), then transfers, then people.
DO $gen$
DECLARE
  r        record;
  v_n      integer := 0;
  v_head   boolean;
  v_fields text[] := ARRAY['f1', 'f2', 'f3'];
  v_ags    integer := (SELECT max(agency_no) FROM g_org);
  v_deleg  integer;
  v_nodel  integer;
  v_org    bigint;
  v_pick   integer;
  v_c      bigint;
  v_p      bigint;
  v_end    date;
  v_agno   integer;
BEGIN
  FOR r IN SELECT * FROM g_org ORDER BY code LOOP
    v_head := CASE r.depth WHEN 0 THEN true WHEN 1 THEN r.agency_no = 1 OR random() < 0.8 ELSE random() < 0.75 END;
    IF v_head THEN
      v_n := v_n + 1;
      INSERT INTO g_slot (person_no, org_id, role, field, start_date) VALUES (v_n, r.org_id, 'head', NULL, '2026-01-01');
    END IF;
    FOR k IN 1 .. floor(random() * 2.3)::integer LOOP
      v_n := v_n + 1;
      INSERT INTO g_slot (person_no, org_id, role, field, start_date)
      VALUES (v_n, r.org_id, 'deputy', v_fields[1 + floor(random() * 2)::integer], '2026-01-01');
    END LOOP;
    FOR k IN 1 .. CASE r.depth WHEN 0 THEN floor(random() * 2)::integer WHEN 1 THEN 1 + floor(random() * 2)::integer
                                ELSE 2 + floor(random() * 3)::integer END LOOP
      v_n := v_n + 1;
      INSERT INTO g_slot (person_no, org_id, role, field, start_date)
      VALUES (v_n, r.org_id, 'staff', CASE WHEN random() < 0.15 THEN NULL ELSE v_fields[1 + floor(random() * 3)::integer] END,
              '2026-01-01');
    END LOOP;
  END LOOP;
  -- A delegated agency, with a deputy and a staff member of one field in one of its units
  -- (which has a head: deputies confirm only where the unit is headed); another agency
  -- without delegation, the same in one of its units.
  v_deleg := 1 + floor(random() * v_ags)::integer;
  v_nodel := 1 + (v_deleg + floor(random() * (v_ags - 1))::integer) % v_ags;
  INSERT INTO g_pick VALUES ('deleg_agency', NULL, (SELECT org_id FROM g_org WHERE depth = 1 AND agency_no = v_deleg));
  INSERT INTO g_pick VALUES ('nodeleg_agency', NULL, (SELECT org_id FROM g_org WHERE depth = 1 AND agency_no = v_nodel));
  FOR r IN SELECT v.tag, v.field, (SELECT o.org_id FROM g_org o WHERE o.depth >= 2 AND o.agency_no = v.agency_no
                                    ORDER BY random() LIMIT 1) AS org_id
             FROM (VALUES (1, 'depdeleg', 'f1', v_deleg), (2, 'depnodeleg', 'f2', v_nodel)) AS v(n, tag, field, agency_no)
            ORDER BY v.n LOOP
    IF NOT EXISTS (SELECT 1 FROM g_slot s WHERE s.org_id = r.org_id AND s.role = 'head') THEN
      v_n := v_n + 1;
      INSERT INTO g_slot (person_no, org_id, role, start_date) VALUES (v_n, r.org_id, 'head', '2026-01-01');
    END IF;
    INSERT INTO g_slot (person_no, org_id, role, field, start_date, tag) VALUES
      (v_n + 1, r.org_id, 'deputy', r.field, '2026-01-01', r.tag), (v_n + 2, r.org_id, 'staff', r.field, '2026-01-01', 'fixed');
    v_n := v_n + 2;
  END LOOP;
  -- A chain of two levels without a head all year: a unit (or sub-unit) and the
  -- organisation above it (not the root, not the first agency, not the deputies' units).
  IF NOT EXISTS (SELECT 1 FROM g_org o JOIN g_org p ON p.org_id = o.parent_id
                  WHERE p.depth >= 1
                    AND NOT EXISTS (SELECT 1 FROM g_slot s WHERE s.org_id IN (o.org_id, p.org_id) AND s.role = 'head')) THEN
    SELECT o.org_id, p.org_id INTO v_c, v_p
      FROM g_org o JOIN g_org p ON p.org_id = o.parent_id
     WHERE p.depth >= 1 AND NOT (p.depth = 1 AND p.agency_no = 1)
       AND NOT EXISTS (SELECT 1 FROM g_slot x WHERE x.tag IS NOT NULL AND x.org_id IN (o.org_id, p.org_id))
     ORDER BY random() LIMIT 1;
    DELETE FROM g_slot WHERE role = 'head' AND org_id IN (v_c, v_p);
  END IF;
  -- At least one unit without a head (not one of those two).
  IF NOT EXISTS (SELECT 1 FROM g_org o WHERE o.depth >= 2
                    AND NOT EXISTS (SELECT 1 FROM g_slot s WHERE s.org_id = o.org_id AND s.role = 'head')) THEN
    DELETE FROM g_slot WHERE slot_no = (SELECT s.slot_no FROM g_slot s JOIN g_org o USING (org_id)
                                          WHERE o.depth >= 2 AND s.role = 'head'
                                            AND s.org_id NOT IN (SELECT x.org_id FROM g_slot x WHERE x.tag IS NOT NULL)
                                          ORDER BY random() LIMIT 1);
  END IF;
  -- At least 30 people.
  WHILE v_n < 30 LOOP
    v_n := v_n + 1;
    INSERT INTO g_slot (person_no, org_id, role, field, start_date)
    SELECT v_n, o.org_id, 'staff', v_fields[1 + floor(random() * 3)::integer], '2026-01-01'
      FROM g_org o WHERE o.depth >= 2 ORDER BY random() LIMIT 1;
  END LOOP;

  -- The actors' people (distinct).  The head of the root; a unit head with staff; an
  -- agency head; the two deputies above.
  INSERT INTO g_pick SELECT 'chair', s.person_no, s.org_id FROM g_slot s JOIN g_org o USING (org_id)
                      WHERE o.depth = 0 AND s.role = 'head';
  INSERT INTO g_pick SELECT 'unithead', s.person_no, s.org_id FROM g_slot s JOIN g_org o USING (org_id)
                      WHERE o.depth >= 2 AND s.role = 'head' ORDER BY random() LIMIT 1;
  INSERT INTO g_pick SELECT 'agencyhead', s.person_no, s.org_id FROM g_slot s JOIN g_org o USING (org_id)
                      WHERE o.depth = 1 AND s.role = 'head' ORDER BY random() LIMIT 1;
  INSERT INTO g_pick SELECT s.tag, s.person_no, s.org_id FROM g_slot s WHERE s.tag IN ('depdeleg', 'depnodeleg');
  -- Transfers on 1 July: a unit head (another than the one above) becomes staff elsewhere,
  -- and two or three staff members move; nobody leaves an organisation empty.
  -- (a unit head if there is another one; else another leader; else a staff member)
  v_pick := (SELECT s.person_no FROM g_slot s JOIN g_org o USING (org_id)
              WHERE o.depth >= 1 AND s.person_no NOT IN (SELECT p.person_no FROM g_pick p WHERE p.person_no IS NOT NULL)
                AND s.tag IS NULL AND s.org_id NOT IN (SELECT x.org_id FROM g_slot x WHERE x.tag IS NOT NULL)
              ORDER BY CASE WHEN o.depth >= 2 AND s.role = 'head' THEN 0 WHEN s.role <> 'staff' THEN 1 ELSE 2 END, random()
              LIMIT 1);
  INSERT INTO g_pick SELECT 'transfer', v_pick, s.org_id FROM g_slot s WHERE s.person_no = v_pick;
  FOR r IN SELECT s.person_no FROM g_slot s JOIN g_org o USING (org_id)
            WHERE o.depth >= 2 AND s.role = 'staff' AND s.tag IS NULL
              AND s.person_no NOT IN (SELECT p.person_no FROM g_pick p WHERE p.person_no IS NOT NULL)
            ORDER BY random() LIMIT 2 + floor(random() * 2)::integer LOOP
    INSERT INTO g_pick VALUES ('moved' || r.person_no, r.person_no, NULL);
  END LOOP;
  FOR r IN SELECT p.person_no, s.org_id FROM g_pick p JOIN g_slot s USING (person_no)
            WHERE p.what = 'transfer' OR p.what LIKE 'moved%' ORDER BY p.person_no LOOP
    UPDATE g_slot SET end_date = '2026-06-30' WHERE person_no = r.person_no;
    INSERT INTO g_slot (person_no, org_id, role, field, start_date)
    SELECT r.person_no, o.org_id, 'staff', v_fields[1 + floor(random() * 3)::integer], '2026-07-01'
      FROM g_org o WHERE o.depth >= 1 AND o.org_id <> r.org_id ORDER BY random() LIMIT 1;
  END LOOP;
  -- Every organisation keeps someone posted all year.
  FOR r IN SELECT o.org_id FROM g_org o
            WHERE NOT EXISTS (SELECT 1 FROM g_slot s WHERE s.org_id = o.org_id AND s.end_date IS NULL
                                AND s.start_date = '2026-01-01') ORDER BY o.code LOOP
    v_n := v_n + 1;
    INSERT INTO g_slot (person_no, org_id, role, field, start_date) VALUES (v_n, r.org_id, 'staff', 'f3', '2026-01-01');
  END LOOP;
  -- The personnel officer, the authority (posted in the agency it has a mandate over) and
  -- the plain servant: staff or anyone not picked yet, posted all year.
  INSERT INTO g_pick SELECT 'personnel_agency', NULL, org_id FROM g_org WHERE depth = 1 ORDER BY random() LIMIT 1;
  INSERT INTO g_pick SELECT 'authority_agency', NULL, org_id FROM g_org WHERE depth = 1 ORDER BY random() LIMIT 1;
  INSERT INTO g_pick SELECT 'analyst_agency', NULL, org_id FROM g_org WHERE depth = 1 ORDER BY random() LIMIT 1;
  INSERT INTO g_pick SELECT 'personnel', s.person_no, s.org_id FROM g_slot s
                      WHERE s.role = 'staff' AND s.end_date IS NULL AND s.start_date = '2026-01-01'
                        AND s.person_no NOT IN (SELECT p.person_no FROM g_pick p WHERE p.person_no IS NOT NULL)
                      ORDER BY random() LIMIT 1;
  INSERT INTO g_pick SELECT 'authority', s.person_no, s.org_id FROM g_slot s JOIN g_anc a USING (org_id)
                      WHERE a.anc_id = (SELECT org_id FROM g_pick WHERE what = 'authority_agency')
                        AND s.end_date IS NULL AND s.start_date = '2026-01-01'
                        AND s.person_no NOT IN (SELECT p.person_no FROM g_pick p WHERE p.person_no IS NOT NULL)
                      ORDER BY random() LIMIT 1;
  INSERT INTO g_pick SELECT 'servant', s.person_no, s.org_id FROM g_slot s
                      WHERE s.role = 'staff' AND s.end_date IS NULL AND s.start_date = '2026-01-01'
                        AND s.person_no NOT IN (SELECT p.person_no FROM g_pick p WHERE p.person_no IS NOT NULL)
                      ORDER BY random() LIMIT 1;
  -- The agency head's login also holds a pseudonymous analyst mandate over another agency;
  -- the servant an expired personnel mandate; one deputy a mandate not yet in force.
  INSERT INTO g_pick SELECT 'agencyhead_login_agency', NULL, o.org_id FROM g_org o
                      WHERE o.depth = 1 AND o.org_id <> (SELECT org_id FROM g_pick WHERE what = 'agencyhead')
                      ORDER BY random() LIMIT 1;
  INSERT INTO g_pick SELECT 'expired_agency', NULL, org_id FROM g_org WHERE depth = 1 ORDER BY random() LIMIT 1;
  INSERT INTO g_pick SELECT 'expired_deleg_agency', NULL, o.org_id FROM g_org o
                      WHERE o.depth = 1 AND o.org_id <> (SELECT org_id FROM g_pick WHERE what = 'deleg_agency')
                      ORDER BY random() LIMIT 1;
  -- Heads who leave the city mid-month, between February and May (their posting still
  -- covers that month, or that quarter): a unit head (mostly one of a unit right below the
  -- agency head), whose successor arrives, half the time, mid-month two to five months
  -- later (the unit is vacant for the months in between -- for the quarters in between
  -- only if there is one -- else to the end); and most of the time an agency head, whose
  -- successor comes a few days later, some months later, or never.  Not an actor's person,
  -- not the deputies' units.
  v_agno := (SELECT o.agency_no FROM g_pick p JOIN g_org o USING (org_id) WHERE p.what = 'agencyhead');
  FOR r IN SELECT x.* FROM (VALUES (1, 'leaver_unit'), (2, 'leaver_agency')) AS x(n, what) ORDER BY x.n LOOP
    CONTINUE WHEN r.what = 'leaver_agency' AND random() < 0.3;
    SELECT s.slot_no, s.person_no, s.org_id INTO v_c, v_pick, v_org
      FROM g_slot s JOIN g_org o USING (org_id)
     WHERE s.role = 'head' AND s.end_date IS NULL AND o.depth >= 1
       AND (r.what = 'leaver_unit' OR o.depth = 1)
       AND s.person_no NOT IN (SELECT p.person_no FROM g_pick p WHERE p.person_no IS NOT NULL)
       AND s.org_id NOT IN (SELECT x.org_id FROM g_slot x WHERE x.tag IS NOT NULL)
     ORDER BY (o.depth >= 2) = (r.what = 'leaver_unit') DESC, (o.depth = 2 AND o.agency_no = v_agno AND random() < 0.7) DESC,
              random()
     LIMIT 1;
    CONTINUE WHEN NOT FOUND;
    v_end := make_date(2026, 2 + floor(random() * 4)::integer, 5 + floor(random() * 16)::integer);
    UPDATE g_slot SET end_date = v_end WHERE slot_no = v_c;
    INSERT INTO g_pick VALUES (r.what, v_pick, v_org);
    v_end := CASE WHEN r.what = 'leaver_agency' AND random() < 0.4 THEN v_end + 2 + floor(random() * 4)::integer
                  WHEN random() < 0.5
                  THEN make_date(2026, extract(month FROM v_end)::integer + 2 + floor(random() * 4)::integer,
                                 5 + floor(random() * 16)::integer)
             END;
    IF v_end IS NOT NULL THEN
      v_n := v_n + 1;
      INSERT INTO g_slot (person_no, org_id, role, start_date) VALUES (v_n, v_org, 'head', v_end);
      INSERT INTO g_pick VALUES ('successor_' || r.what, v_n, v_org);
    END IF;
  END LOOP;
  -- Two people recorded but not posted yet.
  INSERT INTO g_pick VALUES ('unposted1', v_n + 1, NULL), ('unposted2', v_n + 2, NULL);
END $gen$;

-- Cadence: one using agency evaluates by quarter (mostly the agency of the unit a head
-- left), half the time with one of its units by month again; half the time a unit of
-- another agency by quarter.  The June lock falls on an agency evaluated by month.
DO $gen$
DECLARE
  v_q integer;
BEGIN
  IF random() < 0.7 THEN
    v_q := (SELECT o.agency_no FROM g_pick p JOIN g_org o USING (org_id) WHERE p.what = 'leaver_unit');
  END IF;
  v_q := coalesce(v_q, 1 + floor(random() * (SELECT max(agency_no) FROM g_org))::integer);
  UPDATE g_org SET cadence_set = 'quarterly' WHERE depth = 1 AND agency_no = v_q;
  IF random() < 0.5 THEN
    UPDATE g_org SET cadence_set = 'monthly'
     WHERE org_id = (SELECT org_id FROM g_org WHERE depth = 2 AND agency_no = v_q ORDER BY random() LIMIT 1);
  END IF;
  IF random() < 0.5 THEN
    UPDATE g_org SET cadence_set = 'quarterly'
     WHERE org_id = (SELECT org_id FROM g_org WHERE depth >= 2 AND agency_no <> v_q ORDER BY random() LIMIT 1);
  END IF;
  UPDATE g_org o SET cadence = coalesce((SELECT x.cadence_set FROM g_anc a JOIN g_org x ON x.org_id = a.anc_id
                                          WHERE a.org_id = o.org_id AND x.cadence_set IS NOT NULL
                                          ORDER BY a.dist LIMIT 1), 'monthly');
  UPDATE cqs.organisation c SET cadence = o.cadence_set FROM g_org o
   WHERE o.org_id = c.organisation_id AND o.cadence_set IS NOT NULL;
  INSERT INTO g_pick SELECT 'locked_agency', NULL, org_id FROM g_org WHERE depth = 1 AND cadence = 'monthly'
                      ORDER BY random() LIMIT 1;
END $gen$;
-- The first day of the evaluation period holding a day, by an organisation's cadence.
CREATE FUNCTION pg_temp.g_period_of(o bigint, d date) RETURNS date LANGUAGE sql STABLE AS $$
  SELECT date_trunc(CASE WHEN g.cadence = 'quarterly' THEN 'quarter' ELSE 'month' END, d::timestamp)::date
    FROM g_org g WHERE g.org_id = o
$$;
-- Months whose task lines and assessments no lock holds: monthly, June (one agency) and
-- August (everywhere) are locked; quarterly, the third quarter (August's lock).
CREATE FUNCTION pg_temp.g_unlocked(o bigint, m date) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN g.cadence = 'quarterly' THEN extract(quarter FROM m) <> 3
              ELSE extract(month FROM m) NOT IN (6, 8) END
    FROM g_org g WHERE g.org_id = o
$$;
-- Periods open to self-assessed assessments (the confirmation targets): unlocked, and not
-- the periods the lock attempts take (September; quarterly, the second quarter, which
-- holds confirmed assessments only).
CREATE FUNCTION pg_temp.g_open(o bigint, m date) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN g.cadence = 'quarterly' THEN extract(quarter FROM m) IN (1, 4)
              ELSE extract(month FROM m) NOT IN (6, 8, 9) END
    FROM g_org g WHERE g.org_id = o
$$;

-- People and postings.
INSERT INTO g_person (person_no)
SELECT DISTINCT person_no FROM g_slot
UNION SELECT person_no FROM g_pick WHERE what LIKE 'unposted%';
WITH ins AS (
  INSERT INTO cqs.person (personnel_id, full_name)
  SELECT 'VZ-' || lpad(person_no::text, 3, '0'), 'Người ' || person_no FROM g_person ORDER BY person_no
  RETURNING person_id, personnel_id)
UPDATE g_person g SET person_id = ins.person_id FROM ins WHERE ins.personnel_id = 'VZ-' || lpad(g.person_no::text, 3, '0');
WITH ins AS (
  INSERT INTO cqs.posting (person_id, organisation_id, role, field, start_date, end_date)
  SELECT p.person_id, s.org_id, s.role, s.field, s.start_date, s.end_date
    FROM g_slot s JOIN g_person p USING (person_no) ORDER BY s.slot_no
  RETURNING *)
INSERT INTO g_post SELECT posting_id, person_id, organisation_id, role, field, start_date, end_date FROM ins;
CREATE TEMP TABLE g_who AS
SELECT k.what, p.person_id, k.org_id FROM g_pick k LEFT JOIN g_person p USING (person_no);

-- Delegation: one agency now, another long expired.
INSERT INTO g_deleg SELECT org_id, '2026-01-01', NULL FROM g_who WHERE what = 'deleg_agency';
INSERT INTO g_deleg SELECT org_id, '2024-01-01', '2025-06-30' FROM g_who WHERE what = 'expired_deleg_agency';
INSERT INTO cqs.delegation (organisation_id, valid_from, valid_to, reference)
SELECT org_id, valid_from, valid_to, 'QĐ phân công cấp phó' FROM g_deleg;

-- Art. 10, 17.2 (the oracle's, from the generator's tables): who confirms a person's
-- evaluation period holding day d -- the month, or the quarter where the organisation of
-- the posting in force in d's month evaluates by quarter.  A posting or a head's posting
-- counts for a period when it overlaps any day of it.  Staff and deputies: the head(s) of
-- their unit in the period, and for staff the deputies of their field where an agency
-- above delegated; a head, or anyone in a period their unit had no head: the head(s) of
-- the nearest unit above with a head in the period, up to the managing agency.
CREATE FUNCTION pg_temp.o_competent(p bigint, d date) RETURNS SETOF bigint LANGUAGE plpgsql STABLE AS $$
DECLARE
  m0  date := date_trunc('month', d::timestamp)::date;
  v   g_post;
  cad text;
  pf  date;
  pt  date;
  anc record;
  n   integer := 0;
BEGIN
  SELECT g.* INTO v FROM g_post g
   WHERE g.person_id = p AND g.start_date <= (m0 + interval '1 month - 1 day')::date
     AND coalesce(g.end_date, 'infinity') >= m0
   ORDER BY g.start_date DESC LIMIT 1;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  SELECT o.cadence INTO cad FROM g_org o WHERE o.org_id = v.org_id;
  pf := date_trunc(CASE cad WHEN 'quarterly' THEN 'quarter' ELSE 'month' END, d::timestamp)::date;
  pt := (pf + CASE cad WHEN 'quarterly' THEN interval '3 months' ELSE interval '1 month' END - interval '1 day')::date;
  IF v.role <> 'head' AND EXISTS (SELECT 1 FROM g_post h WHERE h.org_id = v.org_id AND h.role = 'head' AND h.person_id <> p
                                     AND h.start_date <= pt AND coalesce(h.end_date, 'infinity') >= pf) THEN
    RETURN QUERY SELECT h.person_id FROM g_post h WHERE h.org_id = v.org_id AND h.role = 'head' AND h.person_id <> p
                    AND h.start_date <= pt AND coalesce(h.end_date, 'infinity') >= pf;
    IF v.role = 'staff' AND EXISTS (SELECT 1 FROM g_deleg d JOIN g_anc c ON c.anc_id = d.org_id
                                     WHERE c.org_id = v.org_id AND d.valid_from <= pt
                                       AND coalesce(d.valid_to, 'infinity') >= pf) THEN
      RETURN QUERY SELECT h.person_id FROM g_post h WHERE h.org_id = v.org_id AND h.role = 'deputy' AND h.field = v.field
                      AND h.person_id <> p AND h.start_date <= pt AND coalesce(h.end_date, 'infinity') >= pf;
    END IF;
    RETURN;
  END IF;
  FOR anc IN SELECT c.anc_id FROM g_anc c WHERE c.org_id = v.org_id AND c.dist >= 1 ORDER BY c.dist LOOP
    RETURN QUERY SELECT h.person_id FROM g_post h WHERE h.org_id = anc.anc_id AND h.role = 'head' AND h.person_id <> p
                    AND h.start_date <= pt AND coalesce(h.end_date, 'infinity') >= pf;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
      RETURN;
    END IF;
  END LOOP;
END $$;
-- For every posting, every month of the year it is the posting in force for (the
-- latest-starting one overlapping the month), the period and its competent evaluators.
-- The structure of December holds for every later period (nothing changes after it).
CREATE TEMP TABLE g_comp AS
SELECT g.posting_id, g.person_id, g.org_id, g.role, m.m AS month, pg_temp.g_period_of(g.org_id, m.m) AS period,
       ARRAY(SELECT DISTINCT c FROM pg_temp.o_competent(g.person_id, m.m) AS c ORDER BY 1) AS evaluators
  FROM g_post g
  CROSS JOIN generate_series(date '2026-01-01', date '2026-12-01', interval '1 month') AS m0
  CROSS JOIN LATERAL (SELECT m0::date AS m) m
 WHERE g.posting_id = (SELECT x.posting_id FROM g_post x
                        WHERE x.person_id = g.person_id AND x.start_date <= (m.m + interval '1 month - 1 day')::date
                          AND coalesce(x.end_date, 'infinity') >= m.m
                        ORDER BY x.start_date DESC LIMIT 1)
 ORDER BY g.posting_id, m.m;
-- The periods to confirm: for every posting, one open period per distinct set of
-- competent evaluators -- November's (the fourth quarter's) for its set where the posting
-- holds it, else one at random.  Each gets a self-assessed assessment (November's is
-- confirmed at random for organisations evaluated by month).
CREATE TEMP TABLE g_period AS
SELECT x.posting_id, x.person_id, x.org_id, x.period
  FROM (SELECT DISTINCT ON (c.posting_id, c.evaluators) c.*
          FROM (SELECT c.*, random() AS rnd FROM g_comp c
                 WHERE c.month = c.period AND pg_temp.g_open(c.org_id, c.month) ORDER BY c.posting_id, c.month) c
         ORDER BY c.posting_id, c.evaluators, c.period = pg_temp.g_period_of(c.org_id, '2026-11-01') DESC, c.rnd) x;

-- A catalogue; one task line per posting (never in a locked month), some off-catalogue.
INSERT INTO cqs.catalogue (organisation_id, version, effective_from, standard_points)
SELECT org_id, 'vz1', '2026-01-01', 5 FROM g_org WHERE depth = 0;
INSERT INTO cqs.catalogue_item (catalogue_id, code, name, output_unit, complexity_group, group_max,
                                points_low, points_high, is_standard, coefficient_low, coefficient_high)
SELECT c.catalogue_id, v.code, v.code, 'doc', v.grp, 100 * v.grp, v.lo, v.hi, v.std, 0, 0
  FROM cqs.catalogue c, (VALUES ('VZ-STD', 1, 5, 5, true), ('VZ-RNG', 3, 40, 80, false)) AS v(code, grp, lo, hi, std)
 WHERE c.version = 'vz1';
SELECT (SELECT item_id FROM cqs.catalogue_item WHERE code = 'VZ-STD') AS item_std,
       (SELECT item_id FROM cqs.catalogue_item WHERE code = 'VZ-RNG') AS item_rng \gset
-- Per posting: a month for its task line, and the month the task-line inserts try (the
-- last unlocked one the posting touches, to November).
CREATE TEMP TABLE g_month AS
SELECT g.posting_id, g.person_id, g.org_id,
       (SELECT max(m.m) FROM unnest(x.months) AS m(m)) AS attempt_month,
       x.months[1 + floor(random() * cardinality(x.months))::integer] AS line_month,
       random() < 0.15 AS off_catalogue
  FROM g_post g
  CROSS JOIN LATERAL (
    SELECT array_agg(m0::date ORDER BY m0) AS months
      FROM generate_series(date '2026-01-01', date '2026-11-01', interval '1 month') AS m0
     WHERE g.start_date <= (m0 + interval '1 month - 1 day')::date AND coalesce(g.end_date, 'infinity') >= m0
       AND pg_temp.g_unlocked(g.org_id, m0::date)) x
 ORDER BY g.posting_id;
INSERT INTO cqs.task_line (person_id, organisation_id, period, deadline, item_id, similar_item_id, title, coefficient,
                           assigned_qty, completed_qty)
SELECT person_id, org_id, line_month, (line_month)::date + 9,
       CASE WHEN off_catalogue THEN NULL ELSE :item_std END, CASE WHEN off_catalogue THEN :item_rng END,
       CASE WHEN off_catalogue THEN 'Việc ngoài danh mục ' || (posting_id % 2) END,
       CASE WHEN off_catalogue THEN 10 ELSE 1 END, 4, 3
  FROM g_month ORDER BY posting_id;
-- Failures and delays recorded one by one on some lines (one exempted).
INSERT INTO cqs.task_deduction (task_line_id, kind, concerned_qty, exemption_reference)
SELECT task_line_id, CASE WHEN task_line_id % 2 = 0 THEN 'quality' ELSE 'lateness' END, 1,
       CASE WHEN task_line_id % 4 = 1 THEN 'CV xác nhận ' || task_line_id END
  FROM cqs.task_line WHERE random() < 0.3;

-- Assessments: the periods to confirm (self-assessed; November's confirmed at random by
-- month), and May's (the second quarter's) confirmed for some of those posted all spring.
INSERT INTO cqs.assessment (person_id, period, organisation_id, criteria_set_id, self_scores, evaluator_scores,
                            status, self_assessed_at, confirmed_at)
SELECT m.person_id, m.period, m.org_id, (SELECT criteria_set_id FROM cqs.criteria_set WHERE code = 'form01'),
       '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}',
       CASE WHEN m.confirmed THEN '{5,4,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2}'::numeric[] END,
       CASE WHEN m.confirmed THEN 'confirmed' ELSE 'self_assessed' END, now(), CASE WHEN m.confirmed THEN now() END
  FROM (SELECT p.posting_id, p.person_id, p.org_id, p.period,
               p.period = '2026-11-01' AND o.cadence = 'monthly' AND random() < 0.4 AS confirmed
          FROM (SELECT * FROM g_period ORDER BY posting_id, period) p JOIN g_org o USING (org_id)
        UNION ALL
        SELECT g.posting_id, g.person_id, g.org_id, pg_temp.g_period_of(g.org_id, '2026-05-01'), true
          FROM (SELECT g.*, random() AS rnd FROM g_post g ORDER BY g.posting_id) g
         WHERE g.start_date <= '2026-04-01' AND coalesce(g.end_date, 'infinity') >= '2026-06-30' AND g.rnd < 0.3
           AND NOT EXISTS (SELECT 1 FROM g_period p WHERE p.person_id = g.person_id
                              AND p.period = pg_temp.g_period_of(g.org_id, '2026-05-01'))) m
 ORDER BY m.posting_id, m.period;

-- Monthly results, fabricated (as test/year.sql does): every month of 2026 to November.
INSERT INTO cqs.period_result (person_id, period, period_kind, organisation_id, person_kind, role, field, total, grade)
SELECT g.person_id, m.m, 'month', g.org_id, 'civil_servant', g.role, g.field, t.total, cqs.classify(t.total)
  FROM g_post g
  CROSS JOIN generate_series(date '2026-01-01', date '2026-11-01', interval '1 month') AS m0
  CROSS JOIN LATERAL (SELECT m0::date AS m) m
  CROSS JOIN LATERAL (SELECT round((45 + random() * 54)::numeric, 2) AS total) t
 WHERE g.start_date <= m.m AND (g.end_date IS NULL OR g.end_date >= m.m)
 ORDER BY g.posting_id, m.m;

-- June locked for one agency (its results kept as records: cqs.locked_result); August
-- locked everywhere, organisation by organisation from the bottom up (so that each has a
-- lock of its own to reopen).
SELECT count(*) > 0 AS locked FROM cqs.lock_period((SELECT org_id FROM g_who WHERE what = 'locked_agency'),
                                                  '2026-06-01', 'tháng 6', true) \gset
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT org_id FROM g_org ORDER BY depth DESC, code LOOP
    PERFORM count(*) FROM cqs.lock_period(r.org_id, '2026-08-01', 'tháng 8', true);
  END LOOP;
END $$;

-- The year: a computed year for everyone posted, the Party opinion for leaders, decisions
-- (at least one per agency, one re-graded), complaints (one resolved), quota choices.
INSERT INTO cqs.year_result (person_id, year, organisation_id, using_agency_id, role, duty_group, months_worked,
                             months_counted, mean_total, score_grade, proposed_grade)
SELECT g.person_id, 2026, g.org_id, pol.using_agency_id, g.role, 'chung', 11, 11, t.total, cqs.classify(t.total),
       cqs.classify(t.total)
  FROM (SELECT DISTINCT ON (person_id) * FROM g_post ORDER BY person_id, start_date DESC) g
  JOIN cqs.organisation_policy pol ON pol.organisation_id = g.org_id
  CROSS JOIN LATERAL (SELECT round((50 + random() * 49)::numeric, 2) AS total) t
 ORDER BY g.person_id;
-- (the meeting and the personnel section's proposal for everyone, before any decision)
INSERT INTO cqs.year_grading (person_id, year, party_opinion, party_opinion_at, self_proposed_grade, self_proposed_at,
                              meeting_minutes_ref, meeting_on, personnel_proposal, personnel_proposed_at)
SELECT r.person_id, 2026, CASE WHEN r.role <> 'staff' THEN 'nhất trí' END, CASE WHEN r.role <> 'staff' THEN now() END,
       CASE WHEN r.role <> 'staff' OR r.person_id % 3 = 0 THEN 'tot'::cqs.grade END,
       CASE WHEN r.role <> 'staff' OR r.person_id % 3 = 0 THEN now() END,
       'BB họp ' || r.person_id, '2026-11-05', r.proposed_grade, now()
  FROM cqs.year_result r ORDER BY r.person_id;
CREATE TEMP TABLE g_decided AS
SELECT r.person_id FROM cqs.year_result r
 WHERE r.person_id IN (SELECT DISTINCT ON (a.anc_id) r2.person_id
                         FROM cqs.year_result r2 JOIN g_anc a ON a.org_id = r2.organisation_id
                         JOIN g_org o ON o.org_id = a.anc_id AND o.depth = 1
                        WHERE r2.person_id <> (SELECT person_id FROM g_who WHERE what = 'chair')
                        ORDER BY a.anc_id, r2.person_id)
UNION
SELECT x.person_id FROM (SELECT r.person_id, random() AS rnd FROM cqs.year_result r ORDER BY r.person_id) x WHERE x.rnd < 0.25;
-- (decided in November: the complaints below are filed after their decisions)
INSERT INTO cqs.grade_decision (person_id, year, organisation_id, grade, decided_by, reference, title, decided_at)
SELECT r.person_id, 2026, r.organisation_id, r.proposed_grade, 'vz-fixture', 'QĐ ' || r.person_id, 'Giám đốc',
       '2026-11-10'
  FROM cqs.year_result r WHERE r.person_id IN (SELECT person_id FROM g_decided) ORDER BY r.person_id;
INSERT INTO cqs.grade_decision (person_id, year, organisation_id, grade, decided_by, reference, title, supersedes, reason,
                                decided_at)
SELECT d.person_id, d.year, d.organisation_id, 'hoan_thanh', 'vz-fixture', 'QĐ sửa ' || d.person_id, 'Chủ tịch',
       d.decision_id, 'kết luận thanh tra', '2026-11-15'
  FROM cqs.grade_decision d ORDER BY d.decision_id DESC LIMIT 1;
INSERT INTO cqs.complaint (person_id, decision_id, filed_on, content, resolved_on, outcome, outcome_note)
SELECT x.person_id, x.decision_id, '2026-11-20', 'kiến nghị',
       CASE WHEN x.n = 1 THEN date '2026-11-25' END, CASE WHEN x.n = 1 THEN 'rejected' END,
       CASE WHEN x.n = 1 THEN 'không có căn cứ' END
  FROM (SELECT d.*, row_number() OVER (ORDER BY random()) AS n
          FROM (SELECT * FROM cqs.grade_decisions_in_force ORDER BY decision_id) d
         WHERE d.person_id <> (SELECT person_id FROM g_who WHERE what = 'chair')) x
 WHERE x.n <= 3;
INSERT INTO cqs.quota_choice (person_id, year, keeps, decided_by, reference, decided_at)
SELECT x.person_id, 2026, true, 'vz-fixture', 'QĐ hạn ngạch', now()
  FROM (SELECT r.person_id, random() AS rnd FROM cqs.year_result r ORDER BY r.person_id) x ORDER BY x.rnd LIMIT 2;

-- Leave, discipline, overrides.
INSERT INTO cqs.leave_record (person_id, kind, start_date, end_date)
SELECT x.person_id, 'sick', '2026-02-02', '2026-02-06'
  FROM (SELECT p.person_id, random() AS rnd FROM g_person p ORDER BY p.person_no) x ORDER BY x.rnd LIMIT 5;
INSERT INTO cqs.discipline (person_id, kind, level, decision_date, decision_ref, act_ref, act_organisation_id)
SELECT x.person_id, 'administrative', 'khien_trach', '2026-04-10', 'QĐ KL ' || x.person_id, 'ACT-' || x.person_id, x.org_id
  FROM (SELECT g.person_id, g.org_id, random() AS rnd FROM g_post g ORDER BY g.posting_id) x ORDER BY x.rnd LIMIT 3;
INSERT INTO cqs.year_override (person_id, year, kind, decided_by, decided_on, reference, reason)
SELECT x.person_id, 2026, 'degradation', 'Thanh tra', '2026-10-01', 'KL ' || x.person_id, 'suy thoái'
  FROM (SELECT g.person_id, random() AS rnd FROM g_post g WHERE g.end_date IS NULL ORDER BY g.posting_id) x
 ORDER BY x.rnd LIMIT 2;

-- Totals imported from a previous system (a month before this one started), for some.
INSERT INTO cqs.imported_total (person_id, period, organisation_id, total, source, reference)
SELECT x.person_id, '2025-12-01', x.org_id, 80, 'hệ thống cũ', 'CV ' || x.person_id
  FROM (SELECT g.person_id, g.org_id, random() AS rnd FROM g_post g WHERE g.start_date = '2026-01-01'
         ORDER BY g.posting_id) x
 ORDER BY x.rnd LIMIT 4;

-- Every organisation's year (for the organisations' grades), decided (a head's decision
-- waits for their organisation's grade and stays at or below it).
INSERT INTO cqs.organisation_year (organisation_id, year, general_scores, task_scores, tasks_assigned, tasks_completed,
                                   tasks_on_time, planned_tasks, planned_tasks_done, decided_grade, decided_by, decided_at)
SELECT org_id, 2026, '{8,8,8}', '{8,12,8,4,8,4,8,4}', 10, 10, 10, 5, 5, 'xuat_sac', 'vz-fixture', '2026-11-05'
  FROM g_org ORDER BY org_id;

-- ===========================================================================
-- 2. The actors: logins, the group roles they are granted, their people, mandates.
-- ===========================================================================
-- person_id: the person the actor acts as; via_portal: through a portal's cqs.act_as (the
-- login's own mandates then do not count); prelude: what the session runs after SET ROLE.
CREATE TEMP TABLE actor (actor text PRIMARY KEY, login text NOT NULL, person_id bigint, via_portal boolean NOT NULL,
                         groups text[] NOT NULL, prelude text);
CREATE ROLE regress_vz_servant;     CREATE ROLE regress_vz_unithead;   CREATE ROLE regress_vz_agencyhead;
CREATE ROLE regress_vz_chair;       CREATE ROLE regress_vz_depdeleg;   CREATE ROLE regress_vz_depnodeleg;
CREATE ROLE regress_vz_personnel;   CREATE ROLE regress_vz_authority;  CREATE ROLE regress_vz_transfer;
CREATE ROLE regress_vz_analyst;     CREATE ROLE regress_vz_analyst_id; CREATE ROLE regress_vz_portal;
CREATE ROLE regress_vz_jobs;        CREATE ROLE regress_vz_admin;      CREATE ROLE regress_vz_nogroup;
GRANT cqs_servant TO regress_vz_servant, regress_vz_unithead, regress_vz_agencyhead, regress_vz_chair,
                     regress_vz_depdeleg, regress_vz_depnodeleg, regress_vz_personnel, regress_vz_authority,
                     regress_vz_transfer;
GRANT cqs_evaluator TO regress_vz_unithead, regress_vz_agencyhead, regress_vz_chair, regress_vz_depdeleg,
                       regress_vz_depnodeleg, regress_vz_transfer, regress_vz_authority;
GRANT cqs_authority TO regress_vz_chair, regress_vz_authority;
GRANT cqs_personnel TO regress_vz_personnel;
GRANT cqs_analyst TO regress_vz_analyst, regress_vz_analyst_id;
GRANT cqs_portal TO regress_vz_portal;
GRANT cqs_jobs TO regress_vz_jobs;
GRANT cqs_admin TO regress_vz_admin;

INSERT INTO actor
SELECT v.actor, v.login, w.person_id, false, v.groups
  FROM (VALUES
    ('servant',    'regress_vz_servant',    'servant',    '{cqs_servant}'::text[]),
    ('unit head',  'regress_vz_unithead',   'unithead',   '{cqs_servant,cqs_evaluator}'),
    ('agency head','regress_vz_agencyhead', 'agencyhead', '{cqs_servant,cqs_evaluator}'),
    ('chair',      'regress_vz_chair',      'chair',      '{cqs_servant,cqs_evaluator,cqs_authority}'),
    ('deputy with delegation',    'regress_vz_depdeleg',   'depdeleg',   '{cqs_servant,cqs_evaluator}'),
    ('deputy without delegation', 'regress_vz_depnodeleg', 'depnodeleg', '{cqs_servant,cqs_evaluator}'),
    ('personnel officer', 'regress_vz_personnel', 'personnel', '{cqs_servant,cqs_personnel}'),
    ('authority',  'regress_vz_authority',  'authority',  '{cqs_servant,cqs_evaluator,cqs_authority}'),
    ('transferred leader', 'regress_vz_transfer', 'transfer', '{cqs_servant,cqs_evaluator}')) AS v(actor, login, what, groups)
  JOIN g_who w ON w.what = v.what;
INSERT INTO actor VALUES
  ('analyst',            'regress_vz_analyst',    NULL, false, '{cqs_analyst}'),
  ('identified analyst', 'regress_vz_analyst_id', NULL, false, '{cqs_analyst}'),
  ('portal for nobody',  'regress_vz_portal',     NULL, false, '{cqs_portal,cqs_servant,cqs_evaluator,cqs_personnel,cqs_authority}'),
  ('jobs',               'regress_vz_jobs',       NULL, false, '{cqs_jobs}'),
  ('admin',              'regress_vz_admin',      NULL, false, '{cqs_admin,cqs_jobs}'),
  ('no group',           'regress_vz_nogroup',    NULL, false, '{}');
-- The portal acts for a random person, and for a random leader or mandate holder.
INSERT INTO actor
SELECT 'portal for a person', 'regress_vz_portal', x.person_id, true,
       '{cqs_portal,cqs_servant,cqs_evaluator,cqs_personnel,cqs_authority}'
  FROM (SELECT g.person_id, random() AS rnd FROM g_person g JOIN g_post USING (person_id) ORDER BY g.person_no, g_post.posting_id) x
 ORDER BY x.rnd LIMIT 1;
INSERT INTO actor
SELECT 'portal for a leader', 'regress_vz_portal', x.person_id, true,
       '{cqs_portal,cqs_servant,cqs_evaluator,cqs_personnel,cqs_authority}'
  FROM (SELECT w.person_id, random() AS rnd FROM g_who w
         WHERE w.what IN ('chair', 'unithead', 'agencyhead', 'depdeleg', 'personnel', 'authority', 'transfer')
           AND w.person_id IS NOT NULL ORDER BY w.what) x
 ORDER BY x.rnd LIMIT 1;

UPDATE actor SET prelude = format('SELECT cqs.act_as(%s)', person_id) WHERE via_portal;
-- A servant's login that forges a portal's token for the chair acts for nobody.
INSERT INTO actor
SELECT 'forged token', 'regress_vz_servant', NULL, false, '{cqs_servant}',
       format('SELECT set_config(''cqs.acting_person'', %L, true)',
              (SELECT person_id FROM g_who WHERE what = 'chair') || ':' || md5(random()::text) || md5(random()::text));
INSERT INTO cqs.person_login (login, person_id)
SELECT DISTINCT login, person_id FROM actor WHERE NOT via_portal AND person_id IS NOT NULL;

INSERT INTO g_mandate (kind, org_id, person_id, login, identified, valid_from, valid_to)
SELECT 'personnel', (SELECT org_id FROM g_who WHERE what = 'personnel_agency'), person_id, NULL::text, false,
       current_date - 30, NULL::date
  FROM g_who WHERE what = 'personnel'
UNION ALL
SELECT 'authority', (SELECT org_id FROM g_who WHERE what = 'authority_agency'), person_id, NULL, false, current_date - 30, NULL
  FROM g_who WHERE what = 'authority'
UNION ALL
SELECT 'authority', org_id, (SELECT person_id FROM g_who WHERE what = 'chair'), NULL, false, current_date - 30, NULL
  FROM g_org WHERE depth = 0
UNION ALL
SELECT 'analyst', org_id, NULL, 'regress_vz_analyst', false, current_date - 30, NULL FROM g_org WHERE depth = 0
UNION ALL
SELECT 'analyst', (SELECT org_id FROM g_who WHERE what = 'analyst_agency'), NULL, 'regress_vz_analyst_id', true,
       current_date - 30, NULL
UNION ALL
SELECT 'analyst', (SELECT org_id FROM g_who WHERE what = 'agencyhead_login_agency'), NULL, 'regress_vz_agencyhead', false,
       current_date - 30, NULL
UNION ALL
SELECT 'personnel', (SELECT org_id FROM g_who WHERE what = 'expired_agency'), person_id, NULL, false,
       current_date - 400, current_date - 1
  FROM g_who WHERE what = 'servant'
UNION ALL
SELECT 'authority', org_id, (SELECT person_id FROM g_who WHERE what = 'depnodeleg'), NULL, false,
       current_date + 10, NULL
  FROM g_org WHERE depth = 0;
INSERT INTO cqs.mandate (kind, organisation_id, person_id, login, identified, valid_from, valid_to, reference)
SELECT kind, org_id, person_id, login, identified, valid_from, valid_to, 'QĐ phân công' FROM g_mandate;

SELECT diag(format('city: %s organisations (%s using agencies, %s levels below the root), %s people '
                   '(%s posted, %s moved on 1 July, %s heads, %s deputies), %s delegations, %s mandates',
                   (SELECT count(*) FROM g_org), (SELECT count(*) FROM g_org WHERE depth = 1),
                   (SELECT max(depth) FROM g_org), (SELECT count(*) FROM g_person),
                   (SELECT count(DISTINCT person_id) FROM g_post),
                   (SELECT count(*) FROM g_post WHERE end_date = '2026-06-30'),
                   (SELECT count(*) FROM g_post WHERE role = 'head'), (SELECT count(*) FROM g_post WHERE role = 'deputy'),
                   (SELECT count(*) FROM g_deleg), (SELECT count(*) FROM g_mandate)));
SELECT ok((SELECT count(*) FROM g_person) >= 30 AND (SELECT count(*) FROM g_org WHERE depth = 1) >= 3
          AND (SELECT max(depth) FROM g_org) >= 2 AND (SELECT count(*) FROM actor) = 18,
          'the city: >= 30 people, >= 3 agencies, >= 2 levels below the root, 18 actors');
CREATE TEMP TABLE g_cases AS
SELECT (SELECT count(*) FROM g_org o WHERE o.depth >= 1
         AND NOT EXISTS (SELECT 1 FROM g_post h WHERE h.org_id = o.org_id AND h.role = 'head')) AS headless,
       (SELECT count(*) FROM g_org o JOIN g_org p ON p.org_id = o.parent_id
         WHERE p.depth >= 1 AND NOT EXISTS (SELECT 1 FROM g_post h WHERE h.org_id IN (o.org_id, p.org_id)
                                               AND h.role = 'head')) AS headless_chains,
       (SELECT count(*) FROM g_post h
         WHERE h.role = 'head' AND h.end_date IS NOT NULL AND extract(day FROM h.end_date + 1) <> 1
           AND EXISTS (SELECT 1 FROM generate_series(date_trunc('month', h.end_date) + interval '1 month',
                                                     date '2026-12-01', interval '1 month') AS m
                        WHERE NOT EXISTS (SELECT 1 FROM g_post x WHERE x.org_id = h.org_id AND x.role = 'head'
                                             AND x.start_date < m + interval '1 month'
                                             AND coalesce(x.end_date, 'infinity') >= m))) AS mid_month_vacancies,
       (SELECT count(*) FROM g_post h JOIN g_org o USING (org_id)
         WHERE h.role = 'head' AND o.cadence = 'quarterly' AND extract(day FROM h.end_date + 1) <> 1) AS quarterly_leavers,
       (SELECT count(*) FROM g_post h WHERE h.role = 'head' AND extract(day FROM h.start_date) <> 1) AS successors,
       (SELECT count(*) FROM g_org WHERE cadence = 'quarterly') AS quarterly,
       (SELECT count(*) FROM g_org o JOIN cqs.organisation_policy pol ON pol.organisation_id = o.org_id
         WHERE pol.cadence IS DISTINCT FROM o.cadence) AS cadence_mismatches;
SELECT diag(format('cases: %s organisations never headed (%s chains of two), %s heads leaving mid-month before a '
                   'vacant month, %s heads leaving mid-month where evaluation is by quarter, %s successors arriving '
                   'mid-month, %s organisations by quarter',
                   headless, headless_chains, mid_month_vacancies, quarterly_leavers, successors, quarterly))
  FROM g_cases;
SELECT ok(headless_chains >= 1 AND mid_month_vacancies >= 1 AND quarterly >= 1 AND cadence_mismatches = 0,
          'the cases: a chain of two headless levels, a head leaving mid-month before a vacancy, an organisation '
          'by quarter (the policies agree)')
  FROM g_cases;

-- ===========================================================================
-- 3. The oracle, from the generator's knowledge only.
-- ===========================================================================
-- Mandates in force today, by kind, over every organisation of their subtrees.  A portal
-- acting for a person has that person's mandates; a login its own and its person's.
CREATE TEMP TABLE o_scope AS
SELECT DISTINCT a.actor, m.kind, m.identified, s.org_id
  FROM actor a
  JOIN g_mandate m ON (m.person_id = a.person_id OR (m.login = a.login AND NOT a.via_portal))
  JOIN g_anc s ON s.anc_id = m.org_id
 WHERE m.valid_from <= current_date AND (m.valid_to IS NULL OR m.valid_to >= current_date);
-- Art. 10: the (person, organisation) pairs an actor evaluates: those of the periods
-- (months, or quarters) the actor is competent for (o_competent, walked over every month
-- of the year), and, as a deputy where an agency above delegated, the staff of the unit
-- in the deputy's field over postings that overlap.
CREATE TEMP TABLE o_eval AS
SELECT DISTINCT a.actor, c.person_id, c.org_id
  FROM actor a JOIN g_comp c ON a.person_id = ANY (c.evaluators)
UNION
SELECT a.actor, s.person_id, s.org_id
  FROM actor a
  JOIN g_post h ON h.person_id = a.person_id AND h.role = 'deputy'
  JOIN g_post s ON s.person_id <> a.person_id AND s.org_id = h.org_id AND s.role = 'staff' AND s.field = h.field
               AND s.start_date <= coalesce(h.end_date, 'infinity') AND h.start_date <= coalesce(s.end_date, 'infinity')
 WHERE EXISTS (SELECT 1 FROM g_deleg d JOIN g_anc c ON c.anc_id = d.org_id
                WHERE c.org_id = h.org_id
                  AND d.valid_from <= coalesce(h.end_date, 'infinity')
                  AND h.start_date <= coalesce(d.valid_to, 'infinity'));
-- For the counts only: how far above the person's unit the actor heads, and the pairs the
-- former rule (the unit's head; the head one level up, for heads and units never headed
-- while the person was there) gave.
CREATE TEMP TABLE o_eval_how AS
SELECT e.actor, e.person_id, e.org_id,
       (SELECT min(c.dist) FROM g_anc c JOIN g_post h ON h.org_id = c.anc_id AND h.role = 'head'
         JOIN actor a ON a.person_id = h.person_id AND a.actor = e.actor
         WHERE c.org_id = e.org_id) AS dist
  FROM o_eval e;
CREATE TEMP TABLE o_eval_former AS
SELECT DISTINCT a.actor, s.person_id, s.org_id
  FROM actor a
  JOIN g_post h ON h.person_id = a.person_id
  JOIN g_post s ON s.person_id <> a.person_id
               AND s.start_date <= coalesce(h.end_date, 'infinity') AND h.start_date <= coalesce(s.end_date, 'infinity')
  JOIN g_org so ON so.org_id = s.org_id
 WHERE (h.role = 'head' AND s.org_id = h.org_id AND s.role IN ('staff', 'deputy'))
    OR (h.role = 'head' AND so.parent_id = h.org_id
        AND (s.role = 'head'
             OR NOT EXISTS (SELECT 1 FROM g_post x WHERE x.org_id = s.org_id AND x.role = 'head'
                               AND x.start_date <= coalesce(s.end_date, 'infinity')
                               AND s.start_date <= coalesce(x.end_date, 'infinity'))))
    OR (h.role = 'deputy' AND s.org_id = h.org_id AND s.role = 'staff' AND s.field = h.field
        AND EXISTS (SELECT 1 FROM g_deleg d JOIN g_anc c ON c.anc_id = d.org_id
                     WHERE c.org_id = h.org_id
                       AND d.valid_from <= coalesce(h.end_date, 'infinity')
                       AND h.start_date <= coalesce(d.valid_to, 'infinity')));
-- Whose records (names, postings, leave, ...) the actor may read: themself, whom they
-- evaluate, everyone ever posted under an identified mandate (personnel, authority,
-- identified analyst).  The people table adds those not posted anywhere, for personnel.
CREATE TEMP TABLE o_people AS
SELECT a.actor, a.person_id FROM actor a WHERE a.person_id IS NOT NULL
UNION SELECT e.actor, e.person_id FROM o_eval e
UNION SELECT s.actor, g.person_id FROM o_scope s JOIN g_post g USING (org_id) WHERE s.kind <> 'analyst' OR s.identified;
CREATE TEMP TABLE o_person_tbl AS
SELECT actor, person_id FROM o_people
UNION SELECT s.actor, p.person_id FROM (SELECT DISTINCT actor FROM o_scope WHERE kind = 'personnel') s
        CROSS JOIN g_person p WHERE NOT EXISTS (SELECT 1 FROM g_post g WHERE g.person_id = p.person_id);

ANALYZE g_org, g_anc, g_post, g_person, g_deleg, g_mandate, g_who, actor, o_scope, o_eval, o_people, o_person_tbl;

-- Results: own, any mandate over the organisation, evaluated pair.
CREATE FUNCTION pg_temp.o_result(a text, p bigint, o bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT p = (SELECT person_id FROM actor WHERE actor = a)
      OR EXISTS (SELECT 1 FROM o_scope s WHERE s.actor = a AND s.org_id = o)
      OR EXISTS (SELECT 1 FROM o_eval e WHERE e.actor = a AND e.person_id = p AND e.org_id = o)
$$;
-- Postings and task lines: own, identified mandate over the organisation, evaluated pair.
CREATE FUNCTION pg_temp.o_ident(a text, p bigint, o bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT p = (SELECT person_id FROM actor WHERE actor = a)
      OR EXISTS (SELECT 1 FROM o_scope s WHERE s.actor = a AND s.org_id = o AND (s.kind <> 'analyst' OR s.identified))
      OR EXISTS (SELECT 1 FROM o_eval e WHERE e.actor = a AND e.person_id = p AND e.org_id = o)
$$;
CREATE FUNCTION pg_temp.o_person(a text, p bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM o_people x WHERE x.actor = a AND x.person_id = p)
$$;
CREATE FUNCTION pg_temp.o_person_tbl(a text, p bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM o_person_tbl x WHERE x.actor = a AND x.person_id = p)
$$;
CREATE FUNCTION pg_temp.o_has(a text, kind text, o bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM o_scope s WHERE s.actor = a AND s.kind = $2 AND s.org_id = o)
$$;

-- Which relations the actor's group roles open (what cqs.setup_roles() is meant to
-- grant): 'yes', 'no', or 'either' where the model leaves the door to the extension (the
-- rows behind it are checked all the same when it opens).
CREATE FUNCTION pg_temp.o_access(g text[], rel text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN rel IN ('_secret', 'unposted_person') THEN 'no'
    -- The jobs' run log: the jobs and administrators.  The outbox: read like results, but
    -- never by analysts, jobs or administrators (it carries identification numbers);
    -- its batches (no personal data) by every reader and the jobs.
    WHEN rel IN ('job_run', 'job_step', 'job_runs') THEN CASE WHEN g && '{cqs_jobs,cqs_admin}' THEN 'yes' ELSE 'no' END
    WHEN rel IN ('outbox', 'outbox_status') AND NOT g && '{cqs_servant,cqs_evaluator,cqs_personnel,cqs_authority}' THEN 'no'
    WHEN rel = 'outbox_batch' AND g && '{cqs_analyst,cqs_jobs,cqs_admin}' THEN 'yes'
    WHEN rel IN ('mandate', 'person_login') THEN CASE WHEN 'cqs_admin' = ANY (g) THEN 'yes' ELSE 'no' END
    -- Taking work in (72_ingest.sql): connectors, personnel sections and administrators;
    -- the provenance view reads task lines (personnel sections).  Row-level security picks
    -- the sources; this city has none (test/ingest.sql checks those rows).
    WHEN rel = 'ingest_provenance' THEN CASE WHEN 'cqs_personnel' = ANY (g) THEN 'yes' ELSE 'no' END
    WHEN rel LIKE 'ingest\_%' THEN CASE WHEN g && '{cqs_ingest,cqs_personnel,cqs_admin}' THEN 'yes' ELSE 'no' END
    -- Servants, evaluators, personnel sections, authorities (and portals): every door;
    -- row-level security picks the rows.
    WHEN g && '{cqs_servant,cqs_evaluator,cqs_personnel,cqs_authority}' THEN 'yes'
    WHEN rel = 'refresh_status' AND g && '{cqs_analyst,cqs_jobs,cqs_admin}' THEN 'yes'
    WHEN rel IN ('organisation', 'organisation_policy', 'organisation_closure', 'criteria_set', 'criteria_item',
                 'catalogue', 'catalogue_item', 'organisation_criteria', 'public_holiday', 'period_lock',
                 'bonus_regulation', 'organisation_year', 'stale_month', 'refresh_queue', 'quota_decision',
                 'delegation', 'person', 'message_text') AND g && '{cqs_analyst,cqs_admin}' THEN 'yes'
    -- Administrators: the audit trail; views are theirs to open or not (no personal rows
    -- reach them but the trail's).
    WHEN 'cqs_admin' = ANY (g) THEN CASE WHEN rel IN ('audit_log', 'audit_trail') THEN 'yes'
                                         WHEN rel IN (SELECT relname FROM pg_class
                                                       WHERE relnamespace = 'cqs'::regnamespace AND relkind = 'v')
                                         THEN 'either' ELSE 'no' END
    -- Analysts: results and their views (year results and the grade distribution too,
    -- pseudonymous); never the assessment's comments (Form 01); the records of a person
    -- and the audit trail open or not (identified mandates only reach their rows).
    WHEN 'cqs_analyst' = ANY (g) THEN CASE WHEN rel = 'form01' THEN 'no'
                                           WHEN rel IN ('leave_record', 'discipline', 'year_override', 'year_grading',
                                                        'quota_choice', 'complaint', 'complaints', 'overdue', 'form02',
                                                        'evaluator_todo',
                                                        'discipline_counted', 'audit_log', 'audit_trail') THEN 'either'
                                           ELSE 'yes' END
    ELSE 'no'
  END
$$;

-- Which write each group role opens (EXECUTE on the function, or the table privilege).
CREATE FUNCTION pg_temp.o_door(g text[], kind text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN kind IN ('self_assess', 'propose_grade', 'file_complaint') THEN g && '{cqs_servant,cqs_personnel}'
    WHEN kind IN ('confirm', 'set_leader_terms') THEN g && '{cqs_evaluator}'
    WHEN kind IN ('lock_period', 'posting insert', 'posting update', 'posting delete', 'leave insert')
      THEN g && '{cqs_personnel}'
    WHEN kind IN ('reopen_period', 'decide_grade', 'regrade', 'choose_quota', 'decide_organisation_grade',
                  'resolve_complaint') THEN g && '{cqs_authority}'
    WHEN kind LIKE 'task_line %' THEN g && '{cqs_evaluator,cqs_personnel}'
  END
$$;

-- ===========================================================================
-- 4. Reading every relation as every actor.
-- ===========================================================================
-- Each relation's rows as (key, person, organisation, personnel id shown, class): tables
-- by their key columns, views by the whole row (as a portal reads them: SELECT *).
-- Classes: config (everyone with the grant sees every row), R results, I postings and
-- task lines, P a person's records, PT the people table, RPT/RP both, AUD audit.
CREATE TEMP TABLE rel (rel text PRIMARY KEY, is_view boolean, class text, has_shown boolean DEFAULT false, q text);
INSERT INTO rel (rel, is_view, class, q)
SELECT c.relname, c.relkind = 'v', 'config',
       format('SELECT md5(to_jsonb(t)::text), NULL::bigint, NULL::bigint, NULL::boolean, NULL::text FROM cqs.%I t', c.relname)
  FROM pg_class c
 WHERE c.relnamespace = 'cqs'::regnamespace AND c.relkind IN ('r', 'v', 'p')
   AND c.relname IN ('organisation', 'organisation_policy', 'organisation_closure', 'criteria_set', 'criteria_item',
                     'catalogue', 'catalogue_item', 'organisation_criteria', 'public_holiday', 'period_lock',
                     'bonus_regulation', 'organisation_year', 'stale_month', 'refresh_queue', 'quota_decision',
                     'delegation', 'mandate', 'person_login', '_secret', 'unposted_person', 'organisation_results',
                     'organisation_policies', 'organisation_tree', 'refresh_status', 'outbox_batch', 'job_run', 'job_step',
                     'job_runs', 'message_text', 'ingest_source', 'ingest_cutoff', 'ingest_assignee_map', 'ingest_type_map', 'ingest_task',
                     'ingest_batch', 'ingest_queue', 'ingest_unmapped', 'ingest_provenance');
INSERT INTO rel (rel, is_view, class, has_shown, q) VALUES
  ('period_result', false, 'R', false,
   $q$SELECT person_id || '|' || period, person_id, organisation_id, NULL::boolean, NULL FROM cqs.period_result$q$),
  ('locked_result', false, 'R', false,
   $q$SELECT lock_id || '|' || person_id || '|' || period, person_id, organisation_id, NULL::boolean, NULL FROM cqs.locked_result$q$),
  ('imported_total', false, 'R', false,
   $q$SELECT person_id || '|' || period, person_id, organisation_id, NULL::boolean, NULL FROM cqs.imported_total$q$),
  ('year_result', false, 'R', false,
   $q$SELECT person_id || '|' || year, person_id, organisation_id, NULL::boolean, NULL FROM cqs.year_result$q$),
  ('grade_decision', false, 'R', false,
   $q$SELECT decision_id::text, person_id, organisation_id, NULL::boolean, NULL FROM cqs.grade_decision$q$),
  ('assessment', false, 'R', false,
   $q$SELECT person_id || '|' || period, person_id, organisation_id, NULL::boolean, NULL FROM cqs.assessment$q$),
  ('posting', false, 'I', false,
   $q$SELECT posting_id::text, person_id, organisation_id, NULL::boolean, NULL FROM cqs.posting$q$),
  ('task_line', false, 'I', false,
   $q$SELECT task_line_id::text, person_id, organisation_id, NULL::boolean, NULL FROM cqs.task_line$q$),
  -- (its person and organisation looked up without filtering its rows: the deduction's
  -- own policy decides what is seen)
  ('task_deduction', false, 'I', false,
   $q$SELECT d.deduction_id::text, (SELECT t.person_id FROM cqs.task_line t WHERE t.task_line_id = d.task_line_id),
             (SELECT t.organisation_id FROM cqs.task_line t WHERE t.task_line_id = d.task_line_id), NULL::boolean, NULL
        FROM cqs.task_deduction d$q$),
  ('outbox', false, 'R', false,
   $q$SELECT item_id::text, person_id, organisation_id, NULL::boolean, NULL FROM cqs.outbox$q$),
  ('outbox_status', true, 'R', false,
   $q$SELECT j->>'item_id', (j->>'person_id')::bigint, (j->>'organisation_id')::bigint, NULL::boolean, NULL
        FROM (SELECT to_jsonb(v) AS j FROM cqs.outbox_status v) s$q$),
  ('person', false, 'PT', false,
   $q$SELECT person_id::text, person_id, NULL::bigint, NULL::boolean, NULL FROM cqs.person$q$),
  ('leave_record', false, 'P', false,
   $q$SELECT leave_id::text, person_id, NULL::bigint, NULL::boolean, NULL FROM cqs.leave_record$q$),
  ('discipline', false, 'P', false,
   $q$SELECT discipline_id::text, person_id, NULL::bigint, NULL::boolean, NULL FROM cqs.discipline$q$),
  ('year_override', false, 'P', false,
   $q$SELECT override_id::text, person_id, NULL::bigint, NULL::boolean, NULL FROM cqs.year_override$q$),
  ('year_grading', false, 'P', false,
   $q$SELECT person_id || '|' || year, person_id, NULL::bigint, NULL::boolean, NULL FROM cqs.year_grading$q$),
  ('quota_choice', false, 'P', false,
   $q$SELECT person_id || '|' || year, person_id, NULL::bigint, NULL::boolean, NULL FROM cqs.quota_choice$q$),
  ('complaint', false, 'P', false,
   $q$SELECT complaint_id::text, person_id, NULL::bigint, NULL::boolean, NULL FROM cqs.complaint$q$),
  ('audit_log', false, 'AUD', false,
   $q$SELECT audit_id::text, person_id, NULL::bigint, NULL::boolean, NULL FROM cqs.audit_log$q$),
  ('month_results', true, 'R', true,
   $q$SELECT (j->>'person_id') || '|' || (j->>'period'), (j->>'person_id')::bigint, (j->>'organisation_id')::bigint,
             (j->>'personnel_id') IS NOT NULL, NULL FROM (SELECT to_jsonb(v) AS j FROM cqs.month_results v) s$q$),
  ('not_completed', true, 'R', true,
   $q$SELECT (j->>'person_id') || '|' || (j->>'year'), (j->>'person_id')::bigint, (j->>'organisation_id')::bigint,
             (j->>'personnel_id') IS NOT NULL, NULL FROM (SELECT to_jsonb(v) AS j FROM cqs.not_completed v) s$q$),
  ('quarter_results', true, 'R', false,
   $q$SELECT concat_ws('|', j->>'person_id', j->>'year', j->>'quarter', j->>'total'), (j->>'person_id')::bigint,
             (j->>'organisation_id')::bigint, NULL::boolean, NULL FROM (SELECT to_jsonb(v) AS j FROM cqs.quarter_results v) s$q$),
  ('half_year_results', true, 'R', false,
   $q$SELECT concat_ws('|', j->>'person_id', j->>'year', j->>'half', j->>'total'), (j->>'person_id')::bigint,
             (j->>'organisation_id')::bigint, NULL::boolean, NULL FROM (SELECT to_jsonb(v) AS j FROM cqs.half_year_results v) s$q$),
  ('year_results', true, 'R', true,
   $q$SELECT (j->>'person_id') || '|' || (j->>'year'), (j->>'person_id')::bigint, (j->>'organisation_id')::bigint,
             (j->>'personnel_id') IS NOT NULL, NULL FROM (SELECT to_jsonb(v) AS j FROM cqs.year_results v) s$q$),
  ('form01', true, 'RPT', false,
   $q$SELECT DISTINCT (j->>'person_id') || '|' || (j->>'period'), (j->>'person_id')::bigint, (j->>'organisation_id')::bigint,
             NULL::boolean, NULL FROM (SELECT to_jsonb(v) AS j FROM cqs.form01 v) s$q$),
  ('form02', true, 'RPT', false,
   $q$SELECT (j->>'person_id') || '|' || (j->>'year'), (j->>'person_id')::bigint, (j->>'organisation_id')::bigint,
             NULL::boolean, NULL FROM (SELECT to_jsonb(v) AS j FROM cqs.form02 v) s$q$),
  ('task_lines_explained', true, 'I', false,
   $q$SELECT j->>'task_line_id', (j->>'person_id')::bigint, (j->>'organisation_id')::bigint, NULL::boolean, NULL
        FROM (SELECT to_jsonb(v) AS j FROM cqs.task_lines_explained v) s$q$),
  ('complaints', true, 'P', false,
   $q$SELECT j->>'complaint_id', (j->>'person_id')::bigint, NULL::bigint, NULL::boolean, NULL
        FROM (SELECT to_jsonb(v) AS j FROM cqs.complaints v) s$q$),
  -- (a period nobody started is known from the posting: read like postings)
  ('overdue', true, 'R', false,
   $q$SELECT concat_ws('|', j->>'kind', j->>'person_id', j->>'period_or_year_start'), (j->>'person_id')::bigint,
             (j->>'organisation_id')::bigint, NULL::boolean,
             CASE WHEN j->>'kind' = 'complaint' THEN 'RP' WHEN j->>'assessment_status' = 'not_started' THEN 'I' END
        FROM (SELECT to_jsonb(v) AS j FROM cqs.overdue v) s$q$),
  ('discipline_counted', true, 'P', false,
   $q$SELECT j->>'discipline_id', (j->>'person_id')::bigint, NULL::bigint, NULL::boolean, NULL
        FROM (SELECT to_jsonb(v) AS j FROM cqs.discipline_counted v) s$q$),
  ('grade_decisions_in_force', true, 'R', false,
   $q$SELECT j->>'decision_id', (j->>'person_id')::bigint, (j->>'organisation_id')::bigint, NULL::boolean, NULL
        FROM (SELECT to_jsonb(v) AS j FROM cqs.grade_decisions_in_force v) s$q$),
  ('audit_trail', true, 'AUD', true,
   $q$SELECT j->>'audit_id', (j->>'person_id')::bigint, NULL::bigint, (j->>'personnel_id') IS NOT NULL, NULL
        FROM (SELECT to_jsonb(v) AS j FROM cqs.audit_trail v) s$q$),
  -- Aggregates: the oracle aggregates the rows the actor may see (section below).
  ('grade_distribution', true, 'agg', false,
   $q$SELECT concat_ws('|', j->>'year', j->>'organisation_id', j->>'duty_group', j->>'grade', j->>'status', j->>'people'),
             NULL::bigint, NULL::bigint, NULL::boolean, NULL FROM (SELECT to_jsonb(v) AS j FROM cqs.grade_distribution v) s$q$),
  ('catalogue_additions', true, 'agg', false,
   $q$SELECT concat_ws('|', j->>'organisation_id', j->>'title', j->>'priced_like_item', j->>'coefficient', j->>'task_lines'),
             NULL::bigint, NULL::bigint, NULL::boolean, NULL FROM (SELECT to_jsonb(v) AS j FROM cqs.catalogue_additions v) s$q$),
  -- Each actor's own to-do list: the oracle below names the periods they are competent for.
  ('evaluator_todo', true, 'agg', false,
   $q$SELECT concat_ws('|', j->>'person_id', j->>'period', j->>'action'), NULL::bigint, NULL::bigint, NULL::boolean, NULL
        FROM (SELECT to_jsonb(v) AS j FROM cqs.evaluator_todo v) s$q$);

-- Every relation of the schema is read (a new one must be classified here).
SELECT is_empty($$SELECT c.relname::text FROM pg_class c WHERE c.relnamespace = 'cqs'::regnamespace
                    AND c.relkind IN ('r', 'v', 'p', 'm') AND c.relname NOT IN (SELECT rel FROM rel)$$,
                'every table and view of schema cqs is read as every actor');

-- Read a relation as an actor: its keys, or the SQLSTATE that refused it.
CREATE FUNCTION pg_temp.read_as(p_login text, p_prelude text, p_q text, OUT keys text[], OUT state text)
LANGUAGE plpgsql AS $$
BEGIN
  BEGIN
    EXECUTE format('SET LOCAL ROLE %I', p_login);
    IF p_prelude IS NOT NULL THEN
      EXECUTE p_prelude;
    END IF;
    EXECUTE format('SELECT coalesce(array_agg(DISTINCT x.k || coalesce(''|'' || x.shown::text, '''')), ''{}'') '
                   'FROM (%s) AS x(k, p, o, shown, c)', p_q) INTO keys;
    state := 'ok';
    RAISE EXCEPTION 'undo' USING ERRCODE = 'QA001';
  EXCEPTION
    WHEN SQLSTATE 'QA001' THEN NULL;
    WHEN insufficient_privilege THEN keys := '{}'; state := '42501';
    WHEN OTHERS THEN keys := '{}'; state := SQLSTATE || ': ' || SQLERRM;
  END;
END $$;

-- The universe: every row, read as the superuser (who bypasses row-level security).
CREATE TEMP TABLE u (rel text, k text, p bigint, o bigint, c text);
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT * FROM rel WHERE rel <> '_secret' ORDER BY rel LOOP
    EXECUTE format('INSERT INTO u SELECT %L, x.k, x.p, x.o, x.c FROM (%s) AS x(k, p, o, shown, c)', r.rel, r.q);
  END LOOP;
END $$;
-- The rows the aggregates are made of.
CREATE TEMP TABLE u_year AS
SELECT person_id, organisation_id, year, using_agency_id, duty_group, final_grade, status FROM cqs.year_results;
-- What waits for an evaluator: self-assessments submitted, and self-assessments overdue
-- (in draft, or never started: the overdue list, read whole).
CREATE TEMP TABLE u_todo AS
SELECT a.person_id, a.organisation_id, a.period, 'confirm'::text AS action
  FROM cqs.assessment a WHERE a.status = 'self_assessed'
UNION
SELECT d.person_id, d.organisation_id, d.period_or_year_start, 'remind'
  FROM cqs.overdue d WHERE d.kind = 'self_assessment' AND d.assessment_status IN ('draft', 'not_started');
CREATE TEMP TABLE u_offcat AS
SELECT tl.person_id, tl.organisation_id, tl.title, si.code, tl.coefficient
  FROM cqs.task_line tl JOIN cqs.catalogue_item si ON si.item_id = tl.similar_item_id WHERE tl.item_id IS NULL;
ANALYZE u, u_year, u_offcat;

CREATE TEMP TABLE seen (actor text, rel text, k text);
CREATE TEMP TABLE access (actor text, rel text, state text, expected text);
DO $$
DECLARE
  a record;
  r record;
  v record;
BEGIN
  FOR a IN SELECT * FROM actor ORDER BY actor LOOP
    FOR r IN SELECT * FROM rel ORDER BY rel LOOP
      v := pg_temp.read_as(a.login, a.prelude, r.q);
      INSERT INTO seen SELECT a.actor, r.rel, unnest(v.keys);
      INSERT INTO access VALUES (a.actor, r.rel, v.state, pg_temp.o_access(a.groups, r.rel));
    END LOOP;
  END LOOP;
END $$;

-- What each actor may see.
CREATE TEMP TABLE allowed AS
SELECT a.actor, u.rel,
       u.k || CASE WHEN r.has_shown THEN '|' || pg_temp.o_person_tbl(a.actor, u.p)::text ELSE '' END AS k
  FROM actor a CROSS JOIN u JOIN rel r USING (rel) JOIN access x ON x.actor = a.actor AND x.rel = u.rel
 WHERE (x.expected = 'yes' OR (x.expected = 'either' AND x.state = 'ok'))
   AND CASE coalesce(u.c, r.class)
         WHEN 'config' THEN true
         WHEN 'R'   THEN pg_temp.o_result(a.actor, u.p, u.o)
         WHEN 'I'   THEN pg_temp.o_ident(a.actor, u.p, u.o)
         WHEN 'P'   THEN pg_temp.o_person(a.actor, u.p)
         WHEN 'PT'  THEN pg_temp.o_person_tbl(a.actor, u.p)
         WHEN 'RPT' THEN pg_temp.o_result(a.actor, u.p, u.o) AND pg_temp.o_person_tbl(a.actor, u.p)
         WHEN 'RP'  THEN pg_temp.o_result(a.actor, u.p, u.o) AND pg_temp.o_person(a.actor, u.p)
         WHEN 'AUD' THEN 'cqs_admin' = ANY (a.groups) OR pg_temp.o_person(a.actor, u.p)
         ELSE false END
UNION ALL
SELECT a.actor, 'grade_distribution',
       concat_ws('|', y.year, y.using_agency_id, y.duty_group, y.final_grade,
                 CASE WHEN y.final_grade IS NOT NULL THEN 'graded' ELSE y.status END, count(*))
  FROM actor a JOIN u_year y ON pg_temp.o_result(a.actor, y.person_id, y.organisation_id)
  JOIN access x ON x.actor = a.actor AND x.rel = 'grade_distribution'
 WHERE (x.expected = 'yes' OR (x.expected = 'either' AND x.state = 'ok'))
 GROUP BY a.actor, y.year, y.using_agency_id, y.duty_group, y.final_grade,
          CASE WHEN y.final_grade IS NOT NULL THEN 'graded' ELSE y.status END
UNION ALL
SELECT a.actor, 'evaluator_todo', concat_ws('|', t.person_id, t.period, t.action)
  FROM actor a JOIN u_todo t ON t.person_id IS DISTINCT FROM a.person_id
  JOIN access x ON x.actor = a.actor AND x.rel = 'evaluator_todo'
 WHERE (x.expected = 'yes' OR (x.expected = 'either' AND x.state = 'ok'))
   AND a.person_id IN (SELECT pg_temp.o_competent(t.person_id, t.period))
UNION ALL
SELECT a.actor, 'catalogue_additions', concat_ws('|', x.organisation_id, x.title, x.code, x.coefficient, count(*))
  FROM actor a JOIN u_offcat x ON pg_temp.o_ident(a.actor, x.person_id, x.organisation_id)
  JOIN access c ON c.actor = a.actor AND c.rel = 'catalogue_additions'
 WHERE (c.expected = 'yes' OR (c.expected = 'either' AND c.state = 'ok'))
 GROUP BY a.actor, x.organisation_id, x.title, x.code, x.coefficient;

CREATE TEMP TABLE read_check AS
SELECT coalesce(s.actor, l.actor) AS actor, coalesce(s.rel, l.rel) AS rel, coalesce(s.k, l.k) AS k,
       s.k IS NOT NULL AS is_seen, l.k IS NOT NULL AS is_allowed
  FROM (SELECT DISTINCT * FROM seen) s FULL JOIN (SELECT DISTINCT * FROM allowed) l USING (actor, rel, k);
-- Every row each actor was checked against: the universe (hidden or not) plus what it saw.
CREATE TEMP TABLE read_stats AS
SELECT (SELECT count(*) FROM actor a CROSS JOIN u) + (SELECT count(*) FROM read_check WHERE is_seen AND NOT is_allowed)
         AS rows_checked,
       (SELECT count(*) FROM read_check WHERE is_seen AND NOT is_allowed) AS wrongly_seen,
       (SELECT count(*) FROM read_check WHERE is_allowed AND NOT is_seen) AS wrongly_hidden,
       (SELECT count(*) FROM read_check WHERE is_allowed AND is_seen) AS rightly_seen,
       (SELECT count(*) FROM access WHERE state = '42501') AS denied,
       (SELECT count(*) FROM access WHERE (state = '42501' AND expected = 'yes') OR (state = 'ok' AND expected = 'no'))
         AS access_mismatches,
       (SELECT count(*) FROM access WHERE state NOT IN ('ok', '42501')) AS read_errors;

-- ===========================================================================
-- 5. Every write as every actor, on every target.
-- ===========================================================================
CREATE TEMP TABLE att (seq serial, actor text, kind text, target text, sql text, dml boolean DEFAULT false,
                       expected boolean, outcome text);
-- Posted people, with the period they self-assess: October's if their last posting holds
-- it, else the last period to confirm of that posting (self-assessed, never confirmed).
CREATE TEMP TABLE t_person AS
SELECT DISTINCT ON (g.person_id) g.person_id,
       CASE WHEN g.start_date <= '2026-10-31' AND coalesce(g.end_date, 'infinity') >= '2026-10-01' THEN date '2026-10-01'
            ELSE (SELECT max(p.period) FROM g_period p WHERE p.posting_id = g.posting_id) END AS sa_period
  FROM g_post g ORDER BY g.person_id, g.start_date DESC;
CREATE TEMP TABLE t_period AS SELECT DISTINCT person_id, period FROM g_period;   -- periods to confirm
CREATE TEMP TABLE t_comp AS
SELECT t.person_id, t.period, c.evaluator_id FROM t_period t CROSS JOIN LATERAL pg_temp.o_competent(t.person_id, t.period) AS c(evaluator_id);
CREATE TEMP TABLE t_year AS SELECT person_id, organisation_id FROM cqs.year_result WHERE year = 2026;
CREATE TEMP TABLE t_decision AS SELECT decision_id, person_id, organisation_id FROM cqs.grade_decision;
CREATE TEMP TABLE t_in_force AS SELECT decision_id, person_id, organisation_id FROM cqs.grade_decisions_in_force;
CREATE TEMP TABLE t_open AS
SELECT c.complaint_id, c.person_id, d.organisation_id FROM cqs.complaint c JOIN cqs.grade_decision d USING (decision_id)
 WHERE c.outcome IS NULL;
CREATE TEMP TABLE t_line AS SELECT task_line_id, person_id, organisation_id FROM cqs.task_line;
ANALYZE t_person, t_period, t_comp, t_year, t_decision, t_in_force, t_open, t_line, g_month;
SELECT person_id AS unposted FROM g_who WHERE what = 'unposted1' \gset

INSERT INTO att (actor, kind, target, sql, expected)
SELECT a.actor, 'self_assess', t.person_id::text,
       format($s$SELECT cqs.self_assess(%s, %L, '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}', 'ưu', 'hạn chế')$s$,
              t.person_id, t.sa_period),
       pg_temp.o_door(a.groups, 'self_assess') AND t.person_id = a.person_id
  FROM actor a CROSS JOIN t_person t;
INSERT INTO att (actor, kind, target, sql, expected)
SELECT a.actor, 'propose_grade', t.person_id::text, format($s$SELECT cqs.propose_grade(%s, 2026, 'tot')$s$, t.person_id),
       pg_temp.o_door(a.groups, 'propose_grade') AND t.person_id = a.person_id
  FROM actor a CROSS JOIN t_person t;
INSERT INTO att (actor, kind, target, sql, expected)
SELECT a.actor, k.kind, t.person_id || ' ' || t.period,
       format(CASE k.kind WHEN 'confirm' THEN $s$SELECT cqs.confirm(%s, %L, '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2}', 'nhận xét')$s$
                          ELSE $s$SELECT cqs.set_leader_terms(%s, %L, 50, 'chậm kế hoạch', 100, NULL)$s$ END,
              t.person_id, t.period),
       pg_temp.o_door(a.groups, k.kind) AND t.person_id IS DISTINCT FROM a.person_id
       AND EXISTS (SELECT 1 FROM t_comp c WHERE c.person_id = t.person_id AND c.period = t.period
                      AND c.evaluator_id = a.person_id)
  FROM actor a CROSS JOIN t_period t CROSS JOIN (VALUES ('confirm'), ('set_leader_terms')) AS k(kind);
INSERT INTO att (actor, kind, target, sql, expected)
SELECT a.actor, 'lock_period', o.org_id::text,
       format($s$SELECT * FROM cqs.lock_period(%s, %L, 'kỳ chưa khóa', true)$s$, o.org_id,
              CASE o.cadence WHEN 'quarterly' THEN '2026-05-01' ELSE '2026-09-01' END),
       pg_temp.o_door(a.groups, 'lock_period') AND pg_temp.o_has(a.actor, 'personnel', o.org_id)
  FROM actor a CROSS JOIN g_org o;
INSERT INTO att (actor, kind, target, sql, expected)
SELECT a.actor, 'decide_grade', y.person_id::text,
       format($s$SELECT cqs.decide_grade(%s, 2026, 'khong_hoan_thanh', 'QĐ thử', 'Giám đốc', 'lý do thử')$s$, y.person_id),
       pg_temp.o_door(a.groups, 'decide_grade') AND pg_temp.o_has(a.actor, 'authority', y.organisation_id)
       AND y.person_id IS DISTINCT FROM a.person_id
  FROM actor a CROSS JOIN t_year y WHERE y.person_id NOT IN (SELECT person_id FROM t_decision);
INSERT INTO att (actor, kind, target, sql, expected)
SELECT a.actor, 'regrade', d.person_id::text,
       format($s$SELECT cqs.regrade(%s, 2026, 'khong_hoan_thanh', 'QĐ sửa thử', 'lý do', 'Chủ tịch')$s$, d.person_id),
       pg_temp.o_door(a.groups, 'regrade') AND pg_temp.o_has(a.actor, 'authority', d.organisation_id)
       AND d.person_id IS DISTINCT FROM a.person_id
  FROM actor a CROSS JOIN t_in_force d;
INSERT INTO att (actor, kind, target, sql, expected)
SELECT a.actor, 'choose_quota', y.person_id::text,
       format($s$SELECT cqs.choose_quota(%s, 2026, false, 'QĐ hạn ngạch thử')$s$, y.person_id),
       pg_temp.o_door(a.groups, 'choose_quota') AND pg_temp.o_has(a.actor, 'authority', y.organisation_id)
       AND y.person_id IS DISTINCT FROM a.person_id
  FROM actor a CROSS JOIN t_year y;
INSERT INTO att (actor, kind, target, sql, expected)
SELECT a.actor, 'decide_organisation_grade', o.org_id::text,
       format($s$SELECT cqs.decide_organisation_grade(%s, 2026, 'xuat_sac', 'QĐ tổ chức', 'Chủ tịch')$s$, o.org_id),
       pg_temp.o_door(a.groups, 'decide_organisation_grade')
       AND pg_temp.o_has(a.actor, 'authority', coalesce(o.parent_id, o.org_id))
       AND NOT EXISTS (SELECT 1 FROM g_post h WHERE h.person_id = a.person_id AND h.org_id = o.org_id
                          AND h.role IN ('head', 'deputy'))
  FROM actor a CROSS JOIN g_org o;
INSERT INTO att (actor, kind, target, sql, expected)
SELECT a.actor, 'resolve_complaint', c.complaint_id::text,
       format($s$SELECT cqs.resolve_complaint(%s, 'rejected', 'không có căn cứ', '2026-12-01')$s$, c.complaint_id),
       pg_temp.o_door(a.groups, 'resolve_complaint') AND pg_temp.o_has(a.actor, 'authority', c.organisation_id)
       AND c.person_id IS DISTINCT FROM a.person_id
  FROM actor a CROSS JOIN t_open c;
INSERT INTO att (actor, kind, target, sql, expected)
SELECT a.actor, 'file_complaint', d.decision_id::text,
       format($s$SELECT cqs.file_complaint(%s, 'kiến nghị thử', '2026-12-01')$s$, d.decision_id),
       pg_temp.o_door(a.groups, 'file_complaint')
       AND (d.person_id = a.person_id OR pg_temp.o_has(a.actor, 'personnel', d.organisation_id))
  FROM actor a CROSS JOIN t_decision d;
INSERT INTO att (actor, kind, target, sql, expected)
SELECT a.actor, 'task_line insert', m.person_id || ' ' || m.org_id,
       format($s$INSERT INTO cqs.task_line (person_id, organisation_id, period, deadline, item_id, coefficient, assigned_qty)
                 VALUES (%s, %s, %L, (%L)::date + 9, %s, 1, 2)$s$, m.person_id, m.org_id, m.attempt_month, m.attempt_month, :item_std),
       pg_temp.o_door(a.groups, 'task_line insert')
       AND (pg_temp.o_has(a.actor, 'personnel', m.org_id)
            OR EXISTS (SELECT 1 FROM o_eval e WHERE e.actor = a.actor AND e.person_id = m.person_id AND e.org_id = m.org_id))
  FROM actor a CROSS JOIN g_month m;
INSERT INTO att (actor, kind, target, sql, expected)
SELECT a.actor, 'posting insert', o.org_id::text,
       format($s$INSERT INTO cqs.posting (person_id, organisation_id, role, start_date, end_date)
                 VALUES (%s, %s, 'staff', '2030-01-01', '2030-12-31')$s$, :unposted, o.org_id),
       pg_temp.o_door(a.groups, 'posting insert') AND pg_temp.o_has(a.actor, 'personnel', o.org_id)
  FROM actor a CROSS JOIN g_org o;
INSERT INTO att (actor, kind, target, sql, expected)
SELECT a.actor, 'leave insert', p.person_id::text,
       format($s$INSERT INTO cqs.leave_record (person_id, kind, start_date, end_date)
                 VALUES (%s, 'sick', '2026-12-01', '2026-12-02')$s$, p.person_id),
       pg_temp.o_door(a.groups, 'leave insert')
       AND EXISTS (SELECT 1 FROM g_post g WHERE g.person_id = p.person_id AND pg_temp.o_has(a.actor, 'personnel', g.org_id))
  FROM actor a CROSS JOIN g_person p;
-- Reopening: every organisation has its August lock.
INSERT INTO att (actor, kind, target, sql, expected)
SELECT a.actor, 'reopen_period', o.org_id::text,
       format($s$SELECT cqs.reopen_period(%s, '2026-08-01', 'kiến nghị được chấp nhận')$s$, o.org_id),
       pg_temp.o_door(a.groups, 'reopen_period') AND pg_temp.o_has(a.actor, 'authority', o.org_id)
  FROM actor a CROSS JOIN g_org o;
-- Row writes (UPDATE, DELETE) of every row at once, per actor: a row is allowed when the
-- statement reached it (RETURNING), refused when row-level security hid it or the
-- privilege was missing.  The statement is built below from the targets.
INSERT INTO att (actor, kind, target, dml, expected)
SELECT a.actor, 'task_line ' || k.op, l.task_line_id::text, true,
       pg_temp.o_door(a.groups, 'task_line ' || k.op)
       AND (pg_temp.o_has(a.actor, 'personnel', l.organisation_id)
            OR EXISTS (SELECT 1 FROM o_eval e WHERE e.actor = a.actor AND e.person_id = l.person_id
                          AND e.org_id = l.organisation_id))
  FROM actor a CROSS JOIN t_line l CROSS JOIN (VALUES ('update'), ('delete')) AS k(op)
UNION ALL
SELECT a.actor, 'posting ' || k.op, g.posting_id::text, true,
       pg_temp.o_door(a.groups, 'posting ' || k.op) AND pg_temp.o_has(a.actor, 'personnel', g.org_id)
  FROM actor a CROSS JOIN g_post g CROSS JOIN (VALUES ('update'), ('delete')) AS k(op);

-- Where the actor's group roles lack the privilege (EXECUTE, INSERT), PostgreSQL refuses
-- before the target is looked at: three random targets suffice.  Where the rule is about
-- the person alone (self-assessment, own proposal, own complaint, leave of people posted
-- under a personnel mandate) or is the predicate that UPDATE and DELETE check on every
-- row (task-line inserts): every target the oracle allows and twelve random ones it
-- refuses, per actor.  Competence (confirm, leader terms) and the authority's and
-- personnel section's steps: every target.
DELETE FROM att t USING (
  SELECT x.c, row_number() OVER (PARTITION BY x.actor, x.kind, x.expected ORDER BY random()) AS n,
         pg_temp.o_door(a.groups, x.kind) AS door
    FROM (SELECT ctid AS c, * FROM att ORDER BY seq) x JOIN actor a USING (actor)
   WHERE NOT x.dml) s
 WHERE t.ctid = s.c AND ((NOT s.door AND s.n > 3)
                         OR (s.door AND NOT t.expected AND s.n > 12
                             AND t.kind IN ('self_assess', 'propose_grade', 'file_complaint', 'task_line insert',
                                            'leave insert')));

-- Try a write as an actor, undone whatever happens: allowed, refused (42501), or another
-- error (the attempt was not in the right state: counted apart).
CREATE FUNCTION pg_temp.try_as(p_login text, p_prelude text, p_sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_out text;
BEGIN
  BEGIN
    EXECUTE format('SET LOCAL ROLE %I', p_login);
    IF p_prelude IS NOT NULL THEN
      EXECUTE p_prelude;
    END IF;
    EXECUTE p_sql;
    v_out := 'allowed';
    RAISE EXCEPTION 'undo' USING ERRCODE = 'QA001';
  EXCEPTION
    WHEN SQLSTATE 'QA001' THEN NULL;
    WHEN insufficient_privilege THEN v_out := 'refused';
    WHEN OTHERS THEN v_out := 'other ' || SQLSTATE || ': ' || SQLERRM;
  END;
  RETURN v_out;
END $$;
UPDATE att t SET outcome = pg_temp.try_as(a.login, a.prelude, t.sql)
  FROM actor a WHERE a.actor = t.actor AND NOT t.dml;
-- The same for a statement over many rows: the keys it returned, or what refused it.
CREATE FUNCTION pg_temp.try_rows_as(p_login text, p_prelude text, p_sql text, OUT keys text[], OUT state text)
LANGUAGE plpgsql AS $$
BEGIN
  BEGIN
    EXECUTE format('SET LOCAL ROLE %I', p_login);
    IF p_prelude IS NOT NULL THEN
      EXECUTE p_prelude;
    END IF;
    EXECUTE p_sql INTO keys;
    state := 'ok';
    RAISE EXCEPTION 'undo' USING ERRCODE = 'QA001';
  EXCEPTION
    WHEN SQLSTATE 'QA001' THEN NULL;
    WHEN insufficient_privilege THEN keys := '{}'; state := '42501';
    WHEN OTHERS THEN keys := '{}'; state := SQLSTATE || ': ' || SQLERRM;
  END;
END $$;
DO $$
DECLARE
  r record;
  v record;
BEGIN
  FOR r IN SELECT t.actor, t.kind, a.login, a.prelude, array_agg(t.target::bigint) AS ids
             FROM att t JOIN actor a USING (actor) WHERE t.dml GROUP BY t.actor, t.kind, a.login, a.prelude
            ORDER BY t.actor, t.kind LOOP
    v := pg_temp.try_rows_as(r.login, r.prelude,
           format('WITH x AS (%s) SELECT coalesce(array_agg(x.k::text), ''{}'') FROM x',
                  format(CASE r.kind
                           WHEN 'task_line update' THEN 'UPDATE cqs.task_line SET completed_qty = 4 WHERE task_line_id = ANY (%L) RETURNING task_line_id AS k'
                           WHEN 'task_line delete' THEN 'DELETE FROM cqs.task_line WHERE task_line_id = ANY (%L) RETURNING task_line_id AS k'
                           WHEN 'posting update' THEN 'UPDATE cqs.posting SET job_position = ''chuyên viên'' WHERE posting_id = ANY (%L) RETURNING posting_id AS k'
                           WHEN 'posting delete' THEN 'DELETE FROM cqs.posting WHERE posting_id = ANY (%L) RETURNING posting_id AS k' END,
                         r.ids)));
    UPDATE att t SET sql = 'many rows', outcome = CASE WHEN v.state = 'ok' AND t.target = ANY (v.keys) THEN 'allowed'
                                                       WHEN v.state IN ('ok', '42501') THEN 'refused'
                                                       ELSE 'other ' || v.state END
     WHERE t.actor = r.actor AND t.kind = r.kind;
  END LOOP;
END $$;

CREATE TEMP TABLE write_stats AS
SELECT count(*) AS attempts,
       count(*) FILTER (WHERE outcome = 'allowed') AS allowed,
       count(*) FILTER (WHERE outcome = 'refused') AS refused,
       count(*) FILTER (WHERE outcome = 'allowed' AND NOT expected) AS wrongly_allowed,
       count(*) FILTER (WHERE outcome = 'refused' AND expected) AS wrongly_refused,
       count(*) FILTER (WHERE outcome NOT IN ('allowed', 'refused')) AS other,
       count(DISTINCT kind) AS kinds
  FROM att;

-- ===========================================================================
-- 6. The counts, the mismatches (if any), the verdicts.
-- ===========================================================================
SELECT diag(format('actors: %s; people: %s; relations read: %s (%s tables, %s views), %s reads, %s refused with 42501 '
                   '(%s of them where the model leaves the door open or shut)',
                   (SELECT count(*) FROM actor), (SELECT count(*) FROM g_person), (SELECT count(*) FROM rel),
                   (SELECT count(*) FROM rel WHERE NOT is_view), (SELECT count(*) FROM rel WHERE is_view),
                   (SELECT count(*) FROM access), denied,
                   (SELECT count(*) FROM access WHERE state = '42501' AND expected = 'either')))
  FROM read_stats;
SELECT diag(format('rows checked: %s (%s seen rightly); wrongly seen: %s; wrongly hidden: %s; '
                   'access other than the grants say: %s; read errors: %s',
                   rows_checked, rightly_seen, wrongly_seen, wrongly_hidden, access_mismatches, read_errors))
  FROM read_stats;
SELECT diag(format('writes attempted: %s of %s kinds (%s allowed, %s refused); wrongly allowed: %s; wrongly refused: %s; '
                   'other outcomes: %s', attempts, kinds, allowed, refused, wrongly_allowed, wrongly_refused, other))
  FROM write_stats;
SELECT diag(format('evaluated pairs: %s (%s by the unit''s head, %s by the head one level up, %s further up, '
                   '%s by delegated deputies); the former one-level rule gave %s of them and %s others',
                   count(*), count(*) FILTER (WHERE dist = 0), count(*) FILTER (WHERE dist = 1),
                   count(*) FILTER (WHERE dist >= 2), count(*) FILTER (WHERE dist IS NULL),
                   (SELECT count(*) FROM o_eval e JOIN o_eval_former f USING (actor, person_id, org_id)),
                   (SELECT count(*) FROM (SELECT * FROM o_eval_former EXCEPT SELECT * FROM o_eval) x)))
  FROM o_eval_how;
-- Whoever the extension lets confirm a person, or set their leader terms, reads that
-- person (the people table, as read above), and the oracle agrees.
CREATE TEMP TABLE confirm_unread AS
WITH ok AS (SELECT t.actor, t.kind, t.target, split_part(t.target, ' ', 1) AS p FROM att t
             WHERE t.kind IN ('confirm', 'set_leader_terms') AND t.outcome = 'allowed'),
     read AS (SELECT DISTINCT x.actor, x.k AS p FROM seen x WHERE x.rel = 'person')
SELECT ok.actor, ok.kind, ok.target FROM ok LEFT JOIN read USING (actor, p)
 WHERE read.p IS NULL OR NOT pg_temp.o_person(ok.actor, ok.p::bigint);
SELECT diag(format('evaluators allowed to confirm a person (or set their leader terms) they cannot read: %s', count(*)))
  FROM confirm_unread;
SELECT diag(format('  cannot read: %s %s(%s)', actor, kind, target)) FROM confirm_unread ORDER BY actor, kind, target LIMIT 12;
SELECT diag(format('  %-26s %5s attempts %5s allowed %5s refused', kind, count(*),
                   count(*) FILTER (WHERE outcome = 'allowed'), count(*) FILTER (WHERE outcome = 'refused')))
  FROM att GROUP BY kind ORDER BY kind;
SELECT diag(x.line) FROM (
  SELECT y.*, row_number() OVER (PARTITION BY y.o ORDER BY y.actor, y.rel, y.k) AS n FROM (
    SELECT format('wrongly seen: %s reads %s row %s', actor, rel, k) AS line, 1 AS o, actor, rel, k
      FROM read_check WHERE is_seen AND NOT is_allowed
    UNION ALL
    SELECT format('wrongly hidden: %s reads %s row %s', actor, rel, k), 2, actor, rel, k
      FROM read_check WHERE is_allowed AND NOT is_seen
    UNION ALL
    SELECT format('access: %s reads %s: %s, the grants say %s', actor, rel, state,
                  CASE expected WHEN 'yes' THEN 'readable' ELSE '42501' END), 3, actor, rel, state
      FROM access WHERE (state = '42501' AND expected = 'yes') OR (state = 'ok' AND expected = 'no')
                     OR state NOT IN ('ok', '42501')
    UNION ALL
    SELECT format('%s: %s %s(%s): %s', CASE WHEN outcome NOT IN ('allowed', 'refused') THEN 'not in state'
                                            WHEN expected THEN 'wrongly refused' ELSE 'wrongly allowed' END,
                  actor, kind, target, outcome), 4, actor, kind, target
      FROM att WHERE (outcome = 'allowed') <> expected OR outcome NOT IN ('allowed', 'refused')) y) x
 WHERE x.n <= 12
 ORDER BY x.o, x.n;

SELECT cmp_ok((SELECT rows_checked FROM read_stats), '>', 1000::bigint, 'more than 1000 rows checked');
SELECT is((SELECT read_errors FROM read_stats), 0::bigint, 'no read raised anything but 42501');
SELECT is((SELECT access_mismatches FROM read_stats), 0::bigint,
          '42501 exactly where the actor''s group roles open no door');
SELECT is((SELECT wrongly_seen FROM read_stats), 0::bigint, '0 rows seen that the actor may not see');
SELECT is((SELECT wrongly_hidden FROM read_stats), 0::bigint, '0 rows hidden that the actor may see');
SELECT is_empty($$SELECT actor FROM allowed WHERE rel NOT IN (SELECT rel FROM rel WHERE class = 'config')
                  EXCEPT SELECT actor FROM read_check WHERE is_seen AND is_allowed
                                                        AND rel NOT IN (SELECT rel FROM rel WHERE class = 'config')$$,
                'every actor allowed personal rows saw some of them');
SELECT cmp_ok((SELECT count(DISTINCT actor) FROM allowed WHERE rel NOT IN (SELECT rel FROM rel WHERE class = 'config')),
              '>=', 13::bigint, 'at least 13 actors may read personal rows (the oracle is not empty)');
SELECT cmp_ok((SELECT attempts FROM write_stats), '>', 1000::bigint, 'more than 1000 writes attempted');
SELECT is((SELECT other FROM write_stats), 0::bigint, 'every attempt was allowed or refused (no state error)');
SELECT is((SELECT wrongly_allowed FROM write_stats), 0::bigint, '0 writes allowed that the actor may not make');
SELECT is((SELECT wrongly_refused FROM write_stats), 0::bigint, '0 legitimate writes refused');
SELECT is_empty($$SELECT kind FROM att GROUP BY kind
                   HAVING count(*) FILTER (WHERE outcome = 'allowed' AND expected) = 0
                       OR count(*) FILTER (WHERE outcome = 'refused' AND NOT expected) = 0$$,
                'every kind of write was both rightly allowed and rightly refused at least once');
SELECT is((SELECT count(DISTINCT kind) FROM att), 19::bigint, 'all 19 kinds of write attempted');
SELECT is_empty($$SELECT actor FROM actor EXCEPT SELECT actor FROM att GROUP BY actor HAVING count(DISTINCT kind) = 19$$,
                'every actor attempted every kind of write');
SELECT is((SELECT count(*) FROM confirm_unread), 0::bigint,
          '0 evaluators allowed to confirm a person they cannot read');

SELECT * FROM finish();
ROLLBACK;
