/* Adaptive multi-symbol CDFs (AV1-style) and adaptive binary contexts.
 *
 * Both keep their probabilities on a 2^31 scale. Multi-symbol CDFs code at 20 bits
 * (state >> 11), binary contexts at 16 bits (state >> 15). After each coded symbol the
 * CDF moves a fraction 2^-rate of the way toward the CDF of "the symbol just seen, plus
 * a floor of one coding unit for every other symbol": every symbol keeps a nonzero
 * frequency, so nothing ever becomes uncodable, and the floor is small enough (2^-20)
 * that unused symbols of a 256-symbol alphabet cost little (0.02% of the probability
 * mass). The update is exact integer arithmetic (spec: conformance/spec/entropy.md).
 * The update costs O(nsyms): about 25 ns for 256 symbols with AVX-512, so large
 * alphabets code at ~20 MB/s (entropy/README.md has the figures).
 *
 * The rate follows the count of symbols seen, like AV1's count-based rate but
 * continuing to slower rates: rate = min(max_rate, 1 + floor(log2(count + 1))),
 * i.e. the first symbols move the model fast (close to a counting estimator), and
 * after 2^(max_rate - 1) symbols it settles to an exponential window of about
 * 2^max_rate symbols. Small max_rate (4-6) tracks changing statistics; large
 * (10-13) gets close to the Shannon bound on stationary data with many symbols.
 *
 * Encoder and decoder must make the same calls in the same order. */
#ifndef NC_ENTROPY_ADAPTIVE_CDF_H
#define NC_ENTROPY_ADAPTIVE_CDF_H

#include <stdint.h>

#include "entropy/range_decoder.h"
#include "entropy/range_encoder.h"

#define RC_ADAPT_SCALE_BITS 31 /* state scale: cdf[nsyms] = 2^31 */
#define RC_ADAPT_PREC 20       /* multi-symbol coding precision: state >> 11 */
#define RC_ADAPT_SHIFT (RC_ADAPT_SCALE_BITS - RC_ADAPT_PREC)
#define RC_BIN_PREC 16         /* binary coding precision: state >> 15 */
#define RC_BIN_SHIFT (RC_ADAPT_SCALE_BITS - RC_BIN_PREC)
#define RC_ADAPT_MIN_RATE 1
#define RC_ADAPT_MAX_RATE 15
#define RC_ADAPT_MAX_SYMS 65536 /* alphabet limit; the update costs O(nsyms) */

typedef struct RCAdaptiveCdf {
    uint32_t *cdf;     /* nsyms + 1 entries on the 2^31 scale; neighbours differ by >= 2^11 */
    unsigned nsyms;
    unsigned count;    /* symbols seen, saturating at 2^(max_rate - 1) */
    unsigned max_rate; /* RC_ADAPT_MIN_RATE .. RC_ADAPT_MAX_RATE */
} RCAdaptiveCdf;

/* Uniform start. 2 <= nsyms <= RC_ADAPT_MAX_SYMS. Returns 0, NC_EINVAL or NC_ENOMEM. */
int rc_adaptive_init(RCAdaptiveCdf *m, unsigned nsyms, unsigned max_rate);
/* Starts from a prior CDF (valid at prec, see entropy/cdf.h), e.g. trained statistics;
 * frequencies are raised to the floor where needed. count starts at 2^(max_rate-1)
 * if trusted is 1 (adapt slowly from the start), else at 0. */
int rc_adaptive_init_cdf(RCAdaptiveCdf *m, const uint32_t *cdf, unsigned nsyms,
                         unsigned prec, unsigned max_rate, int trusted);
/* Copies src into dst (same nsyms, else nothing happens; dst initialized), e.g. to
 * restart from a snapshot. */
void rc_adaptive_copy(RCAdaptiveCdf *dst, const RCAdaptiveCdf *src);
void rc_adaptive_free(RCAdaptiveCdf *m);
/* Moves the model toward sym (called by the coders below; exposed for tests). */
void rc_adaptive_update(RCAdaptiveCdf *m, unsigned sym);

/* Codes sym (< nsyms) with the model, then adapts it. */
void rc_encode_adaptive(RCEncoder *enc, RCAdaptiveCdf *m, unsigned sym);
/* Decodes a symbol (always < nsyms), then adapts the model. */
unsigned rc_decode_adaptive(RCDecoder *dec, RCAdaptiveCdf *m);

