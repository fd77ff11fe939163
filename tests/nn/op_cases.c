#include <stddef.h>
#include <string.h>

#include "libnc/dsp/mel.h"

#include "tests/nn/op_cases.h"

static const int emb_idx[5] = {3, 0, 3, 5, 1};
static const int nll_target[4] = {2, 0, 4, 4};

#define UNARY(fn, expr)                                                                      \
    static NNTensor *fn(NNGraph *g, NNTensor **in)                                           \
    {                                                                                        \
        NNTensor *x = in[0];                                                                 \
        return expr;                                                                         \
    }
#define BINARY(fn, expr)                                                                     \
    static NNTensor *fn(NNGraph *g, NNTensor **in)                                           \
    {                                                                                        \
        NNTensor *a = in[0], *b = in[1];                                                     \
        (void)a, (void)b;                                                                    \
        return expr;                                                                         \
    }

BINARY(run_add, nn_add(g, a, b))
BINARY(run_sub, nn_sub(g, a, b))
BINARY(run_mul, nn_mul(g, a, b))
BINARY(run_div, nn_div(g, a, b))
UNARY(run_add_const, nn_add_const(g, x, 0.75f))
BINARY(run_ssim, nn_ssim_loss(g, a, b, 1.0f))
UNARY(run_scale, nn_scale(g, x, -1.5f))
UNARY(run_relu, nn_relu(g, x))
UNARY(run_leaky, nn_leaky_relu(g, x, 0.1f))
UNARY(run_elu, nn_elu(g, x, 1.0f))
UNARY(run_gelu, nn_gelu(g, x))
UNARY(run_silu, nn_silu(g, x))
UNARY(run_tanh, nn_tanh(g, x))
UNARY(run_sigmoid, nn_sigmoid(g, x))
UNARY(run_sin, nn_sin(g, x))
UNARY(run_abs, nn_abs(g, x))
UNARY(run_log, nn_log(g, x, 0.0f))
UNARY(run_sqrt, nn_sqrt(g, x))
BINARY(run_snake, nn_snake(g, a, b))
UNARY(run_pixel_shuffle, nn_pixel_shuffle(g, x, 2))
UNARY(run_nearest1d, nn_upsample_nearest(g, x, 3))
UNARY(run_nearest2d, nn_upsample_nearest(g, x, 2))
UNARY(run_bilinear2, nn_upsample_bilinear(g, x, 2))
UNARY(run_bilinear3, nn_upsample_bilinear(g, x, 3))
BINARY(run_concat1, nn_concat(g, a, b, 1))
BINARY(run_concat2, nn_concat(g, a, b, 2))
UNARY(run_slice, nn_slice(g, x, 2, 1, 3))
UNARY(run_transpose12, nn_transpose12(g, x))
UNARY(run_softmax, nn_softmax(g, x))
UNARY(run_log_softmax, nn_log_softmax(g, x))
UNARY(run_embedding, nn_embedding(g, x, emb_idx, 5))
UNARY(run_sum, nn_sum(g, x))
UNARY(run_mean, nn_mean(g, x))
UNARY(run_mean_last, nn_mean_last(g, x))
BINARY(run_l1, nn_l1_loss(g, a, b))
BINARY(run_mse, nn_mse_loss(g, a, b))
UNARY(run_nll, nn_nll_loss(g, nn_log_softmax(g, x), nll_target))
UNARY(run_stft, nn_stft_magnitude(g, x, 16, 4, 0.0f))
BINARY(run_weight_norm, nn_weight_norm(g, a, b))

static NNTensor *run_mrstft(NNGraph *g, NNTensor **in)
{
    static const int ffts[2] = {16, 32}, hops[2] = {4, 8};
    return nn_multires_stft_loss(g, in[0], in[1], ffts, hops, 2);
}

/* A 4-band HTK mel bank over the 9 bins of a 16-point FFT at 16 kHz. */
static NCMelBank *mel_bank;

static NNTensor *run_mel(NNGraph *g, NNTensor **in)
{
    if (!mel_bank && dsp_mel_bank_alloc(&mel_bank, 16000, 16, 4, 0.0f, 8000.0f, NC_MEL_HTK, 0) < 0)
        return NULL;
    return nn_mel(g, in[0], mel_bank);
}

void op_cases_cleanup(void)
{
    dsp_mel_bank_free(&mel_bank);
}

static NNTensor *run_istft(NNGraph *g, NNTensor **in)
{
    return nn_istft(g, in[0], in[1], 16, 4, 30);
}

static NNTensor *run_linear(NNGraph *g, NNTensor **in)
{
    return nn_linear(g, in[0], in[1], in[2]);
}

static NNTensor *run_layer_norm(NNGraph *g, NNTensor **in)
{
    return nn_layer_norm(g, in[0], in[1], in[2], 1e-5f);
}

static NNTensor *run_group_norm(NNGraph *g, NNTensor **in)
{
    return nn_group_norm(g, in[0], 3, in[1], in[2], 1e-5f);
}

