/*
 * checks.h -- argument validation shared by every SQL-callable function.
 *
 * Each Check* helper raises ERRCODE_INVALID_PARAMETER_VALUE (22023) with a
 * message naming the argument and the offending value.  NaN and +-Infinity
 * are rejected everywhere: no rule of Decree 335 has a use for them.
 */
#ifndef CQS_CHECKS_H
#define CQS_CHECKS_H

#include "postgres.h"
#include "utils/numeric.h"

/* Small NUMERIC constants, built on demand (cheap, no catalog access). */
extern Numeric CqsNumericFromInt(int64 value);
extern int	CqsNumericCmp(Numeric a, Numeric b);
extern int	CqsNumericCmpInt(Numeric a, int64 b);
extern char *CqsNumericText(Numeric num);

extern void CheckFinite(const char *argname, Numeric value);
extern void CheckNonNegative(const char *argname, Numeric value);
extern void CheckPositive(const char *argname, Numeric value);
extern void CheckBetween(const char *argname, Numeric value, int64 low, int64 high);
extern void CheckDeductions(const char *argname, int32 value);
extern void CheckLeaderTerm(const char *argname, Numeric value);

/* The two cap modes of Art. 12.3 / 16.1. */
typedef enum CqsCapMode
{
	CQS_CAP_TOTAL,				/* cap the mean at 100 (default) */
	CQS_CAP_EACH				/* cap every ratio at 100 before the mean */
} CqsCapMode;

extern CqsCapMode ParseCapMode(text *cap);

#endif							/* CQS_CHECKS_H */
