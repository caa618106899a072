-- bench/access.sql -- the SQL parts of the access-control benchmark (bench/access.sh runs
-- them with psql -v part=...; the timed reads and edits are pgbench scripts that
-- access.sh writes).  Not part of CI.  The city, its fabricated year and the keyset starts
-- of the pages come from bench/one_writer.sql (parts setup, pages) and
-- bench/fabricate_year.sql; this file adds only what access control needs.
--
--   part=year       months 2-12 fabricated (bench/fabricate_year.sql), then
--                   cqs.grade_year(2026) and bench.agencies, as one_writer.sql's
--                   part=year makes them (11.6 s at 30,160 people since b58dde3; the
--                   index workaround that b814aa9's quadratic grade_year needed is gone)
--   part=setup      logins (bench_portal in cqs_portal, bench_analyst in cqs_analyst,
--                   bench_clerk in cqs_personnel), one personnel-section officer per
--                   using agency with a 'personnel' mandate over it, the analyst's and
--                   the clerk's login mandates on the city; what the pgbench scripts pick
--                   (bench.portal_orgs, bench.pick_officer)
--   part=explain    EXPLAIN (ANALYZE, BUFFERS) of every timed query, as the superuser and
--                   through row-level security (SET ROLE to the same logins pgbench uses)
--   part=scopes     each scope function's time per call (:calls calls in a loop, default
--                   200), as the portal acting for SNV's officer
--   part=audit      the audit triggers: :audit = on | off, on :tables = task_line | all
--   part=bulk       INSERT ... SELECT of :bulk_lines task lines (refresh mode off), audit
--                   triggers on and off in alternate order, :rounds rounds; the audit
--                   log's growth per round
--   part=gen        (in a fresh database made from the template) the city generated with
--                   the audit triggers :audit; prints one tab-separated line
--   part=policies   :policies = save (the policies as created, into bench.policies_as_created)
--                   or restore (put them back)
--   part=proto      a prototype, in this database only: every policy's unnest(cqs.f())
--                   rewritten as unnest((SELECT cqs.f())), so that the planner does not
--                   run the scope to estimate its rows (since b58dde3 the schema's policies
--                   have this form: nothing to rewrite, access.sh skips it)
--   part=grow       :grow more people (default 270,000) posted in a new using agency, so
--                   that the city has the head count of scale 1111 while the pages'
--                   organisations, officers and scopes stay as they were
--   part=summary    the medians and ratios of every pgbench run (bench.pgb, loaded by
--                   access.sh) and of the bulk and generation rounds
--
-- Variables: part, scale, min_lines, max_lines, rounds, audit, tables, bulk_lines,
-- password (the logins' password, for clusters that ask for one), round, policies, grow,
-- calls.
\set ON_ERROR_STOP 1
\pset pager off
\timing off
\if :{?scale}
\else
  \set scale 111
\endif
\if :{?min_lines}
\else
  \set min_lines 12
\endif
\if :{?max_lines}
\else
  \set max_lines 18
\endif
\if :{?rounds}
\else
  \set rounds 3
\endif
\if :{?bulk_lines}
\else
  \set bulk_lines 100000
\endif
\if :{?password}
\else
  \set password ''
\endif
\if :{?grow}
\else
  \set grow 270000
\endif
\if :{?tables}
\else
  \set tables task_line
\endif
SET client_min_messages = warning;
SELECT :'part' = 'year' AS p_year, :'part' = 'setup' AS p_setup, :'part' = 'explain' AS p_explain, :'part' = 'explain_body' AS p_explain_body,
       :'part' = 'audit' AS p_audit, :'part' = 'bulk' AS p_bulk, :'part' = 'gen' AS p_gen,
       :'part' = 'summary' AS p_summary, :'part' = 'proto' AS p_proto,
       :'part' = 'policies' AS p_policies, :'part' = 'scopes' AS p_scopes, :'part' = 'grow' AS p_grow \gset

-- ===========================================================================
\if :p_year
\echo '== a year of history: months 2-12 (quarters 2-4 for quarterly communes) fabricated from January'
\timing on
\ir fabricate_year.sql
VACUUM ANALYZE cqs.period_result;
\echo '== the year graded once: SELECT cqs.grade_year(2026) (the year views read it)'
SELECT cqs.grade_year(2026) AS graded;
VACUUM ANALYZE cqs.year_result;
CREATE TABLE bench.agencies AS
SELECT row_number() OVER (ORDER BY using_agency_id)::integer AS n, using_agency_id AS organisation_id
  FROM (SELECT DISTINCT using_agency_id FROM cqs.year_result) a;
ALTER TABLE bench.agencies ADD PRIMARY KEY (n);
VACUUM ANALYZE bench.agencies;
CHECKPOINT;
\timing off
SELECT count(*) AS period_results, (SELECT count(*) FROM cqs.year_result) AS year_results FROM cqs.period_result;
\endif

-- ===========================================================================
\if :p_setup
SELECT count(*) AS group_roles FROM cqs.setup_roles();
-- The logins pgbench connects as.  A password only where the cluster asks for one
-- (pg_virtualenv's TCP connections); a trust cluster ignores it.
SELECT format('CREATE ROLE %I LOGIN IN ROLE %I%s', l, g,
              CASE WHEN :'password' <> '' THEN format(' PASSWORD %L', :'password') ELSE '' END)
  FROM (VALUES ('bench_portal', 'cqs_portal'), ('bench_analyst', 'cqs_analyst'), ('bench_clerk', 'cqs_personnel')) v(l, g)
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = v.l) \gexec
GRANT USAGE ON SCHEMA bench TO bench_portal, bench_analyst, bench_clerk;

-- One personnel-section officer per using agency: a civil servant of its office (its VPS
-- unit; a commune's own general staff), holding a 'personnel' mandate over the agency's
-- subtree (person mandate, so a portal acting for them has it).
CREATE TABLE bench.officers AS
SELECT DISTINCT ON (pol.using_agency_id) pol.using_agency_id, ps.person_id AS officer
  FROM cqs.posting ps
  JOIN cqs.person pe ON pe.person_id = ps.person_id AND pe.kind = 'civil_servant'
  JOIN cqs.organisation o ON o.organisation_id = ps.organisation_id
  JOIN cqs.organisation_policies pol ON pol.organisation_id = ps.organisation_id
 WHERE ps.role = 'staff' AND ps.field = 'tổng hợp' AND ps.end_date IS NULL
 ORDER BY pol.using_agency_id, (o.code LIKE '%-VPS') DESC, ps.person_id;
ALTER TABLE bench.officers ADD PRIMARY KEY (using_agency_id);
INSERT INTO cqs.mandate (kind, organisation_id, person_id, valid_from, reference)
SELECT 'personnel', using_agency_id, officer, '2025-01-01', 'QĐ phân công bộ phận TCCB (bench)' FROM bench.officers;
-- The analyst: a login mandate on the whole city, not identified.  The clerk: a personnel
-- login mandate on the whole city (edits of any line).
INSERT INTO cqs.mandate (kind, organisation_id, login, identified, valid_from, reference)
SELECT 'analyst', organisation_id, 'bench_analyst', false, '2025-01-01', 'QĐ phân tích (bench)'
  FROM cqs.organisation WHERE parent_id IS NULL;
INSERT INTO cqs.mandate (kind, organisation_id, login, valid_from, reference)
SELECT 'personnel', organisation_id, 'bench_clerk', '2025-01-01', 'QĐ phân công (bench)'
  FROM cqs.organisation WHERE parent_id IS NULL;

-- What the page scripts pick: bench.orgs (one_writer.sql: the 60 organisations holding
-- January results, numbered) with their agency's officer.
CREATE TABLE bench.portal_orgs AS
SELECT o.n, o.organisation_id, o.results, pol.using_agency_id, f.officer
  FROM bench.orgs o
  JOIN cqs.organisation_policies pol ON pol.organisation_id = o.organisation_id
  JOIN bench.officers f ON f.using_agency_id = pol.using_agency_id;
ALTER TABLE bench.portal_orgs ADD PRIMARY KEY (n);
-- What the edit scripts pick: bench.pick (one_writer.sql: every civil servant with
-- January lines and their first line) with the officer of their agency.
CREATE TABLE bench.pick_officer AS
SELECT k.n, k.person_id, k.task_line_id, f.officer
  FROM bench.pick k
  JOIN cqs.task_line tl ON tl.task_line_id = k.task_line_id
  JOIN cqs.organisation_policies pol ON pol.organisation_id = tl.organisation_id
  JOIN bench.officers f ON f.using_agency_id = pol.using_agency_id;
ALTER TABLE bench.pick_officer ADD PRIMARY KEY (n);
GRANT SELECT ON ALL TABLES IN SCHEMA bench TO bench_portal, bench_analyst, bench_clerk;
VACUUM ANALYZE bench.officers;
VACUUM ANALYZE bench.portal_orgs;
VACUUM ANALYZE bench.pick_officer;
VACUUM ANALYZE cqs.mandate;
SELECT (SELECT count(*) FROM bench.officers) AS officers, (SELECT count(*) FROM bench.portal_orgs) AS portal_orgs,
       (SELECT count(*) FROM bench.pick_officer) AS pick_officer, (SELECT count(*) FROM cqs.mandate) AS mandates,
       (SELECT count(*) FROM bench.page_keys) AS keyset_starts;
\endif

-- ===========================================================================
\if :p_explain
-- One division (SNV-NV1), its agency's officer, the page after its median person; one
-- civil servant (the median of bench.pick).  Each query as the superuser, then as the
-- login pgbench uses (SET ROLE: row-level security applies to the role set, and
-- cqs._actor_login() reads it), in a transaction that acts for the person first.
SET jit = off;
SELECT organisation_id AS org FROM cqs.organisation WHERE code = 'SNV-NV1' \gset
SELECT f.officer FROM bench.officers f JOIN cqs.organisation o ON o.organisation_id = f.using_agency_id
 WHERE o.code = 'SNV' \gset
SELECT person_id AS after FROM bench.page_keys
 WHERE organisation_id = :org AND k = (SELECT count(*) / 2 FROM bench.page_keys WHERE organisation_id = :org) \gset
SELECT person_id AS me, task_line_id AS line FROM bench.pick_officer WHERE n = (SELECT max(n) / 2 FROM bench.pick) \gset
\echo '== org' :org '(SNV-NV1), officer' :officer ', after' :after ', civil servant' :me ', line' :line
\echo '== what the officer''s scopes hold (acting for them as the portal)'
SET ROLE bench_portal;
BEGIN;
SELECT cqs.act_as(:officer) AS acting;
SELECT cardinality(cqs._seen_organisations()) AS seen_orgs, cardinality(cqs._identified_organisations()) AS ident_orgs,
       cardinality(cqs._identified_people()) AS identified_people, (SELECT count(*) FROM cqs._evaluated()) AS evaluated,
       (SELECT count(*) FROM cqs.month_results WHERE organisation_id = :org AND period = '2026-01-01') AS month_rows_seen;
COMMIT;
RESET ROLE;
SELECT count(*) AS month_rows_superuser FROM cqs.month_results WHERE organisation_id = :org AND period = '2026-01-01';
\set q_month 'SELECT * FROM cqs.month_results WHERE organisation_id = ' :org ' AND period = ''2026-01-01'' AND person_id > ' :after ' ORDER BY person_id LIMIT 200'
\set q_year 'SELECT * FROM cqs.year_results WHERE organisation_id = ' :org ' AND year = 2026 AND person_id > ' :after ' ORDER BY person_id LIMIT 200'
\set q_form01 'SELECT * FROM cqs.form01 WHERE organisation_id = ' :org ' AND period = ''2026-01-01'' AND person_id > ' :after ' ORDER BY person_id, position LIMIT 200'
\set q_own 'SELECT * FROM cqs.month_results WHERE person_id = ' :me ' AND period >= ''2026-01-01'' AND period < ''2027-01-01'' ORDER BY period'
\set q_dist 'SELECT * FROM cqs.grade_distribution WHERE year = 2026'
\set q_agg 'SELECT organisation_id, grade, count(*), round(avg(total), 2) FROM cqs.month_results WHERE period = ''2026-01-01'' GROUP BY organisation_id, grade'
\set q_edit 'UPDATE cqs.task_line SET completed_qty = round(assigned_qty * 0.5, 2) WHERE task_line_id = ' :line
-- Each query once to warm the session's caches (plpgsql plans, catalog caches), output
-- discarded, then once under EXPLAIN: this file again, part explain_body.
\set part explain_body
\set ea ''
\o /dev/null
\ir access.sql
\o
\set ea 'EXPLAIN (ANALYZE, BUFFERS, SUMMARY ON)'
\ir access.sql
SELECT false AS p_explain_body \gset
\endif

-- ===========================================================================
\if :p_explain_body
\qecho '== (1a) month_results page, superuser'
:ea :q_month;
\qecho '== (1b) month_results page, portal acting for the officer'
SET ROLE bench_portal;
BEGIN; SELECT cqs.act_as(:officer) AS acting \gset
:ea :q_month;
COMMIT; RESET ROLE;
\qecho '== (1a) year_results page, superuser'
:ea :q_year;
\qecho '== (1b) year_results page, portal acting for the officer'
SET ROLE bench_portal;
BEGIN; SELECT cqs.act_as(:officer) AS acting \gset
:ea :q_year;
COMMIT; RESET ROLE;
\qecho '== (1a) form01 page, superuser'
:ea :q_form01;
\qecho '== (1b) form01 page, portal acting for the officer'
SET ROLE bench_portal;
BEGIN; SELECT cqs.act_as(:officer) AS acting \gset
:ea :q_form01;
COMMIT; RESET ROLE;
\qecho '== (1c) own 12 months, superuser'
:ea :q_own;
\qecho '== (1c) own 12 months, portal acting for the civil servant'
SET ROLE bench_portal;
BEGIN; SELECT cqs.act_as(:me) AS acting \gset
:ea :q_own;
COMMIT; RESET ROLE;
\qecho '== (2) grade_distribution 2026, superuser'
:ea :q_dist;
\qecho '== (2) grade_distribution 2026, analyst (login mandate on the city, not identified)'
SET ROLE bench_analyst;
:ea :q_dist;
RESET ROLE;
\qecho '== (2) month_results by organisation and grade, January, superuser'
:ea :q_agg;
\qecho '== (2) month_results by organisation and grade, January, analyst'
SET ROLE bench_analyst;
:ea :q_agg;
RESET ROLE;
\qecho '== (3) one sync edit, superuser (rolled back)'
BEGIN;
:ea :q_edit;
ROLLBACK;
\qecho '== (3) one sync edit, the clerk (personnel login mandate on the city; rolled back)'
SET ROLE bench_clerk;
BEGIN;
:ea :q_edit;
ROLLBACK;
RESET ROLE;
\qecho '== (3) one sync edit, portal acting for the officer (rolled back)'
SELECT officer AS line_officer FROM bench.pick_officer WHERE task_line_id = :line \gset
SET ROLE bench_portal;
BEGIN; SELECT cqs.act_as(:line_officer) AS acting \gset
:ea :q_edit;
ROLLBACK;
RESET ROLE;
\endif

-- ===========================================================================
\if :p_scopes
-- Each scope function's cost per call, called :calls times in a loop (DO ... PERFORM: a
-- new call, and for LANGUAGE sql a new plan of its body, each time), as the portal
-- acting for SNV's officer, jit = off.  The policies call each once per RLS table a
-- query reads.
\if :{?calls}
\else
  \set calls 200
\endif
SET jit = off;
SELECT f.officer FROM bench.officers f JOIN cqs.organisation o ON o.organisation_id = f.using_agency_id
 WHERE o.code = 'SNV' \gset
SET ROLE bench_portal;
BEGIN;
SELECT cqs.act_as(:officer) AS acting \gset
CREATE TEMP TABLE IF NOT EXISTS scope_calls (f text, calls integer, ms_per_call numeric);
SELECT format($d$DO $x$ DECLARE t0 timestamptz := clock_timestamp(); BEGIN
                FOR i IN 1..%s LOOP PERFORM %s; END LOOP;
                INSERT INTO scope_calls VALUES (%L, %s, round((extract(epoch FROM clock_timestamp() - t0) * 1000 / %s)::numeric, 3));
              EXCEPTION WHEN insufficient_privilege THEN INSERT INTO scope_calls VALUES (%L, 0, NULL);
              END $x$$d$, :calls, f, f, :calls, :calls, f)
  FROM unnest(ARRAY['cqs._token_person()', 'cqs.acting_person()', 'cqs._seen_organisations()',
                    'cqs._identified_organisations()', 'cqs._personnel_organisations()', 'cqs._identified_people()',
                    'cqs._personnel_people()', 'cqs._unposted_people()', '(SELECT count(*) FROM cqs._evaluated())']) AS f \gexec
SELECT * FROM scope_calls;
COMMIT;
RESET ROLE;
\endif

-- ===========================================================================
\if :p_audit
-- Every trigger that runs cqs._audit(), on task_line or on every table.
SELECT format('ALTER TABLE %s %s TRIGGER %I', t.tgrelid::regclass, CASE WHEN :'audit' = 'on' THEN 'ENABLE' ELSE 'DISABLE' END,
              t.tgname)
  FROM pg_trigger t
 WHERE t.tgfoid = 'cqs._audit()'::regprocedure
   AND (:'tables' = 'all' OR t.tgrelid = format('cqs.%I', :'tables')::regclass)
 ORDER BY t.tgrelid::regclass::text, t.tgname \gexec
SELECT count(*) FILTER (WHERE tgenabled <> 'D') AS audit_triggers_enabled, count(*) FILTER (WHERE tgenabled = 'D') AS disabled
  FROM pg_trigger WHERE tgfoid = 'cqs._audit()'::regprocedure \gset
\echo '== audit triggers enabled' :audit_triggers_enabled ', disabled' :disabled
\endif

-- ===========================================================================
\if :p_bulk
-- INSERT ... SELECT of :bulk_lines task lines: copies of January's first lines (every
-- column a client writes), refresh mode off (months marked stale, as a bulk load runs,
-- so the writer's work is not in the figure).  Each round: audit on and off in
-- alternate order; after each insert the lines are deleted (audit off, not timed) and
-- task_line vacuumed.  The audit log's growth is measured around the timed insert.
SET cqs.refresh_mode = off;
SET jit = off;
CREATE TABLE IF NOT EXISTS bench.bulk (round integer, audit text, ms float8, lines bigint,
                                       audit_rows bigint, audit_bytes bigint, audit_heap_bytes bigint);
SELECT max(task_line_id) AS first_line_max FROM (SELECT task_line_id FROM cqs.task_line WHERE period = '2026-01-01'
  ORDER BY task_line_id LIMIT :bulk_lines) x \gset
SELECT format('INSERT INTO cqs.task_line (person_id, organisation_id, period, item_id, similar_item_id, title, coefficient, '
              'assigned_qty, deadline, completed_qty, completed_on, quality_failures, '
              'late_occurrences, origin, external_source, external_id) '
              'SELECT person_id, organisation_id, period, item_id, similar_item_id, title, coefficient, assigned_qty, '
              'deadline, completed_qty, completed_on, quality_failures, late_occurrences, '
              'origin, external_source, external_id || ''-bulk'' FROM cqs.task_line '
              'WHERE period = ''2026-01-01'' AND task_line_id <= %s', :first_line_max) AS bulk_insert \gset
SELECT max(task_line_id) AS line_max FROM cqs.task_line \gset
SELECT 'ALTER TABLE cqs.task_line ' || string_agg('ENABLE TRIGGER ' || quote_ident(tgname), ', ') AS audit_on_stmt,
       'ALTER TABLE cqs.task_line ' || string_agg('DISABLE TRIGGER ' || quote_ident(tgname), ', ') AS audit_off_stmt
  FROM pg_trigger WHERE tgfoid = 'cqs._audit()'::regprocedure AND tgrelid = 'cqs.task_line'::regclass \gset
-- psql cannot loop: the steps are generated as statements and run by \gexec, in order:
-- per round and side, toggle the triggers, checkpoint, sizes, the timed insert
-- (bench.time_it: its own transaction), sizes again, then delete and vacuum.
CREATE TEMP TABLE bulk_before (audit_rows0 bigint, audit_bytes0 bigint, audit_heap0 bigint);
SELECT s.stmt FROM (
  SELECT b.round, b.ord, x.k, x.stmt
    FROM (SELECT r AS round, i AS ord, CASE WHEN (r % 2 = 1) = (i = 1) THEN 'on' ELSE 'off' END AS audit
            FROM generate_series(1, :rounds) r, generate_series(1, 2) i) b
    CROSS JOIN LATERAL (VALUES
      (1, CASE b.audit WHEN 'on' THEN :'audit_on_stmt' ELSE :'audit_off_stmt' END),
      (2, 'CHECKPOINT'),
      (3, 'TRUNCATE bulk_before'),
      (4, 'INSERT INTO bulk_before SELECT count(*), pg_total_relation_size(''cqs.audit_log''), '
          'pg_relation_size(''cqs.audit_log'') FROM cqs.audit_log'),
      (5, format('CALL bench.time_it(%L, %L, %s)', 'bulk INSERT ... SELECT, audit ' || b.audit,
                 'WITH i AS (' || :'bulk_insert' || ' RETURNING 1) SELECT count(*) FROM i', b.round)),
      (6, format('INSERT INTO bench.bulk SELECT %s, %L, t.ms, t.n, count(*) - min(b.audit_rows0), '
                 'pg_total_relation_size(''cqs.audit_log'') - min(b.audit_bytes0), '
                 'pg_relation_size(''cqs.audit_log'') - min(b.audit_heap0) '
                 'FROM cqs.audit_log, bulk_before b, bench.timing t WHERE t.test = %L AND t.round = %s '
                 'GROUP BY t.ms, t.n', b.round, b.audit, 'bulk INSERT ... SELECT, audit ' || b.audit, b.round)),
      (7, :'audit_off_stmt'),
      (8, format('DELETE FROM cqs.task_line WHERE task_line_id > %s', :line_max)),
      (9, 'VACUUM cqs.task_line')) AS x(k, stmt)) s
 ORDER BY s.round, s.ord, s.k \gexec
:audit_on_stmt;
RESET cqs.refresh_mode;
\endif

-- ===========================================================================
\if :p_gen
-- In a fresh database made from the template (the extension created once, right after
-- make install): the audit triggers of every table on or off, then the city as
-- one_writer.sql's part=setup generates it.  One line: audit, ms, task lines, audit rows,
-- audit_log bytes.
\if :{?round}
\else
  \set round 1
\endif
SELECT format('ALTER TABLE %s DISABLE TRIGGER %I', t.tgrelid::regclass, t.tgname)
  FROM pg_trigger t WHERE t.tgfoid = 'cqs._audit()'::regprocedure AND :'audit' = 'off' \gexec
\set catalogue_csv `cat demo/catalogue.csv`
\i demo/city.sql
CHECKPOINT;
SELECT clock_timestamp() AS t0 \gset
SELECT demo.generate_city(scale => :scale, year => 2026, catalogue_csv => :'catalogue_csv', months => 1,
                          min_lines => :min_lines, max_lines => :max_lines, refresh => false) AS generated \gset
\pset tuples_only on
\pset format unaligned
\pset fieldsep '\t'
SELECT 'GEN', :round, :'audit', 1000 * extract(epoch FROM clock_timestamp() - :'t0'::timestamptz),
       (SELECT count(*) FROM cqs.task_line), (SELECT count(*) FROM cqs.audit_log),
       pg_total_relation_size('cqs.audit_log'), pg_total_relation_size('cqs.task_line');
\endif

-- ===========================================================================
\if :p_proto
-- A prototype, in this throwaway database only (not a change to schema/): every policy
-- that reads a scope as unnest(cqs.f()) reads it as unnest((SELECT cqs.f())).  The
-- planner folds a stable function under unnest() to estimate its rows (unnest's support
-- function), so each scope now runs at planning and again at execution; as a sub-select
-- it runs once, at execution, and the subplan stays hashed.
SELECT format('ALTER POLICY %I ON %I.%I%s%s', p.policyname, p.schemaname, p.tablename,
              CASE WHEN p.qual IS NOT NULL
                   THEN ' USING (' || regexp_replace(p.qual, 'unnest\((cqs\._[a-z_]+\(\))\)', 'unnest((SELECT \1))', 'g') || ')' ELSE '' END,
              CASE WHEN p.with_check IS NOT NULL
                   THEN ' WITH CHECK (' || regexp_replace(p.with_check, 'unnest\((cqs\._[a-z_]+\(\))\)', 'unnest((SELECT \1))', 'g') || ')' ELSE '' END)
  FROM pg_policies p
 WHERE p.schemaname = 'cqs' AND (p.qual ~ 'unnest\(cqs\._' OR p.with_check ~ 'unnest\(cqs\._') \gexec
SELECT count(*) AS policies_rewritten FROM pg_policies WHERE schemaname = 'cqs' AND (qual ~ 'unnest\(\( SELECT' OR with_check ~ 'unnest\(\( SELECT');
\endif

-- ===========================================================================
\if :p_policies
-- Save the policies as created (once), or put them back: :policies = save | restore.
SELECT :'policies' = 'save' AS p_save \gset
\if :p_save
CREATE TABLE IF NOT EXISTS bench.policies_as_created AS
SELECT schemaname, tablename, policyname, qual, with_check FROM pg_policies WHERE schemaname = 'cqs';
\else
SELECT format('ALTER POLICY %I ON %I.%I%s%s', p.policyname, p.schemaname, p.tablename,
              CASE WHEN p.qual IS NOT NULL THEN ' USING (' || p.qual || ')' ELSE '' END,
              CASE WHEN p.with_check IS NOT NULL THEN ' WITH CHECK (' || p.with_check || ')' ELSE '' END)
  FROM bench.policies_as_created p \gexec
\endif
\endif

-- ===========================================================================
\if :p_grow
-- :grow more people (270,000: the head count of scale 1111), each posted as staff of one
-- new using agency, BENCH-GROW, so that the officers' mandates, the pages' organisations
-- and SNV's identified people do not change: what grows is only what a scope reads about
-- the whole city.  Loaded with the audit triggers off, refresh mode off.
SET cqs.refresh_mode = off;
SELECT format('ALTER TABLE %s DISABLE TRIGGER %I', t.tgrelid::regclass, t.tgname)
  FROM pg_trigger t WHERE t.tgfoid = 'cqs._audit()'::regprocedure AND t.tgrelid IN ('cqs.person'::regclass, 'cqs.posting'::regclass) \gexec
\timing on
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT 'BENCH-GROW', 'bench: the rest of a 300,000-person city', 'using_agency', organisation_id
  FROM cqs.organisation WHERE parent_id IS NULL;
INSERT INTO cqs.person (personnel_id, full_name, kind)
SELECT 'BENCH-GROW-' || i, 'Bench ' || i, 'civil_servant' FROM generate_series(1, :grow) AS i;
INSERT INTO cqs.posting (person_id, organisation_id, role, field, job_position, duty_group, start_date)
SELECT p.person_id, o.organisation_id, 'staff', 'nghiệp vụ', 'Chuyên viên', 'chuyen_mon', '2023-01-01'
  FROM cqs.person p, cqs.organisation o WHERE p.personnel_id LIKE 'BENCH-GROW-%' AND o.code = 'BENCH-GROW';
\timing off
SELECT format('ALTER TABLE %s ENABLE TRIGGER %I', t.tgrelid::regclass, t.tgname)
  FROM pg_trigger t WHERE t.tgfoid = 'cqs._audit()'::regprocedure AND t.tgrelid IN ('cqs.person'::regclass, 'cqs.posting'::regclass) \gexec
RESET cqs.refresh_mode;
VACUUM ANALYZE cqs.person;
VACUUM ANALYZE cqs.posting;
SELECT (SELECT count(*) FROM cqs.person) AS people, (SELECT count(*) FROM cqs.posting) AS postings;
\endif

-- ===========================================================================
\if :p_summary
CREATE TABLE IF NOT EXISTS bench.bulk (round integer, audit text, ms float8, lines bigint,
                                       audit_rows bigint, audit_bytes bigint, audit_heap_bytes bigint);
\echo '== pgbench runs: per label and identity, medians over the rounds of each round''s p50 / p95 (ms), and the ratio to the label''s baseline identity measured in the same rounds'
WITH m AS (
  SELECT label, ident, base, count(*) AS rounds, sum(n) AS transactions,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY p50) AS p50, percentile_cont(0.5) WITHIN GROUP (ORDER BY p95) AS p95,
         min(p95) AS min_p95, max(p95) AS max_p95, percentile_cont(0.5) WITHIN GROUP (ORDER BY tps) AS tps,
         sum(failed) AS failed, sum(aborted) AS aborted, min(ord) AS ord
    FROM bench.pgb GROUP BY label, ident, base
), r AS (     -- per-round ratios to the baseline of the same round
  SELECT x.label, x.ident, percentile_cont(0.5) WITHIN GROUP (ORDER BY x.p95 / b.p95) AS r95,
         min(x.p95 / b.p95) AS r95_min, max(x.p95 / b.p95) AS r95_max,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY x.p50 / b.p50) AS r50
    FROM bench.pgb x JOIN bench.pgb b ON b.label = x.label AND b.round = x.round AND b.ident = x.base
   GROUP BY x.label, x.ident
)
SELECT m.label, m.ident, m.rounds, m.transactions, round(m.p50::numeric, 2) AS p50, round(m.p95::numeric, 2) AS p95,
       round(m.min_p95::numeric, 2) || '–' || round(m.max_p95::numeric, 2) AS p95_range, round(m.tps::numeric, 1) AS tps,
       round((m.p50 / b.p50)::numeric, 2) AS "p50/base", round((m.p95 / b.p95)::numeric, 2) AS "p95/base",
       round(r.r95::numeric, 2) || ' (' || round(r.r95_min::numeric, 2) || '–' || round(r.r95_max::numeric, 2) || ')'
         AS "per-round p95/base (range)",
       m.failed, m.aborted
  FROM m JOIN m b ON b.label = m.label AND b.ident = m.base
  LEFT JOIN r ON r.label = m.label AND r.ident = m.ident
 ORDER BY m.ord;
