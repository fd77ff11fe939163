/* libFuzzer target: the nerv decoder. Input: 6 bytes that make a stream header
 * (width - 1 and height - 1 mod 32, pixel format, grids, hidden width mod 12 and
 * in byte 4 / 12 how many versions before NERV_VERSION, segment length; the
 * grids' scales and strides from the bytes after them), then one
 * packet sent through a decoder opened with that header, every frame it yields
 * received. Byte 2 bit 6 makes it two packets (a predicted segment after the
 * one it is coded against): a 2-byte little-endian length, the first, then the
 * second. After each, one-byte continuation packets for the rest of a segment
 * (the detail layer of version 6 is read frame by frame). Byte 2 bit 7 sends the
 * bytes after the first 6 to the header parser instead. */
#include <stddef.h>
#include <stdint.h>

#include "codecs/nerv/nerv.h"
#include "tests/fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 6 + NERV_MAX_LEVELS) return 0;
    nc_log_set_level(NC_LOG_QUIET);
    if (data[2] & 0x80) {
        NervShape s;
        nerv_header_parse(&s, data + 6, size - 6, NULL);
        return 0;
    }
    static const enum NCPixelFormat fmts[] = {NC_PIX_GRAY8, NC_PIX_YUV420P, NC_PIX_RGB24};
    NervShape s = {.width = 1 + data[0] % 32, .height = 1 + data[1] % 32,
                   .pix_fmt = fmts[(data[2] & 0x3f) % 3], .levels = 1 + data[3] % 6,
                   .hidden = 1 + data[4] % 12, .segment = 1 + data[5] % 9,
                   .version = NERV_VERSION - data[4] / 12 % NERV_VERSION};
    for (int l = 0; l < s.levels; l++) {
        s.scale_log2[l] = data[6 + l] % 6;
        s.stride_log2[l] = data[6 + l] / 6 % 4;
    }
    int two = data[2] & 0x40;
    data += 6 + NERV_MAX_LEVELS;
    size -= 6 + NERV_MAX_LEVELS;
    size_t first = size;
    if (two) {
        if (size < 2) return 0;
        first = data[0] | (size_t)data[1] << 8;
        data += 2, size -= 2;
        if (first > size) return 0;
    }
    if (nerv_shape_init(&s, NULL) < 0) return 0;
    uint8_t header[NERV_HEADER_SIZE];
    nerv_header_write(&s, header);
    NCCodecContext *dec = fuzz_decoder_alloc("nerv", header, sizeof(header));
    if (dec && nc_codec_open(dec) == 0) {
        NCFrame frame = {0};
        for (int k = 0; k < (two ? 2 : 1); k++) {
            NCPacket pkt = {0};
            const uint8_t *p = k ? data + first : data;
            size_t n = k ? size - first : first;
            if (nc_packet_from_data(&pkt, p, n) == 0 && nc_send_packet(dec, &pkt) == 0)
                while (nc_receive_frame(dec, &frame) == 0) nc_frame_unref(&frame);
            nc_packet_unref(&pkt);
            static const uint8_t continuation[1] = {0};
            for (int c = 1; c < s.segment; c++) {
                int sent = nc_packet_from_data(&pkt, continuation, 1) == 0 && nc_send_packet(dec, &pkt) == 0;
                if (sent)
                    while (nc_receive_frame(dec, &frame) == 0) nc_frame_unref(&frame);
                nc_packet_unref(&pkt);
                if (!sent) break;
            }
        }
    }
    nc_codec_free_context(&dec);
    return 0;
}
