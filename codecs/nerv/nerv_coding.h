/* A nerv segment as integers, and its entropy coding (spec, "Segment packet"):
 * quantized weights with a discretized logistic per tensor, latents with a
 * logistic whose scale is chosen by the magnitudes of already-coded neighbours. */
#ifndef NC_CODECS_NERV_CODING_H
#define NC_CODECS_NERV_CODING_H

#include <stdint.h>

#include "codecs/nerv/nerv.h"
#include "entropy/parametric.h"

#define NERV_CONTEXTS 8 /* 4 by neighbours, for first slices and for changes */
#define NERV_MAX_WEXP 15
#define NERV_MAX_MAGNITUDE ((1 << 20) - 1) /* of any coded integer */

typedef struct NervSegment {
    int n;                      /* frames */
    int32_t *motion;            /* 2 x n: x, y per frame (NervLayout) */
    int mscale;                 /* scale index of the motion steps */
    NervLayout lay;
    int wexp[NERV_TENSORS];     /* weight step 2^-wexp per tensor */
    int wscale[NERV_TENSORS];   /* scale index of each tensor's weights */
    int lscale[NERV_MAX_LEVELS][NERV_CONTEXTS]; /* scale index per level and context */
    int32_t *wq;                /* nerv_param_count() */
    int32_t *yq;                /* lay.offset[levels] */
} NervSegment;

/* The parametric tables every nerv stream uses (spec, "Distributions"). */
int nerv_tables_init(RCParamTables *t);

/* Sets up seg for n frames moved by motion (2 x n values, copied): its layout,
 * and wq and yq zeroed. */
int nerv_segment_alloc(NervSegment *seg, const NervShape *s, int n, const int32_t *motion);
void nerv_segment_free(NervSegment *seg);

/* The context (0 .. NERV_CONTEXTS - 1) of latent (i, j) of slice t of level l. */
int nerv_latent_context(const NervLayout *lay, const int32_t *level, int t, int i, int j, int l);

/* Chooses wscale and lscale to minimize the coded size of wq and yq (cost in bits
 * returned); the encoder calls it before nerv_segment_write. */
double nerv_segment_choose_scales(const RCParamTables *t, const NervShape *s, NervSegment *seg);
/* Bits of coding the weights of tensor `tensor` at step 2^-wexp (values w) with
 * the best scale: the encoder's estimate when it chooses wexp. */
double nerv_weight_bits(const RCParamTables *t, const float *w, size_t count, int wexp);

int nerv_segment_write(const RCParamTables *t, const NervShape *s, const NervSegment *seg,
                       RCEncoder *enc);
/* Reads a segment (allocating seg's arrays); NC_EINVALIDDATA on damage. */
int nerv_segment_read(const RCParamTables *t, const NervShape *s, RCDecoder *dec,
                      NervSegment *seg, void *log_ctx);

/* The latents the synthesis reads (yq holds each grid's first slice, then the
 * changes from one slice to the next): NC_EINVALIDDATA when a sum leaves
 * +-NERV_MAX_MAGNITUDE. */
int nerv_segment_latents(const NervShape *s, const NervSegment *seg, float *y);

/* Weights as floats: wq * 2^-wexp. */
void nerv_segment_weights(const NervShape *s, const NervSegment *seg, float *w);

#endif
