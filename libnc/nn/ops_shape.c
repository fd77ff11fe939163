/* Operations that move elements around: pixel shuffle, upsampling, concat, slice.
 * Each forward is a gather; each backward is the matching scatter-add. */
#include <string.h>

#include "libnc/nn/ops.h"
#include "nc/error.h"

/* ---- pixel shuffle: y[n][c][h r + i][w r + j] = x[n][c r^2 + i r + j][h][w] ---- */
static void pixel_shuffle_run(const NNTensor *x, int r, float *y, const float *gy, float *gx)
{
    int n = x->shape[0], c = x->shape[1] / (r * r), h = x->shape[2], w = x->shape[3];
    for (int b = 0; b < n; b++)
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < r; i++)
                for (int j = 0; j < r; j++) {
                    const int64_t src = (((int64_t)b * c + ch) * r * r + i * r + j) * h * w;
                    for (int yy = 0; yy < h; yy++)
                        for (int xx = 0; xx < w; xx++) {
                            int64_t dst = (((int64_t)b * c + ch) * h * r + yy * r + i) * w * r +
                                          xx * r + j;
                            int64_t at = src + (int64_t)yy * w + xx;
                            if (y)
                                y[dst] = x->data[at];
                            else
                                gx[at] += gy[dst];
                        }
                }
}

static void pixel_shuffle_backward(NNGraph *g, NNNode *n)
{
    float *gx = nn_grad(g, n->in[0]);
    if (gx)
        pixel_shuffle_run(n->in[0], n->iarg[0], NULL, n->out->grad, gx);
}

NNTensor *nn_pixel_shuffle(NNGraph *g, NNTensor *x, int r)
{
    if (!x)
        return NULL;
    if (x->ndim != 4 || r < 1 || x->shape[1] % (r * r))
        return nn_graph_fail(g, NC_EINVAL, "pixel_shuffle", "channels not a multiple of r^2");
    NNTensor *y = nn_tensor4(g, x->shape[0], x->shape[1] / (r * r), x->shape[2] * r,
                             x->shape[3] * r);
    if (!y)
        return NULL;
    pixel_shuffle_run(x, r, y->data, NULL, NULL);
    NNNode *n = nn_record(g, y, pixel_shuffle_backward, &x, 1);
    if (n)
        n->iarg[0] = r;
    return y;
}

/* ---- transpose of the last two dims of a 3-d tensor: y[n][j][i] = x[n][i][j] ---- */
static void transpose_run(const NNTensor *x, float *y, const float *gy, float *gx)
{
    int n = x->shape[0], a = x->shape[1], b = x->shape[2];
    for (int s = 0; s < n; s++)
        for (int i = 0; i < a; i++)
            for (int j = 0; j < b; j++) {
                int64_t at = ((int64_t)s * a + i) * b + j, dst = ((int64_t)s * b + j) * a + i;
                if (y)
                    y[dst] = x->data[at];
                else
                    gx[at] += gy[dst];
            }
}

static void transpose_backward(NNGraph *g, NNNode *n)
{
    float *gx = nn_grad(g, n->in[0]);
    if (gx)
        transpose_run(n->in[0], NULL, n->out->grad, gx);
}

NNTensor *nn_transpose12(NNGraph *g, NNTensor *x)
{
    if (!x)
        return NULL;
    if (x->ndim != 3)
        return nn_graph_fail(g, NC_EINVAL, "transpose12", "needs a 3-d tensor");
    NNTensor *y = nn_tensor3(g, x->shape[0], x->shape[2], x->shape[1]);
    if (!y)
        return NULL;
    transpose_run(x, y->data, NULL, NULL);
    nn_record(g, y, transpose_backward, &x, 1);
    return y;
}

/* ---- nearest upsampling of the last dimension (3-d input) or last two (4-d) ---- */
static void nearest_run(const NNTensor *x, int s, float *y, const float *gy, float *gx)
{
    int two_d = x->ndim == 4;
    int h = two_d ? x->shape[2] : 1, w = x->shape[x->ndim - 1], sh = two_d ? s : 1;
    int64_t planes = (int64_t)x->shape[0] * x->shape[1];
    for (int64_t p = 0; p < planes; p++)
        for (int yy = 0; yy < h * sh; yy++)
            for (int xx = 0; xx < w * s; xx++) {
                int64_t at = (p * h + yy / sh) * w + xx / s;
                int64_t dst = (p * h * sh + yy) * w * s + xx;
                if (y)
                    y[dst] = x->data[at];
                else
                    gx[at] += gy[dst];
            }
}

