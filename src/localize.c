/*
 * localize.c -- read-time rendering of the extension's English notes and
 * reasons in Vietnamese (cqs.localize).
 *
 * The texts the extension stores (period notes, year reasons, organisations'
 * reasons, the lines of cqs.explain) are written in English, the stored and
 * audited form.  cqs.message_text holds, for each format string the code uses,
 * the English template exactly as written in the code (%s placeholders, %% a
 * percent sign), its Vietnamese template (%s in order, or %N$s) and the kind
 * of each placeholder.  A text is matched against the templates, the pieces
 * between the literals are captured, checked against their kind and rendered
 * into the Vietnamese template.
 *
 * Matching is plain byte comparison: every template is tried only when the
 * text starts with its first literal and ends with its last one, and the
 * literals in between are found left to right (a capture moves on to a later
 * occurrence only when its kind rejects the text it would take).  No regular
 * expressions.  The catalogue is read once per call site (cached in fn_extra).
 *
 * Placeholder kinds:
 *   text        anything, verbatim          word     no space or comma (a login)
 *   name        no comma or bracket (who decided: "Thanh tra tỉnh")
 *   number      decimal (or cut: 89.9958…), Vietnamese comma   int   digits
 *   date        YYYY-MM-DD -> DD/MM/YYYY (a date another DateStyle wrote, DD-MM-YYYY
 *               or MM/DD/YYYY, is taken as it is)    period   YYYY-MM / YYYY-Qn -> tháng / quý
 *   periods     a ", " list of periods      note     a nested note: localized itself
 *   month       YYYY-MM -> MM/YYYY
 *   frag        empty, or a text a catalogue template matches (optional pieces)
 *   term:<d>    a code looked up among the catalogue's terms of domain <d>
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"

#define MAX_ARGS 24
#define MAX_DEPTH 4

typedef enum ArgKind
{
	ARG_TEXT, ARG_WORD, ARG_NAME, ARG_NUMBER, ARG_INT, ARG_DATE, ARG_PERIOD, ARG_PERIODS, ARG_MONTH, ARG_NOTE, ARG_FRAG, ARG_TERM
} ArgKind;

typedef struct Template
{
	char	   *key;
	int			nargs;
	char	   *seg[MAX_ARGS + 1];	/* literal before arg i; seg[nargs] the tail */
	int			seglen[MAX_ARGS + 1];
	ArgKind		kind[MAX_ARGS];
	char	   *domain[MAX_ARGS];	/* for ARG_TERM */
	char	   *vi;
	int			literal;		/* total literal bytes: more specific first */
} Template;

typedef struct Term
{
	char	   *domain;
	char	   *code;
	char	   *vi;
} Term;

typedef struct Catalogue
{
	int			ntpl;
	Template   *tpl;
	int			nterm;
	Term	   *term;
} Catalogue;

/* ---------------------------------------------------------------------- */
/* Loading                                                                  */
/* ---------------------------------------------------------------------- */

/* Split an English template into literals; %% becomes a literal %. */
static void
parse_english(Template *t, const char *en)
{
	StringInfoData lit;
	const char *p = en;

	initStringInfo(&lit);
	t->nargs = 0;
	t->literal = 0;
	for (;;)
	{
		if (*p == '\0')
		{
			t->seg[t->nargs] = pstrdup(lit.data);
			t->seglen[t->nargs] = lit.len;
			t->literal += lit.len;
			break;
		}
		if (p[0] == '%' && p[1] == '%')
		{
			appendStringInfoChar(&lit, '%');
			p += 2;
		}
		else if (p[0] == '%' && p[1] == 's')
		{
			if (t->nargs >= MAX_ARGS)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_EXCEPTION),
						 errmsg("message %s has more than %d placeholders", t->key, MAX_ARGS)));
			t->seg[t->nargs] = pstrdup(lit.data);
			t->seglen[t->nargs] = lit.len;
			t->literal += lit.len;
			t->nargs++;
			resetStringInfo(&lit);
			p += 2;
		}
		else if (p[0] == '%')
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("message %s: only %%s and %%%% may appear in the English template", t->key)));
		else
			appendStringInfoChar(&lit, *p++);
	}
	pfree(lit.data);
}

