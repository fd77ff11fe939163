/* Reductions and losses. Sums run in double so long tensors lose nothing. */
#include <math.h>

#include "libnc/nn/ops.h"
#include "nc/error.h"

static NNTensor *scalar(NNGraph *g)
{
    return nn_tensor(g, 1, (const int[]){1});
}

static void sum_backward(NNGraph *g, NNNode *n)
{
    NNTensor *x = n->in[0];
    float d = n->out->grad[0] * n->farg[0];
    float *gx = nn_grad(g, x);
    for (int64_t i = 0; gx && i < x->numel; i++)
        gx[i] += d;
}

static NNTensor *sum_scaled(NNGraph *g, NNTensor *x, float scale)
{
    if (!x)
        return NULL;
    NNTensor *y = scalar(g);
    if (!y)
        return NULL;
    double s = 0;
    for (int64_t i = 0; i < x->numel; i++)
        s += x->data[i];
    y->data[0] = (float)(s * scale);
    NNNode *n = nn_record(g, y, sum_backward, &x, 1);
    if (n)
        n->farg[0] = scale;
    return y;
}

NNTensor *nn_sum(NNGraph *g, NNTensor *x)
{
    return sum_scaled(g, x, 1.0f);
}

NNTensor *nn_mean(NNGraph *g, NNTensor *x)
{
    return x ? sum_scaled(g, x, 1.0f / (float)x->numel) : NULL;
}

static void mean_last_backward(NNGraph *g, NNNode *n)
{
    NNTensor *x = n->in[0];
    int64_t len = x->shape[x->ndim - 1];
    float *gx = nn_grad(g, x);
    for (int64_t i = 0; gx && i < x->numel; i++)
        gx[i] += n->out->grad[i / len] / (float)len;
}

NNTensor *nn_mean_last(NNGraph *g, NNTensor *x)
{
    if (!x)
        return NULL;
    int shape[NN_MAX_DIMS];
    for (int d = 0; d < x->ndim; d++)
        shape[d] = x->shape[d];
    int64_t len = x->shape[x->ndim - 1];
    shape[x->ndim - 1] = 1;
    NNTensor *y = nn_tensor(g, x->ndim, shape);
    if (!y)
        return NULL;
    for (int64_t r = 0; r < y->numel; r++) {
        double s = 0;
        for (int64_t j = 0; j < len; j++)
            s += x->data[r * len + j];
        y->data[r] = (float)(s / (double)len);
    }
    nn_record(g, y, mean_last_backward, &x, 1);
    return y;
}

enum { LOSS_L1, LOSS_MSE };

static void loss_backward(NNGraph *g, NNNode *n)
{
    NNTensor *x = n->in[0], *t = n->in[1];
    float scale = n->out->grad[0] / (float)x->numel;
    float *gx = x->requires_grad ? nn_grad(g, x) : NULL;
    float *gt = t->requires_grad ? nn_grad(g, t) : NULL;
    for (int64_t i = 0; i < x->numel; i++) {
        float d = x->data[i] - t->data[i];
        float v = n->iarg[0] == LOSS_MSE ? 2.0f * d : (float)((d > 0) - (d < 0));
        if (gx)
            gx[i] += scale * v;
        if (gt)
            gt[i] -= scale * v;
    }
}

static NNTensor *pair_loss(NNGraph *g, NNTensor *x, NNTensor *t, int kind)
{
    if (!x || !t)
        return NULL;
    if (!nn_same_shape(x, t))
        return nn_graph_fail(g, NC_EINVAL, "loss", "input and target shapes differ");
    NNTensor *y = scalar(g);
    if (!y)
        return NULL;
    double s = 0;
    for (int64_t i = 0; i < x->numel; i++) {
        double d = (double)x->data[i] - t->data[i];
        s += kind == LOSS_MSE ? d * d : fabs(d);
    }
    y->data[0] = (float)(s / (double)x->numel);
    NNNode *n = nn_record(g, y, loss_backward, (NNTensor *[]){x, t}, 2);
    if (n)
        n->iarg[0] = kind;
    return y;
}

NNTensor *nn_l1_loss(NNGraph *g, NNTensor *x, NNTensor *t) { return pair_loss(g, x, t, LOSS_L1); }
NNTensor *nn_mse_loss(NNGraph *g, NNTensor *x, NNTensor *t) { return pair_loss(g, x, t, LOSS_MSE); }

static void nll_backward(NNGraph *g, NNNode *n)
{
    NNTensor *lp = n->in[0];
    const int *target = n->aux;
    int rows = n->iarg[0], v = lp->shape[lp->ndim - 1];
    float *gx = nn_grad(g, lp);
    for (int r = 0; gx && r < rows; r++)
        gx[(int64_t)r * v + target[r]] -= n->out->grad[0] / (float)rows;
}

NNTensor *nn_nll_loss(NNGraph *g, NNTensor *log_probs, const int *target)
{
    if (!log_probs || !target)
        return NULL;
    int v = log_probs->shape[log_probs->ndim - 1];
    int rows = (int)(log_probs->numel / v);
    int *saved = nn_graph_scratch(g, sizeof(int) * (size_t)rows);
    NNTensor *y = scalar(g);
    if (!saved || !y)
        return NULL;
    double s = 0;
    for (int r = 0; r < rows; r++) {
        if (target[r] < 0 || target[r] >= v)
            return nn_graph_fail(g, NC_EINVAL, "nll_loss", "target outside the classes");
        saved[r] = target[r];
        s -= log_probs->data[(int64_t)r * v + target[r]];
    }
    y->data[0] = (float)(s / rows);
    NNNode *n = nn_record(g, y, nll_backward, &log_probs, 1);
    if (n) {
        n->aux = saved;
        n->iarg[0] = rows;
    }
    return y;
}
