/* AVX2 + FMA + F16C kernels (kernels.h), compiled for those instructions with target
 * attributes so the rest of the build keeps its baseline; kernels.c only hands them
 * out on a CPU that has all three. */
#include "libnc/nn/kernels_impl.h"

#if defined(NN_KERNELS_X86) && defined(__GNUC__)
#include <immintrin.h>

#define TARGET __attribute__((target("avx2,fma,f16c")))

/* 8 weights of row i starting at column o, as floats (int8 unscaled). */
TARGET static inline __m256 load_w8(const void *data, size_t idx, NNWeightType type)
{
    if (type == NN_W_F16)
        return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)((const uint16_t *)data + idx)));
    if (type == NN_W_I8)
        return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(
            _mm_loadl_epi64((const __m128i *)(const void *)((const int8_t *)data + idx))));
    return _mm256_loadu_ps((const float *)data + idx);
}

/* Rows r0 .. r0 + R (R <= 4) by columns o .. o + 16: 2R accumulators in registers, each
 * weight vector loaded once for R rows. */
TARGET static inline void tile16(float *y, int ldy, const float *x, int ldx, int R, const NNWeights *w,
                                 int o, NNWeightType type)
{
    __m256 acc[4][2];
    for (int r = 0; r < R; r++) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    const size_t cout = (size_t)w->cout;
    for (int i = 0; i < w->cin; i++) {
        __m256 w0 = load_w8(w->data, (size_t)i * cout + (size_t)o, type);
        __m256 w1 = load_w8(w->data, (size_t)i * cout + (size_t)o + 8, type);
        for (int r = 0; r < R; r++) {
            __m256 xv = _mm256_broadcast_ss(x + (size_t)r * ldx + i);
            acc[r][0] = _mm256_fmadd_ps(xv, w0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(xv, w1, acc[r][1]);
        }
    }
    __m256 s0 = _mm256_set1_ps(1.0f), s1 = s0;
    if (type == NN_W_I8) s0 = _mm256_loadu_ps(w->scale + o), s1 = _mm256_loadu_ps(w->scale + o + 8);
    for (int r = 0; r < R; r++) {
        float *yr = y + (size_t)r * ldy + o;
        _mm256_storeu_ps(yr, _mm256_fmadd_ps(acc[r][0], s0, _mm256_loadu_ps(yr)));
        _mm256_storeu_ps(yr + 8, _mm256_fmadd_ps(acc[r][1], s1, _mm256_loadu_ps(yr + 8)));
    }
}

/* One row by 64 columns: 8 independent accumulators, enough to hide the FMA latency
 * that a single row's 2 would expose (a GEMV has no other rows to interleave). */
TARGET static inline void row64(float *y, const float *x, const NNWeights *w, int o, NNWeightType type)
{
    __m256 acc[8];
    for (int q = 0; q < 8; q++) acc[q] = _mm256_setzero_ps();
    const size_t cout = (size_t)w->cout;
    for (int i = 0; i < w->cin; i++) {
        __m256 xv = _mm256_broadcast_ss(x + i);
        for (int q = 0; q < 8; q++)
            acc[q] = _mm256_fmadd_ps(xv, load_w8(w->data, (size_t)i * cout + (size_t)o + 8 * (size_t)q, type), acc[q]);
    }
    for (int q = 0; q < 8; q++) {
        __m256 s = type == NN_W_I8 ? _mm256_loadu_ps(w->scale + o + 8 * q) : _mm256_set1_ps(1.0f);
        _mm256_storeu_ps(y + o + 8 * q, _mm256_fmadd_ps(acc[q], s, _mm256_loadu_ps(y + o + 8 * q)));
    }
}

/* One row by 8 columns. */
TARGET static inline void tile8(float *y, const float *x, const NNWeights *w, int o, NNWeightType type)
{
    __m256 acc = _mm256_setzero_ps();
    for (int i = 0; i < w->cin; i++)
        acc = _mm256_fmadd_ps(_mm256_broadcast_ss(x + i), load_w8(w->data, (size_t)i * w->cout + (size_t)o, type), acc);
    __m256 s = type == NN_W_I8 ? _mm256_loadu_ps(w->scale + o) : _mm256_set1_ps(1.0f);
    _mm256_storeu_ps(y + o, _mm256_fmadd_ps(acc, s, _mm256_loadu_ps(y + o)));
}

TARGET static inline void gemm_typed(float *y, int ldy, const float *x, int ldx, int rows,
                                     const NNWeights *w, NNWeightType type)
{
    const int o64 = w->cout / 64 * 64, o16 = w->cout / 16 * 16, o8 = w->cout / 8 * 8;
    int r = 0;
    for (; r + 4 <= rows; r += 4) {
        float *yr = y + (size_t)r * ldy;
        const float *xr = x + (size_t)r * ldx;
        for (int o = 0; o < o16; o += 16) tile16(yr, ldy, xr, ldx, 4, w, o, type);
        for (int q = 0; q < 4 && o8 > o16; q++) tile8(yr + (size_t)q * ldy, xr + (size_t)q * ldx, w, o16, type);
    }
    for (; r < rows; r++) { /* single rows (all of a GEMV) */
        float *yr = y + (size_t)r * ldy;
        const float *xr = x + (size_t)r * ldx;
        for (int o = 0; o < o64; o += 64) row64(yr, xr, w, o, type);
        for (int o = o64; o < o16; o += 16) tile16(yr, ldy, xr, ldx, 1, w, o, type);
        if (o8 > o16) tile8(yr, xr, w, o16, type);
    }
    if (o8 < w->cout) nn_gemm_cols_ref(y, ldy, x, ldx, rows, w, o8, w->cout);
}

TARGET static void gemm_avx2(float *y, int ldy, const float *x, int ldx, int rows, const NNWeights *w)
{
    if (w->type == NN_W_BF16) { /* no bfloat16 arithmetic here: the reference's */
        nn_gemm_bf16_ref(y, ldy, x, ldx, rows, w);
        return;
    }
    switch (w->type) {
    case NN_W_F16: gemm_typed(y, ldy, x, ldx, rows, w, NN_W_F16); break;
    case NN_W_I8: gemm_typed(y, ldy, x, ldx, rows, w, NN_W_I8); break;
    default: gemm_typed(y, ldy, x, ldx, rows, w, NN_W_F32);
    }
}

/* nn_exp_ref, 8 at a time (FMA where the reference multiplies and adds). */
TARGET static inline __m256 exp8(__m256 x)
{
    NN_EXP_VEC(_mm256, si256, x);
    return x;
}

TARGET static inline __m256 sigmoid8(__m256 x)
{
    __m256 one = _mm256_set1_ps(1.0f);
    return _mm256_div_ps(one, _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

TARGET static inline __m256 elu8(__m256 x)
{
    __m256 neg = _mm256_sub_ps(exp8(x), _mm256_set1_ps(1.0f));
    return _mm256_blendv_ps(neg, x, _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ));
}

TARGET static inline __m256 silu8(__m256 x) { return _mm256_mul_ps(x, sigmoid8(x)); }

TARGET static inline __m256 tanh8(__m256 x)
{
    __m256 one = _mm256_set1_ps(1.0f);
    __m256 d = _mm256_add_ps(exp8(_mm256_add_ps(x, x)), one);
    return _mm256_sub_ps(one, _mm256_div_ps(_mm256_set1_ps(2.0f), d));
}

/* GELU without exp or a division: gelu(x) = x / 2 + |x| / 2 * E(|x|), E(a) = erf(a / sqrt 2),
 * E from a degree-6 polynomial on one of 7 intervals of a (width GELU_W; interval k is
 * centred on k * GELU_W, its coefficients picked by vpermps), and E = 1 from 6.5 GELU_W =
 * 5.3 on (the 8th entry: gelu(x) = x or 0 exactly; x * Phi(x) is under 3e-7 there). The
 * coefficients are a minimax fit (Lawson's iteration on Chebyshev nodes, in double,
 * rounded to float) of erf(a / sqrt 2): at most 6.7e-8 off per interval, so GELU is
 * within 2e-7 of the exact one where the reference (A&S 7.1.26) is within 4e-7. 22
 * operations per 8 values, 9 of them on the FMA pipes, where the reference's erf (A&S
 * 7.1.26: exp8, a polynomial and a division) took about 25 FMAs and the division, and on
 * Zen 3 the FMA pipes were the limit (README, "On the AMD EPYC"). */
#define GELU_W 0.8153846f /* 5.3 / 6.5 */
#define GELU_S 1.226415f  /* 1 / GELU_W */
static const float gelu_c[7][8] __attribute__((aligned(32))) = {
    {1.51806132e-16f, 0.585147798f, 0.89706099f, 0.985561073f, 0.99889189f, 0.999954343f, 0.999998987f, 1.0f},
    {0.650581837f, 0.466586471f, 0.172115564f, 0.0326559693f, 0.0031868997f, 0.000159986579f, 4.13267844e-06f, 0.0f},
    {-2.33146835e-15f, -0.155104771f, -0.114431627f, -0.0325672626f, -0.00423758943f, -0.000265897135f, -8.24065955e-06f, 0.0f},
    {-0.072059989f, -0.0173399244f, 0.0316385105f, 0.0180408154f, 0.00340376003f, 0.000276301056f, 1.04117216e-05f, 0.0f},
    {8.45157277e-15f, 0.0200572573f, 0.00216664514f, -0.00538424309f, -0.00179418921f, -0.000200497045f, -9.50366029e-06f, 0.0f},
    {0.0069456785f, -0.00084147061f, -0.00365424692f, 0.000293003977f, 0.000611599768f, 0.000110597175f, 7.24420715e-06f, 0.0f},
    {8.20871149e-15f, -0.00161959114f, 0.000594523153f, 0.000364643929f, -0.000107781692f, -4.17370065e-05f, -3.80558481e-06f, 0.0f},
};

TARGET static inline __m256 gelu8(__m256 x)
{
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 h = _mm256_mul_ps(_mm256_set1_ps(0.5f), x);
    /* a capped below interval 8 (vpermps reads 3 bits); NaN becomes the cap, and h keeps it */
    __m256 a = _mm256_min_ps(_mm256_andnot_ps(sign, x), _mm256_set1_ps(7.4f * GELU_W));
    __m256 u = _mm256_mul_ps(a, _mm256_set1_ps(GELU_S));
    __m256 r = _mm256_round_ps(u, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256i k = _mm256_cvtps_epi32(r);
    __m256 t = _mm256_sub_ps(u, r); /* in [-0.5, 0.5] */
    __m256 p = _mm256_permutevar8x32_ps(_mm256_load_ps(gelu_c[6]), k);
    for (int d = 5; d >= 0; d--) p = _mm256_fmadd_ps(p, t, _mm256_permutevar8x32_ps(_mm256_load_ps(gelu_c[d]), k));
    return _mm256_fmadd_ps(_mm256_andnot_ps(sign, h), p, h);
}

#define POINTWISE_AVX2(name)                                                            \
    TARGET static void name##_avx2(float *x, size_t n)                                  \
    {                                                                                   \
        size_t i = 0;                                                                   \
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, name##8(_mm256_loadu_ps(x + i))); \
        for (; i < n; i++) x[i] = nn_##name##_ref(x[i]);                                \
    }
POINTWISE_AVX2(elu)
POINTWISE_AVX2(silu)
POINTWISE_AVX2(gelu)
POINTWISE_AVX2(tanh)
POINTWISE_AVX2(sigmoid)

const NNKernels nn_kernels_avx2 = {
    "avx2", gemm_avx2, elu_avx2, silu_avx2, gelu_avx2, tanh_avx2, sigmoid_avx2, NULL,
};
#else
typedef int nn_kernels_avx2_absent; /* ISO C: no empty translation unit */
#endif
