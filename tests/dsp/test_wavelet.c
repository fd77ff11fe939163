/* CDF 9/7 lifting against the bior4.4 analysis filter, and the packet transforms'
 * round trips at every length parity and level count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "libnc/dsp/wavelet.h"
#include "nc/error.h"
#include "tests/dsp/check.h"

/* bior4.4 (CDF 9/7) decomposition low-pass, centre tap first: h[0], h[+-1] .. h[+-4]. */
static const double bior44_lo[5] = {0.8526986790088938, 0.37740285561283066,
                                    -0.11062440441843718, -0.023849465019556843,
                                    0.03782845550726404};

static float noise(unsigned *s)
{
    *s = *s * 1664525u + 1013904223u;
    return (float)((*s >> 8) & 0xffff) / 65536.0f * 2.0f - 1.0f;
}

/* An impulse at t0 in a long signal: low-pass output i holds h[t0 - 2i]. */
static void check_filter(void)
{
    enum { N = 64 };
    float x[N], tmp[N];
    for (int t0 = 30; t0 <= 31; t0++) {
        memset(x, 0, sizeof(x));
        x[t0] = 1.0f;
        nc_cdf97_analyze(x, N, 1, 1, tmp);
        for (int i = 0; i < N / 2; i++) {
            int tap = abs(t0 - 2 * i);
            CHECK_NEAR(x[i], tap <= 4 ? bior44_lo[tap] : 0.0, 2e-6);
        }
    }
}

static double max_abs_diff(const float *a, const float *b, size_t n, double *peak)
{
    double m = 0;
    *peak = 0;
    for (size_t i = 0; i < n; i++) {
        m = fmax(m, fabs((double)a[i] - b[i]));
        *peak = fmax(*peak, fabs((double)b[i]));
    }
    return m;
}

static void check_1d(void)
{
    unsigned seed = 1;
    float x[97 * 3], ref[97 * 3], tmp[97 * 3];
    for (int n = 1; n <= 97; n++) {
        for (int m = 1; m <= 3; m += 2) {
            for (int i = 0; i < n * m; i++) ref[i] = x[i] = noise(&seed) * 100.0f;
            nc_cdf97_analyze(x, n, m, m, tmp);
            nc_cdf97_synthesize(x, n, m, m, tmp);
            double peak, err = max_abs_diff(x, ref, (size_t)n * m, &peak);
            CHECK(err <= 4e-6 * peak);
        }
    }
    /* Constant input: the high band vanishes (4 vanishing moments, symmetric ends). */
    for (int n = 2; n <= 33; n++) {
        for (int i = 0; i < n; i++) x[i] = 7.0f;
        nc_cdf97_analyze(x, n, 1, 1, tmp);
        for (int i = (n + 1) / 2; i < n; i++) CHECK_NEAR(x[i], 0.0, 1e-5);
        for (int i = 0; i < (n + 1) / 2; i++) CHECK_NEAR(x[i], 7.0 * sqrt(2.0), 1e-4);
    }
}

static void check_packets_1d(void)
{
    enum { N = 48 * 64 };
    float *x = malloc(N * sizeof(float)), *ref = malloc(N * sizeof(float)), *tmp = malloc(N * sizeof(float));
    unsigned seed = 7;
    for (int levels = 0; levels <= 6; levels++) {
        double e0 = 0, e1 = 0;
        for (int i = 0; i < N; i++) {
            ref[i] = x[i] = noise(&seed);
            e0 += (double)x[i] * x[i];
        }
        CHECK_EQ(nc_wpt1d_forward(x, N, levels, tmp), 0);
        for (int i = 0; i < N; i++) e1 += (double)x[i] * x[i];
        CHECK(fabs(e1 / e0 - 1.0) < 0.1); /* close to orthonormal */
        CHECK_EQ(nc_wpt1d_inverse(x, N, levels, tmp), 0);
        double peak, err = max_abs_diff(x, ref, N, &peak);
        CHECK(err <= 1e-5 * peak);
    }
    CHECK_EQ(nc_wpt1d_forward(x, 100, 3, tmp), NC_EINVAL);
    CHECK_EQ(nc_wpt1d_forward(x, 0, 0, tmp), NC_EINVAL);
    CHECK_EQ(nc_wpt1d_forward(x, N, -1, tmp), NC_EINVAL);
    free(x), free(ref), free(tmp);
}

static void check_packets_2d(void)
{
    static const int sizes[][3] = {{8, 8, 3}, {24, 40, 3}, {37, 21, 0}, {64, 48, 4}, {6, 10, 1}, {16, 16, 2}};
    unsigned seed = 3;
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        int w = sizes[s][0], h = sizes[s][1], levels = sizes[s][2];
        size_t n = (size_t)w * h;
        float *x = malloc(n * sizeof(float)), *ref = malloc(n * sizeof(float)),
              *tmp = malloc(n * sizeof(float));
        for (size_t i = 0; i < n; i++) ref[i] = x[i] = 128.0f + 100.0f * noise(&seed);
        CHECK_EQ(nc_wpt2d_forward(x, w, h, levels, tmp), 0);
        CHECK_EQ(nc_wpt2d_inverse(x, w, h, levels, tmp), 0);
        double peak, err = max_abs_diff(x, ref, n, &peak);
        CHECK(err <= 1e-5 * peak);
        /* A constant plane lands in band 0 only, with gain 2^levels. */
        for (size_t i = 0; i < n; i++) x[i] = 1.0f;
        nc_wpt2d_forward(x, w, h, levels, tmp);
        size_t nb = n >> (2 * levels);
        for (size_t i = 0; i < n; i++) CHECK_NEAR(x[i], i < nb ? (double)(1 << levels) : 0.0, 1e-4);
        free(x), free(ref), free(tmp);
    }
    float x[64], tmp[64];
    CHECK_EQ(nc_wpt2d_forward(x, 12, 4, 3, tmp), NC_EINVAL);
}

int main(void)
{
    check_filter();
    check_1d();
    check_packets_1d();
    check_packets_2d();
    return test_result("dsp_wavelet");
}
