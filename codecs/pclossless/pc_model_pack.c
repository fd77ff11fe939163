/* The packed edge and leaf tables of a pclossless model (pc_model_pack.h; the format
 * is conformance/spec/pclossless.md, section 2.1). One walk over the tables serves
 * both directions, so the encoder and the decoder cannot disagree on a model. */
#include <stdlib.h>
#include <string.h>

#include "codecs/pclossless/hclt.h"
#include "codecs/pclossless/pc_model_pack.h"
#include "entropy/cdf.h"
#include "entropy/escape.h"
#include "entropy/range_decoder.h"
#include "entropy/range_encoder.h"
#include "entropy/rans.h"
#include "entropy/static_model.h"
#include "nc/error.h"
#include "nc/log.h"

/* The models of the stream, in the order their counts are stored. */
#define N_FLOOR  1    /* leaf row floors, 256 symbols */
#define N_LEN_L  4800 /* leaf symbol length 0..8, by (q1(a), q2(b), q2(m)) */
#define N_MAN_L  280  /* leaf mantissa, by (length 2..8, class of a, q2(m)) */
#define N_LEN_E  512  /* edge length 0..15, by (diagonal, previous length, length above) */
#define N_MAN_E  28   /* edge mantissa top bits, by (length 2..15, diagonal) */
#define N_STORED (N_FLOOR + N_LEN_L + N_MAN_L + N_LEN_E + N_MAN_E)
#define N_LOW_E  7 /* uniform models of 1..7 bits (edge mantissa low bits), not stored */
#define N_MODELS (N_STORED + N_LOW_E)

#define M_FLOOR 0
#define M_LEN_L (M_FLOOR + N_FLOOR)
#define M_MAN_L (M_LEN_L + N_LEN_L)
#define M_LEN_E (M_MAN_L + N_MAN_L)
#define M_MAN_E (M_LEN_E + N_LEN_E)
#define M_LOW_E (M_MAN_E + N_MAN_E)

#define EDGE_TOP 7 /* mantissa bits of an edge weight coded with a context */

static unsigned model_nsyms(int m)
{
    if (m < M_LEN_L) return 256;
    if (m < M_MAN_L) return 9;
    if (m < M_LEN_E) return 1u << ((m - M_MAN_L) / 40 + 1); /* length l = 2 + (m - M_MAN_L) / 40 */
    if (m < M_MAN_E) return 16;
    if (m < M_LOW_E) {
        int l = 2 + (m - M_MAN_E) / 2;
        return 1u << (l - 1 < EDGE_TOP ? l - 1 : EDGE_TOP);
    }
    return 1u << (m - M_LOW_E + 1);
}

size_t pc_pack_min_size(int d, int k)
{
    size_t values = (size_t)d * (size_t)k * ((size_t)k + PC_NUM_VALUES);
    return (values + 7) / 8;
}

static inline int bit_length(uint32_t v)
{
    int l = 0;
    while (l < 32 && v >> l)
        l++;
    return l;
}

/* q1: 48 classes, fine for small symbols; q2: 10 classes. */
static inline int q1(unsigned s)
{
    if (s < 16) return (int)s;
    if (s < 32) return 16 + (int)(s - 16) / 2;
    if (s < 64) return 24 + (int)(s - 32) / 4;
    if (s < 128) return 32 + (int)(s - 64) / 8;
    return 40 + (int)(s - 128) / 16;
}

static inline int q2(unsigned s)
{
    return s < 4 ? (int)s : 1 + bit_length(s);
}

/* q1, q2 and the class of a (below) of every byte value, and floor(2^32 / z) + 1:
 * sum * recip[z] >> 32 equals sum / z for sum < 2^16 and 1 <= z < 64. */
typedef struct Tables {
    uint8_t q1[256], q2[256], ac[256];
    uint64_t recip[PC_MAX_STATES];
} Tables;

