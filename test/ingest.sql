-- pgTAP: taking work in from a document-management system (DOMAIN.md §10; 72_ingest.sql).
-- Keyed upsert by (source, external id), idempotency, one answer per item (bad items never
-- reject good ones), reviewed mappings and the waiting queue, retry, watermark, cut-off,
-- locked periods, provenance, the set-wise path falling back to item by item, CSV,
-- privileges (42501) and row-level security.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cqs_eval CASCADE;
SELECT plan(46);

-- Fixture: Sở I (using agency) with Phòng I; a department J outside; S1 in Sở I, S2 in
-- Phòng I, X in J.  Sở I's catalogue: the standard unit (5 points, coefficient 1) and an
-- item with a range (5-10 points, coefficient 1-2).
SELECT count(*) AS roles FROM cqs.setup_roles() \gset
INSERT INTO cqs.organisation (code, name, kind) VALUES ('I-D', 'Sở I', 'using_agency'), ('I-J', 'Sở J', 'using_agency');
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT 'I-U', 'Phòng I', 'unit', organisation_id FROM cqs.organisation WHERE code = 'I-D';
INSERT INTO cqs.person (personnel_id, full_name) VALUES ('I-S1', 'Một'), ('I-S2', 'Hai'), ('I-X', 'Ngoài');
INSERT INTO cqs.posting (person_id, organisation_id, role, start_date)
SELECT p.person_id, o.organisation_id, 'staff', '2026-01-01'
  FROM (VALUES ('I-S1', 'I-D'), ('I-S2', 'I-U'), ('I-X', 'I-J')) AS v(p, o)
  JOIN cqs.person p ON p.personnel_id = v.p JOIN cqs.organisation o ON o.code = v.o;
INSERT INTO cqs.catalogue (organisation_id, version, effective_from, standard_points)
SELECT organisation_id, 'i1', '2026-01-01', 5 FROM cqs.organisation WHERE code = 'I-D';
INSERT INTO cqs.catalogue_item (catalogue_id, code, name, output_unit, complexity_group, group_max,
                                points_low, points_high, is_standard, coefficient_low, coefficient_high)
SELECT c.catalogue_id, v.code, v.code, 'văn bản', 1, 100, v.lo, v.hi, v.std, 0, 0
  FROM cqs.catalogue c, (VALUES ('I-STD', 5, 5, true), ('I-RNG', 5, 10, false)) AS v(code, lo, hi, std)
 WHERE c.version = 'i1';
SELECT (SELECT organisation_id FROM cqs.organisation WHERE code = 'I-D') AS d,
       (SELECT person_id FROM cqs.person WHERE personnel_id = 'I-S1') AS s1,
       (SELECT person_id FROM cqs.person WHERE personnel_id = 'I-S2') AS s2,
       (SELECT person_id FROM cqs.person WHERE personnel_id = 'I-X') AS x \gset

-- The connector of Sở I's document system, another source's connector, Sở I's personnel
-- section (reviews the mappings), a civil servant.
CREATE ROLE regress_ingest_conn LOGIN;
GRANT cqs_ingest TO regress_ingest_conn;
CREATE ROLE regress_ingest_other LOGIN;
GRANT cqs_ingest TO regress_ingest_other;
CREATE ROLE regress_ingest_hr LOGIN;
GRANT cqs_personnel TO regress_ingest_hr;
CREATE ROLE regress_ingest_sv LOGIN;
GRANT cqs_servant TO regress_ingest_sv;
INSERT INTO cqs.mandate (kind, organisation_id, login, reference)
VALUES ('personnel', :d, 'regress_ingest_hr', 'QĐ phân công tổ chức cán bộ');
INSERT INTO cqs.ingest_source (source, name, organisation_id, connector_login)
VALUES ('vpdt-i', 'Quản lý văn bản Sở I', :d, 'regress_ingest_conn'),
       ('vpdt-j', 'Quản lý văn bản Sở J', (SELECT organisation_id FROM cqs.organisation WHERE code = 'I-J'),
        'regress_ingest_other');
