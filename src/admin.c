/*
 * admin.c -- what a DBA adopting the extension relies on: the library's own
 * version (checked against the SQL installed in the database), the database
 * encoding, and the guard that keeps DROP EXTENSION from deleting a city's
 * records unless a superuser allows it (cqs.allow_drop).
 *
 * The version check is cheap: the SQL side passes the installed version
 * (pg_extension.extversion) and the library compares strings; once a
 * backend has seen them agree it remembers that version.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "commands/dbcommands.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/guc.h"

#ifndef CQS_VERSION
#error "CQS_VERSION must be defined (the Makefile takes it from cqs_eval.control)"
#endif

void		_PG_init(void);

/* cqs.allow_drop: superuser-only; on lets DROP EXTENSION cqs_eval delete the records. */
static bool cqs_allow_drop = false;

/* The installed SQL version this backend has already found equal to the library's. */
static char checked_version[64] = "";

void
_PG_init(void)
{
	DefineCustomBoolVariable("cqs.allow_drop",
							 "Lets DROP EXTENSION cqs_eval (or a DROP that cascades to it) delete the city's records.",
							 "Superuser only; take a backup with pg_dump first.",
							 &cqs_allow_drop,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);
	MarkGUCPrefixReserved("cqs.allow_drop");
}

PG_FUNCTION_INFO_V1(cqs_library_version);
Datum
cqs_library_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(CQS_VERSION));
}

/*
 * Whether dotted version a ("1.0") is older than b ("1.2"), part by number.
 */
static bool
version_older(const char *a, const char *b)
{
	while (*a || *b)
	{
		long		x = strtol(a, (char **) &a, 10);
		long		y = strtol(b, (char **) &b, 10);

		if (x != y)
			return x < y;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
		if ((*a && !isdigit((unsigned char) *a)) || (*b && !isdigit((unsigned char) *b)))
			return strcmp(a, b) < 0;
	}
	return false;
}

/*
 * cqs._check_library(installed_version text): raises 55000 unless the loaded
 * library was built for the installed SQL version, or the database is not UTF8.
 * An older SQL version passes while CREATE EXTENSION ... VERSION or ALTER
 * EXTENSION ... UPDATE runs: that is how a release's SQL is installed and then
 * walked to the newest by its update scripts (test/scripts/upgrade.sh), with the
 * newest library loaded throughout.
 */
PG_FUNCTION_INFO_V1(cqs_check_library);
Datum
cqs_check_library(PG_FUNCTION_ARGS)
{
	char	   *installed = text_to_cstring(PG_GETARG_TEXT_PP(0));

	if (strcmp(installed, checked_version) == 0)
		PG_RETURN_VOID();

	if (strcmp(installed, CQS_VERSION) != 0 &&
		!(creating_extension && version_older(installed, CQS_VERSION)))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cqs_eval's library is version %s but this database has its SQL version %s",
						CQS_VERSION, installed),
				 errdetail("The shared library %s was replaced by another version and the extension in this database was not updated to match.",
						   "$libdir/cqs_eval"),
				 errhint("Run ALTER EXTENSION cqs_eval UPDATE TO '%s' in this database, or install the files of version %s again (make install of that release); then reconnect.",
						 CQS_VERSION, installed)));

	if (GetDatabaseEncoding() != PG_UTF8)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("cqs_eval needs a UTF8 database; this database's encoding is %s",
						GetDatabaseEncodingName()),
				 errhint("Create the city's database with ENCODING 'UTF8' (CREATE DATABASE hue TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8').")));

	if (strcmp(installed, CQS_VERSION) == 0)
		strlcpy(checked_version, installed, sizeof(checked_version));
	PG_RETURN_VOID();
}

/*
 * What a DROP names, as cqs._drop_would_delete(kind, names, cascade) takes it:
 * kind 'extension', 'schema' or 'owned' (DROP OWNED BY roles); NULL otherwise.
 */
static const char *
drop_target(Node *parsetree, ArrayType **names, bool *cascade)
{
	List	   *list = NIL;
	const char *kind;
	ListCell   *lc;
	Datum	   *elems;
	int			n = 0;

	if (IsA(parsetree, DropStmt))
	{
		DropStmt   *stmt = (DropStmt *) parsetree;

		if (stmt->removeType == OBJECT_EXTENSION)
			kind = "extension";
		else if (stmt->removeType == OBJECT_SCHEMA)
			kind = "schema";
		else
			return NULL;
		foreach(lc, stmt->objects)
			list = lappend(list, strVal(lfirst(lc)));
		*cascade = (stmt->behavior == DROP_CASCADE);
	}
	else if (IsA(parsetree, DropOwnedStmt))
	{
		DropOwnedStmt *stmt = (DropOwnedStmt *) parsetree;

		kind = "owned";
		foreach(lc, stmt->roles)
			list = lappend(list, get_rolespec_name((RoleSpec *) lfirst(lc)));
		*cascade = (stmt->behavior == DROP_CASCADE);
	}
	else
		return NULL;

	elems = palloc(sizeof(Datum) * Max(list_length(list), 1));
	foreach(lc, list)
		elems[n++] = CStringGetTextDatum((char *) lfirst(lc));
	*names = construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT);
	return kind;
}

/*
 * Event trigger (ddl_command_start on DROP EXTENSION, DROP SCHEMA, DROP OWNED): refuses,
 * unless cqs.allow_drop is on, a DROP that would delete the extension while any
 * of its record tables (those pg_dump keeps, pg_extension_config_dump) holds a row.
 */
PG_FUNCTION_INFO_V1(cqs_drop_guard);
Datum
cqs_drop_guard(PG_FUNCTION_ARGS)
{
	EventTriggerData *trigdata;
	char	   *tables = NULL;
	const char *kind;
	ArrayType  *names;
	bool		cascade;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("cqs._drop_guard() is an event trigger function")));
	trigdata = (EventTriggerData *) fcinfo->context;

	if (cqs_allow_drop)
		PG_RETURN_NULL();
	kind = drop_target(trigdata->parsetree, &names, &cascade);
	if (kind == NULL)
		PG_RETURN_NULL();

	/* Whether the DROP reaches cqs_eval, and which record tables hold rows, is SQL's business. */
	{
		Oid			argtypes[3] = {TEXTOID, TEXTARRAYOID, BOOLOID};
		Datum		values[3];

		values[0] = CStringGetTextDatum(kind);
		values[1] = PointerGetDatum(names);
		values[2] = BoolGetDatum(cascade);

		SPI_connect();
		if (SPI_execute_with_args("SELECT pg_catalog.array_to_string(cqs._drop_would_delete($1, $2, $3), ', ')",
								  3, argtypes, values, NULL, true, 1) == SPI_OK_SELECT &&
			SPI_processed == 1)
		{
			bool		isnull;
			Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

			if (!isnull)
			{
				char	   *s = TextDatumGetCString(d);

				if (s[0] != '\0')
					tables = MemoryContextStrdup(CurTransactionContext, s);
			}
		}
		SPI_finish();
	}

	if (tables != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("%s would delete the city's records kept by cqs_eval", GetCommandTagName(trigdata->tag)),
				 errdetail("Tables holding records: %s.", tables),
				 errhint("Back them up first (pg_dump -Fc -f city.dump %s), then, as a superuser, SET cqs.allow_drop = on and drop again.",
						 get_database_name(MyDatabaseId))));
	PG_RETURN_NULL();
}
