/* AVX-512 (F, BW, VL) kernels (kernels.h): a register-blocked micro-kernel for GEMMs
 * with many rows and for the 2-D 1x1/3x3 convolutions. The AVX2 table's 4x16 tile keeps
 * 8 accumulators and writes Y back after every tap; here one block is up to 6 rows
 * (pixels) x 64 outputs, 24 zmm accumulators that stay in registers over every input
 * channel of every tap of a 3x3 conv, so Y is read and written once per conv and each
 * weight vector feeds 6 FMAs. f32 weights need no repacking: in the [cin][cout] layout
 * the 64 outputs of one input channel are contiguous, which is the order the block
 * reads them in; long GEMMs widen f16/int8 slices to f32 once (gemm_avx512). Single
 * rows (GEMVs, conv1d steps) and the activations other than ELU are the AVX2 table's:
 * a GEMV has no rows to block over. Compiled with target attributes, handed out by
 * kernels.c only on a CPU and OS with AVX-512 state enabled. */
#include <stdlib.h>
#include <string.h>

#include "libnc/nn/kernels_impl.h"

#if defined(NN_KERNELS_X86) && defined(__GNUC__)
#include <immintrin.h>

#define TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx2,fma,f16c")))
#define MAX_R 6  /* rows (pixels) per block */
#define NV 4     /* 16-wide vectors per block: 64 outputs */

/* 16 weights from idx (lanes outside m are zero; full: all 16, no mask), int8 times s
 * (1 in GEMMs, which scale at the end). */
TARGET static inline __m512 load_w16(const void *data, size_t idx, NNWeightType type, __mmask16 m, __m512 s, int full)
{
    if (full && type == NN_W_F32) return _mm512_loadu_ps((const float *)data + idx);
    if (full && type == NN_W_F16) return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(const void *)((const uint16_t *)data + idx)));
    if (type == NN_W_F16)
        return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, (const uint16_t *)data + idx));
    if (type == NN_W_I8)
        return _mm512_mul_ps(s, _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, (const int8_t *)data + idx))));
    return _mm512_maskz_loadu_ps(m, (const float *)data + idx);
}

/* One block: rows r < R of y (stride ldy), outputs o .. o + 64 (lanes in m[q]), plus
 * sum over the ntaps taps of x_t (rows of stride ldx) times W_t. R is a constant at
 * each call site, so the accumulator array is unrolled into registers.
 * from_y (convs): the accumulators start from y, and int8 weights are scaled as they
 * are loaded, since every tap has its own scales. Otherwise (GEMMs, one tap) each
 * output is summed from zero in input order and y = acc * scale + y at the end, the
 * AVX2 table's arithmetic lane for lane: a GEMM gives the same bits whatever its row
 * count, so a decoder may run a packet's frames as one sequence or one at a time.
 * gscale: the int8 scales of a GEMM (NULL: 1), indexed like the outputs. */
