/* The synthesis spectrum X_b = exp(min(m_b, max)) * (cos p_b + i sin p_b), 8 bins at a
 * time, with the same bits as the scalar loop in spectral.c on glibc 2.28+ (polar.h).
 *
 * The scalar loop calls libm's expf and sincosf 321 times per frame, a sixth of the
 * decoder's time. A faster approximation would change the decoded samples, which this
 * work must not; so these are glibc's own float algorithms (double-precision
 * evaluation: expf with a 32-entry table of 2^(i/32) and a cubic, sincosf with a
 * quadrant reduction and two polynomials) written again on AVX-512 lanes, FMAs where
 * glibc's FMA build contracts. Checked on every float input against glibc 2.36: expf
 * over [-87, 10], sincosf over |x| < 120 (2.2e9 inputs each, no difference). Lanes
 * outside those domains (and NaNs) send their group of 8 to libm. Because another libm
 * (or another glibc version) may round differently, rvq_polar_exact() compares the two
 * on fixed inputs before the decoder uses this. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/rvqspeech/polar.h"
#include "libnc/nn/kernels.h"

void rvq_polar_libm(const float *logmag, const float *phase, NCComplex *spec, float *mag, float *sn, float *cs,
                    int n)
{
    /* three passes, so that no libm call waits for the one before it (in one loop the
     * products stalled on each sincosf's stored results); sincosf gives what gcc made of
     * cosf and sinf before */
    for (int b = 0; b < n; b++) {
        float m = logmag[b];
        mag[b] = expf(m < NC_RVQ_LOGMAG_MAX ? m : NC_RVQ_LOGMAG_MAX);
    }
    for (int b = 0; b < n; b++) sincosf(phase[b], &sn[b], &cs[b]);
    for (int b = 0; b < n; b++) {
        spec[b].re = mag[b] * cs[b];
        spec[b].im = mag[b] * sn[b];
    }
}

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#include <immintrin.h>

#define TARGET __attribute__((target("avx512f,avx512vl,avx2,fma")))

/* expf: x * 32 / ln 2 = k + r, exp(x) = 2^(k/32) * 2^(r/32), the first from a table
 * (the bits of 2^(i/32), correctly rounded, minus i << 47, so that adding k << 47
 * puts k's high bits into the exponent), the second a cubic in r. */
static const uint64_t exp_table[32] = {
    0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
    0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
    0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
    0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
    0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
    0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
    0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
    0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540,
};

TARGET static inline __m256 expf8(__m256 x)
{
    const __m512d shift = _mm512_set1_pd(0x1.8p+52);
    __m512d xd = _mm512_cvtps_pd(x), z = _mm512_mul_pd(_mm512_set1_pd(0x1.71547652b82fep+0 * 32), xd);
    __m512d kd = _mm512_add_pd(z, shift);
    __m512i ki = _mm512_castpd_si512(kd);
    __m512d r = _mm512_sub_pd(z, _mm512_sub_pd(kd, shift));
    __m512i t = _mm512_i64gather_epi64(_mm512_and_si512(ki, _mm512_set1_epi64(31)), (const void *)exp_table, 8);
    __m512d s = _mm512_castsi512_pd(_mm512_add_epi64(t, _mm512_slli_epi64(ki, 47)));
    __m512d c = _mm512_fmadd_pd(_mm512_set1_pd(0x1.c6af84b912394p-5 / 32 / 32 / 32), r,
                                _mm512_set1_pd(0x1.ebfce50fac4f3p-3 / 32 / 32));
    __m512d y = _mm512_fmadd_pd(_mm512_set1_pd(0x1.62e42ff0c52d6p-1 / 32), r, _mm512_set1_pd(1.0));
    y = _mm512_fmadd_pd(c, _mm512_mul_pd(r, r), y);
    return _mm512_cvtpd_ps(_mm512_mul_pd(y, s));
}

/* sincosf for |y| < 120: below 0.75 (glibc compares the top 12 bits with pi/4's) the
 * polynomials take y itself, above they take y - n pi/2 with n from a fixed-point
 * product; the quadrant flips signs, swaps sin and cos and picks the cosine
 * polynomial's sign; below 2^-12 sin = y, cos = 1. */
TARGET static inline void sincosf8(__m256 y, __m256 *sinp, __m256 *cosp)
{
    const __m256 ay = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), y);
    const __mmask8 small = _mm256_cmp_ps_mask(ay, _mm256_set1_ps(0.75f), _CMP_LT_OQ);
    const __mmask8 tiny = _mm256_cmp_ps_mask(ay, _mm256_set1_ps(0x1p-12f), _CMP_LT_OQ);
    __m512d x = _mm512_cvtps_pd(y);
    __m512d r = _mm512_mul_pd(x, _mm512_set1_pd(0x1.45F306DC9C883p+23)); /* 2^24 * 2 / pi */
    __m256i n = _mm256_srai_epi32(_mm256_add_epi32(_mm512_cvttpd_epi32(r), _mm256_set1_epi32(0x800000)), 24);
    n = _mm256_maskz_mov_epi32((__mmask8)~small, n);
    __m512d xr = _mm512_mask_mov_pd(_mm512_fnmadd_pd(_mm512_cvtepi32_pd(n), _mm512_set1_pd(0x1.921FB54442D18p0), x),
                                    small, x);
    const __m256i q = _mm256_and_si256(n, _mm256_set1_epi32(3));
    const __mmask8 neg = _mm256_cmpeq_epi32_mask(q, _mm256_set1_epi32(1)) | _mm256_cmpeq_epi32_mask(q, _mm256_set1_epi32(2));
    const __mmask8 flip = _mm256_test_epi32_mask(n, _mm256_set1_epi32(2)), odd = _mm256_test_epi32_mask(n, _mm256_set1_epi32(1));
