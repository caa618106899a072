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
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.leave_record', 'leave_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.discipline', 'discipline_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.year_override', 'override_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.grade_decision', 'decision_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cqs.complaint', 'complaint_id'), '');

-- Administrative functions are not for everyone (as pg_cron does): the database owner
-- grants them to the roles that run grading jobs.  Everything else needs table
-- privileges anyway (the functions are SECURITY INVOKER), and the views need a GRANT.
REVOKE EXECUTE ON FUNCTION cqs.refresh_results(bigint[], date, date) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.lock_period(bigint, date) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.import_catalogue(bigint, text, date, text, numeric, integer, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.grade_organisations(integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.grade_year(integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.decide_grade(bigint, integer, cqs.grade, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.regrade(bigint, integer, cqs.grade, text, text, text) FROM PUBLIC;
