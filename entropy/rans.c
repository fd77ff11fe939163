/* Interleaved rANS with 64-bit states and 32-bit words (after Fabian Giesen's rans64;
 * the stream layout is ours, see conformance/spec/entropy.md). */
#include "entropy/rans.h"

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

ptrdiff_t rans_encode_bytes(const RCStaticModel *m, const uint8_t *syms, size_t n,
                            uint8_t *out, size_t capacity)
{
    if (!check_model(m) || m->nsyms > 256 || (n && !syms)) return NC_EINVAL;
    if (!out || capacity < HEADER_BYTES) return NC_ENOSPC;
    /* Byte-indexed tables: symbols past nsyms get frequency 0 and are rejected. */
    uint32_t start[256], freq[256];
    for (unsigned s = 0; s < 256; s++) {
        start[s] = s < m->nsyms ? m->cdf[s] : 0;
        freq[s] = s < m->nsyms ? m->cdf[s + 1] - m->cdf[s] : 0;
    }
    uint64_t x[RANS_LANES];
    for (int l = 0; l < RANS_LANES; l++) x[l] = RANS_L;
    RansWriter w = {out + capacity, out + HEADER_BYTES, 0};
    unsigned prec = m->prec;
    for (size_t i = n; i-- > 0 && !w.error;) {
        uint32_t s = syms[i];
        if (!freq[s]) return NC_EINVAL;
        enc_symbol(&x[i % RANS_LANES], &w, start[s], freq[s], prec);
    }
    return finish_encode(x, &w, out, capacity);
}

/* Decoder input: words are read forwards after the header; past the end they read as
 * 0 and mark the stream truncated. */
typedef struct RansReader {
    const uint8_t *in;
    size_t size, pos;
    int truncated;
} RansReader;

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
    if (m->lut) {
        const RCStaticSlot *lut = m->lut;
        /* One symbol per lane per step: the four dependency chains overlap. */
        for (; i + RANS_LANES <= n; i += RANS_LANES) {
            for (int l = 0; l < RANS_LANES; l++) {
                RCStaticSlot sl = lut[x[l] & mask];
                syms[i + l] = (uint8_t)sl.sym;
                x[l] = sl.freq * (x[l] >> prec) + sl.bias;
            }
            for (int l = 0; l < RANS_LANES; l++)
                if (x[l] < RANS_L) x[l] = (x[l] << 32) | read_word(&r);
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
