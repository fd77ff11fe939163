/* libFuzzer target: the walloc decoder with the shipped walloc-photo model, loaded
 * once. Input: byte 0 = width - 1 (mod 64), byte 1 = height - 1 (mod 64), byte 2
 * selects what the rest is:
 *   bit 1 clear: a packet, decoded as the decoder does (bit 0: RGB24, else GRAY8):
 *                latents, end-of-stream check, then the picture;
 *   bit 1 set:   a stream header for the header parser;
 *   bit 2 set:   (with bit 1 clear) also sent through the codec API to a decoder
 *                context kept open for 24 x 16 RGB24;
 *   bit 3 set:   (before the others) an audio packet for the shipped walloc-music
 *                model (bit 4: stereo, else mono): block header and latents,
 *                end-of-stream check, reconstruction; bit 2 also sends it to an
 *                audio decoder context (stereo, 44.1 kHz). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "codecs/walloc/walloc_audio.h"
#include "tests/fuzz/fuzz_common.h"

static WallocContext wc, audio;
static NCCodecContext *api_decoder, *audio_decoder;
static float samples[2][WALLOC_AUDIO_BLOCK];
static int state; /* 0 not tried, 1 ready, -1 no model */

static int setup(void)
{
    if (state) return state > 0;
    nc_log_set_level(NC_LOG_QUIET);
    state = -1;
    if (walloc_open(&wc, NULL, WALLOC_DEFAULT_MODEL, NULL, NULL, 0) < 0) return 0;
    uint8_t header[WALLOC_HEADER_MAX_SIZE];
    size_t header_size = walloc_header_write(&wc, header);
    api_decoder = fuzz_decoder_alloc("walloc", header, header_size);
    if (!api_decoder) return 0;
    api_decoder->width = 24;
    api_decoder->height = 16;
    api_decoder->pix_fmt = NC_PIX_RGB24;
    if (nc_codec_open(api_decoder) < 0) return 0;
    if (walloc_open(&audio, NULL, WALLOC_AUDIO_DEFAULT_MODEL, NULL, NULL, 1) < 0) return 0;
    header_size = walloc_header_write(&audio, header);
    audio_decoder = fuzz_decoder_alloc("walloc_audio", header, header_size);
    if (!audio_decoder) return 0;
    audio_decoder->sample_rate = 44100;
    audio_decoder->channels = 2;
    if (nc_codec_open(audio_decoder) < 0) return 0;
    state = 1;
    return 1;
}

NC_FUZZ_SETUP_BEFORE_TIMING(setup)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3 || !setup()) return 0;
    int w = 1 + data[0] % 64, h = 1 + data[1] % 64, flags = data[2];
    data += 3;
    size -= 3;
    if (flags & 8) {
        int channels = flags & 16 ? 2 : 1, n, last, quality;
        RCDecoder dec;
        rc_dec_init(&dec, data, size);
        float *out[2] = {samples[0], samples[1]};
        if (walloc_audio_decode_latents(&audio, &dec, channels, &n, &last, &quality) >= 0 &&
            rc_dec_finish(&dec) >= 0)
            walloc_audio_reconstruct(&audio, quality, channels, n, out);
        if (flags & 4) fuzz_decode_packet(audio_decoder, data, size);
        return 0;
    }
    if (flags & 2) {
        NCIModelPin pin;
        walloc_header_parse(NULL, data, size, WALLOC_HEADER_VERSION_IMAGE, &pin);
        return 0;
    }
    int channels = flags & 1 ? 3 : 1, quality;
    RCDecoder dec;
    rc_dec_init(&dec, data, size);
    if (walloc_decode_latents_of_image(&wc, &dec, w, h, &quality) >= 0 && rc_dec_finish(&dec) >= 0) {
        uint8_t *pix = malloc((size_t)w * h * channels);
        if (pix && walloc_reconstruct(&wc, quality, pix, (ptrdiff_t)w * channels, channels, w, h) >= 0) {
            volatile uint8_t sink = 0; /* every pixel was written */
            for (size_t i = 0; i < (size_t)w * h * channels; i++) sink ^= pix[i];
            (void)sink;
        }
        free(pix);
    }
    if (flags & 4) fuzz_decode_packet(api_decoder, data, size);
    return 0;
}
