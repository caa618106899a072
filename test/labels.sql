-- pgTAP: catalog properties of cqs_eval -- the extension itself, every
-- function's volatility, strictness, parallel safety, result type, argument
-- names and defaults, the aggregate's support functions, the article
-- references in the comments, and the two types.
--
-- Run: pg_prove --ext .sql --failures test/
\set QUIET 1
SET client_min_messages = warning;
\pset format unaligned
\pset tuples_only true
\pset pager off

BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS cqs_eval CASCADE;

SELECT plan(91);

-- ---------------------------------------------------------------------------
-- The extension: fixed schema cqs, not relocatable.
-- ---------------------------------------------------------------------------
SELECT has_extension('cqs', 'cqs_eval', 'cqs_eval is installed in schema cqs');
SELECT is((SELECT extrelocatable FROM pg_extension WHERE extname = 'cqs_eval'),
          false, 'cqs_eval is not relocatable');
SELECT is((SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'cqs_eval'),
          'cqs', 'cqs_eval lives in schema cqs');

-- Every function below belongs to the extension (dropped with it, dumped by it).
SELECT is_empty($$
    SELECT f FROM unnest(ARRAY[
        'cqs.grade_label(cqs.grade,text)',
        'cqs.coefficient(numeric,numeric)',
        'cqs.converted(numeric,numeric)',
        'cqs.deduction_factor(integer)',
        'cqs.task_score(numeric,numeric,numeric,text)',
        'cqs.leader_task_score(numeric,numeric,numeric,numeric,numeric,numeric,text)',
        'cqs.period_total(numeric,numeric,integer)',
        'cqs.classify(numeric,boolean)',
        'cqs.excellent_quota(integer,integer,numeric,text)',
        'cqs.support_staff_score(numeric,numeric,numeric)',
        'cqs.task_ratios(numeric,numeric,numeric,integer,integer,boolean)',
        'cqs._task_ratios_state_trans(cqs.task_ratios_state,numeric,numeric,numeric,integer,integer,boolean)',
        'cqs.task_ratios_combine(cqs.task_ratios_state,cqs.task_ratios_state)',
        'cqs.task_ratios_final(cqs.task_ratios_state)']) AS f
    WHERE NOT EXISTS (
        SELECT 1 FROM pg_depend d
         WHERE d.classid = 'pg_proc'::regclass
           AND d.objid = to_regprocedure(f)
           AND d.refclassid = 'pg_extension'::regclass
           AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'cqs_eval')
           AND d.deptype = 'e')
$$, 'every cqs function and the aggregate are members of extension cqs_eval');

-- ---------------------------------------------------------------------------
-- Volatility: everything is IMMUTABLE (pure functions of their arguments).
-- ---------------------------------------------------------------------------
SELECT volatility_is('cqs', 'grade_label', ARRAY['cqs.grade', 'text'], 'immutable',
                     'cqs.grade_label is IMMUTABLE');
SELECT volatility_is('cqs', 'coefficient', ARRAY['numeric', 'numeric'], 'immutable',
                     'cqs.coefficient is IMMUTABLE');
SELECT volatility_is('cqs', 'converted', ARRAY['numeric', 'numeric'], 'immutable',
                     'cqs.converted is IMMUTABLE');
SELECT volatility_is('cqs', 'deduction_factor', ARRAY['integer'], 'immutable',
                     'cqs.deduction_factor is IMMUTABLE');
SELECT volatility_is('cqs', 'task_score', ARRAY['numeric', 'numeric', 'numeric', 'text'], 'immutable',
                     'cqs.task_score is IMMUTABLE');
