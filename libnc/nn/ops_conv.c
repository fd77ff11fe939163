/* Convolutions and transposed convolutions, 1-d and 2-d, as im2col + sgemm per
 * sample and group. A 1-d convolution is the 2-d one with a height of 1. A 1x1
 * convolution with stride 1 multiplies the input directly, without unfolding. */
#include <limits.h>
#include <string.h>

#include "libnc/nn/conv_direct.h"
#include "libnc/nn/gemm.h"
#include "libnc/nn/im2col.h"
#include "libnc/nn/ops.h"
#include "nc/error.h"

typedef struct ConvSetup {
    int n, cin, cout, groups, transposed, is1d;
    /* img side: the conv input (or a transposed conv's output), per group;
     * col side: the conv output positions (or a transposed conv's input). */
    NNPatchGeom q;
    int m;      /* rows of the per-group weight matrix: cout/groups (cin/groups transposed) */
    int64_t k;  /* c_group * kh * kw */
    int64_t p;  /* oh * ow */
} ConvSetup;

NNConvParams nn_conv1d_params(int stride, int pad, int dilation, int groups, int k)
{
    NNConvParams p = {{1, stride}, {0, 0, pad, pad}, {1, dilation}, groups, {0, 0}};
    if (pad < 0) { /* causal */
        p.pad[2] = dilation * (k - 1);
        p.pad[3] = 0;
    }
    return p;
}

NNConvParams nn_conv2d_params(int stride, int pad, int dilation, int groups)
{
    NNConvParams p = {{stride, stride}, {pad, pad, pad, pad}, {dilation, dilation}, groups,
                      {0, 0}};
    return p;
}

static int conv_setup(const NNTensor *x, const NNTensor *w, const NNTensor *b,
                      const NNConvParams *pr, int is1d, int transposed, ConvSetup *s)
{
    int nd = is1d ? 3 : 4;
    if (x->ndim != nd || w->ndim != nd || pr->groups < 1)
        return 0;
    memset(s, 0, sizeof(*s));
    s->is1d = is1d;
    s->transposed = transposed;
    s->n = x->shape[0];
    s->groups = pr->groups;
    int h = is1d ? 1 : x->shape[2], wd = x->shape[nd - 1];
    int kh = is1d ? 1 : w->shape[2], kw = w->shape[nd - 1];
    int sh = is1d ? 1 : pr->stride[0], sw = pr->stride[1];
    int dh = is1d ? 1 : pr->dilation[0], dw = pr->dilation[1];
    int pt = is1d ? 0 : pr->pad[0], pb = is1d ? 0 : pr->pad[1], pl = pr->pad[2], prr = pr->pad[3];
    int oph = is1d ? 0 : pr->out_pad[0], opw = pr->out_pad[1];
    if (sh < 1 || sw < 1 || dh < 1 || dw < 1 || pt < 0 || pb < 0 || pl < 0 || prr < 0 ||
        oph < 0 || opw < 0)
        return 0;
    NNPatchGeom *q = &s->q;
    q->kh = kh, q->kw = kw, q->sh = sh, q->sw = sw, q->dh = dh, q->dw = dw, q->pt = pt, q->pl = pl;
    if (!transposed) {
        s->cin = x->shape[1];
        s->cout = w->shape[0];
        if (s->cin % s->groups || s->cout % s->groups || w->shape[1] != s->cin / s->groups)
            return 0;
        q->c = s->cin / s->groups, q->h = h, q->w = wd;
        q->oh = (h + pt + pb - dh * (kh - 1) - 1) / sh + 1;
        q->ow = (wd + pl + prr - dw * (kw - 1) - 1) / sw + 1;
        if (h + pt + pb < dh * (kh - 1) + 1 || wd + pl + prr < dw * (kw - 1) + 1)
            return 0;
        s->m = s->cout / s->groups;
    } else {
        s->cin = x->shape[1];
        s->cout = w->shape[1] * s->groups;
        if (s->cin % s->groups || w->shape[0] != s->cin || (oph >= sh && oph >= dh) ||
            (opw >= sw && opw >= dw))
            return 0;
        q->c = s->cout / s->groups, q->oh = h, q->ow = wd;
        q->h = (h - 1) * sh - pt - pb + dh * (kh - 1) + oph + 1;
        q->w = (wd - 1) * sw - pl - prr + dw * (kw - 1) + opw + 1;
        if (q->h < 1 || q->w < 1)
            return 0;
        s->m = s->cin / s->groups;
    }
    s->k = (int64_t)q->c * kh * kw;
    s->p = (int64_t)q->oh * q->ow;
    if (s->k > INT_MAX || s->p > INT_MAX || s->k * s->p > ((int64_t)1 << 34))
        return 0; /* GEMM dimensions are ints; the columns must fit in memory */
    return !b || b->numel == s->cout;
}

