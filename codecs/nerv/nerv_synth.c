/* The nerv synthesis (nerv_synth.h) and its adjoints. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/nerv/nerv_synth.h"
#include "codecs/nerv/nerv_filter.h"
#include "libnc/nn/simd.h"
#include "nc/error.h"

int nerv_scratch_alloc(NervScratch *sc, const NervShape *s, const NervLayout *lay)
{
    memset(sc, 0, sizeof(*sc));
    size_t grid = (size_t)lay->gw * lay->gh, tmp = (size_t)lay->gh * s->pw;
    int len[2] = {s->pw, s->ph};
    sc->grid = malloc(sizeof(float) * (grid + 1));
    sc->tmp = malloc(sizeof(float) * (tmp + 1));
    sc->dx = malloc(sizeof(int32_t) * (size_t)s->positions);
    sc->dy = malloc(sizeof(int32_t) * (size_t)s->positions);
    int32_t **coord[4] = {&sc->x0, &sc->x1, &sc->r0, &sc->r1};
    for (int i = 0; i < 4; i++) *coord[i] = malloc(sizeof(int32_t) * (size_t)s->positions);
    sc->wx1 = malloc(sizeof(float) * (size_t)s->positions);
    sc->wy1 = malloc(sizeof(float) * (size_t)s->positions);
    sc->filter = malloc(sizeof(float) * nerv_filter_scratch_size(s));
    int ok = sc->grid && sc->tmp && sc->dx && sc->dy && sc->x0 && sc->x1 && sc->r0 && sc->r1 && sc->wx1 &&
             sc->wy1 && sc->filter;
    for (int a = 0; a < 2; a++) {
        sc->i0[a] = malloc(sizeof(int) * (size_t)len[a]);
        sc->i1[a] = malloc(sizeof(int) * (size_t)len[a]);
        sc->w0[a] = malloc(sizeof(float) * (size_t)len[a]);
        sc->w1[a] = malloc(sizeof(float) * (size_t)len[a]);
        ok = ok && sc->i0[a] && sc->i1[a] && sc->w0[a] && sc->w1[a];
    }
    if (!ok) nerv_scratch_free(sc);
    return ok ? 0 : NC_ENOMEM;
}

void nerv_scratch_free(NervScratch *sc)
{
    free(sc->grid), free(sc->tmp), free(sc->dx), free(sc->dy);
    free(sc->x0), free(sc->x1), free(sc->r0), free(sc->r1), free(sc->wx1), free(sc->wy1);
    free(sc->filter);
    for (int a = 0; a < 2; a++) free(sc->i0[a]), free(sc->i1[a]), free(sc->w0[a]), free(sc->w1[a]);
    memset(sc, 0, sizeof(*sc));
}

/* Output o's coordinate along one axis in a grid at 2^-scale for a frame moved
 * by m plus a local offset d (1/8 position; spec §4, and "Local motion"): it
 * reads entries i0 and i1 (clamped to the grid) with weight w1 on i1. The
 * coordinate is (o + 1/2 + (m + d)/8 - origin) / 2^scale - 1/2, whose numerator
 * over 2^(scale + 4) is an integer, so index and weight are exact (the weight a
 * multiple of a power of two, so multiplying by its inverse is the division). */
static inline void grid_coord(int o, int scale, int origin, int32_t m, int32_t d, int nsrc, int *i0,
                              int *i1, float *w1)
{
    int den_log2 = scale + 4;
    int64_t num = 16 * (int64_t)o + 8 + 2 * ((int64_t)m + d) - 16 * (int64_t)origin - ((int64_t)8 << scale);
    int64_t a = nerv_floor_shift(num, den_log2), b = a + 1;
    *w1 = (float)(num - a * ((int64_t)1 << den_log2)) * (1.0f / (float)(1 << den_log2));
    *i0 = (int)(a < 0 ? 0 : a >= nsrc ? nsrc - 1 : a);
    *i1 = (int)(b < 0 ? 0 : b >= nsrc ? nsrc - 1 : b);
}

/* The interpolation along axis a (0: x, 1: y) of a grid at 2^-scale for a frame
 * moved by m (1/8 position), every output's coordinate as grid_coord's. */
