/* NN_W_BF16 (kernels.h): the bfloat16 conversions, the weight packing, and the plain C
 * GEMM that defines the arithmetic. The AVX512_BF16 table (kernels_avx512bf16.c) runs
 * the same steps with vdpbf16ps, which multiplies bfloat16 pairs at twice the rate of
 * f32 FMAs; the other tables call this reference for bf16 weights. */
#include <math.h>
#include <string.h>

#include "libnc/nn/kernels.h"
#include "libnc/nn/kernels_impl.h"

uint16_t nn_f32_to_bf16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    if ((x & 0x7F800000u) == 0) return (uint16_t)((x >> 16) & 0x8000); /* zero, subnormal */
    if ((x & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((x >> 16) | 0x40); /* quiet NaN */
    x += 0x7FFFu + ((x >> 16) & 1); /* nearest even; overflows into inf as it should */
    return (uint16_t)(x >> 16);
}

float nn_bf16_to_f32(uint16_t b)
{
    uint32_t x = (uint32_t)b << 16;
    float f;
    memcpy(&f, &x, 4);
    return f;
}

size_t nn_bf16_packed_len(int cin, int cout)
{
    return (size_t)nn_bf16_pairs(cin) * 2 * (size_t)nn_bf16_cols(cout);
}

void nn_bf16_pack(const float *w, int cin, int cout, uint16_t *out)
{
    const int cols = nn_bf16_cols(cout);
    for (int i = 0; i < 2 * nn_bf16_pairs(cin); i++)
        for (int o = 0; o < cols; o++)
            out[((size_t)(i / 2) * cols + o) * 2 + i % 2] =
                i < cin && o < cout ? nn_f32_to_bf16(w[(size_t)i * cout + o]) : 0;
}

/* vdpbf16ps's accumulation step: an FMA (the product of two bfloat16 is exact in
 * binary32 anyway) whose subnormal results are flushed to zero. */
static float fma_ftz(float a, float b, float acc)
{
    acc = fmaf(a, b, acc);
    return fabsf(acc) < 0x1p-126f ? copysignf(0.0f, acc) : acc;
}

void nn_gemm_bf16_ref(float *y, int ldy, const float *x, int ldx, int rows, const NNWeights *w)
{
    const int cin = w->cin, cout = w->cout, pairs = nn_bf16_pairs(cin), cols = nn_bf16_cols(cout);
    const uint16_t *wp = w->data;
    for (int r = 0; r < rows; r++) {
        const float *xr = x + (size_t)r * ldx;
        float *yr = y + (size_t)r * ldy;
        for (int o = 0; o < cout; o++) {
            float acc = 0.0f;
            for (int p = 0; p < pairs; p++) {
                const float x0 = 2 * p < cin ? nn_bf16_to_f32(nn_f32_to_bf16(xr[2 * p])) : 0.0f;
                const float x1 = 2 * p + 1 < cin ? nn_bf16_to_f32(nn_f32_to_bf16(xr[2 * p + 1])) : 0.0f;
                const uint16_t *wo = wp + ((size_t)p * cols + o) * 2;
                acc = fma_ftz(x1, nn_bf16_to_f32(wo[1]), acc);
                acc = fma_ftz(x0, nn_bf16_to_f32(wo[0]), acc);
            }
            yr[o] += acc;
        }
    }
}
