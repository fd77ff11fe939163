/* libFuzzer target: the pclossless decoder with the shipped pclossless-mnist model,
 * loaded once. Input: byte 0 = width - 1 (mod 32), byte 1 = height - 1 (mod 32),
 * byte 2 selects what the rest is:
 *   bit 1 clear: a packet, decoded plane by plane as the decoder does (bit 0: RGB24);
 *   bit 1 set:   a stream header for the header parser;
 *   bit 2 set:   (with bit 1 clear) also sent through the codec API to a decoder
 *                context kept open for 28 x 28 GRAY8;
 *   bit 3 set:   (with bit 1 clear) the packet is decoded as an image with the
 *                shipped pclossless-photo model (transform residual) instead;
 *   bit 4 set:   (with bit 1 clear) the packet goes through the API decoder as a
 *                picture of up to 16384 x 16384 (byte 0 and 1 times 64): a short
 *                packet declaring a large picture must cost only what its bytes
 *                pay for (run-fuzzer.sh's -timeout and -rss_limit_mb catch it). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/pclossless/pclossless.h"
#include "tests/fuzz/fuzz_common.h"

static PCContext pcx, photo;
static int photo_ready;
static NCCodecContext *api_decoder;
static int state; /* 0 not tried, 1 ready, -1 no model */

static int setup(void)
{
    if (state) return state > 0;
    nc_log_set_level(NC_LOG_QUIET);
    state = -1;
    if (pc_context_open(&pcx, NULL, PC_DEFAULT_MODEL, NULL, NULL) < 0) return 0;
    photo_ready = pc_context_open(&photo, NULL, "pclossless-photo", NULL, NULL) >= 0;
    uint8_t header[PC_HEADER_MAX_SIZE];
    size_t header_size = pc_header_write(&pcx, header);
    api_decoder = fuzz_decoder_alloc("pclossless", header, header_size);
    if (!api_decoder) return 0;
    api_decoder->width = api_decoder->height = 28;
    api_decoder->pix_fmt = NC_PIX_GRAY8;
    if (nc_codec_open(api_decoder) < 0) return 0;
    state = 1;
    return 1;
}

NC_FUZZ_SETUP_BEFORE_TIMING(setup)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3 || !setup()) return 0;
    int w = 1 + data[0] % 32, h = 1 + data[1] % 32, flags = data[2];
    data += 3;
    size -= 3;
    if (flags & 2) {
        NCIModelPin pin;
        pc_header_parse(NULL, data, size, &pin);
        return 0;
    }
    if (flags & 16) {
        api_decoder->width = 64 * (1 + data[-3]);
        api_decoder->height = 64 * (1 + data[-2]);
        fuzz_decode_packet(api_decoder, data, size);
        api_decoder->width = api_decoder->height = 28;
        return 0;
    }
    int channels = flags & 1 ? 3 : 1;
    uint8_t *pix = calloc((size_t)w * h * channels, 1); /* a stopped decode leaves zeros */
    if (!pix) return 0;
    RCDecoder dec;
    rc_dec_init(&dec, data, size);
    if (flags & 8 && photo_ready) {
        pc_decode_image(&photo, &dec, pix, (ptrdiff_t)w * channels, channels, w, h);
    } else
        for (int c = 0; c < channels; c++)
            if (pc_decode_plane(&pcx, &dec, pix + c, (ptrdiff_t)w * channels, channels, w, h) < 0)
                break;
    volatile uint8_t sink = 0; /* every pixel is defined */
    for (size_t i = 0; i < (size_t)w * h * channels; i++) sink ^= pix[i];
    (void)sink;
    rc_dec_finish(&dec);
    free(pix);
    if (flags & 4) fuzz_decode_packet(api_decoder, data, size);
    return 0;
}
