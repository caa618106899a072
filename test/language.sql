-- pgTAP: the language people read (docs/language.md).  Notes, reasons and cqs.explain
-- are stored and written in English and read in Vietnamese by default (cqs.language),
-- English on request.  This file proves:
--   1. the choice of language: the session setting, the lang argument, 22023 otherwise;
--   2. exact Vietnamese renderings of several notes, English returned as stored;
--   3. the catalogue: every template matches an instance of itself and renders it with
--      no English word of the template left;
--   4. the guard: every format string and message literal of the functions that store
--      notes or write traces has a catalogue entry (a new English text fails here);
--   5. completeness on scenarios: a year graded with every kind of note (short year,
--      incomplete months and quarters, no result, discipline, the three overrides, the
--      authority's reason, head caps, rounding, organisations' reasons, period notes) and
--      the traces of every person: every stored text and every trace line is matched and
--      rendered, no English word of a template left;
--   6. the views: localized columns in the session's language, *_en as stored.
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cqs_eval CASCADE;
SET LOCAL cqs.refresh_mode = async;  -- fabricated totals stand in for the writer's

SELECT plan(64);

-- The English words of the templates: words of three letters or more in the literal
-- parts of every note and trace template that no Vietnamese template uses.  None may be
-- left in a Vietnamese rendering.
CREATE TEMP TABLE en_word AS
SELECT DISTINCT lower(w) AS w
  FROM cqs.message_text m, regexp_split_to_table(replace(m.en, '%s', ' '), '[^A-Za-z_]+') AS w
 WHERE m.kind IN ('note', 'explain') AND length(w) >= 3
   AND NOT EXISTS (SELECT 1 FROM cqs.message_text v
                    WHERE v.kind IN ('note', 'explain') AND lower(v.vi) ~ ('(^|[^a-z_])' || lower(w) || '($|[^a-z_])'));
CREATE FUNCTION pg_temp.english_left(t text) RETURNS text[] LANGUAGE sql AS $$
  SELECT coalesce(array_agg(DISTINCT lower(w) ORDER BY lower(w)), '{}')
    FROM regexp_split_to_table(t, '[^A-Za-z_]+') AS w WHERE lower(w) IN (SELECT e.w FROM pg_temp.en_word e)
$$;
-- Every part of a stored text ('; '-joined notes) matched by a template.
CREATE FUNCTION pg_temp.unmatched(t text) RETURNS text[] LANGUAGE sql AS $$
  SELECT coalesce(array_agg(p), '{}') FROM regexp_split_to_table(t, '; ') AS p
   WHERE cqs.message_key(t) IS NULL AND cqs.message_key(p) IS NULL AND p <> ''
$$;

-- ---------------------------------------------------------------------------
-- 1. Choosing the language.
-- ---------------------------------------------------------------------------
SELECT is(cqs.language(), 'vi', 'the language is Vietnamese unless the session says otherwise');
SET LOCAL cqs.language = en;
SELECT is(cqs.language(), 'en', 'SET cqs.language = en: English');
SELECT is(cqs.localize('general criteria not scored yet (Art. 12.1, Form 01)'),
          'general criteria not scored yet (Art. 12.1, Form 01)', 'in an English session a note reads as stored');
SELECT is(cqs.localize('general criteria not scored yet (Art. 12.1, Form 01)', 'vi'),
          'chưa chấm điểm tiêu chí chung (khoản 1 Điều 12, Mẫu số 01)', 'lang => vi overrides the session');
SET LOCAL cqs.language = fr;
SELECT throws_ok($$SELECT cqs.language()$$, '22023', 'cqs.language must be vi or en, got "fr"',
                 'cqs.language = fr: 22023 naming it');
SELECT throws_ok($$SELECT cqs.localize('x')$$, '22023', 'cqs.language must be vi or en, got "fr"',
                 'localize in a session set to fr: 22023 naming it');
SELECT is(cqs.localize('x', 'en'), 'x', 'an explicit lang needs no session setting');
SET LOCAL cqs.language = '';
SELECT is(cqs.language(), 'vi', 'an empty cqs.language is the default, Vietnamese');
RESET cqs.language;
SELECT throws_ok($$SELECT cqs.localize('x', 'EN')$$, '22023', 'lang must be vi or en, got "EN"',
                 'lang => EN: 22023 naming it (codes are lower case)');
SELECT throws_ok($$SELECT cqs.localize(ARRAY['x'], 'vn')$$, '22023', 'lang must be vi or en, got "vn"',
                 'the array form checks lang too');
SELECT ok(cqs.localize(NULL::text) IS NULL AND cqs.localize(NULL::text, 'en') IS NULL AND cqs.localize(NULL::text[]) IS NULL,
          'NULL in, NULL out');
SELECT is(cqs.localize('a text of nobody''s catalogue'), 'a text of nobody''s catalogue',
          'a text no template matches is returned as it is');

-- ---------------------------------------------------------------------------
-- 2. Exact renderings.
-- ---------------------------------------------------------------------------
SELECT is(cqs.localize('worked 5 month(s) 0 day(s) in 2026, less than 6 months (Art. 11.1)'),
          'thời gian công tác trong năm 2026 là 5 tháng 0 ngày, chưa đủ 06 tháng: không xếp loại chất lượng (khoản 1 Điều 11)',
          'Art. 11.1: the short year');
SELECT is(cqs.localize('incomplete: no confirmed result for 2026-11, 2026-Q4 (Art. 17.2-17.3); graded once they are evaluated'),
          'chưa đủ kết quả: chưa có kết quả được xác nhận của tháng 11/2026, quý IV/2026 (khoản 2, khoản 3 Điều 17); xếp loại sau khi các kỳ này được đánh giá',
          'Art. 17.2-17.3: months and quarters named the Vietnamese way');
SELECT is(cqs.localize('Art. 20.6: capped at the organisation''s grade tot (from xuat_sac)'),
          'khoản 6 Điều 20: không cao hơn mức xếp loại của tổ chức “hoàn thành tốt nhiệm vụ” (theo điểm là “hoàn thành xuất sắc nhiệm vụ”)',
          'Art. 20.6: grades by their names in the decree');
SELECT is(cqs.localize('rounding 89.995 to 90.00 moved it from tot to xuat_sac'),
          'làm tròn 89,995 thành 90,00 làm thay đổi mức xếp loại từ “hoàn thành tốt nhiệm vụ” sang “hoàn thành xuất sắc nhiệm vụ”',
          'rounding: decimal commas');
