/* Quantized CDFs: the integer form every static model is coded with.
 *
 * A CDF of nsyms symbols at precision prec is an array cdf[0 .. nsyms] of uint32_t,
 * nondecreasing, cdf[0] = 0 and cdf[nsyms] = 2^prec; symbol s has frequency
 * cdf[s + 1] - cdf[s]. Encoder and decoder must use the same integers, so models
 * computed in floating point go through rc_cdf_from_pmf() first: it rounds each
 * probability once to a 32-bit fixed-point weight and does everything after that in
 * integers, so the result is the same on every platform and compiler. */
#ifndef NC_ENTROPY_CDF_H
#define NC_ENTROPY_CDF_H

#include <stddef.h>
#include <stdint.h>

/* 0 if cdf[0 .. nsyms] is a valid CDF at prec (1 <= prec <= RC_MAX_PREC,
 * 1 <= nsyms <= 2^prec), else NC_EINVAL. Zero-frequency symbols are allowed. */
int rc_cdf_check(const uint32_t *cdf, unsigned nsyms, unsigned prec);

/* From probabilities (any nonnegative scale; NaN, infinities and negatives count as
 * 0) to a CDF in which EVERY symbol has frequency >= 1, so any symbol can be coded.
 * Needs nsyms <= 2^prec. Rounding: each pmf[s] / max(pmf) is truncated once to a
 * 32-bit weight w[s] = (uint32_t)(pmf[s] / max * 2^32 - 1 clamped); the rest is
 * rc_cdf_from_weights(). An all-zero pmf gives the uniform CDF.
 * Returns 0, or NC_EINVAL for bad sizes. */
int rc_cdf_from_pmf(uint32_t *cdf, const float *pmf, unsigned nsyms, unsigned prec);

/* From integer weights (e.g. symbol counts of a histogram). keep_zeros = 1: symbols
 * of weight 0 get frequency 0 (they are outside the support and cannot be coded);
 * every symbol of weight > 0 gets >= 1. keep_zeros = 0: every symbol gets >= 1.
 * Algorithm (the spec relies on it): f[s] = max(1, round(w[s] * 2^prec / W)) for
 * symbols in the support, W = sum of weights; then the difference to 2^prec is
 * added to, or taken from, the symbol with the largest f (lowest index on ties),
 * repeatedly while it is > 1, until the sum is exact. All-zero weights give a uniform
 * CDF over all symbols. Returns 0 or NC_EINVAL (bad sizes, or keep_zeros with more
 * symbols in the support than 2^prec). */
int rc_cdf_from_weights(uint32_t *cdf, const uint64_t *weights, unsigned nsyms,
                        unsigned prec, int keep_zeros);

/* The uniform CDF (nsyms <= 2^prec): frequencies differ by at most 1, larger first. */
int rc_cdf_uniform(uint32_t *cdf, unsigned nsyms, unsigned prec);

/* Cost in bits of coding counts[s] occurrences of each symbol with this CDF
 * (sum of counts[s] * -log2(f[s] / 2^prec)); +infinity if a counted symbol has
 * frequency 0. For tests and benchmarks only (uses libm; never feeds a stream). */
double rc_cdf_cost_bits(const uint32_t *cdf, unsigned nsyms, unsigned prec,
                        const uint64_t *counts);

#endif
