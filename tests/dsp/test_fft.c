/* FFTs against a direct DFT in double precision, and round trips. */
#include <math.h>
#include <stdlib.h>

#include "libnc/dsp/dct.h"
#include "libnc/dsp/fft.h"
#include "nc/error.h"
#include "tests/dsp/check.h"

static const double pi = 3.14159265358979323846;

static float test_signal(int t) { return (float)(sin(0.37 * t) + 0.25 * cos(1.9 * t + 0.5)); }

static void check_real(int n)
{
    NCFFT *fft = NULL;
    float *x = malloc((size_t)n * sizeof(float)), *y = malloc((size_t)n * sizeof(float));
    NCComplex *X = malloc((size_t)(n / 2 + 1) * sizeof(NCComplex));
    CHECK(dsp_fft_real_alloc(&fft, n) == 0);
    if (!fft || !x || !y || !X)
        goto end;
    CHECK(dsp_fft_size(fft) == n);
    for (int t = 0; t < n; t++)
        x[t] = test_signal(t);
    dsp_fft_real_forward(fft, x, X);
    for (int k = 0; k <= n / 2; k++) {
        double re = 0, im = 0;
        for (int t = 0; t < n; t++) {
            re += x[t] * cos(2 * pi * k * t / n);
            im -= x[t] * sin(2 * pi * k * t / n);
        }
        CHECK_NEAR(X[k].re, re, 1e-4 * n);
        CHECK_NEAR(X[k].im, im, 1e-4 * n);
    }
    dsp_fft_real_inverse(fft, X, y);
    for (int t = 0; t < n; t++)
        CHECK_NEAR(y[t], x[t], 1e-5);
end:
    dsp_fft_free(&fft);
    CHECK(fft == NULL);
    free(x);
    free(y);
    free(X);
}

static void check_complex(int n)
{
    NCFFT *fft = NULL;
    NCComplex *x = malloc((size_t)n * sizeof(NCComplex)), *X = malloc((size_t)n * sizeof(NCComplex)),
              *y = malloc((size_t)n * sizeof(NCComplex));
    CHECK(dsp_fft_complex_alloc(&fft, n) == 0);
    if (!fft || !x || !X || !y)
        goto end;
    for (int t = 0; t < n; t++) {
        x[t].re = test_signal(t);
        x[t].im = test_signal(3 * t + 1);
    }
    dsp_fft_complex_forward(fft, x, X);
    for (int k = 0; k < n; k++) {
        double re = 0, im = 0;
        for (int t = 0; t < n; t++) {
            double c = cos(2 * pi * k * t / n), s = sin(2 * pi * k * t / n);
            re += x[t].re * c + x[t].im * s;
            im += x[t].im * c - x[t].re * s;
        }
        CHECK_NEAR(X[k].re, re, 1e-4 * n);
        CHECK_NEAR(X[k].im, im, 1e-4 * n);
    }
    dsp_fft_complex_inverse(fft, X, y);
    for (int t = 0; t < n; t++) {
        CHECK_NEAR(y[t].re, x[t].re, 1e-5);
        CHECK_NEAR(y[t].im, x[t].im, 1e-5);
    }
end:
    dsp_fft_free(&fft);
    free(x);
    free(X);
    free(y);
}

static void check_dct(void)
{
    float in[8], out[8];
    for (int t = 0; t < 8; t++)
        in[t] = 2.0f;
    dsp_dct2_ortho(in, 8, out, 8);
    CHECK_NEAR(out[0], 2.0 * sqrt(8.0), 1e-5);
    for (int k = 1; k < 8; k++)
        CHECK_NEAR(out[k], 0.0, 1e-5);
    /* Orthonormal: energy is kept. */
    for (int t = 0; t < 8; t++)
        in[t] = test_signal(t);
    dsp_dct2_ortho(in, 8, out, 8);
    double e_in = 0, e_out = 0;
    for (int t = 0; t < 8; t++) {
        e_in += in[t] * in[t];
        e_out += out[t] * out[t];
    }
    CHECK_NEAR(e_out, e_in, 1e-4);
}

int main(void)
{
    static const int real_sizes[] = {2, 6, 30, 64, 100, 512};
    static const int complex_sizes[] = {1, 7, 60, 128};
    NCFFT *fft = NULL;
    for (size_t i = 0; i < sizeof(real_sizes) / sizeof(*real_sizes); i++)
        check_real(real_sizes[i]);
    for (size_t i = 0; i < sizeof(complex_sizes) / sizeof(*complex_sizes); i++)
        check_complex(complex_sizes[i]);
    CHECK(dsp_fft_real_alloc(&fft, 7) == NC_EINVAL && fft == NULL);
    CHECK(dsp_fft_real_alloc(&fft, 0) == NC_EINVAL);
    CHECK(dsp_fft_complex_alloc(&fft, -4) == NC_EINVAL);
    dsp_fft_free(NULL);
    check_dct();
    return nc_test_result(__FILE__);
}