/* Offsets of sample i, group gi in the img-side and col-side tensors. */
static int64_t img_offset(const ConvSetup *s, int i, int gi)
{
    return ((int64_t)i * s->groups + gi) * s->q.c * s->q.h * s->q.w;
}

static int64_t col_offset(const ConvSetup *s, int i, int gi)
{
    return ((int64_t)i * s->groups + gi) * s->m * s->p;
}

/* y = the bias broadcast over positions (or zeros), so that the GEMMs accumulate
 * onto it (beta 1) instead of zeroing the output and adding the bias after. */
static void init_output(float *y, const float *b, int n, int c, int64_t inner)
{
    for (int i = 0; i < n; i++)
        for (int ch = 0; ch < c; ch++) {
            float *row = y + ((int64_t)i * c + ch) * inner;
            float v = b ? b[ch] : 0.0f;
            for (int64_t t = 0; t < inner; t++)
                row[t] = v;
        }
}

static void bias_grad(float *gb, const float *gy, int n, int c, int64_t inner)
{
    for (int i = 0; i < n; i++)
        for (int ch = 0; ch < c; ch++) {
            const float *row = gy + ((int64_t)i * c + ch) * inner;
            float sum = 0;
            for (int64_t t = 0; t < inner; t++)
                sum += row[t];
            gb[ch] += sum;
        }
}

/* out_colside[m x p] (+)= W[m x k] * unfold(img) for every sample and group. */
static int conv_apply(NNGraph *g, const ConvSetup *s, const float *img, const float *w,
                      float *colside, float beta)
{
    int ident = nn_patch_is_identity(&s->q);
    float *col = ident ? NULL : nn_graph_temp(g, sizeof(float) * (size_t)(s->k * s->p));
    if (!ident && !col)
        return 0;
    for (int i = 0; i < s->n; i++)
        for (int gi = 0; gi < s->groups; gi++) {
            const float *src = img + img_offset(s, i, gi);
            if (!ident) {
                nn_im2col(src, &s->q, col);
                src = col;
            }
            nn_gemm(g, 0, 0, s->m, (int)s->p, (int)s->k,
                        1.0f, w + (int64_t)gi * s->m * s->k, (int)s->k, src, (int)s->p, beta,
                        colside + col_offset(s, i, gi), (int)s->p);
        }
    return 1;
}

/* img += fold(W^T * colside) for every sample and group. */
static int conv_apply_transpose(NNGraph *g, const ConvSetup *s, const float *colside,
                                const float *w, float *img)
{
    int ident = nn_patch_is_identity(&s->q);
    float *col = ident ? NULL : nn_graph_temp(g, sizeof(float) * (size_t)(s->k * s->p));
    if (!ident && !col)
        return 0;
    for (int i = 0; i < s->n; i++)
        for (int gi = 0; gi < s->groups; gi++) {
            float *dst = ident ? img + img_offset(s, i, gi) : col;
            nn_gemm(g, 1, 0, (int)s->k, (int)s->p, s->m,
                        1.0f, w + (int64_t)gi * s->m * s->k, (int)s->k,
                        colside + col_offset(s, i, gi), (int)s->p, ident ? 1.0f : 0.0f, dst,
                        (int)s->p);
            if (!ident)
                nn_col2im_add(col, &s->q, img + img_offset(s, i, gi));
        }
    return 1;
}

