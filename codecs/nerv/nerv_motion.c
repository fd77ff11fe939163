/* Global motion estimation (nerv_motion.h): for each frame the translation that
 * best maps the previous frame's luma onto it (mean absolute difference over
 * the overlap), searched coarse to fine: whole positions on a half-resolution
 * picture, then whole positions, then eighths with bilinear sampling. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/nerv/nerv_motion.h"
#include "nc/error.h"

#define COARSE_RANGE 12 /* half-resolution positions: up to 24 positions per frame */
#define MIN_OVERLAP 0.5 /* of the picture, for a shift to count */

typedef struct Plane {
    float *v;
    int w, h;
} Plane;

/* The brightness of each position: the mean of its luma (or RGB) samples. */
static void luma_of(const NervShape *s, const float *x, float *out)
{
    int nl = s->pix_fmt == NC_PIX_YUV420P ? 4 : s->channels;
    for (int p = 0; p < s->positions; p++) {
        float acc = 0;
        for (int c = 0; c < nl; c++) acc += x[(size_t)c * s->positions + p];
        out[p] = acc / (float)nl;
    }
}

static void halve(const Plane *in, Plane *out)
{
    out->w = (in->w + 1) / 2, out->h = (in->h + 1) / 2;
    for (int y = 0; y < out->h; y++)
        for (int x = 0; x < out->w; x++) {
            int x1 = 2 * x + 1 < in->w ? 2 * x + 1 : 2 * x, y1 = 2 * y + 1 < in->h ? 2 * y + 1 : 2 * y;
            out->v[y * out->w + x] = 0.25f * (in->v[2 * y * in->w + 2 * x] + in->v[2 * y * in->w + x1] +
                                              in->v[y1 * in->w + 2 * x] + in->v[y1 * in->w + x1]);
        }
}

/* Mean |cur(p) - prev(p + d)| over the positions where p + d is inside, d in
 * 1/8 position (bilinear between positions); INFINITY when they overlap too little. */
static double cost(const Plane *cur, const Plane *prev, int dx8, int dy8)
{
    int ix = dx8 >= 0 ? dx8 / 8 : -((-dx8 + 7) / 8), iy = dy8 >= 0 ? dy8 / 8 : -((-dy8 + 7) / 8);
    float fx = (float)(dx8 - 8 * ix) / 8, fy = (float)(dy8 - 8 * iy) / 8;
    int x0 = ix < 0 ? -ix : 0, x1 = cur->w - 1 - ix < cur->w ? cur->w - 1 - ix : cur->w;
    int y0 = iy < 0 ? -iy : 0, y1 = cur->h - 1 - iy < cur->h ? cur->h - 1 - iy : cur->h;
    if (x1 > cur->w) x1 = cur->w;
    if (y1 > cur->h) y1 = cur->h;
    if (x1 <= x0 || y1 <= y0 || (double)(x1 - x0) * (y1 - y0) < MIN_OVERLAP * cur->w * cur->h)
        return INFINITY;
    double acc = 0;
    for (int y = y0; y < y1; y++) {
        const float *c = cur->v + (size_t)y * cur->w, *r0 = prev->v + (size_t)(y + iy) * prev->w + ix,
                    *r1 = r0 + prev->w;
        for (int x = x0; x < x1; x++) {
            float top = r0[x] + fx * (r0[x + 1] - r0[x]), bot = r1[x] + fx * (r1[x + 1] - r1[x]);
            acc += fabsf(c[x] - (top + fy * (bot - top)));
        }
    }
    return acc / ((double)(x1 - x0) * (y1 - y0));
}

/* The best d (1/8 units) in a square of `radius` steps of `step` around (*dx, *dy). */
static void search(const Plane *cur, const Plane *prev, int *dx, int *dy, int radius, int step)
{
    int bx = *dx, by = *dy;
    double best = cost(cur, prev, bx, by);
    for (int y = -radius; y <= radius; y++)
        for (int x = -radius; x <= radius; x++) {
            double c = cost(cur, prev, *dx + x * step, *dy + y * step);
            if (c < best) best = c, bx = *dx + x * step, by = *dy + y * step;
        }
    *dx = bx, *dy = by;
}

