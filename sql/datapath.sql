-- The data model end to end (issue: tables -> cqs.month_results), on a small city.
SET cqs.refresh_mode = sync;
SET cqs.language = en;  -- notes as stored (English); test/language.sql reads them in Vietnamese

-- Organisations (Art. 3, 10): People's Committee -> Department -> Division.
INSERT INTO cqs.organisation (code, name, kind, parent_id)
VALUES ('UBND', 'UBND thành phố', 'managing_agency', NULL);
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT 'SNV', 'Sở Nội vụ', 'using_agency', organisation_id FROM cqs.organisation WHERE code = 'UBND';
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT 'SNV-TCCB', 'Phòng Tổ chức cán bộ', 'unit', organisation_id FROM cqs.organisation WHERE code = 'SNV';
INSERT INTO cqs.organisation (code, name, kind, parent_id, cadence, lateness_mode)
SELECT 'XA1', 'UBND xã Một', 'using_agency', organisation_id, 'quarterly', 'per_occurrence'
  FROM cqs.organisation WHERE code = 'UBND';

-- Policies are inherited down the tree unless overridden.
SELECT o.code, p.depth, u.code AS using_agency, p.cadence, p.lateness_mode, p.cap_mode, p.decimals,
       s.code AS criteria_set
  FROM cqs.organisation_policies p
  JOIN cqs.organisation o USING (organisation_id)
  JOIN cqs.organisation u ON u.organisation_id = p.using_agency_id
  JOIN cqs.criteria_set s ON s.criteria_set_id = p.criteria_set_id
 ORDER BY p.depth, o.code;

-- A catalogue from CSV (UTF-8 with BOM, Vietnamese text, decimal commas, a range).
SELECT cqs.import_catalogue(
  (SELECT organisation_id FROM cqs.organisation WHERE code = 'SNV'), '2025.1', '2025-01-01',
  E'\uFEFFcode,name,output_unit,group,points,standard\n'
  'VB01,"Văn bản tham gia ý kiến",Văn bản,N1,5,x\n'
  'TL01,"Trả lời kiến nghị của người dân, doanh nghiệp",Văn bản,N1,"13,5",\n'
  'BC01,Báo cáo tổng hợp,Báo cáo,N1,"18,5",\n'
  'KH01,Kế hoạch công tác năm,Kế hoạch,N3,40–80,\n',
  5, 1) AS catalogue_id \gset
SELECT code, complexity_group, group_max, points_low, points_high, is_standard, coefficient_low, coefficient_high
  FROM cqs.catalogue_item WHERE catalogue_id = :catalogue_id ORDER BY code;

-- People and postings (mã hồ sơ as the national key).
INSERT INTO cqs.person (personnel_id, full_name)
VALUES ('HS-0001', 'Nguyễn Văn An'), ('HS-0002', 'Trần Thị Bình'), ('HS-0003', 'Lê Văn Cường'),
       ('HS-0004', 'Phạm Thị Dung'), ('HS-0005', 'Hoàng Văn Em'), ('HS-0006', 'Đỗ Thị Phương');
INSERT INTO cqs.person (personnel_id, full_name, kind) VALUES ('HS-0007', 'Vũ Văn Giang', 'support_staff');
INSERT INTO cqs.posting (person_id, organisation_id, role, field, start_date)
SELECT p.person_id, o.organisation_id, v.role, v.field, '2025-01-01'
  FROM (VALUES ('HS-0001', 'SNV-TCCB', 'staff', 'tổ chức'),
               ('HS-0002', 'SNV-TCCB', 'head', NULL),
               ('HS-0003', 'SNV-TCCB', 'staff', 'tổ chức'),
               ('HS-0004', 'SNV-TCCB', 'deputy', 'tổ chức'),
               ('HS-0005', 'SNV-TCCB', 'staff', 'công chức'),
               ('HS-0006', 'XA1', 'staff', NULL),
               ('HS-0007', 'SNV-TCCB', 'staff', NULL)) AS v(pid, org, role, field)
  JOIN cqs.person p ON p.personnel_id = v.pid
  JOIN cqs.organisation o ON o.code = v.org;

-- Overlapping postings are refused (a transfer ends the old posting first).
\set VERBOSITY terse
INSERT INTO cqs.posting (person_id, organisation_id, start_date)
SELECT person_id, (SELECT organisation_id FROM cqs.organisation WHERE code = 'XA1'), '2025-06-01'
  FROM cqs.person WHERE personnel_id = 'HS-0001';
