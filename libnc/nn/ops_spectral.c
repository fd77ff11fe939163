/* STFT magnitude with its gradient, and the multi-resolution STFT loss built on
 * it. The transform is torch.stft(center=True, pad_mode="reflect", periodic Hann
 * window of n_fft, onesided); the FFTs come from libnc/dsp.
 *
 * Backward: d|X_k| / dX_k = X_k / |X_k|, and the adjoint of a onesided real DFT
 * is dframe[t] = Re(sum_k G_k e^{2 pi i k t / n}), one inverse real FFT with the
 * inner bins doubled; then the window, overlap-add and the reflect padding fold
 * back onto the signal. */
#include <math.h>
#include <string.h>

#include "libnc/dsp/fft.h"
#include "libnc/dsp/mel.h"
#include "libnc/nn/ops.h"
#include "nc/error.h"

typedef struct StftSaved {
    int n, len, n_fft, hop, frames, bins;
    NCComplex *spec; /* n * frames * bins */
} StftSaved;

/* Index into x of padded position i (reflect padding by pad = n_fft / 2). */
static int reflect_index(int i, int pad, int len)
{
    int j = i - pad;
    if (j < 0)
        return -j;
    if (j >= len)
        return 2 * (len - 1) - j;
    return j;
}

static float hann(int t, int n)
{
    return 0.5f - 0.5f * cosf(2.0f * (float)M_PI * (float)t / (float)n);
}

static void stft_backward(NNGraph *g, NNNode *n)
{
    const StftSaved *s = n->aux;
    NNTensor *x = n->in[0], *y = n->out;
    float *gx = nn_grad(g, x);
    float *frame = nn_graph_scratch(g, sizeof(float) * (size_t)s->n_fft);
    NCComplex *h = nn_graph_scratch(g, sizeof(NCComplex) * (size_t)s->bins);
    NCFFT *fft = NULL;
    if (!gx || !frame || !h || dsp_fft_real_alloc(&fft, s->n_fft) < 0) {
        nn_graph_fail(g, NC_ENOMEM, "stft backward", "out of memory");
        return;
    }
    int pad = s->n_fft / 2;
    for (int b = 0; b < s->n; b++)
        for (int f = 0; f < s->frames; f++) {
            int64_t at = ((int64_t)b * s->frames + f) * s->bins;
            for (int k = 0; k < s->bins; k++) {
                NCComplex X = s->spec[at + k];
                float c = y->grad[at + k] / y->data[at + k];
                /* irfft divides by n and doubles nothing: undo both */
                float m = (k == 0 || k == s->bins - 1) ? (float)s->n_fft : 0.5f * (float)s->n_fft;
                h[k].re = c * X.re * m;
                h[k].im = c * X.im * m;
            }
            dsp_fft_real_inverse(fft, h, frame);
            for (int t = 0; t < s->n_fft; t++)
                gx[(int64_t)b * s->len + reflect_index(f * s->hop + t, pad, s->len)] +=
                    hann(t, s->n_fft) * frame[t];
        }
    dsp_fft_free(&fft);
}

NNTensor *nn_stft_magnitude(NNGraph *g, NNTensor *x, int n_fft, int hop, float eps)
{
    if (!x)
        return NULL;
    if (x->ndim != 2 || n_fft < 4 || n_fft % 2 || hop < 1 || x->shape[1] <= n_fft / 2)
        return nn_graph_fail(g, NC_EINVAL, "stft", "needs [N, L] with L > n_fft / 2");
    if (nn_graph_deterministic(g))
        return nn_graph_fail(g, NC_ENOTSUP, "stft", "no deterministic form (kissfft, libm)");
    StftSaved *s = nn_graph_scratch(g, sizeof(*s));
    if (!s)
        return NULL;
    s->n = x->shape[0];
    s->len = x->shape[1];
    s->n_fft = n_fft;
    s->hop = hop;
    s->frames = 1 + s->len / hop;
    s->bins = n_fft / 2 + 1;
    NNTensor *y = nn_tensor3(g, s->n, s->frames, s->bins);
    s->spec = nn_graph_scratch(g, sizeof(NCComplex) * (size_t)y->numel);
    float *frame = nn_graph_scratch(g, sizeof(float) * (size_t)n_fft);
    NCFFT *fft = NULL;
    if (!y || !s->spec || !frame)
        return NULL;
    if (dsp_fft_real_alloc(&fft, n_fft) < 0)
        return nn_graph_fail(g, NC_ENOMEM, "stft", "cannot set up the FFT");
    int pad = n_fft / 2;
    for (int b = 0; b < s->n; b++)
        for (int f = 0; f < s->frames; f++) {
            const float *xr = x->data + (int64_t)b * s->len;
            for (int t = 0; t < n_fft; t++)
                frame[t] = hann(t, n_fft) * xr[reflect_index(f * hop + t, pad, s->len)];
            int64_t at = ((int64_t)b * s->frames + f) * s->bins;
            dsp_fft_real_forward(fft, frame, s->spec + at);
            for (int k = 0; k < s->bins; k++) {
                NCComplex X = s->spec[at + k];
                y->data[at + k] = sqrtf(X.re * X.re + X.im * X.im + eps);
            }
        }
    dsp_fft_free(&fft);
    NNNode *n = nn_record(g, y, stft_backward, &x, 1);
    if (n)
        n->aux = s;
    return y;
}

