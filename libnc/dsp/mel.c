#include "libnc/dsp/mel.h"

#include <math.h>
#include <stdlib.h>

#include "nc/error.h"

/* Slaney's scale: linear at 200/3 Hz per mel up to 1 kHz (mel 15), then
 * logarithmic with 27 mels per factor 6.4. */
#define SLANEY_HZ_PER_MEL (200.0 / 3.0)
#define SLANEY_LOG_HZ 1000.0
#define SLANEY_LOG_MEL 15.0
#define SLANEY_LOG_STEP (1.8562979903656263 / 27.0) /* log(6.4) / 27 */

double dsp_hz_to_mel(double hz, enum NCMelScale scale)
{
    if (scale == NC_MEL_HTK)
        return 2595.0 * log10(1.0 + hz / 700.0);
    if (hz < SLANEY_LOG_HZ)
        return hz / SLANEY_HZ_PER_MEL;
    return SLANEY_LOG_MEL + log(hz / SLANEY_LOG_HZ) / SLANEY_LOG_STEP;
}

double dsp_mel_to_hz(double mel, enum NCMelScale scale)
{
    if (scale == NC_MEL_HTK)
        return 700.0 * (pow(10.0, mel / 2595.0) - 1.0);
    if (mel < SLANEY_LOG_MEL)
        return mel * SLANEY_HZ_PER_MEL;
    return SLANEY_LOG_HZ * exp(SLANEY_LOG_STEP * (mel - SLANEY_LOG_MEL));
}

void dsp_mel_bank_free(NCMelBank **bank)
{
    if (!bank || !*bank)
        return;
    free((*bank)->first);
    free((*bank)->count);
    free((*bank)->offset);
    free((*bank)->weights);
    free(*bank);
    *bank = NULL;
}

/* Weight of filter m at frequency f, given the n_mels + 2 corner frequencies. */
static double triangle(const double *corner, int m, double f)
{
    double down = (f - corner[m]) / (corner[m + 1] - corner[m]);
    double up = (corner[m + 2] - f) / (corner[m + 2] - corner[m + 1]);
    double w = down < up ? down : up;
    return w > 0.0 ? w : 0.0;
}

int dsp_mel_bank_alloc(NCMelBank **out, int sample_rate, int n_fft, int n_mels, float fmin,
                      float fmax, enum NCMelScale scale, int area_norm)
{
    NCMelBank *b;
    double *corner, lo, hi;
    int bins = n_fft / 2 + 1, total = 0;
    *out = NULL;
    if (sample_rate < 1 || n_fft < 2 || n_fft > (1 << 24) || n_mels < 1 || n_mels > 4096 ||
        !(fmin >= 0.0f) || !(fmax > fmin) || fmax > sample_rate / 2.0f ||
        (scale != NC_MEL_HTK && scale != NC_MEL_SLANEY))
        return NC_EINVAL;
    b = calloc(1, sizeof(*b));
    corner = malloc((size_t)(n_mels + 2) * sizeof(*corner));
    if (!b || !corner)
        goto nomem;
    b->n_mels = n_mels;
    b->bins = bins;
    b->first = calloc((size_t)n_mels, sizeof(int));
    b->count = calloc((size_t)n_mels, sizeof(int));
    b->offset = calloc((size_t)n_mels, sizeof(int));
    if (!b->first || !b->count || !b->offset)
        goto nomem;
    lo = dsp_hz_to_mel(fmin, scale);
    hi = dsp_hz_to_mel(fmax, scale);
    for (int i = 0; i < n_mels + 2; i++)
        corner[i] = dsp_mel_to_hz(lo + (hi - lo) * i / (n_mels + 1), scale);
    /* Bin k sits at k * (sr / 2) / (bins - 1) Hz, as torchaudio's linspace. */
    for (int m = 0; m < n_mels; m++) {
        int first = -1, last = -2;
        for (int k = 0; k < bins; k++) {
            if (triangle(corner, m, k * (sample_rate / 2.0) / (bins - 1)) > 0.0) {
                if (first < 0)
                    first = k;
                last = k;
            }
        }
        b->first[m] = first < 0 ? 0 : first;
        b->count[m] = last - first + 1 > 0 ? last - first + 1 : 0;
        b->offset[m] = total;
        total += b->count[m];
    }
    b->weights = malloc((size_t)(total > 0 ? total : 1) * sizeof(float));
    if (!b->weights)
        goto nomem;
    for (int m = 0; m < n_mels; m++) {
        double norm = area_norm ? 2.0 / (corner[m + 2] - corner[m]) : 1.0;
        for (int j = 0; j < b->count[m]; j++) {
            int k = b->first[m] + j;
            b->weights[b->offset[m] + j] =
                (float)(norm * triangle(corner, m, k * (sample_rate / 2.0) / (bins - 1)));
        }
    }
    free(corner);
    *out = b;
    return 0;
nomem:
    free(corner);
    dsp_mel_bank_free(&b);
    return NC_ENOMEM;
}

void dsp_mel_bank_apply(const NCMelBank *b, const float *spec, float *mel)
{
    for (int m = 0; m < b->n_mels; m++) {
        const float *w = b->weights + b->offset[m];
        const float *s = spec + b->first[m];
        float acc = 0.0f;
        for (int j = 0; j < b->count[m]; j++)
            acc += w[j] * s[j];
        mel[m] = acc;
    }
}

void dsp_mel_bank_apply_transpose(const NCMelBank *b, const float *mel, float *spec)
{
    for (int k = 0; k < b->bins; k++)
        spec[k] = 0.0f;
    for (int m = 0; m < b->n_mels; m++) {
        const float *w = b->weights + b->offset[m];
        float *s = spec + b->first[m];
        for (int j = 0; j < b->count[m]; j++)
            s[j] += w[j] * mel[m];
    }
}
