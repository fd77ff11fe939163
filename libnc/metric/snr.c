#include "libnc/metric/snr.h"

#include <math.h>

static double ratio_db(double signal, double noise)
{
    if (!(signal > 0.0))
        return NAN;
    if (noise <= 0.0)
        return INFINITY;
    return 10.0 * log10(signal / noise);
}

double metric_snr(const float *ref, const float *deg, size_t n)
{
    double signal = 0.0, noise = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = (double)ref[i] - deg[i];
        signal += (double)ref[i] * ref[i];
        noise += e * e;
    }
    return ratio_db(signal, noise);
}

double metric_si_sdr(const float *ref, const float *deg, size_t n)
{
    double mean_r = 0.0, mean_d = 0.0, rr = 0.0, rd = 0.0, target = 0.0, noise = 0.0, alpha;
    if (n == 0)
        return NAN;
    for (size_t i = 0; i < n; i++) {
        mean_r += ref[i];
        mean_d += deg[i];
    }
    mean_r /= (double)n;
    mean_d /= (double)n;
    for (size_t i = 0; i < n; i++) {
        double r = ref[i] - mean_r, d = deg[i] - mean_d;
        rr += r * r;
        rd += r * d;
    }
    if (!(rr > 0.0))
        return NAN;
    alpha = rd / rr;
    for (size_t i = 0; i < n; i++) {
        double t = alpha * (ref[i] - mean_r), e = (deg[i] - mean_d) - t;
        target += t * t;
        noise += e * e;
    }
    if (!(target > 0.0))
        return -INFINITY; /* deg is orthogonal to ref: nothing of the target is left */
    return ratio_db(target, noise);
}
