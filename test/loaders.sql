-- pgTAP: the CSV loaders (issue 10, "Taking work in"): the C reader, header names in
-- Vietnamese and English, every kind, every problem with its line and column, all or
-- nothing, dry runs, the real Thanh Hóa catalogue as Excel writes it (";", BOM,
-- Vietnamese headers, ≤300, 5 (chuẩn), ranges with –), and who may load what (42501).
--
-- Run: pg_prove --ext .sql --failures test/
\set QUIET 1
SET client_min_messages = warning;
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cqs_eval CASCADE;
SELECT plan(62);

-- ---------------------------------------------------------------------------
-- 1. The reader.
-- ---------------------------------------------------------------------------
SELECT is(ARRAY(SELECT line_no || ':' || array_to_string(fields, '|')
                  FROM cqs.parse_csv(E'\xEF\xBB\xBFa;b;"c;d"\r\n1;"x""y";2,5\r\n;;\r\n"two\nlines";b;c')),
          ARRAY['1:a|b|c;d', '2:1|x"y|2,5', E'4:two\nlines|b|c'],
          'BOM dropped, ";" detected, quotes and doubled quotes, an empty ";;" line skipped, line numbers of the file');
SELECT is(ARRAY(SELECT array_to_string(fields, '|') FROM cqs.parse_csv(E'a,b;c\n1,"2;3"\n')),
          ARRAY['a|b;c', '1|2;3'], '"," detected when the header has more commas');
SELECT is(ARRAY(SELECT array_to_string(fields, '|') FROM cqs.parse_csv(E'a;b\n1;2', ',')),
          ARRAY['a;b', '1;2'], 'an explicit delimiter wins');
SELECT is(ARRAY(SELECT cardinality(fields) FROM cqs.parse_csv(E'a,b,\n1,,\n')), ARRAY[3, 3],
          'trailing empty fields are fields');
SELECT is(ARRAY(SELECT line_no FROM cqs.parse_csv(E'a\r\rb\rc')), ARRAY[1, 3, 4], 'a lone CR ends a line (old Mac Excel)');
SELECT throws_ok($$SELECT * FROM cqs.parse_csv(E'a,b\n1,2\n3,"open\n4,5\n')$$, '22023',
                 'CSV line 3: a quoted field is never closed', 'an unclosed quote: 22023 naming the line it opened on');
SELECT throws_ok($$SELECT * FROM cqs.parse_csv(E'a,b\n"x"y,2\n')$$, '22023',
                 'CSV line 2: text after the closing quote of field 1', 'text after a closing quote: 22023');
SELECT throws_ok($$SELECT * FROM cqs.parse_csv('a', '"')$$, '22023', NULL, 'a quote as delimiter: 22023');
SELECT is((SELECT count(*) FROM cqs.parse_csv(repeat(E'x,"y,1",3\r\n', 10000))), 10000::bigint,
          '10,000 lines read (linear: no quadratic concatenation)');

-- Values as Excel writes them in Viet Nam.
SELECT is(cqs.csv_key('Điểm chấm (khoảng)'), 'diem_cham_khoang', 'headers: accents, case and punctuation ignored');
SELECT is(ARRAY[cqs.csv_decimal('2,5'), cqs.csv_decimal('2.5'), cqs.csv_decimal(' 80 '), cqs.csv_decimal('1.000,5')],
          ARRAY[2.5, 2.5, 80, NULL]::numeric[], 'decimal comma or point; no thousands separators');
SELECT is(ARRAY[cqs.csv_date('05/03/2026'), cqs.csv_date('5/3/2026'), cqs.csv_date('2026-03-05'), cqs.csv_date('31/02/2026'),
                cqs.csv_date('03/05')], ARRAY['2026-03-05', '2026-03-05', '2026-03-05', NULL, NULL]::date[],
          'days: dd/mm/yyyy (the Vietnamese order), ISO; 31/02 is no day');
