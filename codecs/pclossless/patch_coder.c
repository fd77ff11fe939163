/* Incremental marginals for an HCLT, in integers.
 *
 * Pixels are coded in the depth-first pre-order of the latent tree. When pixel v
 * is reached, every coded pixel lies outside v's subtree, so
 *     P(X_v = x | coded) = sum_z P(Z_v = z | coded) P(X_v = x | Z_v = z):
 * a mixture of v's k leaf distributions weighted by the downward message of v.
 * That message is the parent's message (times its pixel and its finished
 * children) pushed through one edge; when a subtree is finished its upward message
 * is folded into the parent once. So every node costs two k x k products per
 * patch: O(|p|) for all D conditionals together, which is the paper's incremental
 * evaluation (O(log D |p|) for circuits on a balanced vtree) specialized to a
 * tree-shaped circuit walked depth first.
 *
 * Determinism: messages are uint32 vectors rescaled after every step so that their
 * largest entry lies in [2^30, 2^31); products go through uint64. Nothing here
 * depends on the platform's floating point. */
#include <stdlib.h>
#include <string.h>

#include "codecs/pclossless/patch_coder.h"
#include "nc/error.h"

#define MSG_BITS 31

int pc_patch_coder_init(PCPatchCoder *pc, const PCCodingModel *m)
{
    size_t n = (size_t)m->tree.nvars * (size_t)m->nstates;
    pc->m = m;
    pc->down = malloc(sizeof(uint32_t) * n);
    pc->up = malloc(sizeof(uint32_t) * n);
    pc->stack = malloc(sizeof(int) * (size_t)m->tree.nvars);
    if (!pc->down || !pc->up || !pc->stack) {
        pc_patch_coder_free(pc);
        return NC_ENOMEM;
    }
    return 0;
}

void pc_patch_coder_free(PCPatchCoder *pc)
{
    free(pc->down);
    free(pc->up);
    free(pc->stack);
    memset(pc, 0, sizeof(*pc));
}

/* out = acc scaled by a power of two so that max(out) is in [2^30, 2^31). The
 * largest entry is never 0: all weights and leaf frequencies are >= 1. */
static void rescale(const uint64_t *acc, uint32_t *out, int k)
{
    uint64_t mx = 1;
    for (int z = 0; z < k; z++) mx = acc[z] > mx ? acc[z] : mx;
    int bits = 64 - __builtin_clzll(mx);
    if (bits > MSG_BITS)
        for (int z = 0; z < k; z++) out[z] = (uint32_t)(acc[z] >> (bits - MSG_BITS));
    else
        for (int z = 0; z < k; z++) out[z] = (uint32_t)(acc[z] << (MSG_BITS - bits));
}

/* vec[z] *= f[z] (f: uint32 leaf frequencies or messages), rescaled. */
static void multiply(uint32_t *vec, const uint32_t *f, int k)
{
    uint64_t acc[PC_MAX_STATES];
    for (int z = 0; z < k; z++) acc[z] = (uint64_t)vec[z] * f[z];
    rescale(acc, vec, k);
}

/* Leaf frequencies of value x for every state: cdf[x + 1][z] - cdf[x][z]. */
static void leaf_freqs(const uint32_t *cdf, int k, int x, uint32_t *f)
{
    const uint32_t *lo = cdf + (size_t)x * k, *hi = lo + k;
    for (int z = 0; z < k; z++) f[z] = hi[z] - lo[z];
}

/* The mixture CDF at x over 2^PC_CODE_PREC: every value keeps frequency >= 1 by
 * reserving one slot per value, the rest is the mixture scaled down. */
typedef struct Mixture {
    uint32_t w[PC_MAX_STATES]; /* 16-bit state weights */
    uint64_t total;            /* sum of w << PC_LEAF_BITS */
    const uint32_t *cdf;       /* [257][k] of the node */
    int k;
} Mixture;

static void mixture_init(Mixture *mx, const uint32_t *msg, const uint32_t *cdf, int k)
{
    mx->total = 0;
    for (int z = 0; z < k; z++) {
        mx->w[z] = msg[z] >> (MSG_BITS - 16);
        mx->total += (uint64_t)mx->w[z] << PC_LEAF_BITS;
    }
    mx->cdf = cdf;
    mx->k = k;
}

static uint64_t mixture_sum(const Mixture *mx, int x)
{
    const uint32_t *row = mx->cdf + (size_t)x * mx->k;
    uint64_t s = 0;
    for (int z = 0; z < mx->k; z++) s += (uint64_t)mx->w[z] * row[z];
    return s;
}

#define SPREAD ((((uint64_t)1) << PC_CODE_PREC) - PC_NUM_VALUES)

static uint32_t mixture_cdf(const Mixture *mx, int x)
{
    return (uint32_t)(mixture_sum(mx, x) * SPREAD / mx->total) + (uint32_t)x;
}

/* mixture_cdf(x) <= target without the division: floor(s * SPREAD / total) <=
 * target - x  <=>  s * SPREAD < (target - x + 1) * total (both sides < 2^63). */
