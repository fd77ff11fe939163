/* Periodic mixture models: two count sets, one slow and one fast, mixed into a coding
 * table that is rebuilt every so often with a share of the fast set that the model
 * picks itself (the fourth adaptive kind, next to periodic_model.h).
 *
 * Both sets follow the count model's rule (start 1, +RC_COUNT_INC per coded symbol,
 * halved when their total passes 32 * 2^window), with a long window for the slow set
 * and a short one for the fast set. At each rebuild (the periodic model's schedule:
 * after 1, 2, 4, ... symbols, then every 2^period_bits) the table becomes
 * f = 1 + ((8 - a) * slow + a * fast) / 8 of the two sets normalized to 2^prec, where
 * the share a/8 is the one of 0, 1/8, 2/8, 4/8, 6/8 (the current one or a neighbour)
 * under which the previous rebuild's counts would have coded the symbols since then in
 * the fewest bits (an integer log2 table; the same choice on both sides). Data that
 * drifts (text) picks a large fast share, stationary data (residuals) a small one: no
 * single mixture or window served both within 0.5% of the AV1-style model
 * (entropy/README.md).
 *
 * Coding is the periodic model's: a power-of-two total, the decoder's most probable
 * symbol first, then a bucket table. Per coded symbol the update adds to both counts
 * and to the period's histogram in one 64-bit add; the halvings and rebuilds come from
 * one countdown. Rebuild cost: O(nsyms + buckets) plus 3 log2 per distinct symbol of
 * the period. The decoder's first guess is the symbol coded most often in the last
 * period (not the table's largest: that took a compare per symbol in the rebuild).
 *
 * Exact integer arithmetic: conformance/spec/entropy.md, section 2 ("Periodic mixture
 * model"). Encoder and decoder must make the same calls in the same order. */
#ifndef NC_ENTROPY_PERIODIC_MIX_MODEL_H
#define NC_ENTROPY_PERIODIC_MIX_MODEL_H

#include <stdint.h>

#include "entropy/periodic_model.h"

#define RC_PERIODIC_MIX_SHARES     5  /* fast shares 0, 1, 2, 4, 6 eighths */
#define RC_PERIODIC_MIX_MAX_WINDOW 17 /* counts < 2^23 */
#define RC_PERIODIC_MIX_MAX_PERIOD 17 /* times coded in a period < 2^18 */
/* A symbol's state is one 64-bit word, so its update is one add: the slow count in bits
 * 0..22, the fast count in bits 23..45, the times coded since the last rebuild in bits
 * 46..63. */
#define RC_PERIODIC_MIX_FAST_SHIFT 23
#define RC_PERIODIC_MIX_SEEN_SHIFT 46
#define RC_PERIODIC_MIX_COUNT_MASK ((1u << 23) - 1)
#define RC_PERIODIC_MIX_STEP                                                                       \
    ((uint64_t)1 << RC_PERIODIC_MIX_SEEN_SHIFT |                                                   \
     (uint64_t)RC_COUNT_INC << RC_PERIODIC_MIX_FAST_SHIFT | RC_COUNT_INC)

typedef struct RCPeriodicMixModel {
    RCPeriodicTable tab;    /* the coding table */
    uint64_t *count;        /* per symbol: slow count, fast count (each >= 1), times coded
                               since the last rebuild (RC_PERIODIC_MIX_*_SHIFT) */
    uint32_t left;          /* symbols until the next halving or rebuild */
    uint32_t span;          /* symbols between the last maintenance and the next */
    uint32_t to_build;      /* symbols until the next rebuild, as of the last maintenance */
    uint32_t interval;      /* symbols between the last rebuild and the next */
    uint32_t period;        /* 2^period_bits: the longest interval */
    uint32_t total[2];      /* slow and fast totals, as of the last maintenance */
    uint32_t limit[2];      /* halve a set when its total > its limit */
    uint64_t *prev;         /* the count words at the last rebuild */
    uint64_t prev_scale[2]; /* and the two sets' scales then (see the .c) */
    unsigned share;         /* index of the fast share of the current table */
} RCPeriodicMixModel;

/* The fast set's share of the table, in eighths, by index. */
extern const uint8_t rc_periodic_mix_eighths[RC_PERIODIC_MIX_SHARES];

/* All counts 1, the table built from them with share 0. 2 <= nsyms <= RC_COUNT_MAX_SYMS,
 * both windows in RC_COUNT_MIN_WINDOW .. RC_PERIODIC_MIX_MAX_WINDOW (slow_window is meant
 * to be the longer), 2^prec >= nsyms, prec <= RC_MAX_PREC,
 * period_bits <= RC_PERIODIC_MIX_MAX_PERIOD.
 * Returns 0, NC_EINVAL or NC_ENOMEM. */
int rc_periodic_mix_init(RCPeriodicMixModel *m, unsigned nsyms, unsigned slow_window,
                         unsigned fast_window, unsigned prec, unsigned period_bits);
void rc_periodic_mix_free(RCPeriodicMixModel *m);
/* Halves either set past its limit and rebuilds the table when due (out of line). */
void rc_periodic_mix_maintain(RCPeriodicMixModel *m);
/* log2(g) in 1/65536 bits from a 256-entry table (the spec's L(g)); 1 <= g < 2^31. */
uint32_t rc_periodic_mix_log2(uint32_t g);

/* Counts sym in both sets and in the period's histogram, one add (called by the coders
 * below). Nothing here is on the decoder's dependency chain: the table is frozen until
 * the countdown runs out. */
static inline void rc_periodic_mix_update(RCPeriodicMixModel *m, unsigned sym)
{
    m->count[sym] += RC_PERIODIC_MIX_STEP;
    if (--m->left == 0) rc_periodic_mix_maintain(m);
}

/* Codes sym (< nsyms) with the current table, then adapts. */
static inline void rc_encode_periodic_mix(RCEncoder *enc, RCPeriodicMixModel *m, unsigned sym)
{
    const RCPeriodicTable *t = &m->tab;
    if (sym >= t->nsyms) {
        rc_enc_fail(enc, NC_EINVAL);
        return;
    }
    rc_encode_freq(enc, t->cum[sym], t->cum[sym + 1] - t->cum[sym], t->prec);
    rc_periodic_mix_update(m, sym);
}

/* Decodes a symbol (always < nsyms), then adapts. */
static inline unsigned rc_decode_periodic_mix(RCDecoder *dec, RCPeriodicMixModel *m)
{
    unsigned s = rc_periodic_table_decode(dec, &m->tab);
    rc_periodic_mix_update(m, s);
    return s;
}

#endif
