-- pgTAP: exports and monitoring (issue 10, schema/77_exports.sql and the views of
-- 60_api.sql).  The exact CSV of a small case (the UTF-8 byte order mark, ';', CRLF, the
-- decimal comma, hostile text quoted and guarded against spreadsheet formulas), JSON
-- numbers as recorded (two decimals, never the 20 of an exact ratio), row-level security
-- through every export, the evaluator's to-do list under the Art. 10 competence rules,
-- a person who never started a month in the overdue list, the distribution showing
-- who awaits a decision.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cqs_eval CASCADE;
SELECT plan(49);
SET LOCAL cqs.refresh_mode = sync;
SELECT count(*) AS group_roles FROM cqs.setup_roles() \gset
INSERT INTO cqs.organisation (code, name, kind) VALUES ('EXP-CITY', 'UBND thành phố', 'managing_agency');
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT 'EXP-SNV', 'Sở Nội vụ', 'using_agency', organisation_id FROM cqs.organisation WHERE code = 'EXP-CITY';
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT 'EXP-P1', 'Phòng "Tổ chức"; cán bộ', 'unit', organisation_id FROM cqs.organisation WHERE code = 'EXP-SNV';
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT 'EXP-P2', 'Phòng Hành chính', 'unit', organisation_id FROM cqs.organisation WHERE code = 'EXP-SNV';
SELECT organisation_id AS city FROM cqs.organisation WHERE code = 'EXP-CITY' \gset
SELECT organisation_id AS snv FROM cqs.organisation WHERE code = 'EXP-SNV' \gset
SELECT organisation_id AS p1 FROM cqs.organisation WHERE code = 'EXP-P1' \gset
SELECT organisation_id AS p2 FROM cqs.organisation WHERE code = 'EXP-P2' \gset
SELECT cqs.import_catalogue(:snv, '2026.1', '2026-01-01',
  E'code,name,output_unit,group,points,standard\n'
  'VB01,"Văn bản tham gia ý kiến",Văn bản,N1,5,x\n'
  'TL01,"Trả lời kiến nghị của người dân, doanh nghiệp",Văn bản,N1,"13,5",\n'
  'BC01,Báo cáo tổng hợp,Báo cáo,N1,"18,5",\n', 5, 1) AS catalogue_id \gset
INSERT INTO cqs.person (personnel_id, full_name)
VALUES ('EXP-HB', 'Nguyễn Văn An'), ('EXP-HEAD', 'Trần Thị Bình'), ('EXP-X', '=HYPERLINK("http://x";"Lê") Ánh'),
       ('EXP-NEW', 'Phạm Văn Mới'), ('EXP-DIR', 'Võ Văn Giám'), ('EXP-DEP', 'Đỗ Thị Phó'), ('EXP-P2S', 'Hồ Văn Khác');
INSERT INTO cqs.posting (person_id, organisation_id, role, field, start_date)
SELECT p.person_id, v.org, v.role, v.field, '2026-01-01'
  FROM (VALUES ('EXP-HB', :p1, 'staff', 'tổ chức'), ('EXP-HEAD', :p1, 'head', NULL), ('EXP-X', :p1, 'staff', 'tổ chức'),
               ('EXP-NEW', :p1, 'staff', 'tổ chức'), ('EXP-DIR', :snv, 'head', NULL), ('EXP-DEP', :p1, 'deputy', 'tổ chức'),
               ('EXP-P2S', :p2, 'staff', NULL)) AS v(pid, org, role, field)
  JOIN cqs.person p ON p.personnel_id = v.pid;
SELECT person_id AS hb FROM cqs.person WHERE personnel_id = 'EXP-HB' \gset
SELECT person_id AS head FROM cqs.person WHERE personnel_id = 'EXP-HEAD' \gset
SELECT person_id AS x FROM cqs.person WHERE personnel_id = 'EXP-X' \gset
SELECT person_id AS new FROM cqs.person WHERE personnel_id = 'EXP-NEW' \gset
SELECT person_id AS dir FROM cqs.person WHERE personnel_id = 'EXP-DIR' \gset
SELECT person_id AS dep FROM cqs.person WHERE personnel_id = 'EXP-DEP' \gset
SELECT person_id AS p2s FROM cqs.person WHERE personnel_id = 'EXP-P2S' \gset
-- The handbook's lines (HB ch. VI-VII) in January 2026: 89.64 / 68.78 / 41.73 / 66.72 / 76.70.
INSERT INTO cqs.task_line (person_id, organisation_id, period, item_id, coefficient, assigned_qty,
                           deadline, completed_qty, completed_on, quality_failures)
