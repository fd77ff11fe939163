/* Adaptive frequency-count models: the O(log n) alternative to entropy/adaptive_cdf.h.
 *
 * Every symbol has an integer count (start 1). Coding symbol s uses the interval
 * [cum(s), cum(s) + count(s)) of the current total, then adds RC_COUNT_INC to count(s);
 * when the total passes the model's limit every count is halved (rounding up, so none
 * reaches 0). That is the estimator of htscodecs' arith_dynamic and of PPM coders: the
 * first symbols move the model fast (a counting estimator), and after the first halving
 * it remembers about 2^window_bits symbols.
 *
 * The cumulative counts live in a tree of 16-entry nodes (each entry the count of the
 * subtrees to its left inside the node), so the update touches one node per level and
 * the decoder's search compares v against one node per level (16 compares that
 * vectorize): 1 level up to 16 symbols, 2 up to 256, 4 up to 65536. The AV1-style CDF
 * of adaptive_cdf.h touches every entry per symbol instead; for 2..16 symbols it is as
 * cheap and adapts more smoothly, for large alphabets this model is several times
 * faster (entropy/README.md has the figures). A codec picks one per model.
 *
 * The total is not a power of two, so each symbol costs a division by it
 * (rc_encode_interval); the halving costs O(nsyms) once per ~2^(window_bits - 1)
 * symbols. Exact integer arithmetic: conformance/spec/entropy.md, section 2.
 * Encoder and decoder must make the same calls in the same order. */
#ifndef NC_ENTROPY_COUNT_MODEL_H
#define NC_ENTROPY_COUNT_MODEL_H

#include <stdint.h>

#include "entropy/range_decoder.h"
#include "entropy/range_encoder.h"

#define RC_COUNT_INC 32            /* added to a symbol's count each time it is coded */
#define RC_COUNT_MAX_SYMS 65536
#define RC_COUNT_MIN_WINDOW 1
#define RC_COUNT_MAX_WINDOW 18     /* limit <= 32 << 18 = 2^23: the total stays < 2^24 */
#define RC_COUNT_FANOUT 16
#define RC_COUNT_MAX_LEVELS 4      /* 16^4 = RC_COUNT_MAX_SYMS */

typedef struct RCCountModel {
    uint32_t *count;   /* nsyms counts, each >= 1 */
    uint32_t *level[RC_COUNT_MAX_LEVELS]; /* level[l][i]: sum of the entries left of i in
                                             its 16-entry node; level 0 has one entry per
                                             symbol, level l + 1 one per node of level l */
    uint32_t *scratch; /* node totals while rebuilding */
    unsigned levels;
    unsigned nsyms;
    uint32_t total;    /* sum of count[] */
    uint32_t limit;    /* halve when total > limit */
    uint64_t recip;    /* rc_total_recip(total) */
    unsigned mps;      /* a symbol with the largest count: the decoder tries it first */
} RCCountModel;

/* All counts 1. 2 <= nsyms <= RC_COUNT_MAX_SYMS, RC_COUNT_MIN_WINDOW <= window_bits <=
 * RC_COUNT_MAX_WINDOW; limit = RC_COUNT_INC << max(window_bits, ceil(log2 nsyms)).
 * Returns 0, NC_EINVAL or NC_ENOMEM. */
int rc_count_init(RCCountModel *m, unsigned nsyms, unsigned window_bits);
/* Copies src's counts into dst (same nsyms and limit, else nothing happens). */
void rc_count_copy(RCCountModel *dst, const RCCountModel *src);
void rc_count_free(RCCountModel *m);
/* Adds RC_COUNT_INC to sym's count, halving all counts when the total passes the limit
 * (called by the coders below; exposed for tests). */
void rc_count_update(RCCountModel *m, unsigned sym);

/* Sum of the counts of the symbols below sym. */
static inline uint32_t rc_count_cum(const RCCountModel *m, unsigned sym)
{
    uint32_t cum = 0;
    for (unsigned l = 0; l < m->levels; l++) cum += m->level[l][sym >> (4 * l)];
    return cum;
}

/* Codes sym (< nsyms) with the model, then adapts it. */
static inline void rc_encode_count(RCEncoder *enc, RCCountModel *m, unsigned sym)
{
    if (sym >= m->nsyms) {
        rc_enc_fail(enc, NC_EINVAL);
        return;
    }
    rc_encode_interval(enc, rc_count_cum(m, sym), m->count[sym], m->total, m->recip);
    rc_count_update(m, sym);
}

/* Decodes a symbol (always < nsyms), then adapts the model. */
unsigned rc_decode_count(RCDecoder *dec, RCCountModel *m);

#endif
