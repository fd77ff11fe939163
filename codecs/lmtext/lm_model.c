/* The lmtext predictor (lm_model.h): contexts, counters, mixer, APMs, undo journal.
 * Integer arithmetic only; every right shift of a signed value goes through asr()
 * so that the rounding is the same on any compiler. */
#include <stdlib.h>
#include <string.h>

#include "codecs/lmtext/lm_model.h"
#include "nc/error.h"
#include "nc/log.h"

#define LM_MIN_ONLINE_BITS 12
#define LM_MAX_ONLINE_BITS 22
#define LM_MATCH_MIN 5        /* bytes that must agree before a match is used */
#define LM_MATCH_VERIFY 32    /* longest match measured when one is found */
#define LM_MIX_LR 6   /* first-layer mixer learning rate, in 1/2^14 */
#define LM_FINAL_LR 2 /* final mixer */
/* Counters stop slowing their adaptation after this many observations. */
#define LIM0 255 /* order 0 */
#define LIM1 127 /* order 1 */
#define LIM3 60  /* orders 2, 3 */
#define LIM4 30  /* higher orders and words */
#define HLIM 255 /* bit-history maps */
#define LM_APM_RATE 7
#define LM_JOURNAL_MAX ((size_t)1 << 18)
#define LM_W_INIT 19661 /* 0.3 in Q16 */

static int32_t asr(int32_t x, int s)
{
    return x >= 0 ? x >> s : -(int32_t)(((uint32_t)(-(int64_t)x) + ((1u << s) - 1)) >> s);
}

static uint32_t h32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

/* ---- stretch / squash ------------------------------------------------------ */

static const int squash_knots[33] = {
    1,    2,    3,    6,    10,   16,   27,   45,   73,   120,  194,
    310,  488,  747,  1101, 1546, 2047, 2549, 2994, 3348, 3607, 3785,
    3901, 3975, 4022, 4050, 4068, 4079, 4085, 4089, 4092, 4093, 4094,
};

int lm_squash(int d)
{
    if (d > 2047) return 4095;
    if (d < -2047) return 1;
    int x = d + 2048, i = x >> 7, w = x & 127;
    return (squash_knots[i] * (128 - w) + squash_knots[i + 1] * w + 64) >> 7;
}

static int16_t stretch_table[4096];
static int stretch_ready;

static void stretch_init(void)
{
    /* The inverse of squash: for each p the smallest d with squash(d) >= p. Built
     * the same way on every run; a race between threads writes the same values. */
    if (stretch_ready) return;
    int pi = 0;
    for (int d = -2047; d <= 2047; d++) {
        int v = lm_squash(d);
        for (int j = pi; j <= v; j++) stretch_table[j] = (int16_t)d;
        pi = v + 1;
    }
    for (int j = pi; j < 4096; j++) stretch_table[j] = 2047;
    stretch_ready = 1;
}

int lm_stretch(int p)
{
    return stretch_table[p < 0 ? 0 : p > 4095 ? 4095 : p];
}

/* ---- parameters ------------------------------------------------------------ */

static size_t params_bytes(void)
{
    return (size_t)LM_N_PRIORS * ((size_t)1 << LM_PRIOR_BITS) +
           sizeof(LMSlot) * LM_O1_SLOTS +
           sizeof(int32_t) * 2 * LM_MIX_WEIGHTS +
           sizeof(uint16_t) * (size_t)LM_APM1_CTX * LM_APM_CELLS;
}

static int params_alloc(LMParams *p)
{
    memset(p, 0, sizeof(*p));
    uint8_t *s = calloc(1, params_bytes());
    if (!s) return NC_ENOMEM;
    p->storage = s;
    p->mix = (int32_t *)s;
    s += sizeof(int32_t) * 2 * LM_MIX_WEIGHTS;
    p->o1 = (LMSlot *)s;
    s += sizeof(LMSlot) * LM_O1_SLOTS;
    p->apm1 = (uint16_t *)s;
    s += sizeof(uint16_t) * LM_APM1_CTX * LM_APM_CELLS;
    for (int k = 0; k < LM_N_PRIORS; k++) {
        p->prior[k] = (int8_t *)s;
        s += (size_t)1 << LM_PRIOR_BITS;
    }
    return 0;
}

static void apm_identity(uint16_t *t, int nctx)
{
    for (int j = 0; j < LM_APM_CELLS; j++) t[j] = (uint16_t)(lm_squash((j - 16) * 128) * 16);
    for (int c = 1; c < nctx; c++) memcpy(t + c * LM_APM_CELLS, t, sizeof(uint16_t) * LM_APM_CELLS);
}

