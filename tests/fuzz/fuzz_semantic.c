/* libFuzzer target: the semantic decoder (stream header and packets), with the
 * tests' tiny random model written once per process.
 * Input: byte 0 bit 7 = the rest is a stream header (then one short packet);
 * otherwise byte 1 = acoustic stages (mod 5), byte 2 = tokens per packet - 1
 * (mod 100), and the rest is a list of packets, each a 16-bit little-endian
 * length and that many bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "codecs/semantic/sem_coding.h"
#include "tests/fuzz/fuzz_common.h"
#include "tests/support/tiny_model.h"

static FuzzTinyModel tiny;

static int setup(void)
{
    return fuzz_tiny_model(&tiny, "semantic", "semantic-tiny", sem_test_write_tiny_model);
}

NC_FUZZ_SETUP_BEFORE_TIMING(setup)

static void drain(NCCodecContext *dec)
{
    NCFrame frame = {0};
    while (nc_receive_frame(dec, &frame) == 0) nc_frame_unref(&frame);
}

static void send(NCCodecContext *dec, const uint8_t *data, size_t size)
{
    NCPacket pkt = {0};
    if (nc_packet_from_data(&pkt, data, size) == 0 && nc_send_packet(dec, &pkt) == 0)
        drain(dec);
    nc_packet_unref(&pkt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nc_log_set_level(NC_LOG_QUIET);
    if (size < 3 || !setup())
        return 0;
    uint8_t h[sizeof(tiny.header)];
    const uint8_t *hdr = data + 1;
    size_t hdr_size = size - 1;
    if (!(data[0] & 0x80)) { /* the encoder's header, with these fields */
        memcpy(h, tiny.header, tiny.header_size);
        h[1] = (uint8_t)(data[1] % 5);
        h[2] = (uint8_t)(1 + data[2] % SEM_MAX_PACKET_TOKENS);
        hdr = h;
        hdr_size = tiny.header_size;
    }
    NCCodecContext *dec = fuzz_decoder_alloc("semantic", hdr, hdr_size);
    if (dec && nc_opt_set(dec, "model_path", tiny.path) == 0 && nc_opt_set(dec, "iters", "2") == 0 &&
        nc_codec_open(dec) == 0) {
        if (data[0] & 0x80) {
            send(dec, (const uint8_t *)"\x01\x02\x03\x04", 4);
        } else {
            for (size_t at = 3; at + 2 <= size;) {
                size_t len = data[at] | (size_t)data[at + 1] << 8;
                at += 2;
                if (len > size - at)
                    len = size - at;
                send(dec, data + at, len);
                at += len;
            }
        }
        if (nc_send_packet(dec, NULL) == 0)
            drain(dec);
    }
    nc_codec_free_context(&dec);
    return 0;
}