static void axis_setup(NervScratch *sc, int a, int scale, int len, int origin, int32_t m,
                       int nsrc)
{
    for (int o = 0; o < len; o++) {
        grid_coord(o, scale, origin, m, 0, nsrc, &sc->i0[a][o], &sc->i1[a][o], &sc->w1[a][o]);
        sc->w0[a][o] = 1.0f - sc->w1[a][o];
    }
}

/* Level l of frame f of n: the slice t0 it reads and how far (a) toward slice
 * t0 + 1. Slice t stands for the middle of frames t 2^sl .. (t + 1) 2^sl - 1; a
 * frame between two middles blends them linearly, one before the first or after
 * the last middle takes that slice alone. In half frames, so a is dyadic. */
static void time_position(const NervShape *s, const NervLayout *lay, int l, int f, int *t0,
                          float *a)
{
    int sl = s->stride_log2[l], span = 2 << sl, num = 2 * f - ((1 << sl) - 1);
    *t0 = 0, *a = 0.0f;
    if (num <= 0) return;
    *t0 = num / span;
    if (*t0 >= lay->times[l] - 1) {
        *t0 = lay->times[l] - 1;
        return;
    }
    *a = (float)(num % span) / (float)span;
}

/* Grid l as frame f sees it: its interpolation along both axes into sc, its time
 * slice t0 and blend a; returns the grid's size. */
static size_t level_view(const NervShape *s, const NervLayout *lay, const int32_t *motion, int l,
                         int f, NervScratch *sc, int *t0, float *a)
{
    axis_setup(sc, 0, s->scale_log2[l], s->pw, lay->ox, motion[2 * f], lay->lw[l]);
    axis_setup(sc, 1, s->scale_log2[l], s->ph, lay->oy, motion[2 * f + 1], lay->lh[l]);
    time_position(s, lay, l, f, t0, a);
    return (size_t)lay->lw[l] * lay->lh[l];
}

/* Where frame f reads, through its local field (dx, dy), a grid at
 * 2^-scale_log2[l] (grid_coord per position): into sc's x0 .. wy1. Every warped
 * grid at that scale reads there, so they share one computation: *have is the
 * scale sc holds (-1: none), and nothing is done when it is l's. */
static void warp_coords(const NervShape *s, const NervLayout *lay, const int32_t *motion, int l, int f,
                        const int32_t *dx, const int32_t *dy, NervScratch *sc, int *have)
{
    int scale = s->scale_log2[l], lw = lay->lw[l], lh = lay->lh[l];
    if (scale == *have) return;
    *have = scale;
    for (int py = 0; py < s->ph; py++)
        for (int px = 0; px < s->pw; px++) {
            size_t p = (size_t)py * s->pw + px;
            int y0, y1;
            grid_coord(px, scale, lay->ox, motion[2 * f], dx[p], lw, &sc->x0[p], &sc->x1[p], &sc->wx1[p]);
            grid_coord(py, scale, lay->oy, motion[2 * f + 1], dy[p], lh, &y0, &y1, &sc->wy1[p]);
            sc->r0[p] = y0 * lw, sc->r1[p] = y1 * lw;
        }
}

/* Grid g (blended in time) read where warp_coords put each position: into zl,
 * or with zl NULL the adjoint, g_zl added into grid. Each position as the
 * separable path computes it: the two rows first, then between them. */
static void warped_level(const NervShape *s, const NervScratch *sc, const float *g, float *zl,
                         const float *g_zl, float *grid)
{
    const int32_t *x0 = sc->x0, *x1 = sc->x1, *r0 = sc->r0, *r1 = sc->r1;
    for (int p = 0; p < s->positions; p++) {
        float wx1 = sc->wx1[p], wy1 = sc->wy1[p], wx0 = 1.0f - wx1, wy0 = 1.0f - wy1;
        if (zl) {
            float a = wx0 * g[r0[p] + x0[p]] + wx1 * g[r0[p] + x1[p]],
                  b = wx0 * g[r1[p] + x0[p]] + wx1 * g[r1[p] + x1[p]];
            zl[p] = wy0 * a + wy1 * b;
        } else {
            float v0 = wy0 * g_zl[p], v1 = wy1 * g_zl[p];
            grid[r0[p] + x0[p]] += wx0 * v0, grid[r0[p] + x1[p]] += wx1 * v0;
            grid[r1[p] + x0[p]] += wx0 * v1, grid[r1[p] + x1[p]] += wx1 * v1;
        }
    }
}

