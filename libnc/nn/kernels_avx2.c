/* AVX2 + FMA + F16C kernels (kernels.h), compiled for those instructions with target
 * attributes so the rest of the build keeps its baseline; kernels.c only hands them
 * out on a CPU that has all three. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "libnc/nn/kernels_impl.h"
#include "nc/error.h"

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

/* Columns [o8, cout) (fewer than 8) of Y += X W with the reference's arithmetic
 * (nn_gemm_cols_ref: each output summed from zero in input order, a multiply and an
 * add per term, no FMA, then scaled and added), so the bits are the reference's: 8 rows
 * at a time, one row per accumulator, the outputs across its lanes, from the columns'
 * weights widened once into [cin][8]. For GEMMs of 8 rows or more (rvqspeech's output
 * conv, 642 = 80 x 8 + 2, over a packet: the scalar loop took 3-4% of its network);
 * GEMVs keep the reference's loop, which costs less than the widening. 0, or
 * NC_ENOMEM (y untouched). */
TARGET int nn_gemm_cols_tail_avx2(float *y, int ldy, const float *x, int ldx, int rows, const NNWeights *w, int o8)
{
    const int cout = w->cout, n = cout - o8, cin = w->cin;
    float *wt = malloc(sizeof(float) * 8 * (size_t)cin);
    if (!wt) return NC_ENOMEM;
    for (int i = 0; i < cin; i++)
        for (int q = 0; q < 8; q++) wt[(size_t)i * 8 + q] = q < n ? nn_weight_at(w, (size_t)i * cout + o8 + q) : 0.0f;
    float sc[8] = {1, 1, 1, 1, 1, 1, 1, 1}, out[8];
    for (int q = 0; q < n && w->type == NN_W_I8; q++) sc[q] = w->scale[o8 + q];
    const __m256 scv = _mm256_loadu_ps(sc);
    for (int r0 = 0; r0 < rows; r0 += 8) {
        const int R = rows - r0 < 8 ? rows - r0 : 8;
        __m256 acc[8];
        for (int r = 0; r < 8; r++) acc[r] = _mm256_setzero_ps();
        for (int i = 0; i < cin; i++) {
            const __m256 wv = _mm256_loadu_ps(wt + (size_t)i * 8);
            for (int r = 0; r < R; r++)
                acc[r] = _mm256_add_ps(acc[r], _mm256_mul_ps(_mm256_set1_ps(x[(size_t)(r0 + r) * ldx + i]), wv));
        }
        for (int r = 0; r < R; r++) {
            float *yr = y + (size_t)(r0 + r) * ldy + o8;
            _mm256_storeu_ps(out, w->type == NN_W_I8 ? _mm256_mul_ps(scv, acc[r]) : acc[r]);
            for (int q = 0; q < n; q++) yr[q] += out[q];
        }
    }
    free(wt);
    return 0;
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
    if (o8 < w->cout && (rows < 8 || nn_gemm_cols_tail_avx2(y, ldy, x, ldx, rows, w, o8) < 0))
        nn_gemm_cols_ref(y, ldy, x, ldx, rows, w, o8, w->cout);
}

/* 8 int16 pairs (the broadcast pair xv) times 8 outputs' weight pairs at wp. */
TARGET static inline __m256i i8a16_madd(__m256i xv, const int8_t *wp)
{
    return _mm256_madd_epi16(xv, _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(const void *)wp)));
}

/* yr[o + k] += (float)sum * (s * scale[o + k]) for the 8 sums of one accumulator. */
TARGET static inline void i8a16_store(float *yr, const NNWeights *w, int o, float s, __m256i acc)
{
    const __m256 t = _mm256_mul_ps(_mm256_set1_ps(s), _mm256_loadu_ps(w->scale + o));
    _mm256_storeu_ps(yr + o, _mm256_add_ps(_mm256_loadu_ps(yr + o), _mm256_mul_ps(_mm256_cvtepi32_ps(acc), t)));
}

