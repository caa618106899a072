/*
 * cqs_eval.c -- module entry point.
 *
 * cqs_eval implements Decree 335/2025/ND-CP (evaluation and grading of state
 * agencies and civil servants) inside PostgreSQL.  The SQL-callable C code
 * lives in one file per concern:
 *   checks.c       argument validation (SQLSTATE 22023)
 *   fixeddec.c     exact int128 fixed-point decimals <-> NUMERIC
 *   scores.c       conversions and period scores (Art. 13-17, HB ch. II-III)
 *   grade.c        grades, labels and the excellence quota (Art. 20)
 *   task_ratios.c  the task_ratios aggregate (Art. 14, 18.1.d)
 *   localize.c     stored English notes rendered in Vietnamese (cqs.localize)
 *   csv.c          the CSV reader behind the loaders (issue 10)
 */
#include "postgres.h"

#include "fmgr.h"

PG_MODULE_MAGIC;
