/* Short-time objective intelligibility, from the published definitions:
 * STOI (Taal et al., IEEE TASLP 2011) and extended STOI (Jensen & Taal, IEEE
 * TASLP 2016). Signals are resampled to 10 kHz; 256-sample Hann frames (hop 128,
 * 512-point FFT); 15 one-third octave bands from 150 Hz; frames more than 40 dB
 * below the reference's loudest are dropped from both signals first; 30-frame
 * (384 ms) segments; STOI clips the normalized degraded envelope at -15 dB SDR.
 * 1.0 for identical signals; about 0.4 and lower for unintelligible ones. */
#ifndef NC_METRIC_STOI_H
#define NC_METRIC_STOI_H

#include <stddef.h>

/* extended == 0: STOI; != 0: ESTOI. Returns 0 with *out set, NC_EINVAL (bad rate,
 * or fewer than 30 non-silent frames: about 0.4 s of speech) or NC_ENOMEM. */
int metric_stoi(const float *ref, const float *deg, size_t n, int sample_rate,
                   int extended, double *out);

#endif
