/* Sample-rate conversion of a whole signal by a rational factor with a
 * Kaiser-windowed sinc low-pass (24 zero crossings a side,
 * beta 9: about 90 dB stop band; cutoff at 0.92 x the lower Nyquist). For training data, metrics (STOI runs at 10 kHz) and tests;
 * apps convert files with libswresample. */
#ifndef NC_DSP_RESAMPLE_H
#define NC_DSP_RESAMPLE_H

#include <stddef.h>

/* Output length for n input samples: ceil(n * out_rate / in_rate). */
size_t dsp_resample_length(size_t n, int in_rate, int out_rate);

/* in[n] at in_rate -> out[dsp_resample_length(n, ...)] at out_rate. Output sample j
 * sits at time j / out_rate; the signal is taken as zero outside [0, n).
 * Rates 1..1000000. Returns 0, NC_EINVAL or NC_ENOMEM. */
int dsp_resample(const float *in, size_t n, int in_rate, float *out, int out_rate);

#endif
