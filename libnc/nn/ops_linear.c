/* Fully connected layer through OpenBLAS sgemm. */
#include <string.h>

#include "libnc/nn/gemm.h"
#include "libnc/nn/ops.h"
#include "nc/error.h"

static void linear_backward(NNGraph *g, NNNode *n)
{
    NNTensor *x = n->in[0], *w = n->in[1], *b = n->in[2];
    int out = w->shape[0], in = w->shape[1], m = (int)(x->numel / in);
    const float *gy = n->out->grad;
    if (x->requires_grad) {
        float *gx = nn_grad(g, x);
        if (gx)
            nn_gemm(g, 0, 0, m, in, out, 1.0f, gy, out,
                        w->data, in, 1.0f, gx, in);
    }
    if (w->requires_grad) {
        float *gw = nn_grad(g, w);
        if (gw)
            nn_gemm(g, 1, 0, out, in, m, 1.0f, gy, out,
                        x->data, in, 1.0f, gw, in);
    }
    if (b && b->requires_grad) {
        float *gb = nn_grad(g, b);
        for (int r = 0; gb && r < m; r++)
            for (int o = 0; o < out; o++)
                gb[o] += gy[(int64_t)r * out + o];
    }
}

NNTensor *nn_linear(NNGraph *g, NNTensor *x, NNTensor *w, NNTensor *b)
{
    if (!x || !w)
        return NULL;
    if (w->ndim != 2 || x->ndim < 1 || x->shape[x->ndim - 1] != w->shape[1] ||
        (b && b->numel != w->shape[0]))
        return nn_graph_fail(g, NC_EINVAL, "linear", "input, weight and bias do not fit");
    int out = w->shape[0], in = w->shape[1], m = (int)(x->numel / in);
    int shape[NN_MAX_DIMS];
    memcpy(shape, x->shape, sizeof(shape));
    shape[x->ndim - 1] = out;
    NNTensor *y = nn_tensor(g, x->ndim, shape);
    if (!y)
        return NULL;
    for (int r = 0; r < m; r++)
        for (int o = 0; o < out; o++)
            y->data[(int64_t)r * out + o] = b ? b->data[o] : 0.0f;
    nn_gemm(g, 0, 1, m, out, in, 1.0f, x->data, in, w->data,
                in, 1.0f, y->data, out);
    nn_record(g, y, linear_backward, (NNTensor *[]){x, w, b}, 3);
    return y;
}
