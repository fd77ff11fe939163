/* Differentiable operations on NNTensors (tensor.h explains graphs, errors and
 * gradients). Layouts follow PyTorch: linear input [..., in], weight [out, in];
 * conv1d input [N, C, L], weight [Cout, Cin/groups, K]; conv2d input [N, C, H, W],
 * weight [Cout, Cin/groups, KH, KW]; transposed convs weight [Cin, Cout/groups, ...].
 * Every op's forward and backward is checked against finite differences and
 * against PyTorch in tests/nn. */
#ifndef NC_NN_OPS_H
#define NC_NN_OPS_H

#include "libnc/nn/tensor.h"

/* OpenBLAS threads for all GEMMs of the process (<= 0 keeps OpenBLAS's default). */
void nn_set_threads(int threads);
/* The OPENBLAS_CORETYPE that would give faster kernels than the generic ones
 * OpenBLAS fell back to on this CPU, or NULL (blas.c says why this happens). */
const char *nn_blas_better_coretype(void);

/* ---- pointwise ---- */
NNTensor *nn_add(NNGraph *g, NNTensor *a, NNTensor *b); /* same shape (residual add) */
NNTensor *nn_sub(NNGraph *g, NNTensor *a, NNTensor *b);
NNTensor *nn_mul(NNGraph *g, NNTensor *a, NNTensor *b);
NNTensor *nn_div(NNGraph *g, NNTensor *a, NNTensor *b);
NNTensor *nn_scale(NNGraph *g, NNTensor *x, float s); /* s * x */
NNTensor *nn_add_const(NNGraph *g, NNTensor *x, float c); /* x + c */
NNTensor *nn_relu(NNGraph *g, NNTensor *x);
NNTensor *nn_leaky_relu(NNGraph *g, NNTensor *x, float slope);
NNTensor *nn_elu(NNGraph *g, NNTensor *x, float alpha);
NNTensor *nn_gelu(NNGraph *g, NNTensor *x); /* exact (erf) form, PyTorch's default */
NNTensor *nn_silu(NNGraph *g, NNTensor *x);
NNTensor *nn_tanh(NNGraph *g, NNTensor *x);
NNTensor *nn_sigmoid(NNGraph *g, NNTensor *x);
NNTensor *nn_sin(NNGraph *g, NNTensor *x);
NNTensor *nn_abs(NNGraph *g, NNTensor *x);
NNTensor *nn_log(NNGraph *g, NNTensor *x, float eps); /* log(x + eps) */
NNTensor *nn_sqrt(NNGraph *g, NNTensor *x);
/* Snake: x + sin^2(alpha_c x) / alpha_c with one alpha per channel (dim 1). */
NNTensor *nn_snake(NNGraph *g, NNTensor *x, NNTensor *alpha);

/* ---- linear and convolution (GEMM through OpenBLAS) ---- */
/* y = x W^T + b; b may be NULL. */
NNTensor *nn_linear(NNGraph *g, NNTensor *x, NNTensor *w, NNTensor *b);

typedef struct NNConvParams {
    int stride[2];    /* {h, w}; conv1d uses [1] */
    int pad[4];       /* top, bottom, left, right; conv1d uses left/right */
    int dilation[2];
    int groups;
    int out_pad[2];   /* transposed convs: extra output rows / columns */
} NNConvParams;

/* Conv params for 1-d: symmetric padding, or causal (all padding on the left,
 * dilation * (k - 1) of it) when pad < 0. */
NNConvParams nn_conv1d_params(int stride, int pad, int dilation, int groups, int k);
NNConvParams nn_conv2d_params(int stride, int pad, int dilation, int groups);
NNTensor *nn_conv1d(NNGraph *g, NNTensor *x, NNTensor *w, NNTensor *b, NNConvParams p);
NNTensor *nn_conv2d(NNGraph *g, NNTensor *x, NNTensor *w, NNTensor *b, NNConvParams p);
/* pad[] of a transposed conv means what PyTorch's padding means: rows cut from the
 * full output (pad[0], pad[1] top/bottom; pad[2], pad[3] left/right). */
NNTensor *nn_conv_transpose1d(NNGraph *g, NNTensor *x, NNTensor *w, NNTensor *b,
                              NNConvParams p);
NNTensor *nn_conv_transpose2d(NNGraph *g, NNTensor *x, NNTensor *w, NNTensor *b,
                              NNConvParams p);

