-- Ingest benchmark (issue 10): 100,000 task lines from a document-management system,
-- taken in by cqs.ingest_tasks (JSON) and cqs.ingest_tasks_csv (CSV), against a plain
-- COPY of the same rows (the same CSV file) into a table of the same shape, in the same
-- run.  A bare city: one using agency with 10 units and 1,000 staff, a catalogue of 10
-- items, a source whose 1,000 assignees and 10 task types are mapped; March 2026 open to
-- it.  Refresh mode async (what README advises for syncs from document systems): the
-- results are queued, not computed, in every variant.  Run by bench/ingest.sh in a fresh
-- database (in a scratch directory); never in CI.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION cqs_eval CASCADE;
SET cqs.refresh_mode = 'async';
INSERT INTO cqs.organisation (code, name, kind) VALUES ('B-D', 'Sở B', 'using_agency');
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT 'B-U' || u, 'Phòng ' || u, 'unit', organisation_id FROM cqs.organisation, generate_series(1, 10) u WHERE code = 'B-D';
INSERT INTO cqs.person (personnel_id, full_name) SELECT 'B-' || i, 'Người ' || i FROM generate_series(1, 1000) i;
INSERT INTO cqs.posting (person_id, organisation_id, start_date)
SELECT p.person_id, o.organisation_id, '2026-01-01'
  FROM cqs.person p JOIN cqs.organisation o ON o.code = 'B-U' || (1 + substr(p.personnel_id, 3)::integer % 10);
INSERT INTO cqs.catalogue (organisation_id, version, effective_from, standard_points, coefficient_decimals)
SELECT organisation_id, 'b1', '2026-01-01', 5, 1 FROM cqs.organisation WHERE code = 'B-D';
INSERT INTO cqs.catalogue_item (catalogue_id, code, name, output_unit, complexity_group, group_max,
                                points_low, points_high, is_standard, coefficient_low, coefficient_high)
SELECT c.catalogue_id, 'IT' || k, 'Sản phẩm ' || k, 'văn bản', 1, 100, 5 * k, 5 * k, k = 1, 0, 0
  FROM cqs.catalogue c, generate_series(1, 10) k;
INSERT INTO cqs.ingest_source (source, name, organisation_id)
SELECT 'bench', 'Quản lý văn bản', organisation_id FROM cqs.organisation WHERE code = 'B-D';
INSERT INTO cqs.ingest_cutoff (source, period, cutoff_at, reason) VALUES ('bench', '2026-03-01', '2100-01-01', 'bench');
INSERT INTO cqs.ingest_assignee_map (source, external_assignee, person_id)
SELECT 'bench', 'u' || substr(personnel_id, 3), person_id FROM cqs.person;
INSERT INTO cqs.ingest_type_map (source, external_type, item_code) SELECT 'bench', 'TY' || k, 'IT' || k FROM generate_series(1, 10) k;

-- The 100,000 rows (every tenth title quoted, with a comma and quotes), as a JSON array
-- (ids J-n) and as CSV text (ids C-n), kept as text so that parsing is measured too.
CREATE TABLE rows AS
SELECT n, 'u' || (1 + n % 1000) AS assignee, 'TY' || (1 + n % 10) AS task_type,
       CASE WHEN n % 10 = 0 THEN format('Trả lời "công văn" số %s, gấp', n) ELSE 'Nhiệm vụ số ' || n END AS title,
       to_char(timestamptz '2026-03-15 08:00:00+07' + n * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS"+07:00"') AS updated_at,
       (date '2026-03-01' + n % 28)::text AS deadline, 1 + n % 3 AS assigned_qty,
       CASE WHEN n % 2 = 0 THEN 1 + n % 3 END AS completed_qty,
       CASE WHEN n % 2 = 0 THEN (date '2026-03-02' + n % 28)::text END AS completed_on
  FROM generate_series(1, 100000) n;
CREATE TABLE payload (kind text PRIMARY KEY, body text NOT NULL);
INSERT INTO payload
SELECT 'json', jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
         'external_id', 'J-' || n, 'updated_at', updated_at, 'assignee', assignee, 'task_type', task_type,
         'title', title, 'deadline', deadline, 'assigned_qty', assigned_qty, 'completed_qty', completed_qty,
         'completed_on', completed_on)) ORDER BY n)::text
  FROM rows;
INSERT INTO payload
SELECT 'csv', 'external_id,updated_at,assignee,task_type,title,deadline,assigned_qty,completed_qty,completed_on' || E'\n'
              || string_agg(concat_ws(',', 'C-' || n, updated_at, assignee, task_type,
                                      CASE WHEN title ~ '[",]' THEN '"' || replace(title, '"', '""') || '"' ELSE title END,
                                      deadline, assigned_qty, coalesce(completed_qty::text, ''), coalesce(completed_on, '')),
                            E'\n' ORDER BY n)
  FROM rows;