SELECT is(ARRAY[cqs.csv_month('03/2026'), cqs.csv_month('tháng 3/2026'), cqs.csv_month('T3/2026'), cqs.csv_month('2026-03'),
                cqs.csv_month('01/03/2026'), cqs.csv_month('13/2026'), cqs.csv_month('15/03/2026')],
          ARRAY['2026-03-01', '2026-03-01', '2026-03-01', '2026-03-01', '2026-03-01', NULL, NULL]::date[], 'months');
SELECT is(ARRAY[cqs.csv_boolean('x'), cqs.csv_boolean('Có'), cqs.csv_boolean('không'), cqs.csv_boolean('?')],
          ARRAY[true, true, false, NULL], 'yes or no');

-- ---------------------------------------------------------------------------
-- 2. The Thanh Hóa catalogue as Excel writes it (test/fixtures: ";", BOM, CRLF,
--    Vietnamese headers, ≤300, 5 (chuẩn), 200–280, a coefficient column).
-- ---------------------------------------------------------------------------
\set th_csv `cat test/fixtures/thanh-hoa-catalogue-2026.csv`
CREATE TEMP TABLE th (csv text);
INSERT INTO th VALUES (:'th_csv');
INSERT INTO cqs.organisation (code, name, kind) VALUES ('LD-TH', 'Văn phòng Đoàn ĐBQH và HĐND tỉnh Thanh Hóa', 'managing_agency');
SELECT is_empty($$SELECT * FROM cqs.catalogue_csv_problems((SELECT csv FROM th), 5)$$, 'the real catalogue has no problem');
SELECT isnt(cqs.import_catalogue((SELECT organisation_id FROM cqs.organisation WHERE code = 'LD-TH'), '2026.1', '2026-06-01',
                                 :'th_csv', 5, 1, '295/VP-CTHĐND'), NULL, 'and imports');
SELECT results_eq($$SELECT count(*)::integer, count(*) FILTER (WHERE is_standard)::integer, sum(points_low), sum(points_high),
                           sum(coefficient_low), sum(coefficient_high)
                      FROM cqs.catalogue_item i JOIN cqs.catalogue c USING (catalogue_id) WHERE c.version = '2026.1'$$,
                  $$VALUES (51, 1, 8215::numeric, 11655::numeric, 1643.0::numeric, 2331.0::numeric)$$,
                  '51 items (parts I-II), one standard unit, every range and coefficient as published');
SELECT results_eq($$SELECT i.code, i.complexity_group::integer, i.group_max, i.points_low, i.points_high, i.is_standard,
                           i.coefficient_low, i.coefficient_high
                      FROM cqs.catalogue_item i WHERE i.code IN ('II.A.1', 'II.B.10') ORDER BY i.code$$,
                  $$VALUES ('II.A.1', 1, 100::numeric, 5::numeric, 5::numeric, true, 1.0::numeric, 1.0::numeric),
                           ('II.B.10', 4, 400, 320, 400, false, 64.0, 80.0)$$,
                  '5 (chuẩn) is the standard unit; ≤400 the group maximum; 320–400 the range');
-- The same file with part III (support staff, no coefficients) left in, and wrong figures.
SELECT results_eq($$SELECT line_no, problem FROM cqs.catalogue_csv_problems(
                      (SELECT csv FROM th) || E'III.1;Lái xe;Nhật ký hành trình;Hỗ trợ, phục vụ;Chương III;(Đánh giá riêng);—;\r\n'
                                || E'X.1;Sai hệ số;Văn bản;N2;≤200;100–160;20–30;\r\n'
                                || E'X.2;Khung sai;Văn bản;N2;≤300;100;20;\r\n', 5)$$,
                  $$VALUES (53, 'item "III.1": group "Hỗ trợ, phục vụ" is not N1..N5'),
                           (53, 'item "III.1": points "(Đánh giá riêng)" is not a positive number or range like 40-80'),
                           (54, 'item "X.1": coefficient 20–30 does not match points 100–160 ÷ 5 (HB ch. II)'),
                           (55, 'item "X.2": group_max 300 exceeds N2''s maximum 200 (HB ch. II)')$$,
                  'support staff lines, a wrong coefficient and a group maximum above the decree''s: each with its line');
