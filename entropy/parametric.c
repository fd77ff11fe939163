/* Parametric distribution tables: CDFs of discretized Laplace, Gaussian and logistic
 * distributions, computed in fixed point (entropy/fixed_math.h). */
#include "entropy/parametric.h"

#include <stdlib.h>
#include <string.h>

#include "entropy/cdf.h"
#include "entropy/escape.h"
#include "entropy/fixed_math.h"

#define MAX_TABLE_ENTRIES ((uint64_t)1 << 24) /* all CDFs together: 64 MiB */
#define INV_SQRT2_Q32 3037000500ULL          /* round(2^32 / sqrt(2)) */

void rc_param_config_default(RCParamConfig *cfg, int dist)
{
    cfg->dist = dist;
    cfg->prec = 16;
    cfg->num_scales = 64;
    cfg->scale_min_q16 = 7209; /* 0.11 */
    cfg->steps_per_octave = 8;
    cfg->mean_frac_bits = 0;
    cfg->max_tail = 255;
    cfg->escape_k = 0;
}

/* Lower tail mass F(mu - a) of the distribution for a >= 0 given as a / scale in Q32. */
static uint64_t lower_tail(int dist, uint64_t ratio_q32)
{
    switch (dist) {
    case RC_DIST_LAPLACE:
        return rc_fx_exp_neg(ratio_q32) / 2;
    case RC_DIST_GAUSSIAN: {
        /* z = ratio / sqrt(2); erfc is 0 past 12, so clamp before multiplying. */
        if (ratio_q32 >= ((uint64_t)17 << 32)) return 0;
        uint64_t z = (ratio_q32 >> 8) * INV_SQRT2_Q32 >> 24;
        return rc_fx_erfc(z) / 2;
    }
    default: { /* logistic: e / (1 + e) with e = exp(-ratio) */
        uint64_t e = rc_fx_exp_neg(ratio_q32) >> 1; /* Q31, so e << 32 fits */
        return (e << 32) / (RC_FX_ONE / 2 + e);
    }
    }
}

/* F(x) in Q32 at x = pos_q16 / 2^16 relative to the mean, for the given scale. */
static uint64_t cdf_at(int dist, int64_t pos_q16, uint32_t scale_q16)
{
    uint64_t a = (uint64_t)(pos_q16 < 0 ? -pos_q16 : pos_q16); /* < 2^30 */
    uint64_t ratio = (a << 32) / scale_q16;                    /* may be huge: clamp */
    if (ratio > ((uint64_t)64 << 32)) ratio = (uint64_t)64 << 32;
    uint64_t tail = lower_tail(dist, ratio);
    return pos_q16 < 0 ? tail : RC_FX_ONE - tail;
}

static int config_ok(const RCParamConfig *c)
{
    return c->dist >= RC_DIST_LAPLACE && c->dist <= RC_DIST_LOGISTIC && c->prec >= 8 &&
           c->prec <= 16 && c->num_scales >= 1 && c->num_scales <= 1024 &&
           c->scale_min_q16 >= 256 && c->steps_per_octave >= 1 && c->steps_per_octave <= 64 &&
           c->mean_frac_bits <= 4 && c->max_tail >= 1 && c->max_tail <= 4096 && c->escape_k <= 16;
}

/* scale_min * 2^(i / steps) in Q16, or 0 if it does not fit in 32 bits. */
static uint32_t ladder_scale(const RCParamConfig *c, unsigned i)
{
    unsigned octave = i / c->steps_per_octave, step = i % c->steps_per_octave;
    /* 2^(step/steps) = 2 * exp(-(1 - step/steps) ln 2), Q32. */
    uint64_t frac_q32 = ((uint64_t)(c->steps_per_octave - step) << 32) / c->steps_per_octave;
    uint64_t ln2_q32 = 2977044472ULL; /* round(2^32 ln 2) */
    uint64_t mant = 2 * rc_fx_exp_neg((frac_q32 >> 16) * ln2_q32 >> 16); /* [1, 2) Q32 */
    uint64_t s = ((uint64_t)c->scale_min_q16 * mant) >> 32;
    if (octave >= 32 || (s << octave) >> 32) return 0;
    return (uint32_t)(s << octave);
}

