/* Periodic mixture models: two count sets mixed by a share picked at each rebuild
 * (see periodic_mix_model.h). */
#include "entropy/periodic_mix_model.h"

#include <stdlib.h>
#include <string.h>

#define EIGHTHS_INIT                                                                               \
    {                                                                                              \
        0, 1, 2, 4, 6                                                                              \
    }
const uint8_t rc_periodic_mix_eighths[RC_PERIODIC_MIX_SHARES] = EIGHTHS_INIT;
static const uint8_t EIGHTHS[RC_PERIODIC_MIX_SHARES] = EIGHTHS_INIT; /* folded by the compiler */

/* LOG2_FRAC[j] = round(2^16 * log2(1 + j / 256)), j = 0 .. 255 (tests/entropy/test_periodic.c
 * checks it against libm). A table, not libm, so every decoder picks the same share. */
static const uint16_t LOG2_FRAC[256] = {
    0,     369,   736,   1102,  1466,  1829,  2190,  2551,  2909,  3267,  3623,  3978,  4331,
    4683,  5034,  5384,  5732,  6079,  6425,  6769,  7112,  7454,  7795,  8134,  8473,  8810,
    9146,  9480,  9814,  10146, 10477, 10807, 11136, 11464, 11791, 12116, 12440, 12764, 13086,
    13407, 13727, 14046, 14363, 14680, 14996, 15310, 15624, 15937, 16248, 16559, 16868, 17177,
    17484, 17791, 18096, 18401, 18704, 19007, 19308, 19609, 19909, 20207, 20505, 20802, 21098,
    21393, 21687, 21980, 22272, 22564, 22854, 23144, 23433, 23720, 24007, 24293, 24579, 24863,
    25146, 25429, 25711, 25992, 26272, 26551, 26830, 27108, 27384, 27660, 27936, 28210, 28484,
    28757, 29029, 29300, 29571, 29840, 30109, 30378, 30645, 30912, 31178, 31443, 31707, 31971,
    32234, 32496, 32758, 33019, 33279, 33538, 33797, 34055, 34312, 34569, 34825, 35080, 35334,
    35588, 35841, 36094, 36346, 36597, 36847, 37097, 37346, 37595, 37842, 38090, 38336, 38582,
    38827, 39072, 39316, 39559, 39802, 40044, 40286, 40527, 40767, 41006, 41246, 41484, 41722,
    41959, 42196, 42432, 42667, 42902, 43137, 43370, 43603, 43836, 44068, 44300, 44530, 44761,
    44990, 45220, 45448, 45676, 45904, 46131, 46357, 46583, 46809, 47034, 47258, 47482, 47705,
    47928, 48150, 48372, 48593, 48813, 49034, 49253, 49472, 49691, 49909, 50127, 50344, 50560,
    50776, 50992, 51207, 51422, 51636, 51850, 52063, 52276, 52488, 52700, 52911, 53122, 53332,
    53542, 53751, 53960, 54169, 54377, 54584, 54791, 54998, 55204, 55410, 55615, 55820, 56025,
    56229, 56432, 56635, 56838, 57040, 57242, 57443, 57644, 57845, 58045, 58245, 58444, 58643,
    58841, 59039, 59237, 59434, 59631, 59827, 60023, 60219, 60414, 60609, 60803, 60997, 61190,
    61384, 61576, 61769, 61961, 62152, 62343, 62534, 62725, 62915, 63104, 63294, 63483, 63671,
    63859, 64047, 64234, 64421, 64608, 64794, 64980, 65166, 65351,
};

static unsigned floor_log2(uint32_t g) /* g >= 1 */
{
#if defined(__GNUC__)
    return 31 - (unsigned)__builtin_clz(g);
#else
    unsigned e = 0;
    for (unsigned step = 16; step; step >>= 1)
        if (g >> step) g >>= step, e += step;
    return e;
#endif
}

uint32_t rc_periodic_mix_log2(uint32_t g)
{
    /* g cut to its 9 leading bits (256 <= m < 512): at most 0.006 bits low, the same
     * way for every share, far below what tells the shares apart over a period. */
    unsigned e = floor_log2(g);
    uint32_t m = (g << (31 - e)) >> 23;
    return ((uint32_t)e << 16) + LOG2_FRAC[m - 256];
}

