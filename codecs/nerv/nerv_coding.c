/* Entropy coding of a nerv segment (nerv_coding.h; spec, "Segment packet"). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/nerv/nerv_coding.h"
#include "libnc/dsp/linsolve.h"
#include "nc/error.h"
#include "nc/log.h"

#define SCALE_BITS 7
#define GAIN_BITS 4
#define HIST_HALF 1023
#define FRACS (1 << NERV_MEAN_FRAC)

int nerv_tables_init(RCParamTables *t)
{
    RCParamConfig cfg;
    rc_param_config_default(&cfg, RC_DIST_LOGISTIC);
    cfg.num_scales = 96;      /* 1/8 .. ~460 */
    cfg.scale_min_q16 = 8192; /* 1/8 */
    cfg.steps_per_octave = 8;
    cfg.max_tail = 511;
    cfg.escape_k = 4;
    cfg.mean_frac_bits = NERV_MEAN_FRAC; /* mean 0's tables are those of versions 1 and 2 */
    return rc_param_init(t, &cfg);
}

/* floor(v / 2^k + 1/2): a level-0 offset in cells of a grid at scale 2^-k */
static int cells_of(int v, int k)
{
    return k ? (int)nerv_floor_div((int64_t)v + (1 << (k - 1)), (int64_t)1 << k) : v;
}

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Each level's first slice predicted by the reference's last slice of that level,
 * moved by the change of grid origin (spec §3). */
static void predict_latents(const NervShape *s, const NervRef *ref, NervSegment *seg)
{
    const NervLayout *lay = &seg->lay;
    for (int l = 0; l < s->levels; l++) {
        int k = s->scale_log2[l];
        int sx = cells_of(lay->ox - ref->ox, k), sy = cells_of(lay->oy - ref->oy, k);
        const int32_t *src = ref->last + ref->offset[l];
        int32_t *out = seg->yref + lay->offset[l];
        seg->gain[l] = NERV_GAIN_ONE;
        for (int i = 0; i < lay->lh[l]; i++) {
            const int32_t *row = src + (size_t)clampi(i + sy, 0, ref->lh[l] - 1) * ref->lw[l];
            for (int j = 0; j < lay->lw[l]; j++) *out++ = row[clampi(j + sx, 0, ref->lw[l] - 1)];
        }
    }
}

int nerv_segment_alloc(NervSegment *seg, const NervShape *s, int n, const int32_t *motion,
                       const NervRef *ref)
{
    memset(seg, 0, sizeof(*seg));
    seg->n = n;
    nerv_layout_init(&seg->lay, s, n, motion);
    seg->predicted = ref && ref->valid;
    size_t NL = seg->lay.offset[s->levels], NP = nerv_param_count(s);
    seg->motion = malloc(sizeof(int32_t) * 2 * (size_t)n);
    seg->wq = calloc(NP, sizeof(int32_t));
    seg->yq = calloc(NL + 1, sizeof(int32_t));
    if (seg->motion) memcpy(seg->motion, motion, sizeof(int32_t) * 2 * (size_t)n);
    int ok = seg->motion && seg->wq && seg->yq;
    if (ok && seg->predicted) {
        seg->wpred = calloc(NP, sizeof(int32_t));
        seg->yref = calloc(NL + 1, sizeof(int32_t));
        ok = seg->wpred && seg->yref;
        if (ok) {
            seg->mprev[0] = ref->motion[0], seg->mprev[1] = ref->motion[1];
            predict_latents(s, ref, seg);
        }
    }
    if (!ok) {
        nerv_segment_free(seg);
        return NC_ENOMEM;
    }
    return 0;
}

void nerv_segment_clear_local(NervSegment *seg)
{
    free(seg->local.v);
    memset(&seg->local, 0, sizeof(seg->local));
}

int nerv_segment_set_local(NervSegment *seg, const NervShape *s, int block_log2, unsigned warped,
                           const int32_t *v)
{
    nerv_segment_clear_local(seg);
    nerv_local_init(&seg->local, s, block_log2);
    seg->local.warped = warped;
    size_t count = (size_t)seg->n * seg->local.bw * seg->local.bh * 2;
    seg->local.v = malloc(sizeof(int32_t) * (count + 1));
    if (!seg->local.v) {
        memset(&seg->local, 0, sizeof(seg->local));
        return NC_ENOMEM;
    }
    if (v) memcpy(seg->local.v, v, sizeof(int32_t) * count);
    return 0;
}

