/* Tokens' log-mel frames to samples (sem_synth.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/semantic/sem_synth.h"
#include "libnc/nn/det_math.h"
#include "nc/error.h"

#define FGLA_ALPHA 0.99f

int sem_synth_init(SemSynth *s, int max_frames, int iters)
{
    memset(s, 0, sizeof(*s));
    s->iters = iters;
    s->skip = SEM_DELAY;
    const int frames = SEM_CONTEXT_FRAMES + max_frames;
    const size_t span = (size_t)(frames - 1) * SEM_HOP + SEM_NFFT;
    sem_fft_init(&s->fft);
    /* periodic Hann, and each bin's phase step over a hop, from the FFT's table */
    for (int t = 0; t < SEM_NFFT; t++) s->window[t] = 0.5f - 0.5f * sem_fft_cos(&s->fft, t);
    for (int k = 0; k < SEM_BINS; k++) {
        s->advance[k] = s->fft.w[k * SEM_HOP % SEM_NFFT];
        s->advance[k].im = -s->advance[k].im; /* e^{+i 2 pi k hop / nfft} */
    }
    int ret = sem_bin_map(&s->map);
    s->X = malloc(sizeof(NCComplex) * (size_t)frames * SEM_BINS);
    s->Yprev = malloc(sizeof(NCComplex) * (size_t)max_frames * SEM_BINS);
    s->mag = malloc(sizeof(float) * (size_t)max_frames * SEM_BINS);
    s->base = malloc(sizeof(float) * span);
    s->x = malloc(sizeof(float) * span);
    s->norm = malloc(sizeof(float) * span);
    s->frame = malloc(sizeof(float) * SEM_NFFT);
    s->spec = malloc(sizeof(NCComplex) * SEM_BINS);
    if (ret >= 0 && (!s->X || !s->Yprev || !s->mag || !s->base || !s->x || !s->norm ||
                     !s->frame || !s->spec))
        ret = NC_ENOMEM;
    if (ret < 0)
        sem_synth_free(s);
    return ret;
}

void sem_synth_free(SemSynth *s)
{
    free(s->X);
    free(s->Yprev);
    free(s->mag);
    free(s->base);
    free(s->x);
    free(s->norm);
    free(s->frame);
    free(s->spec);
    memset(s, 0, sizeof(*s));
}

void sem_synth_reset(SemSynth *s)
{
    s->ctx = 0;
    s->skip = SEM_DELAY;
}

/* Band means (log) -> bin magnitudes. */
static void bins_from_mel(const SemBinMap *map, const float *feat, float *mag)
{
    float band[SEM_MELS];
    for (int m = 0; m < SEM_MELS; m++) band[m] = fmaxf(nn_det_exp(feat[m]) - SEM_LOG_FLOOR, 0.0f);
    for (int k = 0; k < SEM_BINS; k++) {
        int b = map->band[k];
        mag[k] = map->w[k][0] * band[b] + map->w[k][1] * band[b + 1];
    }
}

/* Adds frame spec's windowed inverse FFT into y (the frame's first sample). */
static void overlap_add(SemSynth *s, const NCComplex *spec, float *y)
{
    sem_fft_inverse(&s->fft, spec, s->frame);
    for (int t = 0; t < SEM_NFFT; t++) y[t] += s->window[t] * s->frame[t];
}

/* X = mag * T / |T| (T's phase; zero phase where T vanishes). */
static void set_magnitude(const float *mag, const NCComplex *T, NCComplex *X)
{
    for (int k = 0; k < SEM_BINS; k++) {
        float r = sqrtf(T[k].re * T[k].re + T[k].im * T[k].im);
        if (r > 0.0f) {
            X[k].re = mag[k] * T[k].re / r;
            X[k].im = mag[k] * T[k].im / r;
        } else {
            X[k].re = mag[k];
            X[k].im = 0.0f;
        }
    }
}

int sem_synth_frames(SemSynth *s, const float *feat, int frames, float *out)
{
    const int c = s->ctx, total = c + frames;
    const size_t span = (size_t)(total - 1) * SEM_HOP + SEM_NFFT;
    NCComplex *Xn = s->X + (size_t)c * SEM_BINS; /* the new frames */
    for (int f = 0; f < frames; f++) {
        float *mag = s->mag + (size_t)f * SEM_BINS;
        bins_from_mel(&s->map, feat + (size_t)f * SEM_MELS, mag);
        /* start from the previous frame's phase advanced by each bin's frequency */
        const NCComplex *prev = c + f > 0 ? s->X + (size_t)(c + f - 1) * SEM_BINS : s->advance;
        NCComplex *x = Xn + (size_t)f * SEM_BINS;
        set_magnitude(mag, prev, x);
        for (int k = 0; k < SEM_BINS; k++) { /* rotate by the bin's advance */
            const NCComplex a = s->advance[k], v = x[k];
            x[k].re = v.re * a.re - v.im * a.im;
            x[k].im = v.re * a.im + v.im * a.re;
        }
    }
    /* the held frames' part of the signal and every frame's window energy */
    memset(s->base, 0, sizeof(float) * span);
    memset(s->norm, 0, sizeof(float) * span);
    for (int f = 0; f < total; f++)
        for (int t = 0; t < SEM_NFFT; t++)
            s->norm[(size_t)f * SEM_HOP + t] += s->window[t] * s->window[t];
    for (int f = 0; f < c; f++) overlap_add(s, s->X + (size_t)f * SEM_BINS, s->base + (size_t)f * SEM_HOP);
    for (int it = 0; it <= s->iters; it++) {
        memcpy(s->x, s->base, sizeof(float) * span);
        for (int f = 0; f < frames; f++)
            overlap_add(s, Xn + (size_t)f * SEM_BINS, s->x + (size_t)(c + f) * SEM_HOP);
        for (size_t t = 0; t < span; t++) s->x[t] = s->norm[t] > 1e-6f ? s->x[t] / s->norm[t] : 0.0f;
        if (it == s->iters)
            break;
        for (int f = 0; f < frames; f++) {
            const float *x = s->x + (size_t)(c + f) * SEM_HOP;
            for (int t = 0; t < SEM_NFFT; t++) s->frame[t] = x[t] * s->window[t];
            sem_fft_forward(&s->fft, s->frame, s->spec);
            NCComplex *yp = s->Yprev + (size_t)f * SEM_BINS;
            if (it > 0)
                for (int k = 0; k < SEM_BINS; k++) {
                    NCComplex y = s->spec[k];
                    s->spec[k].re = y.re + FGLA_ALPHA * (y.re - yp[k].re);
                    s->spec[k].im = y.im + FGLA_ALPHA * (y.im - yp[k].im);
                    yp[k] = y;
                }
            else
                memcpy(yp, s->spec, sizeof(NCComplex) * SEM_BINS);
            set_magnitude(s->mag + (size_t)f * SEM_BINS, s->spec, Xn + (size_t)f * SEM_BINS);
        }
    }
    /* final: from the first new frame's start to the next frame's start */
    int n = frames * SEM_HOP, from = c * SEM_HOP;
    int skip = s->skip < n ? s->skip : n; /* samples before time 0 */
    s->skip -= skip;
    from += skip;
    n -= skip;
    memcpy(out, s->x + from, sizeof(float) * (size_t)n);
    /* hold the last frames for the next call */
    int keep = total < SEM_CONTEXT_FRAMES ? total : SEM_CONTEXT_FRAMES;
    memmove(s->X, s->X + (size_t)(total - keep) * SEM_BINS, sizeof(NCComplex) * (size_t)keep * SEM_BINS);
    s->ctx = keep;
    return n;
}
