/* Inference kernels for the reconstruction path: the shapes codecs run, in f32 with
 * weights kept in their stored precision (f32, f16, or int8 with one scale per output
 * channel), f32 accumulation; or, opt-in, bfloat16 weights and activations (NN_W_BF16).
 *
 * In the manner of libopus's dnn/ (nnet.c over vec_avx.h / vec_neon.h): one plain C
 * implementation of every kernel is the reference (kernels_ref.c), and SIMD versions
 * (kernels_avx512.c: AVX-512 F/BW/VL; kernels_avx2.c: AVX2 + FMA + F16C; kernels_sse41.c:
 * SSE4.1) are picked at run time from what the CPU has. tests/nn/test_kernels.c checks
 * each against the reference on random shapes, odd sizes and unaligned pointers. These kernels are NOT for the
 * deterministic mode (libnc/nn/README.md): their results differ from the reference by
 * rounding (FMA, summation order, the fast exp), so nothing that feeds an entropy
 * coder may use them. Runtime side of libnc: no autodiff, no BLAS.
 *
 * Layouts: activations are frame-major / pixel-major ("NHWC"): one frame or pixel is
 * a contiguous vector of channels. Weights are [cin][cout] per tap (a row of cout
 * outputs per input channel), so every kernel streams the weights once and vectorizes
 * over output channels. */
#ifndef NC_NN_KERNELS_H
#define NC_NN_KERNELS_H

#include <stddef.h>
#include <stdint.h>

typedef enum NNWeightType {
    NN_W_F32,
    NN_W_F16, /* IEEE binary16 bits */
    NN_W_I8,  /* int8 with a float scale per output channel */
    /* bfloat16 pairs for AVX512_BF16's vdpbf16ps (opt-in, lower precision: the
     * activations are rounded to bfloat16 too, see nn_bf16_pack) */
    NN_W_BF16,
    /* int8 with a float scale per output channel, stored as pairs of input channels
     * (nn_i8a16_pack), for integer dot products: each row of activations is quantized
     * to int16 first (opt-in, lower precision; the same bits on every table) */
    NN_W_I8A16,
} NNWeightType;

/* A weight matrix [cin][cout] in its stored precision. */
typedef struct NNWeights {
    NNWeightType type;
    int cin, cout;
    const void *data;    /* cin * cout elements of the type; NN_W_BF16: nn_bf16_pack's layout */
    const float *scale;  /* NN_W_I8: cout scales (w = scale[o] * q); else NULL */
} NNWeights;

/* The kernel table of one instruction-set level. */
typedef struct NNKernels {
    const char *name; /* "c", "sse4.1", "avx2", "avx512", "avx512bf16", "amxbf16" */
    /* Y[r][o] += sum_i X[r][i] * W[i][o] for r < rows (row strides ldx, ldy floats).
     * rows = 1 is a GEMV. */
    void (*gemm)(float *y, int ldy, const float *x, int ldx, int rows, const NNWeights *w);
    /* In place, n values. ELU (alpha 1), SiLU, GELU (tanh form), tanh, sigmoid use a
     * fast exp (relative error < 2e-7 on [-87, 88]); relu and leaky relu are exact. */
    void (*elu)(float *x, size_t n);
    void (*silu)(float *x, size_t n);
    void (*gelu)(float *x, size_t n);
    void (*tanh)(float *x, size_t n);
    void (*sigmoid)(float *x, size_t n);
    /* nn_conv2d_same for ks = 3 with y already holding the bias, where the table has a
     * kernel of its own (all taps accumulated in registers; AVX2: Winograd from 32
     * channels in and out); NULL: one GEMM per tap and row. */
    void (*conv2d)(const NNWeights *taps, int ks, const float *x, int h, int w, float *y);
} NNKernels;

/* The reference (plain C) kernels, and the best ones this CPU runs (NC_KERNELS=c,
 * sse4.1, avx2 or avx512 in the environment caps the choice, e.g. to compare). */
const NNKernels *nn_kernels_ref(void);
const NNKernels *nn_kernels(void);
/* For NN_W_BF16 weights (opt-in): the best table with bfloat16 arithmetic, amxbf16 or
 * avx512bf16 (NC_KERNELS may name either, or any other table); without one, what
 * nn_kernels() gives (bf16 weights then run the reference's arithmetic). For other
 * weights these tables run the AVX-512 table's functions. */
const NNKernels *nn_kernels_bf16(void);
/* Every table this build has that this CPU can run, best last; returns the count. */
int nn_kernels_available(const NNKernels **out, int max);

/* Layers built on a kernel table (kernels_layers.c). */

/* Causal conv1d along frames, one frame at a time (streaming): taps[j] is the weight
 * matrix applied to the input `back[j]` frames ago (0 = x itself). hist holds the last
 * `hist_frames` inputs (oldest first, cin each) and is shifted by one frame.
 * y[cout] = bias + sum_j taps[j] * input(back[j]). y must not alias x. */
void nn_conv1d_causal_step(const NNKernels *k, const NNWeights *taps, const int *back, int ntaps,
                           const float *bias, float *hist, int hist_frames, const float *x, float *y);

/* The same for `frames` frames x [frames][cin] -> y [frames][cout] at once, continuing
 * from hist and leaving the last hist_frames inputs in it: two GEMMs per tap (the
 * frames whose input lies in the history, the others). Every table's GEMM gives the
 * same bits for any row count (tests/nn/test_kernels.c), so this equals `frames`
 * calls of the step bit for bit: a decoder may group frames as packets come. */
void nn_conv1d_causal_frames(const NNKernels *k, const NNWeights *taps, const int *back, int ntaps,
                             const float *bias, float *hist, int hist_frames, const float *x, int frames, float *y);