-- March and April stay open to this source whatever day the test runs; February is cut
-- off by the policy (five days after the month: 6/3/2026 00:00 Vietnam time).
INSERT INTO cqs.ingest_cutoff (source, period, cutoff_at, reason)
VALUES ('vpdt-i', '2026-03-01', '2100-01-01', 'thử'), ('vpdt-i', '2026-04-01', '2100-01-01', 'thử');

CREATE FUNCTION pg_temp.item(xid text, ts text, assignee text, task_type text, deadline text, extra jsonb DEFAULT '{}')
RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_strip_nulls(jsonb_build_object('external_id', xid, 'updated_at', ts, 'assignee', assignee,
                                              'task_type', task_type, 'deadline', deadline)) || extra
$$;

-- ---------------------------------------------------------------------------
-- 1. First contact: nothing is mapped, so the item waits, and its assignee and type are
--    put before the reviewers (never matched by name).
-- ---------------------------------------------------------------------------
SET ROLE regress_ingest_conn;
SELECT results_eq($$SELECT item_no, external_id, outcome, task_line_id, sqlstate FROM cqs.ingest_tasks('vpdt-i', jsonb_build_array(
                      pg_temp.item('A1', '2026-03-02T08:00:00+07:00', 'u-s1', 'CV', '2026-03-10',
                                   '{"assignee_name": "Một", "title": "Trả lời công văn 12"}')))$$,
                  $$VALUES (1, 'A1'::text, 'waiting'::text, NULL::bigint, NULL::text)$$,
                  'an item whose assignee has no reviewed mapping waits');
SELECT is((SELECT reason FROM cqs.ingest_queue WHERE external_id = 'A1'),
          'assignee "u-s1" of source "vpdt-i" has no reviewed mapping to a person (cqs.ingest_assignee_map)',
          'the queue says why');
SELECT results_eq($$SELECT kind, external_key, seen_label, items_waiting FROM cqs.ingest_unmapped ORDER BY 1$$,
                  $$VALUES ('assignee'::text, 'u-s1'::text, 'Một'::text, 1::bigint), ('task_type', 'CV', NULL, 1)$$,
                  'the unknown assignee (with the name it was shown as, for the reviewer) and type wait for review');
SELECT throws_ok($$UPDATE cqs.ingest_assignee_map SET person_id = 1$$, '42501', NULL,
                 'the connector cannot map anything');
SELECT throws_ok($$SELECT * FROM cqs.ingest_tasks('vpdt-j', '[]')$$, '42501', NULL,
                 'nor send to another connector''s source');
RESET ROLE;

-- ---------------------------------------------------------------------------
-- 2. The personnel section reviews; the database records who and when; retry.
-- ---------------------------------------------------------------------------
SET ROLE regress_ingest_hr;
UPDATE cqs.ingest_assignee_map SET person_id = :s1 WHERE source = 'vpdt-i' AND external_assignee = 'u-s1';
INSERT INTO cqs.ingest_assignee_map (source, external_assignee, person_id)
VALUES ('vpdt-i', 'u-s2', :s2), ('vpdt-i', 'u-x', :x);
UPDATE cqs.ingest_type_map SET item_code = 'I-STD' WHERE source = 'vpdt-i' AND external_type = 'CV';
INSERT INTO cqs.ingest_type_map (source, external_type, item_code, origin) VALUES ('vpdt-i', 'RNG', 'I-RNG', 'ad_hoc');
SELECT throws_ok($$INSERT INTO cqs.ingest_type_map (source, external_type, item_code) VALUES ('vpdt-i', 'NO', 'NOPE')$$,
                 '23503', NULL, 'a type maps only to an item code of the source''s catalogues');
SELECT throws_ok($$INSERT INTO cqs.ingest_assignee_map (source, external_assignee, person_id) VALUES ('vpdt-j', 'u', 1)$$,
                 '42501', NULL, 'the personnel section maps only its own sources');
SELECT results_eq($$SELECT external_id, outcome, sqlstate FROM cqs.ingest_retry('vpdt-i')$$,
                  $$VALUES ('A1'::text, 'inserted'::text, NULL::text)$$, 'retried, the waiting item becomes a task line');
RESET ROLE;
SELECT is((SELECT reviewed_by FROM cqs.ingest_assignee_map WHERE external_assignee = 'u-s1'), 'regress_ingest_hr',
          'the review is recorded as the reviewer''s login (never typed in)');