/* int32 lanes as GCC's vector type: with __m256i (4 x int64) accumulators and each
 * add on their 8 x int32 view, GCC 12's partial redundancy elimination gave every
 * accumulator a register copy per step (4 vmovdqa in a loop of 18 instructions;
 * rvqspeech's streaming network 5% slower). */
typedef int32_t I32x8 __attribute__((vector_size(32)));

/* Outputs o .. o + 32 from their block's weights wp ([pair][32][2]) in 4
 * accumulators: an integer add has a latency of one cycle, so 4 keep the pipes busy;
 * 8 (with their 8 weight vectors) spilled to the stack. */
TARGET static inline void i8a16_cols32(float *yr, const int16_t *q, int pairs, float s, const NNWeights *w, int o,
                                       const int8_t *wp)
{
    I32x8 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
    for (int p = 0; p < pairs; p++, wp += 64) {
        int32_t pr; /* the pair, broadcast */
        memcpy(&pr, q + 2 * p, sizeof(pr));
        const __m256i xv = _mm256_set1_epi32(pr);
        a0 += (I32x8)i8a16_madd(xv, wp);
        a1 += (I32x8)i8a16_madd(xv, wp + 16);
        a2 += (I32x8)i8a16_madd(xv, wp + 32);
        a3 += (I32x8)i8a16_madd(xv, wp + 48);
    }
    i8a16_store(yr, w, o, s, (__m256i)a0);
    i8a16_store(yr, w, o + 8, s, (__m256i)a1);
    i8a16_store(yr, w, o + 16, s, (__m256i)a2);
    i8a16_store(yr, w, o + 24, s, (__m256i)a3);
}

/* Outputs o .. o + n (n <= 8) from their block's weights wp ([pair][8][2], zeros
 * past n); fewer than 8 stored with the reference's scalar arithmetic. */
TARGET static inline void i8a16_cols8(float *yr, const int16_t *q, int pairs, float s, const NNWeights *w, int o,
                                      const int8_t *wp, int n)
{
    I32x8 acc = {0};
    for (int p = 0; p < pairs; p++, wp += 16) {
        int32_t pr;
        memcpy(&pr, q + 2 * p, sizeof(pr));
        acc += (I32x8)i8a16_madd(_mm256_set1_epi32(pr), wp);
    }
    if (n == 8) {
        i8a16_store(yr, w, o, s, (__m256i)acc);
        return;
    }
    int32_t sums[8];
    memcpy(sums, &acc, sizeof(sums));
    for (int k = 0; k < n; k++) yr[o + k] += (float)sums[k] * (s * w->scale[o + k]);
}

/* nn_i8a16_quantize on 16 lanes, the same bits: the maximum is exact in any order,
 * and vcvtps2dq rounds to nearest even as lrintf does (the default rounding mode). */
TARGET static float i8a16_quantize(const float *x, int n, int16_t *q)
{
    const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff)), big = _mm256_set1_ps(3.4028235e38f);
    __m256 mv = _mm256_setzero_ps();
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 a = _mm256_and_ps(_mm256_loadu_ps(x + i), absmask);
        mv = _mm256_max_ps(mv, _mm256_and_ps(a, _mm256_cmp_ps(a, big, _CMP_LE_OQ)));
    }
    float lanes[8], m = 0.0f;
    _mm256_storeu_ps(lanes, mv);
    for (int l = 0; l < 8; l++) m = lanes[l] > m ? lanes[l] : m;
    for (; i < n; i++) {
        const float a = fabsf(x[i]);
        if (a <= 3.4028235e38f && a > m) m = a;
    }
    if (!(m >= 0x1p-100f)) return nn_i8a16_quantize(x, n, q); /* all zeros */
    const float inv = (float)NN_I8A16_LEVELS / m;
    const __m256 iv = _mm256_set1_ps(inv);
    for (i = 0; i + 16 <= n; i += 16) {
        __m256 a = _mm256_loadu_ps(x + i), b = _mm256_loadu_ps(x + i + 8);
        a = _mm256_and_ps(_mm256_mul_ps(a, iv), _mm256_cmp_ps(_mm256_and_ps(a, absmask), big, _CMP_LE_OQ));
        b = _mm256_and_ps(_mm256_mul_ps(b, iv), _mm256_cmp_ps(_mm256_and_ps(b, absmask), big, _CMP_LE_OQ));
        const __m256i p = _mm256_packs_epi32(_mm256_cvtps_epi32(a), _mm256_cvtps_epi32(b)); /* in-lane */
        _mm256_storeu_si256((__m256i *)(void *)(q + i), _mm256_permute4x64_epi64(p, 0xd8));
    }
    for (; i < n; i++) {
        const float a = fabsf(x[i]);
        q[i] = a <= 3.4028235e38f ? (int16_t)lrintf(x[i] * inv) : 0;
    }
    q[n] = 0;
    return m / (float)NN_I8A16_LEVELS;
}

