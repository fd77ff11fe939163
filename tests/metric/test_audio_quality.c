/* STOI, ESTOI, LSD, mel distance and MCD on a speech-like signal: identity gives
 * the ideal value, and every measure gets monotonically worse as white noise
 * grows from 30 dB to -10 dB SNR. Also at rates that need resampling. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "libnc/metric/spectral.h"
#include "libnc/metric/stoi.h"
#include "nc/error.h"
#include "tests/dsp/check.h"
#include "tests/metric/noise.h"

enum { STOI, ESTOI, LSD, MEL, MCD, N_MEASURES };
static const char *names[N_MEASURES] = {"stoi", "estoi", "lsd", "mel", "mcd"};

static void measure(const float *ref, const float *deg, size_t n, int rate, double *v)
{
    CHECK(metric_stoi(ref, deg, n, rate, 0, &v[STOI]) == 0);
    CHECK(metric_stoi(ref, deg, n, rate, 1, &v[ESTOI]) == 0);
    CHECK(metric_lsd(ref, deg, n, &v[LSD]) == 0);
    CHECK(metric_mel_distance(ref, deg, n, rate, &v[MEL]) == 0);
    CHECK(metric_mcd(ref, deg, n, rate, &v[MCD]) == 0);
}

static void check_rate(int rate)
{
    static const double snrs[] = {30.0, 15.0, 5.0, 0.0, -10.0};
    size_t n = (size_t)rate * 3 / 2;
    float *ref = malloc(n * sizeof(*ref)), *deg = malloc(n * sizeof(*deg));
    double v[N_MEASURES], last[N_MEASURES] = {0};
    if (!ref || !deg)
        goto end;
    test_speech_like(ref, n, rate);
    measure(ref, ref, n, rate, v);
    CHECK_NEAR(v[STOI], 1.0, 1e-6);
    CHECK_NEAR(v[ESTOI], 1.0, 1e-6);
    CHECK_NEAR(v[LSD], 0.0, 1e-12);
    CHECK_NEAR(v[MEL], 0.0, 1e-12);
    CHECK_NEAR(v[MCD], 0.0, 1e-12);
    for (size_t s = 0; s < sizeof(snrs) / sizeof(*snrs); s++) {
        test_add_noise(ref, deg, n, snrs[s], 5);
        measure(ref, deg, n, rate, v);
        fprintf(stderr, "%d Hz, SNR %5.1f dB:", rate, snrs[s]);
        for (int m = 0; m < N_MEASURES; m++)
            fprintf(stderr, " %s %.4f", names[m], v[m]);
        fprintf(stderr, "\n");
        if (s > 0) {
            CHECK(v[STOI] < last[STOI]);
            CHECK(v[ESTOI] < last[ESTOI]);
            CHECK(v[LSD] > last[LSD]);
            CHECK(v[MEL] > last[MEL]);
            CHECK(v[MCD] > last[MCD]);
        }
        for (int m = 0; m < N_MEASURES; m++)
            last[m] = v[m];
    }
    /* At -10 dB SNR white noise speech is barely intelligible. */
    CHECK(last[STOI] < 0.75);
    CHECK(last[ESTOI] < 0.5);
end:
    free(ref);
    free(deg);
}

/* STOI and ESTOI at 10 kHz (no resampling) against a float64 NumPy transcription
 * of the published algorithm (pystoi's structure), on the speech-like signal plus
 * a deterministic modulated tone. The C code works in float32 where the reference
 * uses float64, hence the tolerance. */
static void check_numpy_reference(void)
{
    enum { N = 15000 };
    static float x[N], y[N];
    double v;
    test_speech_like(x, N, 10000);
    for (int t = 0; t < N; t++)
        y[t] = (float)(x[t] + 0.05 * sin(t * 1.234) * sin(t * 0.0371));
    CHECK(metric_stoi(x, y, N, 10000, 0, &v) == 0);
    CHECK_NEAR(v, 0.9691482772, 2e-5);
    CHECK(metric_stoi(x, y, N, 10000, 1, &v) == 0);
    CHECK_NEAR(v, 0.8876563996, 2e-5);
}

int main(void)
{
    check_numpy_reference();
    float x[4000] = {0};
    double v;
    check_rate(10000);
    check_rate(16000);
    check_rate(44100);
    /* Too short for one 30-frame segment, silence, bad rates. */
    test_speech_like(x, 4000, 16000);
    CHECK(metric_stoi(x, x, 4000, 16000, 0, &v) == NC_EINVAL);
    CHECK(metric_stoi(x, x, 4000, 0, 0, &v) == NC_EINVAL);
    for (int i = 0; i < 4000; i++)
        x[i] = 0.0f;
    CHECK(metric_mcd(x, x, 4000, 16000, &v) == NC_EINVAL);
    CHECK(metric_mel_distance(x, x, 0, 16000, &v) == NC_EINVAL);
    return nc_test_result(__FILE__);
}
