/* A direct (unfold-free) convolution for layers with very few output channels,
 * such as the last layer of an image decoder, where im2col + GEMM spends its
 * time unfolding for a GEMM of 1-4 rows. */
#ifndef NC_NN_CONV_DIRECT_H
#define NC_NN_CONV_DIRECT_H

#include "libnc/nn/im2col.h"

#define NN_DIRECT_MAX_COUT 4

/* y[co] += sum over ci, i, j of w[co][ci][i][j] x[ci][shifted by (i, j)] for one
 * sample: x is c x h x w, y is cout x oh x ow, stride 1, groups 1. */
void nn_conv_direct_stride1(const float *x, const NNPatchGeom *q, const float *w, int cout,
                            float *y);

/* dw[co][ci][i][j] += sum over positions of dy[co] x[ci][shifted by (i, j)]: the
 * weight gradient of the same layer, for one sample. */
void nn_conv_direct_weight_grad_stride1(const float *x, const NNPatchGeom *q, const float *dy,
                                        int cout, float *dw);

#endif
