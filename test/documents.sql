-- pgTAP: the documents (issue 11, schema/65_documents.sql).  Form 01 of the handbook's
-- November 2025 (HB ch. VI-VII) carries the handbook's numbers; Form 02 and the public
-- notice of a year graded and decided carry the year's; the organisation sheet its Art. 6-8
-- figures; the analyst's report its charts with the numbers beside.  Hostile text
-- (<script>, quotes, ampersands) is escaped and Vietnamese kept; every document is
-- self-contained; a reader who may not read the person gets 42501, not a blank form.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cqs_eval CASCADE;
SELECT plan(44);
SET LOCAL cqs.refresh_mode = sync;
SELECT count(*) AS group_roles FROM cqs.setup_roles() \gset

-- ---------------------------------------------------------------------------
-- The helpers.
-- ---------------------------------------------------------------------------
SELECT is(cqs.html_escape(E'<a href="x">O\'Neil & Cô</a>'), '&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; Cô&lt;/a&gt;',
          'html_escape: & < > " and '' escaped, Vietnamese kept');
SELECT is(cqs.html_escape(NULL), NULL, 'html_escape(NULL) is NULL');
SELECT is(ARRAY[cqs.vn_number(76.7), cqs.vn_number(1234567.891), cqs.vn_number(-12.345), cqs.vn_number(-0.004),
                cqs.vn_number(5, 0), cqs.vn_number(2.5, 1), cqs.vn_number(0.8)],
          ARRAY['76,70', '1.234.567,89', '-12,35', '0,00', '5', '2,5', '0,80'],
          'vn_number: decimal comma, dots between thousands, half-up to two decimals (or the decimals asked)');
SELECT is(cqs.vn_number(NULL), NULL, 'vn_number(NULL) is NULL');

-- ---------------------------------------------------------------------------
-- A small city: Sở Nội vụ and a division with a hostile name.
-- ---------------------------------------------------------------------------
INSERT INTO cqs.organisation (code, name, kind) VALUES ('DOC-CITY', 'UBND thành phố', 'managing_agency');
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT 'DOC-SNV', 'Sở Nội vụ', 'using_agency', organisation_id FROM cqs.organisation WHERE code = 'DOC-CITY';
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT 'DOC-TCCB', 'Phòng <b>Tổ chức</b> & "cán bộ"', 'unit', organisation_id FROM cqs.organisation WHERE code = 'DOC-SNV';
SELECT organisation_id AS snv FROM cqs.organisation WHERE code = 'DOC-SNV' \gset
SELECT organisation_id AS tccb FROM cqs.organisation WHERE code = 'DOC-TCCB' \gset
SELECT cqs.import_catalogue(:snv, '2025.1', '2025-01-01',
  E'code,name,output_unit,group,points,standard\n'
  'VB01,"Văn bản tham gia ý kiến",Văn bản,N1,5,x\n'
  'TL01,"Trả lời kiến nghị của người dân, doanh nghiệp",Văn bản,N1,"13,5",\n'
  'BC01,Báo cáo tổng hợp,Báo cáo,N1,"18,5",\n', 5, 1) AS catalogue_id \gset
INSERT INTO cqs.person (personnel_id, full_name)
VALUES ('DOC-HB', 'Nguyễn Văn An'), ('DOC-HEAD', 'Trần Thị Bình'),
       ('DOC-X', '<script>alert("x")</script> Lê Thị Ánh'), ('DOC-Y', 'Phạm Văn Dũng');
INSERT INTO cqs.posting (person_id, organisation_id, role, job_position, start_date)
SELECT p.person_id, :tccb, CASE p.personnel_id WHEN 'DOC-HEAD' THEN 'head' ELSE 'staff' END,
       CASE p.personnel_id WHEN 'DOC-HEAD' THEN 'Trưởng phòng' ELSE 'Chuyên viên' END, '2025-01-01'
  FROM cqs.person p WHERE p.personnel_id LIKE 'DOC-%';
SELECT person_id AS hb FROM cqs.person WHERE personnel_id = 'DOC-HB' \gset
SELECT person_id AS head FROM cqs.person WHERE personnel_id = 'DOC-HEAD' \gset
SELECT person_id AS x FROM cqs.person WHERE personnel_id = 'DOC-X' \gset
SELECT person_id AS y FROM cqs.person WHERE personnel_id = 'DOC-Y' \gset

