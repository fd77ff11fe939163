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
/* A new set with src's names, shapes, groups and values (no optimizer state);
 * NULL when out of memory. */
NNParams *nn_params_clone(const NNParams *src);
/* avg = decay * avg + (1 - decay) * ps, parameter by parameter: the exponential
 * moving average of the weights (Polyak averaging) that a trainer can export in
 * place of the last step's weights, whose noise lets exports a few minutes apart
 * score differently. avg must be a clone of ps; NC_EINVAL when the sets differ. */
int nn_params_average(NNParams *avg, const NNParams *ps, float decay);

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
/* nn_params_load for a wider network (net2net-style growth): a tensor in m may
 * be smaller than its parameter in dims 0 and 1 (outputs and inputs of conv and
 * linear weights, PyTorch's layout; biases have dim 0 only), the other dims
 * must match. The old block is copied; old rows' weights on new inputs are
 * zeroed, so the old outputs do not see the new units; new rows keep the
 * values ps was initialized with. The widened network computes what m's did
 * while every new weight still gets a gradient. NC_EMODEL (logged) if a tensor
 * is missing, larger, or differs elsewhere. */
int nn_params_load_widened(NNParams *ps, const NCModel *m);

#endif