TARGET static inline __attribute__((always_inline)) void block(float *y, int ldy, const float *const *xs, int ldx,
                                                               const NNWeights *const *ws, int ntaps, int o,
                                                               const __mmask16 *m, int R, NNWeightType type, int full,
                                                               int from_y, const float *gscale)
{
    __m512 acc[MAX_R][NV];
    for (int r = 0; r < R; r++)
        for (int q = 0; q < NV; q++)
            acc[r][q] = !from_y ? _mm512_setzero_ps()
                        : full      ? _mm512_loadu_ps(y + (size_t)r * ldy + o + 16 * q)
                                    : _mm512_maskz_loadu_ps(m[q], y + (size_t)r * ldy + o + 16 * q);
    for (int t = 0; t < ntaps; t++) {
        const NNWeights *w = ws[t];
        const float *x = xs[t];
        const size_t cout = (size_t)w->cout;
        __m512 s[NV];
        for (int q = 0; q < NV; q++)
            s[q] = type == NN_W_I8 && from_y ? _mm512_maskz_loadu_ps(m[q], w->scale + o + 16 * q) : _mm512_set1_ps(1.0f);
        for (int i = 0; i < w->cin; i++) {
            __m512 wv[NV];
            for (int q = 0; q < NV; q++) wv[q] = load_w16(w->data, (size_t)i * cout + (size_t)o + 16 * (size_t)q, type, m[q], s[q], full);
            for (int r = 0; r < R; r++) {
                __m512 xv = _mm512_set1_ps(x[(size_t)r * ldx + i]);
                for (int q = 0; q < NV; q++) acc[r][q] = _mm512_fmadd_ps(xv, wv[q], acc[r][q]);
            }
        }
    }
    for (int r = 0; r < R; r++)
        for (int q = 0; q < NV; q++) {
            float *yq = y + (size_t)r * ldy + o + 16 * q;
            if (!from_y) {
                __m512 sc = gscale ? _mm512_maskz_loadu_ps(m[q], gscale + o + 16 * q) : _mm512_set1_ps(1.0f);
                acc[r][q] = _mm512_fmadd_ps(acc[r][q], sc, _mm512_maskz_loadu_ps(m[q], yq));
            }
            if (full)
                _mm512_storeu_ps(yq, acc[r][q]);
            else
                _mm512_mask_storeu_ps(yq, m[q], acc[r][q]);
        }
}

/* Every 64-output block of R rows; R is dispatched to constants. */
TARGET static inline __attribute__((always_inline)) void rows_typed(float *y, int ldy, const float *const *xs, int ldx, const NNWeights *const *ws,
                                     int ntaps, int R, NNWeightType type, int o0, int cout, int from_y,
                                     const float *gscale)
{
    for (int o = o0; o < cout; o += 16 * NV) {
        __mmask16 m[NV];
        for (int q = 0; q < NV; q++) {
            int left = cout - o - 16 * q;
            m[q] = left >= 16 ? 0xFFFF : left <= 0 ? 0 : (__mmask16)((1u << left) - 1);
        }
        /* full blocks (all 64 outputs) load without masks */
        if (R == MAX_R && cout - o >= 16 * NV) {
            if (from_y)
                block(y, ldy, xs, ldx, ws, ntaps, o, m, MAX_R, type, 1, 1, gscale);
            else
                block(y, ldy, xs, ldx, ws, ntaps, o, m, MAX_R, type, 1, 0, gscale);
            continue;
        }
        switch (R) {
        case 6: block(y, ldy, xs, ldx, ws, ntaps, o, m, 6, type, 0, from_y, gscale); break;
        case 5: block(y, ldy, xs, ldx, ws, ntaps, o, m, 5, type, 0, from_y, gscale); break;
        case 4: block(y, ldy, xs, ldx, ws, ntaps, o, m, 4, type, 0, from_y, gscale); break;
        case 3: block(y, ldy, xs, ldx, ws, ntaps, o, m, 3, type, 0, from_y, gscale); break;
        case 2: block(y, ldy, xs, ldx, ws, ntaps, o, m, 2, type, 0, from_y, gscale); break;
        default: block(y, ldy, xs, ldx, ws, ntaps, o, m, 1, type, 0, from_y, gscale);
        }
    }
}

/* R rows of y (R <= MAX_R), columns [o0, cout) (o0 a multiple of 64), += sum over taps
 * of x_t W_t, all taps of one weight type; from_y: see block(). */
TARGET static void rows_block(float *y, int ldy, const float *const *xs, int ldx, const NNWeights *const *ws,
                              int ntaps, int R, int o0, int cout, int from_y, const float *gscale)
{
    /* every combination with constants, so that block() keeps its accumulators in registers */
#define TYPED(fy)                                                                             \
    switch (ws[0]->type) {                                                                    \
    case NN_W_F16: rows_typed(y, ldy, xs, ldx, ws, ntaps, R, NN_W_F16, o0, cout, fy, gscale); break;      \
    case NN_W_I8: rows_typed(y, ldy, xs, ldx, ws, ntaps, R, NN_W_I8, o0, cout, fy, gscale); break;        \
    default: rows_typed(y, ldy, xs, ldx, ws, ntaps, R, NN_W_F32, o0, cout, fy, gscale);                   \
    }
    if (from_y)
        TYPED(1)
    else
        TYPED(0)
#undef TYPED
}

