/* The detail layer (nerv_detail.h; spec §7). */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/nerv/nerv_detail.h"
#include "nc/error.h"

#define CTX_RATE 6 /* the contexts follow a segment's statistics within a few hundred bins */

/* HEVC's 8-point integer DCT: about 64 sqrt(8) times the orthonormal DCT, row k
 * frequency k. */
static const int8_t dct8[8][8] = {
    {64, 64, 64, 64, 64, 64, 64, 64},     {89, 75, 50, 18, -18, -50, -75, -89},
    {83, 36, -36, -83, -83, -36, 36, 83}, {75, -18, -89, -50, 50, 89, 18, -75},
    {64, -64, -64, 64, 64, -64, -64, 64}, {50, -89, 18, 75, -75, -18, 89, -50},
    {36, -83, 83, -36, -36, 83, -83, 36}, {18, -50, 75, -89, 89, -75, 50, -18},
};

static const uint8_t zigzag[64] = {
    0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,  12, 19, 26, 33, 40, 48,
    41, 34, 27, 20, 13, 6,  7,  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23,
    30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
};

/* Interpolation (spec §7): per phase (the fraction of a pixel) the taps, applied
 * from `first` pixels before the moved position along rows, then along columns;
 * the sum over both is shifted right by `shift` with rounding. Version 6 reads
 * bilinearly; version 7 with HEVC's 8-tap (quarter pixels) and 4-tap (eighths,
 * YUV420P's chroma) filters, which keep the texture a bilinear read blurs: on
 * the train clip `city` they cut the stream by 12-26% at higher PSNR (README,
 * "Interpolation filters"). */
typedef struct Filter {
    int taps, first, shift;
    int8_t h[8][8]; /* [phase][tap] */
} Filter;

static const Filter bilinear[2] = { /* by sub: quarter pixels, eighths */
    {2, 0, 4, {{4, 0}, {3, 1}, {2, 2}, {1, 3}}},
    {2, 0, 6, {{8, 0}, {7, 1}, {6, 2}, {5, 3}, {4, 4}, {3, 5}, {2, 6}, {1, 7}}},
};

static const Filter sharp[2] = {
    {8, 3, 12,
     {{0, 0, 0, 64, 0, 0, 0, 0},
      {-1, 4, -10, 58, 17, -5, 1, 0},
      {-1, 4, -11, 40, 40, -11, 4, -1},
      {0, 1, -5, 17, 58, -10, 4, -1}}},
    {4, 1, 12,
     {{0, 64, 0, 0},
      {-2, 58, 10, -2},
      {-4, 54, 16, -2},
      {-6, 46, 28, -4},
      {-4, 36, 36, -4},
      {-4, 28, 46, -6},
      {-2, 16, 54, -4},
      {-2, 10, 58, -2}}},
};

/* A picture plane of a frame: pixel (x, y) at p[y * stride + x * step]. */
typedef struct Plane {
    uint8_t *p;
    int stride, step, w, h, sub; /* sub: log2 of plane 0's pixels per pixel here */
    const Filter *filter;        /* its reads at moved positions */
} Plane;

static int planes_of(const NervShape *s, const NCFrame *f, Plane pl[3])
{
    int n = nerv_planes(s);
    for (int c = 0; c < n; c++) {
        Plane *q = &pl[c];
        int yuv_chroma = s->pix_fmt == NC_PIX_YUV420P && c > 0;
        q->sub = yuv_chroma;
        q->w = yuv_chroma ? (s->width + 1) >> 1 : s->width;
        q->h = yuv_chroma ? (s->height + 1) >> 1 : s->height;
        if (s->pix_fmt == NC_PIX_RGB24) {
            q->p = f->data[0] + c, q->stride = f->linesize[0], q->step = 3;
        } else {
            q->p = f->data[c], q->stride = f->linesize[c], q->step = 1;
        }
        q->filter = s->version >= 7 ? &sharp[q->sub] : &bilinear[q->sub];
    }
    return n;
}

static inline uint8_t *px(const Plane *q, int x, int y)
{
    return q->p + (ptrdiff_t)y * q->stride + (ptrdiff_t)x * q->step;
}

