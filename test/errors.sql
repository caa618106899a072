-- pgTAP: every bad argument of every cqs_eval function raises SQLSTATE
-- 22023 (invalid_parameter_value) with a message naming the argument and its
-- value; and the positive rules around the edges: NULL handling, empty
-- input, G = 0, the Art. 20.5 quota, boundaries that must be accepted, and
-- exact results of the task_ratios aggregate for magnitudes and scales that
-- do not fit its int128 fast path (NUMERIC fallback, also across parallel
-- workers and as a window aggregate).
--
-- Messages are the exact texts of src/checks.c, scores.c, grade.c and
-- task_ratios.c.
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

SELECT plan(218);

-- ===========================================================================
-- cqs.grade_label(grade, lang): lang is 'vi' or 'en' (Art. 20 names).
-- ===========================================================================
SELECT throws_ok($$SELECT cqs.grade_label('tot', 'fr')$$,
                 '22023', 'lang must be ''vi'' or ''en'', got ''fr''',
                 'grade_label: unknown lang ''fr'' is rejected');
SELECT throws_ok($$SELECT cqs.grade_label('xuat_sac', '')$$,
                 '22023', 'lang must be ''vi'' or ''en'', got ''''',
                 'grade_label: empty lang is rejected');

-- ===========================================================================
-- cqs.coefficient(item_points, standard_points): item_points >= 0,
-- standard_points > 0, both finite (Art. 13, HB ch. II).
-- ===========================================================================
SELECT throws_ok($$SELECT cqs.coefficient(-1, 5)$$,
                 '22023', 'item_points must not be negative, got -1',
                 'coefficient: negative item_points is rejected');
SELECT throws_ok($$SELECT cqs.coefficient('NaN', 5)$$,
                 '22023', 'item_points must be a finite number, got NaN',
                 'coefficient: item_points = NaN is rejected');
SELECT throws_ok($$SELECT cqs.coefficient('Infinity', 5)$$,
                 '22023', 'item_points must be a finite number, got Infinity',
                 'coefficient: item_points = Infinity is rejected');
SELECT throws_ok($$SELECT cqs.coefficient('-Infinity', 5)$$,
                 '22023', 'item_points must be a finite number, got -Infinity',
                 'coefficient: item_points = -Infinity is rejected');
SELECT throws_ok($$SELECT cqs.coefficient(10, 0)$$,
                 '22023', 'standard_points must be greater than zero, got 0',
                 'coefficient: standard_points = 0 is rejected');
SELECT throws_ok($$SELECT cqs.coefficient(10, 0.000)$$,
                 '22023', 'standard_points must be greater than zero, got 0.000',
                 'coefficient: standard_points = 0.000 is rejected');
SELECT throws_ok($$SELECT cqs.coefficient(10, -5)$$,
                 '22023', 'standard_points must be greater than zero, got -5',
                 'coefficient: standard_points = -5 is rejected');
SELECT throws_ok($$SELECT cqs.coefficient(10, 'NaN')$$,
                 '22023', 'standard_points must be a finite number, got NaN',
                 'coefficient: standard_points = NaN is rejected');
SELECT throws_ok($$SELECT cqs.coefficient(10, 'Infinity')$$,
                 '22023', 'standard_points must be a finite number, got Infinity',
                 'coefficient: standard_points = Infinity is rejected');
SELECT throws_ok($$SELECT cqs.coefficient(10, '-Infinity')$$,
                 '22023', 'standard_points must be a finite number, got -Infinity',
                 'coefficient: standard_points = -Infinity is rejected');

-- ===========================================================================
-- cqs.converted(quantity, coefficient): quantity >= 0, coefficient > 0.
-- ===========================================================================
SELECT throws_ok($$SELECT cqs.converted(-0.8, 3.7)$$,
                 '22023', 'quantity must not be negative, got -0.8',
                 'converted: negative quantity is rejected');
SELECT throws_ok($$SELECT cqs.converted('NaN', 3.7)$$,
                 '22023', 'quantity must be a finite number, got NaN',
                 'converted: quantity = NaN is rejected');
SELECT throws_ok($$SELECT cqs.converted('Infinity', 3.7)$$,
                 '22023', 'quantity must be a finite number, got Infinity',
                 'converted: quantity = Infinity is rejected');
SELECT throws_ok($$SELECT cqs.converted('-Infinity', 3.7)$$,
                 '22023', 'quantity must be a finite number, got -Infinity',
                 'converted: quantity = -Infinity is rejected');
SELECT throws_ok($$SELECT cqs.converted(1, 0)$$,
                 '22023', 'coefficient must be greater than zero, got 0',
                 'converted: coefficient = 0 is rejected');
SELECT throws_ok($$SELECT cqs.converted(1, -2.7)$$,
                 '22023', 'coefficient must be greater than zero, got -2.7',
                 'converted: coefficient = -2.7 is rejected');
SELECT throws_ok($$SELECT cqs.converted(1, 'NaN')$$,
                 '22023', 'coefficient must be a finite number, got NaN',
                 'converted: coefficient = NaN is rejected');
SELECT throws_ok($$SELECT cqs.converted(1, 'Infinity')$$,
                 '22023', 'coefficient must be a finite number, got Infinity',
                 'converted: coefficient = Infinity is rejected');
SELECT throws_ok($$SELECT cqs.converted(1, '-Infinity')$$,
                 '22023', 'coefficient must be a finite number, got -Infinity',
                 'converted: coefficient = -Infinity is rejected');

-- ===========================================================================
-- cqs.deduction_factor(deductions): a count, never negative (Art. 14.2.b-c).
-- ===========================================================================
SELECT throws_ok($$SELECT cqs.deduction_factor(-1)$$,
                 '22023', 'deductions must not be negative, got -1',
                 'deduction_factor: -1 deductions is rejected');
SELECT throws_ok($$SELECT cqs.deduction_factor(-2147483648)$$,
                 '22023', 'deductions must not be negative, got -2147483648',
                 'deduction_factor: INT_MIN deductions is rejected');

-- ===========================================================================
-- cqs.task_score(a, b, c, cap): ratios >= 0 and finite (they may exceed 100:
-- extra and ad hoc work); cap is 'total' or 'each' (Art. 16.1, 12.3).
-- ===========================================================================
SELECT throws_ok($$SELECT cqs.task_score(-1, 90, 90)$$,
                 '22023', 'a must not be negative, got -1',
                 'task_score: negative a is rejected');
SELECT throws_ok($$SELECT cqs.task_score('NaN', 90, 90)$$,
                 '22023', 'a must be a finite number, got NaN',
                 'task_score: a = NaN is rejected');
SELECT throws_ok($$SELECT cqs.task_score('Infinity', 90, 90)$$,
                 '22023', 'a must be a finite number, got Infinity',
                 'task_score: a = Infinity is rejected');
SELECT throws_ok($$SELECT cqs.task_score('-Infinity', 90, 90)$$,
                 '22023', 'a must be a finite number, got -Infinity',
                 'task_score: a = -Infinity is rejected');
SELECT throws_ok($$SELECT cqs.task_score(90, -1, 90)$$,
                 '22023', 'b must not be negative, got -1',
                 'task_score: negative b is rejected');
SELECT throws_ok($$SELECT cqs.task_score(90, 'NaN', 90)$$,
                 '22023', 'b must be a finite number, got NaN',
                 'task_score: b = NaN is rejected');
SELECT throws_ok($$SELECT cqs.task_score(90, 'Infinity', 90)$$,
                 '22023', 'b must be a finite number, got Infinity',
                 'task_score: b = Infinity is rejected');
SELECT throws_ok($$SELECT cqs.task_score(90, '-Infinity', 90)$$,
                 '22023', 'b must be a finite number, got -Infinity',
                 'task_score: b = -Infinity is rejected');
SELECT throws_ok($$SELECT cqs.task_score(90, 90, -1)$$,
                 '22023', 'c must not be negative, got -1',
                 'task_score: negative c is rejected');
SELECT throws_ok($$SELECT cqs.task_score(90, 90, 'NaN')$$,
                 '22023', 'c must be a finite number, got NaN',
                 'task_score: c = NaN is rejected');
SELECT throws_ok($$SELECT cqs.task_score(90, 90, 'Infinity')$$,
                 '22023', 'c must be a finite number, got Infinity',
                 'task_score: c = Infinity is rejected');
SELECT throws_ok($$SELECT cqs.task_score(90, 90, '-Infinity')$$,
                 '22023', 'c must be a finite number, got -Infinity',
                 'task_score: c = -Infinity is rejected');
SELECT throws_ok($$SELECT cqs.task_score(90, 90, 90, 'bogus')$$,
                 '22023', 'cap must be ''total'' or ''each'', got ''bogus''',
                 'task_score: unknown cap ''bogus'' is rejected');