SELECT :hb, :p1, '2026-01-01', i.item_id, v.coef, v.assigned, v.deadline, v.completed, v.done, v.failed
  FROM (VALUES ('VB01', 1.0, 5.0, '2026-01-15'::date, 4.0, '2026-01-19'::date, 0),
               ('TL01', 2.7, 3.0, '2026-01-10', 3.0, '2026-01-12', 1),
               ('BC01', 3.7, 1.0, '2026-01-19', 0.8, '2026-01-18', 2)) AS v(item, coef, assigned, deadline, completed, done, failed)
  JOIN cqs.catalogue_item i ON i.code = v.item AND i.catalogue_id = :catalogue_id;
SELECT status FROM cqs.self_assess(:hb, '2026-01-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}', 'Chủ động', 'Còn chậm tiến độ') \gset
SELECT status FROM cqs.confirm(:hb, '2026-01-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}', 'Đạt yêu cầu') \gset
-- EXP-X: one line done on time, self-assessed with hostile text, not confirmed.
INSERT INTO cqs.task_line (person_id, organisation_id, period, item_id, coefficient, assigned_qty, deadline, completed_qty, completed_on)
SELECT :x, :p1, '2026-01-01', i.item_id, 1.0, 2, '2026-01-20', 2, '2026-01-20'
  FROM cqs.catalogue_item i WHERE i.code = 'VB01' AND i.catalogue_id = :catalogue_id;
SELECT status FROM cqs.self_assess(:x, '2026-01-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}',
                                   E'Tốt; "rất" tốt\r\nDòng 2', '@SUM(1+1)') \gset
-- EXP-NEW never self-assesses; on leave for the whole of February.
INSERT INTO cqs.leave_record (person_id, kind, start_date, end_date) VALUES (:new, 'unpaid', '2026-02-01', '2026-02-28');

-- ---------------------------------------------------------------------------
-- Numbers as recorded: the views carry the recorded decimals, not the exact ratios'.
-- ---------------------------------------------------------------------------
SELECT ok((SELECT scale(r.task_score) > 2 FROM cqs.period_result r WHERE r.person_id = :hb AND r.period = '2026-01-01'),
          'the result keeps the exact task score (the total is rounded once, Art. 17.1)');
SELECT results_eq($$SELECT a, b, c, task_score, general_score, total FROM cqs.month_results WHERE personnel_id = 'EXP-HB'$$,
                  $$VALUES (89.64, 68.78, 41.73, 66.72, 30.00, 76.70)$$,
                  'month_results: a, b, c, task and general score with the recorded decimals (the handbook''s numbers)');
SELECT is((SELECT array_agg(DISTINCT scale(x)) FROM cqs.month_results m, unnest(ARRAY[m.a, m.b, m.c, m.task_score, m.general_score, m.total]) x),
          ARRAY[2], 'every score in month_results has exactly two decimals');
SELECT is((SELECT array_agg(DISTINCT scale(x)) FROM cqs.form01 f,
                  unnest(ARRAY[f.self_score, f.evaluator_score, f.self_total, f.evaluator_total, f.general_score, f.task_score, f.total]) x
            WHERE x IS NOT NULL),
          ARRAY[2], 'and in Form 01 (2.5 reads 2.50)');

SELECT is(ARRAY[cqs._rounding_note(89.99583333333333333333, 90.00), cqs._rounding_note(89.995, 90.00),
                cqs._rounding_note(49.99567, 50.00), cqs._rounding_note(76.704, 76.70)],
          ARRAY['rounding 89.9958… to 90.00 moved it from tot to xuat_sac', 'rounding 89.995 to 90.00 moved it from tot to xuat_sac',
                'rounding 49.9956… to 50.00 moved it from khong_hoan_thanh to hoan_thanh', NULL],
          'a rounding note writes the exact value cut at four decimals, never its twenty');

