/* Cholesky solve (linsolve.h). */
#include <math.h>

#include "libnc/dsp/linsolve.h"

int dsp_solve_spd(int n, double *a, size_t stride, double *b)
{
#define A(i, j) a[(size_t)(i) * stride + (j)]
    for (int k = 0; k < n; k++) {
        for (int m = 0; m < k; m++) A(k, k) -= A(k, m) * A(k, m);
        if (!(A(k, k) > 0)) return -1;
        A(k, k) = sqrt(A(k, k));
        for (int i = k + 1; i < n; i++) {
            for (int m = 0; m < k; m++) A(i, k) -= A(i, m) * A(k, m);
            A(i, k) /= A(k, k);
        }
    }
    for (int i = 0; i < n; i++) {
        for (int m = 0; m < i; m++) b[i] -= A(i, m) * b[m];
        b[i] /= A(i, i);
    }
    for (int i = n - 1; i >= 0; i--) {
        for (int m = i + 1; m < n; m++) b[i] -= A(m, i) * b[m];
        b[i] /= A(i, i);
    }
#undef A
    return 0;
}
