/* Adaptive CDFs and binary contexts: invariants under extreme sequences, learning
 * speed, and closeness to the Shannon bound on a stationary source. */
#include <math.h>
#include <stdlib.h>

#include "entropy/adaptive_cdf.h"
#include "entropy/cdf.h"
#include "tests/entropy/test_util.h"

static int gaps_ok(const RCAdaptiveCdf *m)
{
    if (m->cdf[0] != 0 || m->cdf[m->nsyms] != (1u << RC_ADAPT_SCALE_BITS)) return 0;
    for (unsigned i = 0; i < m->nsyms; i++)
        if (m->cdf[i + 1] - m->cdf[i] < (1u << RC_ADAPT_SHIFT) || m->cdf[i + 1] < m->cdf[i]) return 0;
    return 1;
}

static void test_invariants(void)
{
    EntRng r = {5};
    unsigned sizes[4] = {2, 3, 256, 4096};
    for (int k = 0; k < 4; k++) {
        for (unsigned rate = RC_ADAPT_MIN_RATE; rate <= RC_ADAPT_MAX_RATE; rate += 7) {
            RCAdaptiveCdf m;
            CHECK(rc_adaptive_init(&m, sizes[k], rate) == 0);
            int ok = 1;
            /* Long runs of one symbol (first, last, middle), then random ones. */
            for (int i = 0; i < 3000; i++) rc_adaptive_update(&m, 0);
            ok &= gaps_ok(&m);
            for (int i = 0; i < 3000; i++) rc_adaptive_update(&m, sizes[k] - 1);
            ok &= gaps_ok(&m);
            for (int i = 0; i < 3000; i++) rc_adaptive_update(&m, sizes[k] / 2);
            for (int i = 0; i < 3000; i++) rc_adaptive_update(&m, ent_rng_below(&r, sizes[k]));
            ok &= gaps_ok(&m);
            CHECK(ok);
            rc_adaptive_free(&m);
        }
    }
    RCAdaptiveCdf m;
    CHECK(rc_adaptive_init(&m, 1, 5) == NC_EINVAL);
    CHECK(rc_adaptive_init(&m, 4, 0) == NC_EINVAL);
    CHECK(rc_adaptive_init(&m, 4, RC_ADAPT_MAX_RATE + 1) == NC_EINVAL);
    CHECK(rc_adaptive_init(&m, RC_ADAPT_MAX_SYMS + 1, 5) == NC_EINVAL);
    /* A prior with zero-frequency symbols is lifted to the floor. */
    uint32_t prior[5] = {0, 0, 1000, 1000, 1024};
    CHECK(rc_adaptive_init_cdf(&m, prior, 4, 10, 8, 1) == 0);
    CHECK(gaps_ok(&m) && m.count == 128);
    RCAdaptiveCdf copy;
    CHECK(rc_adaptive_init(&copy, 4, 3) == 0);
    rc_adaptive_copy(&copy, &m);
    CHECK(copy.cdf[2] == m.cdf[2] && copy.max_rate == 8);
    rc_adaptive_free(&copy);
    rc_adaptive_free(&m);

    RCBinContext bc;
    rc_bin_init(&bc, 15);
    for (int i = 0; i < 100000; i++) rc_bin_update(&bc, 1);
    CHECK(bc.p0 >= (1u << RC_BIN_SHIFT));
    for (int i = 0; i < 100000; i++) rc_bin_update(&bc, 0);
    CHECK(bc.p0 <= (1u << RC_ADAPT_SCALE_BITS) - (1u << RC_BIN_SHIFT));
    CHECK((bc.p0 >> RC_BIN_SHIFT) >= 60000); /* 1 - e^-3 of the way at rate 15 */
}

/* Codes n symbols from a fixed distribution; returns bits over the empirical entropy. */
static double adaptive_overhead(unsigned nsyms, unsigned rate, unsigned n, uint64_t seed)
{
    EntRng r = {seed};
    uint64_t w[256];
    for (unsigned s = 0; s < nsyms; s++) w[s] = 1 + ((uint64_t)1 << 20) / (1 + (uint64_t)s * s);
    uint32_t src[257];
    rc_cdf_from_weights(src, w, nsyms, 16, 1);
    uint64_t counts[256] = {0};
    RCAdaptiveCdf m, dm;
    rc_adaptive_init(&m, nsyms, rate);
    rc_adaptive_init(&dm, nsyms, rate);
    RCEncoder enc;
    rc_enc_init(&enc);
    unsigned *syms = malloc(sizeof(*syms) * n);
    for (unsigned i = 0; i < n; i++) {
        syms[i] = rc_cdf_find(src, nsyms, ent_rng_below(&r, 1u << 16));
        counts[syms[i]]++;
        rc_encode_adaptive(&enc, &m, syms[i]);
    }
    CHECK(rc_enc_flush(&enc) == 0);
    RCDecoder dec;
    rc_dec_init(&dec, enc.buf, enc.size);
    int bad = 0;
    for (unsigned i = 0; i < n; i++) bad |= rc_decode_adaptive(&dec, &dm) != syms[i];
    CHECK(!bad && rc_dec_finish(&dec) == 0);
    double h = 0;
    for (unsigned s = 0; s < nsyms; s++)
        if (counts[s]) h -= counts[s] * log2((double)counts[s] / n);
    double over = (enc.size * 8.0 - h) / h;
    free(syms);
    rc_enc_free(&enc);
    rc_adaptive_free(&m);
    rc_adaptive_free(&dm);
    return over;
}

int main(void)
{
    test_invariants();
    /* Stationary sources: the adaptive model lands close to the empirical entropy. */
    double o256 = adaptive_overhead(256, 12, 300000, 1);
    double o16 = adaptive_overhead(16, 10, 100000, 2);
    printf("adaptive overhead over empirical entropy: 256 symbols %.3f%%, 16 symbols %.3f%%\n",
           100 * o256, 100 * o16);
    CHECK(o256 < 0.02 && o256 > 0);
    CHECK(o16 < 0.01 && o16 > 0);
    return test_result("entropy_adaptive");
}
