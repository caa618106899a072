-- cqs_eval -- layer 1: types, C wrappers and the task_ratios aggregate.
-- Decree 335/2025/ND-CP; article numbers ("Art.") are the decree's, "HB" the
-- Ministry of Home Affairs handbook (2026).  The install script is organised by
-- responsibility: types (00) -> records (10) -> derived tables (20) -> computation
-- (30) -> maintenance: queue and the one writer (40) -> workflow (50) -> public API
-- (60) -> import/export (70) -> dump registration and privileges (90).

\echo Use "CREATE EXTENSION cqs_eval" to load this file. \quit

-- CREATE EXTENSION runs this script with search_path = cqs, public (btree_gist lives in
-- public), and everything bound while it runs -- SQL-standard bodies, views, policies,
-- constraints, defaults -- would bind to a more specific function or operator someone
-- planted in public.  Resolve against pg_catalog and cqs only.  LOCAL: CREATE EXTENSION
-- restores its own search_path when the script ends, and a plain SET would outlive it
-- in the caller's session.  Every later update script starts with the same line.
SET LOCAL search_path = pg_catalog, cqs, pg_temp;

-- UTF8 only: the grade labels, names and documents are Vietnamese.  Checked first, before
-- anything is created (the control file declares no encoding, so that this check, and not
-- a conversion error, is what someone installing into LATIN1 or WIN1258 reads).
DO $$
BEGIN
  IF pg_catalog.getdatabaseencoding() OPERATOR(pg_catalog.<>) 'UTF8' THEN
    RAISE EXCEPTION 'cqs_eval needs a UTF8 database; database "%" is %',
                    pg_catalog.current_database(), pg_catalog.getdatabaseencoding()
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Create the city''s database with ENCODING ''UTF8'' (CREATE DATABASE hue TEMPLATE template0 '
                   'ENCODING ''UTF8'' LOCALE ''C.UTF-8''), or pg_dump this one and restore it into such a database.';
  END IF;
END
$$;

-- The library and the SQL must be of one version: the library compiled for version X
-- refuses (55000, with the statement that fixes it) to serve SQL of another version.
-- Checked here, at CREATE EXTENSION / ALTER EXTENSION UPDATE, and by cqs._check_version()
-- at the start of the jobs and the writers of whole periods (rebuild, process_queue,
-- lock_period, grade_year, run_job); a backend remembers a version it found right.
CREATE FUNCTION cqs._library_version() RETURNS text
AS 'MODULE_PATHNAME', 'cqs_library_version'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs._library_version() IS
  'The version of cqs_eval the loaded shared library was built as';

CREATE FUNCTION cqs._check_library(installed_version text) RETURNS void
AS 'MODULE_PATHNAME', 'cqs_check_library'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs._check_library(text) IS
  'Raises 55000 unless the loaded library is the given SQL version and the database is UTF8';

CREATE FUNCTION cqs._check_version() RETURNS void
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT cqs._check_library(e.extversion) FROM pg_catalog.pg_extension e WHERE e.extname = 'cqs_eval'
$$;
COMMENT ON FUNCTION cqs._check_version() IS
  'Raises 55000 unless the loaded library matches the version of cqs_eval installed in this database';

SELECT cqs._check_version();

CREATE FUNCTION cqs.version() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT 'cqs_eval ' || e.extversion || ' (library ' || cqs._library_version() || ')'
    FROM pg_catalog.pg_extension e WHERE e.extname = 'cqs_eval'
$$;
COMMENT ON FUNCTION cqs.version() IS
  'The version of cqs_eval installed in this database and of its loaded library, e.g. cqs_eval 1.0 (library 1.0); Decree 335/2025/ND-CP (Art. 1)';

-- Art. 20: the four grades, ordered from worst to best so that min()/max()
-- and comparisons follow the decree.
CREATE TYPE cqs.grade AS ENUM ('khong_hoan_thanh', 'hoan_thanh', 'tot', 'xuat_sac');
COMMENT ON TYPE cqs.grade IS
  'Art. 20 grade (xếp loại chất lượng): khong_hoan_thanh < hoan_thanh < tot < xuat_sac';

-- Art. 14, 18.1.d: the three ratios of a period and the converted units behind them.
CREATE TYPE cqs.ratios AS (
  assigned_units  numeric,  -- G: sum(assigned x coefficient) over originally assigned lines
  completed_units numeric,  -- sum(completed x coefficient) over all lines
  quality_units   numeric,  -- sum(completed x coefficient x f(failed quality reviews))
  progress_units  numeric,  -- sum(completed x coefficient x f(lateness deductions))
  a               numeric,  -- quantity ratio (số lượng), percent; NULL when G = 0
  b               numeric,  -- quality ratio (chất lượng), percent; NULL when G = 0
  c               numeric   -- progress ratio (tiến độ), percent; NULL when G = 0
);
COMMENT ON TYPE cqs.ratios IS
  'Art. 14, 18.1.d: converted units of a period and the ratios a (quantity), b (quality), c (progress) in percent';

CREATE FUNCTION cqs.grade_label(grade cqs.grade, lang text DEFAULT 'vi')
RETURNS text
AS 'MODULE_PATHNAME', 'grade_label'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs.grade_label(cqs.grade, text) IS
  'Art. 20: official Vietnamese name of a grade (lang ''vi''), or its English name (''en'')';

CREATE FUNCTION cqs.coefficient(item_points numeric, standard_points numeric)
RETURNS numeric
AS 'MODULE_PATHNAME', 'coefficient'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs.coefficient(numeric, numeric) IS
  'Art. 13, HB ch. II: conversion coefficient (hệ số quy đổi) = item points / standard-unit points';

CREATE FUNCTION cqs.converted(quantity numeric, coefficient numeric)
RETURNS numeric
AS 'MODULE_PATHNAME', 'converted'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs.converted(numeric, numeric) IS
  'HB ch. II: converted quantity (số lượng quy đổi) = quantity x coefficient, in standard units';

CREATE FUNCTION cqs.deduction_factor(deductions integer)
RETURNS numeric
AS 'MODULE_PATHNAME', 'deduction_factor'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs.deduction_factor(integer) IS
  'Art. 14.2.b-c: share of a line''s credit kept after n deductions, max(0, 1 - 0.25 n), two decimals';

-- The aggregates' state as a real type (Art. 14, 18.1.d): four exact sums of converted
-- units and a row count, so that partial states can cross a network.  A distributed planner
-- (Citus) combines a custom aggregate across shards by shipping its state through the state
-- type's output and input functions and refuses pseudo-type (internal) states; see
-- docs/distributed.md.  Text form (rows,assigned,completed,quality,progress), canonical.
CREATE TYPE cqs.task_ratios_state;

CREATE FUNCTION cqs._task_ratios_state_in(cstring) RETURNS cqs.task_ratios_state
AS 'MODULE_PATHNAME', 'task_ratios_state_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION cqs._task_ratios_state_out(cqs.task_ratios_state) RETURNS cstring
AS 'MODULE_PATHNAME', 'task_ratios_state_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION cqs._task_ratios_state_recv(internal) RETURNS cqs.task_ratios_state
AS 'MODULE_PATHNAME', 'task_ratios_state_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION cqs._task_ratios_state_send(cqs.task_ratios_state) RETURNS bytea
AS 'MODULE_PATHNAME', 'task_ratios_state_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE cqs.task_ratios_state (
  INPUT          = cqs._task_ratios_state_in,
  OUTPUT         = cqs._task_ratios_state_out,
  RECEIVE        = cqs._task_ratios_state_recv,
  SEND           = cqs._task_ratios_state_send,
  INTERNALLENGTH = VARIABLE,
  ALIGNMENT      = double,
  STORAGE        = plain
);
COMMENT ON TYPE cqs.task_ratios_state IS
  'Art. 14, 18.1.d: partial state of cqs.task_ratios / cqs.task_ratios_by_quantity: (rows,assigned,completed,quality,progress) converted units, exact';