SELECT throws_ok($$SELECT cqs.task_score(90, 90, 90, '')$$,
                 '22023', 'cap must be ''total'' or ''each'', got ''''',
                 'task_score: empty cap is rejected');

-- ===========================================================================
-- cqs.leader_task_score(a, b, c, d, dd, e, cap): a, b, c as for task_score;
-- d, dd (đ), e are 100 or 50 and nothing else (Art. 15.3).
-- ===========================================================================
SELECT throws_ok($$SELECT cqs.leader_task_score(-1, 90, 90, 100, 100, 100)$$,
                 '22023', 'a must not be negative, got -1',
                 'leader_task_score: negative a is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score('NaN', 90, 90, 100, 100, 100)$$,
                 '22023', 'a must be a finite number, got NaN',
                 'leader_task_score: a = NaN is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score('Infinity', 90, 90, 100, 100, 100)$$,
                 '22023', 'a must be a finite number, got Infinity',
                 'leader_task_score: a = Infinity is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score('-Infinity', 90, 90, 100, 100, 100)$$,
                 '22023', 'a must be a finite number, got -Infinity',
                 'leader_task_score: a = -Infinity is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, -1, 90, 100, 100, 100)$$,
                 '22023', 'b must not be negative, got -1',
                 'leader_task_score: negative b is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 'NaN', 90, 100, 100, 100)$$,
                 '22023', 'b must be a finite number, got NaN',
                 'leader_task_score: b = NaN is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 'Infinity', 90, 100, 100, 100)$$,
                 '22023', 'b must be a finite number, got Infinity',
                 'leader_task_score: b = Infinity is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, '-Infinity', 90, 100, 100, 100)$$,
                 '22023', 'b must be a finite number, got -Infinity',
                 'leader_task_score: b = -Infinity is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, -1, 100, 100, 100)$$,
                 '22023', 'c must not be negative, got -1',
                 'leader_task_score: negative c is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 'NaN', 100, 100, 100)$$,
                 '22023', 'c must be a finite number, got NaN',
                 'leader_task_score: c = NaN is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 'Infinity', 100, 100, 100)$$,
                 '22023', 'c must be a finite number, got Infinity',
                 'leader_task_score: c = Infinity is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, '-Infinity', 100, 100, 100)$$,
                 '22023', 'c must be a finite number, got -Infinity',
                 'leader_task_score: c = -Infinity is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 90, 75, 50, 100)$$,
                 '22023', 'd must be 100 or 50, got 75',
                 'leader_task_score: d = 75 is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 90, 100.5, 50, 100)$$,
                 '22023', 'd must be 100 or 50, got 100.5',
                 'leader_task_score: d = 100.5 is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 90, 0, 50, 100)$$,
                 '22023', 'd must be 100 or 50, got 0',
                 'leader_task_score: d = 0 is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 90, -50, 50, 100)$$,
                 '22023', 'd must be 100 or 50, got -50',
                 'leader_task_score: d = -50 is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 90, 49.99, 50, 100)$$,
                 '22023', 'd must be 100 or 50, got 49.99',
                 'leader_task_score: d = 49.99 is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 90, 'NaN', 50, 100)$$,
                 '22023', 'd must be a finite number, got NaN',
                 'leader_task_score: d = NaN is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 90, 'Infinity', 50, 100)$$,
                 '22023', 'd must be a finite number, got Infinity',
                 'leader_task_score: d = Infinity is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 90, '-Infinity', 50, 100)$$,
                 '22023', 'd must be a finite number, got -Infinity',
                 'leader_task_score: d = -Infinity is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 90, 100, 75, 100)$$,
                 '22023', 'dd must be 100 or 50, got 75',
                 'leader_task_score: dd = 75 is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 90, 100, 100.5, 100)$$,
                 '22023', 'dd must be 100 or 50, got 100.5',
                 'leader_task_score: dd = 100.5 is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 90, 100, 0, 100)$$,
                 '22023', 'dd must be 100 or 50, got 0',
                 'leader_task_score: dd = 0 is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 90, 100, -50, 100)$$,
                 '22023', 'dd must be 100 or 50, got -50',
                 'leader_task_score: dd = -50 is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 90, 100, 49.99, 100)$$,
                 '22023', 'dd must be 100 or 50, got 49.99',
                 'leader_task_score: dd = 49.99 is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 90, 100, 'NaN', 100)$$,
                 '22023', 'dd must be a finite number, got NaN',
                 'leader_task_score: dd = NaN is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 90, 100, 'Infinity', 100)$$,
                 '22023', 'dd must be a finite number, got Infinity',
                 'leader_task_score: dd = Infinity is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 90, 100, '-Infinity', 100)$$,
                 '22023', 'dd must be a finite number, got -Infinity',
                 'leader_task_score: dd = -Infinity is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 90, 100, 50, 75)$$,
                 '22023', 'e must be 100 or 50, got 75',
                 'leader_task_score: e = 75 is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 90, 100, 50, 100.5)$$,
                 '22023', 'e must be 100 or 50, got 100.5',
                 'leader_task_score: e = 100.5 is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 90, 100, 50, 0)$$,
                 '22023', 'e must be 100 or 50, got 0',
                 'leader_task_score: e = 0 is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 90, 100, 50, -50)$$,
                 '22023', 'e must be 100 or 50, got -50',
                 'leader_task_score: e = -50 is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 90, 100, 50, 49.99)$$,
                 '22023', 'e must be 100 or 50, got 49.99',
                 'leader_task_score: e = 49.99 is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 90, 100, 50, 'NaN')$$,
                 '22023', 'e must be a finite number, got NaN',
                 'leader_task_score: e = NaN is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 90, 100, 50, 'Infinity')$$,
                 '22023', 'e must be a finite number, got Infinity',
                 'leader_task_score: e = Infinity is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 90, 100, 50, '-Infinity')$$,
                 '22023', 'e must be a finite number, got -Infinity',
                 'leader_task_score: e = -Infinity is rejected');
SELECT throws_ok($$SELECT cqs.leader_task_score(90, 90, 90, 100, 100, 100, 'bogus')$$,
                 '22023', 'cap must be ''total'' or ''each'', got ''bogus''',
                 'leader_task_score: unknown cap ''bogus'' is rejected');

-- ===========================================================================
-- cqs.period_total(general, task_score, decimals): general in [0, 30],
-- task_score in [0, 100], decimals in [0, 4] (Art. 17.1).
-- ===========================================================================
SELECT throws_ok($$SELECT cqs.period_total(-0.01, 50)$$,
                 '22023', 'general must be between 0 and 30, got -0.01',
                 'period_total: general = -0.01 is rejected');
SELECT throws_ok($$SELECT cqs.period_total(30.01, 50)$$,
                 '22023', 'general must be between 0 and 30, got 30.01',
                 'period_total: general = 30.01 is rejected');
SELECT throws_ok($$SELECT cqs.period_total(1000000, 50)$$,
                 '22023', 'general must be between 0 and 30, got 1000000',
                 'period_total: general = 1000000 is rejected');
SELECT throws_ok($$SELECT cqs.period_total('NaN', 50)$$,
                 '22023', 'general must be a finite number, got NaN',
                 'period_total: general = NaN is rejected');
SELECT throws_ok($$SELECT cqs.period_total('Infinity', 50)$$,
                 '22023', 'general must be a finite number, got Infinity',
                 'period_total: general = Infinity is rejected');
