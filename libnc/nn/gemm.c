#include <cblas.h>

#include "libnc/nn/gemm.h"

/* Fixed order: c[i][j] = alpha * (sum over p ascending of a(i,p) b(p,j)) + beta c[i][j].
 * The loop over j is independent per output, so a compiler may vectorize it
 * without changing any result. */
static void gemm_fixed_order(int trans_a, int trans_b, int m, int n, int k, float alpha,
                             const float *a, int lda, const float *b, int ldb, float beta,
                             float *c, int ldc)
{
    for (int i = 0; i < m; i++) {
        float *ci = c + (int64_t)i * ldc;
        for (int j = 0; j < n; j++) {
            float acc = 0.0f;
            for (int p = 0; p < k; p++) {
                float av = trans_a ? a[(int64_t)p * lda + i] : a[(int64_t)i * lda + p];
                float bv = trans_b ? b[(int64_t)j * ldb + p] : b[(int64_t)p * ldb + j];
                acc += av * bv;
            }
            ci[j] = beta == 0.0f ? alpha * acc : alpha * acc + beta * ci[j];
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
