/* k-means, EMA updates and dead-code restarts for the quantizer (rvq_train.h). */
#include <stdlib.h>
#include <string.h>

#include "libnc/vq/rvq_train.h"
#include "libnc/rng.h"
#include "nc/error.h"


static int random_below(uint64_t *s, int n)
{
    return (int)(nci_splitmix64(s) % (uint64_t)n);
}

int vq_ema_init(NCRvqEma *e, const NCRvq *q, float decay, float dead_below, uint64_t seed)
{
    memset(e, 0, sizeof(*e));
    size_t kc = (size_t)q->stages * (size_t)q->codes;
    e->count = calloc(kc, sizeof(float));
    e->sum = calloc(kc * (size_t)q->dim, sizeof(float));
    if (!e->count || !e->sum) {
        vq_ema_free(e);
        return NC_ENOMEM;
    }
    e->decay = decay;
    e->dead_below = dead_below;
    e->rng = seed;
    return 0;
}

void vq_ema_free(NCRvqEma *e)
{
    free(e->count);
    free(e->sum);
    memset(e, 0, sizeof(*e));
}

void vq_ema_reset(NCRvqEma *e, const NCRvq *q, float prior)
{
    size_t kc = (size_t)q->stages * (size_t)q->codes;
    for (size_t i = 0; i < kc; i++) {
        e->count[i] = prior;
        for (int d = 0; d < q->dim; d++)
            e->sum[i * (size_t)q->dim + (size_t)d] = prior * q->cb[i * (size_t)q->dim + (size_t)d];
    }
}

int vq_kmeans(NCRvq *q, int s, const float *x, int n, int iters, uint64_t *rng)
{
    const int K = q->codes, D = q->dim;
    float *cb = q->cb + (size_t)s * K * D;
    float *sums = calloc((size_t)K * D, sizeof(float));
    int *counts = calloc((size_t)K, sizeof(int));
    float *dist = malloc((size_t)K * sizeof(float));
    if (!sums || !counts || !dist || n < 1) {
        free(sums);
        free(counts);
        free(dist);
        return n < 1 ? NC_EINVAL : NC_ENOMEM;
    }
    for (int k = 0; k < K; k++)
        memcpy(cb + (size_t)k * D, x + (size_t)random_below(rng, n) * D, (size_t)D * sizeof(float));
    vq_refresh(q, s);
    for (int it = 0; it < iters; it++) {
        memset(sums, 0, (size_t)K * D * sizeof(float));
        memset(counts, 0, (size_t)K * sizeof(int));
        for (int i = 0; i < n; i++) {
            const float *xi = x + (size_t)i * D;
            int k = vq_nearest(q, s, xi, dist);
            counts[k]++;
            for (int d = 0; d < D; d++) sums[(size_t)k * D + d] += xi[d];
        }
        for (int k = 0; k < K; k++) {
            const float *src = x + (size_t)random_below(rng, n) * D;
            for (int d = 0; d < D; d++)
                cb[(size_t)k * D + d] = counts[k] ? sums[(size_t)k * D + d] / (float)counts[k] : src[d];
        }
        vq_refresh(q, s);
    }
    free(sums);
    free(counts);
    free(dist);
    return 0;
}

int vq_kmeans_init(NCRvq *q, const float *x, int n, int iters, uint64_t seed)
{
    const int D = q->dim;
    float *res = malloc((size_t)n * D * sizeof(float));
    float *dist = malloc((size_t)q->codes * sizeof(float));
    int ret = res && dist ? 0 : NC_ENOMEM;
    if (!ret)
        memcpy(res, x, (size_t)n * D * sizeof(float));
    for (int s = 0; s < q->stages && !ret; s++) {
        ret = vq_kmeans(q, s, res, n, iters, &seed);
        for (int i = 0; i < n && !ret; i++) {
            float *r = res + (size_t)i * D;
            int k = vq_nearest(q, s, r, dist);
            const float *c = q->cb + ((size_t)s * q->codes + (size_t)k) * D;
            for (int d = 0; d < D; d++) r[d] -= c[d];
        }
    }
    free(res);
    free(dist);
    return ret;
}

int vq_ema_update(NCRvqEma *e, NCRvq *q, const float *x, int n)
{
    const int K = q->codes, D = q->dim;
    float *res = malloc((size_t)n * D * sizeof(float));
    float *seen = malloc((size_t)n * D * sizeof(float)); /* what the stage quantized */
    float *bsum = malloc((size_t)K * D * sizeof(float));
    float *bcount = malloc((size_t)K * sizeof(float));
    float *dist = malloc((size_t)K * sizeof(float));
    if (!res || !seen || !bsum || !bcount || !dist) {
        free(res);
        free(seen);
        free(bsum);
        free(bcount);
        free(dist);
        return NC_ENOMEM;
    }
    memcpy(res, x, (size_t)n * D * sizeof(float));
    const float a = e->decay, b = 1.0f - e->decay;
    for (int s = 0; s < q->stages; s++) {
        memset(bsum, 0, (size_t)K * D * sizeof(float));
        memset(bcount, 0, (size_t)K * sizeof(float));
        float *cb = q->cb + (size_t)s * K * D;
        memcpy(seen, res, (size_t)n * D * sizeof(float));
        /* assign with the codebook as it was, then step each residual on */
        for (int i = 0; i < n; i++) {
            float *r = res + (size_t)i * D;
            int k = vq_nearest(q, s, r, dist);
            bcount[k] += 1.0f;
            for (int d = 0; d < D; d++) {
                bsum[(size_t)k * D + d] += r[d];
                r[d] -= cb[(size_t)k * D + d];
            }
        }
        float *cnt = e->count + (size_t)s * K, *sum = e->sum + (size_t)s * K * D;
        for (int k = 0; k < K; k++) {
            cnt[k] = a * cnt[k] + b * bcount[k];
            for (int d = 0; d < D; d++)
                sum[(size_t)k * D + d] = a * sum[(size_t)k * D + d] + b * bsum[(size_t)k * D + d];
            if (cnt[k] < e->dead_below) {
                /* dead: restart on a random vector this stage was given */
                const float *r = seen + (size_t)random_below(&e->rng, n) * D;
                for (int d = 0; d < D; d++) sum[(size_t)k * D + d] = r[d] * e->dead_below * 2.0f;
                cnt[k] = e->dead_below * 2.0f;
                e->restarts++;
            }
            for (int d = 0; d < D; d++) cb[(size_t)k * D + d] = sum[(size_t)k * D + d] / cnt[k];
        }
        vq_refresh(q, s);
    }
    free(res);
    free(seen);
    free(bsum);
    free(bcount);
    free(dist);
    return 0;
}