typedef struct IstftSaved {
    int n, frames, n_fft, hop, length, bins;
    float *env; /* summed squared window over the padded signal */
} IstftSaved;

/* Output sample j sits at padded position j + n_fft / 2. */
static void istft_backward(NNGraph *g, NNNode *n)
{
    const IstftSaved *s = n->aux;
    NNTensor *re = n->in[0], *im = n->in[1], *y = n->out;
    float *gre = re->requires_grad ? nn_grad(g, re) : NULL;
    float *gim = im->requires_grad ? nn_grad(g, im) : NULL;
    float *frame = nn_graph_scratch(g, sizeof(float) * (size_t)s->n_fft);
    NCComplex *spec = nn_graph_scratch(g, sizeof(NCComplex) * (size_t)s->bins);
    NCFFT *fft = NULL;
    if (!frame || !spec || dsp_fft_real_alloc(&fft, s->n_fft) < 0) {
        nn_graph_fail(g, NC_ENOMEM, "istft backward", "out of memory");
        return;
    }
    int pad = s->n_fft / 2;
    for (int b = 0; b < s->n; b++)
        for (int f = 0; f < s->frames; f++) {
            /* gradient of the windowed frame, then of its irfft input */
            for (int t = 0; t < s->n_fft; t++) {
                int j = f * s->hop + t - pad;
                frame[t] = j >= 0 && j < s->length
                               ? y->grad[(int64_t)b * s->length + j] / s->env[f * s->hop + t] *
                                     hann(t, s->n_fft)
                               : 0.0f;
            }
            dsp_fft_real_forward(fft, frame, spec);
            int64_t at = ((int64_t)b * s->frames + f) * s->bins;
            for (int k = 0; k < s->bins; k++) {
                int edge = k == 0 || k == s->bins - 1;
                float c = (edge ? 1.0f : 2.0f) / (float)s->n_fft;
                if (gre)
                    gre[at + k] += c * spec[k].re;
                if (gim && !edge)
                    gim[at + k] += c * spec[k].im;
            }
        }
    dsp_fft_free(&fft);
}

NNTensor *nn_istft(NNGraph *g, NNTensor *re, NNTensor *im, int n_fft, int hop, int length)
{
    if (!re || !im)
        return NULL;
    if (re->ndim != 3 || !nn_same_shape(re, im) || n_fft < 4 || n_fft % 2 || hop < 1 ||
        hop > n_fft / 2 || re->shape[2] != n_fft / 2 + 1 || length < 1 ||
        length > (re->shape[1] - 1) * hop)
        return nn_graph_fail(g, NC_EINVAL, "istft", "shapes, hop or length do not fit");
    if (nn_graph_deterministic(g))
        return nn_graph_fail(g, NC_ENOTSUP, "istft", "no deterministic form (kissfft, libm)");
    IstftSaved *s = nn_graph_scratch(g, sizeof(*s));
    if (!s)
        return NULL;
    *s = (IstftSaved){re->shape[0], re->shape[1], n_fft, hop, length, n_fft / 2 + 1, NULL};
    int padded = n_fft + hop * (s->frames - 1), pad = n_fft / 2;
    s->env = nn_graph_scratch(g, sizeof(float) * (size_t)padded);
    float *acc = nn_graph_scratch(g, sizeof(float) * (size_t)padded);
    float *frame = nn_graph_scratch(g, sizeof(float) * (size_t)n_fft);
    NCComplex *spec = nn_graph_scratch(g, sizeof(NCComplex) * (size_t)s->bins);
    NNTensor *y = nn_tensor2(g, s->n, length);
    if (!s->env || !acc || !frame || !spec || !y)
        return NULL;
    memset(s->env, 0, sizeof(float) * (size_t)padded);
    for (int f = 0; f < s->frames; f++)
        for (int t = 0; t < n_fft; t++)
            s->env[f * hop + t] += hann(t, n_fft) * hann(t, n_fft);
    for (int j = 0; j < length; j++)
        if (s->env[j + pad] < 1e-11f)
            return nn_graph_fail(g, NC_EINVAL, "istft", "the window overlap vanishes");
    NCFFT *fft = NULL;
    if (dsp_fft_real_alloc(&fft, n_fft) < 0)
        return nn_graph_fail(g, NC_ENOMEM, "istft", "cannot set up the FFT");
    for (int b = 0; b < s->n; b++) {
        memset(acc, 0, sizeof(float) * (size_t)padded);
        for (int f = 0; f < s->frames; f++) {
            int64_t at = ((int64_t)b * s->frames + f) * s->bins;
            for (int k = 0; k < s->bins; k++) {
                spec[k].re = re->data[at + k];
                spec[k].im = im->data[at + k];
            }
            dsp_fft_real_inverse(fft, spec, frame);
            for (int t = 0; t < n_fft; t++)
                acc[f * hop + t] += frame[t] * hann(t, n_fft);
        }
        for (int j = 0; j < length; j++)
            y->data[(int64_t)b * length + j] = acc[j + pad] / s->env[j + pad];
    }
    dsp_fft_free(&fft);
    NNNode *n = nn_record(g, y, istft_backward, (NNTensor *[]){re, im}, 2);
    if (n)
        n->aux = s;
    return y;
}

