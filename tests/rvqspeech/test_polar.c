/* The decoder's synthesis spectrum on AVX-512 lanes (codecs/rvqspeech/polar.h) against
 * libm, bit for bit: random log magnitudes and phases over the lanes' domains and
 * past them (tiny magnitudes, phases of 120 and more, NaN, infinities), unaligned
 * arrays and lengths that leave a tail. Skipped (77) where the CPU lacks AVX-512, and
 * with a libm other than glibc 2.28+ (whose expf and sincosf the lanes reproduce; there
 * rvq_polar_exact() may find a difference and leave the decoder on libm). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/rvqspeech/polar.h"
#include "tests/test.h"

static uint64_t state = 7;

static float uniform(float lo, float hi)
{
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return lo + (hi - lo) * (float)(state >> 40) * 0x1p-24f;
}

/* one value of a kind picked by k: ordinary, small, large, special */
static float pick(int k, float lo, float hi)
{
    switch (k % 16) {
    case 0: return uniform(-1e-3f, 1e-3f);
    case 1: return uniform(-0x1p-11f, 0x1p-11f);
    case 2: return uniform(100.0f, 300.0f) * (k & 32 ? -1.0f : 1.0f);
    case 3: return k & 64 ? NAN : INFINITY;
    case 4: return uniform(-120.0f, -80.0f);
    default: return uniform(lo, hi);
    }
}

int main(void)
{
    RvqPolarFn fn = rvq_polar_avx512();
#if !defined(__GLIBC__) || __GLIBC__ < 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ < 28)
    fn = NULL;
#endif
    if (!fn) {
        printf("test_polar: no AVX-512 or not glibc 2.28+, skipped\n");
        return 77;
    }
    CHECK(rvq_polar_exact() == fn); /* the decoder's self-check agrees */
    enum { N = 4099 };
    float *lm = malloc(sizeof(float) * (N + 1)), *ph = malloc(sizeof(float) * (N + 1));
    float *scratch = malloc(sizeof(float) * 3 * N);
    NCComplex *a = malloc(sizeof(NCComplex) * N), *b = malloc(sizeof(NCComplex) * N);
    CHECK(lm && ph && scratch && a && b);
    long lanes = 0;
    for (int round = 0; round < 200; round++) {
        const int special = round % 4 == 0; /* every 4th round: 1 in 20 values out of the lanes' domain */
        for (int i = 0; i <= N; i++) {
            int k = (int)(uniform(0, 1) * 20 * 128);
            lm[i] = special && k % 20 == 0 ? pick(k >> 5, -20.0f, 12.0f) : uniform(-20.0f, 12.0f);
            ph[i] = special && k % 20 == 1 ? pick(k >> 5, -40.0f, 40.0f) : uniform(-119.0f, 119.0f);
            if (!special && i % 11 == 0) ph[i] = uniform(-0.8f, 0.8f); /* the unreduced range */
        }
        const int n = N - round % 17, off = round & 1; /* tails, unaligned inputs */
        rvq_polar_libm(lm + off, ph + off, a, scratch, scratch + N, scratch + 2 * N, n);
        fn(lm + off, ph + off, b, scratch, scratch + N, scratch + 2 * N, n);
        if (memcmp(a, b, sizeof(NCComplex) * (size_t)n)) {
            for (int i = 0; i < n; i++)
                if (memcmp(&a[i], &b[i], sizeof(NCComplex))) {
                    printf("bin %d: m %a p %a: libm (%a, %a), simd (%a, %a)\n", i, lm[i + off], ph[i + off], a[i].re,
                           a[i].im, b[i].re, b[i].im);
                    break;
                }
            CHECK(0);
            break;
        }
        lanes += n;
    }
    printf("test_polar: %ld bins, the same bits as libm\n", lanes);
    free(lm);
    free(ph);
    free(scratch);
    free(a);
    free(b);
    return test_result("test_polar");
}