SELECT results_eq($$SELECT person_id, organisation_id, period, coefficient, assigned_qty, deadline, title, origin
                      FROM cqs.task_line WHERE external_source = 'vpdt-i' AND external_id = 'A1'$$,
                  format($$VALUES (%s::bigint, %s::bigint, '2026-03-01'::date, 1.0::numeric, 1::numeric, '2026-03-10'::date,
                                   'Trả lời công văn 12'::text, 'planned'::text)$$, :s1, :d),
                  'the line: the mapped person where posted, the month of the deadline, the item''s coefficient, one unit');
SELECT results_eq($$SELECT source, external_id, batch_login FROM cqs.ingest_provenance$$,
                  $$VALUES ('vpdt-i'::text, 'A1'::text, 'regress_ingest_hr'::text)$$,
                  'its provenance: source, external id, and the batch (the retry) that last changed it');

-- ---------------------------------------------------------------------------
-- 3. Idempotency and upsert.
-- ---------------------------------------------------------------------------
SET ROLE regress_ingest_conn;
SELECT results_eq($$SELECT outcome, reason FROM cqs.ingest_tasks('vpdt-i', jsonb_build_array(
                      pg_temp.item('A1', '2026-03-02T08:00:00+07:00', 'u-s1', 'CV', '2026-03-10',
                                   '{"assignee_name": "Một", "title": "Trả lời công văn 12"}')))$$,
                  $$VALUES ('unchanged'::text, 'the same as the version held'::text)$$, 'the same item again: a no-op');
SELECT results_eq($$SELECT outcome FROM cqs.ingest_tasks('vpdt-i', jsonb_build_array(
                      pg_temp.item('A1', '2026-03-05T08:00:00+07:00', 'u-s1', 'CV', '2026-03-10',
                                   '{"title": "Trả lời công văn 12", "completed_qty": "1", "completed_on": "2026-03-12", "status": "done"}')))$$,
                  $$VALUES ('updated'::text)$$, 'a newer version updates the line');
SELECT results_eq($$SELECT outcome, reason FROM cqs.ingest_tasks('vpdt-i', jsonb_build_array(
                      pg_temp.item('A1', '2026-03-04T08:00:00+07:00', 'u-s1', 'CV', '2026-03-10', '{"completed_qty": 0}')))$$,
                  $$VALUES ('unchanged'::text, 'older than the version held (updated_at 2026-03-05T01:00:00.000000Z)'::text)$$,
                  'an older version arriving late changes nothing');
RESET ROLE;
SELECT results_eq($$SELECT count(*), min(completed_qty), min(completed_on), min(days_late) FROM cqs.task_line WHERE external_source = 'vpdt-i'$$,
                  $$VALUES (1::bigint, 1::numeric, '2026-03-12'::date, 2)$$,
                  'one line, completed two days late, whatever was sent how often');
SELECT is((SELECT reason FROM cqs.audit_log WHERE table_name = 'task_line' AND operation = 'UPDATE'
            AND new_values ->> 'completed_qty' = '1'),
          'ingest from source "vpdt-i"', 'the audit trail says where the change came from');
SELECT is((SELECT watermark FROM cqs.ingest_source WHERE source = 'vpdt-i'), '2026-03-05T08:00:00+07:00'::timestamptz,
          'the watermark is the latest source time taken in');

