/*
 * scores.c -- conversions and period scores.
 *
 *   coefficient        item points / standard points (Art. 13, HB ch. II)
 *   converted          quantity * coefficient (HB ch. II)
 *   deduction_factor   max(0, 1 - 0.25 n) (Art. 14.2.b-c)
 *   task_score         (a + b + c) / 3 with the cap (Art. 16.1, 12.3)
 *   leader_task_score  (a + b + c + d + dd + e) / 6 (Art. 15.3, 16.2)
 *   period_total       round(general + task_score * 0.7) (Art. 17.1)
 *   support_staff_score mean of three percentages (HB ch. III)
 *
 * Everything is NUMERIC arithmetic, so each function returns exactly what
 * the same formula written in SQL returns.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "checks.h"
#include "pg_compat.h"

static Numeric
num_add(Numeric a, Numeric b)
{
	return cqs_numeric_add(a, b);
}

static Numeric
num_div_int(Numeric a, int64 b)
{
	return cqs_numeric_div(a, int64_to_numeric(b));
}

/* least(x, 100), returning the literal 100 when capped, as SQL would */
static Numeric
cap100(Numeric x)
{
	Numeric		hundred = int64_to_numeric(100);

	return CqsNumericCmp(x, hundred) > 0 ? hundred : x;
}

PG_FUNCTION_INFO_V1(coefficient);
Datum
coefficient(PG_FUNCTION_ARGS)
{
	Numeric		item = PG_GETARG_NUMERIC(0);
	Numeric		standard = PG_GETARG_NUMERIC(1);

	CheckNonNegative("item_points", item);
	CheckPositive("standard_points", standard);
	PG_RETURN_NUMERIC(cqs_numeric_div(item, standard));
}

PG_FUNCTION_INFO_V1(converted);
Datum
converted(PG_FUNCTION_ARGS)
{
	Numeric		quantity = PG_GETARG_NUMERIC(0);
	Numeric		coef = PG_GETARG_NUMERIC(1);

	CheckNonNegative("quantity", quantity);
	CheckPositive("coefficient", coef);
	PG_RETURN_NUMERIC(cqs_numeric_mul(quantity, coef));
}

/* f(n) = max(0, 1 - 0.25 n), always with two decimals (1.00, 0.75, ..., 0.00) */
PG_FUNCTION_INFO_V1(deduction_factor);
Datum
deduction_factor(PG_FUNCTION_ARGS)
{
	int32		n = PG_GETARG_INT32(0);

	CheckDeductions("deductions", n);
	PG_RETURN_NUMERIC(int64_div_fast_to_numeric(n >= 4 ? 0 : 100 - 25 * (int64) n, 2));
}

static Numeric
capped_mean(Numeric *terms, int nterms, int ncapped_each, CqsCapMode mode)
{
	Numeric		sum = NULL;

	for (int i = 0; i < nterms; i++)
	{
		Numeric		t = (mode == CQS_CAP_EACH && i < ncapped_each) ? cap100(terms[i]) : terms[i];

		sum = sum ? num_add(sum, t) : t;
	}
	sum = num_div_int(sum, nterms);
	return mode == CQS_CAP_TOTAL ? cap100(sum) : sum;
}

PG_FUNCTION_INFO_V1(task_score);
Datum
task_score(PG_FUNCTION_ARGS)
{
	static const char *const names[] = {"a", "b", "c"};
	Numeric		terms[3];
	CqsCapMode	mode = ParseCapMode(PG_GETARG_TEXT_PP(3));

	for (int i = 0; i < 3; i++)
	{
		terms[i] = PG_GETARG_NUMERIC(i);
		CheckNonNegative(names[i], terms[i]);
	}
	PG_RETURN_NUMERIC(capped_mean(terms, 3, 3, mode));
}

PG_FUNCTION_INFO_V1(leader_task_score);
Datum
leader_task_score(PG_FUNCTION_ARGS)
{
	static const char *const names[] = {"a", "b", "c", "d", "dd", "e"};
	Numeric		terms[6];
	CqsCapMode	mode = ParseCapMode(PG_GETARG_TEXT_PP(6));

	for (int i = 0; i < 6; i++)
	{
		terms[i] = PG_GETARG_NUMERIC(i);
		if (i < 3)
			CheckNonNegative(names[i], terms[i]);
		else
			CheckLeaderTerm(names[i], terms[i]);	/* Art. 15.3 */
	}
	PG_RETURN_NUMERIC(capped_mean(terms, 6, 3, mode));
}

PG_FUNCTION_INFO_V1(period_total);
Datum
period_total(PG_FUNCTION_ARGS)
{
	Numeric		general = PG_GETARG_NUMERIC(0);
	Numeric		score = PG_GETARG_NUMERIC(1);
	int32		decimals = PG_GETARG_INT32(2);
	Numeric		total;

	CheckBetween("general", general, 0, 30);
	CheckBetween("task_score", score, 0, 100);
	if (decimals < 0 || decimals > 4)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("decimals must be between 0 and 4, got %d", decimals)));

	/* Art. 17.1: general + task score x 70%; positive, so round() is half-up */
	total = num_add(general,
					cqs_numeric_mul(score, int64_div_fast_to_numeric(7, 1)));
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_round,
										NumericGetDatum(total),
										Int32GetDatum(decimals)));
}

PG_FUNCTION_INFO_V1(support_staff_score);
Datum
support_staff_score(PG_FUNCTION_ARGS)
{
	static const char *const names[] = {"quality", "compliance", "efficiency"};
	Numeric		sum = NULL;

	for (int i = 0; i < 3; i++)
	{
		Numeric		x = PG_GETARG_NUMERIC(i);

		CheckBetween(names[i], x, 0, 100);
		sum = sum ? num_add(sum, x) : x;
	}
	PG_RETURN_NUMERIC(num_div_int(sum, 3));
}
