/* nerv's loop filter (nerv_filter.h). */
#include <string.h>

#include "codecs/nerv/nerv_filter.h"
#include "libnc/dsp/linsolve.h"

#define R NERV_FILTER_RADIUS
#define SPAN (2 * R + 1)

/* Whether plane q has 2x2 samples per position (luma, R, G, B) or one (U, V). */
static int plane_full(const NervShape *s, int q) { return s->pix_fmt != NC_PIX_YUV420P || q == 0; }

/* The channel of plane q's sample k of a position (k: 2 x row parity + column parity). */
static int plane_channel(const NervShape *s, int q, int k)
{
    switch (s->pix_fmt) {
    case NC_PIX_RGB24: return 3 * k + q;
    case NC_PIX_YUV420P: return q ? 3 + q : k;
    default: return k;
    }
}

static int plane_width(const NervShape *s, int q) { return plane_full(s, q) ? 2 * s->pw : s->pw; }
static int plane_height(const NervShape *s, int q) { return plane_full(s, q) ? 2 * s->ph : s->ph; }

size_t nerv_filter_scratch_size(const NervShape *s)
{
    size_t w = 2 * (size_t)s->pw, h = 2 * (size_t)s->ph;
    return (w + 2 * R) * (h + 2 * R) + w; /* a plane with its edges, and one row */
}

/* Row y of plane q of samples (channels x positions) into row, and back. */
static void read_row(const NervShape *s, int q, const float *samples, int y, float *row)
{
    size_t P = (size_t)s->positions;
    if (!plane_full(s, q)) {
        memcpy(row, samples + plane_channel(s, q, 0) * P + (size_t)y * s->pw, sizeof(float) * (size_t)s->pw);
        return;
    }
    const float *a = samples + plane_channel(s, q, 2 * (y & 1)) * P + (size_t)(y >> 1) * s->pw,
                *b = samples + plane_channel(s, q, 2 * (y & 1) + 1) * P + (size_t)(y >> 1) * s->pw;
    for (int x = 0; x < s->pw; x++) row[2 * x] = a[x], row[2 * x + 1] = b[x];
}

static void write_row(const NervShape *s, int q, float *samples, int y, const float *row)
{
    size_t P = (size_t)s->positions;
    if (!plane_full(s, q)) {
        memcpy(samples + plane_channel(s, q, 0) * P + (size_t)y * s->pw, row, sizeof(float) * (size_t)s->pw);
        return;
    }
    float *a = samples + plane_channel(s, q, 2 * (y & 1)) * P + (size_t)(y >> 1) * s->pw,
          *b = samples + plane_channel(s, q, 2 * (y & 1) + 1) * P + (size_t)(y >> 1) * s->pw;
    for (int x = 0; x < s->pw; x++) a[x] = row[2 * x], b[x] = row[2 * x + 1];
}

/* Plane q of samples into pad (w + 2R wide, h + 2R high), its edges repeated. */
static void pad_plane(const NervShape *s, int q, const float *samples, float *pad)
{
    int w = plane_width(s, q), h = plane_height(s, q);
    size_t stride = (size_t)w + 2 * R;
    for (int y = 0; y < h; y++) {
        float *row = pad + (size_t)(y + R) * stride + R;
        read_row(s, q, samples, y, row);
        for (int x = 0; x < R; x++) row[-1 - x] = row[0], row[w + x] = row[w - 1];
    }
    for (int y = 0; y < R; y++) {
        memcpy(pad + (size_t)y * stride, pad + (size_t)R * stride, sizeof(float) * stride);
        memcpy(pad + (size_t)(h + R + y) * stride, pad + (size_t)(h + R - 1) * stride, sizeof(float) * stride);
    }
}

void nerv_filter_plane(const NervShape *s, int q, const float *f, float *out, float *scratch)
{
    int w = plane_width(s, q), h = plane_height(s, q);
    size_t stride = (size_t)w + 2 * R;
    float *pad = scratch, *acc = scratch + stride * ((size_t)h + 2 * R);
    pad_plane(s, q, out, pad);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) acc[x] = f[NERV_FILTER_TAPS];
        for (int dy = 0; dy < SPAN; dy++)
            for (int dx = 0; dx < SPAN; dx++) {
                const float t = f[dy * SPAN + dx], *r = pad + (size_t)(y + dy) * stride + dx;
                for (int x = 0; x < w; x++) acc[x] += t * r[x];
            }
        const float *centre = pad + (size_t)(y + R) * stride + R;
        for (int x = 0; x < w; x++) acc[x] = centre[x] + acc[x];
        write_row(s, q, out, y, acc);
    }
}

/* Whether any of the n values is not 0. */
static int any_nonzero(const float *v, int n)
{
    int any = 0;
    for (int i = 0; i < n; i++) any |= v[i] != 0.0f;
    return any;
}

void nerv_filter(const NervShape *s, const float *filters, float *out, float *scratch)
{
    for (int q = 0; q < nerv_planes(s); q++) {
        const float *f = filters + (size_t)q * NERV_FILTER_VALUES;
        if (any_nonzero(f, NERV_FILTER_VALUES)) nerv_filter_plane(s, q, f, out, scratch);
    }
}