/* The same over a whole sequence x [frames][cin] -> y [frames][cout], starting from
 * silence (zero history): one GEMM per tap over all frames. */
void nn_conv1d_causal(const NNKernels *k, const NNWeights *taps, const int *back, int ntaps,
                      const float *bias, const float *x, int frames, float *y);

/* 2-D convolution, stride 1, zero padding keeping the size, kernel 1x1 or 3x3 (ks):
 * x [h][w][cin], y [h][w][cout], taps[(dy * ks) + dx] the weight of each tap (all taps
 * of one weight type). */
void nn_conv2d_same(const NNKernels *k, const NNWeights *taps, int ks, const float *bias,
                    const float *x, int h, int w, float *y);

/* PixelShuffle (PyTorch's channel order): x [h][w][c * r * r] -> y [h * r][w * r][c]. */
void nn_k_pixel_shuffle(const float *x, int h, int w, int c, int r, float *y);

/* Half-precision bits <-> float (exact; round to nearest even for the narrowing). */
float nn_f16_to_f32(uint16_t h);
uint16_t nn_f32_to_f16(float f);
/* bfloat16 (the high half of a binary32) from a float: round to nearest even, a
 * subnormal input gives a signed zero (as vcvtne2ps2bf16 does), NaN stays NaN. */
uint16_t nn_f32_to_bf16(float f);
float nn_bf16_to_f32(uint16_t b);
/* NN_W_BF16 weights: w [cin][cout] rounded to bfloat16 and stored as pairs of input
 * channels, out[((i / 2) * cols + o) * 2 + i % 2] with cols = nn_bf16_cols(cout), zero
 * beyond cin and cout (pairs padded to a multiple of 16, outputs to a multiple of 16:
 * whole AMX tiles): one 32-bit lane holds the two weights vdpbf16ps multiplies into one
 * output, and 16 pairs x 16 outputs are one AMX B tile. out holds
 * nn_bf16_packed_len(cin, cout) values. A GEMM over these weights rounds each
 * activation to bfloat16 as well and sums, per output from zero, for each pair
 * (padding included) acc = ftz(fma(x[2p+1], w[2p+1], acc)), then
 * acc = ftz(fma(x[2p], w[2p], acc)) (vdpbf16ps's order, flushing subnormal results),
 * then y += acc: the reference and the avx512bf16 table compute exactly this; amxbf16
 * sums the same exact products in the tile's own order (within f32 summation error of
 * it). Each table gives the same bits whatever the row count. bfloat16 keeps 8
 * significant bits: each product is within 2^-7 of f32's. */
static inline int nn_bf16_pairs(int cin) { return (cin + 31) / 32 * 16; }
static inline int nn_bf16_cols(int cout) { return (cout + 15) / 16 * 16; }
size_t nn_bf16_packed_len(int cin, int cout);
void nn_bf16_pack(const float *w, int cin, int cout, uint16_t *out);
/* Quantizes w [cin][cout] to int8 per output channel (scale = max |w| / 127). */
void nn_quantize_i8(const float *w, int cin, int cout, int8_t *q, float *scale);

/* NN_W_I8A16 weights: int8 weights q [cin][cout] (nn_quantize_i8's, with its scales)
 * stored as pairs of input channels, so that the two int16 products that `vpmaddwd`
 * sums into one output lie in one 32-bit lane, and in blocks of outputs, each block's
 * weights contiguous, so that a kernel streams them in order: blocks of 32 outputs
 * while 32 remain, then blocks of 8, the last padded with zero weights to 8; a block
 * of B outputs from o0 holds [pair][B][2] (nn_i8a16_offset), a zero beyond an odd
 * cin. out holds nn_i8a16_packed_len(cin, cout) bytes; cin is at most
 * NN_I8A16_MAX_CIN, so that no int32 sum can overflow. A GEMM over these weights
 * quantizes each row of x to int16 (nn_i8a16_quantize), sums q_x * q_w per output
 * exactly in int32, and adds (float)sum * (s * scale[o]) to y (a multiply, a multiply,
 * an add; no FMA). Integer sums do not depend on their order, so the reference and
 * every table give the same bits, for any row count. Against f32 activations, the
 * quantization adds up to max|x| / 32766 of error per activation. */
#define NN_I8A16_MAX_CIN 1024
#define NN_I8A16_LEVELS 16383 /* |q_x| <= this: cin * 16383 * 128 < 2^31 */
static inline size_t nn_i8a16_packed_len(int cin, int cout)
{
    return (size_t)(cin + 1) / 2 * 2 * (size_t)((cout + 7) / 8 * 8);
}
/* The byte offset of the pair p of output o's weights (its first input 2p). */
static inline size_t nn_i8a16_offset(int cin, int cout, int p, int o)
{
    const size_t pairs = (size_t)(cin + 1) / 2;
    const int o32 = cout / 32 * 32;
    if (o < o32) return ((size_t)(o / 32) * pairs * 32 + (size_t)p * 32 + (size_t)(o % 32)) * 2;
    return ((size_t)o32 * pairs + (size_t)((o - o32) / 8) * pairs * 8 + (size_t)p * 8 + (size_t)((o - o32) % 8)) * 2;
}
/* 0, or NC_EINVAL (cin above NN_I8A16_MAX_CIN; out untouched). */
int nn_i8a16_pack(const int8_t *q, int cin, int cout, int8_t *out);
/* x[n] -> q[n] int16 (q[n] = 0 too, the pad of an odd count): s = m / 16383 with m the
 * largest finite |x|, q = lrintf(x * (16383 / m)) (round to nearest even), non-finite
 * x give 0, and m below 2^-100 gives all 0 and s = 0. Returns s. */
float nn_i8a16_quantize(const float *x, int n, int16_t *q);

#endif
