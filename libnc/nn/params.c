#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libnc/nn/params.h"
#include "nc/error.h"
#include "nc/log.h"

void nn_rng_seed(NNRng *r, uint64_t seed)
{
    r->state = seed;
}

uint64_t nn_rng_next(NNRng *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

float nn_rng_uniform(NNRng *r)
{
    return (float)(nn_rng_next(r) >> 40) * (1.0f / 16777216.0f);
}

float nn_rng_normal(NNRng *r)
{
    double u1 = ((double)(nn_rng_next(r) >> 11) + 1.0) / 9007199254740993.0;
    double u2 = (double)(nn_rng_next(r) >> 11) / 9007199254740992.0;
    return (float)(sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2));
}

NNParams *nn_params_alloc(void)
{
    return calloc(1, sizeof(NNParams));
}

void nn_params_free(NNParams **ps)
{
    if (!ps || !*ps)
        return;
    for (int i = 0; i < (*ps)->count; i++) {
        NNParam *p = (*ps)->items[i];
        free(p->t.data);
        free(p->t.grad);
        free(p->m);
        free(p->v);
        free(p);
    }
    free((*ps)->items);
    free(*ps);
    *ps = NULL;
}

NNParam *nn_params_find(NNParams *ps, const char *name)
{
    for (int i = 0; i < ps->count; i++)
        if (!strcmp(ps->items[i]->name, name))
            return ps->items[i];
    return NULL;
}

NNTensor *nn_param(NNParams *ps, const char *name, int ndim, const int *shape, int group)
{
    if (!ps || !name || strlen(name) >= NN_PARAM_NAME || nn_params_find(ps, name) ||
        ndim < 1 || ndim > NN_MAX_DIMS)
        return NULL;
    int64_t numel = 1;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] < 1)
            return NULL;
        numel *= shape[d];
    }
    if (ps->count == ps->cap) {
        int cap = ps->cap ? 2 * ps->cap : 32;
        NNParam **items = realloc(ps->items, sizeof(*items) * (size_t)cap);
        if (!items)
            return NULL;
        ps->items = items;
        ps->cap = cap;
    }
    NNParam *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    snprintf(p->name, sizeof(p->name), "%s", name);
    p->group = group;
    p->t.ndim = ndim;
    memcpy(p->t.shape, shape, sizeof(int) * (size_t)ndim);
    p->t.numel = numel;
    p->t.requires_grad = 1;
    p->t.data = calloc((size_t)numel, sizeof(float));
    p->t.grad = calloc((size_t)numel, sizeof(float));
    if (!p->t.data || !p->t.grad) {
        free(p->t.data);
        free(p->t.grad);
        free(p);
        return NULL;
    }
    ps->items[ps->count++] = p;
    return &p->t;
}

void nn_params_zero_grad(NNParams *ps)
{
    for (int i = 0; i < ps->count; i++)
        memset(ps->items[i]->t.grad, 0, sizeof(float) * (size_t)ps->items[i]->t.numel);
}

int64_t nn_params_numel(const NNParams *ps)
{
    int64_t n = 0;
    for (int i = 0; i < ps->count; i++)
        n += ps->items[i]->t.numel;
    return n;
}

NNParams *nn_params_clone(const NNParams *src)
{
    NNParams *ps = nn_params_alloc();
    for (int i = 0; ps && i < src->count; i++) {
        const NNParam *p = src->items[i];
        NNTensor *t = nn_param(ps, p->name, p->t.ndim, p->t.shape, p->group);
        if (!t) {
            nn_params_free(&ps);
            break;
        }
        memcpy(t->data, p->t.data, sizeof(float) * (size_t)t->numel);
    }
    return ps;
}

int nn_params_average(NNParams *avg, const NNParams *ps, float decay)
{
    if (avg->count != ps->count)
        return NC_EINVAL;
    for (int i = 0; i < ps->count; i++) {
        NNTensor *a = &avg->items[i]->t;
        const NNTensor *p = &ps->items[i]->t;
        if (a->numel != p->numel || strcmp(avg->items[i]->name, ps->items[i]->name))
            return NC_EINVAL;
        for (int64_t j = 0; j < a->numel; j++)
            a->data[j] = decay * a->data[j] + (1.0f - decay) * p->data[j];
    }
    return 0;
}

