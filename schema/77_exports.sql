-- Layer 7d: exports -- what people read, as files Excel opens and as JSON for web APIs
-- (issue 10).  One API for every dataset:
--
--   cqs.export_csv(dataset, organisation_id, period, separator, decimal_comma, bom, lang) -> text
--   cqs.export_json(dataset, organisation_id, period, lang)                              -> jsonb
--   cqs.export_columns(dataset)      the columns of a dataset: key, kind, Vietnamese and English header
--
-- datasets: month_results, quarter_results, year_results, form01, form02,
-- grade_distribution, outbox, overdue, evaluator_todo.  Each reads the view of the same
-- name (60_api.sql, 75_operations.sql) with the caller's rights (SECURITY INVOKER): the
-- views are security_invoker, so row-level security picks the rows exactly as it does for
-- a SELECT -- an export never shows a row its reader could not select.  Numbers leave as
-- the views hold them: as recorded, with the organisation's decimals (76.70, never
-- 76.7000000000000000000); the CSV writes them with a point, or with the Vietnamese
-- decimal comma on request; JSON carries them as JSON numbers.
--
-- The national-database outbox's batches (cqs.outbox_json / cqs.outbox_csv) are the
-- transport's frozen format (schema cqs_eval.outbox); they quote their CSV with the same
-- field writer as these exports (cqs._csv_field).

