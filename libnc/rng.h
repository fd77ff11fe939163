/* splitmix64: the one small seeded generator of libnc's codecs and trainers,
 * so a seed fixes a run on every platform. */
#ifndef NC_LIBNC_RNG_H
#define NC_LIBNC_RNG_H

#include <stdint.h>

static inline uint64_t nci_splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1) with 24 bits. */
static inline float nci_rng_uniform(uint64_t *s)
{
    return (float)(nci_splitmix64(s) >> 40) * (1.0f / 16777216.0f);
}

#endif