-- ---------------------------------------------------------------------------
-- CSV for Excel: the exact text.
-- ---------------------------------------------------------------------------
SELECT is(cqs.export_csv('month_results', :p1, '2026-01'),
          E'\uFEFF' || 'Mã người;Mã hồ sơ;Họ và tên;Mã cơ quan, đơn vị;Cơ quan, đơn vị;Năm;Tháng;Tỷ lệ số lượng a (%);'
          'Tỷ lệ chất lượng b (%);Tỷ lệ tiến độ c (%);Kết quả của đơn vị d (%);Năng lực tổ chức đ (%);Đoàn kết e (%);'
          'Điểm kết quả thực hiện nhiệm vụ (%);Điểm tiêu chí chung;Tổng điểm;Mã xếp loại;Xếp loại;Trạng thái;Đã khóa kỳ;'
          || E'Đang tính lại;Ghi chú\r\n'
          || format(E'%s;EXP-HB;Nguyễn Văn An;%s;"Phòng ""Tổ chức""; cán bộ";2026;1;89.64;68.78;41.73;;;;66.72;30.00;76.70;'
                    'tot;Hoàn thành tốt nhiệm vụ;confirmed;không;không;\r\n', :hb, :p1)
          || format(E'%s;EXP-X;"''=HYPERLINK(""http://x"";""Lê"") Ánh";%s;"Phòng ""Tổ chức""; cán bộ";2026;1;100.00;100.00;' ||
                    E'100.00;;;;100.00;30.00;100.00;xuat_sac;Hoàn thành xuất sắc nhiệm vụ;self_assessed;không;không;\r\n', :x, :p1),
          'month results as CSV: BOM, Vietnamese header, ";", CRLF, numbers as recorded, quoting, a formula guarded');
SELECT is(substr(convert_to(cqs.export_csv('month_results', :p1, '2026-01'), 'UTF8'), 1, 4), '\xefbbbf4d'::bytea,
          'the file starts with the UTF-8 byte order mark EF BB BF');
SELECT is(cqs.export_csv('quarter_results', :snv, '2026-Q1', ',', true, false, 'en'),
          E'Person id,Personnel id,Full name,Organisation id,Organisation,Year,Quarter,Cadence,Months counted,Quarter total,Grade code,Grade\r\n'
          || format(E'%s,EXP-HB,Nguyễn Văn An,%s,"Phòng ""Tổ chức""; cán bộ",2026,1,monthly,1,"76,70",tot,Completed duties well\r\n', :hb, :p1)
          || format(E'%s,EXP-X,"''=HYPERLINK(""http://x"";""Lê"") Ánh",%s,"Phòng ""Tổ chức""; cán bộ",2026,1,monthly,1,"100,00",xuat_sac,' ||
                    E'Completed duties excellently\r\n', :x, :p1),
          'quarter results in English, "," and the decimal comma (a number then quoted), no BOM');
SELECT is(cqs.export_csv('month_results', :p2, '2026-01', E'\t', false, false),
          E'Mã người\tMã hồ sơ\tHọ và tên\tMã cơ quan, đơn vị\tCơ quan, đơn vị\tNăm\tTháng\tTỷ lệ số lượng a (%)\t' ||
          E'Tỷ lệ chất lượng b (%)\tTỷ lệ tiến độ c (%)\tKết quả của đơn vị d (%)\tNăng lực tổ chức đ (%)\tĐoàn kết e (%)\t' ||
          E'Điểm kết quả thực hiện nhiệm vụ (%)\tĐiểm tiêu chí chung\tTổng điểm\tMã xếp loại\tXếp loại\tTrạng thái\tĐã khóa kỳ\t' ||
          E'Đang tính lại\tGhi chú\r\n',
          'nothing to export: the header alone (here tab-separated)');
-- Form 01 of EXP-X: a comment with ';', quotes and a line break stays one field; a
-- comment starting with @ is guarded; the criteria follow the form's order.
SELECT is((SELECT count(*)::integer FROM regexp_matches(cqs.export_csv('form01', :p1, '2026-01'), E'\r\n', 'g')), 1 + 20 + 10,
          'Form 01: a header and ten lines for each of two people (plus the line break inside X''s comment, on each of X''s lines)');
SELECT ok(position(E';"Tốt; ""rất"" tốt\r\nDòng 2";''@SUM(1+1);' IN cqs.export_csv('form01', :p1, '2026-01')) > 0,
          'a comment with ";", quotes and CRLF is one quoted field; "@SUM(1+1)" leaves as text, not a formula');
