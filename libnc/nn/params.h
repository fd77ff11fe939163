/* Trainable parameters: named tensors that outlive graphs, their random
 * initialization, saving into / loading from .ncm models, and checkpoints. */
#ifndef NC_NN_PARAMS_H
#define NC_NN_PARAMS_H

#include <stdint.h>

#include "libnc/nn/tensor.h"
#include "nc/model.h"

#define NN_PARAM_NAME 96

typedef struct NNParam {
    char name[NN_PARAM_NAME];
    NNTensor t;     /* data and grad are owned here */
    int group;      /* parameter group for the optimizer (optim.h) */
    float *m, *v;   /* optimizer state, allocated by the first step that needs it */
} NNParam;

typedef struct NNParams {
    NNParam **items;
    int count, cap;
} NNParams;

/* A small deterministic generator (splitmix64) so that a seed fixes a run. */
typedef struct NNRng {
    uint64_t state;
} NNRng;

void nn_rng_seed(NNRng *r, uint64_t seed);
uint64_t nn_rng_next(NNRng *r);
float nn_rng_uniform(NNRng *r); /* [0, 1) */
float nn_rng_normal(NNRng *r);  /* standard normal (Box-Muller) */

NNParams *nn_params_alloc(void);
void nn_params_free(NNParams **ps);
/* A new zeroed parameter (gradient allocated) in group; NULL on failure or a
 * duplicate name. The tensor stays valid until the set is freed. */
NNTensor *nn_param(NNParams *ps, const char *name, int ndim, const int *shape, int group);
NNParam *nn_params_find(NNParams *ps, const char *name);
void nn_params_zero_grad(NNParams *ps);
int64_t nn_params_numel(const NNParams *ps);

/* U(-bound, bound). */
void nn_init_uniform(NNTensor *t, NNRng *r, float bound);
/* PyTorch's default for linear, conv and transposed-conv weights and biases:
 * U(+-1/sqrt(fan_in)) with fan_in = numel / dim0 of the weight (PyTorch takes
 * dim 1 times the kernel size, the same number). */
void nn_init_default(NNTensor *w, NNRng *r);
void nn_init_const(NNTensor *t, float value);

/* Adds every parameter to w as a tensor stored as dtype (F32, F16 or I8). */
int nn_params_save(const NNParams *ps, NCModelWriter *w, enum NCModelDType dtype);
/* Sets every parameter from the tensor of the same name and shape in m
 * (dequantized); NC_EMODEL (logged) if one is missing or differs. */
int nn_params_load(NNParams *ps, const NCModel *m);

#endif