/* Adaptive binary context: P(bit = 0) on the 2^31 scale, same rate rule as above. */
typedef struct RCBinContext {
    uint32_t p0;       /* in [2^15, 2^31 - 2^15]: >= 1 at 16 bits on both sides */
    uint16_t count;
    uint16_t max_rate;
} RCBinContext;

/* p0 = 1/2, count 0. */
void rc_bin_init(RCBinContext *ctx, unsigned max_rate);

static inline unsigned rc_adapt_rate(unsigned count, unsigned max_rate)
{
    /* Saturated models (the common case) skip the logarithm. */
    if (count >= (1u << (max_rate - 1))) return max_rate;
#if defined(__GNUC__)
    unsigned log2c = 31 - (unsigned)__builtin_clz(count + 1); /* count < 2^15 */
#else
    unsigned log2c = 0;
    for (unsigned c = count + 1; c > 1; c >>= 1) log2c++;
#endif
    unsigned rate = RC_ADAPT_MIN_RATE + log2c;
    return rate < max_rate ? rate : max_rate;
}

/* rc_bin_update() for a context whose max_rate the caller knows: a constant
 * there folds the rate rule (same arithmetic, so the same probabilities). */
static inline void rc_bin_update_at(RCBinContext *ctx, int bit, unsigned max_rate)
{
    const uint32_t floor = (uint32_t)1 << RC_BIN_SHIFT;
    unsigned rate = rc_adapt_rate(ctx->count, max_rate);
    if (bit)
        ctx->p0 -= (ctx->p0 - floor) >> rate;
    else
        ctx->p0 += (((uint32_t)1 << RC_ADAPT_SCALE_BITS) - floor - ctx->p0) >> rate;
    if (ctx->count < (1u << (max_rate - 1))) ctx->count++;
}

static inline void rc_bin_update(RCBinContext *ctx, int bit)
{
    rc_bin_update_at(ctx, bit, ctx->max_rate);
}

/* Codes one bit with a fixed P(bit = 0) = p0 / 2^16, 1 <= p0 <= 65535. */
static inline void rc_encode_bit(RCEncoder *enc, int bit, uint32_t p0)
{
    if (bit)
        rc_encode_freq(enc, p0, 65536 - p0, 16);
    else
        rc_encode_freq(enc, 0, p0, 16);
}

static inline int rc_decode_bit(RCDecoder *dec, uint32_t p0)
{
    if (p0 - 1u >= 65535u) { /* caller bug; keep the state valid */
        dec->error = NC_EINVALIDDATA;
        p0 = 32768;
    }
    /* v >= p0 <=> code >= r * p0: no division needed for two symbols. */
    dec->r = dec->range >> 16;
    int bit = dec->code >= dec->r * p0;
    if (bit)
        rc_decode_update(dec, p0, 65536 - p0);
    else
        rc_decode_update(dec, 0, p0);
    return bit;
}

/* Codes one bit with the context, then adapts it. */
static inline void rc_encode_bin(RCEncoder *enc, RCBinContext *ctx, int bit)
{
    rc_encode_bit(enc, bit != 0, ctx->p0 >> RC_BIN_SHIFT);
    rc_bin_update(ctx, bit != 0);
}

/* rc_encode_bit() with the coder's state in registers (RCEncoderRegs). */
RC_REGS_INLINE void rc_regs_encode_bit(RCEncoder *enc, RCEncoderRegs *r, int bit, uint32_t p0)
{
    if (bit)
        rc_regs_encode_freq(enc, r, p0, 65536 - p0, 16);
    else
        rc_regs_encode_freq(enc, r, 0, p0, 16);
}

/* rc_encode_bin() with the coder's state in registers and a max_rate the caller
 * knows (rc_bin_update_at()); a context's p0 always gives a valid interval, so
 * the bit is coded without rc_freq_valid()'s check. */
RC_REGS_INLINE void rc_regs_encode_bin_at(RCEncoder *enc, RCEncoderRegs *r, RCBinContext *ctx,
                                         int bit, unsigned max_rate)
{
    uint32_t p0 = ctx->p0 >> RC_BIN_SHIFT;
    if (bit)
        rc_regs_encode_valid(enc, r, p0, 65536 - p0, 16);
    else
        rc_regs_encode_valid(enc, r, 0, p0, 16);
    rc_bin_update_at(ctx, bit, max_rate);
}

static inline int rc_decode_bin(RCDecoder *dec, RCBinContext *ctx)
{
    int bit = rc_decode_bit(dec, ctx->p0 >> RC_BIN_SHIFT);
    rc_bin_update(ctx, bit);
    return bit;
}

#endif
