/* Coding one walloc audio block (walloc_audio.h). */
#include <math.h>
#include <string.h>

#include "codecs/walloc/latent_coder.h"
#include "codecs/walloc/walloc_audio.h"
#include "libnc/dsp/wavelet.h"
#include "nc/error.h"

const int walloc_audio_sample_rates[] = {44100, 48000, 0};
const int walloc_audio_channel_counts[] = {1, 2, 0};

#define MS 0.70710678f /* 1 / sqrt 2 */

/* The padded length of a block of n samples, and its columns (samples per band). */
static int block_len(const WallocContext *wc, int n, int *cols)
{
    int unit = 1 << wc->shape.levels;
    *cols = (n + unit - 1) / unit;
    return *cols * unit;
}

static int block_buffers(WallocContext *wc, int n, int *cols)
{
    size_t len = (size_t)block_len(wc, n, cols);
    return walloc_buffers(wc, WALLOC_AUDIO_CHANNELS * len, len,
                          WALLOC_AUDIO_CHANNELS * (size_t)*cols * wc->shape.latents);
}

int walloc_audio_analyze(WallocContext *wc, const float *const *planes, int channels, int n)
{
    int cols, ret;
    if (n < 1 || n > WALLOC_AUDIO_BLOCK || channels < 1 || channels > 2) return NC_EINVAL;
    if ((ret = block_buffers(wc, n, &cols)) < 0) return ret;
    int len = cols << wc->shape.levels;
    for (int c = 0; c < channels; c++) {
        const float *x = planes[0];
        if (channels == 2) { /* mid or side into tmp, which to_bands reads before it scratches */
            for (int i = 0; i < n; i++)
                wc->tmp[i] = (planes[0][i] + (c ? -planes[1][i] : planes[1][i])) * MS;
            x = wc->tmp;
        }
        walloc_audio_to_bands(x, n, len, wc->shape.levels, wc->bands + (size_t)c * len, wc->tmp);
    }
    return 0;
}

int walloc_audio_code(WallocContext *wc, RCEncoder *enc, int channels, int n, int last,
                      int quality, float deadzone)
{
    int cols;
    int len = block_len(wc, n, &cols);
    const int nl = wc->shape.latents;
    for (int c = 0; c < channels; c++)
        walloc_project(wc, wc->bands + (size_t)c * len, (size_t)cols, walloc_audio_step(quality),
                       deadzone, wc->q + (size_t)c * nl * cols, wc->tmp, NULL);
    rc_encode_bits(enc, (uint32_t)quality, 7);
    rc_encode_bits(enc, (uint32_t)!!last, 1);
    if (last) rc_encode_bits(enc, (uint32_t)(n - 1), 16);
    return walloc_encode_latents(enc, wc->q, channels, cols, nl, walloc_prior(wc, quality), 0, NULL);
}

int walloc_audio_decode_latents(WallocContext *wc, RCDecoder *dec, int channels, int *n,
                                int *last, int *quality)
{
    int cols;
    *quality = (int)rc_decode_bits(dec, 7);
    *last = (int)rc_decode_bits(dec, 1);
    *n = *last ? (int)rc_decode_bits(dec, 16) + 1 : WALLOC_AUDIO_BLOCK;
    if (*quality > WALLOC_MAX_QUALITY || *n > WALLOC_AUDIO_BLOCK) return NC_EINVALIDDATA;
    int ret = block_buffers(wc, *n, &cols);
    if (ret < 0) return ret;
    return walloc_decode_latents(dec, wc->q, channels, cols, wc->shape.latents,
                                 walloc_prior(wc, *quality), 0);
}

int walloc_audio_reconstruct(WallocContext *wc, int quality, int channels, int n,
                             float *const *out)
{
    int cols, ret = block_buffers(wc, n, &cols);
    if (ret < 0) return ret;
    int len = cols << wc->shape.levels;
    const int nl = wc->shape.latents;
    for (int c = 0; c < channels && ret >= 0; c++) {
        float *x = wc->bands + (size_t)c * len;
        ret = walloc_decode_net(wc, wc->q + (size_t)c * nl * cols, walloc_audio_step(quality),
                                cols, 1, x);
        if (ret >= 0) ret = nc_wpt1d_inverse(x, len, wc->shape.levels, wc->tmp);
    }
    if (ret < 0) return ret;
    const float *m = wc->bands, *s = wc->bands + len;
    for (int i = 0; i < n; i++) {
        if (channels == 1) {
            out[0][i] = m[i];
        } else {
            out[0][i] = (m[i] + s[i]) * MS;
            out[1][i] = (m[i] - s[i]) * MS;
        }
    }
    return 0;
}