void nerv_segment_free(NervSegment *seg)
{
    nerv_segment_clear_local(seg);
    free(seg->motion);
    free(seg->wq);
    free(seg->yq);
    free(seg->wpred);
    free(seg->yref);
    seg->wq = seg->yq = seg->motion = seg->wpred = seg->yref = NULL;
}

void nerv_predict_weights(const NervShape *s, const NervRef *ref, NervSegment *seg, int k,
                          int wexp)
{
    size_t off = nerv_tensor_offset(s, k), size = nerv_tensor_size(s, k);
    int sh = wexp - ref->wexp[k];
    for (size_t i = off; i < off + size; i++) {
        int64_t q = ref->wq[i]; /* moved to step 2^-wexp: exact, or to the nearest */
        q = sh >= 0 ? q * ((int64_t)1 << sh)
                    : nerv_floor_div(q + ((int64_t)1 << (-sh - 1)), (int64_t)1 << -sh);
        seg->wpred[i] = nerv_clamp_magnitude(q);
    }
}

int nerv_ref_set(NervRef *ref, const NervShape *s, const NervSegment *seg)
{
    const NervLayout *lay = &seg->lay;
    size_t total = 0, NP = nerv_param_count(s);
    for (int l = 0; l < s->levels; l++) {
        ref->offset[l] = total;
        total += (size_t)lay->lw[l] * lay->lh[l];
    }
    ref->offset[s->levels] = total;
    ref->valid = 0;
    int32_t *last = realloc(ref->last, sizeof(int32_t) * (total + 1));
    if (last) ref->last = last;
    int32_t *wq = realloc(ref->wq, sizeof(int32_t) * NP);
    if (wq) ref->wq = wq;
    if (!last || !wq) return NC_ENOMEM;
    for (int l = 0; l < s->levels; l++) {
        size_t size = (size_t)lay->lw[l] * lay->lh[l];
        const int32_t *d = seg->yq + lay->offset[l], *r = seg->yref ? seg->yref + lay->offset[l] : NULL;
        for (size_t i = 0; i < size; i++) {
            int64_t v = r ? nerv_predict(r[i], seg->gain[l]) : 0;
            for (int t = 0; t < lay->times[l]; t++) v += d[(size_t)t * size + i];
            ref->last[ref->offset[l] + i] = (int32_t)v; /* bounded by nerv_segment_latents */
        }
        ref->lw[l] = lay->lw[l], ref->lh[l] = lay->lh[l];
    }
    memcpy(ref->wq, seg->wq, sizeof(int32_t) * NP);
    memcpy(ref->wexp, seg->wexp, sizeof(ref->wexp));
    ref->ox = lay->ox, ref->oy = lay->oy;
    ref->motion[0] = seg->motion[2 * seg->n - 2];
    ref->motion[1] = seg->motion[2 * seg->n - 1];
    ref->valid = 1;
    return 0;
}

void nerv_ref_free(NervRef *ref)
{
    free(ref->last);
    free(ref->wq);
    memset(ref, 0, sizeof(*ref));
}

static int32_t mag(int32_t v) { return v < 0 ? -v : v; }

int nerv_latent_context(const NervLayout *lay, const int32_t *level, int t, int i, int j, int l)
{
    size_t lw = (size_t)lay->lw[l], size = lw * lay->lh[l];
    const int32_t *cur = level + (size_t)t * size;
    int32_t m = 0;
    if (j > 0) m += mag(cur[(size_t)i * lw + j - 1]);
    if (i > 0) m += mag(cur[(size_t)(i - 1) * lw + j]);
    if (t > 0) m += mag(cur[(size_t)i * lw + j - size]);
    return (t > 0 ? 4 : 0) + (m == 0 ? 0 : m == 1 ? 1 : m <= 3 ? 2 : 3);
}

/* The coded neighbours a mean is taken from, in tap order (0 where there is none). */
static void mean_inputs(const NervLayout *lay, const int32_t *level, int t, int i, int j, int l,
                        int32_t x[NERV_MEAN_TAPS])
{
    ptrdiff_t lw = lay->lw[l], size = lw * lay->lh[l];
    const int32_t *cur = level + t * size + i * lw + j;
    x[0] = j > 0 ? cur[-1] : 0;
    x[1] = i > 0 ? cur[-lw] : 0;
    x[2] = i > 0 && j > 0 ? cur[-lw - 1] : 0;
    x[3] = i > 0 && j + 1 < lw ? cur[-lw + 1] : 0;
    x[4] = t > 0 ? cur[-size] : 0;
}

