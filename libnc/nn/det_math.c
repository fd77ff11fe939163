#include <math.h>
#include <stdint.h>
#include <string.h>

#include "libnc/nn/det_math.h"

static float from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static uint32_t to_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

/* 2^k for -149 <= k <= 128 as a product of normal powers of two (exact). */
static float scale_pow2(float p, int k)
{
    if (k > 127) {
        p *= from_bits((uint32_t)(127 + 127) << 23);
        k -= 127;
    } else if (k < -126) {
        p *= from_bits((uint32_t)(-100 + 127) << 23);
        k += 100;
    }
    return p * from_bits((uint32_t)(k + 127) << 23);
}

/* e^r - 1 for |r| <= 0.35: Taylor series to r^9 (error below 1e-9 relative). */
static float expm1_small(float r)
{
    return r *
           (1.0f +
            r * (0.5f + r * (1.66666672e-1f +
                             r * (4.16666679e-2f +
                                  r * (8.33333377e-3f +
                                       r * (1.38888892e-3f +
                                            r * (1.98412701e-4f +
                                                 r * (2.48015876e-5f + r * 2.75573188e-6f))))))));
}

float nn_det_exp(float x)
{
    if (x != x) return x;
    if (x > 88.7228394f) return HUGE_VALF;
    if (x < -103.972084f) return 0.0f;
    /* x = k ln2 + r with |r| <= ln2 / 2; ln2 split so that k * hi is exact */
    int k = (int)(x * 1.44269502f + (x >= 0 ? 0.5f : -0.5f));
    float kf = (float)k;
    float r = (x - kf * 0.693145751953125f) - kf * 1.42860677e-06f;
    return scale_pow2(1.0f + expm1_small(r), k);
}

float nn_det_expm1(float x)
{
    if (x > -0.34f && x < 0.34f) return expm1_small(x);
    return nn_det_exp(x) - 1.0f;
}

float nn_det_log(float x)
{
    if (x != x || x < 0) return NAN;
    if (x == 0) return -HUGE_VALF;
    if (x == HUGE_VALF) return x;
    int e = 0;
    if (x < 1.17549435e-38f) { /* subnormal: scale into the normal range */
        x *= 8388608.0f;
        e = -23;
    }
    uint32_t u = to_bits(x);
    e += (int)(u >> 23) - 127;
    float m = from_bits((u & 0x7fffff) | 0x3f800000); /* [1, 2) */
    if (m > 1.41421354f) {
        m *= 0.5f;
        e++;
    }
    /* log m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.172 */
    float f = m - 1.0f, s = f / (2.0f + f), s2 = s * s;
    float poly = s2 * (0.333333343f + s2 * (0.2f + s2 * (0.142857149f + s2 * 0.111111112f)));
    float logm = 2.0f * s + 2.0f * s * poly;
    float ef = (float)e;
    return (ef * 1.42860677e-06f + logm) + ef * 0.693145751953125f;
}

float nn_det_tanh(float x)
{
    float a = x < 0 ? -x : x;
    float t;
    if (a > 9.0f) {
        t = 1.0f;
    } else {
        float em1 = nn_det_expm1(2.0f * a);
        t = em1 / (em1 + 2.0f);
    }
    return x < 0 ? -t : t;
}

float nn_det_sigmoid(float x)
{
    return 1.0f / (1.0f + nn_det_exp(-x));
}

/* |x| < 1.5: the Maclaurin series to x^31 (error below 1e-8); beyond, Abramowitz &
 * Stegun 7.1.26 (absolute error below 1.5e-7, where erf > 0.96). */
float nn_det_erf(float x)
{
    float a = x < 0 ? -x : x;
    float y;
    if (a < 1.5f) {
        float x2 = a * a;
        y = 1.12837917f * a *
            (1.000000000e+00f +
             x2 *
                 (-3.333333333e-01f +
                  x2 *
                      (1.000000000e-01f +
                       x2 *
                           (-2.380952381e-02f +
                            x2 *
                                (4.629629630e-03f +
                                 x2 *
                                     (-7.575757576e-04f +
                                      x2 *
                                          (1.068376068e-04f +
                                           x2 *
                                               (-1.322751323e-05f +
                                                x2 *
                                                    (1.458916900e-06f +
                                                     x2 *
                                                         (-1.450385222e-07f +
                                                          x2 *
                                                              (1.312253296e-08f +
                                                               x2 *
                                                                   (-1.089222104e-09f +
                                                                    x2 *
                                                                        (8.350702795e-11f +
                                                                         x2 *
                                                                             (-5.947794014e-12f +
                                                                              x2 *
                                                                                  (3.955429516e-13f +
                                                                                   x2 *
                                                                                       (-2.466827010e-14f))))))))))))))));
    } else {
        float t = 1.0f / (1.0f + 0.3275911f * a);
        float poly =
            t * (0.254829592f +
                 t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
        y = 1.0f - poly * nn_det_exp(-a * a);
    }
    return x < 0 ? -y : y;
}

float nn_det_gelu(float x)
{
    return 0.5f * x * (1.0f + nn_det_erf(x * 0.707106769f));
}
