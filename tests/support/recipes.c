/* The entropy recipes: one program per recipe, run either as encoder or as checking
 * decoder through the Coder helpers below. */
#include "tests/support/recipes.h"

#include <stdlib.h>
#include <string.h>

#include "entropy/adaptive_cdf.h"
#include "entropy/cdf.h"
#include "entropy/cdf_table.h"
#include "entropy/count_model.h"
#include "entropy/escape.h"
#include "entropy/parametric.h"
#include "entropy/periodic_mix_model.h"
#include "entropy/periodic_model.h"
#include "entropy/rans.h"
#include "entropy/static_model.h"
#include "nc/error.h"

typedef struct Coder {
    RCEncoder *enc; /* encoding if set, else decoding with dec */
    RCDecoder *dec;
    int mismatch;
} Coder;

static void note(Coder *c, uint64_t got, uint64_t want)
{
    if (got != want) c->mismatch = 1;
}

static void code_cdf(Coder *c, const uint32_t *cdf, unsigned n, unsigned prec, unsigned s)
{
    if (c->enc)
        rc_encode_cdf(c->enc, cdf, n, prec, s);
    else
        note(c, rc_decode_cdf(c->dec, cdf, n, prec), s);
}

static void code_adaptive(Coder *c, RCAdaptiveCdf *m, unsigned s)
{
    if (c->enc)
        rc_encode_adaptive(c->enc, m, s);
    else
        note(c, rc_decode_adaptive(c->dec, m), s);
}

static void code_count(Coder *c, RCCountModel *m, unsigned s)
{
    if (c->enc)
        rc_encode_count(c->enc, m, s);
    else
        note(c, rc_decode_count(c->dec, m), s);
}

static void code_periodic(Coder *c, RCPeriodicModel *m, unsigned s)
{
    if (c->enc)
        rc_encode_periodic(c->enc, m, s);
    else
        note(c, rc_decode_periodic(c->dec, m), s);
}

static void code_bin(Coder *c, RCBinContext *ctx, int bit)
{
    if (c->enc)
        rc_encode_bin(c->enc, ctx, bit);
    else
        note(c, (uint64_t)rc_decode_bin(c->dec, ctx), (uint64_t)bit);
}

static void code_bit(Coder *c, int bit, uint32_t p0)
{
    if (c->enc)
        rc_encode_bit(c->enc, bit, p0);
    else
        note(c, (uint64_t)rc_decode_bit(c->dec, p0), (uint64_t)bit);
}

static void code_bits(Coder *c, uint32_t v, unsigned nbits)
{
    if (c->enc)
        rc_encode_bits(c->enc, v, nbits);
    else
        note(c, rc_decode_bits(c->dec, nbits), v);
}

/* v is a uint32_t value, or an int32_t one if is_signed. */
static void code_expgolomb(Coder *c, int64_t v, unsigned k, int is_signed)
{
    if (c->enc && is_signed)
        rc_encode_expgolomb_signed(c->enc, (int32_t)v, k);
    else if (c->enc)
        rc_encode_expgolomb(c->enc, (uint32_t)v, k);
    else if (is_signed)
        note(c, (uint64_t)(int64_t)rc_decode_expgolomb_signed(c->dec, k), (uint64_t)v);
    else
        note(c, rc_decode_expgolomb(c->dec, k), (uint32_t)v);
}

static void code_param(Coder *c, const RCParamTables *t, unsigned scale, int32_t mean, int32_t v)
{
    if (c->enc)
        rc_encode_param(c->enc, t, scale, mean, v);
    else
        note(c, (uint64_t)(int64_t)rc_decode_param(c->dec, t, scale, mean), (uint64_t)(int64_t)v);
}

/* A symbol drawn from a CDF (inverse transform of a uniform slot). */
static unsigned draw(EntRng *r, const uint32_t *cdf, unsigned n, unsigned prec)
{
    return rc_cdf_find(cdf, n, ent_rng_below(r, 1u << prec));
}

