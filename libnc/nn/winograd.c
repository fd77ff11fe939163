/* The 3x3 'same' conv by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray,
 * "Fast Algorithms for Convolutional Neural Networks", 2016): each 2x2 block of
 * outputs from its 4x4 input patch with 16 multiplications per input and output
 * channel pair where the direct conv takes 36, so 2.25x fewer FMAs. Per 4x4 patch d
 * and channel, V = B^T d B; per tap matrix g, U = G g G^T; the 16 positions xi of the
 * 4x4 transform domain are 16 independent GEMMs M[xi] = V[xi] U[xi] (rows: the
 * patches; the kernel table's GEMM), and the outputs are A^T M A. The transforms
 * only add, subtract and halve, so the result is the conv's to within float
 * summation error (larger than the direct conv's: up to 1.2e-5 relative at 192 input
 * channels in test_kernels): for the reconstruction path, which states its pictures to
 * a tolerance, never for the deterministic mode.
 *
 *   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
 *   G   = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
 *   A^T = [1 1 1 0; 0 1 -1 -1]
 *
 * The patches go in strips of STRIP_PATCHES (raster order), so that a strip's
 * transformed inputs and GEMM results stay in L2 while its 16 GEMMs run over them.
 * The GEMMs are the caller's (a kernel table with a register-blocked kernel of its
 * own: AVX2's). */
#include <stdlib.h>
#include <string.h>

#include "libnc/nn/kernels_impl.h"
#include "libnc/nn/simd.h"
#include "nc/error.h"

/* Patches per strip: enough GEMM rows for the kernels' row blocks, few enough that
 * 16 x (cin + cout) floats per patch stay in L2 for walloc's 192 -> 64 shapes. */
#define STRIP_PATCHES 32

/* Eight floats at any address (GCC's vector extension: AVX2 registers in the AVX2
 * clone, SSE pairs in the baseline), so that the transforms below run eight
 * channels at a time whatever the compiler makes of loops over pointer arrays. */
typedef float F8 __attribute__((vector_size(32), aligned(4), may_alias));
#define AT(p, i) (*(F8 *)((p) + (i)))

/* V[xi] for one patch: d[r * 4 + c] points at the cin channels of input pixel (r, c)
 * (a row of zeros outside the picture); row xi of the result at v + xi * vs. Channels
 * in eights, then one at a time. */
#define INPUT_PATCH(T, LOAD, STORE)                                                     \
    do {                                                                              \
        T t[4][4]; /* B^T d */                                                        \
        for (int c = 0; c < 4; c++) {                                                 \
            const T d0 = LOAD(d[c]), d1 = LOAD(d[4 + c]), d2 = LOAD(d[8 + c]), d3 = LOAD(d[12 + c]); \
            t[0][c] = d0 - d2;                                                        \
            t[1][c] = d1 + d2;                                                        \
            t[2][c] = d2 - d1;                                                        \
            t[3][c] = d1 - d3;                                                        \
        }                                                                             \
        for (int r = 0; r < 4; r++) { /* (B^T d) B */                                 \
            STORE(v + (size_t)(4 * r + 0) * vs, t[r][0] - t[r][2]);                   \
            STORE(v + (size_t)(4 * r + 1) * vs, t[r][1] + t[r][2]);                   \
            STORE(v + (size_t)(4 * r + 2) * vs, t[r][2] - t[r][1]);                   \
            STORE(v + (size_t)(4 * r + 3) * vs, t[r][1] - t[r][3]);                   \
        }                                                                             \
    } while (0)

NN_SIMD_CLONES
static void input_patch(const float *const d[16], int cin, float *v, size_t vs)
{
    int i = 0;
#define LOAD8(p) AT(p, i)
#define STORE8(p, x) (AT(p, i) = (x))
    for (; i + 8 <= cin; i += 8) INPUT_PATCH(F8, LOAD8, STORE8);
#define LOAD1(p) (p)[i]
#define STORE1(p, x) ((p)[i] = (x))
    for (; i < cin; i++) INPUT_PATCH(float, LOAD1, STORE1);
}

/* y[k] += (A^T M A)[k] for the patch's 2x2 outputs, k = 2 * row + col; M[xi] at
 * m + xi * ms. Outputs outside the picture point at a scratch row. */
#define OUTPUT_PATCH(T, LOAD, STORE)                                                    \
    do {                                                                              \
        T r0[4], r1[4]; /* A^T M */                                                   \
        for (int c = 0; c < 4; c++) {                                                 \
            const T m0 = LOAD(m + (size_t)c * ms), m1 = LOAD(m + (size_t)(4 + c) * ms); \
            const T m2 = LOAD(m + (size_t)(8 + c) * ms), m3 = LOAD(m + (size_t)(12 + c) * ms); \
            r0[c] = m0 + m1 + m2;                                                     \
            r1[c] = m1 - m2 - m3;                                                     \
        }                                                                             \
        STORE(y[0], LOAD(y[0]) + (r0[0] + r0[1] + r0[2]));                            \
        STORE(y[1], LOAD(y[1]) + (r0[1] - r0[2] - r0[3]));                            \
        STORE(y[2], LOAD(y[2]) + (r1[0] + r1[1] + r1[2]));                            \
        STORE(y[3], LOAD(y[3]) + (r1[1] - r1[2] - r1[3]));                            \
    } while (0)

