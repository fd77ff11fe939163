/* Context-adaptive coding of WaLLoC latents (latent_coder.h). */
#include <stdlib.h>

#include "codecs/walloc/latent_coder.h"
#include "entropy/adaptive_cdf.h"
#include "nc/error.h"

#define SPATIAL_CTX 6
#define CROSS_CTX 3
#define ACTIVITY_CTX 6 /* magnitude contexts: min(spatial + cross, 5) */
#define PREFIX_CTX 12
#define CTX_RATE 8

/* Context k of a channel: zero flag sb * 3 + pb, prefix bit ZERO_CTXS + a * 12 + i,
 * top bit ZERO_CTXS + PREFIX_CTXS + n (spec §4). */
#define ZERO_CTXS (SPATIAL_CTX * CROSS_CTX)
#define PREFIX_CTXS (ACTIVITY_CTX * PREFIX_CTX)
_Static_assert(ZERO_CTXS + PREFIX_CTXS + WALLOC_MAG_BITS == WALLOC_CONTEXTS, "context count");

/* What one pass works with: the coder (enc or dec, or neither when counting) and
 * the contexts of the channel being coded. */
typedef struct Pass {
    RCEncoder *enc;
    RCDecoder *dec;
    uint32_t *counts; /* counting pass: this channel's counts */
    RCBinContext *ctx; /* this channel's WALLOC_CONTEXTS contexts */
} Pass;

static uint8_t mag(int32_t v)
{
    uint32_t a = v < 0 ? (uint32_t)-v : (uint32_t)v;
    return (uint8_t)(a > 15 ? 15 : a);
}

/* Buckets of the activity sums (latent_coder.h; spec §4): spatial sums reach
 * 6 * 15, cross-channel ones 6 * 15. */
static int spatial_bucket(int s)
{
    return s == 0 ? 0 : s <= 2 ? 1 : s <= 5 ? 2 : s <= 10 ? 3 : s <= 20 ? 4 : 5;
}

static int cross_bucket(int s)
{
    return s == 0 ? 0 : s <= 3 ? 1 : 2;
}

/* WALLOC_CONTEXTS contexts per channel, from the prior or at P(0) = 1/2. */
static RCBinContext *contexts_alloc(int latents, const uint16_t *prior)
{
    size_t n = (size_t)latents * WALLOC_CONTEXTS;
    RCBinContext *ctx = malloc(n * sizeof(*ctx));
    for (size_t i = 0; ctx && i < n; i++) {
        rc_bin_init(&ctx[i], CTX_RATE);
        if (prior && prior[i]) {
            ctx[i].p0 = (uint32_t)prior[i] << 15;
            ctx[i].count = WALLOC_PRIOR_COUNT;
        }
    }
    return ctx;
}

static int ilog2(uint32_t v)
{
    int n = 0;
    while (v >>= 1) n++;
    return n;
}

/* One binary decision with context k: coded, decoded or counted. */
static int bin(Pass *p, int k, int bit)
{
    if (p->enc) {
        rc_encode_bin(p->enc, &p->ctx[k], bit);
        return bit;
    }
    if (p->dec) return rc_decode_bin(p->dec, &p->ctx[k]);
    p->counts[2 * k + bit]++;
    return bit;
}

static uint32_t bypass(Pass *p, uint32_t bits, unsigned n)
{
    if (p->dec) return rc_decode_bits(p->dec, n);
    if (p->enc) rc_encode_bits(p->enc, bits, n);
    return bits;
}

/* Codes (or decodes, or counts) one value: v is the value to code, or ignored. */
static int32_t code_value(Pass *p, int sb, int pb, int32_t v)
{
    uint32_t a = v < 0 ? (uint32_t)-v : (uint32_t)v;
    if (!bin(p, sb * CROSS_CTX + pb, a != 0)) return 0;
    int negative = (int)bypass(p, v < 0, 1);
    int act = sb + pb < ACTIVITY_CTX ? sb + pb : ACTIVITY_CTX - 1;
    int n = p->dec ? 0 : ilog2(a), i = 0;
    /* Unary n; a prefix of WALLOC_MAG_BITS - 1 ones needs no terminating zero. */
    for (; i < WALLOC_MAG_BITS - 1; i++) {
        int k = ZERO_CTXS + act * PREFIX_CTX + (i < PREFIX_CTX ? i : PREFIX_CTX - 1);
        if (!bin(p, k, i < n)) break;
    }
    n = i;
    uint32_t m = 1;
    if (n >= 1) m = 2 | (uint32_t)bin(p, ZERO_CTXS + PREFIX_CTXS + n, (a >> (n - 1)) & 1);
    if (n >= 2) m = m << (n - 1) | bypass(p, a & ((1u << (n - 1)) - 1), (unsigned)n - 1);
    return negative ? -(int32_t)m : (int32_t)m;
}

