/* The CDF 9/7 wavelet (bior4.4, the JPEG 2000 irreversible filter) by lifting, and
 * full wavelet packet transforms built from it: 1-D for audio, 2-D for images.
 *
 * One analysis level turns n samples into ceil(n/2) low-pass then floor(n/2)
 * high-pass coefficients; any n >= 1 works (n = 1 is left as it is). The signal
 * is extended by whole-sample symmetry at both ends (x[-1] = x[1],
 * x[n] = x[n-2]), which keeps the transform orthogonal-like at the borders and
 * exactly invertible. Scaling: low-pass DC gain sqrt(2), high-pass 1/that
 * inverse, so the pair is close to orthonormal (energy is nearly kept, which
 * keeps quantization errors comparable across bands).
 *
 * The packet transforms split every band again at each of `levels` levels (not
 * only the low band, as a dyadic transform would), so all 2^levels (1-D) or
 * 4^levels (2-D) bands have the same shape; they therefore need lengths
 * divisible by 2^levels (callers extend their signal, e.g. symmetrically; see
 * codecs/walloc). Band order is the packet tree's natural order: in 1-D band b's
 * bit (levels-1-l) says whether level l took the high half; in 2-D band
 * by * 2^levels + bx, with by from the vertical and bx from the horizontal splits.
 *
 * Inverse(forward(x)) equals x to float rounding (relative error ~1e-6). */
#ifndef NC_DSP_WAVELET_H
#define NC_DSP_WAVELET_H

#include <stddef.h>

/* Largest levels accepted by the packet transforms. */
#define NC_WPT_MAX_LEVELS 12

/* One level on n elements of m floats each, element i at x + i * es (m = 1,
 * es = 1: a contiguous signal; m = width, es = stride: the columns of a plane,
 * lifted a row at a time). tmp holds n * m floats. */
void nc_cdf97_analyze(float *x, int n, int m, ptrdiff_t es, float *tmp);
void nc_cdf97_synthesize(float *x, int n, int m, ptrdiff_t es, float *tmp);

/* 1-D packet transform in place: x[n] -> bands[2^levels][n >> levels].
 * NC_EINVAL unless 0 <= levels <= NC_WPT_MAX_LEVELS and n > 0 is a multiple of
 * 2^levels. tmp holds n floats. */
int nc_wpt1d_forward(float *x, int n, int levels, float *tmp);
int nc_wpt1d_inverse(float *x, int n, int levels, float *tmp);

/* 2-D packet transform of a w x h plane (row stride w), in place: on return
 * x holds bands[4^levels][h >> levels][w >> levels]. Same conditions on w and h
 * as the 1-D case. tmp holds w * h floats. */
int nc_wpt2d_forward(float *x, int w, int h, int levels, float *tmp);
int nc_wpt2d_inverse(float *x, int w, int h, int levels, float *tmp);

#endif
