/* NN_W_I8A16 (kernels.h): the weight packing, the activation quantizer and the plain
 * C GEMM that every table reproduces bit for bit (exact integer sums, then the same
 * float operations in the same order). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "libnc/nn/kernels_impl.h"
#include "nc/error.h"

int nn_i8a16_pack(const int8_t *q, int cin, int cout, int8_t *out)
{
    if (cin > NN_I8A16_MAX_CIN) return NC_EINVAL;
    memset(out, 0, nn_i8a16_packed_len(cin, cout)); /* the pads */
    for (int i = 0; i < cin; i++)
        for (int o = 0; o < cout; o++) out[nn_i8a16_offset(cin, cout, i / 2, o) + i % 2] = q[(size_t)i * cout + o];
    return 0;
}

float nn_i8a16_quantize(const float *x, int n, int16_t *q)
{
    float m = 0.0f;
    for (int i = 0; i < n; i++) {
        const float a = fabsf(x[i]);
        if (a <= 3.4028235e38f && a > m) m = a; /* finite only (NaN fails both) */
    }
    q[n] = 0;
    if (!(m >= 0x1p-100f)) {
        for (int i = 0; i < n; i++) q[i] = 0;
        return 0.0f;
    }
    const float inv = (float)NN_I8A16_LEVELS / m;
    for (int i = 0; i < n; i++) {
        const float a = fabsf(x[i]);
        q[i] = a <= 3.4028235e38f ? (int16_t)lrintf(x[i] * inv) : 0;
    }
    return m / (float)NN_I8A16_LEVELS;
}

/* One row of outputs from that row quantized (q, scale s). */
static void i8a16_row(float *yr, const int16_t *q, float s, const NNWeights *w)
{
    const int pairs = (w->cin + 1) / 2;
    const int8_t *pw = w->data;
    for (int o = 0; o < w->cout; o++) {
        int32_t acc = 0;
        for (int p = 0; p < pairs; p++) {
            const int8_t *wp = pw + nn_i8a16_offset(w->cin, w->cout, p, o);
            acc += (int32_t)q[2 * p] * wp[0] + (int32_t)q[2 * p + 1] * wp[1];
        }
        yr[o] += (float)acc * (s * w->scale[o]);
    }
}

void nn_gemm_i8a16_ref(float *y, int ldy, const float *x, int ldx, int rows, const NNWeights *w)
{
    int16_t q[NN_I8A16_MAX_CIN + 1];
    if (w->cin > NN_I8A16_MAX_CIN) return; /* nn_i8a16_pack refuses such weights */
    for (int r = 0; r < rows; r++) {
        const float s = nn_i8a16_quantize(x + (size_t)r * ldx, w->cin, q);
        i8a16_row(y + (size_t)r * ldy, q, s, w);
    }
}
