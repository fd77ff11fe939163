/* Bounds libnc enforces on every size that comes from outside (files, streams,
 * user parameters) before anything is allocated. */
#ifndef NC_BOUNDS_H
#define NC_BOUNDS_H

#include <stddef.h>
#include <stdint.h>

#define NC_MAX_SAMPLE_RATE 768000
#define NC_MAX_DIMENSION 32768
#define NC_MAX_PIXELS (1 << 28)              /* 16384 x 16384 */
#define NC_MAX_FRAME_SAMPLES (1 << 26)       /* per channel, per frame */
#define NC_MAX_FRAME_BYTES ((size_t)1 << 31) /* a bytes frame */

static inline int nci_dimensions_valid(int width, int height)
{
    return width > 0 && height > 0 && width <= NC_MAX_DIMENSION && height <= NC_MAX_DIMENSION &&
           (int64_t)width * height <= NC_MAX_PIXELS;
}

#endif
