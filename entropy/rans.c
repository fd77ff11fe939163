/* Interleaved rANS with 64-bit states and 32-bit words (after Fabian Giesen's rans64;
 * the stream layout is ours, see conformance/spec/entropy.md). */
#include "entropy/rans.h"

#include <stddef.h>
#include <string.h>

#define RANS_L ((uint64_t)1 << 31) /* lower bound of a normalized state */
#define HEADER_BYTES (8 * RANS_LANES)

static inline void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

size_t rans_encode_bound(size_t n, unsigned prec)
{
    /* Each lane emits at most (its information + 32) bits: 4 * (n * prec / 32 + 1)
     * bytes per lane bound it, plus the final states. */
    return HEADER_BYTES + 4 * RANS_LANES + 4 * ((n * (size_t)prec + 31) / 32) + 4;
}

/* The output is written backwards from the end of out; words are reserved above the
 * header, which is written last at the front. */
typedef struct RansWriter {
    uint8_t *ptr, *limit; /* next word goes at ptr - 4, which must stay >= limit */
    int error;
} RansWriter;

static inline void enc_symbol(uint64_t *x, RansWriter *w, uint32_t start, uint32_t freq,
                              unsigned prec)
{
    uint64_t x_max = ((RANS_L >> prec) << 32) * freq;
    if (*x >= x_max) {
        if (w->ptr - w->limit < 4) {
            w->error = NC_ENOSPC;
            return;
        }
        w->ptr -= 4;
        put_u32(w->ptr, (uint32_t)*x);
        *x >>= 32;
    }
    *x = ((*x / freq) << prec) + (*x % freq) + start;
}

static ptrdiff_t finish_encode(uint64_t *x, RansWriter *w, uint8_t *out, size_t capacity)
{
    if (w->error) return w->error;
    uint8_t *end = out + capacity;
    size_t words = (size_t)(end - w->ptr);
    memmove(out + HEADER_BYTES, w->ptr, words);
    for (int l = 0; l < RANS_LANES; l++) {
        put_u32(out + 8 * l, (uint32_t)x[l]);
        put_u32(out + 8 * l + 4, (uint32_t)(x[l] >> 32));
    }
    return (ptrdiff_t)(HEADER_BYTES + words);
}

static int check_model(const RCStaticModel *m)
{
    return m && m->cdf && m->prec >= 1 && m->prec <= RANS_MAX_PREC && m->nsyms >= 1;
}

ptrdiff_t rans_encode(const RCStaticModel *models, unsigned nmodels, const uint16_t *model_idx,
                      const uint32_t *syms, size_t n, uint8_t *out, size_t capacity)
{
    if (!models || nmodels < 1 || (n && !syms)) return NC_EINVAL;
    for (unsigned k = 0; k < nmodels; k++)
        if (!check_model(&models[k])) return NC_EINVAL;
    if (!out || capacity < HEADER_BYTES) return NC_ENOSPC;
    uint64_t x[RANS_LANES];
    for (int l = 0; l < RANS_LANES; l++) x[l] = RANS_L;
    RansWriter w = {out + capacity, out + HEADER_BYTES, 0};
    for (size_t i = n; i-- > 0 && !w.error;) {
        unsigned k = model_idx ? model_idx[i] : 0;
        if (k >= nmodels) return NC_EINVAL;
        const RCStaticModel *m = &models[k];
        uint32_t s = syms[i];
        if (s >= m->nsyms || m->cdf[s + 1] == m->cdf[s]) return NC_EINVAL;
        enc_symbol(&x[i % RANS_LANES], &w, m->cdf[s], m->cdf[s + 1] - m->cdf[s], m->prec);
    }
    return finish_encode(x, &w, out, capacity);
}

/* Encoding without a division: x / freq as a multiply by a 64-bit reciprocal and a
 * shift (Alverson's method, as in rans64), exact for every state below 2^63. */
