#include "libnc/dsp/stft.h"

#include <stdlib.h>
#include <math.h>

#include "nc/error.h"

void dsp_stft_free(NCSTFT **stft)
{
    if (!stft || !*stft)
        return;
    dsp_fft_free(&(*stft)->fft);
    free((*stft)->window);
    free((*stft)->frame);
    free(*stft);
    *stft = NULL;
}

int dsp_stft_alloc(NCSTFT **out, int n_fft, int hop, int win_length,
                  enum NCWindowType window)
{
    NCSTFT *s;
    int err;
    *out = NULL;
    if (n_fft < 2 || n_fft % 2 || hop < 1 || win_length < 1 || win_length > n_fft)
        return NC_EINVAL;
    s = calloc(1, sizeof(*s));
    if (!s)
        return NC_ENOMEM;
    s->n_fft = n_fft;
    s->hop = hop;
    s->win_length = win_length;
    s->bins = n_fft / 2 + 1;
    s->window = calloc((size_t)n_fft, sizeof(*s->window));
    s->frame = malloc((size_t)n_fft * sizeof(*s->frame));
    if (!s->window || !s->frame) {
        dsp_stft_free(&s);
        return NC_ENOMEM;
    }
    /* torch centres a shorter window in the frame. */
    err = dsp_window_fill(s->window + (n_fft - win_length) / 2, win_length, window, 1);
    if (!err)
        err = dsp_fft_real_alloc(&s->fft, n_fft);
    if (err) {
        dsp_stft_free(&s);
        return err;
    }
    *out = s;
    return 0;
}

int dsp_stft_frames(const NCSTFT *stft, int nb_samples)
{
    return nb_samples < 1 ? 0 : 1 + nb_samples / stft->hop;
}

/* Sample idx of x with reflect padding; zero where reflecting once is not enough. */
static float reflected(const float *x, int n, long idx)
{
    if (idx < 0)
        idx = -idx;
    if (idx >= n)
        idx = 2L * (n - 1) - idx;
    return idx >= 0 && idx < n ? x[idx] : 0.0f;
}

int dsp_stft_forward(NCSTFT *s, const float *x, int nb_samples, NCComplex *spec)
{
    int frames = dsp_stft_frames(s, nb_samples);
    long pad = s->n_fft / 2;
    if (frames < 1)
        return NC_EINVAL;
    for (int f = 0; f < frames; f++) {
        long start = (long)f * s->hop - pad;
        for (int i = 0; i < s->n_fft; i++)
            s->frame[i] = s->window[i] * reflected(x, nb_samples, start + i);
        dsp_fft_real_forward(s->fft, s->frame, spec + (size_t)f * s->bins);
    }
    return frames;
}

int dsp_stft_inverse(NCSTFT *s, const NCComplex *spec, int frames, float *y,
                    int nb_samples)
{
    size_t padded, pad = (size_t)s->n_fft / 2;
    float *acc, *wsum;
    if (frames < 1 || nb_samples < 1)
        return NC_EINVAL;
    padded = (size_t)s->n_fft + (size_t)s->hop * (size_t)(frames - 1);
    acc = calloc(padded, sizeof(*acc));
    wsum = calloc(padded, sizeof(*wsum));
    if (!acc || !wsum) {
        free(acc);
        free(wsum);
        return NC_ENOMEM;
    }
    for (int f = 0; f < frames; f++) {
        size_t start = (size_t)f * s->hop;
        dsp_fft_real_inverse(s->fft, spec + (size_t)f * s->bins, s->frame);
        for (int i = 0; i < s->n_fft; i++) {
            acc[start + i] += s->frame[i] * s->window[i];
            wsum[start + i] += s->window[i] * s->window[i];
        }
    }
    for (size_t t = 0; t < (size_t)nb_samples; t++) {
        size_t j = t + pad;
        y[t] = j < padded && wsum[j] > 1e-11f ? acc[j] / wsum[j] : 0.0f;
    }
    free(acc);
    free(wsum);
    return 0;
}

void dsp_spec_power(const NCComplex *spec, float *power, int n)
{
    for (int i = 0; i < n; i++)
        power[i] = spec[i].re * spec[i].re + spec[i].im * spec[i].im;
}

void dsp_spec_magnitude(const NCComplex *spec, float *mag, int n)
{
    for (int i = 0; i < n; i++)
        mag[i] = sqrtf(spec[i].re * spec[i].re + spec[i].im * spec[i].im);
}