/* Whether loc moves grid l (l < 0: any grid). */
static int is_warped(const NervLocal *loc, int l)
{
    return loc && loc->block_log2 && (l < 0 ? loc->warped != 0 : (loc->warped >> l & 1));
}

/* Frame f's local field: loc's precomputed one, or computed into sc. */
static void frame_field(const NervShape *s, const NervLocal *loc, int f, NervScratch *sc,
                        const int32_t **dx, const int32_t **dy)
{
    if (loc->field) {
        *dx = loc->field + (size_t)f * 2 * s->positions;
        *dy = *dx + s->positions;
        return;
    }
    nerv_local_field(s, loc, f, sc->dx, sc->dy);
    *dx = sc->dx, *dy = sc->dy;
}

/* A level's gradient (grid, one slice's size) into slice g0 and, blended by a, the next. */
static void add_to_slices(float *g0, const float *grid, size_t size, float a)
{
    if (a == 0.0f) {
        for (size_t i = 0; i < size; i++) g0[i] += grid[i];
    } else {
        float *g1 = g0 + size, b = 1.0f - a;
        for (size_t i = 0; i < size; i++) g0[i] += b * grid[i];
        for (size_t i = 0; i < size; i++) g1[i] += a * grid[i];
    }
}

void nerv_synth_inputs(const NervShape *s, const NervLayout *lay, const int32_t *motion,
                       const NervLocal *loc, const float *latents, int f, float *z, NervScratch *sc)
{
    const int32_t *dx = NULL, *dy = NULL;
    int warp_scale = -1; /* the scale sc's warp coordinates are for (warp_coords) */
    if (is_warped(loc, -1)) frame_field(s, loc, f, sc, &dx, &dy);
    for (int l = 0; l < s->levels; l++) {
        int lw = lay->lw[l], t0;
        float a;
        size_t size = level_view(s, lay, motion, l, f, sc, &t0, &a);
        const float *g = latents + lay->offset[l] + (size_t)t0 * size;
        if (a != 0.0f) {
            const float *g1 = g + size;
            float b = 1.0f - a;
            for (size_t i = 0; i < size; i++) sc->grid[i] = b * g[i] + a * g1[i];
            g = sc->grid;
        }
        if (is_warped(loc, l)) {
            warp_coords(s, lay, motion, l, f, dx, dy, sc, &warp_scale);
            warped_level(s, sc, g, z + (size_t)l * s->positions, NULL, NULL);
            continue;
        }
        const int *x0 = sc->i0[0], *x1 = sc->i1[0];
        const float *wx0 = sc->w0[0], *wx1 = sc->w1[0];
        /* only the rows some output row reads */
        int r_lo = sc->i0[1][0], r_hi = sc->i1[1][s->ph - 1];
        for (int i = r_lo; i <= r_hi; i++) {
            const float *row = g + (size_t)i * lw;
            float *out = sc->tmp + (size_t)i * s->pw;
            for (int o = 0; o < s->pw; o++) out[o] = wx0[o] * row[x0[o]] + wx1[o] * row[x1[o]];
        }
        float *zl = z + (size_t)l * s->positions;
        for (int py = 0; py < s->ph; py++) {
            const float *r0 = sc->tmp + (size_t)sc->i0[1][py] * s->pw,
                        *r1 = sc->tmp + (size_t)sc->i1[1][py] * s->pw;
            float w0 = sc->w0[1][py], w1 = sc->w1[1][py];
            float *out = zl + (size_t)py * s->pw;
            for (int px = 0; px < s->pw; px++) out[px] = w0 * r0[px] + w1 * r1[px];
        }
    }
}

size_t nerv_view_grids_size(const NervShape *s, const NervLayout *lay)
{
    size_t n = 0;
    for (int l = 0; l < s->levels; l++) n += (size_t)lay->lw[l] * lay->lh[l];
    return n;
}