SELECT is(split_part(cqs.export_csv('form01', :p1, '2026-01', ';', true, false), E'\r\n', 2),
          format('%s;EXP-HB;Nguyễn Văn An;%s;"Phòng ""Tổ chức""; cán bộ";2026-01-01;month;1;', :hb, :p1)
          || (SELECT code || ';' || name FROM cqs.criteria_item WHERE position = 1
                 AND criteria_set_id = (SELECT criteria_set_id FROM cqs.criteria_set WHERE code = 'form01'))
          || ';5,0;5,00;5,00;30,00;30,00;30,00;66,72;76,70;tot;Hoàn thành tốt nhiệm vụ;Chủ động;Còn chậm tiến độ;Đạt yêu cầu;confirmed',
          'Form 01 line by line: maxima as recorded, scores with two decimals and the decimal comma, the comments');

-- ---------------------------------------------------------------------------
-- JSON for web APIs.
-- ---------------------------------------------------------------------------
SELECT is((cqs.export_json('month_results', :p1, '2026-01') -> 'rows' -> 0)
            - 'person_id' - 'organisation_id' - 'organisation_name',
          '{"a": 89.64, "b": 68.78, "c": 41.73, "d": null, "dd": null, "e": null, "task_score": 66.72, "general_score": 30.00,
            "total": 76.70, "grade": "tot", "grade_label": "Hoàn thành tốt nhiệm vụ", "status": "confirmed", "locked": false,
            "stale": false, "note": "", "year": 2026, "month": 1, "personnel_id": "EXP-HB", "full_name": "Nguyễn Văn An"}'::jsonb,
          'a month result as JSON: numbers as JSON numbers, as recorded');
SELECT is((cqs.export_json('month_results', :p1, '2026-01') -> 'rows' -> 0 ->> 'task_score'), '66.72',
          'with their two decimals (66.72, never 66.7162698412698413)');
SELECT is((SELECT count(*) FROM unnest(ARRAY['month_results', 'quarter_results', 'form01', 'overdue', 'evaluator_todo']) d
            WHERE cqs.export_json(d, :city)::text ~ '\d\.\d{3}'), 0::bigint,
          'no number with more than two decimals in any export');
SELECT is((cqs.export_json('quarter_results', :p1, '2026-Q1', 'en') - 'rows') - 'columns',
          format('{"schema": "cqs_eval.export", "schema_version": 1, "dataset": "quarter_results", "organisation_id": %s,
                   "period": "2026-Q1", "lang": "en", "row_count": 2}', :p1)::jsonb,
          'the document says what it holds');
SELECT is(cqs.export_json('quarter_results', :p1, '2026-Q1', 'en') -> 'columns' -> 9,
          '{"key": "total", "kind": "number", "header": "Quarter total"}'::jsonb, 'and describes its columns');
SELECT is(cqs.export_json('month_results', :p1, '2025') ->> 'row_count', '0', 'a period with nothing: no rows');
SELECT is(jsonb_array_length(cqs.export_json('month_results', :snv, NULL) -> 'rows'), 2,
          'an organisation exports its units too (Sở Nội vụ: the two results of its division)');

-- ---------------------------------------------------------------------------
-- The overdue list: periods nobody started are overdue too.
-- ---------------------------------------------------------------------------
SELECT results_eq(format($$SELECT kind, period_or_year_start, due_on, done_on, assessment_status FROM cqs.overdue
                            WHERE person_id = %s AND period_or_year_start < '2026-04-01' ORDER BY 2, 1$$, :new),
                  $$VALUES ('evaluation'::text, '2026-01-01'::date, '2026-02-10'::date, NULL::date, 'not_started'::text),
                           ('self_assessment', '2026-01-01', '2026-02-05', NULL, 'not_started'),
                           ('evaluation', '2026-03-01', '2026-04-10', NULL, 'not_started'),
                           ('self_assessment', '2026-03-01', '2026-04-05', NULL, 'not_started')$$,
                  'a person who never started a month is overdue for it (February, on leave all month, is not owed)');
