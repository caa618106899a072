/*
 * task_ratios.c -- the cqs.task_ratios aggregate: the three ratios of a
 * civil servant's period from their task lines (Art. 14, Art. 18.1.d,
 * HB ch. VI).
 *
 *   assigned_units = sum(assigned * coef)            over lines counted in G
 *   completed_units = sum(completed * coef)          over all lines
 *   quality_units  = sum(completed * coef * f(q))    f(n) = max(0, 1 - 0.25 n)
 *   progress_units = sum(completed * coef * f(l))    (Art. 14.2.b-c)
 *   a, b, c = 100 * units / assigned_units, NULL when G = 0
 *
 * The state is four exact int128 fixed-point sums (fixeddec.h) whose scales
 * follow NUMERIC's display-scale rules, so the result equals the plain
 * NUMERIC computation of the same formula digit for digit.  f(n) is kept as
 * the integer 100 - 25 n at scale 2, which is exactly NUMERIC's 1 - 0.25 n.
 * Rows that do not fit 128 bits switch the state to NUMERIC sums for the
 * rest of the group; nothing is ever rounded or dropped.
 *
 * cqs.task_ratios_by_quantity is the same aggregate when a deduction concerns
 * only some of a line's products (DOMAIN §3, Art. 14.2.b-c: "of that product"):
 * its fourth and fifth arguments are hit quantities, the sum over counted
 * failures (delays) of the quantity each concerns, and a line keeps
 *
 *   quality_units  += coef * max(0, completed - 0.25 * quality_hits)
 *
 * (likewise progress), at scale max(completed, hits) + 2: the NUMERIC value of
 * GREATEST(completed * 1.00 - 0.25 * hits, 0).  n deductions on the whole line
 * (hits = n * completed) give exactly the first form's value and scale.
 *
 * The state is internal, allocated once in the aggregate context and updated
 * in place; combine/serial/deserial make partial (parallel) aggregation work.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "checks.h"
#include "pg_compat.h"
#include "fixeddec.h"
#include "task_ratios.h"

#define NACC 4
enum
{
	ACC_ASSIGNED,
	ACC_COMPLETED,
	ACC_QUALITY,
	ACC_PROGRESS
};

/* deduction factor f(n) as an integer at scale 2: 100, 75, 50, 25, 0 */
#define FACTOR_SCALE 2
static inline int64
factor_hundredths(int32 n)
{
	return n >= 4 ? 0 : 100 - 25 * (int64) n;
}

typedef struct TaskRatiosState
{
	int64		nrows;
	bool		numeric_mode;	/* sums live in num[] instead of fix[] */
	FixedDec	fix[NACC];
	Numeric		num[NACC];		/* allocated in the aggregate context */
} TaskRatiosState;

/* Argument positions of the transition function (after the state). */
enum
{
	ARG_ASSIGNED = 1,
	ARG_COMPLETED,
	ARG_COEF,
	ARG_QUALITY_DED,
	ARG_LATENESS_DED,
	ARG_COUNTS
};

static MemoryContext
agg_context(FunctionCallInfo fcinfo, const char *fname)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s called in non-aggregate context", fname)));
	return aggcontext;
}

static TaskRatiosState *
state_new(MemoryContext aggcontext)
{
	TaskRatiosState *st = MemoryContextAllocZero(aggcontext,
												 sizeof(TaskRatiosState));

	return st;
}

/* Switch a state from fixed point to NUMERIC sums, keeping its value. */
static void
state_to_numeric(TaskRatiosState *st, MemoryContext aggcontext)
{
	MemoryContext old;

	if (st->numeric_mode)
		return;
	old = MemoryContextSwitchTo(aggcontext);
	for (int i = 0; i < NACC; i++)
		st->num[i] = FixedDecToNumeric(st->fix[i]);
	MemoryContextSwitchTo(old);
	st->numeric_mode = true;
}

