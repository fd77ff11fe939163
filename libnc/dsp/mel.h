/* Mel filterbanks: triangular filters over the bins of an n_fft-point real FFT.
 * HTK scale without normalization matches torchaudio.functional.melscale_fbanks'
 * defaults; the Slaney scale with area normalization matches librosa's defaults.
 *
 * The weights are stored sparse (each filter is a run of consecutive bins) and
 * are readable, so nn code can build the gradient (apply_transpose does it). */
#ifndef NC_DSP_MEL_H
#define NC_DSP_MEL_H

enum NCMelScale {
    NC_MEL_HTK = 0,    /* 2595 log10(1 + f / 700) */
    NC_MEL_SLANEY = 1, /* linear below 1 kHz, logarithmic above (Auditory Toolbox) */
};

typedef struct NCMelBank {
    int n_mels;
    int bins;       /* n_fft / 2 + 1 */
    int *first;     /* first bin of filter m */
    int *count;     /* number of bins of filter m (may be 0 for very narrow filters) */
    int *offset;    /* index of filter m's first weight in weights */
    float *weights; /* all filters' weights, concatenated */
} NCMelBank;

/* n_mels filters between fmin and fmax Hz (0 <= fmin < fmax <= sample_rate / 2).
 * area_norm != 0 scales each filter by 2 / (its width in Hz) (Slaney "norm").
 * Returns 0, NC_EINVAL or NC_ENOMEM. */
int dsp_mel_bank_alloc(NCMelBank **bank, int sample_rate, int n_fft, int n_mels,
                      float fmin, float fmax, enum NCMelScale scale, int area_norm);
void dsp_mel_bank_free(NCMelBank **bank);

/* mel[m] = sum_k W[m][k] spec[k], spec has bins values (power or magnitude). */
void dsp_mel_bank_apply(const NCMelBank *bank, const float *spec, float *mel);
/* spec[k] = sum_m W[m][k] mel[m]: the transpose, i.e. the gradient of apply. */
void dsp_mel_bank_apply_transpose(const NCMelBank *bank, const float *mel, float *spec);

double dsp_hz_to_mel(double hz, enum NCMelScale scale);
double dsp_mel_to_hz(double mel, enum NCMelScale scale);

#endif
