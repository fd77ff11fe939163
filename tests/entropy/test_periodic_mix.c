/* Periodic mixture models (entropy/periodic_mix_model.h): the log2 table is the spec's,
 * every table and every share choice equal a literal transcription of the spec
 * (conformance/spec/entropy.md, "Periodic mixture model") symbol by symbol, across
 * alphabet sizes, precisions, windows and periods; the decoder's buckets stay
 * consistent, round trips, hostile bytes decode to valid symbols, misuse is refused, and
 * the choice follows the data: a drifting source picks a large fast share, a steady one
 * share 0, and the mixture codes both within a hair of the better single window. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entropy/periodic_mix_model.h"
#include "tests/entropy/test_util.h"

static const unsigned EIGHTHS[5] = {0, 1, 2, 4, 6};

/* L(g) of the spec, with libm for the table entry. */
static uint64_t spec_log2(uint32_t g)
{
    unsigned e = 0;
    while ((g >> e) > 1)
        e++;
    uint64_t m = ((uint64_t)g << 8) >> e; /* 256 <= m < 512 */
    return ((uint64_t)e << 16) + (uint64_t)llround(65536.0 * log2(1.0 + (double)(m - 256) / 256.0));
}

/* The spec's state, one array per quantity. */
typedef struct SpecMix {
    unsigned n, k, share;
    uint32_t slow_limit, fast_limit, slow_total, fast_total;
    uint32_t *slow, *fast, *times, *prev_slow, *prev_fast, *f;
    uint64_t prev_slow_scale, prev_fast_scale, left, interval, period;
} SpecMix;

static void spec_build(SpecMix *r)
{
    uint64_t spare = ((uint64_t)1 << r->k) - r->n, w = EIGHTHS[r->share];
    uint64_t ss = (spare << 32) / r->slow_total, sf = (spare << 32) / r->fast_total, sum = 0;
    for (unsigned s = 0; s < r->n; s++) {
        r->f[s] = (uint32_t)(1 + (((8 - w) * (r->slow[s] * ss) + w * (r->fast[s] * sf)) >> 35));
        sum += r->f[s];
        r->prev_slow[s] = r->slow[s];
        r->prev_fast[s] = r->fast[s];
    }
    r->f[r->n - 1] += (uint32_t)(((uint64_t)1 << r->k) - sum);
    r->prev_slow_scale = ss;
    r->prev_fast_scale = sf;
}

static void spec_choose(SpecMix *r)
{
    unsigned lo = r->share ? r->share - 1 : 0, hi = r->share < 4 ? r->share + 1 : 4, best = lo;
    uint64_t gain[5] = {0};
    for (unsigned a = lo; a <= hi; a++) {
        for (unsigned s = 0; s < r->n; s++) {
            if (!r->times[s]) continue;
            uint64_t x = r->prev_slow[s] * r->prev_slow_scale,
                     y = r->prev_fast[s] * r->prev_fast_scale;
            uint32_t g = (uint32_t)(1 + (((8 - EIGHTHS[a]) * x + EIGHTHS[a] * y) >> 35));
            gain[a] += r->times[s] * spec_log2(g);
        }
        if (gain[a] > gain[best]) best = a;
    }
    r->share = best;
    memset(r->times, 0, sizeof(uint32_t) * r->n);
}

static uint32_t spec_halve(uint32_t *c, unsigned n)
{
    uint32_t t = 0;
    for (unsigned s = 0; s < n; s++)
        t += c[s] = (c[s] + 1) >> 1;
    return t;
}

static void spec_init(SpecMix *r, unsigned n, unsigned ws, unsigned wf, unsigned k, unsigned p)
{
    unsigned lg = 0;
    while ((1u << lg) < n)
        lg++;
    memset(r, 0, sizeof(*r));
    r->n = n;
    r->k = k;
    r->slow_limit = 32u << (ws > lg ? ws : lg);
    r->fast_limit = 32u << (wf > lg ? wf : lg);
    uint32_t **arrays[] = {&r->slow, &r->fast, &r->times, &r->prev_slow, &r->prev_fast, &r->f};
    for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++) {
        *arrays[i] = calloc(n, sizeof(uint32_t));
        CHECK(*arrays[i] != NULL);
    }
    for (unsigned s = 0; s < n; s++)
        r->slow[s] = r->fast[s] = 1;
    r->slow_total = r->fast_total = n;
    r->left = r->interval = 1;
    r->period = (uint64_t)1 << p;
    spec_build(r);
}

