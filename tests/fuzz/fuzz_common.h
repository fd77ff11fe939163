/* What the fuzz targets share. */
#ifndef NC_TESTS_FUZZ_COMMON_H
#define NC_TESTS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* A tests' tiny model (tests/support/tiny_model.h) written once per process to a
 * temporary file, removed at exit, and the stream header the codec's encoder
 * writes with it for 16 kHz mono audio: what the audio decoders' targets decode. */
typedef struct FuzzTinyModel {
    char path[64];
    uint8_t header[256];
    size_t header_size; /* 0 until made */
} FuzzTinyModel;

static const char *fuzz_tiny_model_path; /* the file to remove at exit */

static inline void fuzz_remove_tiny_model(void)
{
    remove(fuzz_tiny_model_path);
}

/* 1 when m is made (now or before), 0 if it cannot be. */
static inline int fuzz_tiny_model(FuzzTinyModel *m, const char *codec, const char *model_id,
                                  int (*write_model)(const char *path, uint64_t seed))
{
    if (m->header_size)
        return 1;
    snprintf(m->path, sizeof(m->path), "/tmp/fuzz-%s-%ld.ncm", codec, (long)getpid());
    if (write_model(m->path, 1) < 0)
        return 0;
    fuzz_tiny_model_path = m->path;
    atexit(fuzz_remove_tiny_model);
    char options[128];
    snprintf(options, sizeof(options), "model=%s:model_path=%s", model_id, m->path);
    NCCodecContext *enc = nc_codec_alloc_context(nc_codec_find_encoder_by_name(codec));
    if (!enc) return 0;
    enc->sample_rate = 16000;
    enc->channels = 1;
    if (nc_opt_set_from_string(enc, options) == 0 && nc_codec_open(enc) == 0 &&
        enc->extradata_size <= sizeof(m->header)) {
        memcpy(m->header, enc->extradata, enc->extradata_size);
        m->header_size = enc->extradata_size;
    }
    nc_codec_free_context(&enc);
    return m->header_size > 0;
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