int lm_params_alloc_default(LMParams *p)
{
    stretch_init();
    int ret = params_alloc(p);
    if (ret < 0) return ret;
    for (int m = 0; m < 2; m++) {
        int32_t *w = p->mix + m * LM_MIX_WEIGHTS;
        for (int i = 0; i < LM_MIX_SETS * LM_MAX_INPUTS; i++)
            w[i] = i % LM_MAX_INPUTS ? LM_W_INIT : 0; /* input 0 is the bias */
        w += LM_MIX_SETS * LM_MAX_INPUTS;
        for (int i = 0; i < LM_FINAL_SETS * LM_FINAL_INPUTS; i++) {
            int k = i % LM_FINAL_INPUTS;
            w[i] = k >= 1 && k <= LM_N_MIXERS ? 65536 / LM_N_MIXERS : 0;
        }
    }
    for (int i = 0; i < LM_O1_SLOTS; i++) p->o1[i] = (LMSlot){32768, 1, 0, 0, 0};
    apm_identity(p->apm1, LM_APM1_CTX);
    return 0;
}

void lm_params_free(LMParams *p)
{
    free(p->storage);
    memset(p, 0, sizeof(*p));
}

static int expect(const NCModel *m, const char *name, enum NCModelDType dtype, int64_t rows,
                  int64_t numel, const NCModelTensor **t)
{
    int64_t dims[2] = {rows, numel};
    int ret = nc_model_tensor_expect(m, name, 2, dims, t);
    if (ret < 0) return ret;
    if ((*t)->dtype != dtype) {
        nc_log(NULL, NC_LOG_ERROR, "lmtext: model tensor %s has the wrong type", name);
        return NC_EMODEL;
    }
    return 0;
}

int lm_params_from_model(LMParams *p, const NCModel *m)
{
    stretch_init();
    int ret = params_alloc(p);
    if (ret < 0) return ret;
    const NCModelTensor *t;
    static const char *const prior_names[LM_N_PRIORS] = {"prior.o2", "prior.o3", "prior.o4",
                                                         "prior.word"};
    for (int k = 0; k < LM_N_PRIORS && ret >= 0; k++)
        if ((ret = expect(m, prior_names[k], NC_MODEL_I8, 1, (int64_t)1 << LM_PRIOR_BITS, &t)) >= 0)
            memcpy(p->prior[k], t->data, (size_t)1 << LM_PRIOR_BITS);
    if (ret >= 0 && (ret = expect(m, "o1", NC_MODEL_I32, 1, LM_O1_SLOTS, &t)) >= 0) {
        const int32_t *v = t->data;
        for (int i = 0; i < LM_O1_SLOTS; i++) {
            uint32_t x = (uint32_t)v[i];
            p->o1[i] = (LMSlot){(uint16_t)(x >> 16), 1, (uint8_t)x, 0, 0};
            if (p->o1[i].p == 0) p->o1[i].p = 1; /* keep stretch finite */
        }
    }
    if (ret >= 0 &&
        (ret = expect(m, "mixer", NC_MODEL_I16, 2, LM_MIX_WEIGHTS, &t)) >= 0) {
        /* Stored in 1/512 (int16: within the ±2^22 bound in Q16, so that no dot
         * product can overflow); the online updates refine them in Q16. */
        const int16_t *v = t->data;
        for (int i = 0; i < 2 * LM_MIX_WEIGHTS; i++) p->mix[i] = (int32_t)v[i] * LM_MIX_STORE_SCALE;
    }
    if (ret >= 0 && (ret = expect(m, "apm1", NC_MODEL_I16, 1, LM_APM1_CTX * LM_APM_CELLS, &t)) >= 0)
        memcpy(p->apm1, t->data, sizeof(uint16_t) * LM_APM1_CTX * LM_APM_CELLS);
    if (ret < 0) lm_params_free(p);
    return ret;
}

/* ---- predictor ------------------------------------------------------------- */

/* -1 word, -2 word pair, -3 three words, -4 the two bytes before the last one,
 * -5 the word and the one two back, -6 the word and the byte before it, -7 the
 * column and the last byte (order_hash()) */
