/* Quantized CDFs: checks, and deterministic conversion from probabilities. */
#include "entropy/cdf.h"

#include <math.h>
#include <stdlib.h>

#include "entropy/range_encoder.h"
#include "nc/error.h"

static int sizes_ok(unsigned nsyms, unsigned prec)
{
    return prec >= 1 && prec <= RC_MAX_PREC && nsyms >= 1 && nsyms <= (1u << prec);
}

int rc_cdf_check(const uint32_t *cdf, unsigned nsyms, unsigned prec)
{
    if (!cdf || !sizes_ok(nsyms, prec)) return NC_EINVAL;
    if (cdf[0] != 0 || cdf[nsyms] != (1u << prec)) return NC_EINVAL;
    for (unsigned s = 0; s < nsyms; s++)
        if (cdf[s + 1] < cdf[s]) return NC_EINVAL;
    return 0;
}

int rc_cdf_uniform(uint32_t *cdf, unsigned nsyms, unsigned prec)
{
    if (!sizes_ok(nsyms, prec)) return NC_EINVAL;
    uint32_t total = 1u << prec, base = total / nsyms, extra = total % nsyms;
    cdf[0] = 0;
    for (unsigned s = 0; s < nsyms; s++) cdf[s + 1] = cdf[s] + base + (s < extra);
    return 0;
}

static unsigned argmax(const uint32_t *f, unsigned n)
{
    unsigned best = 0;
    for (unsigned s = 1; s < n; s++)
        if (f[s] > f[best]) best = s;
    return best;
}

int rc_cdf_from_weights(uint32_t *cdf, const uint64_t *weights, unsigned nsyms,
                        unsigned prec, int keep_zeros)
{
    if (!sizes_ok(nsyms, prec)) return NC_EINVAL;
    uint64_t total_w = 0, max_w = 0;
    unsigned support = 0;
    for (unsigned s = 0; s < nsyms; s++) {
        if (weights[s] > max_w) max_w = weights[s];
        support += weights[s] != 0;
    }
    if (max_w == 0) return rc_cdf_uniform(cdf, nsyms, prec);
    if (!keep_zeros) support = nsyms;
    if (support > (1u << prec)) return NC_EINVAL;

    /* Shift the weights so their sum stays below 2^39 and w * 2^prec below 2^63. */
    unsigned shift = 0;
    for (;;) {
        uint64_t sum = 0;
        int big = 0;
        for (unsigned s = 0; s < nsyms && !big; s++) {
            uint64_t w = weights[s] >> shift;
            sum += w;
            big = sum >= ((uint64_t)1 << 39);
        }
        if (!big) {
            total_w = sum;
            break;
        }
        shift++;
    }

    /* f[s] = max(1, round(w * 2^prec / W)) in the support; cdf[] holds f[] for now,
     * shifted up by one entry. */
    uint32_t *f = cdf + 1;
    uint64_t sum = 0;
    for (unsigned s = 0; s < nsyms; s++) {
        uint64_t w = weights[s] >> shift;
        uint32_t q = 0;
        if (total_w) q = (uint32_t)(((w << prec) + total_w / 2) / total_w);
        if (q == 0 && (weights[s] != 0 || !keep_zeros)) q = 1;
        f[s] = q;
        sum += q;
    }
    /* Fix the total on the largest frequency; when it cannot give enough (it would drop
     * below 1), take the rest from the next largest. */
    uint64_t target = (uint64_t)1 << prec;
    if (sum < target) {
        f[argmax(f, nsyms)] += (uint32_t)(target - sum);
    } else {
        while (sum > target) {
            unsigned s = argmax(f, nsyms);
            uint64_t take = f[s] - 1 < sum - target ? f[s] - 1 : sum - target;
            f[s] -= (uint32_t)take;
            sum -= take;
        }
    }
    /* f -> cdf in place: f[s] sits at cdf[s + 1]. */
    cdf[0] = 0;
    for (unsigned s = 0; s < nsyms; s++) cdf[s + 1] += cdf[s];
    return 0;
}

int rc_cdf_from_pmf(uint32_t *cdf, const float *pmf, unsigned nsyms, unsigned prec)
{
    if (!sizes_ok(nsyms, prec)) return NC_EINVAL;
    /* Models of up to 1024 symbols (the common case, once per coded symbol) need no
     * allocation. */
    uint64_t small[1024];
    uint64_t *w = nsyms <= 1024 ? small : malloc(sizeof(*w) * nsyms);
    if (!w) return NC_ENOMEM;
    float max = 0.0f;
    for (unsigned s = 0; s < nsyms; s++)
        if (pmf[s] > max && pmf[s] <= 3.4e38f) max = pmf[s]; /* skips NaN and +inf */
    for (unsigned s = 0; s < nsyms; s++) {
        float p = pmf[s];
        /* The one rounding step: p / max (exactly rounded IEEE division, 1 for the
         * largest) scaled by 2^32 (exact) and truncated. */
        w[s] = max > 0.0f && p > 0.0f && p <= max ? (uint64_t)(p / max * 4294967296.0f) : 0;
    }
    int ret = rc_cdf_from_weights(cdf, w, nsyms, prec, 0);
    if (w != small) free(w);
    return ret;
}

double rc_cdf_cost_bits(const uint32_t *cdf, unsigned nsyms, unsigned prec,
                        const uint64_t *counts)
{
    double bits = 0.0;
    for (unsigned s = 0; s < nsyms; s++) {
        if (!counts[s]) continue;
        uint32_t f = cdf[s + 1] - cdf[s];
        if (!f) return INFINITY;
        bits += (double)counts[s] * ((double)prec - log2((double)f));
    }
    return bits;
}
