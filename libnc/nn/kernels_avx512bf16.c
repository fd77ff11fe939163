/* Two tables for NN_W_BF16 (kernels.h), each the AVX-512 table plus one GEMM: amxbf16
 * (AMX tiles, below gemm_amx) and avx512bf16. avx512bf16: GEMMs over NN_W_BF16 weights with
 * vdpbf16ps, which multiplies bfloat16 pairs into f32 accumulators: 32 multiply-adds
 * per instruction where an f32 FMA does 16, the way past this core's f32 FMA peak
 * (libnc/nn/README.md). Each block of up to 6 rows is rounded to bfloat16 pairs once
 * (vcvtne2ps2bf16, the rounding nn_f32_to_bf16 writes out), then 6 rows x 64 outputs
 * are accumulated in 24 zmm registers from zero over all pairs and added to Y: the
 * steps of nn_gemm_bf16_ref, so the same bits for any row count. Every other weight
 * type and kernel is the AVX-512 table's. Handed out by kernels.c only when CPUID says
 * AVX512_BF16 (and AMX-BF16 with the OS's tile state for amxbf16). Measured on
 * Sapphire Rapids vdpbf16ps issues every other cycle: half the f32 FMA rate in
 * multiply-adds, so avx512bf16 is slower than f32 there (README); AMX is the fast one. */
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "libnc/nn/kernels_impl.h"

#if defined(NN_KERNELS_X86) && defined(__GNUC__)
#include <immintrin.h>

#define TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16,avx2,fma,f16c")))
#define MAX_R 6  /* rows per block */
#define NV 4     /* 16-wide vectors per block: 64 outputs */
#define STACK_PAIRS 512

/* R rows of x as bfloat16 pairs, xb[r * pairs + p] = (x[2p], x[2p+1]), zero beyond cin
 * (pairs: nn_bf16_pairs(cin)). */
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
        for (int p = (cin + 1) / 2; p < pairs; p++) d[p] = 0; /* the packing's zero pairs */
    }
}

/* Y[r][o .. o + 64) += the pair sums of R rows (m: lanes of each 16-output vector that
 * exist; full: all 64, plain loads). */
TARGET static inline __attribute__((always_inline)) void block(float *y, int ldy, const uint32_t *xb, int pairs,
                                                               const uint32_t *wp, int cols, int o,
                                                               const __mmask16 *m, int R, int full)
{
    __m512 acc[MAX_R][NV];
    for (int r = 0; r < R; r++)
        for (int q = 0; q < NV; q++) acc[r][q] = _mm512_setzero_ps();
    for (int p = 0; p < pairs; p++) {
        const uint32_t *wr = wp + (size_t)p * cols + o;
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
    const int cin = w->cin, cout = w->cout, pairs = nn_bf16_pairs(cin), cols = nn_bf16_cols(cout);
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
                block(yr, ldy, xb, pairs, wp, cols, o, m, MAX_R, 1);
                continue;
            }
            switch (R) {
            case 6: block(yr, ldy, xb, pairs, wp, cols, o, m, 6, 0); break;
            case 5: block(yr, ldy, xb, pairs, wp, cols, o, m, 5, 0); break;
            case 4: block(yr, ldy, xb, pairs, wp, cols, o, m, 4, 0); break;
            case 3: block(yr, ldy, xb, pairs, wp, cols, o, m, 3, 0); break;
            case 2: block(yr, ldy, xb, pairs, wp, cols, o, m, 2, 0); break;
            default: block(yr, ldy, xb, pairs, wp, cols, o, m, 1, 0);
            }
        }
    }
    if (xb != stack) free(xb);
}

/* AMX-BF16: tdpbf16ps multiplies a 16 x 32 bfloat16 tile of X by a 32 x 16 tile of W
 * into 16 x 16 f32 accumulators (8192 multiply-adds per instruction). nn_bf16_pack's
 * layout is the B tile's (16 pairs x 16 outputs, rows cols * 4 bytes apart); X is rounded
 * 16 rows at a time (rows past the end are zero) and C tiles start from zero and are
 * added to Y, so each output depends on its own row and column only: the same bits for
 * any row count. Linux hands out the tile state only on request (amx_granted). */
#define TARGET_AMX __attribute__((target("amx-tile,amx-bf16,avx512f,avx512bw,avx512vl,avx512bf16,avx2,fma,f16c")))
#define TR 16  /* rows of a tile */
#define TQ 4   /* C tiles per pass: 64 outputs */

typedef struct TileConfig {
    uint8_t palette, start_row, reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
} TileConfig;