static const int online_orders_fast[LM_N_ONLINE_FAST] = {2, 3, 4, 6, -1, -2, -7};
static const int online_orders_max[LM_N_ONLINE_MAX] = {2, 3, 4, 5, 6, 8, -1, -2, -3, -4, -5, -6, -7};

static int32_t rate_table[256];

int lm_predictor_init(LMPredictor *lm, const LMParams *params, int mode)
{
    stretch_init();
    for (int n = 0; n < 256; n++) rate_table[n] = (65536 + n + 1) / (2 * n + 3);
    memset(lm, 0, sizeof(*lm));
    lm->mode = mode;
    lm->params = params;
    lm->n_online = mode == LM_MODE_MAX ? LM_N_ONLINE_MAX : LM_N_ONLINE_FAST;
    lm->n_inputs = 1 + 2 + 2 * lm->n_online + 1 + LM_N_PRIORS;
    const int *orders = mode == LM_MODE_MAX ? online_orders_max : online_orders_fast;
    for (int k = 0; k < lm->n_online; k++)
        lm->prior_of[k] = orders[k] >= 2 && orders[k] <= 4 ? orders[k] - 2 : orders[k] == -1 ? 3 : -1;
    lm->o1 = malloc(sizeof(LMSlot) * LM_O1_SLOTS);
    lm->mix = malloc(sizeof(int32_t) * LM_MIX_WEIGHTS);
    lm->apm1 = malloc(sizeof(uint16_t) * LM_APM1_CTX * LM_APM_CELLS);
    lm->apm2 = malloc(sizeof(uint16_t) * LM_APM2_CTX * LM_APM_CELLS);
    lm->apm3 = malloc(sizeof(uint16_t) * LM_APM3_CTX * LM_APM_CELLS);
    lm->apm4 = malloc(sizeof(uint16_t) * LM_APM4_CTX * LM_APM_CELLS);
    lm->journal = malloc(sizeof(uint64_t) * 2 * LM_JOURNAL_MAX);
    if (!lm->o1 || !lm->mix || !lm->apm1 || !lm->apm2 || !lm->apm3 || !lm->apm4 || !lm->journal) {
        lm_predictor_free(lm);
        return NC_ENOMEM;
    }
    lm->journal_overflow = 1;
    return 0;
}

void lm_predictor_free(LMPredictor *lm)
{
    free(lm->online);
    free(lm->match_table);
    free(lm->o1);
    free(lm->mix);
    free(lm->apm1);
    free(lm->apm2);
    free(lm->apm3);
    free(lm->apm4);
    free(lm->journal);
    memset(lm, 0, sizeof(*lm));
}

/* The journal: (offset, old 32-bit value) pairs of what changed since the last
 * reset, offsets into one virtual space (below). */
enum { J_ONLINE, J_O0, J_O1, J_MIX, J_APM1, J_APM2, J_MATCH, J_HSM, J_APM3, J_APM4 };
#define J_SHIFT 28

static void journal(LMPredictor *lm, int kind, size_t index, uint64_t old)
{
    if (!lm->journaled || lm->journal_overflow) return;
    if (lm->journal_len == LM_JOURNAL_MAX) {
        lm->journal_overflow = 1;
        return;
    }
    lm->journal[2 * lm->journal_len] = (uint64_t)kind << J_SHIFT | index;
    lm->journal[2 * lm->journal_len + 1] = old;
    lm->journal_len++;
}

static uint64_t slot_bits(LMSlot s)
{
    return (uint64_t)s.hist << 32 | (uint32_t)s.p << 16 | (uint32_t)s.check << 8 | s.n;
}

static LMSlot slot_from_bits(uint64_t x)
{
    return (LMSlot){(uint16_t)(x >> 16), (uint8_t)(x >> 8), (uint8_t)x, (uint8_t)(x >> 32), 0};
}

static int table_bits_for(size_t n)
{
    int bits = LM_MIN_ONLINE_BITS;
    while (bits < LM_MAX_ONLINE_BITS && ((size_t)1 << bits) < 16 * n) bits++;
    return bits;
}

