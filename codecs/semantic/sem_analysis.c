/* The log-mel analysis and its way back to FFT bins (semantic.h). */
#include <math.h>
#include <string.h>

#include "codecs/semantic/semantic.h"
#include "libnc/dsp/stft.h"
#include "libnc/dsp/window.h"
#include "libnc/nn/det_math.h"
#include "nc/error.h"

int sem_analysis_init(SemAnalysis *a)
{
    memset(a, 0, sizeof(*a));
    int ret = dsp_fft_real_alloc(&a->fft, SEM_NFFT);
    if (ret >= 0)
        ret = dsp_window_fill(a->window, SEM_NFFT, NC_WINDOW_HANN, 1);
    /* HTK scale, triangles of peak 1: every band is wider than one bin at 1024
     * points, and the triangles sum to 1 between band centres (sem_bin_map). */
    if (ret >= 0)
        ret = dsp_mel_bank_alloc(&a->bank, SEM_RATE, SEM_NFFT, SEM_MELS, 0.0f, SEM_RATE / 2.0f,
                                NC_MEL_HTK, 0);
    for (int m = 0; m < SEM_MELS && ret >= 0; m++) {
        double sum = 0.0;
        for (int j = 0; j < a->bank->count[m]; j++) sum += a->bank->weights[a->bank->offset[m] + j];
        if (sum <= 0.0)
            ret = NC_EINVAL;
        else
            a->inv_width[m] = (float)(1.0 / sum);
    }
    if (ret < 0)
        sem_analysis_free(a);
    return ret;
}

void sem_analysis_free(SemAnalysis *a)
{
    dsp_fft_free(&a->fft);
    dsp_mel_bank_free(&a->bank);
}

void sem_analyze(SemAnalysis *a, const float *x, int frames, float *feat)
{
    float mel[SEM_MELS];
    for (int f = 0; f < frames; f++) {
        const float *in = x + (size_t)f * SEM_HOP;
        for (int t = 0; t < SEM_NFFT; t++) a->frame[t] = in[t] * a->window[t];
        dsp_fft_real_forward(a->fft, a->frame, a->spec);
        dsp_spec_magnitude(a->spec, a->mag, SEM_BINS);
        dsp_mel_bank_apply(a->bank, a->mag, mel);
        for (int m = 0; m < SEM_MELS; m++)
            feat[(size_t)f * SEM_MELS + m] = logf(mel[m] * a->inv_width[m] + SEM_LOG_FLOOR);
    }
}

float sem_block_split(const float *feat, float *shape)
{
    double sum = 0.0;
    for (int i = 0; i < SEM_DIM; i++) sum += feat[i];
    float gain = (float)(sum / SEM_DIM);
    for (int i = 0; i < SEM_DIM; i++) shape[i] = feat[i] - gain;
    return gain;
}

int sem_gain_index(float g, int prev)
{
    long q = lrintf(g / SEM_GAIN_STEP) + SEM_GAIN_OFFSET;
    q = q < 0 ? 0 : q > SEM_GAIN_LEVELS - 1 ? SEM_GAIN_LEVELS - 1 : q;
    if (prev >= 0)
        q = q < prev - SEM_GAIN_DELTA ? prev - SEM_GAIN_DELTA : q > prev + SEM_GAIN_DELTA ? prev + SEM_GAIN_DELTA : q;
    return (int)q;
}

int sem_bin_map(SemBinMap *map)
{
    /* Band centres in bins (HTK mel: 2595 log10(1 + f / 700)), in float with
     * det_math's log and exp so that the decoder's map is the same everywhere;
     * between two centres a bin interpolates linearly, below the first and above
     * the last it takes the edge band. */
    const float per_log = 2595.0f / 2.302585093f; /* mel per natural log unit */
    float top = per_log * nn_det_log(1.0f + (SEM_RATE / 2.0f) / 700.0f), centre[SEM_MELS];
    for (int m = 0; m < SEM_MELS; m++) {
        float mel = top * (float)(m + 1) / (float)(SEM_MELS + 1);
        centre[m] = 700.0f * (nn_det_exp(mel / per_log) - 1.0f) * SEM_NFFT / SEM_RATE;
    }
    int m = 0;
    for (int k = 0; k < SEM_BINS; k++) {
        while (m < SEM_MELS && centre[m] <= (float)k) m++;
        if (m == 0) {
            map->band[k] = 0;
            map->w[k][0] = 1.0f;
            map->w[k][1] = 0.0f;
        } else if (m == SEM_MELS) {
            map->band[k] = SEM_MELS - 2;
            map->w[k][0] = 0.0f;
            map->w[k][1] = 1.0f;
        } else {
            float t = ((float)k - centre[m - 1]) / (centre[m] - centre[m - 1]);
            map->band[k] = m - 1;
            map->w[k][0] = 1.0f - t;
            map->w[k][1] = t;
        }
    }
    return 0;
}
