/* Adaptive count models (entropy/count_model.h): the tree always agrees with the
 * counts (through halvings, at every depth), round trips at 2..65536 symbols, hostile
 * bytes always decode to valid symbols, misuse of rc_encode_interval is flagged, and
 * the window trades adaptivity for precision as documented. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/recipes.h"
#include "entropy/count_model.h"
#include "tests/entropy/test_util.h"

/* cum(s) from the tree equals the sum of the counts below s; the total is their sum;
 * mps has the largest count. */
static int tree_consistent(const RCCountModel *m)
{
    uint64_t cum = 0;
    for (unsigned s = 0; s < m->nsyms; s++) {
        if (rc_count_cum(m, s) != cum || m->count[s] < 1 || m->count[s] > m->count[m->mps]) return 0;
        cum += m->count[s];
    }
    return cum == m->total && m->total <= m->limit && m->recip == rc_total_recip(m->total);
}

static void test_invariants(void)
{
    static const unsigned sizes[] = {2, 3, 15, 16, 17, 255, 256, 257, 4096, 4097, 65536};
    EntRng r = {7};
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        unsigned n = sizes[k];
        for (unsigned window = RC_COUNT_MIN_WINDOW; window <= RC_COUNT_MAX_WINDOW; window += 5) {
            RCCountModel m;
            CHECK(rc_count_init(&m, n, window) == 0);
            CHECK(tree_consistent(&m));
            unsigned steps = n > 4096 ? 200000 : 20000;
            int ok = 1;
            for (unsigned i = 0; i < steps && ok; i++) {
                /* skewed toward a few symbols, so counts grow and halvings happen */
                unsigned s = ent_rng_below(&r, 4) ? ent_rng_below(&r, n < 8 ? n : 8) : ent_rng_below(&r, n);
                rc_count_update(&m, s);
                if (i % 997 == 0 || i == steps - 1) ok = tree_consistent(&m);
            }
            CHECK(ok);
            rc_count_free(&m);
        }
    }
}

static void test_round_trip(void)
{
    static const unsigned sizes[] = {2, 16, 256, 65536};
    EntRng r = {11};
    enum { N = 100000 };
    unsigned *syms = malloc(sizeof(*syms) * N);
    CHECK(syms != NULL);
    for (size_t k = 0; k < 4; k++) {
        unsigned n = sizes[k];
        for (int i = 0; i < N; i++) { /* Zipf-like: small symbols frequent */
            uint32_t u = ent_rng_below(&r, n);
            syms[i] = ent_rng_below(&r, u + 1);
        }
        RCCountModel me, md;
        CHECK(rc_count_init(&me, n, 10) == 0 && rc_count_init(&md, n, 10) == 0);
        RCEncoder enc;
        rc_enc_init(&enc);
        for (int i = 0; i < N; i++) rc_encode_count(&enc, &me, syms[i]);
        CHECK(rc_enc_flush(&enc) == 0);
        RCDecoder dec;
        rc_dec_init(&dec, enc.buf, enc.size);
        int same = 1;
        for (int i = 0; i < N; i++) same &= rc_decode_count(&dec, &md) == syms[i];
        CHECK(same);
        CHECK(rc_dec_finish(&dec) == 0);
        CHECK(memcmp(me.count, md.count, sizeof(uint32_t) * n) == 0);
        /* a copy codes the same as its source */
        RCCountModel cp;
        CHECK(rc_count_init(&cp, n, 10) == 0);
        rc_count_copy(&cp, &me);
        CHECK(tree_consistent(&cp) && cp.total == me.total);
        rc_count_free(&cp);
        printf("  %5u symbols: %zu bytes for %d symbols\n", n, enc.size, N);
        rc_enc_free(&enc);
        rc_count_free(&me);
        rc_count_free(&md);
    }
    free(syms);
}

