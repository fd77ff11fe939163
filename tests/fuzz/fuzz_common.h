/* What the fuzz targets share. */
#ifndef NC_TESTS_FUZZ_COMMON_H
#define NC_TESTS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nc/nc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Defines LLVMFuzzerInitialize() to run setup() once, which libFuzzer does before
 * its per-input timeout starts: loading a large model (millions of rANS symbols
 * for pclossless-mnist) is slow under ASan and coverage instrumentation and must
 * not count as a slow input. The corpus replay driver does not call it, so setup()
 * must also be lazy (called from LLVMFuzzerTestOneInput). */
#define NC_FUZZ_SETUP_BEFORE_TIMING(setup)                   \
    int LLVMFuzzerInitialize(int *argc, char ***argv);       \
    int LLVMFuzzerInitialize(int *argc, char ***argv)        \
    {                                                        \
        (void)argc;                                          \
        (void)argv;                                          \
        setup();                                             \
        return 0;                                            \
    }

/* A decoder context of the named codec with the given stream header, not opened
 * yet (the caller sets what else it needs, then nc_codec_open()); NULL on failure. */
static inline NCCodecContext *fuzz_decoder_alloc(const char *name, const uint8_t *header,
                                                  size_t header_size)
{
    NCCodecContext *dec = nc_codec_alloc_context(nc_codec_find_decoder_by_name(name));
    if (dec && nc_codec_set_extradata(dec, header, header_size) < 0) nc_codec_free_context(&dec);
    return dec;
}

/* The stream header an encoder of the named codec writes for mono audio at rate
 * with options ("key=val:key=val"): copied to buf (cap bytes); its size, or 0. */
static inline size_t fuzz_audio_header(const char *name, const char *options, int rate,
                                       uint8_t *buf, size_t cap)
{
    NCCodecContext *enc = nc_codec_alloc_context(nc_codec_find_encoder_by_name(name));
    size_t size = 0;
    if (!enc) return 0;
    enc->sample_rate = rate;
    enc->channels = 1;
    if (nc_opt_set_from_string(enc, options) == 0 && nc_codec_open(enc) == 0 &&
        enc->extradata_size <= cap) {
        memcpy(buf, enc->extradata, enc->extradata_size);
        size = enc->extradata_size;
    }
    nc_codec_free_context(&enc);
    return size;
}

/* data as one packet through an open decoder context, and its frame (if any)
 * received and dropped. */
static inline void fuzz_decode_packet(NCCodecContext *dec, const uint8_t *data, size_t size)
{
    NCPacket pkt = {0};
    NCFrame frame = {0};
    if (nc_packet_from_data(&pkt, data, size) == 0 && nc_send_packet(dec, &pkt) == 0)
        nc_receive_frame(dec, &frame);
    nc_frame_unref(&frame);
    nc_packet_unref(&pkt);
}

#endif
