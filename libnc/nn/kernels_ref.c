/* The reference kernels (kernels.h): plain C, one output at a time where it keeps the
 * code obvious. The SIMD versions are checked against these. */
#include <math.h>
#include <string.h>

#include "libnc/nn/kernels.h"
#include "libnc/nn/kernels_impl.h"

float nn_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, e = (h >> 10) & 0x1F, m = h & 0x3FF, bits;
    if (e == 31) {
        bits = sign | 0x7F800000u | m << 13; /* inf, NaN */
    } else if (e) {
        bits = sign | (e + 112) << 23 | m << 13;
    } else { /* zero or subnormal: m * 2^-24, exact in binary32 */
        float f = (float)m * 0x1p-24f;
        memcpy(&bits, &f, 4);
        bits |= sign;
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t nn_f32_to_f16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000, ax = x & 0x7FFFFFFF;
    if (ax >= 0x7F800000u) return (uint16_t)(sign | 0x7C00 | (ax > 0x7F800000u ? 0x200 : 0));
    if (ax >= 0x477FF000u) return (uint16_t)(sign | 0x7C00); /* rounds to >= 65520: inf */
    if (ax < 0x38800000u) { /* below 2^-14: subnormal half, in units of 2^-24 */
        float a;
        memcpy(&a, &ax, 4);
        return (uint16_t)(sign | (uint32_t)nearbyintf(a * 0x1p24f)); /* ties to even */
    }
    uint32_t r = ax + 0xFFF + ((ax >> 13) & 1); /* round to nearest even at bit 13 */
    return (uint16_t)(sign | ((r - (112u << 23)) >> 13));
}

void nn_quantize_i8(const float *w, int cin, int cout, int8_t *q, float *scale)
{
    for (int o = 0; o < cout; o++) {
        float mx = 0.0f;
        for (int i = 0; i < cin; i++) mx = fmaxf(mx, fabsf(w[(size_t)i * cout + o]));
        scale[o] = mx > 0.0f ? mx / 127.0f : 1.0f;
        for (int i = 0; i < cin; i++) {
            float v = nearbyintf(w[(size_t)i * cout + o] / scale[o]);
            q[(size_t)i * cout + o] = (int8_t)(v > 127.0f ? 127.0f : v < -127.0f ? -127.0f : v);
        }
    }
}

float nn_weight_at(const NNWeights *w, size_t idx)
{
    switch (w->type) {
    case NN_W_F16: return nn_f16_to_f32(((const uint16_t *)w->data)[idx]);
    case NN_W_I8: return (float)((const int8_t *)w->data)[idx];
    default: return ((const float *)w->data)[idx];
    }
}

/* Columns [o0, o1) of Y += X W; the SIMD kernels call it for their last columns. */
void nn_gemm_cols_ref(float *y, int ldy, const float *x, int ldx, int rows, const NNWeights *w,
                      int o0, int o1)
{
    const int cout = w->cout;
    for (int r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * ldx;
        float *yr = y + (size_t)r * ldy;
        for (int o = o0; o < o1; o++) {
            float acc = 0.0f;
            for (int i = 0; i < w->cin; i++) acc += xr[i] * nn_weight_at(w, (size_t)i * cout + o);
            yr[o] += w->type == NN_W_I8 ? w->scale[o] * acc : acc;
        }
    }
}

static void gemm_ref(float *y, int ldy, const float *x, int ldx, int rows, const NNWeights *w)
{
    if (w->type == NN_W_BF16) {
        nn_gemm_bf16_ref(y, ldy, x, ldx, rows, w);
        return;
    }
    if (w->type == NN_W_I8A16) {
        nn_gemm_i8a16_ref(y, ldy, x, ldx, rows, w);
        return;
    }
    nn_gemm_cols_ref(y, ldy, x, ldx, rows, w, 0, w->cout);
}

/* exp by Cody-Waite reduction to r in [-ln2/2, ln2/2] and a degree-6 polynomial; the
 * SIMD versions run the same steps. x is clamped so that 2^n stays a normal float. */
float nn_exp_ref(float x)
{
    x = x > 88.3f ? 88.3f : x < -87.3f ? -87.3f : x;
    float n = floorf(x * 1.44269504f + 0.5f);
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = NN_EXP_C6;
    p = p * r + NN_EXP_C5;
    p = p * r + NN_EXP_C4;
    p = p * r + NN_EXP_C3;
    p = p * r + NN_EXP_C2;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    uint32_t bits = (uint32_t)((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, 4);
    return p * scale;
}

/* erf by Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7). */
float nn_erf_ref(float x)
{
    float a = fabsf(x), t = 1.0f / (1.0f + NN_ERF_P * a);
    float p = NN_ERF_A5;
    p = p * t + NN_ERF_A4;
    p = p * t + NN_ERF_A3;
    p = p * t + NN_ERF_A2;
    p = p * t + NN_ERF_A1;
    float e = 1.0f - p * t * nn_exp_ref(-a * a);
    return x < 0.0f ? -e : e;
}

float nn_elu_ref(float x) { return x > 0.0f ? x : nn_exp_ref(x) - 1.0f; }
float nn_sigmoid_ref(float x) { return 1.0f / (1.0f + nn_exp_ref(-x)); }
float nn_silu_ref(float x) { return x * nn_sigmoid_ref(x); }
float nn_tanh_ref(float x) { return 1.0f - 2.0f / (nn_exp_ref(2.0f * x) + 1.0f); }
float nn_gelu_ref(float x) { return 0.5f * x * (1.0f + nn_erf_ref(x * 0.70710678f)); }

#define POINTWISE_REF(name)                                             \
    static void name##_loop(float *x, size_t n)                         \
    {                                                                   \
        for (size_t i = 0; i < n; i++) x[i] = nn_##name##_ref(x[i]);    \
    }
POINTWISE_REF(elu)
POINTWISE_REF(silu)
POINTWISE_REF(gelu)
POINTWISE_REF(tanh)
POINTWISE_REF(sigmoid)

const NNKernels nn_kernels_c = {
    "c", gemm_ref, elu_loop, silu_loop, gelu_loop, tanh_loop, sigmoid_loop, NULL,
};
