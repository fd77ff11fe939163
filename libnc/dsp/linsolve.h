/* Small dense linear solves in double precision, for encoders that fit
 * coefficients by least squares (nerv's latent mean taps and loop filter). */
#ifndef NC_DSP_LINSOLVE_H
#define NC_DSP_LINSOLVE_H

#include <stddef.h>

/* Solves a x = b for x (into b), a n x n symmetric positive definite, row i at
 * a + i * stride, by Cholesky in place (a is overwritten). Returns 0, or -1
 * (a and b then undefined) when a is not positive definite. */
int dsp_solve_spd(int n, double *a, size_t stride, double *b);

#endif
