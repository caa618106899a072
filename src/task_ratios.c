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
 * The state is the type cqs.task_ratios_state (below): one varlena that a
 * distributed planner can ship between nodes (text and binary forms), updated
 * in place while aggregating; its combine function makes partial (parallel or
 * distributed) aggregation work.  Until it, the state was internal, with
 * serial/deserial functions; bench/README.md has the comparison of the two.
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

/* The four sums while a row is added the NUMERIC way (see trs_add_row_numeric). */
typedef struct TaskRatiosState
{
	Numeric		num[NACC];
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

/* st->num[i] += x, the new sum allocated in cxt. */
static void
numeric_acc_add(TaskRatiosState *st, int i, Numeric x, MemoryContext cxt)
{
	Numeric		sum = cqs_numeric_add(st->num[i], x);
	Numeric		old = st->num[i];

	st->num[i] = (Numeric) MemoryContextAlloc(cxt, VARSIZE(sum));
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
add_row_numeric(TaskRatiosState *st, MemoryContext cxt,
				struct varlena *assigned, struct varlena *completed,
				struct varlena *coef, int32 qded, int32 lded, bool counts)
{
	Numeric		c = DatumGetNumeric(PointerGetDatum(pg_detoast_datum(coef)));
	Numeric		done;

	if (counts)
	{
		Numeric		a = DatumGetNumeric(PointerGetDatum(pg_detoast_datum(assigned)));

		numeric_acc_add(st, ACC_ASSIGNED, cqs_numeric_mul(a, c), cxt);
	}
	if (completed == NULL)
		done = cqs_numeric_mul(int64_to_numeric(0), c);
	else
		done = cqs_numeric_mul(DatumGetNumeric(PointerGetDatum(pg_detoast_datum(completed))),
									 c);
	numeric_acc_add(st, ACC_COMPLETED, done, cxt);
	numeric_acc_add(st, ACC_QUALITY,
					cqs_numeric_mul(done,
										  int64_div_fast_to_numeric(factor_hundredths(qded), FACTOR_SCALE)),
					cxt);
	numeric_acc_add(st, ACC_PROGRESS,
					cqs_numeric_mul(done,
										  int64_div_fast_to_numeric(factor_hundredths(lded), FACTOR_SCALE)),
					cxt);
}

/* The fixed-point path for one row; false (state untouched) if it overflows. */
static bool
add_row_fixed(FixedDec *fix, FixedDec assigned, FixedDec completed,
			  FixedDec coef, int32 qded, int32 lded, bool counts)
{
	FixedDec	next[NACC];
	FixedDec	term;
	FixedDec	done;

	memcpy(next, fix, sizeof(next));
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
	memcpy(fix, next, sizeof(next));
	return true;
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
add_row_hits_numeric(TaskRatiosState *st, MemoryContext cxt,
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

		numeric_acc_add(st, ACC_ASSIGNED, cqs_numeric_mul(a, c), cxt);
	}
	numeric_acc_add(st, ACC_COMPLETED, cqs_numeric_mul(done, c), cxt);
	numeric_acc_add(st, ACC_QUALITY, cqs_numeric_mul(kept_numeric(done, q), c), cxt);
	numeric_acc_add(st, ACC_PROGRESS, cqs_numeric_mul(kept_numeric(done, l), c), cxt);
}

/* One row of the by-quantity form, fixed point; false (state untouched) if it overflows. */
static bool
add_row_hits_fixed(FixedDec *fix, FixedDec assigned, FixedDec completed,
				   FixedDec coef, FixedDec qhits, FixedDec lhits, bool counts)
{
	FixedDec	next[NACC];
	FixedDec	term;
	FixedDec	kept;

	memcpy(next, fix, sizeof(next));
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
	memcpy(fix, next, sizeof(next));
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

/* 100 * units / assigned, exactly as NUMERIC computes it */
static Numeric
ratio(Numeric units, Numeric assigned, Numeric hundred)
{
	return cqs_numeric_div(cqs_numeric_mul(hundred, units),
								 assigned);
}

/* ------------------------------------------------------------------------
 * cqs.task_ratios_state: the state as a real (varlena) type, so that a
 * distributed planner can ship partial states between nodes through the
 * type's text or binary form (Citus refuses pseudo-type states such as
 * internal).  The aggregates cqs.task_ratios and cqs.task_ratios_by_quantity
 * use it.
 *
 * In memory and on disk the state is one varlena:
 *
 *   header | int32 mode | int64 nrows | fixed: FixedDec fix[4]
 *                                     | numeric: 4 NUMERICs, MAXALIGNed
 *
 * In fixed mode it has a constant size and the transition function updates
 * it in place (it lives in the aggregate context); a row that does not fit
 * 128 bits builds the NUMERIC form once, after which every row builds a new
 * state (rare: sums past 10^38 or scales past 38).
 *
 * Text form, canonical: (rows,assigned,completed,quality,progress), each
 * sum printed as NUMERIC prints it (the scale is part of the value).  The
 * same value in either mode has the same text; input goes back to fixed
 * mode whenever the sums fit.  Input accepts the canonical text only and
 * checks what every state satisfies: rows >= 0, sums >= 0, no sums without
 * rows, quality and progress units never above the completed units.
 * ------------------------------------------------------------------------
 */
#define TRS_MODE_FIXED		0
#define TRS_MODE_NUMERIC	1

typedef struct TaskRatiosVar
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	int32		mode;
	int64		nrows;
	FixedDec	fix[NACC];		/* fixed mode; numeric mode: NUMERICs instead */
} TaskRatiosVar;

#define TRS_HEADER_SIZE		MAXALIGN(offsetof(TaskRatiosVar, fix))
#define TRS_FIXED_SIZE		sizeof(TaskRatiosVar)

#define DatumGetTaskRatiosVar(d)	((TaskRatiosVar *) PG_DETOAST_DATUM(d))
#define PG_GETARG_TRS(n)			DatumGetTaskRatiosVar(PG_GETARG_DATUM(n))

static TaskRatiosVar *
trs_new_fixed(int64 nrows)
{
	TaskRatiosVar *v = (TaskRatiosVar *) palloc0(TRS_FIXED_SIZE);

	SET_VARSIZE(v, TRS_FIXED_SIZE);
	v->mode = TRS_MODE_FIXED;
	v->nrows = nrows;
	return v;
}

/* The four sums of a state as NUMERICs (fresh copies in the current context). */
static void
trs_numerics(const TaskRatiosVar *v, Numeric *out)
{
	if (v->mode == TRS_MODE_FIXED)
	{
		for (int i = 0; i < NACC; i++)
			out[i] = FixedDecToNumeric(v->fix[i]);
	}
	else
	{
		const char *p = (const char *) v + TRS_HEADER_SIZE;

		for (int i = 0; i < NACC; i++)
		{
			Size		len = VARSIZE(p);

			out[i] = (Numeric) palloc(len);
			memcpy(out[i], p, len);
			p += MAXALIGN(len);
		}
	}
}

/* A state holding these sums: fixed mode when all four fit, else NUMERIC. */
static TaskRatiosVar *
trs_pack(int64 nrows, Numeric *num)
{
	FixedDec	fix[NACC];
	bool		fits = true;
	TaskRatiosVar *v;
	Size		size;
	char	   *p;

	for (int i = 0; i < NACC && fits; i++)
	{
		NumericKind kind;
		bool		negative;

		fits = FixedDecFromNumeric((struct varlena *) num[i], &fix[i], &kind, &negative);
	}
	if (fits)
	{
		v = trs_new_fixed(nrows);
		memcpy(v->fix, fix, sizeof(fix));
		return v;
	}
	size = TRS_HEADER_SIZE;
	for (int i = 0; i < NACC; i++)
		size += MAXALIGN(VARSIZE(num[i]));
	v = (TaskRatiosVar *) palloc0(size);
	SET_VARSIZE(v, size);
	v->mode = TRS_MODE_NUMERIC;
	v->nrows = nrows;
	p = (char *) v + TRS_HEADER_SIZE;
	for (int i = 0; i < NACC; i++)
	{
		memcpy(p, num[i], VARSIZE(num[i]));
		p += MAXALIGN(VARSIZE(num[i]));
	}
	return v;
}

/*
 * What every state satisfies; a state read from outside (text or binary
 * input) that does not is refused with 22023.
 */
static void
trs_validate(int64 nrows, Numeric *num, const char *what)
{
	static const char *const names[NACC] = {"assigned", "completed", "quality", "progress"};

	if (nrows < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid task_ratios_state %s: row count " INT64_FORMAT " is negative",
						what, nrows)));
	for (int i = 0; i < NACC; i++)
	{
		if (numeric_is_nan(num[i]) || numeric_is_inf(num[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid task_ratios_state %s: %s units must be a finite number",
							what, names[i])));
		if (CqsNumericCmpInt(num[i], 0) < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid task_ratios_state %s: %s units %s are negative", what, names[i],
							DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(num[i])))),
					 errhint("Converted units are sums of non-negative quantities (Art. 14).")));
		if (nrows == 0 && CqsNumericCmpInt(num[i], 0) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid task_ratios_state %s: %s units without any task line", what, names[i])));
	}
	for (int i = ACC_QUALITY; i <= ACC_PROGRESS; i++)
		if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(num[i]),
											  NumericGetDatum(num[ACC_COMPLETED]))) > 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid task_ratios_state %s: %s units exceed the completed units", what, names[i]),
					 errhint("A deduction only ever removes credit (Art. 14.2.b-c).")));
}

