#include "libnc/dsp/dct.h"

#include <math.h>

void dsp_dct2_ortho(const float *in, int n, float *out, int n_out)
{
    const double pi = 3.14159265358979323846;
    for (int k = 0; k < n_out && k < n; k++) {
        double acc = 0.0;
        for (int t = 0; t < n; t++)
            acc += in[t] * cos(pi * k * (2 * t + 1) / (2.0 * n));
        out[k] = (float)(acc * sqrt((k ? 2.0 : 1.0) / n));
    }
}