static inline int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

static inline int clamp_coord(int64_t v, int n) { return (int)(v < 0 ? 0 : v >= n ? n - 1 : v); }

/* Plane q's w x h pixels from (x0, y0) (w, h at most 16), each moved by v (quarter
 * pixels of plane 0, 1/(4 << sub) of a pixel here), into out (row stride os): the
 * filter's reads, the edge repeated outside (spec §7). The vector's fraction is
 * the same for every pixel of the block, so are the taps. */
static void moved_block(const Plane *q, int x0, int y0, int w, int h, const int32_t v[2], int *out,
                        int os)
{
    const Filter *f = q->filter;
    int k = 2 + q->sub;
    int64_t ax = (int64_t)x0 * (1 << k) + v[0], ay = (int64_t)y0 * (1 << k) + v[1];
    int64_t ix = nerv_floor_shift(ax, k), iy = nerv_floor_shift(ay, k); /* may be negative: no shift */
    int fx = (int)(ax - ix * (1 << k)), fy = (int)(ay - iy * (1 << k));
    if (!fx && !fy) { /* the filters' whole-pixel phase is the pixel itself */
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                out[y * os + x] = *px(q, clamp_coord(ix + x, q->w), clamp_coord(iy + y, q->h));
        return;
    }
    int n = f->taps, line[16 + 7];
    int32_t rows[(16 + 7) * 16];
    for (int r = 0; r < h + n - 1; r++) {
        int yc = clamp_coord(iy - f->first + r, q->h);
        for (int i = 0; i < w + n - 1; i++) line[i] = *px(q, clamp_coord(ix - f->first + i, q->w), yc);
        for (int x = 0; x < w; x++) {
            int32_t acc = 0;
            for (int t = 0; t < n; t++) acc += f->h[fx][t] * line[x + t];
            rows[r * w + x] = acc;
        }
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int64_t acc = (int64_t)1 << (f->shift - 1);
            for (int t = 0; t < n; t++) acc += f->h[fy][t] * rows[(y + t) * w + x];
            out[y * os + x] = clampi((int)nerv_floor_shift(acc, f->shift), 0, 255);
        }
}

/* Levels (raster order) times the step -> residual: two passes of the integer
 * DCT's transpose, rounding after each (spec §7). */
static void inverse_dct(const int32_t *level, int step, int32_t *r)
{
    int64_t t[64];
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++) {
            int64_t acc = 0;
            for (int k = 0; k < 8; k++) acc += (int64_t)dct8[k][i] * level[k * 8 + j] * step;
            t[i * 8 + j] = nerv_floor_shift(acc + 64, 7);
        }
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++) {
            int64_t acc = 0;
            for (int k = 0; k < 8; k++) acc += t[i * 8 + k] * dct8[k][j];
            r[i * 8 + j] = (int32_t)nerv_floor_shift(acc + 2048, 12);
        }
}

/* ---- syntax, shared by coding, counting and decoding ---- */

typedef struct Coder {
    RCEncoder *enc; /* coding */
    RCDecoder *dec; /* decoding */
    double bits;    /* neither: counting, the contexts left as they are */
} Coder;

/* -log2 of a 16-bit probability, by its top 12 bits (the middle of each step):
 * counting runs for every level tried, and a table is fast enough for that.
 * Filled once (encoder_tables). */
static float cost_table[4096];

static double bin_cost(uint32_t p0, int bit)
{
    uint32_t p = p0 >> RC_BIN_SHIFT;
    return cost_table[(bit ? 65536 - p : p) >> 4];
}

static int bin(Coder *c, RCBinContext *ctx, int bit)
{
    if (c->dec) return rc_decode_bin(c->dec, ctx);
    if (c->enc)
        rc_encode_bin(c->enc, ctx, bit);
    else
        c->bits += bin_cost(ctx->p0, bit);
    return bit;
}

static int bypass(Coder *c, int bit)
{
    if (c->dec) return (int)rc_decode_bits(c->dec, 1);
    if (c->enc)
        rc_encode_bits(c->enc, (uint32_t)bit, 1);
    else
        c->bits += 1;
    return bit;
}

