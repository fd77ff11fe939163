/* Fixed-point exp and erfc for the parametric tables: integer arithmetic only, so the
 * tables are bit-identical everywhere (no libm, no floating point). Accuracy is far
 * finer than the 16-bit CDFs built from them need (relative error ~1e-7). */
#ifndef NC_ENTROPY_FIXED_MATH_H
#define NC_ENTROPY_FIXED_MATH_H

#include <stdint.h>

#define RC_FX_ONE ((uint64_t)1 << 32) /* 1.0 in Q32 */

/* exp(-t) in Q32 for t >= 0 given in Q32 (0 for t >= 32). */
uint64_t rc_fx_exp_neg(uint64_t t_q32);
/* erfc(z) in Q32 for z >= 0 given in Q32 (0 for z >= 12). */
uint64_t rc_fx_erfc(uint64_t z_q32);

#endif