SELECT is((SELECT count(*) FROM cqs.catalogue_csv_problems(
             E'Mã;Tên;Sản phẩm đầu ra;Nhóm;Điểm;Ghi chú\r\nA;a;b;N1;5 (chuẩn);\r\nB;b;c;Nhóm 2;40 - 80;\r\n', 5)), 0::bigint,
          'Vietnamese aliases (Mã, Tên, Nhóm, Điểm), "Nhóm 2", "40 - 80", a Ghi chú column ignored');
SELECT is((SELECT array_agg(problem) FROM cqs.csv_problems('catalogue', E'code;name;output_unit;group;points\r\nA;a;b;N1;5 (chuẩn)\r\nB;b;c;N1;150\r\n')),
          ARRAY['item "B": 150 points exceed the group maximum 100 of N1 (HB ch. II)'],
          'cqs.csv_problems reads a catalogue too (at 5 standard points)');
SELECT results_eq($$SELECT line_no, problem FROM cqs.catalogue_csv_problems(E'Mã;Tên\r\nA;a\r\n', 5)$$,
                  $$VALUES (1, 'the header has no column "output_unit" (or "sản phẩm đầu ra", "đơn vị tính")'),
                           (1, 'the header has no column "group" (or "phân nhóm", "nhóm")'),
                           (1, 'the header has no column "points" (or "điểm", "điểm chấm", "điểm chấm (khoảng)", "điểm (khoảng)")')$$,
                  'a header without the needed columns names each with the names accepted');

-- ---------------------------------------------------------------------------
-- 3. Every kind, as a personnel section would write it.
-- ---------------------------------------------------------------------------
SELECT is(cqs.load_csv('organisation', E'\xEF\xBB\xBFMã đơn vị;Tên đơn vị;Loại;Mã cấp trên;Chu kỳ;Tháng bắt đầu\r\n'
                                       'LD-P2;Phòng Hai;Phòng;LD-S;;\r\n'
                                       'LD-S;Sở Một;Cơ quan sử dụng;LD-TH;Hằng tháng;09/2026\r\n'
                                       'LD-P1;Phòng Một;đơn vị;LD-S;;\r\n'), 3, 'organisations: a child before its parent in the file');
SELECT results_eq($$SELECT o.code, p.code, o.kind, o.cadence, o.evaluation_start FROM cqs.organisation o
                      LEFT JOIN cqs.organisation p ON p.organisation_id = o.parent_id WHERE o.code LIKE 'LD-%' AND o.code <> 'LD-TH'
                     ORDER BY o.code$$,
                  $$VALUES ('LD-P1', 'LD-S', 'unit', NULL, NULL::date), ('LD-P2', 'LD-S', 'unit', NULL, NULL),
                           ('LD-S', 'LD-TH', 'using_agency', 'monthly', '2026-09-01')$$, 'the tree as written');
SELECT is(cqs.load_csv('person', E'Mã hồ sơ;Họ và tên;Loại;Đảng viên;Số định danh cá nhân\r\n'
                                 'LD-1;Nguyễn Văn An;Công chức;x;001200000001\r\n'
                                 'LD-2;Trần Thị Bình;;;\r\n'
                                 'LD-3;Lê Văn Cường;Người lao động;;\r\n'
                                 'LD-4;Phạm Thị Dung;;Không;\r\n'), 4, 'people');
SELECT results_eq($$SELECT personnel_id, kind, party_member, personal_id_number FROM cqs.person WHERE personnel_id LIKE 'LD-%' ORDER BY 1$$,
                  $$VALUES ('LD-1', 'civil_servant', true, '001200000001'), ('LD-2', 'civil_servant', false, NULL),
                           ('LD-3', 'support_staff', false, NULL), ('LD-4', 'civil_servant', false, NULL)$$, 'as written');
