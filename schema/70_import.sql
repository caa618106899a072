-- ---------------------------------------------------------------------------
-- Layer 7b: the CSV loaders (issue 10, "Taking work in"; DOMAIN.md sections 2, 4, 10).
--
-- A city starts from Excel: its organisation tree, its people and their postings, task
-- lines, leave and discipline, and -- for a city starting mid-year -- the monthly totals
-- its previous system notified.  Every loader reads a file the way the catalogue import
-- does: every problem at once, each with its line and column, and nothing imported when
-- anything is wrong.  It accepts what Excel writes in Viet Nam: UTF-8 with or without a
-- BOM, "," or ";", decimal commas, dates as dd/mm/yyyy, Vietnamese or English headers
-- (accents, case and punctuation ignored), Vietnamese values ("Khiển trách", "Nghỉ ốm").
--
--   cqs.parse_csv(content, delimiter)   the C reader (src/csv.c): one pass, linear
--   cqs.csv_format(kind), csv_value()   the columns of each kind and their header names
--   cqs.csv_problems(kind, content)     every problem, as rows (a dry run)
--   cqs.load_csv(kind, content)         load all or nothing; 22023 (42501) listing them
--
-- The loaders run with the caller's rights (SECURITY INVOKER): they write the record
-- tables like anyone, so grants, row-level security, the audit trail and the triggers
-- that mark results stale apply exactly as to a hand-written INSERT (the one writer
-- then recomputes).  What the caller may not write is reported as a problem first (and
-- the load refused with 42501), so a personnel section learns every line outside its
-- mandate at once.  Working tables live in pg_temp and are dropped at commit.
-- ---------------------------------------------------------------------------

