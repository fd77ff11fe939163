/* The decoder's 1024-point real FFT, bit-exact everywhere: its twiddles and window
 * come from IEEE double +, *, / and sqrt only (no libm), and its butterflies run
 * in a fixed order, so with the project's -ffp-contract=off the decoded samples
 * are the same on every compiler, level and CPU (kissfft's twiddles come from
 * libm's cos/sin, and Griffin-Lim turns their last-bit differences into audible
 * ones: 47 dB SNR between x86-64 and aarch64). */
#ifndef NC_CODECS_SEMANTIC_FFT_H
#define NC_CODECS_SEMANTIC_FFT_H

#include "libnc/dsp/fft.h"

#define SEM_FFT_N 1024

typedef struct SemFFT {
    NCComplex w[SEM_FFT_N];      /* e^{-2 pi i k / N} */
    int rev[SEM_FFT_N / 2];      /* bit reversal of 9 bits */
    NCComplex z[SEM_FFT_N / 2];  /* scratch */
} SemFFT;

void sem_fft_init(SemFFT *f);
/* cos(2 pi k / N), the same value the twiddles use. */
float sem_fft_cos(const SemFFT *f, int k);
/* in[N] -> out[N/2 + 1], unnormalized (as dsp_fft_real_forward). */
void sem_fft_forward(SemFFT *f, const float *in, NCComplex *out);
/* in[N/2 + 1] -> out[N], scaled by 1/N; the imaginary parts of in[0] and in[N/2]
 * are ignored (as dsp_fft_real_inverse). */
void sem_fft_inverse(SemFFT *f, const NCComplex *in, float *out);

#endif
