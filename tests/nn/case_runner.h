/* Runs an OpCase on given input values: loss = sum(output * weights), so that the
 * gradients of the inputs are the vector-Jacobian product with `weights`. */
#ifndef NC_TESTS_NN_CASE_RUNNER_H
#define NC_TESTS_NN_CASE_RUNNER_H

#include "tests/nn/op_cases.h"

typedef struct CaseRun {
    float *in[CASE_MAX_IN]; /* input values (caller's) */
    float *grad[CASE_MAX_IN]; /* filled by case_run when not NULL */
    const float *weights;   /* output numel values; NULL: all ones */
    float *out;             /* filled with the output when not NULL (out_numel floats) */
    int64_t out_numel;      /* set by case_run */
    double loss;
} CaseRun;

/* Returns 0 or the graph's error. With grads requested, runs backward too. */
int case_run(NNGraph *g, const OpCase *c, CaseRun *r, int want_grad);
int64_t case_in_numel(const OpCase *c, int i);

#endif
