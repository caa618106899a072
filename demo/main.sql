-- cqs_eval main job: load the sample city (Huế) into a fresh database, grade its
-- year 2026 month by month, and print quarter results and grade distributions.
-- Run with `make demo` (a throwaway cluster via pg_virtualenv).
\set ON_ERROR_STOP 1
\pset footer off
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS cqs_eval;
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

\echo 'How one total was reached (cqs.explain), first staff member of Sở Nội vụ, March 2026'
SELECT cqs.explain(p.person_id, '2026-03-01') AS explain
  FROM cqs.person p JOIN cqs.posting ps USING (person_id) JOIN cqs.organisation o USING (organisation_id)
 WHERE o.code = 'SNV-NV1' AND ps.role = 'staff' ORDER BY p.person_id LIMIT 1;
