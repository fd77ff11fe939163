/* The synthesis spectrum of rvqspeech (spectral.h): X_b = exp(min(m_b,
 * NC_RVQ_LOGMAG_MAX)) * (cos p_b + i sin p_b) for n bins, through libm, or on AVX-512
 * lanes with the same bits (polar_avx512.c). */
#ifndef NC_RVQSPEECH_POLAR_H
#define NC_RVQSPEECH_POLAR_H

#include "codecs/rvqspeech/spectral.h"

/* spec[b] for b < n; mag, sn, cs: scratch of n floats each (at least 8). */
typedef void (*RvqPolarFn)(const float *logmag, const float *phase, NCComplex *spec, float *mag, float *sn, float *cs,
                           int n);

/* libm's expf and sincosf: the definition. */
void rvq_polar_libm(const float *logmag, const float *phase, NCComplex *spec, float *mag, float *sn, float *cs, int n);
/* The AVX-512 version when the CPU has it (as nn_kernels() says, NC_KERNELS included),
 * else NULL; rvq_polar_exact(): the same when it also gives libm's bits on a fixed set
 * of inputs here (what the decoder uses). */
RvqPolarFn rvq_polar_avx512(void);
RvqPolarFn rvq_polar_exact(void);

#endif
