-- Layer 7b: documents -- the papers people sign and the pictures analysts look at
-- (issue 11).  Each function returns one complete, self-contained HTML document (UTF-8,
-- no external asset, print CSS for A4) rendered from the views of 60_api.sql:
--
--   cqs.form01_html(person_id, period)            Mẫu số 01 (Appendix II): phiếu theo dõi, đánh giá công chức
--   cqs.form02_html(person_id, year)              Mẫu số 02 (Appendix II): phiếu xếp loại chất lượng công chức
--   cqs.publication_list_html(organisation, year) Art. 21.1.đ, 21.2.đ: the public notice of the year's grades
--   cqs.organisation_sheet_html(organisation, year) Art. 6-8: an organisation's evaluation sheet
--   cqs.analyst_report_html(organisation, year)   an agency's year in inline SVG charts, numbers beside
--
-- Every function runs with its caller's rights (SECURITY INVOKER): row-level security
-- decides what it reads, exactly as for the views.  A reader who may not read the person
-- (or the organisation's results) gets 42501 naming them -- never a blank form.  Every
-- value is HTML-escaped (cqs.html_escape); numbers are printed as recorded, two
-- decimals, with the Vietnamese decimal comma (cqs.vn_number).

-- ---------------------------------------------------------------------------
-- Helpers: escaping, numbers, dates, the page, the national header, signatures.
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs.html_escape(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT replace(replace(replace(replace(replace($1, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
                         '"', '&quot;'), '''', '&#39;')
$$;
COMMENT ON FUNCTION cqs.html_escape(text) IS
  'Documents (Art. 24): text made safe inside HTML (& < > " '' escaped); NULL gives NULL';

-- 1234.5 -> '1.234,50': Vietnamese decimal comma, dots between thousands, rounded half-up.
CREATE FUNCTION cqs.vn_number(value numeric, decimals integer DEFAULT 2) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN x.t ~ '^[0-9.]+$' THEN
                CASE WHEN $1 < 0 AND x.t ~ '[1-9]' THEN '-' ELSE '' END
                || regexp_replace(split_part(x.t, '.', 1), '([0-9])(?=([0-9]{3})+$)', '\1.', 'g')
                || CASE WHEN position('.' IN x.t) > 0 THEN ',' || split_part(x.t, '.', 2) ELSE '' END
              ELSE x.t END
    FROM (SELECT round(abs($1), least(greatest($2, 0), 10))::text AS t) x
$$;
COMMENT ON FUNCTION cqs.vn_number(numeric, integer) IS
  'Documents (Art. 17.1 totals as recorded): a number with the Vietnamese decimal comma and dots between thousands, rounded half-up to the decimals asked (two by default)';

-- 'ngày 03 tháng 12 năm 2025', or the form's blanks when the day is not recorded.
CREATE FUNCTION cqs._doc_day(day date) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN $1 IS NULL THEN 'ngày ..... tháng ..... năm .....'
              ELSE format('ngày %s tháng %s năm %s', lpad(extract(day FROM $1)::integer::text, 2, '0'),
                          lpad(extract(month FROM $1)::integer::text, 2, '0'), extract(year FROM $1)::integer) END
$$;

-- dd/mm/yyyy (tables).
CREATE FUNCTION cqs._doc_short_day(day date) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN $1 IS NULL THEN '' ELSE
         lpad(extract(day FROM $1)::integer::text, 2, '0') || '/' || lpad(extract(month FROM $1)::integer::text, 2, '0')
         || '/' || extract(year FROM $1)::integer END
$$;

-- What a person is called on a form: Chức vụ, chức danh.
CREATE FUNCTION cqs._doc_role_label(role text, field text, job_position text, person_kind text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE $1 WHEN 'head' THEN 'Người đứng đầu' || coalesce(' (' || $3 || ')', '')
                 WHEN 'deputy' THEN 'Cấp phó' || coalesce(' phụ trách lĩnh vực ' || $2, '') || coalesce(' (' || $3 || ')', '')
                 ELSE coalesce($3, CASE $4 WHEN 'support_staff' THEN 'Người lao động' ELSE 'Công chức' END) END
$$;

-- The whole page: one style sheet, printed on A4 (Decree 30/2020 margins: 20 mm top and
-- bottom, 30 mm left, 15 mm right; Times New Roman 13 pt, or its metric twin Liberation
-- Serif).  No external asset: fonts are the reader's, pictures are inline SVG.
CREATE FUNCTION cqs._doc_page(title text, body text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT '<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="cqs_eval">
<title>' || coalesce(cqs.html_escape($1), '') || '</title>
<style>
@page { size: A4 portrait; margin: 20mm 15mm 20mm 30mm; }
html { background: #fff; color: #000; font-family: "Times New Roman", "Liberation Serif", "DejaVu Serif", serif; font-size: 13pt; }
body { margin: 0 auto; max-width: 165mm; line-height: 1.3; }
@media screen { body { padding: 12mm 14mm; } }
@media print { body { max-width: none; } .screen-only { display: none; } }
table.head { width: 100%; border-collapse: collapse; margin-bottom: 4mm; }
table.head td { width: 42%; text-align: center; vertical-align: top; padding: 0; font-size: 12.5pt; }
table.head td + td { width: 58%; white-space: nowrap; }
.upper { text-transform: uppercase; }
.rule { display: block; width: 35%; margin: 1mm auto 0; border-top: 1px solid #000; }
.form-no { text-align: right; font-weight: bold; font-size: 12pt; }
h1 { font-size: 14pt; text-align: center; margin: 5mm 0 0; text-transform: uppercase; }
h2 { font-size: 13pt; margin: 4mm 0 2mm; text-transform: uppercase; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 13pt; margin: 3mm 0 1mm; break-after: avoid; page-break-after: avoid; }
.subtitle { text-align: center; font-style: italic; margin: 0 0 4mm; }
p { margin: 1mm 0; }
.field .label { font-weight: normal; }
.field .value { font-weight: bold; }
table.grid { width: 100%; border-collapse: collapse; font-size: 12pt; margin: 2mm 0; }
table.grid th, table.grid td { border: 1px solid #000; padding: 1mm 1.5mm; vertical-align: top; }
table.grid th { font-weight: bold; text-align: center; vertical-align: middle; }
table.grid tr { break-inside: avoid; page-break-inside: avoid; }
table.grid tr.group td, table.grid tr.total td { font-weight: bold; }
table.small { font-size: 10pt; }
table.small th, table.small td { padding: 0.6mm 1mm; }
td.c { text-align: center; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.muted, .muted { color: #444; font-size: 10.5pt; }
table.sign { width: 100%; border-collapse: collapse; margin-top: 6mm; break-inside: avoid; page-break-inside: avoid; }
table.sign td { width: 50%; text-align: center; vertical-align: top; padding: 0; }
table.sign .when { font-style: italic; }
table.sign .who { font-weight: bold; text-transform: uppercase; }
table.sign .how { font-style: italic; font-size: 12pt; }
table.sign .name { font-weight: bold; padding-top: 20mm; }
.annex { break-before: page; page-break-before: always; }
.section { break-inside: avoid; page-break-inside: avoid; margin-bottom: 4mm; }
.draft { border: 2px solid #a00; color: #a00; padding: 1.5mm; text-align: center; margin: 2mm 0; font-weight: bold; }
.boxes { list-style: none; padding-left: 6mm; margin: 1mm 0; }
.footnote { margin-top: 5mm; border-top: 1px solid #000; padding-top: 1mm; font-size: 10pt; color: #333; }
svg { display: block; width: 100%; height: auto; margin: 2mm 0; }
svg text { font-family: "Liberation Sans", "DejaVu Sans", Arial, sans-serif; }
.legend span { display: inline-block; margin-right: 4mm; font-size: 10.5pt; }
.swatch { display: inline-block; width: 3.5mm; height: 3.5mm; margin-right: 1mm; vertical-align: middle; border: 1px solid #333; }
</style>
</head>
<body>
' || coalesce($2, '') || '
</body>
</html>
'
$$;

-- The national header of every form (Decree 30/2020 layout; the appendix's wording):
-- the superior organisation and the organisation on the left, the national title on the right.
CREATE FUNCTION cqs._doc_head(superior text, organisation text, form_no text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN $3 IS NOT NULL THEN '<div class="form-no">' || cqs.html_escape($3) || '</div>' ELSE '' END
      || '<table class="head"><tr><td>'
      || CASE WHEN $1 IS NOT NULL THEN '<div class="upper">' || cqs.html_escape($1) || '</div>' ELSE '' END
      || '<div class="upper"><b>' || cqs.html_escape(coalesce($2, 'TÊN CƠ QUAN, TỔ CHỨC, ĐƠN VỊ')) || '</b></div>'
      || '<span class="rule"></span></td>'
      || '<td><div><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b></div><div><b>Độc lập – Tự do – Hạnh phúc</b></div>'
      || '<span class="rule" style="width:55%"></span></td></tr></table>'
$$;

-- The two signature blocks at the foot of a form.
CREATE FUNCTION cqs._doc_sign(left_day date, left_who text, left_name text, right_day date, right_who text, right_name text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT '<table class="sign"><tr><td>'
      || CASE WHEN $2 IS NOT NULL THEN '<div class="when">....., ' || cqs._doc_day($1) || '</div><div class="who">'
                                       || cqs.html_escape($2) || '</div><div class="how">(Ký tên, ghi rõ họ tên)</div>'
                                       || '<div class="name">' || cqs.html_escape($3) || '</div>' ELSE '' END
      || '</td><td><div class="when">....., ' || cqs._doc_day($4) || '</div><div class="who">' || cqs.html_escape($5)
      || '</div><div class="how">(Ký tên, ghi rõ họ tên)</div><div class="name">' || cqs.html_escape($6) || '</div>'
      || '</td></tr></table>'
$$;

-- The four grades of Art. 20 as the form's tick boxes, the one given ticked.
CREATE FUNCTION cqs._doc_grade_boxes(grade cqs.grade) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT '<ul class="boxes">'
      || string_agg('<li>' || CASE WHEN g.g = $1 THEN '&#9746; <b>' ELSE '&#9744; ' END
                    || cqs.html_escape(cqs.grade_label(g.g)) || CASE WHEN g.g = $1 THEN '</b>' ELSE '' END || '</li>',
                    '' ORDER BY g.g DESC)
      || '</ul>'
    FROM unnest(enum_range(NULL::cqs.grade)) AS g(g)
$$;

-- Does the caller see every row whatever row-level security says (a superuser, or a
-- role with BYPASSRLS)?  Then a row it cannot find does not exist.
CREATE FUNCTION cqs._doc_sees_all() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce((SELECT r.rolsuper OR r.rolbypassrls FROM pg_catalog.pg_roles r WHERE r.rolname = current_user), false)
$$;

-- The person a form is about, if the caller may read them (row-level security on
-- cqs.person: themself, those they evaluate, identified mandates); 42501 naming the
-- person otherwise (22023 when a caller who sees everything finds nobody).
CREATE FUNCTION cqs._doc_person(person_id bigint, what text) RETURNS cqs.person
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_p cqs.person;
BEGIN
  IF _doc_person.person_id IS NULL THEN
    RAISE EXCEPTION 'person_id must not be NULL' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT * INTO v_p FROM cqs.person p WHERE p.person_id = _doc_person.person_id;
  IF FOUND THEN
    RETURN v_p;
  END IF;
  IF cqs._doc_sees_all() THEN
    RAISE EXCEPTION 'no person %', _doc_person.person_id USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RAISE EXCEPTION '% (person %) may not read person %: no % for them', cqs._actor_login(),
                  coalesce(cqs.acting_person()::text, 'none'), _doc_person.person_id, what
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'Art. 10, 21, 24: a form is read by the person, those who evaluate them, and the personnel section or authority over their organisation.';
END $$;

-- Refuse (42501) a document over an organisation outside the caller's mandates.
CREATE FUNCTION cqs._doc_require_scope(organisation_id bigint, scope bigint[], what text, hint text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF organisation_id IS NULL THEN
    RAISE EXCEPTION 'organisation_id must not be NULL' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM cqs.organisation o WHERE o.organisation_id = _doc_require_scope.organisation_id) THEN
    RAISE EXCEPTION 'no organisation %', organisation_id USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF organisation_id = ANY (scope) OR (cqs.acting_person() IS NULL AND cqs._doc_sees_all()) THEN
    RETURN;
  END IF;
  RAISE EXCEPTION '% (person %) may not read the % of organisation %: no mandate over it', cqs._actor_login(),
                  coalesce(cqs.acting_person()::text, 'none'), what, organisation_id
    USING ERRCODE = 'insufficient_privilege', HINT = hint;
END $$;

-- ---------------------------------------------------------------------------
-- Form 01 (Mẫu số 01, Appendix II): the monthly or quarterly sheet of a person.
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs.form01_html(person_id bigint, period date) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_p        cqs.person;
  v_r        cqs.period_result;
  v_a        cqs.assessment;
  v_post     cqs.posting;
  v_start    date;
  v_kind     text;
  v_org      bigint;
  v_org_name text;
  v_sup_name text;
  v_set      bigint;
  v_rows     text;
  v_max      numeric;
  v_lines    text;
  v_nlines   integer;
  v_g        numeric;
  v_done     numeric;
  v_q        numeric;
  v_pr       numeric;
  v_eval     text;
  v_task70   numeric;
  v_leader   boolean;
  v_label    text;
  v_body     text;
BEGIN
  IF period IS NULL THEN
    RAISE EXCEPTION 'period must not be NULL' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  v_p := cqs._doc_person(form01_html.person_id, 'Form 01');
  -- The result whose period holds the day: the month, or a quarterly organisation's quarter.
  SELECT * INTO v_r FROM cqs.period_result r
   WHERE r.person_id = form01_html.person_id
     AND r.period = (SELECT max(r2.period) FROM cqs.period_result r2
                      WHERE r2.person_id = form01_html.person_id AND r2.period <= form01_html.period
                        AND r2.period > form01_html.period - interval '3 months'
                        AND (r2.period_kind = 'quarter'
                             OR r2.period = date_trunc('month', form01_html.period::timestamp without time zone)::date));
  IF FOUND THEN
    v_start := v_r.period;
    v_kind := v_r.period_kind;
  ELSE
    v_start := date_trunc('month', form01_html.period::timestamp without time zone)::date;
    v_kind := 'month';
  END IF;
  SELECT * INTO v_a FROM cqs.assessment a WHERE a.person_id = form01_html.person_id AND a.period = v_start;
  IF v_r.person_id IS NULL AND v_a.person_id IS NULL THEN
    RAISE EXCEPTION 'person % has no result or assessment for the period holding %', form01_html.person_id, form01_html.period
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Form 01 exists once task lines or an assessment were recorded for the period.';
  END IF;
  v_org := coalesce(v_r.organisation_id, v_a.organisation_id);
  SELECT o.name, s.name INTO v_org_name, v_sup_name
    FROM cqs.organisation o LEFT JOIN cqs.organisation s ON s.organisation_id = o.parent_id
   WHERE o.organisation_id = v_org;
  SELECT * INTO v_post FROM cqs.posting_in_force(form01_html.person_id, v_start, cqs.period_end(v_start, v_kind) - 1) p;
  v_leader := coalesce(v_r.role, v_post.role) IN ('head', 'deputy');
  v_label := CASE v_kind WHEN 'quarter' THEN format('quý %s năm %s', extract(quarter FROM v_start), extract(year FROM v_start))
                         ELSE format('tháng %s năm %s', extract(month FROM v_start), extract(year FROM v_start)) END;

  -- I. The general criteria: the set's sub-items grouped as the appendix groups them.
  v_set := coalesce(v_a.criteria_set_id, v_r.criteria_set_id,
                    (SELECT pol.criteria_set_id FROM cqs.organisation_policies pol WHERE pol.organisation_id = v_org));
  WITH items AS (
    SELECT i.position, i.name, i.max_points, v_a.self_scores[i.position] AS s, v_a.evaluator_scores[i.position] AS e,
           CASE WHEN i.code ~ '^[IVX]+\.[0-9]+$' THEN split_part(i.code, '.', 1) END AS grp,
           CASE WHEN i.code ~ '^[IVX]+\.[0-9]+$' THEN split_part(i.code, '.', 2) ELSE i.code END AS tt
      FROM cqs.criteria_item i WHERE i.criteria_set_id = v_set
  ), grps AS (
    SELECT i.grp, min(i.position) AS first_pos, sum(i.max_points) AS mx, sum(i.s) AS ss, sum(i.e) AS se
      FROM items i WHERE i.grp IS NOT NULL GROUP BY i.grp
  )
  SELECT string_agg(x.html, E'\n' ORDER BY x.pos, x.sub), (SELECT sum(i.max_points) FROM items i)
    INTO v_rows, v_max
    FROM (SELECT g.first_pos AS pos, 0 AS sub,
                 format('<tr class="group"><td class="c">%s</td><td>%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
                        cqs.html_escape(g.grp),
                        cqs.html_escape(CASE g.grp
                          WHEN 'I' THEN 'Phẩm chất chính trị, phẩm chất đạo đức, văn hóa thực thi công vụ và ý thức kỷ luật, kỷ cương trong thực thi công vụ'
                          WHEN 'II' THEN 'Năng lực chuyên môn, nghiệp vụ theo yêu cầu của vị trí việc làm; khả năng đáp ứng yêu cầu thực thi nhiệm vụ được giao; tinh thần trách nhiệm trong thực thi công vụ; thái độ phục vụ người dân, doanh nghiệp và khả năng phối hợp với đồng nghiệp'
                          WHEN 'III' THEN 'Năng lực đổi mới, sáng tạo, dám nghĩ, dám làm, dám chịu trách nhiệm vì lợi ích chung trong thực thi công vụ'
                          ELSE 'Nhóm ' || g.grp END),
                        cqs.vn_number(g.mx), coalesce(cqs.vn_number(g.ss), ''), coalesce(cqs.vn_number(g.se), '')) AS html
            FROM grps g
          UNION ALL
          SELECT i.position, 1,
                 format('<tr><td class="c">%s</td><td>%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
                        cqs.html_escape(i.tt), cqs.html_escape(i.name), cqs.vn_number(i.max_points),
                        coalesce(cqs.vn_number(i.s), ''), coalesce(cqs.vn_number(i.e), ''))
            FROM items i) x;

  -- Annex: the task lines of the period with their converted units and credits (Art. 13-14).
  SELECT string_agg(format('<tr><td class="c">%s</td><td>%s%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td>'
                           '<td class="num">%s</td><td class="num">%s</td><td class="c">%s</td><td class="c">%s</td>'
                           '<td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
                           x.n, CASE WHEN x.item_code IS NOT NULL THEN '<b>' || cqs.html_escape(x.item_code) || '</b> ' ELSE '' END,
                           cqs.html_escape(x.item_name)
                           || CASE x.origin WHEN 'reassigned_away' THEN ' <i>(chuyển cho người khác; vẫn tính trong G)</i>'
                                            WHEN 'taken_over' THEN ' <i>(nhận thêm; ngoài G)</i>'
                                            WHEN 'ad_hoc' THEN ' <i>(đột xuất; ngoài G)</i>' ELSE '' END
                           || CASE WHEN x.off_catalogue THEN ' <i>(ngoài danh mục, Điều 13.3)</i>' ELSE '' END,
                           cqs.vn_number(x.coefficient), cqs.vn_number(x.assigned_qty), cqs.vn_number(x.assigned_units),
                           cqs.vn_number(coalesce(x.completed_qty, 0)), cqs.vn_number(x.completed_units),
                           cqs._doc_short_day(x.deadline), cqs._doc_short_day(x.completed_on),
                           x.quality_deductions || CASE WHEN x.failures_exempted > 0 THEN '*' ELSE '' END,
                           cqs.vn_number(x.quality_credit),
                           x.lateness_deductions || CASE WHEN x.delays_exempted > 0 THEN '*' ELSE '' END,
                           cqs.vn_number(x.progress_credit)),
                    E'\n' ORDER BY x.n),
         count(*), sum(x.assigned_units), sum(x.completed_units), sum(x.quality_credit), sum(x.progress_credit)
    INTO v_lines, v_nlines, v_g, v_done, v_q, v_pr
    FROM (SELECT t.*, row_number() OVER (ORDER BY t.period, t.task_line_id) AS n
            FROM cqs.task_lines_explained t
           WHERE t.person_id = form01_html.person_id AND t.evaluation_period = v_start) x;

  IF v_a.evaluator_id IS NOT NULL THEN
    SELECT e.full_name INTO v_eval FROM cqs.person e WHERE e.person_id = v_a.evaluator_id;
  END IF;
  v_task70 := CASE WHEN v_r.total IS NOT NULL AND v_r.general_score IS NOT NULL THEN v_r.total - v_r.general_score
                   WHEN v_r.task_score IS NOT NULL THEN round(v_r.task_score * 0.7, 2) END;

  v_body := cqs._doc_head(v_sup_name, v_org_name, 'Mẫu số 01')
    || '<h1>Phiếu theo dõi, đánh giá công chức</h1>'
    || '<p class="subtitle">(Kỳ theo dõi, đánh giá: ' || cqs.html_escape(v_label) || ')</p>'
    || CASE WHEN coalesce(v_a.status, 'draft') NOT IN ('confirmed', 'locked')
            THEN '<div class="draft">DỰ THẢO — chưa được cấp có thẩm quyền xác nhận (trạng thái: '
                 || cqs.html_escape(coalesce(v_a.status, 'draft')) || ')</div>' ELSE '' END
    || '<p class="field"><span class="label">Họ và tên: </span><span class="value">' || cqs.html_escape(v_p.full_name)
    || '</span> <span class="muted">(mã hồ sơ ' || cqs.html_escape(v_p.personnel_id) || ')</span></p>'
    || '<p class="field"><span class="label">Chức vụ, chức danh: </span><span class="value">'
    || cqs.html_escape(cqs._doc_role_label(coalesce(v_r.role, v_post.role), coalesce(v_r.field, v_post.field),
                                           v_post.job_position, coalesce(v_r.person_kind, v_p.kind))) || '</span></p>'
    || '<p class="field"><span class="label">Đơn vị công tác: </span><span class="value">'
    || cqs.html_escape(v_org_name || coalesce(' – ' || v_sup_name, '')) || '</span></p>'
    || '<h2>I. Kết quả theo dõi, đánh giá theo tiêu chí chung</h2>'
    || '<table class="grid"><thead><tr><th style="width:9%">TT</th><th>Tiêu chí chấm điểm</th><th style="width:11%">Điểm tối đa</th>'
    || '<th style="width:13%">Điểm do cá nhân tự chấm</th><th style="width:15%">Điểm do cấp có thẩm quyền đánh giá</th></tr>'
    || '<tr><th>(1)</th><th>(2)</th><th>(3)</th><th>(4)</th><th>(5)</th></tr></thead><tbody>'
    || coalesce(v_rows, '')
    || format('<tr class="total"><td></td><td class="c">Tổng cộng</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
              coalesce(cqs.vn_number(v_max), ''), coalesce(cqs.vn_number(v_a.self_total), ''),
              coalesce(cqs.vn_number(v_a.evaluator_total), ''))
    || '</tbody></table>'
    || '<h2>II. Tổng hợp kết quả theo dõi, đánh giá công chức</h2>'
    || '<p>1. Điểm tiêu chí chung: <b>' || coalesce(cqs.vn_number(v_r.general_score), 'chưa chấm') || '</b>'
    || CASE WHEN v_r.general_score IS NULL THEN ''
            WHEN v_a.status IN ('confirmed', 'locked') THEN ' <span class="muted">(điểm của cấp có thẩm quyền, Điều 12.1)</span>'
            ELSE ' <span class="muted">(điểm tự chấm, đến khi được xác nhận)</span>' END || '</p>'
    || '<p>2. Điểm tiêu chí kết quả thực hiện nhiệm vụ: <b>' || coalesce(cqs.vn_number(v_task70), 'chưa xác định') || '</b>'
    || CASE WHEN v_r.task_score IS NOT NULL
            THEN ' <span class="muted">(tỷ lệ ' || cqs.vn_number(v_r.task_score) || '% × 70 điểm, Điều 16–17)</span>'
            WHEN v_r.note IS NOT NULL THEN ' <span class="muted">(' || cqs.html_escape(cqs.localize(v_r.note, 'vi')) || ')</span>' ELSE '' END || '</p>'
    || '<p>3. Tổng điểm theo dõi, đánh giá công chức: <b>' || coalesce(cqs.vn_number(v_r.total), 'chưa xác định') || '</b>'
    || CASE WHEN v_r.grade IS NOT NULL THEN ' — mức: <b>' || cqs.html_escape(cqs.grade_label(v_r.grade)) || '</b>' ELSE '' END
    || '</p>'
    || '<p>4. Ưu điểm: ' || cqs.html_escape(coalesce(v_a.strengths, '')) || '</p>'
    || '<p>5. Hạn chế, khuyết điểm: ' || cqs.html_escape(coalesce(v_a.shortcomings, '')) || '</p>'
    || '<p>6. Ý kiến nhận xét của cấp có thẩm quyền theo dõi, đánh giá: ' || cqs.html_escape(coalesce(v_a.evaluator_comment, '')) || '</p>'
    || CASE WHEN v_a.confirmed_at IS NOT NULL
            THEN '<p class="muted">Xác nhận'
                 || coalesce(' bởi ' || nullif(concat_ws(' ', cqs.html_escape(coalesce(v_eval, 'người đánh giá số ' || v_a.evaluator_id)),
                                                         '(tài khoản ' || cqs.html_escape(v_a.confirmed_by) || ')'), ''), '')
                 || ' lúc '
                 || cqs.html_escape(to_char(v_a.confirmed_at, 'HH24:MI DD/MM/YYYY')) || '.'
                 || CASE WHEN v_r.lock_id IS NOT NULL THEN ' Kỳ đã khóa, kết quả đã thông báo.' ELSE '' END || '</p>'
            ELSE '' END
    || cqs._doc_sign(v_a.self_assessed_at::date, CASE WHEN v_p.kind = 'support_staff' THEN 'Người lao động tự đánh giá'
                                                      ELSE 'Công chức tự đánh giá' END, v_p.full_name,
                     v_a.confirmed_at::date, 'Cấp có thẩm quyền theo dõi, đánh giá', coalesce(v_eval, ''))
    -- Annex: how the task score was reached.
    || '<div class="annex"><h2>Phụ lục: kết quả thực hiện nhiệm vụ ' || cqs.html_escape(v_label) || '</h2>'
    || '<p class="muted">' || cqs.html_escape(v_p.full_name) || ' — ' || cqs.html_escape(v_org_name)
    || '. Quy đổi = số lượng × hệ số quy đổi (Điều 13); mỗi lần không đạt chất lượng hoặc mỗi lần chậm trừ 25% điểm của sản phẩm đó (Điều 14.2.b–c; '
    || CASE coalesce(v_r.lateness_mode, 'per_day') WHEN 'per_day' THEN 'chậm: mỗi ngày chậm một lần trừ'
                                                   ELSE 'chậm: mỗi lần chậm một lần trừ' END || ').</p>'
    || CASE WHEN coalesce(v_r.person_kind, v_p.kind) = 'support_staff' THEN
         '<p>Người lao động (Sổ tay, chương III): điểm = (chất lượng ' || coalesce(cqs.vn_number(v_a.support_quality), '—')
         || '% + chấp hành ' || coalesce(cqs.vn_number(v_a.support_compliance), '—') || '% + hiệu quả '
         || coalesce(cqs.vn_number(v_a.support_efficiency), '—') || '%) / 3 = <b>'
         || coalesce(cqs.vn_number(v_r.task_score), '—') || '%</b>.</p>'
       ELSE
         '<table class="grid small"><thead><tr><th>TT</th><th style="width:27%">Sản phẩm, công việc</th><th>Hệ số</th><th>SL giao</th>'
         || '<th>Quy đổi giao</th><th>SL hoàn thành</th><th>Quy đổi hoàn thành</th><th>Hạn</th><th>Hoàn thành</th>'
         || '<th>Lần trừ chất lượng</th><th>Điểm chất lượng</th><th>Lần trừ tiến độ</th><th>Điểm tiến độ</th></tr></thead><tbody>'
         || coalesce(v_lines, '<tr><td colspan="13" class="c">Không có nhiệm vụ trong kỳ.</td></tr>')
         || format('<tr class="total"><td></td><td>Cộng (%s dòng)</td><td></td><td></td><td class="num">%s</td><td></td><td class="num">%s</td>'
                   '<td></td><td></td><td></td><td class="num">%s</td><td></td><td class="num">%s</td></tr>',
                   v_nlines, coalesce(cqs.vn_number(v_g), ''), coalesce(cqs.vn_number(v_done), ''),
                   coalesce(cqs.vn_number(v_q), ''), coalesce(cqs.vn_number(v_pr), ''))
         || '</tbody></table>'
         || CASE WHEN coalesce(v_r.assigned_units, 0) = 0 THEN
              '<p><b>G = 0</b>: không có nhiệm vụ được giao theo kế hoạch, tiêu chí kết quả thực hiện nhiệm vụ không đánh giá được (Điều 14, 18.1.d).</p>'
            ELSE
              '<p>Tổng quy đổi được giao G = <b>' || cqs.vn_number(v_r.assigned_units) || '</b> (Điều 18.1.d).</p>'
              || '<p>a (số lượng, Điều 14.2.a) = 100 × ' || cqs.vn_number(v_r.completed_units) || ' / ' || cqs.vn_number(v_r.assigned_units)
              || ' = <b>' || cqs.vn_number(v_r.a) || '%</b></p>'
              || '<p>b (chất lượng, Điều 14.2.b) = 100 × ' || cqs.vn_number(v_r.quality_units) || ' / ' || cqs.vn_number(v_r.assigned_units)
              || ' = <b>' || cqs.vn_number(v_r.b) || '%</b></p>'
              || '<p>c (tiến độ, Điều 14.2.c) = 100 × ' || cqs.vn_number(v_r.progress_units) || ' / ' || cqs.vn_number(v_r.assigned_units)
              || ' = <b>' || cqs.vn_number(v_r.c) || '%</b></p>'
              || CASE WHEN v_leader THEN
                   '<p>d (kết quả của đơn vị, Điều 15.3) = <b>' || coalesce(cqs.vn_number(v_r.d), '—') || '</b>; '
                   || 'đ (năng lực tổ chức) = <b>' || coalesce(cqs.vn_number(v_r.dd), '—') || '</b>'
                   || coalesce(' (' || cqs.html_escape(v_a.dd_reason) || ')', '') || '; '
                   || 'e (đoàn kết) = <b>' || coalesce(cqs.vn_number(v_r.e), '—') || '</b>'
                   || coalesce(' (' || cqs.html_escape(v_a.e_reason) || ')', '') || '.</p>'
                   || '<p>Tỷ lệ KQ = (a + b + c + d + đ + e) / 6 = <b>' || coalesce(cqs.vn_number(v_r.task_score), '—') || '%</b>'
                 ELSE
                   '<p>Tỷ lệ KQ = (a + b + c) / 3 = <b>' || coalesce(cqs.vn_number(v_r.task_score), '—') || '%</b>'
                 END
              || ' <span class="muted">(giới hạn: ' || CASE v_r.cap_mode WHEN 'each' THEN 'từng tỷ lệ a, b, c' ELSE 'tổng' END
              || ' tối đa 100%, Điều 12.3)</span>; điểm = ' || coalesce(cqs.vn_number(v_r.task_score), '—') || '% × 70 = <b>'
              || coalesce(cqs.vn_number(v_task70), '—') || '</b>.</p>'
          END
         || CASE WHEN v_lines LIKE '%*</td>%' THEN '<p class="muted">* có lần không đạt hoặc lần chậm được cấp có thẩm quyền xác nhận miễn trừ (Điều 14.2.b–c).</p>' ELSE '' END
       END
    || '<p>Tổng điểm (Điều 17.1) = ' || coalesce(cqs.vn_number(v_r.general_score), '—') || ' + ' || coalesce(cqs.vn_number(v_task70), '—')
    || ' = <b>' || coalesce(cqs.vn_number(v_r.total), '—') || '</b>'
    || CASE WHEN v_r.grade IS NOT NULL THEN ' — ' || cqs.html_escape(cqs.grade_label(v_r.grade)) ELSE '' END || '.</p>'
    || '<p class="footnote">Lập từ cơ sở dữ liệu (cqs_eval ' || cqs.html_escape(coalesce(v_r.computed_version, '')) || ')'
    || coalesce(', kết quả tính lúc ' || cqs.html_escape(to_char(v_r.computed_at, 'HH24:MI DD/MM/YYYY')), '')
    || '. Số liệu ghi như đã lưu, hai chữ số thập phân.</p></div>';
  RETURN cqs._doc_page('Mẫu số 01 – ' || v_p.full_name || ' – ' || v_label, v_body);
END $$;
COMMENT ON FUNCTION cqs.form01_html(bigint, date) IS
  'Art. 12-18, Form 01 (Mẫu số 01, Appendix II): a person''s monthly or quarterly sheet as a printable A4 HTML document -- the general sub-items with self and evaluator scores, the task lines with converted units and credits, a, b, c, the task score, total, grade, comments and who confirmed; 42501 for a reader who may not read the person';

-- ---------------------------------------------------------------------------
-- Form 02 (Mẫu số 02, Appendix II): the year of a person.
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs.form02_html(person_id bigint, year integer) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_p        cqs.person;
  v_y        record;
  v_g        cqs.year_grading;
  v_d        cqs.grade_decision;
  v_job      text;
  v_field    text;
  v_org_name text;
  v_sup_name text;
  v_rows     text;
  v_body     text;
BEGIN
  IF year IS NULL THEN
    RAISE EXCEPTION 'year must not be NULL' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  v_p := cqs._doc_person(form02_html.person_id, 'Form 02');
  SELECT * INTO v_y FROM cqs.year_results y WHERE y.person_id = form02_html.person_id AND y.year = form02_html.year;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'person % has no computed year %', form02_html.person_id, form02_html.year
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Run cqs.grade_year() first.';
  END IF;
  SELECT * INTO v_g FROM cqs.year_grading g WHERE g.person_id = form02_html.person_id AND g.year = form02_html.year;
  SELECT * INTO v_d FROM cqs.grade_decision d WHERE d.decision_id = v_y.decision_id;
  SELECT o.name, s.name INTO v_org_name, v_sup_name
    FROM cqs.organisation o LEFT JOIN cqs.organisation s ON s.organisation_id = o.parent_id
   WHERE o.organisation_id = v_y.organisation_id;
  SELECT ps.job_position, ps.field INTO v_job, v_field FROM cqs.posting ps
   WHERE ps.person_id = form02_html.person_id AND ps.organisation_id = v_y.organisation_id
   ORDER BY ps.start_date DESC LIMIT 1;

  -- I. The twelve months (a quarterly organisation's quarter is written on its first month).
  SELECT string_agg(format('<tr><td class="c">%s</td><td class="num">%s</td><td>%s</td></tr>', m.m,
                           coalesce(cqs.vn_number(r.total), ''),
                           concat_ws('; ',
                             CASE WHEN r.period_kind = 'quarter' THEN 'kết quả quý ' || extract(quarter FROM r.period) END,
                             CASE WHEN r.person_id IS NULL AND q.person_id IS NOT NULL
                                  THEN 'tính trong kết quả quý ' || extract(quarter FROM q.period) END,
                             CASE WHEN coalesce(r.organisation_id, v_y.organisation_id) <> v_y.organisation_id
                                  THEN 'tại ' || cqs.html_escape(o.name) END,
                             CASE WHEN r.person_id IS NOT NULL AND r.total IS NULL THEN 'chưa có tổng điểm' END,
                             CASE WHEN r.person_id IS NOT NULL AND r.lock_id IS NULL AND coalesce(a.status, 'draft') NOT IN ('confirmed', 'locked')
                                  THEN 'chưa được xác nhận' END,
                             CASE WHEN (format('%s-%s', form02_html.year, lpad(m.m::text, 2, '0')) = ANY (v_y.missing_periods_en)
                                        OR format('%s-Q%s', form02_html.year, (m.m + 2) / 3) = ANY (v_y.missing_periods_en))
                                       AND r.person_id IS NULL AND q.person_id IS NULL
                                  THEN 'thiếu kết quả được xác nhận (Điều 17.2)' END)),
                    E'\n' ORDER BY m.m)
    INTO v_rows
    FROM generate_series(1, 12) AS m(m)
    LEFT JOIN cqs.period_result r ON r.person_id = form02_html.person_id AND r.period = make_date(form02_html.year, m.m, 1)
    LEFT JOIN cqs.period_result q ON q.person_id = form02_html.person_id AND q.period_kind = 'quarter'
                                 AND q.period = make_date(form02_html.year, ((m.m - 1) / 3) * 3 + 1, 1)
                                 AND q.period <> make_date(form02_html.year, m.m, 1)
    LEFT JOIN cqs.assessment a ON a.person_id = r.person_id AND a.period = r.period
    LEFT JOIN cqs.organisation o ON o.organisation_id = r.organisation_id;

  v_body := cqs._doc_head(v_sup_name, v_org_name, 'Mẫu số 02')
    || '<h1>Phiếu xếp loại chất lượng công chức</h1>'
    || '<p class="subtitle" style="font-style:normal"><b>Năm ' || form02_html.year || '</b></p>'
    || '<p class="field"><span class="label">Họ và tên: </span><span class="value">' || cqs.html_escape(v_p.full_name)
    || '</span> <span class="muted">(mã hồ sơ ' || cqs.html_escape(v_p.personnel_id) || ')</span></p>'
    || '<p class="field"><span class="label">Chức vụ, chức danh: </span><span class="value">'
    || cqs.html_escape(cqs._doc_role_label(v_y.role, v_field, v_job, v_p.kind)) || '</span></p>'
    || '<p class="field"><span class="label">Đơn vị công tác: </span><span class="value">'
    || cqs.html_escape(v_org_name || coalesce(' – ' || v_sup_name, '')) || '</span></p>'
    || '<h2>I. Tổng hợp kết quả theo dõi, đánh giá</h2>'
    || '<table class="grid"><thead><tr><th style="width:18%">Tháng</th><th style="width:30%">Tổng điểm theo dõi, đánh giá</th>'
    || '<th>Ghi chú</th></tr></thead><tbody>' || v_rows
    || format('<tr class="total"><td class="c">Tổng điểm trung bình cả năm</td><td class="num">%s</td><td>%s</td></tr>',
              coalesce(cqs.vn_number(v_y.mean_total), ''),
              concat_ws('; ', 'số tháng tính: ' || v_y.months_counted,
                        CASE WHEN v_y.score_grade IS NOT NULL THEN 'mức theo điểm: ' || cqs.html_escape(cqs.grade_label(v_y.score_grade)) END,
                        cqs.html_escape(cqs.localize(v_y.rounding_note_en, 'vi'))))
    || '</tbody></table>'
    || CASE WHEN v_y.not_graded_reason_en IS NOT NULL
            THEN '<div class="draft">Chưa xếp loại: ' || cqs.html_escape(cqs.localize(v_y.not_graded_reason_en, 'vi')) || '</div>' ELSE '' END
    || '<h2>II. Công chức tự đánh giá, xếp loại chất lượng</h2>' || cqs._doc_grade_boxes(v_g.self_proposed_grade)
    || '<h2>III. Kết quả xếp loại chất lượng của cấp có thẩm quyền<sup>1</sup></h2>' || cqs._doc_grade_boxes(v_d.grade)
    || CASE WHEN v_d.decision_id IS NOT NULL
            THEN '<p class="muted">Quyết định ' || cqs.html_escape(v_d.reference) || ' ngày ' || cqs._doc_short_day(v_d.decided_at::date)
                 || coalesce(' (' || cqs.html_escape(v_d.title) || ')', '')
                 || CASE WHEN v_d.supersedes IS NOT NULL THEN '; thay thế quyết định trước (Điều 21.3): ' || cqs.html_escape(v_d.reason) ELSE '' END
                 || '.</p>'
            ELSE '<p class="muted">Chưa có quyết định của cấp có thẩm quyền'
                 || coalesce('; mức đề xuất: ' || cqs.html_escape(cqs.grade_label(v_y.proposed_grade)), '') || '.</p>' END
    || CASE WHEN cardinality(v_y.override_reasons_en) > 0
            THEN '<p class="muted">Căn cứ ' || cqs.html_escape(array_to_string(cqs.localize(v_y.override_reasons_en, 'vi'), '; ')) || '.</p>' ELSE '' END
    || CASE WHEN v_y.cap_reason_en IS NOT NULL
            THEN '<p class="muted">' || cqs.html_escape(cqs.localize(v_y.cap_reason_en, 'vi')) || '.</p>' ELSE '' END
    || '<h2>IV. Đề xuất phương án xử lý<sup>2</sup></h2>'
    || '<p>......................................................................................................................</p>'
    || '<p>......................................................................................................................</p>'
    || cqs._doc_sign(v_g.self_proposed_at::date, CASE WHEN v_p.kind = 'support_staff' THEN 'Người lao động tự xếp loại'
                                                       ELSE 'Công chức tự xếp loại' END, v_p.full_name,
                     v_d.decided_at::date, coalesce(v_d.title, 'Cấp có thẩm quyền xếp loại'), '')
    || '<div class="footnote"><p><sup>1</sup> Việc xếp loại chất lượng công chức căn cứ vào quy định tại Điều 20 Nghị định số 335/2025/NĐ-CP.</p>'
    || '<p><sup>2</sup> Việc đề xuất phương án xử lý căn cứ quy định tại Điều 23 Nghị định số 335/2025/NĐ-CP.</p></div>';
  RETURN cqs._doc_page('Mẫu số 02 – ' || v_p.full_name || ' – năm ' || form02_html.year, v_body);
END $$;
COMMENT ON FUNCTION cqs.form02_html(bigint, integer) IS
  'Art. 17.3, 20-21, Form 02 (Mẫu số 02, Appendix II): a person''s year as a printable A4 HTML document -- the twelve monthly totals, their mean, the self-proposed and the decided grade; 42501 for a reader who may not read the person';

-- ---------------------------------------------------------------------------
-- The public notice of the year's grades (Art. 21.1.đ, 21.2.đ): only decisions in force
-- are published, with the grade and the decision -- no score, no override, no comment.
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs.publication_list_html(organisation_id bigint, year integer) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_org      cqs.organisation;
  v_sup_name text;
  v_rows     text;
  v_n        integer;
  v_summary  text;
  v_waiting  bigint;
  v_body     text;
BEGIN
  IF year IS NULL THEN
    RAISE EXCEPTION 'year must not be NULL' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM cqs._doc_require_scope(publication_list_html.organisation_id, cqs._identified_organisations(),
                                 'publication list',
                                 'Art. 21: the personnel section or the grading authority over the organisation publishes its results.');
  SELECT * INTO v_org FROM cqs.organisation o WHERE o.organisation_id = publication_list_html.organisation_id;
  SELECT s.name INTO v_sup_name FROM cqs.organisation s WHERE s.organisation_id = v_org.parent_id;

  SELECT string_agg(format('<tr><td class="c">%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>',
                           x.n, cqs.html_escape(x.full_name), cqs.html_escape(x.role_label), cqs.html_escape(x.org_name),
                           '<b>' || cqs.html_escape(cqs.grade_label(x.grade)) || '</b>',
                           cqs.html_escape(x.reference) || ' ngày ' || cqs._doc_short_day(x.decided_at::date)),
                    E'\n' ORDER BY x.n),
         count(*)
    INTO v_rows, v_n
    FROM (SELECT row_number() OVER (ORDER BY c.distance, o.code, CASE y.role WHEN 'head' THEN 0 WHEN 'deputy' THEN 1 ELSE 2 END,
                                             p.full_name, y.person_id) AS n,
                 coalesce(p.full_name, 'người số ' || y.person_id) AS full_name, o.name AS org_name,
                 coalesce(ps.job_position, cqs._doc_role_label(y.role, NULL, NULL, p.kind)) AS role_label,
                 d.grade, d.reference, d.decided_at
            FROM cqs.year_results y
            JOIN cqs.organisation_closure c ON c.descendant_id = y.organisation_id
                                           AND c.ancestor_id = publication_list_html.organisation_id
            JOIN cqs.grade_decision d ON d.decision_id = y.decision_id
            JOIN cqs.organisation o ON o.organisation_id = y.organisation_id
            LEFT JOIN cqs.person p ON p.person_id = y.person_id
            LEFT JOIN LATERAL (SELECT s.job_position FROM cqs.posting s
                                WHERE s.person_id = y.person_id AND s.organisation_id = y.organisation_id
                                ORDER BY s.start_date DESC LIMIT 1) ps ON true
           WHERE y.year = publication_list_html.year) x;

  SELECT string_agg(format('<tr><td>%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
                           cqs.html_escape(cqs.grade_label(g.g)), coalesce(k.people, 0),
                           CASE WHEN coalesce(v_n, 0) > 0 THEN cqs.vn_number(100.0 * coalesce(k.people, 0) / v_n) || '%' ELSE '' END),
                    E'\n' ORDER BY g.g DESC)
    INTO v_summary
    FROM unnest(enum_range(NULL::cqs.grade)) AS g(g)
    LEFT JOIN (SELECT d.grade, count(*) AS people
                 FROM cqs.year_results y
                 JOIN cqs.organisation_closure c ON c.descendant_id = y.organisation_id
                                                AND c.ancestor_id = publication_list_html.organisation_id
                 JOIN cqs.grade_decision d ON d.decision_id = y.decision_id
                WHERE y.year = publication_list_html.year GROUP BY d.grade) k ON k.grade = g.g;
  SELECT count(*) INTO v_waiting
    FROM cqs.year_results y
    JOIN cqs.organisation_closure c ON c.descendant_id = y.organisation_id AND c.ancestor_id = publication_list_html.organisation_id
   WHERE y.year = publication_list_html.year AND y.decision_id IS NULL;

  v_body := cqs._doc_head(v_sup_name, v_org.name, NULL)
    || '<h1>Thông báo</h1>'
    || '<p class="subtitle" style="font-style:normal"><b>Công khai kết quả xếp loại chất lượng công chức năm '
    || publication_list_html.year || '</b></p>'
    || '<p>Căn cứ Nghị định số 335/2025/NĐ-CP ngày 21 tháng 12 năm 2025 của Chính phủ về đánh giá, xếp loại chất lượng '
    || 'tổ chức và công chức (Điều 21); căn cứ các quyết định xếp loại chất lượng của cấp có thẩm quyền, '
    || cqs.html_escape(v_org.name) || ' thông báo công khai kết quả xếp loại chất lượng công chức năm '
    || publication_list_html.year || ' như sau:</p>'
    || '<table class="grid" style="font-size:11pt"><thead><tr><th style="width:7%">STT</th><th>Họ và tên</th><th>Chức vụ, chức danh</th><th>Đơn vị</th>'
    || '<th>Kết quả xếp loại</th><th>Quyết định</th></tr></thead><tbody>'
    || coalesce(v_rows, '<tr><td colspan="6" class="c">Chưa có quyết định xếp loại nào.</td></tr>')
    || '</tbody></table>'
    || '<h3>Tổng hợp</h3>'
    || '<table class="grid" style="width:70%"><thead><tr><th>Mức xếp loại</th><th>Số người</th><th>Tỷ lệ</th></tr></thead><tbody>'
    || v_summary
    || format('<tr class="total"><td>Cộng</td><td class="num">%s</td><td class="num">%s</td></tr>', coalesce(v_n, 0),
              CASE WHEN coalesce(v_n, 0) > 0 THEN '100,00%' ELSE '' END)
    || '</tbody></table>'
    || CASE WHEN v_waiting > 0 THEN '<p class="muted">' || v_waiting
            || ' người chưa có quyết định xếp loại (chưa công khai).</p>' ELSE '' END
    || '<p>Công chức không nhất trí với kết quả xếp loại có quyền kiến nghị; cấp có thẩm quyền giải quyết trong thời hạn 07 ngày làm việc '
    || 'kể từ ngày nhận được kiến nghị (Điều 22).</p>'
    || '<table class="sign"><tr><td style="text-align:left"><div><b><i>Nơi nhận:</i></b></div><div class="muted">- Công chức trong cơ quan;<br>'
    || '- Đăng trên cổng thông tin điện tử;<br>- Lưu: VT, TCCB.</div></td>'
    || '<td><div class="when">....., ' || cqs._doc_day(NULL) || '</div><div class="who">Thủ trưởng cơ quan</div>'
    || '<div class="how">(Ký tên, đóng dấu)</div><div class="name"></div></td></tr></table>';
  RETURN cqs._doc_page('Thông báo kết quả xếp loại năm ' || publication_list_html.year || ' – ' || v_org.name, v_body);
END $$;
COMMENT ON FUNCTION cqs.publication_list_html(bigint, integer) IS
  'Art. 21.1.đ, 21.2.đ: the public notice of an organisation''s (and its sub-units'') yearly grades as a printable A4 HTML document -- decisions in force only, with the grade and the decision; no score, override or comment; 42501 outside the caller''s identified mandates';

-- ---------------------------------------------------------------------------
-- An organisation's evaluation sheet (Art. 6-8): the scores and the conditions of its band.
-- ---------------------------------------------------------------------------
CREATE FUNCTION cqs.organisation_sheet_html(organisation_id bigint, year integer) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_org      cqs.organisation;
  v_sup_name text;
  v_y        cqs.organisation_year;
  v_r        record;
  v_general  text;
  v_task     text;
  v_gmax     numeric;
  v_tmax     numeric;
  v_subs     text;
  v_subs_bad integer;
  v_body     text;
BEGIN
  IF organisation_id IS NULL OR year IS NULL THEN
    RAISE EXCEPTION 'organisation_id and year must not be NULL' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT * INTO v_org FROM cqs.organisation o WHERE o.organisation_id = organisation_sheet_html.organisation_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no organisation %', organisation_sheet_html.organisation_id USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT * INTO v_y FROM cqs.organisation_year y
   WHERE y.organisation_id = organisation_sheet_html.organisation_id AND y.year = organisation_sheet_html.year;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'organisation % has no evaluation for %', organisation_sheet_html.organisation_id, organisation_sheet_html.year
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Its personnel section records cqs.organisation_year (Art. 6-8).';
  END IF;
  SELECT * INTO v_r FROM cqs.organisation_results r
   WHERE r.organisation_id = organisation_sheet_html.organisation_id AND r.year = organisation_sheet_html.year;
  SELECT s.name INTO v_sup_name FROM cqs.organisation s WHERE s.organisation_id = v_org.parent_id;

  SELECT string_agg(format('<tr><td class="c">%s</td><td>%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
                           cqs.html_escape(k.code), cqs.html_escape(k.name), cqs.vn_number(k.max_points),
                           coalesce(cqs.vn_number(v_y.general_scores[k.position]), '')), E'\n' ORDER BY k.position),
         sum(k.max_points)
    INTO v_general, v_gmax
    FROM cqs.organisation_criteria k WHERE k.criteria_code = v_y.criteria_code AND k.part = 'general';
  SELECT string_agg(format('<tr><td class="c">%s</td><td>%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
                           cqs.html_escape(k.code), cqs.html_escape(k.name), cqs.vn_number(k.max_points),
                           coalesce(cqs.vn_number(v_y.task_scores[k.position]), '')), E'\n' ORDER BY k.position),
         sum(k.max_points)
    INTO v_task, v_tmax
    FROM cqs.organisation_criteria k WHERE k.criteria_code = v_y.criteria_code AND k.part = 'task';
  -- Art. 8.1.b: the directly subordinate organisations and their grades.
  SELECT string_agg(cqs.html_escape(s.name) || ': ' || coalesce(cqs.html_escape(cqs.grade_label(s.final_grade)), 'chưa xếp loại'),
                    '; ' ORDER BY s.code),
         count(*) FILTER (WHERE s.final_grade = 'khong_hoan_thanh')
    INTO v_subs, v_subs_bad
    FROM cqs.organisation_results s WHERE s.recognised_by = organisation_sheet_html.organisation_id AND s.year = organisation_sheet_html.year;

  v_body := cqs._doc_head(v_sup_name, v_org.name, NULL)
    || '<h1>Phiếu đánh giá, xếp loại chất lượng tổ chức</h1>'
    || '<p class="subtitle" style="font-style:normal"><b>Năm ' || organisation_sheet_html.year || '</b></p>'
    || '<p class="field"><span class="label">Tên cơ quan, tổ chức, đơn vị: </span><span class="value">' || cqs.html_escape(v_org.name)
    || '</span> <span class="muted">(' || cqs.html_escape(v_org.code) || ')</span></p>'
    || '<p class="field"><span class="label">Cấp có thẩm quyền công nhận (Điều 5): </span><span class="value">'
    || cqs.html_escape(coalesce(v_sup_name, '')) || '</span></p>'
    || '<h2>I. Tiêu chí chung (Điều 6)</h2>'
    || '<table class="grid"><thead><tr><th style="width:10%">TT</th><th>Tiêu chí</th><th style="width:13%">Điểm tối đa</th>'
    || '<th style="width:13%">Điểm đạt</th></tr></thead><tbody>' || coalesce(v_general, '')
    || format('<tr class="total"><td></td><td>Cộng</td><td class="num">%s</td><td class="num">%s</td></tr>',
              coalesce(cqs.vn_number(v_gmax), ''), coalesce(cqs.vn_number(v_r.general_score), ''))
    || '</tbody></table>'
    || '<h2>II. Tiêu chí về kết quả thực hiện nhiệm vụ (Điều 7)</h2>'
    || '<table class="grid"><thead><tr><th style="width:10%">TT</th><th>Tiêu chí</th><th style="width:13%">Điểm tối đa</th>'
    || '<th style="width:13%">Điểm đạt</th></tr></thead><tbody>' || coalesce(v_task, '')
    || format('<tr class="total"><td></td><td>Cộng</td><td class="num">%s</td><td class="num">%s</td></tr>',
              coalesce(cqs.vn_number(v_tmax), ''), coalesce(cqs.vn_number(v_r.task_score), ''))
    || format('<tr class="total"><td></td><td>Tổng điểm</td><td class="num">%s</td><td class="num">%s</td></tr>',
              coalesce(cqs.vn_number(v_gmax + v_tmax), ''), coalesce(cqs.vn_number(v_r.score), ''))
    || '</tbody></table>'
    || '<div class="section"><h2>III. Điều kiện xếp loại (Điều 8)</h2>'
    || '<table class="grid"><thead><tr><th>Điều kiện</th><th style="width:22%">Số liệu</th><th style="width:16%">Tỷ lệ</th></tr></thead><tbody>'
    || format('<tr><td>Nhiệm vụ được giao</td><td class="num">%s</td><td></td></tr>', v_y.tasks_assigned)
    || format('<tr><td>Hoàn thành (Điều 8.2–8.3: 100%%)</td><td class="num">%s</td><td class="num">%s</td></tr>', v_y.tasks_completed,
              coalesce(cqs.vn_number(100.0 * v_y.tasks_completed / nullif(v_y.tasks_assigned, 0)) || '%', ''))
    || format('<tr><td>Hoàn thành đúng hạn, bảo đảm chất lượng (Điều 8.1.a, 8.2)</td><td class="num">%s</td><td class="num">%s</td></tr>',
              v_y.tasks_on_time, coalesce(cqs.vn_number(100.0 * v_y.tasks_on_time / nullif(v_y.tasks_assigned, 0)) || '%', ''))
    || format('<tr><td>Hoàn thành vượt mức (Điều 8.1.a: ít nhất 30%%)</td><td class="num">%s</td><td class="num">%s</td></tr>',
              v_y.tasks_exceeded, coalesce(cqs.vn_number(100.0 * v_y.tasks_exceeded / nullif(v_y.tasks_assigned, 0)) || '%', ''))
    || format('<tr><td>Chưa bảo đảm tiến độ (Điều 8.3: không quá 20%%)</td><td class="num">%s</td><td class="num">%s</td></tr>',
              v_y.tasks_late, coalesce(cqs.vn_number(100.0 * v_y.tasks_late / nullif(v_y.tasks_assigned, 0)) || '%', ''))
    || format('<tr><td>Nhiệm vụ theo chương trình, kế hoạch năm đã hoàn thành (Điều 8.4.b: dưới 70%% là không hoàn thành)</td>'
              '<td class="num">%s / %s</td><td class="num">%s</td></tr>',
              v_y.planned_tasks_done, v_y.planned_tasks,
              coalesce(cqs.vn_number(100.0 * v_y.planned_tasks_done / nullif(v_y.planned_tasks, 0)) || '%', ''))
    || format('<tr><td>Đơn vị cấp dưới trực tiếp xếp loại không hoàn thành nhiệm vụ (Điều 8.1.b)<br><span class="muted">%s</span></td>'
              '<td class="num">%s</td><td></td></tr>',
              coalesce(v_subs, 'không có đơn vị cấp dưới trực tiếp'), coalesce(v_subs_bad, 0))
    || format('<tr><td>Đã khắc phục toàn bộ hạn chế, khuyết điểm được chỉ ra (Điều 8.1.c)</td><td class="c">%s</td><td></td></tr>',
              CASE WHEN v_y.shortcomings_fixed THEN 'Có' ELSE 'Chưa' END)
    || format('<tr><td>Bị kết luận sai phạm trong công tác cán bộ, mất đoàn kết, bè phái (Điều 8.4.a)</td><td class="c">%s</td><td class="muted">%s</td></tr>',
              CASE WHEN v_y.violation_concluded THEN 'Có' ELSE 'Không' END, cqs.html_escape(v_y.violation_note))
    || format('<tr><td>Lý do bất khả kháng (Điều 8.4.b)</td><td class="c">%s</td><td></td></tr>',
              CASE WHEN v_y.force_majeure THEN 'Có' ELSE 'Không' END)
    || '</tbody></table></div>'
    || '<div class="section"><h2>IV. Kết quả xếp loại</h2>'
    || '<p>Tổng điểm: <b>' || coalesce(cqs.vn_number(v_r.score), '') || '</b>.</p>'
    || '<p>Tổ chức tự đề xuất (Điều 9.2.a): <b>' || coalesce(cqs.html_escape(cqs.grade_label(v_y.self_proposed_grade)), 'chưa đề xuất') || '</b>.</p>'
    || '<p>Mức theo điểm và điều kiện (Điều 8): <b>'
    || coalesce(cqs.html_escape(cqs.grade_label(v_r.computed_grade)), 'cần cấp có thẩm quyền quyết định') || '</b>'
    || coalesce(' <span class="muted">(' || cqs.html_escape(cqs.localize(v_r.needs_decision_reason_en, 'vi')) || ')</span>', '') || '.</p>'
    || CASE WHEN v_r.quota_outcome IS NOT NULL
            THEN '<p>Tỷ lệ xuất sắc (Điều 8.5): ' || cqs.html_escape(cqs.localize(v_r.quota_outcome, 'vi')) || '.</p>' ELSE '' END
    || '<p>Cấp có thẩm quyền công nhận: </p>' || cqs._doc_grade_boxes(v_y.decided_grade)
    || CASE WHEN v_y.decided_grade IS NOT NULL
            THEN '<p class="muted">Quyết định ' || cqs.html_escape(coalesce(v_y.decision_ref, '')) || ' ngày '
                 || cqs._doc_short_day(v_y.decided_at::date) || coalesce(' (' || cqs.html_escape(v_y.decided_title) || ')', '') || '.</p>'
            ELSE '<p class="muted">Chưa có quyết định; mức đề xuất: '
                 || coalesce(cqs.html_escape(cqs.grade_label(v_r.final_grade)), 'chưa xác định') || '.</p>' END
    || '</div>'
    || cqs._doc_sign(NULL, 'Người đứng đầu cơ quan, tổ chức, đơn vị', '', v_y.decided_at::date,
                     coalesce(v_y.decided_title, 'Cấp có thẩm quyền công nhận'), '');
  RETURN cqs._doc_page('Đánh giá tổ chức năm ' || organisation_sheet_html.year || ' – ' || v_org.name, v_body);
END $$;
COMMENT ON FUNCTION cqs.organisation_sheet_html(bigint, integer) IS
  'Art. 6-9: an organisation''s yearly evaluation sheet as a printable A4 HTML document -- the Art. 6 and Art. 7 scores against their maxima, the Art. 8 conditions with their figures, the computed grade or why the authority must decide, the quota and the decision';

-- ---------------------------------------------------------------------------
-- The analyst's report of an agency and year: inline SVG charts with the numbers beside.
-- ---------------------------------------------------------------------------
-- Colours of the grades (best to worst) and of "not graded yet".
CREATE FUNCTION cqs._doc_grade_colour(grade cqs.grade) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE $1 WHEN 'xuat_sac' THEN '#1b7837' WHEN 'tot' THEN '#7fbf7b' WHEN 'hoan_thanh' THEN '#f1a340'
                 WHEN 'khong_hoan_thanh' THEN '#b2182b' ELSE '#bdbdbd' END
$$;

-- The n-th line colour (ten, then again).
CREATE FUNCTION cqs._doc_series_colour(n integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT (ARRAY['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#7f7f7f',
                '#bcbd22'])[((greatest($1, 1) - 1) % 10) + 1]
$$;

CREATE FUNCTION cqs.analyst_report_html(organisation_id bigint, year integer) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_org      cqs.organisation;
  v_units    jsonb;
  v_n        integer;
  v_people   bigint;
  v_mean     numeric;
  v_periods  bigint;
  v_svg1     text;
  v_tab1     text;
  v_svg2     text;
  v_tab2     text;
  v_svg3     text;
  v_tab3     text;
  v_svg4     text;
  v_tab4     text;
  v_h        integer;
  v_ymin     numeric;
  v_max      numeric;
  v_lines    bigint;
  v_body     text;
BEGIN
  IF year IS NULL THEN
    RAISE EXCEPTION 'year must not be NULL' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM cqs._doc_require_scope(analyst_report_html.organisation_id, cqs._seen_organisations(), 'analyst report',
                                 'An analyst, personnel section or authority with a mandate over the organisation reads its report.');
  SELECT * INTO v_org FROM cqs.organisation o WHERE o.organisation_id = analyst_report_html.organisation_id;

  -- The units: the organisation and every organisation below it, in tree order.
  SELECT jsonb_agg(jsonb_build_object('n', u.n, 'id', u.organisation_id, 'name', u.name, 'code', u.code) ORDER BY u.n), count(*)
    INTO v_units, v_n
    FROM (SELECT row_number() OVER (ORDER BY c.distance > 0, o.code)::integer AS n, o.organisation_id, o.code, o.name
            FROM cqs.organisation_closure c JOIN cqs.organisation o ON o.organisation_id = c.descendant_id
           WHERE c.ancestor_id = analyst_report_html.organisation_id) u;

  SELECT count(*), round(avg(y.mean_total), 2) INTO v_people, v_mean
    FROM cqs.year_results y
    JOIN cqs.organisation_closure c ON c.descendant_id = y.organisation_id AND c.ancestor_id = analyst_report_html.organisation_id
   WHERE y.year = analyst_report_html.year;

  -- 1. Grades per unit, stacked bars (Art. 20): final grade, else "not graded yet".
  v_h := 40 + v_n * 26;
  WITH u AS (SELECT (x ->> 'n')::integer AS n, (x ->> 'id')::bigint AS id, x ->> 'name' AS name
               FROM jsonb_array_elements(v_units) x),
  k AS (
    SELECT u.n, u.name, g.g, g.ord,
           (SELECT count(*) FROM cqs.year_results y
             WHERE y.year = analyst_report_html.year AND y.organisation_id = u.id
               AND (y.final_grade = g.g OR (g.g IS NULL AND y.final_grade IS NULL))) AS people
      FROM u CROSS JOIN (SELECT x.g, x.ord FROM unnest(ARRAY['xuat_sac', 'tot', 'hoan_thanh', 'khong_hoan_thanh', NULL]::cqs.grade[])
                                                WITH ORDINALITY AS x(g, ord)) g
  ), s AS (
    SELECT k.*, sum(k.people) OVER (PARTITION BY k.n) AS total,
           coalesce(sum(k.people) OVER (PARTITION BY k.n ORDER BY k.ord ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
      FROM k
  )
  SELECT string_agg(
           CASE WHEN s.people > 0 THEN
             format('<rect x="%s" y="%s" width="%s" height="18" fill="%s"><title>%s: %s</title></rect>',
                    round(200 + 360.0 * s.before / s.total, 1), 30 + (s.n - 1) * 26, round(360.0 * s.people / s.total, 1),
                    cqs._doc_grade_colour(s.g), cqs.html_escape(coalesce(cqs.grade_label(s.g), 'chưa xếp loại')), s.people)
             || CASE WHEN 360.0 * s.people / s.total >= 16 THEN
                  format('<text x="%s" y="%s" font-size="11" text-anchor="middle" fill="%s">%s</text>',
                         round(200 + 360.0 * (s.before + s.people / 2.0) / s.total, 1), 30 + (s.n - 1) * 26 + 13,
                         CASE WHEN s.g IN ('xuat_sac', 'khong_hoan_thanh') THEN '#fff' ELSE '#000' END, s.people)
                ELSE '' END
           ELSE '' END
           || CASE WHEN s.ord = 1 THEN
                format('<text x="195" y="%s" font-size="11" text-anchor="end">%s</text><text x="568" y="%s" font-size="11">n = %s</text>',
                       30 + (s.n - 1) * 26 + 13, cqs.html_escape(left(s.name, 34)), 30 + (s.n - 1) * 26 + 13, s.total)
                || CASE WHEN s.total = 0 THEN format('<text x="205" y="%s" font-size="11" fill="#777">không có kết quả năm</text>',
                                                     30 + (s.n - 1) * 26 + 13) ELSE '' END
              ELSE '' END, '' ORDER BY s.n, s.ord),
         string_agg(CASE WHEN s.ord = 1 THEN '<tr><td>' || cqs.html_escape(s.name) || '</td>' ELSE '' END
                    || '<td class="num">' || s.people || '</td>'
                    || CASE WHEN s.ord = 5 THEN '<td class="num">' || s.total || '</td></tr>' ELSE '' END, '' ORDER BY s.n, s.ord)
    INTO v_svg1, v_tab1
    FROM s;
  v_svg1 := format('<svg viewBox="0 0 640 %s" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Xếp loại theo đơn vị">', v_h)
    || (SELECT string_agg(format('<rect x="%s" y="6" width="10" height="10" fill="%s"/><text x="%s" y="15" font-size="11">%s</text>',
                                 10 + (x.ord - 1) * 126, cqs._doc_grade_colour(x.g), 24 + (x.ord - 1) * 126,
                                 cqs.html_escape(CASE x.g WHEN 'xuat_sac' THEN 'Xuất sắc' WHEN 'tot' THEN 'Tốt'
                                                          WHEN 'hoan_thanh' THEN 'Hoàn thành' WHEN 'khong_hoan_thanh' THEN 'Không hoàn thành'
                                                          ELSE 'Chưa xếp loại' END)), '' ORDER BY x.ord)
          FROM unnest(ARRAY['xuat_sac', 'tot', 'hoan_thanh', 'khong_hoan_thanh', NULL]::cqs.grade[]) WITH ORDINALITY AS x(g, ord))
    || coalesce(v_svg1, '') || '</svg>';

  -- 2. The monthly mean per unit (lines; a quarterly unit's quarter sits on its middle month).
  WITH u AS (SELECT (x ->> 'n')::integer AS n, (x ->> 'id')::bigint AS id, x ->> 'name' AS name
               FROM jsonb_array_elements(v_units) x),
  m AS (
    SELECT u.n, u.name, extract(month FROM r.period)::integer + CASE WHEN r.period_kind = 'quarter' THEN 1 ELSE 0 END AS month,
           round(avg(r.total), 2) AS mean, count(*) AS people
      FROM u JOIN cqs.period_result r ON r.organisation_id = u.id
     WHERE r.total IS NOT NULL AND r.period >= make_date(analyst_report_html.year, 1, 1)
       AND r.period < make_date(analyst_report_html.year + 1, 1, 1)
     GROUP BY u.n, u.name, 3
  )
  SELECT least(coalesce(floor(min(m.mean) / 10) * 10, 50), 50) INTO v_ymin FROM m;
  WITH u AS (SELECT (x ->> 'n')::integer AS n, (x ->> 'id')::bigint AS id, x ->> 'name' AS name
               FROM jsonb_array_elements(v_units) x),
  m AS (
    SELECT u.n, u.name, extract(month FROM r.period)::integer + CASE WHEN r.period_kind = 'quarter' THEN 1 ELSE 0 END AS month,
           round(avg(r.total), 2) AS mean
      FROM u JOIN cqs.period_result r ON r.organisation_id = u.id
     WHERE r.total IS NOT NULL AND r.period >= make_date(analyst_report_html.year, 1, 1)
       AND r.period < make_date(analyst_report_html.year + 1, 1, 1)
     GROUP BY u.n, u.name, 3
  ), pts AS (
    SELECT m.*, round(60 + (m.month - 1) * 50.0, 1) AS px, round(250 - (m.mean - v_ymin) * 230.0 / (100 - v_ymin), 1) AS py FROM m
  )
  SELECT string_agg(format('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>%s', cqs._doc_series_colour(l.n), l.points, l.dots),
                    '' ORDER BY l.n)
    INTO v_svg2
    FROM (SELECT p.n, string_agg(p.px || ',' || p.py, ' ' ORDER BY p.month) AS points,
                 string_agg(format('<circle cx="%s" cy="%s" r="2.5" fill="%s"><title>%s, tháng %s: %s</title></circle>', p.px, p.py,
                                   cqs._doc_series_colour(p.n), cqs.html_escape(p.name), p.month, cqs.vn_number(p.mean)), '' ORDER BY p.month) AS dots
            FROM pts p GROUP BY p.n) l;
  v_svg2 := '<svg viewBox="0 0 640 ' || (290 + ((v_n + 1) / 2) * 16) || '" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Điểm trung bình hằng tháng theo đơn vị">'
    -- the frame: horizontal grid every 10 points, the grade thresholds dashed, months below
    || (SELECT string_agg(format('<line x1="55" x2="615" y1="%1$s" y2="%1$s" stroke="%2$s" stroke-width="%3$s"%4$s/>'
                                 '<text x="50" y="%5$s" font-size="10" text-anchor="end">%6$s</text>',
                                 round(250 - (v.v - v_ymin) * 230.0 / (100 - v_ymin), 1),
                                 CASE WHEN v.v IN (50, 70, 90) THEN '#b2182b' ELSE '#ddd' END,
                                 CASE WHEN v.v IN (50, 70, 90) THEN '1' ELSE '0.8' END,
                                 CASE WHEN v.v IN (50, 70, 90) THEN ' stroke-dasharray="4 3"' ELSE '' END,
                                 round(250 - (v.v - v_ymin) * 230.0 / (100 - v_ymin), 1) + 3, v.v), '' ORDER BY v.v)
          FROM generate_series(v_ymin::integer, 100, 10) AS v(v))
    || (SELECT string_agg(format('<text x="%s" y="266" font-size="10" text-anchor="middle">T%s</text>', 60 + (x - 1) * 50, x), '')
          FROM generate_series(1, 12) AS x)
    || coalesce(v_svg2, '<text x="320" y="140" font-size="12" text-anchor="middle" fill="#777">không có kết quả kỳ</text>')
    || (SELECT string_agg(format('<rect x="%s" y="%s" width="14" height="3" fill="%s"/><text x="%s" y="%s" font-size="10">%s</text>',
                                 20 + ((x ->> 'n')::integer - 1) % 2 * 310, 283 + (((x ->> 'n')::integer - 1) / 2) * 16,
                                 cqs._doc_series_colour((x ->> 'n')::integer),
                                 38 + ((x ->> 'n')::integer - 1) % 2 * 310, 287 + (((x ->> 'n')::integer - 1) / 2) * 16,
                                 cqs.html_escape(left(x ->> 'name', 45))), '')
          FROM jsonb_array_elements(v_units) x)
    || '</svg>';
  WITH u AS (SELECT (x ->> 'n')::integer AS n, (x ->> 'id')::bigint AS id, x ->> 'name' AS name
               FROM jsonb_array_elements(v_units) x)
  SELECT string_agg('<tr><td>' || cqs.html_escape(u.name) || '</td>'
                    || (SELECT string_agg('<td class="num">' || coalesce(cqs.vn_number(
                                 (SELECT round(avg(r.total), 2) FROM cqs.period_result r
                                   WHERE r.organisation_id = u.id AND r.total IS NOT NULL
                                     AND r.period = make_date(analyst_report_html.year, mm, 1))), '') || '</td>', '' ORDER BY mm)
                          FROM generate_series(1, 12) AS mm) || '</tr>', '' ORDER BY u.n)
    INTO v_tab2 FROM u;

  -- 3. The distribution of period totals (histogram, 5-point bins; 100 in the last).
  WITH t AS (
    SELECT least(floor(r.total / 5), 19)::integer AS bin
      FROM cqs.period_result r
      JOIN cqs.organisation_closure c ON c.descendant_id = r.organisation_id AND c.ancestor_id = analyst_report_html.organisation_id
     WHERE r.total IS NOT NULL AND r.period >= make_date(analyst_report_html.year, 1, 1)
       AND r.period < make_date(analyst_report_html.year + 1, 1, 1)
  ), b AS (
    SELECT s.bin, (SELECT count(*) FROM t WHERE t.bin = s.bin) AS n FROM generate_series(0, 19) AS s(bin)
  )
  SELECT greatest(max(b.n), 1), sum(b.n),
         string_agg(format('<td class="num">%s</td>', b.n), '' ORDER BY b.bin)
    INTO v_max, v_periods, v_tab3 FROM b;
  WITH t AS (
    SELECT least(floor(r.total / 5), 19)::integer AS bin
      FROM cqs.period_result r
      JOIN cqs.organisation_closure c ON c.descendant_id = r.organisation_id AND c.ancestor_id = analyst_report_html.organisation_id
     WHERE r.total IS NOT NULL AND r.period >= make_date(analyst_report_html.year, 1, 1)
       AND r.period < make_date(analyst_report_html.year + 1, 1, 1)
  ), b AS (
    SELECT s.bin, (SELECT count(*) FROM t WHERE t.bin = s.bin) AS n FROM generate_series(0, 19) AS s(bin)
  )
  SELECT '<svg viewBox="0 0 640 250" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Phân bố tổng điểm các kỳ">'
      || string_agg(format('<rect x="%s" y="%s" width="24" height="%s" fill="%s"><title>%s–%s: %s</title></rect>%s',
                           40 + b.bin * 29, round(210 - 180.0 * b.n / v_max, 1), round(180.0 * b.n / v_max, 1),
                           cqs._doc_grade_colour(cqs.classify(b.bin * 5)), b.bin * 5, b.bin * 5 + 5, b.n,
                           CASE WHEN b.n > 0 THEN format('<text x="%s" y="%s" font-size="10" text-anchor="middle">%s</text>',
                                                         52 + b.bin * 29, round(206 - 180.0 * b.n / v_max, 1), b.n) ELSE '' END),
                    '' ORDER BY b.bin)
      || '<line x1="38" x2="622" y1="210" y2="210" stroke="#000"/>'
      || (SELECT string_agg(format('<text x="%s" y="224" font-size="10" text-anchor="middle">%s</text>', 38 + x * 58, x * 10), '')
            FROM generate_series(0, 10) AS x)
      || '<text x="330" y="242" font-size="11" text-anchor="middle">tổng điểm kỳ (mỗi cột 5 điểm; màu theo mức Điều 20)</text>'
      || '</svg>'
    INTO v_svg3 FROM b;

  -- 4. The share of task lines late or failing review per unit (Art. 14.2.b-c; counted
  --    deductions, exemptions left out).  Task lines identify people: readers without an
  --    identified mandate read none.
  WITH u AS (SELECT (x ->> 'n')::integer AS n, (x ->> 'id')::bigint AS id, x ->> 'name' AS name
               FROM jsonb_array_elements(v_units) x),
  l AS (
    SELECT u.n, u.name, count(t.task_line_id) AS lines,
           count(t.task_line_id) FILTER (WHERE t.lateness_deductions > 0) AS late,
           count(t.task_line_id) FILTER (WHERE t.quality_deductions > 0) AS failing
      FROM u LEFT JOIN cqs.task_lines_explained t
        ON t.organisation_id = u.id AND t.period >= make_date(analyst_report_html.year, 1, 1)
       AND t.period < make_date(analyst_report_html.year + 1, 1, 1)
     GROUP BY u.n, u.name
  )
  SELECT sum(l.lines),
         string_agg(format('<text x="195" y="%s" font-size="11" text-anchor="end">%s</text>', 30 + (l.n - 1) * 30 + 12,
                           cqs.html_escape(left(l.name, 34)))
                    || CASE WHEN l.lines = 0 THEN format('<text x="205" y="%s" font-size="11" fill="#777">không có dòng nhiệm vụ đọc được</text>',
                                                         30 + (l.n - 1) * 30 + 12)
                       ELSE format('<rect x="200" y="%s" width="%s" height="11" fill="#f1a340"/><text x="%s" y="%s" font-size="10">%s%%</text>'
                                   '<rect x="200" y="%s" width="%s" height="11" fill="#b2182b"/><text x="%s" y="%s" font-size="10">%s%%</text>',
                                   30 + (l.n - 1) * 30, round(360.0 * l.late / l.lines, 1), round(204 + 360.0 * l.late / l.lines, 1),
                                   30 + (l.n - 1) * 30 + 9, cqs.vn_number(100.0 * l.late / l.lines),
                                   30 + (l.n - 1) * 30 + 12, round(360.0 * l.failing / l.lines, 1),
                                   round(204 + 360.0 * l.failing / l.lines, 1), 30 + (l.n - 1) * 30 + 21,
                                   cqs.vn_number(100.0 * l.failing / l.lines)) END,
                    '' ORDER BY l.n),
         string_agg(format('<tr><td>%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td></tr>',
                           cqs.html_escape(l.name), l.lines, l.late,
                           coalesce(cqs.vn_number(100.0 * l.late / nullif(l.lines, 0)) || '%', ''), l.failing,
                           coalesce(cqs.vn_number(100.0 * l.failing / nullif(l.lines, 0)) || '%', '')), '' ORDER BY l.n)
    INTO v_lines, v_svg4, v_tab4 FROM l;
  v_svg4 := format('<svg viewBox="0 0 640 %s" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Tỷ lệ dòng nhiệm vụ chậm hoặc không đạt chất lượng">',
                   34 + v_n * 30)
    || '<rect x="200" y="6" width="10" height="10" fill="#f1a340"/><text x="214" y="15" font-size="11">chậm tiến độ (có lần trừ)</text>'
    || '<rect x="400" y="6" width="10" height="10" fill="#b2182b"/><text x="414" y="15" font-size="11">không đạt chất lượng (có lần trừ)</text>'
    || coalesce(v_svg4, '') || '</svg>';

  v_body := cqs._doc_head(NULL, v_org.name, NULL)
    || '<h1>Báo cáo phân tích kết quả đánh giá năm ' || analyst_report_html.year || '</h1>'
    || '<p class="subtitle">' || cqs.html_escape(v_org.name) || ' và các đơn vị trực thuộc — theo Nghị định số 335/2025/NĐ-CP</p>'
    || '<p>Người có kết quả năm: <b>' || v_people || '</b>; điểm trung bình năm: <b>' || coalesce(cqs.vn_number(v_mean), '—')
    || '</b>; số đơn vị: <b>' || v_n || '</b>. <span class="muted">Chỉ gồm số liệu người đọc được phép xem (row-level security).</span></p>'
    || '<div class="section"><h2>1. Xếp loại theo đơn vị (Điều 20)</h2>' || v_svg1
    || '<table class="grid small"><thead><tr><th>Đơn vị</th><th>Xuất sắc</th><th>Tốt</th><th>Hoàn thành</th>'
    || '<th>Không hoàn thành</th><th>Chưa xếp loại</th><th>Cộng</th></tr></thead><tbody>' || coalesce(v_tab1, '') || '</tbody></table></div>'
    || '<div class="section"><h2>2. Điểm trung bình hằng tháng theo đơn vị (Điều 17)</h2>' || v_svg2
    || '<table class="grid small"><thead><tr><th>Đơn vị</th>'
    || (SELECT string_agg('<th>T' || x || '</th>', '') FROM generate_series(1, 12) AS x)
    || '</tr></thead><tbody>' || coalesce(v_tab2, '') || '</tbody></table>'
    || '<p class="muted">Kết quả quý của đơn vị đánh giá theo quý được vẽ ở tháng giữa quý; bảng ghi kết quả theo tháng bắt đầu kỳ.</p></div>'
    || '<div class="section"><h2>3. Phân bố tổng điểm các kỳ (' || coalesce(v_periods, 0) || ' kết quả tháng, quý)</h2>' || v_svg3
    || '<table class="grid small"><thead><tr>'
    || (SELECT string_agg('<th>' || x * 5 || '–' || CASE WHEN x = 19 THEN '100' ELSE (x * 5 + 5)::text END || '</th>', '' ORDER BY x)
          FROM generate_series(0, 19) AS x)
    || '</tr></thead><tbody><tr>' || v_tab3 || '</tr></tbody></table></div>'
    || '<div class="section"><h2>4. Tỷ lệ dòng nhiệm vụ chậm tiến độ hoặc không đạt chất lượng (Điều 14.2.b–c)</h2>' || v_svg4
    || '<table class="grid small"><thead><tr><th>Đơn vị</th><th>Dòng nhiệm vụ</th><th>Chậm</th><th>Tỷ lệ chậm</th>'
    || '<th>Không đạt</th><th>Tỷ lệ không đạt</th></tr></thead><tbody>' || coalesce(v_tab4, '') || '</tbody></table>'
    || CASE WHEN coalesce(v_lines, 0) = 0
            THEN '<p class="muted">Không đọc được dòng nhiệm vụ nào: dòng nhiệm vụ gắn với từng người, chỉ người có ủy quyền định danh mới đọc được.</p>'
            ELSE '' END
    || '</div>'
    || '<p class="footnote">Lập từ cơ sở dữ liệu (cqs_eval). Số liệu ghi như đã lưu, hai chữ số thập phân, dấu phẩy thập phân.</p>';
  RETURN cqs._doc_page('Báo cáo phân tích năm ' || analyst_report_html.year || ' – ' || v_org.name, v_body);
END $$;
COMMENT ON FUNCTION cqs.analyst_report_html(bigint, integer) IS
  'Art. 14, 17, 20: an agency''s year as one HTML page with inline SVG charts and the numbers beside -- grades per unit (stacked bars), the monthly mean per unit (lines), the distribution of period totals (histogram), the share of task lines late or failing review per unit; 42501 outside the caller''s mandates';

-- The documents are granted by cqs.setup_roles() to the roles that read them; the pure
-- helpers (escaping, numbers) stay everyone's.
REVOKE EXECUTE ON FUNCTION cqs.form01_html(bigint, date) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.form02_html(bigint, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.publication_list_html(bigint, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.organisation_sheet_html(bigint, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION cqs.analyst_report_html(bigint, integer) FROM PUBLIC;