-- The CSV reader (src/csv.c).  delimiter '' (the default): "," or ";", whichever the
-- header holds more of.
CREATE FUNCTION cqs.parse_csv(content text, delimiter text DEFAULT '')
RETURNS TABLE (line_no integer, fields text[])
AS 'MODULE_PATHNAME', 'parse_csv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1000;
COMMENT ON FUNCTION cqs.parse_csv(text, text) IS
  'Art. 13, issue 10: RFC 4180 CSV reader, linear in the file''s size: UTF-8 BOM, "," or ";" (detected from the header when delimiter is ''''), CRLF/LF/CR, quoted fields with line breaks; one row per record with the line it starts on; empty records skipped; 22023 naming the line of an unclosed quote';

-- A header or a value as a key: accents, case, spaces and punctuation ignored
-- ("Điểm chấm (khoảng)" -> diem_cham_khoang, "Khiển trách" -> khien_trach).
CREATE FUNCTION cqs.csv_key(txt text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN pg_catalog.btrim(pg_catalog.regexp_replace(
         pg_catalog.translate(pg_catalog.lower(pg_catalog.normalize(txt, 'NFC')), 'ÀÁÂÃÈÉÊÌÍÎÒÓÔÕÙÚÛÝàáâãèéêìíîòóôõùúûýĂăĔĕĨĩĬĭŎŏŨũŬŭŶŷƠơƯưṌṍṸṹẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹđĐ', 'aaaaeeeiiioooouuuyaaaaeeeiiioooouuuyaaeeiiiioouuuuyyoouuoouuaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyydd'),
         '[^a-z0-9]+', '_', 'g'), '_');
COMMENT ON FUNCTION cqs.csv_key(text) IS
  'Issue 10: a CSV header or value as a key, Vietnamese accents, case and punctuation ignored (Điểm chấm (khoảng) -> diem_cham_khoang)';

-- The columns of every kind of file, with the header names accepted for each (the
-- English name itself is always accepted).  value_type: text, decimal (2,5 or 2.5),
-- integer, date (dd/mm/yyyy or yyyy-mm-dd), month (mm/yyyy or yyyy-mm), boolean (x,
-- có, 1 / empty, không, 0), choice (cqs.csv_value).
CREATE FUNCTION cqs.csv_format(kind text DEFAULT NULL)
RETURNS TABLE (kind text, column_no integer, column_name text, required boolean, value_type text,
               header_names text[], description text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
  SELECT f.* FROM (VALUES
  ('organisation', 1, 'code', true, 'text', '{"mã đơn vị","mã cơ quan","mã tổ chức","mã"}'::text[], 'the organisation''s code (unique)'),
  ('organisation', 2, 'name', true, 'text', '{"tên đơn vị","tên cơ quan","tên tổ chức","tên"}', 'its name'),
  ('organisation', 3, 'kind', true, 'choice', '{"loại","loại đơn vị","loại tổ chức","cấp"}', 'managing_agency (cơ quan quản lý), using_agency (cơ quan sử dụng), unit (đơn vị trực tiếp sử dụng)'),
  ('organisation', 4, 'parent_code', false, 'text', '{"mã cấp trên","mã đơn vị cấp trên","cấp trên","đơn vị cấp trên","parent"}', 'the code of the organisation above (already recorded, or anywhere in the file)'),
  ('organisation', 5, 'cadence', false, 'choice', '{"chu kỳ","chu kỳ đánh giá","kỳ đánh giá"}', 'monthly (hằng tháng) or quarterly (hằng quý); empty: inherited'),
  ('organisation', 6, 'lateness_mode', false, 'choice', '{"cách tính chậm","cách tính chậm muộn"}', 'per_day (mỗi ngày chậm) or per_occurrence (mỗi lần chậm); empty: inherited'),
  ('organisation', 7, 'lateness_policy_ref', false, 'text', '{"văn bản cách tính chậm","căn cứ cách tính chậm"}', 'the regulation that chose the lateness unit'),
  ('organisation', 8, 'cap_mode', false, 'choice', '{"cách giới hạn","giới hạn 100"}', 'total (kết quả chung) or each (từng tiêu chí); empty: inherited'),
  ('organisation', 9, 'decimals', false, 'integer', '{"số chữ số thập phân","số lẻ"}', 'decimals of the recorded totals (0-4); empty: inherited'),
  ('organisation', 10, 'special_deadline', false, 'boolean', '{"hạn đặc biệt","xếp loại trước 15/01"}', 'x: graded by 15/01 next year (Art. 19.2)'),
  ('organisation', 11, 'field', false, 'text', '{"lĩnh vực"}', 'the field (lĩnh vực) a division is assigned to'),
  ('organisation', 12, 'agency_code', false, 'text', '{"mã định danh","mã định danh cơ quan"}', 'Decision 20/2020 code, e.g. H56.01.02.A01'),
  ('organisation', 13, 'evaluation_start', false, 'month', '{"tháng bắt đầu","tháng bắt đầu đánh giá","bắt đầu đánh giá"}', 'first month evaluated under the decree (a city starting mid-year)'),
  ('organisation', 14, 'self_assessment_due_day', false, 'integer', '{"hạn tự đánh giá"}', 'day of the next month self-assessment is due (1-28)'),
  ('organisation', 15, 'confirmation_due_day', false, 'integer', '{"hạn xác nhận","hạn đánh giá"}', 'day of the next month confirmation is due (1-28)'),
  ('person', 1, 'personnel_id', true, 'text', '{"mã hồ sơ","mã hồ sơ cbccvc","mã cán bộ","mã công chức","số hiệu công chức"}', 'the national personnel-record id (mã hồ sơ), unique'),
  ('person', 2, 'full_name', true, 'text', '{"họ và tên","họ tên","tên"}', 'full name'),
  ('person', 3, 'kind', false, 'choice', '{"loại","đối tượng"}', 'civil_servant (công chức, the default) or support_staff (người lao động)'),
  ('person', 4, 'party_member', false, 'boolean', '{"đảng viên"}', 'x: a Party member'),
  ('person', 5, 'personal_id_number', false, 'text', '{"số định danh","số định danh cá nhân","cccd","số cccd"}', '12 digits; the key of the national database'),
  ('posting', 1, 'personnel_id', true, 'text', '{"mã hồ sơ","mã hồ sơ cbccvc","mã cán bộ","mã công chức","số hiệu công chức"}', 'the person (already recorded)'),
  ('posting', 2, 'organisation_code', true, 'text', '{"mã đơn vị","đơn vị","mã cơ quan"}', 'where they are posted'),
  ('posting', 3, 'role', false, 'choice', '{"chức vụ","vai trò"}', 'staff (công chức, the default), deputy (cấp phó) or head (cấp trưởng)'),
  ('posting', 4, 'field', false, 'text', '{"lĩnh vực","lĩnh vực phụ trách"}', 'a deputy''s assigned field (required for deputies)'),
  ('posting', 5, 'job_position', false, 'text', '{"vị trí việc làm"}', 'job position'),
  ('posting', 6, 'duty_group', false, 'text', '{"nhóm nhiệm vụ","nhóm có nhiệm vụ tương đồng"}', 'group with similar duties (Art. 20.5); default chung'),
  ('posting', 7, 'start_date', true, 'date', '{"ngày bắt đầu","từ ngày"}', 'first day'),
  ('posting', 8, 'end_date', false, 'date', '{"ngày kết thúc","đến ngày"}', 'last day; empty: open'),
  ('task_line', 1, 'personnel_id', true, 'text', '{"mã hồ sơ","mã hồ sơ cbccvc","mã cán bộ","mã công chức"}', 'who the task is assigned to'),
  ('task_line', 2, 'period', true, 'month', '{"kỳ","tháng","kỳ đánh giá"}', 'the month (03/2026 or 2026-03)'),
  ('task_line', 3, 'organisation_code', false, 'text', '{"mã đơn vị","đơn vị"}', 'where; empty: the person''s posting that month'),
  ('task_line', 4, 'item_code', false, 'text', '{"mã sản phẩm","mã công việc","mã danh mục"}', 'the catalogue item (catalogue in force that month)'),
  ('task_line', 5, 'similar_item_code', false, 'text', '{"mã sản phẩm tương tự","tương tự"}', 'an off-catalogue task priced like this item (Art. 13.3)'),
  ('task_line', 6, 'title', false, 'text', '{"tên nhiệm vụ","nội dung","tên công việc","nhiệm vụ"}', 'what was assigned (required off-catalogue)'),
  ('task_line', 7, 'coefficient', false, 'decimal', '{"hệ số","hệ số quy đổi"}', 'fixed at assignment; empty: the item''s (required for a range)'),
  ('task_line', 8, 'assigned_qty', true, 'decimal', '{"số lượng giao","khối lượng giao","số lượng"}', 'quantity assigned'),
  ('task_line', 9, 'deadline', true, 'date', '{"hạn","hạn hoàn thành","thời hạn"}', 'deadline (Art. 18.1.b)'),
  ('task_line', 10, 'completed_qty', false, 'decimal', '{"số lượng hoàn thành","khối lượng hoàn thành","hoàn thành"}', 'quantity completed'),
  ('task_line', 11, 'completed_on', false, 'date', '{"ngày hoàn thành"}', 'completion date'),
  ('task_line', 12, 'quality_failures', false, 'integer', '{"số lần không đạt","lỗi chất lượng"}', 'failed quality reviews of the whole line'),
  ('task_line', 13, 'late_occurrences', false, 'integer', '{"số lần chậm"}', 'delays (per-occurrence policy); empty: from the dates'),
  ('task_line', 14, 'origin', false, 'choice', '{"nguồn","nguồn gốc"}', 'planned (kế hoạch, the default), reassigned_away, taken_over, ad_hoc (đột xuất)'),
  ('task_line', 15, 'external_source', false, 'text', '{"hệ thống nguồn"}', 'the system it came from'),
  ('task_line', 16, 'external_id', false, 'text', '{"mã nhiệm vụ ngoài","mã ngoài"}', 'its id there (unique per source)'),
  ('leave', 1, 'personnel_id', true, 'text', '{"mã hồ sơ","mã hồ sơ cbccvc","mã cán bộ","mã công chức"}', 'who'),
  ('leave', 2, 'kind', true, 'choice', '{"loại","loại nghỉ"}', 'sick (nghỉ ốm), maternity (thai sản), unpaid (không lương), other (khác)'),
  ('leave', 3, 'start_date', true, 'date', '{"ngày bắt đầu","từ ngày"}', 'first day'),
  ('leave', 4, 'end_date', true, 'date', '{"ngày kết thúc","đến ngày"}', 'last day'),
  ('leave', 5, 'note', false, 'text', '{"ghi chú"}', 'note'),
  ('discipline', 1, 'personnel_id', true, 'text', '{"mã hồ sơ","mã hồ sơ cbccvc","mã cán bộ","mã công chức"}', 'who'),
  ('discipline', 2, 'kind', true, 'choice', '{"loại","loại kỷ luật"}', 'administrative (hành chính) or party (đảng)'),
  ('discipline', 3, 'level', true, 'choice', '{"hình thức","hình thức kỷ luật","mức"}', 'khien_trach, canh_cao, ha_bac_luong, giang_chuc, cach_chuc, buoc_thoi_viec, khai_tru'),
  ('discipline', 4, 'decision_date', true, 'date', '{"ngày quyết định"}', 'date of the decision'),
  ('discipline', 5, 'decision_ref', true, 'text', '{"số quyết định","quyết định"}', 'its reference'),
  ('discipline', 6, 'act_ref', true, 'text', '{"hành vi","mã hành vi"}', 'the act punished (Party and administrative discipline for one act share it)'),
  ('discipline', 7, 'act_description', false, 'text', '{"mô tả hành vi","nội dung vi phạm"}', 'what happened'),
  ('discipline', 8, 'act_organisation_code', false, 'text', '{"nơi vi phạm","đơn vị vi phạm","mã đơn vị vi phạm"}', 'where the act happened; empty: the posting on the decision date'),
  ('discipline', 9, 'public_duty_or_degradation', false, 'boolean', '{"vi phạm công vụ"}', 'x (default): a public-duty violation or degradation (Art. 11.3.a)'),
  ('imported_total', 1, 'personnel_id', true, 'text', '{"mã hồ sơ","mã hồ sơ cbccvc","mã cán bộ","mã công chức"}', 'who'),
  ('imported_total', 2, 'period', true, 'month', '{"kỳ","tháng"}', 'the month'),
  ('imported_total', 3, 'organisation_code', false, 'text', '{"mã đơn vị","đơn vị"}', 'where they were evaluated; empty: the posting that month'),
  ('imported_total', 4, 'total', true, 'decimal', '{"tổng điểm","điểm","kết quả"}', 'the monthly total notified then (0-100)'),
  ('imported_total', 5, 'source', true, 'text', '{"hệ thống","hệ thống cũ","nguồn"}', 'the previous system'),
  ('imported_total', 6, 'reference', true, 'text', '{"văn bản","số văn bản","căn cứ"}', 'the document that notified it'),
  ('catalogue', 1, 'code', true, 'text', '{"stt","mã","mã sản phẩm","mục"}', 'item code (unique)'),
  ('catalogue', 2, 'name', true, 'text', '{"tên","nhóm nhiệm vụ","tên sản phẩm","tên sản phẩm/công việc","sản phẩm/công việc","nội dung"}', 'item name'),
  ('catalogue', 3, 'output_unit', true, 'text', '{"sản phẩm đầu ra","đơn vị tính"}', 'the output (sản phẩm đầu ra)'),
  ('catalogue', 4, 'group', true, 'text', '{"phân nhóm","nhóm"}', 'N1..N5'),
  ('catalogue', 5, 'group_max', false, 'text', '{"khung điểm","phân khung nhóm điểm","khung điểm nhóm","điểm tối đa nhóm"}', 'the group''s maximum (≤300 or 300); empty: 100 x group'),
  ('catalogue', 6, 'points', true, 'text', '{"điểm","điểm chấm","điểm chấm (khoảng)","điểm (khoảng)"}', '5, 40-80, 200–280 or 5 (chuẩn)'),
  ('catalogue', 7, 'standard', false, 'text', '{"chuẩn","sản phẩm chuẩn"}', 'x marks the standard unit (or write 5 (chuẩn) in points)'),
  ('catalogue', 8, 'coefficient', false, 'text', '{"hệ số","hệ số quy đổi"}', 'checked against points ÷ standard points'),
  ('catalogue', 9, 'source', false, 'text', '{"tham chiếu","nguồn"}', 'kept out (a reference for readers)')
  ) AS f(kind, column_no, column_name, required, value_type, header_names, description)
   WHERE $1 IS NULL OR f.kind = $1
   ORDER BY f.kind, f.column_no
$$;
COMMENT ON FUNCTION cqs.csv_format(text) IS
  'Issue 10 (Art. 10, 11, 13, 17.3, 18): the columns of each CSV kind (organisation, person, posting, task_line, leave, discipline, imported_total, catalogue), required or not, their type and the Vietnamese and English header names accepted';

-- The values a choice column accepts: the value itself or a Vietnamese name.
CREATE FUNCTION cqs.csv_value(kind text DEFAULT NULL)
RETURNS TABLE (kind text, column_name text, value text, names text[])
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
  SELECT v.* FROM (VALUES
  ('organisation', 'kind', 'managing_agency', '{"cơ quan quản lý","quản lý"}'::text[]),
  ('organisation', 'kind', 'using_agency', '{"cơ quan sử dụng","sử dụng"}'),
  ('organisation', 'kind', 'unit', '{"đơn vị","đơn vị trực tiếp sử dụng","cơ quan trực tiếp sử dụng","phòng"}'),
  ('organisation', 'cadence', 'monthly', '{"tháng","hằng tháng","hàng tháng"}'),
  ('organisation', 'cadence', 'quarterly', '{"quý","hằng quý","hàng quý"}'),
  ('organisation', 'lateness_mode', 'per_day', '{"theo ngày","mỗi ngày","ngày"}'),
  ('organisation', 'lateness_mode', 'per_occurrence', '{"theo lần","mỗi lần","lần"}'),
  ('organisation', 'cap_mode', 'total', '{"tổng","kết quả chung"}'),
  ('organisation', 'cap_mode', 'each', '{"từng tiêu chí"}'),
  ('person', 'kind', 'civil_servant', '{"công chức"}'),
  ('person', 'kind', 'support_staff', '{"người lao động","lao động hợp đồng","hỗ trợ phục vụ"}'),
  ('posting', 'role', 'staff', '{"công chức","chuyên viên","nhân viên"}'),
  ('posting', 'role', 'deputy', '{"cấp phó","phó","phó trưởng phòng","phó giám đốc","phó chánh văn phòng","phó chủ tịch"}'),
  ('posting', 'role', 'head', '{"cấp trưởng","trưởng","trưởng phòng","giám đốc","chánh văn phòng","chủ tịch"}'),
  ('task_line', 'origin', 'planned', '{"kế hoạch","theo kế hoạch","được giao"}'),
  ('task_line', 'origin', 'reassigned_away', '{"chuyển cho người khác","chuyển giao"}'),
  ('task_line', 'origin', 'taken_over', '{"nhận từ đồng nghiệp","nhận lại"}'),
  ('task_line', 'origin', 'ad_hoc', '{"đột xuất","phát sinh"}'),
  ('leave', 'kind', 'sick', '{"ốm","nghỉ ốm"}'),
  ('leave', 'kind', 'maternity', '{"thai sản","nghỉ thai sản"}'),
  ('leave', 'kind', 'unpaid', '{"không lương","nghỉ không lương","không hưởng lương","nghỉ không hưởng lương"}'),
  ('leave', 'kind', 'other', '{"khác"}'),
  ('discipline', 'kind', 'administrative', '{"hành chính","chính quyền"}'),
  ('discipline', 'kind', 'party', '{"đảng"}'),
  ('discipline', 'level', 'khien_trach', '{"khiển trách"}'),
  ('discipline', 'level', 'canh_cao', '{"cảnh cáo"}'),
  ('discipline', 'level', 'ha_bac_luong', '{"hạ bậc lương"}'),
  ('discipline', 'level', 'giang_chuc', '{"giáng chức"}'),
  ('discipline', 'level', 'cach_chuc', '{"cách chức"}'),
  ('discipline', 'level', 'buoc_thoi_viec', '{"buộc thôi việc"}'),
  ('discipline', 'level', 'khai_tru', '{"khai trừ"}')
  ) AS v(kind, column_name, value, names)
   WHERE $1 IS NULL OR v.kind = $1
$$;
COMMENT ON FUNCTION cqs.csv_value(text) IS
  'Issue 10 (Art. 3, 10, 11.2, 18.1.d, 20.4): the values of each CSV choice column (organisation kind, role, leave kind, discipline level, task origin, ...) and the Vietnamese names accepted for them';

-- ---------------------------------------------------------------------------
-- Values as Excel writes them in Viet Nam.  Each returns NULL when the text is not one.
-- ---------------------------------------------------------------------------

-- A decimal with a decimal comma or point ("2,5", "2.5", "80"); no thousands separators.
CREATE FUNCTION cqs.csv_decimal(txt text) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN pg_catalog.btrim(txt) OPERATOR(pg_catalog.~) '^[+-]?[0-9]{1,15}([.,][0-9]{1,15})?$'
            THEN pg_catalog.replace(pg_catalog.btrim(txt), ',', '.')::numeric END;
COMMENT ON FUNCTION cqs.csv_decimal(text) IS
  'Art. 13, HB ch. II: a number as written in a Vietnamese spreadsheet (2,5 or 2.5); NULL if it is not one';

-- A day: dd/mm/yyyy (also with - or .), d/m/yyyy, or yyyy-mm-dd.
CREATE FUNCTION cqs.csv_date(txt text) RETURNS date
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  m text[];
  y integer;
  mo integer;
  d integer;
BEGIN
  m := regexp_match(btrim(txt), '^([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})$');
  IF m IS NOT NULL THEN
    d := m[1]::integer; mo := m[2]::integer; y := m[3]::integer;
  ELSE
    m := regexp_match(btrim(txt), '^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$');
    IF m IS NULL THEN
      RETURN NULL;
    END IF;
    y := m[1]::integer; mo := m[2]::integer; d := m[3]::integer;
  END IF;
  IF y NOT BETWEEN 1900 AND 2200 OR mo NOT BETWEEN 1 AND 12 OR d < 1
     OR d > extract(day FROM make_date(y, mo, 1) + interval '1 month - 1 day') THEN
    RETURN NULL;
  END IF;
  RETURN make_date(y, mo, d);
END $$;
COMMENT ON FUNCTION cqs.csv_date(text) IS
  'Art. 18.1.b: a day as written in Viet Nam (dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy) or ISO (yyyy-mm-dd); NULL if it is not a real day';

-- A month: mm/yyyy, m/yyyy, "tháng 3/2026", "T3/2026", yyyy-mm, or the first day of it.
CREATE FUNCTION cqs.csv_month(txt text) RETURNS date
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  k text := cqs.csv_key(txt);
  m text[];
  v date;
BEGIN
  m := regexp_match(k, '^(?:thang_|thg_|t)?([0-9]{1,2})_(?:nam_)?([0-9]{4})$');
  IF m IS NOT NULL THEN
    IF m[1]::integer BETWEEN 1 AND 12 AND m[2]::integer BETWEEN 1900 AND 2200 THEN
      RETURN make_date(m[2]::integer, m[1]::integer, 1);
    END IF;
    RETURN NULL;
  END IF;
  m := regexp_match(btrim(txt), '^([0-9]{4})-([0-9]{1,2})$');
  IF m IS NOT NULL THEN
    IF m[2]::integer BETWEEN 1 AND 12 AND m[1]::integer BETWEEN 1900 AND 2200 THEN
      RETURN make_date(m[1]::integer, m[2]::integer, 1);
    END IF;
    RETURN NULL;
  END IF;
  v := cqs.csv_date(txt);
  RETURN CASE WHEN extract(day FROM v) = 1 THEN v END;
END $$;
COMMENT ON FUNCTION cqs.csv_month(text) IS
  'Art. 12, 17: an evaluation month as written in Viet Nam (03/2026, tháng 3/2026, T3/2026), ISO (2026-03) or its first day; NULL otherwise';

-- Yes or no: x, có, yes, 1, true / empty, không, no, 0, false.
CREATE FUNCTION cqs.csv_boolean(txt text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN cqs.csv_key(txt) OPERATOR(pg_catalog.=) ANY (ARRAY['x', 'co', 'yes', 'y', '1', 'true', 'dung', 'v'])
            THEN true
            WHEN pg_catalog.btrim(txt) OPERATOR(pg_catalog.=) ANY (ARRAY['', '-'])
              OR cqs.csv_key(txt) OPERATOR(pg_catalog.=) ANY (ARRAY['khong', 'no', 'n', '0', 'false', 'sai'])
            THEN false END;
COMMENT ON FUNCTION cqs.csv_boolean(text) IS
  'Issue 10: yes or no as written in a spreadsheet (x, có, 1 / empty, không, 0); NULL otherwise';

-- ---------------------------------------------------------------------------
-- Reading a file into working tables (pg_temp, dropped at commit):
--   _cqs_csv_row      line_no, r: the row's values by column, normalised (dates ISO,
--                     numbers with a point, choices as their value); bad values left out
--   _cqs_csv_problem  line_no, column_name, value, problem, privilege (a line outside
--                     the caller's rights)
-- Returns false when the header is unusable (a required column missing, an empty file):
-- the rows cannot be read then.
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs._csv_read(p_kind text, p_content text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp SET client_min_messages = warning SET jit = off AS $$
DECLARE
  v_hline  integer;
  v_header text[];
  v_cols   text[] := '{}';
  v_key    text;
  v_col    text;
  v_n      integer;
  v_ok     boolean := true;
  r        record;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM cqs.csv_format(p_kind)) THEN
    RAISE EXCEPTION 'no CSV kind "%"', p_kind
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Kinds: ' || (SELECT string_agg(DISTINCT f.kind, ', ') FROM cqs.csv_format() f) || '.';
  END IF;
  -- The working tables live until commit; a second file in the same transaction (or
  -- another role of the same session, after SET ROLE) empties and reuses them.
  CREATE TEMP TABLE IF NOT EXISTS _cqs_csv_raw (line_no integer, fields text[]) ON COMMIT DROP;
  CREATE TEMP TABLE IF NOT EXISTS _cqs_csv_row (line_no integer PRIMARY KEY, r jsonb NOT NULL) ON COMMIT DROP;
  CREATE TEMP TABLE IF NOT EXISTS _cqs_csv_problem (line_no integer, column_name text, value text, problem text NOT NULL,
                                                    privilege boolean NOT NULL DEFAULT false) ON COMMIT DROP;
  CREATE TEMP TABLE IF NOT EXISTS _cqs_csv_cell (line_no integer, column_name text, value_type text, column_no integer,
                                                 value text, norm text) ON COMMIT DROP;
  IF (SELECT c.relowner FROM pg_class c WHERE c.oid = 'pg_temp._cqs_csv_raw'::regclass)
     = (SELECT ro.oid FROM pg_roles ro WHERE ro.rolname = current_user) THEN
    GRANT ALL ON pg_temp._cqs_csv_raw, pg_temp._cqs_csv_row, pg_temp._cqs_csv_problem, pg_temp._cqs_csv_cell TO PUBLIC;
  END IF;
  TRUNCATE _cqs_csv_raw, _cqs_csv_row, _cqs_csv_problem, _cqs_csv_cell;
  INSERT INTO _cqs_csv_raw SELECT * FROM cqs.parse_csv(p_content, '');
  SELECT x.line_no, x.fields INTO v_hline, v_header FROM _cqs_csv_raw x ORDER BY x.line_no LIMIT 1;
  IF v_hline IS NULL THEN
    INSERT INTO _cqs_csv_problem (line_no, problem) VALUES (1, 'the file is empty');
    RETURN false;
  END IF;

  -- The header: each name to a column (accents, case and punctuation ignored).
  v_n := cardinality(v_header);
  FOR i IN 1 .. v_n LOOP
    v_key := cqs.csv_key(v_header[i]);
    SELECT f.column_name INTO v_col FROM cqs.csv_format(p_kind) f
     WHERE cqs.csv_key(f.column_name) = v_key
        OR v_key = ANY (ARRAY(SELECT cqs.csv_key(h) FROM unnest(f.header_names) h))
     ORDER BY f.column_no LIMIT 1;
    IF v_col IS NULL AND v_key <> '' AND v_key NOT IN ('stt', 'ghi_chu', 'note', 'notes') THEN
      INSERT INTO _cqs_csv_problem (line_no, column_name, problem)
      VALUES (v_hline, v_header[i],
              format('column %s "%s" is not a column of a %s file (columns: %s)', i, v_header[i], p_kind,
                     (SELECT string_agg(f.column_name, ', ' ORDER BY f.column_no) FROM cqs.csv_format(p_kind) f)));
    ELSIF v_col IS NOT NULL AND v_col = ANY (v_cols) THEN
      INSERT INTO _cqs_csv_problem (line_no, column_name, problem)
      VALUES (v_hline, v_col, format('columns %s and %s are both "%s"', array_position(v_cols, v_col), i, v_col));
      v_col := NULL;
    END IF;
    v_cols := v_cols || v_col;
  END LOOP;
  FOR r IN SELECT f.column_name, f.header_names FROM cqs.csv_format(p_kind) f
            WHERE f.required AND NOT f.column_name = ANY (v_cols) ORDER BY f.column_no LOOP
    INSERT INTO _cqs_csv_problem (line_no, column_name, problem)
    VALUES (v_hline, r.column_name, format('the header has no column "%s" (or %s)', r.column_name,
                                           (SELECT string_agg(format('"%s"', h), ', ') FROM unnest(r.header_names) h)));
    v_ok := false;
  END LOOP;
  IF NOT v_ok THEN
    RETURN false;
  END IF;

  -- Lines with more or fewer fields than the header (empty trailing fields are fine):
  -- their values are not where the header says, so they are reported and not read.
  WITH bad AS (
    DELETE FROM _cqs_csv_raw x
     WHERE x.line_no > v_hline
       AND (cardinality(x.fields) < v_n
            OR EXISTS (SELECT 1 FROM unnest(x.fields[v_n + 1 :]) e WHERE btrim(e) <> ''))
    RETURNING x.line_no, cardinality(x.fields) AS n
  )
  INSERT INTO _cqs_csv_problem (line_no, problem)
  SELECT bad.line_no, format('has %s fields, the header has %s', bad.n, v_n) FROM bad;

  -- Every non-empty cell of a known column, with its value normalised by type.
  -- (Each distinct value of a typed column is read once: a file repeats its dates, months
  -- and choices.)
  INSERT INTO _cqs_csv_cell (line_no, column_name, value_type, column_no, value, norm)
  WITH choice AS (
    SELECT v.column_name, cqs.csv_key(v.value) AS key, v.value FROM cqs.csv_value(p_kind) v
    UNION
    SELECT v.column_name, cqs.csv_key(n), v.value FROM cqs.csv_value(p_kind) v, unnest(v.names) n
  ), cells AS (
    SELECT x.line_no, c.column_name, f.value_type, f.column_no, btrim(e.v, E' \t\u00a0') AS value
      FROM _cqs_csv_raw x
      CROSS JOIN LATERAL unnest(x.fields[1 : v_n]) WITH ORDINALITY AS e(v, i)
      JOIN unnest(v_cols) WITH ORDINALITY AS c(column_name, i) ON c.i = e.i
      JOIN cqs.csv_format(p_kind) f ON f.column_name = c.column_name
     WHERE x.line_no > v_hline AND c.column_name IS NOT NULL
  ), typed AS (
    SELECT DISTINCT c.column_name, c.value_type, c.value FROM cells c WHERE c.value_type <> 'text' AND c.value <> ''
  ), normalised AS (
    SELECT t.column_name, t.value,
           CASE t.value_type
             WHEN 'decimal' THEN cqs.csv_decimal(t.value)::text
             WHEN 'integer' THEN CASE WHEN t.value ~ '^[0-9]{1,9}$' THEN t.value::integer::text END
             WHEN 'date' THEN cqs.csv_date(t.value)::text
             WHEN 'month' THEN cqs.csv_month(t.value)::text
             WHEN 'boolean' THEN cqs.csv_boolean(t.value)::text
             WHEN 'choice' THEN (SELECT ch.value FROM choice ch
                                  WHERE ch.column_name = t.column_name AND ch.key = cqs.csv_key(t.value) LIMIT 1)
           END AS norm
      FROM typed t
  )
  SELECT c.line_no, c.column_name, c.value_type, c.column_no, c.value,
         CASE WHEN c.value_type = 'text' THEN c.value ELSE n.norm END
    FROM cells c
    LEFT JOIN normalised n ON n.column_name = c.column_name AND n.value = c.value
   WHERE c.value <> '';

  INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
  SELECT c.line_no, c.column_name, c.value,
         CASE c.value_type
           WHEN 'decimal' THEN format('%s "%s" is not a number (write 2,5 or 2.5)', c.column_name, c.value)
           WHEN 'integer' THEN format('%s "%s" is not a whole number', c.column_name, c.value)
           WHEN 'date' THEN format('%s "%s" is not a day (write dd/mm/yyyy or yyyy-mm-dd)', c.column_name, c.value)
           WHEN 'month' THEN format('%s "%s" is not a month (write mm/yyyy or yyyy-mm)', c.column_name, c.value)
           WHEN 'boolean' THEN format('%s "%s" is not yes or no (write x, or leave it empty)', c.column_name, c.value)
           ELSE format('%s "%s" is not one of: %s', c.column_name, c.value,
                       (SELECT string_agg(v.value || coalesce(' (' || v.names[1] || ')', ''), ', ')
                          FROM cqs.csv_value(p_kind) v WHERE v.column_name = c.column_name))
         END
    FROM _cqs_csv_cell c WHERE c.norm IS NULL;

  IF (SELECT c.relowner FROM pg_class c WHERE c.oid = 'pg_temp._cqs_csv_raw'::regclass)
     = (SELECT ro.oid FROM pg_roles ro WHERE ro.rolname = current_user) THEN
    ANALYZE _cqs_csv_cell;
  END IF;
  INSERT INTO _cqs_csv_row (line_no, r)
  SELECT x.line_no, coalesce(g.r, '{}')
    FROM _cqs_csv_raw x
    LEFT JOIN (SELECT c.line_no, jsonb_object_agg(c.column_name, c.norm) AS r FROM _cqs_csv_cell c
                WHERE c.norm IS NOT NULL GROUP BY c.line_no) g ON g.line_no = x.line_no
   WHERE x.line_no > v_hline;

  -- Required values.
  INSERT INTO _cqs_csv_problem (line_no, column_name, problem)
  SELECT w.line_no, f.column_name, format('%s is empty', f.column_name)
    FROM _cqs_csv_row w JOIN cqs.csv_format(p_kind) f ON f.required
   WHERE NOT w.r ? f.column_name
     AND NOT EXISTS (SELECT 1 FROM _cqs_csv_cell c WHERE c.line_no = w.line_no AND c.column_name = f.column_name);
  RETURN true;
END $$;
COMMENT ON FUNCTION cqs._csv_read(text, text) IS
  'Issue 10: read a CSV of a kind into pg_temp working tables: header mapped (Vietnamese or English names), values normalised by type, every problem with its line and column';

-- A problem of a line: the helper every check below uses.
-- (Each check is one set-based statement over the working tables: linear in the file.)

-- The personnel ids among these that are recorded, whoever may read them: a person
-- recorded but outside the caller's sight must be reported, not inserted twice (the
-- answer is only whether an id is taken, never who holds it).
CREATE FUNCTION cqs._personnel_ids_taken(ids text[]) RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(array_agg(p.personnel_id), '{}') FROM cqs.person p WHERE p.personnel_id = ANY ($1)
$$;
COMMENT ON FUNCTION cqs._personnel_ids_taken(text[]) IS
  'Issue 10: which of these personnel-record ids (mã hồ sơ) are already recorded (a person loader reports them instead of failing on 23505)';

-- The checks of each kind, after cqs._csv_read: references resolved into r (person_id,
-- organisation_id, item_id, ...), every rule the tables hold that a file can break
-- reported with its line, and lines outside the caller's rights marked privilege.
CREATE FUNCTION cqs._csv_check(p_kind text) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
  v_super  boolean := cqs.acting_person() IS NULL AND cqs._is_superuser(cqs._actor_login());
  v_orgs   bigint[] := cqs._personnel_organisations();
  v_people bigint[];
  v_who    text := format('%s (person %s)', cqs._actor_login(), coalesce(cqs.acting_person()::text, 'none'));
BEGIN
  -- Duplicates within the file, by each kind's key.
  INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
  SELECT d.line_no, d.col, d.val, format('%s "%s" repeats line %s', d.col, d.val, d.first_line)
    FROM (SELECT w.line_no, k.col, w.r ->> k.col AS val,
                 min(w.line_no) OVER (PARTITION BY w.r ->> k.col) AS first_line
            FROM _cqs_csv_row w,
                 (SELECT CASE p_kind WHEN 'organisation' THEN 'code' WHEN 'person' THEN 'personnel_id'
                                     WHEN 'catalogue' THEN 'code' END AS col) k
           WHERE k.col IS NOT NULL AND w.r ? k.col) d
   WHERE d.line_no > d.first_line;

  -- The person a line names (people, postings, task lines, leave, discipline, totals).
  IF p_kind IN ('posting', 'task_line', 'leave', 'discipline', 'imported_total') THEN
    UPDATE _cqs_csv_row w SET r = w.r || jsonb_build_object('person_id', p.person_id)
      FROM cqs.person p WHERE p.personnel_id = w.r ->> 'personnel_id';
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'personnel_id', w.r ->> 'personnel_id',
           format('no person with personnel id "%s" (or not one %s may read)', w.r ->> 'personnel_id', v_who)
      FROM _cqs_csv_row w WHERE w.r ? 'personnel_id' AND NOT w.r ? 'person_id';
  END IF;

  -- The organisation a line names by code.
  IF p_kind IN ('posting', 'task_line', 'imported_total', 'discipline') THEN
    UPDATE _cqs_csv_row w SET r = w.r || jsonb_build_object('organisation_id', o.organisation_id)
      FROM cqs.organisation o
     WHERE o.code = w.r ->> CASE p_kind WHEN 'discipline' THEN 'act_organisation_code' ELSE 'organisation_code' END;
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, x.col, w.r ->> x.col, format('no organisation "%s"', w.r ->> x.col)
      FROM _cqs_csv_row w,
           (SELECT CASE p_kind WHEN 'discipline' THEN 'act_organisation_code' ELSE 'organisation_code' END AS col) x
     WHERE w.r ? x.col AND NOT w.r ? 'organisation_id';
    -- Not named: where the person was posted (the month, or the decision's day).
    WITH want AS (
      SELECT w.line_no, (w.r ->> 'person_id')::bigint AS person_id,
             CASE WHEN p_kind = 'discipline' THEN daterange((w.r ->> 'decision_date')::date, (w.r ->> 'decision_date')::date, '[]')
                  ELSE daterange((w.r ->> 'period')::date, ((w.r ->> 'period')::date + interval '1 month')::date) END AS days
        FROM _cqs_csv_row w
       WHERE w.r ? 'person_id' AND NOT w.r ? (CASE p_kind WHEN 'discipline' THEN 'act_organisation_code' ELSE 'organisation_code' END)
         AND w.r ? (CASE p_kind WHEN 'discipline' THEN 'decision_date' ELSE 'period' END)
    ), found AS (
      SELECT x.line_no, array_agg(DISTINCT ps.organisation_id) AS orgs
        FROM want x LEFT JOIN cqs.posting ps
          ON ps.person_id = x.person_id AND daterange(ps.start_date, ps.end_date, '[]') && x.days
       GROUP BY x.line_no
    ), one AS (
      UPDATE _cqs_csv_row w SET r = w.r || jsonb_build_object('organisation_id', f.orgs[1])
        FROM found f WHERE f.line_no = w.line_no AND cardinality(array_remove(f.orgs, NULL)) = 1
      RETURNING w.line_no
    )
    INSERT INTO _cqs_csv_problem (line_no, column_name, problem)
    SELECT f.line_no, CASE p_kind WHEN 'discipline' THEN 'act_organisation_code' ELSE 'organisation_code' END,
           CASE WHEN cardinality(array_remove(f.orgs, NULL)) = 0
                THEN 'the person has no posting then: name the organisation'
                ELSE format('the person was posted at %s organisations then: name the organisation',
                            cardinality(array_remove(f.orgs, NULL))) END
      FROM found f WHERE cardinality(array_remove(f.orgs, NULL)) <> 1;
  END IF;

  IF p_kind = 'organisation' THEN
    IF NOT has_any_column_privilege('cqs.organisation', 'INSERT') THEN
      RAISE EXCEPTION '% may not load organisations', v_who
        USING ERRCODE = 'insufficient_privilege', HINT = 'Art. 3, 10: the organisation tree is the administrators'' (cqs_admin).';
    END IF;
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'code', w.r ->> 'code', format('organisation "%s" is already recorded', w.r ->> 'code')
      FROM _cqs_csv_row w JOIN cqs.organisation o ON o.code = w.r ->> 'code';
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'parent_code', w.r ->> 'parent_code',
           format('no organisation "%s" (neither recorded nor in this file)', w.r ->> 'parent_code')
      FROM _cqs_csv_row w
     WHERE w.r ? 'parent_code'
       AND NOT EXISTS (SELECT 1 FROM cqs.organisation o WHERE o.code = w.r ->> 'parent_code')
       AND NOT EXISTS (SELECT 1 FROM _cqs_csv_row p WHERE p.r ->> 'code' = w.r ->> 'parent_code');
    -- Depth in the file: rows under a recorded organisation (or the root) first.
    WITH RECURSIVE d AS (
      SELECT w.line_no, w.r ->> 'code' AS code, 0 AS depth FROM _cqs_csv_row w
       WHERE NOT w.r ? 'parent_code' OR EXISTS (SELECT 1 FROM cqs.organisation o WHERE o.code = w.r ->> 'parent_code')
      UNION ALL
      SELECT w.line_no, w.r ->> 'code', d.depth + 1 FROM d JOIN _cqs_csv_row w ON w.r ->> 'parent_code' = d.code
       WHERE d.depth < 100
    )
    UPDATE _cqs_csv_row w SET r = w.r || jsonb_build_object('depth', x.depth)
      FROM (SELECT d.line_no, min(d.depth) AS depth FROM d GROUP BY d.line_no) x WHERE x.line_no = w.line_no;
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'parent_code', w.r ->> 'parent_code', 'the parent codes of this file make a cycle'
      FROM _cqs_csv_row w
     WHERE NOT w.r ? 'depth' AND w.r ? 'parent_code'
       AND EXISTS (SELECT 1 FROM _cqs_csv_row p WHERE p.r ->> 'code' = w.r ->> 'parent_code');
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, x.col, w.r ->> x.col, x.msg
      FROM _cqs_csv_row w,
           (VALUES ('decimals', 'decimals must be 0 to 4', 0, 4),
                   ('self_assessment_due_day', 'self_assessment_due_day must be a day 1 to 28', 1, 28),
                   ('confirmation_due_day', 'confirmation_due_day must be a day 1 to 28', 1, 28)) AS x(col, msg, lo, hi)
     WHERE (w.r ->> x.col)::integer NOT BETWEEN x.lo AND x.hi;
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'agency_code', w.r ->> 'agency_code',
           format('agency_code "%s" is not a Decision 20/2020 code like H56.01.02.A01', w.r ->> 'agency_code')
      FROM _cqs_csv_row w
     WHERE w.r ->> 'agency_code' !~ '^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}$';

  ELSIF p_kind = 'person' THEN
    IF NOT has_any_column_privilege('cqs.person', 'INSERT')
       OR NOT (v_super OR cardinality(v_orgs) > 0) THEN
      RAISE EXCEPTION '% may not load people: no personnel mandate', v_who
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Art. 10: people are recorded by the personnel section (cqs_personnel with a personnel mandate).';
    END IF;
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'personnel_id', w.r ->> 'personnel_id',
           format('a person with personnel id "%s" is already recorded', w.r ->> 'personnel_id')
      FROM _cqs_csv_row w
     WHERE w.r ->> 'personnel_id' IN (SELECT unnest(cqs._personnel_ids_taken(ARRAY(SELECT x.r ->> 'personnel_id' FROM _cqs_csv_row x))));
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'personal_id_number', w.r ->> 'personal_id_number',
           format('personal_id_number "%s" is not 12 digits', w.r ->> 'personal_id_number')
      FROM _cqs_csv_row w WHERE w.r ->> 'personal_id_number' !~ '^[0-9]{12}$';

  ELSIF p_kind = 'posting' THEN
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'end_date', w.r ->> 'end_date',
           format('ends %s, before it starts (%s)', to_char((w.r ->> 'end_date')::date, 'DD/MM/YYYY'),
                  to_char((w.r ->> 'start_date')::date, 'DD/MM/YYYY'))
      FROM _cqs_csv_row w WHERE (w.r ->> 'end_date')::date < (w.r ->> 'start_date')::date;
    INSERT INTO _cqs_csv_problem (line_no, column_name, problem)
    SELECT w.line_no, 'field', 'a deputy needs the field they are assigned (Art. 15.4)'
      FROM _cqs_csv_row w WHERE w.r ->> 'role' = 'deputy' AND NOT w.r ? 'field';
    -- One posting at a time (Art. 10, 19.1): against this file and what is recorded.
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT b.line_no, 'start_date', b.r ->> 'start_date',
           format('overlaps the posting of line %s', a.line_no)
      FROM _cqs_csv_row a JOIN _cqs_csv_row b
        ON b.r ->> 'person_id' = a.r ->> 'person_id' AND b.line_no > a.line_no
     WHERE daterange((a.r ->> 'start_date')::date, (a.r ->> 'end_date')::date, '[]')
           && daterange((b.r ->> 'start_date')::date, (b.r ->> 'end_date')::date, '[]')
       AND (a.r ->> 'end_date' IS NULL OR (a.r ->> 'end_date')::date >= (a.r ->> 'start_date')::date)
       AND (b.r ->> 'end_date' IS NULL OR (b.r ->> 'end_date')::date >= (b.r ->> 'start_date')::date);
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'start_date', w.r ->> 'start_date',
           format('overlaps the recorded posting at %s from %s%s (end it first: one posting at a time, Art. 10, 19.1)',
                  o.code, to_char(ps.start_date, 'DD/MM/YYYY'), coalesce(' to ' || to_char(ps.end_date, 'DD/MM/YYYY'), ''))
      FROM _cqs_csv_row w
      JOIN cqs.posting ps ON ps.person_id = (w.r ->> 'person_id')::bigint
      JOIN cqs.organisation o ON o.organisation_id = ps.organisation_id
     WHERE w.r ? 'person_id' AND w.r ? 'start_date'
       AND (w.r ->> 'end_date' IS NULL OR (w.r ->> 'end_date')::date >= (w.r ->> 'start_date')::date)
       AND daterange(ps.start_date, ps.end_date, '[]')
           && daterange((w.r ->> 'start_date')::date, (w.r ->> 'end_date')::date, '[]');

  ELSIF p_kind = 'task_line' THEN
    -- The item of the catalogue in force for the organisation that month (Art. 13).
    UPDATE _cqs_csv_row w
       SET r = w.r || jsonb_build_object('catalogue_id', cqs.catalogue_in_force((w.r ->> 'organisation_id')::bigint,
                                                                                (w.r ->> 'period')::date))
     WHERE w.r ? 'organisation_id' AND w.r ? 'period';
    UPDATE _cqs_csv_row w
       SET r = w.r || jsonb_build_object('item_id', i.item_id, 'coefficient_low', i.coefficient_low,
                                         'coefficient_high', i.coefficient_high)
      FROM cqs.catalogue_item i
     WHERE i.catalogue_id = (w.r ->> 'catalogue_id')::bigint AND i.code = coalesce(w.r ->> 'item_code', w.r ->> 'similar_item_code');
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, CASE WHEN w.r ? 'item_code' THEN 'item_code' ELSE 'similar_item_code' END,
           coalesce(w.r ->> 'item_code', w.r ->> 'similar_item_code'),
           CASE WHEN w.r ->> 'catalogue_id' IS NULL
                THEN format('no catalogue is in force for organisation %s in %s (Art. 13)',
                            (SELECT o.code FROM cqs.organisation o WHERE o.organisation_id = (w.r ->> 'organisation_id')::bigint),
                            to_char((w.r ->> 'period')::date, 'MM/YYYY'))
                ELSE format('no item "%s" in catalogue %s, in force for organisation %s in %s (Art. 13)',
                            coalesce(w.r ->> 'item_code', w.r ->> 'similar_item_code'),
                            (SELECT c.version FROM cqs.catalogue c WHERE c.catalogue_id = (w.r ->> 'catalogue_id')::bigint),
                            (SELECT o.code FROM cqs.organisation o WHERE o.organisation_id = (w.r ->> 'organisation_id')::bigint),
                            to_char((w.r ->> 'period')::date, 'MM/YYYY')) END
      FROM _cqs_csv_row w
     WHERE (w.r ? 'item_code' OR w.r ? 'similar_item_code') AND w.r ? 'organisation_id' AND w.r ? 'period'
       AND NOT w.r ? 'item_id';
    INSERT INTO _cqs_csv_problem (line_no, column_name, problem)
    SELECT w.line_no, 'item_code',
           CASE WHEN w.r ? 'item_code' THEN 'give item_code or similar_item_code, not both'
                ELSE 'item_code is empty (or give similar_item_code and a title for an off-catalogue task, Art. 13.3)' END
      FROM _cqs_csv_row w WHERE (w.r ? 'item_code') = (w.r ? 'similar_item_code');
    INSERT INTO _cqs_csv_problem (line_no, column_name, problem)
    SELECT w.line_no, 'title', 'an off-catalogue task needs a title (Art. 13.3)'
      FROM _cqs_csv_row w WHERE w.r ? 'similar_item_code' AND NOT w.r ? 'item_code' AND NOT w.r ? 'title';
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'coefficient', w.r ->> 'coefficient',
           CASE WHEN NOT w.r ? 'coefficient'
                THEN format('item "%s" has a range of coefficients (%s to %s): write the one fixed at assignment',
                            coalesce(w.r ->> 'item_code', w.r ->> 'similar_item_code'), w.r ->> 'coefficient_low', w.r ->> 'coefficient_high')
                ELSE format('coefficient %s is outside item "%s"''s range %s to %s (HB ch. II)', w.r ->> 'coefficient',
                            coalesce(w.r ->> 'item_code', w.r ->> 'similar_item_code'), w.r ->> 'coefficient_low', w.r ->> 'coefficient_high') END
      FROM _cqs_csv_row w
     WHERE w.r ? 'item_id'
       AND CASE WHEN w.r ? 'coefficient'
                THEN (w.r ->> 'coefficient')::numeric NOT BETWEEN (w.r ->> 'coefficient_low')::numeric AND (w.r ->> 'coefficient_high')::numeric
                ELSE (w.r ->> 'coefficient_low')::numeric <> (w.r ->> 'coefficient_high')::numeric END;
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, x.col, w.r ->> x.col, x.msg
      FROM _cqs_csv_row w,
           (VALUES ('coefficient', 'coefficient must be above 0'),
                   ('quality_failures', 'quality_failures must be at most 1000'),
                   ('late_occurrences', 'late_occurrences must be at most 1000')) AS x(col, msg)
     WHERE (x.col = 'coefficient' AND (w.r ->> x.col)::numeric <= 0)
        OR (x.col <> 'coefficient' AND (w.r ->> x.col)::numeric > 1000);
    INSERT INTO _cqs_csv_problem (line_no, column_name, problem)
    SELECT w.line_no, 'external_id', 'external_source and external_id go together'
      FROM _cqs_csv_row w WHERE (w.r ? 'external_source') <> (w.r ? 'external_id');
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT d.line_no, 'external_id', d.val, format('external_id "%s" repeats line %s', d.val, d.first_line)
      FROM (SELECT w.line_no, w.r ->> 'external_id' AS val,
                   min(w.line_no) OVER (PARTITION BY w.r ->> 'external_source', w.r ->> 'external_id') AS first_line
              FROM _cqs_csv_row w WHERE w.r ? 'external_id' AND w.r ? 'external_source') d
     WHERE d.line_no > d.first_line;
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'external_id', w.r ->> 'external_id',
           format('task "%s" of %s is already recorded', w.r ->> 'external_id', w.r ->> 'external_source')
      FROM _cqs_csv_row w JOIN cqs.task_line t
        ON t.external_source = w.r ->> 'external_source' AND t.external_id = w.r ->> 'external_id';

  ELSIF p_kind IN ('leave', 'discipline') THEN
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'end_date', w.r ->> 'end_date',
           format('ends %s, before it starts (%s)', to_char((w.r ->> 'end_date')::date, 'DD/MM/YYYY'),
                  to_char((w.r ->> 'start_date')::date, 'DD/MM/YYYY'))
      FROM _cqs_csv_row w WHERE (w.r ->> 'end_date')::date < (w.r ->> 'start_date')::date;

  ELSIF p_kind = 'imported_total' THEN
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'total', w.r ->> 'total', format('total %s is not between 0 and 100', w.r ->> 'total')
      FROM _cqs_csv_row w WHERE (w.r ->> 'total')::numeric NOT BETWEEN 0 AND 100;
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT d.line_no, 'period', d.val, format('the total of %s for %s repeats line %s', d.pid,
                                              to_char(d.val::date, 'MM/YYYY'), d.first_line)
      FROM (SELECT w.line_no, w.r ->> 'period' AS val, w.r ->> 'personnel_id' AS pid,
                   min(w.line_no) OVER (PARTITION BY w.r ->> 'personnel_id', w.r ->> 'period') AS first_line
              FROM _cqs_csv_row w WHERE w.r ? 'period') d
     WHERE d.line_no > d.first_line;
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'period', w.r ->> 'period',
           format('a total of %s for %s is already recorded (%s, %s)', w.r ->> 'personnel_id',
                  to_char((w.r ->> 'period')::date, 'MM/YYYY'), it.source, it.reference)
      FROM _cqs_csv_row w JOIN cqs.imported_total it
        ON it.person_id = (w.r ->> 'person_id')::bigint AND it.period = (w.r ->> 'period')::date;
    -- Only months before the agency started evaluating under the decree (DOMAIN.md section 4).
    INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
    SELECT w.line_no, 'period', w.r ->> 'period',
           format('%s is evaluated in this system (the first month evaluated is %s): import only earlier months',
                  to_char((w.r ->> 'period')::date, 'MM/YYYY'), to_char(pol.evaluation_start, 'MM/YYYY'))
      FROM _cqs_csv_row w JOIN cqs.organisation_policies pol ON pol.organisation_id = (w.r ->> 'organisation_id')::bigint
     WHERE (w.r ->> 'period')::date >= pol.evaluation_start;
  END IF;

  -- Who may write what (the tables' grants and row-level security decide; this names
  -- every line first).  Superusers acting for nobody pass, as everywhere.
  IF p_kind IN ('posting', 'task_line', 'leave', 'discipline', 'imported_total') AND NOT v_super THEN
    IF NOT has_any_column_privilege(CASE p_kind WHEN 'leave' THEN 'cqs.leave_record' ELSE 'cqs.' || p_kind END, 'INSERT') THEN
      RAISE EXCEPTION '% may not load % records', v_who, p_kind
        USING ERRCODE = 'insufficient_privilege',
              HINT = CASE p_kind WHEN 'task_line' THEN 'Art. 10: task lines are entered by the heads who assign them (cqs_evaluator) or the personnel section (cqs_personnel).'
                                 ELSE 'Art. 10: these records are the personnel section''s (cqs_personnel, with a personnel mandate).' END;
    END IF;
    IF p_kind IN ('leave', 'discipline') THEN
      v_people := cqs._personnel_people();
      INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem, privilege)
      SELECT w.line_no, 'personnel_id', w.r ->> 'personnel_id',
             format('%s has no personnel mandate over %s', v_who, w.r ->> 'personnel_id'), true
        FROM _cqs_csv_row w WHERE w.r ? 'person_id' AND NOT (w.r ->> 'person_id')::bigint = ANY (v_people);
    ELSE
      INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem, privilege)
      SELECT w.line_no, 'organisation_code',
             (SELECT o.code FROM cqs.organisation o WHERE o.organisation_id = (w.r ->> 'organisation_id')::bigint),
             format('%s has no personnel mandate over organisation %s%s', v_who,
                    (SELECT o.code FROM cqs.organisation o WHERE o.organisation_id = (w.r ->> 'organisation_id')::bigint),
                    CASE p_kind WHEN 'task_line' THEN ' and does not evaluate ' || (w.r ->> 'personnel_id') || ' there' ELSE '' END),
             true
        FROM _cqs_csv_row w
       WHERE w.r ? 'organisation_id' AND NOT (w.r ->> 'organisation_id')::bigint = ANY (v_orgs)
         AND NOT (p_kind = 'task_line' AND w.r ? 'person_id'
                  AND ((w.r ->> 'person_id')::bigint, (w.r ->> 'organisation_id')::bigint)
                      IN (SELECT e.person_id, e.organisation_id FROM cqs._evaluated() e));
    END IF;
  END IF;

  -- Every problem quotes the value as the file wrote it.
  UPDATE _cqs_csv_problem p SET value = c.value
    FROM _cqs_csv_cell c WHERE c.line_no = p.line_no AND c.column_name = p.column_name AND p.value IS NOT NULL;
END $$;
COMMENT ON FUNCTION cqs._csv_check(text) IS
  'Issue 10 (Art. 10, 13, 18, 19.1): the checks of each CSV kind over the working tables: references, duplicates, overlapping postings, catalogue items and coefficients, months already evaluated, and the caller''s mandate, each with its line';

-- Every problem of a file of a kind, as rows (a dry run: nothing is written).
CREATE FUNCTION cqs.csv_problems(kind text, content text)
RETURNS TABLE (line_no integer, column_name text, value text, problem text)
LANGUAGE plpgsql VOLATILE STRICT SET search_path = pg_catalog, pg_temp SET jit = off AS $$
BEGIN
  IF cqs._csv_read(csv_problems.kind, csv_problems.content) THEN
    IF csv_problems.kind = 'catalogue' THEN
      PERFORM cqs._csv_catalogue_check(5);    -- HB ch. II's standard; cqs.catalogue_csv_problems takes another
    ELSE
      PERFORM cqs._csv_check(csv_problems.kind);
    END IF;
  END IF;
  RETURN QUERY
  SELECT p.line_no, p.column_name, p.value, p.problem
    FROM pg_temp._cqs_csv_problem p
    LEFT JOIN cqs.csv_format(csv_problems.kind) f ON f.column_name = p.column_name
   ORDER BY p.line_no NULLS FIRST, f.column_no NULLS FIRST, p.problem;
END $$;
COMMENT ON FUNCTION cqs.csv_problems(text, text) IS
  'Issue 10 (Art. 10, 11, 13, 17.3, 18): every problem of a CSV file of a kind, with its line, column and value, in one pass; nothing is written';

-- Load a file: all or nothing.  Returns the number of records written (for people
-- with a posting column... one per line).  Any problem: 22023 listing every one (42501
-- when a line is outside the caller's rights), nothing written.  dry_run: check
-- everything, write through the tables' own checks and triggers, then undo.
CREATE FUNCTION cqs.load_csv(kind text, content text, dry_run boolean DEFAULT false)
RETURNS integer
LANGUAGE plpgsql VOLATILE STRICT SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
  v_count    integer;
  v_problems text;
  v_priv     boolean;
  v_n        integer := 0;
  v_depth    integer;
BEGIN
  IF load_csv.kind = 'catalogue' THEN
    RAISE EXCEPTION 'a catalogue is loaded with cqs.import_catalogue (it needs the version, its date and the standard points)'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF cqs._csv_read(load_csv.kind, load_csv.content) THEN
    PERFORM cqs._csv_check(load_csv.kind);
  END IF;
  SELECT count(*), bool_or(p.privilege),
         string_agg(coalesce('line ' || p.line_no, 'file') || coalesce(', ' || p.column_name, '') || ': ' || p.problem,
                    E'\n' ORDER BY p.line_no NULLS FIRST, p.column_name, p.problem)
    INTO v_count, v_priv, v_problems FROM pg_temp._cqs_csv_problem p;
  IF v_count > 0 THEN
    RAISE EXCEPTION '% CSV has % problem(s); nothing was loaded', load_csv.kind, v_count
      USING ERRCODE = CASE WHEN v_priv THEN 'insufficient_privilege' ELSE 'invalid_parameter_value' END,
            DETAIL = v_problems,
            HINT = 'Fix every listed line and load again; cqs.csv_problems(kind, content) lists them as rows.';
  END IF;
  BEGIN
    CASE load_csv.kind
    WHEN 'organisation' THEN
      FOR v_depth IN SELECT DISTINCT (w.r ->> 'depth')::integer FROM pg_temp._cqs_csv_row w ORDER BY 1 LOOP
        INSERT INTO cqs.organisation (code, name, kind, parent_id, special_deadline, cadence, lateness_mode, cap_mode,
                                      decimals, lateness_policy_ref, field, evaluation_start, self_assessment_due_day,
                                      confirmation_due_day, agency_code)
        SELECT w.r ->> 'code', w.r ->> 'name', w.r ->> 'kind',
               (SELECT o.organisation_id FROM cqs.organisation o WHERE o.code = w.r ->> 'parent_code'),
               coalesce((w.r ->> 'special_deadline')::boolean, false), w.r ->> 'cadence', w.r ->> 'lateness_mode',
               w.r ->> 'cap_mode', (w.r ->> 'decimals')::integer, w.r ->> 'lateness_policy_ref', w.r ->> 'field',
               (w.r ->> 'evaluation_start')::date, (w.r ->> 'self_assessment_due_day')::integer,
               (w.r ->> 'confirmation_due_day')::integer, w.r ->> 'agency_code'
          FROM pg_temp._cqs_csv_row w WHERE (w.r ->> 'depth')::integer = v_depth ORDER BY w.line_no;
      END LOOP;
    WHEN 'person' THEN
      INSERT INTO cqs.person (personnel_id, full_name, kind, party_member, personal_id_number)
      SELECT w.r ->> 'personnel_id', w.r ->> 'full_name', coalesce(w.r ->> 'kind', 'civil_servant'),
             coalesce((w.r ->> 'party_member')::boolean, false), w.r ->> 'personal_id_number'
        FROM pg_temp._cqs_csv_row w ORDER BY w.line_no;
    WHEN 'posting' THEN
      INSERT INTO cqs.posting (person_id, organisation_id, role, field, job_position, duty_group, start_date, end_date)
      SELECT (w.r ->> 'person_id')::bigint, (w.r ->> 'organisation_id')::bigint, coalesce(w.r ->> 'role', 'staff'),
             w.r ->> 'field', w.r ->> 'job_position', coalesce(w.r ->> 'duty_group', 'chung'),
             (w.r ->> 'start_date')::date, (w.r ->> 'end_date')::date
        FROM pg_temp._cqs_csv_row w ORDER BY w.line_no;
    WHEN 'task_line' THEN
      INSERT INTO cqs.task_line (person_id, organisation_id, period, item_id, similar_item_id, title, coefficient,
                                 assigned_qty, deadline, completed_qty, completed_on, quality_failures, late_occurrences,
                                 origin, external_source, external_id)
      SELECT (w.r ->> 'person_id')::bigint, (w.r ->> 'organisation_id')::bigint, (w.r ->> 'period')::date,
             CASE WHEN w.r ? 'item_code' THEN (w.r ->> 'item_id')::bigint END,
             CASE WHEN w.r ? 'similar_item_code' THEN (w.r ->> 'item_id')::bigint END,
             w.r ->> 'title', coalesce((w.r ->> 'coefficient')::numeric, (w.r ->> 'coefficient_low')::numeric),
             (w.r ->> 'assigned_qty')::numeric, (w.r ->> 'deadline')::date, (w.r ->> 'completed_qty')::numeric,
             (w.r ->> 'completed_on')::date, coalesce((w.r ->> 'quality_failures')::integer, 0),
             (w.r ->> 'late_occurrences')::integer, coalesce(w.r ->> 'origin', 'planned'),
             w.r ->> 'external_source', w.r ->> 'external_id'
        FROM pg_temp._cqs_csv_row w ORDER BY w.line_no;
    WHEN 'leave' THEN
      INSERT INTO cqs.leave_record (person_id, kind, start_date, end_date, note)
      SELECT (w.r ->> 'person_id')::bigint, w.r ->> 'kind', (w.r ->> 'start_date')::date, (w.r ->> 'end_date')::date,
             w.r ->> 'note'
        FROM pg_temp._cqs_csv_row w ORDER BY w.line_no;
    WHEN 'discipline' THEN
      INSERT INTO cqs.discipline (person_id, kind, level, decision_date, decision_ref, act_ref, act_description,
                                  act_organisation_id, public_duty_or_degradation)
      SELECT (w.r ->> 'person_id')::bigint, w.r ->> 'kind', w.r ->> 'level', (w.r ->> 'decision_date')::date,
             w.r ->> 'decision_ref', w.r ->> 'act_ref', w.r ->> 'act_description', (w.r ->> 'organisation_id')::bigint,
             coalesce((w.r ->> 'public_duty_or_degradation')::boolean, true)
        FROM pg_temp._cqs_csv_row w ORDER BY w.line_no;
    WHEN 'imported_total' THEN
      INSERT INTO cqs.imported_total (person_id, period, organisation_id, total, source, reference)
      SELECT (w.r ->> 'person_id')::bigint, (w.r ->> 'period')::date, (w.r ->> 'organisation_id')::bigint,
             (w.r ->> 'total')::numeric, w.r ->> 'source', w.r ->> 'reference'
        FROM pg_temp._cqs_csv_row w ORDER BY w.line_no;
    END CASE;
    SELECT count(*) INTO v_n FROM pg_temp._cqs_csv_row;
    IF load_csv.dry_run THEN
      RAISE EXCEPTION USING ERRCODE = 'CQS01';   -- undo every write, keep the count
    END IF;
  EXCEPTION WHEN SQLSTATE 'CQS01' THEN
    NULL;
  END;
  RETURN v_n;
END $$;
COMMENT ON FUNCTION cqs.load_csv(text, text, boolean) IS
  'Issue 10 (Art. 10, 11, 17.3, 18, 19.1, 20.4): load a CSV file of a kind (organisation, person, posting, task_line, leave, discipline, imported_total) all or nothing with the caller''s rights; 22023 (42501 outside the caller''s mandate) listing every problem with its line; dry_run checks and undoes';

-- ---------------------------------------------------------------------------
-- The catalogue (Art. 13, HB ch. II).  Read like every other kind, once, by the C
-- reader; the notations of real catalogues accepted: group N3 (or 3, "Nhóm 3"), group
-- maximum 300 or "≤300", points 5, 40-80, 200–280 or "5 (chuẩn)" (which also marks the
-- standard unit), and a coefficient column checked against points ÷ standard points.
-- ---------------------------------------------------------------------------

-- Reads the catalogue's values into the working rows (g, gmax, low, high, std) and
-- reports every problem with its line (messages as the import has always written them).
CREATE FUNCTION cqs._csv_catalogue_check(p_standard_points numeric) RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
BEGIN
  -- Duplicate codes.
  INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
  SELECT d.line_no, 'code', d.val, format('code "%s" repeats line %s', d.val, d.first_line)
    FROM (SELECT w.line_no, w.r ->> 'code' AS val, min(w.line_no) OVER (PARTITION BY w.r ->> 'code') AS first_line
            FROM _cqs_csv_row w WHERE w.r ? 'code') d
   WHERE d.line_no > d.first_line;

  UPDATE _cqs_csv_row w
     SET r = w.r || jsonb_strip_nulls(jsonb_build_object(
               'g', (regexp_match(cqs.csv_key(w.r ->> 'group'), '^(?:n|nhom_?)?([1-5])$'))[1]::integer,
               'gmax_parsed', cqs.csv_decimal(regexp_replace(w.r ->> 'group_max', '^\s*(≤|<=|<|tối đa|toi da)\s*', '', 'i')),
               'std_mark', (w.r ->> 'points') ~* '\(\s*chu(ẩ|a)n\s*\)',
               'pts', regexp_split_to_array(btrim(regexp_replace(w.r ->> 'points', '\(\s*chu(ẩ|a)n\s*\)', '', 'i')),
                                            '\s*(?:[-–—]|đến)\s*'),
               'coef', regexp_split_to_array(btrim(w.r ->> 'coefficient'), '\s*(?:[-–—]|đến)\s*')))
   WHERE true;
  UPDATE _cqs_csv_row w
     SET r = w.r || jsonb_strip_nulls(jsonb_build_object(
               'low', cqs.csv_decimal(w.r -> 'pts' ->> 0),
               'high', CASE jsonb_array_length(w.r -> 'pts') WHEN 1 THEN cqs.csv_decimal(w.r -> 'pts' ->> 0)
                                                              WHEN 2 THEN cqs.csv_decimal(w.r -> 'pts' ->> 1) END,
               'gmax', CASE WHEN NOT w.r ? 'group_max' THEN 100 * (w.r ->> 'g')::integer
                            WHEN (w.r ->> 'gmax_parsed')::numeric > 0
                             AND (w.r ->> 'gmax_parsed')::numeric <= 100 * (w.r ->> 'g')::integer
                            THEN (w.r ->> 'gmax_parsed')::numeric END,
               'std', coalesce((w.r ->> 'std_mark')::boolean, false)
                      OR coalesce(cqs.csv_boolean(w.r ->> 'standard'), false)
                      OR coalesce(cqs.csv_key(w.r ->> 'standard') = 'chuan', false)))
   WHERE true;

  INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
  SELECT w.line_no, 'group', w.r ->> 'group', format('item "%s": group "%s" is not N1..N5', w.r ->> 'code', w.r ->> 'group')
    FROM _cqs_csv_row w WHERE w.r ? 'group' AND NOT w.r ? 'g';
  INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
  SELECT w.line_no, 'group_max', w.r ->> 'group_max',
         CASE WHEN NOT w.r ? 'gmax_parsed' THEN format('item "%s": group_max "%s" is not a number', w.r ->> 'code', w.r ->> 'group_max')
              ELSE format('item "%s": group_max %s exceeds N%s''s maximum %s (HB ch. II)', w.r ->> 'code',
                          w.r ->> 'gmax_parsed', w.r ->> 'g', 100 * (w.r ->> 'g')::integer) END
    FROM _cqs_csv_row w WHERE w.r ? 'group_max' AND w.r ? 'g' AND NOT w.r ? 'gmax';
  INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
  SELECT w.line_no, 'standard', w.r ->> 'standard',
         format('item "%s": standard "%s" is not x (or empty)', w.r ->> 'code', w.r ->> 'standard')
    FROM _cqs_csv_row w
   WHERE w.r ? 'standard' AND cqs.csv_boolean(w.r ->> 'standard') IS NULL AND cqs.csv_key(w.r ->> 'standard') <> 'chuan';
  INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
  SELECT w.line_no, 'points', w.r ->> 'points',
         CASE WHEN NOT (w.r ? 'low' AND w.r ? 'high') OR (w.r ->> 'low')::numeric = 0
              THEN format('item "%s": points "%s" is not a positive number or range like 40-80', w.r ->> 'code', w.r ->> 'points')
              WHEN (w.r ->> 'low')::numeric > (w.r ->> 'high')::numeric
              THEN format('item "%s": points range %s-%s has its low end above its high end', w.r ->> 'code',
                          w.r ->> 'low', w.r ->> 'high')
              ELSE format('item "%s": %s points exceed the group maximum %s of N%s (HB ch. II)', w.r ->> 'code',
                          w.r ->> 'high', w.r ->> 'gmax', w.r ->> 'g') END
    FROM _cqs_csv_row w
   WHERE w.r ? 'points'
     AND (NOT (w.r ? 'low' AND w.r ? 'high') OR (w.r ->> 'low')::numeric = 0
          OR (w.r ->> 'low')::numeric > (w.r ->> 'high')::numeric
          OR (w.r ->> 'high')::numeric > (w.r ->> 'gmax')::numeric);
  -- Exactly one standard unit, scoring the standard points (HB ch. II).
  INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
  SELECT s.line_no, 'standard', s.r ->> 'standard',
         format('item "%s": a second standard unit (a catalogue has exactly one)', s.r ->> 'code')
    FROM (SELECT w.*, row_number() OVER (ORDER BY w.line_no) AS n FROM _cqs_csv_row w WHERE (w.r ->> 'std')::boolean) s
   WHERE s.n > 1;
  INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
  SELECT w.line_no, 'points', w.r ->> 'points',
         format('item "%s": the standard unit must score %s points, got %s', w.r ->> 'code', p_standard_points, w.r ->> 'points')
    FROM _cqs_csv_row w
   WHERE (w.r ->> 'std')::boolean AND w.r ? 'low'
     AND ((w.r ->> 'low')::numeric <> p_standard_points OR (w.r ->> 'high')::numeric IS DISTINCT FROM p_standard_points);
  IF EXISTS (SELECT 1 FROM _cqs_csv_row) AND NOT EXISTS (SELECT 1 FROM _cqs_csv_row w WHERE (w.r ->> 'std')::boolean) THEN
    INSERT INTO _cqs_csv_problem (line_no, column_name, problem)
    VALUES (NULL, 'standard', 'no item is marked as the standard unit (column "standard", or "5 (chuẩn)" in points)');
  END IF;
  -- A written coefficient must be points ÷ standard points, to the decimals written.
  INSERT INTO _cqs_csv_problem (line_no, column_name, value, problem)
  SELECT w.line_no, 'coefficient', w.r ->> 'coefficient',
         CASE WHEN c.lo IS NULL OR c.hi IS NULL
              THEN format('item "%s": coefficient "%s" is not a number or range', w.r ->> 'code', w.r ->> 'coefficient')
              ELSE format('item "%s": coefficient %s does not match points %s ÷ %s (HB ch. II)', w.r ->> 'code',
                          w.r ->> 'coefficient', w.r ->> 'points', p_standard_points) END
    FROM _cqs_csv_row w,
         LATERAL (SELECT cqs.csv_decimal(w.r -> 'coef' ->> 0) AS lo,
                         CASE jsonb_array_length(w.r -> 'coef') WHEN 1 THEN cqs.csv_decimal(w.r -> 'coef' ->> 0)
                                                                WHEN 2 THEN cqs.csv_decimal(w.r -> 'coef' ->> 1) END AS hi) c
   WHERE w.r ? 'coefficient' AND w.r ? 'low' AND w.r ? 'high'
     AND (c.lo IS NULL OR c.hi IS NULL
          OR round((w.r ->> 'low')::numeric / p_standard_points, scale(c.lo)) <> c.lo
          OR round((w.r ->> 'high')::numeric / p_standard_points, scale(c.hi)) <> c.hi);
END $$;
COMMENT ON FUNCTION cqs._csv_catalogue_check(numeric) IS
  'Art. 13, HB ch. II: the checks of a catalogue CSV over the working tables (group, group maximum, points and ranges, one standard unit, coefficients), each with its line';

-- Every problem of a catalogue CSV, with its line number, in one pass.
CREATE FUNCTION cqs.catalogue_csv_problems(content text, standard_points numeric)
RETURNS TABLE (line_no integer, problem text)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
BEGIN
  IF cqs._csv_read('catalogue', content) THEN
    PERFORM cqs._csv_catalogue_check(standard_points);
  END IF;
  RETURN QUERY
  SELECT p.line_no, p.problem
    FROM pg_temp._cqs_csv_problem p
    LEFT JOIN cqs.csv_format('catalogue') f ON f.column_name = p.column_name
   ORDER BY p.line_no NULLS LAST, f.column_no NULLS FIRST, p.problem;
END $$;
COMMENT ON FUNCTION cqs.catalogue_csv_problems(text, numeric) IS
  'Art. 13, HB ch. II: every problem of a catalogue CSV with its line number (points above the group maximum, two standard units, reversed ranges, coefficients that do not match, ...)';

-- Import a catalogue version: all or nothing, the file read once.
CREATE FUNCTION cqs.import_catalogue(organisation_id bigint, version text, effective_from date,
                                     content text, standard_points numeric DEFAULT 5,
                                     coefficient_decimals integer DEFAULT NULL,
                                     decision_ref text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
  v_problems text;
  v_count    integer;
  v_id       bigint;
BEGIN
  IF cqs._csv_read('catalogue', content) THEN
    PERFORM cqs._csv_catalogue_check(standard_points);
  END IF;
  SELECT count(*), string_agg(coalesce('line ' || p.line_no || ': ', '') || p.problem, E'\n' ORDER BY p.line_no NULLS LAST, p.problem)
    INTO v_count, v_problems
    FROM pg_temp._cqs_csv_problem p;
  IF v_count > 0 THEN
    RAISE EXCEPTION 'catalogue CSV for version "%" has % problem(s); nothing was imported', version, v_count
      USING ERRCODE = 'invalid_parameter_value', DETAIL = v_problems,
            HINT = 'Fix every listed line and import again; cqs.catalogue_csv_problems() lists them as rows.';
  END IF;

  INSERT INTO cqs.catalogue (organisation_id, version, effective_from, standard_points,
                             coefficient_decimals, decision_ref)
  VALUES (import_catalogue.organisation_id, import_catalogue.version, import_catalogue.effective_from,
          import_catalogue.standard_points, import_catalogue.coefficient_decimals, import_catalogue.decision_ref)
  RETURNING catalogue_id INTO v_id;

  INSERT INTO cqs.catalogue_item (catalogue_id, code, name, output_unit, complexity_group, group_max,
                                  points_low, points_high, is_standard, coefficient_low, coefficient_high)
  SELECT v_id, w.r ->> 'code', w.r ->> 'name', w.r ->> 'output_unit', (w.r ->> 'g')::smallint,
         (w.r ->> 'gmax')::numeric, (w.r ->> 'low')::numeric, (w.r ->> 'high')::numeric, (w.r ->> 'std')::boolean, 0, 0
    FROM pg_temp._cqs_csv_row w ORDER BY w.line_no;
  RETURN v_id;
END $$;
COMMENT ON FUNCTION cqs.import_catalogue(bigint, text, date, text, numeric, integer, text) IS
  'Art. 13, HB ch. II: import a catalogue version from UTF-8 CSV text (Excel''s "," or ";", BOM, Vietnamese headers, ≤300 and 5 (chuẩn) notations); every problem is reported with its line number and nothing is half-imported';