static int failed(const Coder *c) { return c->dec && c->dec->error; }

/* v in 0 .. max: its class n = floor(log2(v + 1)) in unary (bins cls[min(i, last)],
 * none after the largest class max allows), then n bypass bits of v + 1 - 2^n.
 * Decoding a value over max sets the decoder's error. */
static uint32_t code_uint(Coder *c, RCBinContext *cls, uint32_t v, uint32_t max)
{
    int nmax = 0;
    while (nmax < 31 && ((uint64_t)2 << nmax) - 1 <= max) nmax++;
    int n = 0;
    if (!c->dec)
        while (((uint64_t)2 << n) - 1 <= v) n++;
    int k = 0;
    while (k < nmax) {
        int more = bin(c, &cls[k < NERV_DETAIL_CLASS_CTX ? k : NERV_DETAIL_CLASS_CTX - 1], k < n);
        if (!more) break;
        k++;
    }
    uint64_t rest = 0;
    for (int b = k - 1; b >= 0; b--) rest = rest << 1 | (uint64_t)bypass(c, (int)((v + 1 - (1u << k)) >> b) & 1);
    uint64_t out = ((uint64_t)1 << k) - 1 + rest;
    if (out > max) {
        if (c->dec) c->dec->error = NC_EINVALIDDATA;
        return 0;
    }
    return (uint32_t)out;
}

static int32_t code_signed(Coder *c, NervDetailContexts *x, int a, int32_t v, uint32_t max)
{
    if (!bin(c, &x->vzero[a], v != 0)) return 0;
    int neg = bin(c, &x->vsign[a], v < 0);
    uint32_t m = code_uint(c, x->vclass[a], (uint32_t)(v < 0 ? -(int64_t)v : v) - 1, max - 1) + 1;
    return neg ? -(int32_t)m : (int32_t)m;
}

static int code_mode(Coder *c, NervDetailContexts *x, int m, int near)
{
    if (!bin(c, &x->mode_on[near], m > 0)) return 0;
    int hi = bin(c, &x->mode_hi[0], m >= 3);            /* m - 1 = 2 hi + lo */
    int lo = bin(c, &x->mode_lo[hi], m == 2 || m == 4);
    return 1 + 2 * hi + lo;
}

static inline int sig_ctx(int k) { return k < 8 ? k : 8 + ((k - 8) >> 3); }
static inline int zone(int k) { return k < 3 ? 0 : k < 10 ? 1 : 2; }

/* One 8 x 8 block's levels (raster order): its flag, then where the levels are
 * (zigzag order, each position's "significant" and, for one, "last"), then their
 * magnitudes and signs. Returns whether any level is nonzero. */
static int code_levels(Coder *c, NervDetailContexts *x, int kind, int inter, int32_t *level)
{
    int last = -1;
    if (!c->dec)
        for (int k = 0; k < 64; k++)
            if (level[zigzag[k]]) last = k;
    if (!bin(c, &x->cbf[kind][inter], last >= 0)) {
        if (c->dec) memset(level, 0, sizeof(int32_t) * 64);
        return 0;
    }
    uint8_t sig[64] = {0};
    int end = 63;
    for (int k = 0; k < 63; k++) {
        sig[k] = (uint8_t)bin(c, &x->sig[kind][sig_ctx(k)], c->dec ? 0 : level[zigzag[k]] != 0);
        if (sig[k] && bin(c, &x->last[kind][sig_ctx(k)], k == last)) {
            end = k;
            break;
        }
        if (failed(c)) return 0;
    }
    if (end == 63) sig[63] = 1;
    int big = 0;
    for (int k = 0; k <= end; k++) {
        int32_t *l = &level[zigzag[k]];
        if (!sig[k]) {
            if (c->dec) *l = 0;
            continue;
        }
        uint32_t a = c->dec ? 0 : (uint32_t)abs(*l);
        uint32_t m = 1;
        if (bin(c, &x->gt1[kind][zone(k)][big < 2 ? big : 2], a > 1)) {
            m = 2;
            big++;
            if (bin(c, &x->gt2[kind][zone(k)], a > 2))
                m = 3 + code_uint(c, x->rclass[kind], a - 3, NERV_DETAIL_MAX_LEVEL - 3);
        }
        int neg = bypass(c, !c->dec && *l < 0);
        if (c->dec) *l = neg ? -(int32_t)m : (int32_t)m;
        if (failed(c)) return 0;
    }
    if (c->dec)
        for (int k = end + 1; k < 64; k++) level[zigzag[k]] = 0;
    return 1;
}