int32_t nerv_latent_mean(const NervLayout *lay, const int32_t *level, int t, int i, int j, int l,
                         const int *tap)
{
    int32_t x[NERV_MEAN_TAPS];
    mean_inputs(lay, level, t, i, j, l, x);
    int64_t sum = 0;
    for (int k = 0; k < NERV_MEAN_TAPS; k++) sum += (int64_t)tap[k] * x[k];
    const int shift = NERV_TAP_FRAC - NERV_MEAN_FRAC; /* to the mean's step, to the nearest, halves up */
    int64_t m = nerv_floor_div(sum + (1 << (shift - 1)), (int64_t)1 << shift);
    const int64_t lim = (int64_t)NERV_MAX_MAGNITUDE << NERV_MEAN_FRAC;
    return (int32_t)(m > lim ? lim : m < -lim ? -lim : m);
}

void nerv_fit_taps(const NervShape *s, const NervLayout *lay, const int32_t *coded,
                   int tap[][2][NERV_MEAN_TAPS])
{
    const int lo = -(1 << (NERV_TAP_BITS - 1)), hi = (1 << (NERV_TAP_BITS - 1)) - 1;
    for (int l = 0; l < s->levels; l++) {
        const int32_t *level = coded + lay->offset[l];
        size_t lw = (size_t)lay->lw[l];
        for (int part = 0; part < 2; part++) {
            /* the first slice has no slice before it: its last tap stays 0 */
            int n = part ? NERV_MEAN_TAPS : NERV_MEAN_TAPS - 1;
            double a[NERV_MEAN_TAPS][NERV_MEAN_TAPS] = {{0}}, b[NERV_MEAN_TAPS] = {0};
            for (int k = 0; k < n; k++) a[k][k] = 1; /* a little ridge: no data gives 0 */
            for (int t = part; t < (part ? lay->times[l] : 1); t++)
                for (int i = 0; i < lay->lh[l]; i++)
                    for (int j = 0; j < lay->lw[l]; j++) {
                        int32_t x[NERV_MEAN_TAPS];
                        mean_inputs(lay, level, t, i, j, l, x);
                        double y = level[((size_t)t * lay->lh[l] + i) * lw + j];
                        for (int k = 0; k < n; k++) {
                            if (!x[k]) continue;
                            b[k] += x[k] * y;
                            for (int m = 0; m < n; m++) a[k][m] += (double)x[k] * x[m];
                        }
                    }
            dsp_solve_spd(n, &a[0][0], NERV_MEAN_TAPS, b); /* the ridge keeps a positive definite */
            for (int k = 0; k < NERV_MEAN_TAPS; k++) {
                long v = k < n ? lrint(ldexp(b[k], NERV_TAP_FRAC)) : 0;
                tap[l][part][k] = (int)(v < lo ? lo : v > hi ? hi : v);
            }
        }
    }
}

/* Bits of value v coded about mean_q at scale index sc (encoder estimates). */
static double value_bits(const RCParamTables *t, unsigned sc, int32_t mean_q, int32_t v)
{
    unsigned nsyms, tail;
    const uint32_t *cdf = rc_param_cdf(t, sc, mean_q, &nsyms, &tail);
    int64_t d = (int64_t)v - nerv_floor_div(mean_q, FRACS);
    if (d >= -(int64_t)tail && d <= (int64_t)tail) {
        uint32_t f = cdf[d + tail + 1] - cdf[d + tail];
        return t->cfg.prec - log2((double)f);
    }
    uint32_t f = cdf[nsyms] - cdf[nsyms - 1];
    uint64_t m = (uint64_t)(d < 0 ? -d : d) - tail - 1;
    int k = (int)t->cfg.escape_k, len = 0;
    while ((m >> k) + 1 >= (2ull << len)) len++;
    return t->cfg.prec - log2((double)f) + 1 + 2 * len + 1 + k;
}

/* The values of one context, by their mean's fraction f and their distance d from
 * its floor; the scale index coding them in the fewest bits, and its cost. */
typedef struct Outside {
    int32_t d;
    uint8_t f;
} Outside;

typedef struct Hist {
    uint32_t count[FRACS][2 * HIST_HALF + 1];
    Outside *outside;
    size_t n_outside, cap_outside;
    size_t total;
} Hist;

