#include <stdio.h>
#include <string.h>

#include "bench/nn/networks.h"

static int add_layer(BenchNet *net, int ndim, const int *wshape, int bias_n)
{
    char name[32];
    NNRng r;
    nn_rng_seed(&r, (uint64_t)net->n_layers + 1);
    snprintf(name, sizeof(name), "l%d.w", net->n_layers);
    NNTensor *w = nn_param(net->ps, name, ndim, wshape, 0);
    snprintf(name, sizeof(name), "l%d.b", net->n_layers);
    NNTensor *b = nn_param(net->ps, name, 1, (const int[]){bias_n}, 0);
    if (!w || !b)
        return -1;
    nn_init_default(w, &r);
    net->w[net->n_layers] = w;
    net->b[net->n_layers++] = b;
    return 0;
}

static const int enc_ch[5] = {32, 64, 128, 256, 512}, enc_stride[4] = {2, 4, 5, 8};

static NNTensor *encoder_forward(BenchNet *net, NNGraph *g, NNTensor *x)
{
    int l = 0;
    NNTensor *h = nn_elu(g, nn_conv1d(g, x, net->w[l], net->b[l], nn_conv1d_params(1, 3, 1, 1, 7)), 1.0f);
    l++;
    for (int i = 0; i < 4; i++) {
        /* residual unit, then the strided downsampling conv */
        NNTensor *r = nn_elu(g, nn_conv1d(g, h, net->w[l], net->b[l], nn_conv1d_params(1, 1, 1, 1, 3)), 1.0f);
        l++;
        h = nn_add(g, h, r);
        int s = enc_stride[i];
        h = nn_elu(g, nn_conv1d(g, h, net->w[l], net->b[l],
                               nn_conv1d_params(s, (s + 1) / 2, 1, 1, 2 * s)), 1.0f);
        l++;
    }
    return nn_conv1d(g, h, net->w[l], net->b[l], nn_conv1d_params(1, 1, 1, 1, 3));
}

int bench_encoder_init(BenchNet *net)
{
    memset(net, 0, sizeof(*net));
    net->name = "conv1d audio encoder [4,1,16000]";
    net->ps = nn_params_alloc();
    net->in_ndim = 3;
    memcpy(net->in_shape, (const int[]){4, 1, 16000, 0}, sizeof(net->in_shape));
    net->forward = encoder_forward;
    int ret = add_layer(net, 3, (const int[]){32, 1, 7}, 32);
    for (int i = 0; i < 4 && !ret; i++) {
        int c = enc_ch[i], s = enc_stride[i];
        ret = add_layer(net, 3, (const int[]){c, c, 3}, c);
        if (!ret)
            ret = add_layer(net, 3, (const int[]){enc_ch[i + 1], c, 2 * s}, enc_ch[i + 1]);
    }
    if (!ret)
        ret = add_layer(net, 3, (const int[]){128, 512, 3}, 128);
    return ret;
}

static NNTensor *decoder_forward(BenchNet *net, NNGraph *g, NNTensor *x)
{
    NNConvParams up = nn_conv2d_params(2, 1, 1, 1);
    NNTensor *h = nn_gelu(g, nn_conv2d(g, x, net->w[0], net->b[0], nn_conv2d_params(1, 1, 1, 1)));
    h = nn_gelu(g, nn_conv_transpose2d(g, h, net->w[1], net->b[1], up)); /* 16 -> 32 */
    h = nn_gelu(g, nn_conv2d(g, h, net->w[2], net->b[2], nn_conv2d_params(1, 1, 1, 1)));
    h = nn_pixel_shuffle(g, nn_conv2d(g, h, net->w[3], net->b[3], nn_conv2d_params(1, 1, 1, 1)), 2);
    h = nn_gelu(g, h); /* 32 -> 64 */
    return nn_conv2d(g, h, net->w[4], net->b[4], nn_conv2d_params(1, 1, 1, 1));
}

int bench_decoder_init(BenchNet *net)
{
    memset(net, 0, sizeof(*net));
    net->name = "conv2d upsampling decoder [2,64,16,16]";
    net->ps = nn_params_alloc();
    net->in_ndim = 4;
    memcpy(net->in_shape, (const int[]){2, 64, 16, 16}, sizeof(net->in_shape));
    net->forward = decoder_forward;
    int ret = add_layer(net, 4, (const int[]){128, 64, 3, 3}, 128);
    if (!ret)
        ret = add_layer(net, 4, (const int[]){128, 64, 4, 4}, 64); /* transposed: [Cin, Cout] */
    if (!ret)
        ret = add_layer(net, 4, (const int[]){64, 64, 3, 3}, 64);
    if (!ret)
        ret = add_layer(net, 4, (const int[]){128, 64, 3, 3}, 128);
    if (!ret)
        ret = add_layer(net, 4, (const int[]){3, 32, 3, 3}, 3);
    return ret;
}

void bench_net_free(BenchNet *net)
{
    nn_params_free(&net->ps);
}
