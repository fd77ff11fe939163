/* The AVX-512 table plus AVX512_BF16 (kernels.h): GEMMs over NN_W_BF16 weights with
 * vdpbf16ps, which multiplies bfloat16 pairs into f32 accumulators: 32 multiply-adds
 * per instruction where an f32 FMA does 16, the way past this core's f32 FMA peak
 * (libnc/nn/README.md). Each block of up to 6 rows is rounded to bfloat16 pairs once
 * (vcvtne2ps2bf16, the rounding nn_f32_to_bf16 writes out), then 6 rows x 64 outputs
 * are accumulated in 24 zmm registers from zero over all pairs and added to Y: the
 * steps of nn_gemm_bf16_ref, so the same bits for any row count. Every other weight
 * type and kernel is the AVX-512 table's. Handed out by kernels.c only when CPUID says
 * AVX512_BF16. */
#include <stdlib.h>

#include "libnc/nn/kernels_impl.h"

#if defined(NN_KERNELS_X86) && defined(__GNUC__)
#include <immintrin.h>

#define TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16,avx2,fma,f16c")))
#define MAX_R 6  /* rows per block */
#define NV 4     /* 16-wide vectors per block: 64 outputs */
#define STACK_PAIRS 512

/* R rows of x as bfloat16 pairs, xb[r * pairs + p] = (x[2p], x[2p+1]); an odd cin's
 * last pair gets a zero. */
TARGET static void round_rows(const float *x, int ldx, int R, int cin, uint32_t *xb, int pairs)
{
    for (int r = 0; r < R; r++) {
        const float *xr = x + (size_t)r * ldx;
        uint32_t *d = xb + (size_t)r * pairs;
        int i = 0;
        for (; i + 32 <= cin; i += 32) {
            __m512bh v = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(xr + i + 16), _mm512_loadu_ps(xr + i));
            _mm512_storeu_si512(d + i / 2, (__m512i)v);
        }
        if (i < cin) {
            const int n = cin - i;
            const __mmask16 lo = (__mmask16)(n >= 16 ? 0xFFFF : (1u << n) - 1);
            const __mmask16 hi = (__mmask16)(n >= 32 ? 0xFFFF : n > 16 ? (1u << (n - 16)) - 1 : 0);
            __m512bh v = _mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(hi, xr + i + 16), _mm512_maskz_loadu_ps(lo, xr + i));
            const int np = (n + 1) / 2;
            _mm512_mask_storeu_epi32(d + i / 2, (__mmask16)((1u << np) - 1), (__m512i)v);
        }
    }
}

/* Y[r][o .. o + 64) += the pair sums of R rows (m: lanes of each 16-output vector that
 * exist; full: all 64, plain loads). */
TARGET static inline __attribute__((always_inline)) void block(float *y, int ldy, const uint32_t *xb, int pairs,
                                                               const uint32_t *wp, int cout, int o,
                                                               const __mmask16 *m, int R, int full)
{
    __m512 acc[MAX_R][NV];
    for (int r = 0; r < R; r++)
        for (int q = 0; q < NV; q++) acc[r][q] = _mm512_setzero_ps();
    for (int p = 0; p < pairs; p++) {
        const uint32_t *wr = wp + (size_t)p * cout + o;
        __m512bh wv[NV];
        for (int q = 0; q < NV; q++)
            wv[q] = (__m512bh)(full ? _mm512_loadu_si512(wr + 16 * q) : _mm512_maskz_loadu_epi32(m[q], wr + 16 * q));
        for (int r = 0; r < R; r++) {
            const __m512bh xv = (__m512bh)_mm512_set1_epi32((int)xb[(size_t)r * pairs + p]);
            for (int q = 0; q < NV; q++) acc[r][q] = _mm512_dpbf16_ps(acc[r][q], xv, wv[q]);
        }
    }
    for (int r = 0; r < R; r++) {
        float *yr = y + (size_t)r * ldy + o;
        for (int q = 0; q < NV; q++) {
            if (full)
                _mm512_storeu_ps(yr + 16 * q, _mm512_add_ps(_mm512_loadu_ps(yr + 16 * q), acc[r][q]));
            else
                _mm512_mask_storeu_ps(yr + 16 * q, m[q], _mm512_add_ps(_mm512_maskz_loadu_ps(m[q], yr + 16 * q), acc[r][q]));
        }
    }
}

TARGET static void gemm_avx512bf16(float *y, int ldy, const float *x, int ldx, int rows, const NNWeights *w)
{
    if (w->type != NN_W_BF16) {
        nn_kernels_avx512.gemm(y, ldy, x, ldx, rows, w);
        return;
    }
    const int cin = w->cin, cout = w->cout, pairs = (cin + 1) / 2;
    uint32_t stack[MAX_R * STACK_PAIRS];
    uint32_t *xb = pairs <= STACK_PAIRS ? stack : malloc(sizeof(uint32_t) * MAX_R * (size_t)pairs);
    if (!xb) { /* no memory for the rounded rows: the same bits, slower */
        nn_gemm_bf16_ref(y, ldy, x, ldx, rows, w);
        return;
    }
    const uint32_t *wp = w->data;
    for (int r = 0; r < rows; r += MAX_R) {
        const int R = rows - r < MAX_R ? rows - r : MAX_R;
        float *yr = y + (size_t)r * ldy;
        round_rows(x + (size_t)r * ldx, ldx, R, cin, xb, pairs);
        for (int o = 0; o < cout; o += 16 * NV) {
            __mmask16 m[NV];
            for (int q = 0; q < NV; q++) {
                const int n = cout - o - 16 * q;
                m[q] = (__mmask16)(n >= 16 ? 0xFFFF : n > 0 ? (1u << n) - 1 : 0);
            }
            if (R == MAX_R && cout - o >= 16 * NV) {
                block(yr, ldy, xb, pairs, wp, cout, o, m, MAX_R, 1);
                continue;
            }
            switch (R) {
            case 6: block(yr, ldy, xb, pairs, wp, cout, o, m, 6, 0); break;
            case 5: block(yr, ldy, xb, pairs, wp, cout, o, m, 5, 0); break;
            case 4: block(yr, ldy, xb, pairs, wp, cout, o, m, 4, 0); break;
            case 3: block(yr, ldy, xb, pairs, wp, cout, o, m, 3, 0); break;
            case 2: block(yr, ldy, xb, pairs, wp, cout, o, m, 2, 0); break;
            default: block(yr, ldy, xb, pairs, wp, cout, o, m, 1, 0);
            }
        }
    }
    if (xb != stack) free(xb);
}

#define FROM_AVX512(name)                                                        \
    static void name##_from_avx512(float *x, size_t n) { nn_kernels_avx512.name(x, n); }
FROM_AVX512(elu)
FROM_AVX512(silu)
FROM_AVX512(gelu)
FROM_AVX512(tanh)
FROM_AVX512(sigmoid)

/* nn_conv2d_same does not hand it bf16 taps (their 3x3 convs are GEMMs per tap). */
static void conv2d_from_avx512(const NNWeights *taps, int ks, const float *x, int h, int w, float *y)
{
    nn_kernels_avx512.conv2d(taps, ks, x, h, w, y);
}

const NNKernels nn_kernels_avx512bf16 = {
    "avx512bf16", gemm_avx512bf16, elu_from_avx512, silu_from_avx512, gelu_from_avx512,
    tanh_from_avx512, sigmoid_from_avx512, conv2d_from_avx512,
};
#else
typedef int nn_kernels_avx512bf16_absent; /* ISO C: no empty translation unit */
#endif
