#include "libnc/metric/spectral.h"

#include <math.h>
#include <stdlib.h>

#include "libnc/dsp/dct.h"
#include "libnc/dsp/mel.h"
#include "libnc/dsp/stft.h"
#include "nc/error.h"

/* Spectrum of a whole signal: frames x bins power or magnitude values. */
typedef struct Spectrum {
    int frames, bins;
    float *v;
} Spectrum;

static int spectrum(const float *x, size_t n, int n_fft, int hop, int win_length,
                    int magnitude, Spectrum *out)
{
    NCSTFT *stft = NULL;
    NCComplex *spec = NULL;
    int err, frames;
    out->v = NULL;
    if (n < 1 || n > (size_t)1 << 30)
        return NC_EINVAL;
    err = dsp_stft_alloc(&stft, n_fft, hop, win_length, NC_WINDOW_HANN);
    if (err)
        return err;
    frames = dsp_stft_frames(stft, (int)n);
    spec = malloc((size_t)frames * stft->bins * sizeof(*spec));
    out->v = malloc((size_t)frames * stft->bins * sizeof(*out->v));
    if (!spec || !out->v) {
        err = NC_ENOMEM;
        free(out->v);
        out->v = NULL;
        goto end;
    }
    dsp_stft_forward(stft, x, (int)n, spec);
    if (magnitude)
        dsp_spec_magnitude(spec, out->v, frames * stft->bins);
    else
        dsp_spec_power(spec, out->v, frames * stft->bins);
    out->frames = frames;
    out->bins = stft->bins;
end:
    free(spec);
    dsp_stft_free(&stft);
    return err;
}

int metric_lsd(const float *ref, const float *deg, size_t n, double *out)
{
    Spectrum a, b;
    double sum = 0.0;
    int err = spectrum(ref, n, 2048, 512, 2048, 0, &a);
    if (err)
        return err;
    err = spectrum(deg, n, 2048, 512, 2048, 0, &b);
    if (err) {
        free(a.v);
        return err;
    }
    for (int f = 0; f < a.frames; f++) {
        double acc = 0.0;
        for (int k = 0; k < a.bins; k++) {
            size_t i = (size_t)f * a.bins + k;
            double d = log10(a.v[i] + 1e-8) - log10(b.v[i] + 1e-8);
            acc += d * d;
        }
        sum += sqrt(acc / a.bins);
    }
    *out = sum / a.frames;
    free(a.v);
    free(b.v);
    return 0;
}

/* Mean |log10(max(Ma,eps)^2) - log10(max(Mb,eps)^2)| at one resolution. */
static int mel_distance_at(const float *ref, const float *deg, size_t n, int sample_rate,
                           int n_fft, int n_mels, double *out)
{
    Spectrum a = {0}, b = {0};
    NCMelBank *bank = NULL;
    float *ma = NULL, *mb = NULL;
    double sum = 0.0;
    int err = dsp_mel_bank_alloc(&bank, sample_rate, n_fft, n_mels, 0.0f,
                                sample_rate / 2.0f, NC_MEL_SLANEY, 1);
    if (!err)
        err = spectrum(ref, n, n_fft, n_fft / 4, n_fft, 1, &a);
    if (!err)
        err = spectrum(deg, n, n_fft, n_fft / 4, n_fft, 1, &b);
    ma = malloc((size_t)n_mels * sizeof(*ma));
    mb = malloc((size_t)n_mels * sizeof(*mb));
    if (!err && (!ma || !mb))
        err = NC_ENOMEM;
    if (err)
        goto end;
    for (int f = 0; f < a.frames; f++) {
        dsp_mel_bank_apply(bank, a.v + (size_t)f * a.bins, ma);
        dsp_mel_bank_apply(bank, b.v + (size_t)f * b.bins, mb);
        for (int m = 0; m < n_mels; m++)
            sum += fabs(2.0 * log10(fmax(ma[m], 1e-5)) - 2.0 * log10(fmax(mb[m], 1e-5)));
    }
    *out = sum / ((double)a.frames * n_mels);
end:
    free(a.v);
    free(b.v);
    free(ma);
    free(mb);
    dsp_mel_bank_free(&bank);
    return err;
}

