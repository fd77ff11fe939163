/* Short-time Fourier transform and its inverse, with the conventions of
 * torch.stft / torch.istft (center=True, reflect padding, onesided, no
 * normalization), so models trained elsewhere and reference values from PyTorch
 * line up:
 *
 *   frames  = 1 + nb_samples / hop                     (integer division)
 *   frame f covers padded samples [f * hop, f * hop + n_fft), where the signal is
 *           reflect-padded by n_fft / 2 on both sides (zero-padded where the
 *           signal is shorter than n_fft / 2 + 1)
 *   spec    frames x bins complex, frame-major: spec[f * bins + k], bins = n_fft/2+1
 *   window  win_length samples centred in n_fft (zeros around it)
 *
 * The inverse is weighted overlap-add divided by the summed squared window, which
 * is exact for any hop at which the squared window sums to a non-zero value.
 *
 * An NCSTFT holds scratch memory: one per thread. */
#ifndef NC_DSP_STFT_H
#define NC_DSP_STFT_H

#include "libnc/dsp/fft.h"
#include "libnc/dsp/window.h"

typedef struct NCSTFT {
    int n_fft;
    int hop;
    int win_length;
    int bins;      /* n_fft / 2 + 1 */
    float *window; /* n_fft floats, win_length of them non-zero */
    NCFFT *fft;
    float *frame;  /* n_fft scratch */
} NCSTFT;

/* n_fft even >= 2, 1 <= hop, 1 <= win_length <= n_fft; window periodic.
 * Returns 0, NC_EINVAL or NC_ENOMEM. */
int dsp_stft_alloc(NCSTFT **stft, int n_fft, int hop, int win_length,
                  enum NCWindowType window);
void dsp_stft_free(NCSTFT **stft);

/* Number of frames for a signal of nb_samples (>= 1). */
int dsp_stft_frames(const NCSTFT *stft, int nb_samples);

/* x[nb_samples] -> spec[frames * bins]. Returns the number of frames or NC_EINVAL. */
int dsp_stft_forward(NCSTFT *stft, const float *x, int nb_samples, NCComplex *spec);

/* spec[frames * bins] -> y[nb_samples], where nb_samples is the length the
 * forward transform saw (any length with the same frame count works). Returns 0,
 * NC_EINVAL, or NC_ENOMEM. */
int dsp_stft_inverse(NCSTFT *stft, const NCComplex *spec, int frames, float *y,
                    int nb_samples);

/* |spec|^2 and |spec| over n bins. */
void dsp_spec_power(const NCComplex *spec, float *power, int n);
void dsp_spec_magnitude(const NCComplex *spec, float *mag, int n);

#endif
