/* Residual vector quantizer: search and reconstruction (rvq.h). */
#include <stdlib.h>
#include <string.h>

#include "libnc/vq/rvq.h"
#include "nc/error.h"

int vq_init(NCRvq *q, int stages, int codes, int dim)
{
    memset(q, 0, sizeof(*q));
    if (stages < 1 || stages > 64 || codes < 1 || codes > 65536 || dim < 1 || dim > 4096)
        return NC_EINVAL;
    size_t n = (size_t)stages * (size_t)codes * (size_t)dim;
    q->cb = calloc(n, sizeof(float));
    q->cbt = calloc(n, sizeof(float));
    q->norm2 = calloc((size_t)stages * (size_t)codes, sizeof(float));
    if (!q->cb || !q->cbt || !q->norm2) {
        vq_free(q);
        return NC_ENOMEM;
    }
    q->stages = stages;
    q->codes = codes;
    q->dim = dim;
    return 0;
}

void vq_free(NCRvq *q)
{
    free(q->cb);
    free(q->cbt);
    free(q->norm2);
    memset(q, 0, sizeof(*q));
}

void vq_refresh(NCRvq *q, int s)
{
    const int K = q->codes, D = q->dim;
    const float *cb = q->cb + (size_t)s * K * D;
    float *cbt = q->cbt + (size_t)s * K * D;
    float *n2 = q->norm2 + (size_t)s * K;
    for (int k = 0; k < K; k++) {
        float acc = 0.0f;
        for (int d = 0; d < D; d++) {
            float v = cb[(size_t)k * D + d];
            cbt[(size_t)d * K + k] = v;
            acc += v * v;
        }
        n2[k] = acc;
    }
}

void vq_set_codebook(NCRvq *q, int s, const float *data)
{
    const size_t per = (size_t)q->codes * (size_t)q->dim;
    if (s < 0) {
        memcpy(q->cb, data, per * (size_t)q->stages * sizeof(float));
        for (int i = 0; i < q->stages; i++) vq_refresh(q, i);
        return;
    }
    memcpy(q->cb + per * (size_t)s, data, per * sizeof(float));
    vq_refresh(q, s);
}

int vq_nearest(const NCRvq *q, int s, const float *x, float *dist)
{
    const int K = q->codes, D = q->dim;
    const float *cbt = q->cbt + (size_t)s * K * D;
    /* ||x - c||^2 = ||x||^2 - 2 x.c + ||c||^2; ||x||^2 is the same for every c. */
    for (int k = 0; k < K; k++) dist[k] = 0.0f;
    for (int d = 0; d < D; d++) {
        const float xd = x[d];
        const float *row = cbt + (size_t)d * K;
        for (int k = 0; k < K; k++) dist[k] += xd * row[k];
    }
    const float *n2 = q->norm2 + (size_t)s * K;
    int best = 0;
    float best_d = n2[0] - 2.0f * dist[0];
    for (int k = 1; k < K; k++) {
        float dk = n2[k] - 2.0f * dist[k];
        if (dk < best_d) {
            best_d = dk;
            best = k;
        }
    }
    return best;
}

void vq_encode(const NCRvq *q, const float *x, int n, int *idx, float *out, float *res,
                   float *scratch)
{
    const int D = q->dim;
    float *dist = scratch, *r = scratch + q->codes, *acc = r + D;
    memcpy(r, x, (size_t)D * sizeof(float));
    memset(acc, 0, (size_t)D * sizeof(float));
    for (int s = 0; s < n; s++) {
        int k = vq_nearest(q, s, r, dist);
        const float *c = q->cb + ((size_t)s * q->codes + (size_t)k) * D;
        idx[s] = k;
        for (int d = 0; d < D; d++) {
            r[d] -= c[d];
            acc[d] += c[d];
        }
    }
    if (out)
        memcpy(out, acc, (size_t)D * sizeof(float));
    if (res)
        memcpy(res, r, (size_t)D * sizeof(float));
}

void vq_decode(const NCRvq *q, const int *idx, int n, float *out)
{
    const int D = q->dim;
    memset(out, 0, (size_t)D * sizeof(float));
    for (int s = 0; s < n; s++) {
        const float *c = q->cb + ((size_t)s * q->codes + (size_t)idx[s]) * D;
        for (int d = 0; d < D; d++) out[d] += c[d];
    }
}