#define SIGNED(c) _mm512_mask_blend_pd(flip, _mm512_set1_pd(c), _mm512_set1_pd(-(c)))
    const __m512d c0 = SIGNED(1.0), c1 = SIGNED(-0x1.ffffffd0c621cp-2), c2 = SIGNED(0x1.55553e1068f19p-5);
    const __m512d c3 = SIGNED(-0x1.6c087e89a359dp-10), c4 = SIGNED(0x1.99343027bf8c3p-16);
#undef SIGNED
    const __m512d s1 = _mm512_set1_pd(-0x1.555545995a603p-3), s2 = _mm512_set1_pd(0x1.1107605230bc4p-7);
    const __m512d s3 = _mm512_set1_pd(-0x1.994eb3774cf24p-13);
    __m512d xs = _mm512_mask_sub_pd(xr, neg, _mm512_setzero_pd(), xr);
    __m512d x2 = _mm512_mul_pd(xr, xr), x4 = _mm512_mul_pd(x2, x2), x3 = _mm512_mul_pd(x2, xs);
    __m512d cc = _mm512_fmadd_pd(x2, c4, c3), ss = _mm512_fmadd_pd(x2, s3, s2), ca = _mm512_fmadd_pd(x2, c1, c0);
    __m512d s = _mm512_fmadd_pd(x3, s1, xs), c = _mm512_fmadd_pd(x4, c2, ca);
    __m256 so = _mm512_cvtpd_ps(_mm512_fmadd_pd(_mm512_mul_pd(x3, x2), ss, s));
    __m256 co = _mm512_cvtpd_ps(_mm512_fmadd_pd(_mm512_mul_pd(x4, x2), cc, c));
    *sinp = _mm256_mask_blend_ps(tiny, _mm256_mask_blend_ps(odd, so, co), y);
    *cosp = _mm256_mask_blend_ps(tiny, _mm256_mask_blend_ps(odd, co, so), _mm256_set1_ps(1.0f));
}

TARGET static void polar_avx512(const float *logmag, const float *phase, NCComplex *spec, float *mag, float *sn,
                                float *cs, int n)
{
    int b = 0;
    for (; b + 8 <= n; b += 8) {
        __m256 m = _mm256_min_ps(_mm256_loadu_ps(logmag + b), _mm256_set1_ps(NC_RVQ_LOGMAG_MAX)); /* NaN: max */
        __m256 p = _mm256_loadu_ps(phase + b);
        const __mmask8 ok = _mm256_cmp_ps_mask(m, _mm256_set1_ps(-87.0f), _CMP_GE_OQ) &
                            _mm256_cmp_ps_mask(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), p), _mm256_set1_ps(120.0f), _CMP_LT_OQ);
        if (ok != 0xFF) { /* tiny magnitudes, large or NaN phases: libm */
            rvq_polar_libm(logmag + b, phase + b, spec + b, mag, sn, cs, 8);
            continue;
        }
        __m256 s, c, a = expf8(m);
        sincosf8(p, &s, &c);
        __m256 re = _mm256_mul_ps(a, c), im = _mm256_mul_ps(a, s);
        /* interleave into (re, im) pairs */
        _mm256_storeu_ps((float *)(spec + b), _mm256_permute2f128_ps(_mm256_unpacklo_ps(re, im), _mm256_unpackhi_ps(re, im), 0x20));
        _mm256_storeu_ps((float *)(spec + b + 4), _mm256_permute2f128_ps(_mm256_unpacklo_ps(re, im), _mm256_unpackhi_ps(re, im), 0x31));
    }
    if (b < n) rvq_polar_libm(logmag + b, phase + b, spec + b, mag, sn, cs, n - b);
}

RvqPolarFn rvq_polar_avx512(void)
{
    return strcmp(nn_kernels()->name, "avx512") ? NULL : polar_avx512; /* the CPU (and NC_KERNELS) decide */
}

RvqPolarFn rvq_polar_exact(void)
{
    if (!rvq_polar_avx512())
        return NULL;
    /* the libm this runs on must round as glibc does: compare on a spread of inputs
     * (log magnitudes -87..10, phases -120..120 of both signs, small and tiny ones) */
    enum { N = 2048 };
    float *lm = malloc(sizeof(float) * 5 * N);
    NCComplex *a = malloc(sizeof(NCComplex) * 2 * N);
    int same = 0;
    if (lm && a) {
        float *ph = lm + N, *mag = lm + 2 * N, *sn = lm + 3 * N, *cs = lm + 4 * N;
        uint32_t s = 12345;
        for (int i = 0; i < N; i++) {
            s = s * 1664525u + 1013904223u;
            float u = (float)(s >> 8) * 0x1p-24f;
            lm[i] = -87.0f + 97.5f * u;
            ph[i] = i % 7 == 0 ? (u - 0.5f) * 0x1p-10f : i % 3 == 0 ? (u - 0.5f) * 1.6f : (u - 0.5f) * 239.0f;
        }
        rvq_polar_libm(lm, ph, a, mag, sn, cs, N);
        polar_avx512(lm, ph, a + N, mag, sn, cs, N);
        same = !memcmp(a, a + N, sizeof(NCComplex) * N);
    }
    free(lm);
    free(a);
    return same ? polar_avx512 : NULL;
}
#else
RvqPolarFn rvq_polar_avx512(void)
{
    return NULL;
}

RvqPolarFn rvq_polar_exact(void)
{
    return NULL;
}
#endif
