-- ---------------------------------------------------------------------------
-- CSV import.  Agencies build catalogues in Excel; a UTF-8 CSV (BOM or not) with
-- a header row naming at least: code, name, output_unit, group, points; optional:
-- group_max (default 100 x group), standard (x/yes/1/true marks the standard unit).
-- group is N1..N5 or 1..5; points is "5", "40-80" or "40–80" (decimal comma allowed).
-- ---------------------------------------------------------------------------

-- RFC 4180 parsing: quoted fields, doubled quotes, CR/LF, embedded newlines.
-- Returns one row per record with the line number where the record starts.
CREATE FUNCTION cqs.parse_csv(content text, delimiter text DEFAULT ',')
RETURNS TABLE (line_no integer, fields text[])
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_text   text := content;
  v_len    integer;
  v_pos    integer := 1;
  v_line   integer := 1;
  v_start  integer := 1;
  v_field  text := '';
  v_fields text[] := '{}';
  v_quoted boolean := false;
  v_ch     text;
  v_chunk  integer;
BEGIN
  IF length(delimiter) <> 1 THEN
    RAISE EXCEPTION 'delimiter must be one character, got "%"', delimiter
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF left(v_text, 1) = chr(65279) THEN      -- UTF-8 byte-order mark
    v_text := substr(v_text, 2);
  END IF;
  v_len := length(v_text);
  WHILE v_pos <= v_len LOOP
    v_ch := substr(v_text, v_pos, 1);
    IF v_quoted THEN
      IF v_ch = '"' THEN
        IF substr(v_text, v_pos + 1, 1) = '"' THEN
          v_field := v_field || '"';
          v_pos := v_pos + 1;
        ELSE
          v_quoted := false;
        END IF;
      ELSE
        IF v_ch = E'\n' THEN v_line := v_line + 1; END IF;
        v_field := v_field || v_ch;
      END IF;
    ELSIF v_ch = '"' THEN
      v_quoted := true;
    ELSIF v_ch = delimiter THEN
      v_fields := v_fields || v_field;
      v_field := '';
    ELSIF v_ch = E'\r' THEN
      NULL;
    ELSIF v_ch = E'\n' THEN
      v_fields := v_fields || v_field;
      IF NOT (cardinality(v_fields) = 1 AND v_fields[1] = '') THEN
        line_no := v_start; fields := v_fields; RETURN NEXT;
      END IF;
      v_fields := '{}'; v_field := '';
      v_line := v_line + 1;
      v_start := v_line;
    ELSE
      -- copy a run of ordinary characters at once
      v_chunk := coalesce(nullif(position(E'\n' IN substr(v_text, v_pos, 200)), 0), 201) - 1;
      v_chunk := least(v_chunk,
                       coalesce(nullif(position('"' IN substr(v_text, v_pos, v_chunk)), 0), v_chunk + 1) - 1,
                       coalesce(nullif(position(delimiter IN substr(v_text, v_pos, v_chunk)), 0), v_chunk + 1) - 1,
                       coalesce(nullif(position(E'\r' IN substr(v_text, v_pos, v_chunk)), 0), v_chunk + 1) - 1);
      v_chunk := greatest(v_chunk, 1);
      v_field := v_field || substr(v_text, v_pos, v_chunk);
      v_pos := v_pos + v_chunk - 1;
    END IF;
    v_pos := v_pos + 1;
  END LOOP;
  IF v_quoted THEN
    RAISE EXCEPTION 'CSV line %: quoted field is not closed', v_start
      USING ERRCODE = 'bad_copy_file_format';
  END IF;
  v_fields := v_fields || v_field;
  IF NOT (cardinality(v_fields) = 1 AND v_fields[1] = '') THEN
    line_no := v_start; fields := v_fields; RETURN NEXT;
  END IF;
END $$;
COMMENT ON FUNCTION cqs.parse_csv(text, text) IS
  'RFC 4180 CSV parser (quotes, embedded newlines, UTF-8 BOM): one row per record with its starting line number';

-- Parse a decimal as written in Vietnamese spreadsheets ("2,5" or "2.5"); NULL if not a number.
CREATE FUNCTION cqs._parse_decimal(txt text) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN btrim(txt) ~ '^[0-9]+([.,][0-9]+)?$'
            THEN replace(btrim(txt), ',', '.')::numeric END;

