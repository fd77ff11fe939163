/* Interleaved rANS: the batch backend for static models (entropy/static_model.h).
 *
 * When every symbol's model is known before coding starts (a histogram-coded block,
 * a latent tensor whose distributions come out of a network in one pass), rANS
 * decodes faster than the range coder: no division, one table lookup per symbol,
 * and RANS_LANES independent states that the CPU runs in parallel. It codes the same
 * RCStaticModel the range coder does; only the stream layout differs
 * (conformance/spec/entropy.md, "rANS streams").
 *
 * Each lane has a 64-bit state in [2^31, 2^63) and moves 32-bit little-endian words;
 * symbol i goes to lane i % RANS_LANES. A stream is whole: its length is known to the
 * decoder, which checks on finishing that every state is back at its start value and
 * every byte was consumed, so truncation and most corruption are reported. */
#ifndef NC_ENTROPY_RANS_H
#define NC_ENTROPY_RANS_H

#include <stddef.h>
#include <stdint.h>

#include "entropy/static_model.h"

#define RANS_LANES 4
/* Largest model precision rANS accepts (the range coder goes to RC_MAX_PREC too). */
#define RANS_MAX_PREC 24

/* An output buffer of this many bytes always suffices for n symbols of models with
 * precision <= prec. */
size_t rans_encode_bound(size_t n, unsigned prec);

/* Encodes syms[0 .. n) where symbol i uses models[model_idx[i]] (or models[0] for all
 * if model_idx is NULL; nmodels >= 1). Writes the stream to out[0 .. capacity) and
 * returns its size, or NC_ENOSPC, NC_EINVAL (bad symbol, zero-frequency symbol, model
 * index out of range, precision above RANS_MAX_PREC). */
ptrdiff_t rans_encode(const RCStaticModel *models, unsigned nmodels, const uint16_t *model_idx,
                      const uint32_t *syms, size_t n, uint8_t *out, size_t capacity);
/* Decodes n symbols into syms from in[0 .. size) with the same models and model_idx.
 * Returns 0, NC_ETRUNCATED (stream too short) or NC_EINVALIDDATA (inconsistent); on
 * error syms holds symbols that are each < the nsyms of their model, but meaningless. */
int rans_decode(const RCStaticModel *models, unsigned nmodels, const uint16_t *model_idx,
                const uint8_t *in, size_t size, uint32_t *syms, size_t n);

/* The same for byte symbols with one model (nsyms <= 256): the fast path. */
ptrdiff_t rans_encode_bytes(const RCStaticModel *m, const uint8_t *syms, size_t n,
                            uint8_t *out, size_t capacity);
int rans_decode_bytes(const RCStaticModel *m, const uint8_t *in, size_t size, uint8_t *syms,
                      size_t n);

/* Symbol by symbol decoding, for models chosen from the symbols decoded before (a
 * context model): the encoder knows every symbol, so it computes every model index
 * up front and calls rans_encode(); the decoder picks the model of symbol i after
 * decoding symbols 0 .. i-1. Same stream, same checks as rans_decode(). */
typedef struct RansReader {
    const uint8_t *in;
    size_t size, pos;
    int truncated; /* a word was read past the end (it read as 0) */
} RansReader;

typedef struct RansDecoder {
    uint64_t x[RANS_LANES];
    RansReader r;
    size_t count; /* symbols decoded so far; symbol i uses lane i % RANS_LANES */
} RansDecoder;

/* Starts decoding in[0 .. size). 0, NC_ETRUNCATED or NC_EINVALIDDATA (then every
 * later symbol decodes as something valid but meaningless, and rans_dec_finish()
 * fails). */
int rans_dec_init(RansDecoder *d, const uint8_t *in, size_t size);
/* The next symbol, with the model m (valid, prec <= RANS_MAX_PREC): always < m->nsyms
 * and of nonzero frequency in m. */
unsigned rans_dec_symbol(RansDecoder *d, const RCStaticModel *m);

/* The same in two steps, for callers with their own symbol search (like the range
 * decoder's rc_decode_target/rc_decode_update): the slot v in [0, 2^prec) of the next
 * symbol, then, with the symbol s whose interval [start, start + freq) holds v (freq
 * >= 1), rans_dec_advance(d, freq, v - start, prec). */
static inline uint32_t rans_dec_slot(const RansDecoder *d, unsigned prec)
{
    return (uint32_t)(d->x[d->count % RANS_LANES] & ((1u << prec) - 1));
}

static inline void rans_dec_advance(RansDecoder *d, uint32_t freq, uint32_t bias, unsigned prec)
{
    uint64_t *x = &d->x[d->count++ % RANS_LANES];
    *x = freq * (*x >> prec) + bias;
    if (*x < ((uint64_t)1 << 31)) {
        RansReader *r = &d->r;
        uint32_t w = 0;
        if (r->size - r->pos >= 4) {
            w = (uint32_t)r->in[r->pos] | (uint32_t)r->in[r->pos + 1] << 8 |
                (uint32_t)r->in[r->pos + 2] << 16 | (uint32_t)r->in[r->pos + 3] << 24;
            r->pos += 4;
        } else {
            r->truncated = 1;
        }
        *x = (*x << 32) | w;
    }
}
/* 1 once the decoder has read past the end of the stream (it can only fail). */
static inline int rans_dec_truncated(const RansDecoder *d) { return d->r.truncated; }
/* After the last symbol: 0, NC_ETRUNCATED or NC_EINVALIDDATA, as rans_decode(). */
int rans_dec_finish(const RansDecoder *d);

#endif
