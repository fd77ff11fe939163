/* Adaptive frequency-count models (see count_model.h for the rule). */
#include "entropy/count_model.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__) && !defined(NC_ENTROPY_PORTABLE)
#include <emmintrin.h>
#endif

/* Entries past the last real child of a node: never <= a target (< 2^24), and the
 * increments between two rebuilds (< 2^24 in all) cannot wrap them. */
#define PAD ((uint32_t)1 << 30)

static unsigned ceil_div16(unsigned n) { return (n + RC_COUNT_FANOUT - 1) / RC_COUNT_FANOUT; }

/* Real entries of level l: ceil(nsyms / 16^l). */
static unsigned level_entries(unsigned nsyms, unsigned l)
{
    unsigned n = nsyms;
    while (l--) n = ceil_div16(n);
    return n;
}

/* Fills every level from count[] (prefix sums per node, bottom up) and the total. */
static void rebuild(RCCountModel *m)
{
    const uint32_t *w = m->count; /* the weights of the current level's entries */
    for (unsigned l = 0; l < m->levels; l++) {
        unsigned n = level_entries(m->nsyms, l), nodes = ceil_div16(n);
        uint32_t *e = m->level[l];
        for (unsigned node = 0; node < nodes; node++) {
            uint32_t sum = 0;
            for (unsigned k = 0; k < RC_COUNT_FANOUT; k++) {
                unsigned i = node * RC_COUNT_FANOUT + k;
                if (i < n) {
                    e[i] = sum;
                    sum += w[i];
                } else {
                    e[i] = PAD;
                }
            }
            m->scratch[node] = sum; /* node <= i: w may alias scratch */
        }
        w = m->scratch;
    }
    m->total = m->scratch[0];
    m->recip = rc_total_recip(m->total);
    m->mps = 0;
    for (unsigned s = 1; s < m->nsyms; s++)
        if (m->count[s] > m->count[m->mps]) m->mps = s;
}

int rc_count_init(RCCountModel *m, unsigned nsyms, unsigned window_bits)
{
    memset(m, 0, sizeof(*m));
    if (nsyms < 2 || nsyms > RC_COUNT_MAX_SYMS || window_bits < RC_COUNT_MIN_WINDOW ||
        window_bits > RC_COUNT_MAX_WINDOW)
        return NC_EINVAL;
    unsigned log2n = 0;
    while ((1u << log2n) < nsyms) log2n++;
    m->nsyms = nsyms;
    m->limit = (uint32_t)RC_COUNT_INC << (window_bits > log2n ? window_bits : log2n);
    size_t entries = 0;
    for (unsigned l = 0;; l++) {
        unsigned n = level_entries(nsyms, l);
        entries += (size_t)ceil_div16(n) * RC_COUNT_FANOUT;
        m->levels = l + 1;
        if (n <= RC_COUNT_FANOUT) break;
    }
    m->count = malloc(sizeof(uint32_t) * (nsyms + entries + ceil_div16(nsyms)));
    if (!m->count) return NC_ENOMEM;
    uint32_t *p = m->count + nsyms;
    for (unsigned l = 0; l < m->levels; l++) {
        m->level[l] = p;
        p += (size_t)ceil_div16(level_entries(nsyms, l)) * RC_COUNT_FANOUT;
    }
    m->scratch = p;
    for (unsigned s = 0; s < nsyms; s++) m->count[s] = 1;
    rebuild(m);
    return 0;
}

void rc_count_copy(RCCountModel *dst, const RCCountModel *src)
{
    if (dst->nsyms != src->nsyms || dst->limit != src->limit) return; /* caller bug */
    memcpy(dst->count, src->count, sizeof(uint32_t) * src->nsyms);
    rebuild(dst);
}

void rc_count_free(RCCountModel *m)
{
    free(m->count);
    memset(m, 0, sizeof(*m));
}

/* Integer code: the SSE2 path (baseline on x86-64) and the plain C one give the same
 * numbers; gcc does not vectorize the C loops by itself (it unrolls them into chains). */
