/* DCT-II with orthonormal scaling (as scipy.fft.dct(norm="ortho")), direct O(n^2):
 * it is used on short vectors (mel bands -> cepstra). */
#ifndef NC_DSP_DCT_H
#define NC_DSP_DCT_H

/* out[k] = s_k sum_t in[t] cos(pi k (2t + 1) / (2n)), s_0 = sqrt(1/n), else sqrt(2/n).
 * n_out <= n coefficients. in != out. */
void dsp_dct2_ortho(const float *in, int n, float *out, int n_out);

#endif