NN_SIMD_CLONES
static void output_patch(const float *m, size_t ms, int cout, float *const y[4])
{
    int i = 0;
    for (; i + 8 <= cout; i += 8) OUTPUT_PATCH(F8, LOAD8, STORE8);
    for (; i < cout; i++) OUTPUT_PATCH(float, LOAD1, STORE1);
}
#undef LOAD8
#undef STORE8
#undef LOAD1
#undef STORE1

/* U[xi] = G g G^T for every input and output channel pair, each plane of cin x cout
 * in column blocks of blk outputs (the last one narrower), [16][block][cin][width]. */
void nn_winograd_weights(const NNWeights *taps, int blk, float *u)
{
    const int cin = taps[0].cin, cout = taps[0].cout;
    const size_t plane = (size_t)cin * cout;
    for (int i = 0; i < cin; i++)
        for (int o = 0; o < cout; o++) {
            const size_t e = (size_t)i * cout + o;
            const int o0 = o / blk * blk, width = cout - o0 < blk ? cout - o0 : blk;
            float *at = u + (size_t)o0 * cin + (size_t)i * width + (o - o0); /* in plane 0 */
            float g[3][3], t[4][3];
            for (int k = 0; k < 9; k++) {
                const NNWeights *tap = &taps[k];
                g[k / 3][k % 3] = nn_weight_at(tap, e) * (tap->type == NN_W_I8 ? tap->scale[o] : 1.0f);
            }
            for (int c = 0; c < 3; c++) { /* G g */
                t[0][c] = g[0][c];
                t[1][c] = 0.5f * (g[0][c] + g[1][c] + g[2][c]);
                t[2][c] = 0.5f * (g[0][c] - g[1][c] + g[2][c]);
                t[3][c] = g[2][c];
            }
            for (int r = 0; r < 4; r++) { /* (G g) G^T */
                at[(size_t)(4 * r + 0) * plane] = t[r][0];
                at[(size_t)(4 * r + 1) * plane] = 0.5f * (t[r][0] + t[r][1] + t[r][2]);
                at[(size_t)(4 * r + 2) * plane] = 0.5f * (t[r][0] - t[r][1] + t[r][2]);
                at[(size_t)(4 * r + 3) * plane] = t[r][2];
            }
        }
}

int nn_winograd_conv3x3(NNWinogradGemm gemm, const void *opaque, int cin, int cout, const float *x,
                        int h, int w, float *y)
{
    const int pw = (w + 1) / 2; /* patches per row */
    const size_t total = (size_t)pw * ((h + 1) / 2);
    float *v = malloc(sizeof(float) * 16 * STRIP_PATCHES * cin), *m = malloc(sizeof(float) * 16 * STRIP_PATCHES * cout);
    float *zero = calloc((size_t)cin, sizeof(float)), *sink = malloc(sizeof(float) * (size_t)cout);
    int ret = v && m && zero && sink ? 0 : NC_ENOMEM;
    if (ret < 0) goto end;
    /* strips of STRIP_PATCHES patches in raster order, whatever the width */
    for (size_t p0 = 0; p0 < total; p0 += STRIP_PATCHES) {
        const int n = total - p0 < STRIP_PATCHES ? (int)(total - p0) : STRIP_PATCHES;
        for (int p = 0; p < n; p++) {
            const int row = 2 * (int)((p0 + p) / pw), col = 2 * (int)((p0 + p) % pw);
            const float *d[16];
            for (int r = 0; r < 4; r++)
                for (int c = 0; c < 4; c++) {
                    const int iy = row + r - 1, ix = col + c - 1;
                    d[4 * r + c] = iy < 0 || iy >= h || ix < 0 || ix >= w ? zero : x + ((size_t)iy * w + ix) * cin;
                }
            input_patch(d, cin, v + (size_t)p * cin, (size_t)n * cin);
        }
        memset(m, 0, sizeof(float) * 16 * (size_t)n * cout);
        for (int xi = 0; xi < 16; xi++) gemm(opaque, xi, m + (size_t)xi * n * cout, v + (size_t)xi * n * cin, n);
        for (int p = 0; p < n; p++) {
            const int row = 2 * (int)((p0 + p) / pw), col = 2 * (int)((p0 + p) % pw);
            float *out[4];
            for (int q = 0; q < 4; q++) {
                const int oy = row + q / 2, ox = col + q % 2;
                out[q] = oy < h && ox < w ? y + ((size_t)oy * w + ox) * cout : sink;
            }
            output_patch(m + (size_t)p * cout, (size_t)n * cout, cout, out);
        }
    }
end:
    free(v);
    free(m);
    free(zero);
    free(sink);
    return ret;
}