typedef struct RansEncSym {
    uint64_t x_max;    /* renormalize when the state reaches this */
    uint64_t rcp_freq; /* reciprocal of freq */
    uint64_t bias;
    uint32_t cmpl_freq; /* 2^prec - freq */
    uint32_t rcp_shift;
    uint32_t freq;
} RansEncSym;

static void enc_sym_init(RansEncSym *e, uint32_t start, uint32_t freq, unsigned prec)
{
    e->freq = freq;
    e->x_max = ((RANS_L >> prec) << 32) * freq;
    e->cmpl_freq = (uint32_t)(((uint64_t)1 << prec) - freq);
    if (freq < 2) {
        e->rcp_freq = ~(uint64_t)0;
        e->rcp_shift = 0;
        e->bias = start + ((uint64_t)1 << prec) - 1;
    } else {
        uint32_t shift = 0;
        while (freq > (1u << shift)) shift++;
        uint64_t x0 = freq - 1, x1 = (uint64_t)1 << (shift + 31);
        uint64_t t1 = x1 / freq;
        x0 += (x1 % freq) << 32;
        uint64_t t0 = x0 / freq;
        e->rcp_freq = t0 + (t1 << 32);
        e->rcp_shift = shift - 1;
        e->bias = start;
    }
}

static inline uint64_t mul_hi64(uint64_t a, uint64_t b)
{
#if defined(__SIZEOF_INT128__)
    __extension__ typedef unsigned __int128 u128;
    return (uint64_t)(((u128)a * b) >> 64);
#else
    uint64_t a_lo = (uint32_t)a, a_hi = a >> 32, b_lo = (uint32_t)b, b_hi = b >> 32;
    uint64_t mid1 = a_hi * b_lo, mid2 = a_lo * b_hi;
    uint64_t carry = ((a_lo * b_lo >> 32) + (uint32_t)mid1 + (uint32_t)mid2) >> 32;
    return a_hi * b_hi + (mid1 >> 32) + (mid2 >> 32) + carry;
#endif
}

static inline void enc_symbol_fast(uint64_t *x, RansWriter *w, const RansEncSym *e)
{
    if (*x >= e->x_max) {
        if (w->ptr - w->limit < 4) {
            w->error = NC_ENOSPC;
            return;
        }
        w->ptr -= 4;
        put_u32(w->ptr, (uint32_t)*x);
        *x >>= 32;
    }
    uint64_t q = mul_hi64(*x, e->rcp_freq) >> e->rcp_shift;
    *x += e->bias + q * e->cmpl_freq;
}

/* About 8 x the model's entropy in bits per symbol (integer log2: enough to choose a
 * loop). Each lane refills about once per 32 bits of information, so from a few bits
 * per symbol on the refill branch is a coin toss and masks win. */
static uint64_t entropy_x8(const RCStaticModel *m)
{
    uint64_t sum = 0;
    for (unsigned s = 0; s < m->nsyms; s++) {
        uint32_t f = m->cdf[s + 1] - m->cdf[s];
        unsigned log2f = 0;
        for (uint32_t v = f; v > 1; v >>= 1) log2f++;
        if (f) sum += (uint64_t)f * (m->prec - log2f);
    }
    return (sum * 8) >> m->prec;
}

/* enc_symbol_fast for the hot loop: room for the word is known to exist. */
static inline uint64_t enc_put(uint64_t x, const RansEncSym *e, uint8_t **ptr)
{
    if (x >= e->x_max) {
        *ptr -= 4;
        put_u32(*ptr, (uint32_t)x);
        x >>= 32;
    }
    return x + e->bias + (mul_hi64(x, e->rcp_freq) >> e->rcp_shift) * e->cmpl_freq;
}

/* enc_put without a branch, for data where emitting is a coin toss: the word is
 * always stored below ptr (the caller guarantees room) and kept only if needed. */
