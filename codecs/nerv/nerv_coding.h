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
#define NERV_MEAN_TAPS 5 /* a latent's mean from: left, up, up-left, up-right, previous slice */
#define NERV_TAP_BITS 6  /* a tap: signed, in 1/2^NERV_TAP_FRAC */
#define NERV_TAP_FRAC 4
#define NERV_MEAN_FRAC 2 /* fractional bits of a latent's mean (the tables' mean_frac_bits) */

/* What a predicted segment is coded against (spec §2, §3): the segment before
 * it, as the decoder has it. */
typedef struct NervRef {
    int valid;
    int ox, oy;                 /* its level-0 grid's origin */
    int lw[NERV_MAX_LEVELS], lh[NERV_MAX_LEVELS];
    size_t offset[NERV_MAX_LEVELS + 1]; /* of each level's slice in last */
    int32_t *last;              /* each level's last time slice (integrated) */
    int32_t *wq;                /* its weights, tensor k at step 2^-wexp[k] */
    int wexp[NERV_MAX_TENSORS];
    int32_t motion[2];          /* its last frame's */
} NervRef;

typedef struct NervSegment {
    int n;                      /* frames */
    int predicted;              /* coded against a NervRef */
    int32_t mprev[2];           /* the motion before frame 0: the reference's last, or 0 */
    int32_t *motion;            /* 2 x n: x, y per frame (NervLayout) */
    int mscale;                 /* scale index of the motion steps */
    NervLayout lay;
    int wexp[NERV_MAX_TENSORS];     /* weight step 2^-wexp per tensor */
    int wscale[NERV_MAX_TENSORS];   /* scale index of each tensor's weights */
    int lscale[NERV_MAX_LEVELS][NERV_CONTEXTS]; /* scale index per level and context */
    int32_t *wq;                /* nerv_param_count(): the weights (not their changes) */
    int32_t *wpred;             /* predicted: the weights' prediction at wexp (else NULL) */
    int32_t *yq;                /* lay.offset[levels]: as coded (first slices, then changes) */
    int32_t *yref;              /* predicted: the reference's last slices moved with the
                                   scene, in yq's layout (later slices 0); else NULL */
    int gain[NERV_MAX_LEVELS];  /* predicted: each level's prediction is yref * gain / 8 */
    /* version 3: per level and part (0: first slice, 1: the changes) whether the values
     * are coded about a mean predicted from their neighbours, and its taps */
    int mean_on[NERV_MAX_LEVELS][2];
    int tap[NERV_MAX_LEVELS][2][NERV_MEAN_TAPS];
    NervLocal local;            /* version 4: local motion (block_log2 0: none); local.v owned */
    int vscale;                 /* scale index of the local vectors' changes */
    double motion_bits, weight_bits, latent_bits; /* set by nerv_segment_choose_scales */
    double local_saving;        /* the encoder's: nerv_estimate_local's saving */
} NervSegment;

#define NERV_GAIN_ONE 8 /* the largest gain: the prediction is the reference itself */

/* A first slice's prediction from its reference value r (spec §3). */
static inline int32_t nerv_predict(int32_t r, int gain)
{
    return (int32_t)nerv_floor_div((int64_t)r * gain + NERV_GAIN_ONE / 2, NERV_GAIN_ONE);
}

/* v clamped to the range of a coded integer. */
static inline int32_t nerv_clamp_magnitude(int64_t v)
{
    return (int32_t)(v > NERV_MAX_MAGNITUDE ? NERV_MAX_MAGNITUDE : v < -NERV_MAX_MAGNITUDE ? -NERV_MAX_MAGNITUDE : v);
}

/* The parametric tables every nerv stream uses (spec, "Distributions"). */
int nerv_tables_init(RCParamTables *t);

/* Sets up seg for n frames moved by motion (2 x n values, copied): its layout,
 * and wq and yq zeroed; with ref (valid), a predicted segment: mprev and yref
 * filled, gain NERV_GAIN_ONE, wpred left for nerv_predict_weights once wexp is known. */
int nerv_segment_alloc(NervSegment *seg, const NervShape *s, int n, const int32_t *motion,
                       const NervRef *ref);
void nerv_segment_free(NervSegment *seg);
/* Gives seg local motion: blocks of 2^block_log2 positions, the grids in warped,
 * vectors v (n x bh x bw x 2, copied; the middle frame's must be 0). */
int nerv_segment_set_local(NervSegment *seg, const NervShape *s, int block_log2, unsigned warped,
                           const int32_t *v);
/* Takes seg's local motion away (block_log2 0: none). */
void nerv_segment_clear_local(NervSegment *seg);
/* Frame f's neighbour toward the middle frame n / 2 (whose vectors are 0): the
 * vector a local one is coded as a change from. */
static inline int nerv_local_neighbour(int n, int f) { return f < n / 2 ? f + 1 : f - 1; }

/* Tensor k's prediction at step 2^-wexp from ref's weights (spec §2): into
 * seg->wpred. */
void nerv_predict_weights(const NervShape *s, const NervRef *ref, NervSegment *seg, int k,
                          int wexp);

/* Makes ref the decoded seg (its latents must have passed nerv_segment_latents). */
int nerv_ref_set(NervRef *ref, const NervShape *s, const NervSegment *seg);
void nerv_ref_free(NervRef *ref);

/* The context (0 .. NERV_CONTEXTS - 1) of latent (i, j) of slice t of level l. */
int nerv_latent_context(const NervLayout *lay, const int32_t *level, int t, int i, int j, int l);

/* The mean (in 1/2^NERV_MEAN_FRAC) about which value (i, j) of slice t of level l is
 * coded, from the coded values before it and the taps of its part (spec §3). */
int32_t nerv_latent_mean(const NervLayout *lay, const int32_t *level, int t, int i, int j, int l,
                         const int *tap);

/* Sets each level and part's taps: the least-squares fit of the coded values (yq's
 * layout) from their neighbours, rounded to the taps' step (the encoder's). */
void nerv_fit_taps(const NervShape *s, const NervLayout *lay, const int32_t *coded,
                   int tap[][2][NERV_MEAN_TAPS]);

/* Chooses wscale and lscale, and (version 3) which parts use their taps' mean, to
 * minimize the coded size of wq and yq (cost in bits returned, its parts in seg's
 * *_bits); the encoder calls it before nerv_segment_write. */
double nerv_segment_choose_scales(const RCParamTables *t, const NervShape *s, NervSegment *seg);
/* Bits of coding count integers (a weight tensor's values, less their prediction)
 * with the best scale: the encoder's estimate when it chooses a tensor's step. */
double nerv_weight_bits(const RCParamTables *t, const int32_t *q, size_t count);

int nerv_segment_write(const RCParamTables *t, const NervShape *s, const NervSegment *seg,
                       RCEncoder *enc);
/* Reads a segment (allocating seg's arrays); NC_EINVALIDDATA on damage,
 * NC_EAGAIN for a predicted segment when ref is NULL or not valid. */
int nerv_segment_read(const RCParamTables *t, const NervShape *s, RCDecoder *dec,
                      const NervRef *ref, NervSegment *seg, void *log_ctx);

/* The latents the synthesis reads (yq holds each grid's first slice, less its
 * prediction when predicted, then the changes from one slice to the next): NC_EINVALIDDATA
 * when a sum leaves +-NERV_MAX_MAGNITUDE. */
int nerv_segment_latents(const NervShape *s, const NervSegment *seg, float *y);

/* Weights as floats: wq * 2^-wexp. */
void nerv_segment_weights(const NervShape *s, const NervSegment *seg, float *w);

#endif