\set VERBOSITY default

-- The handbook's November 2025 (HB ch. VI-VII) for HS-0001, through the tables.
INSERT INTO cqs.task_line (person_id, organisation_id, period, item_id, coefficient, assigned_qty,
                           deadline, completed_qty, completed_on, quality_failures, external_source, external_id)
SELECT p.person_id, o.organisation_id, '2025-11-01', i.item_id, v.coef, v.assigned, v.deadline, v.completed,
       v.done, v.failed, 'qlvb', v.ext
  FROM (VALUES ('VB01', 1.0, 5.0, '2025-11-15'::date, 4.0, '2025-11-19'::date, 0, 'VB-1'),
               ('TL01', 2.7, 3.0, '2025-11-10', 3.0, '2025-11-12', 1, 'VB-2'),
               ('BC01', 3.7, 1.0, '2025-11-19', 0.8, '2025-11-18', 2, 'VB-3'))
       AS v(item, coef, assigned, deadline, completed, done, failed, ext)
  JOIN cqs.catalogue_item i ON i.code = v.item AND i.catalogue_id = :catalogue_id
  CROSS JOIN cqs.person p CROSS JOIN cqs.organisation o
 WHERE p.personnel_id = 'HS-0001' AND o.code = 'SNV-TCCB';

-- Full general criteria (Form 01: 10 sub-items, 30 points), self-assessed then confirmed.
SELECT status FROM cqs.self_assess((SELECT person_id FROM cqs.person WHERE personnel_id = 'HS-0001'),
                                   '2025-11-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}',
                                   'Chủ động', 'Còn chậm tiến độ');
SELECT status FROM cqs.confirm((SELECT person_id FROM cqs.person WHERE personnel_id = 'HS-0001'), '2025-11-01',
                               '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}', 'Đạt yêu cầu');

-- 89.64 / 68.78 / 41.73 / 66.72 / 76.70 (tot).
SELECT personnel_id, year, month, round(a, 2) AS a, round(b, 2) AS b, round(c, 2) AS c,
       round(task_score, 2) AS task_score, general_score, total, grade, status
  FROM cqs.month_results WHERE personnel_id = 'HS-0001';

-- Every line with its converted quantities and credits.
SELECT item_code, origin, counts_in_assigned, assigned_units, completed_units, quality_factor,
       quality_credit, days_late, lateness_deductions, progress_factor, progress_credit
  FROM cqs.task_lines_explained
 WHERE person_id = (SELECT person_id FROM cqs.person WHERE personnel_id = 'HS-0001')
 ORDER BY task_line_id;

-- The same lines under the per-occurrence policy: one deduction per late line.  A
-- policy change refreshes the results of everyone below it.
UPDATE cqs.organisation SET lateness_mode = 'per_occurrence' WHERE code = 'SNV';
SELECT round(c, 2) AS c_per_occurrence, round(task_score, 2) AS task_score, total
  FROM cqs.month_results WHERE personnel_id = 'HS-0001';
UPDATE cqs.organisation SET lateness_mode = NULL WHERE code = 'SNV';
SELECT round(c, 2) AS c_per_day, total FROM cqs.month_results WHERE personnel_id = 'HS-0001';

-- The trace a civil servant gets when asking "why 76.7?".
SELECT cqs.explain((SELECT person_id FROM cqs.person WHERE personnel_id = 'HS-0001'), '2025-11-01');

-- Each origin kind (Art. 18.1.d) for HS-0003 in November: planned 2 x 1.0 done;
-- reassigned_away 2 x 1.0 (stays in G, never completed even if a quantity is entered);
-- taken_over 1 x 2.7 and ad_hoc 1 x 3.7 (outside G, add credit).  G = 4.0.
INSERT INTO cqs.task_line (person_id, organisation_id, period, item_id, coefficient, assigned_qty,
                           completed_qty, deadline, completed_on, origin)
SELECT p.person_id, o.organisation_id, '2025-11-01', i.item_id, i.coefficient_low, v.assigned, v.completed,
       '2025-11-20', '2025-11-20', v.origin
  FROM (VALUES ('VB01', 2.0, 2.0, 'planned'), ('VB01', 2.0, 1.0, 'reassigned_away'),
               ('TL01', 1.0, 1.0, 'taken_over'), ('BC01', 1.0, 1.0, 'ad_hoc'))
       AS v(item, assigned, completed, origin)
  JOIN cqs.catalogue_item i ON i.code = v.item AND i.catalogue_id = :catalogue_id
  CROSS JOIN cqs.person p CROSS JOIN cqs.organisation o
 WHERE p.personnel_id = 'HS-0003' AND o.code = 'SNV-TCCB';
