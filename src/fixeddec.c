/*
 * fixeddec.c -- exact int128 fixed-point decimals and their conversion
 * from and to NUMERIC.
 *
 * FixedDecFromNumeric reads the NUMERIC varlena directly.  That layout is
 * PostgreSQL's on-disk format (pg_upgrade keeps it stable across major
 * versions): a uint16 header word, then for the long form an int16 weight,
 * then base-10000 digits.  The short form packs sign, display scale and a
 * 7-bit weight into the header word.  Reading it directly avoids a detoast
 * copy and a NUMERIC multiplication per aggregated row; the differential
 * regression test proves the results equal NUMERIC's.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "fixeddec.h"

/* Header word layout of a NUMERIC (see the file comment). */
#define NUMHDR_SIGN_MASK		0xC000
#define NUMHDR_NEG				0x4000
#define NUMHDR_SHORT_FLAG		0x8000
#define NUMHDR_SPECIAL			0xC000
#define NUMHDR_NAN				0xC000
#define NUMHDR_PINF				0xD000
#define NUMHDR_NINF				0xF000
#define NUMHDR_SPECIAL_MASK		0xF000
#define NUMHDR_SHORT_NEG		0x2000
#define NUMHDR_SHORT_DSCALE		0x1F80
#define NUMHDR_SHORT_DSCALE_SHIFT 7
#define NUMHDR_SHORT_WSIGN		0x0040
#define NUMHDR_SHORT_WEIGHT		0x003F
#define NUMHDR_DSCALE_MASK		0x3FFF

#define NBASE_DIGITS 4

static const int128 pow10_table[FIXEDDEC_MAX_SCALE + 1] = {
	(int128) 1,
	(int128) 10,
	(int128) 100,
	(int128) 1000,
	(int128) 10000,
	(int128) 100000,
	(int128) 1000000,
	(int128) 10000000,
	(int128) 100000000,
	(int128) 1000000000,
	(int128) 10000000000LL,
	(int128) 100000000000LL,
	(int128) 1000000000000LL,
	(int128) 10000000000000LL,
	(int128) 100000000000000LL,
	(int128) 1000000000000000LL,
	(int128) 10000000000000000LL,
	(int128) 100000000000000000LL,
	(int128) 1000000000000000000LL,
	(int128) 1000000000000000000LL * 10,
	(int128) 1000000000000000000LL * 100,
	(int128) 1000000000000000000LL * 1000,
	(int128) 1000000000000000000LL * 10000,
	(int128) 1000000000000000000LL * 100000,
	(int128) 1000000000000000000LL * 1000000,
	(int128) 1000000000000000000LL * 10000000,
	(int128) 1000000000000000000LL * 100000000,
	(int128) 1000000000000000000LL * 1000000000,
	(int128) 1000000000000000000LL * 10000000000LL,
	(int128) 1000000000000000000LL * 100000000000LL,
	(int128) 1000000000000000000LL * 1000000000000LL,
	(int128) 1000000000000000000LL * 10000000000000LL,
	(int128) 1000000000000000000LL * 100000000000000LL,
	(int128) 1000000000000000000LL * 1000000000000000LL,
	(int128) 1000000000000000000LL * 10000000000000000LL,
	(int128) 1000000000000000000LL * 100000000000000000LL,
	(int128) 1000000000000000000LL * 1000000000000000000LL,
	(int128) 1000000000000000000LL * 1000000000000000000LL * 10,
	(int128) 1000000000000000000LL * 1000000000000000000LL * 100,
};