CREATE FUNCTION cqs._task_ratios_state_trans(cqs.task_ratios_state, numeric, numeric, numeric, integer, integer, boolean)
RETURNS cqs.task_ratios_state
AS 'MODULE_PATHNAME', 'task_ratios_state_transfn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION cqs._task_ratios_state_hits_trans(cqs.task_ratios_state, numeric, numeric, numeric, numeric, numeric, boolean)
RETURNS cqs.task_ratios_state
AS 'MODULE_PATHNAME', 'task_ratios_state_hits_transfn'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION cqs.task_ratios_combine(a cqs.task_ratios_state, b cqs.task_ratios_state)
RETURNS cqs.task_ratios_state
AS 'MODULE_PATHNAME', 'task_ratios_state_combinefn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs.task_ratios_combine(cqs.task_ratios_state, cqs.task_ratios_state) IS
  'Art. 14, 18.1.d: two partial task_ratios states added exactly (the combine step of a parallel or distributed aggregate)';

CREATE FUNCTION cqs.task_ratios_final(state cqs.task_ratios_state)
RETURNS cqs.ratios
AS 'MODULE_PATHNAME', 'task_ratios_state_finalfn'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs.task_ratios_final(cqs.task_ratios_state) IS
  'Art. 14, 18.1.d: converted units and the ratios a, b, c from a task_ratios state (NULL ratios when G = 0)';

