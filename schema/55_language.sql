-- Layer 5b: the language people read (Vietnamese by default, English on request).
--
-- Every note and reason the extension stores (period notes, year reasons, the
-- organisations' reasons, the authority's reasons) and every line of cqs.explain is
-- written in English: that is the stored, audited form, compared by the tests and kept
-- verbatim in cqs.locked_result.  People read it through cqs.localize(), which renders
-- it in the session's language (cqs.language, 'vi' unless set) from the catalogue
-- below.  Error messages (RAISE EXCEPTION) stay in English, PostgreSQL's convention:
-- their SQLSTATE carries the meaning.

-- The message catalogue: for each format string the code uses, the English template
-- exactly as the code writes it (%s placeholders, %% a percent sign), the Vietnamese
-- template (%s in order, or %N$s for the N-th) and the kind of each placeholder (how a
-- captured piece is checked and rendered: text, word, name, number, int, date, period,
-- periods, month, note (a nested note, rendered itself), frag (a nested fragment: empty or a
-- catalogue entry), term:<domain>).  kind 'term' rows name codes (grades, discipline
-- levels, ...): key '<domain>:<code>', en the code, vi its Vietnamese.  Part of the
-- extension, like the built-in Form 01 set: not dumped (CREATE EXTENSION writes it), read by
-- every reader role (cqs.setup_roles), written by nobody but the extension's owner.
CREATE TABLE cqs.message_text (
  key     text PRIMARY KEY,
  kind    text NOT NULL CONSTRAINT message_text_kind_valid CHECK (kind IN ('note', 'explain', 'term')),
  source  text NOT NULL,                 -- the function or view whose text it is
  en      text NOT NULL,
  vi      text NOT NULL CONSTRAINT message_text_vi_nonempty CHECK (length(btrim(vi)) > 0),
  args    text[] NOT NULL DEFAULT '{}',
  CONSTRAINT message_text_term_key CHECK (kind <> 'term' OR (key = split_part(key, ':', 1) || ':' || en AND args = '{}')),
  CONSTRAINT message_text_args_fit CHECK (
    kind = 'term' OR cardinality(args) = (length(replace(en, '%%', '')) - length(replace(replace(en, '%%', ''), '%s', ''))) / 2)
);
COMMENT ON TABLE cqs.message_text IS
  'Art. 21.1.đ, 24 (results notified and read by people): the message catalogue rendering the stored English notes, reasons and explain lines in Vietnamese (cqs.localize); part of the extension, not a record';

-- The session's language: cqs.language, 'vi' unless set; anything else is an error.
CREATE FUNCTION cqs.language() RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_lang text := coalesce(nullif(current_setting('cqs.language', true), ''), 'vi');
BEGIN
  IF v_lang NOT IN ('vi', 'en') THEN
    RAISE EXCEPTION 'cqs.language must be vi or en, got "%"', v_lang
      USING ERRCODE = 'invalid_parameter_value', HINT = 'SET cqs.language = ''vi'' (the default) or ''en''.';
  END IF;
  RETURN v_lang;
END $$;
COMMENT ON FUNCTION cqs.language() IS
  'Art. 21.1.đ: the language notes and traces are read in: the session''s cqs.language, vi (Vietnamese, the default) or en';

-- A stored note in a language: lang, or without it the session's cqs.language.  English
-- returns the text as stored; Vietnamese renders it from cqs.message_text (a text no
-- template matches is returned as stored; notes joined with '; ' are rendered one by
-- one).  STRICT: a row without a note costs no call.  C functions with no SET clause:
-- their one run-time lookup, the catalogue's query (once per call site), names every
-- object with its schema, and a SET clause would save and restore search_path on every
-- row (bench/LANG.md).
CREATE FUNCTION cqs.localize(note text) RETURNS text
LANGUAGE c STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'localize';
COMMENT ON FUNCTION cqs.localize(text) IS
  'Art. 21.1.đ: a stored note or reason in the session''s language (cqs.language: Vietnamese by default, or as stored in English)';
CREATE FUNCTION cqs.localize(note text, lang text) RETURNS text
LANGUAGE c STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'localize';
COMMENT ON FUNCTION cqs.localize(text, text) IS
  'Art. 21.1.đ: a stored note or reason in Vietnamese (lang vi) or as stored in English (en)';
CREATE FUNCTION cqs.localize(notes text[]) RETURNS text[]
LANGUAGE c STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'localize_array';
COMMENT ON FUNCTION cqs.localize(text[]) IS
  'Art. 21.1.đ: every note of an array (override reasons, missing periods) in the session''s language';
