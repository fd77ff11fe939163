/* Learning an HCLT from samples (used by nc-train and the tests). */
#ifndef NC_PCLOSSLESS_HCLT_TRAIN_H
#define NC_PCLOSSLESS_HCLT_TRAIN_H

#include <stdint.h>

#include "codecs/pclossless/hclt.h"

typedef struct PCTrainRecipe {
    int nstates;          /* latent states per tree node */
    int minibatch_epochs; /* passes of mini-batch EM */
    int batch;            /* samples per mini-batch */
    float step_first;     /* mini-batch EM step size, decayed linearly to step_last */
    float step_last;
    int full_epochs; /* full-batch EM iterations afterwards */
    float pseudocount; /* added to every count of a full pass (scaled for mini-batches) */
    uint64_t seed;
} PCTrainRecipe;

void pc_train_recipe_default(PCTrainRecipe *r);

/* Called after every epoch with the training bits per dimension measured during
 * the pass (before its update); a non-zero return stops training early. */
typedef int (*PCTrainProgress)(void *opaque, int epoch, double train_bpd, const PCHclt *m);

/* Learns m (initialized here; free it with pc_hclt_free) from n samples of d
 * variables, data[n][d]. */
int pc_hclt_train(PCHclt *m, const uint8_t *data, int n, int d, const PCTrainRecipe *r,
                  PCTrainProgress progress, void *opaque);

#endif
