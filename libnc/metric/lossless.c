#include "libnc/metric/lossless.h"

#include <math.h>

double metric_bits_per_dim(uint64_t compressed_bytes, uint64_t dimensions)
{
    return dimensions ? 8.0 * (double)compressed_bytes / (double)dimensions : NAN;
}

int metric_exact_match(const uint8_t *a, size_t na, const uint8_t *b, size_t nb,
                          size_t *first_diff)
{
    size_t n = na < nb ? na : nb, i = 0;
    while (i < n && a[i] == b[i])
        i++;
    if (first_diff)
        *first_diff = i;
    return i == n && na == nb;
}
