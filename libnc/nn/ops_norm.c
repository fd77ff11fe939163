/* Normalizations (layer, group, weight), softmax, log-softmax and embedding. */
#include <math.h>
#include <string.h>

#include "libnc/nn/det_math.h"
#include "libnc/nn/ops.h"
#include "nc/error.h"

/* Layer and group norm share this: `rows` rows of `len` contiguous elements are
 * normalized; the affine parameters are indexed by ((row % groups) * len + j) / inner,
 * which is j for layer norm and the channel for group norm. */
typedef struct NormSaved {
    int64_t rows, len, inner;
    int groups;
    float *mean, *rstd;
} NormSaved;

static int64_t affine_index(const NormSaved *s, int64_t row, int64_t j)
{
    return ((row % s->groups) * s->len + j) / s->inner;
}

static void norm_backward(NNGraph *g, NNNode *n)
{
    NNTensor *x = n->in[0], *gamma = n->in[1], *beta = n->in[2];
    const NormSaved *s = n->aux;
    const float *gy = n->out->grad;
    float *gx = x->requires_grad ? nn_grad(g, x) : NULL;
    float *gg = gamma && gamma->requires_grad ? nn_grad(g, gamma) : NULL;
    float *gb = beta && beta->requires_grad ? nn_grad(g, beta) : NULL;
    for (int64_t r = 0; r < s->rows; r++) {
        const float *xr = x->data + r * s->len, *gyr = gy + r * s->len;
        float mean = s->mean[r], rstd = s->rstd[r];
        double sum_d = 0, sum_dx = 0;
        for (int64_t j = 0; j < s->len; j++) {
            int64_t a = affine_index(s, r, j);
            float xhat = (xr[j] - mean) * rstd;
            float d = gyr[j] * (gamma ? gamma->data[a] : 1.0f);
            sum_d += d;
            sum_dx += (double)d * xhat;
            if (gg)
                gg[a] += gyr[j] * xhat;
            if (gb)
                gb[a] += gyr[j];
        }
        if (!gx)
            continue;
        float md = (float)(sum_d / (double)s->len), mdx = (float)(sum_dx / (double)s->len);
        for (int64_t j = 0; j < s->len; j++) {
            int64_t a = affine_index(s, r, j);
            float xhat = (xr[j] - mean) * rstd;
            float d = gyr[j] * (gamma ? gamma->data[a] : 1.0f);
            gx[r * s->len + j] += rstd * (d - md - xhat * mdx);
        }
    }
}

static NNTensor *normalize(NNGraph *g, NNTensor *x, NNTensor *gamma, NNTensor *beta, float eps,
                           NormSaved *s)
{
    NNTensor *y = nn_tensor(g, x->ndim, x->shape);
    s->mean = nn_graph_scratch(g, sizeof(float) * (size_t)s->rows);
    s->rstd = nn_graph_scratch(g, sizeof(float) * (size_t)s->rows);
    if (!y || !s->mean || !s->rstd)
        return NULL;
    for (int64_t r = 0; r < s->rows; r++) {
        const float *xr = x->data + r * s->len;
        double sum = 0, sq = 0;
        for (int64_t j = 0; j < s->len; j++)
            sum += xr[j];
        double mean = sum / (double)s->len;
        for (int64_t j = 0; j < s->len; j++)
            sq += (xr[j] - mean) * (xr[j] - mean);
        s->mean[r] = (float)mean;
        s->rstd[r] = (float)(1.0 / sqrt(sq / (double)s->len + eps));
        for (int64_t j = 0; j < s->len; j++) {
            int64_t a = affine_index(s, r, j);
            float v = (xr[j] - s->mean[r]) * s->rstd[r];
            y->data[r * s->len + j] =
                v * (gamma ? gamma->data[a] : 1.0f) + (beta ? beta->data[a] : 0.0f);
        }
    }
    NNNode *n = nn_record(g, y, norm_backward, (NNTensor *[]){x, gamma, beta}, 3);
    if (n)
        n->aux = s;
    return y;
}