static inline uint64_t enc_put_masked(uint64_t x, const RansEncSym *e, uint8_t **ptr)
{
    uint64_t need = x >= e->x_max;
    put_u32(*ptr - 4, (uint32_t)x);
    *ptr -= need * 4;
    x >>= need * 32;
    return x + e->bias + (mul_hi64(x, e->rcp_freq) >> e->rcp_shift) * e->cmpl_freq;
}

static inline uint64_t enc_put_any(uint64_t x, const RansEncSym *e, uint8_t **ptr, int masked)
{
    return masked ? enc_put_masked(x, e, ptr) : enc_put(x, e, ptr);
}

/* The hot loop of rans_encode_bytes, from symbol i - 1 down, four at a time (lanes 3,
 * 2, 1, 0) while room for four words is sure; returns the new i. States live in
 * locals: the output is bytes, and byte stores could alias the state array. Called
 * with a constant masked, so each caller gets its own loop. */
static inline size_t encode_bytes_loop(const RansEncSym *es, const uint8_t *syms, size_t i,
                                       uint64_t *x, RansWriter *w, int masked)
{
    uint64_t x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3];
    uint8_t *ptr = w->ptr;
    for (; i >= 4 && ptr - w->limit >= 16; i -= 4) {
        x3 = enc_put_any(x3, &es[syms[i - 1]], &ptr, masked);
        x2 = enc_put_any(x2, &es[syms[i - 2]], &ptr, masked);
        x1 = enc_put_any(x1, &es[syms[i - 3]], &ptr, masked);
        x0 = enc_put_any(x0, &es[syms[i - 4]], &ptr, masked);
    }
    x[0] = x0, x[1] = x1, x[2] = x2, x[3] = x3;
    w->ptr = ptr;
    return i;
}

ptrdiff_t rans_encode_bytes(const RCStaticModel *m, const uint8_t *syms, size_t n,
                            uint8_t *out, size_t capacity)
{
    if (!check_model(m) || m->nsyms > 256 || (n && !syms)) return NC_EINVAL;
    if (!out || capacity < HEADER_BYTES) return NC_ENOSPC;
    /* Byte-indexed tables: symbols past nsyms get frequency 0 and are rejected. */
    RansEncSym es[256];
    unsigned prec = m->prec;
    for (unsigned s = 0; s < 256; s++)
        enc_sym_init(&es[s], s < m->nsyms ? m->cdf[s] : 0,
                     s < m->nsyms ? m->cdf[s + 1] - m->cdf[s] : 0, prec);
    for (size_t i = 0; i < n; i++)
        if (!es[syms[i]].freq) return NC_EINVAL;
    uint64_t x[RANS_LANES];
    for (int l = 0; l < RANS_LANES; l++) x[l] = RANS_L;
    RansWriter w = {out + capacity, out + HEADER_BYTES, 0};
    size_t i = n;
    /* Symbols past the last multiple of 4 first, then the hot loop. */
    for (; i % RANS_LANES; i--) enc_symbol_fast(&x[(i - 1) % RANS_LANES], &w, &es[syms[i - 1]]);
    if (RANS_LANES == 4) {
        if (entropy_x8(m) >= 8 * 3)
            i = encode_bytes_loop(es, syms, i, x, &w, 1);
        else
            i = encode_bytes_loop(es, syms, i, x, &w, 0);
    }
    for (; i > 0 && !w.error; i--) enc_symbol_fast(&x[(i - 1) % RANS_LANES], &w, &es[syms[i - 1]]);
    return finish_encode(x, &w, out, capacity);
}

/* Decoder input (RansReader, rans.h): words are read forwards after the header; past
 * the end they read as 0 and mark the stream truncated. */

static inline uint32_t read_word(RansReader *r)
{
    if (r->size - r->pos >= 4) {
        uint32_t v = get_u32(r->in + r->pos);
        r->pos += 4;
        return v;
    }
    r->truncated = 1;
    return 0;
}