-- The handbook's November 2025 (HB ch. VI-VII) for DOC-HB, through the tables.
INSERT INTO cqs.task_line (person_id, organisation_id, period, item_id, coefficient, assigned_qty,
                           deadline, completed_qty, completed_on, quality_failures)
SELECT :hb, :tccb, '2025-11-01', i.item_id, v.coef, v.assigned, v.deadline, v.completed, v.done, v.failed
  FROM (VALUES ('VB01', 1.0, 5.0, '2025-11-15'::date, 4.0, '2025-11-19'::date, 0),
               ('TL01', 2.7, 3.0, '2025-11-10', 3.0, '2025-11-12', 1),
               ('BC01', 3.7, 1.0, '2025-11-19', 0.8, '2025-11-18', 2)) AS v(item, coef, assigned, deadline, completed, done, failed)
  JOIN cqs.catalogue_item i ON i.code = v.item AND i.catalogue_id = :catalogue_id;
SELECT status FROM cqs.self_assess(:hb, '2025-11-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}', 'Chủ động', 'Còn chậm tiến độ') \gset
SELECT status FROM cqs.confirm(:hb, '2025-11-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}', 'Đạt yêu cầu') \gset

-- Hostile text in DOC-X's November: the name, the strengths, the shortcomings, an off-catalogue title.
INSERT INTO cqs.task_line (person_id, organisation_id, period, similar_item_id, title, coefficient, assigned_qty,
                           deadline, completed_qty, completed_on)
SELECT :x, :tccb, '2025-11-01', i.item_id, 'Báo cáo <i>đột xuất</i> & "gấp"', 1.0, 2, '2025-11-20', 2, '2025-11-20'
  FROM cqs.catalogue_item i WHERE i.code = 'VB01' AND i.catalogue_id = :catalogue_id;
SELECT status FROM cqs.self_assess(:x, '2025-11-01', '{5,5,2.5,2.5,2.5,2.5,2.5,2.5,2.5,2.5}',
                                   '<img src=x onerror=alert(1)> chăm chỉ "tốt" & đúng hạn', 'Hạn chế </p><p>tiêm') \gset

CREATE TEMP TABLE doc (k text PRIMARY KEY, html text NOT NULL);
-- The needles a document lacks.
CREATE FUNCTION pg_temp.missing(key text, needles text[]) RETURNS text[] LANGUAGE sql AS $$
  SELECT coalesce(array_agg(n ORDER BY n), '{}') FROM unnest(needles) n
   WHERE position(n IN (SELECT d.html FROM pg_temp.doc d WHERE d.k = key)) = 0
$$;

-- ---------------------------------------------------------------------------
-- Form 01: the handbook's numbers (89.64 / 68.78 / 41.73 / 66.72 / 76.70).
-- ---------------------------------------------------------------------------
INSERT INTO doc VALUES ('form01', cqs.form01_html(:hb, '2025-11-01'));
INSERT INTO doc VALUES ('form01_mid', cqs.form01_html(:hb, '2025-11-17'));
SELECT is(pg_temp.missing('form01', ARRAY[
            'Mẫu số 01', 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập – Tự do – Hạnh phúc',
            'Phiếu theo dõi, đánh giá công chức', '(Kỳ theo dõi, đánh giá: tháng 11 năm 2025)',
            'Nguyễn Văn An', 'DOC-HB', 'Chuyên viên', 'Sở Nội vụ']), '{}'::text[],
          'Form 01: the national header, the title, the period and who it is about');
SELECT is(pg_temp.missing('form01', ARRAY[
            'Phẩm chất chính trị, phẩm chất đạo đức, văn hóa thực thi công vụ',
            'Chủ động đưa ra quyết định trong phạm vi thẩm quyền',
            '<td class="num">10,00</td><td class="num">10,00</td><td class="num">10,00</td>',
            '<td class="num">2,50</td><td class="num">2,50</td><td class="num">2,50</td>',
            '<td class="c">Tổng cộng</td><td class="num">30,00</td><td class="num">30,00</td><td class="num">30,00</td>']),
          '{}'::text[], 'Form 01 I: the ten sub-items in their groups, maxima, self and evaluator scores, 30 in all');
