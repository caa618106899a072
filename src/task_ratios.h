/*
 * task_ratios.h -- the cqs.task_ratios aggregate (Art. 14, 18.1.d).
 */
#ifndef CQS_TASK_RATIOS_H
#define CQS_TASK_RATIOS_H

#include "postgres.h"
#include "fmgr.h"

extern Datum task_ratios_transfn(PG_FUNCTION_ARGS);
extern Datum task_ratios_hits_transfn(PG_FUNCTION_ARGS);
extern Datum task_ratios_combinefn(PG_FUNCTION_ARGS);
extern Datum task_ratios_serialfn(PG_FUNCTION_ARGS);
extern Datum task_ratios_deserialfn(PG_FUNCTION_ARGS);
extern Datum task_ratios_finalfn(PG_FUNCTION_ARGS);

#endif							/* CQS_TASK_RATIOS_H */