static void tables_init(Tables *t)
{
    for (unsigned s = 0; s < 256; s++) {
        t->q1[s] = (uint8_t)q1(s);
        t->q2[s] = (uint8_t)q2(s);
        t->ac[s] = (uint8_t)(s < 4 ? 0 : s < 32 ? 1 : s < 128 ? 2 : 3);
    }
    t->recip[0] = 0;
    for (unsigned z = 1; z < PC_MAX_STATES; z++)
        t->recip[z] = ((uint64_t)1 << 32) / z + 1;
}

/* Either direction: when encoding, symbols are recorded (model, symbol) for
 * rans_encode() and counted; when decoding, they come from the rANS decoder. */
typedef struct Walk {
    int encode;
    /* encoding */
    uint16_t *idx;
    uint32_t *syms;
    size_t n, cap;
    uint32_t *counts[N_MODELS];
    /* decoding */
    RansDecoder dec;
    const RCStaticModel *models;
} Walk;

/* The symbol of slot v in a CDF of n symbols: a branch-free count for the small
 * alphabets (lengths), whose loads do not wait on each other; a search otherwise. */
static inline unsigned count_below(const uint32_t *cdf, unsigned n, uint32_t v)
{
    unsigned s = 0;
    /* cdf[i] <= v as the sign bit of cdf[i] - v - 1 (both below 2^31): gcc 12 -O3
     * for aarch64 miscompiled the sum of comparisons here into -8 for 8. */
    for (unsigned i = 1; i < n; i++)
        s += (cdf[i] - v - 1) >> 31;
    return s;
}

static inline unsigned find_symbol(const uint32_t *cdf, unsigned n, uint32_t v)
{
    if (n == 9) return count_below(cdf, 9, v);
    if (n == 16) return count_below(cdf, 16, v);
    return rc_cdf_find(cdf, n, v);
}

static inline unsigned pk_sym(Walk *w, int model, unsigned sym)
{
    if (!w->encode) {
        const RCStaticModel *m = &w->models[model];
        uint32_t v = rans_dec_slot(&w->dec, PC_PACK_PREC);
        unsigned s = find_symbol(m->cdf, m->nsyms, v);
        rans_dec_advance(&w->dec, m->cdf[s + 1] - m->cdf[s], v - m->cdf[s], PC_PACK_PREC);
        return s;
    }
    if (w->n < w->cap) {
        w->idx[w->n] = (uint16_t)model;
        w->syms[w->n] = sym;
        w->counts[model][sym]++;
    }
    w->n++;
    return sym;
}

static int failed(const Walk *w)
{
    return !w->encode && rans_dec_truncated(&w->dec);
}

