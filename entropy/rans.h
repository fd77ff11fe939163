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

#endif