SELECT is(cqs.load_csv('posting', E'personnel_id,organisation_code,role,field,start_date,end_date\n'
                                  'LD-1,LD-P1,Trưởng phòng,,01/01/2026,\n'
                                  'LD-2,LD-P1,Chuyên viên,,01/01/2026,\n'
                                  'LD-3,LD-P1,,,01/01/2026,\n'
                                  'LD-4,LD-P2,Phó trưởng phòng,Tổng hợp,01/01/2026,31/08/2026\n'), 4, 'postings');
SELECT results_eq($$SELECT p.personnel_id, o.code, ps.role, ps.field, ps.start_date, ps.end_date FROM cqs.posting ps
                      JOIN cqs.person p USING (person_id) JOIN cqs.organisation o USING (organisation_id)
                     WHERE p.personnel_id LIKE 'LD-%' ORDER BY 1$$,
                  $$VALUES ('LD-1', 'LD-P1', 'head', NULL, '2026-01-01'::date, NULL::date),
                           ('LD-2', 'LD-P1', 'staff', NULL, '2026-01-01', NULL), ('LD-3', 'LD-P1', 'staff', NULL, '2026-01-01', NULL),
                           ('LD-4', 'LD-P2', 'deputy', 'Tổng hợp', '2026-01-01', '2026-08-31')$$, 'roles from Vietnamese titles');
-- A mid-year start (September): January-August from the previous system.
SELECT is(cqs.load_csv('imported_total', E'Mã hồ sơ;Tháng;Tổng điểm;Hệ thống cũ;Văn bản\r\n'
                       || (SELECT string_agg(format('LD-2;%s/2026;%s;eGov 2025;TB %s/2026', lpad(m::text, 2, '0'),
                                                    replace((80 + m * 0.5)::text, '.', ','), m), E'\r\n')
                             FROM generate_series(1, 8) m) || E'\r\n'), 8,
          'eight earlier monthly totals, decimal commas, the organisation from the posting');
SELECT results_eq($$SELECT min(it.period), max(it.period), sum(it.total), min(o.code) FROM cqs.imported_total it
                      JOIN cqs.organisation o USING (organisation_id)$$,
                  $$VALUES ('2026-01-01'::date, '2026-08-01'::date, 658.0::numeric, 'LD-P1')$$, 'recorded as written');
SELECT isnt(cqs.import_catalogue((SELECT organisation_id FROM cqs.organisation WHERE code = 'LD-S'), 'S1', '2026-01-01',
                                 E'code;name;output_unit;group;points;standard\r\nVB;Văn bản;Văn bản;N1;5;x\r\nBC;Báo cáo;Báo cáo;N1;40-80;\r\n',
                                 5, 1), NULL, 'a catalogue for the department (coefficients to 1 decimal)');
SELECT is(cqs.load_csv('task_line', E'Mã hồ sơ;Kỳ;Mã sản phẩm;Hệ số;Số lượng giao;Hạn;Số lượng hoàn thành;Ngày hoàn thành;Nguồn\r\n'
                                    'LD-2;09/2026;VB;;5;15/09/2026;4;19/09/2026;\r\n'
                                    'LD-2;09/2026;BC;12,5;1;20/09/2026;0,8;18/09/2026;Đột xuất\r\n'), 2, 'task lines');
SELECT results_eq($$SELECT i.code, t.coefficient, t.assigned_qty, t.completed_qty, t.deadline, t.days_late, t.origin, o.code
                      FROM cqs.task_line t JOIN cqs.catalogue_item i USING (item_id) JOIN cqs.organisation o ON o.organisation_id = t.organisation_id
                     ORDER BY i.code$$,
                  $$VALUES ('BC', 12.5::numeric, 1::numeric, 0.8::numeric, '2026-09-20'::date, 0, 'ad_hoc', 'LD-P1'),
                           ('VB', 1.0, 5, 4, '2026-09-15', 4, 'planned', 'LD-P1')$$,
                  'the item''s coefficient when it has one value, the written one for a range, decimal commas');