static void test_hostile(void)
{
    EntRng r = {5};
    uint8_t buf[4096];
    for (int t = 0; t < 50; t++) {
        for (size_t i = 0; i < sizeof(buf); i++) buf[i] = (uint8_t)ent_rng_u32(&r);
        unsigned n = t % 2 ? 65536 : 2 + ent_rng_below(&r, 300);
        RCCountModel m;
        CHECK(rc_count_init(&m, n, 1 + (unsigned)t % RC_COUNT_MAX_WINDOW) == 0);
        RCDecoder dec;
        rc_dec_init(&dec, buf, sizeof(buf));
        int ok = 1;
        for (int i = 0; i < 20000; i++) ok &= rc_decode_count(&dec, &m) < n;
        CHECK(ok && tree_consistent(&m));
        rc_count_free(&m);
    }
}

static void test_misuse(void)
{
    RCCountModel m;
    CHECK(rc_count_init(&m, 1, 10) == NC_EINVAL);
    CHECK(rc_count_init(&m, RC_COUNT_MAX_SYMS + 1, 10) == NC_EINVAL);
    CHECK(rc_count_init(&m, 16, 0) == NC_EINVAL);
    CHECK(rc_count_init(&m, 16, RC_COUNT_MAX_WINDOW + 1) == NC_EINVAL);
    /* the limit never falls below 32 * nsyms (rounded up to a power of two) */
    CHECK(rc_count_init(&m, 65536, 1) == 0 && m.limit == (uint32_t)RC_COUNT_INC << 16);
    rc_count_free(&m);
    CHECK(rc_count_init(&m, 300, 18) == 0 && m.limit == (uint32_t)RC_COUNT_INC << 18);
    RCEncoder enc;
    rc_enc_init(&enc);
    rc_encode_count(&enc, &m, 300);
    CHECK(rc_enc_flush(&enc) == NC_EINVAL);
    rc_enc_reset(&enc);
    rc_encode_interval(&enc, 0, 0, 10, rc_total_recip(10));
    CHECK(rc_enc_flush(&enc) == NC_EINVAL);
    rc_enc_reset(&enc);
    rc_encode_interval(&enc, 5, 6, 10, rc_total_recip(10));
    CHECK(rc_enc_flush(&enc) == NC_EINVAL);
    rc_enc_reset(&enc);
    rc_encode_interval(&enc, 0, 1, RC_MAX_TOTAL + 1, rc_total_recip(RC_MAX_TOTAL + 1));
    CHECK(rc_enc_flush(&enc) == NC_EINVAL);
    rc_enc_free(&enc);
    rc_count_free(&m);
}

/* The unit width never exceeds range / total, and loses less than 2^-38 of it. */
static void test_range_unit(void)
{
    EntRng r = {3};
    int ok = 1;
    for (int i = 0; i < 200000; i++) {
        uint64_t range = ((uint64_t)ent_rng_u32(&r) << 32 | ent_rng_u32(&r)) >> 8;
        if (range < RC_BOT) range += RC_BOT;
        if (i == 0) range = RC_TOP;
        uint32_t total = 2 + ent_rng_below(&r, RC_MAX_TOTAL - 1);
        uint64_t unit = rc_range_unit(range, rc_total_recip(total)), exact = range / total;
        ok &= unit <= exact && (double)(exact - unit) <= ldexp((double)exact, -38) + 1;
    }
    CHECK(ok);
}

/* Longer windows code a stationary source closer to its entropy. */
static void test_window(void)
{
    EntRng r = {9};
    enum { N = 200000 };
    double bits[2];
    unsigned windows[2] = {8, 14};
    for (int k = 0; k < 2; k++) {
        EntRng rr = r;
        RCCountModel m;
        CHECK(rc_count_init(&m, 256, windows[k]) == 0);
        RCEncoder enc;
        rc_enc_init(&enc);
        for (int i = 0; i < N; i++) {
            uint32_t u = ent_rng_below(&rr, 256);
            rc_encode_count(&enc, &m, ent_rng_below(&rr, u + 1));
        }
        CHECK(rc_enc_flush(&enc) == 0);
        bits[k] = 8.0 * enc.size / N;
        rc_enc_free(&enc);
        rc_count_free(&m);
    }
    printf("  stationary source: %.4f bits/symbol at window 8, %.4f at 14\n", bits[0], bits[1]);
    CHECK(bits[1] < bits[0]);
}

int main(void)
{
    test_invariants();
    test_round_trip();
    test_hostile();
    test_misuse();
    test_range_unit();
    test_window();
    return test_result("entropy_count");
}