SELECT throws_ok($$SELECT cqs.period_total('-Infinity', 50)$$,
                 '22023', 'general must be a finite number, got -Infinity',
                 'period_total: general = -Infinity is rejected');
SELECT throws_ok($$SELECT cqs.period_total(20, -0.01)$$,
                 '22023', 'task_score must be between 0 and 100, got -0.01',
                 'period_total: task_score = -0.01 is rejected');
SELECT throws_ok($$SELECT cqs.period_total(20, 100.01)$$,
                 '22023', 'task_score must be between 0 and 100, got 100.01',
                 'period_total: task_score = 100.01 is rejected');
SELECT throws_ok($$SELECT cqs.period_total(20, 'NaN')$$,
                 '22023', 'task_score must be a finite number, got NaN',
                 'period_total: task_score = NaN is rejected');
SELECT throws_ok($$SELECT cqs.period_total(20, 'Infinity')$$,
                 '22023', 'task_score must be a finite number, got Infinity',
                 'period_total: task_score = Infinity is rejected');
SELECT throws_ok($$SELECT cqs.period_total(20, '-Infinity')$$,
                 '22023', 'task_score must be a finite number, got -Infinity',
                 'period_total: task_score = -Infinity is rejected');
SELECT throws_ok($$SELECT cqs.period_total(20, 50, -1)$$,
                 '22023', 'decimals must be between 0 and 4, got -1',
                 'period_total: decimals = -1 is rejected');
SELECT throws_ok($$SELECT cqs.period_total(20, 50, 5)$$,
                 '22023', 'decimals must be between 0 and 4, got 5',
                 'period_total: decimals = 5 is rejected');

-- ===========================================================================
-- cqs.classify(total, disqualified): total in [0, 100] (Art. 20), checked
-- even when an override would force khong_hoan_thanh anyway.
-- ===========================================================================
SELECT throws_ok($$SELECT cqs.classify(-0.01)$$,
                 '22023', 'total must be between 0 and 100, got -0.01',
                 'classify: total = -0.01 is rejected');
SELECT throws_ok($$SELECT cqs.classify(100.01)$$,
                 '22023', 'total must be between 0 and 100, got 100.01',
                 'classify: total = 100.01 is rejected');
SELECT throws_ok($$SELECT cqs.classify('NaN')$$,
                 '22023', 'total must be a finite number, got NaN',
                 'classify: total = NaN is rejected');
SELECT throws_ok($$SELECT cqs.classify('Infinity')$$,
                 '22023', 'total must be a finite number, got Infinity',
                 'classify: total = Infinity is rejected');
SELECT throws_ok($$SELECT cqs.classify('-Infinity')$$,
                 '22023', 'total must be a finite number, got -Infinity',
                 'classify: total = -Infinity is rejected');
SELECT throws_ok($$SELECT cqs.classify(101, true)$$,
                 '22023', 'total must be between 0 and 100, got 101',
                 'classify: total out of range is rejected even when disqualified');

-- ===========================================================================
-- cqs.excellent_quota(good, candidates, rate, base): counts >= 0, rate in
-- (0, 0.25], base 'good' or 'good_or_better' (Art. 20.5).
-- ===========================================================================
SELECT throws_ok($$SELECT cqs.excellent_quota(-1, 5)$$,
                 '22023', 'good must not be negative, got -1',
                 'excellent_quota: negative good is rejected');
SELECT throws_ok($$SELECT cqs.excellent_quota(10, -1)$$,
                 '22023', 'candidates must not be negative, got -1',
                 'excellent_quota: negative candidates is rejected');
SELECT throws_ok($$SELECT cqs.excellent_quota(10, 5, 0)$$,
                 '22023', 'rate must be greater than 0 and at most 0.25, got 0',
                 'excellent_quota: rate = 0 is rejected');
SELECT throws_ok($$SELECT cqs.excellent_quota(10, 5, -0.20)$$,
                 '22023', 'rate must be greater than 0 and at most 0.25, got -0.20',
                 'excellent_quota: rate = -0.20 is rejected');
SELECT throws_ok($$SELECT cqs.excellent_quota(10, 5, 0.26)$$,
                 '22023', 'rate must be greater than 0 and at most 0.25, got 0.26',
                 'excellent_quota: rate = 0.26 is rejected');
SELECT throws_ok($$SELECT cqs.excellent_quota(10, 5, 0.2501)$$,
                 '22023', 'rate must be greater than 0 and at most 0.25, got 0.2501',
                 'excellent_quota: rate = 0.2501 is rejected');
SELECT throws_ok($$SELECT cqs.excellent_quota(10, 5, 1)$$,
                 '22023', 'rate must be greater than 0 and at most 0.25, got 1',
                 'excellent_quota: rate = 1 is rejected');
SELECT throws_ok($$SELECT cqs.excellent_quota(10, 5, 'NaN')$$,
                 '22023', 'rate must be a finite number, got NaN',
                 'excellent_quota: rate = NaN is rejected');
SELECT throws_ok($$SELECT cqs.excellent_quota(10, 5, 'Infinity')$$,
                 '22023', 'rate must be a finite number, got Infinity',
                 'excellent_quota: rate = Infinity is rejected');
SELECT throws_ok($$SELECT cqs.excellent_quota(10, 5, '-Infinity')$$,
                 '22023', 'rate must be a finite number, got -Infinity',
                 'excellent_quota: rate = -Infinity is rejected');
SELECT throws_ok($$SELECT cqs.excellent_quota(10, 5, 0.20, 'bogus')$$,
                 '22023', 'base must be ''good'' or ''good_or_better'', got ''bogus''',
                 'excellent_quota: unknown base ''bogus'' is rejected');
