-- cqs_eval main job: load the sample city (Huế) into a fresh database, compute its
-- 2026 month by month, grade the year, print quarter and year results and the grade
-- distributions, decide Sở Nội vụ's grades and write its documents (Form 01, Form 02, the
-- public notice, the organisation sheet, the analyst's report) as HTML files into a folder.
-- Run with `make demo` (a throwaway cluster via pg_virtualenv).
\set ON_ERROR_STOP 1
\pset footer off
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS cqs_eval CASCADE;
\set catalogue_csv `cat demo/catalogue.csv`
\i demo/city.sql
SELECT demo.generate_city(scale => 1, year => 2026, catalogue_csv => :'catalogue_csv') AS "Sample city";

\echo
\echo 'Sở Nội vụ: quarter results 2026 (Art. 17.3: mean of the monthly totals)'
SELECT p.personnel_id AS "mã hồ sơ", p.full_name AS "họ tên", o.name AS "đơn vị", ps.role,
       max(q.total) FILTER (WHERE q.quarter = 1) AS "Q1", max(q.total) FILTER (WHERE q.quarter = 2) AS "Q2",
       max(q.total) FILTER (WHERE q.quarter = 3) AS "Q3", max(q.total) FILTER (WHERE q.quarter = 4) AS "Q4",
       (array_agg(q.grade ORDER BY q.quarter DESC))[1] AS "xếp loại Q4"
  FROM cqs.quarter_results q
  JOIN cqs.person p USING (person_id)
  JOIN cqs.posting ps ON ps.person_id = q.person_id
  JOIN cqs.organisation o ON o.organisation_id = q.organisation_id
 WHERE o.code LIKE 'SNV%' AND q.year = 2026
 GROUP BY p.personnel_id, p.full_name, o.name, o.code, ps.role
 ORDER BY o.code, CASE ps.role WHEN 'head' THEN 0 WHEN 'deputy' THEN 1 ELSE 2 END, p.personnel_id;

\echo 'Grade distribution per quarter, whole city (by score, before the Art. 20.5 quota)'
SELECT year || '-Q' || quarter AS quarter,
       count(*) FILTER (WHERE grade = 'xuat_sac') AS xuat_sac,
       count(*) FILTER (WHERE grade = 'tot') AS tot,
       count(*) FILTER (WHERE grade = 'hoan_thanh') AS hoan_thanh,
       count(*) FILTER (WHERE grade = 'khong_hoan_thanh') AS khong_hoan_thanh,
       round(avg(total), 2) AS mean_total
  FROM cqs.quarter_results WHERE year = 2026
 GROUP BY year, quarter ORDER BY quarter;

\echo 'At grading time some December assessments are self-assessed but not yet confirmed (every 25th person):'
\echo 'their year is incomplete (Art. 17.2-17.3) until the evaluator confirms December.'
UPDATE cqs.assessment SET status = 'self_assessed', confirmed_at = NULL
 WHERE period = '2026-12-01' AND person_id % 25 = 0 AND status = 'confirmed';

\echo 'Grading the year 2026 (Art. 8-9 organisations first, then Art. 11, 17.3, 19-20 people)'
SELECT cqs.grade_year(2026) AS people_graded;

\echo 'Organisations 2026 (Art. 8): score, grade or the reason the authority must decide'
SELECT code, name, score, computed_grade, quota_outcome, final_grade, status,
       left(needs_decision_reason, 90) AS needs_decision
  FROM cqs.organisation_results WHERE year = 2026 AND (code NOT LIKE '%-%' OR code LIKE 'SNV%')
 ORDER BY recognised_by NULLS FIRST, code;

\echo 'Sở Nội vụ: year results 2026 (Art. 17.3, 20; final = decision in force, else the proposal)'
SELECT y.personnel_id AS "mã hồ sơ", y.role, y.months_counted AS months, y.mean_total, y.score_grade,
       y.quota_outcome AS quota, y.final_grade, y.status,
       left(coalesce(y.not_graded_reason, array_to_string(y.override_reasons, '; '), '') || coalesce(' ' || y.cap_reason, ''), 70) AS "why"
  FROM cqs.year_results y JOIN cqs.organisation o USING (organisation_id)
 WHERE o.code LIKE 'SNV%' AND y.year = 2026
 ORDER BY o.code, CASE y.role WHEN 'head' THEN 0 WHEN 'deputy' THEN 1 ELSE 2 END, y.personnel_id;

