/* Periodic models (entropy/periodic_model.h): the coding table always sums to 2^prec
 * with every frequency >= 1 and follows the spec's formula and schedule, the decoder's
 * bucket table finds the same symbol as a search of the cumulative table, round trips
 * at 2..65536 symbols and every precision class, hostile bytes always decode to valid
 * symbols, misuse is refused, and a shorter period codes a drifting source smaller. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entropy/periodic_model.h"
#include "tests/entropy/test_util.h"

/* The table as conformance/spec/entropy.md computes it, from the counts. */
static int table_matches_spec(const RCPeriodicModel *m, const uint32_t *count, uint32_t total)
{
    unsigned n = m->tab.nsyms, top = 0;
    uint64_t scale = ((((uint64_t)1 << m->tab.prec) - n) << 32) / total, sum = 0;
    for (unsigned s = 0; s < n; s++) {
        sum += 1 + ((count[s] * scale) >> 32);
        if (count[s] > count[top]) top = s;
    }
    uint64_t cum = 0;
    for (unsigned s = 0; s < n; s++) {
        uint64_t f = 1 + ((count[s] * scale) >> 32) + (s == top ? ((uint64_t)1 << m->tab.prec) - sum : 0);
        if (m->tab.cum[s] != cum || m->tab.cum[s + 1] - m->tab.cum[s] != f) return 0;
        cum += f;
    }
    return cum == (uint64_t)1 << m->tab.prec && m->tab.cum[n] == cum;
}

/* Rebuilds happen after symbols 1, 3, 7, ... and then every 2^period; between them the
 * table is frozen while the counts move; every table matches the spec's formula. */
static void test_schedule(void)
{
    static const unsigned cfg[][4] = {/* nsyms, window, prec, period */
                                      {2, 1, 1, 0},    {2, 5, 16, 3},    {16, 4, 4, 2},
                                      {256, 9, 8, 5},  {256, 12, 16, 8}, {300, 3, 12, 6},
                                      {4097, 12, 20, 7}, {65536, 16, 17, 9}, {65536, 18, 24, 4}};
    EntRng r = {17};
    for (size_t k = 0; k < sizeof(cfg) / sizeof(cfg[0]); k++) {
        unsigned n = cfg[k][0];
        RCPeriodicModel m;
        CHECK(rc_periodic_init(&m, n, cfg[k][1], cfg[k][2], cfg[k][3]) == 0);
        uint32_t *snap = malloc(sizeof(uint32_t) * n), *prev = malloc(sizeof(uint32_t) * (n + 1));
        CHECK(snap && prev);
        for (unsigned s = 0; s < n; s++) snap[s] = 1;
        CHECK(table_matches_spec(&m, snap, n));
        uint64_t next = 1, interval = 1, period = (uint64_t)1 << cfg[k][3];
        int ok = 1;
        for (uint64_t i = 1; i <= 5000 && ok; i++) {
            memcpy(prev, m.tab.cum, sizeof(uint32_t) * (n + 1));
            unsigned s = ent_rng_below(&r, 4) ? ent_rng_below(&r, n < 8 ? n : 8) : ent_rng_below(&r, n);
            rc_periodic_update(&m, s);
            if (n <= 4096 || i % 97 == 0 || i == next) { /* O(n): sampled for big alphabets */
                uint32_t t = 0;
                for (unsigned q = 0; q < n; q++) t += m.count[q];
                ok &= t == m.total && m.total <= m.limit;
            }
            if (i == next) { /* a rebuild from the counts as they are now */
                if (interval < period) interval *= 2;
                next += interval;
                ok &= table_matches_spec(&m, m.count, m.total);
            } else {
                ok &= memcmp(prev, m.tab.cum, sizeof(uint32_t) * (n + 1)) == 0;
            }
            if (i % 611 == 0 && ok) {
                m.tab.buckets_ready = 0;
                ok &= periodic_buckets_consistent(&m.tab);
            }
        }
        CHECK(ok);
        free(snap);
        free(prev);
        rc_periodic_free(&m);
    }
}