/* ---- state ---- */

int nerv_detail_alloc(NervDetail *d, const NervShape *s)
{
    memset(d, 0, sizeof(*d));
    int b = 1 << NERV_DETAIL_BLOCK_LOG2;
    d->bw = (s->width + b - 1) / b;
    d->bh = (s->height + b - 1) / b;
    d->mode = malloc((size_t)d->bw * d->bh);
    d->vec = malloc(sizeof(int32_t) * 2 * (size_t)d->bw * d->bh);
    return d->mode && d->vec ? 0 : NC_ENOMEM;
}

void nerv_detail_free(NervDetail *d)
{
    free(d->mode), free(d->vec);
    d->mode = NULL, d->vec = NULL;
}

static void contexts_init(NervDetailContexts *x)
{
    RCBinContext *all = (RCBinContext *)x;
    for (size_t i = 0; i < sizeof(*x) / sizeof(RCBinContext); i++) rc_bin_init(&all[i], CTX_RATE);
}

void nerv_detail_start(NervDetail *d, int on, int step)
{
    d->on = on;
    d->step = step;
    contexts_init(&d->ctx);
}

int nerv_detail_step_for(double lambda)
{
    /* At high rate a uniform quantizer of step D costs D^2 / 12 per coefficient
     * and each halving of D a bit: lambda = 2 ln 2 D^2 / 12 (README, "Detail layer"). */
    double step = sqrt(lambda * 12.0 / (2.0 * M_LN2));
    long s16 = lround(step * 16.0);
    return (int)(s16 < 1 ? 1 : s16 > 65535 ? 65535 : s16);
}

void nerv_detail_write_header(const NervDetail *d, RCEncoder *enc)
{
    rc_encode_bits(enc, (uint32_t)d->on, 1);
    if (d->on) rc_encode_bits(enc, (uint32_t)d->step, 16);
}

int nerv_detail_read_header(NervDetail *d, RCDecoder *dec)
{
    int on = (int)rc_decode_bits(dec, 1), step = on ? (int)rc_decode_bits(dec, 16) : 0;
    if (on && !step) return NC_EINVALIDDATA;
    nerv_detail_start(d, on, step);
    return dec->error;
}

void nerv_detail_global(const int32_t from[2], const int32_t to[2], int32_t g[2])
{
    /* 1/8 of a position is a quarter of a pixel */
    for (int a = 0; a < 2; a++) g[a] = to[a] - from[a];
}

/* The largest |vector component|: a frame's size, in quarter pixels. */
static int32_t max_vec(const NervShape *s, int a) { return 4 * (a ? s->height : s->width); }

/* The vector block (bx, by) is coded against: its left neighbour's if that one
 * is moved, else its upper neighbour's, else the global motion (clamped). */
static void vec_pred(const NervDetail *d, const NervShape *s, int bx, int by, const int32_t g[2],
                     int32_t out[2])
{
    int i = by * d->bw + bx;
    const int32_t *src = NULL;
    if (bx > 0 && d->mode[i - 1]) src = &d->vec[2 * (i - 1)];
    else if (by > 0 && d->mode[i - d->bw]) src = &d->vec[2 * (i - d->bw)];
    for (int a = 0; a < 2; a++) {
        int32_t m = max_vec(s, a), v = src ? src[a] : g[a];
        out[a] = v < -m ? -m : v > m ? m : v;
    }
}

static int near_moved(const NervDetail *d, int bx, int by)
{
    int i = by * d->bw + bx;
    return (bx > 0 && d->mode[i - 1]) + (by > 0 && d->mode[i - d->bw]);
}

