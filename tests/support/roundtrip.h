/* Encoding and decoding one image through the public pclossless API (tests and
 * the benchmark share these). */
#ifndef NC_TESTS_PCLOSSLESS_ROUNDTRIP_H
#define NC_TESTS_PCLOSSLESS_ROUNDTRIP_H

#include <stdint.h>

#include "nc/nc.h"

/* A w x h frame of fmt, filled from pixels (tightly packed rows) when not NULL. */
int pc_test_make_frame(NCFrame *f, int w, int h, enum NCPixelFormat fmt, const uint8_t *pixels);
/* Opens the encoder (model id and path may be NULL for the defaults). */
int pc_test_open_encoder(NCCodecContext **enc, int w, int h, enum NCPixelFormat fmt,
                         const char *model, const char *model_path);
/* Opens a decoder for enc's stream header. */
int pc_test_open_decoder(NCCodecContext **dec, const NCCodecContext *enc,
                         const char *model_path);
/* Encodes one frame into pkt (the context stays usable). */
int pc_test_encode(NCCodecContext *enc, const NCFrame *f, NCPacket *pkt);
/* Decodes one packet into out. */
int pc_test_decode(NCCodecContext *dec, const NCPacket *pkt, NCFrame *out);
/* 1 if both frames hold the same pixels. */
int pc_test_same_pixels(const NCFrame *a, const NCFrame *b);

#endif