static NNTensor *run_conv1d(NNGraph *g, NNTensor **in)
{
    return nn_conv1d(g, in[0], in[1], in[2], nn_conv1d_params(2, 1, 2, 2, 3));
}

static NNTensor *run_conv1d_causal(NNGraph *g, NNTensor **in)
{
    return nn_conv1d(g, in[0], in[1], in[2], nn_conv1d_params(1, -1, 3, 1, 3));
}

static NNTensor *run_conv1d_1x1(NNGraph *g, NNTensor **in)
{
    return nn_conv1d(g, in[0], in[1], in[2], nn_conv1d_params(1, 0, 1, 1, 1));
}

static NNTensor *run_conv1d_depthwise(NNGraph *g, NNTensor **in)
{
    return nn_conv1d(g, in[0], in[1], NULL, nn_conv1d_params(1, 2, 1, 4, 5));
}

static NNTensor *run_conv2d(NNGraph *g, NNTensor **in)
{
    NNConvParams p = nn_conv2d_params(1, 1, 1, 1);
    p.stride[0] = 2;
    p.pad[2] = 0; /* PyTorch padding (1, 0): top/bottom 1, left/right 0 */
    p.pad[3] = 0;
    return nn_conv2d(g, in[0], in[1], in[2], p);
}

static NNTensor *run_conv2d_small_out(NNGraph *g, NNTensor **in)
{
    return nn_conv2d(g, in[0], in[1], in[2], nn_conv2d_params(1, 1, 2, 1));
}

/* Long enough rows for the 16-lane loops of the direct path. */
static NNTensor *run_conv1d_small_out_long(NNGraph *g, NNTensor **in)
{
    return nn_conv1d(g, in[0], in[1], in[2], nn_conv1d_params(1, 1, 1, 1, 3));
}

static NNTensor *run_conv2d_grouped(NNGraph *g, NNTensor **in)
{
    return nn_conv2d(g, in[0], in[1], in[2], nn_conv2d_params(2, 1, 2, 2));
}

static NNTensor *run_convt1d(NNGraph *g, NNTensor **in)
{
    NNConvParams p = nn_conv1d_params(2, 1, 1, 1, 4);
    p.out_pad[1] = 1;
    return nn_conv_transpose1d(g, in[0], in[1], in[2], p);
}

static NNTensor *run_convt1d_grouped(NNGraph *g, NNTensor **in)
{
    return nn_conv_transpose1d(g, in[0], in[1], in[2], nn_conv1d_params(3, 0, 2, 2, 3));
}

static NNTensor *run_convt2d(NNGraph *g, NNTensor **in)
{
    NNConvParams p = nn_conv2d_params(2, 1, 1, 2);
    p.out_pad[0] = p.out_pad[1] = 1;
    return nn_conv_transpose2d(g, in[0], in[1], in[2], p);
}