/* gw += colside * unfold(img)^T for every sample and group. */
static int conv_weight_grad(NNGraph *g, const ConvSetup *s, const float *img,
                            const float *colside, float *gw)
{
    int ident = nn_patch_is_identity(&s->q);
    float *col = ident ? NULL : nn_graph_temp(g, sizeof(float) * (size_t)(s->k * s->p));
    if (!ident && !col)
        return 0;
    for (int i = 0; i < s->n; i++)
        for (int gi = 0; gi < s->groups; gi++) {
            const float *src = img + img_offset(s, i, gi);
            if (!ident) {
                nn_im2col(src, &s->q, col);
                src = col;
            }
            nn_gemm(g, 0, 1, s->m, (int)s->k, (int)s->p,
                        1.0f, colside + col_offset(s, i, gi), (int)s->p, src, (int)s->p, 1.0f,
                        gw + (int64_t)gi * s->m * s->k, (int)s->k);
        }
    return 1;
}

/* Layers with very few output channels skip the unfolding (conv_direct.h). */
static int direct_path(const NNGraph *g, const ConvSetup *s)
{
    return !s->transposed && s->groups == 1 && s->cout <= NN_DIRECT_MAX_COUT && s->q.sh == 1 &&
           s->q.sw == 1 && !nn_graph_deterministic(g);
}

/* dx += conv(dy, flipped W) for a stride-1 convolution: the input gradient as a
 * convolution of its own, unfolding dy and multiplying straight into dx, which
 * saves the column buffer's zeroing and the col2im scatter of the general path.
 * Returns 0 when the geometry does not allow it (the caller falls back). */
static int conv_input_grad_stride1(NNGraph *g, const ConvSetup *s, const float *dy,
                                   const float *w, float *dx)
{
    const NNPatchGeom *q = &s->q;
    int pt = q->dh * (q->kh - 1) - q->pt, pl = q->dw * (q->kw - 1) - q->pl;
    if (q->sh != 1 || q->sw != 1 || pt < 0 || pl < 0 || nn_patch_is_identity(q))
        return 0; /* (a 1x1 conv's general path has no unfolding to save) */
    int cin_g = q->c, cout_g = s->m, kk = q->kh * q->kw;
    /* Wf[g][ci][(co kh + i) kw + j] = W[g][co][ci][kh - 1 - i][kw - 1 - j] */
    float *wf = nn_graph_scratch(g, sizeof(float) * (size_t)(s->groups * cin_g * cout_g * kk));
    if (!wf)
        return 0;
    for (int gi = 0; gi < s->groups; gi++)
        for (int co = 0; co < cout_g; co++)
            for (int ci = 0; ci < cin_g; ci++)
                for (int t = 0; t < kk; t++)
                    wf[(((int64_t)gi * cin_g + ci) * cout_g + co) * kk + t] =
                        w[(((int64_t)gi * cout_g + co) * cin_g + ci) * kk + kk - 1 - t];
    NNPatchGeom dq = {cout_g, q->oh, q->ow, q->kh, q->kw, 1, 1, q->dh, q->dw, pt, pl, q->h, q->w};
    int64_t k = (int64_t)cout_g * kk, p = (int64_t)q->h * q->w;
    float *col = nn_graph_temp(g, sizeof(float) * (size_t)(k * p));
    if (!col)
        return 0;
    for (int i = 0; i < s->n; i++)
        for (int gi = 0; gi < s->groups; gi++) {
            nn_im2col(dy + col_offset(s, i, gi), &dq, col);
            nn_gemm(g, 0, 0, cin_g, (int)p, (int)k, 1.0f, wf + (int64_t)gi * cin_g * k, (int)k,
                    col, (int)p, 1.0f, dx + img_offset(s, i, gi), (int)p);
        }
    return 1;
}