static void hist_add(Hist *h, int32_t mean_q, int32_t v)
{
    int64_t d = (int64_t)v - nerv_floor_div(mean_q, FRACS);
    int f = (int)(mean_q - nerv_floor_div(mean_q, FRACS) * FRACS);
    h->total++;
    if (d >= -HIST_HALF && d <= HIST_HALF) {
        h->count[f][d + HIST_HALF]++;
        return;
    }
    if (h->n_outside == h->cap_outside) {
        size_t cap = h->cap_outside ? 2 * h->cap_outside : 64;
        Outside *p = realloc(h->outside, cap * sizeof(*p));
        if (!p) return; /* an estimate only: the value is left out */
        h->outside = p, h->cap_outside = cap;
    }
    h->outside[h->n_outside++] = (Outside){(int32_t)nerv_clamp_magnitude(d), (uint8_t)f};
}

static int hist_best_scale(const RCParamTables *t, const Hist *h, double *bits)
{
    int best = 0;
    double best_bits = INFINITY;
    *bits = 0;
    if (!h->total) return 0;
    /* the bins in use, once: at most one per value, few of the FRACS x (2 HIST_HALF + 1) */
    int32_t *used = malloc(sizeof(int32_t) * 3 * h->total), n = 0;
    if (!used) return 0; /* an estimate only: the first scale, at no cost */
    for (int f = 0; f < FRACS; f++)
        for (int d = -HIST_HALF; d <= HIST_HALF; d++)
            if (h->count[f][d + HIST_HALF])
                used[3 * n] = f, used[3 * n + 1] = d, used[3 * n + 2] = (int32_t)h->count[f][d + HIST_HALF], n++;
    for (size_t i = 0; i < h->n_outside; i++)
        used[3 * n] = h->outside[i].f, used[3 * n + 1] = h->outside[i].d, used[3 * n + 2] = 1, n++;
    for (unsigned sc = 0; sc < t->cfg.num_scales; sc++) {
        double b = 0;
        for (int32_t i = 0; i < n; i++) b += used[3 * i + 2] * value_bits(t, sc, used[3 * i], used[3 * i + 1]);
        if (b < best_bits) best_bits = b, best = (int)sc;
    }
    free(used);
    *bits = best_bits;
    return best;
}

static void hist_reset(Hist *h)
{
    memset(h->count, 0, sizeof(h->count));
    h->n_outside = h->total = 0;
}

static void hist_free(Hist *h, int n)
{
    for (int i = 0; i < n; i++) free(h[i].outside);
    free(h);
}

double nerv_weight_bits(const RCParamTables *t, const int32_t *q, size_t count)
{
    Hist *h = calloc(1, sizeof(*h));
    if (!h) return INFINITY;
    for (size_t i = 0; i < count; i++) hist_add(h, 0, q[i]);
    double bits;
    hist_best_scale(t, h, &bits);
    hist_free(h, 1);
    return bits + 4 + SCALE_BITS;
}

/* What the packet codes for weight i: its change from the prediction, if any. */
/* Whether tensor k is a loop filter (version 5) left out: step exponent 0, values 0. */
static int tensor_absent(const NervSegment *seg, int k) { return k >= NERV_MLP_TENSORS && !seg->wexp[k]; }

static int32_t weight_coded(const NervSegment *seg, size_t i)
{
    return seg->wq[i] - (seg->wpred ? seg->wpred[i] : 0);
}

/* What the packet codes for motion value i: the step from the frame before. */
static int32_t motion_step(const NervSegment *seg, int i)
{
    return seg->motion[i] - (i >= 2 ? seg->motion[i - 2] : seg->mprev[i]);
}

/* Values per frame of the local vectors, and the frame order they are coded in:
 * from the middle frame outward (spec §2). */
static size_t local_per_frame(const NervSegment *seg) { return (size_t)seg->local.bw * seg->local.bh * 2; }
static int local_frame(int n, int i) { return i < n / 2 ? n / 2 - 1 - i : i + 1; }

/* What the packet codes for value i of frame f's local vectors: the change from
 * its neighbour toward the middle frame. */
static int32_t local_change(const NervSegment *seg, int f, size_t i)
{
    size_t per = local_per_frame(seg);
    return seg->local.v[(size_t)f * per + i] -
           seg->local.v[(size_t)nerv_local_neighbour(seg->n, f) * per + i];
}

