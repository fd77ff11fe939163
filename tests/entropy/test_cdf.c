/* PMF -> quantized CDF: exact totals, no zero-probability symbol in the support,
 * closeness to the ideal code length, hostile floats. */
#include <math.h>
#include <stdlib.h>

#include "entropy/cdf.h"
#include "entropy/cdf_table.h"
#include "entropy/range_encoder.h"
#include "tests/entropy/test_util.h"

/* Cross-entropy overhead (bits/symbol) of coding pmf with the quantized cdf. */
static double overhead(const float *pmf, const uint32_t *cdf, unsigned n, unsigned prec)
{
    double total = 0, h = 0, cross = 0;
    for (unsigned s = 0; s < n; s++) total += pmf[s];
    for (unsigned s = 0; s < n; s++) {
        double p = pmf[s] / total;
        if (p <= 0) continue;
        h -= p * log2(p);
        cross -= p * log2((cdf[s + 1] - cdf[s]) / (double)(1u << prec));
    }
    return cross - h;
}

static void test_random_pmfs(void)
{
    EntRng r = {99};
    static float pmf[4096];
    static uint32_t cdf[4097];
    double worst16 = 0;
    for (int k = 0; k < 300; k++) {
        unsigned n = 2 + ent_rng_below(&r, k < 200 ? 255 : 4000);
        unsigned prec = 12 + ent_rng_below(&r, 13); /* 12..24 */
        while ((1u << prec) < n) prec++;
        unsigned sharp = ent_rng_below(&r, 4);
        for (unsigned s = 0; s < n; s++) {
            float u = (float)(ent_rng_u32(&r) >> 8) / 16777216.0f;
            pmf[s] = sharp == 0 ? u : sharp == 1 ? u * u * u * u : (s == 0 ? 1e6f : u * 1e-3f);
        }
        CHECK(rc_cdf_from_pmf(cdf, pmf, n, prec) == 0);
        CHECK(rc_cdf_check(cdf, n, prec) == 0);
        int zero = 0;
        for (unsigned s = 0; s < n; s++) zero |= cdf[s + 1] == cdf[s];
        CHECK(!zero);
        if (prec == 16 && n <= 256) {
            double o = overhead(pmf, cdf, n, prec);
            if (o > worst16) worst16 = o;
        }
    }
    /* 16-bit CDFs of <= 256 symbols cost well under 1% of a bit over the pmf. */
    printf("worst overhead at 16 bits, <= 256 symbols: %.5f bits/symbol\n", worst16);
    CHECK(worst16 < 0.01);
}

static void test_weights(void)
{
    uint64_t w[8] = {0, 5, 0, 1000000, 1, 0, 0, 3};
    uint32_t cdf[17];
    CHECK(rc_cdf_from_weights(cdf, w, 8, 10, 1) == 0 && rc_cdf_check(cdf, 8, 10) == 0);
    for (int s = 0; s < 8; s++) CHECK((cdf[s + 1] == cdf[s]) == (w[s] == 0));
    CHECK(rc_cdf_from_weights(cdf, w, 8, 10, 0) == 0);
    for (int s = 0; s < 8; s++) CHECK(cdf[s + 1] > cdf[s]);
    /* Every symbol at frequency 1: nsyms == 2^prec. */
    uint64_t ones[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 1u << 30};
    CHECK(rc_cdf_from_weights(cdf, ones, 16, 4, 0) == 0);
    for (int s = 0; s < 16; s++) CHECK(cdf[s + 1] - cdf[s] == 1);
    /* Huge weights (sum past 2^64) are scaled, not wrapped. */
    uint64_t huge[3] = {UINT64_MAX, UINT64_MAX / 2, 1};
    CHECK(rc_cdf_from_weights(cdf, huge, 3, 16, 1) == 0 && rc_cdf_check(cdf, 3, 16) == 0);
    CHECK(cdf[1] > 43000 && cdf[1] < 44000 && cdf[3] - cdf[2] == 1);
    /* All zero -> uniform; too many symbols -> error. */
    uint64_t zeros[5] = {0};
    CHECK(rc_cdf_from_weights(cdf, zeros, 5, 8, 1) == 0);
    CHECK(cdf[1] == 52 && cdf[5] == 256);
    CHECK(rc_cdf_from_weights(cdf, ones, 16, 3, 0) == NC_EINVAL);
    CHECK(rc_cdf_from_weights(cdf, ones, 4, 25, 0) == NC_EINVAL);
}

