-- Scalar scores: conversions, caps, period totals, support staff.

-- HB ch. II: coefficient = item points / standard points (standard 5 points).
SELECT cqs.coefficient(5, 5) AS standard, cqs.coefficient(13.5, 5) AS reply,
       cqs.coefficient(18.5, 5) AS report, cqs.coefficient(40, 5) AS range_low,
       cqs.coefficient(80, 5) AS range_high, cqs.coefficient(10, 3) AS third;
SELECT cqs.converted(0.8, 3.7) AS partial_report, cqs.converted(0, 2.7) AS nothing;

-- f(n) = max(0, 1 - 0.25 n), Art. 14.2.b-c.
SELECT n, cqs.deduction_factor(n) FROM generate_series(0, 6) AS n;

-- Art. 12.3 / 16.1: 'total' caps the mean; 'each' caps every ratio first.
SELECT cqs.task_score(150, 90, 90) AS total_cap,
       cqs.task_score(150, 90, 90, 'each') AS each_cap,
       cqs.task_score(150, 150, 150) AS over_total,
       cqs.task_score(150, 150, 150, 'each') AS over_each,
       cqs.task_score(0, 0, 0) AS zero;

-- Leaders, Art. 15.3: (a + b + c + d + dd + e) / 6.
SELECT cqs.leader_task_score(100, 100, 100, 100, 100, 100) AS perfect,
       cqs.leader_task_score(120, 120, 120, 50, 100, 100) AS total_cap,
       cqs.leader_task_score(120, 120, 120, 50, 100, 100, 'each') AS each_cap,
       cqs.leader_task_score(60, 60, 60, 50.0, 50, 50) AS all_fifty;

-- Art. 17.1: general + KQ x 70%, rounded half-up; decimals is a policy.
SELECT cqs.period_total(30, 100) AS max_total,
       cqs.period_total(0, 0) AS min_total,
       cqs.period_total(25.5, 66.7163) AS two_dp,
       cqs.period_total(25.5, 66.7163, 0) AS zero_dp,
       cqs.period_total(25.5, 66.7163, 4) AS four_dp,
       cqs.period_total(20, 64.2857142857) AS half_up;   -- 64.99999999999 -> 65.00

-- HB ch. III: support staff score = mean of three percentages.
SELECT cqs.support_staff_score(90, 80, 70) AS mean, cqs.support_staff_score(100, 100, 95) AS thirds;

-- STRICT: NULL in, NULL out.
SELECT cqs.task_score(NULL, 1, 1) IS NULL AS ts, cqs.period_total(NULL, 1) IS NULL AS pt,
       cqs.classify(NULL) IS NULL AS cl, cqs.coefficient(1, NULL) IS NULL AS co;
