-- Layer 9: dump registration and privileges.

-- User data survives pg_dump (the built-in Form 01 set is recreated by the extension).
SELECT pg_catalog.pg_extension_config_dump('cqs.criteria_set', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('cqs.criteria_item',
  'WHERE criteria_set_id NOT IN (SELECT criteria_set_id FROM cqs.criteria_set WHERE builtin)');
SELECT pg_catalog.pg_extension_config_dump('cqs.organisation', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.person', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.posting', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.catalogue', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.catalogue_item', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.task_line', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.task_deduction', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.assessment', '');

SELECT pg_catalog.pg_extension_config_dump('cqs.organisation_criteria', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('cqs.organisation_year', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.quota_decision', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.leave_record', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.discipline', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.year_override', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.public_holiday', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.year_grading', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.quota_choice', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.grade_decision', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.complaint', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.year_result', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.bonus_regulation', '');

-- pg_dump keeps the identity sequences' positions too, so ids handed out after a
-- restore never collide with restored rows (the tables themselves are registered next
-- to their definitions).  One statement each: pg_extension_config_dump updates the
-- extension's catalog row.
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.criteria_set', 'criteria_set_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.organisation', 'organisation_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.person', 'person_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.posting', 'posting_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.catalogue', 'catalogue_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.catalogue_item', 'item_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.task_line', 'task_line_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.task_deduction', 'deduction_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.leave_record', 'leave_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.discipline', 'discipline_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.year_override', 'override_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.grade_decision', 'decision_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.complaint', 'complaint_id'), '');

-- Administrative functions are not for everyone (as pg_cron does): the database owner
-- grants them to the roles that run grading jobs.  Everything else needs table
-- privileges anyway (the functions are SECURITY INVOKER), and the views need a GRANT.
REVOKE EXECUTE ON FUNCTION cqs.rebuild(date, date) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs._write_results(bigint[], date[]) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs._drain_batch(integer) FROM PUBLIC;
REVOKE EXECUTE ON PROCEDURE cqs.process_queue(integer, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.reopen_period(bigint, date, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.lock_period(bigint, date, text, boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.import_catalogue(bigint, text, date, text, numeric, integer, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.load_csv(text, text, boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.csv_problems(text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs._personnel_ids_taken(text[]) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.grade_organisations(integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.grade_year(integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.decide_grade(bigint, integer, cqs.grade, text, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.regrade(bigint, integer, cqs.grade, text, text, text) FROM PUBLIC;
-- Every step of the procedure is granted to the roles the decree names (cqs.setup_roles);
-- the functions then check who acts.
REVOKE EXECUTE ON FUNCTION cqs.self_assess(bigint, date, numeric[], text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.confirm(bigint, date, numeric[], text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.set_leader_terms(bigint, date, numeric, text, numeric, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.propose_grade(bigint, integer, cqs.grade) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.file_complaint(bigint, text, date) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.file_period_complaint(bigint, date, text, date) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.resolve_complaint(bigint, text, text, date) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.choose_quota(bigint, integer, boolean, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.decide_organisation_grade(bigint, integer, cqs.grade, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.bonus_allocation(bigint, text, numeric) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.act_as(bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.act_as(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.setup_roles() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.purge_audit(timestamptz, text) FROM PUBLIC;
-- Who is who, and the trail, are records.
SELECT pg_catalog.pg_extension_config_dump('cqs.person_login', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.mandate', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.delegation', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.imported_total', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.mandate', 'mandate_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.delegation', 'delegation_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.audit_log', 'audit_id'), '');
SELECT pg_catalog.pg_extension_config_dump('cqs.period_lock', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.locked_result', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.period_lock', 'lock_id'), '');
-- Taking work in (72_ingest.sql): sources, cut-offs, the reviewed mappings, every task
-- received (the provenance of the task lines) and the batches are records.
SELECT pg_catalog.pg_extension_config_dump('cqs.ingest_source', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.ingest_cutoff', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.ingest_assignee_map', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.ingest_type_map', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.ingest_task', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.ingest_batch', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.ingest_batch', 'batch_id'), '');
REVOKE EXECUTE ON FUNCTION cqs.ingest_tasks(text, jsonb) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.ingest_tasks_csv(text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.ingest_retry(text, boolean) FROM PUBLIC;
