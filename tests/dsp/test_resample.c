/* Resampling: tones keep their amplitude and phase, DC passes exactly, content
 * above the new Nyquist is removed, lengths follow the documented rule. */
#include <math.h>
#include <stdlib.h>

#include "libnc/dsp/resample.h"
#include "nc/error.h"
#include "tests/dsp/check.h"

static const double pi = 3.14159265358979323846;

/* Largest error against the ideal tone, away from the edges (zero outside). */
static double tone_error(int in_rate, int out_rate, double hz)
{
    size_t n = (size_t)in_rate / 5, n_out = dsp_resample_length(n, in_rate, out_rate);
    float *in = malloc(n * sizeof(*in)), *out = malloc(n_out * sizeof(*out));
    double worst = 1e9;
    if (!in || !out)
        goto end;
    for (size_t t = 0; t < n; t++)
        in[t] = (float)(0.8 * sin(2 * pi * hz * t / in_rate + 0.3));
    CHECK(dsp_resample(in, n, in_rate, out, out_rate) == 0);
    worst = 0.0;
    for (size_t j = n_out / 4; j < 3 * n_out / 4; j++) {
        double want = 0.8 * sin(2 * pi * hz * j / out_rate + 0.3);
        worst = fmax(worst, fabs(out[j] - want));
    }
end:
    free(in);
    free(out);
    return worst;
}

/* RMS of the middle half of the output, for a tone above the output's Nyquist. */
static double stop_band_rms(int in_rate, int out_rate, double hz)
{
    size_t n = (size_t)in_rate / 5, n_out = dsp_resample_length(n, in_rate, out_rate);
    float *in = malloc(n * sizeof(*in)), *out = malloc(n_out * sizeof(*out));
    double acc = 0.0;
    if (!in || !out)
        goto end;
    for (size_t t = 0; t < n; t++)
        in[t] = (float)sin(2 * pi * hz * t / in_rate);
    CHECK(dsp_resample(in, n, in_rate, out, out_rate) == 0);
    for (size_t j = n_out / 4; j < 3 * n_out / 4; j++)
        acc += (double)out[j] * out[j];
    acc = sqrt(acc / (double)(n_out / 2));
end:
    free(in);
    free(out);
    return acc;
}

int main(void)
{
    float dc[1000], out[3000];
    CHECK(dsp_resample_length(48000, 48000, 16000) == 16000);
    CHECK(dsp_resample_length(10, 3, 2) == 7);
    CHECK(dsp_resample_length(0, 8000, 16000) == 0);
    CHECK(tone_error(48000, 16000, 440.0) < 1e-3);
    CHECK(tone_error(16000, 44100, 1000.0) < 1e-3);
    CHECK(tone_error(44100, 16000, 3000.0) < 1e-3);
    CHECK(tone_error(16000, 10000, 2500.0) < 1e-3);
    CHECK(tone_error(22050, 22050, 5000.0) < 1e-6);
    /* 90 dB stop band design; ask for 70 dB (rms of a unit sine is 0.707). */
    CHECK(stop_band_rms(48000, 10000, 7000.0) < 0.707 * 3.2e-4);
    CHECK(stop_band_rms(44100, 16000, 12000.0) < 0.707 * 3.2e-4);
    CHECK(stop_band_rms(48000, 16000, 8400.0) < 0.707 * 3.2e-4); /* just past Nyquist */
    for (int t = 0; t < 1000; t++)
        dc[t] = 0.5f;
    CHECK(dsp_resample(dc, 1000, 16000, out, 48000) == 0);
    for (int j = 200; j < 2800; j++)
        CHECK_NEAR(out[j], 0.5, 1e-6);
    CHECK(dsp_resample(dc, 1000, 0, out, 48000) == NC_EINVAL);
    CHECK(dsp_resample(dc, 1000, 16000, out, 2000000) == NC_EINVAL);
    return nc_test_result(__FILE__);
}
