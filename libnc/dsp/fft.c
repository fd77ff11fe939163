#include "libnc/dsp/fft.h"

#include <stdlib.h>
#include <string.h>

#include <kiss_fft.h>
#include <kiss_fftr.h>

#include "nc/error.h"

_Static_assert(sizeof(NCComplex) == sizeof(kiss_fft_cpx), "NCComplex must match kiss_fft_cpx");

#define NC_FFT_MAX_SIZE (1 << 24)

struct NCFFT {
    int n;
    int real;
    void *forward; /* kiss_fftr_cfg or kiss_fft_cfg */
    void *inverse;
    float scale; /* 1 / n, applied by the inverses */
};

void dsp_fft_free(NCFFT **fft)
{
    if (!fft || !*fft)
        return;
    kiss_fft_free((*fft)->forward);
    kiss_fft_free((*fft)->inverse);
    free(*fft);
    *fft = NULL;
}

static int fft_alloc(NCFFT **out, int n, int real)
{
    NCFFT *fft;
    *out = NULL;
    if (n < 1 || n > NC_FFT_MAX_SIZE || (real && (n < 2 || n % 2)))
        return NC_EINVAL;
    fft = calloc(1, sizeof(*fft));
    if (!fft)
        return NC_ENOMEM;
    fft->n = n;
    fft->real = real;
    fft->scale = 1.0f / (float)n;
    if (real) {
        fft->forward = kiss_fftr_alloc(n, 0, NULL, NULL);
        fft->inverse = kiss_fftr_alloc(n, 1, NULL, NULL);
    } else {
        fft->forward = kiss_fft_alloc(n, 0, NULL, NULL);
        fft->inverse = kiss_fft_alloc(n, 1, NULL, NULL);
    }
    if (!fft->forward || !fft->inverse) {
        dsp_fft_free(&fft);
        return NC_ENOMEM;
    }
    *out = fft;
    return 0;
}

int dsp_fft_real_alloc(NCFFT **fft, int n) { return fft_alloc(fft, n, 1); }

int dsp_fft_complex_alloc(NCFFT **fft, int n) { return fft_alloc(fft, n, 0); }

int dsp_fft_size(const NCFFT *fft) { return fft->n; }

void dsp_fft_real_forward(NCFFT *fft, const float *in, NCComplex *out)
{
    kiss_fftr((kiss_fftr_cfg)fft->forward, in, (kiss_fft_cpx *)out);
}

void dsp_fft_real_inverse(NCFFT *fft, const NCComplex *in, float *out)
{
    kiss_fftri((kiss_fftr_cfg)fft->inverse, (const kiss_fft_cpx *)in, out);
    for (int i = 0; i < fft->n; i++)
        out[i] *= fft->scale;
}

void dsp_fft_complex_forward(NCFFT *fft, const NCComplex *in, NCComplex *out)
{
    kiss_fft((kiss_fft_cfg)fft->forward, (const kiss_fft_cpx *)in, (kiss_fft_cpx *)out);
}

void dsp_fft_complex_inverse(NCFFT *fft, const NCComplex *in, NCComplex *out)
{
    kiss_fft((kiss_fft_cfg)fft->inverse, (const kiss_fft_cpx *)in, (kiss_fft_cpx *)out);
    for (int i = 0; i < fft->n; i++) {
        out[i].re *= fft->scale;
        out[i].im *= fft->scale;
    }
}
