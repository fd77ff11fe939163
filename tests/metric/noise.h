/* Deterministic test signals for the metric tests: a fixed-seed Gaussian noise
 * source and a speech-like signal (syllable-rate modulated harmonics with a
 * gliding pitch and moving formant), so no data files are needed. */
#ifndef NC_TESTS_METRIC_NOISE_H
#define NC_TESTS_METRIC_NOISE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

static inline double test_uniform(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return ((double)(*state >> 11) + 0.5) / 9007199254740992.0; /* (0, 1) */
}

/* Standard normal by Box-Muller. */
static inline double test_gauss(uint64_t *state)
{
    double u = test_uniform(state), v = test_uniform(state);
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static inline void test_speech_like(float *x, size_t n, int rate)
{
    const double pi = 3.14159265358979323846;
    double phase = 0.0;
    for (size_t t = 0; t < n; t++) {
        double sec = (double)t / rate;
        double f0 = 140.0 + 50.0 * sin(2 * pi * 0.7 * sec);
        double formant = 700.0 + 500.0 * sin(2 * pi * 1.3 * sec);
        double env = pow(fmax(0.0, sin(2 * pi * 4.0 * sec)), 2.0); /* 4 syllables/s */
        double acc = 0.0;
        phase += 2 * pi * f0 / rate;
        for (int k = 1; k * f0 < rate / 2.0 && k <= 40; k++) {
            double d = (k * f0 - formant) / 300.0;
            acc += exp(-d * d) * sin(k * phase) / k + 0.02 * sin(k * phase);
        }
        x[t] = (float)(0.3 * env * acc);
    }
}

/* deg = ref + noise scaled to the given SNR (dB) over the whole signal. */
static inline void test_add_noise(const float *ref, float *deg, size_t n, double snr_db,
                                  uint64_t seed)
{
    double es = 0.0, en = 0.0, g;
    uint64_t st = seed;
    for (size_t i = 0; i < n; i++) {
        deg[i] = (float)test_gauss(&st);
        es += (double)ref[i] * ref[i];
        en += (double)deg[i] * deg[i];
    }
    g = sqrt(es / en / pow(10.0, snr_db / 10.0));
    for (size_t i = 0; i < n; i++)
        deg[i] = (float)(ref[i] + g * deg[i]);
}

#endif
