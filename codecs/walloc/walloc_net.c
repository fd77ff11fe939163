/* The WaLLoC image network and the pixel <-> band conversion (walloc_net.h). */
#include <math.h>
#include <string.h>

#include "codecs/walloc/walloc_net.h"
#include "libnc/dsp/wavelet.h"
#include "nc/error.h"

int walloc_shape_init(WallocShape *sh, int audio, int levels, int latents, int hidden)
{
    if (levels < 1 || levels > (audio ? WALLOC_MAX_AUDIO_LEVELS : WALLOC_MAX_LEVELS) ||
        latents < 1 || latents > WALLOC_MAX_LATENTS || hidden < 1 || hidden > WALLOC_MAX_HIDDEN)
        return NC_EINVAL;
    sh->audio = !!audio;
    sh->levels = levels;
    sh->bands = audio ? 1 << levels : 3 << (2 * levels);
    sh->latents = latents;
    sh->hidden = hidden;
    return 0;
}

NNTensor **walloc_net_tensor(WallocNet *net, int i, const char **name, int *ndim, int shape[4])
{
    const WallocShape *s = &net->shape;
    const struct {
        const char *name;
        int ndim, d[4];
        NNTensor **slot;
    } t[WALLOC_TENSORS] = {
        {"enc.weight", 4, {s->latents, s->bands, 1, 1}, &net->enc_w},
        {"dec.weight", 4, {s->bands, s->latents, 1, 1}, &net->dec_w},
        {"dec.bias", 1, {s->bands}, &net->dec_b},
        {"post1.weight", 4, {s->hidden, s->latents, 3, 3}, &net->post1_w},
        {"post1.bias", 1, {s->hidden}, &net->post1_b},
        {"post2.weight", 4, {s->bands, s->hidden, 3, 3}, &net->post2_w},
        {"post2.bias", 1, {s->bands}, &net->post2_b},
    };
    *name = t[i].name;
    *ndim = t[i].ndim;
    memcpy(shape, t[i].d, sizeof(t[i].d));
    return t[i].slot;
}

float walloc_step(int quality)
{
    /* 2 * 2^(-k/16): a table rather than exp2f, so every libm gives the encoder
     * the same steps (and so the same latents for the same pixels). */
    static const float octave[16] = {
        2.0f, 1.91520656f, 1.83400809f, 1.75625216f,
        1.68179283f, 1.61049033f, 1.54221083f, 1.47682615f,
        1.41421356f, 1.35425555f, 1.29683955f, 1.24185781f,
        1.18920712f, 1.13878863f, 1.09050773f, 1.04427378f,
    };
    return ldexpf(octave[quality % 16], -(quality / 16));
}

float walloc_audio_step(int quality)
{
    return ldexpf(walloc_step(quality), -3);
}

float walloc_shape_step(const WallocShape *sh, int quality)
{
    return sh->audio ? walloc_audio_step(quality) : walloc_step(quality);
}

void walloc_band_size(int levels, int w, int h, int *bw, int *bh)
{
    int unit = 1 << levels;
    *bw = (w + unit - 1) / unit;
    *bh = (h + unit - 1) / unit;
}

/* Whole-sample symmetric extension: ... x[1] x[0] x[1] ... x[n-2] x[n-1] x[n-2] ... */
static int mirror(int i, int n)
{
    if (n == 1) return 0;
    while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
    return i;
}

void walloc_image_to_bands(const uint8_t *data, ptrdiff_t linesize, int channels, int w, int h,
                           int levels, float *bands, float *tmp)
{
    int bw, bh;
    walloc_band_size(levels, w, h, &bw, &bh);
    int pw = bw << levels, ph = bh << levels;
    size_t plane = (size_t)pw * ph;
    /* The sample values as a table (the same float operations per value), and
     * the picture read in one pass to the three planes, each row's interleaved
     * bytes once. */
    float level[256], *planes[3] = {bands, bands + plane, bands + 2 * plane};
    const int filled = channels == 3 ? 3 : 1;
    for (int v = 0; v < 256; v++) level[v] = v * (1.0f / 255) - 0.5f;
    for (int y = 0; y < ph; y++) {
        const uint8_t *row = data + mirror(y, h) * linesize;
        float *o0 = planes[0] + (size_t)y * pw, *o1 = planes[1] + (size_t)y * pw;
        float *o2 = planes[2] + (size_t)y * pw;
        if (channels == 3)
            for (int i = 0; i < w; i++) {
                o0[i] = level[row[3 * i]];
                o1[i] = level[row[3 * i + 1]];
                o2[i] = level[row[3 * i + 2]];
            }
        else
            for (int i = 0; i < w; i++) o0[i] = level[row[i]];
        for (int c = 0; c < filled; c++) {
            float *out = planes[c] + (size_t)y * pw;
            for (int i = w; i < pw; i++) out[i] = out[mirror(i, w)];
        }
    }
    for (int c = 0; c < 3; c++) {
        if (c >= filled) /* gray: the three planes are the same */
            memcpy(planes[c], bands, plane * sizeof(float));
        else
            nc_wpt2d_forward(planes[c], pw, ph, levels, tmp);
    }
}

void walloc_bands_to_image(float *bands, int levels, int w, int h, uint8_t *data,
                           ptrdiff_t linesize, int channels, float *tmp)
{
    int bw, bh;
    walloc_band_size(levels, w, h, &bw, &bh);
    int pw = bw << levels, ph = bh << levels;
    size_t plane = (size_t)pw * ph;
    for (int c = 0; c < 3; c++) nc_wpt2d_inverse(bands + c * plane, pw, ph, levels, tmp);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t at = (size_t)y * pw + x;
            for (int c = 0; c < channels; c++) {
                float v = channels == 3 ? bands[c * plane + at]
                                        : (bands[at] + bands[plane + at] + bands[2 * plane + at]) / 3;
                v = (v + 0.5f) * 255.0f + 0.5f;
                data[y * linesize + x * channels + c] = !(v > 0) ? 0 : v >= 255 ? 255 : (uint8_t)v;
            }
        }
}

void walloc_audio_to_bands(const float *x, int n, int len, int levels, float *bands, float *tmp)
{
    for (int i = 0; i < len; i++) bands[i] = x[mirror(i, n)];
    nc_wpt1d_forward(bands, len, levels, tmp);
}
