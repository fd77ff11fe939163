#include <stdint.h>

#include "libnc/nn/conv_direct.h"
#include "libnc/nn/simd.h"

NN_SIMD_CLONES
void nn_conv_direct_stride1(const float *x, const NNPatchGeom *q, const float *w, int cout,
                            float *y)
{
    int kk = q->kh * q->kw;
    for (int co = 0; co < cout; co++) {
        float *yc = y + (int64_t)co * q->oh * q->ow;
        for (int ci = 0; ci < q->c; ci++) {
            const float *xc = x + (int64_t)ci * q->h * q->w;
            for (int i = 0; i < q->kh; i++)
                for (int j = 0; j < q->kw; j++) {
                    float wv = w[((int64_t)co * q->c + ci) * kk + i * q->kw + j];
                    int dx = j * q->dw - q->pl; /* input column = output column + dx */
                    int lo = dx < 0 ? -dx : 0, hi = q->w - dx < q->ow ? q->w - dx : q->ow;
                    for (int oy = 0; oy < q->oh; oy++) {
                        int iy = oy - q->pt + i * q->dh;
                        if (iy < 0 || iy >= q->h || lo >= hi)
                            continue;
                        float *restrict yr = yc + (int64_t)oy * q->ow;
                        const float *restrict xr = xc + (int64_t)iy * q->w + dx;
                        for (int ox = lo; ox < hi; ox++)
                            yr[ox] += wv * xr[ox];
                    }
                }
        }
    }
}

NN_SIMD_CLONES
void nn_conv_direct_weight_grad_stride1(const float *x, const NNPatchGeom *q, const float *dy,
                                        int cout, float *dw)
{
    int kk = q->kh * q->kw;
    for (int co = 0; co < cout; co++) {
        const float *dyc = dy + (int64_t)co * q->oh * q->ow;
        for (int ci = 0; ci < q->c; ci++) {
            const float *xc = x + (int64_t)ci * q->h * q->w;
            for (int i = 0; i < q->kh; i++)
                for (int j = 0; j < q->kw; j++) {
                    int dx = j * q->dw - q->pl;
                    int lo = dx < 0 ? -dx : 0, hi = q->w - dx < q->ow ? q->w - dx : q->ow;
                    /* 16 independent partial sums, so the loop vectorizes without
                     * reassociating any one of them */
                    float lanes[16] = {0};
                    float tail = 0;
                    for (int oy = 0; oy < q->oh; oy++) {
                        int iy = oy - q->pt + i * q->dh;
                        if (iy < 0 || iy >= q->h || lo >= hi)
                            continue;
                        const float *yr = dyc + (int64_t)oy * q->ow;
                        const float *xr = xc + (int64_t)iy * q->w + dx;
                        int ox = lo;
                        for (; ox + 16 <= hi; ox += 16)
                            for (int l = 0; l < 16; l++)
                                lanes[l] += yr[ox + l] * xr[ox + l];
                        for (; ox < hi; ox++)
                            tail += yr[ox] * xr[ox];
                    }
                    float sum = tail;
                    for (int l = 0; l < 16; l++)
                        sum += lanes[l];
                    dw[((int64_t)co * q->c + ci) * kk + i * q->kw + j] += sum;
                }
        }
    }
}