SELECT is((SELECT count(*) FROM cqs.period_result r JOIN cqs.person p USING (person_id)
            WHERE p.personnel_id = 'LD-2' AND r.period = '2026-09-01'), 1::bigint,
          'the loaded lines reached the one writer, as any insert does: September has its result');
SELECT is(cqs.load_csv('leave', E'personnel_id,kind,start_date,end_date,note\nLD-2,Nghỉ ốm,2026-10-01,2026-10-10,viện\n'
                                'LD-1,thai sản,01/11/2026,30/11/2026,\n'), 2, 'leave');
SELECT is(cqs.load_csv('discipline', E'Mã hồ sơ;Loại kỷ luật;Hình thức kỷ luật;Ngày quyết định;Số quyết định;Hành vi\r\n'
                                     'LD-2;Hành chính;Khiển trách;15/10/2026;QĐ 9/QĐ-S;HV-1\r\n'
                                     'LD-2;Đảng;Khiển trách;20/10/2026;QĐ 3-QĐ/ĐU;HV-1\r\n'), 2, 'discipline');
SELECT results_eq($$SELECT d.kind, d.level, o.code, d.public_duty_or_degradation FROM cqs.discipline d
                      JOIN cqs.organisation o ON o.organisation_id = d.act_organisation_id ORDER BY d.decision_date$$,
                  $$VALUES ('administrative', 'khien_trach', 'LD-P1', true), ('party', 'khien_trach', 'LD-P1', true)$$,
                  'levels from Vietnamese names, the act''s organisation from the posting on the decision''s day');

-- ---------------------------------------------------------------------------
-- 4. Every problem at once, with its line and column; nothing loaded.
-- ---------------------------------------------------------------------------
SELECT results_eq($$SELECT line_no, column_name, problem FROM cqs.csv_problems('posting',
                      E'personnel_id;organisation_code;role;field;start_date;end_date;colour\r\n'
                      'LD-9;LD-P1;;;01/01/2026;;\r\n'
                      'LD-1;LD-XX;;;01/01/2026;;\r\n'
                      'LD-2;LD-P2;;;01/06/2026;;\r\n'
                      'LD-3;LD-P1;Phó trưởng phòng;;31/02/2026;;\r\n'
                      'LD-4;LD-P1;chief;;05/09/2026;01/09/2026;\r\n'
                      'LD-4;LD-P2;;;01/10/2026;;;extra\r\n')$$,
                  $$VALUES (1, 'colour', 'column 7 "colour" is not a column of a posting file (columns: personnel_id, organisation_code, role, field, job_position, duty_group, start_date, end_date)'),
                           (2, 'personnel_id', 'no person with personnel id "LD-9" (or not one postgres (person none) may read)'),
                           (3, 'organisation_code', 'no organisation "LD-XX"'),
                           (3, 'start_date', 'overlaps the recorded posting at LD-P1 from 01/01/2026 (end it first: one posting at a time, Art. 10, 19.1)'),
                           (4, 'start_date', 'overlaps the recorded posting at LD-P1 from 01/01/2026 (end it first: one posting at a time, Art. 10, 19.1)'),
                           (5, 'field', 'a deputy needs the field they are assigned (Art. 15.4)'),
                           (5, 'start_date', 'start_date "31/02/2026" is not a day (write dd/mm/yyyy or yyyy-mm-dd)'),
                           (6, 'role', 'role "chief" is not one of: staff (công chức), deputy (cấp phó), head (cấp trưởng)'),
                           (6, 'end_date', 'ends 01/09/2026, before it starts (05/09/2026)'),
                           (7, NULL, 'has 8 fields, the header has 7')$$,
                  'postings: an unknown column, person, organisation, overlaps, a deputy without field, a bad day and role, reversed dates, a misaligned line');