void nerv_synth_inputs_adjoint(const NervShape *s, const NervLayout *lay, const int32_t *motion,
                               const NervLocal *loc, const float *g_z, int f, float *grids,
                               NervScratch *sc)
{
    const int32_t *dx = NULL, *dy = NULL;
    int warp_scale = -1;
    if (is_warped(loc, -1)) frame_field(s, loc, f, sc, &dx, &dy);
    for (int l = 0; l < s->levels; l++) {
        int lw = lay->lw[l], t0;
        float a;
        size_t size = level_view(s, lay, motion, l, f, sc, &t0, &a);
        float *grid = grids;
        grids += size;
        memset(grid, 0, sizeof(float) * size);
        if (is_warped(loc, l)) {
            warp_coords(s, lay, motion, l, f, dx, dy, sc, &warp_scale);
            warped_level(s, sc, NULL, NULL, g_z + (size_t)l * s->positions, grid);
            continue;
        }
        int r_lo = sc->i0[1][0], r_hi = sc->i1[1][s->ph - 1];
        memset(sc->tmp + (size_t)r_lo * s->pw, 0, sizeof(float) * (size_t)(r_hi - r_lo + 1) * s->pw);
        const float *gz = g_z + (size_t)l * s->positions;
        for (int py = 0; py < s->ph; py++) {
            float *r0 = sc->tmp + (size_t)sc->i0[1][py] * s->pw,
                  *r1 = sc->tmp + (size_t)sc->i1[1][py] * s->pw;
            float w0 = sc->w0[1][py], w1 = sc->w1[1][py];
            const float *in = gz + (size_t)py * s->pw;
            for (int px = 0; px < s->pw; px++) r0[px] += w0 * in[px];
            for (int px = 0; px < s->pw; px++) r1[px] += w1 * in[px];
        }
        const int *x0 = sc->i0[0], *x1 = sc->i1[0];
        const float *wx0 = sc->w0[0], *wx1 = sc->w1[0];
        for (int i = r_lo; i <= r_hi; i++) {
            float *row = grid + (size_t)i * lw;
            const float *in = sc->tmp + (size_t)i * s->pw;
            for (int o = 0; o < s->pw; o++) {
                row[x0[o]] += wx0[o] * in[o];
                row[x1[o]] += wx1[o] * in[o];
            }
        }
    }
}

void nerv_view_grids_add(const NervShape *s, const NervLayout *lay, int f, const float *grids,
                         float *g_latents)
{
    for (int l = 0; l < s->levels; l++) {
        int t0;
        float a;
        size_t size = (size_t)lay->lw[l] * lay->lh[l];
        time_position(s, lay, l, f, &t0, &a);
        add_to_slices(g_latents + lay->offset[l] + (size_t)t0 * size, grids, size, a);
        grids += size;
    }
}

/* dst_j[p] = b[j] + sum_k w[j wj + k wk] src_k[p] for nout outputs j (wj, wk:
 * W's strides, so W can be read transposed), each sum in that order (b first,
 * then k ascending), so every ISA gives the same bits; relu when asked. Blocks
 * of 4 outputs x 16 positions stay in registers. Compiled for AVX2
 * and AVX-512 as well (lanes are independent positions, and no FMA is formed:
 * -ffp-contract=off), picked at load time. */
#define DENSE_J 4
#define DENSE_P 16

/* 8 floats as one GCC/Clang generic vector, DENSE_P positions as two: element-wise
 * operations, so each lane computes exactly what the scalar code would. (One
 * 16-float vector, 64 bytes, is no AVX2 register: GCC's AVX2 clone kept such
 * accumulators on the stack and made their compares scalar, 1.6x slower fits.) */
typedef float Vec8 __attribute__((vector_size(8 * sizeof(float))));
/* *v = p[0..8) (by pointer: a function returning a Vec8 would change the ABI of
 * the SSE2 build) */
static inline void load8(Vec8 *v, const float *p) { memcpy(v, p, sizeof(*v)); }