static int start_decode(uint64_t *x, RansReader *r, const uint8_t *in, size_t size)
{
    r->in = in, r->size = in ? size : 0, r->pos = HEADER_BYTES, r->truncated = 0;
    if (r->size < HEADER_BYTES) return NC_ETRUNCATED;
    for (int l = 0; l < RANS_LANES; l++) {
        x[l] = (uint64_t)get_u32(in + 8 * l) | (uint64_t)get_u32(in + 8 * l + 4) << 32;
        if (x[l] < RANS_L || x[l] >> 63) return NC_EINVALIDDATA;
    }
    return 0;
}

/* A valid stream ends with every state back at RANS_L and every byte consumed. */
static int end_decode(const uint64_t *x, const RansReader *r)
{
    if (r->truncated) return NC_ETRUNCATED;
    for (int l = 0; l < RANS_LANES; l++)
        if (x[l] != RANS_L) return NC_EINVALIDDATA;
    return r->pos == r->size ? 0 : NC_EINVALIDDATA;
}

static inline void dec_advance(uint64_t *x, RansReader *r, uint32_t freq, uint32_t bias,
                               unsigned prec)
{
    *x = freq * (*x >> prec) + bias;
    if (*x < RANS_L) *x = (*x << 32) | read_word(r);
}

/* Symbol of slot v in m, with its frequency and v - start. */
static inline unsigned find_slot(const RCStaticModel *m, uint32_t v, uint32_t *freq,
                                 uint32_t *bias)
{
    if (m->lut) {
        RCStaticSlot sl = m->lut[v];
        *freq = sl.freq, *bias = sl.bias;
        return sl.sym;
    }
    unsigned s = rc_cdf_find(m->cdf, m->nsyms, v);
    *freq = m->cdf[s + 1] - m->cdf[s], *bias = v - m->cdf[s];
    return s;
}

int rans_decode(const RCStaticModel *models, unsigned nmodels, const uint16_t *model_idx,
                const uint8_t *in, size_t size, uint32_t *syms, size_t n)
{
    if (!models || nmodels < 1 || (n && !syms)) return NC_EINVAL;
    for (unsigned k = 0; k < nmodels; k++)
        if (!check_model(&models[k])) return NC_EINVAL;
    if (model_idx)
        for (size_t i = 0; i < n; i++)
            if (model_idx[i] >= nmodels) return NC_EINVAL;
    uint64_t x[RANS_LANES];
    RansReader r;
    int ret = start_decode(x, &r, in, size);
    if (ret) {
        memset(syms, 0, sizeof(*syms) * n);
        return ret;
    }
    for (size_t i = 0; i < n; i++) {
        const RCStaticModel *m = &models[model_idx ? model_idx[i] : 0];
        uint64_t *xl = &x[i % RANS_LANES];
        uint32_t freq, bias, v = (uint32_t)(*xl & ((1u << m->prec) - 1));
        syms[i] = find_slot(m, v, &freq, &bias);
        dec_advance(xl, &r, freq, bias, m->prec);
    }
    return end_decode(x, &r);
}

int rans_dec_init(RansDecoder *d, const uint8_t *in, size_t size)
{
    d->count = 0;
    int ret = start_decode(d->x, &d->r, in, size);
    if (ret) { /* keep decoding defined: valid states, and the stream marked bad */
        for (int l = 0; l < RANS_LANES; l++) d->x[l] = RANS_L;
        d->r.truncated = 1;
    }
    return ret;
}

unsigned rans_dec_symbol(RansDecoder *d, const RCStaticModel *m)
{
    uint64_t *xl = &d->x[d->count++ % RANS_LANES];
    uint32_t freq, bias, v = (uint32_t)(*xl & ((1u << m->prec) - 1));
    unsigned s = find_slot(m, v, &freq, &bias);
    dec_advance(xl, &d->r, freq, bias, m->prec);
    return s;
}

int rans_dec_finish(const RansDecoder *d) { return end_decode(d->x, &d->r); }

