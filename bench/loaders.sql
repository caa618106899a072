-- CSV loaders benchmark (issue 10): parse and load 10,000-line files as Excel writes them
-- in Viet Nam (";", BOM, CRLF, Vietnamese headers, dd/mm/yyyy, decimal commas), each
-- against a COPY of the same rows in the same run (the COPY file holds the ids the
-- loader resolves; the tables' triggers run for both).  Every figure is the median of
-- three rounds, each rolled back.  The PL/pgSQL parser the C reader replaced (from git
-- history, bench/loaders.sh) is timed on 250 to 1,000 lines.  Never run in CI.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION cqs_eval CASCADE;
\i :old_parser
\set catalogue_csv `cat :catalogue_csv_file`

-- A bare city: a managing agency, a department with the demo catalogue, one unit.
INSERT INTO cqs.organisation (code, name, kind) VALUES ('B-CITY', 'UBND', 'managing_agency');
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT 'B-D', 'Sở', 'using_agency', organisation_id FROM cqs.organisation WHERE code = 'B-CITY';
INSERT INTO cqs.organisation (code, name, kind, parent_id)
SELECT 'B-P', 'Phòng', 'unit', organisation_id FROM cqs.organisation WHERE code = 'B-D';
SELECT cqs.import_catalogue(organisation_id, '2026.1', '2026-01-01', :'catalogue_csv', 5, 1) IS NOT NULL AS catalogue
  FROM cqs.organisation WHERE code = 'B-D';

-- Timing: the median of n rounds of a statement, each rolled back (ms).
CREATE FUNCTION pg_temp.ms(stmt text, n integer DEFAULT 3) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
  t  timestamptz;
  ts numeric[] := '{}';
BEGIN
  FOR i IN 1 .. n LOOP
    BEGIN
      t := clock_timestamp();
      EXECUTE stmt;
      ts := ts || (extract(epoch FROM clock_timestamp() - t) * 1000)::numeric;
      RAISE EXCEPTION USING ERRCODE = 'CQSB1';
    EXCEPTION WHEN SQLSTATE 'CQSB1' THEN NULL;
    END;
  END LOOP;
  RETURN (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(ts) x);
END $$;
CREATE TEMP TABLE result (what text, lines integer, ms numeric, baseline text, baseline_ms numeric);
CREATE TEMP TABLE f (kind text PRIMARY KEY, csv text);
-- Server files for the COPY baselines (in the data directory; emptied at the end).
SELECT current_setting('data_directory') || '/cqs_bench_loaders_' AS dir \gset

-- The files.
INSERT INTO f VALUES ('person', E'\xEF\xBB\xBFMã hồ sơ;Họ và tên;Đảng viên;Số định danh cá nhân\r\n' ||
  (SELECT string_agg(format('B-%s;Nguyễn Văn %s;%s;%s', i, i, CASE WHEN i % 3 = 0 THEN 'x' ELSE '' END, lpad(i::text, 12, '0')), E'\r\n')
     FROM generate_series(1, 10000) i) || E'\r\n');
INSERT INTO f VALUES ('posting', E'\xEF\xBB\xBFMã hồ sơ;Mã đơn vị;Chức vụ;Vị trí việc làm;Ngày bắt đầu\r\n' ||
  (SELECT string_agg(format('B-%s;B-P;Chuyên viên;"Chuyên viên; tổng hợp";01/01/2026', i), E'\r\n')
     FROM generate_series(1, 10000) i) || E'\r\n');
INSERT INTO f VALUES ('task_line', E'\xEF\xBB\xBFMã hồ sơ;Kỳ;Mã sản phẩm;Hệ số;Số lượng giao;Hạn;Số lượng hoàn thành;Ngày hoàn thành\r\n' ||
  (SELECT string_agg(format('B-%s;03/2026;%s;%s;%s;%s/03/2026;%s;%s/03/2026', i,
                            (ARRAY['VB01', 'BC01', 'LD01'])[1 + i % 3], CASE i % 3 WHEN 2 THEN '45,5' ELSE '' END,
                            1 + i % 5, lpad((10 + i % 15)::text, 2, '0'), replace((0.5 + i % 5)::text, '.', ','),
                            lpad((8 + i % 20)::text, 2, '0')), E'\r\n')
     FROM generate_series(1, 10000) i) || E'\r\n');
INSERT INTO f VALUES ('leave', E'\xEF\xBB\xBFMã hồ sơ;Loại nghỉ;Từ ngày;Đến ngày;Ghi chú\r\n' ||
  (SELECT string_agg(format('B-%s;%s;01/%s/2026;10/%s/2026;', i, (ARRAY['Nghỉ ốm', 'Thai sản', 'Không lương'])[1 + i % 3],
                            lpad((1 + i % 12)::text, 2, '0'), lpad((1 + i % 12)::text, 2, '0')), E'\r\n')
     FROM generate_series(1, 10000) i) || E'\r\n');
INSERT INTO f VALUES ('imported_total', E'\xEF\xBB\xBFMã hồ sơ;Tháng;Tổng điểm;Hệ thống cũ;Văn bản\r\n' ||
  (SELECT string_agg(format('B-%s;%s/2026;%s;eGov;TB %s', 1 + i / 8, lpad((1 + i % 8)::text, 2, '0'),
                            replace(round(60 + (i % 400) / 10.0, 1)::text, '.', ','), i), E'\r\n')
     FROM generate_series(0, 9999) i) || E'\r\n');
INSERT INTO f VALUES ('catalogue', E'\xEF\xBB\xBFSTT;Nhóm nhiệm vụ;Sản phẩm đầu ra;Phân nhóm;Khung điểm;Điểm chấm (khoảng);Hệ số quy đổi;Tham chiếu\r\n'
  || E'C.1;Soạn thảo văn bản;"Công văn; Tờ trình";N1;≤100;5 (chuẩn);1;Sổ tay\r\n' ||
  (SELECT string_agg(format('C.%s;Nhiệm vụ %s;"Báo cáo; Kế hoạch";N%s;≤%s;%s–%s;%s–%s;', i, i, g, 100 * g,
                            40 * g, 40 * g + 20, 8 * g, 8 * g + 4), E'\r\n')
     FROM generate_series(2, 10000) i, LATERAL (SELECT 1 + i % 5 AS g) x) || E'\r\n');
SELECT kind, length(csv) AS chars, (SELECT count(*) FROM cqs.parse_csv(csv)) - 1 AS lines FROM f ORDER BY kind;

-- Files on the server: the loader's file as written (lo_export writes its bytes), and
-- the COPY baseline's file: the rows the loader wrote, exported by COPY (ids resolved).
CREATE FUNCTION pg_temp.write_file(path text, content text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  o oid := lo_from_bytea(0, convert_to(content, 'UTF8'));
BEGIN
  PERFORM lo_export(o, path);
  PERFORM lo_unlink(o);
END $$;
CREATE FUNCTION pg_temp.copy_file(kind text, export text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  BEGIN
    IF kind = 'catalogue' THEN
      PERFORM cqs.import_catalogue((SELECT organisation_id FROM cqs.organisation WHERE code = 'B-D'), 'B', '2026-06-01',
                                   (SELECT f.csv FROM f WHERE f.kind = 'catalogue'), 5, 1);
    ELSE
      PERFORM cqs.load_csv(kind, (SELECT f.csv FROM f WHERE f.kind = copy_file.kind));
    END IF;
    EXECUTE format('COPY (%s) TO %L (FORMAT csv, HEADER)', export, current_setting('data_directory') || '/cqs_bench_loaders_' || kind || '.copy');
    RAISE EXCEPTION USING ERRCODE = 'CQSB1';
  EXCEPTION WHEN SQLSTATE 'CQSB1' THEN NULL;
  END;
END $$;
-- One kind: reading (the C reader against COPY of the same file into text columns) and
-- loading (cqs.load_csv against COPY of the rows it writes).
CREATE FUNCTION pg_temp.bench(kind text, tbl text, cols text, export text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  dir   text := current_setting('data_directory') || '/cqs_bench_loaders_';
  v_csv text := (SELECT f.csv FROM f WHERE f.kind = bench.kind);
  n     integer := (SELECT count(*) FROM cqs.parse_csv(v_csv)) - 1;
  ncol  integer := (SELECT cardinality(p.fields) FROM cqs.parse_csv(v_csv) p LIMIT 1);
BEGIN
  PERFORM pg_temp.write_file(dir || kind || '.csv', v_csv);
  EXECUTE format('CREATE TEMP TABLE raw_%s (%s)', kind,
                 (SELECT string_agg('c' || i || ' text', ', ') FROM generate_series(1, ncol) i));
  INSERT INTO result VALUES ('read ' || kind, n,
    pg_temp.ms(format('SELECT count(*) FROM cqs.parse_csv(%L)', v_csv)),
    'COPY the file into text columns',
    pg_temp.ms(format('COPY raw_%s FROM %L (FORMAT csv, HEADER, DELIMITER %L)', kind, dir || kind || '.csv', ';')));
  PERFORM pg_temp.copy_file(kind, export);
  INSERT INTO result VALUES (CASE kind WHEN 'catalogue' THEN 'cqs.import_catalogue' ELSE 'load_csv ' || kind END, n,
    pg_temp.ms(CASE kind WHEN 'catalogue'
                 THEN format('SELECT cqs.import_catalogue((SELECT organisation_id FROM cqs.organisation WHERE code = %L), %L, %L, %L, 5, 1)',
                             'B-D', 'B', '2026-06-01', v_csv)
                 ELSE format('SELECT cqs.load_csv(%L, %L)', kind, v_csv) END),
    'COPY ' || tbl || ' of the same rows',
    pg_temp.ms(CASE kind WHEN 'catalogue'
                 THEN format('INSERT INTO cqs.catalogue (catalogue_id, organisation_id, version, effective_from, standard_points, coefficient_decimals) '
                             'OVERRIDING SYSTEM VALUE SELECT 999999, organisation_id, %L, %L, 5, 1 FROM cqs.organisation WHERE code = %L; '
                             'COPY cqs.catalogue_item (%s) FROM %L (FORMAT csv, HEADER)', 'B', '2026-06-01', 'B-D', cols, dir || kind || '.copy')
                 ELSE format('COPY %s (%s) FROM %L (FORMAT csv, HEADER)', tbl, cols, dir || kind || '.copy') END));
END $$;

\echo 'people'
SELECT pg_temp.bench('person', 'cqs.person', 'personnel_id, full_name, kind, party_member, personal_id_number',
                     'SELECT personnel_id, full_name, kind, party_member, personal_id_number FROM cqs.person');
SELECT cqs.load_csv('person', csv) AS people FROM f WHERE kind = 'person';
\echo 'postings'
SELECT pg_temp.bench('posting', 'cqs.posting', 'person_id, organisation_id, role, job_position, duty_group, start_date',
                     'SELECT person_id, organisation_id, role, job_position, duty_group, start_date FROM cqs.posting');
SELECT cqs.load_csv('posting', csv) AS postings FROM f WHERE kind = 'posting';
\echo 'task lines (each statement also computes the 10,000 person-months: refresh mode sync, both sides)'
SELECT pg_temp.bench('task_line', 'cqs.task_line',
                     'person_id, organisation_id, period, item_id, coefficient, assigned_qty, deadline, completed_qty, completed_on',
                     'SELECT person_id, organisation_id, period, item_id, coefficient, assigned_qty, deadline, completed_qty, completed_on FROM cqs.task_line');
\echo 'leave'
SELECT pg_temp.bench('leave', 'cqs.leave_record', 'person_id, kind, start_date, end_date',
                     'SELECT person_id, kind, start_date, end_date FROM cqs.leave_record');
\echo 'earlier monthly totals'
SELECT pg_temp.bench('imported_total', 'cqs.imported_total', 'person_id, period, organisation_id, total, source, reference',
                     'SELECT person_id, period, organisation_id, total, source, reference FROM cqs.imported_total');
\echo 'catalogue (10,000 items)'
SELECT pg_temp.bench('catalogue', 'cqs.catalogue_item',
                     'catalogue_id, code, name, output_unit, complexity_group, group_max, points_low, points_high, is_standard, coefficient_low, coefficient_high',
                     'SELECT 999999, code, name, output_unit, complexity_group, group_max, points_low, points_high, is_standard, coefficient_low, coefficient_high FROM cqs.catalogue_item i JOIN cqs.catalogue c USING (catalogue_id) WHERE c.version = ''B''');

\echo 'the PL/pgSQL parser the C reader replaced, on the catalogue''s first lines (one round each)'
INSERT INTO result
SELECT 'old PL/pgSQL parser, catalogue', n,
       pg_temp.ms(format('SELECT count(*) FROM pg_temp.old_parse_csv(%L, %L)', x.csv, ';'), 1),
       'C reader, same lines', pg_temp.ms(format('SELECT count(*) FROM cqs.parse_csv(%L)', x.csv))
  FROM (VALUES (250), (500), (1000)) v(n),
       LATERAL (SELECT string_agg(l, E'\r\n' ORDER BY o) AS csv
                  FROM unnest(string_to_array((SELECT csv FROM f WHERE kind = 'catalogue'), E'\r\n')) WITH ORDINALITY AS u(l, o)
                 WHERE o <= n + 1) x;

-- Empty the server files.
DO $$
DECLARE
  k text;
BEGIN
  FOR k IN SELECT kind FROM f LOOP
    PERFORM pg_temp.write_file(current_setting('data_directory') || '/cqs_bench_loaders_' || k || '.csv', '');
    PERFORM pg_temp.write_file(current_setting('data_directory') || '/cqs_bench_loaders_' || k || '.copy', '');
  END LOOP;
END $$;

\pset format aligned
SELECT what, lines, round(ms) AS ms, round(lines * 1000 / nullif(ms, 0)) AS lines_per_s, baseline, round(baseline_ms) AS baseline_ms,
       round(ms / nullif(baseline_ms, 0), 2) AS ratio
  FROM result ORDER BY what;