SELECT results_eq(format($$SELECT kind, assessment_status, done_on IS NOT NULL FROM cqs.overdue
                            WHERE person_id = %s AND period_or_year_start = '2026-01-01' ORDER BY 1$$, :x),
                  $$VALUES ('evaluation'::text, 'self_assessed'::text, false), ('self_assessment', 'self_assessed', true)$$,
                  'a self-assessment made late is listed with when it was done; its confirmation still waits');
UPDATE cqs.organisation SET self_assessment_due_day = 3, confirmation_due_day = 7 WHERE code = 'EXP-CITY';
SELECT is((SELECT array_agg(due_on ORDER BY kind) FROM cqs.overdue WHERE person_id = :new AND period_or_year_start = '2026-01-01'),
          ARRAY['2026-02-07', '2026-02-03']::date[], 'on the agency''s own days (here the 3rd and the 7th)');
UPDATE cqs.organisation SET self_assessment_due_day = NULL, confirmation_due_day = NULL WHERE code = 'EXP-CITY';
INSERT INTO cqs.imported_total (person_id, period, organisation_id, total, source, reference)
SELECT :hb, make_date(2026, m, 1), :p1, 80, 'HRM cũ', 'TB ' || m FROM generate_series(2, 12) m;
SELECT is((SELECT count(*) FROM cqs.overdue WHERE person_id = :hb AND period_or_year_start > '2026-01-01'), 0::bigint,
          'a month whose total was imported from the previous system is not owed');
SELECT is((SELECT count(*) FROM jsonb_array_elements(cqs.export_json('overdue', :p1, '2026-01') -> 'rows') r
            WHERE r ->> 'personnel_id' = 'EXP-NEW' AND r ->> 'assessment_status' = 'not_started'), 2::bigint,
          'the overdue export carries them too');

-- ---------------------------------------------------------------------------
-- Who reads what: every export reads through row-level security.
-- ---------------------------------------------------------------------------
CREATE ROLE regress_exp_head;
CREATE ROLE regress_exp_dir;
CREATE ROLE regress_exp_dep;
CREATE ROLE regress_exp_x;
CREATE ROLE regress_exp_analyst;
CREATE ROLE regress_exp_nobody;
GRANT cqs_servant, cqs_evaluator TO regress_exp_head, regress_exp_dir, regress_exp_dep;
GRANT cqs_servant TO regress_exp_x;
GRANT cqs_analyst TO regress_exp_analyst;
INSERT INTO cqs.person_login (login, person_id)
VALUES ('regress_exp_head', :head), ('regress_exp_dir', :dir), ('regress_exp_dep', :dep), ('regress_exp_x', :x);
INSERT INTO cqs.mandate (kind, organisation_id, login, reference) VALUES ('analyst', :snv, 'regress_exp_analyst', 'QĐ phân tích');

SET ROLE regress_exp_x;
SELECT is(cqs.export_csv('month_results', NULL, NULL, ';', false, false),
          split_part(cqs.export_csv('month_results', :p1, '2026-01', ';', false, false), E'\r\n', 1) || E'\r\n'
          || format(E'%s;EXP-X;"''=HYPERLINK(""http://x"";""Lê"") Ánh";%s;"Phòng ""Tổ chức""; cán bộ";2026;1;100.00;100.00;' ||
                    E'100.00;;;;100.00;30.00;100.00;xuat_sac;Hoàn thành xuất sắc nhiệm vụ;self_assessed;không;không;\r\n', :x, :p1),
          'a civil servant''s export holds their own row only');
SELECT is((SELECT array_agg(d || ':' || (cqs.export_json(d) ->> 'row_count') ORDER BY d)
             FROM unnest(ARRAY['form01', 'form02', 'month_results', 'quarter_results', 'evaluator_todo']) d),
          ARRAY['evaluator_todo:0', 'form01:10', 'form02:0', 'month_results:1', 'quarter_results:1'],
          'and so does every other export (their Form 01, no one else''s; nothing to confirm)');
RESET ROLE;

SET ROLE regress_exp_analyst;
SELECT is((SELECT array_agg(DISTINCT coalesce(r ->> 'personnel_id', '-') || '/' || coalesce(r ->> 'full_name', '-'))
             FROM jsonb_array_elements(cqs.export_json('month_results', :snv) -> 'rows') r), ARRAY['-/-'],
          'an analyst exports results without names or personnel ids');
