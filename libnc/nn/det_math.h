/* Deterministic elementary functions for the deterministic inference mode
 * (tensor.h: nn_graph_set_deterministic). They use only IEEE binary32 +, -, *, /,
 * conversions and bit manipulation, in a fixed order, so with -ffp-contract=off
 * (set project-wide) they give the same bits with any compiler, optimization
 * level or libm. Accuracy: within a few ulp of the true value (tested against
 * libm in tests/nn/test_deterministic.c). */
#ifndef NC_NN_DET_MATH_H
#define NC_NN_DET_MATH_H

#include <float.h>

#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "deterministic float math needs FLT_EVAL_METHOD == 0 (SSE2 / NEON, not x87)"
#endif

float nn_det_exp(float x);
float nn_det_expm1(float x);
float nn_det_log(float x);
float nn_det_tanh(float x);
float nn_det_sigmoid(float x);
float nn_det_erf(float x);
/* 0.5 x (1 + erf(x / sqrt 2)): PyTorch's exact GELU. */
float nn_det_gelu(float x);

#endif