/* 16 rows of x (R real, the others zero) as bfloat16 pairs, pairs per row. */
TARGET_AMX static void round_rows16(const float *x, int ldx, int R, int cin, uint32_t *xb, int pairs)
{
    for (int r = 0; r < TR; r++) {
        uint32_t *d = xb + (size_t)r * pairs;
        if (r >= R) {
            memset(d, 0, sizeof(uint32_t) * (size_t)pairs);
            continue;
        }
        const float *xr = x + (size_t)r * ldx;
        for (int i = 0; i < 2 * pairs; i += 32) {
            const int n = cin - i;
            const __mmask16 lo = (__mmask16)(n >= 16 ? 0xFFFF : n > 0 ? (1u << n) - 1 : 0);
            const __mmask16 hi = (__mmask16)(n >= 32 ? 0xFFFF : n > 16 ? (1u << (n - 16)) - 1 : 0);
            __m512bh v = _mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(hi, xr + i + 16), _mm512_maskz_loadu_ps(lo, xr + i));
            _mm512_storeu_si512(d + i / 2, (__m512i)v);
        }
    }
}

/* C tile q (0-3) += A (tile 4) x B (tile 5 loaded from w), for each q < nq. */
#define DOT(q)                                                                     \
    if (nq > q) {                                                                  \
        _tile_loadd(5, wk + 16 * q, stride_w);                                     \
        _tile_dpbf16ps(q, 4, 5);                                                   \
    }

/* Asks Linux for the tile state once per process (ARCH_REQ_XCOMP_PERM, XTILEDATA): a
 * flag set once, and asking twice when two threads race is harmless. */
static int amx_granted(void)
{
#ifdef __linux__
    static int granted;
    if (__atomic_load_n(&granted, __ATOMIC_RELAXED)) return 1;
    if (syscall(SYS_arch_prctl, 0x1023, 18) != 0) return 0;
    __atomic_store_n(&granted, 1, __ATOMIC_RELAXED);
    return 1;
#else
    return 0;
#endif
}

TARGET_AMX static void gemm_amx(float *y, int ldy, const float *x, int ldx, int rows, const NNWeights *w)
{
    if (w->type != NN_W_BF16) {
        nn_kernels_avx512.gemm(y, ldy, x, ldx, rows, w);
        return;
    }
    if (!amx_granted()) { /* refused (seccomp, say): the reference's arithmetic */
        nn_gemm_bf16_ref(y, ldy, x, ldx, rows, w);
        return;
    }
    const int cin = w->cin, cout = w->cout, pairs = nn_bf16_pairs(cin), cols = nn_bf16_cols(cout);
    uint32_t *xb = malloc(sizeof(uint32_t) * TR * (size_t)pairs);
    if (!xb) { /* the rounded rows need memory: the same bits, slower */
        nn_gemm_bf16_ref(y, ldy, x, ldx, rows, w);
        return;
    }
    TileConfig cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.palette = 1;
    for (int t = 0; t < 6; t++) cfg.rows[t] = TR, cfg.colsb[t] = 64;
    _tile_loadconfig(&cfg);
    const uint32_t *wp = w->data;
    const size_t stride_w = sizeof(uint32_t) * (size_t)cols, stride_x = sizeof(uint32_t) * (size_t)pairs;
    float cbuf[TQ][TR * 16];
    for (int r = 0; r < rows; r += TR) {
        const int R = rows - r < TR ? rows - r : TR;
        round_rows16(x + (size_t)r * ldx, ldx, R, cin, xb, pairs);
        for (int o = 0; o < cols; o += 16 * TQ) {
            const int nq = (cols - o) / 16 < TQ ? (cols - o) / 16 : TQ;
            _tile_zero(0);
            _tile_zero(1);
            _tile_zero(2);
            _tile_zero(3);
            for (int k = 0; k < pairs; k += 16) {
                const uint32_t *wk = wp + (size_t)k * cols + o;
                _tile_loadd(4, xb + k, stride_x);
                DOT(0)
                DOT(1)
                DOT(2)
                DOT(3)
            }
            _tile_stored(0, cbuf[0], 64);
            _tile_stored(1, cbuf[1], 64);
            _tile_stored(2, cbuf[2], 64);
            _tile_stored(3, cbuf[3], 64);
            for (int q = 0; q < nq; q++) {
                const int n = cout - o - 16 * q;
                const __mmask16 m = (__mmask16)(n >= 16 ? 0xFFFF : n > 0 ? (1u << n) - 1 : 0);
                for (int rr = 0; rr < R; rr++) {
                    float *yr = y + (size_t)(r + rr) * ldy + o + 16 * q;
                    _mm512_mask_storeu_ps(yr, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, yr), _mm512_loadu_ps(cbuf[q] + 16 * rr)));
                }
            }
        }
    }
    _tile_release();
    free(xb);
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
const NNKernels nn_kernels_amxbf16 = {
    "amxbf16", gemm_amx, elu_from_avx512, silu_from_avx512, gelu_from_avx512,
    tanh_from_avx512, sigmoid_from_avx512, conv2d_from_avx512,
};
#else
typedef int nn_kernels_avx512bf16_absent; /* ISO C: no empty translation unit */
#endif
