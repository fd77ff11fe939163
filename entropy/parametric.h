/* Parametric distributions (Laplace, Gaussian, logistic) over integers, coded through
 * precomputed integer CDF tables so that encoder and decoder agree bit for bit.
 *
 * A codec predicts a location (mean) and a scale per value, as learned-compression
 * entropy models do. Here the mean is an integer in Q(mean_frac_bits) fixed point and
 * the scale is an index into a geometric ladder of scales; each (scale index,
 * fractional mean) pair has one quantized CDF over d = value - floor(mean) in
 * [-tail, tail] plus an escape symbol. Escaped values code their sign and
 * |d| - tail - 1 in Exp-Golomb bypass bits, so every int32_t is codable.
 *
 * The tables are computed at init with fixed-point integer arithmetic only (our own
 * exp and erfc, no libm, no floats), so they are identical on every platform; they
 * depend only on the RCParamConfig, which a codec fixes in its bitstream spec. */
#ifndef NC_ENTROPY_PARAMETRIC_H
#define NC_ENTROPY_PARAMETRIC_H

#include <stdint.h>

#include "entropy/range_decoder.h"
#include "entropy/range_encoder.h"

enum RCDistribution {
    RC_DIST_LAPLACE = 0,  /* scale = b:     p(x) ~ exp(-|x - mu| / b) */
    RC_DIST_GAUSSIAN = 1, /* scale = sigma: p(x) ~ exp(-(x - mu)^2 / (2 sigma^2)) */
    RC_DIST_LOGISTIC = 2, /* scale = s:     CDF 1 / (1 + exp(-(x - mu) / s)) */
};

typedef struct RCParamConfig {
    int dist;                  /* enum RCDistribution */
    unsigned prec;             /* CDF precision, 8..16 */
    unsigned num_scales;       /* 1..1024 */
    uint32_t scale_min_q16;    /* smallest scale in Q16 (>= 1/256, i.e. 256) */
    unsigned steps_per_octave; /* scale[i] = scale_min * 2^(i / steps_per_octave), 1..64 */
    unsigned mean_frac_bits;   /* fractional bits of the mean, 0..4 */
    unsigned max_tail;         /* largest tail (support -tail..tail), 1..4096 */
    unsigned escape_k;         /* Exp-Golomb order of escaped magnitudes, 0..16 */
} RCParamConfig;

/* A sensible default: Gaussian, 16-bit, 64 scales from 0.11 in 8 steps per octave
 * (0.11 .. ~26), integer means, tails up to 255, escape order 0. */
void rc_param_config_default(RCParamConfig *cfg, int dist);

typedef struct RCParamTables {
    RCParamConfig cfg;
    uint32_t *scale_q16;   /* num_scales scales, Q16 */
    uint32_t *tail;        /* per table: support is d in [-tail, tail] */
    uint32_t *cdf_offset;  /* per table: start of its CDF in cdf_pool */
    uint32_t *cdf_pool;    /* all CDFs; table t has 2 * tail[t] + 2 symbols, the last = escape */
} RCParamTables;
/* Table of (scale index i, fractional mean f): i * 2^mean_frac_bits + f. */

/* Computes the tables. Returns 0, NC_EINVAL (config out of range) or NC_ENOMEM. */
int rc_param_init(RCParamTables *t, const RCParamConfig *cfg);
void rc_param_free(RCParamTables *t);

/* Index of the ladder scale nearest to scale_q16 in the log domain (clamped to the
 * ladder's ends); integer arithmetic only. */
unsigned rc_param_scale_index(const RCParamTables *t, uint32_t scale_q16);

/* Codes value with the distribution at mean mean_q (Q(mean_frac_bits)) and scale
 * index scale_idx (< num_scales; out of range sets NC_EINVAL on the encoder). */
void rc_encode_param(RCEncoder *enc, const RCParamTables *t, unsigned scale_idx,
                     int32_t mean_q, int32_t value);
/* Decodes a value coded with the same arguments. Values that would not fit int32_t
 * set NC_EINVALIDDATA on the decoder. */
int32_t rc_decode_param(RCDecoder *dec, const RCParamTables *t, unsigned scale_idx,
                        int32_t mean_q);

/* The CDF used for (scale_idx, mean_q), for tests and rate estimates: *nsyms gets
 * 2 * tail + 2, *tail the tail. */
const uint32_t *rc_param_cdf(const RCParamTables *t, unsigned scale_idx, int32_t mean_q,
                             unsigned *nsyms, unsigned *tail);

#endif
