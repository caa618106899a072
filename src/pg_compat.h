/*
 * pg_compat.h -- the few PostgreSQL server APIs cqs_eval uses whose names or
 * signatures differ between major versions.  Built and tested on PostgreSQL 15
 * only (Debian 12); the mappings below follow the server headers of later
 * versions so that the C code compiles unchanged there.
 *
 * NUMERIC arithmetic: PostgreSQL 12-18 export numeric_{add,sub,mul,div}_opt_error
 * (Numeric, Numeric, bool *have_error); PostgreSQL 19 renames them
 * numeric_{add,sub,mul,div}_safe(Numeric, Numeric, Node *escontext).  cqs_eval
 * always wants an ordinary error on overflow or division by zero (NULL for
 * have_error / escontext), so one macro per operation covers both.
 */
#ifndef CQS_PG_COMPAT_H
#define CQS_PG_COMPAT_H

#include "postgres.h"
#include "utils/numeric.h"

#if PG_VERSION_NUM < 150000
#error "cqs_eval needs PostgreSQL 15 or later"
#endif

#if PG_VERSION_NUM >= 190000
#define cqs_numeric_add(a, b)	numeric_add_safe((a), (b), NULL)
#define cqs_numeric_sub(a, b)	numeric_sub_safe((a), (b), NULL)
#define cqs_numeric_mul(a, b)	numeric_mul_safe((a), (b), NULL)
#define cqs_numeric_div(a, b)	numeric_div_safe((a), (b), NULL)
#else
#define cqs_numeric_add(a, b)	numeric_add_opt_error((a), (b), NULL)
#define cqs_numeric_sub(a, b)	numeric_sub_opt_error((a), (b), NULL)
#define cqs_numeric_mul(a, b)	numeric_mul_opt_error((a), (b), NULL)
#define cqs_numeric_div(a, b)	numeric_div_opt_error((a), (b), NULL)
#endif

#endif							/* CQS_PG_COMPAT_H */