/* Support half-width for a scale: the smallest tail whose outer mass beyond
 * tail + 1/2 (on one side, mean at 0) is below 2^-(prec + 1), capped at max_tail. */
static uint32_t choose_tail(const RCParamConfig *c, uint32_t scale_q16)
{
    uint64_t limit = RC_FX_ONE >> (c->prec + 1);
    uint32_t tail = 1;
    while (tail < c->max_tail &&
           cdf_at(c->dist, -(((int64_t)tail << 16) + (1 << 15)), scale_q16) >= limit)
        tail++;
    return tail;
}

void rc_param_free(RCParamTables *t)
{
    free(t->scale_q16);
    free(t->tail);
    free(t->cdf_offset);
    free(t->cdf_pool);
    memset(t, 0, sizeof(*t));
}

/* One table: weights of d in [-tail, tail] and of the escape, then quantized. */
static int build_table(const RCParamConfig *c, uint32_t scale_q16, unsigned frac, uint32_t tail,
                       uint32_t *cdf, uint64_t *w)
{
    int64_t mu_q16 = (int64_t)frac << (16 - c->mean_frac_bits);
    uint64_t prev = cdf_at(c->dist, -((int64_t)tail << 16) - (1 << 15) - mu_q16, scale_q16);
    uint64_t below = prev;
    for (uint32_t k = 0; k <= 2 * tail; k++) {
        int64_t d = (int64_t)k - tail;
        uint64_t next = cdf_at(c->dist, d * 65536 + (1 << 15) - mu_q16, scale_q16);
        w[k] = next > prev ? next - prev : 0;
        prev = next > prev ? next : prev;
    }
    w[2 * tail + 1] = below + (RC_FX_ONE - prev);
    return rc_cdf_from_weights(cdf, w, 2 * tail + 2, c->prec, 0);
}

int rc_param_init(RCParamTables *t, const RCParamConfig *cfg)
{
    memset(t, 0, sizeof(*t));
    if (!cfg || !config_ok(cfg)) return NC_EINVAL;
    t->cfg = *cfg;
    unsigned nfrac = 1u << cfg->mean_frac_bits, ntables = cfg->num_scales * nfrac;
    t->scale_q16 = malloc(sizeof(*t->scale_q16) * cfg->num_scales);
    t->tail = malloc(sizeof(*t->tail) * ntables);
    t->cdf_offset = malloc(sizeof(*t->cdf_offset) * ntables);
    if (!t->scale_q16 || !t->tail || !t->cdf_offset) goto nomem;

    uint64_t entries = 0;
    for (unsigned i = 0; i < cfg->num_scales; i++) {
        t->scale_q16[i] = ladder_scale(cfg, i);
        if (!t->scale_q16[i]) goto inval;
        uint32_t tail = choose_tail(cfg, t->scale_q16[i]);
        for (unsigned f = 0; f < nfrac; f++) {
            t->tail[i * nfrac + f] = tail;
            t->cdf_offset[i * nfrac + f] = (uint32_t)entries;
            entries += 2 * (uint64_t)tail + 3;
        }
        if (entries > MAX_TABLE_ENTRIES) goto inval;
    }
    t->cdf_pool = malloc(sizeof(*t->cdf_pool) * entries);
    uint64_t *w = malloc(sizeof(*w) * (2 * (size_t)cfg->max_tail + 2));
    if (!t->cdf_pool || !w) {
        free(w);
        goto nomem;
    }
    int ret = 0;
    for (unsigned k = 0; k < ntables && !ret; k++)
        ret = build_table(cfg, t->scale_q16[k / nfrac], k % nfrac, t->tail[k],
                          t->cdf_pool + t->cdf_offset[k], w);
    free(w);
    if (ret) {
        rc_param_free(t);
        return ret;
    }
    return 0;
nomem:
    rc_param_free(t);
    return NC_ENOMEM;
inval:
    rc_param_free(t);
    return NC_EINVAL;
}