\echo '== bulk INSERT ... SELECT (refresh mode off): per round, and medians'
SELECT round, audit, round(ms::numeric) AS ms, lines, audit_rows, pg_size_pretty(audit_bytes) AS audit_log_growth,
       pg_size_pretty(audit_heap_bytes) AS of_which_heap
  FROM bench.bulk ORDER BY round, audit DESC;
SELECT round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE audit = 'on'))::numeric) AS median_ms_on,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE audit = 'off'))::numeric) AS median_ms_off,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE audit = 'on')
              / percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE audit = 'off'))::numeric, 2) AS "on/off",
       pg_size_pretty((avg(audit_bytes) FILTER (WHERE audit = 'on') * 100000 / avg(lines))::bigint) AS audit_log_per_100k_lines,
       round(avg(audit_bytes) FILTER (WHERE audit = 'on') / avg(lines)) AS audit_bytes_per_line
  FROM bench.bulk;
SELECT b.round, round((b.ms / o.ms)::numeric, 2) AS "on/off, same round"
  FROM bench.bulk b JOIN bench.bulk o ON o.round = b.round AND o.audit = 'off' WHERE b.audit = 'on' ORDER BY b.round;
\echo '== the city generated (demo.generate_city, refresh => false), every audit trigger on or off'
SELECT round, audit, round(ms::numeric) AS ms, task_lines, audit_rows, pg_size_pretty(audit_bytes) AS audit_log,
       pg_size_pretty(task_line_bytes) AS task_line FROM bench.gen ORDER BY round, audit DESC;
SELECT round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE audit = 'on'))::numeric) AS median_ms_on,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE audit = 'off'))::numeric) AS median_ms_off,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE audit = 'on')
              / percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE audit = 'off'))::numeric, 2) AS "on/off"
  FROM bench.gen;
\endif
