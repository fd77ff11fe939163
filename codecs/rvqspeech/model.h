/* A loaded rvqspeech model, ready for frame-by-frame inference (stream.h).
 *
 * The .ncm file (architecture "rvqspeech") holds: hyper-parameters channels,
 * latent, stages, codes, sample_rate (16000), hop (320); the conv weights and
 * biases named in net.h; "rvq.codebooks" [stages, codes, latent]; and the entropy
 * coder's starting statistics: "prior.counts" [stages, codes] (index histogram,
 * int32) and "prior.repeat" [stages] (P(index == previous frame's) * 65536). */
#ifndef NC_RVQSPEECH_MODEL_H
#define NC_RVQSPEECH_MODEL_H

#include <stdint.h>

#include "codecs/rvqspeech/net.h"
#include "libnc/vq/rvq.h"
#include "libnc/nn/kernels.h"
#include "nc/model.h"

#define NC_RVQ_ARCH "rvqspeech"
/* model=auto (the encoder's default): NC_RVQ_TURNS_MODEL, trained with band gains
 * and phase turns applied, for 6 kbit/s's plan (NC_RVQ_TURNS_STAGES stages, gains
 * and turns); NC_RVQ_DEFAULT_MODEL for every other plan. */
#define NC_RVQ_AUTO_MODEL "auto"
#define NC_RVQ_DEFAULT_MODEL "rvqspeech-small10"
#define NC_RVQ_TURNS_MODEL "rvqspeech-6k"
#define NC_RVQ_TURNS_STAGES 4

/* One conv, weights reordered to [k][cin][cout] so that the inner loop of a
 * frame's matrix-vector product runs over outputs. The decoder's convs also keep
 * the weights in the file's precision (f16 or int8 + scales, same layout) for the
 * inference kernels (libnc/nn/kernels.h): taps[j] is tap j, back[j] its delay. */
typedef struct NCRvqConv {
    NCRvqConvSpec spec;
    float *w; /* [k][cin][cout] */
    float *b; /* [cout] */
    void *stored;       /* decoder: [k][cin][cout] in the file's dtype (NULL if f32), or
                           after rvq_model_decoder_i8a16 each tap packed for NN_W_I8A16 */
    float *scale;       /* int8: [cout]; NN_W_I8A16: [k][cout] */
    NNWeights taps[3];  /* decoder: views of stored (or of w) per tap */
    int back[3];
} NCRvqConv;

typedef struct NCRvqModel {
    NCModel *file; /* id and hash for the stream header */
    NCRvqShape shape;
    NCRvqConv conv[NC_RVQ_CONVS];
    NCRvq rvq;
    uint64_t *prior_counts; /* [stages][codes] */
    uint32_t prior_repeat[NC_RVQ_MAX_STAGES]; /* P(repeat) on 16 bits, 1..65535 */
} NCRvqModel;

/* Takes ownership of file (freed by rvq_model_free, also on failure). Checks
 * every shape; NC_EMODEL (logged) on any mismatch. */
int rvq_model_open(NCRvqModel *m, NCModel *file);
void rvq_model_free(NCRvqModel *m);
/* Switches the decoder's convs to int8 weights with int16 activations (NN_W_I8A16:
 * each tap quantized per output channel from the file's values, then packed): faster
 * GEMVs, samples within the int8 weights' rounding of the stored-precision decoder
 * (codecs/rvqspeech/README.md). 0, NC_ENOMEM or NC_EMODEL (a conv too wide). */
int rvq_model_decoder_i8a16(NCRvqModel *m);

#endif