unsigned rc_param_scale_index(const RCParamTables *t, uint32_t scale_q16)
{
    /* First i whose geometric midpoint to i + 1 is above scale: compare squares. */
    uint64_t s2 = (uint64_t)scale_q16 * scale_q16;
    unsigned lo = 0, hi = t->cfg.num_scales - 1;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if ((uint64_t)t->scale_q16[mid] * t->scale_q16[mid + 1] > s2)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* floor(mean_q / 2^bits) and the fractional step. */
static int64_t split_mean(int32_t mean_q, unsigned bits, unsigned *frac)
{
    int64_t m = mean_q, one = (int64_t)1 << bits;
    int64_t whole = m >= 0 ? m / one : -((-m + one - 1) / one);
    *frac = (unsigned)(m - whole * one);
    return whole;
}

const uint32_t *rc_param_cdf(const RCParamTables *t, unsigned scale_idx, int32_t mean_q,
                             unsigned *nsyms, unsigned *tail)
{
    if (scale_idx >= t->cfg.num_scales) return NULL;
    unsigned frac;
    split_mean(mean_q, t->cfg.mean_frac_bits, &frac);
    unsigned k = (scale_idx << t->cfg.mean_frac_bits) + frac;
    *tail = t->tail[k];
    *nsyms = 2 * t->tail[k] + 2;
    return t->cdf_pool + t->cdf_offset[k];
}

void rc_encode_param(RCEncoder *enc, const RCParamTables *t, unsigned scale_idx,
                     int32_t mean_q, int32_t value)
{
    unsigned nsyms, tail, frac;
    const uint32_t *cdf = rc_param_cdf(t, scale_idx, mean_q, &nsyms, &tail);
    if (!cdf) {
        rc_enc_fail(enc, NC_EINVAL);
        return;
    }
    int64_t d = (int64_t)value - split_mean(mean_q, t->cfg.mean_frac_bits, &frac);
    if (d >= -(int64_t)tail && d <= (int64_t)tail) {
        rc_encode_cdf(enc, cdf, nsyms, t->cfg.prec, (unsigned)(d + tail));
        return;
    }
    rc_encode_cdf(enc, cdf, nsyms, t->cfg.prec, nsyms - 1);
    rc_encode_bits(enc, d < 0, 1);
    uint64_t mag = (uint64_t)(d < 0 ? -d : d) - tail - 1; /* < 2^32 */
    rc_encode_expgolomb(enc, (uint32_t)mag, t->cfg.escape_k);
}

int32_t rc_decode_param(RCDecoder *dec, const RCParamTables *t, unsigned scale_idx,
                        int32_t mean_q)
{
    unsigned nsyms, tail, frac;
    const uint32_t *cdf = rc_param_cdf(t, scale_idx, mean_q, &nsyms, &tail);
    if (!cdf) {
        dec->error = NC_EINVALIDDATA;
        return 0;
    }
    int64_t base = split_mean(mean_q, t->cfg.mean_frac_bits, &frac);
    unsigned s = rc_decode_cdf(dec, cdf, nsyms, t->cfg.prec);
    int64_t d;
    if (s < nsyms - 1) {
        d = (int64_t)s - tail;
    } else {
        int negative = (int)rc_decode_bits(dec, 1);
        int64_t mag = (int64_t)rc_decode_expgolomb(dec, t->cfg.escape_k) + tail + 1;
        d = negative ? -mag : mag;
    }
    int64_t v = base + d;
    if (v < INT32_MIN || v > INT32_MAX) {
        dec->error = NC_EINVALIDDATA;
        return 0;
    }
    return (int32_t)v;
}