SELECT origin, counts_in_assigned, assigned_units, completed_units
  FROM cqs.task_lines_explained
 WHERE person_id = (SELECT person_id FROM cqs.person WHERE personnel_id = 'HS-0003') ORDER BY task_line_id;
SELECT r.assigned_units, r.completed_units, round(r.a, 2) AS a, r.task_score, r.total, r.note
  FROM cqs.period_result r JOIN cqs.person p USING (person_id) WHERE p.personnel_id = 'HS-0003';

-- G = 0: only ad-hoc work gives no task score and a stated reason, never 0 or 100.
INSERT INTO cqs.task_line (person_id, organisation_id, period, deadline, item_id, coefficient, assigned_qty, completed_qty, origin)
SELECT p.person_id, o.organisation_id, '2025-11-01', '2025-11-10', i.item_id, 1.0, 1, 1, 'ad_hoc'
  FROM cqs.person p, cqs.organisation o, cqs.catalogue_item i
 WHERE p.personnel_id = 'HS-0005' AND o.code = 'SNV-TCCB' AND i.code = 'VB01' AND i.catalogue_id = :catalogue_id;
SELECT personnel_id, a, task_score, total, grade, note FROM cqs.month_results WHERE personnel_id = 'HS-0005';

-- A coefficient outside the item's range is refused (HB ch. II); KH01 allows 8.0 to 16.0.
\set VERBOSITY terse
INSERT INTO cqs.task_line (person_id, organisation_id, period, deadline, item_id, coefficient, assigned_qty)
SELECT p.person_id, o.organisation_id, '2025-11-01', '2025-11-10', i.item_id, 17, 1
  FROM cqs.person p, cqs.organisation o, cqs.catalogue_item i
 WHERE p.personnel_id = 'HS-0005' AND o.code = 'SNV-TCCB' AND i.code = 'KH01';
-- The external reference is unique (document-management sync).
INSERT INTO cqs.task_line (person_id, organisation_id, period, deadline, item_id, coefficient, assigned_qty, external_source, external_id)
SELECT p.person_id, o.organisation_id, '2025-11-01', '2025-11-10', i.item_id, 1.0, 1, 'qlvb', 'VB-1'
  FROM cqs.person p, cqs.organisation o, cqs.catalogue_item i
 WHERE p.personnel_id = 'HS-0005' AND o.code = 'SNV-TCCB' AND i.code = 'VB01' AND i.catalogue_id = :catalogue_id;
-- Off-catalogue work (Art. 13.3) is priced like a similar item and listed for addition.
\set VERBOSITY default
INSERT INTO cqs.task_line (person_id, organisation_id, period, deadline, similar_item_id, title, coefficient, assigned_qty, completed_qty)
SELECT p.person_id, o.organisation_id, '2025-11-01', '2025-11-10', i.item_id, 'Khảo sát chuyển đổi số', 10, 1, 1
  FROM cqs.person p, cqs.organisation o, cqs.catalogue_item i
 WHERE p.personnel_id = 'HS-0005' AND o.code = 'SNV-TCCB' AND i.code = 'KH01';
SELECT title, priced_like_item, coefficient, task_lines FROM cqs.catalogue_additions;

-- Leader d (Art. 15.3): the deputy (field "tổ chức") manages HS-0001 and HS-0003; the
-- head manages everyone in the division.  Give the staff general scores, the leaders
-- their own task line, then push HS-0003 under 50.
INSERT INTO cqs.task_line (person_id, organisation_id, period, deadline, item_id, coefficient, assigned_qty, completed_qty)
SELECT p.person_id, o.organisation_id, '2025-11-01', '2025-11-10', i.item_id, 8.0, 1, 1
  FROM cqs.person p, cqs.organisation o, cqs.catalogue_item i
 WHERE p.personnel_id IN ('HS-0002', 'HS-0004') AND o.code = 'SNV-TCCB' AND i.code = 'KH01';
SELECT (cqs.self_assess(person_id, '2025-11-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')).status
  FROM cqs.person WHERE personnel_id IN ('HS-0002', 'HS-0003', 'HS-0004', 'HS-0005') ORDER BY person_id;
SELECT personnel_id, d, dd, e, round(task_score, 2) AS task_score, total, grade
  FROM cqs.month_results WHERE personnel_id IN ('HS-0002', 'HS-0004') ORDER BY personnel_id;