static int slice_is_zero(const int32_t *slice, size_t size)
{
    for (size_t i = 0; i < size; i++)
        if (slice[i]) return 0;
    return 1;
}

double nerv_segment_choose_scales(const RCParamTables *t, const NervShape *s, NervSegment *seg)
{
    double total = 8 + (s->version >= 2), bits;
    /* one histogram per latent context, [0] also for motion and each weight tensor */
    Hist *h = calloc(NERV_CONTEXTS, sizeof(*h));
    if (!h) return INFINITY;
    for (int i = 0; i < 2 * seg->n; i++) hist_add(h, 0, motion_step(seg, i));
    seg->mscale = hist_best_scale(t, h, &bits);
    total += bits + SCALE_BITS;
    if (s->version >= 4) total += 1;
    if (s->version >= 4 && seg->local.block_log2) {
        hist_reset(h);
        for (int k = 0; k < seg->n - 1; k++)
            for (size_t i = 0; i < local_per_frame(seg); i++)
                hist_add(h, 0, local_change(seg, local_frame(seg->n, k), i));
        seg->vscale = hist_best_scale(t, h, &bits);
        total += bits + 2 + s->levels + SCALE_BITS;
    }
    seg->motion_bits = total;
    for (int k = 0; k < nerv_tensor_count(s); k++) {
        total += 4;
        if (tensor_absent(seg, k)) continue;
        hist_reset(h);
        size_t off = nerv_tensor_offset(s, k);
        for (size_t i = 0; i < nerv_tensor_size(s, k); i++) hist_add(h, 0, weight_coded(seg, off + i));
        seg->wscale[k] = hist_best_scale(t, h, &bits);
        total += bits + SCALE_BITS;
    }
    seg->weight_bits = total - seg->motion_bits;
    const NervLayout *lay = &seg->lay;
    for (int l = 0; l < s->levels; l++) {
        const int32_t *y = seg->yq + lay->offset[l];
        size_t size = (size_t)lay->lw[l] * lay->lh[l];
        total += lay->times[l] + (seg->predicted ? GAIN_BITS : 0);
        for (int part = 0; part < 2; part++) {
            /* coded about mean 0, or (version 3, where the part has slices) about
             * the taps' mean, whichever costs less with its taps and flag */
            int exists = part < lay->times[l], tries = s->version >= 3 && exists ? 2 : 1;
            double cost[2] = {INFINITY, INFINITY};
            int scales[2][NERV_CONTEXTS / 2];
            for (int on = 0; on < tries; on++) {
                Hist *hp = h + part * (NERV_CONTEXTS / 2);
                for (int c = 0; c < NERV_CONTEXTS / 2; c++) hist_reset(&hp[c]);
                for (int tt = part; tt < (part ? lay->times[l] : 1); tt++) {
                    const int32_t *slice = y + (size_t)tt * size;
                    if (slice_is_zero(slice, size)) continue;
                    for (int i = 0; i < lay->lh[l]; i++)
                        for (int j = 0; j < lay->lw[l]; j++) {
                            int32_t m = on ? nerv_latent_mean(lay, y, tt, i, j, l, seg->tap[l][part]) : 0;
                            hist_add(&h[nerv_latent_context(lay, y, tt, i, j, l)], m,
                                     slice[(size_t)i * lay->lw[l] + j]);
                        }
                }
                cost[on] = (tries > 1) + (on ? (NERV_MEAN_TAPS - !part) * NERV_TAP_BITS : 0);
                for (int c = 0; c < NERV_CONTEXTS / 2; c++) {
                    scales[on][c] = hist_best_scale(t, &hp[c], &bits);
                    cost[on] += bits + SCALE_BITS;
                }
            }
            seg->mean_on[l][part] = cost[1] < cost[0];
            memcpy(&seg->lscale[l][part * (NERV_CONTEXTS / 2)], scales[seg->mean_on[l][part]],
                   sizeof(scales[0]));
            total += cost[seg->mean_on[l][part]];
        }
    }
    hist_free(h, NERV_CONTEXTS);
    seg->latent_bits = total - seg->motion_bits - seg->weight_bits;
    return total;
}