static void conv_backward(NNGraph *g, NNNode *n)
{
    NNTensor *x = n->in[0], *w = n->in[1], *b = n->in[2], *y = n->out;
    const ConvSetup *s = n->aux;
    /* normal: img = x, colside = y; transposed: img = y, colside = x */
    if (!s->transposed) {
        if (x->requires_grad && nn_grad(g, x) &&
            !conv_input_grad_stride1(g, s, y->grad, w->data, x->grad))
            conv_apply_transpose(g, s, y->grad, w->data, x->grad);
        if (w->requires_grad && nn_grad(g, w)) {
            if (direct_path(g, s))
                for (int i = 0; i < s->n; i++)
                    nn_conv_direct_weight_grad_stride1(x->data + img_offset(s, i, 0), &s->q,
                                                       y->grad + col_offset(s, i, 0), s->cout,
                                                       w->grad);
            else
                conv_weight_grad(g, s, x->data, y->grad, w->grad);
        }
    } else {
        if (x->requires_grad && nn_grad(g, x))
            conv_apply(g, s, y->grad, w->data, x->grad, 1.0f);
        if (w->requires_grad && nn_grad(g, w))
            conv_weight_grad(g, s, y->grad, x->data, w->grad);
    }
    if (b && b->requires_grad && nn_grad(g, b))
        bias_grad(b->grad, y->grad, s->n, s->cout, nn_inner_size(y, 2));
}

static NNTensor *conv(NNGraph *g, NNTensor *x, NNTensor *w, NNTensor *b, NNConvParams p,
                      int is1d, int transposed)
{
    if (!x || !w)
        return NULL;
    ConvSetup *s = nn_graph_scratch(g, sizeof(*s));
    if (!s)
        return NULL;
    if (!conv_setup(x, w, b, &p, is1d, transposed, s))
        return nn_graph_fail(g, NC_EINVAL, transposed ? "conv_transpose" : "conv",
                             "input, weight, bias and parameters do not fit");
    int oh = transposed ? s->q.h : s->q.oh, ow = transposed ? s->q.w : s->q.ow;
    NNTensor *y = is1d ? nn_tensor3(g, s->n, s->cout, ow) : nn_tensor4(g, s->n, s->cout, oh, ow);
    if (!y)
        return NULL;
    init_output(y->data, b ? b->data : NULL, s->n, s->cout, (int64_t)oh * ow);
    int ok = 1;
    if (direct_path(g, s)) {
        for (int i = 0; i < s->n; i++)
            nn_conv_direct_stride1(x->data + img_offset(s, i, 0), &s->q, w->data, s->cout,
                                   y->data + col_offset(s, i, 0));
    } else {
        ok = transposed ? conv_apply_transpose(g, s, x->data, w->data, y->data)
                        : conv_apply(g, s, x->data, w->data, y->data, 1.0f);
    }
    if (!ok)
        return NULL;
    NNNode *n = nn_record(g, y, conv_backward, (NNTensor *[]){x, w, b}, 3);
    if (n)
        n->aux = s;
    return y;
}

NNTensor *nn_conv1d(NNGraph *g, NNTensor *x, NNTensor *w, NNTensor *b, NNConvParams p)
{
    return conv(g, x, w, b, p, 1, 0);
}

NNTensor *nn_conv2d(NNGraph *g, NNTensor *x, NNTensor *w, NNTensor *b, NNConvParams p)
{
    return conv(g, x, w, b, p, 0, 0);
}

NNTensor *nn_conv_transpose1d(NNGraph *g, NNTensor *x, NNTensor *w, NNTensor *b,
                              NNConvParams p)
{
    return conv(g, x, w, b, p, 1, 1);
}

NNTensor *nn_conv_transpose2d(NNGraph *g, NNTensor *x, NNTensor *w, NNTensor *b,
                              NNConvParams p)
{
    return conv(g, x, w, b, p, 0, 1);
}
