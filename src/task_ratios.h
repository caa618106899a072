/*
 * task_ratios.h -- the cqs.task_ratios aggregate (Art. 14, 18.1.d).
 */
#ifndef CQS_TASK_RATIOS_H
#define CQS_TASK_RATIOS_H

#include "postgres.h"
#include "fmgr.h"

/* the aggregates' state, cqs.task_ratios_state (shippable between nodes) */
extern Datum task_ratios_state_in(PG_FUNCTION_ARGS);
extern Datum task_ratios_state_out(PG_FUNCTION_ARGS);
extern Datum task_ratios_state_recv(PG_FUNCTION_ARGS);
extern Datum task_ratios_state_send(PG_FUNCTION_ARGS);
extern Datum task_ratios_state_transfn(PG_FUNCTION_ARGS);
extern Datum task_ratios_state_hits_transfn(PG_FUNCTION_ARGS);
extern Datum task_ratios_state_combinefn(PG_FUNCTION_ARGS);
extern Datum task_ratios_state_finalfn(PG_FUNCTION_ARGS);

#endif							/* CQS_TASK_RATIOS_H */
