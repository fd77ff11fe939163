/* The one GEMM entry of libnc/nn: C = alpha op(A) op(B) + beta C, row-major.
 * Normally OpenBLAS; in a deterministic graph a scalar loop that sums every
 * output in ascending k order, so results are the same bits everywhere. */
#ifndef NC_NN_GEMM_H
#define NC_NN_GEMM_H

#include "libnc/nn/tensor.h"

void nn_gemm(const NNGraph *g, int trans_a, int trans_b, int m, int n, int k, float alpha,
             const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);

#endif