/* Codes or decodes all tables (when encoding, edge and codes are only read). */
static int pk_walk(Walk *w, int d, int k, int16_t *edge, uint8_t *codes)
{
    /* Edges: t = weight - 1, row by row [v][zp][.]: its bit length l (0..15), then the
     * l - 1 bits below its leading one: the top min(l - 1, 7) as one symbol, the rest
     * (l >= 9) as a uniform symbol. */
    uint8_t len_above[PC_MAX_STATES];
    for (int v = 0; v < d; v++) {
        memset(len_above, 0, sizeof(len_above));
        for (int zp = 0; zp < k; zp++) {
            int16_t *row = edge + ((size_t)v * k + zp) * k;
            int len_prev = 0;
            for (int z = 0; z < k; z++) {
                int diag = z == zp;
                unsigned t = w->encode ? (unsigned)(row[z] - 1) : 0;
                int l = (int)pk_sym(w, M_LEN_E + (diag * 16 + len_prev) * 16 + len_above[z],
                                    w->encode ? (unsigned)bit_length(t) : 0);
                if (l >= 2) {
                    int rest = l - 1, top_bits = rest < EDGE_TOP ? rest : EDGE_TOP;
                    int low_bits = rest - top_bits;
                    unsigned top = pk_sym(w, M_MAN_E + (l - 2) * 2 + diag,
                                          (t >> low_bits) & ((1u << top_bits) - 1));
                    unsigned low =
                        low_bits ? pk_sym(w, M_LOW_E + low_bits - 1, t & ((1u << low_bits) - 1))
                                 : 0;
                    t = (1u << rest) | (top << low_bits) | low;
                } else {
                    t = (unsigned)l;
                }
                if (t > 32766) { /* length 15 with every bit set */
                    nc_log(NULL, NC_LOG_ERROR, "pclossless: packed edge weight out of range");
                    return NC_EMODEL;
                }
                if (!w->encode) row[z] = (int16_t)(t + 1);
                len_prev = l;
                len_above[z] = (uint8_t)l;
            }
        }
        if (failed(w)) return NC_EMODEL;
    }
    /* Leaves: per row a floor f, then s[x] = (f - code[x]) mod 256 for x = 0..255: its
     * bit length l (0..8), then its l - 1 bits below the leading one as one symbol.
     * The rows of PC_PACK_GROUP variables (the same state z) go in lockstep, symbol x of
     * each in turn: their contexts do not depend on each other, so the processor
     * overlaps their decoding. */
    uint16_t sum[PC_PACK_GROUP][PC_NUM_VALUES];
    uint8_t mq[PC_PACK_GROUP][PC_NUM_VALUES], s[PC_PACK_GROUP][PC_NUM_VALUES];
    Tables tab;
    tables_init(&tab);
    for (int v0 = 0; v0 < d; v0 += PC_PACK_GROUP) {
        int n = d - v0 < PC_PACK_GROUP ? d - v0 : PC_PACK_GROUP;
        memset(sum, 0, sizeof(sum));
        for (int z = 0; z < k; z++) {
            uint8_t *c[PC_PACK_GROUP];
            unsigned f[PC_PACK_GROUP], a[PC_PACK_GROUP], b[PC_PACK_GROUP];
            for (int g = 0; g < n; g++) {
                c[g] = codes + ((size_t)(v0 + g) * k + z) * PC_NUM_VALUES;
                f[g] = 0;
                if (w->encode) { /* the most frequent code, the smallest on ties */
                    unsigned hist[PC_NUM_VALUES] = {0};
                    for (int x = 0; x < PC_NUM_VALUES; x++)
                        hist[c[g][x]]++;
                    for (unsigned i = 1; i < PC_NUM_VALUES; i++)
                        if (hist[i] > hist[f[g]]) f[g] = i;
                }
                f[g] = pk_sym(w, M_FLOOR, f[g]);
                for (int x = 0; x < PC_NUM_VALUES; x++) /* q2(sum / z), 0 at z = 0 */
                    mq[g][x] = tab.q2[(sum[g][x] * tab.recip[z]) >> 32];
                a[g] = b[g] = 0;
            }
            for (int x = 0; x < PC_NUM_VALUES; x++)
                for (int g = 0; g < n; g++) {
                    unsigned sym = w->encode ? (f[g] - c[g][x]) & 255 : 0;
                    int ctx = (tab.q1[a[g]] * 10 + tab.q2[b[g]]) * 10 + mq[g][x];
                    int l =
                        (int)pk_sym(w, M_LEN_L + ctx, w->encode ? (unsigned)bit_length(sym) : 0);
                    if (l >= 2) {
                        int mctx = ((l - 2) * 4 + tab.ac[a[g]]) * 10 + mq[g][x];
                        unsigned man = pk_sym(w, M_MAN_L + mctx, sym & ((1u << (l - 1)) - 1));
                        sym = (1u << (l - 1)) | man;
                    } else {
                        sym = (unsigned)l;
                    }
                    s[g][x] = (uint8_t)sym;
                    b[g] = a[g];
                    a[g] = sym;
                }
            for (int g = 0; g < n; g++)
                for (int x = 0; x < PC_NUM_VALUES; x++) {
                    if (!w->encode) c[g][x] = (uint8_t)(f[g] - s[g][x]);
                    sum[g][x] = (uint16_t)(sum[g][x] + s[g][x]);
                }
            if (failed(w)) return NC_EMODEL;
        }
    }
    return 0;
}