\echo 'The year 2026 by status: incomplete (periods without a confirmed result), not graded (under 6 months worked), proposed, ...'
SELECT status, count(*) AS people FROM cqs.year_results WHERE year = 2026 GROUP BY status ORDER BY status;
\echo 'Incomplete years: what is missing (no grade is proposed until it is confirmed)'
SELECT personnel_id AS "mã hồ sơ", months_worked, array_to_string(missing_periods, ', ') AS missing, mean_total
  FROM cqs.year_results WHERE year = 2026 AND status = 'incomplete' ORDER BY personnel_id LIMIT 5;

\echo 'Grade distribution per department and commune, 2026 (after the Art. 20.5 quota and Art. 20.6 caps)'
SELECT o.name AS organisation,
       count(*) FILTER (WHERE y.final_grade = 'xuat_sac') AS xuat_sac,
       count(*) FILTER (WHERE y.final_grade = 'tot') AS tot,
       count(*) FILTER (WHERE y.final_grade = 'hoan_thanh') AS hoan_thanh,
       count(*) FILTER (WHERE y.final_grade = 'khong_hoan_thanh') AS khong_hoan_thanh,
       count(*) FILTER (WHERE y.final_grade IS NULL AND y.not_graded_reason IS NULL) AS awaiting,
       count(*) FILTER (WHERE y.not_graded_reason IS NOT NULL) AS not_graded
  FROM cqs.year_results y JOIN cqs.year_result r USING (person_id, year)
  JOIN cqs.organisation o ON o.organisation_id = r.using_agency_id
 WHERE y.year = 2026 GROUP BY o.name, o.code ORDER BY o.code;

\echo 'How one total was reached (cqs.explain), first staff member of Sở Nội vụ, March 2026'
SELECT cqs.explain(p.person_id, '2026-03-01') AS explain
  FROM cqs.person p JOIN cqs.posting ps USING (person_id) JOIN cqs.organisation o USING (organisation_id)
 WHERE o.code = 'SNV-NV1' AND ps.role = 'staff' ORDER BY p.person_id LIMIT 1;

\echo 'How a year was graded (cqs.explain with a year)'
SELECT cqs.explain(person_id, '2026') AS explain
  FROM cqs.person WHERE personnel_id = 'HUE-SNV-VPS-staff-ng-2';

\echo 'Sở Nội vụ''s grading procedure (Art. 21): meeting minutes, the Party committee''s opinion for deputies,'
\echo 'the personnel section''s proposal, then the director''s decision for everyone proposed (heads wait for'
\echo 'their organisation''s grade)'
INSERT INTO cqs.year_grading (person_id, year, self_proposed_grade, self_proposed_at, meeting_minutes_ref, meeting_on,
                              party_opinion, party_opinion_at, personnel_proposal, personnel_proposed_at)
SELECT y.person_id, 2026, y.proposed_grade, '2026-12-02 09:00+07', 'BB 05/BB-SNV', '2026-12-04',
       CASE WHEN y.role = 'deputy' THEN 'Chi ủy nhất trí' END, CASE WHEN y.role = 'deputy' THEN '2026-12-07 09:00+07'::timestamptz END,
       y.proposed_grade, '2026-12-09 09:00+07'
  FROM cqs.year_results y JOIN cqs.organisation o USING (organisation_id)
 WHERE o.code LIKE 'SNV%' AND y.year = 2026 AND y.status = 'proposed' AND y.role <> 'head'
ON CONFLICT (person_id, year) DO NOTHING;
SELECT count(cqs.decide_grade(y.person_id, 2026, y.proposed_grade, 'QĐ 15/QĐ-SNV', 'Giám đốc Sở Nội vụ')) AS decisions
  FROM cqs.year_results y JOIN cqs.organisation o USING (organisation_id)
 WHERE o.code LIKE 'SNV%' AND y.year = 2026 AND y.status = 'proposed' AND y.role <> 'head';

