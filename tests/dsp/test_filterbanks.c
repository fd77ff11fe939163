/* Mel and third-octave filterbanks: scale anchor points, the triangles' partition
 * of unity, transpose consistency, and STOI's published band layout. */
#include <math.h>
#include <stdlib.h>

#include "libnc/dsp/bands.h"
#include "libnc/dsp/mel.h"
#include "nc/error.h"
#include "tests/dsp/check.h"

/* Dense weight W[m][k] from the sparse bank. */
static float weight(const NCMelBank *b, int m, int k)
{
    int j = k - b->first[m];
    return j >= 0 && j < b->count[m] ? b->weights[b->offset[m] + j] : 0.0f;
}

static void check_scales(void)
{
    /* HTK: 1000 Hz is 2595 log10(1 + 10/7) mel; Slaney: 1 kHz is mel 15, 6.4 kHz mel 42. */
    CHECK_NEAR(dsp_hz_to_mel(1000.0, NC_MEL_HTK), 999.98553, 1e-4);
    CHECK_NEAR(dsp_hz_to_mel(1000.0, NC_MEL_SLANEY), 15.0, 1e-12);
    CHECK_NEAR(dsp_hz_to_mel(6400.0, NC_MEL_SLANEY), 42.0, 1e-9);
    CHECK_NEAR(dsp_hz_to_mel(500.0, NC_MEL_SLANEY), 7.5, 1e-12);
    for (double hz = 0.0; hz < 20000.0; hz += 777.0) {
        CHECK_NEAR(dsp_mel_to_hz(dsp_hz_to_mel(hz, NC_MEL_HTK), NC_MEL_HTK), hz, 1e-7);
        CHECK_NEAR(dsp_mel_to_hz(dsp_hz_to_mel(hz, NC_MEL_SLANEY), NC_MEL_SLANEY), hz, 1e-7);
    }
}

static void check_mel_bank(enum NCMelScale scale)
{
    const int sr = 16000, n_fft = 512, n_mels = 40;
    NCMelBank *b = NULL;
    float spec[257], mel[40], back[257], mel_in[40];
    CHECK(dsp_mel_bank_alloc(&b, sr, n_fft, n_mels, 0.0f, 8000.0f, scale, 0) == 0);
    if (!b)
        return;
    CHECK(b->bins == 257 && b->n_mels == n_mels);
    /* Between the first and the last filter's peaks, the triangles sum to one. */
    double peak_lo = dsp_mel_to_hz(dsp_hz_to_mel(8000.0, scale) / (n_mels + 1), scale);
    double peak_hi = dsp_mel_to_hz(dsp_hz_to_mel(8000.0, scale) * n_mels / (n_mels + 1), scale);
    for (int k = 0; k < b->bins; k++) {
        double hz = k * (double)sr / n_fft, sum = 0.0;
        for (int m = 0; m < n_mels; m++) {
            CHECK(weight(b, m, k) >= 0.0f && weight(b, m, k) <= 1.0f);
            sum += weight(b, m, k);
        }
        if (hz >= peak_lo && hz <= peak_hi)
            CHECK_NEAR(sum, 1.0, 1e-5);
    }
    /* apply_transpose is the adjoint of apply: <W s, u> == <s, W^T u>. */
    for (int k = 0; k < 257; k++)
        spec[k] = (float)(1.0 + sin(0.1 * k));
    for (int m = 0; m < n_mels; m++)
        mel_in[m] = (float)cos(0.3 * m);
    dsp_mel_bank_apply(b, spec, mel);
    dsp_mel_bank_apply_transpose(b, mel_in, back);
    double lhs = 0.0, rhs = 0.0;
    for (int m = 0; m < n_mels; m++)
        lhs += mel[m] * mel_in[m];
    for (int k = 0; k < 257; k++)
        rhs += spec[k] * back[k];
    CHECK_NEAR(lhs, rhs, 1e-4);
    dsp_mel_bank_free(&b);
    CHECK(b == NULL);
}

static void check_area_norm(void)
{
    /* With Slaney's area normalization each filter's integral over Hz is one. */
    const int sr = 22050, n_fft = 2048;
    NCMelBank *b = NULL;
    CHECK(dsp_mel_bank_alloc(&b, sr, n_fft, 64, 50.0f, 11025.0f, NC_MEL_SLANEY, 1) == 0);
    if (!b)
        return;
    for (int m = 5; m < 64; m++) { /* the lowest filters span too few bins to integrate */
        double area = 0.0;
        for (int j = 0; j < b->count[m]; j++)
            area += b->weights[b->offset[m] + j] * (double)sr / n_fft;
        CHECK_NEAR(area, 1.0, 0.02);
    }
    dsp_mel_bank_free(&b);
}

static void check_third_octave(void)
{
    /* STOI: 10 kHz, 512-point FFT, 15 bands from 150 Hz. */
    static const int lo[15] = {7, 9, 11, 14, 17, 22, 27, 34, 43, 55, 69, 87, 109, 138, 174};
    static const int hi[15] = {9, 11, 14, 17, 22, 27, 34, 43, 55, 69, 87, 109, 138, 174, 219};
    NCOctaveBands *b = NULL;
    float power[257], out[15];
    CHECK(dsp_third_octave_alloc(&b, 10000, 512, 15, 150.0f) == 0);
    if (!b)
        return;
    for (int j = 0; j < 15; j++) {
        CHECK(b->lo[j] == lo[j]);
        CHECK(b->hi[j] == hi[j]);
    }
    CHECK_NEAR(b->center_hz[3], 300.0, 1e-3);
    for (int k = 0; k < 257; k++)
        power[k] = 4.0f;
    dsp_third_octave_apply(b, power, out);
    CHECK_NEAR(out[0], sqrt(4.0 * 2), 1e-6);
    CHECK_NEAR(out[14], sqrt(4.0 * 45), 1e-5);
    dsp_third_octave_free(&b);
    CHECK(dsp_third_octave_alloc(&b, 8000, 512, 30, 150.0f) == NC_EINVAL);
}

int main(void)
{
    NCMelBank *b = NULL;
    check_scales();
    check_mel_bank(NC_MEL_HTK);
    check_mel_bank(NC_MEL_SLANEY);
    check_area_norm();
    check_third_octave();
    CHECK(dsp_mel_bank_alloc(&b, 16000, 512, 40, 0.0f, 9000.0f, NC_MEL_HTK, 0) == NC_EINVAL);
    CHECK(dsp_mel_bank_alloc(&b, 16000, 512, 0, 0.0f, 8000.0f, NC_MEL_HTK, 0) == NC_EINVAL);
    return nc_test_result(__FILE__);
}
