/* Adaptive models coded from a periodically rebuilt table (see periodic_model.h). */
#include "entropy/periodic_model.h"

#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__) && !defined(NC_ENTROPY_PORTABLE)
#include <emmintrin.h>
#endif

void rc_periodic_table_finish(RCPeriodicTable *t, unsigned rest_to, unsigned top, uint32_t sum)
{
    unsigned n = t->nsyms;
    uint32_t rest = ((uint32_t)1 << t->prec) - sum;
    for (unsigned s = rest_to + 1; s < n; s++) t->cum[s] += rest;
    t->cum[n] = (uint32_t)1 << t->prec;
    t->mps = top;
    t->mps_start = t->cum[top];
    t->mps_freq = t->cum[top + 1] - t->cum[top];
    t->buckets_ready = 0;
}

/* Frequencies f[i] = 1 + floor(c[i] * scale / 2^32), scale = floor((2^prec - n) * 2^32
 * / T), sum to at most 2^prec; the rest goes to the first symbol with the largest count
 * (one division per rebuild, none per symbol). */
static void rebuild_table(RCPeriodicModel *m)
{
    RCPeriodicTable *t = &m->tab;
    unsigned n = t->nsyms, top = 0;
    uint64_t spare = ((uint64_t)1 << t->prec) - n;
    uint64_t scale = (spare << 32) / m->total;
    uint32_t sum = 0, best = 0; /* the largest count in a register: no load on the chain */
    for (unsigned s = 0; s < n; s++) {
        uint32_t c = m->count[s];
        t->cum[s] = sum;
        sum += 1 + (uint32_t)((c * scale) >> 32);
        if (c > best) best = c, top = s;
    }
    rc_periodic_table_finish(t, top, top, sum);
}

void rc_periodic_build_buckets(RCPeriodicTable *t)
{
    /* bucket[j] is the largest s with cum[s] <= j << shift: each symbol is written at
     * the first bucket that starts inside it (a later symbol with the same first bucket
     * overwrites), then a running maximum fills the buckets that start no symbol. No
     * branch per symbol: a loop over each symbol's run of buckets mispredicted once
     * per symbol and made a rebuild several times slower. */
    unsigned sh = t->bucket_shift;
    uint32_t nb = ((uint32_t)1 << t->prec) >> sh, round = ((uint32_t)1 << sh) - 1;
    uint16_t *b = t->bucket;
    memset(b, 0, sizeof(uint16_t) * nb);
    for (unsigned s = 1; s < t->nsyms; s++) {
        uint32_t j = (t->cum[s] + round) >> sh;
        if (j < nb) b[j] = (uint16_t)s; /* j == nb: no bucket starts inside s */
    }
    uint16_t run = 0;
    uint32_t j = 0;
#if defined(__SSE2__) && !defined(NC_ENTROPY_PORTABLE)
    /* 8 buckets at a time: a prefix maximum in 3 shifted steps, then the carry from the
     * buckets before (max(a, b) = (a -sat b) + b: SSE2 has no unsigned 16-bit max). */
    __m128i carry = _mm_setzero_si128();
    for (; j + 8 <= nb; j += 8) {
        __m128i x = _mm_loadu_si128((const __m128i *)(b + j)), y;
        y = _mm_slli_si128(x, 2);
        x = _mm_add_epi16(_mm_subs_epu16(x, y), y);
        y = _mm_slli_si128(x, 4);
        x = _mm_add_epi16(_mm_subs_epu16(x, y), y);
        y = _mm_slli_si128(x, 8);
        x = _mm_add_epi16(_mm_subs_epu16(x, y), y);
        x = _mm_add_epi16(_mm_subs_epu16(x, carry), carry);
        _mm_storeu_si128((__m128i *)(b + j), x);
        carry = _mm_unpackhi_epi64(_mm_shufflehi_epi16(x, 0xFF), _mm_shufflehi_epi16(x, 0xFF));
    }
    if (j) run = b[j - 1];
#endif
    for (; j < nb; j++) run = b[j] = b[j] > run ? b[j] : run;
    t->buckets_ready = 1;
}

int rc_periodic_table_alloc(RCPeriodicTable *t, unsigned nsyms, unsigned prec)
{
    unsigned log2n = 0;
    while ((1u << log2n) < nsyms) log2n++;
    t->nsyms = nsyms;
    t->prec = prec;
    /* 2 buckets per symbol on average, at least 256 (at most 2^17, 256 KiB): frequent
     * symbols then own whole buckets, so the decoder's walk rarely steps; 4 per symbol
     * walked less but cost more to rebuild (text, 256 symbols: 1.17x -> 1.24x of
     * arith_dynamic's decode speed with 2 at period 2^8). */
    unsigned bucket_bits = log2n + 1 < 8 ? 8 : log2n + 1;
    if (bucket_bits > prec) bucket_bits = prec;
    t->bucket_shift = prec - bucket_bits;
    t->cum = malloc(sizeof(uint32_t) * ((size_t)nsyms + 1));
    t->bucket = malloc(sizeof(uint16_t) << bucket_bits);
    if (!t->cum || !t->bucket) {
        rc_periodic_table_free(t);
        return NC_ENOMEM;
    }
    return 0;
}

void rc_periodic_table_free(RCPeriodicTable *t)
{
    free(t->cum);
    free(t->bucket);
    memset(t, 0, sizeof(*t));
}

int rc_periodic_init(RCPeriodicModel *m, unsigned nsyms, unsigned window_bits, unsigned prec,
                     unsigned period_bits)
{
    memset(m, 0, sizeof(*m));
    if (nsyms < 2 || nsyms > RC_COUNT_MAX_SYMS || window_bits < RC_COUNT_MIN_WINDOW ||
        window_bits > RC_COUNT_MAX_WINDOW || prec > RC_MAX_PREC || ((uint64_t)1 << prec) < nsyms ||
        period_bits > RC_PERIODIC_MAX_PERIOD)
        return NC_EINVAL;
    unsigned log2n = 0;
    while ((1u << log2n) < nsyms) log2n++;
    m->limit = (uint32_t)RC_COUNT_INC << (window_bits > log2n ? window_bits : log2n);
    m->period = (uint32_t)1 << period_bits;
    m->count = malloc(sizeof(uint32_t) * nsyms);
    if (!m->count || rc_periodic_table_alloc(&m->tab, nsyms, prec)) {
        rc_periodic_free(m);
        return NC_ENOMEM;
    }
    for (unsigned s = 0; s < nsyms; s++) m->count[s] = 1;
    m->total = nsyms;
    m->interval = m->left = 1;
    rebuild_table(m);
    return 0;
}

void rc_periodic_free(RCPeriodicModel *m)
{
    free(m->count);
    rc_periodic_table_free(&m->tab);
    memset(m, 0, sizeof(*m));
}

void rc_periodic_maintain(RCPeriodicModel *m)
{
    if (m->total > m->limit) {
        uint32_t t = 0;
        for (unsigned s = 0; s < m->tab.nsyms; s++) t += m->count[s] = (m->count[s] + 1) >> 1;
        m->total = t;
    }
    if (m->left == 0) {
        if (m->interval < m->period) m->interval *= 2;
        m->left = m->interval;
        rebuild_table(m);
    }
}