static ArgKind
parse_kind(Template *t, int i, const char *k)
{
	t->domain[i] = NULL;
	if (strcmp(k, "text") == 0)
		return ARG_TEXT;
	if (strcmp(k, "word") == 0)
		return ARG_WORD;
	if (strcmp(k, "name") == 0)
		return ARG_NAME;
	if (strcmp(k, "number") == 0)
		return ARG_NUMBER;
	if (strcmp(k, "int") == 0)
		return ARG_INT;
	if (strcmp(k, "date") == 0)
		return ARG_DATE;
	if (strcmp(k, "period") == 0)
		return ARG_PERIOD;
	if (strcmp(k, "periods") == 0)
		return ARG_PERIODS;
	if (strcmp(k, "month") == 0)
		return ARG_MONTH;
	if (strcmp(k, "note") == 0)
		return ARG_NOTE;
	if (strcmp(k, "frag") == 0)
		return ARG_FRAG;
	if (strncmp(k, "term:", 5) == 0)
	{
		t->domain[i] = pstrdup(k + 5);
		return ARG_TERM;
	}
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("message %s: unknown placeholder kind \"%s\"", t->key, k)));
	return ARG_TEXT;			/* not reached */
}

static int
template_cmp(const void *a, const void *b)
{
	const Template *x = (const Template *) a;
	const Template *y = (const Template *) b;

	if (x->literal != y->literal)
		return y->literal - x->literal;
	return strcmp(x->key, y->key);
}

static Catalogue *
load_catalogue(MemoryContext mcxt)
{
	MemoryContext old;
	Catalogue  *c;
	uint64		n;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT m.kind, m.key, m.en, m.vi, pg_catalog.array_to_string(m.args, ' ')"
					"  FROM cqs.message_text m", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "cannot read cqs.message_text");
	n = SPI_processed;
	old = MemoryContextSwitchTo(mcxt);
	c = palloc0(sizeof(Catalogue));
	c->tpl = palloc0(sizeof(Template) * (n + 1));
	c->term = palloc0(sizeof(Term) * (n + 1));
	for (uint64 r = 0; r < n; r++)
	{
		HeapTuple	tup = SPI_tuptable->vals[r];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *kind = SPI_getvalue(tup, desc, 1);
		char	   *key = SPI_getvalue(tup, desc, 2);
		char	   *en = SPI_getvalue(tup, desc, 3);
		char	   *vi = SPI_getvalue(tup, desc, 4);
		char	   *args = SPI_getvalue(tup, desc, 5);

		if (strcmp(kind, "term") == 0)
		{
			Term	   *tm = &c->term[c->nterm++];
			char	   *colon = strchr(key, ':');

			tm->domain = pnstrdup(key, colon ? (Size) (colon - key) : strlen(key));
			tm->code = pstrdup(en);
			tm->vi = pstrdup(vi);
		}
		else
		{
			Template   *t = &c->tpl[c->ntpl++];
			int			i = 0;
			char	   *tok;
			char	   *save = NULL;

			t->key = pstrdup(key);
			t->vi = pstrdup(vi);
			parse_english(t, en);
			if (args != NULL)
				for (tok = strtok_r(args, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save))
				{
					if (i >= t->nargs)
						break;
					t->kind[i] = parse_kind(t, i, tok);
					i++;
				}
			if (i != t->nargs)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_EXCEPTION),
						 errmsg("message %s has %d placeholders but %d argument kinds",
								t->key, t->nargs, args ? i : 0)));
		}
	}
	MemoryContextSwitchTo(old);
	SPI_finish();
	qsort(c->tpl, c->ntpl, sizeof(Template), template_cmp);
	return c;
}