static void full_reset(LMPredictor *lm)
{
    const LMParams *p = lm->params;
    size_t slots = (size_t)lm->n_online << lm->online_bits;
    memset(lm->online, 0, sizeof(LMSlot) * slots);
    memset(lm->match_table, 0, sizeof(uint32_t) << (lm->online_bits - 2));
    for (int i = 0; i < 256; i++) lm->o0[i] = (LMSlot){32768, 1, 0, 0, 0};
    for (int i = 0; i < LM_MAX_INPUTS * 128; i++) lm->hist_sm[i] = (LMSlot){32768, 1, 0, 0, 0};
    memcpy(lm->o1, p->o1, sizeof(LMSlot) * LM_O1_SLOTS);
    memcpy(lm->mix, p->mix + (size_t)lm->mode * LM_MIX_WEIGHTS, sizeof(int32_t) * LM_MIX_WEIGHTS);
    memcpy(lm->apm1, p->apm1, sizeof(uint16_t) * LM_APM1_CTX * LM_APM_CELLS);
    apm_identity(lm->apm2, LM_APM2_CTX);
    apm_identity(lm->apm3, LM_APM3_CTX);
    apm_identity(lm->apm4, LM_APM4_CTX);
}

static void journal_undo(LMPredictor *lm)
{
    for (size_t k = lm->journal_len; k-- > 0;) {
        uint64_t where = lm->journal[2 * k], old = lm->journal[2 * k + 1];
        size_t i = (size_t)(where & ((1u << J_SHIFT) - 1));
        switch (where >> J_SHIFT) {
        case J_ONLINE: lm->online[i] = slot_from_bits(old); break;
        case J_O0: lm->o0[i] = slot_from_bits(old); break;
        case J_O1: lm->o1[i] = slot_from_bits(old); break;
        case J_MIX: lm->mix[i] = (int32_t)(uint32_t)old; break;
        case J_HSM: lm->hist_sm[i] = slot_from_bits(old); break;
        case J_APM1: lm->apm1[i] = (uint16_t)old; break;
        case J_APM2: lm->apm2[i] = (uint16_t)old; break;
        case J_APM3: lm->apm3[i] = (uint16_t)old; break;
        case J_APM4: lm->apm4[i] = (uint16_t)old; break;
        default: lm->match_table[i] = (uint32_t)old; break;
        }
    }
}

int lm_begin(LMPredictor *lm, size_t n, int journaled)
{
    int bits = table_bits_for(n);
    if (bits != lm->online_bits || !lm->online) {
        free(lm->online);
        free(lm->match_table);
        lm->online = malloc(sizeof(LMSlot) * ((size_t)lm->n_online << bits));
        lm->match_table = malloc(sizeof(uint32_t) << (bits - 2));
        if (!lm->online || !lm->match_table) {
            free(lm->online);
            free(lm->match_table);
            lm->online = NULL, lm->match_table = NULL;
            return NC_ENOMEM;
        }
        lm->online_bits = bits;
    }
    lm->journaled = journaled;
    lm->journal_overflow = 1; /* lm_reset() starts from scratch */
    return 0;
}

void lm_reset(LMPredictor *lm, const uint8_t *hist)
{
    if (!lm->journaled || lm->journal_overflow)
        full_reset(lm);
    else
        journal_undo(lm);
    lm->journal_len = 0;
    lm->journal_overflow = 0;
    lm->hist = hist;
    lm->pos = 0;
    lm->match_ptr = 0, lm->match_len = 0, lm->match_miss = 0;
    for (int i = 0; i < 128; i++) lm->match_sm[i] = (LMSlot){32768, 1, 0, 0, 0};
    lm->word_sep = 0, lm->line_start = 0, lm->word_len = 0;
    lm->c0 = 1, lm->bitpos = 0, lm->c4 = 0, lm->c8 = 0, lm->word = 0, lm->word_prev = 0, lm->word_prev2 = 0;
    memset(lm->ctx_hash, 0, sizeof(lm->ctx_hash));
    memset(lm->prior_hash, 0, sizeof(lm->prior_hash));
}

/* ---- contexts -------------------------------------------------------------- */