int nerv_segment_write(const RCParamTables *t, const NervShape *s, const NervSegment *seg,
                       RCEncoder *enc)
{
    rc_encode_bits(enc, (uint32_t)(seg->n - 1), 8);
    if (s->version >= 2) rc_encode_bits(enc, (uint32_t)seg->predicted, 1);
    rc_encode_bits(enc, (uint32_t)seg->mscale, SCALE_BITS);
    for (int i = 0; i < 2 * seg->n; i++)
        rc_encode_param(enc, t, (unsigned)seg->mscale, 0, motion_step(seg, i));
    if (s->version >= 4) {
        const NervLocal *loc = &seg->local;
        rc_encode_bits(enc, loc->block_log2 != 0, 1);
        if (loc->block_log2) {
            rc_encode_bits(enc, (uint32_t)(loc->block_log2 - NERV_MIN_BLOCK_LOG2), 2);
            for (int l = 0; l < s->levels; l++) rc_encode_bits(enc, loc->warped >> l & 1, 1);
            rc_encode_bits(enc, (uint32_t)seg->vscale, SCALE_BITS);
            for (int k = 0; k < seg->n - 1; k++)
                for (size_t i = 0; i < local_per_frame(seg); i++)
                    rc_encode_param(enc, t, (unsigned)seg->vscale, 0,
                                    local_change(seg, local_frame(seg->n, k), i));
        }
    }
    for (int k = 0; k < nerv_tensor_count(s); k++) {
        rc_encode_bits(enc, (uint32_t)seg->wexp[k], 4);
        if (tensor_absent(seg, k)) continue;
        rc_encode_bits(enc, (uint32_t)seg->wscale[k], SCALE_BITS);
        size_t off = nerv_tensor_offset(s, k);
        for (size_t i = 0; i < nerv_tensor_size(s, k); i++)
            rc_encode_param(enc, t, (unsigned)seg->wscale[k], 0, weight_coded(seg, off + i));
    }
    for (int l = 0; l < s->levels; l++) {
        const NervLayout *lay = &seg->lay;
        int times = lay->times[l];
        const int32_t *y = seg->yq + lay->offset[l];
        size_t size = (size_t)lay->lw[l] * lay->lh[l];
        if (seg->predicted) rc_encode_bits(enc, (uint32_t)seg->gain[l], GAIN_BITS);
        for (int c = 0; c < NERV_CONTEXTS; c++)
            rc_encode_bits(enc, (uint32_t)seg->lscale[l][c], SCALE_BITS);
        for (int part = 0; part < 2 && s->version >= 3 && part < times; part++) {
            rc_encode_bits(enc, (uint32_t)seg->mean_on[l][part], 1);
            if (!seg->mean_on[l][part]) continue;
            for (int k = 0; k < NERV_MEAN_TAPS - !part; k++)
                rc_encode_bits(enc, (uint32_t)seg->tap[l][part][k] & ((1u << NERV_TAP_BITS) - 1),
                               NERV_TAP_BITS);
        }
        for (int tt = 0; tt < times; tt++) {
            const int32_t *slice = y + (size_t)tt * size;
            int zero = slice_is_zero(slice, size), part = tt > 0;
            rc_encode_bits(enc, (uint32_t)!zero, 1);
            if (zero) continue;
            for (int i = 0; i < lay->lh[l]; i++)
                for (int j = 0; j < lay->lw[l]; j++) {
                    int c = nerv_latent_context(lay, y, tt, i, j, l);
                    int32_t m = seg->mean_on[l][part]
                                    ? nerv_latent_mean(lay, y, tt, i, j, l, seg->tap[l][part])
                                    : 0;
                    rc_encode_param(enc, t, (unsigned)seg->lscale[l][c], m,
                                    slice[(size_t)i * lay->lw[l] + j]);
                }
        }
    }
    return enc->error;
}

static int read_value(RCDecoder *dec, const RCParamTables *t, int scale, int32_t mean_q,
                      int32_t *out)
{
    int32_t v = rc_decode_param(dec, t, (unsigned)scale, mean_q);
    if (v < -NERV_MAX_MAGNITUDE || v > NERV_MAX_MAGNITUDE) dec->error = NC_EINVALIDDATA;
    *out = v;
    return dec->error;
}