/* ---- shape ---- */
NNTensor *nn_pixel_shuffle(NNGraph *g, NNTensor *x, int r); /* [N,C r^2,H,W] -> [N,C,H r,W r] */
NNTensor *nn_transpose12(NNGraph *g, NNTensor *x); /* [N,A,B] -> [N,B,A] (NCL -> NLC) */
NNTensor *nn_upsample_nearest(NNGraph *g, NNTensor *x, int scale); /* last 1 or 2 dims */
NNTensor *nn_upsample_bilinear(NNGraph *g, NNTensor *x, int scale); /* NCHW, align_corners=False */
NNTensor *nn_concat(NNGraph *g, NNTensor *a, NNTensor *b, int dim);
NNTensor *nn_slice(NNGraph *g, NNTensor *x, int dim, int start, int len);

/* ---- normalization ---- */
/* Over the last dimension; gamma, beta [last] or NULL. */
NNTensor *nn_layer_norm(NNGraph *g, NNTensor *x, NNTensor *gamma, NNTensor *beta, float eps);
/* x [N, C, ...] in `groups` groups; gamma, beta [C] or NULL. */
NNTensor *nn_group_norm(NNGraph *g, NNTensor *x, int groups, NNTensor *gamma, NNTensor *beta,
                        float eps);
/* w = gain * v / ||v|| with one norm per output channel (dim 0); gain [dim0]. */
NNTensor *nn_weight_norm(NNGraph *g, NNTensor *v, NNTensor *gain);
NNTensor *nn_softmax(NNGraph *g, NNTensor *x);     /* over the last dimension */
NNTensor *nn_log_softmax(NNGraph *g, NNTensor *x); /* over the last dimension */
/* table [V, D], idx[n] in [0, V) -> [n, D]. */
NNTensor *nn_embedding(NNGraph *g, NNTensor *table, const int *idx, int n);

/* ---- reductions and losses (results are one-element tensors) ---- */
NNTensor *nn_sum(NNGraph *g, NNTensor *x);
NNTensor *nn_mean(NNGraph *g, NNTensor *x);
/* Mean over the last dimension: [..., L] -> [..., 1]. */
NNTensor *nn_mean_last(NNGraph *g, NNTensor *x);
NNTensor *nn_l1_loss(NNGraph *g, NNTensor *x, NNTensor *target);  /* mean |x - t| */
NNTensor *nn_mse_loss(NNGraph *g, NNTensor *x, NNTensor *target); /* mean (x - t)^2 */
/* Mean of -log_probs[i, target[i]] over rows of [n, V] log-probabilities. */
NNTensor *nn_nll_loss(NNGraph *g, NNTensor *log_probs, const int *target);

/* 1 - mean SSIM of images [N, C, H, W] (H, W >= 11) with the usual 11x11 Gaussian
 * window (sigma 1.5, no padding) and constants (0.01 L)^2, (0.03 L)^2 for data
 * range L, as skimage / pytorch-msssim compute it. */
NNTensor *nn_ssim_loss(NNGraph *g, NNTensor *x, NNTensor *y, float data_range);

/* ---- spectral (libnc/dsp FFTs; for training losses) ---- */
/* |STFT| of x [N, L] with torch.stft's conventions (center, reflect padding, periodic
 * Hann window of n_fft): [N, frames, n_fft/2 + 1]. eps keeps sqrt differentiable. */
NNTensor *nn_stft_magnitude(NNGraph *g, NNTensor *x, int n_fft, int hop, float eps);
/* Inverse STFT as torch.istft(center=True, periodic Hann window of n_fft,
 * onesided, length=length): re, im [N, frames, n_fft/2 + 1] -> [N, length].
 * Overlap-add divided by the summed squared window, which must not vanish inside
 * the output (hop <= n_fft / 2). The imaginary parts of bins 0 and n_fft/2 are
 * ignored, as irfft does. */
NNTensor *nn_istft(NNGraph *g, NNTensor *re, NNTensor *im, int n_fft, int hop, int length);

struct NCMelBank;
/* Mel filterbank over the last dimension: [..., bins] -> [..., n_mels]. */
NNTensor *nn_mel(NNGraph *g, NNTensor *spec, const struct NCMelBank *bank);
/* Multi-resolution STFT loss of Parallel WaveGAN (||S|| is taken as a
 * constant, so pass a target that needs no gradient); per resolution, spectral
 * convergence ||S - Sx|| / ||S|| plus mean |log S - log Sx|, averaged. */
NNTensor *nn_multires_stft_loss(NNGraph *g, NNTensor *x, NNTensor *target, const int *n_ffts,
                                const int *hops, int count);

#endif