static uint32_t order_hash(const LMPredictor *lm, int order)
{
    uint32_t c4 = lm->c4, c8 = lm->c8;
    switch (order) {
    case 2: return h32((c4 & 0xffff) + 0x9e3779b9u);
    case 3: return h32((c4 & 0xffffff) + 0x3c6ef372u);
    case 4: return h32(c4 + 0xdaa66d2bu);
    case 5: return h32(c4 + 0x78dde6e4u) ^ h32((c8 & 0xff) + 0x1715609du);
    case 6: return h32(c4 + 0xb54cda56u) ^ h32((c8 & 0xffff) + 0x5384540fu);
    case 8: return h32(c4 + 0xf1bbcdc8u) ^ h32(c8 + 0x8ff34781u);
    case -1: /* the word so far; between words the last word and the byte after it */
        return lm->word ? h32(lm->word + 0x2e1b2138u)
                        : h32(lm->word_prev ^ ((c4 & 0xff) * 0x01000193u) ^ 0xcc9e2d51u);
    case -2: /* the word so far and the one before */
        return h32(lm->word * 0x2545f491u + lm->word_prev + 0x6a09e667u);
    case -3: /* and the one before that */
        return h32(lm->word * 0x2545f491u + lm->word_prev * 0x9e3779b1u + lm->word_prev2 + 0xbb67ae85u);
    case -4: /* a sparse context */
        return h32(((c4 >> 8) & 0xffff) + 0x3c6ef373u);
    case -5: /* the word so far and the one two back (skipping one) */
        return h32(lm->word * 0x2545f491u + lm->word_prev2 + 0x510e527fu);
    case -6: /* the word so far and the non-letter before it */
        return h32(lm->word * 0x9e3779b1u + lm->word_sep + 0x9b05688cu);
    default: { /* -7: the column (bytes since the last newline) and the last byte:
                * where wrapped lines break */
        size_t col = lm->pos - lm->line_start;
        return h32((uint32_t)(col > 127 ? 127 : col) << 8 | (c4 & 0xff) | 0x33000000u);
    }
    }
}

static void byte_update(LMPredictor *lm, int b)
{
    const uint8_t *hist = lm->hist;
    lm->pos++;
    lm->c8 = lm->c8 << 8 | lm->c4 >> 24;
    lm->c4 = lm->c4 << 8 | (uint32_t)b;
    /* Match model: extend the current match or look for one. */
    if (lm->match_len > 0) {
        if (hist[lm->match_ptr] == b) {
            if (lm->match_len < 65535) lm->match_len++;
            lm->match_ptr++;
        } else {
            lm->match_len = 0;
        }
    }
    if (lm->pos >= LM_MATCH_MIN) {
        int mbits = lm->online_bits - 2;
        uint32_t mh = h32(lm->c4 ^ h32((lm->c8 & 0xff) + 0x51ed270bu)) >> (32 - mbits);
        uint32_t cand = lm->match_table[mh];
        if (lm->match_len == 0 && cand > 0) {
            int len = 0;
            while (len < LM_MATCH_VERIFY && (size_t)len < cand &&
                   hist[cand - 1 - (size_t)len] == hist[lm->pos - 1 - (size_t)len])
                len++;
            if (len >= LM_MATCH_MIN) lm->match_len = len, lm->match_ptr = cand;
        }
        journal(lm, J_MATCH, mh, cand);
        lm->match_table[mh] = (uint32_t)lm->pos;
    }
    lm->match_miss = 0;
    /* Words: letters (either case) and any byte >= 128 (UTF-8 sequences). */
    int lower = b >= 'A' && b <= 'Z' ? b + 32 : b;
    if ((lower >= 'a' && lower <= 'z') || b >= 128) {
        lm->word = (lm->word + (uint32_t)lower + 1) * 0x2f0f3a5bu;
        lm->word_len++;
    } else {
        if (lm->word) {
            lm->word_prev2 = lm->word_prev;
            lm->word_prev = lm->word;
            lm->word = 0;
        }
        lm->word_sep = (uint32_t)b;
        lm->word_len = 0;
        if (b == '\n') lm->line_start = lm->pos;
    }
    const int *orders = lm->mode == LM_MODE_MAX ? online_orders_max : online_orders_fast;
    for (int k = 0; k < lm->n_online; k++) lm->ctx_hash[k] = order_hash(lm, orders[k]);
    static const int prior_orders[LM_N_PRIORS] = {2, 3, 4, -1};
    for (int k = 0; k < LM_N_PRIORS; k++)
        lm->prior_hash[k] = order_hash(lm, prior_orders[k]) ^ 0x85ebca6bu;
    lm->c0 = 1;
    lm->bitpos = 0;
}

static uint32_t bit_hash(uint32_t ctx, uint32_t c0)
{
    return (ctx ^ (c0 * 0x2c1b3c6du)) * 0x9e3779b1u;
}

void lm_prior_slots(const LMPredictor *lm, uint32_t idx[LM_N_PRIORS])
{
    for (int k = 0; k < LM_N_PRIORS; k++)
        idx[k] = bit_hash(lm->prior_hash[k], lm->c0) >> (32 - LM_PRIOR_BITS);
}

