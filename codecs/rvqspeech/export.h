/* Writes an rvqspeech model file (the layout model.h reads). */
#ifndef NC_RVQSPEECH_EXPORT_H
#define NC_RVQSPEECH_EXPORT_H

#include <stdint.h>

#include "codecs/rvqspeech/net.h"
#include "libnc/nn/params.h"
#include "nc/model.h"

typedef struct NCRvqExport {
    const char *path, *id;
    NCRvqShape shape;
    const NNParams *net;     /* the conv weights of train_net.h */
    const float *codebooks;  /* [stages][codes][latent] */
    const uint64_t *use;     /* [stages][codes] index counts, or NULL (uniform prior) */
    const uint64_t *repeat;  /* [stages][2] repeat / change counts, or NULL */
    const char *const *info; /* extra key, value, ..., NULL: provenance for the card */
    enum NCModelDType dtype; /* weights and codebooks: NC_MODEL_F32 or NC_MODEL_F16 */
} NCRvqExport;

int rvq_export(const NCRvqExport *e);

#endif