SELECT is(pg_temp.missing('form01', ARRAY[
            'Điểm tiêu chí chung: <b>30,00</b>', 'Điểm tiêu chí kết quả thực hiện nhiệm vụ: <b>46,70</b>', 'tỷ lệ 66,72% × 70 điểm',
            'Tổng điểm theo dõi, đánh giá công chức: <b>76,70</b>', 'mức: <b>Hoàn thành tốt nhiệm vụ</b>',
            'Ưu điểm: Chủ động', 'Hạn chế, khuyết điểm: Còn chậm tiến độ', 'đánh giá: Đạt yêu cầu', 'Xác nhận',
            'Công chức tự đánh giá', 'Cấp có thẩm quyền theo dõi, đánh giá']), '{}'::text[],
          'Form 01 II: general 30,00 + 46,70 (KQ 66,72% of 70) = 76,70, tốt; strengths, shortcomings, comment, confirmation, signatures');
SELECT is(pg_temp.missing('form01', ARRAY[
            '<b>VB01</b> Văn bản tham gia ý kiến', '<b>TL01</b>', '<b>BC01</b>', '19/11/2025', '12/11/2025',
            'G = <b>16,80</b>', '= 100 × 15,06 / 16,80 = <b>89,64%</b>', '= 100 × 11,56 / 16,80 = <b>68,78%</b>',
            '= 100 × 7,01 / 16,80 = <b>41,73%</b>', '(a + b + c) / 3 = <b>66,72%</b>',
            'Tổng điểm (Điều 17.1) = 30,00 + 46,70 = <b>76,70</b>']), '{}'::text[],
          'Form 01 annex: the three lines with units and credits, G 16,80, a 89,64%, b 68,78%, c 41,73%, KQ 66,72%');
SELECT is((SELECT html FROM doc WHERE k = 'form01_mid'), (SELECT html FROM doc WHERE k = 'form01'),
          'any day of the month gives the month''s Form 01');
SELECT ok((SELECT html !~ 'DỰ THẢO' FROM doc WHERE k = 'form01'), 'a confirmed Form 01 is no draft');

-- ---------------------------------------------------------------------------
-- Hostile text is escaped; Vietnamese is kept as it is.
-- ---------------------------------------------------------------------------
INSERT INTO doc VALUES ('hostile', cqs.form01_html(:x, '2025-11-01'));
SELECT is(pg_temp.missing('hostile', ARRAY[
            '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Lê Thị Ánh',
            '&lt;img src=x onerror=alert(1)&gt; chăm chỉ &quot;tốt&quot; &amp; đúng hạn', 'Hạn chế &lt;/p&gt;&lt;p&gt;tiêm',
            'Phòng &lt;b&gt;Tổ chức&lt;/b&gt; &amp; &quot;cán bộ&quot;', 'Báo cáo &lt;i&gt;đột xuất&lt;/i&gt; &amp; &quot;gấp&quot;',
            '<title>Mẫu số 01 – &lt;script&gt;']), '{}'::text[],
          'the name, strengths, shortcomings, organisation and task title are escaped, in the body and the title');
SELECT ok((SELECT html !~* '<script|<img|<b>Tổ chức|<i>đột xuất|</p><p>tiêm|onerror=alert\(1\)>' FROM doc WHERE k = 'hostile'),
          'and none of them reaches the page as markup');
SELECT ok((SELECT html ~ 'DỰ THẢO — chưa được cấp có thẩm quyền xác nhận \(trạng thái: self_assessed\)' FROM doc WHERE k = 'hostile'),
          'an unconfirmed Form 01 says it is a draft');

-- ---------------------------------------------------------------------------
-- The year: DOC-Y's twelve months (80 for January-June, 91.50 for July-December; mean
-- 85.75, tốt), graded, proposed and decided.
-- ---------------------------------------------------------------------------
SET LOCAL cqs.refresh_mode = async;      -- the fabricated totals stand in for the writer's
INSERT INTO cqs.period_result (person_id, period, period_kind, organisation_id, person_kind, role, general_score,
                               task_score, total, grade)
SELECT :y, make_date(2026, m, 1), 'month', :tccb, 'civil_servant', 'staff', 30, t.task, t.total, cqs.classify(t.total)
  FROM generate_series(1, 12) m
  CROSS JOIN LATERAL (SELECT CASE WHEN m <= 6 THEN 80.00 ELSE 91.50 END AS total,
                             CASE WHEN m <= 6 THEN 50 / 0.7 ELSE 61.5 / 0.7 END AS task) t;