/* A peaked 256-symbol CDF: weights fall off from a random centre, plus noise. */
static int peaked_cdf(EntRng *r, uint32_t *cdf, unsigned n, unsigned prec)
{
    uint64_t w[256];
    unsigned centre = ent_rng_below(r, n), spread = 1 + ent_rng_below(r, 40);
    for (unsigned s = 0; s < n; s++) {
        unsigned d = s > centre ? s - centre : centre - s;
        w[s] = ((uint64_t)1 << 24) / (1 + (uint64_t)d * d / spread) + ent_rng_below(r, 64);
    }
    return rc_cdf_from_weights(cdf, w, n, prec, 0);
}

static int recipe_static16(Coder *c, EntRng *r)
{
    uint32_t cdf[4][257];
    unsigned prec[4] = {16, 12, 8, 1 + ent_rng_below(r, 16)};
    unsigned n[4] = {256, 256, 200, 2};
    if (n[3] > (1u << prec[3])) n[3] = 1u << prec[3];
    for (int k = 0; k < 4; k++)
        if (peaked_cdf(r, cdf[k], n[k], prec[k])) return NC_EBUG;
    for (int i = 0; i < 20000; i++) {
        unsigned k = i % 7 == 0 ? ent_rng_below(r, 4) : 0;
        code_cdf(c, cdf[k], n[k], prec[k], draw(r, cdf[k], n[k], prec[k]));
    }
    return 0;
}

static int recipe_static24(Coder *c, EntRng *r)
{
    enum { N = 5000 };
    uint64_t *w = malloc(sizeof(*w) * N);
    uint32_t *cdf = malloc(sizeof(*cdf) * (N + 1));
    int ret = w && cdf ? 0 : NC_ENOMEM;
    for (unsigned s = 0; s < N && !ret; s++) w[s] = ((uint64_t)1 << 32) / (s + 1 + ent_rng_below(r, 4));
    if (!ret) ret = rc_cdf_from_weights(cdf, w, N, 24, 0);
    for (int i = 0; i < 20000 && !ret; i++) code_cdf(c, cdf, N, 24, draw(r, cdf, N, 24));
    free(w);
    free(cdf);
    return ret;
}

static int recipe_adaptive(Coder *c, EntRng *r)
{
    RCAdaptiveCdf m[3];
    unsigned n[3] = {2, 16, 256}, rate[3] = {4, 7, 12};
    RCBinContext bins[4];
    int ret = 0;
    memset(m, 0, sizeof(m));
    for (int k = 0; k < 3 && !ret; k++) ret = rc_adaptive_init(&m[k], n[k], rate[k]);
    for (int k = 0; k < 4; k++) rc_bin_init(&bins[k], 3 + (unsigned)k * 2);
    uint32_t src[257];
    if (!ret) ret = peaked_cdf(r, src, 256, 16);
    for (int i = 0; i < 30000 && !ret; i++) {
        if (i % 5000 == 4999) ret = peaked_cdf(r, src, 256, 16); /* the source drifts */
        unsigned s = draw(r, src, 256, 16);
        code_adaptive(c, &m[2], s);
        code_adaptive(c, &m[1], s & 15);
        code_adaptive(c, &m[0], s > 128);
        code_bin(c, &bins[i & 3], ent_rng_below(r, 100) < 10 + 20 * (unsigned)(i & 3));
    }
    for (int k = 0; k < 3; k++) rc_adaptive_free(&m[k]);
    return ret;
}

static int recipe_bypass(Coder *c, EntRng *r)
{
    /* One generator call per statement: the order of calls inside one expression is
     * unspecified in C, and compilers do differ. */
    for (int i = 0; i < 5000; i++) {
        unsigned nbits = ent_rng_below(r, 33);
        uint32_t v = ent_rng_u32(r);
        code_bits(c, nbits == 32 ? v : v & ((1u << nbits) - 1), nbits);
        unsigned k = ent_rng_below(r, 8);
        uint32_t e = ent_rng_u32(r);
        e >>= ent_rng_below(r, 32);
        code_expgolomb(c, e, k, 0);
        int64_t magnitude = ent_rng_u32(r);
        magnitude >>= 1 + ent_rng_below(r, 31);
        int negative = (int)ent_rng_below(r, 2);
        code_expgolomb(c, negative ? -magnitude - 1 : magnitude, k, 1);
        int bit = (int)ent_rng_below(r, 2);
        code_bit(c, bit, 1 + ent_rng_below(r, 65535));
    }
    code_expgolomb(c, UINT32_MAX, 0, 0);
    code_expgolomb(c, INT32_MIN, 0, 1);
    code_expgolomb(c, INT32_MAX, 3, 1);
    return 0;
}

