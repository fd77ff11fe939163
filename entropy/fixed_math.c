/* Fixed-point exp(-t) and erfc(z). Every constant is an exact integer and every step
 * an integer operation whose result C defines (signed division truncates toward zero),
 * so the results are the same with every compiler. */
#include "entropy/fixed_math.h"

#define Q30 ((int64_t)1 << 30)

/* round(x * 2^30) of the constants used below. */
#define LN2_Q30 744261118         /* ln 2 */
#define LOG2E_Q30 1549082005      /* log2 e */
#define E_Q30 2918732889LL        /* e */

static int64_t mul_q30(int64_t a, int64_t b) /* |a * b| < 2^63 */
{
    return a * b / Q30;
}

/* exp(-u) for 0 <= u < 1 (Q30), by Horner on the Taylor series to degree 14. */
static int64_t exp_neg_small(int64_t u)
{
    int64_t acc = Q30;
    for (int k = 14; k >= 1; k--) acc = Q30 - mul_q30(u, acc) / k;
    return acc;
}

uint64_t rc_fx_exp_neg(uint64_t t_q32)
{
    if (t_q32 >= ((uint64_t)32 << 32)) return 0;
    /* exp(-t) = 2^-(t log2 e) = 2^-n * exp(-f ln 2) with n integer, 0 <= f < 1. */
    int64_t t30 = (int64_t)(t_q32 >> 2);                /* < 2^35 */
    int64_t y30 = (t30 >> 5) * LOG2E_Q30 / (Q30 >> 5);  /* t log2 e in Q30, < 2^36 */
    int64_t n = y30 / Q30, f30 = y30 % Q30;
    int64_t m = exp_neg_small(mul_q30(f30, LN2_Q30));   /* in (1/2, 1], Q30 */
    return ((uint64_t)m << 2) >> n;
}

/* erfc by Numerical Recipes' Chebyshev fit (erfcc): fractional error < 1.2e-7 for
 * all z >= 0, so tails keep their relative accuracy:
 *   t = 1 / (1 + z/2), erfc(z) = t exp(-z^2 + P(t)). */
static const int64_t erfc_coef_q30[10] = {
    -1358833410, /* -1.26551223 */
    1073767250,  /*  1.00002368 */
    401678183,   /*  0.37409196 */
    103921222,   /*  0.09678418 */
    -200025281,  /* -0.18628806 */
    299432310,   /*  0.27886807 */
    -1218915992, /* -1.13520398 */
    1598281745,  /*  1.48851587 */
    -882779235,  /* -0.82215223 */
    183473240,   /*  0.17087277 */
};

uint64_t rc_fx_erfc(uint64_t z_q32)
{
    if (z_q32 >= ((uint64_t)12 << 32)) return 0;
    int64_t z = (int64_t)(z_q32 >> 2);                      /* Q30, < 12 * 2^30 */
    int64_t t = (Q30 * Q30) / (Q30 + z / 2);                /* Q30, in (0, 1] */
    int64_t p = erfc_coef_q30[9];
    for (int k = 8; k >= 0; k--) p = erfc_coef_q30[k] + mul_q30(p, t);
    int64_t z2 = (z >> 8) * (z >> 8) / (Q30 >> 16);          /* z^2 in Q30 */
    int64_t arg = z2 - p;                                   /* exp(-arg); arg > -1 */
    int64_t e30;
    if (arg >= 0) {
        e30 = (int64_t)(rc_fx_exp_neg((uint64_t)arg << 2) >> 2);
    } else { /* exp(-arg) = e * exp(-(arg + 1)) */
        e30 = (int64_t)(rc_fx_exp_neg((uint64_t)(arg + Q30) << 2) >> 2);
        e30 = mul_q30(e30, E_Q30);
    }
    return (uint64_t)mul_q30(e30, t) << 2;
}