CREATE AGGREGATE cqs.task_ratios(
  assigned_qty numeric, completed_qty numeric, coefficient numeric,
  quality_deductions integer, lateness_deductions integer, counts_in_assigned boolean)
(
  SFUNC        = cqs._task_ratios_state_trans,
  STYPE        = cqs.task_ratios_state,
  SSPACE       = 112,
  FINALFUNC    = cqs.task_ratios_final,
  COMBINEFUNC  = cqs.task_ratios_combine,
  PARALLEL     = SAFE
);
COMMENT ON AGGREGATE cqs.task_ratios(numeric, numeric, numeric, integer, integer, boolean) IS
  'Art. 14, 18.1.d: converted units and the ratios a, b, c of a group of task lines; exact NUMERIC results';

-- The same ratios when a failure or delay concerns only part of a line (DOMAIN §3):
-- quality_hit_qty / lateness_hit_qty = the sum, over the counted failures (delays), of
-- the quantity each concerns; a line keeps coef * max(0, completed - 0.25 * hits).
CREATE AGGREGATE cqs.task_ratios_by_quantity(
  assigned_qty numeric, completed_qty numeric, coefficient numeric,
  quality_hit_qty numeric, lateness_hit_qty numeric, counts_in_assigned boolean)
(
  SFUNC        = cqs._task_ratios_state_hits_trans,
  STYPE        = cqs.task_ratios_state,
  SSPACE       = 112,
  FINALFUNC    = cqs.task_ratios_final,
  COMBINEFUNC  = cqs.task_ratios_combine,
  PARALLEL     = SAFE
);
COMMENT ON AGGREGATE cqs.task_ratios_by_quantity(numeric, numeric, numeric, numeric, numeric, boolean) IS
  'Art. 14.2.b-c, 18.1.d: the ratios a, b, c when each failed review or delay takes 25% of the credit of the products it concerns; hit quantities = sum of the quantity each counted failure (delay) concerns; exact NUMERIC results';

CREATE FUNCTION cqs.task_score(a numeric, b numeric, c numeric, cap text DEFAULT 'total')
RETURNS numeric
AS 'MODULE_PATHNAME', 'task_score'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs.task_score(numeric, numeric, numeric, text) IS
  'Art. 16.1, 12.3: task-result score KQ = (a + b + c) / 3 in percent, capped at 100 (cap ''total'') or each ratio capped (''each'')';

CREATE FUNCTION cqs.leader_task_score(a numeric, b numeric, c numeric,
                                      d numeric, dd numeric, e numeric,
                                      cap text DEFAULT 'total')
RETURNS numeric
AS 'MODULE_PATHNAME', 'leader_task_score'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs.leader_task_score(numeric, numeric, numeric, numeric, numeric, numeric, text) IS
  'Art. 15.3, 16.2: leader''s task score (a + b + c + d + đ + e) / 6; d, đ, e are 100 or 50';