int metric_mel_distance(const float *ref, const float *deg, size_t n, int sample_rate,
                           double *out)
{
    static const int n_fft[2] = {2048, 512}, n_mels[2] = {150, 80};
    double total = 0.0;
    if (sample_rate < 1000)
        return NC_EINVAL;
    for (int r = 0; r < 2; r++) {
        double d;
        int err = mel_distance_at(ref, deg, n, sample_rate, n_fft[r], n_mels[r], &d);
        if (err)
            return err;
        total += d;
    }
    *out = total;
    return 0;
}

#define MCD_MELS 40
#define MCD_CEPS 13

/* Cepstra c_0..c_12 of one power-spectrum frame; mel powers below floor count
 * as floor. */
static void mel_cepstrum(const NCMelBank *bank, const float *power, double floor_power,
                         float *ceps)
{
    float mel[MCD_MELS];
    dsp_mel_bank_apply(bank, power, mel);
    for (int m = 0; m < MCD_MELS; m++)
        mel[m] = (float)(0.5 * log(fmax(mel[m], floor_power)));
    dsp_dct2_ortho(mel, MCD_MELS, ceps, MCD_CEPS);
}

int metric_mcd(const float *ref, const float *deg, size_t n, int sample_rate, double *out)
{
    Spectrum a = {0}, b = {0};
    NCMelBank *bank = NULL;
    int win, n_fft = 2, used = 0, err;
    double loudest = 0.0, loudest_mel = 0.0, floor_power, sum = 0.0;
    if (sample_rate < 1000 || sample_rate > 1000000)
        return NC_EINVAL;
    win = (int)lround(0.025 * sample_rate);
    while (n_fft < win)
        n_fft *= 2;
    err = dsp_mel_bank_alloc(&bank, sample_rate, n_fft, MCD_MELS, 0.0f, sample_rate / 2.0f,
                            NC_MEL_HTK, 0);
    if (!err)
        err = spectrum(ref, n, n_fft, (int)lround(0.010 * sample_rate), win, 0, &a);
    if (!err)
        err = spectrum(deg, n, n_fft, (int)lround(0.010 * sample_rate), win, 0, &b);
    if (err)
        goto end;
    for (int f = 0; f < a.frames; f++) {
        float mel[MCD_MELS];
        double e = 0.0;
        for (int k = 0; k < a.bins; k++)
            e += a.v[(size_t)f * a.bins + k];
        loudest = fmax(loudest, e);
        dsp_mel_bank_apply(bank, a.v + (size_t)f * a.bins, mel);
        /* a comparison, not fmax(): gcc 12's vectorizer crashes on an fmax
         * reduction of floats into a double on aarch64 (-O2 and up) */
        for (int m = 0; m < MCD_MELS; m++)
            if (mel[m] > loudest_mel)
                loudest_mel = mel[m];
    }
    /* 80 dB below the reference's loudest mel band (librosa's top_db): bands a
     * codec leaves empty (band-limited output) count as that, not as -infinity. */
    floor_power = fmax(loudest_mel * 1e-8, 1e-20);
    for (int f = 0; f < a.frames; f++) {
        float ca[MCD_CEPS], cb[MCD_CEPS];
        double e = 0.0, acc = 0.0;
        for (int k = 0; k < a.bins; k++)
            e += a.v[(size_t)f * a.bins + k];
        if (!(e > loudest * 1e-6))
            continue;
        mel_cepstrum(bank, a.v + (size_t)f * a.bins, floor_power, ca);
        mel_cepstrum(bank, b.v + (size_t)f * b.bins, floor_power, cb);
        for (int d = 1; d < MCD_CEPS; d++)
            acc += ((double)ca[d] - cb[d]) * ((double)ca[d] - cb[d]);
        sum += 10.0 / log(10.0) * sqrt(2.0 * acc);
        used++;
    }
    if (!used)
        err = NC_EINVAL; /* a silent reference */
    else
        *out = sum / used;
end:
    free(a.v);
    free(b.v);
    dsp_mel_bank_free(&bank);
    return err;
}