SELECT throws_ok($$SELECT cqs.load_csv('leave', E'personnel_id,kind,start_date,end_date\nLD-3,Nghỉ ốm,01/12/2026,10/12/2026\nLD-3,nghỉ phép,01/12/2026,\n')$$,
                 '22023', 'leave CSV has 2 problem(s); nothing was loaded', 'a bad file: 22023 counting the problems');
SELECT is((SELECT count(*) FROM cqs.leave_record l JOIN cqs.person p USING (person_id) WHERE p.personnel_id = 'LD-3'), 0::bigint,
          'and the good line of it was not loaded either');
SELECT results_eq($$SELECT line_no, column_name, problem FROM cqs.csv_problems('task_line',
                      E'Mã hồ sơ;Kỳ;Mã sản phẩm;Mã sản phẩm tương tự;Hệ số;Số lượng giao;Hạn;Mã ngoài;Hệ thống nguồn\r\n'
                      'LD-2;09/2026;BC;;;1;20/09/2026;;\r\n'
                      'LD-2;09/2026;BC;;99;1;20/09/2026;;\r\n'
                      'LD-2;09/2026;ZZ;;1;1;20/09/2026;;\r\n'
                      'LD-2;09/2026;;VB;1;1;20/09/2026;;\r\n'
                      'LD-2;09/2026;VB;;;abc;;E1;\r\n'
                      'LD-2;13/2026;VB;;;1;20/09/2026;;\r\n')$$,
                  $$VALUES (2, 'coefficient', 'item "BC" has a range of coefficients (8.0 to 16.0): write the one fixed at assignment'),
                           (3, 'coefficient', 'coefficient 99 is outside item "BC"''s range 8.0 to 16.0 (HB ch. II)'),
                           (4, 'item_code', 'no item "ZZ" in catalogue S1, in force for organisation LD-P1 in 09/2026 (Art. 13)'),
                           (5, 'title', 'an off-catalogue task needs a title (Art. 13.3)'),
                           (6, 'assigned_qty', 'assigned_qty "abc" is not a number (write 2,5 or 2.5)'),
                           (6, 'deadline', 'deadline is empty'),
                           (6, 'external_id', 'external_source and external_id go together'),
                           (7, 'period', 'period "13/2026" is not a month (write mm/yyyy or yyyy-mm)')$$,
                  'task lines: ranges, coefficients, items of the catalogue in force, off-catalogue titles, numbers, pairs, months');
SELECT results_eq($$SELECT line_no, column_name, problem FROM cqs.csv_problems('imported_total',
                      E'personnel_id;period;total;source;reference\r\nLD-2;08/2026;80;a;b\r\nLD-1;09/2026;80;a;b\r\nLD-1;07/2026;100,5;a;b\r\nLD-1;06/2026;70;a;b\r\nLD-1;06/2026;70;a;b\r\n')$$,
                  $$VALUES (2, 'period', 'a total of LD-2 for 08/2026 is already recorded (eGov 2025, TB 8/2026)'),
                           (3, 'period', '09/2026 is evaluated in this system (the first month evaluated is 09/2026): import only earlier months'),
                           (4, 'total', 'total 100.5 is not between 0 and 100'),
                           (6, 'period', 'the total of LD-1 for 06/2026 repeats line 5')$$,
                  'imported totals: recorded already, months this system evaluates, out of range, twice');