PG_FUNCTION_INFO_V1(task_ratios_state_in);
Datum
task_ratios_state_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	Numeric		num[NACC];
	int64		nrows = 0;
	char	   *copy = pstrdup(str);
	size_t		len = strlen(copy);
	char	   *field[NACC + 1];
	int			nfields = 0;
	char	   *p;

	if (len < 2 || copy[0] != '(' || copy[len - 1] != ')')
		goto malformed;
	copy[len - 1] = '\0';
	p = copy + 1;
	for (;;)
	{
		char	   *comma = strchr(p, ',');

		if (nfields == NACC + 1)
			goto malformed;
		field[nfields++] = p;
		if (comma == NULL)
			break;
		*comma = '\0';
		p = comma + 1;
	}
	if (nfields != NACC + 1)
		goto malformed;

	/* the row count: digits only, no sign, no leading zero */
	for (p = field[0]; *p; p++)
		if (!isdigit((unsigned char) *p))
			goto malformed;
	if (field[0][0] == '\0' || (field[0][0] == '0' && field[0][1] != '\0') || strlen(field[0]) > 18)
		goto malformed;
	nrows = strtoi64(field[0], NULL, 10);

	/* each sum: what numeric_in accepts and numeric_out prints back unchanged */
	for (int i = 0; i < NACC; i++)
	{
		Datum		d;

		if (field[i + 1][0] == '\0' || strspn(field[i + 1], "0123456789.-") != strlen(field[i + 1]))
			goto malformed;
		d = DirectFunctionCall3(numeric_in, CStringGetDatum(field[i + 1]),
								ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
		if (strcmp(DatumGetCString(DirectFunctionCall1(numeric_out, d)), field[i + 1]) != 0)
			goto malformed;
		num[i] = DatumGetNumeric(d);
	}
	trs_validate(nrows, num, "text");
	PG_RETURN_POINTER(trs_pack(nrows, num));

malformed:
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type cqs.task_ratios_state: \"%s\"", str),
			 errdetail("Expected (rows,assigned,completed,quality,progress): a row count and four "
					   "non-negative decimals as NUMERIC prints them.")));
	PG_RETURN_NULL();			/* not reached */
}

