/* SNR and SI-SDR against values computed by hand, and their invariances. */
#include <math.h>

#include "libnc/metric/lossless.h"
#include "libnc/metric/snr.h"
#include "tests/dsp/check.h"
#include "tests/metric/noise.h"

int main(void)
{
    static const float ref[4] = {1, 2, 3, 4}, deg[4] = {1, 2, 3, 5};
    float scaled[4], x[1000], y[1000];
    /* SNR = 10 log10(30 / 1). */
    CHECK_NEAR(metric_snr(ref, deg, 4), 14.771212547196624, 1e-9);
    /* SI-SDR by hand: zero-mean ref (-1.5 -0.5 0.5 1.5), deg (-1.75 -0.75 0.25 2.25);
     * alpha = 6.5 / 5 = 1.3; |target|^2 = 8.45; |noise|^2 = 0.3. */
    CHECK_NEAR(metric_si_sdr(ref, deg, 4), 14.497354542300299, 1e-9);
    for (int i = 0; i < 4; i++)
        scaled[i] = -3.0f * deg[i] + 7.0f; /* gain (even negative) and offset do not matter */
    CHECK_NEAR(metric_si_sdr(ref, scaled, 4), 14.497354542300299, 1e-6);
    CHECK(isinf(metric_snr(ref, ref, 4)) && metric_snr(ref, ref, 4) > 0);
    CHECK(isinf(metric_si_sdr(ref, ref, 4)) && metric_si_sdr(ref, ref, 4) > 0);
    CHECK(isnan(metric_snr(ref, deg, 0)));
    /* Noise at a set SNR reads back as that SNR. */
    test_speech_like(x, 1000, 8000);
    test_add_noise(x, y, 1000, 12.5, 7);
    CHECK_NEAR(metric_snr(x, y, 1000), 12.5, 1e-5);
    CHECK(fabs(metric_si_sdr(x, y, 1000) - 12.5) < 0.3);
    /* Lossless figures. */
    static const uint8_t a[5] = {1, 2, 3, 4, 5}, b[5] = {1, 2, 9, 4, 5};
    size_t diff;
    CHECK_NEAR(metric_bits_per_dim(98, 784), 1.0, 1e-12);
    CHECK(isnan(metric_bits_per_dim(10, 0)));
    CHECK(metric_exact_match(a, 5, a, 5, &diff) == 1 && diff == 5);
    CHECK(metric_exact_match(a, 5, b, 5, &diff) == 0 && diff == 2);
    CHECK(metric_exact_match(a, 5, a, 4, &diff) == 0 && diff == 4);
    return nc_test_result(__FILE__);
}
