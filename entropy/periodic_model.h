/* Adaptive models coded from a snapshot: counts adapt per symbol, the coding table only
 * every so often (the third adaptive kind, next to adaptive_cdf.h and count_model.h).
 *
 * The counts follow the count model's rule (start 1, +RC_COUNT_INC per coded symbol,
 * all halved when the total passes 32 * 2^window). What codes a symbol is not the
 * counts themselves but a table of frequencies normalized to a total of 2^prec,
 * rebuilt from the counts after intervals of 1, 2, 4, ... symbols, then every
 * 2^period_bits symbols. A power-of-two total makes the coder's unit width a shift (no
 * reciprocal multiply). The decoder tries the table's most probable symbol first, else
 * loads the first symbol of the target's bucket (2^min(prec, max(8, ceil(log2 nsyms) +
 * 1)) equal buckets of the total) and steps to the next symbol while the target lies
 * past its interval (rare: frequent symbols own whole buckets), instead of walking a
 * tree. The price: the coding table lags the counts by up to 2^period_bits symbols,
 * and a rebuild costs O(nsyms + buckets) (the buckets are the decoder's; the encoder
 * never builds them).
 * entropy/README.md has the trade-off measured.
 *
 * Exact integer arithmetic: conformance/spec/entropy.md, section 2 ("Periodic model").
 * Encoder and decoder must make the same calls in the same order. */
#ifndef NC_ENTROPY_PERIODIC_MODEL_H
#define NC_ENTROPY_PERIODIC_MODEL_H

#include <stdint.h>

#include "entropy/count_model.h"
#include "entropy/range_decoder.h"
#include "entropy/range_encoder.h"

#define RC_PERIODIC_MAX_PERIOD 20  /* a rebuild at least every 2^20 symbols */

/* The coding table and the decoder's search structure, shared by the periodic model
 * and the periodic mixture (periodic_mix_model.h). */
typedef struct RCPeriodicTable {
    uint32_t *cum;     /* nsyms + 1: cum[nsyms] = 2^prec */
    uint16_t *bucket;  /* bucket[j]: the symbol whose interval holds j << bucket_shift */
    unsigned nsyms;
    unsigned prec;
    unsigned bucket_shift;  /* prec minus log2 of the bucket count */
    unsigned buckets_ready; /* bucket[] matches cum[] (built on the first decode only) */
    unsigned mps;      /* the symbol with the largest frequency in the table, */
    uint32_t mps_start, mps_freq; /* and its interval: the decoder tries it first */
} RCPeriodicTable;

typedef struct RCPeriodicModel {
    RCPeriodicTable tab; /* the coding table */
    uint32_t *count;   /* nsyms counts, each >= 1 */
    uint32_t total;    /* sum of count[] */
    uint32_t limit;    /* halve when total > limit */
    uint32_t left;     /* symbols until the next rebuild */
    uint32_t interval; /* symbols between the last rebuild and the next */
    uint32_t period;   /* 2^period_bits: the longest interval */
} RCPeriodicModel;

/* Allocates a table for nsyms symbols at precision prec (checked by the callers) and
 * its buckets: 0 or NC_ENOMEM. */
int rc_periodic_table_alloc(RCPeriodicTable *t, unsigned nsyms, unsigned prec);
void rc_periodic_table_free(RCPeriodicTable *t);
/* Gives the 2^prec - sum units that the frequencies in cum[0 .. nsyms) (cum[nsyms]
 * unset) leave to symbol rest_to, and records top as the most probable symbol. */
void rc_periodic_table_finish(RCPeriodicTable *t, unsigned rest_to, unsigned top, uint32_t sum);
/* Fills bucket[] from cum[]. */
void rc_periodic_build_buckets(RCPeriodicTable *t);

/* All counts 1 and the coding table built from them. 2 <= nsyms <= RC_COUNT_MAX_SYMS,
 * RC_COUNT_MIN_WINDOW <= window_bits <= RC_COUNT_MAX_WINDOW, 2^prec >= nsyms and
 * prec <= RC_MAX_PREC, period_bits <= RC_PERIODIC_MAX_PERIOD.
 * Returns 0, NC_EINVAL or NC_ENOMEM. */
int rc_periodic_init(RCPeriodicModel *m, unsigned nsyms, unsigned window_bits, unsigned prec,
                     unsigned period_bits);
void rc_periodic_free(RCPeriodicModel *m);
/* Halves the counts past the limit and rebuilds the table when due (out of line: rare). */
void rc_periodic_maintain(RCPeriodicModel *m);

/* Counts sym, then rebuilds or halves if due (called by the coders below). */
static inline void rc_periodic_update(RCPeriodicModel *m, unsigned sym)
{
    m->count[sym] += RC_COUNT_INC;
    m->total += RC_COUNT_INC;
    if (--m->left == 0 || m->total > m->limit) rc_periodic_maintain(m);
}

/* Codes sym (< nsyms) with the current table, then adapts the counts. */
static inline void rc_encode_periodic(RCEncoder *enc, RCPeriodicModel *m, unsigned sym)
{
    const RCPeriodicTable *t = &m->tab;
    if (sym >= t->nsyms) {
        rc_enc_fail(enc, NC_EINVAL);
        return;
    }
    rc_encode_freq(enc, t->cum[sym], t->cum[sym + 1] - t->cum[sym], t->prec);
    rc_periodic_update(m, sym);
}

/* Finds the symbol of the table whose interval holds the decoder's target and takes
 * it out of the stream (always < nsyms). */
static inline unsigned rc_periodic_table_decode(RCDecoder *dec, RCPeriodicTable *t)
{
    uint32_t v = rc_decode_target(dec, t->prec); /* < 2^prec, clamped on bad input */
    unsigned s;
    if (v - t->mps_start < t->mps_freq) {
        /* The most probable symbol by a branch: where it is usually right, the CPU
         * starts the next symbol's division before this one's has finished (the
         * interval update does not need v). */
        s = t->mps;
        rc_decode_update(dec, t->mps_start, t->mps_freq);
    } else {
        if (!t->buckets_ready) rc_periodic_build_buckets(t);
        /* cum[s] <= j << bucket_shift <= v, and cum[nsyms] = 2^prec > v ends the walk. */
        s = t->bucket[v >> t->bucket_shift];
        while (t->cum[s + 1] <= v) s++;
        rc_decode_update(dec, t->cum[s], t->cum[s + 1] - t->cum[s]);
    }
    return s;
}

/* Decodes a symbol (always < nsyms), then adapts the counts. */
static inline unsigned rc_decode_periodic(RCDecoder *dec, RCPeriodicModel *m)
{
    unsigned s = rc_periodic_table_decode(dec, &m->tab);
    rc_periodic_update(m, s);
    return s;
}

#endif