static int recipe_parametric(Coder *c, EntRng *r)
{
    RCParamTables t[3];
    int ret = 0;
    memset(t, 0, sizeof(t));
    for (int d = 0; d < 3 && !ret; d++) {
        RCParamConfig cfg;
        rc_param_config_default(&cfg, d);
        cfg.mean_frac_bits = 2;
        cfg.max_tail = 64;
        cfg.escape_k = (unsigned)d;
        ret = rc_param_init(&t[d], &cfg);
    }
    for (int i = 0; i < 20000 && !ret; i++) {
        int d = (int)ent_rng_below(r, 3);
        unsigned scale = ent_rng_below(r, t[d].cfg.num_scales);
        int32_t mean = (int32_t)ent_rng_below(r, 2001) - 1000;
        /* Roughly the right spread: a sum of uniforms scaled by the table's scale. */
        int64_t noise = (int64_t)ent_rng_below(r, 1u << 16) + ent_rng_below(r, 1u << 16) - (1 << 16);
        int64_t v = mean / 4 + noise * t[d].scale_q16[scale] / ((int64_t)1 << 32);
        if (ent_rng_below(r, 50) == 0) v += (int64_t)ent_rng_u32(r) % 100000 - 50000; /* escapes */
        code_param(c, &t[d], scale, mean, (int32_t)v);
    }
    code_param(c, &t[0], 0, 0, INT32_MIN);
    code_param(c, &t[1], 63, -5, INT32_MAX);
    for (int d = 0; d < 3; d++) rc_param_free(&t[d]);
    return ret;
}

static void code_mixed_op(Coder *c, EntRng *r, const uint32_t *cdf, RCAdaptiveCdf *m,
                          RCBinContext *bin, const RCParamTables *t)
{
    switch (ent_rng_below(r, 6)) {
    case 0: code_cdf(c, cdf, 256, 15, draw(r, cdf, 256, 15)); break;
    case 1: code_adaptive(c, m, ent_rng_below(r, 8) * ent_rng_below(r, 8)); break;
    case 2: code_bin(c, bin, ent_rng_below(r, 8) == 0); break;
    case 3: code_bits(c, ent_rng_below(r, 1u << 13), 13); break;
    case 4: code_expgolomb(c, (int32_t)ent_rng_below(r, 1000), 2, 0); break;
    default: {
        unsigned scale = ent_rng_below(r, t->cfg.num_scales);
        code_param(c, t, scale, 0, (int32_t)ent_rng_below(r, 21) - 10);
    }
    }
}

static int recipe_mixed(Coder *c, EntRng *r)
{
    uint32_t cdf[257];
    RCAdaptiveCdf m;
    RCBinContext bin;
    RCParamTables t;
    RCParamConfig cfg;
    rc_param_config_default(&cfg, RC_DIST_LAPLACE);
    int ret = peaked_cdf(r, cdf, 256, 15);
    if (ret) return ret;
    if ((ret = rc_adaptive_init(&m, 64, 8))) return ret;
    if ((ret = rc_param_init(&t, &cfg))) {
        rc_adaptive_free(&m);
        return ret;
    }
    rc_bin_init(&bin, 6);
    for (int i = 0; i < 30000; i++) code_mixed_op(c, r, cdf, &m, &bin, &t);
    rc_adaptive_free(&m);
    rc_param_free(&t);
    return 0;
}