/* ---------------------------------------------------------------------- */
/* Matching and rendering                                                   */
/* ---------------------------------------------------------------------- */

static bool
all_digits(const char *s, int len)
{
	if (len == 0)
		return false;
	for (int i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool
is_period(const char *s, int len)
{
	if (len != 7 || !all_digits(s, 4) || s[4] != '-')
		return false;
	if (s[5] == 'Q')
		return s[6] >= '1' && s[6] <= '4';
	return all_digits(s + 5, 2) && ((s[5] == '0' && s[6] >= '1') || (s[5] == '1' && s[6] <= '2'));
}

static const Term *
find_term(const Catalogue *c, const char *domain, const char *s, int len)
{
	for (int i = 0; i < c->nterm; i++)
		if (strcmp(c->term[i].domain, domain) == 0 && (int) strlen(c->term[i].code) == len &&
			memcmp(c->term[i].code, s, len) == 0)
			return &c->term[i];
	return NULL;
}

static bool localize_one(StringInfo out, const Catalogue *c, const char *s, int len, int depth);

static bool
arg_valid(const Catalogue *c, const Template *t, int i, const char *s, int len)
{
	switch (t->kind[i])
	{
		case ARG_TEXT:
		case ARG_NOTE:
			return true;
		case ARG_WORD:
		case ARG_NAME:
			if (len == 0)
				return false;
			for (int k = 0; k < len; k++)
				if ((s[k] == ' ' && t->kind[i] == ARG_WORD) || s[k] == ',' || s[k] == '(' || s[k] == ')')
					return false;
			return true;
		case ARG_INT:
			return all_digits(s + (len > 0 && s[0] == '-'), len - (len > 0 && s[0] == '-'));
		case ARG_FRAG:
			{
				StringInfoData scratch;
				bool		ok;

				if (len == 0)
					return true;
				initStringInfo(&scratch);
				ok = localize_one(&scratch, c, s, len, MAX_DEPTH);
				pfree(scratch.data);
				return ok;
			}
		case ARG_NUMBER:
			{
				int			k = (len > 0 && s[0] == '-') ? 1 : 0;
				int			digits = 0;

				if (len == 0)
					return true;	/* format() writes NULL as nothing */
				while (k < len && s[k] >= '0' && s[k] <= '9')
					k++, digits++;
				if (digits == 0)
					return false;
				if (k < len && s[k] == '.')
				{
					k++;
					if (k == len)
						return false;
					while (k < len && s[k] >= '0' && s[k] <= '9')
						k++;
				}
				/* a value cut short says so: "89.9958…" (cqs._rounding_note) */
				if (len - k == 3 && memcmp(s + k, "\xE2\x80\xA6", 3) == 0)
					k += 3;
				return k == len;
			}
		case ARG_DATE:
			if (len == 10 && all_digits(s, 4) && s[4] == '-' && all_digits(s + 5, 2) && s[7] == '-' &&
				all_digits(s + 8, 2))
				return true;
			return len == 10 && all_digits(s, 2) && (s[2] == '-' || s[2] == '/' || s[2] == '.') &&
				all_digits(s + 3, 2) && s[5] == s[2] && all_digits(s + 6, 4);
		case ARG_PERIOD:
			return is_period(s, len);
		case ARG_MONTH:
			return is_period(s, len) && s[5] != 'Q';
		case ARG_PERIODS:
			{
				int			start = 0;

				for (int k = 0; k <= len; k++)
					if (k == len || (s[k] == ',' && k + 1 < len && s[k + 1] == ' '))
					{
						if (!is_period(s + start, k - start))
							return false;
						start = k + 2;
						k++;
					}
				return true;
			}
		case ARG_TERM:
			return find_term(c, t->domain[i], s, len) != NULL;
	}
	return false;
}

/* How many of the first len bytes of s are in set. */
static int
strspn_len(const char *s, int len, const char *set)
{
	int			k = 0;

	while (k < len && strchr(set, s[k]) != NULL && s[k] != '\0')
		k++;
	return k;
}

/* Find captures for args i.. starting at pos; true when the whole text matches. */
static bool
match_from(const Catalogue *c, const Template *t, const char *s, int len, int i, int pos,
		   int *cap_start, int *cap_len)
{
	const char *lit = t->seg[i + 1];
	int			litlen = t->seglen[i + 1];
	bool		last = (i + 1 == t->nargs);

	if (i == t->nargs)
		return pos == len;
	if (last)
	{
		int			at = len - litlen;

		if (at < pos || memcmp(s + at, lit, litlen) != 0 || !arg_valid(c, t, i, s + pos, at - pos))
			return false;
		cap_start[i] = pos;
		cap_len[i] = at - pos;
		return true;
	}
	for (int at = pos; at + litlen <= len; at++)
	{
		if (litlen > 0)
		{
			const char *hit = memchr(s + at, lit[0], len - at);

			if (hit == NULL)
				return false;
			at = hit - s;
			if (at + litlen > len)
				return false;
			if (memcmp(s + at, lit, litlen) != 0)
				continue;
		}
		if (!arg_valid(c, t, i, s + pos, at - pos))
		{
			/*
			 * A capture of these kinds that is invalid stays invalid when it
			 * grows: no later occurrence can do (this keeps matching linear).
			 */
			if (t->kind[i] == ARG_WORD || t->kind[i] == ARG_NAME || t->kind[i] == ARG_INT ||
				((t->kind[i] == ARG_DATE || t->kind[i] == ARG_PERIOD || t->kind[i] == ARG_MONTH) && at - pos >= 10) ||
				(t->kind[i] == ARG_NUMBER && strspn_len(s + pos, at - pos, "0123456789.-\xE2\x80\xA6") < at - pos))
				return false;
			continue;
		}
		cap_start[i] = pos;
		cap_len[i] = at - pos;
		if (match_from(c, t, s, len, i + 1, at + litlen, cap_start, cap_len))
			return true;
	}
	return false;
}

static char *localize_text(const Catalogue *c, const char *s, int len, int depth, bool *matched);

static void
render_arg(StringInfo out, const Catalogue *c, const Template *t, int i, const char *s, int len, int depth)
{
	switch (t->kind[i])
	{
		case ARG_NUMBER:
			for (int k = 0; k < len; k++)
				appendStringInfoChar(out, s[k] == '.' ? ',' : s[k]);
			break;
		case ARG_DATE:
			if (s[4] != '-')
			{
				appendBinaryStringInfo(out, s, len);
				break;
			}
			appendBinaryStringInfo(out, s + 8, 2);
			appendStringInfoChar(out, '/');
			appendBinaryStringInfo(out, s + 5, 2);
			appendStringInfoChar(out, '/');
			appendBinaryStringInfo(out, s, 4);
			break;
		case ARG_MONTH:
			appendStringInfo(out, "%.2s/%.4s", s + 5, s);
			break;
		case ARG_PERIOD:
		case ARG_PERIODS:
			{
				static const char *const roman[] = {"I", "II", "III", "IV"};
				int			start = 0;

				for (int k = 0; k <= len; k++)
					if (k == len || (s[k] == ',' && k + 1 < len && s[k + 1] == ' '))
					{
						const char *p = s + start;

						if (start > 0)
							appendStringInfoString(out, ", ");
						if (p[5] == 'Q')
							appendStringInfo(out, "quý %s/%.4s", roman[p[6] - '1'], p);
						else
							appendStringInfo(out, "tháng %.2s/%.4s", p + 5, p);
						start = k + 2;
						k++;
					}
				break;
			}
		case ARG_NOTE:
			{
				bool		m;

				appendStringInfoString(out, localize_text(c, s, len, depth + 1, &m));
				break;
			}
		case ARG_FRAG:
			if (len > 0 && !localize_one(out, c, s, len, depth + 1))
				appendBinaryStringInfo(out, s, len);
			break;
		case ARG_TERM:
			appendStringInfoString(out, find_term(c, t->domain[i], s, len)->vi);
			break;
		default:
			appendBinaryStringInfo(out, s, len);
	}
}

static void
render(StringInfo out, const Catalogue *c, const Template *t, const char *s, int *cap_start, int *cap_len,
	   int depth)
{
	int			next = 0;

	for (const char *p = t->vi; *p; p++)
	{
		if (p[0] == '%' && p[1] == '%')
		{
			appendStringInfoChar(out, '%');
			p++;
		}
		else if (p[0] == '%' && p[1] == 's')
		{
			if (next < t->nargs)
				render_arg(out, c, t, next, s + cap_start[next], cap_len[next], depth);
			next++;
			p++;
		}
		else if (p[0] == '%' && p[1] >= '1' && p[1] <= '9')
		{
			int			n = 0;
			const char *q = p + 1;

			while (*q >= '0' && *q <= '9')
				n = n * 10 + (*q++ - '0');
			if (q[0] == '$' && q[1] == 's' && n >= 1 && n <= t->nargs)
			{
				render_arg(out, c, t, n - 1, s + cap_start[n - 1], cap_len[n - 1], depth);
				p = q + 1;
			}
			else
				appendStringInfoChar(out, *p);
		}
		else
			appendStringInfoChar(out, *p);
	}
}

/* One template over the whole text. */
static bool
localize_one(StringInfo out, const Catalogue *c, const char *s, int len, int depth)
{
	int			cap_start[MAX_ARGS];
	int			cap_len[MAX_ARGS];

	for (int k = 0; k < c->ntpl; k++)
	{
		const Template *t = &c->tpl[k];
		int			head = t->seglen[0];
		int			tail = t->seglen[t->nargs];

		if (t->nargs == 0)
		{
			if (len != head || memcmp(s, t->seg[0], len) != 0)
				continue;
		}
		else if (len < head + tail || memcmp(s, t->seg[0], head) != 0 ||
				 memcmp(s + len - tail, t->seg[t->nargs], tail) != 0)
			continue;
		if (t->nargs > 0 && !match_from(c, t, s, len, 0, head, cap_start, cap_len))
			continue;
		render(out, c, t, s, cap_start, cap_len, depth);
		return true;
	}
	return false;
}

/*
 * The whole text as one template; else its "; "-separated parts each (notes
 * joined by the code with "; ").  Unmatched text stays as it is.
 */
static char *
localize_text(const Catalogue *c, const char *s, int len, int depth, bool *matched)
{
	StringInfoData out;
	int			start = 0;
	bool		any = false;

	initStringInfo(&out);
	*matched = false;
	if (len == 0 || depth > MAX_DEPTH)
	{
		appendBinaryStringInfo(&out, s, len);
		return out.data;
	}
	if (localize_one(&out, c, s, len, depth))
	{
		*matched = true;
		return out.data;
	}
	resetStringInfo(&out);
	for (int k = 0; k <= len; k++)
		if (k == len || (s[k] == ';' && k + 1 < len && s[k + 1] == ' '))
		{
			if (start > 0)
				appendStringInfoString(&out, "; ");
			if (start == 0 && k == len)
				appendBinaryStringInfo(&out, s, len);	/* no separator: unmatched */
			else if (localize_one(&out, c, s + start, k - start, depth))
				any = true;
			else
				appendBinaryStringInfo(&out, s + start, k - start);
			start = k + 2;
			k++;
		}
	*matched = any;
	return out.data;
}

/* ---------------------------------------------------------------------- */
/* SQL interface                                                            */
/* ---------------------------------------------------------------------- */

/* true for Vietnamese, false for English; 22023 for anything else (argno < 0: the session's). */
static bool
want_vietnamese(FunctionCallInfo fcinfo, int argno)
{
	const char *lang;

	if (argno >= 0)
	{
		lang = text_to_cstring(PG_GETARG_TEXT_PP(argno));
		if (strcmp(lang, "vi") == 0)
			return true;
		if (strcmp(lang, "en") == 0)
			return false;
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lang must be vi or en, got \"%s\"", lang),
				 errhint("Without lang, the session's cqs.language is used (vi unless set).")));
	}
	lang = GetConfigOption("cqs.language", true, false);
	if (lang == NULL || lang[0] == '\0' || strcmp(lang, "vi") == 0)
		return true;
	if (strcmp(lang, "en") == 0)
		return false;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("cqs.language must be vi or en, got \"%s\"", lang),
			 errhint("SET cqs.language = 'vi' (the default) or 'en'.")));
	return true;				/* not reached */
}