CREATE FUNCTION cqs.period_total(general numeric, task_score numeric, decimals integer DEFAULT 2)
RETURNS numeric
AS 'MODULE_PATHNAME', 'period_total'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs.period_total(numeric, numeric, integer) IS
  'Art. 17.1: period total = general criteria + task score x 70%, rounded half-up to the given decimals';

CREATE FUNCTION cqs.classify(total numeric, disqualified boolean DEFAULT false)
RETURNS cqs.grade
AS 'MODULE_PATHNAME', 'classify'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs.classify(numeric, boolean) IS
  'Art. 20: grade of a total (>= 90 xuat_sac, >= 70 tot, >= 50 hoan_thanh); disqualified (Art. 20.4) forces khong_hoan_thanh';

CREATE FUNCTION cqs.excellent_quota(good integer, candidates integer,
                                    rate numeric DEFAULT 0.20, base text DEFAULT 'good')
RETURNS integer
AS 'MODULE_PATHNAME', 'excellent_quota'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs.excellent_quota(integer, integer, numeric, text) IS
  'Art. 20.5: how many xuat_sac candidates may keep the grade, at most rate (20%, 25% by decision) of those graded tot';

CREATE FUNCTION cqs.support_staff_score(quality numeric, compliance numeric, efficiency numeric)
RETURNS numeric
AS 'MODULE_PATHNAME', 'support_staff_score'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION cqs.support_staff_score(numeric, numeric, numeric) IS
  'HB ch. III: support staff score = (work quality % + compliance % + efficiency %) / 3';

-- Small pure helpers with SQL-standard bodies: resolved when created (so a function
-- planted in another schema can never stand in for what they call) and inlinable.

-- Sum of an array of scores (Form 01 sub-items, Art. 6-7 criteria).
CREATE FUNCTION cqs._array_sum(numeric[]) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (SELECT pg_catalog.sum(x) FROM pg_catalog.unnest($1) AS x);

-- Art. 12: first day of the monthly or quarterly evaluation period holding a day.
-- date_trunc over timestamp (not timestamptz) keeps it IMMUTABLE, as labelled.
CREATE FUNCTION cqs.period_start(month date, cadence text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN pg_catalog.date_trunc(CASE WHEN cadence = 'quarterly' THEN 'quarter' ELSE 'month' END,
                             month::timestamp without time zone)::date;
COMMENT ON FUNCTION cqs.period_start(date, text) IS
  'Art. 12: first day of the monthly or quarterly evaluation period holding a day';

-- Art. 12: the day after the evaluation period that starts on a day.  A quarter ends
-- with its calendar quarter even when a person's starts later in it (a move from a
-- monthly organisation within the quarter, cqs.period_key).
CREATE FUNCTION cqs.period_end(period date, period_kind text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN period_kind = 'quarter'
            THEN (pg_catalog.date_trunc('quarter', period::timestamp without time zone) + interval '3 months')::date
            ELSE (period + interval '1 month')::date END;
COMMENT ON FUNCTION cqs.period_end(date, text) IS
  'Art. 12: the first day after a monthly (''month'') or quarterly (''quarter'') period';

-- Months since January 2000: the month part of the writer's advisory-lock keys.
CREATE FUNCTION cqs._month_index(day date) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN ((pg_catalog.date_part('year', day) - 2000) * 12 + pg_catalog.date_part('month', day) - 1)::integer;

-- Dates a record may carry: real days of the years the decree can govern.  'infinity'
-- and far-off years are refused at entry, so nothing stored can stall a computation.
CREATE FUNCTION cqs._sane_day(day date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN day IS NULL OR (day >= DATE '2000-01-01' AND day <= DATE '2100-12-31');

-- Quantities and coefficients a record may carry: finite, at most 1,000,000 and at
-- most 4 decimals (HB ch. II rounds coefficients to 1 decimal; quantities like 0.8).
CREATE FUNCTION cqs._sane_amount(x numeric) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN x IS NULL OR (x >= 0 AND x <= 1000000 AND pg_catalog.scale(x) <= 4);

-- The installed version of the extension: every computed result records it.
CREATE FUNCTION cqs._extension_version() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
RETURN (SELECT e.extversion FROM pg_catalog.pg_extension e WHERE e.extname = 'cqs_eval');
