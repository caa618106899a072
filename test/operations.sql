-- pgTAP: running a city (issue 10) -- the national-database outbox (DOMAIN.md section 10,
-- Art. 26.1.d) and the jobs as procedures (their schedules, their log, their steps).
-- pg_cron itself is exercised by test/scripts/cron_jobs.sh; this suite needs none.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cqs_eval CASCADE;
SET LOCAL cqs.refresh_mode = async;
SELECT plan(49);

-- A city with an agency code, a department without one (it reports under the city's),
-- and two staff: OP-A with a personal identification number, OP-B without.
INSERT INTO cqs.organisation (code, name, kind, agency_code) VALUES ('OP-CITY', 'UBND', 'managing_agency', '000.00.00.H56');
INSERT INTO cqs.organisation (code, name, kind, parent_id, confirmation_due_day)
SELECT 'OP-D', 'Sở', 'using_agency', organisation_id, 10 FROM cqs.organisation WHERE code = 'OP-CITY';
INSERT INTO cqs.person (personnel_id, full_name, personal_id_number) VALUES ('OP-A', 'Nguyễn Văn "A", Huế', '046090000001');
INSERT INTO cqs.person (personnel_id, full_name) VALUES ('OP-B', 'Trần Thị B');
INSERT INTO cqs.posting (person_id, organisation_id, role, start_date)
SELECT p.person_id, o.organisation_id, 'staff', '2026-01-01' FROM cqs.person p, cqs.organisation o
 WHERE p.personnel_id LIKE 'OP-%' AND o.code = 'OP-D';
SELECT organisation_id AS d FROM cqs.organisation WHERE code = 'OP-D' \gset
SELECT person_id AS a FROM cqs.person WHERE personnel_id = 'OP-A' \gset
SELECT person_id AS b FROM cqs.person WHERE personnel_id = 'OP-B' \gset

-- 1. Identification.
SELECT throws_ok($$UPDATE cqs.person SET personal_id_number = '12345' WHERE personnel_id = 'OP-B'$$, '23514', NULL,
                 'a personal identification number is 12 digits (23514)');
SELECT throws_ok($$UPDATE cqs.person SET personal_id_number = '046090000001' WHERE personnel_id = 'OP-B'$$, '23505', NULL,
                 'and belongs to one person (23505)');
SELECT throws_ok($$UPDATE cqs.organisation SET agency_code = 'H56' WHERE code = 'OP-D'$$, '23514', NULL,
                 'an agency code has the form of Decision 20/2020 (000.00.00.H56) (23514)');
SELECT is(cqs.reporting_agency_code(:d), '000.00.00.H56', 'a department without a code reports under the city''s');

-- 2. A lock enqueues its results (a lock as the records cqs.lock_period writes).
CREATE FUNCTION pg_temp.lock(p_period date, p_total numeric, p_at timestamptz) RETURNS bigint LANGUAGE sql AS $$
  WITH l AS (
    INSERT INTO cqs.period_lock (organisation_id, period, period_kind, people, reason, locked_at)
    SELECT organisation_id, p_period, 'month', 2, 'tháng đã thông báo', p_at FROM cqs.organisation WHERE code = 'OP-D'
    RETURNING lock_id, organisation_id
  ), r AS (
    INSERT INTO cqs.locked_result (lock_id, person_id, period, period_kind, organisation_id, person_kind, role, total, grade,
                                   computed_version, computed_at)
    SELECT l.lock_id, p.person_id, p_period, 'month', l.organisation_id, 'civil_servant', 'staff', p_total,
           cqs.classify(p_total), '1.0', p_at
      FROM l, cqs.person p WHERE p.personnel_id LIKE 'OP-%'
    RETURNING lock_id
  )
  SELECT max(lock_id) FROM r
$$;
SELECT pg_temp.lock('2026-10-01', 76.70, now() - interval '1 day') AS lock1 \gset
SELECT results_eq($$SELECT p.personnel_id, o.kind, o.period_kind, o.period, o.version, o.total, o.grade::text,
                          o.due_at - o.finalised_at
                     FROM cqs.outbox o JOIN cqs.person p USING (person_id) ORDER BY 1$$,
                  $$VALUES ('OP-A'::text, 'period_result'::text, 'month'::text, '2026-10-01'::date, 1, 76.70::numeric, 'tot'::text,
                            interval '5 days'),
                           ('OP-B', 'period_result', 'month', '2026-10-01', 1, 76.70, 'tot', interval '5 days')$$,
                  'a lock enqueues each locked result: version 1, due 5 days after the lock (Art. 26.1.d)');
SELECT results_eq($$SELECT person_id, status, problem IS NOT NULL, late FROM cqs.outbox_status ORDER BY person_id$$,
                  format($$VALUES (%s::bigint, 'pending'::text, false, false), (%s, 'held', true, false)$$, :a, :b),
                  'OP-A''s result is pending; OP-B''s is held: no personal identification number (Decree 27/2026 Art. 30)');
SELECT matches((SELECT problem_en FROM cqs.outbox_status WHERE person_id = :b), 'no personal identification number',
               'and the problem says so');

-- 3. A correction (the period reopened and locked again) is a new version; the
-- unsent version 1 is superseded.
UPDATE cqs.period_lock SET reopened_at = now(), reopened_by = 'test', reopen_reason = 'kiến nghị' WHERE lock_id = :lock1;
SELECT pg_temp.lock('2026-10-01', 91.00, now()) AS lock2 \gset
SELECT results_eq($$SELECT person_id, version, status, total FROM cqs.outbox_status ORDER BY person_id, version$$,
                  format($$VALUES (%1$s::bigint, 1, 'superseded'::text, 76.70::numeric), (%1$s, 2, 'pending', 91.00),
                                  (%2$s, 1, 'superseded', 76.70), (%2$s, 2, 'held', 91.00)$$, :a, :b),
                  'the relock enqueues version 2 and supersedes the unsent version 1');

-- 4. Batches: held items stay; JSON and CSV; the same document on every export.
SELECT cqs.outbox_next_batch(10) AS batch1 \gset
SELECT is((SELECT array_agg(person_id ORDER BY item_id) FROM cqs.outbox WHERE batch_id = :batch1), ARRAY[:a]::bigint[],
          'a batch takes the pending item, not the held one nor the superseded');
SELECT is(cqs.outbox_next_batch(10), NULL, 'nothing else is pending');
SELECT is(cqs.outbox_json(:batch1) - 'created_at', cqs.outbox_json(:batch1) - 'created_at', 'JSON export');
SELECT results_eq($$SELECT j->>'schema', (j->>'schema_version')::int, (j->>'item_count')::int,
                          j#>>'{items,0,personal_id_number}', j#>>'{items,0,agency_code}', j#>>'{items,0,period,kind}',
                          j#>>'{items,0,period,end}', j#>>'{items,0,total}', j#>>'{items,0,grade}',
                          (j#>>'{items,0,version}')::int, (j#>>'{items,0,replaces_version}')::int
                     FROM (SELECT cqs.outbox_json($$ || :batch1 || $$) AS j) s$$,
                  $$VALUES ('cqs_eval.outbox'::text, 1, 1, '046090000001'::text, '000.00.00.H56'::text, 'month'::text,
                            '2026-10-31'::text, '91.00'::text, 'xuat_sac'::text, 2, 1)$$,
                  'the JSON document: schema and schema_version, the identification number and agency code frozen, the period, the total as recorded, the version it replaces');
SELECT is(cqs.outbox_json(:batch1), cqs.outbox_json(:batch1), 'exporting a batch again gives the same document');
SELECT is(split_part(cqs.outbox_csv(:batch1), E'\r\n', 1),
          'schema_version,batch_id,item_id,kind,version,replaces_version,personal_id_number,personnel_id,full_name,agency_code,period_kind,period_start,period_end,year,total,grade,grade_label,reference,finalised_at,due_at',
          'CSV header');
SELECT matches(split_part(cqs.outbox_csv(:batch1), E'\r\n', 2),
               '^1,[0-9]+,[0-9]+,period_result,2,1,046090000001,OP-A,"Nguyễn Văn ""A"", Huế",000\.00\.00\.H56,month,2026-10-01,2026-10-31,2026,91\.00,xuat_sac,Hoàn thành xuất sắc nhiệm vụ,tháng đã thông báo,',
               'CSV line: RFC 4180 quoting, the total with its recorded decimals');
SELECT is((SELECT status FROM cqs.outbox_status WHERE person_id = :a AND version = 2), 'sent', 'the item is sent');

-- 5. Held until the number is recorded; then batched (prepared by the job, taken by the
-- transport).
UPDATE cqs.person SET personal_id_number = '046090000002' WHERE person_id = :b;
SELECT is((SELECT status FROM cqs.outbox_status WHERE person_id = :b AND version = 2), 'pending',
          'recording OP-B''s number releases the held item');
SELECT cqs.outbox_prepare() AS batch2 \gset
SELECT is((SELECT status FROM cqs.outbox_status WHERE person_id = :b AND version = 2), 'batched', 'prepared: batched, not sent');
SELECT is(cqs.outbox_next_batch(), :batch2::bigint, 'the transport takes the prepared batch first');
SELECT is(cqs.outbox_next_batch(), NULL, 'and a sent batch is not handed out again before resend_after');
SELECT throws_ok('SELECT cqs.outbox_next_batch(10, interval ''1 second'')', '22023', NULL,
                 'resend_after under a minute is refused (22023)');

-- 6. Acknowledgement by batch, idempotent; release; nothing removed before.
SELECT throws_ok(format('DELETE FROM cqs.outbox WHERE batch_id = %s', :batch1), '55000', NULL,
                 'an unacknowledged item cannot be deleted (55000)');
SELECT throws_ok('TRUNCATE cqs.outbox', '55000', NULL, 'nor the outbox truncated');
SELECT throws_ok(format('UPDATE cqs.outbox SET total = 100 WHERE batch_id = %s', :batch1), '55000', NULL,
                 'an item is kept as it was enqueued');
SELECT cqs.outbox_acknowledge(:batch1, 'LGSP-2026-0001') AS ack1 \gset
SELECT is(cqs.outbox_acknowledge(:batch1, 'LGSP-2026-0001'), :'ack1'::timestamptz,
          'acknowledging again with the same receipt changes nothing');
SELECT is(cqs.outbox_acknowledge(:batch1), :'ack1'::timestamptz, 'nor without one');
SELECT throws_ok(format('SELECT cqs.outbox_acknowledge(%s, %L)', :batch1, 'LGSP-OTHER'), '55000', NULL,
                 'another receipt for an acknowledged batch is refused (55000)');
SELECT throws_ok('SELECT cqs.outbox_acknowledge(999999)', '22023', NULL, 'an unknown batch is named (22023)');
SELECT throws_ok(format('SELECT cqs.outbox_release(%s, NULL)', :batch2), '22023', NULL, 'a release needs a reason (22023)');
SELECT is(cqs.outbox_release(:batch2, 'LGSP từ chối: sai định dạng'), 1, 'an unacknowledged batch is released');
SELECT throws_ok(format('SELECT cqs.outbox_acknowledge(%s)', :batch2), '55000', NULL,
                 'a released batch is not acknowledged (55000)');
SELECT is((SELECT status FROM cqs.outbox_status WHERE person_id = :b AND version = 2), 'pending', 'its item is pending again');
SELECT lives_ok(format('DELETE FROM cqs.outbox WHERE batch_id = %s', :batch1), 'acknowledged items may be deleted');

-- 7. Decisions and re-gradings (Art. 21.3) enqueue the year's grade, version by version;
-- a version already sent stays sent.  Late: past the 5 days and not acknowledged.
INSERT INTO cqs.year_result (person_id, year, organisation_id, using_agency_id, role, duty_group, months_worked,
                             months_counted, mean_total, score_grade, proposed_grade)
VALUES (:a, 2026, :d, :d, 'staff', 'chung', 12, 12, 85.25, 'tot', 'tot');
INSERT INTO cqs.grade_decision (person_id, year, organisation_id, grade, decided_by, decided_at, reference)
VALUES (:a, 2026, :d, 'tot', 'test', now() - interval '6 days', 'QĐ 15/QĐ-SNV');
SELECT is((SELECT array_agg(ARRAY[kind, period_kind, period::text, version::text, total::text, grade::text, status, late::text])
             FROM cqs.outbox_status WHERE kind = 'year_grade'),
          ARRAY[ARRAY['year_grade', 'year', '2026-01-01', '1', '85.25', 'tot', 'pending', 'true']],
          'a decision enqueues the year''s grade with the year''s mean; decided 6 days ago and not sent: late');
SELECT cqs.outbox_next_batch() AS batch3 \gset
INSERT INTO cqs.grade_decision (person_id, year, organisation_id, grade, decided_by, reference, supersedes, reason)
SELECT :a, 2026, :d, 'hoan_thanh', 'test', 'QĐ 7/QĐ-UBND', decision_id, 'kiến nghị được chấp nhận'
  FROM cqs.grade_decision WHERE person_id = :a;
SELECT results_eq($$SELECT version, grade::text, status FROM cqs.outbox_status WHERE kind = 'year_grade' ORDER BY version$$,
                  $$VALUES (1, 'tot'::text, 'sent'::text), (2, 'hoan_thanh', 'pending')$$,
                  'a re-grading is version 2; version 1 was sent and stays sent');
SELECT is((SELECT i->'period'->>'end' FROM jsonb_array_elements(cqs.outbox_json(:batch3)->'items') i
            WHERE i->>'kind' = 'year_grade'), '2026-12-31',
          'a year''s item covers the year');

-- 8. Jobs (run here inside the test's transaction: one transaction, no commits).
SELECT is((SELECT count(*) FROM cqs.job_definitions()), 6::bigint, 'six jobs');
SELECT results_eq($$SELECT job_name, cron_schedule FROM cqs.job_definitions('Asia/Ho_Chi_Minh') ORDER BY 1$$,
                  $$VALUES ('cqs-close-months'::text, '30 16 * * *'::text), ('cqs-deliver-outbox', '*/10 * * * *'),
                           ('cqs-grade-year', '0 15 * 11,12,1 *'), ('cqs-overdue', '0 0 * * 1-5'),
                           ('cqs-purge-logs', '15 16 * * 0'), ('cqs-refresh-queue', '* * * * *')$$,
                  'the default schedules, Việt Nam time (UTC+7) converted to GMT for pg_cron 1.4');
SELECT is(ARRAY[cqs.cron_schedule_in_zone('0 1 11 * *', 'Asia/Ho_Chi_Minh'),
                cqs.cron_schedule_in_zone('0 3 * * 1-5', 'Asia/Ho_Chi_Minh'),
                cqs.cron_schedule_in_zone('30 9 * * *', 'Asia/Kolkata')],
          ARRAY['0 18 10 * *', '0 20 * * 0,1,2,3,4', '0 4 * * *'],
          'a local hour that falls on the previous day in GMT moves the day of the month and of the week');
SELECT throws_ok($$SELECT cqs.cron_schedule_in_zone('0 1 1 * *', 'Asia/Ho_Chi_Minh')$$, '22023', NULL,
                 'the 1st at 01:00 cannot be said in GMT (the last day of the previous month): refused (22023)');
SELECT throws_ok($$SELECT * FROM cqs.job_definitions('Asia/Sai_Gon_Typo')$$, '22023', NULL, 'an unknown time zone (22023)');
SELECT throws_ok($$CALL cqs.run_job('vacuum_everything')$$, '22023', NULL, 'an unknown job (22023)');

-- deliver_outbox: pending items into a batch; refresh_queue; overdue; purge_logs.
CALL cqs.run_job('deliver_outbox');
SELECT results_eq($$SELECT job, status, steps, rows FROM cqs.job_runs WHERE job = 'deliver_outbox'$$,
                  $$VALUES ('deliver_outbox'::text, 'ok'::text, 1, 1::bigint)$$,
                  'deliver_outbox put the pending item (the re-grading) into a batch, logged ok');
CALL cqs.run_job('overdue');
CALL cqs.run_job('purge_logs');
SELECT is((SELECT array_agg(status ORDER BY run_id) FROM cqs.job_runs), ARRAY['ok', 'ok', 'ok'],
          'overdue and purge_logs ran and were logged');

-- close_months: OP-D's October is past its confirmation deadline (10/11); OP-A and OP-B
-- are confirmed, so September's lock is made by the job -- unless the jobs login has no
-- personnel mandate: then the step fails, with the hint.
INSERT INTO cqs.assessment (person_id, period, organisation_id, criteria_set_id, status, self_assessed_at, confirmed_at)
SELECT p.person_id, '2026-09-01', :d, (SELECT criteria_set_id FROM cqs.criteria_set WHERE code = 'form01'), 'confirmed', now(), now()
  FROM cqs.person p WHERE p.personnel_id LIKE 'OP-%';
INSERT INTO cqs.assessment (person_id, period, organisation_id, criteria_set_id, status, self_assessed_at)
SELECT p.person_id, '2026-08-01', :d, (SELECT criteria_set_id FROM cqs.criteria_set WHERE code = 'form01'), 'self_assessed', now()
  FROM cqs.person p WHERE p.personnel_id LIKE 'OP-%';
CREATE ROLE regress_op_jobs NOLOGIN;
SELECT count(*) >= 0 AS roles FROM cqs.setup_roles() \gset
GRANT cqs_jobs TO regress_op_jobs;
SET LOCAL ROLE regress_op_jobs;
SET LOCAL client_min_messages = error;
CALL cqs.run_job('close_months');
RESET ROLE;
SELECT results_eq($$SELECT status, steps, failed_steps, message LIKE '%42501%', hint LIKE '%personnel mandate%'
                     FROM cqs.job_runs WHERE job = 'close_months'$$,
                  $$VALUES ('failed'::text, 9, 9, true, true)$$,
                  'close_months without a mandate: January-September (October is locked) fail (42501), logged failed with the hint to give the jobs login a mandate');
INSERT INTO cqs.mandate (kind, organisation_id, login, reference)
SELECT 'personnel', organisation_id, 'regress_op_jobs', 'QĐ giao hệ thống tự động khóa kỳ' FROM cqs.organisation WHERE code = 'OP-CITY';
SET LOCAL ROLE regress_op_jobs;
CALL cqs.run_job('close_months');
RESET ROLE;
SELECT results_eq($$SELECT s.period, s.outcome, s.rows FROM cqs.job_step s
                     WHERE s.run_id = (SELECT max(run_id) FROM cqs.job_run WHERE job = 'close_months') AND s.period >= '2026-07-01'
                     ORDER BY s.period$$,
                  $$VALUES ('2026-07-01'::date, 'blocked'::text, 0::bigint), ('2026-08-01', 'blocked', 0), ('2026-09-01', 'locked', 2)$$,
                  'with the mandate it locks September (2 people) and reports July (no assessments) and August (self-assessed only) blocked, a step (and commit) per organisation and period');
SELECT matches((SELECT message FROM cqs.job_step WHERE period = '2026-08-01' AND outcome = 'blocked'
                 ORDER BY run_id DESC LIMIT 1), 'not confirmed', 'the blocked step says why');
SELECT is((SELECT locked_by FROM cqs.period_lock WHERE organisation_id = :d AND period = '2026-09-01'), 'regress_op_jobs',
          'the lock is recorded as the jobs login''s');

-- grade_year: fails while results are queued (async mode), logged as failed.
INSERT INTO cqs.refresh_queue (person_id, month) VALUES (:a, '2026-11-01');
SET LOCAL client_min_messages = error;
CALL cqs.run_job('grade_year');
SELECT results_eq($$SELECT status, message LIKE '%results are stale%' FROM cqs.job_runs WHERE job = 'grade_year'$$,
                  $$VALUES ('failed'::text, true)$$, 'grade_year with queued results: failed, with the reason');

SELECT * FROM finish();
ROLLBACK;