/* Columns [o, o + width) of w widened to f32 as dst [cin][width] (int8 unscaled, as
 * the GEMM block reads them): exact conversions, so the block gives the same bits
 * from dst as from w. */
TARGET static void widen_slice(const NNWeights *w, int o, int width, float *dst)
{
    for (int i = 0; i < w->cin; i++)
        for (int q = 0; q < width; q += 16) {
            const __mmask16 m = width - q >= 16 ? 0xFFFF : (__mmask16)((1u << (width - q)) - 1);
            const size_t idx = (size_t)i * (size_t)w->cout + (size_t)(o + q);
            __m512 v = w->type == NN_W_F16
                           ? _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, (const uint16_t *)w->data + idx))
                           : _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, (const int8_t *)w->data + idx)));
            _mm512_mask_storeu_ps(dst + (size_t)i * width + q, m, v);
        }
}

/* Rows in blocks of 6; fewer than 6 rows in all go to the AVX2 table (a GEMV or a short
 * sequence gains nothing from the wider block and the AVX2 row kernel hides latency
 * with 8 accumulators). The last cout % 8 columns are computed as the reference does
 * (nn_gemm_cols_tail_avx2, the AVX2 table's), so that both give the same bits for every
 * row count.
 * 64 outputs at a time over all rows: that slice of W (cin x 256 bytes in f32) stays in
 * L1 while the rows stream past it. f16 and int8 slices of GEMMs with enough rows are
 * widened to f32 first (widen_slice): otherwise every weight vector is converted again
 * for every 6 rows, and on this core the conversion takes the ports the FMAs need. */
TARGET static void gemm_avx512(float *y, int ldy, const float *x, int ldx, int rows, const NNWeights *w)
{
    if (w->type == NN_W_BF16) { /* no bfloat16 arithmetic here: the reference's */
        nn_gemm_bf16_ref(y, ldy, x, ldx, rows, w);
        return;
    }
    if (w->type == NN_W_I8A16) { /* AVX2's vpmaddwd (AVX512_VNNI's vpdpwssd not used) */
        nn_gemm_i8a16_avx2(y, ldy, x, ldx, rows, w);
        return;
    }
    if (rows < MAX_R) {
        nn_kernels_avx2.gemm(y, ldy, x, ldx, rows, w);
        return;
    }
    const int o8 = w->cout / 8 * 8;
    const float *gscale = w->type == NN_W_I8 ? w->scale : NULL;
    float *slice = NULL; /* NULL (no memory, or not worth it): the weights as stored */
    if (w->type != NN_W_F32 && rows >= 2 * MAX_R) slice = malloc(sizeof(float) * (size_t)w->cin * 16 * NV);
    for (int o = 0; o < o8; o += 16 * NV) {
        const int o1 = o + 16 * NV < o8 ? o + 16 * NV : o8;
        NNWeights wide;
        const NNWeights *ws = w;
        float *yo = y;
        int b0 = o, b1 = o1;
        const float *gs = gscale;
        if (slice) { /* block columns [0, o1 - o) of the slice are outputs o.. */
            widen_slice(w, o, o1 - o, slice);
            wide = (NNWeights){NN_W_F32, w->cin, o1 - o, slice, NULL};
            ws = &wide, yo = y + o, b0 = 0, b1 = o1 - o, gs = gscale ? gscale + o : NULL;
        }
        for (int r = 0; r < rows; r += MAX_R) {
            const int R = rows - r < MAX_R ? rows - r : MAX_R;
            const float *xr = x + (size_t)r * ldx;
            rows_block(yo + (size_t)r * ldy, ldy, &xr, ldx, &ws, 1, R, b0, b1, 0, gs);
        }
    }
    free(slice);
    if (o8 < w->cout && nn_gemm_cols_tail_avx2(y, ldy, x, ldx, rows, w, o8) < 0)
        nn_gemm_cols_ref(y, ldy, x, ldx, rows, w, o8, w->cout);
}