SELECT is(cqs.localize(cqs._rounding_note(89.99583333, 90.00), 'vi'),
          'làm tròn 89,9958… thành 90,00 làm thay đổi mức xếp loại từ “hoàn thành tốt nhiệm vụ” sang “hoàn thành xuất sắc nhiệm vụ”',
          'rounding: an exact mean cut to four decimals keeps its ellipsis');
SELECT is(cqs.localize('Art. 20.4.c, 11.3: party discipline canh_cao (QĐ 7/QĐ-UBKT, 2026-04-02) for act HV-1 at organisation 12'),
          'điểm c khoản 4 Điều 20, khoản 3 Điều 11: kỷ luật đảng, hình thức cảnh cáo (QĐ 7/QĐ-UBKT, ngày 02/04/2026) đối với hành vi HV-1 tại tổ chức 12',
          'Art. 20.4.c: the discipline, its level and its date');
SELECT is(cqs.localize('Art. 20.4.b: kết luận suy thoái (a, b) (Thanh tra tỉnh, 2026-10-01, KL 9, 2026)'),
          'điểm b khoản 4 Điều 20: kết luận suy thoái (a, b) (Thanh tra tỉnh, 01/10/2026, KL 9, 2026)',
          'Art. 20.4.b: the authority''s own words kept, commas and brackets in them included');
SELECT is(cqs.localize('92 points but Art. 8.1 is not met (38 of 40 tasks done on time with quality; 11 of 40 tasks exceeded (< 30%)); Art. 8.2 covers 70 to under 90 only'),
          '92 điểm nhưng không đáp ứng khoản 1 Điều 8 (38/40 nhiệm vụ hoàn thành đúng thời hạn, bảo đảm chất lượng; 11/40 nhiệm vụ hoàn thành vượt mức yêu cầu (dưới 30%)); khoản 2 Điều 8 chỉ áp dụng từ 70 đến dưới 90 điểm',
          'Art. 8.1: the conditions missing, each rendered');
SELECT is(cqs.localize('support-staff criteria not scored yet (HB ch. III); general criteria not scored yet (Art. 12.1, Form 01)'),
          'chưa chấm điểm các tiêu chí của người lao động (Sổ tay hướng dẫn, Chương III); chưa chấm điểm tiêu chí chung (khoản 1 Điều 12, Mẫu số 01)',
          'period notes joined with "; " are rendered one by one');
SELECT is(cqs.localize('   - N1.01 Báo cáo [taken_over]: coefficient 1.5, assigned 2 -> 3.0 units (outside G, Art. 18.1.d); completed 2 -> 3.0 units; quality: 1 failed review(s) -> x0.75 = 2.25; progress: 1 deduction(s) (per occurrence, 1 failure(s) exempted (Art. 14.2.b), 2 delay(s) exempted (Art. 14.2.c)) -> x0.75 = 2.25.'),
          '   - N1.01 Báo cáo [nhận từ người khác]: hệ số quy đổi 1,5, giao 2 -> 3,0 đơn vị chuẩn (không tính vào G, điểm d khoản 1 Điều 18); hoàn thành 2 -> 3,0 đơn vị chuẩn; chất lượng: 1 lần không đạt yêu cầu -> x0,75 = 2,25; tiến độ: 1 lần trừ (theo lần chậm, 1 lần không đạt yêu cầu được loại trừ (điểm b khoản 2 Điều 14), 2 lần chậm tiến độ được loại trừ (điểm c khoản 2 Điều 14)) -> x0,75 = 2,25.',
          'a trace''s task line with its optional pieces');
SELECT is(cqs.localize(ARRAY['2026-03', 'organisation not graded yet: Art. 20.6 caps the head at its grade']),
          ARRAY['tháng 03/2026', 'tổ chức chưa được xếp loại: mức xếp loại của người đứng đầu không cao hơn mức xếp loại của tổ chức (khoản 6 Điều 20)'],
          'arrays element by element');

