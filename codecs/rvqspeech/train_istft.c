/* Differentiable iSTFT head (train_istft.h).
 *
 * Backward: with X_b = M_b e^{i p_b} and y = window * irfft(X) per frame, the
 * adjoint of the inverse real FFT is G = rfft(window * dy) scaled by c_b / n
 * (c_b = 1 for the DC and Nyquist bins, whose imaginary parts are ignored, 2 for
 * the others): dRe = c_b/n Re G_b, dIm = c_b/n Im G_b. Then
 * dm = dRe Re X + dIm Im X (zero where the magnitude is clipped) and
 * dp = -dRe Im X + dIm Re X. */
#include <math.h>
#include <string.h>

#include "codecs/rvqspeech/spectral.h"
#include "codecs/rvqspeech/train_istft.h"
#include "nc/error.h"

static void istft_backward(NNGraph *g, NNNode *n)
{
    NNTensor *x = n->in[0], *y = n->out;
    const int N = x->shape[0], T = x->shape[2], F = NC_RVQ_BINS;
    const int L = y->shape[1];
    float *gx = nn_grad(g, x);
    NCRvqSpectral sp;
    if (!gx || rvq_spectral_init(&sp) < 0) {
        nn_graph_fail(g, NC_ENOMEM, "rvq istft backward", "out of memory");
        return;
    }
    for (int b = 0; b < N; b++)
        for (int t = 0; t < T; t++) {
            const float *dy = y->grad + (int64_t)b * L + (int64_t)t * NC_RVQ_HOP;
            for (int i = 0; i < NC_RVQ_WIN; i++) sp.buf[i] = dy[i] * sp.window[i];
            dsp_fft_real_forward(sp.fft, sp.buf, sp.spec);
            const float *xm = x->data + (int64_t)b * 2 * F * T + t;
            const float *xp = xm + (int64_t)F * T;
            float *gm = gx + (int64_t)b * 2 * F * T + t;
            float *gp = gm + (int64_t)F * T;
            for (int k = 0; k < F; k++) {
                float c = (k == 0 || k == F - 1) ? 1.0f : 2.0f;
                float dre = c / NC_RVQ_WIN * sp.spec[k].re;
                float dim = (k == 0 || k == F - 1) ? 0.0f : c / NC_RVQ_WIN * sp.spec[k].im;
                float m = xm[(int64_t)k * T], p = xp[(int64_t)k * T];
                float mag = expf(m < NC_RVQ_LOGMAG_MAX ? m : NC_RVQ_LOGMAG_MAX);
                float re = mag * cosf(p), im = mag * sinf(p);
                if (m < NC_RVQ_LOGMAG_MAX)
                    gm[(int64_t)k * T] += dre * re + dim * im;
                gp[(int64_t)k * T] += -dre * im + dim * re;
            }
        }
    rvq_spectral_free(&sp);
}

NNTensor *rvq_nn_istft(NNGraph *g, NNTensor *x)
{
    if (!x)
        return NULL;
    if (x->ndim != 3 || x->shape[1] != 2 * NC_RVQ_BINS)
        return nn_graph_fail(g, NC_EINVAL, "rvq istft", "needs [N, 2 * 321, T]");
    const int N = x->shape[0], T = x->shape[2], F = NC_RVQ_BINS;
    const int L = (T + 1) * NC_RVQ_HOP;
    NNTensor *y = nn_zeros(g, 2, (int[]){N, L});
    float *frame = nn_graph_scratch(g, sizeof(float) * NC_RVQ_WIN);
    NCRvqSpectral sp;
    if (!y || !frame)
        return NULL;
    if (rvq_spectral_init(&sp) < 0)
        return nn_graph_fail(g, NC_ENOMEM, "rvq istft", "cannot set up the FFT");
    for (int b = 0; b < N; b++)
        for (int t = 0; t < T; t++) {
            const float *xm = x->data + (int64_t)b * 2 * F * T + t;
            rvq_synthesize(&sp, xm, xm + (int64_t)F * T, T, frame);
            float *dst = y->data + (int64_t)b * L + (int64_t)t * NC_RVQ_HOP;
            for (int i = 0; i < NC_RVQ_WIN; i++) dst[i] += frame[i];
        }
    rvq_spectral_free(&sp);
    nn_record(g, y, istft_backward, &x, 1);
    return y;
}