/* One block: nj <= DENSE_J outputs from j0, DENSE_P positions from p0. */
static inline void dense_block(const float *w, size_t wj, size_t wk, const float *b, int j0, int nj,
                               const float *src, size_t sstride, int nin, int p0, float *dst, size_t dstride,
                               int relu)
{
    Vec8 acc[DENSE_J][2], zero = {0};
    for (int j = 0; j < nj; j++) acc[j][0] = acc[j][1] = zero + b[j0 + j];
    for (int k = 0; k < nin; k++) {
        Vec8 x0, x1;
        load8(&x0, src + (size_t)k * sstride + p0);
        load8(&x1, src + (size_t)k * sstride + p0 + 8);
        for (int j = 0; j < nj; j++) {
            const float wv = w[(size_t)(j0 + j) * wj + (size_t)k * wk];
            acc[j][0] += wv * x0;
            acc[j][1] += wv * x1;
        }
    }
    for (int j = 0; j < nj; j++) {
        float *d = dst + (size_t)(j0 + j) * dstride + p0;
        memcpy(d, acc[j], sizeof(acc[j]));
        if (relu) /* a compare and a mask per vector */
            for (int q = 0; q < DENSE_P; q++) d[q] = d[q] > 0.0f ? d[q] : 0.0f;
    }
}

NN_SIMD_CLONES
static void dense(const float *w, size_t wj, size_t wk, const float *b, int nout,
                  const float *src, size_t sstride,
                  int nin, int count, float *dst, size_t dstride, int relu)
{
    int pfull = count - count % DENSE_P;
    for (int p0 = 0; p0 < pfull; p0 += DENSE_P)
        for (int j0 = 0; j0 < nout; j0 += DENSE_J)
            dense_block(w, wj, wk, b, j0, nout - j0 < DENSE_J ? nout - j0 : DENSE_J, src, sstride, nin, p0,
                        dst, dstride, relu);
    /* the last positions, one at a time, in the same order */
    for (int j = 0; j < nout; j++)
        for (int p = pfull; p < count; p++) {
            float acc = b[j];
            for (int k = 0; k < nin; k++)
                acc += w[(size_t)j * wj + (size_t)k * wk] * src[(size_t)k * sstride + p];
            dst[(size_t)j * dstride + p] = relu && !(acc > 0.0f) ? 0.0f : acc;
        }
}

void nerv_mlp_forward(const NervShape *s, const float *w, const float *z, size_t zstride,
                      int count, float *h1, float *h2, float *out, size_t ostride)
{
    int L = s->levels, H = s->hidden, C = s->channels;
    const float *w1 = w, *b1 = w1 + H * L, *w2 = b1 + H, *b2 = w2 + H * H, *w3 = b2 + H,
                *b3 = w3 + C * H;
    dense(w1, (size_t)L, 1, b1, H, z, zstride, L, count, h1, NERV_TILE, 1);
    dense(w2, (size_t)H, 1, b2, H, h1, NERV_TILE, H, count, h2, NERV_TILE, 1);
    dense(w3, (size_t)H, 1, b3, C, h2, NERV_TILE, H, count, out, ostride, 0);
}

/* The DENSE_P lanes of a partial-sum pair added in a fixed order. */
static float lane_sum(const Vec8 v[2])
{
    float lanes[DENSE_P], acc = 0;
    memcpy(lanes, v, sizeof(lanes));
    for (int q = 0; q < DENSE_P; q++) acc += lanes[q];
    return acc;
}

/* sum_p a[p] b[p] (b NULL: sum_p a[p]) in DENSE_P interleaved partial sums. */
NN_SIMD_CLONES
static float dot(const float *a, const float *b, int n)
{
    Vec8 acc[2] = {{0}, {0}};
    int p = 0;
    for (; p + DENSE_P <= n; p += DENSE_P)
        for (int h = 0; h < 2; h++) {
            Vec8 x, y;
            load8(&x, a + p + 8 * h);
            if (b) {
                load8(&y, b + p + 8 * h);
                x *= y;
            }
            acc[h] += x;
        }
    float tail = 0;
    for (; p < n; p++) tail += b ? a[p] * b[p] : a[p];
    return lane_sum(acc) + tail;
}

/* out[k] = dot(a, b + k bstride, n) for k < DOTS_K, each summed exactly as dot()
 * sums it, but in one pass over a: each a vector loaded once for the DOTS_K
 * products, and DOTS_K independent chains of adds (and of lane sums) where dot()
 * has one (the weight gradients were half of the fit's time as single dots). */