/* Taps of the pixel (row, col) that lie inside the picture: input pixels in xs,
 * weights in ws; returns their count. */
TARGET static int pixel_taps(const NNWeights *taps, int ks, const float *x, int h, int w, int row, int col,
                             const float **xs, const NNWeights **ws)
{
    int tap[9], n = nn_conv_pixel_taps(ks, taps[0].cin, x, h, w, row, col, xs, tap);
    for (int t = 0; t < n; t++) ws[t] = &taps[tap[t]];
    return n;
}

/* nn_conv2d_same's loop (y already holds the bias): for each output row, blocks of up
 * to 6 pixels whose taps all lie inside the picture horizontally; then the columns at
 * the left and right edges, whose pixels lack some taps, in blocks of up to 6 pixels
 * down the column (the same taps for all, a row of the picture apart) except in the
 * top and bottom rows, which lack others and go one pixel at a time. One pixel per
 * block, as the edges were before, gave 4 FMAs per 4 weight loads. Every pixel sums
 * its taps in the same order whichever block it is in. */
TARGET static void conv2d_avx512(const NNWeights *taps, int ks, const float *x, int h, int w, float *y)
{
    const int cin = taps[0].cin, cout = taps[0].cout, pad = ks / 2;
    const float *xs[9];
    const NNWeights *ws[9];
    for (int row = 0; row < h; row++)
        for (int col = pad; col < w - pad;) {
            const int R = w - pad - col > MAX_R ? MAX_R : w - pad - col;
            int n = pixel_taps(taps, ks, x, h, w, row, col, xs, ws);
            rows_block(y + ((size_t)row * w + col) * cout, cout, xs, cin, ws, n, R, 0, cout, 1, NULL);
            col += R;
        }
    for (int col = 0; col < w; col++) {
        if (col >= pad && col < w - pad) continue;
        for (int row = 0; row < h;) {
            int R = 1;
            if (row >= pad && row < h - pad) {
                R = h - pad - row > MAX_R ? MAX_R : h - pad - row;
            }
            int n = pixel_taps(taps, ks, x, h, w, row, col, xs, ws);
            rows_block(y + ((size_t)row * w + col) * cout, w * cout, xs, w * cin, ws, n, R, 0, cout, 1, NULL);
            row += R;
        }
    }
}

/* The AVX2 table's exp8 on 16 lanes (the same macro: same bits per lane). */
TARGET static inline __m512 exp16(__m512 x)
{
    NN_EXP_VEC(_mm512, si512, x);
    return x;
}

/* ELU 16 at a time with the AVX2 table's arithmetic (so the same bits for every n and
 * for either table: decoders group frames freely); the rest (n % 16) is the AVX2
 * table's. Half the instructions of 8 lanes: the rvqspeech decoder's ELUs took 5% of
 * its time. */
TARGET static void elu_avx512(float *x, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 v = _mm512_loadu_ps(x + i);
        __m512 neg = _mm512_sub_ps(exp16(v), _mm512_set1_ps(1.0f));
        _mm512_storeu_ps(x + i, _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_GT_OQ), neg, v));
    }
    nn_kernels_avx2.elu(x + i, n - i);
}

/* The other activations are the AVX2 table's. */
#define FROM_AVX2(name)                                                          \
    static void name##_from_avx2(float *x, size_t n) { nn_kernels_avx2.name(x, n); }
FROM_AVX2(silu)
FROM_AVX2(gelu)
FROM_AVX2(tanh)
FROM_AVX2(sigmoid)

const NNKernels nn_kernels_avx512 = {
    "avx512", gemm_avx512, elu_avx512, silu_from_avx2, gelu_from_avx2, tanh_from_avx2, sigmoid_from_avx2,
    conv2d_avx512,
};
#else
typedef int nn_kernels_avx512_absent; /* ISO C: no empty translation unit */
#endif