/* The step (1/8 position) that maps frame b's luma onto frame a's (planes of
 * both at full and half resolution). */
static void step_between(const Plane *fa, const Plane *ha, const Plane *fb, const Plane *hb,
                         int *dx, int *dy)
{
    *dx = *dy = 0;
    search(ha, hb, dx, dy, COARSE_RANGE, 8);
    *dx *= 2, *dy *= 2;
    search(fa, fb, dx, dy, 1, 8);
    search(fa, fb, dx, dy, 4, 1);
}

void nerv_estimate_motion(const NervShape *s, const float *x, int n, const float *prev,
                          const int32_t start[2], int32_t *motion)
{
    memset(motion, 0, sizeof(int32_t) * 2 * (size_t)n);
    size_t P = (size_t)s->positions;
    size_t hp = (size_t)((s->pw + 1) / 2) * ((s->ph + 1) / 2);
    float *buf = malloc(sizeof(float) * 2 * (P + hp + 1));
    if (!buf) return; /* no motion: still a valid (if larger) segment */
    Plane full[2] = {{buf, s->pw, s->ph}, {buf + P, s->pw, s->ph}};
    Plane half[2] = {{buf + 2 * P, 0, 0}, {buf + 2 * P + hp, 0, 0}};
    luma_of(s, x, full[0].v);
    halve(&full[0], &half[0]);
    if (prev) { /* frame 0 goes on from the frame before */
        luma_of(s, prev, full[1].v);
        halve(&full[1], &half[1]);
        int dx, dy;
        step_between(&full[0], &half[0], &full[1], &half[1], &dx, &dy);
        int64_t mx = (int64_t)start[0] + dx, my = (int64_t)start[1] + dy;
        motion[0] = (int32_t)(mx > NERV_MOTION_LIMIT    ? NERV_MOTION_LIMIT
                              : mx < -NERV_MOTION_LIMIT ? -NERV_MOTION_LIMIT
                                                        : mx);
        motion[1] = (int32_t)(my > NERV_MOTION_LIMIT    ? NERV_MOTION_LIMIT
                              : my < -NERV_MOTION_LIMIT ? -NERV_MOTION_LIMIT
                                                        : my);
    }
    for (int f = 1; f < n; f++) {
        int cur = f & 1, prv = cur ^ 1;
        luma_of(s, x + (size_t)f * s->channels * P, full[cur].v);
        halve(&full[cur], &half[cur]);
        int dx, dy;
        step_between(&full[cur], &half[cur], &full[prv], &half[prv], &dx, &dy);
        for (int a = 0; a < 2; a++) { /* the spread around frame 0 within half the limit */
            int32_t m = motion[2 * (f - 1) + a] + (a ? dy : dx), lim = nerv_max_motion(s, a) / 2;
            int32_t lo = motion[a] - lim, hi = motion[a] + lim;
            motion[2 * f + a] = m > hi ? hi : m < lo ? lo : m;
        }
    }
    free(buf);
}

/* Local motion (nerv_estimate_local). */
#define LOCAL_RANGE 2        /* whole positions searched around the neighbour's vector */
#define LOCAL_FINE 3         /* then quarter positions around the best */
#define LOCAL_COST 0.005     /* per position of offset, in mean absolute luma difference */

/* p's brightness at (x8, y8) in 1/8 position, bilinear, clamped at the edges. */
static float sample_at(const Plane *p, int x8, int y8)
{
    int ix = (int)nerv_floor_div(x8, 8), iy = (int)nerv_floor_div(y8, 8);
    float fx = (float)(x8 - 8 * ix) / 8, fy = (float)(y8 - 8 * iy) / 8;
    int x0 = ix < 0 ? 0 : ix >= p->w ? p->w - 1 : ix, x1 = ix + 1 < 0 ? 0 : ix + 1 >= p->w ? p->w - 1 : ix + 1;
    int y0 = iy < 0 ? 0 : iy >= p->h ? p->h - 1 : iy, y1 = iy + 1 < 0 ? 0 : iy + 1 >= p->h ? p->h - 1 : iy + 1;
    const float *r0 = p->v + (size_t)y0 * p->w, *r1 = p->v + (size_t)y1 * p->w;
    float top = r0[x0] + fx * (r0[x1] - r0[x0]), bot = r1[x0] + fx * (r1[x1] - r1[x0]);
    return top + fy * (bot - top);
}