-- Every problem of a catalogue CSV, with its line number, in one pass.
CREATE FUNCTION cqs.catalogue_csv_problems(content text, standard_points numeric)
RETURNS TABLE (line_no integer, problem text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_rec        record;
  v_header     text[];
  v_idx        jsonb := '{}';
  v_col        text;
  v_code       text;
  v_group      integer;
  v_gmax       numeric;
  v_low        numeric;
  v_high       numeric;
  v_parts      text[];
  v_seen       jsonb := '{}';
  v_standards  integer := 0;
  v_first      boolean := true;
  v_get        text[];
BEGIN
  FOR v_rec IN SELECT * FROM cqs.parse_csv(content) LOOP
    IF v_first THEN
      v_first := false;
      v_header := ARRAY(SELECT lower(btrim(h)) FROM unnest(v_rec.fields) AS h);
      FOR i IN 1 .. cardinality(v_header) LOOP
        v_idx := v_idx || jsonb_build_object(v_header[i], i);
      END LOOP;
      FOREACH v_col IN ARRAY ARRAY['code', 'name', 'output_unit', 'group', 'points'] LOOP
        IF NOT v_idx ? v_col THEN
          line_no := v_rec.line_no; problem := format('header has no column "%s"', v_col); RETURN NEXT;
        END IF;
      END LOOP;
      IF NOT (v_idx ?& ARRAY['code', 'name', 'output_unit', 'group', 'points']) THEN
        RETURN;                       -- nothing else can be read without the columns
      END IF;
      CONTINUE;
    END IF;

    IF cardinality(v_rec.fields) <> cardinality(v_header) THEN
      line_no := v_rec.line_no;
      problem := format('has %s fields, the header has %s', cardinality(v_rec.fields), cardinality(v_header));
      RETURN NEXT;
      CONTINUE;
    END IF;
    v_get := ARRAY(SELECT btrim(f) FROM unnest(v_rec.fields) AS f);
    v_code := v_get[(v_idx->>'code')::int];

    IF v_code = '' THEN
      line_no := v_rec.line_no; problem := 'code is empty'; RETURN NEXT;
    ELSIF v_seen ? v_code THEN
      line_no := v_rec.line_no;
      problem := format('code "%s" repeats line %s', v_code, v_seen->>v_code); RETURN NEXT;
    ELSE
      v_seen := v_seen || jsonb_build_object(v_code, v_rec.line_no);
    END IF;
    IF v_get[(v_idx->>'name')::int] = '' THEN
      line_no := v_rec.line_no; problem := format('item "%s": name is empty', v_code); RETURN NEXT;
    END IF;
    IF v_get[(v_idx->>'output_unit')::int] = '' THEN
      line_no := v_rec.line_no; problem := format('item "%s": output_unit is empty', v_code); RETURN NEXT;
    END IF;

    v_group := NULL;
    IF upper(v_get[(v_idx->>'group')::int]) ~ '^N?[1-5]$' THEN
      v_group := right(v_get[(v_idx->>'group')::int], 1)::int;
    ELSE
      line_no := v_rec.line_no;
      problem := format('item "%s": group "%s" is not N1..N5', v_code, v_get[(v_idx->>'group')::int]);
      RETURN NEXT;
    END IF;

    v_gmax := NULL;
    IF v_group IS NOT NULL THEN
      v_gmax := 100 * v_group;
      IF v_idx ? 'group_max' AND v_get[(v_idx->>'group_max')::int] <> '' THEN
        v_gmax := cqs._parse_decimal(v_get[(v_idx->>'group_max')::int]);
        IF v_gmax IS NULL THEN
          line_no := v_rec.line_no;
          problem := format('item "%s": group_max "%s" is not a number', v_code, v_get[(v_idx->>'group_max')::int]);
          RETURN NEXT;
        ELSIF v_gmax > 100 * v_group OR v_gmax <= 0 THEN
          line_no := v_rec.line_no;
          problem := format('item "%s": group_max %s exceeds N%s''s maximum %s (HB ch. II)', v_code, v_gmax, v_group, 100 * v_group);
          RETURN NEXT;
          v_gmax := NULL;
        END IF;
      END IF;
    END IF;

    v_parts := regexp_split_to_array(v_get[(v_idx->>'points')::int], '\s*[-–—]\s*');
    v_low := cqs._parse_decimal(v_parts[1]);
    v_high := CASE cardinality(v_parts) WHEN 1 THEN v_low WHEN 2 THEN cqs._parse_decimal(v_parts[2]) END;
    IF v_low IS NULL OR v_high IS NULL OR v_low = 0 THEN
      line_no := v_rec.line_no;
      problem := format('item "%s": points "%s" is not a positive number or range like 40-80', v_code, v_get[(v_idx->>'points')::int]);
      RETURN NEXT;
    ELSE
      IF v_low > v_high THEN
        line_no := v_rec.line_no;
        problem := format('item "%s": points range %s-%s has its low end above its high end', v_code, v_low, v_high);
        RETURN NEXT;
      END IF;
      IF v_gmax IS NOT NULL AND v_high > v_gmax THEN
        line_no := v_rec.line_no;
        problem := format('item "%s": %s points exceed the group maximum %s of N%s (HB ch. II)', v_code, v_high, v_gmax, v_group);
        RETURN NEXT;
      END IF;
    END IF;

    IF v_idx ? 'standard' AND lower(v_get[(v_idx->>'standard')::int]) IN ('x', 'yes', 'y', '1', 'true', 'có', 'chuẩn') THEN
      v_standards := v_standards + 1;
      IF v_standards > 1 THEN
        line_no := v_rec.line_no;
        problem := format('item "%s": a second standard unit (a catalogue has exactly one)', v_code);
        RETURN NEXT;
      END IF;
      IF v_low IS NOT NULL AND (v_low <> standard_points OR v_high <> standard_points) THEN
        line_no := v_rec.line_no;
        problem := format('item "%s": the standard unit must score %s points, got %s', v_code, standard_points,
                          v_get[(v_idx->>'points')::int]);
        RETURN NEXT;
      END IF;
    END IF;
  END LOOP;
  IF v_first THEN
    line_no := 1; problem := 'the file is empty'; RETURN NEXT;
  ELSIF v_standards = 0 THEN
    line_no := NULL; problem := 'no item is marked as the standard unit (column "standard")'; RETURN NEXT;
  END IF;
END $$;
COMMENT ON FUNCTION cqs.catalogue_csv_problems(text, numeric) IS
  'Art. 13, HB ch. II: every problem of a catalogue CSV with its line number (points above the group maximum, two standard units, reversed ranges, ...)';

-- Import a catalogue version: all or nothing.
CREATE FUNCTION cqs.import_catalogue(organisation_id bigint, version text, effective_from date,
                                     content text, standard_points numeric DEFAULT 5,
                                     coefficient_decimals integer DEFAULT NULL,
                                     decision_ref text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_problems text;
  v_count    integer;
  v_id       bigint;
  v_idx      jsonb := '{}';
  v_header   text[];
BEGIN
  SELECT count(*), string_agg(coalesce('line ' || p.line_no || ': ', '') || p.problem, E'\n' ORDER BY p.line_no NULLS LAST)
    INTO v_count, v_problems
    FROM cqs.catalogue_csv_problems(content, standard_points) p;
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

  SELECT fields INTO v_header FROM cqs.parse_csv(content) ORDER BY line_no LIMIT 1;
  FOR i IN 1 .. cardinality(v_header) LOOP
    v_idx := v_idx || jsonb_build_object(lower(btrim(v_header[i])), i);
  END LOOP;

  INSERT INTO cqs.catalogue_item (catalogue_id, code, name, output_unit, complexity_group, group_max,
                                  points_low, points_high, is_standard, coefficient_low, coefficient_high)
  SELECT v_id, f[(v_idx->>'code')::int], f[(v_idx->>'name')::int], f[(v_idx->>'output_unit')::int],
         g, coalesce(cqs._parse_decimal(nullif(f[(v_idx->>'group_max')::int], '')), 100 * g),
         cqs._parse_decimal(pts[1]), cqs._parse_decimal(coalesce(pts[2], pts[1])),
         coalesce(lower(f[(v_idx->>'standard')::int]) IN ('x', 'yes', 'y', '1', 'true', 'có', 'chuẩn'), false),
         0, 0
    FROM (SELECT ARRAY(SELECT btrim(x) FROM unnest(c.fields) AS x) AS f, c.line_no
            FROM cqs.parse_csv(content) c ORDER BY c.line_no OFFSET 1) r,
         LATERAL (SELECT right(f[(v_idx->>'group')::int], 1)::int AS g,
                         regexp_split_to_array(f[(v_idx->>'points')::int], '\s*[-–—]\s*') AS pts) x;
  RETURN v_id;
END $$;
COMMENT ON FUNCTION cqs.import_catalogue(bigint, text, date, text, numeric, integer, text) IS
  'Art. 13, HB ch. II: import a catalogue version from UTF-8 CSV text; every problem is reported with its line number and nothing is half-imported';