/* NN_W_I8A16 (kernels.h): per row, the activations quantized to int16 (above), then 32
 * outputs at a time: one `vpmaddwd` multiplies a broadcast pair of activations by 8
 * outputs' weight pairs (16 int8 widened to int16) and sums each pair, 16
 * multiplications where an FMA does 8, with no conversion to float before the end.
 * The sums are exact, so the bits are the reference's. Each block's weights are
 * contiguous (kernels.h), so the kernel reads them in order: with a block's outputs
 * spread over every row of [pair][cout] instead, one 64-byte line per pair in every
 * 256 (cout 128), rvqspeech's streaming network ran 20% slower. */
TARGET void nn_gemm_i8a16_avx2(float *y, int ldy, const float *x, int ldx, int rows, const NNWeights *w)
{
    const int cin = w->cin, cout = w->cout, o32 = cout / 32 * 32, pairs = (cin + 1) / 2;
    int16_t q[NN_I8A16_MAX_CIN + 1];
    if (cin > NN_I8A16_MAX_CIN) return; /* nn_i8a16_pack refuses such weights */
    for (int r = 0; r < rows; r++) {
        const float s = i8a16_quantize(x + (size_t)r * ldx, cin, q);
        float *yr = y + (size_t)r * ldy;
        const int8_t *wp = w->data;
        for (int o = 0; o < o32; o += 32, wp += (size_t)pairs * 64) i8a16_cols32(yr, q, pairs, s, w, o, wp);
        for (int o = o32; o < cout; o += 8, wp += (size_t)pairs * 16)
            i8a16_cols8(yr, q, pairs, s, w, o, wp, cout - o < 8 ? cout - o : 8);
    }
}

