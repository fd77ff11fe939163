/* STFT against torch.stft reference values (stft_ref.txt, made with Debian's
 * python3-torch), and iSTFT round trips for several windows and hops. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "libnc/dsp/stft.h"
#include "nc/error.h"
#include "tests/dsp/check.h"

static void check_reference(const char *path)
{
    FILE *f = fopen(path, "r");
    int n, n_fft, hop, wl, frames, c;
    float *x = NULL;
    NCComplex *spec = NULL;
    NCSTFT *stft = NULL;
    CHECK(f != NULL);
    if (!f)
        return;
    while ((c = fgetc(f)) != '\n' && c != EOF) /* comment line */
        ;
    CHECK(fscanf(f, "%d %d %d %d %d", &n, &n_fft, &hop, &wl, &frames) == 5);
    x = malloc((size_t)n * sizeof(*x));
    CHECK(dsp_stft_alloc(&stft, n_fft, hop, wl, NC_WINDOW_HANN) == 0);
    if (!x || !stft)
        goto end;
    for (int i = 0; i < n; i++)
        CHECK(fscanf(f, "%f", &x[i]) == 1);
    CHECK(dsp_stft_frames(stft, n) == frames);
    spec = malloc((size_t)frames * stft->bins * sizeof(*spec));
    if (!spec)
        goto end;
    CHECK(dsp_stft_forward(stft, x, n, spec) == frames);
    for (int i = 0; i < frames * stft->bins; i++) {
        double re, im;
        CHECK(fscanf(f, "%lf %lf", &re, &im) == 2);
        CHECK_NEAR(spec[i].re, re, 2e-5);
        CHECK_NEAR(spec[i].im, im, 2e-5);
    }
end:
    fclose(f);
    free(x);
    free(spec);
    dsp_stft_free(&stft);
}

static void check_round_trip(int n, int n_fft, int hop, int wl, enum NCWindowType window)
{
    NCSTFT *stft = NULL;
    float *x = malloc((size_t)n * sizeof(*x)), *y = malloc((size_t)n * sizeof(*y));
    NCComplex *spec = NULL;
    int frames;
    CHECK(dsp_stft_alloc(&stft, n_fft, hop, wl, window) == 0);
    if (!stft || !x || !y)
        goto end;
    frames = dsp_stft_frames(stft, n);
    spec = malloc((size_t)frames * stft->bins * sizeof(*spec));
    if (!spec)
        goto end;
    for (int t = 0; t < n; t++)
        x[t] = (float)(sin(0.021 * t) * cos(0.33 * t) + 0.1 * sin(2.5 * t));
    CHECK(dsp_stft_forward(stft, x, n, spec) == frames);
    CHECK(dsp_stft_inverse(stft, spec, frames, y, n) == 0);
    for (int t = 0; t < n; t++)
        CHECK_NEAR(y[t], x[t], 1e-5);
end:
    free(x);
    free(y);
    free(spec);
    dsp_stft_free(&stft);
}

int main(int argc, char **argv)
{
    NCSTFT *stft = NULL;
    CHECK(argc == 2);
    if (argc == 2)
        check_reference(argv[1]);
    check_round_trip(1000, 64, 16, 64, NC_WINDOW_HANN);
    check_round_trip(1001, 512, 128, 400, NC_WINDOW_HANN);
    check_round_trip(777, 32, 16, 32, NC_WINDOW_SQRT_HANN);
    check_round_trip(500, 40, 10, 40, NC_WINDOW_HAMMING);
    check_round_trip(300, 16, 5, 16, NC_WINDOW_RECT);
    /* Shorter than half a frame: zero padding where reflection runs out. */
    check_round_trip(5, 64, 16, 64, NC_WINDOW_HANN);
    CHECK(dsp_stft_alloc(&stft, 63, 16, 63, NC_WINDOW_HANN) == NC_EINVAL);
    CHECK(dsp_stft_alloc(&stft, 64, 0, 64, NC_WINDOW_HANN) == NC_EINVAL);
    CHECK(dsp_stft_alloc(&stft, 64, 16, 65, NC_WINDOW_HANN) == NC_EINVAL);
    CHECK(stft == NULL);
    return nc_test_result(__FILE__);
}