SELECT throws_ok($$SELECT cqs.excellent_quota(10, 5, 0.20, '')$$,
                 '22023', 'base must be ''good'' or ''good_or_better'', got ''''',
                 'excellent_quota: empty base is rejected');

-- ===========================================================================
-- cqs.support_staff_score(quality, compliance, efficiency): each a
-- percentage in [0, 100] (HB ch. III).
-- ===========================================================================
SELECT throws_ok($$SELECT cqs.support_staff_score(-0.01, 80, 70)$$,
                 '22023', 'quality must be between 0 and 100, got -0.01',
                 'support_staff_score: quality = -0.01 is rejected');
SELECT throws_ok($$SELECT cqs.support_staff_score(100.01, 80, 70)$$,
                 '22023', 'quality must be between 0 and 100, got 100.01',
                 'support_staff_score: quality = 100.01 is rejected');
SELECT throws_ok($$SELECT cqs.support_staff_score('NaN', 80, 70)$$,
                 '22023', 'quality must be a finite number, got NaN',
                 'support_staff_score: quality = NaN is rejected');
SELECT throws_ok($$SELECT cqs.support_staff_score('Infinity', 80, 70)$$,
                 '22023', 'quality must be a finite number, got Infinity',
                 'support_staff_score: quality = Infinity is rejected');
SELECT throws_ok($$SELECT cqs.support_staff_score('-Infinity', 80, 70)$$,
                 '22023', 'quality must be a finite number, got -Infinity',
                 'support_staff_score: quality = -Infinity is rejected');
SELECT throws_ok($$SELECT cqs.support_staff_score(90, -0.01, 70)$$,
                 '22023', 'compliance must be between 0 and 100, got -0.01',
                 'support_staff_score: compliance = -0.01 is rejected');
SELECT throws_ok($$SELECT cqs.support_staff_score(90, 100.01, 70)$$,
                 '22023', 'compliance must be between 0 and 100, got 100.01',
                 'support_staff_score: compliance = 100.01 is rejected');
SELECT throws_ok($$SELECT cqs.support_staff_score(90, 'NaN', 70)$$,
                 '22023', 'compliance must be a finite number, got NaN',
                 'support_staff_score: compliance = NaN is rejected');
SELECT throws_ok($$SELECT cqs.support_staff_score(90, 'Infinity', 70)$$,
                 '22023', 'compliance must be a finite number, got Infinity',
                 'support_staff_score: compliance = Infinity is rejected');
SELECT throws_ok($$SELECT cqs.support_staff_score(90, '-Infinity', 70)$$,
                 '22023', 'compliance must be a finite number, got -Infinity',
                 'support_staff_score: compliance = -Infinity is rejected');
SELECT throws_ok($$SELECT cqs.support_staff_score(90, 80, -0.01)$$,
                 '22023', 'efficiency must be between 0 and 100, got -0.01',
                 'support_staff_score: efficiency = -0.01 is rejected');
SELECT throws_ok($$SELECT cqs.support_staff_score(90, 80, 100.01)$$,
                 '22023', 'efficiency must be between 0 and 100, got 100.01',
                 'support_staff_score: efficiency = 100.01 is rejected');
SELECT throws_ok($$SELECT cqs.support_staff_score(90, 80, 'NaN')$$,
                 '22023', 'efficiency must be a finite number, got NaN',
                 'support_staff_score: efficiency = NaN is rejected');
SELECT throws_ok($$SELECT cqs.support_staff_score(90, 80, 'Infinity')$$,
                 '22023', 'efficiency must be a finite number, got Infinity',
                 'support_staff_score: efficiency = Infinity is rejected');
SELECT throws_ok($$SELECT cqs.support_staff_score(90, 80, '-Infinity')$$,
                 '22023', 'efficiency must be a finite number, got -Infinity',
                 'support_staff_score: efficiency = -Infinity is rejected');

-- ===========================================================================
-- cqs.task_ratios(assigned_qty, completed_qty, coefficient,
--                 quality_deductions, lateness_deductions, counts_in_assigned)
-- No line is skipped silently: NULL assigned_qty, coefficient or
-- counts_in_assigned is an error; quantities are finite and >= 0; the
-- coefficient is finite and > 0; deductions are >= 0.  Values too large or
-- too precise for the int128 fast path are checked just the same.
-- ===========================================================================
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o) FROM (VALUES (NULL::numeric, 4.0::numeric, 1.0::numeric, 0::integer, 0::integer, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'assigned_qty must not be NULL',
                 'task_ratios: NULL assigned_qty is rejected');
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o) FROM (VALUES (5.0::numeric, 4.0::numeric, NULL::numeric, 0::integer, 0::integer, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'coefficient must not be NULL',
                 'task_ratios: NULL coefficient is rejected');
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o) FROM (VALUES (5.0::numeric, 4.0::numeric, 1.0::numeric, 0::integer, 0::integer, NULL::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'counts_in_assigned must not be NULL',
                 'task_ratios: NULL counts_in_assigned is rejected');
SELECT throws_ok($$SELECT cqs.task_ratios_by_quantity(a, c, k, q, l, o) FROM (VALUES (5.0::numeric, 4.0::numeric, 1.0::numeric, -0.5::numeric, 0::numeric, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'quality_hit_qty must not be negative, got -0.5',
                 'task_ratios_by_quantity: a negative quality hit quantity is rejected');
SELECT throws_ok($$SELECT cqs.task_ratios_by_quantity(a, c, k, q, l, o) FROM (VALUES (5.0::numeric, 4.0::numeric, 1.0::numeric, 0::numeric, 'NaN'::numeric, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'lateness_hit_qty must be a finite number, got NaN',
                 'task_ratios_by_quantity: a NaN lateness hit quantity is rejected');
SELECT throws_ok($$SELECT cqs.task_ratios_by_quantity(a, c, k, q, l, o) FROM (VALUES (5.0::numeric, 4.0::numeric, 1.0::numeric, 0::numeric, '-Infinity'::numeric, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'lateness_hit_qty must be a finite number, got -Infinity',
                 'task_ratios_by_quantity: an infinite hit quantity is rejected');
SELECT throws_ok($$SELECT cqs.task_ratios_by_quantity(a, c, k, q, l, o) FROM (VALUES (5.0::numeric, 4.0::numeric, NULL::numeric, 0::numeric, 0::numeric, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'coefficient must not be NULL',
                 'task_ratios_by_quantity: a NULL coefficient is rejected');
SELECT is((SELECT (cqs.task_ratios_by_quantity(a, c, k, q, l, o)).b FROM (VALUES (10::numeric, 10::numeric, 1::numeric, NULL::numeric, NULL::numeric, true)) AS v(a, c, k, q, l, o)),
          100.0000000000000000::numeric, 'task_ratios_by_quantity: NULL hit quantities are none');
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o) FROM (VALUES (-1::numeric, 4.0::numeric, 1.0::numeric, 0::integer, 0::integer, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'assigned_qty must not be negative, got -1',
                 'task_ratios: negative assigned_qty is rejected');
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o) FROM (VALUES ('NaN'::numeric, 4.0::numeric, 1.0::numeric, 0::integer, 0::integer, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'assigned_qty must be a finite number, got NaN',
                 'task_ratios: assigned_qty = NaN is rejected');
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o) FROM (VALUES ('Infinity'::numeric, 4.0::numeric, 1.0::numeric, 0::integer, 0::integer, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'assigned_qty must be a finite number, got Infinity',
                 'task_ratios: assigned_qty = Infinity is rejected');
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o) FROM (VALUES ('-Infinity'::numeric, 4.0::numeric, 1.0::numeric, 0::integer, 0::integer, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'assigned_qty must be a finite number, got -Infinity',
                 'task_ratios: assigned_qty = -Infinity is rejected');
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o) FROM (VALUES (5.0::numeric, -0.5::numeric, 1.0::numeric, 0::integer, 0::integer, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'completed_qty must not be negative, got -0.5',
                 'task_ratios: negative completed_qty is rejected');
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o) FROM (VALUES (5.0::numeric, 'NaN'::numeric, 1.0::numeric, 0::integer, 0::integer, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'completed_qty must be a finite number, got NaN',
                 'task_ratios: completed_qty = NaN is rejected');
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o) FROM (VALUES (5.0::numeric, 'Infinity'::numeric, 1.0::numeric, 0::integer, 0::integer, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'completed_qty must be a finite number, got Infinity',
                 'task_ratios: completed_qty = Infinity is rejected');
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o) FROM (VALUES (5.0::numeric, '-Infinity'::numeric, 1.0::numeric, 0::integer, 0::integer, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'completed_qty must be a finite number, got -Infinity',
                 'task_ratios: completed_qty = -Infinity is rejected');
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o) FROM (VALUES (5.0::numeric, 4.0::numeric, 0::numeric, 0::integer, 0::integer, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'coefficient must be greater than zero, got 0',
                 'task_ratios: coefficient = 0 is rejected');
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o) FROM (VALUES (5.0::numeric, 4.0::numeric, 0.000::numeric, 0::integer, 0::integer, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'coefficient must be greater than zero, got 0.000',
                 'task_ratios: coefficient = 0.000 is rejected');
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o) FROM (VALUES (5.0::numeric, 4.0::numeric, -1::numeric, 0::integer, 0::integer, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'coefficient must be greater than zero, got -1',
                 'task_ratios: coefficient = -1 is rejected');
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o) FROM (VALUES (5.0::numeric, 4.0::numeric, 'NaN'::numeric, 0::integer, 0::integer, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'coefficient must be a finite number, got NaN',
                 'task_ratios: coefficient = NaN is rejected');
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o) FROM (VALUES (5.0::numeric, 4.0::numeric, 'Infinity'::numeric, 0::integer, 0::integer, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'coefficient must be a finite number, got Infinity',
                 'task_ratios: coefficient = Infinity is rejected');
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o) FROM (VALUES (5.0::numeric, 4.0::numeric, '-Infinity'::numeric, 0::integer, 0::integer, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'coefficient must be a finite number, got -Infinity',
                 'task_ratios: coefficient = -Infinity is rejected');
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o) FROM (VALUES (5.0::numeric, 4.0::numeric, 0.000000000000000000000000000000000000000000000::numeric, 0::integer, 0::integer, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'coefficient must be greater than zero, got 0.000000000000000000000000000000000000000000000',
                 'task_ratios: zero coefficient with 45 decimals (beyond int128 scale) is rejected');
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o) FROM (VALUES (5.0::numeric, 4.0::numeric, -0.000000000000000000000000000000000000000000001::numeric, 0::integer, 0::integer, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'coefficient must be greater than zero, got -0.000000000000000000000000000000000000000000001',
                 'task_ratios: negative coefficient with 45 decimals is rejected');
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o) FROM (VALUES (-1e40::numeric, 4.0::numeric, 1.0::numeric, 0::integer, 0::integer, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'assigned_qty must not be negative, got -10000000000000000000000000000000000000000',
                 'task_ratios: negative assigned_qty beyond int128 is rejected');
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o) FROM (VALUES (5.0::numeric, -0.0000000000000000000000000000000000000001::numeric, 1.0::numeric, 0::integer, 0::integer, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'completed_qty must not be negative, got -0.0000000000000000000000000000000000000001',
                 'task_ratios: negative completed_qty with 40 decimals is rejected');
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o) FROM (VALUES (5.0::numeric, 4.0::numeric, 1.0::numeric, -1::integer, 0::integer, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'quality_deductions must not be negative, got -1',
                 'task_ratios: negative quality_deductions is rejected');
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o) FROM (VALUES (5.0::numeric, 4.0::numeric, 1.0::numeric, 0::integer, -1::integer, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'lateness_deductions must not be negative, got -1',
                 'task_ratios: negative lateness_deductions is rejected');
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o) FROM (VALUES (-1::numeric, 4.0::numeric, 1.0::numeric, 0::integer, 0::integer, false::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'assigned_qty must not be negative, got -1',
                 'task_ratios: negative assigned_qty is rejected on a line outside G too');
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o) FROM (VALUES (5.0::numeric, NULL::numeric, 1.0::numeric, 0::integer, -2::integer, true::boolean)) AS v(a, c, k, q, l, o)$$,
                 '22023', 'lateness_deductions must not be negative, got -2',
                 'task_ratios: negative deductions are rejected even with nothing completed');
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o ORDER BY i) FROM (VALUES (1, 5.0::numeric, 4.0::numeric, 1.0::numeric, 0::integer, 0::integer, true::boolean), (2, 5.0::numeric, 4.0::numeric, 1.0::numeric, 0::integer, 0::integer, true::boolean), (3, 5.0::numeric, 4.0::numeric, 0::numeric, 0::integer, 0::integer, true::boolean)) AS v(i, a, c, k, q, l, o)$$,
                 '22023', 'coefficient must be greater than zero, got 0',
                 'task_ratios: a bad line after good ones is still rejected');
SELECT throws_ok($$SELECT cqs.task_ratios(a, c, k, q, l, o ORDER BY i) FROM (VALUES (1, 1e40::numeric, 4.0::numeric, 1.0::numeric, 0::integer, 0::integer, true::boolean), (2, 5.0::numeric, 4.0::numeric, 1.0::numeric, 0::integer, 0::integer, true::boolean), (3, 5.0::numeric, -3::numeric, 1.0::numeric, 0::integer, 0::integer, true::boolean)) AS v(i, a, c, k, q, l, o)$$,
                 '22023', 'completed_qty must not be negative, got -3',
                 'task_ratios: a bad line is rejected after the group switched to NUMERIC sums');

-- ===========================================================================
-- Positive rules.
-- ===========================================================================

-- STRICT scalar functions: NULL in any argument gives NULL, before any check.
SELECT ok(cqs.grade_label(NULL) IS NULL
           AND cqs.grade_label('tot', NULL) IS NULL
           AND cqs.grade_label(NULL, 'fr') IS NULL,
          'grade_label: NULL in any argument gives NULL');
SELECT ok(cqs.coefficient(NULL, 5) IS NULL
           AND cqs.coefficient(5, NULL) IS NULL
           AND cqs.coefficient(-1, NULL) IS NULL,
          'coefficient: NULL in any argument gives NULL');
SELECT ok(cqs.converted(NULL, 1) IS NULL
           AND cqs.converted(1, NULL) IS NULL
           AND cqs.converted(NULL, 0) IS NULL,
          'converted: NULL in any argument gives NULL');
SELECT ok(cqs.deduction_factor(NULL) IS NULL,
          'deduction_factor: NULL in any argument gives NULL');
SELECT ok(cqs.task_score(NULL, 1, 1) IS NULL
           AND cqs.task_score(1, NULL, 1) IS NULL
           AND cqs.task_score(1, 1, NULL) IS NULL
           AND cqs.task_score(1, 1, 1, NULL) IS NULL
           AND cqs.task_score(-1, 1, NULL) IS NULL,
          'task_score: NULL in any argument gives NULL');
SELECT ok(cqs.leader_task_score(NULL, 1, 1, 100, 100, 100) IS NULL
           AND cqs.leader_task_score(1, 1, 1, NULL, 100, 100) IS NULL
           AND cqs.leader_task_score(1, 1, 1, 100, NULL, 100) IS NULL
           AND cqs.leader_task_score(1, 1, 1, 100, 100, NULL) IS NULL
           AND cqs.leader_task_score(1, 1, 1, 100, 100, 100, NULL) IS NULL
           AND cqs.leader_task_score(1, 1, 1, 75, 100, NULL) IS NULL,
          'leader_task_score: NULL in any argument gives NULL');
SELECT ok(cqs.period_total(NULL, 50) IS NULL
           AND cqs.period_total(20, NULL) IS NULL
           AND cqs.period_total(20, 50, NULL) IS NULL
           AND cqs.period_total(31, NULL) IS NULL,
          'period_total: NULL in any argument gives NULL');
SELECT ok(cqs.classify(NULL) IS NULL
           AND cqs.classify(95, NULL) IS NULL
           AND cqs.classify(NULL, true) IS NULL,
          'classify: NULL in any argument gives NULL');
SELECT ok(cqs.excellent_quota(NULL, 5) IS NULL
           AND cqs.excellent_quota(10, NULL) IS NULL
           AND cqs.excellent_quota(10, 5, NULL) IS NULL
           AND cqs.excellent_quota(10, 5, 0.20, NULL) IS NULL
           AND cqs.excellent_quota(-1, 5, NULL) IS NULL,
          'excellent_quota: NULL in any argument gives NULL');
SELECT ok(cqs.support_staff_score(NULL, 1, 1) IS NULL
           AND cqs.support_staff_score(1, NULL, 1) IS NULL
           AND cqs.support_staff_score(1, 1, NULL) IS NULL
           AND cqs.support_staff_score(101, 1, NULL) IS NULL,
          'support_staff_score: NULL in any argument gives NULL');

-- The aggregate: NULL completed_qty and NULL deductions count as 0.
SELECT is((SELECT cqs.task_ratios(a, c, k, q, l, o ORDER BY i)::text FROM (VALUES (1, 5.0::numeric, NULL::numeric, 1.0::numeric, 0::integer, 4::integer, true::boolean), (2, 3.0::numeric, 3.0::numeric, 2.7::numeric, 1::integer, 2::integer, true::boolean)) AS v(i, a, c, k, q, l, o)),
          (SELECT cqs.task_ratios(a, c, k, q, l, o ORDER BY i)::text FROM (VALUES (1, 5.0::numeric, 0::numeric, 1.0::numeric, 0::integer, 4::integer, true::boolean), (2, 3.0::numeric, 3.0::numeric, 2.7::numeric, 1::integer, 2::integer, true::boolean)) AS v(i, a, c, k, q, l, o)),
          'task_ratios: NULL completed_qty counts as 0');
SELECT is((SELECT cqs.task_ratios(a, c, k, q, l, o ORDER BY i)::text FROM (VALUES (1, 2::numeric, NULL::numeric, 1.5::numeric, 0::integer, 0::integer, true::boolean)) AS v(i, a, c, k, q, l, o)),
          '(3.0,0.0,0.000,0.000,0.00000000000000000000,0.00000000000000000000,0.00000000000000000000)',
          'task_ratios: a line with NULL completed_qty still counts in G');
SELECT is((SELECT cqs.task_ratios(a, c, k, q, l, o ORDER BY i)::text FROM (VALUES (1, 5.0::numeric, 4.0::numeric, 1.0::numeric, NULL::integer, NULL::integer, true::boolean), (2, 3.0::numeric, 3.0::numeric, 2.7::numeric, 1::integer, NULL::integer, true::boolean), (3, 1.0::numeric, 0.8::numeric, 3.7::numeric, NULL::integer, 3::integer, true::boolean)) AS v(i, a, c, k, q, l, o)),
          (SELECT cqs.task_ratios(a, c, k, q, l, o ORDER BY i)::text FROM (VALUES (1, 5.0::numeric, 4.0::numeric, 1.0::numeric, 0::integer, 0::integer, true::boolean), (2, 3.0::numeric, 3.0::numeric, 2.7::numeric, 1::integer, 0::integer, true::boolean), (3, 1.0::numeric, 0.8::numeric, 3.7::numeric, 0::integer, 3::integer, true::boolean)) AS v(i, a, c, k, q, l, o)),
          'task_ratios: NULL quality/lateness deductions count as 0');
SELECT is((SELECT cqs.task_ratios(a, c, k, q, l, o ORDER BY i)::text FROM (VALUES (1, 5.0::numeric, 4.0::numeric, 1.0::numeric, 0::integer, 4::integer, true::boolean), (2, 3.0::numeric, 3.0::numeric, 2.7::numeric, 1::integer, 2::integer, true::boolean), (3, 1.0::numeric, 0.8::numeric, 3.7::numeric, 2::integer, 0::integer, true::boolean)) AS v(i, a, c, k, q, l, o)),
          '(16.80,15.06,11.5550,7.0100,89.6428571428571429,68.7797619047619048,41.7261904761904762)',
          'task_ratios: the handbook example (HB ch. VI): G = 16.8, a 89.6, b 68.8, c 41.7');
SELECT ok((SELECT cqs.task_ratios(a, c, k, q, l, o ORDER BY i)::text FROM (VALUES (1, 5.0::numeric, 4.0::numeric, 1.0::numeric, 0::integer, 0::integer, true::boolean)) AS v(i, a, c, k, q, l, o) WHERE false) IS NULL,
          'task_ratios: no lines gives NULL (not a row of NULLs)');
SELECT is((SELECT cqs.task_ratios(a, c, k, q, l, o ORDER BY i)::text FROM (VALUES (1, 1::numeric, 1::numeric, 1::numeric, 0::integer, 0::integer, false::boolean)) AS v(i, a, c, k, q, l, o)),
          '(0,1,1.00,1.00,,,)',
          'task_ratios: no line counts in G -> assigned_units 0, a/b/c NULL (Art. 18.1.d)');
SELECT is((SELECT cqs.task_ratios(a, c, k, q, l, o ORDER BY i)::text FROM (VALUES (1, 0::numeric, 2::numeric, 1.5::numeric, 1::integer, 5::integer, true::boolean)) AS v(i, a, c, k, q, l, o)),
          '(0.0,3.0,2.250,0.000,,,)',
          'task_ratios: assigned 0 -> G = 0 -> a/b/c NULL, units still reported');
SELECT is((SELECT cqs.task_ratios(a, c, k, q, l, o ORDER BY i)::text FROM (VALUES (1, 4::numeric, 2::numeric, 1::numeric, 4::integer, 100::integer, true::boolean)) AS v(i, a, c, k, q, l, o)),
          '(4,2,0.00,0.00,50.0000000000000000,0.00000000000000000000,0.00000000000000000000)',
          'task_ratios: 4 or more deductions leave nothing of the line''s credit');

-- Art. 20.5 quota: the largest k <= candidates with k <= rate x (good +
-- candidates - k) (base 'good': those who lose xuat_sac become tot), or
-- k <= rate x (good + candidates) with base 'good_or_better'.
SELECT is(cqs.excellent_quota(10, 5, 0.20, 'good'), 2, 'excellent_quota: good 10, 5 candidates, 20%: 2 (2 <= 0.2 x 13, 3 > 0.2 x 12)');
SELECT is(cqs.excellent_quota(10, 5), 2, 'excellent_quota: defaults are rate 0.20 and base good');
SELECT is(cqs.excellent_quota(10, 5, 0.20, 'good_or_better'), 3, 'excellent_quota: base good_or_better: 0.2 x 15 = 3');
SELECT is(cqs.excellent_quota(10, 0), 0, 'excellent_quota: no candidates: 0');
SELECT is(cqs.excellent_quota(0, 5), 0, 'excellent_quota: nobody tot, 5 candidates: 0 (1 > 0.2 x 4)');
SELECT is(cqs.excellent_quota(0, 10), 1, 'excellent_quota: nobody tot, 10 candidates: 1 (1 <= 0.2 x 9, 2 > 0.2 x 8)');
SELECT is(cqs.excellent_quota(10, 5, 0.25), 3, 'excellent_quota: rate 0.25 is allowed: 3 <= 0.25 x 12');
SELECT is(cqs.excellent_quota(3, 1, 0.25), 0, 'excellent_quota: k must stay within the rate: 1 > 0.25 x 3');
SELECT is(cqs.excellent_quota(4, 1, 0.25), 1, 'excellent_quota: exactly at the limit counts: 1 <= 0.25 x 4');
SELECT is(cqs.excellent_quota(100, 2, 0.20), 2, 'excellent_quota: never more than the candidates');
SELECT is(cqs.excellent_quota(2147483647, 2147483647, 0.25), 858993458, 'excellent_quota: int32 extremes, base good (no overflow)');
SELECT is(cqs.excellent_quota(2147483647, 2147483647, 0.25, 'good_or_better'), 1073741823, 'excellent_quota: int32 extremes, base good_or_better (no overflow)');

-- Boundary values are accepted (the checks are not off by one).
SELECT is(cqs.coefficient(0, 5)::text, '0.00000000000000000000', 'coefficient: item_points 0 is allowed');
SELECT is(cqs.coefficient(13.5, 5)::text, '2.7000000000000000', 'coefficient: 13.5 / 5');
SELECT is(cqs.converted(0, 2.7)::text, '0.0', 'converted: quantity 0 is allowed');
SELECT is(cqs.deduction_factor(0)::text, '1.00', 'deduction_factor: 0 deductions keeps everything');
SELECT is(cqs.deduction_factor(3)::text, '0.25', 'deduction_factor: 3 deductions keep 25%');
SELECT is(cqs.deduction_factor(4)::text, '0.00', 'deduction_factor: 4 deductions keep nothing');
SELECT is(cqs.deduction_factor(2147483647)::text, '0.00', 'deduction_factor: INT_MAX deductions keep nothing');
SELECT is(cqs.task_score(0, 0, 0)::text, '0.00000000000000000000', 'task_score: all zero is allowed');
SELECT is(cqs.task_score(150, 90, 90)::text, '100', 'task_score: cap total');
SELECT is(cqs.task_score(150, 90, 90, 'each')::text, '93.3333333333333333', 'task_score: cap each');
SELECT is(cqs.leader_task_score(60, 60, 60, 50.0, 50, 100.00)::text, '63.3333333333333333', 'leader_task_score: 50.0 and 100.00 are the legal values 50 and 100');
SELECT is(cqs.period_total(30, 100)::text, '100.00', 'period_total: general 30 and task score 100 are allowed');
SELECT is(cqs.period_total(0, 0, 0)::text, '0', 'period_total: zeros and 0 decimals are allowed');
SELECT is(cqs.period_total(25.5, 66.7163, 4)::text, '72.2014', 'period_total: 4 decimals are allowed');
SELECT is(cqs.support_staff_score(0, 100, 100)::text, '66.6666666666666667', 'support_staff_score: 0 and 100 are allowed');
SELECT is(cqs.classify(100), 'xuat_sac'::cqs.grade, 'classify: 100 is allowed');
SELECT is(cqs.classify(0), 'khong_hoan_thanh'::cqs.grade, 'classify: 0 is allowed');

-- ===========================================================================
-- Exactness beyond the int128 fast path.  task_ratios keeps int128 fixed-
-- point sums and falls back to NUMERIC when a value or a sum does not fit
-- (more than 38 digits or scale above 38).  Whatever the path, the result
-- must equal, digit for digit and scale for scale, the plain NUMERIC formula:
--   G = sum(assigned x coef) over counted lines (0 if none),
--   units = sum(coalesce(completed, 0) x coef [x (1 - 0.25 least(n, 4))]),
--   a, b, c = 100 x units / G, NULL when G = 0.
-- ===========================================================================
CREATE TABLE cqs_test_errors_lines (
  grp int, i int, a numeric, c numeric, k numeric, q int, l int, o boolean);
CREATE VIEW cqs_test_errors_ref AS
SELECT grp,
       ROW(au, cu, qu, pu,
           CASE WHEN au <> 0 THEN 100 * cu / au END,
           CASE WHEN au <> 0 THEN 100 * qu / au END,
           CASE WHEN au <> 0 THEN 100 * pu / au END)::cqs.ratios::text AS r
  FROM (SELECT grp,
               coalesce(sum(a * k) FILTER (WHERE o), 0) AS au,
               sum(coalesce(c, 0) * k) AS cu,
               sum(coalesce(c, 0) * k * (1 - 0.25 * least(coalesce(q, 0), 4))) AS qu,
               sum(coalesce(c, 0) * k * (1 - 0.25 * least(coalesce(l, 0), 4))) AS pu
          FROM cqs_test_errors_lines GROUP BY grp) AS s;

INSERT INTO cqs_test_errors_lines VALUES
  -- 1: 1e30 quantities, a coefficient with 30 decimals (product needs 61 digits)
  (1, 1, 1e30, 1e30, 1.000000000000000000000000000001, 1, 2, true),
  (1, 2, 1e30, 5e29, 2.500000000000000000000000000003, 0, 5, true),
  -- 2: small lines, then one that does not fit, then small lines again
  (2, 1, 5.0, 4.0, 1.0, 0, 4, true),
  (2, 2, 3.0, 3.0, 2.7, 1, 2, true),
  (2, 3, 123456789012345678901234567890123456789012345, 1, 1.5, 2, 0, true),
  (2, 4, 1.0, 0.8, 3.7, 2, 0, true),
  (2, 5, 2, NULL, 1.25, NULL, NULL, false),
  -- 3: a coefficient with 45 decimals (scale above 38)
  (3, 1, 3, 2, 0.000000000000000000000000000000000000000000001, 1, 1, true),
  (3, 2, 1, 1, 1, 0, 0, true),
  -- 4: every value fits, but the sum overflows int128 (2 x 9e37 > 1.7e38)
  (4, 1, 9e37, 9e37, 1, 0, 1, true),
  (4, 2, 9e37, 9e37, 1, 3, 0, true),
  -- 5: aligning scales overflows (1e37 at scale 0, then a line at scale 10)
  (5, 1, 1e37, 1e37, 1, 0, 0, true),
  (5, 2, 1.0000000001, 1, 1, 0, 0, true),
  -- 6: completed x coefficient at scale 37, + 2 for the deduction factor > 38
  (6, 1, 1, 0.12345678901234567, 1.12345678901234567890, 1, 1, true),
  (6, 2, 1, 1, 1, 0, 0, true),
  -- 7: tiny values: 1e-38 exactly at the fast path's limit
  (7, 1, 0.00000000000000000000000000000000000001, 0.00000000000000000000000000000000000001, 1, 0, 0, true),
  -- 8: only ad hoc lines, huge: G = 0 -> a, b, c NULL
  (8, 1, 1e40, 1e40, 3, 0, 0, false),
  -- 9: all small (fast path), for comparison
  (9, 1, 5.0, 4.0, 1.0, 0, 4, true),
  (9, 2, 3.0, 3.0, 2.7, 1, 2, true),
  (9, 3, 1.0, 0.8, 3.7, 2, 0, true);
-- 10: 6001-character values, stored compressed in the heap tuple
INSERT INTO cqs_test_errors_lines
SELECT 10, n, (repeat('1', 3000) || '.' || repeat('5', 3000))::numeric,
       (repeat('9', 2000) || '.' || repeat('3', 4000))::numeric, 2.5, n, 1, n = 1
  FROM generate_series(1, 2) AS n;

SELECT is((SELECT cqs.task_ratios(a, c, k, q, l, o ORDER BY i)::text FROM cqs_test_errors_lines WHERE grp = 1),
          (SELECT r FROM cqs_test_errors_ref WHERE grp = 1),
          'task_ratios equals plain NUMERIC: 1e30 quantities with a 30-decimal coefficient');
SELECT is((SELECT cqs.task_ratios(a, c, k, q, l, o ORDER BY i)::text FROM cqs_test_errors_lines WHERE grp = 2),
          (SELECT r FROM cqs_test_errors_ref WHERE grp = 2),
          'task_ratios equals plain NUMERIC: small lines, one 45-digit line, small lines again (fast path -> NUMERIC mid-group)');
SELECT is((SELECT cqs.task_ratios(a, c, k, q, l, o ORDER BY i)::text FROM cqs_test_errors_lines WHERE grp = 3),
          (SELECT r FROM cqs_test_errors_ref WHERE grp = 3),
          'task_ratios equals plain NUMERIC: a coefficient with 45 decimals');
SELECT is((SELECT cqs.task_ratios(a, c, k, q, l, o ORDER BY i)::text FROM cqs_test_errors_lines WHERE grp = 4),
          (SELECT r FROM cqs_test_errors_ref WHERE grp = 4),
          'task_ratios equals plain NUMERIC: lines that fit but whose sum overflows int128');
SELECT is((SELECT cqs.task_ratios(a, c, k, q, l, o ORDER BY i)::text FROM cqs_test_errors_lines WHERE grp = 5),
          (SELECT r FROM cqs_test_errors_ref WHERE grp = 5),
          'task_ratios equals plain NUMERIC: scale alignment overflowing int128');
SELECT is((SELECT cqs.task_ratios(a, c, k, q, l, o ORDER BY i)::text FROM cqs_test_errors_lines WHERE grp = 6),
          (SELECT r FROM cqs_test_errors_ref WHERE grp = 6),
          'task_ratios equals plain NUMERIC: deduction factor pushing the scale above 38');
SELECT is((SELECT cqs.task_ratios(a, c, k, q, l, o ORDER BY i)::text FROM cqs_test_errors_lines WHERE grp = 7),
          (SELECT r FROM cqs_test_errors_ref WHERE grp = 7),
          'task_ratios equals plain NUMERIC: 1e-38 quantities');
SELECT is((SELECT cqs.task_ratios(a, c, k, q, l, o ORDER BY i)::text FROM cqs_test_errors_lines WHERE grp = 8),
          (SELECT r FROM cqs_test_errors_ref WHERE grp = 8),
          'task_ratios equals plain NUMERIC: huge ad hoc lines only (G = 0)');
SELECT is((SELECT cqs.task_ratios(a, c, k, q, l, o ORDER BY i)::text FROM cqs_test_errors_lines WHERE grp = 9),
          (SELECT r FROM cqs_test_errors_ref WHERE grp = 9),
          'task_ratios equals plain NUMERIC: small lines (fast path)');
SELECT is((SELECT cqs.task_ratios(a, c, k, q, l, o ORDER BY i)::text FROM cqs_test_errors_lines WHERE grp = 10),
          (SELECT r FROM cqs_test_errors_ref WHERE grp = 10),
          'task_ratios equals plain NUMERIC: compressed 6001-digit values read from a table');
CREATE TABLE cqs_test_errors_negative AS
SELECT a, -c AS c, k, q, l, o FROM cqs_test_errors_lines WHERE grp = 10;
SELECT ok((SELECT bool_and(pg_column_size(c) < 100) FROM cqs_test_errors_negative),
          'precondition: the 6001-digit values are stored compressed');
SELECT throws_ok(
    $$SELECT cqs.task_ratios(a, c, k, q, l, o) FROM cqs_test_errors_negative$$,
    '22023', NULL,
    'task_ratios: a negative compressed 6001-digit completed_qty is rejected with 22023');

-- One literal, so that the reference itself is pinned.
SELECT is((SELECT cqs.task_ratios(a, c, k, q, l, o ORDER BY i)::text FROM cqs_test_errors_lines WHERE grp = 1),
          '(3500000000000000000000000000004.000000000000000000000000000000,'
          '2250000000000000000000000000002.500000000000000000000000000000,'
          '2000000000000000000000000000002.25000000000000000000000000000000,'
          '500000000000000000000000000000.50000000000000000000000000000000,'
          '64.285714285714285714285714285712,'
          '57.14285714285714285714285714285612,'
          '14.28571428571428571428571428571224)',
          'task_ratios: 1e30 x 30-decimal coefficient, exact literal');
SELECT results_eq(
    $$SELECT grp, cqs.task_ratios(a, c, k, q, l, o ORDER BY i)::text FROM cqs_test_errors_lines GROUP BY grp ORDER BY grp$$,
    $$SELECT grp, r FROM cqs_test_errors_ref ORDER BY grp$$,
    'task_ratios equals plain NUMERIC for every group of one GROUP BY (fast-path and NUMERIC states side by side)');

-- As a window aggregate the state is reused after each final call.
SELECT results_eq(
    $$SELECT i, (cqs.task_ratios(a, c, k, q, l, o) OVER (ORDER BY i))::text
        FROM cqs_test_errors_lines WHERE grp = 2 ORDER BY i$$,
    $$SELECT i, ROW(au, cu, qu, pu, 100 * cu / au, 100 * qu / au, 100 * pu / au)::cqs.ratios::text
        FROM (SELECT i,
                     coalesce(sum(a * k) FILTER (WHERE o) OVER w, 0) AS au,
                     sum(coalesce(c, 0) * k) OVER w AS cu,
                     sum(coalesce(c, 0) * k * (1 - 0.25 * least(coalesce(q, 0), 4))) OVER w AS qu,
                     sum(coalesce(c, 0) * k * (1 - 0.25 * least(coalesce(l, 0), 4))) OVER w AS pu
                FROM cqs_test_errors_lines WHERE grp = 2
              WINDOW w AS (ORDER BY i)) AS s
       ORDER BY i$$,
    'task_ratios as a running window aggregate equals running NUMERIC sums, across the switch to NUMERIC');

-- Partial aggregation: combine, serial and deserial carry both kinds of
-- state (fast path and NUMERIC).  Partitionwise aggregation makes the
-- planner aggregate each partition separately and combine the partial states
-- (serialised) deterministically, without parallel workers.
CREATE FUNCTION pg_temp.cqs_test_errors_plan(query text) RETURNS SETOF text
LANGUAGE plpgsql AS $f$
BEGIN
  RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || query;
END
$f$;
CREATE TABLE cqs_test_errors_parts (
  p int, grp int, i int, a numeric, c numeric, k numeric, q int, l int, o boolean)
  PARTITION BY LIST (p);
CREATE TABLE cqs_test_errors_parts_1 PARTITION OF cqs_test_errors_parts FOR VALUES IN (1);
CREATE TABLE cqs_test_errors_parts_2 PARTITION OF cqs_test_errors_parts FOR VALUES IN (2);
CREATE TABLE cqs_test_errors_parts_3 PARTITION OF cqs_test_errors_parts FOR VALUES IN (3);
INSERT INTO cqs_test_errors_parts
SELECT p, grp, n,
       CASE WHEN grp = 2 AND p = 2 THEN 1e40 + n                -- 2: one partition in NUMERIC
            WHEN grp IN (3, 6) THEN 1e30 + n                    -- 3, 6: NUMERIC everywhere
            WHEN grp = 4 THEN 4e35                              -- 4: partition sums fit, their total does not
            ELSE round(n / 7.0, 2) END,
       CASE WHEN grp = 4 THEN 1 WHEN n % 11 = 0 THEN NULL ELSE round(n / 9.0, 1) END,
       CASE WHEN grp IN (3, 6) THEN 1.000000000000000000000000000001
            WHEN grp = 4 THEN 1 ELSE 1 + (n % 7) / 10.0 END,
       CASE WHEN n % 13 = 0 THEN NULL ELSE n % 6 END,
       n % 5,
       n % 4 <> 0
  FROM generate_series(1, 3) AS p, generate_series(1, 6) AS grp, generate_series(1, 200) AS n
 WHERE (grp <> 5 OR p = 2)                                     -- 5: one partition only (fast path)
   AND (grp <> 6 OR p = 3);                                    -- 6: one partition only (NUMERIC)
ANALYZE cqs_test_errors_parts;
CREATE VIEW cqs_test_errors_parts_ref AS
SELECT grp,
       ROW(au, cu, qu, pu,
           CASE WHEN au <> 0 THEN 100 * cu / au END,
           CASE WHEN au <> 0 THEN 100 * qu / au END,
           CASE WHEN au <> 0 THEN 100 * pu / au END)::cqs.ratios::text AS r
  FROM (SELECT grp,
               coalesce(sum(a * k) FILTER (WHERE o), 0) AS au,
               sum(coalesce(c, 0) * k) AS cu,
               sum(coalesce(c, 0) * k * (1 - 0.25 * least(coalesce(q, 0), 4))) AS qu,
               sum(coalesce(c, 0) * k * (1 - 0.25 * least(coalesce(l, 0), 4))) AS pu
          FROM cqs_test_errors_parts GROUP BY grp) AS s;
SET LOCAL enable_partitionwise_aggregate = on;
SET LOCAL max_parallel_workers_per_gather = 0;

SELECT ok(EXISTS (SELECT 1 FROM pg_temp.cqs_test_errors_plan(
              'SELECT grp, cqs.task_ratios(a, c, k, q, l, o) FROM cqs_test_errors_parts GROUP BY grp') AS p
            WHERE p LIKE '%Partial%Aggregate%'),
          'precondition: task_ratios is planned as a partitionwise partial aggregate');
SELECT results_eq(
    $$SELECT grp, cqs.task_ratios(a, c, k, q, l, o)::text FROM cqs_test_errors_parts GROUP BY grp ORDER BY grp$$,
    $$SELECT grp, r FROM cqs_test_errors_parts_ref ORDER BY grp$$,
    'partitionwise task_ratios equals plain NUMERIC (combining fast-path, NUMERIC, mixed and overflowing states)');

-- The same across parallel workers (how many partial states meet depends on
-- the scheduler; the result may not).
INSERT INTO cqs_test_errors_lines
SELECT g % 3 + 100, g,
       CASE WHEN g % 3 = 0 THEN round(g / 7.0, 2)            -- 100: small
            WHEN g % 3 = 1 THEN 1e30 + g                      -- 101: huge
            WHEN g % 997 = 2 THEN 1e40 + g                    -- 102: mostly small, a few huge
            ELSE g % 50 END,
       CASE WHEN g % 11 = 0 THEN NULL ELSE round(g / 9.0, 1) END,
       CASE WHEN g % 3 = 1 THEN 1.000000000000000000000000000001 ELSE 1 + (g % 7) / 10.0 END,
       CASE WHEN g % 13 = 0 THEN NULL ELSE g % 6 END,
       g % 5,
       g % 4 <> 0
  FROM generate_series(1, 30000) AS g;
ANALYZE cqs_test_errors_lines;
SET LOCAL enable_partitionwise_aggregate = off;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_leader_participation = off;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;

SELECT ok(EXISTS (SELECT 1 FROM pg_temp.cqs_test_errors_plan(
              'SELECT grp, cqs.task_ratios(a, c, k, q, l, o) FROM cqs_test_errors_lines WHERE grp >= 100 GROUP BY grp') AS p
            WHERE p LIKE '%Partial%Aggregate%'),
          'precondition: task_ratios is planned as a parallel partial aggregate');
SELECT results_eq(
    $$SELECT grp, cqs.task_ratios(a, c, k, q, l, o)::text FROM cqs_test_errors_lines WHERE grp >= 100 GROUP BY grp ORDER BY grp$$,
    $$SELECT grp, r FROM cqs_test_errors_ref WHERE grp >= 100 ORDER BY grp$$,
    'parallel task_ratios equals plain NUMERIC (fast-path, NUMERIC and mixed partial states)');

SELECT * FROM finish();
ROLLBACK;