TARGET static void gemm_avx2(float *y, int ldy, const float *x, int ldx, int rows, const NNWeights *w)
{
    if (w->type == NN_W_I8A16) {
        nn_gemm_i8a16_avx2(y, ldy, x, ldx, rows, w);
        return;
    }
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

/* The 3x3 conv (nn_conv2d_same, y already holding the bias) as a direct kernel: a block
 * of up to CR pixels x 16 outputs, 12 accumulators that stay in registers over every
 * input channel of every tap, so y is read and written once per conv (the GEMM per tap
 * and row reads and writes it after each tap, from 8 accumulators: just the FMA latency
 * times the two FMA pipes of Zen 3, no slack). The weights are first repacked as f32,
 * [16-output block][tap][cin][16] (int8 times its scale, f16 widened), so that a block
 * streams its 9 x cin x 64 bytes of weights in order instead of 64 bytes out of every
 * cout x 4. Every output sums its taps in (dy, dx) order onto the bias, so the bits
 * differ from the GEMM path's (each tap summed from zero, then added): the codecs that
 * use it (walloc's decoder) specify their pictures to a tolerance. */
#define CR 6 /* pixels per block */

/* Rows r < R of y (stride ldy) += sum over the n taps of x_t (stride ldx) times the
 * packed weights wp[t] ([cin][16], or [cin][8] when NV is 1). */
TARGET static inline __attribute__((always_inline)) void conv_block(float *y, int ldy, const float *const *xs, int ldx,
                                                                    const float *const *wp, int n, int cin, int R, int NV)
{
    __m256 acc[CR][2];
#pragma GCC unroll 6
    for (int r = 0; r < R; r++)
#pragma GCC unroll 2
        for (int q = 0; q < NV; q++) acc[r][q] = _mm256_loadu_ps(y + (size_t)r * ldy + 8 * q);
    for (int t = 0; t < n; t++) {
        const float *x = xs[t], *wt = wp[t];
        for (int i = 0; i < cin; i++) {
            __m256 wv[2];
#pragma GCC unroll 2
            for (int q = 0; q < NV; q++) wv[q] = _mm256_loadu_ps(wt + (size_t)i * 8 * NV + 8 * q);
#pragma GCC unroll 6
            for (int r = 0; r < R; r++) {
                __m256 xv = _mm256_broadcast_ss(x + (size_t)r * ldx + i);
#pragma GCC unroll 2
                for (int q = 0; q < NV; q++) acc[r][q] = _mm256_fmadd_ps(xv, wv[q], acc[r][q]);
            }
        }
    }
#pragma GCC unroll 6
    for (int r = 0; r < R; r++)
#pragma GCC unroll 2
        for (int q = 0; q < NV; q++) _mm256_storeu_ps(y + (size_t)r * ldy + 8 * q, acc[r][q]);
}

/* R (<= CR) dispatched to constants, so that the accumulators are registers. */
TARGET static void conv_rows(float *y, int ldy, const float *const *xs, int ldx, const float *const *wp, int n,
                             int cin, int R, int NV)
{
#define CASE(r)                                                                         \
    case r:                                                                             \
        if (NV == 2)                                                                    \
            conv_block(y, ldy, xs, ldx, wp, n, cin, r, 2);                              \
        else                                                                            \
            conv_block(y, ldy, xs, ldx, wp, n, cin, r, 1);                              \
        break;
    switch (R) {
        CASE(6) CASE(5) CASE(4) CASE(3) CASE(2) default : CASE(1)
    }
#undef CASE
}

/* The taps of pixel (row, col) inside the picture: input pixels in xs, packed weights
 * (block base pk, cin x bw floats per tap) in wp; returns their count. */
static int conv_taps(const float *pk, int ks, int cin, int bw, const float *x, int h, int w, int row, int col,
                     const float **xs, const float **wp)
{
    int tap[9], n = nn_conv_pixel_taps(ks, cin, x, h, w, row, col, xs, tap);
    for (int t = 0; t < n; t++) wp[t] = pk + (size_t)tap[t] * cin * bw;
    return n;
}

/* The picture for one block of outputs (its packed weights pk, bw = 8 NV wide, y at
 * its first output): each row in runs of up to CR pixels whose taps all lie inside
 * horizontally, then the left and right edge columns in runs of up to CR pixels down
 * the column (the same taps for all) except the top and bottom rows (one at a time). */
TARGET static void conv_picture(const float *pk, int NV, int ks, int cin, int cout, const float *x, int h, int w,
                                float *y)
{
    const int pad = ks / 2, bw = 8 * NV;
    const float *xs[9], *wp[9];
    for (int row = 0; row < h; row++)
        for (int col = pad; col < w - pad;) {
            const int R = w - pad - col > CR ? CR : w - pad - col;
            int n = conv_taps(pk, ks, cin, bw, x, h, w, row, col, xs, wp);
            conv_rows(y + ((size_t)row * w + col) * cout, cout, xs, cin, wp, n, cin, R, NV);
            col += R;
        }
    for (int col = 0; col < w; col++) {
        if (col >= pad && col < w - pad) continue;
        for (int row = 0; row < h;) {
            int R = 1;
            if (row >= pad && row < h - pad) R = h - pad - row > CR ? CR : h - pad - row;
            int n = conv_taps(pk, ks, cin, bw, x, h, w, row, col, xs, wp);
            conv_rows(y + ((size_t)row * w + col) * cout, w * cout, xs, w * cin, wp, n, cin, R, NV);
            row += R;
        }
    }
}

/* Winograd's F(2x2, 3x3) (winograd.c) with its 16 GEMMs on conv_rows' blocks:
 * U[xi] packed as conv_picture's weights, [16-output block][cin][16]. */
#define WINOGRAD_MIN 32 /* channels in and out */
typedef struct WinogradAvx2 {
    int cin, cout;
    const float *pk; /* [xi][block][cin][bw] */
} WinogradAvx2;

TARGET static void winograd_gemm_avx2(const void *opaque, int xi, float *m, const float *v, int rows)
{
    const WinogradAvx2 *wg = opaque;
    const int cin = wg->cin, cout = wg->cout;
    const float *pk = wg->pk + (size_t)xi * cin * cout;
    for (int o = 0; o < cout; o += 16) {
        const int NV = cout - o >= 16 ? 2 : 1;
        const float *wp = pk + (size_t)o * cin;
        for (int r = 0; r < rows; r += CR) {
            const float *xs = v + (size_t)r * cin;
            conv_rows(m + (size_t)r * cout + o, cout, &xs, cin, &wp, 1, cin, rows - r < CR ? rows - r : CR, NV);
        }
    }
}

TARGET static int winograd_avx2(const NNWeights *taps, const float *x, int h, int w, float *y)
{
    const int cin = taps[0].cin, cout = taps[0].cout;
    float *pk = malloc(sizeof(float) * 16 * (size_t)cin * cout);
    if (!pk) return NC_ENOMEM;
    nn_winograd_weights(taps, 16, pk); /* conv_rows' blocks: 16 outputs, the last 8 */
    WinogradAvx2 wg = {cin, cout, pk};
    int ret = nn_winograd_conv3x3(winograd_gemm_avx2, &wg, cin, cout, x, h, w, y);
    free(pk);
    return ret;
}

TARGET static void conv2d_avx2(const NNWeights *taps, int ks, const float *x, int h, int w, float *y)
{
    const int cin = taps[0].cin, cout = taps[0].cout, ntaps = ks * ks, o8 = cout / 8 * 8;
    /* Winograd where its transforms are small beside the 2.25x fewer FMAs it buys
     * (walloc's 192 -> 64: 1.5x faster, libnc/nn/README.md) */
    if (ks == 3 && cin >= WINOGRAD_MIN && cout >= WINOGRAD_MIN && cout % 8 == 0 &&
        winograd_avx2(taps, x, h, w, y) >= 0)
        return;
    float *pk = o8 ? malloc(sizeof(float) * (size_t)ntaps * cin * o8) : NULL;
    if (o8 && !pk) { /* no memory for the packed weights: one GEMM per tap and row */
        nn_conv2d_taps_gemm(&nn_kernels_avx2, taps, ks, x, h, w, y, 0, cout);
        return;
    }
    /* block b (outputs o .. o + bw) at pk + o * ntaps * cin: [tap][cin][bw] */
    for (int o = 0; o < o8; o += 16) {
        const int bw = o8 - o >= 16 ? 16 : 8;
        float *blk = pk + (size_t)o * ntaps * cin;
        for (int t = 0; t < ntaps; t++)
            for (int i = 0; i < cin; i++)
                for (int q = 0; q < bw; q += 8) {
                    __m256 v = load_w8(taps[t].data, (size_t)i * cout + (size_t)(o + q), taps[t].type);
                    if (taps[t].type == NN_W_I8) v = _mm256_mul_ps(v, _mm256_loadu_ps(taps[t].scale + o + q));
                    _mm256_storeu_ps(blk + ((size_t)t * cin + i) * bw + q, v);
                }
    }
    for (int o = 0; o < o8; o += 16)
        conv_picture(pk + (size_t)o * ntaps * cin, o8 - o >= 16 ? 2 : 1, ks, cin, cout, x, h, w, y + o);
    free(pk);
    /* the last cout % 8 outputs: the per-tap GEMMs, which leave them to the reference */
    if (o8 < cout) nn_conv2d_taps_gemm(&nn_kernels_avx2, taps, ks, x, h, w, y, o8, cout);
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
    "avx2", gemm_avx2, elu_avx2, silu_avx2, gelu_avx2, tanh_avx2, sigmoid_avx2, conv2d_avx2,
};
#else
typedef int nn_kernels_avx2_absent; /* ISO C: no empty translation unit */
#endif