const OpCase op_cases[] = {
    {"add", 2, {3, 3}, {{2, 3, 4}, {2, 3, 4}}, 0, 0, run_add},
    {"sub", 2, {3, 3}, {{2, 3, 4}, {2, 3, 4}}, 0, 0, run_sub},
    {"mul", 2, {3, 3}, {{2, 3, 4}, {2, 3, 4}}, 0, 0, run_mul},
    {"div", 2, {3, 3}, {{2, 3, 4}, {2, 3, 4}}, 2, 0, run_div},
    {"add_const", 1, {2}, {{3, 5}}, 0, 0, run_add_const},
    {"ssim_loss", 2, {4, 4}, {{1, 2, 12, 13}, {1, 2, 12, 13}}, 0, 0, run_ssim},
    {"istft", 2, {3, 3}, {{2, 9, 9}, {2, 9, 9}}, 0, 0, run_istft},
    {"mel", 1, {3}, {{2, 3, 9}}, 1, 0, run_mel},
    {"scale", 1, {2}, {{3, 5}}, 0, 0, run_scale},
    {"relu", 1, {2}, {{4, 6}}, 0, 0, run_relu},
    {"leaky_relu", 1, {2}, {{4, 6}}, 0, 0, run_leaky},
    {"elu", 1, {2}, {{4, 6}}, 0, 0, run_elu},
    {"gelu", 1, {2}, {{4, 6}}, 0, 0, run_gelu},
    {"silu", 1, {2}, {{4, 6}}, 0, 0, run_silu},
    {"tanh", 1, {2}, {{4, 6}}, 0, 0, run_tanh},
    {"sigmoid", 1, {2}, {{4, 6}}, 0, 0, run_sigmoid},
    {"sin", 1, {2}, {{4, 6}}, 0, 0, run_sin},
    {"abs", 1, {2}, {{4, 6}}, 0, 0, run_abs},
    {"log", 1, {2}, {{4, 6}}, 1, 0, run_log},
    {"sqrt", 1, {2}, {{4, 6}}, 1, 0, run_sqrt},
    {"snake", 2, {3, 1}, {{2, 3, 7}, {3}}, 2, 0, run_snake},
    {"linear", 3, {3, 2, 1}, {{2, 3, 5}, {4, 5}, {4}}, 0, 0, run_linear},
    {"conv1d", 3, {3, 3, 1}, {{2, 4, 11}, {6, 2, 3}, {6}}, 0, 0, run_conv1d},
    {"conv1d_causal", 3, {3, 3, 1}, {{2, 3, 9}, {4, 3, 3}, {4}}, 0, 0, run_conv1d_causal},
    {"conv1d_1x1", 3, {3, 3, 1}, {{2, 3, 6}, {5, 3, 1}, {5}}, 0, 0, run_conv1d_1x1},
    {"conv1d_depthwise", 2, {3, 3}, {{2, 4, 10}, {4, 1, 5}}, 0, 0, run_conv1d_depthwise},
    {"conv2d", 3, {4, 4, 1}, {{2, 3, 7, 6}, {4, 3, 3, 2}, {4}}, 0, 0, run_conv2d},
    {"conv2d_small_out", 3, {4, 4, 1}, {{1, 3, 6, 7}, {2, 3, 3, 3}, {2}}, 0, 0, run_conv2d_small_out},
    {"conv1d_small_out_long", 3, {3, 3, 1}, {{2, 2, 41}, {3, 2, 3}, {3}}, 0, 0,
     run_conv1d_small_out_long},
    {"conv2d_grouped", 3, {4, 4, 1}, {{1, 4, 9, 8}, {6, 2, 3, 3}, {6}}, 0, 0, run_conv2d_grouped},
    {"conv_transpose1d", 3, {3, 3, 1}, {{2, 4, 5}, {4, 3, 4}, {3}}, 0, 0, run_convt1d},
    {"conv_transpose1d_grouped", 3, {3, 3, 1}, {{1, 4, 6}, {4, 3, 3}, {6}}, 0, 0,
     run_convt1d_grouped},
    {"conv_transpose2d", 3, {4, 4, 1}, {{1, 4, 3, 4}, {4, 2, 3, 3}, {4}}, 0, 0, run_convt2d},
    {"pixel_shuffle", 1, {4}, {{2, 8, 3, 2}}, 0, 0, run_pixel_shuffle},
    {"upsample_nearest1d", 1, {3}, {{2, 3, 4}}, 0, 0, run_nearest1d},
    {"upsample_nearest2d", 1, {4}, {{1, 2, 3, 4}}, 0, 0, run_nearest2d},
    {"upsample_bilinear2", 1, {4}, {{1, 2, 3, 4}}, 0, 0, run_bilinear2},
    {"upsample_bilinear3", 1, {4}, {{2, 1, 3, 2}}, 0, 0, run_bilinear3},
    {"concat1", 2, {3, 3}, {{2, 3, 4}, {2, 2, 4}}, 0, 0, run_concat1},
    {"concat2", 2, {3, 3}, {{2, 3, 4}, {2, 3, 1}}, 0, 0, run_concat2},
    {"slice", 1, {3}, {{2, 3, 6}}, 0, 0, run_slice},
    {"transpose12", 1, {3}, {{2, 3, 5}}, 0, 0, run_transpose12},
    {"layer_norm", 3, {3, 1, 1}, {{2, 3, 8}, {8}, {8}}, 0, 0, run_layer_norm},
    {"group_norm", 3, {3, 1, 1}, {{2, 6, 5}, {6}, {6}}, 0, 0, run_group_norm},
    {"weight_norm", 2, {3, 1}, {{4, 3, 2}, {4}}, 0, 0, run_weight_norm},
    {"softmax", 1, {2}, {{3, 7}}, 0, 0, run_softmax},
    {"log_softmax", 1, {2}, {{3, 7}}, 0, 0, run_log_softmax},
    {"embedding", 1, {2}, {{6, 4}}, 0, 0, run_embedding},
    {"sum", 1, {3}, {{2, 3, 4}}, 0, 0, run_sum},
    {"mean", 1, {3}, {{2, 3, 4}}, 0, 0, run_mean},
    {"mean_last", 1, {3}, {{2, 3, 4}}, 0, 0, run_mean_last},
    {"l1_loss", 2, {2, 2}, {{3, 5}, {3, 5}}, 0, 2, run_l1},
    {"mse_loss", 2, {2, 2}, {{3, 5}, {3, 5}}, 0, 0, run_mse},
    {"nll_log_softmax", 1, {2}, {{4, 5}}, 0, 0, run_nll},
    {"stft_magnitude", 1, {2}, {{2, 40}}, 0, 0, run_stft},
    {"multires_stft_loss", 2, {2, 2}, {{2, 64}, {2, 64}}, 0, 2, run_mrstft},
};
const int op_case_count = (int)(sizeof(op_cases) / sizeof(op_cases[0]));

const OpCase *op_case_find(const char *name)
{
    for (int i = 0; i < op_case_count; i++)
        if (!strcmp(op_cases[i].name, name))
            return &op_cases[i];
    return NULL;
}
