/* Pointwise operations: arithmetic and activations. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "libnc/nn/det_math.h"
#include "libnc/nn/ops.h"
#include "libnc/nn/simd.h"
#include "nc/error.h"

enum UnaryKind {
    U_SCALE, U_RELU, U_LEAKY, U_ELU, U_GELU, U_SILU, U_TANH, U_SIGMOID, U_SIN, U_ABS, U_LOG, U_SQRT, U_ADDC,
};

/* e^x for x in [-87, 0], branch-free so that loops over it vectorize: round
 * x log2(e) to an integer k with the 1.5 * 2^23 trick, a degree-6 polynomial for
 * e^r on |r| <= ln2 / 2, and 2^k from the exponent bits. Relative error ~2e-7. */
static inline float exp_nonpositive(float x)
{
    x = x < -87.0f ? -87.0f : x;
    float kf = (x * 1.44269502f + 12582912.0f) - 12582912.0f;
    float r = (x - kf * 0.693145751953125f) - kf * 1.42860677e-06f;
    float p = 1.0f + r * (1.0f + r * (0.5f + r * (1.66666672e-1f + r * (4.16666679e-2f +
                                                   r * (8.33333377e-3f + r * 1.38888892e-3f)))));
    int32_t bits = ((int32_t)kf + 127) << 23;
    float scale;
    memcpy(&scale, &bits, 4);
    return p * scale;
}

/* erf for the training path (Abramowitz & Stegun 7.1.26, absolute error below
 * 2e-7), vectorizable; the deterministic mode uses det_math.h instead. */
