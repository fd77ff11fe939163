/* nerv's loop filter (version 5): the decoder's filter against the spec's
 * formula written out plainly (planes, edges, the order of the sum, bit for
 * bit), no filter where a plane's values are all 0, the encoder's adjoint, and
 * its least-squares solve recovering a known filter. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/nerv/nerv_filter.h"
#include "tests/test.h"

static uint64_t rng_state = 777;

static double rnd(void) /* uniform in [-1, 1) */
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(rng_state >> 11) / 4503599627370496.0 - 1.0;
}

static NervShape shape(int w, int h, enum NCPixelFormat fmt)
{
    NervShape s = {.width = w, .height = h, .pix_fmt = fmt, .levels = 1, .hidden = 4, .segment = 1};
    CHECK_EQ(nerv_shape_init(&s, NULL), 0);
    return s;
}

/* spec §1's table: the sample of plane q at pixel (X, Y) of its plane */
static float *spec_sample(const NervShape *s, float *o, int q, int X, int Y)
{
    size_t P = (size_t)s->positions;
    if (s->pix_fmt == NC_PIX_YUV420P && q > 0) return o + (3 + q) * P + (size_t)Y * s->pw + X;
    int k = 2 * (Y & 1) + (X & 1), c = s->pix_fmt == NC_PIX_RGB24 ? 3 * k + q : k;
    return o + c * P + (size_t)(Y >> 1) * s->pw + (X >> 1);
}

/* spec §5, "Loop filter", as written */
static void spec_filter(const NervShape *s, const float *filters, const float *in, float *out)
{
    for (int q = 0; q < nerv_planes(s); q++) {
        int chroma = s->pix_fmt == NC_PIX_YUV420P && q > 0;
        int w = chroma ? s->pw : 2 * s->pw, h = chroma ? s->ph : 2 * s->ph;
        const float *f = filters + q * NERV_FILTER_VALUES;
        for (int Y = 0; Y < h; Y++)
            for (int X = 0; X < w; X++) {
                float sum = f[NERV_FILTER_TAPS];
                for (int dy = -2; dy <= 2; dy++)
                    for (int dx = -2; dx <= 2; dx++) {
                        int y = Y + dy < 0 ? 0 : Y + dy >= h ? h - 1 : Y + dy;
                        int x = X + dx < 0 ? 0 : X + dx >= w ? w - 1 : X + dx;
                        sum += f[(dy + 2) * 5 + dx + 2] * *spec_sample(s, (float *)in, q, x, y);
                    }
                *spec_sample(s, out, q, X, Y) = *spec_sample(s, (float *)in, q, X, Y) + sum;
            }
    }
}

static void test_against_spec(enum NCPixelFormat fmt, int w, int h)
{
    NervShape s = shape(w, h, fmt);
    size_t n = (size_t)s.channels * s.positions;
    float *in = malloc(sizeof(float) * n), *got = malloc(sizeof(float) * n), *want = malloc(sizeof(float) * n);
    float *scratch = malloc(sizeof(float) * nerv_filter_scratch_size(&s));
    float filters[3 * NERV_FILTER_VALUES];
    for (size_t i = 0; i < n; i++) in[i] = (float)(0.5 + 0.5 * rnd());
    for (int i = 0; i < 3 * NERV_FILTER_VALUES; i++) filters[i] = (float)(0.1 * rnd());
    if (nerv_planes(&s) > 1) /* the second plane without a filter */
        memset(filters + NERV_FILTER_VALUES, 0, sizeof(float) * NERV_FILTER_VALUES);
    memcpy(got, in, sizeof(float) * n);
    nerv_filter(&s, filters, got, scratch);
    spec_filter(&s, filters, in, want);
    CHECK(!memcmp(got, want, sizeof(float) * n));
    /* no filter anywhere: the samples untouched */
    memset(filters, 0, sizeof(filters));
    memcpy(got, in, sizeof(float) * n);
    nerv_filter(&s, filters, got, scratch);
    CHECK(!memcmp(got, in, sizeof(float) * n));
    free(in), free(got), free(want), free(scratch);
}

/* The encoder's adjoint: <L x, g> = <x, L^T g> for the filter's linear part L
 * (the filter of x less the filter of 0), edges included. */
