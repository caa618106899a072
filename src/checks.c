/*
 * checks.c -- argument validation and small NUMERIC helpers.
 *
 * Every user-caused error raised from here carries SQLSTATE 22023
 * (invalid_parameter_value) and names both the argument and its value.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "checks.h"

Numeric
CqsNumericFromInt(int64 value)
{
	return int64_to_numeric(value);
}

int
CqsNumericCmp(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp,
											 NumericGetDatum(a),
											 NumericGetDatum(b)));
}

int
CqsNumericCmpInt(Numeric a, int64 b)
{
	return CqsNumericCmp(a, int64_to_numeric(b));
}

char *
CqsNumericText(Numeric num)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out,
											   NumericGetDatum(num)));
}

void
CheckFinite(const char *argname, Numeric value)
{
	if (numeric_is_nan(value) || numeric_is_inf(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite number, got %s",
						argname, CqsNumericText(value))));
}

void
CheckNonNegative(const char *argname, Numeric value)
{
	CheckFinite(argname, value);
	if (CqsNumericCmpInt(value, 0) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative, got %s",
						argname, CqsNumericText(value))));
}

void
CheckPositive(const char *argname, Numeric value)
{
	CheckFinite(argname, value);
	if (CqsNumericCmpInt(value, 0) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be greater than zero, got %s",
						argname, CqsNumericText(value))));
}

void
CheckBetween(const char *argname, Numeric value, int64 low, int64 high)
{
	CheckFinite(argname, value);
	if (CqsNumericCmpInt(value, low) < 0 || CqsNumericCmpInt(value, high) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be between " INT64_FORMAT " and " INT64_FORMAT ", got %s",
						argname, low, high, CqsNumericText(value))));
}

void
CheckDeductions(const char *argname, int32 value)
{
	if (value < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative, got %d", argname, value),
				 errhint("A deduction count is the number of failed reviews or late units (Art. 14.2.b-c).")));
}

/* Art. 15.3: d, dd and e are scored 100 or 50, nothing else. */
void
CheckLeaderTerm(const char *argname, Numeric value)
{
	CheckFinite(argname, value);
	if (CqsNumericCmpInt(value, 100) != 0 && CqsNumericCmpInt(value, 50) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be 100 or 50, got %s",
						argname, CqsNumericText(value)),
				 errhint("Art. 15.3 scores the leader criteria d, dd and e as 100 or 50 only.")));
}

CqsCapMode
ParseCapMode(text *cap)
{
	char	   *word = text_to_cstring(cap);

	if (strcmp(word, "total") == 0)
		return CQS_CAP_TOTAL;
	if (strcmp(word, "each") == 0)
		return CQS_CAP_EACH;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("cap must be 'total' or 'each', got '%s'", word),
			 errhint("'total' caps the task score at 100%%; 'each' caps a, b and c at 100%% before the mean (Art. 12.3).")));
	return CQS_CAP_TOTAL;		/* keep compiler quiet */
}
