-- cqs.explain: how a period total was reached, step by step, quoting the articles.

CREATE FUNCTION cqs.explain(person_id bigint, period date)
RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_person cqs.person;
  v_res    cqs.period_result;
  v_ass    cqs.assessment;
  v_pol    record;
  v_line   record;
  v_out    text[] := '{}';
  v_start  date;
  v_n      integer := 0;
BEGIN
  SELECT * INTO v_person FROM cqs.person p WHERE p.person_id = explain.person_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'person % does not exist', explain.person_id USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT * INTO v_res FROM cqs.period_result r
   WHERE r.person_id = explain.person_id
     AND r.period = (SELECT max(r2.period) FROM cqs.period_result r2
                      WHERE r2.person_id = explain.person_id AND r2.period <= explain.period
                        AND r2.period > explain.period - interval '3 months'
                        AND (r2.period_kind = 'quarter' OR r2.period = date_trunc('month', explain.period)));
  IF NOT FOUND THEN
    RAISE EXCEPTION 'person % has no result for the period holding %', explain.person_id, explain.period
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Results exist once task lines or an assessment were recorded; see cqs.refresh_results().';
  END IF;
  v_start := v_res.period;
  SELECT * INTO v_pol FROM cqs.organisation_policies p WHERE p.organisation_id = v_res.organisation_id;
  SELECT * INTO v_ass FROM cqs.assessment a WHERE a.person_id = explain.person_id AND a.period = v_start;

  v_out := v_out || format('%s (%s), %s %s, organisation %s, role %s; status %s%s.',
    v_person.full_name, v_person.personnel_id,
    CASE v_res.period_kind WHEN 'quarter' THEN 'quarter ' || extract(quarter FROM v_start) ELSE 'month ' || to_char(v_start, 'MM') END,
    extract(year FROM v_start), v_res.organisation_id, v_res.role, coalesce(v_ass.status, 'draft'),
    CASE WHEN v_res.locked THEN ' (locked)' ELSE '' END);
  v_out := v_out || format('Policies: lateness %s, cap %s, %s decimals.', v_pol.lateness_mode, v_pol.cap_mode, v_pol.decimals);

  IF v_res.person_kind = 'support_staff' THEN
    v_out := v_out || format('1. Support staff (HB ch. III): task score = (quality %s + compliance %s + efficiency %s) / 3 = %s%%.',
      v_ass.support_quality, v_ass.support_compliance, v_ass.support_efficiency, round(v_res.task_score, 2));
  ELSE
    v_out := v_out || '1. Task lines (Art. 13-14; units = quantity x coefficient):'::text;
    FOR v_line IN
      SELECT * FROM cqs.task_lines_explained x
       WHERE x.person_id = explain.person_id AND x.evaluation_period = v_start
       ORDER BY x.period, x.task_line_id
    LOOP
      v_n := v_n + 1;
      v_out := v_out || format('   - %s %s [%s]: coefficient %s, assigned %s -> %s units%s; completed %s -> %s units; quality: %s failed review(s) -> x%s = %s; progress: %s deduction(s) (%s%s) -> x%s = %s.',
        coalesce(v_line.item_code, '?'), v_line.item_name, v_line.origin, v_line.coefficient, v_line.assigned_qty,
        v_line.assigned_units, CASE WHEN v_line.counts_in_assigned THEN '' ELSE ' (outside G, Art. 18.1.d)' END,
        coalesce(v_line.completed_qty, 0), v_line.completed_units, v_line.quality_deductions, v_line.quality_factor,
        v_line.quality_credit, v_line.lateness_deductions,
        CASE v_line.lateness_mode WHEN 'per_day' THEN v_line.days_late || ' day(s) late' ELSE 'per occurrence' END,
        CASE WHEN v_line.lateness_exempt THEN ', exempted (Art. 14.2.c)' ELSE '' END,
        v_line.progress_factor, v_line.progress_credit);
    END LOOP;
    IF v_n = 0 THEN
      v_out := v_out || '   (no task lines)'::text;
    END IF;
    IF coalesce(v_res.assigned_units, 0) = 0 THEN
      v_out := v_out || '2. G = 0: nothing was originally assigned, so the task criterion cannot be evaluated (Art. 14, 18.1.d); no task score and no total.'::text;
    ELSE
      v_out := v_out || format('2. G = sum of assigned units = %s (Art. 18.1.d).', v_res.assigned_units);
      v_out := v_out || format('3. a (quantity, Art. 14.2.a) = 100 x %s / %s = %s%%.', v_res.completed_units, v_res.assigned_units, round(v_res.a, 2));
      v_out := v_out || format('   b (quality, Art. 14.2.b) = 100 x %s / %s = %s%%.', v_res.quality_units, v_res.assigned_units, round(v_res.b, 2));
      v_out := v_out || format('   c (progress, Art. 14.2.c) = 100 x %s / %s = %s%%.', v_res.progress_units, v_res.assigned_units, round(v_res.c, 2));
      IF v_res.role IN ('head', 'deputy') THEN
        v_out := v_out || format('4. Leader terms (Art. 15.3): d = %s (%s), đ = %s%s, e = %s%s; task score = (a + b + c + d + đ + e) / 6 = %s%% (cap: %s, Art. 12.3).',
          v_res.d, CASE WHEN v_res.d = 50 THEN 'someone they manage scored below 50' ELSE 'everyone they manage scored 50 or more' END,
          v_res.dd, CASE WHEN v_ass.dd_reason IS NOT NULL THEN ' (' || v_ass.dd_reason || ')' ELSE '' END,
          v_res.e, CASE WHEN v_ass.e_reason IS NOT NULL THEN ' (' || v_ass.e_reason || ')' ELSE '' END,
          round(v_res.task_score, 2), v_pol.cap_mode);
      ELSE
        v_out := v_out || format('4. Task score (Art. 16.1) = (a + b + c) / 3 = %s%% (cap: %s, Art. 12.3).',
          round(v_res.task_score, 2), v_pol.cap_mode);
      END IF;
    END IF;
  END IF;

  IF v_res.general_score IS NULL THEN
    v_out := v_out || '5. General criteria (Art. 12.1, Form 01): not scored yet.'::text;
  ELSE
    v_out := v_out || format('5. General criteria (Art. 12.1, Form 01) = %s of 30 (%s).', v_res.general_score,
      CASE WHEN v_ass.status IN ('confirmed', 'locked') THEN 'the evaluator''s confirmed score' ELSE 'the self score, until confirmed' END);
  END IF;
  IF v_res.total IS NOT NULL THEN
    v_out := v_out || format('6. Total (Art. 17.1) = %s + %s x 70%% = %s, rounded half-up to %s decimals.',
      v_res.general_score, round(v_res.task_score, 4), v_res.total, v_pol.decimals);
    v_out := v_out || format('7. Grade by score (Art. 20): %s — %s.', v_res.grade, cqs.grade_label(v_res.grade));
  ELSE
    v_out := v_out || format('6. No total: %s.', coalesce(v_res.note, 'inputs missing'));
  END IF;
  RETURN array_to_string(v_out, E'\n');
END $$;
COMMENT ON FUNCTION cqs.explain(bigint, date) IS
  'Art. 12-20: a readable step-by-step trace of how a person''s period total and grade were reached';

-- User data survives pg_dump (the built-in Form 01 set is recreated by the extension).
SELECT pg_catalog.pg_extension_config_dump('cqs.criteria_set', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('cqs.criteria_item',
  'WHERE criteria_set_id NOT IN (SELECT criteria_set_id FROM cqs.criteria_set WHERE builtin)');
SELECT pg_catalog.pg_extension_config_dump('cqs.organisation', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.person', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.posting', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.catalogue', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.catalogue_item', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.task_line', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.assessment', '');
SELECT pg_catalog.pg_extension_config_dump('cqs.period_result', '');
