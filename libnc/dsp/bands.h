/* One-third octave bands over the bins of a real FFT, as STOI defines them: band j
 * has centre min_freq * 2^(j/3) and edges at centre * 2^(-1/6) and 2^(1/6); each
 * edge snaps to the nearest FFT bin and a band takes the bins [lo, hi). */
#ifndef NC_DSP_BANDS_H
#define NC_DSP_BANDS_H

typedef struct NCOctaveBands {
    int n_bands;
    int bins; /* n_fft / 2 + 1 */
    int *lo;  /* first bin of band j */
    int *hi;  /* one past the last bin of band j */
    float *center_hz;
} NCOctaveBands;

/* Returns 0, NC_EINVAL (band beyond Nyquist, bad sizes) or NC_ENOMEM. */
int dsp_third_octave_alloc(NCOctaveBands **bands, int sample_rate, int n_fft, int n_bands,
                          float min_freq);
void dsp_third_octave_free(NCOctaveBands **bands);

/* out[j] = sqrt(sum over the band's bins of power[k]): band amplitude. */
void dsp_third_octave_apply(const NCOctaveBands *bands, const float *power, float *out);

#endif