/* The median edge detector (LOCO-I) on the channel's decoded values. */
static int64_t predict(const int32_t *q, int w, int x, int y)
{
    int64_t l = x ? q[y * w + x - 1] : 0, t = y ? q[(y - 1) * w + x] : 0;
    int64_t tl = x && y ? q[(y - 1) * w + x - 1] : 0;
    int64_t lo = l < t ? l : t, hi = l < t ? t : l;
    return tl >= hi ? lo : tl <= lo ? hi : l + t - tl;
}

/* Whether the encoder codes channel q as residuals from predict(): when the
 * residuals are smaller by a rough bit count, and all fit the coder's range. */
static int choose_prediction(const int32_t *q, int w, int h)
{
    double plain = 0, residual = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int64_t v = q[y * w + x], r = v - predict(q, w, x, y);
            if (r > WALLOC_MAX_MAG || r < -WALLOC_MAX_MAG) return 0;
            plain += v ? 2 + ilog2((uint32_t)(v < 0 ? -v : v)) : 0;
            residual += r ? 2 + ilog2((uint32_t)(r < 0 ? -r : r)) : 0;
        }
    return residual < 0.9 * plain;
}

/* Magnitudes min(|v|, 15) of the values coded in the channel being coded and in
 * the one before (residuals for predicted channels) live in planes with a zero
 * border of one, so neighbours need no bounds checks. Each channel starts with
 * one bypass bit: 1 if its values are coded as residuals from predict(). */
static int code_latents(Pass *pass, int32_t *q, int latents, int w, int h, const uint16_t *prior)
{
    const int stride = w + 2;
    size_t plane = (size_t)w * h, padded = (size_t)stride * (h + 2);
    RCBinContext *cc = contexts_alloc(latents, prior);
    uint32_t *counts = pass->counts;
    uint8_t *mags = calloc(2 * padded, 1);
    uint8_t sb_of[6 * 15 + 1], pb_of[6 * 15 + 1];
    if (!cc || !mags) {
        free(cc);
        free(mags);
        return NC_ENOMEM;
    }
    for (int i = 0; i <= 6 * 15; i++) sb_of[i] = (uint8_t)spatial_bucket(i), pb_of[i] = (uint8_t)cross_bucket(i);
    uint8_t *cur = mags + stride + 1, *prev = mags + padded + stride + 1;
    for (int c = 0; c < latents; c++) {
        int32_t *qc = q + c * plane;
        pass->ctx = cc + (size_t)c * WALLOC_CONTEXTS;
        if (counts) pass->counts = counts + (size_t)c * WALLOC_CONTEXTS * 2;
        int predicted = (int)bypass(pass, pass->dec ? 0 : (uint32_t)choose_prediction(qc, w, h), 1);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                const uint8_t *m = cur + y * stride + x, *p = prev + y * stride + x;
                int sb = sb_of[2 * m[-1] + 2 * m[-stride] + m[-stride - 1] + m[-stride + 1]];
                int pb = c ? pb_of[2 * p[0] + p[-1] + p[1] + p[-stride] + p[stride]] : 0;
                int64_t pred = predicted ? predict(qc, w, x, y) : 0;
                int32_t v = pass->dec ? 0 : (int32_t)(qc[y * w + x] - pred);
                v = code_value(pass, sb, pb, v);
                if (pass->dec) {
                    int64_t d = v + pred; /* hostile streams: keep values in range */
                    qc[y * w + x] = (int32_t)(d > WALLOC_MAX_MAG ? WALLOC_MAX_MAG
                                              : d < -WALLOC_MAX_MAG ? -WALLOC_MAX_MAG : d);
                }
                cur[y * stride + x] = mag(v);
            }
        uint8_t *t = cur;
        cur = prev;
        prev = t;
    }
    free(cc);
    free(mags);
    return 0;
}

int walloc_encode_latents(RCEncoder *enc, const int32_t *q, int latents, int w, int h,
                          const uint16_t *prior)
{
    Pass p = {enc, NULL, NULL, NULL};
    return code_latents(&p, (int32_t *)q, latents, w, h, prior);
}

int walloc_decode_latents(RCDecoder *dec, int32_t *q, int latents, int w, int h,
                          const uint16_t *prior)
{
    Pass p = {NULL, dec, NULL, NULL};
    return code_latents(&p, q, latents, w, h, prior);
}

int walloc_count_latents(const int32_t *q, int latents, int w, int h, uint32_t *counts)
{
    Pass p = {NULL, NULL, counts, NULL};
    return code_latents(&p, (int32_t *)q, latents, w, h, NULL);
}