INSERT INTO cqs.assessment (person_id, period, organisation_id, criteria_set_id, status, self_assessed_at, confirmed_at)
SELECT :y, make_date(2026, m, 1), :tccb, (SELECT criteria_set_id FROM cqs.criteria_set WHERE code = 'form01'),
       'confirmed', make_date(2026, m, 1) + 33, make_date(2026, m, 1) + 38
  FROM generate_series(1, 12) m;
DELETE FROM cqs.refresh_queue;
INSERT INTO cqs.organisation_year (organisation_id, year, general_scores, task_scores, tasks_assigned, tasks_completed,
                                   tasks_on_time, tasks_exceeded, tasks_late, planned_tasks, planned_tasks_done,
                                   self_proposed_grade)
VALUES (:snv, 2026, '{9,9,8}', '{9,14,8,5,10,5,8,5}', 40, 40, 40, 13, 0, 30, 30, 'xuat_sac');
SELECT cqs.grade_year(2026) AS graded \gset
INSERT INTO cqs.year_grading (person_id, year, self_proposed_grade, self_proposed_at, meeting_minutes_ref, meeting_on,
                              personnel_proposal, personnel_proposed_at)
VALUES (:y, 2026, 'tot', '2026-12-01 09:00+07', 'BB 12/BB-TCCB', '2026-12-05', 'tot', '2026-12-08 09:00+07');
SELECT cqs.decide_grade(:y, 2026, 'tot', 'QĐ 15/QĐ-SNV', 'Giám đốc Sở Nội vụ') AS decision \gset

INSERT INTO doc VALUES ('form02', cqs.form02_html(:y, 2026));
SELECT is(pg_temp.missing('form02', ARRAY[
            'Mẫu số 02', 'Phiếu xếp loại chất lượng công chức', 'Năm 2026', 'Phạm Văn Dũng', 'Chuyên viên',
            '<tr><td class="c">1</td><td class="num">80,00</td>', '<tr><td class="c">6</td><td class="num">80,00</td>',
            '<tr><td class="c">7</td><td class="num">91,50</td>', '<tr><td class="c">12</td><td class="num">91,50</td>',
            'Tổng điểm trung bình cả năm</td><td class="num">85,75</td>', 'số tháng tính: 12',
            'Quyết định QĐ 15/QĐ-SNV', 'Giám đốc Sở Nội vụ']), '{}'::text[],
          'Form 02: the twelve monthly totals, their mean 85,75, the decision');
SELECT is((SELECT (length(html) - length(replace(html, '&#9746; <b>Hoàn thành tốt nhiệm vụ</b>', '')))
                  / length('&#9746; <b>Hoàn thành tốt nhiệm vụ</b>') FROM doc WHERE k = 'form02'), 2,
          'Form 02 ticks tốt twice: the self-proposed grade (II) and the authority''s (III)');
SELECT is((SELECT (length(html) - length(replace(html, '&#9744;', ''))) / length('&#9744;') FROM doc WHERE k = 'form02'), 6,
          'and leaves the other six boxes empty');

INSERT INTO doc VALUES ('publication', cqs.publication_list_html(:snv, 2026));
SELECT is(pg_temp.missing('publication', ARRAY[
            'Công khai kết quả xếp loại chất lượng công chức năm 2026', 'Phạm Văn Dũng',
            '<b>Hoàn thành tốt nhiệm vụ</b>', 'QĐ 15/QĐ-SNV ngày', 'Phòng &lt;b&gt;Tổ chức&lt;/b&gt;',
            '<tr class="total"><td>Cộng</td><td class="num">1</td><td class="num">100,00%</td>',
            '3 người chưa có quyết định xếp loại (chưa công khai)', 'Điều 22']), '{}'::text[],
          'the public notice: the decided grade with its decision, the summary, those not yet decided counted');
SELECT ok((SELECT html !~ 'Nguyễn Văn An|Trần Thị Bình|Lê Thị Ánh|85,75|80,00|91,50' FROM doc WHERE k = 'publication'),
          'and nothing that may not be published: no one without a decision, no score');