/* The hot loop of rans_decode_bytes. Its speed is set by one dependency chain: a
 * lane's next slot needs its state, whose refill word sits at a position that depends
 * on whether the lanes before it refilled. Reading that word only then puts a load
 * (5 cycles) on the chain for every symbol; instead, the word a lane would take is
 * kept in a register (y) together with the one after it, and each lane picks between
 * them with a conditional move once it knows whether it refilled. Branches would be
 * coin tosses: a lane refills once per 32 bits of information.
 *
 * One lane: decodes the state x with the table entry of its slot, then if the new
 * state is below RANS_L takes the word y; y becomes the next lane's word, which is
 * the word after this one (p[k + 1], k words taken so far) if this lane took y. The
 * entry comes from the compact table fb/st (DecTable) when there is one, else from
 * the model's RCStaticSlot table, its fields loaded through the slot index, not a
 * computed address (one cycle less on the chain). The symbol goes to *sym: the
 * caller stores a group's four symbols with one 32-bit store (see DecTable). */
static inline uint64_t dec_lane(uint64_t x, const RCStaticSlot *lut, const uint16_t *fb,
                                const uint8_t *st, unsigned prec, const uint8_t *p, size_t *k,
                                uint64_t *y, uint32_t *sym)
{
    size_t v = (uint32_t)x & ((1u << prec) - 1);
    uint32_t freq, bias;
    if (fb) {
        freq = fb[2 * v], bias = fb[2 * v + 1];
        *sym = st[v];
    } else {
        const uint8_t *t = (const uint8_t *)lut;
        uint16_t b, s;
        memcpy(&freq, t + v * sizeof(RCStaticSlot) + offsetof(RCStaticSlot, freq), sizeof(freq));
        memcpy(&b, t + v * sizeof(RCStaticSlot) + offsetof(RCStaticSlot, bias), sizeof(b));
        memcpy(&s, t + v * sizeof(RCStaticSlot) + offsetof(RCStaticSlot, sym), sizeof(s));
        bias = b;
        *sym = (uint8_t)s; /* < 256: rans_decode_bytes checked nsyms */
    }
    uint64_t next = freq * (x >> prec) + bias;
    uint64_t refilled = next << 32 | *y;
    uint64_t after = get_u32(p + 4 * *k + 4);
#if defined(__x86_64__) && defined(__GNUC__) && !defined(NC_ENTROPY_PORTABLE)
    /* gcc turns the selects below back into branches; these are the same selects. */
    uint64_t bound = RANS_L;
    __asm__("cmp %[bound], %[next]\n\t"
            "cmovb %[refilled], %[next]\n\t"
            "cmovb %[after], %[y]\n\t"
            "adc $0, %[k]"
            : [next] "+r"(next), [y] "+r"(*y), [k] "+r"(*k)
            : [bound] "r"(bound), [refilled] "r"(refilled), [after] "rm"(after)
            : "cc");
    return next;
#else
    uint64_t take = 0 - (uint64_t)(next < RANS_L); /* all ones or zero */
    *k += take & 1;
    *y ^= (after ^ *y) & take;
    return next ^ ((refilled ^ next) & take);
#endif
}

/* A decoder-side copy of the model's slot table for precisions up to 12: frequency
 * and bias as two 16-bit halves of one 4-byte entry (a frequency of 4096 still fits),
 * the symbols in a byte array beside it. 20 KB at 12 bits instead of the model's 32
 * KB of 8-byte RCStaticSlot entries: on the AMD EPYC (Zen 3, 32 KB L1 data cache)
 * this and the one 32-bit store per group of four symbols took the loop from 0.90x
 * to 1.10-1.13x of htscodecs (entropy/README.md); four byte stores among the loads
 * cost more there than the shifts that merge them. Building it costs a pass over
 * 2^prec slots (about 4 us at 12 bits, a fifth of decoding 4 * 2^prec symbols), so
 * inputs under 16 * 2^prec symbols use the model's table directly. */
#define DEC_TABLE_MAX_PREC 12
typedef struct DecTable {
    uint16_t fb[2 << DEC_TABLE_MAX_PREC];
    uint8_t st[1 << DEC_TABLE_MAX_PREC];
} DecTable;

