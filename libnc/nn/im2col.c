#include <stdint.h>
#include <string.h>

#include "libnc/nn/im2col.h"

int nn_patch_is_identity(const NNPatchGeom *q)
{
    return q->kh == 1 && q->kw == 1 && q->sh == 1 && q->sw == 1 && q->pt == 0 && q->pl == 0 &&
           q->oh == q->h && q->ow == q->w;
}

/* The output columns [*lo, *hi) whose input column ox sw - pl + off is inside [0, w). */
static void valid_range(int ow, int sw, int pl, int off, int w, int *lo, int *hi)
{
    int start = off - pl; /* input column at ox = 0 */
    *lo = start >= 0 ? 0 : (-start + sw - 1) / sw;
    int last = w - 1 - start; /* ox sw <= last */
    *hi = last < 0 ? 0 : last / sw + 1;
    if (*hi > ow)
        *hi = ow;
    if (*lo > *hi)
        *lo = *hi;
}

void nn_im2col(const float *img, const NNPatchGeom *q, float *col)
{
    int p = q->oh * q->ow;
    for (int ch = 0; ch < q->c; ch++)
        for (int i = 0; i < q->kh; i++)
            for (int j = 0; j < q->kw; j++) {
                float *row = col + (((int64_t)ch * q->kh + i) * q->kw + j) * p;
                int lo, hi;
                valid_range(q->ow, q->sw, q->pl, j * q->dw, q->w, &lo, &hi);
                for (int oy = 0; oy < q->oh; oy++) {
                    float *dst = row + (int64_t)oy * q->ow;
                    int iy = oy * q->sh - q->pt + i * q->dh;
                    if (iy < 0 || iy >= q->h) {
                        memset(dst, 0, sizeof(float) * (size_t)q->ow);
                        continue;
                    }
                    /* index of output column 0, which may lie left of the row */
                    int64_t base = ((int64_t)ch * q->h + iy) * q->w - q->pl + j * q->dw;
                    memset(dst, 0, sizeof(float) * (size_t)lo);
                    if (q->sw == 1 && hi > lo)
                        memcpy(dst + lo, img + base + lo, sizeof(float) * (size_t)(hi - lo));
                    else
                        for (int ox = lo; ox < hi; ox++)
                            dst[ox] = img[base + (int64_t)ox * q->sw];
                    memset(dst + hi, 0, sizeof(float) * (size_t)(q->ow - hi));
                }
            }
}

void nn_col2im_add(const float *col, const NNPatchGeom *q, float *img)
{
    int p = q->oh * q->ow;
    for (int ch = 0; ch < q->c; ch++)
        for (int i = 0; i < q->kh; i++)
            for (int j = 0; j < q->kw; j++) {
                const float *row = col + (((int64_t)ch * q->kh + i) * q->kw + j) * p;
                int lo, hi;
                valid_range(q->ow, q->sw, q->pl, j * q->dw, q->w, &lo, &hi);
                for (int oy = 0; oy < q->oh; oy++) {
                    int iy = oy * q->sh - q->pt + i * q->dh;
                    if (iy < 0 || iy >= q->h)
                        continue;
                    const float *src = row + (int64_t)oy * q->ow;
                    int64_t base = ((int64_t)ch * q->h + iy) * q->w - q->pl + j * q->dw;
                    for (int ox = lo; ox < hi; ox++)
                        img[base + (int64_t)ox * q->sw] += src[ox];
                }
            }
}