static void test_adjoint(enum NCPixelFormat fmt, int w, int h)
{
    NervShape s = shape(w, h, fmt);
    size_t n = (size_t)s.channels * s.positions;
    float *x = malloc(sizeof(float) * n), *lx = malloc(sizeof(float) * n), *zero = calloc(n, sizeof(float)),
          *g = malloc(sizeof(float) * n), *ltg = malloc(sizeof(float) * n);
    float *scratch = malloc(sizeof(float) * nerv_filter_scratch_size(&s));
    float filters[3 * NERV_FILTER_VALUES];
    for (int i = 0; i < 3 * NERV_FILTER_VALUES; i++) filters[i] = (float)(0.2 * rnd());
    for (size_t i = 0; i < n; i++) x[i] = (float)rnd(), g[i] = (float)rnd();
    memcpy(lx, x, sizeof(float) * n);
    nerv_filter(&s, filters, lx, scratch);
    nerv_filter(&s, filters, zero, scratch);
    for (size_t i = 0; i < n; i++) lx[i] -= zero[i];
    memcpy(ltg, g, sizeof(float) * n);
    nerv_filter_adjoint(&s, filters, ltg, scratch);
    double a = 0, b = 0, scale = 0;
    for (size_t i = 0; i < n; i++) a += (double)lx[i] * g[i], b += (double)x[i] * ltg[i], scale += fabs((double)lx[i] * g[i]);
    CHECK(fabs(a - b) < 1e-5 * scale);
    free(x), free(lx), free(zero), free(g), free(ltg), free(scratch);
}

/* Source frames made from the samples by a known filter: the solve finds it. */
static void test_solve(void)
{
    NervShape s = shape(40, 26, NC_PIX_YUV420P);
    size_t n = (size_t)s.channels * s.positions;
    float *out = malloc(sizeof(float) * n), *x = malloc(sizeof(float) * n);
    float *scratch = malloc(sizeof(float) * nerv_filter_scratch_size(&s));
    float known[3 * NERV_FILTER_VALUES], solved[3 * NERV_FILTER_VALUES];
    for (int i = 0; i < 3 * NERV_FILTER_VALUES; i++) known[i] = (float)(0.05 * rnd());
    NervFilterStats *st = calloc(1, sizeof(*st));
    for (int frame = 0; frame < 3; frame++) {
        for (size_t i = 0; i < n; i++) out[i] = (float)(0.5 + 0.4 * rnd());
        memcpy(x, out, sizeof(float) * n);
        nerv_filter(&s, known, x, scratch);
        nerv_filter_stats_add(&s, out, x, st, scratch);
    }
    nerv_filter_solve(&s, st, solved);
    double worst = 0;
    for (int i = 0; i < 3 * NERV_FILTER_VALUES; i++) worst = fmax(worst, fabs(solved[i] - known[i]));
    CHECK(worst < 1e-4);
    /* a flat picture leaves the taps' split free: the solve stays finite, and
     * its filter still maps the picture onto the source */
    memset(st, 0, sizeof(*st));
    for (size_t i = 0; i < n; i++) out[i] = 0.25f, x[i] = 0.375f;
    nerv_filter_stats_add(&s, out, x, st, scratch);
    nerv_filter_solve(&s, st, solved);
    nerv_filter(&s, solved, out, scratch);
    worst = 0;
    for (size_t i = 0; i < n; i++) worst = fmax(worst, fabs(out[i] - x[i]));
    CHECK(worst < 1e-4);
    free(out), free(x), free(scratch), free(st);
}

int main(void)
{
    test_against_spec(NC_PIX_YUV420P, 31, 13);
    test_against_spec(NC_PIX_RGB24, 17, 11);
    test_against_spec(NC_PIX_GRAY8, 9, 7);
    test_against_spec(NC_PIX_GRAY8, 1, 1);
    test_adjoint(NC_PIX_YUV420P, 31, 13);
    test_adjoint(NC_PIX_RGB24, 7, 5);
    test_adjoint(NC_PIX_GRAY8, 1, 1);
    test_adjoint(NC_PIX_GRAY8, 3, 2);
    test_solve();
    return test_result("test_nerv_filter");
}