static void test_round_trip(void)
{
    static const unsigned cfg[][4] = {{2, 12, 16, 8},   {16, 12, 4, 0},   {16, 10, 16, 8},
                                      {256, 12, 16, 8}, {256, 13, 12, 10}, {256, 8, 24, 2},
                                      {65536, 12, 16, 12}, {65536, 12, 20, 12}};
    EntRng r = {11};
    enum { N = 100000 };
    unsigned *syms = malloc(sizeof(*syms) * N);
    CHECK(syms != NULL);
    for (size_t k = 0; k < sizeof(cfg) / sizeof(cfg[0]); k++) {
        unsigned n = cfg[k][0];
        for (int i = 0; i < N; i++) { /* Zipf-like: small symbols frequent */
            uint32_t u = ent_rng_below(&r, n);
            syms[i] = ent_rng_below(&r, u + 1);
        }
        RCPeriodicModel me, md;
        CHECK(rc_periodic_init(&me, n, cfg[k][1], cfg[k][2], cfg[k][3]) == 0);
        CHECK(rc_periodic_init(&md, n, cfg[k][1], cfg[k][2], cfg[k][3]) == 0);
        RCEncoder enc;
        rc_enc_init(&enc);
        for (int i = 0; i < N; i++) rc_encode_periodic(&enc, &me, syms[i]);
        CHECK(rc_enc_flush(&enc) == 0);
        RCDecoder dec;
        rc_dec_init(&dec, enc.buf, enc.size);
        int same = 1;
        for (int i = 0; i < N; i++) same &= rc_decode_periodic(&dec, &md) == syms[i];
        CHECK(same);
        CHECK(rc_dec_finish(&dec) == 0);
        CHECK(memcmp(me.count, md.count, sizeof(uint32_t) * n) == 0);
        CHECK(periodic_buckets_consistent(&md.tab));
        printf("  %5u symbols, prec %2u, period 2^%-2u: %zu bytes for %d symbols\n", n, cfg[k][2],
               cfg[k][3], enc.size, N);
        rc_enc_free(&enc);
        rc_periodic_free(&me);
        rc_periodic_free(&md);
    }
    free(syms);
}

static void test_hostile(void)
{
    EntRng r = {5};
    uint8_t buf[4096];
    for (int t = 0; t < 50; t++) {
        for (size_t i = 0; i < sizeof(buf); i++) buf[i] = (uint8_t)ent_rng_u32(&r);
        unsigned n = t % 2 ? 65536 : 2 + ent_rng_below(&r, 300), lg = 1;
        while ((1u << lg) < n) lg++;
        RCPeriodicModel m;
        /* every period for small alphabets; 2^8 and up at 65536 symbols, where each
         * rebuild is O(n) and short periods only make the test slow */
        unsigned period = n > 4096 ? 8 + (unsigned)t % 13 : (unsigned)t % (RC_PERIODIC_MAX_PERIOD + 1);
        CHECK(rc_periodic_init(&m, n, 1 + (unsigned)t % RC_COUNT_MAX_WINDOW, lg + (unsigned)t % (25 - lg),
                               period) == 0);
        RCDecoder dec;
        rc_dec_init(&dec, buf, sizeof(buf));
        int ok = 1;
        for (int i = 0; i < 20000; i++) ok &= rc_decode_periodic(&dec, &m) < n;
        CHECK(ok && periodic_buckets_consistent(&m.tab));
        rc_periodic_free(&m);
    }
}

static void test_misuse(void)
{
    RCPeriodicModel m;
    CHECK(rc_periodic_init(&m, 1, 10, 8, 4) == NC_EINVAL);
    CHECK(rc_periodic_init(&m, RC_COUNT_MAX_SYMS + 1, 10, 24, 4) == NC_EINVAL);
    CHECK(rc_periodic_init(&m, 16, 0, 8, 4) == NC_EINVAL);
    CHECK(rc_periodic_init(&m, 16, RC_COUNT_MAX_WINDOW + 1, 8, 4) == NC_EINVAL);
    CHECK(rc_periodic_init(&m, 17, 10, 4, 4) == NC_EINVAL); /* 2^prec < nsyms */
    CHECK(rc_periodic_init(&m, 16, 10, RC_MAX_PREC + 1, 4) == NC_EINVAL);
    CHECK(rc_periodic_init(&m, 16, 10, 8, RC_PERIODIC_MAX_PERIOD + 1) == NC_EINVAL);
    CHECK(rc_periodic_init(&m, 300, 10, 12, 4) == 0);
    RCEncoder enc;
    rc_enc_init(&enc);
    rc_encode_periodic(&enc, &m, 300);
    CHECK(rc_enc_flush(&enc) == NC_EINVAL);
    rc_enc_free(&enc);
    rc_periodic_free(&m);
}

/* The period is what the table's lag costs: on a source that changes every 2000
 * symbols, a table rebuilt every 2^4 symbols codes smaller than one rebuilt every 2^12. */
static void test_period(void)
{
    enum { N = 200000 };
    double bits[2];
    unsigned periods[2] = {4, 12};
    for (int k = 0; k < 2; k++) {
        EntRng rr = {9};
        RCPeriodicModel m;
        CHECK(rc_periodic_init(&m, 256, 10, 16, periods[k]) == 0);
        RCEncoder enc;
        rc_enc_init(&enc);
        for (int i = 0; i < N; i++) {
            uint32_t u = ent_rng_below(&rr, 32);
            rc_encode_periodic(&enc, &m, (ent_rng_below(&rr, u + 1) + 37u * (unsigned)(i / 2000)) & 255);
        }
        CHECK(rc_enc_flush(&enc) == 0);
        bits[k] = 8.0 * enc.size / N;
        rc_enc_free(&enc);
        rc_periodic_free(&m);
    }
    printf("  drifting source: %.4f bits/symbol at period 2^4, %.4f at 2^12\n", bits[0], bits[1]);
    CHECK(bits[0] < bits[1]);
}

int main(void)
{
    test_schedule();
    test_round_trip();
    test_hostile();
    test_misuse();
    test_period();
    return test_result("entropy_periodic");
}
