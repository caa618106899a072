-- A realistic sample city for cqs_eval: a city People's Committee, 10 departments
-- with 3 divisions each, 20 communes, their heads, deputies, staff and support staff,
-- a catalogue (handbook examples + Thanh Hóa ranges, demo/catalogue.csv) and a
-- generated year of task lines with lateness, failed reviews and every origin.
--
--   \set catalogue_csv `cat demo/catalogue.csv`
--   \i demo/city.sql
--   SELECT demo.generate_city(scale => 1, year => 2026, catalogue_csv => :'catalogue_csv');
--
-- scale multiplies the staff of every division and commune: 1 gives 460 people,
-- 1111 gives 300,160 (the benchmark city).  All values derive from hashes of ids,
-- so the same scale always makes the same city.
CREATE SCHEMA IF NOT EXISTS demo;

CREATE OR REPLACE FUNCTION demo.h(VARIADIC k bigint[]) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT abs(hashtextextended(array_to_string(k, ':'), 42))
$$;

CREATE OR REPLACE FUNCTION demo.generate_city(scale integer DEFAULT 1, year integer DEFAULT 2026,
                                              catalogue_csv text DEFAULT NULL, months integer DEFAULT 12,
                                              min_lines integer DEFAULT 3, max_lines integer DEFAULT 8,
                                              refresh boolean DEFAULT true)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_city bigint;
  v_n    bigint;
  v_t0   timestamptz := clock_timestamp();
  v_mode text := cqs.refresh_mode();
