/* Time alignment of a decoded signal with its reference: codecs delay their
 * output (look-ahead, filter banks, resampling) and parametric codecs do not keep
 * the waveform, so the lag is found in two steps: coarsely on amplitude
 * envelopes (1 ms steps), then to the sample on the waveform near that lag. */
#ifndef NC_METRIC_ALIGN_H
#define NC_METRIC_ALIGN_H

#include <stddef.h>

/* The lag L in [-max_lag, max_lag] samples at which deg[t + L] best matches
 * ref[t], written to *lag. sample_rate sets the envelope step. Returns 0,
 * NC_EINVAL or NC_ENOMEM. */
int metric_find_delay(const float *ref, size_t n_ref, const float *deg, size_t n_deg,
                         int sample_rate, int max_lag, int *lag);

#endif