/* Block (bx, by) of plane q: its first pixel and size (within the plane). */
static void block_rect(const Plane *q, int bx, int by, int *x0, int *y0, int *w, int *h)
{
    int b = (1 << NERV_DETAIL_BLOCK_LOG2) >> q->sub;
    *x0 = bx * b, *y0 = by * b;
    *w = *x0 + b <= q->w ? b : q->w - *x0;
    *h = *y0 + b <= q->h ? b : q->h - *y0;
}

/* Block (bx, by) of the frame before's plane q moved by v, into r (its b x b layout). */
static void moved_of(const Plane *prev, int bx, int by, const int32_t v[2], int *r)
{
    int x0, y0, w, h, b = (1 << NERV_DETAIL_BLOCK_LOG2) >> prev->sub;
    block_rect(prev, bx, by, &x0, &y0, &w, &h);
    moved_block(prev, x0, y0, w, h, v, r, b);
}

/* The prediction of block (bx, by) of plane q into pred (its b x b layout), from
 * the network's picture and, when m > 0, the moved block r (moved_of). */
static void predict(const Plane *cur, const int *r, int bx, int by, int m, int *pred)
{
    int x0, y0, w, h, b = (1 << NERV_DETAIL_BLOCK_LOG2) >> cur->sub;
    block_rect(cur, bx, by, &x0, &y0, &w, &h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int n = *px(cur, x0 + x, y0 + y);
            pred[y * b + x] = m ? (n * (4 - m) + r[y * b + x] * m + 2) >> 2 : n;
        }
}

/* Adds the residual of the transform blocks in `level` (one per 8 x 8 of the
 * block, raster order) to pred and writes the block into the plane. */
static void reconstruct(Plane *cur, int bx, int by, const int *pred, const int32_t *level,
                        const uint8_t *coded, int step)
{
    int x0, y0, w, h, b = (1 << NERV_DETAIL_BLOCK_LOG2) >> cur->sub, tb = b / 8;
    block_rect(cur, bx, by, &x0, &y0, &w, &h);
    int32_t r[64];
    for (int t = 0; t < tb * tb; t++) {
        int tx = (t % tb) * 8, ty = (t / tb) * 8;
        if (tx >= w || ty >= h) continue;
        if (coded[t])
            inverse_dct(level + 64 * t, step, r);
        else
            memset(r, 0, sizeof(r));
        for (int y = ty; y < ty + 8 && y < h; y++)
            for (int x = tx; x < tx + 8 && x < w; x++)
                *px(cur, x0 + x, y0 + y) = (uint8_t)clampi(pred[y * b + x] + r[(y - ty) * 8 + x - tx], 0, 255);
    }
}

/* Transform blocks of block (bx, by) in plane q that lie in the plane. */
static int transform_in(const Plane *q, int bx, int by, int t)
{
    int x0, y0, w, h, tb = ((1 << NERV_DETAIL_BLOCK_LOG2) >> q->sub) / 8;
    block_rect(q, bx, by, &x0, &y0, &w, &h);
    return (t % tb) * 8 < w && (t / tb) * 8 < h;
}

