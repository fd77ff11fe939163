/* libFuzzer target: the lmtext decoder with the shipped lmtext-en model, loaded
 * once, for packets of up to MAX_BYTES (a few bytes of packet can announce a
 * megabyte of cheap bytes; the limit keeps every input fast). Byte 0 selects what
 * the rest is:
 *   bit 0 set:   a stream header for the header parser;
 *   bit 0 clear: a packet for one of four decoders (bits 1-2: fast, max, fast with
 *                64-bit windows, max with 256-bit windows), through lm_decode_packet;
 *   bit 3 set:   (with bit 0 clear) also sent through the codec API to a decoder
 *                context kept open. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "codecs/lmtext/lmtext.h"
#include "tests/fuzz/fuzz_common.h"

#define MAX_BYTES 2048

static LMContext ctx[4];
static uint8_t out[LM_PACKET_BYTES];
static NCCodecContext *api_decoder;
static int state; /* 0 not tried, 1 ready, -1 no model */

static int setup(void)
{
    static const int modes[4] = {LM_MODE_FAST, LM_MODE_MAX, LM_MODE_FAST, LM_MODE_MAX};
    static const int windows[4] = {0, 0, 64, 256};
    if (state) return state > 0;
    nc_log_set_level(NC_LOG_QUIET);
    state = -1;
    for (int i = 0; i < 4; i++)
        if (lm_context_open(&ctx[i], NULL, LM_DEFAULT_MODEL, NULL, NULL, modes[i], windows[i]) < 0)
            return 0;
    uint8_t header[LM_HEADER_MAX_SIZE];
    size_t header_size = lm_header_write(&ctx[0], header);
    api_decoder = fuzz_decoder_alloc("lmtext", header, header_size);
    if (!api_decoder || nc_opt_set_int(api_decoder, "max_frame_bytes", MAX_BYTES) < 0 ||
        nc_codec_open(api_decoder) < 0)
        return 0;
    state = 1;
    return 1;
}

NC_FUZZ_SETUP_BEFORE_TIMING(setup)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || !setup()) return 0;
    int flags = data[0];
    data++;
    size--;
    if (flags & 1) {
        NCIModelPin pin;
        int mode, window_bits;
        lm_header_parse(NULL, data, size, &pin, &mode, &window_bits);
        return 0;
    }
    size_t n;
    if (lm_decode_packet(&ctx[(flags >> 1) & 3], data, size, MAX_BYTES, out, &n) == 0) {
        volatile uint8_t sink = 0; /* every byte was written */
        for (size_t i = 0; i < n; i++) sink ^= out[i];
        (void)sink;
    }
    if (flags & 8) fuzz_decode_packet(api_decoder, data, size);
    return 0;
}