static void spec_update(SpecMix *r, unsigned s)
{
    r->slow[s] += 32;
    r->fast[s] += 32;
    r->slow_total += 32;
    r->fast_total += 32;
    r->times[s]++;
    if (r->slow_total > r->slow_limit) r->slow_total = spec_halve(r->slow, r->n);
    if (r->fast_total > r->fast_limit) r->fast_total = spec_halve(r->fast, r->n);
    if (--r->left == 0) {
        if (r->interval < r->period) r->interval *= 2;
        r->left = r->interval;
        spec_choose(r);
        spec_build(r);
    }
}

static void spec_free(SpecMix *r)
{
    free(r->slow);
    free(r->fast);
    free(r->times);
    free(r->prev_slow);
    free(r->prev_fast);
    free(r->f);
}

static int table_matches(const RCPeriodicMixModel *m, const SpecMix *r)
{
    uint32_t cum = 0;
    for (unsigned s = 0; s < r->n; s++) {
        if (m->tab.cum[s] != cum) return 0;
        cum += r->f[s];
    }
    return m->tab.cum[r->n] == cum && cum == (uint32_t)1 << r->k && m->share == r->share;
}

static void test_log2_table(void)
{
    int ok = 1;
    for (uint32_t g = 1; g < (1u << 16); g++)
        ok &= rc_periodic_mix_log2(g) == spec_log2(g);
    EntRng r = {3};
    for (int i = 0; i < 200000; i++) {
        uint32_t g = 1 + (ent_rng_u32(&r) >> ent_rng_below(&r, 32));
        ok &= rc_periodic_mix_log2(g) == spec_log2(g);
    }
    ok &= rc_periodic_mix_log2(1u << 24) == 24u << 16 &&
          rc_periodic_mix_log2(0xFFFFFFFFu) == spec_log2(0xFFFFFFFFu);
    CHECK(ok);
}

/* Symbol by symbol against the spec: the coding table and the share after every update
 * (sampled for 65536 symbols), through halvings of both sets and every period class. A
 * source that alternates between drifting and steady makes the choice move. */
static void test_against_spec(void)
{
    static const unsigned cfg[][5] = {
        /* nsyms, slow window, fast window, prec, period */
        {2, 3, 1, 1, 0},      {2, 14, 10, 16, 3},     {16, 6, 2, 4, 2},
        {256, 14, 10, 20, 8}, {256, 9, 12, 8, 5},     {300, 17, 3, 12, 6},
        {4097, 12, 8, 20, 7}, {65536, 16, 10, 17, 9}, {65536, 17, 17, 24, 4}};
    EntRng r = {23};
    unsigned shares_seen = 0;
    for (size_t k = 0; k < sizeof(cfg) / sizeof(cfg[0]); k++) {
        unsigned n = cfg[k][0];
        RCPeriodicMixModel m;
        SpecMix ref;
        CHECK(rc_periodic_mix_init(&m, n, cfg[k][1], cfg[k][2], cfg[k][3], cfg[k][4]) == 0);
        spec_init(&ref, n, cfg[k][1], cfg[k][2], cfg[k][3], cfg[k][4]);
        int ok = table_matches(&m, &ref);
        unsigned base = 0;
        for (int i = 1; i <= 12000 && ok; i++) {
            if ((i / 3000) % 2 ? i % 64 == 0 : i % 3000 == 0) base = ent_rng_below(&r, n);
            unsigned s = ent_rng_below(&r, 4) ? (base + ent_rng_below(&r, n < 8 ? n : 8)) % n
                                              : ent_rng_below(&r, n);
            rc_periodic_mix_update(&m, s);
            spec_update(&ref, s);
            if (n <= 4096 || i % 101 == 0 || ref.left == ref.interval)
                ok &= table_matches(&m, &ref);
            shares_seen |= 1u << m.share;
            if (i % 997 == 0) {
                m.tab.buckets_ready = 0;
                ok &= periodic_buckets_consistent(&m.tab);
            }
        }
        CHECK(ok);
        spec_free(&ref);
        rc_periodic_mix_free(&m);
    }
    printf("  shares chosen: mask 0x%x\n", shares_seen);
    CHECK(shares_seen == 0x1F);
}