/* min(16, floor(log2(prev + 1))): the Exp-Golomb order of the count after prev. */
static unsigned count_order(uint32_t prev)
{
    uint64_t v = (uint64_t)prev + 1;
    unsigned k = 0;
    while (k < 16 && v >> (k + 1))
        k++;
    return k;
}

/* Counts of stored model m: a bypass bit (1: some count is not 0), then each count
 * as an Exp-Golomb escape of order count_order(previous count). */
static void put_counts(RCEncoder *enc, const uint32_t *counts, unsigned n)
{
    int used = 0;
    for (unsigned i = 0; i < n; i++)
        used |= counts[i] != 0;
    rc_encode_bits(enc, (uint32_t)used, 1);
    uint32_t prev = 0;
    for (unsigned i = 0; used && i < n; i++) {
        rc_encode_expgolomb(enc, counts[i], count_order(prev));
        prev = counts[i];
    }
}

static void get_counts(RCDecoder *dec, uint64_t *counts, unsigned n)
{
    int used = (int)rc_decode_bits(dec, 1);
    uint32_t prev = 0;
    for (unsigned i = 0; i < n; i++) {
        uint32_t c = 0;
        if (used) {
            c = rc_decode_expgolomb(dec, count_order(prev));
        }
        counts[i] = c;
        prev = c;
    }
}

/* All models, their CDFs in one arena, each starting on a 64-byte line: the decoder
 * picks a model per symbol, and a CDF search that stays in one or two cache lines is
 * what keeps decoding fast (the models' CDFs are about 300 KB in all). */
typedef struct Models {
    RCStaticModel m[N_MODELS];
    uint32_t *arena;
} Models;

static Models *models_alloc(void)
{
    size_t words = 0;
    for (int m = 0; m < N_MODELS; m++)
        words += (model_nsyms(m) + 1 + 15) & ~(size_t)15;
    Models *ms = calloc(1, sizeof(Models));
    if (!ms) return NULL;
    ms->arena = aligned_alloc(64, words * sizeof(uint32_t));
    if (!ms->arena) {
        free(ms);
        return NULL;
    }
    size_t off = 0;
    for (int m = 0; m < N_MODELS; m++) {
        unsigned n = model_nsyms(m);
        /* prec > RC_STATIC_LUT_MAX_PREC: a model without slot table, as rc_static_init()
         * builds it, but with its CDF in the arena. */
        ms->m[m] = (RCStaticModel){.nsyms = n, .prec = PC_PACK_PREC, .cdf = ms->arena + off};
        off += (n + 1 + 15) & ~(size_t)15;
    }
    return ms;
}

static void models_free(Models *ms)
{
    if (!ms) return;
    free(ms->arena);
    free(ms);
}

/* Model m from its counts (a uniform CDF when they are all 0). */
static int init_model(Models *ms, int m, const uint64_t *counts)
{
    return rc_cdf_from_weights(ms->m[m].cdf, counts, ms->m[m].nsyms, PC_PACK_PREC, 1);
}

