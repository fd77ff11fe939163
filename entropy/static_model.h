/* Static models: a quantized CDF plus the tables that make it fast to code, shared by
 * both backends:
 *   - the range coder (rc_encode_static / rc_decode_static), which mixes with every
 *     other symbol kind in one stream, and
 *   - the interleaved rANS coder (entropy/rans.h), for batch data whose probabilities
 *     are all known up front, where decoding speed matters most.
 * Both code the same model; a codec picks the backend per use. */
#ifndef NC_ENTROPY_STATIC_MODEL_H
#define NC_ENTROPY_STATIC_MODEL_H

#include <stdint.h>

#include "entropy/range_decoder.h"
#include "entropy/range_encoder.h"

/* Precision up to which a model keeps a slot -> symbol lookup table (2^prec entries);
 * above it decoding binary-searches the CDF. */
#define RC_STATIC_LUT_MAX_PREC 16

/* What decoding needs about one slot v of [0, 2^prec): its symbol s, the symbol's
 * frequency, and v - cdf[s]. */
typedef struct RCStaticSlot {
    uint32_t freq;
    uint16_t bias; /* v - cdf[sym] */
    uint16_t sym;
} RCStaticSlot;

typedef struct RCStaticModel {
    unsigned nsyms, prec;
    uint32_t *cdf;      /* nsyms + 1 entries */
    RCStaticSlot *lut;  /* 2^prec slots if prec <= RC_STATIC_LUT_MAX_PREC, else NULL */
} RCStaticModel;

/* Builds a model from a valid CDF (copied). Returns 0, NC_EINVAL or NC_ENOMEM. */
int rc_static_init(RCStaticModel *m, const uint32_t *cdf, unsigned nsyms, unsigned prec);
/* Builds a model from integer weights, see rc_cdf_from_weights(). */
int rc_static_init_weights(RCStaticModel *m, const uint64_t *weights, unsigned nsyms,
                           unsigned prec, int keep_zeros);
/* Builds a model from float probabilities, see rc_cdf_from_pmf(). */
int rc_static_init_pmf(RCStaticModel *m, const float *pmf, unsigned nsyms, unsigned prec);
void rc_static_free(RCStaticModel *m);

/* Symbol whose interval holds slot v (v < 2^prec). */
static inline unsigned rc_static_find(const RCStaticModel *m, uint32_t v)
{
    return m->lut ? m->lut[v].sym : rc_cdf_find(m->cdf, m->nsyms, v);
}

static inline void rc_encode_static(RCEncoder *enc, const RCStaticModel *m, unsigned sym)
{
    rc_encode_cdf(enc, m->cdf, m->nsyms, m->prec, sym);
}

static inline unsigned rc_decode_static(RCDecoder *dec, const RCStaticModel *m)
{
    uint32_t v = rc_decode_target(dec, m->prec);
    if (m->lut) {
        RCStaticSlot slot = m->lut[v];
        rc_decode_update(dec, v - slot.bias, slot.freq);
        return slot.sym;
    }
    unsigned s = rc_cdf_find(m->cdf, m->nsyms, v);
    rc_decode_update(dec, m->cdf[s], m->cdf[s + 1] - m->cdf[s]);
    return s;
}

#endif
