/* SSE4.1 kernels (kernels.h) for x86 CPUs without AVX2: 4 lanes, multiply then add
 * (no FMA), f16 weights widened with integer ops (exact for every finite value and
 * for infinities). */
#include "libnc/nn/kernels_impl.h"

#if defined(NN_KERNELS_X86) && defined(__GNUC__)
#include <smmintrin.h>

#define TARGET __attribute__((target("sse4.1")))

/* binary16 -> binary32: shift the exponent and mantissa into place and rescale by
 * 2^112 (which also normalizes subnormals exactly); exponent 31 becomes 255. */
TARGET static inline __m128 half4(__m128i h)
{
    __m128i h32 = _mm_cvtepu16_epi32(h);
    __m128i sign = _mm_slli_epi32(_mm_and_si128(h32, _mm_set1_epi32(0x8000)), 16);
    __m128i mag = _mm_slli_epi32(_mm_and_si128(h32, _mm_set1_epi32(0x7FFF)), 13);
    __m128 f = _mm_mul_ps(_mm_castsi128_ps(mag), _mm_castsi128_ps(_mm_set1_epi32(0x77800000)));
    __m128i inf = _mm_cmpgt_epi32(mag, _mm_set1_epi32(0x0F7FFFFF)); /* exponent 31 */
    __m128i special = _mm_or_si128(mag, _mm_set1_epi32(0x7F800000));
    f = _mm_blendv_ps(f, _mm_castsi128_ps(special), _mm_castsi128_ps(inf));
    return _mm_or_ps(f, _mm_castsi128_ps(sign));
}

TARGET static inline __m128 load_w4(const void *data, size_t idx, NNWeightType type)
{
    if (type == NN_W_F16) return half4(_mm_loadl_epi64((const __m128i *)(const void *)((const uint16_t *)data + idx)));
    if (type == NN_W_I8) {
        int32_t q;
        __builtin_memcpy(&q, (const int8_t *)data + idx, 4);
        return _mm_cvtepi32_ps(_mm_cvtepi8_epi32(_mm_cvtsi32_si128(q)));
    }
    return _mm_loadu_ps((const float *)data + idx);
}

/* Rows r0 .. r0 + R (R <= 4) by columns o .. o + 8. */
TARGET static inline void tile8(float *y, int ldy, const float *x, int ldx, int R, const NNWeights *w,
                                int o, NNWeightType type)
{
    __m128 acc[4][2];
    for (int r = 0; r < R; r++) acc[r][0] = acc[r][1] = _mm_setzero_ps();
    const size_t cout = (size_t)w->cout;
    for (int i = 0; i < w->cin; i++) {
        __m128 w0 = load_w4(w->data, (size_t)i * cout + (size_t)o, type);
        __m128 w1 = load_w4(w->data, (size_t)i * cout + (size_t)o + 4, type);
        for (int r = 0; r < R; r++) {
            __m128 xv = _mm_set1_ps(x[(size_t)r * ldx + i]);
            acc[r][0] = _mm_add_ps(acc[r][0], _mm_mul_ps(xv, w0));
            acc[r][1] = _mm_add_ps(acc[r][1], _mm_mul_ps(xv, w1));
        }
    }
    __m128 s0 = _mm_set1_ps(1.0f), s1 = s0;
    if (type == NN_W_I8) s0 = _mm_loadu_ps(w->scale + o), s1 = _mm_loadu_ps(w->scale + o + 4);
    for (int r = 0; r < R; r++) {
        float *yr = y + (size_t)r * ldy + o;
        _mm_storeu_ps(yr, _mm_add_ps(_mm_loadu_ps(yr), _mm_mul_ps(acc[r][0], s0)));
        _mm_storeu_ps(yr + 4, _mm_add_ps(_mm_loadu_ps(yr + 4), _mm_mul_ps(acc[r][1], s1)));
    }
}

TARGET static inline void gemm_typed(float *y, int ldy, const float *x, int ldx, int rows,
                                     const NNWeights *w, NNWeightType type)
{
    const int o8 = w->cout / 8 * 8;
    for (int r = 0; r < rows; r += 4) {
        int R = rows - r < 4 ? rows - r : 4;
        for (int o = 0; o < o8; o += 8) tile8(y + (size_t)r * ldy, ldy, x + (size_t)r * ldx, ldx, R, w, o, type);
    }
    if (o8 < w->cout) nn_gemm_cols_ref(y, ldy, x, ldx, rows, w, o8, w->cout);
}

TARGET static void gemm_sse41(float *y, int ldy, const float *x, int ldx, int rows, const NNWeights *w)
{
    if (w->type == NN_W_BF16) { /* no bfloat16 arithmetic here: the reference's */
        nn_gemm_bf16_ref(y, ldy, x, ldx, rows, w);
        return;
    }
    if (w->type == NN_W_I8A16) { /* no 16-bit dot products here: the reference's */
        nn_gemm_i8a16_ref(y, ldy, x, ldx, rows, w);
        return;
    }
    switch (w->type) {
    case NN_W_F16: gemm_typed(y, ldy, x, ldx, rows, w, NN_W_F16); break;
    case NN_W_I8: gemm_typed(y, ldy, x, ldx, rows, w, NN_W_I8); break;
    default: gemm_typed(y, ldy, x, ldx, rows, w, NN_W_F32);
    }
}