/* A set's count times its scale: the symbol's share of 2^prec - nsyms, in 2^-32 units. */
static inline uint64_t scaled(uint64_t c, unsigned set, uint64_t scale)
{
    return ((c >> (set ? RC_PERIODIC_MIX_FAST_SHIFT : 0)) & RC_PERIODIC_MIX_COUNT_MASK) * scale;
}

/* Lists the symbols coded since the last rebuild (their times-coded field is not 0)
 * without a branch per symbol (one mispredicted often on text); returns how many. */
static unsigned list_coded(const uint64_t *count, unsigned n, uint16_t *list)
{
    const uint64_t seen = ~(((uint64_t)1 << RC_PERIODIC_MIX_SEEN_SHIFT) - 1);
    unsigned k = 0, s = 0;
    /* groups of 4 that the period did not touch (most of a byte alphabet) are skipped
     * by one well-predicted branch */
    for (; s + 4 <= n; s += 4) {
        const uint64_t *c = count + s;
        if (!((c[0] | c[1] | c[2] | c[3]) & seen)) continue;
        for (unsigned i = 0; i < 4; i++) {
            list[k] = (uint16_t)(s + i);
            k += (c[i] & seen) != 0;
        }
    }
    for (; s < n; s++) {
        list[k] = (uint16_t)s;
        k += (count[s] & seen) != 0;
    }
    return k;
}

/* Of the current share and its neighbours in the list, the one under which the previous
 * build's counts would have coded the period's symbols in the fewest bits: the largest
 * sum over the period's symbols of times * L(g_a), g_a = 1 + ((8 - a) * X + a * Y) /
 * 2^35 with X, Y the previous build's scaled slow and fast counts (the lowest share on
 * ties). Only the period's symbols cost log2s (3 each; all 5 shares cost 0.5 ns a
 * symbol more on text at period 2^8 for 0.025% of size); their times are cleared. */
static unsigned choose_share(RCPeriodicMixModel *m, uint16_t *list)
{
    unsigned k = list_coded(m->count, m->tab.nsyms, list);
    unsigned lo = m->share ? m->share - 1 : 0;
    unsigned hi = m->share + 1 < RC_PERIODIC_MIX_SHARES ? m->share + 1 : m->share;
    uint64_t gain[RC_PERIODIC_MIX_SHARES] = {0};
    uint32_t most = 0;
    for (unsigned i = 0; i < k; i++) {
        unsigned s = list[i];
        uint64_t c = m->count[s], p = m->prev[s];
        uint32_t times = (uint32_t)(c >> RC_PERIODIC_MIX_SEEN_SHIFT);
        if (times > most) most = times, m->tab.mps = s;
        m->count[s] = c & (((uint64_t)1 << RC_PERIODIC_MIX_SEEN_SHIFT) - 1);
        /* 8X + a(Y - X) = (8 - a)X + aY < 2^59: exact in wrapping 64-bit arithmetic */
        uint64_t x = scaled(p, 0, m->prev_scale[0]), d = scaled(p, 1, m->prev_scale[1]) - x;
        for (unsigned a = lo; a <= hi; a++) {
            uint32_t g = 1 + (uint32_t)((8 * x + EIGHTHS[a] * d) >> 35);
            gain[a] += (uint64_t)times * rc_periodic_mix_log2(g);
        }
    }
    unsigned best = lo;
    for (unsigned a = lo + 1; a <= hi; a++)
        if (gain[a] > gain[best]) best = a;
    return best;
}

/* f = 1 + ((8 - w) * X + w * Y) / 2^35 with X, Y the scaled counts (scale = floor((2^prec
 * - n) * 2^32 / T) for each set, as in the periodic model), so the f sum to at most
 * 2^prec; the rest (< nsyms units) to the last symbol. The counts and scales are
 * kept for the next choice. */
static void build_table(RCPeriodicMixModel *m)
{
    RCPeriodicTable *t = &m->tab;
    unsigned n = t->nsyms, w = EIGHTHS[m->share];
    uint64_t spare = ((uint64_t)1 << t->prec) - n;
    uint64_t scale_slow = (spare << 32) / m->total[0], scale_fast = (spare << 32) / m->total[1];
    uint64_t mul_slow = (8 - w) * scale_slow, mul_fast = w * scale_fast;
    uint32_t sum = 0;
    for (unsigned s = 0; s < n; s++) {
        uint64_t c = m->count[s];
        uint32_t f = 1 + (uint32_t)((scaled(c, 0, mul_slow) + scaled(c, 1, mul_fast)) >> 35);
        m->prev[s] = c;
        t->cum[s] = sum;
        sum += f;
    }
    m->prev_scale[0] = scale_slow;
    m->prev_scale[1] = scale_fast;
    /* the rest (< nsyms units of 2^prec) to the last symbol: no pass over the table
     * to shift the starts after the top symbol */
    rc_periodic_table_finish(t, n - 1, t->mps, sum);
}

