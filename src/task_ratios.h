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

/* cqs.task_ratios_state: the same state as a real type (shippable between nodes) */
extern Datum task_ratios_state_in(PG_FUNCTION_ARGS);
extern Datum task_ratios_state_out(PG_FUNCTION_ARGS);
extern Datum task_ratios_state_recv(PG_FUNCTION_ARGS);
extern Datum task_ratios_state_send(PG_FUNCTION_ARGS);
extern Datum task_ratios_state_transfn(PG_FUNCTION_ARGS);
extern Datum task_ratios_state_hits_transfn(PG_FUNCTION_ARGS);
extern Datum task_ratios_state_combinefn(PG_FUNCTION_ARGS);
extern Datum task_ratios_state_finalfn(PG_FUNCTION_ARGS);

#endif							/* CQS_TASK_RATIOS_H */