static void nearest_backward(NNGraph *g, NNNode *n)
{
    float *gx = nn_grad(g, n->in[0]);
    if (gx)
        nearest_run(n->in[0], n->iarg[0], NULL, n->out->grad, gx);
}

NNTensor *nn_upsample_nearest(NNGraph *g, NNTensor *x, int scale)
{
    if (!x)
        return NULL;
    if ((x->ndim != 3 && x->ndim != 4) || scale < 1)
        return nn_graph_fail(g, NC_EINVAL, "upsample_nearest", "needs NCL or NCHW");
    int shape[4] = {x->shape[0], x->shape[1], x->shape[2] * scale, 0};
    if (x->ndim == 4) {
        shape[3] = x->shape[3] * scale;
    }
    NNTensor *y = nn_tensor(g, x->ndim, shape);
    if (!y)
        return NULL;
    nearest_run(x, scale, y->data, NULL, NULL);
    NNNode *n = nn_record(g, y, nearest_backward, &x, 1);
    if (n)
        n->iarg[0] = scale;
    return y;
}

/* ---- bilinear upsampling, align_corners=False (PyTorch's default) ---- */
/* Source index pair and weight of the second one for output position o. */
static void bilinear_tap(int o, int scale, int size, int *i0, int *i1, float *frac)
{
    float src = ((float)o + 0.5f) / (float)scale - 0.5f;
    if (src < 0)
        src = 0;
    *i0 = (int)src;
    if (*i0 > size - 1)
        *i0 = size - 1;
    *i1 = *i0 + (*i0 < size - 1);
    *frac = src - (float)*i0;
}

static void bilinear_run(const NNTensor *x, int s, float *y, const float *gy, float *gx)
{
    int h = x->shape[2], w = x->shape[3];
    int64_t planes = (int64_t)x->shape[0] * x->shape[1];
    for (int64_t p = 0; p < planes; p++) {
        const int64_t base = p * h * w;
        for (int oy = 0; oy < h * s; oy++) {
            int y0, y1;
            float fy;
            bilinear_tap(oy, s, h, &y0, &y1, &fy);
            for (int ox = 0; ox < w * s; ox++) {
                int x0, x1;
                float fx;
                bilinear_tap(ox, s, w, &x0, &x1, &fx);
                int64_t at[4] = {base + (int64_t)y0 * w + x0, base + (int64_t)y0 * w + x1,
                                 base + (int64_t)y1 * w + x0, base + (int64_t)y1 * w + x1};
                float wt[4] = {(1 - fy) * (1 - fx), (1 - fy) * fx, fy * (1 - fx), fy * fx};
                int64_t dst = (p * h * s + oy) * w * s + ox;
                if (y) {
                    y[dst] = wt[0] * x->data[at[0]] + wt[1] * x->data[at[1]] +
                             wt[2] * x->data[at[2]] + wt[3] * x->data[at[3]];
                } else {
                    for (int k = 0; k < 4; k++)
                        gx[at[k]] += wt[k] * gy[dst];
                }
            }
        }
    }
}

static void bilinear_backward(NNGraph *g, NNNode *n)
{
    float *gx = nn_grad(g, n->in[0]);
    if (gx)
        bilinear_run(n->in[0], n->iarg[0], NULL, n->out->grad, gx);
}

NNTensor *nn_upsample_bilinear(NNGraph *g, NNTensor *x, int scale)
{
    if (!x)
        return NULL;
    if (x->ndim != 4 || scale < 1)
        return nn_graph_fail(g, NC_EINVAL, "upsample_bilinear", "needs NCHW");
    NNTensor *y = nn_tensor4(g, x->shape[0], x->shape[1], x->shape[2] * scale,
                             x->shape[3] * scale);
    if (!y)
        return NULL;
    bilinear_run(x, scale, y->data, NULL, NULL);
    NNNode *n = nn_record(g, y, bilinear_backward, &x, 1);
    if (n)
        n->iarg[0] = scale;
    return y;
}