static int recipe_tables(Coder *c, EntRng *r)
{
    static uint64_t w[1024];
    static uint32_t cdf[1025], got[1025];
    for (int t = 0; t < 60; t++) {
        unsigned prec = 4 + ent_rng_below(r, 21); /* 4..24 */
        unsigned n = 1 + ent_rng_below(r, 1024);
        if (n > (1u << prec)) n = 1u << prec;
        unsigned zeros = ent_rng_below(r, 3); /* none, some, most */
        for (unsigned s = 0; s < n; s++) {
            uint32_t u = ent_rng_below(r, 100);
            uint32_t v = ent_rng_u32(r);
            v >>= ent_rng_below(r, 32);
            w[s] = (zeros == 1 && u < 30) || (zeros == 2 && u < 90) ? 0 : v;
        }
        if (rc_cdf_from_weights(cdf, w, n, prec, 1)) return NC_EBUG;
        if (c->enc) {
            rc_encode_cdf_table(c->enc, cdf, n, prec);
        } else {
            if (rc_decode_cdf_table(c->dec, got, n, prec)) return NC_EINVALIDDATA;
            for (unsigned s = 0; s <= n; s++) note(c, got[s], cdf[s]);
        }
        for (int i = 0; i < 100; i++) code_cdf(c, cdf, n, prec, draw(r, cdf, n, prec));
    }
    return 0;
}

/* Count models of every tree depth (1, 1, 2 and 4 levels), windows short enough that
 * each halves many times, a drifting source, and binary contexts in between (the
 * count models share the stream with the other kinds). */
static int recipe_count_models(Coder *c, EntRng *r)
{
    RCCountModel m[4];
    unsigned n[4] = {2, 16, 256, 65536}, window[4] = {1, 4, 9, 12};
    RCBinContext bin;
    int ret = 0;
    memset(m, 0, sizeof(m));
    for (int k = 0; k < 4 && !ret; k++) ret = rc_count_init(&m[k], n[k], window[k]);
    rc_bin_init(&bin, 5);
    uint32_t src[257];
    if (!ret) ret = peaked_cdf(r, src, 256, 16);
    for (int i = 0; i < 30000 && !ret; i++) {
        if (i % 5000 == 4999) ret = peaked_cdf(r, src, 256, 16); /* the source drifts */
        unsigned s = draw(r, src, 256, 16);
        code_count(c, &m[2], s);
        code_count(c, &m[1], s & 15);
        code_count(c, &m[0], s > 128);
        unsigned big = s * 256 + ent_rng_below(r, 256); /* spread over 65536 symbols */
        if (i % 3 == 0) code_count(c, &m[3], i % 7 ? big : ent_rng_below(r, 65536));
        code_bin(c, &bin, s & 1);
    }
    for (int k = 0; k < 4; k++) rc_count_free(&m[k]);
    return ret;
}

/* Periodic models at 2, 16, 256 and 65536 symbols: a table rebuilt after every symbol
 * (period 0), the smallest precision (2^k = n: every frequency 1 until counts differ),
 * 16 to 24 bits, short windows (many halvings, some in the same step as a rebuild), a
 * drifting source, and count models and binary contexts sharing the stream. */
static int recipe_periodic_models(Coder *c, EntRng *r)
{
    enum { M = 6 };
    RCPeriodicModel m[M];
    static const unsigned n[M] = {2, 16, 256, 256, 65536, 65536}, window[M] = {1, 4, 9, 12, 12, 18},
                          prec[M] = {16, 4, 8, 16, 16, 24}, period[M] = {0, 3, 8, 6, 10, 9};
    RCCountModel cm;
    RCBinContext bin;
    int ret = 0;
    memset(m, 0, sizeof(m));
    memset(&cm, 0, sizeof(cm));
    for (int k = 0; k < M && !ret; k++) ret = rc_periodic_init(&m[k], n[k], window[k], prec[k], period[k]);
    if (!ret) ret = rc_count_init(&cm, 256, 8);
    rc_bin_init(&bin, 5);
    uint32_t src[257];
    if (!ret) ret = peaked_cdf(r, src, 256, 16);
    for (int i = 0; i < 30000 && !ret; i++) {
        if (i % 5000 == 4999) ret = peaked_cdf(r, src, 256, 16); /* the source drifts */
        unsigned s = draw(r, src, 256, 16);
        code_periodic(c, &m[0], s > 128);
        code_periodic(c, &m[1], s & 15);
        code_periodic(c, &m[2], s);
        code_periodic(c, &m[3], s ^ 0x55);
        unsigned big = s * 256 + ent_rng_below(r, 256); /* spread over 65536 symbols */
        if (i % 3 == 0) code_periodic(c, &m[4], i % 7 ? big : ent_rng_below(r, 65536));
        if (i % 5 == 0) code_periodic(c, &m[5], big ^ 0x1234);
        code_count(c, &cm, s);
        code_bin(c, &bin, s & 1);
    }
    for (int k = 0; k < M; k++) rc_periodic_free(&m[k]);
    rc_count_free(&cm);
    return ret;
}

