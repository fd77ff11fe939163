/* Shared by encoder and decoder: bits of information coded so far, in 1/8 bits. */
#ifndef NC_ENTROPY_TELL_H
#define NC_ENTROPY_TELL_H

#include <stdint.h>

/* 8 * (8 * bytes + RC_WINDOW_BITS) - floor(8 * log2(range)), integer only. */
uint64_t rc_tell_frac(uint64_t bytes, uint64_t range);

#endif