#if defined(__SSE2__) && !defined(NC_ENTROPY_PORTABLE)
/* Entries are < 2^31 (PAD plus increments), so signed compares order them right. */
static inline void add_right_of(uint32_t *e, unsigned k)
{
    const __m128i kv = _mm_set1_epi32((int)k), inc = _mm_set1_epi32(RC_COUNT_INC);
    for (int q = 0; q < 4; q++) {
        __m128i j = _mm_setr_epi32(4 * q, 4 * q + 1, 4 * q + 2, 4 * q + 3);
        __m128i *p = (__m128i *)(void *)(e + 4 * q);
        __m128i add = _mm_and_si128(_mm_cmpgt_epi32(j, kv), inc);
        _mm_storeu_si128(p, _mm_add_epi32(_mm_loadu_si128(p), add));
    }
}

/* Child of the node e whose range holds v: the number of entries <= v, minus one
 * (entry 0 is always 0). */
static inline unsigned find_child(const uint32_t *e, uint32_t v)
{
    const __m128i vv = _mm_set1_epi32((int)v);
    __m128i gt = _mm_setzero_si128(); /* minus the number of entries > v, per lane */
    for (int q = 0; q < 4; q++)
        gt = _mm_add_epi32(gt, _mm_cmpgt_epi32(_mm_loadu_si128((const __m128i *)(const void *)(e + 4 * q)), vv));
    gt = _mm_add_epi32(gt, _mm_shuffle_epi32(gt, 0x4E));
    gt = _mm_add_epi32(gt, _mm_shuffle_epi32(gt, 0xB1));
    return (unsigned)(RC_COUNT_FANOUT - 1 + _mm_cvtsi128_si32(gt));
}
#else
static inline void add_right_of(uint32_t *e, unsigned k)
{
    for (unsigned j = k + 1; j < RC_COUNT_FANOUT; j++) e[j] += RC_COUNT_INC;
}

static inline unsigned find_child(const uint32_t *e, uint32_t v)
{
    unsigned n = 0;
    for (unsigned j = 1; j < RC_COUNT_FANOUT; j++) n += e[j] <= v;
    return n;
}
#endif

void rc_count_update(RCCountModel *m, unsigned sym)
{
    m->count[sym] += RC_COUNT_INC;
    if (m->count[sym] > m->count[m->mps]) m->mps = sym;
    m->total += RC_COUNT_INC;
    m->recip = rc_total_recip(m->total);
    if (m->total > m->limit) {
        for (unsigned s = 0; s < m->nsyms; s++) m->count[s] = (m->count[s] + 1) >> 1;
        rebuild(m);
        return;
    }
    /* The entries right of sym's path in each node grow; a masked add over the whole
     * node vectorizes (padding grows too, harmlessly). */
    for (unsigned l = 0; l < m->levels; l++) {
        unsigned i = sym >> (4 * l), k = i % RC_COUNT_FANOUT;
        add_right_of(m->level[l] + (i - k), k);
    }
}

unsigned rc_decode_count(RCDecoder *dec, RCCountModel *m)
{
    uint32_t v = rc_decode_target_total(dec, m->total, m->recip), rest = v;
    /* The most probable symbol first, by a branch: where it is usually right, the CPU
     * runs on with it before the division that decides it has finished (on a 98%
     * skewed source 2.2x faster decoding; neutral on text). */
    uint32_t lo = rc_count_cum(m, m->mps);
    if (v - lo < m->count[m->mps]) {
        unsigned s = m->mps;
        rc_decode_update(dec, lo, m->count[s]);
        rc_count_update(m, s);
        return s;
    }
    unsigned i = 0;
    for (unsigned l = m->levels; l-- > 0;) {
        const uint32_t *e = m->level[l] + i * RC_COUNT_FANOUT;
        unsigned k = find_child(e, rest);
        rest -= e[k];
        i = i * RC_COUNT_FANOUT + k;
    }
    rc_decode_update(dec, v - rest, m->count[i]);
    rc_count_update(m, i);
    return i;
}