static int mixture_cdf_le(const Mixture *mx, int x, uint32_t target)
{
    if (target < (uint32_t)x) return 0;
    return mixture_sum(mx, x) * SPREAD < ((uint64_t)(target - (uint32_t)x) + 1) * mx->total;
}

uint64_t pc_pixel_info_floor(const PCCodingModel *m)
{
    size_t k = (size_t)m->nstates;
    uint32_t largest = 0;
    for (size_t v = 0; v < (size_t)m->tree.nvars; v++) {
        const uint32_t *cdf = m->cdf + v * (PC_NUM_VALUES + 1) * k;
        for (size_t i = 0; i < PC_NUM_VALUES * k; i++)
            if (cdf[i + k] - cdf[i] > largest) largest = cdf[i + k] - cdf[i];
    }
    /* mixture_cdf(x + 1) - mixture_cdf(x) <= largest * SPREAD / 2^PC_LEAF_BITS + 2. */
    uint64_t freq = ((uint64_t)largest * SPREAD >> PC_LEAF_BITS) + 2;
    return rc_symbol_info_floor(freq, PC_CODE_PREC);
}

/* The coding walk shared by both directions: enc codes src[v], dec fills dst[v]. */
static void code_patch(PCPatchCoder *pc, RCEncoder *enc, RCDecoder *dec, const uint8_t *src,
                       uint8_t *dst, int valid_w, int valid_h)
{
    const PCCodingModel *m = pc->m;
    const PCTree *t = &m->tree;
    int k = m->nstates, sp = 0;
    uint64_t acc[PC_MAX_STATES];
    uint32_t f[PC_MAX_STATES];
    for (int i = 0; i < t->nvars; i++) {
        int v = t->order[i], p = t->parent[v];
        /* Close the finished subtrees: fold each one's upward message into its parent. */
        while (sp > 0 && pc->stack[sp - 1] != p) {
            int c = pc->stack[--sp], q = t->parent[c];
            const uint32_t *e = m->edge + (size_t)c * k * k, *uc = pc->up + (size_t)c * k;
            for (int zp = 0; zp < k; zp++) {
                uint64_t s = 0;
                for (int z = 0; z < k; z++) s += (uint64_t)e[zp * k + z] * uc[z];
                acc[zp] = s;
            }
            uint32_t beta[PC_MAX_STATES];
            rescale(acc, beta, k);
            multiply(pc->down + (size_t)q * k, beta, k);
            multiply(pc->up + (size_t)q * k, beta, k);
        }
        uint32_t *dv = pc->down + (size_t)v * k, *uv = pc->up + (size_t)v * k;
        if (p < 0) {
            for (int z = 0; z < k; z++) acc[z] = m->prior[z];
        } else {
            const uint32_t *e = m->edge + (size_t)v * k * k, *dp = pc->down + (size_t)p * k;
            memset(acc, 0, sizeof(uint64_t) * (size_t)k);
            for (int zp = 0; zp < k; zp++) {
                uint64_t w = dp[zp];
                const uint32_t *row = e + (size_t)zp * k;
                for (int z = 0; z < k; z++) acc[z] += w * row[z];
            }
        }
        rescale(acc, dv, k);
        for (int z = 0; z < k; z++) uv[z] = 1u << (MSG_BITS - 1);
        pc->stack[sp++] = v;

        int px = v % m->patch_w, py = v / m->patch_w;
        if (px >= valid_w || py >= valid_h) continue; /* marginalized */
        const uint32_t *cdf = m->cdf + (size_t)v * (PC_NUM_VALUES + 1) * k;
        Mixture mx;
        mixture_init(&mx, dv, cdf, k);
        int x;
        if (enc) {
            x = src[v];
            uint32_t lo = mixture_cdf(&mx, x), hi = mixture_cdf(&mx, x + 1);
            rc_encode_freq(enc, lo, hi - lo, PC_CODE_PREC);
        } else {
            uint32_t target = rc_decode_target(dec, PC_CODE_PREC);
            int lo = 0, n = PC_NUM_VALUES;
            while (n > 1) { /* largest x with mixture_cdf(x) <= target */
                int half = n >> 1;
                lo = mixture_cdf_le(&mx, lo + half, target) ? lo + half : lo;
                n -= half;
            }
            x = lo;
            uint32_t start = mixture_cdf(&mx, x);
            rc_decode_update(dec, start, mixture_cdf(&mx, x + 1) - start);
            dst[v] = (uint8_t)x;
        }
        leaf_freqs(cdf, k, x, f);
        multiply(dv, f, k);
        multiply(uv, f, k);
    }
}

void pc_encode_patch(PCPatchCoder *pc, RCEncoder *enc, const uint8_t *pix, int valid_w,
                     int valid_h)
{
    code_patch(pc, enc, NULL, pix, NULL, valid_w, valid_h);
}

void pc_decode_patch(PCPatchCoder *pc, RCDecoder *dec, uint8_t *pix, int valid_w, int valid_h)
{
    code_patch(pc, NULL, dec, NULL, pix, valid_w, valid_h);
}