PG_FUNCTION_INFO_V1(task_ratios_state_out);
Datum
task_ratios_state_out(PG_FUNCTION_ARGS)
{
	TaskRatiosVar *v = PG_GETARG_TRS(0);
	Numeric		num[NACC];
	StringInfoData buf;

	trs_numerics(v, num);
	initStringInfo(&buf);
	appendStringInfo(&buf, "(" INT64_FORMAT, v->nrows);
	for (int i = 0; i < NACC; i++)
		appendStringInfo(&buf, ",%s",
						 DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(num[i]))));
	appendStringInfoChar(&buf, ')');
	PG_RETURN_CSTRING(buf.data);
}

/* Binary form: int64 rows, then each sum in NUMERIC's binary form (int32 length first). */
PG_FUNCTION_INFO_V1(task_ratios_state_send);
Datum
task_ratios_state_send(PG_FUNCTION_ARGS)
{
	TaskRatiosVar *v = PG_GETARG_TRS(0);
	Numeric		num[NACC];
	StringInfoData buf;

	trs_numerics(v, num);
	pq_begintypsend(&buf);
	pq_sendint64(&buf, v->nrows);
	for (int i = 0; i < NACC; i++)
	{
		bytea	   *b = DatumGetByteaPP(DirectFunctionCall1(numeric_send, NumericGetDatum(num[i])));

		pq_sendint32(&buf, VARSIZE_ANY_EXHDR(b));
		pq_sendbytes(&buf, VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(task_ratios_state_recv);
Datum
task_ratios_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	Numeric		num[NACC];
	int64		nrows = pq_getmsgint64(buf);

	for (int i = 0; i < NACC; i++)
	{
		int32		len = pq_getmsgint(buf, 4);
		StringInfoData part;

		if (len < 0 || len > buf->len - buf->cursor)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid binary cqs.task_ratios_state: sum %d has length %d", i + 1, len)));
		initStringInfo(&part);
		appendBinaryStringInfo(&part, pq_getmsgbytes(buf, len), len);
		num[i] = DatumGetNumeric(DirectFunctionCall3(numeric_recv, PointerGetDatum(&part),
													 ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
		if (part.cursor != part.len)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid binary cqs.task_ratios_state: trailing bytes in sum %d", i + 1)));
	}
	trs_validate(nrows, num, "binary input");
	PG_RETURN_POINTER(trs_pack(nrows, num));
}

/*
 * The state to update: the first argument itself when it is the aggregate's
 * own (fixed mode, in the aggregate context), a new one for the first row.
 */
static TaskRatiosVar *
trs_arg_state(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(0))
		return trs_new_fixed(0);
	return (TaskRatiosVar *) PG_GETARG_POINTER(0);
}

/* One row the NUMERIC way: a new state in the current (per-row) context. */
static TaskRatiosVar *
trs_add_row_numeric(TaskRatiosVar *v, bool hits, struct varlena *assigned,
					struct varlena *completed, struct varlena *coef,
					int32 qded, int32 lded, struct varlena *qhits,
					struct varlena *lhits, bool counts)
{
	TaskRatiosState st;

	trs_numerics(v, st.num);
	if (hits)
		add_row_hits_numeric(&st, CurrentMemoryContext, assigned, completed, coef,
							 qhits, lhits, counts);
	else
		add_row_numeric(&st, CurrentMemoryContext, assigned, completed, coef,
						qded, lded, counts);
	return trs_pack(v->nrows + 1, st.num);
}

/*
 * The arguments both transition functions share: a line's assigned quantity,
 * coefficient and completed quantity (NULL counts as 0), each as fixed point and
 * as the raw NUMERIC; false when one does not fit the fixed-point path.
 * NULL assigned_qty, coefficient or counts_in_assigned is 22023.
 */
static bool
read_line(FunctionCallInfo fcinfo, const char *fn,
		  FixedDec *assigned, struct varlena **raw_assigned,
		  FixedDec *coef, struct varlena **raw_coef,
		  FixedDec *completed, struct varlena **raw_completed)
{
	bool		fits;

	agg_context(fcinfo, fn);
	require_not_null(fcinfo, ARG_ASSIGNED, "assigned_qty");
	require_not_null(fcinfo, ARG_COEF, "coefficient");
	require_not_null(fcinfo, ARG_COUNTS, "counts_in_assigned");

	fits = read_quantity(fcinfo, ARG_ASSIGNED, "assigned_qty", false,
						 assigned, raw_assigned);
	fits &= read_quantity(fcinfo, ARG_COEF, "coefficient", true,
						  coef, raw_coef);
	if (PG_ARGISNULL(ARG_COMPLETED))
	{
		completed->value = 0;
		completed->scale = 0;
		*raw_completed = NULL;
	}
	else
		fits &= read_quantity(fcinfo, ARG_COMPLETED, "completed_qty", false,
							  completed, raw_completed);
	return fits;
}

PG_FUNCTION_INFO_V1(task_ratios_state_transfn);
Datum
task_ratios_state_transfn(PG_FUNCTION_ARGS)
{
	TaskRatiosVar *v;
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

	fits = read_line(fcinfo, "task_ratios_state_transfn", &assigned, &raw_assigned,
					 &coef, &raw_coef, &completed, &raw_completed);
	qded = read_deductions(fcinfo, ARG_QUALITY_DED, "quality_deductions");
	lded = read_deductions(fcinfo, ARG_LATENESS_DED, "lateness_deductions");
	counts = PG_GETARG_BOOL(ARG_COUNTS);

	v = trs_arg_state(fcinfo);
	if (v->mode == TRS_MODE_FIXED && fits &&
		add_row_fixed(v->fix, assigned, completed, coef, qded, lded, counts))
	{
		v->nrows++;
		PG_RETURN_POINTER(v);	/* updated in place */
	}
	PG_RETURN_POINTER(trs_add_row_numeric(v, false, raw_assigned, raw_completed, raw_coef,
										  qded, lded, NULL, NULL, counts));
}

PG_FUNCTION_INFO_V1(task_ratios_state_hits_transfn);
Datum
task_ratios_state_hits_transfn(PG_FUNCTION_ARGS)
{
	TaskRatiosVar *v;
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

	fits = read_line(fcinfo, "task_ratios_state_hits_transfn", &assigned, &raw_assigned,
					 &coef, &raw_coef, &completed, &raw_completed);
	fits &= read_hits(fcinfo, ARG_QUALITY_DED, "quality_hit_qty", &qhits, &raw_qhits);
	fits &= read_hits(fcinfo, ARG_LATENESS_DED, "lateness_hit_qty", &lhits, &raw_lhits);
	counts = PG_GETARG_BOOL(ARG_COUNTS);

	v = trs_arg_state(fcinfo);
	if (v->mode == TRS_MODE_FIXED && fits &&
		add_row_hits_fixed(v->fix, assigned, completed, coef, qhits, lhits, counts))
	{
		v->nrows++;
		PG_RETURN_POINTER(v);	/* updated in place */
	}
	PG_RETURN_POINTER(trs_add_row_numeric(v, true, raw_assigned, raw_completed, raw_coef,
										  0, 0, raw_qhits, raw_lhits, counts));
}

/*
 * Combine two states (strict: the executor keeps the other one when either is
 * NULL).  As an aggregate's combine function it adds into its first argument
 * in place; called directly (a coordinator combining shipped states by hand,
 * the tests) it leaves both arguments alone.
 */
PG_FUNCTION_INFO_V1(task_ratios_state_combinefn);
Datum
task_ratios_state_combinefn(PG_FUNCTION_ARGS)
{
	TaskRatiosVar *v1 = PG_GETARG_TRS(0);
	TaskRatiosVar *v2 = PG_GETARG_TRS(1);
	Numeric		n1[NACC],
				n2[NACC];

	if (v1->mode == TRS_MODE_FIXED && v2->mode == TRS_MODE_FIXED)
	{
		FixedDec	next[NACC];
		bool		ok = true;

		memcpy(next, v1->fix, sizeof(next));
		for (int i = 0; i < NACC && ok; i++)
			ok = FixedDecAdd(&next[i], v2->fix[i]);
		if (ok)
		{
			if (!AggCheckCallContext(fcinfo, NULL) ||
				v1 != (TaskRatiosVar *) PG_GETARG_POINTER(0))
				v1 = trs_new_fixed(v1->nrows);	/* not ours to change */
			memcpy(v1->fix, next, sizeof(next));
			v1->nrows += v2->nrows;
			PG_RETURN_POINTER(v1);
		}
	}
	trs_numerics(v1, n1);
	trs_numerics(v2, n2);
	for (int i = 0; i < NACC; i++)
		n1[i] = cqs_numeric_add(n1[i], n2[i]);
	PG_RETURN_POINTER(trs_pack(v1->nrows + v2->nrows, n1));
}

/* The ratios from a state (strict: no rows, no state, NULL ratios row). */
PG_FUNCTION_INFO_V1(task_ratios_state_finalfn);
Datum
task_ratios_state_finalfn(PG_FUNCTION_ARGS)
{
	TaskRatiosVar *v = PG_GETARG_TRS(0);
	TupleDesc	tupdesc;
	Datum		values[7];
	bool		nulls[7] = {false};
	Numeric		units[NACC];

	tupdesc = (TupleDesc) fcinfo->flinfo->fn_extra;
	if (tupdesc == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("task_ratios_state_finalfn must return cqs.ratios")));
		tupdesc = BlessTupleDesc(CreateTupleDescCopy(tupdesc));
		fcinfo->flinfo->fn_extra = tupdesc;
		MemoryContextSwitchTo(old);
	}

	if (v->mode == TRS_MODE_FIXED)
		for (int i = 0; i < NACC; i++)
			units[i] = FixedDecToNumeric(v->fix[i]);
	else
		trs_numerics(v, units);
	for (int i = 0; i < NACC; i++)
		values[i] = NumericGetDatum(units[i]);

	/* Art. 18.1.d: G = 0 means the criterion cannot be evaluated */
	if (CqsNumericCmpInt(units[ACC_ASSIGNED], 0) == 0)
		nulls[4] = nulls[5] = nulls[6] = true;
	else
	{
		Numeric		hundred = int64_to_numeric(100);

		values[4] = NumericGetDatum(ratio(units[ACC_COMPLETED], units[ACC_ASSIGNED], hundred));
		values[5] = NumericGetDatum(ratio(units[ACC_QUALITY], units[ACC_ASSIGNED], hundred));
		values[6] = NumericGetDatum(ratio(units[ACC_PROGRESS], units[ACC_ASSIGNED], hundred));
	}

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