SELECT kind, length(body) AS characters FROM payload ORDER BY kind;
-- The CSV text as a file, for COPY.
\pset format unaligned
\pset tuples_only on
\o tasks.csv
SELECT body FROM payload WHERE kind = 'csv';
\o
\pset format aligned
\pset tuples_only off
CREATE TABLE plain (external_id text, updated_at timestamptz, assignee text, task_type text, title text, deadline date,
                    assigned_qty numeric, completed_qty numeric, completed_on date);
CREATE TABLE timing (step text PRIMARY KEY, lines integer, seconds numeric);
ANALYZE;
CHECKPOINT;

\echo 'baseline: COPY of the CSV file into a plain table of the same shape'
SELECT clock_timestamp() AS t0 \gset
\copy plain FROM 'tasks.csv' WITH (FORMAT csv, HEADER)
INSERT INTO timing SELECT 'copy', (SELECT count(*) FROM plain), extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);

\echo 'the same rows inserted straight into cqs.task_line (its checks, audit and queue triggers; one statement, rolled back)'
BEGIN;
SELECT clock_timestamp() AS t0 \gset
INSERT INTO cqs.task_line (person_id, organisation_id, period, item_id, title, coefficient, assigned_qty, deadline,
                           completed_qty, completed_on, external_source, external_id)
SELECT am.person_id, ps.organisation_id, date_trunc('month', pl.deadline)::date, i.item_id, pl.title, i.coefficient_low,
       pl.assigned_qty, pl.deadline, pl.completed_qty, pl.completed_on, 'direct', pl.external_id
  FROM plain pl
  JOIN cqs.ingest_assignee_map am ON am.source = 'bench' AND am.external_assignee = pl.assignee
  JOIN cqs.posting ps ON ps.person_id = am.person_id
  JOIN cqs.ingest_type_map tm ON tm.source = 'bench' AND tm.external_type = pl.task_type
  JOIN cqs.catalogue_item i ON i.code = tm.item_code;
SELECT extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) AS task_line_s \gset
ROLLBACK;
INSERT INTO timing VALUES ('task_line', 100000, :task_line_s);

\echo 'cqs.ingest_tasks: the JSON batch (100,000 new items)'
SELECT clock_timestamp() AS t0 \gset
SELECT outcome, count(*) FROM cqs.ingest_tasks('bench', (SELECT body::jsonb FROM payload WHERE kind = 'json')) GROUP BY 1;
INSERT INTO timing SELECT 'json', 100000, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);

\echo 'cqs.ingest_tasks: the same JSON batch again (idempotent: every item unchanged)'
SELECT clock_timestamp() AS t0 \gset
SELECT outcome, count(*) FROM cqs.ingest_tasks('bench', (SELECT body::jsonb FROM payload WHERE kind = 'json')) GROUP BY 1;
INSERT INTO timing SELECT 'json_again', 100000, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);

\echo 'the CSV parser alone (cqs._ingest_csv_items)'
SELECT clock_timestamp() AS t0 \gset
SELECT jsonb_array_length(cqs._ingest_csv_items(body)) AS items FROM payload WHERE kind = 'csv';
INSERT INTO timing SELECT 'csv_parse', 100000, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);

\echo 'cqs.ingest_tasks_csv: the CSV batch (100,000 new items)'
SELECT clock_timestamp() AS t0 \gset
SELECT outcome, count(*) FROM cqs.ingest_tasks_csv('bench', (SELECT body FROM payload WHERE kind = 'csv')) GROUP BY 1;
INSERT INTO timing SELECT 'csv', 100000, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);

\echo 'a JSON batch of the 100,000 items changed (newer, every assigned quantity changed: 100,000 updates)'
UPDATE payload SET body = replace(replace(body, '"updated_at": "2026-03-15', '"updated_at": "2026-03-16'), '"assigned_qty": ', '"assigned_qty": 1') WHERE kind = 'json';
SELECT clock_timestamp() AS t0 \gset
SELECT outcome, count(*) FROM cqs.ingest_tasks('bench', (SELECT body::jsonb FROM payload WHERE kind = 'json')) GROUP BY 1;
INSERT INTO timing SELECT 'json_update', 100000, extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);

SELECT count(*) AS task_lines, count(DISTINCT (external_source, external_id)) AS distinct_keys FROM cqs.task_line;
SELECT count(*) AS people_months_queued FROM cqs.refresh_queue;
\echo 'lines per second, and the time against the plain COPY of the same rows (same run)'
SELECT t.step, t.lines, round(t.seconds, 2) AS seconds, round(t.lines / t.seconds) AS lines_per_s,
       round(t.seconds / c.seconds, 1) AS x_copy, round(t.seconds / d.seconds, 1) AS x_task_line
  FROM timing t, timing c, timing d WHERE c.step = 'copy' AND d.step = 'task_line'
 ORDER BY array_position(ARRAY['copy', 'task_line', 'json', 'json_again', 'json_update', 'csv_parse', 'csv'], t.step);