INSERT INTO doc VALUES ('organisation', cqs.organisation_sheet_html(:snv, 2026));
SELECT is(pg_temp.missing('organisation', ARRAY[
            'Phiếu đánh giá, xếp loại chất lượng tổ chức', 'Sở Nội vụ', 'UBND thành phố', 'Tiêu chí chung (Điều 6)',
            '<td>Cộng</td><td class="num">30,00</td><td class="num">26,00</td>',
            '<td>Cộng</td><td class="num">70,00</td><td class="num">64,00</td>',
            '<td>Tổng điểm</td><td class="num">100,00</td><td class="num">90,00</td>',
            '<td class="num">13</td><td class="num">32,50%</td>', '<td class="num">30 / 30</td><td class="num">100,00%</td>',
            'Tổ chức tự đề xuất (Điều 9.2.a): <b>Hoàn thành xuất sắc nhiệm vụ</b>']), '{}'::text[],
          'the organisation sheet: Art. 6 26,00 of 30, Art. 7 64,00 of 70, 90,00; 32,50% exceeded; the plan done; self-proposed');

INSERT INTO doc VALUES ('report', cqs.analyst_report_html(:snv, 2026));
SELECT is((SELECT (length(html) - length(replace(html, '<svg ', ''))) / 5 FROM doc WHERE k = 'report'), 4,
          'the analyst''s report draws four inline SVG charts');
SELECT is(pg_temp.missing('report', ARRAY[
            'Người có kết quả năm: <b>4</b>; điểm trung bình năm: <b>85,75</b>',
            '<td class="num">80,00</td><td class="num">80,00</td>', '<td class="num">91,50</td><td class="num">91,50</td>',
            '<title>80–85: 6</title>', '<title>90–95: 6</title>', '(12 kết quả tháng, quý)',
            '<td class="num">0</td><td class="num">1</td><td class="num">0</td><td class="num">0</td><td class="num">3</td><td class="num">4</td>',
            '<polyline', 'stroke-dasharray']), '{}'::text[],
          'with the numbers beside: the year''s mean, the monthly means, the histogram''s bins, the grades per unit');
SELECT ok((SELECT html !~ 'Phạm Văn Dũng|Nguyễn Văn An|DOC-Y' FROM doc WHERE k = 'report'), 'and no one''s name');

-- Every document stands alone: UTF-8, A4 print CSS, no external asset.
SELECT is_empty($$SELECT k FROM doc WHERE html !~ '^<!DOCTYPE html>' OR html !~ '<meta charset="utf-8">'
                                    OR html !~ '@page \{ size: A4' OR html !~ '</html>\s*$'$$,
                'every document is a whole UTF-8 HTML page with A4 print CSS');
SELECT is_empty($$SELECT k FROM doc WHERE html ~* '<[a-z][^>]*\s(src|href)\s*=|url\(|@import|<link|<script'$$,
                'no document loads anything: no src, href, url(), @import, link or script');

-- ---------------------------------------------------------------------------
-- Who may read what: 42501 naming the person, never a blank form.
-- ---------------------------------------------------------------------------
SELECT throws_ok(format('SELECT cqs.form01_html(%s, ''2025-11-01'')', :y + 1000), '22023', NULL,
                 'a superuser asking for nobody gets 22023');
SELECT throws_ok(format('SELECT cqs.form01_html(%s, ''2025-10-01'')', :hb), '22023', NULL,
                 'a period with nothing recorded gives 22023, not an empty form');
SELECT throws_ok(format('SELECT cqs.form02_html(%s, 2025)', :hb), '22023', NULL, 'so does a year never graded');

CREATE ROLE regress_doc_servant;
CREATE ROLE regress_doc_analyst;
CREATE ROLE regress_doc_outsider;
CREATE ROLE regress_doc_portal;
GRANT cqs_servant TO regress_doc_servant;
GRANT cqs_analyst TO regress_doc_analyst, regress_doc_outsider;
GRANT cqs_portal TO regress_doc_portal;
INSERT INTO cqs.person_login (login, person_id) VALUES ('regress_doc_servant', :x);
INSERT INTO cqs.mandate (kind, organisation_id, login, reference) VALUES ('analyst', :snv, 'regress_doc_analyst', 'QĐ phân tích');