-- ---------------------------------------------------------------------------
-- 4. A batch of good and bad items: one answer each, the good ones taken.
-- ---------------------------------------------------------------------------
SET ROLE regress_ingest_conn;
CREATE TEMP TABLE r4 AS
SELECT * FROM cqs.ingest_tasks('vpdt-i', jsonb_build_array(
  pg_temp.item('B1', '2026-03-06T08:00:00+07:00', 'u-s2', 'CV', '2026-03-20', '{"assigned_qty": 2}'),
  pg_temp.item('B2', '2026-03-06T08:00:00+07:00', 'u-s2', 'CV', NULL),
  pg_temp.item('B3', '2026-03-06T08:00:00+07:00', 'u-s2', 'CV', '2026-03-20', '{"assigned_qty": "nhiều"}'),
  '[1, 2]'::jsonb,
  pg_temp.item('B5', '2026-03-06T08:00:00+07:00', 'u-s2', 'RNG', '2026-03-20', '{"coefficient": 3}'),
  pg_temp.item('B6', '2026-03-06T08:00:00+07:00', 'u-s2', 'RNG', '2026-03-20'),
  pg_temp.item('B7', '2026-03-06T08:00:00+07:00', 'u-x', 'CV', '2026-03-20'),
  pg_temp.item('B8', '2026-03-06T08:00:00+07:00', 'u-s2', 'CV', '2026-02-20'),
  pg_temp.item('B9', '2026-03-06T08:00:00+07:00', 'u-s2', 'RNG', '2026-03-25', '{"coefficient": "1,5", "title": "Đột xuất"}'),
  pg_temp.item('B10', '2026-03-06T08:00:00+07:00', 'u-s2', 'CV', '2026-03-20', '{"assigned_qty": 1}'),
  pg_temp.item('B10', '2026-03-06T08:00:00+07:00', 'u-s2', 'CV', '2026-03-20', '{"assigned_qty": 3}'),
  jsonb_build_object('external_id', 'B12', 'updated_at', 'hôm qua')));
RESET ROLE;
SELECT results_eq($$SELECT item_no, external_id, outcome, sqlstate, task_line_id IS NOT NULL FROM r4 ORDER BY item_no$$,
                  $$VALUES (1, 'B1'::text, 'inserted'::text, NULL::text, true), (2, 'B2', 'error', '23502', false),
                           (3, 'B3', 'error', '22023', false), (4, NULL, 'error', '22023', false),
                           (5, 'B5', 'error', '23514', false), (6, 'B6', 'waiting', NULL, false),
                           (7, 'B7', 'waiting', NULL, false), (8, 'B8', 'error', '55000', false),
                           (9, 'B9', 'inserted', NULL, true), (10, 'B10', 'unchanged', NULL, true),
                           (11, 'B10', 'inserted', NULL, true), (12, 'B12', 'error', '22023', false)$$,
                  'each item answered with its outcome and SQLSTATE; the good ones taken');
SELECT results_eq($$SELECT item_no, reason FROM r4 WHERE item_no IN (2, 5, 6, 7, 8, 10) ORDER BY item_no$$,
                  format($$VALUES (2, 'deadline is missing (Art. 18.1.b: every assigned task has one)'::text),
                           (5, 'coefficient 3 is outside item "I-RNG"''s range 1 to 2 (HB ch. II)'),
                           (6, 'item "I-RNG" has a range of coefficients (1 to 2): the task or the type''s mapping must fix one (HB ch. II)'),
                           (7, 'person %s is posted in organisation %s in 2026-03, outside the scope of source "vpdt-i"'),
                           (8, 'period 2026-02 of source "vpdt-i" was cut off at 2026-03-06 00:00 (Vietnam time): it takes no more changes'),
                           (10, 'superseded by item 11 of this batch')$$,
                         :x, (SELECT organisation_id FROM cqs.organisation WHERE code = 'I-J')),
                  'the reasons name the value and the rule');
SELECT results_eq($$SELECT external_id, assigned_qty, coefficient, origin FROM cqs.task_line
                     WHERE external_source = 'vpdt-i' AND external_id LIKE 'B%' ORDER BY 1$$,
                  $$VALUES ('B1'::text, 2::numeric, 1.0::numeric, 'planned'::text), ('B10', 3, 1.0, 'planned'),
                           ('B9', 1, 1.5, 'ad_hoc')$$,
                  'the lines taken: the last version of a repeated id, a decimal comma, the type''s origin (Art. 18.1.d)');
SELECT results_eq($$SELECT items, inserted, updated, unchanged, waiting, errors, item_by_item FROM cqs.ingest_batch
                     ORDER BY batch_id DESC LIMIT 1$$,
                  $$VALUES (12, 3, 0, 1, 2, 6, false)$$, 'the batch log counts them, set-wise');
SELECT results_eq($$SELECT external_id, status FROM cqs.ingest_queue ORDER BY 1$$,
                  $$VALUES ('B2'::text, 'error'::text), ('B3', 'error'), ('B5', 'error'), ('B6', 'waiting'), ('B7', 'waiting'),
                           ('B8', 'error')$$,
                  'the queue holds what waits and what failed (malformed items are answered, not kept)');