/* The bits a change of d quarter positions from the neighbour's vector costs,
 * roughly (the coded changes' logistic is sharp about 0). */
static double change_bits(int d) { return d ? 2 * log2(1 + abs(d)) : 0; }

/* Mean |cur - mid moved by (gx + 2 vx, gy + 2 vy) / 8| over a block, plus the
 * vector's cost: an offset's (flat or still blocks keep none) and, at bit_cost
 * per bit, its change from the neighbour's (nx, ny); (gx, gy): the global step
 * in 1/8, the vectors in 1/4. */
static double block_cost(const Plane *cur, const Plane *mid, int x0, int y0, int b, int gx, int gy,
                         int vx, int vy, int nx, int ny, double bit_cost)
{
    double acc = 0;
    int count = 0;
    for (int y = y0; y < y0 + b && y < cur->h; y++)
        for (int x = x0; x < x0 + b && x < cur->w; x++, count++)
            acc += fabsf(cur->v[(size_t)y * cur->w + x] -
                         sample_at(mid, 8 * x + gx + 2 * vx, 8 * y + gy + 2 * vy));
    return acc / count + LOCAL_COST * (abs(vx) + abs(vy)) / 4.0 +
           bit_cost * (change_bits(vx - nx) + change_bits(vy - ny));
}

int nerv_estimate_local(const NervShape *s, const float *x, int n, const int32_t *motion,
                        int block_log2, double bit_cost, int32_t *v, double *saving)
{
    NervLocal loc;
    nerv_local_init(&loc, s, block_log2);
    size_t P = (size_t)s->positions, per = (size_t)loc.bw * loc.bh * 2;
    int b = 1 << block_log2, c = n / 2;
    float *buf = malloc(sizeof(float) * 2 * P);
    if (!buf) return NC_ENOMEM;
    double saved = 0;
    Plane mid = {buf, s->pw, s->ph}, cur = {buf + P, s->pw, s->ph};
    luma_of(s, x + (size_t)c * s->channels * P, mid.v);
    memset(v, 0, sizeof(int32_t) * per * (size_t)n);
    for (int k = 0; k < n - 1; k++) { /* from the middle outward, as they are coded */
        int f = k < c ? c - 1 - k : k + 1, nb = f < c ? f + 1 : f - 1;
        luma_of(s, x + (size_t)f * s->channels * P, cur.v);
        int gx = motion[2 * f] - motion[2 * c], gy = motion[2 * f + 1] - motion[2 * c + 1];
        for (int by = 0; by < loc.bh; by++)
            for (int bx = 0; bx < loc.bw; bx++) {
                size_t i = ((size_t)by * loc.bw + bx) * 2;
                const int32_t *start = v + (size_t)nb * per + i;
                int best_x = 0, best_y = 0;
                double none = block_cost(&cur, &mid, bx * b, by * b, b, gx, gy, 0, 0, 0, 0, 0);
                double best = none + bit_cost * (change_bits(start[0]) + change_bits(start[1]));
                for (int pass = 0; pass < 2; pass++) {
                    int cx = pass ? best_x : start[0], cy = pass ? best_y : start[1];
                    int range = pass ? LOCAL_FINE : LOCAL_RANGE, step = pass ? 1 : 4;
                    for (int dy = -range; dy <= range; dy++)
                        for (int dx = -range; dx <= range; dx++) {
                            int vx = cx + dx * step, vy = cy + dy * step;
                            if (abs(vx) > nerv_max_local(s, 0) || abs(vy) > nerv_max_local(s, 1)) continue;
                            double cost = block_cost(&cur, &mid, bx * b, by * b, b, gx, gy, vx, vy,
                                                     start[0], start[1], bit_cost);
                            if (cost < best) best = cost, best_x = vx, best_y = vy;
                        }
                }
                v[(size_t)f * per + i] = best_x, v[(size_t)f * per + i + 1] = best_y;
                saved += none - best;
            }
    }
    free(buf);
    *saving = n > 1 ? saved / ((double)(n - 1) * loc.bw * loc.bh) : 0;
    return 0;
}
