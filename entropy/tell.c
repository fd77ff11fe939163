/* tell: integer log2 with 3 fractional bits, the way Opus' ec_tell_frac does it, so
 * the value is the same on every platform (it may decide window boundaries). */
#include "entropy/tell.h"

#include "entropy/range_encoder.h"

uint64_t rc_tell_frac(uint64_t bytes, uint64_t range)
{
    unsigned l = 0;
    for (uint64_t r = range; r > 1; r >>= 1) l++;
    /* 16-bit mantissa in [2^15, 2^16); squaring it doubles log2, the carry out of
     * bit 15 is the next fractional bit. */
    uint32_t x = (uint32_t)(range >> (l - 15));
    unsigned frac = 0;
    for (int i = 0; i < 3; i++) {
        x = (x * x) >> 15;
        unsigned bit = x >> 16;
        x >>= bit;
        frac = (frac << 1) | bit;
    }
    uint64_t log2_8 = (uint64_t)l * 8 + frac; /* floor(8 * log2(range)) */
    return 8 * (8 * bytes + RC_WINDOW_BITS) - log2_8;
}
