/* Analysis features and the iSTFT synthesis frame (spectral.h). */
#include <math.h>
#include <string.h>

#include "codecs/rvqspeech/polar.h"
#include "codecs/rvqspeech/spectral.h"
#include "libnc/dsp/window.h"

int rvq_spectral_init(NCRvqSpectral *s)
{
    memset(s, 0, sizeof(*s));
    int ret = dsp_fft_real_alloc(&s->fft, NC_RVQ_WIN);
    if (ret < 0)
        return ret;
    return dsp_window_fill(s->window, NC_RVQ_WIN, NC_WINDOW_HANN, 1);
}

void rvq_spectral_free(NCRvqSpectral *s)
{
    dsp_fft_free(&s->fft);
}

void rvq_analyze(NCRvqSpectral *s, const float *x, float *feat)
{
    for (int i = 0; i < NC_RVQ_WIN; i++) s->buf[i] = x[i] * s->window[i];
    dsp_fft_real_forward(s->fft, s->buf, s->spec);
    for (int b = 0; b < NC_RVQ_BINS; b++) {
        float p = s->spec[b].re * s->spec[b].re + s->spec[b].im * s->spec[b].im;
        feat[b] = 0.1f * logf(p + 1e-5f);
    }
}

void rvq_synthesize(NCRvqSpectral *s, const float *logmag, const float *phase, int stride,
                       float *out)
{
    if (stride == 1) {
        (s->polar ? s->polar : rvq_polar_libm)(logmag, phase, s->spec, s->mag, s->sn, s->cs, NC_RVQ_BINS);
    } else {
        for (int b = 0; b < NC_RVQ_BINS; b++) {
            float m = logmag[(size_t)b * stride];
            float mag = expf(m < NC_RVQ_LOGMAG_MAX ? m : NC_RVQ_LOGMAG_MAX);
            float p = phase[(size_t)b * stride];
            s->spec[b].re = mag * cosf(p);
            s->spec[b].im = mag * sinf(p);
        }
    }
    dsp_fft_real_inverse(s->fft, s->spec, out);
    for (int i = 0; i < NC_RVQ_WIN; i++) out[i] *= s->window[i];
}

void rvq_synthesized_spectrum(NCRvqSpectral *s, const float *logmag, const float *phase)
{
    float frame[NC_RVQ_WIN];
    rvq_synthesize(s, logmag, phase, 1, frame);
    dsp_fft_real_forward(s->fft, frame, s->spec);
}