/* ---- concat and slice: copies of contiguous runs ---- */
/* outer = product of dims before dim, inner = product after. */
static void split_dims(const NNTensor *t, int dim, int64_t *outer, int64_t *inner)
{
    *outer = 1;
    for (int d = 0; d < dim; d++)
        *outer *= t->shape[d];
    *inner = nn_inner_size(t, dim + 1);
}

static void concat_backward(NNGraph *g, NNNode *n)
{
    int dim = n->iarg[0];
    int64_t outer, inner;
    split_dims(n->out, dim, &outer, &inner);
    int64_t la = n->in[0]->shape[dim] * inner, lb = n->in[1]->shape[dim] * inner;
    for (int k = 0; k < 2; k++) {
        NNTensor *t = n->in[k];
        if (!t->requires_grad || !nn_grad(g, t))
            continue;
        int64_t len = k ? lb : la, off = k ? la : 0;
        for (int64_t o = 0; o < outer; o++)
            for (int64_t i = 0; i < len; i++)
                t->grad[o * len + i] += n->out->grad[o * (la + lb) + off + i];
    }
}

NNTensor *nn_concat(NNGraph *g, NNTensor *a, NNTensor *b, int dim)
{
    if (!a || !b)
        return NULL;
    int ok = a->ndim == b->ndim && dim >= 0 && dim < a->ndim;
    for (int d = 0; ok && d < a->ndim; d++)
        ok = d == dim || a->shape[d] == b->shape[d];
    if (!ok)
        return nn_graph_fail(g, NC_EINVAL, "concat", "shapes differ outside dim");
    int shape[NN_MAX_DIMS];
    memcpy(shape, a->shape, sizeof(shape));
    shape[dim] += b->shape[dim];
    NNTensor *y = nn_tensor(g, a->ndim, shape);
    if (!y)
        return NULL;
    int64_t outer, inner;
    split_dims(a, dim, &outer, &inner);
    int64_t la = a->shape[dim] * inner, lb = b->shape[dim] * inner;
    for (int64_t o = 0; o < outer; o++) {
        memcpy(y->data + o * (la + lb), a->data + o * la, sizeof(float) * (size_t)la);
        memcpy(y->data + o * (la + lb) + la, b->data + o * lb, sizeof(float) * (size_t)lb);
    }
    NNNode *n = nn_record(g, y, concat_backward, (NNTensor *[]){a, b}, 2);
    if (n)
        n->iarg[0] = dim;
    return y;
}

static void slice_backward(NNGraph *g, NNNode *n)
{
    NNTensor *x = n->in[0];
    int dim = n->iarg[0], start = n->iarg[1], len = n->iarg[2];
    if (!nn_grad(g, x))
        return;
    int64_t outer, inner;
    split_dims(x, dim, &outer, &inner);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < len * inner; i++)
            x->grad[(o * x->shape[dim] + start) * inner + i] += n->out->grad[o * len * inner + i];
}

NNTensor *nn_slice(NNGraph *g, NNTensor *x, int dim, int start, int len)
{
    if (!x)
        return NULL;
    if (dim < 0 || dim >= x->ndim || start < 0 || len < 1 || start > x->shape[dim] - len)
        return nn_graph_fail(g, NC_EINVAL, "slice", "range outside the tensor");
    int shape[NN_MAX_DIMS];
    memcpy(shape, x->shape, sizeof(shape));
    shape[dim] = len;
    NNTensor *y = nn_tensor(g, x->ndim, shape);
    if (!y)
        return NULL;
    int64_t outer, inner;
    split_dims(x, dim, &outer, &inner);
    for (int64_t o = 0; o < outer; o++)
        memcpy(y->data + o * len * inner, x->data + (o * x->shape[dim] + start) * inner,
               sizeof(float) * (size_t)(len * inner));
    NNNode *n = nn_record(g, y, slice_backward, &x, 1);
    if (n) {
        n->iarg[0] = dim;
        n->iarg[1] = start;
        n->iarg[2] = len;
    }
    return y;
}
