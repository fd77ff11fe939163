/* Spectral-domain audio distances (lower is better, 0 for identical signals).
 * Signals are time-aligned, same length, same rate, nominally in [-1, 1]. Each
 * returns 0 and writes *out, NC_EINVAL (n == 0, bad rate) or NC_ENOMEM. */
#ifndef NC_METRIC_SPECTRAL_H
#define NC_METRIC_SPECTRAL_H

#include <stddef.h>

/* Log-spectral distance: mean over frames of
 * sqrt(mean over bins of (log10(P_ref + 1e-8) - log10(P_deg + 1e-8))^2), P = |STFT|^2
 * with a 2048-point Hann STFT, hop 512 (dsp_stft conventions). Units: log10 power
 * (bels), as audio super-resolution papers report it. */
int metric_lsd(const float *ref, const float *deg, size_t n, double *out);

/* Multi-resolution mel distance, the log term of DAC's mel loss: for (n_fft, n_mels)
 * in {(2048, 150), (512, 80)}, hop n_fft / 4, Hann, Slaney mel filters with area
 * normalization (0 .. sample_rate / 2) on STFT magnitudes M, the mean absolute
 * difference of log10(max(M, 1e-5)^2); summed over the two resolutions. */
int metric_mel_distance(const float *ref, const float *deg, size_t n, int sample_rate,
                           double *out);

/* Mel-cepstral distortion in dB, (10 / ln 10) sqrt(2 sum_{d=1..12} (c_d - c'_d)^2)
 * averaged over frames, c = orthonormal DCT-II of the natural log of mel amplitude
 * (40 HTK filters, 0 .. sample_rate / 2) from a 25 ms Hann window, hop 10 ms. c_0
 * (level) is left out; frames where the reference is 60 dB below its loudest frame
 * are skipped; mel powers are floored 80 dB below the reference's loudest band. No time warping: for codec output, which is aligned. */
int metric_mcd(const float *ref, const float *deg, size_t n, int sample_rate, double *out);

#endif
