#include "libnc/metric/stoi.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "libnc/dsp/bands.h"
#include "libnc/dsp/fft.h"
#include "libnc/dsp/resample.h"
#include "nc/error.h"

#define FS 10000
#define FRAME 256
#define HOP (FRAME / 2)
#define NFFT 512
#define BANDS 15
#define MIN_FREQ 150.0f
#define SEGMENT 30
#define BETA_DB (-15.0)
#define DYN_RANGE_DB 40.0
#define EPS DBL_EPSILON

/* The window of the published code: hanning(FRAME + 2) without its zero ends. */
static void stoi_window(double *w)
{
    const double pi = 3.14159265358979323846;
    for (int i = 0; i < FRAME; i++)
        w[i] = 0.5 - 0.5 * cos(2.0 * pi * (i + 1) / (FRAME + 1));
}

/* Drops frames of both signals where the reference is more than 40 dB below its
 * loudest frame, and overlap-adds the kept (windowed) frames back into x and y.
 * Returns the new length. */
static size_t remove_silence(float *x, float *y, size_t n, const double *w, float *xs,
                             float *ys)
{
    size_t frames = n > FRAME ? (n - FRAME - 1) / HOP + 1 : 0, kept = 0, len;
    double *energy = malloc((frames ? frames : 1) * sizeof(*energy)), loudest = -INFINITY;
    if (!energy)
        return (size_t)-1;
    for (size_t f = 0; f < frames; f++) {
        double acc = 0.0;
        for (int i = 0; i < FRAME; i++) {
            double v = w[i] * x[f * HOP + (size_t)i];
            acc += v * v;
        }
        energy[f] = 20.0 * log10(sqrt(acc) + EPS);
        loudest = fmax(loudest, energy[f]);
    }
    for (size_t f = 0; f < frames; f++)
        if (loudest - DYN_RANGE_DB - energy[f] < 0.0)
            kept++;
    len = kept ? (kept - 1) * HOP + FRAME : 0;
    memset(xs, 0, len * sizeof(*xs));
    memset(ys, 0, len * sizeof(*ys));
    for (size_t f = 0, k = 0; f < frames; f++) {
        if (!(loudest - DYN_RANGE_DB - energy[f] < 0.0))
            continue;
        for (int i = 0; i < FRAME; i++) {
            xs[k * HOP + (size_t)i] += (float)(w[i] * x[f * HOP + (size_t)i]);
            ys[k * HOP + (size_t)i] += (float)(w[i] * y[f * HOP + (size_t)i]);
        }
        k++;
    }
    free(energy);
    return len;
}

/* Third-octave band envelopes: out[band * frames + frame]. */
static void envelopes(const float *x, const double *w, const NCOctaveBands *bands, NCFFT *fft,
                      double *out, size_t frames)
{
    float frame[NFFT], power[NFFT / 2 + 1], band[BANDS];
    NCComplex spec[NFFT / 2 + 1];
    for (size_t f = 0; f < frames; f++) {
        for (int i = 0; i < NFFT; i++)
            frame[i] = i < FRAME ? (float)(w[i] * x[f * HOP + (size_t)i]) : 0.0f;
        dsp_fft_real_forward(fft, frame, spec);
        for (int k = 0; k <= NFFT / 2; k++)
            power[k] = spec[k].re * spec[k].re + spec[k].im * spec[k].im;
        dsp_third_octave_apply(bands, power, band);
        for (int j = 0; j < BANDS; j++)
            out[(size_t)j * frames + f] = band[j];
    }
}

/* Makes v[0..n) (stride s) zero-mean and unit-norm. */
static void normalize(double *v, int n, int s)
{
    double mean = 0.0, norm = 0.0;
    for (int i = 0; i < n; i++)
        mean += v[i * s];
    mean /= n;
    for (int i = 0; i < n; i++) {
        v[i * s] -= mean;
        norm += v[i * s] * v[i * s];
    }
    norm = sqrt(norm) + EPS;
    for (int i = 0; i < n; i++)
        v[i * s] /= norm;
}

/* STOI's intermediate measure of one segment: the mean over bands of the
 * correlation between reference and normalized, clipped degraded envelopes. */