static void test_hostile_floats(void)
{
    float pmf[6] = {NAN, INFINITY, -1.0f, 0.0f, 1e-30f, 2.0f};
    uint32_t cdf[7];
    CHECK(rc_cdf_from_pmf(cdf, pmf, 6, 8) == 0 && rc_cdf_check(cdf, 6, 8) == 0);
    for (int s = 0; s < 6; s++) CHECK(cdf[s + 1] > cdf[s]);
    CHECK(cdf[6] - cdf[5] == 256 - 5); /* everything else at the floor */
    float nothing[3] = {NAN, -INFINITY, 0.0f};
    CHECK(rc_cdf_from_pmf(cdf, nothing, 3, 8) == 0 && cdf[1] == 86 && cdf[2] == 171);
}

static void test_check(void)
{
    uint32_t good[3] = {0, 3, 8}, bad1[3] = {1, 3, 8}, bad2[3] = {0, 9, 8}, bad3[3] = {0, 3, 7};
    CHECK(rc_cdf_check(good, 2, 3) == 0);
    CHECK(rc_cdf_check(bad1, 2, 3) == NC_EINVAL);
    CHECK(rc_cdf_check(bad2, 2, 3) == NC_EINVAL);
    CHECK(rc_cdf_check(bad3, 2, 3) == NC_EINVAL);
    CHECK(rc_cdf_check(good, 9, 3) == NC_EINVAL);
    CHECK(rc_cdf_check(NULL, 2, 3) == NC_EINVAL);
}

static void test_tables(void)
{
    /* A text-like histogram: ~90 symbols in use out of 256. */
    EntRng r = {21};
    uint64_t w[256] = {0};
    for (int s = 32; s < 123; s++) w[s] = 1 + ent_rng_below(&r, 1u << ent_rng_below(&r, 16));
    w[10] = 5000;
    uint32_t cdf[257], got[257];
    CHECK(rc_cdf_from_weights(cdf, w, 256, 16, 1) == 0);
    RCEncoder enc;
    rc_enc_init(&enc);
    rc_encode_cdf_table(&enc, cdf, 256, 16);
    uint32_t one[3] = {0, 1u << 12, 1u << 12}; /* all mass on one symbol, then a zero */
    rc_encode_cdf_table(&enc, one, 2, 12);
    CHECK(rc_enc_flush(&enc) == 0);
    printf("256-symbol text-like table: %zu bytes\n", enc.size);
    CHECK(enc.size < 200);
    RCDecoder dec;
    rc_dec_init(&dec, enc.buf, enc.size);
    CHECK(rc_decode_cdf_table(&dec, got, 256, 16) == 0);
    int same = 1;
    for (int s = 0; s <= 256; s++) same &= got[s] == cdf[s];
    CHECK(same);
    CHECK(rc_decode_cdf_table(&dec, got, 2, 12) == 0 && got[1] == 4096 && got[2] == 4096);
    CHECK(rc_dec_finish(&dec) == 0);
    rc_enc_free(&enc);
    /* Hostile bytes: either a valid table or NC_EINVALIDDATA, and always a valid CDF. */
    uint8_t junk[40];
    int rejected = 0;
    for (int k = 0; k < 500; k++) {
        for (int i = 0; i < 40; i++) junk[i] = (uint8_t)ent_rng_u32(&r);
        rc_dec_init(&dec, junk, 1 + ent_rng_below(&r, 40));
        unsigned prec = 8 + ent_rng_below(&r, 9);
        int ret = rc_decode_cdf_table(&dec, got, 256, prec);
        CHECK(ret == 0 || ret == NC_EINVALIDDATA);
        rejected += ret != 0;
        CHECK(rc_cdf_check(got, 256, prec) == 0);
    }
    printf("hostile tables rejected: %d/500\n", rejected);
    uint32_t bad[3] = {0, 5, 3};
    rc_enc_init(&enc);
    rc_encode_cdf_table(&enc, bad, 2, 2);
    CHECK(rc_enc_flush(&enc) == NC_EINVAL);
    rc_enc_free(&enc);
}

int main(void)
{
    test_tables();
    test_random_pmfs();
    test_weights();
    test_hostile_floats();
    test_check();
    return test_result("entropy_cdf");
}
