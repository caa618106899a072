/*
 * fixeddec.h -- exact fixed-point decimals on int128, convertible to and
 * from NUMERIC without loss.
 *
 * A FixedDec is value * 10^-scale.  The aggregates keep their running sums
 * in this form because it is an order of magnitude cheaper than NUMERIC
 * arithmetic while giving bit-for-bit the same results: sums and products
 * of decimals are exact in both, and the scale is tracked exactly as
 * NUMERIC tracks its display scale (dscale), so a FixedDec turned back into
 * NUMERIC prints and divides exactly like the NUMERIC computation would.
 * Anything that does not fit (huge magnitudes, more than 38 digits) is
 * reported to the caller, which then falls back to NUMERIC arithmetic.
 */
#ifndef CQS_FIXEDDEC_H
#define CQS_FIXEDDEC_H

#include "postgres.h"
#include "utils/numeric.h"

#ifndef HAVE_INT128
#error "cqs_eval needs a compiler with a 128-bit integer type"
#endif

/* Largest scale we keep in fixed point; 10^38 < 2^127. */
#define FIXEDDEC_MAX_SCALE 38

typedef struct FixedDec
{
	int128		value;
	int32		scale;
} FixedDec;

/* What a NUMERIC datum looks like, read without copying it. */
typedef enum NumericKind
{
	NUMKIND_FINITE,
	NUMKIND_NAN,
	NUMKIND_PINF,
	NUMKIND_NINF
} NumericKind;

/*
 * Decode a (possibly short-header, not toasted) NUMERIC into *out.
 * Returns false when the value is special or does not fit; *kind tells which.
 * *negative is set for finite values.
 */
extern bool FixedDecFromNumeric(struct varlena *num, FixedDec *out,
								NumericKind *kind, bool *negative);

/* a * b exactly, scale a.scale + b.scale; false on overflow. */
extern bool FixedDecMul(FixedDec a, FixedDec b, FixedDec *out);

/* a * k for a small integer k, same scale; false on overflow. */
extern bool FixedDecMulInt(FixedDec a, int64 k, FixedDec *out);

/* acc += x, scale max(acc.scale, x.scale); false on overflow (acc intact). */
extern bool FixedDecAdd(FixedDec *acc, FixedDec x);

/* Build the NUMERIC with exactly this value and display scale. */
extern Numeric FixedDecToNumeric(FixedDec x);

#endif							/* CQS_FIXEDDEC_H */