void nn_init_uniform(NNTensor *t, NNRng *r, float bound)
{
    for (int64_t i = 0; i < t->numel; i++)
        t->data[i] = (2.0f * nn_rng_uniform(r) - 1.0f) * bound;
}

void nn_init_default(NNTensor *w, NNRng *r)
{
    nn_init_uniform(w, r, 1.0f / sqrtf((float)(w->numel / w->shape[0])));
}

void nn_init_const(NNTensor *t, float value)
{
    for (int64_t i = 0; i < t->numel; i++)
        t->data[i] = value;
}

int nn_params_save(const NNParams *ps, NCModelWriter *w, enum NCModelDType dtype)
{
    for (int i = 0; i < ps->count; i++) {
        const NNParam *p = ps->items[i];
        int64_t dims[NN_MAX_DIMS];
        for (int d = 0; d < p->t.ndim; d++)
            dims[d] = p->t.shape[d];
        int ret = nc_model_writer_add_f32(w, p->name, p->t.ndim, dims, p->t.data, dtype);
        if (ret < 0)
            return ret;
    }
    return 0;
}

int nn_params_load(NNParams *ps, const NCModel *m)
{
    for (int i = 0; i < ps->count; i++) {
        NNParam *p = ps->items[i];
        int64_t dims[NN_MAX_DIMS];
        for (int d = 0; d < p->t.ndim; d++)
            dims[d] = p->t.shape[d];
        const NCModelTensor *t;
        int ret = nc_model_tensor_expect(m, p->name, p->t.ndim, dims, &t);
        if (ret < 0)
            return ret;
        ret = nc_model_tensor_to_f32(t, p->t.data, p->t.numel);
        if (ret < 0)
            return ret;
    }
    return 0;
}

/* dst (shape) <- src (old), both row-major with equal trailing dims past 1. */
static void widen_into(const NNTensor *dst, const int64_t *old, const float *src)
{
    int64_t inner = 1;
    for (int d = 2; d < dst->ndim; d++)
        inner *= dst->shape[d];
    const int64_t cols = dst->ndim > 1 ? dst->shape[1] : 1, old_cols = dst->ndim > 1 ? old[1] : 1;
    for (int64_t r = 0; r < old[0]; r++) {
        float *row = dst->data + r * cols * inner;
        memcpy(row, src + r * old_cols * inner, sizeof(float) * (size_t)(old_cols * inner));
        memset(row + old_cols * inner, 0, sizeof(float) * (size_t)((cols - old_cols) * inner));
    }
}

int nn_params_load_widened(NNParams *ps, const NCModel *m)
{
    for (int i = 0; i < ps->count; i++) {
        NNParam *p = ps->items[i];
        const NCModelTensor *t = nc_model_tensor(m, p->name);
        int fits = t && t->ndim == p->t.ndim;
        for (int d = 0; fits && d < p->t.ndim; d++)
            fits = d < 2 ? t->dims[d] <= p->t.shape[d] : t->dims[d] == p->t.shape[d];
        if (!fits) {
            nc_log(NULL, NC_LOG_ERROR, "model %s: tensor %s is missing or does not fit in a "
                   "wider network", nc_model_id(m), p->name);
            return NC_EMODEL;
        }
        if (t->numel == p->t.numel) {
            int ret = nc_model_tensor_to_f32(t, p->t.data, p->t.numel);
            if (ret < 0)
                return ret;
            continue;
        }
        float *old = malloc(sizeof(float) * (size_t)t->numel);
        if (!old)
            return NC_ENOMEM;
        int ret = nc_model_tensor_to_f32(t, old, t->numel);
        if (ret >= 0)
            widen_into(&p->t, t->dims, old);
        free(old);
        if (ret < 0)
            return ret;
    }
    return 0;
}