SELECT is((cqs.export_json('month_results', :snv) ->> 'row_count')::integer, 2, 'every result of the mandate');
SELECT throws_ok(format('SELECT cqs.export_csv(''form01'', %s)', :snv), '42501', NULL,
                 'but not Form 01 (the evaluators'' comments): 42501');
RESET ROLE;

SET ROLE regress_exp_nobody;
SELECT throws_ok('SELECT cqs.export_json(''month_results'')', '42501', NULL, 'a role without the grant exports nothing: 42501');
RESET ROLE;

-- ---------------------------------------------------------------------------
-- The evaluator's to-do list (Art. 10, 17.2).
-- ---------------------------------------------------------------------------
SET ROLE regress_exp_head;
SELECT results_eq($$SELECT personnel_id, period, action, assessment_status, due_on, overdue, total
                      FROM cqs.evaluator_todo WHERE period < '2026-04-01' ORDER BY period, personnel_id$$,
                  $$VALUES ('EXP-DEP'::text, '2026-01-01'::date, 'remind'::text, 'not_started'::text, '2026-02-05'::date, true, NULL::numeric),
                           ('EXP-NEW', '2026-01-01', 'remind', 'not_started', '2026-02-05', true, NULL),
                           ('EXP-X', '2026-01-01', 'confirm', 'self_assessed', '2026-02-10', true, 100.00),
                           ('EXP-DEP', '2026-02-01', 'remind', 'not_started', '2026-03-05', true, NULL),
                           ('EXP-X', '2026-02-01', 'remind', 'not_started', '2026-03-05', true, NULL),
                           ('EXP-DEP', '2026-03-01', 'remind', 'not_started', '2026-04-05', true, NULL),
                           ('EXP-NEW', '2026-03-01', 'remind', 'not_started', '2026-04-05', true, NULL),
                           ('EXP-X', '2026-03-01', 'remind', 'not_started', '2026-04-05', true, NULL)$$,
                  'the head of the division: X''s self-assessment to confirm, the deputy''s and staff''s overdue months to chase (HB''s imported, NEW''s February on leave)');
SELECT is((SELECT count(*) FROM cqs.evaluator_todo WHERE person_id IN (:head, :hb)), 0::bigint,
          'never themself, nor a month confirmed or imported');
SELECT is((SELECT count(*) FROM jsonb_array_elements(cqs.export_json('evaluator_todo', NULL, '2026-01') -> 'rows') r
            WHERE r ->> 'action' = 'confirm' AND r ->> 'total' = '100.00' AND jsonb_typeof(r -> 'total') = 'number'), 1::bigint,
          'the to-do list exports like the rest');
RESET ROLE;
SET ROLE regress_exp_dir;
SELECT results_eq($$SELECT personnel_id, count(*) FROM cqs.evaluator_todo WHERE period < '2026-04-01' GROUP BY 1 ORDER BY 1$$,
                  $$VALUES ('EXP-HEAD'::text, 3::bigint), ('EXP-P2S', 3)$$,
                  'the director: the division head, and the staff of a division without a head (Art. 10: the unit above)');
RESET ROLE;
SET ROLE regress_exp_dep;
SELECT is((SELECT count(*) FROM cqs.evaluator_todo), 0::bigint, 'a deputy without a delegation has nothing to confirm');
RESET ROLE;
SELECT is((SELECT count(*) FROM cqs.evaluator_todo), 0::bigint, 'nor has anyone acting for nobody');

-- ---------------------------------------------------------------------------
-- The distribution shows who awaits a decision.
-- ---------------------------------------------------------------------------
INSERT INTO cqs.organisation_year (organisation_id, year, general_scores, task_scores, tasks_assigned, tasks_completed,
                                   tasks_on_time, tasks_exceeded, tasks_late, planned_tasks, planned_tasks_done, self_proposed_grade)
VALUES (:snv, 2026, '{9,9,8}', '{9,14,8,5,10,5,8,5}', 40, 40, 40, 13, 0, 30, 30, 'xuat_sac');
SELECT cqs.grade_year(2026) AS graded \gset
SELECT results_eq(format($$SELECT grade, status, people, share_percent, decided, awaiting_decision
                             FROM cqs.grade_distribution WHERE organisation_id = %s ORDER BY status$$, :snv),
                  $$VALUES ('tot'::cqs.grade, 'graded'::text, 1::bigint, 100.00, 0::bigint, 1::bigint),
                           (NULL, 'incomplete', 6, NULL, 0, 6)$$,
                  'graded by proposal: tốt awaits its decision; six years incomplete are shown, not hidden');