CREATE FUNCTION cqs.localize(notes text[], lang text) RETURNS text[]
LANGUAGE c STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'localize_array';
COMMENT ON FUNCTION cqs.localize(text[], text) IS
  'Art. 21.1.đ: every note of an array (override reasons, missing periods) in Vietnamese (vi) or as stored (en)';
-- Which catalogue entry a text matches, NULL if none (the tests' completeness checks).
CREATE FUNCTION cqs.message_key(note text) RETURNS text
LANGUAGE c STABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'message_key';
COMMENT ON FUNCTION cqs.message_key(text) IS
  'Art. 21.1.đ: the key of the cqs.message_text template a stored English text matches (NULL: none)';

INSERT INTO cqs.message_text (kind, key, source, en, vi, args) VALUES
-- Terms: codes as read inside sentences.
('term', 'grade:xuat_sac', 'cqs.grade', 'xuat_sac', 'hoàn thành xuất sắc nhiệm vụ', '{}'),
('term', 'grade:tot', 'cqs.grade', 'tot', 'hoàn thành tốt nhiệm vụ', '{}'),
('term', 'grade:hoan_thanh', 'cqs.grade', 'hoan_thanh', 'hoàn thành nhiệm vụ', '{}'),
('term', 'grade:khong_hoan_thanh', 'cqs.grade', 'khong_hoan_thanh', 'không hoàn thành nhiệm vụ', '{}'),
('term', 'discipline_kind:administrative', 'cqs.discipline', 'administrative', 'hành chính', '{}'),
('term', 'discipline_kind:party', 'cqs.discipline', 'party', 'đảng', '{}'),
('term', 'discipline_level:khien_trach', 'cqs.discipline', 'khien_trach', 'khiển trách', '{}'),
('term', 'discipline_level:canh_cao', 'cqs.discipline', 'canh_cao', 'cảnh cáo', '{}'),
('term', 'discipline_level:ha_bac_luong', 'cqs.discipline', 'ha_bac_luong', 'hạ bậc lương', '{}'),
('term', 'discipline_level:giang_chuc', 'cqs.discipline', 'giang_chuc', 'giáng chức', '{}'),
('term', 'discipline_level:cach_chuc', 'cqs.discipline', 'cach_chuc', 'cách chức', '{}'),
('term', 'discipline_level:buoc_thoi_viec', 'cqs.discipline', 'buoc_thoi_viec', 'buộc thôi việc', '{}'),
('term', 'discipline_level:khai_tru', 'cqs.discipline', 'khai_tru', 'khai trừ', '{}'),
('term', 'article:Art. 20.4.b', 'cqs.grade_year', 'Art. 20.4.b', 'điểm b khoản 4 Điều 20', '{}'),
('term', 'article:Art. 20.4.d', 'cqs.grade_year', 'Art. 20.4.d', 'điểm d khoản 4 Điều 20', '{}'),
('term', 'article:Art. 11.3.b, 20.4.c', 'cqs.grade_year', 'Art. 11.3.b, 20.4.c', 'điểm b khoản 3 Điều 11, điểm c khoản 4 Điều 20', '{}'),
('term', 'role:staff', 'cqs.posting', 'staff', 'không giữ chức vụ lãnh đạo, quản lý', '{}'),
('term', 'role:deputy', 'cqs.posting', 'deputy', 'cấp phó', '{}'),
('term', 'role:head', 'cqs.posting', 'head', 'người đứng đầu', '{}'),
('term', 'status:draft', 'cqs.assessment', 'draft', 'chưa tự đánh giá', '{}'),
('term', 'status:self_assessed', 'cqs.assessment', 'self_assessed', 'đã tự đánh giá', '{}'),
('term', 'status:confirmed', 'cqs.assessment', 'confirmed', 'đã được người đánh giá xác nhận', '{}'),
('term', 'status:locked', 'cqs.assessment', 'locked', 'đã khóa', '{}'),
('term', 'year_status:incomplete', 'cqs.year_results', 'incomplete', 'chưa đủ kết quả các kỳ', '{}'),
('term', 'year_status:not_graded', 'cqs.year_results', 'not_graded', 'không xếp loại', '{}'),
('term', 'year_status:complaint_open', 'cqs.year_results', 'complaint_open', 'đang giải quyết kiến nghị', '{}'),
('term', 'year_status:notified', 'cqs.year_results', 'notified', 'đã thông báo', '{}'),
('term', 'year_status:decided', 'cqs.year_results', 'decided', 'đã quyết định', '{}'),
('term', 'year_status:awaiting_authority', 'cqs.year_results', 'awaiting_authority', 'chờ cấp có thẩm quyền quyết định', '{}'),
('term', 'year_status:proposed', 'cqs.year_results', 'proposed', 'đã đề xuất', '{}'),
('term', 'lateness:per_day', 'cqs.organisation', 'per_day', 'trừ theo ngày chậm', '{}'),
('term', 'lateness:per_occurrence', 'cqs.organisation', 'per_occurrence', 'trừ theo lần chậm', '{}'),
('term', 'cap:total', 'cqs.organisation', 'total', 'giới hạn kết quả bình quân ở mức 100%', '{}'),
('term', 'cap:each', 'cqs.organisation', 'each', 'giới hạn từng tỷ lệ ở mức 100%', '{}'),
('term', 'origin:planned', 'cqs.task_line', 'planned', 'giao theo kế hoạch', '{}'),
('term', 'origin:reassigned_away', 'cqs.task_line', 'reassigned_away', 'đã chuyển cho người khác', '{}'),
('term', 'origin:taken_over', 'cqs.task_line', 'taken_over', 'nhận từ người khác', '{}'),
('term', 'origin:ad_hoc', 'cqs.task_line', 'ad_hoc', 'phát sinh', '{}'),
('term', 'period_kind:month', 'cqs.period_result', 'month', 'tháng', '{}'),
('term', 'period_kind:quarter', 'cqs.period_result', 'quarter', 'quý bắt đầu từ tháng', '{}'),

-- Period notes (cqs._period_note, cqs._rounding_note, cqs.lock_period; period_result.note).
('note', 'period.support_unscored', 'cqs._period_note', 'support-staff criteria not scored yet (HB ch. III)',
 'chưa chấm điểm các tiêu chí của người lao động (Sổ tay hướng dẫn, Chương III)', '{}'),
('note', 'period.no_assigned_work', 'cqs._period_note',
 'no originally assigned work (G = 0): the task criterion cannot be evaluated (Art. 14, 18.1.d)',
 'không có nhiệm vụ được giao ban đầu (G = 0): không đánh giá được tiêu chí kết quả thực hiện nhiệm vụ (Điều 14, điểm d khoản 1 Điều 18)', '{}'),
('note', 'period.general_unscored', 'cqs._period_note', 'general criteria not scored yet (Art. 12.1, Form 01)',
 'chưa chấm điểm tiêu chí chung (khoản 1 Điều 12, Mẫu số 01)', '{}'),
('note', 'period.locked_unassessed', 'cqs.lock_period', 'locked without an assessment or task lines',
 'kỳ đã khóa khi chưa có phiếu theo dõi, đánh giá và nhiệm vụ được giao', '{}'),
('note', 'rounding', 'cqs._rounding_note', 'rounding %s to %s moved it from %s to %s',
 'làm tròn %1$s thành %2$s làm thay đổi mức xếp loại từ “%3$s” sang “%4$s”', '{number,number,term:grade,term:grade}'),
-- Discipline left to the authority (cqs.discipline_counted.authority_reason).
('note', 'discipline.old_organisation', 'cqs.discipline_counted',
 'Art. 11.3.c: %s discipline %s (%s, %s) for act %s at organisation %s, where the person did not work in %s: it counts for that old organisation''s evaluation, not automatically for this grade; the authority decides',
 'điểm c khoản 3 Điều 11: kỷ luật %1$s, hình thức %2$s (%3$s, ngày %4$s) đối với hành vi %5$s tại tổ chức %6$s, nơi công chức không công tác trong năm %7$s: được tính vào việc đánh giá của cơ quan, tổ chức, đơn vị cũ, không đương nhiên áp dụng cho lần xếp loại này; cấp có thẩm quyền quyết định',
 '{term:discipline_kind,term:discipline_level,text,date,text,int,int}'),
-- Organisations (cqs.organisation_grade; organisation_year.needs_decision_reason).
('note', 'org.force_majeure', 'cqs.organisation_grade',
 'only %s of %s planned tasks done (< 70%%) with force majeure: the authority weighs it (Art. 8.4.b)',
 'chỉ hoàn thành %1$s/%2$s nhiệm vụ theo chương trình, kế hoạch (dưới 70%%) và có lý do bất khả kháng: cấp có thẩm quyền xem xét, quyết định (điểm b khoản 4 Điều 8)',
 '{int,int}'),
('note', 'org.no_tasks', 'cqs.organisation_grade',
 '%s points with no assigned tasks: Art. 8''s conditions on tasks cannot be assessed; the authority decides',
 '%1$s điểm nhưng không có nhiệm vụ được giao: không đánh giá được các điều kiện về nhiệm vụ tại Điều 8; cấp có thẩm quyền quyết định',
 '{number}'),
('note', 'org.missing_timely', 'cqs.organisation_grade', '%s of %s tasks done on time with quality',
 '%1$s/%2$s nhiệm vụ hoàn thành đúng thời hạn, bảo đảm chất lượng', '{int,int}'),
('note', 'org.missing_exceeded', 'cqs.organisation_grade', '%s of %s tasks exceeded (< 30%%)',
 '%1$s/%2$s nhiệm vụ hoàn thành vượt mức yêu cầu (dưới 30%%)', '{int,int}'),
('note', 'org.missing_subordinate', 'cqs.organisation_grade', 'a direct subordinate graded khong_hoan_thanh',
 'có đơn vị cấp dưới trực tiếp bị xếp loại không hoàn thành nhiệm vụ', '{}'),
('note', 'org.missing_shortcomings', 'cqs.organisation_grade', 'earlier shortcomings not all fixed',
 'chưa khắc phục toàn bộ hạn chế, khuyết điểm đã được chỉ ra', '{}'),
('note', 'org.awaits_subordinates', 'cqs.organisation_grade',
 '%s points, Art. 8.1 met so far, but it waits: direct subordinate(s) %s still await the authority''s grade (Art. 8.1.b, 9.1)',
 '%1$s điểm, đến nay đáp ứng khoản 1 Điều 8 nhưng phải chờ: đơn vị cấp dưới trực tiếp %2$s chưa được cấp có thẩm quyền xếp loại (điểm b khoản 1 Điều 8, khoản 1 Điều 9)',
 '{number,text}'),
('note', 'org.not_art_8_1', 'cqs.organisation_grade',
 '%s points but Art. 8.1 is not met (%s); Art. 8.2 covers 70 to under 90 only',
 '%1$s điểm nhưng không đáp ứng khoản 1 Điều 8 (%2$s); khoản 2 Điều 8 chỉ áp dụng từ 70 đến dưới 90 điểm',
 '{number,note}'),
('note', 'org.not_art_8_2', 'cqs.organisation_grade',
 '%s points but only %s of %s tasks done on time with quality; Art. 8.2 needs 100%% and no other band covers it',
 '%1$s điểm nhưng chỉ %2$s/%3$s nhiệm vụ hoàn thành đúng thời hạn, bảo đảm chất lượng; khoản 2 Điều 8 yêu cầu 100%% và không mức xếp loại nào khác áp dụng',
 '{number,int,int}'),
('note', 'org.not_art_8_3', 'cqs.organisation_grade',
 '%s points but %s of %s tasks done and %s late (Art. 8.3 needs 100%% done and at most 20%% late)',
 '%1$s điểm nhưng hoàn thành %2$s/%3$s nhiệm vụ, %4$s nhiệm vụ chậm tiến độ (khoản 3 Điều 8 yêu cầu hoàn thành 100%% nhiệm vụ, số nhiệm vụ chưa bảo đảm tiến độ không vượt quá 20%%)',
 '{number,int,int,int}'),
-- The year (cqs.grade_year; year_result.not_graded_reason, override_reasons, cap_reason, missing_periods).
('note', 'year.short', 'cqs.grade_year', 'worked %s month(s) %s day(s) in %s, less than 6 months (Art. 11.1)',
 'thời gian công tác trong năm %3$s là %1$s tháng %2$s ngày, chưa đủ 06 tháng: không xếp loại chất lượng (khoản 1 Điều 11)',
 '{int,int,int}'),
('note', 'year.incomplete', 'cqs.grade_year',
 'incomplete: no confirmed result for %s (Art. 17.2-17.3); graded once they are evaluated',
 'chưa đủ kết quả: chưa có kết quả được xác nhận của %1$s (khoản 2, khoản 3 Điều 17); xếp loại sau khi các kỳ này được đánh giá',
 '{periods}'),
('note', 'year.no_result', 'cqs.grade_year', 'no monthly or quarterly result in the months worked (Art. 17.3)',
 'không có kết quả theo dõi, đánh giá hằng tháng hoặc hằng quý trong thời gian công tác (khoản 3 Điều 17)', '{}'),
('note', 'year.discipline', 'cqs.grade_year',
 'Art. 20.4.c, 11.3: %s discipline %s (%s, %s) for act %s at organisation %s',
 'điểm c khoản 4 Điều 20, khoản 3 Điều 11: kỷ luật %1$s, hình thức %2$s (%3$s, ngày %4$s) đối với hành vi %5$s tại tổ chức %6$s',
 '{term:discipline_kind,term:discipline_level,text,date,text,int}'),
('note', 'year.override', 'cqs.grade_year', '%s: %s (%s, %s, %s)', '%1$s: %2$s (%3$s, %4$s, %5$s)',
 '{term:article,text,name,date,text}'),
('note', 'year.cap_not_graded', 'cqs.grade_year', 'organisation not graded yet: Art. 20.6 caps the head at its grade',
 'tổ chức chưa được xếp loại: mức xếp loại của người đứng đầu không cao hơn mức xếp loại của tổ chức (khoản 6 Điều 20)', '{}'),
('note', 'year.capped', 'cqs.grade_year', 'Art. 20.6: capped at the organisation''s grade %s (from %s)',
 'khoản 6 Điều 20: không cao hơn mức xếp loại của tổ chức “%1$s” (theo điểm là “%2$s”)', '{term:grade,term:grade}'),
('note', 'year.missing_period', 'cqs.grade_year', '%s', '%s', '{period}'),
('note', 'number', 'cqs.explain', '%s', '%s', '{number}'),

-- The outbox (cqs._outbox_problem; cqs.outbox_status.problem): why an item is held.
('note', 'outbox.no_personal_id', 'cqs._outbox_problem',
 'person %s has no personal identification number (số định danh cá nhân)',
 'công chức %s chưa có số định danh cá nhân', '{int}'),
('note', 'outbox.no_agency_code', 'cqs._outbox_problem',
 'organisation %s and those above it have no agency code (mã định danh cơ quan)',
 'tổ chức %s và các cơ quan cấp trên chưa có mã định danh cơ quan', '{int}'),

-- The period trace (cqs.explain(bigint, date, text)).
('explain', 'explain.period.header', 'cqs.explain', '%s (%s), %s %s, organisation %s, role %s; status %s%s.',
 '%1$s (%2$s), %3$s năm %4$s, tổ chức %5$s, %6$s; trạng thái: %7$s%8$s.',
 '{text,text,frag,int,int,term:role,term:status,frag}'),
('explain', 'explain.period.quarter', 'cqs.explain', 'quarter %s', 'quý %s', '{int}'),
('explain', 'explain.period.month', 'cqs.explain', 'month %s', 'tháng %s', '{int}'),
('explain', 'explain.period.locked', 'cqs.explain', ' (locked, lock %s)', ' (đã khóa, lần khóa %s)', '{int}'),
('explain', 'explain.period.policies', 'cqs.explain',
 'Computed by cqs_eval %s under: lateness %s, cap %s, %s decimals, general-criteria set %s.',
 'Tính bằng cqs_eval %1$s theo: tiến độ %2$s, %3$s, làm tròn %4$s chữ số thập phân, bộ tiêu chí chung %5$s.',
 '{text,term:lateness,term:cap,int,text}'),
('explain', 'explain.period.support', 'cqs.explain',
 '1. Support staff (HB ch. III): task score = (quality %s + compliance %s + efficiency %s) / 3 = %s%%.',
 '1. Người lao động (Sổ tay hướng dẫn, Chương III): điểm kết quả thực hiện nhiệm vụ = (chất lượng %1$s + chấp hành %2$s + hiệu quả %3$s) / 3 = %4$s%%.',
 '{number,number,number,number}'),
('explain', 'explain.period.lines', 'cqs.explain', '1. Task lines (Art. 13-14; units = quantity x coefficient):',
 '1. Nhiệm vụ được giao (Điều 13, Điều 14; số lượng quy đổi = số lượng x hệ số quy đổi):', '{}'),
('explain', 'explain.period.line', 'cqs.explain',
 '   - %s %s [%s]: coefficient %s, assigned %s -> %s units%s; completed %s -> %s units; quality: %s failed review(s) -> x%s = %s; progress: %s deduction(s) (%s%s) -> x%s = %s.',
 '   - %1$s %2$s [%3$s]: hệ số quy đổi %4$s, giao %5$s -> %6$s đơn vị chuẩn%7$s; hoàn thành %8$s -> %9$s đơn vị chuẩn; chất lượng: %10$s lần không đạt yêu cầu -> x%11$s = %12$s; tiến độ: %13$s lần trừ (%14$s%15$s) -> x%16$s = %17$s.',
 '{text,text,term:origin,number,number,number,frag,number,number,int,number,number,int,frag,frag,number,number}'),
('explain', 'explain.period.outside_g', 'cqs.explain', ' (outside G, Art. 18.1.d)', ' (không tính vào G, điểm d khoản 1 Điều 18)', '{}'),
('explain', 'explain.period.days_late', 'cqs.explain', '%s day(s) late', 'chậm %s ngày', '{int}'),
('explain', 'explain.period.per_occurrence', 'cqs.explain', 'per occurrence', 'theo lần chậm', '{}'),
('explain', 'explain.period.failures_exempted', 'cqs.explain', ', %s failure(s) exempted (Art. 14.2.b)',
 ', %s lần không đạt yêu cầu được loại trừ (điểm b khoản 2 Điều 14)', '{int}'),
('explain', 'explain.period.delays_exempted', 'cqs.explain', ', %s delay(s) exempted (Art. 14.2.c)',
 ', %s lần chậm tiến độ được loại trừ (điểm c khoản 2 Điều 14)', '{int}'),
('explain', 'explain.period.both_exempted', 'cqs.explain',
 ', %s failure(s) exempted (Art. 14.2.b), %s delay(s) exempted (Art. 14.2.c)',
 ', %1$s lần không đạt yêu cầu được loại trừ (điểm b khoản 2 Điều 14), %2$s lần chậm tiến độ được loại trừ (điểm c khoản 2 Điều 14)',
 '{int,int}'),
('explain', 'explain.period.no_lines', 'cqs.explain', '   (no task lines)', '   (không có nhiệm vụ)', '{}'),
('explain', 'explain.period.g_zero', 'cqs.explain',
 '2. G = 0: nothing was originally assigned, so the task criterion cannot be evaluated (Art. 14, 18.1.d); no task score and no total.',
 '2. G = 0: không có nhiệm vụ được giao ban đầu nên không đánh giá được tiêu chí kết quả thực hiện nhiệm vụ (Điều 14, điểm d khoản 1 Điều 18); không có điểm kết quả thực hiện nhiệm vụ và tổng điểm.', '{}'),
('explain', 'explain.period.g', 'cqs.explain', '2. G = sum of assigned units = %s (Art. 18.1.d).',
 '2. G = tổng số lượng quy đổi được giao = %s (điểm d khoản 1 Điều 18).', '{number}'),
('explain', 'explain.period.a', 'cqs.explain', '3. a (quantity, Art. 14.2.a) = 100 x %s / %s = %s%%.',
 '3. a (tỷ lệ số lượng, điểm a khoản 2 Điều 14) = 100 x %s / %s = %s%%.', '{number,number,number}'),
('explain', 'explain.period.b', 'cqs.explain', '   b (quality, Art. 14.2.b) = 100 x %s / %s = %s%%.',
 '   b (tỷ lệ chất lượng, điểm b khoản 2 Điều 14) = 100 x %s / %s = %s%%.', '{number,number,number}'),
('explain', 'explain.period.c', 'cqs.explain', '   c (progress, Art. 14.2.c) = 100 x %s / %s = %s%%.',
 '   c (tỷ lệ tiến độ, điểm c khoản 2 Điều 14) = 100 x %s / %s = %s%%.', '{number,number,number}'),
('explain', 'explain.period.leader', 'cqs.explain',
 '4. Leader terms (Art. 15.3): d = %s (%s), đ = %s%s, e = %s%s; task score = (a + b + c + d + đ + e) / 6 = %s%% (cap: %s, Art. 12.3).',
 '4. Các tiêu chí của người lãnh đạo (khoản 3 Điều 15): d = %1$s (%2$s), đ = %3$s%4$s, e = %5$s%6$s; điểm kết quả thực hiện nhiệm vụ = (a + b + c + d + đ + e) / 6 = %7$s%% (%8$s, khoản 3 Điều 12).',
 '{number,frag,number,text,number,text,number,term:cap}'),
('explain', 'explain.period.d_low', 'cqs.explain', 'someone they manage scored below 50',
 'có công chức thuộc phạm vi quản lý đạt dưới 50 điểm', '{}'),
('explain', 'explain.period.d_full', 'cqs.explain', 'everyone they manage scored 50 or more',
 'mọi công chức thuộc phạm vi quản lý đạt từ 50 điểm trở lên', '{}'),
('explain', 'explain.period.task_score', 'cqs.explain', '4. Task score (Art. 16.1) = (a + b + c) / 3 = %s%% (cap: %s, Art. 12.3).',
 '4. Điểm kết quả thực hiện nhiệm vụ (khoản 1 Điều 16) = (a + b + c) / 3 = %1$s%% (%2$s, khoản 3 Điều 12).',
 '{number,term:cap}'),
('explain', 'explain.period.general_unscored', 'cqs.explain', '5. General criteria (Art. 12.1, Form 01): not scored yet.',
 '5. Tiêu chí chung (khoản 1 Điều 12, Mẫu số 01): chưa chấm điểm.', '{}'),
('explain', 'explain.period.general', 'cqs.explain', '5. General criteria (Art. 12.1, Form 01) = %s of 30 (%s).',
 '5. Tiêu chí chung (khoản 1 Điều 12, Mẫu số 01) = %1$s/30 điểm (%2$s).', '{number,frag}'),
('explain', 'explain.period.general_confirmed', 'cqs.explain', 'the evaluator''s confirmed score',
 'điểm đã được người đánh giá xác nhận', '{}'),
('explain', 'explain.period.general_self', 'cqs.explain', 'the self score, until confirmed',
 'điểm tự đánh giá, cho đến khi được xác nhận', '{}'),
('explain', 'explain.period.total', 'cqs.explain', '6. Total (Art. 17.1) = %s + %s x 70%% = %s, rounded half-up to %s decimals.',
 '6. Tổng điểm (khoản 1 Điều 17) = %1$s + %2$s x 70%% = %3$s, làm tròn đến %4$s chữ số thập phân.',
 '{number,number,number,int}'),
('explain', 'explain.period.grade', 'cqs.explain', '7. Grade by score (Art. 20): %s — %s.',
 '7. Mức xếp loại theo điểm (Điều 20): %2$s.', '{term:grade,text}'),
('explain', 'explain.period.no_total', 'cqs.explain', '6. No total: %s.', '6. Chưa có tổng điểm: %s.', '{note}'),
('explain', 'explain.period.inputs_missing', 'cqs.explain', 'inputs missing', 'thiếu dữ liệu đầu vào', '{}'),

-- The year trace (cqs.explain(bigint, integer, text)).
('explain', 'explain.year.header', 'cqs.explain',
 '%s (%s), year %s, graded by organisation %s (Art. 19.1), role %s, duty group %s; status %s.',
 '%1$s (%2$s), năm %3$s, xếp loại tại tổ chức %4$s (khoản 1 Điều 19), %5$s, nhóm nhiệm vụ tương đồng %6$s; trạng thái: %7$s.',
 '{text,text,int,int,term:role,text,term:year_status}'),
('explain', 'explain.year.worked', 'cqs.explain',
 '1. Time worked (Art. 11.1-2): %s month(s) %s day(s) from the postings less leave (%s month(s) worked).',
 '1. Thời gian công tác (khoản 1, khoản 2 Điều 11): %1$s tháng %2$s ngày theo quá trình bố trí công tác, trừ thời gian nghỉ (%3$s tháng có công tác).',
 '{int,int,int}'),
('explain', 'explain.year.period', 'cqs.explain', '   - %s %s: %s (organisation %s)%s',
 '   - %1$s %2$s: %3$s (tổ chức %4$s)%5$s', '{term:period_kind,month,frag,int,frag}'),
('explain', 'explain.year.no_total', 'cqs.explain', 'no total', 'chưa có tổng điểm', '{}'),
('explain', 'explain.year.not_confirmed', 'cqs.explain', ', not confirmed', ', chưa được xác nhận', '{}'),
('explain', 'explain.year.missing', 'cqs.explain', '2. Complete, confirmed periods (Art. 17.2-17.3): no confirmed result for %s.',
 '2. Các kỳ đã có kết quả được xác nhận (khoản 2, khoản 3 Điều 17): chưa có kết quả được xác nhận của %s.', '{periods}'),
('explain', 'explain.year.complete', 'cqs.explain', '2. Complete, confirmed periods (Art. 17.2-17.3): all %s counted.',
 '2. Các kỳ đã có kết quả được xác nhận (khoản 2, khoản 3 Điều 17): tính đủ cả %s kỳ.', '{int}'),
('explain', 'explain.year.not_graded', 'cqs.explain', '3. Not graded: %s.', '3. Không xếp loại: %s.', '{note}'),
('explain', 'explain.year.score', 'cqs.explain',
 '3. Year score (Art. 17.3) = mean of %s period total(s), each weighted by the months worked in it = %s; grade by score (Art. 20): %s.%s',
 '3. Điểm của năm (khoản 3 Điều 17) = trung bình %1$s tổng điểm các kỳ, mỗi kỳ tính theo số tháng có công tác trong kỳ = %2$s; mức xếp loại theo điểm (Điều 20): %3$s.%4$s',
 '{int,number,term:grade,frag}'),
('explain', 'explain.year.rounding', 'cqs.explain', ' Note: %s.', ' Lưu ý: %s.', '{note}'),
('explain', 'explain.year.overrides', 'cqs.explain', '4. Overrides force khong_hoan_thanh: %s.',
 '4. Trường hợp xếp loại không hoàn thành nhiệm vụ (khoản 4 Điều 20): %s.', '{note}'),
('explain', 'explain.year.no_override', 'cqs.explain', '4. No override (Art. 20.4).',
 '4. Không thuộc trường hợp tại khoản 4 Điều 20.', '{}'),
('explain', 'explain.year.authority', 'cqs.explain', '   Left to the authority: %s.',
 '   Cấp có thẩm quyền xem xét, quyết định: %s.', '{note}'),
('explain', 'explain.year.head_cap', 'cqs.explain', '5. Head cap (Art. 20.6), before the quota: %s.',
 '5. Giới hạn đối với người đứng đầu (khoản 6 Điều 20), trước khi áp dụng tỷ lệ: %s.', '{note}'),
('explain', 'explain.year.cap_ok', 'cqs.explain', 'not above the organisation''s grade',
 'không cao hơn mức xếp loại của tổ chức', '{}'),
('explain', 'explain.year.not_head', 'cqs.explain', 'not a head', 'không phải người đứng đầu', '{}'),
('explain', 'explain.year.quota', 'cqs.explain', '6. Quota (Art. 20.5, civil servants only): %s.',
 '6. Tỷ lệ hoàn thành xuất sắc nhiệm vụ (khoản 5 Điều 20, chỉ đối với công chức): %s.', '{frag}'),
('explain', 'explain.year.not_candidate', 'cqs.explain', 'not a candidate for xuat_sac',
 'không thuộc diện xét hoàn thành xuất sắc nhiệm vụ', '{}'),
('explain', 'quota.keeps', 'cqs.year_result', 'keeps', 'giữ mức hoàn thành xuất sắc nhiệm vụ trong tỷ lệ', '{}'),
('explain', 'quota.loses', 'cqs.year_result', 'loses', 'vượt tỷ lệ, xếp loại hoàn thành tốt nhiệm vụ', '{}'),
('explain', 'quota.tie_at_cutoff', 'cqs.year_result', 'tie_at_cutoff',
 'bằng điểm tại ngưỡng tỷ lệ, cấp có thẩm quyền quyết định', '{}'),
('explain', 'quota.kept_by_authority', 'cqs.year_result', 'kept_by_authority',
 'cấp có thẩm quyền quyết định giữ mức hoàn thành xuất sắc nhiệm vụ', '{}'),
('explain', 'quota.lost_by_authority', 'cqs.year_result', 'lost_by_authority',
 'cấp có thẩm quyền quyết định không giữ mức hoàn thành xuất sắc nhiệm vụ', '{}'),
('explain', 'explain.year.proposed', 'cqs.explain', '7. Proposed grade: %s.', '7. Mức xếp loại đề xuất: %s.', '{frag}'),
('explain', 'explain.year.none_yet', 'cqs.explain', 'none yet (the authority decides)', 'chưa có (cấp có thẩm quyền quyết định)', '{}'),
('explain', 'grade.xuat_sac', 'cqs.grade', 'xuat_sac', 'hoàn thành xuất sắc nhiệm vụ', '{}'),
('explain', 'grade.tot', 'cqs.grade', 'tot', 'hoàn thành tốt nhiệm vụ', '{}'),
('explain', 'grade.hoan_thanh', 'cqs.grade', 'hoan_thanh', 'hoàn thành nhiệm vụ', '{}'),
('explain', 'grade.khong_hoan_thanh', 'cqs.grade', 'khong_hoan_thanh', 'không hoàn thành nhiệm vụ', '{}'),
('explain', 'explain.year.decision', 'cqs.explain', '   Decision %s (%s, %s by %s): %s%s.',
 '   Quyết định %1$s (%2$s, ngày %3$s, người ghi nhận %4$s): %5$s%6$s.', '{int,text,date,text,term:grade,frag}'),
('explain', 'explain.year.regrade', 'cqs.explain', ', re-grading replacing decision %s (Art. 21.3): %s',
 ', xếp loại lại thay thế quyết định %1$s (khoản 3 Điều 21): %2$s', '{int,text}'),
('explain', 'explain.year.final', 'cqs.explain', '8. Final grade: %s — %s.', '8. Mức xếp loại chất lượng: %2$s.', '{frag,note}'),
('explain', 'explain.year.pending', 'cqs.explain', 'pending', 'chưa có', '{}'),
('explain', 'explain.year.not_decided', 'cqs.explain', 'not decided', 'chưa quyết định', '{}');