static void code_periodic_mix(Coder *c, RCPeriodicMixModel *m, unsigned s)
{
    if (c->enc)
        rc_encode_periodic_mix(c->enc, m, s);
    else
        note(c, rc_decode_periodic_mix(c->dec, m), s);
}

/* Periodic mixtures at 2, 16, 256 and 65536 symbols: a rebuild after every symbol
 * (period 0), the smallest precision (2^k = n), 8 to 24 bits, windows from 1 (a halving
 * every few symbols, some with a rebuild) to 17, a fast window longer than the slow one,
 * and a source that alternates between drifting (large fast shares win) and steady
 * (small ones win); a periodic model shares the stream. */
static int recipe_periodic_mix_models(Coder *c, EntRng *r)
{
    enum { M = 6 };
    RCPeriodicMixModel m[M];
    static const unsigned n[M] = {2, 16, 256, 256, 65536, 65536}, slow[M] = {3, 8, 14, 17, 14, 12},
                          fast[M] = {1, 4, 10, 6, 10, 16}, prec[M] = {16, 4, 8, 20, 16, 24},
                          period[M] = {0, 3, 8, 6, 10, 9};
    RCPeriodicModel pm;
    int ret = 0;
    memset(m, 0, sizeof(m));
    memset(&pm, 0, sizeof(pm));
    for (int k = 0; k < M && !ret; k++)
        ret = rc_periodic_mix_init(&m[k], n[k], slow[k], fast[k], prec[k], period[k]);
    if (!ret) ret = rc_periodic_init(&pm, 256, 12, 20, 8);
    uint32_t src[257];
    if (!ret) ret = peaked_cdf(r, src, 256, 16);
    for (int i = 0; i < 30000 && !ret; i++) {
        /* steady for 6000 symbols, then a new source every 300 for 6000 */
        if ((i / 6000) % 2 ? i % 300 == 0 : i % 6000 == 0) ret = peaked_cdf(r, src, 256, 16);
        unsigned s = draw(r, src, 256, 16);
        code_periodic_mix(c, &m[0], s > 128);
        code_periodic_mix(c, &m[1], s & 15);
        code_periodic_mix(c, &m[2], s);
        code_periodic_mix(c, &m[3], s ^ 0x55);
        unsigned big = s * 256 + ent_rng_below(r, 256); /* spread over 65536 symbols */
        if (i % 3 == 0) code_periodic_mix(c, &m[4], i % 7 ? big : ent_rng_below(r, 65536));
        if (i % 5 == 0) code_periodic_mix(c, &m[5], big ^ 0x1234);
        code_periodic(c, &pm, s);
    }
    for (int k = 0; k < M; k++) rc_periodic_mix_free(&m[k]);
    rc_periodic_free(&pm);
    return ret;
}

/* The range-coder recipes as one table. */
typedef int (*RangeRecipe)(Coder *c, EntRng *r);
static const RangeRecipe range_recipes[] = {
    [ENT_RECIPE_STATIC16] = recipe_static16,     [ENT_RECIPE_STATIC24] = recipe_static24,
    [ENT_RECIPE_ADAPTIVE] = recipe_adaptive,     [ENT_RECIPE_BYPASS] = recipe_bypass,
    [ENT_RECIPE_PARAMETRIC] = recipe_parametric, [ENT_RECIPE_MIXED] = recipe_mixed,
    [ENT_RECIPE_TABLES] = recipe_tables,         [ENT_RECIPE_COUNT_MODELS] = recipe_count_models,
    [ENT_RECIPE_PERIODIC_MODELS] = recipe_periodic_models,
    [ENT_RECIPE_PERIODIC_MIX_MODELS] = recipe_periodic_mix_models,
};

static const char *const names[ENT_RECIPE_COUNT] = {
    "static16", "static24", "adaptive", "bypass", "parametric",
    "windows", "mixed", "rans_bytes", "rans_models", "tables", "count_models", "periodic_models",
    "periodic_mix_models",
};

const char *ent_recipe_name(int id)
{
    return id >= 0 && id < ENT_RECIPE_COUNT ? names[id] : NULL;
}