/* st->num[i] += x, the new sum living in aggcontext. */
static void
numeric_acc_add(TaskRatiosState *st, int i, Numeric x, MemoryContext aggcontext)
{
	Numeric		sum = cqs_numeric_add(st->num[i], x);
	Numeric		old = st->num[i];

	st->num[i] = (Numeric) MemoryContextAlloc(aggcontext, VARSIZE(sum));
	memcpy(st->num[i], sum, VARSIZE(sum));
	pfree(old);
}

/*
 * Read one numeric argument: reject NULL (when required), NaN, infinity and
 * negative values with 22023, and decode it to fixed point when possible.
 * Returns true when *fd holds the value; false when only NUMERIC will do.
 */
static bool
read_quantity(FunctionCallInfo fcinfo, int argno, const char *argname,
			  bool must_be_positive, FixedDec *fd, struct varlena **raw)
{
	struct varlena *v = (struct varlena *) PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(argno));
	NumericKind kind;
	bool		negative;
	bool		fits = FixedDecFromNumeric(v, fd, &kind, &negative);

	*raw = v;
	if (kind != NUMKIND_FINITE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite number, got %s", argname,
						kind == NUMKIND_NAN ? "NaN" :
						kind == NUMKIND_PINF ? "Infinity" : "-Infinity")));
	if (negative || (must_be_positive && fits && fd->value == 0))
	{
		Numeric		n = DatumGetNumeric(PointerGetDatum(pg_detoast_datum(v)));

		if (must_be_positive)
			CheckPositive(argname, n);
		else
			CheckNonNegative(argname, n);
	}
	if (!fits && must_be_positive)
		CheckPositive(argname, DatumGetNumeric(PointerGetDatum(pg_detoast_datum(v))));
	return fits;
}

static void
require_not_null(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be NULL", argname),
				 errhint("Every task line needs an assigned quantity, a coefficient and counts_in_assigned; "
						 "no line is skipped silently (Art. 14, 18.1.d).")));
}

static int32
read_deductions(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	int32		n;

	if (PG_ARGISNULL(argno))
		return 0;
	n = PG_GETARG_INT32(argno);
	CheckDeductions(argname, n);
	return n;
}

/* The NUMERIC path for one row: used once a group left fixed point. */
static void
add_row_numeric(TaskRatiosState *st, MemoryContext aggcontext,
				struct varlena *assigned, struct varlena *completed,
				struct varlena *coef, int32 qded, int32 lded, bool counts)
{
	Numeric		c = DatumGetNumeric(PointerGetDatum(pg_detoast_datum(coef)));
	Numeric		done;

	if (counts)
	{
		Numeric		a = DatumGetNumeric(PointerGetDatum(pg_detoast_datum(assigned)));

		numeric_acc_add(st, ACC_ASSIGNED, cqs_numeric_mul(a, c), aggcontext);
	}
	if (completed == NULL)
		done = cqs_numeric_mul(int64_to_numeric(0), c);
	else
		done = cqs_numeric_mul(DatumGetNumeric(PointerGetDatum(pg_detoast_datum(completed))),
									 c);
	numeric_acc_add(st, ACC_COMPLETED, done, aggcontext);
	numeric_acc_add(st, ACC_QUALITY,
					cqs_numeric_mul(done,
										  int64_div_fast_to_numeric(factor_hundredths(qded), FACTOR_SCALE)),
					aggcontext);
	numeric_acc_add(st, ACC_PROGRESS,
					cqs_numeric_mul(done,
										  int64_div_fast_to_numeric(factor_hundredths(lded), FACTOR_SCALE)),
					aggcontext);
}