UPDATE cqs.task_line SET completed_qty = 0
 WHERE person_id = (SELECT person_id FROM cqs.person WHERE personnel_id = 'HS-0003');
SELECT (cqs.self_assess(person_id, '2025-11-01', '{1,1,0,0,0,0,0,0,0,0}')).status
  FROM cqs.person WHERE personnel_id = 'HS-0003';
SELECT personnel_id, total FROM cqs.month_results WHERE personnel_id = 'HS-0003';
SELECT personnel_id, d, round(task_score, 2) AS task_score, total, grade
  FROM cqs.month_results WHERE personnel_id IN ('HS-0002', 'HS-0004') ORDER BY personnel_id;
-- đ = 50 needs a reason (Art. 15.3).
\set VERBOSITY terse
SELECT cqs.set_leader_terms(person_id, '2025-11-01', 50, NULL, 100, NULL) FROM cqs.person WHERE personnel_id = 'HS-0002';
\set VERBOSITY default
SELECT (cqs.set_leader_terms(person_id, '2025-11-01', 50, 'Kế hoạch quý chậm', 100, NULL)).dd
  FROM cqs.person WHERE personnel_id = 'HS-0002';
SELECT personnel_id, d, dd, e, round(task_score, 2) AS task_score, total
  FROM cqs.month_results WHERE personnel_id = 'HS-0002';

-- Support staff (HB ch. III): general criteria + the mean of three percentages.
SELECT (cqs.self_assess(person_id, '2025-11-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')).status
  FROM cqs.person WHERE personnel_id = 'HS-0007';
UPDATE cqs.assessment SET support_quality = 90, support_compliance = 100, support_efficiency = 80
 WHERE person_id = (SELECT person_id FROM cqs.person WHERE personnel_id = 'HS-0007');
SELECT personnel_id, task_score, total, grade FROM cqs.month_results WHERE personnel_id = 'HS-0007';

-- Locking: everyone must be confirmed first (55000), then a locked month refuses
-- every change with 55000.
\set VERBOSITY terse
SELECT cqs.lock_period((SELECT organisation_id FROM cqs.organisation WHERE code = 'SNV'), '2025-11-01');
\set VERBOSITY default
SELECT count(*) AS confirmed FROM (
  SELECT cqs.confirm(a.person_id, a.period,
                     a.self_scores)
    FROM cqs.assessment a JOIN cqs.person p USING (person_id)
   WHERE a.status = 'self_assessed' AND p.personnel_id <> 'HS-0002'
  UNION ALL
  SELECT cqs.confirm(a.person_id, a.period,
                     a.self_scores)
    FROM cqs.assessment a JOIN cqs.person p USING (person_id)
   WHERE p.personnel_id = 'HS-0002') s;
SELECT personnel_id, assessment_status, total, grade
  FROM cqs.lock_period((SELECT organisation_id FROM cqs.organisation WHERE code = 'SNV'), '2025-11-01');
SELECT personnel_id, total, status FROM cqs.month_results ORDER BY personnel_id;
\set VERBOSITY terse
UPDATE cqs.task_line SET completed_qty = 5
 WHERE person_id = (SELECT person_id FROM cqs.person WHERE personnel_id = 'HS-0001');
DELETE FROM cqs.task_line WHERE person_id = (SELECT person_id FROM cqs.person WHERE personnel_id = 'HS-0001');
UPDATE cqs.assessment SET strengths = 'sửa' WHERE person_id = (SELECT person_id FROM cqs.person WHERE personnel_id = 'HS-0001');
UPDATE cqs.period_result SET total = 99 WHERE person_id = (SELECT person_id FROM cqs.person WHERE personnel_id = 'HS-0001');
SELECT cqs.self_assess(person_id, '2025-11-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')
  FROM cqs.person WHERE personnel_id = 'HS-0001';
\set VERBOSITY default
SELECT cqs.rebuild() >= 0 AS rebuild_keeps_locked;
SELECT personnel_id, total FROM cqs.month_results WHERE personnel_id = 'HS-0001';

-- Quarters average only the months that have results (Art. 17.3): HS-0001 has a
-- result in November only, so Q4 2025 counts one month.  December adds a second.
INSERT INTO cqs.task_line (person_id, organisation_id, period, deadline, item_id, coefficient, assigned_qty, completed_qty)
SELECT p.person_id, o.organisation_id, '2025-12-01', '2025-12-10', i.item_id, 1.0, 4, 4
  FROM cqs.person p, cqs.organisation o, cqs.catalogue_item i
 WHERE p.personnel_id = 'HS-0001' AND o.code = 'SNV-TCCB' AND i.code = 'VB01' AND i.catalogue_id = :catalogue_id;