int nerv_detail_decode_frame(NervDetail *d, RCDecoder *dec, const NervShape *s, NCFrame *cur,
                             const NCFrame *prev, const int32_t g[2])
{
    if (!d->on) return 0;
    Plane pc[3], pp[3];
    int np = planes_of(s, cur, pc);
    if (prev) planes_of(s, prev, pp);
    Coder c = {.dec = dec};
    int pred[256], moved[256];
    int32_t level[4 * 64];
    uint8_t coded[4];
    for (int by = 0; by < d->bh; by++)
        for (int bx = 0; bx < d->bw; bx++) {
            int i = by * d->bw + bx;
            int m = prev ? code_mode(&c, &d->ctx, 0, near_moved(d, bx, by)) : 0;
            d->mode[i] = (uint8_t)m;
            int32_t *v = &d->vec[2 * i];
            v[0] = v[1] = 0;
            if (m) {
                int32_t pv[2];
                vec_pred(d, s, bx, by, g, pv);
                for (int a = 0; a < 2; a++) {
                    int32_t lim = max_vec(s, a);
                    v[a] = pv[a] + code_signed(&c, &d->ctx, a, 0, 2 * (uint32_t)lim);
                    if (v[a] < -lim || v[a] > lim) return NC_EINVALIDDATA;
                }
            }
            if (failed(&c)) return dec->error;
            for (int p = 0; p < np; p++) {
                int tb = ((1 << NERV_DETAIL_BLOCK_LOG2) >> pc[p].sub) / 8;
                if (m) moved_of(&pp[p], bx, by, v, moved);
                predict(&pc[p], moved, bx, by, m, pred);
                for (int t = 0; t < tb * tb; t++) {
                    coded[t] = transform_in(&pc[p], bx, by, t) &&
                               code_levels(&c, &d->ctx, p > 0, m > 0, level + 64 * t);
                    if (failed(&c)) return dec->error;
                }
                reconstruct(&pc[p], bx, by, pred, level, coded, d->step);
            }
        }
    return dec->error;
}

/* ---- the encoder's choices ---- */

static double cos_table[8][8]; /* the orthonormal DCT, row k frequency k */
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

/* The encoder's tables, filled once for every context and thread. */
static void encoder_tables(void)
{
    for (int k = 0; k < 8; k++)
        for (int n = 0; n < 8; n++)
            cos_table[k][n] = (k ? sqrt(0.25) : sqrt(0.125)) * cos(M_PI * (2 * n + 1) * k / 16.0);
    for (int i = 0; i < 4096; i++) cost_table[i] = (float)-log2((i * 16 + 8) / 65536.0);
}

static void forward_dct(const double *r, double *c)
{
    double t[64];
    for (int k = 0; k < 8; k++)
        for (int j = 0; j < 8; j++) {
            double acc = 0;
            for (int n = 0; n < 8; n++) acc += cos_table[k][n] * r[n * 8 + j];
            t[k * 8 + j] = acc;
        }
    for (int k = 0; k < 8; k++)
        for (int l = 0; l < 8; l++) {
            double acc = 0;
            for (int n = 0; n < 8; n++) acc += t[k * 8 + n] * cos_table[l][n];
            c[k * 8 + l] = acc;
        }
}

/* What one choice of mode and vector for a block costs, and its levels. */
typedef struct Choice {
    int m;
    int32_t v[2];
    double cost;
    int pred[3][256];
    int32_t level[3][4 * 64];
    uint8_t coded[3][4];
} Choice;

#define ROUNDING 0.5 /* to the nearest level; lower_levels then lowers them where that pays */

static double levels_bits(NervDetailContexts *x, int kind, int inter, int32_t *l)
{
    Coder cnt = {0};
    code_levels(&cnt, x, kind, inter, l);
    return cnt.bits;
}

/* Rate-distortion optimized quantization, greedily: from the last level toward
 * the first, each nonzero level is lowered by one (to zero from one) where
 * that lowers D + lambda R of the transform block, the bits counted with the
 * contexts as they are. c: coefficients in steps; d: their error so far. */
static double lower_levels(NervDetailContexts *x, int kind, int inter, double lambda,
                           const double *c, int32_t *l, double *d)
{
    double bits = levels_bits(x, kind, inter, l);
    for (int k = 63; k >= 0; k--) {
        int32_t *v = &l[zigzag[k]];
        if (!*v) continue;
        double a = c[zigzag[k]];
        int32_t was = *v, lower = was > 0 ? was - 1 : was + 1;
        double e0 = a - was, e1 = a - lower, dd = e1 * e1 - e0 * e0;
        *v = lower;
        double b = levels_bits(x, kind, inter, l);
        if (dd + lambda * (b - bits) < 0)
            *d += dd, bits = b;
        else
            *v = was;
    }
    return bits;
}

/* Quantizes the residual of each transform block of one plane's block, deciding
 * per transform block between its levels and none by cost; returns D + lambda R. */
