/* The residual quantizer: nearest-code search against a brute-force double
 * search, residual bookkeeping, k-means, EMA updates and dead-code restarts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "libnc/vq/rvq.h"
#include "libnc/vq/rvq_train.h"
#include "libnc/nn/params.h"
#include "tests/test.h"

static int brute_nearest(const NCRvq *q, int s, const float *x)
{
    int best = 0;
    double best_d = INFINITY;
    for (int k = 0; k < q->codes; k++) {
        const float *c = q->cb + ((size_t)s * q->codes + k) * q->dim;
        double d = 0;
        for (int i = 0; i < q->dim; i++) d += ((double)x[i] - c[i]) * ((double)x[i] - c[i]);
        if (d < best_d) best_d = d, best = k;
    }
    return best;
}

static double dist2(const float *a, const float *b, int n)
{
    double d = 0;
    for (int i = 0; i < n; i++) d += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    return d;
}

static void test_search_and_residuals(void)
{
    NCRvq q;
    NNRng r;
    nn_rng_seed(&r, 7);
    CHECK_EQ(vq_init(&q, 4, 256, 16), 0);
    for (size_t i = 0; i < 4u * 256 * 16; i++) q.cb[i] = nn_rng_normal(&r) / (float)(1 + i / 4096);
    for (int s = 0; s < 4; s++) vq_refresh(&q, s);
    float x[16], out[16], res[16], dec[16], scratch[256 + 32], dist[256];
    int idx[4], mismatches = 0;
    for (int t = 0; t < 200; t++) {
        for (int i = 0; i < 16; i++) x[i] = nn_rng_normal(&r);
        int k = vq_nearest(&q, 0, x, dist);
        int b = brute_nearest(&q, 0, x);
        if (k != b) {
            /* a different answer is only allowed for a float near-tie */
            double dk = dist2(x, q.cb + (size_t)k * 16, 16), db = dist2(x, q.cb + (size_t)b * 16, 16);
            CHECK(fabs(dk - db) < 1e-4 * (1 + db));
            mismatches++;
        }
        vq_encode(&q, x, 4, idx, out, res, scratch);
        vq_decode(&q, idx, 4, dec);
        CHECK(memcmp(out, dec, sizeof(out)) == 0); /* same sum, same order: same bits */
        for (int i = 0; i < 16; i++) CHECK(fabsf(out[i] + res[i] - x[i]) < 1e-5f);
        /* each stage picked the entry nearest to what the stages before it left */
        float part[16], left[16];
        for (int n = 0; n < 4; n++) {
            vq_decode(&q, idx, n, part);
            for (int i = 0; i < 16; i++) left[i] = x[i] - part[i];
            int b2 = brute_nearest(&q, n, left);
            const float *cb = q.cb + (size_t)n * 256 * 16;
            CHECK(dist2(left, cb + (size_t)idx[n] * 16, 16) <=
                  dist2(left, cb + (size_t)b2 * 16, 16) + 1e-4);
        }
    }
    CHECK(mismatches <= 2);
    /* ties go to the lowest index */
    memcpy(q.cb + 5 * 16, q.cb + 9 * 16, 16 * sizeof(float));
    vq_refresh(&q, 0);
    CHECK_EQ(vq_nearest(&q, 0, q.cb + 9 * 16, dist), 5);
    vq_free(&q);
}

/* Four well separated clusters: k-means with 4 codes finds their centres, and EMA
 * updates pull a perturbed codebook back to them. */
static void test_kmeans_and_ema(void)
{
    const int n = 400, D = 2;
    float centres[4][2] = {{5, 5}, {-5, 5}, {5, -5}, {-5, -5}};
    float *x = malloc(sizeof(float) * n * D);
    NNRng r;
    nn_rng_seed(&r, 3);
    for (int i = 0; i < n; i++)
        for (int d = 0; d < D; d++) x[i * D + d] = centres[i % 4][d] + 0.1f * nn_rng_normal(&r);
    NCRvq q;
    CHECK_EQ(vq_init(&q, 1, 4, D), 0);
    uint64_t seed = 11;
    /* restarts from several seeds: Lloyd's local optimum varies, the best is exact */
    int found_all = 0;
    for (int attempt = 0; attempt < 5 && !found_all; attempt++) {
        CHECK_EQ(vq_kmeans(&q, 0, x, n, 10, &seed), 0);
        int found = 0;
        for (int c = 0; c < 4; c++)
            for (int k = 0; k < 4; k++)
                if (dist2(q.cb + k * D, centres[c], D) < 0.05) {
                    found++;
                    break;
                }
        found_all = found == 4;
    }
    CHECK(found_all);

    NCRvqEma e;
    CHECK_EQ(vq_ema_init(&e, &q, 0.9f, 1e-3f, 5), 0);
    memcpy(q.cb, centres, sizeof(centres));
    for (int k = 0; k < 4; k++) q.cb[k * D] += 1.0f; /* off by one along x */
    vq_refresh(&q, 0);
    vq_ema_reset(&e, &q, 1.0f);
    for (int it = 0; it < 100; it++) CHECK_EQ(vq_ema_update(&e, &q, x, n), 0);
    for (int k = 0; k < 4; k++) CHECK(dist2(q.cb + k * D, centres[k], D) < 0.01);
    CHECK_EQ(e.restarts, 0);
    vq_ema_free(&e);

    /* a code nothing is assigned to dies and comes back on the data */
    CHECK_EQ(vq_ema_init(&e, &q, 0.5f, 0.05f, 5), 0);
    q.cb[3 * D] = 1000.0f, q.cb[3 * D + 1] = 1000.0f;
    vq_refresh(&q, 0);
    vq_ema_reset(&e, &q, 1.0f);
    for (int it = 0; it < 10; it++) CHECK_EQ(vq_ema_update(&e, &q, x, n), 0);
    CHECK(e.restarts >= 1);
    CHECK(fabsf(q.cb[3 * D]) < 10.0f && fabsf(q.cb[3 * D + 1]) < 10.0f);
    vq_ema_free(&e);
    vq_free(&q);
    free(x);
}

/* k-means initialization of all stages: every stage lowers the error. */
static void test_kmeans_init_stages(void)
{
    const int n = 2000, D = 4;
    float *x = malloc(sizeof(float) * n * D);
    NNRng r;
    nn_rng_seed(&r, 9);
    for (int i = 0; i < n * D; i++) x[i] = nn_rng_normal(&r);
    NCRvq q;
    CHECK_EQ(vq_init(&q, 3, 16, D), 0);
    CHECK_EQ(vq_kmeans_init(&q, x, n, 5, 1), 0);
    double err[4] = {0};
    float scratch[16 + 8], out[4];
    int idx[3];
    for (int i = 0; i < n; i++)
        for (int s = 0; s <= 3; s++) {
            if (s)
                vq_encode(&q, x + i * D, s, idx, out, NULL, scratch);
            else
                memset(out, 0, sizeof(out));
            err[s] += dist2(x + i * D, out, D);
        }
    for (int s = 1; s <= 3; s++) CHECK(err[s] < 0.8 * err[s - 1]);
    vq_free(&q);
    free(x);
}

int main(void)
{
    test_search_and_residuals();
    test_kmeans_and_ema();
    test_kmeans_init_stages();
    return test_result("test_rvq");
}