-- ---------------------------------------------------------------------------
-- 5. The mapping fixes a coefficient; retry takes the waiting item; B7 still waits.
-- ---------------------------------------------------------------------------
UPDATE cqs.ingest_type_map SET coefficient = 2 WHERE source = 'vpdt-i' AND external_type = 'RNG';
SELECT results_eq($$SELECT external_id, outcome FROM cqs.ingest_retry('vpdt-i')$$,
                  $$VALUES ('B6'::text, 'inserted'::text), ('B7', 'waiting')$$,
                  'a retry takes what its review unblocked, and leaves the rest waiting');

-- ---------------------------------------------------------------------------
-- 6. Locked periods (Art. 21.3): a change to a locked month is refused for that item
--    (55000); reopened, the item in error is taken with include_errors.
-- ---------------------------------------------------------------------------
SELECT count(*) AS locked FROM cqs.lock_period(:d, '2026-03-01', 'tháng 3', include_unassessed => true) \gset
SELECT max(lock_id) AS lock_id FROM cqs.period_lock \gset
SET ROLE regress_ingest_conn;
SELECT results_eq($$SELECT external_id, outcome, sqlstate, reason FROM cqs.ingest_tasks('vpdt-i', jsonb_build_array(
                      pg_temp.item('B1', '2026-04-01T08:00:00+07:00', 'u-s2', 'CV', '2026-03-20', '{"assigned_qty": 2, "completed_qty": 2}'),
                      pg_temp.item('C1', '2026-04-01T08:00:00+07:00', 'u-s2', 'CV', '2026-04-20')))$$,
                  format($$VALUES ('B1'::text, 'error'::text, '55000'::text,
                                   'period 2026-03 of person %s is locked (lock %s); its task lines cannot change (Art. 21.3: cqs.reopen_period)'::text),
                                  ('C1', 'inserted', NULL, NULL)$$, :s2, :lock_id),
                  'a change to a locked month is refused for that item only');
RESET ROLE;
SELECT is((SELECT completed_qty FROM cqs.task_line WHERE external_id = 'B1'), NULL, 'and the locked line is as it was');
SELECT lives_ok(format($$SELECT cqs.reopen_period(%s, '2026-03-01', 'kiến nghị được chấp nhận')$$, :d), 'the period is reopened');
SELECT results_eq($$SELECT external_id, outcome FROM cqs.ingest_retry('vpdt-i', include_errors => true) WHERE outcome <> 'error'$$,
                  $$VALUES ('B1'::text, 'updated'::text), ('B7', 'waiting')$$,
                  'retried with include_errors, the refused change is taken');

-- ---------------------------------------------------------------------------
-- 7. The set-wise statement fails (here: moving a line out of a locked month, which the
--    database refuses on the old row): the batch is taken item by item instead, and
--    only that item fails.
-- ---------------------------------------------------------------------------
SELECT count(*) AS locked FROM cqs.lock_period(:d, '2026-03-01', 'tháng 3 lần 2', include_unassessed => true) \gset
SET ROLE regress_ingest_conn;
SELECT results_eq($$SELECT external_id, outcome, sqlstate FROM cqs.ingest_tasks('vpdt-i', jsonb_build_array(
                      pg_temp.item('B9', '2026-04-02T08:00:00+07:00', 'u-s2', 'RNG', '2026-04-25', '{"coefficient": 1.5}'),
                      pg_temp.item('C2', '2026-04-02T08:00:00+07:00', 'u-s2', 'CV', '2026-04-21'),
                      pg_temp.item('C3', '2026-04-02T08:00:00+07:00', 'u-s1', 'CV', '2026-04-22')))$$,
                  $$VALUES ('B9'::text, 'error'::text, '55000'::text), ('C2', 'inserted', NULL), ('C3', 'inserted', NULL)$$,
                  'item by item, the one the database refuses fails and the others are taken');
RESET ROLE;
SELECT is((SELECT item_by_item FROM cqs.ingest_batch ORDER BY batch_id DESC LIMIT 1), true,
          'the batch log says it went item by item');
SELECT alike((SELECT reason FROM cqs.ingest_task WHERE external_id = 'B9'), 'period 2026-03-01 of person % is locked%',
            'with the database''s own message');
