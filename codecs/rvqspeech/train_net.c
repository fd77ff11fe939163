/* The rvqspeech network as nn graph operations (train_net.h). */
#include <stdio.h>

#include "codecs/rvqspeech/train_net.h"
#include "libnc/nn/ops.h"
#include "nc/error.h"

static NNTensor *param(NNParams *ps, const char *stem, const char *what)
{
    char name[NN_PARAM_NAME];
    snprintf(name, sizeof(name), "%s.%s", stem, what);
    NNParam *p = nn_params_find(ps, name);
    return p ? &p->t : NULL;
}

int rvq_net_create(NNParams *ps, const NCRvqShape *sh, NNRng *rng)
{
    NCRvqConvSpec specs[NC_RVQ_CONVS];
    rvq_conv_specs(sh, specs);
    for (int i = 0; i < NC_RVQ_CONVS; i++) {
        char name[NN_PARAM_NAME];
        snprintf(name, sizeof(name), "%.31s.weight", specs[i].name);
        NNTensor *w = nn_param(ps, name, 3, (int[]){specs[i].cout, specs[i].cin, specs[i].k}, 0);
        snprintf(name, sizeof(name), "%.31s.bias", specs[i].name);
        NNTensor *b = nn_param(ps, name, 1, (int[]){specs[i].cout}, 0);
        if (!w || !b)
            return NC_ENOMEM;
        nn_init_default(w, rng);
        nn_init_const(b, 0.0f);
        if (i == NC_RVQ_CONVS - 1) {
            for (int64_t j = 0; j < w->numel; j++) w->data[j] *= 0.1f;
            for (int64_t j = 0; j < b->numel; j++) b->data[j] = 0.0f;
        }
    }
    return 0;
}

static NNTensor *conv(NNGraph *g, NNParams *ps, const NCRvqConvSpec *s, NNTensor *x)
{
    NNConvParams p = nn_conv1d_params(1, s->k > 1 ? -1 : 0, s->dilation, 1, s->k);
    return nn_conv1d(g, x, param(ps, s->name, "weight"), param(ps, s->name, "bias"), p);
}

static NNTensor *side(NNGraph *g, NNParams *ps, const NCRvqConvSpec *s, NNTensor *x)
{
    NNTensor *h = conv(g, ps, &s[0], x);
    for (int u = 0; u < NC_RVQ_UNITS; u++) {
        NNTensor *t = conv(g, ps, &s[1 + 2 * u], nn_elu(g, h, 1.0f));
        t = conv(g, ps, &s[2 + 2 * u], nn_elu(g, t, 1.0f));
        h = nn_add(g, h, t);
    }
    return conv(g, ps, &s[1 + 2 * NC_RVQ_UNITS], nn_elu(g, h, 1.0f));
}

NNTensor *rvq_net_encode(NNGraph *g, NNParams *ps, const NCRvqShape *sh, NNTensor *feat)
{
    NCRvqConvSpec specs[NC_RVQ_CONVS];
    rvq_conv_specs(sh, specs);
    return side(g, ps, specs, feat);
}

NNTensor *rvq_net_decode(NNGraph *g, NNParams *ps, const NCRvqShape *sh, NNTensor *lat)
{
    NCRvqConvSpec specs[NC_RVQ_CONVS];
    rvq_conv_specs(sh, specs);
    return side(g, ps, specs + NC_RVQ_CONVS_PER_SIDE, lat);
}