static int match_bucket(int len)
{
    return len < 16 ? len : len < 32 ? 16 + ((len - 16) >> 2) : len < 64 ? 20 + ((len - 32) >> 3) : 24;
}

/* Column buckets for a mixer selector: exact up to 7, then by 8 up to 63. */
static int col_bucket(size_t c)
{
    return c < 8 ? (int)c : c < 64 ? 8 + (int)((c - 8) >> 3) : 15;
}

/* Eight classes of bytes for a mixer selector: vowels, other lower-case letters,
 * capitals, digits, space, newline, sentence punctuation, the rest. */
static int char_class(uint32_t b)
{
    if (b >= 'a' && b <= 'z') return b == 'e' || b == 'a' || b == 'i' || b == 'o' || b == 'u' ? 0 : 1;
    if (b >= 'A' && b <= 'Z') return 2;
    if (b >= '0' && b <= '9') return 3;
    if (b == ' ') return 4;
    if (b == '\n' || b == '\r') return 5;
    if (b == '.' || b == ',' || b == ';' || b == ':' || b == '!' || b == '?') return 6;
    return 7;
}

static int32_t clamp2047(int64_t d)
{
    return d > 2047 ? 2047 : d < -2047 ? -2047 : (int32_t)d;
}

static int32_t mix_dot(const int32_t *st, const int32_t *w, int n)
{
    int64_t dot = 0;
    for (int i = 0; i < n; i++) dot += (int64_t)st[i] * w[i];
    /* floor(dot / 2^16) without shifting a negative value */
    int64_t q = dot >= 0 ? dot >> 16 : -((-dot + 65535) >> 16);
    return clamp2047(q);
}

static int apm_read(const uint16_t *t, int32_t d, int *idx)
{
    int s = d + 2048, lo = s >> 7, w = s & 127;
    *idx = lo + (w >> 6);
    return (t[lo] * (128 - w) + t[lo + 1] * w) >> 11;
}

static LMSlot *take_slot(LMPredictor *lm, LMSlot *s, int kind, size_t index)
{
    journal(lm, kind, index, slot_bits(*s));
    return s;
}