void nerv_filter_adjoint(const NervShape *s, const float *filters, float *g, float *scratch)
{
    for (int q = 0; q < nerv_planes(s); q++) {
        const float *f = filters + (size_t)q * NERV_FILTER_VALUES;
        int w = plane_width(s, q), h = plane_height(s, q);
        if (!any_nonzero(f, NERV_FILTER_TAPS)) continue; /* the bias alone passes the gradient as it is */
        size_t stride = (size_t)w + 2 * R;
        float *pad = scratch, *row = scratch + stride * ((size_t)h + 2 * R);
        memset(pad, 0, sizeof(float) * stride * ((size_t)h + 2 * R));
        /* each tap sends its output's gradient back to the sample it read */
        for (int y = 0; y < h; y++) {
            read_row(s, q, g, y, row);
            for (int dy = 0; dy < SPAN; dy++)
                for (int dx = 0; dx < SPAN; dx++) {
                    const float t = f[dy * SPAN + dx];
                    float *r = pad + (size_t)(y + dy) * stride + dx;
                    for (int x = 0; x < w; x++) r[x] += t * row[x];
                }
        }
        /* reads beyond the edge were of the edge sample */
        for (int y = 0; y < R; y++)
            for (size_t x = 0; x < stride; x++) {
                pad[(size_t)R * stride + x] += pad[(size_t)y * stride + x];
                pad[(size_t)(h + R - 1) * stride + x] += pad[(size_t)(h + R + y) * stride + x];
            }
        for (int y = R; y < h + R; y++) {
            float *r = pad + (size_t)y * stride;
            for (int x = 0; x < R; x++) r[R] += r[x], r[w + R - 1] += r[w + R + x];
        }
        for (int y = 0; y < h; y++) {
            read_row(s, q, g, y, row);
            const float *r = pad + (size_t)(y + R) * stride + R;
            for (int x = 0; x < w; x++) row[x] += r[x];
            write_row(s, q, g, y, row);
        }
    }
}

double nerv_plane_sse(const NervShape *s, int q, const float *a, const float *b)
{
    size_t P = (size_t)s->positions;
    double sse = 0;
    for (int k = 0; k < (plane_full(s, q) ? 4 : 1); k++) {
        const float *x = a + plane_channel(s, q, k) * P, *y = b + plane_channel(s, q, k) * P;
        for (size_t i = 0; i < P; i++) sse += (double)(x[i] - y[i]) * (x[i] - y[i]);
    }
    return sse;
}

void nerv_filter_stats_add(const NervShape *s, const float *out, const float *x, NervFilterStats *st,
                           float *scratch)
{
    for (int q = 0; q < nerv_planes(s); q++) {
        int w = plane_width(s, q), h = plane_height(s, q);
        size_t stride = (size_t)w + 2 * R;
        float *pad = scratch, *src = scratch + stride * ((size_t)h + 2 * R);
        double (*ff)[NERV_FILTER_VALUES] = st->ff[q], *ft = st->ft[q];
        pad_plane(s, q, out, pad);
        for (int y = 0; y < h; y++) {
            read_row(s, q, x, y, src);
            for (int px = 0; px < w; px++) {
                double f[NERV_FILTER_VALUES];
                for (int dy = 0; dy < SPAN; dy++)
                    for (int dx = 0; dx < SPAN; dx++) f[dy * SPAN + dx] = pad[(size_t)(y + dy) * stride + px + dx];
                f[NERV_FILTER_TAPS] = 1.0;
                double t = (double)src[px] - pad[(size_t)(y + R) * stride + px + R];
                for (int i = 0; i < NERV_FILTER_VALUES; i++) {
                    ft[i] += f[i] * t;
                    for (int j = i; j < NERV_FILTER_VALUES; j++) ff[i][j] += f[i] * f[j]; /* upper half */
                }
            }
        }
    }
}

void nerv_filter_solve(const NervShape *s, const NervFilterStats *st, float *filters)
{
    for (int q = 0; q < nerv_planes(s); q++) {
        double a[NERV_FILTER_VALUES][NERV_FILTER_VALUES], b[NERV_FILTER_VALUES], trace = 0;
        for (int i = 0; i < NERV_FILTER_VALUES; i++) {
            b[i] = st->ft[q][i];
            for (int j = i; j < NERV_FILTER_VALUES; j++) a[i][j] = a[j][i] = st->ff[q][i][j];
            trace += a[i][i];
        }
        /* a ridge far below the data's scale: a flat plane (neighbours all alike)
         * leaves the taps' split free, and the ridge picks the smallest */
        for (int i = 0; i < NERV_FILTER_VALUES; i++) a[i][i] += 1e-9 * trace / NERV_FILTER_VALUES + 1e-12;
        int ok = dsp_solve_spd(NERV_FILTER_VALUES, &a[0][0], NERV_FILTER_VALUES, b) == 0;
        for (int i = 0; i < NERV_FILTER_VALUES; i++) filters[q * NERV_FILTER_VALUES + i] = ok ? (float)b[i] : 0.0f;
    }
}
