/* libFuzzer target: the pclossless decoder (stream header and packets) with the
 * shipped pclossless-mnist model.
 * Input: byte 0 = width - 1 (mod 48), byte 1 = height - 1 (mod 48), byte 2 bit 0 =
 * RGB24 instead of GRAY8, bit 1 = the rest is a stream header instead of a packet. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "codecs/pclossless/pclossless.h"
#include "nc/nc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t header[PC_HEADER_MAX_SIZE];
static size_t header_size;

/* The stream header of the shipped model, taken from an encoder once. */
static int load_header(void)
{
    if (header_size) return 1;
    NCCodecContext *enc = nc_codec_alloc_context(nc_codec_find_encoder_by_name("pclossless"));
    if (!enc) return 0;
    enc->width = enc->height = 1;
    enc->pix_fmt = NC_PIX_GRAY8;
    if (nc_codec_open(enc) == 0 && enc->extradata_size <= sizeof(header)) {
        memcpy(header, enc->extradata, enc->extradata_size);
        header_size = enc->extradata_size;
    }
    nc_codec_free_context(&enc);
    return header_size > 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nc_log_set_level(NC_LOG_QUIET);
    if (size < 3 || !load_header()) return 0;
    NCCodecContext *dec = nc_codec_alloc_context(nc_codec_find_decoder_by_name("pclossless"));
    if (!dec) return 0;
    dec->width = 1 + data[0] % 48;
    dec->height = 1 + data[1] % 48;
    dec->pix_fmt = data[2] & 1 ? NC_PIX_RGB24 : NC_PIX_GRAY8;
    int as_header = data[2] & 2;
    data += 3;
    size -= 3;
    if (as_header) {
        nc_codec_set_extradata(dec, data, size);
        if (nc_codec_open(dec) == 0) {
            NCPacket pkt = {0};
            NCFrame frame = {0};
            if (nc_packet_new(&pkt, 4) == 0 && nc_send_packet(dec, &pkt) == 0)
                nc_receive_frame(dec, &frame);
            nc_frame_unref(&frame);
            nc_packet_unref(&pkt);
        }
    } else {
        nc_codec_set_extradata(dec, header, header_size);
        NCPacket pkt = {0};
        NCFrame frame = {0};
        if (nc_codec_open(dec) == 0 && nc_packet_from_data(&pkt, data, size) == 0 &&
            nc_send_packet(dec, &pkt) == 0 && nc_receive_frame(dec, &frame) == 0) {
            /* A decoded frame is whole: touch every pixel. */
            volatile uint8_t sink = 0;
            for (int y = 0; y < frame.height; y++)
                for (int x = 0; x < nc_pix_fmt_plane_width(frame.pix_fmt, 0, frame.width); x++)
                    sink ^= frame.data[0][(size_t)y * frame.linesize[0] + (size_t)x];
            (void)sink;
        }
        nc_frame_unref(&frame);
        nc_packet_unref(&pkt);
    }
    nc_codec_free_context(&dec);
    return 0;
}