/* Halves one set's counts (rounding up, so none reaches 0): set 0 is the slow one.
 * ceil(c / 2) = c - floor(c / 2), subtracted in place: no field is taken out and put
 * back, and the loop vectorizes (the fast set halves every ~2^(window - 1) symbols). */
static void halve(RCPeriodicMixModel *m, unsigned set)
{
    unsigned sh = set ? RC_PERIODIC_MIX_FAST_SHIFT : 0;
    uint64_t *count = m->count, removed = 0;
    for (unsigned s = 0; s < m->tab.nsyms; s++) {
        uint64_t half = (count[s] >> (sh + 1)) & (RC_PERIODIC_MIX_COUNT_MASK >> 1);
        count[s] -= half << sh;
        removed += half;
    }
    m->total[set] -= (uint32_t)removed;
}

/* The countdown to whichever comes first: a rebuild, or a total passing its limit
 * (each symbol adds RC_COUNT_INC to both totals, so that is known in advance). */
static void schedule(RCPeriodicMixModel *m)
{
    uint32_t span = m->to_build;
    for (unsigned set = 0; set < 2; set++) {
        uint32_t until = (m->limit[set] - m->total[set]) / RC_COUNT_INC + 1;
        if (until < span) span = until;
    }
    m->span = m->left = span;
}

void rc_periodic_mix_maintain(RCPeriodicMixModel *m)
{
    for (unsigned set = 0; set < 2; set++) {
        m->total[set] += RC_COUNT_INC * m->span;
        if (m->total[set] > m->limit[set]) halve(m, set);
    }
    m->to_build -= m->span;
    if (m->to_build == 0) {
        if (m->interval < m->period) m->interval *= 2;
        m->to_build = m->interval;
        /* the buckets are rebuilt after this, so they lend their memory to the list */
        m->share = choose_share(m, m->tab.bucket);
        build_table(m);
    }
    schedule(m);
}

int rc_periodic_mix_init(RCPeriodicMixModel *m, unsigned nsyms, unsigned slow_window,
                         unsigned fast_window, unsigned prec, unsigned period_bits)
{
    memset(m, 0, sizeof(*m));
    if (nsyms < 2 || nsyms > RC_COUNT_MAX_SYMS || slow_window < RC_COUNT_MIN_WINDOW ||
        slow_window > RC_PERIODIC_MIX_MAX_WINDOW || fast_window < RC_COUNT_MIN_WINDOW ||
        fast_window > RC_PERIODIC_MIX_MAX_WINDOW || prec > RC_MAX_PREC ||
        ((uint64_t)1 << prec) < nsyms || period_bits > RC_PERIODIC_MIX_MAX_PERIOD)
        return NC_EINVAL;
    unsigned log2n = 0;
    while ((1u << log2n) < nsyms)
        log2n++;
    m->limit[0] = (uint32_t)RC_COUNT_INC << (slow_window > log2n ? slow_window : log2n);
    m->limit[1] = (uint32_t)RC_COUNT_INC << (fast_window > log2n ? fast_window : log2n);
    m->period = (uint32_t)1 << period_bits;
    m->count = malloc(sizeof(uint64_t) * nsyms);
    m->prev = malloc(sizeof(uint64_t) * nsyms);
    if (!m->count || !m->prev || rc_periodic_table_alloc(&m->tab, nsyms, prec)) {
        rc_periodic_mix_free(m);
        return NC_ENOMEM;
    }
    for (unsigned s = 0; s < nsyms; s++)
        m->count[s] = (uint64_t)1 << RC_PERIODIC_MIX_FAST_SHIFT | 1;
    m->total[0] = m->total[1] = nsyms;
    m->interval = m->to_build = 1;
    build_table(m);
    schedule(m);
    return 0;
}

void rc_periodic_mix_free(RCPeriodicMixModel *m)
{
    free(m->count);
    free(m->prev);
    rc_periodic_table_free(&m->tab);
    memset(m, 0, sizeof(*m));
}