static Catalogue *
catalogue(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra = load_catalogue(fcinfo->flinfo->fn_mcxt);
	return (Catalogue *) fcinfo->flinfo->fn_extra;
}

/* Both are STRICT: cqs.localize(note) in the session's language, (note, lang) in lang. */
PG_FUNCTION_INFO_V1(localize);
Datum
localize(PG_FUNCTION_ARGS)
{
	text	   *t;
	bool		m;

	if (!want_vietnamese(fcinfo, PG_NARGS() > 1 ? 1 : -1))
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	t = PG_GETARG_TEXT_PP(0);
	PG_RETURN_TEXT_P(cstring_to_text(localize_text(catalogue(fcinfo), VARDATA_ANY(t),
												   VARSIZE_ANY_EXHDR(t), 0, &m)));
}

PG_FUNCTION_INFO_V1(localize_array);
Datum
localize_array(PG_FUNCTION_ARGS)
{
	ArrayType  *a;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	Catalogue  *c;

	if (!want_vietnamese(fcinfo, PG_NARGS() > 1 ? 1 : -1))
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	a = PG_GETARG_ARRAYTYPE_P(0);
	if (ARR_NDIM(a) == 0)
		PG_RETURN_ARRAYTYPE_P(a);
	if (ARR_NDIM(a) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("notes must be a one-dimensional array, got %d dimensions", ARR_NDIM(a))));
	c = catalogue(fcinfo);
	deconstruct_array(a, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
		if (!nulls[i])
		{
			text	   *t = DatumGetTextPP(elems[i]);
			bool		m;

			elems[i] = PointerGetDatum(cstring_to_text(localize_text(c, VARDATA_ANY(t),
																	 VARSIZE_ANY_EXHDR(t), 0, &m)));
		}
	{
		int			dims[1] = {n};
		int			lbs[1] = {ARR_LBOUND(a)[0]};

		PG_RETURN_ARRAYTYPE_P(construct_md_array(elems, nulls, 1, dims, lbs, TEXTOID, -1, false, TYPALIGN_INT));
	}
}

/* Which template a text matches (NULL: none) -- for tests and the catalogue's checks. */
PG_FUNCTION_INFO_V1(message_key);
Datum
message_key(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	Catalogue  *c = catalogue(fcinfo);
	const char *s = VARDATA_ANY(t);
	int			len = VARSIZE_ANY_EXHDR(t);
	int			cap_start[MAX_ARGS];
	int			cap_len[MAX_ARGS];

	for (int k = 0; k < c->ntpl; k++)
	{
		const Template *tp = &c->tpl[k];
		int			head = tp->seglen[0];
		int			tail = tp->seglen[tp->nargs];

		if (tp->nargs == 0)
		{
			if (len == head && memcmp(s, tp->seg[0], len) == 0)
				PG_RETURN_TEXT_P(cstring_to_text(tp->key));
			continue;
		}
		if (len < head + tail || memcmp(s, tp->seg[0], head) != 0 ||
			memcmp(s + len - tail, tp->seg[tp->nargs], tail) != 0)
			continue;
		if (match_from(c, tp, s, len, 0, head, cap_start, cap_len))
			PG_RETURN_TEXT_P(cstring_to_text(tp->key));
	}
	PG_RETURN_NULL();
}
