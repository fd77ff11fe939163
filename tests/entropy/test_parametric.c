/* Parametric tables: fixed-point math against libm, valid tables, coding cost close to
 * the discretized distribution's entropy, escapes and scale lookup. */
#include <math.h>
#include <stdlib.h>

#include "entropy/cdf.h"
#include "entropy/fixed_math.h"
#include "entropy/parametric.h"
#include "tests/entropy/test_util.h"

static void test_fixed_math(void)
{
    double worst_exp = 0, worst_erfc = 0;
    for (double t = 0; t < 40; t += 0.0137) {
        double e = fabs(rc_fx_exp_neg((uint64_t)(t * 4294967296.0)) / 4294967296.0 - exp(-t));
        if (e > worst_exp) worst_exp = e;
    }
    for (double z = 0; z < 14; z += 0.0037) {
        double e = fabs(rc_fx_erfc((uint64_t)(z * 4294967296.0)) / 4294967296.0 - erfc(z));
        if (e > worst_erfc) worst_erfc = e;
    }
    printf("fixed-point exp error %.2g, erfc error %.2g\n", worst_exp, worst_erfc);
    CHECK(worst_exp < 1e-7);
    CHECK(worst_erfc < 3e-7);
}

/* Continuous CDF of the distribution in double precision (reference only). */
static double ref_cdf(int dist, double x, double s)
{
    switch (dist) {
    case RC_DIST_LAPLACE: return x < 0 ? 0.5 * exp(x / s) : 1 - 0.5 * exp(-x / s);
    case RC_DIST_GAUSSIAN: return 0.5 * erfc(-x / (s * sqrt(2.0)));
    default: return 1 / (1 + exp(-x / s));
    }
}

static void test_tables(int dist)
{
    RCParamConfig cfg;
    rc_param_config_default(&cfg, dist);
    cfg.mean_frac_bits = 2;
    RCParamTables t;
    CHECK(rc_param_init(&t, &cfg) == 0);
    double worst = 0;
    for (unsigned i = 0; i < cfg.num_scales; i++) {
        if (i) CHECK(t.scale_q16[i] > t.scale_q16[i - 1]);
        CHECK(rc_param_scale_index(&t, t.scale_q16[i]) == i);
        for (int32_t mean = 0; mean < 4; mean++) {
            unsigned nsyms, tail;
            const uint32_t *cdf = rc_param_cdf(&t, i, mean, &nsyms, &tail);
            CHECK(rc_cdf_check(cdf, nsyms, cfg.prec) == 0);
            int zero = 0;
            for (unsigned s = 0; s < nsyms; s++) zero |= cdf[s + 1] == cdf[s];
            CHECK(!zero);
            /* Cross-entropy of the table against the exact discretized distribution,
             * over the ideal entropy: the cost of 16-bit quantization and the tail. */
            double s = t.scale_q16[i] / 65536.0, mu = mean / 4.0, h = 0, cross = 0;
            for (int d = -(int)tail - 200; d <= (int)tail + 200; d++) {
                double p = ref_cdf(dist, d + 0.5 - mu, s) - ref_cdf(dist, d - 0.5 - mu, s);
                if (p <= 1e-300) continue;
                h -= p * log2(p);
                double q = d >= -(int)tail && d <= (int)tail
                               ? (cdf[d + tail + 1] - cdf[d + tail]) / 65536.0
                               : (cdf[nsyms] - cdf[nsyms - 1]) / 65536.0 * pow(2, -abs(d) / 4.0);
                cross -= p * log2(q);
            }
            double over = (cross - h) / (h > 0.05 ? h : 0.05);
            if (over > worst) worst = over;
        }
    }
    printf("dist %d: %u scales, worst relative table overhead %.4f%%\n", dist, cfg.num_scales,
           100 * worst);
    CHECK(worst < 0.01);
    /* Scale lookup clamps at both ends and picks the nearest step. */
    CHECK(rc_param_scale_index(&t, 1) == 0);
    CHECK(rc_param_scale_index(&t, UINT32_MAX) == cfg.num_scales - 1);
    CHECK(rc_param_scale_index(&t, t.scale_q16[10] + 1) == 10);
    CHECK(rc_param_scale_index(&t, t.scale_q16[10] - 1) == 10);
    rc_param_free(&t);
}

static void test_config_errors(void)
{
    RCParamConfig cfg;
    RCParamTables t;
    rc_param_config_default(&cfg, RC_DIST_GAUSSIAN);
    cfg.dist = 3;
    CHECK(rc_param_init(&t, &cfg) == NC_EINVAL);
    rc_param_config_default(&cfg, RC_DIST_GAUSSIAN);
    cfg.num_scales = 1024; /* scales overflow Q16 in 32 bits */
    cfg.steps_per_octave = 1;
    CHECK(rc_param_init(&t, &cfg) == NC_EINVAL);
    rc_param_config_default(&cfg, RC_DIST_LAPLACE);
    cfg.prec = 17;
    CHECK(rc_param_init(&t, &cfg) == NC_EINVAL);
    CHECK(rc_param_init(&t, NULL) == NC_EINVAL);
}

int main(void)
{
    test_fixed_math();
    for (int d = RC_DIST_LAPLACE; d <= RC_DIST_LOGISTIC; d++) test_tables(d);
    test_config_errors();
    return test_result("entropy_parametric");
}