INSERT INTO cqs.year_grading (person_id, year, self_proposed_grade, self_proposed_at, meeting_minutes_ref, meeting_on,
                              personnel_proposal, personnel_proposed_at)
VALUES (:hb, 2026, 'tot', '2026-12-01 09:00+07', 'BB 12/BB-TCCB', '2026-12-05', 'tot', '2026-12-08 09:00+07');
SELECT cqs.decide_grade(:hb, 2026, 'tot', 'QĐ 15/QĐ-SNV', 'Giám đốc Sở Nội vụ') AS decision \gset
SELECT is(cqs.export_csv('grade_distribution', :snv, '2026', ';', true, false),
          E'Năm;Mã cơ quan sử dụng;Cơ quan sử dụng;Nhóm nhiệm vụ tương đồng;Mã xếp loại;Xếp loại;Trạng thái;Số người;' ||
          E'Tỷ lệ (%);Đã có quyết định;Chờ quyết định\r\n'
          || format(E'2026;%s;Sở Nội vụ;chung;tot;Hoàn thành tốt nhiệm vụ;graded;1;100,00;1;0\r\n', :snv)
          || format(E'2026;%s;Sở Nội vụ;chung;;;incomplete;6;;0;6\r\n', :snv),
          'decided: the distribution as CSV, the pending row included');

-- ---------------------------------------------------------------------------
-- The outbox, read like results.
-- ---------------------------------------------------------------------------
SELECT is((cqs.export_json('outbox', :snv, '2026') -> 'rows' -> 0) - 'item_id' - 'person_id' - 'organisation_id' - 'problem'
            - 'finalised_at' - 'due_at',
          '{"kind": "year_grade", "personnel_id": "EXP-HB", "agency_code": null, "period_kind": "year", "period": "2026-01-01",
            "version": 1, "total": 79.73, "grade": "tot", "grade_label": "Hoàn thành tốt nhiệm vụ", "reference": "QĐ 15/QĐ-SNV",
            "batch_id": null, "status": "held", "late": false}'::jsonb,
          'the decision waits in the outbox, held for want of identification; its total as recorded');
SELECT matches(cqs.export_json('outbox', :snv, '2026') -> 'rows' -> 0 ->> 'finalised_at', '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$',
               'instants in UTC, ISO 8601');
SET ROLE regress_exp_x;
SELECT is(cqs.export_json('outbox') ->> 'row_count', '0', 'another''s outbox item is not exported to a civil servant');
RESET ROLE;

-- ---------------------------------------------------------------------------
-- Bad arguments (22023) and labels.
-- ---------------------------------------------------------------------------
SELECT throws_ok('SELECT cqs.export_csv(''salaries'')', '22023', 'unknown export dataset "salaries"', 'an unknown dataset');
SELECT throws_ok('SELECT cqs.export_json(NULL)', '22023', 'dataset must not be NULL', 'or none');
SELECT throws_ok('SELECT cqs.export_json(''month_results'', NULL, ''2026-13'')', '22023', NULL, 'a month that does not exist');
SELECT throws_ok('SELECT cqs.export_csv(''month_results'', NULL, NULL, ''"'')', '22023', NULL, 'a quote as separator');
SELECT throws_ok('SELECT cqs.export_csv(''month_results'', NULL, NULL, ''.'')', '22023', NULL, 'the decimal point as separator');
SELECT throws_ok('SELECT cqs.export_json(''month_results'', NULL, NULL, ''fr'')', '22023', NULL, 'a language other than vi and en');
SELECT throws_ok('SELECT cqs.export_json(''month_results'', -1)', '22023', 'no organisation -1', 'an organisation that does not exist');
SELECT is_empty($$SELECT p.oid::regprocedure::text FROM pg_proc p
                   WHERE p.pronamespace = 'cqs'::regnamespace AND p.proname LIKE 'export\_%'
                     AND (p.provolatile = 'v' OR p.prosecdef)$$,
                'every export function is SECURITY INVOKER and not VOLATILE');

SELECT * FROM finish();
ROLLBACK;
