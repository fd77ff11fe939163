#include "libnc/dsp/bands.h"

#include <math.h>
#include <stdlib.h>

#include "nc/error.h"

void dsp_third_octave_free(NCOctaveBands **bands)
{
    if (!bands || !*bands)
        return;
    free((*bands)->lo);
    free((*bands)->hi);
    free((*bands)->center_hz);
    free(*bands);
    *bands = NULL;
}

/* The bin nearest to hz; the lower one on a tie, as argmin does. */
static int nearest_bin(double hz, int sample_rate, int n_fft, int bins)
{
    int k = (int)floor(hz * n_fft / sample_rate);
    if (k < 0)
        k = 0;
    if (k + 1 < bins) {
        double d0 = hz - (double)k * sample_rate / n_fft;
        double d1 = (double)(k + 1) * sample_rate / n_fft - hz;
        if (d1 < d0)
            k++;
    }
    return k < bins ? k : bins - 1;
}

int dsp_third_octave_alloc(NCOctaveBands **out, int sample_rate, int n_fft, int n_bands,
                          float min_freq)
{
    NCOctaveBands *b;
    int bins = n_fft / 2 + 1;
    *out = NULL;
    if (sample_rate < 1 || n_fft < 2 || n_fft > (1 << 24) || n_bands < 1 || n_bands > 64 ||
        !(min_freq > 0.0f) ||
        min_freq * pow(2.0, (2.0 * n_bands - 1.0) / 6.0) > sample_rate / 2.0)
        return NC_EINVAL;
    b = calloc(1, sizeof(*b));
    if (!b)
        return NC_ENOMEM;
    b->n_bands = n_bands;
    b->bins = bins;
    b->lo = malloc((size_t)n_bands * sizeof(int));
    b->hi = malloc((size_t)n_bands * sizeof(int));
    b->center_hz = malloc((size_t)n_bands * sizeof(float));
    if (!b->lo || !b->hi || !b->center_hz) {
        dsp_third_octave_free(&b);
        return NC_ENOMEM;
    }
    for (int j = 0; j < n_bands; j++) {
        b->center_hz[j] = (float)(min_freq * pow(2.0, j / 3.0));
        b->lo[j] = nearest_bin(min_freq * pow(2.0, (2.0 * j - 1.0) / 6.0), sample_rate, n_fft,
                               bins);
        b->hi[j] = nearest_bin(min_freq * pow(2.0, (2.0 * j + 1.0) / 6.0), sample_rate, n_fft,
                               bins);
    }
    *out = b;
    return 0;
}

void dsp_third_octave_apply(const NCOctaveBands *b, const float *power, float *out)
{
    for (int j = 0; j < b->n_bands; j++) {
        double acc = 0.0;
        for (int k = b->lo[j]; k < b->hi[j]; k++)
            acc += power[k];
        out[j] = (float)sqrt(acc);
    }
}