static void test_round_trip(void)
{
    static const unsigned cfg[][5] = {{2, 14, 10, 16, 8},
                                      {16, 12, 4, 4, 0},
                                      {256, 14, 10, 20, 8},
                                      {256, 17, 1, 12, 10},
                                      {65536, 14, 10, 20, 12}};
    EntRng r = {11};
    enum { N = 100000 };
    unsigned *syms = malloc(sizeof(*syms) * N);
    CHECK(syms != NULL);
    for (size_t k = 0; k < sizeof(cfg) / sizeof(cfg[0]); k++) {
        unsigned n = cfg[k][0];
        for (int i = 0; i < N; i++) { /* Zipf-like, the small symbols shifting every 5000 */
            uint32_t u = ent_rng_below(&r, n);
            syms[i] = (ent_rng_below(&r, u + 1) + 7u * (unsigned)(i / 5000)) % n;
        }
        RCPeriodicMixModel me, md;
        CHECK(rc_periodic_mix_init(&me, n, cfg[k][1], cfg[k][2], cfg[k][3], cfg[k][4]) == 0);
        CHECK(rc_periodic_mix_init(&md, n, cfg[k][1], cfg[k][2], cfg[k][3], cfg[k][4]) == 0);
        RCEncoder enc;
        rc_enc_init(&enc);
        for (int i = 0; i < N; i++)
            rc_encode_periodic_mix(&enc, &me, syms[i]);
        CHECK(rc_enc_flush(&enc) == 0);
        RCDecoder dec;
        rc_dec_init(&dec, enc.buf, enc.size);
        int same = 1;
        for (int i = 0; i < N; i++)
            same &= rc_decode_periodic_mix(&dec, &md) == syms[i];
        CHECK(same);
        CHECK(rc_dec_finish(&dec) == 0);
        CHECK(memcmp(me.count, md.count, sizeof(uint64_t) * n) == 0 && me.share == md.share);
        CHECK(periodic_buckets_consistent(&md.tab));
        printf("  %5u symbols, prec %2u, period 2^%-2u: %zu bytes for %d symbols\n", n, cfg[k][3],
               cfg[k][4], enc.size, N);
        rc_enc_free(&enc);
        rc_periodic_mix_free(&me);
        rc_periodic_mix_free(&md);
    }
    free(syms);
}

static void test_hostile(void)
{
    EntRng r = {5};
    uint8_t buf[4096];
    for (int t = 0; t < 50; t++) {
        for (size_t i = 0; i < sizeof(buf); i++)
            buf[i] = (uint8_t)ent_rng_u32(&r);
        unsigned n = t % 2 ? 65536 : 2 + ent_rng_below(&r, 300), lg = 1;
        while ((1u << lg) < n)
            lg++;
        /* every period for small alphabets; 2^8 and up at 65536 symbols (O(n) rebuilds) */
        unsigned period =
            n > 4096 ? 8 + (unsigned)t % 10 : (unsigned)t % (RC_PERIODIC_MIX_MAX_PERIOD + 1);
        RCPeriodicMixModel m;
        CHECK(rc_periodic_mix_init(&m, n, 1 + (unsigned)t % RC_PERIODIC_MIX_MAX_WINDOW,
                                   1 + (unsigned)(t * 7) % RC_PERIODIC_MIX_MAX_WINDOW,
                                   lg + (unsigned)t % (25 - lg), period) == 0);
        RCDecoder dec;
        rc_dec_init(&dec, buf, sizeof(buf));
        int ok = 1;
        for (int i = 0; i < 20000; i++)
            ok &= rc_decode_periodic_mix(&dec, &m) < n;
        CHECK(ok && periodic_buckets_consistent(&m.tab));
        rc_periodic_mix_free(&m);
    }
}