-- ---------------------------------------------------------------------------
-- The CSV field writer (RFC 4180): quoted when it holds the separator, a quote, a line
-- break or leading/trailing blanks; quotes doubled.
-- ---------------------------------------------------------------------------
-- (SQL-standard bodies: inlined into the exports' queries, resolved when created.)
CREATE FUNCTION cqs._csv_field(value text, separator text DEFAULT ',') RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN value IS NULL THEN ''
            WHEN strpos(value, separator) > 0 OR value ~ '["\r\n]' OR value <> btrim(value)
              THEN '"' || replace(value, '"', '""') || '"'
            ELSE value END;
COMMENT ON FUNCTION cqs._csv_field(text, text) IS
  'Art. 26.1.d, exports: one CSV field, quoted where RFC 4180 needs it (the separator, a quote, CR or LF, leading or trailing blanks); NULL gives an empty field';

-- ---------------------------------------------------------------------------
-- The columns of every dataset, in order: the key (the view's column, the JSON field),
-- the kind of value (how it is written), and the headers.
--   text     free text (names, comments, reasons): CSV guards it against spreadsheet formulas
--   code     a code (personnel ids, statuses, grade codes): written as it is
--   number   a score or share as recorded (its decimals kept)
--   integer  a count or an id
--   date     YYYY-MM-DD
--   instant  YYYY-MM-DDTHH:MM:SSZ, in UTC
--   boolean  CSV có/không (yes/no); JSON true/false
--   list     an array: CSV joined with "; ", JSON an array
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs.export_columns(dataset text)
RETURNS TABLE (ordinal integer, key text, kind text, header_vi text, header_en text)
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_person CONSTANT text[] := ARRAY[
    'person_id|integer|Mã người|Person id',
    'personnel_id|code|Mã hồ sơ|Personnel id',
    'full_name|text|Họ và tên|Full name',
    'organisation_id|integer|Mã cơ quan, đơn vị|Organisation id',
    'organisation_name|text|Cơ quan, đơn vị|Organisation'];
  v_cols text[];
BEGIN
  v_cols := CASE export_columns.dataset
    WHEN 'month_results' THEN v_person || ARRAY[
      'year|integer|Năm|Year',
      'month|integer|Tháng|Month',
      'a|number|Tỷ lệ số lượng a (%)|Quantity ratio a (%)',
      'b|number|Tỷ lệ chất lượng b (%)|Quality ratio b (%)',
      'c|number|Tỷ lệ tiến độ c (%)|Progress ratio c (%)',
      'd|number|Kết quả của đơn vị d (%)|Unit results d (%)',
      'dd|number|Năng lực tổ chức đ (%)|Organising ability đ (%)',
      'e|number|Đoàn kết e (%)|Uniting staff e (%)',
      'task_score|number|Điểm kết quả thực hiện nhiệm vụ (%)|Task score (%)',
      'general_score|number|Điểm tiêu chí chung|General criteria score',
      'total|number|Tổng điểm|Total',
      'grade|code|Mã xếp loại|Grade code',
      'grade_label|text|Xếp loại|Grade',
      'status|code|Trạng thái|Status',
      'locked|boolean|Đã khóa kỳ|Locked',
      'stale|boolean|Đang tính lại|Being recomputed',
      'note|text|Ghi chú|Note']
    WHEN 'quarter_results' THEN v_person || ARRAY[
      'year|integer|Năm|Year',
      'quarter|integer|Quý|Quarter',
      'cadence|code|Chu kỳ đánh giá|Cadence',
      'months_counted|integer|Số tháng tính|Months counted',
      'total|number|Điểm bình quân quý|Quarter total',
      'grade|code|Mã xếp loại|Grade code',
      'grade_label|text|Xếp loại|Grade']
    WHEN 'year_results' THEN v_person || ARRAY[
      'year|integer|Năm|Year',
      'months_worked|integer|Số tháng công tác|Months worked',
      'months_counted|integer|Số kỳ tính điểm|Periods counted',
      'mean_total|number|Điểm bình quân năm|Year score',
      'score_grade|code|Xếp loại theo điểm (mã)|Grade by score (code)',
      'proposed_grade|code|Đề xuất xếp loại (mã)|Proposed grade (code)',
      'final_grade|code|Mã xếp loại|Grade code',
      'grade_label|text|Xếp loại|Grade',
      'status|code|Trạng thái|Status',
      'decision_ref|text|Số quyết định|Decision reference',
      'decided_at|instant|Thời điểm quyết định (UTC)|Decided at (UTC)',
      'override_reasons|list|Căn cứ Điều 20.4|Art. 20.4 reasons',
      'not_graded_reason|text|Lý do chưa xếp loại|Why not graded',
      'missing_periods|list|Kỳ chưa có kết quả xác nhận|Periods without a confirmed result']
    WHEN 'form01' THEN v_person || ARRAY[
      'period|date|Kỳ đánh giá|Period',
      'period_kind|code|Loại kỳ|Period kind',
      'position|integer|STT|No.',
      'criterion_code|code|Mã tiêu chí|Criterion code',
      'criterion_name|text|Tiêu chí|Criterion',
      'max_points|number|Điểm tối đa|Maximum',
      'self_score|number|Điểm tự đánh giá|Self score',
      'evaluator_score|number|Điểm cấp có thẩm quyền đánh giá|Evaluator''s score',
      'self_total|number|Tổng điểm tự đánh giá tiêu chí chung|Self total (general criteria)',
      'evaluator_total|number|Tổng điểm đánh giá tiêu chí chung|Evaluator''s total (general criteria)',
      'general_score|number|Điểm tiêu chí chung|General criteria score',
      'task_score|number|Điểm kết quả thực hiện nhiệm vụ (%)|Task score (%)',
      'total|number|Tổng điểm|Total',
      'grade|code|Mã xếp loại|Grade code',
      'grade_label|text|Xếp loại|Grade',
      'strengths|text|Ưu điểm|Strengths',
      'shortcomings|text|Hạn chế, khuyết điểm|Shortcomings',
      'evaluator_comment|text|Ý kiến nhận xét của cấp có thẩm quyền|Evaluator''s comment',
      'status|code|Trạng thái|Status']
    WHEN 'form02' THEN v_person || ARRAY[
      'year|integer|Năm|Year',
      'm01|number|Tháng 1|January', 'm02|number|Tháng 2|February', 'm03|number|Tháng 3|March',
      'm04|number|Tháng 4|April', 'm05|number|Tháng 5|May', 'm06|number|Tháng 6|June',
      'm07|number|Tháng 7|July', 'm08|number|Tháng 8|August', 'm09|number|Tháng 9|September',
      'm10|number|Tháng 10|October', 'm11|number|Tháng 11|November', 'm12|number|Tháng 12|December',
      'mean_total|number|Điểm bình quân năm|Year score',
      'self_proposed_grade|code|Tự xếp loại (mã)|Self-proposed grade (code)',
      'decided_grade|code|Mã xếp loại của cấp có thẩm quyền|Decided grade (code)',
      'grade_label|text|Cấp có thẩm quyền xếp loại|Decided grade',
      'decided_at|instant|Thời điểm quyết định (UTC)|Decided at (UTC)']
    WHEN 'grade_distribution' THEN ARRAY[
      'year|integer|Năm|Year',
      'organisation_id|integer|Mã cơ quan sử dụng|Using agency id',
      'organisation_name|text|Cơ quan sử dụng|Using agency',
      'duty_group|code|Nhóm nhiệm vụ tương đồng|Duty group',
      'grade|code|Mã xếp loại|Grade code',
      'grade_label|text|Xếp loại|Grade',
      'status|code|Trạng thái|Status',
      'people|integer|Số người|People',
      'share_percent|number|Tỷ lệ (%)|Share (%)',
      'decided|integer|Đã có quyết định|Decided',
      'awaiting_decision|integer|Chờ quyết định|Awaiting a decision']
    WHEN 'outbox' THEN ARRAY[
      'item_id|integer|Mã mục|Item id',
      'kind|code|Loại|Kind',
      'person_id|integer|Mã người|Person id',
      'personnel_id|code|Mã hồ sơ|Personnel id',
      'organisation_id|integer|Mã cơ quan, đơn vị|Organisation id',
      'agency_code|code|Mã định danh cơ quan|Agency code',
      'period_kind|code|Loại kỳ|Period kind',
      'period|date|Kỳ|Period',
      'version|integer|Phiên bản|Version',
      'total|number|Tổng điểm|Total',
      'grade|code|Mã xếp loại|Grade code',
      'grade_label|text|Xếp loại|Grade',
      'reference|text|Căn cứ|Reference',
      'finalised_at|instant|Thời điểm chốt (UTC)|Finalised at (UTC)',
      'due_at|instant|Hạn gửi (UTC)|Due at (UTC)',
      'batch_id|integer|Mã lô|Batch id',
      'status|code|Trạng thái gửi|Status',
      'late|boolean|Quá hạn|Late',
      'problem|text|Vướng mắc|Problem']
    WHEN 'overdue' THEN v_person || ARRAY[
      'kind|code|Việc|Kind',
      'period_or_year_start|date|Kỳ (ngày đầu)|Period (first day)',
      'period_kind|code|Loại kỳ|Period kind',
      'assessment_status|code|Trạng thái phiếu|Assessment status',
      'due_on|date|Hạn|Due on',
      'done_on|date|Ngày thực hiện|Done on',
      'days_overdue|integer|Số ngày quá hạn|Days overdue']
    WHEN 'evaluator_todo' THEN v_person || ARRAY[
      'period|date|Kỳ đánh giá|Period',
      'period_kind|code|Loại kỳ|Period kind',
      'assessment_status|code|Trạng thái phiếu|Assessment status',
      'action|code|Việc cần làm|Action',
      'self_assessed_at|instant|Thời điểm tự đánh giá (UTC)|Self-assessed at (UTC)',
      'due_on|date|Hạn|Due on',
      'overdue|boolean|Quá hạn|Overdue',
      'days_overdue|integer|Số ngày quá hạn|Days overdue',
      'total|number|Tổng điểm|Total',
      'grade|code|Mã xếp loại|Grade code',
      'grade_label|text|Xếp loại|Grade']
  END;
  IF v_cols IS NULL THEN
    RAISE EXCEPTION 'unknown export dataset "%"', export_columns.dataset
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'One of month_results, quarter_results, year_results, form01, form02, grade_distribution, outbox, overdue, evaluator_todo.';
  END IF;
  RETURN QUERY
  SELECT c.n::integer, split_part(c.x, '|', 1), split_part(c.x, '|', 2), split_part(c.x, '|', 3), split_part(c.x, '|', 4)
    FROM unnest(v_cols) WITH ORDINALITY AS c(x, n)
   ORDER BY c.n;
END $$;
COMMENT ON FUNCTION cqs.export_columns(text) IS
  'Art. 17, 21, 26, Forms 01-02: the columns of an export dataset in order: key (view column and JSON field), kind, Vietnamese and English header; 22023 for an unknown dataset';

-- '2026' (a year), '2026-Q1' (a quarter), '2026-H1' (a half), '2026-03' (a month), or NULL
-- (every period): the first day and the day after the last.
CREATE FUNCTION cqs._export_period(period text, OUT first_day date, OUT after_day date)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF period IS NULL THEN
    RETURN;
  ELSIF period ~ '^\d{4}$' THEN
    first_day := make_date(period::integer, 1, 1);
    after_day := (first_day + interval '1 year')::date;
  ELSIF period ~ '^\d{4}-Q[1-4]$' THEN
    first_day := make_date(left(period, 4)::integer, right(period, 1)::integer * 3 - 2, 1);
    after_day := (first_day + interval '3 months')::date;
  ELSIF period ~ '^\d{4}-H[12]$' THEN
    first_day := make_date(left(period, 4)::integer, right(period, 1)::integer * 6 - 5, 1);
    after_day := (first_day + interval '6 months')::date;
  ELSIF period ~ '^\d{4}-(0[1-9]|1[0-2])$' THEN
    first_day := make_date(left(period, 4)::integer, right(period, 2)::integer, 1);
    after_day := (first_day + interval '1 month')::date;
  ELSE
    RAISE EXCEPTION 'period must look like 2026, 2026-Q1, 2026-H1 or 2026-03 (or be NULL for every period), got "%"', period
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF first_day < date '2000-01-01' OR after_day > date '2101-01-01' THEN
    RAISE EXCEPTION 'period "%" is outside 2000-2100', period USING ERRCODE = 'invalid_parameter_value';
  END IF;
END $$;
COMMENT ON FUNCTION cqs._export_period(text) IS
  'Art. 12, 17.3: the days an export''s period covers (a year, quarter, half-year or month); 22023 for anything else';

-- Instants as exported: UTC, ISO 8601, whatever the session's time zone.
CREATE FUNCTION cqs._export_instant(at timestamptz) RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT to_char($1 AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;
COMMENT ON FUNCTION cqs._export_instant(timestamptz) IS 'Exports: an instant in UTC, ISO 8601 (2026-03-05T03:00:00Z)';

-- The rows of a dataset, each one JSON object keyed by the dataset's columns, in a stable
-- order, read through the views with the caller's rights.  A row's period must overlap
-- the period asked; its organisation must be the one asked or a unit below it.
CREATE FUNCTION cqs._export_rows(dataset text, organisation_id bigint, period text, lang text)
RETURNS SETOF jsonb
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_from date;
  v_to   date;
  v_orgs bigint[];
BEGIN
  SELECT coalesce(x.first_day, date '-infinity'), coalesce(x.after_day, date 'infinity') INTO v_from, v_to
    FROM cqs._export_period(period) x;
  IF dataset IS NULL THEN
    RAISE EXCEPTION 'dataset must not be NULL' USING ERRCODE = 'invalid_parameter_value',
      HINT = 'One of month_results, quarter_results, year_results, form01, form02, grade_distribution, outbox, overdue, evaluator_todo.';
  END IF;
  PERFORM cqs.export_columns(dataset);            -- 22023 for an unknown dataset
  IF lang IS NULL OR lang NOT IN ('vi', 'en') THEN
    RAISE EXCEPTION 'lang must be ''vi'' or ''en'', got %', coalesce('"' || lang || '"', 'NULL')
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF _export_rows.organisation_id IS NOT NULL THEN
    SELECT array_agg(c.descendant_id) INTO v_orgs
      FROM cqs.organisation_closure c WHERE c.ancestor_id = _export_rows.organisation_id;
    IF v_orgs IS NULL THEN
      RAISE EXCEPTION 'no organisation %', _export_rows.organisation_id USING ERRCODE = 'invalid_parameter_value';
    END IF;
  END IF;

  CASE dataset
  WHEN 'month_results' THEN
    RETURN QUERY
    SELECT jsonb_build_object('person_id', m.person_id, 'personnel_id', m.personnel_id, 'full_name', p.full_name,
             'organisation_id', m.organisation_id, 'organisation_name', o.name, 'year', m.year, 'month', m.month,
             'a', m.a, 'b', m.b, 'c', m.c, 'd', m.d, 'dd', m.dd, 'e', m.e, 'task_score', m.task_score,
             'general_score', m.general_score, 'total', m.total, 'grade', m.grade,
             'grade_label', cqs.grade_label(m.grade, lang), 'status', m.status, 'locked', m.locked, 'stale', m.stale,
             'note', m.note)
      FROM cqs.month_results m
      JOIN cqs.organisation o ON o.organisation_id = m.organisation_id
      LEFT JOIN cqs.person p ON p.person_id = m.person_id
     WHERE m.period >= v_from AND m.period < v_to
       AND (v_orgs IS NULL OR m.organisation_id = ANY (v_orgs))
     ORDER BY m.organisation_id, m.person_id, m.period;
  WHEN 'quarter_results' THEN
    RETURN QUERY
    SELECT jsonb_build_object('person_id', q.person_id, 'personnel_id', p.personnel_id, 'full_name', p.full_name,
             'organisation_id', q.organisation_id, 'organisation_name', o.name, 'year', q.year, 'quarter', q.quarter,
             'cadence', q.cadence, 'months_counted', q.months_counted, 'total', q.total, 'grade', q.grade,
             'grade_label', cqs.grade_label(q.grade, lang))
      FROM cqs.quarter_results q
      JOIN cqs.organisation o ON o.organisation_id = q.organisation_id
      LEFT JOIN cqs.person p ON p.person_id = q.person_id
     WHERE make_date(q.year, q.quarter * 3 - 2, 1) < v_to
       AND (make_date(q.year, q.quarter * 3 - 2, 1) + interval '3 months')::date > v_from
       AND (v_orgs IS NULL OR q.organisation_id = ANY (v_orgs))
     ORDER BY q.organisation_id, q.person_id, q.year, q.quarter;
  WHEN 'year_results' THEN
    RETURN QUERY
    SELECT jsonb_build_object('person_id', y.person_id, 'personnel_id', y.personnel_id, 'full_name', p.full_name,
             'organisation_id', y.organisation_id, 'organisation_name', o.name, 'year', y.year,
             'months_worked', y.months_worked, 'months_counted', y.months_counted, 'mean_total', y.mean_total,
             'score_grade', y.score_grade, 'proposed_grade', y.proposed_grade, 'final_grade', y.final_grade,
             'grade_label', cqs.grade_label(y.final_grade, lang), 'status', y.status, 'decision_ref', y.decision_ref,
             'decided_at', cqs._export_instant(y.decided_at), 'override_reasons', to_jsonb(y.override_reasons),
             'not_graded_reason', y.not_graded_reason, 'missing_periods', to_jsonb(y.missing_periods))
      FROM cqs.year_results y
      JOIN cqs.organisation o ON o.organisation_id = y.organisation_id
      LEFT JOIN cqs.person p ON p.person_id = y.person_id
     WHERE make_date(y.year, 1, 1) < v_to AND make_date(y.year + 1, 1, 1) > v_from
       AND (v_orgs IS NULL OR y.organisation_id = ANY (v_orgs))
     ORDER BY y.organisation_id, y.person_id, y.year;
  WHEN 'form01' THEN
    RETURN QUERY
    SELECT jsonb_build_object('person_id', f.person_id, 'personnel_id', f.personnel_id, 'full_name', f.full_name,
             'organisation_id', f.organisation_id, 'organisation_name', o.name, 'period', f.period,
             'period_kind', coalesce(f.period_kind, 'month'), 'position', f.position, 'criterion_code', f.criterion_code,
             'criterion_name', f.criterion_name, 'max_points', f.max_points, 'self_score', f.self_score,
             'evaluator_score', f.evaluator_score, 'self_total', f.self_total, 'evaluator_total', f.evaluator_total,
             'general_score', f.general_score, 'task_score', f.task_score, 'total', f.total, 'grade', f.grade,
             'grade_label', cqs.grade_label(f.grade, lang), 'strengths', f.strengths, 'shortcomings', f.shortcomings,
             'evaluator_comment', f.evaluator_comment, 'status', f.status)
      FROM cqs.form01 f
      JOIN cqs.organisation o ON o.organisation_id = f.organisation_id
     WHERE f.period < v_to AND cqs.period_end(f.period, coalesce(f.period_kind, 'month')) > v_from
       AND (v_orgs IS NULL OR f.organisation_id = ANY (v_orgs))
     ORDER BY f.organisation_id, f.person_id, f.period, f.position;
  WHEN 'form02' THEN
    RETURN QUERY
    SELECT jsonb_build_object('person_id', f.person_id, 'personnel_id', f.personnel_id, 'full_name', f.full_name,
             'organisation_id', f.organisation_id, 'organisation_name', o.name, 'year', f.year,
             'm01', f.m01, 'm02', f.m02, 'm03', f.m03, 'm04', f.m04, 'm05', f.m05, 'm06', f.m06,
             'm07', f.m07, 'm08', f.m08, 'm09', f.m09, 'm10', f.m10, 'm11', f.m11, 'm12', f.m12,
             'mean_total', f.mean_total, 'self_proposed_grade', f.self_proposed_grade, 'decided_grade', f.decided_grade,
             'grade_label', cqs.grade_label(f.decided_grade, lang), 'decided_at', cqs._export_instant(f.decided_at))
      FROM cqs.form02 f
      JOIN cqs.organisation o ON o.organisation_id = f.organisation_id
     WHERE make_date(f.year, 1, 1) < v_to AND make_date(f.year + 1, 1, 1) > v_from
       AND (v_orgs IS NULL OR f.organisation_id = ANY (v_orgs))
     ORDER BY f.organisation_id, f.person_id, f.year;
  WHEN 'grade_distribution' THEN
    RETURN QUERY
    SELECT jsonb_build_object('year', g.year, 'organisation_id', g.organisation_id, 'organisation_name', g.organisation_name,
             'duty_group', g.duty_group, 'grade', g.grade, 'grade_label', cqs.grade_label(g.grade, lang),
             'status', g.status, 'people', g.people, 'share_percent', g.share_percent, 'decided', g.decided,
             'awaiting_decision', g.awaiting_decision)
      FROM cqs.grade_distribution g
     WHERE make_date(g.year, 1, 1) < v_to AND make_date(g.year + 1, 1, 1) > v_from
       AND (v_orgs IS NULL OR g.organisation_id = ANY (v_orgs))
     ORDER BY g.year, g.organisation_id, g.duty_group, g.grade DESC NULLS LAST, g.status;
  WHEN 'outbox' THEN
    RETURN QUERY
    SELECT jsonb_build_object('item_id', s.item_id, 'kind', s.kind, 'person_id', s.person_id, 'personnel_id', s.personnel_id,
             'organisation_id', s.organisation_id, 'agency_code', s.agency_code, 'period_kind', s.period_kind,
             'period', s.period, 'version', s.version, 'total', s.total, 'grade', s.grade,
             'grade_label', cqs.grade_label(s.grade, lang), 'reference', s.reference,
             'finalised_at', cqs._export_instant(s.finalised_at), 'due_at', cqs._export_instant(s.due_at),
             'batch_id', s.batch_id, 'status', s.status, 'late', s.late, 'problem', s.problem)
      FROM cqs.outbox_status s
     WHERE s.period < v_to
       AND CASE s.period_kind WHEN 'year' THEN (s.period + interval '1 year')::date
                              ELSE cqs.period_end(s.period, s.period_kind) END > v_from
       AND (v_orgs IS NULL OR s.organisation_id = ANY (v_orgs))
     ORDER BY s.item_id;
  WHEN 'overdue' THEN
    RETURN QUERY
    SELECT jsonb_build_object('person_id', d.person_id, 'personnel_id', p.personnel_id, 'full_name', p.full_name,
             'organisation_id', d.organisation_id, 'organisation_name', o.name, 'kind', d.kind,
             'period_or_year_start', d.period_or_year_start, 'period_kind', d.period_kind,
             'assessment_status', d.assessment_status, 'due_on', d.due_on, 'done_on', d.done_on,
             'days_overdue', coalesce(d.done_on, current_date) - d.due_on)
      FROM cqs.overdue d
      JOIN cqs.organisation o ON o.organisation_id = d.organisation_id
      LEFT JOIN cqs.person p ON p.person_id = d.person_id
     WHERE d.period_or_year_start >= v_from AND d.period_or_year_start < v_to
       AND (v_orgs IS NULL OR d.organisation_id = ANY (v_orgs))
     ORDER BY d.organisation_id, d.person_id, d.period_or_year_start, d.kind, d.due_on;
  WHEN 'evaluator_todo' THEN
    RETURN QUERY
    SELECT jsonb_build_object('person_id', t.person_id, 'personnel_id', t.personnel_id, 'full_name', t.full_name,
             'organisation_id', t.organisation_id, 'organisation_name', t.organisation_name, 'period', t.period,
             'period_kind', t.period_kind, 'assessment_status', t.assessment_status, 'action', t.action,
             'self_assessed_at', cqs._export_instant(t.self_assessed_at), 'due_on', t.due_on, 'overdue', t.overdue,
             'days_overdue', t.days_overdue, 'total', t.total, 'grade', t.grade,
             'grade_label', cqs.grade_label(t.grade, lang))
      FROM cqs.evaluator_todo t
     WHERE t.period >= v_from AND t.period < v_to
       AND (v_orgs IS NULL OR t.organisation_id = ANY (v_orgs))
     ORDER BY t.due_on, t.organisation_id, t.person_id, t.period;
  END CASE;
END $$;
COMMENT ON FUNCTION cqs._export_rows(text, bigint, text, text) IS
  'Art. 17, 21, 26: the rows of an export dataset as JSON objects, read through its view with the caller''s rights';

-- ---------------------------------------------------------------------------
-- CSV for Excel: a header row (Vietnamese, or English), one line per row, CRLF after
-- every line, fields quoted as RFC 4180 needs (cqs._csv_field), the UTF-8 byte order
-- mark first so that Excel reads Vietnamese right, ';' between fields (what Excel
-- expects where the decimal mark is a comma) and, on request, the decimal comma.  Free
-- text beginning with = + - @ (or a tab or CR) gets a leading apostrophe, so that a
-- spreadsheet shows it instead of running it as a formula.
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs.export_csv(dataset text, organisation_id bigint DEFAULT NULL, period text DEFAULT NULL,
                               separator text DEFAULT ';', decimal_comma boolean DEFAULT false,
                               bom boolean DEFAULT true, lang text DEFAULT 'vi')
RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_cols record;
  v_keys text[];
  v_kinds text[];
  v_head text;
  v_body text;
BEGIN
  IF separator IS NULL OR length(separator) <> 1 OR separator ~ '["\r\n]' OR separator ~ '[0-9A-Za-z.]' THEN
    RAISE EXCEPTION 'separator must be one character such as ";", "," or a tab, and not a quote, a line break, a letter, a digit or a point, got %',
                    coalesce('"' || separator || '"', 'NULL')
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF decimal_comma IS NULL OR bom IS NULL THEN
    RAISE EXCEPTION 'decimal_comma and bom must be true or false, not NULL' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF lang IS NULL OR lang NOT IN ('vi', 'en') THEN
    RAISE EXCEPTION 'lang must be ''vi'' or ''en'', got %', coalesce('"' || lang || '"', 'NULL')
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT array_agg(c.key ORDER BY c.ordinal), array_agg(c.kind ORDER BY c.ordinal),
         string_agg(cqs._csv_field(CASE lang WHEN 'en' THEN c.header_en ELSE c.header_vi END, separator), separator
                    ORDER BY c.ordinal)
    INTO v_keys, v_kinds, v_head
    FROM cqs.export_columns(dataset) c;

  SELECT string_agg(
           (SELECT string_agg(cqs._csv_field(cqs._export_csv_value(r.j -> k.key, k.kind, decimal_comma, lang), separator),
                              separator ORDER BY k.n)
              FROM unnest(v_keys, v_kinds) WITH ORDINALITY AS k(key, kind, n)) || E'\r\n',
           '' ORDER BY r.n)
    INTO v_body
    FROM cqs._export_rows(dataset, organisation_id, period, lang) WITH ORDINALITY AS r(j, n);

  RETURN CASE WHEN bom THEN chr(65279) ELSE '' END || v_head || E'\r\n' || coalesce(v_body, '');
END $$;
COMMENT ON FUNCTION cqs.export_csv(text, bigint, text, text, boolean, boolean, text) IS
  'Art. 17, 21, 26, Forms 01-02: a dataset as CSV for Excel (UTF-8 with BOM, header row, ";" and CRLF by default, decimal comma on request), the reader''s rows only (row-level security)';

-- One value as a CSV field's text (before quoting).
CREATE FUNCTION cqs._export_csv_list(value jsonb) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT string_agg(x.e, '; ' ORDER BY x.n) FROM jsonb_array_elements_text($1) WITH ORDINALITY AS x(e, n)
$$;
COMMENT ON FUNCTION cqs._export_csv_list(jsonb) IS 'Exports: a JSON array as one CSV text, its elements joined with "; "';

CREATE FUNCTION cqs._export_csv_value(value jsonb, kind text, decimal_comma boolean, lang text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
         WHEN value IS NULL OR jsonb_typeof(value) = 'null' THEN NULL
         WHEN kind = 'number' THEN CASE WHEN decimal_comma THEN replace(value #>> '{}', '.', ',') ELSE value #>> '{}' END
         WHEN kind = 'boolean' THEN CASE WHEN value = 'true'::jsonb THEN CASE lang WHEN 'en' THEN 'yes' ELSE 'có' END
                                         ELSE CASE lang WHEN 'en' THEN 'no' ELSE 'không' END END
         WHEN kind = 'list' THEN cqs._export_csv_list(value)
         WHEN kind = 'text' AND (value #>> '{}') ~ '^[=+@\t\r-]' THEN '''' || (value #>> '{}')
         ELSE value #>> '{}'
       END;
COMMENT ON FUNCTION cqs._export_csv_value(jsonb, text, boolean, text) IS
  'Exports: one value as CSV text: numbers as recorded (decimal comma on request), có/không, lists joined with "; ", free text guarded against spreadsheet formulas';

-- ---------------------------------------------------------------------------
-- JSON for web APIs: one document, numbers as JSON numbers with their recorded decimals
-- (76.70), dates YYYY-MM-DD, instants in UTC, grades as codes with their label.
--   {"schema": "cqs_eval.export", "schema_version": 1, "dataset", "organisation_id",
--    "period", "lang", "row_count", "columns": [{"key", "kind", "header"}], "rows": [{...}]}
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs.export_json(dataset text, organisation_id bigint DEFAULT NULL, period text DEFAULT NULL,
                                lang text DEFAULT 'vi')
RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_rows jsonb;
  v_n    bigint;
BEGIN
  SELECT coalesce(jsonb_agg(r.j ORDER BY r.n), '[]'), count(*) INTO v_rows, v_n
    FROM cqs._export_rows(dataset, organisation_id, period, lang) WITH ORDINALITY AS r(j, n);
  RETURN jsonb_build_object(
    'schema', 'cqs_eval.export', 'schema_version', 1, 'dataset', dataset,
    'organisation_id', organisation_id, 'period', period, 'lang', lang, 'row_count', v_n,
    'columns', (SELECT jsonb_agg(jsonb_build_object('key', c.key, 'kind', c.kind,
                                                    'header', CASE lang WHEN 'en' THEN c.header_en ELSE c.header_vi END)
                                 ORDER BY c.ordinal)
                  FROM cqs.export_columns(dataset) c),
    'rows', v_rows);
END $$;
COMMENT ON FUNCTION cqs.export_json(text, bigint, text, text) IS
  'Art. 17, 21, 26, Forms 01-02: a dataset as one JSON document for web APIs (schema cqs_eval.export 1), numbers as recorded, the reader''s rows only (row-level security)';
