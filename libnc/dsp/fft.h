/* Real and complex FFTs of any size (kissfft underneath; sizes with small prime
 * factors are fastest). Unnormalized forward transform; the inverse includes the
 * 1/n factor, so inverse(forward(x)) == x.
 *
 * An NCFFT holds scratch memory: use one per thread. kissfft builds its twiddles
 * with libm's cos/sin, so results are exact to float rounding but not bit-identical
 * across libm versions: use it on the reconstruction and measurement paths, never
 * to decide entropy-coder probabilities. */
#ifndef NC_DSP_FFT_H
#define NC_DSP_FFT_H

/* Same layout as kiss_fft_cpx, so arrays pass straight through. */
typedef struct NCComplex {
    float re, im;
} NCComplex;

typedef struct NCFFT NCFFT;

/* A real FFT of size n (n even, 2 <= n <= 1 << 24): n floats <-> n/2 + 1 bins.
 * Returns 0, NC_EINVAL or NC_ENOMEM. */
int dsp_fft_real_alloc(NCFFT **fft, int n);
/* A complex FFT of size n (1 <= n <= 1 << 24). */
int dsp_fft_complex_alloc(NCFFT **fft, int n);
/* Frees *fft and sets it to NULL; NULL is a no-op. */
void dsp_fft_free(NCFFT **fft);
int dsp_fft_size(const NCFFT *fft);

/* Real FFT: in[n] -> out[n/2 + 1]. out[k] = sum_t in[t] e^{-2 pi i k t / n}. */
void dsp_fft_real_forward(NCFFT *fft, const float *in, NCComplex *out);
/* Inverse real FFT: in[n/2 + 1] -> out[n], scaled by 1/n. The imaginary parts of
 * in[0] and in[n/2] are ignored. */
void dsp_fft_real_inverse(NCFFT *fft, const NCComplex *in, float *out);

/* Complex FFT: in[n] -> out[n] (in != out). */
void dsp_fft_complex_forward(NCFFT *fft, const NCComplex *in, NCComplex *out);
/* Inverse complex FFT, scaled by 1/n. */
void dsp_fft_complex_inverse(NCFFT *fft, const NCComplex *in, NCComplex *out);

#endif