/* The fixed-point path for one row; false (state untouched) if it overflows. */
static bool
add_row_fixed(TaskRatiosState *st, FixedDec assigned, FixedDec completed,
			  FixedDec coef, int32 qded, int32 lded, bool counts)
{
	FixedDec	next[NACC];
	FixedDec	term;
	FixedDec	done;

	memcpy(next, st->fix, sizeof(next));
	if (counts)
	{
		if (!FixedDecMul(assigned, coef, &term) || !FixedDecAdd(&next[ACC_ASSIGNED], term))
			return false;
	}
	if (!FixedDecMul(completed, coef, &done) || !FixedDecAdd(&next[ACC_COMPLETED], done))
		return false;
	done.scale += FACTOR_SCALE;
	if (done.scale > FIXEDDEC_MAX_SCALE)
		return false;
	if (!FixedDecMulInt(done, factor_hundredths(qded), &term) ||
		!FixedDecAdd(&next[ACC_QUALITY], term))
		return false;
	if (!FixedDecMulInt(done, factor_hundredths(lded), &term) ||
		!FixedDecAdd(&next[ACC_PROGRESS], term))
		return false;
	memcpy(st->fix, next, sizeof(next));
	return true;
}

PG_FUNCTION_INFO_V1(task_ratios_transfn);
Datum
task_ratios_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = agg_context(fcinfo, "task_ratios_transfn");
	TaskRatiosState *st;
	FixedDec	assigned,
				completed,
				coef;
	struct varlena *raw_assigned,
			   *raw_completed = NULL,
			   *raw_coef;
	bool		fits;
	int32		qded,
				lded;
	bool		counts;

	require_not_null(fcinfo, ARG_ASSIGNED, "assigned_qty");
	require_not_null(fcinfo, ARG_COEF, "coefficient");
	require_not_null(fcinfo, ARG_COUNTS, "counts_in_assigned");

	fits = read_quantity(fcinfo, ARG_ASSIGNED, "assigned_qty", false,
						 &assigned, &raw_assigned);
	fits &= read_quantity(fcinfo, ARG_COEF, "coefficient", true,
						  &coef, &raw_coef);
	if (PG_ARGISNULL(ARG_COMPLETED))
	{
		/* a NULL completed quantity counts as 0 (nothing delivered yet) */
		completed.value = 0;
		completed.scale = 0;
	}
	else
		fits &= read_quantity(fcinfo, ARG_COMPLETED, "completed_qty", false,
							  &completed, &raw_completed);
	qded = read_deductions(fcinfo, ARG_QUALITY_DED, "quality_deductions");
	lded = read_deductions(fcinfo, ARG_LATENESS_DED, "lateness_deductions");
	counts = PG_GETARG_BOOL(ARG_COUNTS);

	if (PG_ARGISNULL(0))
		st = state_new(aggcontext);
	else
		st = (TaskRatiosState *) PG_GETARG_POINTER(0);

	if (st->numeric_mode ||
		!fits ||
		!add_row_fixed(st, assigned, completed, coef, qded, lded, counts))
	{
		state_to_numeric(st, aggcontext);
		add_row_numeric(st, aggcontext, raw_assigned, raw_completed, raw_coef,
						qded, lded, counts);
	}
	st->nrows++;

	PG_RETURN_POINTER(st);
}

/*
 * Kept share of a line's products under hit quantities: max(0, completed -
 * 0.25 hits) at scale max(completed.scale, hits.scale) + 2 (fixed point);
 * false when it does not fit.
 */
static bool
kept_fixed(FixedDec completed, FixedDec hits, FixedDec *kept)
{
	FixedDec	lost;

	if (completed.scale + FACTOR_SCALE > FIXEDDEC_MAX_SCALE ||
		hits.scale + FACTOR_SCALE > FIXEDDEC_MAX_SCALE)
		return false;
	/* completed * 1.00 and hits * 0.25, both at their scale + 2 */
	if (!FixedDecMulInt(completed, 100, kept) || !FixedDecMulInt(hits, -25, &lost))
		return false;
	kept->scale += FACTOR_SCALE;
	lost.scale += FACTOR_SCALE;
	if (!FixedDecAdd(kept, lost))
		return false;
	if (kept->value < 0)
		kept->value = 0;
	return true;
}

/* The NUMERIC form of kept_fixed. */
static Numeric
kept_numeric(Numeric completed, Numeric hits)
{
	Numeric		kept = cqs_numeric_sub(
											 cqs_numeric_mul(completed, int64_div_fast_to_numeric(100, FACTOR_SCALE)),
											 cqs_numeric_mul(hits, int64_div_fast_to_numeric(25, FACTOR_SCALE)));

	if (CqsNumericCmpInt(kept, 0) < 0)
		kept = cqs_numeric_sub(kept, kept);	/* 0 at the same scale */
	return kept;
}