BEGIN
  PERFORM set_config('cqs.refresh_mode', 'off', true);   -- bulk load: months marked stale, one rebuild at the end

  INSERT INTO cqs.organisation (code, name, kind) VALUES ('UBND-HUE', 'UBND thành phố Huế', 'managing_agency')
  RETURNING organisation_id INTO v_city;
  INSERT INTO cqs.organisation (code, name, kind, parent_id)
  SELECT v.code, v.name, 'using_agency', v_city
    FROM (VALUES ('VP', 'Văn phòng UBND thành phố'), ('SNV', 'Sở Nội vụ'), ('STC', 'Sở Tài chính'),
                 ('SXD', 'Sở Xây dựng'), ('SGDDT', 'Sở Giáo dục và Đào tạo'), ('SYT', 'Sở Y tế'),
                 ('STP', 'Sở Tư pháp'), ('SVHTT', 'Sở Văn hóa, Thể thao và Du lịch'),
                 ('SNNMT', 'Sở Nông nghiệp và Môi trường'), ('TTR', 'Thanh tra thành phố')) AS v(code, name);
  INSERT INTO cqs.organisation (code, name, kind, parent_id)
  SELECT o.code || '-' || d.code, d.name, 'unit', o.organisation_id
    FROM cqs.organisation o
    CROSS JOIN (VALUES ('VPS', 'Văn phòng'), ('NV1', 'Phòng Nghiệp vụ 1'), ('NV2', 'Phòng Nghiệp vụ 2')) AS d(code, name)
   WHERE o.parent_id = v_city;
  -- 20 communes; the mountain ones evaluate quarterly and count lateness per occurrence.
  INSERT INTO cqs.organisation (code, name, kind, parent_id, cadence, lateness_mode)
  SELECT 'XA' || lpad(i::text, 2, '0'),
         (ARRAY['Phường Thuận Hóa', 'Phường Phú Xuân', 'Phường Kim Long', 'Phường Vỹ Dạ', 'Phường Hương An',
                'Phường Thủy Xuân', 'Phường An Cựu', 'Phường Hương Thủy', 'Phường Hương Trà', 'Phường Phong Điền',
                'Xã Phú Vinh', 'Xã Phú Hồ', 'Xã Quảng Điền', 'Xã Đan Điền', 'Xã Vinh Lộc', 'Xã Phú Lộc',
                'Xã Chân Mây - Lăng Cô', 'Xã Long Quảng', 'Xã A Lưới 1', 'Xã A Lưới 2'])[i],
         'using_agency', v_city,
         CASE WHEN i >= 19 THEN 'quarterly' END, CASE WHEN i >= 19 THEN 'per_occurrence' END
    FROM generate_series(1, 20) AS i;

  -- Catalogues: every using agency imports the sample catalogue (one version for the year).
  IF catalogue_csv IS NOT NULL THEN
    PERFORM cqs.import_catalogue(o.organisation_id, year || '.1', make_date(year, 1, 1), catalogue_csv, 5, 1,
                                 'QĐ ' || o.code || '/' || year)
       FROM cqs.organisation o WHERE o.kind IN ('using_agency', 'managing_agency');
  END IF;

  -- People: per department a director and 2 deputies; per division a head, a deputy and
  -- 5 x scale staff; 2 support staff; per commune a chair, a deputy, 6 x scale staff.
  CREATE TEMP TABLE demo_staffing ON COMMIT DROP AS
  SELECT o.organisation_id, o.code, r.role, r.field, r.n, r.kind, r.duty_group
    FROM cqs.organisation o
    CROSS JOIN LATERAL (
      SELECT * FROM (VALUES
        ('head', NULL, 1, 'civil_servant', 'lanh_dao'),
        ('deputy', 'nghiệp vụ', 1, 'civil_servant', 'lanh_dao'),
        ('deputy', 'tổng hợp', CASE WHEN o.kind = 'using_agency' AND o.code NOT LIKE 'XA%' THEN 1 ELSE 0 END,
         'civil_servant', 'lanh_dao'),
        ('staff', 'nghiệp vụ', CASE WHEN o.code LIKE 'XA%' THEN 4 * scale WHEN o.kind = 'unit' THEN 3 * scale ELSE 0 END,
         'civil_servant', 'chuyen_mon'),
        ('staff', 'tổng hợp', CASE WHEN o.code LIKE 'XA%' THEN 2 * scale WHEN o.kind = 'unit' THEN 2 * scale ELSE 0 END,
         'civil_servant', 'chuyen_mon'),
        ('staff', NULL, CASE WHEN o.kind = 'using_agency' THEN 2 ELSE 0 END, 'support_staff', 'ho_tro')
      ) AS v(role, field, n, kind, duty_group)
      WHERE o.kind <> 'managing_agency') r;
  INSERT INTO cqs.person (personnel_id, full_name, kind)
  SELECT 'HUE-' || s.code || '-' || s.role || '-' || coalesce(left(s.field, 2), 'hs') || '-' || i,
         (ARRAY['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Phan', 'Võ', 'Đặng', 'Bùi', 'Đỗ'])[1 + demo.h(s.organisation_id, i, length(s.role), length(coalesce(s.field, '')), 1) % 10]
         || ' ' || (ARRAY['Văn', 'Thị', 'Hữu', 'Minh', 'Thanh', 'Ngọc'])[1 + demo.h(s.organisation_id, i, length(s.role), length(coalesce(s.field, '')), 2) % 6]
         || ' ' || (ARRAY['An', 'Bình', 'Cường', 'Dung', 'Hà', 'Hùng', 'Lan', 'Long', 'Mai', 'Nam', 'Phương', 'Quang',
                          'Sơn', 'Tâm', 'Thảo', 'Trung', 'Tuấn', 'Vân', 'Việt', 'Yến'])[1 + demo.h(s.organisation_id, i, length(s.role), length(coalesce(s.field, '')), 3) % 20],
         s.kind
    FROM demo_staffing s, generate_series(1, s.n) AS i;
  INSERT INTO cqs.posting (person_id, organisation_id, role, field, job_position, duty_group, start_date)
  SELECT p.person_id, s.organisation_id, s.role, s.field,
         CASE s.role WHEN 'head' THEN 'Trưởng' WHEN 'deputy' THEN 'Phó' ELSE 'Chuyên viên' END, s.duty_group,
         make_date(year - 3, 1, 1)
    FROM demo_staffing s
    CROSS JOIN LATERAL generate_series(1, s.n) AS i
    JOIN cqs.person p ON p.personnel_id = 'HUE-' || s.code || '-' || s.role || '-' || coalesce(left(s.field, 2), 'hs') || '-' || i;

  -- Items each using agency can assign: leaders draw from all, staff from the
  -- non-leadership ones (Thanh Hóa's LD items are for leaders).
  CREATE TEMP TABLE demo_items ON COMMIT DROP AS
  SELECT c.organisation_id AS using_agency_id,
         array_agg(i.item_id ORDER BY i.item_id) AS all_items,
         array_agg(i.item_id ORDER BY i.item_id) FILTER (WHERE i.code NOT LIKE 'LD%') AS staff_items
    FROM cqs.catalogue c JOIN cqs.catalogue_item i USING (catalogue_id)
   GROUP BY c.organisation_id;
  CREATE TEMP TABLE demo_people ON COMMIT DROP AS
  SELECT ps.person_id, ps.organisation_id, ps.role,
         CASE WHEN ps.role = 'staff' THEN di.staff_items ELSE di.all_items END AS items
    FROM cqs.posting ps
    JOIN cqs.person pe ON pe.person_id = ps.person_id AND pe.kind = 'civil_servant'
    JOIN cqs.organisation_policies op ON op.organisation_id = ps.organisation_id
    JOIN demo_items di ON di.using_agency_id = op.using_agency_id;

  -- A year of task lines: min_lines to max_lines a month per civil servant; items,
  -- coefficients within the item's range, quantities (some fractional), deadlines,
  -- lateness, failed reviews and every origin drawn from hashes.
  INSERT INTO cqs.task_line (person_id, organisation_id, period, item_id, coefficient, assigned_qty,
                             deadline, completed_qty, completed_on, quality_failures,
                             origin, external_source, external_id)
  SELECT dp.person_id, dp.organisation_id, make_date(year, m, 1), it.item_id,
         round(it.coefficient_low + (it.coefficient_high - it.coefficient_low) * (h % 5) / 4, 1),
         q.assigned,
         make_date(year, m, 1) + (5 + h % 20)::integer,
         CASE WHEN h % 23 = 0 THEN NULL
              ELSE least(q.assigned, round(q.assigned * (0.62 + (h / 11 % 50) / 100.0), 1)) END,
         make_date(year, m, 1) + (5 + h % 20)::integer
           + CASE WHEN h % 5 = 0 THEN (1 + h / 13 % 4)::integer WHEN h % 3 = 0 THEN -2 ELSE 0 END,
         CASE WHEN h % 6 = 0 THEN 1 WHEN h % 37 = 0 THEN 2 ELSE 0 END,
         CASE WHEN h % 41 = 0 THEN 'reassigned_away' WHEN h % 29 = 0 THEN 'taken_over'
              WHEN h % 19 = 0 THEN 'ad_hoc' ELSE 'planned' END,
         'qlvb-hue', dp.person_id || '-' || m || '-' || l
    FROM demo_people dp
    CROSS JOIN generate_series(1, months) AS m
    CROSS JOIN LATERAL generate_series(1, min_lines + (demo.h(dp.person_id, m) % (max_lines - min_lines + 1))::integer) AS l
    CROSS JOIN LATERAL (SELECT demo.h(dp.person_id, m, l) AS h) x
    CROSS JOIN LATERAL (SELECT (1 + x.h % 6 + CASE WHEN x.h % 10 = 0 THEN 0.5 ELSE 0 END)::numeric AS assigned) q
    JOIN cqs.catalogue_item it ON it.item_id = dp.items[1 + (x.h / 7 % cardinality(dp.items))::integer];

  -- Failures and delays recorded one by one (Art. 14.2.b-c): a few delays exempted with
  -- the authority's confirmation, a few failed reviews that concern one product only.
  INSERT INTO cqs.task_deduction (task_line_id, kind, concerned_qty, exemption_reference, description)
  SELECT tl.task_line_id, 'lateness', NULL,
         'Công văn xác nhận nguyên nhân khách quan số ' || tl.task_line_id || '/UBND', 'Chậm do nguyên nhân khách quan'
    FROM cqs.task_line tl
   WHERE tl.external_source = 'qlvb-hue' AND tl.completed_on > tl.deadline AND tl.late_occurrences IS NULL
     AND demo.h(tl.task_line_id) % 97 = 0
  UNION ALL
  SELECT tl.task_line_id, 'quality', 1, NULL, 'Một sản phẩm phải sửa nội dung lớn'
    FROM cqs.task_line tl
   WHERE tl.external_source = 'qlvb-hue' AND tl.completed_qty >= 2 AND demo.h(tl.task_line_id) % 53 = 0;

  -- General criteria: self score, then the evaluator confirms (mostly the same, a few
  -- lower); leaders occasionally get đ or e = 50 with a reason.
  INSERT INTO cqs.assessment (person_id, period, organisation_id, criteria_set_id, self_scores,
                              evaluator_scores, strengths, shortcomings, dd, dd_reason, e, e_reason,
                              support_quality, support_compliance, support_efficiency,
                              status, self_assessed_at, confirmed_at)
  SELECT ps.person_id, cqs.period_start(make_date(year, m, 1), pol.cadence), ps.organisation_id, pol.criteria_set_id,
         s.self, s.eval, 'Hoàn thành nhiệm vụ được giao', CASE WHEN h % 4 = 0 THEN 'Đôi lúc chậm tiến độ' END,
         CASE WHEN ps.role <> 'staff' AND h % 17 = 0 THEN 50 ELSE 100 END,
         CASE WHEN ps.role <> 'staff' AND h % 17 = 0 THEN 'Kế hoạch công tác chậm so với yêu cầu' END,
         CASE WHEN ps.role <> 'staff' AND h % 31 = 0 THEN 50 ELSE 100 END,
         CASE WHEN ps.role <> 'staff' AND h % 31 = 0 THEN 'Có đơn thư phản ánh mất đoàn kết' END,
         CASE WHEN pe.kind = 'support_staff' THEN 70 + h % 31 END,
         CASE WHEN pe.kind = 'support_staff' THEN 80 + h % 21 END,
         CASE WHEN pe.kind = 'support_staff' THEN 75 + h % 26 END,
         'confirmed', make_date(year, m, 1) + 32, make_date(year, m, 1) + 35
    FROM cqs.posting ps
    JOIN cqs.person pe ON pe.person_id = ps.person_id
    JOIN cqs.organisation_policies pol ON pol.organisation_id = ps.organisation_id
    CROSS JOIN generate_series(1, months) AS m
    CROSS JOIN LATERAL (SELECT demo.h(ps.person_id, m, 99) AS h) x
    CROSS JOIN LATERAL (
      SELECT ARRAY[5 - (h % 3 = 0)::int * 0.5, 5, 2.5, 2.5 - (h % 5 = 0)::int * 0.5, 2.5, 2.5,
                   2.5 - (h % 2)::int * 0.5, 2.5 - (h % 3)::int * 0.5, 2.5, 2.5 - (h % 7 = 0)::int]::numeric[] AS self,
             ARRAY[5 - (h % 3 = 0)::int * 0.5, 5 - (h % 13 = 0)::int, 2.5, 2.5 - (h % 5 = 0)::int * 0.5, 2.5, 2.5,
                   2.5 - (h % 2)::int * 0.5, 2.5 - (h % 3)::int * 0.5, 2.5, 2.5 - (h % 7 = 0)::int]::numeric[] AS eval) s
   WHERE pol.cadence = 'monthly' OR m % 3 = 1;

  -- The organisations' year (Art. 6-8): scores and task facts from hashes; a few in
  -- the decree's gap, so the authority has something to decide.
  INSERT INTO cqs.organisation_year (organisation_id, year, general_scores, task_scores, tasks_assigned,
                                     tasks_completed, tasks_on_time, tasks_exceeded, tasks_late,
                                     planned_tasks, planned_tasks_done, shortcomings_fixed)
  SELECT o.organisation_id, year,
         ARRAY[10 - h % 3, 9 + (h / 3) % 2, 8 + (h / 7) % 3]::numeric[],
         ARRAY[least(10, 8 + h % 3), 12 + (h / 5) % 4, 8 + (h / 11) % 3, 4 + (h / 13) % 2,
               7 + (h / 17) % 4, 3 + (h / 19) % 3, 8 + (h / 23) % 3, 4 + (h / 29) % 2]::numeric[],
         40, 40 - (h % 9 = 0)::int * 3, 40 - (h % 9 = 0)::int * 3 - (h % 7 = 0)::int * 2,
         8 + h % 10, (h % 4 = 0)::int * 2, 30, 30 - (h % 9 = 0)::int * 3, h % 13 <> 0
    FROM cqs.organisation o
    CROSS JOIN LATERAL (SELECT demo.h(o.organisation_id, year) AS h) x;

  -- People's special cases (Art. 11): maternity leave, a late arrival with 5 months,
  -- a transfer in June, a reprimand.
  INSERT INTO cqs.leave_record (person_id, kind, start_date, end_date, note)
  SELECT person_id, 'maternity', make_date(year, 3, 1), make_date(year, 8, 31), 'Nghỉ thai sản'
    FROM cqs.person WHERE personnel_id = 'HUE-SNV-NV1-staff-tổ-1';
  UPDATE cqs.posting SET start_date = make_date(year, 8, 1)
   WHERE person_id = (SELECT person_id FROM cqs.person WHERE personnel_id = 'HUE-STC-NV2-staff-ng-1');
  DELETE FROM cqs.task_line
   WHERE person_id = (SELECT person_id FROM cqs.person WHERE personnel_id = 'HUE-STC-NV2-staff-ng-1')
     AND period < make_date(year, 8, 1);
  DELETE FROM cqs.assessment
   WHERE person_id = (SELECT person_id FROM cqs.person WHERE personnel_id = 'HUE-STC-NV2-staff-ng-1')
     AND period < make_date(year, 8, 1);
  UPDATE cqs.posting SET end_date = make_date(year, 5, 31)
   WHERE person_id = (SELECT person_id FROM cqs.person WHERE personnel_id = 'HUE-SXD-NV1-staff-ng-2');
  INSERT INTO cqs.posting (person_id, organisation_id, role, field, job_position, duty_group, start_date)
  SELECT p.person_id, o.organisation_id, 'staff', 'nghiệp vụ', 'Chuyên viên', 'chuyen_mon', make_date(year, 6, 1)
    FROM cqs.person p, cqs.organisation o
   WHERE p.personnel_id = 'HUE-SXD-NV1-staff-ng-2' AND o.code = 'SNV-NV2';
  -- their lines from June on are the new agency's, priced from its catalogue (Art. 13)
  UPDATE cqs.task_line tl
     SET organisation_id = n.organisation_id, item_id = ni.item_id,
         coefficient = least(greatest(tl.coefficient, ni.coefficient_low), ni.coefficient_high)
    FROM cqs.organisation n, cqs.catalogue_item oi, cqs.catalogue_item ni
   WHERE n.code = 'SNV-NV2' AND oi.item_id = tl.item_id
     AND ni.catalogue_id = cqs.catalogue_in_force(n.organisation_id, tl.period) AND ni.code = oi.code
     AND tl.person_id = (SELECT person_id FROM cqs.person WHERE personnel_id = 'HUE-SXD-NV1-staff-ng-2')
     AND tl.period >= make_date(year, 6, 1);
  UPDATE cqs.assessment SET organisation_id = (SELECT organisation_id FROM cqs.organisation WHERE code = 'SNV-NV2')
   WHERE person_id = (SELECT person_id FROM cqs.person WHERE personnel_id = 'HUE-SXD-NV1-staff-ng-2')
     AND period >= make_date(year, 6, 1);
  INSERT INTO cqs.discipline (person_id, kind, level, decision_date, decision_ref, act_ref, act_description, act_organisation_id)
  SELECT p.person_id, 'administrative', 'khien_trach', make_date(year, 9, 20), 'QĐ 112/QĐ-SNV', 'VP-' || year || '-01',
         'Chậm giải quyết hồ sơ của công dân', o.organisation_id
    FROM cqs.person p, cqs.organisation o
   WHERE p.personnel_id = 'HUE-SNV-VPS-staff-ng-2' AND o.code = 'SNV-VPS';
  INSERT INTO cqs.public_holiday (day, name) VALUES
    (make_date(year, 1, 1), 'Tết Dương lịch'), (make_date(year, 4, 30), 'Ngày Giải phóng miền Nam'),
    (make_date(year, 5, 1), 'Quốc tế Lao động'), (make_date(year, 9, 2), 'Quốc khánh'),
    (make_date(year, 9, 1), 'Quốc khánh (nghỉ bù)')
  ON CONFLICT DO NOTHING;

  IF refresh THEN
    SELECT cqs.rebuild() INTO v_n;
  END IF;
  PERFORM set_config('cqs.refresh_mode', v_mode, true);
  RETURN format('city generated at scale %s: %s organisations, %s people, %s task lines, %s period results in %s',
                scale, (SELECT count(*) FROM cqs.organisation), (SELECT count(*) FROM cqs.person),
                (SELECT count(*) FROM cqs.task_line), v_n,
                date_trunc('millisecond', clock_timestamp() - v_t0));
END $$;
