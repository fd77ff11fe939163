/* SSIM loss, composed from differentiable ops (a depthwise Gaussian conv for the
 * local statistics), so its gradient needs no code of its own. */
#include <math.h>

#include "libnc/nn/ops.h"
#include "nc/error.h"

#define SSIM_WIN 11

/* The window as a depthwise conv weight [C, 1, 11, 11], a constant. */
static NNTensor *gaussian_window(NNGraph *g, int channels)
{
    float w1[SSIM_WIN], sum = 0;
    for (int i = 0; i < SSIM_WIN; i++) {
        float d = (float)(i - SSIM_WIN / 2);
        w1[i] = expf(-d * d / (2.0f * 1.5f * 1.5f));
        sum += w1[i];
    }
    NNTensor *w = nn_tensor4(g, channels, 1, SSIM_WIN, SSIM_WIN);
    for (int c = 0; w && c < channels; c++)
        for (int i = 0; i < SSIM_WIN; i++)
            for (int j = 0; j < SSIM_WIN; j++)
                w->data[(c * SSIM_WIN + i) * SSIM_WIN + j] = w1[i] / sum * w1[j] / sum;
    return w;
}

NNTensor *nn_ssim_loss(NNGraph *g, NNTensor *x, NNTensor *y, float data_range)
{
    if (!x || !y)
        return NULL;
    if (!nn_same_shape(x, y) || x->ndim != 4 || x->shape[2] < SSIM_WIN || x->shape[3] < SSIM_WIN)
        return nn_graph_fail(g, NC_EINVAL, "ssim_loss", "needs equal NCHW images of 11x11 or more");
    int c = x->shape[1];
    NNTensor *w = gaussian_window(g, c);
    NNConvParams p = nn_conv2d_params(1, 0, 1, c);
    float c1 = 0.01f * data_range * 0.01f * data_range, c2 = 0.03f * data_range * 0.03f * data_range;
    NNTensor *mx = nn_conv2d(g, x, w, NULL, p), *my = nn_conv2d(g, y, w, NULL, p);
    NNTensor *mxx = nn_mul(g, mx, mx), *myy = nn_mul(g, my, my), *mxy = nn_mul(g, mx, my);
    NNTensor *sxx = nn_sub(g, nn_conv2d(g, nn_mul(g, x, x), w, NULL, p), mxx);
    NNTensor *syy = nn_sub(g, nn_conv2d(g, nn_mul(g, y, y), w, NULL, p), myy);
    NNTensor *sxy = nn_sub(g, nn_conv2d(g, nn_mul(g, x, y), w, NULL, p), mxy);
    NNTensor *num = nn_mul(g, nn_add_const(g, nn_scale(g, mxy, 2.0f), c1),
                           nn_add_const(g, nn_scale(g, sxy, 2.0f), c2));
    NNTensor *den = nn_mul(g, nn_add_const(g, nn_add(g, mxx, myy), c1),
                           nn_add_const(g, nn_add(g, sxx, syy), c2));
    return nn_add_const(g, nn_scale(g, nn_mean(g, nn_div(g, num, den)), -1.0f), 1.0f);
}