/* The local motion after its flag (spec §2, item 4): NC_EINVALIDDATA on damage. */
static int read_local(const RCParamTables *t, const NervShape *s, RCDecoder *dec, NervSegment *seg)
{
    int block_log2 = (int)rc_decode_bits(dec, 2) + NERV_MIN_BLOCK_LOG2;
    unsigned warped = 0;
    for (int l = 0; l < s->levels; l++) warped |= rc_decode_bits(dec, 1) << l;
    seg->vscale = (int)rc_decode_bits(dec, SCALE_BITS);
    if (dec->error || seg->vscale >= (int)t->cfg.num_scales) return NC_EINVALIDDATA;
    int ret = nerv_segment_set_local(seg, s, block_log2, warped, NULL);
    if (ret < 0) return ret;
    size_t per = local_per_frame(seg);
    memset(seg->local.v + (size_t)(seg->n / 2) * per, 0, sizeof(int32_t) * per);
    for (int k = 0; k < seg->n - 1 && !dec->error; k++) {
        int f = local_frame(seg->n, k);
        const int32_t *nb = seg->local.v + (size_t)nerv_local_neighbour(seg->n, f) * per;
        int32_t *v = seg->local.v + (size_t)f * per;
        if (rc_dec_overrun(dec)) dec->error = rc_dec_overrun(dec);
        for (size_t i = 0; i < per && !dec->error; i++) {
            int32_t d;
            read_value(dec, t, seg->vscale, 0, &d);
            int64_t x = (int64_t)nb[i] + d, lim = nerv_max_local(s, (int)(i & 1));
            if (x < -lim || x > lim) dec->error = NC_EINVALIDDATA;
            v[i] = (int32_t)x;
        }
    }
    return dec->error ? NC_EINVALIDDATA : 0;
}

int nerv_segment_read(const RCParamTables *t, const NervShape *s, RCDecoder *dec,
                      const NervRef *ref, NervSegment *seg, void *log_ctx)
{
    int n = (int)rc_decode_bits(dec, 8) + 1;
    if (dec->error || n > s->segment) {
        nc_log(log_ctx, NC_LOG_ERROR, "segment of %d frames in a stream of %d-frame segments", n,
               s->segment);
        return NC_EINVALIDDATA;
    }
    int predicted = s->version >= 2 && rc_decode_bits(dec, 1);
    if (predicted && (!ref || !ref->valid)) {
        nc_log(log_ctx, NC_LOG_WARNING, "a predicted segment without the segment before it");
        return NC_EAGAIN;
    }
    const int32_t base[2] = {predicted ? ref->motion[0] : 0, predicted ? ref->motion[1] : 0};
    /* the motion first: it sizes the latents */
    int32_t motion[2 * NERV_MAX_SEGMENT], lo[2] = {0, 0}, hi[2] = {0, 0};
    int mscale = (int)rc_decode_bits(dec, SCALE_BITS);
    if (mscale >= (int)t->cfg.num_scales) dec->error = NC_EINVALIDDATA;
    for (int i = 0; i < 2 * n && !dec->error; i++) {
        int32_t d;
        read_value(dec, t, mscale, 0, &d);
        int64_t m = (int64_t)d + (i >= 2 ? motion[i - 2] : base[i]);
        if (m < -NERV_MAX_MAGNITUDE || m > NERV_MAX_MAGNITUDE) dec->error = NC_EINVALIDDATA;
        motion[i] = (int32_t)m;
        int a = i & 1;
        if (i < 2 || m < lo[a]) lo[a] = (int32_t)m;
        if (i < 2 || m > hi[a]) hi[a] = (int32_t)m;
        if ((int64_t)hi[a] - lo[a] > nerv_max_motion(s, a)) dec->error = NC_EINVALIDDATA;
    }
    if (dec->error) {
        nc_log(log_ctx, NC_LOG_ERROR, "damaged segment packet (motion)");
        return NC_EINVALIDDATA;
    }
    int ret = nerv_segment_alloc(seg, s, n, motion, predicted ? ref : NULL);
    if (ret < 0) return ret;
    seg->mscale = mscale;
    if (s->version >= 4 && rc_decode_bits(dec, 1) && (ret = read_local(t, s, dec, seg)) < 0) {
        nc_log(log_ctx, NC_LOG_ERROR, "damaged segment packet (local motion)");
        nerv_segment_free(seg);
        return ret;
    }
    const NervLayout *lay = &seg->lay;
    for (int k = 0; k < nerv_tensor_count(s); k++) {
        seg->wexp[k] = (int)rc_decode_bits(dec, 4);
        size_t off = nerv_tensor_offset(s, k);
        if (tensor_absent(seg, k)) {
            memset(seg->wq + off, 0, sizeof(int32_t) * nerv_tensor_size(s, k));
            continue;
        }
        seg->wscale[k] = (int)rc_decode_bits(dec, SCALE_BITS);
        if (seg->wscale[k] >= (int)t->cfg.num_scales) dec->error = NC_EINVALIDDATA;
        if (predicted) nerv_predict_weights(s, ref, seg, k, seg->wexp[k]);
        for (size_t i = off; i < off + nerv_tensor_size(s, k) && !dec->error; i++) {
            int32_t d;
            read_value(dec, t, seg->wscale[k], 0, &d);
            int64_t w = (int64_t)d + (predicted ? seg->wpred[i] : 0);
            if (w < -NERV_MAX_MAGNITUDE || w > NERV_MAX_MAGNITUDE) dec->error = NC_EINVALIDDATA;
            seg->wq[i] = (int32_t)w;
        }
    }
    for (int l = 0; l < s->levels && !dec->error; l++) {
        int32_t *y = seg->yq + lay->offset[l];
        size_t size = (size_t)lay->lw[l] * lay->lh[l];
        if (predicted) {
            seg->gain[l] = (int)rc_decode_bits(dec, GAIN_BITS);
            if (seg->gain[l] > NERV_GAIN_ONE) dec->error = NC_EINVALIDDATA;
        }
        for (int c = 0; c < NERV_CONTEXTS; c++) {
            seg->lscale[l][c] = (int)rc_decode_bits(dec, SCALE_BITS);
            if (seg->lscale[l][c] >= (int)t->cfg.num_scales) dec->error = NC_EINVALIDDATA;
        }
        for (int part = 0; part < 2 && s->version >= 3 && part < lay->times[l]; part++) {
            seg->mean_on[l][part] = (int)rc_decode_bits(dec, 1);
            if (!seg->mean_on[l][part]) continue;
            for (int k = 0; k < NERV_MEAN_TAPS - !part; k++) {
                int v = (int)rc_decode_bits(dec, NERV_TAP_BITS);
                seg->tap[l][part][k] = v >= 1 << (NERV_TAP_BITS - 1) ? v - (1 << NERV_TAP_BITS) : v;
            }
        }
        for (int tt = 0; tt < lay->times[l] && !dec->error; tt++) {
            int32_t *slice = y + (size_t)tt * size;
            int part = tt > 0;
            if (!rc_decode_bits(dec, 1)) continue; /* stays zero */
            for (int i = 0; i < lay->lh[l] && !dec->error; i++) {
                /* a packet too short for its latents ends here, not after all of them */
                if (rc_dec_overrun(dec)) dec->error = rc_dec_overrun(dec);
                for (int j = 0; j < lay->lw[l] && !dec->error; j++) {
                    int c = nerv_latent_context(lay, y, tt, i, j, l);
                    int32_t m = seg->mean_on[l][part]
                                    ? nerv_latent_mean(lay, y, tt, i, j, l, seg->tap[l][part])
                                    : 0;
                    read_value(dec, t, seg->lscale[l][c], m, &slice[(size_t)i * lay->lw[l] + j]);
                }
            }
        }
    }
    if (dec->error) {
        nc_log(log_ctx, NC_LOG_ERROR, "damaged segment packet");
        nerv_segment_free(seg);
        return NC_EINVALIDDATA;
    }
    return 0;
}