NNTensor *nn_layer_norm(NNGraph *g, NNTensor *x, NNTensor *gamma, NNTensor *beta, float eps)
{
    if (!x)
        return NULL;
    int64_t len = x->shape[x->ndim - 1];
    if (x->ndim < 1 || (gamma && gamma->numel != len) || (beta && beta->numel != len))
        return nn_graph_fail(g, NC_EINVAL, "layer_norm", "gamma/beta must match the last dim");
    NormSaved *s = nn_graph_scratch(g, sizeof(*s));
    if (!s)
        return NULL;
    *s = (NormSaved){x->numel / len, len, 1, 1, NULL, NULL};
    return normalize(g, x, gamma, beta, eps, s);
}

NNTensor *nn_group_norm(NNGraph *g, NNTensor *x, int groups, NNTensor *gamma, NNTensor *beta,
                        float eps)
{
    if (!x)
        return NULL;
    if (x->ndim < 2 || groups < 1 || x->shape[1] % groups ||
        (gamma && gamma->numel != x->shape[1]) || (beta && beta->numel != x->shape[1]))
        return nn_graph_fail(g, NC_EINVAL, "group_norm", "channels, groups and affine differ");
    NormSaved *s = nn_graph_scratch(g, sizeof(*s));
    if (!s)
        return NULL;
    int64_t inner = nn_inner_size(x, 2);
    *s = (NormSaved){(int64_t)x->shape[0] * groups, x->shape[1] / groups * inner, inner, groups,
                     NULL, NULL};
    return normalize(g, x, gamma, beta, eps, s);
}

/* ---- weight normalization ---- */
static void weight_norm_backward(NNGraph *g, NNNode *n)
{
    NNTensor *v = n->in[0], *gain = n->in[1];
    const float *norms = n->aux, *gy = n->out->grad;
    int64_t per = v->numel / v->shape[0];
    float *gv = v->requires_grad ? nn_grad(g, v) : NULL;
    float *gg = gain->requires_grad ? nn_grad(g, gain) : NULL;
    for (int o = 0; o < v->shape[0]; o++) {
        const float *vr = v->data + o * per, *gr = gy + o * per;
        double dot = 0;
        for (int64_t j = 0; j < per; j++)
            dot += (double)gr[j] * vr[j];
        float nrm = norms[o];
        if (gg)
            gg[o] += (float)(dot / nrm);
        if (gv) {
            float a = gain->data[o] / nrm, b = (float)(dot / ((double)nrm * nrm));
            for (int64_t j = 0; j < per; j++)
                gv[o * per + j] += a * (gr[j] - b * vr[j]);
        }
    }
}

NNTensor *nn_weight_norm(NNGraph *g, NNTensor *v, NNTensor *gain)
{
    if (!v || !gain)
        return NULL;
    if (v->ndim < 1 || gain->numel != v->shape[0])
        return nn_graph_fail(g, NC_EINVAL, "weight_norm", "one gain per output channel");
    NNTensor *w = nn_tensor(g, v->ndim, v->shape);
    float *norms = nn_graph_scratch(g, sizeof(float) * (size_t)v->shape[0]);
    if (!w || !norms)
        return NULL;
    int64_t per = v->numel / v->shape[0];
    for (int o = 0; o < v->shape[0]; o++) {
        double sq = 0;
        for (int64_t j = 0; j < per; j++)
            sq += (double)v->data[o * per + j] * v->data[o * per + j];
        norms[o] = (float)sqrt(sq);
        if (norms[o] == 0)
            norms[o] = 1e-12f;
        for (int64_t j = 0; j < per; j++)
            w->data[o * per + j] = gain->data[o] * v->data[o * per + j] / norms[o];
    }
    NNNode *n = nn_record(g, w, weight_norm_backward, (NNTensor *[]){v, gain}, 2);
    if (n)
        n->aux = norms;
    return w;
}

