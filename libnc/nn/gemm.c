#include <cblas.h>

#include "libnc/nn/gemm.h"

#define GEMM_BLOCK 256

/* Fixed order: c[i][j] = alpha * (sum over p ascending of a(i,p) b(p,j)) + beta c[i][j],
 * every output summed from 0.0f in ascending p with separate multiplies and adds.
 * The loops run i, block of j, p, j so that the innermost loop is independent per
 * output and may be vectorized without changing any result. */
static void gemm_fixed_order(int trans_a, int trans_b, int m, int n, int k, float alpha,
                             const float *a, int lda, const float *b, int ldb, float beta,
                             float *c, int ldc)
{
    float acc[GEMM_BLOCK];
    if (trans_b && !trans_a) {
        /* rows of a and b are contiguous: eight outputs at a time, each an
         * independent ascending sum (the chains overlap, the order does not change) */
        for (int i = 0; i < m; i++) {
            const float *ai = a + (int64_t)i * lda;
            float *ci = c + (int64_t)i * ldc;
            for (int j0 = 0; j0 < n; j0 += 8) {
                int jn = n - j0 < 8 ? n - j0 : 8;
                const float *bj[8];
                for (int q = 0; q < 8; q++)
                    bj[q] = b + (int64_t)(j0 + (q < jn ? q : 0)) * ldb;
                for (int q = 0; q < 8; q++)
                    acc[q] = 0.0f;
                for (int p = 0; p < k; p++)
                    for (int q = 0; q < 8; q++)
                        acc[q] += ai[p] * bj[q][p];
                for (int q = 0; q < jn; q++)
                    ci[j0 + q] = beta == 0.0f ? alpha * acc[q] : alpha * acc[q] + beta * ci[j0 + q];
            }
        }
        return;
    }
    for (int i = 0; i < m; i++) {
        float *ci = c + (int64_t)i * ldc;
        for (int j0 = 0; j0 < n; j0 += GEMM_BLOCK) {
            int jn = n - j0 < GEMM_BLOCK ? n - j0 : GEMM_BLOCK;
            for (int j = 0; j < jn; j++)
                acc[j] = 0.0f;
            for (int p = 0; p < k; p++) {
                float av = trans_a ? a[(int64_t)p * lda + i] : a[(int64_t)i * lda + p];
                if (trans_b) {
                    for (int j = 0; j < jn; j++)
                        acc[j] += av * b[(int64_t)(j0 + j) * ldb + p];
                } else {
                    const float *bp = b + (int64_t)p * ldb + j0;
                    for (int j = 0; j < jn; j++)
                        acc[j] += av * bp[j];
                }
            }
            for (int j = 0; j < jn; j++)
                ci[j0 + j] = beta == 0.0f ? alpha * acc[j] : alpha * acc[j] + beta * ci[j0 + j];
        }
    }
}

void nn_gemm(const NNGraph *g, int trans_a, int trans_b, int m, int n, int k, float alpha,
             const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc)
{
    if (nn_graph_deterministic(g)) {
        gemm_fixed_order(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c,
                ldc);
}