SELECT lives_ok(format($$SELECT cqs.reopen_period(%s, '2026-03-01', 'sửa')$$, :d), 'reopened again');

-- ---------------------------------------------------------------------------
-- 8. Cancelled in the source: the line goes.
-- ---------------------------------------------------------------------------
SET ROLE regress_ingest_conn;
SELECT results_eq($$SELECT outcome FROM cqs.ingest_tasks('vpdt-i', '[{"external_id": "C3", "updated_at": "2026-04-03T08:00:00Z", "status": "cancelled"}]')$$,
                  $$VALUES ('deleted'::text)$$, 'a cancelled task deletes its line');
RESET ROLE;
SELECT is((SELECT count(*) FROM cqs.task_line WHERE external_id = 'C3'), 0::bigint, 'gone');

-- ---------------------------------------------------------------------------
-- 9. CSV: the same names as columns; quotes, doubled quotes, a newline in a field; a
--    short record is an error of its own.
-- ---------------------------------------------------------------------------
SET ROLE regress_ingest_conn;
SELECT results_eq($$SELECT item_no, external_id, outcome, sqlstate FROM cqs.ingest_tasks_csv('vpdt-i',
                      E'\uFEFFexternal_id,updated_at,assignee,task_type,deadline,title,completed_qty\r\n'
                      || E'D1,2026-04-05T08:00:00+07:00,u-s1,CV,2026-04-28,"Báo cáo ""quý"", bản\nhai",\r\n'
                      || E'D2,2026-04-05T08:00:00+07:00,u-s1\r\n'
                      || E'C2,2026-04-05T08:00:00+07:00,u-s2,CV,2026-04-21,,1\r\n')$$,
                  $$VALUES (1, 'D1'::text, 'inserted'::text, NULL::text), (2, 'D2', 'error', '22P04'), (3, 'C2', 'updated', NULL)$$,
                  'a CSV batch: one answer per record');
RESET ROLE;
SELECT is((SELECT title FROM cqs.task_line WHERE external_id = 'D1'), E'Báo cáo "quý", bản\nhai',
          'quoted fields read as written');
SELECT is((SELECT format FROM cqs.ingest_batch ORDER BY batch_id DESC LIMIT 1), 'csv', 'logged as a CSV batch');
SELECT is(cqs._ingest_csv_items(E'external_id,title\nx,"a""b\n'), '[{"_csv_error": "line 2: a quoted field is not closed or is followed by other characters"}]'::jsonb,
          'an unclosed quote is reported with its line');
SELECT throws_ok($$SELECT cqs._ingest_csv_items('id,title')$$, '22P04', NULL, 'a header without external_id is refused');

-- ---------------------------------------------------------------------------
-- 10. Privileges and row-level security.
-- ---------------------------------------------------------------------------
SET ROLE regress_ingest_sv;
SELECT throws_ok($$SELECT * FROM cqs.ingest_tasks('vpdt-i', '[]')$$, '42501', NULL, 'a civil servant cannot send batches');
SELECT throws_ok($$SELECT * FROM cqs.ingest_tasks_csv('vpdt-i', '')$$, '42501', NULL, 'nor CSV');
SELECT throws_ok($$SELECT * FROM cqs.ingest_retry('vpdt-i')$$, '42501', NULL, 'nor retry');
SELECT throws_ok($$SELECT * FROM cqs.ingest_task$$, '42501', NULL, 'nor read what came in');
RESET ROLE;
SET ROLE regress_ingest_other;
SELECT is((SELECT count(*) FROM cqs.ingest_task), 0::bigint, 'another source''s connector sees none of this source''s items');
SELECT throws_ok($$SELECT * FROM cqs.ingest_retry('vpdt-i')$$, '42501', NULL, 'and may not retry them');
RESET ROLE;
SET ROLE regress_ingest_conn;
SELECT is((SELECT count(*) FROM cqs.ingest_task), (SELECT count(*) FROM cqs.ingest_task WHERE source = 'vpdt-i'),
          'the connector sees its own source''s items');
SELECT throws_ok($$SELECT count(*) FROM cqs.task_line$$, '42501', NULL, 'but no task line (no personal records)');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