SELECT results_eq($$SELECT line_no, column_name, problem FROM cqs.csv_problems('organisation',
                      E'code,name,kind,parent_code,decimals,agency_code\nLD-S,x,unit,,,\nA,a,unit,B,9,H56\nB,b,unit,A,,\nC,c,ministry,NONE,,\nC,c2,unit,,,\n')$$,
                  $$VALUES (2, 'code', 'organisation "LD-S" is already recorded'),
                           (3, 'parent_code', 'the parent codes of this file make a cycle'),
                           (3, 'decimals', 'decimals must be 0 to 4'),
                           (3, 'agency_code', 'agency_code "H56" is not a Decision 20/2020 code like H56.01.02.A01'),
                           (4, 'parent_code', 'the parent codes of this file make a cycle'),
                           (5, 'kind', 'kind "ministry" is not one of: managing_agency (cơ quan quản lý), using_agency (cơ quan sử dụng), unit (đơn vị)'),
                           (5, 'parent_code', 'no organisation "NONE" (neither recorded nor in this file)'),
                           (6, 'code', 'code "C" repeats line 5')$$,
                  'organisations: recorded, cycles, ranges, codes, kinds, parents, duplicates');
SELECT results_eq($$SELECT line_no, column_name, problem FROM cqs.csv_problems('person', E'personnel_id,full_name,personal_id_number\nLD-1,x,\nN-1,,12345\n')$$,
                  $$VALUES (2, 'personnel_id', 'a person with personnel id "LD-1" is already recorded'),
                           (3, 'full_name', 'full_name is empty'),
                           (3, 'personal_id_number', 'personal_id_number "12345" is not 12 digits')$$, 'people');
SELECT results_eq($$SELECT line_no, column_name, problem FROM cqs.csv_problems('discipline',
                      E'personnel_id;kind;level;decision_date;decision_ref;act_ref\r\nLD-2;hành chính;phê bình;01/10/2026;QĐ;HV\r\nLD-4;đảng;cảnh cáo;01/10/2026;QĐ;HV\r\n')$$,
                  $$VALUES (2, 'level', 'level "phê bình" is not one of: khien_trach (khiển trách), canh_cao (cảnh cáo), ha_bac_luong (hạ bậc lương), giang_chuc (giáng chức), cach_chuc (cách chức), buoc_thoi_viec (buộc thôi việc), khai_tru (khai trừ)'),
                           (3, 'act_organisation_code', 'the person has no posting then: name the organisation')$$,
                  'discipline: a level the decree does not know; an act''s organisation that cannot be told');
SELECT results_eq($$SELECT line_no, problem FROM cqs.csv_problems('leave', '')$$, $$VALUES (1, 'the file is empty')$$, 'an empty file');
SELECT throws_ok($$SELECT * FROM cqs.csv_problems('salary', 'a')$$, '22023', 'no CSV kind "salary"', 'an unknown kind: 22023');
-- A dry run checks through the tables' own rules and writes nothing.
SELECT is(cqs.load_csv('leave', E'personnel_id,kind,start_date,end_date\nLD-3,sick,2026-12-01,2026-12-02\n', dry_run => true), 1,
          'dry run: the count that would be loaded');
SELECT is((SELECT count(*) FROM cqs.leave_record l JOIN cqs.person p USING (person_id) WHERE p.personnel_id = 'LD-3'), 0::bigint,
          'and nothing written');

-- ---------------------------------------------------------------------------
-- 5. Who may load what: the caller's rights, every line outside them named (42501).
-- ---------------------------------------------------------------------------
SELECT count(*) > 0 AS roles FROM cqs.setup_roles() \gset
CREATE ROLE regress_ld_clerk; GRANT cqs_personnel TO regress_ld_clerk;
CREATE ROLE regress_ld_servant; GRANT cqs_servant TO regress_ld_servant;
CREATE ROLE regress_ld_admin; GRANT cqs_admin TO regress_ld_admin;
INSERT INTO cqs.mandate (kind, organisation_id, login, reference)
SELECT 'personnel', organisation_id, 'regress_ld_clerk', 'QĐ phân công' FROM cqs.organisation WHERE code = 'LD-P1';
SET LOCAL ROLE regress_ld_servant;
SELECT throws_ok($$SELECT cqs.load_csv('leave', E'personnel_id,kind,start_date,end_date\nLD-2,sick,2026-12-01,2026-12-02\n')$$,
                 '42501', NULL, 'a civil servant may not call the loader');