/* Windows: each window holds as many symbols as fit in WINDOW_BYTES, each preceded by
 * a "more" flag (P = 15/16) and closed by a 0 flag; the window is zero-padded. The
 * encoder tries each symbol and rewinds if the closing flag would not fit. */
enum { WINDOW_BYTES = 64, WINDOWS = 40 };
#define MORE_P0 4096 /* P(flag = 0) = 1/16 */

static int windows_encode(EntRng *r, RCEncoder *enc)
{
    uint32_t cdf[257];
    int ret = peaked_cdf(r, cdf, 256, 16);
    if (ret) return ret;
    unsigned next = draw(r, cdf, 256, 16);
    for (int w = 0; w < WINDOWS; w++) {
        size_t start = enc->size;
        for (;;) {
            RCEncoderMark before, after;
            rc_enc_mark(enc, &before);
            rc_encode_bit(enc, 1, MORE_P0);
            rc_encode_cdf(enc, cdf, 256, 16, next);
            rc_enc_mark(enc, &after);
            rc_encode_bit(enc, 0, MORE_P0);
            int fits = rc_enc_bytes_if_flushed(enc) <= WINDOW_BYTES;
            rc_enc_rewind(enc, fits ? &after : &before);
            if (!fits) break;
            next = draw(r, cdf, 256, 16);
        }
        rc_encode_bit(enc, 0, MORE_P0);
        if ((ret = rc_enc_flush(enc))) return ret;
        while (enc->size < start + WINDOW_BYTES) rc_enc_put_byte(enc, 0);
        if (enc->error) return enc->error;
        rc_enc_restart(enc);
    }
    return 0;
}

static int windows_decode(EntRng *r, const uint8_t *in, size_t size)
{
    uint32_t cdf[257];
    int ret = peaked_cdf(r, cdf, 256, 16);
    if (ret) return ret;
    if (size != (size_t)WINDOW_BYTES * WINDOWS) return NC_EINVALIDDATA;
    unsigned next = draw(r, cdf, 256, 16);
    int mismatch = 0;
    for (int w = 0; w < WINDOWS; w++) {
        RCDecoder dec;
        rc_dec_init(&dec, in + (size_t)w * WINDOW_BYTES, WINDOW_BYTES);
        /* A window of WINDOW_BYTES holds fewer than 8 * WINDOW_BYTES / 4 flags + symbols;
         * the bound keeps a damaged window from looping long. */
        for (int i = 0; i < 8 * WINDOW_BYTES && rc_decode_bit(&dec, MORE_P0); i++) {
            mismatch |= rc_decode_cdf(&dec, cdf, 256, 16) != next;
            next = draw(r, cdf, 256, 16);
        }
        if ((ret = rc_dec_finish(&dec))) return ret;
    }
    return mismatch;
}

/* rANS recipes build their models and symbols up front. */
typedef struct RansCase {
    RCStaticModel models[3];
    unsigned nmodels;
    uint32_t *syms;
    uint16_t *idx;
    uint8_t *bytes;
    size_t n;
} RansCase;

static void rans_case_free(RansCase *rc)
{
    for (unsigned k = 0; k < 3; k++) rc_static_free(&rc->models[k]);
    free(rc->syms);
    free(rc->idx);
    free(rc->bytes);
}

static int rans_case_init(RansCase *rc, int id, EntRng *r)
{
    memset(rc, 0, sizeof(*rc));
    uint32_t cdf[257];
    unsigned prec[3] = {12, 16, 20}, n[3] = {256, 256, 256};
    if (id == ENT_RECIPE_RANS_MODELS) prec[0] = 8, n[0] = 16;
    rc->nmodels = id == ENT_RECIPE_RANS_BYTES ? 1 : 3;
    rc->n = 50001; /* not a multiple of the lane count */
    int ret = 0;
    for (unsigned k = 0; k < rc->nmodels && !ret; k++) {
        ret = peaked_cdf(r, cdf, n[k], prec[k]);
        if (!ret) ret = rc_static_init(&rc->models[k], cdf, n[k], prec[k]);
    }
    rc->syms = malloc(sizeof(*rc->syms) * rc->n);
    rc->idx = malloc(sizeof(*rc->idx) * rc->n);
    rc->bytes = malloc(rc->n);
    if (!ret && (!rc->syms || !rc->idx || !rc->bytes)) ret = NC_ENOMEM;
    for (size_t i = 0; i < rc->n && !ret; i++) {
        unsigned k = rc->nmodels == 1 ? 0 : (i / 100 + ent_rng_below(r, 2)) % 3;
        const RCStaticModel *m = &rc->models[k];
        rc->idx[i] = (uint16_t)k;
        rc->syms[i] = draw(r, m->cdf, m->nsyms, m->prec);
        rc->bytes[i] = (uint8_t)rc->syms[i];
    }
    if (ret) rans_case_free(rc);
    return ret;
}