SET ROLE regress_doc_servant;
SELECT ok(position('Lê Thị Ánh' IN cqs.form01_html(:x, '2025-11-01')) > 0, 'a civil servant reads their own Form 01');
SELECT throws_ok(format('SELECT cqs.form01_html(%s, ''2025-11-01'')', :hb), '42501',
                 format('regress_doc_servant (person %s) may not read person %s: no Form 01 for them', :x, :hb),
                 'but another''s Form 01 is refused with 42501, naming the person');
SELECT throws_ok(format('SELECT cqs.form02_html(%s, 2026)', :y), '42501',
                 format('regress_doc_servant (person %s) may not read person %s: no Form 02 for them', :x, :y),
                 'and so is another''s Form 02');
SELECT throws_ok(format('SELECT cqs.publication_list_html(%s, 2026)', :snv), '42501', NULL,
                 'a civil servant does not publish the list (no grant)');
SELECT throws_ok(format('SELECT cqs.analyst_report_html(%s, 2026)', :snv), '42501', NULL, 'nor read the analyst''s report');
RESET ROLE;

SET ROLE regress_doc_analyst;
SELECT ok(position('<svg ' IN cqs.analyst_report_html(:snv, 2026)) > 0, 'an analyst with a mandate reads the report');
SELECT ok(position('Người có kết quả năm: <b>4</b>' IN cqs.analyst_report_html(:snv, 2026)) > 0,
          'over every result in the mandate (without names)');
SELECT ok(position('ủy quyền định danh' IN cqs.analyst_report_html(:snv, 2026)) > 0,
          'and is told that task lines need an identified mandate');
SELECT throws_ok(format('SELECT cqs.form01_html(%s, ''2025-11-01'')', :hb), '42501', NULL, 'but no Form 01 (no grant)');
SELECT throws_ok(format('SELECT cqs.publication_list_html(%s, 2026)', :snv), '42501', NULL, 'nor the public notice');
SELECT lives_ok(format('SELECT cqs.organisation_sheet_html(%s, 2026)', :snv), 'an organisation sheet is no personal data');
RESET ROLE;

SET ROLE regress_doc_outsider;
SELECT throws_ok(format('SELECT cqs.analyst_report_html(%s, 2026)', :snv), '42501',
                 format('regress_doc_outsider (person none) may not read the analyst report of organisation %s: no mandate over it', :snv),
                 'an analyst without a mandate over the agency gets 42501, naming the organisation');
RESET ROLE;

-- A portal acting for the division's head reads the Form 01 of someone the head evaluates.
SET ROLE regress_doc_portal;
SELECT throws_ok(format('SELECT cqs.form01_html(%s, ''2025-11-01'')', :hb), '42501', NULL,
                 'a portal acting for nobody reads no form');
SELECT cqs.act_as(:head) IS NOT NULL AS acting \gset
SELECT ok(position('<b>76,70</b>' IN cqs.form01_html(:hb, '2025-11-01')) > 0,
          'acting for the head of the division, the portal reads the Form 01 of a civil servant the head evaluates');
RESET ROLE;

-- Labels: documents are STABLE and run with the caller's rights; the helpers are IMMUTABLE.
SELECT is_empty($$SELECT p.oid::regprocedure::text FROM pg_proc p
                   WHERE p.pronamespace = 'cqs'::regnamespace AND p.proname LIKE '%\_html'
                     AND (p.provolatile <> 's' OR p.prosecdef)$$,
                'every document function is STABLE and SECURITY INVOKER');
SELECT is_empty($$SELECT p.oid::regprocedure::text FROM pg_proc p
                   WHERE p.oid IN ('cqs.html_escape(text)'::regprocedure, 'cqs.vn_number(numeric, integer)'::regprocedure)
                     AND (p.provolatile <> 'i' OR p.proparallel <> 's' OR NOT p.proisstrict)$$,
                'html_escape and vn_number are IMMUTABLE STRICT PARALLEL SAFE');
SELECT is_empty($$SELECT p.oid::regprocedure::text FROM pg_proc p
                   WHERE p.pronamespace = 'cqs'::regnamespace AND p.proname LIKE '%\_html'
                     AND (has_function_privilege('public', p.oid, 'EXECUTE')
                          OR coalesce(obj_description(p.oid, 'pg_proc'), '') !~ 'Art\.')$$,
                'no document is executable by PUBLIC, and each cites its articles');

SELECT * FROM finish();
ROLLBACK;
