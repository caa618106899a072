/*
 * grade.c -- the four grades of Art. 20, their official names and the
 * excellence quota of Art. 20.5.
 *
 * cqs.grade is an enum created by the install script; C code finds its
 * label OIDs through the catalog once per call site (cached in fn_extra),
 * so nothing here depends on OIDs surviving a DROP/CREATE EXTENSION.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/syscache.h"

#include "checks.h"
#include "pg_compat.h"

/* In enum order: khong_hoan_thanh < hoan_thanh < tot < xuat_sac */
#define NGRADES 4
static const char *const grade_codes[NGRADES] = {
	"khong_hoan_thanh", "hoan_thanh", "tot", "xuat_sac"
};

/* Art. 20.1-4, the decree's own wording */
static const char *const grade_vi[NGRADES] = {
	"Không hoàn thành nhiệm vụ",
	"Hoàn thành nhiệm vụ",
	"Hoàn thành tốt nhiệm vụ",
	"Hoàn thành xuất sắc nhiệm vụ"
};

static const char *const grade_en[NGRADES] = {
	"Did not complete duties",
	"Completed duties",
	"Completed duties well",
	"Completed duties excellently"
};

typedef struct GradeOids
{
	Oid			label[NGRADES];
} GradeOids;

static Oid
grade_type_oid(void)
{
	Oid			nsp = get_namespace_oid("cqs", false);
	Oid			typoid = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
										 CStringGetDatum("grade"),
										 ObjectIdGetDatum(nsp));

	if (!OidIsValid(typoid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("type cqs.grade does not exist")));
	return typoid;
}

static GradeOids *
grade_oids(FunctionCallInfo fcinfo)
{
	GradeOids  *g = (GradeOids *) fcinfo->flinfo->fn_extra;

	if (g == NULL)
	{
		Oid			typoid = grade_type_oid();

		g = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(GradeOids));
		for (int i = 0; i < NGRADES; i++)
		{
			g->label[i] = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid,
										  ObjectIdGetDatum(typoid),
										  CStringGetDatum(grade_codes[i]));
			if (!OidIsValid(g->label[i]))
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_OBJECT),
						 errmsg("label \"%s\" of type cqs.grade does not exist",
								grade_codes[i])));
		}
		fcinfo->flinfo->fn_extra = g;
	}
	return g;
}

PG_FUNCTION_INFO_V1(grade_label);
Datum
grade_label(PG_FUNCTION_ARGS)
{
	Oid			grade = PG_GETARG_OID(0);
	char	   *lang = text_to_cstring(PG_GETARG_TEXT_PP(1));
	GradeOids  *g = grade_oids(fcinfo);
	const char *const *names;

	if (strcmp(lang, "vi") == 0)
		names = grade_vi;
	else if (strcmp(lang, "en") == 0)
		names = grade_en;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lang must be 'vi' or 'en', got '%s'", lang)));

	for (int i = 0; i < NGRADES; i++)
		if (g->label[i] == grade)
			PG_RETURN_TEXT_P(cstring_to_text(names[i]));

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid cqs.grade value %u", grade)));
	PG_RETURN_NULL();			/* keep compiler quiet */
}

/* Art. 20.1-4: thresholds 90 / 70 / 50; an override forces the lowest grade */
PG_FUNCTION_INFO_V1(classify);
Datum
classify(PG_FUNCTION_ARGS)
{
	Numeric		total = PG_GETARG_NUMERIC(0);
	bool		disqualified = PG_GETARG_BOOL(1);
	GradeOids  *g = grade_oids(fcinfo);
	int			idx;

	CheckBetween("total", total, 0, 100);
	if (disqualified)
		idx = 0;
	else if (CqsNumericCmpInt(total, 90) >= 0)
		idx = 3;
	else if (CqsNumericCmpInt(total, 70) >= 0)
		idx = 2;
	else if (CqsNumericCmpInt(total, 50) >= 0)
		idx = 1;
	else
		idx = 0;
	PG_RETURN_OID(g->label[idx]);
}

/* rate * base, exactly */
static Numeric
rate_times(Numeric rate, int64 base)
{
	return cqs_numeric_mul(rate, int64_to_numeric(base));
}

/*
 * Art. 20.5: how many of `candidates` (scored xuat_sac) may keep the grade,
 * given `good` graded tot.  With base 'good' those who lose xuat_sac become
 * tot, so the largest k <= candidates with k <= rate * (good + candidates - k)
 * is wanted; with 'good_or_better' the base is good + candidates.
 * Exact: every comparison is a NUMERIC product against an integer.
 */
PG_FUNCTION_INFO_V1(excellent_quota);
Datum
excellent_quota(PG_FUNCTION_ARGS)
{
	int32		good = PG_GETARG_INT32(0);
	int32		candidates = PG_GETARG_INT32(1);
	Numeric		rate = PG_GETARG_NUMERIC(2);
	char	   *base = text_to_cstring(PG_GETARG_TEXT_PP(3));
	bool		base_good;
	int64		pool;
	int64		k;

	if (good < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("good must not be negative, got %d", good)));
	if (candidates < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("candidates must not be negative, got %d", candidates)));
	CheckFinite("rate", rate);
	if (CqsNumericCmpInt(rate, 0) <= 0 ||
		CqsNumericCmp(rate, int64_div_fast_to_numeric(25, 2)) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rate must be greater than 0 and at most 0.25, got %s",
						CqsNumericText(rate)),
				 errhint("Art. 20.5 allows 20%%, or up to 25%% by the competent authority's decision.")));
	if (strcmp(base, "good") == 0)
		base_good = true;
	else if (strcmp(base, "good_or_better") == 0)
		base_good = false;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("base must be 'good' or 'good_or_better', got '%s'", base)));

	pool = (int64) good + candidates;

	/*
	 * Both conditions are monotone in k (the right-hand side shrinks or stays
	 * as k grows), so the answer is found by bisection on [0, candidates].
	 */
	{
		int64		lo = 0,
					hi = candidates;

		while (lo < hi)
		{
			int64		mid = lo + (hi - lo + 1) / 2;
			Numeric		allowed = rate_times(rate, base_good ? pool - mid : pool);

			if (CqsNumericCmpInt(allowed, mid) >= 0)
				lo = mid;
			else
				hi = mid - 1;
		}
		k = lo;
	}
	PG_RETURN_INT32((int32) k);
}
