/* What the kernel files share (not for callers: they use kernels.h). */
#ifndef NC_NN_KERNELS_IMPL_H
#define NC_NN_KERNELS_IMPL_H

#include "libnc/nn/kernels.h"

/* exp(r) ~ 1 + r + r^2/2 + ... + C6 r^6 on [-ln2/2, ln2/2] (Taylor; error < 2e-7). */
#define NN_EXP_C2 0.5f
#define NN_EXP_C3 0.166666667f
#define NN_EXP_C4 0.0416666667f
#define NN_EXP_C5 0.00833333333f
#define NN_EXP_C6 0.00138888889f
/* Abramowitz & Stegun 7.1.26 */
#define NN_ERF_P 0.3275911f
#define NN_ERF_A1 0.254829592f
#define NN_ERF_A2 -0.284496736f
#define NN_ERF_A3 1.421413741f
#define NN_ERF_A4 -1.453152027f
#define NN_ERF_A5 1.061405429f

/* nn_exp_ref's steps on a vector: P is the intrinsic prefix (_mm256, _mm512), SI its
 * integer vector suffix (si256, si512). One definition for the AVX2 and AVX-512
 * tables, so that they give the same bits lane for lane. */
#define NN_EXP_VEC(P, SI, x)                                                                              \
    do {                                                                                                  \
        x = P##_min_ps(P##_max_ps(x, P##_set1_ps(-87.3f)), P##_set1_ps(88.3f));                           \
        const __typeof__(x) n_ = P##_floor_ps(P##_fmadd_ps(x, P##_set1_ps(1.44269504f), P##_set1_ps(0.5f))); \
        __typeof__(x) r_ = P##_fnmadd_ps(n_, P##_set1_ps(0.693359375f), x);                                \
        r_ = P##_fnmadd_ps(n_, P##_set1_ps(-2.12194440e-4f), r_);                                          \
        __typeof__(x) p_ = P##_set1_ps(NN_EXP_C6);                                                        \
        p_ = P##_fmadd_ps(p_, r_, P##_set1_ps(NN_EXP_C5));                                                \
        p_ = P##_fmadd_ps(p_, r_, P##_set1_ps(NN_EXP_C4));                                                \
        p_ = P##_fmadd_ps(p_, r_, P##_set1_ps(NN_EXP_C3));                                                \
        p_ = P##_fmadd_ps(p_, r_, P##_set1_ps(NN_EXP_C2));                                                \
        p_ = P##_fmadd_ps(p_, r_, P##_set1_ps(1.0f));                                                     \
        p_ = P##_fmadd_ps(p_, r_, P##_set1_ps(1.0f));                                                     \
        x = P##_mul_ps(p_, P##_cast##SI##_ps(P##_slli_epi32(P##_add_epi32(P##_cvtps_epi32(n_), P##_set1_epi32(127)), 23))); \
    } while (0)

extern const NNKernels nn_kernels_c;
#if defined(__x86_64__) || defined(__i386__)
#define NN_KERNELS_X86 1
extern const NNKernels nn_kernels_sse41;
extern const NNKernels nn_kernels_avx2;
extern const NNKernels nn_kernels_avx512;
extern const NNKernels nn_kernels_avx512bf16;
extern const NNKernels nn_kernels_amxbf16;
#endif

float nn_weight_at(const NNWeights *w, size_t idx);
/* nn_conv2d_same's loop after the bias (y holds it): one GEMM per tap and row of
 * pixels, on outputs [o0, o1) (all of them: k's GEMM; fewer: the reference's
 * nn_gemm_cols_ref). For the direct conv kernels' fallback and tail columns. */
void nn_conv2d_taps_gemm(const NNKernels *k, const NNWeights *taps, int ks, const float *x, int h, int w,
                         float *y, int o0, int o1);
/* y += the 3x3 'same' conv of x (h x w pixels of cin channels; cout out) by
 * Winograd's F(2x2, 3x3) (winograd.c): 2.25x fewer multiplications than the direct
 * conv, within float summation error of it. The caller's gemm computes M[xi] (rows
 * x cout, zeroed) += V[xi] (rows x cin) U[xi] for xi < 16 (row strides cout and
 * cin), U from nn_winograd_weights: f32 from f32, f16 or int8 taps, each of the 16
 * planes laid out for the caller's GEMM in column blocks of blk outputs,
 * [block][cin][width] (blk = cout: plain [cin][cout]). 0, or NC_ENOMEM (y untouched). */
void nn_winograd_weights(const NNWeights *taps, int blk, float *u);
typedef void (*NNWinogradGemm)(const void *opaque, int xi, float *m, const float *v, int rows);
int nn_winograd_conv3x3(NNWinogradGemm gemm, const void *opaque, int cin, int cout, const float *x,
                        int h, int w, float *y);
/* The taps (dy * ks + dx, in that order) of the pixel (row, col) of an h x w picture
 * (cin channels per pixel) that lie inside it, and their input pixels in xs; returns
 * their count (<= ks * ks). For the direct conv kernels. */
int nn_conv_pixel_taps(int ks, int cin, const float *x, int h, int w, int row, int col, const float **xs,
                       int *tap);
void nn_gemm_cols_ref(float *y, int ldy, const float *x, int ldx, int rows, const NNWeights *w,
                      int o0, int o1);
/* Y += X W for NN_W_BF16 weights, plain C (kernels_bf16.c): the arithmetic every
 * table's bf16 GEMM reproduces bit for bit. */
void nn_gemm_bf16_ref(float *y, int ldy, const float *x, int ldx, int rows, const NNWeights *w);
/* Y += X W for NN_W_I8A16 weights, plain C (kernels_i8a16.c): the bits every table's
 * GEMM gives; and the AVX2 one, which the AVX-512 tables use too. */
void nn_gemm_i8a16_ref(float *y, int ldy, const float *x, int ldx, int rows, const NNWeights *w);
#ifdef NN_KERNELS_X86
void nn_gemm_i8a16_avx2(float *y, int ldy, const float *x, int ldx, int rows, const NNWeights *w);
/* Columns [o8, cout) (fewer than 8) of Y += X W with nn_gemm_cols_ref's arithmetic and
 * bits, 8 rows at a time (AVX2; the AVX-512 table's tail columns too). 0, or
 * NC_ENOMEM (y untouched). */
int nn_gemm_cols_tail_avx2(float *y, int ldy, const float *x, int ldx, int rows, const NNWeights *w, int o8);
#endif
float nn_exp_ref(float x);
float nn_erf_ref(float x);
float nn_elu_ref(float x);
float nn_sigmoid_ref(float x);
float nn_silu_ref(float x);
float nn_tanh_ref(float x);
float nn_gelu_ref(float x);

#endif