SELECT personnel_id, month, total FROM cqs.month_results WHERE personnel_id = 'HS-0001' ORDER BY month;
SELECT (cqs.self_assess(person_id, '2025-12-01', '{4,4,2,2,2,2,2,2,2,2}')).status
  FROM cqs.person WHERE personnel_id = 'HS-0001';
SELECT q.year, q.quarter, q.cadence, q.months_counted, q.total, q.grade
  FROM cqs.quarter_results q JOIN cqs.person p USING (person_id) WHERE p.personnel_id = 'HS-0001';
SELECT h.year, h.half, h.months_counted, h.total, h.grade
  FROM cqs.half_year_results h JOIN cqs.person p USING (person_id) WHERE p.personnel_id = 'HS-0001';

-- A quarterly organisation (XA1, per-occurrence lateness) scores the quarter as one period.
-- XA1 is its own using agency: its lines take items of its own catalogue (Art. 13).
SELECT cqs.import_catalogue(
  (SELECT organisation_id FROM cqs.organisation WHERE code = 'XA1'), 'XA1-2025', '2025-01-01',
  E'code,name,output_unit,group,points,standard\n'
  'VB01,"Văn bản tham gia ý kiến",Văn bản,N1,5,x\n',
  5, 1) AS xa1_catalogue_id \gset
INSERT INTO cqs.task_line (person_id, organisation_id, period, item_id, coefficient, assigned_qty,
                           completed_qty, deadline, completed_on, late_occurrences)
SELECT p.person_id, o.organisation_id, v.period, i.item_id, 1.0, 2, 2, v.deadline, v.done, v.late
  FROM (VALUES ('2025-10-01'::date, '2025-10-10'::date, '2025-10-15'::date, NULL::int),
               ('2025-11-01', '2025-11-10', '2025-11-10', NULL),
               ('2025-12-01', '2025-12-10', '2025-12-20', 2)) AS v(period, deadline, done, late)
  CROSS JOIN cqs.person p CROSS JOIN cqs.organisation o CROSS JOIN cqs.catalogue_item i
 WHERE p.personnel_id = 'HS-0006' AND o.code = 'XA1' AND i.code = 'VB01' AND i.catalogue_id = :xa1_catalogue_id;
SELECT (cqs.self_assess(person_id, '2025-11-15', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}')).status
  FROM cqs.person WHERE personnel_id = 'HS-0006';
SELECT r.period, r.period_kind, r.assigned_units, round(r.c, 2) AS c, r.total
  FROM cqs.period_result r JOIN cqs.person p USING (person_id) WHERE p.personnel_id = 'HS-0006';
SELECT q.year, q.quarter, q.cadence, q.months_counted, q.total
  FROM cqs.quarter_results q JOIN cqs.person p USING (person_id) WHERE p.personnel_id = 'HS-0006';

-- Form 01 as rows.
SELECT criterion_code, max_points, self_score, evaluator_score, total
  FROM cqs.form01 WHERE personnel_id = 'HS-0001' AND period = '2025-11-01' ORDER BY position;

-- CSV import: several bad lines reported at once, nothing imported.
SELECT * FROM cqs.catalogue_csv_problems(
  E'code,name,output_unit,group,points,standard\n'
  'A1,Văn bản,Văn bản,N1,5,x\n'
  'A2,Báo cáo,Báo cáo,N1,150,\n'
  'A3,Đề án,Đề án,N3,280-200,\n'
  'A1,Trùng mã,Văn bản,N2,10,\n'
  'A5,Chuẩn thứ hai,Văn bản,N1,5,x\n'
  'A6,Nhóm sai,Văn bản,N7,5,\n'
  'A7,"Thiếu cột",Văn bản,N1\n', 5);
\set VERBOSITY default
SELECT cqs.import_catalogue((SELECT organisation_id FROM cqs.organisation WHERE code = 'SNV'), '2026.1', '2026-01-01',
  E'code,name,output_unit,group,points,standard\n'
  'A1,Văn bản,Văn bản,N1,5,x\n'
  'A2,Báo cáo,Báo cáo,N1,150,\n'
  'A3,Đề án,Đề án,N3,280-200,\n');
SELECT count(*) AS catalogues FROM cqs.catalogue;