SELECT volatility_is('cqs', 'leader_task_score',
                     ARRAY['numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'text'],
                     'immutable', 'cqs.leader_task_score is IMMUTABLE');
SELECT volatility_is('cqs', 'period_total', ARRAY['numeric', 'numeric', 'integer'], 'immutable',
                     'cqs.period_total is IMMUTABLE');
SELECT volatility_is('cqs', 'classify', ARRAY['numeric', 'boolean'], 'immutable',
                     'cqs.classify is IMMUTABLE');
SELECT volatility_is('cqs', 'excellent_quota', ARRAY['integer', 'integer', 'numeric', 'text'], 'immutable',
                     'cqs.excellent_quota is IMMUTABLE');
SELECT volatility_is('cqs', 'support_staff_score', ARRAY['numeric', 'numeric', 'numeric'], 'immutable',
                     'cqs.support_staff_score is IMMUTABLE');
SELECT volatility_is('cqs', 'task_ratios',
                     ARRAY['numeric', 'numeric', 'numeric', 'integer', 'integer', 'boolean'],
                     'immutable', 'aggregate cqs.task_ratios is IMMUTABLE');

-- ---------------------------------------------------------------------------
-- Strictness: scalar functions are STRICT (NULL in, NULL out).  The
-- aggregate's transition function must not be: a NULL assigned quantity,
-- coefficient or counts_in_assigned has to reach the C code and raise 22023
-- instead of silently skipping the line; NULL completed quantity and
-- deductions count as 0.  The combine and final functions see NULL states
-- (no rows) and handle them.
-- ---------------------------------------------------------------------------
SELECT is_strict('cqs', 'grade_label', ARRAY['cqs.grade', 'text'],
                 'cqs.grade_label is STRICT');
SELECT is_strict('cqs', 'coefficient', ARRAY['numeric', 'numeric'],
                 'cqs.coefficient is STRICT');
SELECT is_strict('cqs', 'converted', ARRAY['numeric', 'numeric'],
                 'cqs.converted is STRICT');
SELECT is_strict('cqs', 'deduction_factor', ARRAY['integer'],
                 'cqs.deduction_factor is STRICT');
SELECT is_strict('cqs', 'task_score', ARRAY['numeric', 'numeric', 'numeric', 'text'],
                 'cqs.task_score is STRICT');
SELECT is_strict('cqs', 'leader_task_score',
                 ARRAY['numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'text'],
                 'cqs.leader_task_score is STRICT');
SELECT is_strict('cqs', 'period_total', ARRAY['numeric', 'numeric', 'integer'],
                 'cqs.period_total is STRICT');
SELECT is_strict('cqs', 'classify', ARRAY['numeric', 'boolean'],
                 'cqs.classify is STRICT');
SELECT is_strict('cqs', 'excellent_quota', ARRAY['integer', 'integer', 'numeric', 'text'],
                 'cqs.excellent_quota is STRICT');
SELECT is_strict('cqs', 'support_staff_score', ARRAY['numeric', 'numeric', 'numeric'],
                 'cqs.support_staff_score is STRICT');
SELECT isnt_strict('cqs', 'task_ratios',
                   ARRAY['numeric', 'numeric', 'numeric', 'integer', 'integer', 'boolean'],
                   'aggregate cqs.task_ratios is not STRICT');

-- ---------------------------------------------------------------------------
-- Parallel safety: pg_proc.proparallel = 's' for every function.
-- to_regprocedure gives NULL (and a failing test) if a signature changes.
-- ---------------------------------------------------------------------------
SELECT is((SELECT proparallel::text FROM pg_proc
            WHERE oid = to_regprocedure('cqs.grade_label(cqs.grade,text)')),
          's', 'cqs.grade_label is PARALLEL SAFE');
SELECT is((SELECT proparallel::text FROM pg_proc
            WHERE oid = to_regprocedure('cqs.coefficient(numeric,numeric)')),
          's', 'cqs.coefficient is PARALLEL SAFE');
SELECT is((SELECT proparallel::text FROM pg_proc
            WHERE oid = to_regprocedure('cqs.converted(numeric,numeric)')),
          's', 'cqs.converted is PARALLEL SAFE');
SELECT is((SELECT proparallel::text FROM pg_proc
            WHERE oid = to_regprocedure('cqs.deduction_factor(integer)')),
          's', 'cqs.deduction_factor is PARALLEL SAFE');
SELECT is((SELECT proparallel::text FROM pg_proc
            WHERE oid = to_regprocedure('cqs.task_score(numeric,numeric,numeric,text)')),
          's', 'cqs.task_score is PARALLEL SAFE');
SELECT is((SELECT proparallel::text FROM pg_proc
            WHERE oid = to_regprocedure('cqs.leader_task_score(numeric,numeric,numeric,numeric,numeric,numeric,text)')),
          's', 'cqs.leader_task_score is PARALLEL SAFE');
SELECT is((SELECT proparallel::text FROM pg_proc
            WHERE oid = to_regprocedure('cqs.period_total(numeric,numeric,integer)')),
          's', 'cqs.period_total is PARALLEL SAFE');
SELECT is((SELECT proparallel::text FROM pg_proc
            WHERE oid = to_regprocedure('cqs.classify(numeric,boolean)')),
          's', 'cqs.classify is PARALLEL SAFE');
SELECT is((SELECT proparallel::text FROM pg_proc
            WHERE oid = to_regprocedure('cqs.excellent_quota(integer,integer,numeric,text)')),
          's', 'cqs.excellent_quota is PARALLEL SAFE');
SELECT is((SELECT proparallel::text FROM pg_proc
            WHERE oid = to_regprocedure('cqs.support_staff_score(numeric,numeric,numeric)')),
          's', 'cqs.support_staff_score is PARALLEL SAFE');
SELECT is((SELECT proparallel::text FROM pg_proc
            WHERE oid = to_regprocedure('cqs.task_ratios(numeric,numeric,numeric,integer,integer,boolean)')),
          's', 'aggregate cqs.task_ratios is PARALLEL SAFE');

-- ---------------------------------------------------------------------------
-- Result types.
-- ---------------------------------------------------------------------------
SELECT function_returns('cqs', 'grade_label', ARRAY['cqs.grade', 'text'], 'text',
                        'cqs.grade_label returns text');
SELECT function_returns('cqs', 'coefficient', ARRAY['numeric', 'numeric'], 'numeric',
                        'cqs.coefficient returns numeric');
SELECT function_returns('cqs', 'converted', ARRAY['numeric', 'numeric'], 'numeric',
                        'cqs.converted returns numeric');
SELECT function_returns('cqs', 'deduction_factor', ARRAY['integer'], 'numeric',
                        'cqs.deduction_factor returns numeric');
SELECT function_returns('cqs', 'task_score', ARRAY['numeric', 'numeric', 'numeric', 'text'], 'numeric',
                        'cqs.task_score returns numeric');
SELECT function_returns('cqs', 'leader_task_score',
                        ARRAY['numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'text'],
                        'numeric', 'cqs.leader_task_score returns numeric');
SELECT function_returns('cqs', 'period_total', ARRAY['numeric', 'numeric', 'integer'], 'numeric',
                        'cqs.period_total returns numeric');
SELECT function_returns('cqs', 'classify', ARRAY['numeric', 'boolean'], 'cqs.grade',
                        'cqs.classify returns cqs.grade');
SELECT function_returns('cqs', 'excellent_quota', ARRAY['integer', 'integer', 'numeric', 'text'], 'integer',
                        'cqs.excellent_quota returns integer');
SELECT function_returns('cqs', 'support_staff_score', ARRAY['numeric', 'numeric', 'numeric'], 'numeric',
                        'cqs.support_staff_score returns numeric');
SELECT function_returns('cqs', 'task_ratios',
                        ARRAY['numeric', 'numeric', 'numeric', 'integer', 'integer', 'boolean'],
                        'cqs.ratios', 'aggregate cqs.task_ratios returns cqs.ratios');

-- ---------------------------------------------------------------------------
-- Argument names and defaults.  The error messages name the arguments
-- (e.g. "standard_points must be greater than zero"), so the SQL names must
-- match; the defaults are the decree's (cap 'total', 2 decimals, 20%, ...).
-- ---------------------------------------------------------------------------
SELECT is(pg_get_function_arguments(to_regprocedure('cqs.grade_label(cqs.grade,text)')),
          'grade cqs.grade, lang text DEFAULT ''vi''::text',
          'cqs.grade_label: argument names, lang defaults to vi');
SELECT is(pg_get_function_arguments(to_regprocedure('cqs.coefficient(numeric,numeric)')),
          'item_points numeric, standard_points numeric',
          'cqs.coefficient: argument names');
SELECT is(pg_get_function_arguments(to_regprocedure('cqs.converted(numeric,numeric)')),
          'quantity numeric, coefficient numeric',
          'cqs.converted: argument names');
SELECT is(pg_get_function_arguments(to_regprocedure('cqs.deduction_factor(integer)')),
          'deductions integer',
          'cqs.deduction_factor: argument names');
SELECT is(pg_get_function_arguments(to_regprocedure('cqs.task_score(numeric,numeric,numeric,text)')),
          'a numeric, b numeric, c numeric, cap text DEFAULT ''total''::text',
          'cqs.task_score: argument names, cap defaults to total');
SELECT is(pg_get_function_arguments(to_regprocedure('cqs.leader_task_score(numeric,numeric,numeric,numeric,numeric,numeric,text)')),
          'a numeric, b numeric, c numeric, d numeric, dd numeric, e numeric, cap text DEFAULT ''total''::text',
          'cqs.leader_task_score: argument names, cap defaults to total');
SELECT is(pg_get_function_arguments(to_regprocedure('cqs.period_total(numeric,numeric,integer)')),
          'general numeric, task_score numeric, decimals integer DEFAULT 2',
          'cqs.period_total: argument names, decimals defaults to 2');
SELECT is(pg_get_function_arguments(to_regprocedure('cqs.classify(numeric,boolean)')),
          'total numeric, disqualified boolean DEFAULT false',
          'cqs.classify: argument names, disqualified defaults to false');
SELECT is(pg_get_function_arguments(to_regprocedure('cqs.excellent_quota(integer,integer,numeric,text)')),
          'good integer, candidates integer, rate numeric DEFAULT 0.20, base text DEFAULT ''good''::text',
          'cqs.excellent_quota: argument names, rate 0.20 and base good by default');
SELECT is(pg_get_function_arguments(to_regprocedure('cqs.support_staff_score(numeric,numeric,numeric)')),
          'quality numeric, compliance numeric, efficiency numeric',
          'cqs.support_staff_score: argument names');
SELECT is(pg_get_function_arguments(to_regprocedure('cqs.task_ratios(numeric,numeric,numeric,integer,integer,boolean)')),
          'assigned_qty numeric, completed_qty numeric, coefficient numeric, quality_deductions integer, lateness_deductions integer, counts_in_assigned boolean',
          'cqs.task_ratios: argument names');

-- ---------------------------------------------------------------------------
-- The aggregate: its state is a real type (cqs.task_ratios_state) with text and
-- binary forms, so a distributed planner can ship partial states (Citus refuses
-- pseudo-type states such as internal, docs/distributed.md); the combine function
-- makes partial (parallel) aggregation possible without serial functions, and the
-- final function leaves the state alone (window use).
-- ---------------------------------------------------------------------------
SELECT is_aggregate('cqs', 'task_ratios',
                    ARRAY['numeric', 'numeric', 'numeric', 'integer', 'integer', 'boolean'],
                    'cqs.task_ratios is an aggregate');
SELECT is((SELECT aggkind::text FROM pg_aggregate
            WHERE aggfnoid = to_regprocedure('cqs.task_ratios(numeric,numeric,numeric,integer,integer,boolean)')),
          'n', 'cqs.task_ratios is a normal (not ordered-set) aggregate');
SELECT is((SELECT aggtransfn::regprocedure::text FROM pg_aggregate
            WHERE aggfnoid = to_regprocedure('cqs.task_ratios(numeric,numeric,numeric,integer,integer,boolean)')),
          'cqs._task_ratios_state_trans(cqs.task_ratios_state,numeric,numeric,numeric,integer,integer,boolean)',
          'cqs.task_ratios transition function is cqs._task_ratios_state_trans');
SELECT is((SELECT aggfinalfn::regprocedure::text FROM pg_aggregate
            WHERE aggfnoid = to_regprocedure('cqs.task_ratios(numeric,numeric,numeric,integer,integer,boolean)')),
          'cqs.task_ratios_final(cqs.task_ratios_state)',
          'cqs.task_ratios final function is cqs.task_ratios_final');
SELECT is((SELECT aggcombinefn::regprocedure::text FROM pg_aggregate
            WHERE aggfnoid = to_regprocedure('cqs.task_ratios(numeric,numeric,numeric,integer,integer,boolean)')),
          'cqs.task_ratios_combine(cqs.task_ratios_state,cqs.task_ratios_state)',
          'cqs.task_ratios has a combine function');
SELECT is((SELECT (aggserialfn, aggdeserialfn)::text FROM pg_aggregate
            WHERE aggfnoid = to_regprocedure('cqs.task_ratios(numeric,numeric,numeric,integer,integer,boolean)')),
          '(-,-)', 'cqs.task_ratios needs no serial/deserial functions (its state is a real type)');
SELECT is((SELECT aggtranstype::regtype::text FROM pg_aggregate
            WHERE aggfnoid = to_regprocedure('cqs.task_ratios(numeric,numeric,numeric,integer,integer,boolean)')),
          'cqs.task_ratios_state', 'cqs.task_ratios keeps a cqs.task_ratios_state');
SELECT is((SELECT aggfinalmodify::text FROM pg_aggregate
            WHERE aggfnoid = to_regprocedure('cqs.task_ratios(numeric,numeric,numeric,integer,integer,boolean)')),
          'r', 'cqs.task_ratios final function is READ_ONLY (state reusable, e.g. as a window aggregate)');
SELECT is((SELECT (aggtranstype::regtype, aggcombinefn, aggfinalfn)::text FROM pg_aggregate
            WHERE aggfnoid = to_regprocedure('cqs.task_ratios_by_quantity(numeric,numeric,numeric,numeric,numeric,boolean)')),
          '(cqs.task_ratios_state,cqs.task_ratios_combine,cqs.task_ratios_final)',
          'cqs.task_ratios_by_quantity keeps the same state, combine and final functions');
-- What Citus checks before combining an aggregate across shards: a combine function
-- and a state type that is not a pseudo-type; it ships the state through the type's
-- output/input (text) or send/receive (binary) functions.
SELECT is((SELECT (t.typtype, t.typinput, t.typoutput, t.typreceive, t.typsend)::text
             FROM pg_type t WHERE t.oid = 'cqs.task_ratios_state'::regtype),
          '(b,cqs._task_ratios_state_in,cqs._task_ratios_state_out,cqs._task_ratios_state_recv,cqs._task_ratios_state_send)',
          'cqs.task_ratios_state is a base type with text and binary input and output');
SELECT is_empty($$
    SELECT a.aggfnoid::regprocedure FROM pg_aggregate a JOIN pg_type t ON t.oid = a.aggtranstype
     WHERE a.aggfnoid IN (to_regprocedure('cqs.task_ratios(numeric,numeric,numeric,integer,integer,boolean)'),
                          to_regprocedure('cqs.task_ratios_by_quantity(numeric,numeric,numeric,numeric,numeric,boolean)'))
       AND (t.typtype = 'p' OR a.aggcombinefn = 0)
$$, 'the public aggregates can be combined across shards (combine function, non-pseudo state)');
-- The state's functions: all IMMUTABLE and PARALLEL SAFE; STRICT except the transition
-- functions (NULL arguments are checked, not skipped).
SELECT results_eq($$
    SELECT p.oid::regprocedure::text, p.provolatile::text, p.proisstrict, p.proparallel::text
      FROM pg_proc p
     WHERE p.pronamespace = 'cqs'::regnamespace
       AND (p.proname LIKE '\_task\_ratios\_state\_%' OR p.proname IN ('task_ratios_combine', 'task_ratios_final'))
     ORDER BY 1
$$, $$
    VALUES ('cqs._task_ratios_state_hits_trans(cqs.task_ratios_state,numeric,numeric,numeric,numeric,numeric,boolean)', 'i', false, 's'),
           ('cqs._task_ratios_state_in(cstring)', 'i', true, 's'),
           ('cqs._task_ratios_state_out(cqs.task_ratios_state)', 'i', true, 's'),
           ('cqs._task_ratios_state_recv(internal)', 'i', true, 's'),
           ('cqs._task_ratios_state_send(cqs.task_ratios_state)', 'i', true, 's'),
           ('cqs._task_ratios_state_trans(cqs.task_ratios_state,numeric,numeric,numeric,integer,integer,boolean)', 'i', false, 's'),
           ('cqs.task_ratios_combine(cqs.task_ratios_state,cqs.task_ratios_state)', 'i', true, 's'),
           ('cqs.task_ratios_final(cqs.task_ratios_state)', 'i', true, 's')
$$, 'the state''s functions: IMMUTABLE, PARALLEL SAFE, STRICT but for the transition functions');

-- ---------------------------------------------------------------------------
-- Comments: every public function and type cites its article ("Art." for
-- the decree, "HB" for the handbook).
-- ---------------------------------------------------------------------------
SELECT matches(obj_description(to_regprocedure('cqs.grade_label(cqs.grade,text)'), 'pg_proc'),
               '(Art\.|HB)', 'cqs.grade_label has a comment citing an article');
SELECT matches(obj_description(to_regprocedure('cqs.coefficient(numeric,numeric)'), 'pg_proc'),
               '(Art\.|HB)', 'cqs.coefficient has a comment citing an article');
SELECT matches(obj_description(to_regprocedure('cqs.converted(numeric,numeric)'), 'pg_proc'),
               '(Art\.|HB)', 'cqs.converted has a comment citing an article');
SELECT matches(obj_description(to_regprocedure('cqs.deduction_factor(integer)'), 'pg_proc'),
               '(Art\.|HB)', 'cqs.deduction_factor has a comment citing an article');
SELECT matches(obj_description(to_regprocedure('cqs.task_score(numeric,numeric,numeric,text)'), 'pg_proc'),
               '(Art\.|HB)', 'cqs.task_score has a comment citing an article');
SELECT matches(obj_description(to_regprocedure('cqs.leader_task_score(numeric,numeric,numeric,numeric,numeric,numeric,text)'), 'pg_proc'),
               '(Art\.|HB)', 'cqs.leader_task_score has a comment citing an article');
SELECT matches(obj_description(to_regprocedure('cqs.period_total(numeric,numeric,integer)'), 'pg_proc'),
               '(Art\.|HB)', 'cqs.period_total has a comment citing an article');
SELECT matches(obj_description(to_regprocedure('cqs.classify(numeric,boolean)'), 'pg_proc'),
               '(Art\.|HB)', 'cqs.classify has a comment citing an article');
SELECT matches(obj_description(to_regprocedure('cqs.excellent_quota(integer,integer,numeric,text)'), 'pg_proc'),
               '(Art\.|HB)', 'cqs.excellent_quota has a comment citing an article');
SELECT matches(obj_description(to_regprocedure('cqs.support_staff_score(numeric,numeric,numeric)'), 'pg_proc'),
               '(Art\.|HB)', 'cqs.support_staff_score has a comment citing an article');
SELECT matches(obj_description(to_regprocedure('cqs.task_ratios(numeric,numeric,numeric,integer,integer,boolean)'), 'pg_proc'),
               '(Art\.|HB)', 'aggregate cqs.task_ratios has a comment citing an article');
-- ... and so does any public C function added later: those are the
-- decree's calculations (names starting with _ are internal support
-- functions; SQL/PL/pgSQL helpers such as parsers need not cite the decree).
SELECT is_empty($$
    SELECT p.oid::regprocedure
      FROM pg_proc p
     WHERE p.pronamespace = 'cqs'::regnamespace
       AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
       AND p.proname NOT LIKE '\_%'
       AND coalesce(obj_description(p.oid, 'pg_proc'), '') !~ '(Art\.|HB)'
$$, 'every public C function in schema cqs has a comment citing an article');
SELECT matches(obj_description('cqs.task_ratios_state'::regtype, 'pg_type'),
               'Art\.', 'type cqs.task_ratios_state has a comment citing an article');
SELECT matches(obj_description('cqs.grade'::regtype, 'pg_type'),
               'Art\.', 'type cqs.grade has a comment citing an article');
SELECT matches(obj_description('cqs.ratios'::regtype, 'pg_type'),
               'Art\.', 'type cqs.ratios has a comment citing an article');

-- ---------------------------------------------------------------------------
-- Types.  cqs.grade is ordered worst to best (Art. 20), so min(), max() and
-- comparisons follow the decree; cqs.ratios is the aggregate's result row.
-- ---------------------------------------------------------------------------
SELECT has_enum('cqs', 'grade', 'enum cqs.grade exists');
SELECT enum_has_labels('cqs', 'grade',
                       ARRAY['khong_hoan_thanh', 'hoan_thanh', 'tot', 'xuat_sac'],
                       'cqs.grade labels, worst to best');
SELECT ok('khong_hoan_thanh'::cqs.grade < 'hoan_thanh'::cqs.grade
          AND 'hoan_thanh'::cqs.grade < 'tot'::cqs.grade
          AND 'tot'::cqs.grade < 'xuat_sac'::cqs.grade,
          'cqs.grade compares in the order of Art. 20');
SELECT has_composite('cqs', 'ratios', 'composite type cqs.ratios exists');
SELECT is((SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
             FROM pg_attribute
            WHERE attrelid = (SELECT typrelid FROM pg_type WHERE oid = 'cqs.ratios'::regtype)
              AND attnum > 0 AND NOT attisdropped),
          'assigned_units numeric, completed_units numeric, quality_units numeric, '
          'progress_units numeric, a numeric, b numeric, c numeric',
          'cqs.ratios columns: names, order and unconstrained numeric types');

SELECT * FROM finish();
ROLLBACK;