static int rans_recipe_encode(int id, EntRng *r, uint8_t **out, size_t *size)
{
    RansCase rc;
    int ret = rans_case_init(&rc, id, r);
    if (ret) return ret;
    size_t cap = rans_encode_bound(rc.n, 20);
    uint8_t *buf = malloc(cap);
    ptrdiff_t got = NC_ENOMEM;
    if (buf)
        got = id == ENT_RECIPE_RANS_BYTES
                  ? rans_encode_bytes(&rc.models[0], rc.bytes, rc.n, buf, cap)
                  : rans_encode(rc.models, rc.nmodels, rc.idx, rc.syms, rc.n, buf, cap);
    rans_case_free(&rc);
    if (got < 0) {
        free(buf);
        return (int)got;
    }
    *out = buf;
    *size = (size_t)got;
    return 0;
}

static int rans_recipe_decode(int id, EntRng *r, const uint8_t *in, size_t size)
{
    RansCase rc;
    int ret = rans_case_init(&rc, id, r);
    if (ret) return ret;
    uint32_t *syms = malloc(sizeof(*syms) * rc.n);
    uint8_t *bytes = malloc(rc.n);
    ret = syms && bytes ? 0 : NC_ENOMEM;
    if (!ret && id == ENT_RECIPE_RANS_BYTES) {
        ret = rans_decode_bytes(&rc.models[0], in, size, bytes, rc.n);
        if (!ret && memcmp(bytes, rc.bytes, rc.n)) ret = 1;
    } else if (!ret) {
        ret = rans_decode(rc.models, rc.nmodels, rc.idx, in, size, syms, rc.n);
        if (!ret && memcmp(syms, rc.syms, sizeof(*syms) * rc.n)) ret = 1;
    }
    free(syms);
    free(bytes);
    rans_case_free(&rc);
    return ret;
}

int ent_recipe_encode(int id, uint64_t seed, uint8_t **out, size_t *size)
{
    if (!ent_recipe_name(id)) return NC_EINVAL;
    EntRng r = {seed};
    if (id == ENT_RECIPE_RANS_BYTES || id == ENT_RECIPE_RANS_MODELS)
        return rans_recipe_encode(id, &r, out, size);
    RCEncoder enc;
    rc_enc_init(&enc);
    int ret;
    if (id == ENT_RECIPE_WINDOWS) {
        ret = windows_encode(&r, &enc);
    } else {
        Coder c = {&enc, NULL, 0};
        ret = range_recipes[id](&c, &r);
        if (!ret) ret = rc_enc_flush(&enc);
    }
    if (ret) {
        rc_enc_free(&enc);
        return ret;
    }
    *out = enc.buf; /* hand the growable buffer over */
    *size = enc.size;
    return 0;
}

int ent_recipe_decode(int id, uint64_t seed, const uint8_t *in, size_t size)
{
    if (!ent_recipe_name(id)) return NC_EINVAL;
    EntRng r = {seed};
    if (id == ENT_RECIPE_RANS_BYTES || id == ENT_RECIPE_RANS_MODELS)
        return rans_recipe_decode(id, &r, in, size);
    if (id == ENT_RECIPE_WINDOWS) return windows_decode(&r, in, size);
    RCDecoder dec;
    rc_dec_init(&dec, in, size);
    Coder c = {NULL, &dec, 0};
    int ret = range_recipes[id](&c, &r);
    if (ret) return ret;
    ret = rc_dec_finish(&dec);
    return ret ? ret : c.mismatch;
}
