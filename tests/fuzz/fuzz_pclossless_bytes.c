/* libFuzzer target: the pclossless_bytes decoder with the shipped pclossless-text
 * model, loaded once, for frames of up to MAX_BYTES (a few bytes of packet can
 * announce megabytes of cheap blocks; the limit keeps every input fast). Byte 0
 * selects what the rest is:
 *   bit 0 set:   a stream header for the header parser;
 *   bit 0 clear: a packet, decoded as the decoder does (length, blocks, end);
 *   bit 1 set:   (with bit 0 clear) also sent through the codec API to a decoder
 *                context kept open. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "codecs/pclossless/pclossless_bytes.h"
#include "tests/fuzz/fuzz_common.h"

#define MAX_BYTES 1024

static PCContext pcx;
static NCCodecContext *api_decoder;
static int state; /* 0 not tried, 1 ready, -1 no model */

static int setup(void)
{
    if (state) return state > 0;
    nc_log_set_level(NC_LOG_QUIET);
    state = -1;
    if (pc_context_open(&pcx, NULL, PC_BYTES_DEFAULT_MODEL, NULL, NULL) < 0) return 0;
    uint8_t header[PC_HEADER_MAX_SIZE];
    size_t header_size = pc_header_write(&pcx, header);
    api_decoder = fuzz_decoder_alloc("pclossless_bytes", header, header_size);
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
        pc_header_parse(NULL, data, size, &pin);
        return 0;
    }
    RCDecoder dec;
    rc_dec_init(&dec, data, size);
    uint8_t *bytes;
    size_t n;
    if (pc_decode_bytes(&pcx, &dec, MAX_BYTES, &bytes, &n) == 0) {
        volatile uint8_t sink = 0; /* every byte was written */
        for (size_t i = 0; i < n; i++) sink ^= bytes[i];
        (void)sink;
        rc_dec_finish(&dec);
    }
    free(bytes);
    if (flags & 2) fuzz_decode_packet(api_decoder, data, size);
    return 0;
}