-- The documents (issue 11), written as files: run with -v pages_dir=/some/dir to choose where.
\if :{?pages_dir}
\else
\set pages_dir demo/pages
\endif
\set pages_path `mkdir -p :'pages_dir' && cd :'pages_dir' && pwd`
SELECT p.person_id AS doc_staff FROM cqs.person p WHERE p.personnel_id = 'HUE-SNV-NV1-staff-ng-1' \gset
SELECT p.person_id AS doc_head FROM cqs.person p WHERE p.personnel_id = 'HUE-SNV-NV1-head-hs-1' \gset
SELECT o.organisation_id AS doc_snv FROM cqs.organisation o WHERE o.code = 'SNV' \gset
\pset format unaligned
\pset tuples_only on
\o :pages_path/form01-staff-2026-03.html
SELECT cqs.form01_html(:doc_staff, '2026-03-01');
\o :pages_path/form01-head-2026-03.html
SELECT cqs.form01_html(:doc_head, '2026-03-01');
\o :pages_path/form02-staff-2026.html
SELECT cqs.form02_html(:doc_staff, 2026);
\o :pages_path/publication-snv-2026.html
SELECT cqs.publication_list_html(:doc_snv, 2026);
\o :pages_path/organisation-snv-2026.html
SELECT cqs.organisation_sheet_html(:doc_snv, 2026);
\o :pages_path/report-snv-2026.html
SELECT cqs.analyst_report_html(:doc_snv, 2026);
\o
\pset tuples_only off
\pset format aligned
\echo
\echo 'Documents (Form 01 of a civil servant and of a division head, Form 02, the public notice, Sở Nội vụ''s'
\echo 'organisation sheet and the analyst''s report) written to':
\echo '   ' :pages_path
\echo 'Open them in a browser; print on A4 (e.g. chromium --headless --print-to-pdf=form01.pdf form01-staff-2026-03.html).'

-- ---------------------------------------------------------------------------
-- The national-database outbox (Art. 26.1.d, DOMAIN.md section 10).  The city records
-- its agency code and the personal identification numbers (two staff have none yet);
-- Sở Nội vụ locks March (its 2026 grades were decided above); the deliver job puts
-- what can leave into a batch, the transport takes it and the national database
-- acknowledges it.
-- ---------------------------------------------------------------------------
\echo 'The national-database outbox of the sample city (Art. 26.1.d: within 5 days of the result)'
UPDATE cqs.organisation SET agency_code = '000.00.00.H56' WHERE code = 'UBND-HUE';
UPDATE cqs.organisation SET agency_code = '000.00.05.H56' WHERE code = 'SNV';
UPDATE cqs.person SET personal_id_number = lpad((46090000000 + person_id)::text, 12, '0')
 WHERE person_id NOT IN (SELECT person_id FROM cqs.posting ps JOIN cqs.organisation o USING (organisation_id)
                          WHERE o.code = 'SNV-NV1' AND ps.role = 'staff' ORDER BY person_id LIMIT 2);
SELECT count(*) AS "people locked, Sở Nội vụ, March 2026"
  FROM cqs.lock_period((SELECT organisation_id FROM cqs.organisation WHERE code = 'SNV'), '2026-03-01',
                       'Kết quả tháng 3/2026 đã thông báo', include_unassessed => true);
SELECT cqs.grade_year(2026) AS "people graded again (a lock recomputes March one last time)";
-- (Sở Nội vụ's grades decided above are in the outbox already, as the lock's results are.)
CALL cqs.run_job('deliver_outbox');
SELECT cqs.outbox_next_batch() AS batch \gset
SELECT cqs.outbox_acknowledge(:batch, 'LGSP-HUE-2026-000123') IS NOT NULL AS acknowledged;
\echo 'Outbox status (pending, held, sent, acknowledged, late against the 5 days):'
SELECT kind, period_kind, status, late, count(*) AS items, min(problem) AS problem
  FROM cqs.outbox_status GROUP BY kind, period_kind, status, late ORDER BY kind, status;
\echo 'What was run (cqs.job_runs):'
SELECT job, status, steps, rows, message FROM cqs.job_runs ORDER BY run_id;
\echo 'The first item of the batch as the national database receives it (JSON, schema_version 1):'
SELECT jsonb_pretty((d - 'items') || jsonb_build_object('items', jsonb_build_array(d->'items'->0)))
  FROM (SELECT cqs.outbox_json(:batch) AS d) s;
