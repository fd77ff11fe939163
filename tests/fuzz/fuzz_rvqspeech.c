/* libFuzzer target: the rvqspeech decoder (stream header and packets), with the
 * tests' tiny random model written once per process (decoding paths do not depend
 * on the weights, and a small model keeps executions fast).
 * Input: byte 0 bit 7 = the rest is a stream header (then one empty-ish packet);
 * otherwise byte 0 bit 0 = nominal mode, bit 1 = bitstream version 1 (else 2: packet
 * counts inside the range coder), bit 2 = band gains (version 3; refused with
 * nominal), bit 3 = phase turns (version 4; refused without gains), byte 1 = stages - 1 (mod 12), byte 2 = frames per packet - 1, and the
 * rest is a list of packets, each a 16-bit little-endian length and that many
 * bytes. These fields are set in the encoder's compact header (libnc/model_header.h:
 * the lead byte's low 6 bits are the version, then flags, stages, frames per packet). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tests/fuzz/fuzz_common.h"
#include "tests/support/tiny_model.h"


static FuzzTinyModel tiny;

static int setup(void)
{
    return fuzz_tiny_model(&tiny, "rvqspeech", "rvqspeech-tiny", rvq_test_write_tiny_model);
}

static void drain(NCCodecContext *dec)
{
    NCFrame frame = {0};
    while (nc_receive_frame(dec, &frame) == 0) nc_frame_unref(&frame);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nc_log_set_level(NC_LOG_QUIET);
    if (size < 3 || !setup())
        return 0;
    NCCodecContext *dec = nc_codec_alloc_context(nc_codec_find_decoder_by_name("rvqspeech"));
    if (!dec)
        return 0;
    nc_opt_set(dec, "model_path", tiny.path);
    if (data[0] & 0x80) {
        nc_codec_set_extradata(dec, data + 1, size - 1);
        if (nc_codec_open(dec) == 0) {
            NCPacket pkt = {0};
            if (nc_packet_new(&pkt, 4) == 0 && nc_send_packet(dec, &pkt) == 0)
                drain(dec);
            nc_packet_unref(&pkt);
        }
        nc_codec_free_context(&dec);
        return 0;
    }
    uint8_t h[256];
    memcpy(h, tiny.header, tiny.header_size);
    int version = data[0] & 8 ? 4 : data[0] & 4 ? 3 : data[0] & 2 ? 1 : 2;
    h[0] = (uint8_t)((h[0] & 0xc0) | version);
    h[1] = (uint8_t)((data[0] & 1) | (data[0] & 4 ? 2 : 0) | (data[0] & 8 ? 4 : 0)); /* nominal, gains, turns */
    h[2] = (uint8_t)(1 + data[1] % 12);
    h[3] = (uint8_t)(1 + data[2] % 200);
    nc_codec_set_extradata(dec, h, tiny.header_size);
    if (nc_codec_open(dec) == 0) {
        size_t at = 3;
        while (at + 2 <= size) {
            size_t len = data[at] | (size_t)data[at + 1] << 8;
            at += 2;
            if (len > size - at)
                len = size - at;
            NCPacket pkt = {0};
            if (nc_packet_from_data(&pkt, data + at, len) == 0) {
                if (nc_send_packet(dec, &pkt) == 0)
                    drain(dec);
            }
            nc_packet_unref(&pkt);
            at += len;
        }
        if (nc_send_packet(dec, NULL) == 0)
            drain(dec);
    }
    nc_codec_free_context(&dec);
    return 0;
}
