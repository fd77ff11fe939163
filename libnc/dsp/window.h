/* Analysis/synthesis windows, built in double precision and rounded once. */
#ifndef NC_DSP_WINDOW_H
#define NC_DSP_WINDOW_H

enum NCWindowType {
    NC_WINDOW_RECT = 0,
    NC_WINDOW_HANN = 1,     /* 0.5 - 0.5 cos(2 pi t / N) */
    NC_WINDOW_HAMMING = 2,  /* 0.54 - 0.46 cos(2 pi t / N) */
    NC_WINDOW_SQRT_HANN = 3 /* sqrt of Hann: analysis x synthesis = Hann (perfect OLA at hop N/4, N/2) */
};

/* Fills w[n]. periodic != 0 uses N = n (the DFT-even window torch.hann_window and
 * STFTs use); periodic == 0 uses N = n - 1 (symmetric, as in filter design and
 * STOI). Returns 0 or NC_EINVAL. */
int dsp_window_fill(float *w, int n, enum NCWindowType type, int periodic);

#endif
