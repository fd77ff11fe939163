/* Adaptive multi-symbol CDFs and binary contexts (see adaptive_cdf.h for the rule). */
#include "entropy/adaptive_cdf.h"

#include <stdlib.h>
#include <string.h>

#include "entropy/cdf.h"

#define SCALE ((uint32_t)1 << RC_ADAPT_SCALE_BITS)
#define FLOOR ((uint32_t)1 << RC_ADAPT_SHIFT) /* one unit at the coding precision */

static int alloc_model(RCAdaptiveCdf *m, unsigned nsyms, unsigned max_rate)
{
    memset(m, 0, sizeof(*m));
    if (nsyms < 2 || nsyms > RC_ADAPT_MAX_SYMS || max_rate < RC_ADAPT_MIN_RATE ||
        max_rate > RC_ADAPT_MAX_RATE)
        return NC_EINVAL;
    m->cdf = malloc(sizeof(*m->cdf) * ((size_t)nsyms + 1));
    if (!m->cdf) return NC_ENOMEM;
    m->nsyms = nsyms;
    m->max_rate = max_rate;
    return 0;
}

int rc_adaptive_init(RCAdaptiveCdf *m, unsigned nsyms, unsigned max_rate)
{
    int ret = alloc_model(m, nsyms, max_rate);
    if (ret) return ret;
    for (unsigned i = 0; i <= nsyms; i++) m->cdf[i] = (uint32_t)(((uint64_t)i << RC_ADAPT_SCALE_BITS) / nsyms);
    return 0;
}

int rc_adaptive_init_cdf(RCAdaptiveCdf *m, const uint32_t *cdf, unsigned nsyms,
                         unsigned prec, unsigned max_rate, int trusted)
{
    int ret = rc_cdf_check(cdf, nsyms, prec);
    if (ret) return ret;
    ret = alloc_model(m, nsyms, max_rate);
    if (ret) return ret;
    /* Squeeze the prior into what is left after every symbol's floor. */
    uint64_t room = SCALE - (uint64_t)nsyms * FLOOR;
    for (unsigned i = 0; i <= nsyms; i++) {
        uint64_t c = (uint64_t)cdf[i] << (RC_ADAPT_SCALE_BITS - prec);
        m->cdf[i] = (uint32_t)((uint64_t)i * FLOOR + ((c * room) >> RC_ADAPT_SCALE_BITS));
    }
    if (trusted) m->count = 1u << (max_rate - 1);
    return 0;
}

void rc_adaptive_copy(RCAdaptiveCdf *dst, const RCAdaptiveCdf *src)
{
    if (dst->nsyms != src->nsyms) return; /* caller bug: never write past dst */
    memcpy(dst->cdf, src->cdf, sizeof(*dst->cdf) * ((size_t)src->nsyms + 1));
    dst->count = src->count;
    dst->max_rate = src->max_rate;
}

void rc_adaptive_free(RCAdaptiveCdf *m)
{
    free(m->cdf);
    memset(m, 0, sizeof(*m));
}

/* The update touches every entry, so it is the cost of adaptive coding; on x86-64 it
 * is compiled for AVX-512 and AVX2 too and picked at load time through glibc's ifunc
 * (integer code: every version gives the same bits). */
#if defined(__x86_64__) && defined(__linux__) && defined(__GLIBC__) && \
    ((defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 6) || (defined(__clang__) && __clang_major__ >= 14))
#define UPDATE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define UPDATE_CLONES
#endif

UPDATE_CLONES
static void update_entries(uint32_t *c, unsigned n, unsigned sym, unsigned rate)
{
    /* Target: the floor for every symbol, the rest on sym. Entries up to sym move down
     * toward i * FLOOR, the ones after it up toward SCALE - (n - i) * FLOOR; both keep
     * every gap >= FLOOR (conformance/spec/entropy.md shows why). */
    for (unsigned i = 1; i <= sym; i++) c[i] -= (c[i] - i * FLOOR) >> rate;
    for (unsigned i = sym + 1; i < n; i++) c[i] += (SCALE - (n - i) * FLOOR - c[i]) >> rate;
}

/* Number of entries c[1 .. n) below limit, i.e. the decoded symbol: a count for tiny
 * alphabets, a branch-free binary search otherwise. */
static unsigned find_below(const uint32_t *c, unsigned n, uint32_t limit)
{
    if (n <= 16) {
        unsigned count = 0;
        for (unsigned i = 1; i < n; i++) count += c[i] < limit;
        return count;
    }
    unsigned lo = 0;
    while (n > 1) {
        unsigned half = n >> 1;
        lo = c[lo + half] < limit ? lo + half : lo;
        n -= half;
    }
    return lo;
}

/* Small alphabets: a plain loop, no dispatch. */
static void update_entries_small(uint32_t *c, unsigned n, unsigned sym, unsigned rate)
{
    for (unsigned i = 1; i <= sym; i++) c[i] -= (c[i] - i * FLOOR) >> rate;
    for (unsigned i = sym + 1; i < n; i++) c[i] += (SCALE - (n - i) * FLOOR - c[i]) >> rate;
}

void rc_adaptive_update(RCAdaptiveCdf *m, unsigned sym)
{
    unsigned rate = rc_adapt_rate(m->count, m->max_rate);
    if (m->nsyms <= 32)
        update_entries_small(m->cdf, m->nsyms, sym, rate);
    else
        update_entries(m->cdf, m->nsyms, sym, rate);
    if (m->count < (1u << (m->max_rate - 1))) m->count++;
}

void rc_encode_adaptive(RCEncoder *enc, RCAdaptiveCdf *m, unsigned sym)
{
    if (sym >= m->nsyms) {
        rc_enc_fail(enc, NC_EINVAL);
        return;
    }
    uint32_t lo = m->cdf[sym] >> RC_ADAPT_SHIFT, hi = m->cdf[sym + 1] >> RC_ADAPT_SHIFT;
    rc_encode_freq(enc, lo, hi - lo, RC_ADAPT_PREC);
    rc_adaptive_update(m, sym);
}

unsigned rc_decode_adaptive(RCDecoder *dec, RCAdaptiveCdf *m)
{
    uint32_t v = rc_decode_target(dec, RC_ADAPT_PREC);
    /* Largest s with (cdf[s] >> shift) <= v, i.e. cdf[s] < (v + 1) << shift. */
    uint32_t limit = (v + 1) << RC_ADAPT_SHIFT; /* <= 2^31: no overflow */
    const uint32_t *c = m->cdf;
    unsigned lo = find_below(c, m->nsyms, limit);
    uint32_t start = c[lo] >> RC_ADAPT_SHIFT, end = c[lo + 1] >> RC_ADAPT_SHIFT;
    rc_decode_update(dec, start, end - start);
    rc_adaptive_update(m, lo);
    return lo;
}

void rc_bin_init(RCBinContext *ctx, unsigned max_rate)
{
    if (max_rate < RC_ADAPT_MIN_RATE) max_rate = RC_ADAPT_MIN_RATE;
    if (max_rate > RC_ADAPT_MAX_RATE) max_rate = RC_ADAPT_MAX_RATE;
    ctx->p0 = SCALE / 2;
    ctx->count = 0;
    ctx->max_rate = (uint16_t)max_rate;
}