static void test_misuse(void)
{
    RCPeriodicMixModel m;
    CHECK(rc_periodic_mix_init(&m, 1, 14, 10, 8, 4) == NC_EINVAL);
    CHECK(rc_periodic_mix_init(&m, RC_COUNT_MAX_SYMS + 1, 14, 10, 24, 4) == NC_EINVAL);
    CHECK(rc_periodic_mix_init(&m, 16, 0, 10, 8, 4) == NC_EINVAL);
    CHECK(rc_periodic_mix_init(&m, 16, 14, 0, 8, 4) == NC_EINVAL);
    CHECK(rc_periodic_mix_init(&m, 16, RC_PERIODIC_MIX_MAX_WINDOW + 1, 10, 8, 4) == NC_EINVAL);
    CHECK(rc_periodic_mix_init(&m, 16, 14, RC_PERIODIC_MIX_MAX_WINDOW + 1, 8, 4) == NC_EINVAL);
    CHECK(rc_periodic_mix_init(&m, 17, 14, 10, 4, 4) == NC_EINVAL); /* 2^prec < nsyms */
    CHECK(rc_periodic_mix_init(&m, 16, 14, 10, RC_MAX_PREC + 1, 4) == NC_EINVAL);
    CHECK(rc_periodic_mix_init(&m, 16, 14, 10, 8, RC_PERIODIC_MIX_MAX_PERIOD + 1) == NC_EINVAL);
    CHECK(rc_periodic_mix_init(&m, 300, 14, 10, 12, 4) == 0);
    RCEncoder enc;
    rc_enc_init(&enc);
    rc_encode_periodic_mix(&enc, &m, 300);
    CHECK(rc_enc_flush(&enc) == NC_EINVAL);
    rc_enc_free(&enc);
    rc_periodic_mix_free(&m);
}

/* Bits per symbol of a source with the periodic model at one window, or the mixture. */
static double code_bits(int drifting, int mix, unsigned window)
{
    enum { N = 200000 };
    EntRng rr = {9};
    RCPeriodicModel pm;
    RCPeriodicMixModel xm;
    CHECK(mix ? rc_periodic_mix_init(&xm, 256, 14, 10, 20, 8) == 0
              : rc_periodic_init(&pm, 256, window, 20, 8) == 0);
    RCEncoder enc;
    rc_enc_init(&enc);
    unsigned share_sum = 0;
    for (int i = 0; i < N; i++) {
        uint32_t u = ent_rng_below(&rr, 32);
        unsigned s = (ent_rng_below(&rr, u + 1) + (drifting ? 37u * (unsigned)(i / 500) : 0)) & 255;
        if (mix) {
            rc_encode_periodic_mix(&enc, &xm, s);
            share_sum += EIGHTHS[xm.share];
        } else {
            rc_encode_periodic(&enc, &pm, s);
        }
    }
    CHECK(rc_enc_flush(&enc) == 0);
    double bits = 8.0 * enc.size / N;
    if (mix) {
        printf("  %s source: mixture %.4f bits/symbol, mean fast share %.2f/8\n",
               drifting ? "drifting" : "steady", bits, (double)share_sum / N);
        CHECK(drifting ? share_sum > 4u * N : share_sum < N / 2);
        rc_periodic_mix_free(&xm);
    } else {
        rc_periodic_free(&pm);
    }
    rc_enc_free(&enc);
    return bits;
}

/* The choice follows the data: a source that jumps every 500 symbols wants the fast
 * set, a steady one the slow set; the mixture codes each within 1% of the better of
 * the two single windows (periodic models at window 10 and 14). */
static void test_choice(void)
{
    for (int drifting = 0; drifting < 2; drifting++) {
        double w10 = code_bits(drifting, 0, 10), w14 = code_bits(drifting, 0, 14),
               mix = code_bits(drifting, 1, 0);
        printf("    single windows: 10: %.4f, 14: %.4f\n", w10, w14);
        CHECK(mix < 1.01 * (w10 < w14 ? w10 : w14));
    }
}

int main(void)
{
    test_log2_table();
    test_against_spec();
    test_round_trip();
    test_hostile();
    test_misuse();
    test_choice();
    return test_result("entropy_periodic_mix");
}
