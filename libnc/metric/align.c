#include "libnc/metric/align.h"

#include <math.h>
#include <stdlib.h>

#include "nc/error.h"

/* Normalized correlation of a[i] and b[i + lag] over their overlap. */
static double correlation(const float *a, size_t na, const float *b, size_t nb, long lag)
{
    size_t start = lag < 0 ? (size_t)-lag : 0, end = na;
    double ab = 0.0, aa = 0.0, bb = 0.0;
    if ((long)nb - lag < (long)end)
        end = (size_t)((long)nb - lag);
    for (size_t i = start; i < end; i++) {
        double x = a[i], y = b[(size_t)((long)i + lag)];
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    return aa > 0.0 && bb > 0.0 ? ab / sqrt(aa * bb) : 0.0;
}

/* Mean absolute value over consecutive blocks of `step` samples, mean removed. */
static float *envelope(const float *x, size_t n, size_t step, size_t *n_env)
{
    size_t m = n / step;
    float *e = malloc((m ? m : 1) * sizeof(*e));
    double mean = 0.0;
    if (!e)
        return NULL;
    for (size_t i = 0; i < m; i++) {
        double acc = 0.0;
        for (size_t j = 0; j < step; j++)
            acc += fabs(x[i * step + j]);
        e[i] = (float)(acc / step);
        mean += e[i];
    }
    mean /= m ? (double)m : 1.0;
    for (size_t i = 0; i < m; i++)
        e[i] -= (float)mean;
    *n_env = m;
    return e;
}

int metric_find_delay(const float *ref, size_t n_ref, const float *deg, size_t n_deg,
                         int sample_rate, int max_lag, int *lag)
{
    size_t step = sample_rate >= 1000 ? (size_t)sample_rate / 1000 : 1, ne_r, ne_d;
    float *er, *ed;
    long best = 0, coarse = 0, reach;
    double best_c = -2.0;
    if (sample_rate < 1 || max_lag < 0 || n_ref == 0 || n_deg == 0)
        return NC_EINVAL;
    er = envelope(ref, n_ref, step, &ne_r);
    ed = envelope(deg, n_deg, step, &ne_d);
    if (!er || !ed) {
        free(er);
        free(ed);
        return NC_ENOMEM;
    }
    reach = (long)((size_t)max_lag / step);
    for (long l = -reach; l <= reach; l++) {
        double c = correlation(er, ne_r, ed, ne_d, l);
        if (c > best_c) {
            best_c = c;
            coarse = l;
        }
    }
    free(er);
    free(ed);
    /* Refine to the sample within one envelope step of the coarse lag; if the
     * waveforms do not correlate (parametric codecs), keep the coarse lag. */
    best = coarse * (long)step;
    best_c = correlation(ref, n_ref, deg, n_deg, best);
    for (long l = coarse * (long)step - (long)step; l <= coarse * (long)step + (long)step; l++) {
        double c;
        if (l < -max_lag || l > max_lag)
            continue;
        c = correlation(ref, n_ref, deg, n_deg, l);
        if (c > best_c + 1e-9) {
            best_c = c;
            best = l;
        }
    }
    *lag = (int)best;
    return 0;
}