static double code_plane(const Plane *cur, const Plane *src, const int *pred, int bx, int by,
                         NervDetailContexts *x, int kind, int inter, int step, double lambda,
                         int32_t *level, uint8_t *coded)
{
    int x0, y0, w, h, b = (1 << NERV_DETAIL_BLOCK_LOG2) >> cur->sub, tb = b / 8;
    block_rect(cur, bx, by, &x0, &y0, &w, &h);
    double delta = step / 16.0, total = 0;
    double lambda_steps = lambda / (delta * delta); /* lambda on errors in steps */
    for (int t = 0; t < tb * tb; t++) {
        int tx = (t % tb) * 8, ty = (t / tb) * 8;
        int32_t *l = level + 64 * t;
        coded[t] = 0;
        if (tx >= w || ty >= h) continue;
        double r[64], c[64];
        for (int y = 0; y < 8; y++)
            for (int xx = 0; xx < 8; xx++) {
                int X = tx + xx, Y = ty + y;
                r[y * 8 + xx] = X < w && Y < h ? *px(src, x0 + X, y0 + Y) - pred[Y * b + X] : 0;
            }
        forward_dct(r, c);
        double d_zero = 0, d_coded = 0;
        int any = 0;
        for (int k = 0; k < 64; k++) {
            c[k] /= delta;
            double a = fabs(c[k]);
            int32_t q = (int32_t)(a + ROUNDING);
            if (q > NERV_DETAIL_MAX_LEVEL) q = NERV_DETAIL_MAX_LEVEL;
            l[k] = c[k] < 0 ? -q : q;
            any |= q != 0;
            d_zero += c[k] * c[k];
            double e = c[k] - l[k];
            d_coded += e * e;
        }
        double j_coded = INFINITY;
        if (any) {
            double bits = lower_levels(x, kind, inter, lambda_steps, c, l, &d_coded);
            j_coded = (d_coded + lambda_steps * bits) * delta * delta;
        }
        int32_t none[64] = {0};
        double j_zero = (d_zero + lambda_steps * levels_bits(x, kind, inter, none)) * delta * delta;
        if (j_coded < j_zero) {
            coded[t] = 1;
            total += j_coded;
        } else {
            memset(l, 0, sizeof(int32_t) * 64);
            total += j_zero;
        }
    }
    return total;
}

static double sad_at(const Plane *src, const Plane *prev, int bx, int by, const int32_t v[2])
{
    int x0, y0, w, h;
    block_rect(src, bx, by, &x0, &y0, &w, &h);
    int r[256], sad = 0;
    moved_block(prev, x0, y0, w, h, v, r, w);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) sad += abs(*px(src, x0 + x, y0 + y) - r[y * w + x]);
    return sad;
}

static double vec_bits(const int32_t v[2], const int32_t pv[2])
{
    double b = 0;
    for (int a = 0; a < 2; a++) b += v[a] == pv[a] ? 1 : 3 + 2 * log2(1 + abs(v[a] - pv[a]));
    return b;
}

/* Block matching on plane 0: whole pixels around the prediction and the global
 * motion, then quarters around the best, each vector charged its rough bits. */
static void search(const NervShape *s, const Plane *src, const Plane *prev, int bx, int by,
                   const int32_t pv[2], const int32_t g[2], double lambda_sad, int32_t best[2])
{
    const int radius = 6;
    double best_cost = INFINITY;
    const int32_t *centre[2] = {pv, g};
    for (int ci = 0; ci < 2; ci++) {
        int cx = (int)nerv_floor_shift(centre[ci][0] + 2, 2), cy = (int)nerv_floor_shift(centre[ci][1] + 2, 2);
        for (int dy = -radius; dy <= radius; dy++)
            for (int dx = -radius; dx <= radius; dx++) {
                int32_t v[2] = {4 * (cx + dx), 4 * (cy + dy)};
                if (abs(v[0]) > max_vec(s, 0) || abs(v[1]) > max_vec(s, 1)) continue;
                double cost = sad_at(src, prev, bx, by, v) + lambda_sad * vec_bits(v, pv);
                if (cost < best_cost) best_cost = cost, best[0] = v[0], best[1] = v[1];
            }
    }
    int32_t c0[2] = {best[0], best[1]};
    for (int dy = -3; dy <= 3; dy++)
        for (int dx = -3; dx <= 3; dx++) {
            int32_t v[2] = {c0[0] + dx, c0[1] + dy};
            if ((!dx && !dy) || abs(v[0]) > max_vec(s, 0) || abs(v[1]) > max_vec(s, 1)) continue;
            double cost = sad_at(src, prev, bx, by, v) + lambda_sad * vec_bits(v, pv);
            if (cost < best_cost) best_cost = cost, best[0] = v[0], best[1] = v[1];
        }
}

