-- Outbox benchmark (issue 10): enqueue and export a year's grades for 300,160 people.
-- A bare city (one using agency, 300,160 people with identification numbers); the
-- decisions are inserted as records in one statement (cqs.decide_grade's checks are not
-- what is measured), which enqueues them through the trigger; then batches of 10,000
-- are prepared, taken, exported as JSON and as CSV, and acknowledged.  Run by
-- bench/outbox.sh in a fresh database; never in CI.
\set ON_ERROR_STOP 1
\timing on
SET client_min_messages = warning;
CREATE EXTENSION cqs_eval CASCADE;
INSERT INTO cqs.organisation (code, name, kind, agency_code) VALUES ('B-CITY', 'UBND', 'managing_agency', '000.00.00.H56');
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT 'B-D', 'Sở', 'using_agency', organisation_id FROM cqs.organisation WHERE code = 'B-CITY';
\echo '300,160 people'
INSERT INTO cqs.person (personnel_id, full_name, personal_id_number)
SELECT 'B-' || i, 'Người ' || i, lpad(i::text, 12, '0') FROM generate_series(1, 300160) i;
\echo 'enqueue: 300,160 decisions inserted, each enqueued by the trigger (one statement)'
INSERT INTO cqs.grade_decision (person_id, year, organisation_id, grade, decided_by, reference)
SELECT p.person_id, 2026, o.organisation_id, 'tot', 'bench', 'QĐ 1/QĐ-UBND'
  FROM cqs.person p, cqs.organisation o WHERE o.code = 'B-D';
SELECT count(*) AS items_enqueued FROM cqs.outbox;
\echo 'the same decisions without the outbox trigger (baseline)'
BEGIN;
ALTER TABLE cqs.grade_decision DISABLE TRIGGER grade_decision_outbox;
CREATE TEMP TABLE d2 AS SELECT * FROM cqs.grade_decision;
DELETE FROM cqs.grade_decision WHERE false;
INSERT INTO cqs.grade_decision (person_id, year, organisation_id, grade, decided_by, reference, supersedes, reason)
SELECT person_id, year, organisation_id, 'hoan_thanh', 'bench', 'QĐ 2', decision_id, 'bench' FROM d2;
ROLLBACK;
\echo 'batch: 31 batches of up to 10,000 (prepare)'
DO $$ BEGIN WHILE cqs.outbox_prepare(10000) IS NOT NULL LOOP END LOOP; END $$;
\echo 'take every batch (outbox_next_batch)'
DO $$ BEGIN WHILE cqs.outbox_next_batch(10000) IS NOT NULL LOOP END LOOP; END $$;
\echo 'export every batch as JSON (total characters)'
SELECT sum(length(cqs.outbox_json(batch_id)::text)) AS json_chars FROM cqs.outbox_batch;
\echo 'export every batch as CSV (total characters)'
SELECT sum(length(cqs.outbox_csv(batch_id))) AS csv_chars FROM cqs.outbox_batch;
\echo 'acknowledge every batch'
SELECT count(cqs.outbox_acknowledge(batch_id, 'R-' || batch_id)) AS acknowledged FROM cqs.outbox_batch;
SELECT status, late, count(*) FROM cqs.outbox_status GROUP BY 1, 2;