static Numeric
zero_numeric(void)
{
	return int64_to_numeric(0);
}

/* One row of the by-quantity form, NUMERIC path. */
static void
add_row_hits_numeric(TaskRatiosState *st, MemoryContext aggcontext,
					 struct varlena *assigned, struct varlena *completed,
					 struct varlena *coef, struct varlena *qhits,
					 struct varlena *lhits, bool counts)
{
	Numeric		c = DatumGetNumeric(PointerGetDatum(pg_detoast_datum(coef)));
	Numeric		done = completed == NULL ? zero_numeric() :
		DatumGetNumeric(PointerGetDatum(pg_detoast_datum(completed)));
	Numeric		q = qhits == NULL ? zero_numeric() :
		DatumGetNumeric(PointerGetDatum(pg_detoast_datum(qhits)));
	Numeric		l = lhits == NULL ? zero_numeric() :
		DatumGetNumeric(PointerGetDatum(pg_detoast_datum(lhits)));

	if (counts)
	{
		Numeric		a = DatumGetNumeric(PointerGetDatum(pg_detoast_datum(assigned)));

		numeric_acc_add(st, ACC_ASSIGNED, cqs_numeric_mul(a, c), aggcontext);
	}
	numeric_acc_add(st, ACC_COMPLETED, cqs_numeric_mul(done, c), aggcontext);
	numeric_acc_add(st, ACC_QUALITY, cqs_numeric_mul(kept_numeric(done, q), c), aggcontext);
	numeric_acc_add(st, ACC_PROGRESS, cqs_numeric_mul(kept_numeric(done, l), c), aggcontext);
}

/* One row of the by-quantity form, fixed point; false (state untouched) if it overflows. */
static bool
add_row_hits_fixed(TaskRatiosState *st, FixedDec assigned, FixedDec completed,
				   FixedDec coef, FixedDec qhits, FixedDec lhits, bool counts)
{
	FixedDec	next[NACC];
	FixedDec	term;
	FixedDec	kept;

	memcpy(next, st->fix, sizeof(next));
	if (counts)
	{
		if (!FixedDecMul(assigned, coef, &term) || !FixedDecAdd(&next[ACC_ASSIGNED], term))
			return false;
	}
	if (!FixedDecMul(completed, coef, &term) || !FixedDecAdd(&next[ACC_COMPLETED], term))
		return false;
	if (!kept_fixed(completed, qhits, &kept) || !FixedDecMul(kept, coef, &term) ||
		!FixedDecAdd(&next[ACC_QUALITY], term))
		return false;
	if (!kept_fixed(completed, lhits, &kept) || !FixedDecMul(kept, coef, &term) ||
		!FixedDecAdd(&next[ACC_PROGRESS], term))
		return false;
	memcpy(st->fix, next, sizeof(next));
	return true;
}

/* A hit quantity: NULL is 0; otherwise finite and non-negative (22023). */
static bool
read_hits(FunctionCallInfo fcinfo, int argno, const char *argname,
		  FixedDec *fd, struct varlena **raw)
{
	if (PG_ARGISNULL(argno))
	{
		fd->value = 0;
		fd->scale = 0;
		*raw = NULL;
		return true;
	}
	return read_quantity(fcinfo, argno, argname, false, fd, raw);
}

