#include "libnc/dsp/resample.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "nc/error.h"

/* Design: zero crossings of the sinc on each side of the centre, Kaiser beta
 * (about 90 dB side lobes) and cutoff as a fraction of the lower Nyquist. */
#define ZERO_CROSSINGS 24
#define KAISER_BETA 9.0
#define CUTOFF 0.92
/* Phases kept in a table when there are at most this many; else computed per sample. */
#define MAX_TABLE_PHASES 4096

static int gcd(int a, int b)
{
    while (b) {
        int t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Modified Bessel function of the first kind, order 0, by its power series. */
static double bessel_i0(double x)
{
    double sum = 1.0, term = 1.0, q = x * x / 4.0;
    for (int k = 1; k < 64 && term > 1e-17 * sum; k++) {
        term *= q / ((double)k * k);
        sum += term;
    }
    return sum;
}

size_t dsp_resample_length(size_t n, int in_rate, int out_rate)
{
    if (in_rate < 1 || out_rate < 1)
        return 0;
    return (size_t)(((uint64_t)n * (uint64_t)out_rate + (uint64_t)in_rate - 1) /
                    (uint64_t)in_rate);
}

typedef struct Kernel {
    double fc;   /* cutoff in cycles per input sample x 2 (1 = input Nyquist) */
    int half;    /* taps on each side of the centre */
    double norm; /* 1 / I0(beta) */
} Kernel;

/* Taps for fractional position frac in [0, 1): tap i (0 <= i < 2 * half) weighs
 * input sample floor(pos) - half + 1 + i. Normalized to unit sum so DC passes exactly. */
static void kernel_taps(const Kernel *k, double frac, float *taps)
{
    const double pi = 3.14159265358979323846;
    double sum = 0.0;
    int n = 2 * k->half;
    for (int i = 0; i < n; i++) {
        double t = (double)(i - k->half + 1) - frac; /* input sample minus position */
        double x = k->fc * t, r = t / (k->half + 1), v;
        v = fabs(x) < 1e-12 ? k->fc : k->fc * sin(pi * x) / (pi * x);
        v *= r * r < 1.0 ? bessel_i0(KAISER_BETA * sqrt(1.0 - r * r)) * k->norm : 0.0;
        taps[i] = (float)v;
        sum += v;
    }
    for (int i = 0; i < n; i++)
        taps[i] = (float)(taps[i] / sum);
}

int dsp_resample(const float *in, size_t n, int in_rate, float *out, int out_rate)
{
    size_t n_out = dsp_resample_length(n, in_rate, out_rate);
    int g, up, down, phases;
    Kernel k;
    float *table;
    if (in_rate < 1 || out_rate < 1 || in_rate > 1000000 || out_rate > 1000000)
        return NC_EINVAL;
    if (in_rate == out_rate) {
        for (size_t i = 0; i < n; i++)
            out[i] = in[i];
        return 0;
    }
    g = gcd(in_rate, out_rate);
    up = out_rate / g;   /* output j sits at input position j * down / up */
    down = in_rate / g;
    k.fc = CUTOFF * (out_rate < in_rate ? (double)out_rate / in_rate : 1.0);
    k.half = (int)ceil(ZERO_CROSSINGS / k.fc);
    k.norm = 1.0 / bessel_i0(KAISER_BETA);
    phases = up <= MAX_TABLE_PHASES ? up : 1;
    table = malloc((size_t)phases * 2 * (size_t)k.half * sizeof(*table));
    if (!table)
        return NC_ENOMEM;
    if (phases == up)
        for (int p = 0; p < up; p++)
            kernel_taps(&k, (double)p / up, table + (size_t)p * 2 * k.half);
    for (size_t j = 0; j < n_out; j++) {
        uint64_t num = (uint64_t)j * (uint64_t)down;
        long base = (long)(num / (uint64_t)up) - k.half + 1;
        int phase = (int)(num % (uint64_t)up);
        const float *taps = table;
        double acc = 0.0;
        if (phases == up)
            taps = table + (size_t)phase * 2 * k.half;
        else
            kernel_taps(&k, (double)phase / up, table);
        for (int i = 0; i < 2 * k.half; i++) {
            long s = base + i;
            if (s >= 0 && (size_t)s < n)
                acc += (double)taps[i] * in[s];
        }
        out[j] = (float)acc;
    }
    free(table);
    return 0;
}