static inline uint16
read_u16(const char *p)
{
	uint16		v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline int16
read_i16(const char *p)
{
	int16		v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* x * 10^n; false on overflow. */
static inline bool
scale_up(int128 x, int n, int128 *out)
{
	if (n < 0 || n > FIXEDDEC_MAX_SCALE)
		return false;
	return !__builtin_mul_overflow(x, pow10_table[n], out);
}

bool
FixedDecFromNumeric(struct varlena *num, FixedDec *out,
					NumericKind *kind, bool *negative)
{
	const char *p = VARDATA_ANY(num);
	Size		len = VARSIZE_ANY_EXHDR(num);
	uint16		hdr;
	int			weight;
	int			dscale;
	int			ndigits;
	const char *digits;
	int128		acc = 0;

	Assert(!VARATT_IS_EXTERNAL(num) && !VARATT_IS_COMPRESSED(num));

	hdr = read_u16(p);
	*kind = NUMKIND_FINITE;
	*negative = false;

	if ((hdr & NUMHDR_SIGN_MASK) == NUMHDR_SPECIAL)
	{
		switch (hdr & NUMHDR_SPECIAL_MASK)
		{
			case NUMHDR_PINF:
				*kind = NUMKIND_PINF;
				break;
			case NUMHDR_NINF:
				*kind = NUMKIND_NINF;
				break;
			default:
				*kind = NUMKIND_NAN;
				break;
		}
		return false;
	}

	if (hdr & NUMHDR_SHORT_FLAG)
	{
		*negative = (hdr & NUMHDR_SHORT_NEG) != 0;
		dscale = (hdr & NUMHDR_SHORT_DSCALE) >> NUMHDR_SHORT_DSCALE_SHIFT;
		weight = (hdr & NUMHDR_SHORT_WEIGHT);
		if (hdr & NUMHDR_SHORT_WSIGN)
			weight -= (NUMHDR_SHORT_WEIGHT + 1);
		digits = p + sizeof(uint16);
		ndigits = (len - sizeof(uint16)) / sizeof(int16);
	}
	else
	{
		*negative = (hdr & NUMHDR_SIGN_MASK) == NUMHDR_NEG;
		dscale = hdr & NUMHDR_DSCALE_MASK;
		weight = read_i16(p + sizeof(uint16));
		digits = p + 2 * sizeof(uint16);
		ndigits = (len - 2 * sizeof(uint16)) / sizeof(int16);
	}

	if (dscale > FIXEDDEC_MAX_SCALE)
		return false;

	/* value * 10^dscale = sum of digit[i] * 10^(4 * (weight - i) + dscale) */
	for (int i = 0; i < ndigits; i++)
	{
		int128		d = read_i16(digits + i * sizeof(int16));
		int			e = NBASE_DIGITS * (weight - i) + dscale;
		int128		term;

		if (d == 0)
			continue;
		if (e >= 0)
		{
			if (!scale_up(d, e, &term))
				return false;
		}
		else
		{
			/* a digit group reaching past dscale holds zeros there */
			if (-e >= NBASE_DIGITS)
				continue;
			term = d / pow10_table[-e];
		}
		if (__builtin_add_overflow(acc, term, &acc))
			return false;
	}

	out->value = *negative ? -acc : acc;
	out->scale = dscale;
	return true;
}

bool
FixedDecMul(FixedDec a, FixedDec b, FixedDec *out)
{
	if (a.scale + b.scale > FIXEDDEC_MAX_SCALE)
		return false;
	if (__builtin_mul_overflow(a.value, b.value, &out->value))
		return false;
	out->scale = a.scale + b.scale;
	return true;
}

bool
FixedDecMulInt(FixedDec a, int64 k, FixedDec *out)
{
	if (__builtin_mul_overflow(a.value, (int128) k, &out->value))
		return false;
	out->scale = a.scale;
	return true;
}

bool
FixedDecAdd(FixedDec *acc, FixedDec x)
{
	int128		lhs = acc->value;
	int128		rhs = x.value;
	int32		scale = acc->scale;
	int128		sum;

	if (x.scale > scale)
	{
		if (!scale_up(lhs, x.scale - scale, &lhs))
			return false;
		scale = x.scale;
	}
	else if (x.scale < scale)
	{
		if (!scale_up(rhs, scale - x.scale, &rhs))
			return false;
	}
	if (__builtin_add_overflow(lhs, rhs, &sum))
		return false;
	acc->value = sum;
	acc->scale = scale;
	return true;
}

Numeric
FixedDecToNumeric(FixedDec x)
{
	/* 39 digits, sign, point, leading "0." padding up to the scale */
	char		buf[FIXEDDEC_MAX_SCALE * 2 + 8];
	char		digits[48];
	int			nd = 0;
	uint128		mag = x.value < 0 ? -(uint128) x.value : (uint128) x.value;
	char	   *p = buf;

	do
	{
		digits[nd++] = '0' + (int) (mag % 10);
		mag /= 10;
	} while (mag != 0);

	if (x.value < 0)
		*p++ = '-';
	if (nd <= x.scale)
	{
		*p++ = '0';
		*p++ = '.';
		for (int i = x.scale; i > nd; i--)
			*p++ = '0';
		while (nd > 0)
			*p++ = digits[--nd];
	}
	else
	{
		while (nd > 0)
		{
			if (nd == x.scale)
				*p++ = '.';
			*p++ = digits[--nd];
		}
	}
	*p = '\0';

	return DatumGetNumeric(DirectFunctionCall3(numeric_in,
											   CStringGetDatum(buf),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}
