/* Context-adaptive coding of WaLLoC latents (latent_coder.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/walloc/latent_coder.h"
#include "entropy/adaptive_cdf.h"
#include "libnc/nn/simd.h"
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
 * the contexts of the channel being coded. The kind, a constant where each entry
 * point sets it, selects the path at compile time (the coder pointers could be
 * NULL as far as the compiler knows, so testing them stays in the loop). */
enum PassKind { PASS_ENCODE, PASS_DECODE, PASS_COUNT };
typedef struct Pass {
    enum PassKind kind;
    RCEncoder *enc;
    RCEncoderRegs regs; /* encoding pass: enc's state, in registers */
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

/* The cross-channel bucket at each of n places: of s, the sum over the reference
 * channels' 5-point activity r[j] (a channel of zeros stands in for missing ones),
 * 0 where s = 0, 1 up to limit (3 per reference), 2 above. One pass over the
 * channel before it is coded, without branches, so it vectorizes. */
static void cross_buckets(const uint8_t *const r[WALLOC_REFS], int limit, size_t n, uint8_t *pb)
{
    for (size_t i = 0; i < n; i++) {
        int sum = r[0][i] + r[1][i] + r[2][i] + r[3][i];
        pb[i] = (uint8_t)((sum > 0) + (sum > limit));
    }
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

/* floor(log2 v), 0 for v = 0 (a loop over the bits would cost one step per bit
 * of every magnitude the encoder codes or weighs). */
static int ilog2(uint32_t v)
{
#if defined(__GNUC__)
    return v ? 31 - __builtin_clz(v) : 0;
#else
    int n = 0;
    while (v >>= 1) n++;
    return n;
#endif
}

/* One binary decision with context k: coded, decoded or counted. Every context
 * adapts at CTX_RATE (contexts_alloc()): the constant folds the rate rule. */
static inline __attribute__((always_inline)) int bin(Pass *p, int k, int bit)
{
    RCBinContext *ctx = &p->ctx[k];
    if (p->kind == PASS_COUNT) {
        p->counts[2 * k + bit]++;
        return bit;
    }
    if (p->kind == PASS_ENCODE) {
        rc_regs_encode_bin_at(p->enc, &p->regs, ctx, bit, CTX_RATE);
        return bit;
    }
    bit = rc_decode_bit(p->dec, ctx->p0 >> RC_BIN_SHIFT);
    rc_bin_update_at(ctx, bit, CTX_RATE);
    return bit;
}
static inline __attribute__((always_inline)) uint32_t bypass(Pass *p, uint32_t bits, unsigned n)
{
    if (p->kind == PASS_DECODE) return rc_decode_bits(p->dec, n);
    if (p->kind == PASS_ENCODE) rc_regs_encode_bits(p->enc, &p->regs, bits, n);
    return bits;
}

/* Codes (or decodes, or counts) one value: v is the value to code, or ignored. */
static inline __attribute__((always_inline)) int32_t code_value(Pass *p, int sb, int pb, int32_t v)
{
    uint32_t a = v < 0 ? (uint32_t)-v : (uint32_t)v;
    if (!bin(p, sb * CROSS_CTX + pb, a != 0)) return 0;
    int negative = (int)bypass(p, v < 0, 1);
    int act = sb + pb < ACTIVITY_CTX ? sb + pb : ACTIVITY_CTX - 1;
    int n = p->kind == PASS_DECODE ? 0 : ilog2(a), i = 0;
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

/* 2 + floor(log2 a) for 0 < a < 2^24, 0 for a = 0: the rough bit count of
 * choose_prediction(), read from the exponent of (float)a (exact below 2^24) so
 * that the loops below vectorize. */
static inline int32_t rough_bits(uint32_t a)
{
    float f = (float)a;
    uint32_t u;
    memcpy(&u, &f, sizeof(u));
    int32_t n = (int32_t)(u >> 23) - 125; /* -125 for a = 0 */
    return n > 0 ? n : 0;
}

/* choose_prediction()'s sums over one row but its first value: plain and residual
 * bits, and the largest |residual| (caught by the caller when out of range).
 * Integer code: every version NN_SIMD_CLONES makes gives the same sums. */
NN_SIMD_CLONES
static void prediction_row(const int32_t *row, const int32_t *up, int w, int32_t *plain,
                           int32_t *residual, uint32_t *worst)
{
    int32_t p = 0, r = 0;
    uint32_t m = 0;
    for (int x = 1; x < w; x++) {
        int32_t v = row[x], l = row[x - 1], t = up[x], tl = up[x - 1];
        /* predict() as the median of l, t and l + t - tl, without branches */
        int32_t lo = l < t ? l : t, hi = l < t ? t : l, g = l + t - tl;
        g = g < hi ? g : hi;
        int32_t e = v - (g > lo ? g : lo);
        uint32_t av = (uint32_t)(v < 0 ? -v : v), ae = (uint32_t)(e < 0 ? -e : e);
        p += rough_bits(av);
        r += rough_bits(ae);
        m = ae > m ? ae : m;
    }
    *plain += p, *residual += r;
    *worst = m > *worst ? m : *worst;
}

/* Whether the encoder codes channel q as residuals from predict(): when the
 * residuals are smaller by a rough bit count, and all fit the coder's range.
 * q holds values within +-WALLOC_MAX_MAG, so residuals stay within 2^22 and
 * their sums (at most 24 per value) within int64. */
static int choose_prediction(const int32_t *q, int w, int h)
{
    int64_t plain = 0, residual = 0;
    uint32_t worst = 0;
    for (int y = 0; y < h; y++) {
        const int32_t *row = q + (size_t)y * w;
        int32_t p = 0, r = 0;
        /* The first row and column, where predict() reads zeros, one at a time. */
        for (int x = 0; x < (y ? 1 : w); x++) {
            int64_t e = row[x] - predict(q, w, x, y);
            uint32_t ae = (uint32_t)(e < 0 ? -e : e);
            p += rough_bits((uint32_t)(row[x] < 0 ? -row[x] : row[x]));
            r += rough_bits(ae);
            worst = ae > worst ? ae : worst;
        }
        if (y) prediction_row(row, row - w, w, &p, &r, &worst);
        plain += p, residual += r;
    }
    return worst <= WALLOC_MAX_MAG && (double)residual < 0.9 * (double)plain;
}

void walloc_layout(int latents, int levels, int *order, int (*refs)[WALLOC_REFS])
{
    const int side = 1 << levels, per = side * side;
    for (int c = 0; c < latents; c++) {
        order[c] = c;
        for (int j = 0; j < WALLOC_REFS; j++) refs[c][j] = -1;
        refs[c][0] = c - 1;
    }
    if (levels < 1 || latents != 3 * per) return;
    /* Band f in frequency order is packet band f ^ (f >> 1) (the Gray code) per axis. */
    int i = 0;
    for (int k = 0; k < 3; k++)
        for (int fy = 0; fy < side; fy++)
            for (int fx = 0; fx < side; fx++) {
                int gy = fy ^ (fy >> 1), gx = fx ^ (fx >> 1), r = 0;
                int c = k * per + gy * side + gx;
                order[i++] = c;
                refs[c][0] = -1;
                for (int before = 0; before < k; before++) refs[c][r++] = before * per + gy * side + gx;
                if (fx) refs[c][r++] = k * per + gy * side + ((fx - 1) ^ ((fx - 1) >> 1));
                if (fy) refs[c][r++] = k * per + ((fy - 1) ^ ((fy - 1) >> 1)) * side + gx;
            }
}

/* Rate-distortion quantization (WallocRdo): costs in 1/4096 bit of a bit whose
 * probability is (i + 1/2) / 4096, from integer arithmetic only, so the encoder
 * chooses the same values with every compiler and libm. */
#define COST_BITS 12
static void cost_table(uint16_t cost[1 << COST_BITS])
{
    for (int i = 0; i < 1 << COST_BITS; i++) {
        /* -log2((2i + 1) / 2^(COST_BITS + 1)) = COST_BITS + 1 - log2(2i + 1) */
        uint64_t m = 2 * (uint64_t)i + 1;
        int n = 0;
        while (m >> (n + 1)) n++;
        uint64_t y = m << (30 - n); /* m / 2^n in [1, 2), 30 fraction bits */
        uint32_t frac = 0;
        for (int b = 0; b < COST_BITS; b++) {
            y = y * y >> 30;
            frac <<= 1;
            if (y >= (uint64_t)2 << 30) y >>= 1, frac |= 1;
        }
        cost[i] = (uint16_t)(((COST_BITS + 1 - n) << COST_BITS) - frac);
    }
}

/* The cost tables' entry for a bit under a context whose p0 is p0. */
static uint32_t bin_index(uint32_t p0, int bit)
{
    uint32_t p = bit ? ((uint32_t)1 << 31) - p0 : p0;
    return p >> (31 - COST_BITS);
}

static uint32_t bin_cost(const uint16_t *cost, const RCBinContext *ctx, int bit)
{
    return cost[bin_index(ctx->p0, bit)];
}

/* The costs rdo_value() weighs, in bits (cost_table()) and, for the zero flag,
 * already as lambda-weighted floats: zero[i] = unit * bits[i] and nonzero[i] =
 * unit * (bits[i] + the sign bit), the same float operations rdo_value() would
 * do per value, taken off its path; and rdo_keeps_pred()'s answer as bounds on
 * |y - pred| per zero-flag context probability (rdo_bounds()). */
typedef struct RdoCosts {
    uint16_t bits[1 << COST_BITS];
    float zero[1 << COST_BITS], nonzero[1 << COST_BITS];
    float keep[2 << COST_BITS], weigh[2 << COST_BITS]; /* by bound_index() */
    float unit; /* lambda per 1/4096 bit */
} RdoCosts;

static void rdo_costs(RdoCosts *rc, float lambda)
{
    cost_table(rc->bits);
    rc->unit = lambda * (1.0f / (1 << COST_BITS));
    for (int i = 0; i < 1 << COST_BITS; i++) {
        rc->zero[i] = rc->unit * (float)rc->bits[i];
        rc->nonzero[i] = rc->unit * (float)(rc->bits[i] + (1u << COST_BITS));
    }
}

/* What code_value() would spend on a non-zero value of magnitude a, in 1/4096 bit. */
static uint32_t value_cost(const uint16_t *cost, const RCBinContext *ctx, int sb, int pb, uint32_t a)
{
    uint32_t bits = bin_cost(cost, &ctx[sb * CROSS_CTX + pb], 1);
    int act = sb + pb < ACTIVITY_CTX ? sb + pb : ACTIVITY_CTX - 1, n = ilog2(a);
    bits += 1u << COST_BITS; /* sign */
    for (int i = 0; i <= n && i < WALLOC_MAG_BITS - 1; i++)
        bits += bin_cost(cost,
                         &ctx[ZERO_CTXS + act * PREFIX_CTX + (i < PREFIX_CTX ? i : PREFIX_CTX - 1)],
                         i < n);
    if (n >= 1) bits += bin_cost(cost, &ctx[ZERO_CTXS + PREFIX_CTXS + n], (a >> (n - 1)) & 1);
    if (n >= 2) bits += (uint32_t)(n - 1) << COST_BITS;
    return bits;
}

/* The value the encoder codes for y once pred has not won outright
 * (rdo_keeps_pred()): out of line, so the loop around the common case keeps its
 * values in registers. pred is within +-WALLOC_MAX_MAG (the median predictor
 * stays between two coded values), and every candidate is kept where both it and
 * its residual are. */
static __attribute__((noinline)) int32_t rdo_weigh(const RdoCosts *rc, const RCBinContext *ctx,
                                                   int sb, int pb, float y, int64_t pred)
{
    const uint16_t *cost = rc->bits;
    const float unit = rc->unit;
    const RCBinContext *zero = &ctx[sb * CROSS_CTX + pb];
    const int64_t lo_end = pred > 0 ? pred - WALLOC_MAX_MAG : -WALLOC_MAX_MAG;
    const int64_t hi_end = pred < 0 ? pred + WALLOC_MAX_MAG : WALLOC_MAX_MAG;
    float yc = y > (float)hi_end ? (float)hi_end : y < (float)lo_end ? (float)lo_end : y == y ? y : 0;
    float e = yc - (float)pred;
    float best_j = e * e + rc->zero[bin_index(zero->p0, 0)];
    /* floor(yc) without a libm call: yc is within +-2^21, so the conversion
     * (toward zero) is exact and one below it where yc has a fraction below 0 */
    int64_t lo = (int64_t)yc;
    lo -= yc < (float)lo;
    int64_t cand[2] = {lo, lo < hi_end ? lo + 1 : lo};
    int32_t best = (int32_t)pred;
    for (int i = 0; i < 2; i++) {
        int64_t r = cand[i] - pred;
        if (!r) continue;
        float d = yc - (float)cand[i];
        float j = d * d + unit * (float)value_cost(cost, ctx, sb, pb, (uint32_t)(r < 0 ? -r : r));
        if (j < best_j) best_j = j, best = (int32_t)cand[i];
    }
    return best;
}

/* Whether the encoder codes pred for y (WallocRdo) without weighing: the value
 * coded is the best of pred (a zero residual; pred is 0 outside predicted
 * channels), floor(y) and floor(y) + 1, the first on ties, and within one of
 * pred the others cost at least the "not zero" bit and the sign: where pred wins
 * even so (most values), nothing more to do. p0: the zero flag's context's.
 * The test itself, which rdo_keeps_pred() below answers from bounds for nearly
 * every value. */
static __attribute__((noinline)) int rdo_keeps_exact(const RdoCosts *rc, uint32_t p0, float ae)
{
    return ae < 1 && ae * ae + rc->zero[bin_index(p0, 0)] <=
                         (1 - ae) * (1 - ae) + rc->nonzero[bin_index(p0, 1)];
}

/* rdo_keeps_exact() is true for ae up to a threshold and false above it, for a
 * given p0: its left side grows with ae and its right side shrinks (float
 * rounding keeps both monotonic). It reads p0 through bin_index(p0, 0) = p0 >> 19
 * and bin_index(p0, 1), which is 4095 - (p0 >> 19), or 4096 - (p0 >> 19) where p0
 * is a multiple of 2^19 (a difference of bits that matters for a likely zero),
 * so through bound_index(p0) = 2 (p0 >> 19) + (p0 not a multiple of 2^19). Per
 * bound index, keep[] holds a value at which it holds and weigh[] one at which it
 * fails, both checked with rdo_keeps_exact() itself: for ae <= keep it holds, for
 * ae >= weigh it fails, and only the rare ae between need the exact test. The
 * bounds are the algebraic threshold (1 + nonzero - zero) / 2 moved by far more
 * than the float rounding can shift it; a bound that failed its check (never
 * seen) would fall back to one that holds trivially (-1, 1). */
static inline uint32_t bound_index(uint32_t p0)
{
    const uint32_t u = (uint32_t)1 << (31 - COST_BITS);
    return (p0 >> (31 - COST_BITS)) + ((p0 + u - 1) >> (31 - COST_BITS));
}

static void rdo_bounds(RdoCosts *rc)
{
    const uint32_t u = (uint32_t)1 << (31 - COST_BITS);
    for (uint32_t i = 0; i < 2u << COST_BITS; i++) {
        uint32_t p0 = (i >> 1) * u + (i & 1);
        float keep = -1, weigh = 1;
        if (p0) { /* 0 is no context's p0 (they stay within [2^15, 2^31 - 2^15]) */
            double z = rc->zero[bin_index(p0, 0)], n = rc->nonzero[bin_index(p0, 1)];
            double margin = 1e-6 * (1 + fabs(z) + fabs(n));
            keep = (float)((1 + n - z) / 2 - margin);
            weigh = (float)((1 + n - z) / 2 + margin);
            keep = keep < 0 ? 0 : keep < 1 ? keep : 0x1.fffffep-1f; /* the float below 1 */
            if (!rdo_keeps_exact(rc, p0, keep)) keep = -1;
            if (weigh >= 1 || rdo_keeps_exact(rc, p0, weigh)) weigh = 1;
        }
        rc->keep[i] = keep;
        rc->weigh[i] = weigh;
    }
}

static inline int rdo_keeps_pred(const RdoCosts *rc, uint32_t p0, float y, int64_t pred)
{
    float ae = fabsf(y - (float)pred);
    uint32_t i = bound_index(p0);
    if (ae <= rc->keep[i]) return 1;
    if (!(ae < rc->weigh[i])) return 0; /* NaN too */
    return rdo_keeps_exact(rc, p0, ae);
}

/* The row above's part of the spatial sums of row m (magnitudes, stride apart),
 * in one pass; the loops keep the left neighbour's magnitude in a register. */
static inline void spatial_above(const uint8_t *m, int stride, int w, uint8_t *up)
{
    const uint8_t *above = m - stride;
    for (int x = 0; x < w; x++) up[x] = (uint8_t)(2 * above[x] + above[x - 1] + above[x + 1]);
}

/* Codes (decodes, counts) the values of one channel, qc, in raster order; cur:
 * its magnitudes plane (stride w + 2), pbs: its cross-channel buckets, up: w
 * bytes of scratch; yc: WallocRdo's projection for it, or NULL; predicted: its
 * values are coded as residuals from predict(). */
static inline __attribute__((always_inline)) void
code_channel(Pass *pass, int32_t *qc, int w, int h, uint8_t *cur, const uint8_t *pbs, uint8_t *up,
             const uint8_t *sb_of, const RdoCosts *cost, const float *yc, int predicted)
{
    const int stride = w + 2;
    for (int y = 0; y < h; y++) {
        spatial_above(cur + y * stride, stride, w, up);
        int left = 0;
        for (int x = 0; x < w; x++) {
            int sb = sb_of[2 * left + up[x]];
            int pb = pbs[y * w + x];
            int64_t pred = predicted ? predict(qc, w, x, y) : 0;
            if (yc) {
                RCBinContext *zc = &pass->ctx[sb * CROSS_CTX + pb];
                qc[y * w + x] = rdo_keeps_pred(cost, zc->p0, yc[y * w + x], pred)
                                    ? (int32_t)pred
                                    : rdo_weigh(cost, pass->ctx, sb, pb, yc[y * w + x], pred);
            }
            int32_t v = pass->kind == PASS_DECODE ? 0 : (int32_t)(qc[y * w + x] - pred);
            v = code_value(pass, sb, pb, v);
            if (pass->kind == PASS_DECODE) {
                int64_t d = v + pred; /* hostile streams: keep values in range */
                qc[y * w + x] = (int32_t)(d > WALLOC_MAX_MAG ? WALLOC_MAX_MAG
                                          : d < -WALLOC_MAX_MAG ? -WALLOC_MAX_MAG : d);
            }
            cur[y * stride + x] = (uint8_t)(left = mag(v));
        }
    }
}

/* The values rdo_keeps_pred() does not settle, in encode_channel(): weighed and
 * coded out of line (p: a copy of the pass, whose address may escape). */
static __attribute__((noinline)) int32_t encode_weighed(Pass *p, const RdoCosts *cost,
                                                        int32_t *q, int sb, int pb, float y)
{
    *q = rdo_weigh(cost, p->ctx, sb, pb, y, 0);
    return code_value(p, sb, pb, *q);
}

/* code_channel() for the encoder with the RDO on a channel coded without
 * prediction (nearly all of them): the same decisions and bits, with the values
 * the RDO keeps at zero (92% at quality 72), which cost the zero flag's 0 alone,
 * on a path of their own that reads the flag's context once for the test and the
 * coding, and the others out of line, so that the loop keeps the coder's state
 * and its pointers in registers. */
static inline __attribute__((always_inline)) void
encode_channel(Pass *pass, int32_t *qc, int w, int h, uint8_t *cur, const uint8_t *pbs,
               uint8_t *up, const uint8_t *sb_of, const RdoCosts *cost, const float *yc)
{
    const int stride = w + 2;
    RCEncoder *enc = pass->enc;
    RCBinContext *ctx = pass->ctx;
    RCEncoderRegs r = pass->regs;
    for (int y = 0; y < h; y++) {
        uint8_t *m = cur + y * stride;
        const uint8_t *pb = pbs + (size_t)y * w;
        const float *yr = yc + (size_t)y * w;
        int32_t *q = qc + (size_t)y * w;
        spatial_above(m, stride, w, up);
        int left = 0;
        for (int x = 0; x < w; x++) {
            int sb = sb_of[2 * left + up[x]];
            RCBinContext *zc = &ctx[sb * CROSS_CTX + pb[x]];
            uint32_t p0 = zc->p0;
            if (rdo_keeps_pred(cost, p0, yr[x], 0)) {
                rc_regs_encode_bin_at(enc, &r, zc, 0, CTX_RATE);
                q[x] = 0;
                m[x] = (uint8_t)(left = 0);
                continue;
            }
            Pass slow = *pass;
            slow.regs = r;
            int32_t v = encode_weighed(&slow, cost, &q[x], sb, pb[x], yr[x]);
            r = slow.regs;
            m[x] = (uint8_t)(left = mag(v));
        }
    }
    pass->regs = r;
}

/* Magnitudes min(|v|, 15) of the coded values of the channel being coded
 * (residuals for predicted channels) live in a plane with a zero border of one,
 * so neighbours need no bounds checks; once a channel is coded, its cross-channel
 * activity (2 m + the four neighbours' m, at most 90) at every place is kept for
 * the channels that refer to it. Each channel starts with one bypass bit: 1 if
 * its values are coded as residuals from predict(). */
static inline __attribute__((always_inline)) int code_latents(Pass *pass, int32_t *q, int latents, int w, int h, const uint16_t *prior,
                        int levels, const WallocRdo *rdo)
{
    const int stride = w + 2;
    size_t plane = (size_t)w * h, padded = (size_t)stride * (h + 2);
    RCBinContext *cc = contexts_alloc(latents, prior);
    uint32_t *counts = pass->counts;
    uint8_t *mags = calloc(padded, 1), *act = malloc((size_t)latents * plane);
    uint8_t *zeros = calloc(plane, 1), *pbs = malloc(plane); /* cross_buckets() */
    uint8_t *up = malloc((size_t)w);
    int *order = malloc((size_t)latents * sizeof(*order));
    int(*refs)[WALLOC_REFS] = malloc((size_t)latents * sizeof(*refs));
    RdoCosts *cost = rdo ? malloc(sizeof(*cost)) : NULL;
    uint8_t sb_of[6 * 15 + 1];
    int ret =
        cc && mags && act && zeros && pbs && up && order && refs && (cost || !rdo) ? 0 : NC_ENOMEM;
    if (ret < 0) goto end;
    walloc_layout(latents, levels, order, refs);
    if (cost) rdo_costs(cost, rdo->lambda), rdo_bounds(cost);
    for (int i = 0; i <= 6 * 15; i++) sb_of[i] = (uint8_t)spatial_bucket(i);
    for (int i = 0; i < latents; i++) {
        const int c = order[i];
        int32_t *qc = q + c * plane;
        uint8_t *cur = mags + stride + 1;
        const uint8_t *rp[WALLOC_REFS];
        int nref = 0;
        for (int j = 0; j < WALLOC_REFS; j++)
            if (refs[c][j] >= 0) rp[nref++] = act + refs[c][j] * plane;
        for (int j = nref; j < WALLOC_REFS; j++) rp[j] = zeros;
        cross_buckets(rp, 3 * nref, plane, pbs);
        pass->ctx = cc + (size_t)c * WALLOC_CONTEXTS;
        if (counts) pass->counts = counts + (size_t)c * WALLOC_CONTEXTS * 2;
        int predicted = (int)bypass(pass, pass->kind == PASS_DECODE ? 0 : (uint32_t)choose_prediction(qc, w, h), 1);
        const float *yc = rdo ? rdo->y + c * plane : NULL;
        /* The loop specialized for the cases that change its work per value. */
        if (predicted)
            code_channel(pass, qc, w, h, cur, pbs, up, sb_of, cost, yc, 1);
        else if (pass->kind == PASS_ENCODE && yc)
            encode_channel(pass, qc, w, h, cur, pbs, up, sb_of, cost, yc);
        else
            code_channel(pass, qc, w, h, cur, pbs, up, sb_of, cost, NULL, 0);
        uint8_t *a = act + c * plane;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                const uint8_t *m = cur + y * stride + x;
                a[y * w + x] = (uint8_t)(2 * m[0] + m[-1] + m[1] + m[-stride] + m[stride]);
            }
    }
end:
    free(cc);
    free(mags);
    free(act);
    free(zeros);
    free(pbs);
    free(up);
    free(order);
    free(refs);
    free(cost);
    return ret;
}

int walloc_encode_latents(RCEncoder *enc, int32_t *q, int latents, int w, int h,
                          const uint16_t *prior, int levels, const WallocRdo *rdo)
{
    Pass p = {PASS_ENCODE, enc, rc_enc_regs(enc), NULL, NULL, NULL};
    int ret = code_latents(&p, q, latents, w, h, prior, levels, rdo && rdo->y ? rdo : NULL);
    rc_enc_put_regs(enc, p.regs);
    return ret;
}

int walloc_decode_latents(RCDecoder *dec, int32_t *q, int latents, int w, int h,
                          const uint16_t *prior, int levels)
{
    Pass p = {PASS_DECODE, NULL, {0, 0}, dec, NULL, NULL};
    return code_latents(&p, q, latents, w, h, prior, levels, NULL);
}

int walloc_count_latents(const int32_t *q, int latents, int w, int h, uint32_t *counts,
                         int levels)
{
    Pass p = {PASS_COUNT, NULL, {0, 0}, NULL, counts, NULL};
    return code_latents(&p, (int32_t *)q, latents, w, h, NULL, levels, NULL);
}