int lm_predict(LMPredictor *lm)
{
    uint32_t c0 = lm->c0;
    int n = 0;
    memset(lm->keeps_hist, 0, sizeof(lm->keeps_hist));
    lm->st[n] = 256, lm->slot[n++] = NULL; /* bias */
    LMSlot *s = take_slot(lm, &lm->o0[c0], J_O0, c0);
    lm->limit[n] = (uint8_t)LIM0;
    lm->st[n] = lm_stretch(s->p >> 4), lm->slot[n++] = s;
    size_t i1 = (size_t)(lm->c4 & 0xff) << 8 | c0;
    s = take_slot(lm, &lm->o1[i1], J_O1, i1);
    lm->limit[n] = (uint8_t)LIM1;
    lm->st[n] = lm_stretch(s->p >> 4), lm->slot[n++] = s;
    uint32_t pidx[LM_N_PRIORS];
    lm_prior_slots(lm, pidx);
    const int8_t *const *prior = (const int8_t *const *)lm->params->prior;
    int bits = lm->online_bits;
    for (int k = 0; k < lm->n_online; k++) {
        uint32_t x = bit_hash(lm->ctx_hash[k], c0);
        size_t idx = ((size_t)k << bits) + (x >> (32 - bits));
        uint8_t check = (uint8_t)(x >> (24 - bits));
        check |= check == 0;
        s = take_slot(lm, &lm->online[idx], J_ONLINE, idx);
        if (s->check != check) {
            /* A new context starts from its frozen prior when it has one. */
            int pk = lm->prior_of[k], p = 2048;
            if (pk >= 0) p = lm_squash(prior[pk][pidx[pk]] * 16);
            *s = (LMSlot){(uint16_t)(p << 4), check, 0, 0, 0};
        }
        lm->limit[n] = (uint8_t)(k < 2 ? LIM3 : LIM4);
        lm->keeps_hist[n] = 1;
        lm->st[n] = lm_stretch(s->p >> 4), lm->slot[n++] = s;
        size_t hi = (size_t)k * 128 + (s->hist & 127);
        LMSlot *h = take_slot(lm, &lm->hist_sm[hi], J_HSM, hi);
        lm->limit[n] = (uint8_t)HLIM;
        lm->st[n] = lm_stretch(h->p >> 4), lm->slot[n++] = h;
    }
    /* Match model: the next bit of the predicted byte, with a confidence learned
     * per match length. */
    int mset = 0;
    if (lm->match_len > 0 && !lm->match_miss) {
        int e = lm->hist[lm->match_ptr] | 256;
        if ((uint32_t)(e >> (8 - lm->bitpos)) == c0) {
            int bit = (e >> (7 - lm->bitpos)) & 1, bucket = match_bucket(lm->match_len);
            s = &lm->match_sm[bucket * 2 + bit];
            lm->limit[n] = 255;
            lm->st[n] = lm_stretch(s->p >> 4), lm->slot[n++] = s;
            mset = 1 + (bucket >> 1);
            lm->mbit = bit;
        } else {
            lm->match_miss = 1;
        }
    }
    if (!mset) lm->st[n] = 0, lm->slot[n++] = NULL;
    /* Frozen priors learned from English text. */
    for (int k = 0; k < LM_N_PRIORS; k++)
        lm->st[n] = lm->params->prior[k][pidx[k]] * 16, lm->slot[n++] = NULL;
    lm->n_slots = n;
    /* Mixing. */
    /* Mixing: twelve weight sets chosen by different contexts, then final mixers. */
    int hits = 0;
    for (int k = 0; k < n; k++) hits += lm->keeps_hist[k] && lm->slot[k]->n > 0;
    hits = hits > 7 ? 7 : hits;
    uint32_t c4 = lm->c4;
    int cl1 = char_class(c4 & 0xff), cl2 = char_class(c4 >> 8 & 0xff), cl3 = char_class(c4 >> 16 & 0xff);
    int col = col_bucket(lm->pos - lm->line_start);
    int set[LM_N_MIXERS] = {
        LM_SET_C0 + (int)c0,
        LM_SET_MATCH + mset * 4 + (lm->bitpos >> 1),
        LM_SET_C1 + (int)(c4 & 0xff),
        LM_SET_HITS + hits * 8 + lm->bitpos,
        LM_SET_CLASSES + ((cl1 * 8 + cl2) * 8 + cl3) * 8 + lm->bitpos,
        LM_SET_C2 + (int)(c4 >> 8 & 0xff),
        LM_SET_O2 + (int)(h32((c4 & 0xffff) + 0x2f0f3a5bu) >> 20),
        LM_SET_COLUMN + (col * 8 + cl1) * 8 + lm->bitpos,
        LM_SET_C0CL + cl1 * 256 + (int)c0,
        LM_SET_WLEN + (lm->word_len > 15 ? 15 : lm->word_len) * 8 + lm->bitpos,
        LM_SET_O3 + (int)(h32((c4 & 0xffffff) + 0x1f123bb5u) >> 20),
        LM_SET_WORD + (int)(h32(lm->word + 0x6b43a9b5u) >> 20),
    };
    lm->d_mix[0] = 256;
    for (int m = 0; m < LM_N_MIXERS; m++) {
        lm->w[m] = lm->mix + (size_t)set[m] * LM_MAX_INPUTS;
        lm->d_mix[1 + m] = mix_dot(lm->st, lm->w[m], n);
        lm->pr_mix_k[m] = lm_squash(lm->d_mix[1 + m]);
    }
    /* Three final mixers (weights chosen by c0; by the column bucket, the last
     * byte's class and the bit position; by the last byte and the bit position),
     * averaged in the stretched domain. */
    int fset[LM_N_FINAL] = {
        LM_FSET_C0 + (int)c0,
        LM_FSET_COLUMN + (col * 8 + cl1) * 8 + lm->bitpos,
        LM_FSET_C1 + (int)(c4 & 0xff) * 8 + lm->bitpos,
    };
    int32_t dsum = 0;
    for (int f = 0; f < LM_N_FINAL; f++) {
        lm->wf[f] = lm->mix + LM_MIX_SETS * LM_MAX_INPUTS + (size_t)fset[f] * LM_FINAL_INPUTS;
        int32_t df = mix_dot(lm->d_mix, lm->wf[f], 1 + LM_N_MIXERS);
        lm->pr_fin[f] = lm_squash(df);
        dsum += df;
    }
    int32_t d = asr(dsum * 21845, 16); /* / 3; |dsum| <= 6141 */
    lm->pr_mix = lm_squash(d);
    /* APMs: order 0, order 1, hashed order 2, match state. */
    int pa1 = apm_read(lm->apm1 + c0 * LM_APM_CELLS, d, &lm->apm1_idx);
    lm->apm1_idx += (int)c0 * LM_APM_CELLS;
    size_t a2 = (size_t)(lm->c4 & 0xff) << 8 | c0;
    int pa2 = apm_read(lm->apm2 + a2 * LM_APM_CELLS, d, &lm->apm2_idx);
    lm->apm2_idx += (int)(a2 * LM_APM_CELLS);
    uint32_t a3 = (h32((lm->c4 & 0xffff) + 0x1b873593u) ^ c0 * 0x9e3779b1u) >> (32 - LM_APM3_BITS);
    int pa3 = apm_read(lm->apm3 + a3 * LM_APM_CELLS, d, &lm->apm3_idx);
    lm->apm3_idx += (int)(a3 * LM_APM_CELLS);
    int a4 = (mset * 2 + (mset ? lm->mbit : 0)) * 256 + (int)c0;
    int pa4 = apm_read(lm->apm4 + a4 * LM_APM_CELLS, d, &lm->apm4_idx);
    lm->apm4_idx += a4 * LM_APM_CELLS;
    int p = (1 * lm->pr_mix + 1 * pa1 + 6 * pa2 + 6 * pa3 + 2 * pa4 + 8) >> 4;
    p = p < 1 ? 1 : p > 4095 ? 4095 : p;
    lm->pr_final = p;
    return p;
}

