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

typedef struct ChannelContexts {
    RCBinContext zero[SPATIAL_CTX][CROSS_CTX];
    RCBinContext prefix[ACTIVITY_CTX][PREFIX_CTX];
    RCBinContext top_bit[WALLOC_MAG_BITS];
} ChannelContexts;

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

/* One set of contexts per channel, all starting at p = 1/2. */
static ChannelContexts *contexts_alloc(int latents)
{
    ChannelContexts *cc = malloc((size_t)latents * sizeof(*cc));
    for (int k = 0; cc && k < latents; k++) {
        ChannelContexts *c = &cc[k];
        for (int i = 0; i < SPATIAL_CTX; i++)
            for (int j = 0; j < CROSS_CTX; j++) rc_bin_init(&c->zero[i][j], CTX_RATE);
        for (int i = 0; i < ACTIVITY_CTX; i++)
            for (int j = 0; j < PREFIX_CTX; j++) rc_bin_init(&c->prefix[i][j], CTX_RATE);
        for (int i = 0; i < WALLOC_MAG_BITS; i++) rc_bin_init(&c->top_bit[i], CTX_RATE);
    }
    return cc;
}

static int ilog2(uint32_t v)
{
    int n = 0;
    while (v >>= 1) n++;
    return n;
}

/* One binary decision through enc or dec. */
static int bin(RCEncoder *enc, RCDecoder *dec, RCBinContext *ctx, int bit)
{
    if (enc) {
        rc_encode_bin(enc, ctx, bit);
        return bit;
    }
    return rc_decode_bin(dec, ctx);
}

static uint32_t bypass(RCEncoder *enc, RCDecoder *dec, uint32_t bits, unsigned n)
{
    if (enc) {
        rc_encode_bits(enc, bits, n);
        return bits;
    }
    return rc_decode_bits(dec, n);
}

/* Codes (enc) or decodes (dec) one value: v is the value to code, or ignored. */
static int32_t code_value(RCEncoder *enc, RCDecoder *dec, ChannelContexts *c, int sb, int pb,
                          int32_t v)
{
    uint32_t a = v < 0 ? (uint32_t)-v : (uint32_t)v;
    if (!bin(enc, dec, &c->zero[sb][pb], a != 0)) return 0;
    int negative = (int)bypass(enc, dec, v < 0, 1);
    int act = sb + pb < ACTIVITY_CTX ? sb + pb : ACTIVITY_CTX - 1;
    int n = enc ? ilog2(a) : 0, i = 0;
    /* Unary n; a prefix of WALLOC_MAG_BITS - 1 ones needs no terminating zero. */
    for (; i < WALLOC_MAG_BITS - 1; i++) {
        RCBinContext *ctx = &c->prefix[act][i < PREFIX_CTX ? i : PREFIX_CTX - 1];
        if (!bin(enc, dec, ctx, i < n)) break;
    }
    n = i;
    uint32_t m = 1;
    if (n >= 1) m = 2 | (uint32_t)bin(enc, dec, &c->top_bit[n], (a >> (n - 1)) & 1);
    if (n >= 2) m = m << (n - 1) | bypass(enc, dec, a & ((1u << (n - 1)) - 1), (unsigned)n - 1);
    return negative ? -(int32_t)m : (int32_t)m;
}

/* Magnitudes min(|q|, 15) of the channel being coded and of the one before live
 * in planes with a zero border of one, so neighbours need no bounds checks. */
static int code_latents(RCEncoder *enc, RCDecoder *dec, int32_t *q, int latents, int w, int h)
{
    const int stride = w + 2;
    size_t plane = (size_t)w * h, padded = (size_t)stride * (h + 2);
    ChannelContexts *cc = contexts_alloc(latents);
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
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                const uint8_t *m = cur + y * stride + x, *p = prev + y * stride + x;
                int sb = sb_of[2 * m[-1] + 2 * m[-stride] + m[-stride - 1] + m[-stride + 1]];
                int pb = c ? pb_of[2 * p[0] + p[-1] + p[1] + p[-stride] + p[stride]] : 0;
                int32_t v = code_value(enc, dec, &cc[c], sb, pb, enc ? qc[y * w + x] : 0);
                if (dec) qc[y * w + x] = v;
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

int walloc_encode_latents(RCEncoder *enc, const int32_t *q, int latents, int w, int h)
{
    return code_latents(enc, NULL, (int32_t *)q, latents, w, h);
}

int walloc_decode_latents(RCDecoder *dec, int32_t *q, int latents, int w, int h)
{
    return code_latents(NULL, dec, q, latents, w, h);
}