/* nn_exp_ref, 4 at a time, the same operations in the same order. */
TARGET static inline __m128 exp4(__m128 x)
{
    x = _mm_min_ps(_mm_max_ps(x, _mm_set1_ps(-87.3f)), _mm_set1_ps(88.3f));
    __m128 n = _mm_floor_ps(_mm_add_ps(_mm_mul_ps(x, _mm_set1_ps(1.44269504f)), _mm_set1_ps(0.5f)));
    __m128 r = _mm_sub_ps(x, _mm_mul_ps(n, _mm_set1_ps(0.693359375f)));
    r = _mm_sub_ps(r, _mm_mul_ps(n, _mm_set1_ps(-2.12194440e-4f)));
    __m128 p = _mm_set1_ps(NN_EXP_C6);
    p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(NN_EXP_C5));
    p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(NN_EXP_C4));
    p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(NN_EXP_C3));
    p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(NN_EXP_C2));
    p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(1.0f));
    p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(1.0f));
    __m128i e = _mm_slli_epi32(_mm_add_epi32(_mm_cvtps_epi32(n), _mm_set1_epi32(127)), 23);
    return _mm_mul_ps(p, _mm_castsi128_ps(e));
}

TARGET static inline __m128 sigmoid4(__m128 x)
{
    __m128 one = _mm_set1_ps(1.0f);
    return _mm_div_ps(one, _mm_add_ps(one, exp4(_mm_sub_ps(_mm_setzero_ps(), x))));
}

TARGET static inline __m128 erf4(__m128 x)
{
    __m128 a = _mm_andnot_ps(_mm_set1_ps(-0.0f), x), one = _mm_set1_ps(1.0f);
    __m128 t = _mm_div_ps(one, _mm_add_ps(one, _mm_mul_ps(_mm_set1_ps(NN_ERF_P), a)));
    __m128 p = _mm_set1_ps(NN_ERF_A5);
    p = _mm_add_ps(_mm_mul_ps(p, t), _mm_set1_ps(NN_ERF_A4));
    p = _mm_add_ps(_mm_mul_ps(p, t), _mm_set1_ps(NN_ERF_A3));
    p = _mm_add_ps(_mm_mul_ps(p, t), _mm_set1_ps(NN_ERF_A2));
    p = _mm_add_ps(_mm_mul_ps(p, t), _mm_set1_ps(NN_ERF_A1));
    __m128 e = _mm_sub_ps(one, _mm_mul_ps(_mm_mul_ps(p, t), exp4(_mm_sub_ps(_mm_setzero_ps(), _mm_mul_ps(a, a)))));
    return _mm_or_ps(e, _mm_and_ps(x, _mm_set1_ps(-0.0f)));
}

TARGET static inline __m128 elu4(__m128 x)
{
    __m128 neg = _mm_sub_ps(exp4(x), _mm_set1_ps(1.0f));
    return _mm_blendv_ps(neg, x, _mm_cmpgt_ps(x, _mm_setzero_ps()));
}

TARGET static inline __m128 silu4(__m128 x) { return _mm_mul_ps(x, sigmoid4(x)); }

TARGET static inline __m128 tanh4(__m128 x)
{
    __m128 one = _mm_set1_ps(1.0f);
    return _mm_sub_ps(one, _mm_div_ps(_mm_set1_ps(2.0f), _mm_add_ps(exp4(_mm_add_ps(x, x)), one)));
}

TARGET static inline __m128 gelu4(__m128 x)
{
    __m128 h = _mm_mul_ps(_mm_set1_ps(0.5f), x);
    return _mm_mul_ps(h, _mm_add_ps(_mm_set1_ps(1.0f), erf4(_mm_mul_ps(x, _mm_set1_ps(0.70710678f)))));
}

#define POINTWISE_SSE41(name)                                                        \
    TARGET static void name##_sse41(float *x, size_t n)                              \
    {                                                                                \
        size_t i = 0;                                                                \
        for (; i + 4 <= n; i += 4) _mm_storeu_ps(x + i, name##4(_mm_loadu_ps(x + i))); \
        for (; i < n; i++) x[i] = nn_##name##_ref(x[i]);                             \
    }
POINTWISE_SSE41(elu)
POINTWISE_SSE41(silu)
POINTWISE_SSE41(gelu)
POINTWISE_SSE41(tanh)
POINTWISE_SSE41(sigmoid)

const NNKernels nn_kernels_sse41 = {
    "sse4.1", gemm_sse41, elu_sse41, silu_sse41, gelu_sse41, tanh_sse41, sigmoid_sse41, NULL,
};
#else
typedef int nn_kernels_sse41_absent; /* ISO C: no empty translation unit */
#endif