static void train_mixer(LMPredictor *lm, int32_t *w, const int32_t *st, int n, int pr, int bit,
                        int lr)
{
    int32_t err = ((bit << 12) - pr) * lr;
    for (int i = 0; i < n; i++) {
        journal(lm, J_MIX, (size_t)(w + i - lm->mix), (uint32_t)w[i]);
        int32_t v = w[i] + asr(st[i] * err, 14);
        w[i] = v > (1 << 22) ? (1 << 22) : v < -(1 << 22) ? -(1 << 22) : v;
    }
}

static void train_apm(LMPredictor *lm, uint16_t *t, int kind, int idx, int bit)
{
    journal(lm, kind, (size_t)idx, t[idx]);
    int32_t g = (bit << 16) + (bit << LM_APM_RATE) - bit - bit;
    t[idx] = (uint16_t)(t[idx] + asr(g - t[idx], LM_APM_RATE));
}

void lm_update(LMPredictor *lm, int bit)
{
    int32_t target = bit ? 65535 : 0;
    for (int i = 0; i < lm->n_slots; i++) {
        LMSlot *s = lm->slot[i];
        if (!s) continue;
        s->p = (uint16_t)(s->p + asr((target - s->p) * rate_table[s->n], 15));
        if (s->n < lm->limit[i]) s->n++;
        if (lm->keeps_hist[i]) {
            /* counts of zeros and ones, 0..7 each, the other one discounted
             * (recent bits weigh more), and the last bit */
            int n0 = s->hist >> 3 & 7, n1 = s->hist & 7;
            if (bit) {
                n1 += n1 < 7;
                if (n0 > 2) n0 = (n0 + 1) >> 1;
            } else {
                n0 += n0 < 7;
                if (n1 > 2) n1 = (n1 + 1) >> 1;
            }
            s->hist = (uint8_t)(bit << 6 | n0 << 3 | n1);
        }
    }
    for (int m = 0; m < LM_N_MIXERS; m++)
        train_mixer(lm, lm->w[m], lm->st, lm->n_slots, lm->pr_mix_k[m], bit, LM_MIX_LR);
    for (int f = 0; f < LM_N_FINAL; f++)
        train_mixer(lm, lm->wf[f], lm->d_mix, 1 + LM_N_MIXERS, lm->pr_fin[f], bit, LM_FINAL_LR);
    train_apm(lm, lm->apm1, J_APM1, lm->apm1_idx, bit);
    train_apm(lm, lm->apm2, J_APM2, lm->apm2_idx, bit);
    train_apm(lm, lm->apm3, J_APM3, lm->apm3_idx, bit);
    train_apm(lm, lm->apm4, J_APM4, lm->apm4_idx, bit);
    lm->c0 = lm->c0 << 1 | (uint32_t)bit;
    if (++lm->bitpos == 8) byte_update(lm, (int)(lm->c0 & 0xff));
}

void lm_skip_bit(LMPredictor *lm, int bit)
{
    lm->c0 = lm->c0 << 1 | (uint32_t)bit;
    if (++lm->bitpos == 8) byte_update(lm, (int)(lm->c0 & 0xff));
}