void nerv_segment_weights(const NervShape *s, const NervSegment *seg, float *w)
{
    for (int k = 0; k < nerv_tensor_count(s); k++) {
        float step = 1.0f / (float)(1 << seg->wexp[k]);
        size_t off = nerv_tensor_offset(s, k);
        for (size_t i = 0; i < nerv_tensor_size(s, k); i++) w[off + i] = (float)seg->wq[off + i] * step;
    }
}

int nerv_segment_latents(const NervShape *s, const NervSegment *seg, float *y)
{
    for (int l = 0; l < s->levels; l++) {
        const NervLayout *lay = &seg->lay;
        size_t size = (size_t)lay->lw[l] * lay->lh[l];
        const int32_t *d = seg->yq + lay->offset[l];
        float *out = y + lay->offset[l];
        for (size_t i = 0; i < size; i++) {
            int64_t v = seg->yref ? nerv_predict(seg->yref[lay->offset[l] + i], seg->gain[l]) : 0;
            for (int t = 0; t < lay->times[l]; t++) {
                v += d[(size_t)t * size + i];
                if (v < -NERV_MAX_MAGNITUDE || v > NERV_MAX_MAGNITUDE) return NC_EINVALIDDATA;
                out[(size_t)t * size + i] = (float)v;
            }
        }
    }
    return 0;
}