int pc_pack_encode(int d, int k, const int16_t *edge, const uint8_t *codes, uint8_t **tables,
                   size_t *tables_size, uint8_t **stream, size_t *stream_size)
{
    *tables = *stream = NULL;
    *tables_size = *stream_size = 0;
    if (d < 1 || d > PC_MAX_VARS || k < 1 || k > PC_MAX_STATES) return NC_EINVAL;
    for (size_t i = 0; i < (size_t)d * k * k; i++)
        if (edge[i] < 1) return NC_EINVAL;
    Walk w = {.encode = 1};
    /* At most 3 symbols per edge weight, 2 per leaf code, 1 per leaf row. */
    w.cap = (size_t)d * k * (3 * (size_t)k + 2 * PC_NUM_VALUES + 1);
    w.idx = malloc(sizeof(uint16_t) * w.cap);
    w.syms = malloc(sizeof(uint32_t) * w.cap);
    Models *models = models_alloc();
    RCEncoder enc;
    rc_enc_init(&enc);
    uint8_t *out = NULL;
    int ret = NC_ENOMEM;
    if (!w.idx || !w.syms || !models) goto done;
    for (int m = 0; m < N_MODELS; m++)
        if (!(w.counts[m] = calloc(model_nsyms(m), sizeof(uint32_t)))) goto done;
    if ((ret = pk_walk(&w, d, k, (int16_t *)edge, (uint8_t *)codes)) < 0) goto done;
    ret = NC_EBUG;
    if (w.n > w.cap) goto done;
    uint64_t c64[256];
    for (int m = 0; m < N_MODELS; m++) {
        unsigned n = model_nsyms(m);
        for (unsigned i = 0; i < n; i++)
            c64[i] = m < N_STORED ? w.counts[m][i] : 1;
        if (m < N_STORED) put_counts(&enc, w.counts[m], n);
        if ((ret = init_model(models, m, c64)) < 0) goto done;
    }
    if ((ret = rc_enc_flush(&enc)) < 0) goto done;
    size_t cap = rans_encode_bound(w.n, PC_PACK_PREC);
    ret = NC_ENOMEM;
    if (!(out = malloc(cap))) goto done;
    ptrdiff_t n = rans_encode(models->m, N_MODELS, w.idx, w.syms, w.n, out, cap);
    if (n < 0) {
        ret = (int)n;
        goto done;
    }
    /* Pad the tables with zero bytes (the range decoder accepts them after the end)
     * up to the minimum size of the whole. */
    size_t min = pc_pack_min_size(d, k), tsize = enc.size;
    if (tsize + (size_t)n < min) tsize = min - (size_t)n;
    ret = NC_ENOMEM;
    if (!(*tables = calloc(tsize, 1))) goto done;
    memcpy(*tables, enc.buf, enc.size);
    *tables_size = tsize;
    *stream = out;
    *stream_size = (size_t)n;
    out = NULL;
    ret = 0;
done:
    for (int m = 0; m < N_MODELS; m++)
        free(w.counts[m]);
    free(w.idx);
    free(w.syms);
    free(out);
    models_free(models);
    rc_enc_free(&enc);
    return ret;
}

int pc_pack_decode(int d, int k, const uint8_t *tables, size_t tables_size, const uint8_t *stream,
                   size_t stream_size, int16_t *edge, uint8_t *codes)
{
    if (d < 1 || d > PC_MAX_VARS || k < 1 || k > PC_MAX_STATES) return NC_EMODEL;
    if (tables_size + stream_size < pc_pack_min_size(d, k)) {
        nc_log(NULL, NC_LOG_ERROR, "pclossless: packed model tables of %zu bytes, below %zu",
               tables_size + stream_size, pc_pack_min_size(d, k));
        return NC_EMODEL;
    }
    Models *models = models_alloc();
    if (!models) return NC_ENOMEM;
    RCDecoder dec;
    rc_dec_init(&dec, tables, tables_size);
    uint64_t c64[256];
    int ret = 0;
    for (int m = 0; m < N_MODELS && ret == 0; m++) {
        unsigned n = model_nsyms(m);
        if (m < N_STORED)
            get_counts(&dec, c64, n);
        else
            for (unsigned i = 0; i < n; i++)
                c64[i] = 1;
        ret = init_model(models, m, c64);
        if (ret == NC_EINVAL) ret = NC_EMODEL;
    }
    if (ret == 0 && rc_dec_finish(&dec) < 0) ret = NC_EMODEL;
    if (ret == 0) {
        Walk w = {.encode = 0, .models = models->m};
        if (rans_dec_init(&w.dec, stream, stream_size) < 0) ret = NC_EMODEL;
        if (ret == 0) ret = pk_walk(&w, d, k, edge, codes);
        if (ret == 0 && rans_dec_finish(&w.dec) < 0) ret = NC_EMODEL;
    }
    if (ret == NC_EMODEL)
        nc_log(NULL, NC_LOG_ERROR, "pclossless: the model's packed tables are damaged");
    models_free(models);
    return ret;
}
