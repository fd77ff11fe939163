/* The training recipe: Chow-Liu structure, then mini-batch EM, then full-batch EM
 * (the schedule of the seed paper, with pseudocounts smoothing every update). */
#include <stdlib.h>

#include "codecs/pclossless/hclt_train.h"
#include "nc/error.h"

#define LN2 0.6931471805599453

void pc_train_recipe_default(PCTrainRecipe *r)
{
    r->nstates = 16;
    r->minibatch_epochs = 3;
    r->batch = 512;
    r->step_first = 0.1f;
    r->step_last = 0.02f;
    r->full_epochs = 10;
    r->pseudocount = 0.1f;
    r->seed = 1;
}

int pc_hclt_train(PCHclt *m, const uint8_t *data, int n, int d, const PCTrainRecipe *r,
                  PCTrainProgress progress, void *opaque)
{
    if (n < 1 || d < 1 || d > PC_MAX_VARS || r->nstates < 1 || r->nstates > PC_MAX_STATES ||
        r->batch < 1)
        return NC_EINVAL;
    int *parent = malloc(sizeof(int) * (size_t)d);
    if (!parent) return NC_ENOMEM;
    int ret = pc_chow_liu_tree(data, n, d, parent);
    PCTree tree;
    if (ret >= 0) ret = pc_tree_init(&tree, d, parent);
    free(parent);
    if (ret < 0) return ret;
    ret = pc_hclt_init(m, &tree, r->nstates, data, n, r->seed);
    if (ret < 0) {
        pc_tree_free(&tree);
        return ret;
    }
    PCHcltStats s;
    ret = pc_hclt_stats_alloc(&s, m);
    if (ret < 0) goto fail;

    int batch = r->batch < n ? r->batch : n;
    int steps = r->minibatch_epochs * (n / batch);
    int step_index = 0;
    for (int epoch = 0; epoch < r->minibatch_epochs; epoch++) {
        double loglik = 0;
        for (int b = 0; b + batch <= n; b += batch, step_index++) {
            float frac = steps > 1 ? (float)step_index / (float)(steps - 1) : 0.0f;
            float step = r->step_first + (r->step_last - r->step_first) * frac;
            pc_hclt_stats_clear(&s);
            pc_hclt_accumulate(m, data + (size_t)b * d, batch, &s);
            loglik += s.loglik;
            pc_hclt_update(m, &s, step, r->pseudocount * (float)batch / (float)n);
        }
        double seen = (double)(n / batch) * batch * d;
        if (progress && progress(opaque, epoch, -loglik / (seen * LN2), m))
            goto done;
    }
    for (int epoch = 0; epoch < r->full_epochs; epoch++) {
        pc_hclt_stats_clear(&s);
        pc_hclt_accumulate(m, data, n, &s);
        pc_hclt_update(m, &s, 1.0f, r->pseudocount);
        if (progress && progress(opaque, r->minibatch_epochs + epoch,
                                 -s.loglik / ((double)n * d * LN2), m))
            goto done;
    }
done:
    pc_hclt_stats_free(&s);
    return 0;
fail:
    pc_hclt_free(m);
    return ret;
}