static void dec_table_init(DecTable *t, const RCStaticSlot *lut, unsigned prec)
{
    for (size_t v = 0; v < ((size_t)1 << prec); v++) {
        t->fb[2 * v] = (uint16_t)lut[v].freq; /* <= 2^prec <= 4096 */
        t->fb[2 * v + 1] = lut[v].bias;
        t->st[v] = (uint8_t)lut[v].sym;
    }
}

/* Decodes groups of four symbols (lanes 0..3) while the words they may read are
 * surely inside in[0 .. r->size); returns how many symbols it decoded. States live in
 * locals: syms is a byte array, and a store through it could alias anything. Called
 * with a constant prec where it can be, which saves a shift by a register per lane,
 * and with fb either NULL or not, so each caller gets its own loop. */
static inline size_t decode_bytes_lut(const RCStaticSlot *lut, const uint16_t *fb,
                                      const uint8_t *st, unsigned prec, uint64_t *x,
                                      RansReader *r, uint8_t *syms, size_t n)
{
    const uint8_t *p = r->in + r->pos, *end = r->in + r->size;
    uint8_t *o = syms, *o_end = syms + (n - n % 4);
    uint64_t x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3];
    for (;;) {
        /* A group takes at most 4 words and looks at the one after them. */
        size_t groups = (size_t)(o_end - o) / 4;
        size_t room = end - p >= 20 ? (size_t)(end - p - 4) / 16 : 0;
        if (room < groups) groups = room;
        if (!groups) break;
        uint8_t *stop = o + 4 * groups;
        size_t k = 0;
        uint64_t y = get_u32(p);
        do {
            uint32_t s0, s1, s2, s3;
            x0 = dec_lane(x0, lut, fb, st, prec, p, &k, &y, &s0);
            x1 = dec_lane(x1, lut, fb, st, prec, p, &k, &y, &s1);
            x2 = dec_lane(x2, lut, fb, st, prec, p, &k, &y, &s2);
            x3 = dec_lane(x3, lut, fb, st, prec, p, &k, &y, &s3);
            put_u32(o, s0 | s1 << 8 | s2 << 16 | s3 << 24);
            o += 4;
        } while (o != stop);
        p += 4 * k;
    }
    x[0] = x0, x[1] = x1, x[2] = x2, x[3] = x3;
    r->pos = (size_t)(p - r->in);
    return (size_t)(o - syms);
}

int rans_decode_bytes(const RCStaticModel *m, const uint8_t *in, size_t size, uint8_t *syms,
                      size_t n)
{
    if (!check_model(m) || m->nsyms > 256 || (n && !syms)) return NC_EINVAL;
    uint64_t x[RANS_LANES];
    RansReader r;
    int ret = start_decode(x, &r, in, size);
    if (ret) {
        memset(syms, 0, n);
        return ret;
    }
    const unsigned prec = m->prec;
    const uint32_t mask = (1u << prec) - 1;
    size_t i = 0;
    if (m->lut && RANS_LANES == 4) {
        if (prec <= DEC_TABLE_MAX_PREC && n >= ((size_t)16 << prec)) {
            DecTable t;
            dec_table_init(&t, m->lut, prec);
            if (prec == 12)
                i = decode_bytes_lut(NULL, t.fb, t.st, 12, x, &r, syms, n);
            else
                i = decode_bytes_lut(NULL, t.fb, t.st, prec, x, &r, syms, n);
        } else {
            i = decode_bytes_lut(m->lut, NULL, NULL, prec, x, &r, syms, n);
        }
    }
    for (; i < n; i++) {
        uint64_t *xl = &x[i % RANS_LANES];
        uint32_t freq, bias;
        syms[i] = (uint8_t)find_slot(m, (uint32_t)(*xl & mask), &freq, &bias);
        dec_advance(xl, &r, freq, bias, prec);
    }
    return end_decode(x, &r);
}
