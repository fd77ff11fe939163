/* libFuzzer target: the template decoder. Byte 0 is the adaptation rate of the
 * stream header, the rest one packet, decoded with frames of up to 64 KiB. */
#include <stddef.h>
#include <stdint.h>

#include "codecs/template/template.h"
#include "tests/fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    nc_log_set_level(NC_LOG_QUIET);
    uint8_t header[TEMPLATE_HEADER_SIZE] = {'T', 'P', 'L', TEMPLATE_VERSION, data[0]};
    NCCodecContext *dec = fuzz_decoder_alloc("template", header, sizeof(header));
    if (dec && nc_opt_set_int(dec, "max_frame_bytes", 1 << 16) == 0 && nc_codec_open(dec) == 0)
        fuzz_decode_packet(dec, data + 1, size - 1);
    nc_codec_free_context(&dec);
    return 0;
}
