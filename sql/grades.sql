-- Art. 20: grade boundaries, labels in both languages, overrides and the quota.
SELECT t AS total, cqs.classify(t) AS grade
  FROM unnest(ARRAY[0, 49.99, 50, 69.99, 70, 89.99, 90, 100]::numeric[]) AS t;

-- The recorded (rounded) total decides: 89.99504 rounds to 90.00 (xuat_sac), 89.99497 to 89.99 (tot).
SELECT ts, cqs.period_total(30, ts) AS total,
       cqs.classify(cqs.period_total(30, ts)) AS grade
  FROM unnest(ARRAY[85.7072, 85.7071]) AS ts;

-- Art. 20.4: an override forces khong_hoan_thanh whatever the score.
SELECT cqs.classify(95, true) AS disqualified, cqs.classify(95, false) AS not_disqualified;

-- Enum order follows the decree, so max()/comparisons work.
SELECT 'xuat_sac'::cqs.grade > 'tot'::cqs.grade AS ordered,
       max(g) AS best, min(g) AS worst
  FROM unnest(enum_range(NULL::cqs.grade)) AS g;

-- Every label, both languages (Art. 20.1-4).
SELECT g, cqs.grade_label(g) AS vi, cqs.grade_label(g, 'en') AS en
  FROM unnest(enum_range(NULL::cqs.grade)) AS g;

-- Art. 20.5 quota.  Base 'good' (losers become tot): k <= 0.2 (good + candidates - k).
SELECT good, candidates,
       cqs.excellent_quota(good, candidates) AS k_good,
       cqs.excellent_quota(good, candidates, 0.25) AS k_good_25,
       cqs.excellent_quota(good, candidates, 0.20, 'good_or_better') AS k_good_or_better
  FROM (VALUES (0, 0), (0, 1), (4, 1), (5, 1), (10, 0), (10, 2), (10, 3), (10, 5),
               (20, 4), (20, 5), (100, 30), (7, 100)) AS v(good, candidates)
 ORDER BY good, candidates;

-- The quota is the largest k that satisfies the rule, checked by brute force.
SELECT count(*) AS mismatches
  FROM generate_series(0, 60) AS good,
       generate_series(0, 30) AS cand,
       (VALUES (0.20), (0.25), (0.15), (0.21)) AS r(rate)
 WHERE cqs.excellent_quota(good, cand, rate) <>
         (SELECT max(k) FROM generate_series(0, cand) AS k
           WHERE k <= rate * (good + cand - k))
    OR cqs.excellent_quota(good, cand, rate, 'good_or_better') <>
         (SELECT max(k) FROM generate_series(0, cand) AS k
           WHERE k <= rate * (good + cand));
