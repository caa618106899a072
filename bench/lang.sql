-- bench/lang.sql -- what reading notes in Vietnamese costs (cqs.localize, docs/language.md).
-- 300,000 rows of texts as cqs.year_result, cqs.organisation_year and cqs.period_result
-- store them (every kind of note, numbers varied), read plainly and through
-- cqs.localize in Vietnamese and in English, in the same run; the medians of :rounds
-- rounds and their ratios to the plain read.  Linearity: 100,000 against 300,000 rows,
-- and texts 10 and 100 times longer (the free text of an authority's reason grown).
-- Run by bench/lang.sh in a throwaway cluster, or: psql -v rounds=7 -f bench/lang.sql
\set ON_ERROR_STOP 1
\if :{?rounds}
\else
  \set rounds 5
\endif
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS cqs_eval CASCADE;
DROP SCHEMA IF EXISTS bench_lang CASCADE;
CREATE SCHEMA bench_lang;

-- Every row a note (the worst case: nothing to skip), one of fifteen kinds in turn.
CREATE TABLE bench_lang.notes AS
SELECT i AS id,
       CASE i % 15
         WHEN 0 THEN format('worked %s month(s) %s day(s) in 2026, less than 6 months (Art. 11.1)', i % 6, i % 28)
         WHEN 1 THEN format('incomplete: no confirmed result for 2026-%s (Art. 17.2-17.3); graded once they are evaluated', lpad((i % 12 + 1)::text, 2, '0'))
         WHEN 2 THEN 'organisation not graded yet: Art. 20.6 caps the head at its grade'
         WHEN 3 THEN 'Art. 20.6: capped at the organisation''s grade tot (from xuat_sac)'
         WHEN 4 THEN format('rounding %s to %s moved it from tot to xuat_sac', 89.995 + (i % 5) / 1000.0, 90.00)
         WHEN 5 THEN format('Art. 20.4.c, 11.3: administrative discipline khien_trach (QĐ %s/QĐ-SNV, 2026-09-20) for act VP-%s at organisation %s', i, i, i % 61)
         WHEN 6 THEN format('Art. 20.4.b: suy thoái đạo đức, lối sống (Thanh tra tỉnh, 2026-10-01, KL %s/KL-TTr)', i)
         WHEN 7 THEN format('%s points but Art. 8.1 is not met (%s of 40 tasks done on time with quality; %s of 40 tasks exceeded (< 30%%)); Art. 8.2 covers 70 to under 90 only', 90 + i % 10, 30 + i % 10, i % 12)
         WHEN 8 THEN format('%s points but only %s of 40 tasks done on time with quality; Art. 8.2 needs 100%% and no other band covers it', 70 + i % 20, 30 + i % 10)
         WHEN 9 THEN 'no originally assigned work (G = 0): the task criterion cannot be evaluated (Art. 14, 18.1.d); general criteria not scored yet (Art. 12.1, Form 01)'
         WHEN 10 THEN 'general criteria not scored yet (Art. 12.1, Form 01)'
         WHEN 11 THEN 'support-staff criteria not scored yet (HB ch. III)'
         WHEN 12 THEN 'no monthly or quarterly result in the months worked (Art. 17.3)'
         WHEN 13 THEN format('%s points, Art. 8.1 met so far, but it waits: direct subordinate(s) SNV-P%s still await the authority''s grade (Art. 8.1.b, 9.1)', 90 + i % 10, i % 9)
         ELSE format('Art. 11.3.c: party discipline canh_cao (QĐ %s, 2026-03-10) for act HV-%s at organisation %s, where the person did not work in 2026: it counts for that old organisation''s evaluation, not automatically for this grade; the authority decides', i, i, i % 61)
       END AS note
  FROM generate_series(1, 300000) i;
-- Longer texts: the authority's free-text reason 10 and 100 times longer.
CREATE TABLE bench_lang.long_notes AS
SELECT i AS id, format('Art. 20.4.b: %s (Thanh tra tỉnh, 2026-10-01, KL %s/KL-TTr)', repeat('suy thoái đạo đức, lối sống (kết luận số 5); ', r), i) AS note, r
  FROM generate_series(1, 30000) i, (VALUES (1), (10), (100)) AS v(r);
-- As year_result holds them: most rows without a note, arrays of reasons mostly empty.
CREATE TABLE bench_lang.years AS
SELECT n.id, CASE WHEN n.id % 10 = 0 THEN n.note END AS note,
       CASE WHEN n.id % 50 = 0 THEN ARRAY[n.note] ELSE '{}'::text[] END AS reasons
  FROM bench_lang.notes n;
VACUUM ANALYZE bench_lang.notes, bench_lang.long_notes, bench_lang.years;

-- The median of :rounds timed runs of each query (ms), the outputs consumed (sum of lengths).
CREATE FUNCTION bench_lang.median_ms(q text, rounds integer) RETURNS numeric
LANGUAGE plpgsql AS $$
DECLARE
  t0 timestamptz;
  ms numeric[] := '{}';
  v  bigint;
BEGIN
  EXECUTE q INTO v;                                   -- warm: caches, the catalogue's first read
  FOR i IN 1..rounds LOOP
    t0 := clock_timestamp();
    EXECUTE q INTO v;
    ms := ms || (extract(epoch FROM clock_timestamp() - t0) * 1000)::numeric;
  END LOOP;
  RETURN round((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(ms) x)::numeric, 1);
END $$;

-- A prototype: the same C function with a SET search_path clause (what pinning it would
-- cost: a save and restore of search_path on every call).
CREATE FUNCTION bench_lang.localize_with_set(note text, lang text) RETURNS text
LANGUAGE c STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS '$libdir/cqs_eval', 'localize';

\echo 'load average:' `cat /proc/loadavg`
SET max_parallel_workers_per_gather = 0;   -- one core per query: the ratio is per row
CREATE TEMP TABLE result (what text, ms numeric, base text);
INSERT INTO result VALUES
  ('plain: 300,000 notes', bench_lang.median_ms('SELECT sum(length(note)) FROM bench_lang.notes', :rounds), NULL),
  ('localize vi: 300,000 notes', bench_lang.median_ms('SELECT sum(length(cqs.localize(note, ''vi''))) FROM bench_lang.notes', :rounds), 'plain: 300,000 notes'),
  ('localize en: 300,000 notes', bench_lang.median_ms('SELECT sum(length(cqs.localize(note, ''en''))) FROM bench_lang.notes', :rounds), 'plain: 300,000 notes'),
  ('prototype with SET search_path, vi: 300,000 notes', bench_lang.median_ms('SELECT sum(length(bench_lang.localize_with_set(note, ''vi''))) FROM bench_lang.notes', :rounds), 'plain: 300,000 notes'),
  ('prototype with SET search_path, en: 300,000 notes', bench_lang.median_ms('SELECT sum(length(bench_lang.localize_with_set(note, ''en''))) FROM bench_lang.notes', :rounds), 'plain: 300,000 notes'),
  ('localize (session vi): 300,000 notes', bench_lang.median_ms('SELECT sum(length(cqs.localize(note))) FROM bench_lang.notes', :rounds), 'plain: 300,000 notes'),
  ('plain: 100,000 notes', bench_lang.median_ms('SELECT sum(length(note)) FROM bench_lang.notes WHERE id <= 100000', :rounds), NULL),
  ('localize vi: 100,000 notes', bench_lang.median_ms('SELECT sum(length(cqs.localize(note, ''vi''))) FROM bench_lang.notes WHERE id <= 100000', :rounds), 'localize vi: 300,000 notes'),
  ('plain: 30,000 reasons x1', bench_lang.median_ms('SELECT sum(length(note)) FROM bench_lang.long_notes WHERE r = 1', :rounds), NULL),
  ('localize vi: 30,000 reasons x1', bench_lang.median_ms('SELECT sum(length(cqs.localize(note, ''vi''))) FROM bench_lang.long_notes WHERE r = 1', :rounds), 'plain: 30,000 reasons x1'),
  ('localize vi: 30,000 reasons x10', bench_lang.median_ms('SELECT sum(length(cqs.localize(note, ''vi''))) FROM bench_lang.long_notes WHERE r = 10', :rounds), 'localize vi: 30,000 reasons x1'),
  ('localize vi: 30,000 reasons x100', bench_lang.median_ms('SELECT sum(length(cqs.localize(note, ''vi''))) FROM bench_lang.long_notes WHERE r = 100', :rounds), 'localize vi: 30,000 reasons x1'),
  ('plain: 300,000 year rows', bench_lang.median_ms('SELECT sum(length(note)) + sum(cardinality(reasons)) FROM bench_lang.years', :rounds), NULL),
  ('localize vi: 300,000 year rows', bench_lang.median_ms('SELECT sum(length(cqs.localize(note, ''vi''))) + sum(cardinality(cqs.localize(reasons, ''vi''))) FROM bench_lang.years', :rounds), 'plain: 300,000 year rows');
SELECT r.what, r.ms, r.base AS against, round(r.ms / b.ms, 2) AS ratio
  FROM result r LEFT JOIN result b ON b.what = r.base ORDER BY r.ctid;
SELECT avg(length(note))::integer AS mean_chars_x1 FROM bench_lang.long_notes WHERE r = 1
\gset
SELECT avg(length(note))::integer AS mean_chars_x10 FROM bench_lang.long_notes WHERE r = 10
\gset
SELECT avg(length(note))::integer AS mean_chars_x100 FROM bench_lang.long_notes WHERE r = 100
\gset
\echo 'mean text length (characters): notes' `echo` :mean_chars_x1 '/' :mean_chars_x10 '/' :mean_chars_x100 '(reasons x1 / x10 / x100)'
-- Every note of the bench is rendered (none left in English).
SELECT count(*) FILTER (WHERE cqs.localize(note, 'vi') = note) AS unrendered_notes FROM bench_lang.notes;
\echo 'load average:' `cat /proc/loadavg`
DROP SCHEMA bench_lang CASCADE;