int nerv_detail_encode_frame(NervDetail *d, RCEncoder *enc, const NervShape *s, NCFrame *cur,
                             const NCFrame *src, const NCFrame *prev, const int32_t g[2],
                             double lambda)
{
    if (!d->on) return 0;
    pthread_once(&tables_once, encoder_tables);
    Plane pc[3], ps[3], pp[3];
    int np = planes_of(s, cur, pc);
    planes_of(s, src, ps);
    if (prev) planes_of(s, prev, pp);
    Coder out = {.enc = enc};
    int moved[3][256];
    Choice *best = malloc(sizeof(Choice)), *trial = malloc(sizeof(Choice));
    if (!best || !trial) {
        free(best), free(trial);
        return NC_ENOMEM;
    }
    for (int by = 0; by < d->bh; by++)
        for (int bx = 0; bx < d->bw; bx++) {
            int i = by * d->bw + bx, near = near_moved(d, bx, by);
            int32_t pv[2], v[2] = {0, 0};
            best->cost = INFINITY;
            if (prev) {
                vec_pred(d, s, bx, by, g, pv);
                search(s, &ps[0], &pp[0], bx, by, pv, g, sqrt(lambda), v);
                for (int p = 0; p < np; p++) moved_of(&pp[p], bx, by, v, moved[p]); /* one read for modes 1 .. 4 */
            }
            for (int m = 0; m < (prev ? NERV_DETAIL_MODES : 1); m++) {
                trial->m = m;
                trial->v[0] = m ? v[0] : 0, trial->v[1] = m ? v[1] : 0;
                Coder cnt = {0};
                if (prev) code_mode(&cnt, &d->ctx, m, near);
                if (m)
                    for (int a = 0; a < 2; a++)
                        code_signed(&cnt, &d->ctx, a, v[a] - pv[a], 2 * (uint32_t)max_vec(s, a));
                double cost = lambda * cnt.bits;
                for (int p = 0; p < np; p++) {
                    predict(&pc[p], moved[p], bx, by, m, trial->pred[p]);
                    cost += code_plane(&pc[p], &ps[p], trial->pred[p], bx, by, &d->ctx, p > 0, m > 0, d->step,
                                       lambda, trial->level[p], trial->coded[p]);
                }
                trial->cost = cost;
                if (cost < best->cost) {
                    Choice *t = best;
                    best = trial, trial = t;
                }
            }
            int m = best->m;
            d->mode[i] = (uint8_t)m;
            d->vec[2 * i] = best->v[0], d->vec[2 * i + 1] = best->v[1];
            if (prev) code_mode(&out, &d->ctx, m, near);
            if (m)
                for (int a = 0; a < 2; a++)
                    code_signed(&out, &d->ctx, a, best->v[a] - pv[a], 2 * (uint32_t)max_vec(s, a));
            for (int p = 0; p < np; p++) {
                int tb = ((1 << NERV_DETAIL_BLOCK_LOG2) >> pc[p].sub) / 8;
                for (int t = 0; t < tb * tb; t++)
                    if (transform_in(&pc[p], bx, by, t))
                        code_levels(&out, &d->ctx, p > 0, m > 0, best->level[p] + 64 * t);
                reconstruct(&pc[p], bx, by, best->pred[p], best->level[p], best->coded[p], d->step);
            }
        }
    free(best), free(trial);
    return 0;
}