PG_FUNCTION_INFO_V1(task_ratios_hits_transfn);
Datum
task_ratios_hits_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = agg_context(fcinfo, "task_ratios_hits_transfn");
	TaskRatiosState *st;
	FixedDec	assigned,
				completed,
				coef,
				qhits,
				lhits;
	struct varlena *raw_assigned,
			   *raw_completed = NULL,
			   *raw_coef,
			   *raw_qhits,
			   *raw_lhits;
	bool		fits;
	bool		counts;

	require_not_null(fcinfo, ARG_ASSIGNED, "assigned_qty");
	require_not_null(fcinfo, ARG_COEF, "coefficient");
	require_not_null(fcinfo, ARG_COUNTS, "counts_in_assigned");

	fits = read_quantity(fcinfo, ARG_ASSIGNED, "assigned_qty", false,
						 &assigned, &raw_assigned);
	fits &= read_quantity(fcinfo, ARG_COEF, "coefficient", true,
						  &coef, &raw_coef);
	if (PG_ARGISNULL(ARG_COMPLETED))
	{
		completed.value = 0;
		completed.scale = 0;
	}
	else
		fits &= read_quantity(fcinfo, ARG_COMPLETED, "completed_qty", false,
							  &completed, &raw_completed);
	fits &= read_hits(fcinfo, ARG_QUALITY_DED, "quality_hit_qty", &qhits, &raw_qhits);
	fits &= read_hits(fcinfo, ARG_LATENESS_DED, "lateness_hit_qty", &lhits, &raw_lhits);
	counts = PG_GETARG_BOOL(ARG_COUNTS);

	if (PG_ARGISNULL(0))
		st = state_new(aggcontext);
	else
		st = (TaskRatiosState *) PG_GETARG_POINTER(0);

	if (st->numeric_mode ||
		!fits ||
		!add_row_hits_fixed(st, assigned, completed, coef, qhits, lhits, counts))
	{
		state_to_numeric(st, aggcontext);
		add_row_hits_numeric(st, aggcontext, raw_assigned, raw_completed, raw_coef,
							 raw_qhits, raw_lhits, counts);
	}
	st->nrows++;

	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(task_ratios_combinefn);
Datum
task_ratios_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = agg_context(fcinfo, "task_ratios_combinefn");
	TaskRatiosState *st1 = PG_ARGISNULL(0) ? NULL : (TaskRatiosState *) PG_GETARG_POINTER(0);
	TaskRatiosState *st2 = PG_ARGISNULL(1) ? NULL : (TaskRatiosState *) PG_GETARG_POINTER(1);

	if (st2 == NULL)
	{
		if (st1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(st1);
	}
	if (st1 == NULL)
	{
		st1 = state_new(aggcontext);
		st1->nrows = st2->nrows;
		if (st2->numeric_mode)
		{
			MemoryContext old = MemoryContextSwitchTo(aggcontext);

			for (int i = 0; i < NACC; i++)
				st1->num[i] = DatumGetNumericCopy(NumericGetDatum(st2->num[i]));
			MemoryContextSwitchTo(old);
			st1->numeric_mode = true;
		}
		else
			memcpy(st1->fix, st2->fix, sizeof(st1->fix));
		PG_RETURN_POINTER(st1);
	}

	if (!st1->numeric_mode && !st2->numeric_mode)
	{
		FixedDec	next[NACC];
		bool		ok = true;

		memcpy(next, st1->fix, sizeof(next));
		for (int i = 0; i < NACC && ok; i++)
			ok = FixedDecAdd(&next[i], st2->fix[i]);
		if (ok)
		{
			memcpy(st1->fix, next, sizeof(next));
			st1->nrows += st2->nrows;
			PG_RETURN_POINTER(st1);
		}
	}

	state_to_numeric(st1, aggcontext);
	for (int i = 0; i < NACC; i++)
		numeric_acc_add(st1, i,
						st2->numeric_mode ? st2->num[i] : FixedDecToNumeric(st2->fix[i]),
						aggcontext);
	st1->nrows += st2->nrows;
	PG_RETURN_POINTER(st1);
}

/*
 * Serial format: int64 nrows, byte mode, then per sum either
 * (int32 scale, int64 high, uint64 low) or (int32 length, NUMERIC bytes).
 */