RESET ROLE;
SET LOCAL ROLE regress_ld_clerk;
SELECT throws_ok($$SELECT cqs.load_csv('organisation', E'code,name,kind\nX,x,unit\n')$$, '42501',
                 'regress_ld_clerk (person none) may not load organisations', 'the tree is the administrators''');
SELECT is(cqs.load_csv('person', E'personnel_id,full_name\nLD-NEW,Người Mới\n'), 1, 'the clerk records new people');
SELECT throws_ok($$SELECT cqs.load_csv('posting', E'personnel_id,organisation_code,start_date,end_date\nLD-NEW,LD-P1,01/09/2026,30/09/2026\nLD-NEW,LD-P2,01/10/2026,\n')$$,
                 '42501', 'posting CSV has 1 problem(s); nothing was loaded', 'a posting outside the mandate: 42501');
SELECT results_eq($$SELECT line_no, problem FROM cqs.csv_problems('posting',
                      E'personnel_id,organisation_code,start_date,end_date\nLD-NEW,LD-P1,01/09/2026,30/09/2026\nLD-NEW,LD-P2,01/10/2026,\n')$$,
                  $$VALUES (3, 'regress_ld_clerk (person none) has no personnel mandate over organisation LD-P2')$$,
                  'and the line is named');
SELECT is(cqs.load_csv('posting', E'personnel_id,organisation_code,start_date,end_date\nLD-NEW,LD-P1,01/09/2026,30/09/2026\n'), 1,
          'within the mandate the clerk posts them');
SELECT is(cqs.load_csv('leave', E'personnel_id,kind,start_date,end_date\nLD-2,sick,2026-12-01,2026-12-02\n'), 1,
          'and loads leave');
SELECT throws_ok($$SELECT cqs.load_csv('leave', E'personnel_id,kind,start_date,end_date\nLD-4,sick,2026-12-01,2026-12-02\n')$$,
                 '22023', NULL, 'a person outside the mandate is not even seen (row-level security)');
RESET ROLE;
SELECT is((SELECT login FROM cqs.audit_log WHERE table_name = 'leave_record' ORDER BY audit_id DESC LIMIT 1), 'regress_ld_clerk',
          'the audit trail names the clerk who loaded');
-- A head enters the task lines of the unit they evaluate (Art. 10), nobody else's.
CREATE ROLE regress_ld_head; GRANT cqs_evaluator TO regress_ld_head;
INSERT INTO cqs.person_login (login, person_id) SELECT 'regress_ld_head', person_id FROM cqs.person WHERE personnel_id = 'LD-1';
SET LOCAL ROLE regress_ld_head;
SELECT is(cqs.load_csv('task_line', E'personnel_id;period;item_code;assigned_qty;deadline\r\nLD-2;10/2026;VB;2;20/10/2026\r\n'), 1,
          'the head of LD-P1 loads a task line of their staff');
SELECT results_eq($$SELECT line_no, column_name, problem FROM cqs.csv_problems('task_line',
                      E'personnel_id;period;item_code;assigned_qty;deadline\r\nLD-4;10/2026;VB;2;20/10/2026\r\n')$$,
                  $$VALUES (2, 'personnel_id', 'no person with personnel id "LD-4" (or not one regress_ld_head (person ' ||
                                               (SELECT person_id FROM cqs.person WHERE personnel_id = 'LD-1') || ') may read)')$$,
                  'but not of someone they do not evaluate (not even seen)');
RESET ROLE;
SET LOCAL ROLE regress_ld_admin;
SELECT is(cqs.load_csv('organisation', E'code,name,kind,parent_code\nLD-P3,Phòng Ba,unit,LD-S\n'), 1, 'administrators load organisations');
SELECT throws_ok($$SELECT cqs.load_csv('person', E'personnel_id,full_name\nLD-X,x\n')$$, '42501', NULL, 'but not people');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
