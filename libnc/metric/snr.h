/* Waveform-domain audio quality: SNR and scale-invariant SDR, in dB.
 * Both are +INFINITY when the error is exactly zero and NaN when undefined
 * (n == 0, or a silent reference). Sums run in double, in sample order. */
#ifndef NC_METRIC_SNR_H
#define NC_METRIC_SNR_H

#include <stddef.h>

/* 10 log10(sum ref^2 / sum (ref - deg)^2). */
double metric_snr(const float *ref, const float *deg, size_t n);

/* SI-SDR (Le Roux et al., 2019), with both signals made zero-mean first:
 * target = (<deg, ref> / <ref, ref>) ref, 10 log10(|target|^2 / |deg - target|^2).
 * Unchanged by scaling deg; equal to SNR when deg = ref + noise orthogonal to ref. */
double metric_si_sdr(const float *ref, const float *deg, size_t n);

#endif