PG_FUNCTION_INFO_V1(task_ratios_serialfn);
Datum
task_ratios_serialfn(PG_FUNCTION_ARGS)
{
	TaskRatiosState *st = (TaskRatiosState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	agg_context(fcinfo, "task_ratios_serialfn");
	pq_begintypsend(&buf);
	pq_sendint64(&buf, st->nrows);
	pq_sendbyte(&buf, st->numeric_mode ? 1 : 0);
	for (int i = 0; i < NACC; i++)
	{
		if (st->numeric_mode)
		{
			pq_sendint32(&buf, VARSIZE(st->num[i]));
			pq_sendbytes(&buf, (char *) st->num[i], VARSIZE(st->num[i]));
		}
		else
		{
			uint128		v = (uint128) st->fix[i].value;

			pq_sendint32(&buf, st->fix[i].scale);
			pq_sendint64(&buf, (uint64) (v >> 64));
			pq_sendint64(&buf, (uint64) v);
		}
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(task_ratios_deserialfn);
Datum
task_ratios_deserialfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = agg_context(fcinfo, "task_ratios_deserialfn");
	bytea	   *sstate = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	TaskRatiosState *st = state_new(aggcontext);

	/* read the bytes in place; pq_getmsg* copy out with memcpy */
	buf.data = VARDATA_ANY(sstate);
	buf.len = VARSIZE_ANY_EXHDR(sstate);
	buf.maxlen = 0;
	buf.cursor = 0;
	st->nrows = pq_getmsgint64(&buf);
	st->numeric_mode = pq_getmsgbyte(&buf) != 0;
	for (int i = 0; i < NACC; i++)
	{
		if (st->numeric_mode)
		{
			int32		len = pq_getmsgint(&buf, 4);

			st->num[i] = (Numeric) MemoryContextAlloc(aggcontext, len);
			pq_copymsgbytes(&buf, (char *) st->num[i], len);
		}
		else
		{
			uint64		hi,
						lo;

			st->fix[i].scale = pq_getmsgint(&buf, 4);
			hi = pq_getmsgint64(&buf);
			lo = pq_getmsgint64(&buf);
			st->fix[i].value = (int128) (((uint128) hi << 64) | lo);
		}
	}
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(st);
}

/* 100 * units / assigned, exactly as NUMERIC computes it */
static Numeric
ratio(Numeric units, Numeric assigned, Numeric hundred)
{
	return cqs_numeric_div(cqs_numeric_mul(hundred, units),
								 assigned);
}

PG_FUNCTION_INFO_V1(task_ratios_finalfn);
Datum
task_ratios_finalfn(PG_FUNCTION_ARGS)
{
	TaskRatiosState *st;
	TupleDesc	tupdesc;
	Datum		values[7];
	bool		nulls[7] = {false};
	Numeric		units[NACC];

	agg_context(fcinfo, "task_ratios_finalfn");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();		/* no rows: no ratios */
	st = (TaskRatiosState *) PG_GETARG_POINTER(0);

	/* the result row descriptor is looked up once per query */
	tupdesc = (TupleDesc) fcinfo->flinfo->fn_extra;
	if (tupdesc == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("task_ratios_finalfn must return cqs.ratios")));
		tupdesc = BlessTupleDesc(CreateTupleDescCopy(tupdesc));
		fcinfo->flinfo->fn_extra = tupdesc;
		MemoryContextSwitchTo(old);
	}

	for (int i = 0; i < NACC; i++)
	{
		units[i] = st->numeric_mode ? st->num[i] : FixedDecToNumeric(st->fix[i]);
		values[i] = NumericGetDatum(units[i]);
	}

	/* Art. 18.1.d: G = 0 means the criterion cannot be evaluated */
	if (CqsNumericCmpInt(units[ACC_ASSIGNED], 0) == 0)
	{
		nulls[4] = nulls[5] = nulls[6] = true;
	}
	else
	{
		Numeric		hundred = int64_to_numeric(100);

		values[4] = NumericGetDatum(ratio(units[ACC_COMPLETED], units[ACC_ASSIGNED], hundred));
		values[5] = NumericGetDatum(ratio(units[ACC_QUALITY], units[ACC_ASSIGNED], hundred));
		values[6] = NumericGetDatum(ratio(units[ACC_PROGRESS], units[ACC_ASSIGNED], hundred));
	}

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