static double segment_stoi(double xs[BANDS][SEGMENT], double ys[BANDS][SEGMENT])
{
    const double clip = 1.0 + pow(10.0, -BETA_DB / 20.0);
    double sum = 0.0;
    for (int j = 0; j < BANDS; j++) {
        double nx = 0.0, ny = 0.0, gain, acc = 0.0;
        for (int t = 0; t < SEGMENT; t++) {
            nx += xs[j][t] * xs[j][t];
            ny += ys[j][t] * ys[j][t];
        }
        gain = sqrt(nx) / (sqrt(ny) + EPS);
        for (int t = 0; t < SEGMENT; t++)
            ys[j][t] = fmin(ys[j][t] * gain, xs[j][t] * clip);
        normalize(xs[j], SEGMENT, 1);
        normalize(ys[j], SEGMENT, 1);
        for (int t = 0; t < SEGMENT; t++)
            acc += xs[j][t] * ys[j][t];
        sum += acc;
    }
    return sum / BANDS;
}

/* ESTOI's: rows (bands over time) then columns (spectra) made zero-mean and unit
 * norm, and the mean over frames of the spectral correlation. */
static double segment_estoi(double xs[BANDS][SEGMENT], double ys[BANDS][SEGMENT])
{
    double acc = 0.0;
    for (int j = 0; j < BANDS; j++) {
        normalize(xs[j], SEGMENT, 1);
        normalize(ys[j], SEGMENT, 1);
    }
    for (int t = 0; t < SEGMENT; t++) {
        normalize(&xs[0][t], BANDS, SEGMENT);
        normalize(&ys[0][t], BANDS, SEGMENT);
        for (int j = 0; j < BANDS; j++)
            acc += xs[j][t] * ys[j][t];
    }
    return acc / SEGMENT;
}

/* Both signals at 10 kHz in new buffers (*x, *y, length *m). */
static int to_10k(const float *ref, const float *deg, size_t n, int rate, float **x, float **y,
                  size_t *m)
{
    *m = dsp_resample_length(n, rate, FS);
    *x = malloc((*m ? *m : 1) * sizeof(**x));
    *y = malloc((*m ? *m : 1) * sizeof(**y));
    if (!*x || !*y)
        return NC_ENOMEM;
    int err = dsp_resample(ref, n, rate, *x, FS);
    return err ? err : dsp_resample(deg, n, rate, *y, FS);
}

int metric_stoi(const float *ref, const float *deg, size_t n, int sample_rate,
                   int extended, double *out)
{
    float *x = NULL, *y = NULL, *xs = NULL, *ys = NULL;
    double w[FRAME], *ex = NULL, *ey = NULL, sum = 0.0;
    NCOctaveBands *bands = NULL;
    NCFFT *fft = NULL;
    size_t m, len, frames;
    int err;
    if (sample_rate < 1 || sample_rate > 1000000 || n < 1)
        return NC_EINVAL;
    stoi_window(w);
    err = to_10k(ref, deg, n, sample_rate, &x, &y, &m);
    if (err)
        goto end;
    xs = malloc((m ? m : 1) * sizeof(*xs));
    ys = malloc((m ? m : 1) * sizeof(*ys));
    if (!xs || !ys) {
        err = NC_ENOMEM;
        goto end;
    }
    len = remove_silence(x, y, m, w, xs, ys);
    if (len == (size_t)-1) {
        err = NC_ENOMEM;
        goto end;
    }
    frames = len > FRAME ? (len - FRAME - 1) / HOP + 1 : 0;
    if (frames < SEGMENT) {
        err = NC_EINVAL;
        goto end;
    }
    err = dsp_third_octave_alloc(&bands, FS, NFFT, BANDS, MIN_FREQ);
    if (!err)
        err = dsp_fft_real_alloc(&fft, NFFT);
    ex = malloc(BANDS * frames * sizeof(*ex));
    ey = malloc(BANDS * frames * sizeof(*ey));
    if (!err && (!ex || !ey))
        err = NC_ENOMEM;
    if (err)
        goto end;
    envelopes(xs, w, bands, fft, ex, frames);
    envelopes(ys, w, bands, fft, ey, frames);
    for (size_t s = 0; s + SEGMENT <= frames; s++) {
        double sx[BANDS][SEGMENT], sy[BANDS][SEGMENT];
        for (int j = 0; j < BANDS; j++)
            for (int t = 0; t < SEGMENT; t++) {
                sx[j][t] = ex[(size_t)j * frames + s + (size_t)t];
                sy[j][t] = ey[(size_t)j * frames + s + (size_t)t];
            }
        sum += extended ? segment_estoi(sx, sy) : segment_stoi(sx, sy);
    }
    *out = sum / (double)(frames - SEGMENT + 1);
end:
    free(x);
    free(y);
    free(xs);
    free(ys);
    free(ex);
    free(ey);
    dsp_third_octave_free(&bands);
    dsp_fft_free(&fft);
    return err;
}
