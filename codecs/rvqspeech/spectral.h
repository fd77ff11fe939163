/* The fixed spectral ends of the rvqspeech network.
 *
 * Analysis (encoder input): frame k of the signal is the 640 samples
 * [(k-1)*320, (k+1)*320) (causal: it ends where the input so far ends), Hann
 * windowed; its features are 0.1 * log(|X_b|^2 + 1e-5) for the 321 bins b of a
 * 640-point real FFT.
 *
 * Synthesis (decoder output, Vocos-style): the network predicts per frame a log
 * magnitude m_b and a phase p_b per bin; X_b = exp(min(m_b, NC_RVQ_LOGMAG_MAX)) *
 * (cos p_b + i sin p_b), the inverse real FFT (with its 1/640) is Hann windowed
 * and overlap-added at hop 320 (periodic Hann at 50% overlap sums to one). Frame k
 * lands on output samples [(k-1)*320, (k+1)*320), so sample t is final once the
 * frame after it is decoded: 640 samples (40 ms) of algorithmic latency. */
#ifndef NC_RVQSPEECH_SPECTRAL_H
#define NC_RVQSPEECH_SPECTRAL_H

#include "libnc/dsp/fft.h"

#define NC_RVQ_HOP 320
#define NC_RVQ_WIN 640
#define NC_RVQ_BINS (NC_RVQ_WIN / 2 + 1)
#define NC_RVQ_LOGMAG_MAX 10.0f

typedef struct NCRvqSpectral {
    NCFFT *fft;
    float window[NC_RVQ_WIN];
    float buf[NC_RVQ_WIN];
    NCComplex spec[NC_RVQ_BINS];
    float mag[NC_RVQ_BINS], sn[NC_RVQ_BINS], cs[NC_RVQ_BINS]; /* synthesis scratch */
    /* the synthesis spectrum on SIMD lanes with libm's bits, or NULL (polar.h) */
    void (*polar)(const float *logmag, const float *phase, NCComplex *spec, float *mag, float *sn, float *cs, int n);
} NCRvqSpectral;

int rvq_spectral_init(NCRvqSpectral *s);
void rvq_spectral_free(NCRvqSpectral *s);
/* feat[NC_RVQ_BINS] of the NC_RVQ_WIN samples at x. */
void rvq_analyze(NCRvqSpectral *s, const float *x, float *feat);
/* Windowed frame out[NC_RVQ_WIN] from logmag[NC_RVQ_BINS] and phase[NC_RVQ_BINS]
 * (a stride apart in memory: element b at logmag[b * stride]). */
void rvq_synthesize(NCRvqSpectral *s, const float *logmag, const float *phase, int stride,
                       float *out);
/* The spectrum of that frame (windowed, as rvq_analyze's input is) into s->spec:
 * what the encoder compares with the input frame's. */
void rvq_synthesized_spectrum(NCRvqSpectral *s, const float *logmag, const float *phase);

#endif
