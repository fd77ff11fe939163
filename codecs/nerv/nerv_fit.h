/* The nerv encoder's work: fitting latents and weights to a segment of frames
 * (README.md, "Encoding is fitting"). */
#ifndef NC_CODECS_NERV_FIT_H
#define NC_CODECS_NERV_FIT_H

#include <stdint.h>

#include "codecs/nerv/nerv_coding.h"
#include "codecs/nerv/nerv_synth.h"
#include "libnc/thread_pool.h"

typedef struct NervFitParams {
    double lambda; /* rate weight: loss = MSE + lambda * bits / samples */
    /* When > 0, the size to aim at: lambda is steered during the fit (from its
     * value above) so that the estimated size meets it. */
    double target_bits;
    double *lambda_out; /* when not NULL: gets lambda as the fit ended (steered or not) */
    int steps;     /* optimizer steps over the whole segment */
    /* A valid ref: a predicted segment, coded against ref and started from it
     * (its weights; its latents moved with the scene); prev_frame is then the
     * frame before the segment (channels x positions samples), for motion. */
    const NervRef *ref;
    const float *prev_frame;
    /* version 4: local motion in blocks of 2^local_block_log2 positions (0: none)
     * moving the grids in local_warped (nerv_estimate_local) */
    int local_block_log2;
    unsigned local_warped;
    uint64_t seed;
    /* Called after each step with (done, steps); non-zero stops the fit with that
     * value as the error (an interrupt). NULL: never. */
    int (*progress)(void *opaque, int done, int steps);
    void *opaque;
} NervFitParams;

/* Fits frames x (n x channels x positions samples, nerv_frame_to_samples) and
 * fills seg (allocated here) with their motion, the quantized latents and
 * weights and their scales, ready for nerv_segment_write(). *mse gets the mean squared error of the
 * decoded segment (in [0, 1] units) and *bits the estimated coded size. */
int nerv_fit_segment(const NervShape *s, NCIPool *pool, const RCParamTables *t, const float *x,
                     int n, const NervFitParams *fp, NervSegment *seg, double *mse, double *bits);

#endif
