/* Delay finding: exact sample lags for waveform copies (either direction), and
 * envelope-level lags when the waveform is not kept (changed harmonic phases). */
#include <math.h>
#include <stdlib.h>

#include "libnc/metric/align.h"
#include "nc/error.h"
#include "tests/dsp/check.h"
#include "tests/metric/noise.h"

#define RATE 16000
#define N 16000

/* ref delayed by `lag` samples (negative: advanced), with noise at 15 dB. */
static void shifted(const float *ref, float *out, int lag)
{
    static float noisy[N];
    test_add_noise(ref, noisy, N, 15.0, 11);
    for (int t = 0; t < N; t++) {
        int s = t - lag;
        out[t] = s >= 0 && s < N ? noisy[s] : 0.0f;
    }
}

int main(void)
{
    static float ref[N], deg[N];
    static const int lags[] = {0, 37, -37, 1234, -800, 5};
    int lag;
    test_speech_like(ref, N, RATE);
    for (size_t i = 0; i < sizeof(lags) / sizeof(*lags); i++) {
        shifted(ref, deg, lags[i]);
        CHECK(metric_find_delay(ref, N, deg, N, RATE, 3200, &lag) == 0);
        CHECK(lag == lags[i]);
    }
    /* Same envelope, different waveform (every harmonic phase-shifted by 90
     * degrees via a Hilbert-like quadrature copy): within one envelope step. */
    for (int t = 0; t < N; t++) {
        double sec = (double)t / RATE, env = pow(fmax(0.0, sin(2 * 3.14159265358979 * 4.0 * sec)), 2.0);
        ref[t] = (float)(env * sin(2 * 3.14159265358979 * 200.0 * sec));
        int s = t - 480;
        double sec_s = (double)s / RATE;
        double env_s = s >= 0 ? pow(fmax(0.0, sin(2 * 3.14159265358979 * 4.0 * sec_s)), 2.0) : 0.0;
        deg[t] = (float)(env_s * cos(2 * 3.14159265358979 * 200.0 * sec_s));
    }
    CHECK(metric_find_delay(ref, N, deg, N, RATE, 3200, &lag) == 0);
    CHECK(abs(lag - 480) <= 16);
    CHECK(metric_find_delay(ref, N, deg, N, 0, 100, &lag) == NC_EINVAL);
    CHECK(metric_find_delay(ref, 0, deg, N, RATE, 100, &lag) == NC_EINVAL);
    return nc_test_result(__FILE__);
}