-- ---------------------------------------------------------------------------
-- 3. The catalogue: every template matches an instance of itself (a sample value of
-- each placeholder's kind) and renders it with no English word left.
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE sample AS
SELECT m.key, m.en, m.args,
       (SELECT string_agg(CASE WHEN i <= cardinality(parts) - 1
                               THEN parts[i] || CASE split_part(m.args[i], ':', 1)
                                                  WHEN 'text' THEN 'Phòng Một' WHEN 'word' THEN 'nva' WHEN 'name' THEN 'Thanh tra tỉnh'
                                                  WHEN 'number' THEN '12.50'
                                                  WHEN 'int' THEN '7' WHEN 'date' THEN '2026-03-05' WHEN 'period' THEN '2026-03'
                                                  WHEN 'periods' THEN '2026-03, 2026-Q2' WHEN 'month' THEN '2026-03'
                                                  WHEN 'note' THEN 'general criteria not scored yet (Art. 12.1, Form 01)'
                                                  WHEN 'frag' THEN ''
                                                  WHEN 'term' THEN (SELECT t.en FROM cqs.message_text t
                                                                     WHERE t.kind = 'term' AND t.key LIKE split_part(m.args[i], ':', 2) || ':%'
                                                                     ORDER BY t.key LIMIT 1)
                                                  ELSE '(a kind this test does not know: ' || m.args[i] || ')' END
                               ELSE parts[i] END, '' ORDER BY i)
          FROM (SELECT string_to_array(replace(m.en, '%%', '%'), '%s') AS parts) p, generate_series(1, cardinality(p.parts)) i) AS instance
  FROM cqs.message_text m WHERE m.kind IN ('note', 'explain');
SELECT is_empty($$SELECT key FROM pg_temp.sample WHERE cqs.message_key(instance) IS NULL$$,
                'every template matches an instance of itself');
SELECT is_empty($$SELECT key, cqs.localize(instance) FROM pg_temp.sample
                   WHERE cqs.localize(instance) = instance AND en !~ '^%s$'$$,
                'every template renders its instance in Vietnamese');
SELECT is_empty($$SELECT key, pg_temp.english_left(cqs.localize(instance)) FROM pg_temp.sample
                   WHERE cardinality(pg_temp.english_left(cqs.localize(instance))) > 0$$,
                'no English word of any template is left in a Vietnamese rendering');
SELECT is_empty($$SELECT m.key FROM cqs.message_text m, unnest(m.args) a
                   WHERE a LIKE 'term:%' AND NOT EXISTS (SELECT 1 FROM cqs.message_text t
                                                          WHERE t.kind = 'term' AND t.key LIKE split_part(a, ':', 2) || ':%')$$,
                'every term kind names a domain of the catalogue');
SELECT is_empty($$SELECT g::text FROM unnest(enum_range(NULL::cqs.grade)) g
                   WHERE (SELECT vi FROM cqs.message_text WHERE key = 'grade:' || g) IS DISTINCT FROM lower(cqs.grade_label(g))$$,
                'grades read as cqs.grade_label names them (the decree''s words)');
SELECT is_empty($$SELECT key FROM cqs.message_text WHERE vi ~ 'Art\.|HB ch|Form 0'$$,
                'no Vietnamese template cites articles the English way');

-- ---------------------------------------------------------------------------
-- 4. The guard: the functions and views that store notes or write traces, and every
-- English text in them (format strings and message literals; RAISE statements are
-- error messages, English by convention).  Each must be a catalogue template or a piece
-- of one; what is not a message is listed here with the reason.
-- ---------------------------------------------------------------------------
CREATE FUNCTION pg_temp.note_writers() RETURNS regprocedure[] LANGUAGE sql AS $$
  SELECT ARRAY['cqs._period_note(text,numeric,numeric,numeric)', 'cqs._rounding_note(numeric,numeric)',
               'cqs._compute_results(bigint[],date[])', 'cqs.lock_period(bigint,date,text,boolean)',
               'cqs.organisation_grade(cqs.organisation_year,cqs.grade,text)', 'cqs.grade_organisations(integer)',
               'cqs.grade_year(integer)', 'cqs.explain(bigint,date,text)', 'cqs.explain(bigint,integer,text)',
               'cqs._outbox_problem(bigint,bigint)']::regprocedure[]
$$;
-- Which functions touch a note column: the writers above, and the readers listed here.
-- A new function that writes notes fails this test until it is added to the writers.
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY p.oid::regprocedure::text COLLATE "C")
             FROM pg_proc p
            WHERE p.pronamespace = 'cqs'::regnamespace AND p.prokind IN ('f', 'p')
              AND p.prolang IN (SELECT oid FROM pg_language WHERE lanname IN ('sql', 'plpgsql'))
              AND pg_get_functiondef(p.oid) ~ '(needs_decision|cap_reason|not_graded|override_reasons|rounding_note|authority_reason|_period_note|_rounding_note|\mnote\M|\mreasons\M|missing_periods)'
              AND p.oid <> ALL (pg_temp.note_writers())),
          ARRAY['cqs._check_decision(cqs.year_result,cqs.grade,text)',          -- reads override_reasons
                'cqs._csv_read(text,text)',                                     -- the loaders: a leave record's note
                                                                                -- column, typed by the personnel
                'cqs._export_rows(text,bigint,text,text)',                      -- the exports read the views' notes
                'cqs._ingest_map_reviewed()',                                   -- a mapping reviewer's note
                'cqs.csv_format(text)',                                         -- (loaders, continued)
                'cqs.decide_grade(bigint,integer,cqs.grade,text,text,text)',    -- reads not_graded_reason
                'cqs.export_columns(text)',                                     -- the exports' column list
                'cqs.form01_html(bigint,date)', 'cqs.form02_html(bigint,integer)',  -- the documents: cqs.localize(..., 'vi')
                'cqs.load_csv(text,text,boolean)',                              -- section (loaders)
                'cqs.organisation_sheet_html(bigint,integer)',
                'cqs.resolve_complaint(bigint,text,text,date)',                 -- an outcome note typed by the authority
                'cqs.setup_roles()'],                                           -- grants on the mapping tables' note
          'every function that touches a note column is a writer the guard reads, or a reader');