/* ---- softmax / log-softmax over the last dimension ---- */
static void softmax_backward(NNGraph *g, NNNode *n)
{
    NNTensor *x = n->in[0], *y = n->out;
    int64_t len = x->shape[x->ndim - 1], rows = x->numel / len;
    int is_log = n->iarg[0];
    float *gx = nn_grad(g, x);
    for (int64_t r = 0; gx && r < rows; r++) {
        const float *yr = y->data + r * len, *gr = y->grad + r * len;
        double s = 0;
        for (int64_t j = 0; j < len; j++)
            s += is_log ? gr[j] : (double)gr[j] * yr[j];
        for (int64_t j = 0; j < len; j++)
            gx[r * len + j] += is_log ? gr[j] - expf(yr[j]) * (float)s
                                      : yr[j] * (gr[j] - (float)s);
    }
}

static NNTensor *softmax(NNGraph *g, NNTensor *x, int is_log)
{
    if (!x)
        return NULL;
    NNTensor *y = nn_tensor(g, x->ndim, x->shape);
    if (!y)
        return NULL;
    int64_t len = x->shape[x->ndim - 1], rows = x->numel / len;
    float (*exp_fn)(float) = nn_graph_deterministic(g) ? nn_det_exp : expf;
    float (*log_fn)(float) = nn_graph_deterministic(g) ? nn_det_log : logf;
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x->data + r * len;
        float *yr = y->data + r * len;
        float mx = xr[0];
        for (int64_t j = 1; j < len; j++)
            mx = xr[j] > mx ? xr[j] : mx;
        double s = 0; /* in order, in double: deterministic and exact enough */
        for (int64_t j = 0; j < len; j++)
            s += exp_fn(xr[j] - mx);
        float lse = mx + log_fn((float)s);
        for (int64_t j = 0; j < len; j++)
            yr[j] = is_log ? xr[j] - lse : exp_fn(xr[j] - lse);
    }
    NNNode *n = nn_record(g, y, softmax_backward, &x, 1);
    if (n)
        n->iarg[0] = is_log;
    return y;
}

NNTensor *nn_softmax(NNGraph *g, NNTensor *x) { return softmax(g, x, 0); }
NNTensor *nn_log_softmax(NNGraph *g, NNTensor *x) { return softmax(g, x, 1); }

/* ---- embedding ---- */
static void embedding_backward(NNGraph *g, NNNode *n)
{
    NNTensor *table = n->in[0];
    const int *idx = n->aux;
    int d = table->shape[1];
    float *gt = nn_grad(g, table);
    for (int i = 0; gt && i < n->iarg[0]; i++)
        for (int j = 0; j < d; j++)
            gt[(int64_t)idx[i] * d + j] += n->out->grad[(int64_t)i * d + j];
}

NNTensor *nn_embedding(NNGraph *g, NNTensor *table, const int *idx, int count)
{
    if (!table || !idx)
        return NULL;
    if (table->ndim != 2 || count < 1)
        return nn_graph_fail(g, NC_EINVAL, "embedding", "table must be [V, D]");
    for (int i = 0; i < count; i++)
        if (idx[i] < 0 || idx[i] >= table->shape[0])
            return nn_graph_fail(g, NC_EINVAL, "embedding", "index outside the table");
    int d = table->shape[1];
    NNTensor *y = nn_tensor2(g, count, d);
    int *saved = nn_graph_scratch(g, sizeof(int) * (size_t)count);
    if (!y || !saved)
        return NULL;
    memcpy(saved, idx, sizeof(int) * (size_t)count);
    for (int i = 0; i < count; i++)
        memcpy(y->data + (int64_t)i * d, table->data + (int64_t)idx[i] * d,
               sizeof(float) * (size_t)d);
    NNNode *n = nn_record(g, y, embedding_backward, &table, 1);
    if (n) {
        n->aux = saved;
        n->iarg[0] = count;
    }
    return y;
}