#define DOTS_K 4
NN_SIMD_CLONES
static void dots(const float *a, const float *b, size_t bstride, int n, float *out)
{
    Vec8 acc[DOTS_K][2] = {{{0}}};
    int p = 0;
    for (; p + DENSE_P <= n; p += DENSE_P)
        for (int h = 0; h < 2; h++) {
            Vec8 x, y;
            load8(&x, a + p + 8 * h);
            for (int k = 0; k < DOTS_K; k++) {
                load8(&y, b + (size_t)k * bstride + p + 8 * h);
                acc[k][h] += x * y;
            }
        }
    for (int k = 0; k < DOTS_K; k++) {
        float tail = 0;
        for (int q = p; q < n; q++) tail += a[q] * b[(size_t)k * bstride + q];
        out[k] = lane_sum(acc[k]) + tail;
    }
}

/* Given g_y (nout rows of ystride) of y = W x + b, adds to g_W (nout x nin) and g_b
 * and writes g_x (nin rows of xstride) masked where mask (rows of mstride, NULL:
 * none) is not positive: the gradient through the relu that made x. */
static void dense_backward(const float *w, const float *x, size_t xstride, int nin,
                           const float *g_y, size_t ystride, int nout, int count, float *g_w,
                           float *g_b, float *g_x, size_t gxstride, const float *mask)
{
    for (int j = 0; j < nout; j++) {
        const float *gy = g_y + (size_t)j * ystride;
        g_b[j] += dot(gy, NULL, count);
        int k = 0;
        for (; k + DOTS_K <= nin; k += DOTS_K) {
            float d[DOTS_K];
            dots(gy, x + (size_t)k * xstride, xstride, count, d);
            for (int q = 0; q < DOTS_K; q++) g_w[j * nin + k + q] += d[q];
        }
        for (; k < nin; k++) g_w[j * nin + k] += dot(gy, x + (size_t)k * xstride, count);
    }
    if (!g_x) return;
    /* g_x = W^T g_y: the forward product with W read transposed, no bias */
    static const float zeros[NERV_MAX_HIDDEN];
    dense(w, 1, (size_t)nin, zeros, nin, g_y, ystride, nout, count, g_x, gxstride, 0);
    if (mask)
        for (int k = 0; k < nin; k++) {
            float *gx = g_x + (size_t)k * gxstride;
            const float *m = mask + (size_t)k * xstride;
            for (int p = 0; p < count; p++) gx[p] = m[p] > 0.0f ? gx[p] : 0.0f;
        }
}

void nerv_mlp_backward(const NervShape *s, const float *w, const float *z, size_t zstride,
                       int count, const float *h1, const float *h2, const float *g_out,
                       size_t ostride, float *g_w, float *g_z, float *g_h)
{
    int L = s->levels, H = s->hidden, C = s->channels;
    size_t o1 = (size_t)H * L, o2 = o1 + H, o3 = o2 + (size_t)H * H, o4 = o3 + H,
           o5 = o4 + (size_t)C * H;
    float *g_h2 = g_h, *g_h1 = g_h + (size_t)H * NERV_TILE;
    dense_backward(w + o4, h2, NERV_TILE, H, g_out, ostride, C, count, g_w + o4, g_w + o5, g_h2,
                   NERV_TILE, h2);
    dense_backward(w + o2, h1, NERV_TILE, H, g_h2, NERV_TILE, H, count, g_w + o2, g_w + o3, g_h1,
                   NERV_TILE, h1);
    dense_backward(w, z, zstride, L, g_h1, NERV_TILE, H, count, g_w, g_w + o1, g_z, zstride, NULL);
}

void nerv_render(const NervShape *s, const float *w, const float *z, float *out, float *tile)
{
    float *h1 = tile, *h2 = tile + (size_t)s->hidden * NERV_TILE;
    for (int p0 = 0; p0 < s->positions; p0 += NERV_TILE) {
        int count = s->positions - p0 < NERV_TILE ? s->positions - p0 : NERV_TILE;
        nerv_mlp_forward(s, w, z + p0, (size_t)s->positions, count, h1, h2, out + p0,
                         (size_t)s->positions);
    }
}

void nerv_synth_frame(const NervShape *s, const NervLayout *lay, const int32_t *motion,
                      const NervLocal *loc, const float *latents, const float *w, int f, float *out,
                      float *z, float *tile, NervScratch *sc)
{
    nerv_synth_inputs(s, lay, motion, loc, latents, f, z, sc);
    nerv_render(s, w, z, out, tile);
    if (s->version >= 5)
        nerv_filter(s, w + nerv_tensor_offset(s, NERV_MLP_TENSORS), out, sc->filter);
}
