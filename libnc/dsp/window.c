#include "libnc/dsp/window.h"

#include <math.h>

#include "nc/error.h"

int dsp_window_fill(float *w, int n, enum NCWindowType type, int periodic)
{
    const double two_pi = 6.283185307179586476925;
    int len;
    if (n < 1)
        return NC_EINVAL;
    len = periodic ? n : n - 1;
    for (int t = 0; t < n; t++) {
        double c = len > 0 ? cos(two_pi * t / len) : 1.0;
        double v;
        switch (type) {
        case NC_WINDOW_RECT: v = 1.0; break;
        case NC_WINDOW_HANN: v = 0.5 - 0.5 * c; break;
        case NC_WINDOW_HAMMING: v = 0.54 - 0.46 * c; break;
        case NC_WINDOW_SQRT_HANN: v = sqrt(fmax(0.0, 0.5 - 0.5 * c)); break;
        default: return NC_EINVAL;
        }
        /* A one-point window is all pass, as in torch. */
        w[t] = n == 1 ? 1.0f : (float)v;
    }
    return 0;
}