CREATE TEMP TABLE source_text AS
SELECT s.src, replace(lit[1], '''''', '''') AS lit
  FROM (SELECT p.oid::regprocedure::text AS src,
               regexp_replace(regexp_replace(pg_get_functiondef(p.oid), '--[^\n]*', '', 'g'),
                              $re$RAISE EXCEPTION(?:[^;']|'(?:[^']|'')*')*;$re$, '', 'g') AS def
          FROM pg_proc p
         WHERE p.oid = ANY (pg_temp.note_writers())
        UNION ALL
        SELECT 'cqs.discipline_counted', pg_get_viewdef('cqs.discipline_counted'::regclass)) s,
       regexp_matches(s.def, $re$'((?:[^']|'')*)'$re$, 'g') AS lit
 WHERE lit[1] ~ '[A-Za-z]{2,}' AND lit[1] ~ ' ';
SELECT ok((SELECT count(*) FROM pg_temp.source_text) > 80, 'the guard reads the functions'' texts (' ||
          (SELECT count(*) FROM pg_temp.source_text) || ')');
SELECT is_empty($$
  SELECT st.src, st.lit FROM pg_temp.source_text st
   WHERE NOT EXISTS (SELECT 1 FROM cqs.message_text m
                      WHERE m.kind IN ('note', 'explain')
                        AND (m.en = st.lit OR strpos(replace(m.en, '%%', '%'), regexp_replace(replace(st.lit, '%%', '%'), '^; ', '')) > 0))
     AND st.lit NOT IN (
       'pg_catalog, pg_temp',               -- SET search_path
       '6 months', '1 month', '1 month - 1 day', '1 day', '3 months',   -- intervals
       'YYYY-"Q"Q', 'YYYY-MM-DD',           -- to_char patterns
       'evaluation_year', 'old_organisation',     -- discipline_counted.attributed_to (codes)
       'corruption_waste_in_unit',          -- override kind (code)
       'lock its periods', 'The personnel section of the agency (or its subtree) locks periods (Art. 16-17).',
                                            -- cqs._require_mandate's error message and hint
       'no assessment',                     -- lock_period's error DETAIL
       'Art. 20.4.b', 'Art. 20.4.d', 'Art. 11.3.b, 20.4.c')   -- catalogue terms (article:...)
     AND NOT EXISTS (SELECT 1 FROM cqs.message_text t WHERE t.kind = 'term' AND t.en = st.lit)$$,
  'every English text of the functions that store notes or write traces has a catalogue entry');

-- ---------------------------------------------------------------------------
-- 5. Scenarios: a year with every kind of note.
-- ---------------------------------------------------------------------------
INSERT INTO cqs.organisation (code, name, kind) VALUES ('LG-CITY', 'UBND', 'managing_agency');
INSERT INTO cqs.organisation (code, name, kind, evaluation_start) VALUES ('LG-LATE', 'UBND huyện', 'managing_agency', '2027-01-01');
INSERT INTO cqs.organisation (code, name, kind, parent_id, cadence)
SELECT v.code, 'Sở ' || v.code, 'using_agency', (SELECT organisation_id FROM cqs.organisation WHERE code = v.parent), v.cadence
  FROM (VALUES ('LG-A', 'LG-CITY', NULL), ('LG-B', 'LG-CITY', NULL), ('LG-C', 'LG-CITY', NULL), ('LG-OLD', 'LG-CITY', NULL),
               ('LG-Q', 'LG-CITY', 'quarterly'), ('LG-L', 'LG-LATE', NULL)) AS v(code, parent, cadence);
CREATE FUNCTION pg_temp.org(code text) RETURNS bigint LANGUAGE sql AS
  $$ SELECT organisation_id FROM cqs.organisation WHERE organisation.code = $1 $$;
CREATE FUNCTION pg_temp.pid(code text) RETURNS bigint LANGUAGE sql AS
  $$ SELECT person_id FROM cqs.person WHERE personnel_id = $1 $$;
CREATE TEMP TABLE fx (pid text, org text, role text, kind text, start_date date, end_date date);
INSERT INTO fx VALUES
  ('LG-FIVE', 'LG-A', 'staff', 'civil_servant', '2026-01-01', '2026-05-31'),
  ('LG-INC', 'LG-A', 'staff', 'civil_servant', '2026-01-01', NULL),
  ('LG-QINC', 'LG-Q', 'staff', 'civil_servant', '2026-01-01', NULL),
  ('LG-NORES', 'LG-L', 'staff', 'civil_servant', '2026-01-01', NULL),
  ('LG-DISC', 'LG-A', 'staff', 'civil_servant', '2026-01-01', NULL),
  ('LG-DEGR', 'LG-A', 'staff', 'civil_servant', '2026-01-01', NULL),
  ('LG-CORR', 'LG-C', 'head', 'civil_servant', '2026-01-01', NULL),
  ('LG-VIOL', 'LG-A', 'staff', 'civil_servant', '2026-01-01', NULL),
  ('LG-CHUYEN', 'LG-OLD', 'staff', 'civil_servant', '2025-01-01', '2025-12-31'),
  ('LG-CHUYEN', 'LG-A', 'staff', 'civil_servant', '2026-01-01', NULL),
  ('LG-HEADA', 'LG-A', 'head', 'civil_servant', '2026-01-01', NULL),
  ('LG-HEADB', 'LG-B', 'head', 'civil_servant', '2026-01-01', NULL),
  ('LG-ROUND', 'LG-B', 'staff', 'civil_servant', '2026-01-01', NULL),
  ('LG-DRV', 'LG-B', 'staff', 'support_staff', '2026-01-01', NULL);
INSERT INTO cqs.person (personnel_id, full_name, kind) SELECT DISTINCT pid, 'Người ' || pid, kind FROM fx;
INSERT INTO cqs.posting (person_id, organisation_id, role, start_date, end_date)
SELECT pg_temp.pid(pid), pg_temp.org(org), role, start_date, end_date FROM fx;

-- Period results as the writer leaves them (policies included), with an assessment.
CREATE FUNCTION pg_temp.totals(pid text, periods date[], total numeric, status text DEFAULT 'confirmed',
                               pkind text DEFAULT 'month') RETURNS void
LANGUAGE sql AS $$
  INSERT INTO cqs.period_result (person_id, period, period_kind, organisation_id, person_kind, role, total, grade,
                                 lateness_mode, cap_mode, decimals, criteria_set_id)
  SELECT p.person_id, x.period, pkind, ps.organisation_id, p.kind, ps.role, total, cqs.classify(total),
         pol.lateness_mode, pol.cap_mode, pol.decimals, (SELECT criteria_set_id FROM cqs.criteria_set WHERE code = 'form01')
    FROM cqs.person p, unnest(periods) AS x(period)
    CROSS JOIN LATERAL cqs.posting_in_force(p.person_id, x.period, cqs.period_end(x.period, pkind) - 1) ps
    JOIN cqs.organisation_policy pol ON pol.organisation_id = ps.organisation_id
   WHERE p.personnel_id = pid;
  INSERT INTO cqs.assessment (person_id, period, organisation_id, criteria_set_id, status, self_assessed_at, confirmed_at)
  SELECT r.person_id, r.period, r.organisation_id, (SELECT criteria_set_id FROM cqs.criteria_set WHERE code = 'form01'),
         status, now(), CASE WHEN status = 'confirmed' THEN now() END
    FROM cqs.period_result r WHERE r.person_id = pg_temp.pid(pid) AND r.period = ANY (periods) AND status IS NOT NULL;
  DELETE FROM cqs.refresh_queue;
$$;
CREATE FUNCTION pg_temp.months(a integer, b integer) RETURNS date[] LANGUAGE sql AS
  $$ SELECT array_agg(make_date(2026, m, 1) ORDER BY m) FROM generate_series(a, b) m $$;
SELECT pg_temp.totals('LG-FIVE', pg_temp.months(1, 5), 80);
SELECT pg_temp.totals('LG-INC', pg_temp.months(1, 10), 80);
SELECT pg_temp.totals('LG-INC', pg_temp.months(11, 12), 80, 'self_assessed');
SELECT pg_temp.totals('LG-QINC', ARRAY['2026-01-01', '2026-04-01', '2026-07-01']::date[], 80, 'confirmed', 'quarter');
SELECT pg_temp.totals('LG-QINC', ARRAY['2026-10-01']::date[], 80, 'self_assessed', 'quarter');
SELECT pg_temp.totals(p, pg_temp.months(1, 12), 85)
  FROM unnest(ARRAY['LG-DISC', 'LG-DEGR', 'LG-CORR', 'LG-VIOL', 'LG-CHUYEN', 'LG-HEADB', 'LG-DRV']) p;
SELECT pg_temp.totals('LG-HEADA', pg_temp.months(1, 12), 95);
SELECT pg_temp.totals('LG-ROUND', pg_temp.months(1, 11), 90);
SELECT pg_temp.totals('LG-ROUND', ARRAY['2026-12-01'::date], 89.94);
INSERT INTO cqs.discipline (person_id, kind, level, decision_date, decision_ref, act_ref, act_organisation_id)
VALUES (pg_temp.pid('LG-DISC'), 'party', 'canh_cao', '2026-04-02', 'QĐ 7/QĐ-UBKT', 'HV-1', pg_temp.org('LG-A')),
       (pg_temp.pid('LG-CHUYEN'), 'administrative', 'khien_trach', '2026-03-10', 'QĐ 8/QĐ-SNV', 'HV-2', pg_temp.org('LG-OLD'));
INSERT INTO cqs.year_override (person_id, year, kind, act_ref, decided_by, decided_on, reference, reason)
VALUES (pg_temp.pid('LG-DEGR'), 2026, 'degradation', NULL, 'Thanh tra tỉnh', '2026-10-01', 'KL 9/KL-TTr', 'suy thoái đạo đức, lối sống'),
       (pg_temp.pid('LG-CORR'), 2026, 'corruption_waste_in_unit', NULL, 'Thanh tra thành phố', '2026-11-20', 'KL 5/KL-TTr',
        'tham nhũng tại đơn vị do ông trực tiếp phụ trách'),
       (pg_temp.pid('LG-VIOL'), 2026, 'violation_before_discipline', 'HV-3', 'Hội đồng kỷ luật', '2026-12-01', 'BB 3',
        'vi phạm đã được kết luận, chưa có quyết định kỷ luật');
-- Organisations: LG-A tốt (80, all on time); LG-C 91 with 40 of 50 on time, none exceeded (the authority decides).
INSERT INTO cqs.organisation_year (organisation_id, year, general_scores, task_scores, tasks_assigned, tasks_completed,
                                   tasks_on_time, tasks_exceeded, tasks_late, planned_tasks, planned_tasks_done)
VALUES (pg_temp.org('LG-A'), 2026, '{10,10,10}', '{8,11,8,4,7,4,5,3}', 50, 50, 50, 0, 0, 40, 40),
       (pg_temp.org('LG-C'), 2026, '{10,10,10}', '{9,14,9,4,9,4,9,3}', 50, 50, 40, 0, 0, 40, 40);
SELECT ok(cqs.grade_year(2026) = 13, 'the year is graded (13 people)');
-- A period locked with someone who has no assessment (the person never evaluated).
SELECT is((SELECT array_agg(personnel_id) FROM cqs.lock_period(pg_temp.org('LG-L'), '2026-03-01', 'kiểm tra', include_unassessed => true)),
          ARRAY['LG-NORES'], 'LG-L''s March is locked with its one person, who has no assessment');
-- A head's grade decided, then re-graded (Art. 21.3): the decisions wait in the outbox,
-- held (no identification number, no agency code).
INSERT INTO cqs.grade_decision (person_id, year, organisation_id, grade, decided_by, reference)
VALUES (pg_temp.pid('LG-HEADB'), 2026, pg_temp.org('LG-B'), 'tot', 'gd_snv', 'QĐ 1/QĐ-SNV');
INSERT INTO cqs.grade_decision (person_id, year, organisation_id, grade, decided_by, reference, supersedes, reason)
SELECT pg_temp.pid('LG-HEADB'), 2026, pg_temp.org('LG-B'), 'hoan_thanh', 'gd_snv', 'QĐ 2/QĐ-SNV', decision_id, 'kết luận thanh tra'
  FROM cqs.grade_decision WHERE person_id = pg_temp.pid('LG-HEADB');

-- Every kind of stored note, from the scenario and from the functions that write them
-- (period notes of every combination; organisations' reasons of every band).
CREATE TEMP TABLE stored (what text, txt text);
INSERT INTO stored
SELECT 'year_result ' || p.personnel_id, x
  FROM cqs.year_result r JOIN cqs.person p USING (person_id),
       unnest(r.override_reasons || r.missing_periods || ARRAY[r.not_graded_reason, r.cap_reason, r.rounding_note]) x
 WHERE x IS NOT NULL
UNION ALL
SELECT 'authority_reason', d.authority_reason FROM cqs.discipline_counted d WHERE d.authority_reason IS NOT NULL
UNION ALL
SELECT 'period_result ' || r.person_id || ' ' || r.period, r.note FROM cqs.period_result r WHERE r.note <> ''
UNION ALL
SELECT 'outbox ' || o.item_id, o.problem_en FROM cqs.outbox_status o WHERE o.problem_en IS NOT NULL
UNION ALL
SELECT 'organisation_year', y.needs_decision_reason FROM cqs.organisation_year y WHERE y.needs_decision_reason IS NOT NULL
UNION ALL
SELECT '_period_note', n
  FROM (SELECT concat_ws('; ', cqs._period_note(k, g, gen, sq), cqs._rounding_note(69.996, 70.00)) AS n
          FROM unnest(ARRAY['civil_servant', 'support_staff']) k, unnest(ARRAY[NULL, 0, 5]::numeric[]) g,
               unnest(ARRAY[NULL, 20]::numeric[]) gen, unnest(ARRAY[NULL, 80]::numeric[]) sq) s
UNION ALL
SELECT 'organisation_grade', o.needs_decision
  FROM (VALUES (95, 50, 40, 10, true, NULL::text, 'khong_hoan_thanh'::cqs.grade, 40, false),   -- Art. 8.1: all four missing
               (95, 50, 50, 20, true, 'LG-U', NULL, 40, false),                              -- waits for a subordinate
               (85, 50, 40, 0, true, NULL, NULL, 40, false),                                 -- Art. 8.2 not met
               (60, 50, 40, 0, true, NULL, NULL, 40, false),                                 -- Art. 8.3 not met
               (60, 0, 0, 0, true, NULL, NULL, 40, false),                                   -- no tasks
               (60, 50, 50, 0, true, NULL, NULL, 20, true)) AS v(score, assigned, on_time, exceeded, fixed, awaiting, worst, done, fm)
  CROSS JOIN LATERAL cqs.organisation_grade(
      ROW(1, 2026, 'default', ARRAY[10, 10, v.score - 20 - 10]::numeric[], '{10,0,0,0,0,0,0,0}'::numeric[], v.assigned,
          CASE WHEN v.score = 60 AND v.assigned > 0 AND NOT v.fm THEN v.assigned - 5 ELSE v.assigned END, v.on_time, v.exceeded,
          CASE WHEN v.score = 60 AND NOT v.fm THEN 20 ELSE 0 END, 40, v.done, v.fixed AND v.score <> 95 OR v.awaiting IS NOT NULL,
          false, NULL, v.fm, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::cqs.organisation_year,
      v.worst, v.awaiting) o
 WHERE o.needs_decision IS NOT NULL;

-- (the conditions of Art. 8.1 that are not met are listed inside their reason)
SELECT is((SELECT array_agg(DISTINCT k ORDER BY k)
             FROM (SELECT coalesce(cqs.message_key(s.txt), cqs.message_key(p)) AS k
                     FROM pg_temp.stored s, regexp_split_to_table(s.txt, '; ') p
                   UNION ALL
                   SELECT cqs.message_key(p)
                     FROM pg_temp.stored s,
                          regexp_split_to_table(substring(s.txt FROM 'is not met \((.*)\); Art\. 8\.2'), '; ') p) x
            WHERE k IS NOT NULL),
          (SELECT array_agg(key ORDER BY key) FROM cqs.message_text WHERE kind = 'note' AND key <> 'number'),
          'the scenarios store every kind of note the catalogue knows');
SELECT is_empty($$SELECT what, txt FROM pg_temp.stored WHERE cardinality(pg_temp.unmatched(txt)) > 0$$,
                'every stored note (every part of it) matches a template');
SELECT is_empty($$SELECT what, txt FROM pg_temp.stored WHERE cqs.localize(txt) = txt$$,
                'every stored note reads differently in Vietnamese');
SELECT is_empty($$SELECT what, cqs.localize(txt), pg_temp.english_left(cqs.localize(txt)) FROM pg_temp.stored
                   WHERE cardinality(pg_temp.english_left(cqs.localize(txt))) > 0$$,
                'no English word of a template is left in any stored note read in Vietnamese');
SELECT is_empty($$SELECT what, txt FROM pg_temp.stored WHERE cqs.localize(txt, 'en') IS DISTINCT FROM txt$$,
                'in English every stored note reads exactly as stored');

-- The traces: the year of every person, and periods of every shape (a staff member with
-- ratios, a head with đ = 50, support staff, G = 0 without general criteria).
UPDATE cqs.period_result SET assigned_units = 10, completed_units = 9, quality_units = 8.5, progress_units = 9,
                             a = 90, b = 85, c = 90, task_score = 88.3333, general_score = 27.5, total = 89.33
 WHERE person_id = pg_temp.pid('LG-INC') AND period = '2026-03-01';
INSERT INTO cqs.assessment (person_id, period, organisation_id, criteria_set_id, status, dd, dd_reason, e, e_reason)
VALUES (pg_temp.pid('LG-HEADB'), '2026-01-01', pg_temp.org('LG-B'), (SELECT criteria_set_id FROM cqs.criteria_set WHERE code = 'form01'),
        'self_assessed', 50, 'chậm triển khai kế hoạch', 100, NULL)
ON CONFLICT (person_id, period) DO UPDATE SET dd = 50, dd_reason = excluded.dd_reason, status = 'self_assessed', confirmed_at = NULL;
UPDATE cqs.period_result SET assigned_units = 10, completed_units = 10, quality_units = 10, progress_units = 10,
                             a = 100, b = 100, c = 100, d = 50, dd = 50, e = 100, task_score = 83.3333, general_score = 25
 WHERE person_id = pg_temp.pid('LG-HEADB') AND period = '2026-01-01';
UPDATE cqs.assessment SET support_quality = 90, support_compliance = 80, support_efficiency = 70
 WHERE person_id = pg_temp.pid('LG-DRV') AND period = '2026-02-01';
UPDATE cqs.period_result SET task_score = 80, general_score = 28 WHERE person_id = pg_temp.pid('LG-DRV') AND period = '2026-02-01';
UPDATE cqs.period_result SET assigned_units = 0, general_score = NULL, total = NULL, grade = NULL,
                             note = 'no originally assigned work (G = 0): the task criterion cannot be evaluated (Art. 14, 18.1.d); general criteria not scored yet (Art. 12.1, Form 01)'
 WHERE person_id = pg_temp.pid('LG-ROUND') AND period = '2026-05-01';
CREATE TEMP TABLE trace AS
SELECT 'year ' || p.personnel_id AS what, cqs.explain(r.person_id, 2026, 'en') AS en, cqs.explain(r.person_id, 2026) AS vi
  FROM cqs.year_result r JOIN cqs.person p USING (person_id)
UNION ALL
SELECT 'period ' || p.personnel_id || ' ' || x.period, cqs.explain(p.person_id, x.period, 'en'), cqs.explain(p.person_id, x.period)
  FROM (VALUES ('LG-INC', '2026-03-01'::date), ('LG-HEADB', '2026-01-01'), ('LG-DRV', '2026-02-01'), ('LG-ROUND', '2026-05-01'),
               ('LG-QINC', '2026-10-01')) AS x(pid, period)
  JOIN cqs.person p ON p.personnel_id = x.pid;
SELECT is((SELECT count(*)::integer FROM pg_temp.trace), 18, 'eighteen traces (13 years, 5 periods)');
SELECT is_empty($$SELECT t.what, l FROM pg_temp.trace t, regexp_split_to_table(t.en, E'\n') l WHERE cqs.message_key(l) IS NULL$$,
                'every line of every trace matches a template');
SELECT is_empty($$SELECT t.what, l FROM pg_temp.trace t, regexp_split_to_table(t.vi, E'\n') l
                   WHERE cardinality(pg_temp.english_left(l)) > 0$$,
                'no English word of a template is left in any trace read in Vietnamese');
SELECT is_empty($$SELECT t.what FROM pg_temp.trace t
                   WHERE array_length(string_to_array(t.en, E'\n'), 1) <> array_length(string_to_array(t.vi, E'\n'), 1)$$,
                'a Vietnamese trace has the lines of the English one');
SELECT is((SELECT t.vi FROM pg_temp.trace t WHERE t.what = 'year LG-HEADB'),
          E'Người LG-HEADB (LG-HEADB), năm 2026, xếp loại tại tổ chức ' || pg_temp.org('LG-B') || E' (khoản 1 Điều 19), người đứng đầu, nhóm nhiệm vụ tương đồng chung; trạng thái: đã quyết định.\n'
          || E'1. Thời gian công tác (khoản 1, khoản 2 Điều 11): 12 tháng 0 ngày theo quá trình bố trí công tác, trừ thời gian nghỉ (12 tháng có công tác).\n'
          || (SELECT string_agg(format('   - tháng %s/2026: %s (tổ chức %s)%s', lpad(m::text, 2, '0'), CASE WHEN m = 1 THEN '85' ELSE '85' END,
                                       pg_temp.org('LG-B'), CASE WHEN m = 1 THEN ', chưa được xác nhận' ELSE '' END), E'\n' ORDER BY m)
                FROM generate_series(1, 12) m) || E'\n'
          || E'2. Các kỳ đã có kết quả được xác nhận (khoản 2, khoản 3 Điều 17): tính đủ cả 12 kỳ.\n'
          || E'3. Điểm của năm (khoản 3 Điều 17) = trung bình 12 tổng điểm các kỳ, mỗi kỳ tính theo số tháng có công tác trong kỳ = 85,00; mức xếp loại theo điểm (Điều 20): hoàn thành tốt nhiệm vụ.\n'
          || E'4. Không thuộc trường hợp tại khoản 4 Điều 20.\n'
          || E'5. Giới hạn đối với người đứng đầu (khoản 6 Điều 20), trước khi áp dụng tỷ lệ: tổ chức chưa được xếp loại: mức xếp loại của người đứng đầu không cao hơn mức xếp loại của tổ chức (khoản 6 Điều 20).\n'
          || E'6. Tỷ lệ hoàn thành xuất sắc nhiệm vụ (khoản 5 Điều 20, chỉ đối với công chức): không thuộc diện xét hoàn thành xuất sắc nhiệm vụ.\n'
          || E'7. Mức xếp loại đề xuất: hoàn thành tốt nhiệm vụ.\n'
          || (SELECT format(E'   Quyết định %s (QĐ 1/QĐ-SNV, ngày %s, người ghi nhận gd_snv): hoàn thành tốt nhiệm vụ.\n'
                            '   Quyết định %s (QĐ 2/QĐ-SNV, ngày %s, người ghi nhận gd_snv): hoàn thành nhiệm vụ, xếp loại lại thay thế quyết định %s (khoản 3 Điều 21): kết luận thanh tra.\n',
                            min(decision_id), to_char(now(), 'DD/MM/YYYY'), max(decision_id), to_char(now(), 'DD/MM/YYYY'), min(decision_id))
                FROM cqs.grade_decision WHERE person_id = pg_temp.pid('LG-HEADB'))
          || '8. Mức xếp loại chất lượng: Hoàn thành nhiệm vụ.',
          'the year trace of a head, decided and re-graded, word for word');
SELECT is((SELECT t.vi FROM pg_temp.trace t WHERE t.what = 'period LG-HEADB 2026-01-01'),
          E'Người LG-HEADB (LG-HEADB), tháng 01 năm 2026, tổ chức ' || pg_temp.org('LG-B') || E', người đứng đầu; trạng thái: đã tự đánh giá.\n'
          || E'Tính bằng cqs_eval ' || cqs._extension_version() || E' theo: tiến độ trừ theo ngày chậm, giới hạn kết quả bình quân ở mức 100%, làm tròn 2 chữ số thập phân, bộ tiêu chí chung '
          || (SELECT criteria_set_id FROM cqs.criteria_set WHERE code = 'form01') || E'.\n'
          || E'1. Nhiệm vụ được giao (Điều 13, Điều 14; số lượng quy đổi = số lượng x hệ số quy đổi):\n'
          || E'   (không có nhiệm vụ)\n'
          || E'2. G = tổng số lượng quy đổi được giao = 10 (điểm d khoản 1 Điều 18).\n'
          || E'3. a (tỷ lệ số lượng, điểm a khoản 2 Điều 14) = 100 x 10 / 10 = 100,00%.\n'
          || E'   b (tỷ lệ chất lượng, điểm b khoản 2 Điều 14) = 100 x 10 / 10 = 100,00%.\n'
          || E'   c (tỷ lệ tiến độ, điểm c khoản 2 Điều 14) = 100 x 10 / 10 = 100,00%.\n'
          || E'4. Các tiêu chí của người lãnh đạo (khoản 3 Điều 15): d = 50 (có công chức thuộc phạm vi quản lý đạt dưới 50 điểm), đ = 50 (chậm triển khai kế hoạch), e = 100; điểm kết quả thực hiện nhiệm vụ = (a + b + c + d + đ + e) / 6 = 83,33% (giới hạn kết quả bình quân ở mức 100%, khoản 3 Điều 12).\n'
          || E'5. Tiêu chí chung (khoản 1 Điều 12, Mẫu số 01) = 25/30 điểm (điểm tự đánh giá, cho đến khi được xác nhận).\n'
          || E'6. Tổng điểm (khoản 1 Điều 17) = 25 + 83,3333 x 70% = 85, làm tròn đến 2 chữ số thập phân.\n'
          || '7. Mức xếp loại theo điểm (Điều 20): Hoàn thành tốt nhiệm vụ.',
          'the period trace of a head with đ = 50, word for word');

-- ---------------------------------------------------------------------------
-- 6. The views: the session's language, *_en as stored.
-- ---------------------------------------------------------------------------
SELECT is((SELECT not_graded_reason FROM cqs.year_results WHERE personnel_id = 'LG-FIVE'),
          'thời gian công tác trong năm 2026 là 5 tháng 0 ngày, chưa đủ 06 tháng: không xếp loại chất lượng (khoản 1 Điều 11)',
          'year_results.not_graded_reason reads in Vietnamese');
SELECT is((SELECT not_graded_reason_en FROM cqs.year_results WHERE personnel_id = 'LG-FIVE'),
          'worked 5 month(s) 0 day(s) in 2026, less than 6 months (Art. 11.1)', 'not_graded_reason_en is the stored text');
SELECT is((SELECT missing_periods FROM cqs.year_results WHERE personnel_id = 'LG-QINC'), ARRAY['quý IV/2026'],
          'missing_periods read as quarters');
SELECT is((SELECT missing_periods_en FROM cqs.year_results WHERE personnel_id = 'LG-QINC'), ARRAY['2026-Q4'],
          'missing_periods_en as stored');
SELECT is((SELECT status FROM cqs.year_results WHERE personnel_id = 'LG-INC'), 'incomplete',
          'codes (the status) stay codes whatever the language');
SELECT is((SELECT authority_reasons FROM cqs.year_results WHERE personnel_id = 'LG-CHUYEN'),
          ARRAY['điểm c khoản 3 Điều 11: kỷ luật hành chính, hình thức khiển trách (QĐ 8/QĐ-SNV, ngày 10/03/2026) đối với hành vi HV-2 tại tổ chức '
                || pg_temp.org('LG-OLD') || ', nơi công chức không công tác trong năm 2026: được tính vào việc đánh giá của cơ quan, tổ chức, đơn vị cũ, không đương nhiên áp dụng cho lần xếp loại này; cấp có thẩm quyền quyết định'],
          'Art. 11.3.c: the authority''s reason in Vietnamese');
SELECT is((SELECT needs_decision_reason FROM cqs.organisation_results WHERE code = 'LG-C'),
          '91 điểm nhưng không đáp ứng khoản 1 Điều 8 (40/50 nhiệm vụ hoàn thành đúng thời hạn, bảo đảm chất lượng; 0/50 nhiệm vụ hoàn thành vượt mức yêu cầu (dưới 30%)); khoản 2 Điều 8 chỉ áp dụng từ 70 đến dưới 90 điểm',
          'organisation_results.needs_decision_reason reads in Vietnamese, the missing conditions too');
SELECT is((SELECT note FROM cqs.month_results WHERE personnel_id = 'LG-ROUND' AND month = 5),
          'không có nhiệm vụ được giao ban đầu (G = 0): không đánh giá được tiêu chí kết quả thực hiện nhiệm vụ (Điều 14, điểm d khoản 1 Điều 18); chưa chấm điểm tiêu chí chung (khoản 1 Điều 12, Mẫu số 01)',
          'month_results.note reads in Vietnamese');
SELECT is((SELECT array_agg(DISTINCT problem) FROM cqs.outbox_status WHERE person_id = pg_temp.pid('LG-HEADB') AND problem IS NOT NULL),
          ARRAY['công chức ' || pg_temp.pid('LG-HEADB') || ' chưa có số định danh cá nhân; tổ chức ' || pg_temp.org('LG-B')
                || ' và các cơ quan cấp trên chưa có mã định danh cơ quan'],
          'outbox_status.problem: why the decision is held, in Vietnamese');
SELECT is((SELECT override_reasons FROM cqs.not_completed WHERE personnel_id = 'LG-VIOL'),
          ARRAY['điểm b khoản 3 Điều 11, điểm c khoản 4 Điều 20: vi phạm đã được kết luận, chưa có quyết định kỷ luật (Hội đồng kỷ luật, 01/12/2026, BB 3)'],
          'not_completed.override_reasons read in Vietnamese');
SET LOCAL cqs.language = en;
SELECT is_empty($$SELECT personnel_id FROM cqs.year_results
                   WHERE (not_graded_reason, cap_reason, rounding_note, override_reasons, missing_periods, authority_reasons)
                         IS DISTINCT FROM (not_graded_reason_en, cap_reason_en, rounding_note_en, override_reasons_en,
                                           missing_periods_en, authority_reasons_en)$$,
                'in an English session every year_results text is the stored one');
SELECT is((SELECT cqs.explain(pg_temp.pid('LG-ROUND'), '2026')), (SELECT en FROM pg_temp.trace WHERE what = 'year LG-ROUND'),
          'in an English session the trace is the English one');
SELECT matches((SELECT en FROM pg_temp.trace WHERE what = 'year LG-ROUND'),
               'Note: rounding 89\.995[0-9]* to 90\.00 moved it from tot to xuat_sac\.',
               'the English trace keeps the stored English note');
SELECT throws_ok($$SELECT cqs.explain(1::bigint, '2026', 'de')$$, '22023', 'lang must be vi or en, got "de"',
                 'explain with another language: 22023 naming it');
-- The documents are the decree's forms: Vietnamese whatever the session's language.
SELECT ok(strpos(cqs.form02_html(pg_temp.pid('LG-DEGR'), 2026),
                 'Căn cứ điểm b khoản 4 Điều 20: suy thoái đạo đức, lối sống (Thanh tra tỉnh, 01/10/2026, KL 9/KL-TTr).') > 0,
          'Form 02 (English session): the override in Vietnamese');
SELECT ok(strpos(cqs.form02_html(pg_temp.pid('LG-FIVE'), 2026), 'Chưa xếp loại: thời gian công tác trong năm 2026 là 5 tháng 0 ngày') > 0
          AND strpos(cqs.form02_html(pg_temp.pid('LG-HEADA'), 2026),
                     'khoản 6 Điều 20: không cao hơn mức xếp loại của tổ chức “hoàn thành tốt nhiệm vụ”') > 0,
          'Form 02: why not graded, the head''s cap in Vietnamese');
SELECT ok(strpos(cqs.form01_html(pg_temp.pid('LG-ROUND'), '2026-05-01'),
                 '(không có nhiệm vụ được giao ban đầu (G = 0): không đánh giá được tiêu chí kết quả thực hiện nhiệm vụ') > 0,
          'Form 01: the period note in Vietnamese');
SELECT ok(strpos(cqs.organisation_sheet_html(pg_temp.org('LG-C'), 2026),
                 '(91 điểm nhưng không đáp ứng khoản 1 Điều 8 (40/50 nhiệm vụ hoàn thành đúng thời hạn') > 0,
          'the organisation sheet: the reason the authority decides, in Vietnamese');
SELECT is_empty($$SELECT d FROM (VALUES ('form02 LG-DEGR', cqs.form02_html(pg_temp.pid('LG-DEGR'), 2026)),
                                        ('form02 LG-FIVE', cqs.form02_html(pg_temp.pid('LG-FIVE'), 2026)),
                                        ('form02 LG-HEADA', cqs.form02_html(pg_temp.pid('LG-HEADA'), 2026)),
                                        ('form01 LG-ROUND', cqs.form01_html(pg_temp.pid('LG-ROUND'), '2026-05-01')),
                                        ('sheet LG-C', cqs.organisation_sheet_html(pg_temp.org('LG-C'), 2026))) AS x(d, html)
                   WHERE html ~ '(Art\.|HB ch\.|Form 0[12]|points but|capped at|worked [0-9]+ month|no originally)'$$,
                'no English note in any document');
RESET cqs.language;

SELECT * FROM finish();
ROLLBACK;