static inline float erf_fast(float x)
{
    float a = fabsf(x);
    float t = 1.0f / (1.0f + 0.3275911f * a);
    float poly = t * (0.254829592f +
                      t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
    float y = 1.0f - poly * exp_nonpositive(-a * a);
    return copysignf(y, x);
}

/* Branch-free (vectorizes): e = e^-|x|, then 1 / (1 + e) or e / (1 + e). */
static inline float sigmoidf(float x)
{
    float e = exp_nonpositive(-fabsf(x)), s = 1.0f / (1.0f + e);
    return x >= 0 ? s : e * s;
}

static inline float unary_forward(int kind, float x, float p)
{
    switch (kind) {
    case U_SCALE: return p * x;
    case U_RELU: return x > 0 ? x : 0;
    case U_LEAKY: return x > 0 ? x : p * x;
    case U_ELU: return x > 0 ? x : p * (exp_nonpositive(x < 0 ? x : 0.0f) - 1.0f);
    case U_GELU: return 0.5f * x * (1.0f + erf_fast(x * (float)M_SQRT1_2));
    case U_SILU: return x * sigmoidf(x);
    case U_TANH: return tanhf(x);
    case U_SIGMOID: return sigmoidf(x);
    case U_SIN: return sinf(x);
    case U_ABS: return fabsf(x);
    case U_LOG: return logf(x + p);
    case U_SQRT: return sqrtf(x);
    case U_ADDC: return x + p;
    default: return 0;
    }
}

/* The deterministic forms (det_math.h); the exact ops need none. */
static float unary_forward_det(int kind, float x, float p)
{
    switch (kind) {
    case U_ELU: return x > 0 ? x : p * nn_det_expm1(x);
    case U_GELU: return nn_det_gelu(x);
    case U_SILU: return x * nn_det_sigmoid(x);
    case U_TANH: return nn_det_tanh(x);
    case U_SIGMOID: return nn_det_sigmoid(x);
    case U_LOG: return nn_det_log(x + p);
    default: return unary_forward(kind, x, p);
    }
}

/* dy/dx from the input x and the output y. */
static inline float unary_derivative(int kind, float x, float y, float p)
{
    switch (kind) {
    case U_SCALE: return p;
    case U_RELU: return x > 0 ? 1.0f : 0.0f;
    case U_LEAKY: return x > 0 ? 1.0f : p;
    case U_ELU: return x > 0 ? 1.0f : y + p;
    case U_GELU: /* y = x Phi(x), so Phi = y / x: no second erf */
        return (x != 0 ? y / x : 0.5f) +
               x * exp_nonpositive(-0.5f * x * x) * (float)(0.5 * M_2_SQRTPI * M_SQRT1_2);
    case U_SILU: { /* y = x sigmoid(x), so sigmoid = y / x: no second exp */
        float s = x != 0 ? y / x : 0.5f;
        return s * (1.0f + x * (1.0f - s));
    }
    case U_TANH: return 1.0f - y * y;
    case U_SIGMOID: return y * (1.0f - y);
    case U_SIN: return cosf(x);
    case U_ABS: return x > 0 ? 1.0f : x < 0 ? -1.0f : 0.0f;
    case U_LOG: return 1.0f / (x + p);
    case U_SQRT: return y > 0 ? 0.5f / y : 0.0f;
    case U_ADDC: return 1.0f;
    default: return 0;
    }
}

/* The pointwise loops are cloned for AVX-512 and AVX2 (simd.h): the exp and erf
 * polynomials are compute-bound, and 16 lanes beat 4. */
/* One loop per kind, so the switch folds away and each loop vectorizes. */
#define UNARY_KINDS(X)                                                                      \
    X(U_SCALE) X(U_RELU) X(U_LEAKY) X(U_ELU) X(U_GELU) X(U_SILU) X(U_TANH) X(U_SIGMOID)     \
    X(U_SIN) X(U_ABS) X(U_LOG) X(U_SQRT) X(U_ADDC)

NN_SIMD_CLONES
static void forward_loop(int kind, const float *restrict x, float *restrict y, int64_t count,
                         float p)
{
#define FORWARD_CASE(K)                                                                     \
    case K:                                                                                 \
        for (int64_t i = 0; i < count; i++)                                                 \
            y[i] = unary_forward(K, x[i], p);                                               \
        break;
    switch (kind) { UNARY_KINDS(FORWARD_CASE) }
#undef FORWARD_CASE
}

NN_SIMD_CLONES
static void backward_loop(int kind, const float *restrict x, const float *restrict y,
                          const float *restrict gy, float *restrict gx, int64_t count, float p)
{
#define BACKWARD_CASE(K)                                                                    \
    case K:                                                                                 \
        for (int64_t i = 0; i < count; i++)                                                 \
            gx[i] += gy[i] * unary_derivative(K, x[i], y[i], p);                             \
        break;
    switch (kind) { UNARY_KINDS(BACKWARD_CASE) }
#undef BACKWARD_CASE
}

static void unary_backward(NNGraph *g, NNNode *n)
{
    NNTensor *x = n->in[0], *y = n->out;
    float *gx = nn_grad(g, x);
    if (gx)
        backward_loop(n->iarg[0], x->data, y->data, y->grad, gx, x->numel, n->farg[0]);
}

static NNTensor *unary(NNGraph *g, NNTensor *x, int kind, float p)
{
    if (!x)
        return NULL;
    int det = nn_graph_deterministic(g);
    if (det && kind == U_SIN)
        return nn_graph_fail(g, NC_ENOTSUP, "sin", "no deterministic form");
    NNTensor *y = nn_tensor(g, x->ndim, x->shape);
    if (!y)
        return NULL;
    if (det) {
        for (int64_t i = 0; i < x->numel; i++)
            y->data[i] = unary_forward_det(kind, x->data[i], p);
    } else {
        forward_loop(kind, x->data, y->data, x->numel, p);
    }
    NNNode *n = nn_record(g, y, unary_backward, &x, 1);
    if (n) {
        n->iarg[0] = kind;
        n->farg[0] = p;
    }
    return y;
}

NNTensor *nn_scale(NNGraph *g, NNTensor *x, float s) { return unary(g, x, U_SCALE, s); }
NNTensor *nn_relu(NNGraph *g, NNTensor *x) { return unary(g, x, U_RELU, 0); }
NNTensor *nn_leaky_relu(NNGraph *g, NNTensor *x, float slope) { return unary(g, x, U_LEAKY, slope); }
NNTensor *nn_elu(NNGraph *g, NNTensor *x, float alpha) { return unary(g, x, U_ELU, alpha); }
NNTensor *nn_gelu(NNGraph *g, NNTensor *x) { return unary(g, x, U_GELU, 0); }
NNTensor *nn_silu(NNGraph *g, NNTensor *x) { return unary(g, x, U_SILU, 0); }
NNTensor *nn_tanh(NNGraph *g, NNTensor *x) { return unary(g, x, U_TANH, 0); }
NNTensor *nn_sigmoid(NNGraph *g, NNTensor *x) { return unary(g, x, U_SIGMOID, 0); }
NNTensor *nn_sin(NNGraph *g, NNTensor *x) { return unary(g, x, U_SIN, 0); }
NNTensor *nn_abs(NNGraph *g, NNTensor *x) { return unary(g, x, U_ABS, 0); }
NNTensor *nn_log(NNGraph *g, NNTensor *x, float eps) { return unary(g, x, U_LOG, eps); }
NNTensor *nn_sqrt(NNGraph *g, NNTensor *x) { return unary(g, x, U_SQRT, 0); }
NNTensor *nn_add_const(NNGraph *g, NNTensor *x, float c) { return unary(g, x, U_ADDC, c); }

enum BinaryKind { B_ADD, B_SUB, B_MUL, B_DIV };

static void binary_backward(NNGraph *g, NNNode *n)
{
    NNTensor *a = n->in[0], *b = n->in[1];
    const float *gy = n->out->grad;
    int kind = n->iarg[0];
    if (a->requires_grad) {
        float *ga = nn_grad(g, a);
        for (int64_t i = 0; ga && i < a->numel; i++)
            ga[i] += kind == B_MUL ? gy[i] * b->data[i] : kind == B_DIV ? gy[i] / b->data[i] : gy[i];
    }
    if (b->requires_grad) {
        float *gb = nn_grad(g, b);
        for (int64_t i = 0; gb && i < b->numel; i++)
            gb[i] += kind == B_MUL   ? gy[i] * a->data[i]
                     : kind == B_SUB ? -gy[i]
                     : kind == B_DIV ? -gy[i] * n->out->data[i] / b->data[i]
                                     : gy[i];
    }
}

static NNTensor *binary(NNGraph *g, NNTensor *a, NNTensor *b, int kind)
{
    if (!a || !b)
        return NULL;
    if (!nn_same_shape(a, b))
        return nn_graph_fail(g, NC_EINVAL, "add/sub/mul", "shapes differ");
    NNTensor *y = nn_tensor(g, a->ndim, a->shape);
    if (!y)
        return NULL;
    for (int64_t i = 0; i < a->numel; i++)
        y->data[i] = kind == B_ADD   ? a->data[i] + b->data[i]
                     : kind == B_SUB ? a->data[i] - b->data[i]
                     : kind == B_MUL ? a->data[i] * b->data[i]
                                     : a->data[i] / b->data[i];
    NNNode *n = nn_record(g, y, binary_backward, (NNTensor *[]){a, b}, 2);
    if (n)
        n->iarg[0] = kind;
    return y;
}

NNTensor *nn_add(NNGraph *g, NNTensor *a, NNTensor *b) { return binary(g, a, b, B_ADD); }
NNTensor *nn_sub(NNGraph *g, NNTensor *a, NNTensor *b) { return binary(g, a, b, B_SUB); }
NNTensor *nn_mul(NNGraph *g, NNTensor *a, NNTensor *b) { return binary(g, a, b, B_MUL); }
NNTensor *nn_div(NNGraph *g, NNTensor *a, NNTensor *b) { return binary(g, a, b, B_DIV); }

/* Snake over x [N, C, ...] with alpha [C]. */
static void snake_backward(NNGraph *g, NNNode *n)
{
    NNTensor *x = n->in[0], *al = n->in[1];
    const float *gy = n->out->grad;
    int64_t inner = nn_inner_size(x, 2), c_n = x->shape[1];
    float *gx = x->requires_grad ? nn_grad(g, x) : NULL;
    float *ga = al->requires_grad ? nn_grad(g, al) : NULL;
    for (int64_t i = 0; i < x->numel; i++) {
        int64_t c = i / inner % c_n;
        float a = al->data[c], v = x->data[i], s = sinf(a * v), co = cosf(a * v);
        if (gx) /* d/dx = 1 + sin(2 a x) */
            gx[i] += gy[i] * (1.0f + 2.0f * s * co);
        if (ga) /* d/da = (2 a x sin cos - sin^2) / a^2 */
            ga[c] += gy[i] * (2.0f * a * v * s * co - s * s) / (a * a);
    }
}

NNTensor *nn_snake(NNGraph *g, NNTensor *x, NNTensor *alpha)
{
    if (!x || !alpha)
        return NULL;
    if (x->ndim < 2 || alpha->numel != x->shape[1])
        return nn_graph_fail(g, NC_EINVAL, "snake", "alpha needs one value per channel");
    if (nn_graph_deterministic(g))
        return nn_graph_fail(g, NC_ENOTSUP, "snake", "no deterministic form");
    NNTensor *y = nn_tensor(g, x->ndim, x->shape);
    if (!y)
        return NULL;
    int64_t inner = nn_inner_size(x, 2), c_n = x->shape[1];
    for (int64_t i = 0; i < x->numel; i++) {
        float a = alpha->data[i / inner % c_n], s = sinf(a * x->data[i]);
        y->data[i] = x->data[i] + s * s / a;
    }
    nn_record(g, y, snake_backward, (NNTensor *[]){x, alpha}, 2);
    return y;
}