static void mel_backward(NNGraph *g, NNNode *n)
{
    const NCMelBank *bank = n->aux;
    NNTensor *x = n->in[0], *y = n->out;
    float *gx = nn_grad(g, x);
    float *tmp = nn_graph_scratch(g, sizeof(float) * (size_t)bank->bins);
    int64_t rows = x->numel / bank->bins;
    for (int64_t r = 0; gx && tmp && r < rows; r++) {
        dsp_mel_bank_apply_transpose(bank, y->grad + r * bank->n_mels, tmp);
        for (int k = 0; k < bank->bins; k++)
            gx[r * bank->bins + k] += tmp[k];
    }
}

NNTensor *nn_mel(NNGraph *g, NNTensor *spec, const NCMelBank *bank)
{
    if (!spec || !bank)
        return NULL;
    if (spec->shape[spec->ndim - 1] != bank->bins)
        return nn_graph_fail(g, NC_EINVAL, "mel", "last dimension must be the bank's bins");
    int shape[NN_MAX_DIMS];
    memcpy(shape, spec->shape, sizeof(shape));
    shape[spec->ndim - 1] = bank->n_mels;
    NNTensor *y = nn_tensor(g, spec->ndim, shape);
    if (!y)
        return NULL;
    int64_t rows = spec->numel / bank->bins;
    for (int64_t r = 0; r < rows; r++)
        dsp_mel_bank_apply(bank, spec->data + r * bank->bins, y->data + r * bank->n_mels);
    NNNode *n = nn_record(g, y, mel_backward, &spec, 1);
    if (n)
        n->aux = (void *)bank;
    return y;
}

NNTensor *nn_multires_stft_loss(NNGraph *g, NNTensor *x, NNTensor *target, const int *n_ffts,
                                const int *hops, int count)
{
    if (!x || !target)
        return NULL;
    if (count < 1 || !nn_same_shape(x, target))
        return nn_graph_fail(g, NC_EINVAL, "multires_stft_loss", "shapes differ");
    NNTensor *total = NULL;
    for (int i = 0; i < count; i++) {
        NNTensor *sx = nn_stft_magnitude(g, x, n_ffts[i], hops[i], 1e-7f);
        NNTensor *st = nn_stft_magnitude(g, target, n_ffts[i], hops[i], 1e-7f);
        if (!sx || !st)
            return NULL;
        double norm = 0;
        for (int64_t k = 0; k < st->numel; k++)
            norm += (double)st->data[k] * st->data[k];
        NNTensor *d = nn_sub(g, st, sx);
        NNTensor *sc = nn_scale(g, nn_sqrt(g, nn_sum(g, nn_mul(g, d, d))),
                                (float)(1.0 / sqrt(norm + 1e-12)));
        NNTensor *mag = nn_l1_loss(g, nn_log(g, sx, 1e-7f), nn_log(g, st, 1e-7f));
        NNTensor *term = nn_add(g, sc, mag);
        total = total ? nn_add(g, total, term) : term;
    }
    return nn_scale(g, total, 1.0f / (float)count);
}
