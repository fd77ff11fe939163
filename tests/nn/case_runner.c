#include <string.h>

#include "tests/nn/case_runner.h"
#include "nc/error.h"

int64_t case_in_numel(const OpCase *c, int i)
{
    int64_t n = 1;
    for (int d = 0; d < c->ndim[i]; d++)
        n *= c->shape[i][d];
    return n;
}

int case_run(NNGraph *g, const OpCase *c, CaseRun *r, int want_grad)
{
    nn_graph_reset(g);
    nn_graph_set_grad(g, want_grad);
    NNTensor *in[CASE_MAX_IN] = {NULL};
    for (int i = 0; i < c->n_in; i++) {
        in[i] = nn_tensor_from(g, c->ndim[i], c->shape[i], r->in[i]);
        if (!in[i])
            return nn_graph_error(g);
        in[i]->requires_grad = want_grad && !(c->no_grad >> i & 1);
    }
    NNTensor *y = c->run(g, in);
    if (!y)
        return nn_graph_error(g) ? nn_graph_error(g) : NC_EBUG;
    r->out_numel = y->numel;
    if (r->out)
        memcpy(r->out, y->data, sizeof(float) * (size_t)y->numel);
    NNTensor *w = nn_tensor(g, y->ndim, y->shape);
    if (!w)
        return nn_graph_error(g);
    for (int64_t k = 0; k < y->numel; k++)
        w->data[k] = r->weights ? r->weights[k] : 1.0f;
    double loss = 0;
    for (int64_t k = 0; k < y->numel; k++)
        loss += (double)y->data[k] * w->data[k];
    r->loss = loss;
    if (!want_grad)
        return 0;
    NNTensor *l = nn_sum(g, nn_mul(g, y, w));
    int ret = nn_backward(g, l);
    if (ret < 0)
        return ret;
    for (int i = 0; i < c->n_in; i++)
        if (r->grad[i]) {
            if (in[i]->grad)
                memcpy(r->grad[i], in[i]->grad, sizeof(float) * (size_t)in[i]->numel);
            else
                memset(r->grad[i], 0, sizeof(float) * (size_t)in[i]->numel);
        }
    return 0;
}
